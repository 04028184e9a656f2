/*
 * mix: which operation request k of a run is, for a weighted mix of operations (70% GetOrder,
 * 25% PlaceOrder, 5% CancelOrder). Not random: the weights become whole numbers w_i with sum
 * W, and one cycle of W picks holds each operation exactly w_i times, interleaved as evenly as
 * smooth weighted round-robin does it. Request k takes pick k mod W, so any W consecutive
 * requests hold the exact mix, any prefix is within one request per operation of it, and
 * every worker or machine computes the same mix from k alone.
 */
#ifndef SOAPLOAD_MIX_H
#define SOAPLOAD_MIX_H

#include <stddef.h>
#include <stdint.h>

#define SL_MAX_OPERATIONS 64
#define SL_MIX_MAX_CYCLE 1000000 /* weights finer than one in a million are rounded */

typedef struct {
    int n;
    uint64_t weight[SL_MAX_OPERATIONS]; /* the whole-number weights */
    uint32_t cycle;                     /* their sum */
    uint8_t *pick;                      /* cycle entries: the operation of each position */
} sl_mix_t;

/** Whether w is a weight: a number >= 0 (not NaN, not infinite). The one check of a weight. */
int sl_mix_weight_ok(double w);
/** Checks n weights together: 1 to SL_MAX_OPERATIONS of them, each a weight, at least one
 * above 0. Returns 0, or -1 with a message naming the bad weight in err. */
int sl_mix_check(const double *weights, int n, char *err, size_t errlen);
/** Makes the cycle for n weights (each >= 0, at least one > 0). Returns 0, or -1 with a
 * message naming the bad weight in err (sl_mix_check's). Free with sl_mix_free. */
int sl_mix_init(sl_mix_t *m, const double *weights, int n, char *err, size_t errlen);
/** The operation (0-based) of global request k. */
int sl_mix_of(const sl_mix_t *m, uint64_t k);
void sl_mix_free(sl_mix_t *m);

#endif
