/*
 * wsa: WS-Addressing 1.0 (W3C, SOAP Binding) headers on a request: wsa:Action, wsa:MessageID
 * (urn:soapload:<the request's ID>, so that a server's log maps back to soapload's trace),
 * wsa:To (the URL) and wsa:ReplyTo with the anonymous address, for SOAP 1.1 and 1.2.
 */
#ifndef SOAPLOAD_WSA_H
#define SOAPLOAD_WSA_H

#include <stddef.h>

#include <libxml/tree.h>

#include "core/config.h"
#include "core/soapns.h"
#include "engine/request.h"

#define SL_WSA_HEADERS 4

/** Adds the four headers to the envelope's header block (before its other children), for the
 * request req of the run cfg. The new elements go into out in order. Returns 0, or -1 (out of
 * memory). */
int sl_wsa_add(xmlDocPtr doc, xmlNodePtr header, const sl_config_t *cfg, const sl_request_t *req,
               xmlNodePtr out[SL_WSA_HEADERS]);

/** The Action of req: --wsa-action, else the SOAP action it is sent with (its own SOAPAction
 * or Content-Type action parameter, then the run's --header), else the built-in echo's.
 * Written into buf (NUL-terminated); returns buf. */
const char *sl_wsa_action(const sl_config_t *cfg, const sl_request_t *req, char *buf, size_t cap);

#endif
