/*
 * metrics: --metrics ADDR:PORT, the run's live counters and latency histograms at
 * GET /metrics in the Prometheus text format (OpenMetrics when the scraper asks for it),
 * served by the parent from its own poll loop during the run and for --metrics-linger after
 * the summary.
 */
#ifndef SOAPLOAD_METRICS_H
#define SOAPLOAD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "engine/run.h"

typedef struct sl_metrics_server sl_metrics_server_t;

/** Listens on cfg->metrics_addr (non-blocking). Returns the server, or NULL with a message in
 * err (the address is in use, say). The caller owns it: sl_metrics_close. */
sl_metrics_server_t *sl_metrics_open(const sl_config_t *cfg, char *err, size_t errlen);
/** The guest to set as run->guest before sl_run: it serves /metrics from the parent's loop.
 * Borrowed from m. */
sl_run_guest_t *sl_metrics_guest(sl_metrics_server_t *m);
/** The URL of the endpoint, with the port it got (port 0 asks for a free one). Borrowed. */
const char *sl_metrics_url(const sl_metrics_server_t *m);
/** After the summary: serves the run's final numbers for `linger_ns`, or until SIGINT or
 * SIGTERM. */
void sl_metrics_linger(sl_metrics_server_t *m, const sl_run_t *run, uint64_t linger_ns);
/** Closes the socket and every client; frees m. NULL is fine. */
void sl_metrics_close(sl_metrics_server_t *m);

#endif
