/*
 * h1head: the request head that libcurl 7.88 would write for a POST with the run's URL and a
 * header list (lib/http.c): the request line, Host (without :80), libcurl's own Accept (any
 * type) unless the list has one, the list's lines as libcurl sends them, Content-Length,
 * libcurl's form Content-Type unless the list names one, the blank line. request_head_spec
 * checks the wire on both paths.
 */
#include "engine/h1head.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/headers.h"

/* Whether a header line changes the framing or the target, which only libcurl's path does:
 * Host, Content-Length, Transfer-Encoding, and Expect with a value. */
static int line_not_fast(const char *line)
{
    static const char *const hard[] = {"Host:", "Content-Length:", "Transfer-Encoding:"};
    if (sl_header_named_in(line, hard, 3))
        return 1;
    if (strncasecmp(line, "Expect:", 7) == 0) {
        const char *v = line + 7;
        while (*v == ' ' || *v == '\t')
            v++;
        return *v != '\0';
    }
    return 0;
}

/* Appends a list line as libcurl sends it: "Name: value" as given when the value is not
 * blank, "Name;" as "Name:", nothing for "Name:" (which removes a header of libcurl's).
 * Returns 0 or -1. */
static int append_line(sl_buf_t *b, const char *line)
{
    const char *colon = strchr(line, ':');
    if (colon == NULL) {
        const char *semi = strchr(line, ';');
        if (semi == NULL || semi == line)
            return 0;
        for (const char *p = semi + 1; *p; p++)
            if (*p != ' ' && *p != '\t')
                return 0;
        return sl_buf_append(b, line, (size_t)(semi - line)) != 0 ||
                       sl_buf_append(b, ":\r\n", 3) != 0
                   ? -1
                   : 0;
    }
    if (colon == line)
        return 0;
    const char *v = colon + 1;
    while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
        v++;
    if (*v == '\0')
        return 0;
    return sl_buf_append(b, line, strlen(line)) != 0 || sl_buf_append(b, "\r\n", 2) != 0 ? -1 : 0;
}

static int list_names(const struct curl_slist *l, const char *name)
{
    for (; l != NULL; l = l->next)
        if (sl_header_same_name(l->data, name))
            return 1;
    return 0;
}

/* The head up to Content-Length: request line, Host, libcurl's Accept unless the list has
 * one, the list's lines. Returns 0, 1 when the list needs libcurl's path, or -1. */
static int render_head(const sl_h1head_t *h, sl_buf_t *b, const char *method, const char *target,
                       const struct curl_slist *list, const char *cookie)
{
    for (const struct curl_slist *l = list; l != NULL; l = l->next)
        if (line_not_fast(l->data))
            return 1;
    if (sl_buf_append(b, method, strlen(method)) != 0 || sl_buf_append(b, " ", 1) != 0 ||
        sl_buf_append(b, target, strlen(target)) != 0 ||
        sl_buf_append(b, " HTTP/1.1\r\n", 11) != 0 || sl_buf_append(b, h->host, strlen(h->host)))
        return -1;
    if (!list_names(list, "Accept:") && sl_buf_append(b, "Accept: */*\r\n", 13) != 0)
        return -1;
    if (cookie != NULL && !list_names(list, "Cookie:") && /* CURLOPT_COOKIE's place */
        (sl_buf_append(b, "Cookie: ", 8) != 0 || sl_buf_append(b, cookie, strlen(cookie)) != 0 ||
         sl_buf_append(b, "\r\n", 2) != 0))
        return -1;
    for (const struct curl_slist *l = list; l != NULL; l = l->next)
        if (append_line(b, l->data) != 0)
            return -1;
    return 0;
}

/* Content-Length, libcurl's Content-Type unless the list names one, the blank line. */
static int render_tail(sl_buf_t *b, size_t body_len, int has_ct)
{
    char cl[64];
    int n = snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", body_len);
    if (sl_buf_append(b, cl, (size_t)n) != 0)
        return -1;
    if (!has_ct && sl_buf_append(b, "Content-Type: application/x-www-form-urlencoded\r\n", 49) != 0)
        return -1;
    return sl_buf_append(b, "\r\n", 2);
}

/* The request target and Host line from the URL, as libcurl writes them. */
static int url_parts(sl_h1head_t *h, const char *url)
{
    char *host = NULL, *port = NULL, *path = NULL, *query = NULL;
    int rc = -1;
    h->url = curl_url();
    if (h->url == NULL || curl_url_set(h->url, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(h->url, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        goto Done;
    curl_url_get(h->url, CURLUPART_PORT, &port, 0);
    curl_url_get(h->url, CURLUPART_PATH, &path, 0);
    curl_url_get(h->url, CURLUPART_QUERY, &query, 0);
    int n = snprintf(h->target, sizeof(h->target), "%s%s%s", path && *path ? path : "/",
                     query ? "?" : "", query ? query : "");
    snprintf(h->hostname, sizeof(h->hostname), "%s", host);
    snprintf(h->port, sizeof(h->port), "%s", port ? port : "80");
    int m = snprintf(h->host, sizeof(h->host), "Host: %s%s%s\r\n", host,
                     port && strcmp(port, "80") != 0 ? ":" : "",
                     port && strcmp(port, "80") != 0 ? port : "");
    rc = n > 0 && (size_t)n < sizeof(h->target) && m > 0 && (size_t)m < sizeof(h->host) ? 0 : -1;
Done:
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    return rc;
}

/* The target of request()'s path, resolved against the URL as libcurl does, into
 * target[0..cap). Returns 0, or -1 when it leaves the URL's host (libcurl's path then). */
static int path_target(const sl_h1head_t *h, const char *path, char *target, size_t cap)
{
    char *scheme = NULL, *host = NULL, *port = NULL, *p = NULL, *q = NULL;
    CURLU *u = curl_url_dup(h->url);
    int rc = -1;
    if (u == NULL || curl_url_set(u, CURLUPART_URL, path, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK)
        goto Done;
    curl_url_get(u, CURLUPART_QUERY, &q, 0);
    if (strcasecmp(scheme, "http") != 0 || strcmp(host, h->hostname) != 0 ||
        strcmp(port, h->port) != 0)
        goto Done;
    int n = snprintf(target, cap, "%s%s%s", *p ? p : "/", q ? "?" : "", q ? q : "");
    rc = n > 0 && (size_t)n < cap ? 0 : -1;
Done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(p);
    curl_free(q);
    curl_url_cleanup(u);
    return rc;
}

int sl_h1head_open(sl_h1head_t *h, const char *url, const struct curl_slist *defaults)
{
    memset(h, 0, sizeof(*h));
    h->defaults = defaults;
    if (url_parts(h, url) != 0)
        return -1;
    if (render_head(h, &h->prefix, "POST", h->target, defaults, NULL) != 0)
        sl_buf_free(&h->prefix); /* the defaults need libcurl's path: each request's own list */
    h->prefix_has_ct = list_names(defaults, "Content-Type:");
    return 0;
}

int sl_h1head_render(const sl_h1head_t *h, const char *method, const char *path,
                     const struct curl_slist *headers, const char *cookie, size_t body_len,
                     sl_buf_t *b)
{
    char target[sizeof(h->target)];
    if (strcasecmp(method, "HEAD") == 0 ||
        (path != NULL && path_target(h, path, target, sizeof(target)) != 0))
        return -1;
    sl_buf_clear(b);
    int own = strcmp(method, "POST") != 0 || h->prefix.len == 0 || headers != NULL ||
              path != NULL || cookie != NULL;
    const struct curl_slist *list = headers != NULL ? headers : h->defaults;
    if (own && render_head(h, b, method, path != NULL ? target : h->target, list, cookie) != 0)
        return -1;
    if (render_tail(b, body_len, own ? list_names(list, "Content-Type:") : h->prefix_has_ct))
        return -1;
    return own ? SL_H1HEAD_OWN : SL_H1HEAD_PREFIX;
}

void sl_h1head_close(sl_h1head_t *h)
{
    sl_buf_free(&h->prefix);
    curl_url_cleanup(h->url);
    memset(h, 0, sizeof(*h));
}
