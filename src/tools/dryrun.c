/*
 * dryrun: a worker's view of the script without its sockets. The IDs are those a worker
 * makes (P<pid>-R<seq>, here this process's pid); the headers are those a worker hands
 * libcurl (soapload's defaults, replaced by the user's of the same name, then request()'s),
 * with the ones libcurl adds itself (Host, User-Agent, Accept, Content-Length) unless one of
 * those replaced them, as libcurl does.
 */
#include "tools/dryrun.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/envelope.h"
#include "core/flow.h"
#include "core/headers.h"
#include "core/mix.h"
#include "core/reqid.h"
#include "core/exitcode.h"
#include "core/scenario.h"
#include "core/soapns.h"
#include "core/scenario_plan.h"
#include "core/version.h"
#include "core/xmltree.h"
#include "engine/script.h"
#include "engine/lua_mtom.h"
#include "engine/wsse_rewrite.h"

#define MAX_LINES (SL_MAX_HEADERS + SL_MAX_REQUEST_HEADERS + 8)

typedef struct {
    const char *line[MAX_LINES]; /* "Name: value", pointing into the config or the request */
    int n;
} lines_t;

static void add_unless(lines_t *l, const char *line, const char *const *over, int n)
{
    if (!sl_header_named_in(line, over, n) && l->n < MAX_LINES)
        l->line[l->n++] = line;
}

/* The URL a request goes to: the run's, with request()'s path resolved against it. The
 * caller frees it with curl_free. */
static char *request_url(const char *url, const sl_request_t *req, char *host, size_t hostlen)
{
    CURLU *u = curl_url();
    char *full = NULL, *h = NULL, *port = NULL;
    if (u == NULL)
        return NULL;
    curl_url_set(u, CURLUPART_URL, url, 0);
    if (req->path.len > 0)
        curl_url_set(u, CURLUPART_URL, req->path.data, 0); /* relative to the URL, as a worker */
    curl_url_get(u, CURLUPART_URL, &full, 0);
    curl_url_get(u, CURLUPART_HOST, &h, 0);
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    snprintf(host, hostlen, "%s%s%s", h ? h : "", port ? ":" : "", port ? port : "");
    curl_free(h);
    curl_free(port);
    curl_url_cleanup(u);
    return full;
}

/* Prints a header line as libcurl sends it: "Name:" alone removes the header, "Name;" sends
 * it empty. */
static void print_header(FILE *out, const char *line)
{
    size_t name = strcspn(line, ":;");
    const char *v = line + name + (line[name] != '\0');
    while (*v == ' ' || *v == '\t')
        v++;
    if (line[name] == ';')
        fprintf(out, "%.*s:\n", (int)name, line);
    else if (*v != '\0')
        fprintf(out, "%.*s: %s\n", (int)name, line, v);
}

static void print_request(FILE *out, const sl_config_t *cfg, const sl_request_t *req,
                          const char *id, int i, int n)
{
    char host[512], ua[64], length[64];
    const char *mine[SL_MAX_REQUEST_HEADERS + 1];
    const char *p = req->headers.data;
    int nmine = 0;
    for (int k = 0; k < req->nheaders; k++, p += strlen(p) + 1)
        mine[nmine++] = p;

    /* what a worker gives libcurl: the defaults unless the user's replace them, the user's,
     * and all of those unless request()'s replace them, then request()'s */
    lines_t given = {.n = 0}, sent = {.n = 0};
    char ct[SL_HEADER_LINE_CAP];
    given.n = sl_headers_for_run(cfg, given.line, MAX_LINES, ct);
    for (int k = 0; k < given.n; k++)
        add_unless(&sent, given.line[k], mine, nmine);
    for (int k = 0; k < nmine; k++)
        add_unless(&sent, mine[k], NULL, 0);

    char *url = request_url(cfg->url, req, host, sizeof(host));
    fprintf(out, "=== request %d of %d: ID %s", i, n, id);
    if (!req->check_id)
        fprintf(out, " (the response's ID is not checked: request() returned id = false)");
    else if (strcmp(id, req->id.data) != 0)
        fprintf(out, " (the response must echo %s)", req->id.data);
    fputc('\n', out);
    fprintf(out, "%s %s\n", req->method[0] ? req->method : "POST", url ? url : cfg->url);
    curl_free(url);
    /* libcurl's own headers go first, unless a custom one of the same name replaces them */
    char hostline[600];
    snprintf(hostline, sizeof(hostline), "Host: %s", host);
    snprintf(ua, sizeof(ua), "User-Agent: soapload/%s", SL_VERSION);
    size_t body_len;
    const char *body = sl_request_body(req, &body_len);
    snprintf(length, sizeof(length), "Content-Length: %zu", body_len);
    const char *own[] = {hostline, ua, "Accept: */*"};
    for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++)
        if (!sl_header_named_in(own[k], sent.line, sent.n))
            print_header(out, own[k]);
    for (int k = 0; k < sent.n; k++)
        print_header(out, sent.line[k]);
    if (!sl_header_named_in(length, sent.line, sent.n))
        print_header(out, length);
    fputc('\n', out); /* written whole: an attachment's bytes may hold NULs */
    fwrite(body, 1, body_len, out);
    fputs("\n\n", out);
}

/* What is wrong with a body as a SOAP envelope of `version`, into why; 0 when nothing. */
static int check_body(const sl_request_t *req, int version, char *why, size_t cap)
{
    char err[256];
    const char *want = version == 12 ? SL_SOAP12_NS : SL_SOAP11_NS;
    size_t text_len;
    const char *text = sl_request_body(req, &text_len);
    sl_xtree_t *t = sl_xtree_parse(text, text_len, err, sizeof(err));
    if (t == NULL) {
        snprintf(why, cap, "the body is not well-formed XML: %s", err);
        return -1;
    }
    const sl_xnode_t *root = sl_xtree_root(t), *header = NULL, *body = NULL;
    int rc = -1;
    if (strcmp(root->local, "Envelope") != 0) {
        snprintf(why, cap, "the root element is <%s>, not a SOAP Envelope", root->name);
    } else if (strcmp(root->ns, want) != 0) {
        const char *other = strcmp(root->ns, SL_SOAP11_NS) == 0   ? "1.1"
                            : strcmp(root->ns, SL_SOAP12_NS) == 0 ? "1.2"
                                                                  : NULL;
        if (other != NULL)
            snprintf(why, cap,
                     "a SOAP %s envelope, but the run is SOAP %s (--soap, soapload.soap_version)",
                     other, version == 12 ? "1.2" : "1.1");
        else
            snprintf(why, cap, "the Envelope's namespace is '%s', not SOAP %s's %s", root->ns,
                     version == 12 ? "1.2" : "1.1", want);
    } else {
        header = sl_xnode_child(root, want, "Header");
        body = sl_xnode_child(root, want, "Body");
        if (body == NULL)
            snprintf(why, cap, "the Envelope has no Body");
        else if (header != NULL && root->first_child != header)
            snprintf(why, cap, "the Header must be the Envelope's first child");
        else
            rc = 0;
    }
    sl_xtree_free(t);
    return rc;
}

int sl_dryrun(const sl_config_t *cfg, const char *text, size_t len, FILE *out, FILE *errout)
{
    char err[8192], why[512];
    sl_request_t req = {0};
    sl_config_t one = *cfg; /* read only: the run as one worker would do it alone */
    pid_t pid = getpid();
    int bad = 0, code = SL_EXIT_USAGE;
    one.workers = 1;

    sl_script_t *s = sl_script_load(cfg->script_path, text, len, cfg, err, sizeof(err));
    if (s == NULL) {
        fprintf(errout, "soapload: %s\n", err);
        return SL_EXIT_USAGE;
    }
    sl_script_seed(s, sl_script_worker_seed(cfg->seed, 0));
    sl_script_publish(s, &one, 1, pid);
    sl_mix_t mix = {0};
    sl_wsse_rewriter_t *signer = NULL; /* --wsse-sign-key: shown signed, as sent */
    sl_scenario_plan_t *plan = NULL;   /* with scenarios: the run's first entries, as worker 1 */
    int vars = SL_SCRIPT_NO_VARS;      /* with flows: the variables of the flow shown */
    int shown = cfg->dry_run;
    if (cfg->scenarios != NULL) {
        if ((plan = malloc(sizeof(*plan))) == NULL ||
            sl_scenario_plan_init(plan, &one, 0, 1, err, sizeof(err)) != 0) {
            fprintf(errout, "soapload: %s\n", plan == NULL ? "out of memory" : err);
            free(plan);
            plan = NULL;
            goto Done;
        }
        if (sl_scenario_plan_total(plan) < (uint64_t)shown)
            shown = (int)sl_scenario_plan_total(plan);
    }
    if (cfg->nops > 0 && (sl_script_operations(s, cfg, err, sizeof(err)) != 0 ||
                          sl_mix_init(&mix, cfg->op_weights, cfg->nops, err, sizeof(err)) != 0)) {
        fprintf(errout, "soapload: %s\n", err);
        goto Done;
    }
    if (sl_wsse_opts_rewrites(&cfg->wsse) &&
        (signer = sl_wsse_rewrite_open(&one, err, sizeof(err))) == NULL) {
        fprintf(errout, "soapload: %s\n", err);
        goto Done;
    }
    if (sl_script_init(s, cfg->script_args, cfg->nargs, err, sizeof(err)) != 0) {
        fprintf(errout, "soapload: init(): %s\n", err);
        goto Done;
    }
    fprintf(out,
            "soapload --dry-run: %d request%s of %s as worker 1 of 1 (pid %d), SOAP %s, "
            "seed %llu; nothing is sent\n\n",
            shown, shown == 1 ? "" : "s", cfg->script_path, (int)pid,
            cfg->soap_version == 12 ? "1.2" : "1.1", (unsigned long long)cfg->seed);
    for (int i = 1; i <= shown; i++) {
        char id[SL_REQID_MAX];
        sl_reqid_t rid = {cfg->nsegments > 0, cfg->segment, (int)pid, (uint64_t)i};
        size_t idlen = sl_reqid_format(&rid, id, sizeof(id));
        sl_buf_clear(&req.id);
        if (sl_buf_append(&req.id, id, idlen) != 0)
            goto Done;
        int op = cfg->nops > 0 ? sl_mix_of(&mix, (uint64_t)i - 1) : -1; /* as request k = i-1 */
        if (cfg->flows != NULL) { /* the first flow's steps in order, each pass with new vars */
            const sl_flow_def_t *f = &cfg->flows->f[0];
            int step = (i - 1) % f->nsteps;
            if (step == 0) {
                sl_script_vars_free(s, vars);
                vars = sl_script_vars_new(s);
            }
            sl_script_use_vars(s, vars);
            op = f->steps[step].op;
            fprintf(out,
                    "flow %s, step %d of %d (no response() runs: vars holds only what "
                    "request() stores)\n",
                    f->name, step + 1, f->nsteps);
        }
        if (plan != NULL) { /* its scenario's entry: the earliest due of all */
            op = sl_scenario_plan_op(plan);
            fprintf(out, "scenario %s, due %.6f s after the start\n", sl_scenario_plan_name(plan),
                    (double)plan->next_due / 1e9);
            sl_scenario_plan_advance(plan);
        }
        if (op >= 0)
            fprintf(out, "operation %s\n", cfg->op_names[op]);
        int attached = 0; /* soapload.attach: shown as the multipart body that is sent */
        if (op >= 0 || sl_script_has_request(s)) {
            sl_mtom_reset();
            if ((op >= 0 ? sl_script_op_request(s, op, (uint64_t)i, &req, err, sizeof(err))
                         : sl_script_request(s, (uint64_t)i, &req, err, sizeof(err))) != 0) {
                fprintf(errout, "soapload: request %d (%s): request() failed: %s\n", i, id, err);
                bad++;
                continue;
            }
            if ((attached = sl_mtom_count() > 0) && sl_mtom_header(&req, cfg->soap_version) != 0)
                goto Done;
        } else { /* the built-in request, as a worker builds it */
            sl_buf_t inner = {0};
            sl_buf_clear(&req.body);
            req.check_id = 1;
            if (sl_envelope_echo_append(&inner, cfg->id_element, id, (size_t)idlen) != 0 ||
                sl_envelope_append(&req.body, cfg->soap_version, inner.data, inner.len) != 0) {
                sl_buf_free(&inner);
                goto Done;
            }
            sl_buf_free(&inner);
        }
        if (signer != NULL && sl_wsse_rewrite_request(signer, s, &req, err, sizeof(err)) != 0) {
            fprintf(errout, "soapload: request %d (%s): %s\n", i, id, err);
            bad++;
            continue;
        }
        int problem = check_body(&req, cfg->soap_version, why, sizeof(why)) != 0;
        if (attached && sl_mtom_pack(s, &req, cfg->soap_version) != 0)
            goto Done;
        print_request(out, cfg, &req, id, i, shown);
        if (problem) {
            fprintf(errout, "soapload: request %d (%s): %s\n", i, id, why);
            bad++;
        }
    }
    fflush(out);
    if (bad > 0)
        fprintf(errout, "soapload: dry run: %d of %d request%s with a problem\n", bad, shown,
                shown == 1 ? "" : "s");
    else
        fprintf(out, "%d request%s, %s well-formed SOAP %s envelope\n", shown,
                shown == 1 ? "" : "s", shown == 1 ? "a" : "each a",
                cfg->soap_version == 12 ? "1.2" : "1.1");
    if (cfg->json_path != NULL || cfg->trace_path != NULL || cfg->html_path != NULL)
        fprintf(errout, "soapload: dry run: no results, so no --json, --trace or --html file "
                        "was written\n");
    code = bad > 0 ? SL_EXIT_USAGE : SL_EXIT_OK;
Done:
    sl_wsse_rewrite_close(signer);
    sl_script_release_body(s, &req);
    sl_buf_free(&req.body);
    sl_buf_free(&req.headers);
    sl_buf_free(&req.tags);
    sl_buf_free(&req.path);
    sl_buf_free(&req.id);
    sl_script_close(s);
    sl_mix_free(&mix);
    if (plan != NULL)
        sl_scenario_plan_free(plan);
    free(plan);
    return code;
}
