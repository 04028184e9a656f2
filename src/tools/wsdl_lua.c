/*
 * wsdl_lua: Lua string literals, comment text and XML names from WSDL bytes. A quoted string
 * with escapes is used rather than a long bracket: no bracket level has to be proven longer
 * than the runs in the data, and '\r' reads back as itself.
 */
#include "tools/wsdl_lua.h"

#include <stdio.h>
#include <string.h>

static void (*observer)(void *ud, const char *s, size_t n);
static void *observer_ud;
static int observer_neutral;

void sl_wsdl_lua_observe(void (*seen)(void *ud, const char *s, size_t n), void *ud, int neutral)
{
    observer = seen;
    observer_ud = ud;
    observer_neutral = seen != NULL && neutral;
}

static int is_space(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

void sl_wsdl_lua_string(sl_buf_t *b, const char *s, size_t n, const char *wrap)
{
    if (observer != NULL)
        observer(observer_ud, s, n);
    if (observer_neutral)
        n = 0;
    sl_buf_append(b, "\"", 1);
    int line_start = 0; /* after a `\z` break: a leading space would be skipped by Lua */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            sl_buf_append(b, esc, 2);
        } else if (ch < 0x20 || ch == 0x7f || (line_start && is_space(ch))) {
            snprintf(esc, sizeof(esc), "\\%03u", ch);
            sl_buf_append(b, esc, 4);
        } else {
            sl_buf_append(b, &s[i], 1);
        }
        line_start = 0;
        if (ch == '\n' && wrap != NULL && i + 1 < n) {
            sl_buf_append(b, "\\z\n", 3);
            sl_buf_append(b, wrap, strlen(wrap));
            line_start = 1;
        }
    }
    sl_buf_append(b, "\"", 1);
}

void sl_wsdl_lua_comment(sl_buf_t *b, const char *s)
{
    if (observer_neutral)
        s = "-";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        sl_buf_append(b, ch < 0x20 || ch == 0x7f ? " " : s, 1);
    }
}

void sl_wsdl_lua_xml_name(sl_buf_t *b, const char *s)
{
    if (*s == '\0')
        sl_buf_append(b, "_", 1);
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        int ok = ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
                 (p > s && ((ch >= '0' && ch <= '9') || ch == '-' || ch == '.'));
        sl_buf_append(b, ok ? p : "_", 1);
    }
}
