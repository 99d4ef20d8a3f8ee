#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

#define DECA_TYPE_PUBLISH_EVENT_NODE (deca_publish_event_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaPublishEventNode, deca_publish_event_node, DECA, PUBLISH_EVENT_NODE, DecaNodeBase)

/* Returns (transfer full) the "publish_event" node type. */
DecaNodeType *deca_publish_event_node_new (void);

G_END_DECLS
