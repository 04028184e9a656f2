/*
 * lua_data: test data built-ins for scripts: soapload.csv (a CSV file parsed once into a
 * compact block, rows handed out each once across the run, per worker, or in cycles),
 * soapload.uuid and soapload.pick.
 */
#ifndef SOAPLOAD_LUA_DATA_H
#define SOAPLOAD_LUA_DATA_H

#include <lua.h>

/** Adds `csv`, `uuid` and `pick` to the table at the top of L's stack (the soapload table);
 * uuid and pick draw from math.random as it is now, so that --seed repeats them. */
void sl_lua_data_register(lua_State *L);

#endif
