/*
 * reqid: the ID soapload gives a request, [S<I>-]P<pid>-R<seq>: its format and its parse,
 * one pair (see reqid.h).
 */
#include "core/reqid.h"

#include <limits.h>
#include <stdio.h>

size_t sl_reqid_prefix(const sl_reqid_t *id, char *buf, size_t cap)
{
    int n = id->segmented ? snprintf(buf, cap, "S%d-P%d-R", id->segment, id->pid)
                          : snprintf(buf, cap, "P%d-R", id->pid);
    return n < 0 ? 0 : (size_t)n;
}

size_t sl_reqid_append_seq(char *buf, size_t len, uint64_t seq)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + seq % 10);
        seq /= 10;
    } while (seq > 0);
    for (int i = 0; i < n; i++)
        buf[len + (size_t)i] = digits[n - 1 - i];
    return len + (size_t)n;
}

size_t sl_reqid_format(const sl_reqid_t *id, char *buf, size_t cap)
{
    char tmp[SL_REQID_MAX];
    size_t n = sl_reqid_prefix(id, tmp, sizeof(tmp));
    n = sl_reqid_append_seq(tmp, n, id->seq);
    if (cap == 0)
        return 0;
    if (n >= cap) {
        buf[0] = '\0';
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[i];
    buf[n] = '\0';
    return n;
}

/* The decimal number at *p (one digit at least, no sign) up to max into *out, *p moved past
 * it. Returns 0, or -1. */
static int number(const char **p, uint64_t max, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *p = s;
    *out = v;
    return 0;
}

/* Each test stops at the first byte that differs, so none reads past text's NUL. */
int sl_reqid_parse(const char *text, sl_reqid_t *id)
{
    const char *p = text;
    uint64_t seg = 0, pid;
    id->segmented = 0;
    if (*p == 'S') { /* a segment's */
        p++;
        if (number(&p, INT_MAX, &seg) != 0 || *p++ != '-')
            return -1;
        id->segmented = 1;
    }
    if (*p++ != 'P' || number(&p, INT_MAX, &pid) != 0 || *p++ != '-' || *p++ != 'R' ||
        number(&p, UINT64_MAX, &id->seq) != 0 || *p != '\0')
        return -1;
    id->segment = (int)seg;
    id->pid = (int)pid;
    return 0;
}
