/*
 * compare: soapload compare's command line, reading both files with the result file's reader
 * (one owner for the result format), and its outputs in order: the summary, the page, the JUnit
 * report. The limits live in compare_limit.c, their text in compare_format.c.
 */
#include "tools/compare.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exitcode.h"
#include "core/ranktest.h"
#include "core/subargs.h"
#include "output/outfile.h"
#include "output/ops_report.h"
#include "output/tags_report.h"
#include "output/resultfile.h"
#include "tools/compare_junit.h"
#include "tools/compare_limit.h"
#include "tools/compare_page.h"
#include "tools/compare_text.h"

/* ---- the subcommand -------------------------------------------------------------------- */

/* soapload compare's own flags and operands (the two result files), as sl_compare_main reads
 * them */
typedef struct {
    sl_change_limit_t *limits;
    const char *paths[2], *html, *junit;
    int npaths, nlimits, gate;
} compare_args_t;

static int add_limit(void *opts, const char *flag, const char *value, char *err, size_t errlen)
{
    compare_args_t *c = opts;
    (void)flag;
    if (c->nlimits == SL_COMPARE_MAX_LIMITS) {
        snprintf(err, errlen, "more than %d thresholds", SL_COMPARE_MAX_LIMITS);
        return -1;
    }
    return sl_compare_parse_limit(value, &c->limits[c->nlimits++], err, errlen);
}

static int add_path(void *opts, const char *flag, const char *value, char *err, size_t errlen)
{
    compare_args_t *c = opts;
    (void)flag;
    if (c->npaths == 2) {
        snprintf(err, errlen,
                 "more than two result files (%s): compare takes BASELINE.json NEW.json; merge "
                 "segments first",
                 value);
        return -1;
    }
    c->paths[c->npaths++] = value;
    return 0;
}

static const sl_subarg_t compare_flags[] = {
    {"--threshold", NULL, "'METRIC +N[UNIT]'", 0, add_limit,
     "fail when METRIC rose more than N (-N: fell more than N);\n"
     "                     % is relative for latencies and rates, percentage points for "
     "error_rate\n"
     "                     METRIC{op=NAME} or METRIC{TAG=VALUE} (a scenario: {scenario=NAME}): "
     "that\n"
     "                     operation's or tag value's results, e.g. 'p99{op=GetOrder} +10%'\n"
     "                     flow_duration{flow=NAME} pN, flow_failure_rate{flow=NAME} (points)\n"
     "                     or flow_completed{flow=NAME}: a flow's, e.g.\n"
     "                     'flow_duration{flow=order} p95 +20%'"},
    {"-t", NULL, "EXPR", 0, add_limit, NULL},
    {"--fail-on-significant", NULL, NULL, offsetof(compare_args_t, gate), NULL,
     "fail when the rank test finds the latency significantly slower"},
    {"--html", NULL, "FILE", offsetof(compare_args_t, html), NULL,
     "write a page with both percentile spectra on one chart"},
    {"--junit", NULL, "FILE", offsetof(compare_args_t, junit), NULL,
     "write a JUnit XML report: a test case per threshold (and the gate)"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: soapload compare BASELINE.json NEW.json [--threshold 'p99 +10%%']... "
            "[--fail-on-significant] [--html OUT] [--junit OUT]\n"
            "Prints the change in rate, error rate and latency percentiles from BASELINE to NEW "
            "(each a\nresult of a run or of soapload merge), and whether the latency change is "
            "larger than\nrun-to-run noise (a Mann-Whitney rank test over the two histograms).\n");
    sl_subargs_usage(out, compare_flags);
    fprintf(out, "Exit codes: 0 compared, 2 usage or unreadable input, 3 a threshold on the change "
                 "failed\n(or, with --fail-on-significant, the latency is significantly "
                 "slower).\n");
}

/* The totals' metrics and each operation's and tag value's (arrays the caller frees), and each
 * flow's, named in names[0..SL_FLOW_MAX) (the caller's, as long as m). */
static void metrics_of(const sl_resultfile_t *r, sl_metrics_t *m, sl_metrics_t **ops,
                       sl_metrics_t **tags, const char **names)
{
    memset(m, 0, sizeof(*m));
    for (int i = 0; i < r->run.nflows; i++)
        names[i] = r->cfg.flows->f[i].name;
    m->nflows = r->run.nflows;
    m->flow_names = names;
    m->flows = r->run.flows;
    m->counts = &r->run.counts;
    m->latency = r->run.latency;
    m->service = r->run.service;
    m->lateness = r->run.lateness;
    m->duration_s = r->sending_s;
    *ops = sl_ops_metrics(&r->cfg, &r->run, m);
    *tags = sl_tags_metrics(&r->run, m);
}

/* A limit's scope that neither result has is a mistake in the command line, not a result. */
static int check_scope(const sl_change_limit_t *l, const sl_metrics_t *mb, const sl_metrics_t *mn,
                       char *err, size_t errlen)
{
    if (sl_compare_is_flow_metric(l->metric)) {
        if (sl_threshold_flow(mb, l->tag_value) != NULL ||
            sl_threshold_flow(mn, l->tag_value) != NULL)
            return 0;
        snprintf(err, errlen, "threshold '%s' names flow '%s', which neither result has", l->text,
                 l->tag_value);
        return -1;
    }
    if (sl_threshold_scope(l->operation, l->tag_name, l->tag_value, mb) != NULL ||
        sl_threshold_scope(l->operation, l->tag_name, l->tag_value, mn) != NULL)
        return 0;
    if (l->operation[0] != '\0')
        snprintf(err, errlen, "threshold '%s' names operation '%s', which neither result has",
                 l->text, l->operation);
    else
        snprintf(err, errlen,
                 "threshold '%s' names tag %s=%s, which no request of either "
                 "result carried",
                 l->text, l->tag_name, l->tag_value);
    return -1;
}

int sl_compare_main(int argc, char **argv)
{
    sl_change_limit_t limits[SL_COMPARE_MAX_LIMITS];
    sl_resultfile_t files[2];
    sl_outfile_t html = {.fd = -1};
    compare_args_t args = {.limits = limits};
    sl_outfile_t junit = {.fd = -1};
    char err[4096];
    int loaded = 0, code = SL_EXIT_USAGE;
    sl_metrics_t *scoped[4] = {NULL, NULL, NULL, NULL}; /* ops and tags of each file */
    /* a closed pipe on stdout fails the summary's write (exit 4), and the files are still
     * written, as in a run */
    signal(SIGPIPE, SIG_IGN);
    switch (sl_subargs_parse(compare_flags, argc, argv, &args, add_path, err, sizeof(err))) {
    case SL_SUBARGS_HELP:
        usage(stdout);
        return SL_EXIT_OK;
    case SL_SUBARGS_OK:
        break;
    default:
        fprintf(stderr, "soapload compare: %s\n", err);
        goto Usage;
    }
    const char *const *paths = args.paths, *html_path = args.html, *junit_path = args.junit;
    int npaths = args.npaths, nlimits = args.nlimits, gate = args.gate;
    if (npaths != 2) {
        fprintf(stderr, "soapload compare: it takes two result files, BASELINE.json NEW.json\n");
        goto Usage;
    }
    for (; loaded < 2; loaded++)
        if (sl_resultfile_load(&files[loaded], paths[loaded], err, sizeof(err)) != 0) {
            loaded++;
            fprintf(stderr, "soapload compare: %s\n", err);
            goto Done;
        }
    if ((html_path && sl_outfile_prepare(&html, html_path, 0644, err, sizeof(err)) != 0) ||
        (junit_path && sl_outfile_prepare(&junit, junit_path, 0644, err, sizeof(err)) != 0)) {
        fprintf(stderr, "soapload compare: %s\n", err);
        goto Done;
    }
    sl_metrics_t mb, mn;
    sl_ranktest_t rt;
    const char *flow_names[2][SL_FLOW_MAX];
    metrics_of(&files[0], &mb, &scoped[0], &scoped[1], flow_names[0]);
    metrics_of(&files[1], &mn, &scoped[2], &scoped[3], flow_names[1]);
    for (int i = 0; i < nlimits; i++)
        if (check_scope(&limits[i], &mb, &mn, err, sizeof(err)) != 0) {
            fprintf(stderr, "soapload compare: %s\n", err);
            goto Done;
        }
    sl_ranktest_hist(mb.latency, mn.latency, &rt);
    code = SL_EXIT_OK;
    for (int i = 0; i < nlimits; i++)
        if (!sl_compare_evaluate_limit(&limits[i], &mb, &mn))
            code = SL_EXIT_THRESHOLD;
    if (gate && sl_compare_slower(&mb, &mn, &rt))
        code = SL_EXIT_THRESHOLD;
    sl_compare_print(stdout, &files[0], &files[1], &mb, &mn, &rt, limits, nlimits, gate);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "soapload compare: cannot write to stdout: %s\n", strerror(errno));
        code = SL_EXIT_INTERNAL;
    }
    if (html_path != NULL) {
        char *page = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&page, &len);
        if (mem == NULL) {
            fprintf(stderr, "soapload compare: cannot write %s: out of memory\n", html_path);
            code = SL_EXIT_INTERNAL;
        } else {
            sl_compare_write_page(mem, &files[0], &files[1], &mb, &mn, &rt, limits, nlimits);
            if (fclose(mem) != 0) {
                fprintf(stderr, "soapload compare: cannot write %s: out of memory\n", html_path);
                code = SL_EXIT_INTERNAL;
            } else if (sl_outfile_write(&html, page, len, err, sizeof(err)) != 0) {
                fprintf(stderr, "soapload compare: %s\n", err);
                code = SL_EXIT_INTERNAL;
            }
        }
        free(page);
    }
    if (junit_path != NULL && sl_compare_write_junit(&junit, limits, nlimits, gate, &mb, &mn, &rt,
                                                     err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload compare: %s\n", err);
        code = SL_EXIT_INTERNAL;
    }
    goto Done;
Usage:
    fprintf(stderr, "Try 'soapload compare --help'.\n");
Done:
    for (int i = 0; i < 4; i++)
        free(scoped[i]);
    sl_outfile_close(&html);
    sl_outfile_close(&junit);
    for (int i = 0; i < loaded; i++)
        sl_resultfile_free(&files[i]);
    return code;
}
