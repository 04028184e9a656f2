/*
 * compare_page: soapload compare --html, a page with both results' percentile spectra.
 */
#ifndef SOAPLOAD_COMPARE_PAGE_H
#define SOAPLOAD_COMPARE_PAGE_H

#include <stdio.h>

#include "core/ranktest.h"
#include "core/threshold.h"
#include "output/resultfile.h"
#include "tools/compare_limit.h"

/** Writes the HTML page comparing b (metrics mb) with n (mn) to out: the rows and their change,
 * the rank test rt, limits[0..nlimits) as evaluated, and both latency spectra on one chart. */
void sl_compare_write_page(FILE *out, const sl_resultfile_t *b, const sl_resultfile_t *n,
                           const sl_metrics_t *mb, const sl_metrics_t *mn, const sl_ranktest_t *rt,
                           const sl_change_limit_t *limits, int nlimits);

#endif
