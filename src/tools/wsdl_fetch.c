/*
 * wsdl_fetch: resolving and reading the documents of a WSDL: libcurl's easy interface for
 * http(s) (redirects followed within their origin only), files by their real path under the
 * root, libxml2's catalog reader for --catalog.
 */
#include "tools/wsdl_fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <libxml/catalog.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "tools/wsdl.h"

#define MAX_REDIRECTS 5

int sl_wsdl_fetch_is_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

/* The length of "scheme://authority" at the start of url. */
static size_t origin_len(const char *url)
{
    const char *p = strstr(url, "://");
    if (p == NULL)
        return 0;
    p += 3;
    return (size_t)(p - url) + strcspn(p, "/?#");
}

int sl_wsdl_fetch_same_origin(const char *a, const char *b)
{
    size_t la = origin_len(a), lb = origin_len(b);
    return la > 0 && la == lb && strncasecmp(a, b, la) == 0;
}

static int has_scheme(const char *s)
{
    size_t n = strcspn(s, ":/?#");
    return n > 0 && s[n] == ':';
}

/* Removes "./" and "seg/../" from an absolute path in place (from its first '/'). */
static void normalize_path(char *path)
{
    char *out = path, *in = path;
    while (*in) {
        if (in[0] == '/' && in[1] == '.' && (in[2] == '/' || in[2] == '\0')) {
            in += 2;
        } else if (in[0] == '/' && in[1] == '.' && in[2] == '.' && (in[3] == '/' || !in[3])) {
            in += 3;
            while (out > path && *--out != '/')
                ;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
}

typedef struct {
    char *data;
    size_t len;
    int too_big;
} body_t;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    body_t *b = ud;
    size_t add = size * n;
    if (b->len + add > SL_WSDL_MAX_BYTES) {
        b->too_big = 1;
        return 0;
    }
    char *d = realloc(b->data, b->len + add + 1);
    if (d == NULL)
        return 0;
    memcpy(d + b->len, p, add);
    b->data = d;
    b->len += add;
    d[b->len] = '\0';
    return add;
}

/* GETs url, following redirects within its origin. Returns 0 with the body, or -1. */
static int fetch_url(const char *url, body_t *b, char *err, size_t errlen)
{
    CURL *e = curl_easy_init();
    char *cur = strdup(url);
    int rc = -1;
    if (e == NULL || cur == NULL) {
        snprintf(err, errlen, "%s: out of memory", url);
        goto cleanup;
    }
    /* the timeout is the document's, redirects included: each hop gets what is left */
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int hop = 0;; hop++) {
        char cerr[CURL_ERROR_SIZE] = "";
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left_ms = SL_WSDL_FETCH_TIMEOUT * 1000L - (long)(now.tv_sec - t0.tv_sec) * 1000L -
                       (now.tv_nsec - t0.tv_nsec) / 1000000L;
        if (left_ms <= 0) {
            snprintf(err, errlen, "%s: not fetched within %d s (%d redirects)", cur,
                     SL_WSDL_FETCH_TIMEOUT, hop);
            goto cleanup;
        }
        free(b->data);
        b->data = NULL;
        b->len = 0;
        curl_easy_reset(e);
        curl_easy_setopt(e, CURLOPT_URL, cur);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left_ms);
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, left_ms);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, b);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cerr);
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SL_WSDL_MAX_BYTES);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "soapload-wsdl");
        CURLcode res = curl_easy_perform(e);
        if (b->too_big || res == CURLE_FILESIZE_EXCEEDED) {
            snprintf(err, errlen, "%s: larger than %d bytes", cur, SL_WSDL_MAX_BYTES);
            goto cleanup;
        }
        if (res != CURLE_OK) {
            snprintf(err, errlen, "%s: %s", cur, cerr[0] ? cerr : curl_easy_strerror(res));
            goto cleanup;
        }
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 300 && status < 400) {
            char *next = NULL;
            curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &next);
            if (next == NULL || !sl_wsdl_fetch_same_origin(next, cur) || hop == MAX_REDIRECTS) {
                snprintf(err, errlen, "%s: HTTP %ld redirects to %s: not followed (%s)", cur,
                         status, next ? next : "nowhere",
                         hop == MAX_REDIRECTS ? "too many redirects" : "another origin");
                goto cleanup;
            }
            char *copy = strdup(next);
            free(cur);
            cur = copy;
            if (cur == NULL)
                goto cleanup;
            continue;
        }
        if (status != 200) {
            snprintf(err, errlen, "%s: HTTP %ld", cur, status);
            goto cleanup;
        }
        if (b->data == NULL && (b->data = calloc(1, 1)) == NULL)
            goto cleanup;
        rc = 0;
        break;
    }
cleanup:
    free(cur);
    if (e != NULL)
        curl_easy_cleanup(e);
    return rc;
}

static int read_file(const char *path, body_t *b, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (on_data(chunk, 1, n, b) != n) {
            snprintf(err, errlen, "%s: %s", path,
                     b->too_big ? "larger than 16 MiB" : "out of memory");
            rc = -1;
            break;
        }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    if (rc == 0 && b->data == NULL && (b->data = calloc(1, 1)) == NULL)
        rc = -1;
    return rc;
}

/* Some shipped WSDLs put a licence comment before the XML declaration, which XML forbids;
 * the declaration then says nothing the parser needs, so it is blanked out. */
static void blank_late_declaration(char *d, size_t len)
{
    size_t i = 0;
    if (len >= 3 && (unsigned char)d[0] == 0xEF && (unsigned char)d[1] == 0xBB &&
        (unsigned char)d[2] == 0xBF)
        i = 3;
    size_t start = i;
    for (;;) {
        while (i < len && strchr(" \t\r\n", d[i]) != NULL)
            i++;
        if (i + 4 <= len && strncmp(d + i, "<!--", 4) == 0) {
            char *end = strstr(d + i + 4, "-->");
            if (end == NULL)
                return;
            i = (size_t)(end - d) + 3;
            continue;
        }
        break;
    }
    if (i == start || i + 6 > len || strncmp(d + i, "<?xml", 5) != 0 ||
        strchr(" \t\r\n", d[i + 5]) == NULL)
        return;
    char *end = strstr(d + i, "?>");
    if (end != NULL)
        memset(d + i, ' ', (size_t)(end + 2 - (d + i)));
}

/* The file path a file: URL or a plain name stands for (no scheme), or NULL. */
static const char *file_path(const char *s)
{
    if (strncasecmp(s, "file://", 7) == 0) {
        const char *p = s + 7; /* file:///abs and file://localhost/abs -> /abs */
        if (strncasecmp(p, "localhost/", 10) == 0)
            p += 9;
        /* another host is not a local file (its name is no folder of the working one) */
        return p[0] == '/' ? p : NULL;
    }
    return has_scheme(s) ? NULL : s;
}

/* loc joined to the document at base: a malloc'd URL or path (not yet checked). */
static char *join(const char *base, const char *loc)
{
    char *out = NULL;
    if (has_scheme(loc))
        return strdup(loc);
    if (sl_wsdl_fetch_is_url(base)) {
        size_t olen = origin_len(base);
        if (strncmp(loc, "//", 2) == 0) {
            size_t slen = (size_t)(strstr(base, "://") - base) + 1;
            if (asprintf(&out, "%.*s%s", (int)slen, base, loc) < 0)
                return NULL;
            return out;
        }
        if (loc[0] == '/') {
            if (asprintf(&out, "%.*s%s", (int)olen, base, loc) < 0)
                return NULL;
        } else {
            size_t end = strcspn(base, "?#");
            size_t dir = end;
            while (dir > olen && base[dir - 1] != '/')
                dir--;
            if (dir == olen) {
                if (asprintf(&out, "%.*s/%s", (int)olen, base, loc) < 0)
                    return NULL;
            } else if (asprintf(&out, "%.*s%s", (int)dir, base, loc) < 0) {
                return NULL;
            }
        }
        normalize_path(out + olen);
        return out;
    }
    const char *b = file_path(base);
    const char *slash = b ? strrchr(b, '/') : NULL;
    if (loc[0] == '/' || slash == NULL)
        return strdup(loc);
    if (asprintf(&out, "%.*s%s", (int)(slash - b + 1), b, loc) < 0)
        return NULL;
    return out;
}

/* The catalog's local copy of uri (a malloc'd path), or NULL. */
static char *from_catalog(const sl_wsdl_fetch_t *f, const char *uri)
{
    if (f->catalog == NULL)
        return NULL;
    xmlChar *r = xmlACatalogResolveURI(f->catalog, (const xmlChar *)uri);
    if (r == NULL)
        r = xmlACatalogResolve(f->catalog, NULL, (const xmlChar *)uri);
    if (r == NULL)
        return NULL;
    const char *p = file_path((const char *)r);
    char *out = p != NULL ? strdup(p) : NULL;
    xmlFree(r);
    return out;
}

/* Whether the real path `real` is in the folder tree `root`. */
static int under(const char *real, const char *root)
{
    if (root == NULL)
        return 0;
    size_t rl = strlen(root);
    return strncmp(real, root, rl) == 0 &&
           (real[rl] == '/' || real[rl] == '\0' || strcmp(root, "/") == 0);
}

/* The folder of the real path of file, malloc'd, or NULL. */
static char *folder_of(const char *file)
{
    char real[PATH_MAX];
    if (realpath(file, real) == NULL)
        return NULL;
    char *slash = strrchr(real, '/');
    if (slash != NULL)
        slash[slash == real ? 1 : 0] = '\0';
    return strdup(real);
}

char *sl_wsdl_fetch_resolve(const sl_wsdl_fetch_t *f, const char *base, const char *loc, char *err,
                            size_t errlen)
{
    char *target = join(base, loc);
    if (target == NULL) {
        snprintf(err, errlen, "%s: out of memory", loc);
        return NULL;
    }
    char *copy = from_catalog(f, target);
    if (copy == NULL && strcmp(target, loc) != 0)
        copy = from_catalog(f, loc);
    if (copy != NULL) {
        /* the user's catalog names the copy: it is read wherever it is */
        free(target);
        return copy;
    }
    if (sl_wsdl_fetch_is_url(target)) {
        if (f->offline) {
            snprintf(err, errlen, "%s: not fetched (--offline; --catalog maps a URL to a file)",
                     target);
            free(target);
            return NULL;
        }
        return target;
    }
    const char *path = file_path(target);
    if (path == NULL || sl_wsdl_fetch_is_url(base)) {
        snprintf(err, errlen, "%s: %s", target,
                 path != NULL ? "a file named by a document fetched over the network is not read"
                 : strncasecmp(target, "file:", 5) == 0
                     ? "names another host: a local file is file:///PATH"
                     : "only http://, https:// and files are read");
        free(target);
        return NULL;
    }
    char real[PATH_MAX];
    if (realpath(path, real) == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        free(target);
        return NULL;
    }
    if (!under(real, f->root) && !under(real, f->catalog_root)) {
        snprintf(err, errlen, "%s is outside the root folder %s: not read (--root DIR widens it)",
                 path, f->root ? f->root : "(none)");
        free(target);
        return NULL;
    }
    free(target);
    return strdup(real);
}

int sl_wsdl_fetch_read(const sl_wsdl_fetch_t *f, const char *where, char **data, size_t *len,
                       char *err, size_t errlen)
{
    body_t b = {0};
    int rc;
    if (sl_wsdl_fetch_is_url(where)) {
        if (f->offline) {
            snprintf(err, errlen, "%s: not fetched (--offline)", where);
            return -1;
        }
        rc = fetch_url(where, &b, err, errlen);
    } else {
        rc = read_file(where, &b, err, errlen);
    }
    if (rc != 0) {
        free(b.data);
        return -1;
    }
    blank_late_declaration(b.data, b.len);
    *data = b.data;
    *len = b.len;
    return 0;
}

static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

int sl_wsdl_fetch_open(sl_wsdl_fetch_t *f, const char *source, const char *root,
                       const char *catalog, int offline, char *err, size_t errlen)
{
    char real[PATH_MAX];
    *f = (sl_wsdl_fetch_t){.offline = offline};
    if (root != NULL) {
        struct stat st;
        if (realpath(root, real) == NULL || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "--root %s: not a folder", root);
            return -1;
        }
        f->root = strdup(real);
    } else if (!sl_wsdl_fetch_is_url(source) && file_path(source) != NULL) {
        f->root = folder_of(file_path(source));
    }
    if (catalog != NULL) {
        FILE *c = fopen(catalog, "r");
        if (c == NULL) {
            snprintf(err, errlen, "--catalog %s: cannot open: %s", catalog, strerror(errno));
            sl_wsdl_fetch_close(f);
            return -1;
        }
        fclose(c);
        f->catalog_root = folder_of(catalog);
        /* libxml2 would print its own parse errors: the message below says it once */
        xmlSetGenericErrorFunc(NULL, quiet);
        f->catalog = xmlLoadACatalog(catalog);
        if (f->catalog != NULL) {
            /* XML catalogs are read at their first lookup: look something up now */
            xmlChar *probe =
                xmlACatalogResolveURI(f->catalog, (const xmlChar *)"urn:soapload:probe");
            xmlFree(probe);
        }
        xmlSetGenericErrorFunc(NULL, NULL);
        if (f->catalog == NULL || xmlCatalogIsEmpty(f->catalog)) {
            snprintf(err, errlen, "--catalog %s: not an OASIS XML catalog with entries", catalog);
            sl_wsdl_fetch_close(f);
            return -1;
        }
    }
    return 0;
}

void sl_wsdl_fetch_close(sl_wsdl_fetch_t *f)
{
    free(f->root);
    free(f->catalog_root);
    if (f->catalog != NULL)
        xmlFreeCatalog(f->catalog);
    *f = (sl_wsdl_fetch_t){0};
}
