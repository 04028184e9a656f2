/*
 * request: the body of one request, held where it was made: request()'s string stays in its
 * Lua state (referenced, never copied), a built-in or rewritten body in the request's buffer.
 */
#include "engine/request.h"

#include <lauxlib.h>
#include <string.h>

const char *sl_request_body(const sl_request_t *req, size_t *len)
{
    *len = req->body_ref > 0 ? req->body_len : req->body.len;
    return req->body_ref > 0 ? req->body_ptr : req->body.data ? req->body.data : "";
}

void sl_request_release_body(sl_request_t *req)
{
    if (req->body_ref > 0 && req->body_L != NULL)
        luaL_unref(req->body_L, LUA_REGISTRYINDEX, req->body_ref);
    req->body_ref = 0;
    req->body_ptr = NULL;
    req->body_len = 0;
}

void sl_request_free(sl_request_t *req)
{
    sl_request_release_body(req);
    sl_buf_free(&req->body);
    sl_buf_free(&req->headers);
    sl_buf_free(&req->tags);
    sl_buf_free(&req->path);
    sl_buf_free(&req->id);
}
