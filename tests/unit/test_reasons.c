/*
 * test_reasons: the bounded table of failure reasons: counting, cleaning, the bound and its
 * "other reasons", merging (also from bytes), sorting, and the text of SOAP Faults; reasons
 * per operation, their "other reasons" per operation and kind (the counts add up to the
 * failures of each), and their samples (the first body, cut to 2 KB at a UTF-8 boundary).
 */
#include <stdlib.h>

#include "core/reasons.h"
#include "unit.h"

int main(void)
{
    sl_reasons_t *r = calloc(1, sizeof(*r)), *w = calloc(1, sizeof(*w));
    const sl_reason_t *top[SL_REASONS_MAX];
    char buf[256];

    /* counted by (kind, text) */
    sl_reasons_add(r, SL_R_CHECK_FAILED, "CancelOrder check failed", 1);
    sl_reasons_add(r, SL_R_CHECK_FAILED, "CancelOrder check failed", 2);
    sl_reasons_add(r, SL_R_HTTP_STATUS, "CancelOrder check failed", 1);
    sl_reasons_add(r, SL_R_CHECK_FAILED, "  line\none\t", 1);
    sl_reasons_add(r, SL_R_CHECK_FAILED, NULL, 1);
    sl_reasons_add(r, SL_R_CHECK_FAILED, "", 1);
    CHECK_EQ_U(r->n, 4);
    CHECK_EQ_U(r->items[0].count, 3);
    CHECK_STR(r->items[2].text, "line one"); /* one line, trimmed */
    CHECK_STR(r->items[3].text, "(none given)");
    CHECK_EQ_U(r->items[3].count, 2);
    CHECK_EQ_U(sl_reasons_total(r), 7);

    /* long text: cut at a UTF-8 boundary */
    char longtext[400];
    memset(longtext, 'a', sizeof(longtext));
    memcpy(longtext + SL_REASON_TEXT - 2, "\xc3\xa9", 2); /* straddles the cut */
    longtext[sizeof(longtext) - 1] = '\0';
    sl_reasons_add(r, SL_R_CHECK_FAILED, longtext, 1);
    CHECK_EQ_U(strlen(r->items[4].text), SL_REASON_TEXT - 2); /* the lead byte is dropped */
    CHECK_EQ_U(r->items[4].text[SL_REASON_TEXT - 3], 'a');

    /* the bound: the first SL_REASONS_MAX distinct reasons, the rest in other */
    for (int i = 0; i < 100; i++) {
        snprintf(buf, sizeof(buf), "reason %d", i);
        sl_reasons_add(w, SL_R_SOAP_FAULT, buf, (uint64_t)i + 1);
    }
    CHECK_EQ_U(w->n, SL_REASONS_MAX);
    uint64_t kept = 0, other = 0;
    for (int i = 0; i < 100; i++)
        *(i < SL_REASONS_MAX ? &kept : &other) += (uint64_t)i + 1;
    CHECK_EQ_U(w->other, other);
    CHECK_EQ_U(sl_reasons_total(w), kept + other);
    sl_reasons_add(w, SL_R_SOAP_FAULT, "reason 3", 10); /* a kept one still counts */
    CHECK_EQ_U(w->items[3].count, 14);

    /* sorted: most frequent first, ties in the order first seen */
    int n = sl_reasons_sorted(r, top, SL_REASONS_MAX);
    CHECK_EQ_U(n, 5);
    CHECK_STR(top[0]->text, "CancelOrder check failed");
    CHECK_EQ_U(top[0]->kind, SL_R_CHECK_FAILED);
    CHECK_STR(top[1]->text, "(none given)");
    CHECK_EQ_U(top[2]->kind, SL_R_HTTP_STATUS);
    n = sl_reasons_sorted(w, top, 3); /* only the three largest */
    CHECK_EQ_U(n, 3);
    CHECK_STR(top[0]->text, "reason 31");
    CHECK_STR(top[1]->text, "reason 30");
    CHECK_STR(top[2]->text, "reason 29");

    /* merging: equal reasons add up, other adds up, the bound holds */
    sl_reasons_t *m = calloc(1, sizeof(*m));
    sl_reasons_merge(m, r);
    sl_reasons_merge(m, r);
    CHECK_EQ_U(m->n, 5);
    CHECK_EQ_U(m->items[0].count, 6);
    CHECK(sl_reasons_merge_bytes(m, w, sizeof(*w)) == 0);
    CHECK_EQ_U(m->n, SL_REASONS_MAX);
    CHECK_EQ_U(sl_reasons_total(m), 2 * sl_reasons_total(r) + sl_reasons_total(w));
    /* bytes that are not a table are refused, m unchanged */
    uint64_t before = sl_reasons_total(m);
    CHECK(sl_reasons_merge_bytes(m, w, sizeof(*w) - 1) == -1);
    w->n = SL_REASONS_MAX + 1;
    CHECK(sl_reasons_merge_bytes(m, w, sizeof(*w)) == -1);
    w->n = 1;
    w->items[0].kind = SL_R_COUNT;
    CHECK(sl_reasons_merge_bytes(m, w, sizeof(*w)) == -1);
    w->items[0].kind = SL_R_SOAP_FAULT;
    memset(w->items[0].text, 'x', sizeof(w->items[0].text)); /* no NUL */
    CHECK(sl_reasons_merge_bytes(m, w, sizeof(*w)) == -1);
    CHECK_EQ_U(sl_reasons_total(m), before);

    /* SOAP Faults: 1.1 and 1.2, entities decoded */
    static const char f11[] =
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>"
        "<faultcode>s:Server</faultcode><faultstring>Order 7 &amp; 8 locked</faultstring>"
        "</s:Fault></s:Body></s:Envelope>";
    sl_reasons_fault_text(f11, sizeof(f11) - 1, buf, sizeof(buf));
    CHECK_STR(buf, "s:Server: Order 7 & 8 locked");
    static const char f12[] =
        "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body><e:Fault>"
        "<e:Code><e:Value>e:Sender</e:Value></e:Code><e:Reason><e:Text xml:lang=\"en\">bad"
        " input</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>";
    sl_reasons_fault_text(f12, sizeof(f12) - 1, buf, sizeof(buf));
    CHECK_STR(buf, "e:Sender: bad input");
    static const char bare[] = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                               "<s:Body><s:Fault/></s:Body></s:Envelope>";
    sl_reasons_fault_text(bare, sizeof(bare) - 1, buf, sizeof(buf));
    CHECK_STR(buf, "SOAP Fault");
    sl_reasons_fault_text("<a><faultstring>cut", 19, buf, sizeof(buf)); /* not well-formed */
    CHECK(strlen(buf) < sizeof(buf));
    sl_reasons_fault_text(NULL, 0, buf, sizeof(buf));
    CHECK_STR(buf, "SOAP Fault");

    /* per operation: the same reason of two operations is two entries */
    sl_reasons_t *o = calloc(1, sizeof(*o));
    sl_reason_t *e0 = sl_reasons_add_op(o, 0, SL_R_SOAP_FAULT, "s:Server: locked", 2);
    sl_reason_t *e1 = sl_reasons_add_op(o, 1, SL_R_SOAP_FAULT, "s:Server: locked", 3);
    CHECK(e0 != NULL && e1 != NULL && e0 != e1);
    CHECK(sl_reasons_add_op(o, 0, SL_R_SOAP_FAULT, "s:Server: locked", 1) == e0);
    CHECK_EQ_U(e0->count, 3);
    CHECK((e1->op) == (1));
    CHECK(sl_reasons_add_op(o, SL_MAX_OPERATIONS, SL_R_SOAP_FAULT, "x", 1) == NULL);
    CHECK(sl_reasons_add_op(o, -2, SL_R_SOAP_FAULT, "x", 1) == NULL);
    CHECK_EQ_U(sl_reasons_total(o), 6);

    /* samples: the first one stays; cut to 2 KB at a UTF-8 boundary, the size in all kept */
    sl_reasons_sample(e0, 500, "<Fault>first</Fault>", 20, 0);
    sl_reasons_sample(e0, 503, "second", 6, 0);
    CHECK(e0->has_sample);
    CHECK_STR(e0->sample.body, "<Fault>first</Fault>");
    CHECK((e0->sample.status) == (500));
    CHECK_EQ_U(e0->sample.bytes, 20);
    CHECK_EQ_U(e0->sample.len, 20);
    char *big = malloc(5000);
    memset(big, 'b', 5000);
    memcpy(big + SL_REASON_SAMPLE - 1, "\xe2\x82\xac", 3); /* a euro sign across the cut */
    big[10] = '\0';                                        /* a NUL inside: made '?' */
    big[11] = (char)0xff;                                  /* not UTF-8: made '?' */
    sl_reasons_sample(e1, 200, big, 5000, 0);
    CHECK_EQ_U(e1->sample.len, SL_REASON_SAMPLE - 1);
    CHECK_EQ_U(e1->sample.bytes, 5000);
    CHECK_EQ_U(strlen(e1->sample.body), SL_REASON_SAMPLE - 1);
    CHECK(e1->sample.body[10] == '?' && e1->sample.body[11] == '?');
    free(big);
    sl_reason_t *t = sl_reasons_add_op(o, -1, SL_R_CONNECT, "Couldn't connect to server", 1);
    sl_reasons_sample(t, 0, "Failed to connect to 127.0.0.1 port 9: Connection refused", 57, 0);
    CHECK((t->sample.status) == (0));
    CHECK_EQ_U(t->sample.bytes, 57);

    /* the bound with operations: other reasons per operation and kind, counts add up */
    for (int i = 0; i < 100; i++) {
        snprintf(buf, sizeof(buf), "reason %d", i);
        sl_reasons_add_op(o, i % 3 - 1, i % 2 ? SL_R_CHECK_FAILED : SL_R_HTTP_STATUS, buf, 1);
    }
    CHECK_EQ_U(o->n, SL_REASONS_MAX);
    uint64_t want[3][2] = {{0}}; /* [op + 1][check_failed, http_status] */
    for (int i = 0; i < 100; i++)
        want[i % 3][i % 2 ? 0 : 1]++;
    for (int op = -1; op <= 1; op++) {
        CHECK_EQ_U(sl_reasons_count(o, op, SL_R_CHECK_FAILED), want[op + 1][0]);
        CHECK_EQ_U(sl_reasons_count(o, op, SL_R_HTTP_STATUS), want[op + 1][1]);
    }
    CHECK_EQ_U(sl_reasons_count(o, -2, SL_R_CHECK_FAILED), 50);
    CHECK_EQ_U(sl_reasons_count(o, 0, SL_R_SOAP_FAULT), 3);
    CHECK_EQ_U(sl_reasons_total(o), 107);
    CHECK(o->other > 0);

    /* merged through bytes (a worker's message) and with a map of the operations */
    sl_reasons_t *p = calloc(1, sizeof(*p));
    CHECK(sl_reasons_merge_bytes(p, o, sizeof(*o)) == 0);
    CHECK_EQ_U(sl_reasons_total(p), 107);
    CHECK_STR(p->items[0].sample.body, "<Fault>first</Fault>");
    int map[SL_MAX_OPERATIONS] = {1, 0};
    sl_reasons_merge_map(p, o, map); /* the operations swapped: 0 is 1 and 1 is 0 */
    CHECK_EQ_U(sl_reasons_total(p), 214);
    CHECK_EQ_U(sl_reasons_count(p, 0, SL_R_SOAP_FAULT), 3 + 3);
    CHECK_EQ_U(sl_reasons_count(p, 0, SL_R_CHECK_FAILED), want[1][0] + want[2][0]);
    CHECK_EQ_U(sl_reasons_count(p, -1, SL_R_HTTP_STATUS), 2 * want[0][1]);
    CHECK_STR(p->items[0].sample.body, "<Fault>first</Fault>"); /* the first sample stays */
    /* a message whose other reasons do not add up, or a sample without its NUL, is refused */
    o->other++;
    CHECK(sl_reasons_merge_bytes(p, o, sizeof(*o)) == -1);
    o->other--;
    e0->sample.body[e0->sample.len] = 'x';
    CHECK(sl_reasons_merge_bytes(p, o, sizeof(*o)) == -1);
    CHECK_EQ_U(sl_reasons_total(p), 214);

    free(o);
    free(p);
    free(r);
    free(w);
    free(m);
    return check_report();
}
