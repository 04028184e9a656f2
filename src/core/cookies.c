/*
 * cookies: a jar of at most SL_COOKIES_MAX cookies, each one allocation ("name=value", then
 * its path), looked through in full (a flow holds a handful: a hash would cost more).
 */
#include "core/cookies.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char *text;      /* "name=value\0path\0" */
    size_t name_len; /* of name */
    size_t nv_len;   /* of "name=value" */
    const char *path;
    time_t expires; /* 0: none (a session cookie) */
} cookie_t;

struct sl_cookie_jar {
    int n;
    cookie_t c[SL_COOKIES_MAX];
};

static const char *skip_spaces(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* The first c in [p, end), or NULL. */
static const char *find_char(const char *p, const char *end, int c)
{
    return p < end ? memchr(p, c, (size_t)(end - p)) : NULL;
}

static const char *trim_end(const char *start, const char *end)
{
    while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    return end;
}

/* An HTTP date (RFC 1123, or the old "09-Jun-2021" form) as a time; 0 when it is neither. */
static time_t parse_date(const char *p, size_t len)
{
    char buf[64];
    struct tm tm;
    if (len >= sizeof(buf))
        return 0;
    memcpy(buf, p, len);
    buf[len] = '\0';
    static const char *const formats[] = {"%a, %d %b %Y %H:%M:%S", "%a, %d-%b-%Y %H:%M:%S",
                                          "%a, %d-%b-%y %H:%M:%S"};
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        memset(&tm, 0, sizeof(tm));
        const char *rest = strptime(buf, formats[i], &tm);
        if (rest != NULL) {
            time_t t = timegm(&tm);
            return t > 0 ? t : 1; /* (a date before 1970: long past) */
        }
    }
    return 0;
}

static void drop(sl_cookie_jar_t *jar, int i)
{
    free(jar->c[i].text);
    memmove(&jar->c[i], &jar->c[i + 1], (size_t)(jar->n - i - 1) * sizeof(cookie_t));
    jar->n--;
}

/* One Set-Cookie value (p to end). Returns 0, or -1 when out of memory. */
static int take_one(sl_cookie_jar_t *jar, const char *p, const char *end, time_t now)
{
    const char *semi = find_char(p, end, ';');
    const char *nv_end = trim_end(p, semi != NULL ? semi : end);
    const char *eq = find_char(p, nv_end, '=');
    const char *name_end = eq != NULL ? trim_end(p, eq) : NULL;
    if (eq == NULL || name_end == p) /* no name=value: ignored, as RFC 6265 says */
        return 0;
    const char *value = skip_spaces(eq + 1, nv_end);
    const char *path = "/";
    size_t path_len = 1;
    time_t expires = 0;
    int expired = 0, has_max_age = 0;
    for (const char *a = semi; a != NULL && a < end;) {
        a = skip_spaces(a + 1, end);
        const char *a_end = find_char(a, end, ';');
        const char *stop = trim_end(a, a_end != NULL ? a_end : end);
        const char *aeq = find_char(a, stop, '=');
        if (aeq != NULL) {
            size_t klen = (size_t)(trim_end(a, aeq) - a);
            const char *v = skip_spaces(aeq + 1, stop);
            if (klen == 4 && strncasecmp(a, "path", 4) == 0 && v < stop && *v == '/') {
                path = v;
                path_len = (size_t)(stop - v);
            } else if (klen == 7 && strncasecmp(a, "max-age", 7) == 0 && v < stop &&
                       (isdigit((unsigned char)*v) || *v == '-')) {
                long long secs = strtoll(v, NULL, 10); /* (Max-Age wins over Expires) */
                has_max_age = 1;
                expired = secs <= 0;
                expires = secs > 0 ? now + (time_t)(secs > 100000000LL ? 100000000LL : secs) : 0;
            } else if (klen == 7 && strncasecmp(a, "expires", 7) == 0 && !has_max_age) {
                time_t t = parse_date(v, (size_t)(stop - v));
                if (t != 0) {
                    expired = t <= now;
                    expires = t;
                }
            }
        }
        a = a_end;
    }
    size_t name_len = (size_t)(name_end - p), value_len = (size_t)(nv_end - value);
    int i = 0;
    while (i < jar->n &&
           !(jar->c[i].name_len == name_len && memcmp(jar->c[i].text, p, name_len) == 0 &&
             strlen(jar->c[i].path) == path_len && memcmp(jar->c[i].path, path, path_len) == 0))
        i++;
    if (expired) { /* the server deletes it */
        if (i < jar->n)
            drop(jar, i);
        return 0;
    }
    if (i == jar->n && jar->n == SL_COOKIES_MAX)
        return 0; /* a full jar keeps what it holds */
    char *text = malloc(name_len + 1 + value_len + 1 + path_len + 1);
    if (text == NULL)
        return -1;
    memcpy(text, p, name_len);
    text[name_len] = '=';
    memcpy(text + name_len + 1, value, value_len);
    text[name_len + 1 + value_len] = '\0';
    memcpy(text + name_len + value_len + 2, path, path_len);
    text[name_len + value_len + 2 + path_len] = '\0';
    if (i == jar->n)
        jar->n++;
    else
        free(jar->c[i].text); /* replaced in its place: the order stays that of first setting */
    jar->c[i] = (cookie_t){text, name_len, name_len + 1 + value_len,
                           text + name_len + value_len + 2, expires};
    return 0;
}

int sl_cookies_take(sl_cookie_jar_t **jar, const char *head, size_t len, time_t now)
{
    static const char name[] = "set-cookie:";
    const char *end = head + len;
    int taken = 0;
    for (const char *line = head; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *stop = nl != NULL ? nl : end;
        if (stop > line && stop[-1] == '\r')
            stop--;
        if ((size_t)(stop - line) > sizeof(name) - 1 &&
            strncasecmp(line, name, sizeof(name) - 1) == 0) {
            if (*jar == NULL && (*jar = calloc(1, sizeof(**jar))) == NULL)
                return -1;
            if (take_one(*jar, skip_spaces(line + sizeof(name) - 1, stop), stop, now) != 0)
                return -1;
            taken++;
        }
        line = nl != NULL ? nl + 1 : end;
    }
    return taken;
}

/* RFC 6265 5.1.4: the cookie's path is the request's, or a prefix of it ending at a '/'. */
static int path_matches(const char *cookie_path, const char *path)
{
    size_t n = strlen(cookie_path);
    return strncmp(cookie_path, path, n) == 0 &&
           (path[n] == '\0' || cookie_path[n - 1] == '/' || path[n] == '/');
}

size_t sl_cookies_header(sl_cookie_jar_t *jar, const char *path, time_t now, char *out, size_t cap)
{
    size_t n = 0;
    for (int i = 0; jar != NULL && i < jar->n;) {
        const cookie_t *c = &jar->c[i];
        if (c->expires != 0 && c->expires <= now) {
            drop(jar, i);
            continue;
        }
        if (path_matches(c->path, path) && n + 2 + c->nv_len < cap) {
            if (n > 0) {
                memcpy(out + n, "; ", 2);
                n += 2;
            }
            memcpy(out + n, c->text, c->nv_len);
            n += c->nv_len;
        }
        i++;
    }
    if (cap > 0)
        out[n < cap ? n : cap - 1] = '\0';
    return n;
}

void sl_cookies_request_path(const char *target, const char *base, char *out, size_t cap)
{
    const char *p = target != NULL && *target != '\0' ? target : base;
    const char *scheme = strstr(p, "://");
    if (scheme != NULL && scheme < p + strcspn(p, "/?#")) { /* a URL: its path after the host */
        p = scheme + 3;
        p += strcspn(p, "/?#");
    }
    size_t len = strcspn(p, "?#");
    if (len == 0 || *p != '/') {
        p = "/";
        len = 1;
    }
    if (len >= cap)
        len = cap - 1;
    memcpy(out, p, len);
    out[len] = '\0';
}

void sl_cookies_free(sl_cookie_jar_t *jar)
{
    if (jar == NULL)
        return;
    for (int i = 0; i < jar->n; i++)
        free(jar->c[i].text);
    free(jar);
}
