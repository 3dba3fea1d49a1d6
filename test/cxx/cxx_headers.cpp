// ctest `cxx`: the public headers compile as C++ (-Wall -Wextra -Werror) and
// their declarations link and run from C++: extern "C" linkage, no C-only
// constructs (designated initializers, implicit void * conversions,
// compound literals) in anything a C++ consumer sees.
#include <bfd/bfd.h>
#ifdef BFD_CXX_WITH_UV
#include <bfd/bfd_uv.h>
#endif

#include <cstdio>
#include <cstring>
#include <type_traits>

// Plain data: memcpy-able and layout-compatible with the C view.
static_assert(std::is_standard_layout<bfd_session_settings>::value, "settings");
static_assert(std::is_trivially_copyable<bfd_session_status>::value, "status");
static_assert(std::is_standard_layout<bfd_rx_info>::value, "rx_info");
static_assert(sizeof(bfd_session_settings) == 28, "settings size");
static_assert(sizeof(bfd_rx_info) == 44, "rx_info size");
static_assert(BFD_TSTAMP_NONE == UINT64_MAX, "tstamp none");

namespace {

int nexthop_events = 0;

extern "C" int on_nexthop(bfd_session *, const bfd_nexthop_event *ev, void *) {
  if (ev->action == BFD_NEXTHOP_DOWN && ev->cause == BFD_NH_CAUSE_CREATED)
    nexthop_events++;
  return 0;
}

int fail(const char *what, long v) {
  std::fprintf(stderr, "FAIL: %s (%ld)\n", what, v);
  return 1;
}

} // namespace

int main() {
  bfd_session_settings st;
  int rv = bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  if (rv != 0 || st.desired_min_tx_us != 300000)
    return fail("bfd_session_settings_init", rv);
  bfd_callbacks cb;
  if ((rv = bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb)) != 0)
    return fail("bfd_callbacks_init", rv);
  cb.nexthop = on_nexthop;

  bfd_session *s = nullptr;
  const uint64_t now = 5 * BFD_SECONDS;
  if ((rv = bfd_session_new(&s, &st, &cb, nullptr, nullptr, now)) != 0)
    return fail("bfd_session_new", rv);
  if (nexthop_events != 1)
    return fail("nexthop DOWN(CREATED) at creation", nexthop_events);
  uint8_t buf[BFD_CTRL_LEN_MAX];
  ptrdiff_t n = bfd_session_poll_packet(s, buf, sizeof buf, now);
  if (n != BFD_CTRL_LEN)
    return fail("first packet length", static_cast<long>(n));
  bfd_ctrl_pkt pkt;
  if ((rv = bfd_ctrl_pkt_decode(&pkt, buf, static_cast<size_t>(n))) != 0 ||
      pkt.state != BFD_STATE_DOWN)
    return fail("decode own packet", rv);
  bfd_session_del(s);
  if (std::strcmp(bfd_strerror(BFD_ERR_NOMEM), "(unknown)") == 0)
    return fail("bfd_strerror", BFD_ERR_NOMEM);

#ifdef BFD_CXX_WITH_UV
  bfd_uv_addr addr;
  if ((rv = bfd_uv_addr_parse(&addr, "192.0.2.1")) != 0 || addr.family != BFD_AF_INET)
    return fail("bfd_uv_addr_parse", rv);
  char text[64];
  if (bfd_uv_addr_format(text, sizeof text, &addr) <= 0 ||
      std::strcmp(text, "192.0.2.1") != 0)
    return fail("bfd_uv_addr_format", 0);
  bfd_uv_settings us;
  if ((rv = bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &us)) != 0)
    return fail("bfd_uv_settings_init", rv);
  uv_loop_t loop;
  if (uv_loop_init(&loop) != 0)
    return fail("uv_loop_init", 0);
  bfd_uv *uvad = nullptr;
  if ((rv = bfd_uv_new(&uvad, &loop, &us, &cb, nullptr, nullptr, nullptr)) != 0)
    return fail("bfd_uv_new", rv);
  if (bfd_uv_get_loop(uvad) != &loop)
    return fail("bfd_uv_get_loop", 0);
  bfd_uv_del(uvad, nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0)
    return fail("uv_loop_close", 0);
  std::printf("C++: bfd.h and bfd_uv.h OK (%s)\n", bfd_version_string());
#else
  std::printf("C++: bfd.h OK (%s); bfd_uv.h not built\n", bfd_version_string());
#endif
  return 0;
}
