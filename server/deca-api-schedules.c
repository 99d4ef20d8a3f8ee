/* deca-api-schedules.c: the schedules routes (see the header). */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <deca-cron.h>
#include <deca-engine-error.h>
#include <deca-store-server.h>

#include "deca-api-common.h"
#include "deca-api-schedules.h"
#include "deca-base64url.h"
#include "deca-rbac.h"

/* --- answers ------------------------------------------------------------------------------ */

/* @fire_unix in @zone in the API's form with its offset: "2027-03-28T03:00:00.000+02:00",
 * "…Z" when the offset is 0. Cron fires at whole seconds, so the milliseconds are 0. */
static char *
format_local_time (gint64     fire_unix,
                   GTimeZone *zone)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (fire_unix);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL || (local = g_date_time_to_timezone (utc, zone)) == NULL)
    return NULL;
  return g_date_time_format (local, g_date_time_get_utc_offset (local) == 0 ? "%Y-%m-%dT%H:%M:%S.000Z"
                                                                            : "%Y-%m-%dT%H:%M:%S.000%:z");
}

static JsonNode *
schedule_to_json (const DecaServerSchedule *schedule)
{
  g_autoptr(JsonObject) object = json_object_new ();
  DecaScheduleTrigger *trigger = schedule->trigger;
  gboolean fires = schedule->next_fire != DECA_SCHEDULE_NEVER;
  g_autofree char *description = deca_cron_describe (deca_schedule_trigger_get_cron (trigger), NULL);
  g_autofree char *local = fires ? format_local_time (schedule->next_fire,
                                                      deca_schedule_trigger_get_time_zone (trigger))
                                 : NULL;
  JsonNode *node;

  json_object_set_string_member (object, "flow_id", schedule->flow_id);
  _deca_api_set_nullable_string_member (object, "flow_name", schedule->flow_name);
  json_object_set_string_member (object, "trigger", deca_schedule_trigger_get_key (trigger));
  json_object_set_string_member (object, "cron", deca_schedule_trigger_get_cron (trigger));
  json_object_set_string_member (object, "timezone", deca_schedule_trigger_get_timezone (trigger));
  /* The trigger parsed, so its cron has a description. */
  _deca_api_set_nullable_string_member (object, "description", description);
  json_object_set_string_member (object, "missed",
                                 deca_missed_policy_to_string (deca_schedule_trigger_get_missed (trigger)));
  json_object_set_int_member (object, "catch_up_limit", deca_schedule_trigger_get_catch_up_limit (trigger));
  _deca_api_set_time_member (object, "next_fire_at", fires ? schedule->next_fire * G_USEC_PER_SEC : 0);
  _deca_api_set_nullable_string_member (object, "next_fire_local", local);
  _deca_api_set_time_member (object, "last_fire_at", schedule->last_fire * G_USEC_PER_SEC);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

/* --- paging ---------------------------------------------------------------------------------- */

/* The cursor after @schedule: its flow id and trigger key, NUL between, in base64url, so
 * that the next page starts after it even when schedules came or went meanwhile. */
static char *
cursor_after (const DecaServerSchedule *schedule)
{
  const char *key = deca_schedule_trigger_get_key (schedule->trigger);
  gsize flow_len = strlen (schedule->flow_id), key_len = strlen (key);
  g_autofree guint8 *data = g_malloc (flow_len + 1 + key_len);

  memcpy (data, schedule->flow_id, flow_len);
  data[flow_len] = '\0';
  memcpy (data + flow_len + 1, key, key_len);
  return deca_base64url_encode (data, flow_len + 1 + key_len);
}

/* Reads ?cursor= into *@flow_id and *@key (both NULL when absent): FALSE after answering
 * 400 when it is not a cursor this route gave. */
static gboolean
read_cursor (DecaRequest  *request,
             char        **flow_id,
             char        **key)
{
  const char *text = deca_request_get_query (request, "cursor");
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  const guint8 *nul;

  *flow_id = *key = NULL;
  if (text == NULL)
    return TRUE;
  data = deca_base64url_decode (text, -1, &len);
  nul = data != NULL ? memchr (data, '\0', len) : NULL;
  if (nul == NULL || nul == data || nul + 1 == data + len ||
      memchr (nul + 1, '\0', data + len - (nul + 1)) != NULL ||
      !g_utf8_validate ((const char *) data, nul - data, NULL) || !g_utf8_validate ((const char *) nul + 1, -1, NULL))
    {
      deca_request_respond_bad_input (request, "parameter", "cursor",
                                      _("cursor must be the next_cursor of a previous page"));
      return FALSE;
    }
  *flow_id = g_strdup ((const char *) data);
  *key = g_strdup ((const char *) nul + 1);
  return TRUE;
}

/* Whether @schedule sorts after the cursor's flow id and key. */
static gboolean
after_cursor (const DecaServerSchedule *schedule,
              const char               *flow_id,
              const char               *key)
{
  int order = strcmp (schedule->flow_id, flow_id);

  return order > 0 || (order == 0 && strcmp (deca_schedule_trigger_get_key (schedule->trigger), key) > 0);
}

/* Answers a page of the schedules of the caller's workspace (of @flow_id only when not
 * NULL). */
static void
respond_schedules (DecaRequest         *request,
                   DecaServerTriggers  *triggers,
                   const DecaPrincipal *principal,
                   const char          *flow_id)
{
  g_autoptr(GPtrArray) schedules = NULL;
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor_flow = NULL;
  g_autofree char *cursor_key = NULL;
  g_autofree char *next_cursor = NULL;
  const DecaServerSchedule *last = NULL;
  guint limit;

  if (!_deca_api_read_limit (request, &limit) || !read_cursor (request, &cursor_flow, &cursor_key))
    return;
  schedules = deca_server_triggers_list_schedules (triggers, principal->workspace_id, flow_id, &error);
  if (schedules == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  for (guint i = 0; i < schedules->len; i++)
    {
      const DecaServerSchedule *schedule = g_ptr_array_index (schedules, i);

      if (cursor_flow != NULL && !after_cursor (schedule, cursor_flow, cursor_key))
        continue;
      if (json_array_get_length (items) == limit)
        {
          next_cursor = cursor_after (last);
          break;
        }
      json_array_add_element (items, schedule_to_json (schedule));
      last = schedule;
    }
  deca_request_respond_items (request, items, TRUE, next_cursor);
}

/* --- routes --------------------------------------------------------------------------------- */

static void
list_cb (DecaRequest *request,
         gpointer     user_data)
{
  const DecaPrincipal *principal;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  respond_schedules (request, user_data, principal, NULL);
}

static void
list_flow_cb (DecaRequest *request,
              gpointer     user_data)
{
  DecaServerTriggers *triggers = user_data;
  DecaStore *store = deca_server_get_store (deca_server_triggers_get_server (triggers));
  const char *flow_id = deca_request_get_param (request, "id");
  g_autoptr(DecaFlowSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  const DecaPrincipal *principal;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  /* A flow of another workspace is not found, as everywhere. */
  summary = deca_store_get_workspace_flow (store, principal->workspace_id, flow_id, &error);
  if (summary == NULL)
    {
      _deca_api_respond_store_error (request, error, "flow");
      return;
    }
  respond_schedules (request, triggers, principal, flow_id);
}

gboolean
deca_api_schedules_register (DecaServer          *server,
                             DecaServerTriggers  *triggers,
                             GError             **error)
{
  static const struct {
    const char *pattern;
    DecaRouteHandler handler;
  } routes[] = {
    { "/api/v1/schedules", list_cb },
    { "/api/v1/flows/{id}/schedules", list_flow_cb },
  };

  g_return_val_if_fail (DECA_IS_SERVER (server), FALSE);
  g_return_val_if_fail (DECA_IS_SERVER_TRIGGERS (triggers), FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      DecaRoute *route = deca_server_add_route (server, "GET", routes[i].pattern, DECA_ROUTE_NONE,
                                                routes[i].handler, g_object_ref (triggers), g_object_unref,
                                                error);

      if (route == NULL)
        {
          /* The router keeps nothing of a route it refuses. */
          g_object_unref (triggers);
          return FALSE;
        }
      /* A schedule is part of a flow's document: who may read flows may see them. */
      deca_route_set_required_permissions (route, DECA_PERMISSION_READ_FLOWS);
    }
  return TRUE;
}
