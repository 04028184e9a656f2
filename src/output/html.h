/*
 * html: the self-contained HTML report: the template in src/report.html (compiled in) with
 * the run's JSON results embedded.
 */
#ifndef SOAPLOAD_HTML_H
#define SOAPLOAD_HTML_H

#include <stddef.h>
#include <stdio.h>

/** Writes the report to out, embedding `json` (the results document). Returns 0 or -1. */
int sl_html_write(FILE *out, const char *json, size_t len);

#endif
