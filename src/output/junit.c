/*
 * junit: the cases are built as data first (their count goes into the suite's attributes),
 * then written. The attributes follow the format Jenkins' JUnit plugin, GitLab and Azure
 * DevOps read: testsuites > testsuite (name, tests, failures, errors, skipped, time,
 * timestamp) > properties, testcase (classname, name, time) > failure (message, type) or
 * system-out.
 */
#include "output/junit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/exitcode.h"
#include "core/xmlesc.h"
#include "output/report.h"

/* An attribute: name="value". */
static void attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    sl_xmlesc_write(out, value, 1);
    fputc('"', out);
}

int sl_junit_write(FILE *out, const char *suite, double time_s, int64_t started_at_us,
                   const char *const (*props)[2], int nprops, const sl_junit_case_t *cases, int n)
{
    int failures = 0;
    char stamp[32], host[256] = "localhost";
    time_t secs = (time_t)(started_at_us / 1000000);
    struct tm tm;
    for (int i = 0; i < n; i++)
        failures += cases[i].failed;
    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm); /* UTC, as JUnit's writers do */
    if (gethostname(host, sizeof(host) - 1) != 0)
        snprintf(host, sizeof(host), "localhost");
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    attr(out, "name", suite);
    fprintf(out, " tests=\"%d\" failures=\"%d\" errors=\"0\" time=\"%.3f\">\n  <testsuite", n,
            failures, time_s);
    attr(out, "name", suite);
    fprintf(out,
            " tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\" "
            "timestamp=\"%s\"",
            n, failures, time_s, stamp);
    attr(out, "hostname", host);
    fprintf(out, ">\n    <properties>\n");
    for (int i = 0; i < nprops; i++) {
        fprintf(out, "      <property");
        attr(out, "name", props[i][0]);
        attr(out, "value", props[i][1]);
        fprintf(out, "/>\n");
    }
    fprintf(out, "    </properties>\n");
    for (int i = 0; i < n; i++) {
        const sl_junit_case_t *c = &cases[i];
        fprintf(out, "    <testcase");
        attr(out, "classname", c->classname);
        attr(out, "name", c->name);
        fprintf(out, " time=\"0\">\n");
        if (c->failed) {
            fprintf(out, "      <failure");
            attr(out, "message", c->message);
            attr(out, "type", c->classname);
            fprintf(out, ">");
            sl_xmlesc_write(out, c->detail, 0);
            fprintf(out, "</failure>\n");
        } else if (c->detail[0] != '\0') {
            fprintf(out, "      <system-out>");
            sl_xmlesc_write(out, c->detail, 0);
            fprintf(out, "</system-out>\n");
        }
        fprintf(out, "    </testcase>\n");
    }
    fprintf(out, "  </testsuite>\n</testsuites>\n");
    return ferror(out) ? -1 : 0;
}

/* A threshold's limit in its own unit, as written ("50" of "p99 < 50ms"). */
static double limit_in_unit(const sl_threshold_t *t)
{
    if (t->scale <= 0)
        return t->value;
    return t->scale < 1 ? t->value * (1 / t->scale) : t->value / t->scale;
}

/* What did not end well among c's requests: "soap_fault 2, timeout 1, not sent 3". */
static void failure_kinds(const sl_counts_t *c, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int r = 1; r < SL_R_COUNT && len < cap; r++)
        if (r != SL_R_EXPECTED_FAULT && c->results[r] + c->before_send[r] > 0)
            len += (size_t)snprintf(buf + len, cap - len, "%s%s %llu", len ? ", " : "",
                                    sl_result_name((sl_result_t)r),
                                    (unsigned long long)(c->results[r] + c->before_send[r]));
    if (c->not_sent > 0 && len < cap)
        len += (size_t)snprintf(buf + len, cap - len, "%snot sent %llu", len ? ", " : "",
                                (unsigned long long)c->not_sent);
    if (c->script_errors_before_send > 0 && len < cap)
        snprintf(buf + len, cap - len, "%sscript errors before send %llu", len ? ", " : "",
                 (unsigned long long)c->script_errors_before_send);
}

/* A case on a set of counts: every scheduled request ended ok (or as an expected Fault).
 * `gate`: whether failures fail the case (the run's verdict rests on them: no thresholds). */
static void requests_case(sl_junit_case_t *k, const char *classname, const char *name,
                          const sl_counts_t *c, int gate)
{
    char kinds[256];
    uint64_t bad = c->scheduled - sl_counts_succeeded(c);
    memset(k, 0, sizeof(*k));
    k->classname = classname;
    snprintf(k->name, sizeof(k->name), "%s", name);
    failure_kinds(c, kinds, sizeof(kinds));
    snprintf(k->detail, sizeof(k->detail),
             "scheduled %llu, sent %llu, ok %llu, expected_fault %llu; did not end well: %llu%s%s",
             (unsigned long long)c->scheduled, (unsigned long long)c->sent,
             (unsigned long long)c->results[SL_R_OK],
             (unsigned long long)c->results[SL_R_EXPECTED_FAULT], (unsigned long long)bad,
             bad ? " (" : "", bad ? kinds : "");
    if (bad ? strlen(k->detail) + 1 < sizeof(k->detail) : 0)
        strcat(k->detail, ")");
    if (gate && bad > 0) {
        k->failed = 1;
        snprintf(k->message, sizeof(k->message),
                 "%llu of %llu scheduled requests failed or were not sent", (unsigned long long)bad,
                 (unsigned long long)c->scheduled);
    }
}

int sl_junit_run_cases(const sl_config_t *cfg, const sl_run_t *run,
                       const sl_threshold_set_t *checks, int code, sl_junit_case_t *cases, int cap)
{
    int n = 0, thresholds = checks != NULL && checks->n > 0;
    char err[256];
    if (n < cap) { /* the run itself: every request accounted for, no worker lost */
        sl_junit_case_t *k = &cases[n++];
        memset(k, 0, sizeof(*k));
        k->classname = "soapload.run";
        snprintf(k->name, sizeof(k->name), "the run completed and its accounting adds up");
        k->failed = code == SL_EXIT_INTERNAL || code == SL_EXIT_INTERRUPTED;
        if (k->failed)
            snprintf(k->message, sizeof(k->message), "%s",
                     sl_report_verdict(code, checks, run->aborted));
        if (sl_counts_check(&run->counts, err, sizeof(err)) != 0)
            snprintf(k->detail, sizeof(k->detail), "ACCOUNTING ERROR: %s", err);
        else if (run->workers_died > 0)
            snprintf(k->detail, sizeof(k->detail), "%d worker(s) died", run->workers_died);
        else if (run->aborted) /* stopped by a failed threshold: when, why, what was left */
            snprintf(k->detail, sizeof(k->detail),
                     "aborted at %.3f s: %s; %llu requests not sent (aborted)", run->aborted_at_s,
                     run->abort_reason, (unsigned long long)run->aborted_not_sent);
    }
    if (!thresholds && n < cap)
        requests_case(&cases[n++], "soapload.requests",
                      "every scheduled request was sent and answered correctly", &run->counts,
                      code == SL_EXIT_FAILED_REQUESTS);
    for (int i = 0; thresholds && i < checks->n && n < cap; i++) {
        const sl_threshold_t *t = &checks->items[i];
        sl_junit_case_t *k = &cases[n++];
        char v[48];
        memset(k, 0, sizeof(*k));
        k->classname = "soapload.thresholds";
        snprintf(k->name, sizeof(k->name), "%s", t->text);
        sl_threshold_format_measured(t, v, sizeof(v));
        k->failed = !t->passed;
        snprintf(k->message, sizeof(k->message), "%s: measured %s, limit %s %.6g%s", t->text, v,
                 sl_threshold_op(t->op), limit_in_unit(t), t->unit);
        snprintf(k->detail, sizeof(k->detail), "measured %s; limit %s %.6g%s; %s", v,
                 sl_threshold_op(t->op), limit_in_unit(t), t->unit, t->passed ? "pass" : "FAIL");
        if (!k->failed)
            k->message[0] = '\0';
    }
    for (int i = 0; i < run->nops && run->ops != NULL && n < cap; i++) {
        char name[160];
        snprintf(name, sizeof(name), "%s: every request answered correctly", cfg->op_names[i]);
        requests_case(&cases[n++], "soapload.operations", name, &run->ops[i].counts,
                      code == SL_EXIT_FAILED_REQUESTS);
    }
    return n;
}

int sl_junit_write_run(FILE *out, const sl_config_t *cfg, const sl_run_t *run,
                       const sl_threshold_set_t *checks)
{
    int code = sl_report_exit_code(run, checks), cap = 2 + SL_MAX_THRESHOLDS + SL_MAX_OPERATIONS;
    char seed[32], exit_code[16];
    sl_junit_case_t *cases = calloc((size_t)cap, sizeof(*cases));
    if (cases == NULL)
        return -1;
    int n = sl_junit_run_cases(cfg, run, checks, code, cases, cap);
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)cfg->seed);
    snprintf(exit_code, sizeof(exit_code), "%d", code);
    const char *const props[][2] = {{"url", cfg->url != NULL ? cfg->url : ""},
                                    {"script", cfg->script_path != NULL ? cfg->script_path : ""},
                                    {"seed", seed},
                                    {"exit_code", exit_code},
                                    {"verdict", sl_report_verdict(code, checks, run->aborted)}};
    int64_t start = (int64_t)run->started_at.tv_sec * 1000000 + run->started_at.tv_nsec / 1000;
    int rc = sl_junit_write(out, "soapload", run->elapsed_s, start, props,
                            (int)(sizeof(props) / sizeof(props[0])), cases, n);
    free(cases);
    return rc;
}

int sl_junit_write_file(sl_outfile_t *f, const sl_config_t *cfg, const sl_run_t *run,
                        const sl_threshold_set_t *checks, char *err, size_t errlen)
{
    char *doc = NULL;
    size_t len = 0;
    int rc = -1;
    FILE *mem = open_memstream(&doc, &len);
    if (mem == NULL || sl_junit_write_run(mem, cfg, run, checks) != 0 || fclose(mem) != 0)
        snprintf(err, errlen, "cannot write %s: out of memory", f->path);
    else
        rc = sl_outfile_write(f, doc, len, err, errlen);
    free(doc);
    return rc;
}
