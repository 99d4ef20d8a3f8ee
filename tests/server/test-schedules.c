/* test-schedules.c: GET /api/v1/schedules and GET /api/v1/flows/{id}/schedules
 * (server/deca-api-schedules.c) on in-process servers with a manual clock: each active
 * schedule with its description, policy, next and last fire; the next fire moves on after
 * a fire; Europe/Berlin's offsets on both sides of the spring change; a deactivated flow's
 * schedules gone; another workspace's never listed (and its flow 404); paging and bad
 * parameters; the description in German when the server's language is German. */

#include "config.h"

#include <locale.h>
#include <glib/gi18n-lib.h>

#include "triggers-fixture.h"

/* 2027-06-01T10:00:30Z and 2027-03-27T12:00:00Z in unix seconds. */
#define JUNE_1_10_00_30     G_GINT64_CONSTANT (1811844030)
#define MARCH_27_12_00      G_GINT64_CONSTANT (1806148800)

#define OWNER   "ws-a:owner"
#define VIEWER  "ws-a:viewer"
#define OTHER   "ws-b:owner"

static void
setup_june (Fixture       *fixture,
            gconstpointer  data)
{
  fixture_init (fixture, JUNE_1_10_00_30 * G_USEC_PER_SEC);
}

static void
setup_march (Fixture       *fixture,
             gconstpointer  data)
{
  fixture_init (fixture, MARCH_27_12_00 * G_USEC_PER_SEC);
}

/* The server's language German, before its thread starts: gettext reads LANGUAGE with
 * C.UTF-8 (no German locale need be installed), from the catalogue built in po/. */
static void
setup_german (Fixture       *fixture,
              gconstpointer  data)
{
  const char *locale_dir = g_getenv ("DECA_LOCALE_DIR");

  g_assert_nonnull (locale_dir);
  g_assert_cmpstr (bindtextdomain (GETTEXT_PACKAGE, locale_dir), ==, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_setenv ("LANGUAGE", "de", TRUE);
  /* gettext caches lookups; a change of the message locale makes it read LANGUAGE again. */
  g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
  setup_june (fixture, data);
}

static void
teardown_german (Fixture       *fixture,
                 gconstpointer  data)
{
  fixture_teardown (fixture, data);
  g_unsetenv ("LANGUAGE");
  g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
}

/* A flow @id named @name, run by the schedule @trigger (members after "type"). */
static char *
schedule_flow (const char *id,
               const char *name,
               const char *trigger)
{
  return g_strdup_printf ("{\"id\": \"%s\", \"name\": \"%s\","
                          " \"triggers\": [{\"type\": \"schedule\", %s}],"
                          " \"nodes\": [{\"id\": \"seen\", \"type\": \"transform\","
                          "   \"config\": {\"set\": {\"at\": \"{{input.fire_time}}\"}}}]}",
                          id, name, trigger);
}

static void
advance_cb (Fixture  *fixture,
            gpointer  data)
{
  deca_manual_clock_advance (fixture->clock, *(gint64 *) data * G_USEC_PER_SEC);
}

static void
advance (Fixture *fixture,
         gint64   seconds)
{
  on_server (fixture, advance_cb, &seconds);
}

/* GET @path as @who, 200; returns (transfer full) the answer, checking the list shape:
 * "items" and "next_cursor" (a string or null). */
static JsonNode *
get_list (Fixture    *fixture,
          const char *who,
          const char *path)
{
  JsonNode *body = NULL;
  JsonObject *object;

  g_assert_cmpuint (CALL (fixture, who, "GET", path, NULL, &body), ==, 200);
  object = object_of (body);
  g_assert_true (json_object_has_member (object, "items"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "items")));
  g_assert_true (json_object_has_member (object, "next_cursor"));
  return body;
}

static JsonArray *
items_of (JsonNode *list)
{
  return json_object_get_array_member (object_of (list), "items");
}

/* The item of @flow_id in @items, NULL when it is not there. */
static JsonObject *
find_item (JsonArray  *items,
           const char *flow_id)
{
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (g_str_equal (json_object_get_string_member (item, "flow_id"), flow_id))
        return item;
    }
  return NULL;
}

/* Member @name of @item as a string, NULL for null. */
static const char *
string_or_null (JsonObject *item,
                const char *name)
{
  JsonNode *node = json_object_get_member (item, name);

  g_assert_nonnull (node);
  return JSON_NODE_HOLDS_NULL (node) ? NULL : json_node_get_string (node);
}

static void
test_list (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *tick = schedule_flow ("tick", "Ticker", "\"cron\": \"0 */10 * * * *\"");
  g_autofree char *nightly = schedule_flow ("nightly", "Nightly report",
                                            "\"cron\": \"0 30 2 * * *\", \"timezone\": \"Europe/Berlin\","
                                            " \"missed\": \"run_all\", \"catch_up_limit\": 3");
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonArray) executions = NULL;
  JsonArray *items;
  JsonObject *item;

  create_active_flow (fixture, OWNER, tick);
  create_active_flow (fixture, OWNER, nightly);

  list = get_list (fixture, OWNER, "/api/v1/schedules");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (object_of (list), "next_cursor")));
  items = items_of (list);
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  /* Sorted by flow id. */
  item = json_array_get_object_element (items, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "flow_id"), ==, "nightly");
  g_assert_cmpstr (json_object_get_string_member (item, "flow_name"), ==, "Nightly report");
  g_assert_cmpstr (json_object_get_string_member (item, "trigger"), ==, "schedule:Europe/Berlin:0 30 2 * * *");
  g_assert_cmpstr (json_object_get_string_member (item, "cron"), ==, "0 30 2 * * *");
  g_assert_cmpstr (json_object_get_string_member (item, "timezone"), ==, "Europe/Berlin");
  g_assert_cmpstr (json_object_get_string_member (item, "description"), ==, "At 02:30");
  g_assert_cmpstr (json_object_get_string_member (item, "missed"), ==, "run_all");
  g_assert_cmpint (json_object_get_int_member (item, "catch_up_limit"), ==, 3);
  /* June: 02:30 CEST is 00:30 UTC of the next day. */
  g_assert_cmpstr (string_or_null (item, "next_fire_at"), ==, "2027-06-02T00:30:00.000Z");
  g_assert_cmpstr (string_or_null (item, "next_fire_local"), ==, "2027-06-02T02:30:00.000+02:00");
  g_assert_null (string_or_null (item, "last_fire_at"));

  item = json_array_get_object_element (items, 1);
  g_assert_cmpstr (json_object_get_string_member (item, "flow_id"), ==, "tick");
  g_assert_cmpstr (json_object_get_string_member (item, "trigger"), ==, "schedule:UTC:0 */10 * * * *");
  g_assert_cmpstr (json_object_get_string_member (item, "timezone"), ==, "UTC");
  g_assert_cmpstr (json_object_get_string_member (item, "description"), ==, "Every 10 minutes");
  g_assert_cmpstr (json_object_get_string_member (item, "missed"), ==, "run_once");
  g_assert_cmpint (json_object_get_int_member (item, "catch_up_limit"), ==, DECA_SCHEDULE_DEFAULT_CATCH_UP_LIMIT);
  g_assert_cmpstr (string_or_null (item, "next_fire_at"), ==, "2027-06-01T10:10:00.000Z");
  g_assert_cmpstr (string_or_null (item, "next_fire_local"), ==, "2027-06-01T10:10:00.000Z");
  g_assert_null (string_or_null (item, "last_fire_at"));

  /* After the fire of 10:10 the next is 10:20, and the last 10:10. */
  advance (fixture, 10 * 60);
  executions = wait_for_executions (fixture, OWNER, "tick", 1);
  g_clear_pointer (&list, json_node_unref);
  list = get_list (fixture, VIEWER, "/api/v1/flows/tick/schedules");
  items = items_of (list);
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  item = json_array_get_object_element (items, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "flow_name"), ==, "Ticker");
  g_assert_cmpstr (string_or_null (item, "next_fire_at"), ==, "2027-06-01T10:20:00.000Z");
  g_assert_cmpstr (string_or_null (item, "last_fire_at"), ==, "2027-06-01T10:10:00.000Z");

  /* Deactivated, its schedule is gone from both lists; the flow is still there. */
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/flows/tick/deactivate", NULL, &body), ==, 200);
  g_clear_pointer (&list, json_node_unref);
  list = get_list (fixture, OWNER, "/api/v1/schedules");
  items = items_of (list);
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_null (find_item (items, "tick"));
  g_assert_nonnull (find_item (items, "nightly"));
  g_clear_pointer (&list, json_node_unref);
  list = get_list (fixture, OWNER, "/api/v1/flows/tick/schedules");
  g_assert_cmpuint (json_array_get_length (items_of (list)), ==, 0);

  /* Without a key. */
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, NULL, "GET", "/api/v1/schedules", NULL, &body), ==, 401);
}

static void
test_workspaces (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *ours = schedule_flow ("ours", "Ours", "\"cron\": \"0 */10 * * * *\"");
  g_autofree char *theirs = schedule_flow ("theirs", "Theirs", "\"cron\": \"0 */5 * * * *\"");
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonArray *items;

  create_active_flow (fixture, OWNER, ours);
  create_active_flow (fixture, OTHER, theirs);

  list = get_list (fixture, OWNER, "/api/v1/schedules");
  items = items_of (list);
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_nonnull (find_item (items, "ours"));
  g_clear_pointer (&list, json_node_unref);
  list = get_list (fixture, OTHER, "/api/v1/schedules");
  items = items_of (list);
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_nonnull (find_item (items, "theirs"));

  /* Another workspace's flow is not found, like one that does not exist. */
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/flows/theirs/schedules", NULL, &body), ==, 404);
  assert_error (body, "not_found");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OTHER, "GET", "/api/v1/flows/ours/schedules", NULL, &body), ==, 404);
  assert_error (body, "not_found");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/flows/missing/schedules", NULL, &body), ==, 404);
  assert_error (body, "not_found");
}

static void
test_dst_offsets (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *nightly = schedule_flow ("nightly", "Nightly", "\"cron\": \"0 30 2 * * *\","
                                            " \"timezone\": \"Europe/Berlin\"");
  g_autofree char *evening = schedule_flow ("evening", "Evening", "\"cron\": \"0 0 18 * * *\","
                                            " \"timezone\": \"Europe/Berlin\"");
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonArray) executions = NULL;
  JsonObject *item;

  /* 2027-03-27 13:00 CET. Berlin moves to CEST in the night to the 28th, at 02:00, so
   * 02:30 does not exist that night: the schedule fires right after the jump. */
  create_active_flow (fixture, OWNER, nightly);
  create_active_flow (fixture, OWNER, evening);
  list = get_list (fixture, OWNER, "/api/v1/schedules");
  item = find_item (items_of (list), "evening");
  g_assert_cmpstr (string_or_null (item, "next_fire_at"), ==, "2027-03-27T17:00:00.000Z");
  g_assert_cmpstr (string_or_null (item, "next_fire_local"), ==, "2027-03-27T18:00:00.000+01:00");
  item = find_item (items_of (list), "nightly");
  g_assert_cmpstr (string_or_null (item, "next_fire_at"), ==, "2027-03-28T01:00:00.000Z");
  g_assert_cmpstr (string_or_null (item, "next_fire_local"), ==, "2027-03-28T03:00:00.000+02:00");

  /* To 03-28 12:00Z: both fired once; the next are in summer time. */
  advance (fixture, 24 * 3600);
  executions = wait_for_executions (fixture, OWNER, "nightly", 1);
  g_clear_pointer (&executions, json_array_unref);
  executions = wait_for_executions (fixture, OWNER, "evening", 1);
  g_clear_pointer (&list, json_node_unref);
  list = get_list (fixture, OWNER, "/api/v1/schedules");
  item = find_item (items_of (list), "nightly");
  g_assert_cmpstr (string_or_null (item, "last_fire_at"), ==, "2027-03-28T01:00:00.000Z");
  g_assert_cmpstr (string_or_null (item, "next_fire_at"), ==, "2027-03-29T00:30:00.000Z");
  g_assert_cmpstr (string_or_null (item, "next_fire_local"), ==, "2027-03-29T02:30:00.000+02:00");
  item = find_item (items_of (list), "evening");
  g_assert_cmpstr (string_or_null (item, "last_fire_at"), ==, "2027-03-27T17:00:00.000Z");
  g_assert_cmpstr (string_or_null (item, "next_fire_at"), ==, "2027-03-28T16:00:00.000Z");
  g_assert_cmpstr (string_or_null (item, "next_fire_local"), ==, "2027-03-28T18:00:00.000+02:00");
}

static void
test_paging (Fixture       *fixture,
             gconstpointer  data)
{
  /* One flow with two schedules, and another: three in all. */
  const char *two = "{\"id\": \"b\", \"name\": \"B\", \"triggers\": ["
                    "{\"type\": \"schedule\", \"cron\": \"0 0 * * * *\"},"
                    "{\"type\": \"schedule\", \"cron\": \"0 0 12 * * *\", \"timezone\": \"Asia/Tokyo\"}],"
                    " \"nodes\": [{\"id\": \"n\", \"type\": \"transform\", \"config\": {\"set\": {}}}]}";
  g_autofree char *one = schedule_flow ("a", "A", "\"cron\": \"0 */5 * * * *\"");
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;
  JsonObject *details;
  JsonArray *items;
  const char *cursor;

  create_active_flow (fixture, OWNER, one);
  create_active_flow (fixture, OWNER, two);

  first = get_list (fixture, OWNER, "/api/v1/schedules?limit=2");
  items = items_of (first);
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "flow_id"), ==, "a");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "trigger"), ==,
                   "schedule:Asia/Tokyo:0 0 12 * * *");
  cursor = string_or_null (object_of (first), "next_cursor");
  g_assert_nonnull (cursor);
  path = g_strdup_printf ("/api/v1/schedules?limit=2&cursor=%s", cursor);
  second = get_list (fixture, OWNER, path);
  items = items_of (second);
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "trigger"), ==,
                   "schedule:UTC:0 0 * * * *");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (object_of (second), "next_cursor")));

  /* Bad parameters name themselves. */
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/schedules?cursor=not*base64", NULL, &body), ==, 400);
  details = assert_error (body, "bad_request");
  g_assert_cmpstr (json_object_get_string_member (details, "parameter"), ==, "cursor");
  g_clear_pointer (&body, json_node_unref);
  /* Base64url of "a" alone: no key after the flow id. */
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/schedules?cursor=YQ", NULL, &body), ==, 400);
  details = assert_error (body, "bad_request");
  g_assert_cmpstr (json_object_get_string_member (details, "parameter"), ==, "cursor");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/flows/b/schedules?limit=0", NULL, &body), ==, 400);
  details = assert_error (body, "bad_request");
  g_assert_cmpstr (json_object_get_string_member (details, "parameter"), ==, "limit");
}

static void
test_german (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *tick = schedule_flow ("tick", "Ticker", "\"cron\": \"0 */10 * * * *\"");
  g_autofree char *nightly = schedule_flow ("nightly", "Nightly", "\"cron\": \"0 30 2 * * *\"");
  g_autoptr(JsonNode) list = NULL;

  create_active_flow (fixture, OWNER, tick);
  create_active_flow (fixture, OWNER, nightly);
  list = get_list (fixture, OWNER, "/api/v1/schedules");
  g_assert_cmpstr (json_object_get_string_member (find_item (items_of (list), "tick"), "description"), ==,
                   "Alle 10 Minuten");
  g_assert_cmpstr (json_object_get_string_member (find_item (items_of (list), "nightly"), "description"), ==,
                   "Um 02:30");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/schedules/list", Fixture, NULL, setup_june, test_list, fixture_teardown);
  g_test_add ("/server/schedules/workspaces", Fixture, NULL, setup_june, test_workspaces, fixture_teardown);
  g_test_add ("/server/schedules/dst-offsets", Fixture, NULL, setup_march, test_dst_offsets, fixture_teardown);
  g_test_add ("/server/schedules/paging", Fixture, NULL, setup_june, test_paging, fixture_teardown);
  g_test_add ("/server/schedules/german", Fixture, NULL, setup_german, test_german, teardown_german);
  return g_test_run ();
}
