/*
 * scenario_flows: a scenario's mix in a run with soapload.flows. There every entry of a
 * schedule starts a flow (a single operation of soapload.operations is a flow of one step),
 * so a scenario's mix is over its flows (flows = {...}) and single operations (operations =
 * {...}) together, one exact mix by the entry's index, as a run without scenarios mixes them.
 */
#ifndef SOAPLOAD_SCENARIO_FLOWS_H
#define SOAPLOAD_SCENARIO_FLOWS_H

#include <stddef.h>

#include "core/config_types.h"
#include "core/scenario.h"

/** Completes scenario sc of a run with flows (cfg->flows): one that names neither flows nor
 * operations starts every flow and single operation by its weight; its operations' weights
 * become those of the steps of its flows. Returns 0, or -1 with a message naming the scenario
 * in err. */
int sl_scenario_flows_finish(const sl_config_t *cfg, sl_scenario_t *sc, char *err, size_t errlen);

/** Whether scenario sc starts flows of soapload.flows (not only single operations): its
 * Model line counts flow starts then. 0 in a run without flows. */
int sl_scenario_flows_starts(const sl_config_t *cfg, const sl_scenario_t *sc);

#endif
