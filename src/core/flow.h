/*
 * flow: sessions as ordered steps (login, calls, logout). What a script's soapload.flows
 * declares (each step an operation with a think time before it, a repeat count and what a
 * failure does), the state of each flow under way in a worker (a pure state machine: which
 * step, when it is due), and the accounting of every flow: scheduled = completed + failed (by
 * step and reason) + interrupted (by step) + not started, with the duration of completed
 * flows.
 */
#ifndef SOAPLOAD_FLOW_H
#define SOAPLOAD_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/counts.h"
#include "core/delay.h"
#include "core/hist.h"

#define SL_FLOW_MAX 16       /* flows in one script */
#define SL_FLOW_MAX_STEPS 16 /* steps in one flow */
#define SL_FLOW_NAME_CAP 65
/* The reasons a flow fails: the result kinds of its step's request, then a script error of
 * request() (nothing was sent). */
#define SL_FLOW_SCRIPT_ERROR SL_R_COUNT
#define SL_FLOW_REASONS (SL_R_COUNT + 1)

typedef struct {
    int op; /* its operation among cfg->op_names */
    sl_delay_t think;
    int has_think;      /* a pause before the step, from the previous answer (or the start) */
    uint32_t times;     /* the step runs this many times in a row (>= 1) */
    int go_on;          /* on_error = "continue": a failure does not end the flow */
    uint32_t retry_max; /* retry = {max = N, on = {...}}: a failure of a kind in retry_on */
    uint64_t retry_on;  /* (bit per SL_FLOW_REASONS index) is sent again, at most N times */
} sl_flow_step_t;

typedef struct {
    char name[SL_FLOW_NAME_CAP];
    double weight;
    int cookies; /* cookies = true: a jar per flow (closed model: per virtual user) */
    int single;  /* a single operation of soapload.operations, run as a flow of one step */
    int nsteps;
    sl_flow_step_t steps[SL_FLOW_MAX_STEPS];
} sl_flow_def_t;

typedef struct sl_flows {
    int n;
    sl_flow_def_t f[SL_FLOW_MAX];
} sl_flows_t;

/* One flow's results. */
typedef struct {
    uint64_t scheduled, completed, failed, interrupted, not_started;
    uint64_t failed_at[SL_FLOW_MAX_STEPS][SL_FLOW_REASONS];
    uint64_t interrupted_at[SL_FLOW_MAX_STEPS];
    uint64_t retried_at[SL_FLOW_MAX_STEPS]; /* failed requests of the step sent again */
    sl_hist_t
        *duration; /* us, completed flows: from the first step's due time to the last answer */
} sl_flow_stats_t;

/* One flow's counts as the parent reads them while the workers run (each worker's copy on
 * the shared board): no per-step detail, no durations. */
typedef struct {
    uint64_t scheduled, completed, failed, interrupted, not_started;
} sl_flow_live_t;

/* A flow under way in a worker. */
typedef struct {
    int flow, step;
    uint32_t rep;       /* runs of the step done so far */
    uint32_t tries;     /* retries of the current run of the step */
    uint64_t start_due; /* the first step's due time */
    uint64_t due;       /* the current step's due time */
    uint64_t number;    /* this worker's flow number, from 1 */
    int scenario;       /* the soapload.scenarios entry that started it (0 without them) */
    int vars_ref;       /* the script's variables of this flow (engine side) */
    int in_flight;      /* its step's request is out */
    int used;
} sl_flow_run_t;

typedef struct {
    sl_flow_run_t *v;
    uint32_t *free_list;
    uint32_t cap, nfree, active;
    uint64_t started;
} sl_flow_pool_t;

/* What a finished step leads to. */
typedef enum { SL_FLOW_NEXT, SL_FLOW_COMPLETED, SL_FLOW_FAILED } sl_flow_next_t;
/* (a retry is SL_FLOW_NEXT: the same step is due again at once, counted in retried_at) */

/** Adds flow `name` with `weight`. Returns its index, or -1 with err. */
int sl_flows_add(sl_flows_t *fs, const char *name, double weight, char *err, size_t errlen);
/** The index of flow `name`, or -1. */
int sl_flows_find(const sl_flows_t *fs, const char *name, size_t len);

/** Allocates the results of n flows. Returns NULL when out of memory. */
sl_flow_stats_t *sl_flow_stats_new(int n);
void sl_flow_stats_free(sl_flow_stats_t *st, int n);
/** Appends n flows' results to out (for the parent). Returns 0 or -1. */
int sl_flow_stats_encode(const sl_flow_stats_t *st, int n, sl_buf_t *out);
/** Adds an encoded report of n flows. Returns 0, or -1 when it does not fit. */
int sl_flow_stats_decode_add(sl_flow_stats_t *st, int n, const uint8_t *p, size_t len);
/** Copies n flows' counts into live[0..n) (whole words, for a reader in another process). */
void sl_flow_stats_publish(const sl_flow_stats_t *st, int n, sl_flow_live_t *live);
/** Adds n flows' counts live[0..n), read whole while another process writes them, into sum. */
void sl_flow_live_add(sl_flow_live_t *sum, const sl_flow_live_t *live, int n);
/** Checks scheduled = completed + failed + interrupted + not_started and the per-step sums.
 * Returns 0, or -1 with the broken one in err. */
int sl_flow_stats_check(const sl_flow_stats_t *st, const char *name, char *err, size_t errlen);

/** Room for cap flows at once. Returns 0 or -1. */
int sl_flow_pool_init(sl_flow_pool_t *p, uint32_t cap);
void sl_flow_pool_free(sl_flow_pool_t *p);
/** Starts flow `flow` due at `due` (scheduled counted). Returns its index, or -1 when the
 * pool is full (counted as not started). */
int sl_flow_start(sl_flow_pool_t *p, const sl_flows_t *fs, sl_flow_stats_t *st, int flow,
                  uint64_t due, uint64_t *rng);
/** The step `i` is at: its operation. */
int sl_flow_op(const sl_flow_pool_t *p, const sl_flows_t *fs, uint32_t i);
/** Ends the step of flow i that ended at `done` with `ok` (else `reason`, an SL_FLOW_REASONS
 * index): the flow goes on (its next step's due time set from the answer and the think time),
 * completes or fails (accounted; the caller then frees its slot or restarts it). */
sl_flow_next_t sl_flow_step_done(sl_flow_pool_t *p, const sl_flows_t *fs, sl_flow_stats_t *st,
                                 uint32_t i, int ok, int reason, uint64_t done, uint64_t *rng);
/** Frees the slot of flow i, which has ended. */
void sl_flow_release(sl_flow_pool_t *p, uint32_t i);
/** Starts flow `flow` again in the slot of flow i, which has ended (a closed-model user's next
 * iteration: its variables stay), due at `due` plus its first think time. */
void sl_flow_restart(sl_flow_pool_t *p, const sl_flows_t *fs, sl_flow_stats_t *st, uint32_t i,
                     int flow, uint64_t due, uint64_t *rng);
/** Ends flow i at the step it is at as interrupted; frees its slot. */
void sl_flow_interrupt(sl_flow_pool_t *p, sl_flow_stats_t *st, uint32_t i);
/** The name of a flow failure reason. */
const char *sl_flow_reason_name(int reason);

#endif
