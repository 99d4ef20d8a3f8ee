#pragma once

#include "deca-flow-document.h"
#include "deca-json.h"

G_BEGIN_DECLS

/*
 * What DecaFlowDocument and its items share. The JSON objects installed in items are
 * never changed in place: an edit installs a new object (sharing unchanged members with
 * the old one), so the undo history can keep the old ones by reference.
 */

/* Takes a reference on @object. */
DecaFlowNodeItem       *_deca_flow_node_item_new            (JsonObject *object);
/* Returns (transfer none) the installed object. */
JsonObject             *_deca_flow_node_item_peek_object    (DecaFlowNodeItem *self);
/* Installs @object (takes a reference) and notifies the properties that changed. */
void                    _deca_flow_node_item_set_object     (DecaFlowNodeItem *self,
                                                             JsonObject       *object);
/* @document is not referenced; NULL when the item leaves the document. */
void                    _deca_flow_node_item_set_document   (DecaFlowNodeItem *self,
                                                             DecaFlowDocument *document);
/* Takes @problems (transfer full, borrowed problem pointers owned by the document);
 * notifies "problems" when it or the old set is not empty. */
void                    _deca_flow_node_item_set_problems   (DecaFlowNodeItem *self,
                                                             GPtrArray        *problems);

DecaFlowConnectionItem *_deca_flow_connection_item_new      (JsonObject *object,
                                                             const char *default_port);
JsonObject             *_deca_flow_connection_item_peek_object (DecaFlowConnectionItem *self);
/* Installs @object; @default_port is the source type's default port (NULL = "main"). */
void                    _deca_flow_connection_item_set_object  (DecaFlowConnectionItem *self,
                                                                JsonObject             *object,
                                                                const char             *default_port);
void                    _deca_flow_connection_item_set_document (DecaFlowConnectionItem *self,
                                                                 DecaFlowDocument       *document);
void                    _deca_flow_connection_item_set_problems (DecaFlowConnectionItem *self,
                                                                 GPtrArray              *problems);

/* Recomputes the document's problems when an edit made them stale. */
void                    _deca_flow_document_ensure_problems (DecaFlowDocument *self);

/* TRUE when the two arrays of DecaValidationProblem say the same things in the same
 * order (problems are fresh objects after every recomputation, so compare contents). */
gboolean                _deca_validation_problems_equal     (GPtrArray  *a,
                                                             GPtrArray  *b);

G_END_DECLS
