/*
 * fdlimit: how many file descriptors a run needs (per worker process and in the parent), checked
 * against RLIMIT_NOFILE before anything is sent: too few would show as connect errors mid-run.
 */
#ifndef SOAPLOAD_FDLIMIT_H
#define SOAPLOAD_FDLIMIT_H

#include <stddef.h>

#include "core/config.h"

/** The descriptors a worker holds besides its connections and what it inherits: its two pipes,
 * its epoll, libcurl's wake-up pair, the spool, the ID log, its trace part, and a margin for the
 * files a script or libcurl opens (measured: 9 of them at -c 3, see faults_spec). */
#define SL_FDLIMIT_WORKER_OWN 16

/** Makes sure the parent and each worker can open what they need, raising the soft
 * RLIMIT_NOFILE up to the hard one when it must. Returns 0, or -1 with a message in err that
 * says what the limit is and how to raise it (and, when the connections are the reason, that
 * fewer connections per worker would do). */
int sl_fdlimit_check(const sl_config_t *cfg, char *err, size_t errlen);

#endif
