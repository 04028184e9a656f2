/*
 * delay: parsing and drawing of delays (the mock's response delay, soapload's think time).
 */
#include "core/delay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double sl_rand01(uint64_t *rng)
{
    uint64_t x = *rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *rng = x;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

/* Parses one duration; `end` is where it stopped. Returns -1 when it is not one. */
static int parse_ms(const char *s, char **end, double *ms)
{
    double v = strtod(s, end);
    if (*end == s || !isfinite(v) || v < 0)
        return -1;
    if (strncmp(*end, "us", 2) == 0) {
        v /= 1000;
        *end += 2;
    } else if (strncmp(*end, "ms", 2) == 0) {
        *end += 2;
    } else if (**end == 's') {
        v *= 1000;
        *end += 1;
    }
    if (v > SL_DELAY_MAX_MS)
        return -1;
    *ms = v;
    return 0;
}

int sl_delay_parse(const char *spec, sl_delay_t *d, char *err, size_t errlen)
{
    const char *args = spec;
    char *end;
    int two = 0;
    memset(d, 0, sizeof(*d));
    if (strncmp(spec, "uniform:", 8) == 0) {
        d->kind = SL_DELAY_UNIFORM;
        args += 8;
        two = 1;
    } else if (strncmp(spec, "exp:", 4) == 0) {
        d->kind = SL_DELAY_EXP;
        args += 4;
    } else if (strncmp(spec, "normal:", 7) == 0) {
        d->kind = SL_DELAY_NORMAL;
        args += 7;
        two = 1;
    }
    if (parse_ms(args, &end, &d->a_ms) != 0)
        goto Error;
    if (two) {
        if (*end != ',' || parse_ms(end + 1, &end, &d->b_ms) != 0)
            goto Error;
        if (d->kind == SL_DELAY_UNIFORM && d->b_ms < d->a_ms)
            goto Error;
    }
    if (*end != '\0')
        goto Error;
    return 0;
Error:
    snprintf(err, errlen,
             "bad delay '%s': expected D, uniform:MIN,MAX, exp:MEAN or normal:MEAN,SD with "
             "durations such as 250us, 5ms or 1s, at most 60s",
             spec);
    return -1;
}

static double draw_ms(const sl_delay_t *d, uint64_t *rng)
{
    double ms = d->a_ms;
    switch (d->kind) {
    case SL_DELAY_FIXED:
        break;
    case SL_DELAY_UNIFORM:
        ms = d->a_ms + (d->b_ms - d->a_ms) * sl_rand01(rng);
        break;
    case SL_DELAY_EXP:
        ms = -d->a_ms * log(1.0 - sl_rand01(rng));
        break;
    case SL_DELAY_NORMAL: { /* Box-Muller */
        double u = 1.0 - sl_rand01(rng), v = sl_rand01(rng);
        ms = d->a_ms + d->b_ms * sqrt(-2.0 * log(u)) * cos(2 * M_PI * v);
        break;
    }
    }
    if (ms < 0)
        ms = 0;
    if (ms > SL_DELAY_MAX_MS)
        ms = SL_DELAY_MAX_MS;
    return ms;
}

uint32_t sl_delay_draw(const sl_delay_t *d, uint64_t *rng)
{
    return (uint32_t)(draw_ms(d, rng) + 0.5);
}

uint64_t sl_delay_draw_ns(const sl_delay_t *d, uint64_t *rng)
{
    return (uint64_t)(draw_ms(d, rng) * 1e6 + 0.5);
}
