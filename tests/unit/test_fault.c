/*
 * test_fault: SOAP 1.1 and 1.2 Faults read into code, subcode, reason, actor and detail.
 */
#include "unit.h"
#include "core/fault.h"

static int parse(const char *doc, sl_fault_t *f)
{
    return sl_fault_parse(doc, strlen(doc), f);
}

int main(void)
{
    sl_fault_t f;
    CHECK(parse("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                "<soap:Body><soap:Fault><faultcode>soap:Client</faultcode>"
                "<faultstring>Quantity must be &gt; 0</faultstring>"
                "<detail><e:Problem xmlns:e=\"urn:x\"><e:Field>qty</e:Field><e:Value>0</e:Value>"
                "</e:Problem></detail></soap:Fault></soap:Body></soap:Envelope>",
                &f) == 1);
    CHECK_EQ_U(f.version, 11);
    CHECK_STR(f.code, "soap:Client");
    CHECK_STR(f.reason, "Quantity must be > 0");
    CHECK_STR(f.subcode, "");
    CHECK_STR(f.detail, "qty 0");

    CHECK(parse("<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\">"
                "<env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value>"
                "<env:Subcode><env:Value>m:InvalidOrder</env:Value></env:Subcode></env:Code>"
                "<env:Reason><env:Text xml:lang=\"en\">No such order</env:Text></env:Reason>"
                "<env:Detail><m:Id xmlns:m=\"urn:m\">42</m:Id></env:Detail>"
                "</env:Fault></env:Body></env:Envelope>",
                &f) == 1);
    CHECK_EQ_U(f.version, 12);
    CHECK_STR(f.code, "env:Sender");
    CHECK_STR(f.subcode, "m:InvalidOrder");
    CHECK_STR(f.reason, "No such order");
    CHECK_STR(f.detail, "42");

    /* an envelope without a Fault, a Fault outside the Body, not SOAP, not XML */
    CHECK(parse("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                "<r/></s:Body></s:Envelope>",
                &f) == 0);
    CHECK(parse("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Fault/>"
                "</s:Envelope>",
                &f) == 0);
    CHECK(parse("<Fault/>", &f) == 0);
    CHECK(parse("<s:Envelope", &f) == -1);
    return check_report();
}
