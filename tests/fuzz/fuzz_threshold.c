/*
 * fuzz_threshold: parsing any text either yields a threshold on a known metric or an error
 * message; never a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/threshold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_threshold_set_t set = {0};
    char err[512], *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    err[0] = '\0';
    if (sl_threshold_parse(&set, text, err, sizeof(err)) == 0) {
        if (set.n != 1 || set.items[0].metric[0] == '\0')
            abort();
    } else if (err[0] == '\0') {
        abort();
    }
    free(text);
    return 0;
}
