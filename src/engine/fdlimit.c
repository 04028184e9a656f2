/*
 * fdlimit: the descriptors a run needs, computed from what it opens, against RLIMIT_NOFILE.
 * A worker inherits the parent's open descriptors, then holds its own few and one per
 * connection; the parent holds two pipes per worker. Only the connections grow with the
 * options, so only they are worth advising about.
 */
#include "engine/fdlimit.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <curl/curl.h>

/* Descriptors open now: /proc/self/fd without the directory's own, else a probe of each. */
static unsigned long long open_now(void)
{
    unsigned long long n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            n += e->d_name[0] != '.';
        closedir(d);
        return n > 0 ? n - 1 : 0;
    }
    for (int fd = 0; fd < 4096; fd++)
        n += fcntl(fd, F_GETFD) != -1;
    return n;
}

/* 1 when the URL's host is an IP address (or --resolve pins it): libcurl then starts no
 * resolver thread, whose socket pair would cost two more descriptors per connection. */
static int host_is_address(const sl_config_t *cfg)
{
    if (cfg->nresolve > 0)
        return 1;
    CURLU *u = curl_url();
    char *host = NULL;
    int is = 0;
    if (u != NULL && curl_url_set(u, CURLUPART_URL, cfg->url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host != NULL) {
        /* an IPv6 host comes back in its brackets (and maybe a zone id, %25...) */
        char *h = host[0] == '[' ? host + 1 : host;
        h[strcspn(h, "]%")] = '\0';
        unsigned char buf[16];
        is = inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1;
    }
    curl_free(host);
    curl_url_cleanup(u);
    return is;
}

static unsigned long long per_worker_connections(const sl_config_t *cfg)
{
    return (unsigned long long)((cfg->connections + cfg->workers - 1) / cfg->workers);
}

/* The descriptors one worker of cfg needs: those open now (inherited at fork), its own, one per
 * connection (three while libcurl's threaded resolver looks a host name up). */
static unsigned long long worker_need(const sl_config_t *cfg)
{
    unsigned long long per_conn = host_is_address(cfg) ? 1 : 3;
    return open_now() + (unsigned long long)cfg->workers /* trace parts, opened before fork */ +
           SL_FDLIMIT_WORKER_OWN + per_conn * per_worker_connections(cfg);
}

int sl_fdlimit_check(const sl_config_t *cfg, char *err, size_t errlen)
{
    struct rlimit rl;
    unsigned long long worker = worker_need(cfg);
    unsigned long long parent =
        open_now() + 3ULL * (unsigned long long)cfg->workers + SL_FDLIMIT_WORKER_OWN;
    unsigned long long need = worker > parent ? worker : parent;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
        return 0;
    unsigned long long soft = rl.rlim_cur, hard = rl.rlim_max;
    if (rl.rlim_max == RLIM_INFINITY || hard >= need) {
        rl.rlim_cur = need;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
            return 0;
    }
    /* fewer connections per worker help only when the rest fits */
    unsigned long long conns = (host_is_address(cfg) ? 1 : 3) * per_worker_connections(cfg);
    int by_connections = worker == need && worker - conns < soft;
    int n = snprintf(err, errlen,
                     "%d connection%s over %d worker%s need%s %llu file descriptors per process "
                     "(%llu for connections), but the limit is %llu (ulimit -n; hard limit %llu): "
                     "raise it to %llu (ulimit -n %llu in the shell that starts soapload, "
                     "LimitNOFILE=%llu in a systemd unit; above the hard limit as root or in "
                     "/etc/security/limits.conf)",
                     cfg->connections, cfg->connections == 1 ? "" : "s", cfg->workers,
                     cfg->workers == 1 ? "" : "s", cfg->connections == 1 ? "s" : "", need, conns,
                     soft, hard, need, need, need);
    if (by_connections && n > 0 && (size_t)n < errlen)
        snprintf(err + n, errlen - (size_t)n,
                 ", or give each worker fewer connections (more --workers, fewer --connections)");
    return -1;
}
