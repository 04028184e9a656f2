/*
 * flow_run: a worker's flows between the schedule (flow starts), the state machine
 * (core/flow.c) and the Lua state (each flow's variables).
 */
#include "engine/flow_run.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/proto.h"
#include "engine/script_hooks.h"

int sl_flowrun_init(sl_flowrun_t *fr, const sl_config_t *cfg, uint32_t cap, uint64_t seed,
                    sl_flow_live_t *live, char *err, size_t errlen)
{
    double weights[SL_FLOW_MAX];
    const sl_flows_t *fs = cfg->flows;
    *fr = (sl_flowrun_t){.defs = fs, .rng = seed | 1, .live = live};
    for (int i = 0; i < fs->n; i++)
        weights[i] = fs->f[i].weight;
    if (sl_mix_init(&fr->mix, weights, fs->n, err, errlen) != 0)
        return -1;
    for (int i = 0; i < fs->n; i++)
        fr->any_cookies |= fs->f[i].cookies;
    if ((fr->stats = sl_flow_stats_new(fs->n)) == NULL || sl_flow_pool_init(&fr->pool, cap) != 0 ||
        sl_waitq_init(&fr->waiting, cap) != 0 ||
        (fr->any_cookies && (fr->jars = calloc(cap, sizeof(*fr->jars))) == NULL)) {
        snprintf(err, errlen, "out of memory for %u flows under way", cap);
        return -1;
    }
    return 0;
}

/* The counts changed: the parent's copy (--metrics reads it while the run goes on). */
static void publish(const sl_flowrun_t *fr)
{
    if (fr->live != NULL)
        sl_flow_stats_publish(fr->stats, fr->defs->n, fr->live);
}

/* A flow (or a closed-model user) ends: its cookies go with it. */
static void drop_jar(sl_flowrun_t *fr, uint32_t flow)
{
    if (fr->jars != NULL) {
        sl_cookies_free(fr->jars[flow]);
        fr->jars[flow] = NULL;
    }
}

/* Whether the closed-model scenario of `run` is past its end and the grace period. */
static int sc_closed(const sl_flowrun_t *fr, const sl_flow_run_t *run)
{
    return fr->nsc > 0 && (fr->sc_closed >> run->scenario & 1U);
}

/* Flow `flow` ends for good, interrupted at its step or released (done, its user gone): its
 * variables and cookies go with it, and its closed-model scenario has a user less. */
static void end_flow(sl_flowrun_t *fr, sl_script_t *s, uint32_t flow, int interrupt)
{
    int vars = fr->pool.v[flow].vars_ref;
    if (fr->nsc > 0)
        fr->sc_active[fr->pool.v[flow].scenario]--;
    if (interrupt)
        sl_flow_interrupt(&fr->pool, fr->stats, flow);
    else
        sl_flow_release(&fr->pool, flow);
    sl_script_vars_free(s, vars);
    drop_jar(fr, flow);
}

void sl_flowrun_free(sl_flowrun_t *fr, sl_script_t *s)
{
    for (uint32_t i = 0; s != NULL && i < fr->pool.cap; i++)
        if (fr->pool.v[i].used)
            sl_script_vars_free(s, fr->pool.v[i].vars_ref);
    for (uint32_t i = 0; fr->jars != NULL && i < fr->pool.cap; i++)
        sl_cookies_free(fr->jars[i]);
    free(fr->jars);
    sl_flow_stats_free(fr->stats, fr->defs != NULL ? fr->defs->n : 0);
    sl_flow_pool_free(&fr->pool);
    sl_waitq_free(&fr->waiting);
    sl_mix_free(&fr->mix);
    for (int i = 0; i < fr->nsc; i++)
        sl_mix_free(&fr->sc_mix[i]);
}

int sl_flowrun_begin(sl_flowrun_t *fr, sl_script_t *s, int flow, int scenario, uint64_t due)
{
    int i = sl_flow_start(&fr->pool, fr->defs, fr->stats, flow, due, &fr->rng);
    publish(fr);
    if (i < 0)
        return -1;
    sl_flow_run_t *r = &fr->pool.v[i];
    r->vars_ref = sl_script_vars_new(s);
    r->scenario = scenario;
    if (fr->nsc > 0)
        fr->sc_active[scenario]++;
    /* the heap holds as many entries as the pool: a started flow always has its place */
    sl_waitq_push(&fr->waiting, r->due, (uint32_t)i);
    return 0;
}

int sl_flowrun_users_init(sl_flowrun_t *fr, const sl_config_t *cfg, int index, int nworkers,
                          char *err, size_t errlen)
{
    if (!cfg->closed || cfg->scenarios == NULL)
        return 0;
    for (int i = 0; i < cfg->scenarios->n; i++) {
        const sl_scenario_t *sc = &cfg->scenarios->s[i];
        if (sl_mix_init(&fr->sc_mix[i], sc->flow_weights, fr->defs->n, err, errlen) != 0)
            return -1;
        fr->nsc = i + 1;
        fr->sc_offset[i] = (uint64_t)index * fr->sc_mix[i].cycle / (uint64_t)nworkers;
        fr->sc_end[i] = UINT64_MAX; /* (the worker sets it once its start is known) */
        fr->sc_think[i] = sc->has_think ? &sc->think : NULL;
    }
    return 0;
}

/* The flow the next user flow of scenario sc runs: the next of its mix. */
static int user_flow(sl_flowrun_t *fr, int sc)
{
    return sl_mix_of(&fr->sc_mix[sc], fr->sc_offset[sc] + fr->sc_taken[sc]++);
}

int sl_flowrun_user_start(sl_flowrun_t *fr, sl_script_t *s, int sc, uint64_t due)
{
    return sl_flowrun_begin(fr, s, user_flow(fr, sc), sc, due);
}

int sl_flowrun_start(sl_flowrun_t *fr, sl_script_t *s, uint64_t k, uint64_t due)
{
    return sl_flowrun_begin(fr, s, sl_mix_of(&fr->mix, k), 0, due);
}

void sl_flowrun_not_started(sl_flowrun_t *fr, int flow)
{
    sl_flow_stats_t *st = &fr->stats[flow];
    st->scheduled++;
    st->not_started++;
    publish(fr);
}

int sl_flowrun_scenario(const sl_flowrun_t *fr, uint32_t flow)
{
    return fr->pool.v[flow].scenario;
}

uint64_t sl_flowrun_next_due(const sl_flowrun_t *fr)
{
    return fr->closed ? UINT64_MAX : sl_waitq_next(&fr->waiting);
}

int sl_flowrun_take(sl_flowrun_t *fr, sl_script_t *s, uint64_t now, uint32_t *flow, int *op,
                    uint64_t *due, char *err, size_t errlen)
{
    sl_waitq_entry_t e;
    /* a user whose every step says no would go round for ever: a bounded number of skips */
    for (int skips = 0;
         skips < 4096 && sl_flowrun_next_due(fr) <= now && sl_waitq_pop(&fr->waiting, &e) == 0;
         skips++) {
        sl_flow_run_t *r = &fr->pool.v[e.index];
        if (sc_closed(fr, r)) { /* (its scenario's close could not sort the heap) */
            end_flow(fr, s, e.index, 1);
            publish(fr);
            continue;
        }
        *flow = e.index;
        *op = sl_flow_op(&fr->pool, fr->defs, e.index);
        *due = e.at;
        sl_script_use_vars(s, r->vars_ref);
        int wanted = sl_script_step_wanted(s, *op, err, errlen);
        if (wanted == 1) {
            r->in_flight = 1;
            return 1;
        }
        if (wanted < 0)
            return -1; /* the caller ends the step as a script error */
        /* when() said no: the step is skipped, as if answered at its due time */
        sl_flowrun_step_done(fr, s, e.index, SL_R_OK, e.at);
    }
    return 0;
}

void sl_flowrun_use(const sl_flowrun_t *fr, sl_script_t *s, uint32_t flow)
{
    sl_script_use_vars(s, fr->pool.v[flow].vars_ref);
}

static void step_done(sl_flowrun_t *fr, sl_script_t *s, uint32_t flow, int r, uint64_t done);

void sl_flowrun_step_done(sl_flowrun_t *fr, sl_script_t *s, uint32_t flow, int r, uint64_t done)
{
    step_done(fr, s, flow, r, done);
    publish(fr);
}

/* A closed-model user of scenario `run->scenario` goes on with its next flow, due at `at`:
 * before its scenario's end, while its scenario has no more users here than it may have. */
static int user_goes_on(const sl_flowrun_t *fr, const sl_flow_run_t *run, uint64_t at)
{
    int sc = run->scenario;
    if (fr->nsc == 0)
        return 1;
    return at < fr->sc_end[sc] && fr->sc_active[sc] <= fr->sc_users[sc] && !sc_closed(fr, run);
}

/* Whether a closed-model user ends for good because its next flow would start after its
 * scenario's end (nothing else starts in its place then). */
static int user_done(const sl_flowrun_t *fr, const sl_flow_run_t *run, uint64_t at)
{
    return fr->nsc > 0 && at >= fr->sc_end[run->scenario];
}

static void step_done(sl_flowrun_t *fr, sl_script_t *s, uint32_t flow, int r, uint64_t done)
{
    sl_flow_run_t *run = &fr->pool.v[flow];
    sl_script_use_vars(s, LUA_NOREF);
    if (r == SL_R_CANCELLED) {
        end_flow(fr, s, flow, 1);
        return;
    }
    int ok = r == SL_R_OK || r == SL_R_EXPECTED_FAULT;
    sl_flow_next_t next =
        sl_flow_step_done(&fr->pool, fr->defs, fr->stats, flow, ok, r, done, &fr->rng);
    /* after request() raised, a millisecond's pause rather than a spin on a failing script;
     * a closed-model scenario's user pauses for its think time between two flows */
    uint64_t at = done + (r == SL_FLOW_SCRIPT_ERROR ? 1000000ULL : 0);
    if (next != SL_FLOW_NEXT && fr->nsc > 0 && fr->sc_think[run->scenario] != NULL)
        at += sl_delay_draw_ns(fr->sc_think[run->scenario], &fr->rng);
    if (next == SL_FLOW_NEXT && (fr->closed || sc_closed(fr, run))) {
        end_flow(fr, s, flow, 1);
    } else if (next == SL_FLOW_NEXT) {
        sl_waitq_push(&fr->waiting, run->due, flow);
    } else if (fr->loop && !fr->closed && !fr->stopping && user_goes_on(fr, run, at)) {
        /* a virtual user: its next flow, with the variables it keeps (a token, say) */
        int f = fr->nsc > 0 ? user_flow(fr, run->scenario)
                            : sl_mix_of(&fr->mix, fr->user_offset + run->number);
        sl_flow_restart(&fr->pool, fr->defs, fr->stats, flow, f, at, &fr->rng);
        sl_waitq_push(&fr->waiting, run->due, flow);
    } else {
        if (fr->loop && user_done(fr, run, at))
            fr->sc_done[run->scenario]++;
        end_flow(fr, s, flow, 0);
    }
}

void sl_flowrun_close_scenario(sl_flowrun_t *fr, sl_script_t *s, int sc)
{
    sl_waitq_entry_t e;
    if (fr->sc_closed >> sc & 1U)
        return;
    fr->sc_closed |= 1U << sc;
    /* the heap sorts by due time: its other flows are put back (without the room to hold
     * them, its own are interrupted in sl_flowrun_take as they come due) */
    sl_waitq_entry_t *keep = malloc((fr->waiting.n + 1) * sizeof(*keep));
    size_t k = 0;
    if (keep == NULL)
        return;
    while (sl_waitq_pop(&fr->waiting, &e) == 0) {
        if (fr->pool.v[e.index].scenario == sc)
            end_flow(fr, s, e.index, 1);
        else
            keep[k++] = e;
    }
    for (size_t i = 0; i < k; i++)
        sl_waitq_push(&fr->waiting, keep[i].at, keep[i].index);
    free(keep);
    publish(fr);
}

void sl_flowrun_close(sl_flowrun_t *fr, sl_script_t *s)
{
    sl_waitq_entry_t e;
    if (fr->closed)
        return;
    fr->closed = 1;
    while (sl_waitq_pop(&fr->waiting, &e) == 0)
        end_flow(fr, s, e.index, 1);
    publish(fr);
}

const char *sl_flowrun_cookie(sl_flowrun_t *fr, uint32_t flow, const char *path, char *buf,
                              size_t cap)
{
    if (fr->jars == NULL || fr->jars[flow] == NULL || !fr->defs->f[fr->pool.v[flow].flow].cookies)
        return NULL;
    return sl_cookies_header(fr->jars[flow], path, time(NULL), buf, cap) > 0 ? buf : NULL;
}

void sl_flowrun_take_cookies(sl_flowrun_t *fr, uint32_t flow, const char *head, size_t len)
{
    if (fr->jars != NULL && fr->defs->f[fr->pool.v[flow].flow].cookies)
        sl_cookies_take(&fr->jars[flow], head, len, time(NULL)); /* (out of memory: not kept) */
}

uint32_t sl_flowrun_active(const sl_flowrun_t *fr)
{
    return fr->pool.active;
}

int sl_flowrun_report(const sl_flowrun_t *fr, int fd)
{
    sl_buf_t b = {0};
    int rc = sl_flow_stats_encode(fr->stats, fr->defs->n, &b);
    if (rc == 0)
        rc = sl_proto_send(fd, SL_MSG_FLOWS, b.data, b.len, NULL, 0);
    sl_buf_free(&b);
    return rc;
}
