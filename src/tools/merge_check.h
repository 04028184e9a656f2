/*
 * merge_check: whether result files merge (soapload merge, merge --listen): the same
 * settings, a split's segments each once, no run twice.
 */
#ifndef SOAPLOAD_MERGE_CHECK_H
#define SOAPLOAD_MERGE_CHECK_H

#include <stddef.h>

#include "core/threshold.h"
#include "output/resultfile.h"

/** Checks that in[0..n) merge: the same settings (url, model, soap_version, duration...), a
 * split's segments each once, no run twice. Returns 0, or -1 with a message naming the file and
 * what differs in err. */
int sl_merge_check(const sl_resultfile_t *in, int n, char *err, size_t errlen);
/** Checks that every flow threshold in checks names one of r's flows (a merged result's).
 * Returns 0, or -1 with a message naming the threshold and the flows in err. */
int sl_merge_check_flow_thresholds(const sl_threshold_set_t *checks, const sl_resultfile_t *r,
                                   char *err, size_t errlen);

#endif
