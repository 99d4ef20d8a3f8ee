#pragma once

#include <glib.h>

#include "deca-cron.h"

G_BEGIN_DECLS

/* Splits a cron expression into its fields as the parser does (any run of whitespace
 * separates them). Returns (transfer full) the fields; *@n_fields their number. Shared by
 * deca-cron.c and deca-cron-describe.c, which must read fields exactly alike. */
GStrv _deca_cron_split_fields (const char *spec,
                               guint      *n_fields);

/* Whether @cron runs by real time around DST changes (a time field starts with "*"), as
 * opposed to once per matching wall-clock time; see deca_cron_next(). The schedule planner
 * (deca-schedule-plan.c) needs to know which of the two sets of fire times it walks. */
gboolean _deca_cron_is_realtime (DecaCron *cron);

G_END_DECLS
