#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_LOOP_NODE (deca_loop_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaLoopNode, deca_loop_node, DECA, LOOP_NODE, DecaNodeBase)

/* Returns (transfer full) the "loop" node type. */
DecaNodeType *deca_loop_node_new (void);

G_END_DECLS
