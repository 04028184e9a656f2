/*
 * cli: flags in the GNU style (wrk's short letters where they exist), their checks, and the
 * usage text.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/duration.h"

enum {
    OPT_SOAP = 256,
    OPT_CLOSED,
    OPT_MAX_BODY,
    OPT_ID_ELEMENT,
    OPT_LUA_MEMORY,
    OPT_HOOK_LIMIT,
    OPT_JSON,
    OPT_TRACE,
    OPT_HTML,
    OPT_THRESHOLD,
    OPT_PROGRESS,
    OPT_BURST
};

static const struct option longopts[] = {{"url", required_argument, NULL, 'u'},
                                         {"rate", required_argument, NULL, 'R'},
                                         {"duration", required_argument, NULL, 'd'},
                                         {"connections", required_argument, NULL, 'c'},
                                         {"workers", required_argument, NULL, 'w'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {"header", required_argument, NULL, 'H'},
                                         {"soap", required_argument, NULL, OPT_SOAP},
                                         {"closed", no_argument, NULL, OPT_CLOSED},
                                         {"burst", required_argument, NULL, OPT_BURST},
                                         {"max-body", required_argument, NULL, OPT_MAX_BODY},
                                         {"id-element", required_argument, NULL, OPT_ID_ELEMENT},
                                         {"lua-memory", required_argument, NULL, OPT_LUA_MEMORY},
                                         {"hook-limit", required_argument, NULL, OPT_HOOK_LIMIT},
                                         {"json", required_argument, NULL, OPT_JSON},
                                         {"trace", required_argument, NULL, OPT_TRACE},
                                         {"html", required_argument, NULL, OPT_HTML},
                                         {"threshold", required_argument, NULL, OPT_THRESHOLD},
                                         {"progress", required_argument, NULL, OPT_PROGRESS},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};

void sl_cli_usage(void *file)
{
    fputs("Usage: soapload [OPTION]... SCRIPT.lua [SCRIPT-ARG]...\n"
          "       soapload --reconcile TRACE.csv ID-LOG\n"
          "Load-tests a SOAP (or any HTTP POST) service at a target rate. SCRIPT.lua builds the\n"
          "requests and may set every default below in its `soapload` table; flags win.\n"
          "\n"
          "  -u, --url URL          endpoint (http or https)\n"
          "  -R, --rate N           target requests per second in all (open model)\n"
          "      --closed           closed model instead: each connection sends again as soon\n"
          "                         as its response is in (as wrk does)\n"
          "      --burst N          open model: send the requests in groups of N due at the\n"
          "                         same instant, at the same average rate (default 1)\n"
          "  -d, --duration T       how long to send, e.g. 10s, 500ms, 2m (default 10s)\n"
          "  -c, --connections N    connections in all, split over the workers (default 100)\n"
          "  -w, --workers N        worker processes (default: online CPUs)\n"
          "  -t, --timeout T        per-request timeout (default 5s)\n"
          "  -H, --header 'N: V'    extra request header (repeatable)\n"
          "      --soap 1.1|1.2     SOAP version of the default envelope and headers (1.1)\n"
          "      --id-element NAME  element that carries the ID in responses (RequestId)\n"
          "      --max-body SIZE    largest response body accepted (default 4m)\n"
          "      --lua-memory SIZE  memory a worker's Lua state may use (default 64m)\n"
          "      --hook-limit T     longest one hook call may run (default 1s)\n"
          "      --json FILE        write the results as JSON (schema soapload-results/1)\n"
          "      --trace FILE       write one CSV line per scheduled request\n"
          "      --html FILE        write a self-contained HTML report with charts\n"
          "      --threshold EXPR   pass/fail criterion, e.g. 'p99 < 50ms', 'error_rate < 0.01',\n"
          "                         'rate >= 995' (repeatable; exit code 3 when one fails)\n"
          "      --progress WHEN    live progress on stderr: auto (a terminal), always, never\n"
          "  -q, --quiet            print only the summary\n"
          "  -h, --help             show this help\n"
          "  -V, --version          show the version\n"
          "\n"
          "Exit codes: 0 every request succeeded (with thresholds: all passed); 1 some failed or\n"
          "were not sent; 2 usage or script error (nothing sent); 3 a threshold failed; 4 a\n"
          "worker died or the accounting did not add up; 130 interrupted.\n",
          (FILE *)file);
}

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

int sl_parse_rate(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v) || v <= 0 || v > 1e7)
        return -1;
    *out = v;
    return 0;
}

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

sl_cli_action_t sl_cli_parse(int argc, char **argv, sl_config_t *cfg, char *err, size_t errlen)
{
    int c;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    memset(cfg, 0, sizeof(*cfg));
    cfg->duration_ns = 10000000000ULL;
    cfg->connections = 100;
    cfg->workers = cpus > 0 ? (int)cpus : 1;
    cfg->timeout_ns = 5000000000ULL;
    cfg->soap_version = 11;
    cfg->burst = 1;
    cfg->max_body = 4 << 20;
    cfg->id_element = "RequestId";
    cfg->lua_memory = 64 << 20;
    cfg->hook_limit_ns = 1000000000ULL;

    opterr = 0;
    optind = 1;
    /* '+': stop at the script path, the rest belongs to the script */
    while ((c = getopt_long(argc, argv, "+u:R:d:c:w:t:H:qhV", longopts, NULL)) != -1) {
        const char *bad = NULL;
        switch (c) {
        case 'u':
            cfg->url = optarg;
            cfg->set |= SL_SET_URL;
            break;
        case 'R':
            if (sl_parse_rate(optarg, &cfg->rate) != 0)
                bad = "--rate wants a number of requests per second above 0";
            cfg->set |= SL_SET_RATE;
            break;
        case 'd':
            if (sl_duration_parse(optarg, &cfg->duration_ns) != 0)
                bad = "--duration wants a positive duration such as 10s, 500ms or 2m";
            cfg->set |= SL_SET_DURATION;
            break;
        case 'c':
            if (parse_count(optarg, 100000, &cfg->connections) != 0)
                bad = "--connections wants a whole number from 1 to 100000";
            cfg->set |= SL_SET_CONNECTIONS;
            break;
        case 'w':
            if (parse_count(optarg, 1024, &cfg->workers) != 0)
                bad = "--workers wants a whole number from 1 to 1024";
            cfg->set |= SL_SET_WORKERS;
            break;
        case 't':
            if (sl_duration_parse(optarg, &cfg->timeout_ns) != 0)
                bad = "--timeout wants a positive duration such as 2s or 500ms";
            cfg->set |= SL_SET_TIMEOUT;
            break;
        case 'H':
            if (!valid_header(optarg))
                bad = "--header wants 'Name: value'";
            else if (cfg->nheaders == SL_MAX_HEADERS)
                bad = "too many --header flags";
            else
                cfg->headers[cfg->nheaders++] = optarg;
            break;
        case OPT_SOAP:
            if (strcmp(optarg, "1.1") == 0)
                cfg->soap_version = 11;
            else if (strcmp(optarg, "1.2") == 0)
                cfg->soap_version = 12;
            else
                bad = "--soap wants 1.1 or 1.2";
            cfg->set |= SL_SET_SOAP;
            break;
        case OPT_BURST:
            if (parse_count(optarg, 100000, &cfg->burst) != 0)
                bad = "--burst wants a whole number from 1 to 100000";
            cfg->set |= SL_SET_BURST;
            break;
        case OPT_CLOSED:
            cfg->closed = 1;
            cfg->set |= SL_SET_MODEL;
            break;
        case OPT_MAX_BODY:
            if (sl_size_parse(optarg, &cfg->max_body) != 0)
                bad = "--max-body wants a size such as 64k or 4m";
            break;
        case OPT_ID_ELEMENT:
            if (optarg[0] == '\0' || strpbrk(optarg, " <>&:\"'") != NULL || strlen(optarg) > 64)
                bad = "--id-element wants an XML local name";
            cfg->id_element = optarg;
            cfg->set |= SL_SET_ID_ELEMENT;
            break;
        case OPT_LUA_MEMORY:
            if (sl_size_parse(optarg, &cfg->lua_memory) != 0 || cfg->lua_memory < (1 << 20))
                bad = "--lua-memory wants a size of at least 1m";
            break;
        case OPT_HOOK_LIMIT:
            if (sl_duration_parse(optarg, &cfg->hook_limit_ns) != 0)
                bad = "--hook-limit wants a positive duration";
            break;
        case OPT_JSON:
            cfg->json_path = optarg;
            break;
        case OPT_TRACE:
            cfg->trace_path = optarg;
            break;
        case OPT_HTML:
            cfg->html_path = optarg;
            break;
        case OPT_THRESHOLD:
            if (cfg->nchecks == SL_MAX_CHECKS)
                bad = "too many thresholds";
            else
                cfg->checks[cfg->nchecks++] = optarg;
            break;
        case OPT_PROGRESS:
            if (strcmp(optarg, "auto") == 0)
                cfg->progress = SL_PROGRESS_AUTO;
            else if (strcmp(optarg, "always") == 0)
                cfg->progress = SL_PROGRESS_ALWAYS;
            else if (strcmp(optarg, "never") == 0)
                cfg->progress = SL_PROGRESS_NEVER;
            else
                bad = "--progress wants auto, always or never";
            break;
        case 'q':
            cfg->quiet = 1;
            break;
        case 'h':
            return SL_CLI_HELP;
        case 'V':
            return SL_CLI_VERSION;
        case ':':
            snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
            return SL_CLI_ERROR;
        default:
            snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
            return SL_CLI_ERROR;
        }
        if (bad != NULL) {
            snprintf(err, errlen, "bad value '%s': %s", optarg, bad);
            return SL_CLI_ERROR;
        }
    }
    if (optind >= argc) {
        snprintf(err, errlen, "no script given: soapload [OPTION]... SCRIPT.lua");
        return SL_CLI_ERROR;
    }
    cfg->script_path = argv[optind];
    cfg->script_args = argv + optind + 1;
    cfg->nargs = argc - optind - 1;
    return SL_CLI_RUN;
}

/* Only http and https, with a host: everything else is refused before any request. */
static int valid_url(const char *url)
{
    const char *rest;
    if (strncmp(url, "http://", 7) == 0)
        rest = url + 7;
    else if (strncmp(url, "https://", 8) == 0)
        rest = url + 8;
    else
        return 0;
    if (*rest == '\0' || *rest == '/' || *rest == ':' || *rest == '?')
        return 0;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 127)
            return 0;
    const char *port = NULL;
    const char *end = rest + strcspn(rest, "/?#");
    if (*rest == '[') {
        const char *close = memchr(rest, ']', (size_t)(end - rest));
        if (close == NULL)
            return 0;
        if (close + 1 < end)
            port = close + 1;
    } else {
        port = memchr(rest, ':', (size_t)(end - rest));
    }
    if (port != NULL) {
        if (*port != ':' || port + 1 == end || end - port > 6)
            return 0;
        long v = 0;
        for (const char *p = port + 1; p < end; p++) {
            if (*p < '0' || *p > '9')
                return 0;
            v = v * 10 + (*p - '0');
        }
        if (v < 1 || v > 65535)
            return 0;
    }
    return 1;
}

void sl_config_free(sl_config_t *cfg)
{
    for (int i = 0; i < cfg->nowned; i++)
        free(cfg->owned[i]);
    cfg->nowned = 0;
}

int sl_cli_validate(sl_config_t *cfg, char *err, size_t errlen)
{
    if (cfg->url == NULL) {
        snprintf(err, errlen, "no URL: set soapload.url in the script or pass --url");
        return -1;
    }
    if (!valid_url(cfg->url)) {
        snprintf(err, errlen,
                 "bad URL '%s': expected http://host[:port]/path or https://... (port 1-65535)",
                 cfg->url);
        return -1;
    }
    if (!cfg->closed && cfg->rate <= 0) {
        snprintf(err, errlen,
                 "no rate: set soapload.rate in the script, pass --rate N, or use "
                 "--closed for as fast as possible");
        return -1;
    }
    if (cfg->workers > cfg->connections)
        cfg->workers = cfg->connections; /* each worker needs a connection of its own */
    return 0;
}
