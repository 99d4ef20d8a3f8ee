/* The flow model (load, typed view, round trip) and the JSON helpers it rests on. */

#include <string.h>

#include <glib/gstdio.h>

#include "deca-engine.h"
#include "deca-json.h"

static const char *full_flow =
  "{\n"
  "  \"id\": \"customer-onboarding\",\n"
  "  \"name\": \"Customer Onboarding Flow\",\n"
  "  \"version\": 3,\n"
  "  \"x-team\": {\"owner\": \"growth\", \"tags\": [1, 2]},\n"
  "  \"triggers\": [{\"type\": \"webhook\", \"path\": \"/webhook/customer-signup\", \"method\": \"POST\", \"x-note\": true}],\n"
  "  \"nodes\": [\n"
  "    {\"id\": \"validate-input\", \"type\": \"transform\", \"config\": {\"set\": {\"ok\": true}},\n"
  "     \"position\": {\"x\": 10.5, \"y\": -3}, \"retry\": {\"max_attempts\": 3, \"initial_delay\": 0.5,\n"
  "     \"multiplier\": 3, \"max_delay\": 10, \"jitter\": 0.25}, \"timeout\": 2.5, \"x-color\": \"red\"},\n"
  "    {\"id\": \"create-persona\", \"type\": \"log\", \"config\": {\"message\": \"hi {{input.name}}\"}}\n"
  "  ],\n"
  "  \"connections\": [\n"
  "    {\"from\": \"validate-input\", \"to\": \"create-persona\", \"condition\": \"{{validate-input.ok}} === true\",\n"
  "     \"from_port\": \"main\", \"to_port\": \"main\", \"x-label\": \"ok\"},\n"
  "    {\"from\": \"validate-input\", \"to\": \"create-persona\", \"on_error\": true}\n"
  "  ],\n"
  "  \"settings\": {\"timeout\": 300, \"error_strategy\": \"continue_on_error\", \"parallelism\": 3,\n"
  "               \"circuit_breaker\": {\"failure_threshold\": 7, \"cooldown\": 12}, \"x-extra\": null}\n"
  "}\n";

static void
test_typed_view (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlow) flow = deca_flow_new_from_data (full_flow, -1, &error);
  const DecaFlowNode *node;
  const DecaFlowConnection *connection;

  g_assert_no_error (error);
  g_assert_cmpstr (deca_flow_get_id (flow), ==, "customer-onboarding");
  g_assert_cmpstr (deca_flow_get_name (flow), ==, "Customer Onboarding Flow");
  g_assert_cmpint (deca_flow_get_version (flow), ==, 3);
  g_assert_cmpint (deca_flow_get_timeout_us (flow), ==, 300 * G_USEC_PER_SEC);
  g_assert_cmpint (deca_flow_get_error_strategy (flow), ==, DECA_ERROR_STRATEGY_CONTINUE_ON_ERROR);
  g_assert_cmpuint (deca_flow_get_parallelism (flow), ==, 3);
  g_assert_cmpuint (deca_flow_get_breaker_threshold (flow), ==, 7);
  g_assert_cmpint (deca_flow_get_breaker_cooldown_us (flow), ==, 12 * G_USEC_PER_SEC);

  g_assert_cmpuint (deca_flow_get_n_nodes (flow), ==, 2);
  node = deca_flow_lookup_node (flow, "validate-input");
  g_assert_nonnull (node);
  g_assert_cmpstr (node->type, ==, "transform");
  g_assert_cmpint (node->timeout_us, ==, 2500000);
  g_assert_cmpint (node->retry.max_attempts, ==, 3);
  g_assert_cmpint (node->retry.initial_delay_us, ==, 500000);
  g_assert_cmpfloat (node->retry.multiplier, ==, 3.0);
  g_assert_cmpint (node->retry.max_delay_us, ==, 10 * G_USEC_PER_SEC);
  g_assert_cmpfloat (node->retry.jitter, ==, 0.25);
  g_assert_true (json_object_has_member (node->config, "set"));
  g_assert_null (deca_flow_lookup_node (flow, "nope"));

  g_assert_cmpuint (deca_flow_get_n_connections (flow), ==, 2);
  connection = deca_flow_get_connection (flow, 0);
  g_assert_cmpstr (connection->condition, ==, "{{validate-input.ok}} === true");
  g_assert_cmpstr (connection->from_port, ==, "main");
  g_assert_false (connection->on_error);
  connection = deca_flow_get_connection (flow, 1);
  g_assert_true (connection->on_error);
  g_assert_cmpstr (connection->from_port, ==, "error");

  g_assert_cmpuint (deca_flow_get_n_triggers (flow), ==, 1);
  g_assert_cmpstr (deca_flow_get_trigger (flow, 0)->type, ==, "webhook");
}

static void
test_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlow) flow = deca_flow_new_from_data ("{\"id\": \"f\", \"nodes\": [{\"id\": \"a\", \"type\": \"log\"}]}", -1, &error);
  const DecaFlowNode *node;

  g_assert_no_error (error);
  g_assert_cmpstr (deca_flow_get_name (flow), ==, "f");
  g_assert_cmpint (deca_flow_get_version (flow), ==, 1);
  g_assert_cmpint (deca_flow_get_timeout_us (flow), ==, 0);
  g_assert_cmpint (deca_flow_get_error_strategy (flow), ==, DECA_ERROR_STRATEGY_STOP_ON_ERROR);
  g_assert_cmpuint (deca_flow_get_parallelism (flow), ==, 4);
  node = deca_flow_get_node (flow, 0);
  g_assert_nonnull (node->config);
  g_assert_cmpuint (json_object_get_size (node->config), ==, 0);
  g_assert_cmpint (node->retry.max_attempts, ==, 1);
  g_assert_cmpint (node->timeout_us, ==, 0);
}

/* Unknown fields anywhere survive load and save, and nothing is added. */
static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlow) flow = deca_flow_new_from_data (full_flow, -1, &error);
  g_autoptr(DecaFlow) again = NULL;
  g_autoptr(JsonNode) original = json_from_string (full_flow, NULL);
  g_autofree char *saved = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = g_dir_make_tmp ("deca-flow-XXXXXX", NULL);

  g_assert_no_error (error);
  saved = deca_flow_to_data (flow, TRUE, NULL);
  g_assert_nonnull (strstr (saved, "x-color"));
  again = deca_flow_new_from_data (saved, -1, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (deca_flow_get_document (again), original));

  path = g_build_filename (dir, "flow.json", NULL);
  g_assert_true (deca_flow_save_to_file (flow, path, &error));
  g_assert_no_error (error);
  g_clear_object (&again);
  again = deca_flow_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (deca_flow_get_document (again), original));
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_shape_errors (void)
{
  static const struct {
    const char *json;
    const char *message;
  } cases[] = {
    { "", "empty" },
    { "   \n ", "empty" },
    { "[1, 2]", "must be a JSON object" },
    { "{\"id\": 3, \"nodes\": []}", "/id" },
    { "{\"id\": \"f\"}", "/nodes" },
    { "{\"id\": \"f\", \"nodes\": {}}", "/nodes" },
    { "{\"id\": \"f\", \"nodes\": [3]}", "/nodes/0" },
    { "{\"id\": \"f\", \"nodes\": [{\"type\": \"log\"}]}", "/nodes/0" },
    { "{\"id\": \"f\", \"nodes\": [{\"id\": \"a\", \"type\": \"log\"}, {\"id\": \"a\", \"type\": \"log\"}]}", "/nodes/1" },
    { "{\"id\": \"f\", \"nodes\": [{\"id\": \"a\", \"type\": \"log\", \"config\": 4}]}", "\"config\"" },
    { "{\"id\": \"f\", \"nodes\": [], \"connections\": [{\"from\": \"x\", \"to\": \"y\"}]}", "/connections/0" },
    { "{\"id\": \"f\", \"nodes\": [], \"triggers\": {}}", "/triggers" },
    { "{\"id\": \"f\", \"nodes\": [], \"settings\": {\"error_strategy\": \"retry\"}}", "/settings/error_strategy" },
    { "{\"id\": \"f\",\n \"nodes\": [}", "line 2" },
    { "{\"id\": \"f\", \"nodes\": []} trailing", "line 1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaFlow) flow = deca_flow_new_from_data (cases[i].json, -1, &error);

      g_assert_null (flow);
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: expected \"%s\" in \"%s\"", i, cases[i].message, error->message);
    }
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlow) flow = deca_flow_new_from_file ("/nonexistent/flow.json", &error);

  g_assert_null (flow);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/flow.json"));
}

static void
test_parse_positions (void)
{
  static const struct {
    const char *text;
    gssize length;
    const char *message;
  } cases[] = {
    { "{\n  \"a\": ,\n}", -1, "line 2, column" },
    { "{\"a\": \"\xff\"}", -1, "byte 7: the document is not valid UTF-8" },
    { "{\"a\": 1}\0{", 10, "NUL byte" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = deca_json_parse (cases[i].text, cases[i].length, &error);

      g_assert_null (node);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: expected \"%s\" in \"%s\"", i, cases[i].message, error->message);
    }
}

/* Regression (found by fuzz-flow): a buffer with a length and no terminating NUL must
 * not be read past its end. */
static void
test_parse_unterminated (void)
{
  g_autofree char *blank = g_malloc (1);
  g_autofree char *object = g_malloc (8);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  blank[0] = '\r';
  g_assert_null (deca_json_parse (blank, 1, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);

  memcpy (object, "{\"a\": 1}", 8);
  node = deca_json_parse (object, 8, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "a"), ==, 1);
}

static void
test_redact (void)
{
  g_autoptr(GHashTable) secrets = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) clean = json_from_string ("{\"a\": [1, \"plain\"], \"b\": {\"c\": null}}", NULL);
  g_autoptr(JsonNode) dirty = json_from_string ("{\"auth\": \"Bearer s3cr3t\", \"list\": [\"x\", \"s3cr3t\"], \"s3cr3t\": 1}", NULL);
  g_autoptr(JsonNode) redacted_clean = NULL;
  g_autoptr(JsonNode) redacted = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  g_hash_table_add (secrets, (char *) "s3cr3t");
  redacted_clean = deca_json_redact (clean, secrets);
  g_assert_true (redacted_clean == clean);   /* nothing to hide: no copy */
  redacted = deca_json_redact (dirty, secrets);
  text = json_to_string (redacted, FALSE);
  g_assert_null (strstr (text, "s3cr3t"));
  g_assert_nonnull (strstr (text, "Bearer [redacted]"));
  /* The original is untouched. */
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (dirty), "auth"), ==, "Bearer s3cr3t");
  /* Members keep their order in the copy. */
  {
    g_autoptr(JsonNode) many = json_from_string ("{\"z\": \"s3cr3t\", \"a\": 1, \"m\": 2, \"b\": 3, \"y\": 4, \"c\": 5}", NULL);
    g_autoptr(JsonNode) copy = deca_json_redact (many, secrets);
    g_autofree char *copy_text = deca_json_to_string (copy, FALSE);

    g_assert_cmpstr (copy_text, ==, "{\"z\":\"[redacted]\",\"a\":1,\"m\":2,\"b\":3,\"y\":4,\"c\":5}");
  }
  line = deca_string_redact ("token=s3cr3t&x=s3cr3t", secrets);
  g_assert_cmpstr (line, ==, "token=[redacted]&x=[redacted]");
}

static void
test_to_string (void)
{
  g_autoptr(JsonNode) node = json_from_string ("{\"a\": 0.1, \"b\": [1, 2.5, 1e300, -0.0, 3.0], \"c\": {}, \"d\": [],"
                                               " \"e\": \"q\\\"\\n\\u0001\", \"f\": null, \"g\": true}", NULL);
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *compact = deca_json_to_string (node, FALSE);
  g_autofree char *pretty = deca_json_to_string (node, TRUE);
  g_autofree char *null_text = deca_json_to_string (NULL, FALSE);

  g_assert_cmpstr (compact, ==, "{\"a\":0.1,\"b\":[1,2.5,1e+300,-0.0,3.0],\"c\":{},\"d\":[],"
                                "\"e\":\"q\\\"\\n\\u0001\",\"f\":null,\"g\":true}");
  g_assert_nonnull (strstr (pretty, "\n  \"a\": 0.1,\n"));
  g_assert_nonnull (strstr (pretty, "\"c\": {},"));
  back = json_from_string (pretty, NULL);
  g_assert_true (json_node_equal (back, node));
  g_assert_cmpstr (null_text, ==, "null");
}

static void
test_time_format (void)
{
  char buffer[40];

  deca_format_time_iso8601 (G_GINT64_CONSTANT (1700000000123456), buffer, sizeof buffer);
  g_assert_cmpstr (buffer, ==, "2023-11-14T22:13:20.123Z");
  deca_format_time_iso8601 (0, buffer, sizeof buffer);
  g_assert_cmpstr (buffer, ==, "1970-01-01T00:00:00.000Z");
}

static void
test_event_json (void)
{
  DecaEvent event = { 0 };
  g_autoptr(JsonNode) output = json_from_string ("{\"n\": 1}", NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *with = NULL;
  g_autofree char *without = NULL;
  JsonObject *object;

  event.type = DECA_EVENT_NODE_SUCCEEDED;
  event.execution_id = "e-1";
  event.flow_id = "f";
  event.seq = 7;
  event.time_us = G_GINT64_CONSTANT (1700000000000000);
  event.node_id = "a\"b";
  event.node_key = "loop[1]/a\"b";
  event.attempt = 2;
  event.port = "main";
  event.output = output;
  event.duration_us = -5;
  event.message = "line\nbreak\ttab\x01";

  with = deca_event_to_json_string (&event, TRUE);
  without = deca_event_to_json_string (&event, FALSE);
  node = json_from_string (with, NULL);
  g_assert_nonnull (node);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "node.succeeded");
  g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (object, "node_id"), ==, "a\"b");
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "line\nbreak\ttab\x01");
  g_assert_cmpstr (json_object_get_string_member (object, "time"), ==, "2023-11-14T22:13:20.000Z");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "output"), "n"), ==, 1);
  g_assert_null (strstr (without, "output"));

  /* The stored form leaves out the columns, and expands back to the whole event. */
  {
    g_autofree char *stored = NULL;
    g_autofree char *expanded = NULL;
    g_autoptr(JsonNode) full = NULL;
    g_autoptr(JsonNode) original = json_from_string (without, NULL);

    stored = deca_event_to_stored_json (&event);
    g_assert_null (strstr (stored, "execution_id"));
    g_assert_null (strstr (stored, "\"seq\""));
    expanded = deca_event_expand_stored ("e-1", 7, "node.succeeded", event.time_us, stored);
    full = json_from_string (expanded, NULL);
    json_object_remove_member (json_node_get_object (original), "flow_id");
    g_assert_true (json_node_equal (full, original));

    /* node_key equal to node_id is left out, and comes back. */
    event.node_key = event.node_id;
    g_clear_pointer (&stored, g_free);
    g_clear_pointer (&expanded, g_free);
    stored = deca_event_to_stored_json (&event);
    g_assert_null (strstr (stored, "node_key"));
    expanded = deca_event_expand_stored ("e-1", 7, "node.succeeded", event.time_us, stored);
    g_assert_nonnull (strstr (expanded, "\"node_key\":\"a\\\"b\""));
  }
}

/* JSON pointers are split with ~1 and ~0 read in one pass; lookups stop at anything that
 * is not an object. */
static void
test_pointer (void)
{
  static const struct {
    const char *pointer;
    const char *tokens;   /* joined by "|" */
  } splits[] = {
    { "/headers/a~1b", "headers|a/b" },
    { "/x~01", "x~1" },
    { "/~0~1", "~/" },
    { "/a/", "a|" },
    { "url", "url" },
    { "a/b", "a/b" },
    { "/", "" },
    { "", "" },
  };
  g_autoptr(JsonNode) root = json_from_string ("{\"auth\": {\"type\": \"bearer\", \"a/b\": 2},"
                                               " \"n\": 1.5, \"i\": 3, \"s\": \"3\", \"z\": null}",
                                               NULL);
  JsonObject *object = json_node_get_object (root);
  double number = -1;

  for (guint i = 0; i < G_N_ELEMENTS (splits); i++)
    {
      g_auto(GStrv) tokens = deca_json_pointer_split (splits[i].pointer);
      g_autofree char *joined = g_strjoinv ("|", tokens);

      g_assert_cmpstr (joined, ==, splits[i].tokens);
      if (g_str_equal (splits[i].pointer, "/") || *splits[i].pointer == '\0')
        g_assert_null (tokens[0]);
    }

  g_assert_cmpstr (json_node_get_string (deca_json_object_lookup (object, "/auth/type")), ==, "bearer");
  g_assert_cmpint (json_node_get_int (deca_json_object_lookup (object, "/auth/a~1b")), ==, 2);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (deca_json_object_lookup (object, "/auth")));
  g_assert_null (deca_json_object_lookup (object, "/auth/none"));
  g_assert_null (deca_json_object_lookup (object, "/n/deeper"));
  g_assert_null (deca_json_object_lookup (object, "/"));

  g_assert_true (deca_json_object_get_number (object, "n", &number));
  g_assert_cmpfloat (number, ==, 1.5);
  g_assert_true (deca_json_object_get_number (object, "i", &number));
  g_assert_cmpfloat (number, ==, 3);
  g_assert_false (deca_json_object_get_number (object, "s", &number));
  g_assert_false (deca_json_object_get_number (object, "z", &number));
  g_assert_false (deca_json_object_get_number (object, "absent", &number));
  g_assert_false (deca_json_object_get_number (NULL, "n", &number));
  g_assert_cmpfloat (number, ==, 3);
  g_assert_true (deca_json_node_get_number (json_object_get_member (object, "i"), NULL));
  g_assert_false (deca_json_node_get_number (NULL, &number));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/flow/typed-view", test_typed_view);
  g_test_add_func ("/deca/engine/flow/defaults", test_defaults);
  g_test_add_func ("/deca/engine/flow/round-trip", test_round_trip);
  g_test_add_func ("/deca/engine/flow/shape-errors", test_shape_errors);
  g_test_add_func ("/deca/engine/flow/missing-file", test_missing_file);
  g_test_add_func ("/deca/engine/json/parse-positions", test_parse_positions);
  g_test_add_func ("/deca/engine/json/parse-unterminated", test_parse_unterminated);
  g_test_add_func ("/deca/engine/json/redact", test_redact);
  g_test_add_func ("/deca/engine/json/pointer", test_pointer);
  g_test_add_func ("/deca/engine/json/to-string", test_to_string);
  g_test_add_func ("/deca/engine/json/time-format", test_time_format);
  g_test_add_func ("/deca/engine/event/json", test_event_json);

  return g_test_run ();
}
