/*
 * resultfile_flows: a result file's "flows" read back (see resultfile.h): the flow definitions
 * a report needs (names, weights, steps as operations) into the settings, and each flow's
 * counts, failures by step and reason and duration histogram into the run.
 */
#ifndef SOAPLOAD_RESULTFILE_FLOWS_H
#define SOAPLOAD_RESULTFILE_FLOWS_H

#include <stddef.h>

#include "core/json.h"
#include "output/resultfile.h"

/** Reads "flows" (absent in files before flows, or []: none) into r->cfg.flows (allocated,
 * freed with the settings) and r->run.flows; each step's name must be one of r's operations,
 * so after them. Returns 0, or -1 with err naming the field (a duration without its histogram:
 * a file written before flows merged). */
int sl_resultfile_read_flows(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen);

#endif
