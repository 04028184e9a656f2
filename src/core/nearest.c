/*
 * nearest: Levenshtein distance over one row; names longer than 64 bytes are never a typo's
 * match.
 */
#include "core/nearest.h"

#include <stddef.h>
#include <string.h>

#define MAX_NAME 64
#define MAX_EDITS 3 /* further than 3 edits is no typo */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[MAX_NAME + 1];
    if (la > MAX_NAME || lb > MAX_NAME)
        return MAX_NAME;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *sl_nearest(const char *name, const char *const *names)
{
    const char *best = NULL;
    size_t best_d = MAX_EDITS + 1;
    for (int i = 0; names[i] != NULL; i++) {
        size_t d = edit_distance(name, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}
