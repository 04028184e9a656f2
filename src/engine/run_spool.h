/*
 * run_spool: the spool of send records (one sl_sendrec_t per request sent, appended by the
 * workers) and the side file of the scripts' own IDs: opened before the workers start, read
 * back and analysed for concurrency after the run; the ID a listed request carried; and the
 * finished seconds' histograms, kept in a file of their own until the results are written.
 */
#ifndef SOAPLOAD_RUN_SPOOL_H
#define SOAPLOAD_RUN_SPOOL_H

#include <stddef.h>

#include "core/concurrency.h"
#include "core/config.h"
#include "engine/run_state.h"

#define SL_SPOOL_MAX 10000000ULL /* send records kept for the analysis: 240 MB at most */

/** An unnamed file (O_APPEND) that nothing leaves behind. Returns its descriptor, or -1. */
int sl_run_spool_open(void);
/** Reads run->spool_fd back and analyses it into run->concurrency (run->analyzed), then
 * reads the IDs of the listed requests from run->ids_fd (run->listed_ids, freed by
 * sl_run_free). */
void sl_run_spool_analyze(const sl_config_t *cfg, sl_run_t *run);
/** Parent side: moves a finished second's histogram (s->hist_enc) into run->seconds_fd, so that
 * what the parent keeps per second is a few numbers (at 10,000 req/s the histogram is 20 to 50
 * KB); it stays in memory when there is no such file or a write failed. */
void sl_run_spool_second(sl_run_t *run, sl_second_t *s);
/** Adds second s's latency histogram to h, from memory or from run->seconds_fd. Returns 0, 1
 * when the second has none, or -1 when it cannot be read back or decoded. */
int sl_run_second_hist(const sl_run_t *run, const sl_second_t *s, sl_hist_t *h);
/** Writes the ID that request r carried (the script's own, or P<pid>-R<seq>) into buf.
 * Returns buf. */
const char *sl_run_request_id(const sl_run_t *run, const sl_sendrec_t *r, char *buf, size_t len);

#endif
