/*
 * html: the self-contained HTML report: the template in src/report.html (compiled in) with
 * the run's JSON results embedded.
 */
#ifndef SOAPLOAD_HTML_H
#define SOAPLOAD_HTML_H

#include <stddef.h>
#include <stdio.h>

/** Writes json[0..len) (a JSON document) to out escaped for a <script> element: '<', '>',
 * '&', U+2028 and U+2029 as \uXXXX escapes; a JSON parser reads back the same document. */
void sl_html_embed_json(FILE *out, const char *json, size_t len);
/** Writes the report to out, embedding `json` (the results document). Returns 0 or -1. */
int sl_html_write(FILE *out, const char *json, size_t len);

#endif
