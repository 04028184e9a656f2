/*
 * progress: the live line on stderr, once a second: elapsed / total with a bar, achieved vs
 * target rate, requests in flight, errors so far, p99 of the last second. Redraws one line on
 * a terminal; prints plain lines elsewhere.
 */
#ifndef SOAPLOAD_PROGRESS_H
#define SOAPLOAD_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "engine/run.h"

typedef struct {
    FILE *out;
    int tty;
    const sl_config_t *cfg;
    uint64_t errors; /* so far */
    int drawn;       /* a line is on the terminal and needs a newline at the end */
} sl_progress_t;

/** Sets p up for cfg on out; returns 1 when progress should be shown at all. */
int sl_progress_init(sl_progress_t *p, const sl_config_t *cfg, FILE *out);
/** An sl_second_cb: prints one second. `data` is the sl_progress_t. */
void sl_progress_second(const sl_second_t *s, void *data);
/** Ends the line on a terminal. */
void sl_progress_finish(sl_progress_t *p);

#endif
