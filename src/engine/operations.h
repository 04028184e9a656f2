/*
 * operations: reading soapload.operations, the list of named requests a script mixes by weight:
 * each entry's fields checked the same way in the parent (which adds names and weights to the
 * config) and in a worker (which binds each one's hooks into its state, script_ops.c).
 */
#ifndef SOAPLOAD_OPERATIONS_H
#define SOAPLOAD_OPERATIONS_H

#include <lua.h>
#include <stddef.h>

#include "core/config.h"

typedef struct sl_operations_walk sl_operations_walk_t;

/* Called for operation i (1-based), its table at the top of the stack, after its name,
 * weight and fields were checked; raises (sl_operations_fail) to stop the walk. */
typedef void (*sl_operations_visit_fn)(lua_State *L, sl_operations_walk_t *w, int i,
                                       const char *name, double weight);

/* A walk over soapload.operations. */
struct sl_operations_walk {
    sl_operations_visit_fn visit;
    void *ctx; /* the visitor's */
    int want;  /* the number of operations there must be; 0: any */
    char err[512];
};

/** Reads soapload.operations (the table at the top of the stack) into cfg: names and weights,
 * checked. Returns 0, or -1 with err. The stack is as it was. */
int sl_operations_read(lua_State *L, sl_config_t *cfg, char *err, size_t errlen);
/** Walks the table at the top of the stack (under lua_pcall, as sl_operations_read does),
 * calling w->visit for each operation. Returns 0, or -1 with w->err (or Lua's message) in
 * err. The stack is as it was. */
int sl_operations_walk(lua_State *L, sl_operations_walk_t *w, char *err, size_t errlen);
/** Raises a Lua error with the message in w->err. Does not return. */
int sl_operations_fail(lua_State *L, sl_operations_walk_t *w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Pushes field `key` of the operation table at the top of the stack, of `type` or nil; a
 * required one must be there. Returns its type; raises otherwise. */
int sl_operations_field(lua_State *L, sl_operations_walk_t *w, int i, const char *name,
                        const char *key, int type, int required);

#endif
