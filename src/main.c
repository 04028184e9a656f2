/*
 * soapload: parses the command line, loads and checks the script once (nothing is sent when
 * it fails), opens the output files, runs the workers, prints the summary, writes the result
 * files and hands the summary to the script's done().
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli.h"
#include "output/ops_report.h"
#include "output/tags_report.h"
#include "output/metrics.h"
#include "output/outfile.h"
#include "output/outputs.h"
#include "output/progress.h"
#include "output/upload.h"
#include "tools/dryrun.h"
#include "tools/reconcile.h"
#include "tools/wsdl_cli.h"
#include "tools/wsdl_schema.h"
#include "output/report.h"
#include "output/shape.h"
#include "engine/abort.h"
#include "engine/board.h"
#include "engine/fdlimit.h"
#include "engine/tlskey.h"
#include "engine/run.h"
#include "engine/script.h"
#include "engine/wsse_rewrite.h"
#include "core/config_check.h"
#include "core/load.h"
#include "core/scenario.h"
#include "core/segment.h"
#include "core/threshold.h"
#include "core/version.h"
#include "tools/compare.h"
#include "tools/merge.h"
#include "tools/merge_listen.h"

typedef struct {
    sl_outputs_t files; /* --json, --html, --json-to, --junit */
    int trace_fd;
} outputs_t;

static int open_outputs(const sl_config_t *cfg, outputs_t *o, char *err, size_t errlen)
{
    static const char header[] = SL_TRACE_HEADER "\n";
    sl_outputs_t *f = &o->files;
    if (cfg->json_path && sl_outfile_prepare(&f->json, cfg->json_path, 0644, err, errlen) != 0)
        return -1;
    if (cfg->html_path && sl_outfile_prepare(&f->html, cfg->html_path, 0644, err, errlen) != 0)
        return -1;
    if ((f->upload = sl_upload_open(cfg, err, errlen)) == NULL && err[0] != '\0')
        return -1;
    if (cfg->junit_path && sl_outfile_prepare(&f->junit, cfg->junit_path, 0644, err, errlen) != 0)
        return -1;
    if (cfg->trace_path) { /* owner-only: it names the run's every request */
        if ((o->trace_fd = sl_outfile_open(cfg->trace_path, 0600, 1, err, errlen)) < 0)
            return -1;
        if (write(o->trace_fd, header, sizeof(header) - 1) != (ssize_t)sizeof(header) - 1) {
            snprintf(err, errlen, "cannot write %s", cfg->trace_path);
            return -1;
        }
    }
    return 0;
}

static void close_outputs(outputs_t *o)
{
    sl_outputs_close(&o->files);
    if (o->trace_fd >= 0)
        close(o->trace_fd);
}

/* The summary is made in memory and written with write(2), so that a full disk or a closed
 * pipe on stdout is seen, with its reason, rather than lost in stdio's buffer. */
static int print_summary(const sl_config_t *cfg, const sl_run_t *run,
                         const sl_threshold_set_t *checks)
{
    char *text = NULL;
    size_t len = 0, off = 0;
    int e = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem == NULL)
        return -1;
    sl_report_print(mem, cfg, run, checks);
    if (fclose(mem) != 0) {
        free(text);
        fprintf(stderr, "soapload: cannot build the summary: out of memory\n");
        return -1;
    }
    fflush(stdout);
    while (off < len) {
        ssize_t n = write(STDOUT_FILENO, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e = n < 0 ? errno : EIO;
            break;
        }
        off += (size_t)n;
    }
    free(text);
    if (e != 0)
        fprintf(stderr, "soapload: cannot write the summary to stdout: %s\n", strerror(e));
    return e != 0 ? -1 : 0;
}

static int call_done(sl_script_t *script, const sl_config_t *cfg, const sl_run_t *run, int code)
{
    char err[8192];
    pid_t pids[1024];
    sl_counts_t per[1024];
    for (int i = 0; i < run->nworkers; i++) {
        pids[i] = run->workers[i].pid;
        per[i] = run->workers[i].counts;
    }
    sl_script_summary_t sum = {.counts = &run->counts,
                               .duration_s = run->elapsed_s,
                               .target_rate = sl_load_mean_rate(cfg),
                               .achieved_rate =
                                   (double)run->counts.sent / sl_report_sending_s(cfg, run),
                               .latency = run->latency,
                               .service = run->service,
                               .lateness = run->lateness,
                               .nworkers = run->nworkers,
                               .pids = pids,
                               .per_worker = per,
                               .exit_code = code};
    if (sl_script_done(script, &sum, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload: done(): %s\n", err);
        return -1;
    }
    return 0;
}

/* A threshold on a scenario the script does not define is refused, as one on an unknown
 * operation is, before anything is sent. */
static int check_scenarios(const sl_config_t *cfg, const sl_threshold_set_t *checks, char *err,
                           size_t errlen)
{
    const char *names[SL_MAX_SCENARIOS];
    int n = cfg->scenarios != NULL ? cfg->scenarios->n : 0;
    for (int i = 0; i < n; i++)
        names[i] = cfg->scenarios->s[i].name;
    return sl_threshold_check_scenarios(checks, names, n, err, errlen);
}

/* soapload --reconcile TRACE... IDLOG: one trace, or the traces of a split run's segments */
static int reconcile(char **trace_paths, int ntraces, const char *ids_path)
{
    char err[1024];
    sl_reconcile_t r;
    if (sl_reconcile_files(trace_paths, ntraces, ids_path, &r, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload: %s\n", err);
        return SL_EXIT_USAGE;
    }
    return sl_reconcile_print(stdout, &r, ntraces == 1 ? trace_paths[0] : "the traces", ids_path);
}

/* --validate schema: the schema is parsed once, here; the workers inherit it. A relative
 * soapload.schema is read from the script's folder, a relative --schema from here. */
static int load_schema(sl_config_t *cfg, char *err, size_t errlen)
{
    char dir[PATH_MAX] = "", *catalog = NULL;
    const char *slash = strrchr(cfg->script_path, '/');
    if (slash != NULL)
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - cfg->script_path), cfg->script_path);
    /* soapload.catalog, like soapload.schema, is read from the script's folder */
    if (cfg->catalog != NULL && cfg->catalog[0] != '/' && dir[0] &&
        !sl_optset_has(&cfg->given, SL_OPT_CATALOG) &&
        asprintf(&catalog, "%s/%s", dir, cfg->catalog) < 0)
        catalog = NULL;
    cfg->schema = sl_wsdl_schema_load(
        cfg->schema_path, dir[0] && !sl_optset_has(&cfg->given, SL_OPT_SCHEMA) ? dir : NULL,
        catalog != NULL ? catalog : cfg->catalog, cfg->offline, stderr, err, errlen);
    free(catalog);
    return cfg->schema != NULL ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "wsdl") == 0)
        return sl_wsdl_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "--reconcile") == 0) {
        if (argc < 4) {
            fprintf(stderr, "soapload: usage: soapload --reconcile TRACE.csv... ID-LOG\n");
            return SL_EXIT_USAGE;
        }
        return reconcile(argv + 2, argc - 3, argv[argc - 1]);
    }
    if (argc >= 2 && strcmp(argv[1], "merge") == 0) /* soapload merge: see tools/merge.h */
        return sl_merge_listen_wanted(argc - 1, argv + 1) ? sl_merge_listen_main(argc - 1, argv + 1)
                                                          : sl_merge_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "compare") == 0)
        return sl_compare_main(argc - 1, argv + 1);
    /* A closed pipe on stdout or stderr must not kill the run: the write fails, is reported,
     * and the files are still written. A file size limit (ulimit -f) likewise fails the
     * write, with EFBIG, instead of killing the process. Workers inherit both. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);

    sl_config_t cfg;
    sl_run_t run = {0};
    sl_threshold_set_t checks = {0};
    sl_progress_t progress;
    outputs_t out = {.files = SL_OUTPUTS_INIT, .trace_fd = -1};
    sl_metrics_server_t *live = NULL; /* --metrics */
    sl_abort_t abort_eval = {0};      /* --abort-on-fail */
    char err[8192];
    size_t len;
    int code = SL_EXIT_USAGE;

    sl_cli_action_t action = sl_cli_parse(argc, argv, &cfg, err, sizeof(err));
    if (action != SL_CLI_RUN) {
        sl_config_free(&cfg);
        if (action == SL_CLI_HELP)
            sl_cli_usage(stdout);
        else if (action == SL_CLI_VERSION)
            printf("soapload %s (%s)\n", SL_VERSION, curl_version());
        else
            fprintf(stderr, "soapload: %s\nTry 'soapload --help'.\n", err);
        return action == SL_CLI_ERROR ? SL_EXIT_USAGE : SL_EXIT_OK;
    }

    char *text = sl_script_read_file(cfg.script_path, &len, err, sizeof(err));
    if (text == NULL) {
        fprintf(stderr, "soapload: %s\n", err);
        sl_config_free(&cfg);
        return SL_EXIT_USAGE;
    }
    sl_script_t *script = sl_script_load(cfg.script_path, text, len, &cfg, err, sizeof(err));
    if (script == NULL || sl_script_settings(script, &cfg, err, sizeof(err)) != 0 ||
        sl_config_validate(&cfg, err, sizeof(err)) != 0 ||
        sl_wsse_rewrite_check(&cfg.wsse, err, sizeof(err)) != 0) /* before anything is sent */
        goto Usage;
    if (!sl_config_was_set(&cfg, SL_OPT_SEED))
        cfg.seed = cfg.nsegments > 0 && cfg.start_at_us > 0
                       ? sl_segment_shared_seed(cfg.start_at_us) /* one for all segments */
                       : sl_script_new_seed(); /* printed, so that --seed repeats the run */
    for (int i = 0; i < cfg.nchecks; i++)
        if (sl_threshold_parse(&checks, cfg.checks[i], err, sizeof(err)) != 0)
            goto Usage;
    if (sl_threshold_check_operations(&checks, (const char *const *)cfg.op_names, cfg.nops, err,
                                      sizeof(err)) != 0 ||
        check_scenarios(&cfg, &checks, err, sizeof(err)) != 0 ||
        sl_abort_init(&abort_eval, &cfg, &checks, err, sizeof(err)) != 0)
        goto Usage;
    const char *flow_names[SL_FLOW_MAX];
    int nflows = cfg.flows != NULL ? cfg.flows->n : 0;
    for (int i = 0; i < nflows; i++)
        flow_names[i] = cfg.flows->f[i].name;
    if (sl_threshold_check_flows(&checks, flow_names, nflows, err, sizeof(err)) != 0)
        goto Usage;
    if (cfg.dry_run > 0) { /* the hooks without the network */
        code = sl_dryrun(&cfg, text, len, stdout, stderr);
        goto Done;
    }
    if (cfg.validate_pct > 0 && load_schema(&cfg, err, sizeof(err)) != 0)
        goto Usage;
    if (sl_fdlimit_check(&cfg, err, sizeof(err)) != 0 ||
        sl_tlskey_check(&cfg, err, sizeof(err)) != 0 ||
        open_outputs(&cfg, &out, err, sizeof(err)) != 0)
        goto Usage;
    if (cfg.metrics_addr != NULL) { /* a port in use is refused before anything is sent */
        if ((live = sl_metrics_open(&cfg, err, sizeof(err))) == NULL)
            goto Usage;
        run.guest = sl_metrics_guest(live);
        if (!cfg.quiet || strcmp(strrchr(cfg.metrics_addr, ':'), ":0") == 0)
            fprintf(stderr, "soapload: metrics at %s\n", sl_metrics_url(live));
    }

    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!cfg.quiet)
        fprintf(stderr, "soapload: %s: %d worker%s, %d connections, %s for %.2f s...\n", cfg.url,
                cfg.workers, cfg.workers == 1 ? "" : "s", cfg.connections,
                cfg.closed ? "closed model" : "open model", (double)cfg.duration_ns / 1e9);
    if (sl_progress_init(&progress, &cfg, stderr)) {
        run.on_second = sl_progress_second;
        run.on_second_data = &progress;
    }
    sl_abort_attach(&abort_eval, &run);
    sl_script_pause(script); /* the workers are forked from a process with one thread */
    int started = sl_run(&cfg, text, len, out.trace_fd, &run, err, sizeof(err)) == 0;
    if (sl_script_resume(script) != 0)
        fprintf(stderr,
                "soapload: cannot restart the thread that watches done()'s time limit inside C "
                "functions: %s\n",
                strerror(errno));
    sl_progress_finish(&progress);
    if (!started) {
        fprintf(stderr, "soapload: %s\n", err);
        goto Done;
    }

    sl_metrics_t metrics = {.counts = &run.counts,
                            .latency = run.latency,
                            .service = run.service,
                            .lateness = run.lateness,
                            .duration_s = sl_report_sending_s(&cfg, &run),
                            .nflows = run.nflows,
                            .flow_names = flow_names,
                            .flows = run.flows};
    sl_metrics_t *op_metrics = sl_ops_metrics(&cfg, &run, &metrics);
    sl_metrics_t *tag_metrics = sl_tags_metrics(&run, &metrics);
    sl_threshold_evaluate(&checks, &metrics);
    free(op_metrics);
    free(tag_metrics);
    code = sl_report_exit_code(&run, &checks);
    /* every output is attempted; one that could not be written makes the exit code 4 */
    if (print_summary(&cfg, &run, &checks) != 0)
        code = SL_EXIT_INTERNAL;
    if (sl_outputs_write(&out.files, &cfg, &run, &checks, "soapload", stderr) != 0)
        code = SL_EXIT_INTERNAL;
    if (call_done(script, &cfg, &run, code) != 0 && code == SL_EXIT_OK)
        code = SL_EXIT_FAILED_REQUESTS;
    if (live != NULL && !run.interrupted) /* a last scrape sees the final counts */
        sl_metrics_linger(live, &run, cfg.metrics_linger_ns);
    goto Done;
Usage:
    fprintf(stderr, "soapload: %s\n", err);
Done:
    sl_metrics_close(live);
    sl_abort_free(&abort_eval);
    sl_run_free(&run);
    close_outputs(&out);
    sl_script_close(script);
    sl_wsdl_schema_free(cfg.schema);
    sl_config_free(&cfg);
    free(text);
    curl_global_cleanup();
    return code;
}
