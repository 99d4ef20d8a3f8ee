#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_BRANCH_NODE (deca_branch_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaBranchNode, deca_branch_node, DECA, BRANCH_NODE, DecaNodeBase)

/* Returns (transfer full) the "branch" node type. */
DecaNodeType *deca_branch_node_new (void);

G_END_DECLS
