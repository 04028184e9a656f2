/*
 * fuzz_xml: the scanner never reads out of bounds or hangs, and escaping round-trips:
 * <r>escape(data)</r> scans back to data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char id[32];
    sl_xml_scan_t s = {.want = {"RequestId", 9}, .id = id, .id_cap = sizeof(id)};
    if (sl_xml_scan((const char *)data, size, &s) == 0 && (s.flags & SL_XML_ID_FOUND) &&
        !(s.flags & SL_XML_ID_TOO_LONG) && (s.id_len >= sizeof(id) || id[s.id_len] != '\0'))
        abort();

    /* round trip: only for text a document can hold (no '<' or '&' raw, no NUL, no edges of
     * white space, which the scanner trims) */
    if (size == 0 || size > 1024 || memchr(data, 0, size))
        return 0;
    if (strchr(" \t\r\n", data[0]) || strchr(" \t\r\n", data[size - 1]))
        return 0;
    size_t esc = sl_xml_escaped_len((const char *)data, size);
    char *doc = malloc(esc + 32), *back = malloc(size + 1);
    memcpy(doc, "<r><RequestId>", 14);
    sl_xml_escape((const char *)data, size, doc + 14);
    memcpy(doc + 14 + esc, "</RequestId></r>", 16);
    sl_xml_scan_t r = {.want = {"RequestId", 9}, .id = back, .id_cap = size + 1};
    if (sl_xml_scan(doc, esc + 30, &r) != 0 || r.id_len != size || memcmp(back, data, size) != 0)
        abort();
    free(doc);
    free(back);
    return 0;
}
