/*
 * monotime: one reading of a clock, as nanoseconds in a uint64_t.
 */
#include "core/monotime.h"

#include <time.h>

static uint64_t read_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t sl_monotime_ns(void)
{
    return read_ns(CLOCK_MONOTONIC);
}

uint64_t sl_monotime_cpu_ns(void)
{
    return read_ns(CLOCK_THREAD_CPUTIME_ID);
}
