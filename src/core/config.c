/*
 * config: the option table, the defaults, one parser per option, and the checks of the
 * settings together. Strings are copied: the config owns everything it points to but argv.
 */
#include "core/config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/duration.h"

_Static_assert(SL_OPT_COUNT <= 64, "sl_config_t.given has a bit per option");

static const sl_option_t options[SL_OPT_COUNT] = {
    {SL_OPT_URL, "url", 'u', "url", "URL", "endpoint (http or https)"},
    {SL_OPT_RATE, "rate", 'R', "rate", "N", "target requests per second in all (open model)"},
    {SL_OPT_CLOSED, "closed", 0, NULL, NULL,
     "closed model instead: each connection sends again as soon\n"
     "as its response is in (as wrk does)"},
    {SL_OPT_MODEL, NULL, 0, "model", NULL,
     "\"open\" (the default) or \"closed\": in a script only;\n"
     "--rate and --closed choose the model on the command line"},
    {SL_OPT_BURST, "burst", 0, "burst", "N",
     "open model: send the requests in groups of N due at the\n"
     "same instant, at the same average rate (1: uniform)"},
    {SL_OPT_DURATION, "duration", 'd', "duration", "T",
     "how long to send, e.g. 10s, 500ms, 2m (default 10s)"},
    {SL_OPT_CONNECTIONS, "connections", 'c', "connections", "N",
     "connections in all, split over the workers (default 100)"},
    {SL_OPT_WORKERS, "workers", 'w', "workers", "N", "worker processes (default: online CPUs)"},
    {SL_OPT_TIMEOUT, "timeout", 't', "timeout", "T", "per-request timeout (default 5s)"},
    {SL_OPT_HEADER, "header", 'H', "headers", "'N: V'", "extra request header (repeatable)"},
    {SL_OPT_SOAP, "soap", 0, "soap_version", "1.1|1.2",
     "SOAP version of the default envelope and headers (1.1)"},
    {SL_OPT_ID_ELEMENT, "id-element", 0, "id_element", "NAME",
     "element that carries the ID in responses (RequestId)"},
    {SL_OPT_SEED, "seed", 0, "seed", "N",
     "seed of the workers' math.random (default: a new one per\n"
     "run, printed in the summary); worker w uses N + w"},
    {SL_OPT_MAX_BODY, "max-body", 0, NULL, "SIZE", "largest response body accepted (default 4m)"},
    {SL_OPT_LUA_MEMORY, "lua-memory", 0, NULL, "SIZE",
     "memory a worker's Lua state may use (default 64m)"},
    {SL_OPT_HOOK_LIMIT, "hook-limit", 0, NULL, "T", "longest one hook call may run (default 1s)"},
    {SL_OPT_INSECURE, "insecure", 'k', "insecure", NULL,
     "https: do not verify the server's certificate nor its\n"
     "name (the summary warns)"},
    {SL_OPT_CACERT, "cacert", 0, "cacert", "FILE",
     "https: trust the CA certificates in FILE (PEM)"},
    {SL_OPT_CAPATH, "capath", 0, "capath", "DIR",
     "https: trust the CA certificates in DIR (c_rehash)"},
    {SL_OPT_CERT, "cert", 0, "cert", "FILE", "https: client certificate for mutual TLS (PEM)"},
    {SL_OPT_KEY, "key", 0, "key", "FILE", "https: the client certificate's private key (PEM)"},
    {SL_OPT_KEY_PASSWORD_ENV, "key-password-env", 0, "key_password_env", "NAME",
     "the key's password is in environment variable NAME"},
    {SL_OPT_KEY_PASSWORD_FILE, "key-password-file", 0, "key_password_file", "FILE",
     "the key's password is the first line of FILE"},
    {SL_OPT_TLS_MIN, "tls-min", 0, "tls_min", "1.2|1.3", "https: the lowest TLS version accepted"},
    {SL_OPT_RESOLVE, "resolve", 0, "resolve", "HOST:PORT:ADDR",
     "connect to ADDR for HOST:PORT (name-based virtual hosts;\n"
     "repeatable)"},
    {SL_OPT_HTTP, "http", 0, "http", "1.1|2",
     "HTTP version (default 1.1); 2: HTTP/2, by ALPN over\n"
     "https, h2c over plain http"},
    {SL_OPT_STREAMS, "streams", 0, "streams", "N",
     "--http 2: requests in flight per connection (default 1)"},
    {SL_OPT_AUTH, "auth", 0, "auth", "METHOD",
     "HTTP authentication: basic, digest, ntlm or negotiate"},
    {SL_OPT_USER, "user", 0, "user", "NAME",
     "user name for --auth (basic when --auth is not given)"},
    {SL_OPT_PASSWORD_ENV, "password-env", 0, "password_env", "NAME",
     "the password is in environment variable NAME"},
    {SL_OPT_PASSWORD_FILE, "password-file", 0, "password_file", "FILE",
     "the password is the first line of FILE (never on the\n"
     "command line: it would show in ps)"},
    {SL_OPT_JSON, "json", 0, NULL, "FILE", "write the results as JSON (schema soapload-results/1)"},
    {SL_OPT_TRACE, "trace", 0, NULL, "FILE", "write one CSV line per scheduled request"},
    {SL_OPT_HTML, "html", 0, NULL, "FILE", "write a self-contained HTML report with charts"},
    {SL_OPT_THRESHOLD, "threshold", 0, "thresholds", "EXPR",
     "pass/fail criterion, e.g. 'p99 < 50ms', 'error_rate < 1%',\n"
     "'rate >= 995' (repeatable; exit code 3 when one fails)"},
    {SL_OPT_PROGRESS, "progress", 0, NULL, "WHEN",
     "live progress on stderr: auto (a terminal), always, never"},
    {SL_OPT_QUIET, "quiet", 'q', NULL, NULL, "print only the summary"},
    {SL_OPT_DRY_RUN, "dry-run", 0, NULL, "[N]",
     "send nothing: run init() and request() for the first N\n"
     "requests (default 3), print them, check each body is a\n"
     "SOAP envelope of the run's version; exit 0, or 2"},
    {SL_OPT_HELP, "help", 'h', NULL, NULL, "show this help"},
    {SL_OPT_VERSION, "version", 'V', NULL, NULL, "show the version"},
};

const sl_option_t *sl_config_options(void)
{
    return options;
}

const sl_option_t *sl_config_by_script_name(const char *name)
{
    for (int i = 0; i < SL_OPT_COUNT; i++)
        if (options[i].script != NULL && strcmp(options[i].script, name) == 0)
            return &options[i];
    return NULL;
}

void sl_config_init(sl_config_t *cfg)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    memset(cfg, 0, sizeof(*cfg));
    cfg->duration_ns = 10000000000ULL;
    cfg->connections = 100;
    cfg->workers = cpus > 0 ? (int)cpus : 1;
    cfg->timeout_ns = 5000000000ULL;
    cfg->soap_version = 11;
    cfg->burst = 1;
    cfg->max_body = 4 << 20;
    cfg->id_element = strdup("RequestId");
    cfg->lua_memory = 64 << 20;
    cfg->hook_limit_ns = 1000000000ULL;
    cfg->streams = 1;
}

void sl_config_free(sl_config_t *cfg)
{
    free(cfg->url);
    free(cfg->id_element);
    free(cfg->json_path);
    free(cfg->trace_path);
    free(cfg->html_path);
    char *strs[] = {cfg->cacert, cfg->capath,           cfg->cert,
                    cfg->key,    cfg->key_password_env, cfg->key_password_file,
                    cfg->user,   cfg->password_env,     cfg->password_file};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(strs[i]);
    for (int i = 0; i < cfg->nresolve; i++)
        free(cfg->resolve[i]);
    for (int i = 0; i < cfg->nheaders; i++)
        free(cfg->headers[i]);
    for (int i = 0; i < cfg->nchecks; i++)
        free(cfg->checks[i]);
    memset(cfg, 0, sizeof(*cfg));
}

/* ---- parsers of single values ----------------------------------------------------------- */

static int parse_count(const char *s, long max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < 1 || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_rate(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v) || v <= 0 || v > SL_MAX_RATE)
        return -1;
    *out = v;
    return 0;
}

static int parse_seed(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || s[0] == '-' || v == 0 || v > SL_MAX_SEED)
        return -1;
    *out = v;
    return 0;
}

/* "Name: value" with a token for a name and no line break anywhere. */
static int valid_header(const char *h)
{
    const char *colon = strchr(h, ':');
    if (colon == NULL || colon == h)
        return 0;
    for (const char *p = h; p < colon; p++)
        if (*p <= ' ' || *p >= 127)
            return 0;
    return strpbrk(h, "\r\n") == NULL;
}

static int valid_id_element(const char *s)
{
    return s[0] != '\0' && strpbrk(s, " <>&:\"'\t\r\n") == NULL && strlen(s) <= SL_MAX_ID_ELEMENT;
}

/* Replaces *slot with a copy of s. */
static int set_string(char **slot, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

/* Adds a copy of s to a list whose first `*scripted` entries came from the script: a script's
 * entry goes after the script's others and before the flags', which add to them. */
static int add_to_list(char **list, int *n, int *scripted, int cap, const char *s,
                       sl_source_t source)
{
    if (*n == cap)
        return -1;
    char *copy = strdup(s);
    if (copy == NULL)
        return -1;
    int at = source == SL_FROM_SCRIPT ? (*scripted)++ : *n;
    memmove(list + at + 1, list + at, (size_t)(*n - at) * sizeof(*list));
    list[at] = copy;
    (*n)++;
    return 0;
}

/* HOST:PORT:ADDR, as libcurl's CURLOPT_RESOLVE takes it (ADDR may be [v6] or a list). */
static int valid_resolve(const char *s)
{
    const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c1 == NULL || c2 == NULL || c1 == s || c2[1] == '\0' || strpbrk(s, " \t\r\n") != NULL)
        return 0;
    long port = 0;
    for (const char *p = c1 + 1; p < c2; p++) {
        if (*p < '0' || *p > '9' || port > 65535)
            return 0;
        port = port * 10 + (*p - '0');
    }
    return port >= 1 && port <= 65535;
}

/* The transport's options (TLS, HTTP version, authentication). Returns what the value should
 * have been, or NULL. */
static const char *apply_transport(sl_config_t *c, sl_opt_t id, const char *value,
                                   sl_source_t source)
{
    static const char *const auths[] = {"", "basic", "digest", "ntlm", "negotiate"};
    char **strings[SL_OPT_COUNT] = {
        [SL_OPT_CACERT] = &c->cacert,
        [SL_OPT_CAPATH] = &c->capath,
        [SL_OPT_CERT] = &c->cert,
        [SL_OPT_KEY] = &c->key,
        [SL_OPT_KEY_PASSWORD_ENV] = &c->key_password_env,
        [SL_OPT_KEY_PASSWORD_FILE] = &c->key_password_file,
        [SL_OPT_USER] = &c->user,
        [SL_OPT_PASSWORD_ENV] = &c->password_env,
        [SL_OPT_PASSWORD_FILE] = &c->password_file,
    };
    switch (id) {
    case SL_OPT_INSECURE:
        if (value == NULL || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
            c->insecure = 1;
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
            c->insecure = 0;
        else
            return "true or false";
        return NULL;
    case SL_OPT_TLS_MIN:
        if (strcmp(value, "1.2") == 0 || strcmp(value, "1.3") == 0)
            c->tls_min = strcmp(value, "1.3") == 0 ? 13 : 12;
        else
            return "1.2 or 1.3";
        return NULL;
    case SL_OPT_RESOLVE:
        if (!valid_resolve(value))
            return "HOST:PORT:ADDR, e.g. test.example:443:127.0.0.1";
        if (add_to_list(c->resolve, &c->nresolve, &c->resolve_scripted, SL_MAX_RESOLVE, value,
                        source) != 0)
            return "at most 16 --resolve entries";
        return NULL;
    case SL_OPT_HTTP:
        if (strcmp(value, "1.1") == 0 || strcmp(value, "2") == 0)
            c->http2 = strcmp(value, "2") == 0;
        else
            return "1.1 or 2";
        return NULL;
    case SL_OPT_STREAMS:
        if (parse_count(value, SL_MAX_STREAMS, &c->streams) != 0)
            return "a whole number from 1 to 100";
        return NULL;
    case SL_OPT_AUTH:
        for (int a = SL_AUTH_BASIC; a <= SL_AUTH_NEGOTIATE; a++)
            if (strcmp(value, auths[a]) == 0) {
                c->auth = a;
                return NULL;
            }
        return "basic, digest, ntlm or negotiate";
    default:
        if (value[0] == '\0' || set_string(strings[id], value) != 0)
            return id == SL_OPT_USER ? "a user name"
                   : id == SL_OPT_KEY_PASSWORD_ENV || id == SL_OPT_PASSWORD_ENV
                       ? "the name of an environment variable"
                       : "a file name";
        return NULL;
    }
}

/* The name of an option as the user gave it: its flag or its script setting. */
static void option_name(sl_opt_t id, sl_source_t source, char *buf, size_t cap)
{
    const sl_option_t *o = &options[id];
    if (source == SL_FROM_SCRIPT && o->script != NULL)
        snprintf(buf, cap, "soapload.%s", o->script);
    else
        snprintf(buf, cap, "--%s", o->flag);
}

int sl_config_apply(sl_config_t *cfg, sl_opt_t id, const char *value, sl_source_t source, char *err,
                    size_t errlen)
{
    /* a script's value for an option a flag gave is checked, then dropped */
    sl_config_t scratch;
    int overridden = source == SL_FROM_SCRIPT && (cfg->given >> id & 1) && id != SL_OPT_HEADER &&
                     id != SL_OPT_THRESHOLD && id != SL_OPT_RESOLVE;
    sl_config_t *c = cfg;
    const char *want = NULL;
    if (overridden) {
        sl_config_init(&scratch);
        c = &scratch;
    }
    switch (id) {
    case SL_OPT_URL:
        if (set_string(&c->url, value) != 0)
            want = "a URL";
        break;
    case SL_OPT_RATE:
        if (parse_rate(value, &c->rate) != 0)
            want = "a number of requests per second above 0 and at most 10000000";
        break;
    case SL_OPT_CLOSED:
        c->closed = 1;
        break;
    case SL_OPT_MODEL:
        if (strcmp(value, "open") == 0 || strcmp(value, "closed") == 0)
            c->closed = strcmp(value, "closed") == 0;
        else
            want = "\"open\" or \"closed\"";
        break;
    case SL_OPT_BURST:
        if (parse_count(value, SL_MAX_BURST, &c->burst) != 0)
            want = "a whole number from 1 to 100000";
        break;
    case SL_OPT_DURATION:
        if (sl_duration_parse(value, &c->duration_ns) != 0)
            want = "a positive duration such as 10s, 500ms or 2m";
        break;
    case SL_OPT_CONNECTIONS:
        if (parse_count(value, SL_MAX_CONNECTIONS, &c->connections) != 0)
            want = "a whole number from 1 to 100000";
        break;
    case SL_OPT_WORKERS:
        if (parse_count(value, SL_MAX_WORKERS, &c->workers) != 0)
            want = "a whole number from 1 to 1024";
        break;
    case SL_OPT_TIMEOUT:
        if (sl_duration_parse(value, &c->timeout_ns) != 0)
            want = "a positive duration such as 2s or 500ms";
        break;
    case SL_OPT_HEADER:
        if (!valid_header(value))
            want = "'Name: value' (a name without spaces, no line breaks)";
        else if (add_to_list(c->headers, &c->nheaders, &c->headers_scripted, SL_MAX_HEADERS, value,
                             source) != 0)
            want = "at most 64 headers in all";
        break;
    case SL_OPT_SOAP:
        if (strcmp(value, "1.1") == 0 || strcmp(value, "1.2") == 0)
            c->soap_version = strcmp(value, "1.2") == 0 ? 12 : 11;
        else
            want = "1.1 or 1.2";
        break;
    case SL_OPT_ID_ELEMENT:
        if (!valid_id_element(value) || set_string(&c->id_element, value) != 0)
            want = "an XML local name (no prefix, no spaces, at most 64 bytes)";
        break;
    case SL_OPT_SEED:
        if (parse_seed(value, &c->seed) != 0)
            want = "a whole number from 1 to 9007199254740991 (2^53 - 1)";
        break;
    case SL_OPT_MAX_BODY:
        if (sl_size_parse(value, &c->max_body) != 0)
            want = "a size such as 64k or 4m";
        break;
    case SL_OPT_LUA_MEMORY:
        if (sl_size_parse(value, &c->lua_memory) != 0 || c->lua_memory < (1 << 20))
            want = "a size of at least 1m";
        break;
    case SL_OPT_HOOK_LIMIT:
        if (sl_duration_parse(value, &c->hook_limit_ns) != 0)
            want = "a positive duration";
        break;
    case SL_OPT_INSECURE:
    case SL_OPT_CACERT:
    case SL_OPT_CAPATH:
    case SL_OPT_CERT:
    case SL_OPT_KEY:
    case SL_OPT_KEY_PASSWORD_ENV:
    case SL_OPT_KEY_PASSWORD_FILE:
    case SL_OPT_TLS_MIN:
    case SL_OPT_RESOLVE:
    case SL_OPT_HTTP:
    case SL_OPT_STREAMS:
    case SL_OPT_AUTH:
    case SL_OPT_USER:
    case SL_OPT_PASSWORD_ENV:
    case SL_OPT_PASSWORD_FILE:
        want = apply_transport(c, id, value, source);
        break;
    case SL_OPT_JSON:
        if (set_string(&c->json_path, value) != 0)
            want = "a file name";
        break;
    case SL_OPT_TRACE:
        if (set_string(&c->trace_path, value) != 0)
            want = "a file name";
        break;
    case SL_OPT_HTML:
        if (set_string(&c->html_path, value) != 0)
            want = "a file name";
        break;
    case SL_OPT_THRESHOLD:
        if (add_to_list(c->checks, &c->nchecks, &c->checks_scripted, SL_MAX_CHECKS, value,
                        source) != 0)
            want = "at most 32 thresholds in all";
        break;
    case SL_OPT_PROGRESS:
        if (strcmp(value, "auto") == 0)
            c->progress = SL_PROGRESS_AUTO;
        else if (strcmp(value, "always") == 0)
            c->progress = SL_PROGRESS_ALWAYS;
        else if (strcmp(value, "never") == 0)
            c->progress = SL_PROGRESS_NEVER;
        else
            want = "auto, always or never";
        break;
    case SL_OPT_QUIET:
        c->quiet = 1;
        break;
    case SL_OPT_DRY_RUN:
        if (value == NULL)
            c->dry_run = SL_DRY_RUN_DEFAULT;
        else if (parse_count(value, SL_MAX_DRY_RUN, &c->dry_run) != 0)
            want = "a whole number of requests from 1 to 10000";
        break;
    case SL_OPT_HELP:
    case SL_OPT_VERSION:
    case SL_OPT_COUNT:
        break;
    }
    if (overridden)
        sl_config_free(&scratch);
    if (want != NULL) {
        char name[64];
        option_name(id, source, name, sizeof(name));
        snprintf(err, errlen, "bad value '%s' for %s: it wants %s", value ? value : "", name, want);
        return -1;
    }
    if (!overridden)
        *(source == SL_FROM_FLAG ? &cfg->given : &cfg->scripted) |= 1ULL << id;
    return 0;
}

/* ---- the settings together ---------------------------------------------------------------- */

/* Only http and https, with a host and no user:password (which would end up in summaries and
 * in `ps`): everything else is refused before any request. Returns NULL or what is wrong. */
static const char *url_problem(const char *url)
{
    const char *rest;
    if (strncmp(url, "http://", 7) == 0)
        rest = url + 7;
    else if (strncmp(url, "https://", 8) == 0)
        rest = url + 8;
    else
        return "it must start with http:// or https://";
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 127)
            return "it holds a space or a control character";
    const char *end = rest + strcspn(rest, "/?#");
    if (memchr(rest, '@', (size_t)(end - rest)) != NULL)
        return "it holds a user name or password (user:password@host): soapload does not send "
               "credentials from a URL; give an Authorization header with --header";
    if (*rest == '\0' || *rest == '/' || *rest == ':' || *rest == '?')
        return "it has no host";
    const char *port = NULL;
    if (*rest == '[') {
        const char *close = memchr(rest, ']', (size_t)(end - rest));
        if (close == NULL)
            return "an IPv6 address must be closed with ']'";
        if (close + 1 < end)
            port = close + 1;
    } else {
        port = memchr(rest, ':', (size_t)(end - rest));
    }
    if (port != NULL) {
        long v = 0;
        if (*port != ':' || port + 1 == end || end - port > 6)
            return "the port must be a number from 1 to 65535";
        for (const char *p = port + 1; p < end; p++) {
            if (*p < '0' || *p > '9')
                return "the port must be a number from 1 to 65535";
            v = v * 10 + (*p - '0');
        }
        if (v < 1 || v > 65535)
            return "the port must be a number from 1 to 65535";
    }
    return NULL;
}

/* A file (or, for a directory, a directory) the run will read, checked before anything is
 * sent. Returns 0, or -1 with err naming the option and the file. */
static int check_readable(const char *path, const char *flag, int directory, char *err,
                          size_t errlen)
{
    struct stat st;
    if (path == NULL)
        return 0;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s %s: %s", flag, path, strerror(errno));
        return -1;
    }
    if (!directory != !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s %s: %s", flag, path,
                 directory ? "not a directory" : "a directory, not a file");
        return -1;
    }
    if (access(path, directory ? R_OK | X_OK : R_OK) != 0) {
        snprintf(err, errlen, "%s %s: %s", flag, path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The transport's settings together: files readable, environment variables set, options that
 * need another one or an https:// URL. */
static int transport_problem(sl_config_t *cfg, char *err, size_t errlen)
{
    const char *tls_flag = cfg->insecure  ? "--insecure"
                           : cfg->cacert  ? "--cacert"
                           : cfg->capath  ? "--capath"
                           : cfg->cert    ? "--cert"
                           : cfg->key     ? "--key"
                           : cfg->tls_min ? "--tls-min"
                                          : NULL;
    if (tls_flag != NULL && strncmp(cfg->url, "https://", 8) != 0) {
        snprintf(err, errlen, "%s applies to https:// URLs only", tls_flag);
        return -1;
    }
    if (check_readable(cfg->cacert, "--cacert", 0, err, errlen) != 0 ||
        check_readable(cfg->capath, "--capath", 1, err, errlen) != 0 ||
        check_readable(cfg->cert, "--cert", 0, err, errlen) != 0 ||
        check_readable(cfg->key, "--key", 0, err, errlen) != 0 ||
        check_readable(cfg->key_password_file, "--key-password-file", 0, err, errlen) != 0 ||
        check_readable(cfg->password_file, "--password-file", 0, err, errlen) != 0)
        return -1;
    const char *envs[2][2] = {{cfg->key_password_env, "--key-password-env"},
                              {cfg->password_env, "--password-env"}};
    for (int i = 0; i < 2; i++)
        if (envs[i][0] != NULL && getenv(envs[i][0]) == NULL) {
            snprintf(err, errlen, "%s %s: no such environment variable", envs[i][1], envs[i][0]);
            return -1;
        }
    if (cfg->key_password_env && cfg->key_password_file) {
        snprintf(err, errlen, "--key-password-env and --key-password-file: give one of them");
        return -1;
    }
    if (cfg->password_env && cfg->password_file) {
        snprintf(err, errlen, "--password-env and --password-file: give one of them");
        return -1;
    }
    if (cfg->key != NULL && cfg->cert == NULL) {
        snprintf(err, errlen, "--key needs --cert: the certificate it belongs to");
        return -1;
    }
    if ((cfg->key_password_env || cfg->key_password_file) && cfg->cert == NULL) {
        snprintf(err, errlen, "a key password needs --cert (and --key)");
        return -1;
    }
    if (cfg->streams > 1 && !cfg->http2) {
        snprintf(err, errlen,
                 "--streams %d needs --http 2: HTTP/1.1 has one request in flight per "
                 "connection",
                 cfg->streams);
        return -1;
    }
    int has_password = cfg->password_env || cfg->password_file;
    if (cfg->user != NULL && cfg->auth == SL_AUTH_NONE)
        cfg->auth = SL_AUTH_BASIC;
    if (has_password && cfg->user == NULL) {
        snprintf(err, errlen, "a password needs --user");
        return -1;
    }
    if (cfg->auth != SL_AUTH_NONE && cfg->auth != SL_AUTH_NEGOTIATE &&
        (cfg->user == NULL || !has_password)) {
        snprintf(err, errlen,
                 "--auth needs --user NAME and its password from --password-env NAME or "
                 "--password-file FILE");
        return -1;
    }
    return 0;
}

int sl_config_validate(sl_config_t *cfg, char *err, size_t errlen)
{
    uint64_t flag = cfg->given, script = cfg->scripted;
    const uint64_t rate = 1ULL << SL_OPT_RATE, burst = 1ULL << SL_OPT_BURST,
                   closed = 1ULL << SL_OPT_CLOSED | 1ULL << SL_OPT_MODEL;
    if (cfg->url == NULL) {
        snprintf(err, errlen, "no URL: set soapload.url in the script or pass --url");
        return -1;
    }
    const char *bad = url_problem(cfg->url);
    if (bad != NULL) {
        /* a URL with credentials is not echoed: the password would land in logs */
        if (strchr(cfg->url, '@') != NULL)
            snprintf(err, errlen, "bad URL: %s", bad);
        else
            snprintf(err, errlen, "bad URL '%s': %s", cfg->url, bad);
        return -1;
    }
    /* The model: within one source, a closed model and a rate or burst contradict each other.
     * Across sources the flags win: -R picks the open model over a script's "closed", and
     * --closed sets a script's rate and burst aside. */
    if ((flag & closed) && cfg->closed && (flag & (rate | burst))) {
        snprintf(err, errlen, "--closed sends as fast as it can: it takes no %s",
                 flag & rate ? "--rate" : "--burst");
        return -1;
    }
    if ((flag & rate) && !(flag & closed))
        cfg->closed = 0;
    if (!(flag & closed) && (script & closed) && cfg->closed && (script & (rate | burst)) &&
        !(flag & rate)) {
        snprintf(err, errlen, "soapload.model is \"closed\", which takes no soapload.%s",
                 script & rate ? "rate" : "burst");
        return -1;
    }
    if (cfg->closed && (flag & burst)) {
        snprintf(err, errlen,
                 "--burst groups the open model's schedule: the closed model has none");
        return -1;
    }
    if (cfg->closed)
        cfg->burst = 1;
    if (!cfg->closed && cfg->rate <= 0) {
        snprintf(err, errlen,
                 "no rate: set soapload.rate in the script, pass --rate N, or use "
                 "--closed for as fast as possible");
        return -1;
    }
    if (cfg->workers > cfg->connections) {
        if ((flag | script) & 1ULL << SL_OPT_WORKERS) {
            snprintf(err, errlen,
                     "%d workers but %d connection%s: each worker needs a connection of its "
                     "own (lower --workers or raise --connections)",
                     cfg->workers, cfg->connections, cfg->connections == 1 ? "" : "s");
            return -1;
        }
        cfg->workers = cfg->connections; /* the default, one per CPU, adapts */
    }
    return transport_problem(cfg, err, errlen);
}

/* ---- did you mean ----------------------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];
    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *sl_config_nearest_setting(const char *name)
{
    const char *best = NULL;
    size_t best_d = 4; /* further than 3 edits is no typo */
    for (int i = 0; i < SL_OPT_COUNT; i++) {
        if (options[i].script == NULL)
            continue;
        size_t d = edit_distance(name, options[i].script);
        if (d < best_d) {
            best_d = d;
            best = options[i].script;
        }
    }
    return best;
}
