/*
 * resultfield: the typed fields of a result file read back (see resultfield.h).
 */
#include "output/resultfield.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const sl_json_t *sl_resultfield_get(const sl_json_t *obj, const char *key, sl_json_type_t type,
                                    const char *where, char *err, size_t errlen)
{
    const sl_json_t *v = sl_json_get(obj, key);
    int ok = v != NULL && (v->type == type || (type == SL_JSON_TRUE && v->type == SL_JSON_FALSE));
    if (!ok) {
        const char *want = type == SL_JSON_TRUE ? "true or false" : sl_json_type_name(type);
        if (v == NULL)
            snprintf(err, errlen, "%s%s%s is missing", where, *where ? "." : "", key);
        else
            snprintf(err, errlen, "%s%s%s is %s, not %s", where, *where ? "." : "", key,
                     sl_json_type_name(v->type), want);
        return NULL;
    }
    return v;
}

int sl_resultfield_u64(const sl_json_t *obj, const char *key, const char *where, uint64_t *out,
                       char *err, size_t errlen)
{
    const sl_json_t *v = sl_resultfield_get(obj, key, SL_JSON_NUMBER, where, err, errlen);
    if (v == NULL)
        return -1;
    if (!v->is_u64) {
        snprintf(err, errlen, "%s.%s is %g, not a count (a non-negative integer)", where, key,
                 sl_json_number(v));
        return -1;
    }
    *out = v->u64;
    return 0;
}

int sl_resultfield_int(const sl_json_t *obj, const char *key, const char *where, int *out,
                       char *err, size_t errlen)
{
    uint64_t u;
    if (sl_resultfield_u64(obj, key, where, &u, err, errlen) != 0)
        return -1;
    if (u > INT32_MAX) {
        snprintf(err, errlen, "%s.%s is too large: %llu", where, key, (unsigned long long)u);
        return -1;
    }
    *out = (int)u;
    return 0;
}

int sl_resultfield_double(const sl_json_t *obj, const char *key, const char *where, double *out,
                          char *err, size_t errlen)
{
    const sl_json_t *v = sl_resultfield_get(obj, key, SL_JSON_NUMBER, where, err, errlen);
    if (v == NULL)
        return -1;
    if (!isfinite(sl_json_number(v)) || sl_json_number(v) < 0) {
        snprintf(err, errlen, "%s.%s is %g: it wants a finite number >= 0", where, key,
                 sl_json_number(v));
        return -1;
    }
    *out = sl_json_number(v);
    return 0;
}

int sl_resultfield_seconds(const sl_json_t *obj, const char *key, const char *where, double *out,
                           char *err, size_t errlen)
{
    if (sl_resultfield_double(obj, key, where, out, err, errlen) != 0)
        return -1;
    if (*out > 1e9) { /* a bound, so that the timeline's sums in microseconds cannot overflow */
        snprintf(err, errlen, "%s%s%s is %g: not a run's length in seconds (at most 1e9)", where,
                 *where ? "." : "", key, *out);
        return -1;
    }
    return 0;
}

int sl_resultfield_time_us(const sl_json_t *obj, const char *key, const char *where, int64_t *out,
                           char *err, size_t errlen)
{
    const sl_json_t *v = sl_resultfield_get(obj, key, SL_JSON_NUMBER, where, err, errlen);
    if (v == NULL)
        return -1;
    if (!(sl_json_number(v) >= 0 && sl_json_number(v) < 1e17)) {
        snprintf(err, errlen, "%s%s%s is %g: not a time in microseconds", where, *where ? "." : "",
                 key, sl_json_number(v));
        return -1;
    }
    *out = (int64_t)sl_json_number(v);
    return 0;
}

int sl_resultfield_bool(const sl_json_t *obj, const char *key, const char *where, int *out,
                        char *err, size_t errlen)
{
    const sl_json_t *v = sl_resultfield_get(obj, key, SL_JSON_TRUE, where, err, errlen);
    if (v == NULL)
        return -1;
    *out = v->type == SL_JSON_TRUE;
    return 0;
}

const char *sl_resultfield_string(const sl_json_t *obj, const char *key, const char *where,
                                  char *err, size_t errlen)
{
    const sl_json_t *v = sl_resultfield_get(obj, key, SL_JSON_STRING, where, err, errlen);
    return v != NULL ? v->string : NULL;
}

int sl_resultfield_result(const char *name)
{
    for (int r = 0; r < SL_R_COUNT; r++)
        if (strcmp(sl_result_name((sl_result_t)r), name) == 0)
            return r;
    return -1;
}

/* "before_send" by kind, its sum "failed_before_send", and "resends_refused" (all three
 * absent from files written before soapload counted them: 0). */
static int read_before_send(const sl_json_t *obj, const char *where, sl_counts_t *c, char *err,
                            size_t errlen)
{
    const sl_json_t *bs = sl_json_get(obj, "before_send");
    char sub[128];
    uint64_t sum = 0, total;
    if (sl_json_get(obj, "resends_refused") != NULL &&
        sl_resultfield_u64(obj, "resends_refused", where, &c->retried, err, errlen) != 0)
        return -1;
    if (bs == NULL)
        return 0;
    if ((bs = sl_resultfield_get(obj, "before_send", SL_JSON_OBJECT, where, err, errlen)) == NULL ||
        sl_resultfield_u64(obj, "failed_before_send", where, &total, err, errlen) != 0)
        return -1;
    snprintf(sub, sizeof(sub), "%s.before_send", where);
    for (size_t i = 0; i < bs->len; i++)
        if (sl_resultfield_result(sl_json_key(bs, i)) < 0) {
            snprintf(err, errlen, "%s has an unknown result \"%s\"", sub, sl_json_key(bs, i));
            return -1;
        }
    for (int r = 0; r < SL_R_COUNT; r++) {
        uint64_t *v = &c->before_send[r];
        if (sl_json_get(bs, sl_result_name((sl_result_t)r)) != NULL &&
            sl_resultfield_u64(bs, sl_result_name((sl_result_t)r), sub, v, err, errlen) != 0)
            return -1;
        if (sum + *v < sum) {
            snprintf(err, errlen, "%s: the counts overflow 64 bits", sub);
            return -1;
        }
        sum += *v;
    }
    if (sum != total) {
        snprintf(err, errlen, "%s.failed_before_send is %llu, but its kinds add up to %llu", where,
                 (unsigned long long)total, (unsigned long long)sum);
        return -1;
    }
    return 0;
}

/* A counts object as counts_json writes it; "ok" and "failed" are derived and not read. */
int sl_resultfield_counts(const sl_json_t *obj, const char *where, sl_counts_t *c, char *err,
                          size_t errlen)
{
    char sub[128];
    memset(c, 0, sizeof(*c));
    if (obj == NULL ||
        sl_resultfield_u64(obj, "scheduled", where, &c->scheduled, err, errlen) != 0 ||
        sl_resultfield_u64(obj, "sent", where, &c->sent, err, errlen) != 0 ||
        sl_resultfield_u64(obj, "not_sent", where, &c->not_sent, err, errlen) != 0 ||
        sl_resultfield_u64(obj, "script_errors_before_send", where, &c->script_errors_before_send,
                           err, errlen) != 0 ||
        sl_resultfield_u64(obj, "bytes_sent", where, &c->bytes_sent, err, errlen) != 0 ||
        sl_resultfield_u64(obj, "bytes_received", where, &c->bytes_received, err, errlen) != 0)
        return -1;
    const sl_json_t *res = sl_resultfield_get(obj, "results", SL_JSON_OBJECT, where, err, errlen);
    if (res == NULL)
        return -1;
    snprintf(sub, sizeof(sub), "%s.results", where);
    for (size_t i = 0; i < res->len; i++)
        if (sl_resultfield_result(sl_json_key(res, i)) < 0) {
            snprintf(err, errlen, "%s has an unknown result \"%s\"", sub, sl_json_key(res, i));
            return -1;
        }
    for (int r = 0; r < SL_R_COUNT; r++)
        if (((r != SL_R_EXPECTED_FAULT && r != SL_R_SIGNATURE && r != SL_R_SCHEMA) ||
             sl_json_get(res, sl_result_name((sl_result_t)r)) != NULL) &&
            sl_resultfield_u64(res, sl_result_name((sl_result_t)r), sub, &c->results[r], err,
                               errlen) != 0)
            return -1; /* expected_fault, signature, schema: 0 in files written before them */
    return read_before_send(obj, where, c, err, errlen);
}

/* A histogram as hist_json writes it: the layout must be ours, the [index, count] pairs must
 * add up to the count, and min and max must fall in the first and last buckets. */
/* Histogram obj.key into hist, named "within.key" in messages. */
static int hist_at(const sl_json_t *obj, const char *key, const char *within, sl_hist_t *hist,
                   char *err, size_t errlen)
{
    char where[128];
    uint64_t total, min, max, clamped;
    int bits, buckets;
    snprintf(where, sizeof(where), "%s.%s", within, key);
    const sl_json_t *o = sl_resultfield_get(obj, key, SL_JSON_OBJECT, within, err, errlen), *h;
    sl_hist_reset(hist);
    if (o == NULL || sl_resultfield_u64(o, "count", where, &total, err, errlen) != 0 ||
        sl_resultfield_u64(o, "min", where, &min, err, errlen) != 0 ||
        sl_resultfield_u64(o, "max", where, &max, err, errlen) != 0 ||
        (h = sl_resultfield_get(o, "histogram", SL_JSON_OBJECT, where, err, errlen)) == NULL)
        goto Error;
    snprintf(where + strlen(where), sizeof(where) - strlen(where), ".histogram");
    const char *unit = sl_resultfield_string(h, "unit", where, err, errlen);
    if (unit == NULL || sl_resultfield_int(h, "sub_bucket_bits", where, &bits, err, errlen) != 0 ||
        sl_resultfield_int(h, "buckets", where, &buckets, err, errlen) != 0 ||
        sl_resultfield_u64(h, "clamped", where, &clamped, err, errlen) != 0)
        goto Error;
    if (strcmp(unit, "us") != 0 || bits != SL_HIST_SUB_BITS || buckets != SL_HIST_BUCKETS) {
        snprintf(err, errlen,
                 "%s has the layout unit %s, sub_bucket_bits %d, buckets %d; this soapload "
                 "merges only us, %d, %d",
                 where, unit, bits, buckets, SL_HIST_SUB_BITS, SL_HIST_BUCKETS);
        goto Error;
    }
    const sl_json_t *pairs = sl_resultfield_get(h, "counts", SL_JSON_ARRAY, where, err, errlen);
    if (pairs == NULL)
        goto Error;
    uint64_t sum = 0;
    for (size_t k = 0; k < pairs->len; k++) {
        const sl_json_t *p = sl_json_item(pairs, k), *i = sl_json_item(p, 0),
                        *c = sl_json_item(p, 1);
        if (p->type != SL_JSON_ARRAY || p->len != 2 || i->type != SL_JSON_NUMBER || !i->is_u64 ||
            c->type != SL_JSON_NUMBER || !c->is_u64 || i->u64 >= SL_HIST_LEN || c->u64 == 0 ||
            sum + c->u64 < sum) {
            snprintf(err, errlen,
                     "%s.counts holds something other than [index, count] pairs with an index "
                     "below %d and a count above 0",
                     where, SL_HIST_LEN);
            goto Error;
        }
        uint32_t idx = (uint32_t)i->u64;
        hist->counts[idx] += c->u64;
        sum += c->u64;
        if (idx < hist->lo)
            hist->lo = idx;
        if (idx > hist->hi)
            hist->hi = idx;
    }
    if (sum != total || clamped > total ||
        (total > 0 && (min > max || max > SL_HIST_MAX_US || sl_hist_index(min) != hist->lo ||
                       sl_hist_index(max) != hist->hi))) {
        snprintf(err, errlen,
                 "%s: the buckets (%llu values from %llu to %llu us) disagree with count %llu, "
                 "min %llu, max %llu",
                 where, (unsigned long long)sum,
                 (unsigned long long)(sum ? sl_hist_value_at(hist->lo) : 0),
                 (unsigned long long)(sum ? sl_hist_highest_equivalent(hist->hi) : 0),
                 (unsigned long long)total, (unsigned long long)min, (unsigned long long)max);
        goto Error;
    }
    hist->total = total;
    hist->clamped = clamped;
    if (total > 0) {
        hist->min = min;
        hist->max = max;
    }
    return 0;
Error:
    return -1;
}

int sl_resultfield_hist_into(const sl_json_t *lat, const char *key, sl_hist_t *hist, char *err,
                             size_t errlen)
{
    return hist_at(lat, key, "latency", hist, err, errlen);
}

int sl_resultfield_hist_in(const sl_json_t *obj, const char *key, const char *where,
                           sl_hist_t *hist, char *err, size_t errlen)
{
    return hist_at(obj, key, where, hist, err, errlen);
}

/* The same into a histogram of its own (free it), or NULL. */
sl_hist_t *sl_resultfield_hist(const sl_json_t *lat, const char *key, char *err, size_t errlen)
{
    sl_hist_t *hist = calloc(1, sizeof(*hist));
    if (hist == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (sl_resultfield_hist_into(lat, key, hist, err, errlen) != 0) {
        free(hist);
        return NULL;
    }
    return hist;
}
