/*
 * request: what request() asked for, the one request a worker (or --dry-run) builds at a
 * time: its body (request()'s Lua string, held in the registry, or a buffer of its own), its
 * headers, method, path, ID and tags.
 */
#ifndef SOAPLOAD_REQUEST_H
#define SOAPLOAD_REQUEST_H

#include <stddef.h>

#include <lua.h>

#include "core/buf.h"

#define SL_MAX_REQUEST_HEADERS 64
#define SL_MAX_REQUEST_TAGS 8 /* tags on one request */
/* The longest ID request() may give: the response check compares echoed IDs of at most this
 * many bytes (core/check.c). */
#define SL_SCRIPT_MAX_ID 511

/* What request() asked for. Buffers belong to the caller and are reused between calls. */
typedef struct {
    sl_buf_t body;        /* the built-in request's body (request() bodies stay in Lua) */
    const char *body_ptr; /* request()'s body: the Lua string itself, valid while body_ref */
    size_t body_len;      /*   holds it: no copy per connection, however large */
    int body_ref;         /* registry reference of that string; 0 when none */
    lua_State *body_L;    /* the state whose registry holds body_ref */
    sl_buf_t headers;     /* nheaders "Name: value" strings, each NUL-terminated */
    int nheaders;
    char method[16]; /* empty: POST */
    sl_buf_t path;   /* empty: the URL's own */
    sl_buf_t id;     /* the ID the response must echo; may be replaced by the script */
    int check_id;    /* 0 when the script returned id = false */
    sl_buf_t tags;   /* ntags "name\0value\0" pairs from the tags option (core/tags.h) */
    int ntags;
} sl_request_t;

/** The body to send: request()'s string while it is held, else the built-in body. Points into
 * req (or its Lua string); "" when there is none. */
const char *sl_request_body(const sl_request_t *req, size_t *len);
/** Lets go of request()'s string (req->body_ref), once libcurl is done with it: the body is
 * then req's own buffer. */
void sl_request_release_body(sl_request_t *req);
/** Lets go of request()'s string and frees req's buffers; req may be used again. */
void sl_request_free(sl_request_t *req);

#endif
