/*
 * dryrun: soapload --dry-run [N]: the script's hooks without any network. One simulated
 * worker loads the script, runs init(args) and request(id, seq) for the first N requests,
 * and each request is printed as it would be sent (method, URL, headers, body) and checked:
 * a well-formed SOAP envelope of the run's version.
 */
#ifndef SOAPLOAD_DRYRUN_H
#define SOAPLOAD_DRYRUN_H

#include <stddef.h>
#include <stdio.h>

#include "core/config.h"

/** Runs cfg->dry_run requests of the script `text` (cfg->script_path) as worker 1 of 1,
 * printing each to out and each problem (a request() error, a body that is not a SOAP
 * envelope of cfg->soap_version) to errout. Returns SL_EXIT_OK, or SL_EXIT_USAGE when the
 * script could not be run or a request has a problem. */
int sl_dryrun(const sl_config_t *cfg, const char *text, size_t len, FILE *out, FILE *errout);

#endif
