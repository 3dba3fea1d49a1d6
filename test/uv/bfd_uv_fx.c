/* Fixture of the libuv adapter suites over loopback (uv_loop,
 * uv_responder, uv_config, uv_scale): one loop with a guard timer, wires (plain UDP sockets as
 * scripted peers, spoofed sources and relays) and sides (an adapter with
 * every callback recorded). See bfd_uv_fx.h. */
#include "bfd_uv_fx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

uv_loop_t loop;
uint16_t base_port;
bfd_auth_key auth_key;
static uv_timer_t guard;
static int guard_fired;

/* ---- loop helpers ------------------------------------------------------- */

static void guard_cb(uv_timer_t *t) {
  (void)t;
  guard_fired = 1;
  uv_stop(&loop);
}

/* Run the loop until cond(ctx) holds (NULL: never) or `ms` passes. */
int run_until(cond_fn cond, void *ctx, uint64_t ms) {
  guard_fired = 0;
  uv_timer_start(&guard, guard_cb, ms, 0);
  while (!(cond && cond(ctx)) && !guard_fired)
    uv_run(&loop, UV_RUN_ONCE);
  uv_timer_stop(&guard);
  return cond && cond(ctx);
}

void run_for(uint64_t ms) { (void)run_until(NULL, NULL, ms); }

/* ---- wires: scripted peers, spoofed sources, relays --------------------- */

struct sockaddr_in sin_of(const char *addr, uint16_t port) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  inet_pton(AF_INET, addr, &sin.sin_addr);
  return sin;
}

static void wire_cb(uv_poll_t *h, int status, int events) {
  wire *w = h->data;
  uint8_t buf[256];
  ssize_t n;
  (void)status;
  (void)events;
  while ((n = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
    bfd_ctrl_pkt pkt;
    int admin;
    if (bfd_ctrl_pkt_decode(&pkt, buf, (size_t)n) != 0)
      continue;
    if (w->n < WIRE_LOG) {
      wire_pkt *e = &w->log[w->n];
      e->pkt = pkt;
      e->len = (size_t)n < sizeof(e->buf) ? (size_t)n : sizeof(e->buf);
      memcpy(e->buf, buf, e->len);
      e->at = uv_hrtime();
    }
    w->n++;
    admin = pkt.state == BFD_STATE_ADMIN_DOWN;
    w->n_admin_down += (unsigned)admin;
    if (!w->fwd)
      continue;
    if (admin && w->drop_admin_down > 0) {
      w->drop_admin_down--;
      printf("  [%s] dropped an AdminDown packet (the one that gets lost)\n", w->name);
      continue;
    }
    (void)sendto(w->fwd->fd, buf, (size_t)n, 0, (struct sockaddr *)&w->fwd_dst, sizeof(w->fwd_dst));
  }
}

void wire_open(wire *w, const char *name, const char *addr, uint16_t port) {
  struct sockaddr_in sin = sin_of(addr, port);
  int ttl = BFD_TTL_MAX;
  memset(w, 0, sizeof(*w));
  w->name = name;
  w->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  CU_ASSERT_FATAL(w->fd >= 0);
  CU_ASSERT_FATAL(setsockopt(w->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == 0);
  if (bind(w->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
    printf("  bind %s:%u: %s\n", addr, (unsigned)port, strerror(errno));
    CU_FAIL_FATAL("bind");
  }
  CU_ASSERT_FATAL(uv_poll_init(&loop, &w->poll, w->fd) == 0);
  w->poll.data = w;
  CU_ASSERT_FATAL(uv_poll_start(&w->poll, UV_READABLE, wire_cb) == 0);
  w->polling = 1;
}

void wire_close(wire *w) {
  if (w->polling) {
    uv_close((uv_handle_t *)&w->poll, NULL);
    w->polling = 0;
    run_for(1);
  }
  if (w->fd >= 0)
    close(w->fd);
  w->fd = -1;
}

/* A control packet from `w` to addr:port. */
void wire_send(wire *w, const char *addr, uint16_t port, const bfd_ctrl_pkt *pkt) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  struct sockaddr_in dst = sin_of(addr, port);
  ptrdiff_t n = bfd_ctrl_pkt_encode(buf, sizeof(buf), pkt);
  CU_ASSERT_FATAL(n > 0);
  CU_ASSERT((size_t)sendto(w->fd, buf, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) ==
            (size_t)n);
}

bfd_ctrl_pkt ctrl(uint8_t state, uint32_t my_discr, uint8_t mult, uint32_t tx_us, uint32_t rx_us) {
  bfd_ctrl_pkt p;
  memset(&p, 0, sizeof(p));
  p.state = state;
  p.diag = state == BFD_STATE_ADMIN_DOWN ? BFD_DIAG_ADMIN_DOWN : BFD_DIAG_NONE;
  p.my_discr = my_discr;
  p.detect_mult = mult;
  p.desired_min_tx_us = tx_us;
  p.required_min_rx_us = rx_us;
  return p;
}

/* ---- adapters ------------------------------------------------------------ */

int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  side *x = ud;
  (void)s;
  x->state = ev->new_state;
  x->last_ev = *ev;
  x->last_ev_at = uv_hrtime();
  printf("  [%s] %s -> %s local diag %s, remote %s/%s\n", x->name, bfd_state_name(ev->old_state),
         bfd_state_name(ev->new_state), bfd_diag_name(ev->local_diag),
         bfd_state_name(ev->remote_state), bfd_diag_name(ev->remote_diag));
  return 0;
}

static int on_nexthop(bfd_session *s, const bfd_nexthop_event *ev, void *ud) {
  side *x = ud;
  (void)s;
  x->nh_events++;
  x->nh_last_action = ev->action;
  if (ev->action == BFD_NEXTHOP_DOWN && ev->cause == BFD_NH_CAUSE_FAILURE)
    x->nh_down_failure++;
  return 0;
}

static int on_params(bfd_session *s, const bfd_params_event *ev, void *ud) {
  side *x = ud;
  (void)s;
  (void)ev;
  x->n_params++;
  return 0;
}

static int on_auth_failure(bfd_session *s, const bfd_auth_failure_event *ev, void *ud) {
  side *x = ud;
  (void)s;
  printf("  [%s] auth failure: reason %u, key ID %u\n", x->name, ev->reason, ev->key_id);
  x->n_auth_failures++;
  return 0;
}

static void on_error(bfd_uv *a, int code, int err, const char *msg, void *ud) {
  side *x = ud;
  (void)a;
  (void)code;
  (void)err;
  x->errors++;
  printf("  [%s] error: %s\n", x->name, msg);
}

static int on_new_peer(bfd_uv *a, const bfd_rx_info *rx, void *ud) {
  side *x = ud;
  (void)a;
  (void)rx;
  if (x->veto)
    x->n_vetoed++;
  return x->veto;
}

static void on_created(bfd_uv *a, bfd_session *s, void *ud) {
  side *x = ud;
  (void)a;
  x->s = s;
  x->n_created++;
}

static void on_deleted(bfd_uv *a, bfd_session *s, void *ud) {
  side *x = ud;
  (void)a;
  if (x->s == s)
    x->s = NULL;
  x->n_deleted++;
}

void on_closed(bfd_uv *a, void *ud) {
  side *x = ud;
  (void)a;
  x->closed = 1;
}

/* An adapter listening on `addr`:base_port; responder mode with
 * `max_auto` slots (100 ms x 3, authentication as `auth`). */
bfd_uv_settings side_settings(uint32_t max_auto, int auth) {
  bfd_uv_settings st;
  bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &st);
  st.port_single_hop = base_port;
  st.port_multihop = (uint16_t)(base_port + 2);
  st.auto_listen = 0;
  st.max_auto_sessions = max_auto;
  st.auto_desired_min_tx_us = 100000;
  st.auto_required_min_rx_us = 100000;
  st.auto_detect_mult = 3;
  if (auth)
    st.auto_auth_key = auth_key;
  return st;
}

void side_new(side *x, const char *name, const bfd_uv_settings *st) {
  bfd_callbacks cb;
  bfd_uv_callbacks ucb;
  memset(x, 0, sizeof(*x));
  x->name = name;
  x->state = BFD_STATE_DOWN;
  x->nh_last_action = -1;
  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  cb.nexthop = on_nexthop;
  cb.params = on_params;
  cb.auth_failure = on_auth_failure;
  bfd_uv_callbacks_init(BFD_UV_CALLBACKS_VERSION, &ucb);
  ucb.error = on_error;
  ucb.new_peer = on_new_peer;
  ucb.peer_created = on_created;
  ucb.peer_deleted = on_deleted;
  CU_ASSERT_EQUAL_FATAL(bfd_uv_new(&x->a, &loop, st, &cb, &ucb, NULL, x), 0);
}

void side_open(side *x, const char *name, const char *addr, uint32_t max_auto, int auth) {
  bfd_uv_settings st = side_settings(max_auto, auth);
  side_new(x, name, &st);
  side_listen(x, BFD_MODE_SINGLE_HOP, addr);
}

void peer_cfg(bfd_uv_peer_config *c, const char *local, const char *peer, uint16_t port) {
  bfd_uv_peer_config_init(BFD_UV_PEER_CONFIG_VERSION, c);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_addr_parse(&c->peer, peer), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_addr_parse(&c->local, local), 0);
  c->peer_port = port;
  c->session.desired_min_tx_us = 100000;
  c->session.required_min_rx_us = 100000;
  c->session.detect_mult = 3;
}

/* A ring of one key, which signs. */
void set_key(bfd_uv_peer_config *c, const bfd_auth_key *k) {
  c->nkeys = 1;
  c->tx_key_id = k->key_id;
  c->keys[0] = *k;
}

int is_closed(void *ctx) { return ((side *)ctx)->closed; }

void side_close(side *x) {
  if (x->a && !x->closed) {
    bfd_uv_del(x->a, on_closed);
    CU_ASSERT(run_until(is_closed, x, 10000));
  }
  x->a = NULL;
}

size_t table_size(const side *x) { return bfd_table_size(bfd_uv_get_table(x->a)); }

int is_up(void *ctx) { return ((side *)ctx)->state == BFD_STATE_UP; }
int is_down(void *ctx) { return ((side *)ctx)->state == BFD_STATE_DOWN; }
int table_empty(void *ctx) { return table_size(ctx) == 0; }

typedef struct pair {
  side *x, *y;
} pair;
static int both_up(void *ctx) {
  pair *p = ctx;
  return is_up(p->x) && is_up(p->y);
}

/* A standalone session with the same key: does an authenticated peer
 * accept what we sent? */
int verify(const wire_pkt *e) {
  bfd_session_settings ss;
  bfd_session *v;
  bfd_rx_info rx;
  int rv;
  bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &ss);
  ss.passive = 1;
  CU_ASSERT_EQUAL_FATAL(bfd_session_new(&v, &ss, NULL, NULL, NULL, uv_hrtime()), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(v, &auth_key), 0);
  memset(&rx, 0, sizeof(rx));
  rx.mode = BFD_MODE_SINGLE_HOP;
  rx.family = BFD_AF_INET;
  rx.ttl = BFD_TTL_MAX;
  rx.flags = BFD_RX_TTL;
  rv = bfd_session_feed_packet(v, e->buf, e->len, &rx, uv_hrtime());
  bfd_session_del(v);
  return rv;
}

/* Two adapters Up with each other, 100 ms x 3 (X 127.0.0.1, Y 127.0.0.2). */
int up_within(side *x, side *y, uint64_t ms) {
  pair p;
  p.x = x;
  p.y = y;
  return run_until(both_up, &p, ms);
}

void up_pair(side *x, side *y, const bfd_auth_key *key) {
  bfd_uv_peer_config c;
  side_open(x, "X", "127.0.0.1", 0, 0);
  side_open(y, "Y", "127.0.0.2", 0, 0);
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  if (key)
    set_key(&c, key);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x->a, &x->s, &c, NULL), 0);
  peer_cfg(&c, "127.0.0.2", "127.0.0.1", base_port);
  if (key)
    set_key(&c, key);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(y->a, &y->s, &c, NULL), 0);
  CU_ASSERT_FATAL(up_within(x, y, 5000));
}

void side_to_wire(side *x, const char *name, wire *w, bfd_uv_peer_config *c) {
  side_open(x, name, "127.0.0.1", 0, 0);
  wire_open(w, "peer", "127.0.0.3", (uint16_t)(base_port + 1));
  peer_cfg(c, "127.0.0.1", "127.0.0.3", (uint16_t)(base_port + 1));
}

void side_listen(side *x, uint8_t mode, const char *addr) {
  bfd_uv_addr la;
  CU_ASSERT_EQUAL_FATAL(bfd_uv_addr_parse(&la, addr), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_listen(x->a, mode, &la), 0);
}

/* ---- the suite ----------------------------------------------------------- */

int fx_run_suite(const char *name, CU_TestInfo *tests) {
  int rc, i;
  /* Ports of our own (below the ephemeral range) so parallel tests and a
   * local bfdd do not collide; the suites using them run serially. */
  base_port = (uint16_t)(10000 + (getpid() % 2500) * 4);
  memset(&auth_key, 0, sizeof(auth_key));
  auth_key.type = BFD_AUTH_KEYED_SHA1;
  auth_key.key_id = 7;
  auth_key.len = 20;
  memcpy(auth_key.secret, "0123456789abcdefghij", 20);
  if (bfd_auth_key_check(&auth_key) != 0) { /* no libcrypto in this build */
    auth_key.type = BFD_AUTH_SIMPLE;
    auth_key.len = 16;
  }
  uv_loop_init(&loop);
  uv_timer_init(&loop, &guard);
  rc = bfd_test_run_suite(name, tests);
  uv_close((uv_handle_t *)&guard, NULL);
  /* Bounded: a test that failed early may have left an adapter running. */
  for (i = 0; i < 100 && uv_run(&loop, UV_RUN_NOWAIT); i++)
    usleep(10000);
  if (uv_loop_close(&loop) != 0) {
    fprintf(stderr, "loop has open handles: adapter leaked a handle\n");
    rc = 1;
  }
  return rc;
}
