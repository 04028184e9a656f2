/*
 * stats: per-thread single-writer counters (relaxed atomics: exact, and no lock on the hot
 * path), a reset implemented as a baseline subtracted on read, and a 64-shard hash set of
 * ID fingerprints. A 64-bit fingerprint per ID keeps the set at 16 bytes per distinct ID;
 * the chance of two IDs colliding among a million is about 3e-8.
 */
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHARDS 64
#define LOG_BUF 65536

typedef struct {
    _Atomic uint64_t by_outcome[SL_OUT_COUNT];
    _Atomic uint64_t bytes;
    char log[LOG_BUF]; /* this thread's unwritten part of the ID log */
    size_t log_len;
} __attribute__((aligned(64))) thread_slot_t;

typedef struct {
    pthread_mutex_t lock;
    uint64_t *keys; /* open addressing; 0 is empty */
    size_t cap, used;
    uint64_t ids, dups;
} __attribute__((aligned(64))) shard_t;

typedef struct {
    uint64_t by_outcome[SL_OUT_COUNT];
    uint64_t bytes;
    uint64_t accepted;
} snapshot_t;

struct sl_stats {
    int threads;
    thread_slot_t *slots;
    shard_t shards[SHARDS];
    int log_fd;
    _Atomic uint64_t in_progress, max_in_progress;
    _Atomic uint64_t accepted, open, max_open;
    pthread_mutex_t reset_lock;
    snapshot_t base; /* subtracted on read: a reset never races the writers */
};

static const char *const outcome_names[SL_OUT_COUNT] = {"echo",
                                                        "fault_client",
                                                        "fault_version_mismatch",
                                                        "fault_injected",
                                                        "bad_media_type",
                                                        "method_not_allowed",
                                                        "not_found",
                                                        "wsdl"};

const char *sl_outcome_name(sl_outcome_t o)
{
    return outcome_names[o];
}

static uint64_t load(_Atomic uint64_t *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

/* Single writer: a plain load and store, no locked instruction. */
static void bump(_Atomic uint64_t *v, uint64_t by)
{
    atomic_store_explicit(v, load(v) + by, memory_order_relaxed);
}

static void raise_max(_Atomic uint64_t *max, uint64_t v)
{
    uint64_t cur = load(max);
    while (v > cur && !atomic_compare_exchange_weak_explicit(max, &cur, v, memory_order_relaxed,
                                                             memory_order_relaxed))
        ;
}

sl_stats_t *sl_stats_create(int threads, const char *id_log, char *err, size_t errlen)
{
    sl_stats_t *st = calloc(1, sizeof(*st));
    if (st == NULL)
        goto NoMemory;
    st->threads = threads;
    st->log_fd = -1;
    if (posix_memalign((void **)&st->slots, 64, sizeof(thread_slot_t) * (size_t)threads) != 0)
        goto NoMemory;
    memset(st->slots, 0, sizeof(thread_slot_t) * (size_t)threads);
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&st->shards[i].lock, NULL);
    pthread_mutex_init(&st->reset_lock, NULL);
    if (id_log != NULL) {
        st->log_fd =
            open(id_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (st->log_fd < 0) {
            snprintf(err, errlen, "cannot open ID log %s: %s", id_log, strerror(errno));
            sl_stats_destroy(st);
            return NULL;
        }
    }
    return st;
NoMemory:
    snprintf(err, errlen, "out of memory");
    if (st != NULL)
        free(st);
    return NULL;
}

void sl_stats_destroy(sl_stats_t *st)
{
    if (st == NULL)
        return;
    for (int t = 0; t < st->threads; t++)
        sl_stats_flush_log(st, t);
    if (st->log_fd >= 0)
        close(st->log_fd);
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_destroy(&st->shards[i].lock);
        free(st->shards[i].keys);
    }
    pthread_mutex_destroy(&st->reset_lock);
    free(st->slots);
    free(st);
}

void sl_stats_count(sl_stats_t *st, int t, sl_outcome_t outcome, size_t bytes)
{
    bump(&st->slots[t].by_outcome[outcome], 1);
    bump(&st->slots[t].bytes, bytes);
}

static uint64_t fingerprint(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then a splitmix64 finish for the shards */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h == 0 ? 1 : h;
}

/* Returns 1 when the key is new; 0 when it was there; -1 when out of memory. */
static int shard_insert(shard_t *sh, uint64_t key)
{
    if ((sh->used + 1) * 2 > sh->cap) {
        size_t ncap = sh->cap == 0 ? 1024 : sh->cap * 2;
        uint64_t *nkeys = calloc(ncap, sizeof(*nkeys));
        if (nkeys == NULL)
            return -1;
        for (size_t i = 0; i < sh->cap; i++) {
            if (sh->keys[i] == 0)
                continue;
            size_t j = (sh->keys[i] >> 6) & (ncap - 1);
            while (nkeys[j] != 0)
                j = (j + 1) & (ncap - 1);
            nkeys[j] = sh->keys[i];
        }
        free(sh->keys);
        sh->keys = nkeys;
        sh->cap = ncap;
    }
    size_t j = (key >> 6) & (sh->cap - 1); /* the low 6 bits chose the shard */
    while (sh->keys[j] != 0) {
        if (sh->keys[j] == key)
            return 0;
        j = (j + 1) & (sh->cap - 1);
    }
    sh->keys[j] = key;
    sh->used++;
    return 1;
}

void sl_stats_flush_log(sl_stats_t *st, int t)
{
    thread_slot_t *slot = &st->slots[t];
    size_t off = 0;
    while (st->log_fd >= 0 && off < slot->log_len) {
        ssize_t n = write(st->log_fd, slot->log + off, slot->log_len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* a full disk must not stop the server; the log is best effort then */
        off += (size_t)n;
    }
    slot->log_len = 0;
}

void sl_stats_id(sl_stats_t *st, int t, const char *id, size_t len)
{
    uint64_t key = fingerprint(id, len);
    shard_t *sh = &st->shards[key & (SHARDS - 1)];
    pthread_mutex_lock(&sh->lock);
    if (shard_insert(sh, key) == 0)
        sh->dups++;
    sh->ids++;
    pthread_mutex_unlock(&sh->lock);

    if (st->log_fd < 0)
        return;
    thread_slot_t *slot = &st->slots[t];
    if (slot->log_len + len + 1 > LOG_BUF)
        sl_stats_flush_log(st, t);
    /* an ID never holds a newline that survives: the log would not be line-oriented then */
    for (size_t i = 0; i < len; i++)
        slot->log[slot->log_len++] = id[i] == '\n' || id[i] == '\r' ? ' ' : id[i];
    slot->log[slot->log_len++] = '\n';
}

void sl_stats_begin(sl_stats_t *st)
{
    raise_max(&st->max_in_progress, atomic_fetch_add(&st->in_progress, 1) + 1);
}

void sl_stats_end(sl_stats_t *st)
{
    atomic_fetch_sub(&st->in_progress, 1);
}

void sl_stats_conn_open(sl_stats_t *st)
{
    atomic_fetch_add(&st->accepted, 1);
    raise_max(&st->max_open, atomic_fetch_add(&st->open, 1) + 1);
}

void sl_stats_conn_close(sl_stats_t *st)
{
    atomic_fetch_sub(&st->open, 1);
}

static void snapshot(sl_stats_t *st, snapshot_t *s)
{
    memset(s, 0, sizeof(*s));
    for (int t = 0; t < st->threads; t++) {
        for (int o = 0; o < SL_OUT_COUNT; o++)
            s->by_outcome[o] += load(&st->slots[t].by_outcome[o]);
        s->bytes += load(&st->slots[t].bytes);
    }
    s->accepted = load(&st->accepted);
}

static void id_totals(sl_stats_t *st, uint64_t *ids, uint64_t *distinct, uint64_t *dups)
{
    *ids = *distinct = *dups = 0;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&st->shards[i].lock);
        *ids += st->shards[i].ids;
        *distinct += st->shards[i].used;
        *dups += st->shards[i].dups;
        pthread_mutex_unlock(&st->shards[i].lock);
    }
}

void sl_stats_totals(sl_stats_t *st, uint64_t *requests, uint64_t *distinct, uint64_t *dups,
                     uint64_t *max_in_progress, uint64_t *accepted)
{
    snapshot_t s;
    uint64_t ids;
    pthread_mutex_lock(&st->reset_lock);
    snapshot(st, &s);
    *requests = 0;
    for (int o = 0; o < SL_OUT_COUNT; o++)
        *requests += s.by_outcome[o] - st->base.by_outcome[o];
    *accepted = s.accepted - st->base.accepted;
    pthread_mutex_unlock(&st->reset_lock);
    id_totals(st, &ids, distinct, dups);
    *max_in_progress = load(&st->max_in_progress);
}

size_t sl_stats_json(sl_stats_t *st, char *buf, size_t cap)
{
    snapshot_t s;
    uint64_t total = 0, ids, distinct, dups;
    size_t at = 0;
    int n;

    pthread_mutex_lock(&st->reset_lock);
    snapshot(st, &s);
    for (int o = 0; o < SL_OUT_COUNT; o++) {
        s.by_outcome[o] -= st->base.by_outcome[o];
        total += s.by_outcome[o];
    }
    s.bytes -= st->base.bytes;
    s.accepted -= st->base.accepted;
    pthread_mutex_unlock(&st->reset_lock);
    id_totals(st, &ids, &distinct, &dups);

    n = snprintf(buf, cap, "{\n  \"requests\": {\n    \"total\": %llu", (unsigned long long)total);
    for (int o = 0; n > 0 && o < SL_OUT_COUNT; o++) {
        at += (size_t)n;
        if (at >= cap)
            return 0;
        n = snprintf(buf + at, cap - at, ",\n    \"%s\": %llu", outcome_names[o],
                     (unsigned long long)s.by_outcome[o]);
    }
    at += (size_t)n;
    if (at >= cap)
        return 0;
    n = snprintf(buf + at, cap - at,
                 "\n  },\n"
                 "  \"request_bytes\": %llu,\n"
                 "  \"ids\": {\"received\": %llu, \"distinct\": %llu, \"duplicates\": %llu},\n"
                 "  \"in_progress\": {\"now\": %llu, \"max\": %llu},\n"
                 "  \"connections\": {\"accepted\": %llu, \"open\": %llu, \"max_open\": %llu},\n"
                 "  \"threads\": %d\n}\n",
                 (unsigned long long)s.bytes, (unsigned long long)ids, (unsigned long long)distinct,
                 (unsigned long long)dups, (unsigned long long)load(&st->in_progress),
                 (unsigned long long)load(&st->max_in_progress), (unsigned long long)s.accepted,
                 (unsigned long long)load(&st->open), (unsigned long long)load(&st->max_open),
                 st->threads);
    at += (size_t)n;
    return at >= cap ? 0 : at;
}

void sl_stats_reset(sl_stats_t *st)
{
    pthread_mutex_lock(&st->reset_lock);
    snapshot(st, &st->base);
    pthread_mutex_unlock(&st->reset_lock);
    for (int i = 0; i < SHARDS; i++) {
        shard_t *sh = &st->shards[i];
        pthread_mutex_lock(&sh->lock);
        free(sh->keys);
        sh->keys = NULL;
        sh->cap = sh->used = sh->ids = sh->dups = 0;
        pthread_mutex_unlock(&sh->lock);
    }
    /* the maxima restart from what is going on now */
    atomic_store(&st->max_in_progress, load(&st->in_progress));
    atomic_store(&st->max_open, load(&st->open));
}
