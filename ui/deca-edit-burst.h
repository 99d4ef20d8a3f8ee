#pragma once

#include "deca-flow-document.h"

G_BEGIN_DECLS

/*
 * Edit bursts: the inspector writes a field to the document as the person types, a few
 * edits per second, and a burst of editing in one field should be one undo step. A
 * burst is a document group (deca_flow_document_begin_group) that the inspector's parts
 * open before writing a field and close when another field is written, when the field
 * loses the focus, when the inspector is flushed, or after a pause in the editing.
 *
 * The open burst is kept on the document, so that every part of the inspector (the
 * config form, the trigger editor, the node and flow settings) shares it: an edit of
 * another field first closes the previous field's step.
 *
 * While a burst is open the document refuses undo and redo (a group is open); callers
 * that undo, redo or save call deca_edit_burst_end() (or deca_inspector_flush()) first.
 */

/* How long after the last key a typed edit is written: long enough that a burst of typing
 * is a few writes, short enough that problems follow the typing. Every part of the
 * inspector waits this long. */
#define DECA_EDIT_APPLY_DELAY_MS 300

/* Opens, or continues, the burst of @field (any pointer naming the field) on @document;
 * call it right before the edit. An open burst of another field is ended first. */
void deca_edit_burst_begin (DecaFlowDocument *document,
                            gconstpointer     field);
/* Ends the open burst on @document, if any. */
void deca_edit_burst_end   (DecaFlowDocument *document);

G_END_DECLS
