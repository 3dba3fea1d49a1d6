/* bfddp (FRR bfdd's data plane protocol): the message codec and the
 * connection's stream framing and output queue. No sockets, no clock.
 * Layouts: FRR bfdd/bfddp_packet.h; every field big-endian. */
#include <bfd/bfd_dplane.h>

#include <string.h>

#include "bfd_mem.h"

/* Body lengths (the header excluded). */
#define LEN_ECHO 16
#define LEN_SESSION_V1 132
#define LEN_SESSION_V2 348
#define LEN_STATE 28 /* 27 bytes of fields + 1 byte of padding */
#define LEN_COUNTERS_REQ 4
#define LEN_COUNTERS 72

#define CONN_MAX_OUT_DEFAULT (1u << 20)

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
static void put64(uint8_t *p, uint64_t v) {
  put32(p, (uint32_t)(v >> 32));
  put32(p + 4, (uint32_t)v);
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t get32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static uint64_t get64(const uint8_t *p) { return ((uint64_t)get32(p) << 32) | get32(p + 4); }

static int version_ok(uint8_t version) {
  return version == BFD_DPLANE_VERSION_1 || version == BFD_DPLANE_VERSION_2;
}

ptrdiff_t bfd_dplane_body_len(uint8_t version, uint16_t type) {
  if (!version_ok(version))
    return BFD_ERR_DPLANE_VERSION;
  switch (type) {
  case BFD_DPLANE_ECHO_REQUEST:
  case BFD_DPLANE_ECHO_REPLY: return LEN_ECHO;
  case BFD_DPLANE_ADD_SESSION:
  case BFD_DPLANE_DELETE_SESSION:
    return version == BFD_DPLANE_VERSION_1 ? LEN_SESSION_V1 : LEN_SESSION_V2;
  case BFD_DPLANE_STATE_CHANGE: return LEN_STATE;
  case BFD_DPLANE_REQUEST_COUNTERS: return LEN_COUNTERS_REQ;
  case BFD_DPLANE_SESSION_COUNTERS: return LEN_COUNTERS;
  default: return BFD_ERR_INVALID_ARGUMENT;
  }
}

const char *bfd_dplane_type_name(uint16_t type) {
  static const char *const names[] = {"ECHO_REQUEST",     "ECHO_REPLY",
                                      "ADD_SESSION",      "DELETE_SESSION",
                                      "STATE_CHANGE",     "REQUEST_SESSION_COUNTERS",
                                      "SESSION_COUNTERS"};
  return type < sizeof(names) / sizeof(names[0]) ? names[type] : "(unknown)";
}

int bfd_dplane_msg_init(bfd_dplane_msg *msg, uint8_t version, uint16_t type, uint16_t id) {
  if (msg == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  ptrdiff_t blen = bfd_dplane_body_len(version, type);
  if (blen < 0)
    return (int)blen;
  memset(msg, 0, sizeof(*msg));
  msg->version = version;
  msg->type = type;
  msg->id = id;
  msg->length = (uint16_t)(BFD_DPLANE_HDR_LEN + blen);
  return 0;
}

/* --- session body: offsets of bfddp_session --- */
static void session_decode(bfd_dplane_session *s, const uint8_t *b, uint8_t version) {
  s->flags = get32(b);
  memcpy(s->src, b + 4, 16);
  memcpy(s->dst, b + 20, 16);
  s->lid = get32(b + 36);
  s->min_tx_us = get32(b + 40);
  s->min_rx_us = get32(b + 44);
  s->min_echo_tx_us = get32(b + 48);
  s->min_echo_rx_us = get32(b + 52);
  s->hold_time_ms = get32(b + 56);
  s->ttl = b[60];
  s->detect_mult = b[61];
  s->zero = get16(b + 62);
  s->ifindex = get32(b + 64);
  memcpy(s->ifname, b + 68, 64);
  if (version < BFD_DPLANE_VERSION_2)
    return;
  b += LEN_SESSION_V1;
  s->bfd_mode = b[0];
  s->encap_type = b[1];
  s->seg_num = b[2];
  s->zero2 = b[3];
  s->remote_discr = get32(b + 4);
  memcpy(s->srv6_source, b + 8, 16);
  memcpy(s->seg_list, b + 24, sizeof(s->seg_list));
  memcpy(s->bfd_name, b + 152, 64);
}

static void session_encode(uint8_t *b, const bfd_dplane_session *s, uint8_t version) {
  put32(b, s->flags);
  memcpy(b + 4, s->src, 16);
  memcpy(b + 20, s->dst, 16);
  put32(b + 36, s->lid);
  put32(b + 40, s->min_tx_us);
  put32(b + 44, s->min_rx_us);
  put32(b + 48, s->min_echo_tx_us);
  put32(b + 52, s->min_echo_rx_us);
  put32(b + 56, s->hold_time_ms);
  b[60] = s->ttl;
  b[61] = s->detect_mult;
  put16(b + 62, s->zero);
  put32(b + 64, s->ifindex);
  memcpy(b + 68, s->ifname, 64);
  if (version < BFD_DPLANE_VERSION_2)
    return;
  b += LEN_SESSION_V1;
  b[0] = s->bfd_mode;
  b[1] = s->encap_type;
  b[2] = s->seg_num;
  b[3] = s->zero2;
  put32(b + 4, s->remote_discr);
  memcpy(b + 8, s->srv6_source, 16);
  memcpy(b + 24, s->seg_list, sizeof(s->seg_list));
  memcpy(b + 152, s->bfd_name, 64);
}

static void body_decode(bfd_dplane_msg *m, const uint8_t *b) {
  switch (m->type) {
  case BFD_DPLANE_ECHO_REQUEST:
  case BFD_DPLANE_ECHO_REPLY:
    m->echo.dp_time = get64(b);
    m->echo.bfdd_time = get64(b + 8);
    break;
  case BFD_DPLANE_ADD_SESSION:
  case BFD_DPLANE_DELETE_SESSION: session_decode(&m->session, b, m->version); break;
  case BFD_DPLANE_STATE_CHANGE:
    m->state.lid = get32(b);
    m->state.rid = get32(b + 4);
    m->state.remote_flags = get32(b + 8);
    m->state.desired_tx_us = get32(b + 12);
    m->state.required_rx_us = get32(b + 16);
    m->state.required_echo_rx_us = get32(b + 20);
    m->state.state = b[24];
    m->state.diag = b[25];
    m->state.detect_mult = b[26];
    m->state.pad = b[27];
    break;
  case BFD_DPLANE_REQUEST_COUNTERS: m->counters_lid = get32(b); break;
  case BFD_DPLANE_SESSION_COUNTERS: {
    bfd_dplane_counters *c = &m->counters;
    c->lid = get32(b);
    c->pad = get32(b + 4);
    uint64_t *v[8] = {&c->ctrl_in_bytes,  &c->ctrl_in_pkts,  &c->ctrl_out_bytes,
                      &c->ctrl_out_pkts,  &c->echo_in_bytes, &c->echo_in_pkts,
                      &c->echo_out_bytes, &c->echo_out_pkts};
    for (int i = 0; i < 8; i++)
      *v[i] = get64(b + 8 + 8 * i);
    break;
  }
  default: break;
  }
}

static void body_encode(uint8_t *b, const bfd_dplane_msg *m) {
  switch (m->type) {
  case BFD_DPLANE_ECHO_REQUEST:
  case BFD_DPLANE_ECHO_REPLY:
    put64(b, m->echo.dp_time);
    put64(b + 8, m->echo.bfdd_time);
    break;
  case BFD_DPLANE_ADD_SESSION:
  case BFD_DPLANE_DELETE_SESSION: session_encode(b, &m->session, m->version); break;
  case BFD_DPLANE_STATE_CHANGE:
    put32(b, m->state.lid);
    put32(b + 4, m->state.rid);
    put32(b + 8, m->state.remote_flags);
    put32(b + 12, m->state.desired_tx_us);
    put32(b + 16, m->state.required_rx_us);
    put32(b + 20, m->state.required_echo_rx_us);
    b[24] = m->state.state;
    b[25] = m->state.diag;
    b[26] = m->state.detect_mult;
    b[27] = m->state.pad;
    break;
  case BFD_DPLANE_REQUEST_COUNTERS: put32(b, m->counters_lid); break;
  case BFD_DPLANE_SESSION_COUNTERS: {
    const bfd_dplane_counters *c = &m->counters;
    const uint64_t v[8] = {c->ctrl_in_bytes,  c->ctrl_in_pkts,  c->ctrl_out_bytes,
                           c->ctrl_out_pkts,  c->echo_in_bytes, c->echo_in_pkts,
                           c->echo_out_bytes, c->echo_out_pkts};
    put32(b, c->lid);
    put32(b + 4, c->pad);
    for (int i = 0; i < 8; i++)
      put64(b + 8 + 8 * i, v[i]);
    break;
  }
  default: break;
  }
}

ptrdiff_t bfd_dplane_msg_decode(bfd_dplane_msg *msg, const uint8_t *buf, size_t len) {
  if (msg == NULL || (buf == NULL && len > 0))
    return BFD_ERR_INVALID_ARGUMENT;
  if (len < BFD_DPLANE_HDR_LEN)
    return 0;
  uint8_t version = buf[0];
  if (!version_ok(version))
    return BFD_ERR_DPLANE_VERSION;
  uint16_t type = get16(buf + 2);
  uint16_t length = get16(buf + 6);
  if (length < BFD_DPLANE_HDR_LEN)
    return BFD_ERR_DPLANE_LENGTH;
  ptrdiff_t blen = bfd_dplane_body_len(version, type);
  if (blen >= 0 && length != BFD_DPLANE_HDR_LEN + blen)
    return BFD_ERR_DPLANE_LENGTH;
  if (len < length)
    return 0;
  memset(msg, 0, sizeof(*msg));
  msg->version = version;
  msg->zero = buf[1];
  msg->type = type;
  msg->id = get16(buf + 4);
  msg->length = length;
  if (blen >= 0)
    body_decode(msg, buf + BFD_DPLANE_HDR_LEN);
  return length;
}

ptrdiff_t bfd_dplane_msg_encode(uint8_t *buf, size_t buflen, const bfd_dplane_msg *msg) {
  if (buf == NULL || msg == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  ptrdiff_t blen = bfd_dplane_body_len(msg->version, msg->type);
  if (blen < 0)
    return blen;
  size_t total = BFD_DPLANE_HDR_LEN + (size_t)blen;
  if (buflen < total)
    return BFD_ERR_NOBUF;
  buf[0] = msg->version;
  buf[1] = msg->zero;
  put16(buf + 2, msg->type);
  put16(buf + 4, msg->id);
  put16(buf + 6, (uint16_t)total);
  body_encode(buf + BFD_DPLANE_HDR_LEN, msg);
  return (ptrdiff_t)total;
}

/* ------------------------------------------------------------------------ */
/* Connection                                                               */
/* ------------------------------------------------------------------------ */

/* A byte FIFO: data[off .. off+len). */
typedef struct dp_buf {
  uint8_t *data;
  size_t off, len, cap;
} dp_buf;

struct bfd_dplane_conn {
  const bfd_mem *mem;
  bfd_dplane_conn_settings settings;
  uint8_t version; /* in use: configured, learned, or 0 (none yet) */
  int error;       /* the error that failed the connection, or 0 */
  int reported;    /* that error was returned once */
  dp_buf in, out;
  bfd_dplane_conn_stats stats;
};

/* Room for `more` bytes at the end, compacting or growing. */
static int buf_reserve(const bfd_mem *mem, dp_buf *b, size_t more) {
  if (b->off + b->len + more <= b->cap)
    return 0;
  if (b->off > 0) {
    memmove(b->data, b->data + b->off, b->len);
    b->off = 0;
    if (b->len + more <= b->cap)
      return 0;
  }
  size_t cap = b->cap ? b->cap : 512;
  while (cap < b->len + more) {
    if (cap > SIZE_MAX / 2)
      return BFD_ERR_NOMEM;
    cap *= 2;
  }
  uint8_t *p = bfd_mem_realloc(mem, b->data, cap);
  if (p == NULL)
    return BFD_ERR_NOMEM;
  b->data = p;
  b->cap = cap;
  return 0;
}

static void buf_consume(dp_buf *b, size_t n) {
  b->off += n;
  b->len -= n;
  if (b->len == 0)
    b->off = 0;
}

int bfd_dplane_conn_settings_init(uint32_t version, bfd_dplane_conn_settings *settings) {
  if (settings == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  if (version != BFD_DPLANE_CONN_SETTINGS_VERSION)
    return BFD_ERR_VERSION;
  memset(settings, 0, sizeof(*settings));
  settings->struct_version = version;
  return 0;
}

int bfd_dplane_conn_new(bfd_dplane_conn **pconn, const bfd_dplane_conn_settings *settings,
                        const bfd_mem *mem) {
  bfd_dplane_conn_settings s;
  if (pconn == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  if (settings == NULL) {
    bfd_dplane_conn_settings_init(BFD_DPLANE_CONN_SETTINGS_VERSION, &s);
  } else {
    if (settings->struct_version != BFD_DPLANE_CONN_SETTINGS_VERSION)
      return BFD_ERR_VERSION;
    s = *settings;
  }
  if (s.version != 0 && !version_ok(s.version))
    return BFD_ERR_INVALID_ARGUMENT;
  if (s.max_out == 0)
    s.max_out = CONN_MAX_OUT_DEFAULT;
  bfd_dplane_conn *c = bfd_mem_calloc(mem, 1, sizeof(*c));
  if (c == NULL)
    return BFD_ERR_NOMEM;
  c->mem = mem;
  c->settings = s;
  c->version = s.version;
  *pconn = c;
  return 0;
}

void bfd_dplane_conn_del(bfd_dplane_conn *conn) {
  if (conn == NULL)
    return;
  if (conn->in.data)
    bfd_mem_free(conn->mem, conn->in.data);
  if (conn->out.data)
    bfd_mem_free(conn->mem, conn->out.data);
  bfd_mem_free(conn->mem, conn);
}

/* The error to return for a call on a failed connection. */
static int failed(bfd_dplane_conn *conn) {
  if (!conn->reported) {
    conn->reported = 1;
    return conn->error;
  }
  return BFD_ERR_DPLANE_CLOSED;
}

int bfd_dplane_conn_feed(bfd_dplane_conn *conn, const uint8_t *data, size_t len) {
  if (conn == NULL || (data == NULL && len > 0))
    return BFD_ERR_INVALID_ARGUMENT;
  if (conn->error)
    return BFD_ERR_DPLANE_CLOSED;
  if (len == 0)
    return 0;
  int rv = buf_reserve(conn->mem, &conn->in, len);
  if (rv < 0)
    return rv;
  memcpy(conn->in.data + conn->in.off + conn->in.len, data, len);
  conn->in.len += len;
  conn->stats.bytes_in += len;
  return 0;
}

int bfd_dplane_conn_next_msg(bfd_dplane_conn *conn, bfd_dplane_msg *msg) {
  if (conn == NULL || msg == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  if (conn->error)
    return failed(conn);
  for (;;) {
    if (conn->in.len == 0)
      return 0;
    const uint8_t *p = conn->in.data + conn->in.off;
    bfd_dplane_msg m;
    ptrdiff_t n;
    if (conn->in.len >= BFD_DPLANE_HDR_LEN && conn->version != 0 && p[0] != conn->version)
      n = BFD_ERR_DPLANE_VERSION; /* before the length: that depends on it */
    else
      n = bfd_dplane_msg_decode(&m, p, conn->in.len);
    if (n == 0)
      return 0;
    if (n < 0) {
      conn->error = (int)n;
      return failed(conn);
    }
    if (conn->version == 0)
      conn->version = m.version;
    buf_consume(&conn->in, (size_t)n);
    if (bfd_dplane_body_len(m.version, m.type) < 0) {
      conn->stats.skipped++;
      continue;
    }
    conn->stats.msgs_in++;
    *msg = m;
    return 1;
  }
}

uint8_t bfd_dplane_conn_version(const bfd_dplane_conn *conn) {
  if (conn == NULL)
    return 0;
  return conn->version ? conn->version : BFD_DPLANE_VERSION_1;
}

int bfd_dplane_conn_send(bfd_dplane_conn *conn, const bfd_dplane_msg *msg) {
  if (conn == NULL || msg == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  if (conn->error)
    return BFD_ERR_DPLANE_CLOSED;
  bfd_dplane_msg m = *msg;
  m.version = bfd_dplane_conn_version(conn);
  ptrdiff_t blen = bfd_dplane_body_len(m.version, m.type);
  if (blen < 0)
    return BFD_ERR_INVALID_ARGUMENT;
  size_t total = BFD_DPLANE_HDR_LEN + (size_t)blen;
  if (conn->out.len + total > conn->settings.max_out)
    return BFD_ERR_NOBUF;
  int rv = buf_reserve(conn->mem, &conn->out, total);
  if (rv < 0)
    return rv;
  bfd_dplane_msg_encode(conn->out.data + conn->out.off + conn->out.len, total, &m);
  conn->out.len += total;
  conn->stats.msgs_out++;
  return 0;
}

ptrdiff_t bfd_dplane_conn_poll(bfd_dplane_conn *conn, uint8_t *buf, size_t buflen) {
  if (conn == NULL || buf == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  size_t n = conn->out.len < buflen ? conn->out.len : buflen;
  if (n == 0)
    return 0;
  memcpy(buf, conn->out.data + conn->out.off, n);
  buf_consume(&conn->out, n);
  conn->stats.bytes_out += n;
  return (ptrdiff_t)n;
}

size_t bfd_dplane_conn_pending(const bfd_dplane_conn *conn) {
  return conn ? conn->out.len : 0;
}

int bfd_dplane_conn_error(const bfd_dplane_conn *conn) {
  return conn ? conn->error : BFD_ERR_INVALID_ARGUMENT;
}

int bfd_dplane_conn_get_stats(const bfd_dplane_conn *conn, bfd_dplane_conn_stats *stats) {
  if (conn == NULL || stats == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  *stats = conn->stats;
  return 0;
}
