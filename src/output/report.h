/*
 * report: the summary people read at the end of a run.
 */
#ifndef SOAPLOAD_REPORT_H
#define SOAPLOAD_REPORT_H

#include <stdio.h>

#include "core/config.h"
#include "engine/run.h"
#include "core/threshold.h"

/** Prints the summary of `run` to out, with the evaluated thresholds (may be NULL). */
void sl_report_print(FILE *out, const sl_config_t *cfg, const sl_run_t *run,
                     const sl_threshold_set_t *checks);

/** Writes the absolute time of a monotonic instant of the run as "YYYY-MM-DD HH:MM:SS.uuuuuu"
 * (UTC) into buf. */
void sl_report_time(const sl_run_t *run, uint64_t mono_ns, char *buf, size_t cap);
/** The same for an instant of the wall clock, ns since the epoch. */
void sl_report_wall_time(int64_t ns, char *buf, size_t cap);

/** The time the run spent sending, in seconds: the configured duration, or less when the run
 * was stopped early. Every rate (summary, JSON, thresholds, done()) divides by it. */
double sl_report_sending_s(const sl_config_t *cfg, const sl_run_t *run);

/** The exit code the run deserves (see core/exitcode.h). With thresholds, they decide between
 * 0 and 3. The one verdict: the summary, the JSON (and so the HTML report) and the exit code
 * all take it from here. */
int sl_report_exit_code(const sl_run_t *run, const sl_threshold_set_t *checks);
/** The verdict's text for an exit code, e.g. "PASS: every threshold held" (static); aborted:
 * the run was stopped by a failed threshold. */
const char *sl_report_verdict(int code, const sl_threshold_set_t *checks, int aborted);

#endif
