/* HTTP endpoint for the Prometheus exposition (see bfd_metrics_http.h). */
#include "bfd_metrics_http.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQ_MAX  4096          /* a scraper's request is a few hundred bytes */
#define BODY_MIN (64u * 1024u) /* first try; doubled until it fits */
#define BODY_MAX (64u * 1024u * 1024u)

typedef struct conn {
  uv_tcp_t tcp;
  uv_write_t wr;
  struct bfdm_http *h;
  struct conn *prev, *next;
  char req[REQ_MAX];
  size_t rlen;
  char *resp;
  int answered;
} conn;

struct bfdm_http {
  uv_tcp_t srv;
  bfdm_http_fill_cb fill;
  void *arg;
  conn *conns;
  int open; /* the listener and the connections still to close */
};

int bfdm_http_parse_addr(const char *s, struct sockaddr_storage *ss) {
  char host[64];
  const char *colon, *h = s;
  size_t hl;
  char *end;
  unsigned long port;
  memset(ss, 0, sizeof(*ss));
  if (s[0] == '[') {
    const char *rb = strchr(s, ']');
    if (!rb || rb[1] != ':')
      return -1;
    h = s + 1;
    hl = (size_t)(rb - h);
    colon = rb + 1;
  } else {
    colon = strrchr(s, ':');
    if (!colon)
      return -1;
    hl = (size_t)(colon - s);
  }
  if (hl == 0 || hl >= sizeof(host))
    return -1;
  memcpy(host, h, hl);
  host[hl] = '\0';
  port = strtoul(colon + 1, &end, 10);
  if (colon[1] == '\0' || *end != '\0' || port > 65535)
    return -1;
  if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss) == 0 && s[0] != '[')
    return 0;
  if (uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)ss) == 0)
    return 0;
  return -1;
}

static void free_if_done(bfdm_http *h) {
  if (h->open == 0)
    free(h);
}

static void on_conn_closed(uv_handle_t *hd) {
  conn *c = hd->data;
  bfdm_http *h = c->h;
  if (c->prev)
    c->prev->next = c->next;
  else
    h->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  free(c->resp);
  free(c);
  h->open--;
  free_if_done(h);
}

static void conn_close(conn *c) {
  if (!uv_is_closing((uv_handle_t *)&c->tcp))
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_written(uv_write_t *w, int status) {
  (void)status;
  conn_close(w->data);
}

/* The exposition into a buffer that fits it (NULL when out of memory or
 * larger than BODY_MAX). */
static char *render(bfdm_http *h, size_t *len) {
  size_t cap;
  for (cap = BODY_MIN; cap <= BODY_MAX; cap *= 2) {
    char *b = malloc(cap);
    bfdm_out o;
    if (!b)
      return NULL;
    bfdm_out_init(&o, b, cap);
    if (h->fill(h->arg, &o) == 0 && !o.truncated) {
      *len = o.len;
      return b;
    }
    free(b);
  }
  return NULL;
}

static void respond(conn *c, int code, const char *reason, const char *type, const char *body,
                    size_t blen, int head) {
  char hdr[256];
  int n = snprintf(hdr, sizeof(hdr),
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                   "Connection: close\r\n\r\n",
                   code, reason, type, blen);
  size_t total = (size_t)n + (head ? 0 : blen);
  uv_buf_t b;
  c->resp = malloc(total);
  if (!c->resp) {
    conn_close(c);
    return;
  }
  memcpy(c->resp, hdr, (size_t)n);
  if (!head)
    memcpy(c->resp + n, body, blen);
  b = uv_buf_init(c->resp, (unsigned)total);
  c->wr.data = c;
  if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0)
    conn_close(c);
}

static const char k_plain[] = "text/plain; charset=utf-8";

static void answer(conn *c) {
  bfdm_http *h = c->h;
  int get = strncmp(c->req, "GET ", 4) == 0, head = strncmp(c->req, "HEAD ", 5) == 0;
  const char *path = c->req + (get ? 4 : 5);
  c->answered = 1;
  uv_read_stop((uv_stream_t *)&c->tcp);
  if (!get && !head) {
    respond(c, 405, "Method Not Allowed", k_plain, "GET /metrics\n", 13, 0);
  } else if (strncmp(path, "/metrics", 8) == 0 && (path[8] == ' ' || path[8] == '?')) {
    size_t len = 0;
    char *body = render(h, &len);
    if (!body) {
      respond(c, 500, "Internal Server Error", k_plain, "out of memory\n", 14, head);
      return;
    }
    respond(c, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body, len, head);
    free(body);
  } else {
    respond(c, 404, "Not Found", k_plain, "GET /metrics\n", 13, head);
  }
}

static void on_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf) {
  conn *c = hd->data;
  (void)suggested;
  *buf = uv_buf_init(c->req + c->rlen, (unsigned)(REQ_MAX - 1 - c->rlen));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  conn *c = s->data;
  (void)buf;
  if (n < 0) {
    conn_close(c);
    return;
  }
  c->rlen += (size_t)n;
  c->req[c->rlen] = '\0';
  if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
    answer(c);
  else if (c->rlen >= REQ_MAX - 1)
    conn_close(c); /* a request this long is not a scraper's */
}

static void on_connection(uv_stream_t *srv, int status) {
  bfdm_http *h = srv->data;
  conn *c;
  if (status < 0 || !(c = calloc(1, sizeof(*c))))
    return;
  c->h = h;
  uv_tcp_init(srv->loop, &c->tcp);
  c->tcp.data = c;
  c->next = h->conns;
  if (h->conns)
    h->conns->prev = c;
  h->conns = c;
  h->open++;
  if (uv_accept(srv, (uv_stream_t *)&c->tcp) != 0 ||
      uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}

static void on_srv_closed(uv_handle_t *hd) {
  bfdm_http *h = hd->data;
  h->open--;
  free_if_done(h);
}

int bfdm_http_start(bfdm_http **ph, uv_loop_t *loop, const struct sockaddr *addr,
                    bfdm_http_fill_cb fill, void *arg) {
  bfdm_http *h = calloc(1, sizeof(*h));
  int rc;
  *ph = NULL;
  if (!h)
    return UV_ENOMEM;
  h->fill = fill;
  h->arg = arg;
  uv_tcp_init(loop, &h->srv);
  h->srv.data = h;
  h->open = 1;
  if ((rc = uv_tcp_bind(&h->srv, addr, 0)) != 0 ||
      (rc = uv_listen((uv_stream_t *)&h->srv, 16, on_connection)) != 0) {
    uv_close((uv_handle_t *)&h->srv, on_srv_closed);
    return rc;
  }
  *ph = h;
  return 0;
}

unsigned bfdm_http_port(const bfdm_http *h) {
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  if (!h || uv_tcp_getsockname(&h->srv, (struct sockaddr *)&ss, &len) != 0)
    return 0;
  if (ss.ss_family == AF_INET6)
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

void bfdm_http_close(bfdm_http *h) {
  conn *c;
  if (!h)
    return;
  for (c = h->conns; c; c = c->next)
    conn_close(c);
  if (!uv_is_closing((uv_handle_t *)&h->srv))
    uv_close((uv_handle_t *)&h->srv, on_srv_closed);
}
