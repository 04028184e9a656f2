/*
 * counts: the run's accounting and its invariants.
 */
#include "core/counts.h"

#include <stdio.h>

static const char *const names[SL_R_COUNT] = {
    "ok",           "expected_fault", "http_status",     "soap_fault",   "id_mismatch", "malformed",
    "check_failed", "signature",      "schema",          "script_error", "connect",     "timeout",
    "write",        "read",           "truncated",       "protocol",     "too_large",   "tls",
    "other",        "cancelled",      "lost_with_worker"};

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
    dst->wsse_signed += src->wsse_signed;
    dst->wsse_sign_cpu_ns += src->wsse_sign_cpu_ns;
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

/* *sum += v, or -1 when it would pass 2^64 - 1 (the sum is then left as it was). */
static int add_u64(uint64_t *sum, uint64_t v)
{
    if (*sum + v < *sum)
        return -1;
    *sum += v;
    return 0;
}

int sl_counts_add_checked(sl_counts_t *dst, const sl_counts_t *src)
{
    sl_counts_t sum = *dst;
    int bad = add_u64(&sum.scheduled, src->scheduled) | add_u64(&sum.sent, src->sent) |
              add_u64(&sum.not_sent, src->not_sent) |
              add_u64(&sum.script_errors_before_send, src->script_errors_before_send) |
              add_u64(&sum.retried, src->retried) | add_u64(&sum.bytes_sent, src->bytes_sent) |
              add_u64(&sum.bytes_received, src->bytes_received);
    for (int r = 0; r < SL_R_COUNT; r++)
        bad |= add_u64(&sum.results[r], src->results[r]) |
               add_u64(&sum.before_send[r], src->before_send[r]);
    if (bad)
        return -1;
    *dst = sum;
    return 0;
}

const char *sl_counts_differ(const sl_counts_t *a, const sl_counts_t *b)
{
    if (a->scheduled != b->scheduled)
        return "scheduled";
    if (a->sent != b->sent)
        return "sent";
    if (a->not_sent != b->not_sent)
        return "not_sent";
    if (a->script_errors_before_send != b->script_errors_before_send)
        return "script_errors_before_send";
    for (int r = 0; r < SL_R_COUNT; r++) {
        if (a->results[r] != b->results[r])
            return names[r];
        if (a->before_send[r] != b->before_send[r])
            return "before_send";
    }
    if (a->bytes_sent != b->bytes_sent)
        return "bytes_sent";
    if (a->bytes_received != b->bytes_received)
        return "bytes_received";
    return a->retried != b->retried ? "resends_refused" : NULL;
}

int sl_counts_check(const sl_counts_t *c, char *err, size_t errlen)
{
    uint64_t ended = 0, before = 0, parts = c->sent;
    int bad = add_u64(&parts, c->not_sent) | add_u64(&parts, c->script_errors_before_send);
    for (int r = 0; r < SL_R_COUNT; r++)
        bad |= add_u64(&ended, c->results[r]) | add_u64(&before, c->before_send[r]);
    if (bad || add_u64(&parts, before) != 0) {
        snprintf(err, errlen, "its counts add up to more than 2^64 - 1: they overflow");
        return -1;
    }
    if (c->scheduled != parts) {
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
