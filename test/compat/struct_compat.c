/* A caller built with the version 1 layouts of bfd_session_settings,
 * bfd_callbacks and bfd_session_status (this file, compiled without
 * BFD_TEST_STRUCT_V2) against a library whose structs are version 2 (built
 * with it: each struct has one more field). The library must read and
 * write only the caller's bytes (canaries after each struct stay intact)
 * and accept every version up to its own. */
#include <bfd/bfd.h>

#include <stdio.h>
#include <string.h>

#define CANARY 0xa5
static int failures;
#define CHECK(c)                                                                   \
  do {                                                                             \
    if (!(c)) {                                                                    \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                        \
      failures++;                                                                  \
    }                                                                              \
  } while (0)

/* A v1 struct followed by 64 canary bytes. */
#define GUARDED(T)                                                                 \
  struct {                                                                         \
    T v;                                                                           \
    uint8_t guard[64];                                                             \
  }

static int guard_ok(const uint8_t *g) {
  size_t i;
  for (i = 0; i < 64; i++)
    if (g[i] != CANARY)
      return 0;
  return 1;
}

static int nstate;
static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  (void)s;
  (void)ev;
  (void)ud;
  nstate++;
  return 0;
}

int main(void) {
  GUARDED(bfd_session_settings) st;
  GUARDED(bfd_callbacks) cb;
  GUARDED(bfd_session_status) status;
  uint8_t big[sizeof(bfd_session_settings) + 64];
  bfd_session *s = NULL;
  bfd_table *t = NULL;
  bfd_session_key key;

  /* This program is version 1. */
  CHECK(BFD_SESSION_SETTINGS_VERSION == 1);
  memset(&st, CANARY, sizeof(st));
  CHECK(bfd_session_settings_init(1, &st.v) == 0);
  CHECK(guard_ok(st.guard));
  CHECK(st.v.struct_version == 1 && st.v.desired_min_tx_us == 300000 && st.v.detect_mult == 3);
  /* The library knows version 2 (8 more bytes), not 3, not 0. */
  memset(big, CANARY, sizeof(big));
  CHECK(bfd_session_settings_init(2, (bfd_session_settings *)(void *)big) == 0);
  CHECK(big[sizeof(bfd_session_settings)] == 0 && big[sizeof(bfd_session_settings) + 8] == CANARY);
  CHECK(bfd_session_settings_init(3, &st.v) == BFD_ERR_VERSION);
  CHECK(bfd_session_settings_init(0, &st.v) == BFD_ERR_VERSION);
  CHECK(guard_ok(st.guard));
  CHECK(bfd_session_settings_check(&st.v) == 0);

  /* Callbacks: this program knows version 2, the library 3; a version 1
   * caller (before the lifecycle and event callbacks) still works: init
   * writes only its bytes, and the library never reads the rest. */
  CHECK(BFD_CALLBACKS_VERSION == 2);
  memset(&cb, CANARY, sizeof(cb));
  CHECK(bfd_callbacks_init(4, &cb.v) == BFD_ERR_VERSION);
  CHECK(bfd_callbacks_init(2, &cb.v) == 0 && guard_ok(cb.guard) && cb.v.params == NULL);
  memset(&cb, CANARY, sizeof(cb));
  CHECK(bfd_callbacks_init(1, &cb.v) == 0);
  CHECK(guard_ok(cb.guard));
  CHECK(((uint8_t *)&cb.v.session)[0] == CANARY); /* not a v1 field: untouched */
  cb.v.state_change = on_state;
  st.v.local_discr = 7;
  CHECK(bfd_session_new(&s, &st.v, &cb.v, NULL, NULL, 1000) == 0);
  CHECK(s != NULL);
  if (!s)
    return 1;
  /* Read back in the v1 layout: the macro passes version 1. */
  memset(&st, CANARY, sizeof(st));
  CHECK(bfd_session_get_settings(s, &st.v) == 0);
  CHECK(guard_ok(st.guard));
  CHECK(st.v.struct_version == 1 && st.v.local_discr == 7);
  memset(&st, CANARY, sizeof(st));
  CHECK((bfd_session_get_settings)(s, &st.v) == 0); /* the exported function */
  CHECK(guard_ok(st.guard) && st.v.local_discr == 7);
  CHECK(bfd_session_get_settings_versioned(s, 3, &st.v) == BFD_ERR_VERSION);
  /* A v1 update changes what v1 knows. */
  st.v.desired_min_tx_us = 100000;
  CHECK(bfd_session_update(s, &st.v, 2000) == 0);
  CHECK(bfd_session_set_admin_down(s, 1, 3000) == 0);
  CHECK(nstate == 1); /* the callback table was read in the v1 layout */

  memset(&status, CANARY, sizeof(status));
  status.v.struct_version = 1;
  CHECK(bfd_session_get_status(s, &status.v) == 0);
  CHECK(guard_ok(status.guard));
  CHECK(status.v.struct_version == 1 && status.v.state == BFD_STATE_ADMIN_DOWN);
  CHECK(status.v.desired_min_tx_us == 100000 && status.v.local_discr == 7);
  status.v.struct_version = 4; /* this program knows 2, the library 3 */
  CHECK(bfd_session_get_status(s, &status.v) == BFD_ERR_VERSION);
  bfd_session_del(s);

  /* A table with v1 callbacks and a v1 session. */
  CHECK(bfd_table_new(&t, &cb.v, NULL, NULL) == 0);
  memset(&key, 0, sizeof(key));
  key.family = BFD_AF_INET;
  key.peer[0] = 10;
  key.peer[3] = 2;
  CHECK(bfd_session_settings_init(1, &st.v) == 0);
  CHECK(bfd_table_add_session(t, &s, &st.v, &key, NULL, 1000) == 0);
  CHECK(bfd_table_size(t) == 1);
  bfd_table_del(t);

  printf("struct_compat: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures != 0;
}
