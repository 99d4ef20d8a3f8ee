/* The "approval" node: pauses the execution until a person approves or rejects. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-approval-node.h"

struct _DecaApprovalNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaApprovalNode, deca_approval_node, DECA_TYPE_NODE_BASE)

static const char * const approval_ports[] = { "approved", "rejected", NULL };

#define DEFAULT_MESSAGE "Waiting for approval"

static const DecaNodeInfo approval_info = {
  .name = "approval",
  .title = N_("Approval"),
  .description = N_("Pauses the execution until a person approves or rejects it, then "
                    "continues on the \"approved\" or the \"rejected\" port."),
  .category = "flow",
  .kind = DECA_NODE_KIND_ACTION,
  .ports = approval_ports,
  .default_port = "approved",
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"Approval\","
    "  \"properties\": {"
    "    \"message\": {"
    "      \"type\": \"string\","
    "      \"title\": \"Message\","
    "      \"description\": \"What the approver is asked; a template such as 'Refund "
    "{{input.amount}} EUR to {{input.customer}}?'.\","
    "      \"default\": \"" DEFAULT_MESSAGE "\""
    "    },"
    "    \"approvers\": {"
    "      \"type\": \"array\","
    "      \"items\": { \"type\": \"string\", \"minLength\": 1 },"
    "      \"title\": \"Approvers\","
    "      \"description\": \"Who is expected to decide (user names or e-mail addresses). "
    "Informational: shown with the request, not enforced by the engine.\""
    "    }"
    "  },"
    "  \"additionalProperties\": false"
    "}",
};

/* When the host has a decision for this node, returns {"approved", "comment",
 * "decided_by"} on "approved" or "rejected"; otherwise pauses with the message. The
 * executor invokes the node again after a decision, which then takes the first branch. */
static void
deca_approval_node_invoke (DecaNodeBase       *base,
                           DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  g_autoptr(JsonObject) output = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *decided_by = NULL;
  g_autofree char *message = NULL;
  gboolean approved = FALSE;
  JsonNode *node;

  if (deca_node_invocation_get_approval (invocation, &approved, &comment, &decided_by))
    {
      output = json_object_new ();
      json_object_set_boolean_member (output, "approved", approved);
      if (comment != NULL)
        json_object_set_string_member (output, "comment", comment);
      else
        json_object_set_null_member (output, "comment");
      if (decided_by != NULL)
        json_object_set_string_member (output, "decided_by", decided_by);
      else
        json_object_set_null_member (output, "decided_by");
      _deca_node_return_object (invocation, output, approved ? "approved" : "rejected");
      return;
    }

  /* A message rendered from a template may be any value; people read text. */
  node = json_object_get_member (config, "message");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    message = deca_json_to_display_string (node);
  if (message == NULL || *message == '\0')
    {
      g_free (message);
      message = g_strdup (DEFAULT_MESSAGE);
    }
  deca_node_invocation_return_paused (invocation, message);
}

static void
deca_approval_node_class_init (DecaApprovalNodeClass *klass)
{
  DECA_NODE_BASE_CLASS (klass)->invoke = deca_approval_node_invoke;
}

static void
deca_approval_node_init (DecaApprovalNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &approval_info);
}

DecaNodeType *
deca_approval_node_new (void)
{
  return g_object_new (DECA_TYPE_APPROVAL_NODE, NULL);
}
