/*
 * duration: parsing and printing of durations and sizes.
 */
#include "core/duration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sl_duration_parse(const char *s, uint64_t *ns)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}, {"", 1e9}};
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v <= 0 || s[0] == '-' || s[0] == '+' || s[0] == ' ')
        return -1;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(end, units[i].unit) == 0) {
            double total = v * units[i].ns;
            if (total < 1 || total > 1e18)
                return -1;
            *ns = (uint64_t)llround(total);
            return 0;
        }
    }
    return -1;
}

int sl_size_parse(const char *s, uint64_t *bytes)
{
    char *end;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (*end != '\0' || v == 0 || v > (1ULL << 40) >> shift)
        return -1;
    *bytes = v << shift;
    return 0;
}

void sl_duration_format_us(double us, char *buf, size_t cap)
{
    if (us < 1000)
        snprintf(buf, cap, "%.0fus", us);
    else if (us < 1e6)
        snprintf(buf, cap, "%.2fms", us / 1e3);
    else
        snprintf(buf, cap, "%.2fs", us / 1e6);
}

int sl_flag_parse(const char *s, int *on)
{
    if (s == NULL || strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcmp(s, "on") == 0)
        *on = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0 || strcmp(s, "off") == 0)
        *on = 0;
    else
        return -1;
    return 0;
}
