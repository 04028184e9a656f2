/*
 * wsdl_text: the text of sample bodies (XML text and comments, indentation) and the sample
 * value of each XSD built-in type.
 */
#ifndef SOAPLOAD_WSDL_TEXT_H
#define SOAPLOAD_WSDL_TEXT_H

#include "core/buf.h"

/** Appends the C string s. */
void sl_wsdl_text_put(sl_buf_t *b, const char *s);
/** Appends what src holds (an empty buffer may have no storage at all). */
void sl_wsdl_text_put_buf(sl_buf_t *b, const sl_buf_t *src);
/** Appends formatted text. */
void sl_wsdl_text_putf(sl_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Appends two spaces per level. */
void sl_wsdl_text_indent(sl_buf_t *b, int level);
/** Appends s as XML text or attribute value: markup escaped, control bytes XML does not allow
 * dropped (so the request ID's mark is only ever the generator's). */
void sl_wsdl_text_escaped(sl_buf_t *b, const char *s);
/** Appends s as the text of an XML comment: without "--". */
void sl_wsdl_text_comment(sl_buf_t *b, const char *s);
/** Appends an XML comment line at `level`, its text formatted and cleared of "--". */
void sl_wsdl_text_note(sl_buf_t *b, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Whether {ns}local is a built-in simple type: XSD's, or SOAP encoding's copies of them. */
int sl_wsdl_text_is_builtin(const char *ns, const char *local);
/** A sample value for the built-in type named `local` ("string" for the string-like ones). */
const char *sl_wsdl_text_builtin(const char *local);

#endif
