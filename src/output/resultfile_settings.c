/*
 * resultfile_settings: a result file's "settings" read back into the run's configuration: the
 * target, the model, the load's shape (a rate, stages or scenarios), a segment's place in a
 * split schedule and the clock's offset.
 */
#include "output/resultfile_settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/load.h"
#include "core/scenario.h"
#include "core/segment.h"
#include "output/resultfield.h"

/* The optional settings of a segmented or --start-at run: segment "I/N" and the clock's
 * offset against the server. */
static int read_segment(const sl_json_t *s, sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_json_t *seg = sl_json_get(s, "segment"), *off = sl_json_get(s, "clock_offset_ms"),
                    *unc = sl_json_get(s, "clock_offset_uncertainty_ms");
    if (seg != NULL && (seg->type != SL_JSON_STRING ||
                        sl_segment_parse(seg->string, &r->cfg.segment, &r->cfg.nsegments) != 0)) {
        snprintf(err, errlen, "settings.segment is not \"I/N\" with 0 <= I < N");
        return -1;
    }
    if (off != NULL && off->type == SL_JSON_NUMBER && unc != NULL && unc->type == SL_JSON_NUMBER) {
        r->run.clock.probes = 1;
        r->run.clock.offset_ms = sl_json_number(off);
        r->run.clock.uncertainty_ms = sl_json_number(unc);
    }
    return 0;
}

/* One stage of settings.scenarios[i].stages (or settings.stages): a duration and a target
 * rate (`what`: "target"), or a closed-model scenario's users ("users"). */
static int read_scenario_stage(const sl_json_t *o, sl_stage_t *st, const char *what,
                               const char *where, char *err, size_t errlen)
{
    double d;
    if (o->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(o->type));
        return -1;
    }
    if (sl_resultfield_double(o, "duration_s", where, &d, err, errlen) != 0 ||
        sl_resultfield_double(o, what, where, &st->target, err, errlen) != 0)
        return -1;
    if (d > 1e9 || st->target > SL_MAX_RATE * 1e3 ||
        (strcmp(what, "users") == 0 &&
         (d <= 0 || st->target < 0 || st->target != floor(st->target)))) {
        snprintf(err, errlen, "%s: duration_s %g or %s %g out of range", where, d, what,
                 st->target);
        return -1;
    }
    st->duration_ns = (uint64_t)llround(d * 1e9);
    return 0;
}

/* The open model's shape, "stages_from" and "stages" (absent: a constant rate; a -R A:B ramp is
 * one stage from A), as the run's configuration holds stages: the rate they start from (given
 * when not 0), each stage's duration and target. The closed model's are not read back. */
static int read_stages(const sl_json_t *s, sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_json_t *list = sl_json_get(s, "stages");
    sl_config_t *cfg = &r->cfg;
    char where[64];
    double from;
    if (list == NULL || sl_json_get(s, "model") == NULL ||
        strcmp(sl_json_get(s, "model")->string, "open") != 0)
        return 0;
    if (list->type != SL_JSON_ARRAY || list->len == 0 || list->len > SL_MAX_STAGES) {
        snprintf(err, errlen, "settings.stages is not an array of 1 to %d stages", SL_MAX_STAGES);
        return -1;
    }
    if (sl_resultfield_double(s, "stages_from", "settings", &from, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < list->len; i++) {
        sl_stage_t st;
        snprintf(where, sizeof(where), "settings.stages[%zu]", i);
        if (read_scenario_stage(sl_json_item(list, i), &st, "target", where, err, errlen) != 0)
            return -1;
        cfg->stages[i].duration_ns = st.duration_ns;
        cfg->stages[i].target = st.target;
    }
    cfg->nstages = (int)list->len;
    cfg->rate = from;
    if (from > 0)
        sl_optset_add(&cfg->given, SL_OPT_RATE);
    sl_profile_t p;
    char why[256];
    if (sl_load_profile(cfg, &p, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "settings.stages: %s", why);
        return -1;
    }
    return 0;
}

int sl_resultfile_read_settings(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen)
{
    sl_config_t *cfg = &r->cfg;
    const sl_json_t *s = sl_resultfield_get(doc, "settings", SL_JSON_OBJECT, "", err, errlen);
    const char *script, *url, *model, *soap, *id;
    double rate, duration, timeout;
    if (s == NULL ||
        (script = sl_resultfield_string(s, "script", "settings", err, errlen)) == NULL ||
        (url = sl_resultfield_string(s, "url", "settings", err, errlen)) == NULL ||
        (model = sl_resultfield_string(s, "model", "settings", err, errlen)) == NULL ||
        (soap = sl_resultfield_string(s, "soap_version", "settings", err, errlen)) == NULL ||
        (id = sl_resultfield_string(s, "id_element", "settings", err, errlen)) == NULL ||
        sl_resultfield_double(s, "rate", "settings", &rate, err, errlen) != 0 ||
        sl_resultfield_double(s, "duration_s", "settings", &duration, err, errlen) != 0 ||
        sl_resultfield_double(s, "timeout_s", "settings", &timeout, err, errlen) != 0 ||
        sl_resultfield_int(s, "connections", "settings", &cfg->connections, err, errlen) != 0 ||
        sl_resultfield_int(s, "workers", "settings", &cfg->workers, err, errlen) != 0 ||
        sl_resultfield_int(s, "burst", "settings", &cfg->burst, err, errlen) != 0 ||
        sl_resultfield_u64(s, "seed", "settings", &cfg->seed, err, errlen) != 0 ||
        sl_resultfield_time_us(s, "started_at_us", "settings", &r->started_at_us, err, errlen) != 0)
        return -1;
    if (strcmp(model, "open") != 0 && strcmp(model, "closed") != 0) {
        snprintf(err, errlen, "settings.model is \"%s\", not \"open\" or \"closed\"", model);
        return -1;
    }
    if (strcmp(soap, "1.1") != 0 && strcmp(soap, "1.2") != 0) {
        snprintf(err, errlen, "settings.soap_version is \"%s\", not \"1.1\" or \"1.2\"", soap);
        return -1;
    }
    if (duration <= 0 || duration > 1e9 || timeout > 1e9 || rate > SL_MAX_RATE * 1e3) {
        snprintf(err, errlen, "settings: duration_s %g, timeout_s %g or rate %g out of range",
                 duration, timeout, rate);
        return -1;
    }
    if ((r->script = strdup(script)) == NULL || (cfg->url = strdup(url)) == NULL ||
        (cfg->id_element = strdup(id)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (read_segment(s, r, err, errlen) != 0 || read_stages(s, r, err, errlen) != 0)
        return -1;
    if (sl_json_get(s, "send_window_s") != NULL) { /* absent from files before --send-window */
        double window;
        if (sl_resultfield_double(s, "send_window_s", "settings", &window, err, errlen) != 0)
            return -1;
        if (window > (double)SL_MAX_SEND_WINDOW_NS / 1e9) {
            snprintf(err, errlen, "settings.send_window_s is %g: more than %g", window,
                     (double)SL_MAX_SEND_WINDOW_NS / 1e9);
            return -1;
        }
        cfg->send_window_ns = (uint64_t)llround(window * 1e9);
    }
    cfg->script_path = r->script;
    cfg->closed = strcmp(model, "closed") == 0;
    cfg->soap_version = strcmp(soap, "1.2") == 0 ? 12 : 11;
    r->mean_rate = rate;
    if (cfg->nstages == 0) /* with stages: their start, set by read_stages */
        cfg->rate = rate;
    cfg->duration_ns = (uint64_t)llround(duration * 1e9);
    cfg->timeout_ns = (uint64_t)llround(timeout * 1e9);
    r->run.started_at.tv_sec = (time_t)(r->started_at_us / 1000000);
    r->run.started_at.tv_nsec = (long)(r->started_at_us % 1000000 * 1000);
    return 0;
}

/* A scenario's "flows" (written with flows only) into its flow mix: the flows it names, then
 * each flow of one step whose operation it has, which is a single operation of the run. */
static int read_scenario_flows(const sl_json_t *flows, const sl_config_t *cfg, sl_scenario_t *sc,
                               const char *where, char *err, size_t errlen)
{
    sl_flows_t *fs = cfg->flows;
    if (flows->type != SL_JSON_OBJECT || fs == NULL) {
        snprintf(err, errlen, "%s.flows is %s", where,
                 fs == NULL ? "there, but the file has no flows" : "not an object");
        return -1;
    }
    for (size_t j = 0; j < flows->len; j++) {
        const char *name = sl_json_key(flows, j);
        int f = sl_flows_find(fs, name, strlen(name));
        if (f < 0) {
            snprintf(err, errlen, "%s.flows: \"%.80s\" is not in flows", where, name);
            return -1;
        }
        if (sl_resultfield_double(flows, name, where, &sc->flow_weights[f], err, errlen) != 0)
            return -1;
    }
    for (int f = 0; f < fs->n; f++)
        if (sc->flow_weights[f] == 0 && fs->f[f].nsteps == 1 &&
            sc->weights[fs->f[f].steps[0].op] > 0) {
            fs->f[f].single = 1;
            sc->flow_weights[f] = sc->weights[fs->f[f].steps[0].op];
        }
    sc->has_flows = 1;
    return 0;
}

/* A scenario's "operations": its weights by name. */
static int read_scenario_ops(const sl_json_t *ops, const sl_config_t *cfg, sl_scenario_t *sc,
                             const char *where, char *err, size_t errlen)
{
    char sub[96];
    snprintf(sub, sizeof(sub), "%s.operations", where);
    for (size_t j = 0; j < ops->len; j++) {
        const char *op = sl_json_key(ops, j);
        int k = sl_config_operation(cfg, op, strlen(op));
        if (k < 0) {
            snprintf(err, errlen, "%s: \"%.80s\" is not in operations", sub, op);
            return -1;
        }
        if (sl_resultfield_double(ops, op, sub, &sc->weights[k], err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* A closed-model scenario's "think" (absent: none), as the settings' own. */
static int read_scenario_think(const sl_json_t *o, sl_scenario_t *sc, const char *where, char *err,
                               size_t errlen)
{
    const sl_json_t *t = sl_json_get(o, "think");
    const char *kind;
    char sub[96];
    if (t == NULL)
        return 0;
    snprintf(sub, sizeof(sub), "%s.think", where);
    if ((kind = sl_resultfield_string(t, "kind", sub, err, errlen)) == NULL ||
        sl_resultfield_double(t, "a_ms", sub, &sc->think.a_ms, err, errlen) != 0 ||
        sl_resultfield_double(t, "b_ms", sub, &sc->think.b_ms, err, errlen) != 0)
        return -1;
    if (strcmp(kind, "fixed") == 0)
        sc->think.kind = SL_DELAY_FIXED;
    else if (strcmp(kind, "uniform") == 0)
        sc->think.kind = SL_DELAY_UNIFORM;
    else if (strcmp(kind, "exp") == 0)
        sc->think.kind = SL_DELAY_EXP;
    else if (strcmp(kind, "normal") == 0)
        sc->think.kind = SL_DELAY_NORMAL;
    else {
        snprintf(err, errlen, "%s.kind is \"%.40s\", not fixed, uniform, exp or normal", sub, kind);
        return -1;
    }
    sc->has_think = 1;
    return 0;
}

/* A closed-model scenario as sl_shape_scenarios_json writes it: its users come back as the
 * script gave them: connections (stages_from them, one stage holding them) or stages from 0. */
static int read_user_scenario(const sl_json_t *o, const sl_config_t *cfg, sl_scenario_t *sc,
                              const char *where, char *err, size_t errlen)
{
    const sl_json_t *stages, *ops;
    double start, from;
    char sub[96];
    int i = 0;
    if (sl_resultfield_double(o, "start_s", where, &start, err, errlen) != 0 ||
        sl_resultfield_double(o, "stages_from", where, &from, err, errlen) != 0 ||
        (stages = sl_resultfield_get(o, "stages", SL_JSON_ARRAY, where, err, errlen)) == NULL ||
        (ops = sl_resultfield_get(o, "operations", SL_JSON_OBJECT, where, err, errlen)) == NULL)
        return -1;
    if (start > 1e9 || start < 0 || stages->len == 0 || stages->len > SL_MAX_STAGES) {
        snprintf(err, errlen, "%s: start_s %g or %u stages out of range", where, start,
                 (unsigned)stages->len);
        return -1;
    }
    sc->closed = 1;
    sc->start_ns = (uint64_t)llround(start * 1e9);
    for (const sl_json_t *s; (s = sl_json_item(stages, (size_t)i)) != NULL; i++) {
        snprintf(sub, sizeof(sub), "%s.stages[%d]", where, i);
        if (read_scenario_stage(s, &sc->stages[i], "users", sub, err, errlen) != 0)
            return -1;
    }
    sc->nstages = i;
    if (from > 0) { /* users for a duration */
        if (sc->nstages != 1 || sc->stages[0].target != from || from > SL_MAX_CONNECTIONS) {
            snprintf(err, errlen, "%s: stages_from %g is neither 0 nor one stage's users", where,
                     from);
            return -1;
        }
        sc->has_connections = 1;
        sc->connections = (int)from;
        sc->duration_ns = sc->stages[0].duration_ns;
        sc->nstages = 0;
    }
    if (read_scenario_think(o, sc, where, err, errlen) != 0 ||
        read_scenario_ops(ops, cfg, sc, where, err, errlen) != 0)
        return -1;
    const sl_json_t *flows = sl_json_get(o, "flows"); /* its users' flows, with flows */
    return flows != NULL && read_scenario_flows(flows, cfg, sc, where, err, errlen) != 0 ? -1 : 0;
}

/* One scenario as sl_shape_scenarios_json writes it. Its profile comes back as the script
 * gave it: a rate (the profile starts at it and holds it for one stage) or stages from 0. */
static int read_scenario(const sl_json_t *o, const sl_config_t *cfg, sl_scenario_t *sc,
                         const char *where, char *err, size_t errlen)
{
    const char *name, *arrival;
    const sl_json_t *stages, *ops;
    double start, from;
    char sub[96], why[256];
    int i = 0;
    if (o->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(o->type));
        return -1;
    }
    if ((name = sl_resultfield_string(o, "name", where, err, errlen)) == NULL)
        return -1;
    if (!sl_scenario_name_ok(name)) {
        snprintf(err, errlen, "%s.name \"%.80s\" is not a scenario name", where, name);
        return -1;
    }
    snprintf(sc->name, sizeof(sc->name), "%s", name);
    if (cfg->closed)
        return read_user_scenario(o, cfg, sc, where, err, errlen);
    if (sl_resultfield_double(o, "start_s", where, &start, err, errlen) != 0 ||
        (arrival = sl_resultfield_string(o, "arrival", where, err, errlen)) == NULL ||
        sl_resultfield_int(o, "burst", where, &sc->burst, err, errlen) != 0 ||
        sl_resultfield_double(o, "stages_from", where, &from, err, errlen) != 0 ||
        (stages = sl_resultfield_get(o, "stages", SL_JSON_ARRAY, where, err, errlen)) == NULL ||
        (ops = sl_resultfield_get(o, "operations", SL_JSON_OBJECT, where, err, errlen)) == NULL)
        return -1;
    if (strcmp(arrival, "uniform") != 0 && strcmp(arrival, "poisson") != 0) {
        snprintf(err, errlen, "%s.arrival is \"%.40s\", not \"uniform\" or \"poisson\"", where,
                 arrival);
        return -1;
    }
    sc->arrival = strcmp(arrival, "poisson") == 0 ? SL_ARRIVAL_POISSON : SL_ARRIVAL_UNIFORM;
    if (start > 1e9 || sc->burst < 1 || stages->len == 0 || stages->len > SL_MAX_STAGES) {
        snprintf(err, errlen, "%s: start_s %g, burst %d or %u stages out of range", where, start,
                 sc->burst, (unsigned)stages->len);
        return -1;
    }
    sc->start_ns = (uint64_t)llround(start * 1e9);
    for (const sl_json_t *s; (s = sl_json_item(stages, (size_t)i)) != NULL; i++) {
        snprintf(sub, sizeof(sub), "%s.stages[%d]", where, i);
        if (read_scenario_stage(s, &sc->stages[i], "target", sub, err, errlen) != 0)
            return -1;
    }
    sc->nstages = i;
    if (from > 0) { /* a rate for a duration */
        if (sc->nstages != 1 || sc->stages[0].target != from) {
            snprintf(err, errlen, "%s: stages_from %g is neither 0 nor one stage's constant rate",
                     where, from);
            return -1;
        }
        sc->has_rate = 1;
        sc->rate = from;
        sc->duration_ns = sc->stages[0].duration_ns;
        sc->nstages = 0;
    }
    if (read_scenario_ops(ops, cfg, sc, where, err, errlen) != 0)
        return -1;
    const sl_json_t *flows = sl_json_get(o, "flows");
    if (flows != NULL && read_scenario_flows(flows, cfg, sc, where, err, errlen) != 0)
        return -1;
    sl_profile_t p;
    if (sl_scenario_profile(sc, &p, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %s", where, why);
        return -1;
    }
    return 0;
}

/* "settings.scenarios" (absent in a run without them, and in files written before them),
 * after the operations, which their weights name. */
int sl_resultfile_read_scenarios(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_json_t *list = sl_json_get(sl_json_get(doc, "settings"), "scenarios");
    char where[64];
    int i = 0;
    if (list == NULL)
        return 0;
    if (list->type != SL_JSON_ARRAY || list->len == 0 || list->len > SL_MAX_SCENARIOS) {
        snprintf(err, errlen, "settings.scenarios is not an array of 1 to %d scenarios",
                 SL_MAX_SCENARIOS);
        return -1;
    }
    sl_scenarios_t *ss = calloc(1, sizeof(*ss));
    if (ss == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->cfg.scenarios = ss;
    for (const sl_json_t *o; (o = sl_json_item(list, (size_t)i)) != NULL; i++) {
        snprintf(where, sizeof(where), "settings.scenarios[%d]", i);
        if (read_scenario(o, &r->cfg, &ss->s[i], where, err, errlen) != 0)
            return -1;
        for (int j = 0; j < i; j++)
            if (strcmp(ss->s[j].name, ss->s[i].name) == 0) {
                snprintf(err, errlen, "%s: the name %s is used twice", where, ss->s[i].name);
                return -1;
            }
        ss->n = i + 1;
    }
    return 0;
}
