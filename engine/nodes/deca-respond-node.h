#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_RESPOND_NODE (deca_respond_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaRespondNode, deca_respond_node, DECA, RESPOND_NODE, DecaNodeBase)

/* Returns (transfer full) the "respond" node type. */
DecaNodeType *deca_respond_node_new (void);

G_END_DECLS
