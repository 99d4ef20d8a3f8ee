/* deca-api-events.c: the events routes (see the header). */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <deca-engine-error.h>
#include <deca-event-dispatcher.h>
#include <deca-json.h>
#include <deca-store-server.h>
#include <deca-topic.h>

#include "deca-api-common.h"
#include "deca-api-events.h"
#include "deca-audit.h"
#include "deca-rbac.h"

/* Stored events read per step while a page is filled with those matching ?topic=. */
#define SCAN_STEP 200

/* --- answers ------------------------------------------------------------------------------ */

/* The API form of @event: {"id", "topic", "source", "published_at", "data"}, with
 * "deliveries" and "execution_ids" when @started (element-type utf8: the ids of the
 * executions a publish or replay started) is not NULL. */
static JsonNode *
event_to_json (DecaTopicEvent *event,
               GPtrArray      *started)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;

  json_object_set_string_member (object, "id", deca_topic_event_get_id (event));
  json_object_set_string_member (object, "topic", deca_topic_event_get_topic (event));
  _deca_api_set_nullable_string_member (object, "source", deca_topic_event_get_source (event));
  _deca_api_set_time_member (object, "published_at", deca_topic_event_get_time_us (event));
  json_object_set_member (object, "data", deca_json_deep_copy (deca_topic_event_get_data (event)));
  if (started != NULL)
    {
      JsonArray *ids = json_array_sized_new (started->len);

      for (guint i = 0; i < started->len; i++)
        json_array_add_string_element (ids, g_ptr_array_index (started, i));
      json_object_set_int_member (object, "deliveries", started->len);
      json_object_set_array_member (object, "execution_ids", ids);
    }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

static void
audit (DecaRequest    *request,
       const char     *action,
       DecaTopicEvent *event,
       guint           deliveries)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) details = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "topic", deca_topic_event_get_topic (event));
  json_object_set_int_member (object, "deliveries", deliveries);
  json_node_set_object (details, object);
  deca_server_audit (request, action, deca_topic_event_get_id (event), DECA_AUDIT_OK, details);
}

/* Answers a topic (@is_pattern FALSE: the body's "topic") or a pattern (?topic=) that
 * deca_topic_validate() or deca_topic_pattern_validate() refused, in whole sentences that
 * name the member: the engine's messages are phrases to follow one ("is 300 bytes long"). */
static void
respond_bad_topic (DecaRequest  *request,
                   const char   *topic,
                   gboolean      is_pattern,
                   const GError *error)
{
  g_autofree char *message = NULL;

  if (*topic == '\0')
    message = g_strdup (_("“topic” is empty"));
  else if (strlen (topic) > DECA_TOPIC_MAX_LENGTH)
    {
      g_autofree char *bytes = g_strdup_printf ("%" G_GSIZE_FORMAT, strlen (topic));

      /* Translators: the first %s is a number of bytes, %d the largest one allowed. */
      message = g_strdup_printf (_("“topic” is %s bytes long; at most %d are allowed"), bytes, DECA_TOPIC_MAX_LENGTH);
    }
  else if (is_pattern)
    /* Translators: %s says what is wrong ("token 2 is empty: tokens are names ..."). */
    message = g_strdup_printf (_("“topic” is not a valid topic pattern: %s"), error->message);
  else
    /* Translators: %s says what is wrong ("token 2 is the wildcard '*'; ..."). */
    message = g_strdup_printf (_("“topic” is not a valid topic: %s"), error->message);
  if (is_pattern)
    deca_request_respond_bad_input (request, "parameter", "topic", message);
  else
    deca_request_respond_bad_field (request, "/topic", message);
}

/* Checks the event's data against the limits of @dispatcher before it is published, so
 * that the answer can say which limit in a sentence; FALSE when answered. */
static gboolean
check_data (DecaRequest         *request,
            DecaEventDispatcher *dispatcher,
            JsonNode            *data)
{
  g_autofree char *text = NULL;
  gsize length;

  if (data == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (data))
    {
      deca_request_respond_bad_field (request, "/data", _("“data” must be a JSON object"));
      return FALSE;
    }
  /* As the dispatcher measures it: the compact text. */
  text = deca_json_to_string (data, FALSE);
  length = strlen (text);
  if (length > deca_event_dispatcher_get_max_data_size (dispatcher))
    {
      g_autofree char *bytes = g_strdup_printf ("%" G_GSIZE_FORMAT, length);
      g_autofree char *limit = g_strdup_printf ("%" G_GSIZE_FORMAT, deca_event_dispatcher_get_max_data_size (dispatcher));
      /* Translators: both %s are numbers of bytes. */
      g_autofree char *message = g_strdup_printf (_("“data” is %s bytes; at most %s are allowed"), bytes, limit);

      deca_request_respond_bad_field (request, "/data", message);
      return FALSE;
    }
  if (deca_json_text_too_deep (text, length, DECA_EVENT_MAX_DATA_DEPTH, NULL))
    {
      g_autofree char *message = g_strdup_printf (_("“data” is nested deeper than %d levels"),
                                                  DECA_EVENT_MAX_DATA_DEPTH);

      deca_request_respond_bad_field (request, "/data", message);
      return FALSE;
    }
  return TRUE;
}

/* --- routes --------------------------------------------------------------------------------- */

static void
publish_cb (DecaRequest *request,
            gpointer     user_data)
{
  DecaServerTriggers *triggers = user_data;
  const DecaPrincipal *principal;
  g_autoptr(DecaTopicEvent) event = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *body;
  JsonNode *data;
  const char *topic;
  g_autoptr(GPtrArray) started = NULL;
  gboolean ok;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  if (!(body = _deca_api_read_body_object (request, FALSE, &ok)) ||
      !_deca_api_read_string_member (request, body, "topic", &topic))
    return;
  if (topic == NULL)
    {
      deca_request_respond_bad_field (request, "/topic", _("An event needs a “topic”"));
      return;
    }
  if (!deca_topic_validate (topic, &error))
    {
      respond_bad_topic (request, topic, FALSE, error);
      return;
    }
  data = json_object_get_member (body, "data");
  if (data != NULL && JSON_NODE_HOLDS_NULL (data))
    data = NULL;
  if (!check_data (request, deca_server_triggers_get_dispatcher (triggers, principal->workspace_id), data))
    return;

  event = deca_server_triggers_publish (triggers, principal->workspace_id, topic, data, "api", &started, &error);
  if (event == NULL)
    {
      /* Not the event's fault: its topic and data were checked above. */
      deca_request_respond_error (request, error, NULL);
      return;
    }
  audit (request, "event.publish", event, started->len);
  answer = event_to_json (event, started);
  deca_request_respond_json (request, 202, answer);
}

/* Reads ?since= (ISO 8601 with a zone) into *@since_us (0 when absent). */
static gboolean
read_since (DecaRequest *request,
            gint64      *since_us)
{
  const char *text = deca_request_get_query (request, "since");
  g_autoptr(GDateTime) time = NULL;

  *since_us = 0;
  if (text == NULL)
    return TRUE;
  time = g_date_time_new_from_iso8601 (text, NULL);
  if (time == NULL)
    {
      deca_request_respond_bad_input (request, "parameter", "since",
                                      _("since must be an ISO 8601 time with a zone, such as 2026-12-01T16:00:00Z"));
      return FALSE;
    }
  *since_us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

/* Reads ?cursor= (the store id of the last event of the previous page). */
static gboolean
read_cursor (DecaRequest *request,
             gint64      *before_id)
{
  const char *text = deca_request_get_query (request, "cursor");
  guint64 value;

  *before_id = 0;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      deca_request_respond_bad_input (request, "parameter", "cursor",
                                      _("cursor must be the next_cursor of a previous page"));
      return FALSE;
    }
  *before_id = (gint64) value;
  return TRUE;
}

static void
list_cb (DecaRequest *request,
         gpointer     user_data)
{
  DecaServerTriggers *triggers = user_data;
  DecaStore *store;
  const DecaPrincipal *principal;
  const char *pattern = NULL;
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  gint64 since, before_id, last_id = 0;
  guint limit;
  gboolean more = FALSE;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  pattern = deca_request_get_query (request, "topic");
  if (pattern != NULL && !deca_topic_pattern_validate (pattern, &error))
    {
      respond_bad_topic (request, pattern, TRUE, error);
      return;
    }
  if (!_deca_api_read_limit (request, &limit) || !read_since (request, &since) ||
      !read_cursor (request, &before_id))
    return;

  store = deca_server_get_store (deca_server_triggers_get_server (triggers));
  /* Fill the page with matching events, one more to know whether another page follows. */
  while (!more)
    {
      g_autoptr(GPtrArray) rows = deca_store_list_topic_events_before (store, principal->workspace_id, before_id,
                                                                       since, SCAN_STEP, &error);

      if (rows == NULL)
        {
          deca_request_respond_error (request, error, NULL);
          return;
        }
      for (guint i = 0; i < rows->len && !more; i++)
        {
          DecaTopicEventRecord *record = g_ptr_array_index (rows, i);
          g_autoptr(JsonNode) payload = NULL;
          g_autoptr(DecaTopicEvent) event = NULL;
          g_autoptr(GError) parse_error = NULL;

          before_id = record->id;
          if (pattern != NULL && !deca_topic_pattern_matches (pattern, record->topic))
            continue;
          if (json_array_get_length (items) == limit)
            {
              more = TRUE;
              break;
            }
          if (!(payload = deca_json_parse (record->payload, -1, &parse_error)) ||
              !(event = deca_topic_event_new_from_json (payload, &parse_error)))
            {
              /* Not written by the dispatcher: say so in the log, list the rest. */
              deca_request_log (request, DECA_LOG_WARNING, "stored event %" G_GINT64_FORMAT " is unreadable: %s",
                                record->id, parse_error->message);
              continue;
            }
          json_array_add_element (items, event_to_json (event, NULL));
          last_id = record->id;
        }
      if (rows->len < SCAN_STEP)
        break;
    }
  if (more)
    next_cursor = g_strdup_printf ("%" G_GINT64_FORMAT, last_id);
  deca_request_respond_items (request, items, TRUE, next_cursor);
}

static void
replay_cb (DecaRequest *request,
           gpointer     user_data)
{
  DecaServerTriggers *triggers = user_data;
  const DecaPrincipal *principal;
  g_autoptr(DecaTopicEvent) event = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) started = NULL;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  event = deca_server_triggers_replay (triggers, principal->workspace_id, deca_request_get_param (request, "id"),
                                       &started, &error);
  if (event == NULL)
    {
      if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
        _deca_api_respond_not_found (request, "event");
      else
        deca_request_respond_error (request, error, NULL);
      return;
    }
  audit (request, "event.replay", event, started->len);
  answer = event_to_json (event, started);
  deca_request_respond_json (request, 202, answer);
}

gboolean
deca_api_events_register (DecaServer          *server,
                          DecaServerTriggers  *triggers,
                          GError             **error)
{
  static const struct {
    const char *method;
    const char *pattern;
    DecaRouteHandler handler;
    DecaPermission permission;
  } routes[] = {
    { "POST", "/api/v1/events", publish_cb, DECA_PERMISSION_PUBLISH_EVENTS },
    { "GET", "/api/v1/events", list_cb, DECA_PERMISSION_READ_EVENTS },
    /* Replaying starts executions as publishing does. */
    { "POST", "/api/v1/events/{id}/replay", replay_cb, DECA_PERMISSION_PUBLISH_EVENTS },
  };

  g_return_val_if_fail (DECA_IS_SERVER (server), FALSE);
  g_return_val_if_fail (DECA_IS_SERVER_TRIGGERS (triggers), FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      DecaRoute *route = deca_server_add_route (server, routes[i].method, routes[i].pattern, DECA_ROUTE_NONE,
                                                routes[i].handler, g_object_ref (triggers), g_object_unref,
                                                error);

      if (route == NULL)
        {
          /* The router keeps nothing of a route it refuses. */
          g_object_unref (triggers);
          return FALSE;
        }
      deca_route_set_required_permissions (route, routes[i].permission);
    }
  return TRUE;
}
