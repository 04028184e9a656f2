/*
 * hook_guard: a count hook (script.c) stops a hook call that overruns in Lua code; inside a C
 * function (a string pattern that backtracks, a blocking read) no Lua hook runs, so a thread
 * looks at the call every GUARD_TICK_NS and ends the process, with a message, once the call is
 * GUARD_GRACE_NS past its limit.
 */
#include "engine/hook_guard.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/monotime.h"
#include "engine/proto.h"

#define GUARD_TICK_NS 100000000ULL   /* how often the guard thread looks at the call */
#define GUARD_GRACE_NS 1000000000ULL /* past the limit, before the guard stops the process */

/* "200 ms" or "30 s", for messages. */
static void format_limit(uint64_t ns, char *out, size_t cap)
{
    if (ns >= 1000000000ULL && ns % 1000000000ULL == 0)
        snprintf(out, cap, "%llu s", (unsigned long long)(ns / 1000000000ULL));
    else
        snprintf(out, cap, "%.6g ms", (double)ns / 1e6);
}

/* Which limit a hook has: --hook-limit for request() and response(), a fixed one for the
 * main chunk, init() and done(), which may read data files. */
static const char *limit_name(uint64_t limit_ns)
{
    return limit_ns == SL_HOOKGUARD_LOAD_LIMIT_NS ? "the limit of the main chunk, init() and done()"
                                                  : "--hook-limit";
}

void sl_hookguard_describe(sl_hookguard_t *g, char *out, size_t cap)
{
    char limit[32];
    uint64_t limit_ns = atomic_load(&g->limit_ns);
    format_limit(limit_ns, limit, sizeof(limit));
    snprintf(out, cap, "%s: hook ran longer than its limit of %s (%s): stopped (an endless loop?)",
             atomic_load(&g->hook), limit, limit_name(limit_ns));
}

/* Called by the guard thread when a call is still running GUARD_GRACE_NS past its limit: tells
 * why and ends the process. */
static void overrun(sl_hookguard_t *g)
{
    char limit[32], msg[512];
    uint64_t limit_ns = atomic_load(&g->limit_ns);
    const char *hook = atomic_load(&g->hook);
    int n;
    format_limit(limit_ns, limit, sizeof(limit));
    if (g->worker > 0)
        n = snprintf(msg, sizeof(msg),
                     "%s ran past its limit of %s (%s) inside a C function, where it cannot be "
                     "stopped (a string pattern that backtracks? a blocking read?): worker %d "
                     "(pid %d) stops",
                     hook, limit, limit_name(limit_ns), g->worker, (int)getpid());
    else
        n = snprintf(msg, sizeof(msg),
                     "%s ran past its limit of %s (%s) inside a C function, where it cannot be "
                     "stopped (a string pattern that backtracks? a blocking read?): soapload "
                     "stops",
                     hook, limit, limit_name(limit_ns));
    if (n < 0 || (size_t)n >= sizeof(msg))
        n = (int)strlen(msg);
    int before_start = strcmp(hook, "request()") != 0 && strcmp(hook, "response()") != 0;
    if (g->report_fd >= 0) /* the parent prints it: as why the run could not start, or as */
        sl_proto_send(g->report_fd, before_start ? SL_MSG_FAILED : SL_MSG_SCRIPT_ERROR, msg,
                      (size_t)n, NULL, 0); /* a script error next to the dead worker */
    if (g->report_fd < 0 || !before_start) {
        struct iovec iov[3] = {{"soapload: ", 10}, {msg, (size_t)n}, {"\n", 1}};
        ssize_t w = writev(STDERR_FILENO, iov, 3);
        (void)w;
    }
    _exit(g->overrun_exit);
}

/* The guard thread: looks at the call under way every GUARD_TICK_NS. */
static void *guard_main(void *arg)
{
    sl_hookguard_t *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += (long)GUARD_TICK_NS;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->wake, &g->lock, &ts);
        if (g->stop)
            break;
        uint64_t call = atomic_load(&g->calls);
        uint64_t deadline = atomic_load(&g->deadline_ns);
        if (deadline != 0 && sl_monotime_ns() > deadline + GUARD_GRACE_NS &&
            atomic_load(&g->calls) == call)
            overrun(g);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

void sl_hookguard_init(sl_hookguard_t *g)
{
    g->report_fd = -1;
    g->overrun_exit = SL_HOOKGUARD_LOAD_EXIT;
}

int sl_hookguard_start(sl_hookguard_t *g)
{
    pthread_condattr_t ca;
    pthread_attr_t ta;
    int rc;
    g->stop = 0;
    pthread_mutex_init(&g->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_attr_init(&ta);
    pthread_attr_setstacksize(&ta, 256 << 10);
    rc = pthread_create(&g->thread, &ta, guard_main, g);
    pthread_attr_destroy(&ta);
    if (rc != 0) {
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        errno = rc;
        return -1;
    }
    g->started = 1;
    return 0;
}

void sl_hookguard_stop(sl_hookguard_t *g)
{
    if (!g->started)
        return;
    pthread_mutex_lock(&g->lock);
    g->stop = 1;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    g->started = 0;
}

int sl_hookguard_running(const sl_hookguard_t *g)
{
    return g->started;
}

void sl_hookguard_watch(sl_hookguard_t *g, int report_fd, int worker, int exit_code)
{
    if (g->started)
        pthread_mutex_lock(&g->lock);
    g->report_fd = report_fd;
    g->worker = worker;
    g->overrun_exit = exit_code;
    if (g->started)
        pthread_mutex_unlock(&g->lock);
}

void sl_hookguard_set_exit(sl_hookguard_t *g, int exit_code)
{
    g->overrun_exit = exit_code;
}

void sl_hookguard_enter(sl_hookguard_t *g, const char *hook, uint64_t limit_ns)
{
    atomic_store(&g->hook, hook);
    atomic_store(&g->limit_ns, limit_ns);
    atomic_fetch_add(&g->calls, 1);
    atomic_store(&g->deadline_ns, sl_monotime_ns() + limit_ns);
}

void sl_hookguard_leave(sl_hookguard_t *g)
{
    atomic_store(&g->deadline_ns, 0);
}

int sl_hookguard_overdue(const sl_hookguard_t *g)
{
    uint64_t deadline =
        atomic_load_explicit((_Atomic uint64_t *)&g->deadline_ns, memory_order_relaxed);
    return deadline != 0 && sl_monotime_ns() > deadline;
}
