/*
 * tlskey: the client certificate and its key (and the CA file) loaded once in the parent, before
 * anything is sent, so that a key that cannot be used is refused up front instead of failing every
 * request (and so that OpenSSL never asks the terminal for a pass phrase).
 */
#ifndef SOAPLOAD_TLSKEY_H
#define SOAPLOAD_TLSKEY_H

#include <stddef.h>

#include "core/config.h"

/** With --cert: reads the certificate, the key (--key, else the certificate's file) with the
 * password of --key-password-env/-file when given, and checks that they match. Never prompts.
 * Returns 0 (also without --cert), or -1 with err naming the file and the problem (an
 * encrypted key without a password, a wrong password, no key, no certificate, a mismatch).
 * With --cacert: reads its certificates the same way, and refuses a file with none or with an
 * encrypted certificate block (which would ask for a pass phrase). */
int sl_tlskey_check(const sl_config_t *cfg, char *err, size_t errlen);

#endif
