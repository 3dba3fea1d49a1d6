/* One session and a scripted peer on a virtual clock (`now` moves only when
 * a test moves it): the standalone fixture, and the same peer talking to a
 * bfd_table. Every packet the session sends is decoded and checked. */
#ifndef BT_FX_H
#define BT_FX_H

#include <bfd/bfd.h>
#include <stddef.h>
#include <stdint.h>

#include "bt_peer.h"
#include "bt_rec.h"

#define BT_T0     (1000 * BFD_SECONDS) /* clock origin: anything but 0 */
#define BT_LDISCR 0x11111111u          /* the session's discriminator */
#define BT_RDISCR 0x22222222u          /* the scripted peer's */

typedef struct bt_fx {
  bfd_session *s;
  bfd_session_settings st;
  bfd_callbacks cb;
  bfd_rx_info ri;
  bt_peer peer; /* the template; state and flags are given per packet */
  uint64_t now;
  int lib_rand; /* set (the default): the library's own generator */
  bt_rec rec;   /* state and nexthop events (last member) */
} bt_fx;

/* Settings 300 ms / 300 ms x 3 with local discriminator BT_LDISCR,
 * single-hop rx info (TTL 255), a peer BT_RDISCR -> BT_LDISCR advertising
 * 300 ms / 300 ms x 3, now = BT_T0, state and nexthop events recorded. */
void bt_fx_init(bt_fx *f);
/* bt_fx_init, then the timers: the session's Desired Min TX tx_us and
 * Required Min RX rx_us, the peer's peer_tx_us and peer_rx_us (each 0:
 * bt_fx_init's 300 ms). */
void bt_fx_init_timers(bt_fx *f, uint32_t tx_us, uint32_t rx_us, uint32_t peer_tx_us,
                       uint32_t peer_rx_us);
/* Creates the session with f->st (the recorder's rand hook unless lib_rand). */
void bt_fx_start(bt_fx *f);
void bt_fx_new(bt_fx *f);
/* Deletes the session and frees the peer's ring. */
void bt_fx_del(bt_fx *f);
bfd_session_status bt_fx_status(const bt_fx *f);
/* The peer's packet (template + state/flags), signed with peer.ring at
 * bfd.XmitAuthSeq `seq`. */
size_t bt_fx_build(const bt_fx *f, uint8_t state, uint8_t flags, uint32_t seq, uint8_t *buf);
/* Feeds the peer's packet at f->now (signed: sequence number 0). */
int bt_fx_rx(bt_fx *f, uint8_t state, uint8_t flags);
int bt_fx_rx_seq(bt_fx *f, uint8_t state, uint8_t flags, uint32_t seq);
/* Polls one packet at f->now (0: none due). It must decode, never carry P
 * and F together (§6.5) and carry the session's discriminator; 24 bytes
 * unless the peer signs (then the session does too). */
ptrdiff_t bt_fx_tx(bt_fx *f, bfd_ctrl_pkt *out);
/* Polls everything due now: the count; ORs the flags seen into *flags and
 * keeps the last packet in *last (each may be NULL). */
unsigned bt_fx_drain(bt_fx *f, uint8_t *flags, bfd_ctrl_pkt *last);
/* Reaches a local state through real packets and admin calls (Init: the
 * peer's Down with Your Discr 0; Up: its Init), then drains. */
void bt_fx_reach(bt_fx *f, uint8_t state);
/* Up with the slow-start Poll completed (§6.8.3). */
void bt_fx_up_settled(bt_fx *f);
/* Down -> Init -> Up through the peer's Down (Your Discr 0) and Up, then
 * the slow-start Poll finished by a Final. Signed packets take sequence
 * numbers from *seq (NULL: 0 each). */
void bt_fx_bring_up(bt_fx *f, uint32_t *seq);

/* A table whose callbacks (`which`, BT_CB_*, of version cb_version) record
 * into r (bt_rec_init first); user data r. */
bfd_table *bt_table_new(bt_rec *r, const bfd_mem *mem, uint32_t cb_version, unsigned which);
/* Settings with Desired Min TX tx_us, Required Min RX rx_us, Detect Mult
 * mult (0: the default). */
bfd_session_settings bt_settings(uint32_t tx_us, uint32_t rx_us, uint8_t mult);

/* The scripted peer against a table: encodes p (signed with p->ring) and
 * feeds it with `ri`. */
int bt_table_feed(bfd_table *t, const bfd_rx_info *ri, const bt_peer *p, uint64_t now,
                  bfd_session **ps);
/* The table's next due packet, decoded into *out (the bytes into raw when
 * given); 0 when nothing is due. ps and out may be NULL. */
ptrdiff_t bt_table_poll(bfd_table *t, uint64_t now, bfd_session **ps, bfd_ctrl_pkt *out,
                        uint8_t *raw);
/* Polls everything due: the count. Every packet must decode and come from
 * a session of the table, with its discriminator. */
unsigned bt_table_drain(bfd_table *t, uint64_t now);
/* Brings table session `s` Up from `peer` (its my, intervals and ring):
 * its Down with Your Discr 0 (s goes Init), then its Up naming s. */
void bt_table_bring_up(bfd_table *t, bfd_session *s, const bt_peer *peer, uint64_t now);

#endif
