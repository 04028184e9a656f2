/*
 * sandbox: the parts of Lua's standard library a scenario script may use.
 */
#ifndef SOAPLOAD_SANDBOX_H
#define SOAPLOAD_SANDBOX_H

#include <lua.h>

/** Replaces load, loadfile, dofile and require's searchers with text-only ones and removes
 * string.dump, package.loadlib, C modules, os.execute, io.popen, os.exit, os.setlocale and
 * debug.sethook (each an error naming itself) from the state's globals. */
void sl_sandbox_apply(lua_State *L);

#endif
