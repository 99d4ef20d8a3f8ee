#pragma once

#include <adwaita.h>

#include "deca-flow-document.h"

G_BEGIN_DECLS

/*
 * DecaSchemaForm: the form of one node's config, rendered from its type's config schema
 * (the JSON Schema subset of docs/flow-format.md). Each property becomes a field:
 *
 * | schema | field |
 * |---|---|
 * | string with "enum" (or untyped "enum") | drop-down (AdwComboRow); "Not set" when optional |
 * | string, "format": "expression" | expression field (DecaExpressionView, expression mode) |
 * | other string | template field (DecaExpressionView, template mode): every config string is a template |
 * | number, integer | spin button, with minimum/maximum, whole numbers for integer |
 * | boolean | switch |
 * | object with "properties" | a group of its own fields, titled by the property |
 * | object of text ("additionalProperties" absent, true or a string schema) | name/value lines (DecaKeyValueEditor), values as templates or, with "format": "expression", expressions; JSON when a member is not a string, or by choice |
 * | object, array, anything else | JSON (DecaExpressionView, JSON mode): applied when it parses |
 *
 * A number field whose member is absent is empty, with the schema's default as its
 * placeholder ("30 (default)"); emptying a number field removes the member.
 *
 * A value whose type the field cannot show (a template "{{input.timeout}}" where a number
 * is expected) is shown as JSON instead. Edits are written to the document with
 * deca_flow_document_set_node_field() as the person types, a short pause after the last
 * key, so that a burst of typing is one undo step; document changes are read back without
 * disturbing the field being edited.
 */

#define DECA_TYPE_SCHEMA_FORM (deca_schema_form_get_type ())
G_DECLARE_FINAL_TYPE (DecaSchemaForm, deca_schema_form, DECA, SCHEMA_FORM, GtkWidget)

GtkWidget *deca_schema_form_new            (void);
/* Shows the config of @node (an item of @document), or nothing when @node is NULL.
 * Pending edits of the previous node are written first. */
void       deca_schema_form_set_node       (DecaSchemaForm   *self,
                                            DecaFlowDocument *document,
                                            DecaFlowNodeItem *node);
/* Shows @problems (element-type DecaValidationProblem) on their fields: those whose
 * pointer is @config_pointer ("/nodes/3/config") + a field's pointer, or lies inside a
 * JSON field. Returns (transfer container) the problems no field took, in order. */
GPtrArray *deca_schema_form_show_problems  (DecaSchemaForm   *self,
                                            GPtrArray        *problems,
                                            const char       *config_pointer);
/* Writes pending edits now. */
void       deca_schema_form_flush          (DecaSchemaForm   *self);
/* Returns (transfer none) (nullable) the row of the field at @pointer ("/url",
 * "/auth/type"): an AdwEntryRow, AdwActionRow (number, switch), AdwComboRow,
 * DecaExpressionView or DecaKeyValueEditor. */
GtkWidget *deca_schema_form_get_field_row  (DecaSchemaForm   *self,
                                            const char       *pointer);
/* Returns (transfer none) (nullable) the widget that takes input of that field: the spin
 * button, the switch, the text view, or the row itself (drop-down, key/value editor). */
GtkWidget *deca_schema_form_get_field_input (DecaSchemaForm  *self,
                                             const char      *pointer);
/* Focuses the first field; FALSE when there is none. */
gboolean   deca_schema_form_focus_first_field (DecaSchemaForm *self);
/* The number of fields shown. */
guint      deca_schema_form_get_n_fields   (DecaSchemaForm   *self);

G_END_DECLS
