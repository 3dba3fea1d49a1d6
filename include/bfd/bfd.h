/**
 * @file bfd.h
 * @brief bfdkit core API: codec, sessions, session table.
 *
 * bfdkit: an embeddable, sans-io implementation of Bidirectional Forwarding
 * Detection (RFC 5880, 5881, 5882, 5883).
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 *
 * This header needs only <stdint.h> and <stddef.h>. Everything in it is a real
 * function or a plain constant, every struct field is a fixed-width integer or
 * a fixed-size array of them, so it can be used from FFI (ctypes, bindgen,
 * cgo) without a C compiler in the loop.
 *
 * The library performs no I/O, reads no clock, starts no threads and keeps no
 * global mutable state. The host feeds received datagrams and the current time
 * (monotonic nanoseconds from any origin), pulls outgoing datagrams into its
 * own buffers, and asks for the next deadline. See docs/guide.md.
 */
#ifndef BFD_BFD_H
#define BFD_BFD_H

#include <stddef.h>
#include <stdint.h>

#include <bfd/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Export macro: visibility("default") while building the shared library,
 * nothing for static builds and consumers on ELF platforms. */
#if defined(BFD_STATICLIB)
#  define BFD_EXTERN
#elif defined(_WIN32)
#  if defined(BUILDING_BFDKIT)
#    define BFD_EXTERN __declspec(dllexport)
#  else
#    define BFD_EXTERN __declspec(dllimport)
#  endif
#elif defined(BUILDING_BFDKIT) && defined(__GNUC__)
#  define BFD_EXTERN __attribute__((visibility("default")))
#else
#  define BFD_EXTERN
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * @enum bfd_error_code
 * Error codes. Every fallible function returns 0 (or a non-negative length)
 * on success and one of these negative values on failure. They live in one
 * band, -200 .. -299, so a host can tell them from its own codes.
 * Named `bfd_error` before 0.2.0; renamed because GNU binutils' <bfd.h>
 * has an `enum bfd_error`, and daemons include both.
 * @since 0.1.0
 */
typedef enum bfd_error_code {
  /* Generic */
  BFD_ERR_INVALID_ARGUMENT = -201, /**< NULL pointer or out-of-range argument */
  BFD_ERR_NOMEM = -202,            /**< allocator returned NULL (fatal) */
  BFD_ERR_NOBUF = -203,            /**< caller's buffer is too small */
  BFD_ERR_CLOCK_BACKWARDS = -204,  /**< `now` is earlier than a previous call */
  BFD_ERR_CALLBACK_FAILURE = -205, /**< a host callback returned nonzero (fatal) */
  BFD_ERR_VERSION = -206,          /**< unknown struct_version */
  BFD_ERR_EXISTS = -207,           /**< session key or discriminator in use */
  BFD_ERR_NOT_FOUND = -208,        /**< no such session */
  BFD_ERR_FULL = -209,             /**< no unique discriminator could be drawn */
  BFD_ERR_NOT_BUILT = -210,        /**< feature compiled out of this build */
  BFD_ERR_IO = -211,               /**< socket error (adapters only) */

  /* Packet decoding, RFC 5880 §6.8.6, in the order the RFC checks them */
  BFD_ERR_PKT_TRUNCATED = -220,    /**< datagram shorter than 24 bytes */
  BFD_ERR_PKT_VERSION = -221,      /**< version is not 1 */
  BFD_ERR_PKT_LENGTH_SHORT = -222, /**< Length < 24, or < 26 with the A bit */
  BFD_ERR_PKT_LENGTH_LONG = -223,  /**< Length exceeds the datagram */
  BFD_ERR_PKT_DETECT_MULT = -224,  /**< Detect Mult is 0 */
  BFD_ERR_PKT_MULTIPOINT = -225,   /**< M bit set */
  BFD_ERR_PKT_MY_DISCR = -226,     /**< My Discriminator is 0 */
  BFD_ERR_PKT_POLL_FINAL = -227,   /**< P and F both set (§6.5) */
  BFD_ERR_PKT_AUTH_TYPE = -228,    /**< A bit with a reserved Auth Type */
  BFD_ERR_PKT_AUTH_LEN = -229,     /**< Auth Len does not fit its type or Length */

  /* Packet acceptance, needs session context */
  BFD_ERR_PKT_NO_SESSION = -240,   /**< no session for Your Discr / key */
  BFD_ERR_PKT_YOUR_DISCR = -241,   /**< Your Discr 0 while State is Init/Up */
  BFD_ERR_PKT_AUTH_MISMATCH = -242,/**< A bit does not match configuration */
  BFD_ERR_PKT_AUTH_FAILED = -243,  /**< authentication did not verify */
  BFD_ERR_PKT_TTL = -244,          /**< TTL/Hop Limit below the minimum (GTSM) */
  BFD_ERR_PKT_MODE = -245,         /**< arrived on the other port's mode */
  /** Not returned since 0.2.0 (a packet received while AdminDown gives
   *  BFD_FEED_ADMIN_DOWN); the value stays reserved. */
  BFD_ERR_PKT_ADMIN_DOWN = -246,
  BFD_ERR_PKT_LOOPED = -247,       /**< our own packet came back (see BFD_RX_SELF) */

  /* Configuration */
  BFD_ERR_CFG_DETECT_MULT = -260,  /**< Detect Mult 0 */
  BFD_ERR_CFG_MIN_TX = -261,       /**< Desired Min TX 0 (reserved, §4.1) */
  BFD_ERR_CFG_MIN_RX = -262,       /**< Required Min RX 0 */
  BFD_ERR_CFG_MODE = -263,         /**< unknown mode */
  BFD_ERR_CFG_POLICY = -264,       /**< unknown nexthop-shutdown policy */
  BFD_ERR_CFG_IMMUTABLE = -265,    /**< field cannot change on a live session */
  BFD_ERR_CFG_KEY = -266,          /**< invalid session key (family/address) */
  BFD_ERR_CFG_FLAG = -267,         /**< a boolean field is not 0 or 1 */
  BFD_ERR_CFG_AUTH = -268,         /**< invalid authentication configuration */
  BFD_ERR_CFG_TTL = -269,          /**< single-hop min_rx_ttl other than 0/255 */
  BFD_ERR_CFG_GOVERNOR = -270,     /**< invalid bfd_governor_settings (0.2.0) */
  BFD_ERR_CFG_PACING = -271,       /**< start pacing above BFD_START_PACING_MAX (0.2.0) */

  /* bfddp, FRR's data plane channel (bfd/bfd_dplane.h, 0.2.0): the
   * connection is dead, drop it */
  BFD_ERR_DPLANE_VERSION = -280,   /**< bfddp message version not 1/2, or not the connection's */
  BFD_ERR_DPLANE_LENGTH = -281,    /**< bfddp length below 8, or a body of the wrong length */
  BFD_ERR_DPLANE_CLOSED = -282,    /**< the bfddp connection failed before */
  /* -290 .. -299 are the adapters' (BFD_UV_ERR_* in bfd_uv.h,
   * bfd_uv_strerror()); bfd_strerror() does not know them. */
} bfd_error_code;

/**
 * @brief A static, human-readable description of an error code.
 * @param error_code any value; unknown codes give "(unknown)".
 * @return never NULL.
 * @since 0.1.0
 */
BFD_EXTERN const char *bfd_strerror(int error_code);

/**
 * @brief Enumerate the packet-drop reasons (the BFD_ERR_PKT_* codes), e.g.
 * to print drop counters: call with 0, 1, 2, ... until it returns 0.
 * @param index 0-based position.
 * @return the index-th BFD_ERR_PKT_* code, or 0 past the last one.
 * @since 0.1.0
 */
BFD_EXTERN int bfd_pkt_error_at(size_t index);

/**
 * @brief Whether an error leaves the object unusable.
 * @param error_code any value.
 * @return 1 for BFD_ERR_NOMEM and BFD_ERR_CALLBACK_FAILURE, otherwise 0.
 * @since 0.1.0
 */
BFD_EXTERN int bfd_err_is_fatal(int error_code);

/* ------------------------------------------------------------------------ */
/* Time                                                                     */
/* ------------------------------------------------------------------------ */

/** Timestamps: uint64_t nanoseconds from an arbitrary monotonic origin.
 *  @since 0.1.0 */
typedef uint64_t bfd_tstamp;
/** "No deadline". @since 0.1.0 */
#define BFD_TSTAMP_NONE UINT64_MAX
#define BFD_NANOSECONDS ((uint64_t)1ULL)           /**< 1 ns in bfd_tstamp units */
#define BFD_MICROSECONDS ((uint64_t)1000ULL)       /**< 1 µs in ns */
#define BFD_MILLISECONDS ((uint64_t)1000000ULL)    /**< 1 ms in ns */
#define BFD_SECONDS ((uint64_t)1000000000ULL)      /**< 1 s in ns */

/** @brief Microseconds (the wire unit) to nanoseconds.
 *  @param us microseconds.
 *  @return `us` x 1000 (cannot overflow). @since 0.1.0 */
BFD_EXTERN uint64_t bfd_us_to_ns(uint32_t us);
/** @brief Milliseconds to nanoseconds.
 *  @param ms milliseconds.
 *  @return nanoseconds, saturating at UINT64_MAX. @since 0.1.0 */
BFD_EXTERN uint64_t bfd_ms_to_ns(uint64_t ms);
/** @brief Seconds to nanoseconds.
 *  @param s seconds.
 *  @return nanoseconds, saturating at UINT64_MAX. @since 0.1.0 */
BFD_EXTERN uint64_t bfd_s_to_ns(uint64_t s);
/** @brief Nanoseconds to microseconds.
 *  @param ns nanoseconds.
 *  @return microseconds rounded up, saturating at UINT32_MAX.
 *  @since 0.1.0 */
BFD_EXTERN uint32_t bfd_ns_to_us(uint64_t ns);
/** @brief Nanoseconds to milliseconds, for timers that must never fire
 *  early.
 *  @param ns nanoseconds.
 *  @return milliseconds rounded up. @since 0.1.0 */
BFD_EXTERN uint64_t bfd_ns_to_ms_ceil(uint64_t ns);

/* ------------------------------------------------------------------------ */
/* Memory                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * A pluggable allocator. Pass NULL wherever a `const bfd_mem *` is taken to
 * use libc. The library keeps the pointer: the struct must outlive every
 * object created with it.
 * @since 0.1.0
 */
typedef struct bfd_mem {
  void *user_data; /**< passed to every function below */
  /** Like malloc(3). */
  void *(*malloc)(size_t size, void *user_data);
  /** Like free(3); never called with NULL. */
  void (*free)(void *ptr, void *user_data);
  /** Like calloc(3). */
  void *(*calloc)(size_t nmemb, size_t size, void *user_data);
  /** Like realloc(3). */
  void *(*realloc)(void *ptr, size_t size, void *user_data);
} bfd_mem;

/** @brief The libc allocator. @return never NULL. @since 0.1.0 */
BFD_EXTERN const bfd_mem *bfd_mem_default(void);

/* ------------------------------------------------------------------------ */
/* Protocol constants                                                       */
/* ------------------------------------------------------------------------ */

#define BFD_PORT_SINGLE_HOP 3784 /**< RFC 5881 §4 control */
#define BFD_PORT_ECHO 3785       /**< RFC 5881 §4 echo */
#define BFD_PORT_MULTIHOP 4784   /**< RFC 5883 §5 */
#define BFD_SRC_PORT_MIN 49152   /**< RFC 5881 §4 */
#define BFD_SRC_PORT_MAX 65535   /**< RFC 5881 §4 */
#define BFD_TTL_MAX 255          /**< RFC 5881 §5 (GTSM) */

#define BFD_VERSION_1 1          /**< the protocol version (§4.1) */
#define BFD_CTRL_LEN 24          /**< mandatory section */
#define BFD_CTRL_LEN_MAX 52      /**< 24 + the largest auth section (28) */

/** Session states (§4.1 "Sta"). @since 0.1.0 */
enum {
  BFD_STATE_ADMIN_DOWN = 0,
  BFD_STATE_DOWN = 1,
  BFD_STATE_INIT = 2,
  BFD_STATE_UP = 3
};

/** Diagnostic codes (§4.1 "Diag"). @since 0.1.0 */
enum {
  BFD_DIAG_NONE = 0,
  BFD_DIAG_DETECT_EXPIRED = 1,
  BFD_DIAG_ECHO_FAILED = 2,
  BFD_DIAG_NEIGHBOR_DOWN = 3,
  BFD_DIAG_FWD_RESET = 4,
  BFD_DIAG_PATH_DOWN = 5,
  BFD_DIAG_CONCAT_PATH_DOWN = 6,
  BFD_DIAG_ADMIN_DOWN = 7,
  BFD_DIAG_REV_CONCAT_PATH_DOWN = 8
};

/** Flag bits as they sit in the second octet of the packet (§4.1).
 *  @since 0.1.0 */
enum {
  BFD_FLAG_P = 0x20, /**< Poll */
  BFD_FLAG_F = 0x10, /**< Final */
  BFD_FLAG_C = 0x08, /**< Control Plane Independent */
  BFD_FLAG_A = 0x04, /**< Authentication Present */
  BFD_FLAG_D = 0x02, /**< Demand */
  BFD_FLAG_M = 0x01  /**< Multipoint (must be zero) */
};

/** Authentication types (§4.1 "Auth Type"). @since 0.1.0 */
enum {
  BFD_AUTH_NONE = 0, /**< reserved on the wire; "no authentication" in config */
  BFD_AUTH_SIMPLE = 1,
  BFD_AUTH_KEYED_MD5 = 2,
  BFD_AUTH_METICULOUS_KEYED_MD5 = 3,
  BFD_AUTH_KEYED_SHA1 = 4,
  BFD_AUTH_METICULOUS_KEYED_SHA1 = 5
};

/** Session modes: which transport rules apply. @since 0.1.0 */
enum {
  BFD_MODE_SINGLE_HOP = 0, /**< RFC 5881, port 3784, GTSM TTL 255 */
  BFD_MODE_MULTIHOP = 1    /**< RFC 5883, port 4784 */
};

/** Address families in bfd_session_key / bfd_rx_info (not the OS AF_*).
 *  @since 0.1.0 */
enum { BFD_AF_INET = 4, BFD_AF_INET6 = 6 };

/** @brief Name of a state.
 *  @param state BFD_STATE_*.
 *  @return "AdminDown", "Down", "Init", "Up"; "(unknown)" otherwise. Never
 *  NULL. @since 0.1.0 */
BFD_EXTERN const char *bfd_state_name(uint8_t state);
/** @brief Name of a diagnostic code.
 *  @param diag BFD_DIAG_*.
 *  @return a static string; "(unknown)" for reserved codes. Never NULL.
 *  @since 0.1.0 */
BFD_EXTERN const char *bfd_diag_name(uint8_t diag);
/** @brief Name of an authentication type.
 *  @param auth_type BFD_AUTH_*.
 *  @return a static string; "(unknown)" for reserved types. Never NULL.
 *  @since 0.1.0 */
BFD_EXTERN const char *bfd_auth_type_name(uint8_t auth_type);

/* ------------------------------------------------------------------------ */
/* Control packet codec (RFC 5880 §4.1 - §4.4)                              */
/* ------------------------------------------------------------------------ */

/**
 * The authentication section, any of the five types.
 * - Simple Password (§4.2): `key_id`, `data_len` = password length (1..16),
 *   `data` = password; `len` = 3 + data_len.
 * - Keyed / Meticulous Keyed MD5 (§4.3): `key_id`, `reserved`, `seq`,
 *   `data_len` = 16, `data` = digest; `len` = 24.
 * - Keyed / Meticulous Keyed SHA1 (§4.4): as MD5 with `data_len` = 20,
 *   `len` = 28.
 * @since 0.1.0
 */
typedef struct bfd_auth_section {
  uint8_t type;     /**< BFD_AUTH_* (never BFD_AUTH_NONE when present) */
  uint8_t len;      /**< Auth Len as on the wire */
  uint8_t key_id;   /**< Auth Key ID */
  uint8_t reserved; /**< MD5/SHA1 reserved octet, kept for byte-exact round trips */
  uint32_t seq;     /**< MD5/SHA1 sequence number (host order) */
  uint8_t data_len; /**< valid bytes in `data` */
  uint8_t data[20]; /**< password, or digest / key field */
  uint8_t pad[3];   /**< explicit padding, 0 */
} bfd_auth_section;

/**
 * A decoded control packet. Interval fields are in microseconds, as on the
 * wire, in host byte order.
 * @since 0.1.0
 */
typedef struct bfd_ctrl_pkt {
  uint8_t version;     /**< always 1 after a successful decode */
  uint8_t diag;        /**< 0..31 */
  uint8_t state;       /**< BFD_STATE_* */
  uint8_t flags;       /**< BFD_FLAG_* bits */
  uint8_t detect_mult; /**< Detect Mult */
  uint8_t length;      /**< Length field; the encoder computes it */
  uint8_t pad[2];      /**< explicit padding, 0 */
  uint32_t my_discr;   /**< My Discriminator */
  uint32_t your_discr; /**< Your Discriminator */
  uint32_t desired_min_tx_us;       /**< Desired Min TX Interval */
  uint32_t required_min_rx_us;      /**< Required Min RX Interval */
  uint32_t required_min_echo_rx_us; /**< Required Min Echo RX Interval */
  bfd_auth_section auth; /**< meaningful only when flags has BFD_FLAG_A */
} bfd_ctrl_pkt;

/**
 * @brief Decode and validate one control packet (RFC 5880 §6.8.6, the checks
 * that need no session: version, Length, Detect Mult, M bit, My
 * Discriminator, P+F (§6.5), and the auth section's layout).
 *
 * Bytes after Length are ignored (padding is allowed by §6.8.6). Without the
 * A bit, a Length above 24 is accepted (§6.8.6 only bounds it by 24 and the
 * payload): bytes 24..Length are ignored and `length` reports the received
 * value. On failure `*pkt` is left in an unspecified state.
 *
 * @param pkt   out: the decoded packet.
 * @param buf   the UDP payload.
 * @param len   its length.
 * @return 0 on success, or:
 * @retval BFD_ERR_INVALID_ARGUMENT pkt or buf is NULL
 * @retval BFD_ERR_PKT_TRUNCATED    len < 24
 * @retval BFD_ERR_PKT_VERSION      version != 1
 * @retval BFD_ERR_PKT_LENGTH_SHORT Length < 24, or < 26 with the A bit
 * @retval BFD_ERR_PKT_LENGTH_LONG  Length > len
 * @retval BFD_ERR_PKT_DETECT_MULT  Detect Mult is 0
 * @retval BFD_ERR_PKT_MULTIPOINT   M bit set
 * @retval BFD_ERR_PKT_MY_DISCR     My Discriminator is 0
 * @retval BFD_ERR_PKT_POLL_FINAL   P and F both set
 * @retval BFD_ERR_PKT_AUTH_TYPE    A bit with Auth Type 0 or 6..255
 * @retval BFD_ERR_PKT_AUTH_LEN     Auth Len wrong for its type, or the auth
 *                                  section does not end exactly at Length
 * @since 0.1.0
 */
BFD_EXTERN int bfd_ctrl_pkt_decode(bfd_ctrl_pkt *pkt, const uint8_t *buf,
                                   size_t len);

/**
 * @brief Encode a control packet. The same rules as the decoder apply, so a
 * packet that encodes always decodes. `version` and `length` of `pkt` are
 * ignored: version 1 is written and Length is computed. With BFD_FLAG_A,
 * `auth.len` must match `auth.type` (and `auth.data_len`). `auth.reserved`
 * is written as given (for byte-exact round trips): leave it 0 (§4.3).
 *
 * @param buf    out: the packet.
 * @param buflen size of `buf`; BFD_CTRL_LEN_MAX is always enough.
 * @param pkt    what to encode.
 * @return the number of bytes written (24..52), or:
 * @retval BFD_ERR_INVALID_ARGUMENT NULL pointer, diag > 31, state > 3,
 *                                  flags outside 0x3f
 * @retval BFD_ERR_NOBUF            buflen is too small
 * @retval BFD_ERR_PKT_DETECT_MULT, BFD_ERR_PKT_MULTIPOINT,
 *         BFD_ERR_PKT_MY_DISCR, BFD_ERR_PKT_POLL_FINAL,
 *         BFD_ERR_PKT_AUTH_TYPE, BFD_ERR_PKT_AUTH_LEN as for decoding
 * @since 0.1.0
 */
BFD_EXTERN ptrdiff_t bfd_ctrl_pkt_encode(uint8_t *buf, size_t buflen,
                                         const bfd_ctrl_pkt *pkt);

/* ------------------------------------------------------------------------ */
/* Sessions                                                                 */
/* ------------------------------------------------------------------------ */

/** A BFD session (opaque): standalone from bfd_session_new() or in a table.
 *  @since 0.1.0 */
typedef struct bfd_session bfd_session;
/** A set of sessions with demultiplexing and one deadline (opaque).
 *  @since 0.1.0 */
typedef struct bfd_table bfd_table;

/** Nexthop-shutdown policies (RFC 5882 §3 leaves the choice to the client).
 *  See docs/guide.md for the exact events. @since 0.1.0 */
enum {
  /** The nexthop is reported down from creation until the session first comes
   *  Up (a new nexthop is not trusted before BFD vouches for it). */
  BFD_NHS_DOWN_UNTIL_UP = 0,
  /** The nexthop is reported down only after the session has been Up once
   *  and then failed (a peer that never speaks BFD never blocks a route). */
  BFD_NHS_AFTER_UP = 1
};

/* Versioned structs: fields are only appended, `struct_version` says how
 * many the caller knows, and the library accepts every version from 1 to
 * its own, reading and writing only the caller's bytes. BFD_TEST_STRUCT_V2
 * (test builds only, never define it) appends a field to each struct as a
 * future version would, to prove that promise in ctest `struct_compat`. */
#ifdef BFD_TEST_STRUCT_V2
#  define BFD_STRUCT_TEST_FIELD uint32_t test_next; uint32_t test_next_pad;
#  define BFD_STRUCT_TEST_BUMP 1
#else
/** Test builds only: the field a future version would append.
 *  @since 0.2.0 */
#  define BFD_STRUCT_TEST_FIELD
/** Test builds only: 1 when every struct has that future version.
 *  @since 0.2.0 */
#  define BFD_STRUCT_TEST_BUMP 0
#endif

/** The current bfd_session_settings layout. @since 0.1.0 */
#define BFD_SESSION_SETTINGS_VERSION (1 + BFD_STRUCT_TEST_BUMP)

/**
 * Session configuration. Fill with bfd_session_settings_init() and change
 * what you need; fields are only ever appended, and `struct_version` tells
 * the library how many of them the caller knows.
 * @since 0.1.0
 */
typedef struct bfd_session_settings {
  uint32_t struct_version;          /**< BFD_SESSION_SETTINGS_VERSION */
  uint32_t local_discr;             /**< 0 = draw a random unique one; default 0 */
  uint32_t desired_min_tx_us;       /**< > 0; default 300000 */
  uint32_t required_min_rx_us;      /**< > 0; default 300000 */
  uint32_t required_min_echo_rx_us; /**< advertised only; default 0 */
  uint8_t detect_mult;              /**< 1..255; default 3 */
  uint8_t mode;                     /**< BFD_MODE_*; default single-hop */
  uint8_t passive;                  /**< 0/1: wait for the peer (§6.1) */
  uint8_t admin_down;               /**< 0/1: AdminDown (§6.8.16) */
  uint8_t nexthop_policy;           /**< BFD_NHS_*; default DOWN_UNTIL_UP */
  /** Minimum received TTL / Hop Limit. 0 = the mode's default: 255 for
   *  single-hop (RFC 5881 §5, GTSM, not configurable lower) and 1 for
   *  multihop (RFC 5883 sets no minimum; peers such as BIRD send with the
   *  OS default TTL, so any fixed floor would silently cap the hop count).
   *  Packets whose bfd_rx_info has no TTL fail any floor above 1. */
  uint8_t min_rx_ttl;
  uint8_t cpi;                      /**< 0/1: set the C bit */
  uint8_t reserved0;                /**< 0 */
  BFD_STRUCT_TEST_FIELD
} bfd_session_settings;

/**
 * @brief Fill `settings` with defaults for the caller's struct version.
 * @param version  pass BFD_SESSION_SETTINGS_VERSION (any version from 1 to
 *                 the library's; only that version's bytes are written).
 * @param settings out.
 * @return 0, or BFD_ERR_INVALID_ARGUMENT (NULL), BFD_ERR_VERSION (0, or newer
 *         than the library; nothing written).
 * @since 0.1.0
 */
BFD_EXTERN int bfd_session_settings_init(uint32_t version,
                                         bfd_session_settings *settings);

/** @brief Check settings without creating anything.
 *  @param settings the settings to check.
 *  @return 0 or the error bfd_session_new() would return for them:
 *  BFD_ERR_INVALID_ARGUMENT, BFD_ERR_VERSION, BFD_ERR_CFG_DETECT_MULT,
 *  BFD_ERR_CFG_MIN_TX, BFD_ERR_CFG_MIN_RX, BFD_ERR_CFG_MODE,
 *  BFD_ERR_CFG_POLICY, BFD_ERR_CFG_FLAG, BFD_ERR_CFG_TTL (a single-hop floor
 *  other than 0 or 255). @since 0.1.0 */
BFD_EXTERN int bfd_session_settings_check(const bfd_session_settings *settings);

/** State-change event. @since 0.1.0 */
typedef struct bfd_state_event {
  uint64_t ts;          /**< the `now` of the call that caused it */
  uint32_t change_seq;  /**< the session's change sequence number after it */
  uint8_t old_state;    /**< BFD_STATE_* before */
  uint8_t new_state;    /**< BFD_STATE_* after */
  uint8_t local_diag;   /**< our diag after the change (BFD_DIAG_*) */
  /** the last State received from the remote, also after a detection
   *  timeout has made the session forget it (§6.8.1) */
  uint8_t remote_state;
  uint8_t remote_diag;  /**< the last Diag received from the remote */
  uint8_t flags;        /**< BFD_STATE_EV_* (0.2.0; was padding, 0) */
  uint8_t pad[6];       /**< explicit padding, 0 */
} bfd_state_event;

/** bfd_state_event.flags. @since 0.2.0 */
enum {
  /** Down because the peer signalled AdminDown (diag 3 with the remote in
   *  AdminDown): not a path failure (RFC 5882 §3.2). */
  BFD_STATE_EV_REMOTE_ADMIN_DOWN = 0x01,
  /** Down because the Detection Time expired (diag 1): a path failure. */
  BFD_STATE_EV_FAILURE = 0x02
};

/** Nexthop-shutdown actions. @since 0.1.0 */
enum {
  BFD_NEXTHOP_DOWN = 0, /**< stop using the nexthop */
  BFD_NEXTHOP_UP = 1    /**< the nexthop may be used again */
};
/** Nexthop-shutdown causes. @since 0.1.0 */
enum {
  BFD_NH_CAUSE_CREATED = 0,  /**< DOWN_UNTIL_UP policy: new session */
  BFD_NH_CAUSE_UP = 1,       /**< session reached Up */
  BFD_NH_CAUSE_FAILURE = 2,  /**< path failure; `diag` says which */
  BFD_NH_CAUSE_DELETED = 3,  /**< session deleted: the clearing event */
  BFD_NH_CAUSE_ADMIN = 4,    /**< local AdminDown: BFD no longer vouches */
  /** a live nexthop_policy change re-evaluated a session that was never Up
   *  (bfd_session_update()). @since 0.2.0 */
  BFD_NH_CAUSE_POLICY = 5
};

/** Nexthop-shutdown event (RFC 5882 §3). @since 0.1.0 */
typedef struct bfd_nexthop_event {
  uint64_t ts;    /**< the `now` of the call that caused it */
  uint8_t action; /**< BFD_NEXTHOP_DOWN / BFD_NEXTHOP_UP */
  uint8_t cause;  /**< BFD_NH_CAUSE_* */
  uint8_t diag;   /**< local diag at the time */
  uint8_t pad[5]; /**< explicit padding, 0 */
} bfd_nexthop_event;

/** A session changed state. Callbacks return 0; anything else makes the
 *  calling function return BFD_ERR_CALLBACK_FAILURE (the session state has
 *  already changed). `ev` is valid only during the call. @since 0.1.0 */
typedef int (*bfd_state_change_cb)(bfd_session *session,
                                   const bfd_state_event *ev, void *user_data);
/** A nexthop-shutdown event (RFC 5882 §3); return as bfd_state_change_cb.
 *  @since 0.1.0 */
typedef int (*bfd_nexthop_cb)(bfd_session *session,
                              const bfd_nexthop_event *ev, void *user_data);
/** Fill `dest` with `len` random bytes. @since 0.1.0 */
typedef void (*bfd_rand_cb)(uint8_t *dest, size_t len, void *user_data);

/** Session lifecycle events of a table (bfd_session_event.kind).
 *  @since 0.2.0 */
enum {
  /** Responder mode created this passive session for an unknown peer
   *  (bfd_table_set_responder()); its key is the packet's addresses. The
   *  host may set its own pointer now (bfd_session_set_user_data()). A
   *  nonzero return removes the session again at once (no REMOVED). */
  BFD_SESSION_EV_CREATED = 0,
  /** The table is about to free this session: the last time the pointer
   *  is valid. `reason` says why. */
  BFD_SESSION_EV_REMOVED = 1
};
/** Why a table removed a session (bfd_session_event.reason).
 *  @since 0.2.0 */
enum {
  BFD_SESSION_REMOVED_REAPED = 0,  /**< responder session, silent for a Detection Time (§6.8.18) */
  BFD_SESSION_REMOVED_GOODBYE = 1, /**< bfd_session_goodbye() finished */
  /** a responder session whose creation nexthop event failed (the call
   *  returns BFD_ERR_CALLBACK_FAILURE) */
  BFD_SESSION_REMOVED_REFUSED = 2
};

/** A table session's lifecycle event. @since 0.2.0 */
typedef struct bfd_session_event {
  uint64_t ts;    /**< the `now` of the call that caused it */
  uint8_t kind;   /**< BFD_SESSION_EV_* */
  uint8_t reason; /**< BFD_SESSION_REMOVED_* for REMOVED, else 0 */
  uint8_t pad[6]; /**< explicit padding, 0 */
} bfd_session_event;

/** A table created or is about to free a session. For CREATED, return 0 to
 *  keep the session, anything else to refuse it (it is removed without a
 *  REMOVED event and the packet counts as BFD_ERR_PKT_NO_SESSION: not a
 *  callback failure). For REMOVED, nonzero makes the call return
 *  BFD_ERR_CALLBACK_FAILURE. @since 0.2.0 */
typedef int (*bfd_session_event_cb)(bfd_session *session, const bfd_session_event *ev,
                                    void *user_data);
/** The negotiated values of a session changed (bfd_params_cb): what a
 *  host would otherwise poll bfd_session_get_status() for. @since 0.2.0 */
typedef struct bfd_params_event {
  uint64_t ts;                   /**< the `now` of the call that caused it */
  uint64_t tx_interval_ns;       /**< periodic TX interval in force, before jitter; 0 = none */
  uint64_t detect_time_ns;       /**< Detection Time in force; 0 = remote unknown */
  uint32_t remote_desired_min_tx_us;  /**< last received */
  uint32_t remote_required_min_rx_us; /**< last received (1 when unknown) */
  uint32_t desired_min_tx_us;    /**< advertised by us now */
  uint32_t required_min_rx_us;   /**< advertised by us now */
  uint8_t remote_detect_mult;    /**< last received, 0 = unknown */
  uint8_t flags;                 /**< BFD_PARAMS_EV_* (0.2.0; was padding) */
  uint8_t pad[6];                /**< explicit padding, 0 */
} bfd_params_event;

/** bfd_params_event.flags. @since 0.2.0 */
enum {
  /** The table's governor slows this session: it advertises its
   *  configured intervals times the table's scale (bfd_governor_settings). */
  BFD_PARAMS_EV_GOVERNED = 0x01
};

/** A received packet failed authentication (bfd_auth_failure_cb). Rate
 *  limited per session: the first failure, then at most one event per
 *  second; `suppressed` counts the failures not reported since the last
 *  event (all are counted in bfd_session_get_auth_failures()).
 *  @since 0.2.0 */
typedef struct bfd_auth_failure_event {
  uint64_t ts;         /**< the `now` of the packet */
  uint64_t suppressed; /**< failures since the previous event, not reported */
  uint8_t reason;      /**< BFD_AUTH_FAIL_* of this packet */
  uint8_t key_id;      /**< the packet's Auth Key ID (0 when it had none) */
  uint8_t auth_type;   /**< the packet's Auth Type (0 when no A bit) */
  uint8_t pad[5];      /**< explicit padding, 0 */
} bfd_auth_failure_event;

/** The negotiated values changed; return as bfd_state_change_cb.
 *  @since 0.2.0 */
typedef int (*bfd_params_cb)(bfd_session *session, const bfd_params_event *ev,
                             void *user_data);
/** A packet failed authentication; return as bfd_state_change_cb.
 *  @since 0.2.0 */
typedef int (*bfd_auth_failure_cb)(bfd_session *session, const bfd_auth_failure_event *ev,
                                   void *user_data);

struct bfd_rx_info; /* below */

/** Responder mode: may this packet from an unknown peer create a passive
 *  session? Return 0 to accept, anything else to refuse (the packet is then
 *  counted as BFD_ERR_PKT_NO_SESSION). Called only for packets that could
 *  start a session (decoded, Your Discriminator 0, State Down, the A bit
 *  as configured). @since 0.2.0 */
typedef int (*bfd_responder_accept_cb)(bfd_table *table, const struct bfd_rx_info *rx_info,
                                       void *user_data);

/** The current bfd_callbacks layout (2 since 0.2.0: `session`,
 *  `responder_accept`, `params`, `auth_failure`). @since 0.1.0 */
#define BFD_CALLBACKS_VERSION (2 + BFD_STRUCT_TEST_BUMP)

/**
 * Callbacks, all optional (NULL). They are called synchronously from inside
 * feed/poll/update/delete calls, in the order events happen, and must not
 * call back into the library for the same table or session.
 * `user_data` is the one given to bfd_session_new() / bfd_table_new(); a
 * session's own pointer is bfd_session_get_user_data().
 * @since 0.1.0
 */
typedef struct bfd_callbacks {
  uint32_t struct_version; /**< BFD_CALLBACKS_VERSION */
  uint32_t reserved0;      /**< 0 */
  bfd_state_change_cb state_change; /**< every state change */
  bfd_nexthop_cb nexthop;           /**< nexthop-shutdown events */
  /** Randomness for discriminators and jitter. NULL: an internal generator
   *  per object, seeded once from getrandom(2). */
  bfd_rand_cb rand;
  /** Version 2: lifecycle of table sessions (responder creation, removal by
   *  reaping or goodbye). @since 0.2.0 */
  bfd_session_event_cb session;
  /** Version 2: responder mode's veto. NULL accepts. @since 0.2.0 */
  bfd_responder_accept_cb responder_accept;
  /** Version 2: the negotiated TX interval, Detection Time or remote timer
   *  values changed (at most one event per call, after the state events).
   *  @since 0.2.0 */
  bfd_params_cb params;
  /** Version 2: authentication failures, rate limited. @since 0.2.0 */
  bfd_auth_failure_cb auth_failure;
  BFD_STRUCT_TEST_FIELD
} bfd_callbacks;

/**
 * @brief Fill `cb` with NULL callbacks for the caller's struct version.
 * @param version pass BFD_CALLBACKS_VERSION.
 * @param cb      out.
 * @return 0, BFD_ERR_INVALID_ARGUMENT or BFD_ERR_VERSION.
 * @since 0.1.0
 */
BFD_EXTERN int bfd_callbacks_init(uint32_t version, bfd_callbacks *cb);

/** What the host learned about a received datagram (bfd_rx_info.flags).
 *  @since 0.1.0 */
enum {
  BFD_RX_TTL = 0x01,   /**< `ttl` is valid */
  BFD_RX_LOCAL = 0x02, /**< `local` is valid */
  BFD_RX_PEER = 0x04,  /**< `peer` is valid */
  /** The host knows the datagram was sent by this host's own BFD socket
   *  (source address and port are ours). With the packet's My
   *  Discriminator equal to the session's own, it is dropped as
   *  BFD_ERR_PKT_LOOPED. Without this flag a packet is treated as our own
   *  only when its source equals its destination address, or the session
   *  key's local address. @since 0.2.0 */
  BFD_RX_SELF = 0x08
};

/** Per-datagram receive information. @since 0.1.0 */
typedef struct bfd_rx_info {
  uint8_t mode;      /**< BFD_MODE_* of the port it arrived on */
  uint8_t family;    /**< BFD_AF_INET / BFD_AF_INET6 */
  uint8_t ttl;       /**< received TTL / Hop Limit */
  uint8_t flags;     /**< BFD_RX_* */
  uint32_t ifindex;  /**< arrival interface, 0 = unknown */
  uint8_t local[16]; /**< destination address (IPv4 in the first 4 bytes) */
  uint8_t peer[16];  /**< source address */
  uint16_t peer_port;  /**< source UDP port (informational) */
  uint16_t local_port; /**< destination UDP port (informational) */
} bfd_rx_info;

/** bfd_session_key.flags. @since 0.2.0 */
enum {
  /** RFC 5881 §6 point-to-point links (unnumbered, or a peer that answers
   *  from a secondary address): "the source address ... MUST NOT be used
   *  to identify the session". A packet with Your Discriminator 0 from any
   *  source on `ifindex` (required, single-hop only) that matches no exact
   *  key goes to this session; later ones are found by Your Discriminator
   *  alone, so the source may change. `peer` is the address to send to
   *  ("the address configured at session creation", whatever source the
   *  peer uses), or zero (unnumbered): then the first source heard is the
   *  destination until the remote is forgotten (a Detection Time without
   *  packets, §6.8.1). See bfd_session_get_peer(). At most one such
   *  session per (mode, family, ifindex, local). */
  BFD_KEY_ANY_PEER = 0x01
};

/**
 * What identifies a session when Your Discriminator is 0 (§6.8.6) and where
 * the host sends its packets. A zero `local` is "any local address", a zero
 * `ifindex` "any interface"; lookups prefer the most specific match.
 * IPv6 link-local peers must set `ifindex`; multihop sessions should set
 * `local`. `peer` must be nonzero unless `flags` has BFD_KEY_ANY_PEER.
 * @since 0.1.0
 */
typedef struct bfd_session_key {
  uint8_t mode;      /**< BFD_MODE_* */
  uint8_t family;    /**< BFD_AF_* */
  uint8_t flags;     /**< BFD_KEY_* (0.2.0; was padding, 0) */
  uint8_t pad;       /**< explicit padding, 0 */
  uint32_t ifindex;  /**< interface, 0 = any */
  uint8_t local[16]; /**< local address (IPv4 in the first 4 bytes), 0 = any */
  uint8_t peer[16];  /**< peer address */
} bfd_session_key;

/** The current bfd_session_status layout (2 since 0.2.0: failure_count,
 *  tx_failed, auth_failures, goodbye). @since 0.1.0 */
#define BFD_SESSION_STATUS_VERSION (2 + BFD_STRUCT_TEST_BUMP)

/** A snapshot of a session. @since 0.1.0 */
typedef struct bfd_session_status {
  uint32_t struct_version;   /**< set by the caller: BFD_SESSION_STATUS_VERSION */
  uint32_t change_seq;       /**< +1 on every state change; never misses a flap */
  uint8_t state;             /**< BFD_STATE_* */
  uint8_t local_diag;        /**< BFD_DIAG_* we send */
  /** bfd.RemoteSessionState: last received State; Down (and remote_diag,
   *  remote_discr 0) once the remote is forgotten after a Detection Time
   *  without packets (§6.8.1). The state event of that timeout still
   *  carries the last values received. */
  uint8_t remote_state;
  uint8_t remote_diag;       /**< last received Diag (0 once forgotten) */
  /** Forwarding verdict: 1 when Up and the remote signals none of Path Down,
   *  Concatenated Path Down, Reverse Concatenated Path Down. */
  uint8_t forwarding;
  uint8_t poll_active;       /**< a Poll Sequence is in progress */
  uint8_t remote_demand;     /**< last received D bit */
  uint8_t remote_detect_mult;/**< last received Detect Mult, 0 = unknown */
  uint8_t detect_mult;       /**< configured */
  uint8_t mode;              /**< BFD_MODE_* */
  uint8_t nexthop_down;      /**< last nexthop event delivered was DOWN */
  uint8_t pad;               /**< explicit padding, 0 */
  uint32_t local_discr;      /**< bfd.LocalDiscr */
  uint32_t remote_discr;     /**< bfd.RemoteDiscr, 0 = unknown */
  uint32_t desired_min_tx_us;        /**< configured */
  uint32_t required_min_rx_us;       /**< configured */
  uint32_t remote_desired_min_tx_us;       /**< last received */
  uint32_t remote_required_min_rx_us;      /**< last received (1 initially, §6.8.1) */
  uint32_t remote_required_min_echo_rx_us; /**< last received */
  uint32_t pad2;                           /**< explicit padding, 0 */
  uint64_t tx_interval_ns;   /**< negotiated, before jitter; 0 = no periodic TX */
  uint64_t detect_time_ns;   /**< 0 until the remote's values are known */
  uint64_t last_rx;          /**< BFD_TSTAMP_NONE if never */
  uint64_t last_tx;          /**< BFD_TSTAMP_NONE if never */
  uint64_t last_change;      /**< last state change, or creation time */
  uint64_t rx_packets;       /**< accepted */
  uint64_t rx_dropped;       /**< discarded after demultiplexing, all reasons */
  uint64_t tx_packets;       /**< control packets written */
  uint64_t up_count;         /**< transitions to Up */
  uint64_t down_count;       /**< transitions from Up to Down */
  uint64_t polls_sent;       /**< Poll Sequences started (each parameter
                                  change that needs one, §6.8.3) */
  uint64_t finals_sent;      /**< packets sent with the F bit */
  /** Version 2 (0.2.0): Up -> Down transitions that were path failures:
   *  down_count without those caused by the peer's AdminDown (RFC 5882
   *  §3.2: not a failure). @since 0.2.0 */
  uint64_t failure_count;
  /** Version 2: packets that could not be built (e.g. a digest the crypto
   *  library refused) and were skipped. @since 0.2.0 */
  uint64_t tx_failed;
  /** Version 2: packets that failed authentication (dropped as
   *  BFD_ERR_PKT_AUTH_FAILED; A-bit mismatches are counted apart, see
   *  BFD_AUTH_FAIL_MISMATCH). @since 0.2.0 */
  uint64_t auth_failures;
  /** Version 2: bfd_session_goodbye() is under way (1) or done (2).
   *  @since 0.2.0 */
  uint8_t goodbye;
  uint8_t pad3[3];           /**< explicit padding, 0 */
  /** Version 2: the governor's scale this session runs at, in thousandths
   *  of its configured intervals (1000: as configured). @since 0.2.0 */
  uint32_t scale_permille;
  BFD_STRUCT_TEST_FIELD
} bfd_session_status;

/**
 * @brief Create a standalone session (for a host with one or few sessions;
 * many sessions belong in a bfd_table).
 * @param psession  out.
 * @param settings  see bfd_session_settings_init(); a 0 local_discr is drawn
 *                  at random.
 * @param callbacks may be NULL; copied.
 * @param mem       NULL for libc; kept by pointer.
 * @param user_data passed to callbacks.
 * @param now       creation time (the clock's first reading).
 * @return 0, or BFD_ERR_INVALID_ARGUMENT, BFD_ERR_NOMEM, BFD_ERR_VERSION,
 *         BFD_ERR_CALLBACK_FAILURE (the BFD_NHS_DOWN_UNTIL_UP creation event
 *         failed; the clearing BFD_NEXTHOP_UP event is delivered and the
 *         session is not created), or any
 *         bfd_session_settings_check() error.
 * @since 0.1.0
 */
BFD_EXTERN int bfd_session_new(bfd_session **psession,
                               const bfd_session_settings *settings,
                               const bfd_callbacks *callbacks,
                               const bfd_mem *mem, void *user_data,
                               uint64_t now);

/**
 * @brief Delete a session (standalone or in a table).
 * @param session the session, or NULL. If the session last
 * reported its nexthop DOWN, the clearing BFD_NEXTHOP_UP event with cause
 * BFD_NH_CAUSE_DELETED is delivered first, so no nexthop stays shut down by
 * a session that no longer exists. To tell the peer, set AdminDown and poll
 * its packet before deleting. NULL is a no-op.
 * @since 0.1.0
 */
BFD_EXTERN void bfd_session_del(bfd_session *session);

/** bfd_session_feed_packet() / bfd_table_feed_packet(): the packet passed
 *  every check while the session is AdminDown. As §6.8.6 orders it, the
 *  packet has updated the remote's variables (bfd.RemoteDiscr,
 *  RemoteSessionState, RemoteDemandMode, RemoteMinRxInterval, its Desired
 *  Min TX, Required Min Echo RX and Detect Mult), the Detection Time and the
 *  TX schedule derived from them, and a Final in it has ended our Poll
 *  Sequence; then it was discarded: no state change and no Final is sent
 *  for its Poll. Counted in rx_packets, not in rx_dropped. Not an error.
 *  @since 0.2.0 */
#define BFD_FEED_ADMIN_DOWN 1

/**
 * @brief Feed one received datagram to this session.
 * A packet that fails a check (a negative return) changes nothing but
 * rx_dropped and the drop counter for its reason: the checks of RFC 5880
 * §6.8.6 (and the transport's, RFC 5881 §5 / 5883) all run before the
 * packet touches the session.
 * @param session the session.
 * @param buf     the UDP payload.
 * @param len     its length.
 * @param rx_info what the host knows about the datagram (mode, TTL, ...).
 * @param now     the current time.
 * @return 0 if accepted, BFD_FEED_ADMIN_DOWN (positive, see there), or:
 * @retval BFD_ERR_INVALID_ARGUMENT NULL session/buf/rx_info
 * @retval BFD_ERR_CLOCK_BACKWARDS  now < the last time seen (for a table
 *                                  session: by the table)
 * @retval any BFD_ERR_PKT_*        the packet was discarded for that reason
 *                                  (never BFD_ERR_PKT_ADMIN_DOWN)
 * @retval BFD_ERR_CALLBACK_FAILURE a callback failed (fatal)
 * @since 0.1.0
 */
BFD_EXTERN int bfd_session_feed_packet(bfd_session *session,
                                       const uint8_t *buf, size_t len,
                                       const bfd_rx_info *rx_info,
                                       uint64_t now);

/**
 * @brief Run whatever expired by `now` (detection time).
 * @param session the session.
 * @param now     the current time.
 * @return 0, BFD_ERR_INVALID_ARGUMENT, BFD_ERR_CLOCK_BACKWARDS or
 *         BFD_ERR_CALLBACK_FAILURE.
 * @since 0.1.0
 */
BFD_EXTERN int bfd_session_feed_time(bfd_session *session, uint64_t now);

/**
 * @brief Write the next due control packet into `buf`.
 * Expired timers are handled first, as by bfd_session_feed_time().
 * @param session the session.
 * @param buf     out: the packet.
 * @param buflen  size of `buf`, at least BFD_CTRL_LEN_MAX.
 * @param now     the current time.
 * @return the packet length (> 0), 0 if nothing is due (whatever buflen),
 *         or BFD_ERR_INVALID_ARGUMENT, BFD_ERR_NOBUF (a packet is due and
 *         buflen < BFD_CTRL_LEN_MAX; nothing is lost, it stays due),
 *         BFD_ERR_CLOCK_BACKWARDS, BFD_ERR_CALLBACK_FAILURE, or the error
 *         that kept the due packet from being built (e.g. a digest the
 *         crypto library refused): that packet is skipped as if lost on the
 *         wire, the schedule moves on, the next call is not blocked.
 * @since 0.1.0
 */
BFD_EXTERN ptrdiff_t bfd_session_poll_packet(bfd_session *session,
                                             uint8_t *buf, size_t buflen,
                                             uint64_t now);

/**
 * @brief The earliest absolute time at which feed_time or poll_packet has
 * something to do, or BFD_TSTAMP_NONE.
 * @param session the session (NULL gives BFD_TSTAMP_NONE).
 * @return an absolute time; may be in the past (act at once).
 * @since 0.1.0
 */
BFD_EXTERN uint64_t bfd_session_next_deadline(const bfd_session *session);

/**
 * @brief Change a live session. Changes of Desired Min TX or Required Min RX
 * start a Poll Sequence (§6.8.3), carried by the next scheduled packet.
 * While Up, a larger TX interval or a smaller RX interval takes effect only
 * when the Final arrives, so the change never flaps the session; every
 * other change takes effect at once (§6.8.3), also during a Poll, whose
 * later packets then carry the new values. A change of the first kind is
 * put on the wire only once a Final can no longer be mistaken for the
 * answer to an older Poll (§6.8.3 choice 2): no Poll with a P sent is
 * running, and a round trip has passed since the last P of the previous
 * one (the round trip bounded by the time from that sequence's first P to
 * its Final; no wait when it sent a single P). While Up, a Final from a
 * peer in Init never ends a sequence begun while Up (it answers an older
 * P). Detect Mult goes out in the
 * next packet without a Poll (§6.8.12). admin_down enters/leaves AdminDown
 * (§6.8.16). A nexthop_policy change on a session that was never Up is
 * re-evaluated at once (BFD_NH_CAUSE_POLICY). local_discr (unless 0 or
 * equal) and mode cannot change.
 * @param session  the session.
 * @param settings the complete new settings (start from
 *                 bfd_session_get_settings()).
 * @param now      the current time.
 * @return 0, or BFD_ERR_INVALID_ARGUMENT, BFD_ERR_CLOCK_BACKWARDS (for a
 *         table session: earlier than the table's last time),
 *         BFD_ERR_CFG_IMMUTABLE, any bfd_session_settings_check() error,
 *         BFD_ERR_CALLBACK_FAILURE.
 * @since 0.1.0
 */
BFD_EXTERN int bfd_session_update(bfd_session *session,
                                  const bfd_session_settings *settings,
                                  uint64_t now);

/** @brief Enter (1) or leave (0) AdminDown; shorthand for update().
 *  @param session    the session.
 *  @param admin_down 1 to enter, 0 to leave.
 *  @param now        the current time.
 *  @return as bfd_session_update(), BFD_ERR_CFG_FLAG for other values.
 *  @since 0.1.0 */
BFD_EXTERN int bfd_session_set_admin_down(bfd_session *session,
                                          uint8_t admin_down, uint64_t now);

/**
 * @brief Say goodbye, then go (RFC 5880 §6.8.16). The session enters
 * AdminDown (diag 7, Administratively Down) unless it is AdminDown already,
 * and keeps sending AdminDown packets at the rate the RFC allows (at least
 * one second, §6.8.3; signed when authentication is configured) for the
 * peer's Detection Time of us, or until the peer shows it is no longer Up
 * after our first AdminDown packet went out. A passive session that never
 * heard its peer must not transmit (§6.8.7): done at once. With a remote
 * that is unknown or not Up (it cannot mistake our silence for a failure)
 * it is done once one AdminDown packet went out; a table frees such a
 * session at its next call (bfd_table_next_deadline() is then due at once),
 * so the host can still route that packet.
 * This is how a session is removed without the peer reporting a path
 * failure (RFC 5882 §3.2: AdminDown is not a failure).
 *
 * A table session is freed by the table when done: its clearing nexthop
 * event, then a BFD_SESSION_EV_REMOVED event (reason
 * BFD_SESSION_REMOVED_GOODBYE) are delivered from the call that finishes it
 * (possibly this one); the pointer is invalid after that event. A
 * standalone session is not freed: bfd_session_goodbye_done() tells when
 * the host may call bfd_session_del(). Calling it again is a no-op.
 * @param session the session.
 * @param now     the current time.
 * @return 0, or BFD_ERR_INVALID_ARGUMENT, BFD_ERR_CLOCK_BACKWARDS,
 *         BFD_ERR_CALLBACK_FAILURE.
 * @since 0.2.0
 */
BFD_EXTERN int bfd_session_goodbye(bfd_session *session, uint64_t now);

/** @brief Whether a goodbye (bfd_session_goodbye()) has finished.
 *  @param session the session (NULL gives 0).
 *  @return 1 when it has, else 0. @since 0.2.0 */
BFD_EXTERN int bfd_session_goodbye_done(const bfd_session *session);

/** @brief Copy the current settings out, in the layout of `version`.
 *  @param session  the session.
 *  @param version  the caller's BFD_SESSION_SETTINGS_VERSION.
 *  @param settings out: that version's bytes.
 *  @return 0, BFD_ERR_INVALID_ARGUMENT (NULL) or BFD_ERR_VERSION (0, or
 *  newer than the library). @since 0.2.0 */
BFD_EXTERN int bfd_session_get_settings_versioned(const bfd_session *session,
                                                  uint32_t version,
                                                  bfd_session_settings *settings);

/** @brief Copy the current settings out. From C this is a macro passing
 *  the BFD_SESSION_SETTINGS_VERSION the caller is compiled with to
 *  bfd_session_get_settings_versioned(); the exported function of this name
 *  (for FFI) writes the version 1 layout.
 *  @param session  the session.
 *  @param settings out.
 *  @return 0 or BFD_ERR_INVALID_ARGUMENT. @since 0.1.0 */
BFD_EXTERN int bfd_session_get_settings(const bfd_session *session,
                                        bfd_session_settings *settings);
/** C callers: bfd_session_get_settings() in the layout they are compiled
 *  with. @since 0.2.0 */
#define bfd_session_get_settings(session, settings)                             \
  bfd_session_get_settings_versioned((session), BFD_SESSION_SETTINGS_VERSION,   \
                                     (settings))

/** @brief Fill a status snapshot; set `status->struct_version` first.
 *  @param session the session.
 *  @param status  in: struct_version; out: the snapshot.
 *  @return 0, BFD_ERR_INVALID_ARGUMENT or BFD_ERR_VERSION. @since 0.1.0 */
BFD_EXTERN int bfd_session_get_status(const bfd_session *session,
                                      bfd_session_status *status);

/** @brief Packets this session discarded for one reason.
 *  @param session    the session.
 *  @param error_code one of the BFD_ERR_PKT_* codes.
 *  @return the count; 0 for any other code or a NULL session.
 *  @since 0.1.0 */
BFD_EXTERN uint64_t bfd_session_get_rx_drops(const bfd_session *session,
                                             int error_code);

/** @brief Current state.
 *  @param session the session.
 *  @return BFD_STATE_*; BFD_STATE_DOWN for a NULL session. @since 0.1.0 */
BFD_EXTERN uint8_t bfd_session_get_state(const bfd_session *session);
/** @brief Local discriminator.
 *  @param session the session.
 *  @return bfd.LocalDiscr; 0 for a NULL session. @since 0.1.0 */
BFD_EXTERN uint32_t bfd_session_get_local_discr(const bfd_session *session);
/** @brief The key given to bfd_table_add_session(); all zero for a
 *  standalone session.
 *  @param session the session.
 *  @param key     out.
 *  @return 0 or BFD_ERR_INVALID_ARGUMENT. @since 0.1.0 */
BFD_EXTERN int bfd_session_get_key(const bfd_session *session,
                                   bfd_session_key *key);
/** @brief Where to send this session's packets: the key's peer address,
 *  or for a BFD_KEY_ANY_PEER key without one, the first source heard
 *  since the remote was last forgotten (RFC 5881 §6).
 *  @param session the session.
 *  @param peer    out: 16 bytes (IPv4 in the first 4, as in the key).
 *  @return 0, BFD_ERR_INVALID_ARGUMENT (NULL), or BFD_ERR_NOT_FOUND (a
 *  BFD_KEY_ANY_PEER session with a zero key peer that has not heard its
 *  peer yet, or a standalone session, which has no key). @since 0.2.0 */
BFD_EXTERN int bfd_session_get_peer(const bfd_session *session,
                                    uint8_t peer[16]);
/** @brief The session's own pointer (bfd_session_new()'s `user_data`, or
 *  bfd_table_add_session()'s `session_user_data`).
 *  @param session the session.
 *  @return the pointer; NULL for a NULL session. @since 0.1.0 */
BFD_EXTERN void *bfd_session_get_user_data(const bfd_session *session);
/** @brief Replace the session's own pointer. Callbacks keep receiving the
 *  `user_data` given at creation.
 *  @param session   the session (NULL: no-op).
 *  @param user_data the new pointer. @since 0.1.0 */
BFD_EXTERN void bfd_session_set_user_data(bfd_session *session,
                                          void *user_data);

/* ------------------------------------------------------------------------ */
/* Authentication (RFC 5880 §6.7)                                           */
/* ------------------------------------------------------------------------ */

/** Keys a session's ring holds at most (enough to rotate: old + new).
 *  @since 0.1.0 */
#define BFD_AUTH_KEYS_MAX 8
/** Longest secret: a Keyed SHA1 key (§6.7.4). Passwords and MD5 keys are
 *  at most 16 bytes (§6.7.2, §6.7.3). @since 0.1.0 */
#define BFD_AUTH_SECRET_MAX 20

/**
 * One authentication key (Simple Password or MD5/SHA1 secret).
 * The secret is a binary string; an ASCII password is just its bytes.
 * The library copies it and wipes its copies when they are dropped.
 * @since 0.1.0
 */
typedef struct bfd_auth_key {
  uint8_t type;   /**< BFD_AUTH_SIMPLE .. BFD_AUTH_METICULOUS_KEYED_SHA1 */
  uint8_t key_id; /**< Auth Key ID on the wire, 0..255 */
  uint8_t len;    /**< secret bytes: 1..16 (password, MD5), 1..20 (SHA1) */
  uint8_t pad;    /**< explicit padding, 0 */
  uint8_t secret[BFD_AUTH_SECRET_MAX]; /**< bytes after `len` are ignored */
} bfd_auth_key;

/** Why a received packet failed authentication (the packet itself is
 *  counted as BFD_ERR_PKT_AUTH_FAILED, or BFD_ERR_PKT_AUTH_MISMATCH for
 *  BFD_AUTH_FAIL_MISMATCH). @since 0.1.0 */
enum {
  BFD_AUTH_FAIL_TYPE = 0,     /**< Auth Type is not bfd.AuthType */
  BFD_AUTH_FAIL_KEY_ID = 1,   /**< no key in the ring has this Key ID */
  BFD_AUTH_FAIL_PASSWORD = 2, /**< Simple Password (or its length) differs */
  BFD_AUTH_FAIL_DIGEST = 3,   /**< MD5/SHA1 digest does not verify */
  /** Authentic packet with a sequence number outside the window (a replay,
   *  or a peer that restarted within 2 x Detection Time). The digest is
   *  checked first, so forgeries count as DIGEST, never here. */
  BFD_AUTH_FAIL_SEQ = 4,
  /** The A bit does not match our configuration (§6.8.6): the peer signs
   *  and we do not, or the reverse. Counted with or without a key ring.
   *  @since 0.2.0 */
  BFD_AUTH_FAIL_MISMATCH = 5,
  BFD_AUTH_FAIL_COUNT = 6 /**< number of reasons (not a reason; 5 in 0.1.0) */
};

/**
 * @brief Check a key without configuring it.
 * @param key the key.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT key is NULL
 * @retval BFD_ERR_CFG_AUTH  type not 1..5, or len 0 or above 16 (password,
 *                           MD5) / 20 (SHA1)
 * @retval BFD_ERR_NOT_BUILT an MD5/SHA1 type in a build without libcrypto
 *                           (BFD_ENABLE_CRYPTO=OFF), or libcrypto refuses
 *                           the algorithm (e.g. MD5 in FIPS mode)
 * @since 0.1.0
 */
BFD_EXTERN int bfd_auth_key_check(const bfd_auth_key *key);

/**
 * @brief Add a key to the session's ring, or replace the key with the same
 * Key ID. All keys of a session share one type, which is bfd.AuthType
 * (§6.8.1). The first key turns authentication on and becomes the transmit
 * key; later keys are accepted on receive only until
 * bfd_session_auth_set_tx_key() selects them. Turning authentication on
 * (or off) on a live session makes it fail unless the peer does the same
 * within a Detection Time (§6.7.1; no automatic transition is made).
 *
 * Sequence numbers (§6.7.3, §6.7.4): bfd.XmitAuthSeq starts at a random
 * value (the rand callback) and, for all four keyed types, increases by one
 * with every packet sent (the RFC requires it for the meticulous types and
 * allows it for the others). Received sequence numbers must lie in
 * [RcvAuthSeq, RcvAuthSeq + 3 x M] (keyed) or (RcvAuthSeq, RcvAuthSeq + 3 x M]
 * (meticulous), modulo 2^32, where M is the larger of the local Detect Mult
 * and the packet's; bfd.AuthSeqKnown is cleared after no authentic packet
 * for twice the Detection Time (§6.8.1).
 *
 * Key rotation without a flap: add the new key on both ends, then switch the
 * transmit key on both, then remove the old key.
 *
 * @param session the session.
 * @param key     the key; copied.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT NULL session or key
 * @retval BFD_ERR_CFG_AUTH  invalid key (see bfd_auth_key_check()), its
 *                           type differs from the ring's, or the ring
 *                           already holds BFD_AUTH_KEYS_MAX other keys
 * @retval BFD_ERR_NOT_BUILT as bfd_auth_key_check()
 * @retval BFD_ERR_NOMEM     the ring could not be allocated (first key)
 * @since 0.1.0
 */
BFD_EXTERN int bfd_session_auth_add_key(bfd_session *session,
                                        const bfd_auth_key *key);

/**
 * @brief Remove a key from the ring. The transmit key cannot be removed:
 * select another first, or turn authentication off with
 * bfd_session_auth_clear() (never a silent "no authentication").
 * @param session the session.
 * @param key_id  the Key ID to remove.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT NULL session
 * @retval BFD_ERR_CFG_AUTH  no authentication configured, no key with this
 *                           Key ID, or it is the transmit key
 * @since 0.1.0
 */
BFD_EXTERN int bfd_session_auth_remove_key(bfd_session *session,
                                           uint8_t key_id);

/**
 * @brief Select the key used for sending. Every key in the ring is still
 * accepted on receive.
 * @param session the session.
 * @param key_id  the Key ID of a key in the ring.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT NULL session
 * @retval BFD_ERR_CFG_AUTH  no authentication configured, or no key with
 *                           this Key ID
 * @since 0.1.0
 */
BFD_EXTERN int bfd_session_auth_set_tx_key(bfd_session *session,
                                           uint8_t key_id);

/**
 * @brief Turn authentication off: wipe and free the ring (its failure
 * counters too). bfd.AuthType becomes 0; packets with the A bit are then
 * dropped (BFD_ERR_PKT_AUTH_MISMATCH). No-op without authentication.
 * @param session the session.
 * @return 0 or BFD_ERR_INVALID_ARGUMENT.
 * @since 0.1.0
 */
BFD_EXTERN int bfd_session_auth_clear(bfd_session *session);

/** @brief bfd.AuthType.
 *  @param session the session.
 *  @return the ring's BFD_AUTH_* type, BFD_AUTH_NONE without authentication
 *  (or a NULL session). @since 0.1.0 */
BFD_EXTERN uint8_t bfd_session_auth_get_type(const bfd_session *session);

/** @brief The transmit key's Key ID.
 *  @param session the session.
 *  @return 0..255, or BFD_ERR_INVALID_ARGUMENT (NULL session) or
 *  BFD_ERR_NOT_FOUND (no authentication). @since 0.1.0 */
BFD_EXTERN int bfd_session_auth_get_tx_key(const bfd_session *session);

/** @brief Received packets that failed authentication for one reason.
 *  BFD_AUTH_FAIL_TYPE .. _SEQ count since authentication was configured
 *  (0 without it); their sum equals the growth of
 *  bfd_session_get_rx_drops(BFD_ERR_PKT_AUTH_FAILED).
 *  BFD_AUTH_FAIL_MISMATCH counts over the session's life, with or without
 *  authentication: bfd_session_get_rx_drops(BFD_ERR_PKT_AUTH_MISMATCH).
 *  @param session the session.
 *  @param reason  BFD_AUTH_FAIL_*.
 *  @return the count; 0 for other reasons or a NULL session. @since 0.1.0 */
BFD_EXTERN uint64_t bfd_session_get_auth_failures(const bfd_session *session,
                                                  int reason);

/* ------------------------------------------------------------------------ */
/* Session table: many sessions, O(1) demultiplexing, one deadline          */
/* ------------------------------------------------------------------------ */

/**
 * @brief Create an empty table.
 * @param ptable    out.
 * @param callbacks for every session in the table; may be NULL; copied.
 * @param mem       NULL for libc; kept by pointer.
 * @param user_data the callbacks' user_data.
 * @return 0, BFD_ERR_INVALID_ARGUMENT, BFD_ERR_VERSION or BFD_ERR_NOMEM.
 * @since 0.1.0
 */
BFD_EXTERN int bfd_table_new(bfd_table **ptable,
                             const bfd_callbacks *callbacks,
                             const bfd_mem *mem, void *user_data);

/** @brief Delete the table and every session in it (each delivering its
 *  clearing nexthop event).
 *  @param table the table; NULL is a no-op. @since 0.1.0 */
BFD_EXTERN void bfd_table_del(bfd_table *table);

/**
 * @brief Create a session in the table.
 * @param table    the table.
 * @param psession out, may be NULL.
 * @param settings see bfd_session_settings_init(); a 0 local_discr is drawn
 *                 at random, unique in the table.
 * @param key  how received packets with Your Discriminator 0 find it.
 * @param session_user_data bfd_session_get_user_data() of the new session.
 * @param now  the current time.
 * @return 0, or BFD_ERR_INVALID_ARGUMENT (NULL table, settings or key),
 *         BFD_ERR_NOMEM, BFD_ERR_CFG_KEY (bad family/mode/flags, zero peer
 *         without BFD_KEY_ANY_PEER, BFD_KEY_ANY_PEER without ifindex or on
 *         multihop, or key.mode != settings.mode), BFD_ERR_EXISTS (same
 *         key, the same ANY_PEER interface, or the fixed local_discr is in
 *         use), BFD_ERR_FULL, BFD_ERR_CLOCK_BACKWARDS (now is earlier than
 *         the table's last time), BFD_ERR_CALLBACK_FAILURE (the
 *         BFD_NHS_DOWN_UNTIL_UP creation event failed: the clearing
 *         BFD_NEXTHOP_UP event is delivered and nothing is added), or any
 *         bfd_session_settings_check() error. The session is in the table
 *         (findable) when its creation event is delivered.
 * @since 0.1.0
 */
BFD_EXTERN int bfd_table_add_session(bfd_table *table, bfd_session **psession,
                                     const bfd_session_settings *settings,
                                     const bfd_session_key *key,
                                     void *session_user_data, uint64_t now);

/** The current bfd_responder_settings layout. @since 0.2.0 */
#define BFD_RESPONDER_SETTINGS_VERSION 1

/**
 * Responder mode of a table: a packet that could start a session (it
 * decodes, Your Discriminator is 0, State is Down, the A bit is as
 * configured, it passes every check of §6.8.6 against the template, the
 * responder_accept callback agrees) from a peer no session knows creates a
 * passive session for it (RFC 5880 §6.1: the passive side waits for the
 * active one). Its key is the packet's (mode, family, ifindex for
 * single-hop, local, peer). A packet with State AdminDown never creates
 * one: a peer in AdminDown asks for no session (§6.8.16), and it could
 * otherwise hold a slot.
 *
 * Responder sessions are reaped (§6.8.18): freed when a Detection Time has
 * passed without packets (the remote forgotten, §6.8.1), and one that has
 * not come Up when `hold_ms` passed without packets, so that spoofed
 * sources (which never complete the handshake) cannot hold the slots with
 * a huge Desired Min TX. The host learns both ends through the `session`
 * callback (BFD_SESSION_EV_CREATED, BFD_SESSION_EV_REMOVED).
 * @since 0.2.0
 */
typedef struct bfd_responder_settings {
  uint32_t struct_version; /**< BFD_RESPONDER_SETTINGS_VERSION */
  /** at most this many responder sessions at a time; 0 turns it off */
  uint32_t max_sessions;
  /** a responder session that is not Up is reaped after this long without
   *  packets; 0: the template's Detection Time with the one-second
   *  slow-start floor, Detect Mult x max(Required Min RX, 1 s) */
  uint32_t hold_ms;
  uint8_t nkeys;           /**< keys in `keys`; 0: no authentication */
  uint8_t tx_key_id;       /**< Key ID to sign with (one of `keys`) */
  uint8_t pad[2];          /**< explicit padding, 0 */
  /** template for every responder session: passive is forced to 1 and
   *  local_discr to 0 (drawn); must pass bfd_session_settings_check(). Its
   *  mode is the packet's: one template answers single-hop and multihop
   *  (min_rx_ttl applies to the template's own mode only). */
  bfd_session_settings session;
  bfd_auth_key keys[BFD_AUTH_KEYS_MAX]; /**< the key ring, one type */
} bfd_responder_settings;

/** @brief Fill `rs` with defaults: off (max_sessions 0), the session
 *  defaults of bfd_session_settings_init() with passive 1 and nexthop
 *  policy BFD_NHS_AFTER_UP (a peer the host did not configure never holds
 *  a nexthop down), no keys.
 *  @param version pass BFD_RESPONDER_SETTINGS_VERSION.
 *  @param rs      out.
 *  @return 0, BFD_ERR_INVALID_ARGUMENT or BFD_ERR_VERSION. @since 0.2.0 */
BFD_EXTERN int bfd_responder_settings_init(uint32_t version, bfd_responder_settings *rs);

/**
 * @brief Turn responder mode on, change it, or off (max_sessions 0).
 * Existing responder sessions stay (with their settings) and count against
 * the new max_sessions.
 * @param table the table.
 * @param rs    the settings; copied (the keys too, and wiped when replaced).
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT NULL table or rs
 * @retval BFD_ERR_VERSION          unknown struct_version (rs or its session)
 * @retval BFD_ERR_CFG_AUTH         nkeys above BFD_AUTH_KEYS_MAX, keys of
 *                                  different types, an invalid key, or no
 *                                  key with tx_key_id
 * @retval BFD_ERR_NOT_BUILT        as bfd_auth_key_check()
 * @retval BFD_ERR_NOMEM            (nothing changed)
 * @retval any bfd_session_settings_check() error for the template
 * @since 0.2.0
 */
BFD_EXTERN int bfd_table_set_responder(bfd_table *table, const bfd_responder_settings *rs);

/** @brief Responder sessions in the table now.
 *  @param table the table.
 *  @return the count; 0 for NULL. @since 0.2.0 */
BFD_EXTERN size_t bfd_table_responder_count(const bfd_table *table);

/**
 * @brief Graceful shutdown: bfd_session_goodbye() on every session, and
 * responder mode creates no session from now on. The
 * table frees each when its goodbye is done (BFD_SESSION_EV_REMOVED);
 * keep feeding time, packets and polling until bfd_table_size() is 0 (at
 * most one Detection Time of the peers with the one-second floor), then
 * bfd_table_del().
 * @param table the table.
 * @param now   the current time.
 * @return 0, or BFD_ERR_INVALID_ARGUMENT, BFD_ERR_CLOCK_BACKWARDS,
 *         BFD_ERR_CALLBACK_FAILURE (every session was still handled).
 * @since 0.2.0
 */
BFD_EXTERN int bfd_table_goodbye_all(bfd_table *table, uint64_t now);

/** @brief Iterate over a table's sessions, in no particular order:
 *  bfd_table_next_session(t, NULL) is the first, then pass the previous one.
 *  A whole pass costs O(sessions). Adding or freeing sessions during a pass
 *  may skip or repeat sessions, except freeing the session just returned
 *  after asking for its successor.
 *  @param table the table.
 *  @param prev  NULL, or a session of this table.
 *  @return the next session, or NULL at the end (or for a NULL table).
 *  @since 0.2.0 */
BFD_EXTERN bfd_session *bfd_table_next_session(const bfd_table *table,
                                               const bfd_session *prev);

/* ------------------------------------------------------------------------ */
/* Overload governor                                                        */
/* ------------------------------------------------------------------------ */

/** The current bfd_governor_settings layout. @since 0.2.0 */
#define BFD_GOVERNOR_SETTINGS_VERSION 1

/**
 * Adaptive rate governor of a table (opt-in). A host that cannot keep up
 * serves its timers late; past a point every session times out at once.
 * The governor watches how late the table's deadlines are served (and the
 * load the host reports, bfd_table_note_load()) and, when a sample window
 * shows overload, slows every session of the table by a common scale: each
 * advertises Desired Min TX and Required Min RX times the scale, through
 * ordinary Poll Sequences (RFC 5880 §6.8.3: the Required Min RX increase is
 * in force at once and slows the peer, the Desired Min TX increase waits
 * for the Final). Each session takes a new scale with its next packet.
 * Detection Times grow accordingly on both ends. When the host has had
 * headroom for `restore_hold_ms`, the scale steps back down (the window
 * after a step does not count: the step's own Polls), and a relapse soon
 * after a step doubles the hold (dampening, up to 16x).
 * The session's configured values never change (bfd_session_get_settings);
 * the params event says BFD_PARAMS_EV_GOVERNED while a session runs slower
 * than configured, and bfd_table_stats has the scale and the counts.
 * @since 0.2.0
 */
typedef struct bfd_governor_settings {
  uint32_t struct_version;     /**< BFD_GOVERNOR_SETTINGS_VERSION */
  /** The ceiling: the largest scale, in thousandths (2000 = half the
   *  configured rate). 1000 turns the governor off (the configured rates
   *  come back at once). 1000..64000; default 8000. */
  uint32_t max_scale_permille;
  /** A deadline served later than this is late. > 0; default 5000 us. */
  uint32_t late_us;
  /** A window with at least this share of late services, in thousandths,
   *  is overloaded (so is one with reported load). 1..1000; default 50. */
  uint32_t late_permille;
  /** The sample window. 10..60000; default 500 ms. */
  uint32_t window_ms;
  /** Headroom needed before each step back down. 100..3600000; default
   *  10000 ms. */
  uint32_t restore_hold_ms;
  /** Each overloaded window multiplies the scale by this, in thousandths.
   *  1001..4000; default 1500. */
  uint32_t raise_permille;
  /** Each step down takes this share off the scale, in thousandths (200:
   *  x0.8), until 1000. 1..900; default 200. */
  uint32_t lower_permille;
} bfd_governor_settings;

/** @brief Fill `gs` with the defaults above.
 *  @param version pass BFD_GOVERNOR_SETTINGS_VERSION.
 *  @param gs      out.
 *  @return 0, BFD_ERR_INVALID_ARGUMENT (NULL) or BFD_ERR_VERSION (0 or
 *          newer than the library; nothing written). @since 0.2.0 */
BFD_EXTERN int bfd_governor_settings_init(uint32_t version, bfd_governor_settings *gs);

/**
 * @brief Turn the table's governor on, change it, or off (NULL, or
 * max_scale_permille 1000). Turning it off, or lowering the ceiling below
 * the scale in force, sets the table's scale at once; like every scale
 * change, each session takes it with its next packet (within one TX
 * interval), which spreads the change over the interval instead of a
 * burst of packets at one instant.
 * @param table the table.
 * @param gs    the settings; copied. NULL: off.
 * @param now   the current time: the first sample window starts.
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT NULL table
 * @retval BFD_ERR_VERSION          unknown gs->struct_version
 * @retval BFD_ERR_CFG_GOVERNOR     a field outside its range (see
 *                                  bfd_governor_settings); nothing changed
 * @retval BFD_ERR_CLOCK_BACKWARDS  `now` is before the table's last time
 * @since 0.2.0
 */
BFD_EXTERN int bfd_table_set_governor(bfd_table *table, const bfd_governor_settings *gs,
                                      uint64_t now);

/** The largest rate of bfd_table_set_start_pacing(). @since 0.2.0 */
#define BFD_START_PACING_MAX 1000000u

/**
 * @brief Pace the first packets of the sessions added to the table: at
 * most `per_second` a second, evenly spaced; a session added while its
 * predecessors are still waiting sends its first packet one slot after the
 * last of them (bfd_session_next_deadline() / bfd_table_next_deadline()
 * say when). A host that adds thousands of sessions at once otherwise puts
 * thousands of packets on the wire in the same millisecond, and the peer,
 * which answers each at once, overflows its own receive buffer and the
 * sender's: the sessions whose packets the kernel dropped wait a second
 * for the next (RFC 5880 §6.8.3: at most one packet a second while not
 * Up). The pace also holds when the host polls late: of the first
 * packets whose slots passed, one goes out and the others take the next
 * free slots, in order. Only the first packet of a session created by
 * bfd_table_add_session() waits, and only until the session hears its
 * peer (it answers at once, as always, §6.8.7); passive sessions send
 * nothing before that anyway (§6.1) and take no slot, nor do responder
 * sessions. Sessions already waiting keep their slot when the rate
 * changes or pacing is turned off. Off (0) in a new table; the libuv
 * adapter turns it on (bfd_uv_new()).
 * @param table      the table.
 * @param per_second first packets a second, 1..BFD_START_PACING_MAX (the
 *                   gap is rounded up to whole nanoseconds); 0: off (each
 *                   session's first packet goes out at once).
 * @return 0, or:
 * @retval BFD_ERR_INVALID_ARGUMENT NULL table
 * @retval BFD_ERR_CFG_PACING       per_second above BFD_START_PACING_MAX;
 *                                  nothing changed
 * @since 0.2.0
 */
BFD_EXTERN int bfd_table_set_start_pacing(bfd_table *table, uint32_t per_second);

/** Load the host reports to the governor (bfd_table_note_load()).
 *  @since 0.2.0 */
enum {
  /** Datagrams the kernel dropped before the host read them (e.g. the
   *  SO_RXQ_OVFL count of the receive sockets). */
  BFD_LOAD_RX_DROPS = 1,
  /** Packets the host could not send (send queue full, EAGAIN). */
  BFD_LOAD_TX_BLOCKED = 2
};

/** @brief Report load the table cannot see: any count in a window makes it
 *  an overloaded one. Counted in bfd_table_stats also without a governor.
 *  @param table the table.
 *  @param kind  BFD_LOAD_*.
 *  @param count how many since the last report (0 is allowed).
 *  @return 0, BFD_ERR_INVALID_ARGUMENT (NULL table or unknown kind).
 *  @since 0.2.0 */
BFD_EXTERN int bfd_table_note_load(bfd_table *table, uint32_t kind, uint64_t count);

/** Buckets of bfd_table_stats.late_hist. @since 0.2.0 */
#define BFD_LATE_BUCKETS 12

/** The current bfd_table_stats layout (2 since 0.2.0: lateness and the
 *  governor). @since 0.2.0 */
#define BFD_TABLE_STATS_VERSION (2 + BFD_STRUCT_TEST_BUMP)
/** Entries of bfd_table_stats.rx_drops. @since 0.2.0 */
#define BFD_TABLE_DROP_REASONS 32

/** Table-wide counts: what a big host would otherwise compute with a scan
 *  of every session. @since 0.2.0 */
typedef struct bfd_table_stats {
  uint32_t struct_version;  /**< set by the caller: BFD_TABLE_STATS_VERSION */
  uint32_t pad;             /**< explicit padding, 0 */
  uint64_t sessions;        /**< bfd_table_size() */
  uint64_t by_state[4];     /**< sessions in BFD_STATE_AdminDown/Down/Init/Up (index = state) */
  uint64_t responder_sessions; /**< bfd_table_responder_count() */
  /** Every datagram the table or one of its sessions discarded, counted
   *  once: rx_drops[i] counts the reason bfd_pkt_error_at(i). */
  uint64_t rx_drops[BFD_TABLE_DROP_REASONS];
  /** Version 2: deadlines the table served (a session due to send, to
   *  expire or to be reaped, in bfd_table_poll_packet() or
   *  bfd_table_feed_time()), and how late: late_hist[0] counts those
   *  served within 1 ms of their deadline, late_hist[i] those 2^(i-1) to
   *  2^i ms late, the last bucket 1024 ms or more. */
  uint64_t services;
  uint64_t late_hist[BFD_LATE_BUCKETS]; /**< Version 2: services by lateness, as above */
  uint64_t late_max_ns;            /**< Version 2: the latest service */
  uint64_t load_rx_drops;          /**< Version 2: BFD_LOAD_RX_DROPS reported */
  uint64_t load_tx_blocked;        /**< Version 2: BFD_LOAD_TX_BLOCKED reported */
  uint64_t governor_raises;        /**< Version 2: overloaded windows that raised the scale */
  uint64_t governor_lowers;        /**< Version 2: steps back down */
  /** Version 2: the scale every session runs at, in thousandths of its
   *  configured rate (1000: as configured; see bfd_governor_settings). */
  uint32_t governor_scale_permille;
  uint32_t governor_hold_ms;       /**< Version 2: headroom needed for the next step down */
  BFD_STRUCT_TEST_FIELD
} bfd_table_stats;

/** @brief Fill a table's counts; set `stats->struct_version` first. O(1).
 *  @param table the table.
 *  @param stats in: struct_version; out: the counts.
 *  @return 0, BFD_ERR_INVALID_ARGUMENT or BFD_ERR_VERSION. @since 0.2.0 */
BFD_EXTERN int bfd_table_get_stats(const bfd_table *table, bfd_table_stats *stats);

/** @brief Session by local discriminator.
 *  @param table       the table.
 *  @param local_discr the discriminator.
 *  @return the session, or NULL. @since 0.1.0 */
BFD_EXTERN bfd_session *bfd_table_find_discr(const bfd_table *table,
                                             uint32_t local_discr);
/** @brief Session by exact key.
 *  @param table the table.
 *  @param key   the key as given to bfd_table_add_session().
 *  @return the session, or NULL. @since 0.1.0 */
BFD_EXTERN bfd_session *bfd_table_find_key(const bfd_table *table,
                                           const bfd_session_key *key);

/**
 * @brief Demultiplex and feed one datagram: by Your Discriminator, or when it
 * is 0 by (mode, family, ifindex, local, peer) from `rx_info`.
 * @param table    the table.
 * @param buf      the UDP payload.
 * @param len      its length.
 * @param rx_info  what the host knows about the datagram; its addresses and
 *                 ifindex are the lookup key.
 * @param now      the current time.
 * @param psession out, may be NULL: the session it went to, or NULL (also
 *                 when that session was freed during the call: its goodbye
 *                 finished, or a responder session it created was refused).
 * @return as bfd_session_feed_packet(), plus BFD_ERR_PKT_NO_SESSION, and
 *         BFD_ERR_NOMEM when responder mode could not allocate a session for
 *         it (nothing created); drops before a session is found are counted
 *         in the table (with Your Discriminator 0 and State Init/Up,
 *         BFD_ERR_PKT_YOUR_DISCR, §6.8.6). Without
 *         BFD_RX_PEER in rx_info, Your Discriminator 0 can only match a
 *         BFD_KEY_ANY_PEER session.
 * @since 0.1.0
 */
BFD_EXTERN int bfd_table_feed_packet(bfd_table *table, const uint8_t *buf,
                                     size_t len, const bfd_rx_info *rx_info,
                                     uint64_t now, bfd_session **psession);

/** @brief Handle every expiry up to `now` across all sessions. Sessions
 *  share the table's clock, so every expired session is handled; with a
 *  callback failure the remaining ones are still handled and the error is
 *  returned at the end.
 *  @param table the table.
 *  @param now   the current time.
 *  @return as bfd_session_feed_time(). @since 0.1.0 */
BFD_EXTERN int bfd_table_feed_time(bfd_table *table, uint64_t now);

/**
 * @brief Write the next due packet of any session into `buf`; call until it
 * returns 0 to drain everything due. `*psession` tells the host where to send
 * it (bfd_session_get_key(), bfd_session_get_user_data()).
 * @param table    the table.
 * @param psession out: the session the packet belongs to.
 * @param buf      out: the packet.
 * @param buflen   size of `buf`, at least BFD_CTRL_LEN_MAX.
 * @param now      the current time.
 * @return as bfd_session_poll_packet(): 0 when nothing is due (whatever
 *         buflen); a session whose packet cannot be built returns its error
 *         once (with `*psession`) and never blocks the others.
 * @since 0.1.0
 */
BFD_EXTERN ptrdiff_t bfd_table_poll_packet(bfd_table *table,
                                           bfd_session **psession,
                                           uint8_t *buf, size_t buflen,
                                           uint64_t now);

/** @brief Earliest deadline over all sessions. O(1).
 *  @param table the table.
 *  @return an absolute time, or BFD_TSTAMP_NONE. @since 0.1.0 */
BFD_EXTERN uint64_t bfd_table_next_deadline(const bfd_table *table);

/** @brief Number of sessions.
 *  @param table the table.
 *  @return the count; 0 for NULL. @since 0.1.0 */
BFD_EXTERN size_t bfd_table_size(const bfd_table *table);

/** @brief Datagrams the table discarded before or at demultiplexing
 *  (decode errors, BFD_ERR_PKT_NO_SESSION).
 *  @param table      the table.
 *  @param error_code a BFD_ERR_PKT_* code.
 *  @return the count; 0 for other codes or a NULL table. @since 0.1.0 */
BFD_EXTERN uint64_t bfd_table_get_rx_drops(const bfd_table *table,
                                           int error_code);

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

/** @brief The library's version (of the loaded library, not the header).
 *  @return 0xMMmmpp, comparable with BFDKIT_VERSION_NUM. @since 0.1.0 */
BFD_EXTERN uint32_t bfd_version_number(void);
/** @brief The library's version as text.
 *  @return "M.m.p". Never NULL. @since 0.1.0 */
BFD_EXTERN const char *bfd_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* BFD_BFD_H */
