/*
 * run_spool: the spool of send records (one sl_sendrec_t per request sent, appended by the
 * workers) and the side file of the scripts' own IDs: opened before the workers start, read
 * back and analysed for concurrency after the run; the ID a listed request carried.
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
/** Writes the ID that request r carried (the script's own, or P<pid>-R<seq>) into buf.
 * Returns buf. */
const char *sl_run_request_id(const sl_run_t *run, const sl_sendrec_t *r, char *buf, size_t len);

#endif
