/*
 * clock: how far this machine's clock is from the server's, measured before a segmented or
 * --start-at run the way NTP does: a few probes, each giving the server's time against the
 * midpoint of its round trip; the probe with the shortest round trip wins, and half of that
 * round trip (plus the server stamp's resolution) bounds the error.
 */
#ifndef SOAPLOAD_CLOCK_H
#define SOAPLOAD_CLOCK_H

#include <stddef.h>

#include "core/config.h"

#define SL_CLOCK_PROBES 5

typedef struct {
    int probes;            /* answers that carried the server's time; 0: no estimate */
    double offset_ms;      /* the server's clock minus this machine's (CLOCK_REALTIME) */
    double uncertainty_ms; /* the estimate is offset_ms +- this */
    const char *source;    /* "X-Soapload-Mock-Time" or "Date" (whole seconds), or NULL */
    char error[160];       /* why there is no estimate, or "" */
} sl_clock_offset_t;

/** Sends `probes` POSTs of an empty text/plain body to cfg->url (which a SOAP server refuses
 * at once, 415 from soapload-mock) over one connection and estimates the offset from each
 * answer's X-Soapload-Mock-Time header, else its Date header. Never fails the run: without an
 * answer, out->probes is 0 and out->error says why. curl_global_init must have run. */
void sl_clock_estimate(const sl_config_t *cfg, int probes, sl_clock_offset_t *out);

#endif
