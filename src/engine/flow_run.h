/*
 * flow_run: the flows of one worker in the open model. The schedule's entries start flows
 * (which flow: the exact mix of their weights at the entry's global index, each scenario's
 * own with soapload.scenarios, whose steps are its requests); each flow's steps
 * wait here until they are due (the previous answer plus the think time); each flow's
 * variables live in the worker's Lua state from its start to its end; the results go to the
 * parent with the final report. In the closed model each flow under way is a virtual user that
 * starts its next flow with the same variables; with closed-model scenarios, each user belongs
 * to one scenario, takes its flows from that scenario's mix and stops at its end.
 */
#ifndef SOAPLOAD_FLOW_RUN_H
#define SOAPLOAD_FLOW_RUN_H

#include <stdint.h>

#include "core/config.h"
#include "core/cookies.h"
#include "core/counts.h"
#include "core/flow.h"
#include "core/delay.h"
#include "core/mix.h"
#include "core/scenario.h"
#include "core/waitq.h"
#include "engine/script.h"

typedef struct {
    const sl_flows_t *defs;
    sl_flow_stats_t *stats;
    sl_flow_pool_t pool;
    sl_waitq_t waiting; /* flows whose next step is not out yet, by due time */
    sl_mix_t mix;
    uint64_t rng;
    int closed;   /* past the grace period: no step starts any more */
    int loop;     /* the closed model: each flow is a virtual user that starts its next flow */
    int stopping; /* sending is over: a user's next flow does not start */
    uint64_t user_offset;   /* the closed model: where this worker's users start the flow mix */
    sl_cookie_jar_t **jars; /* per slot of the pool, when a flow has cookies (else NULL); a
                             * closed-model user keeps its jar from one flow to the next */
    int any_cookies;
    sl_flow_live_t *live; /* the copy of the counts the parent reads while we run, or NULL */
    /* closed-model scenarios (nsc of them; 0: none): each one's users run flows of its mix */
    int nsc;
    sl_mix_t sc_mix[SL_MAX_SCENARIOS];
    uint64_t sc_taken[SL_MAX_SCENARIOS];  /* flows its users started here */
    uint64_t sc_offset[SL_MAX_SCENARIOS]; /* where this worker's users start its mix */
    uint32_t sc_active[SL_MAX_SCENARIOS]; /* its users here (a flow under way each) */
    uint32_t sc_users[SL_MAX_SCENARIOS];  /* the users it may have here now (set by the worker) */
    uint32_t sc_done[SL_MAX_SCENARIOS];   /* its users here whose next flow would start after its
                                           * end: not replaced by new ones */
    uint64_t sc_end[SL_MAX_SCENARIOS];    /* its end (absolute): no flow of its starts from then */
    const sl_delay_t *sc_think[SL_MAX_SCENARIOS]; /* its users' pause between flows, or NULL */
    uint32_t sc_closed; /* bit i: scenario i is past its end and the grace period */
} sl_flowrun_t;

/** Sets up the flows of cfg (cfg->flows) for one worker with room for `cap` flows under way;
 * their counts are copied to live[0..n) (the board's, or NULL) as they change. Returns 0, or
 * -1 with err. */
int sl_flowrun_init(sl_flowrun_t *fr, const sl_config_t *cfg, uint32_t cap, uint64_t seed,
                    sl_flow_live_t *live, char *err, size_t errlen);
void sl_flowrun_free(sl_flowrun_t *fr, sl_script_t *s);

/** Closed-model scenarios (cfg->scenarios in a closed run): each scenario's users of worker
 * `index` of `nworkers` take their flows from its own mix (flows and operations), shifted per
 * worker, and pause for its think time between two flows. Returns 0, or -1 with err. */
int sl_flowrun_users_init(sl_flowrun_t *fr, const sl_config_t *cfg, int index, int nworkers,
                          char *err, size_t errlen);
/** Starts a user of closed-model scenario `sc`: its first flow, due at `due`. Returns 0, or -1
 * when the table is full (counted as not started). */
int sl_flowrun_user_start(sl_flowrun_t *fr, sl_script_t *s, int sc, uint64_t due);
/** Ends closed-model scenario sc's grace period: its flows waiting for their next step are
 * interrupted there, and a step of its still out interrupts its flow when it ends. */
void sl_flowrun_close_scenario(sl_flowrun_t *fr, sl_script_t *s, int sc);
/** Starts the closed model's flow of global index k (its mix), due at `due`. Returns 0, or -1
 * when the table is full (counted as not started). */
int sl_flowrun_start(sl_flowrun_t *fr, sl_script_t *s, uint64_t k, uint64_t due);
/** Starts flow `flow` for the open model's schedule entry of scenario `scenario` (0 without
 * scenarios), due at `due`. Returns 0, or -1 when the table is full (counted as not
 * started). */
int sl_flowrun_begin(sl_flowrun_t *fr, sl_script_t *s, int flow, int scenario, uint64_t due);
/** Counts flow `flow` as one that was due but never started. */
void sl_flowrun_not_started(sl_flowrun_t *fr, int flow);
/** The scenario of `flow` (under way): the one whose entry started it. */
int sl_flowrun_scenario(const sl_flowrun_t *fr, uint32_t flow);
/** The due time of the earliest waiting step, or UINT64_MAX. */
uint64_t sl_flowrun_next_due(const sl_flowrun_t *fr);
/** Takes the earliest waiting step if it is due by `now`: its flow (*flow), operation (*op)
 * and due time (*due); the script's hooks get that flow's variables from now on. A step whose
 * when(vars) says no is skipped (the flow goes on). Returns 1, 0 when none is due, or -1 when
 * when() raised (the traceback in err; the caller ends the step with SL_FLOW_SCRIPT_ERROR). */
int sl_flowrun_take(sl_flowrun_t *fr, sl_script_t *s, uint64_t now, uint32_t *flow, int *op,
                    uint64_t *due, char *err, size_t errlen);
/** Makes the script's hooks get the variables of `flow` (a step's response()). */
void sl_flowrun_use(const sl_flowrun_t *fr, sl_script_t *s, uint32_t flow);
/** Ends the step of `flow` that ended with result r at `done` (ok and expected_fault go on;
 * SL_FLOW_SCRIPT_ERROR: request() raised; cancelled, or any end once closed: interrupted). */
void sl_flowrun_step_done(sl_flowrun_t *fr, sl_script_t *s, uint32_t flow, int r, uint64_t done);
/** Ends the grace period: every flow waiting for its next step is interrupted there. */
void sl_flowrun_close(sl_flowrun_t *fr, sl_script_t *s);
/** The Cookie header's value (into buf) for the request of `flow`'s step to `path`; NULL when
 * its flow keeps no cookies or holds none for that path. */
const char *sl_flowrun_cookie(sl_flowrun_t *fr, uint32_t flow, const char *path, char *buf,
                              size_t cap);
/** Keeps the cookies a response of `flow`'s step set (its header block). */
void sl_flowrun_take_cookies(sl_flowrun_t *fr, uint32_t flow, const char *head, size_t len);
/** Flows under way (waiting or with a step out). */
uint32_t sl_flowrun_active(const sl_flowrun_t *fr);
/** Sends the flows' results to the parent (SL_MSG_FLOWS). Returns 0 or -1. */
int sl_flowrun_report(const sl_flowrun_t *fr, int fd);

#endif
