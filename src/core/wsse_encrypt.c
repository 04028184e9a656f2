/*
 * wsse_encrypt: the WS-Security encryption layout (see wsse_encrypt.h). xmlsec encrypts the
 * content; the session key's RSA-OAEP transport is OpenSSL's, written by hand because xmlsec's
 * templates put an EncryptedKey only inside the EncryptedData's KeyInfo. The EncryptedData has
 * no KeyInfo of its own: the EncryptedKey's ReferenceList leads to it, and xmlsec-based receivers
 * refuse one holding a SecurityTokenReference.
 */
#include "core/wsse_encrypt.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmlsec.h>

#include "core/soapns.h"
#include "core/wsse_opts.h"
#include "core/wsse_verify.h"

#define WSSE_NS SL_WSSE_NS
#define XENC_NS SL_XENC_NS
#define DS_NS SL_DS_NS
#define ID_ED "ED-1"
#define ID_EK "EK-1"

struct sl_wsse_encrypter {
    EVP_PKEY *pub;
    char *issuer, *serial; /* the certificate's, as X509IssuerSerial names it */
    int alg;               /* SL_WSSE_ENC_* */
};

sl_wsse_encrypter_t *sl_wsse_encrypt_open(const char *cert_path, int alg, char *err, size_t errlen)
{
    sl_wsse_encrypter_t *e = calloc(1, sizeof(*e));
    FILE *f = fopen(cert_path, "rb");
    X509 *cert = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f != NULL)
        fclose(f);
    if (e == NULL || cert == NULL) {
        snprintf(err, errlen, "--wsse-encrypt-cert %s: not a PEM certificate", cert_path);
        X509_free(cert);
        free(e);
        return NULL;
    }
    e->alg = alg;
    e->pub = X509_get_pubkey(cert);
    BIO *b = BIO_new(BIO_s_mem());
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *dec = bn != NULL ? BN_bn2dec(bn) : NULL, *data;
    if (b != NULL && X509_NAME_print_ex(b, X509_get_issuer_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
        long len = BIO_get_mem_data(b, &data);
        e->issuer = strndup(data, (size_t)len);
    }
    e->serial = dec != NULL ? strdup(dec) : NULL;
    OPENSSL_free(dec);
    BN_free(bn);
    BIO_free(b);
    X509_free(cert);
    if (e->pub == NULL || e->issuer == NULL || e->serial == NULL) {
        snprintf(err, errlen, "--wsse-encrypt-cert %s: cannot read its key and issuer", cert_path);
        sl_wsse_encrypt_close(e);
        return NULL;
    }
    return e;
}

void sl_wsse_encrypt_close(sl_wsse_encrypter_t *e)
{
    if (e == NULL)
        return;
    EVP_PKEY_free(e->pub);
    free(e->issuer);
    free(e->serial);
    free(e);
}

/* The session key under RSA-OAEP (SHA-1, MGF1-SHA-1: rsa-oaep-mgf1p, what every stack takes),
 * in Base64. Returns it (the caller frees), or NULL. */
static char *wrap_key(const sl_wsse_encrypter_t *e, const unsigned char *key, size_t len)
{
    unsigned char out[1024];
    size_t n = sizeof(out);
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(e->pub, NULL);
    int ok = pc != NULL && EVP_PKEY_encrypt_init(pc) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) > 0 &&
             EVP_PKEY_encrypt(pc, out, &n, key, len) > 0;
    EVP_PKEY_CTX_free(pc);
    char *b64 = ok ? malloc(4 * ((n + 2) / 3) + 1) : NULL;
    if (b64 != NULL)
        EVP_EncodeBlock((unsigned char *)b64, out, (int)n);
    return b64;
}

static xmlNsPtr ns_at(xmlNodePtr n, const char *href, const char *prefix)
{
    xmlNsPtr ns = xmlSearchNsByHref(n->doc, n, BAD_CAST href);
    return ns != NULL ? ns : xmlNewNs(n, BAD_CAST href, BAD_CAST prefix);
}

/* The EncryptedKey element for the wrapped key. */
static xmlNodePtr encrypted_key(const sl_wsse_encrypter_t *e, xmlDocPtr doc, xmlNodePtr sec,
                                const char *wrapped)
{
    xmlNodePtr ek = xmlNewDocNode(doc, NULL, BAD_CAST "EncryptedKey", NULL);
    xmlNsPtr xenc = xmlNewNs(ek, BAD_CAST XENC_NS, BAD_CAST "xenc");
    xmlNsPtr ds = xmlNewNs(ek, BAD_CAST DS_NS, BAD_CAST "ds");
    xmlSetNs(ek, xenc);
    xmlNewProp(ek, BAD_CAST "Id", BAD_CAST ID_EK);
    xmlNodePtr m = xmlNewChild(ek, xenc, BAD_CAST "EncryptionMethod", NULL);
    xmlNewProp(m, BAD_CAST "Algorithm", BAD_CAST XENC_NS "rsa-oaep-mgf1p");
    xmlNewProp(xmlNewChild(m, ds, BAD_CAST "DigestMethod", NULL), BAD_CAST "Algorithm",
               BAD_CAST DS_NS "sha1");
    xmlNodePtr ki = xmlNewChild(ek, ds, BAD_CAST "KeyInfo", NULL);
    xmlNodePtr str =
        xmlNewChild(ki, ns_at(sec, WSSE_NS, "wsse"), BAD_CAST "SecurityTokenReference", NULL);
    xmlNodePtr is = xmlNewChild(xmlNewChild(str, ds, BAD_CAST "X509Data", NULL), ds,
                                BAD_CAST "X509IssuerSerial", NULL);
    xmlNewTextChild(is, ds, BAD_CAST "X509IssuerName", BAD_CAST e->issuer);
    xmlNewChild(is, ds, BAD_CAST "X509SerialNumber", BAD_CAST e->serial);
    xmlNewChild(xmlNewChild(ek, xenc, BAD_CAST "CipherData", NULL), xenc, BAD_CAST "CipherValue",
                BAD_CAST wrapped);
    xmlNodePtr ref = xmlNewChild(xmlNewChild(ek, xenc, BAD_CAST "ReferenceList", NULL), xenc,
                                 BAD_CAST "DataReference", NULL);
    xmlNewProp(ref, BAD_CAST "URI", BAD_CAST "#" ID_ED);
    return ek;
}

int sl_wsse_encrypt_body(sl_wsse_encrypter_t *e, xmlDocPtr doc, xmlNodePtr sec, xmlNodePtr body,
                         char *err, size_t errlen)
{
    int gcm = e->alg == SL_WSSE_ENC_AES256_GCM;
    unsigned char key[32];
    size_t klen = gcm ? 32 : 16;
    char *wrapped = NULL;
    xmlSecEncCtx ctx;
    xmlNodePtr ed =
        xmlSecTmplEncDataCreate(doc, gcm ? xmlSecTransformAes256GcmId : xmlSecTransformAes128CbcId,
                                BAD_CAST ID_ED, xmlSecTypeEncContent, NULL, NULL);
    if (ed == NULL || xmlSecTmplEncDataEnsureCipherValue(ed) == NULL ||
        RAND_bytes(key, (int)klen) != 1 || (wrapped = wrap_key(e, key, klen)) == NULL ||
        xmlSecEncCtxInitialize(&ctx, NULL) < 0) {
        snprintf(err, errlen, "wsse: cannot make the Body's session key");
        xmlFreeNode(ed);
        free(wrapped);
        return -1;
    }
    int rc = -1;
    ctx.encKey = xmlSecKeyReadMemory(xmlSecKeyDataAesId, key, klen);
    if (ctx.encKey != NULL && xmlSecEncCtxXmlEncrypt(&ctx, ed, body) >= 0)
        rc = 0;
    xmlSecEncCtxFinalize(&ctx); /* lets the session key go */
    OPENSSL_cleanse(key, sizeof(key));
    if (rc != 0) {
        snprintf(err, errlen, "wsse: xmlsec could not encrypt the Body: %s",
                 sl_xmlsec_last_error());
        if (ed->parent == NULL)
            xmlFreeNode(ed);
        free(wrapped);
        return -1;
    }
    xmlNodePtr ek = encrypted_key(e, doc, sec, wrapped);
    free(wrapped);
    if (sec->children != NULL)
        xmlAddPrevSibling(sec->children, ek);
    else
        xmlAddChild(sec, ek);
    return 0;
}
