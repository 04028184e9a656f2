/*
 * request_options: checking the options table request() returns (headers, method, path, id,
 * tags) and copying what passes into the request; what it refuses is a script error that
 * names the option. The HTTP text checks here serve soapload.operations too.
 */
#ifndef SOAPLOAD_REQUEST_OPTIONS_H
#define SOAPLOAD_REQUEST_OPTIONS_H

#include <lua.h>
#include <stddef.h>

#include "engine/request.h"

/* What sl_request_options_take was given and, when it refused them, why. */
typedef struct {
    sl_request_t *req;
    char why[400];
} sl_request_options_t;

/** A lua_CFunction, to run under lua_pcall: 1 is the table request() returned, 2 a light
 * userdata of an sl_request_options_t. Copies what it may into its req, or says in why what it
 * refused (why empty: all taken). Returns 0; raises only when out of memory. */
int sl_request_options_take(lua_State *L);

/** Whether str is an HTTP token (RFC 9110 5.6.2): what a header name or a method may be. */
int sl_request_options_is_token(const char *str, size_t len);
/** The first byte of str that is one of the nbad bytes of bad, or NULL. */
const char *sl_request_options_find_byte(const char *str, size_t len, const char *bad, size_t nbad);
/** str for a message, into out: at most 40 bytes, bytes outside printable ASCII as \xNN.
 * Returns out. */
const char *sl_request_options_shown(const char *str, size_t len, char *out, size_t cap);

#endif
