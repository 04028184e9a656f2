/*
 * dryrun: a worker's view of the script without its sockets. The IDs are those a worker
 * makes (P<pid>-R<seq>, here this process's pid); the request is built by the steps a worker
 * takes (engine/build.h, the signature, the MTOM packing) and its header lines are composed
 * by the function that composes a worker's (engine/head.h), with the ones libcurl adds itself
 * (Host before them, Content-Length after) unless one of those lines replaced them, as
 * libcurl does.
 */
#include "tools/dryrun.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/envelope.h"
#include "core/exitcode.h"
#include "core/flow.h"
#include "core/headers.h"
#include "core/mix.h"
#include "core/scenario.h"
#include "core/scenario_plan.h"
#include "core/soapns.h"
#include "core/reqid.h"
#include "core/xmltree.h"
#include "engine/build.h"
#include "engine/head.h"
#include "engine/lua_mtom.h"
#include "engine/script.h"
#include "engine/script_ops.h"
#include "engine/wsse_rewrite.h"

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

static void print_request(FILE *out, const sl_config_t *cfg, const sl_head_t *defaults,
                          const sl_request_t *req, const char *id, int i, int n)
{
    char host[512], hostline[600], length[64];
    sl_head_t head; /* what a worker hands libcurl for this request */
    sl_head_compose(&head, defaults, req);

    char *url = request_url(cfg->url, req, host, sizeof(host));
    fprintf(out, "=== request %d of %d: ID %s", i, n, id);
    if (!req->check_id)
        fprintf(out, " (the response's ID is not checked: request() returned id = false)");
    else if (strcmp(id, req->id.data) != 0)
        fprintf(out, " (the response must echo %s)", req->id.data);
    fputc('\n', out);
    fprintf(out, "%s %s\n", req->method[0] ? req->method : "POST", url ? url : cfg->url);
    curl_free(url);
    /* libcurl's own Host goes first, unless a line of the same name replaces it */
    snprintf(hostline, sizeof(hostline), "Host: %s", host);
    size_t body_len;
    const char *body = sl_request_body(req, &body_len);
    snprintf(length, sizeof(length), "Content-Length: %zu", body_len);
    if (!sl_header_named_in(hostline, head.line, head.n))
        print_header(out, hostline);
    for (int k = 0; k < head.n; k++)
        print_header(out, head.line[k]);
    if (!sl_header_named_in(length, head.line, head.n))
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

/* What a dry run holds from one request to the next. */
typedef struct {
    const sl_config_t *cfg;
    sl_config_t one; /* read only: the run as one worker would do it alone */
    sl_script_t *s;
    sl_mix_t mix;
    sl_wsse_rewriter_t *signer;           /* --wsse-sign-key: shown signed, as sent */
    sl_scenario_plan_t *plan;             /* with scenarios: the run's first entries, as worker 1 */
    sl_mix_t users_mix[SL_MAX_SCENARIOS]; /* closed-model scenarios: each one's operations */
    sl_mix_t users_flows[SL_MAX_SCENARIOS]; /* and with flows, each one's flows */
    uint64_t user_flows;                    /* the closed-model scenarios' flows shown */
    int vars;                               /* with flows: the variables of the flow shown */
    int flow, step;                         /* with flows: the flow shown and its next step */
    sl_head_t head;                         /* the run's header lines */
    sl_request_t req;
    int shown, bad;
    pid_t pid;
    FILE *out, *errout;
    char err[8192];
} dry_t;

/* Loads the script as worker 1 of 1 would and runs its init(). Returns 0, or -1 after saying
 * why on errout. */
static int dry_open(dry_t *d, const char *text, size_t len)
{
    const sl_config_t *cfg = d->cfg;
    d->s = sl_script_load(cfg->script_path, text, len, cfg, d->err, sizeof(d->err));
    if (d->s == NULL) {
        fprintf(d->errout, "soapload: %s\n", d->err);
        return -1;
    }
    sl_script_seed(d->s, sl_script_worker_seed(cfg->seed, 0));
    sl_script_publish(d->s, &d->one, 1, d->pid);
    for (int i = 0; cfg->closed && cfg->scenarios != NULL && cfg->nops > 0 && i < cfg->scenarios->n;
         i++)
        if (sl_mix_init(&d->users_mix[i], cfg->scenarios->s[i].weights, cfg->nops, d->err,
                        sizeof(d->err)) != 0) {
            fprintf(d->errout, "soapload: %s\n", d->err);
            return -1;
        }
    for (int i = 0;
         cfg->closed && cfg->scenarios != NULL && cfg->flows != NULL && i < cfg->scenarios->n; i++)
        if (sl_mix_init(&d->users_flows[i], cfg->scenarios->s[i].flow_weights, cfg->flows->n,
                        d->err, sizeof(d->err)) != 0) {
            fprintf(d->errout, "soapload: %s\n", d->err);
            return -1;
        }
    if (cfg->scenarios != NULL && !cfg->closed) {
        if ((d->plan = malloc(sizeof(*d->plan))) == NULL ||
            sl_scenario_plan_init(d->plan, &d->one, 0, 1, d->err, sizeof(d->err)) != 0) {
            fprintf(d->errout, "soapload: %s\n", d->plan == NULL ? "out of memory" : d->err);
            free(d->plan);
            d->plan = NULL;
            return -1;
        }
        if (cfg->flows == NULL && sl_scenario_plan_total(d->plan) < (uint64_t)d->shown)
            d->shown = (int)sl_scenario_plan_total(d->plan);
    }
    if ((cfg->nops > 0 &&
         (sl_script_operations(d->s, cfg, d->err, sizeof(d->err)) != 0 ||
          sl_mix_init(&d->mix, cfg->op_weights, cfg->nops, d->err, sizeof(d->err)) != 0)) ||
        (sl_wsse_opts_rewrites(&cfg->wsse) &&
         (d->signer = sl_wsse_rewrite_open(&d->one, d->err, sizeof(d->err))) == NULL)) {
        fprintf(d->errout, "soapload: %s\n", d->err);
        return -1;
    }
    if (sl_script_init(d->s, cfg->script_args, cfg->nargs, d->err, sizeof(d->err)) != 0) {
        fprintf(d->errout, "soapload: init(): %s\n", d->err);
        return -1;
    }
    sl_head_defaults(&d->head, cfg);
    return 0;
}

/* With flows and scenarios: the next flow shown is the one the earliest entry starts. */
static void dry_flow_entry(dry_t *d)
{
    if (d->plan->next_due == SL_PROFILE_END)
        return; /* past the schedule: its last flow again */
    d->flow = sl_scenario_plan_flow(d->plan);
    fprintf(d->out, "scenario %s, flow start due %.6f s after the start\n",
            sl_scenario_plan_name(d->plan), (double)d->plan->next_due / 1e9);
    sl_scenario_plan_advance(d->plan);
}

/* With flows and closed-model scenarios: the next flow shown is a user's of each scenario in
 * turn, the next of that scenario's mix. */
static void dry_user_flow(dry_t *d)
{
    const sl_scenarios_t *ss = d->cfg->scenarios;
    int k = (int)(d->user_flows % (uint64_t)ss->n);
    d->flow = sl_mix_of(&d->users_flows[k], d->user_flows++ / (uint64_t)ss->n);
    fprintf(d->out, "scenario %s (closed model: a user's next flow)\n", ss->s[k].name);
}

/* The operation of request i (1-based) as worker 1 would pick it, saying which flow step or
 * scenario it is; -1 without operations. */
static int dry_op(dry_t *d, int i)
{
    const sl_config_t *cfg = d->cfg;
    int op = cfg->nops > 0 ? sl_mix_of(&d->mix, (uint64_t)i - 1) : -1; /* as request k = i-1 */
    if (cfg->flows != NULL) { /* a flow's steps in order, each pass with new vars */
        if (d->step == 0) {
            sl_script_vars_free(d->s, d->vars);
            d->vars = sl_script_vars_new(d->s);
            if (d->plan != NULL) /* the flow of the earliest scenario entry; else the first */
                dry_flow_entry(d);
            else if (cfg->closed && cfg->scenarios != NULL)
                dry_user_flow(d);
        }
        const sl_flow_def_t *f = &cfg->flows->f[d->flow];
        sl_script_use_vars(d->s, d->vars);
        op = f->steps[d->step].op;
        fprintf(d->out,
                "flow %s, step %d of %d (no response() runs: vars holds only what "
                "request() stores)\n",
                f->name, d->step + 1, f->nsteps);
        d->step = (d->step + 1) % f->nsteps;
    } else if (cfg->closed && cfg->scenarios != NULL) { /* the scenarios in turn, each its mix */
        int n = cfg->scenarios->n, k = (i - 1) % n;
        op = cfg->nops > 0 ? sl_mix_of(&d->users_mix[k], (uint64_t)(i - 1) / (uint64_t)n) : -1;
        fprintf(d->out, "scenario %s (closed model: a user of it)\n", cfg->scenarios->s[k].name);
    } else if (d->plan != NULL) { /* its scenario's entry: the earliest due of all */
        op = sl_scenario_plan_op(d->plan);
        fprintf(d->out, "scenario %s, due %.6f s after the start\n", sl_scenario_plan_name(d->plan),
                (double)d->plan->next_due / 1e9);
        sl_scenario_plan_advance(d->plan);
    }
    if (op >= 0)
        fprintf(d->out, "operation %s\n", cfg->op_names[op]);
    return op;
}

/* The built-in request's body for id, as a worker builds it. Returns 0, or -1 out of memory. */
static int dry_builtin(dry_t *d, const char *id, size_t idlen)
{
    sl_buf_t inner = {0};
    int rc = 0;
    sl_buf_clear(&d->req.body);
    d->req.check_id = 1;
    if (sl_envelope_echo_append(&inner, d->cfg->id_element, id, idlen) != 0 ||
        sl_envelope_append(&d->req.body, d->cfg->soap_version, inner.data, inner.len) != 0)
        rc = -1;
    sl_buf_free(&inner);
    return rc;
}

/* Builds and prints request i (1-based). Returns 0; 1 when it has a problem (said on
 * errout); -1 when the dry run cannot go on. */
static int dry_one(dry_t *d, int i)
{
    const sl_config_t *cfg = d->cfg;
    char id[SL_REQID_MAX], why[512];
    sl_reqid_t rid = {cfg->nsegments > 0, cfg->segment, (int)d->pid, (uint64_t)i};
    size_t idlen = sl_reqid_format(&rid, id, sizeof(id));
    sl_buf_clear(&d->req.id);
    if (sl_buf_append(&d->req.id, id, idlen) != 0)
        return -1;
    int op = dry_op(d, i);
    int attached = 0; /* soapload.attach: shown as the multipart body that is sent */
    if (op >= 0 || sl_script_has_request(d->s)) {
        int rc = sl_build_call(d->s, op, (uint64_t)i, &d->req, cfg->soap_version, &attached, d->err,
                               sizeof(d->err));
        if (rc == SL_BUILD_HOOK_FAILED) {
            fprintf(d->errout, "soapload: request %d (%s): request() failed: %s\n", i, id, d->err);
            return 1;
        }
        if (rc != 0)
            return -1;
    } else if (dry_builtin(d, id, idlen) != 0) {
        return -1;
    }
    if (d->signer != NULL &&
        sl_wsse_rewrite_request(d->signer, &d->req, d->err, sizeof(d->err)) != 0) {
        fprintf(d->errout, "soapload: request %d (%s): %s\n", i, id, d->err);
        return 1;
    }
    int problem = check_body(&d->req, cfg->soap_version, why, sizeof(why)) != 0;
    if (attached && sl_mtom_pack(&d->req, cfg->soap_version) != 0)
        return -1;
    print_request(d->out, cfg, &d->head, &d->req, id, i, d->shown);
    if (problem)
        fprintf(d->errout, "soapload: request %d (%s): %s\n", i, id, why);
    return problem;
}

/* The closing lines: how many requests, and whether each was well-formed. */
static void dry_summary(const dry_t *d)
{
    const sl_config_t *cfg = d->cfg;
    int shown = d->shown;
    fflush(d->out);
    if (d->bad > 0)
        fprintf(d->errout, "soapload: dry run: %d of %d request%s with a problem\n", d->bad, shown,
                shown == 1 ? "" : "s");
    else
        fprintf(d->out, "%d request%s, %s well-formed SOAP %s envelope\n", shown,
                shown == 1 ? "" : "s", shown == 1 ? "a" : "each a",
                cfg->soap_version == 12 ? "1.2" : "1.1");
    if (cfg->json_path != NULL || cfg->trace_path != NULL || cfg->html_path != NULL)
        fprintf(d->errout, "soapload: dry run: no results, so no --json, --trace or --html file "
                           "was written\n");
}

int sl_dryrun(const sl_config_t *cfg, const char *text, size_t len, FILE *out, FILE *errout)
{
    dry_t *d = calloc(1, sizeof(*d));
    int code = SL_EXIT_USAGE;
    if (d == NULL)
        return SL_EXIT_USAGE;
    d->cfg = cfg;
    d->one = *cfg;
    d->one.workers = 1;
    d->pid = getpid();
    d->vars = SL_SCRIPT_NO_VARS;
    d->shown = cfg->dry_run;
    d->out = out;
    d->errout = errout;
    if (dry_open(d, text, len) != 0)
        goto Done;
    fprintf(out,
            "soapload --dry-run: %d request%s of %s as worker 1 of 1 (pid %d), SOAP %s, "
            "seed %llu; nothing is sent\n\n",
            d->shown, d->shown == 1 ? "" : "s", cfg->script_path, (int)d->pid,
            cfg->soap_version == 12 ? "1.2" : "1.1", (unsigned long long)cfg->seed);
    for (int i = 1; i <= d->shown; i++) {
        int rc = dry_one(d, i);
        if (rc < 0)
            goto Done;
        d->bad += rc;
    }
    dry_summary(d);
    code = d->bad > 0 ? SL_EXIT_USAGE : SL_EXIT_OK;
Done:
    sl_wsse_rewrite_close(d->signer);
    sl_request_free(&d->req);
    sl_script_close(d->s);
    sl_mix_free(&d->mix);
    if (d->plan != NULL)
        sl_scenario_plan_free(d->plan);
    for (int i = 0; i < SL_MAX_SCENARIOS; i++) {
        sl_mix_free(&d->users_mix[i]);
        sl_mix_free(&d->users_flows[i]);
    }
    free(d->plan);
    free(d);
    return code;
}
