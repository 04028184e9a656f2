/*
 * exposition: the text a Prometheus server scrapes, made from one view of a run: counters,
 * gauges and the latency histograms cut into fixed cumulative buckets from the exact ones.
 */
#include "core/exposition.h"

#include <string.h>

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

/* A histogram family's header. */
static void histogram_family(FILE *out, const char *name, const char *help, int om)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    if (om)
        fprintf(out, "# UNIT %s seconds\n", name);
}

/* One series of cumulative buckets from the exact histogram, labelled segment and key=value: a
 * sample counts under le when the whole of its histogram bucket (3 significant digits) lies
 * at or below le. */
static void histogram_series(FILE *out, const char *name, const char *seg, const char *key,
                             const char *value, const sl_hist_t *h)
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
    for (size_t b = 0; b < NBUCKETS; b++) {
        cum += per[b];
        fprintf(out, "%s_bucket{segment=\"%s\",%s=\"%s\",le=\"%s\"} %llu\n", name, seg, key, value,
                bucket_le[b], (unsigned long long)cum);
    }
    fprintf(out, "%s_bucket{segment=\"%s\",%s=\"%s\",le=\"+Inf\"} %llu\n", name, seg, key, value,
            (unsigned long long)h->total);
    fprintf(out, "%s_sum{segment=\"%s\",%s=\"%s\"} %.9f\n", name, seg, key, value,
            sl_hist_mean(h) * (double)h->total / 1e6);
    fprintf(out, "%s_count{segment=\"%s\",%s=\"%s\"} %llu\n", name, seg, key, value,
            (unsigned long long)h->total);
}

static void histogram(FILE *out, const char *name, const char *help, const char *seg,
                      const sl_hist_t *h, int om)
{
    histogram_family(out, name, help, om);
    histogram_series(out, name, seg, "operation", "all", h);
}

/* soapload.flows: each flow by how it ended, and its duration (flow names need no escaping:
 * letters, digits, '_', '-', '.'). */
static void flows(FILE *out, const sl_exposition_t *v, int om)
{
    const char *seg = v->segment;
    family(out, "soapload_flows_total", "counter",
           "Flows by how they ended: scheduled = completed + failed + interrupted + "
           "not_started (the workers report them at their end: once the run is over).",
           om);
    for (int i = 0; i < v->nflows; i++) {
        const sl_flow_stats_t *f = &v->flows[i];
        const char *const outcomes[] = {"completed", "failed", "interrupted", "not_started"};
        const uint64_t n[] = {f->completed, f->failed, f->interrupted, f->not_started};
        for (int k = 0; k < 4; k++)
            fprintf(out, "soapload_flows_total{segment=\"%s\",flow=\"%s\",outcome=\"%s\"} %llu\n",
                    seg, v->flow_defs->f[i].name, outcomes[k], (unsigned long long)n[k]);
    }
    histogram_family(out, "soapload_flow_duration_seconds",
                     "Duration of each completed flow, from its first step's due time to its last "
                     "answer.",
                     om);
    for (int i = 0; i < v->nflows; i++)
        histogram_series(out, "soapload_flow_duration_seconds", seg, "flow",
                         v->flow_defs->f[i].name, v->flows[i].duration);
}

int sl_exposition_write(FILE *out, const sl_exposition_t *v, int om)
{
    const sl_counts_t *c = v->counts;
    const char *seg = v->segment;
    family(out, "soapload_requests_total", "counter",
           "Requests by how they ended: stage=\"sent\" for those written to a socket, "
           "\"before_send\" for those that failed before any byte was written.",
           om);
    for (int r = 0; r < SL_R_COUNT; r++)
        fprintf(out,
                "soapload_requests_total{segment=\"%s\",operation=\"all\",outcome=\"%s\","
                "stage=\"sent\"} %llu\n",
                seg, sl_result_name((sl_result_t)r), (unsigned long long)c->results[r]);
    for (int r = 0; r < SL_R_COUNT; r++) {
        uint64_t n =
            c->before_send[r] + (r == SL_R_SCRIPT_ERROR ? c->script_errors_before_send : 0);
        if (n > 0 || r == SL_R_CONNECT || r == SL_R_TIMEOUT)
            fprintf(out,
                    "soapload_requests_total{segment=\"%s\",operation=\"all\",outcome=\"%s\","
                    "stage=\"before_send\"} %llu\n",
                    seg, sl_result_name((sl_result_t)r), (unsigned long long)n);
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
    histogram(out, "soapload_latency_seconds",
              "Latency from each request's due time to its complete response.", seg, v->latency,
              om);
    histogram(out, "soapload_service_seconds",
              "Service time from the first byte written to the complete response.", seg, v->service,
              om);
    if (v->nflows > 0)
        flows(out, v, om);
    if (om)
        fputs("# EOF\n", out);
    return ferror(out) ? -1 : 0;
}
