/*
 * junit: the JUnit XML report CI servers read (Jenkins, GitLab, Azure DevOps): one test suite
 * with a test case per threshold (a failure carries the measured value and the limit), one per
 * operation's results, one for the run's accounting, and, without thresholds, one for "every
 * scheduled request answered correctly"; compare's thresholds on the change likewise. Its
 * failures agree with the exit code: a run that exits 0 has none.
 */
#ifndef SOAPLOAD_JUNIT_H
#define SOAPLOAD_JUNIT_H

#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/threshold.h"
#include "engine/run.h"
#include "output/outfile.h"

/* One test case. */
typedef struct {
    const char *classname; /* "soapload.thresholds", ... (static) */
    char name[160];
    int failed;        /* 1: a <failure> */
    char message[256]; /* the failure's one line: measured value and limit */
    char detail[512];  /* the failure's text, or the case's <system-out> when it passed */
} sl_junit_case_t;

/** Writes a whole document: one suite named `suite` with cases[0..n), its time and start
 * (wall clock, us since the epoch), and properties (name/value pairs, nprops of them). Text
 * is escaped for XML; bytes that are no valid UTF-8 or no XML character are written as '?'.
 * Returns 0, or -1 when the write failed. */
int sl_junit_write(FILE *out, const char *suite, double time_s, int64_t started_at_us,
                   const char *const (*props)[2], int nprops, const sl_junit_case_t *cases, int n);
/** The cases of a run (or of a merged result): filled into cases (at most cap). Returns how
 * many. `code` is the run's exit code (sl_report_exit_code). */
int sl_junit_run_cases(const sl_config_t *cfg, const sl_run_t *run,
                       const sl_threshold_set_t *checks, int code, sl_junit_case_t *cases, int cap);
/** Writes a run's (or a merged result's) JUnit document into f (made whole in memory, then
 * written whole or not at all). Returns 0, or -1 with "cannot write PATH: ..." in err. */
int sl_junit_write_file(sl_outfile_t *f, const sl_config_t *cfg, const sl_run_t *run,
                        const sl_threshold_set_t *checks, char *err, size_t errlen);
/** Writes a run's (or a merged result's) JUnit document to out. Returns 0 or -1. */
int sl_junit_write_run(FILE *out, const sl_config_t *cfg, const sl_run_t *run,
                       const sl_threshold_set_t *checks);

#endif
