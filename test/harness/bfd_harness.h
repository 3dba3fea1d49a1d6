/* bfd_testlib: the helpers every test suite shares (test/harness/).
 *
 *   bt_rng.h   the one random generator (splitmix64)
 *   bt_peer.h  a scripted peer: packets filled, encoded, signed; rx info,
 *              keys, addresses, auth keys and rings, status snapshots
 *   bt_rec.h   event recorders for every callback, the drop-reason list
 *              (bfd_pkt_error_at())
 *   bt_mem.h   the counting, failing allocator (no CUnit: bench_core too)
 *   bt_hex.h   hex as the vector files write it
 *   bt_fx.h    one session and a scripted peer on a virtual clock; the same
 *              peer against a table
 *   bfd_sim.h  two sessions on a virtual link, the clock jumping from event
 *              to event
 *   bfd_test_util.h  the CUnit runner (bfd_test_run_suite)
 */
#ifndef BFD_HARNESS_H
#define BFD_HARNESS_H

#include "bfd_sim.h"
#include "bfd_test_util.h"
#include "bt_fx.h"
#include "bt_hex.h"
#include "bt_mem.h"
#include "bt_peer.h"
#include "bt_rec.h"
#include "bt_rng.h"

#endif
