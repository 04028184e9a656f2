/*
 * wsse_verify: verifying a message's X.509 signature with xmlsec (see wsse_verify.h). Every
 * wsu:Id of the message is registered as an ID (a duplicate one makes the message invalid: the
 * signature could then name one element and the service read another); the Body and the
 * Timestamp that count are those in their places (the Envelope's Body, the Security header's
 * Timestamp), and the signature must name them.
 */
#include "core/wsse_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include "core/soapns.h"
#include "core/xsdtime.h"

struct sl_wsse_verifier {
    xmlSecKeyPtr key; /* read only once threads run: each verification borrows it */
    X509_STORE *ca;   /* or: the CA the message's BinarySecurityToken must chain to */
    int need_timestamp;
    double max_ahead_s;
};

static int xmlsec_users;

/* xmlsec's last complaint on this thread. */
static __thread char xmlsec_err[200];

static void on_xmlsec_error(const char *file, int line, const char *func, const char *obj,
                            const char *subject, int reason, const char *msg)
{
    (void)file, (void)line, (void)func, (void)reason;
    snprintf(xmlsec_err, sizeof(xmlsec_err), "%s%s%s: %s", obj != NULL ? obj : "",
             obj != NULL ? " " : "", subject != NULL ? subject : "", msg != NULL ? msg : "");
}

static void on_xml_error(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

int sl_xmlsec_acquire(void)
{
    if (xmlsec_users++ > 0)
        return 0;
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, on_xml_error); /* a body that does not parse is said once */
    if (xmlSecInit() < 0 || xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0) {
        xmlsec_users--;
        return -1;
    }
    xmlSecErrorsSetCallback(on_xmlsec_error);
    return 0;
}

void sl_xmlsec_release(void)
{
    if (xmlsec_users <= 0 || --xmlsec_users > 0)
        return;
    xmlSecCryptoShutdown();
    xmlSecCryptoAppShutdown();
    xmlSecShutdown();
    xmlCleanupParser();
}

const char *sl_xmlsec_last_error(void)
{
    return xmlsec_err;
}

sl_wsse_verifier_t *sl_wsse_verify_open(const char *cert_path, const char *flag, int need_timestamp,
                                        double max_ahead_s, char *err, size_t errlen)
{
    sl_wsse_verifier_t *v = calloc(1, sizeof(*v));
    if (v == NULL || sl_xmlsec_acquire() != 0) {
        snprintf(err, errlen, "cannot initialise xmlsec");
        free(v);
        return NULL;
    }
    v->need_timestamp = need_timestamp;
    v->max_ahead_s = max_ahead_s;
    v->key = xmlSecCryptoAppKeyLoad(cert_path, xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
    if (v->key == NULL) {
        snprintf(err, errlen, "%s %s: no PEM certificate with a public key in it", flag, cert_path);
        sl_wsse_verify_close(v);
        return NULL;
    }
    return v;
}

sl_wsse_verifier_t *sl_wsse_verify_open_ca(const char *ca_path, const char *flag,
                                           int need_timestamp, double max_ahead_s, char *err,
                                           size_t errlen)
{
    sl_wsse_verifier_t *v = calloc(1, sizeof(*v));
    if (v == NULL || sl_xmlsec_acquire() != 0) {
        snprintf(err, errlen, "cannot initialise xmlsec");
        free(v);
        return NULL;
    }
    v->need_timestamp = need_timestamp;
    v->max_ahead_s = max_ahead_s;
    v->ca = X509_STORE_new();
    if (v->ca == NULL || X509_STORE_load_file(v->ca, ca_path) != 1) {
        snprintf(err, errlen, "%s %s: no PEM CA certificate in it", flag, ca_path);
        sl_wsse_verify_close(v);
        return NULL;
    }
    return v;
}

void sl_wsse_verify_close(sl_wsse_verifier_t *v)
{
    if (v == NULL)
        return;
    X509_STORE_free(v->ca);
    if (v->key != NULL)
        xmlSecKeyDestroy(v->key);
    free(v);
    sl_xmlsec_release();
}

const char *sl_wsse_verify_fault_code(sl_wsse_sig_t r)
{
    return r == SL_WSSE_SIG_EXPIRED   ? "MessageExpired"
           : r == SL_WSSE_SIG_INVALID ? "FailedCheck"
                                      : "InvalidSecurity";
}

const char *sl_wsse_verify_name(sl_wsse_sig_t r)
{
    static const char *const names[SL_WSSE_SIG_COUNT] = {"valid", "invalid", "missing", "expired"};
    return (unsigned)r < SL_WSSE_SIG_COUNT ? names[r] : "?";
}

static int named(const xmlNode *n, const char *ns, const char *local)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0 &&
           n->ns != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

static xmlNodePtr child_named(xmlNodePtr parent, const char *ns, const char *local)
{
    for (xmlNodePtr c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next)
        if (named(c, ns, local))
            return c;
    return NULL;
}

/* Registers every wsu:Id under n as an ID. Returns -1 when one is given twice. */
static int register_ids(xmlDocPtr doc, xmlNodePtr n)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlAttrPtr a = xmlHasNsProp(n, BAD_CAST "Id", BAD_CAST SL_WSU_NS);
        if (a != NULL) {
            xmlChar *id = xmlNodeListGetString(doc, a->children, 1);
            int dup = id == NULL || xmlGetID(doc, id) != NULL;
            if (!dup)
                xmlAddID(NULL, doc, id, a);
            xmlFree(id);
            if (dup)
                return -1;
        }
        if (register_ids(doc, n->children) != 0)
            return -1;
    }
    return 0;
}

/* Whether a Reference of the signature names "#" + the wsu:Id of n. */
static int signed_by(xmlDocPtr doc, xmlNodePtr sig, xmlNodePtr n)
{
    xmlChar *id = xmlGetNsProp(n, BAD_CAST "Id", BAD_CAST SL_WSU_NS);
    int found = 0;
    xmlNodePtr info = child_named(sig, SL_DS_NS, "SignedInfo");
    for (xmlNodePtr r = info != NULL ? info->children : NULL; id && r && !found; r = r->next) {
        if (!named(r, SL_DS_NS, "Reference"))
            continue;
        xmlChar *uri = xmlGetProp(r, BAD_CAST "URI");
        found = uri != NULL && uri[0] == '#' && strcmp((char *)uri + 1, (char *)id) == 0;
        xmlFree(uri);
    }
    (void)doc;
    xmlFree(id);
    return found;
}

/* The Timestamp's verdict: SL_WSSE_SIG_VALID when it is in force at now. */
static sl_wsse_sig_t check_timestamp(const sl_wsse_verifier_t *v, xmlNodePtr ts, double now,
                                     char *why, size_t whylen)
{
    xmlNodePtr created = child_named(ts, SL_WSU_NS, "Created"),
               expires = child_named(ts, SL_WSU_NS, "Expires");
    xmlChar *c = created != NULL ? xmlNodeGetContent(created) : NULL;
    xmlChar *e = expires != NULL ? xmlNodeGetContent(expires) : NULL;
    double tc = 0, te = 0;
    sl_wsse_sig_t r = SL_WSSE_SIG_VALID;
    if (c == NULL || e == NULL || sl_xsd_time_parse((char *)c, strlen((char *)c), &tc) != 0 ||
        sl_xsd_time_parse((char *)e, strlen((char *)e), &te) != 0) {
        snprintf(why, whylen, "the Timestamp needs Created and Expires as xsd:dateTime");
        r = SL_WSSE_SIG_INVALID;
    } else if (te <= now) {
        snprintf(why, whylen, "the Timestamp expired at %s", (char *)e);
        r = SL_WSSE_SIG_EXPIRED;
    } else if (tc > now + v->max_ahead_s) {
        snprintf(why, whylen, "the Timestamp's Created %s lies ahead of the clock", (char *)c);
        r = SL_WSSE_SIG_EXPIRED;
    }
    xmlFree(c);
    xmlFree(e);
    return r;
}

/* The message's signing key when verifying against a CA: the X.509 BinarySecurityToken the
 * signature's SecurityTokenReference names (the header's first one when it names none), which
 * must chain to the CA. Returns a key the caller destroys, or NULL with why. */
static xmlSecKeyPtr token_key(const sl_wsse_verifier_t *v, xmlNodePtr sec, xmlNodePtr sig,
                              char *why, size_t whylen)
{
    xmlNodePtr str =
        child_named(child_named(sig, SL_DS_NS, "KeyInfo"), SL_WSSE_NS, "SecurityTokenReference");
    xmlNodePtr ref = child_named(str, SL_WSSE_NS, "Reference"), bst = NULL;
    xmlChar *uri = ref != NULL ? xmlGetProp(ref, BAD_CAST "URI") : NULL;
    for (xmlNodePtr c = sec->children; c != NULL && bst == NULL; c = c->next) {
        xmlChar *id = named(c, SL_WSSE_NS, "BinarySecurityToken")
                          ? xmlGetNsProp(c, BAD_CAST "Id", BAD_CAST SL_WSU_NS)
                          : NULL;
        if (named(c, SL_WSSE_NS, "BinarySecurityToken") &&
            (uri == NULL || (uri[0] == '#' && id != NULL && xmlStrEqual(id, uri + 1))))
            bst = c;
        xmlFree(id);
    }
    xmlFree(uri);
    if (bst == NULL) {
        snprintf(why, whylen, "no BinarySecurityToken to check against the CA");
        return NULL;
    }
    xmlChar *text = xmlNodeGetContent(bst);
    size_t len = 0, n = 0;
    unsigned char *der = text != NULL ? malloc(xmlStrlen(text) + 1) : NULL;
    for (const xmlChar *p = text; der != NULL && *p != '\0'; p++) /* Base64 without blanks */
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
            text[n++] = *p;
    int got = der != NULL ? EVP_DecodeBlock(der, text, (int)n) : -1;
    if (got > 0) {
        len = (size_t)got - (n >= 1 && text[n - 1] == '=') - (n >= 2 && text[n - 2] == '=');
    }
    const unsigned char *q = der;
    X509 *cert = got > 0 ? d2i_X509(NULL, &q, (long)len) : NULL;
    free(der);
    xmlFree(text);
    if (cert == NULL) {
        snprintf(why, whylen, "the BinarySecurityToken is no X.509 certificate");
        return NULL;
    }
    X509_STORE_CTX *sc = X509_STORE_CTX_new();
    int chained =
        sc != NULL && X509_STORE_CTX_init(sc, v->ca, cert, NULL) == 1 && X509_verify_cert(sc) == 1;
    if (!chained)
        snprintf(why, whylen, "the BinarySecurityToken's certificate does not chain to the CA: %s",
                 sc != NULL ? X509_verify_cert_error_string(X509_STORE_CTX_get_error(sc)) : "?");
    X509_STORE_CTX_free(sc);
    EVP_PKEY *pkey = chained ? X509_get_pubkey(cert) : NULL;
    X509_free(cert);
    if (pkey == NULL)
        return NULL;
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
    xmlSecKeyPtr key = data != NULL ? xmlSecKeyCreate() : NULL;
    if (key == NULL || xmlSecKeySetValue(key, data) < 0) {
        if (key != NULL)
            xmlSecKeyDestroy(key);
        if (data != NULL)
            xmlSecKeyDataDestroy(data);
        else
            EVP_PKEY_free(pkey);
        snprintf(why, whylen, "xmlsec does not take the BinarySecurityToken's key");
        return NULL;
    }
    return key;
}

/* The verdict on a parsed message. */
static sl_wsse_sig_t verify_doc(const sl_wsse_verifier_t *v, xmlDocPtr doc, double now, char *why,
                                size_t whylen)
{
    xmlNodePtr env = xmlDocGetRootElement(doc);
    if (env == NULL ||
        !(named(env, SL_SOAP11_NS, "Envelope") || named(env, SL_SOAP12_NS, "Envelope"))) {
        snprintf(why, whylen, "not a SOAP envelope");
        return SL_WSSE_SIG_INVALID;
    }
    const char *ns = (const char *)env->ns->href;
    xmlNodePtr body = child_named(env, ns, "Body");
    xmlNodePtr sec = child_named(child_named(env, ns, "Header"), SL_WSSE_NS, "Security");
    xmlNodePtr sig = child_named(sec, SL_DS_NS, "Signature");
    xmlNodePtr ts = child_named(sec, SL_WSU_NS, "Timestamp");
    if (sig == NULL) {
        snprintf(why, whylen, "no ds:Signature in a wsse:Security header");
        return SL_WSSE_SIG_MISSING;
    }
    if (register_ids(doc, env) != 0) {
        snprintf(why, whylen, "a wsu:Id is given twice");
        return SL_WSSE_SIG_INVALID;
    }
    if (body == NULL || !signed_by(doc, sig, body)) {
        snprintf(why, whylen, "the signature does not cover the Body");
        return SL_WSSE_SIG_INVALID;
    }
    if ((ts != NULL || v->need_timestamp) && (ts == NULL || !signed_by(doc, sig, ts))) {
        snprintf(why, whylen, "the signature does not cover the Timestamp");
        return SL_WSSE_SIG_INVALID;
    }
    xmlSecKeyPtr own = v->ca != NULL ? token_key(v, sec, sig, why, whylen) : NULL;
    if (v->ca != NULL && own == NULL)
        return SL_WSSE_SIG_INVALID;
    xmlSecDSigCtx ctx;
    if (xmlSecDSigCtxInitialize(&ctx, NULL) < 0) {
        snprintf(why, whylen, "xmlsec cannot make a context");
        if (own != NULL)
            xmlSecKeyDestroy(own);
        return SL_WSSE_SIG_INVALID;
    }
    ctx.enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    ctx.signKey = own != NULL ? own : v->key; /* borrowed: given back before the context goes */
    xmlsec_err[0] = '\0';
    int rc = xmlSecDSigCtxVerify(&ctx, sig);
    int ok = rc >= 0 && ctx.status == xmlSecDSigStatusSucceeded;
    ctx.signKey = NULL;
    xmlSecDSigCtxFinalize(&ctx);
    if (own != NULL)
        xmlSecKeyDestroy(own);
    if (!ok) {
        snprintf(why, whylen, "the signature does not verify%s%s", rc < 0 ? ": " : "",
                 rc < 0 ? xmlsec_err : "");
        return SL_WSSE_SIG_INVALID;
    }
    /* a Timestamp without times (zeep signs an empty one) is checked only where one is needed */
    if (ts == NULL || (!v->need_timestamp && child_named(ts, SL_WSU_NS, "Expires") == NULL))
        return SL_WSSE_SIG_VALID;
    return check_timestamp(v, ts, now, why, whylen);
}

sl_wsse_sig_t sl_wsse_verify(const sl_wsse_verifier_t *v, const char *doc, size_t len, double now,
                             char *why, size_t whylen)
{
    xmlDocPtr d =
        len <= 0x7fffffff ? xmlReadMemory(doc, (int)len, NULL, NULL, XML_PARSE_NONET) : NULL;
    if (d == NULL) {
        snprintf(why, whylen, "the message is not well-formed XML");
        return SL_WSSE_SIG_INVALID;
    }
    sl_wsse_sig_t r = verify_doc(v, d, now, why, whylen);
    xmlFreeDoc(d);
    return r;
}
