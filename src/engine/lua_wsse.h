/*
 * lua_wsse: WS-Security built-ins for scripts (soapload.wsse.*, soapload.base64,
 * soapload.datetime).
 */
#ifndef SOAPLOAD_LUA_WSSE_H
#define SOAPLOAD_LUA_WSSE_H

#include <lua.h>

/** Adds `wsse`, `base64` and `datetime` to the table at the top of L's stack. */
void sl_lua_wsse_register(lua_State *L);

#endif
