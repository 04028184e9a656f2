/*
 * worker_loop: request j of this worker is due at t0 + offset(global index); the loop sends
 * what is due (on the --send-window grid, if any), lets libcurl work on its sockets, closes
 * each second as it passes (per-second counts are by due time), and on the end of sending
 * counts what was due and not sent, or on an abort the schedule's rest.
 */
#include "engine/worker_loop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "core/monotime.h"
#include "core/segment.h"
#include "engine/worker_done.h"
#include "engine/worker_record.h"
#include "engine/worker_send.h"
#include "engine/worker_sock.h"
#include "engine/worker_users.h"

#define MAX_EVENTS 256
/* closed model: the pause after request() raised, before the next call */
#define CLOSED_RETRY_NS 1000000ULL

static volatile sig_atomic_t interrupted;

/* SOAPLOAD_LOOP_STATS=1: at its end each worker writes to stderr how often its loop went
 * round and waited, counts that do not depend on the machine's load as CPU times do
 * (docs/benchmarks.md) */
static struct {
    uint64_t loops, waits, waits_zero, woke_events, woke_timeout, curl_timeouts, spins;
} stats;

/* Open model: a wake-up this close is waited for on the clock instead of asleep. A sleep this
 * short costs more than the wait (the epoll wait arms a timer, the kernel switches away and
 * back, up to its 50 us timer slack late), so a worker that woke for an answer, or sent at a
 * due time, and finds the next request due within SPIN_NS sends it at its due time without a
 * second wake-up: never early (the specs check that no request leaves before its due time),
 * and later only by what the clock reads take. 20 us: at 20,000 req/s from one worker it
 * took the wake-ups per request from 0.36-0.46 to 0.12-0.13 and the CPU per request from
 * 19-22 us to 17 us; 50 us spent more on waiting than it saved (docs/benchmarks.md). */
#define SPIN_NS 20000ULL

/* Whether the loop's next wake-up, `wake`, is close enough to wait for on the clock (the open
 * model, while sending). */
static int spin_worth(const sl_worker_t *w, uint64_t now, uint64_t wake)
{
    return !w->cfg->closed && w->flows == NULL && !w->sending_over && wake > now &&
           wake - now <= SPIN_NS;
}

static void spin_until(uint64_t wake)
{
    while (sl_monotime_ns() < wake) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    stats.spins++;
}

static void print_stats(const sl_worker_t *w)
{
    const char *want = getenv("SOAPLOAD_LOOP_STATS");
    if (want == NULL || want[0] == '\0' || want[0] == '0')
        return;
    fprintf(stderr,
            "soapload loop stats: worker %d sent %llu loops %llu waits %llu (of 0 s %llu) "
            "woke for events %llu on time-out %llu curl time-outs %llu spins %llu\n",
            w->a->index, (unsigned long long)w->counts->sent, (unsigned long long)stats.loops,
            (unsigned long long)stats.waits, (unsigned long long)stats.waits_zero,
            (unsigned long long)stats.woke_events, (unsigned long long)stats.woke_timeout,
            (unsigned long long)stats.curl_timeouts, (unsigned long long)stats.spins);
}

int sl_worker_loop_interrupted(void)
{
    return (int)interrupted;
}

void sl_worker_loop_on_signal(int sig)
{
    if (interrupted) /* a second signal: stop at once */
        _exit(128 + sig);
    interrupted = sig;
}
/* Closed model: connections whose think time is over are free again. */
static void wake_thinkers(sl_worker_t *w, uint64_t now)
{
    sl_waitq_entry_t e;
    while (sl_waitq_next(&w->thinking) <= now && sl_waitq_pop(&w->thinking, &e) == 0) {
        sl_worker_users_think(w, &w->slots[e.index], -1);
        w->slots[e.index].next_free = w->free_slots;
        w->free_slots = &w->slots[e.index];
    }
}

/* Closed model: this worker's share of the connections the stages open at `now`. */
static uint64_t closed_allowed(const sl_worker_t *w, uint64_t now)
{
    int all = sl_config_connections_at(w->cfg, now > w->t0 ? now - w->t0 : 0);
    /* stages count the whole run's users: this segment's share (without stages the
     * connections are already the segment's) */
    if (w->cfg->nsegments > 1 && w->cfg->nstages > 0)
        all = sl_segment_connections(all, w->cfg->segment, w->cfg->nsegments);
    int n = w->a->nworkers, i = w->a->index;
    return (uint64_t)(all / n + (i < all % n));
}

/* The due time of the worker's next schedule entry, or SL_WORKER_NEVER when its schedule is over.
 */
static uint64_t next_due(const sl_worker_t *w)
{
    return w->plan.next_due == SL_PROFILE_END ? SL_WORKER_NEVER : w->t0 + w->plan.next_due;
}

/* --send-window T: requests leave only on a grid of step T from t0, each at the first point of
 * the grid at or after its due time (late by less than T, never early), so that a worker
 * wakes at most once per T to send. T divides a second (config.c), so the ends of the run's
 * seconds are points of the grid; t_end, where the schedule ends, is one too. The latest point
 * at or before `now`: send_due's limit. */
static uint64_t window_floor(const sl_worker_t *w, uint64_t now)
{
    uint64_t step = w->cfg->send_window_ns;
    if (step == 0 || now < w->t0 || now >= w->t_end)
        return now;
    return w->t0 + (now - w->t0) / step * step;
}

static uint64_t window_ceil(const sl_worker_t *w, uint64_t due)
{
    uint64_t step = w->cfg->send_window_ns;
    if (step == 0 || due == SL_WORKER_NEVER || due <= w->t0)
        return due;
    uint64_t b = w->t0 + (due - w->t0 + step - 1) / step * step;
    return b < w->t_end ? b : w->t_end;
}

/* soapload.flows: starts the flows due by `now` and sends their steps due by then, in due
 * order; after sending stops, only steps of flows under way, until the grace period ends. */
static void send_flows_due(sl_worker_t *w, uint64_t now)
{
    if (w->sending_over && (now >= w->grace_end || interrupted || w->stop_requested))
        sl_flowrun_close(w->flows, w->script); /* (a Ctrl-C in the grace period ends it) */
    if (w->flows->nsc > 0) {                   /* closed-model scenarios: each its own users */
        sl_worker_users_flows(w, now);
    } else if (w->cfg->closed && !w->sending_over && now < w->t_end) { /* the stages' users */
        /* (a worker holds 65,536 users at most: more never start) */
        for (uint64_t users = closed_allowed(w, now);
             sl_flowrun_active(w->flows) < users && w->flows->pool.nfree > 0;)
            sl_flowrun_start(w->flows, w->script, w->flows->user_offset + w->flows->pool.started,
                             now);
    }
    while (w->free_slots != NULL) {
        uint64_t start = w->sending_over || w->cfg->closed ? SL_WORKER_NEVER : next_due(w), step;
        if (start >= w->t_end)
            start = SL_WORKER_NEVER;
        uint32_t flow;
        int took;
        if (start <= now && start < sl_flowrun_next_due(w->flows)) {
            /* the flow of its scenario's mix (the run's, without scenarios) */
            sl_flowrun_begin(w->flows, w->script, sl_scenario_plan_flow(&w->plan), w->plan.cur,
                             start);
            sl_scenario_plan_advance(&w->plan);
            w->board->next_j = ++w->next_j;
        } else if ((took = sl_flowrun_take(w->flows, w->script, now, &flow, &w->due_op, &step,
                                           w->err, sizeof(w->err))) < 0) {
            sl_worker_record_script_error(w, w->err); /* when() raised */
            sl_flowrun_step_done(w->flows, w->script, flow, SL_FLOW_SCRIPT_ERROR, sl_monotime_ns());
        } else if (took) {
            w->due_sc = sl_flowrun_scenario(w->flows, flow); /* its tag scenario=NAME */
            w->counts->scheduled++;
            w->second_counts.scheduled++;
            w->free_slots->flow1 = flow + 1;
            took = sl_worker_send_dispatch(w, step);
            sl_script_use_vars(w->script, SL_SCRIPT_NO_VARS);
            if (!took) { /* request() raised: nothing was sent, and the slot is still free */
                w->free_slots->flow1 = 0;
                sl_flowrun_step_done(w->flows, w->script, flow, SL_FLOW_SCRIPT_ERROR,
                                     sl_monotime_ns());
            }
        } else {
            break;
        }
    }
}

/* Sends what is due by `now`. Returns when nothing more is, or no slot is free. */
static void send_due(sl_worker_t *w, uint64_t now)
{
    if (w->flows != NULL) {
        send_flows_due(w, now);
        return;
    }
    if (w->sending_over)
        return;
    if (w->cfg->closed) {
        if (now < w->closed_retry_at)
            return;
        wake_thinkers(w, now);
        if (w->users.n > 0) { /* closed-model scenarios: each its own users */
            if (sl_worker_users_send(w, now) != 0)
                w->closed_retry_at = sl_monotime_ns() + CLOSED_RETRY_NS;
            return;
        }
        uint64_t allowed = closed_allowed(w, now);
        while (w->free_slots != NULL && now < w->t_end && w->in_flight + w->thinking.n < allowed) {
            w->counts->scheduled++;
            w->second_counts.scheduled++;
            if (!sl_worker_send_dispatch(w, sl_monotime_ns())) {
                /* request() raised: no slot was taken. Try again in a millisecond rather than
                 * spin on a script that always fails. */
                w->closed_retry_at = sl_monotime_ns() + CLOSED_RETRY_NS;
                return;
            }
        }
        return;
    }
    while (w->free_slots != NULL) {
        uint64_t due = next_due(w);
        if (due > now || due >= w->t_end)
            break;
        w->due_op = sl_scenario_plan_op(&w->plan);
        w->due_sc = w->plan.cur;
        sl_scenario_plan_advance(&w->plan);
        w->next_j++;
        w->second_counts.scheduled++;
        sl_worker_send_dispatch(w, due);
        w->board->next_j = w->next_j;
    }
}

/* On an abort, the rest of the schedule is not sent: counted from the schedule's formulas
 * (sl_rest_count), not walked entry by entry, so that the answers in flight are read on time
 * however long the rest; each second gets its share as sl_worker_record_second closes it (those
 * after the drain in finish_rest). A trace's line per entry is written after the drain. Returns 0,
 * or -1 when out of memory (the caller walks the rest then). */
static int abort_rest(sl_worker_t *w, uint64_t now)
{
    sl_rest_t *r = &w->rest;
    if (sl_rest_count(r, &w->plan, w->second, now > w->t0 ? now - w->t0 : 0, w->cfg->duration_ns) !=
        0)
        return -1;
    if (w->a->trace_fd >= 0 && (w->rest_plan = malloc(sizeof(*w->rest_plan))) == NULL) {
        sl_rest_free(r);
        return -1;
    }
    if (w->rest_plan != NULL)
        *w->rest_plan = w->plan; /* (shares the profiles and mixes of w->plan) */
    w->abort_ns = now;
    w->board->aborted += r->after;
    for (int i = 0; i < w->plan.n; i++) {
        sl_op_stats_t *t = sl_worker_record_scenario(w, i);
        if (t != NULL) {
            t->counts.scheduled += r->per_scenario[i];
            t->counts.not_sent += r->per_scenario[i];
        }
    }
    for (int op = 0; op < w->nops; op++) {
        w->ops[op].counts.scheduled += r->per_op[op];
        w->ops[op].counts.not_sent += r->per_op[op];
    }
    w->plan.j += r->total;
    w->plan.next_due = SL_PROFILE_END;
    w->counts->scheduled = w->plan.j;
    w->counts->not_sent = r->total;
    return 0;
}

/* After the drain: the trace's lines of the aborted rest, then the seconds of the rest that
 * came after the worker's last. */
static void finish_rest(sl_worker_t *w)
{
    sl_scenario_plan_t *p = w->rest_plan;
    if (w->rest.per_second == NULL)
        return;
    for (; p != NULL && p->next_due < w->cfg->duration_ns; sl_scenario_plan_advance(p)) {
        uint64_t due = w->t0 + p->next_due;
        sl_worker_record_unsent(w, sl_scenario_plan_op(p), 0, "", 0, due,
                                due > w->abort_ns ? "aborted" : "not_sent");
    }
    while (w->second - w->rest.first_second < w->rest.nseconds)
        sl_worker_record_second(w);
    if (w->a->trace_fd >= 0)
        sl_worker_record_trace_flush(w);
    free(w->rest_plan);
    w->rest_plan = NULL;
    sl_rest_free(&w->rest);
}

/* Closes the schedule: what was due and not sent is counted as not sent; on an abort (a failed
 * threshold) the rest of the schedule too, as not sent for that reason. */
static void end_sending(sl_worker_t *w, uint64_t now, int abort)
{
    w->sending_over = 1;
    if (w->flows != NULL) { /* what was due and not started; the flows under way go on */
        w->flows->stopping = 1;
        while (!w->cfg->closed && next_due(w) <= now && next_due(w) < w->t_end) {
            sl_flowrun_not_started(w->flows, sl_scenario_plan_flow(&w->plan));
            sl_scenario_plan_advance(&w->plan);
        }
        w->grace_end = interrupted || w->stop_requested || abort ? now : now + w->cfg->grace_ns;
        w->drain_deadline = w->grace_end + w->cfg->timeout_ns + SL_WORKER_DRAIN_GRACE_NS;
        return;
    }
    if (!w->cfg->closed && !(abort && abort_rest(w, now) == 0)) {
        uint64_t from = w->next_j, due, until = abort ? UINT64_MAX - 1 : now;
        /* on an interrupt only what was due by now counts as scheduled */
        while ((due = next_due(w)) <= until && due < w->t_end) {
            int op = sl_scenario_plan_op(&w->plan);
            sl_op_stats_t *t = sl_worker_record_scenario(w, w->plan.cur);
            w->board->aborted += due > now;
            if (w->a->trace_fd >= 0)
                sl_worker_record_unsent(w, op, 0, "", 0, due, due > now ? "aborted" : "not_sent");
            if (op >= 0) {
                w->ops[op].counts.scheduled++;
                w->ops[op].counts.not_sent++;
            }
            if (t != NULL) {
                t->counts.scheduled++;
                t->counts.not_sent++;
            }
            sl_scenario_plan_advance(&w->plan);
        }
        due = w->plan.j;
        w->second_counts.scheduled += due - from;
        w->counts->scheduled = due;
        w->counts->not_sent = due - from;
        w->second_counts.not_sent += due - from;
    }
    w->drain_deadline = now + w->cfg->timeout_ns + SL_WORKER_DRAIN_GRACE_NS;
}

static uint64_t next_wake(sl_worker_t *w, uint64_t now)
{
    uint64_t wake = w->curl_deadline;
    if (w->fast && sl_h1_next_deadline(&w->h1) < wake)
        wake = sl_h1_next_deadline(&w->h1);
    uint64_t next_second = w->t0 + (w->second + 1) * 1000000000ULL;
    if (next_second < wake)
        wake = next_second;
    if (!w->sending_over) {
        if (w->t_end < wake)
            wake = w->t_end;
        if (w->cfg->closed && w->free_slots != NULL && w->closed_retry_at > now &&
            w->closed_retry_at < wake)
            wake = w->closed_retry_at;
        if (w->cfg->closed && sl_waitq_next(&w->thinking) < wake)
            wake = sl_waitq_next(&w->thinking);
        if (w->users.n > 0 && sl_worker_users_wake(w, now) < wake)
            wake = sl_worker_users_wake(w, now);
        if (w->cfg->closed && w->cfg->nstages > 0 && now >= w->t0) {
            uint64_t grow = sl_config_connections_grow(w->cfg, now - w->t0);
            if (grow != UINT64_MAX && w->t0 + grow < wake)
                wake = w->t0 + grow;
        }
        if (!w->cfg->closed && w->free_slots != NULL) {
            uint64_t due = window_ceil(w, next_due(w));
            if (due < wake)
                wake = due;
        }
    } else if (w->drain_deadline < wake) {
        wake = w->drain_deadline;
    }
    if (w->flows != NULL) { /* a flow's next step, or the end of the grace period */
        uint64_t step = w->free_slots != NULL ? sl_flowrun_next_due(w->flows) : SL_WORKER_NEVER;
        if (!w->sending_over &&
            step != SL_WORKER_NEVER) /* --send-window: on its grid, as requests */
            step = window_ceil(w, step);
        if (step < wake)
            wake = step;
        if (w->sending_over && !w->flows->closed && w->grace_end < wake)
            wake = w->grace_end;
        if (sl_worker_users_flows_wake(w, now) < wake) /* a scenario's users grow or end */
            wake = sl_worker_users_flows_wake(w, now);
    }
    return wake < now ? now : wake;
}

/* epoll_pwait2 (Linux 5.11) wakes to the nanosecond; where it is missing (older kernels,
 * valgrind) epoll_wait does, rounded up to the millisecond. */
static int wait_events(sl_worker_t *w, struct epoll_event *evs, uint64_t wait_ns)
{
    static int have_pwait2 = 1;
    if (have_pwait2) {
        struct timespec ts = {.tv_sec = (time_t)(wait_ns / 1000000000ULL),
                              .tv_nsec = (long)(wait_ns % 1000000000ULL)};
        int n = epoll_pwait2(w->ep, evs, MAX_EVENTS, &ts, NULL);
        if (n >= 0 || errno != ENOSYS)
            return n;
        have_pwait2 = 0;
    }
    uint64_t ms = (wait_ns + 999999) / 1000000;
    return epoll_wait(w->ep, evs, MAX_EVENTS, ms > 60000 ? 60000 : (int)ms);
}

static int read_control(sl_worker_t *w)
{
    char c;
    ssize_t n = read(w->a->control_fd, &c, 1);
    if (n == 0)
        return -1; /* the parent is gone */
    if (n == 1 && c == 's')
        w->stop_requested = 1;
    if (n == 1 && c == 'a') /* a threshold failed: stop sending, let what is in flight end */
        w->abort_requested = 1;
    return 0;
}

void sl_worker_loop_run(sl_worker_t *w)
{
    struct epoll_event evs[MAX_EVENTS];
    struct epoll_event cev = {.events = EPOLLIN, .data.fd = w->a->control_fd};
    int running, spun = 0;
    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->a->control_fd, &cev);

    for (;;) {
        uint64_t now = sl_monotime_ns();
        int again = 0;
        stats.loops++;
        if ((interrupted || w->stop_requested) && !w->sending_over) {
            end_sending(w, now, 0);
            sl_worker_done_cancel(w);
        }
        if (w->abort_requested && !w->sending_over)
            end_sending(w, now, 1);
        if (w->fast)
            sl_h1_expire(&w->h1, now);
        if (now >= w->curl_deadline) {
            w->curl_deadline = SL_WORKER_NEVER;
            stats.curl_timeouts++;
            curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            sl_worker_done_collect(w);
        }
        /* a second's due requests are sent (and counted in it) before it is closed, however
         * late this loop woke: per-second counts are by due time */
        for (uint64_t end; now >= (end = w->t0 + (w->second + 1) * 1000000000ULL);) {
            if (!w->cfg->closed)
                send_due(w, end - 1);
            sl_worker_record_second(w);
        }
        send_due(w, window_floor(w, now));
        /* new requests: start writing them right away. libcurl asked for 0 ms after `now`
         * was read, so the clock is read again: else the loop would go round once more
         * through an epoll wait of 0 before writing them */
        if (w->curl_deadline != SL_WORKER_NEVER && w->curl_deadline <= sl_monotime_ns()) {
            uint64_t in_flight = w->in_flight;
            w->curl_deadline = SL_WORKER_NEVER;
            stats.curl_timeouts++;
            curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            sl_worker_done_collect(w);
            /* answered at once: the freed connections take what is due after a look at the
             * other connections' events, without waiting */
            again = w->in_flight < in_flight;
        }
        now = sl_monotime_ns();
        if (!w->sending_over && now >= w->t_end && w->cfg->send_window_ns > 0)
            send_due(w, now); /* the last window's requests, held since its start */
        if (!w->sending_over && now >= w->t_end)
            end_sending(w, now, 0);
        if (w->sending_over && w->in_flight == 0 &&
            (w->flows == NULL || sl_flowrun_active(w->flows) == 0))
            break;
        if (w->sending_over && now >= w->drain_deadline) {
            sl_worker_done_cancel(w);
            break;
        }

        uint64_t wake = again ? now : next_wake(w, now);
        if (!again && spin_worth(w, now, wake)) {
            if (!spun) {
                spin_until(wake);
                spun = 1;
                continue;
            }
            wake = now; /* spun last time round: the answers first, without sleeping */
        }
        spun = 0;
        uint64_t wait_ns = wake - now;
        int n = wait_events(w, evs, wait_ns);
        stats.waits++;
        stats.waits_zero += wait_ns == 0;
        stats.woke_events += wait_ns > 0 && n > 0;
        stats.woke_timeout += wait_ns > 0 && n == 0;
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == w->a->control_fd) {
                if (read_control(w) != 0)
                    _exit(1); /* orphaned: nobody would read the results */
                continue;
            }
            if ((w->fast && sl_h1_event(&w->h1, fd, evs[i].events)) ||
                sl_worker_sock_idle_event(w, fd))
                continue;
            int flags = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(w->multi, fd, flags, &running);
        }
        if (n > 0)
            sl_worker_done_collect(w);
    }
    sl_worker_record_second(w);
    finish_rest(w);
    print_stats(w);
}
