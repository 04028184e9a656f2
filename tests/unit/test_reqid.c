/*
 * test_reqid: the request ID's format and parse as one pair: P<pid>-R<seq> and a segment's
 * S<I>-P<pid>-R<seq>, each read back as written (the largest numbers too), and what is not
 * an ID soapload makes refused.
 */
#include <limits.h>
#include <stdint.h>

#include "core/reqid.h"
#include "unit.h"

/* id formatted and parsed back: the same text and parts. */
static void round_trip(sl_reqid_t id, const char *want)
{
    char buf[SL_REQID_MAX];
    sl_reqid_t back = {.segmented = -1, .segment = -1, .pid = -1, .seq = 0};
    CHECK_EQ_U(sl_reqid_format(&id, buf, sizeof(buf)), strlen(want));
    CHECK_STR(buf, want);
    CHECK(sl_reqid_parse(buf, &back) == 0);
    CHECK_EQ_U(back.segmented, id.segmented);
    CHECK_EQ_U(back.segment, id.segmented ? id.segment : 0);
    CHECK_EQ_U(back.pid, id.pid);
    CHECK_EQ_U(back.seq, id.seq);
}

static int refused(const char *text)
{
    sl_reqid_t id;
    if (sl_reqid_parse(text, &id) == 0) {
        fprintf(stderr, "accepted: \"%s\"\n", text);
        return 0;
    }
    return 1;
}

int main(void)
{
    char buf[SL_REQID_MAX];
    sl_reqid_t seg = {.segmented = 1, .segment = 3, .pid = 42, .seq = 7};
    sl_reqid_t plain = {.segmented = 0, .segment = 3, .pid = 42, .seq = 7};

    /* the prefix a worker makes once, and each request's digits after it */
    CHECK_EQ_U(sl_reqid_prefix(&seg, buf, sizeof(buf)), 8);
    CHECK_STR(buf, "S3-P42-R");
    CHECK_EQ_U(sl_reqid_prefix(&plain, buf, sizeof(buf)), 5);
    CHECK_STR(buf, "P42-R");
    size_t n = sl_reqid_append_seq(buf, 5, 1234567);
    buf[n] = '\0';
    CHECK_STR(buf, "P42-R1234567");
    n = sl_reqid_append_seq(buf, 5, 0);
    buf[n] = '\0';
    CHECK_STR(buf, "P42-R0");
    CHECK(sl_reqid_prefix(&seg, buf, 4) >= 4); /* cut: as snprintf says */
    CHECK_STR(buf, "S3-");

    /* the round trip */
    round_trip(plain, "P42-R7");
    round_trip(seg, "S3-P42-R7");
    round_trip((sl_reqid_t){.segmented = 1, .segment = 0, .pid = 1, .seq = 1}, "S0-P1-R1");
    round_trip((sl_reqid_t){.segmented = 1, .segment = INT_MAX, .pid = INT_MAX, .seq = UINT64_MAX},
               "S2147483647-P2147483647-R18446744073709551615");
    round_trip((sl_reqid_t){.segmented = 0, .pid = 4194304, .seq = 1000000}, "P4194304-R1000000");

    /* too small a buffer: nothing */
    CHECK_EQ_U(sl_reqid_format(&seg, buf, 9), 0);
    CHECK_STR(buf, "");
    CHECK_EQ_U(sl_reqid_format(&seg, buf, 10), 9);
    CHECK_STR(buf, "S3-P42-R7");

    /* what is not an ID soapload makes */
    CHECK(refused(""));
    CHECK(refused("P"));
    CHECK(refused("R1"));
    CHECK(refused("P-R1"));
    CHECK(refused("P1-R"));
    CHECK(refused("P1-R1x"));
    CHECK(refused("P1-R1-"));
    CHECK(refused("P1--R1"));
    CHECK(refused("P1R1"));
    CHECK(refused(" P1-R1"));
    CHECK(refused("p1-r1"));
    CHECK(refused("S-P1-R1"));
    CHECK(refused("S1P1-R1"));
    CHECK(refused("S1-1-R1"));
    CHECK(refused("s1-P1-R1"));
    CHECK(refused("S+1-P1-R1"));
    CHECK(refused("S1-P 1-R1"));
    CHECK(refused("S1-P-5-R1"));
    CHECK(refused("S1-P1-R+1"));
    CHECK(refused("S1-S1-P1-R1"));
    CHECK(refused("S2147483648-P1-R1"));              /* I past INT_MAX */
    CHECK(refused("P2147483648-R1"));                 /* pid past INT_MAX */
    CHECK(refused("P1-R18446744073709551616"));       /* seq past 2^64 - 1 */
    CHECK(refused("P1-R99999999999999999999999999")); /* far past */
    CHECK(refused("order-17"));                       /* a script's own */
    return check_report();
}
