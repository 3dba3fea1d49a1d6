/* Prometheus exposition of a bfdkit-uv adapter's own counters (issue 18):
 * what the sessions' series (bfd_metrics.h) cannot say about the host,
 * above all the timer-lateness histogram (how late the loop woke for the
 * table's deadlines: the first sign of a starved host, before any false
 * detection). Table-wide families, no session labels. */
#ifndef BFD_METRICS_UV_H
#define BFD_METRICS_UV_H

#include <bfd/bfd_uv.h>

#include "bfd_metrics.h"

/* Appends the adapter's families (bfd_uv_get_stats, version 4). Returns
 * 0, -1 when truncated, or the negative error of bfd_uv_get_stats (then
 * nothing is appended). */
int bfdm_render_uv(bfdm_out *o, const bfd_uv *adapter);

#endif
