#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "deca-flow.h"

G_BEGIN_DECLS

/*
 * Schedule planning (docs/dispatch.md): pure functions that say, for one schedule trigger,
 * which fire times are due now and when to wake up next, given the last fire time (the
 * cursor) and the current time. They read no clock and keep no state, so the scheduler,
 * the server and the tests all get the same answer for the same question.
 *
 * Times are whole seconds since the epoch (cron has no finer unit).
 */

/**
 * DecaMissedPolicy:
 * @DECA_MISSED_POLICY_SKIP: due times that are more than the grace late are dropped; only
 *   a fire on time runs ("missed": "skip")
 * @DECA_MISSED_POLICY_RUN_ONCE: however many times were missed, run once, for the latest
 *   ("run_once", the default)
 * @DECA_MISSED_POLICY_RUN_ALL: run every missed time, oldest first, but at most
 *   catch_up_limit of them: the latest ones ("run_all")
 *
 * What a schedule does with the fire times that passed while nothing ran it (the server
 * was down, the machine asleep).
 */
typedef enum {
  DECA_MISSED_POLICY_SKIP,
  DECA_MISSED_POLICY_RUN_ONCE,
  DECA_MISSED_POLICY_RUN_ALL,
} DecaMissedPolicy;

/* No fire time recorded yet. */
#define DECA_SCHEDULE_NO_CURSOR G_MININT64
/* The schedule never fires again (within deca_cron_next()'s five years). */
#define DECA_SCHEDULE_NEVER G_MAXINT64
/* The default and the largest "catch_up_limit". */
#define DECA_SCHEDULE_DEFAULT_CATCH_UP_LIMIT 10
#define DECA_SCHEDULE_MAX_CATCH_UP_LIMIT 1000
/* How late (seconds) a fire time may run and still count as on time, not missed. */
#define DECA_SCHEDULE_DEFAULT_GRACE 60

/* "skip", "run_once", "run_all". */
const char *deca_missed_policy_to_string   (DecaMissedPolicy  policy);
/* Returns FALSE when @text is not one of the names. */
gboolean    deca_missed_policy_from_string (const char       *text,
                                            DecaMissedPolicy *policy);

/*
 * DecaScheduleTrigger: a parsed, immutable schedule trigger ({"type": "schedule", "cron",
 * "timezone", "missed", "catch_up_limit"}), reference counted.
 */
typedef struct _DecaScheduleTrigger DecaScheduleTrigger;

#define DECA_TYPE_SCHEDULE_TRIGGER (deca_schedule_trigger_get_type ())
GType                deca_schedule_trigger_get_type (void) G_GNUC_CONST;

/* Parses the parts of a schedule trigger. @timezone NULL means UTC; @catch_up_limit 0
 * means the default. Returns NULL with DECA_ENGINE_ERROR_INVALID (or the cron parser's
 * DECA_ENGINE_ERROR_PARSE) and a message naming the member ("cron: field 2 (hour): ...",
 * "timezone: unknown time zone 'Mars/Olympus'") when a part is not valid. */
DecaScheduleTrigger *deca_schedule_trigger_new       (const char        *cron,
                                                      const char        *timezone,
                                                      DecaMissedPolicy   missed,
                                                      guint              catch_up_limit,
                                                      GError           **error);
/* Reads a trigger object of a flow document (docs/flow-format.md). Members other than the
 * schedule's are ignored (the document keeps them). Errors as deca_schedule_trigger_new(),
 * plus a wrong type or value of "missed" and "catch_up_limit". */
DecaScheduleTrigger *deca_schedule_trigger_new_from_json (JsonObject    *trigger,
                                                          GError       **error);
/* Returns (transfer full) (element-type DecaScheduleTrigger) the schedule triggers of
 * @flow, in document order, without duplicates (two triggers with the same key are one
 * schedule). NULL with the first problem ("/triggers/2/cron: ...") when one is invalid. */
GPtrArray           *deca_schedule_triggers_from_flow (DecaFlow         *flow,
                                                       GError          **error);
DecaScheduleTrigger *deca_schedule_trigger_ref       (DecaScheduleTrigger *self);
void                 deca_schedule_trigger_unref     (DecaScheduleTrigger *self);

/* The trigger key: what identifies this schedule within its flow, for the store's cursors
 * and claims. Made of the time zone and the cron expression with its whitespace
 * normalised ("schedule:Europe/Berlin:30 2 * * *"), so reordering a flow's triggers keeps
 * their cursors, and changing the time a schedule runs at starts a new one. */
const char          *deca_schedule_trigger_get_key            (DecaScheduleTrigger *self);
const char          *deca_schedule_trigger_get_cron           (DecaScheduleTrigger *self);
/* The IANA name, "UTC" when the trigger has none. */
const char          *deca_schedule_trigger_get_timezone       (DecaScheduleTrigger *self);
/* Returns (transfer none). */
GTimeZone           *deca_schedule_trigger_get_time_zone      (DecaScheduleTrigger *self);
DecaMissedPolicy     deca_schedule_trigger_get_missed         (DecaScheduleTrigger *self);
guint                deca_schedule_trigger_get_catch_up_limit (DecaScheduleTrigger *self);
/* Whether the two say the same in every member (key, policy and limit). */
gboolean             deca_schedule_trigger_equal              (DecaScheduleTrigger *a,
                                                               DecaScheduleTrigger *b);
/* The first fire time strictly after @after_unix, or DECA_SCHEDULE_NEVER. */
gint64               deca_schedule_trigger_next_after         (DecaScheduleTrigger *self,
                                                               gint64               after_unix);

/**
 * DecaSchedulePlan:
 * @fires: (element-type gint64) the fire times to run now, oldest first
 * @cursor: the cursor after these runs: the latest due time (run or dropped), or the
 *   cursor given when nothing was due
 * @next_wake: the first fire time after now, DECA_SCHEDULE_NEVER when there is none
 * @dropped: some due times are not in @fires (missed policy, catch-up limit)
 */
typedef struct {
  GArray   *fires;
  gint64    cursor;
  gint64    next_wake;
  gboolean  dropped;
} DecaSchedulePlan;

/*
 * Plans @trigger at @now_unix. The due times are the fire times in (@cursor_unix,
 * @now_unix]; a due time is missed when it is more than @grace seconds before @now_unix.
 * The missed policy then picks the fires (see DecaMissedPolicy). With no cursor
 * (DECA_SCHEDULE_NO_CURSOR) nothing is due: a schedule starts at its activation, it does
 * not catch up on its past. A cursor after @now_unix (the clock went back) makes nothing
 * due until the clock has passed it again, so no time runs twice.
 *
 * The cost does not grow with the number of missed times: a schedule firing every second
 * after a month of downtime is planned in about as many steps as the catch-up limit.
 * Returns (transfer full).
 */
DecaSchedulePlan    *deca_schedule_plan_compute (DecaScheduleTrigger *trigger,
                                                 gint64               cursor_unix,
                                                 gint64               now_unix,
                                                 gint64               grace);
void                 deca_schedule_plan_free    (DecaSchedulePlan    *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaScheduleTrigger, deca_schedule_trigger_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaSchedulePlan, deca_schedule_plan_free)

G_END_DECLS
