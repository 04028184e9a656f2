/*
 * conns: connection reuse, TLS handshake times and the trace's connection and stream numbers,
 * from CURLINFO_NUM_CONNECTS, CURLINFO_CONNECT_TIME_T / CURLINFO_APPCONNECT_TIME_T and
 * CURLINFO_HTTP_VERSION. A connection is known by its local port; a transfer that opened one
 * starts a new number even when the port was used before.
 */
#include "engine/conns.h"

#include <stdlib.h>
#include <string.h>

#define PORTS 65536

int sl_conns_init(sl_conns_t *c, int with_trace)
{
    memset(c, 0, sizeof(*c));
    c->handshake = calloc(1, sizeof(sl_hist_t));
    if (c->handshake == NULL)
        return -1;
    sl_hist_reset(c->handshake);
    if (with_trace) {
        c->port_conn = calloc(PORTS, sizeof(uint32_t));
        c->port_sent = calloc(PORTS, sizeof(uint32_t));
        if (c->port_conn == NULL || c->port_sent == NULL)
            return -1;
    }
    return 0;
}

/* Counts a sent request as opening its connection or reusing one, and numbers it for the
 * trace. Returns `opened`. */
static int count_sent(sl_conns_t *c, int port, int opened, sl_trace_conn_t *tc)
{
    if (c->port_conn != NULL && port > 0 && port < PORTS) {
        if (opened || c->port_conn[port] == 0) {
            c->port_conn[port] = ++c->nconns;
            c->port_sent[port] = 0;
        }
        tc->conn = c->port_conn[port];
        tc->stream = ++c->port_sent[port];
    }
    if (opened)
        c->counts.opened++;
    else
        c->counts.reused++;
    return opened;
}

void sl_conns_sent_fast(sl_conns_t *c, int port, int opened, sl_trace_conn_t *tc)
{
    c->counts.fast++;
    count_sent(c, port, opened, tc);
}

void sl_conns_sent(sl_conns_t *c, CURL *e, int port, sl_trace_conn_t *tc)
{
    long opened = 0;
    curl_off_t connect_us = 0, tls_us = 0;
    if (curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &opened) != CURLE_OK)
        opened = 0;
    c->counts.full++;
    if (!count_sent(c, port, opened > 0, tc))
        return;
    /* APPCONNECT is 0 for plain http */
    if (curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us) == CURLE_OK &&
        curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &tls_us) == CURLE_OK && tls_us > 0 &&
        tls_us >= connect_us)
        sl_hist_record(c->handshake, (uint64_t)(tls_us - connect_us));
}

void sl_conns_done(CURL *e, sl_trace_conn_t *tc)
{
    long version = 0;
    if (tc->conn != 0 && curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version) == CURLE_OK &&
        version == CURL_HTTP_VERSION_2_0)
        tc->stream = 2 * tc->stream - 1;
}

int sl_conns_report(const sl_conns_t *c, int fd)
{
    size_t need = sl_hist_encode(c->handshake, NULL, 0);
    uint8_t *enc = malloc(need);
    if (enc == NULL)
        return -1;
    int rc = sl_proto_send(fd, SL_MSG_CONNS, &c->counts, sizeof(c->counts), enc,
                           sl_hist_encode(c->handshake, enc, need));
    free(enc);
    return rc;
}

void sl_conns_free(sl_conns_t *c)
{
    free(c->handshake);
    free(c->port_conn);
    free(c->port_sent);
    memset(c, 0, sizeof(*c));
}
