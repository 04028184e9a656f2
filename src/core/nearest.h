/*
 * nearest: "did you mean": the name of a list nearest to a mistyped one, for the messages that
 * refuse an unknown setting, scenario key or operation.
 */
#ifndef SOAPLOAD_NEAREST_H
#define SOAPLOAD_NEAREST_H

/** Of the NULL-terminated names, the one fewest edits from name (the earliest on a tie),
 * if it is within 3 edits; else NULL. */
const char *sl_nearest(const char *name, const char *const *names);

#endif
