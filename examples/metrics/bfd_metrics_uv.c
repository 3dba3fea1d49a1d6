/* The adapter's families (see bfd_metrics_uv.h). */
#include "bfd_metrics_uv.h"

#include <string.h>

/* A counter family of one sample. */
static void counter(bfdm_out *o, const char *name, const char *help, uint64_t v) {
  bfdm_family(o, name, "counter", help);
  bfdm_printf(o, "%s %llu\n", name, (unsigned long long)v);
}

/* bfd_uv_stats.timer_late_hist as a Prometheus histogram: bucket [0] is
 * "within 1 ms", [i] "2^(i-1) to 2^i ms", the last "1024 ms or more", so
 * the upper bounds are 1, 2, 4, ... 1024 ms and +Inf, cumulative. */
static void lateness(bfdm_out *o, const bfd_uv_stats *st) {
  uint64_t cum = 0;
  unsigned i;
  bfdm_family(o, "bfd_adapter_timer_lateness_seconds", "histogram",
              "How late the adapter's timer fired after the table's deadline it was armed for.");
  for (i = 0; i < BFD_UV_LATE_BUCKETS; i++) {
    cum += st->timer_late_hist[i];
    if (i + 1 < BFD_UV_LATE_BUCKETS)
      bfdm_printf(o, "bfd_adapter_timer_lateness_seconds_bucket{le=\"%.3f\"} %llu\n",
                  (double)(1u << i) / 1000.0, (unsigned long long)cum);
    else
      bfdm_printf(o, "bfd_adapter_timer_lateness_seconds_bucket{le=\"+Inf\"} %llu\n",
                  (unsigned long long)cum);
  }
  bfdm_printf(o, "bfd_adapter_timer_lateness_seconds_sum %.9g\n",
              (double)st->timer_late_sum_ns / 1e9);
  bfdm_printf(o, "bfd_adapter_timer_lateness_seconds_count %llu\n", (unsigned long long)cum);
}

int bfdm_render_uv(bfdm_out *o, const bfd_uv *adapter) {
  bfd_uv_stats st;
  int rc;
  memset(&st, 0, sizeof(st));
  st.struct_version = BFD_UV_STATS_VERSION;
  if ((rc = bfd_uv_get_stats(adapter, &st)) != 0)
    return rc;
  lateness(o, &st);
  bfdm_family(o, "bfd_adapter_timer_lateness_max_seconds", "gauge",
              "The latest the adapter's timer ever fired after its deadline.");
  bfdm_printf(o, "bfd_adapter_timer_lateness_max_seconds %.9g\n",
              (double)st.timer_late_max_ns / 1e9);
  counter(o, "bfd_adapter_catch_ups_total",
          "Late wake-ups (over 2 ms) that read the listeners before expiring any session.",
          st.catch_ups);
  counter(o, "bfd_adapter_rx_packets_total", "Datagrams the adapter read.", st.rx_packets);
  counter(o, "bfd_adapter_rx_kernel_drops_total",
          "Datagrams the kernel dropped on the listeners (receive buffer full, SO_RXQ_OVFL).",
          st.rx_kernel_drops);
  counter(o, "bfd_adapter_rx_ttl_dropped_total",
          "Datagrams dropped for their TTL or Hop Limit (RFC 5881 section 5, RFC 5883).",
          st.rx_ttl_dropped);
  counter(o, "bfd_adapter_tx_packets_total", "Packets the adapter sent.", st.tx_packets);
  counter(o, "bfd_adapter_tx_errors_total", "Sends that failed.", st.tx_errors);
  counter(o, "bfd_adapter_tx_blocked_total",
          "Sends refused because the socket's send buffer was full (also in tx_errors).",
          st.tx_blocked);
  bfdm_family(o, "bfd_adapter_rx_rcvbuf_bytes", "gauge",
              "The listeners' receive buffer as asked of SO_RCVBUF (0: the kernel's default).");
  bfdm_printf(o, "bfd_adapter_rx_rcvbuf_bytes %llu\n", (unsigned long long)st.rx_rcvbuf_applied);
  return o->truncated ? -1 : 0;
}
