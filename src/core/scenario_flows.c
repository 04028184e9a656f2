/*
 * scenario_flows: a flow's steps are operations of their own, so a scenario that starts a
 * flow has the weight of that flow on each of its steps: the operations' weights stay a mix
 * that names exactly the scenario's requests (the JSON's settings, merge's checks).
 */
#include "core/scenario_flows.h"

#include <stdio.h>
#include <string.h>

#include "core/flow.h"
#include "core/mix.h"

int sl_scenario_flows_finish(const sl_config_t *cfg, sl_scenario_t *sc, char *err, size_t errlen)
{
    const sl_flows_t *fs = cfg->flows;
    char why[256];
    if (!sc->has_flows && !sc->has_operations)
        for (int f = 0; f < fs->n; f++)
            sc->flow_weights[f] = fs->f[f].weight;
    double sum = 0;
    for (int f = 0; f < fs->n; f++)
        sum += sc->flow_weights[f];
    if (!(sum > 0)) {
        snprintf(err, errlen,
                 "soapload.scenarios.%s: every flow and operation it names has weight 0: it "
                 "would start nothing",
                 sc->name);
        return -1;
    }
    if (sl_mix_check(sc->flow_weights, fs->n, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "soapload.scenarios.%s: %s", sc->name, why);
        return -1;
    }
    memset(sc->weights, 0, sizeof(sc->weights));
    for (int f = 0; f < fs->n; f++)
        for (int k = 0; k < fs->f[f].nsteps; k++)
            sc->weights[fs->f[f].steps[k].op] = sc->flow_weights[f];
    return 0;
}

int sl_scenario_flows_starts(const sl_config_t *cfg, const sl_scenario_t *sc)
{
    for (int f = 0; cfg->flows != NULL && f < cfg->flows->n; f++)
        if (sc->flow_weights[f] > 0 && !cfg->flows->f[f].single)
            return 1;
    return 0;
}
