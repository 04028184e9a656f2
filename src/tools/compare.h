/*
 * compare: a baseline result and a new one (each a single or a merged result file) side by
 * side: rate, error rate and latency percentiles with their change (and each flow's duration
 * percentiles and failure rate), a rank test saying whether the latency change is larger
 * than chance, thresholds on the change ("p99 +10%") and a page with both percentile spectra
 * on one chart.
 */
#ifndef SOAPLOAD_COMPARE_H
#define SOAPLOAD_COMPARE_H

/** `soapload compare BASELINE.json NEW.json [--threshold 'p99 +10%']... [--fail-on-significant]
 * [--html OUT] [--junit OUT]`: argv[0] is "compare". Returns the exit code: 0, 3 when a
 * threshold on the change failed (or, with --fail-on-significant, the latency is significantly
 * slower), 2 for usage errors and unreadable files (or a scope neither result has). */
int sl_compare_main(int argc, char **argv);

#endif
