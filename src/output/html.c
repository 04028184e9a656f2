/*
 * html: splits the template at its data marker and embeds the JSON there, escaped for the
 * inside of a <script> element: no '<' (so no "</script" or "<!--" can end or bend it), no '>'
 * or '&', and no U+2028/U+2029 (line ends to older JavaScript). Each is written as its \uXXXX
 * escape, which a JSON parser reads back as the same character; in valid JSON they can only
 * stand inside strings, where such an escape is allowed.
 */
#include "output/html.h"

#include <string.h>

extern const char sl_report_html[];
extern const size_t sl_report_html_len;

#define MARKER "/*SOAPLOAD_DATA*/"

void sl_html_embed_json(FILE *out, const char *json, size_t len)
{
    const unsigned char *s = (const unsigned char *)json;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '<' || s[i] == '>' || s[i] == '&') {
            fprintf(out, "\\u%04x", s[i]);
        } else if (s[i] == 0xe2 && i + 2 < len && s[i + 1] == 0x80 &&
                   (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
            fprintf(out, "\\u%04x", s[i + 2] == 0xa8 ? 0x2028u : 0x2029u);
            i += 2;
        } else {
            fputc(s[i], out);
        }
    }
}

int sl_html_write(FILE *out, const char *json, size_t len)
{
    const char *mark = strstr(sl_report_html, MARKER);
    if (mark == NULL)
        return -1;
    fwrite(sl_report_html, 1, (size_t)(mark - sl_report_html), out);
    sl_html_embed_json(out, json, len);
    const char *rest = mark + strlen(MARKER);
    fwrite(rest, 1, sl_report_html_len - (size_t)(rest - sl_report_html), out);
    return ferror(out) ? -1 : 0;
}
