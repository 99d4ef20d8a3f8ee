#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_SUBFLOW_NODE (deca_subflow_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaSubflowNode, deca_subflow_node, DECA, SUBFLOW_NODE, DecaNodeBase)

/* Returns (transfer full) the "subflow" node type. */
DecaNodeType *deca_subflow_node_new (void);

G_END_DECLS
