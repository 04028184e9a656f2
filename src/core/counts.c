/*
 * counts: the run's accounting and its invariants.
 */
#include "core/counts.h"

#include <stdio.h>

static const char *const names[SL_R_COUNT] = {
    "ok",        "expected_fault", "http_status",  "soap_fault",      "id_mismatch",
    "malformed", "check_failed",   "script_error", "connect",         "timeout",
    "write",     "read",           "truncated",    "protocol",        "too_large",
    "tls",       "other",          "cancelled",    "lost_with_worker"};

const char *sl_result_name(sl_result_t r)
{
    return names[r];
}

void sl_counts_add(sl_counts_t *dst, const sl_counts_t *src)
{
    dst->scheduled += src->scheduled;
    dst->sent += src->sent;
    dst->not_sent += src->not_sent;
    dst->script_errors_before_send += src->script_errors_before_send;
    for (int r = 0; r < SL_R_COUNT; r++) {
        dst->results[r] += src->results[r];
        dst->before_send[r] += src->before_send[r];
    }
    dst->retried += src->retried;
    dst->bytes_sent += src->bytes_sent;
    dst->bytes_received += src->bytes_received;
}

uint64_t sl_counts_failed(const sl_counts_t *c)
{
    uint64_t n = 0;
    for (int r = 0; r < SL_R_COUNT; r++)
        if (r != SL_R_OK && r != SL_R_EXPECTED_FAULT)
            n += c->results[r];
    return n;
}

uint64_t sl_counts_succeeded(const sl_counts_t *c)
{
    return c->results[SL_R_OK] + c->results[SL_R_EXPECTED_FAULT];
}

uint64_t sl_counts_failed_before_send(const sl_counts_t *c)
{
    uint64_t n = 0;
    for (int r = 0; r < SL_R_COUNT; r++)
        n += c->before_send[r];
    return n;
}

int sl_counts_check(const sl_counts_t *c, char *err, size_t errlen)
{
    uint64_t ended = sl_counts_succeeded(c) + sl_counts_failed(c);
    uint64_t before = sl_counts_failed_before_send(c);
    if (c->scheduled != c->sent + c->not_sent + before + c->script_errors_before_send) {
        snprintf(err, errlen,
                 "scheduled %llu != sent %llu + not sent %llu + failed before send %llu + script "
                 "errors before send %llu",
                 (unsigned long long)c->scheduled, (unsigned long long)c->sent,
                 (unsigned long long)c->not_sent, (unsigned long long)before,
                 (unsigned long long)c->script_errors_before_send);
        return -1;
    }
    if (c->sent != ended) {
        snprintf(err, errlen, "sent %llu != %llu requests with a result",
                 (unsigned long long)c->sent, (unsigned long long)ended);
        return -1;
    }
    return 0;
}
