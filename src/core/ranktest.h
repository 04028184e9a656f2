/*
 * ranktest: the Mann-Whitney rank test of two latency histograms, computed exactly from their
 * bucket counts (values in one bucket are ties), with its effect size: A = P(new > baseline)
 * + P(tie)/2 (Vargha and Delaney's A), 0.5 when neither is slower. It answers whether one run's
 * latencies tend to be higher than another's, over the whole distribution.
 */
#ifndef SOAPLOAD_RANKTEST_H
#define SOAPLOAD_RANKTEST_H

#include "core/hist.h"

#define SL_RANKTEST_ALPHA 0.001     /* two-sided p below this: not chance */
#define SL_RANKTEST_MIN_EFFECT 0.06 /* |A - 0.5| at least this (A >= 0.56: "small", V&D) */

typedef struct {
    double a;        /* P(new > baseline) + P(tie) / 2 */
    double u;        /* the Mann-Whitney U of the new sample */
    double z;        /* U standardized, with the tie correction; > 0: new is slower */
    double p;        /* two-sided p-value of z (normal approximation) */
    int significant; /* p < SL_RANKTEST_ALPHA and |a - 0.5| >= SL_RANKTEST_MIN_EFFECT */
} sl_ranktest_t;

/** Compares the values of `next` with those of `base`. Returns 0, or -1 when either is
 * empty (out is then a = 0.5, z = 0, p = 1, not significant). */
int sl_ranktest_hist(const sl_hist_t *base, const sl_hist_t *next, sl_ranktest_t *out);

#endif
