/*
 * shape: the summary's lines about a run's load shape: the stages of an open-model rate or of
 * closed-model connections, Poisson arrivals, think time, and per stage what was due and what
 * was sent.
 */
#ifndef SOAPLOAD_SHAPE_H
#define SOAPLOAD_SHAPE_H

#include <stdio.h>

#include "core/config.h"
#include "engine/run.h"

/** Whether the run has a shape beyond a constant rate or a fixed number of connections
 * (stages, a -R A:B ramp, Poisson arrivals, think time). */
int sl_shape_shaped(const sl_config_t *cfg);
/** Prints the "Model" line of a shaped run, and its Arrivals and Think lines. */
void sl_shape_print_model(FILE *out, const sl_config_t *cfg);
/** Writes `, "scenarios": [...]` into the JSON settings of a run with scenarios: each one's
 * name, start, arrivals, burst, stages (from their start rate) and operation weights; nothing
 * otherwise. */
void sl_shape_scenarios_json(FILE *out, const sl_config_t *cfg);
/** Prints the Scenarios table of a run with scenarios (nothing otherwise): per scenario,
 * from its tag scenario=NAME, scheduled = sent + not sent + before send (failed before send
 * and script errors before send), sent = ok (expected Faults included) + failed, and latency
 * from due time; then an ACCOUNTING ERROR line if the scenarios do not add up to the totals. */
void sl_shape_print_scenarios(FILE *out, const sl_config_t *cfg, const sl_run_t *run);
/** Prints the per-stage table (target vs scheduled and sent, from the run's seconds) of a run
 * with stages or a ramp; nothing otherwise. */
void sl_shape_print_stages(FILE *out, const sl_config_t *cfg, const sl_run_t *run);

#endif
