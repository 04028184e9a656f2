/*
 * head: the header lines a request goes out with, composed once for both a worker's send and
 * --dry-run: soapload's own (User-Agent, Accept, Content-Type, SOAPAction, Expect), each
 * replaced by a --header of the same name, the --header's, and all of those replaced by
 * request()'s of the same name (an operation's SOAPAction or Content-Type, MTOM's multipart
 * Content-Type), then request()'s.
 */
#ifndef SOAPLOAD_HEAD_H
#define SOAPLOAD_HEAD_H

#include "core/config.h"
#include "core/headers.h"
#include "engine/request.h"

#define SL_HEAD_MAX_LINES (SL_MAX_HEADERS + SL_MAX_REQUEST_HEADERS + 8)

/* "Name: value" lines in the order they are handed to libcurl ("Name:" removes a header,
 * "Name;" sends it empty, as libcurl reads them). */
typedef struct {
    const char *line[SL_HEAD_MAX_LINES]; /* into the config, the request or ct */
    int n;
    char ct[SL_HEADER_LINE_CAP]; /* the Content-Type line */
} sl_head_t;

/** The run's lines into h: pointers into cfg (which must outlive h) and h itself. */
void sl_head_defaults(sl_head_t *h, const sl_config_t *cfg);
/** A request's lines into out: those of defaults unless req names the same header, then req's
 * own. Points into defaults and req, which must outlive out. */
void sl_head_compose(sl_head_t *out, const sl_head_t *defaults, const sl_request_t *req);

#endif
