/*
 * sandbox: what a script may do. Out of Lua's standard library go what would let it load
 * bytecode or C code, start processes, end or reconfigure the process, or remove the hook
 * limit; every chunk it loads (load, loadfile, dofile, require) is text only.
 */
#include "engine/sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <string.h>

/* What a script may not call: raises the message in its upvalue, at the caller's line. */
static int l_unavailable(lua_State *L)
{
    return luaL_error(L, "%s", lua_tostring(L, lua_upvalueindex(1)));
}

/* Replaces t[name] (t on top of the stack) with a function that raises why. */
static void forbid(lua_State *L, const char *name, const char *why)
{
    lua_pushfstring(L, "%s", why);
    lua_pushcclosure(L, l_unavailable, 1);
    lua_setfield(L, -2, name);
}

/* Calls the library function in upvalue 1 with mode argument `mode_at` forced to "t": load()
 * and loadfile() accept text only, whatever the script asks. */
static int call_text_only(lua_State *L, int mode_at)
{
    int n = lua_gettop(L);
    if (n >= mode_at && !lua_isnil(L, mode_at)) {
        const char *mode = luaL_checkstring(L, mode_at);
        if (strchr(mode, 't') == NULL) {
            luaL_pushfail(L);
            lua_pushfstring(L,
                            "attempt to load a binary chunk (mode is '%s'): scripts and the "
                            "chunks they load are text only",
                            mode);
            return 2;
        }
    }
    while (n < mode_at) { /* pads up to the mode only: a missing env must stay missing */
        lua_pushnil(L);
        n++;
    }
    lua_pushliteral(L, "t");
    lua_replace(L, mode_at);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

static int l_load(lua_State *L)
{
    return call_text_only(L, 3);
}

static int l_loadfile(lua_State *L)
{
    return call_text_only(L, 2);
}

static int l_dofile(lua_State *L)
{
    const char *path = luaL_optstring(L, 1, NULL);
    lua_settop(L, 1);
    if (luaL_loadfilex(L, path, "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, LUA_MULTRET);
    return lua_gettop(L) - 1;
}

/* package.searchers[2] for text only: upvalue 1 is package, 2 the library's searchpath. */
static int l_search_text(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (lua_getfield(L, lua_upvalueindex(1), "path") != LUA_TSTRING)
        return luaL_error(L, "package.path must be a string");
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushstring(L, name);
    lua_pushvalue(L, -3);
    lua_call(L, 2, 2);
    if (lua_isnil(L, -2)) { /* searchpath's explanation of where it looked */
        lua_pushliteral(L, "\n\t(scripts load Lua modules as text; C modules are not available)");
        lua_concat(L, 2);
        return 1;
    }
    lua_pop(L, 1);
    const char *path = lua_tostring(L, -1);
    if (luaL_loadfilex(L, path, "t") != LUA_OK)
        return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, path,
                          lua_tostring(L, -1));
    lua_pushstring(L, path);
    return 2;
}

/* Takes out of the standard library what would let a script load bytecode or C code, start
 * processes, end or reconfigure the process, or remove the hook limit. */
void sl_sandbox_apply(lua_State *L)
{
    lua_pushglobaltable(L);
    lua_getfield(L, -1, "load");
    lua_pushcclosure(L, l_load, 1);
    lua_setfield(L, -2, "load");
    lua_getfield(L, -1, "loadfile");
    lua_pushcclosure(L, l_loadfile, 1);
    lua_setfield(L, -2, "loadfile");
    lua_pushcfunction(L, l_dofile);
    lua_setfield(L, -2, "dofile");
    lua_pop(L, 1);

    lua_getglobal(L, "string");
    forbid(L, "dump",
           "string.dump is not available to scripts: scripts and the chunks they "
           "load are text only");
    lua_pop(L, 1);

    lua_getglobal(L, "os");
    forbid(L, "execute",
           "os.execute is not available to scripts: a script cannot start "
           "processes");
    forbid(L, "exit",
           "os.exit is not available to scripts: return from the hook instead; "
           "soapload sets the exit code from what the run measured");
    forbid(L, "setlocale",
           "os.setlocale is not available to scripts: it would change how "
           "soapload reads and prints numbers");
    lua_pop(L, 1);

    lua_getglobal(L, "io");
    forbid(L, "popen", "io.popen is not available to scripts: a script cannot start processes");
    lua_pop(L, 1);

    lua_getglobal(L, "package");
    forbid(L, "loadlib", "package.loadlib is not available to scripts: no C modules");
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "cpath");
    lua_createtable(L, 2, 0); /* searchers: package.preload, then Lua files as text */
    lua_getfield(L, -2, "searchers");
    lua_rawgeti(L, -1, 1);
    lua_rawseti(L, -3, 1);
    lua_pop(L, 1);
    lua_pushvalue(L, -2);
    lua_getfield(L, -3, "searchpath");
    lua_pushcclosure(L, l_search_text, 2);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -2, "searchers");

    /* debug keeps what reads, not what changes: getinfo and traceback */
    lua_getfield(L, -1, "loaded");
    lua_createtable(L, 0, 3);
    lua_getglobal(L, "debug");
    lua_getfield(L, -1, "getinfo");
    lua_setfield(L, -3, "getinfo");
    lua_getfield(L, -1, "traceback");
    lua_setfield(L, -3, "traceback");
    lua_pop(L, 1);
    forbid(L, "sethook",
           "debug.sethook is not available to scripts: it would remove the "
           "--hook-limit watchdog");
    lua_pushvalue(L, -1);
    lua_setglobal(L, "debug");
    lua_setfield(L, -2, "debug"); /* require("debug") gives the same */
    lua_pop(L, 2);
}
