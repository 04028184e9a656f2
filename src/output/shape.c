/*
 * shape: a stage's seconds are the run's seconds that start inside it, so that a stage of
 * whole seconds counts exactly what was due and sent in it.
 */
#include "output/shape.h"

#include <math.h>
#include <string.h>

#include "core/duration.h"
#include "core/load.h"
#include "output/ops_report.h"
#include "output/results.h"
#include "core/scenario.h"
#include "core/scenario_flows.h"
#include "core/scenario_users.h"

int sl_shape_shaped(const sl_config_t *cfg)
{
    return cfg->nstages > 0 || cfg->ramp || cfg->has_think || cfg->scenarios != NULL ||
           (!cfg->closed && cfg->arrival == SL_ARRIVAL_POISSON);
}

static void print_seconds(FILE *out, uint64_t ns)
{
    double s = (double)ns / 1e9;
    fprintf(out, s == floor(s) ? "%.0f s" : "%.3f s", s);
}

/* The stages of an open-model profile: "100 req/s for 2 s, then 100 -> 0 req/s over 1 s"
 * (` unit` is " req/s" or " flow starts/s"). */
static void print_profile(FILE *out, const sl_profile_t *p, const char *unit)
{
    for (int i = 0; i < p->nstages; i++) {
        double from = p->from[i], to = p->stages[i].target;
        if (i > 0)
            fprintf(out, ", then ");
        if (to == from)
            fprintf(out, "%g%s for ", to, unit);
        else
            fprintf(out, "%g -> %g%s over ", from, to, unit);
        print_seconds(out, p->stages[i].duration_ns);
    }
}

/* A scenario's flows and single operations in a run with flows: "; flows order; operations
 * Ping" (with their weights when they differ). */
static void print_flow_mix(FILE *out, const sl_config_t *cfg, const sl_scenario_t *sc)
{
    const sl_flows_t *fs = cfg->flows;
    int equal = 1;
    for (int f = 0; f < fs->n; f++)
        equal &= sc->flow_weights[f] == 0 || sc->flow_weights[f] == 1;
    for (int single = 0; single < 2; single++) {
        int listed = 0;
        for (int f = 0; f < fs->n; f++) {
            if (sc->flow_weights[f] <= 0 || fs->f[f].single != single)
                continue;
            fprintf(out, "%s%s",
                    listed++ ? ", "
                    : single ? "; operations "
                             : "; flows ",
                    fs->f[f].name);
            if (!equal)
                fprintf(out, " %g", sc->flow_weights[f]);
        }
    }
}

/* The unit of the scenarios' summed rate: flow starts, requests, or both. */
static const char *scenarios_unit(const sl_config_t *cfg)
{
    int starts = 0, ss_n = cfg->scenarios->n;
    for (int i = 0; i < ss_n; i++)
        starts += sl_scenario_flows_starts(cfg, &cfg->scenarios->s[i]);
    return starts == 0 ? "req/s" : starts == ss_n ? "flow starts/s" : "flow starts and req/s";
}

/* A think time: "100ms", "uniform from 10ms to 20ms"... */
static void print_think(FILE *out, const sl_delay_t *d)
{
    char a[32], b[32];
    sl_duration_format_us(d->a_ms * 1e3, a, sizeof(a));
    sl_duration_format_us(d->b_ms * 1e3, b, sizeof(b));
    switch (d->kind) {
    case SL_DELAY_FIXED:
        fprintf(out, "%s", a);
        break;
    case SL_DELAY_UNIFORM:
        fprintf(out, "uniform from %s to %s", a, b);
        break;
    case SL_DELAY_EXP:
        fprintf(out, "exponential, mean %s", a);
        break;
    case SL_DELAY_NORMAL:
        fprintf(out, "normal, mean %s, sd %s", a, b);
        break;
    }
}

/* "; operations A, B" (with their weights when they differ). */
static void print_scenario_ops(FILE *out, const sl_config_t *cfg, const sl_scenario_t *sc)
{
    int equal = 1, listed = 0;
    for (int k = 0; k < cfg->nops; k++)
        equal &= sc->weights[k] == 0 || sc->weights[k] == 1;
    for (int k = 0; k < cfg->nops; k++) {
        if (sc->weights[k] <= 0)
            continue;
        fprintf(out, "%s%s", listed++ ? ", " : "; operations ", cfg->op_names[k]);
        if (!equal)
            fprintf(out, " %g", sc->weights[k]);
    }
}

/* The closed model's scenarios: one line per scenario, its start, users (or their stages),
 * think time and operations. */
static void print_user_scenarios(FILE *out, const sl_config_t *cfg)
{
    const sl_scenarios_t *ss = cfg->scenarios;
    long most = 0;
    for (int i = 0; i < ss->n; i++)
        most += sl_scenario_users_max(&ss->s[i]);
    fprintf(out,
            "Model           closed, %d scenario%s: %ld virtual users at most, for %.2f s in all\n",
            ss->n, ss->n == 1 ? "" : "s", most, (double)cfg->duration_ns / 1e9);
    for (int i = 0; i < ss->n; i++) {
        const sl_scenario_t *sc = &ss->s[i];
        fprintf(out, "  %-13s ", sc->name);
        if (sc->start_ns > 0) {
            fprintf(out, "from ");
            print_seconds(out, sc->start_ns);
            fprintf(out, ": ");
        }
        if (sc->nstages == 0) {
            fprintf(out, "%d virtual user%s for ", sc->connections,
                    sc->connections == 1 ? "" : "s");
            print_seconds(out, sc->duration_ns);
        }
        for (int k = 0; k < sc->nstages; k++) {
            double from = k > 0 ? sc->stages[k - 1].target : 0, to = sc->stages[k].target;
            fprintf(out, "%s", k > 0 ? ", then " : "");
            if (to == from)
                fprintf(out, "%g virtual users for ", to);
            else
                fprintf(out, "%g -> %g virtual users over ", from, to);
            print_seconds(out, sc->stages[k].duration_ns);
        }
        if (sc->has_think) {
            fprintf(out, ", think ");
            print_think(out, &sc->think);
        }
        if (cfg->flows != NULL) /* its users run flows in a loop */
            print_flow_mix(out, cfg, sc);
        else
            print_scenario_ops(out, cfg, sc);
        fprintf(out, "\n");
    }
}

/* One line per scenario: its name, start, shape, arrivals and operations (or flows). */
static void print_scenarios(FILE *out, const sl_config_t *cfg)
{
    const sl_scenarios_t *ss = cfg->scenarios;
    fprintf(out, "Model           open, %d scenario%s: %.1f %s mean for %.2f s in all\n", ss->n,
            ss->n == 1 ? "" : "s", sl_load_mean_rate(cfg), scenarios_unit(cfg),
            (double)cfg->duration_ns / 1e9);
    for (int i = 0; i < ss->n; i++) {
        const sl_scenario_t *sc = &ss->s[i];
        sl_profile_t p;
        if (sl_scenario_profile(sc, &p, NULL, 0) != 0)
            continue;
        fprintf(out, "  %-13s ", sc->name);
        if (sc->start_ns > 0) {
            fprintf(out, "from ");
            print_seconds(out, sc->start_ns);
            fprintf(out, ": ");
        }
        print_profile(out, &p, sl_scenario_flows_starts(cfg, sc) ? " flow starts/s" : " req/s");
        if (sc->arrival == SL_ARRIVAL_POISSON)
            fprintf(out, ", poisson");
        if (sc->burst > 1)
            fprintf(out, ", bursts of %d", sc->burst);
        if (cfg->flows != NULL) {
            print_flow_mix(out, cfg, sc);
            fprintf(out, "\n");
            continue;
        }
        print_scenario_ops(out, cfg, sc);
        fprintf(out, "\n");
    }
    for (int i = 0; i < ss->n; i++)
        if (ss->s[i].arrival == SL_ARRIVAL_POISSON) {
            fprintf(out,
                    "Arrivals        poisson ones drawn from seed %llu (the same schedule per "
                    "seed)\n",
                    (unsigned long long)cfg->seed);
            break;
        }
}

/* With flows: the flows of soapload.flows a scenario starts (its single operations are in its
 * "operations", as every step of its flows). */
static void flows_json(FILE *out, const sl_config_t *cfg, const sl_scenario_t *sc)
{
    if (cfg->flows == NULL)
        return;
    fprintf(out, ", \"flows\": {");
    for (int f = 0, listed = 0; f < cfg->flows->n; f++) {
        if (sc->flow_weights[f] <= 0 || cfg->flows->f[f].single)
            continue;
        fprintf(out, "%s", listed++ ? ", " : "");
        sl_json_string(out, cfg->flows->f[f].name);
        fprintf(out, ": %g", sc->flow_weights[f]);
    }
    fprintf(out, "}");
}

/* A closed-model scenario's users, as its stages from stages_from (constant users: one stage
 * holding them), and its think time. */
static void user_scenario_json(FILE *out, const sl_scenario_t *sc)
{
    int constant = sc->nstages == 0;
    fprintf(out, ", \"start_s\": %.6f, \"users\": %d, \"stages_from\": %d, \"stages\": [",
            (double)sc->start_ns / 1e9, sl_scenario_users_max(sc), constant ? sc->connections : 0);
    if (constant)
        fprintf(out, "{\"duration_s\": %.6f, \"users\": %d}", (double)sc->duration_ns / 1e9,
                sc->connections);
    for (int k = 0; k < sc->nstages; k++)
        fprintf(out, "%s{\"duration_s\": %.6f, \"users\": %.0f}", k ? ", " : "",
                (double)sc->stages[k].duration_ns / 1e9, sc->stages[k].target);
    fprintf(out, "]");
    if (sc->has_think)
        fprintf(out, ", \"think\": {\"kind\": \"%s\", \"a_ms\": %.3f, \"b_ms\": %.3f}",
                sc->think.kind == SL_DELAY_FIXED     ? "fixed"
                : sc->think.kind == SL_DELAY_UNIFORM ? "uniform"
                : sc->think.kind == SL_DELAY_EXP     ? "exp"
                                                     : "normal",
                sc->think.a_ms, sc->think.b_ms);
}

/* An open-model scenario's schedule: start, arrivals, bursts and its profile's stages. */
static void open_scenario_json(FILE *out, const sl_scenario_t *sc, const sl_profile_t *p)
{
    fprintf(out,
            ", \"start_s\": %.6f, \"arrival\": \"%s\", \"burst\": %d, \"stages_from\": %.3f, "
            "\"stages\": [",
            (double)sc->start_ns / 1e9, sc->arrival == SL_ARRIVAL_POISSON ? "poisson" : "uniform",
            sc->burst, p->start_rate);
    for (int k = 0; k < p->nstages; k++)
        fprintf(out, "%s{\"duration_s\": %.6f, \"target\": %.3f}", k ? ", " : "",
                (double)p->stages[k].duration_ns / 1e9, p->stages[k].target);
    fprintf(out, "]");
}

void sl_shape_scenarios_json(FILE *out, const sl_config_t *cfg)
{
    const sl_scenarios_t *ss = cfg->scenarios;
    if (ss == NULL)
        return;
    fprintf(out, ", \"scenarios\": [");
    for (int i = 0; i < ss->n; i++) {
        const sl_scenario_t *sc = &ss->s[i];
        sl_profile_t p;
        if (!sc->closed && sl_scenario_profile(sc, &p, NULL, 0) != 0)
            continue;
        fprintf(out, "%s{\"name\": ", i ? ", " : "");
        sl_json_string(out, sc->name);
        if (sc->closed)
            user_scenario_json(out, sc);
        else
            open_scenario_json(out, sc, &p);
        fprintf(out, ", \"operations\": {");
        for (int k = 0, listed = 0; k < cfg->nops; k++) {
            if (sc->weights[k] <= 0)
                continue;
            fprintf(out, "%s", listed++ ? ", " : "");
            sl_json_string(out, cfg->op_names[k]);
            fprintf(out, ": %g", sc->weights[k]);
        }
        fprintf(out, "}");
        flows_json(out, cfg, sc);
        fprintf(out, "}");
    }
    fprintf(out, "]");
}

void sl_shape_print_scenarios(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    const sl_scenarios_t *ss = cfg->scenarios;
    if (ss == NULL)
        return;
    sl_counts_t sum = {0};
    int found = 0;
    if (cfg->closed) /* users instead of a schedule: nothing is ever due and not sent */
        fprintf(out, "Scenarios               users  scheduled       sent  before send         ok "
                     "    failed       p50       p90       p99       max\n");
    else
        fprintf(out, "Scenarios           scheduled       sent   not sent  before send         ok "
                     "    failed       p50       p90       p99       max\n");
    for (int i = 0; i < ss->n; i++) {
        const sl_op_stats_t *st = NULL;
        for (int k = 0; k < run->tags.n && st == NULL; k++) {
            const sl_tag_t *e = &run->tags.items[k];
            if (!e->other && strcmp(e->name, SL_SCENARIO_TAG) == 0 &&
                strcmp(e->value, ss->s[i].name) == 0)
                st = e->stats;
        }
        fprintf(out, "  %-16s", ss->s[i].name);
        if (st == NULL) {
            fprintf(out, " (no results: a worker died before it reported them)\n");
            continue;
        }
        const sl_counts_t *c = &st->counts;
        found++;
        sl_counts_add(&sum, c);
        if (cfg->closed)
            fprintf(out, " %10d %10llu %10llu", sl_scenario_users_max(&ss->s[i]),
                    (unsigned long long)c->scheduled, (unsigned long long)c->sent);
        else
            fprintf(out, " %10llu %10llu %10llu", (unsigned long long)c->scheduled,
                    (unsigned long long)c->sent, (unsigned long long)c->not_sent);
        fprintf(
            out, " %12llu %10llu %10llu",
            (unsigned long long)(sl_counts_failed_before_send(c) + c->script_errors_before_send),
            (unsigned long long)sl_counts_succeeded(c), (unsigned long long)sl_counts_failed(c));
        sl_ops_report_latency_cell(out, st->from_due, 50);
        sl_ops_report_latency_cell(out, st->from_due, 90);
        sl_ops_report_latency_cell(out, st->from_due, 99);
        sl_ops_report_latency_cell(out, st->from_due, 100);
        fprintf(out, "\n");
    }
    if (found == ss->n && !run->tags_partial &&
        (sum.scheduled != run->counts.scheduled || sum.sent != run->counts.sent ||
         sum.not_sent != run->counts.not_sent))
        fprintf(out,
                "ACCOUNTING ERROR: the scenarios add up to scheduled %llu, sent %llu, not sent "
                "%llu; the totals are %llu, %llu, %llu\n",
                (unsigned long long)sum.scheduled, (unsigned long long)sum.sent,
                (unsigned long long)sum.not_sent, (unsigned long long)run->counts.scheduled,
                (unsigned long long)run->counts.sent, (unsigned long long)run->counts.not_sent);
}

void sl_shape_print_model(FILE *out, const sl_config_t *cfg)
{
    const char *unit = cfg->closed          ? " connections"
                       : cfg->flows != NULL ? " flow starts/s"
                                            : " req/s";
    if (cfg->scenarios != NULL) {
        if (cfg->closed)
            print_user_scenarios(out, cfg);
        else
            print_scenarios(out, cfg);
        return;
    }
    fprintf(out, "Model           %s: ", cfg->closed ? "closed" : "open");
    if (cfg->nstages == 0 && !cfg->ramp) {
        if (cfg->closed)
            fprintf(out, "%d connections", cfg->connections);
        else
            fprintf(out, "%.1f%s", cfg->rate, unit);
        fprintf(out, " for %.2f s\n", (double)cfg->duration_ns / 1e9);
    } else {
        double from = cfg->closed ? cfg->start_connections : cfg->rate;
        int n = cfg->nstages > 0 ? cfg->nstages : 1;
        if (!cfg->closed && cfg->nstages > 0 && !sl_config_was_set(cfg, SL_OPT_RATE))
            from = 0;
        for (int i = 0; i < n; i++) {
            const sl_config_stage_t *s = cfg->nstages > 0 ? &cfg->stages[i] : NULL;
            double to = s == NULL ? cfg->rate_end : cfg->closed ? s->connections : s->target;
            uint64_t d = s == NULL ? cfg->duration_ns : s->duration_ns;
            if (i > 0)
                fprintf(out, ", then ");
            if (to == from)
                fprintf(out, "%g%s for ", to, unit);
            else
                fprintf(out, "%g -> %g%s over ", from, to, unit);
            print_seconds(out, d);
            from = to;
        }
        fprintf(out, " (%.2f s", (double)cfg->duration_ns / 1e9);
        if (!cfg->closed)
            fprintf(out, ", mean %.1f%s", sl_load_mean_rate(cfg), unit);
        fprintf(out, ")\n");
    }
    if (!cfg->closed && cfg->arrival == SL_ARRIVAL_POISSON)
        fprintf(out, "Arrivals        poisson, drawn from seed %llu (the same schedule per seed)\n",
                (unsigned long long)cfg->seed);
    if (cfg->has_think) {
        fprintf(out, "Think time      ");
        print_think(out, &cfg->think);
        fprintf(out, " between a connection's requests\n");
    }
}

void sl_shape_print_stages(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    sl_profile_t p;
    int open = !cfg->closed && (cfg->nstages > 0 || cfg->ramp);
    if (!open && !(cfg->closed && cfg->nstages > 0))
        return;
    if (open && sl_load_profile(cfg, &p, NULL, 0) != 0)
        return;
    fprintf(out, "Stages          stage  seconds        %s  scheduled       sent\n",
            open ? "    target" : "     conns");
    int n = cfg->nstages > 0 ? cfg->nstages : 1;
    uint64_t at = 0;
    for (int i = 0; i < n; i++) {
        uint64_t d = cfg->nstages > 0 ? cfg->stages[i].duration_ns : cfg->duration_ns;
        uint64_t first = (at + 999999999ULL) / 1000000000ULL,
                 last = (at + d + 999999999ULL) / 1000000000ULL; /* seconds [first, last) */
        uint64_t scheduled = 0, sent = 0;
        for (size_t s = 0; s < run->nseconds; s++) /* a merge's seconds may have gaps */
            if (run->seconds[s].second >= first && run->seconds[s].second < last) {
                scheduled += run->seconds[s].counts.scheduled;
                sent += run->seconds[s].counts.sent;
            }
        char range[32];
        snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)first,
                 (unsigned long long)last);
        fprintf(out, "                %5d  %-13s ", i + 1, range);
        if (open)
            fprintf(out, "%10.1f",
                    (double)(sl_profile_integral(&p, at + d) - sl_profile_integral(&p, at)));
        else
            fprintf(out, "%10d", cfg->stages[i].connections);
        fprintf(out, "  %9llu  %9llu\n", (unsigned long long)scheduled, (unsigned long long)sent);
        at += d;
    }
}
