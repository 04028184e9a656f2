/*
 * resultfile_flows: the flows of a result file read back: each flow's definition as far as a
 * report needs it and its results, as output/flows_report.c writes them.
 */
#include "output/resultfile_flows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/flow.h"
#include "output/resultfield.h"

/* The SL_FLOW_REASONS index of a reason's name, or -1. */
static int reason_of(const char *name)
{
    for (int r = 0; r < SL_FLOW_REASONS; r++)
        if (strcmp(sl_flow_reason_name(r), name) == 0)
            return r;
    return -1;
}

/* Step s of flow f (its object o) into f's definition and st. */
static int read_step(const sl_json_t *o, const char *where, const sl_config_t *cfg,
                     sl_flow_def_t *f, int s, sl_flow_stats_t *st, char *err, size_t errlen)
{
    const char *name;
    const sl_json_t *failed;
    char sub[160];
    if (o->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(o->type));
        return -1;
    }
    if ((name = sl_resultfield_string(o, "name", where, err, errlen)) == NULL ||
        sl_resultfield_u64(o, "interrupted", where, &st->interrupted_at[s], err, errlen) != 0 ||
        sl_resultfield_u64(o, "retried", where, &st->retried_at[s], err, errlen) != 0 ||
        (failed = sl_resultfield_get(o, "failed", SL_JSON_OBJECT, where, err, errlen)) == NULL)
        return -1;
    if ((f->steps[s].op = sl_config_operation(cfg, name, strlen(name))) < 0) {
        snprintf(err, errlen, "%s.name \"%.100s\" is not in operations", where, name);
        return -1;
    }
    f->steps[s].times = 1;
    snprintf(sub, sizeof(sub), "%s.failed", where);
    for (size_t i = 0; i < failed->len; i++) {
        const char *key = sl_json_key(failed, i);
        int reason = reason_of(key);
        if (reason < 0) {
            snprintf(err, errlen, "%s has an unknown reason \"%.100s\"", sub, key);
            return -1;
        }
        if (sl_resultfield_u64(failed, key, sub, &st->failed_at[s][reason], err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* Flow i (its object o) into r's definitions and results. */
static int read_flow(const sl_json_t *o, int i, sl_resultfile_t *r, char *err, size_t errlen)
{
    sl_flows_t *fs = r->cfg.flows;
    sl_flow_stats_t *st = &r->run.flows[i];
    const sl_json_t *steps;
    const char *name;
    double weight;
    char where[64], sub[96];
    snprintf(where, sizeof(where), "flows[%d]", i);
    if (o->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(o->type));
        return -1;
    }
    if ((name = sl_resultfield_string(o, "name", where, err, errlen)) == NULL ||
        sl_resultfield_double(o, "weight", where, &weight, err, errlen) != 0)
        return -1;
    if (sl_flows_add(fs, name, weight, sub, sizeof(sub)) < 0) {
        snprintf(err, errlen, "%s: %s", where, sub);
        return -1;
    }
    if (sl_resultfield_u64(o, "scheduled", where, &st->scheduled, err, errlen) != 0 ||
        sl_resultfield_u64(o, "completed", where, &st->completed, err, errlen) != 0 ||
        sl_resultfield_u64(o, "failed", where, &st->failed, err, errlen) != 0 ||
        sl_resultfield_u64(o, "interrupted", where, &st->interrupted, err, errlen) != 0 ||
        sl_resultfield_u64(o, "not_started", where, &st->not_started, err, errlen) != 0 ||
        sl_resultfield_hist_in(o, "duration_us", where, st->duration, err, errlen) != 0 ||
        (steps = sl_resultfield_get(o, "steps", SL_JSON_ARRAY, where, err, errlen)) == NULL)
        return -1;
    if (steps->len == 0 || steps->len > SL_FLOW_MAX_STEPS) {
        snprintf(err, errlen, "%s.steps lists %u steps, not 1 to %d", where, (unsigned)steps->len,
                 SL_FLOW_MAX_STEPS);
        return -1;
    }
    sl_flow_def_t *f = &fs->f[fs->n - 1];
    for (int s = 0; s < (int)steps->len; s++) {
        snprintf(sub, sizeof(sub), "%s.steps[%d]", where, s);
        if (read_step(sl_json_item(steps, (size_t)s), sub, &r->cfg, f, s, st, err, errlen) != 0)
            return -1;
        f->nsteps = s + 1;
    }
    return 0;
}

int sl_resultfile_read_flows(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_json_t *flows = sl_json_get(doc, "flows");
    int n;
    if (flows == NULL)
        return 0;
    if (flows->type != SL_JSON_ARRAY) {
        snprintf(err, errlen, "flows is %s, not an array", sl_json_type_name(flows->type));
        return -1;
    }
    if (flows->len > SL_FLOW_MAX) {
        snprintf(err, errlen, "flows lists %u, more than %d", (unsigned)flows->len, SL_FLOW_MAX);
        return -1;
    }
    if ((n = (int)flows->len) == 0)
        return 0;
    if ((r->cfg.flows = calloc(1, sizeof(*r->cfg.flows))) == NULL ||
        (r->run.flows = sl_flow_stats_new(n)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->run.nflows = n;
    for (int i = 0; i < n; i++)
        if (read_flow(sl_json_item(flows, (size_t)i), i, r, err, errlen) != 0)
            return -1;
    return 0;
}
