/*
 * test_check: the built-in classification of one response: a SOAP Fault is a Fault whatever
 * the HTTP status (200 included), then the status, then well-formed XML and the echoed ID.
 */
#include "unit.h"
#include "core/check.h"

#define ENV11 "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
#define END11 "</s:Body></s:Envelope>"
#define FAULT11                                                                                    \
    ENV11 "<s:Fault><faultcode>s:Server</faultcode><faultstring>no</faultstring>"                  \
          "</s:Fault>" END11
#define ECHO11                                                                                     \
    ENV11 "<e:EchoResponse xmlns:e=\"urn:e\"><e:RequestId>r-1</e:RequestId>"                       \
          "</e:EchoResponse>" END11

static sl_result_t check(long status, const char *body, int check_id)
{
    return sl_check_response(status, body, strlen(body), "RequestId", "r-1", 3, check_id);
}

int main(void)
{
    /* a Fault: whatever the status, with or without the ID check */
    CHECK_EQ_U(check(200, FAULT11, 1), SL_R_SOAP_FAULT);
    CHECK_EQ_U(check(200, FAULT11, 0), SL_R_SOAP_FAULT);
    CHECK_EQ_U(check(202, FAULT11, 1), SL_R_SOAP_FAULT);
    CHECK_EQ_U(check(500, FAULT11, 1), SL_R_SOAP_FAULT);
    CHECK_EQ_U(check(400, FAULT11, 0), SL_R_SOAP_FAULT);
    CHECK_EQ_U(check(200,
                     "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body>"
                     "<e:Fault><e:Code><e:Value>e:Sender</e:Value></e:Code></e:Fault>"
                     "</e:Body></e:Envelope>",
                     1),
               SL_R_SOAP_FAULT);

    /* no Fault: the status first, then the ID */
    CHECK_EQ_U(check(200, ECHO11, 1), SL_R_OK);
    CHECK_EQ_U(check(299, ECHO11, 1), SL_R_OK);
    CHECK_EQ_U(check(300, ECHO11, 1), SL_R_HTTP_STATUS);
    CHECK_EQ_U(check(199, ECHO11, 1), SL_R_HTTP_STATUS);
    CHECK_EQ_U(check(500, ECHO11, 0), SL_R_HTTP_STATUS);
    CHECK_EQ_U(check(200, ENV11 "<r>r-2</r>" END11, 0), SL_R_OK);
    CHECK_EQ_U(check(200, ENV11 "<RequestId>r-2</RequestId>" END11, 1), SL_R_ID_MISMATCH);
    CHECK_EQ_U(check(200, ENV11 "<RequestId>r-1x</RequestId>" END11, 1), SL_R_ID_MISMATCH);
    CHECK_EQ_U(check(200, ENV11 "<Other/>" END11, 1), SL_R_ID_MISMATCH);
    CHECK_EQ_U(check(200, "not xml", 1), SL_R_MALFORMED);
    CHECK_EQ_U(check(200, "not xml", 0), SL_R_OK);
    return check_report();
}
