/*
 * stuck: /proc/PID/task/TID/{stat,syscall,wchan} for each thread of a worker that did not end.
 */
#include "engine/stuck.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The first line of a /proc file, without its newline; "" when it cannot be read. */
static void read_line(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    if (fgets(out, (int)cap, f) == NULL)
        out[0] = '\0';
    fclose(f);
    out[strcspn(out, "\n")] = '\0';
}

/* The names of the calls a worker waits in, where the numbers are known (x86-64). */
static const char *syscall_name(long nr)
{
#if defined(__x86_64__)
    static const struct {
        long nr;
        const char *name;
    } names[] = {{0, "read"},          {1, "write"},
                 {7, "poll"},          {20, "writev"},
                 {23, "select"},       {35, "nanosleep"},
                 {42, "connect"},      {61, "wait4"},
                 {202, "futex"},       {230, "clock_nanosleep"},
                 {232, "epoll_wait"},  {257, "openat"},
                 {270, "pselect6"},    {271, "ppoll"},
                 {281, "epoll_pwait"}, {441, "epoll_pwait2"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].nr == nr)
            return names[i].name;
#else
    (void)nr;
#endif
    return NULL;
}

/* "state S, in system call 232 (epoll_wait), waiting in do_epoll_wait" for one thread. */
static int describe_thread(pid_t pid, const char *tid, char *out, size_t cap)
{
    char path[96], stat[512], syscall[256], wchan[96];
    snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, tid);
    read_line(path, stat, sizeof(stat));
    const char *paren = strrchr(stat, ')'); /* the name may hold spaces */
    char state = paren != NULL && paren[1] == ' ' ? paren[2] : '?';
    snprintf(path, sizeof(path), "/proc/%d/task/%s/syscall", (int)pid, tid);
    read_line(path, syscall, sizeof(syscall));
    syscall[strcspn(syscall, " ")] = '\0'; /* the number, or "running" */
    snprintf(path, sizeof(path), "/proc/%d/task/%s/wchan", (int)pid, tid);
    read_line(path, wchan, sizeof(wchan));
    char call[96]; /* what it runs: a system call, or its own code */
    const char *name = syscall_name(strtol(syscall, NULL, 10));
    if (syscall[0] == '\0')
        snprintf(call, sizeof(call), "system call unknown");
    else if (strcmp(syscall, "running") == 0)
        snprintf(call, sizeof(call), "running (not in a system call)");
    else
        snprintf(call, sizeof(call), "in system call %.24s%s%s%s", syscall, name ? " (" : "",
                 name ? name : "", name ? ")" : "");
    int waits = wchan[0] != '\0' && strcmp(wchan, "0") != 0;
    return snprintf(out, cap, "thread %s: state %c, %s%s%s", tid, state, call,
                    waits ? ", waiting in " : "", waits ? wchan : "");
}

static void backtraces(pid_t pid)
{
    const char *want = getenv("SOAPLOAD_STUCK_GDB");
    if (want == NULL || strcmp(want, "1") != 0)
        return;
    char cmd[160];
    snprintf(cmd, sizeof(cmd),
             "gdb -p %d -batch -nx -ex 'thread apply all bt' </dev/null 2>/dev/null | "
             "grep -E '^(#|Thread)' >&2",
             (int)pid);
    fprintf(stderr, "soapload: backtraces of the stuck worker (pid %d):\n", (int)pid);
    fflush(stderr);
    if (system(cmd) == -1)
        fprintf(stderr, "soapload: cannot run gdb\n");
}

void sl_stuck_describe(pid_t pid, char *out, size_t cap)
{
    char path[64];
    size_t n = 0;
    out[0] = '\0';
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (d == NULL) {
        snprintf(out, cap, "its threads cannot be read (/proc/%d/task)", (int)pid);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n + 1 < cap) {
        if (e->d_name[0] == '.')
            continue;
        if (n > 0)
            n += (size_t)snprintf(out + n, cap - n, "; ");
        if (n + 1 < cap) {
            int k = describe_thread(pid, e->d_name, out + n, cap - n);
            n += k > 0 ? (size_t)k : 0;
        }
        if (n >= cap)
            n = cap - 1;
    }
    closedir(d);
    backtraces(pid);
}
