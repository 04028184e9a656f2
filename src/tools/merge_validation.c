/*
 * merge_validation: result files' `validation` objects read back and summed for merge.
 */
#include "tools/merge_validation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/resultfield.h"

int sl_merge_validation_read(const sl_json_t *doc, sl_config_t *cfg, sl_validate_stats_t *v,
                             char *err, size_t errlen)
{
    const sl_json_t *o = sl_json_get(doc, "validation");
    double pct, cpu_us;
    const char *schema;
    memset(v, 0, sizeof(*v));
    if (o == NULL || o->type == SL_JSON_NULL) /* a run without --validate */
        return 0;
    if ((o = sl_resultfield_get(doc, "validation", SL_JSON_OBJECT, "", err, errlen)) == NULL ||
        (schema = sl_resultfield_string(o, "schema", "validation", err, errlen)) == NULL ||
        sl_resultfield_double(o, "sample_pct", "validation", &pct, err, errlen) != 0 ||
        sl_resultfield_u64(o, "validated", "validation", &v->validated, err, errlen) != 0 ||
        sl_resultfield_double(o, "cpu_us_per_response", "validation", &cpu_us, err, errlen) != 0)
        return -1;
    if (pct <= 0 || pct > 100) {
        snprintf(err, errlen, "validation.sample_pct is %g, not a share from 0 to 100", pct);
        return -1;
    }
    free(cfg->schema_path);
    if ((cfg->schema_path = strdup(schema)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cfg->validate_pct = pct;
    /* the file keeps the mean to the nanosecond: the total is good to about validated ns */
    v->cpu_ns = (uint64_t)llround(cpu_us * 1e3 * (double)v->validated);
    return 0;
}

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
