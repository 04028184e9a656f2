/*
 * test_xmltree: namespaces resolved (default, prefixed, redeclared), every match found in
 * document order, attributes, decoded text; the same strictness as the scanner.
 */
#include "unit.h"
#include "core/xmltree.h"

static sl_xtree_t *parse(const char *doc, char *err)
{
    return sl_xtree_parse(doc, strlen(doc), err, 200);
}

int main(void)
{
    char err[200];
    const char *doc =
        "<?xml version=\"1.0\"?>\n"
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns=\"urn:d\">"
        "<s:Body><o:Orders xmlns:o=\"urn:orders\" count='2'>"
        "<o:Order id=\"1\"><o:Item>a &amp; b</o:Item></o:Order>"
        "<o:Order id=\"2\" xmlns:o=\"urn:other\"><o:Item><![CDATA[<c>]]></o:Item></o:Order>"
        "<Plain>x&#x41;&#66;</Plain>"
        "</o:Orders></s:Body></s:Envelope>";
    sl_xtree_t *t = parse(doc, err);
    CHECK(t != NULL);
    sl_xnode_t *root = sl_xtree_root(t);
    CHECK_STR(root->local, "Envelope");
    CHECK_STR(root->ns, "http://www.w3.org/2003/05/soap-envelope");
    sl_xnode_t *body = sl_xnode_child(root, "http://www.w3.org/2003/05/soap-envelope", "Body");
    CHECK(body != NULL);
    sl_xnode_t *orders = sl_xnode_child(body, "urn:orders", "Orders");
    CHECK(orders != NULL);
    CHECK_STR(sl_xnode_attr(orders, "", "count"), "2");
    CHECK(sl_xnode_attr(orders, "", "missing") == NULL);

    /* every Order in document order; the second one's prefix was redeclared */
    sl_xnode_t *o = sl_xnode_next_match(root, root, NULL, "Order");
    CHECK(o != NULL && strcmp(o->ns, "urn:orders") == 0);
    CHECK_STR(sl_xnode_attr(o, NULL, "id"), "1");
    sl_xnode_t *item = sl_xnode_child(o, "urn:orders", "Item");
    CHECK(item != NULL);
    CHECK_STR(item->text, "a & b");
    o = sl_xnode_next_match(root, o, NULL, "Order");
    CHECK(o != NULL && strcmp(o->ns, "urn:other") == 0);
    CHECK_STR(sl_xnode_child(o, "urn:other", "Item")->text, "<c>");
    CHECK(sl_xnode_next_match(root, o, NULL, "Order") == NULL);
    /* by namespace: only the first Order is urn:orders */
    int n = 0;
    for (sl_xnode_t *m = sl_xnode_next_match(root, root, "urn:orders", "Order"); m != NULL;
         m = sl_xnode_next_match(root, m, "urn:orders", "Order"))
        n++;
    CHECK_EQ_U(n, 1);
    /* the default namespace applies to unprefixed elements, not to attributes */
    sl_xnode_t *plain = sl_xnode_next_match(root, root, "urn:d", "Plain");
    CHECK(plain != NULL);
    CHECK_STR(plain->text, "xAB");
    CHECK_STR(sl_xnode_lookup_ns(plain, "o"), "urn:orders");
    CHECK_STR(sl_xnode_lookup_ns(plain, ""), "urn:d");
    /* an element's own text leaves its children's out */
    sl_xtree_free(t);
    t = parse("<a>one<b>two</b>three</a>", err);
    CHECK(t != NULL);
    CHECK_STR(sl_xtree_root(t)->text, "onethree");
    CHECK_STR(sl_xtree_root(t)->first_child->text, "two");
    sl_xtree_free(t);

    /* refused, with where and why */
    static const struct {
        const char *doc, *why;
    } bad[] = {
        {"<a><b></a>", "end tag does not match"},
        {"<p:a/>", "undeclared namespace prefix"},
        {"<!DOCTYPE a [<!ENTITY x \"y\">]><a/>", "DTDs"},
        {"<a x='1' x='2'/>", "attribute given twice"},
        {"<a>&bogus;</a>", "undeclared entity"},
        {"<a/><b/>", "content after the root element"},
        {"<a>", "document ends inside an element"},
        {"", "no root element"},
        {"<a xmlns:p=''/>", "empty URI"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(parse(bad[i].doc, err) == NULL);
        CHECK(strstr(err, bad[i].why) != NULL);
        CHECK(strncmp(err, "byte ", 5) == 0);
    }
    return check_report();
}
