/*
 * wsse_opts: parsing and checking the request-signing settings (see wsse_opts.h).
 */
#include "core/wsse_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/duration.h"

#define MAX_TTL_NS (86400ULL * 1000000000ULL)

void sl_wsse_opts_init(sl_wsse_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->ttl_ns = SL_WSSE_DEFAULT_TTL_NS;
}

void sl_wsse_opts_free(sl_wsse_opts_t *o)
{
    free(o->cert);
    free(o->key);
    free(o->key_password_env);
    free(o->key_password_file);
    free(o->verify_cert);
    free(o->verify_ca);
    free(o->wsa_action);
    free(o->encrypt_cert);
    for (int i = 0; i < o->nsign_parts; i++)
        free(o->sign_parts[i]);
    sl_wsse_opts_init(o);
}

static int set_string(char **slot, const char *s)
{
    char *copy = s[0] != '\0' ? strdup(s) : NULL;
    if (copy == NULL)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

/* The index of value in names (count entries), or -1. */
static int index_of(const char *value, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(value, names[i]) == 0)
            return i;
    return -1;
}

int sl_wsse_part_valid(const char *part)
{
    size_t n = strlen(part);
    if (n == 0 || n > 300 || strpbrk(part, " \t\r\n<>\"'&") != NULL)
        return 0;
    if (part[0] == '#')
        return n > 1 && strchr(part, ':') == NULL;
    if (part[0] == '{') {
        const char *close = strchr(part, '}');
        return close != NULL && close > part + 1 && close[1] != '\0' &&
               strpbrk(close + 1, "{}:") == NULL;
    }
    return strpbrk(part, "{}:#") == NULL;
}

static const char *const algs[] = {"auto", "rsa-sha256", "rsa-sha1", "ecdsa-sha256"};
static const char *const refs[] = {"bst", "issuer-serial", "ski"};
static const char *const encs[] = {"aes256-gcm", "aes128-cbc"};

const char *sl_wsse_opts_alg_name(int alg)
{
    return alg >= 0 && alg < 4 ? algs[alg] : "?";
}

const char *sl_wsse_opts_ref_name(int key_ref)
{
    return key_ref >= 0 && key_ref < 3 ? refs[key_ref] : "?";
}

const char *sl_wsse_opts_set(sl_wsse_opts_t *o, sl_wsse_set_t what, const char *value)
{
    int i;
    switch (what) {
    case SL_WSSE_SET_CERT:
        return set_string(&o->cert, value) != 0 ? "a file name" : NULL;
    case SL_WSSE_SET_KEY:
        return set_string(&o->key, value) != 0 ? "a file name" : NULL;
    case SL_WSSE_SET_KEY_PASSWORD_ENV:
        return set_string(&o->key_password_env, value) != 0 ? "the name of an environment variable"
                                                            : NULL;
    case SL_WSSE_SET_KEY_PASSWORD_FILE:
        return set_string(&o->key_password_file, value) != 0 ? "a file name" : NULL;
    case SL_WSSE_SET_ALG:
        if ((i = index_of(value, algs, 4)) < 0)
            return "auto, rsa-sha256, rsa-sha1 or ecdsa-sha256";
        o->alg = i;
        return NULL;
    case SL_WSSE_SET_KEY_REF:
        if ((i = index_of(value, refs, 3)) < 0)
            return "bst, issuer-serial or ski";
        o->key_ref = i;
        return NULL;
    case SL_WSSE_SET_WSA:
        return sl_flag_parse(value, &o->wsa) == 0 ? NULL : "true or false";
    case SL_WSSE_SET_WSA_ACTION:
        if (strpbrk(value, "\r\n") != NULL || strlen(value) > 900) /* escaped when written */
            return "a URI of at most 900 bytes without line breaks";
        return set_string(&o->wsa_action, value) != 0 ? "a URI" : NULL;
    case SL_WSSE_SET_SIGN_PART:
        if (!sl_wsse_part_valid(value))
            return "a header element to sign: {namespace}LocalName, LocalName or #Id";
        if (o->nsign_parts >= SL_WSSE_MAX_PARTS)
            return "at most 16 parts to sign";
        return set_string(&o->sign_parts[o->nsign_parts++], value) != 0 ? "a part" : NULL;
    case SL_WSSE_SET_ENCRYPT_CERT:
        return set_string(&o->encrypt_cert, value) != 0 ? "a file name" : NULL;
    case SL_WSSE_SET_ENCRYPT_ALG:
        if ((i = index_of(value, encs, 2)) < 0)
            return "aes256-gcm or aes128-cbc";
        o->encrypt_alg = i;
        return NULL;
    case SL_WSSE_SET_VERIFY_CA:
        return set_string(&o->verify_ca, value) != 0 ? "a file name" : NULL;
    case SL_WSSE_SET_VERIFY_CERT:
        return set_string(&o->verify_cert, value) != 0 ? "a file name" : NULL;
    case SL_WSSE_SET_TTL:
        if (sl_duration_parse(value, &o->ttl_ns) != 0 || o->ttl_ns < 1000000000ULL ||
            o->ttl_ns > MAX_TTL_NS)
            return "a duration from 1s to 24h, such as 300s or 5m";
        return NULL;
    }
    return "a value";
}

static int readable_file(const char *path, const char *flag, char *err, size_t errlen)
{
    struct stat st;
    if (path == NULL)
        return 0;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s %s: %s", flag, path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s %s: a directory, not a file", flag, path);
        return -1;
    }
    return 0;
}

int sl_wsse_opts_check(const sl_wsse_opts_t *o, char *err, size_t errlen)
{
    int has_password = o->key_password_env != NULL || o->key_password_file != NULL;
    if (o->key_password_env != NULL && o->key_password_file != NULL) {
        snprintf(err, errlen,
                 "--wsse-sign-key-password-env and --wsse-sign-key-password-file: give one "
                 "of them");
        return -1;
    }
    if (o->cert != NULL && o->key == NULL) {
        snprintf(err, errlen, "--wsse-sign-cert needs --wsse-sign-key: the certificate's key");
        return -1;
    }
    if (has_password && o->key == NULL) {
        snprintf(err, errlen, "a --wsse-sign-key password needs --wsse-sign-key");
        return -1;
    }
    if (!sl_wsse_opts_signing(o) && (o->alg != SL_WSSE_ALG_AUTO || o->key_ref != SL_WSSE_REF_BST)) {
        snprintf(err, errlen, "--wsse-sign-alg and --wsse-key-ref need --wsse-sign-key");
        return -1;
    }
    if (!sl_wsse_opts_signing(o) && o->nsign_parts > 0) {
        snprintf(err, errlen, "--wsse-sign-part (wsse_sign_parts) needs --wsse-sign-key");
        return -1;
    }
    if (o->verify_cert != NULL && o->verify_ca != NULL) {
        snprintf(err, errlen, "--wsse-verify-cert and --wsse-verify-ca: give one of them");
        return -1;
    }
    if (o->encrypt_alg != SL_WSSE_ENC_AES256_GCM && o->encrypt_cert == NULL) {
        snprintf(err, errlen, "--wsse-encrypt-alg needs --wsse-encrypt-cert");
        return -1;
    }
    if (o->wsa_action != NULL && !o->wsa) {
        snprintf(err, errlen, "--wsa-action needs --wsa");
        return -1;
    }
    if (readable_file(o->cert, "--wsse-sign-cert", err, errlen) != 0 ||
        readable_file(o->key, "--wsse-sign-key", err, errlen) != 0 ||
        readable_file(o->key_password_file, "--wsse-sign-key-password-file", err, errlen) != 0 ||
        readable_file(o->verify_cert, "--wsse-verify-cert", err, errlen) != 0 ||
        readable_file(o->verify_ca, "--wsse-verify-ca", err, errlen) != 0 ||
        readable_file(o->encrypt_cert, "--wsse-encrypt-cert", err, errlen) != 0)
        return -1;
    if (o->key_password_env != NULL && getenv(o->key_password_env) == NULL) {
        snprintf(err, errlen, "--wsse-sign-key-password-env %s: no such environment variable",
                 o->key_password_env);
        return -1;
    }
    return 0;
}
