/*
 * test_mock_soap: the mock's echo contract without a server: statuses, versions, faults.
 */
#include "unit.h"
#include "soap.h"

static char buf[SL_SOAP_REPLY_CAP + 1];
static const sl_span_t rid = {"RequestId", 9};

static sl_soap_reply_t answer(const char *ct, const char *body, int inject)
{
    sl_soap_reply_t r;
    sl_soap_answer(ct, strlen(ct), body, strlen(body), rid, inject, &r, buf);
    buf[r.body_len] = '\0';
    return r;
}

#define REQ(ns, id)                                                                                \
    "<s:Envelope xmlns:s=\"" ns                                                                    \
    "\"><s:Body><e:Echo xmlns:e=\"urn:soapload:echo\"><e:RequestId>" id                            \
    "</e:RequestId></e:Echo></s:Body></s:Envelope>"

int main(void)
{
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
