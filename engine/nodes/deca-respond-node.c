/* The "respond" node: sets the HTTP response of a webhook-triggered execution. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-respond-node.h"

struct _DecaRespondNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaRespondNode, deca_respond_node, DECA_TYPE_NODE_BASE)

static const DecaNodeInfo respond_info = {
  .name = "respond",
  .title = N_("Respond to webhook"),
  .description = N_("Sets the HTTP response the caller of a webhook receives, without waiting "
                    "for the rest of the flow."),
  .category = "flow",
  .kind = DECA_NODE_KIND_ACTION,
  .replayable = TRUE,
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"Respond to webhook\","
    "  \"properties\": {"
    "    \"status\": {"
    "      \"type\": \"integer\","
    "      \"minimum\": 100,"
    "      \"maximum\": 599,"
    "      \"default\": 200,"
    "      \"title\": \"Status\","
    "      \"description\": \"The HTTP status code.\""
    "    },"
    "    \"headers\": {"
    "      \"type\": \"object\","
    "      \"additionalProperties\": { \"type\": \"string\" },"
    "      \"default\": {},"
    "      \"title\": \"Headers\","
    "      \"description\": \"Response headers, name to value; values are templates.\""
    "    },"
    "    \"body\": {"
    "      \"title\": \"Body\","
    "      \"description\": \"The response body: any JSON value, or a template such as "
    "{{transform}}. Objects and arrays are sent as JSON, strings as text.\""
    "    }"
    "  },"
    "  \"additionalProperties\": false"
    "}",
};

/* Builds {"status", "headers", "body"} from the config, hands it to the host and returns
 * it. Fails when the status is out of range, a header value is not a string or number, or
 * the execution has nobody to respond to. */
static void
deca_respond_node_invoke (DecaNodeBase       *base,
                          DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) response = json_object_new ();
  g_autoptr(JsonObject) out_headers = json_object_new ();
  g_autoptr(JsonNode) response_node = NULL;
  g_autoptr(JsonNode) for_host = NULL;
  JsonObject *headers;
  g_auto(DecaJsonIter) iter = { 0 };
  const char *name;
  JsonNode *value;
  JsonNode *body;
  gint64 status;

  if (!_deca_node_config_get_int (config, "status", 200, &status, &error)
      || !_deca_node_config_get_object (config, "headers", &headers, &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  if (status < 100 || status > 599)
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("'status' must be between 100 and 599, got %lld"),
                                   (long long) status);
      return;
    }

  if (headers != NULL)
    {
      _deca_json_iter_init (&iter, headers);
      while (_deca_json_iter_next (&iter, &name, &value))
        {
          g_autofree char *text = NULL;

          /* Rendered templates may produce numbers ("Retry-After": "{{delay}}"); objects
           * and arrays have no sensible header form. */
          if (!JSON_NODE_HOLDS_VALUE (value))
            {
              _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                           _("'headers.%s' must be a string, got %s"), name,
                                           deca_json_type_name (value));
              return;
            }
          /* A string is its own display text: no copy of it to make first. */
          if (json_node_get_value_type (value) == G_TYPE_STRING)
            {
              json_object_set_string_member (out_headers, name, json_node_get_string (value));
              continue;
            }
          text = deca_json_to_display_string (value);
          json_object_set_string_member (out_headers, name, text);
        }
    }

  body = json_object_get_member (config, "body");
  json_object_set_int_member (response, "status", status);
  json_object_set_object_member (response, "headers", json_object_ref (out_headers));
  json_object_set_member (response, "body", body != NULL ? deca_json_copy_sealed (body)
                                                         : json_node_new (JSON_NODE_NULL));

  response_node = _deca_json_object_node (response);
  /* The host keeps what it is given (the server answers the caller later), and later
   * nodes read the output: one tree for both, sealed, so that neither can change what
   * the other sees (json-glib refuses to modify a sealed node). The tree is this
   * invocation's own down to its values (the body a copy that shares none), so sealing
   * it touches nothing of the config's or the flow's, and costs a fraction of the second
   * copy it replaces. */
  json_node_seal (response_node);
  for_host = json_node_ref (response_node);
  if (!deca_node_invocation_set_response (invocation, for_host, &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  _deca_node_return_output (invocation, g_steal_pointer (&response_node), NULL);
}

static void
deca_respond_node_class_init (DecaRespondNodeClass *klass)
{
  DECA_NODE_BASE_CLASS (klass)->invoke = deca_respond_node_invoke;
}

static void
deca_respond_node_init (DecaRespondNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &respond_info);
}

DecaNodeType *
deca_respond_node_new (void)
{
  return g_object_new (DECA_TYPE_RESPOND_NODE, NULL);
}
