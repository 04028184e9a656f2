/*
 * soapload-mock: an h2o-based SOAP echo server for trying soapload and checking that every
 * request ID arrived exactly once. This file sets the server up: options, the listening
 * socket, one event loop per thread, all watching that one socket (as nginx's workers do: a
 * busy thread leaves new connections to an idle one, which measured faster than SO_REUSEPORT's
 * even split when the load generator shares the cores), and the stop on a signal with the
 * totals. handler.c answers the requests.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "core/version.h"
#include "core/wsse_keys.h"
#include "core/wsse_opts.h"
#include "options.h"
#include "server.h"
#include "soap.h"
#include "stats.h"
#include "tls.h"

static sl_mock_options_t opt;
static sl_mock_server_t server;
static h2o_globalconf_t config;
static sl_mock_thread_t *threads;
static atomic_int stop_requested; /* set by main, read by every server thread */
/* Stopped threads park here instead of exiting: h2o keeps per-thread buffer caches, which a
 * thread's exit would strand (and leak checkers report); the process exit frees them. */
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t parked_cond = PTHREAD_COND_INITIALIZER, never = PTHREAD_COND_INITIALIZER;
static int parked;

static void on_conn_close(void *data)
{
    (void)data;
    sl_stats_conn_close(server.stats);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    sl_mock_thread_t *th = listener->data;
    if (err != NULL)
        return;
    for (int i = 0; i < 64; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            return;
        sl_stats_conn_open(server.stats, th->index);
        sock->on_close.cb = on_conn_close;
        sock->on_close.data = th;
        h2o_accept(&th->accept_ctx, sock);
    }
}

static void on_flush(h2o_timeout_entry_t *entry)
{
    sl_mock_thread_t *th =
        (sl_mock_thread_t *)((char *)entry - offsetof(sl_mock_thread_t, flush_entry));
    sl_stats_flush_log(server.stats, th->index);
    h2o_timeout_link(th->ctx.loop, &th->flush_timeout, &th->flush_entry);
}

static void *run_thread(void *arg)
{
    sl_mock_thread_t *th = arg;
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
    sl_stats_flush_log(server.stats, th->index);
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

/* One thread per --threads, each with its own descriptor of the one listening socket; the
 * port the kernel picked for port 0 is written back. Returns 0, or -1 with err. */
static int make_threads(int *port, char *err, size_t errlen)
{
    if ((threads = calloc((size_t)opt.threads, sizeof(*threads))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < opt.threads; i++) {
        threads[i].index = i;
        threads[i].rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1) ^ (uint64_t)time(NULL);
        if (opt.has_delay &&
            (threads[i].delays = calloc(SL_DELAY_MAX_MS + 1, sizeof(h2o_timeout_t *))) == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        threads[i].listen_fd = i == 0 ? open_listener(opt.host, port, err, errlen)
                                      : fcntl(threads[0].listen_fd, F_DUPFD_CLOEXEC, 0);
        if (threads[i].listen_fd < 0) {
            if (i > 0)
                snprintf(err, errlen, "cannot share the listening socket: %s", strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* --wsse-sign-key: a signer of answers per server thread (each xmlsec signing context and key
 * stays on its thread), made before any thread starts. Returns 0, or -1 with err. */
static int open_signers(char *err, size_t errlen)
{
    sl_wsse_opts_t o;
    sl_wsse_opts_init(&o);
    o.cert = (char *)opt.wsse_sign_cert; /* read only: never freed through o */
    o.key = (char *)opt.wsse_sign_key;
    for (int i = 0; i < opt.threads; i++) {
        EVP_PKEY *pkey;
        X509 *cert;
        int alg;
        if (sl_wsse_keys_load(&o, NULL, &pkey, &cert, &alg, err, errlen) != 0)
            return -1;
        threads[i].signer = sl_wsse_sign_open(pkey, cert, alg, opt.wsse_sign_ref,
                                              (uint64_t)(opt.wsse_sign_ttl_s * 1e9), err, errlen);
        X509_free(cert);
        if (threads[i].signer == NULL)
            return -1;
    }
    return 0;
}

/* Builds the threads, the TLS context, what the handler shares and the h2o configuration;
 * writes the endpoint's URL. Returns 0, or -1 with a message in err. */
static int set_up(char *url, size_t url_len, char *err, size_t errlen)
{
    static char wsdl[16384];
    int port = opt.port;
    if (make_threads(&port, err, errlen) != 0)
        return -1;
    if (opt.tls_cert != NULL) {
        SSL_CTX *tls =
            sl_mock_tls_create(opt.tls_cert, opt.tls_key, opt.tls_client_ca, err, errlen);
        if (tls == NULL)
            return -1;
        for (int i = 0; i < opt.threads; i++)
            threads[i].accept_ctx.ssl_ctx = tls; /* shared: the process owns it to the end */
    }
    snprintf(url, url_len, "%s://%s%s%s:%d%s", opt.tls_cert != NULL ? "https" : "http",
             strchr(opt.host, ':') ? "[" : "", opt.host, strchr(opt.host, ':') ? "]" : "", port,
             opt.path);
    server.opt = &opt;
    server.path_len = strlen(opt.path);
    server.id_name = (sl_span_t){opt.id_element, strlen(opt.id_element)};
    server.wsdl = wsdl;
    server.wsdl_len = sl_soap_wsdl(url, server.id_name, wsdl, sizeof(wsdl));
    if (opt.wsdl_ops != NULL) {
        server.wsdl = opt.wsdl_text;
        server.wsdl_len = opt.wsdl_len;
        server.ops = opt.wsdl_ops;
    }
    if (opt.wsse_user != NULL) {
        static sl_wsse_config_t wsse;
        wsse = (sl_wsse_config_t){opt.wsse_user, opt.wsse_password, opt.wsse_max_age_s};
        server.wsse = &wsse;
    }
    if (opt.sessions) {
        sl_sessions_config_t sc = {opt.session_ttl_s, opt.session_expire_after,
                                   opt.session_refuse_login};
        if ((server.sessions = sl_sessions_create(&sc)) == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    if (opt.wsse_decrypt_key != NULL &&
        (server.dec = sl_wsse_decrypt_open(opt.wsse_decrypt_key, NULL, "--wsse-decrypt-key", err,
                                           errlen)) == NULL)
        return -1;
    if (opt.wsse_sign_key != NULL && open_signers(err, errlen) != 0)
        return -1;
    if (opt.wsse_verify_cert != NULL &&
        (server.sig = sl_wsse_verify_open(opt.wsse_verify_cert, "--wsse-verify-cert", 1,
                                          opt.wsse_max_age_s, err, errlen)) == NULL)
        return -1;

    h2o_config_init(&config);
    config.max_request_entity_size = opt.max_body;
    config.server_name = h2o_iovec_init("", 0); /* handler.c sends it: h2o would sprintf it */
    h2o_hostconf_t *host =
        h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    sl_mock_handler_register(h2o_config_register_path(host, "/", 0), &server);
    return 0;
}

static int ignored(int sig)
{
    struct sigaction sa;
    return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

/* Blocks the stop signals in main and every thread it starts: main alone takes them, with
 * sigwait, so a signal during set-up waits for it too. */
static void block_stop_signals(sigset_t *sigs)
{
    sigemptyset(sigs);
    sigaddset(sigs, SIGINT);
    sigaddset(sigs, SIGTERM);
    if (!ignored(SIGHUP)) /* started under nohup: a hang-up must not stop it then */
        sigaddset(sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, sigs, NULL);
}

/* Starts the server threads and says where they listen. Returns 0, or -1 with err. */
static int start(const char *url, char *err, size_t errlen)
{
    if (sl_stats_log_existing(server.stats) > 0)
        fprintf(stderr,
                "soapload-mock: note: appending to the ID log %s, which already holds %llu bytes "
                "from before (remove it first to reconcile this run alone)\n",
                opt.id_log, (unsigned long long)sl_stats_log_existing(server.stats));
    if (server.ops != NULL) {
        printf("soapload-mock: answering the %zu operation%s of the --wsdl file:",
               server.ops->count, server.ops->count == 1 ? "" : "s");
        for (size_t i = 0; i < server.ops->count; i++)
            printf(" %s", server.ops->names[i]);
        printf("\n");
    }
    for (int i = 0; i < opt.threads; i++) {
        int rc = pthread_create(&threads[i].tid, NULL, run_thread, &threads[i]);
        if (rc != 0) {
            snprintf(err, errlen, "cannot start server thread %d: %s", i + 1, strerror(rc));
            return -1;
        }
    }
    printf("soapload-mock %s listening on %s (%d thread%s); GET /stats for counters; stop with "
           "Ctrl-C or SIGTERM\n",
           SL_VERSION, url, opt.threads, opt.threads == 1 ? "" : "s");
    fflush(stdout);
    return 0;
}

/* Waits for a stop signal, stops every thread, writes the rest of the ID log, then prints the
 * totals. */
static void stop_on_signal(const sigset_t *sigs)
{
    sl_stats_snapshot_t snap;
    int sig;
    sigwait(sigs, &sig);
    atomic_store(&stop_requested, 1);
    pthread_mutex_lock(&park_lock);
    while (parked < opt.threads)
        pthread_cond_wait(&parked_cond, &park_lock);
    pthread_mutex_unlock(&park_lock);
    sl_stats_read(server.stats, &snap);
    sl_stats_destroy(server.stats); /* every thread has parked: nothing counts any more */
    server.stats = NULL;
    print_totals(&snap, sig);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    char err[256], url[300];
    sl_mock_action_t action;
    sigset_t sigs;

    if (sl_mock_options_parse(argc, argv, &opt, &action, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload-mock: %s\n", err);
        return 2;
    }
    if (action == SL_MOCK_HELP) {
        sl_mock_options_usage(stdout);
        return 0;
    }
    if (action == SL_MOCK_VERSION) {
        printf("soapload-mock %s (h2o %s)\n", SL_VERSION, H2O_VERSION);
        return 0;
    }
    block_stop_signals(&sigs);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    sl_stats_config_t scfg = {
        .threads = opt.threads, .id_log = opt.id_log, .id_memory = opt.id_memory};
    if ((server.stats = sl_stats_create(&scfg, err, sizeof(err))) == NULL ||
        set_up(url, sizeof(url), err, sizeof(err)) != 0 || start(url, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload-mock: %s\n", err);
        return 1;
    }
    stop_on_signal(&sigs);
    return 0;
}
