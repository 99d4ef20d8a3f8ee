/* The event dispatcher: fan-out to subscribed flows, the store hook before delivery,
 * activation from flow documents, and refused input. */

#include <string.h>

#include "deca-engine.h"
#include "deca-event-dispatcher.h"
#include "deca-store-server.h"
#include "deca-test-store-dir.h"

typedef struct {
  GPtrArray *deliveries;   /* "flow topic" */
  GPtrArray *stored;       /* event JSON texts */
  DecaEventDispatcher *dispatcher;
  gboolean unsubscribe_on_delivery;
} Fixture;

static void
on_deliver (DecaEventDispatcher *dispatcher,
            const char          *flow_id,
            DecaTopicEvent      *event,
            gpointer             user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->deliveries,
                   g_strdup_printf ("%s %s", flow_id, deca_topic_event_get_topic (event)));
  /* Changing the subscriptions from a handler does not change who gets this event. */
  if (fixture->unsubscribe_on_delivery)
    deca_event_dispatcher_remove_flow (dispatcher, "zeta");
}

static gboolean
store_cb (DecaTopicEvent  *event,
          GPtrArray       *flow_ids,
          gpointer         user_data,
          GError         **error)
{
  Fixture *fixture = user_data;

  /* Stored before any delivery. */
  g_assert_cmpuint (fixture->deliveries->len, ==, 0);
  if (g_str_has_prefix (deca_topic_event_get_topic (event), "refused."))
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE, "the disk is full");
      return FALSE;
    }
  g_ptr_array_add (fixture->stored, deca_topic_event_to_string (event));
  return TRUE;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (G_GINT64_CONSTANT (1780000000123000));

  fixture->deliveries = g_ptr_array_new_with_free_func (g_free);
  fixture->stored = g_ptr_array_new_with_free_func (g_free);
  fixture->dispatcher = deca_event_dispatcher_new (DECA_CLOCK (clock));
  g_signal_connect (fixture->dispatcher, "deliver", G_CALLBACK (on_deliver), fixture);
  deca_event_dispatcher_set_store_func (fixture->dispatcher, store_cb, fixture, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->dispatcher);
  g_ptr_array_unref (fixture->deliveries);
  g_ptr_array_unref (fixture->stored);
}

static char *
take_deliveries (Fixture *fixture)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < fixture->deliveries->len; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, fixture->deliveries->pdata[i]);
    }
  g_ptr_array_set_size (fixture->deliveries, 0);
  return g_string_free (out, FALSE);
}

static JsonNode *
json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_fan_out (Fixture       *fixture,
              gconstpointer  data)
{
  DecaEventDispatcher *dispatcher = fixture->dispatcher;
  g_autoptr(DecaTopicEvent) event = NULL;
  g_autoptr(JsonNode) payload = json ("{\"email\": \"ada@example.com\", \"n\": 1}");
  g_autoptr(JsonNode) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  guint n = 0;

  g_assert_true (deca_event_dispatcher_subscribe (dispatcher, "contacts", "crm.contact.*", NULL));
  g_assert_true (deca_event_dispatcher_subscribe (dispatcher, "audit", ">", NULL));
  g_assert_true (deca_event_dispatcher_subscribe (dispatcher, "crm-all", "crm.>", NULL));
  g_assert_true (deca_event_dispatcher_subscribe (dispatcher, "crm-all", "crm.contact.created", NULL));
  g_assert_true (deca_event_dispatcher_subscribe (dispatcher, "billing", "billing.*.paid", NULL));

  event = deca_event_dispatcher_publish (dispatcher, "crm.contact.created", payload, "api", &n, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  g_assert_cmpuint (n, ==, 3);
  got = take_deliveries (fixture);
  /* In flow-id order, each flow once although crm-all has two matching patterns. */
  g_assert_cmpstr (got, ==, "audit crm.contact.created, contacts crm.contact.created, "
                            "crm-all crm.contact.created");
  g_clear_pointer (&got, g_free);

  /* The event as stored: id, topic, source, time (from the clock), a copy of the data. */
  g_assert_cmpuint (fixture->stored->len, ==, 1);
  stored = json (fixture->stored->pdata[0]);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (stored), "topic"), ==,
                   "crm.contact.created");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (stored), "source"), ==, "api");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (stored), "time"), ==,
                   "2026-05-28T20:26:40.123Z");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (stored), "id"), ==,
                   deca_topic_event_get_id (event));
  g_assert_true (g_uuid_string_is_valid (deca_topic_event_get_id (event)));
  g_assert_cmpint (deca_topic_event_get_time_us (event), ==, G_GINT64_CONSTANT (1780000000123000));
  g_assert_true (json_node_equal (deca_topic_event_get_data (event), payload));
  g_assert_true (deca_topic_event_get_data (event) != payload);

  /* Replay: the stored form becomes the same event again and reaches the same flows. */
  {
    g_autoptr(DecaTopicEvent) replayed = deca_topic_event_new_from_json (stored, &error);
    g_autofree char *again = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (deca_topic_event_get_id (replayed), ==, deca_topic_event_get_id (event));
    g_assert_cmpint (deca_topic_event_get_time_us (replayed), ==, deca_topic_event_get_time_us (event));
    again = deca_topic_event_to_string (replayed);
    g_assert_cmpstr (again, ==, fixture->stored->pdata[0]);
    g_assert_cmpuint (deca_event_dispatcher_deliver (dispatcher, replayed), ==, 3);
    g_ptr_array_set_size (fixture->deliveries, 0);
  }

  /* Other topics. */
  g_clear_pointer (&event, deca_topic_event_unref);
  event = deca_event_dispatcher_publish (dispatcher, "billing.invoice.paid", NULL, NULL, &n, &error);
  g_assert_no_error (error);
  got = take_deliveries (fixture);
  g_assert_cmpstr (got, ==, "audit billing.invoice.paid, billing billing.invoice.paid");
  g_clear_pointer (&got, g_free);
  /* No data is an empty object; no source is left out. */
  g_assert_true (JSON_NODE_HOLDS_OBJECT (deca_topic_event_get_data (event)));
  g_assert_null (deca_topic_event_get_source (event));
  g_assert_null (strstr (fixture->stored->pdata[1], "source"));

  g_clear_pointer (&event, deca_topic_event_unref);
  event = deca_event_dispatcher_publish (dispatcher, "crm", NULL, NULL, &n, &error);
  got = take_deliveries (fixture);
  g_assert_cmpstr (got, ==, "audit crm");
  g_clear_pointer (&got, g_free);

  /* Deactivation. */
  g_assert_cmpuint (deca_event_dispatcher_remove_flow (dispatcher, "audit"), ==, 1);
  g_assert_true (deca_event_dispatcher_unsubscribe (dispatcher, "crm-all", "crm.>"));
  g_assert_false (deca_event_dispatcher_unsubscribe (dispatcher, "crm-all", "crm.>"));
  g_clear_pointer (&event, deca_topic_event_unref);
  event = deca_event_dispatcher_publish (dispatcher, "crm.contact.created", NULL, NULL, &n, &error);
  got = take_deliveries (fixture);
  g_assert_cmpstr (got, ==, "contacts crm.contact.created, crm-all crm.contact.created");
  g_clear_pointer (&got, g_free);

  /* An event nobody listens to is still stored (for replay) and goes nowhere. */
  g_clear_pointer (&event, deca_topic_event_unref);
  event = deca_event_dispatcher_publish (dispatcher, "nobody.listens", NULL, NULL, &n, &error);
  g_assert_nonnull (event);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (fixture->stored->len, ==, 5);
}

/* The store hook refusing an event stops its delivery. */
static void
test_store_refuses (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(DecaTopicEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 7;

  g_assert_true (deca_event_dispatcher_subscribe (fixture->dispatcher, "f", ">", NULL));
  event = deca_event_dispatcher_publish (fixture->dispatcher, "refused.x", NULL, NULL, &n, &error);
  g_assert_null (event);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (fixture->deliveries->len, ==, 0);
}

/* A handler that unsubscribes a flow during delivery: the event still reaches every flow
 * that was subscribed when it was published. */
static void
test_handler_changes_subscriptions (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(DecaTopicEvent) event = NULL;
  g_autofree char *got = NULL;

  deca_event_dispatcher_subscribe (fixture->dispatcher, "alpha", "a.*", NULL);
  deca_event_dispatcher_subscribe (fixture->dispatcher, "zeta", "a.b", NULL);
  fixture->unsubscribe_on_delivery = TRUE;
  event = deca_event_dispatcher_publish (fixture->dispatcher, "a.b", NULL, NULL, NULL, NULL);
  got = take_deliveries (fixture);
  g_assert_cmpstr (got, ==, "alpha a.b, zeta a.b");
  g_clear_pointer (&got, g_free);
  g_clear_pointer (&event, deca_topic_event_unref);

  event = deca_event_dispatcher_publish (fixture->dispatcher, "a.b", NULL, NULL, NULL, NULL);
  got = take_deliveries (fixture);
  g_assert_cmpstr (got, ==, "alpha a.b");
}

static void
test_bad_input (Fixture       *fixture,
                gconstpointer  data)
{
  static const struct {
    const char *topic;
    const char *data;
    const char *source;
    int code;
    const char *message;
  } cases[] = {
    { "", "{}", NULL, DECA_ENGINE_ERROR_INVALID, "topic: the topic is empty" },
    { "crm.*", "{}", NULL, DECA_ENGINE_ERROR_INVALID, "topic: token 2 is the wildcard '*'" },
    { "crm..x", "{}", NULL, DECA_ENGINE_ERROR_INVALID, "topic: token 2 is empty" },
    { "crm x", "{}", NULL, DECA_ENGINE_ERROR_INVALID, "topic: token 1 contains a space" },
    { "crm.x", "[1, 2]", NULL, DECA_ENGINE_ERROR_INVALID, "data: must be a JSON object, not an array" },
    { "crm.x", "\"text\"", NULL, DECA_ENGINE_ERROR_INVALID, "data: must be a JSON object, not a string" },
    { "crm.x", "{\"a\": ", NULL, DECA_ENGINE_ERROR_PARSE, "data: line 1, column" },
    { "crm.x", "", NULL, DECA_ENGINE_ERROR_PARSE, "data: " },
    { "crm.x", "{}", "", DECA_ENGINE_ERROR_INVALID, "source: must be 1 to 256 bytes" },
  };
  g_autoptr(GString) big = g_string_new ("{\"blob\":\"");
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(DecaTopicEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_true (deca_event_dispatcher_subscribe (fixture->dispatcher, "f", ">", NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) case_error = NULL;
      g_autoptr(DecaTopicEvent) refused =
        deca_event_dispatcher_prepare_from_text (fixture->dispatcher, cases[i].topic, cases[i].data,
                                                 -1, cases[i].source, &case_error);

      g_assert_null (refused);
      g_assert_error (case_error, DECA_ENGINE_ERROR, cases[i].code);
      if (!g_str_has_prefix (case_error->message, cases[i].message))
        g_error ("case %u: expected '%s', got '%s'", i, cases[i].message, case_error->message);
    }

  /* Size: the limit counts compact JSON; one byte more is refused. */
  deca_event_dispatcher_set_max_data_size (fixture->dispatcher, 100);
  for (guint i = 0; i < 100 - 11; i++)
    g_string_append_c (big, 'x');
  g_string_append (big, "\"}");
  g_assert_cmpuint (big->len, ==, 100);
  event = deca_event_dispatcher_prepare_from_text (fixture->dispatcher, "a.b", big->str, -1, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&event, deca_topic_event_unref);
  g_string_insert_c (big, 10, 'y');
  event = deca_event_dispatcher_prepare_from_text (fixture->dispatcher, "a.b", big->str, -1, NULL, &error);
  g_assert_null (event);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT);
  g_assert_cmpstr (error->message, ==, "data: is 101 bytes; at most 100 are allowed");
  g_clear_error (&error);

  /* The same through a parsed node. */
  node = json (big->str);
  event = deca_event_dispatcher_publish (fixture->dispatcher, "a.b", node, NULL, NULL, &error);
  g_assert_null (event);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT);
  g_clear_error (&error);

  /* Whitespace does not count, but a text far over the limit is not parsed. */
  g_string_assign (big, "{\"a\":                                                         1}");
  event = deca_event_dispatcher_prepare_from_text (fixture->dispatcher, "a.b", big->str, -1, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&event, deca_topic_event_unref);

  /* Deep nesting is refused before parsing. */
  deca_event_dispatcher_set_max_data_size (fixture->dispatcher, DECA_EVENT_DEFAULT_MAX_DATA_SIZE);
  g_string_append (deep, "{\"a\": ");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  event = deca_event_dispatcher_prepare_from_text (fixture->dispatcher, "a.b", deep->str, -1, NULL, &error);
  g_assert_null (event);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT);
  g_assert_cmpstr (error->message, ==, "data: is nested deeper than 64 levels");
  g_clear_error (&error);

  /* Brackets inside strings are not nesting. */
  event = deca_event_dispatcher_prepare_from_text (fixture->dispatcher, "a.b",
                                                   "{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[\"}",
                                                   -1, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&event, deca_topic_event_unref);

  /* Invalid patterns. */
  g_assert_false (deca_event_dispatcher_subscribe (fixture->dispatcher, "f", "crm.>.x", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  /* A stored event that is not one. */
  g_clear_pointer (&node, json_node_unref);
  node = json ("{\"id\": \"1\", \"topic\": \"a.b\", \"time\": \"yesterday\", \"data\": {}}");
  g_assert_null (deca_topic_event_new_from_json (node, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "time: 'yesterday' is not an ISO 8601 time with a zone");
  g_clear_error (&error);
  g_clear_pointer (&node, json_node_unref);
  node = json ("{\"id\": \"1\", \"topic\": \"a.*\", \"time\": \"2026-01-01T00:00:00Z\", \"data\": {}}");
  g_assert_null (deca_topic_event_new_from_json (node, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&node, json_node_unref);
  node = json ("{\"id\": \"1\", \"topic\": \"a.b\", \"time\": \"2026-01-01T00:00:00Z\", \"data\": 3}");
  g_assert_null (deca_topic_event_new_from_json (node, &error));
  g_assert_cmpstr (error->message, ==, "data: must be a JSON object, not a number");
  g_clear_error (&error);

  g_assert_cmpuint (fixture->deliveries->len, ==, 0);
  g_assert_cmpuint (fixture->stored->len, ==, 0);
}

static DecaFlow *
flow_from_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  DecaFlow *flow = deca_flow_new_from_data (text, -1, &error);

  g_assert_no_error (error);
  return flow;
}

static void
test_set_flow (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from_text (
    "{\"id\": \"contacts\", \"name\": \"C\", \"nodes\": [], \"triggers\": ["
    " {\"type\": \"event\", \"event\": \"crm.contact.*\"},"
    " {\"type\": \"webhook\", \"path\": \"/x\"},"
    " {\"type\": \"event\", \"event\": \"crm.deal.>\"}]}");
  g_autoptr(DecaFlow) updated = flow_from_text (
    "{\"id\": \"contacts\", \"name\": \"C\", \"nodes\": [], \"triggers\": ["
    " {\"type\": \"event\", \"event\": \"billing.>\"}]}");
  g_autoptr(DecaFlow) bad = flow_from_text (
    "{\"id\": \"contacts\", \"name\": \"C\", \"nodes\": [], \"triggers\": ["
    " {\"type\": \"event\", \"event\": \"ok.*\"}, {\"type\": \"event\", \"event\": \"crm..x\"}]}");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) patterns = NULL;
  g_autoptr(GPtrArray) matched = NULL;

  g_assert_true (deca_event_dispatcher_set_flow (fixture->dispatcher, flow, &error));
  g_assert_no_error (error);
  patterns = deca_event_dispatcher_dup_patterns (fixture->dispatcher, "contacts");
  g_assert_cmpuint (g_strv_length (patterns), ==, 2);
  g_assert_cmpstr (patterns[0], ==, "crm.contact.*");
  g_assert_cmpstr (patterns[1], ==, "crm.deal.>");
  g_clear_pointer (&patterns, g_strfreev);

  matched = deca_event_dispatcher_match (fixture->dispatcher, "crm.deal.won.big");
  g_assert_cmpuint (matched->len, ==, 1);
  g_clear_pointer (&matched, g_ptr_array_unref);

  /* An invalid pattern: refused with its pointer, and nothing changes. */
  g_assert_false (deca_event_dispatcher_set_flow (fixture->dispatcher, bad, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "/triggers/1/event: token 2 is empty"));
  g_clear_error (&error);
  patterns = deca_event_dispatcher_dup_patterns (fixture->dispatcher, "contacts");
  g_assert_cmpuint (g_strv_length (patterns), ==, 2);
  g_clear_pointer (&patterns, g_strfreev);

  /* An update replaces the patterns. */
  g_assert_true (deca_event_dispatcher_set_flow (fixture->dispatcher, updated, &error));
  patterns = deca_event_dispatcher_dup_patterns (fixture->dispatcher, "contacts");
  g_assert_cmpuint (g_strv_length (patterns), ==, 1);
  g_assert_cmpstr (patterns[0], ==, "billing.>");
  matched = deca_event_dispatcher_match (fixture->dispatcher, "crm.deal.won");
  g_assert_cmpuint (matched->len, ==, 0);
}

/* Many flows with many patterns: fan-out reaches exactly the flows whose patterns match. */
static void
test_many_flows (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(DecaTopicEvent) event = NULL;
  guint n = 0;

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *flow = g_strdup_printf ("flow-%04u", i);
      g_autofree char *exact = g_strdup_printf ("tenant%u.order.created", i % 100);
      g_autofree char *wild = g_strdup_printf ("tenant%u.*.cancelled", i % 50);

      g_assert_true (deca_event_dispatcher_subscribe (fixture->dispatcher, flow, exact, NULL));
      g_assert_true (deca_event_dispatcher_subscribe (fixture->dispatcher, flow, wild, NULL));
    }
  deca_event_dispatcher_subscribe (fixture->dispatcher, "monitor", "tenant7.>", NULL);

  event = deca_event_dispatcher_publish (fixture->dispatcher, "tenant7.order.created", NULL, NULL, &n, NULL);
  /* 2000 / 100 flows with that exact pattern, and the monitor. */
  g_assert_cmpuint (n, ==, 21);
  g_clear_pointer (&event, deca_topic_event_unref);
  g_ptr_array_set_size (fixture->deliveries, 0);

  event = deca_event_dispatcher_publish (fixture->dispatcher, "tenant7.order.cancelled", NULL, NULL, &n, NULL);
  /* 2000 / 50 flows with that wildcard pattern, and the monitor. */
  g_assert_cmpuint (n, ==, 41);
  g_assert_cmpuint (fixture->deliveries->len, ==, 41);
}

static void
count_deliveries_cb (DecaEventDispatcher *dispatcher,
                     const char          *flow_id,
                     DecaTopicEvent      *event,
                     gpointer             user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s %s %s", flow_id, deca_topic_event_get_topic (event),
                                               deca_topic_event_get_id (event)));
}

/* Events stored in the store under a workspace, and replayed from it by another
 * dispatcher: to every subscribed flow, or to one. */
static void
test_store_and_replay (void)
{
  DecaTestStoreDir dir;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(DecaEventDispatcher) publisher = deca_event_dispatcher_new (NULL);
  g_autoptr(DecaEventDispatcher) replayer = deca_event_dispatcher_new (NULL);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) deliveries = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DecaTopicEvent) first = NULL;
  g_autoptr(DecaTopicEvent) second = NULL;
  g_autoptr(JsonNode) data = json ("{\"amount\": 12.5}");
  DecaTopicEventRecord *record;
  gint64 last = 0;

  deca_test_store_dir_init (&dir, "deca-test-events");
  store = deca_store_open (dir.path, &error);
  g_assert_no_error (error);
  g_assert_true (deca_store_create_workspace (store, "acme", "Acme", &error));

  deca_event_dispatcher_set_store (publisher, store, "acme");
  first = deca_event_dispatcher_publish (publisher, "billing.invoice.paid", data, "api", NULL, &error);
  g_assert_no_error (error);
  second = deca_event_dispatcher_publish (publisher, "crm.contact.created", NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  records = deca_store_list_topic_events (store, "acme", 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
  record = records->pdata[0];
  g_assert_cmpstr (record->topic, ==, "billing.invoice.paid");
  g_assert_cmpstr (record->source, ==, "api");
  g_assert_cmpint (record->published_at, ==, deca_topic_event_get_time_us (first));

  /* An unknown workspace: the store refuses, so nothing is delivered. */
  deca_event_dispatcher_set_store (publisher, store, "nowhere");
  deca_event_dispatcher_subscribe (publisher, "f", ">", NULL);
  g_signal_connect (publisher, "deliver", G_CALLBACK (count_deliveries_cb), deliveries);
  g_assert_null (deca_event_dispatcher_publish (publisher, "a.b", NULL, NULL, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (deliveries->len, ==, 0);

  g_signal_connect (replayer, "deliver", G_CALLBACK (count_deliveries_cb), deliveries);
  deca_event_dispatcher_subscribe (replayer, "billing", "billing.>", NULL);
  deca_event_dispatcher_subscribe (replayer, "everything", ">", NULL);

  g_assert_cmpint (deca_event_dispatcher_replay (replayer, store, "acme", NULL, 0, 0, &last, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (last, ==, ((DecaTopicEventRecord *) records->pdata[1])->id);
  g_assert_cmpuint (deliveries->len, ==, 3);
  {
    g_autofree char *expected = g_strdup_printf ("billing billing.invoice.paid %s",
                                                 deca_topic_event_get_id (first));

    /* The replayed event is the published one, id included. */
    g_assert_cmpstr (deliveries->pdata[0], ==, expected);
  }
  g_ptr_array_set_size (deliveries, 0);

  /* To one flow, and from a position. */
  g_assert_cmpint (deca_event_dispatcher_replay (replayer, store, "acme", "billing", 0, 0, NULL, &error), ==, 1);
  g_assert_cmpint (deca_event_dispatcher_replay (replayer, store, "acme", "everything",
                                                 ((DecaTopicEventRecord *) records->pdata[0])->id, 0,
                                                 &last, &error), ==, 1);
  g_assert_cmpuint (deliveries->len, ==, 2);
  g_assert_cmpint (deca_event_dispatcher_replay (replayer, store, "acme", NULL, last, 0, &last, &error), ==, 0);
  g_assert_no_error (error);

  g_clear_object (&publisher);
  g_clear_object (&replayer);
  g_assert_finalize_object (g_steal_pointer (&store));
  deca_test_store_dir_clear (&dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/engine/event-dispatcher/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)
  ADD ("fan-out", test_fan_out);
  ADD ("store-refuses", test_store_refuses);
  ADD ("handler-changes-subscriptions", test_handler_changes_subscriptions);
  ADD ("bad-input", test_bad_input);
  ADD ("set-flow", test_set_flow);
  ADD ("many-flows", test_many_flows);
#undef ADD
  g_test_add_func ("/deca/engine/event-dispatcher/store-and-replay", test_store_and_replay);

  return g_test_run ();
}
