/*
 * metrics: a small HTTP/1.1 server for one endpoint, GET /metrics, that never blocks: its
 * sockets are polled with the workers' pipes in the parent's loop, each answer is a snapshot
 * made whole when the request is complete and written as far as the client's socket takes
 * it. A scraper that stops reading holds only its own buffer; one that takes too long, or
 * is the oldest when all slots are taken, is dropped. Counts come from the workers' shared board
 * (exact at every moment), latency and service time from the histograms the workers send each
 * second, merged here as they come; once the run is over, from the run's own totals, which the
 * summary printed.
 */
#include "output/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/exposition.h"
#include "core/hist.h"
#include "core/load.h"
#include "core/monotime.h"
#include "output/report.h"
#include "output/shape.h"

#define MAX_CLIENTS 16                   /* at once; a newcomer beyond them drops the oldest */
#define MAX_REQUEST 8192                 /* bytes of a request's line and headers */
#define CLIENT_TIMEOUT_NS 10000000000ULL /* from accept to the last byte of the answer */

enum { C_FREE, C_READING, C_WRITING, C_DRAINING };

typedef struct {
    int fd, state;
    uint64_t since_ns;
    sl_buf_t in, out;
    size_t off; /* bytes of out written */
} client_t;

struct sl_metrics_server {
    sl_run_guest_t guest; /* first: the guest's address is the server's */
    const sl_config_t *cfg;
    const sl_run_t *run;
    int listen_fd, finished;
    client_t clients[MAX_CLIENTS];
    int polled[SL_RUN_GUEST_FDS]; /* what fds() put in each pollfd: -1 listen, else a client */
    int npolled;
    sl_hist_t *latency, *service; /* the seconds merged so far */
    char url[96];
};

/* The segment label's value: the one place that names this process's share of a distributed
 * run ("" for a run of one process). It is printed as it is: no quote, backslash or newline. */
static const char *segment_label(const sl_config_t *cfg)
{
    static char label[32];
    if (cfg->nsegments == 0)
        return "";
    snprintf(label, sizeof(label), "%d/%d", cfg->segment, cfg->nsegments);
    return label;
}

/* The numbers now: live from the board and the seconds merged so far, or the run's own. */
static int snapshot(sl_metrics_server_t *m, int om, char **text, size_t *len)
{
    const sl_run_t *run = m->run;
    sl_counts_t live = {0};
    sl_flow_live_t live_flows[SL_FLOW_MAX];
    sl_exposition_t v = {.segment = segment_label(m->cfg),
                         .counts = &live,
                         .has_target = !m->cfg->closed,
                         .target_rate = sl_load_mean_rate(m->cfg),
                         .latency = m->latency,
                         .service = m->service};
    if (!m->finished) { /* the rate due now (a ramp's too); before the start, at 0 */
        uint64_t now = sl_monotime_ns(), t0 = run != NULL ? run->t0_ns : 0;
        v.target_rate = sl_load_rate_at(m->cfg, t0 > 0 && now > t0 ? now - t0 : 0);
    }
    if (run != NULL && m->finished) { /* the whole run's: its mean, as the summary's */
        v.counts = &run->counts;
        v.finished = 1;
        /* per operation, scenario and tag value: the workers report them at their end */
        v.nops = run->ops != NULL ? run->nops : 0;
        v.op_names = (const char *const *)m->cfg->op_names;
        v.ops = run->ops;
        v.tags = &run->tags;
        v.achieved_rate = (double)run->counts.sent / sl_report_sending_s(m->cfg, run);
        /* the final histograms hold every second's; a dead worker's seconds only ours */
        if (run->latency->total >= m->latency->total)
            v.latency = run->latency;
        if (run->service->total >= m->service->total)
            v.service = run->service;
        if (run->flows != NULL && m->cfg->flows != NULL) {
            v.nflows = run->nflows;
            v.flow_defs = m->cfg->flows;
            v.flows = run->flows;
        }
    } else if (run != NULL && sl_run_live(run, &live, &v.in_flight) == 0) {
        if (m->cfg->flows != NULL && sl_run_live_flows(run, m->cfg->flows->n, live_flows) == 0) {
            v.nflows = m->cfg->flows->n;
            v.flow_defs = m->cfg->flows;
            v.flows_live = live_flows;
        }
        for (size_t i = run->nseconds; i-- > 0;) {
            const sl_second_t *s = &run->seconds[i];
            if (s->reported > 0 && s->reported >= run->nworkers - run->workers_died) {
                v.achieved_rate = (double)s->counts.sent;
                v.target_rate = sl_load_target(m->cfg, s->second); /* that same second's */
                break;
            }
        }
    }
    FILE *mem = open_memstream(text, len);
    if (mem == NULL)
        return -1;
    int rc = sl_exposition_write(mem, &v, om);
    if (fclose(mem) != 0 || rc != 0) {
        free(*text);
        *text = NULL;
        return -1;
    }
    return 0;
}

/* ---- HTTP ------------------------------------------------------------------------------- */

static void client_close(client_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    sl_buf_free(&c->in);
    sl_buf_free(&c->out);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->state = C_FREE;
}

static void respond(client_t *c, const char *status, const char *type, const char *body, size_t len)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                     "Connection: close\r\n\r\n",
                     status, type, len, strncmp(status, "405", 3) == 0 ? "Allow: GET\r\n" : "");
    sl_buf_clear(&c->out);
    if (sl_buf_append(&c->out, head, (size_t)n) != 0 || sl_buf_append(&c->out, body, len) != 0) {
        client_close(c);
        return;
    }
    c->off = 0;
    c->state = C_WRITING;
}

/* The value of header `name` in a request's head (NUL-terminated), or NULL. */
static const char *header(const char *head, const char *name, size_t *len)
{
    size_t nlen = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, nlen) == 0 && p[2 + nlen] == ':') {
            const char *v = p + 3 + nlen;
            *len = strcspn(v, "\r\n");
            return v;
        }
    }
    return NULL;
}

static void answer(sl_metrics_server_t *m, client_t *c)
{
    const char *head = c->in.data, *sp = strchr(head, ' ');
    size_t line = strcspn(head, "\r\n"), plen = sp ? strcspn(sp + 1, " ?\r\n") : 0, alen = 0;
    const char *version = sp ? sp + 1 + strcspn(sp + 1, " \r\n") : NULL;
    if (sp == NULL || (size_t)(sp - head) > line || strncmp(version, " HTTP/1.", 8) != 0) {
        static const char bad[] = "bad request\n";
        respond(c, "400 Bad Request", "text/plain", bad, sizeof(bad) - 1);
        return;
    }
    if ((size_t)(sp - head) != 3 || strncmp(head, "GET", 3) != 0) {
        static const char only[] = "only GET /metrics\n";
        respond(c, "405 Method Not Allowed", "text/plain", only, sizeof(only) - 1);
        return;
    }
    if (plen != 8 || strncmp(sp + 1, "/metrics", 8) != 0) {
        static const char none[] = "not found: the metrics are at /metrics\n";
        respond(c, "404 Not Found", "text/plain", none, sizeof(none) - 1);
        return;
    }
    const char *accept = header(head, "Accept", &alen);
    int om = 0;
    for (const char *p = accept; p != NULL && p + 28 <= accept + alen; p++)
        if (strncasecmp(p, "application/openmetrics-text", 28) == 0)
            om = 1;
    char *text = NULL;
    size_t len = 0;
    if (snapshot(m, om, &text, &len) != 0) {
        static const char oom[] = "out of memory\n";
        respond(c, "500 Internal Server Error", "text/plain", oom, sizeof(oom) - 1);
        return;
    }
    respond(c, "200 OK",
            om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
               : "text/plain; version=0.0.4; charset=utf-8",
            text, len);
    free(text);
}

static void client_read(sl_metrics_server_t *m, client_t *c)
{
    char buf[4096];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            client_close(c); /* gone, or done with our answer */
            return;
        }
        if (c->state == C_DRAINING)
            continue;
        if (c->in.len + (size_t)n > MAX_REQUEST) {
            static const char big[] = "request header too large\n";
            respond(c, "431 Request Header Fields Too Large", "text/plain", big, sizeof(big) - 1);
            return;
        }
        if (sl_buf_append(&c->in, buf, (size_t)n) != 0) {
            client_close(c);
            return;
        }
        char *end = strstr(c->in.data, "\r\n\r\n");
        if (end != NULL) {
            end[2] = '\0'; /* the head, each line ending in CRLF */
            answer(m, c);
            return;
        }
    }
}

static void client_write(client_t *c)
{
    while (c->off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->off, c->out.len - c->off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            client_close(c);
            return;
        }
        c->off += (size_t)n;
    }
    /* all written: wait for the client to close, so that what it may still send does not
     * turn our close into a reset that loses the answer */
    shutdown(c->fd, SHUT_WR);
    c->state = C_DRAINING;
}

/* Takes every waiting connection. When all slots are taken, the oldest client is dropped: a
 * scraper that hangs on to its connection must not keep the others out. */
static void accept_clients(sl_metrics_server_t *m)
{
    for (int k = 0; k < MAX_CLIENTS; k++) {
        int fd = accept4(m->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* none waiting, or a client that already left */
        client_t *c = &m->clients[0];
        for (int i = 0; i < MAX_CLIENTS && c->state != C_FREE; i++)
            if (m->clients[i].state == C_FREE || m->clients[i].since_ns < c->since_ns)
                c = &m->clients[i];
        client_close(c);
        c->fd = fd;
        c->state = C_READING;
        c->since_ns = sl_monotime_ns();
    }
}

static int guest_fds(sl_run_guest_t *g, struct pollfd *pfd)
{
    sl_metrics_server_t *m = (sl_metrics_server_t *)g;
    uint64_t now = sl_monotime_ns();
    int n = 0;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_t *c = &m->clients[i];
        if (c->state != C_FREE && now - c->since_ns > CLIENT_TIMEOUT_NS)
            client_close(c);
        if (c->state == C_FREE)
            continue;
        m->polled[n] = i;
        pfd[n++] = (struct pollfd){.fd = c->fd, .events = c->state == C_WRITING ? POLLOUT : POLLIN};
    }
    m->polled[n] = -1;
    pfd[n++] = (struct pollfd){.fd = m->listen_fd, .events = POLLIN};
    m->npolled = n;
    return n;
}

static void guest_serve(sl_run_guest_t *g, const struct pollfd *pfd, int n, const sl_run_t *run)
{
    sl_metrics_server_t *m = (sl_metrics_server_t *)g;
    m->run = run;
    for (int k = 0; k < n && k < m->npolled; k++) {
        if (pfd[k].revents == 0)
            continue;
        if (m->polled[k] < 0) {
            accept_clients(m);
            continue;
        }
        client_t *c = &m->clients[m->polled[k]];
        if (c->state == C_WRITING)
            client_write(c);
        else if (c->state != C_FREE)
            client_read(m, c);
        if (c->state == C_WRITING) /* answered now: most answers go out at once */
            client_write(c);
    }
}

static void guest_second(sl_run_guest_t *g, const uint8_t *hists, size_t len)
{
    sl_metrics_server_t *m = (sl_metrics_server_t *)g;
    size_t used = sl_hist_decode_add(m->latency, hists, len);
    if (used > 0)
        sl_hist_decode_add(m->service, hists + used, len - used);
}

/* ---- life ------------------------------------------------------------------------------- */

/* Parses "a.b.c.d:port" or "[v6]:port" (checked by config) into addr. */
static int parse_address(const char *s, struct sockaddr_storage *addr, socklen_t *alen)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    size_t hlen = colon ? (size_t)(colon - s) : 0;
    if (colon == NULL || hlen < 1 || hlen >= sizeof(host))
        return -1;
    int port = atoi(colon + 1), v6 = s[0] == '[';
    memcpy(host, s + v6, hlen - 2 * v6);
    host[hlen - 2 * v6] = '\0';
    memset(addr, 0, sizeof(*addr));
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *alen = sizeof(*a);
        return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)addr;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *alen = sizeof(*a);
    return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

sl_metrics_server_t *sl_metrics_open(const sl_config_t *cfg, char *err, size_t errlen)
{
    struct sockaddr_storage addr;
    socklen_t alen;
    int one = 1;
    sl_metrics_server_t *m = calloc(1, sizeof(*m));
    if (m == NULL || (m->latency = calloc(1, sizeof(sl_hist_t))) == NULL ||
        (m->service = calloc(1, sizeof(sl_hist_t))) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto Error;
    }
    m->cfg = cfg;
    m->listen_fd = -1;
    for (int i = 0; i < MAX_CLIENTS; i++)
        m->clients[i].fd = -1;
    sl_hist_reset(m->latency);
    sl_hist_reset(m->service);
    m->guest = (sl_run_guest_t){.fds = guest_fds, .serve = guest_serve, .second = guest_second};
    if (parse_address(cfg->metrics_addr, &addr, &alen) != 0) {
        snprintf(err, errlen, "bad --metrics address '%s'", cfg->metrics_addr);
        goto Error;
    }
    m->listen_fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m->listen_fd < 0 ||
        setsockopt(m->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(m->listen_fd, (struct sockaddr *)&addr, alen) != 0 || listen(m->listen_fd, 64) != 0 ||
        getsockname(m->listen_fd, (struct sockaddr *)&addr, &alen) != 0) {
        snprintf(err, errlen, "cannot listen on %s for --metrics: %s", cfg->metrics_addr,
                 strerror(errno));
        goto Error;
    }
    const char *colon = strrchr(cfg->metrics_addr, ':');
    int port = ntohs(addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
                                                : ((struct sockaddr_in *)&addr)->sin_port);
    snprintf(m->url, sizeof(m->url), "http://%.*s:%d/metrics", (int)(colon - cfg->metrics_addr),
             cfg->metrics_addr, port);
    return m;
Error:
    sl_metrics_close(m);
    return NULL;
}

sl_run_guest_t *sl_metrics_guest(sl_metrics_server_t *m)
{
    return &m->guest;
}

const char *sl_metrics_url(const sl_metrics_server_t *m)
{
    return m->url;
}

static volatile sig_atomic_t linger_stop;

static void on_linger_signal(int sig)
{
    (void)sig;
    linger_stop = 1;
}

void sl_metrics_linger(sl_metrics_server_t *m, const sl_run_t *run, uint64_t linger_ns)
{
    struct sigaction sa = {.sa_handler = on_linger_signal}, old_int, old_term;
    struct pollfd pfd[SL_RUN_GUEST_FDS];
    uint64_t end = sl_monotime_ns() + linger_ns;
    m->run = run;
    m->finished = 1;
    linger_stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    for (uint64_t now = sl_monotime_ns(); now < end && !linger_stop; now = sl_monotime_ns()) {
        int n = guest_fds(&m->guest, pfd);
        uint64_t wait_ms = (end - now) / 1000000ULL + 1;
        int got = poll(pfd, (nfds_t)n, (int)(wait_ms < 1000 ? wait_ms : 1000));
        if (got > 0)
            guest_serve(&m->guest, pfd, n, run);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

void sl_metrics_close(sl_metrics_server_t *m)
{
    if (m == NULL)
        return;
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (m->clients[i].state != C_FREE)
            client_close(&m->clients[i]);
    if (m->listen_fd >= 0)
        close(m->listen_fd);
    free(m->latency);
    free(m->service);
    free(m);
}
