/*
 * scenario_users: the closed model's scenarios (soapload.scenarios in a run with --closed or
 * soapload.model = "closed"): each a number of virtual users, or stages of them, from its
 * start_after for its length, with its own think time and operation mix. A scenario's users
 * are split over the segments, then over a segment's workers, as the run's connections are
 * (core/segment.h), each split turned by the users of the scenarios before it so that the
 * remainders go round: every worker holds as many users as any other, give or take one, and
 * the shares of all workers of all segments add up to the scenario's users at every instant.
 */
#ifndef SOAPLOAD_SCENARIO_USERS_H
#define SOAPLOAD_SCENARIO_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/config_types.h"
#include "core/scenario.h"

/** Checks a closed-model scenario's load (connections for a duration, or stages of users) and
 * fills in the run's think time when it has none. Returns 0, or -1 with err naming it. */
int sl_scenario_users_finish(const sl_config_t *cfg, sl_scenario_t *sc, char *err, size_t errlen);
/** The most users scenario sc has at once, in all. */
int sl_scenario_users_max(const sl_scenario_t *sc);
/** Its length: its duration, or the sum of its stages. */
uint64_t sl_scenario_users_length(const sl_scenario_t *sc);
/** Its users, in all, at offset t of the run: 0 before its start and from its end on; its
 * stages ramp them linearly from 0 (whole users, rounded down). */
int sl_scenario_users_at(const sl_scenario_t *sc, uint64_t t_ns);
/** The first offset of the run after t at which its users grow, or UINT64_MAX. */
uint64_t sl_scenario_users_grow(const sl_scenario_t *sc, uint64_t t_ns);
/** Worker w's (of this segment's nworkers) share of `users` users in all of scenario i. */
int sl_scenario_users_share(const sl_config_t *cfg, int i, int users, int w, int nworkers);
/** This segment's users at most, over every scenario (the run's, unsegmented). */
int sl_scenario_users_segment(const sl_config_t *cfg);
/** Worker w's (of nworkers) users at most, over every scenario: its connections. */
int sl_scenario_users_worker(const sl_config_t *cfg, int w, int nworkers);

#endif
