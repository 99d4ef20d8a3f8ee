#include "deca-event.h"
#include "deca-json.h"

static const char * const type_names[] = {
  [DECA_EVENT_EXECUTION_STARTED] = "execution.started",
  [DECA_EVENT_EXECUTION_RESUMED] = "execution.resumed",
  [DECA_EVENT_EXECUTION_PAUSED] = "execution.paused",
  [DECA_EVENT_EXECUTION_FINISHED] = "execution.finished",
  [DECA_EVENT_NODE_QUEUED] = "node.queued",
  [DECA_EVENT_NODE_STARTED] = "node.started",
  [DECA_EVENT_NODE_SUCCEEDED] = "node.succeeded",
  [DECA_EVENT_NODE_FAILED] = "node.failed",
  [DECA_EVENT_NODE_RETRYING] = "node.retrying",
  [DECA_EVENT_NODE_SKIPPED] = "node.skipped",
  [DECA_EVENT_NODE_PAUSED] = "node.paused",
  [DECA_EVENT_NODE_LOG] = "node.log",
};

const char *
deca_event_type_to_string (DecaEventType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (type_names), "unknown");
  return type_names[type];
}

static void
append_member_name (GString    *out,
                    const char *name)
{
  g_string_append_len (out, ",\"", 2);
  g_string_append (out, name);
  g_string_append_len (out, "\":", 2);
}

static void
append_string_member (GString    *out,
                      const char *name,
                      const char *value)
{
  if (value == NULL)
    return;
  append_member_name (out, name);
  deca_json_append_string (out, value);
}

/* Formats by hand: printf is the most expensive part of an event otherwise. */
static void
append_int_member (GString    *out,
                   const char *name,
                   gint64      value)
{
  char digits[24];
  guint n = 0;
  guint64 magnitude = value < 0 ? (guint64) -(value + 1) + 1 : (guint64) value;

  append_member_name (out, name);
  if (value < 0)
    g_string_append_c (out, '-');
  do
    {
      digits[n++] = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude > 0);
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

/* Appends the members every form shares: everything but type, execution_id, flow_id,
 * seq, time and output. */
static void
append_detail_members (GString         *out,
                       const DecaEvent *event,
                       gboolean         stored)
{
  append_string_member (out, "node_id", event->node_id);
  if (!stored || g_strcmp0 (event->node_key, event->node_id) != 0)
    append_string_member (out, "node_key", event->node_key);
  append_string_member (out, "node_type", event->node_type);
  if (event->attempt > 0)
    append_int_member (out, "attempt", event->attempt);
  append_string_member (out, "status", event->status);
  append_string_member (out, "port", event->port);
  if (event->error_code != NULL || event->error_message != NULL)
    {
      g_string_append (out, ",\"error\":{\"code\":");
      deca_json_append_string (out, event->error_code ? event->error_code : "error");
      g_string_append (out, ",\"message\":");
      deca_json_append_string (out, event->error_message ? event->error_message : "");
      g_string_append_c (out, '}');
    }
  if (event->type == DECA_EVENT_NODE_RETRYING)
    append_int_member (out, "delay_ms", event->delay_us / 1000);
  append_string_member (out, "message", event->message);
  append_string_member (out, "level", event->level);
  if (event->duration_us > 0)
    append_int_member (out, "duration_us", event->duration_us);
  /* Stored, it would say again what the execution's row says. */
  if (event->trigger != NULL && !stored)
    {
      /* Already JSON: the executor's own text of an object. */
      g_string_append (out, ",\"trigger\":");
      g_string_append (out, event->trigger);
    }
}

char *
deca_event_to_json_string (const DecaEvent *event,
                           gboolean         include_output)
{
  GString *out = g_string_sized_new (192);
  char iso[40];

  deca_format_time_iso8601 (event->time_us, iso, sizeof iso);

  g_string_append (out, "{\"type\":");
  deca_json_append_string (out, deca_event_type_to_string (event->type));
  append_string_member (out, "execution_id", event->execution_id);
  append_string_member (out, "flow_id", event->flow_id);
  append_int_member (out, "seq", event->seq);
  append_string_member (out, "time", iso);
  append_detail_members (out, event, FALSE);
  if (include_output && event->output != NULL)
    {
      g_autofree char *output = deca_json_to_string (event->output, FALSE);

      g_string_append (out, ",\"output\":");
      g_string_append (out, output);
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

char *
deca_event_to_stored_json (const DecaEvent *event)
{
  GString *out = g_string_sized_new (96);

  /* The detail members all start with a comma: write them, then make the first one the
   * opening brace. */
  append_detail_members (out, event, TRUE);
  if (out->len == 0)
    g_string_append (out, "{}");
  else
    {
      out->str[0] = '{';
      g_string_append_c (out, '}');
    }
  return g_string_free (out, FALSE);
}

char *
deca_event_expand_stored (const char *execution_id,
                          gint64      seq,
                          const char *type,
                          gint64      time_us,
                          const char *payload)
{
  g_autoptr(JsonNode) detail = payload ? json_from_string (payload, NULL) : NULL;
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  char iso[40];

  deca_format_time_iso8601 (time_us, iso, sizeof iso);
  json_object_set_string_member (object, "type", type);
  json_object_set_string_member (object, "execution_id", execution_id);
  json_object_set_int_member (object, "seq", seq);
  json_object_set_string_member (object, "time", iso);
  if (detail != NULL && JSON_NODE_HOLDS_OBJECT (detail))
    {
      JsonObject *members = json_node_get_object (detail);
      g_autoptr(GList) names = json_object_get_members (members);

      for (GList *l = names; l != NULL; l = l->next)
        json_object_set_member (object, l->data, json_node_copy (json_object_get_member (members, l->data)));
      if (json_object_has_member (members, "node_id") && !json_object_has_member (members, "node_key"))
        json_object_set_member (object, "node_key", json_node_copy (json_object_get_member (members, "node_id")));
    }
  else if (detail != NULL)
    json_object_set_member (object, "payload", json_node_ref (detail));
  json_node_set_object (root, object);
  return deca_json_to_string (root, FALSE);
}

JsonNode *
deca_event_to_json (const DecaEvent *event,
                    gboolean         include_output)
{
  g_autofree char *text = deca_event_to_json_string (event, include_output);

  return json_from_string (text, NULL);
}

/* The outcome event a node result stands for, as a stored event row; NULL for results
 * that stand for none (running rows, and rows written before migration 3). */
static DecaEventRecord *
event_from_node_result (const DecaNodeResultRecord *result)
{
  g_autoptr(JsonNode) error = NULL;
  DecaEventRecord *record;
  DecaEvent event = { 0 };

  if (result->event_seq <= 0)
    return NULL;
  if (g_str_equal (result->status, "succeeded"))
    event.type = DECA_EVENT_NODE_SUCCEEDED;
  else if (g_str_equal (result->status, "failed"))
    event.type = DECA_EVENT_NODE_FAILED;
  else if (g_str_equal (result->status, "skipped"))
    event.type = DECA_EVENT_NODE_SKIPPED;
  else if (g_str_equal (result->status, "paused"))
    event.type = DECA_EVENT_NODE_PAUSED;
  else
    return NULL;

  event.node_id = result->node_id;
  event.node_key = result->node_key;
  event.attempt = result->attempts;
  if (event.type == DECA_EVENT_NODE_SUCCEEDED)
    event.port = result->port;
  if (event.type == DECA_EVENT_NODE_SKIPPED)
    event.message = "no incoming connection fired";
  error = result->error ? json_from_string (result->error, NULL) : NULL;
  if (error != NULL && JSON_NODE_HOLDS_OBJECT (error))
    {
      event.error_code = json_object_get_string_member_with_default (json_node_get_object (error), "code", "error");
      event.error_message = json_object_get_string_member_with_default (json_node_get_object (error), "message", "");
    }
  if (event.type != DECA_EVENT_NODE_SKIPPED && event.type != DECA_EVENT_NODE_PAUSED &&
      result->started_at > 0 && result->finished_at >= result->started_at)
    event.duration_us = result->finished_at - result->started_at;

  record = g_new0 (DecaEventRecord, 1);
  record->execution_id = g_strdup (result->execution_id);
  record->seq = result->event_seq;
  record->type = g_strdup (deca_event_type_to_string (event.type));
  record->time = result->finished_at;
  record->payload = deca_event_to_stored_json (&event);
  return record;
}

static int
compare_by_seq (gconstpointer a,
                gconstpointer b)
{
  const DecaEventRecord *x = *(const DecaEventRecord **) a;
  const DecaEventRecord *y = *(const DecaEventRecord **) b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

GPtrArray *
deca_event_list_history (DecaStore   *store,
                         const char  *execution_id,
                         GError     **error)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) results = NULL;

  g_return_val_if_fail (DECA_IS_STORE (store), NULL);
  g_return_val_if_fail (execution_id != NULL, NULL);

  events = deca_store_list_events (store, execution_id, 0, error);
  if (events == NULL)
    return NULL;
  results = deca_store_list_node_results (store, execution_id, error);
  if (results == NULL)
    return NULL;
  for (guint i = 0; i < results->len; i++)
    {
      DecaEventRecord *record = event_from_node_result (g_ptr_array_index (results, i));

      if (record != NULL)
        g_ptr_array_add (events, record);
    }
  g_ptr_array_sort (events, compare_by_seq);
  return g_steal_pointer (&events);
}
