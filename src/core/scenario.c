/*
 * scenario: the summed profile (for the per-second targets) has a stage between every two
 * instants at which some scenario's rate changes, so each scenario is linear inside each stage
 * and so is their sum.
 */
#include "core/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/scenario_flows.h"
#include "core/scenario_users.h"

const char *const sl_scenario_keys[] = {"rate",        "duration", "stages",     "start_after",
                                        "arrival",     "burst",    "operations", "flows",
                                        "connections", "think",    NULL};

int sl_scenario_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > SL_SCENARIO_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

int sl_scenario_profile(const sl_scenario_t *sc, sl_profile_t *p, char *err, size_t errlen)
{
    if (sc->closed) {
        if (err != NULL)
            snprintf(err, errlen, "a closed-model scenario has users, not a schedule");
        return -1;
    }
    if (sc->nstages > 0)
        return sl_profile_init(p, 0, sc->stages, sc->nstages, err, errlen);
    sl_stage_t one = {sc->duration_ns, sc->rate};
    return sl_profile_init(p, sc->rate, &one, 1, err, errlen);
}

uint64_t sl_scenario_length(const sl_scenario_t *sc)
{
    sl_profile_t p;
    if (sc->closed)
        return sl_scenario_users_length(sc);
    return sl_scenario_profile(sc, &p, NULL, 0) == 0 ? sl_profile_duration(&p) : 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const sl_scenario_t *)a)->name, ((const sl_scenario_t *)b)->name);
}

/* What a scenario beside the run's own shape contradicts, or NULL. */
static const char *top_level_conflict(const sl_config_t *cfg)
{
    const sl_optset_t *flag = &cfg->given, *script = &cfg->scripted;
    if (sl_optset_has(flag, SL_OPT_RATE))
        return "--rate (-R) sets the one schedule of a run without scenarios: give each "
               "scenario its rate instead";
    if (cfg->closed && sl_config_was_set(cfg, SL_OPT_CONNECTIONS))
        return sl_optset_has(flag, SL_OPT_CONNECTIONS)
                   ? "--connections (-c) in the closed model: give each scenario its virtual "
                     "users (connections = N)"
                   : "soapload.connections in the closed model: give each scenario its virtual "
                     "users (connections = N)";
    if (sl_optset_has(script, SL_OPT_RATE))
        return "soapload.rate: give each scenario its own rate";
    if (cfg->nstages > 0)
        return "soapload.stages: give each scenario its own stages";
    if (cfg->has_think && !cfg->closed)
        return "think time: open-model scenarios are schedules, which have none (--closed or "
               "soapload.model = \"closed\" runs every scenario with virtual users)";
    return NULL;
}

/* Checks an open-model scenario's load: a rate or stages. */
static int finish_open(const sl_scenario_t *sc, char *err, size_t errlen)
{
    if (!sc->has_rate && sc->nstages == 0) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s has no load: give it rate = N (with a duration) or "
                 "stages = {{duration = ..., target = ...}, ...}",
                 sc->name);
        return -1;
    }
    if (sc->has_rate && sc->nstages > 0) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s has both rate and stages: give one of them (a stage "
                 "holds a rate with {duration = ..., target = N})",
                 sc->name);
        return -1;
    }
    return 0;
}

/* Completes one scenario with the run's defaults and checks it. */
static int finish_one(const sl_config_t *cfg, sl_scenario_t *sc, char *err, size_t errlen)
{
    char why[256];
    if (cfg->closed ? sl_scenario_users_finish(cfg, sc, err, errlen) != 0
                    : finish_open(sc, err, errlen) != 0)
        return -1;
    if (sc->has_duration && sc->nstages > 0) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s has both stages and duration: its stages set its length",
                 sc->name);
        return -1;
    }
    if (!sc->has_duration)
        sc->duration_ns = cfg->duration_ns;
    if (!sc->has_burst)
        sc->burst = cfg->burst;
    if (!sc->has_arrival)
        sc->arrival = cfg->arrival;
    if (!sc->has_operations)
        for (int i = 0; i < cfg->nops; i++)
            sc->weights[i] = cfg->op_weights[i];
    if (sc->has_operations && cfg->nops == 0) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s names operations, but the script declares no "
                 "soapload.operations",
                 sc->name);
        return -1;
    }
    sl_profile_t p;
    if (!sc->closed && sl_scenario_profile(sc, &p, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "soapload.scenarios.%s: %s", sc->name, why);
        return -1;
    }
    if (sc->start_ns > UINT64_MAX / 4 || sl_scenario_length(sc) > UINT64_MAX / 4) {
        snprintf(err, errlen, "soapload.scenarios.%s lasts too long", sc->name);
        return -1;
    }
    if (cfg->flows != NULL && sl_scenario_flows_finish(cfg, sc, err, errlen) != 0)
        return -1;
    if (cfg->nops > 0) {
        if (sl_mix_check(sc->weights, cfg->nops, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "soapload.scenarios.%s.operations: %s", sc->name, why);
            return -1;
        }
    }
    return 0;
}

int sl_scenarios_finish(sl_config_t *cfg, sl_scenarios_t *ss, char *err, size_t errlen)
{
    const char *conflict = top_level_conflict(cfg);
    if (conflict != NULL) {
        snprintf(err, errlen, "soapload.scenarios takes no %s", conflict);
        return -1;
    }
    if (ss->n == 0) {
        snprintf(err, errlen,
                 "soapload.scenarios is empty: give at least one scenario, as "
                 "{name = {rate = N, ...}}");
        return -1;
    }
    qsort(ss->s, (size_t)ss->n, sizeof(ss->s[0]), by_name);
    int takes_duration = 0;
    for (int i = 0; i < ss->n; i++)
        takes_duration |= (ss->s[i].has_rate || ss->s[i].has_connections) && !ss->s[i].has_duration;
    if (sl_config_was_set(cfg, SL_OPT_DURATION) && !takes_duration) {
        snprintf(err, errlen,
                 "%s is the length of a scenario with a rate and no duration of its own, and "
                 "soapload.scenarios has none (the run lasts until its last scenario ends)",
                 sl_optset_has(&cfg->given, SL_OPT_DURATION) ? "--duration" : "soapload.duration");
        return -1;
    }
    uint64_t end = 0;
    long users = 0;
    for (int i = 0; i < ss->n; i++) {
        if (finish_one(cfg, &ss->s[i], err, errlen) != 0)
            return -1;
        uint64_t e = ss->s[i].start_ns + sl_scenario_length(&ss->s[i]);
        if (e > end)
            end = e;
        users += ss->s[i].closed ? sl_scenario_users_max(&ss->s[i]) : 0;
    }
    sl_profile_t all;
    char why[256];
    if (!cfg->closed && sl_scenarios_profile(ss, &all, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "soapload.scenarios: %s", why);
        return -1;
    }
    if (cfg->closed && (users == 0 || users > SL_MAX_CONNECTIONS)) {
        snprintf(err, errlen,
                 users == 0 ? "soapload.scenarios has no virtual users: every scenario has "
                              "connections = 0"
                            : "soapload.scenarios has %ld virtual users at most together: more "
                              "than %d",
                 users, SL_MAX_CONNECTIONS);
        return -1;
    }
    if (cfg->closed) /* the connections in all: one per user */
        cfg->connections = (int)users;
    cfg->duration_ns = end;
    cfg->scenarios = ss;
    return 0;
}

/* Scenario p's rate at offset t of the run (shifted by its start): from the right at t, or from
 * the left (the limit as the time reaches t) when `left`. 0 outside the scenario. */
static double rate_near(const sl_profile_t *p, uint64_t start, uint64_t t, int left)
{
    if (t < start || (left && t == start))
        return 0;
    uint64_t x = t - start;
    for (int i = 0; i < p->nstages; i++) {
        if (left ? x > p->start_ns[i + 1] : x >= p->start_ns[i + 1])
            continue;
        double r0 = p->from[i], r1 = p->stages[i].target;
        return r0 + (r1 - r0) * (double)(x - p->start_ns[i]) / (double)p->stages[i].duration_ns;
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int sl_scenarios_profile(const sl_scenarios_t *ss, sl_profile_t *p, char *err, size_t errlen)
{
    uint64_t at[SL_MAX_SCENARIOS * (SL_MAX_STAGES + 1) + 1];
    size_t nat = 0;
    int rc = -1;
    if (ss->n > 0 && ss->s[0].closed) {
        snprintf(err, errlen, "closed-model scenarios have users, not rates");
        return -1;
    }
    sl_profile_t *each = malloc(sizeof(*each) * SL_MAX_SCENARIOS);
    if (each == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    at[nat++] = 0;
    for (int i = 0; i < ss->n; i++) {
        if (sl_scenario_profile(&ss->s[i], &each[i], err, errlen) != 0)
            goto cleanup;
        for (int k = 0; k <= each[i].nstages; k++)
            at[nat++] = ss->s[i].start_ns + each[i].start_ns[k];
    }
    qsort(at, nat, sizeof(at[0]), cmp_u64);
    size_t m = 1;
    for (size_t k = 1; k < nat; k++)
        if (at[k] != at[m - 1])
            at[m++] = at[k];
    if (m - 1 > SL_MAX_STAGES) {
        snprintf(err, errlen,
                 "the scenarios' rates change at %zu instants together; at most %d fit one run",
                 m - 1, SL_MAX_STAGES);
        goto cleanup;
    }
    sl_stage_t st[SL_MAX_STAGES];
    double from[SL_MAX_STAGES];
    for (size_t k = 0; k + 1 < m; k++) {
        double r0 = 0, r1 = 0;
        for (int i = 0; i < ss->n; i++) {
            r0 += rate_near(&each[i], ss->s[i].start_ns, at[k], 0);
            r1 += rate_near(&each[i], ss->s[i].start_ns, at[k + 1], 1);
        }
        from[k] = r0;
        st[k] = (sl_stage_t){at[k + 1] - at[k], r1};
    }
    rc = sl_profile_init_steps(p, from, st, (int)(m - 1), err, errlen);
cleanup:
    free(each);
    return rc;
}
