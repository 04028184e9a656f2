/*
 * worker_sock: libcurl's sockets in a worker's epoll set. A keep-alive connection's socket
 * stays registered while it idles, so that a request costs no epoll_ctl.
 */
#include "engine/worker_sock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/monotime.h"

/* What epoll knows of each socket, by descriptor. libcurl drops a keep-alive connection's
 * socket from its watch list when a transfer ends and asks for it again when the next one
 * waits for its answer: for the sockets it opened through sl_worker_sock_open, the registration
 * stays (reading only) while the connection idles, so that each request costs no epoll_ctl. An idle
 * socket that turns readable (the server closed it) is dropped from epoll then; libcurl checks a
 * connection before it reuses it, as before. sl_worker_sock_close forgets the descriptor. */
#define SOCK_OWN 0x100u     /* opened by sl_worker_sock_open: only sl_worker_sock_close closes it */
#define SOCK_WATCHED 0x200u /* libcurl watches it now */
#define SOCK_REG 0x400u     /* registered in epoll, with the EPOLLIN/EPOLLOUT bits below */
#define SOCK_EVENTS (EPOLLIN | EPOLLOUT)
static uint32_t *sock_state;
static size_t sock_cap;

static uint32_t *sock_of(curl_socket_t fd, int grow)
{
    if (fd < 0)
        return NULL;
    if ((size_t)fd >= sock_cap) {
        size_t cap = sock_cap ? sock_cap : 64;
        while (cap <= (size_t)fd)
            cap *= 2;
        uint32_t *p = grow ? realloc(sock_state, cap * sizeof(*p)) : NULL;
        if (p == NULL)
            return NULL;
        memset(p + sock_cap, 0, (cap - sock_cap) * sizeof(*p));
        sock_state = p;
        sock_cap = cap;
    }
    return &sock_state[fd];
}

curl_socket_t sl_worker_sock_open(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)clientp;
    (void)purpose;
    curl_socket_t fd = socket(a->family, a->socktype, a->protocol);
    uint32_t *st = sock_of(fd, 1);
    if (st != NULL)
        *st = SOCK_OWN;
    return fd;
}

int sl_worker_sock_close(void *clientp, curl_socket_t fd)
{
    (void)clientp;
    uint32_t *st = sock_of(fd, 0);
    if (st != NULL)
        *st = 0; /* closing it takes it out of epoll: it was never duplicated */
    return close(fd);
}

int sl_worker_sock_on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    (void)socketp;
    sl_worker_t *w = userp;
    uint32_t *st = sock_of(fd, 1);
    uint32_t old = st != NULL ? *st : 0;
    struct epoll_event ev = {.data.fd = fd};
    if (what == CURL_POLL_REMOVE) {
        if ((old & (SOCK_OWN | SOCK_REG)) == (SOCK_OWN | SOCK_REG)) { /* idles: keep reading */
            ev.events = EPOLLIN;
            if ((old & SOCK_EVENTS) != EPOLLIN)
                epoll_ctl(w->ep, EPOLL_CTL_MOD, fd, &ev);
            *st = SOCK_OWN | SOCK_REG | EPOLLIN;
            return 0;
        }
        epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL);
        if (st != NULL)
            *st = old & SOCK_OWN;
        return 0;
    }
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    if (!(old & SOCK_REG)) {
        if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
            epoll_ctl(w->ep, EPOLL_CTL_MOD, fd, &ev);
    } else if ((old & SOCK_EVENTS) != ev.events) {
        epoll_ctl(w->ep, EPOLL_CTL_MOD, fd, &ev);
    }
    if (st != NULL)
        *st = (old & SOCK_OWN) | SOCK_WATCHED | SOCK_REG | ev.events;
    return 0;
}

/* An event on a socket that libcurl does not watch (an idle connection that the server
 * closed, or that sent something unasked): out of epoll until libcurl asks for it again.
 * Returns 1 when the event is for nobody. */
int sl_worker_sock_idle_event(sl_worker_t *w, int fd)
{
    uint32_t *st = sock_of(fd, 0);
    if (st == NULL || (*st & (SOCK_REG | SOCK_WATCHED)) != SOCK_REG)
        return 0;
    epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL);
    *st &= SOCK_OWN;
    return 1;
}

int sl_worker_sock_on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    sl_worker_t *w = userp;
    w->curl_deadline =
        timeout_ms < 0 ? SL_WORKER_NEVER : sl_monotime_ns() + (uint64_t)timeout_ms * 1000000ULL;
    return 0;
}
