/*
 * xmlesc: text written into an XML document (character data or an attribute's value), so that
 * no text can add markup and every reader takes it: '&', '<', '>', '"' and '\'' as entities;
 * in an attribute, tab and line ends as character references (a parser would fold them into
 * spaces); a byte that starts no valid UTF-8 sequence of an XML 1.0 character as '?'.
 */
#ifndef SOAPLOAD_XMLESC_H
#define SOAPLOAD_XMLESC_H

#include <stddef.h>
#include <stdio.h>

/** The length (1 to 4) of the valid UTF-8 sequence of an XML 1.0 character at s (a NUL ends
 * s), or 0 when the byte at s starts none. */
size_t sl_xmlesc_char(const unsigned char *s);
/** Writes s escaped to out: as an attribute's value when attr is set, else as character data.
 * Every byte of s becomes its own character or escape, or one '?'. */
void sl_xmlesc_write(FILE *out, const char *s, int attr);

#endif
