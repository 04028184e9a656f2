/*
 * scenario_plan: one worker's walk over the open model's schedule: its scenarios' plans
 * merged by due time (the earliest first; on a tie the scenario that sorts first by name). A
 * run without scenarios is the one-scenario case of the same walk.
 */
#ifndef SOAPLOAD_SCENARIO_PLAN_H
#define SOAPLOAD_SCENARIO_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/config_types.h"
#include "core/mix.h"
#include "core/plan.h"
#include "core/profile.h"
#include "core/scenario.h"

/* One worker's walk over every scenario's share of the schedule. */
typedef struct {
    int n;
    int nops;
    sl_profile_t profile[SL_MAX_SCENARIOS];
    sl_plan_t plan[SL_MAX_SCENARIOS];
    uint64_t start_ns[SL_MAX_SCENARIOS];
    sl_mix_t mix[SL_MAX_SCENARIOS];      /* with operations only */
    sl_mix_t flow_mix[SL_MAX_SCENARIOS]; /* with flows only: which flow an entry starts */
    const sl_config_t *cfg;
    int w, nworkers;
    int cur;           /* the scenario of the next entry */
    uint64_t next_due; /* its offset from the run's start, or SL_PROFILE_END */
    uint64_t j;        /* entries taken so far, over all scenarios */
} sl_scenario_plan_t;

/** Starts worker w of nworkers (of this process's segment) on cfg's open-model schedule: its
 * scenarios, or the one schedule of a run without them. Returns 0, or -1 with err. Free with
 * sl_scenario_plan_free. */
int sl_scenario_plan_init(sl_scenario_plan_t *sp, const sl_config_t *cfg, int w, int nworkers,
                          char *err, size_t errlen);
/** Moves to the next entry: the earliest due over the scenarios. */
void sl_scenario_plan_advance(sl_scenario_plan_t *sp);
/** The operation of the next entry (its scenario's mix at the scenario's global index), or -1
 * in a run without operations. */
int sl_scenario_plan_op(const sl_scenario_plan_t *sp);
/** The flow the next entry starts (its scenario's flow mix at the scenario's global index), or
 * -1 in a run without flows. */
int sl_scenario_plan_flow(const sl_scenario_plan_t *sp);
/** The name of the next entry's scenario, or NULL in a run without scenarios. */
const char *sl_scenario_plan_name(const sl_scenario_plan_t *sp);
/** How many entries the worker has in all (Poisson schedules are walked to their end). */
uint64_t sl_scenario_plan_total(const sl_scenario_plan_t *sp);
void sl_scenario_plan_free(sl_scenario_plan_t *sp);

#endif
