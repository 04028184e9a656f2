/*
 * compare_junit: soapload compare --junit, a comparison as a JUnit XML report.
 */
#ifndef SOAPLOAD_COMPARE_JUNIT_H
#define SOAPLOAD_COMPARE_JUNIT_H

#include <stddef.h>

#include "core/ranktest.h"
#include "core/threshold.h"
#include "output/outfile.h"
#include "tools/compare_limit.h"

/** Writes to f (prepared by the caller, who closes it) a case per threshold in
 * limits[0..nlimits) (measured values and the limit in a failure) and, when gate, one for the
 * --fail-on-significant gate on mb against mn by rt. Returns 0, or -1 with err. */
int sl_compare_write_junit(sl_outfile_t *f, const sl_change_limit_t *limits, int nlimits, int gate,
                           const sl_metrics_t *mb, const sl_metrics_t *mn, const sl_ranktest_t *rt,
                           char *err, size_t errlen);

#endif
