/*
 * fuzz_json: any bytes either parse into a tree whose every value has a known type (and whose
 * members all have names in objects, each container's values all there) or are refused with
 * a message; never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const sl_json_t *v, int depth)
{
    if (v->type > SL_JSON_OBJECT || depth > SL_JSON_MAX_DEPTH)
        abort();
    if (v->type == SL_JSON_STRING && (v->string == NULL || strlen(v->string) > v->len))
        abort();
    if (v->type == SL_JSON_ARRAY || v->type == SL_JSON_OBJECT) {
        for (size_t i = 0; i < v->len; i++) {
            if ((v->type == SL_JSON_OBJECT) != (sl_json_key(v, i) != NULL))
                abort();
            walk(sl_json_item(v, i), depth + 1);
        }
        if (sl_json_item(v, v->len) != NULL)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    err[0] = '\0';
    sl_json_t *v = sl_json_parse((const char *)data, size, err, sizeof(err));
    if (v == NULL) {
        if (err[0] == '\0')
            abort();
        return 0;
    }
    walk(v, 1);
    sl_json_free(v);
    return 0;
}
