/*
 * test_profile: the open model's rate over time: constant rates as before, ramps whose
 * per-second counts follow the integral, Poisson arrivals with the right mean and spread.
 */
#include <math.h>

#include "unit.h"
#include "core/profile.h"

#define S 1000000000ULL

static int counts_in_seconds(const sl_profile_t *p, uint64_t total, uint64_t *per, int nsec)
{
    memset(per, 0, (size_t)nsec * sizeof(*per));
    for (uint64_t k = 0; k < total; k++) {
        uint64_t t = sl_profile_time_of(p, (long double)k);
        if (t == SL_PROFILE_END || t / S >= (uint64_t)nsec)
            return -1;
        per[t / S]++;
    }
    return 0;
}

int main(void)
{
    char err[200];
    sl_profile_t p;

    /* a constant rate: request k at k / rate, as the uniform schedule always had it */
    sl_stage_t flat[] = {{10 * S, 1000}};
    CHECK(sl_profile_init(&p, 1000, flat, 1, err, sizeof(err)) == 0);
    CHECK_EQ_U(sl_profile_total(&p), 10000);
    CHECK_EQ_U(sl_profile_time_of(&p, 1), 1000000);
    CHECK_EQ_U(sl_profile_time_of(&p, 9999), 9999000000ULL);
    CHECK_EQ_U(sl_profile_time_of(&p, 10000), SL_PROFILE_END);
    sl_stage_t third[] = {{S, 3}};
    CHECK(sl_profile_init(&p, 3, third, 1, err, sizeof(err)) == 0);
    CHECK_EQ_U(sl_profile_time_of(&p, 1), 333333333);
    CHECK_EQ_U(sl_profile_total(&p), 3);
    sl_stage_t frac[] = {{S, 2.5}};
    CHECK(sl_profile_init(&p, 2.5, frac, 1, err, sizeof(err)) == 0);
    CHECK_EQ_U(sl_profile_total(&p), 3); /* k = 0, 1, 2 all before 1 s */

    /* a ramp from 0 to 1000/s over 10 s, then a hold: per second the integral's share,
     * 50, 150, ... 950, then 1000 a second; 5,000 + 5,000 in all */
    sl_stage_t ramp[] = {{10 * S, 1000}, {5 * S, 1000}};
    CHECK(sl_profile_init(&p, 0, ramp, 2, err, sizeof(err)) == 0);
    CHECK_EQ_U(sl_profile_total(&p), 10000);
    uint64_t per[15];
    CHECK(counts_in_seconds(&p, 10000, per, 15) == 0);
    for (int s = 0; s < 10; s++)
        CHECK_EQ_U(per[s], (uint64_t)(100 * s + 50));
    for (int s = 10; s < 15; s++)
        CHECK_EQ_U(per[s], 1000);
    /* the due times grow and request k is where the integral reaches k */
    for (uint64_t k = 1; k < 10000; k += 97) {
        uint64_t t = sl_profile_time_of(&p, (long double)k);
        long double at = sl_profile_integral(&p, t);
        CHECK(fabsl(at - (long double)k) < 1e-3L);
        CHECK(t > sl_profile_time_of(&p, (long double)(k - 1)));
    }
    CHECK(fabs(sl_profile_rate_at(&p, 5 * S) - 500) < 1e-9);

    /* ramp down to 0: the flat end sends nothing more */
    sl_stage_t down[] = {{4 * S, 0}, {2 * S, 0}};
    CHECK(sl_profile_init(&p, 100, down, 2, err, sizeof(err)) == 0);
    CHECK_EQ_U(sl_profile_total(&p), 200);
    CHECK(sl_profile_time_of(&p, 199) < 4 * S);

    /* refused: no stage, a negative target, nothing to send */
    CHECK(sl_profile_init(&p, 10, ramp, 0, err, sizeof(err)) == -1);
    sl_stage_t neg[] = {{S, -5}};
    CHECK(sl_profile_init(&p, 10, neg, 1, err, sizeof(err)) == -1);
    CHECK(strstr(err, "stage 1") != NULL);
    sl_stage_t none[] = {{S, 0}};
    CHECK(sl_profile_init(&p, 0, none, 1, err, sizeof(err)) == -1);
    sl_stage_t nodur[] = {{0, 5}};
    CHECK(sl_profile_init(&p, 5, nodur, 1, err, sizeof(err)) == -1);

    /* Poisson at 1000/s for 20 s with a fixed seed: the same walk twice; about 20,000
     * arrivals; inter-arrival mean 1 ms and standard deviation 1 ms (an exponential's) */
    sl_stage_t pois[] = {{20 * S, 1000}};
    CHECK(sl_profile_init(&p, 1000, pois, 1, err, sizeof(err)) == 0);
    sl_poisson_t a, b;
    sl_poisson_init(&a, 42);
    sl_poisson_init(&b, 42);
    uint64_t n = 0, last = 0, t;
    double sum = 0, sum2 = 0;
    while ((t = sl_poisson_next(&a, &p)) != SL_PROFILE_END) {
        CHECK_EQ_U(sl_poisson_next(&b, &p), t);
        double gap = (double)(t - last) / 1e6;
        sum += gap;
        sum2 += gap * gap;
        last = t;
        n++;
    }
    double mean = sum / (double)n, sd = sqrt(sum2 / (double)n - mean * mean);
    CHECK(n > 19400 && n < 20600); /* 20,000 +- 4.2 sd */
    CHECK(fabs(mean - 1) < 0.03);
    CHECK(fabs(sd - 1) < 0.05);
    /* another seed, another walk */
    sl_poisson_init(&a, 43);
    sl_poisson_init(&b, 42);
    CHECK(sl_poisson_next(&a, &p) != sl_poisson_next(&b, &p));
    return check_report();
}
