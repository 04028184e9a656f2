/*
 * reasons: why requests failed, in words, per operation: the reason response() returned, a
 * SOAP Fault's code and string, an HTTP status, libcurl's message. A bounded table of
 * (operation, kind, text, count), each entry with a sample: the first response body (or
 * libcurl's message) seen for it, cut to SL_REASON_SAMPLE bytes. The first SL_REASONS_MAX
 * distinct (operation, kind, text) are kept; the failures of any later one are counted as
 * "other reasons" of their operation and kind, so that per operation and per kind the counts
 * still add up to the failures. Fixed size and flat, so that a worker can send it whole, once.
 */
#ifndef SOAPLOAD_REASONS_H
#define SOAPLOAD_REASONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/counts.h"
#include "core/mix.h"

#define SL_REASONS_MAX 32     /* distinct (operation, kind, reason) kept per worker and per run */
#define SL_REASON_TEXT 120    /* bytes of a reason kept, with its NUL */
#define SL_REASONS_SHOWN 10   /* the summary's share; JSON and HTML list every one kept */
#define SL_REASON_SAMPLE 2048 /* bytes of a sample body kept, without its NUL */

/* The first response (or transport message) of a reason. */
typedef struct {
    int32_t status; /* its HTTP status; 0: no response (the body is libcurl's message) */
    uint32_t len;   /* bytes kept in body (at most SL_REASON_SAMPLE) */
    uint64_t bytes; /* bytes the body had in all: more than len when cut */
    char body[SL_REASON_SAMPLE + 1]; /* valid UTF-8 without NUL bytes, NUL-terminated */
} sl_reason_sample_t;

typedef struct {
    uint64_t count;
    uint32_t kind; /* sl_result_t */
    int32_t op;    /* the operation (soapload.operations index), -1 without operations */
    int has_sample;
    char text[SL_REASON_TEXT];
    sl_reason_sample_t sample;
} sl_reason_t;

typedef struct {
    sl_reason_t items[SL_REASONS_MAX];
    uint32_t n;
    uint64_t other; /* failures whose reason came after the table was full: other_by summed */
    uint64_t other_by[SL_MAX_OPERATIONS + 1][SL_R_COUNT]; /* [op + 1][kind] */
} sl_reasons_t;

/** Counts `count` failures of `kind` of operation `op` (-1: none) with reason text (cut to
 * SL_REASON_TEXT - 1 bytes at a UTF-8 boundary, control characters made spaces, spaces at the
 * ends trimmed; empty: "(none given)"). A new (op, kind, text) when the table is full goes to
 * `other`. Returns the entry, or NULL when it went to `other` (or op is out of range). */
sl_reason_t *sl_reasons_add_op(sl_reasons_t *r, int op, sl_result_t kind, const char *text,
                               uint64_t count);
/** sl_reasons_add_op without an operation. */
void sl_reasons_add(sl_reasons_t *r, sl_result_t kind, const char *text, uint64_t count);
/** Gives e its sample, unless it has one: the first SL_REASON_SAMPLE bytes of body (cut at a
 * UTF-8 boundary; NUL bytes and invalid UTF-8 made '?'), `bytes` in all (0: len), its status
 * (0: body is a transport message). */
void sl_reasons_sample(sl_reason_t *e, long status, const char *body, size_t len, uint64_t bytes);
/** Adds every reason of src into dst; an entry new to dst brings its sample. opmap (NULL: the
 * same numbering) maps src's operation indices to dst's. */
void sl_reasons_merge_map(sl_reasons_t *dst, const sl_reasons_t *src, const int *opmap);
/** Adds every reason of src into dst, the operations numbered alike. */
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
/** Failures of operation op (-1: none; -2: any) and kind counted in r, other reasons included. */
uint64_t sl_reasons_count(const sl_reasons_t *r, int op, sl_result_t kind);

#endif
