/* Prometheus text exposition (format version 0.0.4) of a bfdkit table's
 * sessions: what an exporter serves on /metrics (issue 18). Core API only
 * (no libuv, no sockets): the host that owns the table renders into its
 * own buffer at the table's clock.
 *
 * Every session has every series in every state (a session in Init or
 * Down still has bfd_session_up 0, its bfd_session_state one-hot, its
 * counters), so a dashboard never loses a session that is not Up. Labels
 * per session: peer, local, interface, mode, family (stable across a
 * restart of the session: not its discriminator). */
#ifndef BFD_METRICS_H
#define BFD_METRICS_H

#include <bfd/bfd.h>
#include <stddef.h>
#include <stdint.h>

/* The output buffer: text is appended while it fits; `truncated` says a
 * larger buffer is needed (the text then ends at the last whole line). */
typedef struct bfdm_out {
  char *buf;
  size_t cap, len;
  int truncated;
} bfdm_out;

void bfdm_out_init(bfdm_out *o, char *buf, size_t cap);

/* Appends printf-style text (nothing once truncated; truncation cuts back
 * to the last whole line). */
void bfdm_printf(bfdm_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a family's "# HELP" and "# TYPE" lines. */
void bfdm_family(bfdm_out *o, const char *name, const char *type, const char *help);

/* Appends the exposition of every session of `t` (bfd_table_next_session)
 * at `now`, the table's clock (bfd_session_status times are on it: uptime
 * is now - last_change while Up). Returns 0, or -1 when truncated. */
int bfdm_render_table(bfdm_out *o, const bfd_table *t, uint64_t now);

/* The label value used for a drop reason (BFD_ERR_PKT_*), e.g. "ttl";
 * NULL for another code. */
const char *bfdm_drop_reason(int error_code);

#endif
