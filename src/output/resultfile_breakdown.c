/*
 * resultfile_breakdown: a result file's figures broken down read back: by operation (with
 * their latency over time), by tag value and by failure reason, and the cost of --validate.
 */
#include "output/resultfile_breakdown.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/opseries.h"
#include "output/resultfield.h"

/* "operations" (absent in files written before operations existed: none). */
int sl_resultfile_read_operations(const sl_json_t *doc, sl_resultfile_t *r, char *err,
                                  size_t errlen)
{
    const sl_json_t *ops = sl_json_get(doc, "operations");
    sl_run_t *run = &r->run;
    char where[64];
    int i = 0;
    if (ops == NULL)
        return 0;
    if (ops->type != SL_JSON_ARRAY) {
        snprintf(err, errlen, "operations is %s, not an array", sl_json_type_name(ops->type));
        return -1;
    }
    if (ops->len > SL_MAX_OPERATIONS) {
        snprintf(err, errlen, "operations lists %u, more than %d", (unsigned)ops->len,
                 SL_MAX_OPERATIONS);
        return -1;
    }
    if (ops->len == 0)
        return 0;
    if ((run->ops = calloc(ops->len, sizeof(*run->ops))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (const sl_json_t *o; (o = sl_json_item(ops, (size_t)i)) != NULL; i++) {
        const char *name;
        double weight;
        const sl_json_t *lat;
        snprintf(where, sizeof(where), "operations[%d]", i);
        if (o->type != SL_JSON_OBJECT) {
            snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(o->type));
            return -1;
        }
        if ((name = sl_resultfield_string(o, "name", where, err, errlen)) == NULL ||
            sl_resultfield_double(o, "weight", where, &weight, err, errlen) != 0)
            return -1;
        if (sl_config_add_operation(&r->cfg, name, weight, err, errlen) != 0)
            return -1;
        run->nops = i + 1;
        sl_op_stats_t *st = &run->ops[i];
        char sub[96];
        snprintf(sub, sizeof(sub), "%s.counts", where);
        if (sl_resultfield_counts(
                sl_resultfield_get(o, "counts", SL_JSON_OBJECT, where, err, errlen), sub,
                &st->counts, err, errlen) != 0 ||
            (lat = sl_resultfield_get(o, "latency", SL_JSON_OBJECT, where, err, errlen)) == NULL ||
            (st->from_due = sl_resultfield_hist(lat, "from_due", err, errlen)) == NULL ||
            (st->service = sl_resultfield_hist(lat, "service", err, errlen)) == NULL)
            return -1;
    }
    return 0;
}

/* "op_intervals" (absent in files written before it: no series) into the file's own
 * operation numbering and slot width. */
int sl_resultfile_read_opseries(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen)
{
    const sl_json_t *oi = sl_json_get(doc, "op_intervals"), *ops;
    sl_opseries_t *s = &r->run.series;
    uint64_t slot_s;
    const char *layout;
    int i = 0;
    if (oi == NULL || r->run.nops == 0)
        return 0;
    if (oi->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "op_intervals is %s, not an object", sl_json_type_name(oi->type));
        return -1;
    }
    if (sl_resultfield_u64(oi, "slot_s", "op_intervals", &slot_s, err, errlen) != 0 ||
        (layout = sl_resultfield_string(oi, "layout", "op_intervals", err, errlen)) == NULL ||
        (ops = sl_resultfield_get(oi, "operations", SL_JSON_ARRAY, "op_intervals", err, errlen)) ==
            NULL)
        return -1;
    if (strcmp(layout, "log8") != 0 || slot_s == 0 || slot_s > 1U << 30 ||
        (slot_s & (slot_s - 1)) != 0) {
        snprintf(err, errlen,
                 "op_intervals: layout \"%.40s\" with slot_s %llu is not one soapload "
                 "writes",
                 layout, (unsigned long long)slot_s);
        return -1;
    }
    if (sl_opseries_init(s, r->run.nops) != 0) {
        snprintf(err, errlen, "op_intervals: %d operations", r->run.nops);
        return -1;
    }
    sl_opseries_coarsen(s, (uint32_t)slot_s);
    for (const sl_json_t *o; (o = sl_json_item(ops, (size_t)i)) != NULL; i++) {
        char where[64];
        const char *name;
        const sl_json_t *slots;
        int op, j = 0;
        snprintf(where, sizeof(where), "op_intervals.operations[%d]", i);
        if ((name = sl_resultfield_string(o, "name", where, err, errlen)) == NULL ||
            (slots = sl_resultfield_get(o, "slots", SL_JSON_ARRAY, where, err, errlen)) == NULL)
            return -1;
        if ((op = sl_config_operation(&r->cfg, name, strlen(name))) < 0) {
            snprintf(err, errlen, "%s.name \"%.100s\" is not in operations", where, name);
            return -1;
        }
        for (const sl_json_t *sl; (sl = sl_json_item(slots, (size_t)j)) != NULL; j++) {
            char sub[96];
            uint64_t slot;
            const sl_json_t *bk;
            snprintf(sub, sizeof(sub), "%s.slots[%d]", where, j);
            if (sl_resultfield_u64(sl, "slot", sub, &slot, err, errlen) != 0 ||
                (bk = sl_resultfield_get(sl, "buckets", SL_JSON_ARRAY, sub, err, errlen)) == NULL)
                return -1;
            for (size_t k = 0; k < bk->len; k += 2) {
                const sl_json_t *b = sl_json_item(bk, k), *c = sl_json_item(bk, k + 1);
                if (c == NULL || b->type != SL_JSON_NUMBER || !b->is_u64 ||
                    c->type != SL_JSON_NUMBER || !c->is_u64 || b->u64 >= SL_OPSERIES_BUCKETS ||
                    c->u64 > UINT32_MAX || slot > 10000000 ||
                    sl_opseries_add_bucket(s, op, slot * slot_s, (uint32_t)b->u64,
                                           (uint32_t)c->u64) != 0) {
                    snprintf(err, errlen, "%s.buckets: not pairs of a bucket below %d and a count",
                             sub, SL_OPSERIES_BUCKETS);
                    return -1;
                }
            }
        }
    }
    return 0;
}

/* One value of "tags", added into tags. */
static int read_tag(const sl_json_t *o, sl_tags_t *tags, const char *where, char *err,
                    size_t errlen)
{
    const char *name, *value;
    const sl_json_t *lat;
    char sub[96];
    int other, rc = -1;
    sl_op_stats_t st = {0};
    snprintf(sub, sizeof(sub), "%s.counts", where);
    if (o->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(o->type));
        return -1;
    }
    if ((name = sl_resultfield_string(o, "name", where, err, errlen)) == NULL ||
        (value = sl_resultfield_string(o, "value", where, err, errlen)) == NULL ||
        sl_resultfield_bool(o, "other", where, &other, err, errlen) != 0 ||
        sl_resultfield_counts(sl_resultfield_get(o, "counts", SL_JSON_OBJECT, where, err, errlen),
                              sub, &st.counts, err, errlen) != 0 ||
        (lat = sl_resultfield_get(o, "latency", SL_JSON_OBJECT, where, err, errlen)) == NULL ||
        (st.from_due = sl_resultfield_hist(lat, "from_due", err, errlen)) == NULL ||
        (st.service = sl_resultfield_hist(lat, "service", err, errlen)) == NULL)
        goto Cleanup;
    if (strlen(name) > SL_TAGS_MAX_TEXT || strlen(value) > SL_TAGS_MAX_TEXT) {
        snprintf(err, errlen, "%s: a tag name or value longer than %d bytes", where,
                 SL_TAGS_MAX_TEXT);
        goto Cleanup;
    }
    other = other ? (strcmp(name, SL_TAGS_OTHER) == 0 ? 2 : 1) : 0;
    if (sl_tags_add(tags, name, value, other, &st) < 0) {
        snprintf(err, errlen, "out of memory");
        goto Cleanup;
    }
    rc = 0;
Cleanup:
    free(st.from_due);
    free(st.service);
    return rc;
}

/* "tags" (absent in files written before tags existed: none): each value added into run->tags;
 * merging the files folds them to the bounds again. */
int sl_resultfile_read_tags(const sl_json_t *doc, sl_run_t *run, char *err, size_t errlen)
{
    const sl_json_t *tags = sl_json_get(doc, "tags"), *values;
    char where[64];
    int i = 0;
    if (tags == NULL)
        return 0;
    if ((values = sl_resultfield_get(tags, "values", SL_JSON_ARRAY, "tags", err, errlen)) == NULL)
        return -1;
    /* each value costs two full histograms (278 KB) until the merge folds them: no more than a
     * run keeps (its pairs, each name's fold and the fold of names) */
    if (values->len > SL_TAGS_MAX_PAIRS + SL_TAGS_MAX_NAMES + 1) {
        snprintf(err, errlen, "tags.values lists %u values, more than a run keeps (%d)",
                 (unsigned)values->len, SL_TAGS_MAX_PAIRS + SL_TAGS_MAX_NAMES + 1);
        return -1;
    }
    for (const sl_json_t *o; (o = sl_json_item(values, (size_t)i)) != NULL; i++) {
        snprintf(where, sizeof(where), "tags.values[%d]", i);
        if (read_tag(o, &run->tags, where, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* A reason's operation: "" (or none, in files written before reasons had one) is -1. */
static int reason_op(const sl_json_t *o, const sl_config_t *cfg, const char *where, int *op,
                     char *err, size_t errlen)
{
    const sl_json_t *v = sl_json_get(o, "operation");
    *op = -1;
    if (v == NULL)
        return 0;
    if (v->type != SL_JSON_STRING) {
        snprintf(err, errlen, "%s.operation is %s, not a string", where,
                 sl_json_type_name(v->type));
        return -1;
    }
    if (v->string[0] != '\0' && (*op = sl_config_operation(cfg, v->string, v->len)) < 0) {
        snprintf(err, errlen, "%s.operation \"%.100s\" is not in operations", where, v->string);
        return -1;
    }
    return 0;
}

/* A reason's sample (absent or null: none). */
static int read_sample(const sl_json_t *o, sl_reason_t *e, const char *where, char *err,
                       size_t errlen)
{
    const sl_json_t *v = sl_json_get(o, "sample"), *body;
    char sub[96];
    int status;
    uint64_t bytes;
    if (v == NULL || v->type == SL_JSON_NULL)
        return 0;
    snprintf(sub, sizeof(sub), "%s.sample", where);
    if (v->type != SL_JSON_OBJECT) {
        snprintf(err, errlen, "%s is %s, not an object", sub, sl_json_type_name(v->type));
        return -1;
    }
    if (sl_resultfield_int(v, "status", sub, &status, err, errlen) != 0 ||
        sl_resultfield_u64(v, "bytes", sub, &bytes, err, errlen) != 0 ||
        (body = sl_resultfield_get(v, "body", SL_JSON_STRING, sub, err, errlen)) == NULL)
        return -1;
    if (e != NULL)
        sl_reasons_sample(e, status, body->string, strlen(body->string), bytes);
    return 0;
}

int sl_resultfile_read_reasons(const sl_json_t *doc, const sl_config_t *cfg, sl_reasons_t *reasons,
                               char *err, size_t errlen)
{
    const sl_json_t *fr =
                        sl_resultfield_get(doc, "failure_reasons", SL_JSON_OBJECT, "", err, errlen),
                    *list;
    uint64_t other;
    int i = 0;
    if (fr == NULL ||
        sl_resultfield_u64(fr, "other", "failure_reasons", &other, err, errlen) != 0 ||
        (list = sl_resultfield_get(fr, "reasons", SL_JSON_ARRAY, "failure_reasons", err, errlen)) ==
            NULL)
        return -1;
    for (const sl_json_t *r; (r = sl_json_item(list, (size_t)i)) != NULL; i++) {
        char where[64];
        const char *kind, *text;
        uint64_t count;
        int op;
        snprintf(where, sizeof(where), "failure_reasons.reasons[%d]", i);
        if (r->type != SL_JSON_OBJECT) {
            snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(r->type));
            return -1;
        }
        if ((kind = sl_resultfield_string(r, "kind", where, err, errlen)) == NULL ||
            (text = sl_resultfield_string(r, "reason", where, err, errlen)) == NULL ||
            sl_resultfield_u64(r, "count", where, &count, err, errlen) != 0 ||
            reason_op(r, cfg, where, &op, err, errlen) != 0)
            return -1;
        int k = sl_resultfield_result(kind);
        if (k < 0) {
            snprintf(err, errlen, "%s.kind is \"%s\", not a result soapload knows", where, kind);
            return -1;
        }
        if (read_sample(r, sl_reasons_add_op(reasons, op, (sl_result_t)k, text, count), where, err,
                        errlen) != 0)
            return -1;
    }
    /* the other reasons by operation and kind (files before them: `other` alone) */
    const sl_json_t *by = sl_json_get(fr, "other_reasons");
    uint64_t split = 0;
    i = 0;
    if (by != NULL && by->type != SL_JSON_ARRAY) {
        snprintf(err, errlen, "failure_reasons.other_reasons is %s, not an array",
                 sl_json_type_name(by->type));
        return -1;
    }
    for (const sl_json_t *r; (r = sl_json_item(by, (size_t)i)) != NULL; i++) {
        char where[64];
        const char *kind;
        uint64_t count;
        int op, k;
        snprintf(where, sizeof(where), "failure_reasons.other_reasons[%d]", i);
        if (r->type != SL_JSON_OBJECT) {
            snprintf(err, errlen, "%s is %s, not an object", where, sl_json_type_name(r->type));
            return -1;
        }
        if ((kind = sl_resultfield_string(r, "kind", where, err, errlen)) == NULL ||
            sl_resultfield_u64(r, "count", where, &count, err, errlen) != 0 ||
            reason_op(r, cfg, where, &op, err, errlen) != 0)
            return -1;
        if ((k = sl_resultfield_result(kind)) < 0) {
            snprintf(err, errlen, "%s.kind is \"%s\", not a result soapload knows", where, kind);
            return -1;
        }
        reasons->other_by[op + 1][k] += count;
        split += count;
    }
    if (by != NULL && split != other) {
        snprintf(err, errlen,
                 "failure_reasons.other_reasons add up to %llu, not failure_reasons.other (%llu)",
                 (unsigned long long)split, (unsigned long long)other);
        return -1;
    }
    reasons->other += other;
    return 0;
}

int sl_resultfile_read_validation(const sl_json_t *doc, sl_config_t *cfg, sl_validate_stats_t *v,
                                  char *err, size_t errlen)
{
    const sl_json_t *o = sl_json_get(doc, "validation");
    double pct, cpu_us;
    const char *schema;
    memset(v, 0, sizeof(*v));
    if (o == NULL || o->type == SL_JSON_NULL) /* a run without --validate */
        return 0;
    if ((o = sl_resultfield_get(doc, "validation", SL_JSON_OBJECT, "", err, errlen)) == NULL ||
        (schema = sl_resultfield_string(o, "schema", "validation", err, errlen)) == NULL ||
        sl_resultfield_double(o, "sample_pct", "validation", &pct, err, errlen) != 0 ||
        sl_resultfield_u64(o, "validated", "validation", &v->validated, err, errlen) != 0 ||
        sl_resultfield_double(o, "cpu_us_per_response", "validation", &cpu_us, err, errlen) != 0)
        return -1;
    if (pct <= 0 || pct > 100) {
        snprintf(err, errlen, "validation.sample_pct is %g, not a share from 0 to 100", pct);
        return -1;
    }
    free(cfg->schema_path);
    if ((cfg->schema_path = strdup(schema)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cfg->validate_pct = pct;
    /* the file keeps the mean to the nanosecond: the total is good to about validated ns */
    v->cpu_ns = (uint64_t)llround(cpu_us * 1e3 * (double)v->validated);
    return 0;
}
