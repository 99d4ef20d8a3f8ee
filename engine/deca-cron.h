#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Cron expressions for schedule triggers: the standard five fields (minute hour
 * day-of-month month day-of-week) or six with leading seconds; lists, ranges, steps, "*",
 * "?", month and weekday names (JAN, MON), and the macros @yearly @annually @monthly
 * @weekly @daily @midnight @hourly. Day-of-month and day-of-week combine as in Vixie cron
 * (either matches when both are restricted).
 */

typedef struct _DecaCron DecaCron;

/* Parses @text. On failure returns NULL with DECA_ENGINE_ERROR_PARSE and a message naming
 * the field and the problem ("field 2 (hour): 24 is out of range 0-23"). */
DecaCron  *deca_cron_parse     (const char  *text,
                                GError     **error);
void       deca_cron_free      (DecaCron    *cron);
/* Returns (transfer full) the first time strictly after @after at which @cron fires, in
 * @tz (NULL = UTC), or NULL when there is none within the next 5 years. */
GDateTime *deca_cron_next      (DecaCron    *cron,
                                GDateTime   *after,
                                GTimeZone   *tz);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaCron, deca_cron_free)

G_END_DECLS
