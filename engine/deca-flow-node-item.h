#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * DecaFlowNodeItem: one node of a DecaFlowDocument, as the items of its "nodes" list.
 *
 * An item is a stable object: an edit that changes the node (a move, a rename, a new
 * config) notifies the item's properties, it never replaces the item, so a canvas can keep
 * one widget per item. Every property is read-only; edits go through the document, which
 * is what makes them undoable.
 */

#define DECA_TYPE_FLOW_NODE_ITEM (deca_flow_node_item_get_type ())
G_DECLARE_FINAL_TYPE (DecaFlowNodeItem, deca_flow_node_item, DECA, FLOW_NODE_ITEM, GObject)

/* The node's id ("validate-input"). Valid until the node changes. */
const char *deca_flow_node_item_get_id           (DecaFlowNodeItem *self);
/* The node's type name ("http"). */
const char *deca_flow_node_item_get_node_type    (DecaFlowNodeItem *self);
/* Returns (transfer full) a copy of the node's config; an empty object when it has none.
 * Changing the copy changes nothing in the document. */
JsonObject *deca_flow_node_item_get_config       (DecaFlowNodeItem *self);
/* The canvas position; 0 when the node has none (see has-position). */
double      deca_flow_node_item_get_x            (DecaFlowNodeItem *self);
double      deca_flow_node_item_get_y            (DecaFlowNodeItem *self);
/* FALSE for a node written without "position" (an import); a layout may place it. */
gboolean    deca_flow_node_item_get_has_position (DecaFlowNodeItem *self);
/* Returns (transfer full) (nullable) a copy of the node's "retry" object. */
JsonObject *deca_flow_node_item_get_retry        (DecaFlowNodeItem *self);
/* The node's "timeout" in seconds, 0 when it has none. */
double      deca_flow_node_item_get_timeout      (DecaFlowNodeItem *self);
/* Returns (transfer full) a copy of the node's whole JSON object, unknown members
 * included. */
JsonObject *deca_flow_node_item_dup_object       (DecaFlowNodeItem *self);
/* Returns (transfer none) (element-type DecaValidationProblem) the validation problems
 * whose pointer lies inside this node ("/nodes/3/config/url"), as of the document's
 * current state; empty for a node that is not in a document. notify::problems fires when
 * they change. */
GPtrArray  *deca_flow_node_item_get_problems     (DecaFlowNodeItem *self);

G_END_DECLS
