/* The "subflow" node: runs another flow as a child execution and outputs its result. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-subflow-node.h"

struct _DecaSubflowNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaSubflowNode, deca_subflow_node, DECA_TYPE_NODE_BASE)

static const DecaNodeInfo subflow_info = {
  .name = "subflow",
  .title = N_("Run flow"),
  .description = N_("Runs another flow as a child execution with the given input and outputs "
                    "that flow's result."),
  .category = "flow",
  .kind = DECA_NODE_KIND_ACTION,
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"Run flow\","
    "  \"properties\": {"
    "    \"flow_id\": {"
    "      \"type\": \"string\","
    "      \"minLength\": 1,"
    "      \"title\": \"Flow\","
    "      \"description\": \"The id of the flow to run.\""
    "    },"
    "    \"version\": {"
    "      \"type\": \"integer\","
    "      \"minimum\": 0,"
    "      \"default\": 0,"
    "      \"title\": \"Version\","
    "      \"description\": \"The flow version to run; 0 runs the latest.\""
    "    },"
    "    \"input\": {"
    "      \"title\": \"Input\","
    "      \"description\": \"The child execution's input: any JSON value or a template such "
    "as {{input.customer}}. Defaults to null.\""
    "    }"
    "  },"
    "  \"required\": [\"flow_id\"],"
    "  \"additionalProperties\": false"
    "}",
};

/* Called by the host when the child execution ends. @output is borrowed. */
static void
subflow_done_cb (JsonNode     *output,
                 const GError *error,
                 gpointer      user_data)
{
  g_autoptr(DecaNodeInvocation) invocation = user_data;
  JsonObject *config = deca_node_invocation_get_config (invocation);
  const char *flow_id = json_object_get_string_member_with_default (config, "flow_id", "");

  if (error != NULL)
    {
      /* Keep the child's code (a timeout stays a timeout) when it is one of ours. */
      int code = error->domain == DECA_ENGINE_ERROR ? error->code : DECA_ENGINE_ERROR_NODE_FAILED;

      _deca_node_return_new_error (invocation, code, _("flow '%s' failed: %s"), flow_id,
                                   error->message);
      return;
    }

  _deca_node_return_output (invocation,
                            output != NULL ? deca_json_deep_copy (output)
                                           : json_node_new (JSON_NODE_NULL),
                            NULL);
}

/* Starts the child through the host; the node returns when the child finishes. Fails at
 * once when the config is wrong or the host cannot start the child. */
static void
deca_subflow_node_invoke (DecaNodeBase       *base,
                          DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) input = NULL;
  const char *flow_id;
  gint64 version;
  JsonNode *node;

  if (!_deca_node_config_get_string (config, "flow_id", NULL, &flow_id, &error)
      || !_deca_node_config_get_int (config, "version", 0, &version, &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  if (flow_id == NULL || *flow_id == '\0')
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("'flow_id' is required"));
      return;
    }
  if (version < 0)
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("'version' must be 0 (latest) or a version number, got %lld"),
                                   (long long) version);
      return;
    }

  node = json_object_get_member (config, "input");
  input = node != NULL ? deca_json_deep_copy (node) : json_node_new (JSON_NODE_NULL);

  /* The reference travels to subflow_done_cb; it is dropped here when the host refuses. */
  if (!deca_node_invocation_run_subflow (invocation, flow_id, version, input, subflow_done_cb,
                                         g_object_ref (invocation), &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      g_object_unref (invocation);
    }
}

static void
deca_subflow_node_class_init (DecaSubflowNodeClass *klass)
{
  DECA_NODE_BASE_CLASS (klass)->invoke = deca_subflow_node_invoke;
}

static void
deca_subflow_node_init (DecaSubflowNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &subflow_info);
}

DecaNodeType *
deca_subflow_node_new (void)
{
  return g_object_new (DECA_TYPE_SUBFLOW_NODE, NULL);
}
