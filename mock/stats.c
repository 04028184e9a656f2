/*
 * stats: per-thread counters behind a per-thread lock that only a reset or a reader ever
 * contends (an uncontended lock costs its owner two atomic operations on its own cache line),
 * and a 64-shard hash set of ID fingerprints. A 64-bit fingerprint per ID keeps the set at 8
 * bytes per slot; tables grow by doubling at half load, so 16 to 32 bytes per distinct ID. The
 * chance of two IDs colliding among a million is about 3e-8. Once a shard's table has reached
 * its share of the memory ceiling it fills up to three quarters and then stops adding: an ID
 * found there is still a duplicate, one not found is counted as untracked. At that bound the set
 * holds 3/4 of its slots, 10.7 bytes per ID (the default 256 MiB: 25,165,824 IDs).
 */
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHARDS 64
#define MIN_SLOTS 64
#define LOG_BUF 65536

typedef struct {
    uint64_t by_outcome[SL_OUT_COUNT];
    uint64_t bytes, http2, tls;
    uint64_t ids, dups, untracked;
    uint64_t accepted;
    uint64_t signatures[4]; /* valid, invalid, missing, expired */
} counts_t;

typedef struct {
    pthread_mutex_t lock; /* the owner thread takes it per request; reset and readers take all */
    counts_t c;
    int pending_sig; /* the verdict on the next request's signature + 1; 0: none */
    size_t log_len;
    char log[LOG_BUF]; /* this thread's unwritten part of the ID log */
} __attribute__((aligned(64))) thread_slot_t;

typedef struct {
    pthread_mutex_t lock;
    uint64_t *keys; /* open addressing; 0 is empty */
    size_t cap, used;
} __attribute__((aligned(64))) shard_t;

struct sl_stats {
    int threads;
    thread_slot_t *slots;
    shard_t shards[SHARDS];
    int track_ids;
    size_t max_slots; /* per shard, a power of two */
    int log_fd;
    uint64_t log_existing;
    _Atomic uint64_t in_progress, max_in_progress;
    _Atomic uint64_t open, max_open;
};

static const char *const outcome_names[SL_OUT_COUNT] = {
    "echo",           "fault_client",   "fault_version_mismatch", "fault_injected",
    "fault_security", "bad_media_type", "method_not_allowed",     "not_found",
    "wsdl",           "fault_trigger",  "fault_session"};

const char *sl_outcome_name(sl_outcome_t o)
{
    return outcome_names[o];
}

static void raise_max(_Atomic uint64_t *max, uint64_t v)
{
    uint64_t cur = atomic_load_explicit(max, memory_order_relaxed);
    while (v > cur && !atomic_compare_exchange_weak_explicit(max, &cur, v, memory_order_relaxed,
                                                             memory_order_relaxed))
        ;
}

sl_stats_t *sl_stats_create(const sl_stats_config_t *cfg, char *err, size_t errlen)
{
    sl_stats_t *st = calloc(1, sizeof(*st));
    if (st == NULL)
        goto NoMemory;
    st->threads = cfg->threads;
    st->log_fd = -1;
    st->track_ids = cfg->id_memory > 0;
    st->max_slots = MIN_SLOTS;
    while (st->max_slots * 2 * sizeof(uint64_t) * SHARDS <= cfg->id_memory)
        st->max_slots *= 2;
    if (posix_memalign((void **)&st->slots, 64, sizeof(thread_slot_t) * (size_t)st->threads) != 0) {
        st->slots = NULL;
        goto NoMemory;
    }
    memset(st->slots, 0, sizeof(thread_slot_t) * (size_t)st->threads);
    for (int t = 0; t < st->threads; t++)
        pthread_mutex_init(&st->slots[t].lock, NULL);
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&st->shards[i].lock, NULL);
    if (cfg->id_log != NULL) {
        struct stat sb;
        st->log_fd =
            open(cfg->id_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (st->log_fd < 0) {
            snprintf(err, errlen, "cannot open ID log %s: %s", cfg->id_log, strerror(errno));
            sl_stats_destroy(st);
            return NULL;
        }
        if (fstat(st->log_fd, &sb) == 0 && S_ISREG(sb.st_mode))
            st->log_existing = (uint64_t)sb.st_size;
    }
    return st;
NoMemory:
    snprintf(err, errlen, "out of memory");
    sl_stats_destroy(st);
    return NULL;
}

void sl_stats_destroy(sl_stats_t *st)
{
    if (st == NULL)
        return;
    if (st->slots != NULL) {
        for (int t = 0; t < st->threads; t++) {
            sl_stats_flush_log(st, t);
            pthread_mutex_destroy(&st->slots[t].lock);
        }
    }
    if (st->log_fd >= 0)
        close(st->log_fd);
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_destroy(&st->shards[i].lock);
        free(st->shards[i].keys);
    }
    free(st->slots);
    free(st);
}

uint64_t sl_stats_log_existing(const sl_stats_t *st)
{
    return st->log_existing;
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

static int shard_grow(shard_t *sh, size_t ncap)
{
    uint64_t *nkeys = calloc(ncap, sizeof(*nkeys));
    if (nkeys == NULL)
        return -1;
    for (size_t i = 0; i < sh->cap; i++) {
        if (sh->keys[i] == 0)
            continue;
        size_t j = (sh->keys[i] >> 6) & (ncap - 1); /* the low 6 bits chose the shard */
        while (nkeys[j] != 0)
            j = (j + 1) & (ncap - 1);
        nkeys[j] = sh->keys[i];
    }
    free(sh->keys);
    sh->keys = nkeys;
    sh->cap = ncap;
    return 0;
}

typedef enum { ID_NEW, ID_DUP, ID_UNTRACKED } id_seen_t;

static id_seen_t shard_insert(shard_t *sh, uint64_t key, size_t max_slots)
{
    size_t j;
    if (sh->cap > 0) {
        for (j = (key >> 6) & (sh->cap - 1); sh->keys[j] != 0; j = (j + 1) & (sh->cap - 1))
            if (sh->keys[j] == key)
                return ID_DUP;
    }
    if ((sh->used + 1) * 2 > sh->cap && sh->cap < max_slots) {
        /* out of memory counts as a full table: the server goes on */
        if (shard_grow(sh, sh->cap == 0 ? MIN_SLOTS : sh->cap * 2) != 0 && sh->cap == 0)
            return ID_UNTRACKED;
    }
    if ((sh->used + 1) * 4 > sh->cap * 3)
        return ID_UNTRACKED;
    for (j = (key >> 6) & (sh->cap - 1); sh->keys[j] != 0; j = (j + 1) & (sh->cap - 1))
        ;
    sh->keys[j] = key;
    sh->used++;
    return ID_NEW;
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

static void record_id(sl_stats_t *st, thread_slot_t *slot, int t, const char *id, size_t len)
{
    slot->c.ids++;
    if (st->track_ids) {
        uint64_t key = fingerprint(id, len);
        shard_t *sh = &st->shards[key & (SHARDS - 1)];
        pthread_mutex_lock(&sh->lock);
        id_seen_t seen = shard_insert(sh, key, st->max_slots);
        pthread_mutex_unlock(&sh->lock);
        slot->c.dups += seen == ID_DUP;
        slot->c.untracked += seen == ID_UNTRACKED;
    } else {
        slot->c.untracked++;
    }
    if (st->log_fd < 0)
        return;
    if (slot->log_len + len + 1 > LOG_BUF)
        sl_stats_flush_log(st, t);
    /* an ID never holds a newline that survives: the log would not be line-oriented then */
    for (size_t i = 0; i < len; i++)
        slot->log[slot->log_len++] = id[i] == '\n' || id[i] == '\r' ? ' ' : id[i];
    slot->log[slot->log_len++] = '\n';
}

void sl_stats_record(sl_stats_t *st, int t, sl_outcome_t outcome, size_t bytes, unsigned how,
                     const char *id, size_t id_len)
{
    thread_slot_t *slot = &st->slots[t];
    pthread_mutex_lock(&slot->lock);
    slot->c.by_outcome[outcome]++;
    slot->c.bytes += bytes;
    slot->c.http2 += (how & SL_REQ_HTTP2) != 0;
    slot->c.tls += (how & SL_REQ_TLS) != 0;
    if (slot->pending_sig > 0 && slot->pending_sig <= 4)
        slot->c.signatures[slot->pending_sig - 1]++;
    slot->pending_sig = 0;
    if (id_len > 0)
        record_id(st, slot, t, id, id_len);
    pthread_mutex_unlock(&slot->lock);
}

void sl_stats_note_signature(sl_stats_t *st, int t, int verdict)
{
    st->slots[t].pending_sig = verdict + 1; /* read under the lock by the same thread */
}

void sl_stats_begin(sl_stats_t *st)
{
    raise_max(&st->max_in_progress, atomic_fetch_add(&st->in_progress, 1) + 1);
}

void sl_stats_end(sl_stats_t *st)
{
    atomic_fetch_sub(&st->in_progress, 1);
}

void sl_stats_conn_open(sl_stats_t *st, int t)
{
    thread_slot_t *slot = &st->slots[t];
    pthread_mutex_lock(&slot->lock);
    slot->c.accepted++;
    pthread_mutex_unlock(&slot->lock);
    raise_max(&st->max_open, atomic_fetch_add(&st->open, 1) + 1);
}

void sl_stats_conn_close(sl_stats_t *st)
{
    atomic_fetch_sub(&st->open, 1);
}

/* Reset and readers take every slot lock, always in index order, then the shard locks. */
static void lock_all(sl_stats_t *st)
{
    for (int t = 0; t < st->threads; t++)
        pthread_mutex_lock(&st->slots[t].lock);
}

static void unlock_all(sl_stats_t *st)
{
    for (int t = st->threads - 1; t >= 0; t--)
        pthread_mutex_unlock(&st->slots[t].lock);
}

void sl_stats_read(sl_stats_t *st, sl_stats_snapshot_t *s)
{
    memset(s, 0, sizeof(*s));
    lock_all(st);
    for (int t = 0; t < st->threads; t++) {
        const counts_t *c = &st->slots[t].c;
        for (int o = 0; o < SL_OUT_COUNT; o++) {
            s->by_outcome[o] += c->by_outcome[o];
            s->requests += c->by_outcome[o];
        }
        s->bytes += c->bytes;
        s->http2 += c->http2;
        s->tls += c->tls;
        s->ids += c->ids;
        s->dups += c->dups;
        s->untracked += c->untracked;
        s->accepted += c->accepted;
        for (int k = 0; k < 4; k++)
            s->signatures[k] += c->signatures[k];
    }
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&st->shards[i].lock);
        s->distinct += st->shards[i].used;
        s->set_bytes += st->shards[i].cap * sizeof(uint64_t);
        pthread_mutex_unlock(&st->shards[i].lock);
    }
    unlock_all(st);
    s->http1 = s->requests - s->http2;
    s->open = atomic_load(&st->open);
    s->max_open = atomic_load(&st->max_open);
    s->in_progress = atomic_load(&st->in_progress);
    s->max_in_progress = atomic_load(&st->max_in_progress);
    s->tracking = !st->track_ids ? "off" : s->untracked > 0 ? "partial" : "exact";
    if (st->track_ids) {
        s->set_max_bytes = (uint64_t)st->max_slots * sizeof(uint64_t) * SHARDS;
        s->max_distinct = (uint64_t)st->max_slots / 4 * 3 * SHARDS;
    }
}

size_t sl_stats_json(const sl_stats_snapshot_t *s, int threads, char *buf, size_t cap)
{
    size_t at = 0;
    int n = snprintf(buf, cap, "{\n  \"requests\": {\n    \"total\": %llu",
                     (unsigned long long)s->requests);
    for (int o = 0; n > 0 && o < SL_OUT_COUNT; o++) {
        at += (size_t)n;
        if (at >= cap)
            return 0;
        n = snprintf(buf + at, cap - at, ",\n    \"%s\": %llu", outcome_names[o],
                     (unsigned long long)s->by_outcome[o]);
    }
    if (n < 0)
        return 0;
    at += (size_t)n;
    if (at >= cap)
        return 0;
    n = snprintf(
        buf + at, cap - at,
        "\n  },\n"
        "  \"request_bytes\": %llu,\n"
        "  \"protocols\": {\"http1\": %llu, \"http2\": %llu, \"tls\": %llu},\n"
        "  \"ids\": {\"received\": %llu, \"distinct\": %llu, \"duplicates\": %llu, "
        "\"untracked\": %llu, \"tracking\": \"%s\", \"set_bytes\": %llu, "
        "\"set_max_bytes\": %llu, \"max_distinct\": %llu},\n"
        "  \"in_progress\": {\"now\": %llu, \"max\": %llu},\n"
        "  \"connections\": {\"accepted\": %llu, \"open\": %llu, \"max_open\": %llu},\n"
        "  \"signatures\": {\"valid\": %llu, \"invalid\": %llu, \"missing\": %llu, "
        "\"expired\": %llu},\n"
        "  \"threads\": %d\n}\n",
        (unsigned long long)s->bytes, (unsigned long long)s->http1, (unsigned long long)s->http2,
        (unsigned long long)s->tls, (unsigned long long)s->ids, (unsigned long long)s->distinct,
        (unsigned long long)s->dups, (unsigned long long)s->untracked, s->tracking,
        (unsigned long long)s->set_bytes, (unsigned long long)s->set_max_bytes,
        (unsigned long long)s->max_distinct, (unsigned long long)s->in_progress,
        (unsigned long long)s->max_in_progress, (unsigned long long)s->accepted,
        (unsigned long long)s->open, (unsigned long long)s->max_open,
        (unsigned long long)s->signatures[0], (unsigned long long)s->signatures[1],
        (unsigned long long)s->signatures[2], (unsigned long long)s->signatures[3], threads);
    if (n < 0)
        return 0;
    at += (size_t)n;
    return at >= cap ? 0 : at;
}

void sl_stats_reset(sl_stats_t *st)
{
    lock_all(st);
    for (int t = 0; t < st->threads; t++)
        memset(&st->slots[t].c, 0, sizeof(st->slots[t].c));
    for (int i = 0; i < SHARDS; i++) {
        shard_t *sh = &st->shards[i];
        pthread_mutex_lock(&sh->lock);
        free(sh->keys);
        sh->keys = NULL;
        sh->cap = sh->used = 0;
        pthread_mutex_unlock(&sh->lock);
    }
    /* the maxima restart from what is going on now */
    atomic_store(&st->max_in_progress, atomic_load(&st->in_progress));
    atomic_store(&st->max_open, atomic_load(&st->open));
    unlock_all(st);
}
