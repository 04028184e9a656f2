/*
 * worker_record: the record of a worker's requests. The trace and the spool are written in
 * whole records (O_APPEND keeps workers apart), once a second or when full; the counts on the
 * board are exact at every moment, the second's are sent as it closes.
 */
#include "engine/worker_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/hist.h"
#include "engine/proto.h"

void sl_worker_record_trace_flush(sl_worker_t *w)
{
    sl_board_trace_flush(w->board, w->a->trace_fd); /* an error stays on the board */
}

void sl_worker_record_trace_line(sl_worker_t *w, int op, uint32_t flow1, const char *id,
                                 size_t id_len, int local_port, uint64_t due, uint64_t sent,
                                 uint64_t first_byte, uint64_t done, long status,
                                 const sl_trace_conn_t *tc, const char *outcome)
{
    const char *operation = op >= 0 ? w->cfg->op_names[op] : "";
    char line[SL_TRACE_LINE_MAX];
    sl_trace_flow_t flow, *tf = NULL;
    if (w->a->trace_fd < 0)
        return;
    if (flow1 != 0) { /* a flow's step: the flow is still at it (its end comes after the line) */
        const sl_flow_run_t *r = &w->flows->pool.v[flow1 - 1];
        flow = (sl_trace_flow_t){w->cfg->flows->f[r->flow].name, r->number, r->step + 1, r->tries};
        tf = &flow;
    }
    size_t n =
        sl_trace_format(line, sizeof(line), w->realtime_offset, id, id_len, (int)w->pid, local_port,
                        due, sent, first_byte, done, status, operation, tc, outcome, tf);
    if (n == 0) { /* an ID too long for the line buffer */
        char *big = malloc(2 * id_len + SL_TRACE_LINE_MAX);
        if (big == NULL)
            return;
        n = sl_trace_format(big, 2 * id_len + SL_TRACE_LINE_MAX, w->realtime_offset, id, id_len,
                            (int)w->pid, local_port, due, sent, first_byte, done, status, operation,
                            tc, outcome, tf);
        sl_board_trace_add(w->board, w->a->trace_fd, big, n);
        free(big);
        return;
    }
    sl_board_trace_add(w->board, w->a->trace_fd, line, n);
}

/* A line without a connection: the request was never sent. */
void sl_worker_record_unsent(sl_worker_t *w, int op, uint32_t flow1, const char *id, size_t id_len,
                             uint64_t due, const char *outcome)
{
    sl_worker_record_trace_line(w, op, flow1, id, id_len, 0, due, 0, 0, 0, 0, NULL, outcome);
}

/* ---- the spool of send records, for the concurrency analysis --------------------------------- */

static void spool_flush(sl_worker_t *w)
{
    (void)sl_file_write_all(w->a->spool_fd, w->spool, w->nspool * sizeof(sl_sendrec_t));
    w->nspool = 0;
    if (w->spool_ids.len > 0 && w->a->ids_fd >= 0)
        (void)sl_file_write_all(w->a->ids_fd, w->spool_ids.data, w->spool_ids.len);
    sl_buf_clear(&w->spool_ids);
}

void sl_worker_record_spool(sl_worker_t *w, const sl_slot_t *s, uint64_t done)
{
    if (w->a->spool_fd < 0 || w->spooled >= w->a->spool_cap)
        return;
    w->spooled++;
    w->spool[w->nspool++] = (sl_sendrec_t){.sent_ns = s->sent_ns,
                                           .done_ns = done,
                                           .seq = s->seq,
                                           .port = (uint16_t)s->local_port,
                                           .worker = (uint16_t)w->a->index,
                                           .custom_id = (uint32_t)s->custom_id};
    if (s->custom_id) { /* the ID as sent, for the few requests the report lists */
        sl_idrec_t h = {.seq = s->seq,
                        .worker = (uint16_t)w->a->index,
                        .len = (uint16_t)(s->req.id.len < 65535 ? s->req.id.len : 65535)};
        if (sl_buf_append(&w->spool_ids, (const char *)&h, sizeof(h)) != 0 ||
            sl_buf_append(&w->spool_ids, s->req.id.data, h.len) != 0)
            w->spool[w->nspool - 1].custom_id = 0;
    }
    if (w->nspool == sizeof(w->spool) / sizeof(w->spool[0]))
        spool_flush(w);
}

/* ---- reporting ------------------------------------------------------------------------ */

void sl_worker_record_script_error(sl_worker_t *w, const char *msg)
{
    if (w->script_error_sent)
        return; /* the first one tells the story; the counts tell how many */
    w->script_error_sent = 1;
    sl_proto_send(w->a->report_fd, SL_MSG_SCRIPT_ERROR, msg, strlen(msg), NULL, 0);
}

void sl_worker_record_second(sl_worker_t *w)
{
    uint64_t rest_k = w->second - w->rest.first_second;
    if (w->rest.per_second != NULL && w->second >= w->rest.first_second &&
        rest_k < w->rest.nseconds) { /* per-second scheduled is by due time, aborted or not */
        w->second_counts.scheduled += w->rest.per_second[rest_k];
        w->second_counts.not_sent += w->rest.per_second[rest_k];
    }
    sl_msg_interval_t m = {
        .second = w->second, .counts = w->second_counts, .in_flight_max = w->second_in_flight_max};
    const sl_hist_t *hs[2] = {w->second_latency, w->second_service};
    sl_buf_clear(&w->second_buf);
    for (int i = 0; i < 2; i++) {
        size_t need = sl_hist_encode(hs[i], NULL, 0);
        if (sl_buf_reserve(&w->second_buf, need) == 0)
            w->second_buf.len +=
                sl_hist_encode(hs[i], (uint8_t *)w->second_buf.data + w->second_buf.len, need);
    }
    sl_proto_send(w->a->report_fd, SL_MSG_INTERVAL, &m, sizeof(m), w->second_buf.data,
                  w->second_buf.len);
    sl_hist_reset(w->second_latency);
    sl_hist_reset(w->second_service);
    memset(&w->second_counts, 0, sizeof(w->second_counts));
    if (w->a->trace_fd >= 0)
        sl_worker_record_trace_flush(w);
    if (w->nspool > 0)
        spool_flush(w);
    w->second_in_flight_max = w->in_flight;
    w->second++;
}

void sl_worker_record_result(sl_worker_t *w, sl_result_t r)
{
    w->counts->results[r]++;
    w->second_counts.results[r]++;
}

/* Counts a request that ended before any byte of it was written. */
void sl_worker_record_before_send(sl_worker_t *w, sl_result_t r)
{
    w->counts->before_send[r]++;
    w->second_counts.before_send[r]++;
}

/* The trace's outcome of a request that failed before it was written: "connect_before_send";
 * --reconcile reads every outcome that is not a result kind as "nothing went out". */
const char *sl_worker_record_outcome(sl_result_t r, char *buf, size_t len)
{
    snprintf(buf, len, "%s_before_send", sl_result_name(r));
    return buf;
}

/* The results of scenario sc (the tag scenario=NAME), or NULL in a run without scenarios. */
sl_op_stats_t *sl_worker_record_scenario(sl_worker_t *w, int sc)
{
    const sl_scenarios_t *ss = w->cfg->scenarios;
    if (ss == NULL)
        return NULL;
    const char *name = ss->s[sc].name;
    int i = sl_tags_slot(&w->tags, SL_SCENARIO_TAG, strlen(SL_SCENARIO_TAG), name, strlen(name));
    return i < 0 ? NULL : w->tags.items[i].stats; /* out of memory: the tags do not add up */
}

/* Counts a request of the entry being dispatched that ended before it took a slot (its tags
 * are not counted as it ends) in its scenario's results; `failure` says how. */
void sl_worker_record_scenario_unsent(sl_worker_t *w, int script_error, sl_result_t failure)
{
    sl_op_stats_t *t = sl_worker_record_scenario(w, w->due_sc);
    if (t == NULL)
        return;
    t->counts.scheduled++;
    if (script_error)
        t->counts.script_errors_before_send++;
    else
        t->counts.before_send[failure]++;
}

void sl_worker_record_script_error_before_send(sl_worker_t *w, const sl_slot_t *s, const char *id,
                                               size_t id_len, uint64_t due_ns)
{
    w->counts->script_errors_before_send++;
    w->second_counts.script_errors_before_send++;
    if (s->op >= 0)
        w->ops[s->op].counts.script_errors_before_send++;
    sl_worker_record_scenario_unsent(w, 1, SL_R_OK);
    sl_worker_record_script_error(w, w->err);
    sl_worker_record_unsent(w, s->op, s->flow1, id, id_len, due_ns, "script_error_before_send");
}
