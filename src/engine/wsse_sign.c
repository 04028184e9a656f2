/*
 * wsse_sign: each request's envelope rewritten (see wsse_sign.h): parsed with libxml2, given
 * its WS-Addressing headers and its wsse:Security header, signed and encrypted by xmlsec with
 * the keys engine/wsse_keys.c read, and written out again.
 */
#include "engine/wsse_sign.h"

#include <math.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <libxml/xmlsave.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmlsec.h>

#include "core/soapns.h"
#include "core/wsse_verify.h"
#include "engine/wsse_encrypt.h"
#include "engine/wsse_keys.h"
#include "engine/wsa.h"

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
    const sl_config_t *cfg; /* the run's: --wsa and what its headers name */
    xmlSecKeyPtr key;
    char *bst;    /* Base64 of the certificate's DER */
    char *ski;    /* Base64 of its subject key identifier, or NULL */
    char *issuer; /* its issuer, RFC 2253 */
    char *serial; /* its serial number, decimal */
    xmlSecTransformId sign_alg, digest_alg;
    int key_ref; /* SL_WSSE_REF_* */
    double ttl_s;
    sl_buf_t spare;           /* the signed body's buffer, traded with the request's */
    int xmlsec_held;          /* sl_xmlsec_acquire succeeded */
    sl_wsse_encrypter_t *enc; /* --wsse-encrypt-cert, or NULL */
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

sl_wsse_signer_t *sl_wsse_sign_open(const sl_config_t *cfg, char *err, size_t errlen)
{
    const sl_wsse_opts_t *o = &cfg->wsse;
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    int alg = SL_WSSE_ALG_AUTO;
    if (sl_wsse_opts_signing(o) && sl_wsse_keys_load(o, &pkey, &cert, &alg, err, errlen) != 0)
        return NULL;
    sl_wsse_signer_t *sg = calloc(1, sizeof(*sg));
    if (sg == NULL || sl_xmlsec_acquire() != 0) {
        snprintf(err, errlen, "cannot initialise xmlsec");
        free(sg);
        sg = NULL;
        goto Error;
    }
    sg->xmlsec_held = 1;
    sg->cfg = cfg;
    if (o->encrypt_cert != NULL &&
        (sg->enc = sl_wsse_encrypt_open(o->encrypt_cert, o->encrypt_alg, err, errlen)) == NULL)
        goto Error;
    if (pkey == NULL) /* WS-Addressing alone: nothing to sign with */
        return sg;
    sg->key_ref = o->key_ref;
    sg->ttl_s = (double)o->ttl_ns / 1e9;
    sg->sign_alg = alg == SL_WSSE_ALG_RSA_SHA1       ? xmlSecTransformRsaSha1Id
                   : alg == SL_WSSE_ALG_ECDSA_SHA256 ? xmlSecTransformEcdsaSha256Id
                                                     : xmlSecTransformRsaSha256Id;
    sg->digest_alg = alg == SL_WSSE_ALG_RSA_SHA1 ? xmlSecTransformSha1Id : xmlSecTransformSha256Id;
    if (cert_forms(sg, cert) != 0) {
        snprintf(err, errlen, "out of memory");
        goto Error;
    }
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (data == NULL || (sg->key = xmlSecKeyCreate()) == NULL ||
        xmlSecKeySetValue(sg->key, data) < 0) {
        snprintf(err, errlen, "xmlsec does not take the key: %s", sl_xmlsec_last_error());
        goto Error;
    }
    X509_free(cert);
    return sg;
Error:
    X509_free(cert);
    if (sg == NULL || sg->key == NULL)
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
    sl_wsse_encrypt_close(sg->enc);
    free(sg->bst);
    free(sg->ski);
    free(sg->issuer);
    free(sg->serial);
    sl_buf_free(&sg->spare);
    int held = sg->xmlsec_held;
    free(sg);
    if (held)
        sl_xmlsec_release();
}

/* ---- one message ------------------------------------------------------------------------ */

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

/* The envelope's Header, made when missing. */
static xmlNodePtr header_of(xmlDocPtr doc, xmlNodePtr env)
{
    xmlNodePtr header = child_named(env, (const char *)env->ns->href, "Header");
    if (header == NULL) {
        header = xmlNewDocNode(doc, env->ns, BAD_CAST "Header", NULL);
        prepend(env, header);
    }
    return header;
}

/* The wsse:Security block of the Header, made when missing. */
static xmlNodePtr security_of(xmlDocPtr doc, xmlNodePtr env, xmlNodePtr header, int soap12)
{
    xmlNodePtr sec = child_named(header, WSSE_NS, "Security");
    if (sec == NULL) {
        sec = xmlNewDocNode(doc, NULL, BAD_CAST "Security", NULL);
        xmlSetNs(sec, xmlNewNs(sec, BAD_CAST WSSE_NS, BAD_CAST "wsse"));
        xmlSetNsProp(sec, env->ns, BAD_CAST "mustUnderstand", BAD_CAST(soap12 ? "true" : "1"));
        prepend(header, sec);
    }
    return sec;
}

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

/* Signs the Body, the Timestamp and the `nextra` headers in extra with the signer's key. Returns
 * 0, or -1 with err. */
static int sign_doc(sl_wsse_signer_t *sg, xmlDocPtr doc, xmlNodePtr sec, xmlNodePtr body,
                    xmlNodePtr *extra, int nextra, char *err, size_t errlen)
{
    static const char *const extra_ids[] = {"Action-1", "MessageID-1", "To-1", "ReplyTo-1"};
    char uri[256];
    xmlNodePtr sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId, sg->sign_alg,
                                                     NULL, BAD_CAST "ds");
    xmlAddChild(sec, sig);
    xmlNodePtr key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
    const xmlChar *ids[2 + SL_WSA_HEADERS] = {add_token_and_timestamp(sg, doc, sec, key_info),
                                              give_id(doc, body, ID_BODY)};
    for (int i = 0; i < nextra && i < SL_WSA_HEADERS; i++)
        ids[2 + i] = give_id(doc, extra[i], extra_ids[i]);
    for (int i = 0; i < 2 + nextra && i < 2 + SL_WSA_HEADERS; i++) {
        snprintf(uri, sizeof(uri), "#%s", (const char *)ids[i]);
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

/* Rewrites the envelope in `in` into out: WS-Addressing headers (--wsa), then the signature
 * (--wsse-sign-key). Returns 0, or -1 with why in err. */
static int rewrite(sl_wsse_signer_t *sg, const sl_request_t *req, const char *in, size_t len,
                   sl_buf_t *out, char *err, size_t errlen)
{
    int rc = -1, nwsa = 0;
    xmlNodePtr wsa[SL_WSA_HEADERS];
    xmlDocPtr doc =
        len <= INT32_MAX ? xmlReadMemory(in, (int)len, NULL, NULL, XML_PARSE_NONET) : NULL;
    xmlNodePtr env = doc != NULL ? xmlDocGetRootElement(doc) : NULL, body;
    if (env == NULL) {
        snprintf(err, errlen, "wsse: the body to sign is not well-formed XML");
        goto Done;
    }
    int soap12 = named(env, SOAP12_NS, "Envelope");
    if (!soap12 && !named(env, SOAP11_NS, "Envelope")) {
        snprintf(err, errlen, "wsse: the body to sign is not a SOAP 1.1 or 1.2 Envelope");
        goto Done;
    }
    if ((body = child_named(env, (const char *)env->ns->href, "Body")) == NULL) {
        snprintf(err, errlen, "wsse: the envelope to sign has no Body");
        goto Done;
    }
    xmlNodePtr header = header_of(doc, env);
    if (sg->cfg->wsse.wsa) {
        if (sl_wsa_add(doc, header, sg->cfg, req, wsa) != 0) {
            snprintf(err, errlen, "wsa: out of memory");
            goto Done;
        }
        nwsa = SL_WSA_HEADERS;
    }
    if (sg->key != NULL &&
        sign_doc(sg, doc, security_of(doc, env, header, soap12), body, wsa, nwsa, err, errlen) != 0)
        goto Done;
    if (sg->enc != NULL && sl_wsse_encrypt_body(sg->enc, doc, security_of(doc, env, header, soap12),
                                                body, err, errlen) != 0)
        goto Done;
    sl_buf_clear(out);
    xmlSaveCtxtPtr save = xmlSaveToIO(write_out, close_out, out, "UTF-8", XML_SAVE_NO_DECL);
    if (save == NULL || xmlSaveDoc(save, doc) < 0) {
        if (save != NULL)
            xmlSaveClose(save);
        snprintf(err, errlen, "wsse: out of memory writing the signed body");
        goto Done;
    }
    xmlSaveClose(save);
    rc = 0;
Done:
    xmlFreeDoc(doc);
    return rc;
}

int sl_wsse_sign_request(sl_wsse_signer_t *sg, sl_script_t *script, sl_request_t *req, char *err,
                         size_t errlen)
{
    size_t len;
    const char *body = sl_request_body(req, &len);
    if (rewrite(sg, req, body, len, &sg->spare, err, errlen) != 0)
        return -1;
    sl_script_release_body(script, req);
    sl_buf_t t = req->body; /* the buffers trade places: no copy, both keep their room */
    req->body = sg->spare;
    sg->spare = t;
    return 0;
}
