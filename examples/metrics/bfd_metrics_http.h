/* A minimal HTTP/1.1 endpoint on a libuv loop for the Prometheus
 * exposition (bfd_metrics.h): GET or HEAD /metrics answers 200 with
 * `text/plain; version=0.0.4`, anything else 404 (other methods 405), one
 * request per connection (Connection: close). Meant for a loopback or
 * management address: no TLS, no authentication. */
#ifndef BFD_METRICS_HTTP_H
#define BFD_METRICS_HTTP_H

#include <uv.h>

#include "bfd_metrics.h"

/* Fills `o` with the exposition at request time; returns 0, or -1 when
 * `o` was too small (the server retries with a larger buffer, up to
 * 64 MiB). */
typedef int (*bfdm_http_fill_cb)(void *arg, bfdm_out *o);

typedef struct bfdm_http bfdm_http;

/* Parses "ADDR:PORT" ("127.0.0.1:9101", "[::1]:9101") into `ss`. Returns
 * 0 or -1. */
int bfdm_http_parse_addr(const char *s, struct sockaddr_storage *ss);

/* Listens on `addr` and serves until bfdm_http_close(). Returns 0, or a
 * negative libuv error (UV_EADDRINUSE, ...; uv_strerror() says it). */
int bfdm_http_start(bfdm_http **ph, uv_loop_t *loop, const struct sockaddr *addr,
                    bfdm_http_fill_cb fill, void *arg);

/* The port it listens on (useful after binding port 0); 0 on error. */
unsigned bfdm_http_port(const bfdm_http *h);

/* Closes the listener and every connection; the memory is freed once
 * libuv has closed them (keep the loop running). NULL is a no-op. */
void bfdm_http_close(bfdm_http *h);

#endif
