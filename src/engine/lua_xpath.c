/*
 * lua_xpath: soapload.xpath(body, expr, namespaces). libxml2 parses the body (no network, no
 * entity substitution; a DTD is refused, as everywhere in soapload) and evaluates XPath 1.0
 * with the prefixes the script maps. A node-set comes back as a list of its nodes' string
 * values in document order; a boolean, number or string as itself.
 */
#include "engine/lua_xpath.h"

#include <lauxlib.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <limits.h>
#include <string.h>

/* libxml2 would print each error on stderr: the script gets the first as its reason */
static void keep_quiet(void *ud, xmlErrorPtr e)
{
    (void)ud;
    (void)e;
}

/* The last libxml2 error's message, without its line break, or `fallback`. */
static void push_reason(lua_State *L, const char *what, const char *fallback)
{
    const xmlError *e = xmlGetLastError();
    const char *msg = e != NULL && e->message != NULL ? e->message : fallback;
    size_t n = strcspn(msg, "\n");
    if (e != NULL && e->line > 0)
        lua_pushfstring(L, "%s at line %d: %s", what, e->line, lua_pushlstring(L, msg, n));
    else
        lua_pushfstring(L, "%s: %s", what, lua_pushlstring(L, msg, n));
    lua_remove(L, -2);
}

/* Registers the prefixes of the table at idx (prefix = URI). Returns 0, or -1 with a reason
 * pushed. */
static int register_namespaces(lua_State *L, int idx, xmlXPathContextPtr ctx)
{
    if (lua_isnoneornil(L, idx))
        return 0;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
            lua_pop(L, 2);
            lua_pushliteral(L, "namespaces: expected prefix = \"URI\" strings");
            return -1;
        }
        if (xmlXPathRegisterNs(ctx, (const xmlChar *)lua_tostring(L, -2),
                               (const xmlChar *)lua_tostring(L, -1)) != 0) {
            lua_pushfstring(L, "namespaces: cannot map prefix %s", lua_tostring(L, -2));
            lua_remove(L, -2);
            lua_remove(L, -2);
            return -1;
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* Pushes the value of an evaluated expression. */
static void push_result(lua_State *L, xmlXPathObjectPtr r)
{
    switch (r->type) {
    case XPATH_BOOLEAN:
        lua_pushboolean(L, r->boolval);
        break;
    case XPATH_NUMBER:
        lua_pushnumber(L, r->floatval);
        break;
    case XPATH_STRING:
        lua_pushstring(L, r->stringval != NULL ? (const char *)r->stringval : "");
        break;
    case XPATH_NODESET: {
        int n = r->nodesetval != NULL ? r->nodesetval->nodeNr : 0;
        lua_createtable(L, n, 0);
        for (int i = 0; i < n; i++) {
            xmlChar *s = xmlXPathCastNodeToString(r->nodesetval->nodeTab[i]);
            lua_pushstring(L, s != NULL ? (const char *)s : "");
            xmlFree(s);
            lua_rawseti(L, -2, i + 1);
        }
        break;
    }
    default:
        lua_pushnil(L);
    }
}

/* soapload.xpath(body, expr [, namespaces]): the value, or nil and a reason. */
static int l_xpath(lua_State *L)
{
    size_t len;
    const char *body = luaL_checklstring(L, 1, &len);
    const char *expr = luaL_checkstring(L, 2);
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    if (len > (size_t)INT_MAX)
        return luaL_error(L, "soapload.xpath: body too large");
    xmlResetLastError();
    xmlDocPtr doc = xmlReadMemory(body, (int)len, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        lua_pushnil(L);
        push_reason(L, "malformed XML", "not well-formed");
        return 2;
    }
    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        xmlFreeDoc(doc);
        lua_pushnil(L);
        lua_pushliteral(L, "a DTD in the body: refused");
        return 2;
    }
    int nret = 2;
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    if (ctx == NULL) {
        xmlFreeDoc(doc);
        return luaL_error(L, "soapload.xpath: out of memory");
    }
    lua_pushnil(L); /* the nil of a failure, under its reason */
    if (register_namespaces(L, 3, ctx) == 0) {
        xmlResetLastError();
        xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
        if (r == NULL) {
            push_reason(L, "bad XPath expression", "cannot be evaluated");
        } else {
            lua_pop(L, 1);
            push_result(L, r);
            xmlXPathFreeObject(r);
            nret = 1;
        }
    }
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return nret;
}

void sl_lua_xpath_register(lua_State *L)
{
    xmlInitParser();
    xmlSetStructuredErrorFunc(NULL, keep_quiet);
    lua_pushcfunction(L, l_xpath);
    lua_setfield(L, -2, "xpath");
}
