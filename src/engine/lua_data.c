/*
 * lua_data: soapload.csv and the data helpers. A CSV file is read and parsed in C (core/csv)
 * into one block held by the Lua state's own allocator, so that it counts against the
 * state's memory cap; a row becomes a Lua table only when the script takes it.
 *
 * Which row a request takes: worker w of n (soapload.worker, soapload.workers) makes its
 * request seq the run's global request k = (seq - 1) * n + (w - 1), which is how the open
 * model deals its schedule to the workers. unique() takes row k + 1 (each row once in the
 * whole run), cycle() row k mod #rows + 1, for_worker() the rows w, w + n, ... of this
 * worker in turn.
 */
#include "engine/lua_data.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/fileio.h"

#define CSV_MT "soapload.csv"
#define UV_NAMES 1 /* the user values of a csv userdata: the column names, or nil */
#define UV_PATH 2  /* the file's path, for messages */

typedef struct {
    sl_csv_t *t;
    lua_Alloc alloc;
    void *alloc_ud;
} csv_ud_t;

/* ---- loading -------------------------------------------------------------------------- */

/* The directory of the nearest calling Lua function that was loaded from a file, into buf
 * with a trailing '/', or "" when there is none. */
static void caller_dir(lua_State *L, char *buf, size_t cap)
{
    lua_Debug ar;
    buf[0] = '\0';
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "S", &ar) || ar.source[0] != '@')
            continue;
        const char *slash = strrchr(ar.source + 1, '/');
        if (slash != NULL)
            snprintf(buf, cap, "%.*s/", (int)(slash - (ar.source + 1)), ar.source + 1);
        return;
    }
}

/* The options table at idx: header (boolean) and separator (one character). */
static void read_options(lua_State *L, int idx, sl_csv_opts_t *o)
{
    o->header = 1;
    o->separator = ',';
    if (lua_isnoneornil(L, idx))
        return;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
        if (strcmp(key, "header") == 0) {
            luaL_argexpected(L, lua_isboolean(L, -1), idx, "header = true or false");
            o->header = lua_toboolean(L, -1);
        } else if (strcmp(key, "separator") == 0) {
            size_t len;
            const char *sep = lua_tolstring(L, -1, &len);
            if (lua_type(L, -1) != LUA_TSTRING || len != 1 || strchr("\"\r\n", sep[0]) != NULL)
                luaL_error(L, "csv: separator must be one character, not a quote or a line "
                              "break");
            o->separator = sep[0];
        } else {
            luaL_error(L, "csv: unknown option '%s' (the options are header and separator)",
                       lua_type(L, -2) == LUA_TSTRING ? key : luaL_typename(L, -2));
        }
        lua_pop(L, 1);
    }
}

/* The column names as a list, checked for duplicates, or nil. */
static void push_names(lua_State *L, const sl_csv_t *t, const char *path)
{
    if (!t->header) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, (int)t->ncols, 0);
    lua_createtable(L, 0, (int)t->ncols); /* name -> true, to find a repeated one */
    for (size_t c = 0; c < t->ncols; c++) {
        size_t len;
        const char *name = sl_csv_name(t, c, &len);
        lua_pushlstring(L, name, len);
        if (len > 0) {
            lua_pushvalue(L, -1);
            if (lua_rawget(L, -3) != LUA_TNIL)
                luaL_error(L, "%s: the header names the column '%s' twice", path, name);
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            lua_pushboolean(L, 1);
            lua_rawset(L, -4);
        }
        lua_rawseti(L, -3, (lua_Integer)c + 1);
    }
    lua_pop(L, 1);
}

/* soapload.csv(path [, {header = true, separator = ","}]) */
static int l_csv(lua_State *L)
{
    const char *arg = luaL_checkstring(L, 1);
    char dir[4096], err[512];
    sl_csv_opts_t opts;
    size_t len = 0;
    read_options(L, 2, &opts);
    if (arg[0] == '/')
        dir[0] = '\0';
    else
        caller_dir(L, dir, sizeof(dir));
    const char *path = lua_pushfstring(L, "%s%s", dir, arg);

    csv_ud_t *ud = lua_newuserdatauv(L, sizeof(*ud), 2);
    ud->t = NULL;
    ud->alloc = lua_getallocf(L, &ud->alloc_ud);
    luaL_setmetatable(L, CSV_MT); /* from now on __gc frees the block, even after an error */

    char *text = sl_file_read_all(path, (size_t)1 << 40, 0, &len, NULL, 0);
    if (text == NULL)
        return luaL_error(L, "csv: cannot read %s: %s", path, strerror(errno));
    ud->t = sl_csv_parse(text, len, &opts, ud->alloc, ud->alloc_ud, err, sizeof(err));
    free(text);
    if (ud->t == NULL)
        return strncmp(err, "line ", 5) == 0 ? luaL_error(L, "%s:%s", path, err + 5)
                                             : luaL_error(L, "%s: %s", path, err);
    push_names(L, ud->t, path);
    lua_setiuservalue(L, -2, UV_NAMES);
    lua_pushvalue(L, -2);
    lua_setiuservalue(L, -2, UV_PATH);
    return 1;
}

/* ---- taking rows ---------------------------------------------------------------------- */

static const sl_csv_t *check_csv(lua_State *L)
{
    csv_ud_t *ud = luaL_checkudata(L, 1, CSV_MT);
    if (ud->t == NULL)
        luaL_error(L, "csv: the file was not loaded");
    return ud->t;
}

static const char *csv_path(lua_State *L)
{
    lua_getiuservalue(L, 1, UV_PATH);
    const char *p = lua_tostring(L, -1);
    lua_pop(L, 1); /* the string stays alive: the userdata holds it */
    return p != NULL ? p : "?";
}

/* Pushes data row r (0-based) as {field, ..., name = field, ...}. */
static void push_row(lua_State *L, const sl_csv_t *t, size_t r)
{
    int has_names = lua_getiuservalue(L, 1, UV_NAMES) == LUA_TTABLE;
    lua_createtable(L, (int)t->ncols, has_names ? (int)t->ncols : 0);
    for (size_t c = 0; c < t->ncols; c++) {
        size_t len;
        const char *f = sl_csv_field(t, r, c, &len);
        lua_pushlstring(L, f, len);
        if (has_names) {
            lua_rawgeti(L, -3, (lua_Integer)c + 1);
            lua_pushvalue(L, -2);
            lua_rawset(L, -4);
        }
        lua_rawseti(L, -2, (lua_Integer)c + 1);
    }
    lua_remove(L, -2);
}

/* The calling worker, w of n, from the soapload table (1 of 1 before it is published). */
static void worker_of(lua_State *L, lua_Integer *w, lua_Integer *n)
{
    *w = *n = 1;
    if (lua_getglobal(L, "soapload") == LUA_TTABLE) {
        lua_getfield(L, -1, "worker");
        lua_getfield(L, -2, "workers");
        if (lua_isinteger(L, -2) && lua_isinteger(L, -1) && lua_tointeger(L, -2) >= 1 &&
            lua_tointeger(L, -1) >= lua_tointeger(L, -2)) {
            *w = lua_tointeger(L, -2);
            *n = lua_tointeger(L, -1);
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

/* The seq argument and the global request index k it stands for (0-based). */
static lua_Integer global_index(lua_State *L, lua_Integer *w, lua_Integer *n, lua_Integer *seq)
{
    *seq = luaL_checkinteger(L, 2);
    luaL_argcheck(L, *seq >= 1, 2, "seq counts from 1 (request()'s second argument)");
    worker_of(L, w, n);
    luaL_argcheck(L, *seq <= (LUA_MAXINTEGER - *w) / *n, 2, "seq is too large");
    return (*seq - 1) * *n + (*w - 1);
}

static void need_rows(lua_State *L, const sl_csv_t *t)
{
    if (t->nrows == 0)
        luaL_error(L, "%s has no rows to take", csv_path(L));
}

/* orders:row(i): row i (1-based). */
static int l_row(lua_State *L)
{
    const sl_csv_t *t = check_csv(L);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || (lua_Unsigned)i > t->nrows)
        return luaL_error(L, "%s has %I rows: there is no row %I", csv_path(L),
                          (lua_Integer)t->nrows, i);
    push_row(L, t, (size_t)i - 1);
    return 1;
}

/* orders:unique(seq): the row of global request k, each row once in the whole run. */
static int l_unique(lua_State *L)
{
    const sl_csv_t *t = check_csv(L);
    lua_Integer w, n, seq, k = global_index(L, &w, &n, &seq);
    if ((lua_Unsigned)k >= t->nrows)
        return luaL_error(L,
                          "%s has %I rows and each was taken once: request %I of the run "
                          "(worker %I's request %I) has none left (cycle(seq) starts over)",
                          csv_path(L), (lua_Integer)t->nrows, k + 1, w, seq);
    push_row(L, t, (size_t)k);
    lua_pushinteger(L, k + 1);
    return 2;
}

/* orders:cycle(seq): row k mod #rows, and the pass over the file (from 1). */
static int l_cycle(lua_State *L)
{
    const sl_csv_t *t = check_csv(L);
    lua_Integer w, n, seq, k = global_index(L, &w, &n, &seq);
    need_rows(L, t);
    push_row(L, t, (size_t)((lua_Unsigned)k % t->nrows));
    lua_pushinteger(L, (lua_Integer)((lua_Unsigned)k / t->nrows) + 1);
    return 2;
}

/* orders:for_worker(seq): this worker's rows w, w + n, ... in turn, and the pass. */
static int l_for_worker(lua_State *L)
{
    const sl_csv_t *t = check_csv(L);
    lua_Integer w, n, seq;
    global_index(L, &w, &n, &seq);
    need_rows(L, t);
    lua_Unsigned first = (lua_Unsigned)w - 1;
    if (first >= t->nrows)
        return luaL_error(L,
                          "%s has %I rows: none for worker %I of %I (rows per worker need "
                          "as many rows as workers at least)",
                          csv_path(L), (lua_Integer)t->nrows, w, n);
    lua_Unsigned mine = (t->nrows - first + (lua_Unsigned)n - 1) / (lua_Unsigned)n;
    lua_Unsigned i = ((lua_Unsigned)seq - 1) % mine;
    push_row(L, t, (size_t)(first + i * (lua_Unsigned)n));
    lua_pushinteger(L, (lua_Integer)(((lua_Unsigned)seq - 1) / mine) + 1);
    return 2;
}

/* orders:columns(): the header's names as a new list (empty without a header). */
static int l_columns(lua_State *L)
{
    const sl_csv_t *t = check_csv(L);
    lua_createtable(L, (int)t->ncols, 0);
    if (lua_getiuservalue(L, 1, UV_NAMES) == LUA_TTABLE)
        for (lua_Integer c = 1; c <= (lua_Integer)t->ncols; c++) {
            lua_rawgeti(L, -1, c);
            lua_rawseti(L, -3, c);
        }
    lua_pop(L, 1);
    return 1;
}

static int l_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_csv(L)->nrows);
    return 1;
}

static int l_tostring(lua_State *L)
{
    const sl_csv_t *t = check_csv(L);
    lua_pushfstring(L, "soapload.csv(%s: %I rows of %I columns)", csv_path(L),
                    (lua_Integer)t->nrows, (lua_Integer)t->ncols);
    return 1;
}

static int l_gc(lua_State *L)
{
    csv_ud_t *ud = luaL_checkudata(L, 1, CSV_MT);
    sl_csv_free(ud->t, ud->alloc, ud->alloc_ud);
    ud->t = NULL;
    return 0;
}

/* ---- helpers -------------------------------------------------------------------------- */

/* math.random as it was when the built-ins were registered (upvalue 1), called with n. */
static lua_Integer draw(lua_State *L, lua_Integer n)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushinteger(L, n);
    lua_call(L, 1, 1);
    lua_Integer v = lua_tointeger(L, -1);
    lua_pop(L, 1);
    return v;
}

/* soapload.uuid(): a random (version 4) UUID, lower case. */
static int l_uuid(lua_State *L)
{
    unsigned char b[16];
    char out[37];
    for (int half = 0; half < 2; half++) {
        lua_Unsigned v = (lua_Unsigned)draw(L, 0); /* math.random(0): 64 random bits */
        for (int i = 0; i < 8; i++)
            b[half * 8 + i] = (unsigned char)(v >> (8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* the RFC 4122 variant */
    snprintf(out, sizeof(out),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    lua_pushstring(L, out);
    return 1;
}

/* soapload.pick(list): a random element of a non-empty list. */
static int l_pick(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 1);
    luaL_argcheck(L, n > 0, 1, "the list is empty");
    lua_geti(L, 1, draw(L, n));
    return 1;
}

void sl_lua_data_register(lua_State *L)
{
    static const luaL_Reg methods[] = {{"row", l_row},         {"unique", l_unique},
                                       {"cycle", l_cycle},     {"for_worker", l_for_worker},
                                       {"columns", l_columns}, {NULL, NULL}};
    static const luaL_Reg meta[] = {
        {"__len", l_len}, {"__tostring", l_tostring}, {"__gc", l_gc}, {NULL, NULL}};
    luaL_newmetatable(L, CSV_MT);
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);

    lua_pushcfunction(L, l_csv);
    lua_setfield(L, -2, "csv");
    lua_getglobal(L, "math");
    lua_getfield(L, -1, "random");
    lua_remove(L, -2);
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, l_uuid, 1);
    lua_setfield(L, -3, "uuid");
    lua_pushcclosure(L, l_pick, 1);
    lua_setfield(L, -2, "pick");
}
