/*
 * hist_json: a histogram in a result file's JSON (see hist_json.h).
 */
#include "core/hist_json.h"

void sl_hist_json_buckets(FILE *out, const sl_hist_t *h)
{
    fprintf(out,
            "\"histogram\": {\"unit\": \"us\", \"sub_bucket_bits\": %d, \"buckets\": %d, "
            "\"clamped\": %llu, \"counts\": [",
            SL_HIST_SUB_BITS, SL_HIST_BUCKETS, (unsigned long long)h->clamped);
    int first = 1;
    for (uint32_t i = h->lo; h->total > 0 && i <= h->hi; i++) {
        if (h->counts[i] == 0)
            continue;
        fprintf(out, "%s[%u, %llu]", first ? "" : ", ", i, (unsigned long long)h->counts[i]);
        first = 0;
    }
    fprintf(out, "]}");
}

void sl_hist_json_write(FILE *out, const sl_hist_t *h)
{
    fprintf(out,
            "{\"count\": %llu, \"min\": %llu, \"max\": %llu, \"mean\": %.1f, \"stdev\": %.1f, "
            "\"p50\": %llu, \"p90\": %llu, \"p99\": %llu, \"p99_9\": %llu, \"p99_99\": %llu,\n"
            "      ",
            (unsigned long long)h->total, (unsigned long long)(h->total ? h->min : 0),
            (unsigned long long)h->max, sl_hist_mean(h), sl_hist_stdev(h),
            (unsigned long long)sl_hist_percentile(h, 50),
            (unsigned long long)sl_hist_percentile(h, 90),
            (unsigned long long)sl_hist_percentile(h, 99),
            (unsigned long long)sl_hist_percentile(h, 99.9),
            (unsigned long long)sl_hist_percentile(h, 99.99));
    sl_hist_json_buckets(out, h);
    fprintf(out, "}");
}
