/*
 * script_ops: a worker binds soapload.operations in its own state and checks that it is the
 * list the parent read (the same names in the same order): each operation keeps references to
 * its hooks and the path and header lines it adds to its requests (SOAP 1.1 carries its
 * soap_action as SOAPAction, 1.2 in the Content-Type's action parameter).
 */
#include "engine/script_ops.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/envelope.h"
#include "engine/operations.h"
#include "engine/request_options.h"
#include "engine/script_state.h"

/* What the binding walk knows: the state to bind into and the run's list to check against. */
typedef struct {
    sl_script_t *s;
    const sl_config_t *run_cfg;
} bind_ctx_t;

/* Appends "Name: value" to op's headers, unless the operation gives that name already. */
static int op_add_header(lua_State *L, sl_operations_walk_t *c, sl_script_op_t *op, int i,
                         const char *name, size_t nlen, const char *value, size_t vlen)
{
    char a[200], b[200];
    if (!sl_request_options_is_token(name, nlen))
        return sl_operations_fail(L, c, "soapload.operations[%d]: header name \"%s\" refused", i,
                                  sl_request_options_shown(name, nlen, a, sizeof(a)));
    if (sl_request_options_find_byte(value, vlen, "\r\n", 3) != NULL)
        return sl_operations_fail(L, c,
                                  "soapload.operations[%d]: header %s holds a line break (\"%s\")",
                                  i, sl_request_options_shown(name, nlen, a, sizeof(a)),
                                  sl_request_options_shown(value, vlen, b, sizeof(b)));
    if (op->nheaders == SL_MAX_REQUEST_HEADERS)
        return sl_operations_fail(L, c, "soapload.operations[%d]: more than %d headers", i,
                                  SL_MAX_REQUEST_HEADERS);
    if (sl_buf_append(&op->headers, name, nlen) != 0 || sl_buf_append(&op->headers, ": ", 2) ||
        sl_buf_append(&op->headers, value, vlen) != 0 || sl_buf_append(&op->headers, "", 1) != 0)
        return luaL_error(L, "out of memory");
    op->nheaders++;
    return 0;
}
/* Binds operation i (1-based; its table at the top of the stack) into the worker's state. */
static void op_bind(lua_State *L, sl_operations_walk_t *c, int i, const char *name, double weight)
{
    const bind_ctx_t *b = c->ctx;
    sl_script_t *s = b->s;
    (void)weight; /* the parent's, in the run's mix */
    sl_script_op_t *op = &s->ops[i - 1];
    size_t len;
    if (i > b->run_cfg->nops || strcmp(name, b->run_cfg->op_names[i - 1]) != 0)
        sl_operations_fail(L, c, "soapload.operations[%d] is %s in a worker but %s in the parent",
                           i, name, i > b->run_cfg->nops ? "nothing" : b->run_cfg->op_names[i - 1]);
    sl_operations_field(L, c, i, name, "request", LUA_TFUNCTION, 1);
    op->request_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (sl_operations_field(L, c, i, name, "response", LUA_TFUNCTION, 0) == LUA_TFUNCTION) {
        op->response_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        op->response_faults = sl_script_takes_fault(L, op->response_ref);
    } else
        lua_pop(L, 1);
    if (sl_operations_field(L, c, i, name, "path", LUA_TSTRING, 0) == LUA_TSTRING) {
        const char *path = lua_tolstring(L, -1, &len);
        for (size_t k = 0; k < len; k++)
            if ((unsigned char)path[k] <= ' ' || path[k] == 0x7f)
                sl_operations_fail(
                    L, c, "soapload.operations[%d] (%s): path holds a space or control byte", i,
                    name);
        if (sl_buf_append(&op->path, path, len) != 0)
            luaL_error(L, "out of memory");
    }
    lua_pop(L, 1);
    if (sl_operations_field(L, c, i, name, "soap_action", LUA_TSTRING, 0) == LUA_TSTRING &&
        (s->soap_version != 12 || lua_rawlen(L, -1) > 0)) { /* 1.2: "" means no action */
        char line[1024];
        const char *action = lua_tolstring(L, -1, &len);
        if (len > 900 || sl_request_options_find_byte(action, len, "\r\n\"", 4) != NULL)
            sl_operations_fail(
                L, c,
                "soapload.operations[%d] (%s): soap_action must be at most 900 bytes "
                "without quotes or line breaks",
                i, name);
        /* SOAP 1.1 carries the action in its own header, 1.2 in the media type */
        int n = s->soap_version == 12 ? snprintf(line, sizeof(line), "%s; action=\"%s\"",
                                                 sl_envelope_content_type(12), action)
                                      : snprintf(line, sizeof(line), "\"%s\"", action);
        const char *hname = s->soap_version == 12 ? "Content-Type" : "SOAPAction";
        op_add_header(L, c, op, i, hname, strlen(hname), line, (size_t)n);
    }
    lua_pop(L, 1);
    if (sl_operations_field(L, c, i, name, "headers", LUA_TTABLE, 0) == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
            size_t nlen, vlen;
            if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
                sl_operations_fail(
                    L, c, "soapload.operations[%d] (%s): headers must map names to string values",
                    i, name);
            const char *hn = lua_tolstring(L, -2, &nlen);
            const char *hv = lua_tolstring(L, -1, &vlen);
            op_add_header(L, c, op, i, hn, nlen, hv, vlen);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

int sl_script_operations(sl_script_t *s, const sl_config_t *cfg, char *err, size_t errlen)
{
    lua_State *L = s->L;
    if (cfg->nops == 0)
        return 0;
    s->ops = calloc((size_t)cfg->nops, sizeof(*s->ops));
    if (s->ops == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->nops = cfg->nops;
    for (int i = 0; i < s->nops; i++)
        s->ops[i].request_ref = s->ops[i].response_ref = LUA_NOREF;
    bind_ctx_t b = {.s = s, .run_cfg = cfg};
    sl_operations_walk_t w = {.visit = op_bind, .ctx = &b, .want = cfg->nops};
    if (lua_getglobal(L, "soapload") == LUA_TTABLE) {
        lua_pushstring(L, "operations");
        lua_rawget(L, -2);
        lua_remove(L, -2);
    }
    int rc = sl_operations_walk(L, &w, err, errlen);
    lua_pop(L, 1);
    return rc;
}

int sl_script_op_sees_faults(const sl_script_t *s, int op)
{
    if (op >= 0 && op < s->nops && s->ops[op].response_ref != LUA_NOREF)
        return s->ops[op].response_faults;
    return s->response_ref != LUA_NOREF && s->response_faults;
}

int sl_script_has_op_response(const sl_script_t *s, int op)
{
    if (op >= 0 && op < s->nops && s->ops[op].response_ref != LUA_NOREF)
        return 1;
    return s->response_ref != LUA_NOREF;
}

/* Adds the operation's path and headers to what its request() gave: request()'s own win. */
int sl_script_ops_defaults(sl_script_t *s, int op, sl_request_t *req, char *err, size_t errlen)
{
    const sl_script_op_t *o = &s->ops[op];
    if (req->path.len == 0 && o->path.len > 0 &&
        sl_buf_append(&req->path, o->path.data, o->path.len) != 0)
        goto Oom;
    const char *h = o->headers.data;
    for (int i = 0; i < o->nheaders; i++, h += strlen(h) + 1) {
        size_t nlen = strcspn(h, ":");
        const char *mine = req->headers.data;
        int given = 0;
        for (int k = 0; k < req->nheaders && !given; k++, mine += strlen(mine) + 1)
            given = strcspn(mine, ":") == nlen && strncasecmp(mine, h, nlen) == 0;
        if (given)
            continue;
        if (req->nheaders == SL_MAX_REQUEST_HEADERS) {
            snprintf(err, errlen, "operation %d: more than %d headers with request()'s", op + 1,
                     SL_MAX_REQUEST_HEADERS);
            return -1;
        }
        if (sl_buf_append(&req->headers, h, strlen(h) + 1) != 0)
            goto Oom;
        req->nheaders++;
    }
    return 0;
Oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}
