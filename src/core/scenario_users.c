/*
 * scenario_users: a share of n is total / n plus one of the remainder for the n places after
 * an offset (mod n); scenario i's offset is the users of scenarios 0..i-1, so that the
 * remainders of one scenario start where those of the one before ended.
 */
#include "core/scenario_users.h"

#include <math.h>
#include <stdio.h>

int sl_scenario_users_finish(const sl_config_t *cfg, sl_scenario_t *sc, char *err, size_t errlen)
{
    if (!sc->has_connections && sc->nstages == 0) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s has no users: give it connections = N (virtual users, "
                 "with a duration) or stages = {{duration = ..., connections = N}, ...}",
                 sc->name);
        return -1;
    }
    if (sc->has_connections && sc->nstages > 0) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s has both connections and stages: give one of them (a "
                 "stage holds N users with {duration = ..., connections = N})",
                 sc->name);
        return -1;
    }
    if (!sc->has_think && cfg->has_think) {
        sc->think = cfg->think;
        sc->has_think = 1;
    }
    sc->closed = 1;
    return 0;
}

int sl_scenario_users_max(const sl_scenario_t *sc)
{
    if (sc->nstages == 0)
        return sc->connections;
    double most = 0;
    for (int i = 0; i < sc->nstages; i++)
        if (sc->stages[i].target > most)
            most = sc->stages[i].target;
    return (int)most;
}

uint64_t sl_scenario_users_length(const sl_scenario_t *sc)
{
    if (sc->nstages == 0)
        return sc->duration_ns;
    uint64_t total = 0;
    for (int i = 0; i < sc->nstages; i++)
        total += sc->stages[i].duration_ns;
    return total;
}

/* Users at offset x of the scenario (from its start). */
static int users_local(const sl_scenario_t *sc, uint64_t x)
{
    if (sc->nstages == 0)
        return x < sc->duration_ns ? sc->connections : 0;
    double c0 = 0;
    uint64_t at = 0;
    for (int i = 0; i < sc->nstages; i++) {
        const sl_stage_t *s = &sc->stages[i];
        if (x < at + s->duration_ns) {
            double f = (double)(x - at) / (double)s->duration_ns;
            return (int)floor(c0 + (s->target - c0) * f + 1e-9);
        }
        at += s->duration_ns;
        c0 = s->target;
    }
    return 0;
}

int sl_scenario_users_at(const sl_scenario_t *sc, uint64_t t_ns)
{
    return t_ns < sc->start_ns ? 0 : users_local(sc, t_ns - sc->start_ns);
}

uint64_t sl_scenario_users_grow(const sl_scenario_t *sc, uint64_t t_ns)
{
    uint64_t start = sc->start_ns;
    if (t_ns < start && users_local(sc, 0) > 0)
        return start;
    uint64_t x = t_ns < start ? 0 : t_ns - start, at = 0;
    double c0 = 0;
    for (int i = 0; i < sc->nstages; i++) {
        const sl_stage_t *s = &sc->stages[i];
        uint64_t end = at + s->duration_ns;
        if (end > x && s->target > c0) {
            uint64_t from = x > at ? x : at;
            int next = users_local(sc, from) + 1;
            double f = (next - c0) / (s->target - c0);
            uint64_t when = at + (uint64_t)ceil(f * (double)s->duration_ns);
            if (when <= x && t_ns >= start)
                when = x + 1;
            return start + (when < end ? when : end); /* the last step lands on its end */
        }
        at = end;
        c0 = s->target;
    }
    return UINT64_MAX;
}

/* The share of place idx of n in `total`, the remainder going to the places from `off` on. */
static int share(int total, int idx, int n, int off)
{
    if (n <= 1)
        return total;
    return total / n + (((idx - off % n) % n + n) % n < total % n);
}

/* This segment's share of `users` of scenario i. */
static int segment_share(const sl_config_t *cfg, int i, int users)
{
    const sl_scenarios_t *ss = cfg->scenarios;
    int off = 0;
    if (cfg->nsegments <= 1)
        return users;
    for (int j = 0; j < i; j++)
        off = (off + sl_scenario_users_max(&ss->s[j])) % cfg->nsegments;
    return share(users, cfg->segment, cfg->nsegments, off);
}

int sl_scenario_users_share(const sl_config_t *cfg, int i, int users, int w, int nworkers)
{
    const sl_scenarios_t *ss = cfg->scenarios;
    int off = 0;
    for (int j = 0; j < i && nworkers > 1; j++)
        off = (off + segment_share(cfg, j, sl_scenario_users_max(&ss->s[j]))) % nworkers;
    return share(segment_share(cfg, i, users), w, nworkers, off);
}

int sl_scenario_users_segment(const sl_config_t *cfg)
{
    int total = 0;
    for (int i = 0; i < cfg->scenarios->n; i++)
        total += segment_share(cfg, i, sl_scenario_users_max(&cfg->scenarios->s[i]));
    return total;
}

int sl_scenario_users_worker(const sl_config_t *cfg, int w, int nworkers)
{
    int total = 0;
    for (int i = 0; i < cfg->scenarios->n; i++)
        total += sl_scenario_users_share(cfg, i, sl_scenario_users_max(&cfg->scenarios->s[i]), w,
                                         nworkers);
    return total;
}
