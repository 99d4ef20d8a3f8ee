/* The "log" node: writes a message to the execution's log. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-log-node.h"

struct _DecaLogNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaLogNode, deca_log_node, DECA_TYPE_NODE_BASE)

static const DecaNodeInfo log_info = {
  .name = "log",
  .title = N_("Log"),
  .description = N_("Writes a message to the execution log (the run panel, `deca run` and the "
                    "server's event stream) and passes it on."),
  .category = "core",
  .kind = DECA_NODE_KIND_ACTION,
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"Log\","
    "  \"properties\": {"
    "    \"message\": {"
    "      \"title\": \"Message\","
    "      \"description\": \"The text to log; a template such as 'Order {{input.id}} received'. "
    "A value that is not a string is logged as compact JSON.\""
    "    },"
    "    \"level\": {"
    "      \"type\": \"string\","
    "      \"title\": \"Level\","
    "      \"description\": \"How important the message is.\","
    "      \"enum\": [\"debug\", \"info\", \"warning\", \"error\"],"
    "      \"default\": \"info\""
    "    }"
    "  },"
    "  \"required\": [\"message\"],"
    "  \"additionalProperties\": false"
    "}",
};

static const struct {
  const char     *name;
  GLogLevelFlags  flags;
} levels[] = {
  { "debug", G_LOG_LEVEL_DEBUG },
  { "info", G_LOG_LEVEL_INFO },
  { "warning", G_LOG_LEVEL_WARNING },
  /* Not G_LOG_LEVEL_ERROR, which g_log() treats as fatal: a flow's message is data about
   * the flow, never a reason to abort the process that runs it. */
  { "error", G_LOG_LEVEL_CRITICAL },
};

/* Logs the rendered "message" at "level" through the host and returns
 * {"message": text, "level": name}. Fails on an unknown level. */
static void
deca_log_node_invoke (DecaNodeBase       *base,
                      DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) output = json_object_new ();
  g_autofree char *message = NULL;
  const char *level = NULL;
  GLogLevelFlags flags = 0;
  JsonNode *node;

  if (!_deca_node_config_get_string (config, "level", "info", &level, &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    if (g_str_equal (levels[i].name, level))
      flags = levels[i].flags;
  if (flags == 0)
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("'level' must be debug, info, warning or error, not '%s'"),
                                   level);
      return;
    }

  node = json_object_get_member (config, "message");
  if (node == NULL)
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("'message' is required"));
      return;
    }
  message = deca_json_to_display_string (node);

  deca_node_invocation_log (invocation, flags, message);
  json_object_set_string_member (output, "message", message);
  json_object_set_string_member (output, "level", level);
  _deca_node_return_object (invocation, output, NULL);
}

static void
deca_log_node_class_init (DecaLogNodeClass *klass)
{
  DECA_NODE_BASE_CLASS (klass)->invoke = deca_log_node_invoke;
}

static void
deca_log_node_init (DecaLogNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &log_info);
}

DecaNodeType *
deca_log_node_new (void)
{
  return g_object_new (DECA_TYPE_LOG_NODE, NULL);
}
