/*
 * resultfield: the typed fields of a result file read back (schema soapload-results/1). Every
 * field the writer puts in a result is required with its type, so that a file that is not
 * ours, or was edited into something else, is refused by name rather than half-read: each
 * reader writes "where.key is missing" or "... is a string, not a number" into err. Counts
 * objects and histograms are read as output/results.c writes them.
 */
#ifndef SOAPLOAD_RESULTFIELD_H
#define SOAPLOAD_RESULTFIELD_H

#include <stddef.h>
#include <stdint.h>

#include "core/counts.h"
#include "core/hist.h"
#include "core/json.h"

/** obj's member key if it has the type (SL_JSON_TRUE: true or false), else NULL with
 * "where.key is missing" or "... is X, not Y" in err. The value belongs to obj's tree. */
const sl_json_t *sl_resultfield_get(const sl_json_t *obj, const char *key, sl_json_type_t type,
                                    const char *where, char *err, size_t errlen);
/** A count (a non-negative integer of 64 bits) into *out. Returns 0, or -1 with err. */
int sl_resultfield_u64(const sl_json_t *obj, const char *key, const char *where, uint64_t *out,
                       char *err, size_t errlen);
/** A count up to INT32_MAX into *out. Returns 0, or -1 with err. */
int sl_resultfield_int(const sl_json_t *obj, const char *key, const char *where, int *out,
                       char *err, size_t errlen);
/** A length of time in seconds, 0 to 1e9 (about 31 years, as a run's duration), into *out.
 * Returns 0, or -1 with err. */
int sl_resultfield_seconds(const sl_json_t *obj, const char *key, const char *where, double *out,
                           char *err, size_t errlen);
/** A time in microseconds since 1970, up to the year 5000 (1e17: a double holds it exactly),
 * into *out. Returns 0, or -1 with err. */
int sl_resultfield_time_us(const sl_json_t *obj, const char *key, const char *where, int64_t *out,
                           char *err, size_t errlen);
/** A finite number >= 0 into *out. Returns 0, or -1 with err. */
int sl_resultfield_double(const sl_json_t *obj, const char *key, const char *where, double *out,
                          char *err, size_t errlen);
/** true or false into *out (1 or 0). Returns 0, or -1 with err. */
int sl_resultfield_bool(const sl_json_t *obj, const char *key, const char *where, int *out,
                        char *err, size_t errlen);
/** A string (owned by obj's tree), or NULL with err. */
const char *sl_resultfield_string(const sl_json_t *obj, const char *key, const char *where,
                                  char *err, size_t errlen);
/** The sl_result_t of a result's name ("ok", "timeout"...), or -1. */
int sl_resultfield_result(const char *name);
/** A counts object (NULL: the caller's lookup failed, err already says why) into *c: its counts,
 * results and before_send by kind ("ok" and "failed" are derived and not read). Returns 0, or
 * -1 with err (a kind soapload does not know, failed_before_send not their sum...). */
int sl_resultfield_counts(const sl_json_t *obj, const char *where, sl_counts_t *c, char *err,
                          size_t errlen);
/** Histogram lat.key into hist (reset first): the layout must be ours, the [index, count] pairs
 * must add up to its count, min and max fall in its first and last buckets. Returns 0, or -1
 * with err. */
int sl_resultfield_hist_into(const sl_json_t *lat, const char *key, sl_hist_t *hist, char *err,
                             size_t errlen);
/** Histogram obj.key (an object of the same form anywhere in a result) into hist (reset first),
 * named "where.key" in err. Returns 0, or -1 with err. */
int sl_resultfield_hist_in(const sl_json_t *obj, const char *key, const char *where,
                           sl_hist_t *hist, char *err, size_t errlen);
/** The same into a histogram of its own (the caller frees it), or NULL with err. */
sl_hist_t *sl_resultfield_hist(const sl_json_t *lat, const char *key, char *err, size_t errlen);

#endif
