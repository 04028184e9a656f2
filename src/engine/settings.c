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
#include <string.h>

#include "core/duration.h"

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

/* soapload.thresholds = {"p99 < 50ms", ...} */
static int read_thresholds(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "soapload.thresholds must be a list of strings, not a %s",
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
            snprintf(err, errlen, "soapload.thresholds[%lld] must be a string, not a %s",
                     (long long)i, lua_typename(L, type));
            return -1;
        }
        int rc = sl_config_apply(cfg, SL_OPT_THRESHOLD, lua_tostring(L, -1), SL_FROM_SCRIPT, err,
                                 errlen);
        lua_pop(L, 1);
        if (rc != 0)
            return -1;
    }
}

/* One stage of soapload.stages (the table at -1): {duration =, target = | rate = |
 * connections =}; which of them the model takes is checked with the flags, in config. */
static int read_stage(lua_State *L, lua_Integer i, sl_config_stage_t *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof(*st));
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        char num[64];
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        const char *text = setting_text(L, num, sizeof(num));
        int isnum = lua_type(L, -1) == LUA_TNUMBER;
        double v = isnum ? (double)lua_tonumber(L, -1) : 0;
        const char *bad = NULL;
        if (key == NULL || (strcmp(key, "duration") != 0 && strcmp(key, "target") != 0 &&
                            strcmp(key, "rate") != 0 && strcmp(key, "connections") != 0)) {
            snprintf(err, errlen,
                     "soapload.stages[%lld] has an unknown key %s%s%s (a stage takes duration "
                     "and target, or connections in the closed model)",
                     (long long)i, key ? "'" : "(a ", key ? key : luaL_typename(L, -2),
                     key ? "'" : ")");
            lua_pop(L, 2);
            return -1;
        }
        if (strcmp(key, "duration") == 0) {
            if (text == NULL || sl_duration_parse(text, &st->duration_ns) != 0)
                bad = "a positive duration such as 30s or 1m";
        } else if (strcmp(key, "connections") == 0) {
            if (!isnum || v != floor(v) || v < 0 || v > SL_MAX_CONNECTIONS)
                bad = "a whole number of connections from 0 to 100000";
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
            snprintf(err, errlen, "soapload.stages[%lld].%s is %s%s%s: it wants %s", (long long)i,
                     key, text ? "'" : "a ", text ? text : luaL_typename(L, -1), text ? "'" : "",
                     bad);
            lua_pop(L, 2);
            return -1;
        }
        lua_pop(L, 1);
    }
    if (st->duration_ns == 0) {
        snprintf(err, errlen, "soapload.stages[%lld] has no duration", (long long)i);
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
        else if (read_stage(L, i, &st, err, errlen) == 0)
            rc = sl_config_add_stage(cfg, &st, err, errlen);
        lua_pop(L, 1);
        if (rc != 0)
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
    const sl_option_t *o = sl_config_by_script_name(name);
    if (o == NULL) {
        const char *near = sl_config_nearest_setting(name);
        snprintf(err, errlen, "unknown setting soapload.%s%s%s%s", name,
                 near ? " (did you mean soapload." : "", near ? near : "", near ? "?)" : "");
        return -1;
    }
    if (o->id == SL_OPT_HEADER)
        return read_headers(L, cfg, err, errlen);
    if (o->id == SL_OPT_THRESHOLD)
        return read_thresholds(L, cfg, err, errlen);
    if (o->id == SL_OPT_STAGES)
        return read_stages(L, cfg, err, errlen);
    if (o->id == SL_OPT_OPERATIONS)
        return sl_script_read_operations(L, cfg, err, errlen);
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
        lua_pop(L, 1); /* the key lua_next left */
    lua_pop(L, 1);
    return rc;
}
