/* test-publish-event-node.c: the publish_event node (engine/nodes/deca-publish-event-node.c)
 * on an executor with a DecaEventSink: the rendered topic and data reach the sink with
 * the flow and the execution, credentials redacted; the node's output is what the sink
 * answers; a sink's refusal fails the node with its message; without a sink the node
 * fails with "no event bus"; and the validator checks literal topics and data. */

#include <string.h>

#include <deca-engine.h>
#include <deca-validator.h>

/* --- a sink that records what it is given ------------------------------------------------ */

#define TEST_TYPE_SINK (test_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestSink, test_sink, TEST, SINK, GObject)

struct _TestSink
{
  GObject parent_instance;
  GPtrArray *calls;        /* "flow|execution|topic|data" */
  gboolean refuse;
};

static JsonNode *
test_sink_publish (DecaEventSink  *sink,
                   const char     *flow_id,
                   const char     *execution_id,
                   const char     *topic,
                   JsonNode       *data,
                   GError        **error)
{
  TestSink *self = TEST_SINK (sink);
  g_autofree char *text = data != NULL ? json_to_string (data, FALSE) : g_strdup ("null");
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_ptr_array_add (self->calls, g_strdup_printf ("%s|%s|%s|%s", flow_id, execution_id, topic, text));
  if (self->refuse)
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                           "topic: token 2 is the wildcard '*'");
      return NULL;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, "event-1");
  json_builder_set_member_name (builder, "topic");
  json_builder_add_string_value (builder, topic);
  json_builder_set_member_name (builder, "deliveries");
  json_builder_add_int_value (builder, 3);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
test_sink_iface_init (DecaEventSinkInterface *iface)
{
  iface->publish = test_sink_publish;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSink, test_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DECA_TYPE_EVENT_SINK, test_sink_iface_init))

static void
test_sink_finalize (GObject *object)
{
  g_ptr_array_unref (TEST_SINK (object)->calls);
  G_OBJECT_CLASS (test_sink_parent_class)->finalize (object);
}

static void
test_sink_class_init (TestSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_sink_finalize;
}

static void
test_sink_init (TestSink *self)
{
  self->calls = g_ptr_array_new_with_free_func (g_free);
}

/* --- running a flow -------------------------------------------------------------------------- */

static const char *announce_flow =
  "{\"id\": \"announce\", \"nodes\": ["
  " {\"id\": \"tell\", \"type\": \"publish_event\", \"config\": {"
  "   \"topic\": \"orders.{{input.region}}.paid\","
  "   \"data\": {\"order\": \"{{input.order}}\", \"key\": \"{{credentials.shop.api_key}}\"}}},"
  " {\"id\": \"after\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{tell.deliveries}}\"}}}],"
  " \"connections\": [{\"from\": \"tell\", \"to\": \"after\"}]}";

/* Runs @flow_json with @input_json on an executor with @sink (nullable) and a credential
 * "shop"; returns (transfer full) the finished execution. */
static DecaExecution *
run (const char *flow_json,
     const char *input_json,
     TestSink   *sink)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(DecaExecutor) executor = deca_executor_new (registry);
  g_autoptr(DecaMemoryCredentialProvider) credentials = deca_memory_credential_provider_new ();
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlow) flow = deca_flow_new_from_data (flow_json, -1, &error);
  g_autoptr(JsonNode) input = json_from_string (input_json, &error);
  DecaExecution *execution;

  g_assert_no_error (error);
  json_object_set_string_member (fields, "api_key", "sk-shop-secret-42");
  deca_memory_credential_provider_set (credentials, "shop", fields);
  deca_executor_set_credential_provider (executor, DECA_CREDENTIAL_PROVIDER (credentials));
  if (sink != NULL)
    deca_executor_set_event_sink (executor, DECA_EVENT_SINK (sink));
  execution = deca_executor_start (executor, flow, input, &error);
  g_assert_no_error (error);
  while (!deca_execution_is_finished (execution))
    g_main_context_iteration (NULL, TRUE);
  return execution;
}

static void
test_publishes (void)
{
  g_autoptr(TestSink) sink = g_object_new (TEST_TYPE_SINK, NULL);
  g_autoptr(DecaExecution) execution = run (announce_flow, "{\"region\": \"eu\", \"order\": \"A-7\"}", sink);
  g_autofree char *expected = NULL;
  JsonNode *output;

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_cmpuint (sink->calls->len, ==, 1);
  /* The secret a template put into the data never leaves the execution. */
  expected = g_strdup_printf ("announce|%s|orders.eu.paid|{\"order\":\"A-7\",\"key\":\"[redacted]\"}",
                              deca_execution_get_id (execution));
  g_assert_cmpstr (g_ptr_array_index (sink->calls, 0), ==, expected);
  output = deca_execution_get_node_output (execution, "tell");
  g_assert_nonnull (output);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (output), "id"), ==, "event-1");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (output), "deliveries"), ==, 3);
  output = deca_execution_get_node_output (execution, "after");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (output), "n"), ==, 3);
}

static void
test_sink_refuses (void)
{
  g_autoptr(TestSink) sink = g_object_new (TEST_TYPE_SINK, NULL);
  g_autoptr(DecaExecution) execution = NULL;
  const GError *error;

  sink->refuse = TRUE;
  execution = run (announce_flow, "{\"region\": \"*\", \"order\": \"A-7\"}", sink);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
  error = deca_execution_get_error (execution);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "topic: token 2 is the wildcard '*'"));
  g_assert_cmpstr (deca_execution_get_error_node (execution), ==, "tell");
}

static void
test_no_event_bus (void)
{
  g_autoptr(DecaExecution) execution = run (announce_flow, "{\"region\": \"eu\", \"order\": \"A-7\"}", NULL);
  const GError *error;

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
  error = deca_execution_get_error (execution);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "no event bus: run the flow on the server"));
}

static void
test_data_not_an_object (void)
{
  g_autoptr(TestSink) sink = g_object_new (TEST_TYPE_SINK, NULL);
  g_autoptr(DecaExecution) execution = NULL;
  const char *flow = "{\"id\": \"f\", \"nodes\": [{\"id\": \"tell\", \"type\": \"publish_event\","
                     " \"config\": {\"topic\": \"a.b\", \"data\": \"{{input.list}}\"}}]}";

  /* A template whose value is not an object fails the node before anything is sent. */
  execution = run (flow, "{\"list\": [1, 2]}", sink);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
  g_assert_nonnull (strstr (deca_execution_get_error (execution)->message, "'data' must be a JSON object"));
  g_assert_cmpuint (sink->calls->len, ==, 0);
}

/* Whether validating @flow_json gives a problem at @pointer. */
static gboolean
has_problem (const char *flow_json,
             const char *pointer)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = json_from_string (flow_json, &error);
  g_autoptr(GPtrArray) problems = NULL;

  g_assert_no_error (error);
  problems = deca_validate_flow_json (root, registry);
  for (guint i = 0; i < problems->len; i++)
    if (g_str_equal (((DecaValidationProblem *) g_ptr_array_index (problems, i))->pointer, pointer))
      return TRUE;
  return FALSE;
}

static void
test_validation (void)
{
  static const char *pointer = "/nodes/0/config/topic";
  static const char *data_pointer = "/nodes/0/config/data";
#define FLOW(config) "{\"id\": \"f\", \"nodes\": [{\"id\": \"n\", \"type\": \"publish_event\", \"config\": " config "}]}"

  g_assert_false (has_problem (FLOW ("{\"topic\": \"crm.contact.created\"}"), pointer));
  g_assert_false (has_problem (FLOW ("{\"topic\": \"crm.{{input.kind}}.created\"}"), pointer));
  g_assert_true (has_problem (FLOW ("{\"topic\": \"crm.*\"}"), pointer));
  g_assert_true (has_problem (FLOW ("{\"topic\": \"crm..contact\"}"), pointer));
  g_assert_true (has_problem (FLOW ("{\"topic\": \"\"}"), pointer));
  g_assert_true (has_problem (FLOW ("{}"), pointer));
  g_assert_false (has_problem (FLOW ("{\"topic\": \"a\", \"data\": {\"x\": 1}}"), data_pointer));
  g_assert_false (has_problem (FLOW ("{\"topic\": \"a\", \"data\": \"{{input}}\"}"), data_pointer));
  g_assert_true (has_problem (FLOW ("{\"topic\": \"a\", \"data\": [1]}"), data_pointer));
  g_assert_true (has_problem (FLOW ("{\"topic\": \"a\", \"data\": \"plain\"}"), data_pointer));
#undef FLOW
}

static void
test_registered (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  DecaNodeType *type = deca_node_registry_lookup (registry, "publish_event");

  g_assert_nonnull (type);
  g_assert_cmpstr (deca_node_type_get_category (type), ==, "integration");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/publish-event-node/publishes", test_publishes);
  g_test_add_func ("/deca/engine/publish-event-node/sink-refuses", test_sink_refuses);
  g_test_add_func ("/deca/engine/publish-event-node/no-event-bus", test_no_event_bus);
  g_test_add_func ("/deca/engine/publish-event-node/data-not-an-object", test_data_not_an_object);
  g_test_add_func ("/deca/engine/publish-event-node/validation", test_validation);
  g_test_add_func ("/deca/engine/publish-event-node/registered", test_registered);
  return g_test_run ();
}
