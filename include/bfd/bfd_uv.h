/**
 * @file bfd_uv.h
 * @brief bfdkit-uv: drives a bfdkit session table over real UDP sockets on a
 * caller's libuv loop (RFC 5881 single-hop, RFC 5883 multihop, IPv4/IPv6).
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 *
 * Linux only (recvmmsg, IP_PKTINFO, SO_BINDTODEVICE). libuv >= 1.44.
 * Link with `bfdkit-uv`; see also docs/guide.md, "The libuv adapter".
 *
 * @par Sockets
 * - RX: one listening socket per (address family, mode, bound address),
 *   never one per session, read through uv_poll_t with recvmmsg() batches;
 *   SO_RCVBUF from bfd_uv_settings.rx_rcvbuf (by default sized for the
 *   sessions' receive rate), kernel drops counted through SO_RXQ_OVFL
 *   (bfd_uv_stats.rx_kernel_drops).
 *   TTL / Hop Limit, destination address and arrival interface come from
 *   IP_RECVTTL / IPV6_RECVHOPLIMIT and IP_PKTINFO / IPV6_RECVPKTINFO.
 *   Single-hop datagrams that did not arrive with TTL 255 are dropped before
 *   the core (RFC 5881 §5).
 * - TX (bfd_uv_settings.tx_sockets): by default one socket per session,
 *   bound to the session's local address (or the wildcard) and a source
 *   port in 49152-65535 that is unique per session (RFC 5881 §4), with
 *   SO_BINDTODEVICE for an interface. With BFD_UV_TX_SHARED, a pool of at
 *   most bfd_uv_settings.tx_ports sockets per address family, each bound to
 *   the wildcard address and its own source port: a session keeps one of
 *   them (its port) for its life, and every packet names its source address
 *   and interface in IP_PKTINFO / IPV6_PKTINFO. Sessions get ports of their
 *   own while the pool has room and then share the least used, so a port
 *   is reused only past tx_ports sessions (§4 allows it past 16384; below,
 *   the host chose it). Either way TTL / Hop Limit 255 and DSCP CS6 are set
 *   once per socket, TX sockets are never polled (an idle session costs no
 *   wake-ups), and a failed send is counted and dropped, never queued: the
 *   next packet is the retry.
 * - Timers: one uv_timer_t armed for the table's next deadline, rounded up
 *   to the loop's millisecond clock so it never fires early. libuv runs
 *   timers before it polls for I/O: after a wake-up more than 2 ms past the
 *   deadline (a blocked loop, an overloaded host) the adapter first reads
 *   every listener that has data until empty (non-blocking recvmmsg; one
 *   epoll_wait() on an epoll set of the listeners, one more fd, finds
 *   them, however many listeners there are), then feeds the time, so a
 *   packet that arrived before the Detection Time ran out keeps its session
 *   Up (bfd_uv_stats.catch_ups, rx_catch_up).
 *
 * @par Time
 * The adapter feeds the core uv_hrtime() nanoseconds; event `ts` and
 * status timestamps are in that base.
 *
 * @par Threading
 * An adapter is not thread-safe. Call every function that takes an adapter,
 * and every bfd_session_* / bfd_table_* function on its table and sessions,
 * on the thread that runs its loop; every callback runs on that thread too.
 * Only bfd_uv_addr_parse(), bfd_uv_addr_format() and the *_init() functions
 * touch no adapter and may be called from any thread.
 *
 * @par Callbacks and re-entrancy
 * The core's callbacks (bfd_callbacks) and the adapter's (bfd_uv_callbacks)
 * run synchronously inside the adapter's loop callbacks and inside the
 * bfd_uv_peer_* calls; new_peer, peer_created and peer_deleted run inside
 * core callbacks (the table's responder_accept and session events). From
 * inside any of them, bfd_uv_peer_add(), bfd_uv_peer_update(),
 * bfd_uv_peer_remove() and bfd_uv_set_responder() return
 * BFD_ERR_INVALID_ARGUMENT and change nothing; do not call them from the
 * error callback either (it is not always guarded). To act on an event,
 * record it and defer the call with a uv_idle_t or a 0 ms uv_timer_t.
 * bfd_uv_del() and bfd_uv_shutdown() from inside a callback are deferred
 * instead (see there). The core's own rule holds as well: no feed, poll,
 * update, add, delete or key change on the table or its sessions from a
 * callback; the const getters are fine.
 *
 * @par Responder mode
 * The table's (bfd_table_set_responder(), see bfd_responder_settings in
 * bfd.h), switched on by bfd_uv_set_responder(), or by its shorthand
 * bfd_uv_settings.max_auto_sessions > 0: a packet from an unknown peer that could start a
 * session (it decodes, Your Discriminator 0, State Down, the A bit as
 * configured, every RFC 5880 §6.8.6 check passed, authentication
 * included), while fewer than the maximum of responder sessions exist and
 * unless bfd_uv_callbacks.new_peer vetoes it, becomes a passive session
 * for its sender; the adapter opens its TX socket and calls
 * bfd_uv_callbacks.peer_created, then the packet is applied. A packet with
 * State AdminDown never creates one (a peer in AdminDown asks for no
 * session, §6.8.16). A packet that fails a check creates nothing at all,
 * so spoofed packets cannot hold the slots: the core frees a responder
 * session (RFC 5880 §6.8.18)
 * - once it is Down and a Detection Time has passed without packets (the
 *   remote forgotten, §6.8.1): after a detection timeout, or after the
 *   peer's AdminDown or Down when the peer then stays silent (it may also
 *   come back Up), and
 * - when it is not Up and the responder's hold (by default the template's
 *   Detection Time with the one-second floor, Detect Mult x max(Required
 *   Min RX, 1 s)) has passed without packets, whatever Detection Time the
 *   peer asked for: a spoofed source never completes the handshake.
 *
 * Then bfd_uv_callbacks.peer_deleted is called (after the session's
 * clearing nexthop event, if one was due) and the TX socket closed. A
 * responder session in AdminDown (bfd_uv_peer_update()) is never reaped.
 * Sessions added with bfd_uv_peer_add() are only deleted by
 * bfd_uv_peer_remove(), bfd_uv_del() and bfd_uv_shutdown().
 *
 * @par Removal
 * bfd_uv_peer_remove() and bfd_uv_shutdown() use the core's goodbye
 * (bfd_session_goodbye()): the session goes AdminDown (diag 7) and keeps
 * sending AdminDown packets, built and signed by the core at the rate the
 * RFC allows (at least one second, §6.8.3), for the peer's Detection Time
 * of us or until the peer shows it is no longer Up (§6.8.16; RFC 5882 §3.2:
 * AdminDown is not a path failure). The adapter keeps the session's TX
 * socket until then. A session the peer cannot mistake for a failure
 * (the peer not Up, or never heard) sends one AdminDown packet and goes at
 * the adapter's next wake-up (at once); a passive session that never heard
 * its peer sends nothing (§6.8.7) and goes before the call returns. The
 * adapter adds nothing of its own: bfd_uv_shutdown() is
 * bfd_table_goodbye_all(), as on any other host.
 *
 * @since 0.1.0
 */
#ifndef BFD_BFD_UV_H
#define BFD_BFD_UV_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include <bfd/bfd.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @def BFD_UV_EXTERN
 * Export macro of bfdkit-uv: visibility("default") while building the
 * shared library (BUILDING_BFDKIT_UV with a GNU-compatible compiler),
 * nothing for static builds (BFD_STATICLIB) and for consumers.
 * @since 0.1.0
 */
#if defined(BFD_STATICLIB)
#  define BFD_UV_EXTERN
#elif defined(BUILDING_BFDKIT_UV) && defined(__GNUC__)
#  define BFD_UV_EXTERN __attribute__((visibility("default")))
#else
#  define BFD_UV_EXTERN
#endif

/**
 * Adapter error codes: socket set-up failures a host can act on, where
 * the adapter used to say BFD_ERR_IO. In the errors' band
 * (bfd_error_code, -200..-299), at its end: -290..-299 belong to the
 * adapters (the core defines none there). bfd_uv_strerror() describes
 * them and every core code; bfd_strerror() says "(unknown)" for them.
 * The errno of the failure is bfd_uv_last_errno(). Other socket failures
 * stay BFD_ERR_IO.
 * @since 0.2.0
 */
enum {
  /** EADDRNOTAVAIL: the local address is not one of this host's (bind). */
  BFD_UV_ERR_ADDR_NOT_AVAIL = -290,
  /** EADDRINUSE: another socket holds the address and port (a listener
   *  beside another BFD daemon on the same port). */
  BFD_UV_ERR_ADDR_IN_USE = -291,
  /** EMFILE / ENFILE: the process's RLIMIT_NOFILE or the system's file
   *  table is full (one socket per session: see BFD_UV_TX_SHARED). */
  BFD_UV_ERR_FD_LIMIT = -292,
  /** Every source port of 49152-65535 is taken for the address (RFC 5881
   *  §4); errno EADDRINUSE. */
  BFD_UV_ERR_NO_PORT = -293
};

/**
 * @brief A static description of any error code: the BFD_UV_ERR_* codes
 * here, every other code as bfd_strerror() has it.
 * @param code any value.
 * @return never NULL; "(unknown)" for unknown codes.
 * @since 0.2.0
 */
BFD_UV_EXTERN const char *bfd_uv_strerror(int code);

/** An adapter: one session table, its sockets and its timer on one loop.
 *  Created by bfd_uv_new(), destroyed by bfd_uv_del().
 *  @since 0.1.0 */
typedef struct bfd_uv bfd_uv;

/**
 * An address in FFI-friendly form. An all-zero `addr` is the family's
 * wildcard ("any"). `ifindex` is the scope of an IPv6 link-local address
 * (0 = none). Parse text with bfd_uv_addr_parse().
 * @since 0.1.0
 */
typedef struct bfd_uv_addr {
  uint8_t family; /**< BFD_AF_INET / BFD_AF_INET6 */
  uint8_t pad[3]; /**< explicit padding, 0 */
  /** IPv6 scope / interface index, 0 = none. In bfd_uv_peer_config.peer
   *  it is also the session's interface when `ifname` is empty. */
  uint32_t ifindex;
  uint8_t addr[16]; /**< network order; IPv4 in the first 4 bytes */
} bfd_uv_addr;

/**
 * @brief Parse "192.0.2.1", "2001:db8::1" or "fe80::1%eth0" (the zone sets
 * `ifindex` through if_nametoindex(), or is a decimal number > 0; it is
 * accepted on any IPv6 address, never on IPv4).
 * @param out  out: the address; zeroed first, also on failure (unless
 *             `out` or `text` is NULL or `text` is too long).
 * @param text the NUL-terminated text, at most 63 characters.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT `out` or `text` NULL, `text` too long,
 *         not an IPv4 or IPv6 address, or an unknown interface / 0 zone.
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_addr_parse(bfd_uv_addr *out, const char *text);

/**
 * @brief Format an address as text ("192.0.2.1", "2001:db8::1", and
 * "fe80::1%3" when an IPv6 address has a scope; an IPv4 `ifindex` is not
 * shown). A 64-byte buffer is always enough.
 * @param buf    out: the NUL-terminated text; untouched on failure.
 * @param buflen size of `buf`.
 * @param addr   the address.
 * @return the length written (excluding the NUL), or:
 * @retval BFD_ERR_INVALID_ARGUMENT `buf` or `addr` NULL.
 * @retval BFD_ERR_CFG_KEY `addr->family` is neither BFD_AF_INET nor
 *         BFD_AF_INET6 (the code of an unknown family in every function;
 *         BFD_ERR_INVALID_ARGUMENT before 0.2.0).
 * @retval BFD_ERR_NOBUF `buflen` is too small for the text and its NUL.
 * @since 0.1.0
 */
BFD_UV_EXTERN ptrdiff_t bfd_uv_addr_format(char *buf, size_t buflen, const bfd_uv_addr *addr);

/** The current bfd_uv_settings layout (2 since 0.2.0: tx_sockets,
 *  tx_ports). Version 1 is still accepted. @since 0.1.0 */
#define BFD_UV_SETTINGS_VERSION 2

/** bfd_uv_settings.tx_sockets: how sessions get their TX socket.
 *  @since 0.2.0 */
enum {
  /** One socket per session (the default): bound to the session's local
   *  address and a unique source port, SO_BINDTODEVICE for its interface.
   *  One file descriptor per session: RLIMIT_NOFILE bounds the sessions. */
  BFD_UV_TX_PER_SESSION = 0,
  /** A pool per address family of at most bfd_uv_settings.tx_ports
   *  sockets bound to the wildcard address, each with its own source port;
   *  the source address and interface go with every packet (IP_PKTINFO /
   *  IPV6_PKTINFO). The fds do not grow with the sessions. A session's
   *  local address is checked when it is added (a bind() of a throw-away
   *  socket), its interface only routes (the packet leaves through it, as
   *  with SO_BINDTODEVICE; for a VRF, use per-session sockets). */
  BFD_UV_TX_SHARED = 1
};

/**
 * Adapter settings. Fill with bfd_uv_settings_init(); fields are only
 * appended.
 * @since 0.1.0
 */
typedef struct bfd_uv_settings {
  uint32_t struct_version; /**< BFD_UV_SETTINGS_VERSION */
  /** Responder mode (see "Responder mode" in bfd_uv.h) in short: the
   *  auto_* fields are a shorthand for bfd_uv_set_responder() from
   *  bfd_uv_new(), with bfd_responder_settings_init() for everything they
   *  do not name. This is the largest number of passive sessions the table
   *  creates by itself for unknown peers, on every listener
   *  (bfd_responder_settings.max_sessions; each can be vetoed by
   *  bfd_uv_callbacks.new_peer). 0 = off (default): such packets are
   *  dropped as BFD_ERR_PKT_NO_SESSION. For a key ring, a minimum TTL or
   *  another hold, call bfd_uv_set_responder() instead. */
  uint32_t max_auto_sessions;
  /** The template's Desired Min TX in microseconds
   *  (bfd_responder_settings.session); default that of
   *  bfd_responder_settings_init(). Checked by bfd_uv_new() when
   *  max_auto_sessions > 0. */
  uint32_t auto_desired_min_tx_us;
  /** The template's Required Min RX in microseconds; default and check as
   *  auto_desired_min_tx_us. */
  uint32_t auto_required_min_rx_us;
  /** The template's Detect Mult; default and check as
   *  auto_desired_min_tx_us. Everything else is
   *  bfd_responder_settings_init()'s: passive, nexthop policy
   *  BFD_NHS_AFTER_UP (a peer the host did not configure never holds a
   *  nexthop down), the default hold. */
  uint8_t auto_detect_mult;
  /** 1 (default): when a peer is added and no listener exists for its
   *  (family, mode), open one on the wildcard address. 0: only the
   *  listeners opened with bfd_uv_listen() receive (two daemons sharing a
   *  host each bind their own addresses). Other values: bfd_uv_new()
   *  returns BFD_ERR_INVALID_ARGUMENT. */
  uint8_t auto_listen;
  /** Single-hop listening port; 0 (default) = 3784 (RFC 5881 §4). Other
   *  values are for tests and unprivileged experiments. Responder sessions
   *  also send to this port; bfd_uv_peer_config.peer_port does not follow
   *  it. */
  uint16_t port_single_hop;
  /** Multihop listening port; 0 (default) = 4784 (RFC 5883 §5); as
   *  port_single_hop. */
  uint16_t port_multihop;
  /** recvmmsg batch size, 1..64 (bfd_uv_new() returns
   *  BFD_ERR_INVALID_ARGUMENT otherwise); default 32. At most 8 batches are
   *  read per wake-up before the loop runs other handles. */
  uint16_t rx_batch;
  uint16_t reserved0; /**< 0 */
  /** Authentication for responder sessions (type BFD_AUTH_NONE = none,
   *  the default): the responder's one key, also its transmit key; checked
   *  like a key of bfd_uv_peer_config.keys, by bfd_uv_new(). For a ring of
   *  several keys use bfd_uv_set_responder(). */
  bfd_auth_key auto_auth_key;
  /** Version 2: BFD_UV_TX_PER_SESSION (default) or BFD_UV_TX_SHARED (see
   *  there); other values: bfd_uv_new() returns BFD_ERR_INVALID_ARGUMENT. */
  uint8_t tx_sockets;
  uint8_t reserved1; /**< Version 2: 0 */
  /** Version 2, BFD_UV_TX_SHARED: the most sockets (source ports) per
   *  address family, 1..16384 (bfd_uv_new() returns
   *  BFD_ERR_INVALID_ARGUMENT otherwise); default 256. Opened as sessions
   *  need them and kept until bfd_uv_del(). Ignored per session. */
  uint16_t tx_ports;
  /** Version 2: the listeners' receive buffer, in bytes as SO_RCVBUF takes
   *  it (the kernel doubles it for its bookkeeping), set on every listener
   *  when it opens; at most INT32_MAX. 0 (default): auto, sized for the
   *  sessions: the kernel's default (net.core.rmem_default) until that is
   *  too small, then grown (never shrunk) on every listener, open or
   *  opened later, to hold 250 ms of the fastest rate the peers may send
   *  (per session 1 / Required Min RX, summed over the sessions; a stalled
   *  loop on a busy host loses nothing) at 1024 bytes of kernel accounting
   *  per datagram, up to a 64 MiB buffer (32 MiB asked); it grows in steps
   *  of 25 % or more, a few setsockopt calls in all, not one per session.
   *  Either way, above net.core.rmem_max it needs CAP_NET_ADMIN
   *  (SO_RCVBUFFORCE, tried first), else the kernel caps it there (in auto
   *  mode that is no error: raise rmem_max for the full size). What was
   *  asked: bfd_uv_stats.rx_rcvbuf_applied. A burst larger than the buffer
   *  is dropped by the kernel: counted in bfd_uv_stats.rx_kernel_drops. */
  uint32_t rx_rcvbuf;
} bfd_uv_settings;

/** @brief Fill `settings` with defaults for the caller's struct version
 *  (only that version's bytes are written).
 *  @param version  BFD_UV_SETTINGS_VERSION, or an older version.
 *  @param settings out.
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `settings` is NULL.
 *  @retval BFD_ERR_VERSION unknown `version`; nothing written.
 *  @since 0.1.0 */
BFD_UV_EXTERN int bfd_uv_settings_init(uint32_t version, bfd_uv_settings *settings);

/** Socket (or other) trouble the adapter cannot return to a caller, or
 *  reports in addition to returning it.
 *  Called for socket, bind and setsockopt failures (the code returned:
 *  BFD_UV_ERR_ADDR_NOT_AVAIL, BFD_UV_ERR_ADDR_IN_USE, BFD_UV_ERR_FD_LIMIT,
 *  BFD_UV_ERR_NO_PORT or BFD_ERR_IO), an unknown
 *  bfd_uv_peer_config.ifname (BFD_ERR_CFG_KEY), the first failed send of a
 *  run of failures for a session (BFD_ERR_IO), and errors of the core calls
 *  the adapter makes on its own (for example BFD_ERR_CALLBACK_FAILURE when a
 *  core callback returned nonzero). Runs inside loop callbacks and inside
 *  bfd_uv_listen() / bfd_uv_peer_* calls, before they return.
 *  @param adapter   the adapter.
 *  @param code      a BFD_ERR_* or BFD_UV_ERR_* (describe it with
 *                   bfd_uv_strerror()).
 *  @param sys_errno the errno (0 if none).
 *  @param msg       a NUL-terminated line naming the operation and, for
 *                   socket errors, the address and strerror(); valid only
 *                   during the call.
 *  @param user_data bfd_uv_new()'s `user_data`.
 *  @since 0.1.0 */
typedef void (*bfd_uv_error_cb)(bfd_uv *adapter, int code, int sys_errno, const char *msg,
                                void *user_data);
/** Responder mode: an unknown peer sent a packet that could start a
 *  session (described by `rx`; it passed every check, see "Responder mode"
 *  in bfd_uv.h). Return 0 to create a passive session for it (keyed by
 *  mode, family, peer, the packet's destination address, and for
 *  single-hop the arrival interface; it replies to the adapter's own
 *  listening port for the mode), nonzero to drop the packet (counted as
 *  BFD_ERR_PKT_NO_SESSION). Only called while fewer than the maximum of
 *  responder sessions exist, and never once bfd_uv_del() or
 *  bfd_uv_shutdown() was called (then the packet is refused). Runs inside
 *  the core's responder_accept callback.
 *  @param adapter   the adapter.
 *  @param rx        what the adapter knows about the datagram (mode,
 *                   family, addresses, ports, TTL, interface); valid only
 *                   during the call.
 *  @param user_data bfd_uv_new()'s `user_data`.
 *  @return 0 to accept the peer, nonzero to drop the packet.
 *  @since 0.1.0 */
typedef int (*bfd_uv_new_peer_cb)(bfd_uv *adapter, const bfd_rx_info *rx, void *user_data);
/** The table created a session on its own (responder mode). Called from
 *  the core's BFD_SESSION_EV_CREATED event: the session is in the table
 *  (its creation nexthop event, if its policy has one, has been delivered)
 *  and has its TX socket; the packet that caused it is applied after this
 *  returns. The core's callback rule applies: getters only (give responder
 *  sessions their key ring with bfd_uv_set_responder(), not from here).
 *  @param adapter   the adapter.
 *  @param session   the new session; bfd_uv_peer_get_user_data() is NULL.
 *  @param user_data bfd_uv_new()'s `user_data`.
 *  @since 0.1.0 */
typedef void (*bfd_uv_peer_created_cb)(bfd_uv *adapter, bfd_session *session, void *user_data);
/** The table is about to free a responder session it reaped (see
 *  "Responder mode" in bfd_uv.h): called from the core's
 *  BFD_SESSION_EV_REMOVED event, after the session's clearing nexthop
 *  event, before the session is freed and its TX socket closed. Not called
 *  for sessions removed by bfd_uv_peer_remove(), bfd_uv_del() or
 *  bfd_uv_shutdown().
 *  @param adapter   the adapter.
 *  @param session   the session; valid during the call only: forget every
 *                   pointer to it.
 *  @param user_data bfd_uv_new()'s `user_data`.
 *  @since 0.1.0 */
typedef void (*bfd_uv_peer_deleted_cb)(bfd_uv *adapter, bfd_session *session,
                                       void *user_data);
/** bfd_uv_del() or bfd_uv_shutdown() finished: every goodbye is done,
 *  every handle is closed, memory is freed after this returns.
 *  @param adapter   the adapter; invalid once this returns.
 *  @param user_data bfd_uv_new()'s `user_data`.
 *  @since 0.1.0 */
typedef void (*bfd_uv_closed_cb)(bfd_uv *adapter, void *user_data);

/** The current bfd_uv_callbacks layout. @since 0.1.0 */
#define BFD_UV_CALLBACKS_VERSION 1

/** Adapter callbacks, all optional (NULL); copied by bfd_uv_new(). They run
 *  on the loop's thread; see "Callbacks and re-entrancy" in bfd_uv.h.
 *  @since 0.1.0 */
typedef struct bfd_uv_callbacks {
  uint32_t struct_version; /**< BFD_UV_CALLBACKS_VERSION */
  uint32_t reserved0;      /**< 0 */
  bfd_uv_error_cb error;   /**< socket and other errors, see bfd_uv_error_cb */
  bfd_uv_new_peer_cb new_peer; /**< responder mode: accept or veto a peer */
  bfd_uv_peer_created_cb peer_created; /**< responder mode: session created */
  /** Responder mode: session about to be deleted (appended in 0.1.0). */
  bfd_uv_peer_deleted_cb peer_deleted;
} bfd_uv_callbacks;

/** @brief Fill `cb` with NULL callbacks for the caller's struct version.
 *  @param version pass BFD_UV_CALLBACKS_VERSION.
 *  @param cb      out.
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `cb` is NULL.
 *  @retval BFD_ERR_VERSION unknown `version`; nothing written.
 *  @since 0.1.0 */
BFD_UV_EXTERN int bfd_uv_callbacks_init(uint32_t version, bfd_uv_callbacks *cb);

/** The start pacing bfd_uv_new() gives its table: first packets a second
 *  of the sessions bfd_uv_peer_add() creates (bfd_table_set_start_pacing();
 *  change it with bfd_uv_get_table()). 10,000 adds at once are on the
 *  wire within 2 s, 5 packets a millisecond, instead of in one burst.
 *  @since 0.2.0 */
#define BFD_UV_START_PACING 5000u

/**
 * @brief Create an adapter on `loop`. Opens no socket yet (see
 * bfd_uv_listen() and bfd_uv_settings.auto_listen). Its table paces the
 * first packets of new sessions (BFD_UV_START_PACING).
 * @param padapter  out; untouched on failure.
 * @param loop      the caller's loop; must outlive the adapter (keep running
 *                  it until bfd_uv_del()'s `closed_cb`).
 * @param settings  NULL for defaults; copied.
 * @param core_cbs  the table's callbacks (state_change, nexthop, rand,
 *                  params, auth_failure), delivered unchanged with
 *                  `user_data`; may be NULL;
 *                  copied (any struct_version from 1 to
 *                  BFD_CALLBACKS_VERSION). `session` and `responder_accept`
 *                  are the adapter's own and must be NULL: use peer_created,
 *                  peer_deleted and new_peer in `uv_cbs`.
 * @param uv_cbs    adapter callbacks; may be NULL; copied.
 * @param mem       NULL for libc; kept by pointer.
 * @param user_data passed to every callback.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT `padapter` or `loop` NULL,
 *         settings->rx_batch not 1..64, settings->auto_listen not 0/1,
 *         settings->tx_sockets unknown, settings->tx_ports not 1..16384
 *         with BFD_UV_TX_SHARED, settings->rx_rcvbuf above INT32_MAX, or
 *         core_cbs->session or
 *         core_cbs->responder_accept set.
 * @retval BFD_ERR_VERSION   unknown struct_version in `settings` (1 and
 *                           BFD_UV_SETTINGS_VERSION are known; version 1
 *                           gets the defaults of the later fields),
 *                           `core_cbs` or `uv_cbs`.
 * @retval BFD_ERR_CFG_AUTH  settings->auto_auth_key is invalid (see
 *                           bfd_auth_key_check()).
 * @retval BFD_ERR_NOT_BUILT settings->auto_auth_key is an MD5/SHA1 type
 *                           this build (or libcrypto) does not provide.
 * @retval BFD_ERR_NOMEM     out of memory.
 * @retval BFD_ERR_CFG_MIN_TX, BFD_ERR_CFG_MIN_RX, BFD_ERR_CFG_DETECT_MULT
 *         with max_auto_sessions > 0: the responder template
 *         (auto_desired_min_tx_us, auto_required_min_rx_us,
 *         auto_detect_mult) is invalid (bfd_table_set_responder()).
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_new(bfd_uv **padapter, uv_loop_t *loop, const bfd_uv_settings *settings,
                             const bfd_callbacks *core_cbs, const bfd_uv_callbacks *uv_cbs,
                             const bfd_mem *mem, void *user_data);

/**
 * @brief Destroy the adapter. Sessions are deleted at once, silently (no
 * AdminDown is sent; peer_deleted is not called; use bfd_uv_shutdown(), or
 * bfd_uv_peer_remove() first, to tell the peers), each delivering its
 * clearing nexthop event, and their TX sockets close. Sessions that are
 * still saying goodbye (bfd_uv_peer_remove()) finish it first: the loop
 * keeps serving them, with the listeners and the timer, for at most their
 * peer's Detection Time of us (Detect Mult x max(its Required Min RX, our
 * Desired Min TX, 1 s)), less once the peer answers. Then the listeners'
 * uv_poll_t and the uv_timer_t close asynchronously like uv_close(): keep
 * running the loop (uv_run() returns once nothing else is active);
 * `closed_cb`, if not NULL, runs when the last handle has closed, after
 * which the memory is freed. A second call (or a bfd_uv_shutdown()) while
 * goodbyes still run ends them at once, silently, and closes; its
 * `closed_cb` is ignored (the first call's runs). NULL adapter, or a call
 * once the handles are closing, is a no-op.
 *
 * Called from inside a callback, it is deferred: it returns at once, the
 * dispatch in progress finishes (more callbacks may still run), and the
 * adapter is destroyed when it ends (if the callback ran inside a
 * bfd_uv_peer_add() that then fails: at the next timer fire or packet).
 *
 * After the call every session pointer is invalid (do not pass one to
 * bfd_uv_peer_*); bfd_uv_peer_add(), bfd_uv_listen() and
 * bfd_uv_set_responder() return BFD_ERR_INVALID_ARGUMENT, no responder
 * session is created any more, and bfd_uv_get_table() returns NULL, until
 * `closed_cb`.
 * @param adapter   the adapter, or NULL.
 * @param closed_cb called once every handle has closed; may be NULL.
 * @since 0.1.0
 */
BFD_UV_EXTERN void bfd_uv_del(bfd_uv *adapter, bfd_uv_closed_cb closed_cb);

/**
 * @brief Graceful shutdown: every session says goodbye as with
 * bfd_uv_peer_remove() (AdminDown, diag 7, until the peer has seen it or
 * for its Detection Time of us; at once where nobody is to be told), then
 * the adapter closes as bfd_uv_del() does: the same bound, the same
 * asynchronous close and `closed_cb`, the same deferral from inside a
 * callback, the same invalid session pointers and NULL table; a second
 * call (or a bfd_uv_del()) ends the goodbyes at once. peer_deleted is not
 * called. NULL adapter, or a call once the handles are closing, is a no-op.
 * @param adapter   the adapter, or NULL.
 * @param closed_cb called once every goodbye is done and every handle has
 *                  closed; may be NULL.
 * @since 0.2.0
 */
BFD_UV_EXTERN void bfd_uv_shutdown(bfd_uv *adapter, bfd_uv_closed_cb closed_cb);

/**
 * @brief Turn responder mode on, change it, or off (max_sessions 0), with
 * every setting the core has (bfd_table_set_responder()): the template's
 * timers, minimum TTL and policy, a key ring and its transmit key, the
 * hold.
 * Replaces what bfd_uv_settings.max_auto_sessions set up. Existing
 * responder sessions stay, with their settings, and count against the new
 * maximum. One template answers both modes: a responder session takes
 * the mode of the packet that created it (min_rx_ttl applies to the
 * template's own mode only; single-hop keeps TTL 255). Responder
 * sessions reply to the adapter's listening port for the mode; open the
 * listeners with bfd_uv_listen() (auto_listen opens them only for
 * bfd_uv_peer_add()).
 * @param adapter the adapter.
 * @param rs      the settings; copied (the keys too; wipe yours).
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT `adapter` or `rs` NULL, called from
 *         inside a callback, or bfd_uv_del() / bfd_uv_shutdown() was called.
 * @retval BFD_ERR_VERSION  unknown struct_version of `rs` or `rs->session`.
 * @retval BFD_ERR_CFG_AUTH nkeys above BFD_AUTH_KEYS_MAX, keys of different
 *         types, an invalid key, or no key with tx_key_id.
 * @retval BFD_ERR_NOT_BUILT an MD5/SHA1 key this build does not provide.
 * @retval BFD_ERR_NOMEM    out of memory; nothing changed.
 * @retval BFD_ERR_CFG_DETECT_MULT, BFD_ERR_CFG_MIN_TX, BFD_ERR_CFG_MIN_RX,
 *         BFD_ERR_CFG_MODE, BFD_ERR_CFG_POLICY, BFD_ERR_CFG_FLAG,
 *         BFD_ERR_CFG_TTL the template fails bfd_session_settings_check().
 * @since 0.2.0
 */
BFD_UV_EXTERN int bfd_uv_set_responder(bfd_uv *adapter, const bfd_responder_settings *rs);

/**
 * @brief Open a listener for `mode` on `local` (an all-zero address is the
 * family's wildcard) and the mode's port (bfd_uv_settings.port_single_hop /
 * port_multihop). IPv6 listeners are IPV6_V6ONLY; no SO_REUSEADDR, so a
 * clash with another daemon fails loudly instead of splitting its traffic.
 * Opening the same (family, mode, address, ifindex) twice is a no-op.
 * Listeners stay open until bfd_uv_del(); finding one is O(1) (a hash),
 * so a host may open one per local address, thousands of them, and
 * (auto_listen 0) run beside another BFD daemon that holds other
 * addresses of the same port. It does not touch the session
 * table and may be called from a callback.
 * @param adapter the adapter.
 * @param mode    BFD_MODE_SINGLE_HOP or BFD_MODE_MULTIHOP.
 * @param local   the address to bind (`ifindex` is the scope of an IPv6
 *                link-local address); copied.
 * @return 0, or (the errno of a socket failure is bfd_uv_last_errno();
 *         each is also reported through the error callback with the
 *         address and errno):
 * @retval BFD_ERR_INVALID_ARGUMENT `adapter` or `local` NULL, unknown
 *         `mode`, or bfd_uv_del() / bfd_uv_shutdown() was called.
 * @retval BFD_ERR_CFG_KEY unknown `local->family` (BFD_ERR_INVALID_ARGUMENT
 *         before 0.2.0).
 * @retval BFD_ERR_NOMEM out of memory.
 * @retval BFD_UV_ERR_ADDR_NOT_AVAIL `local` is not an address of this host.
 * @retval BFD_UV_ERR_ADDR_IN_USE another socket holds `local` and the port
 *         (another BFD daemon?).
 * @retval BFD_UV_ERR_FD_LIMIT no file descriptor left (EMFILE / ENFILE).
 * @retval BFD_ERR_IO    any other failure of socket(), setsockopt(),
 *         bind() or uv_poll.
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_listen(bfd_uv *adapter, uint8_t mode, const bfd_uv_addr *local);

/** The current bfd_uv_peer_config layout (2 since 0.2.0: `session` and a
 *  key ring). Version 1 (0.1.0: the session fields one by one and one
 *  `auth_key`) is still accepted. @since 0.1.0 */
#define BFD_UV_PEER_CONFIG_VERSION 2

/**
 * One peer: where it is (the transport) and its session. Fill with
 * bfd_uv_peer_config_init(); fields are only appended. Any struct_version
 * from 1 to BFD_UV_PEER_CONFIG_VERSION is accepted and only that version's
 * bytes are read (version 1 is the 0.1.0 layout, translated).
 * @since 0.1.0
 */
typedef struct bfd_uv_peer_config {
  uint32_t struct_version; /**< BFD_UV_PEER_CONFIG_VERSION */
  uint32_t reserved0;      /**< 0 */
  /** Required: the peer's address. `ifindex` is the link-local scope and,
   *  when `ifname` is empty, the session's interface (required for an
   *  IPv6 link-local peer). */
  bfd_uv_addr peer;
  bfd_uv_addr local;       /**< family 0 or all-zero addr = any; else the
                                family must match `peer`'s; its ifindex
                                is ignored */
  /** Interface name, NUL-terminated within the 16 bytes, "" = none. Sets
   *  the key's ifindex, SO_BINDTODEVICE on the TX socket and the link-local
   *  scope. An unknown name fails with BFD_ERR_CFG_KEY. */
  char ifname[16];
  /** Destination port; 0 = 3784 / 4784 by session.mode (the RFC's ports,
   *  even when bfd_uv_settings overrides the listening ports). */
  uint16_t peer_port;
  /** Keys in `keys`; 0 (default): no authentication. */
  uint8_t nkeys;
  /** Key ID to sign with: one of `keys` (ignored when nkeys is 0). */
  uint8_t tx_key_id;
  uint32_t reserved1; /**< 0; `session` starts at an 8-byte offset */
  /** The session, exactly as bfd_table_add_session() takes it (defaults
   *  from bfd_session_settings_init(); local_discr 0 = drawn at random).
   *  Its `mode` is the transport's too: the listener, the port and the
   *  key. */
  bfd_session_settings session;
  /** Authentication (RFC 5880 §6.7): the key ring, one type, every key
   *  accepted on receive, `tx_key_id` signs. The whole ring is installed
   *  before the session's first packet is built, so no unauthenticated
   *  packet goes out. Rotate later with bfd_session_auth_add_key() /
   *  _set_tx_key() / _remove_key() on the session: bfd_uv_peer_update()
   *  ignores the ring. */
  bfd_auth_key keys[BFD_AUTH_KEYS_MAX];
} bfd_uv_peer_config;

/** @brief Fill `cfg` with defaults for the caller's struct version: no
 *  address, no interface, the RFC's port, no keys, and `session` from
 *  bfd_session_settings_init() (single-hop, 300000 / 300000 us, Detect
 *  Mult 3, active, BFD_NHS_DOWN_UNTIL_UP; for version 1 its fields of the
 *  same names).
 *  @param version BFD_UV_PEER_CONFIG_VERSION (or 1; only that version's
 *                 bytes are written).
 *  @param cfg     out.
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `cfg` is NULL.
 *  @retval BFD_ERR_VERSION `version` is 0 or newer than the library's;
 *          nothing written.
 *  @since 0.1.0 */
BFD_UV_EXTERN int bfd_uv_peer_config_init(uint32_t version, bfd_uv_peer_config *cfg);

/**
 * @brief Add a peer: a session in the table and its TX socket. With
 * bfd_uv_settings.auto_listen, first opens the wildcard listener for the
 * peer's (family, mode) if none exists (it stays open even if the session
 * then cannot be created). Every check of `cfg` runs before anything is
 * created: a config that fails one opens nothing, creates no session and
 * delivers no event.
 *
 * The session's first packet goes out in its start-pacing slot
 * (BFD_UV_START_PACING a second, bfd_table_set_start_pacing()): before
 * this returns when no earlier add is still waiting, whether or not the
 * loop is running, else from the loop's timer. So a configuration of
 * thousands of peers loaded before uv_run() is on the wire at that rate,
 * not in one burst whose answers would overflow the listener's receive
 * buffer (bfd_uv_stats.rx_kernel_drops; those sessions would retry with
 * their next slow-start packet, a second later, RFC 5880 §6.8.3). With
 * pacing turned off (0) every first packet goes out at once: the auto
 * buffer (rx_rcvbuf 0) holds 250 ms of the sessions' rate, fewer
 * datagrams than there are sessions when Required Min RX is above
 * 250 ms; size bfd_uv_settings.rx_rcvbuf for the burst, or add peers in
 * slices of a few hundred while the loop runs.
 * @param adapter   the adapter.
 * @param psession  out, may be NULL.
 * @param cfg       the peer (any struct_version from 1); copied, keys
 *                  included (wipe yours).
 * @param peer_user_data returned by bfd_uv_peer_get_user_data().
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT `adapter` or `cfg` NULL, called from
 *         inside a callback, or bfd_uv_del() / bfd_uv_shutdown() was called.
 * @retval BFD_ERR_VERSION cfg->struct_version is 0 or newer than the
 *         library's, or cfg->session.struct_version is unknown.
 * @retval BFD_ERR_CFG_KEY peer.family is neither BFD_AF_INET nor
 *         BFD_AF_INET6; local.family is not 0 and differs from it; `ifname`
 *         has no NUL or names no interface (also reported through the error
 *         callback, with the errno); an IPv6 link-local peer without an
 *         interface (`ifname` or peer.ifindex).
 * @retval BFD_ERR_CFG_MODE  unknown session.mode.
 * @retval BFD_ERR_CFG_FLAG  session.passive, admin_down or cpi not 0/1.
 * @retval BFD_ERR_CFG_DETECT_MULT, BFD_ERR_CFG_MIN_TX, BFD_ERR_CFG_MIN_RX,
 *         BFD_ERR_CFG_POLICY, BFD_ERR_CFG_TTL `session` fails
 *         bfd_session_settings_check().
 * @retval BFD_ERR_CFG_AUTH `nkeys` above BFD_AUTH_KEYS_MAX, a key that
 *         fails bfd_auth_key_check() (type BFD_AUTH_NONE included), keys of
 *         different types, or no key with `tx_key_id` (version 1: an
 *         `auth_key` that is set and fails bfd_auth_key_check()).
 * @retval BFD_ERR_NOT_BUILT an MD5/SHA1 key this build (or libcrypto) does
 *         not provide.
 * @retval BFD_ERR_EXISTS  a session with the same key (mode, family,
 *         interface, local and peer address) exists, or the fixed
 *         session.local_discr is in use. A removed peer still saying goodbye
 *         does not count: its goodbye ends at once (silently), and the new
 *         session takes its key and discriminator.
 * @retval BFD_ERR_FULL    no unique discriminator could be drawn.
 * @retval BFD_ERR_NOMEM   out of memory.
 * @retval BFD_UV_ERR_ADDR_NOT_AVAIL `local` is not an address of this
 *         host (either TX mode: with BFD_UV_TX_SHARED it is checked here).
 * @retval BFD_UV_ERR_ADDR_IN_USE the wildcard listener's port is held by
 *         another socket (auto_listen).
 * @retval BFD_UV_ERR_FD_LIMIT no file descriptor left for the listener or
 *         the TX socket (EMFILE / ENFILE; see BFD_UV_TX_SHARED).
 * @retval BFD_UV_ERR_NO_PORT every source port of 49152-65535 is taken
 *         for `local`.
 * @retval BFD_ERR_IO      any other failure opening the listener or the TX
 *         socket (SO_BINDTODEVICE, ...).
 *
 * Socket failures are also reported through the error callback, and their
 * errno is bfd_uv_last_errno() (so is if_nametoindex()'s for `ifname`).
 * @retval BFD_ERR_CALLBACK_FAILURE the core's nexthop callback failed the
 *         BFD_NHS_DOWN_UNTIL_UP creation event; nothing is created.
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_peer_add(bfd_uv *adapter, bfd_session **psession,
                                  const bfd_uv_peer_config *cfg, void *peer_user_data);

/**
 * @brief Change a live peer: `session` goes to bfd_session_update() as a
 * whole (timer changes run a Poll Sequence, RFC 5880 §6.8.3; admin_down
 * enters or leaves AdminDown, §6.8.16; session.local_discr 0 keeps the
 * current discriminator). A version-1 config changes the fields it has and
 * keeps the session's others (required_min_echo_rx_us, cpi). Addresses,
 * interface, mode and port cannot change: `peer`, `ifname` and
 * session.mode must be as given to bfd_uv_peer_add(), `local` and
 * `peer_port` too unless family 0 / port 0. The key ring (`nkeys`,
 * `tx_key_id`, `keys`; version 1: `auth_key`) and peer.ifindex are
 * ignored, not even checked: an update never turns authentication on or
 * off or changes the transmit key of a live session, which would make it
 * fail unless the peer did the same within a Detection Time (§6.7.1).
 * Change keys with bfd_session_auth_add_key() / _set_tx_key() /
 * _remove_key() on the session (see "Key rotation" there). A
 * responder session in AdminDown is never reaped; one that leaves it goes
 * to Down and is reaped by the usual rules, possibly before this returns
 * (peer_deleted is called; the session pointer is then invalid).
 * @param adapter the adapter.
 * @param session one of this adapter's sessions.
 * @param cfg     the complete new configuration (any struct_version from
 *                1).
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT `adapter`, `session` or `cfg` NULL,
 *         `session` belongs to another adapter or was removed, called from
 *         inside a callback, or bfd_uv_del() / bfd_uv_shutdown() was
 *         called.
 * @retval BFD_ERR_VERSION       cfg->struct_version is 0 or newer than the
 *         library's, or cfg->session.struct_version is unknown.
 * @retval BFD_ERR_CFG_KEY       peer.family is neither BFD_AF_INET nor
 *         BFD_AF_INET6.
 * @retval BFD_ERR_CFG_IMMUTABLE an address, the interface, the mode, the
 *         port or a nonzero session.local_discr differs.
 * @retval BFD_ERR_CFG_FLAG      session.passive, admin_down or cpi not 0/1.
 * @retval BFD_ERR_CFG_DETECT_MULT, BFD_ERR_CFG_MIN_TX, BFD_ERR_CFG_MIN_RX,
 *         BFD_ERR_CFG_POLICY, BFD_ERR_CFG_TTL as bfd_session_settings_check();
 *         nothing changed.
 * @retval BFD_ERR_CALLBACK_FAILURE a core callback failed; the change has
 *         been made.
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_peer_update(bfd_uv *adapter, bfd_session *session,
                                     const bfd_uv_peer_config *cfg);

/**
 * @brief Remove a peer with the core's goodbye (see "Removal" in
 * bfd_uv.h): the session goes AdminDown (diag 7, RFC 5880 §6.8.16), its
 * state and nexthop events are delivered before this returns, and its
 * first AdminDown packet goes out (unless it is a passive session that
 * never heard its peer, §6.8.7). It then keeps sending AdminDown until the
 * peer shows it is no longer Up, or for the peer's Detection Time of us,
 * and the core frees it; the adapter closes its TX socket then. Where
 * nobody is to be told, the session goes sooner: after its one AdminDown
 * packet, at the adapter's next wake-up (at once), when the peer is not Up
 * or never heard; before this returns for a passive session that never
 * heard its peer. Meanwhile the session stays in the table
 * (bfd_uv_stats.sessions counts it) but is no longer the host's: no
 * further callback concerns it, bfd_uv_peer_get_user_data() returns NULL,
 * and the same peer may be added again at once (see bfd_uv_peer_add()).
 * Works for responder sessions too (peer_deleted is not called). Failures
 * of the core calls are reported through the error callback; the removal
 * always proceeds.
 * @param adapter the adapter.
 * @param session one of this adapter's sessions; invalid for the caller
 *                once this returns 0.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT `adapter` or `session` NULL, `session`
 *         belongs to another adapter or was removed already, called from
 *         inside a callback, or bfd_uv_del() / bfd_uv_shutdown() was called.
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_peer_remove(bfd_uv *adapter, bfd_session *session);

/** @brief The `peer_user_data` given to bfd_uv_peer_add() (NULL for
 *  responder sessions, and once bfd_uv_peer_remove() was called). Adapter sessions keep the adapter's pointer in
 *  bfd_session_get_user_data(): never change it. Allowed inside callbacks.
 *  @param session an adapter session, or NULL.
 *  @return the pointer; NULL for a NULL session. @since 0.1.0 */
BFD_UV_EXTERN void *bfd_uv_peer_get_user_data(const bfd_session *session);

/** The current bfd_uv_peer_info layout. @since 0.1.0 */
#define BFD_UV_PEER_INFO_VERSION 1

/** Transport facts about one peer. @since 0.1.0 */
typedef struct bfd_uv_peer_info {
  uint32_t struct_version; /**< BFD_UV_PEER_INFO_VERSION */
  /** the TX socket, for inspection only (with BFD_UV_TX_SHARED, the pool
   *  socket it shares with other sessions) */
  int32_t tx_fd;
  uint16_t src_port;       /**< bound source port (49152-65535) */
  uint8_t auto_created;    /**< 1: created by responder mode */
  uint8_t pad;             /**< explicit padding, 0 */
  /** The session's interface (from `ifname`, or peer.ifindex; for a
   *  single-hop responder session the one its first packet arrived on),
   *  0 = none. */
  uint32_t ifindex;
  uint64_t tx_packets; /**< packets sent on this session's TX socket */
  uint64_t tx_errors; /**< failed sends (counted, dropped, not queued) */
} bfd_uv_peer_info;

/** @brief Fill `info`; set `info->struct_version` first.
 *  @param session an adapter session.
 *  @param info    in: struct_version; out: the facts.
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `session` or `info` NULL, or the
 *          session has no user data (not an adapter session).
 *  @retval BFD_ERR_VERSION unknown info->struct_version.
 *  @since 0.1.0 */
BFD_UV_EXTERN int bfd_uv_peer_get_info(const bfd_session *session, bfd_uv_peer_info *info);

/** The current bfd_uv_stats layout (2 since 0.2.0: kernel drops, send
 *  back-pressure, TX sockets, catch-ups, timer lateness; 3 since 0.2.0:
 *  rx_rcvbuf_applied; 4 since 0.2.0: timer_late_sum_ns). Versions 1 to 3
 *  are still accepted.
 *  @since 0.1.0 */
#define BFD_UV_STATS_VERSION 4

/** Buckets of bfd_uv_stats.timer_late_hist (as BFD_LATE_BUCKETS).
 *  @since 0.2.0 */
#define BFD_UV_LATE_BUCKETS 12

/** Adapter counters, since bfd_uv_new(). @since 0.1.0 */
typedef struct bfd_uv_stats {
  uint32_t struct_version; /**< BFD_UV_STATS_VERSION */
  uint32_t listeners;      /**< open RX sockets */
  uint64_t rx_packets;     /**< datagrams read */
  uint64_t rx_batches;     /**< recvmmsg calls that returned data */
  uint64_t rx_accepted;    /**< accepted by a session */
  uint64_t rx_ttl_dropped; /**< GTSM: single-hop TTL < 255 (dropped here,
                                RFC 5881 §5) or the core's BFD_ERR_PKT_TTL */
  /** Every other datagram read in full and not accepted: the core's other
   *  BFD_ERR_PKT_* reasons (including BFD_ERR_PKT_NO_SESSION), a failing
   *  core callback, or responder mode's refusals (vetoed, full, session
   *  not created). */
  uint64_t rx_dropped;
  uint64_t rx_errors;      /**< recvmmsg failures, truncated datagrams */
  uint64_t tx_packets;     /**< packets sent, all sessions */
  uint64_t tx_errors; /**< failed sends */
  uint64_t timer_fires;    /**< deadline timer callbacks */
  uint64_t timer_late;    /**< fires > 2 ms after the deadline (rounding
                               up to the ms + the loop's ms granularity) */
  /** Sessions created by responder mode (a running total: deleted ones
   *  are not subtracted). */
  uint64_t auto_sessions;
  /** sessions in the table now, including removed ones still saying
   *  goodbye */
  uint64_t sessions;
  /** Version 2: datagrams the kernel dropped on the listeners before the
   *  adapter read them (receive buffer full: the SO_RXQ_OVFL counts of
   *  every listener). Seen with the next datagram that gets through; each
   *  increase is reported to the table as BFD_LOAD_RX_DROPS (its
   *  governor's overload signal, bfd_uv_set_governor()). */
  uint64_t rx_kernel_drops;
  /** Version 2: sends refused because the socket's send buffer was full
   *  (EAGAIN / EWOULDBLOCK, or ENOBUFS; also in tx_errors), reported to the
   *  table as BFD_LOAD_TX_BLOCKED. (Linux hides a UDP packet the queueing
   *  discipline dropped: that one counts as sent.) */
  uint64_t tx_blocked;
  /** Version 2: TX sockets open now (one per session, or the
   *  BFD_UV_TX_SHARED pools'). */
  uint64_t tx_sockets;
  /** Version 2: wake-ups more than 2 ms after the table's deadline (the
   *  loop was blocked, or the host is overloaded) that read the listeners
   *  with data before acting on the timeouts (see "Sockets" in bfd_uv.h). */
  uint64_t catch_ups;
  /** Version 2: datagrams those reads found waiting in the kernel. */
  uint64_t rx_catch_up;
  /** Version 2: timer fires by how late they came after the deadline they
   *  were armed for: [0] within 1 ms, [i] 2^(i-1) to 2^i ms late, the last
   *  1024 ms or more (the buckets of bfd_table_stats.late_hist, which
   *  counts per session deadline where this counts per wake-up). */
  uint64_t timer_late_hist[BFD_UV_LATE_BUCKETS];
  uint64_t timer_late_max_ns; /**< Version 2: the latest timer fire */
  /** Version 2: deadlines the table served (bfd_table_stats.services) in
   *  timer fires counted in timer_late: how much work a late wake-up
   *  found waiting. */
  uint64_t late_served;
  uint64_t late_served_max; /**< Version 2: the most of them in one fire */
  /** Version 3: the listeners' receive buffer as last asked of
   *  setsockopt(SO_RCVBUF): bfd_uv_settings.rx_rcvbuf once a listener is
   *  open, or what the auto size (rx_rcvbuf 0) grew to; 0: never asked,
   *  the kernel's default. The kernel's own figure (getsockopt on a
   *  listener) is twice it, or twice net.core.rmem_max when it capped it
   *  (no CAP_NET_ADMIN). */
  uint64_t rx_rcvbuf_applied;
  /** Version 4: the sum of how late every timer fire came after its
   *  deadline, ns (with timer_late_hist and timer_fires: a lateness
   *  histogram's sum and count, the mean lateness). */
  uint64_t timer_late_sum_ns;
} bfd_uv_stats;

/** @brief Fill `stats`; set `stats->struct_version` first (an older
 *  version gets its own fields only).
 *  @param adapter the adapter.
 *  @param stats   in: struct_version; out: the counters.
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `adapter` or `stats` NULL.
 *  @retval BFD_ERR_VERSION unknown stats->struct_version.
 *  @since 0.1.0 */
BFD_UV_EXTERN int bfd_uv_get_stats(const bfd_uv *adapter, bfd_uv_stats *stats);

/**
 * @brief Turn the table's overload governor on, change it, or off (NULL,
 * or max_scale_permille 1000): bfd_table_set_governor() at uv_hrtime(),
 * then the adapter re-arms its timer and sends what the change made due.
 * The governor is opt-in and off by default. Besides the lateness of the
 * adapter's wake-ups (which the table measures itself), the adapter
 * reports the load only it sees: kernel receive drops
 * (bfd_uv_stats.rx_kernel_drops, BFD_LOAD_RX_DROPS) and refused sends
 * (tx_blocked, BFD_LOAD_TX_BLOCKED). Under overload every session then
 * runs slower by a common scale (ordinary Poll Sequences, RFC 5880 §6.8.3)
 * instead of all timing out at once; the params event says
 * BFD_PARAMS_EV_GOVERNED, and bfd_table_get_stats() on bfd_uv_get_table()
 * has the scale and the counts. See bfd_governor_settings.
 * @param adapter the adapter.
 * @param gs      the settings (copied), or NULL: off.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT `adapter` NULL, called from inside a
 *         callback, or bfd_uv_del() / bfd_uv_shutdown() was called.
 * @retval BFD_ERR_VERSION      unknown gs->struct_version.
 * @retval BFD_ERR_CFG_GOVERNOR a field outside its range; nothing changed.
 * @since 0.2.0
 */
BFD_UV_EXTERN int bfd_uv_set_governor(bfd_uv *adapter, const bfd_governor_settings *gs);

/** @brief The session table, for status queries (bfd_session_get_status(),
 *  bfd_table_find_key(), bfd_table_get_stats(), bfd_table_next_session(),
 *  ...). Do not add or delete sessions through it, and change them with
 *  bfd_uv_peer_update() rather than bfd_session_update(), and the governor
 *  with bfd_uv_set_governor(): the adapter would not send or re-arm its
 *  timer for a direct change until its next wake-up.
 *  @param adapter the adapter.
 *  @return the table; NULL for a NULL adapter, and once bfd_uv_del() or
 *  bfd_uv_shutdown() was called.
 *  @since 0.1.0 */
BFD_UV_EXTERN bfd_table *bfd_uv_get_table(const bfd_uv *adapter);

/** @brief The errno behind the last socket failure of bfd_uv_listen() or
 *  bfd_uv_peer_add() (socket(), setsockopt(), bind(), uv_poll,
 *  if_nametoindex() for `ifname`): the return path's copy of what the
 *  error callback was given. Each of those calls sets it to 0 first, so
 *  after a failure it is that call's (0: it failed without a socket error).
 *  Allowed inside callbacks.
 *  @param adapter the adapter.
 *  @return the errno, or 0 (also for a NULL adapter).
 *  @since 0.2.0 */
BFD_UV_EXTERN int bfd_uv_last_errno(const bfd_uv *adapter);

/** @brief The loop the adapter runs on.
 *  @param adapter the adapter.
 *  @return the loop given to bfd_uv_new(); NULL for a NULL adapter.
 *  @since 0.1.0 */
BFD_UV_EXTERN uv_loop_t *bfd_uv_get_loop(const bfd_uv *adapter);

#ifdef __cplusplus
}
#endif

#endif /* BFD_BFD_UV_H */
