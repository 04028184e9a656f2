/*
 * fuzz_json: any bytes either parse into a tree whose every value has a known type (and whose
 * members all have names in objects) or are refused with a message; never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const sl_json_t *v, int in_object, int depth)
{
    for (; v != NULL; v = v->next) {
        if ((in_object && v->key == NULL) || (!in_object && v->key != NULL) ||
            v->type > SL_JSON_OBJECT || depth > SL_JSON_MAX_DEPTH)
            abort();
        if (v->type == SL_JSON_STRING && v->string == NULL)
            abort();
        walk(v->child, v->type == SL_JSON_OBJECT, depth + 1);
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
    walk(v, 0, 1);
    sl_json_free(v);
    return 0;
}
