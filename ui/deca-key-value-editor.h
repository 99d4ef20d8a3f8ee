#pragma once

#include <adwaita.h>

#include "deca-expression-view.h"
#include "deca-flow-document.h"

G_BEGIN_DECLS

/*
 * DecaKeyValueEditor: a form row for an object whose members are text, such as an HTTP
 * request's headers: one line per member with its name (an entry) and its value (a
 * DecaExpressionView in template or expression mode, so values look and complete like
 * the form's other template fields), a remove button per line and an Add button that
 * appends an empty line. Names must be unique and not empty; a line breaking that rule
 * shows why below it and the editor's value cannot be read until it is fixed. A line
 * with neither name nor value is left out. Members keep their order.
 *
 * "Edit as JSON" switches to a JSON editor of the whole object and back. A value with a
 * member that is not a string (a number, an object) can only be shown as JSON: the editor
 * switches to JSON by itself, and back to the lines when the value allows it again.
 *
 * The editor does not write anywhere: ::changed says the person typed (write it after a
 * pause, as one undo step per burst), ::commit that the value should be written now and
 * the step ended (a line was removed, the focus left a name or a value, the mode
 * changed). deca_key_value_editor_set_value() shows the document's value without
 * disturbing what the person is typing.
 */

#define DECA_TYPE_KEY_VALUE_EDITOR (deca_key_value_editor_get_type ())
G_DECLARE_FINAL_TYPE (DecaKeyValueEditor, deca_key_value_editor, DECA, KEY_VALUE_EDITOR, AdwPreferencesRow)

/* @value_mode: DECA_EXPRESSION_VIEW_TEMPLATE or DECA_EXPRESSION_VIEW_EXPRESSION, how the
 * values are edited. */
GtkWidget  *deca_key_value_editor_new             (DecaExpressionViewMode  value_mode);
/* Marks the field as required: a "*" after the title, "(required)" in its name. */
void        deca_key_value_editor_set_required    (DecaKeyValueEditor     *self,
                                                   gboolean                required);
/* (nullable) A short help text below the field. */
void        deca_key_value_editor_set_description (DecaKeyValueEditor     *self,
                                                   const char             *description);
/* (nullable) An error of the whole field (the validator's), shown below it. */
void        deca_key_value_editor_set_error       (DecaKeyValueEditor     *self,
                                                   const char             *message);
/* (nullable) The validator's problems inside the value: member name -> message. Each
 * shows on its member's value; in JSON they show on the JSON text, "Accept: message". */
void        deca_key_value_editor_set_member_problems (DecaKeyValueEditor *self,
                                                       GHashTable         *problems);
const char *deca_key_value_editor_get_error       (DecaKeyValueEditor     *self);
/* What the values' completion offers: the nodes of @document (nullable), seen from the
 * node @node_id (nullable). */
void        deca_key_value_editor_set_completion_context (DecaKeyValueEditor *self,
                                                          DecaFlowDocument   *document,
                                                          const char         *node_id);

/* Shows @value (nullable: no members): an object, as lines when every member is a string,
 * else as JSON. Nothing changes when @value is what was shown last, so that lines the
 * person is still filling in survive other edits of the document. */
void        deca_key_value_editor_set_value       (DecaKeyValueEditor     *self,
                                                   JsonNode               *value);
/* Reads what the editor holds into @value (transfer full) (nullable: no members, and none
 * were shown either; or empty JSON text). FALSE when it is not a value: a line without a
 * name or with a name used before, JSON that does not parse; the reason is shown. */
gboolean    deca_key_value_editor_read_value      (DecaKeyValueEditor     *self,
                                                   JsonNode              **value);

/* Whether the JSON editor is shown. */
gboolean    deca_key_value_editor_get_json_mode   (DecaKeyValueEditor     *self);
/* Switches between the lines and JSON, as the "Edit as JSON" button does. FALSE, with the
 * reason shown, when what the editor holds cannot be shown the other way (JSON with a
 * member that is not a string, lines with an error). */
gboolean    deca_key_value_editor_set_json_mode   (DecaKeyValueEditor     *self,
                                                   gboolean                json_mode);

/* The number of lines, empty ones included. */
guint       deca_key_value_editor_get_n_rows      (DecaKeyValueEditor     *self);
/* Returns (transfer none) (nullable) a part of line @index: "name" (GtkEntry), "value"
 * (DecaExpressionView), "remove" (GtkButton), "error" (GtkLabel). */
GtkWidget  *deca_key_value_editor_get_row_part    (DecaKeyValueEditor     *self,
                                                   guint                   index,
                                                   const char             *part);
/* (nullable) The error shown below line @index. */
const char *deca_key_value_editor_get_row_error   (DecaKeyValueEditor     *self,
                                                   guint                   index);
/* Returns (transfer none) (nullable) a part of the editor: "add" and "mode" (GtkButton),
 * "json" (DecaExpressionView), "notice" (GtkLabel: why a switch was refused). */
GtkWidget  *deca_key_value_editor_get_part        (DecaKeyValueEditor     *self,
                                                   const char             *part);

G_END_DECLS
