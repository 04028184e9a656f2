/*
 * wsse_sign: one SOAP message signed (see wsse_sign.h): the key's forms that go into messages
 * (the certificate's Base64, issuer, serial, subject key identifier) made once, then per
 * message a Timestamp, the token and an xmlsec signature template filled in by xmlsec.
 */
#include "core/wsse_sign.h"

#include <math.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <libxml/xmlsave.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include "core/soapns.h"
#include "core/wsse_opts.h"
#include "core/wsse_verify.h"

#define WSSE_NS SL_WSSE_NS
#define WSU_NS SL_WSU_NS
#define X509_PROFILE                                                                               \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
#define BASE64_BINARY                                                                              \
    "http://docs.oasis-open.org/wss/2004/01/"                                                      \
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary"
#define SOAP11_NS SL_SOAP11_NS
#define SOAP12_NS SL_SOAP12_NS
#define ID_TS "TS-1"
#define ID_BST "X509-1"
#define ID_BODY "Body-1"

struct sl_wsse_signer {
    xmlSecKeyPtr key;
    char *bst;    /* Base64 of the certificate's DER */
    char *ski;    /* Base64 of its subject key identifier, or NULL */
    char *issuer; /* its issuer, RFC 2253 */
    char *serial; /* its serial number, decimal */
    xmlSecTransformId sign_alg, digest_alg;
    int key_ref; /* SL_WSSE_REF_* */
    double ttl_s;
    int xmlsec_held; /* sl_xmlsec_acquire succeeded */
};

/* ---- the signer ------------------------------------------------------------------------- */

static char *base64(const unsigned char *p, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    if (out != NULL)
        EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

/* The certificate's forms that go into messages. Returns 0, or -1 (out of memory). */
static int cert_forms(sl_wsse_signer_t *sg, X509 *cert)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    if (n <= 0)
        return -1;
    sg->bst = base64(der, (size_t)n);
    OPENSSL_free(der);
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(cert);
    if (ski != NULL)
        sg->ski = base64(ASN1_STRING_get0_data(ski), (size_t)ASN1_STRING_length(ski));
    BIO *b = BIO_new(BIO_s_mem());
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *dec = bn != NULL ? BN_bn2dec(bn) : NULL;
    if (b != NULL && X509_NAME_print_ex(b, X509_get_issuer_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
        char *data;
        long len = BIO_get_mem_data(b, &data);
        sg->issuer = strndup(data, (size_t)len);
    }
    sg->serial = dec != NULL ? strdup(dec) : NULL;
    OPENSSL_free(dec);
    BN_free(bn);
    BIO_free(b);
    return sg->bst != NULL && sg->issuer != NULL && sg->serial != NULL ? 0 : -1;
}

sl_wsse_signer_t *sl_wsse_sign_open(EVP_PKEY *pkey, X509 *cert, int alg, int key_ref,
                                    uint64_t ttl_ns, char *err, size_t errlen)
{
    sl_wsse_signer_t *sg = calloc(1, sizeof(*sg));
    if (sg == NULL || sl_xmlsec_acquire() != 0) {
        snprintf(err, errlen, "cannot initialise xmlsec");
        free(sg);
        EVP_PKEY_free(pkey);
        return NULL;
    }
    sg->xmlsec_held = 1;
    sg->key_ref = key_ref;
    sg->ttl_s = (double)ttl_ns / 1e9;
    sg->sign_alg = alg == SL_WSSE_ALG_RSA_SHA1       ? xmlSecTransformRsaSha1Id
                   : alg == SL_WSSE_ALG_ECDSA_SHA256 ? xmlSecTransformEcdsaSha256Id
                                                     : xmlSecTransformRsaSha256Id;
    sg->digest_alg = alg == SL_WSSE_ALG_RSA_SHA1 ? xmlSecTransformSha1Id : xmlSecTransformSha256Id;
    if (cert_forms(sg, cert) != 0) {
        snprintf(err, errlen, "out of memory");
        goto Error;
    }
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (data == NULL) {
        snprintf(err, errlen, "xmlsec does not take the key: %s", sl_xmlsec_last_error());
        goto Error;
    }
    pkey = NULL; /* the key data owns it now */
    if ((sg->key = xmlSecKeyCreate()) == NULL || xmlSecKeySetValue(sg->key, data) < 0) {
        xmlSecKeyDataDestroy(data);
        snprintf(err, errlen, "xmlsec does not take the key: %s", sl_xmlsec_last_error());
        goto Error;
    }
    return sg;
Error:
    EVP_PKEY_free(pkey);
    sl_wsse_sign_close(sg);
    return NULL;
}

void sl_wsse_sign_close(sl_wsse_signer_t *sg)
{
    if (sg == NULL)
        return;
    if (sg->key != NULL)
        xmlSecKeyDestroy(sg->key);
    free(sg->bst);
    free(sg->ski);
    free(sg->issuer);
    free(sg->serial);
    int held = sg->xmlsec_held;
    free(sg);
    if (held)
        sl_xmlsec_release();
}

/* ---- the envelope ----------------------------------------------------------------------- */

static int named(const xmlNode *n, const char *ns, const char *local)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0 &&
           n->ns != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

static xmlNodePtr child_named(xmlNodePtr parent, const char *ns, const char *local)
{
    for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
        if (named(c, ns, local))
            return c;
    return NULL;
}

/* Puts n first among parent's children. */
static void prepend(xmlNodePtr parent, xmlNodePtr n)
{
    if (parent->children != NULL)
        xmlAddPrevSibling(parent->children, n);
    else
        xmlAddChild(parent, n);
}

/* The namespace `href` in scope at n, declared on n with `prefix` when there is none. */
static xmlNsPtr ns_at(xmlDocPtr doc, xmlNodePtr n, const char *href, const char *prefix)
{
    xmlNsPtr ns = xmlSearchNsByHref(doc, n, BAD_CAST href);
    return ns != NULL ? ns : xmlNewNs(n, BAD_CAST href, BAD_CAST prefix);
}

/* Gives n the wsu:Id `id` unless it has one; registers it as an ID. Returns the ID. */
static const xmlChar *give_id(xmlDocPtr doc, xmlNodePtr n, const char *id)
{
    xmlAttrPtr a = xmlHasNsProp(n, BAD_CAST "Id", BAD_CAST WSU_NS);
    if (a == NULL)
        a = xmlSetNsProp(n, ns_at(doc, n, WSU_NS, "wsu"), BAD_CAST "Id", BAD_CAST id);
    xmlChar *value = xmlNodeListGetString(doc, a->children, 1);
    if (xmlGetID(doc, value) == NULL)
        xmlAddID(NULL, doc, value, a);
    xmlFree(value);
    return a->children != NULL ? a->children->content : BAD_CAST id;
}

static void format_time(double epoch, char *buf, size_t cap)
{
    char day[32];
    time_t secs = (time_t)floor(epoch);
    unsigned ms = (unsigned)((epoch - floor(epoch)) * 1000) % 1000;
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, cap, "%s.%03uZ", day, ms);
}

int sl_wsse_envelope(xmlDocPtr doc, sl_wsse_envelope_t *e, char *err, size_t errlen)
{
    memset(e, 0, sizeof(*e));
    e->env = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
    if (e->env == NULL) {
        snprintf(err, errlen, "wsse: the body to sign is not well-formed XML");
        return -1;
    }
    e->soap12 = named(e->env, SOAP12_NS, "Envelope");
    if (!e->soap12 && !named(e->env, SOAP11_NS, "Envelope")) {
        snprintf(err, errlen, "wsse: the body to sign is not a SOAP 1.1 or 1.2 Envelope");
        return -1;
    }
    const char *soap_ns = (const char *)e->env->ns->href;
    if ((e->body = child_named(e->env, soap_ns, "Body")) == NULL) {
        snprintf(err, errlen, "wsse: the envelope to sign has no Body");
        return -1;
    }
    if ((e->header = child_named(e->env, soap_ns, "Header")) == NULL) {
        e->header = xmlNewDocNode(doc, e->env->ns, BAD_CAST "Header", NULL);
        prepend(e->env, e->header);
    }
    return 0;
}

xmlNodePtr sl_wsse_security(xmlDocPtr doc, const sl_wsse_envelope_t *e)
{
    xmlNodePtr sec = child_named(e->header, WSSE_NS, "Security");
    if (sec == NULL) {
        sec = xmlNewDocNode(doc, NULL, BAD_CAST "Security", NULL);
        xmlSetNs(sec, xmlNewNs(sec, BAD_CAST WSSE_NS, BAD_CAST "wsse"));
        xmlSetNsProp(sec, e->env->ns, BAD_CAST "mustUnderstand",
                     BAD_CAST(e->soap12 ? "true" : "1"));
        prepend(e->header, sec);
    }
    return sec;
}

/* Whether n is what part names (see sl_wsse_find_parts). */
static int is_part(xmlNodePtr n, const char *part)
{
    if (n->type != XML_ELEMENT_NODE || named(n, WSSE_NS, "Security"))
        return 0;
    if (part[0] == '#') {
        xmlChar *id = xmlGetNsProp(n, BAD_CAST "Id", BAD_CAST WSU_NS);
        int same = id != NULL && strcmp((const char *)id, part + 1) == 0;
        xmlFree(id);
        return same;
    }
    if (part[0] != '{')
        return strcmp((const char *)n->name, part) == 0;
    const char *close = strchr(part, '}');
    size_t ns_len = (size_t)(close - part - 1);
    return strcmp((const char *)n->name, close + 1) == 0 && n->ns != NULL &&
           strlen((const char *)n->ns->href) == ns_len &&
           memcmp(n->ns->href, part + 1, ns_len) == 0;
}

int sl_wsse_find_parts(const sl_wsse_envelope_t *e, const char *part, xmlNodePtr *out, int cap)
{
    int n = 0;
    for (xmlNodePtr c = e->header->children; c != NULL && n < cap; c = c->next)
        if (is_part(c, part))
            out[n++] = c;
    return n;
}

/* ---- one message ------------------------------------------------------------------------ */

/* The token's, the Timestamp's and the key reference's elements in sec; the Timestamp's ID. */
static const xmlChar *add_token_and_timestamp(sl_wsse_signer_t *sg, xmlDocPtr doc, xmlNodePtr sec,
                                              xmlNodePtr key_info)
{
    xmlNsPtr wsse = ns_at(doc, sec, WSSE_NS, "wsse"), wsu = ns_at(doc, sec, WSU_NS, "wsu");
    char created[64], expires[64];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double t = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    format_time(t, created, sizeof(created));
    format_time(t + sg->ttl_s, expires, sizeof(expires));

    /* after what the script put in the header (a UsernameToken), before the Signature: the
     * mock reads the first Created as the UsernameToken's */
    xmlNodePtr ts = xmlNewDocNode(doc, wsu, BAD_CAST "Timestamp", NULL);
    xmlNewChild(ts, wsu, BAD_CAST "Created", BAD_CAST created);
    xmlNewChild(ts, wsu, BAD_CAST "Expires", BAD_CAST expires);
    xmlAddPrevSibling(key_info->parent, ts);
    const xmlChar *ts_id = give_id(doc, ts, ID_TS);

    xmlNodePtr str = xmlNewChild(key_info, wsse, BAD_CAST "SecurityTokenReference", NULL);
    if (sg->key_ref == SL_WSSE_REF_BST) {
        xmlNodePtr bst = xmlNewDocNode(doc, wsse, BAD_CAST "BinarySecurityToken", BAD_CAST sg->bst);
        xmlNewProp(bst, BAD_CAST "EncodingType", BAD_CAST BASE64_BINARY);
        xmlNewProp(bst, BAD_CAST "ValueType", BAD_CAST X509_PROFILE "#X509v3");
        xmlAddNextSibling(ts, bst);
        give_id(doc, bst, ID_BST);
        xmlNodePtr ref = xmlNewChild(str, wsse, BAD_CAST "Reference", NULL);
        xmlNewProp(ref, BAD_CAST "URI", BAD_CAST "#" ID_BST);
        xmlNewProp(ref, BAD_CAST "ValueType", BAD_CAST X509_PROFILE "#X509v3");
    } else if (sg->key_ref == SL_WSSE_REF_SKI) {
        xmlNodePtr ki = xmlNewChild(str, wsse, BAD_CAST "KeyIdentifier", BAD_CAST sg->ski);
        xmlNewProp(ki, BAD_CAST "EncodingType", BAD_CAST BASE64_BINARY);
        xmlNewProp(ki, BAD_CAST "ValueType", BAD_CAST X509_PROFILE "#X509SubjectKeyIdentifier");
    } else {
        xmlNsPtr ds = key_info->ns;
        xmlNodePtr data = xmlNewChild(str, ds, BAD_CAST "X509Data", NULL);
        xmlNodePtr is = xmlNewChild(data, ds, BAD_CAST "X509IssuerSerial", NULL);
        xmlNewTextChild(is, ds, BAD_CAST "X509IssuerName", BAD_CAST sg->issuer);
        xmlNewChild(is, ds, BAD_CAST "X509SerialNumber", BAD_CAST sg->serial);
    }
    return ts_id;
}

/* A wsu:Id for n: its local name and a number no element of doc holds yet ("Action-1"). */
static const xmlChar *part_id(xmlDocPtr doc, xmlNodePtr n)
{
    char id[128];
    for (int k = 1;; k++) {
        snprintf(id, sizeof(id), "%.100s-%d", (const char *)n->name, k);
        if (xmlGetID(doc, BAD_CAST id) == NULL)
            return give_id(doc, n, id);
    }
}

int sl_wsse_sign_doc(sl_wsse_signer_t *sg, xmlDocPtr doc, const sl_wsse_envelope_t *e,
                     xmlNodePtr *extra, int nextra, char *err, size_t errlen)
{
    char uri[256];
    xmlNodePtr sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId, sg->sign_alg,
                                                     NULL, BAD_CAST "ds");
    if (sig == NULL)
        goto Failed;
    xmlAddChild(sl_wsse_security(doc, e), sig);
    xmlNodePtr key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
    const xmlChar *ts_id = add_token_and_timestamp(sg, doc, sig->parent, key_info);
    const xmlChar *body_id = give_id(doc, e->body, ID_BODY);
    for (int i = -2; i < nextra; i++) {
        const xmlChar *id = i == -2   ? ts_id
                            : i == -1 ? body_id
                                      : (xmlHasNsProp(extra[i], BAD_CAST "Id", BAD_CAST WSU_NS)
                                             ? give_id(doc, extra[i], "")
                                             : part_id(doc, extra[i]));
        snprintf(uri, sizeof(uri), "#%s", (const char *)id);
        xmlNodePtr ref =
            xmlSecTmplSignatureAddReference(sig, sg->digest_alg, NULL, BAD_CAST uri, NULL);
        if (ref == NULL || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == NULL)
            goto Failed;
    }
    xmlSecDSigCtx ctx;
    if (xmlSecDSigCtxInitialize(&ctx, NULL) < 0)
        goto Failed;
    ctx.signKey = sg->key; /* borrowed: given back before the context is let go */
    int signed_ok = xmlSecDSigCtxSign(&ctx, sig) >= 0;
    ctx.signKey = NULL;
    xmlSecDSigCtxFinalize(&ctx);
    if (signed_ok)
        return 0;
Failed:
    snprintf(err, errlen, "wsse: xmlsec could not sign: %s", sl_xmlsec_last_error());
    return -1;
}

/* xmlSaveToIO's writer: appends to the sl_buf_t. */
static int write_out(void *ctx, const char *p, int n)
{
    return sl_buf_append(ctx, p, (size_t)n) == 0 ? n : -1;
}

static int close_out(void *ctx)
{
    (void)ctx;
    return 0;
}

int sl_wsse_write_doc(xmlDocPtr doc, sl_buf_t *out, char *err, size_t errlen)
{
    sl_buf_clear(out);
    xmlSaveCtxtPtr save = xmlSaveToIO(write_out, close_out, out, "UTF-8", XML_SAVE_NO_DECL);
    if (save == NULL || xmlSaveDoc(save, doc) < 0) {
        if (save != NULL)
            xmlSaveClose(save);
        snprintf(err, errlen, "wsse: out of memory writing the signed body");
        return -1;
    }
    xmlSaveClose(save);
    return 0;
}

int sl_wsse_sign_text(sl_wsse_signer_t *sg, const char *in, size_t len, sl_buf_t *out, char *err,
                      size_t errlen)
{
    sl_wsse_envelope_t e;
    /* quiet: libxml2's error handler is per thread, and the mock's server threads set none */
    xmlDocPtr doc = len <= INT32_MAX
                        ? xmlReadMemory(in, (int)len, NULL, NULL,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                        : NULL;
    int rc = sl_wsse_envelope(doc, &e, err, errlen) == 0 &&
                     sl_wsse_sign_doc(sg, doc, &e, NULL, 0, err, errlen) == 0 &&
                     sl_wsse_write_doc(doc, out, err, errlen) == 0
                 ? 0
                 : -1;
    xmlFreeDoc(doc);
    return rc;
}
