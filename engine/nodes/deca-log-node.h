#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_LOG_NODE (deca_log_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaLogNode, deca_log_node, DECA, LOG_NODE, DecaNodeBase)

/* Returns (transfer full) the "log" node type. */
DecaNodeType *deca_log_node_new (void);

G_END_DECLS
