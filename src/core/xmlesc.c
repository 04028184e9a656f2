/*
 * xmlesc: the checks of a UTF-8 sequence follow RFC 3629 (no overlong forms, no surrogates,
 * nothing past U+10FFFF) and XML 1.0's Char production (no C0 control but tab and line ends,
 * no U+FFFE or U+FFFF).
 */
#include "core/xmlesc.h"

size_t sl_xmlesc_char(const unsigned char *s)
{
    if (s[0] < 0x80)
        return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' || s[0] == '\r';
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                              : 0;
    for (size_t i = 1; i < n; i++) /* a NUL is no continuation byte: it stops here */
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
                   (s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)))
        return 0; /* overlong, a surrogate, U+FFFE or U+FFFF */
    if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
        return 0; /* overlong, past U+10FFFF */
    return n;
}

void sl_xmlesc_write(FILE *out, const char *s, int attr)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = sl_xmlesc_char(p);
        if (n == 0) {
            fputc('?', out);
            p++;
            continue;
        }
        if (*p == '&')
            fputs("&amp;", out);
        else if (*p == '<')
            fputs("&lt;", out);
        else if (*p == '>')
            fputs("&gt;", out);
        else if (*p == '"')
            fputs("&quot;", out);
        else if (*p == '\'')
            fputs("&apos;", out);
        else if (attr && (*p == '\t' || *p == '\n' || *p == '\r'))
            fprintf(out, "&#%d;", *p);
        else
            fwrite(p, 1, n, out);
        p += n;
    }
}
