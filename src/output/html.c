/*
 * html: splits the template at its data marker. The JSON goes inside a <script> element, so
 * every "</" in it is written as "<\/" (the same string to a JSON parser, but never an end tag).
 */
#include "output/html.h"

#include <string.h>

extern const char sl_report_html[];
extern const size_t sl_report_html_len;

#define MARKER "/*SOAPLOAD_DATA*/"

int sl_html_write(FILE *out, const char *json, size_t len)
{
    const char *mark = strstr(sl_report_html, MARKER);
    if (mark == NULL)
        return -1;
    fwrite(sl_report_html, 1, (size_t)(mark - sl_report_html), out);
    for (size_t i = 0; i < len; i++) {
        if (json[i] == '<' && i + 1 < len && json[i + 1] == '/') {
            fputs("<\\/", out);
            i++;
        } else {
            fputc(json[i], out);
        }
    }
    const char *rest = mark + strlen(MARKER);
    fwrite(rest, 1, sl_report_html_len - (size_t)(rest - sl_report_html), out);
    return ferror(out) ? -1 : 0;
}
