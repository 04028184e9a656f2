/*
 * merge_validation: the `validation` object of result files (--validate schema: the schema,
 * the share validated, the bodies validated and their CPU time), as output/resultfile reads it
 * back, summed by `soapload merge`, so that the merged JSON and summary say what the contract
 * check cost.
 */
#ifndef SOAPLOAD_MERGE_VALIDATION_H
#define SOAPLOAD_MERGE_VALIDATION_H

#include <stddef.h>

#include "core/config.h"
#include "engine/validate.h"

/** Adds one file's validation (cfg and v as read) to the merged one (out, vout): the counts and
 * CPU time summed, so the CPU per response is weighted by each file's bodies; the schema and
 * share are the first validating file's. Returns 0, or -1 when out of memory. */
int sl_merge_validation_add(sl_config_t *out, sl_validate_stats_t *vout, const sl_config_t *cfg,
                            const sl_validate_stats_t *v);

#endif
