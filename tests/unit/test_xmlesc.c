/*
 * test_xmlesc: text escaped for XML: markup and quotes as entities, tab and line ends as
 * character references in attributes only, each byte that starts no valid UTF-8 sequence of an
 * XML 1.0 character (a control byte, a stray continuation, an overlong form, a surrogate,
 * U+FFFF, past U+10FFFF) as one '?', valid characters of 2 to 4 bytes as they are.
 */
#include <stdlib.h>

#include "core/xmlesc.h"
#include "unit.h"

/* s escaped; the caller frees it. */
static char *escaped(const char *s, int attr)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sl_xmlesc_write(f, s, attr);
    fclose(f);
    return text;
}

int main(void)
{
    static const struct {
        const char *in, *text, *attr;
    } cases[] = {
        {"p99 < 50ms", "p99 &lt; 50ms", "p99 &lt; 50ms"},
        {"a&b>c\"d'e", "a&amp;b&gt;c&quot;d&apos;e", "a&amp;b&gt;c&quot;d&apos;e"},
        {"l1\nl2\tx\r", "l1\nl2\tx\r", "l1&#10;l2&#9;x&#13;"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
         "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        {"\x01x\x1f", "?x?", "?x?"},          /* control bytes */
        {"\x80\xbf", "??", "??"},             /* continuation bytes alone */
        {"\xc0\xaf", "??", "??"},             /* an overlong '/' */
        {"\xed\xa0\x80", "???", "???"},       /* a surrogate */
        {"\xef\xbf\xbf", "???", "???"},       /* U+FFFF */
        {"\xf4\x90\x80\x80", "????", "????"}, /* past U+10FFFF */
        {"\xe2\x82", "??", "??"},             /* cut short by the end */
        {"\xc3\xa9\xff\xc3\xa9", "\xc3\xa9?\xc3\xa9", "\xc3\xa9?\xc3\xa9"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *t = escaped(cases[i].in, 0), *a = escaped(cases[i].in, 1);
        CHECK_STR(t, cases[i].text);
        CHECK_STR(a, cases[i].attr);
        free(t);
        free(a);
    }
    CHECK_EQ_U(sl_xmlesc_char((const unsigned char *)"\xf0\x9f\x98\x80"), 4);
    CHECK_EQ_U(sl_xmlesc_char((const unsigned char *)"\xe0\x9f\x80"), 0); /* overlong */
    return check_report();
}
