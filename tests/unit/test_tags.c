/*
 * test_tags: per-tag-value results: the bounds on values and names and their folds, the
 * encoding a worker sends, and the parent's fold of several workers' tables.
 */
#include <stdio.h>
#include <string.h>

#include "core/tags.h"
#include "unit.h"

static int find(const sl_tags_t *t, const char *name, const char *value)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->items[i].name, name) == 0 && strcmp(t->items[i].value, value) == 0)
            return i;
    return -1;
}

static void count(sl_tags_t *t, const char *name, const char *value, int n)
{
    for (int k = 0; k < n; k++) {
        int i = sl_tags_slot(t, name, strlen(name), value, strlen(value));
        CHECK(i >= 0);
        t->items[i].stats->counts.scheduled++;
        t->items[i].stats->counts.not_sent++;
    }
}

static void test_bounds(void)
{
    sl_tags_t t = {0};
    char v[16];
    for (int k = 0; k < SL_TAGS_MAX_PAIRS + 6; k++) {
        snprintf(v, sizeof(v), "c%d", k);
        count(&t, "customer", v, 1);
    }
    count(&t, "customer", "c0", 2); /* a kept value stays its own */
    CHECK_EQ_U(t.pairs, SL_TAGS_MAX_PAIRS);
    int o = find(&t, "customer", SL_TAGS_OTHER);
    CHECK(o >= 0 && t.items[o].other == 1);
    CHECK_EQ_U(t.items[o].stats->counts.scheduled, 6);
    CHECK_EQ_U(t.items[find(&t, "customer", "c0")].stats->counts.scheduled, 3);
    sl_tags_free(&t);

    for (int k = 0; k < SL_TAGS_MAX_NAMES + 2; k++) {
        snprintf(v, sizeof(v), "n%d", k);
        count(&t, v, "x", 1);
    }
    CHECK_EQ_U(t.names, SL_TAGS_MAX_NAMES);
    o = find(&t, SL_TAGS_OTHER, SL_TAGS_OTHER);
    CHECK(o >= 0 && t.items[o].other == 2);
    CHECK_EQ_U(t.items[o].stats->counts.scheduled, 2);
    char err[256];
    CHECK(sl_tags_check(&t, err, sizeof(err)) == 0);
    sl_tags_free(&t);
}

/* Two workers' tables through the encoding: pairs add by name and value; the fold keeps the
 * pairs with the most requests and moves the rest into the name's (other), nothing lost. */
static void test_merge_fold(void)
{
    sl_tags_t a = {0}, b = {0}, sum = {0};
    char v[16];
    for (int k = 0; k < 40; k++) {
        snprintf(v, sizeof(v), "a%d", k);
        count(&a, "tier", v, 2);
        snprintf(v, sizeof(v), "b%d", k);
        count(&b, "tier", v, 1);
    }
    count(&a, "tier", "shared", 5);
    count(&b, "tier", "shared", 5);
    count(&b, "region", "eu", 3);
    sl_hist_record(a.items[0].stats->from_due, 1000);
    sl_buf_t m1 = {0}, m2 = {0};
    CHECK(sl_tags_encode(&a, &m1) == 0);
    CHECK(sl_tags_encode(&b, &m2) == 0);
    CHECK(sl_tags_decode_add(&sum, (const uint8_t *)m1.data, m1.len) == 0);
    CHECK(sl_tags_decode_add(&sum, (const uint8_t *)m2.data, m2.len) == 0);
    sl_tags_t cut = {0};
    CHECK(sl_tags_decode_add(&cut, (const uint8_t *)m2.data, m2.len - 1) == -1);
    sl_tags_free(&cut);
    CHECK_EQ_U(sum.n, 82);
    CHECK(sl_tags_fold(&sum) == 0);
    /* 81 tier pairs + region:eu: the 64 busiest are kept (shared 10, a* 2 each, eu 3) */
    int kept = 0;
    uint64_t tier = 0;
    for (int i = 0; i < sum.n; i++) {
        kept += !sum.items[i].other;
        if (strcmp(sum.items[i].name, "tier") == 0)
            tier += sum.items[i].stats->counts.scheduled;
    }
    CHECK_EQ_U(kept, SL_TAGS_MAX_PAIRS);
    CHECK_EQ_U(tier, 40 * 2 + 40 + 10);
    CHECK_EQ_U(sum.items[find(&sum, "tier", "shared")].stats->counts.scheduled, 10);
    CHECK(find(&sum, "region", "eu") >= 0);
    CHECK(find(&sum, "tier", "a39") >= 0);
    int o = find(&sum, "tier", SL_TAGS_OTHER);
    CHECK(o >= 0);
    CHECK_EQ_U(sum.items[o].stats->counts.scheduled, 40 - (SL_TAGS_MAX_PAIRS - 42));
    CHECK_EQ_U(sum.items[find(&sum, "tier", "a0")].stats->from_due->total, 1);
    /* ordered by name, then value, the fold of a name last */
    CHECK_STR(sum.items[0].name, "region");
    CHECK(sum.items[sum.n - 1].other == 1);
    sl_buf_free(&m1);
    sl_buf_free(&m2);
    sl_tags_free(&a);
    sl_tags_free(&b);
    sl_tags_free(&sum);
}

int main(void)
{
    test_bounds();
    test_merge_fold();
    return check_report();
}
