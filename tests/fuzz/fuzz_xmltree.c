/*
 * fuzz_xmltree: the tree parser and the Fault reader never read out of bounds, leak or hang,
 * and the tree agrees with the scanner on what is well-formed (the tree is stricter only
 * about namespaces and duplicate attributes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fault.h"
#include "core/xml.h"
#include "core/xmltree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[128];
    sl_fault_t f;
    sl_xtree_t *t = sl_xtree_parse((const char *)data, size, err, sizeof(err));
    sl_xml_scan_t s = {0};
    int scanned = sl_xml_scan((const char *)data, size, &s) == 0;
    if (t != NULL) {
        if (!scanned && !(s.flags & SL_XML_MALFORMED && strstr(s.error, "deeply")))
            abort(); /* the tree accepted what the scanner refused */
        const sl_xnode_t *root = sl_xtree_root(t);
        for (const sl_xnode_t *n = root; n != NULL; n = sl_xnode_next_match(root, n, NULL, NULL))
            if (strlen(n->text) != n->text_len && memchr(n->text, 0, n->text_len) == NULL)
                abort();
        sl_xtree_free(t);
    }
    sl_fault_parse((const char *)data, size, &f);
    return 0;
}
