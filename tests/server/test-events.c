/* test-events.c: the events of `deca serve` (server/deca-api-events.c,
 * server/deca-server-triggers.c) through the HTTP API, in-process: publishing fans out to
 * every active flow of the workspace with a matching pattern (crm.contact.*, >) and to no
 * other (a pattern that does not match, another workspace, a deactivated flow), with the
 * event as the executions' input; the stored events listed newest first with filters and
 * paging; replay; bad topics and data answered 400 with the pointer; the permissions of
 * each route; a flow whose publish_event node starts the flows subscribed to its topic. */

#include "config.h"

#include "triggers-fixture.h"

#define OWNER "ws-a:owner"
#define OWNER_B "ws-b:owner"
#define VIEWER "ws-a:viewer"
#define EXECUTOR "ws-a:executor"

/* 2026-12-01T16:00:00Z */
#define START_US (G_GINT64_CONSTANT (1796140800) * G_USEC_PER_SEC)

static void
setup (Fixture       *fixture,
       gconstpointer  data)
{
  fixture_init (fixture, START_US);
}

static char *
event_flow (const char *id,
            const char *pattern)
{
  return g_strdup_printf ("{\"id\": \"%s\", \"name\": \"%s\","
                          " \"triggers\": [{\"type\": \"event\", \"event\": \"%s\"}],"
                          " \"nodes\": [{\"id\": \"seen\", \"type\": \"transform\","
                          "   \"config\": {\"set\": {\"topic\": \"{{input.topic}}\"}}}]}",
                          id, id, pattern);
}

static const char *announcer_flow =
  "{\"id\": \"announcer\", \"name\": \"Announcer\", \"nodes\": ["
  " {\"id\": \"tell\", \"type\": \"publish_event\","
  "  \"config\": {\"topic\": \"crm.contact.{{input.what}}\", \"data\": {\"email\": \"{{input.email}}\"}}}]}";

/* Creates the subscribers: in ws-a "contacts" (crm.contact.*), "everything" (>) and
 * "deals" (crm.deal.*); in ws-b "other" (>). */
static void
create_subscribers (Fixture *fixture)
{
  g_autofree char *contacts = event_flow ("contacts", "crm.contact.*");
  g_autofree char *everything = event_flow ("everything", ">");
  g_autofree char *deals = event_flow ("deals", "crm.deal.*");
  g_autofree char *other = event_flow ("other", ">");

  create_active_flow (fixture, OWNER, contacts);
  create_active_flow (fixture, OWNER, everything);
  create_active_flow (fixture, OWNER, deals);
  create_active_flow (fixture, OWNER_B, other);
}

/* POST /api/v1/events as @who; expects 202; returns (transfer full) the answer. */
static JsonNode *
publish (Fixture    *fixture,
         const char *who,
         const char *body)
{
  JsonNode *answer = NULL;

  g_assert_cmpuint (CALL (fixture, who, "POST", "/api/v1/events", body, &answer), ==, 202);
  return answer;
}

typedef struct {
  const char *flow_id;
  guint n_execute;
} Audit;

static void
audit_cb (Fixture  *fixture,
          gpointer  data)
{
  Audit *audit = data;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;

  lines = deca_store_list_audit (deca_server_get_store (fixture->instances[0].server), "ws-a", 0, 0, &error);
  g_assert_no_error (error);
  audit->n_execute = 0;
  for (guint i = 0; i < lines->len; i++)
    {
      DecaAuditRecord *line = g_ptr_array_index (lines, i);

      if (g_str_equal (line->action, "event.execute") && g_str_equal (line->target, audit->flow_id))
        {
          g_assert_cmpstr (line->actor, ==, "event");
          g_assert_cmpstr (line->result, ==, "ok");
          audit->n_execute++;
        }
    }
}

typedef struct {
  const char *family;
  const char *const *labels;
  double value;
} Metric;

static void
metric_cb (Fixture  *fixture,
           gpointer  data)
{
  Metric *metric = data;
  DecaMetrics *metrics = deca_server_get_metrics (fixture->instances[0].server);

  metric->value = deca_metrics_family_get (deca_metrics_lookup (metrics, metric->family), metric->labels);
}

/* The value of series @labels of @family on the first instance. */
static double
metric (Fixture            *fixture,
        const char         *family,
        const char * const *labels)
{
  Metric result = { family, labels, 0 };

  on_server (fixture, metric_cb, &result);
  return result.value;
}

static guint
n_audited_starts (Fixture    *fixture,
                  const char *flow_id)
{
  Audit audit = { flow_id, 0 };

  on_server (fixture, audit_cb, &audit);
  return audit.n_execute;
}

/* Whether the publish or replay answer @event names execution @id among the
 * execution_ids it started, which are as many as its deliveries. */
static gboolean
has_execution_id (JsonObject *event,
                  const char *id)
{
  JsonArray *ids = json_object_get_array_member (event, "execution_ids");

  g_assert_nonnull (ids);
  g_assert_cmpint (json_array_get_length (ids), ==, json_object_get_int_member (event, "deliveries"));
  for (guint i = 0; i < json_array_get_length (ids); i++)
    if (g_str_equal (json_array_get_string_element (ids, i), id))
      return TRUE;
  return FALSE;
}

static void
test_fan_out (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonArray) contacts = NULL;
  g_autoptr(JsonArray) everything = NULL;
  g_autoptr(JsonArray) none = NULL;
  g_autoptr(JsonNode) deactivated = NULL;
  g_autoptr(JsonNode) later = NULL;
  JsonObject *event;
  JsonObject *input;
  const char *id;

  create_subscribers (fixture);
  answer = publish (fixture, OWNER, "{\"topic\": \"crm.contact.created\", \"data\": {\"email\": \"ada@example.com\"}}");
  event = object_of (answer);
  id = json_object_get_string_member (event, "id");
  g_assert_true (g_uuid_string_is_valid (id));
  g_assert_cmpstr (json_object_get_string_member (event, "topic"), ==, "crm.contact.created");
  g_assert_cmpstr (json_object_get_string_member (event, "source"), ==, "api");
  g_assert_cmpstr (json_object_get_string_member (event, "published_at"), ==, "2026-12-01T16:00:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (event, "data"), "email"), ==,
                   "ada@example.com");
  g_assert_cmpint (json_object_get_int_member (event, "deliveries"), ==, 2);

  /* The two matching flows ran with the event as input ... */
  contacts = wait_for_executions (fixture, OWNER, "contacts", 1);
  everything = wait_for_executions (fixture, OWNER, "everything", 1);
  input = json_object_get_object_member (json_array_get_object_element (contacts, 0), "input");
  g_assert_cmpstr (json_object_get_string_member (input, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (input, "topic"), ==, "crm.contact.created");
  g_assert_cmpstr (json_object_get_string_member (input, "source"), ==, "api");
  g_assert_cmpstr (json_object_get_string_member (input, "time"), ==, "2026-12-01T16:00:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (input, "data"), "email"), ==,
                   "ada@example.com");
  input = json_object_get_object_member (json_array_get_object_element (everything, 0), "input");
  g_assert_cmpstr (json_object_get_string_member (input, "id"), ==, id);
  /* ... which the answer named ... */
  g_assert_true (has_execution_id (event, json_object_get_string_member (json_array_get_object_element (contacts, 0),
                                                                         "id")));
  g_assert_true (has_execution_id (event, json_object_get_string_member (json_array_get_object_element (everything, 0),
                                                                         "id")));
  /* ... and record the event that started them. */
  {
    JsonObject *trigger = json_object_get_object_member (json_array_get_object_element (contacts, 0), "trigger");

    g_assert_cmpstr (json_object_get_string_member (trigger, "type"), ==, "event");
    g_assert_cmpstr (json_object_get_string_member (trigger, "event_id"), ==, id);
    g_assert_cmpstr (json_object_get_string_member (trigger, "topic"), ==, "crm.contact.created");
  }
  g_assert_cmpuint (n_audited_starts (fixture, "contacts"), ==, 1);
  g_assert_cmpuint (n_audited_starts (fixture, "everything"), ==, 1);
  {
    static const char * const api[] = { "api", NULL };
    static const char * const started[] = { "event", "ok", NULL };

    g_assert_cmpfloat (metric (fixture, "deca_events_published_total", api), ==, 1);
    g_assert_cmpfloat (metric (fixture, "deca_trigger_starts_total", started), ==, 2);
  }

  /* ... and neither the one whose pattern does not match nor another workspace's. */
  none = list_executions (fixture, OWNER, "deals");
  g_assert_cmpuint (json_array_get_length (none), ==, 0);
  g_clear_pointer (&none, json_array_unref);
  none = list_executions (fixture, OWNER_B, "other");
  g_assert_cmpuint (json_array_get_length (none), ==, 0);

  /* ws-b's event reaches ws-b's flow only. */
  g_clear_pointer (&answer, json_node_unref);
  answer = publish (fixture, OWNER_B, "{\"topic\": \"crm.contact.created\"}");
  g_assert_cmpint (json_object_get_int_member (object_of (answer), "deliveries"), ==, 1);
  g_clear_pointer (&none, json_array_unref);
  none = wait_for_executions (fixture, OWNER_B, "other", 1);
  g_clear_pointer (&none, json_array_unref);
  none = list_executions (fixture, OWNER, "everything");
  g_assert_cmpuint (json_array_get_length (none), ==, 1);

  /* A deactivated flow gets nothing. */
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/flows/contacts/deactivate", NULL, &deactivated), ==, 200);
  later = publish (fixture, OWNER, "{\"topic\": \"crm.contact.deleted\"}");
  g_assert_cmpint (json_object_get_int_member (object_of (later), "deliveries"), ==, 1);
  g_clear_pointer (&everything, json_array_unref);
  everything = wait_for_executions (fixture, OWNER, "everything", 2);
  g_clear_pointer (&contacts, json_array_unref);
  contacts = list_executions (fixture, OWNER, "contacts");
  g_assert_cmpuint (json_array_get_length (contacts), ==, 1);
}

/* GET @path as @who (200); returns (transfer none) the items, *@next the next cursor. */
static JsonArray *
list_events (Fixture    *fixture,
             const char *who,
             const char *path,
             JsonNode  **body,
             const char **next)
{
  JsonObject *object;

  g_clear_pointer (body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, who, "GET", path, NULL, body), ==, 200);
  object = object_of (*body);
  if (next != NULL)
    *next = json_object_get_null_member (object, "next_cursor") ? NULL
          : json_object_get_string_member (object, "next_cursor");
  return json_object_get_array_member (object, "items");
}

static void
test_list_and_replay (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char *topics[] = { "crm.contact.created", "crm.deal.won", "crm.contact.updated" };
  g_auto(GStrv) ids = g_new0 (char *, G_N_ELEMENTS (topics) + 1);
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) replayed = NULL;
  g_autoptr(JsonNode) refused = NULL;
  g_autoptr(JsonArray) contacts = NULL;
  g_autofree char *path = NULL;
  g_autofree char *page2 = NULL;
  JsonArray *items;
  const char *next = NULL;

  create_subscribers (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (topics); i++)
    {
      g_autofree char *request = g_strdup_printf ("{\"topic\": \"%s\", \"data\": {\"n\": %u}}", topics[i], i);
      g_autoptr(JsonNode) answer = publish (fixture, OWNER, request);

      ids[i] = g_strdup (json_object_get_string_member (object_of (answer), "id"));
    }

  /* Newest first, in pages. */
  items = list_events (fixture, OWNER, "/api/v1/events?limit=2", &body, &next);
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "id"), ==, ids[2]);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "id"), ==, ids[1]);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_array_get_object_element (items, 1), "data"), "n"), ==, 1);
  g_assert_false (json_object_has_member (json_array_get_object_element (items, 0), "deliveries"));
  g_assert_nonnull (next);
  page2 = g_strdup_printf ("/api/v1/events?limit=2&cursor=%s", next);
  items = list_events (fixture, OWNER, page2, &body, &next);
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "id"), ==, ids[0]);
  g_assert_null (next);

  /* Filters: a pattern, a time. */
  items = list_events (fixture, OWNER, "/api/v1/events?topic=crm.contact.*", &body, &next);
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "id"), ==, ids[2]);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "id"), ==, ids[0]);
  items = list_events (fixture, OWNER, "/api/v1/events?topic=crm.contact.*&limit=1", &body, &next);
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_nonnull (next);
  items = list_events (fixture, OWNER, "/api/v1/events?since=2026-12-01T16:00:01Z", &body, &next);
  g_assert_cmpuint (json_array_get_length (items), ==, 0);
  items = list_events (fixture, OWNER, "/api/v1/events?since=2026-12-01T16:00:00Z", &body, &next);
  g_assert_cmpuint (json_array_get_length (items), ==, 3);
  /* Another workspace's events are not listed. */
  items = list_events (fixture, OWNER_B, "/api/v1/events", &body, &next);
  g_assert_cmpuint (json_array_get_length (items), ==, 0);
  /* Bad parameters. */
  g_clear_pointer (&refused, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/events?topic=crm..x", NULL, &refused), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (assert_error (refused, "bad_request"), "parameter"), ==, "topic");
  g_clear_pointer (&refused, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/events?since=yesterday", NULL, &refused), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (assert_error (refused, "bad_request"), "parameter"), ==, "since");
  g_clear_pointer (&refused, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/events?cursor=abc", NULL, &refused), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (assert_error (refused, "bad_request"), "parameter"), ==, "cursor");

  /* Replay: the same event again to the flows subscribed now. */
  contacts = wait_for_executions (fixture, OWNER, "contacts", 2);
  g_clear_pointer (&contacts, json_array_unref);
  path = g_strdup_printf ("/api/v1/events/%s/replay", ids[0]);
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", path, NULL, &replayed), ==, 202);
  g_assert_cmpstr (json_object_get_string_member (object_of (replayed), "id"), ==, ids[0]);
  g_assert_cmpint (json_object_get_int_member (object_of (replayed), "deliveries"), ==, 2);
  contacts = wait_for_executions (fixture, OWNER, "contacts", 3);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_array_get_object_element (contacts, 2), "input"), "id"), ==, ids[0]);
  g_assert_true (has_execution_id (object_of (replayed),
                                   json_object_get_string_member (json_array_get_object_element (contacts, 2), "id")));
  /* Replaying stores nothing new. */
  items = list_events (fixture, OWNER, "/api/v1/events", &body, &next);
  g_assert_cmpuint (json_array_get_length (items), ==, 3);
  /* Another workspace's event, an unknown one: 404. */
  g_clear_pointer (&refused, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_B, "POST", path, NULL, &refused), ==, 404);
  assert_error (refused, "not_found");
  g_clear_pointer (&refused, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/events/4a4b1e8c-0000-4000-8000-000000000000/replay",
                          NULL, &refused), ==, 404);
}

/* The message of an error answer. */
static const char *
error_message (JsonNode *node)
{
  return json_object_get_string_member (json_object_get_object_member (object_of (node), "error"), "message");
}

static void
test_bad_input (Fixture       *fixture,
                gconstpointer  data)
{
  /* Each message a whole sentence that names the member (message NULL: the shared
   * answer of a member of the wrong type, checked elsewhere). */
  static const struct {
    const char *body;
    const char *pointer;
    const char *message;
  } cases[] = {
    { "{\"topic\": \"crm.*\"}", "/topic",
      "“topic” is not a valid topic: token 2 is the wildcard '*'; wildcards are only allowed in subscription "
      "patterns, not in published topics" },
    { "{\"topic\": \"crm.>\"}", "/topic", NULL },
    { "{\"topic\": \"crm..contact\"}", "/topic",
      "“topic” is not a valid topic: token 2 is empty: tokens are names separated by single dots, as in "
      "crm.contact.created" },
    { "{\"topic\": \"order created\"}", "/topic", NULL },
    { "{\"topic\": \"\"}", "/topic", "“topic” is empty" },
    { "{\"data\": {}}", "/topic", "An event needs a “topic”" },
    { "{\"topic\": 7}", "/topic", NULL },
    { "{\"topic\": \"crm.contact\", \"data\": [1, 2]}", "/data", "“data” must be a JSON object" },
    { "{\"topic\": \"crm.contact\", \"data\": \"text\"}", "/data", "“data” must be a JSON object" },
  };
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GString) large = g_string_new ("{\"topic\": \"crm.contact\", \"data\": {\"blob\": \"");
  g_autoptr(GString) long_topic = g_string_new ("{\"topic\": \"crm");
  g_autoptr(GString) deep = g_string_new ("{\"topic\": \"crm.contact\", \"data\": ");
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *large_message = NULL;
  JsonArray *items;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) refused = NULL;
      JsonObject *details;

      g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/events", cases[i].body, &refused), ==, 400);
      details = assert_error (refused, "bad_request");
      g_assert_cmpstr (json_object_get_string_member (details, "pointer"), ==, cases[i].pointer);
      if (cases[i].message != NULL)
        g_assert_cmpstr (error_message (refused), ==, cases[i].message);
      else
        g_test_message ("%s: %s", cases[i].body, error_message (refused));
    }
  /* A topic over 256 bytes. */
  for (guint i = 0; i < 997; i++)
    g_string_append_c (long_topic, 'x');
  g_string_append (long_topic, "\"}");
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/events", long_topic->str, &answer), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (assert_error (answer, "bad_request"), "pointer"), ==, "/topic");
  g_assert_cmpstr (error_message (answer), ==, "“topic” is 1000 bytes long; at most 256 are allowed");
  g_clear_pointer (&answer, json_node_unref);
  /* Data nested deeper than the dispatcher takes. */
  for (guint i = 0; i <= DECA_EVENT_MAX_DATA_DEPTH; i++)
    g_string_append (deep, "{\"a\": ");
  g_string_append (deep, "1");
  for (guint i = 0; i <= DECA_EVENT_MAX_DATA_DEPTH; i++)
    g_string_append_c (deep, '}');
  g_string_append_c (deep, '}');
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/events", deep->str, &answer), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (assert_error (answer, "bad_request"), "pointer"), ==, "/data");
  g_assert_cmpstr (error_message (answer), ==, "“data” is nested deeper than 64 levels");
  g_clear_pointer (&answer, json_node_unref);
  /* Over the dispatcher's limit of data. */
  for (guint i = 0; i < 300 * 1024 / 8; i++)
    g_string_append (large, "abcdefgh");
  g_string_append (large, "\"}}");
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/events", large->str, &answer), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (assert_error (answer, "bad_request"), "pointer"), ==, "/data");
  large_message = g_strdup_printf ("“data” is %u bytes; at most 262144 are allowed", 300 * 1024 + 11);
  g_assert_cmpstr (error_message (answer), ==, large_message);
  g_clear_pointer (&answer, json_node_unref);
  /* A pattern of the list, as the parameter topic. */
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/events?topic=crm.%3E.x", NULL, &answer), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (assert_error (answer, "bad_request"), "parameter"), ==, "topic");
  g_assert_cmpstr (error_message (answer), ==,
                   "“topic” is not a valid topic pattern: '>' must be the last token (it is token 2 of 3); use '*' "
                   "for one token in the middle");
  g_clear_pointer (&answer, json_node_unref);
  /* Nothing was stored. */
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/events", NULL, &body), ==, 200);
  items = json_object_get_array_member (object_of (body), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 0);
}

static void
test_permissions (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) published = NULL;
  g_autofree char *path = NULL;
  const char *event = "{\"topic\": \"crm.contact.created\"}";

  /* The viewer reads but does not publish or replay; the executor publishes and replays
   * but does not read; nobody without a key does anything. */
  g_assert_cmpuint (CALL (fixture, VIEWER, "POST", "/api/v1/events", event, &answer), ==, 403);
  assert_error (answer, "forbidden");
  published = publish (fixture, EXECUTOR, event);
  path = g_strdup_printf ("/api/v1/events/%s/replay", json_object_get_string_member (object_of (published), "id"));
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (CALL (fixture, VIEWER, "POST", path, NULL, &answer), ==, 403);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (CALL (fixture, EXECUTOR, "POST", path, NULL, &answer), ==, 202);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (CALL (fixture, EXECUTOR, "GET", "/api/v1/events", NULL, &answer), ==, 403);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (CALL (fixture, VIEWER, "GET", "/api/v1/events", NULL, &answer), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (answer), "items")), ==, 1);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (CALL (fixture, NULL, "POST", "/api/v1/events", event, &answer), ==, 401);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (CALL (fixture, NULL, "GET", "/api/v1/events", NULL, &answer), ==, 401);
}

static void
test_flow_publishes (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonArray) announcer = NULL;
  g_autoptr(JsonArray) contacts = NULL;
  g_autoptr(JsonArray) none = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *output;
  JsonObject *input;
  JsonArray *items;

  create_subscribers (fixture);
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/flows", announcer_flow, &body), ==, 201);
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/flows/announcer/execute",
                          "{\"input\": {\"what\": \"merged\", \"email\": \"ada@example.com\"}}", &started), ==, 202);
  announcer = wait_for_executions (fixture, OWNER, "announcer", 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (announcer, 0), "status"), ==,
                   "succeeded");

  /* The node's output is the published event with the number of flows it started. */
  output = json_object_get_object_member (json_object_get_object_member (
             json_array_get_object_element (announcer, 0), "output"), "tell");
  g_assert_cmpstr (json_object_get_string_member (output, "topic"), ==, "crm.contact.merged");
  g_assert_cmpstr (json_object_get_string_member (output, "source"), ==, "flow:announcer");
  g_assert_cmpint (json_object_get_int_member (output, "deliveries"), ==, 2);

  contacts = wait_for_executions (fixture, OWNER, "contacts", 1);
  input = json_object_get_object_member (json_array_get_object_element (contacts, 0), "input");
  g_assert_cmpstr (json_object_get_string_member (input, "topic"), ==, "crm.contact.merged");
  g_assert_cmpstr (json_object_get_string_member (input, "source"), ==, "flow:announcer");
  g_assert_cmpstr (json_object_get_string_member (input, "id"), ==, json_object_get_string_member (output, "id"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (input, "data"), "email"), ==,
                   "ada@example.com");
  g_clear_pointer (&contacts, json_array_unref);
  contacts = wait_for_executions (fixture, OWNER, "everything", 1);
  none = list_executions (fixture, OWNER_B, "other");
  g_assert_cmpuint (json_array_get_length (none), ==, 0);

  /* The event is stored like a published one. */
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/events", NULL, &body), ==, 200);
  items = json_object_get_array_member (object_of (body), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "source"), ==,
                   "flow:announcer");
}

static void
test_event_chain_stops (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonArray) echoes = NULL;
  guint succeeded = 0;
  JsonObject *last;

  /* A flow whose event starts itself again. */
  create_active_flow (fixture, OWNER,
                      "{\"id\": \"echo\", \"name\": \"Echo\","
                      " \"triggers\": [{\"type\": \"event\", \"event\": \"loop.>\"}],"
                      " \"nodes\": [{\"id\": \"again\", \"type\": \"publish_event\","
                      "   \"config\": {\"topic\": \"loop.again\"}}]}");
  answer = publish (fixture, OWNER, "{\"topic\": \"loop.start\"}");
  /* The API's event starts the first; eight events of the flow start eight more; the
   * last cannot publish. */
  echoes = wait_for_executions (fixture, OWNER, "echo", 1 + DECA_SERVER_TRIGGERS_MAX_EVENT_CHAIN);
  for (guint i = 0; i < json_array_get_length (echoes); i++)
    succeeded += g_str_equal (json_object_get_string_member (json_array_get_object_element (echoes, i), "status"),
                              "succeeded");
  g_assert_cmpuint (succeeded, ==, DECA_SERVER_TRIGGERS_MAX_EVENT_CHAIN);
  last = json_array_get_object_element (echoes, DECA_SERVER_TRIGGERS_MAX_EVENT_CHAIN);
  g_assert_cmpstr (json_object_get_string_member (last, "status"), ==, "failed");
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (last, "error"), "message"),
                            "chain of 8 events"));
  g_assert_cmpuint (CALL (fixture, OWNER, "GET", "/api/v1/events?limit=200", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==,
                    1 + DECA_SERVER_TRIGGERS_MAX_EVENT_CHAIN);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/events/fan-out", Fixture, NULL, setup, test_fan_out, fixture_teardown);
  g_test_add ("/server/events/list-and-replay", Fixture, NULL, setup, test_list_and_replay, fixture_teardown);
  g_test_add ("/server/events/bad-input", Fixture, NULL, setup, test_bad_input, fixture_teardown);
  g_test_add ("/server/events/permissions", Fixture, NULL, setup, test_permissions, fixture_teardown);
  g_test_add ("/server/events/flow-publishes", Fixture, NULL, setup, test_flow_publishes, fixture_teardown);
  g_test_add ("/server/events/event-chain-stops", Fixture, NULL, setup, test_event_chain_stops, fixture_teardown);
  return g_test_run ();
}
