/* The table's overload governor (bfd_table_set_governor): a policy object
 * with no knowledge of sessions. The table feeds it every deadline it
 * serves and the load the host reports; at the end of each sample window
 * it says whether the common scale changed, and the table applies it. */
#ifndef BFD_GOV_H
#define BFD_GOV_H

#include <bfd/bfd.h>

#include <stdint.h>

#define BFD_GOV_SCALE_ONE 1000u /* thousandths: the configured rate */

typedef struct bfd_gov {
  bfd_governor_settings cfg;
  uint8_t on;     /* max_scale_permille > 1000 */
  uint8_t settle; /* windows after a step down that are not a relapse */
  uint8_t pad[2];
  uint32_t scale;        /* thousandths, BFD_GOV_SCALE_ONE..cfg.max */
  uint32_t hold_ms;      /* headroom needed for the next step down */
  uint32_t before_lower; /* the scale the last step down left */
  uint32_t win_services, win_late;
  uint64_t win_start;               /* BFD_TSTAMP_NONE: no window yet */
  uint64_t win_load;                /* host-reported load in this window */
  uint64_t win_late_sum, last_mean; /* lateness: this window's sum, the last one's mean */
  uint64_t calm_since;              /* last overloaded window's end (or last step) */
  uint64_t last_lower;              /* last step down, BFD_TSTAMP_NONE if none */
  /* Statistics (bfd_table_stats). */
  uint64_t services, late_max_ns;
  uint64_t late_hist[BFD_LATE_BUCKETS];
  uint64_t load_rx_drops, load_tx_blocked;
  uint64_t raises, lowers;
} bfd_gov;

void bfd_gov_init(bfd_gov *g);
/* 0 or BFD_ERR_VERSION / BFD_ERR_CFG_GOVERNOR; `out` is the current layout
 * with defaults past the caller's version. */
int bfd_gov_import(const bfd_governor_settings *in, bfd_governor_settings *out);
/* New settings (already imported); returns 1 when the scale changed. */
int bfd_gov_configure(bfd_gov *g, const bfd_governor_settings *st, uint64_t now);
/* A deadline `due` served at `now`. */
void bfd_gov_service(bfd_gov *g, uint64_t due, uint64_t now);
/* Host-reported load (BFD_LOAD_*); 0 or BFD_ERR_INVALID_ARGUMENT. */
int bfd_gov_note(bfd_gov *g, uint32_t kind, uint64_t count);
/* Closes the window when it is over; returns 1 when the scale changed. */
int bfd_gov_tick(bfd_gov *g, uint64_t now);

#endif
