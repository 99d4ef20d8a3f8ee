#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_CONDITION_NODE (deca_condition_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaConditionNode, deca_condition_node, DECA, CONDITION_NODE, DecaNodeBase)

/* Returns (transfer full) the "condition" node type. */
DecaNodeType *deca_condition_node_new (void);

G_END_DECLS
