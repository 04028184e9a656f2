/*
 * worker_sock: libcurl's sockets in a worker's epoll set, and libcurl's timer: the callbacks
 * that the multi interface and each easy handle are given.
 */
#ifndef SOAPLOAD_WORKER_SOCK_H
#define SOAPLOAD_WORKER_SOCK_H

#include <curl/curl.h>

#include "engine/worker_state.h"

/** CURLOPT_OPENSOCKETFUNCTION: opens the socket and notes it as soapload's. Returns the
 * descriptor, or CURL_SOCKET_BAD. */
curl_socket_t sl_worker_sock_open(void *clientp, curlsocktype purpose, struct curl_sockaddr *a);
/** CURLOPT_CLOSESOCKETFUNCTION: forgets and closes fd. Returns close()'s result. */
int sl_worker_sock_close(void *clientp, curl_socket_t fd);
/** CURLMOPT_SOCKETFUNCTION (userp: the worker): what epoll watches fd for. Returns 0. */
int sl_worker_sock_on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp);
/** An event on fd that libcurl does not watch: fd leaves epoll until libcurl asks again.
 * Returns 1 when the event was for nobody (the caller skips it), else 0. */
int sl_worker_sock_idle_event(sl_worker_t *w, int fd);
/** CURLMOPT_TIMERFUNCTION (userp: the worker): when libcurl wants to be called. Returns 0. */
int sl_worker_sock_on_timer(CURLM *multi, long timeout_ms, void *userp);

#endif
