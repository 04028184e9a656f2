/*
 * test_xml: ID extraction and escaping on tricky inputs: prefixes, namespaces, CDATA,
 * entities, whitespace, DTDs, malformed documents and IDs at the very edge of the buffer.
 */
#include <stdlib.h>

#include "unit.h"
#include "core/xml.h"

static char id[64];

static int scan(const char *doc, sl_xml_scan_t *s)
{
    s->want = (sl_span_t){"RequestId", 9};
    s->id = id;
    s->id_cap = sizeof(id);
    return sl_xml_scan(doc, strlen(doc), s);
}

#define ENV11(body)                                                                                \
    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>" body     \
    "</soap:Body></soap:Envelope>"

static void test_plain_and_prefixes(void)
{
    sl_xml_scan_t s;
    CHECK(scan(ENV11("<m:Echo xmlns:m=\"urn:x\"><m:RequestId>P1-R1</m:RequestId></m:Echo>"), &s) ==
          0);
    CHECK(s.flags & SL_XML_ID_FOUND);
    CHECK_STR(id, "P1-R1");
    CHECK(s.root_local.len == 8 && memcmp(s.root_local.ptr, "Envelope", 8) == 0);
    CHECK(s.root_ns.len == strlen("http://schemas.xmlsoap.org/soap/envelope/"));

    CHECK(scan(ENV11("<Echo xmlns=\"urn:x\"><RequestId>abc</RequestId></Echo>"), &s) == 0);
    CHECK_STR(id, "abc");
    /* a name that merely ends like the wanted one is another element */
    CHECK(scan(ENV11("<x:MyRequestId>no</x:MyRequestId><y:RequestId>yes</y:RequestId>"), &s) == 0);
    CHECK_STR(id, "yes");
    /* the first occurrence wins */
    CHECK(scan(ENV11("<a:RequestId>one</a:RequestId><b:RequestId>two</b:RequestId>"), &s) == 0);
    CHECK_STR(id, "one");
    /* default namespace on the root */
    CHECK(scan("<Envelope xmlns=\"http://www.w3.org/2003/05/soap-envelope\"><Body><RequestId>z"
               "</RequestId></Body></Envelope>",
               &s) == 0);
    CHECK(s.root_ns.len == strlen("http://www.w3.org/2003/05/soap-envelope"));
}

static void test_text_forms(void)
{
    sl_xml_scan_t s;
    CHECK(scan(ENV11("<RequestId>\n\t  P42-R7 \r\n</RequestId>"), &s) == 0);
    CHECK_STR(id, "P42-R7");
    CHECK(scan(ENV11("<RequestId><![CDATA[a<b>&c]]></RequestId>"), &s) == 0);
    CHECK_STR(id, "a<b>&c");
    CHECK(scan(ENV11("<RequestId>x&amp;y&lt;z&gt;&quot;&apos;</RequestId>"), &s) == 0);
    CHECK_STR(id, "x&y<z>\"'");
    CHECK(scan(ENV11("<RequestId>&#65;&#x42;&#xe9;&#x20AC;</RequestId>"), &s) == 0);
    CHECK_STR(id, "AB\xc3\xa9\xe2\x82\xac");
    CHECK(scan(ENV11("<RequestId>P1<!-- note -->-R2</RequestId>"), &s) == 0);
    CHECK_STR(id, "P1-R2");
    CHECK(scan(ENV11("<RequestId/>"), &s) == 0);
    CHECK((s.flags & SL_XML_ID_FOUND) && s.id_len == 0);
    CHECK(scan(ENV11("<RequestId>a<b>c</b></RequestId>"), &s) == 0);
    CHECK(s.flags & SL_XML_ID_COMPLEX);
    CHECK(scan(ENV11("<Other>P1</Other>"), &s) == 0);
    CHECK(!(s.flags & SL_XML_ID_FOUND));
}

static void test_edges(void)
{
    sl_xml_scan_t s;
    /* 63 bytes fit a 64-byte buffer with its NUL; 64 do not */
    char doc[512], text[80];
    memset(text, 'x', 63);
    text[63] = '\0';
    snprintf(doc, sizeof(doc), ENV11("<RequestId>%s</RequestId>"), text);
    CHECK(scan(doc, &s) == 0);
    CHECK_EQ_U(s.id_len, 63);
    memset(text, 'x', 64);
    text[64] = '\0';
    snprintf(doc, sizeof(doc), ENV11("<RequestId>%s</RequestId>"), text);
    CHECK(scan(doc, &s) == 0);
    CHECK(s.flags & SL_XML_ID_TOO_LONG);
    CHECK_EQ_U(s.id_len, 0);

    /* the document ends exactly where the ID's end tag ends: no read past it */
    const char *tight = "<RequestId>END</RequestId>";
    size_t n = strlen(tight);
    char *heap = malloc(n); /* no NUL: ASan catches any read past the end */
    memcpy(heap, tight, n);
    s.want = (sl_span_t){"RequestId", 9};
    s.id = id;
    s.id_cap = sizeof(id);
    CHECK(sl_xml_scan(heap, n, &s) == 0);
    CHECK_STR(id, "END");
    /* and every truncation of it is malformed, never a crash */
    for (size_t cut = 0; cut < n; cut++)
        CHECK(sl_xml_scan(heap, cut, &s) == -1);
    free(heap);

    CHECK(scan("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c --><r><RequestId>1</RequestId></r>\n",
               &s) == 0);
    CHECK_STR(id, "1");
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "",
        "   ",
        "<a>",
        "<a></b>",
        "<a><b></a></b>",
        "<a x=1/>",
        "<a x=\"1\"y=\"2\"/>",
        "<a>&unknown;</a>",
        "<a>&#0;</a>",
        "<a>&#xD800;</a>",
        "<a>&#12</a>",
        "<a/><b/>",
        "text<a/>",
        "<a/>text",
        "<a><!-- unterminated </a>",
        "<a><![CDATA[ never closed </a>",
        "<a x=\"<\"/>",
        "</a>",
        "<1a/>",
    };
    sl_xml_scan_t s;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = scan(bad[i], &s);
        CHECK(rc == -1);
        CHECK(s.flags & SL_XML_MALFORMED);
        CHECK(s.error != NULL);
        if (rc != -1)
            fprintf(stderr, "  accepted: %s\n", bad[i]);
    }
}

static void test_dtd_refused(void)
{
    sl_xml_scan_t s;
    CHECK(scan("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><a>&lol;</a>", &s) ==
          -1);
    CHECK(s.flags & SL_XML_DOCTYPE);
    CHECK(scan("<a><!ENTITY x \"y\"></a>", &s) == -1);
    CHECK(s.flags & SL_XML_DOCTYPE);
}

static void test_fault(void)
{
    sl_xml_scan_t s;
    CHECK(scan(ENV11("<soap:Fault><faultcode>soap:Server</faultcode></soap:Fault>"), &s) == 0);
    CHECK(s.flags & SL_XML_FAULT);
    CHECK(scan(ENV11("<x:Echo><Fault>not at the top of the body</Fault></x:Echo>"), &s) == 0);
    CHECK(!(s.flags & SL_XML_FAULT));
}

static void test_escape(void)
{
    const char *in = "a&b<c>d\"e'f";
    char out[64];
    size_t n = sl_xml_escape(in, strlen(in), out);
    CHECK_EQ_U(n, sl_xml_escaped_len(in, strlen(in)));
    out[n] = '\0';
    CHECK_STR(out, "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    /* escaping then scanning gives the original back */
    char doc[256];
    snprintf(doc, sizeof(doc), "<RequestId>%s</RequestId>", out);
    sl_xml_scan_t s;
    CHECK(scan(doc, &s) == 0);
    CHECK_STR(id, in);
    CHECK_EQ_U(sl_xml_escape("", 0, out), 0);
}

int main(void)
{
    test_plain_and_prefixes();
    test_text_forms();
    test_edges();
    test_malformed();
    test_dtd_refused();
    test_fault();
    test_escape();
    return check_report();
}
