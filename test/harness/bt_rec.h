/* Event recorders for every bfd_callbacks hook (state, nexthop, session
 * lifecycle, params, auth failure, responder accept), the sessions'
 * randomness (bt_rng, a constant or scripted words); bt_mem.h, the
 * counting allocator, comes with it. */
#ifndef BT_REC_H
#define BT_REC_H

#include <bfd/bfd.h>
#include <stddef.h>
#include <stdint.h>

#include "bt_mem.h"

enum { BT_EV_STATE = 1, BT_EV_NH, BT_EV_SESS, BT_EV_PARAMS, BT_EV_AUTH, BT_EV_KINDS };

/* Which hooks bt_rec_callbacks() installs. */
enum {
  BT_CB_STATE = 1u << 0,
  BT_CB_NH = 1u << 1,
  BT_CB_SESS = 1u << 2,
  BT_CB_PARAMS = 1u << 3,
  BT_CB_AUTH = 1u << 4,
  BT_CB_ACCEPT = 1u << 5,
  BT_CB_RAND = 1u << 6,
  BT_CB_EVENTS = BT_CB_STATE | BT_CB_NH | BT_CB_SESS | BT_CB_PARAMS | BT_CB_AUTH,
  BT_CB_ALL = BT_CB_EVENTS | BT_CB_ACCEPT | BT_CB_RAND
};

/* The rand hook: the generator, or rand_const; scripted words come first. */
enum { BT_RAND_RNG = 0, BT_RAND_CONST = 1 };

#define BT_REC_MAX 512

typedef struct bt_ev {
  uint8_t kind;                   /* BT_EV_* */
  uint8_t state;                  /* the session's state during the callback */
  uint8_t found_discr, found_key; /* with probe: bfd_table_find_discr / _find_key give s */
  uint8_t findable;               /* ... both */
  uint32_t discr;                 /* the session's local discriminator */
  unsigned pos;                   /* in side[]: the length of ev[] then */
  bfd_session *s;                 /* identity only: never dereferenced after the call */
  void *ud;                       /* bfd_session_get_user_data() during the callback */
  bfd_state_event st;
  bfd_nexthop_event nh;
  bfd_session_event se;
  bfd_params_event pe;
  bfd_auth_failure_event af;
} bt_ev;

typedef struct bt_rec {
  /* What the hooks return. */
  int state_rv, nh_rv, created_rv, removed_rv, params_rv, auth_rv;
  int veto;         /* responder_accept's return value */
  void *created_ud; /* set as the session's user data in CREATED */
  /* Set: every event looks its session up in this table (found_*). */
  const bfd_table *probe;
  int strict; /* set: a full log is a fatal assertion, checked at every event */
  /* Bits 1 << BT_EV_*: kinds kept out of ev[], logged in side[] instead. */
  unsigned side_kinds;
  /* Randomness. */
  int rand_mode; /* BT_RAND_* */
  uint32_t rand_const;
  uint64_t rng;
  uint32_t script[8]; /* 4-byte draws return these first (consumed) */
  unsigned nscript, rand_calls;
  /* responder_accept calls. */
  unsigned naccept;
  const bfd_table *accept_t;
  bfd_rx_info accept_ri;
  /* The log: every event in order (the first BT_REC_MAX). */
  unsigned n;               /* recorded */
  unsigned n_all;           /* delivered */
  unsigned nk[BT_EV_KINDS]; /* delivered, by kind */
  unsigned nside;           /* recorded in side[] */
  bt_ev ev[BT_REC_MAX];     /* bt_rec_init() clears only what precedes ev */
  bt_ev side[BT_REC_MAX];
} bt_rec;

/* Empty log, hooks return 0, the generator seeded with 42. */
void bt_rec_init(bt_rec *r);
/* Forgets the events (not the settings). */
void bt_rec_clear(bt_rec *r);
/* bfd_callbacks_init(version) with the hooks in `which` (BT_CB_*) that the
 * version has; user data is `r`. Returns bfd_callbacks_init's result. */
int bt_rec_callbacks(bt_rec *r, bfd_callbacks *cb, uint32_t version, unsigned which);

/* The hooks (user data: a bt_rec), for callbacks that record and do more. */
int bt_rec_on_state(bfd_session *s, const bfd_state_event *ev, void *r);
int bt_rec_on_nh(bfd_session *s, const bfd_nexthop_event *ev, void *r);
int bt_rec_on_sess(bfd_session *s, const bfd_session_event *ev, void *r);
int bt_rec_on_params(bfd_session *s, const bfd_params_event *ev, void *r);
int bt_rec_on_auth(bfd_session *s, const bfd_auth_failure_event *ev, void *r);
int bt_rec_on_accept(bfd_table *t, const bfd_rx_info *ri, void *r);
void bt_rec_on_rand(uint8_t *dest, size_t len, void *r);

/* Recorded events of `kind` (0: any) from log index `from`. */
unsigned bt_rec_count(const bt_rec *r, unsigned from, int kind);
/* ... of the session with local discriminator `discr`. */
unsigned bt_rec_count_discr(const bt_rec *r, unsigned from, int kind, uint32_t discr);
/* Session events of kind BFD_SESSION_EV_* `se_kind` for `discr`. */
unsigned bt_rec_count_sess(const bt_rec *r, unsigned from, uint8_t se_kind, uint32_t discr);
/* The first such session event, or NULL. */
const bt_ev *bt_rec_find_sess(const bt_rec *r, uint8_t se_kind, uint32_t discr);
/* The i-th (0-based) recorded event of `kind`: a fatal assertion that it
 * exists. */
const bt_ev *bt_rec_nth(const bt_rec *r, int kind, unsigned i);
/* The last recorded event of `kind`, or NULL. */
const bt_ev *bt_rec_last(const bt_rec *r, int kind);

/* The packet-drop reasons, as bfd_pkt_error_at() enumerates them. */
#define BT_DROP_MAX 32
/* Fills out[] and returns how many there are. */
size_t bt_drop_reasons(int out[BT_DROP_MAX]);

#endif
