/*
 * reasons_report: the summary's "Top failure reasons" (per operation when the script has
 * operations) and "Failure samples": the start of the first response of each reason shown.
 */
#ifndef SOAPLOAD_REASONS_REPORT_H
#define SOAPLOAD_REASONS_REPORT_H

#include <stdio.h>

#include "core/config.h"
#include "core/reasons.h"

#define SL_SAMPLE_SHOWN 200 /* bytes of a sample the summary prints */

/** The name of a reason's operation: cfg's name, or "" without one. */
const char *sl_reasons_op_name(const sl_config_t *cfg, int op);
/** Prints both blocks (nothing when no failure has a reason). */
void sl_reasons_report_print(FILE *out, const sl_config_t *cfg, const sl_reasons_t *r);
/** Writes the start of a sample into buf as one line: runs of white space and control
 * characters made one space, an XML declaration left out, cut at a UTF-8 boundary to at most
 * SL_SAMPLE_SHOWN bytes, "..." after a cut. */
void sl_reasons_sample_line(const sl_reason_sample_t *s, char *buf, size_t cap);

#endif
