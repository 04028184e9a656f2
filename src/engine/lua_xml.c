/*
 * lua_xml: the built-ins a script's checks read responses with: soapload.xml.find, find_all
 * and attr (elements by namespace URI and local name, through core/xmltree) and
 * soapload.fault (a SOAP Fault's parts, through core/fault).
 */
#include "engine/lua_xml.h"

#include <lauxlib.h>
#include <string.h>

#include "core/fault.h"
#include "core/xmltree.h"

/* The namespace argument: a URI, or nil / "*" for any namespace. */
static const char *ns_arg(lua_State *L, int idx)
{
    const char *ns = luaL_optstring(L, idx, NULL);
    return ns != NULL && strcmp(ns, "*") == 0 ? NULL : ns;
}

/* Parses argument 1 into a tree, or pushes nil and the reason and returns NULL. */
static sl_xtree_t *parse_arg(lua_State *L)
{
    char err[160];
    size_t len;
    const char *doc = luaL_checklstring(L, 1, &len);
    sl_xtree_t *t = sl_xtree_parse(doc, len, err, sizeof(err));
    if (t == NULL) {
        lua_pushnil(L);
        lua_pushfstring(L, "malformed XML at %s", err);
    }
    return t;
}

/* soapload.xml.find(doc, ns, name): the text of the first matching element, or nil and a
 * reason. */
static int l_find(lua_State *L)
{
    const char *ns = ns_arg(L, 2), *name = luaL_checkstring(L, 3);
    sl_xtree_t *t = parse_arg(L);
    if (t == NULL)
        return 2;
    const sl_xnode_t *root = sl_xtree_root(t);
    const sl_xnode_t *n = strcmp(root->local, name) == 0 && (ns == NULL || !strcmp(root->ns, ns))
                              ? root
                              : sl_xnode_next_match(root, root, ns, name);
    if (n != NULL) {
        lua_pushlstring(L, n->text, n->text_len);
    } else {
        lua_pushnil(L);
        lua_pushfstring(L, "no element {%s}%s", ns != NULL ? ns : "*", name);
    }
    sl_xtree_free(t);
    return n != NULL ? 1 : 2;
}

/* soapload.xml.find_all(doc, ns, name): a list of the texts of every matching element, in
 * document order (empty when none), or nil and a reason. */
static int l_find_all(lua_State *L)
{
    const char *ns = ns_arg(L, 2), *name = luaL_checkstring(L, 3);
    sl_xtree_t *t = parse_arg(L);
    if (t == NULL)
        return 2;
    const sl_xnode_t *root = sl_xtree_root(t);
    lua_Integer i = 0;
    lua_newtable(L);
    if (strcmp(root->local, name) == 0 && (ns == NULL || strcmp(root->ns, ns) == 0)) {
        lua_pushlstring(L, root->text, root->text_len);
        lua_rawseti(L, -2, ++i);
    }
    for (const sl_xnode_t *n = sl_xnode_next_match(root, root, ns, name); n != NULL;
         n = sl_xnode_next_match(root, n, ns, name)) {
        lua_pushlstring(L, n->text, n->text_len);
        lua_rawseti(L, -2, ++i);
    }
    sl_xtree_free(t);
    return 1;
}

/* soapload.xml.attr(doc, ns, name, attr [, attr_ns]): the value of attribute `attr` of the
 * first matching element that has it, or nil and a reason. */
static int l_attr(lua_State *L)
{
    const char *ns = ns_arg(L, 2), *name = luaL_checkstring(L, 3);
    const char *attr = luaL_checkstring(L, 4), *attr_ns = ns_arg(L, 5);
    sl_xtree_t *t = parse_arg(L);
    if (t == NULL)
        return 2;
    const sl_xnode_t *root = sl_xtree_root(t);
    const char *value = NULL;
    for (const sl_xnode_t *n = root; n != NULL && value == NULL;
         n = sl_xnode_next_match(root, n, NULL, NULL))
        if (strcmp(n->local, name) == 0 && (ns == NULL || strcmp(n->ns, ns) == 0))
            value = sl_xnode_attr(n, attr_ns, attr);
    if (value != NULL) {
        lua_pushstring(L, value);
    } else {
        lua_pushnil(L);
        lua_pushfstring(L, "no element {%s}%s with an attribute %s", ns != NULL ? ns : "*", name,
                        attr);
    }
    sl_xtree_free(t);
    return value != NULL ? 1 : 2;
}

void sl_lua_push_fault(lua_State *L, const sl_fault_t *f)
{
    lua_createtable(L, 0, 6);
    lua_pushstring(L, f->version == 12 ? "1.2" : "1.1");
    lua_setfield(L, -2, "version");
    const struct {
        const char *key, *value;
    } parts[] = {{"code", f->code},
                 {"subcode", f->subcode},
                 {"reason", f->reason},
                 {"actor", f->actor},
                 {"detail", f->detail}};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        lua_pushstring(L, parts[i].value);
        lua_setfield(L, -2, parts[i].key);
    }
}

/* soapload.fault(body): nil when the body holds no SOAP Fault, else a table of its parts. */
static int l_fault(lua_State *L)
{
    size_t len;
    const char *body = luaL_checklstring(L, 1, &len);
    sl_fault_t f;
    if (sl_fault_parse(body, len, &f) != 1) {
        lua_pushnil(L);
        return 1;
    }
    sl_lua_push_fault(L, &f);
    return 1;
}

void sl_lua_xml_register(lua_State *L)
{
    static const luaL_Reg xml[] = {
        {"find", l_find}, {"find_all", l_find_all}, {"attr", l_attr}, {NULL, NULL}};
    luaL_newlib(L, xml);
    lua_setfield(L, -2, "xml");
    lua_pushcfunction(L, l_fault);
    lua_setfield(L, -2, "fault");
}
