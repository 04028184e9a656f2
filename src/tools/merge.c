/*
 * merge: the `soapload merge` subcommand: reads result files (output/resultfile.c), checks
 * that each adds up and that they merge (tools/resultcheck.c, tools/merge_check.c), merges them
 * (tools/merge_result.c), prints the merged summary and writes the merged result's files with
 * a run's own writers (output/outputs.c). `merge --trace` is the proof across segments
 * (tools/crossproof.c), `merge --listen` the receiving end of a distributed run.
 */
#include "tools/merge.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exitcode.h"
#include "core/subargs.h"
#include "core/threshold.h"
#include "output/ops_report.h"
#include "output/outputs.h"
#include "output/report.h"
#include "output/resultfile.h"
#include "output/results.h"
#include "output/tags_report.h"
#include "tools/crossproof.h"
#include "tools/merge_check.h"
#include "tools/merge_result.h"
#include "tools/merge_summary.h"
#include "tools/resultcheck.h"
#include "tools/timeline.h"

/* soapload merge's own flags and operands (the result files), as sl_merge_main reads them */
typedef struct {
    sl_threshold_set_t *checks;
    const char *json, *html, *junit;
    const char **paths;
    int npaths, quiet, allow_gaps;
} merge_args_t;

static int set_threshold(void *opts, const char *flag, const char *value, char *err, size_t errlen)
{
    (void)flag;
    return sl_threshold_parse(((merge_args_t *)opts)->checks, value, err, errlen);
}

static int add_path(void *opts, const char *flag, const char *value, char *err, size_t errlen)
{
    merge_args_t *m = opts;
    (void)flag, (void)err, (void)errlen;
    m->paths[m->npaths++] = value;
    return 0;
}

static const sl_subarg_t merge_flags[] = {
    {"--json", NULL, "FILE", offsetof(merge_args_t, json), NULL,
     "write the merged result (schema " SL_RESULTS_SCHEMA ")"},
    {"--html", NULL, "FILE", offsetof(merge_args_t, html), NULL, "write the merged HTML report"},
    {"--junit", NULL, "FILE", offsetof(merge_args_t, junit), NULL,
     "write a JUnit XML report (as a run's --junit)"},
    {"--threshold", NULL, "EXPR", 0, set_threshold,
     "pass/fail on the merged result, e.g. 'p99 < 50ms' (repeatable)"},
    {"-t", NULL, "EXPR", 0, set_threshold, NULL},
    {"--allow-gaps", NULL, NULL, offsetof(merge_args_t, allow_gaps), NULL,
     "merge results that were not running at the same time (the\n"
     "                      seconds between are left out of the timeline)"},
    {"--quiet", "-q", NULL, offsetof(merge_args_t, quiet), NULL, "print no summary"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: soapload merge RESULT.json... [--json OUT] [--html OUT] [--junit OUT] "
            "[--threshold EXPR]... [--allow-gaps]\n"
            "       soapload merge --trace TRACE.csv... [RESULT.json...] [--id-log ID-LOG] "
            "[--window T]\n"
            "       soapload merge --listen ADDR:PORT --expect N ...  (see --listen --help)\n"
            "Merges result files (--json of soapload runs with the same url, model, SOAP "
            "version\nand duration, e.g. the segments of one distributed run) into one result: "
            "counts\nand histograms added exactly, intervals on one timeline, one row per "
            "file.\n");
    sl_subargs_usage(out, merge_flags);
    fprintf(out, "Exit codes: 0 pass, 1 requests failed, 2 usage or unreadable input, 3 a "
                 "threshold failed, 4 a worker died or the accounting broke.\n");
}

/* Reads paths[0..npaths) into in (*n of them read: free them either way), checks that each
 * adds up and that they merge, merges them into merged and checks that the thresholds name its
 * operations. Returns 0, or -1 with the reason printed and *code set when it is not a usage
 * error (SL_EXIT_INTERNAL: a result that does not add up). */
static int merge_inputs(const char **paths, int npaths, int allow_gaps,
                        const sl_threshold_set_t *checks, sl_resultfile_t *in, int *n,
                        sl_resultfile_t *merged, int *code)
{
    char err[4096];
    for (*n = 0; *n < npaths; (*n)++)
        if (sl_resultfile_load(&in[*n], paths[*n], err, sizeof(err)) != 0) {
            (*n)++; /* freed by the caller with the others */
            fprintf(stderr, "soapload merge: %s\n", err);
            return -1;
        } else if (sl_resultcheck_file(&in[*n], err, sizeof(err)) != 0) {
            (*n)++;
            fprintf(stderr, "soapload merge: %s: the result does not add up\n", err);
            *code = SL_EXIT_INTERNAL; /* as for a run whose accounting broke */
            return -1;
        }
    if (sl_resultcheck_sum(in, *n, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload merge: %s\n", err);
        *code = SL_EXIT_INTERNAL;
        return -1;
    }
    if (sl_merge_check(in, *n, err, sizeof(err)) != 0 ||
        sl_timeline_check_overlap(in, *n, allow_gaps, err, sizeof(err)) != 0 ||
        sl_merge_result(merged, in, *n, err, sizeof(err)) != 0 ||
        sl_threshold_check_operations(checks, (const char *const *)merged->cfg.op_names,
                                      merged->cfg.nops, err, sizeof(err)) != 0 ||
        sl_merge_check_flow_thresholds(checks, merged, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload merge: %s\n", err);
        return -1;
    }
    return 0;
}

/* The thresholds evaluated on the merged result, its summary (unless quiet) and its files.
 * Returns the exit code. */
static int report_merged(const sl_resultfile_t *merged, sl_threshold_set_t *checks, int quiet,
                         sl_outputs_t *files)
{
    const char *flow_names[SL_FLOW_MAX];
    for (int i = 0; i < merged->run.nflows; i++)
        flow_names[i] = merged->cfg.flows->f[i].name;
    sl_metrics_t metrics = {.counts = &merged->run.counts,
                            .latency = merged->run.latency,
                            .service = merged->run.service,
                            .lateness = merged->run.lateness,
                            .duration_s = merged->sending_s,
                            .nflows = merged->run.nflows,
                            .flow_names = flow_names,
                            .flows = merged->run.flows};
    sl_metrics_t *op_metrics = sl_ops_metrics(&merged->cfg, &merged->run, &metrics);
    sl_metrics_t *tag_metrics = sl_tags_metrics(&merged->run, &metrics);
    sl_threshold_evaluate(checks, &metrics);
    free(tag_metrics);
    free(op_metrics);
    int code = sl_report_exit_code(&merged->run, checks);
    if (!quiet) {
        sl_merge_summary_print(stdout, merged);
        sl_report_print(stdout, &merged->cfg, &merged->run, checks);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "soapload merge: cannot write the summary to stdout: %s\n",
                    strerror(errno));
            code = SL_EXIT_INTERNAL;
        }
    }
    if (sl_outputs_write(files, &merged->cfg, &merged->run, checks, "soapload merge", stderr) != 0)
        code = SL_EXIT_INTERNAL;
    return code;
}

int sl_merge_main(int argc, char **argv)
{
    sl_threshold_set_t checks = {0};
    sl_outputs_t files = SL_OUTPUTS_INIT;
    sl_resultfile_t *in = calloc((size_t)argc, sizeof(*in)), merged;
    merge_args_t args = {.checks = &checks};
    char err[4096];
    int n = 0, code = SL_EXIT_USAGE;
    memset(&merged, 0, sizeof(merged));
    if (in == NULL) {
        fprintf(stderr, "soapload merge: out of memory\n");
        return SL_EXIT_INTERNAL;
    }
    args.paths = (const char **)calloc((size_t)argc, sizeof(*args.paths));
    if (args.paths == NULL) {
        fprintf(stderr, "soapload merge: out of memory\n");
        free(in);
        return SL_EXIT_INTERNAL;
    }
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--trace") == 0) { /* the proof across segments, from traces */
            free(in);
            free(args.paths);
            return sl_crossproof_main(argc, argv);
        }
    /* a closed pipe on stdout fails the summary's write (exit 4), and the files are still
     * written, as in a run */
    signal(SIGPIPE, SIG_IGN);
    switch (sl_subargs_parse(merge_flags, argc, argv, &args, add_path, err, sizeof(err))) {
    case SL_SUBARGS_HELP:
        usage(stdout);
        code = SL_EXIT_OK;
        goto Done;
    case SL_SUBARGS_OK:
        break;
    default:
        fprintf(stderr, "soapload merge: %s\n", err);
        goto Usage;
    }
    const char **paths = args.paths, *json_path = args.json, *html_path = args.html,
               *junit_path = args.junit;
    int npaths = args.npaths, quiet = args.quiet, allow_gaps = args.allow_gaps;
    if (npaths == 0) {
        fprintf(stderr, "soapload merge: no result files given\n");
        goto Usage;
    }
    if (merge_inputs(paths, npaths, allow_gaps, &checks, in, &n, &merged, &code) != 0)
        goto Done;
    if ((json_path && sl_outfile_prepare(&files.json, json_path, 0644, err, sizeof(err)) != 0) ||
        (html_path && sl_outfile_prepare(&files.html, html_path, 0644, err, sizeof(err)) != 0) ||
        (junit_path && sl_outfile_prepare(&files.junit, junit_path, 0644, err, sizeof(err)) != 0)) {
        fprintf(stderr, "soapload merge: %s\n", err);
        goto Done;
    }
    code = report_merged(&merged, &checks, quiet, &files);
    goto Done;
Usage:
    fprintf(stderr, "Try 'soapload merge --help'.\n");
Done:
    sl_outputs_close(&files);
    sl_resultfile_free(&merged);
    for (int i = 0; i < n; i++)
        sl_resultfile_free(&in[i]);
    free(in);
    free(args.paths);
    return code;
}
