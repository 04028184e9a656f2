/*
 * compare_text: soapload compare's summary, as printed on stdout.
 */
#ifndef SOAPLOAD_COMPARE_TEXT_H
#define SOAPLOAD_COMPARE_TEXT_H

#include <stdio.h>

#include "core/ranktest.h"
#include "core/threshold.h"
#include "output/resultfile.h"
#include "tools/compare_limit.h"

/** Prints the comparison of b (metrics mb) with n (mn) to out: the rows and their change, each
 * flow's, the rank test rt, limits[0..nlimits) as evaluated, the --fail-on-significant gate when
 * gate, and the result line. */
void sl_compare_print(FILE *out, const sl_resultfile_t *b, const sl_resultfile_t *n,
                      const sl_metrics_t *mb, const sl_metrics_t *mn, const sl_ranktest_t *rt,
                      const sl_change_limit_t *limits, int nlimits, int gate);

#endif
