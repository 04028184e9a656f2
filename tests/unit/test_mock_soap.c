/*
 * test_mock_soap: the mock's library without a server: the echo contract (statuses, versions,
 * faults), the counters and the bounded ID set, and the option table.
 */
#include <getopt.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "options.h"
#include "soap.h"
#include "stats.h"
#include "mtom.h"
#include "wsse.h"
#include "core/xsdtime.h"

static char buf[SL_SOAP_REPLY_CAP + 1];
static const sl_span_t rid = {"RequestId", 9};

static sl_soap_reply_t answer(const char *ct, const char *body, int inject)
{
    sl_soap_reply_t r;
    sl_soap_answer(ct, strlen(ct), body, strlen(body), rid, NULL, inject, &r, buf);
    buf[r.body_len] = '\0';
    return r;
}

#define REQ(ns, id)                                                                                \
    "<s:Envelope xmlns:s=\"" ns                                                                    \
    "\"><s:Body><e:Echo xmlns:e=\"urn:soapload:echo\"><e:RequestId>" id                            \
    "</e:RequestId></e:Echo></s:Body></s:Envelope>"

static void record_id(sl_stats_t *st, int t, const char *prefix, int i)
{
    char id[32];
    int n = snprintf(id, sizeof(id), "%s%d", prefix, i);
    sl_stats_record(st, t, SL_OUT_ECHO, 100, 0, id, (size_t)n);
}

/* The set keeps what fits under the ceiling, still catches repeats of what it holds, and says
 * how many IDs it could not keep; received = distinct + duplicates + untracked. */
static void test_id_set(void)
{
    char err[256], json[2048];
    sl_stats_config_t cfg = {.threads = 2, .id_memory = 64 * 1024};
    sl_stats_snapshot_t s;
    sl_stats_t *st = sl_stats_create(&cfg, err, sizeof(err));
    CHECK(st != NULL);
    for (int i = 0; i < 100; i++)
        record_id(st, 0, "EARLY-", i);
    sl_stats_read(st, &s);
    CHECK_STR(s.tracking, "exact");
    CHECK_EQ_U(s.distinct, 100);
    for (int i = 0; i < 20000; i++)
        record_id(st, 1, "FILL-", i);
    for (int i = 0; i < 100; i++)
        record_id(st, 0, "EARLY-", i);
    sl_stats_read(st, &s);
    CHECK_EQ_U(s.ids, 20200);
    CHECK_EQ_U(s.by_outcome[SL_OUT_ECHO], 20200);
    CHECK_EQ_U(s.dups, 100);
    CHECK_EQ_U(s.distinct + s.untracked, 20100);
    CHECK(s.distinct <= 64 * 96 && s.distinct > 64 * 64);
    CHECK(s.set_bytes <= 64 * 1024);
    CHECK_EQ_U(s.set_max_bytes, 64 * 1024); /* 64 shards of 128 slots of 8 bytes */
    CHECK_EQ_U(s.max_distinct, 64 * 96);    /* each filled to 3/4 */
    CHECK_EQ_U(s.distinct, s.max_distinct); /* 20,100 IDs fill every shard */
    CHECK_STR(s.tracking, "partial");
    CHECK(sl_stats_json(&s, 2, json, sizeof(json)) > 0);
    CHECK(strstr(json, "\"tracking\": \"partial\"") != NULL);
    CHECK(sl_stats_json(&s, 2, json, 100) == 0); /* too small: nothing half written */

    sl_stats_reset(st);
    sl_stats_read(st, &s);
    CHECK_EQ_U(s.ids + s.distinct + s.dups + s.untracked + s.set_bytes + s.requests, 0);
    CHECK_STR(s.tracking, "exact");
    record_id(st, 1, "AGAIN-", 1);
    record_id(st, 0, "AGAIN-", 1);
    sl_stats_read(st, &s);
    CHECK_EQ_U(s.distinct, 1);
    CHECK_EQ_U(s.dups, 1);
    sl_stats_destroy(st);

    /* --no-ids: every ID counted, none kept */
    cfg.id_memory = 0;
    st = sl_stats_create(&cfg, err, sizeof(err));
    CHECK(st != NULL);
    record_id(st, 0, "N-", 1);
    record_id(st, 0, "N-", 1);
    sl_stats_read(st, &s);
    CHECK_EQ_U(s.ids, 2);
    CHECK_EQ_U(s.untracked, 2);
    CHECK_EQ_U(s.distinct + s.dups + s.set_bytes + s.set_max_bytes + s.max_distinct, 0);
    CHECK_STR(s.tracking, "off");
    sl_stats_destroy(st);
}

/* The ID log is appended to: what was there stays, and the mock is told how much. */
static void test_id_log(void)
{
    char err[256], path[] = "/tmp/test_mock_soap_XXXXXX", text[64] = {0};
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "OLD\n", 4) == 4);
    close(fd);
    sl_stats_config_t cfg = {.threads = 1, .id_log = path, .id_memory = 1 << 20};
    sl_stats_t *st = sl_stats_create(&cfg, err, sizeof(err));
    CHECK(st != NULL);
    CHECK_EQ_U(sl_stats_log_existing(st), 4);
    sl_stats_record(st, 0, SL_OUT_ECHO, 1, 0, "A\nB", 3); /* a newline never splits a line */
    sl_stats_destroy(st);                                 /* writes the buffered rest */
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fread(text, 1, sizeof(text) - 1, f) == 8);
        fclose(f);
    }
    CHECK_STR(text, "OLD\nA B\n");
    unlink(path);
}

static int parse(int argc, char **argv, sl_mock_options_t *o, char *err, size_t errlen)
{
    sl_mock_action_t action;
    optind = 0; /* glibc: start afresh */
    return sl_mock_options_parse(argc, argv, o, &action, err, errlen);
}

static void test_options(void)
{
    char err[256];
    sl_mock_options_t o;
    char *plain[] = {"soapload-mock", NULL};
    CHECK(parse(1, plain, &o, err, sizeof(err)) == 0);
    CHECK_EQ_U(o.port, 8000);
    CHECK_EQ_U(o.id_memory, 256u << 20);
    char *ids[] = {"soapload-mock", "--id-memory", "1m", "-p", "0", "--threads=3", NULL};
    CHECK(parse(6, ids, &o, err, sizeof(err)) == 0);
    CHECK_EQ_U(o.id_memory, 1u << 20);
    CHECK_EQ_U(o.port, 0);
    CHECK_EQ_U(o.threads, 3);
    char *off[] = {"soapload-mock", "--no-ids", NULL};
    CHECK(parse(2, off, &o, err, sizeof(err)) == 0);
    CHECK_EQ_U(o.id_memory, 0);
    char *both[] = {"soapload-mock", "--no-ids", "--id-memory", "1m", NULL};
    CHECK(parse(4, both, &o, err, sizeof(err)) == -1);
    CHECK(strstr(err, "--no-ids and --id-memory") != NULL);
    char *small[] = {"soapload-mock", "--id-memory", "63k", NULL};
    CHECK(parse(3, small, &o, err, sizeof(err)) == -1);
    CHECK(strstr(err, "at least 64k") != NULL);
    char *half[] = {"soapload-mock", "--tls-key", "k.pem", NULL};
    CHECK(parse(3, half, &o, err, sizeof(err)) == -1);
    CHECK(strstr(err, "--tls-cert and --tls-key go together") != NULL);
    char *missing[] = {"soapload-mock", "--port", NULL};
    CHECK(parse(2, missing, &o, err, sizeof(err)) == -1);
    CHECK(strstr(err, "--port needs a value") != NULL);
    char *bad[] = {"soapload-mock", "--fault-rate", "2", NULL};
    CHECK(parse(3, bad, &o, err, sizeof(err)) == -1);
    CHECK_STR(err, "bad value '2' for --fault-rate (see --help)");
}

#define WSSE_ENV(password, type, extra)                                                            \
    "<s:Envelope xmlns:s=\"" SL_SOAP11_NS "\"><s:Header><wsse:Security xmlns:wsse=\"" SL_WSSE_NS   \
    "\"><wsse:UsernameToken><wsse:Username>alice</wsse:Username><!-- <wsse:Password "              \
    "Type='x'> --><wsse:Password Type=\"http://docs.oasis-open.org/wss/2004/01/"                   \
    "oasis-200401-wss-username-token-profile-1.0#" type "\">" password "</wsse:Password>" extra    \
    "</wsse:UsernameToken></wsse:Security></s:Header><s:Body><e:Echo "                             \
    "xmlns:e=\"urn:soapload:echo\"><e:RequestId>W1</e:RequestId></e:Echo></s:Body></s:Envelope>"

static sl_wsse_result_t wsse(const char *doc, time_t now)
{
    char why[200];
    sl_wsse_config_t cfg = {"alice", "s3cret pass", 300};
    return sl_wsse_check(doc, strlen(doc), &cfg, now, why, sizeof(why));
}

/* The UsernameToken check against a digest computed apart from it:
 * printf '%s' '0123456789abcdef2026-11-27T14:00:00Zs3cret pass' | openssl sha1 -binary | base64
 * gives Q+bM8KoLDtyLxNYSP9sQl6EOLLo= (the nonce travels as MDEyMzQ1Njc4OWFiY2RlZg==). */
static void test_wsse(void)
{
    const time_t at = 1795788000; /* 2026-11-27T14:00:00Z */
    char doc[2048];
    double t;

    CHECK(wsse(WSSE_ENV("s3cret pass", "PasswordText", ""), at) == SL_WSSE_OK);
    CHECK(wsse(WSSE_ENV("s3cret", "PasswordText", ""), at) == SL_WSSE_FAILED);
    snprintf(doc, sizeof(doc), "%s",
             WSSE_ENV("Q+bM8KoLDtyLxNYSP9sQl6EOLLo=", "PasswordDigest",
                      "<wsse:Nonce>MDEyMzQ1Njc4OWFiY2RlZg==</wsse:Nonce>"
                      "<wsu:Created>2026-11-27T14:00:00Z</wsu:Created>"));
    CHECK(wsse(doc, at) == SL_WSSE_OK);
    CHECK(wsse(doc, at + 299) == SL_WSSE_OK);
    CHECK(wsse(doc, at + 301) == SL_WSSE_EXPIRED);
    CHECK(wsse(doc, at - 301) == SL_WSSE_EXPIRED);
    CHECK(wsse(WSSE_ENV("Q+bM8KoLDtyLxNYSP9sQl6EOLLo=", "PasswordText", ""), at) == SL_WSSE_FAILED);
    CHECK(wsse(WSSE_ENV("x", "PasswordDigest", ""), at) == SL_WSSE_INVALID);
    CHECK(wsse(WSSE_ENV("x", "PasswordOther", ""), at) == SL_WSSE_INVALID);
    CHECK(wsse(REQ(SL_SOAP11_NS, "P1"), at) == SL_WSSE_INVALID);
    CHECK_STR(sl_wsse_fault_code(SL_WSSE_EXPIRED), "MessageExpired");

    CHECK(sl_xsd_time_parse("1970-01-01T00:00:00Z", 20, &t) == 0 && t == 0);
    CHECK(sl_xsd_time_parse("2000-03-01T00:00:00+01:00", 25, &t) == 0 && t == 951865200);
    CHECK(sl_xsd_time_parse("2026-11-27T14:00:00.5Z", 22, &t) == 0 && t == at + 0.5);
    CHECK(sl_xsd_time_parse("2026-11-27T14:00:00", 19, &t) == -1); /* no time zone */
    CHECK(sl_xsd_time_parse("2026-13-27T14:00:00Z", 20, &t) == -1);
    CHECK(sl_xsd_time_parse("2026-11-27 14:00:00Z", 20, &t) == -1);
}

/* The root part of MTOM requests: by start, else the first; its type parameter, else
 * start-info; not a multipart, no boundary, or a root without an end: none. */
static void test_mtom(void)
{
    static const char mt[] = "multipart/related; type=\"application/xop+xml\"; "
                             "start=\"<r@x>\"; start-info=\"text/xml\"; boundary=\"B1\"";
    static const char body[] = "preamble\r\n--B1\r\nContent-Type: text/plain\r\nContent-ID: "
                               "<a@x>\r\n\r\nnot me\r\n--B1\r\nContent-ID: <r@x>\r\n"
                               "Content-Type: application/xop+xml; type=\"application/soap+xml\""
                               "\r\n\r\n<env/>\r\n--B1--\r\n";
    sl_mtom_root_t root;
    CHECK(sl_mtom_is_multipart(mt, strlen(mt)));
    CHECK(sl_mtom_root(mt, strlen(mt), body, strlen(body), &root) == 0);
    CHECK(root.len == 6 && memcmp(root.body, "<env/>", 6) == 0);
    CHECK_STR(root.type, "application/soap+xml");
    static const char first[] = "Multipart/Related; boundary=B2; start-info=text/xml";
    static const char body2[] = "--B2\r\nContent-Type: application/xop+xml\r\n\r\n<e/>\r\n--B2--";
    CHECK(sl_mtom_root(first, strlen(first), body2, strlen(body2), &root) == 0);
    CHECK(root.len == 4 && memcmp(root.body, "<e/>", 4) == 0);
    CHECK_STR(root.type, "text/xml");
    CHECK(sl_mtom_root("text/xml", 8, body2, strlen(body2), &root) == -1);
    CHECK(sl_mtom_root("multipart/related", 17, body2, strlen(body2), &root) == -1);
    CHECK(sl_mtom_root(first, strlen(first), body2, strlen(body2) - 10, &root) == -1);
}

static int call_is(const char *doc, const char *local, const char *ns)
{
    sl_ops_call_t c;
    if (sl_ops_find_call(doc, strlen(doc), &c) != 0)
        return 0;
    return c.local.len == strlen(local) && memcmp(c.local.ptr, local, c.local.len) == 0 &&
           c.ns.len == strlen(ns) && memcmp(c.ns.ptr, ns, c.ns.len) == 0;
}

/* A user's WSDL's operations, and the operation a request calls. */
static void test_ops(void)
{
    char err[256];
    static sl_ops_t ops, none;
    const char *wsdl = "<w:definitions xmlns:w=\"http://schemas.xmlsoap.org/wsdl/\">"
                       "<!-- <w:operation name=\"Commented\"/> -->"
                       "<w:portType name=\"P\"><w:operation name=\"GetQuote\"/>"
                       "<w:operation name='PlaceOrder' x=\"a>b\"></w:operation></w:portType>"
                       "<w:binding><w:operation name=\"GetQuote\"/></w:binding></w:definitions>";
    CHECK(sl_ops_read(wsdl, strlen(wsdl), &ops, err, sizeof(err)) == 0);
    CHECK_EQ_U(ops.count, 2);
    CHECK(sl_ops_has(&ops, (sl_span_t){"PlaceOrder", 10}));
    CHECK(!sl_ops_has(&ops, (sl_span_t){"Commented", 9}));
    CHECK(sl_ops_read("<a><b/></a>", 11, &none, err, sizeof(err)) == -1);
    CHECK(strstr(err, "names no operation") != NULL);
    char answer[SL_OPS_MAX_NAME + 9];
    CHECK_STR(sl_ops_answer(&ops, (sl_span_t){"PlaceOrder", 10}, answer), "PlaceOrderResponse");
    CHECK(sl_ops_answer(&ops, (sl_span_t){"Commented", 9}, answer) == NULL);

    /* an operation found by its input element, answered with its output element */
    static sl_ops_t by_element;
    const char *doclit =
        "<definitions><message name=\"In\"><part name=\"p\" element=\"t:echoStringParam\"/>"
        "</message><message name=\"Out\"><part element='t:echoStringReturn'/></message>"
        "<message name=\"In2\"><part element=\"t:Ping\"/></message>"
        "<portType name=\"P\"><operation name=\"echoString\"><input message=\"tns:In\"/>"
        "<output message=\"tns:Out\"/></operation><operation name=\"Pinger\">"
        "<input message=\"tns:In2\"/></operation></portType>"
        "<binding><operation name=\"echoString\"><input/></operation></binding></definitions>";
    CHECK(sl_ops_read(doclit, strlen(doclit), &by_element, err, sizeof(err)) == 0);
    CHECK_EQ_U(by_element.count, 2);
    CHECK_STR(sl_ops_answer(&by_element, (sl_span_t){"echoStringParam", 15}, answer),
              "echoStringReturn");
    CHECK_STR(sl_ops_answer(&by_element, (sl_span_t){"Ping", 4}, answer), "PingerResponse");
    CHECK(sl_ops_answer(&by_element, (sl_span_t){"echoStringReturn", 16}, answer) == NULL);

    /* prefixed, default and envelope-level namespaces; a Header first; markup to skip */
    CHECK(call_is("<s:Envelope xmlns:s=\"u\"><s:Header><h:X xmlns:h=\"h\"/></s:Header><s:Body>"
                  "<q:GetQuote xmlns:q=\"urn:q\"><RequestId>1</RequestId></q:GetQuote>"
                  "</s:Body></s:Envelope>",
                  "GetQuote", "urn:q"));
    CHECK(call_is("<s:Envelope xmlns:s=\"u\" xmlns:q='urn:env'><s:Body><!-- <x:No/> -->"
                  "<![CDATA[<y:No/>]]><q:PlaceOrder a=\"1>2\"/></s:Body></s:Envelope>",
                  "PlaceOrder", "urn:env"));
    CHECK(call_is("<Envelope xmlns=\"u\"><Body><Op xmlns=\"urn:d\"/></Body></Envelope>", "Op",
                  "urn:d"));
    CHECK(call_is("<s:Envelope xmlns:s=\"u\"><s:Body><Op/></s:Body></s:Envelope>", "Op", ""));
    sl_ops_call_t c;
    const char *empty = "<s:Envelope xmlns:s=\"u\"><s:Body/></s:Envelope>";
    CHECK(sl_ops_find_call(empty, strlen(empty), &c) == -1);
    const char *unbound = "<s:Envelope xmlns:s=\"u\"><s:Body><z:Op/></s:Body></s:Envelope>";
    CHECK(sl_ops_find_call(unbound, strlen(unbound), &c) == -1);
    /* a namespace that could not be written back as it is */
    const char *amp =
        "<s:Envelope xmlns:s=\"u\"><s:Body><Op xmlns=\"a&amp;b\"/></s:Body></s:Envelope>";
    CHECK(sl_ops_find_call(amp, strlen(amp), &c) == -1);
    CHECK(sl_ops_read("<operation name=\"a&amp;b\"/>", 28, &none, err, sizeof(err)) == -1);

    /* the answer: <Op>Response in the operation's namespace, the ID in it */
    sl_soap_reply_t r;
    const char *req = "<s:Envelope xmlns:s=\"" SL_SOAP11_NS "\" xmlns:q='urn:env'><s:Body>"
                      "<q:PlaceOrder><q:RequestId>PO-1</q:RequestId></q:PlaceOrder>"
                      "</s:Body></s:Envelope>";
    sl_soap_answer("text/xml", 8, req, strlen(req), rid, &ops, 0, &r, buf);
    buf[r.body_len] = '\0';
    CHECK_EQ_U(r.status, 200);
    CHECK(strstr(buf, "<e:PlaceOrderResponse xmlns:e=\"urn:env\"><e:RequestId>PO-1</e:RequestId>"
                      "</e:PlaceOrderResponse>") != NULL);
    const char *other = "<s:Envelope xmlns:s=\"" SL_SOAP11_NS "\"><s:Body><Cancel>"
                        "<RequestId>C-1</RequestId></Cancel></s:Body></s:Envelope>";
    sl_soap_answer("text/xml", 8, other, strlen(other), rid, &ops, 0, &r, buf);
    buf[r.body_len] = '\0';
    CHECK(r.outcome == SL_SOAP_FAULT_CLIENT);
    CHECK(strstr(buf, "the operation Cancel is not in the WSDL") != NULL);
}

/* --fault-when: the element's text must be the value exactly (whitespace around it aside), any
 * prefix; the fault is Client (1.1, 500) or Sender (1.2, 400), names the trigger, keeps the ID. */
static void test_triggers(void)
{
    char err[256];
    sl_mock_options_t o = {0};
    sl_mock_action_t action;
    char *argv[] = {"soapload-mock", "--fault-when", "Quantity=0", "--fault-when", "Sku=X-1", NULL};
    optind = 1;
    CHECK(sl_mock_options_parse(5, argv, &o, &action, err, sizeof(err)) == 0);
    CHECK_EQ_U(o.ntriggers, 2);
    CHECK_STR(o.triggers[1].name, "Sku");
    CHECK_STR(o.triggers[1].value, "X-1");
    const char *bad[] = {"Quantity", "=0", "a:Quantity=0", "Q=<x>"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sl_mock_options_t b = {0};
        char *av[] = {"soapload-mock", "--fault-when", (char *)bad[i], NULL};
        optind = 1;
        CHECK(sl_mock_options_parse(3, av, &b, &action, err, sizeof(err)) == -1);
        CHECK(strstr(err, "--fault-when") != NULL);
    }

    const char *q0 = "<s:Envelope xmlns:s=\"" SL_SOAP11_NS "\"><s:Body><o:PlaceOrder "
                     "xmlns:o=\"urn:o\"><o:RequestId>T-1</o:RequestId><o:Quantity> 0 "
                     "</o:Quantity></o:PlaceOrder></s:Body></s:Envelope>";
    const char *q10 = "<s:Envelope xmlns:s=\"" SL_SOAP11_NS "\"><s:Body><PlaceOrder><RequestId>T-2"
                      "</RequestId><Quantity>10</Quantity><Sku>X-1</Sku></PlaceOrder></s:Body>"
                      "</s:Envelope>";
    const char *none = "<s:Envelope xmlns:s=\"" SL_SOAP11_NS "\"><s:Body><PlaceOrder><RequestId>"
                       "T-3</RequestId><Quantity>00</Quantity><QuantityX>0</QuantityX>"
                       "</PlaceOrder></s:Body></s:Envelope>";
    CHECK(sl_ops_find_trigger(q0, strlen(q0), o.triggers, o.ntriggers) == 0);
    CHECK(sl_ops_find_trigger(q10, strlen(q10), o.triggers, o.ntriggers) == 1);
    CHECK(sl_ops_find_trigger(none, strlen(none), o.triggers, o.ntriggers) == -1);

    sl_soap_reply_t r = answer("text/xml", q0, 0);
    CHECK(r.outcome == SL_SOAP_ECHO);
    sl_soap_trigger_fault(&r, buf, &o.triggers[0], rid);
    buf[r.body_len] = '\0';
    CHECK(r.outcome == SL_SOAP_FAULT_TRIGGER);
    CHECK_EQ_U(r.status, 500);
    CHECK(strstr(buf, "<faultcode>soap:Client</faultcode>") != NULL);
    CHECK(strstr(buf, "fault triggered by Quantity=0 (--fault-when)") != NULL);
    CHECK(strstr(buf, ">T-1<") != NULL);
    r = answer("application/soap+xml", REQ(SL_SOAP12_NS, "T-4"), 0);
    sl_soap_trigger_fault(&r, buf, &o.triggers[1], rid);
    buf[r.body_len] = '\0';
    CHECK_EQ_U(r.status, 400);
    CHECK(strstr(buf, "soap:Sender") != NULL);
    CHECK(strstr(buf, "fault triggered by Sku=X-1") != NULL);
}

/* The remembered envelope (the fast path for a repeated envelope) answers exactly what the
 * strict parse answers: the new ID; and whatever differs from it, or could hold markup, goes
 * through the strict parse. */
static void test_repeated_envelope(void)
{
    sl_soap_reply_t r;
    for (int i = 0; i < 3; i++) { /* the first one is parsed, the next two remembered */
        char id[32], body[512];
        snprintf(id, sizeof(id), "P7-R%d", i + 1);
        snprintf(body, sizeof(body), REQ(SL_SOAP11_NS, "%s"), id);
        r = answer("text/xml", body, 0);
        CHECK(r.outcome == SL_SOAP_ECHO);
        CHECK_STR(r.id, id);
        CHECK(strstr(buf, id) != NULL);
    }
    /* the same envelope around an escaped or longer ID, or none */
    r = answer("text/xml", REQ(SL_SOAP11_NS, "a&amp;b"), 0);
    CHECK_STR(r.id, "a&b");
    r = answer("text/xml", REQ(SL_SOAP11_NS, "P7-R4"), 0);
    r = answer("text/xml", REQ(SL_SOAP11_NS, "<x/>"), 0);
    CHECK(r.outcome == SL_SOAP_FAULT_CLIENT);
    r = answer("text/xml", REQ(SL_SOAP11_NS, "P7-R4"), 0);
    r = answer("text/xml", REQ(SL_SOAP11_NS, "a<b"), 0);
    CHECK(r.outcome == SL_SOAP_FAULT_CLIENT);
    r = answer("text/xml", REQ(SL_SOAP11_NS, "P7-R4"), 0);
    r = answer("text/xml", REQ(SL_SOAP11_NS, ""), 0);
    CHECK(r.outcome == SL_SOAP_FAULT_CLIENT);
    /* the same bytes under the other version's media type: a version mismatch */
    r = answer("text/xml", REQ(SL_SOAP11_NS, "P7-R5"), 0);
    r = answer("application/soap+xml", REQ(SL_SOAP11_NS, "P7-R6"), 0);
    CHECK(r.outcome == SL_SOAP_FAULT_VERSION);
    /* an ID whose text also occurs elsewhere is not remembered: the ID is the element's text */
#define TWICE(other, id)                                                                           \
    "<s:Envelope xmlns:s=\"" SL_SOAP11_NS "\"><s:Header><h>" other "</h></s:Header><s:Body>"       \
    "<e:Echo xmlns:e=\"urn:soapload:echo\"><e:RequestId>" id "</e:RequestId></e:Echo>"             \
    "</s:Body></s:Envelope>"
    r = answer("text/xml", TWICE("P8-R1", "P8-R1"), 0);
    CHECK_STR(r.id, "P8-R1");
    r = answer("text/xml", TWICE("Q", "P8-R1"), 0);
    CHECK_STR(r.id, "P8-R1");
    r = answer("text/xml", TWICE("Q", "P8-R2"), 0);
    CHECK_STR(r.id, "P8-R2");
#undef TWICE
}

int main(void)
{
    test_triggers();
    test_id_set();
    test_id_log();
    test_options();
    test_wsse();
    test_mtom();
    test_ops();
    test_repeated_envelope();

    sl_soap_reply_t r = answer("text/xml; charset=utf-8", REQ(SL_SOAP11_NS, "P1-R1"), 0);
    CHECK_EQ_U(r.status, 200);
    CHECK(r.outcome == SL_SOAP_ECHO);
    CHECK_STR(r.content_type, "text/xml; charset=utf-8");
    CHECK(strstr(buf, "<e:RequestId>P1-R1</e:RequestId>") != NULL);
    CHECK(strstr(buf, SL_SOAP11_NS) != NULL);

    r = answer("application/soap+xml;action=\"urn:x\"", REQ(SL_SOAP12_NS, "P2-R9"), 0);
    CHECK_EQ_U(r.status, 200);
    CHECK_STR(r.content_type, "application/soap+xml; charset=utf-8");
    CHECK(strstr(buf, SL_SOAP12_NS) != NULL);
    CHECK(strstr(buf, ">P2-R9<") != NULL);

    /* markup in an ID comes back escaped */
    r = answer("text/xml", REQ(SL_SOAP11_NS, "a&lt;b&gt;&amp;"), 0);
    CHECK_EQ_U(r.status, 200);
    CHECK_STR(r.id, "a<b>&");
    CHECK(strstr(buf, ">a&lt;b&gt;&amp;<") != NULL);

    r = answer("application/json", "{}", 0);
    CHECK_EQ_U(r.status, 415);
    CHECK(r.outcome == SL_SOAP_BAD_MEDIA_TYPE);

    /* SOAP 1.1: Client faults with 500; 1.2: Sender faults with 400 */
    r = answer("text/xml", "<s:Envelope>", 0);
    CHECK_EQ_U(r.status, 500);
    CHECK(r.outcome == SL_SOAP_FAULT_CLIENT);
    CHECK(strstr(buf, "<faultcode>soap:Client</faultcode>") != NULL);
    CHECK(strstr(buf, "malformed XML at byte") != NULL);
    r = answer("application/soap+xml", "<s:Envelope>", 0);
    CHECK_EQ_U(r.status, 400);
    CHECK(strstr(buf, "<soap:Value>soap:Sender</soap:Value>") != NULL);

    r = answer("text/xml", REQ(SL_SOAP11_NS, ""), 0);
    CHECK(r.outcome == SL_SOAP_FAULT_CLIENT);
    r = answer("text/xml",
               "<s:Envelope xmlns:s=\"" SL_SOAP11_NS "\"><s:Body><x/></s:Body></s:Envelope>", 0);
    CHECK(r.outcome == SL_SOAP_FAULT_CLIENT);
    CHECK(strstr(buf, "no RequestId element") != NULL);

    /* a 1.2 envelope sent as text/xml is a version mismatch */
    r = answer("text/xml", REQ(SL_SOAP12_NS, "P1-R1"), 0);
    CHECK(r.outcome == SL_SOAP_FAULT_VERSION);
    CHECK_EQ_U(r.status, 500);
    CHECK(strstr(buf, "VersionMismatch") != NULL);

    r = answer("text/xml", "<!DOCTYPE x [<!ENTITY e \"boom\">]>" REQ(SL_SOAP11_NS, "&e;"), 0);
    CHECK(r.outcome == SL_SOAP_FAULT_CLIENT);
    CHECK(strstr(buf, "DTDs are not allowed") != NULL);
    CHECK(strstr(buf, "boom") == NULL);

    /* an injected fault still carries the ID in its detail */
    r = answer("text/xml", REQ(SL_SOAP11_NS, "P3-R3"), 1);
    CHECK(r.outcome == SL_SOAP_FAULT_INJECTED);
    CHECK_EQ_U(r.status, 500);
    CHECK(strstr(buf, "soap:Server") != NULL);
    CHECK(strstr(buf, ">P3-R3<") != NULL);
    r = answer("application/soap+xml", REQ(SL_SOAP12_NS, "P3-R4"), 1);
    CHECK_EQ_U(r.status, 500);
    CHECK(strstr(buf, "soap:Receiver") != NULL);

    /* the WSDL names the endpoint and the ID element */
    char wsdl[16384];
    size_t n = sl_soap_wsdl("http://127.0.0.1:8000/soap/endpoint", rid, wsdl, sizeof(wsdl));
    CHECK(n > 0);
    CHECK(strstr(wsdl, "location=\"http://127.0.0.1:8000/soap/endpoint\"") != NULL);
    CHECK(strstr(wsdl, "name=\"RequestId\"") != NULL);
    return check_report();
}
