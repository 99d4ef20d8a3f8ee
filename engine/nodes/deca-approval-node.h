#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_APPROVAL_NODE (deca_approval_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaApprovalNode, deca_approval_node, DECA, APPROVAL_NODE, DecaNodeBase)

/* Returns (transfer full) the "approval" node type. */
DecaNodeType *deca_approval_node_new (void);

G_END_DECLS
