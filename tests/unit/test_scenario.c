/*
 * test_scenario: several scenarios in one run: each scenario's schedule and operation mix
 * exact in one worker's walk, the same entries split over workers and segments, the summed
 * profile of the per-second targets (with a start offset and a jump), and the refusals. The
 * closed model's scenarios: users over time (a start, a ramp, an end), their split over
 * segments and workers adding up at every instant, the connections that follow, the refusals.
 */
#include <math.h>
#include <stdlib.h>

#include "unit.h"
#include "core/config.h"
#include "core/load.h"
#include "core/nearest.h"
#include "core/scenario.h"
#include "core/scenario_flows.h"
#include "core/scenario_plan.h"
#include "core/scenario_users.h"

#define S 1000000000ULL

static void two_ops_config(sl_config_t *cfg)
{
    char err[200];
    sl_config_init(cfg);
    cfg->duration_ns = 2 * S;
    CHECK(sl_config_add_operation(cfg, "A", 1, err, sizeof(err)) == 0);
    CHECK(sl_config_add_operation(cfg, "B", 1, err, sizeof(err)) == 0);
    CHECK(sl_config_add_operation(cfg, "C", 1, err, sizeof(err)) == 0);
}

/* background: 100/s of A for 2 s; rampup: 0 -> 200/s over 2 s of B = 3, C = 1 */
static sl_scenarios_t *two_scenarios(void)
{
    static sl_scenarios_t ss;
    memset(&ss, 0, sizeof(ss));
    ss.n = 2;
    sl_scenario_t *r = &ss.s[0], *b = &ss.s[1]; /* unsorted: finish sorts them */
    snprintf(r->name, sizeof(r->name), "rampup");
    r->stages[0] = (sl_stage_t){2 * S, 200};
    r->nstages = 1;
    r->weights[1] = 3;
    r->weights[2] = 1;
    r->has_operations = 1;
    snprintf(b->name, sizeof(b->name), "background");
    b->rate = 100;
    b->has_rate = 1;
    b->weights[0] = 1;
    b->has_operations = 1;
    return &ss;
}

/* Walks worker w of n of segment seg of nseg; adds per scenario the entries, their operations
 * and the sum of their due times. Checks the walk never goes back in time. */
static void walk(sl_config_t *cfg, int w, int n, uint64_t count[2], uint64_t ops[3],
                 long double due_sum[2])
{
    char err[200];
    sl_scenario_plan_t *sp = malloc(sizeof(*sp));
    CHECK(sl_scenario_plan_init(sp, cfg, w, n, err, sizeof(err)) == 0);
    uint64_t last = 0, taken = 0;
    while (sp->next_due != SL_PROFILE_END) {
        CHECK(sp->next_due >= last);
        last = sp->next_due;
        count[sp->cur]++;
        ops[sl_scenario_plan_op(sp)]++;
        due_sum[sp->cur] += sp->next_due;
        sl_scenario_plan_advance(sp);
        taken++;
    }
    CHECK_EQ_U(sp->j, taken);
    CHECK_EQ_U(sl_scenario_plan_total(sp), taken);
    sl_scenario_plan_free(sp);
    free(sp);
}

/* With flows: the operations Login, Get, Logout (the steps of flow order) and Ping (a single
 * operation: a flow of one step); scenario checkout starts order at 100/s for 2 s, mixed order
 * 1 : Ping 3 at 40/s for 1 s, and all (neither named) both by their weights at 10/s for 1 s. */
static void test_flows(void)
{
    char err[300];
    sl_config_t cfg;
    sl_config_init(&cfg);
    cfg.duration_ns = S;
    const char *names[] = {"Login", "Get", "Logout", "Ping"};
    for (int i = 0; i < 4; i++)
        CHECK(sl_config_add_operation(&cfg, names[i], 1, err, sizeof(err)) == 0);
    sl_flows_t *fs = calloc(1, sizeof(*fs));
    cfg.flows = fs;
    CHECK(sl_flows_add(fs, "order", 1, err, sizeof(err)) == 0);
    CHECK(sl_flows_add(fs, "Ping", 2, err, sizeof(err)) == 1);
    fs->f[0].nsteps = 3;
    for (int k = 0; k < 3; k++)
        fs->f[0].steps[k].op = k;
    fs->f[1].nsteps = 1;
    fs->f[1].steps[0].op = 3;
    fs->f[1].single = 1;
    sl_scenarios_t *ss = calloc(1, sizeof(*ss));
    ss->n = 3;
    snprintf(ss->s[0].name, sizeof(ss->s[0].name), "checkout");
    ss->s[0].rate = 100, ss->s[0].has_rate = 1;
    ss->s[0].duration_ns = 2 * S, ss->s[0].has_duration = 1;
    ss->s[0].flow_weights[0] = 1, ss->s[0].has_flows = 1;
    snprintf(ss->s[1].name, sizeof(ss->s[1].name), "mixed");
    ss->s[1].rate = 40, ss->s[1].has_rate = 1;
    ss->s[1].flow_weights[0] = 1, ss->s[1].has_flows = 1;
    ss->s[1].flow_weights[1] = 3, ss->s[1].has_operations = 1;
    snprintf(ss->s[2].name, sizeof(ss->s[2].name), "all");
    ss->s[2].rate = 9, ss->s[2].has_rate = 1;
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) == 0);
    CHECK_STR(ss->s[0].name, "all");
    /* the steps of a scenario's flows have the flow's weight; the default is every flow's */
    CHECK(ss->s[0].flow_weights[0] == 1 && ss->s[0].flow_weights[1] == 2);
    CHECK(ss->s[2].weights[0] == 1 && ss->s[2].weights[2] == 1 && ss->s[2].weights[3] == 3);
    CHECK(ss->s[1].weights[3] == 0 && ss->s[1].weights[1] == 1);
    CHECK(sl_scenario_flows_starts(&cfg, &ss->s[1]));
    /* each scenario's flow starts exact, alone and over 2 segments of 3 workers */
    uint64_t one[3][2] = {{0}}, split[3][2] = {{0}};
    for (int seg = 0; seg < 3; seg++) {
        int single = seg == 0, nw = single ? 1 : 3;
        cfg.segment = single ? 0 : seg - 1;
        cfg.nsegments = single ? 0 : 2;
        for (int w = 0; w < nw; w++) {
            sl_scenario_plan_t *sp = malloc(sizeof(*sp));
            CHECK(sl_scenario_plan_init(sp, &cfg, w, nw, err, sizeof(err)) == 0);
            for (; sp->next_due != SL_PROFILE_END; sl_scenario_plan_advance(sp))
                (single ? one : split)[sp->cur][sl_scenario_plan_flow(sp)]++;
            sl_scenario_plan_free(sp);
            free(sp);
        }
    }
    cfg.segment = cfg.nsegments = 0;
    CHECK_EQ_U(one[0][0], 3); /* all: 9 starts, order 1 : Ping 2 */
    CHECK_EQ_U(one[0][1], 6);
    CHECK_EQ_U(one[1][0], 200); /* checkout: order only */
    CHECK_EQ_U(one[1][1], 0);
    CHECK_EQ_U(one[2][0], 10); /* mixed: order 1 : Ping 3 */
    CHECK_EQ_U(one[2][1], 30);
    for (int i = 0; i < 3; i++)
        CHECK(split[i][0] == one[i][0] && split[i][1] == one[i][1]);
    cfg.scenarios = NULL;

    /* refusals: every weight 0, in either model */
    sl_scenarios_t *zero = calloc(1, sizeof(*zero));
    zero->n = 1;
    snprintf(zero->s[0].name, sizeof(zero->s[0].name), "z");
    zero->s[0].rate = 1, zero->s[0].has_rate = 1, zero->s[0].has_flows = 1;
    CHECK(sl_scenarios_finish(&cfg, zero, err, sizeof(err)) != 0);
    CHECK_STR(err, "soapload.scenarios.z: every flow and operation it names has weight 0: it would "
                   "start nothing");
    cfg.closed = 1;
    zero->s[0].has_rate = 0, zero->s[0].has_connections = 1, zero->s[0].connections = 2;
    CHECK(sl_scenarios_finish(&cfg, zero, err, sizeof(err)) != 0);
    CHECK_STR(err, "soapload.scenarios.z: every flow and operation it names has weight 0: it would "
                   "start nothing");
    free(zero);
    free(ss);
    sl_config_free(&cfg);
}

/* checkout: 0 -> 10 users over 4 s, then 10 for 2 s, from 1 s; browse: 3 users for 2 s */
static sl_scenarios_t *two_user_scenarios(void)
{
    static sl_scenarios_t ss;
    memset(&ss, 0, sizeof(ss));
    ss.n = 2;
    sl_scenario_t *c = &ss.s[0], *b = &ss.s[1];
    snprintf(c->name, sizeof(c->name), "checkout");
    c->stages[0] = (sl_stage_t){4 * S, 10};
    c->stages[1] = (sl_stage_t){2 * S, 10};
    c->nstages = 2;
    c->start_ns = S;
    c->has_start = 1;
    snprintf(b->name, sizeof(b->name), "browse");
    b->connections = 3;
    b->has_connections = 1;
    b->duration_ns = 2 * S;
    b->has_duration = 1;
    return &ss;
}

static void closed_users(void)
{
    char err[300];
    sl_config_t cfg;
    two_ops_config(&cfg);
    cfg.closed = 1;
    cfg.has_think = 1;
    cfg.think = (sl_delay_t){SL_DELAY_FIXED, 5, 0};
    sl_scenarios_t *ss = malloc(sizeof(*ss)); /* handed to cfg */
    *ss = *two_user_scenarios();
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) == 0);
    CHECK_STR(cfg.scenarios->s[0].name, "browse");
    const sl_scenario_t *b = &cfg.scenarios->s[0], *c = &cfg.scenarios->s[1];
    CHECK_EQ_U(cfg.duration_ns, 7 * S); /* checkout ends at 1 + 4 + 2 s */
    CHECK(cfg.connections == 13);
    CHECK(b->closed && b->has_think && b->think.a_ms == 5); /* the run's think time */
    CHECK(b->weights[0] == 1 && b->weights[2] == 1);        /* every operation */
    CHECK(sl_scenario_users_at(c, 0) == 0 && sl_scenario_users_at(c, S) == 0);
    CHECK(sl_scenario_users_at(c, 3 * S) == 5 && sl_scenario_users_at(c, 5 * S) == 10);
    CHECK(sl_scenario_users_at(c, 7 * S) == 0 && sl_scenario_users_at(b, 2 * S) == 0);
    CHECK(sl_scenario_users_at(b, 0) == 3);
    CHECK_EQ_U(sl_scenario_users_grow(c, 0), S + 4 * S / 10); /* the first user */
    CHECK_EQ_U(sl_scenario_users_grow(c, 3 * S), 3 * S + 4 * S / 10);
    CHECK_EQ_U(sl_scenario_users_grow(b, 0), UINT64_MAX);
    /* every instant's users add up over 3 segments of 2, 3 and 1 workers */
    for (uint64_t t = 0; t < 8 * S; t += S / 10) {
        for (int i = 0; i < 2; i++) {
            int all = sl_scenario_users_at(&cfg.scenarios->s[i], t), sum = 0;
            for (int seg = 0; seg < 3; seg++) {
                cfg.segment = seg;
                cfg.nsegments = 3;
                for (int w = 0; w < seg + 1; w++)
                    sum += sl_scenario_users_share(&cfg, i, all, w, seg + 1);
            }
            CHECK(sum == all);
        }
    }
    /* the remainders go round: 13 users over 3 segments are 5, 4, 4; over 4 workers 4, 3, 3, 3 */
    int total = 0;
    for (int seg = 0; seg < 3; seg++) {
        cfg.segment = seg;
        total += sl_scenario_users_segment(&cfg);
        CHECK(sl_scenario_users_segment(&cfg) == (seg == 0 ? 5 : 4));
    }
    CHECK(total == 13);
    cfg.nsegments = 0;
    cfg.segment = 0;
    for (int w = 0; w < 4; w++)
        CHECK(sl_scenario_users_worker(&cfg, w, 4) == (w == 0 ? 4 : 3));
    sl_config_free(&cfg);

    /* refusals */
    two_ops_config(&cfg);
    cfg.closed = 1;
    ss = two_user_scenarios();
    ss->s[1].has_connections = 0;
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) != 0);
    CHECK(strstr(err, "soapload.scenarios.browse has no users: give it connections = N") == err);
    ss = two_user_scenarios();
    ss->s[1].nstages = 1;
    ss->s[1].stages[0] = (sl_stage_t){S, 5};
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) != 0);
    CHECK(strstr(err, "soapload.scenarios.browse has both connections and stages") == err);
    ss = two_user_scenarios();
    sl_optset_add(&cfg.given, SL_OPT_CONNECTIONS);
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) != 0);
    CHECK(strstr(err, "soapload.scenarios takes no --connections (-c) in the closed model") == err);
    cfg.given = (sl_optset_t){{0}};
    ss = two_user_scenarios();
    ss->s[1].connections = 0;
    ss->s[0].stages[0].target = ss->s[0].stages[1].target = 0;
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) != 0);
    CHECK(strstr(err, "soapload.scenarios has no virtual users") == err);
    sl_config_free(&cfg);
}

int main(void)
{
    closed_users();
    char err[300];
    sl_config_t cfg;

    two_ops_config(&cfg);
    sl_scenarios_t *ss = two_scenarios();
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) == 0);
    CHECK_STR(ss->s[0].name, "background");
    CHECK_EQ_U(cfg.duration_ns, 2 * S);

    /* one worker: each scenario's integral, and each one's mix exactly */
    uint64_t count[2] = {0}, ops[3] = {0};
    long double due[2] = {0};
    walk(&cfg, 0, 1, count, ops, due);
    CHECK_EQ_U(count[0], 200);
    CHECK_EQ_U(count[1], 200);
    CHECK_EQ_U(ops[0], 200);
    CHECK_EQ_U(ops[1], 150);
    CHECK_EQ_U(ops[2], 50);

    /* 3 workers in each of 2 segments: the same entries in all */
    uint64_t c2[2] = {0}, o2[3] = {0};
    long double d2[2] = {0};
    for (int seg = 0; seg < 2; seg++) {
        cfg.segment = seg;
        cfg.nsegments = 2;
        for (int w = 0; w < 3; w++)
            walk(&cfg, w, 3, c2, o2, d2);
    }
    cfg.segment = cfg.nsegments = 0;
    CHECK_EQ_U(c2[0], count[0]);
    CHECK_EQ_U(c2[1], count[1]);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_U(o2[i], ops[i]);
    CHECK(d2[0] == due[0] && d2[1] == due[1]);

    /* Poisson arrivals in the ramp, bursts of 3 in the background: 2 workers in each of 3
     * segments walk the same entries as one worker alone */
    ss->s[1].arrival = SL_ARRIVAL_POISSON;
    ss->s[0].burst = 3;
    cfg.seed = 42;
    uint64_t pc[2] = {0}, po[3] = {0}, qc[2] = {0}, qo[3] = {0};
    long double pd[2] = {0}, qd[2] = {0};
    walk(&cfg, 0, 1, pc, po, pd);
    CHECK_EQ_U(pc[0], 200);
    CHECK(pc[1] > 150 && pc[1] < 250); /* 200 expected */
    CHECK_EQ_U(po[1] + po[2], pc[1]);
    for (int seg = 0; seg < 3; seg++) {
        cfg.segment = seg;
        cfg.nsegments = 3;
        for (int w = 0; w < 2; w++)
            walk(&cfg, w, 2, qc, qo, qd);
    }
    cfg.segment = cfg.nsegments = 0;
    CHECK_EQ_U(qc[0], pc[0]);
    CHECK_EQ_U(qc[1], pc[1]);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_U(qo[i], po[i]);
    CHECK(qd[0] == pd[0] && qd[1] == pd[1]);
    ss->s[1].arrival = SL_ARRIVAL_UNIFORM;
    ss->s[0].burst = 1;

    /* the summed target: 100 + 50 in the first second, 100 + 150 in the second */
    sl_profile_t p;
    CHECK(sl_load_profile(&cfg, &p, err, sizeof(err)) == 0);
    CHECK(fabsl(sl_profile_integral(&p, S) - 150) < 1e-6);
    CHECK(fabsl(sl_profile_integral(&p, 2 * S) - 400) < 1e-6);
    cfg.scenarios = NULL; /* static here: not the config's to free */
    sl_config_free(&cfg);

    /* a third scenario from 3 s to 4 s: the run lasts 4 s, nothing is due in [2, 3) */
    two_ops_config(&cfg);
    sl_scenarios_t *late = calloc(1, sizeof(*late));
    *late = *two_scenarios();
    late->n = 3;
    snprintf(late->s[2].name, sizeof(late->s[2].name), "late");
    late->s[2].rate = 10;
    late->s[2].has_rate = 1;
    late->s[2].duration_ns = S;
    late->s[2].has_duration = 1;
    late->s[2].start_ns = 3 * S;
    CHECK(sl_scenarios_finish(&cfg, late, err, sizeof(err)) == 0);
    CHECK_EQ_U(cfg.duration_ns, 4 * S);
    CHECK(sl_load_profile(&cfg, &p, err, sizeof(err)) == 0);
    CHECK(fabsl(sl_profile_integral(&p, 3 * S) - 400) < 1e-6);
    CHECK(fabsl(sl_profile_integral(&p, 4 * S) - 410) < 1e-6);
    CHECK(sl_profile_rate_at(&p, 3 * S) == 10);
    sl_scenario_plan_t *sp = malloc(sizeof(*sp));
    CHECK(sl_scenario_plan_init(sp, &cfg, 0, 1, err, sizeof(err)) == 0);
    uint64_t lates = 0, late_all = 0;
    while (sp->next_due != SL_PROFILE_END) {
        if (strcmp(sl_scenario_plan_name(sp), "late") == 0) {
            CHECK(sp->next_due >= 3 * S && sp->next_due < 4 * S);
            lates += sl_scenario_plan_op(sp) == 0; /* all of soapload.operations, equal */
            late_all++;
        }
        sl_scenario_plan_advance(sp);
    }
    CHECK_EQ_U(late_all, 10);
    CHECK_EQ_U(lates, 4); /* A, B, C, A, B, C, A, B, C, A */
    sl_scenario_plan_free(sp);
    free(sp);
    sl_config_free(&cfg); /* frees late */

    /* refusals */
    two_ops_config(&cfg);
    ss = two_scenarios();
    ss->s[1].nstages = 1;
    ss->s[1].stages[0] = (sl_stage_t){S, 5};
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) != 0);
    CHECK_STR(err, "soapload.scenarios.background has both rate and stages: give one of them (a "
                   "stage holds a rate with {duration = ..., target = N})");
    ss = two_scenarios();
    ss->s[1].has_rate = 0;
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) != 0);
    CHECK(strstr(err, "soapload.scenarios.background has no load") == err);
    ss = two_scenarios();
    sl_optset_add(&cfg.given, SL_OPT_RATE);
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) != 0);
    CHECK(strstr(err, "soapload.scenarios takes no --rate (-R)") == err);
    cfg.given = (sl_optset_t){{0}};
    ss = two_scenarios();
    ss->s[0].weights[1] = ss->s[0].weights[2] = 0;
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) != 0);
    CHECK(strstr(err, "soapload.scenarios.rampup.operations: every operation has weight 0") == err);
    ss = two_scenarios();
    ss->n = 0;
    CHECK(sl_scenarios_finish(&cfg, ss, err, sizeof(err)) != 0);
    CHECK(strstr(err, "soapload.scenarios is empty") == err);
    CHECK(cfg.scenarios == NULL);
    sl_config_free(&cfg);

    test_flows();

    CHECK_STR(sl_nearest("operation", sl_scenario_keys), "operations");
    CHECK_STR(sl_nearest("flow", sl_scenario_keys), "flows");
    CHECK_STR(sl_nearest("start_afer", sl_scenario_keys), "start_after");
    CHECK_STR(sl_nearest("connection", sl_scenario_keys), "connections");
    CHECK(sl_scenario_name_ok("ramp-up_2.b"));
    CHECK(!sl_scenario_name_ok("ramp up"));
    CHECK(!sl_scenario_name_ok(""));
    return check_report();
}
