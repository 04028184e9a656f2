/*
 * load: every figure is read off the one profile sl_load_profile builds, and this process's
 * figures are the run's times sl_load_share.
 */
#include "core/load.h"

#include "core/scenario.h"

#define NS_PER_S 1000000000ULL

int sl_load_profile(const sl_config_t *cfg, sl_profile_t *p, char *err, size_t errlen)
{
    sl_stage_t st[SL_MAX_STAGES];
    int n = 0;
    double start = cfg->rate;
    if (cfg->scenarios != NULL) /* their rates summed */
        return sl_scenarios_profile(cfg->scenarios, p, err, errlen);
    if (cfg->nstages > 0) {
        if (!sl_config_was_set(cfg, SL_OPT_RATE))
            start = 0;
        for (; n < cfg->nstages; n++)
            st[n] = (sl_stage_t){cfg->stages[n].duration_ns, cfg->stages[n].target};
    } else {
        st[n++] = (sl_stage_t){cfg->duration_ns, cfg->ramp ? cfg->rate_end : cfg->rate};
    }
    return sl_profile_init(p, start, st, n, err, errlen);
}

double sl_load_share(const sl_config_t *cfg)
{
    return cfg->nsegments > 1 ? 1.0 / cfg->nsegments : 1.0;
}

double sl_load_rate(const sl_config_t *cfg)
{
    return cfg->rate * sl_load_share(cfg);
}

double sl_load_global_mean_rate(const sl_config_t *cfg)
{
    sl_profile_t p;
    if (cfg->closed)
        return 0;
    if (cfg->nstages == 0 && !cfg->ramp && cfg->scenarios == NULL)
        return cfg->rate;
    if (sl_load_profile(cfg, &p, NULL, 0) != 0 || sl_profile_duration(&p) == 0)
        return 0;
    return (double)(p.count_at[p.nstages] / ((long double)sl_profile_duration(&p) / 1e9L));
}

double sl_load_mean_rate(const sl_config_t *cfg)
{
    return sl_load_global_mean_rate(cfg) * sl_load_share(cfg);
}

double sl_load_due(const sl_config_t *cfg, uint64_t from_ns, uint64_t to_ns)
{
    sl_profile_t p;
    if (cfg->closed || sl_load_profile(cfg, &p, NULL, 0) != 0)
        return 0;
    return (double)(sl_profile_integral(&p, to_ns) - sl_profile_integral(&p, from_ns));
}

double sl_load_target(const sl_config_t *cfg, uint64_t second)
{
    return sl_load_due(cfg, second * NS_PER_S, (second + 1) * NS_PER_S) * sl_load_share(cfg);
}

double sl_load_rate_at(const sl_config_t *cfg, uint64_t t_ns)
{
    sl_profile_t p;
    if (cfg->closed || sl_load_profile(cfg, &p, NULL, 0) != 0 || t_ns >= sl_profile_duration(&p))
        return 0;
    return sl_profile_rate_at(&p, t_ns) * sl_load_share(cfg);
}
