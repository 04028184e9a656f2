/*
 * profile: the open model's rate over time, as stages of linear ramps and holds (k6's stages,
 * artillery's phases). Request k (0-based, counted over the whole run) is due at the instant
 * the integral of the rate reaches k, so a constant rate r gives k / r and a ramp gives the
 * exact quadratic's root; with Poisson arrivals request k is due where the integral reaches
 * the sum of k + 1 unit exponential draws (time rescaling), from a seeded generator, so that
 * every worker (and every machine) computes the same one schedule.
 */
#ifndef SOAPLOAD_PROFILE_H
#define SOAPLOAD_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#define SL_MAX_STAGES 64
#define SL_MAX_RATE 10000000 /* requests per second: of a rate, a ramp, a stage or a scenario */
#define SL_PROFILE_END UINT64_MAX /* a due time past the run's end */

typedef struct {
    uint64_t duration_ns;
    double target; /* requests per second reached at the end of the stage */
} sl_stage_t;

typedef struct {
    int nstages;
    sl_stage_t stages[SL_MAX_STAGES];
    double start_rate;
    double from[SL_MAX_STAGES];              /* the rate at each stage's start */
    uint64_t start_ns[SL_MAX_STAGES + 1];    /* offset of each stage's start; [n]: the end */
    long double count_at[SL_MAX_STAGES + 1]; /* the rate's integral at each stage's start */
} sl_profile_t;

/** Sets a profile that starts at start_rate and goes through n stages (a constant rate r for
 * d is start_rate r and one stage {d, r}). Returns 0, or -1 with a message naming the stage in
 * err (negative or not finite rates, no duration, a run without any request). */
int sl_profile_init(sl_profile_t *p, double start_rate, const sl_stage_t *stages, int n, char *err,
                    size_t errlen);
/** Sets a profile whose stage i goes from rate from[i] to its target: a rate may jump where
 * a stage starts (the sum of several scenarios' rates does). Returns 0, or -1 with err. */
int sl_profile_init_steps(sl_profile_t *p, const double *from, const sl_stage_t *stages, int n,
                          char *err, size_t errlen);
/** Whether r is a rate a profile takes: a number from 0 to SL_MAX_RATE. The one check of the
 * rate's limit (a flag's, a stage's, a scenario's). */
int sl_profile_rate_ok(double r);
/** The run's length in ns. */
uint64_t sl_profile_duration(const sl_profile_t *p);
/** Requests expected in [0, t): the rate's integral. */
long double sl_profile_integral(const sl_profile_t *p, uint64_t t_ns);
/** The first offset at which the integral reaches x, or SL_PROFILE_END when it does not before
 * the end. */
uint64_t sl_profile_time_of(const sl_profile_t *p, long double x);
/** How many requests a uniform (non-Poisson) schedule has: every k below the integral of the
 * whole run. */
uint64_t sl_profile_total(const sl_profile_t *p);
/** The rate at offset t (requests per second). */
double sl_profile_rate_at(const sl_profile_t *p, uint64_t t_ns);

/* Walks one worker's share of a Poisson schedule: global requests k = w, w + n, ... */
typedef struct {
    uint64_t k;      /* the next global index to draw */
    long double sum; /* the sum of the draws so far */
    uint64_t rng;    /* splitmix64 state */
} sl_poisson_t;

/** Starts a Poisson walk from the run's seed. */
void sl_poisson_init(sl_poisson_t *c, uint64_t seed);
/** Draws global request k's due offset (k must be the walk's next index: c->k). Returns
 * SL_PROFILE_END once the schedule is over. */
uint64_t sl_poisson_next(sl_poisson_t *c, const sl_profile_t *p);

#endif
