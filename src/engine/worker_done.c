/*
 * worker_done: a completed transfer becomes one result kind (core/counts.h); the order of
 * the steps at the end (trace line, board, counts) leaves the parent a line and counts that
 * add up should the worker die in between.
 */
#include "engine/worker_done.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/check.h"
#include "core/fault.h"
#include "core/monotime.h"
#include "engine/script_hooks.h"
#include "engine/script_ops.h"
#include "engine/worker_record.h"
#include "engine/worker_users.h"

static sl_result_t transport_result(sl_slot_t *s, CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return SL_R_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return SL_R_TIMEOUT;
    case CURLE_SEND_ERROR:
        return SL_R_WRITE;
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        return SL_R_READ;
    case CURLE_PARTIAL_FILE:
        return SL_R_TRUNCATED;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return SL_R_PROTOCOL;
    case CURLE_FILESIZE_EXCEEDED:
        return SL_R_TOO_LARGE;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return SL_R_TLS;
    case CURLE_WRITE_ERROR:
        return s->too_large ? SL_R_TOO_LARGE : SL_R_OTHER;
    default:
        return SL_R_OTHER;
    }
}

static sl_result_t check_response(sl_worker_t *w, sl_slot_t *s, long status, char *reason,
                                  size_t reason_len)
{
    if (w->decrypter != NULL && s->resp_body.len > 0) { /* encrypted to the signing key */
        int d = sl_wsse_decrypt(w->decrypter, s->resp_body.data, s->resp_body.len, &w->decrypted,
                                reason, reason_len);
        if (d < 0)
            return SL_R_SIGNATURE;
        if (d == 1) {
            sl_buf_t t = s->resp_body;
            s->resp_body = w->decrypted;
            w->decrypted = t;
        }
    }
    sl_result_t r =
        sl_check_response(status, s->resp_body.data, s->resp_body.len, w->cfg->id_element,
                          s->req.id.data, s->req.id.len, s->req.check_id);
    if (r == SL_R_OK && w->verifier != NULL) { /* a bad signature fails whatever the hook says */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        if (sl_wsse_verify(w->verifier, s->resp_body.data, s->resp_body.len,
                           (double)now.tv_sec + (double)now.tv_nsec / 1e9, reason,
                           reason_len) != SL_WSSE_SIG_VALID)
            return SL_R_SIGNATURE;
    }
    if (r == SL_R_OK && w->validate != NULL &&
        sl_validate_body(w->validate, s->resp_body.data, s->resp_body.len, reason, reason_len))
        return SL_R_SCHEMA;
    if ((r != SL_R_OK && r != SL_R_SOAP_FAULT) || !sl_script_has_op_response(w->script, s->op))
        return r;
    /* a response hook that takes a fifth parameter sees Faults too: it may expect one */
    sl_fault_t fault;
    int is_fault =
        r == SL_R_SOAP_FAULT &&
        sl_fault_parse(s->resp_body.data ? s->resp_body.data : "", s->resp_body.len, &fault) == 1;
    if (r == SL_R_SOAP_FAULT && (!is_fault || !sl_script_op_sees_faults(w->script, s->op)))
        return r;
    int verdict;
    if (s->flow1 != 0) /* a flow's step: its response() gets the flow's variables */
        sl_flowrun_use(w->flows, w->script, s->flow1 - 1);
    int rc = sl_script_response(
        w->script, s->op, status, s->resp_head.data ? s->resp_head.data : "", s->resp_head.len,
        s->resp_body.data ? s->resp_body.data : "", s->resp_body.len, s->req.id.data,
        is_fault ? &fault : NULL, &verdict, reason, reason_len, w->err, sizeof(w->err));
    sl_script_use_vars(w->script, SL_SCRIPT_NO_VARS);
    if (rc != 0) {
        sl_worker_record_script_error(w, w->err);
        return SL_R_SCRIPT_ERROR;
    }
    switch (verdict) {
    case SL_VERDICT_FAIL:
        return SL_R_CHECK_FAILED;
    case SL_VERDICT_PASS:
        return SL_R_OK;
    case SL_VERDICT_EXPECTED_FAULT:
        if (is_fault)
            return SL_R_EXPECTED_FAULT;
        snprintf(reason, reason_len,
                 "response() returned \"expected_fault\" for a response without a SOAP Fault");
        return SL_R_CHECK_FAILED;
    default: /* nothing declared: a Fault stays one */
        return r;
    }
}

static void release(sl_worker_t *w, sl_slot_t *s)
{
    curl_multi_remove_handle(w->multi, s->easy);
    if (s->fast)
        sl_h1_cancel(s->h1); /* cancelled in flight: its connection closes */
    w->in_flight--;
    s->busy = 0;
    const sl_delay_t *think = sl_worker_users_ended(w, s);
    if (think != NULL && !w->sending_over) { /* it thinks before it is free again */
        uint64_t pause = sl_delay_draw_ns(think, &w->think_rng);
        if (sl_waitq_push(&w->thinking, sl_monotime_ns() + pause, (uint32_t)(s - w->slots)) == 0) {
            sl_worker_users_think(w, s, 1);
            return;
        }
    }
    s->next_free = w->free_slots;
    w->free_slots = s;
}

/* Why a request failed, in words, for the "Top failure reasons", per operation; the first
 * failure of each reason keeps its response body (or libcurl's message) as a sample. */
static void add_reason(sl_worker_t *w, const sl_slot_t *s, sl_result_t r, CURLcode rc, long status,
                       const char *reason)
{
    char text[SL_REASON_TEXT];
    const char *why = text;
    int transport = 0;
    switch (r) {
    case SL_R_CHECK_FAILED: /* response() returned false, reason */
    case SL_R_SIGNATURE:    /* the signature check's reason */
    case SL_R_SCHEMA:       /* the first error of the validation */
        why = reason;
        break;
    case SL_R_SOAP_FAULT:
        sl_reasons_fault_text(s->resp_body.data, s->resp_body.len, text, sizeof(text));
        break;
    case SL_R_HTTP_STATUS:
        snprintf(text, sizeof(text), "HTTP %ld", status);
        break;
    case SL_R_ID_MISMATCH:
        why = "the response does not echo the request's ID";
        break;
    case SL_R_MALFORMED:
        why = "the response is not well-formed XML";
        break;
    case SL_R_TOO_LARGE:
        why = "the response body exceeded --max-body";
        transport = 1;
        break;
    case SL_R_CONNECT:
    case SL_R_TIMEOUT:
    case SL_R_WRITE:
    case SL_R_READ:
    case SL_R_TRUNCATED:
    case SL_R_PROTOCOL:
    case SL_R_TLS:
    case SL_R_OTHER: /* libcurl's message for its error code: the same text for the same cause */
        why = curl_easy_strerror(rc);
        transport = 1;
        break;
    default: /* ok, or a kind that is its own reason */
        return;
    }
    sl_reason_t *e = sl_reasons_add_op(&w->reasons, s->op, r, why, 1);
    if (e == NULL || e->has_sample)
        return;
    if (transport) /* no response: the sample is libcurl's own message, details included */
        sl_reasons_sample(e, 0, s->errbuf, strlen(s->errbuf), 0);
    else
        sl_reasons_sample(e, status, s->resp_body.data, s->resp_body.len, 0);
}

/* The bytes of the request's body written. */
static curl_off_t uploaded(const sl_slot_t *s)
{
    curl_off_t up = 0;
    if (s->fast)
        return s->fast_up;
    if (curl_easy_getinfo(s->easy, CURLINFO_SIZE_UPLOAD_T, &up) != CURLE_OK || up < 0)
        up = 0;
    return up;
}

/* Counts a request that carried tags as it ends: each tag value's results get what an
 * operation's would (scheduled, sent, how it ended, bytes, both latencies). */
static void count_tags(sl_worker_t *w, const sl_slot_t *s, sl_result_t r, uint64_t done,
                       long status)
{
    const char *p = s->req.tags.data;
    curl_off_t up = s->sent_ns != 0 ? uploaded(s) : 0;
    for (int k = 0; k < s->req.ntags; k++) {
        size_t nlen = strlen(p);
        const char *v = p + nlen + 1;
        size_t vlen = strlen(v);
        int i = sl_tags_slot(&w->tags, p, nlen, v, vlen);
        p = v + vlen + 1;
        if (i < 0) /* out of memory: the tag results then say they do not add up */
            continue;
        sl_op_stats_t *t = w->tags.items[i].stats;
        t->counts.scheduled++;
        int refused = s->prereqs - 1 - s->goaway.resends; /* resends soapload refused */
        t->counts.retried += refused > 0 ? (uint64_t)refused : 0;
        if (s->sent_ns == 0) {
            t->counts.before_send[r]++;
            continue;
        }
        t->counts.sent++;
        t->counts.results[r]++;
        t->counts.bytes_sent += (uint64_t)up;
        if (status > 0) { /* a response came */
            t->counts.bytes_received += s->resp_body.len;
            sl_hist_record(t->from_due, (done - s->due_ns) / 1000);
            sl_hist_record(t->service, (done - s->sent_ns) / 1000);
        }
    }
}

/* Ends the request on slot s with result r: the trace line, then the board, then the counts,
 * so that a worker dying in between leaves the parent a line for it and counts that add up. */
static void finish(sl_worker_t *w, sl_slot_t *s, sl_result_t r, uint64_t done, long status)
{
    char name[64];
    const char *outcome = sl_result_name(r);
    if (s->sent_ns == 0)
        outcome = sl_worker_record_outcome(r, name, sizeof(name));
    sl_conns_done(s->easy, &s->tconn);
    /* a worker killed between its line and the board's busy = 0 leaves both: the parent
     * then sees the line was made (the trace grew past this mark) and adds no second one */
    __atomic_store_n(&s->bc->traced_at, sl_board_trace_bytes(w->board), __ATOMIC_RELEASE);
    sl_worker_record_trace_line(w, s->op, s->flow1, s->req.id.data, s->req.id.len, s->local_port,
                                s->due_ns, s->sent_ns, s->first_byte_ns, done, status, &s->tconn,
                                outcome);
    __atomic_store_n(&s->bc->busy, 0, __ATOMIC_RELEASE);
    if (s->sent_ns == 0) {
        sl_worker_record_before_send(w, r);
        if (s->op >= 0)
            w->ops[s->op].counts.before_send[r]++;
    } else {
        curl_off_t up = uploaded(s);
        w->counts->bytes_sent += (uint64_t)up;
        w->second_counts.bytes_sent += (uint64_t)up;
        sl_worker_record_result(w, r);
        if (s->op >= 0) {
            w->ops[s->op].counts.bytes_sent += (uint64_t)up;
            w->ops[s->op].counts.results[r]++;
        }
    }
    if (s->req.ntags > 0)
        count_tags(w, s, r, done, status);
    sl_worker_record_spool(w, s, done ? done : sl_monotime_ns());
    release(w, s);
    if (s->req.body_ref > 0)
        sl_request_release_body(&s->req);
    if (s->flow1 != 0 && s->sent_ns != 0 && w->flows->any_cookies && s->resp_head.len > 0)
        sl_flowrun_take_cookies(w->flows, s->flow1 - 1, s->resp_head.data, s->resp_head.len);
    if (s->flow1 != 0) { /* its flow goes on, ends or fails with it */
        uint32_t flow = s->flow1 - 1;
        s->flow1 = 0;
        sl_flowrun_step_done(w->flows, w->script, flow, (int)r, done ? done : sl_monotime_ns());
    }
}

void sl_worker_done_complete(sl_worker_t *w, sl_slot_t *s, CURLcode rc)
{
    uint64_t now = sl_monotime_ns();
    sl_result_t r;
    long status = 0;
    char reason[SL_REASON_TEXT] = "";
    if (rc != CURLE_OK && sl_goaway_requeue(&s->goaway)) {
        /* a GOAWAY left it unprocessed and libcurl gave up: on a new connection, same ID */
        curl_multi_remove_handle(w->multi, s->easy);
        s->errbuf[0] = '\0';
        if (curl_multi_add_handle(w->multi, s->easy) == CURLM_OK)
            return;
    }
    if (rc == CURLE_OK) {
        if (s->fast)
            status = s->fast_status;
        else
            curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        w->counts->bytes_received += s->resp_body.len;
        w->second_counts.bytes_received += s->resp_body.len;
        r = check_response(w, s, status, reason, sizeof(reason));
        uint64_t sent = s->sent_ns ? s->sent_ns : s->due_ns;
        sl_hist_record(w->latency, (now - s->due_ns) / 1000);
        sl_hist_record(w->second_latency, (now - s->due_ns) / 1000);
        sl_hist_record(w->service, (now - sent) / 1000);
        if (s->op >= 0) {
            w->ops[s->op].counts.bytes_received += s->resp_body.len;
            sl_hist_record(w->ops[s->op].from_due, (now - s->due_ns) / 1000);
            sl_hist_record(w->ops[s->op].service, (now - sent) / 1000);
            /* a full memory loses a point of the chart, not a count */
            (void)sl_opseries_record(&w->series, s->op, (now - w->t0) / 1000000000ULL,
                                     (now - s->due_ns) / 1000, 1);
        }
        sl_hist_record(w->second_service, (now - sent) / 1000);
    } else if (s->prereqs - s->goaway.resends > 1) {
        r = SL_R_READ; /* closed without an answer after it was written: resend refused */
        snprintf(s->errbuf, sizeof(s->errbuf),
                 "the reused connection closed without an answer after the request was written; "
                 "libcurl's resend refused");
    } else if (rc == CURLE_OUT_OF_MEMORY && s->status_seen) {
        /* libcurl refuses a response header line longer than its limit (100 KiB in 7.88)
         * with "out of memory": the response, not the machine, is at fault */
        s->protocol_error = "a response header line longer than libcurl accepts (100 KiB)";
        r = SL_R_PROTOCOL;
        snprintf(s->errbuf, sizeof(s->errbuf), "%s", s->protocol_error);
    } else if (s->protocol_error != NULL) {
        r = SL_R_PROTOCOL;
        snprintf(s->errbuf, sizeof(s->errbuf), "%s", s->protocol_error);
    } else {
        r = transport_result(s, rc);
        if (s->errbuf[0] == '\0')
            snprintf(s->errbuf, sizeof(s->errbuf), "%s", curl_easy_strerror(rc));
    }
    if (rc != CURLE_OK && w->board->first_error[r][0] == '\0')
        snprintf(w->board->first_error[r], SL_BOARD_ERROR_CAP, "%.*s", SL_BOARD_ERROR_CAP - 1,
                 s->errbuf);
    if (s->sent_ns != 0)
        sl_hist_record(w->lateness, s->sent_ns > s->due_ns ? (s->sent_ns - s->due_ns) / 1000 : 0);
    add_reason(w, s, r, rc, status, reason);
    finish(w, s, r, now, status);
}

void sl_worker_done_collect(sl_worker_t *w)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE ||
            (w->fast && sl_h1_connected(&w->h1, m->easy_handle, m->data.result)))
            continue;
        sl_slot_t *s;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
        sl_worker_done_complete(w, s, m->data.result);
    }
}

void sl_worker_done_cancel(sl_worker_t *w)
{
    for (int i = 0; i < w->nslots; i++) {
        sl_slot_t *s = &w->slots[i];
        if (s->busy)
            finish(w, s, SL_R_CANCELLED, 0, 0);
    }
}
