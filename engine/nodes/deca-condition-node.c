/* The "condition" node: evaluates one expression and leaves by "true" or "false". */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-condition-node.h"

struct _DecaConditionNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaConditionNode, deca_condition_node, DECA_TYPE_NODE_BASE)

static const char * const condition_ports[] = { "true", "false", NULL };

static const DecaNodeInfo condition_info = {
  .name = "condition",
  .title = N_("Condition"),
  .description = N_("Evaluates an expression and continues on the \"true\" port when it is truthy, "
                    "on the \"false\" port otherwise."),
  .category = "core",
  .kind = DECA_NODE_KIND_ACTION,
  .replayable = TRUE,
  .ports = condition_ports,
  .default_port = "true",
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"Condition\","
    "  \"properties\": {"
    "    \"expression\": {"
    "      \"type\": \"string\","
    "      \"format\": \"expression\","
    "      \"minLength\": 1,"
    "      \"title\": \"Expression\","
    "      \"description\": \"The test, for example {{validate.success}} === true. null, false, "
    "0, \\\"\\\", [] and {} count as false, everything else as true.\""
    "    }"
    "  },"
    "  \"required\": [\"expression\"],"
    "  \"additionalProperties\": false"
    "}",
};

/* Evaluates "expression" and returns {"result": bool} on the port of the same name. An
 * expression that fails to parse or evaluate fails the node. */
static void
deca_condition_node_invoke (DecaNodeBase       *base,
                            DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(JsonObject) output = json_object_new ();
  const char *expression;
  gboolean result;

  if (!_deca_node_config_get_string (config, "expression", NULL, &expression, &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  if (expression == NULL)
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("'expression' is required"));
      return;
    }

  value = deca_node_invocation_evaluate (invocation, expression, &error);
  if (value == NULL)
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }

  result = deca_json_is_truthy (value);
  json_object_set_boolean_member (output, "result", result);
  _deca_node_return_object (invocation, output, result ? "true" : "false");
}

static void
deca_condition_node_class_init (DecaConditionNodeClass *klass)
{
  DECA_NODE_BASE_CLASS (klass)->invoke = deca_condition_node_invoke;
}

static void
deca_condition_node_init (DecaConditionNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &condition_info);
}

DecaNodeType *
deca_condition_node_new (void)
{
  return g_object_new (DECA_TYPE_CONDITION_NODE, NULL);
}
