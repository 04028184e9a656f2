/*
 * merge_validation: result files' `validation` objects (read by output/resultfile_breakdown.c)
 * summed for merge.
 */
#include "tools/merge_validation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sl_merge_validation_add(sl_config_t *out, sl_validate_stats_t *vout, const sl_config_t *cfg,
                            const sl_validate_stats_t *v)
{
    if (cfg->validate_pct <= 0)
        return 0;
    if (out->schema_path == NULL) {
        if ((out->schema_path = strdup(cfg->schema_path)) == NULL)
            return -1;
        out->validate_pct = cfg->validate_pct;
    }
    vout->validated += v->validated;
    vout->cpu_ns += v->cpu_ns;
    return 0;
}
