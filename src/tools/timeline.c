/*
 * timeline: the merged seconds of result files, sparse (see timeline.h).
 */
#include "tools/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t sl_timeline_offset(const sl_resultfile_t *r, int64_t t0_us)
{
    return (r->started_at_us - t0_us + 500000) / 1000000;
}

/* ---- the overlap ----------------------------------------------------------------------- */

static const sl_resultfile_t *sort_files;

static int by_start(const void *a, const void *b)
{
    int64_t x = sort_files[*(const int *)a].started_at_us,
            y = sort_files[*(const int *)b].started_at_us;
    return x < y ? -1 : x > y;
}

static int64_t end_us(const sl_resultfile_t *r)
{
    return r->started_at_us + (int64_t)(r->run.elapsed_s * 1e6);
}

int sl_timeline_check_overlap(const sl_resultfile_t *in, int n, int allow_gaps, char *err,
                              size_t errlen)
{
    int *order = malloc((size_t)(n > 0 ? n : 1) * sizeof(*order)), rc = 0;
    if (order == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int f = 0; f < n; f++)
        order[f] = f;
    sort_files = in;
    qsort(order, (size_t)n, sizeof(*order), by_start);
    int last = order[0]; /* the file that ends latest so far */
    for (int k = 1; k < n && !allow_gaps; k++) {
        const sl_resultfile_t *r = &in[order[k]];
        if (r->started_at_us > end_us(&in[last])) {
            snprintf(err, errlen,
                     "%s started %.3f s after %s ended: results that were not running at the "
                     "same time do not merge unless asked (--allow-gaps merges them, the "
                     "seconds between left out)",
                     r->source, (double)(r->started_at_us - end_us(&in[last])) / 1e6,
                     in[last].source);
            rc = -1;
            break;
        }
        if (end_us(r) > end_us(&in[last]))
            last = order[k];
    }
    free(order);
    return rc;
}

/* ---- the seconds ----------------------------------------------------------------------- */

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The seconds some file has, sorted and each once, into *out (m of them). */
static int timeline_seconds(const sl_resultfile_t *in, int n, int64_t t0_us, uint64_t **out,
                            size_t *m)
{
    size_t total = 0, k = 0;
    for (int f = 0; f < n; f++)
        total += in[f].run.nseconds;
    uint64_t *all = malloc((total ? total : 1) * sizeof(*all));
    if (all == NULL)
        return -1;
    for (int f = 0; f < n; f++) {
        uint64_t off = (uint64_t)sl_timeline_offset(&in[f], t0_us);
        for (size_t i = 0; i < in[f].run.nseconds; i++)
            all[k++] = off + in[f].run.seconds[i].second;
    }
    qsort(all, k, sizeof(*all), by_u64);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || all[u - 1] != all[i])
            all[u++] = all[i];
    *out = all;
    *m = u;
    return 0;
}

/* The merged second of a file's second: both are in order, so a cursor finds it. */
static sl_second_t *find_second(sl_run_t *run, size_t *cursor, uint64_t second)
{
    while (*cursor < run->nseconds && run->seconds[*cursor].second < second)
        (*cursor)++;
    return *cursor < run->nseconds && run->seconds[*cursor].second == second
               ? &run->seconds[*cursor]
               : NULL;
}

static void add_second(sl_second_t *d, const sl_second_t *s)
{
    sl_counts_add(&d->counts, &s->counts); /* resultcheck saw that the sums cannot overflow */
    d->in_flight_max += s->in_flight_max;  /* as for workers: the sum of the maxima */
    d->target += s->target;
    /* the highest of the files' percentiles, an upper bound: what is left when a file kept no
     * histogram of the second (written before soapload kept them); exact_seconds replaces it
     * with the exact ones */
    if (s->completed > 0) {
        if (d->p50 < s->p50)
            d->p50 = s->p50;
        if (d->p90 < s->p90)
            d->p90 = s->p90;
        if (d->p99 < s->p99)
            d->p99 = s->p99;
        if (d->max < s->max)
            d->max = s->max;
    }
    d->completed += s->completed;
    d->reported++;
}

/* Each merged second's latency: the files' histograms of that second added bucket by bucket,
 * so that its percentiles are those of all its samples together. A second that a file has
 * samples of but no histogram keeps the upper bound (and no histogram). cursor[f] walks file
 * f's seconds along the merged ones. */
static int exact_seconds(sl_run_t *run, const sl_resultfile_t *in, int n, int64_t t0_us,
                         size_t *cursor)
{
    sl_hist_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return -1;
    for (size_t d = 0; d < run->nseconds; d++) {
        sl_second_t *m = &run->seconds[d];
        int exact = 1;
        sl_hist_reset(h);
        for (int f = 0; f < n; f++) {
            uint64_t off = (uint64_t)sl_timeline_offset(&in[f], t0_us);
            const sl_run_t *r = &in[f].run;
            while (cursor[f] < r->nseconds && off + r->seconds[cursor[f]].second < m->second)
                cursor[f]++;
            if (cursor[f] >= r->nseconds || off + r->seconds[cursor[f]].second != m->second ||
                !exact)
                continue;
            const sl_second_t *s = &r->seconds[cursor[f]];
            if (s->hist_enc == NULL)
                exact = s->completed == 0;
            else if (sl_hist_decode_add(h, s->hist_enc, s->hist_enc_len) == 0)
                exact = 0;
        }
        if (!exact)
            continue;
        m->completed = h->total;
        m->p50 = sl_hist_percentile(h, 50);
        m->p90 = sl_hist_percentile(h, 90);
        m->p99 = sl_hist_percentile(h, 99);
        m->max = h->max;
        size_t need = sl_hist_encode(h, NULL, 0);
        if ((m->hist_enc = malloc(need)) == NULL) {
            free(h);
            return -1;
        }
        m->hist_enc_len = sl_hist_encode(h, m->hist_enc, need);
    }
    free(h);
    return 0;
}

int sl_timeline_merge(sl_resultfile_t *out, const sl_resultfile_t *in, int n, int64_t t0_us,
                      char *err, size_t errlen)
{
    sl_run_t *run = &out->run;
    uint64_t *seconds = NULL;
    size_t m = 0, *cursor = calloc((size_t)(n > 0 ? n : 1), sizeof(*cursor));
    if (cursor == NULL || timeline_seconds(in, n, t0_us, &seconds, &m) != 0 ||
        (m > 0 && (run->seconds = calloc(m, sizeof(*run->seconds))) == NULL))
        goto Error;
    run->nseconds = m;
    for (size_t i = 0; i < m; i++)
        run->seconds[i].second = seconds[i];
    for (int f = 0; f < n; f++) {
        uint64_t off = (uint64_t)sl_timeline_offset(&in[f], t0_us);
        size_t at = 0;
        for (size_t i = 0; i < in[f].run.nseconds; i++) {
            const sl_second_t *s = &in[f].run.seconds[i];
            add_second(find_second(run, &at, off + s->second), s);
        }
    }
    if (exact_seconds(run, in, n, t0_us, cursor) != 0)
        goto Error;
    free(seconds);
    free(cursor);
    return 0;
Error:
    free(seconds);
    free(cursor);
    snprintf(err, errlen, "out of memory");
    return -1;
}
