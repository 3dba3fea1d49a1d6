#include "bfd_crypto.h"

#include <string.h>

#ifdef BFD_HAVE_CRYPTO
#  include <openssl/evp.h>
#endif

int bfd_crypto_built(void) {
#ifdef BFD_HAVE_CRYPTO
  return 1;
#else
  return 0;
#endif
}

int bfd_crypto_digest(int alg, const uint8_t *data, size_t len, uint8_t *out) {
#ifdef BFD_HAVE_CRYPTO
  const EVP_MD *md;
  unsigned int outlen = 0;
  size_t want;
  if (alg == BFD_CRYPTO_MD5) {
    md = EVP_md5();
    want = 16;
  } else if (alg == BFD_CRYPTO_SHA1) {
    md = EVP_sha1();
    want = 20;
  } else {
    return BFD_ERR_INVALID_ARGUMENT;
  }
  /* EVP_Digest fails if the provider lacks the algorithm (FIPS and MD5). */
  if (!md || EVP_Digest(data, len, out, &outlen, md, NULL) != 1 || outlen != want)
    return BFD_ERR_NOT_BUILT;
  return 0;
#else
  (void)data;
  (void)len;
  (void)out;
  if (alg != BFD_CRYPTO_MD5 && alg != BFD_CRYPTO_SHA1)
    return BFD_ERR_INVALID_ARGUMENT;
  return BFD_ERR_NOT_BUILT;
#endif
}

int bfd_crypto_available(int alg) {
  uint8_t md[BFD_CRYPTO_MAX_DIGEST];
  int rv = bfd_crypto_digest(alg, (const uint8_t *)"", 0, md);
  return rv == BFD_ERR_INVALID_ARGUMENT ? BFD_ERR_NOT_BUILT : rv;
}

int bfd_crypto_memeq(const uint8_t *a, const uint8_t *b, size_t n) {
  /* Accumulate every difference: no early exit an attacker could time. */
  volatile uint8_t acc = 0;
  size_t i;
  for (i = 0; i < n; i++)
    acc = (uint8_t)(acc | (a[i] ^ b[i]));
  return acc == 0;
}

void bfd_crypto_wipe(void *p, size_t n) {
  volatile uint8_t *v = p;
  while (n--)
    *v++ = 0;
}
