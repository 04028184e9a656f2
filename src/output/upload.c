/*
 * upload: --json-to URL. One libcurl easy handle per attempt; the token goes in a header built
 * here, never on a command line. A refusal (401, 409, 400, 413...) is final: sending the same
 * body again cannot change it. What can pass (the merge not listening yet, a time-out, a 5xx)
 * is retried with a doubling pause until the retry time is spent.
 */
#include "output/upload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/monotime.h"

#define MAX_ANSWER 1024 /* bytes of the merge's answer kept for the message */
/* One attempt gets what is left of the retry time, but at least ATTEMPT_MIN_MS (a first
 * attempt with --json-to-retry 0 must be able to send a large result) and at most
 * ATTEMPT_MAX_MS: a merge that takes the request and never answers cannot hold the run's end
 * much beyond the retry time. */
#define ATTEMPT_MIN_MS 10000L
#define ATTEMPT_MAX_MS 120000L

struct sl_upload {
    const char *url; /* cfg's */
    char token[SL_UPLOAD_MAX_TOKEN + 1];
    uint64_t retry_ns;
};

typedef struct {
    char text[MAX_ANSWER];
    size_t len;
} answer_t;

static size_t keep_answer(char *p, size_t size, size_t n, void *data)
{
    answer_t *a = data;
    size_t len = size * n, room = sizeof(a->text) - 1 - a->len;
    memcpy(a->text + a->len, p, len < room ? len : room);
    a->len += len < room ? len : room;
    a->text[a->len] = '\0';
    return len;
}

int sl_upload_read_token(const char *path, const char *option, char *token, char *err,
                         size_t errlen)
{
    char buf[SL_UPLOAD_MAX_TOKEN + 3];
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read %s %s: %s", option, path, strerror(errno));
        return -1;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    n = strcspn(buf, "\r\n");
    int ok = n > 0 && n <= SL_UPLOAD_MAX_TOKEN;
    for (size_t i = 0; ok && i < n; i++)
        ok = buf[i] > ' ' && buf[i] < 127;
    memset(buf + n, 0, sizeof(buf) - n);
    if (!ok) {
        snprintf(err, errlen,
                 "%s %s: its first line must be the token, 1 to %d visible ASCII characters",
                 option, path, SL_UPLOAD_MAX_TOKEN);
        memset(buf, 0, sizeof(buf));
        return -1;
    }
    memcpy(token, buf, n + 1);
    memset(buf, 0, sizeof(buf));
    return 0;
}

sl_upload_t *sl_upload_open(const sl_config_t *cfg, char *err, size_t errlen)
{
    err[0] = '\0';
    if (cfg->json_to == NULL) {
        if (cfg->json_to_token_file != NULL)
            snprintf(err, errlen, "--json-to-token-file needs --json-to URL");
        return NULL;
    }
    sl_upload_t *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    u->url = cfg->json_to;
    u->retry_ns = cfg->json_to_retry_ns;
    if (cfg->json_to_token_file != NULL &&
        sl_upload_read_token(cfg->json_to_token_file, "--json-to-token-file", u->token, err,
                             errlen) != 0) {
        sl_upload_free(u);
        return NULL;
    }
    return u;
}

/* One POST. Returns the HTTP status, or 0 with curl's reason in why. */
static long post_once(const sl_upload_t *u, const char *doc, size_t len, long limit_ms, answer_t *a,
                      char *why, size_t whylen)
{
    char auth[SL_UPLOAD_MAX_TOKEN + 32], curl_err[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    long status = 0;
    CURL *h = curl_easy_init();
    a->len = 0;
    a->text[0] = '\0';
    if (u->token[0] != '\0') {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", u->token);
        headers = curl_slist_append(headers, auth);
        memset(auth, 0, sizeof(auth));
    }
    if (h == NULL || headers == NULL) {
        snprintf(why, whylen, "out of memory");
        goto Done;
    }
    curl_easy_setopt(h, CURLOPT_URL, u->url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, doc);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_answer);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, limit_ms < 10000L ? limit_ms : 10000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, limit_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK)
        snprintf(why, whylen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
    else
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
Done:
    curl_slist_free_all(headers);
    if (h != NULL)
        curl_easy_cleanup(h);
    return status;
}

int sl_upload_send(sl_upload_t *u, const char *doc, size_t len, char *err, size_t errlen)
{
    answer_t a;
    char why[MAX_ANSWER + 64] = "";
    uint64_t t0 = sl_monotime_ns(), pause_ns = 500000000ULL;
    int attempts = 0;
    for (;;) {
        uint64_t spent = sl_monotime_ns() - t0;
        long limit_ms = spent < u->retry_ns ? (long)((u->retry_ns - spent) / 1000000ULL) : 0;
        if (limit_ms < ATTEMPT_MIN_MS)
            limit_ms = ATTEMPT_MIN_MS;
        if (limit_ms > ATTEMPT_MAX_MS)
            limit_ms = ATTEMPT_MAX_MS;
        long status = post_once(u, doc, len, limit_ms, &a, why, sizeof(why));
        attempts++;
        if (status >= 200 && status < 300)
            return 0;
        if (status != 0) {
            a.text[strcspn(a.text, "\r\n")] = '\0';
            snprintf(why, sizeof(why), "HTTP %ld%s%.1000s", status, a.text[0] ? ": " : "", a.text);
        }
        int retry = status == 0 || status == 408 || status == 429 || status >= 500;
        if (!retry || sl_monotime_ns() - t0 + pause_ns > u->retry_ns)
            break;
        struct timespec ts = {(time_t)(pause_ns / 1000000000ULL), (long)(pause_ns % 1000000000ULL)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
        if (pause_ns < 8000000000ULL)
            pause_ns *= 2;
    }
    snprintf(err, errlen, "cannot deliver the results to %s: %s (%d attempt%s)", u->url, why,
             attempts, attempts == 1 ? "" : "s");
    return -1;
}

void sl_upload_free(sl_upload_t *u)
{
    if (u == NULL)
        return;
    memset(u->token, 0, sizeof(u->token));
    free(u);
}
