/*
 * wsse_opts: the settings of request signing (WS-Security X.509): where the key and the
 * certificate are, where the key's password is (never the password itself), the algorithms,
 * how the signature names its key, the Timestamp's lifetime, the further parts it covers.
 * Parsed and checked here; engine/wsse_rewrite.c loads the key (core/wsse_keys.c) and signs
 * (core/wsse_sign.c).
 */
#ifndef SOAPLOAD_WSSE_OPTS_H
#define SOAPLOAD_WSSE_OPTS_H

#include <stddef.h>
#include <stdint.h>

enum {
    SL_WSSE_ALG_AUTO, /* by the key: RSA-SHA256 for RSA, ECDSA-SHA256 for EC */
    SL_WSSE_ALG_RSA_SHA256,
    SL_WSSE_ALG_RSA_SHA1, /* SHA-1 digests too: for old stacks */
    SL_WSSE_ALG_ECDSA_SHA256
};

enum {
    SL_WSSE_REF_BST,           /* a wsse:Reference to the BinarySecurityToken in the header */
    SL_WSSE_REF_ISSUER_SERIAL, /* ds:X509IssuerSerial, no token in the message */
    SL_WSSE_REF_SKI            /* the subject key identifier, no token in the message */
};

/* The Body's content encryption (--wsse-encrypt-alg). */
enum { SL_WSSE_ENC_AES256_GCM, SL_WSSE_ENC_AES128_CBC };

#define SL_WSSE_MAX_PARTS 16

typedef struct {
    char *cert, *key;                           /* files, or NULL: no signing */
    char *key_password_env, *key_password_file; /* where the key's password is */
    int alg;                                    /* SL_WSSE_ALG_* */
    int key_ref;                                /* SL_WSSE_REF_* */
    uint64_t ttl_ns;                            /* Timestamp: Expires - Created */
    char *verify_cert;  /* verify the responses' signatures with this certificate, or NULL */
    char *verify_ca;    /* or with the key of their token, which must chain to this CA */
    char *encrypt_cert; /* encrypt the Body to this certificate's key, or NULL */
    int encrypt_alg;    /* SL_WSSE_ENC_*: the Body's cipher */
    int wsa;            /* WS-Addressing headers on every request */
    char *wsa_action;   /* their Action; NULL: the request's SOAP action */
    char *sign_parts[SL_WSSE_MAX_PARTS]; /* further header parts to sign: "{ns}Local", "Local"
                                          * or "#wsu:Id" (--wsse-sign-part) */
    int nsign_parts;
} sl_wsse_opts_t;

#define SL_WSSE_DEFAULT_TTL_NS 300000000000ULL

/** Sets the defaults. */
void sl_wsse_opts_init(sl_wsse_opts_t *o);
/** Frees the strings. */
void sl_wsse_opts_free(sl_wsse_opts_t *o);

/* Which setting sl_wsse_opts_set sets. */
typedef enum {
    SL_WSSE_SET_CERT,
    SL_WSSE_SET_KEY,
    SL_WSSE_SET_KEY_PASSWORD_ENV,
    SL_WSSE_SET_KEY_PASSWORD_FILE,
    SL_WSSE_SET_ALG,
    SL_WSSE_SET_KEY_REF,
    SL_WSSE_SET_TTL,
    SL_WSSE_SET_VERIFY_CERT,
    SL_WSSE_SET_VERIFY_CA,
    SL_WSSE_SET_ENCRYPT_CERT,
    SL_WSSE_SET_ENCRYPT_ALG,
    SL_WSSE_SET_WSA,
    SL_WSSE_SET_WSA_ACTION,
    SL_WSSE_SET_SIGN_PART
} sl_wsse_set_t;

/** Sets one setting from its text (NULL for a flag without a value). Returns NULL, or what the
 * value should have been. */
const char *sl_wsse_opts_set(sl_wsse_opts_t *o, sl_wsse_set_t what, const char *value);

/** The settings together: a key without a certificate is allowed only as PKCS#12 (checked
 * when it is loaded), a password needs a key, one password source, files readable, the
 * environment variable set. Returns 0, or -1 with the problem in err. */
int sl_wsse_opts_check(const sl_wsse_opts_t *o, char *err, size_t errlen);

/** Whether part is a part to sign as --wsse-sign-part spells it: "{namespace}LocalName",
 * "LocalName" (in any namespace) or "#Id" (a wsu:Id). */
int sl_wsse_part_valid(const char *part);

/** The name of an SL_WSSE_ALG_* and of an SL_WSSE_REF_*, as the options spell them. */
const char *sl_wsse_opts_alg_name(int alg);
const char *sl_wsse_opts_ref_name(int key_ref);

/** Whether requests are signed. */
static inline int sl_wsse_opts_signing(const sl_wsse_opts_t *o)
{
    return o->key != NULL || o->cert != NULL;
}

/** Whether each request's envelope is rewritten (signed, encrypted, or given WS-Addressing
 * headers). */
static inline int sl_wsse_opts_rewrites(const sl_wsse_opts_t *o)
{
    return sl_wsse_opts_signing(o) || o->wsa || o->encrypt_cert != NULL;
}

#endif
