/*
 * bfdkit-uv: drives a bfdkit session table over real UDP sockets on a
 * caller's libuv loop (RFC 5881 single-hop, RFC 5883 multihop, IPv4/IPv6).
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 *
 * Linux only (recvmmsg, IP_PKTINFO, SO_BINDTODEVICE). libuv >= 1.44.
 *
 * Sockets:
 * - RX: one listening socket per (address family, mode, bound address),
 *   never one per session, read through uv_poll_t with recvmmsg() batches.
 *   TTL / Hop Limit, destination address and arrival interface come from
 *   IP_RECVTTL / IPV6_RECVHOPLIMIT and IP_PKTINFO / IPV6_RECVPKTINFO.
 * - TX: one socket per session, bound to a source port in 49152-65535 that
 *   is unique per session (RFC 5881 §4), TTL / Hop Limit 255, DSCP CS6.
 *   TX sockets are never polled: an idle session costs no wake-ups.
 * - Timers: one uv_timer_t armed for the table's next deadline, rounded up
 *   to the loop's millisecond clock so it never fires early.
 *
 * Time: the adapter feeds the core uv_hrtime() nanoseconds; event `ts` and
 * status timestamps are in that base.
 *
 * Re-entrancy: the core's callbacks run inside the adapter's loop callbacks
 * and inside bfd_uv_peer_* calls. Do not call bfd_uv_peer_add/update/remove
 * or bfd_uv_del from inside a bfd_callbacks or bfd_uv_callbacks function
 * (they return BFD_ERR_INVALID_ARGUMENT there); defer with a uv_idle_t or a
 * 0 ms uv_timer_t.
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

#if defined(BFD_STATICLIB)
#  define BFD_UV_EXTERN
#elif defined(BUILDING_BFDKIT_UV) && defined(__GNUC__)
#  define BFD_UV_EXTERN __attribute__((visibility("default")))
#else
#  define BFD_UV_EXTERN
#endif

/** An adapter: one session table, its sockets and its timer on one loop.
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
  uint8_t pad[3];
  uint32_t ifindex; /**< IPv6 scope / interface, 0 = none */
  uint8_t addr[16]; /**< network order; IPv4 in the first 4 bytes */
} bfd_uv_addr;

/**
 * @brief Parse "192.0.2.1", "2001:db8::1" or "fe80::1%eth0" (the zone sets
 * `ifindex` through if_nametoindex(), or is a number).
 * @return 0, or BFD_ERR_INVALID_ARGUMENT (NULL, not an address, unknown
 *         interface).
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_addr_parse(bfd_uv_addr *out, const char *text);

/**
 * @brief Format an address as text ("fe80::1%3" when it has a scope).
 * @return the length written (excluding NUL), or BFD_ERR_INVALID_ARGUMENT,
 *         BFD_ERR_NOBUF (buflen < 64 is always enough otherwise).
 * @since 0.1.0
 */
BFD_UV_EXTERN ptrdiff_t bfd_uv_addr_format(char *buf, size_t buflen, const bfd_uv_addr *addr);

#define BFD_UV_SETTINGS_VERSION 1

/**
 * Adapter settings. Fill with bfd_uv_settings_init(); fields are only
 * appended.
 * @since 0.1.0
 */
typedef struct bfd_uv_settings {
  uint32_t struct_version; /**< BFD_UV_SETTINGS_VERSION */
  /** Responder mode: the largest number of passive sessions the adapter
   *  creates by itself for unknown peers whose packet has Your
   *  Discriminator 0 (each can be vetoed by bfd_uv_callbacks.new_peer).
   *  0 = off (default): such packets are dropped as BFD_ERR_PKT_NO_SESSION. */
  uint32_t max_auto_sessions;
  /** Templates for auto-created sessions (defaults as the core's). */
  uint32_t auto_desired_min_tx_us;
  uint32_t auto_required_min_rx_us;
  uint8_t auto_detect_mult;
  /** 1 (default): when a peer is added and no listener exists for its
   *  (family, mode), open one on the wildcard address. 0: only the
   *  listeners opened with bfd_uv_listen() receive (two daemons sharing a
   *  host each bind their own addresses). */
  uint8_t auto_listen;
  /** Listening ports; 0 = the RFC's (3784 single-hop, 4784 multihop).
   *  Other values are for tests and unprivileged experiments. */
  uint16_t port_single_hop;
  uint16_t port_multihop;
  /** recvmmsg batch size, 1..64; default 32. */
  uint16_t rx_batch;
  uint16_t reserved0;
  /** Authentication for responder sessions (type BFD_AUTH_NONE = none,
   *  the default); checked like bfd_uv_peer_config.auth_key. */
  bfd_auth_key auto_auth_key;
} bfd_uv_settings;

/** @brief Fill defaults. @return 0, BFD_ERR_INVALID_ARGUMENT or
 *  BFD_ERR_VERSION. @since 0.1.0 */
BFD_UV_EXTERN int bfd_uv_settings_init(uint32_t version, bfd_uv_settings *settings);

/** Socket trouble: `code` is a BFD_ERR_* (usually BFD_ERR_IO), `sys_errno`
 *  the errno (0 if none), `msg` a NUL-terminated line naming the operation,
 *  the address and strerror(), valid only during the call. */
typedef void (*bfd_uv_error_cb)(bfd_uv *adapter, int code, int sys_errno, const char *msg,
                                void *user_data);
/** Responder mode: an unknown peer sent a packet with Your Discriminator 0
 *  (described by `rx`). Return 0 to create a passive session for it (keyed
 *  by mode, family, peer, the packet's destination address, and for
 *  link-local addresses the interface; it replies to the adapter's own
 *  listening port for the mode), nonzero to drop the packet. An
 *  auto-created session is deleted again when it falls back to Down. */
typedef int (*bfd_uv_new_peer_cb)(bfd_uv *adapter, const bfd_rx_info *rx, void *user_data);
/** The adapter created a session on its own (responder mode). */
typedef void (*bfd_uv_peer_created_cb)(bfd_uv *adapter, bfd_session *session, void *user_data);
/** The adapter is about to delete a session on its own (a responder-mode
 *  session that fell back to Down). `session` is valid during the call only;
 *  forget every pointer to it. */
typedef void (*bfd_uv_peer_deleted_cb)(bfd_uv *adapter, bfd_session *session,
                                       void *user_data);
/** bfd_uv_del() finished: every handle is closed, memory is freed after
 *  this returns. */
typedef void (*bfd_uv_closed_cb)(bfd_uv *adapter, void *user_data);

#define BFD_UV_CALLBACKS_VERSION 1

/** Adapter callbacks, all optional. @since 0.1.0 */
typedef struct bfd_uv_callbacks {
  uint32_t struct_version; /**< BFD_UV_CALLBACKS_VERSION */
  uint32_t reserved0;
  bfd_uv_error_cb error;
  bfd_uv_new_peer_cb new_peer;
  bfd_uv_peer_created_cb peer_created;
  bfd_uv_peer_deleted_cb peer_deleted; /**< appended in 0.1.0 */
} bfd_uv_callbacks;

/** @brief Fill NULL callbacks. @return 0, BFD_ERR_INVALID_ARGUMENT or
 *  BFD_ERR_VERSION. @since 0.1.0 */
BFD_UV_EXTERN int bfd_uv_callbacks_init(uint32_t version, bfd_uv_callbacks *cb);

/**
 * @brief Create an adapter on `loop`. Opens no socket yet (see
 * bfd_uv_listen() and bfd_uv_settings.auto_listen).
 * @param padapter  out.
 * @param loop      the caller's loop; must outlive the adapter.
 * @param settings  NULL for defaults.
 * @param core_cbs  the table's callbacks (state change, nexthop, rand),
 *                  delivered unchanged with `user_data`; may be NULL.
 * @param uv_cbs    adapter callbacks; may be NULL.
 * @param mem       NULL for libc; kept by pointer.
 * @param user_data passed to every callback.
 * @return 0, or BFD_ERR_INVALID_ARGUMENT, BFD_ERR_VERSION, BFD_ERR_NOMEM,
 *         BFD_ERR_CFG_AUTH / BFD_ERR_NOT_BUILT (settings->auto_auth_key).
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_new(bfd_uv **padapter, uv_loop_t *loop, const bfd_uv_settings *settings,
                             const bfd_callbacks *core_cbs, const bfd_uv_callbacks *uv_cbs,
                             const bfd_mem *mem, void *user_data);

/**
 * @brief Destroy the adapter. Sessions are deleted at once, silently (no
 * AdminDown is sent; use bfd_uv_peer_remove() first for that), each
 * delivering its clearing nexthop event; TX sockets close at once. The
 * listeners' uv_poll_t and the uv_timer_t close asynchronously like
 * uv_close(): keep running the loop (uv_run() returns once nothing else is
 * active); `closed_cb`, if not NULL, runs when the last handle has closed,
 * after which the memory is freed. NULL adapter is a no-op.
 * @since 0.1.0
 */
BFD_UV_EXTERN void bfd_uv_del(bfd_uv *adapter, bfd_uv_closed_cb closed_cb);

/**
 * @brief Open a listener for `mode` on `local` (an all-zero address is the
 * family's wildcard). IPv6 listeners are IPV6_V6ONLY; no SO_REUSEADDR, so a
 * clash with another daemon fails loudly instead of splitting its traffic.
 * Opening the same (family, mode, address) twice is a no-op.
 * @return 0, or BFD_ERR_INVALID_ARGUMENT, BFD_ERR_NOMEM, BFD_ERR_IO (also
 *         reported through the error callback with the address and errno).
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_listen(bfd_uv *adapter, uint8_t mode, const bfd_uv_addr *local);

#define BFD_UV_PEER_CONFIG_VERSION 1

/**
 * One peer. Fill with bfd_uv_peer_config_init(). The session fields mirror
 * bfd_session_settings.
 * @since 0.1.0
 */
typedef struct bfd_uv_peer_config {
  uint32_t struct_version; /**< BFD_UV_PEER_CONFIG_VERSION */
  uint32_t local_discr;    /**< 0 = random */
  bfd_uv_addr peer;        /**< required; ifindex for link-local */
  bfd_uv_addr local;       /**< family 0 or all-zero addr = any */
  /** Interface name, NUL-terminated, "" = none. Sets the key's ifindex,
   *  SO_BINDTODEVICE on the TX socket and the link-local scope. */
  char ifname[16];
  uint32_t desired_min_tx_us;  /**< default 300000 */
  uint32_t required_min_rx_us; /**< default 300000 */
  uint8_t detect_mult;         /**< default 3 */
  uint8_t mode;                /**< BFD_MODE_*; default single-hop */
  uint8_t passive;             /**< 0/1 */
  uint8_t admin_down;          /**< 0/1 */
  uint8_t nexthop_policy;      /**< BFD_NHS_* */
  /** Multihop minimum received TTL. 0 = the core's default, which is 1 for
   *  multihop (no floor: RFC 5883 sets none, and a floor like FRR's 254
   *  silently allows a single hop). Single-hop is always 255 (RFC 5881 §5). */
  uint8_t min_rx_ttl;
  uint16_t peer_port; /**< 0 = 3784 / 4784 by mode */
  /** Authentication (RFC 5880 §6.7): type BFD_AUTH_NONE (default) = none.
   *  The key is installed before the session's first packet is built, so
   *  no unauthenticated packet goes out. Rotate keys later with
   *  bfd_session_auth_add_key() / _set_tx_key() / _remove_key() on the
   *  session. */
  bfd_auth_key auth_key;
} bfd_uv_peer_config;

/** @brief Fill defaults. @return 0, BFD_ERR_INVALID_ARGUMENT or
 *  BFD_ERR_VERSION. @since 0.1.0 */
BFD_UV_EXTERN int bfd_uv_peer_config_init(uint32_t version, bfd_uv_peer_config *cfg);

/**
 * @brief Add a peer: a session in the table and its TX socket.
 * @param psession  out, may be NULL.
 * @param peer_user_data returned by bfd_uv_peer_get_user_data().
 * @return 0, or BFD_ERR_INVALID_ARGUMENT, BFD_ERR_VERSION, BFD_ERR_NOMEM,
 *         BFD_ERR_CFG_AUTH / BFD_ERR_NOT_BUILT (auth_key, see
 *         bfd_auth_key_check()),
 *         BFD_ERR_CFG_KEY (bad family/addresses/interface), BFD_ERR_EXISTS,
 *         BFD_ERR_FULL, BFD_ERR_IO (socket failure, also reported through
 *         the error callback), BFD_ERR_CALLBACK_FAILURE, or any
 *         bfd_session_settings_check() error.
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_peer_add(bfd_uv *adapter, bfd_session **psession,
                                  const bfd_uv_peer_config *cfg, void *peer_user_data);

/**
 * @brief Change a live peer through bfd_session_update() (timer changes run
 * a Poll Sequence, RFC 5880 §6.8.3). Addresses, interface, mode and port
 * cannot change.
 * @return 0, BFD_ERR_INVALID_ARGUMENT, BFD_ERR_VERSION,
 *         BFD_ERR_CFG_IMMUTABLE, or any bfd_session_update() error.
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_peer_update(bfd_uv *adapter, bfd_session *session,
                                     const bfd_uv_peer_config *cfg);

/**
 * @brief Remove a peer: set AdminDown (diag 7, RFC 5880 §6.8.16), send that
 * packet at once, then delete the session (the core delivers the clearing
 * nexthop event) and close its TX socket.
 * @return 0, BFD_ERR_INVALID_ARGUMENT (NULL, not this adapter's session,
 *         or called from a callback).
 * @since 0.1.0
 */
BFD_UV_EXTERN int bfd_uv_peer_remove(bfd_uv *adapter, bfd_session *session);

/** @brief The `peer_user_data` given to bfd_uv_peer_add() (NULL for
 *  auto-created sessions). Adapter sessions keep the adapter's pointer in
 *  bfd_session_get_user_data(): never change it. @since 0.1.0 */
BFD_UV_EXTERN void *bfd_uv_peer_get_user_data(const bfd_session *session);

#define BFD_UV_PEER_INFO_VERSION 1

/** Transport facts about one peer. @since 0.1.0 */
typedef struct bfd_uv_peer_info {
  uint32_t struct_version; /**< BFD_UV_PEER_INFO_VERSION */
  int32_t tx_fd;           /**< the TX socket, for inspection only */
  uint16_t src_port;       /**< bound source port (49152-65535) */
  uint8_t auto_created;    /**< created by responder mode */
  uint8_t pad;
  uint32_t ifindex;
  uint64_t tx_packets;
  uint64_t tx_errors; /**< failed sends (counted, dropped, not queued) */
} bfd_uv_peer_info;

/** @brief Fill `info`; set `info->struct_version` first. @return 0,
 *  BFD_ERR_INVALID_ARGUMENT or BFD_ERR_VERSION. @since 0.1.0 */
BFD_UV_EXTERN int bfd_uv_peer_get_info(const bfd_session *session, bfd_uv_peer_info *info);

#define BFD_UV_STATS_VERSION 1

/** Adapter counters. @since 0.1.0 */
typedef struct bfd_uv_stats {
  uint32_t struct_version; /**< BFD_UV_STATS_VERSION */
  uint32_t listeners;      /**< open RX sockets */
  uint64_t rx_packets;     /**< datagrams read */
  uint64_t rx_batches;     /**< recvmmsg calls that returned data */
  uint64_t rx_accepted;    /**< accepted by a session */
  uint64_t rx_ttl_dropped; /**< GTSM: single-hop TTL < 255 (dropped here,
                                RFC 5881 §5) or the core's BFD_ERR_PKT_TTL */
  uint64_t rx_dropped;     /**< every other drop by the core */
  uint64_t rx_errors;      /**< recvmmsg failures, truncated datagrams */
  uint64_t tx_packets;
  uint64_t tx_errors; /**< failed sends */
  uint64_t timer_fires;
  uint64_t timer_late;    /**< fires > 2 ms after the deadline (rounding
                               up to the ms + the loop's ms granularity) */
  uint64_t auto_sessions; /**< sessions created by responder mode */
  uint64_t sessions;
} bfd_uv_stats;

/** @brief Fill `stats`; set `stats->struct_version` first. @return 0,
 *  BFD_ERR_INVALID_ARGUMENT or BFD_ERR_VERSION. @since 0.1.0 */
BFD_UV_EXTERN int bfd_uv_get_stats(const bfd_uv *adapter, bfd_uv_stats *stats);

/** @brief The session table, for status queries (bfd_session_get_status(),
 *  bfd_table_find_key(), ...). Do not add or delete sessions through it.
 *  @since 0.1.0 */
BFD_UV_EXTERN bfd_table *bfd_uv_get_table(const bfd_uv *adapter);

/** @brief The loop the adapter runs on. @since 0.1.0 */
BFD_UV_EXTERN uv_loop_t *bfd_uv_get_loop(const bfd_uv *adapter);

#ifdef __cplusplus
}
#endif

#endif /* BFD_BFD_UV_H */
