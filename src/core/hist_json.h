/*
 * hist_json: a latency histogram written in a result file's JSON: its percentiles, then its
 * layout and non-empty buckets, which output/resultfield.c reads back exactly (so that merge
 * adds histograms bucket by bucket).
 */
#ifndef SOAPLOAD_HIST_JSON_H
#define SOAPLOAD_HIST_JSON_H

#include <stdio.h>

#include "core/hist.h"

/** Writes h as `{"count": ..., "min": ..., "p50": ..., "histogram": {...}}` to out. */
void sl_hist_json_write(FILE *out, const sl_hist_t *h);
/** Writes only h's `"histogram": {...}` member: the layout and the [index, count] pairs of its
 * non-empty buckets. */
void sl_hist_json_buckets(FILE *out, const sl_hist_t *h);

#endif
