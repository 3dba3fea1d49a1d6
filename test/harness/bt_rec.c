#include "bt_rec.h"

#include <CUnit/CUnit.h>
#include <stddef.h>
#include <string.h>

#include "bt_rng.h"

void bt_rec_init(bt_rec *r) {
  memset(r, 0, offsetof(bt_rec, ev));
  r->rng = 42;
}

void bt_rec_clear(bt_rec *r) {
  r->n = r->n_all = r->nside = 0;
  memset(r->nk, 0, sizeof(r->nk));
}

int bt_rec_callbacks(bt_rec *r, bfd_callbacks *cb, uint32_t version, unsigned which) {
  int rv = bfd_callbacks_init(version, cb);
  (void)r;
  if (rv != 0)
    return rv;
  if (which & BT_CB_STATE)
    cb->state_change = bt_rec_on_state;
  if (which & BT_CB_NH)
    cb->nexthop = bt_rec_on_nh;
  if (which & BT_CB_RAND)
    cb->rand = bt_rec_on_rand;
  if (version >= 2) {
    if (which & BT_CB_SESS)
      cb->session = bt_rec_on_sess;
    if (which & BT_CB_PARAMS)
      cb->params = bt_rec_on_params;
    if (which & BT_CB_AUTH)
      cb->auth_failure = bt_rec_on_auth;
    if (which & BT_CB_ACCEPT)
      cb->responder_accept = bt_rec_on_accept;
  }
  return 0;
}

/* A new log entry for an event of session `s` (NULL when the log is full;
 * the event still counts). */
static bt_ev *push(bt_rec *r, uint8_t kind, bfd_session *s) {
  int side = (r->side_kinds >> kind) & 1;
  unsigned *n = side ? &r->nside : &r->n;
  bt_ev *e;
  r->n_all++;
  r->nk[kind]++;
  if (r->strict)
    CU_ASSERT_FATAL(*n < BT_REC_MAX);
  if (*n >= BT_REC_MAX)
    return NULL;
  e = side ? &r->side[(*n)++] : &r->ev[(*n)++];
  memset(e, 0, sizeof(*e));
  e->kind = kind;
  e->pos = r->n;
  e->s = s;
  e->state = bfd_session_get_state(s);
  e->discr = bfd_session_get_local_discr(s);
  e->ud = bfd_session_get_user_data(s);
  if (r->probe) {
    bfd_session_key k;
    CU_ASSERT_EQUAL(bfd_session_get_key(s, &k), 0);
    e->found_discr = bfd_table_find_discr(r->probe, e->discr) == s;
    e->found_key = bfd_table_find_key(r->probe, &k) == s;
    e->findable = e->found_discr && e->found_key;
  }
  return e;
}

int bt_rec_on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  bt_rec *r = ud;
  bt_ev *e = push(r, BT_EV_STATE, s);
  if (e)
    e->st = *ev;
  return r->state_rv;
}

int bt_rec_on_nh(bfd_session *s, const bfd_nexthop_event *ev, void *ud) {
  bt_rec *r = ud;
  bt_ev *e = push(r, BT_EV_NH, s);
  if (e)
    e->nh = *ev;
  return r->nh_rv;
}

int bt_rec_on_sess(bfd_session *s, const bfd_session_event *ev, void *ud) {
  bt_rec *r = ud;
  bt_ev *e = push(r, BT_EV_SESS, s);
  if (e)
    e->se = *ev;
  if (ev->kind == BFD_SESSION_EV_CREATED) {
    if (r->created_ud)
      bfd_session_set_user_data(s, r->created_ud);
    return r->created_rv;
  }
  return r->removed_rv;
}

int bt_rec_on_params(bfd_session *s, const bfd_params_event *ev, void *ud) {
  bt_rec *r = ud;
  bt_ev *e = push(r, BT_EV_PARAMS, s);
  if (e)
    e->pe = *ev;
  return r->params_rv;
}

int bt_rec_on_auth(bfd_session *s, const bfd_auth_failure_event *ev, void *ud) {
  bt_rec *r = ud;
  bt_ev *e = push(r, BT_EV_AUTH, s);
  if (e)
    e->af = *ev;
  return r->auth_rv;
}

int bt_rec_on_accept(bfd_table *t, const bfd_rx_info *ri, void *ud) {
  bt_rec *r = ud;
  r->naccept++;
  r->accept_t = t;
  r->accept_ri = *ri;
  return r->veto;
}

void bt_rec_on_rand(uint8_t *dest, size_t len, void *ud) {
  bt_rec *r = ud;
  size_t i;
  r->rand_calls++;
  if (r->nscript > 0 && len == 4) {
    memcpy(dest, &r->script[0], 4);
    memmove(r->script, r->script + 1, sizeof(r->script) - sizeof(r->script[0]));
    r->nscript--;
    return;
  }
  if (r->rand_mode == BT_RAND_CONST) {
    for (i = 0; i < len; i += 4)
      memcpy(dest + i, &r->rand_const, len - i < 4 ? len - i : 4);
    return;
  }
  bt_rng_bytes(&r->rng, dest, len);
}

unsigned bt_rec_count(const bt_rec *r, unsigned from, int kind) {
  unsigned i, k = 0;
  for (i = from; i < r->n; i++)
    k += kind == 0 || r->ev[i].kind == kind;
  return k;
}

unsigned bt_rec_count_discr(const bt_rec *r, unsigned from, int kind, uint32_t discr) {
  unsigned i, k = 0;
  for (i = from; i < r->n; i++)
    k += (kind == 0 || r->ev[i].kind == kind) && r->ev[i].discr == discr;
  return k;
}

unsigned bt_rec_count_sess(const bt_rec *r, unsigned from, uint8_t se_kind, uint32_t discr) {
  unsigned i, k = 0;
  for (i = from; i < r->n; i++)
    k += r->ev[i].kind == BT_EV_SESS && r->ev[i].se.kind == se_kind && r->ev[i].discr == discr;
  return k;
}

const bt_ev *bt_rec_find_sess(const bt_rec *r, uint8_t se_kind, uint32_t discr) {
  unsigned i;
  for (i = 0; i < r->n; i++)
    if (r->ev[i].kind == BT_EV_SESS && r->ev[i].se.kind == se_kind && r->ev[i].discr == discr)
      return &r->ev[i];
  return NULL;
}

const bt_ev *bt_rec_nth(const bt_rec *r, int kind, unsigned nth) {
  unsigned i;
  for (i = 0; i < r->n; i++)
    if (r->ev[i].kind == kind && nth-- == 0)
      return &r->ev[i];
  CU_FAIL_FATAL("bt_rec_nth: no such event");
  return NULL;
}

const bt_ev *bt_rec_last(const bt_rec *r, int kind) {
  unsigned i;
  for (i = r->n; i-- > 0;)
    if (r->ev[i].kind == kind)
      return &r->ev[i];
  return NULL;
}

size_t bt_drop_reasons(int out[BT_DROP_MAX]) {
  size_t n = 0;
  int code;
  while (n < BT_DROP_MAX && (code = bfd_pkt_error_at(n)) != 0)
    out[n++] = code;
  return n;
}
