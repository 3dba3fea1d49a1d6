#include "bfd_err.h"

const char *bfd_strerror(int error_code) {
  switch (error_code) {
  case 0: return "success";
  case BFD_ERR_INVALID_ARGUMENT: return "invalid argument";
  case BFD_ERR_NOMEM: return "out of memory";
  case BFD_ERR_NOBUF: return "buffer too small";
  case BFD_ERR_CLOCK_BACKWARDS: return "time moved backwards";
  case BFD_ERR_CALLBACK_FAILURE: return "callback failed";
  case BFD_ERR_VERSION: return "unknown struct version";
  case BFD_ERR_EXISTS: return "session already exists";
  case BFD_ERR_NOT_FOUND: return "no such session";
  case BFD_ERR_FULL: return "no free discriminator";
  case BFD_ERR_NOT_BUILT: return "feature not built";
  case BFD_ERR_IO: return "socket error";
  case BFD_ERR_PKT_TRUNCATED: return "packet shorter than 24 bytes";
  case BFD_ERR_PKT_VERSION: return "packet version is not 1";
  case BFD_ERR_PKT_LENGTH_SHORT: return "packet Length field too small";
  case BFD_ERR_PKT_LENGTH_LONG: return "packet Length field exceeds datagram";
  case BFD_ERR_PKT_DETECT_MULT: return "packet Detect Mult is zero";
  case BFD_ERR_PKT_MULTIPOINT: return "packet Multipoint bit set";
  case BFD_ERR_PKT_MY_DISCR: return "packet My Discriminator is zero";
  case BFD_ERR_PKT_POLL_FINAL: return "packet has both Poll and Final set";
  case BFD_ERR_PKT_AUTH_TYPE: return "packet has a reserved Auth Type";
  case BFD_ERR_PKT_AUTH_LEN: return "packet Auth Len does not fit";
  case BFD_ERR_PKT_NO_SESSION: return "no session for packet";
  case BFD_ERR_PKT_YOUR_DISCR: return "Your Discriminator zero outside Down/AdminDown";
  case BFD_ERR_PKT_AUTH_MISMATCH: return "A bit does not match authentication config";
  case BFD_ERR_PKT_AUTH_FAILED: return "authentication failed";
  case BFD_ERR_PKT_TTL: return "TTL/Hop Limit below minimum";
  case BFD_ERR_PKT_MODE: return "packet arrived in the wrong mode";
  case BFD_ERR_PKT_ADMIN_DOWN: return "session is AdminDown";
  case BFD_ERR_PKT_LOOPED: return "packet is our own, looped back";
  case BFD_ERR_CFG_DETECT_MULT: return "Detect Mult must be 1..255";
  case BFD_ERR_CFG_MIN_TX: return "Desired Min TX must be nonzero";
  case BFD_ERR_CFG_MIN_RX: return "Required Min RX must be nonzero";
  case BFD_ERR_CFG_MODE: return "unknown session mode";
  case BFD_ERR_CFG_POLICY: return "unknown nexthop-shutdown policy";
  case BFD_ERR_CFG_IMMUTABLE: return "setting cannot change on a live session";
  case BFD_ERR_CFG_KEY: return "invalid session key";
  case BFD_ERR_CFG_FLAG: return "boolean setting must be 0 or 1";
  case BFD_ERR_CFG_AUTH: return "invalid authentication configuration";
  case BFD_ERR_CFG_TTL: return "single-hop minimum TTL must be 255 (RFC 5881 section 5)";
  case BFD_ERR_CFG_GOVERNOR: return "invalid governor settings";
  case BFD_ERR_CFG_PACING: return "start pacing rate out of range";
  case BFD_ERR_DPLANE_VERSION: return "bfddp message has an unknown or another version";
  case BFD_ERR_DPLANE_LENGTH: return "bfddp message length does not fit its type";
  case BFD_ERR_DPLANE_CLOSED: return "bfddp connection failed before";
  default: return "(unknown)";
  }
}

int bfd_pkt_error_at(size_t index) {
  static const int codes[] = {
      BFD_ERR_PKT_TRUNCATED,     BFD_ERR_PKT_VERSION,     BFD_ERR_PKT_LENGTH_SHORT,
      BFD_ERR_PKT_LENGTH_LONG,   BFD_ERR_PKT_DETECT_MULT, BFD_ERR_PKT_MULTIPOINT,
      BFD_ERR_PKT_MY_DISCR,      BFD_ERR_PKT_POLL_FINAL,  BFD_ERR_PKT_AUTH_TYPE,
      BFD_ERR_PKT_AUTH_LEN,      BFD_ERR_PKT_NO_SESSION,  BFD_ERR_PKT_YOUR_DISCR,
      BFD_ERR_PKT_AUTH_MISMATCH, BFD_ERR_PKT_AUTH_FAILED, BFD_ERR_PKT_TTL,
      BFD_ERR_PKT_MODE,          BFD_ERR_PKT_LOOPED};
  return index < sizeof(codes) / sizeof(codes[0]) ? codes[index] : 0;
}

int bfd_err_is_fatal(int error_code) {
  return error_code == BFD_ERR_NOMEM || error_code == BFD_ERR_CALLBACK_FAILURE;
}

int bfd_err_drop_slot(int error_code) {
  if (error_code <= BFD_ERR_PKT_TRUNCATED && error_code > BFD_ERR_PKT_TRUNCATED - 10)
    return BFD_ERR_PKT_TRUNCATED - error_code; /* 0..9 */
  if (error_code <= BFD_ERR_PKT_NO_SESSION && error_code > BFD_ERR_PKT_NO_SESSION - 10)
    return 10 + (BFD_ERR_PKT_NO_SESSION - error_code); /* 10..19 */
  return -1;
}

const char *bfd_state_name(uint8_t state) {
  static const char *const names[] = {"AdminDown", "Down", "Init", "Up"};
  return state < 4 ? names[state] : "(unknown)";
}

const char *bfd_diag_name(uint8_t diag) {
  /* RFC 5880 §4.1 */
  static const char *const names[] = {"No Diagnostic",
                                      "Control Detection Time Expired",
                                      "Echo Function Failed",
                                      "Neighbor Signaled Session Down",
                                      "Forwarding Plane Reset",
                                      "Path Down",
                                      "Concatenated Path Down",
                                      "Administratively Down",
                                      "Reverse Concatenated Path Down"};
  return diag < sizeof(names) / sizeof(names[0]) ? names[diag] : "(unknown)";
}

const char *bfd_auth_type_name(uint8_t auth_type) {
  static const char *const names[] = {"None",       "Simple Password",
                                      "Keyed MD5",  "Meticulous Keyed MD5",
                                      "Keyed SHA1", "Meticulous Keyed SHA1"};
  return auth_type < sizeof(names) / sizeof(names[0]) ? names[auth_type] : "(unknown)";
}
