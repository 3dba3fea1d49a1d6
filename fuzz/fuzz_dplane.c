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
 *     BFD_ERR_DPLANE_CLOSED; nothing of the bad message is delivered.
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
  bfd_dplane_conn_del(c);

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
