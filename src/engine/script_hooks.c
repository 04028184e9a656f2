/*
 * script_hooks: request(), when() and response() under sl_script_call (a deadline and the
 * traceback handler). request()'s body string is not copied: it is referenced in the registry
 * and handed to libcurl as it is, until the request is done (engine/request.h).
 */
#include "engine/script_hooks.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "core/fault.h"
#include "engine/lua_xml.h"
#include "engine/request_options.h"
#include "engine/script_ops.h"
#include "engine/script_state.h"

/* Prefixes a message about a hook's return values with where the hook was defined. */
static int hook_result_error(sl_script_t *s, int ref, const char *what, char *err, size_t errlen)
{
    lua_Debug ar;
    lua_rawgeti(s->L, LUA_REGISTRYINDEX, ref);
    lua_getinfo(s->L, ">S", &ar);
    snprintf(err, errlen, "%s:%d: %s", ar.short_src, ar.linedefined, what);
    return -1;
}

/* Copies the options table on top of the stack into req, under lua_pcall: a table with
 * metamethods or a list where a map belongs is a script error, never a crash. */
static int copy_request_options(sl_script_t *s, int ref, sl_request_t *req, char *err,
                                size_t errlen)
{
    lua_State *L = s->L;
    sl_request_options_t o = {.req = req};
    if (!lua_istable(L, -1)) {
        snprintf(o.why, sizeof(o.why),
                 "request() must return the body and, optionally, a table of options, not a %s",
                 luaL_typename(L, -1));
        return hook_result_error(s, ref, o.why, err, errlen);
    }
    lua_pushcfunction(L, sl_request_options_take);
    lua_pushvalue(L, -2);
    lua_pushlightuserdata(L, &o);
    if (sl_script_call(s, "request()", 2, 0, s->hook_limit_ns, err, errlen) != 0)
        return -1;
    if (o.why[0] != '\0')
        return hook_result_error(s, ref, o.why, err, errlen);
    return 0;
}

/* Under lua_pcall: references the string on the stack in the registry (luaL_ref may need
 * memory). */
static int l_ref_body(lua_State *L)
{
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
    return 1;
}

int sl_script_step_wanted(sl_script_t *s, int op, char *err, size_t errlen)
{
    lua_State *L = s->L;
    if (s->when_ref == LUA_NOREF)
        return 1;
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->when_ref);
    if (lua_rawgeti(L, -1, op + 1) != LUA_TFUNCTION) {
        lua_pop(L, 2);
        return 1;
    }
    lua_remove(L, -2);
    if (sl_script_call(s, "when()", sl_script_push_vars(s), 1, s->hook_limit_ns, err, errlen) != 0)
        return -1;
    int wanted = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return wanted;
}

/* Calls the request hook `ref`. */
static int request_with(sl_script_t *s, int ref, uint64_t seq, sl_request_t *req, char *err,
                        size_t errlen)
{
    lua_State *L = s->L;
    int rc = 0;
    sl_request_release_body(req);
    sl_buf_clear(&req->body);
    sl_buf_clear(&req->headers);
    sl_buf_clear(&req->path);
    sl_buf_clear(&req->tags);
    req->nheaders = 0;
    req->ntags = 0;
    req->method[0] = '\0';
    req->check_id = 1;

    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_pushlstring(L, req->id.data, req->id.len);
    lua_pushinteger(L, (lua_Integer)seq);
    if (sl_script_call(s, "request()", 2 + sl_script_push_vars(s), 2, s->hook_limit_ns, err,
                       errlen) != 0)
        return -1;
    if (lua_type(L, -2) != LUA_TSTRING) {
        char what[128];
        snprintf(what, sizeof(what), "request() must return the body as a string, not %s",
                 luaL_typename(L, -2));
        lua_pop(L, 2);
        return hook_result_error(s, ref, what, err, errlen);
    }
    if (!lua_isnil(L, -1))
        rc = copy_request_options(s, ref, req, err, errlen);
    if (rc == 0) { /* the string itself goes to libcurl: a Lua string never moves */
        lua_pushcfunction(L, l_ref_body);
        lua_pushvalue(L, -3);
        if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
            snprintf(err, errlen, "cannot keep the body of request(): %s", lua_tostring(L, -1));
            rc = -1;
        } else {
            req->body_ref = (int)lua_tointeger(L, -1);
            req->body_L = L;
            req->body_ptr = lua_tolstring(L, -3, &req->body_len);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    return rc;
}

int sl_script_request(sl_script_t *s, uint64_t seq, sl_request_t *req, char *err, size_t errlen)
{
    return request_with(s, s->request_ref, seq, req, err, errlen);
}

int sl_script_op_request(sl_script_t *s, int op, uint64_t seq, sl_request_t *req, char *err,
                         size_t errlen)
{
    if (request_with(s, s->ops[op].request_ref, seq, req, err, errlen) != 0)
        return -1;
    if (sl_script_ops_defaults(s, op, req, err, errlen) != 0) {
        sl_request_release_body(req);
        return -1;
    }
    return 0;
}

static void push_headers(lua_State *L, const char *h, size_t len)
{
    lua_createtable(L, 0, 8);
    const char *end = h + len;
    while (h < end) {
        const char *eol = memchr(h, '\n', (size_t)(end - h));
        const char *line_end = eol ? eol : end;
        const char *colon = memchr(h, ':', (size_t)(line_end - h));
        if (colon != NULL && colon > h && strncmp(h, "HTTP/", 5) != 0) {
            char name[128];
            size_t nlen = (size_t)(colon - h) < sizeof(name) ? (size_t)(colon - h) : sizeof(name);
            for (size_t i = 0; i < nlen; i++)
                name[i] = (char)((h[i] >= 'A' && h[i] <= 'Z') ? h[i] + 32 : h[i]);
            const char *v = colon + 1, *vend = line_end;
            while (v < vend && (*v == ' ' || *v == '\t'))
                v++;
            while (vend > v && (vend[-1] == '\r' || vend[-1] == ' ' || vend[-1] == '\t'))
                vend--;
            lua_pushlstring(L, name, nlen);
            lua_pushlstring(L, v, (size_t)(vend - v));
            lua_rawset(L, -3);
        }
        h = line_end + (eol != NULL);
    }
}

int sl_script_response(sl_script_t *s, int op, long status, const char *headers, size_t headers_len,
                       const char *body, size_t body_len, const char *id, const sl_fault_t *fault,
                       int *verdict, char *reason, size_t reason_len, char *err, size_t errlen)
{
    lua_State *L = s->L;
    int ref = op >= 0 && op < s->nops && s->ops[op].response_ref != LUA_NOREF
                  ? s->ops[op].response_ref
                  : s->response_ref;
    *verdict = SL_VERDICT_NONE;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_pushinteger(L, status);
    push_headers(L, headers, headers_len);
    lua_pushlstring(L, body, body_len);
    lua_pushstring(L, id);
    if (fault != NULL)
        sl_lua_push_fault(L, fault);
    else
        lua_pushnil(L);
    int nargs = 5 + sl_script_push_vars(s); /* a flow step's: its flow's variables */
    if (sl_script_call(s, "response()", nargs, 2, s->hook_limit_ns, err, errlen) != 0)
        return -1;
    if (lua_type(L, -2) == LUA_TBOOLEAN) {
        *verdict = lua_toboolean(L, -2) ? SL_VERDICT_PASS : SL_VERDICT_FAIL;
        if (*verdict == SL_VERDICT_FAIL)
            snprintf(reason, reason_len, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
    } else if (lua_type(L, -2) == LUA_TSTRING &&
               strcmp(lua_tostring(L, -2), "expected_fault") == 0) {
        *verdict = SL_VERDICT_EXPECTED_FAULT;
    }
    lua_pop(L, 2);
    return 0;
}
