/*
 * wsse_report: what signing every request cost, in the summary and the JSON results: the
 * requests signed, the algorithm and key reference, the workers' CPU time per signature.
 */
#ifndef SOAPLOAD_WSSE_REPORT_H
#define SOAPLOAD_WSSE_REPORT_H

#include <stdio.h>

#include "core/config.h"
#include "core/counts.h"

/** The summary's "WS-Security" line; nothing when requests were not signed. */
void sl_wsse_report_print(FILE *out, const sl_config_t *cfg, const sl_counts_t *c);
/** The results' "wsse" member and its trailing ",\n"; nothing when requests were not signed. */
void sl_wsse_report_json(FILE *out, const sl_config_t *cfg, const sl_counts_t *c);

#endif
