/*
 * merge: reads result files (schema soapload-results/1) back into the structures the run and
 * the writers use (sl_config_t, sl_run_t), and merges several into one result exactly: counts
 * and histogram buckets added, intervals placed on one timeline of absolute seconds, failure
 * reasons added under their bound, one segment row per file. The writers of a run (JSON, HTML,
 * the summary) then write the merged result; there is no second writer.
 */
#ifndef SOAPLOAD_MERGE_H
#define SOAPLOAD_MERGE_H

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
/** Frees what r holds. */
void sl_resultfile_free(sl_resultfile_t *r);
/** Checks that in[0..n) merge: the same settings (url, model, soap_version, duration...), a
 * split's segments each once, no run twice. Returns 0, or -1 with a message naming the file and
 * what differs in err. */
int sl_resultfile_mergeable(const sl_resultfile_t *in, int n, char *err, size_t errlen);
/** Merges in[0..n) (sl_resultfile_mergeable, sl_resultcheck_file and sl_resultcheck_sum said
 * yes) into out (zeroed first). Returns 0, or -1 with err (out of memory). out borrows nothing
 * from in but the sources' names: keep in until out is freed. */
int sl_resultfile_merge(sl_resultfile_t *out, const sl_resultfile_t *in, int n, char *err,
                        size_t errlen);

/** `soapload merge RESULT.json... [--json OUT] [--html OUT] [--threshold EXPR]... [--quiet]`:
 * argv[0] is "merge". Returns the exit code. */
int sl_merge_main(int argc, char **argv);

#endif
