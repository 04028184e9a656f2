/*
 * fuzz_xmlesc: any bytes written as an attribute's value and as character data (core/xmlesc.c,
 * what the JUnit report's text goes through) make a well-formed element with no markup of
 * their own: the XML reader (core/xmltree.c) finds the one element, its one attribute, no
 * child; both read back with the input's length, every byte the input's own or a '?', and
 * nothing a strict reader refuses (no control byte, no byte that never starts UTF-8).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmlesc.h"
#include "core/xmltree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value read back has s's bytes, each one or a '?' in its place. */
static void same_or_replaced(const char *got, size_t got_len, const char *s)
{
    size_t n = strlen(s);
    if (got_len != n)
        abort();
    for (size_t i = 0; i < n; i++)
        if (got[i] != s[i] && got[i] != '?')
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), *doc = NULL, err[256];
    size_t len = 0;
    memcpy(s, data, size);
    s[size] = '\0'; /* C strings: a NUL ends the text, as it does in soapload */
    FILE *f = open_memstream(&doc, &len);
    fputs("<a v=\"", f);
    sl_xmlesc_write(f, s, 1);
    fputs("\">", f);
    sl_xmlesc_write(f, s, 0);
    fputs("</a>", f);
    fclose(f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)doc[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xc0 || c == 0xc1 ||
            c >= 0xf5)
            abort();
    }
    sl_xtree_t *t = sl_xtree_parse(doc, len, err, sizeof(err));
    if (t == NULL)
        abort();
    const sl_xnode_t *root = sl_xtree_root(t);
    if (strcmp(root->name, "a") != 0 || root->nattrs != 1 || root->first_child != NULL)
        abort();
    const char *v = sl_xnode_attr(root, "", "v");
    if (v == NULL)
        abort();
    same_or_replaced(v, strlen(v), s);
    same_or_replaced(root->text, root->text_len, s);
    sl_xtree_free(t);
    free(doc);
    free(s);
    return 0;
}
