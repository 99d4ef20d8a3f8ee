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
 *
 * The inspector only reads the document and calls its edits. It follows the shown item
 * (config, id, retry, timeout, problems) and the document's lists: when the shown node
 * or connection is removed it shows the flow. Text is written a short moment after the
 * last key (one undo step per burst of typing) and when the field loses the focus.
 * Works from 300 px wide.
 */

#define DECA_TYPE_INSPECTOR (deca_inspector_get_type ())
G_DECLARE_FINAL_TYPE (DecaInspector, deca_inspector, DECA, INSPECTOR, GtkWidget)

GtkWidget        *deca_inspector_new            (void);
DecaFlowDocument *deca_inspector_get_document   (DecaInspector    *self);
/* Shows the flow of @document (nullable); clears the node and the connection. */
void              deca_inspector_set_document   (DecaInspector    *self,
                                                 DecaFlowDocument *document);
/* The node shown (nullable: the flow itself). Follows renames. */
const char       *deca_inspector_get_node_id    (DecaInspector    *self);
/* Shows the node @node_id; NULL, or an id that is not a node, shows the flow. */
void              deca_inspector_set_node_id    (DecaInspector    *self,
                                                 const char       *node_id);
/* The connection shown (nullable); setting one clears the node and the other way round. */
void              deca_inspector_set_connection (DecaInspector          *self,
                                                 DecaFlowConnectionItem *connection);
/* Returns (transfer none) (nullable) the connection shown. */
DecaFlowConnectionItem *deca_inspector_get_connection (DecaInspector *self);
/* Moves the keyboard focus to the first field of what is shown: the node's first config
 * field (else its id), the connection's condition, the flow's name. */
void              deca_inspector_focus_first_field (DecaInspector *self);
/* Writes pending (debounced) edits now; the window calls this before undo and save. */
void              deca_inspector_flush          (DecaInspector    *self);
/* "flow", "node" or "connection": what is shown. */
const char       *deca_inspector_get_page       (DecaInspector    *self);

/* Returns (transfer none) (nullable) a part of the inspector, for tests and for the
 * window's shortcuts: "schema-form" (DecaSchemaForm), "node-id" (AdwEntryRow),
 * "node-id-error" and "node-problems" (GtkLabel), "retry" (AdwExpanderRow),
 * "max-attempts", "initial-delay", "multiplier", "max-delay", "jitter", "node-timeout",
 * "flow-timeout", "parallelism", "failure-threshold", "cooldown" (GtkSpinButton),
 * "flow-name", "flow-description" (AdwEntryRow), "flow-problems" (GtkLabel),
 * "error-strategy" (AdwComboRow), "condition" (DecaExpressionView),
 * "connection-problems" (GtkLabel), "delete-connection" (GtkButton), "trigger-editor"
 * (DecaTriggerEditor). */
GtkWidget        *deca_inspector_get_part       (DecaInspector    *self,
                                                 const char       *name);

G_END_DECLS
