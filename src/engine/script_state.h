/*
 * script_state: the inside of one Lua state (sl_script_t), shared by the files that make up
 * the script: the state and its calls (script.c), the built-ins (script_builtins.c), the hooks
 * (script_hooks.c) and the operations bound in a worker (script_ops.c). Nothing outside them
 * includes it.
 */
#ifndef SOAPLOAD_SCRIPT_STATE_H
#define SOAPLOAD_SCRIPT_STATE_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "engine/hook_guard.h"
#include "engine/script.h"

/* One of soapload.operations in this state: its hooks and what it adds to each request. */
typedef struct {
    int request_ref, response_ref; /* response_ref LUA_NOREF: the global response(), if any */
    int response_faults;           /* its response takes a fifth parameter: it sees Faults */
    sl_buf_t path;                 /* "": the URL's own */
    sl_buf_t headers;              /* nheaders "Name: value" strings, each NUL-terminated */
    int nheaders;
} sl_script_op_t;

struct sl_script {
    lua_State *L;
    size_t mem_used, mem_limit;
    int mem_exceeded;
    uint64_t hook_limit_ns;
    sl_hookguard_t guard; /* the call under way and its deadline */
    int request_ref, response_ref;
    int response_faults; /* response() declares a fifth parameter (fault): it sees Faults */
    sl_script_op_t *ops; /* soapload.operations, bound in this state (sl_script_operations) */
    int nops;
    int randomseed_ref; /* math.randomseed as the library made it, whatever the script does */
    int vars_ref;       /* the variables of the flow whose step runs (LUA_NOREF: none) */
    int when_ref;       /* soapload.flows: the steps' when(vars) by operation, or LUA_NOREF */
    int soap_version;
    char *id_element;
    sl_buf_t scratch;
};

/** The script whose state L is (kept in L's extra space). */
static inline sl_script_t *sl_script_of(lua_State *L)
{
    return *(sl_script_t **)lua_getextraspace(L);
}

/** Runs the function below its nargs arguments under the traceback handler and a deadline of
 * limit_ns; `hook` (a static string) names it in messages. Returns 0 with nres results pushed,
 * or -1 with the message in err and the stack as before the function. */
int sl_script_call(sl_script_t *s, const char *hook, int nargs, int nres, uint64_t limit_ns,
                   char *err, size_t errlen);
/** Whether the function referenced by ref declares a fifth parameter (or ...): a response hook
 * that does is also called for SOAP Faults. */
int sl_script_takes_fault(lua_State *L, int ref);
/** Pushes the variables of the flow whose step is under way, if any. Returns how many (0, 1). */
int sl_script_push_vars(sl_script_t *s);

#endif
