/*
 * scenario_mix: both keys fill one weight per flow of cfg->flows, so that a scenario's flows
 * and single operations are one exact mix; which key a name belongs in is its flow's `single`.
 */
#include "engine/scenario_mix.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "core/flow.h"
#include "core/mix.h"
#include "core/nearest.h"

/* The flow whose step operation `op` is, or -1. */
static int flow_of_step(const sl_flows_t *fs, int op)
{
    for (int f = 0; f < fs->n; f++)
        for (int k = 0; k < fs->f[f].nsteps; k++)
            if (fs->f[f].steps[k].op == op)
                return f;
    return -1;
}

/* Why `what` cannot be named under `key` of scenario `name` (or 0 and its flow in *flow). */
static int find(const sl_config_t *cfg, const char *name, const char *key, const char *what,
                int *flow, char *err, size_t errlen)
{
    const sl_flows_t *fs = cfg->flows;
    int singles = strcmp(key, "operations") == 0;
    const char *names[SL_FLOW_MAX + 1];
    int n = 0;
    for (int f = 0; f < fs->n; f++)
        if (fs->f[f].single == singles)
            names[n++] = fs->f[f].name;
    names[n] = NULL;
    *flow = sl_flows_find(fs, what, strlen(what));
    if (*flow >= 0 && fs->f[*flow].single == singles)
        return 0;
    int step = *flow < 0 ? flow_of_step(fs, sl_config_operation(cfg, what, strlen(what))) : -1;
    const char *near = sl_nearest(what, names);
    if (*flow >= 0)
        snprintf(err, errlen,
                 singles ? "soapload.scenarios.%s.operations: '%s' is a flow of soapload.flows: "
                           "name it in flows = {...}"
                         : "soapload.scenarios.%s.flows: '%s' is a single operation of "
                           "soapload.operations: name it in operations = {...}",
                 name, what);
    else if (step >= 0)
        snprintf(err, errlen,
                 "soapload.scenarios.%s.%s: '%s' is a step of flow %s: a scenario starts whole "
                 "flows (flows = {\"%s\"})",
                 name, key, what, fs->f[step].name, fs->f[step].name);
    else
        snprintf(err, errlen,
                 "soapload.scenarios.%s.%s: unknown %s '%s'%s%s%s (the %ss are those of "
                 "soapload.%s)",
                 name, key, singles ? "operation" : "flow", what, near ? " (did you mean " : "",
                 near ? near : "", near ? "?)" : "", singles ? "operation" : "flow", key);
    return -1;
}

int sl_scenario_mix_read(lua_State *L, const sl_config_t *cfg, const char *name, const char *key,
                         sl_scenario_t *sc, char *err, size_t errlen)
{
    const char *what = strcmp(key, "flows") == 0 ? "flow" : "operation";
    int given = 0, seen[SL_FLOW_MAX] = {0};
    if (cfg->flows == NULL) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s names flows, but the script declares no soapload.flows",
                 name);
        return -1;
    }
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s.%s must be a list of %s names or a table of name = "
                 "weight, not a %s",
                 name, key, what, luaL_typename(L, -1));
        return -1;
    }
    int list = lua_rawlen(L, -1) > 0;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        const char *one = NULL;
        double weight = 1;
        int f;
        if (list && lua_type(L, -2) == LUA_TNUMBER && lua_type(L, -1) == LUA_TSTRING) {
            one = lua_tostring(L, -1);
        } else if (!list && lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TNUMBER) {
            one = lua_tostring(L, -2);
            weight = (double)lua_tonumber(L, -1);
        } else {
            snprintf(err, errlen,
                     "soapload.scenarios.%s.%s must be a list of %s names ({\"a\", ...}) or a "
                     "table of name = weight ({a = 3, ...}), not a mix of both or other values",
                     name, key, what);
            lua_pop(L, 2);
            return -1;
        }
        if (find(cfg, name, key, one, &f, err, errlen) != 0) {
            lua_pop(L, 2);
            return -1;
        }
        if (!sl_mix_weight_ok(weight) || weight > 1e6 || seen[f]) {
            if (seen[f])
                snprintf(err, errlen, "soapload.scenarios.%s.%s names %s twice", name, key, one);
            else
                snprintf(err, errlen,
                         "soapload.scenarios.%s.%s.%s is %g: it wants a weight from 0 to 1e6", name,
                         key, one, weight);
            lua_pop(L, 2);
            return -1;
        }
        seen[f] = 1;
        sc->flow_weights[f] = weight;
        given++;
        lua_pop(L, 1);
    }
    if (given == 0) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s.%s is empty: name at least one %s, or leave it out", name,
                 key, what);
        return -1;
    }
    *(strcmp(key, "flows") == 0 ? &sc->has_flows : &sc->has_operations) = 1;
    return 0;
}
