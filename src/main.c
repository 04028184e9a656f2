/*
 * soapload: parses the command line, loads and checks the script once (nothing is sent when
 * it fails), runs the workers, prints the summary and hands it to the script's done().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "report.h"
#include "run.h"
#include "script.h"
#include "version.h"

int main(int argc, char **argv)
{
    sl_config_t cfg;
    sl_run_t run;
    char err[8192];
    size_t len;
    int code;

    switch (sl_cli_parse(argc, argv, &cfg, err, sizeof(err))) {
    case SL_CLI_HELP:
        sl_cli_usage(stdout);
        return SL_EXIT_OK;
    case SL_CLI_VERSION:
        printf("soapload %s (%s)\n", SL_VERSION, curl_version());
        return SL_EXIT_OK;
    case SL_CLI_ERROR:
        fprintf(stderr, "soapload: %s\nTry 'soapload --help'.\n", err);
        return SL_EXIT_USAGE;
    case SL_CLI_RUN:
        break;
    }

    char *text = sl_script_read_file(cfg.script_path, &len, err, sizeof(err));
    if (text == NULL) {
        fprintf(stderr, "soapload: %s\n", err);
        return SL_EXIT_USAGE;
    }
    sl_script_t *script = sl_script_load(cfg.script_path, text, len, &cfg, err, sizeof(err));
    if (script == NULL || sl_script_settings(script, &cfg, err, sizeof(err)) != 0 ||
        sl_cli_validate(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload: %s\n", err);
        sl_script_close(script);
        sl_config_free(&cfg);
        free(text);
        return SL_EXIT_USAGE;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!cfg.quiet)
        fprintf(stderr, "soapload: %s: %d worker%s, %d connections, %s for %.2f s...\n", cfg.url,
                cfg.workers, cfg.workers == 1 ? "" : "s", cfg.connections,
                cfg.closed ? "closed model" : "open model", (double)cfg.duration_ns / 1e9);

    if (sl_run(&cfg, text, len, &run, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload: %s\n", err);
        code = SL_EXIT_USAGE;
        sl_run_free(&run);
        goto Done;
    }
    sl_report_print(stdout, &cfg, &run);
    fflush(stdout);
    code = sl_report_exit_code(&run);

    pid_t pids[1024];
    sl_counts_t per[1024];
    for (int i = 0; i < run.nworkers; i++) {
        pids[i] = run.workers[i].pid;
        per[i] = run.workers[i].counts;
    }
    double dur = (double)cfg.duration_ns / 1e9;
    sl_script_summary_t sum = {.counts = &run.counts,
                               .duration_s = run.elapsed_s,
                               .target_rate = cfg.closed ? 0 : cfg.rate,
                               .achieved_rate = (double)run.counts.sent / dur,
                               .latency = run.latency,
                               .service = run.service,
                               .lateness = run.lateness,
                               .nworkers = run.nworkers,
                               .pids = pids,
                               .per_worker = per};
    if (sl_script_done(script, &sum, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload: done(): %s\n", err);
        if (code == SL_EXIT_OK)
            code = SL_EXIT_FAILED_REQUESTS;
    }
    sl_run_free(&run);
Done:
    sl_script_close(script);
    sl_config_free(&cfg);
    free(text);
    curl_global_cleanup();
    return code;
}
