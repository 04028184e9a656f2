/*
 * scenario: several open-model schedules in one run (soapload.scenarios), each with its own
 * shape (a rate for a duration, or stages; uniform or Poisson arrivals; bursts; a start
 * offset) and its own exact operation mix. Each scenario's requests are numbered k = 0, 1, ...
 * on their own, and request k of a scenario goes to the segment and worker the one-schedule
 * rule (core/plan.h, core/segment.h) gives it, so that N workers and N segments together send
 * exactly each scenario's schedule (the walk is core/scenario_plan.h's), and the run lasts
 * until the last scenario ends. In a closed-model run every scenario is instead a number of
 * virtual users with its own mix, start, length and think time (core/scenario_users.h).
 */
#ifndef SOAPLOAD_SCENARIO_H
#define SOAPLOAD_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "core/config_types.h"
#include "core/delay.h"
#include "core/flow.h"
#include "core/mix.h"
#include "core/profile.h"

#define SL_MAX_SCENARIOS 16     /* the per-tag results keep 16 tag names, 64 pairs */
#define SL_SCENARIO_NAME_MAX 64 /* bytes of a name: it is the value of the tag scenario=NAME */
#define SL_SCENARIO_TAG "scenario"

/* One scenario as the script wrote it (the has_ flags say which keys it had), then, after
 * sl_scenarios_finish, with the run's defaults filled in. In the closed model (every scenario
 * of a run with --closed or soapload.model = "closed") a scenario is a number of virtual users
 * (connections) for its duration, or stages whose targets are users, with its own think time
 * (core/scenario_users.h); rate, arrival and burst are the open model's. */
typedef struct {
    char name[SL_SCENARIO_NAME_MAX + 1];
    double rate;
    uint64_t duration_ns, start_ns;
    sl_stage_t stages[SL_MAX_STAGES]; /* closed model: target is the users at the stage's end */
    int nstages;
    int burst, arrival;
    double weights[SL_MAX_OPERATIONS]; /* per operation of soapload.operations; 0: not in it */
    /* with soapload.flows: per flow of cfg->flows (a single operation is a flow of one step);
     * its entries start them (core/scenario_flows.h) */
    double flow_weights[SL_FLOW_MAX];
    int has_rate, has_duration, has_start, has_burst, has_arrival, has_operations, has_flows;
    int closed;       /* closed model: virtual users, not a schedule */
    int connections;  /* closed model: its users (without stages) */
    sl_delay_t think; /* closed model: a user's pause between its requests */
    int has_connections, has_think;
} sl_scenario_t;

typedef struct sl_scenarios {
    int n;
    sl_scenario_t s[SL_MAX_SCENARIOS];
} sl_scenarios_t;

/** The keys a scenario table takes, NULL-terminated. */
extern const char *const sl_scenario_keys[];
/** Whether `name` is a scenario name: 1 to 64 letters, digits, '_', '-' or '.'. */
int sl_scenario_name_ok(const char *name);

/** Checks the scenarios against the rest of the settings and completes them: no top-level
 * rate, stages or ramp beside them (nor connections in the closed model); each scenario either
 * a rate (closed model: connections) for its duration, or the run's, or stages; the run's
 * burst and arrivals (closed model: think time) for those that set none;
 * every operation of soapload.operations with its weight for those that name none. Sorts them
 * by name, sets cfg->duration_ns to the last one's end and hands ss to cfg (freed by
 * sl_config_free). Returns 0, or -1 with a message naming the scenario in err (ss is then
 * still the caller's). */
int sl_scenarios_finish(sl_config_t *cfg, sl_scenarios_t *ss, char *err, size_t errlen);

/** Scenario i's own profile (offset 0 at its start). Returns 0, or -1 with err. */
int sl_scenario_profile(const sl_scenario_t *sc, sl_profile_t *p, char *err, size_t errlen);
/** Its length: from its start to its end. */
uint64_t sl_scenario_length(const sl_scenario_t *sc);
/** The run's target rate over time: the sum of the scenarios' rates (each from its start),
 * as one profile whose stages start where any scenario's rate changes. Returns 0, or -1 with
 * err (more than SL_MAX_STAGES changes). */
int sl_scenarios_profile(const sl_scenarios_t *ss, sl_profile_t *p, char *err, size_t errlen);

#endif
