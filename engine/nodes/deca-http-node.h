#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_HTTP_NODE (deca_http_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaHttpNode, deca_http_node, DECA, HTTP_NODE, DecaNodeBase)

/* Returns (transfer full) the "http" node type. */
DecaNodeType *deca_http_node_new (void);

G_END_DECLS
