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
#include "tools/wsdl.h"
#include "tools/wsdl_script.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: soapload wsdl URL-or-FILE [-o script.lua] [--id-element NAME] "
               "[--soap 1.1|1.2]\n"
               "Reads a WSDL 1.1 and writes a soapload scenario (Lua) for its operations.\n");
}

int sl_wsdl_main(int argc, char **argv)
{
    const char *source = NULL, *output = NULL, *id_element = "RequestId";
    int version = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && has_value) {
            output = argv[++i];
        } else if (strcmp(a, "--id-element") == 0 && has_value) {
            id_element = argv[++i];
            if (id_element[0] == '\0' || strpbrk(id_element, " <>&\"'=/:") != NULL) {
                fprintf(stderr, "soapload wsdl: --id-element %s: not an element name\n",
                        id_element);
                return 2;
            }
        } else if (strcmp(a, "--soap") == 0 && has_value) {
            const char *v = argv[++i];
            version = strcmp(v, "1.1") == 0 ? 11 : strcmp(v, "1.2") == 0 ? 12 : -1;
            if (version < 0) {
                fprintf(stderr, "soapload wsdl: --soap %s: expected 1.1 or 1.2\n", v);
                return 2;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            int known = !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--id-element") ||
                        !strcmp(a, "--soap");
            fprintf(stderr, "soapload wsdl: %s: %s\n", a,
                    known ? "needs a value" : "unknown option");
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
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sl_wsdl_t *w = sl_wsdl_load(source, version, err, sizeof(err));
    if (w == NULL || sl_wsdl_script_write(w, id_element, &script, err, sizeof(err)) != 0) {
        fprintf(stderr, "soapload wsdl: %s\n", err);
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
    int warnings = 0;
    if (w->nops > SL_MAX_OPERATIONS) {
        fprintf(stderr,
                "soapload wsdl: warning: %d operations: soapload runs at most %d, the script "
                "has the first %d (%d left out)\n",
                w->nops, SL_MAX_OPERATIONS, SL_MAX_OPERATIONS, w->nops - SL_MAX_OPERATIONS);
        warnings++;
    }
    int written = w->nops < SL_MAX_OPERATIONS ? w->nops : SL_MAX_OPERATIONS;
    if (output != NULL)
        fprintf(stderr, "soapload wsdl: wrote %s: %d operation%s, SOAP %s, endpoint %s\n", output,
                written, written == 1 ? "" : "s", w->soap_version == 12 ? "1.2" : "1.1",
                w->endpoint ? w->endpoint : "(none in the WSDL)");
    if (warnings > 0)
        fprintf(stderr, "soapload wsdl: %d warning%s\n", warnings, warnings == 1 ? "" : "s");
    code = 0;
cleanup:
    sl_buf_free(&script);
    sl_wsdl_free(w);
    curl_global_cleanup();
    return code;
}
