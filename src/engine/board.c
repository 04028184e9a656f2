/*
 * board: the shared record of each worker's sends and results, and the trace parts that
 * survive a worker's death. A trace line is committed by one store of the tail's length; the
 * tail is committed to the part by one store of the part's committed length, made after the
 * write returned: whatever instant a worker dies at, the part's first trace_committed bytes
 * followed by the tail are its lines, each once.
 */
#include "engine/board.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"

static int open_part(void)
{
    const char *dir = getenv("TMPDIR");
    int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        char path[] = "/tmp/soapload-trace-XXXXXX";
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
    }
    return fd;
}

int sl_board_create(sl_board_t *b, int nworkers, int conns, int with_trace, char *err,
                    size_t errlen)
{
    memset(b, 0, sizeof(*b));
    b->nworkers = nworkers;
    b->conns = conns;
    b->stride = sizeof(sl_board_worker_t) + (size_t)conns * sizeof(sl_board_conn_t);
    b->stride = (b->stride + 63) & ~(size_t)63; /* each worker on its own cache lines */
    b->size = b->stride * (size_t)nworkers;
    b->mem = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b->mem == MAP_FAILED) {
        b->mem = NULL;
        snprintf(err, errlen, "cannot map the workers' board (%zu bytes): %s", b->size,
                 strerror(errno));
        return -1;
    }
    if (!with_trace)
        return 0;
    b->part_fds = malloc((size_t)nworkers * sizeof(int));
    if (b->part_fds == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < nworkers; i++)
        b->part_fds[i] = -1;
    for (int i = 0; i < nworkers; i++) {
        if ((b->part_fds[i] = open_part()) < 0) {
            snprintf(err, errlen, "cannot create a temporary file for the trace in %s: %s",
                     getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
                     strerror(errno));
            return -1;
        }
    }
    return 0;
}

void sl_board_free(sl_board_t *b)
{
    if (b->mem != NULL)
        munmap(b->mem, b->size);
    for (int i = 0; b->part_fds != NULL && i < b->nworkers; i++)
        if (b->part_fds[i] >= 0)
            close(b->part_fds[i]);
    free(b->part_fds);
    memset(b, 0, sizeof(*b));
}

void sl_board_live(const sl_board_t *b, sl_counts_t *counts, uint64_t *in_flight)
{
    memset(counts, 0, sizeof(*counts));
    *in_flight = 0;
    for (int i = 0; i < b->nworkers; i++) {
        sl_board_worker_t *w = sl_board_worker(b, i);
        sl_counts_t one;
        uint64_t *from = (uint64_t *)&w->counts, *to = (uint64_t *)&one; /* only uint64_t */
        for (size_t k = 0; k < sizeof(sl_counts_t) / sizeof(uint64_t); k++)
            to[k] = __atomic_load_n(&from[k], __ATOMIC_RELAXED);
        /* the open model counts its scheduled requests when sending ends; until then, those
         * taken from the schedule */
        uint64_t taken = __atomic_load_n(&w->next_j, __ATOMIC_RELAXED);
        if (taken > one.scheduled)
            one.scheduled = taken;
        sl_counts_add(counts, &one);
        for (int k = 0; k < b->conns; k++)
            *in_flight += __atomic_load_n(&sl_board_conn(w, k)->busy, __ATOMIC_ACQUIRE) != 0;
    }
}

void sl_board_live_flows(const sl_board_t *b, int n, sl_flow_live_t *flows)
{
    memset(flows, 0, sizeof(*flows) * (size_t)n);
    for (int i = 0; i < b->nworkers; i++)
        sl_flow_live_add(flows, sl_board_worker(b, i)->flows, n);
}

sl_board_worker_t *sl_board_worker(const sl_board_t *b, int i)
{
    return (sl_board_worker_t *)((char *)b->mem + b->stride * (size_t)i);
}

sl_board_conn_t *sl_board_conn(sl_board_worker_t *w, int c)
{
    return (sl_board_conn_t *)(w + 1) + c;
}

/* ---- trace lines ---------------------------------------------------------------------- */

/* Appends a CSV field: as it is, or quoted (RFC 4180) when a script's own ID holds a comma,
 * a quote or a line break. Returns the new length, or cap when it does not fit. */
static size_t put_field(char *out, size_t n, size_t cap, const char *s, size_t len)
{
    size_t plain = 0;
    while (plain < len && s[plain] != ',' && s[plain] != '"' && s[plain] != '\r' &&
           s[plain] != '\n')
        plain++;
    if (plain == len) {
        if (n + len > cap)
            return cap;
        memcpy(out + n, s, len);
        return n + len;
    }
    if (n + 2 * len + 2 > cap)
        return cap;
    out[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            out[n++] = '"'; /* a quote is written twice */
        out[n++] = s[i];
    }
    out[n++] = '"';
    return n;
}

/* Appends "seconds.micros," for a monotonic time, or "," when there is none. */
static size_t put_time(char *out, size_t n, int64_t realtime_offset, uint64_t mono_ns)
{
    if (mono_ns != 0) {
        int64_t ns = (int64_t)mono_ns + realtime_offset;
        n += (size_t)sprintf(out + n, "%lld.%06lld", (long long)(ns / 1000000000LL),
                             (long long)(ns % 1000000000LL / 1000));
    }
    out[n++] = ',';
    return n;
}

size_t sl_trace_format(char *out, size_t cap, int64_t realtime_offset, const char *id,
                       size_t id_len, int pid, int port, uint64_t due, uint64_t sent,
                       uint64_t first_byte, uint64_t done, long status, const char *operation,
                       const sl_trace_conn_t *tc, const char *outcome, const sl_trace_flow_t *tf)
{
    if (operation == NULL)
        operation = "";
    /* every field after the ID */
    size_t tail_max = 4 * 32 + 88 + strlen(operation) + 1 + strlen(outcome) + 2 +
                      (tf != NULL ? strlen(tf->name) + 3 * 21 + 4 : 4);
    if (cap < tail_max)
        return 0;
    size_t n = put_field(out, 0, cap - tail_max, id, id_len);
    if (n == cap - tail_max)
        return 0;
    n += (size_t)(port ? sprintf(out + n, ",%d,%d,", pid, port) : sprintf(out + n, ",%d,,", pid));
    n = put_time(out, n, realtime_offset, due);
    n = put_time(out, n, realtime_offset, sent);
    n = put_time(out, n, realtime_offset, first_byte);
    n = put_time(out, n, realtime_offset, done);
    n += (size_t)(status ? sprintf(out + n, "%ld,", status) : sprintf(out + n, ","));
    n += (size_t)sprintf(out + n, "%s,", operation);
    n += (size_t)(tc != NULL && tc->conn != 0 ? sprintf(out + n, "%u,%u,", tc->conn, tc->stream)
                                              : sprintf(out + n, ",,"));
    n += (size_t)(tf != NULL ? sprintf(out + n, "%s,%s,%llu,%d,%u\n", outcome, tf->name,
                                       (unsigned long long)tf->number, tf->step, tf->retry)
                             : sprintf(out + n, "%s,,,,\n", outcome));
    return n;
}

/* ---- the worker's side ---------------------------------------------------------------- */

/* Writes len bytes to the part and commits them. */
static int part_write(sl_board_worker_t *w, int fd, const char *p, size_t len)
{
    if (w->trace_errno != 0)
        return -1;
    if (sl_file_write_all(fd, p, len) != 0) {
        w->trace_errno = errno;
        return -1;
    }
    __atomic_store_n(&w->trace_committed, w->trace_committed + len, __ATOMIC_RELEASE);
    return 0;
}

int sl_board_trace_flush(sl_board_worker_t *w, int part_fd)
{
    if (w->trace_len == 0)
        return w->trace_errno != 0 ? -1 : 0;
    if (part_write(w, part_fd, w->tail, (size_t)w->trace_len) != 0)
        return -1;
    __atomic_store_n(&w->trace_len, 0, __ATOMIC_RELEASE);
    return 0;
}

int sl_board_trace_add(sl_board_worker_t *w, int part_fd, const char *line, size_t len)
{
    if (w->trace_errno != 0)
        return -1;
    if (w->trace_len + len > SL_BOARD_TAIL && sl_board_trace_flush(w, part_fd) != 0)
        return -1;
    if (len > SL_BOARD_TAIL)
        return part_write(w, part_fd, line, len);
    memcpy(w->tail + w->trace_len, line, len);
    __atomic_store_n(&w->trace_len, w->trace_len + len, __ATOMIC_RELEASE);
    return 0;
}

/* ---- the parent's side ---------------------------------------------------------------- */

int sl_board_trace_salvage(sl_board_t *b, int i)
{
    sl_board_worker_t *w = sl_board_worker(b, i);
    int fd = b->part_fds[i];
    if (ftruncate(fd, (off_t)w->trace_committed) != 0 ||
        lseek(fd, (off_t)w->trace_committed, SEEK_SET) < 0)
        return -1;
    if (w->trace_len > 0 && w->trace_len <= SL_BOARD_TAIL &&
        sl_file_write_all(fd, w->tail, (size_t)w->trace_len) != 0)
        return -1;
    w->trace_committed += w->trace_len;
    w->trace_len = 0;
    return 0;
}

int sl_board_trace_copy(sl_board_t *b, int i, int fd)
{
    char buf[65536];
    int part = b->part_fds[i];
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(part, buf, sizeof(buf), off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        if (sl_file_write_all(fd, buf, (size_t)n) != 0)
            return -1;
        off += n;
    }
}
