/*
 * test_wsdl: the sample bodies `soapload wsdl` writes, from WSDLs in temporary files:
 * qualified and unqualified elements and attributes, refs and groups, simple content,
 * derived simple types, recursion cut, the ID's element, the imports a local WSDL may read
 * (under its root), placeholders for what is not declared, the byte budget, substitution
 * groups, and the Lua literals and comments the script is written with.
 */
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/wsdl.h"
#include "tools/wsdl_gen.h"
#include "tools/wsdl_lua.h"

static char dir[64];

static const char *put_file(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

#define HEAD                                                                                       \
    "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\""                            \
    " xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\""                                        \
    " xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:t=\"urn:t\" targetNamespace=\"urn:t\">"

#define TAIL                                                                                       \
    "<wsdl:message name=\"In\"><wsdl:part name=\"p\" element=\"t:Op\"/></wsdl:message>"            \
    "<wsdl:portType name=\"PT\"><wsdl:operation name=\"Op\"><wsdl:input message=\"t:In\"/>"        \
    "</wsdl:operation></wsdl:portType>"                                                            \
    "<wsdl:binding name=\"B\" type=\"t:PT\"><soap:binding style=\"document\"/>"                    \
    "<wsdl:operation name=\"Op\"><soap:operation soapAction=\"urn:t#Op\"/>"                        \
    "<wsdl:input><soap:body use=\"literal\"/></wsdl:input></wsdl:operation></wsdl:binding>"        \
    "</wsdl:definitions>"

/* The body of the WSDL's only operation, or NULL with err. */
static char *body_of(const char *wsdl, const char *id_element, int *has_id, char *err)
{
    sl_wsdl_t *w = sl_wsdl_load(put_file("t.wsdl", wsdl), 0, err, 512);
    if (w == NULL)
        return NULL;
    sl_buf_t out = {0};
    char *r = NULL;
    if (sl_wsdl_gen_body(w, &w->ops[0], id_element, &out, has_id, NULL, err, 512) == 0)
        r = strdup(out.data ? out.data : "");
    sl_buf_free(&out);
    sl_wsdl_free(w);
    return r;
}

static int contains(const char *hay, const char *needle)
{
    int ok = hay != NULL && strstr(hay, needle) != NULL;
    if (!ok)
        fprintf(stderr, "  missing: %s\n  in: %s\n", needle, hay ? hay : "(null)");
    return ok;
}

int main(void)
{
    char err[512] = "";
    int has_id = 0;
    snprintf(dir, sizeof(dir), "/tmp/test_wsdl.XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;

    /* unqualified by default; a global element ref is qualified; attributes, groups */
    char *b = body_of(
        HEAD "<wsdl:types><xs:schema targetNamespace=\"urn:t\">"
             "<xs:element name=\"Op\"><xs:complexType><xs:sequence>"
             "<xs:element name=\"Id\" type=\"xs:string\"/>"
             "<xs:element ref=\"t:Global\"/>"
             "<xs:group ref=\"t:G\"/>"
             "<xs:element name=\"Amount\" type=\"t:Money\"/>"
             "<xs:element name=\"Kind\"><xs:simpleType><xs:restriction base=\"xs:token\">"
             "<xs:enumeration value=\"B2B\"/><xs:enumeration value=\"B2C\"/>"
             "</xs:restriction></xs:simpleType></xs:element>"
             "<xs:element name=\"Tags\" type=\"t:TagList\"/>"
             "<xs:element name=\"Code\" type=\"t:Code\"/>"
             "<xs:element name=\"Node\" type=\"t:Node\"/>"
             "<xs:any namespace=\"##other\" minOccurs=\"0\"/>"
             "</xs:sequence><xs:attributeGroup ref=\"t:AG\"/></xs:complexType></xs:element>"
             "<xs:element name=\"Global\" type=\"xs:int\"/>"
             "<xs:group name=\"G\"><xs:sequence><xs:element name=\"InGroup\" "
             "type=\"xs:boolean\"/></xs:sequence></xs:group>"
             "<xs:attributeGroup name=\"AG\"><xs:attribute name=\"version\" type=\"xs:int\" "
             "use=\"required\"/><xs:attribute name=\"lang\" type=\"xs:language\"/>"
             "</xs:attributeGroup>"
             "<xs:complexType name=\"Money\"><xs:simpleContent><xs:extension base=\"xs:decimal\">"
             "<xs:attribute name=\"currency\" type=\"xs:string\" fixed=\"EUR\" use=\"required\"/>"
             "</xs:extension></xs:simpleContent></xs:complexType>"
             "<xs:simpleType name=\"TagList\"><xs:list itemType=\"xs:NCName\"/></xs:simpleType>"
             "<xs:simpleType name=\"Code\"><xs:restriction base=\"xs:string\">"
             "<xs:maxLength value=\"3\"/></xs:restriction></xs:simpleType>"
             "<xs:complexType name=\"Node\"><xs:sequence><xs:element name=\"Value\" "
             "type=\"xs:date\"/><xs:element name=\"Next\" type=\"t:Node\" minOccurs=\"0\"/>"
             "</xs:sequence></xs:complexType>"
             "</xs:schema></wsdl:types>" TAIL,
        "Id", &has_id, err);
    CHECK(b != NULL);
    CHECK(contains(b, "<t:Op xmlns:t=\"urn:t\" version=\"1\">"));
    CHECK(contains(b, "<!-- optional attributes: lang -->"));
    CHECK(contains(b, "  <Id>\001</Id>"));
    CHECK(has_id);
    CHECK(contains(b, "<t:Global>1</t:Global>"));
    CHECK(contains(b, "<InGroup>true</InGroup>"));
    CHECK(contains(b, "<Amount currency=\"EUR\">1.50</Amount>"));
    CHECK(contains(b, "<Kind>B2B</Kind>"));
    CHECK(contains(b, "<Tags>string</Tags>"));
    CHECK(contains(b, "<Code>str</Code>"));
    CHECK(contains(b, "<Value>2024-01-31</Value>"));
    CHECK(contains(b, "<!-- Next: of type Node, which contains itself: left out -->"));
    CHECK(contains(b, "<!-- any element from ##other may go here -->"));
    free(b);

    /* qualified forms; no element named like the ID: no ID */
    b = body_of(HEAD "<wsdl:types><xs:schema targetNamespace=\"urn:t\" "
                     "elementFormDefault=\"qualified\" attributeFormDefault=\"qualified\">"
                     "<xs:element name=\"Op\"><xs:complexType><xs:choice>"
                     "<xs:element name=\"A\" type=\"xs:dateTime\"/>"
                     "<xs:element name=\"B\" type=\"xs:int\"/></xs:choice>"
                     "<xs:attribute name=\"at\" type=\"xs:int\" use=\"required\"/>"
                     "</xs:complexType></xs:element>"
                     "</xs:schema></wsdl:types>" TAIL,
                "RequestId", &has_id, err);
    CHECK(b != NULL);
    CHECK(contains(b, "<t:Op xmlns:t=\"urn:t\" t:at=\"1\">"));
    CHECK(contains(b, "<!-- choice: one of A | B; the first is written -->"));
    CHECK(contains(b, "<t:A>2024-01-31T12:00:00Z</t:A>"));
    CHECK(strstr(b ? b : "", "<t:B>") == NULL);
    CHECK(!has_id);
    free(b);

    /* rpc/literal: the wrapper in the soap:body namespace, only the parts= listed, parts by
     * type unqualified; a name with "--" cannot break the comment that names it */
    b = body_of(HEAD "<wsdl:types><xs:schema targetNamespace=\"urn:t\">"
                     "<xs:complexType name=\"P\"><xs:sequence><xs:element name=\"a--b\" "
                     "type=\"xs:short\" minOccurs=\"0\"/></xs:sequence></xs:complexType>"
                     "</xs:schema></wsdl:types>"
                     "<wsdl:message name=\"In\"><wsdl:part name=\"RequestId\" type=\"xs:string\"/>"
                     "<wsdl:part name=\"p\" type=\"t:P\"/><wsdl:part name=\"skip\" "
                     "type=\"xs:int\"/></wsdl:message>"
                     "<wsdl:portType name=\"PT\"><wsdl:operation name=\"Op\"><wsdl:input "
                     "message=\"t:In\"/></wsdl:operation></wsdl:portType>"
                     "<wsdl:binding name=\"B\" type=\"t:PT\"><soap:binding style=\"rpc\"/>"
                     "<wsdl:operation name=\"Op\"><wsdl:input><soap:body use=\"literal\" "
                     "namespace=\"urn:rpc\" parts=\"RequestId p\"/></wsdl:input>"
                     "</wsdl:operation></wsdl:binding></wsdl:definitions>",
                "RequestId", &has_id, err);
    CHECK(contains(b, "<ns1:Op xmlns:ns1=\"urn:rpc\">\n  <RequestId>\001</RequestId>\n"
                      "  <p>\n    <!-- optional (minOccurs=0): a-b -->\n    <a--b>1</a--b>\n"
                      "  </p>\n</ns1:Op>\n"));
    CHECK(has_id);
    free(b);

    /* a reference to a type nobody declares: a placeholder and a warning naming it */
    {
        sl_wsdl_t *m = sl_wsdl_load(put_file("t.wsdl", HEAD "<wsdl:types><xs:schema "
                                                            "targetNamespace=\"urn:t\">"
                                                            "<xs:element name=\"Op\" "
                                                            "type=\"t:Missing\"/>"
                                                            "</xs:schema></wsdl:types>" TAIL),
                                    0, err, sizeof(err));
        sl_wsdl_warnings_t warn = {0};
        sl_buf_t out = {0};
        CHECK(m != NULL && sl_wsdl_gen_body(m, &m->ops[0], "RequestId", &out, &has_id, &warn, err,
                                            sizeof(err)) == 0);
        CHECK(contains(out.data, "<t:Op xmlns:t=\"urn:t\">\n  <!-- element Op: type "
                                 "{urn:t}Missing is not declared: sample placeholder, write "
                                 "this part -->\n</t:Op>"));
        CHECK(warn.n == 1 && contains(warn.items[0], "operation Op: element Op: type "
                                                     "{urn:t}Missing is not declared: the "
                                                     "sample has a placeholder"));
        sl_buf_free(&out);
        sl_wsdl_warnings_free(&warn);
        sl_wsdl_free(m);
    }

    /* imports resolve from the importing file, up and down folders, under the root (the
     * WSDL's folder, or opts.root): what is outside it, or not fetched, is a warning */
    const char *imp = HEAD "<wsdl:types><xs:schema targetNamespace=\"urn:t\">"
                           "<xs:import namespace=\"urn:u\" schemaLocation=\"%s\"/>"
                           "</xs:schema></wsdl:types>" TAIL;
    char doc[4096], sub[160];
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof(sub), "%s/sub/deeper", dir);
    mkdir(sub, 0700);
    put_file("x.xsd", "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                      "targetNamespace=\"urn:u\"><xs:element name=\"X\"/></xs:schema>");
    put_file("sub/deeper/z.xsd", "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                                 "targetNamespace=\"urn:z\"><xs:import namespace=\"urn:u\" "
                                 "schemaLocation=\"../../x.xsd\"/></xs:schema>");
    char link_target[160], link_path[160];
    snprintf(link_target, sizeof(link_target), "%s/x.xsd", dir);
    snprintf(link_path, sizeof(link_path), "%s/sub/link.xsd", dir);
    CHECK(symlink(link_target, link_path) == 0);
    struct {
        const char *loc, *root, *warning;
        int offline, found;
    } cases[] = {
        {"../x.xsd", NULL, "../x.xsd is outside the root folder", 0, 0},
        {"../x.xsd", dir, NULL, 0, 1},
        {"deeper/z.xsd", dir, NULL, 0, 1}, /* down, then up two from z.xsd */
        {"deeper/z.xsd", NULL, "../../x.xsd is outside the root folder", 0, 0},
        {"link.xsd", NULL, "link.xsd is outside the root folder", 0, 0},
        {"/etc/hostname", NULL, "/etc/hostname is outside the root folder", 0, 0},
        {"file:///etc/hostname", NULL, "/etc/hostname is outside the root folder", 0, 0},
        {"nothere.xsd", NULL, "nothere.xsd: cannot open", 0, 0},
        {"http://127.0.0.1:1/x.xsd", NULL, "http://127.0.0.1:1/x.xsd: not fetched (--offline", 1,
         0},
        {"ftp://127.0.0.1/x.xsd", NULL, "only http://, https:// and files are read", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(doc, sizeof(doc), imp, cases[i].loc);
        sl_wsdl_opts_t o = {.root = cases[i].root, .offline = cases[i].offline};
        sl_wsdl_t *w = sl_wsdl_load_with(put_file("sub/i.wsdl", doc), &o, err, sizeof(err));
        CHECK(w != NULL);
        if (w == NULL)
            continue;
        CHECK((sl_wsdl_global(w, "element", "urn:u", "X") != NULL) == cases[i].found);
        CHECK(w->warnings.n == (cases[i].warning != NULL));
        if (cases[i].warning != NULL && w->warnings.n == 1) {
            CHECK(contains(w->warnings.items[0], cases[i].warning));
            CHECK(contains(w->warnings.items[0], "not read"));
        }
        sl_wsdl_free(w);
    }
    /* a root that is not a folder is an error */
    sl_wsdl_opts_t bad_root = {.root = link_target};
    CHECK(sl_wsdl_load_with(put_file("sub/i.wsdl", doc), &bad_root, err, sizeof(err)) == NULL);
    CHECK(contains(err, "x.xsd: not a folder"));
    put_file("u.xsd", "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                      "targetNamespace=\"urn:u\"><xs:element name=\"U\"/></xs:schema>");
    snprintf(doc, sizeof(doc), imp, "u.xsd");
    sl_wsdl_t *w = sl_wsdl_load(put_file("i.wsdl", doc), 0, err, sizeof(err));
    CHECK(w != NULL);
    CHECK(w != NULL && sl_wsdl_global(w, "element", "urn:u", "U") != NULL);
    sl_wsdl_free(w);

    /* wsdl:import: the messages and portType in another WSDL, the types in a schema */
    put_file("types.xsd", "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                          "targetNamespace=\"urn:ty\" elementFormDefault=\"qualified\">"
                          "<xs:element name=\"Ping\"><xs:complexType><xs:sequence>"
                          "<xs:element name=\"RequestId\" type=\"xs:string\"/>"
                          "</xs:sequence></xs:complexType></xs:element></xs:schema>");
    put_file("abstract.wsdl",
             "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" "
             "xmlns:ty=\"urn:ty\" xmlns:a=\"urn:a\" targetNamespace=\"urn:a\">"
             "<wsdl:import namespace=\"urn:ty\" location=\"types.xsd\"/>"
             "<wsdl:message name=\"In\"><wsdl:part name=\"p\" element=\"ty:Ping\"/>"
             "</wsdl:message><wsdl:portType name=\"PT\"><wsdl:operation name=\"Ping\">"
             "<wsdl:input message=\"a:In\"/></wsdl:operation></wsdl:portType>"
             "</wsdl:definitions>");
    w = sl_wsdl_load(put_file("main.wsdl",
                              "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" "
                              "xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\" "
                              "xmlns:a=\"urn:a\" targetNamespace=\"urn:m\" xmlns:m=\"urn:m\">"
                              "<wsdl:import namespace=\"urn:a\" location=\"abstract.wsdl\"/>"
                              "<wsdl:binding name=\"B\" type=\"a:PT\"><soap12:binding/>"
                              "<wsdl:operation name=\"Ping\"><soap12:operation "
                              "soapAction=\"urn:a#Ping\"/></wsdl:operation></wsdl:binding>"
                              "<wsdl:service name=\"S\"><wsdl:port name=\"P\" binding=\"m:B\">"
                              "<soap12:address location=\"http://h/p\"/></wsdl:port>"
                              "</wsdl:service></wsdl:definitions>"),
                     0, err, sizeof(err));
    CHECK(w != NULL);
    if (w != NULL) {
        CHECK_EQ_U(w->soap_version, 12);
        CHECK_STR(w->endpoint, "http://h/p");
        CHECK_EQ_U(w->nops, 1);
        CHECK_STR(w->ops[0].soap_action, "urn:a#Ping");
        sl_buf_t out = {0};
        CHECK(sl_wsdl_gen_body(w, &w->ops[0], "RequestId", &out, &has_id, NULL, err, sizeof(err)) ==
              0);
        CHECK(contains(out.data, "<ty:Ping xmlns:ty=\"urn:ty\">\n  <ty:RequestId>\001"));
        CHECK(has_id);
        sl_buf_free(&out);
    }
    sl_wsdl_free(w);
    CHECK(sl_wsdl_load(put_file("main.wsdl", "<x/>"), 0, err, sizeof(err)) == NULL);
    CHECK(contains(err, "main.wsdl: not a WSDL 1.1 document (root x, expected wsdl:definitions)"));

    /* a DTD is refused, naming the file */
    const char *dtd = put_file("d.wsdl", "<!DOCTYPE x [<!ENTITY e \"v\">]><x>&e;</x>");
    CHECK(sl_wsdl_load(dtd, 0, err, sizeof(err)) == NULL);
    CHECK(contains(err, "d.wsdl: not well-formed XML (or a DTD/entity, refused)"));

    /* a licence comment before the XML declaration is tolerated */
    b = body_of("<!-- licence -->\n<?xml version=\"1.0\"?>" HEAD
                "<wsdl:types><xs:schema targetNamespace=\"urn:t\">"
                "<xs:element name=\"Op\" type=\"xs:string\"/>"
                "</xs:schema></wsdl:types>" TAIL,
                "Op", &has_id, err);
    CHECK(contains(b, "<t:Op xmlns:t=\"urn:t\">\001</t:Op>"));
    free(b);

    /* Lua literals: quotes, backslashes and control bytes escaped; with a wrap, a newline
     * continues on the next line, a space after it escaped (\z would skip it); comments lose
     * their line breaks */
    {
        sl_buf_t lit = {0};
        const char bytes[] = "a\"b\\c\r\n d]]\001";
        sl_wsdl_lua_string(&lit, bytes, sizeof(bytes) - 1, NULL);
        CHECK_STR(lit.data, "\"a\\\"b\\\\c\\013\\010 d]]\\001\"");
        sl_buf_clear(&lit);
        sl_wsdl_lua_string(&lit, "x\n y\n", 5, "  ");
        CHECK_STR(lit.data, "\"x\\010\\z\n  \\032y\\010\"");
        sl_buf_clear(&lit);
        sl_wsdl_lua_comment(&lit, "S\nos.exit(1)\r--");
        CHECK_STR(lit.data, "S os.exit(1) --");
        sl_buf_clear(&lit);
        sl_wsdl_lua_xml_name(&lit, "1a<b\"c");
        CHECK_STR(lit.data, "_a_b_c");
        sl_buf_free(&lit);
    }

    /* an abstract element: the first member of its substitution group that is not abstract;
     * without one, a comment */
    b = body_of(HEAD "<wsdl:types><xs:schema targetNamespace=\"urn:t\" "
                     "elementFormDefault=\"qualified\">"
                     "<xs:element name=\"Op\"><xs:complexType><xs:sequence>"
                     "<xs:element ref=\"t:Shape\"/><xs:element ref=\"t:Lonely\"/>"
                     "</xs:sequence></xs:complexType></xs:element>"
                     "<xs:element name=\"Shape\" type=\"xs:string\" abstract=\"true\"/>"
                     "<xs:element name=\"Solid\" substitutionGroup=\"t:Shape\" "
                     "abstract=\"true\"/>"
                     "<xs:element name=\"Circle\" type=\"xs:int\" substitutionGroup=\"t:Shape\"/>"
                     "<xs:element name=\"Lonely\" type=\"xs:string\" abstract=\"true\"/>"
                     "</xs:schema></wsdl:types>" TAIL,
                "RequestId", &has_id, err);
    CHECK(contains(b, "<!-- Shape is abstract: its substitution group's first member: -->\n"
                      "  <t:Circle>1</t:Circle>\n"));
    CHECK(contains(b, "<!-- Lonely is abstract: write an element of its substitution group "
                      "here -->"));
    free(b);

    /* groups and attribute groups that contain themselves are cut, not followed forever;
     * types that each hold two of the next (16 levels: 65536 leaves) stop at the byte budget */
    sl_buf_t nested = {0};
    const char *top = HEAD "<wsdl:types><xs:schema targetNamespace=\"urn:t\">"
                           "<xs:element name=\"Op\"><xs:complexType><xs:sequence>"
                           "<xs:group ref=\"t:G\"/><xs:element name=\"T\" type=\"t:T0\"/>"
                           "</xs:sequence><xs:attributeGroup ref=\"t:AG\"/></xs:complexType>"
                           "</xs:element>"
                           "<xs:group name=\"G\"><xs:sequence><xs:group ref=\"t:G\"/>"
                           "</xs:sequence></xs:group>"
                           "<xs:attributeGroup name=\"AG\"><xs:attribute name=\"x\" "
                           "use=\"required\" type=\"xs:int\"/><xs:attributeGroup ref=\"t:AG\"/>"
                           "</xs:attributeGroup>";
    sl_buf_append(&nested, top, strlen(top));
    for (int i = 0; i < 16; i++) {
        char ct[256];
        snprintf(ct, sizeof(ct),
                 "<xs:complexType name=\"T%d\"><xs:sequence><xs:element name=\"a\" "
                 "type=\"t:T%d\"/><xs:element name=\"b\" type=\"t:T%d\"/></xs:sequence>"
                 "</xs:complexType>",
                 i, i + 1, i + 1);
        sl_buf_append(&nested, ct, strlen(ct));
    }
    const char *bottom = "<xs:simpleType name=\"T16\"><xs:restriction base=\"xs:string\"/>"
                         "</xs:simpleType></xs:schema></wsdl:types>" TAIL;
    sl_buf_append(&nested, bottom, strlen(bottom));
    b = body_of(nested.data, "RequestId", &has_id, err);
    sl_buf_free(&nested);
    CHECK(contains(b, "<t:Op xmlns:t=\"urn:t\" x=\"1\">\n"));
    CHECK(contains(b, "<!-- group t:G contains itself: left out -->"));
    CHECK(contains(b, "sample budget of 65536 bytes spent: the rest of this body is left out"));
    CHECK(b != NULL && strlen(b) < 2 * SL_WSDL_GEN_MAX_BYTES);
    free(b);

    const char *names[] = {"t.wsdl",    "i.wsdl",        "u.xsd",    "d.wsdl",
                           "types.xsd", "abstract.wsdl", "main.wsdl"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    const char *more[] = {"x.xsd", "sub/deeper/z.xsd", "sub/link.xsd", "sub/i.wsdl"};
    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
        char path[160];
        snprintf(path, sizeof(path), "%s/%s", dir, more[i]);
        unlink(path);
    }
    snprintf(sub, sizeof(sub), "%s/sub/deeper", dir);
    rmdir(sub);
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    rmdir(sub);
    rmdir(dir);
    return check_report();
}
