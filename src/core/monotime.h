/*
 * monotime: reading the clocks a process measures with: CLOCK_MONOTONIC for intervals and due
 * times, the thread's CPU clock for what a step costs. (The server's clock offset is
 * engine/clock.h's.)
 */
#ifndef SOAPLOAD_MONOTIME_H
#define SOAPLOAD_MONOTIME_H

#include <stdint.h>

/** Nanoseconds on CLOCK_MONOTONIC. */
uint64_t sl_monotime_ns(void);
/** Nanoseconds of CPU this thread has used (CLOCK_THREAD_CPUTIME_ID). */
uint64_t sl_monotime_cpu_ns(void);

#endif
