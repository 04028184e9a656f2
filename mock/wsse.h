/*
 * wsse: the mock's check of a WS-Security UsernameToken (OASIS Web Services Security
 * UsernameToken Profile 1.1): the user and password it was configured with, as PasswordText or
 * as PasswordDigest = Base64(SHA-1(nonce bytes + Created + password)), and a Created time no
 * older (and no further ahead) than the allowed age.
 */
#ifndef SOAPLOAD_MOCK_WSSE_H
#define SOAPLOAD_MOCK_WSSE_H

#include <stddef.h>
#include <time.h>

typedef struct {
    const char *user;
    const char *password;
    double max_age_s; /* how far Created may lie from the server's clock, either way */
} sl_wsse_config_t;

typedef enum {
    SL_WSSE_OK,
    SL_WSSE_INVALID, /* no UsernameToken, or one that cannot be read: wsse:InvalidSecurity */
    SL_WSSE_FAILED,  /* wrong user or password: wsse:FailedAuthentication */
    SL_WSSE_EXPIRED  /* Created too old or in the future: wsse:MessageExpired */
} sl_wsse_result_t;

/** Checks the UsernameToken of a well-formed SOAP message at time `now`. Writes the reason of
 * a refusal into why. */
sl_wsse_result_t sl_wsse_check(const char *doc, size_t len, const sl_wsse_config_t *cfg, time_t now,
                               char *why, size_t whylen);

/** The fault code (a QName in the wsse namespace) for a result other than SL_WSSE_OK. */
const char *sl_wsse_fault_code(sl_wsse_result_t r);

#endif
