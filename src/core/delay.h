/*
 * delay: a duration that is fixed or drawn from a distribution: the mock's artificial response
 * delay (so that latency tests have something to see) and soapload's think time between a
 * closed-model connection's requests. Also the random numbers it draws with.
 */
#ifndef SOAPLOAD_DELAY_H
#define SOAPLOAD_DELAY_H

#include <stddef.h>
#include <stdint.h>

#define SL_DELAY_MAX_MS 60000

typedef enum { SL_DELAY_FIXED, SL_DELAY_UNIFORM, SL_DELAY_EXP, SL_DELAY_NORMAL } sl_delay_kind_t;

typedef struct {
    sl_delay_kind_t kind;
    double a_ms, b_ms; /* fixed: a; uniform: a..b; exp: mean a; normal: mean a, deviation b */
} sl_delay_t;

/** Parses "D", "uniform:A,B", "exp:MEAN" or "normal:MEAN,SD"; durations take us, ms (the
 * default) or s. Returns 0, or -1 with a message in err. */
int sl_delay_parse(const char *spec, sl_delay_t *d, char *err, size_t errlen);

/** Draws one delay in whole milliseconds (0..SL_DELAY_MAX_MS). */
uint32_t sl_delay_draw(const sl_delay_t *d, uint64_t *rng);

/** Draws one delay in nanoseconds (0..SL_DELAY_MAX_MS ms). */
uint64_t sl_delay_draw_ns(const sl_delay_t *d, uint64_t *rng);

/** xorshift64*: a uniform double in [0, 1). `rng` must not be 0. */
double sl_rand01(uint64_t *rng);

#endif
