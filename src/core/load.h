/*
 * load: the open model's load over a run and its figures, in one place: the profile of the
 * target rate (a constant rate, a -R A:B ramp, soapload.stages, or the scenarios' rates
 * summed), this process's share of it (1/N of a --segment I/N run), the mean rate, the target
 * of a second and the rate due at an instant. Every figure shown (summary, JSON, progress,
 * /metrics) comes from here, so that they all agree.
 */
#ifndef SOAPLOAD_LOAD_H
#define SOAPLOAD_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/config_types.h"
#include "core/profile.h"

/** The run's target rate over time, all segments together: cfg's own shape, or the sum of its
 * scenarios' rates. Returns 0, or -1 with err (err may be NULL). */
int sl_load_profile(const sl_config_t *cfg, sl_profile_t *p, char *err, size_t errlen);
/** This process's share of the open model's load: 1/N of segment I/N, else 1. */
double sl_load_share(const sl_config_t *cfg);
/** This process's share of a constant rate (the configured rate times sl_load_share). */
double sl_load_rate(const sl_config_t *cfg);
/** The open model's mean target rate over the whole schedule (requests per second, all
 * segments together): the rate itself when it is constant. 0 in the closed model. */
double sl_load_global_mean_rate(const sl_config_t *cfg);
/** This process's part of it: sl_load_global_mean_rate times sl_load_share. */
double sl_load_mean_rate(const sl_config_t *cfg);
/** Requests the schedule has due in [from, to) (offsets from the start), all segments
 * together: the integral of the rate. 0 in the closed model. */
double sl_load_due(const sl_config_t *cfg, uint64_t from_ns, uint64_t to_ns);
/** This process's share of the requests due in `second` (from the start): the target of a
 * second wherever one is shown (summary, JSON, progress, /metrics). 0 in the closed model or
 * when the profile does not build. */
double sl_load_target(const sl_config_t *cfg, uint64_t second);
/** This process's share of the rate due at offset t_ns from the start: 0 past the end, in the
 * closed model or when the profile does not build. */
double sl_load_rate_at(const sl_config_t *cfg, uint64_t t_ns);

#endif
