/*
 * merge: the `soapload merge` subcommand: result files (schema soapload-results/1) read back,
 * checked and merged into one result exactly: counts and histogram buckets added, intervals
 * placed on one timeline of absolute seconds, failure reasons added under their bound, one
 * segment row per file. The writers of a run (JSON, HTML, JUnit, the summary) then write the
 * merged result; there is no second writer.
 */
#ifndef SOAPLOAD_MERGE_H
#define SOAPLOAD_MERGE_H

/** `soapload merge RESULT.json... [--json OUT] [--html OUT] [--threshold EXPR]... [--quiet]`:
 * argv[0] is "merge". Returns the exit code. */
int sl_merge_main(int argc, char **argv);

#endif
