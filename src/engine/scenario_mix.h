/*
 * scenario_mix: a scenario's flows = {...} and, in a run with soapload.flows, its operations =
 * {...}, read from the script into the scenario's flow mix (core/scenario_flows.h). A flow is
 * named in flows, a single operation in operations; a step of a flow is neither (a scenario
 * starts whole flows), and each mistake is refused with the key it belongs in.
 */
#ifndef SOAPLOAD_SCENARIO_MIX_H
#define SOAPLOAD_SCENARIO_MIX_H

#include <lua.h>
#include <stddef.h>

#include "core/config.h"
#include "core/scenario.h"

/** Reads the value (at -1) of key `key` ("flows", or "operations" in a run with flows) of
 * scenario `name` into sc->flow_weights: a list of names (each weight 1) or a table of name =
 * weight. Returns 0, or -1 with a message naming the scenario, key and name in err. */
int sl_scenario_mix_read(lua_State *L, const sl_config_t *cfg, const char *name, const char *key,
                         sl_scenario_t *sc, char *err, size_t errlen);

#endif
