/* The registration of the built-in node types. */

#include "deca-node-registry.h"

#include "deca-approval-node.h"
#include "deca-branch-node.h"
#include "deca-condition-node.h"
#include "deca-http-node.h"
#include "deca-log-node.h"
#include "deca-loop-node.h"
#include "deca-publish-event-node.h"
#include "deca-respond-node.h"
#include "deca-subflow-node.h"
#include "deca-transform-node.h"
#include "deca-trigger-nodes.h"
#include "deca-wait-node.h"

typedef DecaNodeType *(*NodeConstructor) (void);

/* Adds one instance of every built-in type to @registry. Each registry gets instances of
 * its own, so types (the http node's sessions) die with the registry. */
void
_deca_nodes_register_builtin (DecaNodeRegistry *registry)
{
  static const NodeConstructor constructors[] = {
    deca_transform_node_new,
    deca_condition_node_new,
    deca_branch_node_new,
    deca_loop_node_new,
    deca_wait_node_new,
    deca_http_node_new,
    deca_subflow_node_new,
    deca_respond_node_new,
    deca_approval_node_new,
    deca_log_node_new,
    deca_publish_event_node_new,
  };
  const char * const *triggers = deca_trigger_node_list_names ();

  g_return_if_fail (DECA_IS_NODE_REGISTRY (registry));

  for (guint i = 0; i < G_N_ELEMENTS (constructors); i++)
    {
      g_autoptr(DecaNodeType) type = constructors[i] ();

      deca_node_registry_add (registry, type);
    }
  for (guint i = 0; triggers[i] != NULL; i++)
    {
      g_autoptr(DecaNodeType) type = deca_trigger_node_new (triggers[i]);

      deca_node_registry_add (registry, type);
    }
}
