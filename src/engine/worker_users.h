/*
 * worker_users: the closed model's scenarios in one worker. Each scenario has this worker's
 * share of its users (core/scenario_users.h) from its start to its end; a user is a request
 * in flight or the pause after it (the scenario's think time). A free slot goes to the next
 * scenario, in turn, that has fewer users busy than its share at that instant; the request
 * takes its operation from that scenario's mix and the tag scenario=NAME. With soapload.flows
 * a user is a flow under way instead (engine/flow_run.h): it runs the flows of its scenario's
 * mix in a loop, keeping its variables, until its scenario's end.
 */
#ifndef SOAPLOAD_WORKER_USERS_H
#define SOAPLOAD_WORKER_USERS_H

#include <stdint.h>

#include "engine/worker_state.h"

/** Makes the scenarios' users ready in a closed-model run with scenarios (nothing otherwise).
 * Returns 0, or -1 with w->err. */
int sl_worker_users_init(sl_worker_t *w);
void sl_worker_users_free(sl_worker_t *w);
/** Sends what the scenarios' users allow at `now`, each on a free slot. Returns 0, or -1 when
 * request() raised (the caller waits a moment before it tries again). */
int sl_worker_users_send(sl_worker_t *w, uint64_t now);
/** When a scenario's users next grow in this run (absolute), or SL_WORKER_NEVER. */
uint64_t sl_worker_users_wake(const sl_worker_t *w, uint64_t now);
/** The operation of the request the worker is dispatching for scenario w->due_sc. */
int sl_worker_users_op(sl_worker_t *w);
/** Slot s's request ended: the think time its user pauses for before the next one (the
 * scenario's, or the run's without scenarios), or NULL for none. */
const sl_delay_t *sl_worker_users_ended(sl_worker_t *w, const sl_slot_t *s);
/** Closed-model scenarios with flows: each scenario's users here start as its share allows at
 * `now` (until its end; a user goes on with its next flow while its scenario has no more users
 * here than its share), and its flows under way are interrupted once its end and the grace
 * period have passed. */
void sl_worker_users_flows(sl_worker_t *w, uint64_t now);
/** With flows: when a scenario's users next grow (until sending ends), or the grace period of
 * a scenario whose users ended ends, whichever comes first; or SL_WORKER_NEVER. */
uint64_t sl_worker_users_flows_wake(const sl_worker_t *w, uint64_t now);
/** Slot s's user starts (delta 1) or ends (-1) its pause. */
void sl_worker_users_think(sl_worker_t *w, const sl_slot_t *s, int delta);

#endif
