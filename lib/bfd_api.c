/* The public bfd_session_* entry points that change a session: each checks
 * its arguments and the clock, calls the state machine (bfd_session.c) or
 * the key ring (bfd_auth.c), and then tells the owning table
 * (bfd_table.c), which requeues the session. The layers below never call
 * up: bfd_session.c knows no table, bfd_auth.c no session. */
#include <string.h>

#include "bfd_auth.h"
#include "bfd_codec.h"
#include "bfd_mem.h"
#include "bfd_rand.h"
#include "bfd_session.h"
#include "bfd_struct.h"
#include "bfd_table.h"

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                */
/* ------------------------------------------------------------------------ */

/* Standalone sessions carry their callbacks and generator in one block. */
typedef struct standalone {
  bfd_session s;
  bfd_callbacks cb;
  bfd_rand rand;
} standalone;

int bfd_session_new(bfd_session **ps, const bfd_session_settings *st, const bfd_callbacks *cb,
                    const bfd_mem *mem, void *user_data, uint64_t now) {
  standalone *o;
  bfd_session_settings tmp;
  bfd_callbacks cbs;
  int rv;
  if (!ps)
    return BFD_ERR_INVALID_ARGUMENT;
  *ps = NULL;
  if ((rv = bfd_session_settings_import_check(st, &tmp)) != 0)
    return rv;
  if ((rv = bfd_struct_callbacks_import(cb, &cbs)) != 0)
    return rv;
  if (!mem)
    mem = bfd_mem_default();
  o = bfd_mem_calloc(mem, 1, sizeof(*o));
  if (!o)
    return BFD_ERR_NOMEM;
  o->cb = cbs;
  bfd_rand_init(&o->rand, o->cb.rand, user_data, now);
  {
    while (tmp.local_discr == 0)
      tmp.local_discr = bfd_rand_u32(&o->rand);
    bfd_session_init(&o->s, &tmp, &o->cb, user_data, mem, &o->rand, NULL, now);
  }
  o->s.user_data = user_data;
  if ((rv = bfd_session_start(&o->s, now)) != 0) {
    bfd_session_fini(&o->s, now); /* the clearing event for the one delivered */
    bfd_mem_free(mem, o);
    return rv;
  }
  *ps = &o->s;
  return 0;
}

void bfd_session_del(bfd_session *s) {
  if (!s)
    return;
  if (s->table) {
    bfd_table_remove_session(s->table, s);
    return;
  }
  bfd_session_fini(s, *s->clock);
  bfd_mem_free(s->mem, (standalone *)(void *)s);
}

/* ------------------------------------------------------------------------ */
/* Public per-session operations                                            */
/* ------------------------------------------------------------------------ */

/* Every public mutation ends here: the params event, then the owning
 * table requeues the session (or frees it: a goodbye done). */
static int done(bfd_session *s, int rv, uint64_t now) {
  int r;
  if (s->table)
    return bfd_table_session_done(s->table, s, rv, now);
  r = bfd_session_notify(s, now);
  return rv ? rv : r;
}

int bfd_session_feed_packet(bfd_session *s, const uint8_t *buf, size_t len,
                            const bfd_rx_info *ri, uint64_t now) {
  bfd_ctrl_pkt pkt;
  int rv;
  if (!s || !buf || !ri)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((rv = bfd_session_check_clock(s, now)) != 0)
    return rv;
  if ((rv = bfd_ctrl_pkt_decode(&pkt, buf, len)) != 0) {
    bfd_session_count_drop(s, rv);
    if (s->table)
      bfd_table_count_session_drop(s->table, rv);
    return rv;
  }
  rv = bfd_session_rx(s, &pkt, buf, ri, now);
  if (rv < 0 && s->table)
    bfd_table_count_session_drop(s->table, rv);
  return done(s, rv, now);
}

int bfd_session_feed_time(bfd_session *s, uint64_t now) {
  int rv;
  if (!s)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((rv = bfd_session_check_clock(s, now)) != 0)
    return rv;
  rv = bfd_session_expire(s, now);
  return done(s, rv, now);
}

ptrdiff_t bfd_session_poll_packet(bfd_session *s, uint8_t *buf, size_t buflen, uint64_t now) {
  ptrdiff_t n;
  int rv;
  if (!s || !buf)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((rv = bfd_session_check_clock(s, now)) != 0)
    return rv;
  rv = bfd_session_expire(s, now);
  n = rv ? rv : bfd_session_write(s, buf, buflen, now);
  rv = done(s, n < 0 ? (int)n : 0, now);
  return n < 0 ? n : (rv != 0 ? rv : n);
}


int bfd_session_update(bfd_session *s, const bfd_session_settings *in, uint64_t now) {
  bfd_session_settings st;
  size_t n;
  int rv;
  if (!s || !in)
    return BFD_ERR_INVALID_ARGUMENT;
  /* Fields newer than the caller's version keep their current values. */
  if ((n = bfd_struct_settings_size(in->struct_version)) == 0)
    return BFD_ERR_VERSION;
  bfd_session_export_settings(s, &st);
  memcpy(&st, in, n);
  st.struct_version = BFD_SESSION_SETTINGS_VERSION;
  if ((rv = bfd_session_check_settings(&st)) != 0)
    return rv;
  if (st.mode != s->mode || (st.local_discr != 0 && st.local_discr != s->local_discr))
    return BFD_ERR_CFG_IMMUTABLE;
  if ((rv = bfd_session_check_clock(s, now)) != 0)
    return rv;
  rv = bfd_session_apply(s, &st, now);
  return done(s, rv, now);
}

int bfd_session_set_admin_down(bfd_session *s, uint8_t admin_down, uint64_t now) {
  bfd_session_settings st;
  if (!s)
    return BFD_ERR_INVALID_ARGUMENT;
  if (admin_down > 1)
    return BFD_ERR_CFG_FLAG;
  (void)bfd_session_get_settings(s, &st);
  st.admin_down = admin_down;
  return bfd_session_update(s, &st, now);
}

int bfd_session_goodbye(bfd_session *s, uint64_t now) {
  int rv;
  if (!s)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((rv = bfd_session_check_clock(s, now)) != 0)
    return rv;
  rv = bfd_session_goodbye_start(s, now);
  return done(s, rv, now); /* a table session may be freed here */
}

int bfd_session_goodbye_done(const bfd_session *s) { return s && s->gone; }

/* ------------------------------------------------------------------------ */
/* Authentication (RFC 5880 §6.7)                                           */
/* ------------------------------------------------------------------------ */

int bfd_session_auth_add_key(bfd_session *s, const bfd_auth_key *k) {
  if (!s || !k)
    return BFD_ERR_INVALID_ARGUMENT;
  /* bfd.XmitAuthSeq starts at a random value (§6.8.1); drawn only for the
   * first key, so later keys cost the generator nothing. */
  return bfd_auth_add_key(&s->auth, s->mem, s->auth ? 0 : bfd_rand_u32(s->rand), k);
}

int bfd_session_auth_remove_key(bfd_session *s, uint8_t key_id) {
  return s ? bfd_auth_remove_key(s->auth, key_id) : BFD_ERR_INVALID_ARGUMENT;
}

int bfd_session_auth_set_tx_key(bfd_session *s, uint8_t key_id) {
  return s ? bfd_auth_set_tx_key(s->auth, key_id) : BFD_ERR_INVALID_ARGUMENT;
}

int bfd_session_auth_clear(bfd_session *s) {
  if (!s)
    return BFD_ERR_INVALID_ARGUMENT;
  bfd_auth_ring_free(s->mem, s->auth);
  s->auth = NULL;
  return 0;
}

uint8_t bfd_session_auth_get_type(const bfd_session *s) {
  return s && s->auth ? s->auth->type : (uint8_t)BFD_AUTH_NONE;
}

int bfd_session_auth_get_tx_key(const bfd_session *s) {
  if (!s)
    return BFD_ERR_INVALID_ARGUMENT;
  if (!s->auth)
    return BFD_ERR_NOT_FOUND;
  return s->auth->keys[s->auth->tx_idx].key_id;
}

uint64_t bfd_session_get_auth_failures(const bfd_session *s, int reason) {
  if (s && reason == BFD_AUTH_FAIL_MISMATCH)
    return bfd_session_get_rx_drops(s, BFD_ERR_PKT_AUTH_MISMATCH);
  if (!s || !s->auth || reason < 0 || reason >= BFD_AUTH_FAIL_MISMATCH)
    return 0;
  return s->auth->failures[reason];
}
