/* Tests of the built-in node types, driven directly through DecaNodeInvocation with a
 * fake host, a manual clock and a scope over a small table of roots. */

#include <glib.h>
#include <string.h>

#include "deca-engine.h"

/* ---- Fixture ----------------------------------------------------------------------- */

typedef struct {
  DecaNodeRegistry *registry;
  DecaManualClock  *clock;
  GCancellable     *cancellable;
  GHashTable       *roots;        /* name -> JsonNode */
  DecaExprScope     scope;
  DecaNodeHost      host;

  /* What the fake host answers and records. */
  gboolean          has_decision;
  gboolean          approved;
  const char       *comment;
  const char       *decided_by;
  char             *approval_key;
  JsonNode         *response;
  GPtrArray        *logs;         /* "LEVEL message" */
  JsonObject       *credentials;
  gboolean          refuse_subflow;
  char             *subflow_id;
  gint64            subflow_version;
  JsonNode         *subflow_input;
  DecaSubflowDoneFunc subflow_done;
  gpointer          subflow_done_data;

  int               done_calls;
} Fixture;

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static JsonNode *
resolve_root (const char *name,
              gpointer    user_data)
{
  Fixture *f = user_data;

  return g_hash_table_lookup (f->roots, name);
}

static JsonObject *
host_lookup_credential (gpointer    host_data,
                        const char *name,
                        GError    **error)
{
  Fixture *f = host_data;
  JsonNode *fields = f->credentials ? json_object_get_member (f->credentials, name) : NULL;

  if (fields == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                   "credential '%s' is not defined", name);
      return NULL;
    }
  return json_object_ref (json_node_get_object (fields));
}

static gboolean
host_get_approval (gpointer    host_data,
                   const char *node_key,
                   gboolean   *approved,
                   char      **comment,
                   char      **decided_by)
{
  Fixture *f = host_data;

  g_free (f->approval_key);
  f->approval_key = g_strdup (node_key);
  if (!f->has_decision)
    return FALSE;
  *approved = f->approved;
  *comment = g_strdup (f->comment);
  *decided_by = g_strdup (f->decided_by);
  return TRUE;
}

static void
host_set_response (gpointer  host_data,
                   JsonNode *response)
{
  Fixture *f = host_data;

  g_clear_pointer (&f->response, json_node_unref);
  f->response = json_node_ref (response);
}

static gboolean
host_run_subflow (gpointer             host_data,
                  DecaNodeInvocation  *invocation,
                  const char          *flow_id,
                  gint64               version,
                  JsonNode            *input,
                  DecaSubflowDoneFunc  done,
                  gpointer             done_data,
                  GError             **error)
{
  Fixture *f = host_data;

  if (f->refuse_subflow)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                   "flow '%s' does not exist", flow_id);
      return FALSE;
    }
  f->subflow_id = g_strdup (flow_id);
  f->subflow_version = version;
  f->subflow_input = json_node_ref (input);
  f->subflow_done = done;
  f->subflow_done_data = done_data;
  return TRUE;
}

static void
host_log (gpointer            host_data,
          DecaNodeInvocation *invocation,
          GLogLevelFlags      level,
          const char         *message)
{
  Fixture *f = host_data;
  const char *name = level & G_LOG_LEVEL_DEBUG ? "DEBUG"
                   : level & G_LOG_LEVEL_INFO ? "INFO"
                   : level & G_LOG_LEVEL_WARNING ? "WARNING"
                   : level & G_LOG_LEVEL_CRITICAL ? "CRITICAL" : "OTHER";

  g_ptr_array_add (f->logs, g_strdup_printf ("%s %s", name, message));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->registry = deca_node_registry_new_builtin ();
  /* 2030-01-01T00:00:00Z */
  f->clock = deca_manual_clock_new (G_GINT64_CONSTANT (1893456000) * G_USEC_PER_SEC);
  f->cancellable = g_cancellable_new ();
  f->roots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) json_node_unref);
  g_hash_table_insert (f->roots, g_strdup ("input"),
                       parse_json ("{\"n\": 5, \"customer\": {\"name\": \"Ada\", \"tier\": \"gold\"},"
                                   " \"items\": [{\"id\": 1, \"price\": 2}, {\"id\": 2, \"price\": 3}],"
                                   " \"empty\": \"\"}"));
  f->scope.resolve = resolve_root;
  f->scope.user_data = f;
  f->scope.now_us = 0;
  f->host.lookup_credential = host_lookup_credential;
  f->host.get_approval = host_get_approval;
  f->host.set_response = host_set_response;
  f->host.run_subflow = host_run_subflow;
  f->host.log = host_log;
  f->logs = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->registry);
  g_assert_finalize_object (f->clock);
  g_assert_finalize_object (f->cancellable);
  g_hash_table_unref (f->roots);
  g_free (f->approval_key);
  g_clear_pointer (&f->response, json_node_unref);
  g_ptr_array_unref (f->logs);
  g_clear_pointer (&f->credentials, json_object_unref);
  g_free (f->subflow_id);
  g_clear_pointer (&f->subflow_input, json_node_unref);
}

static void
done_cb (DecaNodeInvocation *invocation,
         gpointer            user_data)
{
  Fixture *f = user_data;

  f->done_calls++;
}

/* Creates an invocation of @config (JSON text) with the fixture's host (or none). */
static DecaNodeInvocation *
new_invocation (Fixture    *f,
                const char *config_json,
                gboolean    with_host)
{
  g_autoptr(JsonNode) config = parse_json (config_json);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (config));
  return deca_node_invocation_new ("exec-1", "node-1", NULL, json_node_get_object (config),
                                   &f->scope, 1, DECA_CLOCK (f->clock), f->cancellable,
                                   with_host ? &f->host : NULL, f, done_cb, f);
}

/* Runs node type @type with @config and returns the invocation (possibly still pending). */
static DecaNodeInvocation *
run_node_full (Fixture    *f,
               const char *type,
               const char *config_json,
               gboolean    with_host)
{
  DecaNodeType *node_type = deca_node_registry_lookup (f->registry, type);
  DecaNodeInvocation *invocation;

  g_assert_nonnull (node_type);
  invocation = new_invocation (f, config_json, with_host);
  deca_node_type_invoke (node_type, invocation);
  return invocation;
}

static DecaNodeInvocation *
run_node (Fixture    *f,
          const char *type,
          const char *config_json)
{
  return run_node_full (f, type, config_json, TRUE);
}

static void
assert_json_equal (JsonNode   *actual,
                   const char *expected_json)
{
  g_autoptr(JsonNode) expected = parse_json (expected_json);

  if (actual == NULL || !json_node_equal (actual, expected))
    {
      g_autofree char *text = actual ? json_to_string (actual, FALSE) : g_strdup ("(null)");

      g_error ("expected %s, got %s", expected_json, text);
    }
}

static void
assert_output (DecaNodeInvocation *invocation,
               const char         *expected_json)
{
  const GError *error = deca_node_invocation_get_error (invocation);

  if (error != NULL)
    g_error ("expected output %s, got error: %s", expected_json, error->message);
  g_assert_cmpint (deca_node_invocation_get_outcome (invocation), ==, DECA_INVOCATION_SUCCEEDED);
  assert_json_equal (deca_node_invocation_get_output (invocation), expected_json);
}

static void
assert_error (DecaNodeInvocation *invocation,
              int                 code,
              const char         *substring)
{
  const GError *error = deca_node_invocation_get_error (invocation);

  g_assert_cmpint (deca_node_invocation_get_outcome (invocation), ==, DECA_INVOCATION_FAILED);
  g_assert_nonnull (error);
  if (code >= 0)
    g_assert_error (error, DECA_ENGINE_ERROR, code);
  if (strstr (error->message, substring) == NULL)
    g_error ("expected an error containing \"%s\", got \"%s\"", substring, error->message);
}

/* Collects the problems check_config reports for @config as "pointer: message" lines. */
static char *
check_config (Fixture    *f,
              const char *type,
              const char *config_json)
{
  g_autoptr(JsonNode) config = parse_json (config_json);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
  g_autoptr(GString) out = g_string_new (NULL);

  deca_node_type_check_config (deca_node_registry_lookup (f->registry, type),
                               json_node_get_object (config), problems);
  for (guint i = 0; i < problems->len; i++)
    {
      DecaValidationProblem *problem = problems->pdata[i];

      g_string_append_printf (out, "%s%s: %s", i ? "\n" : "", problem->pointer, problem->message);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- transform --------------------------------------------------------------------- */

typedef struct {
  const char *config;
  const char *output;   /* NULL when an error is expected */
  const char *error;
  int         code;     /* 0: DECA_ENGINE_ERROR_NODE_FAILED */
} TransformCase;

static const TransformCase transform_cases[] = {
  /* source */
  { "{}", "{}", NULL },
  { "{\"source\": {\"a\": 1, \"b\": [1, {\"c\": 2}]}}", "{\"a\": 1, \"b\": [1, {\"c\": 2}]}", NULL },
  { "{\"source\": [1, 2]}", "[1, 2]", NULL },
  { "{\"source\": \"text\"}", "\"text\"", NULL },
  /* remove */
  { "{\"source\": {\"a\": 1, \"b\": 2}, \"remove\": [\"b\", \"missing\"]}", "{\"a\": 1}", NULL },
  { "{\"source\": {\"c\": {\"x\": 1, \"y\": 2}}, \"remove\": [\"c.x\", \"c.q.r\"]}", "{\"c\": {\"y\": 2}}", NULL },
  { "{\"source\": {\"a\": 1}, \"remove\": [3]}", NULL, "'remove[0]' must be a field name, got number" },
  { "{\"source\": {\"a\": 1}, \"remove\": [\"a.\"]}", NULL, "'remove[0]': 'a.' has an empty field name" },
  { "{\"source\": {\"a\": 1}, \"remove\": \"a\"}", NULL, "'remove' must be an array, got string" },
  /* rename */
  { "{\"source\": {\"a\": 1, \"b\": 2}, \"rename\": {\"a\": \"z\", \"nope\": \"q\"}}", "{\"z\": 1, \"b\": 2}", NULL },
  { "{\"source\": {\"a\": 1}, \"rename\": {\"a\": \"x.y\"}}", "{\"x\": {\"y\": 1}}", NULL },
  { "{\"source\": {\"p\": {\"q\": 1}, \"b\": 2}, \"rename\": {\"p.q\": \"b\"}}", "{\"p\": {}, \"b\": 1}", NULL },
  { "{\"source\": {\"a\": 1}, \"rename\": {\"a\": 1}}", NULL, "'rename.a' must be the new field name, got number" },
  { "{\"source\": {\"a\": 1, \"s\": \"x\"}, \"rename\": {\"a\": \"s.t\"}}", NULL, "'rename.a': 's' is string, not an object" },
  /* set */
  { "{\"source\": {\"a\": 1}, \"set\": {\"b\": \"two\", \"customer.name\": \"Ada\"}}",
    "{\"a\": 1, \"b\": \"two\", \"customer\": {\"name\": \"Ada\"}}", NULL },
  { "{\"set\": {\"x.y.z\": [1], \"x.w\": null}}", "{\"x\": {\"y\": {\"z\": [1]}, \"w\": null}}", NULL },
  { "{\"source\": {\"a\": \"s\"}, \"set\": {\"a.b\": 1}}", NULL, "'set.a.b': 'a' is string, not an object" },
  { "{\"set\": {\"a..b\": 1}}", NULL, "'set.a..b': 'a..b' has an empty field name" },
  { "{\"source\": [1], \"set\": {\"a\": 1}}", NULL, "'source' must be an object to remove, rename or set fields, got array" },
  { "{\"set\": [1]}", NULL, "'set' must be an object, got array" },
  /* order: source, remove, rename, set */
  { "{\"source\": {\"a\": 1, \"b\": 2}, \"remove\": [\"a\"], \"rename\": {\"b\": \"a\"}, \"set\": {\"b\": 3}}",
    "{\"a\": 2, \"b\": 3}", NULL },
  /* map */
  { "{\"map\": {\"items\": \"input.items\", \"as\": {\"id\": \"{{item.id}}\", \"pos\": \"{{index}}\","
    " \"label\": \"#{{index}}: {{item.price}} for {{input.customer.name}}\", \"fixed\": 7,"
    " \"nested\": {\"double\": \"{{item.price * 2}}\"}, \"list\": [\"{{item.id}}\", true]}}}",
    "[{\"id\": 1, \"pos\": 0, \"label\": \"#0: 2 for Ada\", \"fixed\": 7, \"nested\": {\"double\": 4}, \"list\": [1, true]},"
    " {\"id\": 2, \"pos\": 1, \"label\": \"#1: 3 for Ada\", \"fixed\": 7, \"nested\": {\"double\": 6}, \"list\": [2, true]}]",
    NULL },
  { "{\"map\": {\"items\": \"input.items\", \"as\": \"{{item.price}}\"}}", "[2, 3]", NULL },
  { "{\"map\": {\"items\": \"input.items\"}}", "[{\"id\": 1, \"price\": 2}, {\"id\": 2, \"price\": 3}]", NULL },
  { "{\"map\": {\"items\": \"[]\", \"as\": {\"x\": \"{{item}}\"}}}", "[]", NULL },
  { "{\"map\": {\"items\": \"input.n\"}}", NULL, "'map.items' must evaluate to an array, got number" },
  { "{\"map\": {\"items\": \"input.items\", \"as\": {\"x\": \"{{item.}}\"}}}", NULL, "'map.as.x'", DECA_ENGINE_ERROR_EXPRESSION },
  { "{\"map\": {\"items\": \"input.items\", \"as\": {\"x\": \"{{nothing.here}}\"}}}", NULL, "'map.as (item 0).x'", DECA_ENGINE_ERROR_EVALUATION },
  { "{\"map\": {\"items\": \"input.items\"}, \"source\": {}}", NULL, "'map' cannot be combined with 'source'" },
  { "{\"map\": {\"as\": \"x\"}}", NULL, "'map.items' is required" },
};

static void
test_transform_table (Fixture       *f,
                      gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (transform_cases); i++)
    {
      const TransformCase *c = &transform_cases[i];
      g_autoptr(DecaNodeInvocation) invocation = NULL;

      g_test_message ("case %u: %s", i, c->config);
      invocation = run_node (f, "transform", c->config);
      if (c->output != NULL)
        assert_output (invocation, c->output);
      else
        assert_error (invocation, c->code ? c->code : DECA_ENGINE_ERROR_NODE_FAILED, c->error);
    }
  g_assert_cmpint (f->done_calls, ==, G_N_ELEMENTS (transform_cases));
}

/* The node works on a copy: the config (which the executor may reuse) stays as it was. */
static void
test_transform_copies_source (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = NULL;
  JsonObject *config;

  invocation = run_node (f, "transform",
                         "{\"source\": {\"a\": {\"b\": 1, \"c\": 2}}, \"remove\": [\"a.b\"],"
                         " \"set\": {\"a.d\": 3}}");
  assert_output (invocation, "{\"a\": {\"c\": 2, \"d\": 3}}");
  config = deca_node_invocation_get_config (invocation);
  assert_json_equal (json_object_get_member (config, "source"), "{\"a\": {\"b\": 1, \"c\": 2}}");
}

/* ---- condition --------------------------------------------------------------------- */

static void
test_condition (Fixture       *f,
                gconstpointer  data)
{
  static const struct {
    const char *expression;
    gboolean    result;
  } cases[] = {
    { "input.n > 3", TRUE },
    { "input.n > 10", FALSE },
    { "{{input.n}} === 5", TRUE },
    { "input.customer.name", TRUE },   /* non-boolean: truthiness */
    { "input.empty", FALSE },
    { "0", FALSE },
    { "1", TRUE },
    { "[]", FALSE },
    { "null", FALSE },
    { "input.items", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) config = json_object_new ();
      g_autoptr(DecaNodeInvocation) invocation = NULL;
      g_autofree char *expected = g_strdup_printf ("{\"result\": %s}", cases[i].result ? "true" : "false");

      g_test_message ("expression %s", cases[i].expression);
      json_object_set_string_member (config, "expression", cases[i].expression);
      invocation = deca_node_invocation_new ("exec-1", "cond", NULL, config, &f->scope, 1,
                                             DECA_CLOCK (f->clock), NULL, &f->host, f, done_cb, f);
      deca_node_type_invoke (deca_node_registry_lookup (f->registry, "condition"), invocation);
      assert_output (invocation, expected);
      g_assert_cmpstr (deca_node_invocation_get_port (invocation), ==, cases[i].result ? "true" : "false");
    }
}

static void
test_condition_errors (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) syntax = run_node (f, "condition", "{\"expression\": \"1 +\"}");
  g_autoptr(DecaNodeInvocation) unknown = run_node (f, "condition", "{\"expression\": \"nobody.home\"}");
  g_autoptr(DecaNodeInvocation) missing = run_node (f, "condition", "{}");
  DecaNodeType *type = deca_node_registry_lookup (f->registry, "condition");

  assert_error (syntax, -1, "node-1");
  assert_error (unknown, -1, "nobody");
  assert_error (missing, DECA_ENGINE_ERROR_NODE_FAILED, "'expression' is required");
  g_assert_cmpstr (deca_node_type_get_default_port (type), ==, "true");
}

/* ---- branch ------------------------------------------------------------------------ */

#define BRANCH_CASES \
  "\"cases\": [{\"port\": \"small\", \"when\": \"value < 3\"}," \
  " {\"port\": \"five\", \"equals\": 5}, {\"port\": \"big\", \"when\": \"value > 3\"}]"

static void
test_branch (Fixture       *f,
             gconstpointer  data)
{
  static const struct {
    const char *config;
    const char *port;
    const char *output;
  } cases[] = {
    /* "big" matches too, but "five" comes first */
    { "{\"value\": \"input.n\", " BRANCH_CASES "}", "five", "{\"port\": \"five\", \"value\": 5}" },
    { "{\"value\": \"input.n - 4\", " BRANCH_CASES "}", "small", "{\"port\": \"small\", \"value\": 1}" },
    { "{\"value\": \"input.n * 2\", " BRANCH_CASES "}", "big", "{\"port\": \"big\", \"value\": 10}" },
    { "{\"value\": \"input.customer.tier\", \"cases\": [{\"port\": \"silver\", \"equals\": \"silver\"},"
      " {\"port\": \"gold\", \"equals\": \"gold\"}]}", "gold", "{\"port\": \"gold\", \"value\": \"gold\"}" },
    { "{\"value\": \"input.customer\", \"cases\": [{\"port\": \"ada\", \"equals\": {\"tier\": \"gold\", \"name\": \"Ada\"}}]}",
      "ada", "{\"port\": \"ada\", \"value\": {\"name\": \"Ada\", \"tier\": \"gold\"}}" },
    { "{\"value\": \"input.customer.name\", \"cases\": [{\"port\": \"bob\", \"equals\": \"Bob\"}]}",
      "default", "{\"port\": \"default\", \"value\": \"Ada\"}" },
    /* no value: plain conditions */
    { "{\"cases\": [{\"port\": \"no\", \"when\": \"input.n === 4\"}, {\"port\": \"yes\", \"when\": \"input.n === 5\"}]}",
      "yes", "{\"port\": \"yes\", \"value\": null}" },
    { "{\"cases\": []}", "default", "{\"port\": \"default\", \"value\": null}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DecaNodeInvocation) invocation = NULL;

      g_test_message ("case %u: %s", i, cases[i].config);
      invocation = run_node (f, "branch", cases[i].config);
      assert_output (invocation, cases[i].output);
      g_assert_cmpstr (deca_node_invocation_get_port (invocation), ==, cases[i].port);
    }
}

static void
test_branch_errors (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) bad_when = NULL;
  g_autoptr(DecaNodeInvocation) bad_value = NULL;
  g_autoptr(DecaNodeInvocation) no_test = NULL;

  bad_when = run_node (f, "branch", "{\"cases\": [{\"port\": \"a\", \"when\": \"input.n ===\"}]}");
  assert_error (bad_when, -1, "'cases[0].when'");
  bad_value = run_node (f, "branch", "{\"value\": \"missing.root\", \"cases\": []}");
  assert_error (bad_value, -1, "'value'");
  no_test = run_node (f, "branch", "{\"cases\": [{\"port\": \"a\", \"when\": \"false\"}, {\"port\": \"b\"}]}");
  assert_error (no_test, DECA_ENGINE_ERROR_NODE_FAILED, "'cases[1]' needs either 'when' or 'equals'");
}

static void
test_branch_ports_and_checks (Fixture       *f,
                              gconstpointer  data)
{
  DecaNodeType *type = deca_node_registry_lookup (f->registry, "branch");
  g_autoptr(JsonNode) config = parse_json ("{\"value\": \"input.n\", " BRANCH_CASES "}");
  g_auto(GStrv) ports = deca_node_type_list_output_ports (type, json_node_get_object (config));
  const char *expected[] = { "small", "five", "big", "default", NULL };
  g_autofree char *clean = check_config (f, "branch", "{\"value\": \"input.n\", " BRANCH_CASES "}");
  g_autofree char *problems = NULL;

  g_assert_true (g_strv_equal ((const char * const *) ports, expected));
  g_assert_cmpstr (deca_node_type_get_default_port (type), ==, "default");
  g_assert_cmpstr (clean, ==, "");

  problems = check_config (f, "branch",
                           "{\"cases\": [{\"port\": \"a\", \"when\": \"true\"},"
                           " {\"port\": \"a\", \"when\": \"false\"},"
                           " {\"port\": \"b\"},"
                           " {\"port\": \"error\", \"when\": \"true\"},"
                           " {\"port\": \"c\", \"equals\": 1},"
                           " {\"port\": \"d\", \"equals\": 1, \"when\": \"true\"},"
                           " {\"port\": \"default\", \"when\": \"true\"}]}");
  g_assert_cmpstr (problems, ==,
                   "/cases/1/port: port 'a' is already used by case 0\n"
                   "/cases/2: a case needs either 'when' or 'equals'\n"
                   "/cases/3/port: the port name 'error' is reserved for on_error connections\n"
                   "/cases/4/equals: 'equals' compares against 'value', which is not set\n"
                   "/cases/5: a case has either 'when' or 'equals', not both\n"
                   "/cases/6/port: the port name 'default' is reserved for when no case matches");
}

/* ---- loop -------------------------------------------------------------------------- */

static void
test_loop (Fixture       *f,
           gconstpointer  data)
{
  DecaNodeType *type = deca_node_registry_lookup (f->registry, "loop");
  g_autoptr(DecaNodeInvocation) ok = run_node (f, "loop", "{\"items\": \"input.items\", \"concurrency\": 2}");
  g_autoptr(DecaNodeInvocation) object = run_node (f, "loop", "{\"items\": \"input.customer\"}");
  g_autoptr(DecaNodeInvocation) number = run_node (f, "loop", "{\"items\": \"input.n\"}");
  g_autoptr(DecaNodeInvocation) zero = run_node (f, "loop", "{\"items\": \"[]\", \"concurrency\": 0}");
  g_autoptr(JsonObject) empty = json_object_new ();
  g_auto(GStrv) ports = deca_node_type_list_output_ports (type, empty);
  const char *expected[] = { "body", "done", NULL };

  g_assert_cmpint (deca_node_type_get_kind (type), ==, DECA_NODE_KIND_LOOP);
  g_assert_cmpstr (deca_node_type_get_category (type), ==, "flow");
  g_assert_true (g_strv_equal ((const char * const *) ports, expected));
  g_assert_cmpstr (deca_node_type_get_default_port (type), ==, "done");

  assert_output (ok, "[{\"id\": 1, \"price\": 2}, {\"id\": 2, \"price\": 3}]");
  assert_error (object, DECA_ENGINE_ERROR_NODE_FAILED, "'items' must evaluate to an array, got object");
  assert_error (number, DECA_ENGINE_ERROR_NODE_FAILED, "got number");
  assert_error (zero, DECA_ENGINE_ERROR_NODE_FAILED, "'concurrency' must be at least 1");
}

/* ---- wait -------------------------------------------------------------------------- */

static void
test_wait_duration (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = run_node (f, "wait", "{\"duration\": 1.5}");

  g_assert_cmpint (deca_node_invocation_get_outcome (invocation), ==, DECA_INVOCATION_PENDING);
  g_assert_cmpuint (deca_manual_clock_get_pending (f->clock), ==, 1);

  deca_manual_clock_advance (f->clock, G_USEC_PER_SEC);
  g_assert_cmpint (deca_node_invocation_get_outcome (invocation), ==, DECA_INVOCATION_PENDING);

  deca_manual_clock_advance (f->clock, G_USEC_PER_SEC / 2);
  assert_output (invocation, "{\"waited_ms\": 1500, \"resumed_at\": \"2030-01-01T00:00:01.500000Z\"}");
  g_assert_cmpint (f->done_calls, ==, 1);
  g_assert_cmpuint (deca_manual_clock_get_pending (f->clock), ==, 0);
}

static void
test_wait_until (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) future = run_node (f, "wait", "{\"until\": \"2030-01-01T00:00:10Z\"}");
  g_autoptr(DecaNodeInvocation) past = NULL;
  g_autoptr(DecaNodeInvocation) zone = NULL;

  g_assert_cmpint (deca_node_invocation_get_outcome (future), ==, DECA_INVOCATION_PENDING);
  deca_manual_clock_advance (f->clock, 9 * G_USEC_PER_SEC);
  g_assert_cmpint (deca_node_invocation_get_outcome (future), ==, DECA_INVOCATION_PENDING);
  deca_manual_clock_advance (f->clock, G_USEC_PER_SEC);
  assert_output (future, "{\"waited_ms\": 10000, \"resumed_at\": \"2030-01-01T00:00:10Z\"}");

  /* In the past: at once, without a timeout. */
  past = run_node (f, "wait", "{\"until\": \"2020-06-01T12:00:00Z\"}");
  assert_output (past, "{\"waited_ms\": 0, \"resumed_at\": \"2030-01-01T00:00:10Z\"}");
  g_assert_cmpuint (deca_manual_clock_get_pending (f->clock), ==, 0);

  /* An offset is honoured: 01:00:20+01:00 is 00:00:20Z, 10 s from now. */
  zone = run_node (f, "wait", "{\"until\": \"2030-01-01T01:00:20+01:00\"}");
  g_assert_cmpint (deca_manual_clock_next_due (f->clock), ==,
                   (G_GINT64_CONSTANT (1893456000) + 20) * G_USEC_PER_SEC);
  deca_manual_clock_advance (f->clock, 10 * G_USEC_PER_SEC);
  assert_output (zone, "{\"waited_ms\": 10000, \"resumed_at\": \"2030-01-01T00:00:20Z\"}");
}

static void
test_wait_cancelled (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = run_node (f, "wait", "{\"duration\": 60}");

  g_assert_cmpuint (deca_manual_clock_get_pending (f->clock), ==, 1);
  g_cancellable_cancel (f->cancellable);
  /* The cancellation is delivered on the main context, like a timeout. */
  while (deca_node_invocation_get_outcome (invocation) == DECA_INVOCATION_PENDING)
    g_main_context_iteration (NULL, TRUE);

  assert_error (invocation, DECA_ENGINE_ERROR_CANCELLED, "cancelled");
  g_assert_cmpuint (deca_manual_clock_get_pending (f->clock), ==, 0);
  g_assert_cmpint (f->done_calls, ==, 1);

  /* Time moving on changes nothing. */
  deca_manual_clock_advance (f->clock, 120 * G_USEC_PER_SEC);
  g_assert_cmpint (f->done_calls, ==, 1);
}

static void
test_wait_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) both = run_node (f, "wait", "{\"duration\": 1, \"until\": \"2030-01-01T00:00:00Z\"}");
  g_autoptr(DecaNodeInvocation) neither = run_node (f, "wait", "{}");
  g_autoptr(DecaNodeInvocation) bad_until = run_node (f, "wait", "{\"until\": \"next tuesday\"}");
  g_autoptr(DecaNodeInvocation) negative = run_node (f, "wait", "{\"duration\": -1}");
  g_autoptr(DecaNodeInvocation) text = run_node (f, "wait", "{\"duration\": \"5\"}");
  g_autofree char *both_problems = check_config (f, "wait", "{\"duration\": 1, \"until\": \"2030-01-01T00:00:00Z\"}");
  g_autofree char *neither_problems = check_config (f, "wait", "{}");
  g_autofree char *bad_problems = check_config (f, "wait", "{\"until\": \"soon\"}");
  g_autofree char *template_problems = check_config (f, "wait", "{\"until\": \"{{input.at}}\"}");

  assert_error (both, DECA_ENGINE_ERROR_NODE_FAILED, "not both");
  assert_error (neither, DECA_ENGINE_ERROR_NODE_FAILED, "give one of");
  assert_error (bad_until, DECA_ENGINE_ERROR_NODE_FAILED, "'until' is not an ISO 8601 date-time: 'next tuesday'");
  assert_error (negative, DECA_ENGINE_ERROR_NODE_FAILED, "'duration' must be between");
  assert_error (text, DECA_ENGINE_ERROR_NODE_FAILED, "'duration' must be a number, got string");
  g_assert_cmpstr (both_problems, ==, "/until: give either 'duration' or 'until', not both");
  g_assert_cmpstr (neither_problems, ==, ": give one of 'duration' (seconds) or 'until' (a date-time)");
  g_assert_cmpstr (bad_problems, ==, "/until: 'soon' is not an ISO 8601 date-time");
  g_assert_cmpstr (template_problems, ==, "");
  g_assert_cmpuint (deca_manual_clock_get_pending (f->clock), ==, 0);
}

/* ---- approval ---------------------------------------------------------------------- */

static void
test_approval (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) paused = NULL;
  g_autoptr(DecaNodeInvocation) default_message = NULL;
  g_autoptr(DecaNodeInvocation) approved = NULL;
  g_autoptr(DecaNodeInvocation) rejected = NULL;
  g_autoptr(DecaNodeInvocation) no_host = NULL;

  paused = run_node (f, "approval", "{\"message\": \"Refund 20 EUR?\", \"approvers\": [\"ops@example.com\"]}");
  g_assert_cmpint (deca_node_invocation_get_outcome (paused), ==, DECA_INVOCATION_PAUSED);
  g_assert_cmpstr (deca_node_invocation_get_pause_reason (paused), ==, "Refund 20 EUR?");
  g_assert_cmpstr (f->approval_key, ==, "node-1");

  default_message = run_node (f, "approval", "{}");
  g_assert_cmpstr (deca_node_invocation_get_pause_reason (default_message), ==, "Waiting for approval");

  f->has_decision = TRUE;
  f->approved = TRUE;
  f->comment = "fine";
  f->decided_by = "ada";
  approved = run_node (f, "approval", "{\"message\": \"Refund?\"}");
  assert_output (approved, "{\"approved\": true, \"comment\": \"fine\", \"decided_by\": \"ada\"}");
  g_assert_cmpstr (deca_node_invocation_get_port (approved), ==, "approved");

  f->approved = FALSE;
  f->comment = NULL;
  rejected = run_node (f, "approval", "{\"message\": \"Refund?\"}");
  assert_output (rejected, "{\"approved\": false, \"comment\": null, \"decided_by\": \"ada\"}");
  g_assert_cmpstr (deca_node_invocation_get_port (rejected), ==, "rejected");

  /* Without a host there is never a decision: the node pauses. */
  no_host = run_node_full (f, "approval", "{}", FALSE);
  g_assert_cmpint (deca_node_invocation_get_outcome (no_host), ==, DECA_INVOCATION_PAUSED);
  g_assert_cmpint (f->done_calls, ==, 5);
}

/* ---- respond ----------------------------------------------------------------------- */

static void
test_respond (Fixture       *f,
              gconstpointer  data)
{
  const char *expected = "{\"status\": 201, \"headers\": {\"X-Order\": \"42\", \"Retry-After\": \"5\"},"
                         " \"body\": {\"ok\": true}}";
  g_autoptr(DecaNodeInvocation) ok = NULL;
  g_autoptr(DecaNodeInvocation) defaults = NULL;
  g_autoptr(DecaNodeInvocation) range = NULL;
  g_autoptr(DecaNodeInvocation) bad_header = NULL;
  g_autoptr(DecaNodeInvocation) no_host = NULL;

  ok = run_node (f, "respond", "{\"status\": 201, \"headers\": {\"X-Order\": \"42\", \"Retry-After\": 5},"
                               " \"body\": {\"ok\": true}}");
  assert_output (ok, expected);
  assert_json_equal (f->response, expected);

  defaults = run_node (f, "respond", "{}");
  assert_output (defaults, "{\"status\": 200, \"headers\": {}, \"body\": null}");

  range = run_node (f, "respond", "{\"status\": 700}");
  assert_error (range, DECA_ENGINE_ERROR_NODE_FAILED, "'status' must be between 100 and 599, got 700");
  bad_header = run_node (f, "respond", "{\"headers\": {\"X\": {\"a\": 1}}}");
  assert_error (bad_header, DECA_ENGINE_ERROR_NODE_FAILED, "'headers.X' must be a string, got object");
  no_host = run_node_full (f, "respond", "{}", FALSE);
  assert_error (no_host, DECA_ENGINE_ERROR_STATE, "no caller to respond to");
}

/* ---- log --------------------------------------------------------------------------- */

static void
test_log (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) warning = run_node (f, "log", "{\"message\": \"disk almost full\", \"level\": \"warning\"}");
  g_autoptr(DecaNodeInvocation) info = run_node (f, "log", "{\"message\": {\"n\": 5}}");
  g_autoptr(DecaNodeInvocation) bad = run_node (f, "log", "{\"message\": \"x\", \"level\": \"loud\"}");
  g_autoptr(DecaNodeInvocation) missing = run_node (f, "log", "{}");

  assert_output (warning, "{\"message\": \"disk almost full\", \"level\": \"warning\"}");
  assert_output (info, "{\"message\": \"{\\\"n\\\":5}\", \"level\": \"info\"}");
  assert_error (bad, DECA_ENGINE_ERROR_NODE_FAILED, "'level' must be debug, info, warning or error, not 'loud'");
  assert_error (missing, DECA_ENGINE_ERROR_NODE_FAILED, "'message' is required");
  g_assert_cmpuint (f->logs->len, ==, 2);
  g_assert_cmpstr (f->logs->pdata[0], ==, "WARNING disk almost full");
  g_assert_cmpstr (f->logs->pdata[1], ==, "INFO {\"n\":5}");
}

/* ---- subflow ----------------------------------------------------------------------- */

static void
test_subflow (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = NULL;
  g_autoptr(JsonNode) child_output = parse_json ("{\"score\": 0.9}");

  invocation = run_node (f, "subflow", "{\"flow_id\": \"scoring\", \"version\": 3, \"input\": {\"name\": \"Ada\"}}");
  g_assert_cmpint (deca_node_invocation_get_outcome (invocation), ==, DECA_INVOCATION_PENDING);
  g_assert_cmpstr (f->subflow_id, ==, "scoring");
  g_assert_cmpint (f->subflow_version, ==, 3);
  assert_json_equal (f->subflow_input, "{\"name\": \"Ada\"}");

  f->subflow_done (child_output, NULL, f->subflow_done_data);
  assert_output (invocation, "{\"score\": 0.9}");
  /* A copy: the child's output stays the child's. */
  g_assert_true (deca_node_invocation_get_output (invocation) != child_output);
  g_assert_cmpint (f->done_calls, ==, 1);
}

static void
test_subflow_errors (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) failed = NULL;
  g_autoptr(DecaNodeInvocation) refused = NULL;
  g_autoptr(DecaNodeInvocation) no_host = NULL;
  g_autoptr(DecaNodeInvocation) no_id = NULL;
  g_autoptr(GError) child_error = g_error_new_literal (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_TIMEOUT,
                                                       "flow timed out after 300 s");

  failed = run_node (f, "subflow", "{\"flow_id\": \"scoring\"}");
  g_assert_cmpint (f->subflow_version, ==, 0);
  assert_json_equal (f->subflow_input, "null");
  f->subflow_done (NULL, child_error, f->subflow_done_data);
  assert_error (failed, DECA_ENGINE_ERROR_TIMEOUT, "flow 'scoring' failed: flow timed out after 300 s");

  f->refuse_subflow = TRUE;
  refused = run_node (f, "subflow", "{\"flow_id\": \"ghost\"}");
  assert_error (refused, DECA_ENGINE_ERROR_NOT_FOUND, "flow 'ghost' does not exist");

  no_host = run_node_full (f, "subflow", "{\"flow_id\": \"ghost\"}", FALSE);
  assert_error (no_host, DECA_ENGINE_ERROR_STATE, "subflows");

  no_id = run_node (f, "subflow", "{\"version\": 2}");
  assert_error (no_id, DECA_ENGINE_ERROR_NODE_FAILED, "'flow_id' is required");
}

/* ---- triggers ---------------------------------------------------------------------- */

static void
test_triggers (Fixture       *f,
               gconstpointer  data)
{
  const char *names[] = { "webhook", "schedule", "event", "manual" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      DecaNodeType *type = deca_node_registry_lookup (f->registry, names[i]);
      g_autoptr(DecaNodeInvocation) invocation = NULL;
      g_autofree char *input = json_to_string (g_hash_table_lookup (f->roots, "input"), FALSE);

      g_assert_nonnull (type);
      g_assert_cmpstr (deca_node_type_get_name (type), ==, names[i]);
      g_assert_cmpint (deca_node_type_get_kind (type), ==, DECA_NODE_KIND_TRIGGER);
      g_assert_cmpstr (deca_node_type_get_category (type), ==, "trigger");
      invocation = run_node (f, names[i], "{}");
      assert_output (invocation, input);
    }
}

static void
test_trigger_checks (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *good = check_config (f, "schedule", "{\"type\": \"schedule\", \"cron\": \"0 9 * * MON-FRI\", \"timezone\": \"Europe/Berlin\"}");
  g_autofree char *bad_cron = check_config (f, "schedule", "{\"cron\": \"0 24 * * *\"}");
  g_autofree char *bad_zone = check_config (f, "schedule", "{\"cron\": \"@hourly\", \"timezone\": \"Mars/Olympus\"}");
  g_autofree char *webhook = check_config (f, "webhook", "{\"path\": \"/hooks/a\"}");

  g_assert_cmpstr (good, ==, "");
  g_assert_true (g_str_has_prefix (bad_cron, "/cron: invalid cron expression: "));
  g_assert_nonnull (strstr (bad_cron, "hour"));
  g_assert_cmpstr (bad_zone, ==, "/timezone: unknown time zone 'Mars/Olympus'");
  g_assert_cmpstr (webhook, ==, "");
}

static void
test_trigger_without_input (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = NULL;

  g_hash_table_remove (f->roots, "input");
  invocation = run_node (f, "manual", "{}");
  assert_error (invocation, -1, "input");
}

/* ---- schemas and the registry ------------------------------------------------------ */

/* Every property, at every depth, has a description; objects say "type": "object". */
static void
check_schema_descriptions (JsonObject *schema,
                           const char *where)
{
  JsonObject *properties;
  JsonObjectIter iter;
  const char *name;
  JsonNode *property;

  if (!json_object_has_member (schema, "properties"))
    return;
  g_assert_cmpstr (json_object_get_string_member_with_default (schema, "type", ""), ==, "object");
  properties = json_object_get_object_member (schema, "properties");
  json_object_iter_init (&iter, properties);
  while (json_object_iter_next (&iter, &name, &property))
    {
      g_autofree char *path = g_strdup_printf ("%s.%s", where, name);
      JsonObject *object;
      const char *description;

      g_assert_true (JSON_NODE_HOLDS_OBJECT (property));
      object = json_node_get_object (property);
      description = json_object_get_string_member_with_default (object, "description", "");
      if (strlen (description) < 10)
        g_error ("%s has no real description", path);
      check_schema_descriptions (object, path);
      if (json_object_has_member (object, "items")
          && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "items")))
        check_schema_descriptions (json_object_get_object_member (object, "items"), path);
    }
}

/* A valid config of every type, which its schema and check_config must accept. */
static const struct {
  const char *type;
  const char *config;
} sample_configs[] = {
  { "transform", "{\"source\": {\"a\": 1}, \"remove\": [\"a\"], \"rename\": {\"b\": \"c\"}, \"set\": {\"d.e\": \"{{input.n}}\"}}" },
  { "transform", "{\"map\": {\"items\": \"input.items\", \"as\": {\"id\": \"{{item.id}}\"}}}" },
  { "condition", "{\"expression\": \"input.n > 3\"}" },
  { "branch", "{\"value\": \"input.n\", " BRANCH_CASES "}" },
  { "loop", "{\"items\": \"input.items\", \"concurrency\": 4}" },
  { "wait", "{\"duration\": 2.5}" },
  { "wait", "{\"until\": \"2030-01-01T00:00:00Z\"}" },
  { "http", "{\"method\": \"POST\", \"url\": \"https://api.example.com/x\", \"headers\": {\"A\": \"b\"},"
            " \"query\": {\"q\": \"1\"}, \"body\": {\"a\": 1}, \"body_type\": \"json\","
            " \"auth\": {\"type\": \"bearer\", \"credential\": \"api\"}, \"timeout\": 5,"
            " \"follow_redirects\": false, \"max_redirects\": 3, \"response_type\": \"json\","
            " \"fail_on_status\": false}" },
  { "subflow", "{\"flow_id\": \"child\", \"version\": 2, \"input\": {\"a\": 1}}" },
  { "respond", "{\"status\": 202, \"headers\": {\"X-A\": \"1\"}, \"body\": \"ok\"}" },
  { "approval", "{\"message\": \"Ship it?\", \"approvers\": [\"ada\"]}" },
  { "log", "{\"message\": \"hello\", \"level\": \"debug\"}" },
  { "webhook", "{\"type\": \"webhook\", \"path\": \"/hooks/order\", \"method\": \"POST\"}" },
  { "schedule", "{\"type\": \"schedule\", \"cron\": \"*/5 * * * *\", \"timezone\": \"UTC\"}" },
  { "event", "{\"type\": \"event\", \"event\": \"customer.created\"}" },
  { "manual", "{\"type\": \"manual\"}" },
};

/* Configs the schema itself must refuse (a typo, a wrong type, an out-of-range value). */
static const struct {
  const char *type;
  const char *config;
  const char *pointer;
} schema_rejects[] = {
  { "condition", "{}", "/expression" },
  { "condition", "{\"expression\": \"true\", \"expresion\": \"true\"}", "/expresion" },
  { "loop", "{\"items\": \"x\", \"concurrency\": 0}", "/concurrency" },
  { "http", "{\"url\": \"https://x\", \"method\": \"FETCH\"}", "/method" },
  { "respond", "{\"status\": 99}", "/status" },
  { "log", "{\"message\": \"m\", \"level\": \"loud\"}", "/level" },
  { "webhook", "{\"path\": \"hooks\"}", "/path" },
  { "schedule", "{}", "/cron" },
  { "event", "{}", "/event" },
  { "publish_event", "{\"topic\": \"a\", \"extra\": 1}", "/extra" },
  { "branch", "{\"cases\": [{\"when\": \"true\"}]}", "/cases/0/port" },
  { "transform", "{\"map\": {\"items\": \"x\", \"as\": 3}}", "/map/as" },
};

static void
test_registry_and_schemas (Fixture       *f,
                           gconstpointer  data)
{
  const char *expected[] = { "approval", "branch", "condition", "event", "http", "log", "loop",
                             "manual", "publish_event", "respond", "schedule", "subflow", "transform", "wait",
                             "webhook", NULL };
  const char *categories[] = { "core", "flow", "integration", "trigger", NULL };
  g_autoptr(GPtrArray) types = deca_node_registry_list (f->registry);

  g_assert_cmpuint (types->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < types->len; i++)
    {
      DecaNodeType *type = types->pdata[i];
      JsonNode *schema = deca_node_type_get_config_schema (type);
      g_autoptr(JsonNode) json = deca_node_type_to_json (type);
      g_auto(GStrv) ports = NULL;
      g_autoptr(JsonObject) empty = json_object_new ();

      g_assert_cmpstr (deca_node_type_get_name (type), ==, expected[i]);
      g_assert_cmpuint (strlen (deca_node_type_get_title (type)), >, 0);
      g_assert_cmpuint (strlen (deca_node_type_get_description (type)), >, 20);
      g_assert_true (g_strv_contains (categories, deca_node_type_get_category (type)));
      g_assert_nonnull (schema);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (schema));
      /* Built once: the same node every time. */
      g_assert_true (schema == deca_node_type_get_config_schema (type));
      check_schema_descriptions (json_node_get_object (schema), deca_node_type_get_name (type));
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json));
      /* The JSON says what the type says, replayable or not (transform is, http is not). */
      g_assert_true (json_object_get_boolean_member (json_node_get_object (json), "replayable") ==
                     deca_node_type_is_replayable (type));
      if (g_str_equal (expected[i], "transform") || g_str_equal (expected[i], "http"))
        g_assert_true (deca_node_type_is_replayable (type) == g_str_equal (expected[i], "transform"));

      /* The default port is one of the ports. */
      ports = deca_node_type_list_output_ports (type, empty);
      g_assert_true (g_strv_contains ((const char * const *) ports,
                                      deca_node_type_get_default_port (type)));
      g_assert_false (g_strv_contains ((const char * const *) ports, DECA_NODE_PORT_ERROR));
    }
}

static void
test_sample_configs (Fixture       *f,
                     gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (sample_configs); i++)
    {
      DecaNodeType *type = deca_node_registry_lookup (f->registry, sample_configs[i].type);
      g_autoptr(JsonNode) config = parse_json (sample_configs[i].config);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);

      g_test_message ("%s: %s", sample_configs[i].type, sample_configs[i].config);
      deca_validate_against_schema (deca_node_type_get_config_schema (type), config, "", problems);
      deca_node_type_check_config (type, json_node_get_object (config), problems);
      for (guint j = 0; j < problems->len; j++)
        {
          DecaValidationProblem *problem = problems->pdata[j];

          g_error ("%s: unexpected problem at '%s': %s", sample_configs[i].type, problem->pointer,
                   problem->message);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (schema_rejects); i++)
    {
      DecaNodeType *type = deca_node_registry_lookup (f->registry, schema_rejects[i].type);
      g_autoptr(JsonNode) config = parse_json (schema_rejects[i].config);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
      gboolean found = FALSE;

      g_test_message ("%s must refuse %s", schema_rejects[i].type, schema_rejects[i].config);
      deca_validate_against_schema (deca_node_type_get_config_schema (type), config, "", problems);
      for (guint j = 0; j < problems->len; j++)
        if (g_str_equal (((DecaValidationProblem *) problems->pdata[j])->pointer, schema_rejects[i].pointer))
          found = TRUE;
      g_assert_true (found);
    }
}

static void
test_transform_checks (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *combined = check_config (f, "transform", "{\"map\": {\"items\": \"x\"}, \"set\": {\"a\": 1}, \"source\": 1}");
  g_autofree char *empty_field = check_config (f, "transform", "{\"set\": {\"a.\": 1, \"ok\": 2}}");

  g_assert_cmpstr (combined, ==,
                   "/source: 'source' cannot be combined with 'map': use one or the other\n"
                   "/set: 'set' cannot be combined with 'map': use one or the other");
  g_assert_cmpstr (empty_field, ==, "/set/a.: 'a.' has an empty field name");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/engine/nodes/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("transform/table", test_transform_table);
  ADD ("transform/copies-source", test_transform_copies_source);
  ADD ("transform/check-config", test_transform_checks);
  ADD ("condition/truthiness", test_condition);
  ADD ("condition/errors", test_condition_errors);
  ADD ("branch/first-match", test_branch);
  ADD ("branch/errors", test_branch_errors);
  ADD ("branch/ports-and-checks", test_branch_ports_and_checks);
  ADD ("loop/items", test_loop);
  ADD ("wait/duration", test_wait_duration);
  ADD ("wait/until", test_wait_until);
  ADD ("wait/cancelled", test_wait_cancelled);
  ADD ("wait/errors", test_wait_errors);
  ADD ("approval/decisions", test_approval);
  ADD ("respond/response", test_respond);
  ADD ("log/levels", test_log);
  ADD ("subflow/output", test_subflow);
  ADD ("subflow/errors", test_subflow_errors);
  ADD ("triggers/input", test_triggers);
  ADD ("triggers/check-config", test_trigger_checks);
  ADD ("triggers/no-input", test_trigger_without_input);
  ADD ("registry/schemas", test_registry_and_schemas);
  ADD ("registry/sample-configs", test_sample_configs);

#undef ADD

  return g_test_run ();
}
