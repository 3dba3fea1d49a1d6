/**
 * @file bfd_dplane.h
 * @brief bfddp: FRR bfdd's distributed-BFD data plane protocol, sans-io.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 *
 * FRR's bfdd, started with `--dplaneaddr`, runs no BFD sessions itself: it
 * sends each configured session to a data plane over a stream socket and
 * takes the data plane's state changes as the truth. This header is the data
 * plane's side of that protocol, in three parts, none of which opens a
 * socket or reads a clock:
 *
 * - the codec: bfd_dplane_msg_decode() / bfd_dplane_msg_encode(), one
 *   message at a time, byte for byte the layouts of FRR's
 *   `bfdd/bfddp_packet.h` (version 1 as in FRR 8.4.4, version 2 with the
 *   SBFD/SRv6 fields appended to the session body);
 * - the connection (bfd_dplane_conn): feed the received stream bytes with
 *   bfd_dplane_conn_feed(), take whole messages with
 *   bfd_dplane_conn_next_msg() (partial and coalesced messages are
 *   reassembled, unknown types skipped by their length), queue messages with
 *   bfd_dplane_conn_send() and take the bytes to write with
 *   bfd_dplane_conn_poll();
 * - the mapper (bfd_dplane_map): applies bfdd's messages to a session table
 *   (add, update, AdminDown, delete with goodbye, counters) and turns the
 *   table's state and parameter changes into BFD_STATE_CHANGE messages.
 *
 * @par Wire format
 * Every message starts with an 8-byte header in network byte order: version
 * (u8), zero (u8), type (u16), id (u16; 0 = unsolicited, otherwise it pairs a
 * request and its reply), length (u16, the whole message). The body follows,
 * fields in network byte order, addresses as 16 bytes (IPv4 in the first 4).
 * The body of each known type has exactly one length per version
 * (bfd_dplane_body_len()); any other length is BFD_ERR_DPLANE_LENGTH.
 *
 * @par Errors
 * A version other than 1 or 2 (or, on a connection, other than the one in
 * use), a length below 8 or a known type with the wrong body length cannot
 * be resynchronised on a stream: the connection is dead. bfd_dplane_conn
 * then returns the error once, returns BFD_ERR_DPLANE_CLOSED from every
 * later call, and has delivered nothing of the bad message; close the
 * socket. Nothing else (no session) is touched.
 *
 * @since 0.2.0
 */
#ifndef BFD_BFD_DPLANE_H
#define BFD_BFD_DPLANE_H

#include <stddef.h>
#include <stdint.h>

#include <bfd/bfd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Wire constants                                                           */
/* ------------------------------------------------------------------------ */

/** bfdd's default TCP port for the data plane channel. @since 0.2.0 */
#define BFD_DPLANE_PORT 50700
/** Header length. @since 0.2.0 */
#define BFD_DPLANE_HDR_LEN 8
/** The protocol version of FRR 8.4.4 (and every release up to 10.x).
 *  @since 0.2.0 */
#define BFD_DPLANE_VERSION_1 1
/** FRR's development branch: the session body grows by the SBFD/SRv6
 *  fields (348 bytes instead of 132); other bodies are unchanged.
 *  @since 0.2.0 */
#define BFD_DPLANE_VERSION_2 2
/** The largest message this library encodes (a version 2 session).
 *  @since 0.2.0 */
#define BFD_DPLANE_MSG_MAX (BFD_DPLANE_HDR_LEN + 348)

/** Message types (bfddp_message_type). @since 0.2.0 */
enum {
  BFD_DPLANE_ECHO_REQUEST = 0,     /**< either way: a timestamp to echo */
  BFD_DPLANE_ECHO_REPLY = 1,       /**< the echo, with the other side's time */
  BFD_DPLANE_ADD_SESSION = 2,      /**< bfdd -> data plane: add or update */
  BFD_DPLANE_DELETE_SESSION = 3,   /**< bfdd -> data plane: delete */
  BFD_DPLANE_STATE_CHANGE = 4,     /**< data plane -> bfdd, id 0 */
  BFD_DPLANE_REQUEST_COUNTERS = 5, /**< bfdd -> data plane, id nonzero */
  BFD_DPLANE_SESSION_COUNTERS = 6  /**< the reply, with the request's id */
};

/** bfd_dplane_session.flags (bfddp_session_flag). @since 0.2.0 */
enum {
  BFD_DPLANE_F_MULTIHOP = 0x01, /**< RFC 5883 multihop */
  BFD_DPLANE_F_DEMAND = 0x02,   /**< demand mode (not supported: ignored) */
  BFD_DPLANE_F_CBIT = 0x04,     /**< set the C bit */
  BFD_DPLANE_F_ECHO = 0x08,     /**< echo function (not supported: ignored) */
  BFD_DPLANE_F_IPV6 = 0x10,     /**< the addresses are IPv6 */
  BFD_DPLANE_F_PASSIVE = 0x20,  /**< wait for the peer (RFC 5880 §6.1) */
  BFD_DPLANE_F_SHUTDOWN = 0x40  /**< administratively down */
};

/** bfd_dplane_state.remote_flags (bfd_remote_flags). @since 0.2.0 */
enum {
  BFD_DPLANE_RF_CPI = 0x01,    /**< the remote's C bit */
  BFD_DPLANE_RF_DEMAND = 0x02, /**< the remote's D bit */
  BFD_DPLANE_RF_MP = 0x04      /**< the remote's M bit */
};

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */
/* ------------------------------------------------------------------------ */

/** ECHO_REQUEST / ECHO_REPLY body (16 bytes). @since 0.2.0 */
typedef struct bfd_dplane_echo {
  uint64_t dp_time;   /**< the data plane's timestamp (any unit; echoed) */
  uint64_t bfdd_time; /**< bfdd's, µs since the epoch, in a reply */
} bfd_dplane_echo;

/** ADD_SESSION / DELETE_SESSION body: 132 bytes in version 1, 348 in
 *  version 2. Every byte is kept, reserved ones included, so encoding a
 *  decoded message gives the same bytes. @since 0.2.0 */
typedef struct bfd_dplane_session {
  uint32_t flags;           /**< BFD_DPLANE_F_* */
  uint8_t src[16];          /**< local address (IPv4 in the first 4 bytes) */
  uint8_t dst[16];          /**< peer address (IPv4 in the first 4 bytes) */
  uint32_t lid;             /**< bfdd's local discriminator, unique in bfdd */
  uint32_t min_tx_us;       /**< Desired Min TX */
  uint32_t min_rx_us;       /**< Required Min RX */
  uint32_t min_echo_tx_us;  /**< echo TX interval (negotiated by bfdd) */
  uint32_t min_echo_rx_us;  /**< Required Min Echo RX */
  uint32_t hold_time_ms;    /**< wait before starting (0 as sent by 8.4.4) */
  uint8_t ttl;              /**< multihop: the minimum received TTL; 255 on single-hop */
  uint8_t detect_mult;      /**< Detect Mult */
  uint16_t zero;            /**< reserved */
  uint32_t ifindex;         /**< interface index in bfdd's namespace, 0 = none */
  char ifname[64];          /**< interface name, "" = none; all 64 bytes kept */
  /* version 2 */
  uint8_t bfd_mode;         /**< v2: 0 BFD, 1 SBFD echo, 2 SBFD initiator */
  uint8_t encap_type;       /**< v2: 0 none, 1 SRv6 */
  uint8_t seg_num;          /**< v2: valid entries of seg_list */
  uint8_t zero2;            /**< v2: reserved */
  uint32_t remote_discr;    /**< v2: SBFD initiator's known remote discriminator */
  uint8_t srv6_source[16];  /**< v2: SRv6 outer source */
  uint8_t seg_list[8][16];  /**< v2: SRv6 SID list */
  char bfd_name[64];        /**< v2: the session's name; all 64 bytes kept */
} bfd_dplane_session;

/** BFD_STATE_CHANGE body (28 bytes: 27 and one byte of padding, as a C
 *  sender's sizeof gives). @since 0.2.0 */
typedef struct bfd_dplane_state {
  uint32_t lid;                 /**< the session */
  uint32_t rid;                 /**< the remote's discriminator, 0 = unknown */
  uint32_t remote_flags;        /**< BFD_DPLANE_RF_* */
  uint32_t desired_tx_us;       /**< the remote's Desired Min TX */
  uint32_t required_rx_us;      /**< the remote's Required Min RX */
  uint32_t required_echo_rx_us; /**< the remote's Required Min Echo RX */
  uint8_t state;                /**< the data plane's local state, BFD_STATE_* */
  uint8_t diag;                 /**< a diagnostic, BFD_DIAG_* (see bfd_dplane_map) */
  uint8_t detect_mult;          /**< the remote's Detect Mult */
  uint8_t pad;                  /**< padding */
} bfd_dplane_state;

/** BFD_SESSION_COUNTERS body (72 bytes). @since 0.2.0 */
typedef struct bfd_dplane_counters {
  uint32_t lid;            /**< the session */
  uint32_t pad;            /**< padding (the u64 alignment) */
  uint64_t ctrl_in_bytes;  /**< control bytes received */
  uint64_t ctrl_in_pkts;   /**< control packets received */
  uint64_t ctrl_out_bytes; /**< control bytes sent */
  uint64_t ctrl_out_pkts;  /**< control packets sent */
  uint64_t echo_in_bytes;  /**< echo bytes received */
  uint64_t echo_in_pkts;   /**< echo packets received */
  uint64_t echo_out_bytes; /**< echo bytes sent */
  uint64_t echo_out_pkts;  /**< echo packets sent */
} bfd_dplane_counters;

/**
 * One decoded message: the header, then one body member per kind; only the
 * member of `type` is meaningful (the others are zero after a decode).
 * Not a versioned struct: it is an output of this library, never read
 * across versions; fill it with bfd_dplane_msg_init().
 * @since 0.2.0
 */
typedef struct bfd_dplane_msg {
  uint8_t version;     /**< BFD_DPLANE_VERSION_1 or _2 */
  uint8_t zero;        /**< the header's reserved byte, kept */
  uint16_t type;       /**< BFD_DPLANE_* message type */
  uint16_t id;         /**< 0, or pairs request and reply */
  uint16_t length;     /**< the whole message; set by encode */
  bfd_dplane_echo echo;         /**< ECHO_REQUEST, ECHO_REPLY */
  bfd_dplane_session session;   /**< ADD_SESSION, DELETE_SESSION */
  bfd_dplane_state state;       /**< STATE_CHANGE */
  uint32_t counters_lid;        /**< REQUEST_COUNTERS: the session */
  bfd_dplane_counters counters; /**< SESSION_COUNTERS */
} bfd_dplane_msg;

/**
 * @brief Zero `msg` and set its header.
 * @param msg     out.
 * @param version BFD_DPLANE_VERSION_1 or _2.
 * @param type    a BFD_DPLANE_* message type.
 * @param id      the id (0 = unsolicited).
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT `msg` NULL or `type` unknown.
 * @retval BFD_ERR_DPLANE_VERSION   `version` is neither 1 nor 2.
 * @since 0.2.0
 */
BFD_EXTERN int bfd_dplane_msg_init(bfd_dplane_msg *msg, uint8_t version, uint16_t type,
                                   uint16_t id);

/**
 * @brief The body length of a known type in a version (the header excluded).
 * @param version BFD_DPLANE_VERSION_1 or _2.
 * @param type    a message type.
 * @return the length (16, 132/348, 28, 4 or 72), or:
 * @retval BFD_ERR_DPLANE_VERSION   `version` is neither 1 nor 2.
 * @retval BFD_ERR_INVALID_ARGUMENT `type` is not a known type.
 * @since 0.2.0
 */
BFD_EXTERN ptrdiff_t bfd_dplane_body_len(uint8_t version, uint16_t type);

/**
 * @brief Decode the message at the start of `buf`. Reads at most `len`
 * bytes, and only the header's length of them.
 * @param msg out: filled when the return is positive and the type known;
 *            for an unknown type only the header fields are set (the body
 *            members zero); untouched otherwise.
 * @param buf the bytes.
 * @param len their number.
 * @return the message's length (> 0; the bytes to skip, also for an
 *         unknown type), 0 when `buf` does not hold a whole message yet
 *         (fewer than 8 bytes, or fewer than the header's length), or:
 * @retval BFD_ERR_INVALID_ARGUMENT `msg` NULL, or `buf` NULL with `len` > 0.
 * @retval BFD_ERR_DPLANE_VERSION the version byte is neither 1 nor 2
 *         (checked once the 8 header bytes are there).
 * @retval BFD_ERR_DPLANE_LENGTH  the header's length is below 8, or a known
 *         type's body is not bfd_dplane_body_len() long.
 * @since 0.2.0
 */
BFD_EXTERN ptrdiff_t bfd_dplane_msg_decode(bfd_dplane_msg *msg, const uint8_t *buf, size_t len);

/**
 * @brief Encode `msg` (its version, type and id; the length is the
 * type's, `msg->length` is ignored).
 * @param buf    out.
 * @param buflen its size; BFD_DPLANE_MSG_MAX is always enough.
 * @param msg    the message.
 * @return the bytes written (> 0), or:
 * @retval BFD_ERR_INVALID_ARGUMENT `buf` or `msg` NULL, or an unknown type.
 * @retval BFD_ERR_DPLANE_VERSION   `msg->version` is neither 1 nor 2.
 * @retval BFD_ERR_NOBUF            `buflen` is too small; nothing written.
 * @since 0.2.0
 */
BFD_EXTERN ptrdiff_t bfd_dplane_msg_encode(uint8_t *buf, size_t buflen, const bfd_dplane_msg *msg);

/** @brief A message type's name ("ADD_SESSION", ...).
 *  @param type a message type.
 *  @return never NULL; "(unknown)" for other values. @since 0.2.0 */
BFD_EXTERN const char *bfd_dplane_type_name(uint16_t type);

/* ------------------------------------------------------------------------ */
/* Connection: stream framing and the output queue                          */
/* ------------------------------------------------------------------------ */

/** One bfddp connection's byte streams (opaque). @since 0.2.0 */
typedef struct bfd_dplane_conn bfd_dplane_conn;

/** The current bfd_dplane_conn_settings layout. @since 0.2.0 */
#define BFD_DPLANE_CONN_SETTINGS_VERSION 1

/** Connection settings; fill with bfd_dplane_conn_settings_init().
 *  @since 0.2.0 */
typedef struct bfd_dplane_conn_settings {
  uint32_t struct_version; /**< BFD_DPLANE_CONN_SETTINGS_VERSION */
  /** 0 (default): the version of the first message received, version 1
   *  until one is (bfdd always speaks first, and rejects a version other
   *  than its own); 1 or 2: only that version. A message of another
   *  version is BFD_ERR_DPLANE_VERSION. */
  uint8_t version;
  uint8_t reserved0[3]; /**< 0 */
  /** The most bytes bfd_dplane_conn_send() queues; beyond it the send is
   *  BFD_ERR_NOBUF (the peer is not reading). 0 (default) = 1 MiB. */
  uint32_t max_out;
} bfd_dplane_conn_settings;

/** @brief Defaults for the caller's struct version.
 *  @param version  BFD_DPLANE_CONN_SETTINGS_VERSION.
 *  @param settings out.
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `settings` NULL.
 *  @retval BFD_ERR_VERSION unknown `version`; nothing written.
 *  @since 0.2.0 */
BFD_EXTERN int bfd_dplane_conn_settings_init(uint32_t version,
                                             bfd_dplane_conn_settings *settings);

/** @brief Create a connection's state (one per accepted/connected socket).
 *  @param pconn    out; untouched on failure.
 *  @param settings NULL for defaults; copied.
 *  @param mem      NULL for libc; kept by pointer.
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `pconn` NULL, settings->version not
 *          0, 1 or 2.
 *  @retval BFD_ERR_VERSION unknown settings->struct_version.
 *  @retval BFD_ERR_NOMEM   out of memory.
 *  @since 0.2.0 */
BFD_EXTERN int bfd_dplane_conn_new(bfd_dplane_conn **pconn,
                                   const bfd_dplane_conn_settings *settings,
                                   const bfd_mem *mem);

/** @brief Free a connection's state and its queued bytes.
 *  @param conn the connection; NULL is a no-op. @since 0.2.0 */
BFD_EXTERN void bfd_dplane_conn_del(bfd_dplane_conn *conn);

/** @brief Hand over received stream bytes (any split: a message may come
 *  in pieces, several in one piece). Nothing is decoded here: call
 *  bfd_dplane_conn_next_msg() until it returns 0.
 *  @param conn the connection.
 *  @param data the bytes; copied.
 *  @param len  their number (0 is fine).
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `conn` NULL, or `data` NULL with `len`
 *          > 0.
 *  @retval BFD_ERR_DPLANE_CLOSED the connection failed before: drop it.
 *  @retval BFD_ERR_NOMEM out of memory; the bytes were not taken (the
 *          stream is then incomplete: drop the connection).
 *  @since 0.2.0 */
BFD_EXTERN int bfd_dplane_conn_feed(bfd_dplane_conn *conn, const uint8_t *data, size_t len);

/** @brief The next whole message received. Unknown types are skipped by
 *  their length (counted in bfd_dplane_conn_stats.skipped). A bad message
 *  fails the connection: it is returned as an error once, nothing of it is
 *  delivered, and every later call returns BFD_ERR_DPLANE_CLOSED.
 *  @param conn the connection.
 *  @param msg  out: the message when the return is 1.
 *  @return 1 (a message), 0 (none complete yet), or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `conn` or `msg` NULL.
 *  @retval BFD_ERR_DPLANE_VERSION a version other than 1 or 2, or other
 *          than the connection's (bfd_dplane_conn_settings.version).
 *  @retval BFD_ERR_DPLANE_LENGTH  a length below 8, or a known type with a
 *          body of the wrong length.
 *  @retval BFD_ERR_DPLANE_CLOSED  the connection failed before.
 *  @since 0.2.0 */
BFD_EXTERN int bfd_dplane_conn_next_msg(bfd_dplane_conn *conn, bfd_dplane_msg *msg);

/** @brief Queue a message to send, in the connection's version (its
 *  configured one, else the one learned, else 1; `msg->version` is
 *  ignored).
 *  @param conn the connection.
 *  @param msg  the message (type, id, body).
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `conn` or `msg` NULL, unknown type.
 *  @retval BFD_ERR_DPLANE_CLOSED the connection failed: drop it.
 *  @retval BFD_ERR_NOBUF the queue would exceed max_out; nothing queued.
 *  @retval BFD_ERR_NOMEM out of memory; nothing queued.
 *  @since 0.2.0 */
BFD_EXTERN int bfd_dplane_conn_send(bfd_dplane_conn *conn, const bfd_dplane_msg *msg);

/** @brief Take queued bytes to write: copies up to `buflen` of them into
 *  `buf` and removes them from the queue (messages may be split across
 *  calls; the stream stays in order).
 *  @param conn   the connection.
 *  @param buf    out.
 *  @param buflen its size.
 *  @return the bytes copied, 0 when nothing is queued, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `conn` or `buf` NULL.
 *  @since 0.2.0 */
BFD_EXTERN ptrdiff_t bfd_dplane_conn_poll(bfd_dplane_conn *conn, uint8_t *buf, size_t buflen);

/** @brief Queued bytes not yet taken by bfd_dplane_conn_poll().
 *  @param conn the connection (NULL gives 0).
 *  @return the count. @since 0.2.0 */
BFD_EXTERN size_t bfd_dplane_conn_pending(const bfd_dplane_conn *conn);

/** @brief Why the connection failed.
 *  @param conn the connection.
 *  @return 0 while it is usable, else the BFD_ERR_DPLANE_* that failed it
 *          (BFD_ERR_INVALID_ARGUMENT for a NULL `conn`). @since 0.2.0 */
BFD_EXTERN int bfd_dplane_conn_error(const bfd_dplane_conn *conn);

/** @brief The version in use for sending: the configured one, the learned
 *  one, or 1.
 *  @param conn the connection.
 *  @return 1 or 2; 0 for a NULL `conn`. @since 0.2.0 */
BFD_EXTERN uint8_t bfd_dplane_conn_version(const bfd_dplane_conn *conn);

/** Connection counters. @since 0.2.0 */
typedef struct bfd_dplane_conn_stats {
  uint64_t bytes_in;  /**< bytes fed */
  uint64_t bytes_out; /**< bytes polled */
  uint64_t msgs_in;   /**< messages delivered by next_msg */
  uint64_t msgs_out;  /**< messages queued by send */
  uint64_t skipped;   /**< messages of unknown types skipped */
} bfd_dplane_conn_stats;

/** @brief Fill `stats`.
 *  @param conn  the connection.
 *  @param stats out.
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `conn` or `stats` NULL.
 *  @since 0.2.0 */
BFD_EXTERN int bfd_dplane_conn_get_stats(const bfd_dplane_conn *conn,
                                         bfd_dplane_conn_stats *stats);

/* ------------------------------------------------------------------------ */
/* Mapper: bfdd's sessions on a session table                               */
/* ------------------------------------------------------------------------ */

/**
 * @brief Translate an ADD_SESSION body into the core's settings and key.
 *
 * - local_discr = `lid` (bfdd chooses the discriminators; the table takes
 *   an explicit one), desired_min_tx_us / required_min_rx_us / detect_mult
 *   as sent (µs);
 * - mode BFD_MODE_MULTIHOP with BFD_DPLANE_F_MULTIHOP, and then min_rx_ttl =
 *   `ttl` (bfdd's minimum TTL, 254 by default); single-hop keeps the core's
 *   255 (RFC 5881 §5) whatever `ttl` says;
 * - passive = BFD_DPLANE_F_PASSIVE, admin_down = BFD_DPLANE_F_SHUTDOWN
 *   (AdminDown with diag 7, RFC 5880 §6.8.16), cpi = BFD_DPLANE_F_CBIT;
 * - not supported, ignored: BFD_DPLANE_F_ECHO (no echo function: the
 *   session advertises Required Min Echo RX 0 so no peer sends it echo
 *   packets, and detection runs on control packets alone; min_echo_tx_us
 *   and min_echo_rx_us are ignored), BFD_DPLANE_F_DEMAND (the core runs
 *   asynchronous mode only), hold_time_ms, and the version 2 SBFD fields;
 * - the key: family from BFD_DPLANE_F_IPV6, `dst` the peer, `src` the local
 *   address (zero = any), `ifindex` for single-hop sessions (multihop
 *   sessions match any interface).
 * Every other setting is bfd_session_settings_init()'s.
 * @param msg      the body.
 * @param settings out (the current layout).
 * @param key      out.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT a NULL argument, or `lid` 0.
 * @since 0.2.0
 */
BFD_EXTERN int bfd_dplane_session_to_core(const bfd_dplane_session *msg,
                                          bfd_session_settings *settings, bfd_session_key *key);

/**
 * @brief The BFD_STATE_CHANGE body for a session, from
 * bfd_session_get_status(): `lid` our discriminator, `rid`, the remote's
 * timers and Detect Mult as last received, remote_flags
 * BFD_DPLANE_RF_DEMAND from the remote's D bit (the C and M bits are not
 * kept by the core: 0), `state` our state, and `diag` **our** diagnostic
 * (bfd.LocalDiag: why we are in that state, e.g. 1 after a detection
 * timeout). bfddp_packet.h calls the field the remote's diagnostic; bfdd
 * 8.4.4 only stores it and shows it as "Remote diagnostics", and our own
 * is the one that explains the state it is sent with.
 * @param session the session.
 * @param out     out.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT a NULL argument.
 * @since 0.2.0
 */
BFD_EXTERN int bfd_dplane_state_from_session(const bfd_session *session, bfd_dplane_state *out);

/** bfdd's sessions on a table (opaque). @since 0.2.0 */
typedef struct bfd_dplane_map bfd_dplane_map;

/** The current bfd_dplane_ops layout. @since 0.2.0 */
#define BFD_DPLANE_OPS_VERSION 1

/**
 * How the mapper creates, changes and removes sessions, for a host whose
 * sessions need more than the table (the libuv adapter opens a socket per
 * session: bfd_uv_peer_add() / _update() / _remove()). NULL ops (or a NULL
 * member) act on the table directly: bfd_table_add_session(),
 * bfd_session_update() and bfd_session_goodbye() with the `now` of the
 * bfd_dplane_map_handle() call. Each returns 0 or a BFD_ERR_*, which
 * bfd_dplane_map_handle() returns.
 * @since 0.2.0
 */
typedef struct bfd_dplane_ops {
  uint32_t struct_version; /**< BFD_DPLANE_OPS_VERSION */
  uint32_t reserved0;      /**< 0 */
  /** Create the session: `settings` and `key` from
   *  bfd_dplane_session_to_core(), `msg` the body they came from. Set
   *  `*psession` on success. */
  int (*add)(bfd_dplane_map *map, bfd_session **psession, const bfd_session_settings *settings,
             const bfd_session_key *key, const bfd_dplane_session *msg, void *user_data);
  /** Change a live session to `settings`; return BFD_ERR_CFG_IMMUTABLE if
   *  the key (or anything else that cannot change) differs: the mapper
   *  then removes the session and adds it anew. */
  int (*update)(bfd_dplane_map *map, bfd_session *session, const bfd_session_settings *settings,
                const bfd_session_key *key, const bfd_dplane_session *msg, void *user_data);
  /** Remove the session with a goodbye (AdminDown to the peer). The mapper
   *  has forgotten it already. */
  int (*remove)(bfd_dplane_map *map, bfd_session *session, void *user_data);
} bfd_dplane_ops;

/** @brief Fill `ops` with NULL members (act on the table).
 *  @param version BFD_DPLANE_OPS_VERSION.
 *  @param ops     out.
 *  @return 0, or:
 *  @retval BFD_ERR_INVALID_ARGUMENT `ops` NULL.
 *  @retval BFD_ERR_VERSION unknown `version`; nothing written.
 *  @since 0.2.0 */
BFD_EXTERN int bfd_dplane_ops_init(uint32_t version, bfd_dplane_ops *ops);

/**
 * @brief Create a mapper for `table`.
 * @param pmap      out; untouched on failure.
 * @param table     the table bfdd's sessions live in; kept by pointer.
 * @param ops       NULL: act on the table; copied.
 * @param mem       NULL for libc; kept by pointer.
 * @param user_data passed to `ops`.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT `pmap` or `table` NULL.
 * @retval BFD_ERR_VERSION unknown ops->struct_version.
 * @retval BFD_ERR_NOMEM   out of memory.
 * @since 0.2.0
 */
BFD_EXTERN int bfd_dplane_map_new(bfd_dplane_map **pmap, bfd_table *table,
                                  const bfd_dplane_ops *ops, const bfd_mem *mem, void *user_data);

/** @brief Free the mapper. Its sessions stay in the table, running.
 *  @param map the mapper; NULL is a no-op. @since 0.2.0 */
BFD_EXTERN void bfd_dplane_map_del(bfd_dplane_map *map);

/**
 * @brief Set the connection to bfdd that replies and state changes go to
 * (NULL: bfdd is away; sessions keep running and nothing is sent). A new
 * connection forgets what was sent on the old one: every session is
 * reported again with its next ADD_SESSION (bfdd re-sends them all on
 * connect), and every session counts as not confirmed until then (see
 * bfd_dplane_map_sweep()).
 * @param map  the mapper.
 * @param conn the connection, or NULL; kept by pointer until the next
 *             call (attach NULL before bfd_dplane_conn_del()).
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT `map` NULL.
 * @since 0.2.0
 */
BFD_EXTERN int bfd_dplane_map_attach(bfd_dplane_map *map, bfd_dplane_conn *conn);

/**
 * @brief Apply one message from bfdd. The session's own callbacks (state,
 * params) run inside, as for the core calls this makes.
 * - ADD_SESSION: a new `lid` is created (ops->add), a known one updated
 *   (ops->update: timers with a Poll Sequence, SHUTDOWN in and out of
 *   AdminDown, PASSIVE; a changed key or mode removes and re-adds it); then
 *   the session's current state is sent unless this connection has been
 *   told exactly that already. A new `lid` whose key (addresses,
 *   interface, mode) is that of a session not yet re-sent on this
 *   connection is that session re-learned from a restarted bfdd (which
 *   draws new discriminators): the running session answers to the new
 *   `lid` from now on and keeps its own discriminator on the wire, so the
 *   peer sees no change (bfd_session_get_local_discr() then differs from
 *   bfdd's `lid`).
 * - DELETE_SESSION: the session is forgotten and removed with a goodbye
 *   (ops->remove): AdminDown, diag 7, to the peer.
 * - REQUEST_COUNTERS: answered at once with the same id, from the
 *   session's status: control packets in/out, bytes = packets x 24 (bfddp
 *   sessions have no authentication; the core counts packets), echo 0. An
 *   unknown `lid` is answered with zeros: bfdd blocks until the reply.
 * - ECHO_REQUEST: answered with ECHO_REPLY, dp_time echoed, bfdd_time =
 *   `now` in µs.
 * - ECHO_REPLY, STATE_CHANGE, SESSION_COUNTERS: ignored (0).
 * Replies go to the attached connection (none: not sent).
 * @param map the mapper.
 * @param msg a message from bfd_dplane_conn_next_msg().
 * @param now the current time (for the table's calls).
 * @return 0, or (the connection stays usable; the message had no effect
 *         unless said):
 * @retval BFD_ERR_INVALID_ARGUMENT `map` or `msg` NULL, or an ADD/DELETE
 *         with `lid` 0.
 * @retval BFD_ERR_NOT_FOUND DELETE_SESSION of an unknown `lid`.
 * @retval any error of ops->add / ops->update (bfd_table_add_session(),
 *         bfd_session_update(): BFD_ERR_CFG_*, BFD_ERR_EXISTS, BFD_ERR_NOMEM,
 *         BFD_ERR_CLOCK_BACKWARDS, BFD_ERR_CALLBACK_FAILURE, ...); a failed
 *         re-add after a key change leaves the lid removed. An error of
 *         ops->remove is returned after the session was forgotten.
 * @retval BFD_ERR_NOBUF, BFD_ERR_NOMEM, BFD_ERR_DPLANE_CLOSED the reply or
 *         state change could not be queued (bfd_dplane_conn_send()); the
 *         session change was made.
 * @since 0.2.0
 */
BFD_EXTERN int bfd_dplane_map_handle(bfd_dplane_map *map, const bfd_dplane_msg *msg,
                                     uint64_t now);

/**
 * @brief Tell bfdd about a change of one of its sessions: call it from the
 * table's state_change and params callbacks (it only reads the session, so
 * it may run inside them). Sends a STATE_CHANGE
 * (bfd_dplane_state_from_session()) when it differs from the last one sent
 * on this connection; so every state change and every change of the
 * remote's parameters reaches bfdd once.
 * @param map     the mapper.
 * @param session a session of the table (others are ignored).
 * @return 0 (also when not one of bfdd's sessions, or no connection is
 *         attached), or:
 * @retval BFD_ERR_INVALID_ARGUMENT `map` or `session` NULL.
 * @retval BFD_ERR_NOBUF, BFD_ERR_NOMEM, BFD_ERR_DPLANE_CLOSED as
 *         bfd_dplane_conn_send(); the change is sent with the next one.
 * @since 0.2.0
 */
BFD_EXTERN int bfd_dplane_map_session_changed(bfd_dplane_map *map, const bfd_session *session);

/**
 * @brief Remove, with a goodbye, every session bfdd has not sent an
 * ADD_SESSION for since the last bfd_dplane_map_attach() of a connection:
 * sessions deleted in bfdd while it was away. Call it once bfdd's
 * registration burst is over (bfdd sends no end marker; a few seconds after
 * connecting).
 * @param map the mapper.
 * @param now the current time.
 * @return the number of sessions removed (>= 0), or:
 * @retval BFD_ERR_INVALID_ARGUMENT `map` NULL.
 * @retval any ops->remove error (the sessions are forgotten regardless).
 * @since 0.2.0
 */
BFD_EXTERN int bfd_dplane_map_sweep(bfd_dplane_map *map, uint64_t now);

/** @brief The session of bfdd's `lid`.
 *  @param map the mapper.
 *  @param lid bfdd's local discriminator.
 *  @return the session, or NULL (unknown, or a NULL `map`). @since 0.2.0 */
BFD_EXTERN bfd_session *bfd_dplane_map_find(const bfd_dplane_map *map, uint32_t lid);

/** @brief The number of bfdd's sessions.
 *  @param map the mapper (NULL gives 0).
 *  @return the count. @since 0.2.0 */
BFD_EXTERN size_t bfd_dplane_map_size(const bfd_dplane_map *map);

#ifdef __cplusplus
}
#endif

#endif /* BFD_BFD_DPLANE_H */
