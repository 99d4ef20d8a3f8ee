#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * DecaFlowConnectionItem: one connection of a DecaFlowDocument, as the items of its
 * "connections" list. Stable like DecaFlowNodeItem: edits notify, removal and insertion
 * are items-changed of the list. Every property is read-only; edit through the document.
 */

#define DECA_TYPE_FLOW_CONNECTION_ITEM (deca_flow_connection_item_get_type ())
G_DECLARE_FINAL_TYPE (DecaFlowConnectionItem, deca_flow_connection_item,
                      DECA, FLOW_CONNECTION_ITEM, GObject)

/* The source node's id. */
const char *deca_flow_connection_item_get_from      (DecaFlowConnectionItem *self);
/* The output port the connection leaves from: "from_port" as written, "error" for an
 * on_error connection, else the source type's default port ("main" when the type is
 * unknown). Never NULL. */
const char *deca_flow_connection_item_get_from_port (DecaFlowConnectionItem *self);
/* TRUE when the document names the port ("from_port" is written). */
gboolean    deca_flow_connection_item_get_has_from_port (DecaFlowConnectionItem *self);
const char *deca_flow_connection_item_get_to        (DecaFlowConnectionItem *self);
/* "to_port" as written, else "main". Never NULL. */
const char *deca_flow_connection_item_get_to_port   (DecaFlowConnectionItem *self);
/* Returns (nullable) the condition expression; NULL means always. */
const char *deca_flow_connection_item_get_condition (DecaFlowConnectionItem *self);
/* TRUE for a fallback connection ("on_error": true, or "from_port": "error"). */
gboolean    deca_flow_connection_item_get_on_error  (DecaFlowConnectionItem *self);
/* Returns (transfer full) a copy of the connection's whole JSON object. */
JsonObject *deca_flow_connection_item_dup_object    (DecaFlowConnectionItem *self);
/* Returns (transfer none) (element-type DecaValidationProblem) the validation problems
 * whose pointer lies inside this connection ("/connections/2/condition"). */
GPtrArray  *deca_flow_connection_item_get_problems  (DecaFlowConnectionItem *self);

G_END_DECLS
