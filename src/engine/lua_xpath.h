/*
 * lua_xpath: soapload.xpath(body, expr, namespaces), XPath 1.0 over a response for a script's
 * checks and extraction, through libxml2.
 */
#ifndef SOAPLOAD_LUA_XPATH_H
#define SOAPLOAD_LUA_XPATH_H

#include <lua.h>

/** Adds `xpath` to the table at the top of L's stack (the soapload table). */
void sl_lua_xpath_register(lua_State *L);

#endif
