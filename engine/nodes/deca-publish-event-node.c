/* The "publish_event" node: publishes an event on the execution's event bus, so that the
 * flows subscribed to its topic run (docs/dispatch.md). */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "deca-publish-event-node.h"
#include "deca-topic.h"

struct _DecaPublishEventNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaPublishEventNode, deca_publish_event_node, DECA_TYPE_NODE_BASE)

static const DecaNodeInfo publish_event_info = {
  .name = "publish_event",
  .title = N_("Publish event"),
  .description = N_("Publishes an event to a topic; every active flow of the workspace whose event "
                    "trigger matches the topic runs with it. Needs the server (deca serve)."),
  .category = "integration",
  .kind = DECA_NODE_KIND_ACTION,
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"Publish event\","
    "  \"properties\": {"
    "    \"topic\": {"
    "      \"type\": \"string\","
    "      \"title\": \"Topic\","
    "      \"description\": \"Tokens separated by dots, without wildcards, such as "
    "crm.contact.created; a template such as 'orders.{{input.region}}.paid'.\","
    "      \"minLength\": 1"
    "    },"
    "    \"data\": {"
    "      \"title\": \"Data\","
    "      \"description\": \"The event's data: a JSON object, or a template that gives one, "
    "such as '{{input}}'. Empty when left out.\""
    "    }"
    "  },"
    "  \"required\": [\"topic\"],"
    "  \"additionalProperties\": false"
    "}",
};

/* Whether @text is a template (its value is known only when the node runs). */
static gboolean
is_template (const char *text)
{
  return strstr (text, "{{") != NULL;
}

/* Checks what can be checked before the run: a literal topic, literal data. */
static void
deca_publish_event_node_check_config (DecaNodeBase *base,
                                      JsonObject   *config,
                                      GPtrArray    *problems)
{
  JsonNode *topic = json_object_get_member (config, "topic");
  JsonNode *data = json_object_get_member (config, "data");

  if (topic != NULL && JSON_NODE_HOLDS_VALUE (topic) && json_node_get_value_type (topic) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (topic);
      g_autoptr(GError) error = NULL;

      /* An empty topic is the schema's "too short". */
      if (text[0] != '\0' && !is_template (text) && !deca_topic_validate (text, &error))
        _deca_node_add_problem (problems, "/topic", "%s", error->message);
    }
  if (data != NULL && !JSON_NODE_HOLDS_NULL (data) && !JSON_NODE_HOLDS_OBJECT (data)
      && !(JSON_NODE_HOLDS_VALUE (data) && json_node_get_value_type (data) == G_TYPE_STRING
           && is_template (json_node_get_string (data))))
    _deca_node_add_problem (problems, "/data", "%s",
                            _("must be a JSON object or a template that gives one, such as '{{input}}'"));
}

/* Publishes the rendered "topic" with the rendered "data" and returns what the bus says
 * of the event: {"id", "topic", "time", "deliveries"}. */
static void
deca_publish_event_node_invoke (DecaNodeBase       *base,
                                DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) published = NULL;
  const char *topic = NULL;
  JsonNode *data;

  if (!_deca_node_config_get_string (config, "topic", NULL, &topic, &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  if (topic == NULL)
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED, _("'topic' is required"));
      return;
    }
  data = json_object_get_member (config, "data");
  if (data != NULL && JSON_NODE_HOLDS_NULL (data))
    data = NULL;
  if (data != NULL && !JSON_NODE_HOLDS_OBJECT (data))
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("'data' must be a JSON object, not %s"),
                                   deca_json_type_name (data));
      return;
    }

  published = deca_node_invocation_publish_event (invocation, topic, data, &error);
  if (published == NULL)
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  _deca_node_return_output (invocation, g_steal_pointer (&published), NULL);
}

static void
deca_publish_event_node_class_init (DecaPublishEventNodeClass *klass)
{
  DECA_NODE_BASE_CLASS (klass)->invoke = deca_publish_event_node_invoke;
  DECA_NODE_BASE_CLASS (klass)->check_config = deca_publish_event_node_check_config;
}

static void
deca_publish_event_node_init (DecaPublishEventNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &publish_event_info);
}

DecaNodeType *
deca_publish_event_node_new (void)
{
  return g_object_new (DECA_TYPE_PUBLISH_EVENT_NODE, NULL);
}
