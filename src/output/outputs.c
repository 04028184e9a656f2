/*
 * outputs: a result's files written once, for a run and a merged result alike (see
 * outputs.h).
 */
#include "output/outputs.h"

#include <stdlib.h>

#include "output/html.h"
#include "output/junit.h"
#include "output/results.h"

/* The JSON document, made once in memory, to --json, --html and --json-to. */
static int write_json_html(sl_outputs_t *o, const sl_config_t *cfg, const sl_run_t *run,
                           const sl_threshold_set_t *checks, const char *who, FILE *log)
{
    char *doc = NULL, *page = NULL, err[4096];
    size_t len = 0, page_len = 0;
    int rc = -1;
    FILE *mem = open_memstream(&doc, &len);
    if (mem == NULL || sl_results_write_json(mem, cfg, run, checks) != 0 || fclose(mem) != 0) {
        fprintf(log, "%s: cannot build the results: out of memory\n", who);
        goto Done;
    }
    rc = 0;
    if (o->json.path != NULL && sl_outfile_write(&o->json, doc, len, err, sizeof(err)) != 0) {
        fprintf(log, "%s: %s\n", who, err);
        rc = -1;
    }
    if (o->html.path != NULL) {
        mem = open_memstream(&page, &page_len);
        if (mem == NULL || sl_html_write(mem, doc, len) != 0 || fclose(mem) != 0) {
            fprintf(log, "%s: cannot write %s: out of memory\n", who, o->html.path);
            rc = -1;
        } else if (sl_outfile_write(&o->html, page, page_len, err, sizeof(err)) != 0) {
            fprintf(log, "%s: %s\n", who, err);
            rc = -1;
        }
    }
    if (o->upload != NULL && sl_upload_send(o->upload, doc, len, err, sizeof(err)) != 0) {
        fprintf(log, "%s: %s\n", who, err);
        rc = -1;
    } else if (o->upload != NULL && !cfg->quiet) /* in a pod's log: where the result went */
        fprintf(log, "%s: results delivered to %s\n", who, cfg->json_to);
Done:
    free(doc);
    free(page);
    return rc;
}

int sl_outputs_write(sl_outputs_t *o, const sl_config_t *cfg, const sl_run_t *run,
                     const sl_threshold_set_t *checks, const char *who, FILE *log)
{
    char err[4096];
    int rc = 0;
    if ((o->json.path != NULL || o->html.path != NULL || o->upload != NULL) &&
        write_json_html(o, cfg, run, checks, who, log) != 0)
        rc = -1;
    if (o->junit.path != NULL &&
        sl_junit_write_file(&o->junit, cfg, run, checks, err, sizeof(err)) != 0) {
        fprintf(log, "%s: %s\n", who, err);
        rc = -1;
    }
    return rc;
}

void sl_outputs_close(sl_outputs_t *o)
{
    sl_outfile_close(&o->json);
    sl_outfile_close(&o->html);
    sl_outfile_close(&o->junit);
    sl_upload_free(o->upload);
    o->upload = NULL;
}
