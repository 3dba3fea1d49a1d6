/* libFuzzer target: the bfddp codec and connection (lib/bfd_dplane.c).
 *
 * Input: byte 0 = the connection's configured version (% 3: 0 learn, 1, 2),
 * byte 1 = a chunking seed, the rest = the stream bfdd would send.
 *
 * Invariants (abort() on violation):
 *  1. no crash, no sanitizer report; the decoder is handed buffers of
 *     exactly the bytes it may read (heap copies), so a read past the input
 *     is an ASan report;
 *  2. the connection delivers exactly the known-type messages a reference
 *     walk with bfd_dplane_msg_decode() finds, in order, whatever the
 *     chunking; unknown types are skipped and counted;
 *  3. re-encoding a delivered message gives the very bytes of the stream;
 *     decoding that encoding gives the same struct;
 *  4. an error means the connection is to be dropped: the reference walk
 *     fails at the same message with the same code, bfd_dplane_conn_error()
 *     says so, and every later feed, next_msg and send is
 *     BFD_ERR_DPLANE_CLOSED; nothing of the bad message is delivered;
 *  5. the delivered messages applied to a session table by a mapper
 *     (lib/bfd_dplane_map.c, 10 ms apart, the table's time run in between,
 *     the table's callbacks reporting back): no crash, no leak; every lid
 *     the mapper knows is a session of the table; the mapper never has
 *     more sessions than the table; everything it sends decodes cleanly
 *     in the connection's version, replies carry the request's id and every
 *     STATE_CHANGE a lid bfdd gave.
 */
#include <bfd/bfd_dplane.h>

#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c))                                                                                      \
      abort();                                                                                     \
  } while (0)

/* Decode from an exact heap copy of buf[0..len). */
static ptrdiff_t decode_exact(bfd_dplane_msg *m, const uint8_t *buf, size_t len) {
  uint8_t *copy = malloc(len ? len : 1);
  CHECK(copy != NULL);
  memcpy(copy, buf, len);
  ptrdiff_t n = bfd_dplane_msg_decode(m, len ? copy : NULL, len);
  free(copy);
  return n;
}

/* The reference: the messages and the final error a correct framer sees. */
#define MAX_STREAM 32768 /* at most MAX_STREAM / 8 messages */

typedef struct ref {
  size_t off[MAX_STREAM / BFD_DPLANE_HDR_LEN]; /* offsets of the known-type messages */
  size_t n;
  int err;     /* 0 or the error that ends the stream */
  size_t used; /* bytes consumed by whole messages */
} ref;

static void ref_walk(ref *r, const uint8_t *s, size_t len, uint8_t fixed_version) {
  uint8_t version = fixed_version;
  size_t off = 0;
  r->n = 0;
  r->err = 0;
  for (;;) {
    bfd_dplane_msg m;
    if (len - off >= BFD_DPLANE_HDR_LEN && version != 0 && s[off] != version) {
      r->err = BFD_ERR_DPLANE_VERSION;
      break;
    }
    ptrdiff_t n = decode_exact(&m, s + off, len - off);
    if (n < 0) {
      r->err = (int)n;
      break;
    }
    if (n == 0)
      break;
    CHECK((size_t)n <= len - off && n >= BFD_DPLANE_HDR_LEN && m.length == n);
    if (version == 0)
      version = m.version;
    if (bfd_dplane_body_len(m.version, m.type) >= 0)
      r->off[r->n++] = off;
    off += (size_t)n;
  }
  r->used = off;
}

static void check_msg(const bfd_dplane_msg *m, const uint8_t *at) {
  uint8_t out[BFD_DPLANE_MSG_MAX];
  ptrdiff_t n = bfd_dplane_msg_encode(out, sizeof(out), m);
  CHECK(n == m->length);
  CHECK(memcmp(out, at, (size_t)n) == 0);
  bfd_dplane_msg back;
  CHECK(decode_exact(&back, out, (size_t)n) == n);
  CHECK(memcmp(&back, m, sizeof(back)) == 0);
  /* One byte short is "not yet", never a read past the end. */
  CHECK(decode_exact(&back, out, (size_t)n - 1) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ref R;

/* ---- invariant 5: the mapper ---- */

static bfd_dplane_map *MAP;

static int on_change(bfd_session *s, void *ud) {
  (void)ud;
  int rv = bfd_dplane_map_session_changed(MAP, s);
  CHECK(rv == 0 || rv == BFD_ERR_NOBUF);
  return 0;
}
static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  (void)ev;
  return on_change(s, ud);
}
static int on_params(bfd_session *s, const bfd_params_event *ev, void *ud) {
  (void)ev;
  return on_change(s, ud);
}
static void fixed_rand(uint8_t *dest, size_t len, void *ud) {
  (void)ud;
  memset(dest, 0x5a, len);
}

#define MAX_LIDS 512

/* Apply the stream's messages to a table through a mapper. */
static void run_map(const uint8_t *s, size_t len, size_t nmsgs, uint8_t version) {
  bfd_callbacks cb;
  CHECK(bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb) == 0);
  cb.state_change = on_state;
  cb.params = on_params;
  cb.rand = fixed_rand;
  bfd_table *t = NULL;
  CHECK(bfd_table_new(&t, &cb, NULL, NULL) == 0);
  CHECK(bfd_dplane_map_new(&MAP, t, NULL, NULL, NULL) == 0);
  bfd_dplane_conn_settings cs;
  bfd_dplane_conn_settings_init(BFD_DPLANE_CONN_SETTINGS_VERSION, &cs);
  cs.version = version;
  cs.max_out = 1u << 16;
  bfd_dplane_conn *c = NULL, *bfdd = NULL;
  CHECK(bfd_dplane_conn_new(&c, &cs, NULL) == 0);
  CHECK(bfd_dplane_conn_new(&bfdd, &cs, NULL) == 0);
  CHECK(bfd_dplane_map_attach(MAP, c) == 0);
  uint32_t lids[MAX_LIDS];
  size_t nlids = 0;
  uint64_t now = 1;
  for (size_t i = 0; i < nmsgs; i++) {
    bfd_dplane_msg m, out;
    CHECK(bfd_dplane_msg_decode(&m, s + R.off[i], len - R.off[i]) > 0);
    if (m.type == BFD_DPLANE_ADD_SESSION && nlids < MAX_LIDS)
      lids[nlids++] = m.session.lid;
    now += 10 * BFD_MILLISECONDS;
    CHECK(bfd_table_feed_time(t, now) == 0);
    int rv = bfd_dplane_map_handle(MAP, &m, now);
    CHECK(rv != BFD_ERR_CALLBACK_FAILURE && rv != BFD_ERR_CLOCK_BACKWARDS);
    CHECK(bfd_dplane_map_size(MAP) <= bfd_table_size(t));
    for (size_t k = 0; k < nlids; k++) {
      bfd_session *sess = bfd_dplane_map_find(MAP, lids[k]);
      if (sess != NULL) /* every session the mapper knows is the table's */
        CHECK(bfd_table_find_discr(t, bfd_session_get_local_discr(sess)) == sess);
    }
    /* What the mapper sent decodes cleanly. */
    uint8_t buf[4096];
    ptrdiff_t n;
    while ((n = bfd_dplane_conn_poll(c, buf, sizeof(buf))) > 0)
      CHECK(bfd_dplane_conn_feed(bfdd, buf, (size_t)n) == 0);
    while ((rv = bfd_dplane_conn_next_msg(bfdd, &out)) == 1) {
      CHECK(out.version == bfd_dplane_conn_version(c));
      if (out.type == BFD_DPLANE_SESSION_COUNTERS || out.type == BFD_DPLANE_ECHO_REPLY) {
        CHECK(out.id == m.id);
      } else {
        CHECK(out.type == BFD_DPLANE_STATE_CHANGE);
        int known = 0;
        for (size_t k = 0; k < nlids; k++)
          known |= lids[k] == out.state.lid;
        CHECK(known || nlids == MAX_LIDS);
      }
    }
    CHECK(rv == 0);
  }
  CHECK(bfd_dplane_map_sweep(MAP, now) >= 0);
  bfd_dplane_map_attach(MAP, NULL);
  bfd_dplane_map_del(MAP);
  bfd_table_del(t);
  bfd_dplane_conn_del(c);
  bfd_dplane_conn_del(bfdd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2 || size - 2 > MAX_STREAM)
    return 0;
  uint8_t version = data[0] % 3;
  uint32_t seed = data[1] | 1u;
  const uint8_t *s = data + 2;
  size_t len = size - 2;
  ref_walk(&R, s, len, version);

  bfd_dplane_conn_settings cs;
  CHECK(bfd_dplane_conn_settings_init(BFD_DPLANE_CONN_SETTINGS_VERSION, &cs) == 0);
  cs.version = version;
  bfd_dplane_conn *c = NULL;
  CHECK(bfd_dplane_conn_new(&c, &cs, NULL) == 0);

  size_t got = 0, off = 0;
  int err = 0;
  while (off < len && err == 0) {
    seed = seed * 1103515245u + 12345u;
    size_t chunk = 1 + (seed >> 16) % 97;
    if (chunk > len - off)
      chunk = len - off;
    CHECK(bfd_dplane_conn_feed(c, s + off, chunk) == 0);
    off += chunk;
    for (;;) {
      bfd_dplane_msg m;
      int rv = bfd_dplane_conn_next_msg(c, &m);
      if (rv == 0)
        break;
      if (rv < 0) {
        err = rv;
        break;
      }
      CHECK(rv == 1);
      CHECK(got < R.n);
      check_msg(&m, s + R.off[got]);
      got++;
    }
  }
  CHECK(got == R.n);
  CHECK(err == R.err);
  CHECK(bfd_dplane_conn_error(c) == R.err);
  if (err != 0) {
    CHECK(err == BFD_ERR_DPLANE_VERSION || err == BFD_ERR_DPLANE_LENGTH);
    bfd_dplane_msg m;
    CHECK(bfd_dplane_conn_next_msg(c, &m) == BFD_ERR_DPLANE_CLOSED);
    CHECK(bfd_dplane_conn_feed(c, s, len) == BFD_ERR_DPLANE_CLOSED);
    CHECK(bfd_dplane_msg_init(&m, 1, BFD_DPLANE_STATE_CHANGE, 0) == 0);
    CHECK(bfd_dplane_conn_send(c, &m) == BFD_ERR_DPLANE_CLOSED);
  } else {
    /* A reply goes out in the connection's version, byte for byte. */
    bfd_dplane_msg m;
    CHECK(bfd_dplane_msg_init(&m, 1, BFD_DPLANE_STATE_CHANGE, 0) == 0);
    CHECK(bfd_dplane_conn_send(c, &m) == 0);
    uint8_t out[64];
    CHECK(bfd_dplane_conn_poll(c, out, sizeof(out)) == 36);
    CHECK(out[0] == bfd_dplane_conn_version(c));
  }
  bfd_dplane_conn_stats st;
  CHECK(bfd_dplane_conn_get_stats(c, &st) == 0);
  CHECK(st.msgs_in == got);
  uint8_t cv = bfd_dplane_conn_version(c);
  bfd_dplane_conn_del(c);
  run_map(s, len, got, cv);

  /* Any struct of a known type survives encode -> decode. */
  if (len >= sizeof(bfd_dplane_msg)) {
    bfd_dplane_msg m;
    memcpy(&m, s, sizeof(m));
    m.version = (uint8_t)(1 + (m.version & 1));
    m.type %= 7;
    uint8_t out[BFD_DPLANE_MSG_MAX];
    ptrdiff_t n = bfd_dplane_msg_encode(out, sizeof(out), &m);
    CHECK(n == BFD_DPLANE_HDR_LEN + bfd_dplane_body_len(m.version, m.type));
    bfd_dplane_msg back;
    CHECK(decode_exact(&back, out, (size_t)n) == n);
    uint8_t again[BFD_DPLANE_MSG_MAX];
    CHECK(bfd_dplane_msg_encode(again, sizeof(again), &back) == n);
    CHECK(memcmp(out, again, (size_t)n) == 0);
  }
  return 0;
}
