/*
 * wsse_report: the cost of signing, printed and in JSON (see wsse_report.h).
 */
#include "output/wsse_report.h"

/* CPU microseconds per signed request. */
static double cpu_us_per_request(const sl_counts_t *c)
{
    return c->wsse_signed > 0 ? (double)c->wsse_sign_cpu_ns / 1e3 / (double)c->wsse_signed : 0;
}

void sl_wsse_report_print(FILE *out, const sl_config_t *cfg, const sl_counts_t *c)
{
    if (!sl_wsse_opts_signing(&cfg->wsse))
        return;
    fprintf(out,
            "WS-Security     %llu requests signed (%s, key by %s), %.0f us of worker CPU per "
            "signature\n",
            (unsigned long long)c->wsse_signed, sl_wsse_opts_alg_name(cfg->wsse.alg),
            sl_wsse_opts_ref_name(cfg->wsse.key_ref), cpu_us_per_request(c));
}

void sl_wsse_report_json(FILE *out, const sl_config_t *cfg, const sl_counts_t *c)
{
    if (!sl_wsse_opts_signing(&cfg->wsse))
        return;
    fprintf(out,
            "  \"wsse\": {\"signed\": %llu, \"alg\": \"%s\", \"key_ref\": \"%s\", "
            "\"sign_cpu_s\": %.6f, \"sign_cpu_us_per_request\": %.3f},\n",
            (unsigned long long)c->wsse_signed, sl_wsse_opts_alg_name(cfg->wsse.alg),
            sl_wsse_opts_ref_name(cfg->wsse.key_ref), (double)c->wsse_sign_cpu_ns / 1e9,
            cpu_us_per_request(c));
}
