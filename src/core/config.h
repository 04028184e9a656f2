/*
 * config: the settings of a run and their one owner. Every setting is described once, in the
 * option table of config.c: its flag, its name in a script's `soapload` table, its help text,
 * its parser (core/config_set.h), its bounds and its default. The command line and the script
 * both go through sl_config_apply, so a value is checked the same way wherever it comes from,
 * and a flag always wins over the script's default. The checks of the settings together are
 * core/config_check.h's; the load shape they give, core/load.h's.
 */
#ifndef SOAPLOAD_CONFIG_H
#define SOAPLOAD_CONFIG_H

#include "core/config_types.h"

/** The option table, SL_OPT_COUNT entries in sl_opt_t order. */
const sl_option_t *sl_config_options(void);
/** The option a script setting name stands for, or NULL. */
const sl_option_t *sl_config_by_script_name(const char *name);

/** Fills cfg with the defaults. */
void sl_config_init(sl_config_t *cfg);
/** Frees the strings cfg owns. */
void sl_config_free(sl_config_t *cfg);

/** Parses `value` for option `id` into cfg with the option's own setter, without noting where
 * it came from: the check that a scenario's keys share with the options. Returns 0, or -1 with
 * "it wants ..." (or what else is wrong) in why. */
int sl_config_set(sl_config_t *cfg, sl_opt_t id, const char *value, sl_source_t source, char *why,
                  size_t whylen);
/** Parses `value` (NULL for options without one) for option `id` from `source` and stores it,
 * unless a flag already gave that option and this value comes from the script (it is still
 * checked). Copies what it keeps. Returns 0, or -1 with a message naming the option in err. */
int sl_config_apply(sl_config_t *cfg, sl_opt_t id, const char *value, sl_source_t source, char *err,
                    size_t errlen);

/** Adds one stage of the script's soapload.stages; the keys it had are flagged in st.
 * Returns 0, or -1 with err when there are too many. */
int sl_config_add_stage(sl_config_t *cfg, const sl_config_stage_t *st, char *err, size_t errlen);

/** The closed model's connections at offset t of the run (stages ramp them linearly). */
int sl_config_connections_at(const sl_config_t *cfg, uint64_t t_ns);
/** The first offset after t at which the closed model's connections grow, or UINT64_MAX. */
uint64_t sl_config_connections_grow(const sl_config_t *cfg, uint64_t t_ns);

/** Adds operation `name` with `weight` (soapload.operations). Returns 0, or -1 with a message
 * in err: an empty, too long or repeated name (names are letters, digits, '_', '-', '.'),
 * a weight below 0 or not finite, more than SL_MAX_OPERATIONS. */
int sl_config_add_operation(sl_config_t *cfg, const char *name, double weight, char *err,
                            size_t errlen);
/** The index of operation `name`, or -1. */
int sl_config_operation(const sl_config_t *cfg, const char *name, size_t len);

/** The closest script setting name to `name` (for "did you mean"), or NULL if none is close. */
const char *sl_config_nearest_setting(const char *name);

#endif
