/*
 * clock: the probes over one libcurl easy handle. The request leaves at the start plus
 * CURLINFO_PRETRANSFER_TIME_T and the answer's first byte arrives at the start plus
 * CURLINFO_STARTTRANSFER_TIME_T, so that connecting (DNS, TCP, TLS) does not widen the
 * round trip.
 */
#include "engine/clock.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct {
    double mock_s; /* X-Soapload-Mock-Time, or -1 */
    double date_s; /* Date, or -1 */
} stamp_t;

static size_t on_header(char *line, size_t size, size_t n, void *data)
{
    stamp_t *st = data;
    size_t len = size * n;
    char buf[128];
    if (len >= sizeof(buf))
        return len;
    memcpy(buf, line, len);
    buf[len] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    char *colon = strchr(buf, ':');
    if (colon == NULL)
        return len;
    *colon = '\0';
    const char *value = colon + 1 + strspn(colon + 1, " \t");
    if (strcasecmp(buf, "x-soapload-mock-time") == 0) {
        char *end;
        double v = strtod(value, &end);
        if (end != value && v > 0)
            st->mock_s = v;
    } else if (strcasecmp(buf, "date") == 0) {
        time_t t = curl_getdate(value, NULL);
        if (t > 0)
            st->date_s = (double)t;
    }
    return len;
}

static size_t discard(char *p, size_t size, size_t n, void *data)
{
    (void)p;
    (void)data;
    return size * n;
}

static double realtime_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sl_clock_estimate(const sl_config_t *cfg, int probes, sl_clock_offset_t *out)
{
    memset(out, 0, sizeof(*out));
    CURL *e = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: text/plain");
    double best_rtt = INFINITY;
    if (e == NULL || headers == NULL) {
        snprintf(out->error, sizeof(out->error), "out of memory");
        goto Done;
    }
    curl_easy_setopt(e, CURLOPT_URL, cfg->url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(cfg->timeout_ns / 1000000ULL));
    curl_easy_setopt(e, CURLOPT_USERAGENT, "soapload clock probe");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    for (int i = 0; i < probes; i++) {
        stamp_t st = {-1, -1};
        curl_easy_setopt(e, CURLOPT_HEADERDATA, &st);
        double start = realtime_s();
        CURLcode rc = curl_easy_perform(e);
        curl_off_t pre = 0, first = 0;
        if (rc != CURLE_OK) {
            snprintf(out->error, sizeof(out->error), "the probe failed: %s",
                     curl_easy_strerror(rc));
            continue;
        }
        curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pre);
        curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &first);
        double sent = start + (double)pre / 1e6, got = start + (double)first / 1e6;
        double rtt = got - sent, server = st.mock_s >= 0 ? st.mock_s : st.date_s;
        if (server < 0) {
            snprintf(out->error, sizeof(out->error),
                     "the answer had neither an X-Soapload-Mock-Time nor a Date header");
            continue;
        }
        /* a Date header is whole seconds: the server's time lies in [Date, Date + 1) */
        double resolution = st.mock_s >= 0 ? 1e-6 : 1.0;
        if (st.mock_s < 0)
            server += 0.5;
        out->probes++;
        if (rtt + resolution < best_rtt) {
            best_rtt = rtt + resolution;
            out->offset_ms = (server - (sent + got) / 2) * 1e3;
            out->uncertainty_ms = (rtt / 2 + resolution / 2) * 1e3;
            out->source = st.mock_s >= 0 ? "X-Soapload-Mock-Time" : "Date";
        }
    }
    if (out->probes > 0)
        out->error[0] = '\0';
Done:
    curl_slist_free_all(headers);
    if (e != NULL)
        curl_easy_cleanup(e);
}
