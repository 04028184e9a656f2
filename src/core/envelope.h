/*
 * envelope: SOAP 1.1/1.2 envelopes and the default echo request, as the client sends them.
 */
#ifndef SOAPLOAD_ENVELOPE_H
#define SOAPLOAD_ENVELOPE_H

#include <stddef.h>

#include "core/buf.h"

/** Appends <soap:Envelope ...><soap:Body>inner</soap:Body></soap:Envelope> of `version`
 * (11 or 12) to out. `inner` is XML, copied as it is. Returns 0 or -1 (out of memory). */
int sl_envelope_append(sl_buf_t *out, int version, const char *inner, size_t inner_len);
/** The same with <soap:Header>header</soap:Header> before the Body when header_len > 0 (header
 * blocks as XML, copied as they are). Returns 0 or -1. */
int sl_envelope_append_with_header(sl_buf_t *out, int version, const char *header,
                                   size_t header_len, const char *inner, size_t inner_len);

/** Appends the default request body, <e:Echo xmlns:e="urn:soapload:echo"><e:NAME>ID</e:NAME>
 * </e:Echo>, with the ID escaped. Returns 0 or -1. */
int sl_envelope_echo_append(sl_buf_t *out, const char *name, const char *id, size_t id_len);

/** Content-Type of `version`. */
const char *sl_envelope_content_type(int version);

#endif
