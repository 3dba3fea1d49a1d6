/* The one seam between bfdkit and a hash library: MD5 and SHA1 one-shot
 * digests through OpenSSL libcrypto's EVP interface (RFC 5880 §6.7.3,
 * §6.7.4), plus a constant-time comparison. Built without libcrypto
 * (BFD_ENABLE_CRYPTO=OFF) the digests report BFD_ERR_NOT_BUILT. */
#ifndef BFD_CRYPTO_H
#define BFD_CRYPTO_H

#include <bfd/bfd.h>

enum { BFD_CRYPTO_MD5 = 1, BFD_CRYPTO_SHA1 = 2 };

/* Largest digest (SHA1). */
#define BFD_CRYPTO_MAX_DIGEST 20

/* 1 if this build links a hash library, else 0. */
int bfd_crypto_built(void);

/* 0 if `alg` can be computed here, else BFD_ERR_NOT_BUILT (compiled out, or
 * the library refuses it, e.g. MD5 under a FIPS-only provider). */
int bfd_crypto_available(int alg);

/* out[0 .. 16 or 20) = MD5/SHA1(data[0 .. len)). Returns 0,
 * BFD_ERR_NOT_BUILT, or BFD_ERR_INVALID_ARGUMENT for an unknown alg. */
int bfd_crypto_digest(int alg, const uint8_t *data, size_t len, uint8_t *out);

/* 1 if a and b are equal over n bytes; time depends on n only. */
int bfd_crypto_memeq(const uint8_t *a, const uint8_t *b, size_t n);

/* Overwrite secret material; not optimized away. */
void bfd_crypto_wipe(void *p, size_t n);

#endif
