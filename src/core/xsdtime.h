/*
 * xsdtime: reading xsd:dateTime values (WS-Security's Created and Expires).
 */
#ifndef SOAPLOAD_XSDTIME_H
#define SOAPLOAD_XSDTIME_H

#include <stddef.h>

/** Parses an xsd:dateTime such as 2026-11-27T14:46:25Z, 2026-11-27T14:46:25.123Z or
 * 2026-11-27T16:46:25+02:00 into seconds since the epoch. Returns 0, or -1 when it is not one
 * (a time zone is required). */
int sl_xsd_time_parse(const char *s, size_t n, double *out);

#endif
