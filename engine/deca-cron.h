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

/* Describes @expression in an English sentence for people ("Every 5 minutes", "At 09:00 on
 * Monday through Friday"). Returns (transfer full) the sentence, or NULL with the error of
 * deca_cron_parse() when @expression is not valid. Implemented in deca-cron-describe.c. */
char      *deca_cron_describe  (const char  *expression,
                                GError     **error);
/* Returns (transfer full) (element-type GDateTime) up to @count fire times of @expression
 * strictly after @after, in order, in @tz (NULL = UTC); fewer when the schedule stops
 * firing within deca_cron_next()'s horizon. NULL with the parse error when @expression is
 * not valid. */
GPtrArray *deca_cron_next_times (const char  *expression,
                                 GTimeZone   *tz,
                                 GDateTime   *after,
                                 guint        count,
                                 GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaCron, deca_cron_free)

G_END_DECLS
