/*
 * worker_users: a scenario's users busy here are its requests in flight plus its slots in
 * their think time; it starts users while they are fewer than its share at the instant. The
 * scenarios take turns at the free slots (there is one for each user at most). With flows, a
 * scenario's users busy here are its flows under way (engine/flow_run.c), and its flows' steps
 * take the free slots in due order.
 */
#include "engine/worker_users.h"

#include <stdio.h>

#include "core/monotime.h"
#include "core/scenario_users.h"
#include "engine/worker_send.h"

int sl_worker_users_init(sl_worker_t *w)
{
    const sl_config_t *cfg = w->cfg;
    sl_users_t *u = &w->users;
    if (!cfg->closed || cfg->scenarios == NULL || cfg->flows != NULL) /* (flows: flow_run) */
        return 0;
    u->n = cfg->scenarios->n;
    for (int i = 0; i < u->n && cfg->nops > 0; i++)
        if (sl_mix_init(&u->mix[i], cfg->scenarios->s[i].weights, cfg->nops, w->err,
                        sizeof(w->err)) != 0)
            return -1;
    return 0;
}

void sl_worker_users_free(sl_worker_t *w)
{
    for (int i = 0; i < w->users.n; i++)
        sl_mix_free(&w->users.mix[i]);
}

/* Scenario i's users allowed in this worker at `now`. */
static uint64_t allowed(const sl_worker_t *w, int i, uint64_t now)
{
    const sl_scenario_t *sc = &w->cfg->scenarios->s[i];
    int all = sl_scenario_users_at(sc, now > w->t0 ? now - w->t0 : 0);
    return (uint64_t)sl_scenario_users_share(w->cfg, i, all, w->a->index, w->a->nworkers);
}

int sl_worker_users_send(sl_worker_t *w, uint64_t now)
{
    sl_users_t *u = &w->users;
    if (now < w->t0 || now >= w->t_end)
        return 0;
    for (int started = 1; started && w->free_slots != NULL;) {
        started = 0;
        for (int k = 0; k < u->n && w->free_slots != NULL; k++) {
            int i = (u->next + k) % u->n;
            if (u->in_flight[i] + u->thinking[i] >= allowed(w, i, now))
                continue;
            sl_slot_t *s = w->free_slots;
            s->sc = i;
            w->due_sc = i;
            u->in_flight[i]++; /* before: an answer at once ends it within the dispatch */
            w->counts->scheduled++;
            w->second_counts.scheduled++;
            if (!sl_worker_send_dispatch(w, sl_monotime_ns())) { /* request() raised */
                u->in_flight[i]--;
                u->next = (i + 1) % u->n;
                return -1;
            }
            started = 1;
        }
        u->next = (u->next + 1) % u->n;
    }
    return 0;
}

/* When one of the first n scenarios' users next grow (absolute), or SL_WORKER_NEVER. */
static uint64_t grow(const sl_worker_t *w, int n, uint64_t now)
{
    uint64_t t = now > w->t0 ? now - w->t0 : 0, first = UINT64_MAX;
    for (int i = 0; i < n; i++) {
        uint64_t g = sl_scenario_users_grow(&w->cfg->scenarios->s[i], t);
        if (g < first)
            first = g;
    }
    return first == UINT64_MAX ? SL_WORKER_NEVER : w->t0 + first;
}

uint64_t sl_worker_users_wake(const sl_worker_t *w, uint64_t now)
{
    return grow(w, w->users.n, now);
}

int sl_worker_users_op(sl_worker_t *w)
{
    sl_users_t *u = &w->users;
    const sl_mix_t *m = &u->mix[w->due_sc];
    /* shifted per worker, so that the workers do not all start the cycle together */
    return sl_mix_of(m, u->taken[w->due_sc]++ +
                            (uint64_t)w->a->index * m->cycle / (uint64_t)w->a->nworkers);
}

void sl_worker_users_flows(sl_worker_t *w, uint64_t now)
{
    sl_flowrun_t *fr = w->flows;
    for (int i = 0; i < fr->nsc; i++) {
        const sl_scenario_t *sc = &w->cfg->scenarios->s[i];
        fr->sc_end[i] = w->t0 + sc->start_ns + sl_scenario_users_length(sc);
        if (now >= fr->sc_end[i] + w->cfg->grace_ns)
            sl_flowrun_close_scenario(fr, w->script, i);
        fr->sc_users[i] = (uint32_t)allowed(w, i, now);
        if (w->sending_over || now < w->t0 || now >= w->t_end)
            continue;
        /* (a worker holds 65,536 users at most: more never start) */
        while (fr->sc_active[i] + fr->sc_done[i] < fr->sc_users[i] && fr->pool.nfree > 0)
            sl_flowrun_user_start(fr, w->script, i, now);
    }
}

uint64_t sl_worker_users_flows_wake(const sl_worker_t *w, uint64_t now)
{
    const sl_flowrun_t *fr = w->flows;
    uint64_t first = w->sending_over ? SL_WORKER_NEVER : grow(w, fr->nsc, now);
    for (int i = 0; i < fr->nsc; i++)
        if (!(fr->sc_closed >> i & 1U) && fr->sc_end[i] != UINT64_MAX &&
            fr->sc_end[i] + w->cfg->grace_ns < first)
            first = fr->sc_end[i] + w->cfg->grace_ns;
    return first;
}

const sl_delay_t *sl_worker_users_ended(sl_worker_t *w, const sl_slot_t *s)
{
    if (w->flows != NULL) /* a flow's step: its think times are its flow's */
        return NULL;
    if (w->users.n == 0)
        return w->cfg->has_think ? &w->cfg->think : NULL;
    w->users.in_flight[s->sc]--;
    const sl_scenario_t *sc = &w->cfg->scenarios->s[s->sc];
    return sc->has_think ? &sc->think : NULL;
}

void sl_worker_users_think(sl_worker_t *w, const sl_slot_t *s, int delta)
{
    if (w->users.n > 0)
        w->users.thinking[s->sc] += (uint64_t)(int64_t)delta;
}
