/*
 * json: a small strict JSON reader (RFC 8259) for soapload's own result files: the text is
 * parsed whole into a tree of values, or refused with the byte offset of the first problem.
 * Strict: no comments, no trailing commas, no leading zeros, no bare control characters in
 * strings, valid UTF-8 escapes (surrogates paired), nothing after the value. Nesting is
 * bounded by SL_JSON_MAX_DEPTH so that a hostile file cannot exhaust the stack.
 */
#ifndef SOAPLOAD_JSON_H
#define SOAPLOAD_JSON_H

#include <stddef.h>
#include <stdint.h>

#define SL_JSON_MAX_DEPTH 64

typedef enum {
    SL_JSON_NULL,
    SL_JSON_FALSE,
    SL_JSON_TRUE,
    SL_JSON_NUMBER,
    SL_JSON_STRING,
    SL_JSON_ARRAY,
    SL_JSON_OBJECT
} sl_json_type_t;

typedef struct sl_json {
    sl_json_type_t type;
    double number; /* SL_JSON_NUMBER */
    uint64_t u64;  /* the exact value when is_u64 */
    int is_u64;    /* a number written as a non-negative integer that fits 64 bits */
    char *string;  /* SL_JSON_STRING: NUL-terminated (a \u0000 inside ends it early) */
    size_t len;    /* bytes of string, or members of an array or object */
    char *key;     /* the member's name when this value sits in an object, else NULL */
    struct sl_json *child, *next; /* first member of an array/object; next sibling */
} sl_json_t;

/** Parses text[0..len). Returns the root value (free with sl_json_free), or NULL with
 * "at byte N: what is wrong" in err. */
sl_json_t *sl_json_parse(const char *text, size_t len, char *err, size_t errlen);
/** Frees a tree from sl_json_parse (NULL is fine). */
void sl_json_free(sl_json_t *v);
/** The first member named key of an object, or NULL (also when v is no object). */
const sl_json_t *sl_json_get(const sl_json_t *v, const char *key);
/** The type's name, for messages: "null", "a number", "an object"... */
const char *sl_json_type_name(sl_json_type_t t);

#endif
