/*
 * worker: one forked worker process, glued together: its Lua state builds the requests
 * (engine/script.h), libcurl's multi interface driven by epoll sends them at the paced times
 * (worker_loop.c, worker_send.c, worker_done.c), and the results go to the parent
 * (worker_record.c, then the final report here). This file sets a worker up, starts its script,
 * waits for the common start, and reports and cleans up at the end.
 */
#include "engine/worker.h"

#include <curl/curl.h>
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "core/envelope.h"
#include "core/monotime.h"
#include "core/reqid.h"
#include "engine/proto.h"
#include "engine/script_ops.h"
#include "engine/worker_fast.h"
#include "engine/worker_loop.h"
#include "engine/worker_record.h"
#include "engine/worker_send.h"
#include "engine/worker_sock.h"
#include "engine/worker_state.h"
#include "engine/worker_users.h"

/* The run's header lines (engine/head.h), as libcurl takes them. Returns NULL when out of
 * memory. */
static struct curl_slist *default_headers(sl_worker_t *w)
{
    struct curl_slist *h = NULL;
    sl_head_defaults(&w->head, w->cfg);
    for (int i = 0; i < w->head.n; i++)
        h = curl_slist_append(h, w->head.line[i]);
    return h;
}

/* The signing key as a decryption key for responses encrypted to it. Returns 0, or -1 with
 * w->err. */
static int open_decrypter(sl_worker_t *w)
{
    const sl_wsse_opts_t *o = &w->cfg->wsse;
    char *pw = NULL;
    if ((o->key_password_env != NULL || o->key_password_file != NULL) &&
        (pw = sl_transport_read_secret(
             o->key_password_env, o->key_password_file, "--wsse-sign-key-password-env",
             "--wsse-sign-key-password-file", w->err, sizeof(w->err))) == NULL)
        return -1;
    w->decrypter = sl_wsse_decrypt_open(o->key, pw, "--wsse-sign-key", w->err, sizeof(w->err));
    if (pw != NULL) {
        explicit_bzero(pw, strlen(pw));
        free(pw);
    }
    return w->decrypter != NULL ? 0 : -1;
}

static int setup(sl_worker_t *w)
{
    const sl_config_t *cfg = w->cfg;
    int n = w->nslots = w->a->connections * cfg->streams;
    w->pid = getpid();
    sl_reqid_t id = {.segmented = cfg->nsegments > 0, .segment = cfg->segment, .pid = (int)w->pid};
    w->id_prefix_len = sl_reqid_prefix(&id, w->id_prefix, sizeof(w->id_prefix));
    w->latency = calloc(1, sizeof(sl_hist_t));
    w->service = calloc(1, sizeof(sl_hist_t));
    w->lateness = calloc(1, sizeof(sl_hist_t));
    w->second_latency = calloc(2, sizeof(sl_hist_t)); /* and second_service after it */
    w->slots = calloc((size_t)n, sizeof(sl_slot_t));
    w->think_rng = (cfg->seed + (uint64_t)w->a->index + 1) * 0x9E3779B97F4A7C15ULL | 1;
    w->headers = default_headers(w);
    w->multi = curl_multi_init();
    w->url = curl_url();
    if (w->url != NULL && curl_url_set(w->url, CURLUPART_URL, cfg->url, 0) != CURLUE_OK) {
        curl_url_cleanup(w->url); /* libcurl tells what is wrong with it, per request */
        w->url = NULL;
    }
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    if (!w->latency || !w->service || !w->lateness || !w->second_latency || !w->slots ||
        !w->headers || !w->multi || w->ep < 0 || sl_waitq_init(&w->thinking, (size_t)n) != 0) {
        snprintf(w->err, sizeof(w->err), "cannot set up the worker: %s", strerror(errno));
        return -1;
    }
    sl_hist_reset(w->latency);
    sl_hist_reset(w->service);
    sl_hist_reset(w->lateness);
    w->second_service = w->second_latency + 1;
    sl_hist_reset(w->second_latency);
    sl_hist_reset(w->second_service);
    if (sl_conns_init(&w->conns, w->a->trace_fd >= 0) != 0) {
        snprintf(w->err, sizeof(w->err), "cannot set up the worker: out of memory");
        return -1;
    }
    if (sl_transport_open(&w->transport, cfg, w->err, sizeof(w->err)) != 0)
        return -1;
    if (sl_wsse_opts_rewrites(&cfg->wsse) &&
        (w->signer = sl_wsse_rewrite_open(cfg, w->err, sizeof(w->err))) == NULL)
        return -1;
    if (cfg->wsse.key != NULL && open_decrypter(w) != 0)
        return -1;
    if (cfg->wsse.verify_cert != NULL &&
        (w->verifier = sl_wsse_verify_open(cfg->wsse.verify_cert, "--wsse-verify-cert", 0,
                                           (double)SL_WSSE_DEFAULT_TTL_NS / 1e9, w->err,
                                           sizeof(w->err))) == NULL)
        return -1;
    if (cfg->wsse.verify_ca != NULL &&
        (w->verifier = sl_wsse_verify_open_ca(cfg->wsse.verify_ca, "--wsse-verify-ca", 0,
                                              (double)SL_WSSE_DEFAULT_TTL_NS / 1e9, w->err,
                                              sizeof(w->err))) == NULL)
        return -1;
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, sl_worker_sock_on_socket);
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, sl_worker_sock_on_timer);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    sl_transport_multi(cfg, w->multi, w->a->connections);
    for (int i = n - 1; i >= 0; i--) {
        w->slots[i].bc = sl_board_conn(w->board, i);
        if (sl_worker_send_setup_slot(w, &w->slots[i]) != 0) {
            snprintf(w->err, sizeof(w->err), "cannot create a libcurl handle");
            return -1;
        }
        w->slots[i].next_free = w->free_slots;
        w->free_slots = &w->slots[i];
    }
    w->curl_deadline = SL_WORKER_NEVER;
    if (sl_worker_fast_open(w) != 0)
        return -1;

    /* the built-in request: a fixed head and tail around the escaped ID */
    sl_buf_t inner = {0};
    sl_buf_t env = {0};
    sl_envelope_echo_append(&inner, cfg->id_element, "\x01", 1);
    sl_envelope_append(&env, cfg->soap_version, inner.data, inner.len);
    char *mark = strchr(env.data, '\x01');
    sl_buf_append(&w->body_head, env.data, (size_t)(mark - env.data));
    sl_buf_append(&w->body_tail, mark + 1, env.len - (size_t)(mark + 1 - env.data));
    sl_buf_free(&inner);
    sl_buf_free(&env);
    return 0;
}

/* ---- the trace ------------------------------------------------------------------------ */
static void cleanup(sl_worker_t *w)
{
    sl_validate_free(w->validate);
    for (int i = 0; w->slots != NULL && i < w->nslots; i++) {
        sl_slot_t *s = &w->slots[i];
        if (s->easy != NULL)
            curl_easy_cleanup(s->easy);
        curl_slist_free_all(s->own_headers);
        sl_request_free(&s->req); /* before the script closes: it may hold the body */
        sl_buf_free(&s->resp_body);
        sl_buf_free(&s->resp_head);
        sl_buf_free(&s->cookie);
    }
    if (w->fast)
        sl_h1_close(&w->h1);
    if (w->multi != NULL)
        curl_multi_cleanup(w->multi);
    curl_slist_free_all(w->headers);
    curl_url_cleanup(w->url);
    if (w->ep >= 0)
        close(w->ep);
    sl_buf_free(&w->body_head);
    sl_buf_free(&w->body_tail);
    free(w->slots);
    free(w->latency);
    free(w->service);
    free(w->lateness);
    free(w->second_latency);
    sl_conns_free(&w->conns);
    sl_goaway_free(&w->goaway);
    sl_transport_close(&w->transport);
    sl_wsse_rewrite_close(w->signer);
    sl_wsse_verify_close(w->verifier);
    sl_wsse_decrypt_close(w->decrypter);
    sl_buf_free(&w->decrypted);
    sl_buf_free(&w->second_buf);
    sl_buf_free(&w->spool_ids);
    sl_waitq_free(&w->thinking);
    if (w->flows != NULL)
        sl_flowrun_free(w->flows, w->script);
    free(w->flows);
    sl_script_close(w->script);
    sl_opstats_free(w->ops, w->nops);
    sl_opseries_free(&w->series);
    sl_tags_free(&w->tags);
    sl_mix_free(&w->mix);
    sl_scenario_plan_free(&w->plan);
    sl_worker_users_free(w);
    free(w->rest_plan);
    sl_rest_free(&w->rest);
}

static int send_final(sl_worker_t *w)
{
    sl_msg_final_t m = {
        .counts = *w->counts, .max_in_flight = w->max_in_flight, .last_seq = w->seq};
    sl_buf_t hists = {0};
    const sl_hist_t *hs[3] = {w->latency, w->service, w->lateness};
    for (int i = 0; i < 3; i++) {
        size_t need = sl_hist_encode(hs[i], NULL, 0);
        if (sl_buf_reserve(&hists, need) != 0)
            return -1;
        hists.len += sl_hist_encode(hs[i], (uint8_t *)hists.data + hists.len, need);
    }
    int rc = 0;
    if (w->reasons.n > 0 || w->reasons.other > 0) /* before the final report: it ends the worker */
        rc = sl_proto_send(w->a->report_fd, SL_MSG_REASONS, &w->reasons, sizeof(w->reasons), NULL,
                           0);
    if (rc == 0 && w->nops > 0) { /* before the final report too */
        sl_buf_t ops = {0};
        rc = sl_opstats_encode(w->ops, w->nops, &ops);
        if (rc == 0)
            rc = sl_proto_send(w->a->report_fd, SL_MSG_OPS, ops.data, ops.len, NULL, 0);
        sl_buf_clear(&ops);
        if (rc == 0 && sl_opseries_encode(&w->series, &ops) == 0) /* the chart's part */
            rc = sl_proto_send(w->a->report_fd, SL_MSG_OPSERIES, ops.data, ops.len, NULL, 0);
        sl_buf_free(&ops);
    }
    if (rc == 0 && w->tags.n > 0) { /* before the final report too */
        sl_buf_t tags = {0};
        rc = sl_tags_encode(&w->tags, &tags);
        if (rc == 0)
            rc = sl_proto_send(w->a->report_fd, SL_MSG_TAGS, tags.data, tags.len, NULL, 0);
        sl_buf_free(&tags);
    }
    if (rc == 0 && w->flows != NULL) /* before the final report too */
        rc = sl_flowrun_report(w->flows, w->a->report_fd);
    if (rc == 0)
        rc = sl_conns_report(&w->conns, w->a->report_fd);
    if (rc == 0 && w->validate != NULL) {
        sl_validate_stats_t v = sl_validate_stats(w->validate);
        rc = sl_proto_send(w->a->report_fd, SL_MSG_VALIDATION, &v, sizeof(v), NULL, 0);
    }
    if (rc == 0)
        rc = sl_proto_send(w->a->report_fd, SL_MSG_FINAL, &m, sizeof(m), hists.data, hists.len);
    sl_buf_free(&hists);
    return rc;
}

/* The worker's script: loaded, seeded, its operations bound, init() run; the results of the
 * operations, scenarios and flows made ready. Returns 0, or -1 with w->err. */
static int start_script(sl_worker_t *w)
{
    const sl_worker_args_t *a = w->a;
    w->script = sl_script_load(a->cfg->script_path, a->script_text, a->script_len, a->cfg, w->err,
                               sizeof(w->err));
    if (w->script == NULL)
        return -1;
    sl_script_watch(w->script, a->report_fd, a->index + 1);
    sl_script_publish(w->script, a->cfg, a->index + 1, w->pid);
    sl_script_seed(w->script, sl_script_worker_seed(a->cfg->seed,
                                                    a->index + a->cfg->segment * SL_MAX_WORKERS));
    if (a->cfg->nops > 0) {
        w->nops = a->cfg->nops;
        if (sl_script_operations(w->script, a->cfg, w->err, sizeof(w->err)) != 0 ||
            sl_mix_init(&w->mix, a->cfg->op_weights, a->cfg->nops, w->err, sizeof(w->err)) != 0)
            return -1;
        if ((w->ops = sl_opstats_new(w->nops)) == NULL ||
            sl_opseries_init(&w->series, w->nops) != 0) {
            snprintf(w->err, sizeof(w->err), "out of memory for %d operations' results", w->nops);
            return -1;
        }
    }
    if (sl_script_init(w->script, a->cfg->script_args, a->cfg->nargs, w->err, sizeof(w->err)) != 0)
        return -1;
    if (a->cfg->validate_pct > 0 &&
        (w->validate = sl_validate_new(a->cfg->schema, a->cfg->validate_pct)) == NULL) {
        snprintf(w->err, sizeof(w->err), "out of memory for the schema validation");
        return -1;
    }
    w->want_resp_headers = sl_script_has_response(w->script);
    if (!a->cfg->closed &&
        sl_scenario_plan_init(&w->plan, a->cfg, a->index, a->nworkers, w->err, sizeof(w->err)) != 0)
        return -1;
    if (sl_worker_users_init(w) != 0) /* closed-model scenarios */
        return -1;
    /* each scenario's results first, whatever the other tags */
    for (int i = 0; a->cfg->scenarios != NULL && i < a->cfg->scenarios->n; i++)
        sl_worker_record_scenario(w, i);
    if (a->cfg->flows != NULL) { /* room for a flow per second of steps at 1,000 flows/s */
        if ((w->flows = calloc(1, sizeof(*w->flows))) == NULL ||
            sl_flowrun_init(w->flows, a->cfg, 65536, w->think_rng, a->board->flows, w->err,
                            sizeof(w->err)) != 0) {
            if (w->err[0] == '\0')
                snprintf(w->err, sizeof(w->err), "out of memory for the flows");
            return -1;
        }
        w->flows->loop = a->cfg->closed; /* virtual users, each running flows in a loop */
        w->want_resp_headers |= w->flows->any_cookies; /* their Set-Cookie lines */
        w->flows->user_offset = (uint64_t)a->index * w->flows->mix.cycle / (uint64_t)a->nworkers;
        if (sl_flowrun_users_init(w->flows, a->cfg, a->index, a->nworkers, w->err,
                                  sizeof(w->err)) != 0) /* closed-model scenarios */
            return -1;
    }
    for (int i = 0; i < w->nops; i++)
        w->want_resp_headers |= sl_script_has_op_response(w->script, i);
    return 0;
}

/* Waits for the common start time the parent sends once every worker is ready, then until
 * it. Returns 0, or -1 when the parent gave up. */
static int wait_start(sl_worker_t *w)
{
    const sl_worker_args_t *a = w->a;
    uint64_t t0;
    /* the parent answers with the common start time once every worker is ready */
    ssize_t n;
    while ((n = read(a->control_fd, &t0, sizeof(t0))) < 0 && errno == EINTR)
        ;
    if (n != sizeof(t0))
        return -1; /* the parent gave up (another worker failed): send nothing */
    w->t0 = t0;
    w->realtime_offset = a->realtime_offset;
    w->t_end = t0 + a->cfg->duration_ns;
    uint64_t now = sl_monotime_ns();
    int told = 0; /* until a start hours ahead (--start-at), a stop from the parent ends the wait */
    while (now + 2000000ULL < t0 && !sl_worker_loop_interrupted() && !told) {
        struct pollfd p = {.fd = a->control_fd, .events = POLLIN};
        uint64_t ms = (t0 - now) / 1000000ULL - 1;
        told =
            poll(&p, 1, ms > 1000 ? 1000 : (int)ms) > 0; /* sl_worker_loop_run reads what it says */
        now = sl_monotime_ns();
    }
    if (now < t0 && !told) {
        struct timespec ts = {.tv_sec = (time_t)((t0 - now) / 1000000000ULL),
                              .tv_nsec = (long)((t0 - now) % 1000000000ULL)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !sl_worker_loop_interrupted())
            ;
    }
    return 0;
}

/* Large request bodies from the heap, kept for the next request: glibc's default gives each
 * allocation over its (adaptive) mmap threshold fresh pages from mmap and gives a free heap top
 * over twice that back to the kernel, so a 1 MB body built in Lua (its concatenation, the
 * envelope, the string pushed back) was page-faulted in anew for every request (1 MB bodies at
 * 100 req/s: 3.1 ms of CPU and 140 page faults per request; 1.1 ms and 25 with this). Fixed
 * thresholds, which also stop glibc's adaptation: blocks under 32 MiB come from the heap, and up
 * to 64 MiB of free heap top stays mapped (a worker's RSS: what it uses, plus at most that).
 * Small bodies never grow the heap that far. AddressSanitizer's mallopt does nothing. */
static void tune_malloc(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

int sl_worker_main(const sl_worker_args_t *a)
{
    sl_worker_t w = {
        .a = a, .cfg = a->cfg, .ep = -1, .board = a->board, .counts = &a->board->counts};
    struct sigaction sa = {.sa_handler = sl_worker_loop_on_signal};
    int status = 1;

    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the parent */
    prctl(PR_SET_TIMERSLACK, 1UL);    /* wake on the due time, not 50 us later */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    tune_malloc();

    if (setup(&w) != 0 || start_script(&w) != 0)
        goto Failed;
    sl_proto_send(a->report_fd, SL_MSG_READY, NULL, 0, NULL, 0);
    if (wait_start(&w) != 0)
        goto Done;
    sl_worker_loop_run(&w);
    a->board->stop_signal = sl_worker_loop_interrupted(); /* the parent tells a stop it asked for */
    status = send_final(&w) == 0 ? 0 : 1;
    goto Done;
Failed:
    sl_proto_send(a->report_fd, SL_MSG_FAILED, w.err, strlen(w.err), NULL, 0);
Done:
    cleanup(&w);
    return status;
}
