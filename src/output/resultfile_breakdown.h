/*
 * resultfile_breakdown: a result file's figures broken down read back (see resultfile.h): by
 * operation (and their latency over time), by tag value, by failure reason, and the cost of
 * --validate.
 */
#ifndef SOAPLOAD_RESULTFILE_BREAKDOWN_H
#define SOAPLOAD_RESULTFILE_BREAKDOWN_H

#include <stddef.h>

#include "core/config.h"
#include "core/json.h"
#include "core/reasons.h"
#include "engine/run.h"
#include "engine/validate.h"
#include "output/resultfile.h"

/** Reads "operations" (absent in files before them: none) into r->cfg's operations and
 * r->run.ops (allocated). Returns 0, or -1 with err. */
int sl_resultfile_read_operations(const sl_json_t *doc, sl_resultfile_t *r, char *err,
                                  size_t errlen);
/** Reads "op_intervals" (absent: no series) into r->run.series, in r's operation numbering
 * and slot width; after the operations. Returns 0, or -1 with err. */
int sl_resultfile_read_opseries(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen);
/** Adds each value of "tags" (absent in files before them: none) into run->tags; merging
 * folds them to the bounds again. Returns 0, or -1 with err. */
int sl_resultfile_read_tags(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen);
/** Adds "failure_reasons" into reasons, their operations named in cfg's. Returns 0, or -1
 * with err. */
int sl_resultfile_read_reasons(const sl_json_t *doc, const sl_config_t *cfg, sl_reasons_t *reasons,
                               char *err, size_t errlen);
/** Reads doc's "validation" (absent or null: the run did not validate) into cfg's schema_path
 * (a copy cfg owns) and validate_pct and into *v; the CPU time is cpu_us_per_response times
 * validated. Returns 0, or -1 with err naming the field. */
int sl_resultfile_read_validation(const sl_json_t *doc, sl_config_t *cfg, sl_validate_stats_t *v,
                                  char *err, size_t errlen);

#endif
