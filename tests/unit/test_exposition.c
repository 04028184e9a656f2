/*
 * test_exposition: the text of GET /metrics: each latency in the fixed bucket its value
 * belongs to (edges included), cumulative buckets, _count and +Inf equal to the histogram's
 * total, the outcome and stage of every count, the two formats' differences.
 */
#include <stdlib.h>

#include "core/exposition.h"
#include "unit.h"

/* The text of v in one format; the caller frees it. */
static char *expose(const sl_exposition_t *v, int om)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK(sl_exposition_write(f, v, om) == 0);
    fclose(f);
    return text;
}

/* The value of the sample line that starts with `series` and a space, or -1. */
static double value(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = text; p != NULL && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    return -1;
}

#define BUCKET(le) "soapload_latency_seconds_bucket{segment=\"\",operation=\"all\",le=\"" le "\"}"

int main(void)
{
    sl_hist_t *lat = calloc(1, sizeof(*lat)), *svc = calloc(1, sizeof(*svc));
    sl_hist_reset(lat);
    sl_hist_reset(svc);
    sl_hist_record(lat, 500);       /* exactly 0.5 ms: in le 0.0005 */
    sl_hist_record(lat, 501);       /* just above: le 0.001 */
    sl_hist_record_n(lat, 2000, 3); /* 2 ms: le 0.0025 */
    sl_hist_record(lat, 9000000);   /* 9 s: le 10 */
    sl_hist_record(lat, 70000000);  /* past 60 s, clamped: only +Inf */
    sl_counts_t c = {.scheduled = 12, .sent = 7, .not_sent = 1, .script_errors_before_send = 1};
    c.results[SL_R_OK] = 6;
    c.results[SL_R_SOAP_FAULT] = 1;
    c.before_send[SL_R_CONNECT] = 2;
    c.before_send[SL_R_TLS] = 1;
    sl_exposition_t v = {.segment = "",
                         .counts = &c,
                         .in_flight = 3,
                         .has_target = 1,
                         .target_rate = 1000,
                         .achieved_rate = 998,
                         .latency = lat,
                         .service = svc};

    char *text = expose(&v, 0);
    CHECK(value(text, BUCKET("0.0005")) == 1);
    CHECK(value(text, BUCKET("0.001")) == 2);
    CHECK(value(text, BUCKET("0.0025")) == 5);
    CHECK(value(text, BUCKET("5.0")) == 5);
    CHECK(value(text, BUCKET("10.0")) == 6);
    CHECK(value(text, BUCKET("+Inf")) == 7);
    CHECK(value(text, "soapload_latency_seconds_count{segment=\"\",operation=\"all\"}") == 7);
    double sum = value(text, "soapload_latency_seconds_sum{segment=\"\",operation=\"all\"}");
    CHECK(sum > 69.0 && sum < 69.2); /* 60 (clamped) + 9 + 0.007, to 3 significant digits */
    CHECK(value(text, "soapload_service_seconds_count{segment=\"\",operation=\"all\"}") == 0);
    CHECK(value(text, "soapload_requests_total{segment=\"\",operation=\"all\",outcome=\"ok\","
                      "stage=\"sent\"}") == 6);
    CHECK(value(text, "soapload_requests_total{segment=\"\",operation=\"all\",outcome=\"soap_"
                      "fault\",stage=\"sent\"}") == 1);
    CHECK(value(text, "soapload_requests_total{segment=\"\",operation=\"all\",outcome=\"connect\","
                      "stage=\"before_send\"}") == 2);
    CHECK(value(text, "soapload_requests_total{segment=\"\",operation=\"all\",outcome=\"tls\","
                      "stage=\"before_send\"}") == 1);
    /* request() raising counts as a script error before send */
    CHECK(value(text, "soapload_requests_total{segment=\"\",operation=\"all\",outcome=\"script_"
                      "error\",stage=\"before_send\"}") == 1);
    /* a kind that never happened before send is left out, but connect and timeout are there */
    CHECK(value(text, "soapload_requests_total{segment=\"\",operation=\"all\",outcome=\"read\","
                      "stage=\"before_send\"}") == -1);
    CHECK(value(text, "soapload_requests_total{segment=\"\",operation=\"all\",outcome=\"timeout\","
                      "stage=\"before_send\"}") == 0);
    CHECK(value(text, "soapload_scheduled_total{segment=\"\"}") == 12);
    CHECK(value(text, "soapload_in_flight{segment=\"\"}") == 3);
    CHECK(value(text, "soapload_target_rate{segment=\"\"}") == 1000);
    CHECK(value(text, "soapload_achieved_rate{segment=\"\"}") == 998);
    CHECK(value(text, "soapload_finished{segment=\"\"}") == 0);
    CHECK(strstr(text, "# TYPE soapload_sent_total counter\n") != NULL);
    CHECK(strstr(text, "# EOF") == NULL);
    free(text);

    /* OpenMetrics: families without _total, samples with; UNIT; EOF last */
    v.has_target = 0; /* the closed model has no target */
    v.segment = "2/4";
    text = expose(&v, 1);
    CHECK(strstr(text, "# TYPE soapload_sent counter\nsoapload_sent_total{segment=\"2/4\"} 7\n") !=
          NULL);
    CHECK(strstr(text, "# TYPE soapload_requests counter\n") != NULL);
    CHECK(strstr(text, "# UNIT soapload_latency_seconds seconds\n") != NULL);
    CHECK(strstr(text, "soapload_target_rate") == NULL);
    CHECK(strlen(text) > 6 && strcmp(text + strlen(text) - 6, "# EOF\n") == 0);
    free(text);

    /* breakdowns: an operation in the same families; a scenario and a tag value in their own;
     * label values escaped ('"', '\\', newline) */
    sl_op_stats_t *ops = sl_opstats_new(1);
    ops[0].counts.sent = 2;
    ops[0].counts.results[SL_R_OK] = 2;
    sl_hist_record_n(ops[0].from_due, 2000, 2);
    const char *names[] = {"Get\"Or\\der\n"};
    sl_tags_t tags = {0};
    int sc = sl_tags_slot(&tags, "scenario", 8, "reads", 5),
        tg = sl_tags_slot(&tags, "tier", 4, "gold", 4);
    CHECK(sc >= 0 && tg >= 0);
    tags.items[sc].stats->counts.results[SL_R_OK] = 4;
    tags.items[tg].stats->counts.results[SL_R_TIMEOUT] = 1;
    sl_hist_record(tags.items[tg].stats->from_due, 30000000);
    v = (sl_exposition_t){.segment = "",
                          .counts = &c,
                          .latency = lat,
                          .service = svc,
                          .nops = 1,
                          .op_names = names,
                          .ops = ops,
                          .tags = &tags};
    text = expose(&v, 0);
    CHECK(value(text, "soapload_requests_total{segment=\"\",operation=\"Get\\\"Or\\\\der\\n\","
                      "outcome=\"ok\",stage=\"sent\"}") == 2);
    /* a breakdown leaves out the outcomes that did not happen (ok stays) */
    CHECK(value(text, "soapload_requests_total{segment=\"\",operation=\"Get\\\"Or\\\\der\\n\","
                      "outcome=\"timeout\",stage=\"sent\"}") == -1);
    CHECK(value(text, "soapload_latency_seconds_bucket{segment=\"\",operation=\"Get\\\"Or\\\\der"
                      "\\n\",le=\"0.0025\"}") == 2);
    CHECK(value(text, "soapload_scenario_requests_total{segment=\"\",scenario=\"reads\","
                      "outcome=\"ok\",stage=\"sent\"}") == 4);
    CHECK(value(text, "soapload_tag_requests_total{segment=\"\",tag=\"tier\",tag_value=\"gold\","
                      "outcome=\"timeout\",stage=\"sent\"}") == 1);
    CHECK(value(text, "soapload_tag_latency_seconds_bucket{segment=\"\",tag=\"tier\",tag_value="
                      "\"gold\",le=\"+Inf\"}") == 1);
    CHECK(value(text, "soapload_tag_requests_total{segment=\"\",tag=\"scenario\",tag_value="
                      "\"reads\",outcome=\"ok\",stage=\"sent\"}") == -1); /* scenarios apart */
    CHECK(strstr(text, "# TYPE soapload_scenario_latency_seconds histogram\n") != NULL);
    free(text);
    sl_tags_free(&tags);
    sl_opstats_free(ops, 1);

    free(lat);
    free(svc);
    return check_report();
}
