#include "bfd_table.h"

#include <string.h>

#include "bfd_codec.h"
#include "bfd_mem.h"

#define INITIAL_BUCKETS 64
#define DISCR_TRIES 64

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

static size_t hash_key(const bfd_table *t, const bfd_session_key *k) {
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
  return memcmp(a, b, sizeof(*a)) == 0;
}

static int grow(bfd_table *t) {
  size_t n = t->nbuckets * 2, i;
  bfd_session **db = bfd_mem_calloc(t->mem, n, sizeof(*db));
  bfd_session **kb = bfd_mem_calloc(t->mem, n, sizeof(*kb));
  bfd_session **odb = t->discr_buckets, **okb = t->key_buckets;
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
    bfd_session *s = odb[i], *next;
    for (; s; s = next) {
      size_t b = hash_discr(t, s->local_discr);
      next = s->discr_next;
      s->discr_next = db[b];
      db[b] = s;
    }
    for (s = okb[i]; s; s = next) {
      size_t b = hash_key(t, &s->key);
      next = s->key_next;
      s->key_next = kb[b];
      kb[b] = s;
    }
  }
  bfd_mem_free(t->mem, odb);
  bfd_mem_free(t->mem, okb);
  return 0;
}

bfd_session *bfd_table_find_discr(const bfd_table *t, uint32_t discr) {
  bfd_session *s;
  if (!t || discr == 0)
    return NULL;
  for (s = t->discr_buckets[hash_discr(t, discr)]; s; s = s->discr_next)
    if (s->local_discr == discr)
      return s;
  return NULL;
}

bfd_session *bfd_table_find_key(const bfd_table *t, const bfd_session_key *key) {
  bfd_session *s;
  if (!t || !key)
    return NULL;
  for (s = t->key_buckets[hash_key(t, key)]; s; s = s->key_next)
    if (key_eq(&s->key, key))
      return s;
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Deadline heap                                                            */
/* ------------------------------------------------------------------------ */

static void heap_set(bfd_table *t, size_t i, bfd_heap_ent e) {
  t->heap[i] = e;
  e.s->heap_idx = (uint32_t)i;
}

static void sift_up(bfd_table *t, size_t i) {
  bfd_heap_ent e = t->heap[i];
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (t->heap[p].key <= e.key)
      break;
    heap_set(t, i, t->heap[p]);
    i = p;
  }
  heap_set(t, i, e);
}

static void sift_down(bfd_table *t, size_t i) {
  bfd_heap_ent e = t->heap[i];
  size_t n = t->heap_len;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n)
      break;
    if (c + 1 < n && t->heap[c + 1].key < t->heap[c].key)
      c++;
    if (e.key <= t->heap[c].key)
      break;
    heap_set(t, i, t->heap[c]);
    i = c;
  }
  heap_set(t, i, e);
}

static void heap_remove(bfd_table *t, bfd_session *s) {
  size_t i = s->heap_idx;
  bfd_heap_ent e;
  s->heap_idx = BFD_HEAP_NONE;
  if (--t->heap_len == i)
    return;
  e = t->heap[t->heap_len];
  heap_set(t, i, e);
  if (i > 0 && t->heap[(i - 1) / 2].key > e.key)
    sift_up(t, i);
  else
    sift_down(t, i);
}

/* The heap has room for every session (reserved at add), so no allocation
 * happens on the packet path. */
static void heap_push(bfd_table *t, bfd_session *s, uint64_t key) {
  bfd_heap_ent e;
  e.key = key;
  e.s = s;
  t->heap[t->heap_len] = e;
  s->heap_idx = (uint32_t)t->heap_len++;
  sift_up(t, s->heap_idx);
}

/* Make the top entry exact (see bfd_table.h). */
static void fix_top(bfd_table *t) {
  while (t->heap_len > 0) {
    bfd_session *s = t->heap[0].s;
    uint64_t real = bfd_session_deadline(s);
    if (real == t->heap[0].key)
      return;
    if (real == BFD_TSTAMP_NONE) {
      heap_remove(t, s);
    } else {
      t->heap[0].key = real;
      sift_down(t, 0);
    }
  }
}

static void due_push(bfd_table *t, bfd_session *s, uint64_t now) {
  if (!t->due_head)
    t->due_since = now;
  s->in_due = 1;
  s->due_next = NULL;
  s->due_prev = t->due_tail;
  if (t->due_tail)
    t->due_tail->due_next = s;
  else
    t->due_head = s;
  t->due_tail = s;
}

static void due_remove(bfd_table *t, bfd_session *s) {
  if (s->due_prev)
    s->due_prev->due_next = s->due_next;
  else
    t->due_head = s->due_next;
  if (s->due_next)
    s->due_next->due_prev = s->due_prev;
  else
    t->due_tail = s->due_prev;
  s->due_prev = s->due_next = NULL;
  s->in_due = 0;
}

void bfd_table_session_changed(bfd_table *t, bfd_session *s) {
  uint64_t real = bfd_session_deadline(s);
  if (s->in_due)
    return;
  if (s->heap_idx == BFD_HEAP_NONE) {
    if (real != BFD_TSTAMP_NONE)
      heap_push(t, s, real);
  } else if (real < t->heap[s->heap_idx].key) {
    t->heap[s->heap_idx].key = real; /* earlier: the only case that must sift now */
    sift_up(t, s->heap_idx);
  }
  fix_top(t);
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                */
/* ------------------------------------------------------------------------ */

int bfd_table_new(bfd_table **pt, const bfd_callbacks *cb, const bfd_mem *mem, void *user_data) {
  bfd_table *t;
  if (!pt)
    return BFD_ERR_INVALID_ARGUMENT;
  *pt = NULL;
  if (cb && cb->struct_version != BFD_CALLBACKS_VERSION)
    return BFD_ERR_VERSION;
  if (!mem)
    mem = bfd_mem_default();
  t = bfd_mem_calloc(mem, 1, sizeof(*t));
  if (!t)
    return BFD_ERR_NOMEM;
  t->mem = mem;
  t->user_data = user_data;
  if (cb)
    t->cb = *cb;
  else
    (void)bfd_callbacks_init(BFD_CALLBACKS_VERSION, &t->cb);
  bfd_rand_init(&t->rand, t->cb.rand, user_data, (uint64_t)(uintptr_t)t);
  t->nbuckets = INITIAL_BUCKETS;
  t->discr_buckets = bfd_mem_calloc(mem, t->nbuckets, sizeof(bfd_session *));
  t->key_buckets = bfd_mem_calloc(mem, t->nbuckets, sizeof(bfd_session *));
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
  bfd_session **pp;
  for (pp = &t->discr_buckets[hash_discr(t, s->local_discr)]; *pp; pp = &(*pp)->discr_next)
    if (*pp == s) {
      *pp = s->discr_next;
      break;
    }
  for (pp = &t->key_buckets[hash_key(t, &s->key)]; *pp; pp = &(*pp)->key_next)
    if (*pp == s) {
      *pp = s->key_next;
      break;
    }
  if (s->in_due)
    due_remove(t, s);
  if (s->heap_idx != BFD_HEAP_NONE)
    heap_remove(t, s);
  t->count--;
}

void bfd_table_remove_session(bfd_table *t, bfd_session *s) {
  unlink_session(t, s);
  fix_top(t);
  /* The clearing event goes out after the session left every index, so the
   * host may add a session with the same key from inside the callback's
   * aftermath without a collision. */
  bfd_session_fini(s, s->last_now > t->last_now ? s->last_now : t->last_now);
  bfd_mem_free(t->mem, s);
}

void bfd_table_del(bfd_table *t) {
  size_t i;
  if (!t)
    return;
  for (i = 0; i < t->nbuckets; i++) {
    bfd_session *s, *next;
    for (s = t->discr_buckets[i]; s; s = next) {
      next = s->discr_next;
      bfd_session_fini(s, t->last_now);
      bfd_mem_free(t->mem, s);
    }
  }
  bfd_mem_free(t->mem, t->discr_buckets);
  bfd_mem_free(t->mem, t->key_buckets);
  bfd_mem_free(t->mem, t->heap);
  bfd_mem_free(t->mem, t);
}

static int key_valid(const bfd_session_key *k) {
  static const uint8_t zero[16] = {0};
  if (k->mode > BFD_MODE_MULTIHOP || k->pad[0] || k->pad[1])
    return 0;
  if (k->family == BFD_AF_INET) /* IPv4 lives in the first 4 bytes only */
    return memcmp(k->local + 4, zero, 12) == 0 && memcmp(k->peer + 4, zero, 12) == 0 &&
           memcmp(k->peer, zero, 4) != 0;
  if (k->family == BFD_AF_INET6)
    return memcmp(k->peer, zero, 16) != 0;
  return 0;
}

int bfd_table_add_session(bfd_table *t, bfd_session **ps, const bfd_session_settings *st,
                          const bfd_session_key *key, void *session_user_data, uint64_t now) {
  bfd_session *s;
  bfd_session_settings tmp;
  int rv, i;
  if (!t || !ps || !key)
    return BFD_ERR_INVALID_ARGUMENT;
  *ps = NULL;
  if ((rv = bfd_session_settings_check(st)) != 0)
    return rv;
  if (!key_valid(key) || key->mode != st->mode)
    return BFD_ERR_CFG_KEY;
  if (now < t->last_now)
    return BFD_ERR_CLOCK_BACKWARDS;
  if (bfd_table_find_key(t, key))
    return BFD_ERR_EXISTS;
  tmp = *st;
  if (tmp.local_discr != 0) {
    if (bfd_table_find_discr(t, tmp.local_discr))
      return BFD_ERR_EXISTS;
  } else {
    /* §6.8.1: random, nonzero, unique on this system. */
    for (i = 0; i < DISCR_TRIES; i++) {
      tmp.local_discr = bfd_rand_u32(&t->rand);
      if (tmp.local_discr != 0 && !bfd_table_find_discr(t, tmp.local_discr))
        break;
    }
    if (i == DISCR_TRIES)
      return BFD_ERR_FULL;
  }
  /* Reserve everything first so nothing on the packet path allocates. */
  if (t->heap_len + 1 > t->heap_cap) {
    size_t cap = t->heap_cap ? t->heap_cap * 2 : 64;
    bfd_heap_ent *h = bfd_mem_realloc(t->mem, t->heap, cap * sizeof(*h));
    if (!h)
      return BFD_ERR_NOMEM;
    t->heap = h;
    t->heap_cap = cap;
  }
  if (t->count + 1 > t->nbuckets && (rv = grow(t)) != 0)
    return rv;
  s = bfd_mem_calloc(t->mem, 1, sizeof(*s));
  if (!s)
    return BFD_ERR_NOMEM;
  s->key = *key;
  s->user_data = session_user_data;
  t->last_now = now;
  rv = bfd_session_init(s, &tmp, &t->cb, t->user_data, t->mem, &t->rand, now);
  if (rv != 0) {
    bfd_mem_free(t->mem, s);
    return rv;
  }
  s->table = t;
  {
    size_t b = hash_discr(t, s->local_discr);
    s->discr_next = t->discr_buckets[b];
    t->discr_buckets[b] = s;
    b = hash_key(t, &s->key);
    s->key_next = t->key_buckets[b];
    t->key_buckets[b] = s;
  }
  t->count++;
  bfd_table_session_changed(t, s);
  *ps = s;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Packet and time processing                                               */
/* ------------------------------------------------------------------------ */

static void count_drop(bfd_table *t, int error_code) {
  int slot = bfd_err_drop_slot(error_code);
  if (slot >= 0)
    t->drops[slot]++;
}

/* §6.8.6 with Your Discriminator 0: the most specific configured key wins
 * (exact, then any local address, then any interface, then both). */
static bfd_session *find_by_rx(const bfd_table *t, const bfd_rx_info *ri) {
  bfd_session_key k;
  bfd_session *s;
  int has_local = (ri->flags & BFD_RX_LOCAL) != 0;
  memset(&k, 0, sizeof(k));
  k.mode = ri->mode;
  k.family = ri->family;
  memcpy(k.peer, ri->peer, sizeof(k.peer));
  if (ri->family == BFD_AF_INET)
    memset(k.peer + 4, 0, 12);
  k.ifindex = ri->ifindex;
  if (has_local) {
    memcpy(k.local, ri->local, sizeof(k.local));
    if (ri->family == BFD_AF_INET)
      memset(k.local + 4, 0, 12);
    if ((s = bfd_table_find_key(t, &k)) != NULL)
      return s;
    memset(k.local, 0, sizeof(k.local));
  }
  if ((s = bfd_table_find_key(t, &k)) != NULL)
    return s;
  if (ri->ifindex == 0)
    return NULL;
  k.ifindex = 0;
  if (has_local) {
    memcpy(k.local, ri->local, sizeof(k.local));
    if (ri->family == BFD_AF_INET)
      memset(k.local + 4, 0, 12);
    if ((s = bfd_table_find_key(t, &k)) != NULL)
      return s;
    memset(k.local, 0, sizeof(k.local));
  }
  return bfd_table_find_key(t, &k);
}

int bfd_table_feed_packet(bfd_table *t, const uint8_t *buf, size_t len, const bfd_rx_info *ri,
                          uint64_t now, bfd_session **ps) {
  bfd_ctrl_pkt pkt;
  bfd_session *s;
  int rv;
  if (ps)
    *ps = NULL;
  if (!t || !buf || !ri)
    return BFD_ERR_INVALID_ARGUMENT;
  if (now < t->last_now)
    return BFD_ERR_CLOCK_BACKWARDS;
  t->last_now = now;
  if ((rv = bfd_ctrl_pkt_decode(&pkt, buf, len)) != 0) {
    count_drop(t, rv);
    return rv;
  }
  s = pkt.your_discr ? bfd_table_find_discr(t, pkt.your_discr) : find_by_rx(t, ri);
  if (!s) {
    count_drop(t, BFD_ERR_PKT_NO_SESSION);
    return BFD_ERR_PKT_NO_SESSION;
  }
  if (ps)
    *ps = s;
  if ((rv = bfd_session_check_clock(s, now)) != 0)
    return rv;
  rv = bfd_session_rx(s, &pkt, buf, len, ri, now);
  bfd_table_session_changed(t, s);
  return rv;
}

int bfd_table_feed_time(bfd_table *t, uint64_t now) {
  int rv = 0;
  if (!t)
    return BFD_ERR_INVALID_ARGUMENT;
  if (now < t->last_now)
    return BFD_ERR_CLOCK_BACKWARDS;
  t->last_now = now;
  while (rv == 0 && t->heap_len > 0 && t->heap[0].key <= now) {
    bfd_session *s = t->heap[0].s;
    uint64_t real;
    if ((rv = bfd_session_check_clock(s, now)) == 0)
      rv = bfd_session_expire(s, now);
    real = bfd_session_deadline(s);
    if (real <= now) { /* something to send: park it for poll_packet */
      heap_remove(t, s);
      due_push(t, s, now);
    } else if (real == BFD_TSTAMP_NONE) {
      heap_remove(t, s);
    } else {
      t->heap[0].key = real;
      sift_down(t, 0);
    }
  }
  fix_top(t);
  return rv;
}

/* After writing for `s`: where it goes next. A session that reports itself
 * due but wrote nothing would spin; nudge it 1 ns on (cannot happen by
 * construction, but a loop must never depend on that). */
static uint64_t next_key(bfd_session *s, ptrdiff_t n, uint64_t now) {
  uint64_t real = bfd_session_deadline(s);
  return (n == 0 && real <= now) ? now + 1 : real;
}

ptrdiff_t bfd_table_poll_packet(bfd_table *t, bfd_session **ps, uint8_t *buf, size_t buflen,
                                uint64_t now) {
  if (ps)
    *ps = NULL;
  if (!t || !buf)
    return BFD_ERR_INVALID_ARGUMENT;
  if (now < t->last_now)
    return BFD_ERR_CLOCK_BACKWARDS;
  if (buflen < BFD_CTRL_LEN_MAX)
    return BFD_ERR_NOBUF;
  t->last_now = now;
  for (;;) {
    bfd_session *s;
    ptrdiff_t n;
    uint64_t key;
    if (t->due_head) {
      s = t->due_head;
      if ((n = bfd_session_check_clock(s, now)) == 0 && (n = bfd_session_expire(s, now)) == 0)
        n = bfd_session_write(s, buf, buflen, now);
      key = next_key(s, n, now);
      if (key > now) {
        due_remove(t, s);
        if (key != BFD_TSTAMP_NONE)
          heap_push(t, s, key);
      }
    } else {
      if (t->heap_len == 0 || t->heap[0].key > now) {
        fix_top(t);
        return 0;
      }
      s = t->heap[0].s;
      if ((n = bfd_session_check_clock(s, now)) == 0 && (n = bfd_session_expire(s, now)) == 0)
        n = bfd_session_write(s, buf, buflen, now);
      key = next_key(s, n, now);
      if (key == BFD_TSTAMP_NONE) {
        heap_remove(t, s);
      } else {
        t->heap[0].key = key;
        sift_down(t, 0);
      }
    }
    if (n != 0) {
      fix_top(t);
      if (ps)
        *ps = s;
      return n;
    }
  }
}

uint64_t bfd_table_next_deadline(const bfd_table *t) {
  if (!t)
    return BFD_TSTAMP_NONE;
  if (t->due_head)
    return t->due_since;
  return t->heap_len ? t->heap[0].key : BFD_TSTAMP_NONE;
}

size_t bfd_table_size(const bfd_table *t) { return t ? t->count : 0; }

uint64_t bfd_table_get_rx_drops(const bfd_table *t, int error_code) {
  int slot = bfd_err_drop_slot(error_code);
  return (t && slot >= 0) ? t->drops[slot] : 0;
}
