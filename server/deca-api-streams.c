/* deca-api-streams.c: the live streams of the REST API as server-sent events
 * (deca-api-streams.h, docs/server.md "Live streams (SSE)"). */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <deca-engine-error.h>
#include <deca-event.h>
#include <deca-json.h>
#include <deca-store-server.h>

#include "deca-api-flows-private.h"
#include "deca-api-streams.h"
#include "deca-rbac.h"

/* The types a workspace stream carries besides the execution events. */
#define FLOW_SAVED       "flow.saved"
#define FLOW_ACTIVATED   "flow.activated"
#define FLOW_DEACTIVATED "flow.deactivated"
#define FLOW_DELETED     "flow.deleted"
/* The last event of a stream closed because its client read too slowly. */
#define STREAM_OVERFLOW  "stream.overflow"

struct _DecaApiStreams
{
  GObject parent_instance;

  /* Borrowed: the server owns the routes, which own this object. */
  DecaServer *server;
  DecaStore *store;

  /* Owned. */
  DecaApiFlows *flows;
  DecaExecutor *executor;
  DecaClock *clock;
  GMainContext *context;
  guint event_id;
  gulong saved_id;
  gulong active_id;
  gulong deleted_id;

  gint64 keepalive_us;
  gsize max_queued;
  guint keepalive_id;          /* the pending keep-alive timeout of the clock, 0: none */

  /* Who wants what: execution id -> set of Subscriber, workspace id -> set of
   * Subscriber. Each subscriber is in exactly one set and owned by it. */
  GHashTable *by_execution;
  GHashTable *by_workspace;
  /* Execution id -> workspace id, for the executions that had an event while a
   * workspace stream was open; dropped when the execution pauses or finishes. */
  GHashTable *execution_workspaces;

  gboolean stopping;           /* the server is stopping: streams end at once */
  gint open_count;             /* atomic: the tests and /metrics read it */
  DecaMetricsFamily *open_gauge;
};

G_DEFINE_FINAL_TYPE (DecaApiStreams, deca_api_streams, G_TYPE_OBJECT)

typedef struct {
  DecaApiStreams *streams;     /* borrowed */
  DecaRequest *request;        /* owned */
  gboolean workspace;          /* a workspace stream; else an execution stream */
  char *key;                   /* the execution id or the workspace id */

  /* Execution streams: the seq of the last event sent (events at or below it are not
   * sent again), and the bytes of the history the stream started with, which the
   * limit on queued bytes leaves out. */
  gint64 last_seq;
  guint64 history_bytes;

  /* Workspace streams: the ?types= filter (NULL: everything), each an exact type or a
   * prefix ending in "." (from "node.*"), and whether the caller may see flows. */
  GStrv types;
  gboolean flows_allowed;
} Subscriber;

/* --- subscribers -------------------------------------------------------------------- */

static void
subscriber_free (Subscriber *subscriber)
{
  deca_request_unref (subscriber->request);
  g_free (subscriber->key);
  g_strfreev (subscriber->types);
  g_free (subscriber);
}

static void
update_gauge (DecaApiStreams *self,
              gboolean        workspace,
              int             delta)
{
  const char *labels[] = { workspace ? "workspace" : "execution", NULL };

  g_atomic_int_add (&self->open_count, delta);
  deca_metrics_family_add (self->open_gauge, labels, delta);
}

static void keepalive_schedule (DecaApiStreams *self);

static void
client_gone_cb (DecaRequest *request,
                gpointer     user_data);

static void
subscriber_add (DecaApiStreams *self,
                Subscriber     *subscriber)
{
  GHashTable *table = subscriber->workspace ? self->by_workspace : self->by_execution;
  GHashTable *set = g_hash_table_lookup (table, subscriber->key);

  if (set == NULL)
    {
      set = g_hash_table_new (NULL, NULL);
      g_hash_table_insert (table, g_strdup (subscriber->key), set);
    }
  g_hash_table_add (set, subscriber);
  deca_request_set_stream_closed_func (subscriber->request, client_gone_cb, subscriber, NULL);
  update_gauge (self, subscriber->workspace, 1);
  keepalive_schedule (self);
}

/* Takes @subscriber out of its set and frees it. With @reason the stream is ended (what
 * was queued is still written); without, its client is gone already. */
static void
subscriber_remove (Subscriber *subscriber,
                   const char *reason)
{
  DecaApiStreams *self = subscriber->streams;
  GHashTable *table = subscriber->workspace ? self->by_workspace : self->by_execution;
  GHashTable *set = g_hash_table_lookup (table, subscriber->key);

  g_assert (set != NULL);
  g_hash_table_remove (set, subscriber);
  if (g_hash_table_size (set) == 0)
    g_hash_table_remove (table, subscriber->key);
  update_gauge (self, subscriber->workspace, -1);

  deca_request_set_stream_closed_func (subscriber->request, NULL, NULL, NULL);
  if (reason != NULL)
    deca_request_end_stream (subscriber->request, reason);
  subscriber_free (subscriber);
}

/* The client went away (or the connection closed): nothing more to write to it. */
static void
client_gone_cb (DecaRequest *request,
                gpointer     user_data)
{
  subscriber_remove (user_data, NULL);
}

/* The last event of every stream when the server stops: no SSE id, so an EventSource
 * reconnects with the Last-Event-ID of the last real event and misses nothing. */
#define STOPPING_DATA "{\"type\":\"server.stopping\",\"message\":\"the server is stopping; reconnect\"}"

static void
end_for_stop (DecaRequest *request)
{
  deca_request_write_event (request, NULL, "server.stopping", STOPPING_DATA);
  deca_request_end_stream (request, "shutdown");
}

/* Bytes waiting in memory for @subscriber's client, beyond the history it started with
 * (which may be written out slowly without counting against the limit). */
static guint64
queued_bytes (Subscriber *subscriber)
{
  guint64 appended, written;

  deca_request_get_stream_bytes (subscriber->request, &appended, &written);
  written = MAX (written, subscriber->history_bytes);
  return appended > written ? appended - written : 0;
}

/* Sends one event to @subscriber (a comment when @type and @data are NULL). Returns FALSE
 * when the stream must close: its client let more than the limit wait, and got the
 * final stream.overflow event instead. */
static gboolean
subscriber_send (Subscriber *subscriber,
                 const char *id,
                 const char *type,
                 const char *data)
{
  if (queued_bytes (subscriber) > subscriber->streams->max_queued)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      g_autofree char *text = NULL;

      json_object_set_string_member (object, "type", STREAM_OVERFLOW);
      json_object_set_string_member (object, "message",
                                     _("The client read too slowly: the stream is closed; reconnect to go on"));
      if (!subscriber->workspace)
        json_object_set_int_member (object, "last_seq", subscriber->last_seq);
      json_node_take_object (node, object);
      text = deca_json_to_string (node, FALSE);
      deca_request_write_event (subscriber->request, NULL, STREAM_OVERFLOW, text);
      deca_request_log (subscriber->request, DECA_LOG_INFO,
                        "event stream closed: more than %" G_GSIZE_FORMAT " bytes waited for the client",
                        subscriber->streams->max_queued);
      return FALSE;
    }
  if (data == NULL)
    return deca_request_write_comment (subscriber->request, "keep-alive");
  return deca_request_write_event (subscriber->request, id, type, data);
}

/* Whether a workspace stream's filter lets @type through. */
static gboolean
wants_type (Subscriber *subscriber,
            const char *type)
{
  if (subscriber->types == NULL)
    return TRUE;
  for (guint i = 0; subscriber->types[i] != NULL; i++)
    {
      const char *wanted = subscriber->types[i];
      gsize length = strlen (wanted);

      if (wanted[length - 1] == '.' ? strncmp (type, wanted, length) == 0 : strcmp (type, wanted) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Sends an event to every subscriber of @set that wants it; closes those that
 * overflowed, and with @final (execution.finished on an execution stream) all of them. */
static void
dispatch (GHashTable *set,
          const char *id,
          const char *type,
          const char *data,
          gint64      seq,
          gboolean    flow_event,
          gboolean    final)
{
  g_autoptr(GPtrArray) closing = g_ptr_array_new ();
  g_autoptr(GPtrArray) finished = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Subscriber *subscriber = key;

      if (subscriber->workspace)
        {
          if ((flow_event && !subscriber->flows_allowed) || !wants_type (subscriber, type))
            continue;
        }
      else if (seq <= subscriber->last_seq)
        continue;
      if (!subscriber_send (subscriber, id, type, data))
        {
          g_ptr_array_add (closing, subscriber);
          continue;
        }
      if (!subscriber->workspace)
        subscriber->last_seq = seq;
      if (final)
        g_ptr_array_add (finished, subscriber);
    }
  /* Not while iterating: removing may drop the set itself. */
  for (guint i = 0; i < closing->len; i++)
    subscriber_remove (g_ptr_array_index (closing, i), "overflow");
  for (guint i = 0; i < finished->len; i++)
    subscriber_remove (g_ptr_array_index (finished, i), "complete");
}

/* --- keep-alive --------------------------------------------------------------------- */

static void
keepalive_set (DecaApiStreams *self,
               GHashTable     *table,
               GPtrArray      *closing)
{
  GHashTableIter sets;
  gpointer value;

  g_hash_table_iter_init (&sets, table);
  while (g_hash_table_iter_next (&sets, NULL, &value))
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, value);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!subscriber_send (key, NULL, NULL, NULL))
          g_ptr_array_add (closing, key);
    }
}

static gboolean
keepalive_cb (gpointer user_data)
{
  DecaApiStreams *self = user_data;
  g_autoptr(GPtrArray) closing = g_ptr_array_new ();

  self->keepalive_id = 0;
  /* A comment to every stream: proxies keep idle connections open, and a client that
   * went away without a word shows when the write fails. */
  keepalive_set (self, self->by_execution, closing);
  keepalive_set (self, self->by_workspace, closing);
  for (guint i = 0; i < closing->len; i++)
    subscriber_remove (g_ptr_array_index (closing, i), "overflow");
  keepalive_schedule (self);
  return G_SOURCE_REMOVE;
}

/* One timer for all streams, running only while there are any. */
static void
keepalive_schedule (DecaApiStreams *self)
{
  if (self->keepalive_id != 0 || g_atomic_int_get (&self->open_count) == 0)
    return;
  g_main_context_push_thread_default (self->context);
  self->keepalive_id = deca_clock_add_timeout (self->clock, self->keepalive_us, keepalive_cb, self, NULL);
  g_main_context_pop_thread_default (self->context);
}

static void
keepalive_cancel (DecaApiStreams *self)
{
  if (self->keepalive_id != 0)
    deca_clock_remove_timeout (self->clock, self->keepalive_id);
  self->keepalive_id = 0;
}

/* --- events ------------------------------------------------------------------------- */

static gboolean
is_finished_status (const char *status)
{
  return g_strcmp0 (status, DECA_STATUS_SUCCEEDED) == 0 || g_strcmp0 (status, DECA_STATUS_FAILED) == 0
         || g_strcmp0 (status, DECA_STATUS_CANCELLED) == 0;
}

/* Outputs stay out of the streams (they may be large, and the history has them in node
 * results, not in events): events that would carry one link to the execution, whose
 * node_results have every output. */
static gboolean
type_has_output (const char *type)
{
  return strcmp (type, "node.succeeded") == 0 || strcmp (type, "execution.finished") == 0;
}

/* The stream form of an event: @object completed with the execution's flow_id (events
 * rebuilt from the store lack it) and the output link. Returns (transfer full) compact
 * JSON text. */
static char *
event_text (JsonObject *object,
            const char *execution_id,
            const char *flow_id)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  const char *type = json_object_get_string_member_with_default (object, "type", "");

  if (flow_id != NULL && !json_object_has_member (object, "flow_id"))
    json_object_set_string_member (object, "flow_id", flow_id);
  if (type_has_output (type))
    {
      g_autofree char *escaped = g_uri_escape_string (execution_id, NULL, FALSE);
      g_autofree char *href = g_strconcat ("/api/v1/executions/", escaped, NULL);

      json_object_set_string_member (object, "output_href", href);
    }
  json_node_set_object (node, object);
  return deca_json_to_string (node, FALSE);
}

/* Returns (transfer full) the JSON text of a live event, or NULL when it cannot be
 * formed. */
static char *
live_event_text (const DecaEvent *event)
{
  g_autofree char *text = deca_event_to_json_string (event, FALSE);
  g_autoptr(JsonNode) node = deca_json_parse (text, -1, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return event_text (json_node_get_object (node), event->execution_id, event->flow_id);
}

/* The workspace of the execution of @event (transfer none), or NULL when it cannot be
 * found: its flow's, where the store records the execution (a new execution is recorded
 * only at the end of the executor's main-loop turn, so its row is no help yet). */
static const char *
execution_workspace (DecaApiStreams  *self,
                     const DecaEvent *event)
{
  g_autoptr(GError) error = NULL;
  const char *workspace = g_hash_table_lookup (self->execution_workspaces, event->execution_id);
  char *found;

  if (workspace != NULL)
    return workspace;
  found = deca_store_get_flow_workspace (self->store, event->flow_id, &error);
  if (found == NULL)
    {
      deca_log_writef (deca_server_get_log (self->server), DECA_LOG_WARNING, NULL,
                       "event streams: the workspace of an execution is unknown: %s", error->message);
      return NULL;
    }
  g_hash_table_insert (self->execution_workspaces, g_strdup (event->execution_id), found);
  return found;
}

static void
executor_event_cb (DecaExecutor    *executor,
                   const DecaEvent *event,
                   gpointer         user_data)
{
  DecaApiStreams *self = user_data;
  /* Without a stream open, an event costs no lookup (hashing an execution id is most
   * of what a lookup costs, for every event of every execution). */
  GHashTable *execution_set = g_hash_table_size (self->by_execution) > 0
                              ? g_hash_table_lookup (self->by_execution, event->execution_id) : NULL;
  GHashTable *workspace_set = NULL;
  const char *type = deca_event_type_to_string (event->type);
  gboolean final = event->type == DECA_EVENT_EXECUTION_FINISHED;
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;

  if (g_hash_table_size (self->by_workspace) > 0)
    {
      const char *workspace = execution_workspace (self, event);

      if (workspace != NULL)
        workspace_set = g_hash_table_lookup (self->by_workspace, workspace);
    }
  if (execution_set != NULL || workspace_set != NULL)
    text = live_event_text (event);
  if (text != NULL)
    {
      id = g_strdup_printf ("%" G_GINT64_FORMAT, event->seq);
      if (execution_set != NULL)
        dispatch (execution_set, id, type, text, event->seq, FALSE, final);
      /* The workspace stream mixes executions: a seq is no id there. */
      if (workspace_set != NULL)
        dispatch (workspace_set, NULL, type, text, event->seq, FALSE, FALSE);
    }
  /* Filled only while workspace streams are open (execution_workspace()). */
  if ((final || event->type == DECA_EVENT_EXECUTION_PAUSED) && g_hash_table_size (self->execution_workspaces) > 0)
    g_hash_table_remove (self->execution_workspaces, event->execution_id);
}

/* A flow change, to the workspace streams of @workspace_id. */
static void
flow_event (DecaApiStreams *self,
            const char     *workspace_id,
            const char     *type,
            const char     *flow_id,
            gint64          version)
{
  GHashTable *set = g_hash_table_lookup (self->by_workspace, workspace_id);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;
  char iso[40];

  if (set == NULL)
    return;
  object = json_object_new ();
  json_object_set_string_member (object, "type", type);
  json_object_set_string_member (object, "flow_id", flow_id);
  if (version > 0)
    json_object_set_int_member (object, "version", version);
  deca_format_time_iso8601 (deca_clock_now_us (self->clock), iso, sizeof iso);
  json_object_set_string_member (object, "time", iso);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  text = deca_json_to_string (node, FALSE);
  dispatch (set, NULL, type, text, 0, TRUE, FALSE);
}

static void
flow_saved_cb (DecaApiFlows *flows,
               const char   *workspace_id,
               const char   *flow_id,
               gint64        version,
               gpointer      user_data)
{
  flow_event (user_data, workspace_id, FLOW_SAVED, flow_id, version);
}

static void
flow_active_changed_cb (DecaApiFlows *flows,
                        const char   *workspace_id,
                        const char   *flow_id,
                        gboolean      active,
                        gpointer      user_data)
{
  flow_event (user_data, workspace_id, active ? FLOW_ACTIVATED : FLOW_DEACTIVATED, flow_id, 0);
}

static void
flow_deleted_cb (DecaApiFlows *flows,
                 const char   *workspace_id,
                 const char   *flow_id,
                 gpointer      user_data)
{
  flow_event (user_data, workspace_id, FLOW_DELETED, flow_id, 0);
}

/* --- routes ------------------------------------------------------------------------- */

static Subscriber *
subscriber_new (DecaApiStreams *self,
                DecaRequest    *request,
                gboolean        workspace,
                const char     *key)
{
  Subscriber *subscriber = g_new0 (Subscriber, 1);

  subscriber->streams = self;
  subscriber->request = deca_request_ref (request);
  subscriber->workspace = workspace;
  subscriber->key = g_strdup (key);
  return subscriber;
}

/* Reads where an execution stream resumes: the Last-Event-ID header a reconnecting
 * client sends (an event's seq), else ?after=SEQ; 0 when neither is there. Answers 400
 * and returns FALSE for one that is not a seq. */
static gboolean
read_after (DecaRequest *request,
            gint64      *after)
{
  const char *header = deca_request_get_header (request, "Last-Event-ID");
  const char *query = deca_request_get_query (request, "after");
  const char *value = header != NULL ? header : query;
  guint64 number = 0;

  *after = 0;
  if (value == NULL || (header != NULL && *header == '\0'))
    return TRUE;
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &number, NULL))
    {
      if (header != NULL)
        deca_request_respond_bad_input (request, "header", "Last-Event-ID",
                                        _("“Last-Event-ID” must be the id of an event of this stream (a number)"));
      else
        deca_request_respond_bad_input (request, "parameter", "after",
                                        _("“after” must be the seq of an event (a number from 0)"));
      return FALSE;
    }
  *after = (gint64) number;
  return TRUE;
}

/* Sends @record's stored history after @subscriber->last_seq. */
static gboolean
send_history (Subscriber                *subscriber,
              const DecaExecutionRecord *record,
              GPtrArray                 *history,
              GError                   **error)
{
  for (guint i = 0; i < history->len; i++)
    {
      DecaEventRecord *event = g_ptr_array_index (history, i);
      g_autofree char *expanded = NULL;
      g_autofree char *text = NULL;
      g_autofree char *id = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonNode) trigger = NULL;

      if (event->seq <= subscriber->last_seq)
        continue;
      expanded = deca_event_expand_stored (event->execution_id, event->seq, event->type, event->time,
                                           event->payload);
      if (!(node = deca_json_parse (expanded, -1, error)))
        return FALSE;
      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      /* The store keeps the trigger in the execution's row only; the live event has it. */
      if (g_str_equal (event->type, "execution.started") && record->trigger != NULL &&
          (trigger = deca_json_parse (record->trigger, -1, NULL)) != NULL && JSON_NODE_HOLDS_OBJECT (trigger))
        json_object_set_member (json_node_get_object (node), "trigger", g_steal_pointer (&trigger));
      text = event_text (json_node_get_object (node), record->id, record->flow_id);
      id = g_strdup_printf ("%" G_GINT64_FORMAT, event->seq);
      deca_request_write_event (subscriber->request, id, event->type, text);
      subscriber->last_seq = event->seq;
    }
  return TRUE;
}

static void
execution_events_cb (DecaRequest *request,
                     gpointer     user_data)
{
  DecaApiStreams *self = user_data;
  const DecaPrincipal *principal;
  const char *id = deca_request_get_param (request, "id");
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  Subscriber *subscriber;
  gint64 after;

  if (!(principal = _deca_api_require_principal (request)) || !read_after (request, &after))
    return;
  /* Everything the executor emitted so far is in the store after this, and nothing new
   * happens before the subscription below (one thread): no event is lost or repeated
   * between the history and the live events. */
  if (!deca_executor_flush (self->executor, &error))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  record = deca_store_get_workspace_execution (self->store, principal->workspace_id, id, &error);
  if (record == NULL)
    {
      _deca_api_respond_store_error (request, error, "execution");
      return;
    }
  if (!(history = deca_event_list_history (self->store, id, &error)))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }

  if (!deca_request_start_event_stream (request))
    return;
  subscriber = subscriber_new (self, request, FALSE, id);
  subscriber->last_seq = after;
  if (!send_history (subscriber, record, history, &error))
    {
      deca_request_log (request, DECA_LOG_ERROR, "a stored event does not read back: %s", error->message);
      deca_request_end_stream (request, "failed");
      subscriber_free (subscriber);
      return;
    }
  deca_request_get_stream_bytes (request, &subscriber->history_bytes, NULL);
  /* Finished: the history was all there is. */
  if (is_finished_status (record->status))
    {
      deca_request_end_stream (request, "complete");
      subscriber_free (subscriber);
      return;
    }
  if (self->stopping)
    {
      end_for_stop (request);
      subscriber_free (subscriber);
      return;
    }
  subscriber_add (self, subscriber);
}

/* Whether @name is a type a workspace stream can carry. */
static gboolean
is_stream_type (const char *name)
{
  static const char *const flow_types[] = { FLOW_SAVED, FLOW_ACTIVATED, FLOW_DEACTIVATED, FLOW_DELETED };

  for (int type = DECA_EVENT_EXECUTION_STARTED; type <= DECA_EVENT_NODE_LOG; type++)
    if (g_strcmp0 (name, deca_event_type_to_string ((DecaEventType) type)) == 0)
      return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (flow_types); i++)
    if (strcmp (name, flow_types[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Reads ?types=a,b,node.* into @subscriber; answers 400 (an unknown type) or 403 (flow
 * events without read:flows) and returns FALSE. */
static gboolean
read_types (DecaRequest         *request,
            const DecaPrincipal *principal,
            Subscriber          *subscriber)
{
  const char *value = deca_request_get_query (request, "types");
  g_auto(GStrv) names = NULL;
  g_autoptr(GPtrArray) types = NULL;

  if (value == NULL)
    return TRUE;
  names = g_strsplit (value, ",", -1);
  types = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);
      gsize length = strlen (name);
      gboolean prefix = length > 2 && g_str_has_suffix (name, ".*");
      g_autofree char *stem = prefix ? g_strndup (name, length - 1) : NULL;
      gboolean known = prefix ? (g_str_equal (stem, "execution.") || g_str_equal (stem, "node.")
                                 || g_str_equal (stem, "flow.")) : is_stream_type (name);

      if (!known)
        {
          /* Translators: %s is what the caller gave; the list names event types, keep them. */
          g_autofree char *message = g_strdup_printf (_("“types”: “%s” is not an event type (execution.finished, "
                                                        "node.*, flow.saved, …)"), name);

          deca_request_respond_bad_input (request, "parameter", "types", message);
          return FALSE;
        }
      if (g_str_has_prefix (name, "flow.") && !subscriber->flows_allowed)
        {
          deca_request_respond_error_literal (request, DECA_SERVER_ERROR_FORBIDDEN,
                                              _("Flow events need the permission read:flows"), NULL);
          return FALSE;
        }
      g_ptr_array_add (types, prefix ? g_steal_pointer (&stem) : g_strdup (name));
    }
  g_ptr_array_add (types, NULL);
  subscriber->types = (GStrv) g_ptr_array_free (g_steal_pointer (&types), FALSE);
  return TRUE;
}

static void
workspace_stream_cb (DecaRequest *request,
                     gpointer     user_data)
{
  DecaApiStreams *self = user_data;
  const DecaPrincipal *principal;
  Subscriber *subscriber;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  subscriber = subscriber_new (self, request, TRUE, principal->workspace_id);
  /* Execution events need read:executions (the route's); flow events read:flows too,
   * which a key narrowed to executions does not have: it gets them left out. */
  subscriber->flows_allowed = deca_rbac_principal_can (principal, DECA_PERMISSION_READ_FLOWS);
  if (!read_types (request, principal, subscriber) || !deca_request_start_event_stream (request))
    {
      subscriber_free (subscriber);
      return;
    }
  if (self->stopping)
    {
      end_for_stop (request);
      subscriber_free (subscriber);
      return;
    }
  subscriber_add (self, subscriber);
}

/* --- the object --------------------------------------------------------------------- */

static void close_all (DecaApiStreams *self, GHashTable *table, gboolean stopping);

/* deca_server_shutdown(): every open stream gets server.stopping and its end, and a
 * stream asked for from now on ends as soon as it started. */
static void
server_stopping_cb (DecaServer *server,
                    gpointer    user_data)
{
  DecaApiStreams *self = user_data;

  self->stopping = TRUE;
  close_all (self, self->by_execution, TRUE);
  close_all (self, self->by_workspace, TRUE);
}

/* Ends every stream (the server is going away), with server.stopping when @stopping. */
static void
close_all (DecaApiStreams *self,
           GHashTable     *table,
           gboolean        stopping)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  GHashTableIter sets;
  gpointer value;

  g_hash_table_iter_init (&sets, table);
  while (g_hash_table_iter_next (&sets, NULL, &value))
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, value);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (all, key);
    }
  for (guint i = 0; i < all->len; i++)
    {
      Subscriber *subscriber = g_ptr_array_index (all, i);

      if (stopping)
        deca_request_write_event (subscriber->request, NULL, "server.stopping", STOPPING_DATA);
      subscriber_remove (subscriber, "shutdown");
    }
}

static void
deca_api_streams_dispose (GObject *object)
{
  DecaApiStreams *self = DECA_API_STREAMS (object);

  if (self->by_execution != NULL)
    close_all (self, self->by_execution, FALSE);
  if (self->by_workspace != NULL)
    close_all (self, self->by_workspace, FALSE);
  if (self->clock != NULL)
    keepalive_cancel (self);
  if (self->executor != NULL && self->event_id != 0)
    {
      deca_executor_remove_event_listener (self->executor, self->event_id);
      self->event_id = 0;
    }
  if (self->flows != NULL)
    {
      g_clear_signal_handler (&self->saved_id, self->flows);
      g_clear_signal_handler (&self->active_id, self->flows);
      g_clear_signal_handler (&self->deleted_id, self->flows);
    }
  g_clear_object (&self->executor);
  g_clear_object (&self->flows);
  g_clear_object (&self->clock);
  G_OBJECT_CLASS (deca_api_streams_parent_class)->dispose (object);
}

static void
deca_api_streams_finalize (GObject *object)
{
  DecaApiStreams *self = DECA_API_STREAMS (object);

  g_clear_pointer (&self->by_execution, g_hash_table_unref);
  g_clear_pointer (&self->by_workspace, g_hash_table_unref);
  g_clear_pointer (&self->execution_workspaces, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (deca_api_streams_parent_class)->finalize (object);
}

static void
deca_api_streams_class_init (DecaApiStreamsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_api_streams_dispose;
  object_class->finalize = deca_api_streams_finalize;
}

static void
deca_api_streams_init (DecaApiStreams *self)
{
  self->by_execution = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_hash_table_unref);
  self->by_workspace = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_hash_table_unref);
  self->execution_workspaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->keepalive_us = DECA_API_STREAMS_DEFAULT_KEEPALIVE_US;
  self->max_queued = DECA_API_STREAMS_DEFAULT_MAX_QUEUED;
  self->clock = deca_system_clock_get_default ();
  self->context = g_main_context_ref_thread_default ();
}

static gboolean
add_route (DecaApiStreams    *self,
           const char        *pattern,
           DecaRouteHandler   handler,
           DecaPermissions    permissions,
           GError           **error)
{
  DecaRoute *route = deca_server_add_route (self->server, "GET", pattern, DECA_ROUTE_NONE, handler,
                                            g_object_ref (self), g_object_unref, error);

  if (route == NULL)
    {
      /* The router takes the reference only with the route. */
      g_object_unref (self);
      return FALSE;
    }
  deca_route_set_required_permissions (route, permissions);
  return TRUE;
}

DecaApiStreams *
deca_api_streams_register (DecaServer    *server,
                           DecaApiFlows  *flows,
                           GError       **error)
{
  g_autoptr(DecaApiStreams) self = NULL;
  const char *kind[] = { "kind", NULL };

  g_return_val_if_fail (DECA_IS_SERVER (server), NULL);
  g_return_val_if_fail (DECA_IS_API_FLOWS (flows), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (DECA_TYPE_API_STREAMS, NULL);
  self->server = server;
  self->store = deca_server_get_store (server);
  self->flows = g_object_ref (flows);
  self->executor = g_object_ref (deca_api_flows_get_executor (flows));

  if (!add_route (self, "/api/v1/executions/{id}/events", execution_events_cb,
                  DECA_PERMISSION_READ_EXECUTIONS, error)
      || !add_route (self, "/api/v1/stream", workspace_stream_cb, DECA_PERMISSION_READ_EXECUTIONS, error))
    return NULL;

  self->open_gauge = deca_metrics_add_gauge (deca_server_get_metrics (server), "deca_streams_open",
                                             "Event streams open now, by kind (execution, workspace).", kind);
  deca_metrics_family_set (self->open_gauge, (const char *[]) { "execution", NULL }, 0);
  deca_metrics_family_set (self->open_gauge, (const char *[]) { "workspace", NULL }, 0);
  self->event_id = deca_executor_add_event_listener (self->executor, executor_event_cb, self);
  self->saved_id = g_signal_connect (flows, "flow-saved", G_CALLBACK (flow_saved_cb), self);
  self->active_id = g_signal_connect (flows, "flow-active-changed", G_CALLBACK (flow_active_changed_cb), self);
  self->deleted_id = g_signal_connect (flows, "flow-deleted", G_CALLBACK (flow_deleted_cb), self);
  g_signal_connect_object (server, "stopping", G_CALLBACK (server_stopping_cb), self, 0);
  return g_steal_pointer (&self);
}

void
deca_api_streams_set_clock (DecaApiStreams *self,
                            DecaClock      *clock)
{
  g_return_if_fail (DECA_IS_API_STREAMS (self));
  g_return_if_fail (DECA_IS_CLOCK (clock));

  if (self->clock == clock)
    return;
  keepalive_cancel (self);
  g_set_object (&self->clock, clock);
  keepalive_schedule (self);
}

void
deca_api_streams_set_keepalive_interval (DecaApiStreams *self,
                                         gint64          interval_us)
{
  g_return_if_fail (DECA_IS_API_STREAMS (self));
  g_return_if_fail (interval_us > 0);

  self->keepalive_us = interval_us;
  keepalive_cancel (self);
  keepalive_schedule (self);
}

void
deca_api_streams_set_max_queued_bytes (DecaApiStreams *self,
                                       gsize           max_bytes)
{
  g_return_if_fail (DECA_IS_API_STREAMS (self));
  g_return_if_fail (max_bytes > 0);

  self->max_queued = max_bytes;
}

guint
deca_api_streams_get_open_count (DecaApiStreams *self)
{
  g_return_val_if_fail (DECA_IS_API_STREAMS (self), 0);

  return (guint) g_atomic_int_get (&self->open_count);
}
