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
static int reconcile(int argc, char **argv)
{
    char err[1024];
    sl_reconcile_t r;
    char **trace_paths = argv + 2;
    int ntraces = argc - 3;
    const char *ids_path = argv[argc - 1];
    if (argc < 4) {
        fprintf(stderr, "soapload: usage: soapload --reconcile TRACE.csv... ID-LOG\n");
        return SL_EXIT_USAGE;
    }
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

/* One run's state, from the command line to the outputs, freed in one place. */
typedef struct {
    sl_config_t cfg;
    sl_run_t run;
    sl_threshold_set_t checks;
    sl_progress_t progress;
    outputs_t out;
    sl_metrics_server_t *live; /* --metrics */
    sl_abort_t abort_eval;     /* --abort-on-fail */
    sl_script_t *script;
    char *text; /* the script's, as read */
    size_t len;
    const char *flow_names[SL_FLOW_MAX];
} run_state_t;

/* The subcommands that are not a run: wsdl, --reconcile, merge, compare. Returns 1 with their
 * exit code in *code when argv names one, else 0. */
static int run_subcommand(int argc, char **argv, int *code)
{
    const char *name = argc >= 2 ? argv[1] : "";
    if (strcmp(name, "wsdl") == 0)
        *code = sl_wsdl_main(argc - 1, argv + 1);
    else if (strcmp(name, "--reconcile") == 0)
        *code = reconcile(argc, argv);
    else if (strcmp(name, "merge") == 0) /* soapload merge: see tools/merge.h */
        *code = sl_merge_listen_wanted(argc - 1, argv + 1)
                    ? sl_merge_listen_main(argc - 1, argv + 1)
                    : sl_merge_main(argc - 1, argv + 1);
    else if (strcmp(name, "compare") == 0)
        *code = sl_compare_main(argc - 1, argv + 1);
    else
        return 0;
    return 1;
}

/* Parses the command line into cfg. Returns 1 to run; else 0 with the exit code in *code, after
 * --help, --version or a usage error is printed (and cfg freed). */
static int parse_command_line(int argc, char **argv, sl_config_t *cfg, int *code)
{
    char err[8192];
    sl_cli_action_t action = sl_cli_parse(argc, argv, cfg, err, sizeof(err));
    if (action == SL_CLI_RUN)
        return 1;
    sl_config_free(cfg);
    if (action == SL_CLI_HELP)
        sl_cli_usage(stdout);
    else if (action == SL_CLI_VERSION)
        printf("soapload %s (%s)\n", SL_VERSION, curl_version());
    else
        fprintf(stderr, "soapload: %s\nTry 'soapload --help'.\n", err);
    *code = action == SL_CLI_ERROR ? SL_EXIT_USAGE : SL_EXIT_OK;
    return 0;
}

/* Loads the script (s->text), applies its settings and checks them, the seed, and the
 * thresholds against the script's operations, scenarios and flows: all before anything is
 * sent. Returns 0, or -1 with err. */
static int load_and_check(run_state_t *s, char *err, size_t errlen)
{
    sl_config_t *cfg = &s->cfg;
    s->script = sl_script_load(cfg->script_path, s->text, s->len, cfg, err, errlen);
    if (s->script == NULL || sl_script_settings(s->script, cfg, err, errlen) != 0 ||
        sl_config_validate(cfg, err, errlen) != 0 ||
        sl_wsse_rewrite_check(&cfg->wsse, err, errlen) != 0) /* before anything is sent */
        return -1;
    if (!sl_config_was_set(cfg, SL_OPT_SEED))
        cfg->seed = cfg->nsegments > 0 && cfg->start_at_us > 0
                        ? sl_segment_shared_seed(cfg->start_at_us) /* one for all segments */
                        : sl_script_new_seed(); /* printed, so that --seed repeats the run */
    for (int i = 0; i < cfg->nchecks; i++)
        if (sl_threshold_parse(&s->checks, cfg->checks[i], err, errlen) != 0)
            return -1;
    if (sl_threshold_check_operations(&s->checks, (const char *const *)cfg->op_names, cfg->nops,
                                      err, errlen) != 0 ||
        check_scenarios(cfg, &s->checks, err, errlen) != 0 ||
        sl_abort_init(&s->abort_eval, cfg, &s->checks, err, errlen) != 0)
        return -1;
    int nflows = cfg->flows != NULL ? cfg->flows->n : 0;
    for (int i = 0; i < nflows; i++)
        s->flow_names[i] = cfg->flows->f[i].name;
    return sl_threshold_check_flows(&s->checks, s->flow_names, nflows, err, errlen);
}

/* What a run needs before its first request: the schema (--validate), the descriptor limit, the
 * TLS key log, the output files and the --metrics listener. Returns 0, or -1 with err. */
static int set_up_run(run_state_t *s, char *err, size_t errlen)
{
    sl_config_t *cfg = &s->cfg;
    if (cfg->validate_pct > 0 && load_schema(cfg, err, errlen) != 0)
        return -1;
    if (sl_fdlimit_check(cfg, err, errlen) != 0 || sl_tlskey_check(cfg, err, errlen) != 0 ||
        open_outputs(cfg, &s->out, err, errlen) != 0)
        return -1;
    if (cfg->metrics_addr != NULL) { /* a port in use is refused before anything is sent */
        if ((s->live = sl_metrics_open(cfg, err, errlen)) == NULL)
            return -1;
        s->run.guest = sl_metrics_guest(s->live);
        if (!cfg->quiet || strcmp(strrchr(cfg->metrics_addr, ':'), ":0") == 0)
            fprintf(stderr, "soapload: metrics at %s\n", sl_metrics_url(s->live));
    }
    return 0;
}

/* Runs the workers, with the progress line on stderr. Returns 0, or -1 with err. */
static int run_workers(run_state_t *s, char *err, size_t errlen)
{
    sl_config_t *cfg = &s->cfg;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!cfg->quiet)
        fprintf(stderr, "soapload: %s: %d worker%s, %d connections, %s for %.2f s...\n", cfg->url,
                cfg->workers, cfg->workers == 1 ? "" : "s", cfg->connections,
                cfg->closed ? "closed model" : "open model", (double)cfg->duration_ns / 1e9);
    if (sl_progress_init(&s->progress, cfg, stderr)) {
        s->run.on_second = sl_progress_second;
        s->run.on_second_data = &s->progress;
    }
    sl_abort_attach(&s->abort_eval, &s->run);
    sl_script_pause(s->script); /* the workers are forked from a process with one thread */
    int started = sl_run(cfg, s->text, s->len, s->out.trace_fd, &s->run, err, errlen) == 0;
    if (sl_script_resume(s->script) != 0)
        fprintf(stderr,
                "soapload: cannot restart the thread that watches done()'s time limit inside C "
                "functions: %s\n",
                strerror(errno));
    sl_progress_finish(&s->progress);
    return started ? 0 : -1;
}

/* The run's end: its thresholds evaluated, the summary, the result files, done() and a last
 * scrape of /metrics. Every output is attempted; one that could not be written makes the exit
 * code 4. Returns the exit code. */
static int finish_run(run_state_t *s)
{
    sl_config_t *cfg = &s->cfg;
    sl_run_t *run = &s->run;
    sl_metrics_t metrics = {.counts = &run->counts,
                            .latency = run->latency,
                            .service = run->service,
                            .lateness = run->lateness,
                            .duration_s = sl_report_sending_s(cfg, run),
                            .nflows = run->nflows,
                            .flow_names = s->flow_names,
                            .flows = run->flows};
    sl_metrics_t *op_metrics = sl_ops_metrics(cfg, run, &metrics);
    sl_metrics_t *tag_metrics = sl_tags_metrics(run, &metrics);
    sl_threshold_evaluate(&s->checks, &metrics);
    free(op_metrics);
    free(tag_metrics);
    int code = sl_report_exit_code(run, &s->checks);
    if (print_summary(cfg, run, &s->checks) != 0)
        code = SL_EXIT_INTERNAL;
    if (sl_outputs_write(&s->out.files, cfg, run, &s->checks, "soapload", stderr) != 0)
        code = SL_EXIT_INTERNAL;
    if (call_done(s->script, cfg, run, code) != 0 && code == SL_EXIT_OK)
        code = SL_EXIT_FAILED_REQUESTS;
    if (s->live != NULL && !run->interrupted) /* a last scrape sees the final counts */
        sl_metrics_linger(s->live, run, cfg->metrics_linger_ns);
    return code;
}

static void free_state(run_state_t *s)
{
    sl_metrics_close(s->live);
    sl_abort_free(&s->abort_eval);
    sl_run_free(&s->run);
    close_outputs(&s->out);
    sl_script_close(s->script);
    sl_wsdl_schema_free(s->cfg.schema);
    sl_config_free(&s->cfg);
    free(s->text);
    curl_global_cleanup();
}

int main(int argc, char **argv)
{
    run_state_t s = {.out = {.files = SL_OUTPUTS_INIT, .trace_fd = -1}};
    char err[8192];
    int code = SL_EXIT_USAGE;
    if (run_subcommand(argc, argv, &code))
        return code;
    /* A closed pipe on stdout or stderr must not kill the run: the write fails, is reported,
     * and the files are still written. A file size limit (ulimit -f) likewise fails the
     * write, with EFBIG, instead of killing the process. Workers inherit both. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    if (!parse_command_line(argc, argv, &s.cfg, &code))
        return code;
    s.text = sl_script_read_file(s.cfg.script_path, &s.len, err, sizeof(err));
    if (s.text == NULL) {
        fprintf(stderr, "soapload: %s\n", err);
        sl_config_free(&s.cfg);
        return SL_EXIT_USAGE;
    }
    if (load_and_check(&s, err, sizeof(err)) != 0)
        goto Usage;
    if (s.cfg.dry_run > 0) { /* the hooks without the network */
        code = sl_dryrun(&s.cfg, s.text, s.len, stdout, stderr);
        goto Done;
    }
    if (set_up_run(&s, err, sizeof(err)) != 0 || run_workers(&s, err, sizeof(err)) != 0)
        goto Usage; /* a run that did not start exits 2, as a usage error does */
    code = finish_run(&s);
    goto Done;
Usage:
    fprintf(stderr, "soapload: %s\n", err);
Done:
    free_state(&s);
    return code;
}
