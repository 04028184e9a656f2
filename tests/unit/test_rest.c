/*
 * test_rest: the rest of a worker's schedule counted by sl_rest_count (bisection and the mix's
 * period) equals the rest walked entry by entry: per second of due time, per scenario, per
 * operation, and after `now`; for a ramp in stages, bursts, scenarios with a start offset,
 * Poisson arrivals, several workers and segments.
 */
#include <stdlib.h>

#include "unit.h"
#include "core/config.h"
#include "core/rest.h"
#include "core/scenario.h"
#include "core/scenario_plan.h"

#define S 1000000000ULL

/* Takes worker w of n's entries due before `taken` (what it sent), then compares the rest as
 * counted and as walked. */
static void compare(const sl_config_t *cfg, int w, int n, uint64_t taken, uint64_t now,
                    uint64_t end)
{
    char err[200];
    sl_scenario_plan_t *sp = malloc(sizeof(*sp));
    CHECK(sl_scenario_plan_init(sp, cfg, w, n, err, sizeof(err)) == 0);
    while (sp->next_due < taken)
        sl_scenario_plan_advance(sp);
    uint64_t second = taken / S;
    sl_rest_t r;
    CHECK(sl_rest_count(&r, sp, second, now, end) == 0);
    uint64_t nsec = (end + S - 1) / S - second;
    CHECK_EQ_U(r.first_second, second);
    CHECK_EQ_U(r.nseconds, nsec);
    uint64_t *per_second = calloc(nsec, sizeof(*per_second));
    uint64_t per_scenario[SL_MAX_SCENARIOS] = {0}, per_op[SL_MAX_OPERATIONS] = {0};
    uint64_t total = 0, after = 0;
    for (; sp->next_due < end; sl_scenario_plan_advance(sp)) {
        uint64_t s = sp->next_due / S;
        per_second[s > second ? s - second : 0]++;
        per_scenario[sp->cur]++;
        if (cfg->nops > 0)
            per_op[sl_scenario_plan_op(sp)]++;
        after += sp->next_due > now;
        total++;
    }
    CHECK_EQ_U(r.total, total);
    CHECK_EQ_U(r.after, after);
    for (uint64_t k = 0; k < nsec; k++)
        CHECK_EQ_U(r.per_second[k], per_second[k]);
    for (int i = 0; i < SL_MAX_SCENARIOS; i++)
        CHECK_EQ_U(r.per_scenario[i], per_scenario[i]);
    for (int o = 0; o < SL_MAX_OPERATIONS; o++)
        CHECK_EQ_U(r.per_op[o], per_op[o]);
    free(per_second);
    sl_rest_free(&r);
    sl_scenario_plan_free(sp);
    free(sp);
}

int main(void)
{
    char err[200];
    sl_config_t cfg;

    /* 3 operations 7:2:1; a ramp 0 -> 900/s over 3 s, then 900/s for 4 s, then down to 50/s */
    sl_config_init(&cfg);
    CHECK(sl_config_add_operation(&cfg, "A", 7, err, sizeof(err)) == 0);
    CHECK(sl_config_add_operation(&cfg, "B", 2, err, sizeof(err)) == 0);
    CHECK(sl_config_add_operation(&cfg, "C", 1, err, sizeof(err)) == 0);
    cfg.nstages = 3;
    cfg.stages[0].duration_ns = 3 * S;
    cfg.stages[0].target = 900;
    cfg.stages[1].duration_ns = 4 * S;
    cfg.stages[1].target = 900;
    cfg.stages[2].duration_ns = 2500000000ULL;
    cfg.stages[2].target = 50;
    cfg.duration_ns = 9500000000ULL;
    for (int n = 1; n <= 3; n++)
        for (int w = 0; w < n; w++) {
            compare(&cfg, w, n, 0, 0, cfg.duration_ns); /* all of it */
            compare(&cfg, w, n, 1234567890ULL, 1300000000ULL, cfg.duration_ns);
            compare(&cfg, w, n, 5 * S, 5 * S, 8 * S); /* the end before the schedule's */
        }
    cfg.burst = 4;
    compare(&cfg, 1, 2, 2 * S + 3, 2 * S + 7, cfg.duration_ns);
    cfg.segment = 1;
    cfg.nsegments = 3;
    compare(&cfg, 0, 2, 3 * S, 3 * S + 1, cfg.duration_ns);
    cfg.segment = cfg.nsegments = 0;
    cfg.burst = 1;
    cfg.arrival = SL_ARRIVAL_POISSON;
    cfg.seed = 7;
    compare(&cfg, 1, 3, 2 * S, 2 * S + 500000000ULL, cfg.duration_ns);
    cfg.arrival = SL_ARRIVAL_UNIFORM;

    /* two scenarios, one from 2 s on */
    static sl_scenarios_t ss;
    ss.n = 2;
    snprintf(ss.s[0].name, sizeof(ss.s[0].name), "steady");
    ss.s[0].rate = 300;
    ss.s[0].has_rate = 1;
    ss.s[0].weights[0] = 1;
    ss.s[0].weights[2] = 1;
    ss.s[0].has_operations = 1;
    snprintf(ss.s[1].name, sizeof(ss.s[1].name), "late");
    ss.s[1].stages[0] = (sl_stage_t){3 * S, 600};
    ss.s[1].nstages = 1;
    ss.s[1].start_ns = 2 * S;
    ss.s[1].weights[1] = 1;
    ss.s[1].has_operations = 1;
    cfg.nstages = 0;
    cfg.duration_ns = 5 * S;
    CHECK(sl_scenarios_finish(&cfg, &ss, err, sizeof(err)) == 0);
    compare(&cfg, 0, 1, S + 1, S + 2, cfg.duration_ns);
    compare(&cfg, 1, 2, 3 * S, 3 * S, cfg.duration_ns);
    ss.s[0].arrival = SL_ARRIVAL_POISSON;
    compare(&cfg, 0, 2, 2 * S, 2 * S, cfg.duration_ns);
    cfg.scenarios = NULL; /* static here: not the config's to free */
    sl_config_free(&cfg);

    return check_report();
}
