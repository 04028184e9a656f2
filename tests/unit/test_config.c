/*
 * test_config: each setting is declared once in the option table: its defaults come from the
 * table, its bounds are checked by its setter and named in its message, a script's value for
 * a flag's option is checked then set aside, and the load's figures follow from the settings.
 */
#include <stdlib.h>

#include "unit.h"
#include "core/config.h"
#include "core/load.h"

/* The message of applying `value` to option id from the command line. */
static const char *apply_error(sl_opt_t id, const char *value)
{
    static char err[512];
    sl_config_t cfg;
    sl_config_init(&cfg);
    if (sl_config_apply(&cfg, id, value, SL_FROM_FLAG, err, sizeof(err)) == 0)
        snprintf(err, sizeof(err), "accepted");
    sl_config_free(&cfg);
    return err;
}

static void defaults_from_the_table(void)
{
    sl_config_t cfg;
    sl_config_init(&cfg);
    CHECK_EQ_U(cfg.duration_ns, 10000000000ULL);
    CHECK_EQ_U(cfg.connections, 100);
    CHECK_EQ_U(cfg.timeout_ns, 5000000000ULL);
    CHECK_EQ_U(cfg.grace_ns, 5000000000ULL);
    CHECK_EQ_U(cfg.soap_version, 11);
    CHECK_EQ_U(cfg.burst, 1);
    CHECK_EQ_U(cfg.max_body, 4 << 20);
    CHECK_STR(cfg.id_element, "RequestId");
    CHECK_EQ_U(cfg.lua_memory, 64 << 20);
    CHECK_EQ_U(cfg.hook_limit_ns, 1000000000ULL);
    CHECK_EQ_U(cfg.metrics_linger_ns, 5000000000ULL);
    CHECK_EQ_U(cfg.json_to_retry_ns, 60000000000ULL);
    CHECK_EQ_U(cfg.streams, 1);
    CHECK(cfg.workers >= 1);
    sl_config_free(&cfg);
}

static void limits_named_in_messages(void)
{
    CHECK_STR(apply_error(SL_OPT_RATE, "1e8"), "bad value '1e8' for --rate: it wants a number of "
                                               "requests per second above 0 and at most 10000000");
    CHECK_STR(apply_error(SL_OPT_RATE, "10000000"), "accepted");
    CHECK_STR(apply_error(SL_OPT_RATE, "0:20000000"),
              "bad value '0:20000000' for --rate: it wants A:B, two rates from 0 to 10000000 "
              "requests per second, not both 0");
    CHECK_STR(apply_error(SL_OPT_WORKERS, "1025"),
              "bad value '1025' for --workers: it wants a whole number from 1 to 1024");
    CHECK_STR(apply_error(SL_OPT_GRACE, "2h"), "bad value '2h' for --grace: it wants 0 or a "
                                               "duration of at most 1h, such as 5s or 500ms");
    CHECK_STR(apply_error(SL_OPT_GRACE, "0ms"), "accepted");
    CHECK_STR(apply_error(SL_OPT_SEND_WINDOW, "3ms"),
              "bad value '3ms' for --send-window: it wants 0 (off) or a duration of at most 10ms "
              "that divides a second, such as 500us or 1ms");
    CHECK_STR(apply_error(SL_OPT_LUA_MEMORY, "1k"),
              "bad value '1k' for --lua-memory: it wants a size of at least 1m");
    CHECK_STR(apply_error(SL_OPT_SEED, "0"), "bad value '0' for --seed: it wants a whole number "
                                             "from 1 to 9007199254740991 (2^53 - 1)");
    CHECK_STR(apply_error(SL_OPT_ABORT_ON_FAIL, "25h"),
              "bad value '25h' for --abort-on-fail: it wants a whole number of seconds from 0s "
              "to 24h, such as 0s or 5s (thresholds are evaluated once a second)");
    CHECK_STR(apply_error(SL_OPT_VALIDATE, "schema:0%"),
              "bad value 'schema:0%' for --validate: it wants schema, or schema:N% with N from "
              "0.01 to 100");
    CHECK_STR(apply_error(SL_OPT_AUTH, "ntlm"), "accepted");
    CHECK_STR(apply_error(SL_OPT_PROGRESS, "sometimes"),
              "bad value 'sometimes' for --progress: it wants auto, always or never");
}

static void flag_wins_over_script(void)
{
    char err[512];
    sl_config_t cfg;
    sl_config_init(&cfg);
    CHECK(sl_config_apply(&cfg, SL_OPT_BURST, "4", SL_FROM_FLAG, err, sizeof(err)) == 0);
    CHECK(sl_config_apply(&cfg, SL_OPT_BURST, "8", SL_FROM_SCRIPT, err, sizeof(err)) == 0);
    CHECK_EQ_U(cfg.burst, 4);
    CHECK(sl_config_apply(&cfg, SL_OPT_BURST, "0", SL_FROM_SCRIPT, err, sizeof(err)) == -1);
    CHECK_STR(err, "bad value '0' for soapload.burst: it wants a whole number from 1 to 100000");
    CHECK(sl_config_apply(&cfg, SL_OPT_HEADER, "A: 1", SL_FROM_FLAG, err, sizeof(err)) == 0);
    CHECK(sl_config_apply(&cfg, SL_OPT_HEADER, "B: 2", SL_FROM_SCRIPT, err, sizeof(err)) == 0);
    CHECK_EQ_U(cfg.nheaders, 2);
    CHECK_STR(cfg.headers[0], "B: 2"); /* the script's first, then the flags' */
    CHECK_STR(cfg.headers[1], "A: 1");
    sl_config_free(&cfg);
}

static void load_figures(void)
{
    char err[512];
    sl_config_t cfg;
    sl_config_init(&cfg);
    CHECK(sl_config_apply(&cfg, SL_OPT_RATE, "0:200", SL_FROM_FLAG, err, sizeof(err)) == 0);
    CHECK(sl_config_apply(&cfg, SL_OPT_DURATION, "2s", SL_FROM_FLAG, err, sizeof(err)) == 0);
    CHECK(sl_config_apply(&cfg, SL_OPT_SEGMENT, "1/2", SL_FROM_FLAG, err, sizeof(err)) == 0);
    CHECK(sl_load_global_mean_rate(&cfg) == 100);
    CHECK(sl_load_mean_rate(&cfg) == 50);
    CHECK(sl_load_due(&cfg, 0, 1000000000ULL) == 50);
    CHECK(sl_load_target(&cfg, 1) == 75); /* 150 due in second 1, half of them ours */
    CHECK(sl_load_rate_at(&cfg, 1000000000ULL) == 50);
    CHECK(sl_load_rate_at(&cfg, 2000000000ULL) == 0); /* past the end */
    cfg.closed = 1;
    CHECK(sl_load_target(&cfg, 1) == 0);
    sl_config_free(&cfg);
}

int main(void)
{
    defaults_from_the_table();
    limits_named_in_messages();
    flag_wins_over_script();
    load_figures();
    return check_report();
}
