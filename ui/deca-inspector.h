#pragma once

#include <gtk/gtk.h>

#include "deca-flow-document.h"

G_BEGIN_DECLS

/*
 * DecaInspector: the side panel that edits what is selected on the canvas. For a node it
 * renders a form from the node type's config schema (text, number, switch, drop-down,
 * JSON and expression fields), plus the node's id, retry and timeout; for a connection
 * its condition; with nothing selected, the flow: name, settings (timeout, error
 * strategy, parallelism) and triggers (webhook path and method, cron with its
 * description and next fire times, event pattern). Every change is an edit of the
 * document; validation problems show inline on their field as the user types.
 */

#define DECA_TYPE_INSPECTOR (deca_inspector_get_type ())
G_DECLARE_FINAL_TYPE (DecaInspector, deca_inspector, DECA, INSPECTOR, GtkWidget)

GtkWidget        *deca_inspector_new            (void);
DecaFlowDocument *deca_inspector_get_document   (DecaInspector    *self);
void              deca_inspector_set_document   (DecaInspector    *self,
                                                 DecaFlowDocument *document);
/* The node shown (nullable: the flow itself). */
const char       *deca_inspector_get_node_id    (DecaInspector    *self);
void              deca_inspector_set_node_id    (DecaInspector    *self,
                                                 const char       *node_id);
/* The connection shown (nullable); setting one clears the node and the other way round. */
void              deca_inspector_set_connection (DecaInspector          *self,
                                                 DecaFlowConnectionItem *connection);

G_END_DECLS
