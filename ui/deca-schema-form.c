/* deca-schema-form.c: a node's config form, rendered from its type's config schema. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "deca-edit-burst.h"
#include "deca-expression-view.h"
#include "deca-json.h"
#include "deca-key-value-editor.h"
#include "deca-schema-form.h"
#include "deca-validator.h"

typedef enum {
  FIELD_TEMPLATE,
  FIELD_EXPRESSION,
  FIELD_JSON,
  FIELD_NUMBER,
  FIELD_SWITCH,
  FIELD_ENUM,
  FIELD_KEY_VALUE,
} FieldKind;

typedef struct {
  DecaSchemaForm *form;      /* borrowed: the form owns the field */
  char *pointer;             /* inside the config: "/url", "/auth/type" */
  JsonNode *schema;          /* (owned) the property's schema */
  FieldKind kind;            /* what the field shows */
  FieldKind schema_kind;     /* what the schema asks for; kind is JSON when the value is
                              * of another type */
  gboolean required;
  gboolean integer;
  gboolean unset;            /* FIELD_NUMBER: empty, the member is absent */
  DecaExpressionViewMode value_mode; /* FIELD_KEY_VALUE: how its values are edited */
  char *title;
  char *description;

  GtkWidget *row;            /* AdwActionRow, AdwComboRow, DecaExpressionView or
                              * DecaKeyValueEditor */
  GtkWidget *input;          /* what takes the input: spin, switch, text view, combo */
  GPtrArray *enum_values;    /* (element-type JsonNode) for FIELD_ENUM, NULL = not set */
  GtkEventController *focus; /* (nullable) writes pending edits when focus leaves */

  guint apply_source;
  gboolean loading;          /* the widget is being set from the document */
  char *local_error;         /* from the field itself (JSON that does not parse) */
  char *problem;             /* from the validator */
} Field;

struct _DecaSchemaForm
{
  GtkWidget parent_instance;

  /* owned */
  GtkWidget *box;
  DecaFlowDocument *document;
  DecaFlowNodeItem *node;
  GPtrArray *fields;         /* (element-type Field) */
  guint rebuild_source;
};

G_DEFINE_FINAL_TYPE (DecaSchemaForm, deca_schema_form, GTK_TYPE_WIDGET)

static void field_update_from_document (Field *field, JsonObject *config);
static void rebuild (DecaSchemaForm *self);

/* ---- JSON helpers -------------------------------------------------------------------- */

static gboolean
node_is_string (JsonNode *node)
{
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_boolean (JsonNode *node)
{
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

static double
schema_number (JsonObject *schema,
               const char *key,
               double      fallback,
               gboolean   *found)
{
  double value = fallback;
  gboolean is_number = deca_json_node_get_number (json_object_get_member (schema, key), &value);

  if (found)
    *found = is_number;
  return value;
}

/* The one type a schema names besides "null", or NULL for none or several. */
static const char *
schema_single_type (JsonObject *schema)
{
  JsonNode *type = json_object_get_member (schema, "type");
  const char *found = NULL;

  if (node_is_string (type))
    return json_node_get_string (type);
  if (type == NULL || !JSON_NODE_HOLDS_ARRAY (type))
    return NULL;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (type)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (type), i);

      if (!node_is_string (element) || g_str_equal (json_node_get_string (element), "null"))
        continue;
      if (found)
        return NULL;
      found = json_node_get_string (element);
    }
  return found;
}

/* ---- fields ---------------------------------------------------------------------------- */

static void
node_unref_nullable (gpointer node)
{
  if (node != NULL)
    json_node_unref (node);
}

static void
field_free (Field *field)
{
  g_clear_handle_id (&field->apply_source, g_source_remove);
  if (field->focus)
    g_signal_handlers_disconnect_by_data (field->focus, field);
  if (field->input)
    g_signal_handlers_disconnect_by_data (field->input, field);
  if (field->row)
    g_signal_handlers_disconnect_by_data (field->row, field);
  g_clear_pointer (&field->schema, json_node_unref);
  g_clear_pointer (&field->enum_values, g_ptr_array_unref);
  g_free (field->pointer);
  g_free (field->title);
  g_free (field->description);
  g_free (field->local_error);
  g_free (field->problem);
  g_free (field);
}

/* Shows the field's error (its own first, then the validator's) or its description. */
static void
field_show_state (Field *field)
{
  const char *error = field->local_error ? field->local_error : field->problem;

  if (DECA_IS_EXPRESSION_VIEW (field->row))
    {
      deca_expression_view_set_error (DECA_EXPRESSION_VIEW (field->row), error);
      return;
    }
  if (DECA_IS_KEY_VALUE_EDITOR (field->row))
    {
      deca_key_value_editor_set_error (DECA_KEY_VALUE_EDITOR (field->row), error);
      return;
    }

  adw_action_row_set_subtitle (ADW_ACTION_ROW (field->row),
                               error ? error : (field->description ? field->description : ""));
  if (error)
    gtk_widget_add_css_class (field->row, "deca-field-invalid");
  else
    gtk_widget_remove_css_class (field->row, "deca-field-invalid");
  gtk_accessible_update_property (GTK_ACCESSIBLE (field->input),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  error ? error : (field->description ? field->description : ""),
                                  -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (field->input), GTK_ACCESSIBLE_STATE_INVALID,
                               error ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

static void
field_set_local_error (Field      *field,
                       const char *message)
{
  g_free (field->local_error);
  field->local_error = g_strdup (message);
  field_show_state (field);
}

/* Returns (transfer full) (nullable) the value the widget holds; NULL means "remove the
 * member". FALSE (with the field's error shown) when the text is not a value. */
static gboolean
field_read_value (Field     *field,
                  JsonNode **value)
{
  *value = NULL;

  switch (field->kind)
    {
    case FIELD_TEMPLATE:
    case FIELD_EXPRESSION:
      {
        g_autofree char *text = deca_expression_view_dup_text (DECA_EXPRESSION_VIEW (field->row));

        if (*text != '\0')
          *value = json_node_init_string (json_node_alloc (), text);
        return TRUE;
      }
    case FIELD_JSON:
      {
        g_autofree char *text = deca_expression_view_dup_text (DECA_EXPRESSION_VIEW (field->row));
        g_autoptr(GError) error = NULL;

        /* An empty field leaves the member out. */
        if (g_strstrip (text)[0] == '\0')
          return TRUE;
        *value = deca_json_parse (text, -1, &error);
        if (*value == NULL)
          {
            field_set_local_error (field, error->message);
            return FALSE;
          }
        return TRUE;
      }
    case FIELD_NUMBER:
      {
        double number = gtk_spin_button_get_value (GTK_SPIN_BUTTON (field->input));

        /* An emptied field removes the member: the default applies again. */
        if (field->unset)
          return TRUE;
        if (field->integer)
          *value = json_node_init_int (json_node_alloc (), (gint64) llround (number));
        else
          *value = json_node_init_double (json_node_alloc (), number);
        return TRUE;
      }
    case FIELD_SWITCH:
      *value = json_node_init_boolean (json_node_alloc (),
                                       gtk_switch_get_active (GTK_SWITCH (field->input)));
      return TRUE;
    case FIELD_ENUM:
      {
        guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (field->row));
        JsonNode *choice;

        if (selected >= field->enum_values->len)
          return TRUE;
        choice = g_ptr_array_index (field->enum_values, selected);
        *value = choice ? json_node_copy (choice) : NULL;
        return TRUE;
      }
    case FIELD_KEY_VALUE:
      /* The editor shows its own errors (a line without a name, a name used twice). */
      return deca_key_value_editor_read_value (DECA_KEY_VALUE_EDITOR (field->row), value);
    default:
      g_assert_not_reached ();
    }
}

static void
field_apply (Field *field)
{
  DecaSchemaForm *self = field->form;
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *current;

  g_clear_handle_id (&field->apply_source, g_source_remove);
  if (self->document == NULL || self->node == NULL)
    return;
  if (!field_read_value (field, &value))
    return;
  field_set_local_error (field, NULL);

  config = deca_flow_node_item_get_config (self->node);
  current = deca_json_object_lookup (config, field->pointer);
  if ((value == NULL && current == NULL) ||
      (value != NULL && current != NULL && json_node_equal (value, current)))
    return;

  /* Typing is written in steps and grouped into one undo step per burst; a switch or a
   * choice is one edit of its own. */
  if (field->kind == FIELD_SWITCH || field->kind == FIELD_ENUM)
    deca_edit_burst_end (self->document);
  else
    deca_edit_burst_begin (self->document, field);
  if (!deca_flow_document_set_node_field (self->document, deca_flow_node_item_get_id (self->node),
                                          field->pointer, value, &error))
    field_set_local_error (field, error->message);
}

static gboolean
apply_timeout_cb (gpointer data)
{
  Field *field = data;

  field->apply_source = 0;
  field_apply (field);
  return G_SOURCE_REMOVE;
}

static void
field_changed_later (Field *field)
{
  if (field->loading)
    return;
  g_clear_handle_id (&field->apply_source, g_source_remove);
  field->apply_source = g_timeout_add (DECA_EDIT_APPLY_DELAY_MS, apply_timeout_cb, field);
}

static void
text_changed_cb (DecaExpressionView *view,
                 Field              *field)
{
  field_changed_later (field);
}

/* The text of a number field: empty when the member is absent, else the number as the
 * spin button writes it. */
static void
number_field_show (Field *field)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (field->input);
  g_autofree char *text = NULL;

  text = field->unset ? g_strdup ("")
                      : g_strdup_printf ("%0.*f", gtk_spin_button_get_digits (spin),
                                         gtk_spin_button_get_value (spin));
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
}

/* The spin button reads its text (Enter, the focus leaving, an arrow): an empty text is
 * no number, not 0, and leaves the value as it is. */
static int
spin_input_cb (GtkSpinButton *spin,
               double        *new_value,
               Field         *field)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (spin))));
  gboolean unset = *text == '\0';

  if (unset != field->unset)
    {
      field->unset = unset;
      /* Emptied, or a number typed into an empty field (maybe the default itself, which
       * does not change the spin button's value): either way an edit. */
      if (!field->loading)
        field_changed_later (field);
    }
  if (!unset)
    return FALSE;
  *new_value = gtk_spin_button_get_value (spin);
  return TRUE;
}

static gboolean
spin_output_cb (GtkSpinButton *spin,
                Field         *field)
{
  if (!field->unset)
    return FALSE;
  number_field_show (field);
  return TRUE;
}

static void
spin_value_changed_cb (GtkSpinButton *spin,
                       Field         *field)
{
  if (field->loading)
    return;
  /* Typed text clears the flag in the input handler first; so this is an arrow, a key or
   * the wheel, which start from the default and set the member. */
  if (field->unset)
    {
      field->unset = FALSE;
      number_field_show (field);
    }
  field_changed_later (field);
}

static void
switch_active_cb (GtkSwitch  *widget,
                  GParamSpec *pspec,
                  Field      *field)
{
  if (!field->loading)
    field_apply (field);
}

static void
combo_selected_cb (AdwComboRow *row,
                   GParamSpec  *pspec,
                   Field       *field)
{
  if (!field->loading)
    field_apply (field);
}

static void
key_value_changed_cb (DecaKeyValueEditor *editor,
                      Field              *field)
{
  field_changed_later (field);
}

/* The editor asks for its value to be written now, as the end of a step: a line was
 * removed, or the focus left a name or a value. What was typed before is written first
 * as the step it belongs to; then what is left (the removal) as one of its own. */
static void
key_value_commit_cb (DecaKeyValueEditor *editor,
                     Field              *field)
{
  DecaSchemaForm *self = field->form;

  if (self->document == NULL)
    return;
  if (field->apply_source != 0)
    field_apply (field);
  deca_edit_burst_end (self->document);
  field_apply (field);
  deca_edit_burst_end (self->document);
}

/* Leaving a field writes what it holds at once. */
static void config_changed_cb (DecaSchemaForm *self);

static gboolean
rebuild_idle_cb (gpointer data)
{
  DecaSchemaForm *self = data;

  self->rebuild_source = 0;
  if (self->node != NULL)
    rebuild (self);
  return G_SOURCE_REMOVE;
}

static gboolean
recheck_cb (gpointer data)
{
  DecaSchemaForm *self = data;

  if (self->node != NULL)
    config_changed_cb (self);
  return G_SOURCE_REMOVE;
}

static void
focus_leave_cb (GtkEventControllerFocus *controller,
                Field                   *field)
{
  DecaSchemaForm *self = field->form;

  if (field->apply_source != 0)
    field_apply (field);
  if (self->document)
    deca_edit_burst_end (self->document);
  /* A value whose type changed while it was edited gets its own kind of field now, from an
   * idle: the field losing the focus is still in the middle of its focus change. */
  g_idle_add_full (G_PRIORITY_DEFAULT, recheck_cb, g_object_ref (self), g_object_unref);
}

/* Whether @value can be shown by a field of @kind; else the field shows JSON. */
static gboolean
kind_fits (FieldKind  kind,
           Field     *field,
           JsonNode  *value)
{
  if (value == NULL)
    return TRUE;
  switch (kind)
    {
    case FIELD_TEMPLATE:
    case FIELD_EXPRESSION:
      return node_is_string (value);
    case FIELD_NUMBER:
      {
        double number;

        return deca_json_node_get_number (value, &number) &&
               (!field->integer || floor (number) == number);
      }
    case FIELD_SWITCH:
      return node_is_boolean (value);
    case FIELD_ENUM:
      for (guint i = 0; i < field->enum_values->len; i++)
        {
          JsonNode *choice = g_ptr_array_index (field->enum_values, i);
          if (choice && json_node_equal (choice, value))
            return TRUE;
        }
      return FALSE;
    case FIELD_KEY_VALUE:
      return JSON_NODE_HOLDS_OBJECT (value);
    case FIELD_JSON:
    default:
      return TRUE;
    }
}

static char *
enum_label (JsonNode *value)
{
  if (node_is_string (value))
    return g_strdup (json_node_get_string (value));
  return deca_json_to_string (value, FALSE);
}

static void
field_update_from_document (Field      *field,
                            JsonObject *config)
{
  JsonNode *value = deca_json_object_lookup (config, field->pointer);
  JsonObject *schema = json_node_get_object (field->schema);
  JsonNode *fallback = value ? value : json_object_get_member (schema, "default");

  /* The person is typing in this field: what the document holds is what they typed a
   * moment ago, or will be once the edit is written. */
  if (field->apply_source != 0)
    return;

  field->loading = TRUE;
  switch (field->kind)
    {
    case FIELD_TEMPLATE:
    case FIELD_EXPRESSION:
      deca_expression_view_set_text (DECA_EXPRESSION_VIEW (field->row),
                                     node_is_string (value) ? json_node_get_string (value) : "");
      break;
    case FIELD_JSON:
      {
        g_autofree char *current = deca_expression_view_dup_text (DECA_EXPRESSION_VIEW (field->row));
        g_autoptr(JsonNode) shown = deca_json_parse (current, -1, NULL);
        g_autofree char *text = NULL;

        /* Compare values, not text, so that the person's own layout survives. */
        if ((value == NULL && g_strstrip (current)[0] == '\0') ||
            (value != NULL && shown != NULL && json_node_equal (value, shown)))
          break;
        text = value ? deca_json_to_string (value, TRUE) : g_strdup ("");
        deca_expression_view_set_text (DECA_EXPRESSION_VIEW (field->row), text);
        g_clear_pointer (&field->local_error, g_free);
        field_show_state (field);
      }
      break;
    case FIELD_NUMBER:
      {
        GtkSpinButton *spin = GTK_SPIN_BUTTON (field->input);
        gboolean was_unset = field->unset;
        double number = 0;

        /* An absent member shows no number (its default is the placeholder); the arrows
         * start from the default. */
        field->unset = value == NULL;
        if (!deca_json_node_get_number (fallback, &number))
          number = CLAMP (0, gtk_adjustment_get_lower (gtk_spin_button_get_adjustment (spin)),
                          gtk_adjustment_get_upper (gtk_spin_button_get_adjustment (spin)));
        /* A new value writes its text through the output handler; otherwise the text
         * changes only between empty and a number, so that keys typed and not yet
         * committed stay. */
        if (gtk_spin_button_get_value (spin) != number)
          gtk_spin_button_set_value (spin, number);
        else if (was_unset != field->unset)
          number_field_show (field);
      }
      break;
    case FIELD_KEY_VALUE:
      deca_key_value_editor_set_value (DECA_KEY_VALUE_EDITOR (field->row), value);
      break;
    case FIELD_SWITCH:
      gtk_switch_set_active (GTK_SWITCH (field->input),
                             node_is_boolean (fallback) && json_node_get_boolean (fallback));
      break;
    case FIELD_ENUM:
      {
        guint selected = GTK_INVALID_LIST_POSITION;

        for (guint i = 0; i < field->enum_values->len; i++)
          {
            JsonNode *choice = g_ptr_array_index (field->enum_values, i);

            if ((choice == NULL && value == NULL) ||
                (choice != NULL && value != NULL && json_node_equal (choice, value)))
              selected = i;
          }
        /* An absent optional member with a default shows the default. */
        if (selected == GTK_INVALID_LIST_POSITION && value == NULL && fallback != NULL)
          for (guint i = 0; i < field->enum_values->len; i++)
            {
              JsonNode *choice = g_ptr_array_index (field->enum_values, i);
              if (choice != NULL && json_node_equal (choice, fallback))
                selected = i;
            }
        if (selected != GTK_INVALID_LIST_POSITION)
          adw_combo_row_set_selected (ADW_COMBO_ROW (field->row), selected);
      }
      break;
    default:
      g_assert_not_reached ();
    }
  field->loading = FALSE;
}

static void
add_focus_leave (Field     *field,
                 GtkWidget *widget)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  g_signal_connect (focus, "leave", G_CALLBACK (focus_leave_cb), field);
  gtk_widget_add_controller (widget, focus);
  field->focus = focus;
}

static char *
field_title_text (Field *field)
{
  return field->required ? g_strdup_printf ("%s *", field->title) : g_strdup (field->title);
}

static void
label_input (Field *field)
{
  g_autofree char *label = NULL;

  if (field->required)
    /* Translators: the accessible name of a required form field, "URL (required)" */
    label = g_strdup_printf (_("%s (required)"), field->title);
  else
    label = g_strdup (field->title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (field->input),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
field_create_widgets (DecaSchemaForm *self,
                      Field          *field)
{
  JsonObject *schema = json_node_get_object (field->schema);
  g_autofree char *title = field_title_text (field);

  switch (field->kind)
    {
    case FIELD_TEMPLATE:
    case FIELD_EXPRESSION:
    case FIELD_JSON:
      {
        DecaExpressionViewMode mode = field->kind == FIELD_TEMPLATE ? DECA_EXPRESSION_VIEW_TEMPLATE
                                    : field->kind == FIELD_EXPRESSION ? DECA_EXPRESSION_VIEW_EXPRESSION
                                    : DECA_EXPRESSION_VIEW_JSON;
        DecaExpressionView *view = DECA_EXPRESSION_VIEW (deca_expression_view_new (mode));
        DecaExpressionCompletion *completion = deca_expression_view_get_completion (view);

        field->row = GTK_WIDGET (view);
        field->input = GTK_WIDGET (deca_expression_view_get_source_view (view));
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (view), field->title);
        deca_expression_view_set_required (view, field->required);
        deca_expression_view_set_description (view, field->description);
        if (completion)
          {
            deca_expression_completion_set_document (completion, self->document);
            deca_expression_completion_set_node_id (completion,
                                                    deca_flow_node_item_get_id (self->node));
          }
        g_signal_connect (view, "changed", G_CALLBACK (text_changed_cb), field);
        add_focus_leave (field, field->input);
      }
      break;
    case FIELD_NUMBER:
      {
        gboolean has_min, has_max, has_xmin, has_xmax;
        double step = field->integer ? 1 : 0.1;
        double min = schema_number (schema, "minimum", -1e9, &has_min);
        double max = schema_number (schema, "maximum", 1e9, &has_max);
        double xmin = schema_number (schema, "exclusiveMinimum", 0, &has_xmin);
        double xmax = schema_number (schema, "exclusiveMaximum", 0, &has_xmax);
        double fallback;
        g_autofree char *placeholder = NULL;
        GtkWidget *spin;

        /* An exclusive bound becomes the nearest value the spin button can hold. */
        if (has_xmin)
          min = MAX (has_min ? min : -1e9, xmin + (field->integer ? 1 : 0.01));
        if (has_xmax)
          max = MIN (has_max ? max : 1e9, xmax - (field->integer ? 1 : 0.01));
        spin = gtk_spin_button_new_with_range (min, max, step);
        gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), field->integer ? 0 : 2);
        gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
        /* An absent member shows no number, only what applies then. */
        if (deca_json_node_get_number (json_object_get_member (schema, "default"), &fallback))
          {
            char number[G_ASCII_DTOSTR_BUF_SIZE];

            deca_json_format_double (fallback, number, sizeof number);

            /* Translators: the placeholder of an empty number field, "30 (default)" */
            placeholder = g_strdup_printf (_("%s (default)"), number);
          }
        else
          placeholder = g_strdup (_("Not set"));
        gtk_text_set_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (spin))),
                                       placeholder);
        gtk_editable_set_width_chars (GTK_EDITABLE (spin),
                                      MAX (gtk_editable_get_width_chars (GTK_EDITABLE (spin)),
                                           (int) g_utf8_strlen (placeholder, -1)));
        g_signal_connect (spin, "input", G_CALLBACK (spin_input_cb), field);
        g_signal_connect (spin, "output", G_CALLBACK (spin_output_cb), field);
        gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
        field->row = adw_action_row_new ();
        field->input = spin;
        adw_action_row_add_suffix (ADW_ACTION_ROW (field->row), spin);
        adw_action_row_set_activatable_widget (ADW_ACTION_ROW (field->row), spin);
        g_signal_connect (spin, "value-changed", G_CALLBACK (spin_value_changed_cb), field);
        add_focus_leave (field, spin);
      }
      break;
    case FIELD_SWITCH:
      {
        GtkWidget *toggle = gtk_switch_new ();

        gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
        field->row = adw_action_row_new ();
        field->input = toggle;
        adw_action_row_add_suffix (ADW_ACTION_ROW (field->row), toggle);
        adw_action_row_set_activatable_widget (ADW_ACTION_ROW (field->row), toggle);
        g_signal_connect (toggle, "notify::active", G_CALLBACK (switch_active_cb), field);
      }
      break;
    case FIELD_KEY_VALUE:
      {
        DecaKeyValueEditor *editor = DECA_KEY_VALUE_EDITOR (deca_key_value_editor_new (field->value_mode));

        field->row = GTK_WIDGET (editor);
        field->input = field->row;
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (editor), field->title);
        deca_key_value_editor_set_required (editor, field->required);
        deca_key_value_editor_set_description (editor, field->description);
        deca_key_value_editor_set_completion_context (editor, self->document,
                                                      deca_flow_node_item_get_id (self->node));
        g_signal_connect (editor, "changed", G_CALLBACK (key_value_changed_cb), field);
        g_signal_connect (editor, "commit", G_CALLBACK (key_value_commit_cb), field);
        add_focus_leave (field, field->row);
      }
      break;
    case FIELD_ENUM:
      {
        g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

        for (guint i = 0; i < field->enum_values->len; i++)
          {
            JsonNode *choice = g_ptr_array_index (field->enum_values, i);
            g_autofree char *label = choice ? enum_label (choice) : g_strdup (_("Not set"));

            gtk_string_list_append (labels, label);
          }
        field->row = adw_combo_row_new ();
        field->input = field->row;
        adw_combo_row_set_model (ADW_COMBO_ROW (field->row), G_LIST_MODEL (labels));
        g_signal_connect (field->row, "notify::selected", G_CALLBACK (combo_selected_cb), field);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  if (ADW_IS_ACTION_ROW (field->row))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field->row), title);
      adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (field->row), FALSE);
      field_show_state (field);
    }
  /* The key/value editor names itself, with "(required)" when it is. */
  if (field->kind != FIELD_KEY_VALUE)
    label_input (field);
  gtk_widget_set_name (field->row, field->pointer);
}

/* Whether the object schema @schema is a map of names to text (HTTP headers): no fixed
 * properties, and its "additionalProperties" absent, true or a string schema. Then @mode
 * says how the values are edited: as expressions when that schema's format says so,
 * else as templates, like any other config string. */
static gboolean
schema_is_text_map (JsonObject             *schema,
                    DecaExpressionViewMode *mode)
{
  JsonObject *properties = deca_json_object_get_object (schema, "properties");
  JsonNode *additional = json_object_get_member (schema, "additionalProperties");
  JsonObject *values;
  const char *type;

  *mode = DECA_EXPRESSION_VIEW_TEMPLATE;
  if ((properties != NULL && json_object_get_size (properties) > 0) ||
      json_object_has_member (schema, "patternProperties"))
    return FALSE;
  if (additional == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (additional) && json_node_get_value_type (additional) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (additional);
  if (!JSON_NODE_HOLDS_OBJECT (additional))
    return FALSE;
  values = json_node_get_object (additional);
  type = schema_single_type (values);
  /* A fixed set of values, or values that may be other than text, are JSON's. */
  if (json_object_has_member (values, "enum") || json_object_has_member (values, "const"))
    return FALSE;
  if (type != NULL ? !g_str_equal (type, "string") : json_object_has_member (values, "type"))
    return FALSE;
  if (g_strcmp0 (deca_json_object_get_string (values, "format"), "expression") == 0)
    *mode = DECA_EXPRESSION_VIEW_EXPRESSION;
  return TRUE;
}

/* Decides the kind of field for @schema and the value the config holds now. */
static FieldKind
choose_kind (Field    *field,
             JsonNode *value)
{
  JsonObject *schema = json_node_get_object (field->schema);
  const char *type = schema_single_type (schema);
  JsonNode *enum_node = json_object_get_member (schema, "enum");
  const char *format = deca_json_object_get_string (schema, "format");
  FieldKind kind = FIELD_JSON;

  if (enum_node && JSON_NODE_HOLDS_ARRAY (enum_node) &&
      (type == NULL || g_str_equal (type, "string") || g_str_equal (type, "number") ||
       g_str_equal (type, "integer")))
    {
      JsonArray *choices = json_node_get_array (enum_node);

      field->enum_values = g_ptr_array_new_with_free_func (node_unref_nullable);
      /* An optional member can be left out; the first choice says so. */
      if (!field->required)
        g_ptr_array_add (field->enum_values, NULL);
      for (guint i = 0; i < json_array_get_length (choices); i++)
        g_ptr_array_add (field->enum_values, json_node_copy (json_array_get_element (choices, i)));
      kind = FIELD_ENUM;
    }
  else if (type == NULL)
    kind = FIELD_JSON;
  else if (g_str_equal (type, "string"))
    kind = g_strcmp0 (format, "expression") == 0 ? FIELD_EXPRESSION : FIELD_TEMPLATE;
  else if (g_str_equal (type, "integer") || g_str_equal (type, "number"))
    {
      field->integer = g_str_equal (type, "integer");
      kind = FIELD_NUMBER;
    }
  else if (g_str_equal (type, "boolean"))
    kind = FIELD_SWITCH;
  else if (g_str_equal (type, "object") && schema_is_text_map (schema, &field->value_mode))
    kind = FIELD_KEY_VALUE;

  field->schema_kind = kind;
  if (!kind_fits (kind, field, value))
    kind = FIELD_JSON;
  return kind;
}

/* The kind the field should have for @value. */
static FieldKind
wanted_kind (Field    *field,
             JsonNode *value)
{
  return kind_fits (field->schema_kind, field, value) ? field->schema_kind : FIELD_JSON;
}

static gboolean
schema_is_group (JsonObject *schema,
                 JsonNode   *value)
{
  return g_strcmp0 (schema_single_type (schema), "object") == 0 &&
         json_object_has_member (schema, "properties") &&
         JSON_NODE_HOLDS_OBJECT (json_object_get_member (schema, "properties")) &&
         (value == NULL || JSON_NODE_HOLDS_OBJECT (value));
}

static char *
title_from_key (const char *key)
{
  g_autofree char *spaced = g_strdelimit (g_strdup (key), "_", ' ');
  GString *title = g_string_new (spaced);

  if (title->len > 0)
    title->str[0] = g_ascii_toupper (title->str[0]);
  return g_string_free (title, FALSE);
}

/* Adds the fields of the object schema @schema at @pointer: plain ones to @group, nested
 * objects with their own properties as a group after it. */

/* A schema's "title" or "description", in the person's language: the built-in node
 * types' texts are in the catalogue through engine/nodes/deca-schema-strings.h. NULL
 * when the schema has none. */
static const char *
schema_text (JsonObject *schema,
             const char *member)
{
  const char *text = deca_json_object_get_string (schema, member);

  return text && *text ? g_dgettext (GETTEXT_PACKAGE, text) : text;
}

static void
add_object_fields (DecaSchemaForm *self,
                   JsonObject     *schema,
                   const char     *pointer,
                   const char     *group_title,
                   const char     *group_description,
                   JsonObject     *config)
{
  JsonObject *properties;
  JsonNode *required_node = json_object_get_member (schema, "required");
  g_autoptr(GHashTable) required = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GList) keys = NULL;
  g_autoptr(GPtrArray) nested = g_ptr_array_new ();
  GtkWidget *group = adw_preferences_group_new ();
  guint n_rows = 0;

  if (group_title)
    adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), group_title);
  if (group_description)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), group_description);
  gtk_box_append (GTK_BOX (self->box), group);

  if (required_node && JSON_NODE_HOLDS_ARRAY (required_node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (required_node)); i++)
      {
        JsonNode *name = json_array_get_element (json_node_get_array (required_node), i);
        if (node_is_string (name))
          g_hash_table_add (required, (gpointer) json_node_get_string (name));
      }

  properties = deca_json_object_get_object (schema, "properties");
  keys = properties ? json_object_get_members (properties) : NULL;
  for (GList *l = keys; l; l = l->next)
    {
      const char *key = l->data;
      JsonNode *property = json_object_get_member (properties, key);
      g_autoptr(GString) field_pointer = g_string_new (pointer);
      JsonObject *property_schema;
      JsonNode *value;
      Field *field;

      deca_json_pointer_append (field_pointer, key);
      value = deca_json_object_lookup (config, field_pointer->str);

      if (!JSON_NODE_HOLDS_OBJECT (property))
        {
          /* "true" (anything) is a free-form value; "false" (nothing) is no field. */
          if (JSON_NODE_HOLDS_VALUE (property) &&
              json_node_get_value_type (property) == G_TYPE_BOOLEAN &&
              !json_node_get_boolean (property))
            continue;
          property_schema = json_object_new ();
        }
      else
        property_schema = json_object_ref (json_node_get_object (property));

      if (schema_is_group (property_schema, value))
        {
          g_ptr_array_add (nested, (gpointer) key);
          json_object_unref (property_schema);
          continue;
        }

      field = g_new0 (Field, 1);
      field->form = self;
      field->pointer = g_strdup (field_pointer->str);
      field->schema = json_node_init_object (json_node_alloc (), property_schema);
      json_object_unref (property_schema);
      field->required = g_hash_table_contains (required, key);
      field->title = schema_text (property_schema, "title")
                       ? g_strdup (schema_text (property_schema, "title"))
                       : title_from_key (key);
      field->description = g_strdup (schema_text (property_schema, "description"));
      field->kind = choose_kind (field, value);
      field_create_widgets (self, field);
      g_ptr_array_add (self->fields, field);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), field->row);
      field_update_from_document (field, config);
      n_rows++;
    }

  if (n_rows == 0)
    gtk_box_remove (GTK_BOX (self->box), group);

  for (guint i = 0; i < nested->len; i++)
    {
      const char *key = nested->pdata[i];
      JsonObject *property_schema = json_object_get_object_member (properties, key);
      g_autoptr(GString) field_pointer = g_string_new (pointer);
      const char *title = schema_text (property_schema, "title");
      g_autofree char *fallback_title = title_from_key (key);

      deca_json_pointer_append (field_pointer, key);
      add_object_fields (self, property_schema, field_pointer->str,
                         title ? title : fallback_title,
                         schema_text (property_schema, "description"), config);
    }
}

static void
clear (DecaSchemaForm *self)
{
  GtkWidget *child;

  g_ptr_array_set_size (self->fields, 0);
  while ((child = gtk_widget_get_first_child (self->box)))
    gtk_box_remove (GTK_BOX (self->box), child);
}

static void
rebuild (DecaSchemaForm *self)
{
  DecaNodeType *type;
  g_autoptr(JsonObject) config = NULL;
  JsonNode *schema;

  clear (self);
  if (self->node == NULL)
    return;

  type = deca_node_registry_lookup (deca_flow_document_get_registry (self->document),
                                    deca_flow_node_item_get_node_type (self->node));
  config = deca_flow_node_item_get_config (self->node);
  if (type == NULL)
    {
      /* An unknown type has no schema: its whole config is one JSON field. */
      g_autoptr(JsonObject) free_form = json_object_new ();
      g_autoptr(JsonObject) members = json_object_new ();
      g_autoptr(GList) keys = json_object_get_members (config);

      for (GList *l = keys; l; l = l->next)
        json_object_set_object_member (members, l->data, json_object_new ());
      json_object_set_string_member (free_form, "type", "object");
      json_object_set_object_member (free_form, "properties", g_steal_pointer (&members));
      add_object_fields (self, free_form, "", NULL, NULL, config);
      return;
    }

  schema = deca_node_type_get_config_schema (type);
  if (schema && JSON_NODE_HOLDS_OBJECT (schema))
    add_object_fields (self, json_node_get_object (schema), "", NULL, NULL, config);
}

static void
config_changed_cb (DecaSchemaForm *self)
{
  g_autoptr(JsonObject) config = deca_flow_node_item_get_config (self->node);
  gboolean fits = TRUE;

  /* A value that changed its type (an undo, a paste of JSON) may need another kind of
   * field; then the form is built again, unless the person is editing in it. */
  for (guint i = 0; i < self->fields->len && fits; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);
      fits = wanted_kind (field, deca_json_object_lookup (config, field->pointer)) == field->kind;
    }
  if (!fits)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
      gboolean busy = focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self));

      /* Not under the person's fingers: the check is made again when the focus leaves.
       * The form is built again from an idle, since this may run inside a focus change
       * or a signal of a field that goes away. */
      for (guint i = 0; i < self->fields->len; i++)
        busy |= ((Field *) g_ptr_array_index (self->fields, i))->apply_source != 0;
      if (!busy && self->rebuild_source == 0)
        self->rebuild_source = g_idle_add_full (G_PRIORITY_DEFAULT, rebuild_idle_cb,
                                                g_object_ref (self), g_object_unref);
    }

  /* A field whose kind does not fit its value any more shows what it showed. */
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);

      if (wanted_kind (field, deca_json_object_lookup (config, field->pointer)) == field->kind)
        field_update_from_document (field, config);
    }
}

static void
id_changed_cb (DecaSchemaForm *self)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);
      DecaExpressionCompletion *completion;

      if (DECA_IS_KEY_VALUE_EDITOR (field->row))
        deca_key_value_editor_set_completion_context (DECA_KEY_VALUE_EDITOR (field->row),
                                                      self->document,
                                                      deca_flow_node_item_get_id (self->node));
      if (!DECA_IS_EXPRESSION_VIEW (field->row))
        continue;
      completion = deca_expression_view_get_completion (DECA_EXPRESSION_VIEW (field->row));
      deca_expression_completion_set_node_id (completion, deca_flow_node_item_get_id (self->node));
    }
}

/* ---- public ----------------------------------------------------------------------------- */

void
deca_schema_form_flush (DecaSchemaForm *self)
{
  g_return_if_fail (DECA_IS_SCHEMA_FORM (self));

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);

      if (field->apply_source != 0)
        field_apply (field);
    }
  if (self->document)
    deca_edit_burst_end (self->document);
}

void
deca_schema_form_set_node (DecaSchemaForm   *self,
                           DecaFlowDocument *document,
                           DecaFlowNodeItem *node)
{
  g_return_if_fail (DECA_IS_SCHEMA_FORM (self));
  g_return_if_fail (document == NULL || DECA_IS_FLOW_DOCUMENT (document));
  g_return_if_fail (node == NULL || DECA_IS_FLOW_NODE_ITEM (node));
  g_return_if_fail (node == NULL || document != NULL);

  if (self->document == document && self->node == node)
    return;

  deca_schema_form_flush (self);
  if (self->node)
    g_signal_handlers_disconnect_by_data (self->node, self);
  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  g_set_object (&self->document, document);
  g_set_object (&self->node, node);
  if (node)
    {
      g_signal_connect_swapped (node, "notify::config", G_CALLBACK (config_changed_cb), self);
      g_signal_connect_swapped (node, "notify::id", G_CALLBACK (id_changed_cb), self);
    }
  rebuild (self);
}

GPtrArray *
deca_schema_form_show_problems (DecaSchemaForm *self,
                                GPtrArray      *problems,
                                const char     *config_pointer)
{
  GPtrArray *left = g_ptr_array_new ();
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) member_messages = NULL;
  gsize prefix_length;

  g_return_val_if_fail (DECA_IS_SCHEMA_FORM (self), left);
  g_return_val_if_fail (config_pointer != NULL, left);

  prefix_length = strlen (config_pointer);
  messages = g_ptr_array_new_full (self->fields->len, (GDestroyNotify) g_ptr_array_unref);
  member_messages = g_ptr_array_new_full (self->fields->len, (GDestroyNotify) g_hash_table_unref);
  for (guint i = 0; i < self->fields->len; i++)
    {
      g_ptr_array_add (messages, g_ptr_array_new ());
      g_ptr_array_add (member_messages, g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free));
    }

  for (guint p = 0; problems && p < problems->len; p++)
    {
      DecaValidationProblem *problem = g_ptr_array_index (problems, p);
      const char *inside;
      int best = -1;
      gsize best_length = 0;

      if (!g_str_has_prefix (problem->pointer, config_pointer) ||
          (problem->pointer[prefix_length] != '\0' && problem->pointer[prefix_length] != '/'))
        {
          g_ptr_array_add (left, problem);
          continue;
        }
      inside = problem->pointer + prefix_length;

      /* The field at the pointer, or the JSON field the pointer lies inside. */
      for (guint i = 0; i < self->fields->len; i++)
        {
          Field *field = g_ptr_array_index (self->fields, i);
          gsize length = strlen (field->pointer);

          if (g_str_equal (inside, field->pointer) ||
              ((field->kind == FIELD_JSON || field->kind == FIELD_KEY_VALUE) &&
               g_str_has_prefix (inside, field->pointer) && inside[length] == '/'))
            if (best < 0 || length > best_length)
              {
                best = i;
                best_length = length;
              }
        }
      if (best < 0)
        g_ptr_array_add (left, problem);
      else if (((Field *) g_ptr_array_index (self->fields, best))->kind == FIELD_KEY_VALUE &&
               inside[best_length] == '/')
        {
          /* Inside a key/value field a problem belongs to a member, which shows it on
           * its line: "/headers/Accept" is Accept's, "/x/a/b" is x's "a/b: ...". */
          const char *rest = inside + best_length;
          const char *deeper = strchr (rest + 1, '/');
          g_autofree char *token = deeper ? g_strndup (rest, deeper - rest) : g_strdup (rest);
          g_auto(GStrv) tokens = deca_json_pointer_split (token);
          GHashTable *table = g_ptr_array_index (member_messages, best);
          const char *before;
          char *message;

          /* A member without a name ("/headers/") has no line: the field shows it. */
          if (tokens[0] == NULL)
            {
              g_ptr_array_add (g_ptr_array_index (messages, best), g_strdup (problem->message));
              continue;
            }
          before = g_hash_table_lookup (table, tokens[0]);
          message = deeper ? g_strdup_printf ("%s: %s", deeper + 1, problem->message)
                           : g_strdup (problem->message);
          if (before)
            {
              char *both = g_strdup_printf ("%s\n%s", before, message);

              g_free (message);
              message = both;
            }
          g_hash_table_insert (table, g_strdup (tokens[0]), message);
        }
      else
        {
          const char *rest = inside + best_length;
          char *message;

          /* Inside a JSON field the message says where: "Accept: must be a string". */
          message = *rest ? g_strdup_printf ("%s: %s", rest + 1, problem->message)
                          : g_strdup (problem->message);
          g_ptr_array_add (g_ptr_array_index (messages, best), message);
        }
    }

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);
      GPtrArray *list = g_ptr_array_index (messages, i);
      g_autofree char *joined = NULL;

      if (field->kind == FIELD_KEY_VALUE)
        deca_key_value_editor_set_member_problems (DECA_KEY_VALUE_EDITOR (field->row),
                                                   g_ptr_array_index (member_messages, i));
      g_ptr_array_add (list, NULL);
      joined = list->len > 1 ? g_strjoinv ("\n", (char **) list->pdata) : NULL;
      for (guint j = 0; j + 1 < list->len; j++)
        g_free (list->pdata[j]);
      if (g_strcmp0 (joined, field->problem) != 0)
        {
          g_free (field->problem);
          field->problem = g_steal_pointer (&joined);
          field_show_state (field);
        }
    }
  return left;
}

static Field *
find_field (DecaSchemaForm *self,
            const char     *pointer)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);

      if (g_str_equal (field->pointer, pointer))
        return field;
    }
  return NULL;
}

GtkWidget *
deca_schema_form_get_field_row (DecaSchemaForm *self,
                                const char     *pointer)
{
  Field *field;

  g_return_val_if_fail (DECA_IS_SCHEMA_FORM (self), NULL);
  g_return_val_if_fail (pointer != NULL, NULL);

  field = find_field (self, pointer);
  return field ? field->row : NULL;
}

GtkWidget *
deca_schema_form_get_field_input (DecaSchemaForm *self,
                                  const char     *pointer)
{
  Field *field;

  g_return_val_if_fail (DECA_IS_SCHEMA_FORM (self), NULL);
  g_return_val_if_fail (pointer != NULL, NULL);

  field = find_field (self, pointer);
  return field ? field->input : NULL;
}

gboolean
deca_schema_form_focus_first_field (DecaSchemaForm *self)
{
  g_return_val_if_fail (DECA_IS_SCHEMA_FORM (self), FALSE);

  if (self->fields->len == 0)
    return FALSE;
  return gtk_widget_grab_focus (((Field *) g_ptr_array_index (self->fields, 0))->input);
}

guint
deca_schema_form_get_n_fields (DecaSchemaForm *self)
{
  g_return_val_if_fail (DECA_IS_SCHEMA_FORM (self), 0);
  return self->fields->len;
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
deca_schema_form_dispose (GObject *object)
{
  DecaSchemaForm *self = DECA_SCHEMA_FORM (object);

  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  if (self->fields)
    deca_schema_form_flush (self);
  if (self->node)
    g_signal_handlers_disconnect_by_data (self->node, self);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->node);
  g_clear_object (&self->document);
  G_OBJECT_CLASS (deca_schema_form_parent_class)->dispose (object);
}

static void
deca_schema_form_class_init (DecaSchemaFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = deca_schema_form_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "decaschemaform");
}

static void
deca_schema_form_init (DecaSchemaForm *self)
{
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) field_free);
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

GtkWidget *
deca_schema_form_new (void)
{
  return g_object_new (DECA_TYPE_SCHEMA_FORM, NULL);
}
