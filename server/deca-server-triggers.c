/* deca-server-triggers.c: schedules and events of `deca serve` (see the header). */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <deca-engine-error.h>
#include <deca-event-sink.h>
#include <deca-json.h>
#include <deca-store-server.h>

#include "deca-log.h"
#include "deca-metrics.h"
#include "deca-server-triggers.h"

/* A flow whose triggers are installed here. */
typedef struct {
  char *workspace_id;
  gint64 version;          /* the stored version installed */
  DecaFlow *flow;          /* that version, what fires and deliveries start */
} ActiveFlow;

struct _DecaServerTriggers
{
  GObject parent_instance;

  DecaServer *server;              /* borrowed: it outlives this object */
  DecaStore *store;
  DecaApiFlows *flows;
  DecaClock *clock;
  DecaScheduler *scheduler;
  GHashTable *dispatchers;         /* workspace id -> DecaEventDispatcher */
  GHashTable *active;              /* flow id -> ActiveFlow */
  GHashTable *refused;             /* flow id -> gint64 *: the version that failed to activate */

  gboolean started;
  gulong saved_id;
  gulong active_changed_id;
  gulong deleted_id;
  gulong fire_id;
  gulong claim_failed_id;
  guint resync_id;                 /* the clock's timeout */
  guint resyncs;                   /* since the claims were last pruned */
  /* Executions started by the delivery in progress (what publish and replay answer). */
  GPtrArray *started_by_delivery;  /* the ids of the executions the current delivery started */
  /* Event chains: execution id -> how many events published by flows led to it (for the
   * executions started by such events); the depth of the event being delivered. */
  GHashTable *chain_depth;
  guint delivery_depth;

  /* Metrics (families owned by the server's registry). */
  DecaMetricsFamily *starts_total;     /* trigger, result */
  DecaMetricsFamily *events_total;     /* source */
  DecaMetricsFamily *schedules_active;
};

static void deca_server_triggers_sink_init (DecaEventSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DecaServerTriggers, deca_server_triggers, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DECA_TYPE_EVENT_SINK, deca_server_triggers_sink_init))

/* The workspace a dispatcher serves, kept on it. */
static GQuark workspace_quark;

static void
active_flow_free (ActiveFlow *active)
{
  g_free (active->workspace_id);
  g_clear_object (&active->flow);
  g_free (active);
}

static void
log_warning (DecaServerTriggers *self,
             const char         *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
log_warning (DecaServerTriggers *self,
             const char         *format,
             ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  deca_log_write (deca_server_get_log (self->server), DECA_LOG_WARNING, NULL, NULL, message);
}

/* --- the audit line of a start --------------------------------------------------------- */

/* Writes "@action" by @actor on @flow_id in @workspace_id: ok with the execution's id, or
 * failed with the reason; @details (transfer full) says what started it. */
static void
audit_start (DecaServerTriggers *self,
             const char         *workspace_id,
             const char         *actor,
             const char         *action,
             const char         *flow_id,
             JsonObject         *details,
             DecaExecution      *execution,
             const GError       *start_error)
{
  g_autoptr(JsonObject) owned = details;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  DecaAuditRecord record = { 0 };
  const char *labels[] = { actor, execution != NULL ? "ok" : "failed", NULL };

  deca_metrics_family_add (self->starts_total, labels, 1);
  if (execution != NULL)
    json_object_set_string_member (details, "execution_id", deca_execution_get_id (execution));
  else
    json_object_set_string_member (details, "error", start_error->message);
  json_node_set_object (node, details);
  text = json_to_string (node, FALSE);

  record.workspace_id = (char *) workspace_id;
  record.actor = (char *) actor;
  record.action = (char *) action;
  record.target = (char *) flow_id;
  record.result = (char *) (execution != NULL ? "ok" : "failed");
  record.details = text;
  if (!deca_store_append_audit (self->store, &record, NULL, &error))
    log_warning (self, "could not write the audit line of %s on flow %s: %s", action, flow_id, error->message);
}

/* --- schedules --------------------------------------------------------------------------- */

/* Whether the store still has @flow_id active: another process may have deactivated it
 * since this one last looked. */
static gboolean
still_active (DecaServerTriggers *self,
              ActiveFlow         *active,
              const char         *flow_id)
{
  g_autoptr(DecaFlowSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = deca_store_get_workspace_flow (self->store, active->workspace_id, flow_id, &error);
  if (summary == NULL && !g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
    {
      /* The store is failing: rather run than silently drop a claimed fire. */
      log_warning (self, "flow %s: could not check that it is active: %s", flow_id, error->message);
      return TRUE;
    }
  return summary != NULL && summary->active;
}

/* @time in ISO 8601 with its offset as +HH:MM ("Z" for UTC): whole seconds, which is
 * what cron has. g_date_time_format_iso8601() writes "+02", which fewer parsers read. */
static char *
format_fire_time (GDateTime *time)
{
  return g_date_time_format (time, g_date_time_get_utc_offset (time) == 0 ? "%Y-%m-%dT%H:%M:%SZ"
                                                                          : "%Y-%m-%dT%H:%M:%S%:z");
}

static void
fire_cb (DecaScheduler *scheduler,
         const char    *flow_id,
         const char    *trigger_key,
         GDateTime     *fire_time,
         gpointer       user_data)
{
  DecaServerTriggers *self = user_data;
  ActiveFlow *active = g_hash_table_lookup (self->active, flow_id);
  g_autoptr(JsonObject) input_object = NULL;
  g_autoptr(JsonNode) input = NULL;
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) trigger_record = NULL;
  g_autoptr(JsonNode) trigger = NULL;
  g_autofree char *when = NULL;
  JsonObject *details;

  if (active == NULL || !still_active (self, active, flow_id))
    return;

  when = format_fire_time (fire_time);
  input_object = json_object_new ();
  json_object_set_string_member (input_object, "fire_time", when);
  json_object_set_string_member (input_object, "trigger", trigger_key);
  input = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (input, input_object);

  trigger_record = json_object_new ();
  json_object_set_string_member (trigger_record, "type", "schedule");
  json_object_set_string_member (trigger_record, "trigger", trigger_key);
  json_object_set_string_member (trigger_record, "fire_time", when);
  trigger = json_node_init_object (json_node_alloc (), trigger_record);
  execution = deca_api_flows_start_execution (self->flows, active->flow, input, trigger, &error);
  if (execution == NULL)
    log_warning (self, "flow %s: the schedule %s could not start it: %s", flow_id, trigger_key, error->message);
  details = json_object_new ();
  json_object_set_string_member (details, "trigger", trigger_key);
  json_object_set_string_member (details, "fire_time", when);
  audit_start (self, active->workspace_id, "schedule", "schedule.execute", flow_id, details, execution, error);
}

static void
claim_failed_cb (DecaScheduler *scheduler,
                 const char    *flow_id,
                 const char    *trigger_key,
                 GDateTime     *fire_time,
                 GError        *error,
                 gpointer       user_data)
{
  DecaServerTriggers *self = user_data;
  g_autofree char *when = format_fire_time (fire_time);

  log_warning (self, "flow %s: the fire at %s of %s could not be claimed (tried again shortly): %s", flow_id, when,
               trigger_key, error->message);
}

/* Deletes the claims of fire times older than DECA_SERVER_TRIGGERS_KEEP_CLAIMS_DAYS: a
 * schedule never plans times before its cursor, so only a process that stood still that
 * long could still ask for one. */
static void
prune_claims (DecaServerTriggers *self)
{
  g_autoptr(GError) error = NULL;
  gint64 before = deca_clock_now_us (self->clock) / G_USEC_PER_SEC - DECA_SERVER_TRIGGERS_KEEP_CLAIMS_DAYS * 86400;

  if (!deca_store_prune_schedule_fires (self->store, before, NULL, &error))
    log_warning (self, "could not prune old schedule claims: %s", error->message);
}

/* --- events -------------------------------------------------------------------------------- */

/* Records that execution @id was started by an event chain @depth long. Entries of
 * executions that are no longer live are swept when the table grows. */
static void
remember_depth (DecaServerTriggers *self,
                const char         *id,
                guint               depth)
{
  if (g_hash_table_size (self->chain_depth) >= 4096)
    {
      DecaExecutor *executor = deca_api_flows_get_executor (self->flows);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->chain_depth);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (deca_executor_lookup (executor, key) == NULL)
          g_hash_table_iter_remove (&iter);
    }
  g_hash_table_insert (self->chain_depth, g_strdup (id), GUINT_TO_POINTER (depth));
}

static void
deliver_cb (DecaEventDispatcher *dispatcher,
            const char          *flow_id,
            DecaTopicEvent      *event,
            gpointer             user_data)
{
  DecaServerTriggers *self = user_data;
  const char *workspace_id = g_object_get_qdata (G_OBJECT (dispatcher), workspace_quark);
  ActiveFlow *active = g_hash_table_lookup (self->active, flow_id);
  g_autoptr(JsonNode) input = NULL;
  g_autoptr(JsonObject) trigger_record = NULL;
  g_autoptr(JsonNode) trigger = NULL;
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *details;

  /* Subscriptions only ever come from the workspace's own flows; checking again keeps a
   * flow that moved out of the table from getting anything. */
  if (active == NULL || g_strcmp0 (active->workspace_id, workspace_id) != 0)
    return;

  input = deca_topic_event_to_json (event);
  trigger_record = json_object_new ();
  json_object_set_string_member (trigger_record, "type", "event");
  json_object_set_string_member (trigger_record, "event_id", deca_topic_event_get_id (event));
  json_object_set_string_member (trigger_record, "topic", deca_topic_event_get_topic (event));
  trigger = json_node_init_object (json_node_alloc (), trigger_record);
  execution = deca_api_flows_start_execution (self->flows, active->flow, input, trigger, &error);
  if (execution != NULL)
    {
      if (self->started_by_delivery != NULL)
        g_ptr_array_add (self->started_by_delivery, g_strdup (deca_execution_get_id (execution)));
      if (self->delivery_depth > 0)
        remember_depth (self, deca_execution_get_id (execution), self->delivery_depth);
    }
  else
    log_warning (self, "flow %s: the event %s could not start it: %s", flow_id,
                 deca_topic_event_get_id (event), error->message);
  details = json_object_new ();
  json_object_set_string_member (details, "event_id", deca_topic_event_get_id (event));
  json_object_set_string_member (details, "topic", deca_topic_event_get_topic (event));
  audit_start (self, workspace_id, "event", "event.execute", flow_id, details, execution, error);
}

DecaEventDispatcher *
deca_server_triggers_get_dispatcher (DecaServerTriggers *self,
                                     const char         *workspace_id)
{
  DecaEventDispatcher *dispatcher;

  g_return_val_if_fail (DECA_IS_SERVER_TRIGGERS (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);

  dispatcher = g_hash_table_lookup (self->dispatchers, workspace_id);
  if (dispatcher == NULL)
    {
      dispatcher = deca_event_dispatcher_new (self->clock);
      deca_event_dispatcher_set_store (dispatcher, self->store, workspace_id);
      g_object_set_qdata_full (G_OBJECT (dispatcher), workspace_quark, g_strdup (workspace_id), g_free);
      g_signal_connect (dispatcher, "deliver", G_CALLBACK (deliver_cb), self);
      g_hash_table_insert (self->dispatchers, g_strdup (workspace_id), dispatcher);
    }
  return dispatcher;
}

/* --- activation -------------------------------------------------------------------------- */

/* Installs (or updates to) the latest version of @flow_id of @workspace_id: its schedules
 * and its subscriptions become exactly those of its triggers. */
static gboolean
activate_flow (DecaServerTriggers  *self,
               const char          *workspace_id,
               const char          *flow_id,
               GError             **error)
{
  g_autoptr(DecaFlowSummary) summary = NULL;
  g_autoptr(DecaFlow) flow = NULL;
  DecaEventDispatcher *dispatcher;
  ActiveFlow *previous = g_hash_table_lookup (self->active, flow_id);
  ActiveFlow *active;

  if (!(summary = deca_store_get_workspace_flow (self->store, workspace_id, flow_id, error)) ||
      !(flow = deca_api_flows_load_flow (self->flows, workspace_id, flow_id, error)))
    return FALSE;

  /* Flow ids are global in the store, so the flow's workspace never changes. Each set_flow
   * changes nothing when it fails; the subscriptions go back when the schedules fail (a
   * cursor the store could not read), so the flow keeps the version it had, or none. */
  dispatcher = deca_server_triggers_get_dispatcher (self, workspace_id);
  if (!deca_event_dispatcher_set_flow (dispatcher, flow, error))
    return FALSE;
  if (!deca_scheduler_set_flow (self->scheduler, flow, error))
    {
      if (previous != NULL)
        deca_event_dispatcher_set_flow (dispatcher, previous->flow, NULL);
      else
        deca_event_dispatcher_remove_flow (dispatcher, flow_id);
      return FALSE;
    }

  active = g_new0 (ActiveFlow, 1);
  active->workspace_id = g_strdup (workspace_id);
  active->version = summary->latest_version;
  active->flow = g_steal_pointer (&flow);
  g_hash_table_replace (self->active, g_strdup (flow_id), active);
  deca_metrics_family_set (self->schedules_active, NULL, deca_scheduler_get_n_schedules (self->scheduler));
  return TRUE;
}

/* Removes the triggers of @flow_id; with @forget also the store's cursors of its
 * schedules, so that it starts afresh when activated again (not when the server only
 * stops: the next start catches up). */
static void
deactivate_flow (DecaServerTriggers *self,
                 const char         *flow_id,
                 gboolean            forget)
{
  ActiveFlow *active = g_hash_table_lookup (self->active, flow_id);
  g_autoptr(GError) error = NULL;

  deca_scheduler_remove_flow (self->scheduler, flow_id);
  if (active != NULL)
    {
      DecaEventDispatcher *dispatcher = g_hash_table_lookup (self->dispatchers, active->workspace_id);

      if (dispatcher != NULL)
        deca_event_dispatcher_remove_flow (dispatcher, flow_id);
      g_hash_table_remove (self->active, flow_id);
    }
  deca_metrics_family_set (self->schedules_active, NULL, deca_scheduler_get_n_schedules (self->scheduler));
  if (forget && !deca_store_clear_schedule_cursors (self->store, flow_id, &error))
    log_warning (self, "flow %s: could not forget its schedule cursors: %s", flow_id, error->message);
}

/* Activates, or logs why not. The comparison with the store does not try a version that
 * failed again (nor log it every 30 s): @version is the one it would install (0: not
 * known, always try). */
static void
activate_or_warn (DecaServerTriggers *self,
                  const char         *workspace_id,
                  const char         *flow_id,
                  gint64              version)
{
  g_autoptr(GError) error = NULL;
  gint64 *refused = g_hash_table_lookup (self->refused, flow_id);

  if (version != 0 && refused != NULL && *refused == version)
    return;
  if (activate_flow (self, workspace_id, flow_id, &error))
    {
      g_hash_table_remove (self->refused, flow_id);
      return;
    }
  log_warning (self, "flow %s of workspace %s: its triggers could not be activated: %s", flow_id,
               workspace_id, error->message);
  if (version != 0)
    g_hash_table_insert (self->refused, g_strdup (flow_id), g_memdup2 (&version, sizeof version));
}

static void
flow_saved_cb (DecaApiFlows *flows,
               const char   *workspace_id,
               const char   *flow_id,
               gint64        version,
               gpointer      user_data)
{
  DecaServerTriggers *self = user_data;

  if (g_hash_table_contains (self->active, flow_id))
    activate_or_warn (self, workspace_id, flow_id, 0);
}

static void
flow_active_changed_cb (DecaApiFlows *flows,
                        const char   *workspace_id,
                        const char   *flow_id,
                        gboolean      active,
                        gpointer      user_data)
{
  DecaServerTriggers *self = user_data;

  if (active)
    activate_or_warn (self, workspace_id, flow_id, 0);
  else
    deactivate_flow (self, flow_id, TRUE);
}

static void
flow_deleted_cb (DecaApiFlows *flows,
                 const char   *workspace_id,
                 const char   *flow_id,
                 gpointer      user_data)
{
  DecaServerTriggers *self = user_data;

  if (g_hash_table_contains (self->active, flow_id))
    deactivate_flow (self, flow_id, TRUE);
}

/* Makes the installed flows those the store has active, at their latest versions. */
static gboolean
resync (DecaServerTriggers  *self,
        GError             **error)
{
  g_autoptr(GPtrArray) summaries = deca_store_list_active_flows (self->store, NULL, error);
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  if (summaries == NULL)
    return FALSE;
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < summaries->len; i++)
    {
      DecaFlowSummary *summary = g_ptr_array_index (summaries, i);
      ActiveFlow *active = g_hash_table_lookup (self->active, summary->id);

      g_hash_table_add (seen, summary->id);
      if (active == NULL || active->version != summary->latest_version ||
          g_strcmp0 (active->workspace_id, summary->workspace_id) != 0)
        activate_or_warn (self, summary->workspace_id, summary->id, summary->latest_version);
    }
  g_hash_table_iter_init (&iter, self->active);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (seen, key))
      g_ptr_array_add (gone, g_strdup (key));
  /* Deactivated elsewhere: that process forgot the cursors already, and may have
   * activated the flow again since; leave them. */
  for (guint i = 0; i < gone->len; i++)
    deactivate_flow (self, g_ptr_array_index (gone, i), FALSE);
  return TRUE;
}

static void schedule_resync (DecaServerTriggers *self);

static gboolean
resync_cb (gpointer data)
{
  DecaServerTriggers *self = data;
  g_autoptr(GError) error = NULL;

  self->resync_id = 0;
  if (!resync (self, &error))
    log_warning (self, "could not compare the active flows with the store: %s", error->message);
  /* About once an hour. */
  if (++self->resyncs >= 3600 / DECA_SERVER_TRIGGERS_RESYNC_SECONDS)
    {
      self->resyncs = 0;
      prune_claims (self);
    }
  schedule_resync (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_resync (DecaServerTriggers *self)
{
  self->resync_id = deca_clock_add_timeout (self->clock, DECA_SERVER_TRIGGERS_RESYNC_SECONDS * G_USEC_PER_SEC,
                                            resync_cb, self, NULL);
}

/* --- the event sink of the executor --------------------------------------------------------- */

static JsonNode *
deca_server_triggers_sink_publish (DecaEventSink  *sink,
                                   const char     *flow_id,
                                   const char     *execution_id,
                                   const char     *topic,
                                   JsonNode       *data,
                                   GError        **error)
{
  DecaServerTriggers *self = DECA_SERVER_TRIGGERS (sink);
  g_autofree char *workspace_id = NULL;
  g_autofree char *source = NULL;
  g_autoptr(DecaTopicEvent) event = NULL;
  JsonNode *node;
  g_autoptr(GPtrArray) started = NULL;
  guint depth = GPOINTER_TO_UINT (g_hash_table_lookup (self->chain_depth, execution_id));
  guint outer_depth;

  /* Flows that start each other through events (or one that starts itself) would run
   * forever, and fan out on the way. */
  if (depth >= DECA_SERVER_TRIGGERS_MAX_EVENT_CHAIN)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT,
                   _("not published: this execution was started by a chain of %u events published by flows, "
                     "the most there may be (do flows start each other through events?)"), depth);
      return NULL;
    }
  if (!(workspace_id = deca_store_get_flow_workspace (self->store, flow_id, error)))
    return NULL;
  source = g_strdup_printf ("flow:%s", flow_id);
  outer_depth = self->delivery_depth;
  self->delivery_depth = depth + 1;
  event = deca_server_triggers_publish (self, workspace_id, topic, data, source, &started, error);
  self->delivery_depth = outer_depth;
  if (event == NULL)
    return NULL;
  node = deca_topic_event_to_json (event);
  json_object_set_int_member (json_node_get_object (node), "deliveries", started->len);
  return node;
}

static void
deca_server_triggers_sink_init (DecaEventSinkInterface *iface)
{
  iface->publish = deca_server_triggers_sink_publish;
}

/* --- publish and replay ---------------------------------------------------------------------- */

DecaTopicEvent *
deca_server_triggers_publish (DecaServerTriggers  *self,
                              const char          *workspace_id,
                              const char          *topic,
                              JsonNode            *data,
                              const char          *source,
                              GPtrArray          **started,
                              GError             **error)
{
  DecaEventDispatcher *dispatcher;
  DecaTopicEvent *event;
  GPtrArray *outer;

  g_return_val_if_fail (DECA_IS_SERVER_TRIGGERS (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);

  dispatcher = deca_server_triggers_get_dispatcher (self, workspace_id);
  /* A start may run a node that publishes in turn (synchronously, in a test executor):
   * each delivery counts its own starts. */
  outer = self->started_by_delivery;
  self->started_by_delivery = g_ptr_array_new_with_free_func (g_free);
  event = deca_event_dispatcher_publish (dispatcher, topic, data, source, NULL, error);
  if (event != NULL)
    {
      const char *labels[] = { source != NULL && g_str_has_prefix (source, "flow:") ? "flow"
                               : source != NULL ? source : "none", NULL };

      deca_metrics_family_add (self->events_total, labels, 1);
    }
  if (started != NULL)
    *started = g_steal_pointer (&self->started_by_delivery);
  g_clear_pointer (&self->started_by_delivery, g_ptr_array_unref);
  self->started_by_delivery = outer;
  return event;
}

DecaTopicEvent *
deca_server_triggers_replay (DecaServerTriggers  *self,
                             const char          *workspace_id,
                             const char          *event_id,
                             GPtrArray          **started,
                             GError             **error)
{
  g_autoptr(DecaTopicEventRecord) record = NULL;
  g_autoptr(JsonNode) payload = NULL;
  g_autoptr(DecaTopicEvent) event = NULL;
  DecaEventDispatcher *dispatcher;
  GPtrArray *outer;

  g_return_val_if_fail (DECA_IS_SERVER_TRIGGERS (self), NULL);
  g_return_val_if_fail (workspace_id != NULL && event_id != NULL, NULL);

  if (!(record = deca_store_find_topic_event (self->store, workspace_id, event_id, error)) ||
      !(payload = deca_json_parse (record->payload, -1, error)) ||
      !(event = deca_topic_event_new_from_json (payload, error)))
    return NULL;
  dispatcher = deca_server_triggers_get_dispatcher (self, workspace_id);
  outer = self->started_by_delivery;
  self->started_by_delivery = g_ptr_array_new_with_free_func (g_free);
  deca_event_dispatcher_deliver (dispatcher, event);
  if (started != NULL)
    *started = g_steal_pointer (&self->started_by_delivery);
  g_clear_pointer (&self->started_by_delivery, g_ptr_array_unref);
  self->started_by_delivery = outer;
  return g_steal_pointer (&event);
}

/* --- start and stop ------------------------------------------------------------------------- */

gboolean
deca_server_triggers_start (DecaServerTriggers  *self,
                            GError             **error)
{
  g_return_val_if_fail (DECA_IS_SERVER_TRIGGERS (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  if (!resync (self, error))
    return FALSE;
  prune_claims (self);
  self->started = TRUE;
  self->fire_id = g_signal_connect (self->scheduler, "fire", G_CALLBACK (fire_cb), self);
  self->claim_failed_id = g_signal_connect (self->scheduler, "claim-failed", G_CALLBACK (claim_failed_cb), self);
  self->saved_id = g_signal_connect (self->flows, "flow-saved", G_CALLBACK (flow_saved_cb), self);
  self->active_changed_id = g_signal_connect (self->flows, "flow-active-changed",
                                              G_CALLBACK (flow_active_changed_cb), self);
  self->deleted_id = g_signal_connect (self->flows, "flow-deleted", G_CALLBACK (flow_deleted_cb), self);
  deca_executor_set_event_sink (deca_api_flows_get_executor (self->flows), DECA_EVENT_SINK (self));
  schedule_resync (self);
  return TRUE;
}

void
deca_server_triggers_stop (DecaServerTriggers *self)
{
  DecaExecutor *executor;

  g_return_if_fail (DECA_IS_SERVER_TRIGGERS (self));

  if (!self->started)
    return;
  self->started = FALSE;
  if (self->resync_id != 0)
    deca_clock_remove_timeout (self->clock, self->resync_id);
  self->resync_id = 0;
  g_clear_signal_handler (&self->fire_id, self->scheduler);
  g_clear_signal_handler (&self->claim_failed_id, self->scheduler);
  g_clear_signal_handler (&self->saved_id, self->flows);
  g_clear_signal_handler (&self->active_changed_id, self->flows);
  g_clear_signal_handler (&self->deleted_id, self->flows);
  executor = deca_api_flows_get_executor (self->flows);
  if (executor != NULL)
    deca_executor_set_event_sink (executor, NULL);
  /* Stopping is not deactivating: the cursors stay in the store. */
  while (g_hash_table_size (self->active) > 0)
    {
      GHashTableIter iter;
      gpointer key;
      g_autofree char *flow_id = NULL;

      g_hash_table_iter_init (&iter, self->active);
      g_hash_table_iter_next (&iter, &key, NULL);
      flow_id = g_strdup (key);
      deactivate_flow (self, flow_id, FALSE);
    }
}

DecaServer *
deca_server_triggers_get_server (DecaServerTriggers *self)
{
  g_return_val_if_fail (DECA_IS_SERVER_TRIGGERS (self), NULL);
  return self->server;
}

DecaScheduler *
deca_server_triggers_get_scheduler (DecaServerTriggers *self)
{
  g_return_val_if_fail (DECA_IS_SERVER_TRIGGERS (self), NULL);
  return self->scheduler;
}

void
deca_server_schedule_free (DecaServerSchedule *schedule)
{
  if (schedule == NULL)
    return;
  g_free (schedule->workspace_id);
  g_free (schedule->flow_id);
  g_free (schedule->flow_name);
  g_clear_pointer (&schedule->trigger, deca_schedule_trigger_unref);
  g_free (schedule);
}

static int
compare_schedules (gconstpointer a,
                   gconstpointer b)
{
  const DecaServerSchedule *x = *(DecaServerSchedule * const *) a;
  const DecaServerSchedule *y = *(DecaServerSchedule * const *) b;
  int order = strcmp (x->flow_id, y->flow_id);

  return order != 0 ? order : strcmp (deca_schedule_trigger_get_key (x->trigger),
                                      deca_schedule_trigger_get_key (y->trigger));
}

GPtrArray *
deca_server_triggers_list_schedules (DecaServerTriggers  *self,
                                     const char          *workspace_id,
                                     const char          *flow_id,
                                     GError             **error)
{
  g_autoptr(GPtrArray) schedules = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (DECA_IS_SERVER_TRIGGERS (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  schedules = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_server_schedule_free);
  g_hash_table_iter_init (&iter, self->active);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ActiveFlow *active = value;
      g_autoptr(GPtrArray) triggers = NULL;

      if (!g_str_equal (active->workspace_id, workspace_id) ||
          (flow_id != NULL && !g_str_equal (key, flow_id)))
        continue;
      /* The installed version's triggers parsed when it was activated, so this succeeds;
       * the scheduler has exactly these keys (set_flow). */
      triggers = deca_schedule_triggers_from_flow (active->flow, NULL);
      for (guint i = 0; triggers != NULL && i < triggers->len; i++)
        {
          DecaScheduleTrigger *trigger = g_ptr_array_index (triggers, i);
          DecaServerSchedule *schedule;
          gint64 next_fire;

          if (!deca_scheduler_get_next_fire (self->scheduler, key, deca_schedule_trigger_get_key (trigger),
                                             &next_fire))
            continue;
          schedule = g_new0 (DecaServerSchedule, 1);
          schedule->workspace_id = g_strdup (active->workspace_id);
          schedule->flow_id = g_strdup (key);
          schedule->flow_name = g_strdup (deca_flow_get_name (active->flow));
          schedule->trigger = deca_schedule_trigger_ref (trigger);
          schedule->next_fire = next_fire;
          g_ptr_array_add (schedules, schedule);
        }
    }
  g_ptr_array_sort (schedules, compare_schedules);
  for (guint i = 0; i < schedules->len; i++)
    {
      DecaServerSchedule *schedule = g_ptr_array_index (schedules, i);

      if (!deca_store_get_last_schedule_fire (self->store, schedule->flow_id,
                                              deca_schedule_trigger_get_key (schedule->trigger),
                                              &schedule->last_fire, error))
        return NULL;
    }
  return g_steal_pointer (&schedules);
}

gboolean
deca_server_triggers_is_active (DecaServerTriggers *self,
                                const char         *flow_id)
{
  g_return_val_if_fail (DECA_IS_SERVER_TRIGGERS (self), FALSE);
  return flow_id != NULL && g_hash_table_contains (self->active, flow_id);
}

/* --- the object ------------------------------------------------------------------------------- */

static void
deca_server_triggers_dispose (GObject *object)
{
  DecaServerTriggers *self = DECA_SERVER_TRIGGERS (object);

  if (self->flows != NULL)
    deca_server_triggers_stop (self);
  if (self->dispatchers != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->dispatchers);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_signal_handlers_disconnect_by_data (value, self);
      g_hash_table_remove_all (self->dispatchers);
    }
  g_clear_object (&self->scheduler);
  g_clear_object (&self->flows);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);
  G_OBJECT_CLASS (deca_server_triggers_parent_class)->dispose (object);
}

static void
deca_server_triggers_finalize (GObject *object)
{
  DecaServerTriggers *self = DECA_SERVER_TRIGGERS (object);

  g_clear_pointer (&self->dispatchers, g_hash_table_unref);
  g_clear_pointer (&self->active, g_hash_table_unref);
  g_clear_pointer (&self->chain_depth, g_hash_table_unref);
  g_clear_pointer (&self->refused, g_hash_table_unref);
  G_OBJECT_CLASS (deca_server_triggers_parent_class)->finalize (object);
}

static void
deca_server_triggers_class_init (DecaServerTriggersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_server_triggers_dispose;
  object_class->finalize = deca_server_triggers_finalize;
  workspace_quark = g_quark_from_static_string ("deca-server-triggers-workspace");
}

static void
deca_server_triggers_init (DecaServerTriggers *self)
{
  self->dispatchers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->active = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) active_flow_free);
  self->chain_depth = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static DecaMetricsFamily *
counter (DecaMetrics        *metrics,
         const char         *name,
         const char         *help,
         const char * const *labels)
{
  DecaMetricsFamily *existing = deca_metrics_lookup (metrics, name);

  return existing != NULL ? existing : deca_metrics_add_counter (metrics, name, help, labels);
}

static void
add_metrics (DecaServerTriggers *self,
             DecaMetrics        *metrics)
{
  static const char * const trigger_result[] = { "trigger", "result", NULL };
  static const char * const source[] = { "source", NULL };
  DecaMetricsFamily *existing;

  self->starts_total = counter (metrics, "deca_trigger_starts_total",
                                "Executions started by schedules and events (trigger: schedule, event), by result.",
                                trigger_result);
  self->events_total = counter (metrics, "deca_events_published_total",
                                "Events published (source: api, flow), stored and delivered.", source);
  existing = deca_metrics_lookup (metrics, "deca_schedules_active");
  self->schedules_active = existing != NULL ? existing
                         : deca_metrics_add_gauge (metrics, "deca_schedules_active",
                                                   "Schedules of active flows this process runs.", NULL);
  deca_metrics_family_set (self->schedules_active, NULL, 0);
}

DecaServerTriggers *
deca_server_triggers_new (DecaServer   *server,
                          DecaApiFlows *flows,
                          DecaClock    *clock,
                          const char   *claimed_by)
{
  DecaServerTriggers *self;

  g_return_val_if_fail (DECA_IS_SERVER (server), NULL);
  g_return_val_if_fail (DECA_IS_API_FLOWS (flows), NULL);
  g_return_val_if_fail (clock == NULL || DECA_IS_CLOCK (clock), NULL);

  self = g_object_new (DECA_TYPE_SERVER_TRIGGERS, NULL);
  self->server = server;
  self->store = g_object_ref (deca_server_get_store (server));
  self->flows = g_object_ref (flows);
  self->clock = clock != NULL ? g_object_ref (clock) : deca_system_clock_get_default ();
  self->scheduler = deca_scheduler_new_for_store (self->clock, self->store, claimed_by);
  add_metrics (self, deca_server_get_metrics (server));
  return self;
}
