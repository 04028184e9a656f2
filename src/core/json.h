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
#include <stdio.h>

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

/* One value: 16 bytes. An array's values and an object's (name, value) pairs sit side by side
 * in one vector (`items`), and the whole tree, its strings included, in a few large blocks
 * that sl_json_free releases together, so that a result file's millions of numbers cost
 * little more than the text they were read from. */
typedef struct sl_json {
    uint8_t type;   /* sl_json_type_t */
    uint8_t is_u64; /* SL_JSON_NUMBER written as a non-negative integer that fits 64 bits */
    uint32_t len;   /* bytes of a string (a \u0000 inside ends it early as a C string), or
                     * values of an array, or members of an object */
    union {
        double number;               /* SL_JSON_NUMBER when !is_u64 */
        uint64_t u64;                /* SL_JSON_NUMBER when is_u64: the exact value */
        const char *string;          /* SL_JSON_STRING: NUL-terminated */
        const struct sl_json *items; /* SL_JSON_ARRAY: len values; SL_JSON_OBJECT: 2 * len
                                      * values, each member's name (a string) then its value */
    };
} sl_json_t;

/** Parses text[0..len). Returns the root value (free with sl_json_free), or NULL with
 * "at byte N: what is wrong" in err. */
sl_json_t *sl_json_parse(const char *text, size_t len, char *err, size_t errlen);
/** Frees the whole tree of a root from sl_json_parse (NULL is fine). */
void sl_json_free(sl_json_t *root);
/** The first member named key of an object, or NULL (also when v is no object). */
const sl_json_t *sl_json_get(const sl_json_t *v, const char *key);
/** Value i of an array, or the value of member i of an object; NULL past the end or when v
 * is neither. */
const sl_json_t *sl_json_item(const sl_json_t *v, size_t i);
/** The name of member i of an object, or NULL. */
const char *sl_json_key(const sl_json_t *v, size_t i);
/** A number's value as a double (an exact integer rounded as strtod would). */
double sl_json_number(const sl_json_t *v);
/** Writes s as a JSON string literal (quotes included): '"', '\\' and control bytes escaped,
 * every other byte as it is. */
void sl_json_string(FILE *out, const char *s);
/** The type's name, for messages: "null", "a number", "an object"... */
const char *sl_json_type_name(sl_json_type_t t);

#endif
