/*
 * merge_check: whether result files merge: the same settings (url, model, SOAP version,
 * duration, the load's shape, the send window, the scenarios, the flows and their steps), the
 * segments of one split schedule each once, and no run in two files.
 */
#include "tools/merge_check.h"

#include <stdio.h>
#include <string.h>

#include "core/scenario.h"
#include "tools/resultcheck.h"

/* A scenario's weight of the operation named `name` in cfg's numbering (0: not in it). */
static double scenario_weight(const sl_config_t *cfg, const sl_scenario_t *sc, const char *name)
{
    int k = sl_config_operation(cfg, name, strlen(name));
    return k < 0 ? 0 : sc->weights[k];
}

/* What differs between two scenarios of the same name, or NULL: the same schedule and mix. */
static const char *scenario_differs(const sl_config_t *ca, const sl_scenario_t *a,
                                    const sl_config_t *cb, const sl_scenario_t *b)
{
    if (a->start_ns != b->start_ns)
        return "start";
    if (a->has_rate != b->has_rate || a->nstages != b->nstages ||
        (a->has_rate && (a->rate != b->rate || a->duration_ns != b->duration_ns)))
        return "rate or stages";
    for (int i = 0; i < a->nstages; i++)
        if (a->stages[i].duration_ns != b->stages[i].duration_ns ||
            a->stages[i].target != b->stages[i].target)
            return "stages";
    if (a->closed != b->closed || a->has_connections != b->has_connections ||
        a->connections != b->connections)
        return "users";
    if (a->has_think != b->has_think ||
        (a->has_think && (a->think.kind != b->think.kind || a->think.a_ms != b->think.a_ms ||
                          a->think.b_ms != b->think.b_ms)))
        return "think";
    if (a->arrival != b->arrival)
        return "arrival";
    if (a->burst != b->burst)
        return "burst";
    for (int k = 0; k < ca->nops; k++)
        if (a->weights[k] != scenario_weight(cb, b, ca->op_names[k]))
            return "operations";
    for (int k = 0; k < cb->nops; k++)
        if (b->weights[k] != scenario_weight(ca, a, cb->op_names[k]))
            return "operations";
    return NULL;
}

/* The scenarios of two files: the same names (sorted by name, as the run sorts them), each
 * with the same schedule and mix. */
static int same_scenarios(const sl_resultfile_t *a, const sl_resultfile_t *b, char *err,
                          size_t errlen)
{
    const sl_scenarios_t *sa = a->cfg.scenarios, *sb = b->cfg.scenarios;
    char la[512] = "none", lb[512] = "none";
    if (sa != NULL && sb != NULL && sa->n == sb->n) {
        int i = 0;
        while (i < sa->n && strcmp(sa->s[i].name, sb->s[i].name) == 0)
            i++;
        if (i == sa->n) {
            for (i = 0; i < sa->n; i++) {
                const char *what = scenario_differs(&a->cfg, &sa->s[i], &b->cfg, &sb->s[i]);
                if (what != NULL) {
                    snprintf(err, errlen,
                             "%s: settings.scenarios differ from %s's: scenario %s has another "
                             "%s: these results do not merge",
                             b->source, a->source, sa->s[i].name, what);
                    return -1;
                }
            }
            return 0;
        }
    } else if (sa == NULL && sb == NULL)
        return 0;
    for (int f = 0; f < 2; f++) {
        const sl_scenarios_t *ss = f ? sb : sa;
        char *l = f ? lb : la;
        size_t size = sizeof(la), used = 0;
        for (int i = 0; ss != NULL && i < ss->n && used < size; i++)
            used += (size_t)snprintf(l + used, size - used, "%s%s", i ? ", " : "", ss->s[i].name);
    }
    snprintf(err, errlen,
             "%s: settings.scenarios are %s, but %s has %s: these results do not merge", b->source,
             lb, a->source, la);
    return -1;
}

/* "order (Login, PlaceOrder, GetOrder, Logout), browse (...)" or "none", for a message. */
static void flows_text(const sl_resultfile_t *r, char *buf, size_t len)
{
    const sl_flows_t *fs = r->cfg.flows;
    size_t used = (size_t)snprintf(buf, len, "%s", fs == NULL ? "none" : "");
    for (int i = 0; fs != NULL && i < fs->n && used < len; i++)
        for (int s = 0; s < fs->f[i].nsteps && used < len; s++)
            used += (size_t)snprintf(buf + used, len - used, "%s%s%s%s%s", i && !s ? ", " : "",
                                     s ? "" : fs->f[i].name, s ? ", " : " (",
                                     r->cfg.op_names[fs->f[i].steps[s].op],
                                     s + 1 == fs->f[i].nsteps ? ")" : "");
}

/* The flows of two files: the same names in the same order, each with the same steps (by
 * operation name), so that their counts and durations add up flow by flow and step by step. */
static int same_flows(const sl_resultfile_t *a, const sl_resultfile_t *b, char *err, size_t errlen)
{
    const sl_flows_t *fa = a->cfg.flows, *fb = b->cfg.flows;
    char la[512], lb[512];
    int same = (fa == NULL) == (fb == NULL) && (fa == NULL || fa->n == fb->n);
    for (int i = 0; same && fa != NULL && i < fa->n; i++) {
        same = strcmp(fa->f[i].name, fb->f[i].name) == 0 && fa->f[i].nsteps == fb->f[i].nsteps;
        for (int s = 0; same && s < fa->f[i].nsteps; s++)
            same = strcmp(a->cfg.op_names[fa->f[i].steps[s].op],
                          b->cfg.op_names[fb->f[i].steps[s].op]) == 0;
    }
    if (same)
        return 0;
    flows_text(a, la, sizeof(la));
    flows_text(b, lb, sizeof(lb));
    snprintf(err, errlen, "%s: flows are %s, but %s has %s: these results do not merge", b->source,
             lb, a->source, la);
    return -1;
}

/* Two open-model shapes differ: their start or a stage (a constant rate has none). */
static int stages_differ(const sl_config_t *a, const sl_config_t *b)
{
    if (a->nstages != b->nstages || (a->nstages > 0 && a->rate != b->rate))
        return 1;
    for (int i = 0; i < a->nstages; i++)
        if (a->stages[i].duration_ns != b->stages[i].duration_ns ||
            a->stages[i].target != b->stages[i].target)
            return 1;
    return 0;
}

/* "from 0: 1 s to 200, 1 s to 200", for a message. */
static void stages_text(const sl_config_t *cfg, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, cfg->nstages ? "from %g:" : "none", cfg->rate);
    for (int i = 0; i < cfg->nstages && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s %g s to %g", i ? "," : "",
                                 (double)cfg->stages[i].duration_ns / 1e9, cfg->stages[i].target);
}

static int same_settings(const sl_resultfile_t *a, const sl_resultfile_t *b, char *err,
                         size_t errlen)
{
    const char *what = NULL;
    char va[256], vb[256];
    if (strcmp(a->cfg.url, b->cfg.url) != 0) {
        what = "url";
        snprintf(va, sizeof(va), "%s", a->cfg.url);
        snprintf(vb, sizeof(vb), "%s", b->cfg.url);
    } else if (a->cfg.closed != b->cfg.closed) {
        what = "model";
        snprintf(va, sizeof(va), "%s", a->cfg.closed ? "closed" : "open");
        snprintf(vb, sizeof(vb), "%s", b->cfg.closed ? "closed" : "open");
    } else if (a->cfg.soap_version != b->cfg.soap_version) {
        what = "soap_version";
        snprintf(va, sizeof(va), "%s", a->cfg.soap_version == 12 ? "1.2" : "1.1");
        snprintf(vb, sizeof(vb), "%s", b->cfg.soap_version == 12 ? "1.2" : "1.1");
    } else if (a->cfg.duration_ns != b->cfg.duration_ns) {
        what = "duration_s";
        snprintf(va, sizeof(va), "%g", (double)a->cfg.duration_ns / 1e9);
        snprintf(vb, sizeof(vb), "%g", (double)b->cfg.duration_ns / 1e9);
    } else if (stages_differ(&a->cfg, &b->cfg)) {
        what = "stages";
        stages_text(&a->cfg, va, sizeof(va));
        stages_text(&b->cfg, vb, sizeof(vb));
    } else if (a->cfg.send_window_ns != b->cfg.send_window_ns) {
        what = "send_window_s";
        snprintf(va, sizeof(va), "%g", (double)a->cfg.send_window_ns / 1e9);
        snprintf(vb, sizeof(vb), "%g", (double)b->cfg.send_window_ns / 1e9);
    }
    if (what == NULL)
        return same_scenarios(a, b, err, errlen) != 0 || same_flows(a, b, err, errlen) != 0 ? -1
                                                                                            : 0;
    snprintf(err, errlen, "%s: settings.%s is %s, but %s has %s: these results do not merge",
             b->source, what, vb, a->source, va);
    return -1;
}

/* Segments of one split schedule: the same N, each I once. */
static int same_split(const sl_resultfile_t *in, int n, char *err, size_t errlen)
{
    for (int f = 0; f < n; f++) {
        if ((in[f].cfg.nsegments > 0) != (in[0].cfg.nsegments > 0) ||
            in[f].cfg.nsegments != in[0].cfg.nsegments) {
            snprintf(err, errlen,
                     "%s is segment %d/%d, but %s is %s%d/%d: these results do not merge",
                     in[f].source, in[f].cfg.segment, in[f].cfg.nsegments, in[0].source,
                     in[0].cfg.nsegments ? "segment " : "not segmented, ", in[0].cfg.segment,
                     in[0].cfg.nsegments);
            return -1;
        }
        for (int g = 0; g < f && in[f].cfg.nsegments > 0; g++)
            if (in[g].cfg.segment == in[f].cfg.segment) {
                snprintf(err, errlen, "%s and %s are both segment %d/%d: each segment once",
                         in[g].source, in[f].source, in[f].cfg.segment, in[f].cfg.nsegments);
                return -1;
            }
    }
    return 0;
}

int sl_merge_check(const sl_resultfile_t *in, int n, char *err, size_t errlen)
{
    for (int f = 1; f < n; f++)
        if (same_settings(&in[0], &in[f], err, errlen) != 0)
            return -1;
    return same_split(in, n, err, errlen) != 0 || sl_resultcheck_distinct(in, n, err, errlen) != 0
               ? -1
               : 0;
}

int sl_merge_check_flow_thresholds(const sl_threshold_set_t *checks, const sl_resultfile_t *r,
                                   char *err, size_t errlen)
{
    const char *names[SL_FLOW_MAX];
    int n = r->cfg.flows != NULL ? r->cfg.flows->n : 0;
    for (int i = 0; i < n; i++)
        names[i] = r->cfg.flows->f[i].name;
    return sl_threshold_check_flows(checks, names, n, err, errlen);
}
