/*
 * soap: the echo contract. Request: a SOAP 1.1 (text/xml) or 1.2 (application/soap+xml)
 * envelope whose body holds an element named `id_name` (any prefix, any namespace). Answer:
 * an envelope of the same version with <e:EchoResponse xmlns:e="urn:soapload:echo">
 * <e:{id_name}>ID</e:{id_name}></e:EchoResponse>, or a Fault.
 */
#include "soap.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const envelope_ns[] = {SL_SOAP11_NS, SL_SOAP12_NS};

static int media_version(const char *mt, size_t len)
{
    size_t end = 0;
    while (end < len && mt[end] != ';' && mt[end] != ' ' && mt[end] != '\t')
        end++;
    if (end == 8 && strncasecmp(mt, "text/xml", 8) == 0)
        return 11;
    if (end == 20 && strncasecmp(mt, "application/soap+xml", 20) == 0)
        return 12;
    return 0;
}

static size_t put(char *buf, size_t at, const char *s, size_t n)
{
    /* the buffer is sized so that everything fits; checked all the same */
    if (at <= SL_SOAP_REPLY_CAP && n <= SL_SOAP_REPLY_CAP - at)
        memcpy(buf + at, s, n);
    return at + n;
}

#define PUT_LIT(buf, at, lit) put(buf, at, lit, sizeof(lit) - 1)

static size_t put_escaped(char *buf, size_t at, const char *s, size_t n)
{
    if (at + sl_xml_escaped_len(s, n) > SL_SOAP_REPLY_CAP)
        return at;
    return at + sl_xml_escape(s, n, buf + at);
}

static size_t open_envelope(char *buf, int version)
{
    size_t at = PUT_LIT(buf, 0,
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope "
                        "xmlns:soap=\"");
    const char *ns = envelope_ns[version == 12];
    at = put(buf, at, ns, strlen(ns));
    return PUT_LIT(buf, at, "\"><soap:Body>");
}

static size_t close_envelope(char *buf, size_t at)
{
    return PUT_LIT(buf, at, "</soap:Body></soap:Envelope>\n");
}

static size_t put_id_element_as(char *buf, size_t at, const char *prefix, sl_span_t id_name,
                                const char *id, size_t n)
{
    at = PUT_LIT(buf, at, "<");
    at = put(buf, at, prefix, strlen(prefix));
    at = put(buf, at, id_name.ptr, id_name.len);
    at = PUT_LIT(buf, at, ">");
    at = put_escaped(buf, at, id, n);
    at = PUT_LIT(buf, at, "</");
    at = put(buf, at, prefix, strlen(prefix));
    at = put(buf, at, id_name.ptr, id_name.len);
    return PUT_LIT(buf, at, ">");
}

static size_t put_id_element(char *buf, size_t at, sl_span_t id_name, const char *id, size_t n)
{
    return put_id_element_as(buf, at, "e:", id_name, id, n);
}

/* <e:OpResponse xmlns:e="NS"><e:ID>id</e:ID></e:OpResponse>, in the operation's namespace
 * (written as the request wrote it: ops.c lets through only what needs no escaping), or
 * unqualified when it had none. */
static size_t put_op_response(char *buf, size_t at, const sl_ops_call_t *call, const char *answer,
                              sl_span_t id_name, const char *id, size_t n)
{
    const char *prefix = call->ns.len > 0 ? "e:" : "";
    at = PUT_LIT(buf, at, "<");
    at = put(buf, at, prefix, strlen(prefix));
    at = put(buf, at, answer, strlen(answer));
    if (call->ns.len > 0) {
        at = PUT_LIT(buf, at, " xmlns:e=\"");
        at = put(buf, at, call->ns.ptr, call->ns.len);
        at = PUT_LIT(buf, at, "\"");
    }
    at = PUT_LIT(buf, at, ">");
    if (n > 0) /* none only for a call without it, under --id-optional */
        at = put_id_element_as(buf, at, prefix, id_name, id, n);
    at = PUT_LIT(buf, at, "</");
    at = put(buf, at, prefix, strlen(prefix));
    at = put(buf, at, answer, strlen(answer));
    return PUT_LIT(buf, at, ">");
}

/* code: "Client"/"Server"/"VersionMismatch" in SOAP 1.1 terms, mapped for 1.2; `wsse` (may be
 * NULL): a WS-Security fault code, which SOAP 1.1 sends as the faultcode itself and SOAP 1.2 as
 * the Subcode of a Sender fault. */
static void fault(sl_soap_reply_t *r, char *buf, sl_soap_outcome_t outcome, const char *code,
                  const char *wsse, const char *text, sl_span_t id_name)
{
    int v12 = r->version == 12;
    const char *code12 = strcmp(code, "Client") == 0   ? "Sender"
                         : strcmp(code, "Server") == 0 ? "Receiver"
                                                       : code;
    size_t at = open_envelope(buf, r->version);
    r->outcome = outcome;
    /* SOAP 1.2 sends Sender faults with 400; every other fault, and all of 1.1's, with 500 */
    r->status = v12 && strcmp(code12, "Sender") == 0 ? 400 : 500;
    r->reason = r->status == 400 ? "Bad Request" : "Internal Server Error";
    at = wsse != NULL ? PUT_LIT(buf, at, "<soap:Fault xmlns:wsse=\"" SL_WSSE_NS "\">")
                      : PUT_LIT(buf, at, "<soap:Fault>");
    if (v12) {
        at = PUT_LIT(buf, at, "<soap:Code><soap:Value>soap:");
        at = put(buf, at, code12, strlen(code12));
        at = PUT_LIT(buf, at, "</soap:Value>");
        if (wsse != NULL) {
            at = PUT_LIT(buf, at, "<soap:Subcode><soap:Value>wsse:");
            at = put(buf, at, wsse, strlen(wsse));
            at = PUT_LIT(buf, at, "</soap:Value></soap:Subcode>");
        }
        at = PUT_LIT(buf, at, "</soap:Code><soap:Reason><soap:Text xml:lang=\"en\">");
        at = put_escaped(buf, at, text, strlen(text));
        at = PUT_LIT(buf, at, "</soap:Text></soap:Reason>");
        if (r->id_len > 0) {
            at = PUT_LIT(buf, at, "<soap:Detail><e:Echo xmlns:e=\"" SL_ECHO_NS "\">");
            at = put_id_element(buf, at, id_name, r->id, r->id_len);
            at = PUT_LIT(buf, at, "</e:Echo></soap:Detail>");
        }
    } else {
        at = wsse != NULL ? PUT_LIT(buf, at, "<faultcode>wsse:")
                          : PUT_LIT(buf, at, "<faultcode>soap:");
        at = wsse != NULL ? put(buf, at, wsse, strlen(wsse)) : put(buf, at, code, strlen(code));
        at = PUT_LIT(buf, at, "</faultcode><faultstring>");
        at = put_escaped(buf, at, text, strlen(text));
        at = PUT_LIT(buf, at, "</faultstring>");
        if (r->id_len > 0) {
            at = PUT_LIT(buf, at, "<detail><e:Echo xmlns:e=\"" SL_ECHO_NS "\">");
            at = put_id_element(buf, at, id_name, r->id, r->id_len);
            at = PUT_LIT(buf, at, "</e:Echo></detail>");
        }
    }
    at = PUT_LIT(buf, at, "</soap:Fault>");
    r->body_len = close_envelope(buf, at);
}

void sl_soap_security_fault(sl_soap_reply_t *r, char *buf, const char *wsse_code, const char *text,
                            sl_span_t id_name)
{
    fault(r, buf, SL_SOAP_FAULT_SECURITY, "Client", wsse_code, text, id_name);
}

void sl_soap_trigger_fault(sl_soap_reply_t *r, char *buf, const sl_ops_trigger_t *trigger,
                           sl_span_t id_name)
{
    char text[SL_OPS_MAX_NAME + SL_OPS_MAX_TRIGGER_TEXT + 64];
    snprintf(text, sizeof(text), "fault triggered by %s=%s (--fault-when)", trigger->name,
             trigger->value);
    fault(r, buf, SL_SOAP_FAULT_TRIGGER, "Client", NULL, text, id_name);
}

void sl_soap_session_fault(sl_soap_reply_t *r, char *buf, const char *text, sl_span_t id_name)
{
    fault(r, buf, SL_SOAP_FAULT_SESSION, "Client", NULL, text, id_name);
}

void sl_soap_session_answer(sl_soap_reply_t *r, char *buf, const char *op, const char *token,
                            sl_span_t id_name)
{
    size_t at = open_envelope(buf, r->version);
    at = PUT_LIT(buf, at, "<s:");
    at = put(buf, at, op, strlen(op));
    at = PUT_LIT(buf, at, "Response xmlns:s=\"" SL_SESSION_NS "\">");
    if (token != NULL) {
        at = PUT_LIT(buf, at, "<s:Token>");
        at = put_escaped(buf, at, token, strlen(token));
        at = PUT_LIT(buf, at, "</s:Token>");
    }
    at = put_id_element_as(buf, at, "s:", id_name, r->id, r->id_len);
    at = PUT_LIT(buf, at, "</s:");
    at = put(buf, at, op, strlen(op));
    at = PUT_LIT(buf, at, "Response>");
    r->body_len = close_envelope(buf, at);
    r->outcome = SL_SOAP_ECHO;
    r->status = 200;
    r->reason = "OK";
}

/* The common case without the full parse: load tools send the same envelope over and over with
 * only the ID's text changed. After a strict parse accepts an envelope whose ID's text occurs
 * in it exactly once, as a plain text node (">ID<") of safe bytes, the thread keeps the bytes
 * before and after that text. A later envelope of the same version and ID element that is
 * byte for byte those two around an ID of safe bytes is the same document with other text in
 * that one node: the strict parse would accept it with that ID. Everything else (another
 * envelope, an ID with any byte that markup or escaping could involve, a DTD) goes through the
 * strict parse, which is the contract. */
#define MEMO_CAP 4096
#define MEMO_MAX_ID 64

typedef struct {
    int version;
    const char *id_name; /* the server's, which lives as long as the process */
    size_t id_name_len;
    size_t head, tail; /* bytes of text[] before and after the ID */
    char text[MEMO_CAP];
} memo_t;

static _Thread_local memo_t memo;

static int safe_id(const char *p, size_t n)
{
    if (n == 0 || n > MEMO_MAX_ID)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* The ID, when body is the remembered envelope around another safe ID. */
static int memo_hit(const char *body, size_t len, sl_span_t id_name, sl_soap_reply_t *r)
{
    const memo_t *m = &memo;
    if (m->head == 0 || m->version != r->version || m->id_name != id_name.ptr ||
        m->id_name_len != id_name.len || len <= m->head + m->tail ||
        memcmp(body, m->text, m->head) != 0 ||
        memcmp(body + len - m->tail, m->text + m->head, m->tail) != 0)
        return 0;
    size_t n = len - m->head - m->tail;
    if (!safe_id(body + m->head, n))
        return 0;
    memcpy(r->id, body + m->head, n);
    r->id[n] = '\0';
    r->id_len = n;
    return 1;
}

/* After the strict parse accepted body with r's ID: remember it when the ID's text occurs once,
 * as a whole text node. */
static void memo_keep(const char *body, size_t len, sl_span_t id_name, const sl_soap_reply_t *r)
{
    memo_t *m = &memo;
    m->head = 0;
    if (len > MEMO_CAP || !safe_id(r->id, r->id_len))
        return;
    const char *at = NULL;
    for (const char *p = body; (p = memmem(p, len - (size_t)(p - body), r->id, r->id_len)) != NULL;
         p++) {
        if (at != NULL)
            return; /* twice: which one is the ID? */
        at = p;
    }
    if (at == NULL || at == body || at[-1] != '>' || at + r->id_len >= body + len ||
        at[r->id_len] != '<')
        return;
    size_t head = (size_t)(at - body), tail = len - head - r->id_len;
    memcpy(m->text, body, head);
    memcpy(m->text + head, at + r->id_len, tail);
    m->version = r->version;
    m->id_name = id_name.ptr;
    m->id_name_len = id_name.len;
    m->tail = tail;
    m->head = head;
}

/* The echo answer of one SOAP version and ID element around an empty ID, built once per thread:
 * an answer is then its bytes before the ID, the ID, and its bytes after. */
typedef struct {
    int version;
    const char *id_name; /* the server's, which lives as long as the process */
    size_t id_name_len;
    size_t head, len; /* bytes before the ID; all of them */
    char text[SL_SOAP_REPLY_CAP];
} echo_frame_t;

static _Thread_local echo_frame_t frames[2];

static const echo_frame_t *echo_frame(int version, sl_span_t id_name)
{
    echo_frame_t *f = &frames[version == 12];
    if (f->len > 0 && f->version == version && f->id_name == id_name.ptr &&
        f->id_name_len == id_name.len)
        return f;
    size_t at = open_envelope(f->text, version);
    at = PUT_LIT(f->text, at, "<e:EchoResponse xmlns:e=\"" SL_ECHO_NS "\"><e:");
    at = put(f->text, at, id_name.ptr, id_name.len);
    f->head = PUT_LIT(f->text, at, ">");
    at = PUT_LIT(f->text, f->head, "</e:");
    at = put(f->text, at, id_name.ptr, id_name.len);
    at = PUT_LIT(f->text, at, "></e:EchoResponse>");
    f->len = close_envelope(f->text, at);
    f->version = version;
    f->id_name = id_name.ptr;
    f->id_name_len = id_name.len;
    return f;
}

/* Checks the envelope (well-formed, no DTD, the media type's SOAP version) and the ID, which it
 * copies into r. Returns 0, or -1 after writing the fault. */
static int check_envelope(const char *body, size_t len, sl_span_t id_name, int id_optional,
                          sl_soap_reply_t *r, char *buf)
{
    char why[160];
    sl_xml_scan_t scan = {.want = id_name, .id = r->id, .id_cap = sizeof(r->id)};
    if (sl_xml_scan(body, len, &scan) != 0) {
        if (scan.flags & SL_XML_DOCTYPE)
            snprintf(why, sizeof(why), "DTDs are not allowed in SOAP messages (byte %zu)",
                     scan.error_at);
        else
            snprintf(why, sizeof(why), "malformed XML at byte %zu: %s", scan.error_at, scan.error);
        fault(r, buf, SL_SOAP_FAULT_CLIENT, "Client", NULL, why, id_name);
        return -1;
    }
    if (scan.flags & SL_XML_ID_FOUND && !(scan.flags & (SL_XML_ID_COMPLEX | SL_XML_ID_TOO_LONG)))
        r->id_len = scan.id_len;
    if (!(scan.root_local.len == 8 && memcmp(scan.root_local.ptr, "Envelope", 8) == 0)) {
        fault(r, buf, SL_SOAP_FAULT_CLIENT, "Client", NULL,
              "the root element is not a SOAP Envelope", id_name);
        return -1;
    }
    const char *want_ns = envelope_ns[r->version == 12];
    if (scan.root_ns.len != strlen(want_ns) ||
        memcmp(scan.root_ns.ptr, want_ns, scan.root_ns.len)) {
        snprintf(why, sizeof(why), "the Envelope's namespace is not SOAP %s's (%s)",
                 r->version == 12 ? "1.2" : "1.1", want_ns);
        fault(r, buf, SL_SOAP_FAULT_VERSION, "VersionMismatch", NULL, why, id_name);
        return -1;
    }
    if (!(scan.flags & SL_XML_ID_FOUND) && id_optional)
        return 0;
    if (!(scan.flags & SL_XML_ID_FOUND)) {
        snprintf(why, sizeof(why), "no %.*s element in the request", (int)id_name.len, id_name.ptr);
        fault(r, buf, SL_SOAP_FAULT_CLIENT, "Client", NULL, why, id_name);
        return -1;
    }
    if (scan.flags & (SL_XML_ID_COMPLEX | SL_XML_ID_TOO_LONG) || scan.id_len == 0) {
        snprintf(why, sizeof(why), "the %.*s element must hold 1 to %d bytes of text",
                 (int)id_name.len, id_name.ptr, SL_SOAP_MAX_ID);
        fault(r, buf, SL_SOAP_FAULT_CLIENT, "Client", NULL, why, id_name);
        return -1;
    }
    return 0;
}

/* With a user's WSDL: finds the operation the Body calls, which must be one of its. Returns 0,
 * or -1 after writing the fault. */
static int check_call(const char *body, size_t len, const sl_ops_t *ops, sl_span_t id_name,
                      sl_ops_call_t *call, char *answer, sl_soap_reply_t *r, char *buf)
{
    char why[200];
    if (sl_ops_find_call(body, len, call) != 0) {
        fault(r, buf, SL_SOAP_FAULT_CLIENT, "Client", NULL,
              "no operation element in the SOAP Body that the mock can answer", id_name);
        return -1;
    }
    if (sl_ops_answer(ops, call->local, answer) == NULL) {
        snprintf(why, sizeof(why), "the operation %.*s is not in the WSDL",
                 (int)(call->local.len > SL_OPS_MAX_NAME ? SL_OPS_MAX_NAME : call->local.len),
                 call->local.ptr);
        fault(r, buf, SL_SOAP_FAULT_CLIENT, "Client", NULL, why, id_name);
        return -1;
    }
    if (call->ns.len > SL_OPS_MAX_NS) {
        snprintf(why, sizeof(why), "the operation's namespace is longer than %d bytes",
                 SL_OPS_MAX_NS);
        fault(r, buf, SL_SOAP_FAULT_CLIENT, "Client", NULL, why, id_name);
        return -1;
    }
    return 0;
}

void sl_soap_answer(const char *media_type, size_t media_type_len, const char *body, size_t len,
                    sl_span_t id_name, const sl_ops_t *ops, int inject_fault, sl_soap_reply_t *r,
                    char *buf)
{
    sl_ops_call_t call;
    char answer[SL_OPS_MAX_NAME + 9]; /* the element answering the call */
    memset(r, 0, offsetof(sl_soap_reply_t, id));
    r->id[0] = '\0';
    r->id_len = 0;
    r->version = media_version(media_type, media_type_len);
    if (r->version == 0) {
        r->outcome = SL_SOAP_BAD_MEDIA_TYPE;
        r->status = 415;
        r->reason = "Unsupported Media Type";
        r->content_type = "text/plain; charset=utf-8";
        r->body_len = PUT_LIT(buf, 0,
                              "soapload-mock: expected Content-Type text/xml (SOAP 1.1) "
                              "or application/soap+xml (SOAP 1.2)\n");
        return;
    }
    r->content_type =
        r->version == 12 ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8";
    int known = memo_hit(body, len, id_name, r);
    if ((!known &&
         check_envelope(body, len, id_name, ops != NULL && ops->id_optional, r, buf) != 0) ||
        (ops != NULL && check_call(body, len, ops, id_name, &call, answer, r, buf) != 0))
        return;
    if (!known)
        memo_keep(body, len, id_name, r);
    if (inject_fault) {
        fault(r, buf, SL_SOAP_FAULT_INJECTED, "Server", NULL, "injected fault (--fault-rate)",
              id_name);
        return;
    }
    r->outcome = SL_SOAP_ECHO;
    r->status = 200;
    r->reason = "OK";
    if (ops != NULL) {
        size_t at = open_envelope(buf, r->version);
        at = put_op_response(buf, at, &call, answer, id_name, r->id, r->id_len);
        r->body_len = close_envelope(buf, at);
        return;
    }
    /* the echo: the thread's frame around the ID, escaped unless the memo vouched for it */
    const echo_frame_t *f = echo_frame(r->version, id_name);
    size_t at = put(buf, 0, f->text, f->head);
    at = known ? put(buf, at, r->id, r->id_len) : put_escaped(buf, at, r->id, r->id_len);
    r->body_len = put(buf, at, f->text + f->head, f->len - f->head);
}

size_t sl_soap_wsdl(const char *url, sl_span_t n, char *buf, size_t cap)
{
    int len = snprintf(
        buf, cap,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<wsdl:definitions name=\"SoaploadEcho\" targetNamespace=\"" SL_ECHO_NS "\"\n"
        "    xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\"\n"
        "    xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\"\n"
        "    xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\"\n"
        "    xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"\n"
        "    xmlns:e=\"" SL_ECHO_NS "\">\n"
        "  <wsdl:types>\n"
        "    <xsd:schema targetNamespace=\"" SL_ECHO_NS "\" elementFormDefault=\"qualified\">\n"
        "      <xsd:element name=\"Echo\"><xsd:complexType><xsd:sequence>\n"
        "        <xsd:element name=\"%.*s\" type=\"xsd:string\"/>\n"
        "      </xsd:sequence></xsd:complexType></xsd:element>\n"
        "      <xsd:element name=\"EchoResponse\"><xsd:complexType><xsd:sequence>\n"
        "        <xsd:element name=\"%.*s\" type=\"xsd:string\"/>\n"
        "      </xsd:sequence></xsd:complexType></xsd:element>\n"
        "    </xsd:schema>\n"
        "  </wsdl:types>\n"
        "  <wsdl:message name=\"EchoRequest\"><wsdl:part name=\"parameters\" "
        "element=\"e:Echo\"/></wsdl:message>\n"
        "  <wsdl:message name=\"EchoResponse\"><wsdl:part name=\"parameters\" "
        "element=\"e:EchoResponse\"/></wsdl:message>\n"
        "  <wsdl:portType name=\"EchoPortType\">\n"
        "    <wsdl:operation name=\"Echo\">\n"
        "      <wsdl:input message=\"e:EchoRequest\"/>\n"
        "      <wsdl:output message=\"e:EchoResponse\"/>\n"
        "    </wsdl:operation>\n"
        "  </wsdl:portType>\n"
        "  <wsdl:binding name=\"EchoSoap11\" type=\"e:EchoPortType\">\n"
        "    <soap:binding style=\"document\" "
        "transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n"
        "    <wsdl:operation name=\"Echo\">\n"
        "      <soap:operation soapAction=\"" SL_ECHO_NS "#Echo\"/>\n"
        "      <wsdl:input><soap:body use=\"literal\"/></wsdl:input>\n"
        "      <wsdl:output><soap:body use=\"literal\"/></wsdl:output>\n"
        "    </wsdl:operation>\n"
        "  </wsdl:binding>\n"
        "  <wsdl:binding name=\"EchoSoap12\" type=\"e:EchoPortType\">\n"
        "    <soap12:binding style=\"document\" "
        "transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n"
        "    <wsdl:operation name=\"Echo\">\n"
        "      <soap12:operation soapAction=\"" SL_ECHO_NS "#Echo\"/>\n"
        "      <wsdl:input><soap12:body use=\"literal\"/></wsdl:input>\n"
        "      <wsdl:output><soap12:body use=\"literal\"/></wsdl:output>\n"
        "    </wsdl:operation>\n"
        "  </wsdl:binding>\n"
        "  <wsdl:service name=\"SoaploadEcho\">\n"
        "    <wsdl:port name=\"EchoSoap11\" binding=\"e:EchoSoap11\"><soap:address "
        "location=\"%s\"/></wsdl:port>\n"
        "    <wsdl:port name=\"EchoSoap12\" binding=\"e:EchoSoap12\"><soap12:address "
        "location=\"%s\"/></wsdl:port>\n"
        "  </wsdl:service>\n"
        "</wsdl:definitions>\n",
        (int)n.len, n.ptr, (int)n.len, n.ptr, url, url);
    return len < 0 || (size_t)len >= cap ? 0 : (size_t)len;
}
