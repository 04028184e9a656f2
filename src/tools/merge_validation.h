/*
 * merge_validation: the `validation` object of result files (--validate schema: the schema,
 * the share validated, the bodies validated and their CPU time) read back and summed by
 * `soapload merge`, so that the merged JSON and summary say what the contract check cost.
 */
#ifndef SOAPLOAD_MERGE_VALIDATION_H
#define SOAPLOAD_MERGE_VALIDATION_H

#include <stddef.h>

#include "core/config.h"
#include "core/json.h"
#include "engine/validate.h"

/** Reads doc's "validation" (absent or null: the run did not validate) into cfg's schema_path
 * (a copy cfg owns) and validate_pct and into *v; the CPU time is cpu_us_per_response times
 * validated. Returns 0, or -1 with err naming the field. */
int sl_merge_validation_read(const sl_json_t *doc, sl_config_t *cfg, sl_validate_stats_t *v,
                             char *err, size_t errlen);
/** Adds one file's validation (cfg and v as read) to the merged one (out, vout): the counts and
 * CPU time summed, so the CPU per response is weighted by each file's bodies; the schema and
 * share are the first validating file's. Returns 0, or -1 when out of memory. */
int sl_merge_validation_add(sl_config_t *out, sl_validate_stats_t *vout, const sl_config_t *cfg,
                            const sl_validate_stats_t *v);

#endif
