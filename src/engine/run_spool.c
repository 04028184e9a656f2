/*
 * run_spool: the send records are appended by the workers as they go (O_APPEND keeps their
 * records whole) and read once after the run; the IDs the scripts chose are kept only for the
 * few requests the report lists, so that memory stays bounded.
 */
#include "engine/run_spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/load.h"
#include "core/profile.h"
#include "core/reqid.h"
#include "engine/board.h"

/* An unnamed file: nothing is left behind, whatever happens to the run. */
int sl_run_spool_open(void)
{
    const char *dir = getenv("TMPDIR");
    int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        char path[] = "/tmp/soapload-spool-XXXXXX";
        fd = mkostemp(path, O_APPEND | O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
    }
    return fd;
}

/* Reads the side file of the scripts' own IDs once, keeping those of the listed requests
 * (at most SL_BURSTS_SHOWN x SL_BURST_MAX_REQUESTS): memory stays bounded. */
static void find_listed_ids(sl_run_t *run)
{
    const sl_concurrency_t *c = &run->concurrency;
    size_t want = 0;
    for (int b = 0; b < c->nbursts; b++)
        for (size_t k = 0; k < c->bursts[b].count; k++)
            want += c->bursts[b].requests[k].custom_id != 0;
    if (want == 0 || run->ids_fd < 0)
        return;
    run->listed_ids = calloc(want, sizeof(*run->listed_ids));
    if (run->listed_ids == NULL)
        return;
    FILE *f = fdopen(dup(run->ids_fd), "r");
    if (f == NULL)
        return;
    rewind(f);
    sl_idrec_t h;
    char id[65536];
    while (run->nlisted_ids < want && fread(&h, sizeof(h), 1, f) == 1 &&
           fread(id, 1, h.len, f) == h.len) {
        for (int b = 0; b < c->nbursts; b++) {
            for (size_t k = 0; k < c->bursts[b].count; k++) {
                const sl_sendrec_t *r = &c->bursts[b].requests[k];
                if (!r->custom_id || r->worker != h.worker || r->seq != h.seq)
                    continue;
                sl_run_id_t *e = &run->listed_ids[run->nlisted_ids];
                if ((e->id = strndup(id, h.len)) != NULL) {
                    e->seq = h.seq;
                    e->worker = h.worker;
                    run->nlisted_ids++;
                }
                goto Next;
            }
        }
    Next:;
    }
    fclose(f);
}

const char *sl_run_request_id(const sl_run_t *run, const sl_sendrec_t *r, char *buf, size_t len)
{
    for (size_t i = 0; r->custom_id && i < run->nlisted_ids; i++) {
        if (run->listed_ids[i].worker == r->worker && run->listed_ids[i].seq == r->seq) {
            snprintf(buf, len, "%s", run->listed_ids[i].id);
            return buf;
        }
    }
    sl_reqid_t id = {.segmented = run->segmented,
                     .segment = run->segment,
                     .pid = (int)run->workers[r->worker].pid,
                     .seq = r->seq};
    sl_reqid_format(&id, buf, len);
    return buf;
}

/* Reads the spool back and analyzes it. */
void sl_run_spool_analyze(const sl_config_t *cfg, sl_run_t *run)
{
    sl_burst_rule_t rule = {.min_requests = 4,
                            .min_workers = run->nworkers > 1 ? 2 : 1,
                            .rate = cfg->closed ? 0 : sl_load_rate(cfg),
                            .burst = cfg->burst,
                            .nworkers = run->nworkers};
    sl_profile_t profile; /* a shaped schedule's due times; Poisson ones are not recomputed */
    if (!cfg->closed && (cfg->nstages > 0 || cfg->ramp) &&
        sl_load_profile(cfg, &profile, NULL, 0) == 0)
        rule.profile = &profile;
    if (cfg->arrival == SL_ARRIVAL_POISSON)
        rule.rate = 0;
    struct stat st;
    if (run->spool_fd < 0 || fstat(run->spool_fd, &st) != 0)
        return;
    size_t n = (size_t)st.st_size / sizeof(sl_sendrec_t);
    sl_sendrec_t *recs = malloc((n ? n : 1) * sizeof(*recs));
    if (recs == NULL)
        return;
    size_t got = 0, want = n * sizeof(*recs);
    while (got < want) {
        ssize_t r = pread(run->spool_fd, (char *)recs + got, want - got, (off_t)got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got == want && sl_concurrency_analyze(recs, n, run->t0_ns, &rule, &run->concurrency) == 0)
        run->analyzed = 1;
    run->analysis_partial = n < run->counts.sent;
    free(recs);
    if (run->analyzed)
        find_listed_ids(run);
}

void sl_run_spool_second(sl_run_t *run, sl_second_t *s)
{
    if (!run->seconds_open || run->seconds_failed || s->hist_enc == NULL)
        return;
    if (sl_file_write_all(run->seconds_fd, s->hist_enc, s->hist_enc_len) != 0) {
        run->seconds_failed = 1; /* a partial write leaves a tail no second points into */
        return;
    }
    s->hist_at = run->seconds_len + 1;
    run->seconds_len += s->hist_enc_len;
    free(s->hist_enc);
    s->hist_enc = NULL;
}

int sl_run_second_hist(const sl_run_t *run, const sl_second_t *s, sl_hist_t *h)
{
    if (s->hist_enc != NULL)
        return sl_hist_decode_add(h, s->hist_enc, s->hist_enc_len) > 0 ? 0 : -1;
    if (s->hist_at == 0 || s->hist_enc_len == 0)
        return 1;
    if (!run->seconds_open)
        return -1;
    uint8_t *buf = malloc(s->hist_enc_len);
    size_t got = 0;
    while (buf != NULL && got < s->hist_enc_len) {
        ssize_t n =
            pread(run->seconds_fd, buf + got, s->hist_enc_len - got, (off_t)(s->hist_at - 1 + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    int rc = got == s->hist_enc_len && sl_hist_decode_add(h, buf, got) > 0 ? 0 : -1;
    free(buf);
    return rc;
}
