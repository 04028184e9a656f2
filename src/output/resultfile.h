/*
 * resultfile: a result file (schema soapload-results/1, written by output/results.c) read back
 * into the structures the run and the writers use (sl_config_t, sl_run_t), so that merge,
 * compare and the proof across segments read it one way. Reading is strict: every field the
 * writer puts in a result is required with its type (output/resultfield.c), so that a file
 * that is not ours, or was edited into something else, is refused by name rather than
 * half-read.
 */
#ifndef SOAPLOAD_RESULTFILE_H
#define SOAPLOAD_RESULTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "engine/run.h"

/* One result file, read back. */
typedef struct {
    char *source;    /* the path it was read from */
    char *script;    /* settings.script: cfg.script_path points here */
    sl_config_t cfg; /* the settings the writer needs */
    sl_run_t run;    /* counts, histograms, intervals, workers, reasons */
    int64_t started_at_us;
    double sending_s;
    double mean_rate;       /* settings.rate: this file's mean target rate (its share of a split) */
    sl_segment_t *segments; /* a merged result's own rows (run.segments points here) */
    sl_segment_t *parts;    /* the runs a merged file read back holds (its "segments"): their */
    size_t nparts;          /* started_at_us and counts, that no run is merged twice */
} sl_resultfile_t;

/** Reads the result file at path into r (zeroed first). Returns 0, or -1 with
 * "PATH: what is wrong" in err (not JSON, not a soapload result, another schema, a field
 * missing or of the wrong type, a histogram of another layout). Free r with sl_resultfile_free
 * either way. */
int sl_resultfile_load(sl_resultfile_t *r, const char *path, char *err, size_t errlen);
/** Reads the result document text[0..len) (source names it in messages) into r (zeroed
 * first), as sl_resultfile_load reads a file's. Returns 0, or -1 with "SOURCE: what is wrong"
 * in err. Free r with sl_resultfile_free either way. */
int sl_resultfile_parse(sl_resultfile_t *r, const char *source, const char *text, size_t len,
                        char *err, size_t errlen);
/** Frees what r holds. */
void sl_resultfile_free(sl_resultfile_t *r);

#endif
