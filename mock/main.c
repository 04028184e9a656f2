/*
 * soapload-mock: an h2o-based SOAP echo server for trying soapload and checking that every
 * request ID arrived exactly once. One event loop per thread, all watching one listening
 * socket (as nginx's workers do: a busy thread leaves new connections to an idle one, which
 * measured faster than SO_REUSEPORT's even split when the load generator shares the cores);
 * the handler parses the envelope, echoes the ID and counts (see soap.c, stats.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <h2o.h>

#include "delay.h"
#include "soap.h"
#include "stats.h"
#include "core/version.h"

typedef struct {
    const char *host;
    int port;
    const char *path;
    int threads;
    sl_delay_t delay;
    int has_delay;
    double fault_rate;
    size_t max_body;
    const char *id_element;
    const char *id_log;
    size_t id_memory; /* 0: --no-ids */
    const char *id_memory_text;
} options_t;

typedef struct {
    int index;
    int listen_fd;
    pthread_t tid;
    h2o_evloop_t *loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listener;
    uint64_t rng;
    h2o_timeout_t **delays; /* one h2o timeout per whole millisecond, made when first needed */
    h2o_timeout_t flush_timeout;
    h2o_timeout_entry_t flush_entry;
} server_thread_t;

/* A response waiting for its artificial delay; lives in the request's pool. */
typedef struct {
    h2o_timeout_entry_t entry;
    h2o_req_t *req;
    int status;
    const char *reason;
    const char *content_type;
    h2o_iovec_t body;
} pending_t;

static options_t opt = {.host = "127.0.0.1",
                        .port = 8000,
                        .path = "/soap/endpoint",
                        .max_body = 1 << 20,
                        .id_element = "RequestId",
                        .id_memory = (size_t)256 << 20,
                        .id_memory_text = "256m"};
static h2o_globalconf_t config;
static server_thread_t *threads;
static sl_stats_t *stats;
static atomic_int stop_requested; /* set by main, read by every server thread */
/* Stopped threads park here instead of exiting: h2o keeps per-thread buffer caches, which a
 * thread's exit would strand (and leak checkers report); the process exit frees them. */
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t parked_cond = PTHREAD_COND_INITIALIZER, never = PTHREAD_COND_INITIALIZER;
static int parked;
static sl_span_t id_name;
static char *wsdl;
static size_t wsdl_len;

static server_thread_t *thread_of(h2o_req_t *req)
{
    return (server_thread_t *)((char *)req->conn->ctx - offsetof(server_thread_t, ctx));
}

static void respond(h2o_req_t *req, int status, const char *reason, const char *content_type,
                    const char *body, size_t len)
{
    req->res.status = status;
    req->res.reason = reason;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                   strlen(content_type));
    req->res.content_length = len; /* else h2o sends it chunked */
    h2o_send_inline(req, body, len);
}

static void on_delay_done(h2o_timeout_entry_t *entry)
{
    pending_t *p = (pending_t *)entry;
    respond(p->req, p->status, p->reason, p->content_type, p->body.base, p->body.len);
    sl_stats_end(stats);
}

/* The request went away (client closed) before its delay ran out. */
static void on_pending_dispose(void *obj)
{
    pending_t *p = obj;
    if (h2o_timeout_is_linked(&p->entry)) {
        h2o_timeout_unlink(&p->entry);
        sl_stats_end(stats);
    }
}

static void respond_later(server_thread_t *th, h2o_req_t *req, uint32_t ms, int status,
                          const char *reason, const char *content_type, const char *body,
                          size_t len)
{
    if (th->delays[ms] == NULL) {
        th->delays[ms] = malloc(sizeof(h2o_timeout_t));
        if (th->delays[ms] == NULL) {
            respond(req, status, reason, content_type, body, len);
            sl_stats_end(stats);
            return;
        }
        h2o_timeout_init(th->ctx.loop, th->delays[ms], ms);
    }
    pending_t *p = h2o_mem_alloc_shared(&req->pool, sizeof(*p), on_pending_dispose);
    memset(p, 0, sizeof(*p));
    p->entry.cb = on_delay_done;
    p->req = req;
    p->status = status;
    p->reason = reason;
    p->content_type = content_type;
    p->body = h2o_strdup(&req->pool, body, len);
    h2o_timeout_link(th->ctx.loop, th->delays[ms], &p->entry);
}

static const sl_outcome_t outcome_of[] = {
    [SL_SOAP_ECHO] = SL_OUT_ECHO,
    [SL_SOAP_FAULT_CLIENT] = SL_OUT_FAULT_CLIENT,
    [SL_SOAP_FAULT_VERSION] = SL_OUT_FAULT_VERSION,
    [SL_SOAP_FAULT_INJECTED] = SL_OUT_FAULT_INJECTED,
    [SL_SOAP_BAD_MEDIA_TYPE] = SL_OUT_BAD_MEDIA_TYPE,
};

static unsigned how_of(h2o_req_t *req)
{
    return (req->version >= 0x200 ? SL_REQ_HTTP2 : 0u) |
           (req->input.scheme == &H2O_URL_SCHEME_HTTPS ? SL_REQ_TLS : 0u);
}

static void handle_soap(server_thread_t *th, h2o_req_t *req)
{
    char buf[SL_SOAP_REPLY_CAP];
    sl_soap_reply_t reply;
    ssize_t ct = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    h2o_iovec_t media = ct >= 0 ? req->headers.entries[ct].value : h2o_iovec_init("", 0);
    int inject = opt.fault_rate > 0 && sl_rand01(&th->rng) < opt.fault_rate;

    sl_stats_begin(stats);
    sl_soap_answer(media.base, media.len, req->entity.base, req->entity.len, id_name, inject,
                   &reply, buf);
    sl_stats_record(stats, th->index, outcome_of[reply.outcome], req->entity.len, how_of(req),
                    reply.id, reply.id_len);
    if (opt.has_delay && reply.outcome != SL_SOAP_BAD_MEDIA_TYPE) {
        uint32_t ms = sl_delay_draw(&opt.delay, &th->rng);
        if (ms > 0) {
            respond_later(th, req, ms, reply.status, reply.reason, reply.content_type, buf,
                          reply.body_len);
            return;
        }
    }
    respond(req, reply.status, reply.reason, reply.content_type, buf, reply.body_len);
    sl_stats_end(stats);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    server_thread_t *th = thread_of(req);
    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    h2o_iovec_t path = h2o_iovec_init(req->path.base, path_len);
    h2o_iovec_t query =
        req->query_at != SIZE_MAX
            ? h2o_iovec_init(req->path.base + req->query_at + 1, req->path.len - req->query_at - 1)
            : h2o_iovec_init("", 0);
    int is_post = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST"));
    int is_get = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET"));

    if (h2o_memis(path.base, path.len, opt.path, strlen(opt.path))) {
        if (is_post) {
            handle_soap(th, req);
        } else if (is_get && h2o_memis(query.base, query.len, H2O_STRLIT("wsdl"))) {
            sl_stats_record(stats, th->index, SL_OUT_WSDL, 0, how_of(req), NULL, 0);
            respond(req, 200, "OK", "text/xml; charset=utf-8", wsdl, wsdl_len);
        } else {
            static const char msg[] = "soapload-mock: POST a SOAP envelope here, or GET ?wsdl\n";
            sl_stats_record(stats, th->index, SL_OUT_BAD_METHOD, req->entity.len, how_of(req), NULL,
                            0);
            h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("allow"), 0, NULL,
                                  H2O_STRLIT("POST, GET"));
            respond(req, 405, "Method Not Allowed", "text/plain; charset=utf-8", msg,
                    sizeof(msg) - 1);
        }
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/stats")) && is_get) {
        char json[2048];
        sl_stats_snapshot_t snap;
        sl_stats_read(stats, &snap);
        size_t len = sl_stats_json(&snap, opt.threads, json, sizeof(json));
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("cache-control"), 0, NULL,
                              H2O_STRLIT("no-store"));
        respond(req, 200, "OK", "application/json", json, len);
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/stats/reset")) && is_post) {
        sl_stats_reset(stats);
        respond(req, 200, "OK", "application/json", H2O_STRLIT("{\"reset\": true}\n"));
    } else {
        static const char msg[] = "soapload-mock: no such path\n";
        sl_stats_record(stats, th->index, SL_OUT_NOT_FOUND, req->entity.len, how_of(req), NULL, 0);
        respond(req, 404, "Not Found", "text/plain; charset=utf-8", msg, sizeof(msg) - 1);
    }
    return 0;
}

static void on_conn_close(void *data)
{
    (void)data;
    sl_stats_conn_close(stats);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    server_thread_t *th = listener->data;
    if (err != NULL)
        return;
    for (int i = 0; i < 64; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            return;
        sl_stats_conn_open(stats, th->index);
        sock->on_close.cb = on_conn_close;
        sock->on_close.data = th;
        h2o_accept(&th->accept_ctx, sock);
    }
}

static void on_flush(h2o_timeout_entry_t *entry)
{
    server_thread_t *th =
        (server_thread_t *)((char *)entry - offsetof(server_thread_t, flush_entry));
    sl_stats_flush_log(stats, th->index);
    h2o_timeout_link(th->ctx.loop, &th->flush_timeout, &th->flush_entry);
}

static void *run_thread(void *arg)
{
    server_thread_t *th = arg;
    th->loop = h2o_evloop_create();
    h2o_context_init(&th->ctx, th->loop, &config);
    th->accept_ctx.ctx = &th->ctx;
    th->accept_ctx.hosts = config.hosts;
    th->listener = h2o_evloop_socket_create(th->loop, th->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    th->listener->data = th;
    h2o_socket_read_start(th->listener, on_accept);
    if (opt.id_log != NULL) { /* so that the log is never more than 250 ms behind */
        h2o_timeout_init(th->loop, &th->flush_timeout, 250);
        th->flush_entry.cb = on_flush;
        h2o_timeout_link(th->loop, &th->flush_timeout, &th->flush_entry);
    }
    while (!atomic_load(&stop_requested))
        h2o_evloop_run(th->loop, 100);
    sl_stats_flush_log(stats, th->index);
    pthread_mutex_lock(&park_lock);
    parked++;
    pthread_cond_signal(&parked_cond);
    for (;;)
        pthread_cond_wait(&never, &park_lock);
    return NULL;
}

/* Opens a listening socket; port 0 asks the kernel for a free one (written back). */
static int open_listener(const char *host, int *port, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res;
    char service[16];
    int fd = -1, on = 1, rc;
    snprintf(service, sizeof(service), "%d", *port);
    if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 4096) != 0) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", host, *port, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: soapload-mock [OPTION]...\n"
            "A SOAP 1.1/1.2 echo server for soapload: answers each POSTed envelope with its\n"
            "request ID, counts everything, and serves its counters at GET /stats.\n"
            "\n"
            "  -H, --host ADDR        address to listen on (default 127.0.0.1)\n"
            "  -p, --port N           port (default 8000; 0 picks a free one and prints it)\n"
            "  -P, --path PATH        SOAP endpoint path (default /soap/endpoint)\n"
            "  -t, --threads N        server threads (default: number of CPUs)\n"
            "  -d, --delay SPEC       response delay: D, uniform:MIN,MAX, exp:MEAN or\n"
            "                         normal:MEAN,SD (e.g. 5ms, uniform:1ms,20ms; default 0)\n"
            "  -f, --fault-rate P     share of valid requests answered with a SOAP Server fault\n"
            "                         (0..1, default 0)\n"
            "  -m, --max-body SIZE    largest request body accepted, e.g. 64k, 1m (default 1m);\n"
            "                         larger ones get 413\n"
            "  -i, --id-element NAME  local name of the element carrying the request ID\n"
            "                         (default RequestId)\n"
            "  -l, --id-log FILE      write every received request ID to FILE, one per line\n"
            "  -h, --help             show this help\n"
            "  -V, --version          show the version\n"
            "\n"
            "Endpoints: POST PATH (SOAP echo), GET PATH?wsdl, GET /stats, POST /stats/reset.\n"
            "Stop with Ctrl-C or SIGTERM; the totals are printed on the way out.\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno != 0 || s[0] == '-')
        return -1;
    switch (*end) {
    case 'k':
    case 'K':
        v <<= 10;
        end++;
        break;
    case 'm':
    case 'M':
        v <<= 20;
        end++;
        break;
    case 'g':
    case 'G':
        v <<= 30;
        end++;
        break;
    }
    if (*end != '\0' || v == 0)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                 (i > 0 && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
        if (!ok)
            return 0;
    }
    return 1;
}

static const char *option_name(const struct option *o, int val)
{
    for (; o->name != NULL; o++)
        if (o->val == val)
            return o->name;
    return "?";
}

/* Returns 0, or the exit code (2) after printing what is wrong. */
static int parse_options(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"host", required_argument, NULL, 'H'},     {"port", required_argument, NULL, 'p'},
        {"path", required_argument, NULL, 'P'},     {"threads", required_argument, NULL, 't'},
        {"delay", required_argument, NULL, 'd'},    {"fault-rate", required_argument, NULL, 'f'},
        {"max-body", required_argument, NULL, 'm'}, {"id-element", required_argument, NULL, 'i'},
        {"id-log", required_argument, NULL, 'l'},   {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},        {NULL, 0, NULL, 0}};
    char err[256];
    long v;
    int c;
    opt.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (opt.threads < 1)
        opt.threads = 1;
    while ((c = getopt_long(argc, argv, "H:p:P:t:d:f:m:i:l:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'H':
            opt.host = optarg;
            break;
        case 'p':
            if (parse_int(optarg, 0, 65535, &v) != 0)
                goto Bad;
            opt.port = (int)v;
            break;
        case 'P':
            if (optarg[0] != '/' || strpbrk(optarg, "?# \t") != NULL || strlen(optarg) > 200 ||
                strncmp(optarg, "/stats", 6) == 0) {
                fprintf(stderr,
                        "soapload-mock: bad --path '%s': it must start with '/', hold "
                        "no '?', '#' or spaces and not be under /stats\n",
                        optarg);
                return 2;
            }
            opt.path = optarg;
            break;
        case 't':
            if (parse_int(optarg, 1, 256, &v) != 0)
                goto Bad;
            opt.threads = (int)v;
            break;
        case 'd':
            if (sl_delay_parse(optarg, &opt.delay, err, sizeof(err)) != 0) {
                fprintf(stderr, "soapload-mock: %s\n", err);
                return 2;
            }
            opt.has_delay = 1;
            break;
        case 'f': {
            char *end;
            opt.fault_rate = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(opt.fault_rate >= 0 && opt.fault_rate <= 1))
                goto Bad;
            break;
        }
        case 'm':
            if (parse_size(optarg, &opt.max_body) != 0)
                goto Bad;
            break;
        case 'i':
            if (!valid_name(optarg)) {
                fprintf(stderr,
                        "soapload-mock: bad --id-element '%s': an XML local name of "
                        "at most 64 characters, without a prefix\n",
                        optarg);
                return 2;
            }
            opt.id_element = optarg;
            break;
        case 'l':
            opt.id_log = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("soapload-mock %s (h2o %s)\n", SL_VERSION, H2O_VERSION);
            exit(0);
        default:
            usage(stderr);
            return 2;
        }
        continue;
    Bad:
        fprintf(stderr, "soapload-mock: bad value '%s' for --%s (see --help)\n", optarg,
                option_name(longopts, c));
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "soapload-mock: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    return 0;
}

static void print_totals(const sl_stats_snapshot_t *s, int sig)
{
    printf("soapload-mock: stopped by %s after %llu requests: %llu distinct IDs, %llu duplicates, "
           "at most %llu in progress at once, %llu connections accepted",
           sig == SIGINT   ? "SIGINT"
           : sig == SIGHUP ? "SIGHUP"
                           : "SIGTERM",
           (unsigned long long)s->requests, (unsigned long long)s->distinct,
           (unsigned long long)s->dups, (unsigned long long)s->max_in_progress,
           (unsigned long long)s->accepted);
    if (opt.id_memory == 0)
        printf("; %llu IDs received, not tracked (--no-ids)\n", (unsigned long long)s->ids);
    else if (s->untracked > 0)
        printf("; duplicate detection was partial: %llu IDs untracked once the ID set reached "
               "--id-memory %s\n",
               (unsigned long long)s->untracked, opt.id_memory_text);
    else
        printf("\n");
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    char err[256], url[300];
    sigset_t sigs;
    int rc = parse_options(argc, argv), sig;
    if (rc != 0)
        return rc;
    id_name = (sl_span_t){opt.id_element, strlen(opt.id_element)};
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();

    sl_stats_config_t scfg = {
        .threads = opt.threads, .id_log = opt.id_log, .id_memory = opt.id_memory};
    if ((stats = sl_stats_create(&scfg, err, sizeof(err))) == NULL) {
        fprintf(stderr, "soapload-mock: %s\n", err);
        return 1;
    }
    threads = calloc((size_t)opt.threads, sizeof(*threads));
    int port = opt.port;
    for (int i = 0; i < opt.threads; i++) {
        threads[i].index = i;
        threads[i].rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1) ^ (uint64_t)time(NULL);
        if (opt.has_delay)
            threads[i].delays = calloc(SL_DELAY_MAX_MS + 1, sizeof(h2o_timeout_t *));
        /* one listening socket; each loop owns a descriptor of it */
        threads[i].listen_fd = i == 0 ? open_listener(opt.host, &port, err, sizeof(err))
                                      : fcntl(threads[0].listen_fd, F_DUPFD_CLOEXEC, 0);
        if (threads[i].listen_fd < 0) {
            fprintf(stderr, "soapload-mock: %s\n", i == 0 ? err : strerror(errno));
            return 1;
        }
    }
    snprintf(url, sizeof(url), "http://%s%s%s:%d%s", strchr(opt.host, ':') ? "[" : "", opt.host,
             strchr(opt.host, ':') ? "]" : "", port, opt.path);
    wsdl = malloc(16384);
    wsdl_len = sl_soap_wsdl(url, id_name, wsdl, 16384);

    h2o_config_init(&config);
    config.max_request_entity_size = opt.max_body;
    config.server_name = h2o_iovec_init(H2O_STRLIT("soapload-mock"));
    h2o_hostconf_t *host =
        h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;

    /* server threads never see SIGINT/SIGTERM: main waits for them with sigwait */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    for (int i = 0; i < opt.threads; i++)
        pthread_create(&threads[i].tid, NULL, run_thread, &threads[i]);

    printf("soapload-mock %s listening on %s (%d thread%s); GET /stats for counters; stop with "
           "Ctrl-C or SIGTERM\n",
           SL_VERSION, url, opt.threads, opt.threads == 1 ? "" : "s");
    fflush(stdout);

    sigwait(&sigs, &sig);
    atomic_store(&stop_requested, 1);
    pthread_mutex_lock(&park_lock);
    while (parked < opt.threads)
        pthread_cond_wait(&parked_cond, &park_lock);
    pthread_mutex_unlock(&park_lock);

    sl_stats_snapshot_t snap;
    sl_stats_read(stats, &snap);

    sl_stats_destroy(stats); /* flushes the rest of the ID log first */
    stats = NULL;
    print_totals(&snap, sig);
    fflush(stdout);
    return 0;
}
