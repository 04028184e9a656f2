/*
 * test_plan: a worker's share of the schedule (uniform, bursts, Poisson: every worker walks
 * the one sequence and the shares add up to it), the wait queue of thinking connections, and
 * the closed model's connections over stages.
 */
#include "unit.h"
#include "core/config.h"
#include "core/config_check.h"
#include "core/plan.h"
#include "core/waitq.h"

#define S 1000000000ULL

int main(void)
{
    char err[200];
    sl_profile_t p;

    /* a constant rate: the uniform schedule as before, worker 1 of 3 takes k = 1, 4, ... */
    sl_stage_t flat[] = {{S, 300}};
    CHECK(sl_profile_init(&p, 300, flat, 1, err, sizeof(err)) == 0);
    sl_plan_t pl;
    sl_plan_init(&pl, &p, 1, 0, 0, 1, 3);
    CHECK_EQ_U(pl.next_due, 3333333);
    sl_plan_advance(&pl);
    CHECK_EQ_U(pl.next_due, 13333333);
    CHECK_EQ_U(sl_plan_worker_total(&p, 1, 0, 0, 1, 3), 100);
    /* bursts of 4: k = 5 is due with k = 4 */
    sl_plan_init(&pl, &p, 4, 0, 0, 1, 2);
    sl_plan_advance(&pl);
    sl_plan_advance(&pl); /* k = 5 */
    CHECK_EQ_U(pl.next_due, sl_profile_time_of(&p, 4));

    /* Poisson: two workers' shares interleave into the one-worker walk */
    sl_stage_t ramp[] = {{2 * S, 1000}};
    CHECK(sl_profile_init(&p, 0, ramp, 1, err, sizeof(err)) == 0);
    sl_plan_t all, w0, w1;
    sl_plan_init(&all, &p, 1, 1, 42, 0, 1);
    sl_plan_init(&w0, &p, 1, 1, 42, 0, 2);
    sl_plan_init(&w1, &p, 1, 1, 42, 1, 2);
    uint64_t n = 0;
    while (all.next_due != SL_PROFILE_END) {
        sl_plan_t *w = n % 2 == 0 ? &w0 : &w1;
        CHECK_EQ_U(w->next_due, all.next_due);
        sl_plan_advance(w);
        sl_plan_advance(&all);
        n++;
    }
    CHECK_EQ_U(w0.next_due, SL_PROFILE_END);
    CHECK_EQ_U(w1.next_due, SL_PROFILE_END);
    CHECK(n > 900 && n < 1100); /* 1,000 expected */
    CHECK_EQ_U(sl_plan_worker_total(&p, 1, 1, 42, 0, 2) + sl_plan_worker_total(&p, 1, 1, 42, 1, 2),
               n);

    /* the wait queue gives the earliest first */
    sl_waitq_t q;
    sl_waitq_entry_t e;
    CHECK(sl_waitq_init(&q, 4) == 0);
    CHECK(sl_waitq_push(&q, 30, 0) == 0);
    CHECK(sl_waitq_push(&q, 10, 1) == 0);
    CHECK(sl_waitq_push(&q, 20, 2) == 0);
    CHECK(sl_waitq_push(&q, 5, 3) == 0);
    CHECK(sl_waitq_push(&q, 1, 4) == -1); /* full */
    CHECK_EQ_U(sl_waitq_next(&q), 5);
    uint32_t order[] = {3, 1, 2, 0};
    for (int i = 0; i < 4; i++) {
        CHECK(sl_waitq_pop(&q, &e) == 0);
        CHECK_EQ_U(e.index, order[i]);
    }
    CHECK(sl_waitq_pop(&q, &e) == -1);
    CHECK_EQ_U(sl_waitq_next(&q), UINT64_MAX);
    sl_waitq_free(&q);

    /* closed stages: 0 -> 4 connections over 1 s, then 4 for 1 s, then down to 0 */
    sl_config_t cfg;
    sl_config_init(&cfg);
    cfg.closed = 1;
    cfg.url = strdup("http://127.0.0.1:1/");
    sl_config_stage_t st[] = {{.duration_ns = S, .connections = 4, .has_connections = 1},
                              {.duration_ns = S, .connections = 4, .has_connections = 1},
                              {.duration_ns = S, .connections = 0, .has_connections = 1}};
    for (int i = 0; i < 3; i++)
        CHECK(sl_config_add_stage(&cfg, &st[i], err, sizeof(err)) == 0);
    CHECK(sl_config_validate(&cfg, err, sizeof(err)) == 0);
    CHECK_EQ_U(cfg.duration_ns, 3 * S);
    CHECK_EQ_U(cfg.connections, 4);
    CHECK_EQ_U(sl_config_connections_at(&cfg, 0), 0);
    CHECK_EQ_U(sl_config_connections_at(&cfg, S / 4), 1);
    CHECK_EQ_U(sl_config_connections_at(&cfg, S / 4 - 1), 0);
    CHECK_EQ_U(sl_config_connections_at(&cfg, 3 * S / 2), 4);
    CHECK_EQ_U(sl_config_connections_at(&cfg, 5 * S / 2), 2);
    CHECK_EQ_U(sl_config_connections_grow(&cfg, 0), S / 4);
    CHECK_EQ_U(sl_config_connections_grow(&cfg, S / 4), S / 2);
    CHECK_EQ_U(sl_config_connections_grow(&cfg, S / 2 + 1), 3 * S / 4);
    CHECK_EQ_U(sl_config_connections_grow(&cfg, S), UINT64_MAX); /* only holds and falls after */
    sl_config_free(&cfg);
    return check_report();
}
