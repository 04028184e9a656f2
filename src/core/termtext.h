/*
 * termtext: bytes that came from outside (an ID log, a WSDL) made safe to print on a terminal.
 * Control bytes, bytes of no printable UTF-8 character (C1 controls included, which some
 * terminals obey) and the backslash become \xNN, so that the text cannot move the cursor,
 * rewrite a line or retitle the window, and reads back unambiguously.
 */
#ifndef SOAPLOAD_TERMTEXT_H
#define SOAPLOAD_TERMTEXT_H

#include <stddef.h>
#include <stdio.h>

/** Writes the escaped form of s into out (outlen bytes, NUL-terminated), cut at a whole
 * character when it does not fit. Returns the number of bytes written (no NUL). */
size_t sl_termtext_escape(char *out, size_t outlen, const char *s);

/** Writes the escaped form of s to f. */
void sl_termtext_fputs(const char *s, FILE *f);

#endif
