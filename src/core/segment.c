/*
 * segment: the split of the one global schedule, in one place: (j * nworkers + w) is the
 * index within the segment, times N plus I the global index.
 */
#include "core/segment.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/schedule.h"

static int parse_int(const char *s, const char *end, long lo, long hi, long *out)
{
    long v = 0;
    if (s == end || end - s > 9)
        return -1;
    for (const char *p = s; p < end; p++) {
        if (!isdigit((unsigned char)*p))
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int sl_segment_parse(const char *s, int *index, int *count)
{
    const char *slash = strchr(s, '/');
    long i, n;
    if (slash == NULL || parse_int(s, slash, 0, SL_MAX_SEGMENTS, &i) != 0 ||
        parse_int(slash + 1, slash + strlen(slash), 1, SL_MAX_SEGMENTS, &n) != 0 || i >= n)
        return -1;
    *index = (int)i;
    *count = (int)n;
    return 0;
}

uint64_t sl_segment_global_index(uint64_t s, int i, int n)
{
    return n <= 1 ? s : s * (uint64_t)n + (uint64_t)i;
}

uint64_t sl_segment_request_index(const sl_config_t *cfg, uint64_t j, int w, int nworkers)
{
    return sl_segment_global_index(sl_schedule_global_index(j, w, nworkers), cfg->segment,
                                   cfg->nsegments);
}

uint64_t sl_segment_count(uint64_t total, int i, int n)
{
    return n <= 1 ? total : sl_schedule_worker_count(total, i, n);
}

uint64_t sl_segment_worker_count(const sl_config_t *cfg, uint64_t total, int w, int nworkers)
{
    return sl_schedule_worker_count(sl_segment_count(total, cfg->segment, cfg->nsegments), w,
                                    nworkers);
}

int sl_segment_connections(int total, int i, int n)
{
    return total / n + (i < total % n);
}

uint64_t sl_segment_shared_seed(int64_t start_us)
{
    uint64_t x = (uint64_t)start_us + 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x = (x ^ (x >> 31)) & SL_MAX_SEED;
    return x != 0 ? x : 1;
}

/* "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" ('t', ' ' and 'z' too, as RFC 3339 allows). */
static int parse_rfc3339(const char *s, int64_t *us)
{
    long y, mo, d, h, mi, sec, zh = 0, zm = 0, frac = 0, scale = 1000000;
    if (strlen(s) < 20 || parse_int(s, s + 4, 1970, 9999, &y) || s[4] != '-' ||
        parse_int(s + 5, s + 7, 1, 12, &mo) || s[7] != '-' || parse_int(s + 8, s + 10, 1, 31, &d) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || parse_int(s + 11, s + 13, 0, 23, &h) ||
        s[13] != ':' || parse_int(s + 14, s + 16, 0, 59, &mi) || s[16] != ':' ||
        parse_int(s + 17, s + 19, 0, 60, &sec))
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        const char *q = ++p;
        while (isdigit((unsigned char)*q))
            q++;
        if (q == p)
            return -1;
        for (const char *r = p; r < q && r < p + 6; r++) {
            frac = frac * 10 + (*r - '0');
            scale /= 10;
        }
        frac *= scale;
        p = q;
    }
    int sign = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        sign = 0;
    else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
             parse_int(p + 1, p + 3, 0, 23, &zh) == 0 && parse_int(p + 4, p + 6, 0, 59, &zm) == 0)
        sign = *p == '+' ? 1 : -1;
    else
        return -1;
    struct tm tm = {.tm_year = (int)y - 1900,
                    .tm_mon = (int)mo - 1,
                    .tm_mday = (int)d,
                    .tm_hour = (int)h,
                    .tm_min = (int)mi,
                    .tm_sec = (int)sec};
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != (int)d) /* timegm normalizes Feb 30 into March */
        return -1;
    *us = ((int64_t)t - sign * (zh * 3600 + zm * 60)) * 1000000 + frac;
    return 0;
}

int sl_segment_parse_time(const char *s, int64_t *us)
{
    if (strchr(s, '-') != NULL && strlen(s) >= 20)
        return parse_rfc3339(s, us);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isdigit((unsigned char)s[0]) || !(v < 1e11))
        return -1;
    *us = (int64_t)(v * 1e6 + 0.5);
    return 0;
}

int sl_segment_check_start(int64_t start_us, int64_t now_us, char *err, size_t errlen)
{
    if (start_us <= now_us) {
        snprintf(err, errlen, "it is %.3f s in the past: give a time ahead of now",
                 (double)(now_us - start_us) / 1e6);
        return -1;
    }
    if (start_us - now_us > SL_MAX_START_AHEAD_US) {
        snprintf(err, errlen, "it is %.1f h ahead: at most 24 h ahead is accepted (a wrong date?)",
                 (double)(start_us - now_us) / 3.6e9);
        return -1;
    }
    return 0;
}
