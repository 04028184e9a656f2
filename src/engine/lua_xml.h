/*
 * lua_xml: XML and SOAP Fault built-ins for scripts (soapload.xml.*, soapload.fault).
 */
#ifndef SOAPLOAD_LUA_XML_H
#define SOAPLOAD_LUA_XML_H

#include <lua.h>

/** Adds `xml` and `fault` to the table at the top of L's stack (the soapload table). */
void sl_lua_xml_register(lua_State *L);

#endif
