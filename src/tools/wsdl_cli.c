/*
 * wsdl_cli: the `soapload wsdl` subcommand: its options, reading the WSDL, writing the script,
 * and the warnings a user must see (what the script leaves out).
 */
#include "tools/wsdl_cli.h"

#include <curl/curl.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mix.h"
#include "core/subargs.h"
#include "core/termtext.h"
#include "tools/wsdl.h"
#include "tools/wsdl_fetch.h"
#include "tools/wsdl_script.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: soapload wsdl URL-or-FILE [-o script.lua] [--id-element NAME] "
               "[--soap 1.1|1.2]\n"
               "         [--port NAME] [--url URL] [--root DIR] [--catalog FILE] [--offline]\n"
               "         [--fail-on-warning]\n"
               "Reads a WSDL 1.1 and writes a soapload scenario (Lua) for its operations.\n"
               "What cannot be read or typed is a warning (stderr); the script has the rest.\n");
}

/* A message or warning that may hold the WSDL's bytes (names, locations, an address):
 * escaped, so that a WSDL cannot write over the terminal's lines or drive it. */
static void say(const char *msg)
{
    fputs("soapload wsdl: ", stderr);
    sl_termtext_fputs(msg, stderr);
    fputc('\n', stderr);
}

static void say_warning(const char *msg)
{
    fputs("soapload wsdl: warning: ", stderr);
    sl_termtext_fputs(msg, stderr);
    fputc('\n', stderr);
}

/* soapload wsdl's flags and its operand (the WSDL), as sl_wsdl_main reads them */
typedef struct {
    const char *source, *output;
    sl_wsdl_opts_t o;
    sl_wsdl_script_opts_t so;
    int fail_on_warning;
} wsdl_args_t;

static int set_id_element(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    if (v[0] == '\0' || strpbrk(v, " <>&\"'=/:") != NULL) {
        snprintf(err, errlen, "%s %s: not an element name", flag, v);
        return -1;
    }
    ((wsdl_args_t *)opts)->so.id_element = v;
    return 0;
}

static int set_soap(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    int *version = &((wsdl_args_t *)opts)->o.version;
    *version = strcmp(v, "1.1") == 0 ? 11 : strcmp(v, "1.2") == 0 ? 12 : -1;
    if (*version < 0) {
        snprintf(err, errlen, "%s %s: expected 1.1 or 1.2", flag, v);
        return -1;
    }
    return 0;
}

static int set_url(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    if (!sl_wsdl_fetch_is_url(v)) {
        snprintf(err, errlen, "%s %s: expected an http:// or https:// URL", flag, v);
        return -1;
    }
    ((wsdl_args_t *)opts)->so.url = v;
    return 0;
}

static int set_source(void *opts, const char *flag, const char *v, char *err, size_t errlen)
{
    wsdl_args_t *w = opts;
    (void)flag;
    if (w->source != NULL) {
        snprintf(err, errlen, "one WSDL only (got %s and %s)", w->source, v);
        return -1;
    }
    w->source = v;
    return 0;
}

/* the usage names them all in its synopsis: no list */
static const sl_subarg_t wsdl_flags[] = {
    {"--output", "-o", "FILE", offsetof(wsdl_args_t, output), NULL, NULL},
    {"--id-element", NULL, "NAME", 0, set_id_element, NULL},
    {"--soap", NULL, "1.1|1.2", 0, set_soap, NULL},
    {"--port", NULL, "NAME", offsetof(wsdl_args_t, o.port), NULL, NULL},
    {"--url", NULL, "URL", 0, set_url, NULL},
    {"--root", NULL, "DIR", offsetof(wsdl_args_t, o.root), NULL, NULL},
    {"--catalog", NULL, "FILE", offsetof(wsdl_args_t, o.catalog), NULL, NULL},
    {"--offline", NULL, NULL, offsetof(wsdl_args_t, o.offline), NULL, NULL},
    {"--fail-on-warning", NULL, NULL, offsetof(wsdl_args_t, fail_on_warning), NULL, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

int sl_wsdl_main(int argc, char **argv)
{
    wsdl_args_t args = {.so = {.id_element = "RequestId"}};
    char err[1024] = "";
    switch (sl_subargs_parse(wsdl_flags, argc, argv, &args, set_source, err, sizeof(err))) {
    case SL_SUBARGS_HELP:
        usage(stdout);
        return 0;
    case SL_SUBARGS_OK:
        break;
    case SL_SUBARGS_USAGE:
        fprintf(stderr, "soapload wsdl: %s\n", err);
        usage(stderr);
        return 2;
    case SL_SUBARGS_REFUSED:
        fprintf(stderr, "soapload wsdl: %s\n", err);
        return 2;
    }
    const char *source = args.source, *output = args.output;
    sl_wsdl_opts_t o = args.o;
    sl_wsdl_script_opts_t so = args.so;
    int fail_on_warning = args.fail_on_warning;
    if (source == NULL) {
        usage(stderr);
        return 2;
    }
    int code = 2;
    sl_buf_t script = {0};
    sl_wsdl_warnings_t warnings = {0};
    so.warnings = &warnings;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sl_wsdl_t *w = sl_wsdl_load_with(source, &o, err, sizeof(err));
    if (w == NULL || sl_wsdl_script_write(w, &so, &script, err, sizeof(err)) != 0) {
        say(err);
        goto cleanup;
    }
    FILE *f = output ? fopen(output, "w") : stdout;
    if (f == NULL) {
        fprintf(stderr, "soapload wsdl: %s: cannot write: %s\n", output, strerror(errno));
        goto cleanup;
    }
    size_t wrote = fwrite(script.data, 1, script.len, f);
    int bad = wrote != script.len || fflush(f) != 0;
    if (output != NULL && fclose(f) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "soapload wsdl: %s: write failed\n", output ? output : "stdout");
        goto cleanup;
    }
    /* the loader's warnings (imports) first, then the generator's (operations) */
    int nwarn = w->warnings.n + warnings.n;
    for (int i = 0; i < w->warnings.n; i++)
        say_warning(w->warnings.items[i]);
    for (int i = 0; i < warnings.n; i++)
        say_warning(warnings.items[i]);
    int written = w->nops < SL_MAX_OPERATIONS ? w->nops : SL_MAX_OPERATIONS;
    const char *endpoint = so.url ? so.url : w->endpoint;
    if (output != NULL) {
        fprintf(stderr, "soapload wsdl: wrote %s: %d operation%s, SOAP %s, endpoint ", output,
                written, written == 1 ? "" : "s", w->soap_version == 12 ? "1.2" : "1.1");
        sl_termtext_fputs(endpoint ? endpoint : "(none in the WSDL: run it with -u URL)", stderr);
        fputc('\n', stderr);
    }
    if (nwarn > 0)
        fprintf(stderr, "soapload wsdl: %d warning%s%s\n", nwarn, nwarn == 1 ? "" : "s",
                fail_on_warning ? " (--fail-on-warning: exit code 1)" : "");
    code = fail_on_warning && nwarn > 0 ? 1 : 0;
cleanup:
    sl_buf_free(&script);
    sl_wsdl_warnings_free(&warnings);
    sl_wsdl_free(w);
    curl_global_cleanup();
    return code;
}
