/*
 * merge_listen: `soapload merge --listen ADDR:PORT --expect N`: the segments of a distributed
 * run hand their result files to the merge over HTTP (POST /results, each named by the segment
 * I/N in its own JSON), which merges them with soapload merge's own code once all N are in, or
 * once the deadline passed, and keeps serving the merged JSON and HTML for a while.
 */
#ifndef SOAPLOAD_MERGE_LISTEN_H
#define SOAPLOAD_MERGE_LISTEN_H

#include <stdint.h>

#define SL_LISTEN_MAX_RESULT (64ULL << 20) /* bytes of one posted result: 413 above */

/** Whether argv (soapload merge's, argv[0] "merge") asks for --listen. */
int sl_merge_listen_wanted(int argc, char **argv);

/** `soapload merge --listen ADDR:PORT --expect N [--deadline T] [--token-file FILE]
 * [--serve-for T] [--first-within T] [--json OUT] [--html OUT] [--threshold EXPR]... [-q]`: argv[0]
 * is "merge". Returns the exit code: the merge's, 4 when a segment was missing at the deadline, 2
 * for a usage error, 130 when interrupted before the merge. */
int sl_merge_listen_main(int argc, char **argv);

#endif
