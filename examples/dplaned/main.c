/*
 * bfdkit-dplaned: bfdkit as the BFD data plane of FRR's bfdd (bfddp).
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 *
 * One libuv loop: the bfdkit-uv adapter runs the sessions; one stream to
 * bfdd (unix or TCP) carries bfddp, decoded and applied by the library's
 * bfd_dplane_conn and bfd_dplane_map. The sessions do not depend on the
 * stream: when bfdd goes away they keep running, the daemon reconnects with
 * a doubling delay, and bfdd's re-sent sessions pick up the running ones
 * (their current state is reported at once). See docs/dplaned.md.
 */
#include <bfd/bfd.h>
#include <bfd/bfd_dplane.h>
#include <bfd/bfd_uv.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <uv.h>

#include "options.h"

typedef struct dp_ctx {
  dp_options opt;
  uv_loop_t *loop;
  bfd_uv *adapter;
  bfd_dplane_map *map;
  bfd_dplane_conn *conn; /* NULL while not connected */
  union {
    uv_pipe_t pipe;
    uv_tcp_t tcp;
  } s;
  uv_stream_t *stream; /* &s while open or closing */
  int connected;       /* the stream is connected and reading */
  uv_connect_t connect_req;
  uv_timer_t reconnect, sweep, keepalive;
  uint64_t last_rx_ms; /* uv_now() of the last bytes from bfdd */
  uint64_t adds;       /* ADD_SESSIONs on this connection */
  int sweep_retried;   /* the last connection sent none of our sessions */
  uv_signal_t sigint, sigterm;
  uint32_t backoff_ms;
  unsigned failures; /* connect failures in a row (logged once, then every 10th) */
  int stopping;
  int exit_code;
} dp_ctx;

/* ---- logging ---- */

static void dp_log(const dp_ctx *c, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void dp_log(const dp_ctx *c, int prio, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (c->opt.use_syslog) {
    vsyslog(prio, fmt, ap);
  } else {
    struct timespec ts;
    struct tm tm;
    char when[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ bfdkit-dplaned: ", when, ts.tv_nsec / 1000000);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
  }
  va_end(ap);
}

/* "10.0.0.2 lid 12345" for a session. */
static const char *describe(const bfd_session *s, char *buf, size_t len) {
  bfd_session_key k;
  char addr[64] = "?";
  if (bfd_session_get_key(s, &k) == 0) {
    bfd_uv_addr a;
    memset(&a, 0, sizeof(a));
    a.family = k.family;
    memcpy(a.addr, k.peer, 16);
    bfd_uv_addr_format(addr, sizeof(addr), &a);
  }
  snprintf(buf, len, "%s%s lid %u", addr, k.mode == BFD_MODE_MULTIHOP ? " multihop" : "",
           bfd_session_get_local_discr(s));
  return buf;
}

/* ---- the stream to bfdd ---- */

static void drop_connection(dp_ctx *c, const char *why);

typedef struct dp_write {
  uv_write_t req;
  dp_ctx *ctx;
  uint8_t data[];
} dp_write;

static void on_write(uv_write_t *req, int status) {
  dp_write *w = (dp_write *)(void *)req;
  dp_ctx *c = w->ctx;
  free(w);
  if (status < 0 && status != UV_ECANCELED && c->connected) {
    dp_log(c, LOG_WARNING, "writing to bfdd: %s", uv_strerror(status));
    drop_connection(c, "write failed");
  }
}

/* Hand everything queued on the connection to libuv, in order. */
static void flush(dp_ctx *c) {
  if (!c->connected || c->conn == NULL)
    return;
  size_t n;
  while ((n = bfd_dplane_conn_pending(c->conn)) > 0) {
    dp_write *w = malloc(sizeof(*w) + n);
    if (w == NULL) {
      drop_connection(c, "out of memory");
      return;
    }
    w->ctx = c;
    ptrdiff_t got = bfd_dplane_conn_poll(c->conn, w->data, n);
    uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)got);
    int rv = uv_write(&w->req, c->stream, &b, 1, on_write);
    if (rv < 0) {
      free(w);
      dp_log(c, LOG_WARNING, "writing to bfdd: %s", uv_strerror(rv));
      drop_connection(c, "write failed");
      return;
    }
  }
}

static void schedule_reconnect(dp_ctx *c);

static void on_stream_closed(uv_handle_t *h) {
  dp_ctx *c = h->data;
  c->stream = NULL;
  if (!c->stopping)
    schedule_reconnect(c);
}

static void close_stream(dp_ctx *c) {
  if (c->stream != NULL && !uv_is_closing((uv_handle_t *)c->stream))
    uv_close((uv_handle_t *)c->stream, on_stream_closed);
}

static void drop_connection(dp_ctx *c, const char *why) {
  if (c->connected)
    dp_log(c, LOG_WARNING, "bfdd connection lost (%s); sessions keep running", why);
  c->connected = 0;
  uv_timer_stop(&c->sweep);
  uv_timer_stop(&c->keepalive);
  bfd_dplane_map_attach(c->map, NULL);
  bfd_dplane_conn_del(c->conn);
  c->conn = NULL;
  close_stream(c);
}

static void log_msg(const dp_ctx *c, const bfd_dplane_msg *m) {
  if (!c->opt.verbose)
    return;
  if (m->type == BFD_DPLANE_ADD_SESSION || m->type == BFD_DPLANE_DELETE_SESSION)
    dp_log(c, LOG_DEBUG, "bfddp v%u %s id %u lid %u flags 0x%x tx %u rx %u mult %u ttl %u if %u '%.16s'",
           m->version, bfd_dplane_type_name(m->type), m->id, m->session.lid, m->session.flags,
           m->session.min_tx_us, m->session.min_rx_us, m->session.detect_mult, m->session.ttl,
           m->session.ifindex, m->session.ifname);
  else
    dp_log(c, LOG_DEBUG, "bfddp v%u %s id %u", m->version, bfd_dplane_type_name(m->type), m->id);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  static char slab[65536];
  (void)suggested;
  *buf = uv_buf_init(slab, sizeof(slab));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  dp_ctx *c = s->data;
  if (nread == 0 || !c->connected)
    return;
  if (nread < 0) {
    drop_connection(c, nread == UV_EOF ? "bfdd closed it" : uv_strerror((int)nread));
    return;
  }
  c->last_rx_ms = uv_now(c->loop);
  int rv = bfd_dplane_conn_feed(c->conn, (const uint8_t *)buf->base, (size_t)nread);
  if (rv < 0) {
    drop_connection(c, bfd_strerror(rv));
    return;
  }
  bfd_dplane_msg m;
  while ((rv = bfd_dplane_conn_next_msg(c->conn, &m)) == 1) {
    log_msg(c, &m);
    if (m.type == BFD_DPLANE_ADD_SESSION)
      c->adds++;
    if (m.type == BFD_DPLANE_ECHO_REPLY && c->opt.verbose)
      dp_log(c, LOG_DEBUG, "bfdd answered the keepalive in %llu us",
             (unsigned long long)(uv_hrtime() / 1000 - m.echo.dp_time));
    int r = bfd_dplane_map_handle(c->map, &m, uv_hrtime());
    if (r < 0)
      dp_log(c, LOG_WARNING, "bfddp %s lid %u: %s", bfd_dplane_type_name(m.type),
             m.type == BFD_DPLANE_REQUEST_COUNTERS ? m.counters_lid : m.session.lid,
             bfd_strerror(r));
  }
  flush(c);
  if (rv < 0) {
    dp_log(c, LOG_ERR, "bfddp stream from bfdd is broken: %s", bfd_strerror(rv));
    drop_connection(c, "protocol error");
  }
}

static void on_sweep(uv_timer_t *t) {
  dp_ctx *c = t->data;
  size_t have = bfd_dplane_map_size(c->map);
  if (c->adds == 0 && have > 0 && !c->sweep_retried) {
    /* bfdd 8.4.4 registers sessions only on accept, and only those not
     * attached to a data plane: if it accepted us before it noticed our
     * previous connection close, it kept them (then fell back to its own
     * implementation) and sent us none. One more connect lets it register
     * them; only a second empty connection means bfdd has none of them. */
    c->sweep_retried = 1;
    dp_log(c, LOG_NOTICE, "bfdd sent none of our %zu session(s); reconnecting once so it "
                          "registers them", have);
    drop_connection(c, "no session registered");
    return;
  }
  c->sweep_retried = 0;
  int n = bfd_dplane_map_sweep(c->map, uv_hrtime());
  if (n > 0)
    dp_log(c, LOG_NOTICE, "%d session(s) that bfdd no longer has were removed", n);
  flush(c);
}

/* Keepalive: an ECHO_REQUEST (bfdd answers ECHO_REPLY); a bfdd silent
 * for three of them is gone (a host that vanished without a FIN would
 * otherwise keep the stream open for ever). */
static void on_keepalive(uv_timer_t *t) {
  dp_ctx *c = t->data;
  if (!c->connected)
    return;
  if (uv_now(c->loop) - c->last_rx_ms > 3000ull * c->opt.keepalive_s) {
    drop_connection(c, "no answer to 3 keepalives");
    return;
  }
  bfd_dplane_msg m;
  bfd_dplane_msg_init(&m, BFD_DPLANE_VERSION_1, BFD_DPLANE_ECHO_REQUEST, 0);
  m.echo.dp_time = uv_hrtime() / 1000;
  if (bfd_dplane_conn_send(c->conn, &m) == 0)
    flush(c);
}

static void on_connect(uv_connect_t *req, int status) {
  dp_ctx *c = req->data;
  if (c->stopping) {
    close_stream(c);
    return;
  }
  if (status < 0) {
    if (c->failures++ % 10 == 0)
      dp_log(c, LOG_NOTICE, "cannot reach bfdd: %s; retrying (sessions keep running)",
             uv_strerror(status));
    close_stream(c);
    return;
  }
  bfd_dplane_conn_settings cs;
  bfd_dplane_conn_settings_init(BFD_DPLANE_CONN_SETTINGS_VERSION, &cs);
  cs.version = c->opt.version;
  if (bfd_dplane_conn_new(&c->conn, &cs, NULL) < 0) {
    close_stream(c);
    return;
  }
  c->failures = 0;
  c->backoff_ms = c->opt.backoff_min_ms;
  c->connected = 1;
  c->adds = 0;
  bfd_dplane_map_attach(c->map, c->conn);
  c->stream->data = c;
  uv_read_start(c->stream, on_alloc, on_read);
  uv_timer_start(&c->sweep, on_sweep, c->opt.sweep_ms, 0);
  c->last_rx_ms = uv_now(c->loop);
  if (c->opt.keepalive_s > 0)
    uv_timer_start(&c->keepalive, on_keepalive, 1000ull * c->opt.keepalive_s,
                   1000ull * c->opt.keepalive_s);
  dp_log(c, LOG_NOTICE, "connected to bfdd (%zu session(s) running)",
         bfd_dplane_map_size(c->map));
}

static void start_connect(dp_ctx *c) {
  int rv;
  c->connect_req.data = c;
  if (c->opt.addr_kind == DP_ADDR_UNIX) {
    uv_pipe_init(c->loop, &c->s.pipe, 0);
    c->stream = (uv_stream_t *)&c->s.pipe;
    c->stream->data = c;
    uv_pipe_connect(&c->connect_req, &c->s.pipe, c->opt.path, on_connect);
    return;
  }
  struct sockaddr_storage ss;
  if (c->opt.addr_kind == DP_ADDR_IPV4)
    rv = uv_ip4_addr(c->opt.host, c->opt.port, (struct sockaddr_in *)&ss);
  else
    rv = uv_ip6_addr(c->opt.host, c->opt.port, (struct sockaddr_in6 *)&ss);
  uv_tcp_init(c->loop, &c->s.tcp);
  c->stream = (uv_stream_t *)&c->s.tcp;
  c->stream->data = c;
  if (rv == 0) {
    uv_tcp_nodelay(&c->s.tcp, 1);
    rv = uv_tcp_connect(&c->connect_req, &c->s.tcp, (const struct sockaddr *)&ss, on_connect);
  }
  if (rv < 0) {
    dp_log(c, LOG_ERR, "connecting to %s: %s", c->opt.host, uv_strerror(rv));
    close_stream(c);
  }
}

static void on_reconnect(uv_timer_t *t) {
  dp_ctx *c = t->data;
  if (!c->stopping && c->stream == NULL)
    start_connect(c);
}

static void schedule_reconnect(dp_ctx *c) {
  uv_timer_start(&c->reconnect, on_reconnect, c->backoff_ms, 0);
  c->backoff_ms = c->backoff_ms >= c->opt.backoff_max_ms / 2 ? c->opt.backoff_max_ms
                                                              : c->backoff_ms * 2;
}

/* ---- sessions: the mapper's ops on the adapter ---- */

static void peer_config(const dp_ctx *c, bfd_uv_peer_config *cfg, const bfd_session_settings *st,
                        const bfd_session_key *key, const bfd_dplane_session *m) {
  (void)c;
  bfd_uv_peer_config_init(BFD_UV_PEER_CONFIG_VERSION, cfg);
  cfg->peer.family = key->family;
  memcpy(cfg->peer.addr, key->peer, 16);
  static const uint8_t zero[16];
  if (memcmp(key->local, zero, 16) != 0) {
    cfg->local.family = key->family;
    memcpy(cfg->local.addr, key->local, 16);
  }
  /* The interface by name where it fits (the same on every host of a
   * distributed deployment), else bfdd's ifindex. */
  size_t nlen = strnlen(m->ifname, sizeof(m->ifname));
  if (st->mode == BFD_MODE_SINGLE_HOP && nlen > 0 && nlen < sizeof(cfg->ifname))
    memcpy(cfg->ifname, m->ifname, nlen);
  else if (st->mode == BFD_MODE_SINGLE_HOP)
    cfg->peer.ifindex = key->ifindex;
  cfg->session = *st;
}

static int op_add(bfd_dplane_map *map, bfd_session **ps, const bfd_session_settings *st,
                  const bfd_session_key *key, const bfd_dplane_session *m, void *ud) {
  (void)map;
  dp_ctx *c = ud;
  bfd_uv_peer_config cfg;
  peer_config(c, &cfg, st, key, m);
  int rv = bfd_uv_peer_add(c->adapter, ps, &cfg, NULL);
  if (rv == 0) {
    char d[96];
    dp_log(c, LOG_INFO, "session %s added (tx %u us, rx %u us, mult %u%s%s)",
           describe(*ps, d, sizeof(d)), st->desired_min_tx_us, st->required_min_rx_us,
           st->detect_mult, st->passive ? ", passive" : "", st->admin_down ? ", shutdown" : "");
  }
  return rv;
}

static int op_update(bfd_dplane_map *map, bfd_session *s, const bfd_session_settings *st,
                     const bfd_session_key *key, const bfd_dplane_session *m, void *ud) {
  (void)map;
  dp_ctx *c = ud;
  bfd_uv_peer_config cfg;
  peer_config(c, &cfg, st, key, m);
  return bfd_uv_peer_update(c->adapter, s, &cfg);
}

static int op_remove(bfd_dplane_map *map, bfd_session *s, void *ud) {
  (void)map;
  dp_ctx *c = ud;
  char d[96];
  dp_log(c, LOG_INFO, "session %s removed (goodbye: AdminDown to the peer)",
         describe(s, d, sizeof(d)));
  return bfd_uv_peer_remove(c->adapter, s);
}

/* ---- the core's events ---- */

static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  dp_ctx *c = ud;
  char d[96];
  dp_log(c, ev->new_state == BFD_STATE_UP ? LOG_NOTICE : LOG_WARNING, "session %s: %s -> %s (%s)",
         describe(s, d, sizeof(d)), bfd_state_name(ev->old_state), bfd_state_name(ev->new_state),
         bfd_diag_name(ev->local_diag));
  bfd_dplane_map_session_changed(c->map, s);
  flush(c);
  return 0;
}

static int on_params(bfd_session *s, const bfd_params_event *ev, void *ud) {
  (void)ev;
  dp_ctx *c = ud;
  bfd_dplane_map_session_changed(c->map, s);
  flush(c);
  return 0;
}

static void on_adapter_error(bfd_uv *a, int code, int sys_errno, const char *msg, void *ud) {
  (void)a, (void)sys_errno;
  dp_log(ud, LOG_WARNING, "%s (%s)", msg, bfd_strerror(code));
}

/* ---- shutdown ---- */

static void on_handle_closed(uv_handle_t *h) { (void)h; }

static void on_adapter_closed(bfd_uv *a, void *ud) {
  (void)a;
  dp_ctx *c = ud;
  c->adapter = NULL;
  flush(c); /* the AdminDown state changes, if bfdd is there */
  c->connected = 0;
  bfd_dplane_map_attach(c->map, NULL);
  close_stream(c);
  uv_close((uv_handle_t *)&c->reconnect, on_handle_closed);
  uv_close((uv_handle_t *)&c->sweep, on_handle_closed);
  uv_close((uv_handle_t *)&c->keepalive, on_handle_closed);
  uv_close((uv_handle_t *)&c->sigint, on_handle_closed);
  uv_close((uv_handle_t *)&c->sigterm, on_handle_closed);
  dp_log(c, LOG_NOTICE, "every peer told AdminDown; exiting");
}

static void on_signal(uv_signal_t *h, int signum) {
  dp_ctx *c = h->data;
  if (c->stopping) {
    dp_log(c, LOG_WARNING, "second signal: exiting without waiting for the goodbyes");
    bfd_uv_del(c->adapter, NULL); /* ends the goodbyes at once; closed_cb of the first call runs */
    return;
  }
  c->stopping = 1;
  dp_log(c, LOG_NOTICE, "%s: sending AdminDown to %zu peer(s)", signum == SIGINT ? "SIGINT" : "SIGTERM",
         bfd_dplane_map_size(c->map));
  uv_timer_stop(&c->reconnect);
  uv_timer_stop(&c->sweep);
  uv_timer_stop(&c->keepalive);
  bfd_uv_shutdown(c->adapter, on_adapter_closed);
}

int main(int argc, char **argv) {
  static dp_ctx ctx;
  dp_ctx *c = &ctx;
  int rv = dp_options_parse(&c->opt, argc, argv, stderr);
  if (rv != 0)
    return rv > 0 ? 0 : 2;
  if (c->opt.use_syslog)
    openlog("bfdkit-dplaned", LOG_PID, LOG_DAEMON);
  c->loop = uv_default_loop();
  c->backoff_ms = c->opt.backoff_min_ms;

  bfd_uv_settings us;
  bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &us);
  us.port_single_hop = c->opt.port_single_hop;
  us.port_multihop = c->opt.port_multihop;
  bfd_callbacks cb;
  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  cb.params = on_params;
  bfd_uv_callbacks ucb;
  bfd_uv_callbacks_init(BFD_UV_CALLBACKS_VERSION, &ucb);
  ucb.error = on_adapter_error;
  rv = bfd_uv_new(&c->adapter, c->loop, &us, &cb, &ucb, NULL, c);
  if (rv < 0) {
    dp_log(c, LOG_ERR, "cannot start the BFD adapter: %s", bfd_strerror(rv));
    return 1;
  }
  bfd_dplane_ops ops;
  bfd_dplane_ops_init(BFD_DPLANE_OPS_VERSION, &ops);
  ops.add = op_add;
  ops.update = op_update;
  ops.remove = op_remove;
  rv = bfd_dplane_map_new(&c->map, bfd_uv_get_table(c->adapter), &ops, NULL, c);
  if (rv < 0) {
    dp_log(c, LOG_ERR, "cannot create the session map: %s", bfd_strerror(rv));
    return 1;
  }
  uv_timer_init(c->loop, &c->reconnect);
  uv_timer_init(c->loop, &c->sweep);
  uv_timer_init(c->loop, &c->keepalive);
  c->reconnect.data = c->sweep.data = c->keepalive.data = c;
  uv_signal_init(c->loop, &c->sigint);
  uv_signal_init(c->loop, &c->sigterm);
  c->sigint.data = c->sigterm.data = c;
  uv_signal_start(&c->sigint, on_signal, SIGINT);
  uv_signal_start(&c->sigterm, on_signal, SIGTERM);
  signal(SIGPIPE, SIG_IGN);

  if (c->opt.addr_kind == DP_ADDR_UNIX)
    dp_log(c, LOG_NOTICE, "bfdkit %s, bfdd at unix:%s", bfd_version_string(), c->opt.path);
  else
    dp_log(c, LOG_NOTICE, "bfdkit %s, bfdd at %s port %u", bfd_version_string(), c->opt.host,
           c->opt.port);
  start_connect(c);
  uv_run(c->loop, UV_RUN_DEFAULT);
  bfd_dplane_map_del(c->map);
  bfd_dplane_conn_del(c->conn);
  uv_loop_close(c->loop);
  if (c->opt.use_syslog)
    closelog();
  return c->exit_code;
}
