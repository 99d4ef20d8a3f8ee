/* The "loop" node: hands the executor the items its "body" port runs once for each. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-loop-node.h"

struct _DecaLoopNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaLoopNode, deca_loop_node, DECA_TYPE_NODE_BASE)

static const char * const loop_ports[] = { "body", "done", NULL };

static const DecaNodeInfo loop_info = {
  .name = "loop",
  .title = N_("Loop"),
  .description = N_("Runs the nodes connected to its \"body\" port once per item of an array, "
                    "then continues on \"done\" with the results."),
  .category = "flow",
  .kind = DECA_NODE_KIND_LOOP,
  .ports = loop_ports,
  .default_port = "done",
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"Loop\","
    "  \"properties\": {"
    "    \"items\": {"
    "      \"type\": \"string\","
    "      \"format\": \"expression\","
    "      \"minLength\": 1,"
    "      \"title\": \"Items\","
    "      \"description\": \"An expression that evaluates to an array, for example "
    "{{fetch.body.orders}}. Inside the body, item and index name the current element.\""
    "    },"
    "    \"concurrency\": {"
    "      \"type\": \"integer\","
    "      \"minimum\": 1,"
    "      \"default\": 1,"
    "      \"title\": \"Concurrency\","
    "      \"description\": \"How many items run through the body at the same time.\""
    "    }"
    "  },"
    "  \"required\": [\"items\"],"
    "  \"additionalProperties\": false"
    "}",
};

/* Evaluates "items" and returns the array itself. The executor, which knows this is a
 * DECA_NODE_KIND_LOOP node, runs the body per element and fires "done" on its own; this
 * node only has to produce (and check) the array. */
static void
deca_loop_node_invoke (DecaNodeBase       *base,
                       DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) items = NULL;
  const char *expression;
  gint64 concurrency;

  if (!_deca_node_config_get_string (config, "items", NULL, &expression, &error)
      || !_deca_node_config_get_int (config, "concurrency", 1, &concurrency, &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  if (expression == NULL)
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("'items' is required"));
      return;
    }
  if (concurrency < 1)
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("'concurrency' must be at least 1, got %lld"),
                                   (long long) concurrency);
      return;
    }

  items = deca_node_invocation_evaluate (invocation, expression, &error);
  if (items == NULL)
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY (items))
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("'items' must evaluate to an array, got %s"),
                                   deca_json_type_name (items));
      return;
    }

  _deca_node_return_output (invocation, g_steal_pointer (&items), NULL);
}

static void
deca_loop_node_class_init (DecaLoopNodeClass *klass)
{
  DECA_NODE_BASE_CLASS (klass)->invoke = deca_loop_node_invoke;
}

static void
deca_loop_node_init (DecaLoopNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &loop_info);
}

DecaNodeType *
deca_loop_node_new (void)
{
  return g_object_new (DECA_TYPE_LOOP_NODE, NULL);
}
