/*
 * report: a plain-text summary. Every count is printed with the equation it belongs to so
 * that a reader can check that nothing went missing.
 */
#include "output/report.h"
#include "output/shape.h"

#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "core/exitcode.h"
#include "core/duration.h"
#include "core/load.h"
#include "core/version.h"
#include "engine/goaway.h"
#include "output/flows_report.h"
#include "output/ops_report.h"
#include "output/reasons_report.h"
#include "output/tags_report.h"
#include "output/wsse_report.h"

static void latency_row(FILE *out, const char *name, const sl_hist_t *h)
{
    static const double ps[] = {50, 90, 99, 99.9};
    char v[32];
    fprintf(out, "  %-15s", name);
    if (h->total == 0) {
        fprintf(out, " (no samples)\n");
        return;
    }
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        sl_duration_format_us((double)sl_hist_percentile(h, ps[i]), v, sizeof(v));
        fprintf(out, " %9s", v);
    }
    sl_duration_format_us((double)h->max, v, sizeof(v));
    fprintf(out, " %9s", v);
    sl_duration_format_us(sl_hist_mean(h), v, sizeof(v));
    fprintf(out, " %9s\n", v);
}

static void errors_line(FILE *out, const sl_counts_t *c)
{
    int any = 0;
    fprintf(out, "Errors          ");
    for (int r = 1; r < SL_R_COUNT; r++) {
        if (c->results[r] == 0 || r == SL_R_EXPECTED_FAULT)
            continue;
        fprintf(out, "%s%s %llu", any ? ", " : "", sl_result_name((sl_result_t)r),
                (unsigned long long)c->results[r]);
        any = 1;
    }
    for (int r = 0; r < SL_R_COUNT; r++) {
        if (c->before_send[r] == 0)
            continue;
        fprintf(out, "%s%s before send %llu", any ? ", " : "", sl_result_name((sl_result_t)r),
                (unsigned long long)c->before_send[r]);
        any = 1;
    }
    if (c->retried) {
        fprintf(out,
                "%sresends refused %llu (libcurl would have written a request again on a "
                "reused connection the server closed without answering; counted as read)",
                any ? ", " : "", (unsigned long long)c->retried);
        any = 1;
    }
    if (c->script_errors_before_send) {
        fprintf(out, "%sscript errors before send %llu", any ? ", " : "",
                (unsigned long long)c->script_errors_before_send);
        any = 1;
    }
    if (c->not_sent) {
        fprintf(out, "%snot sent %llu", any ? ", " : "", (unsigned long long)c->not_sent);
        any = 1;
    }
    fprintf(out, "%s\n", any ? "" : "none");
}

/* libcurl's first message for each transport error kind that occurred. */
static void error_messages(FILE *out, const sl_run_t *run)
{
    const sl_counts_t *c = &run->counts;
    for (int r = 0; r < SL_R_COUNT; r++)
        if (run->first_error[r][0] != '\0' && c->results[r] + c->before_send[r] > 0)
            fprintf(out, "  first %-9s %s\n", sl_result_name((sl_result_t)r), run->first_error[r]);
}

static void human_bytes(uint64_t b, char *buf, size_t cap)
{
    if (b < 10240)
        snprintf(buf, cap, "%llu B", (unsigned long long)b);
    else if (b < 10 * 1048576ULL)
        snprintf(buf, cap, "%.1f KiB", (double)b / 1024);
    else
        snprintf(buf, cap, "%.1f MiB", (double)b / 1048576);
}

void sl_report_time(const sl_run_t *run, uint64_t mono_ns, char *buf, size_t cap)
{
    sl_report_wall_time((int64_t)mono_ns + run->realtime_offset, buf, cap);
}

void sl_report_wall_time(int64_t ns, char *buf, size_t cap)
{
    time_t secs = (time_t)(ns / 1000000000LL);
    struct tm tm;
    char day[32];
    gmtime_r(&secs, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, cap, "%s.%06lld", day, (long long)(ns % 1000000000LL / 1000));
}

static void concurrency_lines(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    const sl_concurrency_t *c = &run->concurrency;
    double dur = (double)cfg->duration_ns / 1e9;
    if (!run->analyzed || c->sends == 0)
        return;
    fprintf(out,
            "Concurrency     in flight at most %llu at once, mean %.2f; %.1f%% of requests sent "
            "while another was in flight; %llu connections%s\n",
            (unsigned long long)c->in_flight_max, c->in_flight_mean,
            100.0 * (double)c->sent_while_busy / (double)c->sends,
            (unsigned long long)c->connections,
            run->analysis_partial ? " (analysis of the first requests only)" : "");
    for (int i = 0; i < run->nworkers; i++)
        fprintf(out, "  worker %-3d    pid %d sent %llu, %.1f/s\n", i + 1, (int)run->workers[i].pid,
                (unsigned long long)run->workers[i].counts.sent,
                (double)run->workers[i].counts.sent / dur);
    int min_workers = run->nworkers > 1 ? 2 : 1;
    double window_ms = (double)SL_BURST_WINDOW_NS / 1e6;
    /* closed: nothing is due; Poisson due times are not recomputed for the analysis */
    const char *within =
        cfg->closed || cfg->arrival == SL_ARRIVAL_POISSON ? "sent" : "due and sent";
    if (c->nbursts == 0) {
        fprintf(out,
                "Tightest bursts none: never were 4 requests on distinct connections from %s "
                "in flight together, %s within %g ms\n",
                min_workers > 1 ? "2 workers" : "the worker", within, window_ms);
        if (!cfg->closed && cfg->burst == 1 &&
            !sl_shape_shaped(cfg)) /* a uniform schedule spaces them 1/rate apart */
            fprintf(out,
                    "                requests were due %.3f ms apart; --burst 4 sends them in "
                    "groups due at once, at the same rate\n",
                    1e3 / sl_load_rate(cfg));
        return;
    }
    fprintf(out,
            "Tightest bursts of >= 4 requests in flight together on distinct connections from "
            ">= %d worker%s, %s within %g ms (send times, UTC):\n",
            min_workers, min_workers > 1 ? "s" : "", within, window_ms);
    for (int b = 0; b < c->nbursts; b++) {
        const sl_burst_t *bu = &c->bursts[b];
        fprintf(out, "  #%d  %zu requests within %.6f s\n", b + 1, bu->count,
                (double)bu->span_ns / 1e9);
        for (size_t k = 0; k < bu->count; k++) {
            const sl_sendrec_t *r = &bu->requests[k];
            char when[64], id[512];
            int pid = (int)run->workers[r->worker].pid;
            sl_report_time(run, r->sent_ns, when, sizeof(when));
            fprintf(out, "      %s  port %-5u  pid %-7d  %s\n", when, r->port, pid,
                    sl_run_request_id(run, r, id, sizeof(id)));
        }
    }
}

double sl_report_sending_s(const sl_config_t *cfg, const sl_run_t *run)
{
    if (run->stopped_ns > run->t0_ns && run->stopped_ns - run->t0_ns < cfg->duration_ns)
        return (double)(run->stopped_ns - run->t0_ns) / 1e9;
    return (double)cfg->duration_ns / 1e9;
}

/* How the sent requests found their connection: a run without keep-alive opens one each. */
static void connection_lines(FILE *out, const sl_run_t *run)
{
    uint64_t all = run->conns_opened + run->conns_reused;
    if (all == 0)
        return;
    fprintf(out, "Connections     opened %llu, reused %llu: %.1f%% of sent requests opened one",
            (unsigned long long)run->conns_opened, (unsigned long long)run->conns_reused,
            100.0 * (double)run->conns_opened / (double)all);
    if (run->tls_handshake != NULL && run->tls_handshake->total > 0)
        fprintf(out, ", %llu TLS handshakes", (unsigned long long)run->tls_handshake->total);
    if (run->path_fast > 0) /* --fast-path: how many requests it wrote, the rest libcurl */
        fprintf(out, "; fast path %llu of %llu", (unsigned long long)run->path_fast,
                (unsigned long long)(run->path_fast + run->path_full));
    fprintf(out, "\n");
}

/* The connections are split as evenly as they go: some workers may hold one more. */
static void load_line(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    int n = run->nworkers > 0 ? run->nworkers : 1;
    int per = cfg->connections / n, extra = cfg->connections % n;
    fprintf(out, "Load            %d worker%s x ", n, n == 1 ? "" : "s");
    if (extra == 0)
        fprintf(out, "%d connection%s", per, per == 1 ? "" : "s");
    else
        fprintf(out, "%d-%d connections (%d in all)", per, per + 1, cfg->connections);
    fprintf(out, ", timeout %.2f s\n", (double)cfg->timeout_ns / 1e9);
    fprintf(out, "Seed            %llu (--seed %llu repeats the scripts' random draws)\n",
            (unsigned long long)cfg->seed, (unsigned long long)cfg->seed);
}

/* A segment of a distributed run: its share and its clock against the server's. */
static void segment_lines(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    if (cfg->nsegments > 0 && cfg->closed && cfg->scenarios != NULL) /* users, not requests */
        fprintf(out,
                "Segment         %d/%d: its share of each scenario's virtual users (%d here); IDs "
                "S%d-P<pid>-R<seq>\n",
                cfg->segment, cfg->nsegments, cfg->connections, cfg->segment);
    else if (cfg->nsegments > 0) {
        fprintf(out, "Segment         %d/%d: global requests k with k mod %d = %d", cfg->segment,
                cfg->nsegments, cfg->nsegments, cfg->segment);
        if (cfg->scenarios != NULL) /* k counts each scenario's requests apart */
            fprintf(out, " of each scenario's schedule");
        else if (!cfg->closed)
            fprintf(out, " of %.1f req/s%s in all", sl_load_global_mean_rate(cfg),
                    cfg->nstages > 0 || cfg->ramp ? " mean" : "");
        fprintf(out, "; IDs S%d-P<pid>-R<seq>\n", cfg->segment);
    }
    if (run->clock.probes > 0)
        fprintf(out,
                "Clock offset    %+.3f ms +- %.3f ms: the server's clock minus this one's (%s, "
                "%d probe%s)\n",
                run->clock.offset_ms, run->clock.uncertainty_ms, run->clock.source,
                run->clock.probes, run->clock.probes == 1 ? "" : "s");
    else if (cfg->nsegments > 0 || cfg->start_at_us > 0)
        fprintf(out, "Clock offset    unknown: %s\n", run->clock.error);
}

const char *sl_report_verdict(int code, const sl_threshold_set_t *checks, int aborted)
{
    switch (code) {
    case SL_EXIT_OK:
        return checks != NULL && checks->n > 0
                   ? "PASS: every threshold held"
                   : "PASS: every scheduled request was sent and answered correctly";
    case SL_EXIT_FAILED_REQUESTS:
        return "FAIL: some requests failed or were not sent";
    case SL_EXIT_THRESHOLD:
        return aborted ? "FAIL: a threshold failed: the run was aborted"
                       : "FAIL: a threshold failed";
    case SL_EXIT_INTERRUPTED:
        return "INTERRUPTED";
    default:
        return "ERROR: a worker died or the accounting broke";
    }
}

/* The run's identity: the script, the target, the model and load, and how it ended early. */
static void header_lines(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    double dur = (double)cfg->duration_ns / 1e9;
    char tbuf[64], b1[32];
    struct tm tm;
    localtime_r(&run->started_at.tv_sec, &tm);
    strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm);

    fprintf(out, "soapload %s: %s, started %s.%06ld\n", SL_VERSION, cfg->script_path, tbuf,
            run->started_at.tv_nsec / 1000);
    fprintf(out, "Target          %s (SOAP %s)\n", cfg->url,
            cfg->soap_version == 12 ? "1.2" : "1.1");
    if (sl_shape_shaped(cfg))
        sl_shape_print_model(out, cfg);
    else if (cfg->closed && cfg->flows != NULL)
        fprintf(out,
                "Model           closed: %d virtual users, each running flows in a loop, for "
                "%.2f s\n",
                cfg->connections, dur);
    else if (cfg->closed)
        fprintf(out, "Model           closed: as fast as possible for %.2f s\n", dur);
    else
        fprintf(out, "Model           open: %.1f %s for %.2f s\n", sl_load_mean_rate(cfg),
                cfg->flows != NULL ? "flow starts/s" : "req/s", dur);
    segment_lines(out, cfg, run);
    if (!cfg->closed && cfg->burst > 1 && cfg->scenarios == NULL) /* the schedule's groups */
        fprintf(out, "Arrivals        in bursts of %d due at once, every %.3f ms\n", cfg->burst,
                cfg->burst / sl_load_global_mean_rate(cfg) * 1e3);
    if (!cfg->closed && cfg->send_window_ns > 0) {
        sl_duration_format_us((double)cfg->send_window_ns / 1e3, b1, sizeof(b1));
        fprintf(out, "Send window     %s: sends up to %s late (never early) to save wake-ups\n", b1,
                b1);
    }
    load_line(out, cfg, run);
    if (cfg->http2)
        fprintf(out, "Protocol        HTTP/2 (%s), up to %d stream%s per connection\n",
                strncmp(cfg->url, "https://", 8) == 0 ? "ALPN" : "h2c", cfg->streams,
                cfg->streams == 1 ? "" : "s");
    if (cfg->insecure)
        fprintf(out, "WARNING         --insecure: the server's certificate and name were not "
                     "verified\n");
    if (run->interrupted)
        fprintf(out, "Interrupted     stopped early: counts cover what was due until then\n");
    if (run->aborted)
        fprintf(out,
                "Aborted         at %.3f s: %s; sending stopped there, %llu scheduled requests "
                "not sent (aborted)\n",
                run->aborted_at_s, run->abort_reason, (unsigned long long)run->aborted_not_sent);
}

/* Requests: the accounting's equations, the rate and the most in flight. */
static void request_lines(FILE *out, const sl_config_t *cfg, const sl_run_t *run)
{
    const sl_counts_t *c = &run->counts;
    double dur = (double)cfg->duration_ns / 1e9, sending = sl_report_sending_s(cfg, run);
    uint64_t failed = sl_counts_failed(c) - c->results[SL_R_CANCELLED];
    fprintf(out, "Requests\n");
    fprintf(out,
            "  scheduled     %llu = sent %llu + not sent %llu + failed before send %llu + script "
            "errors before send %llu\n",
            (unsigned long long)c->scheduled, (unsigned long long)c->sent,
            (unsigned long long)c->not_sent, (unsigned long long)sl_counts_failed_before_send(c),
            (unsigned long long)c->script_errors_before_send);
    if (c->results[SL_R_EXPECTED_FAULT] > 0) /* a success: not among the failed */
        fprintf(out,
                "  sent          %llu = ok %llu + expected_fault %llu + failed %llu + cancelled "
                "%llu\n",
                (unsigned long long)c->sent, (unsigned long long)c->results[SL_R_OK],
                (unsigned long long)c->results[SL_R_EXPECTED_FAULT], (unsigned long long)failed,
                (unsigned long long)c->results[SL_R_CANCELLED]);
    else
        fprintf(out, "  sent          %llu = ok %llu + failed %llu + cancelled %llu\n",
                (unsigned long long)c->sent, (unsigned long long)c->results[SL_R_OK],
                (unsigned long long)failed, (unsigned long long)c->results[SL_R_CANCELLED]);
    if (cfg->closed || cfg->flows != NULL) /* flows: the target is of flow starts */
        fprintf(out, "  rate          sent %.1f/s, ok %.1f/s", (double)c->sent / sending,
                (double)c->results[SL_R_OK] / sending);
    else
        fprintf(out, "  rate          target %.1f/s, sent %.1f/s (%+.2f%%), ok %.1f/s",
                sl_load_mean_rate(cfg), (double)c->sent / sending,
                ((double)c->sent / sending / sl_load_mean_rate(cfg) - 1) * 100,
                (double)c->results[SL_R_OK] / sending);
    if (sending < dur) /* stopped early: the rates cover the time it was sending */
        fprintf(out, " over the %.3f s it was sending", sending);
    fprintf(out, "\n");
    if (run->analyzed)
        fprintf(out, "  in flight     at most %llu at once\n",
                (unsigned long long)run->concurrency.in_flight_max);
    else /* without the send records only the workers' own maxima are known */
        fprintf(out, "  in flight     at most %llu at once (the sum of the workers' maxima)\n",
                (unsigned long long)run->max_in_flight);
    sl_shape_print_stages(out, cfg, run);
}

/* Each worker's line: its pid, counts, IDs and, when it died, how. */
static void worker_lines(FILE *out, const sl_run_t *run)
{
    for (int i = 0; i < run->nworkers; i++) {
        const sl_worker_report_t *w = &run->workers[i];
        fprintf(out, "Worker %-3d      pid %d: scheduled %llu, sent %llu, ok %llu", i + 1,
                (int)w->pid, (unsigned long long)w->counts.scheduled,
                (unsigned long long)w->counts.sent, (unsigned long long)w->counts.results[SL_R_OK]);
        if (w->last_seq > 0)
            fprintf(out, ", IDs R1..R%llu", (unsigned long long)w->last_seq);
        else
            fprintf(out, ", no IDs used");
        if (w->died) {
            if (w->stop_signal != 0)
                fprintf(out,
                        " - DIED: stopped by signal %d before its schedule ended (the run was not "
                        "interrupted); the rest of its schedule is not sent",
                        w->stop_signal);
            else if (WIFSIGNALED(w->wait_status)) {
                fprintf(out,
                        " - DIED (signal %d) before its final report: counts are what it "
                        "recorded; %llu sent without a recorded end are lost_with_worker",
                        WTERMSIG(w->wait_status),
                        (unsigned long long)w->counts.results[SL_R_WORKER_DIED]);
                if (w->stuck[0] != '\0') /* where it hung, read before it was killed */
                    fprintf(out,
                            "\n                killed: still running %d s past the run's "
                            "longest possible end (duration + timeout); %s",
                            SL_RUN_OVERRUN_S, w->stuck);
            } else
                fprintf(out, " - DIED (exit %d) before its final report",
                        WEXITSTATUS(w->wait_status));
        }
        fprintf(out, "\n");
    }
}

/* The first script error, broken accounting or trace, the thresholds and the result. */
static void verdict_lines(FILE *out, const sl_run_t *run, const sl_threshold_set_t *checks)
{
    const sl_counts_t *c = &run->counts;
    char err[256];
    if (run->first_script_error != NULL)
        fprintf(out, "First script error (of %llu):\n%s\n",
                (unsigned long long)(c->script_errors_before_send + c->results[SL_R_SCRIPT_ERROR]),
                run->first_script_error);
    if (sl_counts_check(c, err, sizeof(err)) != 0)
        fprintf(out, "ACCOUNTING ERROR: %s\n", err);
    if (run->trace_error[0] != '\0')
        fprintf(out, "Trace           ERROR: %s\n", run->trace_error);
    for (int i = 0; checks != NULL && i < checks->n; i++) {
        const sl_threshold_t *t = &checks->items[i];
        char v[48];
        sl_threshold_format_measured(t, v, sizeof(v)); /* in the limit's own unit */
        fprintf(out, "Threshold       %-4s %-28s measured %s\n", t->passed ? "pass" : "FAIL",
                t->text, v);
    }
    fprintf(out, "Result          %s\n",
            sl_report_verdict(sl_report_exit_code(run, checks), checks, run->aborted));
}

void sl_report_print(FILE *out, const sl_config_t *cfg, const sl_run_t *run,
                     const sl_threshold_set_t *checks)
{
    const sl_counts_t *c = &run->counts;
    char b1[32], b2[32];
    header_lines(out, cfg, run);
    request_lines(out, cfg, run);
    fprintf(out, "Latency               p50       p90       p99     p99.9       max      mean\n");
    latency_row(out, "from due time", run->latency);
    latency_row(out, "service time", run->service);
    latency_row(out, "send lateness", run->lateness);
    if (run->tls_handshake != NULL && run->tls_handshake->total > 0)
        latency_row(out, "tls handshake", run->tls_handshake);
    sl_ops_report_print(out, cfg, run);
    sl_flows_report_print(out, cfg, run);
    sl_tags_report_print(out, run);
    sl_shape_print_scenarios(out, cfg, run);
    errors_line(out, c);
    error_messages(out, run);
    sl_reasons_report_print(out, cfg, &run->reasons);
    human_bytes(c->bytes_sent, b1, sizeof(b1));
    human_bytes(c->bytes_received, b2, sizeof(b2));
    fprintf(out, "Bytes           bodies sent %s, received %s\n", b1, b2);
    sl_wsse_report_print(out, cfg, c);
    connection_lines(out, run);
    if (cfg->validate_pct > 0) /* what the contract check cost (engine/validate.c) */
        fprintf(out,
                "Validation      schema %s: %llu responses validated (%g%% of the 2xx without "
                "a Fault, echoing the ID where one was sent), %llu broke it; %.1f us CPU each\n",
                cfg->schema_path, (unsigned long long)run->validation.validated, cfg->validate_pct,
                (unsigned long long)c->results[SL_R_SCHEMA],
                run->validation.validated > 0
                    ? (double)run->validation.cpu_ns / 1e3 / (double)run->validation.validated
                    : 0.0);
    if (run->resent_unprocessed > 0)
        fprintf(out,
                "Resent          %llu writes of requests an HTTP/2 GOAWAY left unprocessed "
                "(above its last_stream_id), again on a new connection with the same ID (at "
                "most %d per request): each request counted once, by how its last write "
                "ended\n",
                (unsigned long long)run->resent_unprocessed, SL_GOAWAY_MAX_RESENDS);
    fprintf(out, "Duration        %.3f s from start to last response\n", run->elapsed_s);
    concurrency_lines(out, cfg, run);
    worker_lines(out, run);
    verdict_lines(out, run, checks);
}

int sl_report_exit_code(const sl_run_t *run, const sl_threshold_set_t *checks)
{
    char err[256];
    const sl_counts_t *c = &run->counts;
    if (run->workers_died > 0 || run->trace_error[0] != '\0' ||
        sl_counts_check(c, err, sizeof(err)) != 0 ||
        (run->nops > 0 && sl_ops_report_check(NULL, run, err, sizeof(err)) != 0) ||
        sl_tags_report_check(run, err, sizeof(err)) != 0 ||
        sl_flows_report_check(run, err, sizeof(err)) != 0)
        return SL_EXIT_INTERNAL;
    if (run->interrupted)
        return SL_EXIT_INTERRUPTED;
    if (run->aborted) /* a threshold failed during the run, whatever the rest measure */
        return SL_EXIT_THRESHOLD;
    if (checks != NULL && checks->n > 0) {
        for (int i = 0; i < checks->n; i++)
            if (!checks->items[i].passed)
                return SL_EXIT_THRESHOLD;
        return SL_EXIT_OK;
    }
    if (sl_counts_succeeded(c) != c->scheduled || !sl_flows_report_all_completed(run))
        return SL_EXIT_FAILED_REQUESTS;
    return SL_EXIT_OK;
}
