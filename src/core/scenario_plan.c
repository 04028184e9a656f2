/*
 * scenario_plan: each scenario's schedule is a plan of its own (core/plan.c) over its own
 * profile, shifted by its start; a worker's next entry is the earliest of its plans' next ones.
 */
#include "core/scenario_plan.h"

#include <string.h>

#include "core/load.h"
#include "core/segment.h"

static uint64_t scenario_seed(uint64_t seed, int i)
{
    return i == 0 ? seed : seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)i);
}

/* Scenario i's mix of flows (sc NULL: the run's own), when the run has flows. */
static int init_flow_mix(sl_scenario_plan_t *sp, const sl_scenario_t *sc, int i, char *err,
                         size_t errlen)
{
    const sl_flows_t *fs = sp->cfg->flows;
    double weights[SL_FLOW_MAX];
    if (fs == NULL)
        return 0;
    for (int f = 0; f < fs->n; f++)
        weights[f] = sc != NULL ? sc->flow_weights[f] : fs->f[f].weight;
    return sl_mix_init(&sp->flow_mix[i], weights, fs->n, err, errlen);
}

static void pick_next(sl_scenario_plan_t *sp)
{
    sp->next_due = SL_PROFILE_END;
    sp->cur = 0;
    for (int i = 0; i < sp->n; i++) {
        if (sp->plan[i].next_due == SL_PROFILE_END)
            continue;
        uint64_t due = sp->start_ns[i] + sp->plan[i].next_due;
        if (due < sp->next_due) {
            sp->next_due = due;
            sp->cur = i;
        }
    }
}

int sl_scenario_plan_init(sl_scenario_plan_t *sp, const sl_config_t *cfg, int w, int nworkers,
                          char *err, size_t errlen)
{
    memset(sp, 0, sizeof(*sp));
    sp->cfg = cfg;
    sp->w = w;
    sp->nworkers = nworkers;
    sp->nops = cfg->nops;
    const sl_scenarios_t *ss = cfg->scenarios;
    sp->n = ss != NULL ? ss->n : 1;
    for (int i = 0; i < sp->n; i++) {
        const sl_scenario_t *sc = ss != NULL ? &ss->s[i] : NULL;
        if ((sc != NULL ? sl_scenario_profile(sc, &sp->profile[i], err, errlen)
                        : sl_load_profile(cfg, &sp->profile[i], err, errlen)) != 0 ||
            (cfg->nops > 0 && sl_mix_init(&sp->mix[i], sc != NULL ? sc->weights : cfg->op_weights,
                                          cfg->nops, err, errlen) != 0) ||
            init_flow_mix(sp, sc, i, err, errlen) != 0) {
            sl_scenario_plan_free(sp);
            return -1;
        }
        sp->start_ns[i] = sc != NULL ? sc->start_ns : 0;
        sl_plan_init_segment(
            &sp->plan[i], &sp->profile[i], (uint32_t)(sc != NULL ? sc->burst : cfg->burst),
            (sc != NULL ? sc->arrival : cfg->arrival) == SL_ARRIVAL_POISSON,
            scenario_seed(cfg->seed, i), w, nworkers, cfg->segment, cfg->nsegments);
    }
    pick_next(sp);
    return 0;
}

void sl_scenario_plan_advance(sl_scenario_plan_t *sp)
{
    if (sp->next_due == SL_PROFILE_END)
        return;
    sl_plan_advance(&sp->plan[sp->cur]);
    sp->j++;
    pick_next(sp);
}

int sl_scenario_plan_op(const sl_scenario_plan_t *sp)
{
    if (sp->nops == 0)
        return -1;
    const sl_plan_t *pl = &sp->plan[sp->cur];
    return sl_mix_of(&sp->mix[sp->cur],
                     sl_segment_request_index(sp->cfg, pl->j, sp->w, sp->nworkers));
}

int sl_scenario_plan_flow(const sl_scenario_plan_t *sp)
{
    if (sp->cfg->flows == NULL)
        return -1;
    const sl_plan_t *pl = &sp->plan[sp->cur];
    return sl_mix_of(&sp->flow_mix[sp->cur],
                     sl_segment_request_index(sp->cfg, pl->j, sp->w, sp->nworkers));
}

const char *sl_scenario_plan_name(const sl_scenario_plan_t *sp)
{
    return sp->cfg->scenarios != NULL ? sp->cfg->scenarios->s[sp->cur].name : NULL;
}

uint64_t sl_scenario_plan_total(const sl_scenario_plan_t *sp)
{
    uint64_t total = 0;
    for (int i = 0; i < sp->n; i++) {
        const sl_plan_t *pl = &sp->plan[i];
        total += sl_plan_segment_total(pl->profile, pl->burst, pl->poisson,
                                       scenario_seed(sp->cfg->seed, i), sp->w, sp->nworkers,
                                       pl->seg, pl->nseg);
    }
    return total;
}

void sl_scenario_plan_free(sl_scenario_plan_t *sp)
{
    for (int i = 0; i < SL_MAX_SCENARIOS; i++) {
        sl_mix_free(&sp->mix[i]);
        sl_mix_free(&sp->flow_mix[i]);
    }
}
