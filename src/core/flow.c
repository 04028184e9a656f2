/*
 * flow: the steps of a session, the state machine of each flow under way and the accounting
 * that makes every flow end in exactly one place.
 */
#include "core/flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sl_flows_add(sl_flows_t *fs, const char *name, double weight, char *err, size_t errlen)
{
    size_t len = strlen(name);
    if (fs->n == SL_FLOW_MAX) {
        snprintf(err, errlen, "more than %d flows", SL_FLOW_MAX);
        return -1;
    }
    if (len == 0 || len >= SL_FLOW_NAME_CAP ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
                     "QRSTUVWXYZ0123456789_-.") != len) {
        snprintf(err, errlen, "flow name \"%.80s\": 1 to %d letters, digits, '_', '-' or '.'", name,
                 SL_FLOW_NAME_CAP - 1);
        return -1;
    }
    if (sl_flows_find(fs, name, len) >= 0) {
        snprintf(err, errlen, "flow %s is named twice", name);
        return -1;
    }
    if (!(weight >= 0 && weight <= 1e6)) {
        snprintf(err, errlen, "flow %s: weight must be a number from 0 to 1e6", name);
        return -1;
    }
    sl_flow_def_t *f = &fs->f[fs->n];
    memset(f, 0, sizeof(*f));
    memcpy(f->name, name, len + 1);
    f->weight = weight;
    return fs->n++;
}

int sl_flows_find(const sl_flows_t *fs, const char *name, size_t len)
{
    for (int i = 0; i < fs->n; i++)
        if (strlen(fs->f[i].name) == len && memcmp(fs->f[i].name, name, len) == 0)
            return i;
    return -1;
}

sl_flow_stats_t *sl_flow_stats_new(int n)
{
    sl_flow_stats_t *st = calloc((size_t)(n > 0 ? n : 1), sizeof(*st));
    if (st == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        st[i].duration = calloc(1, sizeof(sl_hist_t)); /* reset reads it: zeroed first */
        if (st[i].duration == NULL) {
            sl_flow_stats_free(st, n);
            return NULL;
        }
        sl_hist_reset(st[i].duration);
    }
    return st;
}

void sl_flow_stats_free(sl_flow_stats_t *st, int n)
{
    if (st == NULL)
        return;
    for (int i = 0; i < n; i++)
        free(st[i].duration);
    free(st);
}

/* The counts of one flow: everything but the histogram, which travels encoded after them. */
#define COUNTS_LEN offsetof(sl_flow_stats_t, duration)

int sl_flow_stats_encode(const sl_flow_stats_t *st, int n, sl_buf_t *out)
{
    uint32_t count = (uint32_t)n;
    if (sl_buf_append(out, (const char *)&count, sizeof(count)) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        size_t need = sl_hist_encode(st[i].duration, NULL, 0);
        if (sl_buf_append(out, (const char *)&st[i], COUNTS_LEN) != 0 ||
            sl_buf_reserve(out, need) != 0)
            return -1;
        out->len += sl_hist_encode(st[i].duration, (uint8_t *)out->data + out->len, need);
    }
    return 0;
}

int sl_flow_stats_decode_add(sl_flow_stats_t *st, int n, const uint8_t *p, size_t len)
{
    uint32_t count;
    size_t off = sizeof(count), used;
    if (len < sizeof(count))
        return -1;
    memcpy(&count, p, sizeof(count));
    if (count != (uint32_t)n)
        return -1;
    for (int i = 0; i < n; i++) {
        uint64_t c[COUNTS_LEN / sizeof(uint64_t)];
        uint64_t *dst = (uint64_t *)&st[i];
        if (len - off < COUNTS_LEN)
            return -1;
        memcpy(c, p + off, COUNTS_LEN);
        off += COUNTS_LEN;
        for (size_t k = 0; k < COUNTS_LEN / sizeof(uint64_t); k++)
            dst[k] += c[k];
        if ((used = sl_hist_decode_add(st[i].duration, p + off, len - off)) == 0)
            return -1;
        off += used;
    }
    return off == len ? 0 : -1;
}

void sl_flow_stats_publish(const sl_flow_stats_t *st, int n, sl_flow_live_t *live)
{
    for (int i = 0; i < n; i++) {
        __atomic_store_n(&live[i].scheduled, st[i].scheduled, __ATOMIC_RELAXED);
        __atomic_store_n(&live[i].completed, st[i].completed, __ATOMIC_RELAXED);
        __atomic_store_n(&live[i].failed, st[i].failed, __ATOMIC_RELAXED);
        __atomic_store_n(&live[i].interrupted, st[i].interrupted, __ATOMIC_RELAXED);
        __atomic_store_n(&live[i].not_started, st[i].not_started, __ATOMIC_RELAXED);
    }
}

void sl_flow_live_add(sl_flow_live_t *sum, const sl_flow_live_t *live, int n)
{
    for (int i = 0; i < n; i++) {
        sum[i].scheduled += __atomic_load_n(&live[i].scheduled, __ATOMIC_RELAXED);
        sum[i].completed += __atomic_load_n(&live[i].completed, __ATOMIC_RELAXED);
        sum[i].failed += __atomic_load_n(&live[i].failed, __ATOMIC_RELAXED);
        sum[i].interrupted += __atomic_load_n(&live[i].interrupted, __ATOMIC_RELAXED);
        sum[i].not_started += __atomic_load_n(&live[i].not_started, __ATOMIC_RELAXED);
    }
}

int sl_flow_stats_check(const sl_flow_stats_t *st, const char *name, char *err, size_t errlen)
{
    uint64_t failed = 0, interrupted = 0;
    for (int s = 0; s < SL_FLOW_MAX_STEPS; s++) {
        interrupted += st->interrupted_at[s];
        for (int r = 0; r < SL_FLOW_REASONS; r++)
            failed += st->failed_at[s][r];
    }
    if (st->scheduled != st->completed + st->failed + st->interrupted + st->not_started) {
        snprintf(err, errlen,
                 "flow %s: scheduled %llu != completed %llu + failed %llu + interrupted %llu + "
                 "not started %llu",
                 name, (unsigned long long)st->scheduled, (unsigned long long)st->completed,
                 (unsigned long long)st->failed, (unsigned long long)st->interrupted,
                 (unsigned long long)st->not_started);
        return -1;
    }
    if (failed != st->failed || interrupted != st->interrupted) {
        snprintf(err, errlen, "flow %s: the failures or interruptions by step do not add up", name);
        return -1;
    }
    return 0;
}

int sl_flow_pool_init(sl_flow_pool_t *p, uint32_t cap)
{
    memset(p, 0, sizeof(*p));
    p->v = calloc(cap, sizeof(*p->v));
    p->free_list = calloc(cap, sizeof(*p->free_list));
    if (p->v == NULL || p->free_list == NULL) {
        sl_flow_pool_free(p);
        return -1;
    }
    p->cap = cap;
    for (uint32_t i = 0; i < cap; i++)
        p->free_list[p->nfree++] = cap - 1 - i;
    return 0;
}

void sl_flow_pool_free(sl_flow_pool_t *p)
{
    free(p->v);
    free(p->free_list);
    memset(p, 0, sizeof(*p));
}

/* When step `step` of flow i is due, `from` being the previous answer or the start. */
static uint64_t due_after(const sl_flow_step_t *s, uint64_t from, uint64_t *rng)
{
    return from + (s->has_think ? sl_delay_draw_ns(&s->think, rng) : 0);
}

int sl_flow_start(sl_flow_pool_t *p, const sl_flows_t *fs, sl_flow_stats_t *st, int flow,
                  uint64_t due, uint64_t *rng)
{
    st[flow].scheduled++;
    if (p->nfree == 0) {
        st[flow].not_started++;
        return -1;
    }
    uint32_t i = p->free_list[--p->nfree];
    sl_flow_run_t *r = &p->v[i];
    uint64_t first = due_after(&fs->f[flow].steps[0], due, rng);
    *r = (sl_flow_run_t){
        .flow = flow, .start_due = first, .due = first, .number = ++p->started, .used = 1};
    p->active++;
    return (int)i;
}

int sl_flow_op(const sl_flow_pool_t *p, const sl_flows_t *fs, uint32_t i)
{
    const sl_flow_run_t *r = &p->v[i];
    return fs->f[r->flow].steps[r->step].op;
}

void sl_flow_release(sl_flow_pool_t *p, uint32_t i)
{
    p->v[i].used = 0;
    p->free_list[p->nfree++] = i;
    p->active--;
}

sl_flow_next_t sl_flow_step_done(sl_flow_pool_t *p, const sl_flows_t *fs, sl_flow_stats_t *st,
                                 uint32_t i, int ok, int reason, uint64_t done, uint64_t *rng)
{
    sl_flow_run_t *r = &p->v[i];
    const sl_flow_def_t *f = &fs->f[r->flow];
    const sl_flow_step_t *step = &f->steps[r->step];
    sl_flow_stats_t *s = &st[r->flow];
    r->in_flight = 0;
    if (!ok && r->tries < step->retry_max && (step->retry_on >> reason & 1)) {
        r->tries++; /* the same run of the step again: a new request, due at once */
        s->retried_at[r->step]++;
        r->due = done;
        return SL_FLOW_NEXT;
    }
    r->tries = 0;
    if (!ok && !step->go_on) {
        s->failed++;
        s->failed_at[r->step][reason]++;
        return SL_FLOW_FAILED;
    }
    if (++r->rep >= step->times) {
        r->rep = 0;
        if (++r->step == f->nsteps) {
            s->completed++;
            sl_hist_record(s->duration, done > r->start_due ? (done - r->start_due) / 1000 : 0);
            return SL_FLOW_COMPLETED;
        }
    }
    r->due = due_after(&f->steps[r->step], done, rng);
    return SL_FLOW_NEXT;
}

void sl_flow_interrupt(sl_flow_pool_t *p, sl_flow_stats_t *st, uint32_t i)
{
    sl_flow_run_t *r = &p->v[i];
    st[r->flow].interrupted++;
    st[r->flow].interrupted_at[r->step]++;
    sl_flow_release(p, i);
}

void sl_flow_restart(sl_flow_pool_t *p, const sl_flows_t *fs, sl_flow_stats_t *st, uint32_t i,
                     int flow, uint64_t due, uint64_t *rng)
{
    sl_flow_run_t *r = &p->v[i];
    st[flow].scheduled++;
    r->flow = flow;
    r->step = 0;
    r->rep = 0;
    r->tries = 0;
    r->in_flight = 0;
    r->start_due = r->due = due_after(&fs->f[flow].steps[0], due, rng);
    r->number = ++p->started;
}

const char *sl_flow_reason_name(int reason)
{
    return reason == SL_FLOW_SCRIPT_ERROR ? "script_error_before_send"
                                          : sl_result_name((sl_result_t)reason);
}
