/* Fixture of the libuv adapter suites over loopback, unprivileged
 * (uv_loop, uv_responder, uv_config, uv_scale). Adapters bind 127.0.0.1 / 127.0.0.2; wires
 * (scripted peers, spoofed sources, relays) are plain UDP sockets on
 * 127.0.0.3 and up (all of 127/8 is local on Linux), sending with TTL 255
 * (RFC 5881 §5). Single-hop listeners use base_port, wires base_port + 1,
 * multihop listeners base_port + 2. */
#ifndef BFD_UV_FX_H
#define BFD_UV_FX_H

#include <bfd/bfd_uv.h>

#include <netinet/in.h>

#include "bfd_test_util.h"

extern uv_loop_t loop;
extern uint16_t base_port;
extern bfd_auth_key auth_key; /* Keyed SHA1, or Simple Password without crypto */

/* Sets up the loop, the ports and auth_key, runs the suite, checks that no
 * handle leaked; returns the exit code. */
int fx_run_suite(const char *name, CU_TestInfo *tests);

/* ---- the loop ------------------------------------------------------------ */

typedef int (*cond_fn)(void *ctx);
/* Run the loop until cond(ctx) holds (NULL: never) or `ms` passes. */
int run_until(cond_fn cond, void *ctx, uint64_t ms);
void run_for(uint64_t ms);

/* ---- wires: scripted peers, spoofed sources, relays --------------------- */

#define WIRE_LOG 64

typedef struct wire_pkt {
  bfd_ctrl_pkt pkt;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  size_t len;
  uint64_t at;
} wire_pkt;

typedef struct wire wire;
struct wire {
  const char *name;
  int fd;
  uv_poll_t poll;
  int polling;
  /* relay: forward what arrives to `fwd_dst` through `fwd`'s socket */
  wire *fwd;
  struct sockaddr_in fwd_dst;
  int drop_admin_down;   /* drop this many AdminDown packets, then forward */
  unsigned n_admin_down; /* AdminDown packets seen (dropped or not) */
  wire_pkt log[WIRE_LOG];
  unsigned n; /* packets received (the first WIRE_LOG are logged) */
};

struct sockaddr_in sin_of(const char *addr, uint16_t port);
void wire_open(wire *w, const char *name, const char *addr, uint16_t port);
void wire_close(wire *w);
/* A control packet from `w` to addr:port. */
void wire_send(wire *w, const char *addr, uint16_t port, const bfd_ctrl_pkt *pkt);
bfd_ctrl_pkt ctrl(uint8_t state, uint32_t my_discr, uint8_t mult, uint32_t tx_us, uint32_t rx_us);
/* Does a passive standalone session with auth_key accept this packet? */
int verify(const wire_pkt *e);

/* ---- sides: an adapter and what its callbacks saw ------------------------ */

typedef struct side {
  const char *name;
  bfd_uv *a;
  bfd_session *s;
  uint8_t state;
  bfd_state_event last_ev;
  uint64_t last_ev_at; /* uv_hrtime() when last_ev was delivered */
  unsigned nh_events, nh_down_failure;
  int nh_last_action; /* the last nexthop event's action, -1 = none */
  unsigned n_created, n_deleted, n_vetoed, n_params, n_auth_failures;
  int veto;
  int errors;
  int closed;
} side;

/* The fixture's adapter settings: the ports above, no auto_listen,
 * responder mode with `max_auto` slots (100 ms x 3, auth_key if `auth`). */
bfd_uv_settings side_settings(uint32_t max_auto, int auth);
/* An adapter with `st` and every callback recorded in `x`; no listener. */
void side_new(side *x, const char *name, const bfd_uv_settings *st);
/* side_new() with side_settings(max_auto, auth), listening on
 * `addr`:base_port. */
void side_open(side *x, const char *name, const char *addr, uint32_t max_auto, int auth);
void side_close(side *x);
/* The side's state_change (user_data: the side) and closed callbacks. */
int on_state(bfd_session *s, const bfd_state_event *ev, void *ud);
void on_closed(bfd_uv *a, void *ud);
/* A peer config from `local` to `peer`:port, 100 ms x 3. */
void peer_cfg(bfd_uv_peer_config *c, const char *local, const char *peer, uint16_t port);
/* A ring of one key, which signs. */
void set_key(bfd_uv_peer_config *c, const bfd_auth_key *k);
size_t table_size(const side *x);
int is_closed(void *ctx);
int is_up(void *ctx);
int is_down(void *ctx);
int table_empty(void *ctx);

/* Run the loop until both are Up or `ms` passes; 1 if they are. */
int up_within(side *x, side *y, uint64_t ms);
/* Two adapters Up with each other, 100 ms x 3 (X 127.0.0.1, Y 127.0.0.2),
 * both with the one-key ring `key` (NULL: no authentication). */
void up_pair(side *x, side *y, const bfd_auth_key *key);
/* X on 127.0.0.1 named `name`, a wire at 127.0.0.3 (base_port + 1), and
 * `c` a peer config from X to the wire. */
void side_to_wire(side *x, const char *name, wire *w, bfd_uv_peer_config *c);
/* A listener of `mode` on `addr` (the mode's port from side_open()). */
void side_listen(side *x, uint8_t mode, const char *addr);

#endif
