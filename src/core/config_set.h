/*
 * config_set: the setters of the option table (core/config.c): typed ones driven by an option's
 * field, bounds and choices (a count, a duration, a size, a string, a choice of words, on/off),
 * and one per option whose value is more than one of those (a rate or a ramp, a list, an
 * address). Each checks its value against the option's bounds and says what it wants from
 * them, so that a limit is written once, in the table.
 */
#ifndef SOAPLOAD_CONFIG_SET_H
#define SOAPLOAD_CONFIG_SET_H

#include <stddef.h>

#include "core/config_types.h"

/* Every setter is an sl_setter_t: it parses `value` for option o into c and returns 0, or -1
 * with "it wants ..." (built from o->want and the bounds) or what else is wrong in why. */

/** A whole number from o->min to o->max into the int at o->field. */
int sl_config_set_count(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                        char *why, size_t whylen);
/** A duration into the uint64_t (ns) at o->field: 0 too when o->min is 0, at most o->max. */
int sl_config_set_duration(sl_config_t *c, const sl_option_t *o, const char *value,
                           sl_source_t source, char *why, size_t whylen);
/** A size (64k, 4m) of at least o->min bytes into the uint64_t at o->field. */
int sl_config_set_size(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen);
/** A copy of value, at least o->min bytes long, into the char * at o->field (freeing the old). */
int sl_config_set_string(sl_config_t *c, const sl_option_t *o, const char *value,
                         sl_source_t source, char *why, size_t whylen);
/** One of the words of o->choices into the int at o->field: o->min plus its index. */
int sl_config_set_choice(sl_config_t *c, const sl_option_t *o, const char *value,
                         sl_source_t source, char *why, size_t whylen);
/** true/false (1/0) into the int at o->field. */
int sl_config_set_flag(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen);
/** 1 into the int at o->field: an option without a value (--closed, --quiet). */
int sl_config_set_on(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                     char *why, size_t whylen);
/** Refuses any value: a setting the script gives as a table, read elsewhere. */
int sl_config_set_none(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen);

/** --rate: N above 0, or A:B (a ramp over --duration), each at most o->max. */
int sl_config_set_rate(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen);
/** --send-window: 0 or a duration of at most o->max that divides a second. */
int sl_config_set_send_window(sl_config_t *c, const sl_option_t *o, const char *value,
                              sl_source_t source, char *why, size_t whylen);
/** --think: a delay (core/delay.h) whose every number has its unit. */
int sl_config_set_think(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                        char *why, size_t whylen);
/** --header: 'Name: value', added after the script's (at most o->max in all). */
int sl_config_set_header(sl_config_t *c, const sl_option_t *o, const char *value,
                         sl_source_t source, char *why, size_t whylen);
/** --threshold: an expression, added after the script's (at most o->max in all). */
int sl_config_set_threshold(sl_config_t *c, const sl_option_t *o, const char *value,
                            sl_source_t source, char *why, size_t whylen);
/** --resolve: HOST:PORT:ADDR, added after the script's (at most o->max). */
int sl_config_set_resolve(sl_config_t *c, const sl_option_t *o, const char *value,
                          sl_source_t source, char *why, size_t whylen);
/** --id-element: an XML local name of at most o->max bytes. */
int sl_config_set_id_element(sl_config_t *c, const sl_option_t *o, const char *value,
                             sl_source_t source, char *why, size_t whylen);
/** --validate: schema, or schema:N% with N from o->min to o->max. */
int sl_config_set_validate(sl_config_t *c, const sl_option_t *o, const char *value,
                           sl_source_t source, char *why, size_t whylen);
/** --seed: a whole number from 1 to o->max. */
int sl_config_set_seed(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen);
/** --segment: I/N with N at most o->max. */
int sl_config_set_segment(sl_config_t *c, const sl_option_t *o, const char *value,
                          sl_source_t source, char *why, size_t whylen);
/** --start-at: a time ahead of now, at most 24 h ahead. */
int sl_config_set_start_at(sl_config_t *c, const sl_option_t *o, const char *value,
                           sl_source_t source, char *why, size_t whylen);
/** The WS-Security and WS-Addressing options (core/wsse_opts.h). */
int sl_config_set_wsse(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen);
/** --json-to: an http:// or https:// URL. */
int sl_config_set_json_to(sl_config_t *c, const sl_option_t *o, const char *value,
                          sl_source_t source, char *why, size_t whylen);
/** --abort-on-fail: whole seconds from 0 to o->max. */
int sl_config_set_abort(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                        char *why, size_t whylen);
/** --metrics: IPv4:PORT or [IPv6]:PORT, a port from 0 to 65535. */
int sl_config_set_metrics(sl_config_t *c, const sl_option_t *o, const char *value,
                          sl_source_t source, char *why, size_t whylen);
/** --dry-run [N]: N from o->min to o->max; without N, SL_DRY_RUN_DEFAULT. */
int sl_config_set_dry_run(sl_config_t *c, const sl_option_t *o, const char *value,
                          sl_source_t source, char *why, size_t whylen);

#endif
