/*
 * resultfile_settings: a result file's "settings" read back (see resultfile.h): the target,
 * the model, the load's shape, the segment and the clock's offset; the scenarios after the
 * operations, which their weights name.
 */
#ifndef SOAPLOAD_RESULTFILE_SETTINGS_H
#define SOAPLOAD_RESULTFILE_SETTINGS_H

#include <stddef.h>

#include "core/json.h"
#include "output/resultfile.h"

/** Reads doc's "settings" (all but the scenarios) into r->cfg, r->script, r->mean_rate and
 * r->started_at_us. Returns 0, or -1 with the field that is wrong in err; what was read is
 * freed with r. */
int sl_resultfile_read_settings(const sl_json_t *doc, sl_resultfile_t *r, char *err, size_t errlen);
/** Reads "settings.scenarios" (absent: none) into r->cfg.scenarios, their weights by the
 * operations already read into r->cfg. Returns 0, or -1 with err. */
int sl_resultfile_read_scenarios(const sl_json_t *doc, sl_resultfile_t *r, char *err,
                                 size_t errlen);

#endif
