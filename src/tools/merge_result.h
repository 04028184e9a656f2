/*
 * merge_result: result files merged into one result exactly (soapload merge): counts and
 * histograms added, intervals on one timeline, one segment row per file. The writers of a run
 * (JSON, HTML, JUnit, the summary) then write the merged result; there is no second writer.
 */
#ifndef SOAPLOAD_MERGE_RESULT_H
#define SOAPLOAD_MERGE_RESULT_H

#include <stddef.h>

#include "output/resultfile.h"

/** Merges in[0..n) (sl_merge_check, sl_resultcheck_file and sl_resultcheck_sum said yes) into
 * out (zeroed first). Returns 0, or -1 with err (out of memory). out borrows nothing from in
 * but the sources' names: keep in until out is freed (sl_resultfile_free). */
int sl_merge_result(sl_resultfile_t *out, const sl_resultfile_t *in, int n, char *err,
                    size_t errlen);

#endif
