/*
 * config_check: the checks of the settings together, once the flags and the script have both
 * given theirs: the URL, the model and what belongs to it, the transport's files and
 * credentials, combinations that contradict each other. Each value alone was checked by its
 * setter (core/config_set.h).
 */
#include "core/config_check.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/load.h"
#include "core/scenario_users.h"
#include "core/segment.h"

/* Checks soapload.stages against the model: what each stage may hold, and the run's length
 * and the closed model's connections that follow from them. */
static int validate_stages(sl_config_t *cfg, char *err, size_t errlen)
{
    if (cfg->ramp) {
        snprintf(err, errlen,
                 "--rate A:B ramps over --duration: it takes no soapload.stages (give the ramp "
                 "as a stage instead)");
        return -1;
    }
    if (sl_config_was_set(cfg, SL_OPT_DURATION)) {
        snprintf(err, errlen,
                 "soapload.stages sets the run's length (the sum of the stages): it takes no %s",
                 sl_optset_has(&cfg->given, SL_OPT_DURATION) ? "--duration" : "soapload.duration");
        return -1;
    }
    uint64_t total = 0;
    int most = 0;
    for (int i = 0; i < cfg->nstages; i++) {
        sl_config_stage_t *s = &cfg->stages[i];
        if (cfg->closed && s->has_rate) {
            snprintf(err, errlen,
                     "soapload.stages[%d] gives a rate, but the closed model's stages take "
                     "connections = N",
                     i + 1);
            return -1;
        }
        if (!cfg->closed && s->has_connections) {
            snprintf(err, errlen,
                     "soapload.stages[%d] gives connections, but the open model's stages take "
                     "target = requests per second (use --closed or soapload.model = \"closed\")",
                     i + 1);
            return -1;
        }
        if (cfg->closed && s->has_target) { /* a synonym of connections */
            if (s->target != floor(s->target) || s->target > SL_MAX_CONNECTIONS) {
                snprintf(err, errlen,
                         "soapload.stages[%d]: target %g is not a number of connections from 0 "
                         "to %d",
                         i + 1, s->target, SL_MAX_CONNECTIONS);
                return -1;
            }
            s->connections = (int)s->target;
            s->has_connections = 1;
        }
        if (!s->has_target && !s->has_rate && !s->has_connections) {
            snprintf(err, errlen, "soapload.stages[%d] has no %s", i + 1,
                     cfg->closed ? "connections" : "target");
            return -1;
        }
        if (s->connections > most)
            most = s->connections;
        total += s->duration_ns;
    }
    cfg->duration_ns = total;
    if (cfg->closed) {
        int given = sl_config_was_set(cfg, SL_OPT_CONNECTIONS);
        cfg->start_connections = given ? cfg->connections : 0;
        if (cfg->start_connections > most)
            most = cfg->start_connections;
        if (most == 0) {
            snprintf(err, errlen, "soapload.stages never opens a connection: every stage has 0");
            return -1;
        }
        cfg->connections = most;
    }
    return 0;
}

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
               "credentials from a URL (ps would show them); give --user NAME with "
               "--password-file FILE or --password-env NAME (and --auth METHOD for other than "
               "basic)";
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

/* The model and what belongs to it: within one source, a closed model and a rate or burst
 * contradict each other; across sources the flags win. Then the stages, arrivals, think time
 * and the open model's profile. */
static int check_model(sl_config_t *cfg, char *err, size_t errlen)
{
    const sl_optset_t *f = &cfg->given, *s = &cfg->scripted;
    int flag_rate = sl_optset_has(f, SL_OPT_RATE), flag_burst = sl_optset_has(f, SL_OPT_BURST);
    int flag_closed = sl_optset_has(f, SL_OPT_CLOSED) || sl_optset_has(f, SL_OPT_MODEL);
    int script_rate = sl_optset_has(s, SL_OPT_RATE), script_burst = sl_optset_has(s, SL_OPT_BURST);
    int script_closed = sl_optset_has(s, SL_OPT_CLOSED) || sl_optset_has(s, SL_OPT_MODEL);
    int flag_window = sl_optset_has(f, SL_OPT_SEND_WINDOW);
    /* -R picks the open model over a script's "closed"; --closed sets its rate and burst aside */
    if (flag_closed && cfg->closed && (flag_rate || flag_burst)) {
        snprintf(err, errlen, "--closed sends as fast as it can: it takes no %s",
                 flag_rate ? "--rate" : "--burst");
        return -1;
    }
    if (flag_rate && !flag_closed)
        cfg->closed = 0;
    if (!flag_closed && script_closed && cfg->closed && (script_rate || script_burst) &&
        !flag_rate) {
        snprintf(err, errlen, "soapload.model is \"closed\", which takes no soapload.%s",
                 script_rate ? "rate" : "burst");
        return -1;
    }
    if (cfg->closed && flag_burst) {
        snprintf(err, errlen,
                 "--burst groups the open model's schedule: the closed model has none");
        return -1;
    }
    if (cfg->closed && cfg->send_window_ns > 0 &&
        (flag_window || (!flag_closed && sl_optset_has(s, SL_OPT_SEND_WINDOW)))) {
        snprintf(err, errlen, "%s batches the open model's schedule: the closed model has none",
                 flag_window ? "--send-window" : "soapload.send_window");
        return -1;
    }
    if (cfg->closed) {
        cfg->burst = 1;
        cfg->send_window_ns = 0;
    }
    if (cfg->nstages > 0 && validate_stages(cfg, err, errlen) != 0)
        return -1;
    if (cfg->closed && cfg->arrival == SL_ARRIVAL_POISSON) {
        snprintf(err, errlen,
                 "poisson arrivals are the open model's: the closed model has no "
                 "schedule (--think paces its connections)");
        return -1;
    }
    if (!cfg->closed && cfg->has_think) {
        snprintf(err, errlen,
                 "%s is the closed model's pause between a connection's requests: "
                 "the open model's schedule sets when requests leave",
                 sl_optset_has(&cfg->given, SL_OPT_THINK) ? "--think" : "soapload.think");
        return -1;
    }
    if (!cfg->closed && (cfg->nstages > 0 || cfg->ramp)) {
        sl_profile_t p;
        char why[200];
        if (sl_load_profile(cfg, &p, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "%s: %s", cfg->ramp ? "--rate" : "soapload.stages", why);
            return -1;
        }
    }
    return 0;
}

int sl_config_validate(sl_config_t *cfg, char *err, size_t errlen)
{
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
    if (check_model(cfg, err, errlen) != 0)
        return -1;
    if (cfg->flows != NULL && cfg->has_think) {
        snprintf(err, errlen,
                 "%s with soapload.flows: a flow's steps have think times of their own "
                 "(steps = {{..., think = \"1s\"}})",
                 sl_optset_has(&cfg->given, SL_OPT_THINK) ? "--think" : "soapload.think");
        return -1;
    }
    if (!cfg->closed && cfg->rate <= 0 && !cfg->ramp && cfg->nstages == 0 &&
        cfg->scenarios == NULL) {
        snprintf(err, errlen,
                 "no rate: set soapload.rate in the script, pass --rate N, or use "
                 "--closed for as fast as possible");
        return -1;
    }
    if (cfg->nsegments > 1) { /* the connections "in all" are split over the segments too */
        if (cfg->connections < cfg->nsegments) {
            snprintf(err, errlen,
                     "%d connection%s for %d segments: each segment needs a connection of its "
                     "own (raise --connections)",
                     cfg->connections, cfg->connections == 1 ? "" : "s", cfg->nsegments);
            return -1;
        }
        cfg->global_connections = cfg->connections;
        cfg->connections =
            cfg->closed && cfg->scenarios != NULL /* each scenario's split */
                ? sl_scenario_users_segment(cfg)
                : sl_segment_connections(cfg->connections, cfg->segment, cfg->nsegments);
    }
    if (cfg->workers > cfg->connections) {
        if (sl_config_was_set(cfg, SL_OPT_WORKERS)) {
            snprintf(err, errlen,
                     "%d workers but %d connection%s: each worker needs a connection of its "
                     "own (lower --workers or raise --connections)",
                     cfg->workers, cfg->connections, cfg->connections == 1 ? "" : "s");
            return -1;
        }
        cfg->workers = cfg->connections; /* the default, one per CPU, adapts */
    }
    if (cfg->abort_on_fail && cfg->nchecks == 0) {
        snprintf(err, errlen,
                 "--abort-on-fail stops a run on a failed threshold: give one "
                 "with --threshold EXPR");
        return -1;
    }
    if (cfg->validate_pct > 0 && cfg->schema_path == NULL) {
        snprintf(err, errlen,
                 "--validate schema needs the schema: --schema FILE.xsd (or a WSDL), or "
                 "soapload.schema in the script");
        return -1;
    }
    if (transport_problem(cfg, err, errlen) != 0)
        return -1;
    return sl_wsse_opts_check(&cfg->wsse, err, errlen);
}
