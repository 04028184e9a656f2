/*
 * merge_summary: the lines a merged result's summary begins with (before the summary of a
 * run, which output/report.c prints): the files, their segments and clock offsets.
 */
#ifndef SOAPLOAD_MERGE_SUMMARY_H
#define SOAPLOAD_MERGE_SUMMARY_H

#include <stdio.h>

#include "output/resultfile.h"

/** Prints to out the merged result m's lines: one per file merged (its start, workers and
 * counts, its segment and clock offset) and how much of a split schedule they cover. */
void sl_merge_summary_print(FILE *out, const sl_resultfile_t *m);

#endif
