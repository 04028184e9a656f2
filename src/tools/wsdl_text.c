/*
 * wsdl_text: the text of sample bodies: XML text and comments escaped, indentation, and a
 * sample value for each XSD built-in type. Pure: no WSDL model, no state.
 */
#include "tools/wsdl_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/wsdl.h"

void sl_wsdl_text_put(sl_buf_t *b, const char *s)
{
    sl_buf_append(b, s, strlen(s));
}

/* Appends what src holds (an empty buffer may have no storage at all). */
void sl_wsdl_text_put_buf(sl_buf_t *b, const sl_buf_t *src)
{
    if (src->len > 0)
        sl_buf_append(b, src->data, src->len);
}

void sl_wsdl_text_putf(sl_buf_t *b, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n >= 0) {
        sl_buf_append(b, s, (size_t)n);
        free(s);
    }
}

void sl_wsdl_text_indent(sl_buf_t *b, int level)
{
    for (int i = 0; i < level; i++)
        sl_wsdl_text_put(b, "  ");
}

/* XML text or attribute value. Control bytes XML does not allow are dropped: the ID mark is
 * then only ever the generator's. */
void sl_wsdl_text_escaped(sl_buf_t *b, const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 && !strchr("\t\n\r", *s))
            continue;
        switch (*s) {
        case '&':
            sl_wsdl_text_put(b, "&amp;");
            break;
        case '<':
            sl_wsdl_text_put(b, "&lt;");
            break;
        case '>':
            sl_wsdl_text_put(b, "&gt;");
            break;
        case '"':
            sl_wsdl_text_put(b, "&quot;");
            break;
        default:
            sl_buf_append(b, s, 1);
        }
    }
}

/* Text inside an XML comment: no "--". */
void sl_wsdl_text_comment(sl_buf_t *b, const char *s)
{
    for (; *s; s++)
        if (!(s[0] == '-' && s[1] == '-'))
            sl_buf_append(b, s, 1);
}

/* An XML comment line at `level`, its text formatted and cleared of "--". */
void sl_wsdl_text_note(sl_buf_t *b, int level, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    sl_wsdl_text_indent(b, level);
    sl_wsdl_text_put(b, "<!-- ");
    if (n >= 0)
        sl_wsdl_text_comment(b, s);
    sl_wsdl_text_put(b, " -->\n");
    free(s);
}

/* Whether {ns}local is a built-in simple type: XSD's, or SOAP encoding's copies of them
 * (soapenc:string ..., which rpc/encoded WSDLs use without importing their schema). */
int sl_wsdl_text_is_builtin(const char *ns, const char *local)
{
    if (strcmp(ns, SL_XSD_NS) == 0)
        return 1;
    return strcmp(ns, "http://schemas.xmlsoap.org/soap/encoding/") == 0 &&
           strcmp(local, "Array") != 0 && strcmp(local, "Struct") != 0 &&
           strcmp(local, "arrayType") != 0;
}

/* A sample value for a built-in XSD type. */
const char *sl_wsdl_text_builtin(const char *t)
{
    static const struct {
        const char *type, *value;
    } table[] = {
        {"boolean", "true"},
        {"int", "1"},
        {"integer", "1"},
        {"long", "1"},
        {"short", "1"},
        {"byte", "1"},
        {"unsignedInt", "1"},
        {"unsignedLong", "1"},
        {"unsignedShort", "1"},
        {"unsignedByte", "1"},
        {"positiveInteger", "1"},
        {"nonNegativeInteger", "1"},
        {"negativeInteger", "-1"},
        {"nonPositiveInteger", "0"},
        {"decimal", "1.50"},
        {"float", "1.5"},
        {"double", "1.5"},
        {"date", "2024-01-31"},
        {"dateTime", "2024-01-31T12:00:00Z"},
        {"time", "12:00:00"},
        {"duration", "PT1M"},
        {"gYear", "2024"},
        {"gYearMonth", "2024-01"},
        {"gMonth", "--01"},
        {"gMonthDay", "--01-31"},
        {"gDay", "---31"},
        {"base64Binary", "c29hcGxvYWQ="},
        {"hexBinary", "0A0B"},
        {"anyURI", "http://example.com/"},
        {"language", "en"},
        {"QName", "xsd:string"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].type, t) == 0)
            return table[i].value;
    return "string"; /* string, normalizedString, token, Name, NCName, ID, anyType ... */
}
