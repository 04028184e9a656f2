/*
 * check: soapload's built-in checks of one response, free of libcurl and Lua so that they can
 * be unit-tested and fuzzed: a SOAP Fault, the HTTP status, well-formed XML, the echoed ID.
 */
#ifndef SOAPLOAD_CHECK_H
#define SOAPLOAD_CHECK_H

#include <stddef.h>

#include "core/counts.h"

/** Classifies a complete response. `expected` (len bytes) is the request's ID, looked for in
 * the first element named id_element; check_id 0 skips that check. Returns SL_R_OK,
 * SL_R_SOAP_FAULT, SL_R_HTTP_STATUS, SL_R_MALFORMED or SL_R_ID_MISMATCH. */
sl_result_t sl_check_response(long status, const char *body, size_t body_len,
                              const char *id_element, const char *expected, size_t expected_len,
                              int check_id);

#endif
