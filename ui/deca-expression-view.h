#pragma once

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "deca-expression-completion.h"

G_BEGIN_DECLS

/*
 * DecaExpressionView: a form row holding a GtkSourceView for a value that is code: a
 * template (text with {{ }} parts), an expression, or JSON. It highlights the language,
 * offers completion of node ids and their outputs (with a DecaExpressionCompletion; in
 * JSON, inside the {{ }} of string values, which are templates), and shows an error message below the text, which is also the
 * accessible description of the text view.
 *
 * ::changed is emitted when the person edits the text, never for set_text(), so that a
 * form can write edits to the model and read the model back without a loop.
 */

typedef enum {
  DECA_EXPRESSION_VIEW_TEMPLATE,
  DECA_EXPRESSION_VIEW_EXPRESSION,
  DECA_EXPRESSION_VIEW_JSON,
} DecaExpressionViewMode;

#define DECA_TYPE_EXPRESSION_VIEW_MODE (deca_expression_view_mode_get_type ())
GType deca_expression_view_mode_get_type (void) G_GNUC_CONST;

#define DECA_TYPE_EXPRESSION_VIEW (deca_expression_view_get_type ())
G_DECLARE_FINAL_TYPE (DecaExpressionView, deca_expression_view, DECA, EXPRESSION_VIEW, AdwPreferencesRow)

GtkWidget              *deca_expression_view_new             (DecaExpressionViewMode  mode);
DecaExpressionViewMode  deca_expression_view_get_mode        (DecaExpressionView     *self);
/* Returns (transfer full) the text. */
char                   *deca_expression_view_dup_text        (DecaExpressionView     *self);
/* Replaces the text unless it is already @text (so the cursor stays); no ::changed. */
void                    deca_expression_view_set_text        (DecaExpressionView     *self,
                                                              const char             *text);
/* (nullable) The error shown below the text; NULL or "" hides it. */
void                    deca_expression_view_set_error       (DecaExpressionView     *self,
                                                              const char             *message);
const char             *deca_expression_view_get_error       (DecaExpressionView     *self);
/* (nullable) A short help text below the field (the schema's description). */
void                    deca_expression_view_set_description (DecaExpressionView     *self,
                                                              const char             *description);
/* Marks the field as required (a "*" after the title, and in its accessible label). */
void                    deca_expression_view_set_required    (DecaExpressionView     *self,
                                                              gboolean                required);
/* (nullable) The accessible name of the text when the field has no visible title (a
 * value in a list of name/value pairs); NULL names it by its title again. */
void                    deca_expression_view_set_accessible_label (DecaExpressionView *self,
                                                                   const char         *label);
/* Returns (transfer none) the completion provider. */
DecaExpressionCompletion *deca_expression_view_get_completion (DecaExpressionView    *self);
/* Returns (transfer none) the text view inside. */
GtkSourceView          *deca_expression_view_get_source_view (DecaExpressionView     *self);

G_END_DECLS
