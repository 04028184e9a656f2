/*
 * duration: durations, sizes and on/off values as users type them ("10s", "500ms", "2m", "64k",
 * "true").
 */
#ifndef SOAPLOAD_DURATION_H
#define SOAPLOAD_DURATION_H

#include <stddef.h>
#include <stdint.h>

/** Parses a duration: a number with an optional unit us, ms, s (the default), m or h.
 * Returns 0 and the nanoseconds in *ns, or -1 when it is not one or is not positive. */
int sl_duration_parse(const char *s, uint64_t *ns);
/** Parses a size: a number with an optional k, m or g (powers of 1024). Returns 0 or -1. */
int sl_size_parse(const char *s, uint64_t *bytes);
/** Parses an on/off value: "true", "1" or "on" (and NULL: a flag given without a value) is 1,
 * "false", "0" or "off" is 0. Returns 0 with *on set, or -1 ("true or false" is what it wants). */
int sl_flag_parse(const char *s, int *on);
/** Writes a latency in us the way people read it ("845us", "12.31ms", "1.20s"). */
void sl_duration_format_us(double us, char *buf, size_t cap);

#endif
