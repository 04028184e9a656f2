/*
 * resultfile_run: the run's own record in a result file read back (see resultfile.h): the
 * connections, the one-second intervals, the workers and a merged file's runs.
 */
#ifndef SOAPLOAD_RESULTFILE_RUN_H
#define SOAPLOAD_RESULTFILE_RUN_H

#include <stddef.h>

#include "core/json.h"
#include "engine/run.h"
#include "output/resultfile.h"

/** Reads "connections" (absent in files before it: counts 0, no histogram) into run. Returns
 * 0, or -1 with err. */
int sl_resultfile_read_connections(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen);
/** Reads "intervals" into run->seconds (allocated, each second's histogram kept sparse), the
 * seconds going up. Returns 0, or -1 with err; what was read is freed with run. */
int sl_resultfile_read_intervals(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen);
/** Reads "workers" into run->workers (allocated). Returns 0, or -1 with err. */
int sl_resultfile_read_workers(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen);
/** Reads a merged file's "runs" (or, from before them, its "segments"; absent in a run's)
 * into r->parts. Returns 0, or -1 with err. */
int sl_resultfile_read_parts(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen);

#endif
