/*
 * fuzz_html: any bytes as a string in a results document (a server's body, a script's reason),
 * written by the results' JSON writer and embedded in the HTML report's <script> block: the
 * block holds no '<', '>', '&', U+2028 or U+2029, and reads back, with the results' JSON
 * reader, as the very document that was embedded (the same string, or refused alike).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "output/html.h"

/* The report's template as far as the embedding sees it: the marker inside a script block. */
const char sl_report_html[] = "<script type=\"application/json\">/*SOAPLOAD_DATA*/</script>";
const size_t sl_report_html_len = sizeof(sl_report_html) - 1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *write_doc(const char *s, size_t *len)
{
    char *doc = NULL;
    FILE *f = open_memstream(&doc, len);
    fputs("{\"body\": ", f);
    sl_json_string(f, s);
    fputs("}", f);
    fclose(f);
    return doc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), *doc, *page = NULL, err[256];
    size_t len, page_len = 0;
    memcpy(s, data, size);
    s[size] = '\0'; /* C strings: a NUL ends the value, as it does in soapload */
    doc = write_doc(s, &len);
    FILE *f = open_memstream(&page, &page_len);
    if (sl_html_write(f, doc, len) != 0)
        abort();
    fclose(f);
    size_t head = (size_t)(strstr(sl_report_html, "/*SOAPLOAD_DATA*/") - sl_report_html);
    const char *open = page + head, *close = page + page_len - strlen("</script>");
    if (page_len < head + strlen("</script>") || strstr(open, "</script>") != close)
        abort(); /* the block ends where the template ends it, and only there */
    size_t n = (size_t)(close - open);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)open[i];
        if (c == '<' || c == '>' || c == '&')
            abort();
        if (c == 0xe2 && i + 2 < n && (unsigned char)open[i + 1] == 0x80 &&
            ((unsigned char)open[i + 2] == 0xa8 || (unsigned char)open[i + 2] == 0xa9))
            abort();
    }
    sl_json_t *want = sl_json_parse(doc, len, err, sizeof(err));
    sl_json_t *got = sl_json_parse(open, n, err, sizeof(err));
    if ((want == NULL) != (got == NULL))
        abort();
    if (got != NULL) {
        const sl_json_t *a = sl_json_get(want, "body"), *b = sl_json_get(got, "body");
        if (a == NULL || b == NULL || a->len != b->len || memcmp(a->string, b->string, a->len) != 0)
            abort();
        if (a->len != strlen(s) || memcmp(a->string, s, a->len) != 0)
            abort(); /* the writer's string reads back as written */
    }
    sl_json_free(want);
    sl_json_free(got);
    free(page);
    free(doc);
    free(s);
    return 0;
}
