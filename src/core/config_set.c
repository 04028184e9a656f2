/*
 * config_set: each setter parses one value and checks it against the bounds of its option's
 * table entry; what a bad value should have been is the entry's `want`, its {min} and {max}
 * written from those same bounds.
 */
#include "core/config_set.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/duration.h"
#include "core/segment.h"

#define FIELD(c, o, type) ((type *)(void *)((char *)(c) + (o)->field))
#define NS_PER_S 1000000000ULL

/* ---- what a bad value should have been ------------------------------------------------- */

/* A bound as a duration: in the largest unit that holds it whole (1h, 10ms). */
static void format_duration(double ns, char *buf, size_t cap)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"h", 3600e9}, {"m", 60e9}, {"s", 1e9}, {"ms", 1e6}, {"us", 1e3}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (ns > 0 && fmod(ns, units[i].ns) == 0) {
            snprintf(buf, cap, "%.0f%s", ns / units[i].ns, units[i].unit);
            return;
        }
    snprintf(buf, cap, "%.0fns", ns);
}

/* A bound as a size: in the largest unit that holds it whole (1m, 64k). */
static void format_size(double bytes, char *buf, size_t cap)
{
    const char *units = "gmk";
    for (int i = 0; i < 3; i++) {
        double unit = (double)(1ULL << (10 * (3 - i)));
        if (bytes > 0 && fmod(bytes, unit) == 0) {
            snprintf(buf, cap, "%.0f%c", bytes / unit, units[i]);
            return;
        }
    }
    snprintf(buf, cap, "%.0f", bytes);
}

static void format_number(double v, char *buf, size_t cap)
{
    snprintf(buf, cap, v == floor(v) && fabs(v) < 1e17 ? "%.0f" : "%g", v);
}

/* Writes "it wants " and `tmpl` (o->want if NULL) with {min} and {max} in the bound's unit
 * into why. Returns -1, for a setter to return. */
static int wants_as(const sl_option_t *o, const char *tmpl, void (*format)(double, char *, size_t),
                    char *why, size_t whylen)
{
    char lo[32], hi[32];
    size_t n = (size_t)snprintf(why, whylen, "it wants ");
    format(o->min, lo, sizeof(lo));
    format(o->max, hi, sizeof(hi));
    for (const char *p = tmpl ? tmpl : o->want; *p != '\0' && n + 1 < whylen;) {
        const char *bound = strncmp(p, "{min}", 5) == 0   ? lo
                            : strncmp(p, "{max}", 5) == 0 ? hi
                                                          : NULL;
        if (bound != NULL) {
            n += (size_t)snprintf(why + n, whylen - n, "%s", bound);
            p += 5;
        } else {
            why[n++] = *p++;
            why[n] = '\0';
        }
    }
    return -1;
}

static int wants(const sl_option_t *o, char *why, size_t whylen)
{
    return wants_as(o, NULL, format_number, why, whylen);
}

/* ---- parsers of single values ----------------------------------------------------------- */

/* "0", "0ms", "0.0us"...: a zero duration, which sl_duration_parse refuses. */
static int is_zero_duration(const char *s)
{
    char *end;
    if (s[0] < '0' || s[0] > '9' || strtod(s, &end) != 0)
        return 0;
    return strcmp(end, "") == 0 || strcmp(end, "us") == 0 || strcmp(end, "ms") == 0 ||
           strcmp(end, "s") == 0;
}

static int parse_count(const char *s, double min, double max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

/* A rate (sl_profile_rate_ok), followed by `sep`: "A" of "A:B" when `sep` is ':'. */
static int parse_rate(const char *s, char sep, double *out, char **end)
{
    double v = strtod(s, end);
    if (*end == s || **end != sep || !sl_profile_rate_ok(v))
        return -1;
    *out = v;
    return 0;
}

/* Whether each number in s is followed by a unit: a bare number is milliseconds in a delay but
 * seconds in --duration, so a think time asks for the unit. */
static int every_number_has_unit(const char *s)
{
    for (size_t i = 0; s[i] != '\0'; i++) {
        int in_number = (s[i] >= '0' && s[i] <= '9') || s[i] == '.';
        int next_in = (s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == '.';
        if (in_number && !next_in && !(s[i + 1] >= 'a' && s[i + 1] <= 'z'))
            return 0;
    }
    return s[0] != '\0';
}

/* "Name: value" with a token for a name and no line break anywhere. */
static int valid_header(const char *h)
{
    const char *colon = strchr(h, ':');
    if (colon == NULL || colon == h)
        return 0;
    for (const char *p = h; p < colon; p++)
        if (*p <= ' ' || *p >= 127)
            return 0;
    return strpbrk(h, "\r\n") == NULL;
}

/* "IPv4:PORT" or "[IPv6]:PORT", port 0 to 65535: where --metrics listens. A host name is
 * refused: what would listen must not depend on a resolver. */
static int valid_listen_address(const char *s)
{
    char host[INET6_ADDRSTRLEN + 2], bin[sizeof(struct in6_addr)];
    const char *colon = strrchr(s, ':');
    size_t hlen = colon ? (size_t)(colon - s) : 0;
    if (colon == NULL || hlen == 0 || hlen >= sizeof(host) || colon[1] == '\0' ||
        strlen(colon + 1) > 5 || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
        atol(colon + 1) > 65535)
        return 0;
    if (s[0] == '[') {
        if (hlen < 3 || s[hlen - 1] != ']')
            return 0;
        memcpy(host, s + 1, hlen - 2);
        host[hlen - 2] = '\0';
        return inet_pton(AF_INET6, host, bin) == 1;
    }
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    return inet_pton(AF_INET, host, bin) == 1;
}

/* HOST:PORT:ADDR, as libcurl's CURLOPT_RESOLVE takes it (ADDR may be [v6] or a list). */
static int valid_resolve(const char *s)
{
    const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c1 == NULL || c2 == NULL || c1 == s || c2[1] == '\0' || strpbrk(s, " \t\r\n") != NULL)
        return 0;
    long port = 0;
    for (const char *p = c1 + 1; p < c2; p++) {
        if (*p < '0' || *p > '9' || port > 65535)
            return 0;
        port = port * 10 + (*p - '0');
    }
    return port >= 1 && port <= 65535;
}

/* Replaces *slot with a copy of s. */
static int set_string(char **slot, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

/* Adds a copy of s to a list whose first `*scripted` entries came from the script: a script's
 * entry goes after the script's others and before the flags', which add to them. */
static int add_to_list(char **list, int *n, int *scripted, int cap, const char *s,
                       sl_source_t source)
{
    if (*n == cap)
        return -1;
    char *copy = strdup(s);
    if (copy == NULL)
        return -1;
    int at = source == SL_FROM_SCRIPT ? (*scripted)++ : *n;
    memmove(list + at + 1, list + at, (size_t)(*n - at) * sizeof(*list));
    list[at] = copy;
    (*n)++;
    return 0;
}

/* ---- typed setters ---------------------------------------------------------------------- */

int sl_config_set_count(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                        char *why, size_t whylen)
{
    (void)source;
    return parse_count(value, o->min, o->max, FIELD(c, o, int)) == 0 ? 0 : wants(o, why, whylen);
}

int sl_config_set_duration(sl_config_t *c, const sl_option_t *o, const char *value,
                           sl_source_t source, char *why, size_t whylen)
{
    uint64_t ns;
    (void)source;
    if (o->min == 0 && is_zero_duration(value))
        ns = 0;
    else if (sl_duration_parse(value, &ns) != 0 || (o->max > 0 && (double)ns > o->max))
        return wants_as(o, NULL, format_duration, why, whylen);
    *FIELD(c, o, uint64_t) = ns;
    return 0;
}

int sl_config_set_size(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen)
{
    uint64_t bytes;
    (void)source;
    if (sl_size_parse(value, &bytes) != 0 || (double)bytes < o->min)
        return wants_as(o, NULL, format_size, why, whylen);
    *FIELD(c, o, uint64_t) = bytes;
    return 0;
}

int sl_config_set_string(sl_config_t *c, const sl_option_t *o, const char *value,
                         sl_source_t source, char *why, size_t whylen)
{
    (void)source;
    if ((double)strlen(value) < o->min || set_string(FIELD(c, o, char *), value) != 0)
        return wants(o, why, whylen);
    return 0;
}

int sl_config_set_choice(sl_config_t *c, const sl_option_t *o, const char *value,
                         sl_source_t source, char *why, size_t whylen)
{
    size_t len = strlen(value);
    (void)source;
    for (const char *w = o->choices; *w != '\0'; w += strcspn(w, "|"), w += *w == '|') {
        if (strncmp(w, value, len) == 0 && (w[len] == '|' || w[len] == '\0')) {
            int index = 0;
            for (const char *p = o->choices; p < w; p++)
                index += *p == '|';
            *FIELD(c, o, int) = (int)o->min + index;
            return 0;
        }
    }
    return wants(o, why, whylen);
}

int sl_config_set_flag(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen)
{
    (void)source;
    return sl_flag_parse(value, FIELD(c, o, int)) == 0 ? 0 : wants(o, why, whylen);
}

int sl_config_set_on(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                     char *why, size_t whylen)
{
    (void)value, (void)source, (void)why, (void)whylen;
    *FIELD(c, o, int) = 1;
    return 0;
}

int sl_config_set_none(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen)
{
    (void)c, (void)value, (void)source;
    return wants(o, why, whylen);
}

/* ---- the setters of single options ------------------------------------------------------ */

int sl_config_set_rate(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen)
{
    char *end;
    (void)source;
    c->ramp = strchr(value, ':') != NULL;
    if (!c->ramp) {
        if (parse_rate(value, '\0', &c->rate, &end) != 0 || c->rate <= 0)
            return wants(o, why, whylen);
        return 0;
    }
    if (parse_rate(value, ':', &c->rate, &end) != 0 ||
        parse_rate(end + 1, '\0', &c->rate_end, &end) != 0 || (c->rate == 0 && c->rate_end == 0))
        return wants_as(o, "A:B, two rates from 0 to {max} requests per second, not both 0",
                        format_number, why, whylen);
    return 0;
}

int sl_config_set_send_window(sl_config_t *c, const sl_option_t *o, const char *value,
                              sl_source_t source, char *why, size_t whylen)
{
    if (sl_config_set_duration(c, o, value, source, why, whylen) != 0)
        return -1;
    if (c->send_window_ns > 0 && NS_PER_S % c->send_window_ns != 0)
        return wants_as(o, NULL, format_duration, why, whylen);
    return 0;
}

int sl_config_set_think(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                        char *why, size_t whylen)
{
    char unused[256];
    (void)source;
    if (!every_number_has_unit(value) ||
        sl_delay_parse(value, &c->think, unused, sizeof(unused)) != 0)
        return wants(o, why, whylen);
    c->has_think = 1;
    return 0;
}

int sl_config_set_header(sl_config_t *c, const sl_option_t *o, const char *value,
                         sl_source_t source, char *why, size_t whylen)
{
    if (!valid_header(value))
        return wants(o, why, whylen);
    if (add_to_list(c->headers, &c->nheaders, &c->headers_scripted, (int)o->max, value, source))
        return wants_as(o, "at most {max} headers in all", format_number, why, whylen);
    return 0;
}

int sl_config_set_threshold(sl_config_t *c, const sl_option_t *o, const char *value,
                            sl_source_t source, char *why, size_t whylen)
{
    if (add_to_list(c->checks, &c->nchecks, &c->checks_scripted, (int)o->max, value, source))
        return wants(o, why, whylen);
    return 0;
}

int sl_config_set_resolve(sl_config_t *c, const sl_option_t *o, const char *value,
                          sl_source_t source, char *why, size_t whylen)
{
    if (!valid_resolve(value))
        return wants(o, why, whylen);
    if (add_to_list(c->resolve, &c->nresolve, &c->resolve_scripted, (int)o->max, value, source))
        return wants_as(o, "at most {max} --resolve entries", format_number, why, whylen);
    return 0;
}

int sl_config_set_id_element(sl_config_t *c, const sl_option_t *o, const char *value,
                             sl_source_t source, char *why, size_t whylen)
{
    (void)source;
    if (value[0] == '\0' || strpbrk(value, " <>&:\"'\t\r\n") != NULL ||
        (double)strlen(value) > o->max || set_string(&c->id_element, value) != 0)
        return wants(o, why, whylen);
    return 0;
}

int sl_config_set_validate(sl_config_t *c, const sl_option_t *o, const char *value,
                           sl_source_t source, char *why, size_t whylen)
{
    char *end;
    (void)source;
    if (strcmp(value, "schema") == 0) {
        c->validate_pct = o->max;
        return 0;
    }
    if (strncmp(value, "schema:", 7) != 0)
        return wants(o, why, whylen);
    errno = 0;
    double v = strtod(value + 7, &end);
    if (errno != 0 || end == value + 7 || strcmp(end, "%") != 0 || !(v >= o->min && v <= o->max))
        return wants(o, why, whylen);
    c->validate_pct = v;
    return 0;
}

int sl_config_set_seed(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen)
{
    char *end;
    (void)source;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (end == value || *end != '\0' || errno != 0 || value[0] == '-' || v == 0 ||
        v > (unsigned long long)o->max)
        return wants(o, why, whylen);
    c->seed = v;
    return 0;
}

int sl_config_set_segment(sl_config_t *c, const sl_option_t *o, const char *value,
                          sl_source_t source, char *why, size_t whylen)
{
    (void)source;
    if (sl_segment_parse(value, &c->segment, &c->nsegments) != 0)
        return wants(o, why, whylen);
    return 0;
}

int sl_config_set_start_at(sl_config_t *c, const sl_option_t *o, const char *value,
                           sl_source_t source, char *why, size_t whylen)
{
    struct timespec now;
    (void)source;
    clock_gettime(CLOCK_REALTIME, &now);
    if (sl_segment_parse_time(value, &c->start_at_us) != 0)
        return wants(o, why, whylen);
    return sl_segment_check_start(c->start_at_us,
                                  (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000, why, whylen);
}

int sl_config_set_wsse(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                       char *why, size_t whylen)
{
    (void)source;
    const char *want =
        sl_wsse_opts_set(&c->wsse, (sl_wsse_set_t)(o->id - SL_OPT_WSSE_SIGN_CERT), value);
    if (want == NULL)
        return 0;
    snprintf(why, whylen, "it wants %s", want);
    return -1;
}

int sl_config_set_json_to(sl_config_t *c, const sl_option_t *o, const char *value,
                          sl_source_t source, char *why, size_t whylen)
{
    (void)source;
    if ((strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) ||
        strpbrk(value, " \t\r\n") != NULL || set_string(&c->json_to, value) != 0)
        return wants(o, why, whylen);
    return 0;
}

int sl_config_set_abort(sl_config_t *c, const sl_option_t *o, const char *value, sl_source_t source,
                        char *why, size_t whylen)
{
    c->abort_on_fail = 1;
    if (sl_config_set_duration(c, o, value, source, why, whylen) != 0 ||
        c->abort_after_ns % NS_PER_S != 0)
        return wants_as(o, NULL, format_duration, why, whylen);
    return 0;
}

int sl_config_set_metrics(sl_config_t *c, const sl_option_t *o, const char *value,
                          sl_source_t source, char *why, size_t whylen)
{
    (void)source;
    if (!valid_listen_address(value) || set_string(&c->metrics_addr, value) != 0)
        return wants(o, why, whylen);
    return 0;
}

int sl_config_set_dry_run(sl_config_t *c, const sl_option_t *o, const char *value,
                          sl_source_t source, char *why, size_t whylen)
{
    if (value == NULL) {
        c->dry_run = SL_DRY_RUN_DEFAULT;
        return 0;
    }
    return sl_config_set_count(c, o, value, source, why, whylen);
}
