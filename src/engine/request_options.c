/*
 * request_options: the table request() returns, read under lua_pcall (a table with
 * metamethods or a list where a map belongs is a script error, never a crash); each refusal
 * says which option and why, with the offending text shown safely.
 */
#include "engine/request_options.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/tags.h"

static int refuse(sl_request_options_t *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int refuse(sl_request_options_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->why, sizeof(o->why), fmt, ap);
    va_end(ap);
    return 0;
}

/* A string for a message: at most 40 bytes, bytes outside printable ASCII as \xNN. */
const char *sl_request_options_shown(const char *str, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 5 < cap; i++) {
        unsigned char c = (unsigned char)str[i];
        if (i == 40) {
            n += (size_t)snprintf(out + n, cap - n, "...");
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, cap - n, "\\x%02X", c);
    }
    out[n] = '\0';
    return out;
}

/* An HTTP token (RFC 9110 5.6.2): what a header name or a method may be made of. */
int sl_request_options_is_token(const char *str, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)str[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL)))
            return 0;
    }
    return 1;
}

/* The first byte in str that a request line or header value cannot carry as it is. */
const char *sl_request_options_find_byte(const char *str, size_t len, const char *bad, size_t nbad)
{
    for (size_t i = 0; i < len; i++)
        if (memchr(bad, str[i], nbad) != NULL)
            return str + i;
    return NULL;
}

static int take_headers(lua_State *L, sl_request_options_t *o)
{
    sl_request_t *req = o->req;
    char a[200], b[200];
    int type = lua_getfield(L, 1, "headers");
    if (type == LUA_TNIL)
        return 0;
    if (type != LUA_TTABLE)
        return refuse(o, "request(): headers must be a table of name = value, not a %s",
                      luaL_typename(L, -1));
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        size_t nlen, vlen;
        /* the key's type first: converting a key in place would confuse lua_next */
        if (lua_type(L, -2) != LUA_TSTRING)
            return refuse(o,
                          "request(): headers must map names to values, as {[\"X-Name\"] = "
                          "\"value\"}, not list them (a key is a %s)",
                          luaL_typename(L, -2));
        const char *name = lua_tolstring(L, -2, &nlen);
        if (!sl_request_options_is_token(name, nlen))
            return refuse(o,
                          "request(): header name \"%s\" refused: a name is letters, digits and "
                          "!#$%%&'*+-.^_`|~ only (no spaces, colons or line breaks)",
                          sl_request_options_shown(name, nlen, a, sizeof(a)));
        int vtype = lua_type(L, -1);
        if (vtype != LUA_TSTRING && vtype != LUA_TNUMBER)
            return refuse(o, "request(): header %s must have a string value, not a %s",
                          sl_request_options_shown(name, nlen, a, sizeof(a)), luaL_typename(L, -1));
        lua_pushvalue(L, -1); /* converted as a copy, so that the table is left as it was */
        const char *value = lua_tolstring(L, -1, &vlen);
        if (sl_request_options_find_byte(value, vlen, "\r\n", 3) != NULL)
            return refuse(o,
                          "request(): the value of header %s holds a line break or a NUL byte "
                          "(\"%s\"): refused",
                          sl_request_options_shown(name, nlen, a, sizeof(a)),
                          sl_request_options_shown(value, vlen, b, sizeof(b)));
        if (req->nheaders == SL_MAX_REQUEST_HEADERS)
            return refuse(o, "request(): more than %d headers", SL_MAX_REQUEST_HEADERS);
        if (sl_buf_append(&req->headers, name, nlen) != 0 ||
            sl_buf_append(&req->headers, ": ", 2) != 0 ||
            sl_buf_append(&req->headers, value, vlen) != 0 ||
            sl_buf_append(&req->headers, "", 1) != 0) /* keeps each one NUL-terminated */
            return luaL_error(L, "out of memory");
        req->nheaders++;
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    return 0;
}

/* tags = {name = "value", ...}: names and values strings (a value may be a number) of at most
 * SL_TAGS_MAX_TEXT bytes, at most SL_MAX_REQUEST_TAGS of them. */
static int take_tags(lua_State *L, sl_request_options_t *o)
{
    sl_request_t *req = o->req;
    char a[200];
    if (lua_getfield(L, 1, "tags") == LUA_TNIL)
        return 0;
    if (!lua_istable(L, -1))
        return refuse(o, "request(): tags must be a table of name = value, not a %s",
                      luaL_typename(L, -1));
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        size_t nlen, vlen;
        if (lua_type(L, -2) != LUA_TSTRING)
            return refuse(o,
                          "request(): tags must map names to values, as {tier = \"gold\"} (a "
                          "key is a %s)",
                          luaL_typename(L, -2));
        const char *name = lua_tolstring(L, -2, &nlen);
        int vtype = lua_type(L, -1);
        if (vtype != LUA_TSTRING && vtype != LUA_TNUMBER)
            return refuse(o, "request(): tag %s must have a string value, not a %s",
                          sl_request_options_shown(name, nlen, a, sizeof(a)), luaL_typename(L, -1));
        lua_pushvalue(L, -1); /* converted as a copy, so that the table is left as it was */
        const char *value = lua_tolstring(L, -1, &vlen);
        if (nlen == 0 || nlen > SL_TAGS_MAX_TEXT || vlen > SL_TAGS_MAX_TEXT)
            return refuse(o,
                          "request(): tag %s: a tag name of 1 to %d bytes and a value of at "
                          "most %d bytes",
                          sl_request_options_shown(name, nlen, a, sizeof(a)), SL_TAGS_MAX_TEXT,
                          SL_TAGS_MAX_TEXT);
        if (req->ntags == SL_MAX_REQUEST_TAGS)
            return refuse(o, "request(): more than %d tags", SL_MAX_REQUEST_TAGS);
        if (sl_buf_append(&req->tags, name, nlen) != 0 || sl_buf_append(&req->tags, "", 1) != 0 ||
            sl_buf_append(&req->tags, value, vlen) != 0 || sl_buf_append(&req->tags, "", 1) != 0)
            return luaL_error(L, "out of memory");
        req->ntags++;
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    return 0;
}

int sl_request_options_take(lua_State *L)
{
    static const char *const known[] = {"headers", "method", "path", "id", "tags"};
    sl_request_options_t *o = lua_touserdata(L, 2);
    sl_request_t *req = o->req;
    char a[200];
    size_t len;

    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
        size_t i = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            while (i < 5 && strcmp(lua_tostring(L, -2), known[i]) != 0)
                i++;
        if (lua_type(L, -2) != LUA_TSTRING || i == 5)
            return refuse(
                o,
                "request(): unknown option %s%s%s in the table it returned (options "
                "are headers, method, path, id and tags)",
                lua_type(L, -2) == LUA_TSTRING ? "\"" : "a ",
                lua_type(L, -2) == LUA_TSTRING
                    ? sl_request_options_shown(lua_tostring(L, -2), lua_rawlen(L, -2), a, sizeof(a))
                    : luaL_typename(L, -2),
                lua_type(L, -2) == LUA_TSTRING ? "\"" : " key");
        lua_pop(L, 1);
    }
    take_headers(L, o);
    if (o->why[0] != '\0')
        return 0;
    lua_settop(L, 2);
    take_tags(L, o);
    if (o->why[0] != '\0')
        return 0;
    lua_settop(L, 2);

    int type = lua_getfield(L, 1, "method");
    if (type != LUA_TNIL) {
        const char *m = type == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (m == NULL)
            return refuse(o, "request(): method must be a string, not a %s", luaL_typename(L, -1));
        if (len >= sizeof(req->method))
            return refuse(o, "request(): method \"%s\" is %zu characters long; at most %zu",
                          sl_request_options_shown(m, len, a, sizeof(a)), len,
                          sizeof(req->method) - 1);
        if (!sl_request_options_is_token(m, len))
            return refuse(o,
                          "request(): method \"%s\" refused: a method is letters, digits and "
                          "!#$%%&'*+-.^_`|~ only",
                          sl_request_options_shown(m, len, a, sizeof(a)));
        memcpy(req->method, m, len + 1);
    }
    lua_pop(L, 1);

    type = lua_getfield(L, 1, "path");
    if (type != LUA_TNIL) {
        const char *path = type == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (path == NULL)
            return refuse(o, "request(): path must be a string, not a %s", luaL_typename(L, -1));
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)path[i];
            if (c <= ' ' || c == 0x7f)
                return refuse(o,
                              "request(): path \"%s\" holds a space or control byte (0x%02X at "
                              "byte %zu): refused",
                              sl_request_options_shown(path, len, a, sizeof(a)), c, i + 1);
        }
        if (sl_buf_append(&req->path, path, len) != 0)
            return luaL_error(L, "out of memory");
    }
    lua_pop(L, 1);

    type = lua_getfield(L, 1, "id");
    if (type == LUA_TSTRING) {
        const char *id = lua_tolstring(L, -1, &len);
        if (len > SL_SCRIPT_MAX_ID)
            return refuse(o,
                          "request(): id is %zu bytes long; the response check compares IDs "
                          "of at most %d bytes (return id = false to skip the check)",
                          len, SL_SCRIPT_MAX_ID);
        sl_buf_clear(&req->id);
        if (sl_buf_append(&req->id, id, len) != 0)
            return luaL_error(L, "out of memory");
    } else if (type == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
        req->check_id = 0;
    } else if (type != LUA_TNIL) {
        return refuse(o, "request(): id must be a string, or false to skip the check, not %s",
                      type == LUA_TBOOLEAN ? "true" : luaL_typename(L, -1));
    }
    return 0;
}
