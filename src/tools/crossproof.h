/*
 * crossproof: the proof of concurrency across machines, from the --trace files of a split
 * run's segments (and, to put them on the server's clock, their --json results): bursts of
 * requests from distinct segments in flight together within a window, and, with the server's
 * ID log, the reconciliation of every segment's IDs.
 */
#ifndef SOAPLOAD_CROSSPROOF_H
#define SOAPLOAD_CROSSPROOF_H

/** `soapload merge --trace TRACE.csv... [RESULT.json...] [--id-log ID-LOG] [--window T]
 * [--min-segments N]`: argv[0] is "merge". Returns the exit code: 0 when bursts across
 * segments were found (and, with --id-log, every ID sent was received once), 1 when none was
 * found (or the IDs did not match), 2 for bad input. */
int sl_crossproof_main(int argc, char **argv);

#endif
