/*
 * reqid: the ID soapload gives a request, P<pid>-R<seq> (the pid of the worker that sent it,
 * its sequence number from 1), with S<I>- before it in segment I of a split run (--segment
 * I/N), so that IDs stay unique across machines. Written by the workers, the dry run and the
 * run's list of IDs; parsed back by the proof across segments (merge --trace).
 */
#ifndef SOAPLOAD_REQID_H
#define SOAPLOAD_REQID_H

#include <stddef.h>
#include <stdint.h>

/* The longest ID: "S2147483647-P2147483647-R18446744073709551615" and its NUL. */
#define SL_REQID_MAX 48

/* A request ID's parts. */
typedef struct {
    int segmented; /* 1: S<segment>- leads */
    int segment;   /* I of --segment I/N, 0 to INT_MAX */
    int pid;       /* of the worker, 0 to INT_MAX */
    uint64_t seq;  /* from 1 per worker */
} sl_reqid_t;

/** Writes id's prefix up to its sequence number, "P<pid>-R" or "S<I>-P<pid>-R", into buf (cap
 * bytes, NUL-terminated, cut to fit). Returns its length as snprintf does: cap or more when it
 * was cut. */
size_t sl_reqid_prefix(const sl_reqid_t *id, char *buf, size_t cap);
/** Writes seq's decimal digits at buf + len, after a prefix of that length (room for 20
 * digits there; no NUL written): each request's ID from one prefix, without a format per
 * request. Returns the ID's length. */
size_t sl_reqid_append_seq(char *buf, size_t len, uint64_t seq);
/** Writes the whole ID into buf (cap bytes, NUL-terminated). Returns its length, or 0 (buf
 * "") when it does not fit. */
size_t sl_reqid_format(const sl_reqid_t *id, char *buf, size_t cap);
/** Parses text as an ID soapload makes: [S<I>-]P<pid>-R<seq>, each a decimal number without
 * sign or space (I and pid up to INT_MAX, seq up to 2^64 - 1), nothing after. Returns 0 with
 * *id, or -1 (a script's own ID, or no ID at all; *id then unspecified). */
int sl_reqid_parse(const char *text, sl_reqid_t *id);

#endif
