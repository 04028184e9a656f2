/*
 * wsdl_cli: the `soapload wsdl` subcommand: its options, reading the WSDL, writing the script,
 * and the warnings a user must see (what the script leaves out).
 */
#include "tools/wsdl_cli.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mix.h"
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

/* The options that take a value. */
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

static const char *const valued[] = {"-o",    "--output", "--id-element", "--soap", "--port",
                                     "--url", "--root",   "--catalog",    NULL};

static int takes_value(const char *a)
{
    for (int i = 0; valued[i] != NULL; i++)
        if (strcmp(a, valued[i]) == 0)
            return 1;
    return 0;
}

int sl_wsdl_main(int argc, char **argv)
{
    const char *source = NULL, *output = NULL;
    sl_wsdl_opts_t o = {0};
    sl_wsdl_script_opts_t so = {.id_element = "RequestId"};
    int fail_on_warning = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--offline") == 0) {
            o.offline = 1;
        } else if (strcmp(a, "--fail-on-warning") == 0) {
            fail_on_warning = 1;
        } else if (takes_value(a) && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
                output = v;
            } else if (strcmp(a, "--id-element") == 0) {
                so.id_element = v;
                if (v[0] == '\0' || strpbrk(v, " <>&\"'=/:") != NULL) {
                    fprintf(stderr, "soapload wsdl: --id-element %s: not an element name\n", v);
                    return 2;
                }
            } else if (strcmp(a, "--soap") == 0) {
                o.version = strcmp(v, "1.1") == 0 ? 11 : strcmp(v, "1.2") == 0 ? 12 : -1;
                if (o.version < 0) {
                    fprintf(stderr, "soapload wsdl: --soap %s: expected 1.1 or 1.2\n", v);
                    return 2;
                }
            } else if (strcmp(a, "--port") == 0) {
                o.port = v;
            } else if (strcmp(a, "--url") == 0) {
                if (!sl_wsdl_fetch_is_url(v)) {
                    fprintf(stderr,
                            "soapload wsdl: --url %s: expected an http:// or https:// URL\n", v);
                    return 2;
                }
                so.url = v;
            } else if (strcmp(a, "--root") == 0) {
                o.root = v;
            } else {
                o.catalog = v;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "soapload wsdl: %s: %s\n", a,
                    takes_value(a) ? "needs a value" : "unknown option");
            usage(stderr);
            return 2;
        } else if (source == NULL) {
            source = a;
        } else {
            fprintf(stderr, "soapload wsdl: one WSDL only (got %s and %s)\n", source, a);
            return 2;
        }
    }
    if (source == NULL) {
        usage(stderr);
        return 2;
    }
    char err[1024] = "";
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
