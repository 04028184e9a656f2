/*
 * flow_lua: soapload.flows in a script's state. Each step of each flow becomes an operation of
 * soapload.operations (its hooks, SOAPAction, path and headers, as an operation's), so that
 * every step has the per-operation results; the flows' shape (weights, think times, repeats,
 * what a failure does) goes into the config.
 */
#ifndef SOAPLOAD_FLOW_LUA_H
#define SOAPLOAD_FLOW_LUA_H

#include <lua.h>
#include <stddef.h>

#include "core/config.h"

/** Checks soapload.flows (if any) after the main chunk and makes soapload.operations of its
 * steps, in order; *when_ref references a table of the steps' when functions by operation
 * (from 1), or is LUA_NOREF when no step has one. Returns 0, or -1 with a message naming the
 * flow and step in err. */
int sl_flow_lua_compile(lua_State *L, int *when_ref, char *err, size_t errlen);

/** Reads soapload.flows (the table at -1, compiled) into cfg->flows, each step's operation by
 * its name. Returns 0, or -1 with err. */
int sl_flow_lua_read(lua_State *L, sl_config_t *cfg, char *err, size_t errlen);

#endif
