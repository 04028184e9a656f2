/*
 * wsse: the UsernameToken check. The texts of Username, Password, Nonce and Created come from
 * the shared XML scanner (first element of each local name); the Password's Type attribute,
 * which the scanner does not report, from a lexical pass over start tags that skips comments,
 * CDATA sections and processing instructions. SHA-1 and Base64 are OpenSSL's.
 */
#include "wsse.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/xml.h"
#include "core/xsdtime.h"

#define FIELD_CAP 257
#define NONCE_MAX 128

#define TYPE_TEXT "#PasswordText"
#define TYPE_DIGEST "#PasswordDigest"

const char *sl_wsse_fault_code(sl_wsse_result_t r)
{
    switch (r) {
    case SL_WSSE_FAILED:
        return "FailedAuthentication";
    case SL_WSSE_EXPIRED:
        return "MessageExpired";
    default:
        return "InvalidSecurity";
    }
}

/* The trimmed text of the first element named `local`; -1 when there is none or it is not
 * plain text that fits. */
static int text_of(const char *doc, size_t len, const char *local, char *out, size_t *out_len)
{
    sl_xml_scan_t s = {.want = {local, strlen(local)}, .id = out, .id_cap = FIELD_CAP};
    if (sl_xml_scan(doc, len, &s) != 0 || !(s.flags & SL_XML_ID_FOUND) ||
        (s.flags & (SL_XML_ID_COMPLEX | SL_XML_ID_TOO_LONG)))
        return -1;
    *out_len = s.id_len;
    return 0;
}

static const char *skip_to(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    for (; p + n <= end; p++)
        if (memcmp(p, lit, n) == 0)
            return p + n;
    return end;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The value of the Type attribute of the first start tag whose local name is Password: 1 for
 * PasswordDigest, 0 for PasswordText or no Type, -1 for another type. */
static int password_type(const char *doc, size_t len)
{
    const char *p = doc, *end = doc + len;
    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            p = skip_to(p + 4, end, "-->");
            continue;
        }
        if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
            p = skip_to(p + 9, end, "]]>");
            continue;
        }
        if (end - p >= 2 && p[1] == '?') {
            p = skip_to(p + 2, end, "?>");
            continue;
        }
        if (end - p >= 2 && (p[1] == '/' || p[1] == '!')) {
            p++;
            continue;
        }
        const char *name = ++p, *local = name;
        while (p < end && !is_space(*p) && *p != '>' && *p != '/') {
            if (*p == ':')
                local = p + 1;
            p++;
        }
        if (!(p - local == 8 && memcmp(local, "Password", 8) == 0))
            continue;
        /* attributes up to the end of the tag; a '>' never appears unquoted in one */
        while (p < end && *p != '>') {
            while (p < end && (is_space(*p) || *p == '/'))
                p++;
            const char *an = p;
            while (p < end && *p != '=' && !is_space(*p) && *p != '>')
                p++;
            size_t an_len = (size_t)(p - an);
            while (p < end && (is_space(*p) || *p == '='))
                p++;
            if (p >= end || (*p != '"' && *p != '\''))
                break;
            char quote = *p++;
            const char *v = p;
            while (p < end && *p != quote)
                p++;
            size_t v_len = (size_t)(p - v);
            if (p < end)
                p++;
            if (an_len == 4 && memcmp(an, "Type", 4) == 0) {
                size_t nd = strlen(TYPE_DIGEST), nt = strlen(TYPE_TEXT);
                if (v_len >= nd && memcmp(v + v_len - nd, TYPE_DIGEST, nd) == 0)
                    return 1;
                if (v_len >= nt && memcmp(v + v_len - nt, TYPE_TEXT, nt) == 0)
                    return 0;
                return -1;
            }
        }
        return 0;
    }
    return 0;
}

/* Base64(SHA-1(nonce + created + password)) into out (at least 29 bytes); -1 on a bad nonce. */
static int digest_of(const char *nonce64, size_t nonce64_len, const char *created,
                     size_t created_len, const char *password, char *out)
{
    unsigned char raw[NONCE_MAX + 3], input[NONCE_MAX + FIELD_CAP + 256], sha[EVP_MAX_MD_SIZE];
    unsigned int sha_len = 0;
    size_t pad = 0, pw_len = strlen(password);
    if (nonce64_len == 0 || nonce64_len % 4 != 0 || nonce64_len / 4 * 3 > NONCE_MAX ||
        created_len + pw_len > sizeof(input) - NONCE_MAX)
        return -1;
    int n = EVP_DecodeBlock(raw, (const unsigned char *)nonce64, (int)nonce64_len);
    if (n < 0)
        return -1;
    while (pad < 2 && nonce64[nonce64_len - 1 - pad] == '=')
        pad++;
    size_t raw_len = (size_t)n - pad, at = 0;
    memcpy(input, raw, raw_len);
    at += raw_len;
    memcpy(input + at, created, created_len);
    at += created_len;
    memcpy(input + at, password, pw_len);
    at += pw_len;
    if (EVP_Digest(input, at, sha, &sha_len, EVP_sha1(), NULL) != 1)
        return -1;
    EVP_EncodeBlock((unsigned char *)out, sha, (int)sha_len);
    return 0;
}

sl_wsse_result_t sl_wsse_check(const char *doc, size_t len, const sl_wsse_config_t *cfg, time_t now,
                               char *why, size_t whylen)
{
    char user[FIELD_CAP], password[FIELD_CAP], nonce[FIELD_CAP], created[FIELD_CAP];
    size_t user_len, password_len, nonce_len = 0, created_len = 0;
    int type = password_type(doc, len);
    int has_nonce = text_of(doc, len, "Nonce", nonce, &nonce_len) == 0;
    int has_created = text_of(doc, len, "Created", created, &created_len) == 0;

    if (text_of(doc, len, "Username", user, &user_len) != 0 ||
        text_of(doc, len, "Password", password, &password_len) != 0) {
        snprintf(why, whylen, "no UsernameToken with a Username and a Password");
        return SL_WSSE_INVALID;
    }
    if (type < 0) {
        snprintf(why, whylen, "the Password's Type is neither PasswordText nor PasswordDigest");
        return SL_WSSE_INVALID;
    }
    if (type == 1 && !(has_nonce && has_created)) {
        snprintf(why, whylen, "a PasswordDigest needs a Nonce and a Created time");
        return SL_WSSE_INVALID;
    }
    if (has_created) {
        double t;
        if (sl_xsd_time_parse(created, created_len, &t) != 0) {
            snprintf(why, whylen, "Created is not an xsd:dateTime with a time zone");
            return SL_WSSE_INVALID;
        }
        if (t < (double)now - cfg->max_age_s || t > (double)now + cfg->max_age_s) {
            snprintf(why, whylen, "Created %s is more than %g s away from the server clock",
                     created, cfg->max_age_s);
            return SL_WSSE_EXPIRED;
        }
    }
    if (strcmp(user, cfg->user) != 0) {
        snprintf(why, whylen, "unknown user or wrong password");
        return SL_WSSE_FAILED;
    }
    if (type == 1) {
        char expected[64];
        if (digest_of(nonce, nonce_len, created, created_len, cfg->password, expected) != 0) {
            snprintf(why, whylen, "the Nonce is not Base64 of at most %d bytes", NONCE_MAX);
            return SL_WSSE_INVALID;
        }
        if (strcmp(expected, password) != 0) {
            snprintf(why, whylen, "unknown user or wrong password");
            return SL_WSSE_FAILED;
        }
    } else if (strcmp(password, cfg->password) != 0) {
        snprintf(why, whylen, "unknown user or wrong password");
        return SL_WSSE_FAILED;
    }
    return SL_WSSE_OK;
}
