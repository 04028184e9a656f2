/*
 * run: fork, synchronise, collect. The parent never blocks on one worker: it polls all the
 * report pipes and a self-pipe that its signal handler writes to.
 */
#include "engine/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/load.h"
#include "core/mix.h"
#include "core/monotime.h"
#include "core/plan.h"
#include "core/scenario.h"
#include "core/scenario_plan.h"
#include "core/scenario_users.h"
#include "core/segment.h"
#include "engine/board.h"
#include "engine/stuck.h"
#include "engine/worker.h"

#define START_LEAD_NS 20000000ULL       /* the start time lies this far after the last ready */
#define READY_TIMEOUT_NS 60000000000ULL /* loading and init() together */
#define OVERRUN_NS (SL_RUN_OVERRUN_S * 1000000000ULL)

typedef struct {
    int report_fd, control_fd;
    sl_proto_reader_t reader;
    int open;
} channel_t;

static volatile sig_atomic_t signals_seen;
static int signal_pipe[2] = {-1, -1};
static pid_t *worker_pids;
static int worker_count;

static void on_signal(int sig)
{
    if (++signals_seen >= 2) { /* the second one: stop at once, workers with us */
        for (int i = 0; i < worker_count; i++)
            if (worker_pids[i] > 0)
                kill(worker_pids[i], SIGKILL);
        _exit(128 + sig);
    }
    int saved = errno;
    if (write(signal_pipe[1], "s", 1) < 0) { /* the pipe is full: a wake-up is pending */
    }
    errno = saved;
}

static int spawn(const sl_config_t *cfg, const char *text, size_t len, sl_run_t *run, channel_t *ch,
                 sl_board_t *board, char *err, size_t errlen)
{
    int per = cfg->connections / cfg->workers, extra = cfg->connections % cfg->workers;
    fflush(NULL); /* buffered output must not be written twice */
    for (int i = 0; i < cfg->workers; i++) {
        int rep[2], ctl[2];
        if (pipe2(rep, O_CLOEXEC) != 0 || pipe2(ctl, O_CLOEXEC) != 0) {
            snprintf(err, errlen, "cannot create pipes: %s", strerror(errno));
            return -1;
        }
        pid_t pid = fork();
        if (pid < 0) {
            snprintf(err, errlen, "cannot fork worker %d: %s", i + 1, strerror(errno));
            return -1;
        }
        if (pid == 0) {
            close(rep[0]);
            close(ctl[1]);
            for (int j = 0; j < i; j++) { /* the other workers' pipes are not ours */
                close(ch[j].report_fd);
                close(ch[j].control_fd);
            }
            close(signal_pipe[0]);
            close(signal_pipe[1]);
            /* input is the parent's: nothing in a worker reads it (a pass phrase prompt, which
             * reads stdin where /dev/tty cannot be opened; sl_tlskey_check keeps OpenSSL from
             * prompting at all) */
            int null_fd = open("/dev/null", O_RDONLY);
            if (null_fd > STDIN_FILENO) {
                dup2(null_fd, STDIN_FILENO);
                close(null_fd);
            }
            sl_worker_args_t a = {.cfg = cfg,
                                  .script_text = text,
                                  .script_len = len,
                                  .index = i,
                                  .nworkers = cfg->workers,
                                  .connections =
                                      cfg->closed && cfg->scenarios != NULL
                                          ? sl_scenario_users_worker(cfg, i, cfg->workers)
                                          : per + (i < extra),
                                  .report_fd = rep[1],
                                  .control_fd = ctl[0],
                                  .trace_fd = board->part_fds ? board->part_fds[i] : -1,
                                  .board = sl_board_worker(board, i),
                                  .spool_fd = run->spool_fd,
                                  .ids_fd = run->ids_fd,
                                  .spool_cap = SL_SPOOL_MAX / (uint64_t)cfg->workers,
                                  .realtime_offset = run->realtime_offset};
            _exit(sl_worker_main(&a));
        }
        close(rep[1]);
        close(ctl[0]);
        fcntl(rep[0], F_SETFL, O_NONBLOCK);
        ch[i] = (channel_t){.report_fd = rep[0], .control_fd = ctl[1], .open = 1};
        run->workers[i].pid = pid;
        worker_pids[i] = pid;
    }
    return 0;
}

/* A second's histogram: the one kept from the last finished second, else a new one. A second
 * gets one only when a sample comes (or when it is finished): a fresh one is 140 KB to zero,
 * which adds up to seconds over the 86,400 sample-less seconds an aborted day-long schedule
 * reports. NULL when out of memory. */
static sl_hist_t *take_hist(sl_run_t *run)
{
    sl_hist_t *h = run->second_spare;
    run->second_spare = NULL;
    if (h == NULL && (h = calloc(1, sizeof(*h))) != NULL)
        sl_hist_reset(h);
    return h;
}

static void finish_second(sl_run_t *run, sl_second_t *s)
{
    if (s->hist_enc != NULL || s->hist_at != 0 || s->reported == 0) /* finished, or no report */
        return;
    if (s->hist == NULL && (s->hist = take_hist(run)) == NULL)
        return;
    s->completed = s->hist->total;
    s->p50 = sl_hist_percentile(s->hist, 50);
    s->p90 = sl_hist_percentile(s->hist, 90);
    s->p99 = sl_hist_percentile(s->hist, 99);
    s->max = s->hist->max;
    /* kept sparse (a few KB, not the whole array) so that merged seconds stay exact */
    size_t need = sl_hist_encode(s->hist, NULL, 0);
    if ((s->hist_enc = malloc(need)) != NULL)
        s->hist_enc_len = sl_hist_encode(s->hist, s->hist_enc, need);
    sl_hist_reset(s->hist); /* for the next second */
    if (run->second_spare == NULL)
        run->second_spare = s->hist;
    else
        free(s->hist);
    s->hist = NULL;
    if (run->on_second != NULL)
        run->on_second(s, run->on_second_data);
    sl_run_spool_second(run, s);
}

static void merge_second(sl_run_t *run, const sl_msg_interval_t *m, const uint8_t *hist,
                         size_t hist_len)
{
    if (m->second > 1000000000ULL)
        return;
    if (m->second >= run->nseconds) {
        size_t n = (size_t)m->second + 1, cap = run->seconds_cap;
        if (n > cap) { /* doubling: an hour's seconds in 12 reallocs, not 3,600 copies */
            cap = cap > 0 ? cap : 64;
            while (cap < n)
                cap *= 2;
            sl_second_t *p = realloc(run->seconds, cap * sizeof(*p));
            if (p == NULL)
                return;
            run->seconds = p;
            run->seconds_cap = cap;
        }
        memset(run->seconds + run->nseconds, 0, (n - run->nseconds) * sizeof(*run->seconds));
        for (size_t i = run->nseconds; i < n; i++)
            run->seconds[i].second = i;
        run->nseconds = n;
    }
    sl_second_t *s = &run->seconds[m->second];
    uint64_t samples = 0; /* the encoding starts with the latency's total */
    if (hist_len >= sizeof(samples))
        memcpy(&samples, hist, sizeof(samples));
    if (s->hist == NULL && samples > 0)
        s->hist = take_hist(run);
    sl_counts_add(&s->counts, &m->counts);
    s->in_flight_max += m->in_flight_max;
    if (s->hist != NULL)
        sl_hist_decode_add(s->hist, hist, hist_len);
    if (++s->reported == run->nworkers - run->workers_died)
        finish_second(run, s);
}

/* Handles one message of worker i. Returns -1 when the worker could not start. */
static int handle(sl_run_t *run, int i, uint32_t type, const uint8_t *p, uint32_t len, char *err,
                  size_t errlen)
{
    sl_worker_report_t *wr = &run->workers[i];
    switch (type) {
    case SL_MSG_READY:
        wr->ready = 1;
        break;
    case SL_MSG_FAILED:
        snprintf(err, errlen, "%.*s", (int)len, (const char *)p);
        return -1;
    case SL_MSG_SCRIPT_ERROR:
        run->script_error_reports++;
        if (run->first_script_error == NULL)
            run->first_script_error = strndup((const char *)p, len);
        break;
    case SL_MSG_INTERVAL:
        if (len >= sizeof(sl_msg_interval_t)) {
            sl_msg_interval_t m;
            memcpy(&m, p, sizeof(m));
            merge_second(run, &m, p + sizeof(m), len - sizeof(m));
            if (run->guest != NULL)
                run->guest->second(run->guest, p + sizeof(m), len - sizeof(m));
            if (!wr->finished)
                sl_counts_add(&wr->counts, &m.counts);
        }
        break;
    case SL_MSG_REASONS:
        sl_reasons_merge_bytes(&run->reasons, p, len); /* a table that does not fit is dropped */
        break;
    case SL_MSG_OPS:
        if (run->ops != NULL && sl_opstats_decode_add(run->ops, run->nops, p, len) != 0)
            run->ops_partial = 1;
        break;
    case SL_MSG_FLOWS:
        if (run->flows != NULL && sl_flow_stats_decode_add(run->flows, run->nflows, p, len) != 0)
            run->flows_partial = 1;
        break;
    case SL_MSG_OPSERIES: /* a series that does not fit leaves a gap in a chart, no count */
        if (run->series.nops > 0)
            (void)sl_opseries_decode_add(&run->series, p, len);
        break;
    case SL_MSG_TAGS:
        if (sl_tags_decode_add(&run->tags, p, len) != 0)
            run->tags_partial = 1;
        break;
    case SL_MSG_CONNS:
        if (len >= sizeof(sl_msg_conns_t)) {
            sl_msg_conns_t m;
            memcpy(&m, p, sizeof(m));
            run->conns_opened += m.opened;
            run->conns_reused += m.reused;
            run->path_fast += m.fast;
            run->path_full += m.full;
            sl_hist_decode_add(run->tls_handshake, p + sizeof(m), len - sizeof(m));
        }
        break;
    case SL_MSG_VALIDATION:
        if (len >= sizeof(sl_validate_stats_t)) {
            sl_validate_stats_t v;
            memcpy(&v, p, sizeof(v));
            run->validation.validated += v.validated;
            run->validation.cpu_ns += v.cpu_ns;
        }
        break;
    case SL_MSG_FINAL:
        if (len >= sizeof(sl_msg_final_t)) {
            sl_msg_final_t m;
            memcpy(&m, p, sizeof(m));
            wr->counts = m.counts; /* exact, replaces the sum of the seconds */
            wr->max_in_flight = m.max_in_flight;
            wr->last_seq = m.last_seq;
            wr->finished = 1;
            size_t off = sizeof(m), used;
            sl_hist_t *hs[3] = {run->latency, run->service, run->lateness};
            for (int h = 0; h < 3; h++, off += used)
                if ((used = sl_hist_decode_add(hs[h], p + off, len - off)) == 0)
                    break;
        }
        break;
    }
    return 0;
}

static void trace_add(sl_board_worker_t *bw, int fd, const sl_run_t *run, const char *id,
                      size_t id_len, int pid, int port, uint64_t due, uint64_t sent,
                      const char *operation, const char *outcome)
{
    char line[SL_TRACE_LINE_MAX];
    size_t n = sl_trace_format(line, sizeof(line), run->realtime_offset, id, id_len, pid, port, due,
                               sent, 0, 0, 0, operation, NULL, outcome, NULL);
    if (n > 0)
        sl_board_trace_add(bw, fd, line, n);
}

/* Each second's share of the open model's schedule: this segment's part of the integral of
 * the rate over it. */
static void set_targets(const sl_config_t *cfg, sl_run_t *run)
{
    for (size_t i = 0; i < run->nseconds && !cfg->closed; i++)
        run->seconds[i].target = sl_load_target(cfg, run->seconds[i].second);
}

/* A worker that ended before its schedule did. Its board holds its exact counts and what was
 * in flight: what it wrote to a socket without a known end is lost_with_worker; what it took
 * but never wrote, and the rest of its schedule, were not sent. Its trace part gets the lines
 * it had not yet written and one line for each of those requests (but one whose line it made
 * before it died). */
static void account_dead(const sl_config_t *cfg, sl_run_t *run, sl_board_t *board, int i)
{
    sl_worker_report_t *wr = &run->workers[i];
    sl_board_worker_t *bw = sl_board_worker(board, i);
    sl_counts_t c = bw->counts;
    int fd = board->part_fds ? board->part_fds[i] : -1;
    uint64_t ended = 0;
    for (int r = 0; r < SL_R_COUNT; r++)
        ended += c.results[r];
    if (c.sent > ended)
        c.results[SL_R_WORKER_DIED] += c.sent - ended;
    uint64_t attempted = c.sent + sl_counts_failed_before_send(&c) + c.script_errors_before_send;
    /* with flows the schedule's entries are flow starts: its requests are what it counted */
    int by_schedule = !cfg->closed && cfg->flows == NULL;
    uint64_t taken = by_schedule ? bw->next_j : c.scheduled;
    for (int k = 0; by_schedule && k < board->conns; k++) { /* killed before next_j reached it */
        sl_board_conn_t *bc = sl_board_conn(bw, k);
        if (bc->busy && bc->next_j > taken)
            taken = bc->next_j;
    }
    uint64_t traced_to = c.scheduled > taken ? c.scheduled : taken; /* its own not_sent lines */
    uint64_t planned = traced_to;
    char why[256];
    sl_scenario_plan_t *plan = by_schedule ? malloc(sizeof(*plan)) : NULL; /* its scenarios */
    int open =
        plan != NULL && sl_scenario_plan_init(plan, cfg, i, run->nworkers, why, sizeof(why)) == 0;
    if (open && !run->interrupted)
        planned = sl_scenario_plan_total(plan);
    c.scheduled = planned > attempted ? planned : attempted;
    c.not_sent = c.scheduled - attempted;
    wr->counts = c;
    wr->last_seq = bw->last_seq;
    if (fd < 0)
        goto cleanup;
    uint64_t traced = sl_board_trace_bytes(bw); /* as the worker left it, before the salvage */
    if (sl_board_trace_salvage(board, i) != 0 && run->trace_error[0] == '\0')
        snprintf(run->trace_error, sizeof(run->trace_error), "%s", strerror(errno));
    for (int k = 0; k < board->conns; k++) {
        sl_board_conn_t *bc = sl_board_conn(bw, k);
        if (bc->busy && !(bc->traced_at != UINT64_MAX && traced > bc->traced_at))
            trace_add(bw, fd, run, bc->id, bc->id_len, (int)wr->pid, bc->port, bc->due_ns,
                      bc->sent_ns, bc->op >= 0 && bc->op < cfg->nops ? cfg->op_names[bc->op] : NULL,
                      bc->sent_ns ? "lost_with_worker" : "not_sent");
    }
    if (open) { /* the rest of its schedule, in the order the worker walked it */
        while (plan->j < traced_to && plan->next_due != SL_PROFILE_END)
            sl_scenario_plan_advance(plan);
        for (; plan->j < c.scheduled && plan->next_due != SL_PROFILE_END;
             sl_scenario_plan_advance(plan)) {
            int op = sl_scenario_plan_op(plan);
            trace_add(bw, fd, run, "", 0, (int)wr->pid, 0, run->t0_ns + plan->next_due, 0,
                      op >= 0 ? cfg->op_names[op] : NULL, "not_sent");
        }
    }
    sl_board_trace_flush(bw, fd);
cleanup:
    if (plan != NULL)
        sl_scenario_plan_free(plan);
    free(plan);
}

/* Appends every worker's part to the trace. */
static void write_trace(const sl_config_t *cfg, sl_run_t *run, sl_board_t *board, int trace_fd)
{
    char why[256] = "";
    if (run->trace_error[0] != '\0') /* from account_dead */
        snprintf(why, sizeof(why), "%.200s", run->trace_error);
    for (int i = 0; i < run->nworkers && why[0] == '\0'; i++) {
        int e = sl_board_worker(board, i)->trace_errno;
        if (e != 0)
            snprintf(why, sizeof(why), "%s (worker %d's part, in %.100s)", strerror(e), i + 1,
                     getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        else if (sl_board_trace_copy(board, i, trace_fd) != 0)
            snprintf(why, sizeof(why), "%s", strerror(errno));
    }
    if (why[0] != '\0')
        snprintf(run->trace_error, sizeof(run->trace_error), "cannot write %.200s: %s",
                 cfg->trace_path ? cfg->trace_path : "the trace", why);
}

static void reap(sl_run_t *run, int i)
{
    sl_worker_report_t *wr = &run->workers[i];
    while (waitpid(wr->pid, &wr->wait_status, 0) < 0 && errno == EINTR)
        ;
    worker_pids[i] = 0;
    if (!wr->finished) {
        wr->died = 1;
        run->workers_died++;
        run->ops_partial = run->nops > 0;     /* its operations' results were never sent */
        run->tags_partial = 1;                /* nor its tags', if it had any */
        run->flows_partial = run->nflows > 0; /* nor its flows' */
    }
}

static void tell_all(channel_t *ch, int n, const void *msg, size_t len)
{
    for (int i = 0; i < n; i++)
        if (ch[i].control_fd >= 0 && write(ch[i].control_fd, msg, len) < 0) {
            /* that worker is gone; its report pipe will say so */
        }
}

/* --start-at: the common start t0 (CLOCK_MONOTONIC) is that instant of the wall clock; the
 * workers must be ready before it. */
static int start_at(const sl_config_t *cfg, const sl_run_t *run, uint64_t *t0, char *err,
                    size_t errlen)
{
    int64_t want = cfg->start_at_us * 1000 - run->realtime_offset;
    uint64_t now = sl_monotime_ns();
    if (want < (int64_t)now + 1000000) {
        snprintf(err, errlen,
                 "the workers were ready only %.3f s after --start-at: nothing was sent; give a "
                 "start time further ahead",
                 (double)((int64_t)now - want) / 1e9);
        return -1;
    }
    *t0 = (uint64_t)want;
    return 0;
}

/* The parent's state during one run. */
typedef struct {
    const sl_config_t *cfg;
    sl_run_t *run;
    int n; /* workers */
    int trace_fd;
    channel_t *ch;
    struct pollfd *pfd;
    sl_board_t board;
    int open_count, ready, started;
    int interrupted_early; /* a signal before the start: an empty, interrupted run */
    uint64_t deadline;
    struct sigaction old_int, old_term, old_hup;
    char *err;
    size_t errlen;
} parent_t;

/* Start: allocations, signals, the shared board, the spool, then the workers. */
static int start(parent_t *p, const char *text, size_t len)
{
    const sl_config_t *cfg = p->cfg;
    sl_run_t *run = p->run;
    int n = p->n;
    struct sigaction sa = {.sa_handler = on_signal};
    sl_second_cb on_second = run->on_second;
    void *on_second_data = run->on_second_data;
    sl_run_guest_t *guest = run->guest;
    memset(run, 0, sizeof(*run));
    run->on_second = on_second;
    run->on_second_data = on_second_data;
    run->guest = guest;
    run->spool_fd = -1;
    run->ids_fd = -1;
    run->nworkers = n;
    run->connections_per_worker = cfg->connections / n;
    p->ch = calloc((size_t)n, sizeof(*p->ch));
    p->pfd = calloc((size_t)n + 1 + SL_RUN_GUEST_FDS, sizeof(*p->pfd));
    run->workers = calloc((size_t)n, sizeof(*run->workers));
    run->latency = calloc(1, sizeof(sl_hist_t));
    run->service = calloc(1, sizeof(sl_hist_t));
    run->lateness = calloc(1, sizeof(sl_hist_t));
    run->tls_handshake = calloc(1, sizeof(sl_hist_t));
    worker_pids = calloc((size_t)n, sizeof(pid_t));
    worker_count = n;
    for (int i = 0; p->ch != NULL && i < n; i++) /* 0 is stdin: never close it by mistake */
        p->ch[i].report_fd = p->ch[i].control_fd = -1;
    if (!p->ch || !p->pfd || !run->workers || !run->latency || !run->service || !run->lateness ||
        !run->tls_handshake || !worker_pids ||
        (cfg->nops > 0 && (run->ops = sl_opstats_new(cfg->nops)) == NULL) ||
        (cfg->nops > 0 && sl_opseries_init(&run->series, cfg->nops) != 0) ||
        (cfg->flows != NULL && (run->flows = sl_flow_stats_new(cfg->flows->n)) == NULL) ||
        pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        snprintf(p->err, p->errlen, "out of memory");
        return -1;
    }
    run->nops = cfg->nops;
    run->nflows = cfg->flows != NULL ? cfg->flows->n : 0;
    sl_hist_reset(run->latency);
    sl_hist_reset(run->service);
    sl_hist_reset(run->lateness);
    sl_hist_reset(run->tls_handshake);
    sigaction(SIGINT, &sa, &p->old_int);
    sigaction(SIGTERM, &sa, &p->old_term);
    sigaction(SIGHUP, &sa, &p->old_hup); /* a closed terminal stops the run like SIGTERM */
    signal(SIGXFSZ, SIG_IGN);            /* a file size limit is a write error, reported */
    /* a slot per request in flight: --streams of them per connection */
    if (sl_board_create(&p->board, n, (cfg->connections + n - 1) / n * cfg->streams,
                        p->trace_fd >= 0, p->err, p->errlen) != 0)
        return -1;
    run->live_board = &p->board;
    run->spool_fd = sl_run_spool_open();
    run->ids_fd = sl_run_spool_open();
    run->seconds_fd = sl_run_spool_open();
    run->seconds_open = run->seconds_fd >= 0;
    struct timespec rt, mt;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mt);
    run->realtime_offset =
        ((int64_t)rt.tv_sec - mt.tv_sec) * 1000000000LL + (rt.tv_nsec - mt.tv_nsec);
    run->segmented = cfg->nsegments > 0;
    run->segment = cfg->segment;
    if (cfg->nsegments > 0 || cfg->start_at_us > 0) /* before the workers: only probes on it */
        sl_clock_estimate(cfg, SL_CLOCK_PROBES, &run->clock);
    p->deadline = sl_monotime_ns() + READY_TIMEOUT_NS;
    if (spawn(cfg, text, len, run, p->ch, &p->board, p->err, p->errlen) != 0)
        return -1;
    p->open_count = n;
    return 0;
}

/* Every worker is ready: the common start t0, told to all of them. */
static int start_together(parent_t *p)
{
    const sl_config_t *cfg = p->cfg;
    sl_run_t *run = p->run;
    uint64_t t0 = sl_monotime_ns() + START_LEAD_NS;
    if (cfg->start_at_us > 0 && start_at(cfg, run, &t0, p->err, p->errlen) != 0)
        return -1;
    run->t0_ns = t0;
    clock_gettime(CLOCK_REALTIME, &run->started_at);
    run->started_at.tv_nsec += (long)START_LEAD_NS;
    if (cfg->start_at_us > 0) {
        run->started_at.tv_sec = (time_t)(cfg->start_at_us / 1000000);
        run->started_at.tv_nsec = (long)(cfg->start_at_us % 1000000 * 1000);
    }
    if (run->started_at.tv_nsec >= 1000000000L) {
        run->started_at.tv_sec++;
        run->started_at.tv_nsec -= 1000000000L;
    }
    tell_all(p->ch, p->n, &t0, sizeof(t0));
    p->started = 1;
    p->deadline = t0 + cfg->duration_ns + cfg->timeout_ns + OVERRUN_NS +
                  (cfg->flows != NULL ? cfg->grace_ns : 0); /* flows under way may go on */
    return 0;
}

/* Reads what worker i sent. Returns -1 when the run cannot go on (err says why). */
static int read_worker(parent_t *p, int i)
{
    channel_t *c = &p->ch[i];
    int got = sl_proto_fill(&c->reader, c->report_fd);
    uint32_t type, plen;
    const uint8_t *payload;
    while (sl_proto_next(&c->reader, &type, &payload, &plen)) {
        if (handle(p->run, i, type, payload, plen, p->err, p->errlen) != 0)
            return -1;
        if (type == SL_MSG_READY && ++p->ready == p->n && start_together(p) != 0)
            return -1;
    }
    if (got < 0) { /* the worker is gone */
        c->open = 0;
        p->open_count--;
        close(c->report_fd);
        c->report_fd = -1;
        reap(p->run, i);
        if (!p->started && !p->run->workers[i].finished) {
            snprintf(p->err, p->errlen, "worker %d exited before it was ready", i + 1);
            return -1;
        }
    }
    return 0;
}

/* Pump: polls the workers' pipes, the signal pipe and the guest's descriptors until every
 * worker has closed its pipe. Returns 0, or -1 when the workers must be killed. */
static int pump(parent_t *p)
{
    sl_run_t *run = p->run;
    int n = p->n;
    while (p->open_count > 0) {
        int m = 0;
        for (int i = 0; i < n; i++)
            p->pfd[m++] =
                (struct pollfd){.fd = p->ch[i].open ? p->ch[i].report_fd : -1, .events = POLLIN};
        p->pfd[m++] = (struct pollfd){.fd = signal_pipe[0], .events = POLLIN};
        if (run->guest != NULL)
            m += run->guest->fds(run->guest, p->pfd + m);
        uint64_t now = sl_monotime_ns();
        if (now >= p->deadline) {
            if (!p->started) {
                snprintf(p->err, p->errlen, "workers did not get ready within %llu s",
                         READY_TIMEOUT_NS / 1000000000ULL);
                return -1;
            }
            for (int i = 0; i < n; i++) /* stuck past any possible end: where, then kill */
                if (worker_pids[i] > 0) {
                    sl_stuck_describe(worker_pids[i], run->workers[i].stuck,
                                      sizeof(run->workers[i].stuck));
                    kill(worker_pids[i], SIGKILL);
                }
            p->deadline = UINT64_MAX;
        }
        int timeout = p->deadline == UINT64_MAX ? -1 : (int)((p->deadline - now) / 1000000ULL) + 1;
        if (poll(p->pfd, (nfds_t)m, timeout) < 0 && errno != EINTR) {
            snprintf(p->err, p->errlen, "poll: %s", strerror(errno));
            return -1;
        }
        if (p->pfd[n].revents & POLLIN) {
            char buf[16];
            while (read(signal_pipe[0], buf, sizeof(buf)) > 0)
                ;
            if (!p->started) { /* nothing was scheduled yet: an empty, interrupted run */
                run->interrupted = 1;
                p->interrupted_early = 1;
                return -1;
            }
            if (!run->interrupted)
                run->stopped_ns = sl_monotime_ns(); /* sending stops here: rates divide by this */
            run->interrupted = 1;
            tell_all(p->ch, n, "s", 1);
        }
        for (int i = 0; i < n; i++)
            if (p->ch[i].open && (p->pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
                read_worker(p, i) != 0)
                return -1;
        /* a threshold failed (--abort-on-fail): sending stops, what is in flight ends. The
         * last second is reported once the schedule is over: nothing is left to stop then, and
         * the thresholds at the end give the verdict */
        if (run->abort_requested && !run->aborted && !run->interrupted &&
            (now = sl_monotime_ns()) < run->t0_ns + p->cfg->duration_ns) {
            run->aborted = 1;
            run->stopped_ns = now;
            run->aborted_at_s = (double)(run->stopped_ns - run->t0_ns) / 1e9;
            tell_all(p->ch, n, "a", 1);
        }
        if (run->guest != NULL)
            run->guest->serve(run->guest, p->pfd + n + 1, m - n - 1, run);
    }
    return 0;
}

/* Finish: the seconds, the dead workers' accounting, the totals, the trace, the analysis. */
static void finish(parent_t *p)
{
    const sl_config_t *cfg = p->cfg;
    sl_run_t *run = p->run;
    run->elapsed_s = (double)(sl_monotime_ns() - run->t0_ns) / 1e9;
    for (size_t i = 0; i < run->nseconds; i++) /* seconds a dead or late worker left open */
        finish_second(run, &run->seconds[i]);
    set_targets(cfg, run);
    for (int i = 0; i < p->n; i++) {
        sl_worker_report_t *wr = &run->workers[i];
        const sl_board_worker_t *bw = sl_board_worker(&p->board, i);
        if (wr->finished && bw->stop_signal != 0 && !run->interrupted) {
            /* a signal stopped this worker alone: its schedule was cut short */
            wr->died = 1;
            wr->stop_signal = bw->stop_signal;
            run->workers_died++;
        }
        if (wr->died)
            account_dead(cfg, run, &p->board, i);
        run->aborted_not_sent += bw->aborted;
        run->resent_unprocessed += bw->resent_unprocessed;
        for (int r = 0; r < SL_R_COUNT; r++)
            if (run->first_error[r][0] == '\0')
                snprintf(run->first_error[r], sizeof(run->first_error[r]), "%.*s",
                         SL_BOARD_ERROR_CAP - 1, bw->first_error[r]);
        sl_counts_add(&run->counts, &wr->counts);
        run->max_in_flight += wr->max_in_flight;
    }
    if (sl_tags_fold(&run->tags) != 0)
        run->tags_partial = 1;
    if (p->trace_fd >= 0)
        write_trace(cfg, run, &p->board, p->trace_fd);
    sl_run_spool_analyze(cfg, run);
}

static void kill_all(parent_t *p)
{
    for (int i = 0; worker_pids != NULL && i < p->n; i++) {
        if (worker_pids[i] > 0) {
            kill(worker_pids[i], SIGKILL);
            waitpid(worker_pids[i], NULL, 0);
            worker_pids[i] = 0;
        }
    }
}

static void cleanup(parent_t *p)
{
    sl_run_t *run = p->run;
    for (int i = 0; p->ch != NULL && i < p->n; i++) {
        if (p->ch[i].report_fd >= 0)
            close(p->ch[i].report_fd);
        if (p->ch[i].control_fd >= 0)
            close(p->ch[i].control_fd);
        sl_buf_free(&p->ch[i].reader.buf);
    }
    if (signal_pipe[0] >= 0) {
        sigaction(SIGINT, &p->old_int, NULL);
        sigaction(SIGTERM, &p->old_term, NULL);
        sigaction(SIGHUP, &p->old_hup, NULL);
        close(signal_pipe[0]);
        close(signal_pipe[1]);
        signal_pipe[0] = signal_pipe[1] = -1;
    }
    if (run->spool_fd >= 0) {
        close(run->spool_fd);
        run->spool_fd = -1;
    }
    if (run->ids_fd >= 0) {
        close(run->ids_fd);
        run->ids_fd = -1;
    }
    run->live_board = NULL;
    sl_board_free(&p->board);
    free(p->ch);
    free(p->pfd);
    free(worker_pids);
    worker_pids = NULL;
    worker_count = 0;
}

int sl_run(const sl_config_t *cfg, const char *text, size_t len, int trace_fd, sl_run_t *run,
           char *err, size_t errlen)
{
    parent_t p = {.cfg = cfg,
                  .run = run,
                  .n = cfg->workers,
                  .trace_fd = trace_fd,
                  .err = err,
                  .errlen = errlen};
    int rc = -1;
    if (start(&p, text, len) == 0 && pump(&p) == 0) {
        finish(&p);
        rc = 0;
    } else {
        kill_all(&p);
        if (p.interrupted_early) {
            clock_gettime(CLOCK_REALTIME, &run->started_at);
            rc = 0;
        }
    }
    cleanup(&p);
    return rc;
}

int sl_run_live(const sl_run_t *run, sl_counts_t *counts, uint64_t *in_flight)
{
    if (run->live_board == NULL)
        return -1;
    sl_board_live(run->live_board, counts, in_flight);
    return 0;
}

int sl_run_live_flows(const sl_run_t *run, int n, sl_flow_live_t *flows)
{
    if (run->live_board == NULL)
        return -1;
    sl_board_live_flows(run->live_board, n, flows);
    return 0;
}

void sl_run_free(sl_run_t *run)
{
    free(run->workers);
    free(run->latency);
    free(run->service);
    free(run->lateness);
    free(run->tls_handshake);
    for (size_t i = 0; i < run->nseconds; i++) {
        free(run->seconds[i].hist);
        free(run->seconds[i].hist_enc);
    }
    free(run->seconds);
    if (run->seconds_open)
        close(run->seconds_fd);
    run->seconds_open = 0;
    free(run->second_spare);
    free(run->first_script_error);
    for (size_t i = 0; i < run->nlisted_ids; i++)
        free(run->listed_ids[i].id);
    free(run->listed_ids);
    sl_concurrency_free(&run->concurrency);
    sl_opstats_free(run->ops, run->nops);
    sl_flow_stats_free(run->flows, run->nflows);
    sl_opseries_free(&run->series);
    sl_tags_free(&run->tags);
    memset(run, 0, sizeof(*run));
}
