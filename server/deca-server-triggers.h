#pragma once

#include <deca-clock.h>
#include <deca-event-dispatcher.h>
#include <deca-scheduler.h>

#include "deca-api-flows.h"
#include "deca-server.h"

G_BEGIN_DECLS

/*
 * DecaServerTriggers: the schedule and event dispatchers of `deca serve` (docs/server.md,
 * "Schedules and events"; the engine side is docs/dispatch.md), wired to flow activation.
 *
 * - One DecaScheduler on the server's store (deca_scheduler_new_for_store()): claims make
 *   a fire time run once however many processes share the database, and cursors let a
 *   process started after downtime catch up as each trigger's "missed" policy says.
 * - One DecaEventDispatcher per workspace, made when first needed, storing every event in
 *   the store before it is delivered: a flow only ever receives the events of its own
 *   workspace, and the stored events can be listed and replayed.
 *
 * deca_server_triggers_start() activates every active flow of the store (schedules and
 * event subscriptions) and then follows DecaApiFlows: "flow-active-changed" activates or
 * deactivates (deactivation also forgets the schedules' cursors, so a flow activated again
 * starts afresh), "flow-saved" of an active flow updates it, "flow-deleted" drops it.
 * Every DECA_SERVER_TRIGGERS_RESYNC_SECONDS it also compares itself with the store's
 * active flows, so that activations made through another process on the same database
 * reach this one too; and a schedule fires only when its flow is still active in the
 * store. Claims of fire times older than DECA_SERVER_TRIGGERS_KEEP_CLAIMS_DAYS are pruned
 * (at start, then about hourly); a failed claim is logged.
 *
 * A fire starts the flow (deca_api_flows_start_execution()) with the input
 *   {"fire_time": "2026-03-29T03:00:00+02:00", "trigger": "schedule:Europe/Berlin:0 30 2 * * *"}
 * (the fire time in ISO 8601 in the trigger's zone, and the trigger key), an event with
 * its JSON form {"id", "topic", "source", "time", "data"}. Each start writes an audit
 * line: "schedule.execute" by actor "schedule", "event.execute" by actor "event", on the
 * flow, with the execution's id (or the failure) in the details.
 *
 * It is also the executor's DecaEventSink: a publish_event node publishes into the
 * workspace of its flow, with source "flow:FLOW_ID", unless its execution is at the end
 * of a chain of DECA_SERVER_TRIGGERS_MAX_EVENT_CHAIN such events (DECA_ENGINE_ERROR_LIMIT).
 *
 * Use it on the server's thread. Call deca_server_triggers_stop() before dropping it:
 * the executor holds it as its event sink until then.
 */

/* How often (seconds of the clock) the active flows are compared with the store. */
#define DECA_SERVER_TRIGGERS_RESYNC_SECONDS 30
/* How many events published by flows may lead to one another: an execution started by
 * the 8th event of such a chain cannot publish (its publish_event node fails), so flows
 * that start each other through events stop. */
#define DECA_SERVER_TRIGGERS_MAX_EVENT_CHAIN 8
/* How long the claims of fire times are kept (pruned at start and about hourly). */
#define DECA_SERVER_TRIGGERS_KEEP_CLAIMS_DAYS 7

#define DECA_TYPE_SERVER_TRIGGERS (deca_server_triggers_get_type ())
G_DECLARE_FINAL_TYPE (DecaServerTriggers, deca_server_triggers, DECA, SERVER_TRIGGERS, GObject)

/* @clock (nullable): the time of the schedules and of the events' stamps; NULL is the
 * system clock (a DecaManualClock in tests). @claimed_by (nullable): how this process
 * names itself in the schedule claims, "HOST:PID" when NULL. The server is borrowed (it
 * must outlive the object), @flows referenced. Nothing happens before _start(). */
DecaServerTriggers  *deca_server_triggers_new        (DecaServer          *server,
                                                      DecaApiFlows        *flows,
                                                      DecaClock           *clock,
                                                      const char          *claimed_by);
/* Activates every active flow of the store (a flow that cannot be activated is logged
 * as a warning and skipped), follows the flows' signals and becomes the executor's event
 * sink. FALSE with @error when the store cannot be read. */
gboolean             deca_server_triggers_start      (DecaServerTriggers  *self,
                                                      GError             **error);
/* Stops firing and delivering (the store's cursors stay, so the next start catches up),
 * lets go of the signals and of the executor's event sink. Safe to call twice. */
void                 deca_server_triggers_stop       (DecaServerTriggers  *self);

/* Returns (transfer none) the server it serves. */
DecaServer          *deca_server_triggers_get_server     (DecaServerTriggers *self);
/* Returns (transfer none) the schedule dispatcher. */
DecaScheduler       *deca_server_triggers_get_scheduler  (DecaServerTriggers *self);
/* Returns (transfer none) the event dispatcher of @workspace_id, made on first use. */
DecaEventDispatcher *deca_server_triggers_get_dispatcher (DecaServerTriggers *self,
                                                          const char         *workspace_id);
/* Whether flow @flow_id is active here (has its triggers installed). */
gboolean             deca_server_triggers_is_active  (DecaServerTriggers  *self,
                                                      const char          *flow_id);

/**
 * DecaServerSchedule:
 * @workspace_id: the flow's workspace
 * @flow_id: the flow
 * @flow_name: its name in the version installed
 * @trigger: the schedule trigger (cron, zone, missed policy, key)
 * @next_fire: the next fire time as the scheduler has it (unix seconds; a time in the
 *   past when a fire is due and not handled yet), DECA_SCHEDULE_NEVER when it will not
 *   fire again
 * @last_fire: the latest fire claimed in the store (by any process on the database; unix
 *   seconds), 0 when none is kept (deca_store_get_last_schedule_fire())
 *
 * One active schedule, as deca_server_triggers_list_schedules() reports it.
 */
typedef struct {
  char *workspace_id;
  char *flow_id;
  char *flow_name;
  DecaScheduleTrigger *trigger;
  gint64 next_fire;
  gint64 last_fire;
} DecaServerSchedule;

void                 deca_server_schedule_free       (DecaServerSchedule  *schedule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaServerSchedule, deca_server_schedule_free)

/* Returns (transfer full) (element-type DecaServerSchedule) the active schedules of
 * @workspace_id here, of flow @flow_id only when it is not NULL, sorted by flow id and
 * then trigger key; NULL with the store's error when a last fire cannot be read. */
GPtrArray           *deca_server_triggers_list_schedules (DecaServerTriggers  *self,
                                                          const char          *workspace_id,
                                                          const char          *flow_id,
                                                          GError             **error);

/* Publishes an event in @workspace_id: checked, stored, then delivered to every active
 * flow of the workspace subscribed to @topic. @source (nullable): "api", "flow:ID".
 * *@started (nullable) gets (transfer full) (element-type utf8) the ids of the executions
 * it started, in the order they started (empty when none). Returns (transfer full)
 * the event, or NULL with the dispatcher's error (DECA_ENGINE_ERROR_INVALID naming
 * "topic: ..." or "data: ...", _LIMIT) or the store's. */
DecaTopicEvent      *deca_server_triggers_publish    (DecaServerTriggers  *self,
                                                      const char          *workspace_id,
                                                      const char          *topic,
                                                      JsonNode            *data,
                                                      const char          *source,
                                                      GPtrArray          **started,
                                                      GError             **error);
/* Delivers the stored event @event_id of @workspace_id again, with its id and time, to the
 * flows subscribed to it now; *@started (nullable) as for deca_server_triggers_publish().
 * Returns (transfer full) the event, or NULL with
 * DECA_ENGINE_ERROR_NOT_FOUND (no such event in the workspace) or the store's error. */
DecaTopicEvent      *deca_server_triggers_replay     (DecaServerTriggers  *self,
                                                      const char          *workspace_id,
                                                      const char          *event_id,
                                                      GPtrArray          **started,
                                                      GError             **error);

G_END_DECLS
