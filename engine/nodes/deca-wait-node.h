#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_WAIT_NODE (deca_wait_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaWaitNode, deca_wait_node, DECA, WAIT_NODE, DecaNodeBase)

/* Returns (transfer full) the "wait" node type. */
DecaNodeType *deca_wait_node_new (void);

G_END_DECLS
