/*
 * test_resultfile: the result file's round trip: a result written by its writer
 * (output/results.c) and read back by its reader (output/resultfile.c) has the settings,
 * counts, histograms, seconds, workers, operations, tags and failure reasons it was written
 * with, its flows (definitions as operations, counts by step and reason, the duration
 * histogram) too; and the reader refuses what is not a soapload result, by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/counts.h"
#include "core/flow.h"
#include "core/hist.h"
#include "core/opstats.h"
#include "engine/run.h"
#include "output/resultfile.h"
#include "output/results.h"
#include "unit.h"

static sl_hist_t *hist_of(uint64_t first_us, int n)
{
    sl_hist_t *h = calloc(1, sizeof(*h));
    sl_hist_reset(h);
    for (int i = 0; i < n; i++)
        sl_hist_record(h, first_us + (uint64_t)i * 37);
    return h;
}

/* Counts that satisfy both equations: scheduled = sent + not_sent + failed before send, and
 * sent = the sum of the results. */
static sl_counts_t counts_of(uint64_t ok, uint64_t timeouts)
{
    sl_counts_t c = {0};
    c.results[SL_R_OK] = ok;
    c.results[SL_R_TIMEOUT] = timeouts;
    c.sent = ok + timeouts;
    c.not_sent = 1;
    c.scheduled = c.sent + c.not_sent;
    c.bytes_sent = 100 * c.sent;
    c.bytes_received = 250 * ok;
    return c;
}

/* A result of a segmented open-model run with two workers, two seconds, two operations, one
 * tag value and one failure reason. */
static void make_result(sl_config_t *cfg, sl_run_t *run)
{
    char err[256];
    sl_config_init(cfg);
    free(cfg->url);
    cfg->url = strdup("http://127.0.0.1:8080/soap");
    cfg->script_path = "scripts/examples/default.lua";
    cfg->rate = 250;
    cfg->duration_ns = 2000000000ULL;
    cfg->connections = 4;
    cfg->workers = 2;
    cfg->timeout_ns = 3000000000ULL;
    cfg->burst = 2;
    cfg->seed = 12345;
    cfg->soap_version = 12;
    cfg->segment = 1;
    cfg->nsegments = 4;
    cfg->global_connections = 16;
    CHECK(sl_config_add_operation(cfg, "GetQuote", 3, err, sizeof(err)) == 0);
    CHECK(sl_config_add_operation(cfg, "PlaceOrder", 1, err, sizeof(err)) == 0);

    memset(run, 0, sizeof(*run));
    run->started_at.tv_sec = 1795793400;
    run->started_at.tv_nsec = 250000000;
    run->counts = counts_of(7, 1);
    run->latency = hist_of(1000, 8);
    run->service = hist_of(900, 8);
    run->lateness = hist_of(5, 9);
    run->tls_handshake = hist_of(3000, 2);
    run->conns_opened = 2;
    run->conns_reused = 6;
    run->elapsed_s = 2.5;
    run->max_in_flight = 3;
    run->nseconds = 2;
    run->seconds = calloc(2, sizeof(*run->seconds));
    for (int i = 0; i < 2; i++) {
        sl_second_t *s = &run->seconds[i];
        s->second = (uint64_t)i;
        s->counts = counts_of(i == 0 ? 4 : 3, (uint64_t)i);
        s->in_flight_max = 2 + (uint64_t)i;
        s->completed = 4;
        s->p50 = 1100;
        s->p90 = 1200;
        s->p99 = 1250;
        s->max = 1260;
        s->target = 62.5;
    }
    run->nworkers = 2;
    run->workers = calloc(2, sizeof(*run->workers));
    for (int i = 0; i < 2; i++) {
        run->workers[i].pid = 4242 + i;
        run->workers[i].counts = counts_of(i == 0 ? 4 : 3, (uint64_t)i);
        run->workers[i].last_seq = i == 0 ? 5 : 5;
        run->workers[i].max_in_flight = 2;
    }
    run->nops = 2;
    run->ops = sl_opstats_new(2);
    run->ops[0].counts = counts_of(5, 0);
    run->ops[1].counts = counts_of(2, 1);
    sl_hist_record_n(run->ops[0].from_due, 1000, 5);
    sl_hist_record_n(run->ops[1].from_due, 2000, 2);
    sl_hist_record_n(run->ops[0].service, 900, 5);
    sl_hist_record_n(run->ops[1].service, 1900, 2);
    sl_op_stats_t *tag = sl_opstats_new(1);
    tag->counts = counts_of(7, 1);
    sl_hist_record_n(tag->from_due, 1500, 7);
    sl_hist_record_n(tag->service, 1400, 7);
    CHECK(sl_tags_add(&run->tags, "tier", "gold", 0, tag) == 0);
    sl_opstats_free(tag, 1);
    sl_reasons_add_op(&run->reasons, 1, SL_R_TIMEOUT, "timed out after 3 s", 1);
}

static void check_hist(const sl_hist_t *got, const sl_hist_t *want, const char *what)
{
    CHECK(got != NULL);
    if (got == NULL)
        return;
    if (got->total != want->total || got->max != want->max ||
        sl_hist_percentile(got, 50) != sl_hist_percentile(want, 50) ||
        sl_hist_percentile(got, 99) != sl_hist_percentile(want, 99)) {
        fprintf(stderr, "%s: the histogram read back differs\n", what);
        CHECK(0);
    } else
        CHECK(1);
}

static void check_counts(const sl_counts_t *got, const sl_counts_t *want, const char *what)
{
    const char *differs = sl_counts_differ(got, want);
    if (differs != NULL)
        fprintf(stderr, "%s: %s differs\n", what, differs);
    CHECK(differs == NULL);
}

static void check_round_trip(const sl_resultfile_t *r, const sl_config_t *cfg, const sl_run_t *run)
{
    CHECK_STR(r->cfg.url, cfg->url);
    CHECK_STR(r->script, cfg->script_path);
    CHECK_STR(r->cfg.script_path, cfg->script_path);
    CHECK_STR(r->cfg.id_element, cfg->id_element);
    CHECK(!r->cfg.closed);
    CHECK(r->cfg.rate == 62.5 && r->mean_rate == 62.5); /* segment 1/4: its share of 250/s */
    CHECK_EQ_U(r->cfg.duration_ns, cfg->duration_ns);
    CHECK_EQ_U(r->cfg.timeout_ns, cfg->timeout_ns);
    CHECK_EQ_U(r->cfg.connections, 4);
    CHECK_EQ_U(r->cfg.workers, 2);
    CHECK_EQ_U(r->cfg.burst, 2);
    CHECK_EQ_U(r->cfg.seed, 12345);
    CHECK_EQ_U(r->cfg.soap_version, 12);
    CHECK_EQ_U(r->cfg.segment, 1);
    CHECK_EQ_U(r->cfg.nsegments, 4);
    CHECK(r->started_at_us == 1795793400250000LL);
    CHECK(r->run.started_at.tv_sec == 1795793400 && r->run.started_at.tv_nsec == 250000000);

    check_counts(&r->run.counts, &run->counts, "summary");
    check_hist(r->run.latency, run->latency, "latency.from_due");
    check_hist(r->run.service, run->service, "latency.service");
    check_hist(r->run.lateness, run->lateness, "latency.send_lateness");
    check_hist(r->run.tls_handshake, run->tls_handshake, "connections.tls_handshake");
    CHECK_EQ_U(r->run.conns_opened, 2);
    CHECK_EQ_U(r->run.conns_reused, 6);
    CHECK(r->run.elapsed_s == 2.5);
    CHECK_EQ_U(r->run.max_in_flight, 3);
    CHECK(!r->run.interrupted && r->run.workers_died == 0);

    CHECK_EQ_U(r->run.nseconds, 2);
    for (size_t i = 0; i < r->run.nseconds && i < 2; i++) {
        const sl_second_t *a = &r->run.seconds[i], *b = &run->seconds[i];
        CHECK_EQ_U(a->second, b->second);
        CHECK_EQ_U(a->in_flight_max, b->in_flight_max);
        CHECK_EQ_U(a->completed, b->completed);
        CHECK(a->p50 == b->p50 && a->p90 == b->p90 && a->p99 == b->p99 && a->max == b->max);
        CHECK(a->target == b->target);
        check_counts(&a->counts, &b->counts, "intervals[i].counts");
    }
    CHECK_EQ_U(r->run.nworkers, 2);
    for (int i = 0; i < r->run.nworkers && i < 2; i++) {
        CHECK_EQ_U(r->run.workers[i].pid, run->workers[i].pid);
        CHECK_EQ_U(r->run.workers[i].last_seq, run->workers[i].last_seq);
        CHECK_EQ_U(r->run.workers[i].max_in_flight, run->workers[i].max_in_flight);
        check_counts(&r->run.workers[i].counts, &run->workers[i].counts, "workers[i].counts");
    }
    CHECK_EQ_U(r->run.nops, 2);
    CHECK_EQ_U(r->cfg.nops, 2);
    for (int i = 0; i < r->run.nops && i < 2; i++) {
        CHECK_STR(r->cfg.op_names[i], cfg->op_names[i]);
        CHECK(r->cfg.op_weights[i] == cfg->op_weights[i]);
        check_counts(&r->run.ops[i].counts, &run->ops[i].counts, "operations[i].counts");
        check_hist(r->run.ops[i].from_due, run->ops[i].from_due, "operations[i] from_due");
        check_hist(r->run.ops[i].service, run->ops[i].service, "operations[i] service");
    }
    CHECK_EQ_U(r->run.tags.n, 1);
    if (r->run.tags.n == 1) {
        CHECK_STR(r->run.tags.items[0].name, "tier");
        CHECK_STR(r->run.tags.items[0].value, "gold");
        check_counts(&r->run.tags.items[0].stats->counts, &run->tags.items[0].stats->counts,
                     "tags.values[0].counts");
    }
    CHECK_EQ_U(sl_reasons_count(&r->run.reasons, 1, SL_R_TIMEOUT), 1);
    CHECK_EQ_U(sl_reasons_total(&r->run.reasons), 1);
}

/* The result as JSON, in memory (malloc'd). */
static char *written(const sl_config_t *cfg, const sl_run_t *run, size_t *len)
{
    char *doc = NULL;
    FILE *mem = open_memstream(&doc, len);
    CHECK(mem != NULL && sl_results_write_json(mem, cfg, run, NULL) == 0);
    CHECK(fclose(mem) == 0);
    return doc;
}

static void test_round_trip(void)
{
    sl_config_t cfg;
    sl_run_t run;
    sl_resultfile_t r;
    char err[512] = "", path[] = "/tmp/test_resultfile.XXXXXX";
    size_t len = 0;
    make_result(&cfg, &run);
    char *doc = written(&cfg, &run, &len);

    CHECK(sl_resultfile_parse(&r, "mem.json", doc, len, err, sizeof(err)) == 0);
    if (err[0] != '\0')
        fprintf(stderr, "%s\n", err);
    CHECK_STR(r.source, "mem.json");
    check_round_trip(&r, &cfg, &run);
    sl_resultfile_free(&r);

    /* the same through a file */
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, doc, len) == (ssize_t)len);
    close(fd);
    CHECK(sl_resultfile_load(&r, path, err, sizeof(err)) == 0);
    CHECK_STR(r.source, path);
    check_round_trip(&r, &cfg, &run);
    sl_resultfile_free(&r);
    unlink(path);

    free(doc);
    sl_run_free(&run);
    sl_config_free(&cfg);
}

/* text is refused with a message that holds want. */
static int refused(const char *text, const char *want)
{
    sl_resultfile_t r;
    char err[512] = "";
    int rc = sl_resultfile_parse(&r, "x.json", text, strlen(text), err, sizeof(err));
    sl_resultfile_free(&r);
    if (rc == 0 || strncmp(err, "x.json: ", 8) != 0 || strstr(err, want) == NULL) {
        fprintf(stderr, "for %s: rc %d, '%s' lacks '%s'\n", text, rc, err, want);
        return 0;
    }
    return 1;
}

static void test_refusals(void)
{
    sl_resultfile_t r;
    char err[512] = "";
    CHECK(refused("not json", "not a soapload result: not JSON"));
    CHECK(refused("[1, 2]", "no \"schema\" field"));
    CHECK(refused("{\"schema\": \"soapload-results/0\"}", "written by another version"));
    CHECK(refused("{\"schema\": \"other/1\"}", ": not a soapload result"));
    CHECK(refused("{\"schema\": \"soapload-results/1\"}", "settings is missing"));
    CHECK(sl_resultfile_load(&r, "/nonexistent/result.json", err, sizeof(err)) == -1);
    CHECK(strstr(err, "/nonexistent/result.json: cannot read it") == err);
    sl_resultfile_free(&r);

    /* a field of the wrong type, named where it is */
    sl_config_t cfg;
    sl_run_t run;
    size_t len = 0;
    make_result(&cfg, &run);
    char *doc = written(&cfg, &run, &len);
    char *at = strstr(doc, "\"burst\": 2");
    CHECK(at != NULL);
    if (at != NULL) {
        memcpy(at, "\"burst\":\"\"", 10);
        CHECK(refused(doc, "settings.burst is a string, not a number"));
    }
    free(doc);
    sl_run_free(&run);
    sl_config_free(&cfg);
}

/* make_result's with one flow, order: GetQuote -> PlaceOrder, 5 scheduled: 3 completed, 1
 * failed at PlaceOrder (a timeout), 1 interrupted there, 2 retries of GetQuote. */
static void add_flow(sl_config_t *cfg, sl_run_t *run)
{
    char err[256];
    cfg->flows = calloc(1, sizeof(*cfg->flows));
    CHECK(cfg->flows != NULL && sl_flows_add(cfg->flows, "order", 2, err, sizeof(err)) == 0);
    cfg->flows->f[0].nsteps = 2;
    cfg->flows->f[0].steps[0].op = 0;
    cfg->flows->f[0].steps[1].op = 1;
    run->nflows = 1;
    run->flows = sl_flow_stats_new(1);
    sl_flow_stats_t *st = run->flows;
    st->scheduled = 5;
    st->completed = 3;
    st->failed = st->failed_at[1][SL_R_TIMEOUT] = 1;
    st->interrupted = st->interrupted_at[1] = 1;
    st->retried_at[0] = 2;
    sl_hist_record(st->duration, 12000);
    sl_hist_record(st->duration, 15000);
    sl_hist_record(st->duration, 900000);
}

static void test_flows(void)
{
    sl_config_t cfg;
    sl_run_t run;
    sl_resultfile_t r;
    char err[512] = "";
    size_t len = 0;
    make_result(&cfg, &run);
    add_flow(&cfg, &run);
    char *doc = written(&cfg, &run, &len);
    CHECK(sl_resultfile_parse(&r, "mem.json", doc, len, err, sizeof(err)) == 0);
    if (err[0] != '\0')
        fprintf(stderr, "%s\n", err);
    CHECK(r.cfg.flows != NULL && r.run.nflows == 1 && r.run.flows != NULL);
    if (r.cfg.flows != NULL && r.run.flows != NULL) {
        const sl_flow_def_t *f = &r.cfg.flows->f[0];
        const sl_flow_stats_t *got = r.run.flows, *want = run.flows;
        CHECK_STR(f->name, "order");
        CHECK(f->weight == 2 && f->nsteps == 2 && f->steps[0].op == 0 && f->steps[1].op == 1);
        CHECK(memcmp(got, want, offsetof(sl_flow_stats_t, duration)) == 0); /* every count */
        check_hist(got->duration, want->duration, "flows[0].duration_us");
    }
    sl_resultfile_free(&r);
    /* a step that is not one of the file's operations */
    char *at = strstr(doc, "\"PlaceOrder\", \"interrupted\"");
    CHECK(at != NULL);
    if (at != NULL) {
        at[10] = 'x';
        CHECK(refused(doc, "flows[0].steps[1].name \"PlaceOrdex\" is not in operations"));
        at[10] = 'r';
    }
    /* a duration without its buckets: a file written before flows merged */
    at = strstr(doc, "\"duration_us\"");
    CHECK(at != NULL && (at = strstr(at, "\"histogram\"")) != NULL);
    if (at != NULL) {
        at[9] = 'x';
        CHECK(refused(doc, "flows[0].duration_us.histogram is missing"));
    }
    free(doc);
    sl_run_free(&run);
    sl_config_free(&cfg);
}

int main(void)
{
    test_round_trip();
    test_flows();
    test_refusals();
    return check_report();
}
