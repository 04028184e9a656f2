/*
 * reasons_report: the failure reasons and their samples in the summary. The JSON and the HTML
 * report list every reason kept with the whole sample; the summary shows the most frequent.
 */
#include "output/reasons_report.h"

#include <string.h>

const char *sl_reasons_op_name(const sl_config_t *cfg, int op)
{
    if (cfg == NULL || op < 0 || op >= cfg->nops || cfg->op_names[op] == NULL)
        return "";
    return cfg->op_names[op];
}

void sl_reasons_sample_line(const sl_reason_sample_t *s, char *buf, size_t cap)
{
    size_t n = 0, limit = cap - 4 < SL_SAMPLE_SHOWN ? cap - 4 : SL_SAMPLE_SHOWN;
    const unsigned char *p = (const unsigned char *)s->body;
    size_t i = 0;
    const char *prolog_end;
    if (strncmp(s->body, "<?xml", 5) == 0 && (prolog_end = strstr(s->body, "?>")) != NULL)
        i = (size_t)(prolog_end + 2 - s->body); /* the XML declaration says nothing */
    while (p[i] == ' ' || (p[i] < 0x20 && p[i] != '\0') || p[i] == 0x7f)
        i++;
    for (; p[i] != '\0' && n < limit; i++) {
        int space = p[i] == ' ' || p[i] < 0x20 || p[i] == 0x7f;
        if (space && n > 0 && buf[n - 1] == ' ')
            continue;
        buf[n++] = space ? ' ' : (char)p[i];
    }
    if (p[i] != '\0') { /* cut: not inside a UTF-8 sequence */
        while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
            n--;
        if (n > 0 && ((unsigned char)buf[n - 1] & 0x80))
            n--;
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    while (n > 0 && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
}

/* "[Op] " before a reason of an operation */
static void op_prefix(FILE *out, const sl_config_t *cfg, int op)
{
    const char *name = sl_reasons_op_name(cfg, op);
    if (name[0] != '\0')
        fprintf(out, "[%s] ", name);
}

void sl_reasons_report_print(FILE *out, const sl_config_t *cfg, const sl_reasons_t *r)
{
    const sl_reason_t *all[SL_REASONS_MAX];
    int n = sl_reasons_sorted(r, all, SL_REASONS_MAX), samples = 0;
    uint64_t rest = r->other;
    if (n == 0 && rest == 0)
        return;
    fprintf(out, "Top failure reasons\n");
    for (int i = 0; i < n; i++) {
        if (i >= SL_REASONS_SHOWN) {
            rest += all[i]->count;
            continue;
        }
        fprintf(out, "  %-13s %8llu  ", sl_result_name((sl_result_t)all[i]->kind),
                (unsigned long long)all[i]->count);
        op_prefix(out, cfg, all[i]->op);
        fprintf(out, "%s\n", all[i]->text);
        samples += all[i]->has_sample;
    }
    if (rest > 0)
        fprintf(out, "  %-13s %8llu  (%s)\n", "other reasons", (unsigned long long)rest,
                r->other > 0 ? "more distinct reasons than the summary lists or the run keeps"
                             : "see the JSON or HTML report");
    if (samples == 0)
        return;
    fprintf(out,
            "Failure samples (the first response of each reason; --json and --html keep %d "
            "bytes of each)\n",
            SL_REASON_SAMPLE);
    for (int i = 0; i < n && i < SL_REASONS_SHOWN; i++) {
        const sl_reason_t *e = all[i];
        char line[SL_SAMPLE_SHOWN + 8];
        if (!e->has_sample)
            continue;
        fprintf(out, "  %s ", sl_result_name((sl_result_t)e->kind));
        op_prefix(out, cfg, e->op);
        fprintf(out, "%s\n", e->text);
        sl_reasons_sample_line(&e->sample, line, sizeof(line));
        if (e->sample.status == 0)
            fprintf(out, "    libcurl: %s\n", line);
        else
            fprintf(out, "    HTTP %d, %llu bytes%s: %s\n", (int)e->sample.status,
                    (unsigned long long)e->sample.bytes,
                    e->sample.bytes > e->sample.len ? " in all (truncated)" : "",
                    line[0] ? line : "(empty body)");
    }
}
