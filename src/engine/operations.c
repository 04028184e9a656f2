/*
 * operations: one walk over soapload.operations checks what every entry must be (a table of
 * known fields, a name, a weight >= 0) and hands each to a visitor: in the parent the names and
 * weights go into the config, and the weights are checked as a mix; a worker binds the hooks.
 */
#include "engine/operations.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/mix.h"

int sl_operations_fail(lua_State *L, sl_operations_walk_t *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof(w->err), fmt, ap);
    va_end(ap);
    return luaL_error(L, "%s", w->err);
}

int sl_operations_field(lua_State *L, sl_operations_walk_t *w, int i, const char *name,
                        const char *key, int type, int required)
{
    lua_pushstring(L, key);
    int t = lua_rawget(L, -2);
    if (t == type || (t == LUA_TNIL && !required))
        return t;
    if (type == LUA_TNUMBER && t == LUA_TNIL)
        return t;
    return sl_operations_fail(L, w, "soapload.operations[%d]%s%s%s: %s must be a %s, not a %s", i,
                              name ? " (" : "", name ? name : "", name ? ")" : "", key,
                              lua_typename(L, type), luaL_typename(L, -1));
}

/* Checks that the operation table at the top of the stack has only known fields. */
static void check_fields(lua_State *L, sl_operations_walk_t *w, int i)
{
    static const char *const known[] = {"name",        "weight", "request", "response",
                                        "soap_action", "path",   "headers"};
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        size_t k = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            while (k < 7 && strcmp(lua_tostring(L, -2), known[k]) != 0)
                k++;
        if (lua_type(L, -2) != LUA_TSTRING || k == 7)
            sl_operations_fail(L, w,
                               "soapload.operations[%d]: unknown field %s (fields are name, "
                               "weight, request, response, soap_action, path and headers)",
                               i, lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?");
        lua_pop(L, 1);
    }
}

/* Under lua_pcall: 1 is soapload.operations, 2 an sl_operations_walk_t. */
static int l_walk(lua_State *L)
{
    sl_operations_walk_t *w = lua_touserdata(L, 2);
    lua_settop(L, 1);
    if (!lua_istable(L, 1))
        return sl_operations_fail(L, w, "soapload.operations must be a list of tables, not a %s",
                                  luaL_typename(L, 1));
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    if (n == 0)
        return sl_operations_fail(L, w,
                                  "soapload.operations is empty: give at least one operation");
    if (n > SL_MAX_OPERATIONS)
        return sl_operations_fail(L, w, "soapload.operations has %lld operations; at most %d",
                                  (long long)n, SL_MAX_OPERATIONS);
    for (int i = 1; i <= (int)n; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TTABLE)
            return sl_operations_fail(L, w, "soapload.operations[%d] must be a table, not a %s", i,
                                      luaL_typename(L, -1));
        check_fields(L, w, i);
        sl_operations_field(L, w, i, NULL, "name", LUA_TSTRING, 1);
        const char *name = lua_tostring(L, -1);
        lua_pop(L, 1); /* the table still holds the string */
        if (sl_operations_field(L, w, i, name, "weight", LUA_TNUMBER, 1) == LUA_TNIL)
            return sl_operations_fail(
                L, w, "soapload.operations[%d] (%s): weight must be a number >= 0", i, name);
        double weight = lua_tonumber(L, -1);
        lua_pop(L, 1);
        w->visit(L, w, i, name, weight);
        lua_pop(L, 1);
    }
    if (w->want > 0 && n != w->want)
        return sl_operations_fail(
            L, w, "soapload.operations has %lld operations in a worker, %d in the parent",
            (long long)n, w->want);
    return 0;
}

int sl_operations_walk(lua_State *L, sl_operations_walk_t *w, char *err, size_t errlen)
{
    w->err[0] = '\0';
    lua_pushcfunction(L, l_walk);
    lua_pushvalue(L, -2);
    lua_pushlightuserdata(L, w);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        snprintf(err, errlen, "%s", w->err[0] ? w->err : lua_tostring(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

/* The parent's visitor: the operation's hooks must be there; its name and weight go into cfg. */
static void add_to_config(lua_State *L, sl_operations_walk_t *w, int i, const char *name,
                          double weight)
{
    sl_config_t *cfg = w->ctx;
    sl_operations_field(L, w, i, name, "request", LUA_TFUNCTION, 1);
    lua_pop(L, 1);
    sl_operations_field(L, w, i, name, "response", LUA_TFUNCTION, 0);
    lua_pop(L, 1);
    if (sl_config_add_operation(cfg, name, weight, w->err, sizeof(w->err)) != 0)
        luaL_error(L, "%s", w->err);
}

int sl_operations_read(lua_State *L, sl_config_t *cfg, char *err, size_t errlen)
{
    sl_operations_walk_t w = {.visit = add_to_config, .ctx = cfg};
    if (sl_operations_walk(L, &w, err, errlen) != 0)
        return -1;
    return sl_mix_check(cfg->op_weights, cfg->nops, err, errlen);
}
