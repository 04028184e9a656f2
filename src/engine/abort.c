/*
 * abort: the live evaluation behind --abort-on-fail, fed by the seconds the parent merges for
 * --progress and --metrics. A request counts once it has ended: error_rate divides by the
 * requests that ended, so those still in flight are not taken for failures.
 */
#include "engine/abort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Measurable from the seconds: the whole run's counts and latency from due. */
static int live(const sl_threshold_t *t)
{
    return t->operation[0] == '\0' && t->tag_name[0] == '\0' &&
           strncmp(t->metric, "service_", 8) != 0 && strncmp(t->metric, "lateness_", 9) != 0;
}

static int is_latency(const char *metric)
{
    return strcmp(sl_threshold_base_unit(metric), "us") == 0;
}

static void fire(sl_abort_t *a, const sl_threshold_t *t, int64_t since, uint64_t second)
{
    char measured[64], when[64];
    sl_threshold_format_measured(t, measured, sizeof(measured));
    if ((uint64_t)since == second)
        snprintf(when, sizeof(when), "at %llu s", (unsigned long long)second + 1);
    else
        snprintf(when, sizeof(when), "at each second from %lld s to %llu s", (long long)since + 1,
                 (unsigned long long)second + 1);
    snprintf(a->run->abort_reason, sizeof(a->run->abort_reason),
             "threshold '%s' failed %s (measured %s; --abort-on-fail %llus)", t->text, when,
             measured, (unsigned long long)a->delay_s);
    a->run->abort_requested = 1;
}

static void on_second(const sl_second_t *s, void *data)
{
    sl_abort_t *a = data;
    if (a->next != NULL)
        a->next(s, a->next_data);
    sl_counts_add(&a->counts, &s->counts);
    if (s->hist_enc != NULL)
        sl_hist_decode_add(a->latency, s->hist_enc, s->hist_enc_len);
    if (a->run->abort_requested)
        return;
    sl_counts_t ended = a->counts;
    uint64_t results = 0;
    for (int r = 0; r < SL_R_COUNT; r++)
        results += ended.results[r];
    ended.scheduled = results + ended.not_sent + sl_counts_failed_before_send(&ended) +
                      ended.script_errors_before_send;
    sl_metrics_t m = {.counts = &ended,
                      .latency = a->latency,
                      .service = a->latency, /* not evaluated live: see live() */
                      .lateness = a->latency,
                      .duration_s = (double)(s->second + 1)};
    for (int i = 0; i < a->set.n; i++) {
        sl_threshold_set_t one = {.n = 1};
        one.items[0] = a->set.items[i];
        if (is_latency(one.items[0].metric) && a->latency->total == 0)
            continue; /* no latency yet: no evidence either way */
        sl_threshold_evaluate(&one, &m);
        if (one.items[0].passed) {
            a->failing_since[i] = -1;
            continue;
        }
        if (a->failing_since[i] < 0)
            a->failing_since[i] = (int64_t)s->second;
        if ((int64_t)s->second - a->failing_since[i] >= (int64_t)a->delay_s) {
            fire(a, &one.items[0], a->failing_since[i], s->second);
            return;
        }
    }
}

int sl_abort_init(sl_abort_t *a, const sl_config_t *cfg, const sl_threshold_set_t *checks,
                  char *err, size_t errlen)
{
    memset(a, 0, sizeof(*a));
    if (!cfg->abort_on_fail)
        return 0;
    a->delay_s = cfg->abort_after_ns / 1000000000ULL;
    for (int i = 0; i < checks->n; i++)
        if (live(&checks->items[i])) {
            a->failing_since[a->set.n] = -1;
            a->set.items[a->set.n++] = checks->items[i];
        }
    if (a->set.n == 0) {
        snprintf(err, errlen,
                 "--abort-on-fail: no threshold can be evaluated during the run (those of "
                 "service_, lateness_, an operation or a tag are evaluated at the end only)");
        return -1;
    }
    if ((a->latency = calloc(1, sizeof(*a->latency))) == NULL) { /* reset reads lo..hi */
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sl_hist_reset(a->latency);
    return 0;
}

void sl_abort_attach(sl_abort_t *a, sl_run_t *run)
{
    if (a->latency == NULL)
        return;
    a->run = run;
    a->next = run->on_second;
    a->next_data = run->on_second_data;
    run->on_second = on_second;
    run->on_second_data = a;
}

void sl_abort_free(sl_abort_t *a)
{
    free(a->latency);
    a->latency = NULL;
}
