/*
 * settings: a script's `soapload` table read into the config. Every key must be a setting of
 * core/config's option table (or a built-in, or a function of the script's own); each value
 * goes through sl_config_apply, the same check a flag gets. Tables (headers, thresholds,
 * stages, operations) are read here into the config's own entries.
 */
#include "engine/settings.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/nearest.h"
#include "core/scenario.h"
#include "engine/flow_lua.h"
#include "engine/operations.h"
#include "engine/scenario_mix.h"

/* The names in the soapload table (at the top of the stack) before the script runs: the
 * built-ins, which the settings reader leaves alone. */
#define BUILTINS_KEY "soapload.builtins"

void sl_settings_remember_builtins(lua_State *L)
{
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, -3) != 0) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushboolean(L, 1);
        lua_rawset(L, -4);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, BUILTINS_KEY);
}

static int is_builtin(lua_State *L, int key_index)
{
    int key = lua_absindex(L, key_index);
    lua_getfield(L, LUA_REGISTRYINDEX, BUILTINS_KEY);
    lua_pushvalue(L, key);
    int found = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    return found;
}

/* The value at the top of the stack as the text config parses: strings as they are, whole
 * numbers without a ".0". Returns NULL for other types. */
static const char *setting_text(lua_State *L, char *buf, size_t cap)
{
    if (lua_type(L, -1) == LUA_TSTRING)
        return lua_tostring(L, -1);
    if (lua_type(L, -1) == LUA_TBOOLEAN) /* soapload.insecure = true */
        return lua_toboolean(L, -1) ? "true" : "false";
    if (lua_type(L, -1) != LUA_TNUMBER)
        return NULL;
    lua_Number v = lua_tonumber(L, -1);
    if (lua_isinteger(L, -1) || (v == floor(v) && fabs(v) < 1e15))
        snprintf(buf, cap, "%.0f", (double)v);
    else
        snprintf(buf, cap, "%.17g", (double)v);
    return buf;
}

/* soapload.headers = {Name = "value", ...} */
static int read_headers(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "soapload.headers must be a table of name = value, not a %s",
                 luaL_typename(L, -1));
        return -1;
    }
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        char line[8192], num[64];
        const char *value = setting_text(L, num, sizeof(num));
        if (lua_type(L, -2) != LUA_TSTRING || value == NULL) {
            lua_pop(L, 2);
            snprintf(err, errlen, "soapload.headers must map names to string values");
            return -1;
        }
        snprintf(line, sizeof(line), "%s: %s", lua_tostring(L, -2), value);
        if (strpbrk(lua_tostring(L, -2), ": \t\r\n") != NULL ||
            sl_config_apply(cfg, SL_OPT_HEADER, line, SL_FROM_SCRIPT, err, errlen) != 0) {
            if (strpbrk(lua_tostring(L, -2), ": \t\r\n") != NULL)
                snprintf(err, errlen, "soapload.headers: bad header name '%s'",
                         lua_tostring(L, -2));
            lua_pop(L, 2);
            return -1;
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* A list of strings for a repeatable option: soapload.thresholds = {"p99 < 50ms", ...},
 * soapload.wsse_sign_parts = {"{urn:x}Trace", ...} */
static int read_list(lua_State *L, const sl_option_t *o, sl_config_t *cfg, char *err, size_t errlen)
{
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "soapload.%s must be a list of strings, not a %s", o->script,
                 luaL_typename(L, -1));
        return -1;
    }
    for (lua_Integer i = 1;; i++) {
        int type = lua_rawgeti(L, -1, i);
        if (type == LUA_TNIL) {
            lua_pop(L, 1);
            return 0;
        }
        if (type != LUA_TSTRING) {
            lua_pop(L, 1);
            snprintf(err, errlen, "soapload.%s[%lld] must be a string, not a %s", o->script,
                     (long long)i, lua_typename(L, type));
            return -1;
        }
        int rc = sl_config_apply(cfg, o->id, lua_tostring(L, -1), SL_FROM_SCRIPT, err, errlen);
        lua_pop(L, 1);
        if (rc != 0)
            return -1;
    }
}

/* One stage of soapload.stages (the table at -1): {duration =, target = | rate = |
 * connections =}; which of them the model takes is checked with the flags, in config. */
static int read_stage(lua_State *L, const char *where, lua_Integer i, sl_config_stage_t *st,
                      char *err, size_t errlen)
{
    memset(st, 0, sizeof(*st));
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        char num[64], most[64];
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        const char *text = setting_text(L, num, sizeof(num));
        int isnum = lua_type(L, -1) == LUA_TNUMBER;
        double v = isnum ? (double)lua_tonumber(L, -1) : 0;
        const char *bad = NULL;
        if (key == NULL || (strcmp(key, "duration") != 0 && strcmp(key, "target") != 0 &&
                            strcmp(key, "rate") != 0 && strcmp(key, "connections") != 0)) {
            snprintf(err, errlen,
                     "%s[%lld] has an unknown key %s%s%s (a stage takes duration "
                     "and target, or connections in the closed model)",
                     where, (long long)i, key ? "'" : "(a ", key ? key : luaL_typename(L, -2),
                     key ? "'" : ")");
            lua_pop(L, 2);
            return -1;
        }
        if (strcmp(key, "duration") == 0) {
            if (text == NULL || sl_duration_parse(text, &st->duration_ns) != 0)
                bad = "a positive duration such as 30s or 1m";
        } else if (strcmp(key, "connections") == 0) {
            snprintf(most, sizeof(most), "a whole number of connections from 0 to %d",
                     SL_MAX_CONNECTIONS);
            if (!isnum || v != floor(v) || v < 0 || v > SL_MAX_CONNECTIONS)
                bad = most;
            st->connections = (int)v;
            st->has_connections = 1;
        } else {
            if (!isnum || !isfinite(v))
                bad = "a number";
            else if (v < 0)
                bad = "a number that is not negative";
            st->target = v;
            *(strcmp(key, "rate") == 0 ? &st->has_rate : &st->has_target) = 1;
        }
        if (bad != NULL) {
            snprintf(err, errlen, "%s[%lld].%s is %s%s%s: it wants %s", where, (long long)i, key,
                     text ? "'" : "a ", text ? text : luaL_typename(L, -1), text ? "'" : "", bad);
            lua_pop(L, 2);
            return -1;
        }
        lua_pop(L, 1);
    }
    if (st->duration_ns == 0) {
        snprintf(err, errlen, "%s[%lld] has no duration", where, (long long)i);
        return -1;
    }
    return 0;
}

/* soapload.stages = {{duration = "30s", target = 100}, ...} */
static int read_stages(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "soapload.stages must be a list of stages, not a %s",
                 luaL_typename(L, -1));
        return -1;
    }
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (n == 0) {
        snprintf(err, errlen,
                 "soapload.stages is empty: give at least one {duration = ..., target = ...}");
        return -1;
    }
    for (lua_Integer i = 1; i <= n; i++) {
        sl_config_stage_t st;
        int type = lua_rawgeti(L, -1, i);
        int rc = -1;
        if (type != LUA_TTABLE)
            snprintf(err, errlen, "soapload.stages[%lld] must be a table, not a %s", (long long)i,
                     lua_typename(L, type));
        else if (read_stage(L, "soapload.stages", i, &st, err, errlen) == 0)
            rc = sl_config_add_stage(cfg, &st, err, errlen);
        lua_pop(L, 1);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ---- soapload.scenarios ----------------------------------------------------------------- */

/* A stage of a scenario that the run's model does not take, or one without its load: what to
 * say, or NULL. The open model's stages take target (or rate) = requests per second, the
 * closed model's connections = virtual users. */
static const char *scenario_stage_problem(const sl_config_stage_t *st, int closed)
{
    if (!closed && st->has_connections)
        return "gives connections, which are the closed model's virtual users, but this run's "
               "scenarios are open-model schedules: give target = N requests per second (or "
               "run every scenario with virtual users: --closed or soapload.model = \"closed\")";
    if (closed && (st->has_target || st->has_rate))
        return st->has_rate ? "gives rate, but a closed-model scenario's stages take "
                              "connections = N (its virtual users at the stage's end)"
                            : "gives target, but a closed-model scenario's stages take "
                              "connections = N (its virtual users at the stage's end)";
    if (closed && !st->has_connections)
        return "has no connections (the scenario's virtual users at the stage's end)";
    if (!closed && !st->has_target && !st->has_rate)
        return "has no target (requests per second at its end)";
    return NULL;
}

/* A scenario's stages (the table at -1) into sc: of the run's model (each stage's target is
 * requests per second, or in the closed model virtual users). */
static int read_scenario_stages(lua_State *L, const sl_config_t *cfg, const char *name,
                                sl_scenario_t *sc, char *err, size_t errlen)
{
    char where[128];
    snprintf(where, sizeof(where), "soapload.scenarios.%s.stages", name);
    lua_Integer n = lua_istable(L, -1) ? (lua_Integer)lua_rawlen(L, -1) : 0;
    if (!lua_istable(L, -1) || n == 0) {
        snprintf(err, errlen, "%s must be a list of {duration = ..., %s = ...}, not %s", where,
                 cfg->closed ? "connections" : "target",
                 lua_istable(L, -1) ? "an empty table" : luaL_typename(L, -1));
        return -1;
    }
    if (n > SL_MAX_STAGES) {
        snprintf(err, errlen, "%s: at most %d stages", where, SL_MAX_STAGES);
        return -1;
    }
    for (lua_Integer i = 1; i <= n; i++) {
        sl_config_stage_t st;
        int type = lua_rawgeti(L, -1, i), rc = -1;
        const char *problem = NULL;
        if (type != LUA_TTABLE)
            snprintf(err, errlen, "%s[%lld] must be a table, not a %s", where, (long long)i,
                     lua_typename(L, type));
        else if (read_stage(L, where, i, &st, err, errlen) != 0)
            rc = -1;
        else if ((problem = scenario_stage_problem(&st, cfg->closed)) != NULL)
            snprintf(err, errlen, "%s[%lld] %s", where, (long long)i, problem);
        else
            rc = 0;
        lua_pop(L, 1);
        if (rc != 0)
            return -1;
        sc->stages[sc->nstages++] =
            (sl_stage_t){st.duration_ns, cfg->closed ? (double)st.connections : st.target};
    }
    return 0;
}

/* A scenario's operations (the table at -1): a list of names (equal weights) or a map of
 * name = weight, each an operation of soapload.operations. */
static int read_scenario_operations(lua_State *L, const sl_config_t *cfg, const char *name,
                                    sl_scenario_t *sc, char *err, size_t errlen)
{
    const char *names[SL_MAX_OPERATIONS + 1];
    int given = 0;
    for (int i = 0; i < cfg->nops; i++)
        names[i] = cfg->op_names[i];
    names[cfg->nops] = NULL;
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s.operations must be a list of operation names or a "
                 "table of name = weight, not a %s",
                 name, luaL_typename(L, -1));
        return -1;
    }
    int list = lua_rawlen(L, -1) > 0;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        const char *op = NULL;
        double weight = 1;
        if (list && lua_type(L, -2) == LUA_TNUMBER && lua_type(L, -1) == LUA_TSTRING) {
            op = lua_tostring(L, -1);
        } else if (!list && lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TNUMBER) {
            op = lua_tostring(L, -2);
            weight = (double)lua_tonumber(L, -1);
        } else {
            snprintf(err, errlen,
                     "soapload.scenarios.%s.operations must be a list of operation names "
                     "({\"GetOrder\", ...}) or a table of name = weight ({GetOrder = 3, ...}), "
                     "not a mix of both or other values",
                     name);
            lua_pop(L, 2);
            return -1;
        }
        int i = cfg->nops > 0 ? sl_config_operation(cfg, op, strlen(op)) : -1;
        if (i < 0) {
            const char *near = cfg->nops > 0 ? sl_nearest(op, names) : NULL;
            snprintf(err, errlen,
                     "soapload.scenarios.%s.operations: unknown operation '%s'%s%s%s (the "
                     "operations are those of soapload.operations)",
                     name, op, near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
            lua_pop(L, 2);
            return -1;
        }
        if (!sl_mix_weight_ok(weight) || (list && sc->weights[i] > 0)) {
            snprintf(err, errlen,
                     list ? "soapload.scenarios.%s.operations names %s twice"
                          : "soapload.scenarios.%s.operations.%s is %g: it wants a weight >= 0",
                     name, op, weight);
            lua_pop(L, 2);
            return -1;
        }
        sc->weights[i] = weight;
        given++;
        lua_pop(L, 1);
    }
    if (given == 0) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s.operations is empty: name at least one operation, or "
                 "leave it out for all of soapload.operations",
                 name);
        return -1;
    }
    sc->has_operations = 1;
    return 0;
}

/* A key of scenario `name` (key at -2, value at -1) that belongs to one model: connections
 * and think (the closed model's), rate, arrival and burst (the open model's); model (the
 * run's, never a scenario's). Every scenario is of the run's model: closed with --closed or
 * soapload.model = "closed", else open. Reads the closed model's keys into sc. Returns 0, -1
 * with err naming the key, or 1 when the key is none of them or the open model's in an
 * open-model run (read_scenario_key reads those). */
static int read_scenario_model_key(lua_State *L, const sl_config_t *cfg, const char *name,
                                   const char *key, sl_scenario_t *sc, char *err, size_t errlen)
{
    int closed_key = strcmp(key, "connections") == 0 || strcmp(key, "think") == 0;
    int open_key =
        strcmp(key, "rate") == 0 || strcmp(key, "arrival") == 0 || strcmp(key, "burst") == 0;
    char num[64], why[512] = "";
    if (strcmp(key, "model") == 0) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s.model: a scenario's model is the run's: every scenario is "
                 "an open-model schedule, or has virtual users with --closed or soapload.model = "
                 "\"closed\"",
                 name);
        return -1;
    }
    if (open_key && cfg->closed) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s.%s: %s is the open model's, but this run is closed-model "
                 "(--closed or soapload.model = \"closed\"), where a scenario has virtual users: "
                 "give connections = N (and think = T)",
                 name, key, key);
        return -1;
    }
    if (!closed_key)
        return 1;
    if (!cfg->closed) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s.%s: %s is the closed model's, but this run's scenarios "
                 "are open-model schedules: give rate = N, or run every scenario with virtual "
                 "users (--closed or soapload.model = \"closed\")",
                 name, key, key);
        return -1;
    }
    const char *text = setting_text(L, num, sizeof(num));
    if (strcmp(key, "connections") == 0) {
        double v = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : NAN;
        if (!(v >= 0 && v <= SL_MAX_CONNECTIONS && v == floor(v)))
            snprintf(why, sizeof(why), "it wants a whole number of virtual users from 0 to %d",
                     SL_MAX_CONNECTIONS);
        else
            sc->connections = (int)v;
        sc->has_connections = 1;
    } else { /* think: the run's own setting's check */
        sl_config_t one;
        sl_config_init(&one);
        if (sl_config_set(&one, SL_OPT_THINK, text ? text : "", SL_FROM_SCRIPT, why, sizeof(why)) ==
            0) {
            sc->think = one.think;
            sc->has_think = 1;
        } else if (why[0] == '\0') {
            snprintf(why, sizeof(why), "it wants a think time such as 100ms or exp:1s");
        }
        sl_config_free(&one);
    }
    if (why[0] != '\0') {
        snprintf(err, errlen, "soapload.scenarios.%s.%s is %s%s%s: %s", name, key,
                 text ? "'" : "a ", text ? text : luaL_typename(L, -1), text ? "'" : "", why);
        return -1;
    }
    return 0;
}

/* One key of scenario `name` (key at -2, value at -1) into sc. */
static int read_scenario_key(lua_State *L, const sl_config_t *cfg, const char *name,
                             sl_scenario_t *sc, char *err, size_t errlen)
{
    char num[64];
    const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    if (key == NULL) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s has a %s key: a scenario is a table of settings "
                 "(rate, duration, stages, start_after, arrival, burst, operations, flows; "
                 "closed model: connections, think)",
                 name, luaL_typename(L, -2));
        return -1;
    }
    if (strcmp(key, "stages") == 0)
        return read_scenario_stages(L, cfg, name, sc, err, errlen);
    if (strcmp(key, "flows") == 0 || (strcmp(key, "operations") == 0 && cfg->flows != NULL))
        return sl_scenario_mix_read(L, cfg, name, key, sc, err, errlen); /* flow starts */
    if (strcmp(key, "operations") == 0)
        return read_scenario_operations(L, cfg, name, sc, err, errlen);
    int model_rc = read_scenario_model_key(L, cfg, name, key, sc, err, errlen);
    if (model_rc != 1)
        return model_rc;
    const char *text = setting_text(L, num, sizeof(num));
    double v = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : NAN;
    char why[512] = "";
    int rc = 0;
    if (strcmp(key, "rate") == 0) { /* 0 too: a scenario may hold while others send */
        if (!sl_profile_rate_ok(v))
            snprintf(why, sizeof(why), "it wants a rate from 0 to %d requests per second",
                     SL_MAX_RATE);
        sc->rate = v;
        sc->has_rate = 1;
    } else if (strcmp(key, "start_after") == 0) {
        if (text == NULL || (strcmp(text, "0") != 0 && sl_duration_parse(text, &sc->start_ns) != 0))
            snprintf(why, sizeof(why), "it wants a duration such as 5s (0: at the run's start)");
        sc->has_start = 1;
    } else if (strcmp(key, "duration") == 0 || strcmp(key, "arrival") == 0 ||
               strcmp(key, "burst") == 0) { /* the run's own setting's check */
        sl_config_t one;
        const sl_option_t *o = sl_config_by_script_name(key);
        sl_config_init(&one);
        rc = sl_config_set(&one, o->id, text ? text : "", SL_FROM_SCRIPT, why, sizeof(why));
        if (o->id == SL_OPT_DURATION)
            sc->duration_ns = one.duration_ns, sc->has_duration = 1;
        else if (o->id == SL_OPT_ARRIVAL)
            sc->arrival = one.arrival, sc->has_arrival = 1;
        else
            sc->burst = one.burst, sc->has_burst = 1;
        sl_config_free(&one);
    } else {
        const char *near = sl_nearest(key, sl_scenario_keys);
        snprintf(err, errlen,
                 "soapload.scenarios.%s has an unknown key '%s'%s%s%s (a scenario takes "
                 "rate, duration, stages, start_after, arrival, burst, operations and flows; in "
                 "the closed model connections and think instead of rate, arrival and burst)",
                 name, key, near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
        return -1;
    }
    if (rc != 0 || why[0] != '\0') {
        snprintf(err, errlen, "soapload.scenarios.%s.%s is %s%s%s: %s", name, key,
                 text ? "'" : "a ", text ? text : luaL_typename(L, -1), text ? "'" : "", why);
        return -1;
    }
    return 0;
}

/* soapload.scenarios = {name = {rate = ..., operations = {...}}, ...} (the table at -1),
 * read once the rest of the soapload table is, since scenarios name its operations. */
static int read_scenarios(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "soapload.scenarios must be a table of name = {scenario}, not a %s",
                 luaL_typename(L, -1));
        return -1;
    }
    sl_scenarios_t *ss = calloc(1, sizeof(*ss));
    if (ss == NULL) {
        snprintf(err, errlen, "out of memory for soapload.scenarios");
        return -1;
    }
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        int rc = -1;
        if (name == NULL || !sl_scenario_name_ok(name))
            snprintf(err, errlen,
                     "soapload.scenarios maps names to scenarios ({background = {rate = 10}}): "
                     "%s%s%s is no name (1 to %d letters, digits, '_', '-' or '.')",
                     name ? "'" : "a ", name ? name : luaL_typename(L, -2), name ? "'" : " key",
                     SL_SCENARIO_NAME_MAX);
        else if (ss->n == SL_MAX_SCENARIOS)
            snprintf(err, errlen, "soapload.scenarios: at most %d scenarios", SL_MAX_SCENARIOS);
        else if (!lua_istable(L, -1))
            snprintf(err, errlen, "soapload.scenarios.%s must be a table, not a %s", name,
                     luaL_typename(L, -1));
        else
            rc = 0;
        if (rc == 0) {
            sl_scenario_t *sc = &ss->s[ss->n++];
            snprintf(sc->name, sizeof(sc->name), "%s", name);
            lua_pushnil(L);
            while (rc == 0 && lua_next(L, -2) != 0) {
                rc = read_scenario_key(L, cfg, name, sc, err, errlen);
                lua_pop(L, 1);
            }
            if (rc != 0)
                lua_pop(L, 1); /* the key lua_next left */
        }
        lua_pop(L, 1);
        if (rc != 0) {
            lua_pop(L, 1);
            free(ss);
            return -1;
        }
    }
    if (sl_scenarios_finish(cfg, ss, err, errlen) != 0) {
        free(ss);
        return -1;
    }
    return 0;
}

/* One key of the soapload table (key at -2, value at -1). Built-ins and the script's own
 * functions are left alone; every other key must be a setting. */
static int read_setting(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    char num[64];
    if (lua_type(L, -1) == LUA_TFUNCTION || is_builtin(L, -2))
        return 0;
    if (lua_type(L, -2) != LUA_TSTRING) {
        snprintf(err, errlen, "soapload has a key that is no setting name (a %s)",
                 luaL_typename(L, -2));
        return -1;
    }
    const char *name = lua_tostring(L, -2);
    if (strcmp(name, "scenarios") == 0 || strcmp(name, "flows") == 0) /* read last: they name */
        return 0;                                                     /* the operations */
    if (strcmp(name, "cookies") == 0) /* read with soapload.flows (engine/flow_lua.c) */
        return 0;
    const sl_option_t *o = sl_config_by_script_name(name);
    if (o == NULL) {
        static const char *const scenarios[] = {"scenarios", NULL};
        const char *near = sl_config_nearest_setting(name);
        if (near == NULL)
            near = sl_nearest(name, scenarios);
        snprintf(err, errlen, "unknown setting soapload.%s%s%s%s", name,
                 near ? " (did you mean soapload." : "", near ? near : "", near ? "?)" : "");
        return -1;
    }
    if (o->id == SL_OPT_HEADER)
        return read_headers(L, cfg, err, errlen);
    if (o->id == SL_OPT_THRESHOLD || o->id == SL_OPT_WSSE_SIGN_PART)
        return read_list(L, o, cfg, err, errlen);
    if (o->id == SL_OPT_STAGES)
        return read_stages(L, cfg, err, errlen);
    if (o->id == SL_OPT_OPERATIONS)
        return sl_operations_read(L, cfg, err, errlen);
    const char *value = setting_text(L, num, sizeof(num));
    if (value == NULL) {
        snprintf(err, errlen, "soapload.%s must be a string or a number, not a %s", name,
                 luaL_typename(L, -1));
        return -1;
    }
    return sl_config_apply(cfg, o->id, value, SL_FROM_SCRIPT, err, errlen);
}

int sl_settings_read(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    int rc = 0;
    if (lua_getglobal(L, "soapload") != LUA_TTABLE) {
        snprintf(err, errlen, "the global table soapload was replaced by a %s",
                 luaL_typename(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    lua_pushnil(L);
    while (rc == 0 && lua_next(L, -2) != 0) {
        rc = read_setting(L, cfg, err, errlen);
        lua_pop(L, 1);
    }
    if (rc != 0)
        lua_pop(L, 1);                   /* the key lua_next left */
    if (rc == 0 && cfg->flows == NULL) { /* checked by sl_flow_lua_compile when loaded */
        if (lua_getfield(L, -1, "flows") == LUA_TTABLE)
            rc = sl_flow_lua_read(L, cfg, err, errlen);
        lua_pop(L, 1);
    }
    if (rc == 0 && cfg->scenarios == NULL) { /* after the flows, which scenarios may name */
        int type = lua_getfield(L, -1, "scenarios");
        if (type != LUA_TNIL && type != LUA_TFUNCTION)
            rc = read_scenarios(L, cfg, err, errlen);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return rc;
}
