/*
 * config_check: the settings checked together, once the flags and the script have both given
 * theirs.
 */
#ifndef SOAPLOAD_CONFIG_CHECK_H
#define SOAPLOAD_CONFIG_CHECK_H

#include <stddef.h>

#include "core/config_types.h"

/** Checks the settings together: the URL, a rate for the open model, combinations that
 * contradict each other; completes what follows from them (the run's length from its stages,
 * a segment's connections, the workers). Returns 0, or -1 with err. */
int sl_config_validate(sl_config_t *cfg, char *err, size_t errlen);

#endif
