/*
 * resultcheck: what a result file must satisfy before soapload merge adds it to others. Its
 * own equations (each counts object's two, the workers and the operations adding up to the
 * totals, every part no larger than the whole), so that a file edited or damaged into numbers
 * that do not add up is refused by name instead of merged; and the sums of merging, each
 * checked for overflow.
 */
#ifndef SOAPLOAD_RESULTCHECK_H
#define SOAPLOAD_RESULTCHECK_H

#include <stddef.h>

#include "core/counts.h"
#include "output/resultfile.h"

/** Checks r's equations. Returns 0, or -1 with "PATH: the equation that does not hold" in
 * err. */
int sl_resultcheck_file(const sl_resultfile_t *r, char *err, size_t errlen);
/** Checks that the totals of in[0..n) add up without overflow (counts, histograms, connections,
 * maxima, workers that died); with each file's parts no larger than its totals
 * (sl_resultcheck_file), no sum of merging can overflow then. Returns 0, or -1 with the file
 * whose sum overflows named in err. */
int sl_resultcheck_sum(const sl_resultfile_t *in, int n, char *err, size_t errlen);
/** Checks that no run is in two of in[0..n): a run is its start (started_at_us) with its
 * counts, a merged file holds the runs of its "segments". Returns 0, or -1 with both files and
 * the run named in err (the same file given twice, a file beside a merge that holds it). */
int sl_resultcheck_distinct(const sl_resultfile_t *in, int n, char *err, size_t errlen);
/** Adds src into dst (counts of `what`, e.g. "summary") unless a sum would pass 2^64 - 1.
 * Returns 0, or -1 with "PATH: WHAT: ... overflow" in err (dst unchanged). */
int sl_resultcheck_add(sl_counts_t *dst, const sl_counts_t *src, const char *source,
                       const char *what, char *err, size_t errlen);

#endif
