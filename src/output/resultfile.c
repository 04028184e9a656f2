/*
 * resultfile: a result file read back whole (see resultfile.h): the file's text, its schema,
 * the summary and latency totals; each part of the document is read by its own file
 * (resultfile_settings, resultfile_run, resultfile_breakdown).
 */
#include "output/resultfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fileio.h"
#include "core/json.h"
#include "output/resultfield.h"
#include "output/resultfile_breakdown.h"
#include "output/resultfile_flows.h"
#include "output/resultfile_run.h"
#include "output/resultfile_settings.h"
#include "output/results.h"

#define MAX_RESULT_BYTES (1ULL << 30) /* a 1-hour run's file is a few MB */

/* The whole file at path, or NULL with why in err. */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    char why[128];
    char *text = sl_file_read_all(path, MAX_RESULT_BYTES, 0, len, why, sizeof(why));
    if (text == NULL && errno == EFBIG)
        snprintf(err, errlen, "larger than %llu bytes: not a result file",
                 (unsigned long long)MAX_RESULT_BYTES);
    else if (text == NULL)
        snprintf(err, errlen, "cannot read it: %s", why);
    return text;
}

/* text[0..len) parsed, or NULL with msg. */
static sl_json_t *parse_json(const char *text, size_t len, char *msg, size_t msglen)
{
    char why[256];
    sl_json_t *doc = sl_json_parse(text, len, why, sizeof(why));
    if (doc == NULL)
        snprintf(msg, msglen, "not a soapload result: not JSON (%s)", why);
    return doc;
}

/* The document (freed here): its schema, then each part, into r (its source already set). */
static int read_doc(sl_resultfile_t *r, sl_json_t *doc, char *msg, size_t msglen)
{
    const char *schema;
    int rc = -1;
    if (doc == NULL)
        return -1;
    if (doc->type != SL_JSON_OBJECT || sl_json_get(doc, "schema") == NULL ||
        sl_json_get(doc, "schema")->type != SL_JSON_STRING) {
        snprintf(msg, msglen, "not a soapload result: no \"schema\" field");
        goto Done;
    }
    schema = sl_json_get(doc, "schema")->string;
    if (strcmp(schema, SL_RESULTS_SCHEMA) != 0) {
        snprintf(msg, msglen, "schema \"%.100s\" is not %s%s", schema, SL_RESULTS_SCHEMA,
                 strncmp(schema, "soapload-results/", 17) == 0
                     ? ": written by another version of soapload"
                     : ": not a soapload result");
        goto Done;
    }
    sl_run_t *run = &r->run;
    const sl_json_t *lat;
    if (sl_resultfile_read_settings(doc, r, msg, msglen) != 0 ||
        sl_resultfield_counts(sl_resultfield_get(doc, "summary", SL_JSON_OBJECT, "", msg, msglen),
                              "summary", &run->counts, msg, msglen) != 0 ||
        sl_resultfield_seconds(doc, "sending_s", "", &r->sending_s, msg, msglen) != 0 ||
        sl_resultfield_seconds(doc, "elapsed_s", "", &run->elapsed_s, msg, msglen) != 0 ||
        sl_resultfield_u64(doc, "max_in_flight", "", &run->max_in_flight, msg, msglen) != 0 ||
        sl_resultfield_bool(doc, "interrupted", "", &run->interrupted, msg, msglen) != 0 ||
        sl_resultfield_int(doc, "workers_died", "", &run->workers_died, msg, msglen) != 0 ||
        (lat = sl_resultfield_get(doc, "latency", SL_JSON_OBJECT, "", msg, msglen)) == NULL)
        goto Done;
    if ((run->latency = sl_resultfield_hist(lat, "from_due", msg, msglen)) == NULL ||
        (run->service = sl_resultfield_hist(lat, "service", msg, msglen)) == NULL ||
        (run->lateness = sl_resultfield_hist(lat, "send_lateness", msg, msglen)) == NULL ||
        sl_resultfile_read_connections(doc, run, msg, msglen) != 0 ||
        sl_resultfile_read_intervals(doc, run, msg, msglen) != 0 ||
        sl_resultfile_read_workers(doc, run, msg, msglen) != 0 ||
        sl_resultfile_read_operations(doc, r, msg, msglen) != 0 ||
        sl_resultfile_read_flows(doc, r, msg, msglen) != 0 ||
        sl_resultfile_read_scenarios(doc, r, msg, msglen) != 0 ||
        sl_resultfile_read_tags(doc, run, msg, msglen) != 0 ||
        sl_resultfile_read_reasons(doc, &r->cfg, &run->reasons, msg, msglen) != 0 ||
        sl_resultfile_read_opseries(doc, r, msg, msglen) != 0 ||
        sl_resultfile_read_parts(doc, r, msg, msglen) != 0 ||
        sl_resultfile_read_validation(doc, &r->cfg, &run->validation, msg, msglen) != 0)
        goto Done;
    /* the rates divide by the time it was sending: a run stopped early sent for less */
    run->t0_ns = 1;
    if (r->sending_s * 1e9 < (double)r->cfg.duration_ns)
        run->stopped_ns = 1 + (uint64_t)llround(r->sending_s * 1e9);
    rc = 0;
Done:
    sl_json_free(doc);
    return rc;
}

int sl_resultfile_parse(sl_resultfile_t *r, const char *source, const char *text, size_t len,
                        char *err, size_t errlen)
{
    char msg[512];
    int rc = -1;
    memset(r, 0, sizeof(*r));
    if ((r->source = strdup(source)) == NULL)
        snprintf(msg, sizeof(msg), "out of memory");
    else
        rc = read_doc(r, parse_json(text, len, msg, sizeof(msg)), msg, sizeof(msg));
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", source, msg);
    return rc;
}

int sl_resultfile_load(sl_resultfile_t *r, const char *path, char *err, size_t errlen)
{
    char msg[512];
    size_t len = 0;
    char *text;
    int rc = -1;
    memset(r, 0, sizeof(*r));
    if ((r->source = strdup(path)) == NULL)
        snprintf(msg, sizeof(msg), "out of memory");
    else if ((text = read_file(path, &len, msg, sizeof(msg))) != NULL) {
        sl_json_t *doc = parse_json(text, len, msg, sizeof(msg));
        free(text); /* before the document is read: a large file's text and tree not both */
        rc = read_doc(r, doc, msg, sizeof(msg));
    }
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", path, msg);
    return rc;
}

void sl_resultfile_free(sl_resultfile_t *r)
{
    sl_run_free(&r->run);
    sl_config_free(&r->cfg);
    free(r->script);
    free(r->source);
    free(r->segments);
    free(r->parts);
    memset(r, 0, sizeof(*r));
}
