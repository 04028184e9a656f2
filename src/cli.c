/*
 * cli: GNU-style flags (wrk's short letters where they exist). The getopt tables and the
 * --help text are both made from core/config's option table, and so are the man page's list
 * and the shell completions (dist/docgen.c).
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

#define HELP_COLUMN 25 /* where the help text starts in --help */
#define LONG_BASE 256  /* getopt's value for a flag without a letter: LONG_BASE + its id */

/* Whether getopt must take the option's value: "[N]" is optional, "--flag=N" or a word of
 * its own after the flag. */
static int takes_value(const sl_option_t *o)
{
    return o->arg != NULL && o->arg[0] != '[';
}

static int has_argument(const sl_option_t *o)
{
    return o->arg == NULL ? no_argument : takes_value(o) ? required_argument : optional_argument;
}

const char *sl_cli_synopsis(void)
{
    return "soapload [OPTION]... SCRIPT.lua [SCRIPT-ARG]...\n"
           "soapload --dry-run [N] [OPTION]... SCRIPT.lua [SCRIPT-ARG]...\n"
           "soapload --reconcile TRACE.csv... ID-LOG\n"
           "soapload wsdl URL-or-FILE [-o SCRIPT.lua] [WSDL-OPTION]... (soapload wsdl --help)\n"
           "soapload merge RESULT.json... [--json OUT] [--html OUT] [--junit OUT] [--threshold "
           "EXPR]...\n"
           "soapload merge --trace TRACE.csv... [RESULT.json...] [--id-log ID-LOG] [--window T]\n"
           "soapload merge --listen ADDR:PORT --expect N [--deadline T] [--token-file FILE] "
           "[--serve-for T] [--first-within T]\n"
           "soapload compare BASELINE.json NEW.json [--threshold 'p99 +10%']..."
           " [--fail-on-significant] [--html OUT] [--junit OUT]\n";
}

void sl_cli_usage(FILE *out)
{
    const sl_option_t *o = sl_config_options();
    for (const char *form = sl_cli_synopsis(); *form;) {
        size_t len = strcspn(form, "\n");
        fprintf(out, "%s%.*s\n", form == sl_cli_synopsis() ? "Usage: " : "       ", (int)len, form);
        form += len + (form[len] == '\n');
    }
    fputs("Load-tests a SOAP (or any HTTP POST) service at a target rate. SCRIPT.lua builds the\n"
          "requests and may set the defaults of the options that have a setting name (shown\n"
          "as [name]) in its `soapload` table; flags win.\n"
          "\n",
          out);
    /* the flags, then the settings that only a script has */
    for (int k = 0; k < 2 * SL_OPT_COUNT; k++) {
        int i = k % SL_OPT_COUNT;
        if ((o[i].flag == NULL) != (k >= SL_OPT_COUNT))
            continue;
        char head[64];
        int n = o[i].flag == NULL
                    ? snprintf(head, sizeof(head), "  [%s]", o[i].script)
                    : snprintf(head, sizeof(head), "  %c%c%s--%s%s%s", o[i].letter ? '-' : ' ',
                               o[i].letter ? o[i].letter : ' ', o[i].letter ? ", " : "  ",
                               o[i].flag, o[i].arg ? " " : "", o[i].arg ? o[i].arg : "");
        fputs(head, out);
        const char *line = o[i].help;
        for (int first = 1; *line; first = 0) {
            size_t len = strcspn(line, "\n");
            int pad = first && n < HELP_COLUMN ? HELP_COLUMN - n : HELP_COLUMN;
            if (first && n >= HELP_COLUMN)
                fputc('\n', out);
            fprintf(out, "%*s%.*s", pad, "", (int)len, line);
            line += len + (line[len] == '\n');
            if (*line == '\0' && o[i].script != NULL && o[i].flag != NULL)
                fprintf(out, " [%s]", o[i].script);
            fputc('\n', out);
        }
    }
    fputs("\n"
          "Exit codes: 0 every request succeeded (with thresholds: all passed); 1 some failed or\n"
          "were not sent; 2 usage or script error (nothing sent); 3 a threshold failed; 4 a\n"
          "worker died or the accounting did not add up; 130 interrupted.\n",
          out);
}

sl_cli_action_t sl_cli_parse(int argc, char **argv, sl_config_t *cfg, char *err, size_t errlen)
{
    const sl_option_t *o = sl_config_options();
    struct option longopts[SL_OPT_COUNT + 1];
    char letters[2 * SL_OPT_COUNT + 2] = "+"; /* '+': the rest after the script is its own */
    int nlong = 0, c;

    for (int i = 0; i < SL_OPT_COUNT; i++) {
        if (o[i].flag == NULL)
            continue;
        int val = o[i].letter ? o[i].letter : LONG_BASE + (int)o[i].id;
        longopts[nlong++] = (struct option){o[i].flag, has_argument(&o[i]), NULL, val};
        if (o[i].letter) {
            size_t l = strlen(letters);
            letters[l] = o[i].letter;
            letters[l + 1] = takes_value(&o[i]) ? ':' : '\0';
            letters[l + 2] = '\0';
        }
    }
    longopts[nlong] = (struct option){NULL, 0, NULL, 0};

    sl_config_init(cfg);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, letters, longopts, NULL)) != -1) {
        if (c == '?' || c == ':') {
            const char *what = argv[optind - 1];
            /* getopt sets optopt to a known option that lacks its value, else to 0 or the
             * unknown letter */
            int known = optopt >= LONG_BASE ||
                        (optopt > 0 && optopt != ':' && strchr(letters + 1, optopt) != NULL);
            if (known)
                snprintf(err, errlen, "option '%s' needs a value", what);
            else
                snprintf(err, errlen, "unknown option '%s'", what);
            return SL_CLI_ERROR;
        }
        sl_opt_t id = SL_OPT_COUNT;
        for (int i = 0; i < SL_OPT_COUNT && id == SL_OPT_COUNT; i++)
            if (o[i].flag != NULL && (o[i].letter ? o[i].letter : LONG_BASE + (int)o[i].id) == c)
                id = o[i].id;
        if (id == SL_OPT_HELP)
            return SL_CLI_HELP;
        if (id == SL_OPT_VERSION)
            return SL_CLI_VERSION;
        const char *value = optarg;
        /* "[N]": a word of digits after the flag is its value, unless it is the script */
        if (value == NULL && o[id].arg != NULL && !takes_value(&o[id]) && optind + 1 < argc &&
            argv[optind][0] != '\0' && strspn(argv[optind], "0123456789") == strlen(argv[optind]))
            value = argv[optind++];
        if (sl_config_apply(cfg, id, value, SL_FROM_FLAG, err, errlen) != 0)
            return SL_CLI_ERROR;
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
