/*
 * timeline: where the seconds of merged result files go. Each file's intervals are placed at
 * its offset from the earliest start, and the merged timeline holds only the seconds that
 * some file has: results far apart in time (merged with --allow-gaps) cost the seconds they
 * hold, never one entry per empty second between them. Files that were not running at the
 * same time are refused unless asked.
 */
#ifndef SOAPLOAD_TIMELINE_H
#define SOAPLOAD_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "output/resultfile.h"

/** Where r's second 0 sits on the timeline that starts at t0_us: its start rounded to the
 * nearest second (segments started together by --start-at differ by milliseconds). */
int64_t sl_timeline_offset(const sl_resultfile_t *r, int64_t t0_us);
/** Checks that the files' time spans (start to start + elapsed_s) overlap: sorted by start,
 * each begins before the latest end of those before it. Returns 0 (always with allow_gaps),
 * or -1 with the two files and the gap between them in err. */
int sl_timeline_check_overlap(const sl_resultfile_t *in, int n, int allow_gaps, char *err,
                              size_t errlen);
/** Builds out->run.seconds from in[0..n): the seconds some file has, in order, each with its
 * own number (gaps are absent), counts and targets added, latency histograms added bucket by
 * bucket. Returns 0, or -1 with err (out of memory). */
int sl_timeline_merge(sl_resultfile_t *out, const sl_resultfile_t *in, int n, int64_t t0_us,
                      char *err, size_t errlen);

#endif
