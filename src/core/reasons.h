/*
 * reasons: why requests failed, in words: the reason response() returned, a SOAP Fault's code
 * and string, an HTTP status, libcurl's message. A bounded table of (kind, text, count): the
 * first SL_REASONS_MAX distinct reasons are kept, the failures of any later one are counted
 * together as "other reasons". Fixed size and flat, so that a worker can send it whole.
 */
#ifndef SOAPLOAD_REASONS_H
#define SOAPLOAD_REASONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/counts.h"

#define SL_REASONS_MAX 32   /* distinct reasons kept per worker and per run */
#define SL_REASON_TEXT 120  /* bytes of a reason kept, with its NUL */
#define SL_REASONS_SHOWN 10 /* the summary's share; JSON and HTML list every one kept */

typedef struct {
    uint64_t count;
    uint32_t kind; /* sl_result_t */
    char text[SL_REASON_TEXT];
} sl_reason_t;

typedef struct {
    sl_reason_t items[SL_REASONS_MAX];
    uint32_t n;
    uint64_t other; /* failures whose reason came after the table was full */
} sl_reasons_t;

/** Counts `count` failures of `kind` with reason text (cut to SL_REASON_TEXT - 1 bytes at a
 * UTF-8 boundary, control characters made spaces, spaces at the ends trimmed; empty: "(none
 * given)"). A reason of a new (kind, text) when the table is full goes to `other`. */
void sl_reasons_add(sl_reasons_t *r, sl_result_t kind, const char *text, uint64_t count);
/** Adds every reason of src into dst. */
void sl_reasons_merge(sl_reasons_t *dst, const sl_reasons_t *src);
/** Adds a table received as bytes (a worker's message) into dst after checking it: returns 0,
 * or -1 when len or the content does not fit (dst unchanged). */
int sl_reasons_merge_bytes(sl_reasons_t *dst, const void *bytes, size_t len);
/** Points out[0..] at the reasons, most frequent first (ties: first seen first). Returns how
 * many (at most max). */
int sl_reasons_sorted(const sl_reasons_t *r, const sl_reason_t **out, int max);
/** The reason of a SOAP Fault body: "CODE: STRING" from faultcode/faultstring (SOAP 1.1) or
 * Code/Value and Reason/Text (SOAP 1.2), whichever it holds; "SOAP Fault" when neither. */
void sl_reasons_fault_text(const char *body, size_t len, char *out, size_t cap);
/** Failures counted in r (the kept ones and the other reasons). */
uint64_t sl_reasons_total(const sl_reasons_t *r);

#endif
