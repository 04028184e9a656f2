/*
 * fuzz_httphead: the request-head parser of soapload merge --listen never reads past what it
 * was given, and what it accepts is consistent: the head ends inside the bytes, the method and
 * path are kept whole, and the same head alone parses to the same length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/httphead.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    sl_httphead_t h, again;
    /* a copy of exactly `size` bytes: ASan sees any read past the end */
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    long end = sl_httphead_parse(buf, size, &h, err, sizeof(err));
    if (end > 0) {
        if ((size_t)end > size || (size_t)end > SL_HTTPHEAD_MAX || h.method[0] == '\0' ||
            h.path[0] != '/' || memchr(h.method, '\0', sizeof(h.method)) == NULL ||
            memchr(h.authorization, '\0', sizeof(h.authorization)) == NULL)
            abort();
        if (sl_httphead_parse(buf, (size_t)end, &again, err, sizeof(err)) != end ||
            memcmp(&h, &again, sizeof(h)) != 0)
            abort();
        if (h.authorization[0] != '\0' && !sl_httphead_bearer_is(&h, h.authorization + 7) &&
            strncmp(h.authorization, "Bearer ", 7) == 0)
            abort();
    } else if (end == 0 && size >= SL_HTTPHEAD_MAX) {
        abort(); /* a head that never ends is refused, not waited on */
    }
    free(buf);
    return 0;
}
