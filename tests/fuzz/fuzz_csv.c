/*
 * fuzz_csv: the CSV parser never reads out of bounds, leaks or hangs, and what it accepts is
 * consistent: every record has ncols fields, the offsets rise, each field ends with a NUL
 * inside the block, and the header and separator choices do not change what is well-formed
 * beyond the header rule.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const sl_csv_t *t)
{
    size_t n = (t->nrows + (t->header ? 1 : 0)) * t->ncols;
    const char *end = (const char *)t + t->size;
    for (size_t k = 0; k < n; k++)
        if (t->off[k + 1] <= t->off[k] || t->data + t->off[k + 1] > end ||
            t->data[t->off[k + 1] - 1] != '\0')
            abort();
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            size_t len;
            const char *f = sl_csv_field(t, r, c, &len);
            if (f[len] != '\0')
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    /* the first byte picks the separator and the header option */
    char sep = size > 0 && (data[0] & 1) ? ';' : ',';
    int header = size > 0 && (data[0] & 2);
    const char *text = size > 0 ? (const char *)data + 1 : "";
    size_t len = size > 0 ? size - 1 : 0;
    sl_csv_opts_t o = {.separator = sep, .header = header};
    sl_csv_t *t = sl_csv_parse(text, len, &o, NULL, NULL, err, sizeof(err));
    o.header = !header;
    sl_csv_t *u = sl_csv_parse(text, len, &o, NULL, NULL, err, sizeof(err));
    if (t != NULL) {
        check(t);
        if (u == NULL && header) /* the same records without a header are fine too */
            abort();
    }
    if (u != NULL)
        check(u);
    sl_csv_free(t, NULL, NULL);
    sl_csv_free(u, NULL, NULL);
    return 0;
}
