/* test-validator.c: `deca validate` — every validation problem, with its pointer.
 *
 * The built-in node types live elsewhere and change on their own schedule, so these tests
 * bring their own small types: "set" (anything goes), "http" (a schema and a semantic
 * check), "if" (ports true/false, an expression), "each" (a loop) and "on_hook" (a trigger).
 */

#include <glib.h>
#include <string.h>

#include "deca-node-registry.h"
#include "deca-validator.h"

/* ---- a configurable test node type -------------------------------------------------- */

#define TEST_TYPE_NODE_TYPE (test_node_type_get_type ())
G_DECLARE_FINAL_TYPE (TestNodeType, test_node_type, TEST, NODE_TYPE, GObject)

struct _TestNodeType
{
  GObject parent_instance;

  char *name;
  DecaNodeKind kind;
  JsonNode *schema;
  GStrv ports;
  char *default_port;
};

static const char *
test_node_type_get_name (DecaNodeType *type)
{
  return TEST_NODE_TYPE (type)->name;
}

static DecaNodeKind
test_node_type_get_kind (DecaNodeType *type)
{
  return TEST_NODE_TYPE (type)->kind;
}

static JsonNode *
test_node_type_get_config_schema (DecaNodeType *type)
{
  return TEST_NODE_TYPE (type)->schema;
}

static GStrv
test_node_type_list_output_ports (DecaNodeType *type,
                                  JsonObject   *config)
{
  return g_strdupv (TEST_NODE_TYPE (type)->ports);
}

static const char *
test_node_type_get_default_port (DecaNodeType *type)
{
  return TEST_NODE_TYPE (type)->default_port;
}

/* "http" refuses a body on GET: a rule the schema cannot express. Pointers are relative
 * to the config, as the interface says. */
static void
test_node_type_check_config (DecaNodeType *type,
                             JsonObject   *config,
                             GPtrArray    *problems)
{
  const char *method;

  if (!g_str_equal (TEST_NODE_TYPE (type)->name, "http"))
    return;
  method = json_object_get_string_member_with_default (config, "method", "GET");
  if (g_str_equal (method, "GET") && json_object_has_member (config, "body"))
    g_ptr_array_add (problems,
                     deca_validation_problem_new ("/body", "a GET request cannot have a body"));
}

static void
test_node_type_invoke (DecaNodeType       *type,
                       DecaNodeInvocation *invocation)
{
  g_assert_not_reached ();
}

static void
test_node_type_iface_init (DecaNodeTypeInterface *iface)
{
  iface->get_name = test_node_type_get_name;
  iface->get_kind = test_node_type_get_kind;
  iface->get_config_schema = test_node_type_get_config_schema;
  iface->list_output_ports = test_node_type_list_output_ports;
  iface->get_default_port = test_node_type_get_default_port;
  iface->check_config = test_node_type_check_config;
  iface->invoke = test_node_type_invoke;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNodeType, test_node_type, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DECA_TYPE_NODE_TYPE,
                                                      test_node_type_iface_init))

static void
test_node_type_finalize (GObject *object)
{
  TestNodeType *self = TEST_NODE_TYPE (object);

  g_free (self->name);
  g_clear_pointer (&self->schema, json_node_unref);
  g_strfreev (self->ports);
  g_free (self->default_port);
  G_OBJECT_CLASS (test_node_type_parent_class)->finalize (object);
}

static void
test_node_type_class_init (TestNodeTypeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_node_type_finalize;
}

static void
test_node_type_init (TestNodeType *self)
{
}

/* @schema uses ' for " to keep the C strings readable; @ports is comma-separated, the
 * first one being the default. */
static DecaNodeType *
test_node_type_new (const char   *name,
                    DecaNodeKind  kind,
                    const char   *schema,
                    const char   *ports)
{
  TestNodeType *self = g_object_new (TEST_TYPE_NODE_TYPE, NULL);
  g_autofree char *json = g_strdelimit (g_strdup (schema), "'", '"');
  g_autoptr(GError) error = NULL;

  self->name = g_strdup (name);
  self->kind = kind;
  self->schema = json_from_string (json, &error);
  g_assert_no_error (error);
  self->ports = g_strsplit (ports, ",", -1);
  self->default_port = g_strdup (self->ports[0]);
  return DECA_NODE_TYPE (self);
}

static DecaNodeRegistry *
make_registry (void)
{
  DecaNodeRegistry *registry = deca_node_registry_new ();
  DecaNodeType *types[] = {
    test_node_type_new ("set", DECA_NODE_KIND_ACTION,
                        "{'type': 'object', 'properties': {'value': {},"
                        " 'map': {'type': 'object', 'format': 'template-raw', 'properties': {"
                        "  'items': {'type': 'string', 'format': 'expression'}}}}}", "main"),
    test_node_type_new ("http", DECA_NODE_KIND_ACTION,
                        "{'type': 'object', 'required': ['url'], 'properties': {"
                        " 'url': {'type': 'string', 'minLength': 1},"
                        " 'method': {'enum': ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']},"
                        " 'timeout': {'type': 'number', 'exclusiveMinimum': 0},"
                        " 'headers': {'type': 'object', 'additionalProperties': {'type': 'string'}},"
                        " 'body': {}}}", "main"),
    test_node_type_new ("if", DECA_NODE_KIND_ACTION,
                        "{'type': 'object', 'required': ['condition'], 'properties': {"
                        " 'condition': {'type': 'string', 'format': 'expression'}}}",
                        "true,false"),
    test_node_type_new ("each", DECA_NODE_KIND_LOOP,
                        "{'type': 'object', 'properties': {"
                        " 'items': {'type': 'string', 'format': 'expression'}}}",
                        "done,body"),
    test_node_type_new ("on_hook", DECA_NODE_KIND_TRIGGER,
                        "{'type': 'object', 'properties': {'path': {'type': 'string'}}}",
                        "main"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      deca_node_registry_add (registry, types[i]);
      g_object_unref (types[i]);
    }
  return registry;
}

/* ---- helpers ----------------------------------------------------------------------- */

/* Flows are written with ' for " (they contain no apostrophes). */
static GPtrArray *
validate (DecaNodeRegistry *registry,
          const char       *flow)
{
  g_autofree char *json = g_strdelimit (g_strdup (flow), "'", '"');

  return deca_validate_flow_data (json, -1, registry);
}

static void
print_problems (GPtrArray *problems)
{
  for (guint i = 0; i < problems->len; i++)
    {
      DecaValidationProblem *problem = problems->pdata[i];
      g_test_message ("  %s: %s", problem->pointer, problem->message);
    }
}

/* ---- one row per problem ----------------------------------------------------------- */

#define HEAD "'id': 'f', 'name': 'F', "
#define NODES_AB "'nodes': [{'id': 'a', 'type': 'set'}, {'id': 'b', 'type': 'set'}]"
#define FLOW_AB(rest) "{" HEAD NODES_AB rest "}"
#define FLOW_NODE(node) "{" HEAD "'nodes': [" node "]}"
#define FLOW_SETTINGS(s) "{" HEAD "'nodes': [], 'settings': " s "}"
#define FLOW_CONN(c) FLOW_AB (", 'connections': [" c "]")
#define FLOW_TRIGGER(t) "{" HEAD "'nodes': [], 'triggers': [" t "]}"

/* A loop "each" whose body is x -> y, y back to the loop, done to z. */
#define LOOP_NODES \
  "'nodes': [{'id': 'each', 'type': 'each', 'config': {'items': 'input.list'}}," \
  " {'id': 'x', 'type': 'set', 'config': {'value': '{{item.name}}'}}," \
  " {'id': 'y', 'type': 'set'}, {'id': 'z', 'type': 'set'}]"
#define LOOP_CONNS \
  "{'from': 'each', 'from_port': 'body', 'to': 'x'}, {'from': 'x', 'to': 'y'}," \
  " {'from': 'y', 'to': 'each'}, {'from': 'each', 'from_port': 'done', 'to': 'z'}"

static const struct {
  const char *name;
  const char *flow;
  const char *pointer;
  const char *message;
} problem_cases[] = {
  /* Not JSON. */
  { "json-truncated", "{'id': 'f', ", "", "line 1, column" },
  { "json-line", "{\n  'id': tru\n}", "", "line 2, column 11: unexpected identifier `tru'" },
  { "json-trailing", "{}x", "", "line 1, column" },
  { "json-empty", "", "", "line 1, column 1: the document is empty" },
  { "json-blank", "  \n ", "", "the document is empty" },
  { "json-utf8", "{'id': '\xff'}", "", "line 1, column 9: the document is not valid UTF-8" },
  /* The flow object. */
  { "root-not-object", "[]", "", "must be an object, not an array" },
  { "id-missing", "{'name': 'F', 'nodes': []}", "/id", "is required" },
  { "id-empty", "{'id': '', 'name': 'F', 'nodes': []}", "/id", "must not be empty" },
  { "id-type", "{'id': 7, 'name': 'F', 'nodes': []}", "/id", "must be a string, not a number" },
  { "name-missing", "{'id': 'f', 'nodes': []}", "/name", "is required" },
  { "name-type", "{'id': 'f', 'name': null, 'nodes': []}", "/name", "must be a string, not null" },
  { "version-zero", "{" HEAD "'version': 0, 'nodes': []}", "/version", "must be at least 1" },
  { "version-fraction", "{" HEAD "'version': 1.5, 'nodes': []}", "/version",
    "must be an integer" },
  { "nodes-missing", "{" HEAD "'connections': []}", "/nodes", "is required" },
  { "nodes-type", "{" HEAD "'nodes': {}}", "/nodes", "must be an array, not an object" },
  { "connections-type", "{" HEAD "'nodes': [], 'connections': 1}", "/connections",
    "must be an array" },
  { "triggers-type", "{" HEAD "'nodes': [], 'triggers': 'webhook'}", "/triggers",
    "must be an array" },
  { "settings-type", FLOW_SETTINGS ("[]"), "/settings", "must be an object" },
  /* Settings. */
  { "settings-timeout", FLOW_SETTINGS ("{'timeout': 0}"), "/settings/timeout",
    "must be greater than 0" },
  { "settings-timeout-type", FLOW_SETTINGS ("{'timeout': '30'}"), "/settings/timeout",
    "must be a number, not a string" },
  { "settings-timeout-template", FLOW_SETTINGS ("{'timeout': '{{input.t}}'}"),
    "/settings/timeout", "must be a number, not a string" },
  { "settings-error-strategy", FLOW_SETTINGS ("{'error_strategy': 'retry'}"),
    "/settings/error_strategy", "must be one of stop_on_error, continue_on_error" },
  { "settings-parallelism-low", FLOW_SETTINGS ("{'parallelism': 0}"), "/settings/parallelism",
    "must be at least 1" },
  { "settings-parallelism-high", FLOW_SETTINGS ("{'parallelism': 1025}"),
    "/settings/parallelism", "must be at most 1024" },
  { "settings-parallelism-fraction", FLOW_SETTINGS ("{'parallelism': 2.5}"),
    "/settings/parallelism", "must be an integer" },
  { "settings-breaker-type", FLOW_SETTINGS ("{'circuit_breaker': true}"),
    "/settings/circuit_breaker", "must be an object" },
  { "settings-breaker-threshold", FLOW_SETTINGS ("{'circuit_breaker': {'failure_threshold': 0}}"),
    "/settings/circuit_breaker/failure_threshold", "must be at least 1" },
  { "settings-breaker-cooldown", FLOW_SETTINGS ("{'circuit_breaker': {'cooldown': 0}}"),
    "/settings/circuit_breaker/cooldown", "must be greater than 0" },
  /* Nodes. */
  { "node-type", FLOW_NODE ("'a'"), "/nodes/0", "must be an object, not a string" },
  { "node-id-missing", FLOW_NODE ("{'type': 'set'}"), "/nodes/0/id", "is required" },
  { "node-id-type", FLOW_NODE ("{'id': 1, 'type': 'set'}"), "/nodes/0/id", "must be a string" },
  { "node-id-digit", FLOW_NODE ("{'id': '1abc', 'type': 'set'}"), "/nodes/0/id",
    "'1abc' is not a valid node id" },
  { "node-id-double-dash", FLOW_NODE ("{'id': 'a--b', 'type': 'set'}"), "/nodes/0/id",
    "'a--b' is not a valid node id" },
  { "node-id-trailing-dash", FLOW_NODE ("{'id': 'a-', 'type': 'set'}"), "/nodes/0/id",
    "not a valid node id" },
  { "node-id-space", FLOW_NODE ("{'id': 'a b', 'type': 'set'}"), "/nodes/0/id",
    "not a valid node id" },
  { "node-id-empty", FLOW_NODE ("{'id': '', 'type': 'set'}"), "/nodes/0/id",
    "not a valid node id" },
  { "node-id-reserved-input", FLOW_NODE ("{'id': 'input', 'type': 'set'}"), "/nodes/0/id",
    "'input' is reserved" },
  { "node-id-reserved-item", FLOW_NODE ("{'id': 'item', 'type': 'set'}"), "/nodes/0/id",
    "'item' is reserved" },
  { "node-id-reserved-null", FLOW_NODE ("{'id': 'null', 'type': 'set'}"), "/nodes/0/id",
    "'null' is reserved" },
  { "node-id-duplicate",
    FLOW_NODE ("{'id': 'a', 'type': 'set'}, {'id': 'b', 'type': 'set'}, {'id': 'a', 'type': 'set'}"),
    "/nodes/2/id", "duplicate node id 'a': node 0 (/nodes/0) already has it" },
  { "node-type-missing", FLOW_NODE ("{'id': 'a'}"), "/nodes/0/type", "is required" },
  { "node-type-type", FLOW_NODE ("{'id': 'a', 'type': ['set']}"), "/nodes/0/type",
    "must be a string, not an array" },
  { "node-type-unknown", FLOW_NODE ("{'id': 'a', 'type': 'nope', 'config': {'x': 1}}"),
    "/nodes/0/type", "unknown node type 'nope'" },
  { "node-config-type", FLOW_NODE ("{'id': 'a', 'type': 'set', 'config': []}"),
    "/nodes/0/config", "must be an object, not an array" },
  { "node-config-required", FLOW_NODE ("{'id': 'a', 'type': 'http'}"), "/nodes/0/config/url",
    "is required" },
  { "node-config-enum",
    FLOW_NODE ("{'id': 'a', 'type': 'http', 'config': {'url': 'u', 'method': 'FETCH'}}"),
    "/nodes/0/config/method", "must be one of GET, POST, PUT, PATCH, DELETE" },
  { "node-config-type-mismatch",
    FLOW_NODE ("{'id': 'a', 'type': 'http', 'config': {'url': 'u', 'timeout': 'soon'}}"),
    "/nodes/0/config/timeout", "must be a number, not a string" },
  { "node-config-nested",
    FLOW_NODE ("{'id': 'a', 'type': 'http', 'config': {'url': 'u', 'headers': {'X-A/b': 1}}}"),
    "/nodes/0/config/headers/X-A~1b", "must be a string, not a number" },
  { "node-config-check",
    FLOW_NODE ("{'id': 'a', 'type': 'http', 'config': {'url': 'u', 'body': 'x'}}"),
    "/nodes/0/config/body", "a GET request cannot have a body" },
  { "node-trigger-kind-config",
    FLOW_NODE ("{'id': 'hook', 'type': 'on_hook', 'config': {'path': 5}}"),
    "/nodes/0/config/path", "must be a string, not a number" },
  { "node-position-type", FLOW_NODE ("{'id': 'a', 'type': 'set', 'position': [1, 2]}"),
    "/nodes/0/position", "must be an object" },
  { "node-position-y", FLOW_NODE ("{'id': 'a', 'type': 'set', 'position': {'x': 1}}"),
    "/nodes/0/position/y", "is required" },
  { "node-position-x", FLOW_NODE ("{'id': 'a', 'type': 'set', 'position': {'x': '1', 'y': 2}}"),
    "/nodes/0/position/x", "must be a number, not a string" },
  { "node-retry-type", FLOW_NODE ("{'id': 'a', 'type': 'set', 'retry': 3}"),
    "/nodes/0/retry", "must be an object" },
  { "node-retry-attempts-low", FLOW_NODE ("{'id': 'a', 'type': 'set', 'retry': {'max_attempts': 0}}"),
    "/nodes/0/retry/max_attempts", "must be at least 1" },
  { "node-retry-attempts-high",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'retry': {'max_attempts': 101}}"),
    "/nodes/0/retry/max_attempts", "must be at most 100" },
  { "node-retry-attempts-fraction",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'retry': {'max_attempts': 2.5}}"),
    "/nodes/0/retry/max_attempts", "must be an integer" },
  { "node-retry-initial-delay",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'retry': {'initial_delay': -1}}"),
    "/nodes/0/retry/initial_delay", "must be at least 0" },
  { "node-retry-multiplier",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'retry': {'multiplier': 0.5}}"),
    "/nodes/0/retry/multiplier", "must be at least 1" },
  { "node-retry-max-delay",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'retry': {'max_delay': -0.5}}"),
    "/nodes/0/retry/max_delay", "must be at least 0" },
  { "node-retry-jitter", FLOW_NODE ("{'id': 'a', 'type': 'set', 'retry': {'jitter': 1.5}}"),
    "/nodes/0/retry/jitter", "must be at most 1" },
  { "node-timeout", FLOW_NODE ("{'id': 'a', 'type': 'set', 'timeout': 0}"),
    "/nodes/0/timeout", "must be greater than 0" },
  { "node-timeout-type", FLOW_NODE ("{'id': 'a', 'type': 'set', 'timeout': '5s'}"),
    "/nodes/0/timeout", "must be a number, not a string" },
  /* Templates and expressions in configs. */
  { "template-syntax",
    FLOW_NODE ("{'id': 'a', 'type': 'http', 'config': {'url': 'https://x/{{input.id'}}"),
    "/nodes/0/config/url", "column " },
  { "template-syntax-nested",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'config': {'value': {'list': ['ok', '{{ 1 + }}']}}}"),
    "/nodes/0/config/value/list/1", "column " },
  { "expression-syntax",
    FLOW_NODE ("{'id': 'a', 'type': 'if', 'config': {'condition': 'input.n >'}}"),
    "/nodes/0/config/condition", "column " },
  { "template-unknown-reference",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'config': {'value': 'Hi {{no_such_node.name}}'}}"),
    "/nodes/0/config/value", "unknown reference 'no_such_node' (no node has this id)" },
  { "template-unknown-reference-dashed",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'config': {'value': '{{no-such-node.ok}}'}}"),
    "/nodes/0/config/value", "unknown reference 'no-such-node' (no node has this id)" },
  { "template-unknown-reference-in-header",
    FLOW_NODE ("{'id': 'a', 'type': 'http', 'config': {'url': 'u', 'headers': {'X-T': '{{ghost}}'}}}"),
    "/nodes/0/config/headers/X-T", "unknown reference 'ghost'" },
  { "expression-unknown-reference",
    FLOW_NODE ("{'id': 'a', 'type': 'if', 'config': {'condition': 'ghost.ok == true'}}"),
    "/nodes/0/config/condition", "unknown reference 'ghost'" },
  { "template-raw-still-checked",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'config': {'map': {'as': {'x': '{{ghost.id}}'}}}}"),
    "/nodes/0/config/map/as/x", "unknown reference 'ghost'" },
  { "template-raw-items-expression",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'config': {'map': {'items': 'input.list +'}}}"),
    "/nodes/0/config/map/items", "column " },
  { "template-item-outside-loop",
    FLOW_NODE ("{'id': 'a', 'type': 'set', 'config': {'value': '{{item.name}}'}}"),
    "/nodes/0/config/value", "'item' is only available inside a loop body" },
  /* Connections. */
  { "connection-type", FLOW_CONN ("'a -> b'"), "/connections/0", "must be an object" },
  { "connection-from-missing", FLOW_CONN ("{'to': 'b'}"), "/connections/0/from", "is required" },
  { "connection-to-missing", FLOW_CONN ("{'from': 'a'}"), "/connections/0/to", "is required" },
  { "connection-from-type", FLOW_CONN ("{'from': 1, 'to': 'b'}"), "/connections/0/from",
    "must be a string, not a number" },
  { "connection-from-unknown", FLOW_CONN ("{'from': 'ghost', 'to': 'b'}"), "/connections/0/from",
    "connection from 'ghost', which is not a node" },
  { "connection-to-unknown", FLOW_CONN ("{'from': 'a', 'to': 'ghost'}"), "/connections/0/to",
    "connection to 'ghost', which is not a node" },
  { "connection-from-port-unknown",
    "{" HEAD "'nodes': [{'id': 'check', 'type': 'if', 'config': {'condition': 'true'}},"
    " {'id': 'b', 'type': 'set'}], 'connections': [{'from': 'check', 'from_port': 'maybe',"
    " 'to': 'b'}]}",
    "/connections/0/from_port",
    "node 'check' (type 'if') has no output port 'maybe'; its ports are true, false and error" },
  { "connection-from-port-type", FLOW_CONN ("{'from': 'a', 'to': 'b', 'from_port': 1}"),
    "/connections/0/from_port", "must be a string" },
  { "connection-to-port-type", FLOW_CONN ("{'from': 'a', 'to': 'b', 'to_port': false}"),
    "/connections/0/to_port", "must be a string, not a boolean" },
  { "connection-condition-type", FLOW_CONN ("{'from': 'a', 'to': 'b', 'condition': true}"),
    "/connections/0/condition", "must be a string, not a boolean" },
  { "connection-condition-syntax",
    FLOW_CONN ("{'from': 'a', 'to': 'b', 'condition': '{{a.ok}} === '}"),
    "/connections/0/condition", "column " },
  { "connection-condition-reference",
    FLOW_CONN ("{'from': 'a', 'to': 'b', 'condition': '{{validate-input.success}} === true'}"),
    "/connections/0/condition", "unknown reference 'validate-input' (no node has this id)" },
  { "connection-on-error-type", FLOW_CONN ("{'from': 'a', 'to': 'b', 'on_error': 'yes'}"),
    "/connections/0/on_error", "must be a boolean, not a string" },
  /* Cycles. */
  { "cycle-self", FLOW_CONN ("{'from': 'a', 'to': 'a'}"), "/connections/0", "cycle: a -> a" },
  { "cycle-three",
    "{" HEAD "'nodes': [{'id': 'a', 'type': 'set'}, {'id': 'b', 'type': 'set'},"
    " {'id': 'c', 'type': 'set'}], 'connections': [{'from': 'a', 'to': 'b'},"
    " {'from': 'b', 'to': 'c'}, {'from': 'c', 'to': 'a'}]}",
    "/connections/2", "cycle: a -> b -> c -> a" },
  { "cycle-error-port", FLOW_CONN ("{'from': 'a', 'to': 'b'}, {'from': 'b', 'to': 'a', 'on_error': true}"),
    "/connections/1", "cycle: a -> b -> a" },
  { "cycle-through-done",
    "{" HEAD LOOP_NODES ", 'connections': [" LOOP_CONNS ", {'from': 'z', 'to': 'each'}]}",
    "/connections/4", "cycle: each -> z -> each" },
  { "cycle-loop-body-self",
    "{" HEAD "'nodes': [{'id': 'each', 'type': 'each'}], 'connections': ["
    " {'from': 'each', 'from_port': 'body', 'to': 'each'}]}",
    "/connections/0", "cycle: each -> each" },
  { "cycle-inside-body",
    "{" HEAD LOOP_NODES ", 'connections': [" LOOP_CONNS ", {'from': 'y', 'to': 'x'}]}",
    "/connections/4", "cycle: x -> y -> x" },
  /* Leaving a loop body other than through "done". */
  { "loop-body-leaves",
    "{" HEAD LOOP_NODES ", 'connections': [" LOOP_CONNS ", {'from': 'x', 'to': 'z'}]}",
    "/connections/4", "connection from 'x' to 'z' leaves the body of loop 'each'" },
  /* Triggers. */
  { "trigger-type", FLOW_TRIGGER ("'manual'"), "/triggers/0", "must be an object, not a string" },
  { "trigger-type-missing", FLOW_TRIGGER ("{'path': '/x'}"), "/triggers/0/type", "is required" },
  { "trigger-type-unknown", FLOW_TRIGGER ("{'type': 'email'}"), "/triggers/0/type",
    "must be one of webhook, schedule, event, manual" },
  { "trigger-webhook-path-missing", FLOW_TRIGGER ("{'type': 'webhook'}"), "/triggers/0/path",
    "is required" },
  { "trigger-webhook-path-type", FLOW_TRIGGER ("{'type': 'webhook', 'path': 1}"),
    "/triggers/0/path", "must be a string, not a number" },
  { "trigger-webhook-path-slash", FLOW_TRIGGER ("{'type': 'webhook', 'path': 'orders'}"),
    "/triggers/0/path", "must start with '/'" },
  { "trigger-webhook-method", FLOW_TRIGGER ("{'type': 'webhook', 'path': '/o', 'method': 'get'}"),
    "/triggers/0/method", "must be one of GET, POST, PUT, PATCH, DELETE" },
  { "trigger-schedule-cron-missing", FLOW_TRIGGER ("{'type': 'schedule'}"), "/triggers/0/cron",
    "is required" },
  { "trigger-schedule-cron-type", FLOW_TRIGGER ("{'type': 'schedule', 'cron': 5}"),
    "/triggers/0/cron", "must be a string" },
  { "trigger-schedule-cron-invalid", FLOW_TRIGGER ("{'type': 'schedule', 'cron': '0 24 * * *'}"),
    "/triggers/0/cron", "field 2 (hour): 24 is out of range 0-23" },
  { "trigger-schedule-timezone",
    FLOW_TRIGGER ("{'type': 'schedule', 'cron': '@daily', 'timezone': 'Mars/Olympus'}"),
    "/triggers/0/timezone", "unknown time zone 'Mars/Olympus'" },
  { "trigger-schedule-timezone-empty",
    FLOW_TRIGGER ("{'type': 'schedule', 'cron': '@daily', 'timezone': ''}"),
    "/triggers/0/timezone", "unknown time zone" },
  { "trigger-event-missing", FLOW_TRIGGER ("{'type': 'event'}"), "/triggers/0/event",
    "is required" },
  { "trigger-event-empty", FLOW_TRIGGER ("{'type': 'event', 'event': ''}"), "/triggers/0/event",
    "must not be empty" },
  { "trigger-event-pattern", FLOW_TRIGGER ("{'type': 'event', 'event': 'crm.>.created'}"),
    "/triggers/0/event", "'>' must be the last token (it is token 2 of 3)" },
  { "trigger-event-space", FLOW_TRIGGER ("{'type': 'event', 'event': 'order created'}"),
    "/triggers/0/event", "token 1 contains a space at character 6" },
  { "trigger-schedule-missed", FLOW_TRIGGER ("{'type': 'schedule', 'cron': '@daily', 'missed': 'all'}"),
    "/triggers/0/missed", "must be one of run_once, skip, run_all" },
  { "trigger-schedule-catch-up-limit",
    FLOW_TRIGGER ("{'type': 'schedule', 'cron': '@daily', 'catch_up_limit': 0}"),
    "/triggers/0/catch_up_limit", "must be at least 1" },
  { "trigger-schedule-catch-up-limit-high",
    FLOW_TRIGGER ("{'type': 'schedule', 'cron': '@daily', 'catch_up_limit': 5000}"),
    "/triggers/0/catch_up_limit", "must be at most 1000" },
};

static void
test_problem (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  g_autoptr(DecaNodeRegistry) registry = make_registry ();
  g_autoptr(GPtrArray) problems = validate (registry, problem_cases[i].flow);

  print_problems (problems);
  /* Each row is written to have exactly one problem: no more (no cascades), no less. */
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpstr (((DecaValidationProblem *) problems->pdata[0])->pointer, ==,
                   problem_cases[i].pointer);
  g_assert_nonnull (strstr (((DecaValidationProblem *) problems->pdata[0])->message,
                            problem_cases[i].message));
}

/* ---- flows without problems -------------------------------------------------------- */

static const struct {
  const char *name;
  const char *flow;
} clean_cases[] = {
  { "minimal", "{'id': 'f', 'name': '', 'nodes': []}" },
  { "full",
    "{'id': 'order-flow', 'name': 'Orders', 'version': 3, 'x-editor': {'zoom': 2},"
    " 'triggers': [{'type': 'webhook', 'path': '/orders', 'method': 'POST'},"
    "  {'type': 'schedule', 'cron': '*/5 * * * *', 'timezone': 'Europe/Berlin'},"
    "  {'type': 'schedule', 'cron': '@daily'},"
    "  {'type': 'schedule', 'cron': '0 30 2 * * *', 'missed': 'run_all', 'catch_up_limit': 24},"
    "  {'type': 'event', 'event': 'crm.*.>'},"
    "  {'type': 'event', 'event': 'order.created', 'filter': {'x': 1}}, {'type': 'manual'}],"
    " 'settings': {'timeout': 12.5, 'error_strategy': 'continue_on_error', 'parallelism': 4,"
    "  'circuit_breaker': {'failure_threshold': 3, 'cooldown': 0.5}, 'theme': 'dark'},"
    " 'nodes': ["
    "  {'id': 'hook', 'type': 'on_hook', 'config': {'path': '/x'}},"
    "  {'id': 'validate-input', 'type': 'set', 'config': {'value': '{{input.customer}}'},"
    "   'position': {'x': 10, 'y': -20.5}, 'notes': 'kept',"
    "   'retry': {'max_attempts': 3, 'initial_delay': 0.5, 'multiplier': 2, 'max_delay': 10,"
    "    'jitter': 0.2}, 'timeout': 2.5},"
    "  {'id': 'check', 'type': 'if',"
    "   'config': {'condition': '{{validate-input.success}} === true'}},"
    "  {'id': 'fetch', 'type': 'http', 'config': {'url': 'https://api/{{input.id}}',"
    "   'method': 'POST', 'timeout': '{{input.timeout}}', 'body': {'k': '{{check}}'},"
    "   'headers': {'Authorization': 'Bearer {{credentials.api.token}}',"
    "    'X-Run': '{{execution.id}}', 'X-Env': '{{env.REGION}}'}}},"
    "  {'id': 'fallback', 'type': 'set', 'config': {'value': 'plain text, no template'}},"
    "  {'id': 'each', 'type': 'each', 'config': {'items': 'fetch.body.items'}},"
    "  {'id': 'x', 'type': 'set', 'config': {'value': '{{item.name}} #{{index}} of {{loop}}'}},"
    "  {'id': 'y', 'type': 'set', 'config': {'value': '{{x}} {{fetch.status}}'}},"
    "  {'id': 'z', 'type': 'set', 'config': {'value': '{{each}}'}},"
    "  {'id': 'step_2', 'type': 'set'}"
    " ],"
    " 'connections': ["
    "  {'from': 'hook', 'to': 'validate-input'},"
    "  {'from': 'validate-input', 'to': 'check', 'to_port': 'main'},"
    "  {'from': 'check', 'from_port': 'true', 'to': 'fetch'},"
    "  {'from': 'check', 'from_port': 'false', 'to': 'fallback',"
    "   'condition': '{{validate-input.reason}} != null'},"
    "  {'from': 'fetch', 'to': 'fallback', 'on_error': true},"
    "  {'from': 'fetch', 'from_port': 'error', 'to': 'step_2'},"
    "  {'from': 'fetch', 'to': 'each'},"
    "  {'from': 'each', 'from_port': 'body', 'to': 'x', 'condition': 'item.active'},"
    "  {'from': 'x', 'to': 'y', 'condition': 'index < 10'},"
    "  {'from': 'y', 'to': 'each'},"
    "  {'from': 'each', 'from_port': 'done', 'to': 'z'},"
    "  {'from': 'z', 'to': 'step_2', 'x-color': 'red'}"
    " ]}" },
  /* Nested loops: the inner loop and its body are in the outer body. */
  { "nested-loops",
    "{'id': 'f', 'name': 'F', 'nodes': ["
    "  {'id': 'outer', 'type': 'each'}, {'id': 'inner', 'type': 'each'},"
    "  {'id': 'a', 'type': 'set', 'config': {'value': '{{item}}'}},"
    "  {'id': 'b', 'type': 'set', 'config': {'value': '{{loop}}'}}],"
    " 'connections': ["
    "  {'from': 'outer', 'from_port': 'body', 'to': 'inner'},"
    "  {'from': 'inner', 'from_port': 'body', 'to': 'a'}, {'from': 'a', 'to': 'inner'},"
    "  {'from': 'inner', 'from_port': 'done', 'to': 'b'}, {'from': 'b', 'to': 'outer'}]}" },
  /* A diamond is not a cycle. */
  { "diamond",
    "{'id': 'f', 'name': 'F', 'nodes': [{'id': 'a', 'type': 'set'}, {'id': 'b', 'type': 'set'},"
    " {'id': 'c', 'type': 'set'}, {'id': 'd', 'type': 'set'}], 'connections': ["
    " {'from': 'a', 'to': 'b'}, {'from': 'a', 'to': 'c'}, {'from': 'b', 'to': 'd'},"
    " {'from': 'c', 'to': 'd'}, {'from': 'a', 'to': 'd'}]}" },
  /* A raw template is the node's own business, per item: item/index are fine there, at
   * any depth. */
  { "template-raw",
    "{'id': 'f', 'name': 'F', 'nodes': [{'id': 'a', 'type': 'set', 'config': {'map': {"
    " 'items': '{{input.list}}', 'as': {'id': '{{item.id}}', 'n': ['{{index}}']}}}}]}" },
  /* Leading and trailing whitespace around the document. */
  { "whitespace", "\n  {'id': 'f', 'name': 'F', 'nodes': []}\n\n" },
};

static void
test_clean (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  g_autoptr(DecaNodeRegistry) registry = make_registry ();
  g_autoptr(GPtrArray) problems = validate (registry, clean_cases[i].flow);

  print_problems (problems);
  g_assert_cmpuint (problems->len, ==, 0);
}

/* ---- everything at once ------------------------------------------------------------ */

static void
test_every_problem_at_once (void)
{
  static const char *expected[][2] = {
    { "/version", "must be at least 1" },
    { "/nodes/1/type", "unknown node type 'nope'" },
    { "/connections/0/to", "connection to 'ghost', which is not a node" },
    { "/nodes/0/config/value", "unknown reference 'missing'" },
    { "/triggers/0/cron", "field 1 (minute)" },
  };
  g_autoptr(DecaNodeRegistry) registry = make_registry ();
  g_autoptr(GPtrArray) problems = validate (registry,
    "{'id': 'f', 'name': 'F', 'version': 0,"
    " 'nodes': [{'id': 'a', 'type': 'set', 'config': {'value': '{{missing.x}}'}},"
    "  {'id': 'b', 'type': 'nope'}],"
    " 'connections': [{'from': 'a', 'to': 'ghost'}],"
    " 'triggers': [{'type': 'schedule', 'cron': '61 * * * *'}]}");

  print_problems (problems);
  g_assert_cmpuint (problems->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      gboolean found = FALSE;

      for (guint k = 0; k < problems->len && !found; k++)
        {
          DecaValidationProblem *problem = problems->pdata[k];

          found = g_str_equal (problem->pointer, expected[i][0]) &&
                  strstr (problem->message, expected[i][1]) != NULL;
        }
      g_assert_true (found);
    }
}

/* Two independent cycles are two problems. */
static void
test_two_cycles (void)
{
  g_autoptr(DecaNodeRegistry) registry = make_registry ();
  g_autoptr(GPtrArray) problems = validate (registry,
    "{'id': 'f', 'name': 'F', 'nodes': [{'id': 'a', 'type': 'set'}, {'id': 'b', 'type': 'set'},"
    " {'id': 'c', 'type': 'set'}], 'connections': [{'from': 'a', 'to': 'b'},"
    " {'from': 'b', 'to': 'a'}, {'from': 'c', 'to': 'c'}]}");

  print_problems (problems);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpstr (((DecaValidationProblem *) problems->pdata[0])->message, ==,
                   "cycle: a -> b -> a");
  g_assert_cmpstr (((DecaValidationProblem *) problems->pdata[1])->message, ==,
                   "cycle: c -> c");
}

/* item/index/loop are fine in the body, not after "done". */
static void
test_loop_scope (void)
{
  g_autoptr(DecaNodeRegistry) registry = make_registry ();
  g_autoptr(GPtrArray) problems = validate (registry,
    "{" HEAD "'nodes': [{'id': 'each', 'type': 'each'},"
    " {'id': 'x', 'type': 'set', 'config': {'value': '{{item}}'}},"
    " {'id': 'z', 'type': 'set', 'config': {'value': '{{index}}'}}],"
    " 'connections': [{'from': 'each', 'from_port': 'body', 'to': 'x'},"
    " {'from': 'x', 'to': 'each'}, {'from': 'each', 'from_port': 'done', 'to': 'z',"
    " 'condition': 'loop.count > 0'}]}");

  print_problems (problems);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpstr (((DecaValidationProblem *) problems->pdata[0])->pointer, ==,
                   "/nodes/2/config/value");
  g_assert_cmpstr (((DecaValidationProblem *) problems->pdata[1])->pointer, ==,
                   "/connections/2/condition");
}

/* The same document through deca_validate_flow_json(), and garbage that must not crash. */
static void
test_json_entry_and_robustness (void)
{
  static const char * const inputs[] = {
    "null", "1", "\"x\"", "true", "{}", "{'nodes': [null, 1, [], {}]}",
    "{'nodes': [{'id': {}, 'type': {}}], 'connections': [null, {'from': [], 'to': {}}]}",
    "{'triggers': [null, {'type': 'schedule', 'cron': null, 'timezone': 1}]}",
    "{'settings': {'circuit_breaker': []}}",
  };
  g_autoptr(DecaNodeRegistry) registry = make_registry ();
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GPtrArray) deep_problems = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *json = g_strdelimit (g_strdup (inputs[i]), "'", '"');
      g_autoptr(JsonNode) root = json_from_string (json, NULL);
      g_autoptr(GPtrArray) from_json = deca_validate_flow_json (root, registry);
      g_autoptr(GPtrArray) from_data = deca_validate_flow_data (json, -1, registry);

      g_test_message ("%s", json);
      print_problems (from_json);
      g_assert_cmpuint (from_json->len, >, 0);
      g_assert_cmpuint (from_json->len, ==, from_data->len);
    }

  /* A length that is not the whole string is honoured. */
  {
    const char *text = "{\"id\": \"f\", \"name\": \"F\", \"nodes\": []}garbage";
    g_autoptr(GPtrArray) problems = deca_validate_flow_data (text, strlen (text) - 7, registry);
    g_assert_cmpuint (problems->len, ==, 0);
  }

  /* Nesting deep enough to threaten a recursive parser is refused up front. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  deep_problems = deca_validate_flow_data (deep->str, deep->len, registry);
  g_assert_cmpuint (deep_problems->len, ==, 1);
  g_assert_nonnull (strstr (((DecaValidationProblem *) deep_problems->pdata[0])->message,
                            "nesting is deeper"));
}

/* A long chain must not exhaust the stack of the cycle search. */
static void
test_long_chain (void)
{
  g_autoptr(DecaNodeRegistry) registry = make_registry ();
  g_autoptr(GString) flow = g_string_new ("{\"id\": \"f\", \"name\": \"F\", \"nodes\": [");
  g_autoptr(GPtrArray) problems = NULL;
  const guint n = 20000;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (flow, "%s{\"id\": \"n%u\", \"type\": \"set\"}", i ? "," : "", i);
  g_string_append (flow, "], \"connections\": [");
  for (guint i = 0; i + 1 < n; i++)
    g_string_append_printf (flow, "%s{\"from\": \"n%u\", \"to\": \"n%u\"}", i ? "," : "",
                            i, i + 1);
  g_string_append_printf (flow, ", {\"from\": \"n%u\", \"to\": \"n0\"}]}", n - 1);

  problems = deca_validate_flow_data (flow->str, flow->len, registry);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (g_str_has_prefix (((DecaValidationProblem *) problems->pdata[0])->message,
                                   "cycle: n0 -> n1 -> "));
}

/* A long body behind a loop: the body analysis must stay linear in the number of edges. */
static void
test_long_loop_body (void)
{
  g_autoptr(DecaNodeRegistry) registry = make_registry ();
  g_autoptr(GString) flow = g_string_new ("{\"id\": \"f\", \"name\": \"F\", \"nodes\": ["
                                          "{\"id\": \"each\", \"type\": \"each\"}");
  g_autoptr(GPtrArray) problems = NULL;
  const guint n = 20000;
  gint64 start;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (flow, ",{\"id\": \"n%u\", \"type\": \"set\","
                            " \"config\": {\"value\": \"{{item}}\"}}", i);
  g_string_append (flow, "], \"connections\": ["
                   "{\"from\": \"each\", \"from_port\": \"body\", \"to\": \"n0\"}");
  for (guint i = 0; i + 1 < n; i++)
    g_string_append_printf (flow, ",{\"from\": \"n%u\", \"to\": \"n%u\"}", i, i + 1);
  /* ... and the last one closes the iteration. */
  g_string_append_printf (flow, ",{\"from\": \"n%u\", \"to\": \"each\"}", n - 1);
  g_string_append (flow, "]}");

  start = g_get_monotonic_time ();
  problems = deca_validate_flow_data (flow->str, flow->len, registry);
  print_problems (problems);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

/* With the real node types: the bundled examples are clean, and a branch case's "when"
 * may read the "value" the branch provides (x-deca-locals), but nothing else may. */
static void
test_builtin_types (void)
{
  g_autoptr(DecaNodeRegistry) builtin = deca_node_registry_new_builtin ();
  const char *source = g_getenv ("DECA_SOURCE_DIR");
  g_autofree char *examples = g_build_filename (source ? source : ".", "data", "examples", NULL);
  g_autoptr(GDir) dir = g_dir_open (examples, 0, NULL);
  const char *name;
  guint checked = 0;
  static const char *branch =
    "{\"id\": \"b\", \"name\": \"b\", \"nodes\": [{\"id\": \"pick\", \"type\": \"branch\", \"config\": {"
    "\"value\": \"input.n\", \"cases\": [{\"port\": \"big\", \"when\": \"value > 100\"}]}},"
    "{\"id\": \"x\", \"type\": \"transform\", \"config\": {\"set\": {\"v\": \"{{value}}\"}}}],"
    "\"connections\": [{\"from\": \"pick\", \"from_port\": \"big\", \"to\": \"x\"}]}";
  g_autoptr(GPtrArray) problems = deca_validate_flow_data (branch, -1, builtin);
  DecaValidationProblem *problem;

  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpstr (problem->pointer, ==, "/nodes/1/config/set/v");
  g_assert_nonnull (strstr (problem->message, "unknown reference 'value'"));

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;
      g_autoptr(GPtrArray) found = NULL;

      if (!g_str_has_suffix (name, ".json") || g_str_has_suffix (name, ".input.json"))
        continue;
      path = g_build_filename (examples, name, NULL);
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      found = deca_validate_flow_data (text, -1, builtin);
      for (guint i = 0; i < found->len; i++)
        {
          DecaValidationProblem *p = g_ptr_array_index (found, i);

          g_test_message ("%s: %s: %s", name, p->pointer, p->message);
        }
      g_assert_cmpuint (found->len, ==, 0);
      checked++;
    }
  g_assert_cmpuint (checked, >=, 4);
}

/* With the real trigger types, a trigger is checked against its node type's schema, so
 * every option the server reads is checked when the flow is saved. Each row has exactly
 * one problem. */
static const struct {
  const char *name;
  const char *trigger;
  const char *pointer;
  const char *message;
} builtin_trigger_cases[] = {
  { "auth-type", "{'type': 'webhook', 'path': '/o', 'auth': {'type': 'basic', 'credential': 'k'}}",
    "/triggers/0/auth/type", "must be one of header, hmac-sha256" },
  { "auth-credential-missing", "{'type': 'webhook', 'path': '/o', 'auth': {'type': 'header'}}",
    "/triggers/0/auth/credential", "is required" },
  { "auth-credential-name",
    "{'type': 'webhook', 'path': '/o', 'auth': {'type': 'header', 'credential': 'my key'}}",
    "/triggers/0/auth/credential", "must match the pattern" },
  { "auth-header-name",
    "{'type': 'webhook', 'path': '/o', 'auth': {'type': 'header', 'credential': 'k',"
    " 'header': 'X Token'}}",
    "/triggers/0/auth/header", "must match the pattern" },
  { "auth-unknown-member",
    "{'type': 'webhook', 'path': '/o', 'auth': {'type': 'header', 'credential': 'k',"
    " 'secret': 'x'}}",
    "/triggers/0/auth/secret", "is not a known property" },
  { "auth-not-object", "{'type': 'webhook', 'path': '/o', 'auth': 'header'}",
    "/triggers/0/auth", "must be an object, not a string" },
  { "response-timeout-low", "{'type': 'webhook', 'path': '/o', 'response_timeout': 0}",
    "/triggers/0/response_timeout", "must be at least 1" },
  { "response-timeout-high", "{'type': 'webhook', 'path': '/o', 'response_timeout': 301}",
    "/triggers/0/response_timeout", "must be at most 300" },
  { "response-timeout-type", "{'type': 'webhook', 'path': '/o', 'response_timeout': '30'}",
    "/triggers/0/response_timeout", "must be an integer, not a string" },
  /* The validator's own message, not the schema's pattern as well. */
  { "path-relative", "{'type': 'webhook', 'path': 'orders'}",
    "/triggers/0/path", "must start with '/'" },
  { "path-root", "{'type': 'webhook', 'path': '/'}",
    "/triggers/0/path", "must name a path after the '/'" },
  { "path-query", "{'type': 'webhook', 'path': '/?x=1'}",
    "/triggers/0/path", "must name a path after the '/'" },
  { "method", "{'type': 'webhook', 'path': '/o', 'method': 'get'}",
    "/triggers/0/method", "must be one of GET, POST, PUT, PATCH, DELETE" },
  { "schedule-missed", "{'type': 'schedule', 'cron': '@daily', 'missed': 'all'}",
    "/triggers/0/missed", "must be one of run_once, skip, run_all" },
  { "schedule-catch-up-limit", "{'type': 'schedule', 'cron': '@daily', 'catch_up_limit': 1001}",
    "/triggers/0/catch_up_limit", "must be at most 1000" },
  { "schedule-cron-empty", "{'type': 'schedule', 'cron': ''}",
    "/triggers/0/cron", "must not be empty" },
  /* What the schema cannot say is still checked. */
  { "schedule-cron-invalid", "{'type': 'schedule', 'cron': '0 24 * * *'}",
    "/triggers/0/cron", "field 2 (hour): 24 is out of range 0-23" },
  { "schedule-timezone", "{'type': 'schedule', 'cron': '@daily', 'timezone': 'Mars/Olympus'}",
    "/triggers/0/timezone", "unknown time zone 'Mars/Olympus'" },
  { "event-pattern", "{'type': 'event', 'event': 'crm.>.created'}",
    "/triggers/0/event", "'>' must be the last token" },
  { "event-empty", "{'type': 'event', 'event': ''}", "/triggers/0/event", "must not be empty" },
};

static void
test_builtin_trigger_problem (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  g_autoptr(DecaNodeRegistry) builtin = deca_node_registry_new_builtin ();
  g_autofree char *flow = g_strdup_printf (FLOW_TRIGGER ("%s"), builtin_trigger_cases[i].trigger);
  g_autoptr(GPtrArray) problems = validate (builtin, flow);

  print_problems (problems);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpstr (((DecaValidationProblem *) problems->pdata[0])->pointer, ==,
                   builtin_trigger_cases[i].pointer);
  g_assert_nonnull (strstr (((DecaValidationProblem *) problems->pdata[0])->message,
                            builtin_trigger_cases[i].message));
}

/* Every option of every trigger type, as the docs and the server tests write them, is clean
 * with the real types; and so is the "full" flow's trigger list. */
static void
test_builtin_triggers_clean (void)
{
  g_autoptr(DecaNodeRegistry) builtin = deca_node_registry_new_builtin ();
  g_autoptr(GPtrArray) problems = validate (builtin,
    "{" HEAD "'nodes': [{'id': 'hook', 'type': 'webhook', 'config': {'path': '/x'}}],"
    " 'triggers': [{'type': 'webhook', 'path': '/orders', 'method': 'POST'},"
    "  {'type': 'webhook', 'path': '/webhook/legacy'},"
    "  {'type': 'webhook', 'path': '/signed', 'method': 'PUT', 'response_timeout': 300,"
    "   'auth': {'type': 'hmac-sha256', 'credential': 'github_hook', 'header': 'X-Hub-Signature-256',"
    "    'prefix': 'sha256='}},"
    "  {'type': 'webhook', 'path': '/token', 'response_timeout': 1,"
    "   'auth': {'type': 'header', 'credential': 'hook-token', 'header': 'X-Webhook-Token'}},"
    "  {'type': 'webhook', 'path': '/{{not-a-template}}', 'x-studio': {'note': 'kept'}},"
    "  {'type': 'schedule', 'cron': '*/5 * * * *', 'timezone': 'Europe/Berlin'},"
    "  {'type': 'schedule', 'cron': '@daily'},"
    "  {'type': 'schedule', 'cron': '0 30 2 * * *', 'missed': 'run_all', 'catch_up_limit': 24},"
    "  {'type': 'schedule', 'cron': '@hourly', 'missed': 'skip', 'timezone': 'UTC'},"
    "  {'type': 'event', 'event': 'crm.*.>'},"
    "  {'type': 'event', 'event': 'order.created', 'filter': {'x': 1}}, {'type': 'manual'}]}");

  print_problems (problems);
  g_assert_cmpuint (problems->len, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (problem_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/deca/engine/validator/problem/%s", problem_cases[i].name);
      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_problem);
    }
  for (guint i = 0; i < G_N_ELEMENTS (clean_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/deca/engine/validator/clean/%s",
                                               clean_cases[i].name);
      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_clean);
    }
  for (guint i = 0; i < G_N_ELEMENTS (builtin_trigger_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/deca/engine/validator/builtin-trigger/%s",
                                               builtin_trigger_cases[i].name);
      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_builtin_trigger_problem);
    }
  g_test_add_func ("/deca/engine/validator/builtin-triggers-clean", test_builtin_triggers_clean);
  g_test_add_func ("/deca/engine/validator/every-problem-at-once", test_every_problem_at_once);
  g_test_add_func ("/deca/engine/validator/two-cycles", test_two_cycles);
  g_test_add_func ("/deca/engine/validator/loop-scope", test_loop_scope);
  g_test_add_func ("/deca/engine/validator/robustness", test_json_entry_and_robustness);
  g_test_add_func ("/deca/engine/validator/long-chain", test_long_chain);
  g_test_add_func ("/deca/engine/validator/long-loop-body", test_long_loop_body);
  g_test_add_func ("/deca/engine/validator/builtin-types", test_builtin_types);

  return g_test_run ();
}
