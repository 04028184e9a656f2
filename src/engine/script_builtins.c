/*
 * script_builtins: the built-ins of the soapload table: SOAP envelopes around the script's XML,
 * the default request element, XML escaping and element text; and the histograms that done()
 * gets (soapload.histogram). They build in the state's scratch buffer and copy out to Lua.
 */
#include "engine/script_builtins.h"

#include <lauxlib.h>
#include <string.h>

#include "core/envelope.h"
#include "core/xml.h"
#include "engine/script_state.h"

#define HIST_MT "soapload.histogram"

static int version_arg(lua_State *L, int idx, int dflt)
{
    if (lua_isnoneornil(L, idx))
        return dflt;
    const char *v = lua_tostring(L, idx);
    if (v != NULL && (strcmp(v, "1.1") == 0 || strcmp(v, "11") == 0))
        return 11;
    if (v != NULL && (strcmp(v, "1.2") == 0 || strcmp(v, "12") == 0))
        return 12;
    return luaL_argerror(L, idx, "SOAP version must be \"1.1\" or \"1.2\"");
}

/* soapload.envelope(inner [, version [, headers]]) or soapload.envelope(inner, {version = ...,
 * header = ...}): the inner XML wrapped in a SOAP envelope; headers (a string or a list of
 * strings) are header blocks for its soap:Header. */
static int l_envelope(lua_State *L)
{
    sl_script_t *s = sl_script_of(L);
    size_t len, hlen = 0;
    const char *inner = luaL_checklstring(L, 1, &len);
    if (lua_istable(L, 2)) { /* the options' form: the same arguments by name */
        lua_settop(L, 2);
        lua_pushnil(L);
        while (lua_next(L, 2) != 0) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
            if (k == NULL || (strcmp(k, "version") != 0 && strcmp(k, "header") != 0))
                return luaL_error(L,
                                  "envelope: unknown option %s (options are version and "
                                  "header)",
                                  k != NULL ? k : luaL_typename(L, -2));
            lua_pop(L, 1);
        }
        lua_getfield(L, 2, "version");
        lua_getfield(L, 2, "header");
        lua_remove(L, 2);
    }
    int version = version_arg(L, 2, s->soap_version);
    if (lua_istable(L, 3)) { /* a list of blocks: one string */
        luaL_Buffer b;
        lua_Integer n = (lua_Integer)luaL_len(L, 3);
        luaL_buffinit(L, &b);
        for (lua_Integer i = 1; i <= n; i++) {
            if (lua_rawgeti(L, 3, i) != LUA_TSTRING)
                return luaL_error(L, "envelope: header block %d is not a string", (int)i);
            luaL_addvalue(&b);
        }
        luaL_pushresult(&b);
        lua_replace(L, 3);
    }
    const char *header = luaL_optlstring(L, 3, "", &hlen);
    sl_buf_clear(&s->scratch);
    if (sl_envelope_append_with_header(&s->scratch, version, header, hlen, inner, len) != 0)
        return luaL_error(L, "out of memory");
    lua_pushlstring(L, s->scratch.data, s->scratch.len);
    return 1;
}

/* soapload.echo(id): the default request element, <e:Echo><e:RequestId>id</e:RequestId>. */
static int l_echo(lua_State *L)
{
    sl_script_t *s = sl_script_of(L);
    size_t len;
    const char *id = luaL_checklstring(L, 1, &len);
    sl_buf_clear(&s->scratch);
    if (sl_envelope_echo_append(&s->scratch, s->id_element, id, len) != 0)
        return luaL_error(L, "out of memory");
    lua_pushlstring(L, s->scratch.data, s->scratch.len);
    return 1;
}

/* soapload.escape(s): s with & < > " ' as XML entities. */
static int l_escape(lua_State *L)
{
    size_t len;
    const char *str = luaL_checklstring(L, 1, &len);
    luaL_Buffer b;
    size_t need = sl_xml_escaped_len(str, len);
    char *out = luaL_buffinitsize(L, &b, need);
    sl_xml_escape(str, len, out);
    luaL_pushresultsize(&b, need);
    return 1;
}

/* soapload.xml_text(doc, name): the text of the first element named `name` (any prefix), or
 * nil plus a reason when there is none or the document is not well-formed. */
static int l_xml_text(lua_State *L)
{
    size_t len, nlen;
    const char *doc = luaL_checklstring(L, 1, &len);
    const char *name = luaL_checklstring(L, 2, &nlen);
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, len + 1);
    sl_xml_scan_t scan = {.want = {name, nlen}, .id = out, .id_cap = len + 1};
    if (sl_xml_scan(doc, len, &scan) != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "malformed XML at byte %d: %s", (int)scan.error_at, scan.error);
        return 2;
    }
    if (!(scan.flags & SL_XML_ID_FOUND)) {
        lua_pushnil(L);
        lua_pushfstring(L, "no %s element", name);
        return 2;
    }
    luaL_pushresultsize(&b, scan.id_len);
    return 1;
}
/* ---- histograms, for done() ----------------------------------------------------------- */

static const sl_hist_t *check_hist(lua_State *L)
{
    return *(const sl_hist_t **)luaL_checkudata(L, 1, HIST_MT);
}

static int l_hist_percentile(lua_State *L)
{
    const sl_hist_t *h = check_hist(L);
    double p = luaL_checknumber(L, 2);
    luaL_argcheck(L, p >= 0 && p <= 100, 2, "percentile must be within 0..100");
    lua_pushinteger(L, (lua_Integer)sl_hist_percentile(h, p));
    return 1;
}

static int l_hist_index(lua_State *L)
{
    const sl_hist_t *h = check_hist(L);
    const char *key = luaL_checkstring(L, 2);
    if (strcmp(key, "percentile") == 0)
        lua_pushcfunction(L, l_hist_percentile);
    else if (strcmp(key, "min") == 0)
        lua_pushinteger(L, h->total ? (lua_Integer)h->min : 0);
    else if (strcmp(key, "max") == 0)
        lua_pushinteger(L, (lua_Integer)h->max);
    else if (strcmp(key, "mean") == 0)
        lua_pushnumber(L, sl_hist_mean(h));
    else if (strcmp(key, "stdev") == 0)
        lua_pushnumber(L, sl_hist_stdev(h));
    else if (strcmp(key, "count") == 0)
        lua_pushinteger(L, (lua_Integer)h->total);
    else
        lua_pushnil(L);
    return 1;
}

void sl_script_builtins_push_hist(lua_State *L, const sl_hist_t *h)
{
    const sl_hist_t **ud = lua_newuserdatauv(L, sizeof(*ud), 0);
    *ud = h;
    luaL_setmetatable(L, HIST_MT);
}

void sl_script_builtins_register(lua_State *L)
{
    static const luaL_Reg lib[] = {{"envelope", l_envelope},
                                   {"echo", l_echo},
                                   {"escape", l_escape},
                                   {"xml_text", l_xml_text},
                                   {NULL, NULL}};
    static const luaL_Reg hist_methods[] = {{"__index", l_hist_index}, {NULL, NULL}};
    luaL_newmetatable(L, HIST_MT);
    luaL_setfuncs(L, hist_methods, 0);
    lua_pop(L, 1);
    luaL_newlib(L, lib);
}
