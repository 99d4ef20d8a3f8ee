#pragma once

#include <glib-object.h>

#include "deca-clock.h"
#include "deca-flow.h"
#include "deca-schedule-plan.h"
#include "deca-store.h"

G_BEGIN_DECLS

/*
 * DecaScheduler: the schedule dispatcher (docs/dispatch.md). It keeps the active schedules
 * of flows, sleeps on the GMainContext until the next fire time (through a DecaClock, so a
 * manual clock moves it in tests without sleeping), plans each schedule with
 * deca_schedule_plan_compute() when it wakes, and emits ::fire for every fire time it
 * could claim. Claiming through a shared store is what makes a fire time run once when
 * several server processes schedule the same flows: each asks, one wins.
 *
 * Signals:
 *   ::fire (flow_id, trigger_key, GDateTime *fire_time): a claimed fire time is due; the
 *     time is in the trigger's zone. Run the flow.
 *   ::claim-failed (flow_id, trigger_key, GDateTime *fire_time, GError *error): the claim
 *     function failed; the fire is tried again after a few seconds. Without a handler the
 *     scheduler logs a warning.
 *
 * Use it from one thread, the one whose thread-default main context it runs on.
 */

/* Claims the fire at @fire_at_unix of the schedule @trigger_key of @flow_id for
 * @claimed_by. Returns TRUE when this caller won the fire, FALSE without @error when
 * someone else has it already, FALSE with @error when the claim could not be made (the
 * scheduler tries again later). These are the answers of deca_store_claim_schedule_fire(),
 * which deca_scheduler_new_for_store() uses. */
typedef gboolean (*DecaScheduleClaimFunc)  (const char  *flow_id,
                                            const char  *trigger_key,
                                            gint64       fire_at_unix,
                                            const char  *claimed_by,
                                            gpointer     user_data,
                                            GError     **error);
/* Looks up the last fire time of a schedule into *@cursor_unix, DECA_SCHEDULE_NO_CURSOR
 * when it never fired. Returns FALSE with @error when the lookup failed. */
typedef gboolean (*DecaScheduleCursorFunc) (const char  *flow_id,
                                            const char  *trigger_key,
                                            gint64      *cursor_unix,
                                            gpointer     user_data,
                                            GError     **error);

/* Moves the stored cursor of a schedule forward to @cursor_unix (never back) without a
 * fire: at activation (the schedule starts now, also for the next process) and when the
 * missed policy dropped due times. Returns FALSE with @error when it could not. */
typedef gboolean (*DecaScheduleSaveCursorFunc) (const char  *flow_id,
                                                const char  *trigger_key,
                                                gint64       cursor_unix,
                                                gpointer     user_data,
                                                GError     **error);

#define DECA_TYPE_SCHEDULER (deca_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (DecaScheduler, deca_scheduler, DECA, SCHEDULER, GObject)

/* @clock NULL = the system clock. @claimed_by NULL = "HOST:PID". Without a claim function
 * every due fire is emitted (one process). */
DecaScheduler *deca_scheduler_new              (DecaClock              *clock,
                                                const char             *claimed_by);
void           deca_scheduler_set_claim_func   (DecaScheduler          *self,
                                                DecaScheduleClaimFunc   func,
                                                gpointer                user_data,
                                                GDestroyNotify          notify);
void           deca_scheduler_set_cursor_func  (DecaScheduler          *self,
                                                DecaScheduleCursorFunc  func,
                                                gpointer                user_data,
                                                GDestroyNotify          notify);
void           deca_scheduler_set_save_cursor_func (DecaScheduler              *self,
                                                    DecaScheduleSaveCursorFunc  func,
                                                    gpointer                    user_data,
                                                    GDestroyNotify              notify);
/* A scheduler whose claims, cursor lookups and cursor saves go to @store
 * (deca_store_claim_schedule_fire(), deca_store_get_schedule_cursor(),
 * deca_store_set_schedule_cursor(); engine/deca-store-server.h), which it references and
 * uses from the caller's thread. Several processes with schedulers on one database fire
 * each time once. */
DecaScheduler *deca_scheduler_new_for_store    (DecaClock              *clock,
                                                DecaStore              *store,
                                                const char             *claimed_by);

const char    *deca_scheduler_get_claimed_by   (DecaScheduler          *self);
/* How late (seconds) a fire may run and count as on time; DECA_SCHEDULE_DEFAULT_GRACE
 * unless set. */
gint64         deca_scheduler_get_grace        (DecaScheduler          *self);
void           deca_scheduler_set_grace        (DecaScheduler          *self,
                                                gint64                  grace);

/* Activates (or updates) the schedule @trigger of @flow_id. A schedule with the same key
 * is replaced, keeping its cursor unless @cursor_unix is given. @cursor_unix is the last
 * fire time, or DECA_SCHEDULE_NO_CURSOR: then the cursor function's answer (when set)
 * or, for a new schedule, now: a schedule starts at its activation (and that start is
 * saved through the save-cursor function). Missed fire times are handled on the next
 * main-loop turn, not inside this call. Returns FALSE with the cursor or save-cursor
 * function's error (nothing changed) when one fails. */
gboolean       deca_scheduler_add              (DecaScheduler          *self,
                                                const char             *flow_id,
                                                DecaScheduleTrigger    *trigger,
                                                gint64                  cursor_unix,
                                                GError                **error);
/* Deactivates one schedule. Returns whether it was active. */
gboolean       deca_scheduler_remove           (DecaScheduler          *self,
                                                const char             *flow_id,
                                                const char             *trigger_key);
/* Deactivates every schedule of @flow_id. Returns how many there were. */
guint          deca_scheduler_remove_flow      (DecaScheduler          *self,
                                                const char             *flow_id);
/* Makes the active schedules of @flow's id exactly its schedule triggers: adds the new
 * ones (cursor from the cursor function), updates changed ones, removes the others.
 * Returns FALSE with the first invalid trigger's problem ("/triggers/1/cron: ...") or the
 * cursor function's error, changing nothing. */
gboolean       deca_scheduler_set_flow         (DecaScheduler          *self,
                                                DecaFlow               *flow,
                                                GError                **error);

guint          deca_scheduler_get_n_schedules  (DecaScheduler          *self);
/* Returns (transfer full) (element-type utf8) the keys of @flow_id's schedules, sorted. */
GPtrArray     *deca_scheduler_list_keys        (DecaScheduler          *self,
                                                const char             *flow_id);
/* The next time the schedule fires, as far as this scheduler knows (unix seconds;
 * DECA_SCHEDULE_NEVER when it will not), or FALSE when it is not active. */
gboolean       deca_scheduler_get_next_fire    (DecaScheduler          *self,
                                                const char             *flow_id,
                                                const char             *trigger_key,
                                                gint64                 *next_fire_unix);
/* The last fire time this scheduler handled or was told of (DECA_SCHEDULE_NO_CURSOR when
 * none), or FALSE when the schedule is not active. */
gboolean       deca_scheduler_get_cursor       (DecaScheduler          *self,
                                                const char             *flow_id,
                                                const char             *trigger_key,
                                                gint64                 *cursor_unix);

G_END_DECLS
