/* Error codes, drop-counter slots and protocol names (lib/bfd_err.c). */
#include "bfd_err.h"
#include "bfd_harness.h"

#include <limits.h>
#include <string.h>

/* Every code in enum bfd_error. The band scan below fails if a code is added
 * to bfd_strerror() without being listed here. */
static const int all_codes[] = {
    BFD_ERR_INVALID_ARGUMENT, BFD_ERR_NOMEM, BFD_ERR_NOBUF, BFD_ERR_CLOCK_BACKWARDS,
    BFD_ERR_CALLBACK_FAILURE, BFD_ERR_VERSION, BFD_ERR_EXISTS, BFD_ERR_NOT_FOUND, BFD_ERR_FULL,
    BFD_ERR_NOT_BUILT, BFD_ERR_IO,
    /* packet decoding */
    BFD_ERR_PKT_TRUNCATED, BFD_ERR_PKT_VERSION, BFD_ERR_PKT_LENGTH_SHORT, BFD_ERR_PKT_LENGTH_LONG,
    BFD_ERR_PKT_DETECT_MULT, BFD_ERR_PKT_MULTIPOINT, BFD_ERR_PKT_MY_DISCR, BFD_ERR_PKT_POLL_FINAL,
    BFD_ERR_PKT_AUTH_TYPE, BFD_ERR_PKT_AUTH_LEN,
    /* packet acceptance */
    BFD_ERR_PKT_NO_SESSION, BFD_ERR_PKT_YOUR_DISCR, BFD_ERR_PKT_AUTH_MISMATCH,
    BFD_ERR_PKT_AUTH_FAILED, BFD_ERR_PKT_TTL, BFD_ERR_PKT_MODE, BFD_ERR_PKT_ADMIN_DOWN,
    BFD_ERR_PKT_LOOPED,
    /* configuration */
    BFD_ERR_CFG_DETECT_MULT, BFD_ERR_CFG_MIN_TX, BFD_ERR_CFG_MIN_RX, BFD_ERR_CFG_MODE,
    BFD_ERR_CFG_POLICY, BFD_ERR_CFG_IMMUTABLE, BFD_ERR_CFG_KEY, BFD_ERR_CFG_FLAG, BFD_ERR_CFG_AUTH,
    BFD_ERR_CFG_TTL, BFD_ERR_CFG_GOVERNOR, BFD_ERR_CFG_PACING,
    /* bfddp */
    BFD_ERR_DPLANE_VERSION, BFD_ERR_DPLANE_LENGTH, BFD_ERR_DPLANE_CLOSED};
#define NCODES (sizeof(all_codes) / sizeof(all_codes[0]))

/* The packet codes (BFD_ERR_PKT_*): those of all_codes in the packet band,
 * BFD_ERR_PKT_TRUNCATED down to BFD_ERR_PKT_LOOPED. Each needs its own drop
 * counter; bfd_pkt_error_at() lists them (less BFD_ERR_PKT_ADMIN_DOWN). */
static int pkt_codes[NCODES];
static size_t npkt;

static void list_pkt_codes(void) {
  npkt = 0;
  for (size_t i = 0; i < NCODES; i++)
    if (all_codes[i] <= BFD_ERR_PKT_TRUNCATED && all_codes[i] >= BFD_ERR_PKT_LOOPED)
      pkt_codes[npkt++] = all_codes[i];
}

static int is_listed(int code) {
  for (size_t i = 0; i < NCODES; i++)
    if (all_codes[i] == code)
      return 1;
  return 0;
}

static void test_codes_in_band(void) {
  for (size_t i = 0; i < NCODES; i++) {
    CU_ASSERT(all_codes[i] <= -200);
    CU_ASSERT(all_codes[i] >= -299);
  }
}

static void test_strerror_known(void) {
  for (size_t i = 0; i < NCODES; i++) {
    const char *s = bfd_strerror(all_codes[i]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT(s[0] != '\0');
    CU_ASSERT_STRING_NOT_EQUAL(s, "(unknown)");
  }
  CU_ASSERT_STRING_EQUAL(bfd_strerror(0), "success");
}

static void test_strerror_distinct(void) {
  for (size_t i = 0; i < NCODES; i++) {
    CU_ASSERT_STRING_NOT_EQUAL(bfd_strerror(all_codes[i]), bfd_strerror(0));
    for (size_t j = i + 1; j < NCODES; j++) {
      CU_ASSERT(all_codes[i] != all_codes[j]);
      CU_ASSERT_STRING_NOT_EQUAL(bfd_strerror(all_codes[i]), bfd_strerror(all_codes[j]));
    }
  }
}

static void test_strerror_unknown(void) {
  static const int unknown[] = {1,    -1,   200,  -200, -212, -219,    -230,   -239,
                                -249, -259, -272, -299, -300, INT_MIN, INT_MAX};
  for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
    CU_ASSERT_STRING_EQUAL(bfd_strerror(unknown[i]), "(unknown)");
  /* Exactly the listed codes (and 0) have a description. */
  for (int c = -1000; c <= 1000; c++) {
    const char *s = bfd_strerror(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    if (c != 0 && !is_listed(c))
      CU_ASSERT_STRING_EQUAL(s, "(unknown)");
  }
}

static void test_is_fatal(void) {
  CU_ASSERT_EQUAL(bfd_err_is_fatal(BFD_ERR_NOMEM), 1);
  CU_ASSERT_EQUAL(bfd_err_is_fatal(BFD_ERR_CALLBACK_FAILURE), 1);
  for (int c = -1000; c <= 1000; c++)
    if (c != BFD_ERR_NOMEM && c != BFD_ERR_CALLBACK_FAILURE)
      CU_ASSERT_EQUAL(bfd_err_is_fatal(c), 0);
  CU_ASSERT_EQUAL(bfd_err_is_fatal(INT_MIN), 0);
  CU_ASSERT_EQUAL(bfd_err_is_fatal(INT_MAX), 0);
}

static void test_drop_slot_injective(void) {
  int used[BFD_DROP_SLOTS] = {0};
  for (size_t i = 0; i < npkt; i++) {
    int slot = bfd_err_drop_slot(pkt_codes[i]);
    CU_ASSERT_FATAL(slot >= 0 && slot < BFD_DROP_SLOTS);
    CU_ASSERT_EQUAL(used[slot], 0);
    used[slot] = 1;
  }
}

static void test_drop_slot_non_packet(void) {
  int owner[BFD_DROP_SLOTS];
  for (int i = 0; i < BFD_DROP_SLOTS; i++)
    owner[i] = 0;
  /* Only packet codes have slots... */
  for (size_t i = 0; i < NCODES; i++) {
    int is_pkt = 0;
    for (size_t j = 0; j < npkt; j++)
      is_pkt |= all_codes[i] == pkt_codes[j];
    if (!is_pkt)
      CU_ASSERT_EQUAL(bfd_err_drop_slot(all_codes[i]), -1);
  }
  CU_ASSERT_EQUAL(bfd_err_drop_slot(0), -1);
  CU_ASSERT_EQUAL(bfd_err_drop_slot(1), -1);
  CU_ASSERT_EQUAL(bfd_err_drop_slot(INT_MIN), -1);
  CU_ASSERT_EQUAL(bfd_err_drop_slot(INT_MAX), -1);
  /* ...and no two ints share one, listed or not: counters never alias. */
  for (int c = -1000; c <= 1000; c++) {
    int slot = bfd_err_drop_slot(c);
    CU_ASSERT_FATAL(slot >= -1 && slot < BFD_DROP_SLOTS);
    if (slot >= 0) {
      CU_ASSERT_EQUAL(owner[slot], 0);
      owner[slot] = c;
    }
  }
}

/* bfd_pkt_error_at() enumerates every drop reason a packet can still be
 * counted under, each once, then 0. BFD_ERR_PKT_ADMIN_DOWN is no longer a
 * drop (a packet received while AdminDown returns BFD_FEED_ADMIN_DOWN,
 * RFC 5880 §6.8.6). */
static void test_pkt_error_at(void) {
  int seen[NCODES] = {0};
  size_t i, n = 0;
  for (i = 0; bfd_pkt_error_at(i) != 0; i++) {
    int code = bfd_pkt_error_at(i), k = -1;
    CU_ASSERT_FATAL(i < 64);
    for (size_t j = 0; j < npkt; j++)
      if (pkt_codes[j] == code)
        k = (int)j;
    CU_ASSERT(k >= 0);                       /* a packet code... */
    CU_ASSERT(bfd_err_drop_slot(code) >= 0); /* ...with a counter */
    if (k >= 0) {
      CU_ASSERT_EQUAL(seen[k], 0); /* once */
      seen[k] = 1;
    }
    n++;
  }
  CU_ASSERT_EQUAL(n, npkt - 1);
  for (size_t j = 0; j < npkt; j++)
    CU_ASSERT_EQUAL(seen[j], pkt_codes[j] != BFD_ERR_PKT_ADMIN_DOWN);
  CU_ASSERT_EQUAL(bfd_pkt_error_at(n), 0);
  CU_ASSERT_EQUAL(bfd_pkt_error_at((size_t)-1), 0);
}

/* BFD_FEED_ADMIN_DOWN is a positive success value, not an error: hosts that
 * test `rv < 0` treat it as accepted (RFC 5880 §6.8.6 AdminDown discard). */
static void test_feed_admin_down_value(void) {
  CU_ASSERT_EQUAL(BFD_FEED_ADMIN_DOWN, 1);
  CU_ASSERT_EQUAL(bfd_err_is_fatal(BFD_FEED_ADMIN_DOWN), 0);
  CU_ASSERT_EQUAL(bfd_err_drop_slot(BFD_FEED_ADMIN_DOWN), -1);
}

/* fn(v) is names[v] for the n values RFC 5880 §4.1 defines, "(unknown)"
 * for every other byte (reserved for future use). */
static void expect_names(const char *(*fn)(uint8_t), const char *const *names, unsigned n) {
  for (unsigned v = 0; v <= 255; v++)
    CU_ASSERT_STRING_EQUAL(fn((uint8_t)v), v < n ? names[v] : "(unknown)");
}

static void test_state_names(void) {
  /* RFC 5880 §4.1 "State (Sta)" */
  static const char *const names[] = {
      [BFD_STATE_ADMIN_DOWN] = "AdminDown",
      [BFD_STATE_DOWN] = "Down",
      [BFD_STATE_INIT] = "Init",
      [BFD_STATE_UP] = "Up",
  };
  expect_names(bfd_state_name, names, 4);
}

static void test_diag_names(void) {
  /* RFC 5880 §4.1 "Diagnostic (Diag)" */
  static const char *const names[] = {
      [BFD_DIAG_NONE] = "No Diagnostic",
      [BFD_DIAG_DETECT_EXPIRED] = "Control Detection Time Expired",
      [BFD_DIAG_ECHO_FAILED] = "Echo Function Failed",
      [BFD_DIAG_NEIGHBOR_DOWN] = "Neighbor Signaled Session Down",
      [BFD_DIAG_FWD_RESET] = "Forwarding Plane Reset",
      [BFD_DIAG_PATH_DOWN] = "Path Down",
      [BFD_DIAG_CONCAT_PATH_DOWN] = "Concatenated Path Down",
      [BFD_DIAG_ADMIN_DOWN] = "Administratively Down",
      [BFD_DIAG_REV_CONCAT_PATH_DOWN] = "Reverse Concatenated Path Down",
  };
  expect_names(bfd_diag_name, names, 9);
}

static void test_auth_type_names(void) {
  /* RFC 5880 §4.1 "Auth Type" */
  static const char *const names[] = {
      [BFD_AUTH_NONE] = "None",
      [BFD_AUTH_SIMPLE] = "Simple Password",
      [BFD_AUTH_KEYED_MD5] = "Keyed MD5",
      [BFD_AUTH_METICULOUS_KEYED_MD5] = "Meticulous Keyed MD5",
      [BFD_AUTH_KEYED_SHA1] = "Keyed SHA1",
      [BFD_AUTH_METICULOUS_KEYED_SHA1] = "Meticulous Keyed SHA1",
  };
  expect_names(bfd_auth_type_name, names, 6);
}

int main(void) {
  list_pkt_codes();
  CU_TestInfo tests[] = {{"codes_in_band", test_codes_in_band},
                         {"strerror_known", test_strerror_known},
                         {"strerror_distinct", test_strerror_distinct},
                         {"strerror_unknown", test_strerror_unknown},
                         {"is_fatal", test_is_fatal},
                         {"drop_slot_injective", test_drop_slot_injective},
                         {"drop_slot_non_packet", test_drop_slot_non_packet},
                         {"pkt_error_at", test_pkt_error_at},
                         {"feed_admin_down_value", test_feed_admin_down_value},
                         {"state_names", test_state_names},
                         {"diag_names", test_diag_names},
                         {"auth_type_names", test_auth_type_names},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("err", tests);
}
