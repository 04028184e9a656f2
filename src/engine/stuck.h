/*
 * stuck: what a worker that outlived the run's longest possible end is doing, read from /proc
 * before the parent kills it, so that the summary says where it hung rather than only that it
 * died. With SOAPLOAD_STUCK_GDB=1 (the specs set it) gdb's backtrace of every thread goes to
 * stderr too, for a hang that no one can reproduce at will.
 */
#ifndef SOAPLOAD_STUCK_H
#define SOAPLOAD_STUCK_H

#include <stddef.h>
#include <sys/types.h>

/* Describes, in out, each thread of pid: its state, its system call (or "running") and the
 * kernel function it waits in. Then, when SOAPLOAD_STUCK_GDB=1 and gdb is there, prints the
 * backtraces to stderr. */
void sl_stuck_describe(pid_t pid, char *out, size_t cap);

#endif
