/*
 * tags: results per tag value. A request may carry free tags ({tags = {tier = "gold"}} in the
 * options request() returns); each distinct (name, value) pair gets what an operation gets
 * (core/opstats.h: counts keeping both equations, latency from due time and service time).
 * Bounded: at most SL_TAGS_MAX_PAIRS pairs and SL_TAGS_MAX_NAMES names keep their own results;
 * a further value of a kept name folds into (name, "(other)"), a further name into
 * ("(other)", "(other)"). A worker folds in the order it meets values; the parent and
 * `soapload merge` add the workers' (files') pairs by name and value, then fold again to the
 * same bounds, keeping the pairs with the most requests.
 */
#ifndef SOAPLOAD_TAGS_H
#define SOAPLOAD_TAGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/opstats.h"

#define SL_TAGS_MAX_PAIRS 64 /* (name, value) pairs with results of their own, per run */
#define SL_TAGS_MAX_NAMES 16 /* tag names with results of their own, per run */
#define SL_TAGS_MAX_TEXT 64  /* longest tag name or value, in bytes */
#define SL_TAGS_OTHER "(other)"

typedef struct {
    char name[SL_TAGS_MAX_TEXT + 1], value[SL_TAGS_MAX_TEXT + 1];
    int other;            /* the fold of values (or names) past the bounds */
    uint64_t hash;        /* of name and value, to find it fast */
    sl_op_stats_t *stats; /* one opstats entry (sl_opstats_new(1)) */
} sl_tag_t;

typedef struct {
    int n, cap;
    sl_tag_t *items;
    int pairs, names; /* what sl_tags_slot has kept so far */
    int overflow;     /* a sum of sl_tags_add passed 2^64 - 1 (sl_tags_check says so) */
} sl_tags_t;

/** Frees the entries (t itself is the caller's) and empties t. */
void sl_tags_free(sl_tags_t *t);
/** The index of the entry that counts a request tagged name=value: the pair's own, created if
 * the bounds allow, else its fold. Returns -1 when out of memory. Lengths must be at most
 * SL_TAGS_MAX_TEXT (longer ones are cut). */
int sl_tags_slot(sl_tags_t *t, const char *name, size_t nlen, const char *value, size_t vlen);
/** Adds src's counts and histograms into the entry (name, value, other), created whatever the
 * bounds (sl_tags_fold applies them). Returns its index, or -1 when out of memory. */
int sl_tags_add(sl_tags_t *t, const char *name, const char *value, int other,
                const sl_op_stats_t *src);
/** Applies the bounds to entries added from several sources: keeps the SL_TAGS_MAX_NAMES names
 * with the most requests, then the SL_TAGS_MAX_PAIRS pairs with the most requests (ties by
 * name, then value), folds the rest, and orders the entries by name, then value, each
 * name's "(other)" last. Returns 0, or -1 when out of memory (t is then unchanged). */
int sl_tags_fold(sl_tags_t *t);
/** Appends t to out: u32 n, then per entry name, value, other and its opstats encoding.
 * Returns 0, or -1 when out of memory. */
int sl_tags_encode(const sl_tags_t *t, sl_buf_t *out);
/** Adds an encoded message into t (sl_tags_add per entry). Returns 0, or -1 when it is
 * malformed or memory ran out. */
int sl_tags_decode_add(sl_tags_t *t, const uint8_t *p, size_t len);
/** Checks both equations of each entry. Returns 0, or -1 with the entry named in err. */
int sl_tags_check(const sl_tags_t *t, char *err, size_t errlen);

#endif
