/*
 * lua_mtom: attachments (MTOM/XOP, W3C SOAP Message Transmission Optimization Mechanism):
 * soapload.attach(bytes, content_type) during request() keeps a binary part and returns the
 * xop:Include element that refers to it; the request then goes out as multipart/related
 * (type application/xop+xml): the envelope as the root part, each attachment as a part of its
 * own, sent as bytes (no Base64).
 */
#ifndef SOAPLOAD_LUA_MTOM_H
#define SOAPLOAD_LUA_MTOM_H

#include <lua.h>
#include <stddef.h>

#include "core/buf.h"
#include "engine/request.h"

/** Adds `attach` to the table at the top of L's stack (the soapload table). */
void sl_lua_mtom_register(lua_State *L);

/** Forgets the attachments of the request before: call before each request(). The parts
 * belong to the process (one Lua state per process, one request() at a time). */
void sl_mtom_reset(void);
/** How many attachments the last request() made. */
int sl_mtom_count(void);

/** Replaces req's Content-Type with multipart/related's (a request with attachments), before
 * its headers are applied. Returns 0, or -1 (out of memory or too many headers). */
int sl_mtom_header(sl_request_t *req, int soap_version);
/** Packs req's body (the envelope, signed or not) and the attachments into the
 * multipart/related body, which becomes req's own buffer (request()'s string is let go).
 * Returns 0, or -1 (out of memory). */
int sl_mtom_pack(sl_request_t *req, int soap_version);

#endif
