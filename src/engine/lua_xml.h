/*
 * lua_xml: XML and SOAP Fault built-ins for scripts (soapload.xml.*, soapload.fault).
 */
#ifndef SOAPLOAD_LUA_XML_H
#define SOAPLOAD_LUA_XML_H

#include <lua.h>

#include "core/fault.h"

/** Adds `xml` and `fault` to the table at the top of L's stack (the soapload table). */
void sl_lua_xml_register(lua_State *L);

/** Pushes a table of f's parts (version "1.1"/"1.2", code, subcode, reason, actor, detail), as
 * soapload.fault returns it. */
void sl_lua_push_fault(lua_State *L, const sl_fault_t *f);

#endif
