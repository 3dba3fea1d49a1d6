/* bfddp mapper: bfdd's sessions (keyed by bfdd's lid, which is our local
 * discriminator) on a session table; replies and state changes to the
 * attached connection. Only public API of the core is used: the mapper is a
 * host of the table like any other. */
#include <bfd/bfd_dplane.h>

#include <string.h>

#include "bfd_mem.h"

/* One of bfdd's sessions. Kept sorted by lid. `lid` is bfdd's; the
 * session's own discriminator is the same, except for a session bfdd
 * re-learned under a new lid after a restart (it keeps its discriminator
 * on the wire: no flap). */
typedef struct dp_rec {
  uint32_t lid;
  bfd_session_key key; /* the key it was added with */
  uint8_t confirmed; /* an ADD came since the last attach */
  uint8_t have_sent; /* `last` went out on the attached connection */
  bfd_session *session;
  bfd_dplane_state last;
} dp_rec;

struct bfd_dplane_map {
  const bfd_mem *mem;
  bfd_table *table;
  bfd_dplane_ops ops;
  void *user_data;
  bfd_dplane_conn *conn;
  uint64_t now; /* of the current handle/sweep call, for the table ops */
  dp_rec *recs;
  size_t n, cap;
};

/* --- translation --- */

int bfd_dplane_session_to_core(const bfd_dplane_session *m, bfd_session_settings *st,
                               bfd_session_key *key) {
  if (m == NULL || st == NULL || key == NULL || m->lid == 0)
    return BFD_ERR_INVALID_ARGUMENT;
  bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, st);
  st->local_discr = m->lid;
  st->desired_min_tx_us = m->min_tx_us;
  st->required_min_rx_us = m->min_rx_us;
  st->required_min_echo_rx_us = 0; /* no echo function: never invite echo packets */
  st->detect_mult = m->detect_mult;
  int mh = (m->flags & BFD_DPLANE_F_MULTIHOP) != 0;
  st->mode = mh ? BFD_MODE_MULTIHOP : BFD_MODE_SINGLE_HOP;
  st->min_rx_ttl = mh ? m->ttl : 0;
  st->passive = (m->flags & BFD_DPLANE_F_PASSIVE) != 0;
  st->admin_down = (m->flags & BFD_DPLANE_F_SHUTDOWN) != 0;
  st->cpi = (m->flags & BFD_DPLANE_F_CBIT) != 0;
  memset(key, 0, sizeof(*key));
  key->mode = st->mode;
  key->family = (m->flags & BFD_DPLANE_F_IPV6) ? BFD_AF_INET6 : BFD_AF_INET;
  key->ifindex = mh ? 0 : m->ifindex;
  size_t alen = key->family == BFD_AF_INET6 ? 16 : 4;
  memcpy(key->local, m->src, alen);
  memcpy(key->peer, m->dst, alen);
  return 0;
}

int bfd_dplane_state_from_session(const bfd_session *session, bfd_dplane_state *out) {
  if (session == NULL || out == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  bfd_session_status st;
  memset(&st, 0, sizeof(st));
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  int rv = bfd_session_get_status(session, &st);
  if (rv < 0)
    return rv;
  memset(out, 0, sizeof(*out));
  out->lid = st.local_discr;
  out->rid = st.remote_discr;
  out->remote_flags = st.remote_demand ? BFD_DPLANE_RF_DEMAND : 0;
  out->desired_tx_us = st.remote_desired_min_tx_us;
  out->required_rx_us = st.remote_required_min_rx_us;
  out->required_echo_rx_us = st.remote_required_min_echo_rx_us;
  out->state = st.state;
  out->diag = st.local_diag;
  out->detect_mult = st.remote_detect_mult;
  return 0;
}

/* --- records --- */

/* Index of lid, or where it would go (*found = 0). */
static size_t rec_pos(const bfd_dplane_map *map, uint32_t lid, int *found) {
  size_t lo = 0, hi = map->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (map->recs[mid].lid < lid)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = lo < map->n && map->recs[lo].lid == lid;
  return lo;
}

static dp_rec *rec_find(const bfd_dplane_map *map, uint32_t lid) {
  int found;
  size_t i = rec_pos(map, lid, &found);
  return found ? &map->recs[i] : NULL;
}

/* The record of a session: by its discriminator, else (a re-learned
 * session under another lid) by a scan. */
static dp_rec *rec_of_session(const bfd_dplane_map *map, const bfd_session *s) {
  dp_rec *r = rec_find(map, bfd_session_get_local_discr(s));
  if (r != NULL && r->session == s)
    return r;
  for (size_t i = 0; i < map->n; i++)
    if (map->recs[i].session == s)
      return &map->recs[i];
  return NULL;
}

/* A record of an earlier connection (not confirmed since the last attach)
 * with this key: the session bfdd now sends under a new lid. */
static dp_rec *rec_stale_by_key(const bfd_dplane_map *map, const bfd_session_key *key) {
  for (size_t i = 0; i < map->n; i++)
    if (!map->recs[i].confirmed && memcmp(&map->recs[i].key, key, sizeof(*key)) == 0)
      return &map->recs[i];
  return NULL;
}

/* Room for one more record (before the session is created, so a failure
 * here changes nothing). */
static int rec_reserve(bfd_dplane_map *map) {
  if (map->n < map->cap)
    return 0;
  size_t cap = map->cap ? map->cap * 2 : 16;
  dp_rec *r = bfd_mem_realloc(map->mem, map->recs, cap * sizeof(*r));
  if (r == NULL)
    return BFD_ERR_NOMEM;
  map->recs = r;
  map->cap = cap;
  return 0;
}

static dp_rec *rec_insert(bfd_dplane_map *map, uint32_t lid, bfd_session *s,
                          const bfd_session_key *key) {
  int found;
  size_t i = rec_pos(map, lid, &found);
  memmove(&map->recs[i + 1], &map->recs[i], (map->n - i) * sizeof(*map->recs));
  map->n++;
  dp_rec *r = &map->recs[i];
  memset(r, 0, sizeof(*r));
  r->lid = lid;
  r->key = *key;
  r->session = s;
  r->confirmed = 1;
  return r;
}

static void rec_erase(bfd_dplane_map *map, dp_rec *r) {
  size_t i = (size_t)(r - map->recs);
  memmove(&map->recs[i], &map->recs[i + 1], (map->n - i - 1) * sizeof(*map->recs));
  map->n--;
}

/* --- the table ops --- */

static int table_add(bfd_dplane_map *map, bfd_session **ps, const bfd_session_settings *st,
                     const bfd_session_key *key, const bfd_dplane_session *m, void *ud) {
  (void)m, (void)ud;
  /* A session of this lid still saying goodbye (a DELETE, then an ADD of
   * the same lid): it ends now, silently, and the new one takes its place. */
  bfd_session *old = bfd_table_find_discr(map->table, st->local_discr);
  if (old != NULL && rec_find(map, st->local_discr) == NULL) {
    bfd_session_status s;
    memset(&s, 0, sizeof(s));
    s.struct_version = BFD_SESSION_STATUS_VERSION;
    if (bfd_session_get_status(old, &s) == 0 && s.goodbye != 0)
      bfd_session_del(old);
  }
  return bfd_table_add_session(map->table, ps, st, key, NULL, map->now);
}

static int table_update(bfd_dplane_map *map, bfd_session *s, const bfd_session_settings *st,
                        const bfd_session_key *key, const bfd_dplane_session *m, void *ud) {
  (void)m, (void)ud;
  bfd_session_key cur;
  if (bfd_session_get_key(s, &cur) == 0 && memcmp(&cur, key, sizeof(cur)) != 0)
    return BFD_ERR_CFG_IMMUTABLE;
  return bfd_session_update(s, st, map->now);
}

static int table_remove(bfd_dplane_map *map, bfd_session *s, void *ud) {
  (void)ud;
  return bfd_session_goodbye(s, map->now);
}

int bfd_dplane_ops_init(uint32_t version, bfd_dplane_ops *ops) {
  if (ops == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  if (version != BFD_DPLANE_OPS_VERSION)
    return BFD_ERR_VERSION;
  memset(ops, 0, sizeof(*ops));
  ops->struct_version = version;
  return 0;
}

int bfd_dplane_map_new(bfd_dplane_map **pmap, bfd_table *table, const bfd_dplane_ops *ops,
                       const bfd_mem *mem, void *user_data) {
  if (pmap == NULL || table == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  if (ops != NULL && ops->struct_version != BFD_DPLANE_OPS_VERSION)
    return BFD_ERR_VERSION;
  bfd_dplane_map *map = bfd_mem_calloc(mem, 1, sizeof(*map));
  if (map == NULL)
    return BFD_ERR_NOMEM;
  map->mem = mem;
  map->table = table;
  map->user_data = user_data;
  if (ops != NULL)
    map->ops = *ops;
  if (map->ops.add == NULL)
    map->ops.add = table_add;
  if (map->ops.update == NULL)
    map->ops.update = table_update;
  if (map->ops.remove == NULL)
    map->ops.remove = table_remove;
  *pmap = map;
  return 0;
}

void bfd_dplane_map_del(bfd_dplane_map *map) {
  if (map == NULL)
    return;
  if (map->recs)
    bfd_mem_free(map->mem, map->recs);
  bfd_mem_free(map->mem, map);
}

int bfd_dplane_map_attach(bfd_dplane_map *map, bfd_dplane_conn *conn) {
  if (map == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  map->conn = conn;
  for (size_t i = 0; i < map->n; i++) {
    map->recs[i].have_sent = 0;
    if (conn != NULL)
      map->recs[i].confirmed = 0;
  }
  return 0;
}

/* Send the record's state if it differs from the last one sent. */
static int report(bfd_dplane_map *map, dp_rec *r) {
  if (map->conn == NULL)
    return 0;
  bfd_dplane_msg m;
  bfd_dplane_msg_init(&m, BFD_DPLANE_VERSION_1, BFD_DPLANE_STATE_CHANGE, 0);
  int rv = bfd_dplane_state_from_session(r->session, &m.state);
  if (rv < 0)
    return rv;
  m.state.lid = r->lid;
  if (r->have_sent && memcmp(&r->last, &m.state, sizeof(m.state)) == 0)
    return 0;
  rv = bfd_dplane_conn_send(map->conn, &m);
  if (rv < 0)
    return rv;
  r->last = m.state;
  r->have_sent = 1;
  return 0;
}

int bfd_dplane_map_session_changed(bfd_dplane_map *map, const bfd_session *session) {
  if (map == NULL || session == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  dp_rec *r = rec_of_session(map, session);
  return r ? report(map, r) : 0;
}

static int handle_add(bfd_dplane_map *map, const bfd_dplane_session *m) {
  bfd_session_settings st;
  bfd_session_key key;
  int rv = bfd_dplane_session_to_core(m, &st, &key);
  if (rv < 0)
    return rv;
  dp_rec *r = rec_find(map, m->lid);
  if (r == NULL && (r = rec_stale_by_key(map, &key)) != NULL) {
    /* bfdd restarted and chose a new lid for a session we kept running:
     * keep the session (and its discriminator on the wire), answer to the
     * new lid. */
    dp_rec keep = *r;
    rec_erase(map, r);
    r = rec_insert(map, m->lid, keep.session, &key);
    st.local_discr = 0; /* keep the running one */
  }
  if (r != NULL) {
    rv = map->ops.update(map, r->session, &st, &key, m, map->user_data);
    if (rv == BFD_ERR_CFG_IMMUTABLE) {
      /* A new key or mode under the same lid: a new session. */
      bfd_session *old = r->session;
      rec_erase(map, r);
      r = NULL;
      (void)map->ops.remove(map, old, map->user_data);
    } else if (rv < 0) {
      return rv;
    } else {
      r->confirmed = 1;
    }
  }
  if (r == NULL) {
    rv = rec_reserve(map);
    if (rv < 0)
      return rv;
    bfd_session *s = NULL;
    rv = map->ops.add(map, &s, &st, &key, m, map->user_data);
    if (rv < 0)
      return rv;
    if (s == NULL)
      return BFD_ERR_INVALID_ARGUMENT; /* an add op that gave no session */
    r = rec_insert(map, m->lid, s, &key);
  }
  return report(map, r);
}

static int handle_delete(bfd_dplane_map *map, const bfd_dplane_session *m) {
  if (m->lid == 0)
    return BFD_ERR_INVALID_ARGUMENT;
  dp_rec *r = rec_find(map, m->lid);
  if (r == NULL)
    return BFD_ERR_NOT_FOUND;
  bfd_session *s = r->session;
  rec_erase(map, r);
  return map->ops.remove(map, s, map->user_data);
}

static int handle_counters(bfd_dplane_map *map, const bfd_dplane_msg *req) {
  bfd_dplane_msg m;
  bfd_dplane_msg_init(&m, BFD_DPLANE_VERSION_1, BFD_DPLANE_SESSION_COUNTERS, req->id);
  m.counters.lid = req->counters_lid;
  dp_rec *r = rec_find(map, req->counters_lid);
  if (r != NULL) {
    bfd_session_status st;
    memset(&st, 0, sizeof(st));
    st.struct_version = BFD_SESSION_STATUS_VERSION;
    if (bfd_session_get_status(r->session, &st) == 0) {
      m.counters.ctrl_in_pkts = st.rx_packets;
      m.counters.ctrl_in_bytes = st.rx_packets * BFD_CTRL_LEN;
      m.counters.ctrl_out_pkts = st.tx_packets;
      m.counters.ctrl_out_bytes = st.tx_packets * BFD_CTRL_LEN;
    }
  }
  return map->conn ? bfd_dplane_conn_send(map->conn, &m) : 0;
}

int bfd_dplane_map_handle(bfd_dplane_map *map, const bfd_dplane_msg *msg, uint64_t now) {
  if (map == NULL || msg == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  map->now = now;
  switch (msg->type) {
  case BFD_DPLANE_ADD_SESSION: return handle_add(map, &msg->session);
  case BFD_DPLANE_DELETE_SESSION: return handle_delete(map, &msg->session);
  case BFD_DPLANE_REQUEST_COUNTERS: return handle_counters(map, msg);
  case BFD_DPLANE_ECHO_REQUEST: {
    bfd_dplane_msg m;
    bfd_dplane_msg_init(&m, BFD_DPLANE_VERSION_1, BFD_DPLANE_ECHO_REPLY, msg->id);
    m.echo.dp_time = msg->echo.dp_time;
    m.echo.bfdd_time = now / BFD_MICROSECONDS;
    return map->conn ? bfd_dplane_conn_send(map->conn, &m) : 0;
  }
  default: return 0;
  }
}

int bfd_dplane_map_sweep(bfd_dplane_map *map, uint64_t now) {
  if (map == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  map->now = now;
  int removed = 0, err = 0;
  size_t i = 0;
  while (i < map->n) {
    if (map->recs[i].confirmed) {
      i++;
      continue;
    }
    bfd_session *s = map->recs[i].session;
    rec_erase(map, &map->recs[i]);
    int rv = map->ops.remove(map, s, map->user_data);
    if (rv < 0 && err == 0)
      err = rv;
    removed++;
  }
  return err < 0 ? err : removed;
}

bfd_session *bfd_dplane_map_find(const bfd_dplane_map *map, uint32_t lid) {
  if (map == NULL)
    return NULL;
  dp_rec *r = rec_find(map, lid);
  return r ? r->session : NULL;
}

size_t bfd_dplane_map_size(const bfd_dplane_map *map) { return map ? map->n : 0; }
