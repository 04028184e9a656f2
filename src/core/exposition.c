/*
 * exposition: the text a Prometheus server scrapes, made from one view of a run: counters,
 * gauges and the latency histograms cut into fixed cumulative buckets from the exact ones.
 */
#include "core/exposition.h"

#include <string.h>

#include "core/scenario.h" /* SL_SCENARIO_TAG */

/* The latency and service buckets' upper bounds (le), in seconds and in microseconds. */
static const char *const bucket_le[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01",
                                        "0.025",  "0.05",  "0.1",    "0.25",  "0.5",
                                        "1.0",    "2.5",   "5.0",    "10.0"};
static const uint64_t bucket_us[] = {500,    1000,   2500,   5000,    10000,   25000,   50000,
                                     100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

/* A counter's family: OpenMetrics names it without "_total", its sample with. */
static void family(FILE *out, const char *name, const char *type, const char *help, int om)
{
    size_t len = strlen(name);
    int strip =
        om && strcmp(type, "counter") == 0 && len > 6 && strcmp(name + len - 6, "_total") == 0;
    fprintf(out, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)(strip ? len - 6 : len), name, help,
            (int)(strip ? len - 6 : len), name, type);
}

static void counter(FILE *out, const char *name, const char *help, const char *seg, uint64_t v,
                    int om)
{
    family(out, name, "counter", help, om);
    fprintf(out, "%s{segment=\"%s\"} %llu\n", name, seg, (unsigned long long)v);
}

static void gauge(FILE *out, const char *name, const char *help, const char *seg, double v, int om)
{
    family(out, name, "gauge", help, om);
    fprintf(out, "%s{segment=\"%s\"} %.10g\n", name, seg, v);
}

/* A label's value as the text format wants it: '\\', '"' and newlines escaped. */
static void label_value(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fprintf(out, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
}

/* One series' labels after segment: `,NAME="VALUE"` for each pair given (NULL name: none). */
typedef struct {
    const char *name[2], *value[2];
} labels_t;

static void labels(FILE *out, const char *seg, const labels_t *l)
{
    fprintf(out, "{segment=\"%s\"", seg);
    for (int i = 0; i < 2 && l->name[i] != NULL; i++) {
        fprintf(out, ",%s=\"", l->name[i]);
        label_value(out, l->value[i]);
        fputc('"', out);
    }
}

/* Cumulative buckets from the exact histogram: a sample counts under le when the whole of its
 * histogram bucket (3 significant digits) lies at or below le. */
static void hist_samples(FILE *out, const char *name, const char *seg, const labels_t *l,
                         const sl_hist_t *h)
{
    uint64_t per[NBUCKETS] = {0};
    for (uint32_t i = h->lo; h->total > 0 && i <= h->hi; i++) {
        if (h->counts[i] == 0)
            continue;
        uint64_t top = sl_hist_highest_equivalent(i);
        for (size_t b = 0; b < NBUCKETS; b++) {
            if (top <= bucket_us[b]) {
                per[b] += h->counts[i];
                break;
            }
        }
    }
    uint64_t cum = 0;
    for (size_t b = 0; b <= NBUCKETS; b++) {
        cum += b < NBUCKETS ? per[b] : 0;
        fprintf(out, "%s_bucket", name);
        labels(out, seg, l);
        fprintf(out, ",le=\"%s\"} %llu\n", b < NBUCKETS ? bucket_le[b] : "+Inf",
                (unsigned long long)(b < NBUCKETS ? cum : h->total));
    }
    fprintf(out, "%s_sum", name);
    labels(out, seg, l);
    fprintf(out, "} %.9f\n%s_count", sl_hist_mean(h) * (double)h->total / 1e6, name);
    labels(out, seg, l);
    fprintf(out, "} %llu\n", (unsigned long long)h->total);
}

static void hist_family(FILE *out, const char *name, const char *help, int om)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    if (om)
        fprintf(out, "# UNIT %s seconds\n", name);
}

/* Requests by outcome of one scope: every outcome of a sent request for the totals, the ones
 * that happened (and ok) for a breakdown, so that 64 tag values stay a few hundred lines. */
static void request_samples(FILE *out, const char *name, const char *seg, const labels_t *l,
                            const sl_counts_t *c, int all)
{
    for (int r = 0; r < SL_R_COUNT; r++) {
        if (!all && c->results[r] == 0 && r != SL_R_OK)
            continue;
        fprintf(out, "%s", name);
        labels(out, seg, l);
        fprintf(out, ",outcome=\"%s\",stage=\"sent\"} %llu\n", sl_result_name((sl_result_t)r),
                (unsigned long long)c->results[r]);
    }
    for (int r = 0; r < SL_R_COUNT; r++) {
        uint64_t n =
            c->before_send[r] + (r == SL_R_SCRIPT_ERROR ? c->script_errors_before_send : 0);
        if (n > 0 || (all && (r == SL_R_CONNECT || r == SL_R_TIMEOUT))) {
            fprintf(out, "%s", name);
            labels(out, seg, l);
            fprintf(out, ",outcome=\"%s\",stage=\"before_send\"} %llu\n",
                    sl_result_name((sl_result_t)r), (unsigned long long)n);
        }
    }
}

/* Whether tag entry e belongs to the scenario families (1) or the tag ones (0). */
static int is_scenario(const sl_tag_t *e)
{
    return !e->other && strcmp(e->name, SL_SCENARIO_TAG) == 0;
}

/* The soapload_scenario_* or soapload_tag_* families: requests by outcome and latency. */
static void tag_families(FILE *out, const sl_exposition_t *v, int scenarios, int om)
{
    const sl_tags_t *t = v->tags;
    const char *what = scenarios ? "scenario" : "tag";
    char name[64], help[160];
    int any = 0;
    for (int i = 0; t != NULL && i < t->n; i++)
        any |= is_scenario(&t->items[i]) == scenarios;
    if (!any)
        return;
    snprintf(name, sizeof(name), "soapload_%s_requests_total", what);
    snprintf(help, sizeof(help),
             "Requests of each %s by how they ended, as soapload_requests_total.",
             scenarios ? "scenario" : "tag value (name tag, value tag_value; other: the fold)");
    family(out, name, "counter", help, om);
    for (int i = 0; i < t->n; i++) {
        const sl_tag_t *e = &t->items[i];
        labels_t l = scenarios ? (labels_t){{"scenario", NULL}, {e->value, NULL}}
                               : (labels_t){{"tag", "tag_value"}, {e->name, e->value}};
        if (is_scenario(e) == scenarios)
            request_samples(out, name, v->segment, &l, &e->stats->counts, 0);
    }
    snprintf(name, sizeof(name), "soapload_%s_latency_seconds", what);
    snprintf(help, sizeof(help), "Latency from due time of each %s's requests.",
             scenarios ? "scenario" : "tag value");
    hist_family(out, name, help, om);
    for (int i = 0; i < t->n; i++) {
        const sl_tag_t *e = &t->items[i];
        labels_t l = scenarios ? (labels_t){{"scenario", NULL}, {e->value, NULL}}
                               : (labels_t){{"tag", "tag_value"}, {e->name, e->value}};
        if (is_scenario(e) == scenarios)
            hist_samples(out, name, v->segment, &l, e->stats->from_due);
    }
}

/* Flow i's counts: the final results once the run is over, else the live ones. */
static sl_flow_live_t flow_counts(const sl_exposition_t *v, int i)
{
    if (v->flows == NULL)
        return v->flows_live[i];
    const sl_flow_stats_t *f = &v->flows[i];
    return (sl_flow_live_t){f->scheduled, f->completed, f->failed, f->interrupted, f->not_started};
}

/* soapload.flows: each flow by how it ended and how many are under way, as the run goes on;
 * their durations once it is over (the workers report those at their end). */
static void flows(FILE *out, const sl_exposition_t *v, int om)
{
    const char *seg = v->segment;
    family(out, "soapload_flows_total", "counter",
           "Flows by how they ended: scheduled = completed + failed + interrupted + "
           "not_started + in progress.",
           om);
    for (int i = 0; i < v->nflows; i++) {
        sl_flow_live_t f = flow_counts(v, i);
        const char *const outcomes[] = {"completed", "failed", "interrupted", "not_started"};
        const uint64_t n[] = {f.completed, f.failed, f.interrupted, f.not_started};
        for (int k = 0; k < 4; k++) {
            labels_t l = {{"flow", "outcome"}, {v->flow_defs->f[i].name, outcomes[k]}};
            fputs("soapload_flows_total", out);
            labels(out, seg, &l);
            fprintf(out, "} %llu\n", (unsigned long long)n[k]);
        }
    }
    family(out, "soapload_flows_in_progress", "gauge", "Flows started and not yet ended.", om);
    for (int i = 0; i < v->nflows; i++) {
        sl_flow_live_t f = flow_counts(v, i);
        uint64_t ended = f.completed + f.failed + f.interrupted + f.not_started;
        labels_t l = {{"flow", NULL}, {v->flow_defs->f[i].name, NULL}};
        fputs("soapload_flows_in_progress", out);
        labels(out, seg, &l);
        fprintf(out, "} %llu\n",
                (unsigned long long)(f.scheduled > ended ? f.scheduled - ended : 0));
    }
    if (v->flows == NULL)
        return;
    hist_family(out, "soapload_flow_duration_seconds",
                "Duration of each completed flow, from its first step's due time to its last "
                "answer (once the run is over: the workers report durations at their end).",
                om);
    for (int i = 0; i < v->nflows; i++) {
        labels_t l = {{"flow", NULL}, {v->flow_defs->f[i].name, NULL}};
        hist_samples(out, "soapload_flow_duration_seconds", seg, &l, v->flows[i].duration);
    }
}

int sl_exposition_write(FILE *out, const sl_exposition_t *v, int om)
{
    const sl_counts_t *c = v->counts;
    const char *seg = v->segment;
    const labels_t all = {{"operation", NULL}, {"all", NULL}};
    family(out, "soapload_requests_total", "counter",
           "Requests by how they ended: stage=\"sent\" for those written to a socket, "
           "\"before_send\" for those that failed before any byte was written.",
           om);
    request_samples(out, "soapload_requests_total", seg, &all, c, 1);
    for (int i = 0; i < v->nops; i++) {
        labels_t op = {{"operation", NULL}, {v->op_names[i], NULL}};
        request_samples(out, "soapload_requests_total", seg, &op, &v->ops[i].counts, 0);
    }
    counter(out, "soapload_scheduled_total",
            "Requests taken from the schedule so far; those due and never taken join, as not "
            "sent, when sending ends.",
            seg, c->scheduled, om);
    counter(out, "soapload_sent_total", "Requests written to a socket.", seg, c->sent, om);
    counter(out, "soapload_not_sent_total",
            "Requests due but never sent: the client fell behind its schedule.", seg, c->not_sent,
            om);
    gauge(out, "soapload_in_flight", "Requests handed to a connection and not yet ended.", seg,
          (double)v->in_flight, om);
    if (v->has_target)
        gauge(out, "soapload_target_rate", "The schedule's rate, requests per second.", seg,
              v->target_rate, om);
    gauge(out, "soapload_achieved_rate",
          "Requests sent in the last complete second; once the run is over, its whole rate.", seg,
          v->achieved_rate, om);
    gauge(out, "soapload_finished", "1 once the run is over and these are its final numbers.", seg,
          v->finished, om);
    static const char *const hname[2] = {"soapload_latency_seconds", "soapload_service_seconds"};
    static const char *const hhelp[2] = {
        "Latency from each request's due time to its complete response.",
        "Service time from the first byte written to the complete response."};
    for (int k = 0; k < 2; k++) {
        hist_family(out, hname[k], hhelp[k], om);
        hist_samples(out, hname[k], seg, &all, k == 0 ? v->latency : v->service);
        for (int i = 0; i < v->nops; i++) {
            labels_t op = {{"operation", NULL}, {v->op_names[i], NULL}};
            hist_samples(out, hname[k], seg, &op, k == 0 ? v->ops[i].from_due : v->ops[i].service);
        }
    }
    tag_families(out, v, 1, om);
    tag_families(out, v, 0, om);
    if (v->nflows > 0)
        flows(out, v, om);
    if (om)
        fputs("# EOF\n", out);
    return ferror(out) ? -1 : 0;
}
