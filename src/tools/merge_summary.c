/*
 * merge_summary: the lines a merged result's summary begins with: the files merged, each one's
 * start on the timeline, workers and counts, its segment and clock offset, and how much of a
 * split schedule the segments cover.
 */
#include "tools/merge_summary.h"

#include <time.h>

#include "output/results.h"

void sl_merge_summary_print(FILE *out, const sl_resultfile_t *m)
{
    fprintf(out, "Merged %zu result%s (%s) on one timeline from the earliest start\n",
            m->run.nsegments, m->run.nsegments == 1 ? "" : "s", SL_RESULTS_SCHEMA);
    for (size_t i = 0; i < m->run.nsegments; i++) {
        const sl_segment_t *g = &m->run.segments[i];
        char when[64], day[32];
        struct tm tm;
        time_t secs = (time_t)(g->started_at_us / 1000000);
        gmtime_r(&secs, &tm);
        strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
        snprintf(when, sizeof(when), "%s.%06lld", day, (long long)(g->started_at_us % 1000000));
        fprintf(out,
                "Segment %-3zu     %s: started %s UTC (second %lld), %d worker%s, scheduled "
                "%llu, sent %llu, ok %llu\n",
                i + 1, g->source, when, (long long)g->offset_s, g->nworkers,
                g->nworkers == 1 ? "" : "s", (unsigned long long)g->counts.scheduled,
                (unsigned long long)g->counts.sent, (unsigned long long)g->counts.results[SL_R_OK]);
        if (g->nsegments > 0)
            fprintf(out, "                segment %d/%d", g->segment, g->nsegments);
        if (g->nsegments > 0 && g->has_clock)
            fprintf(out, ", clock offset %+.3f ms +- %.3f ms against the server",
                    g->clock_offset_ms, g->clock_uncertainty_ms);
        if (g->nsegments > 0)
            fprintf(out, "\n");
    }
    size_t have = m->run.nsegments;
    if (have > 0 && m->run.segments[0].nsegments > 0) {
        int of = m->run.segments[0].nsegments;
        if ((int)have == of)
            fprintf(out, "Segments        all %d of the split schedule: the whole schedule\n", of);
        else
            fprintf(out,
                    "Segments        %zu of %d: the merged result covers only their share of "
                    "the schedule\n",
                    have, of);
    }
}
