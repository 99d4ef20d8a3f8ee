#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_TRANSFORM_NODE (deca_transform_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaTransformNode, deca_transform_node, DECA, TRANSFORM_NODE, DecaNodeBase)

/* Returns (transfer full) the "transform" node type. */
DecaNodeType *deca_transform_node_new (void);

G_END_DECLS
