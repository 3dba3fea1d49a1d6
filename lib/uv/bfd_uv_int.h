/* Private header of the libuv adapter (lib/uv), shared by its four files:
 *   bfd_uv.c       lifecycle (new, del, shutdown), the timer, the dispatch
 *                  after every wake-up, error reports;
 *   bfd_uv_rx.c    the receive path: listeners, recvmmsg, bfd_rx_info;
 *   bfd_uv_peer.c  peers and transmit: bfd_uv_peer_*, TX sockets, the
 *                  core's lifecycle events, responder mode;
 *   bfd_uv_sock.c  sockets: address conversion, socket setup, cmsg parsing
 *                  (no libuv calls, unit-tested on its own).
 * Names: what one file offers the others is bfd_uv__* (BFD_UV__* for
 * macros); helpers inside a file are plain static names. Only the public
 * core API (bfd/bfd.h) is used: the adapter is a host like any other. */
#ifndef BFD_UV_INT_H
#define BFD_UV_INT_H

#include <net/if.h>
#include <stdint.h>
#include <sys/socket.h>

#include <bfd/bfd.h>
#include <bfd/bfd_uv.h>

#define BFD_UV__RX_BATCH_MAX 64
#define BFD_UV__RX_BUF       256 /* BFD packets are <= 52 bytes; padding allowed */
#define BFD_UV__RX_CTRL      128
#define BFD_UV__RX_ROUNDS    8 /* recvmmsg batches per wake-up before yielding */
#define BFD_UV__TX_PORTS_MAX 16384 /* RFC 5881 §4: 49152-65535 */
/* A deadline overdue by more than this (the timer's own slack: rounding up
 * to the ms, the loop's ms clock) is a long wake-up: read the listeners
 * first (bfd_uv__rx_catch_up), at most this many batches each. */
#define BFD_UV__LATE_NS          (2 * BFD_MILLISECONDS)
#define BFD_UV__CATCH_UP_ROUNDS  64
/* IP_PKTINFO / IPV6_PKTINFO of one packet, the larger of the two */
#define BFD_UV__TX_CTRL 40

/* bfd_uv_settings.rx_rcvbuf 0 (auto): the listeners' buffer holds this
 * long of the sessions' fastest receive rate, so a loop stalled a few
 * hundred ms on a busy host loses nothing (docs/performance.md measured
 * stalls of 120-280 ms at 5,000-20,000 sessions)... */
#define BFD_UV__RCVBUF_HOLD_MS  250
/* ...at this much of the kernel's accounting per datagram: a 24-52 byte
 * BFD packet costs its skb's truesize, ~800-1300 bytes (832 on
 * loopback). */
#define BFD_UV__RCVBUF_TRUESIZE 1024
/* At most a buffer of 64 MiB as the kernel counts it (32 MiB asked, the
 * kernel doubles it): 256k datagrams/s for 250 ms, and a bound on what one
 * listener can pin. */
#define BFD_UV__RCVBUF_AUTO_MAX (64u << 20)
/* Grow only for a target this much (1/4) above what the listeners have:
 * a few setsockopt calls over a host's life, not one per added session. */
#define BFD_UV__RCVBUF_STEP_DIV 4

typedef struct bfd_uv__listener {
  uv_poll_t poll;
  bfd_uv *a;
  int fd;
  uint8_t mode;
  uint16_t port;
  bfd_uv_addr addr;
  uint32_t ovfl;   /* the last SO_RXQ_OVFL count seen */
  struct bfd_uv__listener *next;  /* all of them (a->listeners) */
  struct bfd_uv__listener *hnext; /* its bucket of a->lhash */
} bfd_uv__listener;

/* BFD_UV_TX_SHARED: one socket of a family's pool, bound to the wildcard
 * address and `port`; `users` sessions send through it. */
typedef struct bfd_uv__txsock {
  int fd;
  uint16_t port;
  uint32_t users;
} bfd_uv__txsock;

typedef struct bfd_uv__txpool {
  bfd_uv__txsock *socks; /* tx_ports entries, the first `n` open */
  uint32_t n;
  uint32_t idle; /* open ones with no user */
} bfd_uv__txpool;

typedef struct bfd_uv__peer {
  bfd_uv *a;
  bfd_session *s;
  void *user_data;
  struct bfd_uv__peer *prev, *next;
  int fd;              /* the socket sent on: its own, or tx->fd */
  bfd_uv__txsock *tx;  /* BFD_UV_TX_SHARED: the pool's socket, else NULL */
  uint8_t ctl[BFD_UV__TX_CTRL] __attribute__((aligned(8))); /* source, interface */
  size_t ctllen;       /* 0: no control message (per-session, or nothing to name) */
  uint16_t src_port;
  uint16_t peer_port;
  uint8_t auto_created;
  uint8_t mode;
  uint8_t tx_failing; /* report the first failure of a run only */
  uint8_t goodbye;    /* removed: the core says goodbye; freed on REMOVED */
  uint32_t rx_mpps;   /* its share of a->rx_mpps (bfd_uv__rx_mpps()) */
  uint32_t ifindex;
  char ifname[IF_NAMESIZE];
  bfd_uv_addr peer, local;
  struct sockaddr_storage dst;
  socklen_t dstlen;
  uint64_t tx_packets, tx_errors;
} bfd_uv__peer;

struct bfd_uv {
  uv_loop_t *loop;
  const bfd_mem *mem;
  void *user_data;
  bfd_uv_settings settings;
  bfd_callbacks host_cbs;
  bfd_uv_callbacks uv_cbs;
  bfd_table *table;
  uv_timer_t timer;
  uint64_t armed_ms; /* UINT64_MAX: not armed */
  uint64_t armed_deadline; /* the table's next deadline; BFD_TSTAMP_NONE: none */
  bfd_uv__listener *listeners;
  /* per-address lookup: (family, mode, address, scope) -> listener, in
   * O(1) (a host with one listener per address opens thousands) */
  bfd_uv__listener **lhash;
  uint32_t lhash_size; /* buckets, a power of 2; 0 before the first */
  bfd_uv__listener *first_of[2][2]; /* [family IPv6][mode]: any one */
  int catch_epfd; /* epoll set of the listeners for the catch-up; -2: not
                     yet, -1: none (the catch-up walks them all) */
  bfd_uv__peer *peers;
  bfd_uv__txpool txpool[2]; /* BFD_UV_TX_SHARED: IPv4, IPv6 */
  uint32_t n_goodbye; /* peers saying goodbye (removed, or shutdown) */
  uint16_t port_cursor;
  /* The sessions' fastest receive rate in milli-packets/s (the sum of
   * bfd_uv__rx_mpps(); < 2^62 for any number of sessions memory holds),
   * and rx_rcvbuf 0 (auto): the kernel's default buffer read back from the
   * first listener (0: none yet) and the value last asked of setsockopt
   * (0: none; the kernel has twice it, or rmem_max's cap). */
  uint64_t rx_mpps;
  uint32_t rcvbuf_dflt, rcvbuf_ask;
  int last_errno;    /* bfd_uv_last_errno() */
  int busy;          /* inside a core call: reject re-entry */
  int closing;       /* bfd_uv_del() / _shutdown(): goodbyes may still run */
  int finished;      /* the table is gone, the handles are closing */
  int del_requested; /* asked from a callback: bfd_uv__do_del() when it ends */
  int del_graceful;  /* ...as bfd_uv_shutdown() */
  unsigned pending_close;
  bfd_uv_closed_cb closed_cb;
  bfd_uv_stats stats;
  uint64_t rx_drops_new, tx_blocked_new; /* not yet told to the table */
  struct mmsghdr msgs[BFD_UV__RX_BATCH_MAX];
  struct iovec iov[BFD_UV__RX_BATCH_MAX];
  struct sockaddr_storage names[BFD_UV__RX_BATCH_MAX];
  uint8_t bufs[BFD_UV__RX_BATCH_MAX][BFD_UV__RX_BUF];
  uint8_t ctrl[BFD_UV__RX_BATCH_MAX][BFD_UV__RX_CTRL] __attribute__((aligned(8)));
};

/* bfd_uv_peer_config version 1 (0.1.0), still accepted: bfd_uv_peer.c
 * translates it. Frozen, like every published layout. */
typedef struct bfd_uv__peer_config_v1 {
  uint32_t struct_version; /* 1 */
  uint32_t local_discr;
  bfd_uv_addr peer;
  bfd_uv_addr local;
  char ifname[16];
  uint32_t desired_min_tx_us;
  uint32_t required_min_rx_us;
  uint8_t detect_mult;
  uint8_t mode;
  uint8_t passive;
  uint8_t admin_down;
  uint8_t nexthop_policy;
  uint8_t min_rx_ttl;
  uint16_t peer_port;
  bfd_auth_key auth_key;
} bfd_uv__peer_config_v1;

static inline void *bfd_uv__calloc(const bfd_uv *a, size_t n) {
  return a->mem->calloc(1, n, a->mem->user_data);
}
static inline void bfd_uv__free(const bfd_uv *a, void *p) { a->mem->free(p, a->mem->user_data); }

/* ---- bfd_uv.c ------------------------------------------------------------ */

/* The error callback, if any. */
void bfd_uv__report(bfd_uv *a, int code, int sys_errno, const char *msg);
/* A failed core call: "op: strerror" with the core's code. */
void bfd_uv__report_core(bfd_uv *a, const char *op, int rc);
/* bfd_uv__sock_reporter.fn for an adapter (ctx): the error callback, and
 * the errno for bfd_uv_last_errno(). */
void bfd_uv__sock_report(void *ctx, int code, int sys_errno, const char *msg);
/* After every RX batch, timer fire and API change: expire, send what is
 * due, re-arm; then a deferred bfd_uv_del(), or the end of the last
 * goodbye after one. */
void bfd_uv__service(bfd_uv *a, uint64_t now);
/* bfd_uv_del() (graceful 0) or bfd_uv_shutdown() (graceful 1), now. */
void bfd_uv__do_del(bfd_uv *a, int graceful);

/* ---- bfd_uv_rx.c --------------------------------------------------------- */

/* The listening port of `mode` (bfd_uv_settings or the RFC's). */
uint16_t bfd_uv__listen_port(const bfd_uv *a, uint8_t mode);
/* Read the listeners with data (a->catch_epfd says which, else all)
 * before acting on overdue deadlines (a long wake-up); counted in
 * stats.catch_ups / rx_catch_up. */
void bfd_uv__rx_catch_up(bfd_uv *a, uint64_t now);
/* A listener for (family, mode) on `addr`; any address if NULL. O(1). */
bfd_uv__listener *bfd_uv__find_listener(const bfd_uv *a, uint8_t family, uint8_t mode,
                                        const bfd_uv_addr *addr);
/* The lookup's memory (the listeners themselves close with their
 * handles). */
void bfd_uv__listeners_free(bfd_uv *a);
/* rx_rcvbuf 0 (auto): grow every listener's receive buffer to hold
 * BFD_UV__RCVBUF_HOLD_MS of a->rx_mpps, when that is a step above what
 * they have (never shrinks; a failed setsockopt is ignored). */
void bfd_uv__rcvbuf_grow(bfd_uv *a);

/* The fastest rate a peer may send us at, in milli-packets/s: 1e9 /
 * Required Min RX (0 for 0). At most 1e9. */
static inline uint32_t bfd_uv__rx_mpps(uint32_t required_min_rx_us) {
  return required_min_rx_us ? 1000000000u / required_min_rx_us : 0;
}

/* ---- bfd_uv_peer.c ------------------------------------------------------- */

/* Send every packet the table has due now. */
void bfd_uv__drain(bfd_uv *a, uint64_t now);
/* Delete a session at once, without a word to the peer, and its peer. */
void bfd_uv__peer_del_silent(bfd_uv__peer *p);
/* Removed: the host's pointer dropped, freed on the core's REMOVED. */
void bfd_uv__peer_mark_goodbye(bfd_uv__peer *p);
/* The core's session and responder_accept callbacks. */
int bfd_uv__on_session(bfd_session *s, const bfd_session_event *ev, void *ud);
int bfd_uv__on_accept(bfd_table *t, const bfd_rx_info *rx, void *ud);
/* bfd_uv_settings.auto_* as the table's responder mode. */
int bfd_uv__auto_responder(bfd_uv *a);
/* Close the BFD_UV_TX_SHARED pools (the adapter is finishing). */
void bfd_uv__tx_pool_free(bfd_uv *a);

/* ---- bfd_uv_sock.c ------------------------------------------------------- */

/* Called for every failed socket call: its code (bfd_uv__sock_err(), or
 * BFD_UV_ERR_NO_PORT), errno and a line with the operation, the address
 * and strerror(). */
typedef void (*bfd_uv__sock_report_fn)(void *ctx, int code, int sys_errno, const char *msg);

typedef struct bfd_uv__sock_reporter {
  bfd_uv__sock_report_fn fn;
  void *ctx;
} bfd_uv__sock_reporter;

/* The code of a failed socket call's errno: BFD_UV_ERR_ADDR_NOT_AVAIL,
 * BFD_UV_ERR_ADDR_IN_USE, BFD_UV_ERR_FD_LIMIT, else BFD_ERR_IO. */
int bfd_uv__sock_err(int err);

/* bfd_uv_addr + port -> sockaddr. Returns 0 or BFD_ERR_CFG_KEY. */
int bfd_uv__sock_to_sockaddr(const bfd_uv_addr *addr, uint16_t port, struct sockaddr_storage *ss,
                             socklen_t *sslen);
/* sockaddr -> bfd_uv_addr + port. Returns 0 or BFD_ERR_CFG_KEY. */
int bfd_uv__sock_from_sockaddr(const struct sockaddr *sa, bfd_uv_addr *addr, uint16_t *port);
/* 1 if every byte of the family's address is zero (the wildcard). */
int bfd_uv__addr_is_any(const bfd_uv_addr *addr);

/* Parse IP_TTL/IP_PKTINFO or IPV6_HOPLIMIT/IPV6_PKTINFO control messages
 * into rx->ttl, rx->local, rx->ifindex and rx->flags. */
void bfd_uv__sock_parse_cmsg(struct msghdr *msg, bfd_rx_info *rx);

/* The listener's SO_RXQ_OVFL count (drops since it was opened), if the
 * datagram carries it: 1 and *count, else 0 (no drop yet). */
int bfd_uv__sock_rxq_ovfl(struct msghdr *msg, uint32_t *count);

/* SO_RCVBUFFORCE (past net.core.rmem_max, CAP_NET_ADMIN), else
 * SO_RCVBUF (capped at rmem_max by the kernel). 0, or -1 and errno. */
int bfd_uv__sock_set_rcvbuf(int fd, uint32_t bytes);
/* getsockopt SO_RCVBUF: the kernel's buffer (twice a value set, the
 * default as it is); 0 on failure. */
uint32_t bfd_uv__sock_get_rcvbuf(int fd);

/* 1 if a failed send's errno is back-pressure (send buffer or device
 * queue full: EAGAIN, EWOULDBLOCK, ENOBUFS). */
int bfd_uv__sock_tx_blocked(int err);

/* Listening socket: non-blocking, IPV6_V6ONLY, RECVTTL/HOPLIMIT, PKTINFO
 * and SO_RXQ_OVFL on, SO_RCVBUF `rcvbuf` (0: the kernel's), bound to
 * (addr, port). Returns the fd, BFD_ERR_CFG_KEY (the
 * family) or the code of the failed call (reported). */
int bfd_uv__sock_open_listener(const bfd_uv_addr *addr, uint16_t port, uint32_t rcvbuf,
                               const bfd_uv__sock_reporter *rep);

/* TX socket: non-blocking, TTL/Hop Limit 255, TOS/TCLASS CS6, optional
 * SO_BINDTODEVICE ("" = none), bound to `local` (may be the wildcard: the
 * shared pools' sockets) and a source port
 * from 49152-65535 starting at *cursor (advanced past the port taken; the
 * next port is tried on EADDRINUSE). Returns the fd and the port in *port,
 * or the code of the failed call (BFD_UV_ERR_NO_PORT when every port is
 * taken; reported). */
int bfd_uv__sock_open_tx(const bfd_uv_addr *local, const char *ifname, uint16_t *cursor,
                         uint16_t *port, const bfd_uv__sock_reporter *rep);

/* Can `local` be a source address here? bind() of a throw-away socket to
 * (local, port 0). Returns 0 or the code of the failed call (reported;
 * BFD_UV_ERR_ADDR_NOT_AVAIL when it is not ours). */
int bfd_uv__sock_probe_local(const bfd_uv_addr *local, const bfd_uv__sock_reporter *rep);

/* The IP_PKTINFO / IPV6_PKTINFO control message naming the source address
 * `local` (the wildcard: the kernel's choice) and the interface `ifindex`
 * (0: the route's) in `buf` (BFD_UV__TX_CTRL bytes, 8-aligned). Returns its
 * length, 0 when there is nothing to name. */
size_t bfd_uv__sock_pktinfo(uint8_t *buf, const bfd_uv_addr *local, uint32_t ifindex);

#define BFD_UV__TTL     255
#define BFD_UV__TOS_CS6 0xc0

#endif
