/*
 * termtext: escaping of outside bytes for a terminal (see termtext.h).
 */
#include "core/termtext.h"

#include <string.h>

/* The length of the UTF-8 sequence of a printable character at s (n bytes left), or 0: an
 * invalid sequence, or a C1 control (U+0080..U+009F). */
static size_t printable_utf8(const unsigned char *s, size_t n)
{
    size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (len == 0 || len > n || (s[0] == 0xc2 && s[1] < 0xa0))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

/* The escaped form of the character at p[*i] (n bytes in all) into piece (at least 5 bytes);
 * advances *i. Returns the piece's length. */
static size_t next_piece(const unsigned char *p, size_t n, size_t *i, char *piece)
{
    size_t u = p[*i] >= 0x80 ? printable_utf8(p + *i, n - *i) : 0;
    if (u > 0) {
        memcpy(piece, p + *i, u);
        *i += u;
        return u;
    }
    unsigned char ch = p[(*i)++];
    if (ch < 0x20 || ch >= 0x7f || ch == '\\') {
        static const char hex[] = "0123456789abcdef";
        piece[0] = '\\';
        piece[1] = 'x';
        piece[2] = hex[ch >> 4];
        piece[3] = hex[ch & 15];
        return 4;
    }
    piece[0] = (char)ch;
    return 1;
}

size_t sl_termtext_escape(char *out, size_t outlen, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, n = strlen(s);
    if (outlen == 0)
        return 0;
    for (size_t i = 0; i < n;) {
        char piece[8];
        size_t len = next_piece(p, n, &i, piece);
        if (o + len >= outlen)
            break;
        memcpy(out + o, piece, len);
        o += len;
    }
    out[o] = '\0';
    return o;
}

void sl_termtext_fputs(const char *s, FILE *f)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        char piece[8];
        size_t len = next_piece(p, n, &i, piece);
        fwrite(piece, 1, len, f);
    }
}
