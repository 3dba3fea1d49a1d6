#include "bfd_table.h"

#include <string.h>

#include "bfd_auth.h"
#include "bfd_codec.h"
#include "bfd_mem.h"
#include "bfd_struct.h"
#include "bfd_time.h"

#define INITIAL_BUCKETS 64
#define DISCR_TRIES     64

/* ------------------------------------------------------------------------ */
/* Hashing                                                                  */
/* ------------------------------------------------------------------------ */

static size_t hash_discr(const bfd_table *t, uint32_t d) {
  /* Fibonacci hashing: spreads sequential host-chosen discriminators too. */
  return (size_t)(((uint64_t)d * 0x9e3779b97f4a7c15ULL) >> 32) & (t->nbuckets - 1);
}

static uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, sizeof(v));
  return v;
}

/* BFD_KEY_ANY_PEER keys are indexed without their peer: one per
 * interface, found for any source. */
static const bfd_session_key *norm_key(const bfd_session_key *k, bfd_session_key *tmp) {
  if (!(k->flags & BFD_KEY_ANY_PEER))
    return k;
  *tmp = *k;
  memset(tmp->peer, 0, sizeof(tmp->peer));
  return tmp;
}

static size_t hash_key(const bfd_table *t, const bfd_session_key *key) {
  bfd_session_key tmp;
  const bfd_session_key *k = norm_key(key, &tmp);
  const uint8_t *p = (const uint8_t *)k;
  uint64_t h = 0x243f6a8885a308d3ULL;
  size_t i;
  for (i = 0; i + 8 <= sizeof(*k); i += 8) {
    h ^= load64(p + i);
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  }
  return (size_t)h & (t->nbuckets - 1);
}

static int key_eq(const bfd_session_key *a, const bfd_session_key *b) {
  bfd_session_key ta, tb;
  return memcmp(norm_key(a, &ta), norm_key(b, &tb), sizeof(*a)) == 0;
}

static int grow(bfd_table *t) {
  size_t n = t->nbuckets * 2, i;
  bfd_tsess **db = bfd_mem_calloc(t->mem, n, sizeof(*db));
  bfd_tsess **kb = bfd_mem_calloc(t->mem, n, sizeof(*kb));
  bfd_tsess **odb = t->discr_buckets, **okb = t->key_buckets;
  size_t on = t->nbuckets;
  if (!db || !kb) {
    bfd_mem_free(t->mem, db);
    bfd_mem_free(t->mem, kb);
    return BFD_ERR_NOMEM;
  }
  t->discr_buckets = db;
  t->key_buckets = kb;
  t->nbuckets = n;
  for (i = 0; i < on; i++) {
    bfd_tsess *e = odb[i], *next;
    for (; e; e = next) {
      size_t b = hash_discr(t, e->s.local_discr);
      next = e->discr_next;
      e->discr_next = db[b];
      db[b] = e;
    }
    for (e = okb[i]; e; e = next) {
      size_t b = hash_key(t, &e->s.key);
      next = e->key_next;
      e->key_next = kb[b];
      kb[b] = e;
    }
  }
  bfd_mem_free(t->mem, odb);
  bfd_mem_free(t->mem, okb);
  return 0;
}

bfd_session *bfd_table_find_discr(const bfd_table *t, uint32_t discr) {
  bfd_tsess *e;
  if (!t || discr == 0)
    return NULL;
  for (e = t->discr_buckets[hash_discr(t, discr)]; e; e = e->discr_next)
    if (e->s.local_discr == discr)
      return &e->s;
  return NULL;
}

bfd_session *bfd_table_find_key(const bfd_table *t, const bfd_session_key *key) {
  bfd_tsess *e;
  if (!t || !key)
    return NULL;
  for (e = t->key_buckets[hash_key(t, key)]; e; e = e->key_next)
    if (key_eq(&e->s.key, key))
      return &e->s;
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Deadline heaps                                                           */
/* ------------------------------------------------------------------------ */

static bfd_tsess *tsess_of(bfd_session *s) { return (bfd_tsess *)(void *)s; }

static bfd_session *pq_session(const bfd_pq_node *n) {
  return &((bfd_tsess *)(void *)((char *)(uintptr_t)n - offsetof(bfd_tsess, pq)))->s;
}

/* §6.8.18 for responder sessions: one that is not Up is reaped `hold`
 * after its last packet (a spoofed source never completes the handshake,
 * whatever Detection Time it asked for). */
static uint64_t reap_at(const bfd_table *t, const bfd_tsess *e) {
  const bfd_session *s = &e->s;
  if (!e->responder || s->state == BFD_STATE_UP || s->state == BFD_STATE_ADMIN_DOWN ||
      s->last_rx == BFD_TSTAMP_NONE)
    return BFD_TSTAMP_NONE;
  return bfd_time_add(s->last_rx, t->resp_hold_ns);
}

/* Responder sessions go when the remote is forgotten (a Detection Time
 * without packets, §6.8.1) while Down, or at reap_at(). */
static int reapable(const bfd_table *t, const bfd_tsess *e, uint64_t now) {
  const bfd_session *s = &e->s;
  if (!e->responder || s->state == BFD_STATE_ADMIN_DOWN)
    return 0;
  return (s->state == BFD_STATE_DOWN && s->remote_discr == 0) || now >= reap_at(t, e);
}

static uint64_t tsess_deadline(const bfd_table *t, const bfd_tsess *e) {
  uint64_t d = bfd_session_deadline(&e->s), r = reap_at(t, e);
  return r < d ? r : d;
}

/* Make the top entry exact (see bfd_table.h). Terminates: every pass either
 * removes the top or raises its key to the (larger) real value. */
static void fix_top(const bfd_table *t, bfd_pq *q) {
  while (q->len > 0) {
    bfd_pq_node *n = q->v[0].node;
    uint64_t real = tsess_deadline(t, (const bfd_tsess *)(const void *)pq_session(n));
    if (real == q->v[0].key)
      return;
    if (real == BFD_TSTAMP_NONE)
      bfd_pq_remove(q, n);
    else
      bfd_pq_update(q, n, real);
  }
}

static void requeue(bfd_table *t, bfd_session *s) {
  bfd_pq_node *n = &tsess_of(s)->pq;
  uint64_t real = tsess_deadline(t, tsess_of(s));
  if (!bfd_pq_queued(n)) {
    if (real != BFD_TSTAMP_NONE)
      bfd_pq_push(&t->pq, n, real);
  } else if (real < bfd_pq_key(&t->pq, n)) {
    bfd_pq_update(&t->pq, n, real); /* earlier: the only case that must sift now */
  }
  fix_top(t, &t->pq);
}

void bfd_table_session_changed(bfd_table *t, bfd_session *s) { requeue(t, s); }

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                */
/* ------------------------------------------------------------------------ */

int bfd_table_new(bfd_table **pt, const bfd_callbacks *cb, const bfd_mem *mem, void *user_data) {
  bfd_table *t;
  bfd_callbacks cbs;
  int rv;
  if (!pt)
    return BFD_ERR_INVALID_ARGUMENT;
  *pt = NULL;
  if ((rv = bfd_struct_callbacks_import(cb, &cbs)) != 0)
    return rv;
  if (!mem)
    mem = bfd_mem_default();
  t = bfd_mem_calloc(mem, 1, sizeof(*t));
  if (!t)
    return BFD_ERR_NOMEM;
  t->mem = mem;
  t->user_data = user_data;
  t->cb = cbs;
  bfd_rand_init(&t->rand, t->cb.rand, user_data, (uint64_t)(uintptr_t)t);
  t->nbuckets = INITIAL_BUCKETS;
  bfd_pq_init(&t->pq, mem);
  bfd_gov_init(&t->gov);
  t->discr_buckets = bfd_mem_calloc(mem, t->nbuckets, sizeof(bfd_tsess *));
  t->key_buckets = bfd_mem_calloc(mem, t->nbuckets, sizeof(bfd_tsess *));
  if (!t->discr_buckets || !t->key_buckets) {
    bfd_mem_free(mem, t->discr_buckets);
    bfd_mem_free(mem, t->key_buckets);
    bfd_mem_free(mem, t);
    return BFD_ERR_NOMEM;
  }
  *pt = t;
  return 0;
}

static void unlink_session(bfd_table *t, bfd_session *s) {
  bfd_tsess *e = tsess_of(s), **pp;
  for (pp = &t->discr_buckets[hash_discr(t, s->local_discr)]; *pp; pp = &(*pp)->discr_next)
    if (*pp == e) {
      *pp = e->discr_next;
      break;
    }
  for (pp = &t->key_buckets[hash_key(t, &s->key)]; *pp; pp = &(*pp)->key_next)
    if (*pp == e) {
      *pp = e->key_next;
      break;
    }
  if (bfd_pq_queued(&e->pq))
    bfd_pq_remove(&t->pq, &e->pq);
  fix_top(t, &t->pq);
  t->count--;
  t->by_state[e->counted_state & 3]--;
  if (e->responder)
    t->nresp--;
}

void bfd_table_remove_session(bfd_table *t, bfd_session *s) {
  unlink_session(t, s);
  /* The clearing event goes out after the session left every index, so the
   * host may add a session with the same key from inside the callback's
   * aftermath without a collision. */
  bfd_session_fini(s, t->last_now);
  bfd_mem_free(t->mem, tsess_of(s));
}

static int session_event(bfd_table *t, bfd_session *s, uint8_t kind, uint8_t reason, uint64_t now) {
  bfd_session_event ev;
  if (!t->cb.session)
    return 0;
  memset(&ev, 0, sizeof(ev));
  ev.ts = now;
  ev.kind = kind;
  ev.reason = reason;
  return t->cb.session(s, &ev, t->user_data);
}

/* The table frees a session of its own accord: out of every index, its
 * clearing nexthop event, REMOVED, freed. */
static int remove_with_event(bfd_table *t, bfd_session *s, uint8_t reason, uint64_t now) {
  int rv;
  unlink_session(t, s);
  bfd_session_fini(s, now);
  rv = session_event(t, s, BFD_SESSION_EV_REMOVED, reason, now) ? BFD_ERR_CALLBACK_FAILURE : 0;
  bfd_mem_free(t->mem, tsess_of(s));
  return rv;
}

/* Returns 1 when the session was freed (*prv may become a callback error). */
static int maybe_remove(bfd_table *t, bfd_session *s, uint64_t now, int *prv) {
  int r;
  if (s->gone && s->gone_by_tx) {
    bfd_tsess *e = tsess_of(s);
    s->gone_by_tx = 0;
    e->doomed_next = t->doomed;
    t->doomed = e;
    return 0;
  }
  if (s->gone)
    r = remove_with_event(t, s, BFD_SESSION_REMOVED_GOODBYE, now);
  else if (reapable(t, tsess_of(s), now))
    r = remove_with_event(t, s, BFD_SESSION_REMOVED_REAPED, now);
  else
    return 0;
  if (r != 0 && *prv == 0)
    *prv = r;
  return 1;
}

static void recount(bfd_table *t, bfd_tsess *e) {
  if (e->counted_state != e->s.state) {
    t->by_state[e->counted_state & 3]--;
    t->by_state[e->s.state & 3]++;
    e->counted_state = e->s.state;
  }
}

/* After any operation on a session: its params event, then removal or
 * requeue. Returns 1 when it was freed; *prv keeps the first error. */
static int after_op(bfd_table *t, bfd_session *s, uint64_t now, int *prv) {
  int r = bfd_session_notify(s, now);
  recount(t, tsess_of(s));
  if (r != 0 && *prv == 0)
    *prv = r;
  if (maybe_remove(t, s, now, prv))
    return 1;
  requeue(t, s);
  return 0;
}

/* Frees the sessions whose goodbye ended with the last packet handed out. */
static int free_doomed(bfd_table *t, uint64_t now) {
  int rv = 0;
  while (t->doomed) {
    bfd_tsess *e = t->doomed;
    t->doomed = e->doomed_next;
    (void)maybe_remove(t, &e->s, now, &rv);
  }
  return rv;
}

int bfd_table_session_done(bfd_table *t, bfd_session *s, int rv, uint64_t now) {
  (void)after_op(t, s, now, &rv);
  return rv;
}

void bfd_table_del(bfd_table *t) {
  size_t i;
  if (!t)
    return;
  for (i = 0; i < t->nbuckets; i++) {
    bfd_tsess *e, *next;
    for (e = t->discr_buckets[i]; e; e = next) {
      next = e->discr_next;
      bfd_session_fini(&e->s, t->last_now);
      bfd_mem_free(t->mem, e);
    }
  }
  bfd_mem_free(t->mem, t->discr_buckets);
  bfd_mem_free(t->mem, t->key_buckets);
  bfd_pq_free(&t->pq);
  bfd_auth_ring_free(t->mem, t->resp_ring);
  bfd_auth_ring_free(t->mem, t->resp_scratch_ring);
  bfd_mem_free(t->mem, t->resp_scratch);
  bfd_mem_free(t->mem, t);
}

static int key_valid(const bfd_session_key *k) {
  static const uint8_t zero[16] = {0};
  int any = (k->flags & BFD_KEY_ANY_PEER) != 0;
  if (k->mode > BFD_MODE_MULTIHOP || (k->flags & ~BFD_KEY_ANY_PEER) || k->pad)
    return 0;
  /* RFC 5881 §6 is about single-hop links; the interface names the link. */
  if (any && (k->mode != BFD_MODE_SINGLE_HOP || k->ifindex == 0))
    return 0;
  if (k->family == BFD_AF_INET) /* IPv4 lives in the first 4 bytes only */
    return memcmp(k->local + 4, zero, 12) == 0 && memcmp(k->peer + 4, zero, 12) == 0 &&
           (any || memcmp(k->peer, zero, 4) != 0);
  if (k->family == BFD_AF_INET6)
    return any || memcmp(k->peer, zero, 16) != 0;
  return 0;
}

/* §6.8.1: random, nonzero, unique on this system. */
static int draw_discr(bfd_table *t, uint32_t *d) {
  int i;
  for (i = 0; i < DISCR_TRIES; i++) {
    *d = bfd_rand_u32(&t->rand);
    if (*d != 0 && !bfd_table_find_discr(t, *d))
      return 0;
  }
  return BFD_ERR_FULL;
}

/* Room for one more session: nothing on the packet path allocates. */
static int reserve_one(bfd_table *t) {
  int rv;
  if ((rv = bfd_pq_reserve(&t->pq, t->count + 1)) != 0)
    return rv;
  if (t->count + 1 > t->nbuckets && (rv = grow(t)) != 0)
    return rv;
  return 0;
}

static void link_session(bfd_table *t, bfd_tsess *e) {
  size_t b = hash_discr(t, e->s.local_discr);
  e->discr_next = t->discr_buckets[b];
  t->discr_buckets[b] = e;
  b = hash_key(t, &e->s.key);
  e->key_next = t->key_buckets[b];
  t->key_buckets[b] = e;
  t->count++;
  e->counted_state = e->s.state;
  t->by_state[e->s.state & 3]++;
  if (e->responder)
    t->nresp++;
  requeue(t, &e->s);
}

int bfd_table_add_session(bfd_table *t, bfd_session **ps, const bfd_session_settings *st,
                          const bfd_session_key *key, void *session_user_data, uint64_t now) {
  bfd_tsess *e;
  bfd_session *s;
  bfd_session_settings tmp;
  int rv;
  if (ps)
    *ps = NULL;
  if (!t || !key)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((rv = bfd_session_settings_import_check(st, &tmp)) != 0)
    return rv;
  if (!key_valid(key) || key->mode != tmp.mode)
    return BFD_ERR_CFG_KEY;
  if (now < t->last_now)
    return BFD_ERR_CLOCK_BACKWARDS;
  if (bfd_table_find_key(t, key))
    return BFD_ERR_EXISTS;
  if (tmp.local_discr != 0) {
    if (bfd_table_find_discr(t, tmp.local_discr))
      return BFD_ERR_EXISTS;
  } else if ((rv = draw_discr(t, &tmp.local_discr)) != 0) {
    return rv;
  }
  if ((rv = reserve_one(t)) != 0)
    return rv;
  e = bfd_mem_calloc(t->mem, 1, sizeof(*e));
  if (!e)
    return BFD_ERR_NOMEM;
  bfd_pq_node_init(&e->pq);
  s = &e->s;
  s->key = *key;
  s->user_data = session_user_data;
  t->last_now = now;
  bfd_session_init(s, &tmp, &t->cb, t->user_data, t->mem, &t->rand, &t->last_now, now);
  bfd_session_set_scale(s, t->gov.scale, now);
  s->table = t;
  link_session(t, e);
  /* The creation event goes out once the session is findable; if the host
   * refuses it, the host still gets the clearing event. */
  if ((rv = bfd_session_start(s, now)) != 0) {
    bfd_table_remove_session(t, s);
    return rv;
  }
  if (t->pace_gap && !tmp.passive) {
    uint64_t at = t->pace_next > now ? t->pace_next : now;
    bfd_session_defer_start(s, at);
    t->pace_next = bfd_time_add(at, t->pace_gap);
    requeue(t, s);
  }
  if (ps)
    *ps = s;
  return 0;
}

int bfd_table_set_start_pacing(bfd_table *t, uint32_t per_second) {
  if (!t)
    return BFD_ERR_INVALID_ARGUMENT;
  if (per_second > BFD_START_PACING_MAX)
    return BFD_ERR_CFG_PACING;
  /* Rounded up: never more than per_second in any second. */
  t->pace_gap = per_second ? (BFD_SECONDS + per_second - 1) / per_second : 0;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Responder mode                                                           */
/* ------------------------------------------------------------------------ */

static void copy_addr(uint8_t dst[16], const uint8_t src[16], uint8_t family);
static void count_drop(bfd_table *t, int error_code);

int bfd_responder_settings_init(uint32_t version, bfd_responder_settings *rs) {
  if (!rs)
    return BFD_ERR_INVALID_ARGUMENT;
  if (version == 0 || version > BFD_RESPONDER_SETTINGS_VERSION)
    return BFD_ERR_VERSION;
  memset(rs, 0, sizeof(*rs));
  rs->struct_version = version;
  bfd_struct_settings_defaults(&rs->session);
  rs->session.passive = 1;
  rs->session.nexthop_policy = BFD_NHS_AFTER_UP;
  return 0;
}

int bfd_table_set_responder(bfd_table *t, const bfd_responder_settings *rs) {
  bfd_session_settings st;
  bfd_auth_ring *ring = NULL, *scratch_ring = NULL;
  bfd_tsess *scratch = NULL;
  int rv, i;
  if (!t || !rs)
    return BFD_ERR_INVALID_ARGUMENT;
  if (rs->struct_version == 0 || rs->struct_version > BFD_RESPONDER_SETTINGS_VERSION)
    return BFD_ERR_VERSION;
  if ((rv = bfd_session_settings_import_check(&rs->session, &st)) != 0)
    return rv;
  st.passive = 1; /* RFC 5880 §6.1: we answer, the peer is the active side */
  st.local_discr = 0;
  st.admin_down = 0;
  if (rs->nkeys > BFD_AUTH_KEYS_MAX)
    return BFD_ERR_CFG_AUTH;
  for (i = 0; i < rs->nkeys; i++)
    if ((rv = bfd_auth_add_key(&ring, t->mem, 0, &rs->keys[i])) != 0)
      goto fail;
  if (ring && (rv = bfd_auth_set_tx_key(ring, rs->tx_key_id)) != 0)
    goto fail;
  rv = BFD_ERR_NOMEM;
  if (ring && !(scratch_ring = bfd_auth_ring_clone(t->mem, ring)))
    goto fail;
  if (!(scratch = bfd_mem_calloc(t->mem, 1, sizeof(*scratch))))
    goto fail;
  bfd_auth_ring_free(t->mem, t->resp_ring);
  bfd_auth_ring_free(t->mem, t->resp_scratch_ring);
  bfd_mem_free(t->mem, t->resp_scratch);
  t->resp_ring = ring;
  t->resp_scratch_ring = scratch_ring;
  t->resp_scratch = scratch;
  t->resp_st = st;
  t->resp_max = rs->max_sessions;
  /* Default hold: the template's own Detection Time with the slow-start
   * floor (§6.8.3), what an honest peer needs to answer while not Up. */
  t->resp_hold_ns =
      rs->hold_ms
          ? bfd_ms_to_ns(rs->hold_ms)
          : (uint64_t)st.detect_mult *
                bfd_us_to_ns(st.required_min_rx_us > 1000000u ? st.required_min_rx_us : 1000000u);
  return 0;
fail:
  bfd_auth_ring_free(t->mem, ring);
  bfd_auth_ring_free(t->mem, scratch_ring);
  return rv;
}

size_t bfd_table_responder_count(const bfd_table *t) { return t ? t->nresp : 0; }

/* A packet no session claims: may it start a responder session? Every
 * check runs on a scratch session first, so garbage and forgeries cost no
 * allocation and no callback, and change nothing. */
static int try_responder(bfd_table *t, const bfd_ctrl_pkt *pkt, const uint8_t *buf,
                         const bfd_rx_info *ri, uint64_t now, bfd_session **ps) {
  bfd_session_settings st = t->resp_st;
  bfd_session_key key;
  bfd_tsess *e, *sc = t->resp_scratch;
  int rv;
  if (t->resp_max == 0 || t->nresp >= t->resp_max || t->closing || !(ri->flags & BFD_RX_PEER) ||
      pkt->your_discr != 0)
    return BFD_ERR_PKT_NO_SESSION;
  /* Only a peer asking for a session: State Down (not AdminDown, §6.8.16). */
  if (pkt->state != BFD_STATE_DOWN)
    return BFD_ERR_PKT_NO_SESSION;
  memset(&key, 0, sizeof(key));
  key.mode = ri->mode;
  key.family = ri->family;
  copy_addr(key.peer, ri->peer, ri->family);
  if (ri->flags & BFD_RX_LOCAL)
    copy_addr(key.local, ri->local, ri->family);
  if (ri->mode == BFD_MODE_SINGLE_HOP) /* the link it came on; multihop may change it */
    key.ifindex = ri->ifindex;
  if (!key_valid(&key))
    return BFD_ERR_PKT_NO_SESSION;
  if ((rv = draw_discr(t, &st.local_discr)) != 0)
    return BFD_ERR_PKT_NO_SESSION;
  /* One template for both ports: the session takes the packet's mode
   * (single-hop keeps its GTSM floor of 255, RFC 5881 §5). */
  if (st.mode != ri->mode) {
    st.mode = ri->mode;
    st.min_rx_ttl = 0;
  }
  memset(sc, 0, sizeof(*sc));
  sc->s.key = key;
  bfd_session_init(&sc->s, &st, &t->cb, t->user_data, t->mem, &t->rand, &t->last_now, now);
  if (t->resp_ring) {
    memcpy(t->resp_scratch_ring, t->resp_ring, sizeof(*t->resp_ring));
    t->resp_scratch_ring->xmit_seq = bfd_rand_u32(&t->rand); /* §6.8.1 */
    sc->s.auth = t->resp_scratch_ring;
  }
  if ((rv = bfd_session_rx_check(&sc->s, pkt, buf, ri, now)) != 0)
    return rv;
  if (t->cb.responder_accept && t->cb.responder_accept(t, ri, t->user_data) != 0)
    return BFD_ERR_PKT_NO_SESSION;
  /* Accepted: the real session is the scratch one, moved. */
  if (reserve_one(t) != 0 || !(e = bfd_mem_malloc(t->mem, sizeof(*e))))
    return BFD_ERR_NOMEM;
  *e = *sc;
  if (t->resp_ring && !(e->s.auth = bfd_auth_ring_clone(t->mem, t->resp_scratch_ring))) {
    bfd_mem_free(t->mem, e);
    return BFD_ERR_NOMEM;
  }
  sc->s.auth = NULL;
  bfd_pq_node_init(&e->pq);
  e->responder = 1;
  e->s.table = t;
  link_session(t, e);
  /* CREATED first, so the host can attach its state before any other
   * event of the session (the nexthop one of its creation included). */
  if (session_event(t, &e->s, BFD_SESSION_EV_CREATED, 0, now) != 0) {
    bfd_table_remove_session(t, &e->s); /* refused: gone without REMOVED */
    return BFD_ERR_PKT_NO_SESSION;
  }
  if ((rv = bfd_session_start(&e->s, now)) != 0) {
    (void)remove_with_event(t, &e->s, BFD_SESSION_REMOVED_REFUSED, now);
    return rv;
  }
  rv = bfd_session_rx_apply(&e->s, pkt, ri, now);
  if (!after_op(t, &e->s, now, &rv))
    *ps = &e->s;
  return rv;
}

int bfd_table_goodbye_all(bfd_table *t, uint64_t now) {
  size_t i;
  int rv = 0, r, doomed_rv;
  if (!t)
    return BFD_ERR_INVALID_ARGUMENT;
  if (now < t->last_now)
    return BFD_ERR_CLOCK_BACKWARDS;
  t->last_now = now;
  if ((doomed_rv = free_doomed(t, now)) != 0)
    return doomed_rv;
  t->closing = 1; /* responder mode creates nothing from now on */
  /* Two passes: starting a goodbye never frees, removing does. */
  for (i = 0; i < t->nbuckets; i++) {
    bfd_tsess *e;
    for (e = t->discr_buckets[i]; e; e = e->discr_next)
      if ((r = bfd_session_goodbye_start(&e->s, now)) != 0 && rv == 0)
        rv = r;
  }
  for (i = 0; i < t->nbuckets; i++) {
    bfd_tsess *e, *next;
    for (e = t->discr_buckets[i]; e; e = next) {
      next = e->discr_next;
      rv = bfd_table_session_done(t, &e->s, rv, now);
    }
  }
  return rv;
}

/* ------------------------------------------------------------------------ */
/* Packet and time processing                                               */
/* ------------------------------------------------------------------------ */

static void count_drop(bfd_table *t, int error_code) {
  int slot = bfd_err_drop_slot(error_code);
  if (slot >= 0)
    t->drops[slot]++;
}

static void copy_addr(uint8_t dst[16], const uint8_t src[16], uint8_t family) {
  memcpy(dst, src, 16);
  if (family == BFD_AF_INET) /* IPv4 keys hold 4 bytes and 12 zeros */
    memset(dst + 4, 0, 12);
}

/* §6.8.6 with Your Discriminator 0: the most specific configured key wins:
 * (local, ifindex), (any local, ifindex), (local, any interface), (any,
 * any). At most four O(1) lookups, and only while a session comes up. */
static bfd_session *find_by_rx(const bfd_table *t, const bfd_rx_info *ri) {
  bfd_session_key k;
  bfd_session *s;
  int has_local = (ri->flags & BFD_RX_LOCAL) != 0;
  int has_peer = (ri->flags & BFD_RX_PEER) != 0;
  int pass;
  memset(&k, 0, sizeof(k));
  k.mode = ri->mode;
  k.family = ri->family;
  if (has_peer) /* without it, `peer` holds whatever the host left there */
    copy_addr(k.peer, ri->peer, ri->family);
  /* Passes 4 and 5: RFC 5881 §6 point-to-point sessions on this interface
   * (BFD_KEY_ANY_PEER): the source address never identifies them. */
  for (pass = 0; pass < 6; pass++) {
    int any = pass >= 4, with_local = !(pass & 1), with_if = any || !(pass & 2);
    if ((!any && !has_peer) || (with_local && !has_local) || (with_if && ri->ifindex == 0))
      continue;
    k.flags = any ? BFD_KEY_ANY_PEER : 0;
    k.ifindex = with_if ? ri->ifindex : 0;
    if (with_local)
      copy_addr(k.local, ri->local, ri->family);
    else
      memset(k.local, 0, sizeof(k.local));
    if ((s = bfd_table_find_key(t, &k)) != NULL)
      return s;
  }
  return NULL;
}

int bfd_table_feed_packet(bfd_table *t, const uint8_t *buf, size_t len, const bfd_rx_info *ri,
                          uint64_t now, bfd_session **ps) {
  bfd_ctrl_pkt pkt;
  bfd_session *s;
  int rv, doomed_rv;
  if (ps)
    *ps = NULL;
  if (!t || !buf || !ri)
    return BFD_ERR_INVALID_ARGUMENT;
  if (now < t->last_now)
    return BFD_ERR_CLOCK_BACKWARDS;
  t->last_now = now;
  if ((doomed_rv = free_doomed(t, now)) != 0)
    return doomed_rv;
  if ((rv = bfd_ctrl_pkt_decode(&pkt, buf, len)) != 0) {
    count_drop(t, rv);
    return rv;
  }
  s = pkt.your_discr ? bfd_table_find_discr(t, pkt.your_discr) : find_by_rx(t, ri);
  if (!s) {
    bfd_session *created = NULL;
    /* §6.8.6 discards Your Discriminator 0 outside Down/AdminDown before
     * selecting a session; with no session it is the table's drop. */
    if (pkt.your_discr == 0 && pkt.state != BFD_STATE_DOWN && pkt.state != BFD_STATE_ADMIN_DOWN) {
      count_drop(t, BFD_ERR_PKT_YOUR_DISCR);
      return BFD_ERR_PKT_YOUR_DISCR;
    }
    rv = try_responder(t, &pkt, buf, ri, now, &created);
    if (rv < 0 && rv != BFD_ERR_CALLBACK_FAILURE && rv != BFD_ERR_NOMEM && !created)
      count_drop(t, rv); /* rejected before any session existed */
    if (ps)
      *ps = created; /* NULL when none, or it is already gone again */
    return rv;
  }
  rv = bfd_session_rx(s, &pkt, buf, ri, now);
  if (rv < 0)
    bfd_table_count_session_drop(t, rv);
  if (!after_op(t, s, now, &rv) && ps)
    *ps = s;
  return rv;
}

/* ------------------------------------------------------------------------ */
/* Overload governor                                                        */
/* ------------------------------------------------------------------------ */

/* Start of every table call that serves deadlines: close the governor's
 * window when it is over. Sessions take a new scale lazily, each with its
 * next packet (bfd_table_poll_packet): a change of every session at one
 * instant would pull the schedules of all whose shorter interval has
 * passed to that instant, a burst that is itself an overload. */
static void governor_tick(bfd_table *t, uint64_t now) { (void)bfd_gov_tick(&t->gov, now); }

int bfd_table_set_governor(bfd_table *t, const bfd_governor_settings *gs, uint64_t now) {
  bfd_governor_settings st;
  int rv;
  if (!t)
    return BFD_ERR_INVALID_ARGUMENT;
  if (gs) {
    if ((rv = bfd_gov_import(gs, &st)) != 0)
      return rv;
  } else {
    (void)bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, &st);
    st.max_scale_permille = BFD_GOV_SCALE_ONE;
  }
  if (now < t->last_now)
    return BFD_ERR_CLOCK_BACKWARDS;
  t->last_now = now;
  (void)bfd_gov_configure(&t->gov, &st, now);
  return 0;
}

int bfd_table_note_load(bfd_table *t, uint32_t kind, uint64_t count) {
  return t ? bfd_gov_note(&t->gov, kind, count) : BFD_ERR_INVALID_ARGUMENT;
}

/* Entries with key <= now form a subtree at the root (heap order): walk it
 * depth-first and collect up to `max` sessions whose detection time has
 * passed. The stack grows by at most one per level, so 64 suffices. */
static size_t collect_expired(const bfd_table *t, uint64_t now, bfd_session **out, size_t max) {
  const bfd_pq *h = &t->pq;
  size_t stack[64], sp = 0, n = 0;
  if (h->len == 0 || h->v[0].key > now)
    return 0;
  stack[sp++] = 0;
  while (sp > 0 && n < max) {
    size_t i = stack[--sp], c;
    bfd_session *s = pq_session(h->v[i].node);
    if (bfd_session_detect_deadline(s) <= now || (s->goodbye && s->goodbye_until <= now) ||
        reap_at(t, tsess_of(s)) <= now)
      out[n++] = s;
    for (c = 2 * i + 1; c <= 2 * i + 2 && c < h->len; c++)
      if (h->v[c].key <= now)
        stack[sp++] = c;
  }
  return n;
}

int bfd_table_feed_time(bfd_table *t, uint64_t now) {
  bfd_session *batch[64];
  size_t n, i;
  int rv = 0, doomed_rv;
  if (!t)
    return BFD_ERR_INVALID_ARGUMENT;
  if (now < t->last_now)
    return BFD_ERR_CLOCK_BACKWARDS;
  t->last_now = now;
  if ((doomed_rv = free_doomed(t, now)) != 0)
    return doomed_rv;
  governor_tick(t, now);
  /* Detection only; what is due to be sent stays for poll_packet. Expired
   * sessions leave the collection (their detection deadline is cleared,
   * also when a callback fails), so the loop ends; one failing callback
   * does not keep the other sessions from expiring. */
  do {
    n = collect_expired(t, now, batch, sizeof(batch) / sizeof(batch[0]));
    for (i = 0; i < n; i++) {
      int r;
      bfd_gov_service(&t->gov, bfd_session_detect_deadline(batch[i]), now);
      r = bfd_session_expire(batch[i], now);
      if (r != 0 && rv == 0)
        rv = r;
      /* A finished goodbye or a reaped responder session leaves here. */
      (void)after_op(t, batch[i], now, &rv);
    }
  } while (n == sizeof(batch) / sizeof(batch[0]));
  return rv;
}

ptrdiff_t bfd_table_poll_packet(bfd_table *t, bfd_session **ps, uint8_t *buf, size_t buflen,
                                uint64_t now) {
  bfd_pq *h;
  int h_rv;
  if (ps)
    *ps = NULL;
  if (!t || !buf)
    return BFD_ERR_INVALID_ARGUMENT;
  if (now < t->last_now)
    return BFD_ERR_CLOCK_BACKWARDS;
  t->last_now = now;
  if ((h_rv = free_doomed(t, now)) != 0)
    return h_rv;
  governor_tick(t, now);
  h = &t->pq;
  while (h->len > 0 && h->v[0].key <= now) {
    bfd_session *s = pq_session(h->v[0].node);
    ptrdiff_t n;
    /* A first packet keeps the pace also when the host polls late (slots
     * passed in a stall would otherwise all go out at once): one too early
     * takes the next free slot (not a service: it is not due yet). */
    int first = t->pace_gap && !s->goodbye && bfd_session_start_pending(s);
    if (first && t->pace_emit > now) {
      uint64_t at = t->pace_next > t->pace_emit ? t->pace_next : t->pace_emit;
      bfd_session_defer_start(s, at);
      t->pace_next = bfd_time_add(at, t->pace_gap);
      requeue(t, s);
      if (!(h->len > 0 && pq_session(h->v[0].node) == s && h->v[0].key <= now))
        continue;
      first = 0; /* something else of it is due: serve that */
    }
    bfd_gov_service(&t->gov, h->v[0].key, now);
    /* Expire first so the packet carries the state after detection. A
     * write error other than NOBUF has moved the session's schedule on,
     * so the next call serves the others. */
    int r = bfd_session_expire(s, now);
    /* The governor's scale goes out with the session's next packet. */
    if (s->scale_pm != t->gov.scale)
      bfd_session_set_scale(s, t->gov.scale, now);
    if (r == 0) {
      n = bfd_session_write(s, buf, buflen, now);
      if (n < 0)
        r = (int)n;
      else if (n > 0 && first)
        t->pace_emit = bfd_time_add(now, t->pace_gap);
    } else {
      n = r;
    }
    if (after_op(t, s, now, &r)) { /* freed: its packet (if any) is not sent */
      if (r != 0)
        return r;
      continue;
    }
    if (n > 0 && r != 0)
      n = r; /* a callback failed after the packet was built */
    if (n != 0) {
      if (ps)
        *ps = s;
      return n;
    }
    /* Nothing written and nothing expired means the session's deadline is
     * now in the future, so the top has moved on. */
    if (h->len > 0 && pq_session(h->v[0].node) == s && h->v[0].key <= now)
      break; /* defensive: never spin */
  }
  return 0;
}

uint64_t bfd_table_next_deadline(const bfd_table *t) {
  if (t && t->doomed)
    return t->last_now; /* a finished goodbye to free: call at once */
  if (!t || t->pq.len == 0)
    return BFD_TSTAMP_NONE;
  return t->pq.v[0].key;
}

size_t bfd_table_size(const bfd_table *t) { return t ? t->count : 0; }

void bfd_table_count_session_drop(bfd_table *t, int error_code) {
  int slot = bfd_err_drop_slot(error_code);
  if (slot >= 0)
    t->sess_drops[slot]++;
}

bfd_session *bfd_table_next_session(const bfd_table *t, const bfd_session *prev) {
  size_t b;
  if (!t)
    return NULL;
  if (prev) {
    const bfd_tsess *e = (const bfd_tsess *)(const void *)prev;
    if (e->discr_next)
      return &e->discr_next->s;
    b = hash_discr(t, prev->local_discr) + 1;
  } else {
    b = 0;
  }
  for (; b < t->nbuckets; b++)
    if (t->discr_buckets[b])
      return &t->discr_buckets[b]->s;
  return NULL;
}

int bfd_table_get_stats(const bfd_table *t, bfd_table_stats *out) {
  bfd_table_stats st, *o = &st;
  size_t i, n;
  int code;
  if (!t || !out)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((n = bfd_struct_table_stats_size(out->struct_version)) == 0)
    return BFD_ERR_VERSION;
  memset(o, 0, sizeof(*o));
  o->struct_version = out->struct_version;
  o->services = t->gov.services;
  for (i = 0; i < BFD_LATE_BUCKETS; i++)
    o->late_hist[i] = t->gov.late_hist[i];
  o->late_max_ns = t->gov.late_max_ns;
  o->load_rx_drops = t->gov.load_rx_drops;
  o->load_tx_blocked = t->gov.load_tx_blocked;
  o->governor_raises = t->gov.raises;
  o->governor_lowers = t->gov.lowers;
  o->governor_scale_permille = t->gov.scale;
  o->governor_hold_ms = t->gov.hold_ms;
  o->sessions = t->count;
  for (i = 0; i < 4; i++)
    o->by_state[i] = t->by_state[i];
  o->responder_sessions = t->nresp;
  for (i = 0; i < BFD_TABLE_DROP_REASONS && (code = bfd_pkt_error_at(i)) != 0; i++) {
    int slot = bfd_err_drop_slot(code);
    o->rx_drops[i] = t->drops[slot] + t->sess_drops[slot];
  }
  memcpy(out, o, n); /* the caller's version only */
  return 0;
}

uint64_t bfd_table_get_rx_drops(const bfd_table *t, int error_code) {
  int slot = bfd_err_drop_slot(error_code);
  return (t && slot >= 0) ? t->drops[slot] : 0;
}
