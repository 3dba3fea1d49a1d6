/* The codec against real packets: every control packet BIRD 2 and FRR bfdd
 * sent each other in test/vectors/capture.sh (directory $BFD_TEST_VECTORS,
 * else test/vectors next to this source file). No vectors there at all:
 * SKIP (exit 77), never a silent pass.
 *
 * Each vector file holds one packet per hex line; a "# expect k=v ..." line
 * before a packet is Wireshark's decoding of it (an oracle independent of our
 * codec). Every packet must decode, match its expect line, and re-encode
 * byte-identically; a hand-written table pins a few packets field by field;
 * and mutations of the real packets must hit the RFC 5880 §6.8.6 checks. */
#define _POSIX_C_SOURCE 200809L
#include "bfd_harness.h"

#include <bfd/bfd.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 128
#define MAX_PKTS  16

typedef struct vec_pkt {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  size_t len;
  int has_expect;
  char expect[512];
  int line;
} vec_pkt;

typedef struct vec_file {
  char name[128];
  vec_pkt pkts[MAX_PKTS];
  size_t npkts;
} vec_file;

static vec_file files[MAX_FILES];
static size_t nfiles;
static const char *vec_dir;
static char vec_dir_buf[4096];

/* Strip trailing whitespace (newline, CR) in place. */
static void rstrip(char *s) {
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
}

/* Returns 0, or -1 on a malformed file (reported on stderr). */
static int load_file(vec_file *vf, const char *path) {
  FILE *f = fopen(path, "r");
  char line[1024];
  char pending[512] = "";
  int has_pending = 0, lineno = 0;
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return -1;
  }
  while (fgets(line, sizeof line, f)) {
    lineno++;
    rstrip(line);
    if (line[0] == '\0')
      continue;
    if (line[0] == '#') {
      if (strncmp(line, "# expect ", 9) == 0) {
        size_t el = strlen(line + 9);
        if (el >= sizeof pending) {
          fprintf(stderr, "%s:%d: expect line too long\n", path, lineno);
          fclose(f);
          return -1;
        }
        memcpy(pending, line + 9, el + 1);
        has_pending = 1;
      }
      continue;
    }
    size_t hl = strlen(line);
    if (hl % 2 != 0 || hl / 2 > BFD_CTRL_LEN_MAX || vf->npkts >= MAX_PKTS) {
      fprintf(stderr, "%s:%d: bad hex line (odd, too long, or too many packets)\n", path, lineno);
      fclose(f);
      return -1;
    }
    vec_pkt *p = &vf->pkts[vf->npkts];
    if (bt_unhex(line, p->buf, sizeof p->buf) != (int)(hl / 2)) { /* lowercase only */
      fprintf(stderr, "%s:%d: not lowercase hex\n", path, lineno);
      fclose(f);
      return -1;
    }
    p->len = hl / 2;
    p->line = lineno;
    p->has_expect = has_pending;
    memcpy(p->expect, pending, sizeof p->expect);
    has_pending = 0;
    vf->npkts++;
  }
  fclose(f);
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(((const vec_file *)a)->name, ((const vec_file *)b)->name);
}

/* $BFD_TEST_VECTORS if set (a wrong one is an error, not a skip), else
 * "vectors" beside this file: the compiler sees the source by its path, so
 * the binary finds the vectors of its own source tree wherever it runs.
 * Returns 1 if the directory was given explicitly. */
static int locate_vectors(void) {
  const char *env = getenv("BFD_TEST_VECTORS");
  const char *src = __FILE__, *slash = strrchr(src, '/');
  if (env && *env) {
    vec_dir = env;
    return 1;
  }
  if (slash)
    snprintf(vec_dir_buf, sizeof vec_dir_buf, "%.*s/vectors", (int)(slash - src), src);
  else
    snprintf(vec_dir_buf, sizeof vec_dir_buf, "vectors");
  vec_dir = vec_dir_buf;
  return 0;
}

/* Loads every *.hex file once, before the suite runs. */
static int load_vectors(void) {
  DIR *d;
  struct dirent *de;
  d = opendir(vec_dir);
  if (!d) {
    fprintf(stderr, "cannot open %s\n", vec_dir);
    return 0;
  }
  while ((de = readdir(d)) != NULL) {
    size_t n = strlen(de->d_name);
    char path[4096];
    if (n < 5 || strcmp(de->d_name + n - 4, ".hex") != 0)
      continue;
    if (nfiles >= MAX_FILES || n >= sizeof files[0].name) {
      fprintf(stderr, "too many vector files or name too long: %s\n", de->d_name);
      continue;
    }
    vec_file *vf = &files[nfiles];
    memset(vf, 0, sizeof *vf);
    memcpy(vf->name, de->d_name, n + 1); /* n < sizeof name, checked above */
    snprintf(path, sizeof path, "%s/%s", vec_dir, de->d_name);
    if (load_file(vf, path) == 0)
      nfiles++;
    else
      vf->npkts = 0; /* malformed: not counted; test_files_well_formed fails */
  }
  closedir(d);
  qsort(files, nfiles, sizeof files[0], cmp_names);
  return 0;
}

static const vec_file *find_file(const char *name) {
  for (size_t i = 0; i < nfiles; i++)
    if (strcmp(files[i].name, name) == 0)
      return &files[i];
  return NULL;
}

/* The value of key `k` in an expect line; -1 (as int64) if absent. */
static int64_t expect_get(const char *exp, const char *k) {
  size_t kl = strlen(k);
  const char *p = exp;
  while (*p) {
    while (*p == ' ')
      p++;
    if (strncmp(p, k, kl) == 0 && p[kl] == '=')
      return (int64_t)strtoll(p + kl + 1, NULL, 0);
    while (*p && *p != ' ')
      p++;
  }
  return -1;
}

/* ------------------------------------------------------------------------ */

static void test_directory_has_vectors(void) {
  size_t pkts = 0;
  CU_ASSERT_PTR_NOT_NULL_FATAL(vec_dir);
  for (size_t i = 0; i < nfiles; i++) {
    if (files[i].npkts == 0)
      fprintf(stderr, "%s has no packet\n", files[i].name);
    CU_ASSERT(files[i].npkts > 0);
    pkts += files[i].npkts;
  }
  /* capture.sh writes 41 files / ~90 packets; a lost directory must fail. */
  CU_ASSERT_FATAL(nfiles >= 40);
  CU_ASSERT(pkts >= 80);
  CU_ASSERT_PTR_NOT_NULL(find_file("bird-ipv4-single-auth-meticulous-keyed-sha1.hex"));
  CU_ASSERT_PTR_NOT_NULL(find_file("frr-ipv6-multi-up.hex"));
}

/* Every packet decodes and re-encodes to the same bytes. */
static void test_decode_reencode(void) {
  size_t checked = 0;
  CU_ASSERT_FATAL(nfiles > 0);
  for (size_t i = 0; i < nfiles; i++) {
    for (size_t j = 0; j < files[i].npkts; j++) {
      const vec_pkt *vp = &files[i].pkts[j];
      bfd_ctrl_pkt pkt;
      uint8_t out[BFD_CTRL_LEN_MAX + 8];
      int rc = bfd_ctrl_pkt_decode(&pkt, vp->buf, vp->len);
      if (rc != 0)
        fprintf(stderr, "%s line %d: decode: %s\n", files[i].name, vp->line, bfd_strerror(rc));
      CU_ASSERT_EQUAL(rc, 0);
      if (rc != 0)
        continue;
      CU_ASSERT_EQUAL(pkt.version, 1);
      CU_ASSERT_EQUAL(pkt.length, vp->len); /* no daemon pads its packets */
      ptrdiff_t n = bfd_ctrl_pkt_encode(out, sizeof out, &pkt);
      CU_ASSERT_EQUAL(n, (ptrdiff_t)vp->len);
      if (n == (ptrdiff_t)vp->len) {
        int same = memcmp(out, vp->buf, vp->len) == 0;
        if (!same)
          fprintf(stderr, "%s line %d: re-encode differs\n", files[i].name, vp->line);
        CU_ASSERT(same);
      }
      checked++;
    }
  }
  CU_ASSERT(checked >= 80);
}

/* Every decoded field equals Wireshark's reading of the capture. */
static void test_matches_wireshark(void) {
  size_t checked = 0;
  CU_ASSERT_FATAL(nfiles > 0);
  for (size_t i = 0; i < nfiles; i++) {
    for (size_t j = 0; j < files[i].npkts; j++) {
      const vec_pkt *vp = &files[i].pkts[j];
      const char *e = vp->expect;
      bfd_ctrl_pkt pkt;
      CU_ASSERT(vp->has_expect);
      if (!vp->has_expect || bfd_ctrl_pkt_decode(&pkt, vp->buf, vp->len) != 0)
        continue;
      int ok = pkt.state == expect_get(e, "state") && pkt.diag == expect_get(e, "diag") &&
               pkt.flags == expect_get(e, "flags") && pkt.detect_mult == expect_get(e, "mult") &&
               pkt.my_discr == expect_get(e, "my") && pkt.your_discr == expect_get(e, "your") &&
               pkt.desired_min_tx_us == expect_get(e, "tx") &&
               pkt.required_min_rx_us == expect_get(e, "rx") &&
               pkt.required_min_echo_rx_us == expect_get(e, "echo");
      if (pkt.flags & BFD_FLAG_A) {
        ok = ok && pkt.auth.type == expect_get(e, "auth_type") &&
             pkt.auth.len == expect_get(e, "auth_len") &&
             pkt.auth.key_id == expect_get(e, "key_id");
        if (expect_get(e, "seq") >= 0)
          ok = ok && pkt.auth.seq == expect_get(e, "seq");
      } else {
        ok = ok && expect_get(e, "auth_type") == -1;
      }
      if (!ok)
        fprintf(stderr, "%s line %d: decode differs from '%s'\n", files[i].name, vp->line, e);
      CU_ASSERT(ok);
      checked++;
    }
  }
  CU_ASSERT(checked >= 80);
}

/* The file name says what the packets are: check the name against them. */
static void test_names_match_content(void) {
  size_t checked = 0;
  for (size_t i = 0; i < nfiles; i++) {
    checked += files[i].npkts;
    const char *nm = files[i].name;
    for (size_t j = 0; j < files[i].npkts; j++) {
      bfd_ctrl_pkt pkt;
      if (bfd_ctrl_pkt_decode(&pkt, files[i].pkts[j].buf, files[i].pkts[j].len) != 0)
        continue;
      int auth = strstr(nm, "-auth-") != NULL;
      CU_ASSERT_EQUAL(!!(pkt.flags & BFD_FLAG_A), auth);
      if (strstr(nm, "-single-up.") || strstr(nm, "-multi-up."))
        CU_ASSERT_EQUAL(pkt.state, BFD_STATE_UP);
      if (strstr(nm, "-init."))
        CU_ASSERT_EQUAL(pkt.state, BFD_STATE_INIT);
      if (strstr(nm, "-admindown."))
        CU_ASSERT_EQUAL(pkt.state, BFD_STATE_ADMIN_DOWN);
      if (strstr(nm, "-down.") || strstr(nm, "-down-")) /* §6.8.6: Down may carry Your Discr 0 */
        CU_ASSERT_EQUAL(pkt.state, BFD_STATE_DOWN);
      if (strstr(nm, "-single-down."))
        CU_ASSERT_EQUAL(pkt.your_discr, 0);
      if (strstr(nm, "-poll."))
        CU_ASSERT_EQUAL(pkt.flags & (BFD_FLAG_P | BFD_FLAG_F), BFD_FLAG_P);
      if (strstr(nm, "-final."))
        CU_ASSERT_EQUAL(pkt.flags & (BFD_FLAG_P | BFD_FLAG_F), BFD_FLAG_F);
      if (strstr(nm, "-detect-expired."))
        CU_ASSERT_EQUAL(pkt.diag, BFD_DIAG_DETECT_EXPIRED);
      if (strstr(nm, "-neighbor-down."))
        CU_ASSERT_EQUAL(pkt.diag, BFD_DIAG_NEIGHBOR_DOWN);
      if (strncmp(nm, "bird-", 5) == 0 && !auth)
        CU_ASSERT_EQUAL(pkt.detect_mult, 5); /* BIRD's default multiplier */
      if (strncmp(nm, "frr-", 4) == 0) {
        CU_ASSERT_EQUAL(pkt.detect_mult, 3);                 /* FRR's default */
        CU_ASSERT_EQUAL(pkt.required_min_echo_rx_us, 50000); /* FRR advertises 50 ms echo */
      }
      if (strstr(nm, "-auth-")) {
        static const struct {
          const char *tag;
          uint8_t type, len;
        } at[] = {{"-auth-simple.", BFD_AUTH_SIMPLE, 3 + 11},
                  {"-auth-keyed-md5.", BFD_AUTH_KEYED_MD5, 24},
                  {"-auth-meticulous-keyed-md5.", BFD_AUTH_METICULOUS_KEYED_MD5, 24},
                  {"-auth-keyed-sha1.", BFD_AUTH_KEYED_SHA1, 28},
                  {"-auth-meticulous-keyed-sha1.", BFD_AUTH_METICULOUS_KEYED_SHA1, 28}};
        int found = 0;
        for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
          if (strstr(nm, at[k].tag)) {
            found = 1;
            CU_ASSERT_EQUAL(pkt.auth.type, at[k].type);
            CU_ASSERT_EQUAL(pkt.auth.len, at[k].len);
            CU_ASSERT_EQUAL(pkt.auth.key_id, 42); /* capture.sh's key ID */
          }
        }
        CU_ASSERT(found);
      }
    }
  }
  CU_ASSERT(checked >= 80); /* never a pass over nothing */
}

/* Hand-checked packets (values read off the capture; re-capturing draws new
 * discriminators and sequence numbers, so update this table then). */
typedef struct hand_expect {
  const char *file;
  size_t idx;
  uint8_t state, diag, flags, mult, length;
  uint32_t my, your, tx, rx, echo;
  uint8_t auth_type, auth_len, key_id;
  uint32_t seq;
} hand_expect;

static const hand_expect hand[] = {
    /* BIRD's first packet: Down, Your Discr 0, idle TX 1 s (§6.8.3) */
    {"bird-ipv4-single-down.hex", 0, BFD_STATE_DOWN, 0, 0, 5, 24, 0x3b861141u, 0, 1000000, 300000,
     0, 0, 0, 0, 0},
    /* BIRD's Poll on coming Up, then its Poll after 'birdc configure' 250 ms */
    {"bird-ipv4-single-poll.hex", 0, BFD_STATE_UP, 0, BFD_FLAG_P, 5, 24, 0x3b861141u, 0x400d6de4u,
     300000, 300000, 0, 0, 0, 0, 0},
    {"bird-ipv4-single-poll.hex", 1, BFD_STATE_UP, 0, BFD_FLAG_P, 5, 24, 0x3b861141u, 0x400d6de4u,
     250000, 250000, 0, 0, 0, 0, 0},
    /* FRR's AdminDown carries Diag 0 (not 7, Administratively Down) */
    {"frr-ipv4-single-admindown.hex", 0, BFD_STATE_ADMIN_DOWN, 0, 0, 3, 24, 0x400d6de4u,
     0x3b861141u, 200000, 200000, 50000, 0, 0, 0, 0},
    {"frr-ipv4-single-admindown.hex", 1, BFD_STATE_ADMIN_DOWN, 0, BFD_FLAG_F, 3, 24, 0x400d6de4u,
     0x3b861141u, 200000, 200000, 50000, 0, 0, 0, 0},
    /* BIRD's Meticulous Keyed SHA1 Down, key ID 42 (§4.4: Auth Len 28) */
    {"bird-ipv4-single-auth-meticulous-keyed-sha1.hex", 0, BFD_STATE_DOWN, 0, BFD_FLAG_A, 5, 52,
     0x06f2dca2u, 0, 1000000, 300000, 0, BFD_AUTH_METICULOUS_KEYED_SHA1, 28, 42, 3225695858u},
    /* the next packet of the same sender: the sequence number advanced by 1 */
    {"bird-ipv4-single-auth-meticulous-keyed-sha1.hex", 1, BFD_STATE_DOWN, 0, BFD_FLAG_A, 5, 52,
     0x06f2dca2u, 0, 1000000, 300000, 0, BFD_AUTH_METICULOUS_KEYED_SHA1, 28, 42, 3225695859u},
};

static void test_hand_table(void) {
  for (size_t i = 0; i < sizeof hand / sizeof hand[0]; i++) {
    const hand_expect *h = &hand[i];
    const vec_file *vf = find_file(h->file);
    bfd_ctrl_pkt pkt;
    CU_ASSERT_PTR_NOT_NULL_FATAL(vf);
    CU_ASSERT_FATAL(h->idx < vf->npkts);
    CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&pkt, vf->pkts[h->idx].buf, vf->pkts[h->idx].len), 0);
    CU_ASSERT_EQUAL(pkt.version, 1);
    CU_ASSERT_EQUAL(pkt.state, h->state);
    CU_ASSERT_EQUAL(pkt.diag, h->diag);
    CU_ASSERT_EQUAL(pkt.flags, h->flags);
    CU_ASSERT_EQUAL(pkt.detect_mult, h->mult);
    CU_ASSERT_EQUAL(pkt.length, h->length);
    CU_ASSERT_EQUAL(pkt.my_discr, h->my);
    CU_ASSERT_EQUAL(pkt.your_discr, h->your);
    CU_ASSERT_EQUAL(pkt.desired_min_tx_us, h->tx);
    CU_ASSERT_EQUAL(pkt.required_min_rx_us, h->rx);
    CU_ASSERT_EQUAL(pkt.required_min_echo_rx_us, h->echo);
    if (h->auth_type) {
      CU_ASSERT_EQUAL(pkt.auth.type, h->auth_type);
      CU_ASSERT_EQUAL(pkt.auth.len, h->auth_len);
      CU_ASSERT_EQUAL(pkt.auth.key_id, h->key_id);
      CU_ASSERT_EQUAL(pkt.auth.reserved, 0);
      CU_ASSERT_EQUAL(pkt.auth.seq, h->seq);
      CU_ASSERT_EQUAL(pkt.auth.data_len, 20);
      /* the digest is the last 20 bytes of the packet */
      CU_ASSERT(memcmp(pkt.auth.data, vf->pkts[h->idx].buf + 32, 20) == 0);
    }
  }
}

/* Simple Password (§4.2): the password itself travels; BIRD sends the key. */
static void test_simple_password(void) {
  const vec_file *vf = find_file("bird-ipv4-single-auth-simple.hex");
  CU_ASSERT_PTR_NOT_NULL_FATAL(vf);
  CU_ASSERT_FATAL(vf->npkts > 0);
  for (size_t j = 0; j < vf->npkts; j++) {
    bfd_ctrl_pkt pkt;
    CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&pkt, vf->pkts[j].buf, vf->pkts[j].len), 0);
    CU_ASSERT_EQUAL(pkt.length, 24 + 3 + 11);
    CU_ASSERT_EQUAL(pkt.auth.type, BFD_AUTH_SIMPLE);
    CU_ASSERT_EQUAL(pkt.auth.key_id, 42);
    CU_ASSERT_EQUAL(pkt.auth.data_len, 11);
    CU_ASSERT(memcmp(pkt.auth.data, "bfdkit-test", 11) == 0);
  }
}

/* Mutations of real packets must hit the §6.8.6 checks, each with its own
 * code; trailing padding after Length is ignored. */
static void test_mutations(void) {
  size_t checked = 0;
  for (size_t i = 0; i < nfiles; i++) {
    for (size_t j = 0; j < files[i].npkts; j++) {
      const vec_pkt *vp = &files[i].pkts[j];
      uint8_t m[BFD_CTRL_LEN_MAX + 4];
      bfd_ctrl_pkt pkt;
      size_t len = vp->len;

      memcpy(m, vp->buf, len);
      m[0] = (uint8_t)((2u << 5) | (m[0] & 0x1fu)); /* version 2 */
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, m, len), BFD_ERR_PKT_VERSION);

      memcpy(m, vp->buf, len);
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, m, len - 1), /* shorter than Length */
                      len - 1 < BFD_CTRL_LEN ? BFD_ERR_PKT_TRUNCATED : BFD_ERR_PKT_LENGTH_LONG);

      memcpy(m, vp->buf, len);
      m[2] = 0; /* Detect Mult */
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, m, len), BFD_ERR_PKT_DETECT_MULT);

      memcpy(m, vp->buf, len);
      m[1] |= BFD_FLAG_M;
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, m, len), BFD_ERR_PKT_MULTIPOINT);

      memcpy(m, vp->buf, len);
      memset(m + 4, 0, 4); /* My Discriminator */
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, m, len), BFD_ERR_PKT_MY_DISCR);

      memcpy(m, vp->buf, len);
      m[1] |= BFD_FLAG_P | BFD_FLAG_F; /* §6.5 */
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, m, len), BFD_ERR_PKT_POLL_FINAL);

      if (vp->buf[1] & BFD_FLAG_A) {
        memcpy(m, vp->buf, len);
        m[24] = 6; /* reserved Auth Type */
        CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, m, len), BFD_ERR_PKT_AUTH_TYPE);
        memcpy(m, vp->buf, len);
        m[25] = (uint8_t)(m[25] - 1); /* Auth Len no longer fits its type/Length */
        CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, m, len), BFD_ERR_PKT_AUTH_LEN);
      } else {
        memcpy(m, vp->buf, len);
        m[1] |= BFD_FLAG_A; /* A bit on a 24-byte packet: Length < 26 */
        CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, m, len), BFD_ERR_PKT_LENGTH_SHORT);
      }

      /* padding after Length: decodes, re-encodes to the original */
      memcpy(m, vp->buf, len);
      memset(m + len, 0xa5, 4);
      if (bfd_ctrl_pkt_decode(&pkt, m, len + 4) == 0) {
        uint8_t out[BFD_CTRL_LEN_MAX];
        CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(out, sizeof out, &pkt), (ptrdiff_t)len);
        CU_ASSERT(memcmp(out, vp->buf, len) == 0);
      } else {
        CU_FAIL("padding after Length rejected");
      }
      checked++;
    }
  }
  CU_ASSERT(checked >= 80);
}

int main(void) {
  CU_TestInfo tests[] = {
      {"directory_has_vectors", test_directory_has_vectors},
      {"decode_reencode", test_decode_reencode},
      {"matches_wireshark", test_matches_wireshark},
      {"names_match_content", test_names_match_content},
      {"hand_table", test_hand_table},
      {"simple_password", test_simple_password},
      {"mutations", test_mutations},
      CU_TEST_INFO_NULL,
  };
  int explicit_dir = locate_vectors();
  load_vectors();
  if (nfiles == 0 && !explicit_dir) {
    /* A source tree without test/vectors (e.g. a trimmed tarball). */
    fprintf(stderr, "codec_vectors: SKIP, no *.hex vectors in %s (set BFD_TEST_VECTORS)\n",
            vec_dir);
    return BFD_TEST_SKIP;
  }
  fprintf(stderr, "codec_vectors: %zu vector files from %s\n", nfiles, vec_dir);
  return bfd_test_run_suite("codec_vectors", tests);
}
