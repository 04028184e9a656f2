/*
 * schedule: long double keeps k * 1e9 / rate exact to the nanosecond for any run that fits
 * in 64 bits of requests.
 */
#include "core/schedule.h"

#include <math.h>

uint64_t sl_schedule_total(double rate, uint64_t duration_ns)
{
    long double x = (long double)rate * (long double)duration_ns / 1e9L;
    if (x <= 0)
        return 0;
    /* k < x: the count is x when x is whole, else its ceiling */
    long double whole = floorl(x);
    return (uint64_t)(x - whole < 1e-9L ? whole : whole + 1);
}

uint64_t sl_schedule_worker_count(uint64_t total, int w, int n)
{
    if ((uint64_t)w >= total)
        return 0;
    return (total - (uint64_t)w + (uint64_t)n - 1) / (uint64_t)n;
}

uint64_t sl_schedule_global_index(uint64_t j, int w, int n)
{
    return j * (uint64_t)n + (uint64_t)w;
}

uint64_t sl_schedule_offset_ns(uint64_t k, double rate, uint32_t burst)
{
    if (burst > 1)
        k -= k % burst;
    return (uint64_t)llroundl((long double)k * 1e9L / (long double)rate);
}
