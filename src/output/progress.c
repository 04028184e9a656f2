/*
 * progress: the parent prints it from its own loop; workers are not involved, so the pacing
 * cannot feel it.
 */
#include "output/progress.h"

#include <string.h>
#include <unistd.h>

#include "core/duration.h"
#include "core/load.h"

/* The open model's target for one second: this segment's share of the schedule's. */
static double second_target(const sl_config_t *cfg, uint64_t second)
{
    return sl_load_target(cfg, second);
}

int sl_progress_init(sl_progress_t *p, const sl_config_t *cfg, FILE *out)
{
    memset(p, 0, sizeof(*p));
    p->out = out;
    p->cfg = cfg;
    p->tty = isatty(fileno(out));
    if (cfg->quiet || cfg->progress == SL_PROGRESS_NEVER)
        return 0;
    return cfg->progress == SL_PROGRESS_ALWAYS || p->tty;
}

void sl_progress_second(const sl_second_t *s, void *data)
{
    sl_progress_t *p = data;
    const sl_counts_t *c = &s->counts;
    uint64_t total_s = (p->cfg->duration_ns + 999999999ULL) / 1000000000ULL;
    char bar[21], p99[32], rate[48];
    int filled = total_s ? (int)((s->second + 1) * 20 / total_s) : 20;
    if (filled > 20)
        filled = 20;
    memset(bar, '#', (size_t)filled);
    memset(bar + filled, '-', (size_t)(20 - filled));
    bar[20] = '\0';
    p->errors += sl_counts_failed(c) + c->not_sent + c->script_errors_before_send;
    if (s->completed)
        sl_duration_format_us((double)s->p99, p99, sizeof(p99));
    else
        snprintf(p99, sizeof(p99), "-");
    if (p->cfg->closed)
        snprintf(rate, sizeof(rate), "%llu req/s", (unsigned long long)c->sent);
    else
        snprintf(rate, sizeof(rate), "%llu/%.0f req/s", (unsigned long long)c->sent,
                 second_target(p->cfg, s->second));
    /* the seconds past the duration only wait for the last answers */
    int finishing = s->second + 1 > total_s;
    fprintf(p->out, "%s%4llu/%llus [%s] %s, in flight %llu, errors %llu, p99 %s%s%s",
            p->tty ? "\r\033[K" : "", (unsigned long long)(finishing ? total_s : s->second + 1),
            (unsigned long long)total_s, bar, rate, (unsigned long long)s->in_flight_max,
            (unsigned long long)p->errors, p99, finishing ? " (finishing)" : "",
            p->tty ? "" : "\n");
    fflush(p->out);
    p->drawn = p->tty;
}

void sl_progress_finish(sl_progress_t *p)
{
    if (p->drawn)
        fputc('\n', p->out);
    p->drawn = 0;
}
