/* deca-key-value-editor.c: a form row for an object of named text values (headers). */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-json.h"
#include "deca-key-value-editor.h"

typedef struct {
  DecaKeyValueEditor *editor;  /* borrowed: the editor owns the line */
  GtkWidget *box;
  GtkEntry *name_entry;
  GtkButton *remove_button;
  DecaExpressionView *value_view;
  GtkLabel *error_label;
  GtkEventController *name_focus;
  GtkEventController *value_focus;
  char *error;
} Line;

struct _DecaKeyValueEditor
{
  AdwPreferencesRow parent_instance;

  /* template widgets */
  GtkLabel *title_label;
  GtkButton *mode_button;
  GtkStack *stack;
  GtkBox *rows_box;
  GtkLabel *empty_label;
  GtkButton *add_button;
  DecaExpressionView *json_view;
  GtkLabel *notice_label;
  GtkLabel *error_label;
  GtkLabel *description_label;

  /* owned */
  GPtrArray *lines;          /* (element-type Line) */
  JsonNode *shown;           /* (nullable) the value set last */
  DecaFlowDocument *document;
  char *node_id;
  char *error;               /* the field's error, from outside */
  GHashTable *member_problems; /* (nullable) member name -> the validator's message */
  char *json_error;          /* the JSON text does not parse */
  DecaExpressionViewMode value_mode;
  gboolean required;
  gboolean json_mode;
  gboolean json_forced;      /* JSON because the value cannot be shown as lines */
  gboolean loading;          /* the widgets are being set from a value */
};

G_DEFINE_FINAL_TYPE (DecaKeyValueEditor, deca_key_value_editor, ADW_TYPE_PREFERENCES_ROW)

enum {
  PROP_0,
  PROP_VALUE_MODE,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  SIGNAL_COMMIT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void line_name_changed_cb (GtkEditable *entry, Line *line);
static void show_problems (DecaKeyValueEditor *self);
static void line_value_changed_cb (DecaExpressionView *view, Line *line);

/* ---- helpers ------------------------------------------------------------------------- */

static gboolean
nodes_equal (JsonNode *a,
             JsonNode *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return json_node_equal (a, b);
}

/* Whether @value can be shown as lines: NULL or an object of strings. Else @why (nullable)
 * says why, for a person. */
static gboolean
value_fits_lines (JsonNode  *value,
                  char     **why)
{
  g_autoptr(GList) names = NULL;
  JsonObject *object;

  if (value == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (value))
    {
      if (why)
        *why = g_strdup (_("Only a JSON object can be edited as a list."));
      return FALSE;
    }
  object = json_node_get_object (value);
  names = json_object_get_members (object);
  for (GList *l = names; l; l = l->next)
    {
      JsonNode *member = json_object_get_member (object, l->data);

      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
        {
          if (why)
            /* Translators: %s is the name of an object member, "“retries” is not text..." */
            *why = g_strdup_printf (_("“%s” is not text: only text values can be edited as a list."),
                                    (const char *) l->data);
          return FALSE;
        }
    }
  return TRUE;
}

static const char *
field_title (DecaKeyValueEditor *self)
{
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self));

  return title ? title : "";
}

static void
set_notice (DecaKeyValueEditor *self,
            const char         *message)
{
  gtk_label_set_text (self->notice_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), message != NULL);
}

/* ---- lines ---------------------------------------------------------------------------- */

static void
line_free (Line *line)
{
  g_signal_handlers_disconnect_by_data (line->name_entry, line);
  g_signal_handlers_disconnect_by_data (line->value_view, line);
  g_signal_handlers_disconnect_by_data (line->remove_button, line);
  /* A focused entry that goes away reports the focus leaving it. */
  g_signal_handlers_disconnect_by_data (line->name_focus, line);
  g_signal_handlers_disconnect_by_data (line->value_focus, line);
  g_free (line->error);
  g_free (line);
}

static guint
line_index (Line *line)
{
  guint index = 0;

  g_ptr_array_find (line->editor->lines, line, &index);
  return index;
}

/* The accessible names say which line and which field: "Value of Accept in Headers". */
static void
line_update_labels (Line *line,
                    guint index)
{
  const char *title = field_title (line->editor);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (line->name_entry));
  g_autofree char *name_label = NULL;
  g_autofree char *value_label = NULL;
  g_autofree char *remove_label = NULL;

  /* Translators: the accessible name of the name entry of line 2 of a list field,
   * "Name 2 in Headers" */
  name_label = g_strdup_printf (_("Name %u in %s"), index + 1, title);
  if (*name != '\0')
    {
      /* Translators: "Value of Accept in Headers": a member name, then the field */
      value_label = g_strdup_printf (_("Value of %s in %s"), name, title);
      /* Translators: "Remove Accept from Headers": a member name, then the field */
      remove_label = g_strdup_printf (_("Remove %s from %s"), name, title);
    }
  else
    {
      /* Translators: "Value 2 in Headers", of a line without a name yet */
      value_label = g_strdup_printf (_("Value %u in %s"), index + 1, title);
      /* Translators: "Remove line 2 from Headers", of a line without a name yet */
      remove_label = g_strdup_printf (_("Remove line %u from %s"), index + 1, title);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (line->name_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name_label, -1);
  deca_expression_view_set_accessible_label (line->value_view, value_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (line->remove_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (line->remove_button), remove_label);
}

static void
update_labels (DecaKeyValueEditor *self)
{
  g_autofree char *add_label = NULL;

  for (guint i = 0; i < self->lines->len; i++)
    line_update_labels (g_ptr_array_index (self->lines, i), i);
  /* Translators: the accessible name of the Add button of a list field, "Add to Headers" */
  add_label = g_strdup_printf (_("Add to %s"), field_title (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, add_label, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->add_button), add_label);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), self->lines->len == 0);
}

static void
line_set_error (Line       *line,
                const char *message)
{
  if (g_strcmp0 (line->error, message) == 0)
    return;
  g_free (line->error);
  line->error = g_strdup (message);
  gtk_label_set_text (line->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (line->error_label), message != NULL);
  if (message)
    gtk_widget_add_css_class (GTK_WIDGET (line->name_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (line->name_entry), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (line->name_entry),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message ? message : "", -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (line->name_entry), GTK_ACCESSIBLE_STATE_INVALID,
                               message ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

/* Checks the lines, shows each one's error, and reads them into @value (transfer full)
 * (nullable): NULL when there are no members and none were shown. FALSE when a line has
 * an error. */
static gboolean
read_lines (DecaKeyValueEditor  *self,
            JsonNode           **value)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonObject) object = json_object_new ();
  gboolean valid = TRUE;

  *value = NULL;
  for (guint i = 0; i < self->lines->len; i++)
    {
      Line *line = g_ptr_array_index (self->lines, i);
      const char *name = gtk_editable_get_text (GTK_EDITABLE (line->name_entry));
      g_autofree char *text = deca_expression_view_dup_text (line->value_view);
      g_autofree char *message = NULL;
      gpointer first;

      if (*name == '\0')
        {
          /* A line with neither name nor value is one still to be filled in. */
          if (*text != '\0')
            /* Translators: an inline error below line 2 of a list field */
            message = g_strdup_printf (_("Line %u has a value but no name."), i + 1);
        }
      else if (g_hash_table_lookup_extended (seen, name, NULL, &first))
        /* Translators: an inline error below a line of a list field: "“Accept” is
         * already the name of line 1." */
        message = g_strdup_printf (_("“%s” is already the name of line %u."), name,
                                   GPOINTER_TO_UINT (first) + 1);
      else
        {
          g_hash_table_insert (seen, (gpointer) name, GUINT_TO_POINTER (i));
          json_object_set_string_member (object, name, text);
        }
      line_set_error (line, message);
      valid &= message == NULL;
    }
  if (!valid)
    return FALSE;
  if (json_object_get_size (object) > 0 || self->shown != NULL)
    *value = json_node_init_object (json_node_alloc (), object);
  return TRUE;
}

static void
line_changed (Line *line)
{
  DecaKeyValueEditor *self = line->editor;
  g_autoptr(JsonNode) value = NULL;

  if (self->loading)
    return;
  set_notice (self, NULL);
  /* The errors follow the typing. */
  read_lines (self, &value);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
line_name_changed_cb (GtkEditable *entry,
                      Line        *line)
{
  line_update_labels (line, line_index (line));
  /* A problem belongs to a name: it follows the name to its line. */
  show_problems (line->editor);
  line_changed (line);
}

static void
line_value_changed_cb (DecaExpressionView *view,
                       Line               *line)
{
  line_changed (line);
}

/* Enter in a name goes on to its value. */
static void
line_name_activate_cb (GtkEntry *entry,
                       Line     *line)
{
  gtk_widget_grab_focus (GTK_WIDGET (deca_expression_view_get_source_view (line->value_view)));
}

/* Leaving a name or a value ends its undo step. */
static void
line_focus_leave_cb (GtkEventControllerFocus *controller,
                     Line                    *line)
{
  if (!line->editor->loading)
    g_signal_emit (line->editor, signals[SIGNAL_COMMIT], 0);
}

static void
line_remove_clicked_cb (GtkButton *button,
                        Line      *line)
{
  DecaKeyValueEditor *self = line->editor;
  guint index = line_index (line);
  GtkWidget *next_focus;
  GtkWidget *box = line->box;
  g_autoptr(JsonNode) value = NULL;

  /* What was typed before is a step of its own; the removal is the next. */
  g_signal_emit (self, signals[SIGNAL_COMMIT], 0);

  if (index + 1 < self->lines->len)
    next_focus = GTK_WIDGET (((Line *) g_ptr_array_index (self->lines, index + 1))->name_entry);
  else if (index > 0)
    next_focus = GTK_WIDGET (((Line *) g_ptr_array_index (self->lines, index - 1))->name_entry);
  else
    next_focus = GTK_WIDGET (self->add_button);
  /* The focus moves before the line goes, so that it stays in the list. */
  self->loading = TRUE;
  gtk_widget_grab_focus (next_focus);
  self->loading = FALSE;

  g_ptr_array_remove_index (self->lines, index);
  gtk_box_remove (self->rows_box, box);
  update_labels (self);
  show_problems (self);
  set_notice (self, NULL);
  read_lines (self, &value);
  g_signal_emit (self, signals[SIGNAL_COMMIT], 0);
}

/* A form row (DecaExpressionView) works only inside a list box: focus and keyboard
 * navigation go through the list. Returns @row in a list of its own that looks like
 * no list. */
static GtkWidget *
in_list (GtkWidget *row)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "deca-key-value-list");
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  return list;
}

static GtkEventController *
add_focus_leave (Line      *line,
                 GtkWidget *widget)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  g_signal_connect (focus, "leave", G_CALLBACK (line_focus_leave_cb), line);
  gtk_widget_add_controller (widget, focus);
  return focus;
}

static Line *
line_new (DecaKeyValueEditor *self,
          const char         *name,
          const char         *value)
{
  Line *line = g_new0 (Line, 1);
  GtkWidget *fields = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *actions = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  DecaExpressionCompletion *completion;

  line->editor = self;
  line->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (line->box, "deca-key-value-line");

  /* Tab goes through a box's children by where they are, top to bottom, then left to
   * right: the name, its value, then the remove button beside both, whose own box spans
   * their height so that it comes after them. */
  gtk_widget_set_hexpand (fields, TRUE);
  gtk_box_append (GTK_BOX (line->box), fields);
  gtk_box_append (GTK_BOX (line->box), actions);

  line->name_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_widget_set_margin_start (GTK_WIDGET (line->name_entry), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (line->name_entry), 12);
  gtk_entry_set_placeholder_text (line->name_entry, _("Name"));
  gtk_editable_set_text (GTK_EDITABLE (line->name_entry), name ? name : "");
  gtk_box_append (GTK_BOX (fields), GTK_WIDGET (line->name_entry));

  line->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (line->error_label, 0);
  gtk_label_set_wrap (line->error_label, TRUE);
  gtk_label_set_wrap_mode (line->error_label, PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_margin_start (GTK_WIDGET (line->error_label), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (line->error_label), 12);
  gtk_widget_add_css_class (GTK_WIDGET (line->error_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (line->error_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (line->error_label), "deca-field-error");
  gtk_widget_set_visible (GTK_WIDGET (line->error_label), FALSE);
  gtk_box_append (GTK_BOX (fields), GTK_WIDGET (line->error_label));

  line->value_view = DECA_EXPRESSION_VIEW (deca_expression_view_new (self->value_mode));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (line->value_view), _("Value"));
  deca_expression_view_set_text (line->value_view, value ? value : "");
  completion = deca_expression_view_get_completion (line->value_view);
  if (completion)
    {
      deca_expression_completion_set_document (completion, self->document);
      deca_expression_completion_set_node_id (completion, self->node_id);
    }
  gtk_box_append (GTK_BOX (fields), in_list (GTK_WIDGET (line->value_view)));

  line->remove_button = GTK_BUTTON (gtk_button_new_from_icon_name ("user-trash-symbolic"));
  gtk_widget_set_valign (GTK_WIDGET (line->remove_button), GTK_ALIGN_START);
  gtk_widget_set_margin_end (GTK_WIDGET (line->remove_button), 12);
  gtk_widget_add_css_class (GTK_WIDGET (line->remove_button), "flat");
  gtk_box_append (GTK_BOX (actions), GTK_WIDGET (line->remove_button));

  g_signal_connect (line->name_entry, "changed", G_CALLBACK (line_name_changed_cb), line);
  g_signal_connect (line->name_entry, "activate", G_CALLBACK (line_name_activate_cb), line);
  g_signal_connect (line->value_view, "changed", G_CALLBACK (line_value_changed_cb), line);
  g_signal_connect (line->remove_button, "clicked", G_CALLBACK (line_remove_clicked_cb), line);
  line->name_focus = add_focus_leave (line, GTK_WIDGET (line->name_entry));
  line->value_focus = add_focus_leave (line, GTK_WIDGET (deca_expression_view_get_source_view (line->value_view)));

  g_ptr_array_add (self->lines, line);
  gtk_box_append (self->rows_box, line->box);
  return line;
}

/* Removes the last line; its handlers go first, since removing a focused entry reports
 * the focus leaving it. */
static void
remove_last_line (DecaKeyValueEditor *self)
{
  Line *line = g_ptr_array_index (self->lines, self->lines->len - 1);
  GtkWidget *box = line->box;

  g_ptr_array_remove_index (self->lines, self->lines->len - 1);
  gtk_box_remove (self->rows_box, box);
}

/* Shows @value (NULL or an object of strings) as lines, reusing the lines there are so
 * that a line being edited keeps its cursor. */
static void
load_lines (DecaKeyValueEditor *self,
            JsonNode           *value)
{
  JsonObject *object = value ? json_node_get_object (value) : NULL;
  g_autoptr(GList) names = object ? json_object_get_members (object) : NULL;
  guint index = 0;

  g_assert (self->loading);
  for (GList *l = names; l; l = l->next, index++)
    {
      const char *text = json_object_get_string_member (object, l->data);

      if (index < self->lines->len)
        {
          Line *line = g_ptr_array_index (self->lines, index);

          if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (line->name_entry)), l->data) != 0)
            gtk_editable_set_text (GTK_EDITABLE (line->name_entry), l->data);
          deca_expression_view_set_text (line->value_view, text);
        }
      else
        line_new (self, l->data, text);
    }
  while (self->lines->len > index)
    remove_last_line (self);
  update_labels (self);
  show_problems (self);
  {
    g_autoptr(JsonNode) ignored = NULL;
    read_lines (self, &ignored);
  }
}

/* ---- JSON ------------------------------------------------------------------------------ */

/* The field's errors and its members' ("Accept: must be a string"), one per line, for
 * where the members have no line of their own: all of them in JSON, those whose name no
 * line has in the list. */
static char *
joined_problems (DecaKeyValueEditor *self,
                 gboolean            all_members)
{
  GString *text = g_string_new (self->error);
  g_autoptr(GList) names = self->member_problems ? g_hash_table_get_keys (self->member_problems) : NULL;

  names = g_list_sort (names, (GCompareFunc) g_strcmp0);
  for (GList *l = names; l; l = l->next)
    {
      gboolean on_line = FALSE;

      for (guint i = 0; !all_members && i < self->lines->len && !on_line; i++)
        on_line = g_str_equal (gtk_editable_get_text (GTK_EDITABLE (((Line *) g_ptr_array_index (self->lines, i))->name_entry)),
                               l->data);
      if (on_line)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "%s: %s", (const char *) l->data,
                              (const char *) g_hash_table_lookup (self->member_problems, l->data));
    }
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

static void
show_json_error (DecaKeyValueEditor *self)
{
  g_autofree char *problems = joined_problems (self, TRUE);

  deca_expression_view_set_error (self->json_view, self->json_error ? self->json_error : problems);
}

/* The validator's problems in the lines: each member's on its value, the rest below the
 * list. */
static void
show_problems (DecaKeyValueEditor *self)
{
  g_autofree char *rest = NULL;

  for (guint i = 0; i < self->lines->len; i++)
    {
      Line *line = g_ptr_array_index (self->lines, i);
      const char *name = gtk_editable_get_text (GTK_EDITABLE (line->name_entry));
      const char *problem = self->member_problems && *name
                              ? g_hash_table_lookup (self->member_problems, name) : NULL;

      deca_expression_view_set_error (line->value_view, problem);
    }
  rest = self->json_mode ? NULL : joined_problems (self, FALSE);
  gtk_label_set_text (self->error_label, rest ? rest : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), rest != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, rest ? rest : "", -1);
  show_json_error (self);
}

static void
load_json (DecaKeyValueEditor *self,
           JsonNode           *value)
{
  g_autofree char *current = deca_expression_view_dup_text (self->json_view);
  g_autoptr(JsonNode) shown = deca_json_parse (current, -1, NULL);
  g_autofree char *text = NULL;

  /* Values are compared, not text, so that the person's own layout survives. */
  if ((value == NULL && g_strstrip (current)[0] == '\0') ||
      (value != NULL && shown != NULL && json_node_equal (value, shown)))
    return;
  text = value ? deca_json_to_string (value, TRUE) : g_strdup ("");
  deca_expression_view_set_text (self->json_view, text);
  g_clear_pointer (&self->json_error, g_free);
  show_json_error (self);
}

/* Reads the JSON text: NULL for none. FALSE with the error shown when it does not parse. */
static gboolean
read_json (DecaKeyValueEditor  *self,
           JsonNode           **value)
{
  g_autofree char *text = deca_expression_view_dup_text (self->json_view);
  g_autoptr(GError) error = NULL;

  *value = NULL;
  g_clear_pointer (&self->json_error, g_free);
  if (g_strstrip (text)[0] != '\0')
    {
      *value = deca_json_parse (text, -1, &error);
      if (*value == NULL)
        self->json_error = g_strdup (error->message);
    }
  show_json_error (self);
  return self->json_error == NULL;
}

static void
json_changed_cb (DecaKeyValueEditor *self)
{
  if (self->loading)
    return;
  set_notice (self, NULL);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
show_mode (DecaKeyValueEditor *self)
{
  gtk_stack_set_visible_child_name (self->stack, self->json_mode ? "json" : "table");
  gtk_button_set_label (self->mode_button, self->json_mode ? _("Edit as List") : _("Edit as JSON"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mode_button),
                               self->json_mode ? _("Edit one name and value per line")
                                               : _("Edit the whole object as JSON text"));
  /* In JSON the field's problems show on the JSON text, else on the lines. */
  show_problems (self);
}

static void
mode_clicked_cb (DecaKeyValueEditor *self)
{
  deca_key_value_editor_set_json_mode (self, !self->json_mode);
}

static void
add_clicked_cb (DecaKeyValueEditor *self)
{
  Line *line;

  set_notice (self, NULL);
  line = line_new (self, NULL, NULL);
  update_labels (self);
  gtk_widget_grab_focus (GTK_WIDGET (line->name_entry));
}

static void
update_title (DecaKeyValueEditor *self)
{
  g_autofree char *text = NULL;
  g_autofree char *label = NULL;

  text = self->required ? g_strdup_printf ("%s *", field_title (self)) : g_strdup (field_title (self));
  gtk_label_set_text (self->title_label, text);
  if (self->required)
    label = g_strdup_printf (_("%s (required)"), field_title (self));
  else
    label = g_strdup (field_title (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  deca_expression_view_set_accessible_label (self->json_view, label);
  update_labels (self);
}

static void
title_changed_cb (DecaKeyValueEditor *self)
{
  update_title (self);
}

/* ---- GObject ------------------------------------------------------------------------- */

static gboolean
deca_key_value_editor_grab_focus (GtkWidget *widget)
{
  DecaKeyValueEditor *self = DECA_KEY_VALUE_EDITOR (widget);

  if (self->json_mode)
    return gtk_widget_grab_focus (GTK_WIDGET (deca_expression_view_get_source_view (self->json_view)));
  if (self->lines->len > 0)
    return gtk_widget_grab_focus (GTK_WIDGET (((Line *) g_ptr_array_index (self->lines, 0))->name_entry));
  return gtk_widget_grab_focus (GTK_WIDGET (self->add_button));
}

static void
deca_key_value_editor_dispose (GObject *object)
{
  DecaKeyValueEditor *self = DECA_KEY_VALUE_EDITOR (object);

  /* Leave handlers must not run on a half-gone editor. */
  self->loading = TRUE;
  while (self->lines && self->lines->len > 0)
    remove_last_line (self);
  g_clear_pointer (&self->lines, g_ptr_array_unref);
  g_clear_object (&self->document);
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_KEY_VALUE_EDITOR);
  G_OBJECT_CLASS (deca_key_value_editor_parent_class)->dispose (object);
}

static void
deca_key_value_editor_finalize (GObject *object)
{
  DecaKeyValueEditor *self = DECA_KEY_VALUE_EDITOR (object);

  g_clear_pointer (&self->shown, json_node_unref);
  g_clear_pointer (&self->member_problems, g_hash_table_unref);
  g_free (self->node_id);
  g_free (self->error);
  g_free (self->json_error);
  G_OBJECT_CLASS (deca_key_value_editor_parent_class)->finalize (object);
}

static void
deca_key_value_editor_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  DecaKeyValueEditor *self = DECA_KEY_VALUE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_VALUE_MODE:
      g_value_set_enum (value, self->value_mode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_key_value_editor_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  DecaKeyValueEditor *self = DECA_KEY_VALUE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_VALUE_MODE:
      self->value_mode = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_key_value_editor_class_init (DecaKeyValueEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = deca_key_value_editor_dispose;
  object_class->finalize = deca_key_value_editor_finalize;
  object_class->get_property = deca_key_value_editor_get_property;
  object_class->set_property = deca_key_value_editor_set_property;
  widget_class->grab_focus = deca_key_value_editor_grab_focus;

  properties[PROP_VALUE_MODE] =
    g_param_spec_enum ("value-mode", NULL, NULL, DECA_TYPE_EXPRESSION_VIEW_MODE,
                       DECA_EXPRESSION_VIEW_TEMPLATE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * DecaKeyValueEditor::changed:
   * The person typed in a name, a value or the JSON text.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * DecaKeyValueEditor::commit:
   * Write the value now and end its undo step: a line was removed, or the focus left a
   * name or a value.
   */
  signals[SIGNAL_COMMIT] =
    g_signal_new ("commit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-key-value-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaKeyValueEditor, title_label);
  gtk_widget_class_bind_template_child (widget_class, DecaKeyValueEditor, mode_button);
  gtk_widget_class_bind_template_child (widget_class, DecaKeyValueEditor, stack);
  gtk_widget_class_bind_template_child (widget_class, DecaKeyValueEditor, rows_box);
  gtk_widget_class_bind_template_child (widget_class, DecaKeyValueEditor, empty_label);
  gtk_widget_class_bind_template_child (widget_class, DecaKeyValueEditor, add_button);
  gtk_widget_class_bind_template_child (widget_class, DecaKeyValueEditor, json_view);
  gtk_widget_class_bind_template_child (widget_class, DecaKeyValueEditor, notice_label);
  gtk_widget_class_bind_template_child (widget_class, DecaKeyValueEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, DecaKeyValueEditor, description_label);
  gtk_widget_class_bind_template_callback (widget_class, mode_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, json_changed_cb);
  /* A group of fields, named by the field's title. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
deca_key_value_editor_init (DecaKeyValueEditor *self)
{
  g_type_ensure (DECA_TYPE_EXPRESSION_VIEW);
  self->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) line_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "deca-key-value-field");
  g_signal_connect (self, "notify::title", G_CALLBACK (title_changed_cb), NULL);
  update_title (self);
  show_mode (self);
}

/* ---- public ---------------------------------------------------------------------------- */

GtkWidget *
deca_key_value_editor_new (DecaExpressionViewMode value_mode)
{
  g_return_val_if_fail (value_mode != DECA_EXPRESSION_VIEW_JSON, NULL);

  return g_object_new (DECA_TYPE_KEY_VALUE_EDITOR, "value-mode", value_mode, NULL);
}

void
deca_key_value_editor_set_required (DecaKeyValueEditor *self,
                                    gboolean            required)
{
  g_return_if_fail (DECA_IS_KEY_VALUE_EDITOR (self));

  self->required = !!required;
  update_title (self);
}

void
deca_key_value_editor_set_description (DecaKeyValueEditor *self,
                                       const char         *description)
{
  g_return_if_fail (DECA_IS_KEY_VALUE_EDITOR (self));

  if (description != NULL && *description == '\0')
    description = NULL;
  gtk_label_set_text (self->description_label, description ? description : "");
  gtk_widget_set_visible (GTK_WIDGET (self->description_label), description != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description ? description : "", -1);
}

void
deca_key_value_editor_set_error (DecaKeyValueEditor *self,
                                 const char         *message)
{
  g_return_if_fail (DECA_IS_KEY_VALUE_EDITOR (self));

  if (message != NULL && *message == '\0')
    message = NULL;
  if (g_strcmp0 (self->error, message) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (message);
  show_mode (self);
}

static gboolean
problems_equal (GHashTable *a,
                GHashTable *b)
{
  GHashTableIter iter;
  gpointer name, message;

  if (a == NULL || b == NULL)
    return (a == NULL || g_hash_table_size (a) == 0) && (b == NULL || g_hash_table_size (b) == 0);
  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &name, &message))
    if (g_strcmp0 (message, g_hash_table_lookup (b, name)) != 0)
      return FALSE;
  return TRUE;
}

void
deca_key_value_editor_set_member_problems (DecaKeyValueEditor *self,
                                           GHashTable         *problems)
{
  g_return_if_fail (DECA_IS_KEY_VALUE_EDITOR (self));

  if (problems_equal (self->member_problems, problems))
    return;
  g_clear_pointer (&self->member_problems, g_hash_table_unref);
  if (problems != NULL && g_hash_table_size (problems) > 0)
    {
      GHashTableIter iter;
      gpointer name, message;

      self->member_problems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_iter_init (&iter, problems);
      while (g_hash_table_iter_next (&iter, &name, &message))
        g_hash_table_insert (self->member_problems, g_strdup (name), g_strdup (message));
    }
  show_problems (self);
}

const char *
deca_key_value_editor_get_error (DecaKeyValueEditor *self)
{
  g_return_val_if_fail (DECA_IS_KEY_VALUE_EDITOR (self), NULL);
  return self->error;
}

void
deca_key_value_editor_set_completion_context (DecaKeyValueEditor *self,
                                              DecaFlowDocument   *document,
                                              const char         *node_id)
{
  DecaExpressionCompletion *completion;

  g_return_if_fail (DECA_IS_KEY_VALUE_EDITOR (self));
  g_return_if_fail (document == NULL || DECA_IS_FLOW_DOCUMENT (document));

  g_set_object (&self->document, document);
  g_free (self->node_id);
  self->node_id = g_strdup (node_id);
  for (guint i = 0; i < self->lines->len; i++)
    {
      Line *line = g_ptr_array_index (self->lines, i);

      completion = deca_expression_view_get_completion (line->value_view);
      deca_expression_completion_set_document (completion, document);
      deca_expression_completion_set_node_id (completion, node_id);
    }
  completion = deca_expression_view_get_completion (self->json_view);
  deca_expression_completion_set_document (completion, document);
  deca_expression_completion_set_node_id (completion, node_id);
}

void
deca_key_value_editor_set_value (DecaKeyValueEditor *self,
                                 JsonNode           *value)
{
  g_return_if_fail (DECA_IS_KEY_VALUE_EDITOR (self));

  if (nodes_equal (value, self->shown))
    return;
  g_clear_pointer (&self->shown, json_node_unref);
  self->shown = value ? deca_json_deep_copy (value) : NULL;

  self->loading = TRUE;
  if (!self->json_mode)
    {
      g_autoptr(JsonNode) current = NULL;

      /* What the person typed has just been written: nothing to show. */
      if (!read_lines (self, &current) || !nodes_equal (current, value))
        {
          if (value_fits_lines (value, NULL))
            load_lines (self, value);
          else
            {
              load_json (self, value);
              self->json_mode = TRUE;
              self->json_forced = TRUE;
              show_mode (self);
            }
        }
    }
  else
    {
      GtkWidget *text = GTK_WIDGET (deca_expression_view_get_source_view (self->json_view));

      load_json (self, value);
      /* Shown as JSON only because lines could not show it: back to lines, unless the
       * person is typing the JSON. */
      if (self->json_forced && value_fits_lines (value, NULL) && !gtk_widget_has_focus (text))
        {
          load_lines (self, value);
          self->json_mode = FALSE;
          self->json_forced = FALSE;
          show_mode (self);
        }
    }
  self->loading = FALSE;
}

gboolean
deca_key_value_editor_read_value (DecaKeyValueEditor  *self,
                                  JsonNode           **value)
{
  g_return_val_if_fail (DECA_IS_KEY_VALUE_EDITOR (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (self->json_mode)
    return read_json (self, value);
  return read_lines (self, value);
}

gboolean
deca_key_value_editor_get_json_mode (DecaKeyValueEditor *self)
{
  g_return_val_if_fail (DECA_IS_KEY_VALUE_EDITOR (self), FALSE);
  return self->json_mode;
}

gboolean
deca_key_value_editor_set_json_mode (DecaKeyValueEditor *self,
                                     gboolean            json_mode)
{
  g_autoptr(JsonNode) value = NULL;
  g_autofree char *why = NULL;

  g_return_val_if_fail (DECA_IS_KEY_VALUE_EDITOR (self), FALSE);

  json_mode = !!json_mode;
  if (self->json_mode == json_mode)
    return TRUE;

  if (json_mode)
    {
      if (!read_lines (self, &value))
        {
          set_notice (self, _("Give every line a name of its own first."));
          return FALSE;
        }
      self->loading = TRUE;
      load_json (self, value);
      self->loading = FALSE;
    }
  else
    {
      if (!read_json (self, &value))
        {
          set_notice (self, _("Correct the JSON first: only a JSON object can be edited as a list."));
          return FALSE;
        }
      if (!value_fits_lines (value, &why))
        {
          set_notice (self, why);
          return FALSE;
        }
      self->loading = TRUE;
      load_lines (self, value);
      self->loading = FALSE;
    }
  set_notice (self, NULL);
  self->json_mode = json_mode;
  self->json_forced = FALSE;
  show_mode (self);
  /* Nothing changed, but an edit waiting to be written is written as its own step. */
  g_signal_emit (self, signals[SIGNAL_COMMIT], 0);
  return TRUE;
}

guint
deca_key_value_editor_get_n_rows (DecaKeyValueEditor *self)
{
  g_return_val_if_fail (DECA_IS_KEY_VALUE_EDITOR (self), 0);
  return self->lines->len;
}

GtkWidget *
deca_key_value_editor_get_row_part (DecaKeyValueEditor *self,
                                    guint               index,
                                    const char         *part)
{
  Line *line;

  g_return_val_if_fail (DECA_IS_KEY_VALUE_EDITOR (self), NULL);
  g_return_val_if_fail (part != NULL, NULL);

  if (index >= self->lines->len)
    return NULL;
  line = g_ptr_array_index (self->lines, index);
  if (g_str_equal (part, "name"))
    return GTK_WIDGET (line->name_entry);
  if (g_str_equal (part, "value"))
    return GTK_WIDGET (line->value_view);
  if (g_str_equal (part, "remove"))
    return GTK_WIDGET (line->remove_button);
  if (g_str_equal (part, "error"))
    return GTK_WIDGET (line->error_label);
  return NULL;
}

const char *
deca_key_value_editor_get_row_error (DecaKeyValueEditor *self,
                                     guint               index)
{
  g_return_val_if_fail (DECA_IS_KEY_VALUE_EDITOR (self), NULL);

  if (index >= self->lines->len)
    return NULL;
  return ((Line *) g_ptr_array_index (self->lines, index))->error;
}

GtkWidget *
deca_key_value_editor_get_part (DecaKeyValueEditor *self,
                                const char         *part)
{
  g_return_val_if_fail (DECA_IS_KEY_VALUE_EDITOR (self), NULL);
  g_return_val_if_fail (part != NULL, NULL);

  if (g_str_equal (part, "add"))
    return GTK_WIDGET (self->add_button);
  if (g_str_equal (part, "mode"))
    return GTK_WIDGET (self->mode_button);
  if (g_str_equal (part, "json"))
    return GTK_WIDGET (self->json_view);
  if (g_str_equal (part, "notice"))
    return GTK_WIDGET (self->notice_label);
  return NULL;
}
