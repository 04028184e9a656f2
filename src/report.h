/*
 * report: the summary people read at the end of a run.
 */
#ifndef SOAPLOAD_REPORT_H
#define SOAPLOAD_REPORT_H

#include <stdio.h>

#include "config.h"
#include "run.h"

/** Prints the summary of `run` to out. */
void sl_report_print(FILE *out, const sl_config_t *cfg, const sl_run_t *run);

/** The exit code the run deserves (see cli.h). */
int sl_report_exit_code(const sl_run_t *run);

#endif
