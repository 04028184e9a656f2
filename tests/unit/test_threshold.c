/*
 * test_threshold: parsing (units, operators, errors that name the problem) and evaluation.
 */
#include <math.h>
#include <stdlib.h>

#include "unit.h"
#include "core/threshold.h"

int main(void)
{
    sl_threshold_set_t set = {0};
    char err[512];
    CHECK(sl_threshold_parse(&set, "p99 < 50ms", err, sizeof(err)) == 0);
    CHECK(set.items[0].op == SL_OP_LT && set.items[0].value == 50000);
    CHECK(sl_threshold_parse(&set, "  p99.9<=2s ", err, sizeof(err)) == 0);
    CHECK_STR(set.items[1].metric, "p99.9");
    CHECK(set.items[1].value == 2e6);
    CHECK(sl_threshold_parse(&set, "error_rate < 1%", err, sizeof(err)) == 0);
    CHECK(set.items[2].value == 0.01);
    CHECK(sl_threshold_parse(&set, "rate >= 995", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&set, "service_p99 < 250us", err, sizeof(err)) == 0);
    CHECK(set.items[4].value == 250);
    CHECK(sl_threshold_parse(&set, "mean < 20", err, sizeof(err)) == 0); /* bare: ms */
    CHECK(set.items[5].value == 20000);
    CHECK(sl_threshold_parse(&set, "not_sent == 0", err, sizeof(err)) == 0);

    static const char *const bad[][2] = {
        {"p99", "expected METRIC OP VALUE"},
        {"p99 < ", "expected METRIC OP VALUE"},
        {"p99 = 5", "expected METRIC OP VALUE"},
        {"< 5", "unknown metric ''"},
        {"p99 < 5 parsecs", "unit 'parsecs' does not fit"},
        {"p99 < 5ms extra", "expected METRIC OP VALUE"},
        {"p101 < 5", "unknown metric 'p101'"},
        {"speed > 5", "unknown metric 'speed'"},
        {"rate > 5ms", "unit 'ms' does not fit metric 'rate'"},
        {"p99 < nan", "expected METRIC OP VALUE"},
    };
    sl_threshold_set_t scratch = {0};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(sl_threshold_parse(&scratch, bad[i][0], err, sizeof(err)) == -1);
        CHECK(strstr(err, bad[i][1]) != NULL);
        if (strstr(err, bad[i][1]) == NULL)
            fprintf(stderr, "  '%s' -> %s\n", bad[i][0], err);
    }
    CHECK_EQ_U(scratch.n, 0);

    sl_hist_t *h = calloc(1, sizeof(*h));
    sl_hist_reset(h);
    for (uint64_t v = 1; v <= 100; v++)
        sl_hist_record(h, v * 1000); /* 1..100 ms */
    sl_counts_t c = {.scheduled = 1000, .sent = 1000};
    c.results[SL_R_OK] = 995;
    c.results[SL_R_TIMEOUT] = 5;
    sl_metrics_t m = {.counts = &c, .latency = h, .service = h, .lateness = h, .duration_s = 1};
    /* p99 = 99 ms fails < 50ms; p99.9 = 100 ms passes <= 2s; error_rate 0.5% passes < 1%;
     * rate 1000 passes; service_p99 fails; mean 50.5 ms fails < 20ms; not_sent passes */
    CHECK_EQ_U(sl_threshold_evaluate(&set, &m), 3);
    CHECK(!set.items[0].passed && set.items[0].measured >= 99000 && set.items[0].measured < 99100);
    CHECK(set.items[1].passed);
    CHECK(set.items[2].passed && set.items[2].measured == 0.005);
    CHECK(set.items[3].passed);
    CHECK(!set.items[4].passed);
    CHECK(!set.items[5].passed);
    CHECK(set.items[6].passed);

    /* measured values are printed in the limit's own unit */
    char buf[64];
    sl_threshold_format_measured(&set.items[0], buf, sizeof(buf)); /* p99 < 50ms: 99 ms */
    CHECK(strncmp(buf, "99.", 3) == 0 && strcmp(buf + strlen(buf) - 2, "ms") == 0);
    sl_threshold_format_measured(&set.items[1], buf, sizeof(buf)); /* p99.9 <= 2s: 100 ms */
    CHECK(strncmp(buf, "0.1", 3) == 0 && buf[strlen(buf) - 1] == 's' && strstr(buf, "ms") == NULL);
    sl_threshold_format_measured(&set.items[2], buf, sizeof(buf)); /* error_rate < 1% */
    CHECK_STR(buf, "0.5%");
    sl_threshold_format_measured(&set.items[3], buf, sizeof(buf)); /* rate >= 995 */
    CHECK_STR(buf, "1000");
    CHECK_STR(set.items[5].unit, "ms"); /* a bare latency is ms, and says so */
    sl_threshold_format_measured(&set.items[6], buf, sizeof(buf)); /* not_sent == 0 */
    CHECK_STR(buf, "0");
    CHECK_STR(sl_threshold_base_unit("service_p99"), "us");

    /* one operation's metrics: p99{op=NAME}, error_rate{op=NAME} */
    sl_threshold_set_t ops = {0};
    CHECK(sl_threshold_parse(&ops, "p99{op=PlaceOrder} < 50ms", err, sizeof(err)) == 0);
    CHECK_STR(ops.items[0].operation, "PlaceOrder");
    CHECK_STR(ops.items[0].metric, "p99");
    CHECK(sl_threshold_parse(&ops, "error_rate{op=CancelOrder} < 1%", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&ops, "p99 < 1s", err, sizeof(err)) == 0);
    CHECK_STR(ops.items[2].operation, "");
    CHECK(sl_threshold_parse(&scratch, "lateness_p99{op=A} < 1s", err, sizeof(err)) == -1);
    CHECK(strstr(err, "not per operation") != NULL);
    CHECK(sl_threshold_parse(&scratch, "p99{op=A < 1s", err, sizeof(err)) == -1);
    const char *names[] = {"GetOrder", "PlaceOrder", "CancelOrder"};
    CHECK(sl_threshold_check_operations(&ops, names, 3, err, sizeof(err)) == 0);
    CHECK(sl_threshold_check_operations(&ops, names, 1, err, sizeof(err)) == -1);
    CHECK(strstr(err, "names operation 'PlaceOrder'") != NULL);
    /* a scenario's tag: checked against the script's scenarios as operations are */
    sl_threshold_set_t sc = {0};
    CHECK(sl_threshold_parse(&sc, "p99{scenario=rampup} < 50ms", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&sc, "p99{tier=gold} < 50ms", err, sizeof(err)) == 0);
    const char *scenarios[] = {"background", "rampup"};
    CHECK(sl_threshold_check_scenarios(&sc, scenarios, 2, err, sizeof(err)) == 0);
    CHECK(sl_threshold_check_scenarios(&sc, scenarios, 1, err, sizeof(err)) == -1);
    CHECK_STR(err, "threshold 'p99{scenario=rampup} < 50ms' names scenario 'rampup', which the "
                   "script does not define (scenarios: background)");
    CHECK(sl_threshold_check_scenarios(&sc, scenarios, 0, err, sizeof(err)) == -1);
    CHECK_STR(err, "threshold 'p99{scenario=rampup} < 50ms' names scenario 'rampup', which needs "
                   "soapload.scenarios: the script has none");
    sl_hist_t *fast = calloc(1, sizeof(*fast));
    sl_hist_reset(fast);
    sl_hist_record(fast, 1000); /* 1 ms */
    sl_counts_t place = {.scheduled = 10, .sent = 10}, cancel = {.scheduled = 10, .sent = 10};
    place.results[SL_R_OK] = 10;
    cancel.results[SL_R_OK] = 8;
    cancel.results[SL_R_EXPECTED_FAULT] = 1; /* a success */
    cancel.results[SL_R_SOAP_FAULT] = 1;
    sl_metrics_t per[3] = {{.counts = &c, .latency = h, .service = h, .duration_s = 1},
                           {.counts = &place, .latency = fast, .service = fast, .duration_s = 1},
                           {.counts = &cancel, .latency = fast, .service = fast, .duration_s = 1}};
    m.nops = 3;
    m.op_names = names;
    m.op_metrics = per;
    /* PlaceOrder's p99 1 ms passes < 50ms (the run's 99 ms would not); CancelOrder's error rate
     * is 10% (the expected Fault is not an error); the run's p99 99 ms passes < 1s */
    CHECK_EQ_U(sl_threshold_evaluate(&ops, &m), 1);
    CHECK(ops.items[0].passed && ops.items[0].measured == 1000);
    CHECK(!ops.items[1].passed && ops.items[1].measured == 0.1);
    CHECK(ops.items[2].passed);

    /* one tag value's metrics: p99{tier=gold}; a value no request carried fails, unmeasured */
    sl_threshold_set_t tg = {0};
    CHECK(sl_threshold_parse(&tg, "p99{tier=gold} < 50ms", err, sizeof(err)) == 0);
    CHECK_STR(tg.items[0].tag_name, "tier");
    CHECK_STR(tg.items[0].tag_value, "gold");
    CHECK_STR(tg.items[0].operation, "");
    CHECK(sl_threshold_parse(&tg, "error_rate{tier=bronze} < 1%", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&tg, "p99{tier=platinum} < 50ms", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&scratch, "lateness_p99{tier=a} < 1s", err, sizeof(err)) == -1);
    CHECK(strstr(err, "not per tag") != NULL);
    CHECK(sl_threshold_parse(&scratch, "p99{=a} < 1s", err, sizeof(err)) == -1);
    CHECK(sl_threshold_parse(&scratch, "p99{tier} < 1s", err, sizeof(err)) == -1);
    CHECK(sl_threshold_parse(&scratch, "p99{tier=a < 1s", err, sizeof(err)) == -1);
    sl_tag_t tags[2] = {{.name = "tier", .value = "gold"}, {.name = "tier", .value = "bronze"}};
    sl_metrics_t tag_m[2] = {
        {.counts = &place, .latency = fast, .service = fast, .duration_s = 1},
        {.counts = &cancel, .latency = fast, .service = fast, .duration_s = 1}};
    m.ntags = 2;
    m.tags = tags;
    m.tag_metrics = tag_m;
    CHECK_EQ_U(sl_threshold_evaluate(&tg, &m), 2);
    CHECK(tg.items[0].passed && tg.items[0].measured == 1000);
    CHECK(!tg.items[1].passed && tg.items[1].measured == 0.1);
    CHECK(!tg.items[2].passed && isnan(tg.items[2].measured));
    sl_threshold_format_measured(&tg.items[2], buf, sizeof(buf));
    CHECK_STR(buf, "no requests");
    free(fast);
    CHECK_STR(sl_threshold_base_unit("ok_rate"), "/s");
    CHECK_STR(sl_threshold_base_unit("error_rate"), "");

    sl_threshold_set_t u = {0};
    CHECK(sl_threshold_parse(&u, "p99 < 50ms", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&u, "service_max < 250us", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&u, "error_rate <= 0.5%", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&u, "error_rate < 0.01", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&u, "ok_rate >= 995/s", err, sizeof(err)) == 0);
    u.items[0].measured = 215;   /* us */
    u.items[1].measured = 215;   /* us */
    u.items[2].measured = 0.003; /* a fraction */
    u.items[3].measured = 0.003;
    u.items[4].measured = 998.4;
    static const char *const want[] = {"0.215ms", "215us", "0.3%", "0.003", "998.4/s"};
    for (int i = 0; i < 5; i++) {
        sl_threshold_format_measured(&u.items[i], buf, sizeof(buf));
        CHECK_STR(buf, want[i]);
    }
    CHECK(u.items[2].value == 0.005);

    /* each operator at its limit and on both sides of it: not_sent measured 4, 5 and 6 */
    static const struct {
        const char *text;
        int pass[3]; /* measured 4, 5, 6 */
    } edge[] = {
        {"not_sent < 5", {1, 0, 0}},  {"not_sent <= 5", {1, 1, 0}}, {"not_sent > 5", {0, 0, 1}},
        {"not_sent >= 5", {0, 1, 1}}, {"not_sent == 5", {0, 1, 0}}, {"not_sent != 5", {1, 0, 1}},
    };
    for (int k = 0; k < 3; k++) {
        sl_counts_t at = {.scheduled = 10, .sent = 10 - (uint64_t)(4 + k), .not_sent = 4 + k};
        at.results[SL_R_OK] = at.sent;
        sl_metrics_t em = {.counts = &at, .latency = h, .service = h, .duration_s = 1};
        for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
            sl_threshold_set_t one = {0};
            CHECK(sl_threshold_parse(&one, edge[i].text, err, sizeof(err)) == 0);
            sl_threshold_evaluate(&one, &em);
            CHECK_EQ_U(one.items[0].passed, edge[i].pass[k]);
        }
    }

    /* a latency and a rate exactly at the limit: only the operators that include it pass */
    static const struct {
        const char *text;
        int passes;
    } limit[] = {{"max < 100ms", 0},  {"max <= 100ms", 1}, {"max > 100ms", 0},
                 {"max >= 100ms", 1}, {"max == 100ms", 1}, {"max != 100ms", 0},
                 {"rate < 1000", 0},  {"rate <= 1000", 1}, {"rate > 1000", 0},
                 {"rate >= 1000", 1}, {"rate == 1000", 1}, {"rate != 1000", 0}};
    sl_counts_t at = {.scheduled = 1000, .sent = 1000}; /* 1000 sent in 1 s; max 100 ms */
    sl_metrics_t atm = {.counts = &at, .latency = h, .service = h, .lateness = h, .duration_s = 1};
    for (size_t i = 0; i < sizeof(limit) / sizeof(limit[0]); i++) {
        sl_threshold_set_t one = {0};
        CHECK(sl_threshold_parse(&one, limit[i].text, err, sizeof(err)) == 0);
        CHECK_EQ_U(sl_threshold_evaluate(&one, &atm), !limit[i].passes);
        if (one.items[0].passed != limit[i].passes)
            fprintf(stderr, "  '%s' at the limit: passed %d\n", limit[i].text, one.items[0].passed);
    }

    /* a latency threshold over no samples (nothing was answered) fails, measured "no samples";
     * a count over the same run is measured as usual */
    sl_hist_t *none = calloc(1, sizeof(*none));
    sl_hist_reset(none);
    sl_counts_t refused = {.scheduled = 20};
    refused.before_send[SL_R_CONNECT] = 20;
    sl_metrics_t empty = {
        .counts = &refused, .latency = none, .service = none, .lateness = none, .duration_s = 1};
    sl_threshold_set_t ns = {0};
    CHECK(sl_threshold_parse(&ns, "p99 < 50ms", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&ns, "service_max < 1s", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&ns, "mean >= 0", err, sizeof(err)) == 0);
    CHECK(sl_threshold_parse(&ns, "failed == 20", err, sizeof(err)) == 0);
    CHECK_EQ_U(sl_threshold_evaluate(&ns, &empty), 3);
    for (int i = 0; i < 3; i++) {
        CHECK(!ns.items[i].passed && ns.items[i].no_samples && isnan(ns.items[i].measured));
        sl_threshold_format_measured(&ns.items[i], buf, sizeof(buf));
        CHECK_STR(buf, "no samples");
    }
    CHECK(ns.items[3].passed && !ns.items[3].no_samples && ns.items[3].measured == 20);
    free(none);
    free(h);
    return check_report();
}
