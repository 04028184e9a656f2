/*
 * headers: the request headers soapload sends on its own, and the one rule for a user's
 * header: it replaces a header of the same name instead of going out beside it. The worker
 * hands the result to libcurl; --dry-run prints it.
 */
#ifndef SOAPLOAD_HEADERS_H
#define SOAPLOAD_HEADERS_H

#include <stddef.h>

#include "core/config.h"

#define SL_HEADER_LINE_CAP 128 /* the Content-Type line's buffer */

/** Whether two "Name: value" lines (or "Name;", libcurl's empty header) name one header. */
int sl_header_same_name(const char *a, const char *b);
/** Whether one of the n lines of list names the same header as line. */
int sl_header_named_in(const char *line, const char *const *list, int n);
/** The run's headers in the order they are sent: soapload's Content-Type, SOAPAction (1.1)
 * and an empty Expect (no 100-continue round trip) unless a user header replaces them, then
 * the user's (cfg->headers). Points lines[] at cfg's strings and at ct (SL_HEADER_LINE_CAP
 * bytes, which the caller keeps). Returns how many, at most cap. */
int sl_headers_for_run(const sl_config_t *cfg, const char **lines, int cap, char *ct);

#endif
