#pragma once

#include <gtksourceview/gtksource.h>

#include "deca-flow-document.h"

G_BEGIN_DECLS

/*
 * DecaExpressionCompletion: a GtkSourceCompletionProvider for expression and template
 * fields. Inside an expression (all of an expression field; the open {{ }} part of a
 * template) it proposes the roots a path may start from: the other nodes' ids, input,
 * execution, credentials, env, item, index, loop, and the functions; after "root." (and
 * deeper, "root.a.") the members that root is known to have: a node's output fields by its
 * type, a loop's state, the execution's id.
 *
 * The engine has no machine-readable description of what a node outputs, so the output
 * fields come from docs/nodes.md ("Output:" of each type), written down in
 * deca-expression-completion.c; a transform's outputs are the keys it sets and renames to,
 * read from the node's config.
 */

#define DECA_TYPE_EXPRESSION_COMPLETION (deca_expression_completion_get_type ())
G_DECLARE_FINAL_TYPE (DecaExpressionCompletion, deca_expression_completion,
                      DECA, EXPRESSION_COMPLETION, GObject)

/* @template_mode TRUE: the text is a template, completion happens only inside {{ }};
 * FALSE: the text is an expression. */
DecaExpressionCompletion *deca_expression_completion_new          (gboolean                  template_mode);
void                      deca_expression_completion_set_document (DecaExpressionCompletion *self,
                                                                   DecaFlowDocument         *document);
/* (nullable) The node whose field is being edited; it does not propose itself. */
void                      deca_expression_completion_set_node_id  (DecaExpressionCompletion *self,
                                                                   const char               *node_id);

/* What completion proposes when @text_before_cursor is everything before the cursor.
 * Returns (transfer full) a GListModel of DecaExpressionProposal matching the word being
 * typed (prefix, case-insensitive), or NULL when the cursor is not inside an expression (in
 * template text, in a string literal, after a number). When not NULL, *@word_start (may be
 * NULL) is the byte offset of that word in @text_before_cursor, which a proposal replaces. */
GListModel *deca_expression_completion_propose (DecaExpressionCompletion *self,
                                                const char               *text_before_cursor,
                                                gsize                    *word_start);

G_END_DECLS
