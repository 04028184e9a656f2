/*
 * outputs: a result's files written once, for a run (main.c) and a merged result (soapload
 * merge) alike: the JSON document made once, in memory, for --json, the HTML report and
 * --json-to; then the JUnit report. Each file is written whole or not at all.
 */
#ifndef SOAPLOAD_OUTPUTS_H
#define SOAPLOAD_OUTPUTS_H

#include <stdio.h>

#include "core/config.h"
#include "core/threshold.h"
#include "engine/run.h"
#include "output/outfile.h"
#include "output/upload.h"

/* The outputs asked for, each prepared before the run (sl_outfile_prepare, sl_upload_open). */
typedef struct {
    sl_outfile_t json, html, junit; /* path NULL: not asked */
    sl_upload_t *upload;            /* --json-to, or NULL */
} sl_outputs_t;

#define SL_OUTPUTS_INIT                                                                            \
    {                                                                                              \
        .json.fd = -1, .html.fd = -1, .junit.fd = -1, .upload = NULL                               \
    }

/** Writes the result (cfg, run, checks) to every output of o, in order: --json, --html,
 * --json-to, --junit; each is attempted. Several can fail, each for its own reason, so each
 * failure is printed to log as it happens, "WHO: reason" (who: "soapload", "soapload merge"),
 * and a delivered upload is said there unless cfg->quiet. Returns 0, or -1 when one failed. */
int sl_outputs_write(sl_outputs_t *o, const sl_config_t *cfg, const sl_run_t *run,
                     const sl_threshold_set_t *checks, const char *who, FILE *log);
/** Releases what the outputs keep (sl_outfile_close, sl_upload_free). */
void sl_outputs_close(sl_outputs_t *o);

#endif
