/* deca-inspector.c: the side panel that edits the selected node, connection or the flow. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "deca-edit-burst.h"
#include "deca-expression-view.h"
#include "deca-inspector.h"
#include "deca-json.h"
#include "deca-palette.h"
#include "deca-schema-form.h"
#include "deca-trigger-editor.h"

struct _DecaInspector
{
  GtkWidget parent_instance;

  /* template widgets */
  GtkWidget *scroller;       /* bound only so that gtk_widget_dispose_template() unparents it */
  GtkStack *stack;
  AdwEntryRow *flow_name_row;
  AdwEntryRow *flow_description_row;
  GtkLabel *flow_problems_label;
  AdwActionRow *flow_timeout_row;
  GtkSpinButton *flow_timeout_spin;
  AdwComboRow *error_strategy_row;
  AdwActionRow *parallelism_row;
  GtkSpinButton *parallelism_spin;
  AdwActionRow *failure_threshold_row;
  GtkSpinButton *failure_threshold_spin;
  AdwActionRow *cooldown_row;
  GtkSpinButton *cooldown_spin;
  DecaTriggerEditor *trigger_editor;
  GtkImage *node_icon;
  GtkLabel *node_title_label;
  GtkLabel *node_description_label;
  GtkLabel *node_problems_label;
  AdwEntryRow *node_id_row;
  GtkLabel *node_id_error_label;
  DecaSchemaForm *schema_form;
  AdwExpanderRow *retry_row;
  AdwActionRow *max_attempts_row;
  GtkSpinButton *max_attempts_spin;
  AdwActionRow *initial_delay_row;
  GtkSpinButton *initial_delay_spin;
  AdwActionRow *multiplier_row;
  GtkSpinButton *multiplier_spin;
  AdwActionRow *max_delay_row;
  GtkSpinButton *max_delay_spin;
  AdwActionRow *jitter_row;
  GtkSpinButton *jitter_spin;
  AdwActionRow *node_timeout_row;
  GtkSpinButton *node_timeout_spin;
  AdwActionRow *connection_from_row;
  AdwActionRow *connection_to_row;
  AdwActionRow *connection_fallback_row;
  GtkLabel *connection_problems_label;
  DecaExpressionView *condition_view;
  GtkButton *delete_connection_button;

  /* owned */
  DecaFlowDocument *document;
  DecaFlowNodeItem *node;
  DecaFlowConnectionItem *connection;
  char *node_id;

  guint name_source;
  guint description_source;
  guint settings_source;
  guint retry_source;
  guint timeout_source;
  guint condition_source;
  gconstpointer retry_field;   /* the spin button being edited, naming its undo step */
  gconstpointer settings_field;
  gboolean loading;          /* widgets are being set from the document */
};

G_DEFINE_FINAL_TYPE (DecaInspector, deca_inspector, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_DOCUMENT,
  PROP_NODE_ID,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void show_item (DecaInspector *self, DecaFlowNodeItem *node, DecaFlowConnectionItem *connection);
static void refresh (DecaInspector *self);

/* ---- helpers --------------------------------------------------------------------------- */

static void
set_label_or_hide (GtkLabel   *label,
                   const char *text)
{
  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

/* Shows @error on @row (an AdwActionRow) as its subtitle, or @subtitle without one; the
 * same text is the accessible description of @input. */
static void
row_show_error (AdwActionRow *row,
                GtkWidget    *input,
                const char   *error,
                const char   *subtitle)
{
  adw_action_row_set_subtitle (row, error ? error : subtitle);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (row), "deca-field-invalid");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "deca-field-invalid");
  gtk_accessible_update_property (GTK_ACCESSIBLE (input),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error ? error : subtitle,
                                  -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (input), GTK_ACCESSIBLE_STATE_INVALID,
                               error ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

static void
entry_row_show_error (AdwEntryRow *row,
                      GtkLabel    *error_label,
                      const char  *error)
{
  set_label_or_hide (error_label, error);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  error ? error : "", -1);
}

static void
restart_source (guint       *source,
                GSourceFunc  func,
                gpointer     data)
{
  g_clear_handle_id (source, g_source_remove);
  *source = g_timeout_add (DECA_EDIT_APPLY_DELAY_MS, func, data);
}

/* The position of @item in @model, or -1. */
static int
position_in (GListModel *model,
             gpointer    item)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) other = g_list_model_get_item (model, i);

      if (other == item)
        return (int) i;
    }
  return -1;
}

/* The messages of @problems whose pointer is @pointer (or inside it when @inside), joined
 * by line breaks; the matched problems are removed from @problems. */
static char *
take_problems (GPtrArray  *problems,
               const char *pointer,
               gboolean    inside)
{
  GString *text = NULL;
  gsize length = strlen (pointer);

  for (guint i = 0; i < problems->len;)
    {
      DecaValidationProblem *problem = g_ptr_array_index (problems, i);
      const char *rest = problem->pointer + length;

      if (g_str_has_prefix (problem->pointer, pointer) &&
          (*rest == '\0' || (inside && *rest == '/')))
        {
          if (text == NULL)
            text = g_string_new (NULL);
          else
            g_string_append_c (text, '\n');
          if (*rest == '/')
            g_string_append_printf (text, "%s: %s", rest + 1, problem->message);
          else
            g_string_append (text, problem->message);
          g_ptr_array_remove_index (problems, i);
        }
      else
        i++;
    }
  return text ? g_string_free (text, FALSE) : NULL;
}

static char *
join_problems (GPtrArray  *problems,
               const char *prefix)
{
  GString *text = g_string_new (NULL);
  gsize length = prefix ? strlen (prefix) : 0;

  for (guint i = 0; i < problems->len; i++)
    {
      DecaValidationProblem *problem = g_ptr_array_index (problems, i);
      const char *where = problem->pointer;

      if (prefix && g_str_has_prefix (where, prefix))
        where += length;
      if (text->len)
        g_string_append_c (text, '\n');
      if (*where == '/')
        where++;
      if (*where)
        g_string_append_printf (text, "%s: %s", where, problem->message);
      else
        g_string_append (text, problem->message);
    }
  return g_string_free (text, FALSE);
}

/* ---- flow -------------------------------------------------------------------------------- */

/* The number member @name of @object (nullable), or @fallback: what the engine uses when
 * the member is absent. */
static double
object_number (JsonObject *object,
               const char *name,
               double      fallback)
{
  double value = fallback;

  deca_json_object_get_number (object, name, &value);
  return value;
}

static void
load_flow (DecaInspector *self)
{
  g_autoptr(JsonObject) settings = deca_flow_document_get_settings (self->document);
  const char *strategy = deca_json_object_get_string (settings, "error_strategy");
  JsonObject *breaker = deca_json_object_get_object (settings, "circuit_breaker");

  self->loading = TRUE;
  if (self->name_source == 0 &&
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->flow_name_row)),
                 deca_flow_document_get_name (self->document)) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->flow_name_row),
                           deca_flow_document_get_name (self->document) ?: "");
  if (self->description_source == 0 &&
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->flow_description_row)),
                 deca_flow_document_get_description (self->document) ?: "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->flow_description_row),
                           deca_flow_document_get_description (self->document) ?: "");
  if (self->settings_source == 0)
    {
      gtk_spin_button_set_value (self->flow_timeout_spin, object_number (settings, "timeout", 0));
      gtk_spin_button_set_value (self->parallelism_spin, object_number (settings, "parallelism", 4));
      adw_combo_row_set_selected (self->error_strategy_row,
                                  g_strcmp0 (strategy, "continue_on_error") == 0 ? 1 : 0);
      gtk_spin_button_set_value (self->failure_threshold_spin,
                                 object_number (breaker, "failure_threshold", 5));
      gtk_spin_button_set_value (self->cooldown_spin, object_number (breaker, "cooldown", 30));
    }
  self->loading = FALSE;
}

static gboolean
apply_name_cb (gpointer data)
{
  DecaInspector *self = data;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->flow_name_row));

  self->name_source = 0;
  if (self->document && g_strcmp0 (name, deca_flow_document_get_name (self->document)) != 0)
    {
      deca_edit_burst_begin (self->document, &self->name_source);
      deca_flow_document_set_name (self->document, name);
    }
  return G_SOURCE_REMOVE;
}

static void
flow_name_changed_cb (DecaInspector *self)
{
  if (!self->loading)
    restart_source (&self->name_source, apply_name_cb, self);
}

static gboolean
apply_description_cb (gpointer data)
{
  DecaInspector *self = data;
  const char *description = gtk_editable_get_text (GTK_EDITABLE (self->flow_description_row));

  self->description_source = 0;
  if (self->document &&
      g_strcmp0 (description, deca_flow_document_get_description (self->document) ?: "") != 0)
    {
      deca_edit_burst_begin (self->document, &self->description_source);
      deca_flow_document_set_description (self->document, description);
    }
  return G_SOURCE_REMOVE;
}

static void
flow_description_changed_cb (DecaInspector *self)
{
  if (!self->loading)
    restart_source (&self->description_source, apply_description_cb, self);
}

static void
set_or_remove_number (JsonObject *object,
                      const char *name,
                      double      value,
                      gboolean    integer,
                      gboolean    remove)
{
  if (remove)
    json_object_remove_member (object, name);
  else if (integer || floor (value) == value)
    json_object_set_int_member (object, name, (gint64) llround (value));
  else
    json_object_set_double_member (object, name, value);
}

static gboolean
apply_settings_cb (gpointer data)
{
  DecaInspector *self = data;
  g_autoptr(JsonObject) settings = NULL;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;
  double timeout = gtk_spin_button_get_value (self->flow_timeout_spin);
  double parallelism = gtk_spin_button_get_value (self->parallelism_spin);
  guint strategy = adw_combo_row_get_selected (self->error_strategy_row);
  const char *current;

  self->settings_source = 0;
  if (self->document == NULL)
    return G_SOURCE_REMOVE;

  /* Change only what the form shows; circuit_breaker and unknown members stay. */
  settings = deca_flow_document_get_settings (self->document);
  before = deca_json_object_deep_copy (settings);
  set_or_remove_number (settings, "timeout", timeout, FALSE, timeout <= 0);
  if (object_number (settings, "parallelism", 4) != parallelism)
    set_or_remove_number (settings, "parallelism", parallelism, TRUE, FALSE);
  /* The circuit breaker's members are written once they differ from the defaults. */
  {
    JsonObject *breaker = deca_json_object_get_object (settings, "circuit_breaker");
    double threshold = gtk_spin_button_get_value (self->failure_threshold_spin);
    double cooldown = gtk_spin_button_get_value (self->cooldown_spin);

    if (breaker != NULL || threshold != 5 || cooldown != 30)
      {
        g_autoptr(JsonObject) copy = NULL;

        copy = breaker ? deca_json_object_deep_copy (breaker) : json_object_new ();

        if (object_number (copy, "failure_threshold", 5) != threshold)
          set_or_remove_number (copy, "failure_threshold", threshold, TRUE, FALSE);
        if (object_number (copy, "cooldown", 30) != cooldown)
          set_or_remove_number (copy, "cooldown", cooldown, FALSE, FALSE);
        json_object_set_object_member (settings, "circuit_breaker", g_steal_pointer (&copy));
      }
  }
  current = deca_json_object_get_string (settings, "error_strategy");
  if (strategy == 1)
    json_object_set_string_member (settings, "error_strategy", "continue_on_error");
  else if (current != NULL && !g_str_equal (current, "stop_on_error"))
    json_object_set_string_member (settings, "error_strategy", "stop_on_error");

  a = json_node_init_object (json_node_alloc (), before);
  b = json_node_init_object (json_node_alloc (), settings);
  if (!json_node_equal (a, b))
    {
      deca_edit_burst_begin (self->document, self->settings_field);
      deca_flow_document_set_settings (self->document,
                                       json_object_get_size (settings) ? settings : NULL);
    }
  return G_SOURCE_REMOVE;
}

static void
settings_changed_cb (DecaInspector *self,
                     GtkWidget     *spin)
{
  if (self->loading)
    return;
  /* Another field is another undo step: write the one before now. */
  if (self->settings_field != spin && self->settings_source != 0)
    {
      g_clear_handle_id (&self->settings_source, g_source_remove);
      apply_settings_cb (self);
    }
  self->settings_field = spin;
  restart_source (&self->settings_source, apply_settings_cb, self);
}

static void
error_strategy_changed_cb (DecaInspector *self)
{
  if (self->loading)
    return;
  g_clear_handle_id (&self->settings_source, g_source_remove);
  /* A choice is an undo step of its own. */
  deca_edit_burst_end (self->document);
  apply_settings_cb (self);
  deca_edit_burst_end (self->document);
}

static void
show_flow_problems (DecaInspector *self,
                    GPtrArray     *all)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new ();
  g_autoptr(GPtrArray) left = NULL;
  g_autofree char *timeout = NULL;
  g_autofree char *parallelism = NULL;
  g_autofree char *strategy = NULL;
  g_autofree char *threshold = NULL;
  g_autofree char *cooldown = NULL;
  g_autofree char *name = NULL;
  g_autofree char *rest = NULL;

  /* The flow page shows what belongs to no node and no connection. */
  for (guint i = 0; i < all->len; i++)
    {
      DecaValidationProblem *problem = g_ptr_array_index (all, i);

      if (!g_str_has_prefix (problem->pointer, "/nodes/") &&
          !g_str_has_prefix (problem->pointer, "/connections/"))
        g_ptr_array_add (problems, problem);
    }

  timeout = take_problems (problems, "/settings/timeout", FALSE);
  parallelism = take_problems (problems, "/settings/parallelism", FALSE);
  strategy = take_problems (problems, "/settings/error_strategy", FALSE);
  threshold = take_problems (problems, "/settings/circuit_breaker/failure_threshold", FALSE);
  cooldown = take_problems (problems, "/settings/circuit_breaker/cooldown", FALSE);
  row_show_error (self->failure_threshold_row, GTK_WIDGET (self->failure_threshold_spin), threshold,
                  _("Consecutive failures of one service"));
  row_show_error (self->cooldown_row, GTK_WIDGET (self->cooldown_spin), cooldown,
                  _("Seconds before one trial call"));
  name = take_problems (problems, "/name", FALSE);
  row_show_error (self->flow_timeout_row, GTK_WIDGET (self->flow_timeout_spin), timeout,
                  _("Seconds for the whole run; 0 for none"));
  row_show_error (self->parallelism_row, GTK_WIDGET (self->parallelism_spin), parallelism,
                  _("Nodes running at once"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->error_strategy_row), strategy ? strategy : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->flow_name_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, name ? name : "", -1);
  if (name)
    gtk_widget_add_css_class (GTK_WIDGET (self->flow_name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->flow_name_row), "error");

  left = deca_trigger_editor_show_problems (self->trigger_editor, problems);
  rest = join_problems (left, NULL);
  if (name)
    {
      g_autofree char *both = *rest ? g_strdup_printf ("%s\n%s", name, rest) : g_strdup (name);
      set_label_or_hide (self->flow_problems_label, both);
    }
  else
    set_label_or_hide (self->flow_problems_label, rest);
}

/* ---- node ---------------------------------------------------------------------------------- */

static void
load_node_header (DecaInspector *self)
{
  DecaNodeType *type = deca_node_registry_lookup (deca_flow_document_get_registry (self->document),
                                                  deca_flow_node_item_get_node_type (self->node));

  if (type)
    {
      gtk_image_set_from_icon_name (self->node_icon, deca_node_type_icon_name (type));
      gtk_label_set_text (self->node_title_label, deca_node_type_get_title (type));
      set_label_or_hide (self->node_description_label, deca_node_type_get_description (type));
    }
  else
    {
      g_autofree char *title = g_strdup_printf (_("Unknown type “%s”"),
                                                deca_flow_node_item_get_node_type (self->node));

      gtk_image_set_from_icon_name (self->node_icon, "dialog-question-symbolic");
      gtk_label_set_text (self->node_title_label, title);
      set_label_or_hide (self->node_description_label,
                         _("The studio does not know this node type; its config is shown as JSON."));
    }
}

static void
load_node_execution (DecaInspector *self)
{
  g_autoptr(JsonObject) retry = deca_flow_node_item_get_retry (self->node);

  self->loading = TRUE;
  if (self->retry_source == 0)
    {
      adw_expander_row_set_enable_expansion (self->retry_row, retry != NULL);
      gtk_spin_button_set_value (self->max_attempts_spin, object_number (retry, "max_attempts", 1));
      gtk_spin_button_set_value (self->initial_delay_spin, object_number (retry, "initial_delay", 1));
      gtk_spin_button_set_value (self->multiplier_spin, object_number (retry, "multiplier", 2));
      gtk_spin_button_set_value (self->max_delay_spin, object_number (retry, "max_delay", 60));
      gtk_spin_button_set_value (self->jitter_spin, object_number (retry, "jitter", 0.1));
    }
  if (self->timeout_source == 0)
    gtk_spin_button_set_value (self->node_timeout_spin, deca_flow_node_item_get_timeout (self->node));
  self->loading = FALSE;
}

static void
load_node_id (DecaInspector *self)
{
  const char *id = deca_flow_node_item_get_id (self->node);

  self->loading = TRUE;
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->node_id_row)), id) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->node_id_row), id);
  self->loading = FALSE;
}

static void
node_id_changed_cb (DecaInspector *self)
{
  const char *id = deca_flow_node_item_get_id (self->node);

  if (g_strcmp0 (self->node_id, id) != 0)
    {
      g_free (self->node_id);
      self->node_id = g_strdup (id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NODE_ID]);
    }
  load_node_id (self);
  entry_row_show_error (self->node_id_row, self->node_id_error_label, NULL);
}

static void
node_id_apply_cb (DecaInspector *self)
{
  g_autoptr(GError) error = NULL;
  const char *new_id = gtk_editable_get_text (GTK_EDITABLE (self->node_id_row));

  if (self->node == NULL || g_strcmp0 (new_id, deca_flow_node_item_get_id (self->node)) == 0)
    {
      entry_row_show_error (self->node_id_row, self->node_id_error_label, NULL);
      return;
    }
  deca_schema_form_flush (self->schema_form);
  deca_edit_burst_end (self->document);
  if (!deca_flow_document_rename_node (self->document, deca_flow_node_item_get_id (self->node),
                                       new_id, &error))
    entry_row_show_error (self->node_id_row, self->node_id_error_label, error->message);
  else
    entry_row_show_error (self->node_id_row, self->node_id_error_label, NULL);
}

/* While the id is edited, say at once when it cannot be an id; the rename itself waits
 * for Enter or the apply button, since every rename rewrites references. */
static void
node_id_text_changed_cb (DecaInspector *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->node_id_row));

  if (self->loading || self->node == NULL)
    return;
  if (*text == '\0')
    entry_row_show_error (self->node_id_row, self->node_id_error_label, _("A node needs an id."));
  else if (!deca_flow_node_id_is_valid (text))
    entry_row_show_error (self->node_id_row, self->node_id_error_label,
                          _("Use letters, digits and “_”, start with a letter or “_”, and put "
                            "single “-” between parts; some names (input, env, item, …) are "
                            "reserved."));
  else if (g_strcmp0 (text, deca_flow_node_item_get_id (self->node)) != 0 &&
           deca_flow_document_lookup_node (self->document, text) != NULL)
    entry_row_show_error (self->node_id_row, self->node_id_error_label,
                          _("Another node already has this id."));
  else
    entry_row_show_error (self->node_id_row, self->node_id_error_label, NULL);
}

static gboolean
apply_retry_cb (gpointer data)
{
  DecaInspector *self = data;
  g_autoptr(JsonObject) retry = NULL;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(GError) error = NULL;

  self->retry_source = 0;
  if (self->node == NULL)
    return G_SOURCE_REMOVE;

  before = deca_flow_node_item_get_retry (self->node);
  if (!adw_expander_row_get_enable_expansion (self->retry_row))
    {
      if (before != NULL)
        {
          deca_edit_burst_begin (self->document, self->retry_field);
          deca_flow_document_set_node_retry (self->document, deca_flow_node_item_get_id (self->node),
                                             NULL, &error);
        }
      return G_SOURCE_REMOVE;
    }

  /* The members shown are written; others (from a newer engine) are kept. */
  retry = before ? deca_json_object_deep_copy (before) : json_object_new ();
  set_or_remove_number (retry, "max_attempts",
                        gtk_spin_button_get_value (self->max_attempts_spin), TRUE, FALSE);
  set_or_remove_number (retry, "initial_delay",
                        gtk_spin_button_get_value (self->initial_delay_spin), FALSE, FALSE);
  set_or_remove_number (retry, "multiplier",
                        gtk_spin_button_get_value (self->multiplier_spin), FALSE, FALSE);
  set_or_remove_number (retry, "max_delay",
                        gtk_spin_button_get_value (self->max_delay_spin), FALSE, FALSE);
  set_or_remove_number (retry, "jitter",
                        gtk_spin_button_get_value (self->jitter_spin), FALSE, FALSE);

  if (before != NULL)
    {
      g_autoptr(JsonNode) a = json_node_init_object (json_node_alloc (), before);
      g_autoptr(JsonNode) b = json_node_init_object (json_node_alloc (), retry);

      if (json_node_equal (a, b))
        return G_SOURCE_REMOVE;
    }
  deca_edit_burst_begin (self->document, self->retry_field);
  if (!deca_flow_document_set_node_retry (self->document, deca_flow_node_item_get_id (self->node),
                                          retry, &error))
    row_show_error (self->max_attempts_row, GTK_WIDGET (self->max_attempts_spin), error->message,
                    _("In total, counting the first"));
  return G_SOURCE_REMOVE;
}

static void
retry_changed_cb (DecaInspector *self,
                  GtkWidget     *spin)
{
  if (self->loading)
    return;
  if (self->retry_field != spin && self->retry_source != 0)
    {
      g_clear_handle_id (&self->retry_source, g_source_remove);
      apply_retry_cb (self);
    }
  self->retry_field = spin;
  restart_source (&self->retry_source, apply_retry_cb, self);
}

static void
retry_enabled_cb (DecaInspector *self)
{
  if (self->loading)
    return;
  /* Turning retry on starts from three attempts, the usual first choice. */
  if (adw_expander_row_get_enable_expansion (self->retry_row) &&
      gtk_spin_button_get_value (self->max_attempts_spin) < 2)
    {
      self->loading = TRUE;
      gtk_spin_button_set_value (self->max_attempts_spin, 3);
      self->loading = FALSE;
    }
  g_clear_handle_id (&self->retry_source, g_source_remove);
  deca_edit_burst_end (self->document);
  apply_retry_cb (self);
  deca_edit_burst_end (self->document);
}

static gboolean
apply_timeout_cb (gpointer data)
{
  DecaInspector *self = data;
  g_autoptr(GError) error = NULL;
  double timeout = gtk_spin_button_get_value (self->node_timeout_spin);

  self->timeout_source = 0;
  if (self->node == NULL || deca_flow_node_item_get_timeout (self->node) == timeout)
    return G_SOURCE_REMOVE;
  deca_edit_burst_begin (self->document, &self->timeout_source);
  if (!deca_flow_document_set_node_timeout (self->document, deca_flow_node_item_get_id (self->node),
                                            timeout, &error))
    row_show_error (self->node_timeout_row, GTK_WIDGET (self->node_timeout_spin), error->message,
                    _("Seconds for one attempt; 0 for none"));
  return G_SOURCE_REMOVE;
}

static void
node_timeout_changed_cb (DecaInspector *self)
{
  if (!self->loading)
    restart_source (&self->timeout_source, apply_timeout_cb, self);
}

static void
show_node_problems (DecaInspector *self)
{
  GListModel *nodes = deca_flow_document_get_nodes (self->document);
  int position = position_in (nodes, self->node);
  g_autoptr(GPtrArray) problems = g_ptr_array_new ();
  g_autoptr(GPtrArray) left = NULL;
  g_autofree char *prefix = g_strdup_printf ("/nodes/%d", position);
  g_autofree char *config_prefix = g_strdup_printf ("/nodes/%d/config", position);
  g_autofree char *id_pointer = g_strdup_printf ("/nodes/%d/id", position);
  g_autofree char *timeout_pointer = g_strdup_printf ("/nodes/%d/timeout", position);
  g_autofree char *retry_pointer = g_strdup_printf ("/nodes/%d/retry", position);
  g_autofree char *id_problem = NULL;
  g_autofree char *timeout_problem = NULL;
  g_autofree char *retry_problem = NULL;
  g_autofree char *text = NULL;
  GPtrArray *item_problems = deca_flow_node_item_get_problems (self->node);
  static const struct {
    const char *member;
    gsize row_offset;
    gsize spin_offset;
    const char *subtitle;
  } retry_rows[] = {
    { "max_attempts", G_STRUCT_OFFSET (DecaInspector, max_attempts_row),
      G_STRUCT_OFFSET (DecaInspector, max_attempts_spin), N_("In total, counting the first") },
    { "initial_delay", G_STRUCT_OFFSET (DecaInspector, initial_delay_row),
      G_STRUCT_OFFSET (DecaInspector, initial_delay_spin), N_("Seconds before the second attempt") },
    { "multiplier", G_STRUCT_OFFSET (DecaInspector, multiplier_row),
      G_STRUCT_OFFSET (DecaInspector, multiplier_spin),
      N_("Each further delay is the previous one times this") },
    { "max_delay", G_STRUCT_OFFSET (DecaInspector, max_delay_row),
      G_STRUCT_OFFSET (DecaInspector, max_delay_spin), N_("Seconds") },
    { "jitter", G_STRUCT_OFFSET (DecaInspector, jitter_row),
      G_STRUCT_OFFSET (DecaInspector, jitter_spin), N_("Each delay is spread by up to this fraction") },
  };

  if (position < 0)
    return;
  for (guint i = 0; item_problems && i < item_problems->len; i++)
    g_ptr_array_add (problems, g_ptr_array_index (item_problems, i));

  id_problem = take_problems (problems, id_pointer, FALSE);
  timeout_problem = take_problems (problems, timeout_pointer, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (retry_rows); i++)
    {
      g_autofree char *pointer = g_strdup_printf ("%s/%s", retry_pointer, retry_rows[i].member);
      g_autofree char *message = take_problems (problems, pointer, TRUE);

      row_show_error (G_STRUCT_MEMBER (AdwActionRow *, self, retry_rows[i].row_offset),
                      G_STRUCT_MEMBER (GtkWidget *, self, retry_rows[i].spin_offset),
                      message, _(retry_rows[i].subtitle));
    }
  retry_problem = take_problems (problems, retry_pointer, TRUE);
  adw_expander_row_set_subtitle (self->retry_row,
                                 retry_problem ? retry_problem : _("Try again with a growing delay"));
  row_show_error (self->node_timeout_row, GTK_WIDGET (self->node_timeout_spin), timeout_problem,
                  _("Seconds for one attempt; 0 for none"));

  /* A problem of the id as it is stored; what the person types is checked as typed. */
  if (id_problem || !gtk_widget_get_visible (GTK_WIDGET (self->node_id_error_label)))
    entry_row_show_error (self->node_id_row, self->node_id_error_label, id_problem);

  left = deca_schema_form_show_problems (self->schema_form, problems, config_prefix);
  text = join_problems (left, prefix);
  set_label_or_hide (self->node_problems_label, text);
}

/* ---- connection ----------------------------------------------------------------------------- */

static void
load_connection (DecaInspector *self)
{
  g_autofree char *from = g_strdup_printf ("%s · %s",
                                           deca_flow_connection_item_get_from (self->connection),
                                           deca_flow_connection_item_get_from_port (self->connection));
  g_autofree char *to = g_strdup_printf ("%s · %s",
                                         deca_flow_connection_item_get_to (self->connection),
                                         deca_flow_connection_item_get_to_port (self->connection));
  DecaExpressionCompletion *completion = deca_expression_view_get_completion (self->condition_view);

  adw_action_row_set_subtitle (self->connection_from_row, from);
  adw_action_row_set_subtitle (self->connection_to_row, to);
  adw_action_row_set_subtitle (self->connection_fallback_row,
                               deca_flow_connection_item_get_on_error (self->connection)
                                 ? _("Yes: it runs when the source fails")
                                 : _("No"));
  deca_expression_completion_set_document (completion, self->document);
  deca_expression_completion_set_node_id (completion, NULL);
  if (self->condition_source == 0)
    deca_expression_view_set_text (self->condition_view,
                                   deca_flow_connection_item_get_condition (self->connection));
}

static gboolean
apply_condition_cb (gpointer data)
{
  DecaInspector *self = data;
  g_autofree char *text = deca_expression_view_dup_text (self->condition_view);
  const char *current;

  self->condition_source = 0;
  if (self->connection == NULL)
    return G_SOURCE_REMOVE;
  current = deca_flow_connection_item_get_condition (self->connection);
  if (g_strcmp0 (current ? current : "", g_strstrip (text)) == 0)
    return G_SOURCE_REMOVE;
  deca_edit_burst_begin (self->document, &self->condition_source);
  deca_flow_document_set_connection_condition (self->document, self->connection, text);
  return G_SOURCE_REMOVE;
}

static void
condition_changed_cb (DecaInspector *self)
{
  restart_source (&self->condition_source, apply_condition_cb, self);
}

static void
show_connection_problems (DecaInspector *self)
{
  GListModel *connections = deca_flow_document_get_connections (self->document);
  int position = position_in (connections, self->connection);
  g_autoptr(GPtrArray) problems = g_ptr_array_new ();
  GPtrArray *item_problems = deca_flow_connection_item_get_problems (self->connection);
  g_autofree char *prefix = g_strdup_printf ("/connections/%d", position);
  g_autofree char *condition_pointer = g_strdup_printf ("/connections/%d/condition", position);
  g_autofree char *condition = NULL;
  g_autofree char *text = NULL;

  if (position < 0)
    return;
  for (guint i = 0; item_problems && i < item_problems->len; i++)
    g_ptr_array_add (problems, g_ptr_array_index (item_problems, i));
  condition = take_problems (problems, condition_pointer, TRUE);
  deca_expression_view_set_error (self->condition_view, condition);
  text = join_problems (problems, prefix);
  set_label_or_hide (self->connection_problems_label, text);
}

static void
delete_connection_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  DecaInspector *self = DECA_INSPECTOR (widget);

  if (self->connection == NULL)
    return;
  g_clear_handle_id (&self->condition_source, g_source_remove);
  deca_edit_burst_end (self->document);
  deca_flow_document_disconnect (self->document, self->connection);
}

/* ---- what is shown ---------------------------------------------------------------------- */

static void
refresh (DecaInspector *self)
{
  if (self->document == NULL)
    return;

  if (self->node)
    {
      load_node_execution (self);
      show_node_problems (self);
    }
  else if (self->connection)
    {
      load_connection (self);
      show_connection_problems (self);
    }
  else
    {
      g_autoptr(GPtrArray) all = g_ptr_array_ref (deca_flow_document_get_problems (self->document));

      load_flow (self);
      show_flow_problems (self, all);
    }
}

/* Every edit, undo and redo emits notify::problems on the document, so this is also where
 * the inspector reads back what it has no notify for (a node's retry, the settings). */
static void
document_problems_cb (DecaInspector *self)
{
  refresh (self);
}

static void
document_name_cb (DecaInspector *self)
{
  if (self->node == NULL && self->connection == NULL)
    load_flow (self);
}

static void
nodes_changed_cb (DecaInspector *self)
{
  if (self->node && position_in (deca_flow_document_get_nodes (self->document), self->node) < 0)
    show_item (self, NULL, NULL);
}

static void
connections_changed_cb (DecaInspector *self)
{
  if (self->connection &&
      position_in (deca_flow_document_get_connections (self->document), self->connection) < 0)
    show_item (self, NULL, NULL);
}

static void
flush_all (DecaInspector *self)
{
  struct { guint *source; GSourceFunc func; } pending[] = {
    { &self->name_source, apply_name_cb },
    { &self->description_source, apply_description_cb },
    { &self->settings_source, apply_settings_cb },
    { &self->retry_source, apply_retry_cb },
    { &self->timeout_source, apply_timeout_cb },
    { &self->condition_source, apply_condition_cb },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pending); i++)
    if (*pending[i].source != 0)
      {
        g_clear_handle_id (pending[i].source, g_source_remove);
        pending[i].func (self);
      }
  deca_schema_form_flush (self->schema_form);
  deca_trigger_editor_flush (self->trigger_editor);
  if (self->document)
    deca_edit_burst_end (self->document);
}

static void
show_item (DecaInspector          *self,
           DecaFlowNodeItem       *node,
           DecaFlowConnectionItem *connection)
{
  gboolean node_changed;
  gboolean connection_changed;

  flush_all (self);

  if (self->node)
    g_signal_handlers_disconnect_by_data (self->node, self);

  node_changed = self->node != node;
  connection_changed = self->connection != connection;
  g_set_object (&self->node, node);
  g_set_object (&self->connection, connection);
  g_free (self->node_id);
  self->node_id = node ? g_strdup (deca_flow_node_item_get_id (node)) : NULL;

  deca_schema_form_set_node (self->schema_form, node ? self->document : NULL, node);

  if (node)
    {
      /* No refresh on the node's own notify::timeout and notify::problems: every edit
       * notifies the document's problems, which refreshes, and the node's problems are
       * recomputed only after that, when someone asks for them (refresh() does), so these
       * would refresh a second time per edit, nested inside the first. */
      g_signal_connect_swapped (node, "notify::id", G_CALLBACK (node_id_changed_cb), self);
      load_node_header (self);
      load_node_id (self);
      entry_row_show_error (self->node_id_row, self->node_id_error_label, NULL);
      gtk_stack_set_visible_child_name (self->stack, "node");
    }
  else if (connection)
    {
      /* Nor on the connection's notify: it changes only by edits, undo and redo, and
       * every one of them notifies the document's problems. */
      self->loading = TRUE;
      deca_expression_view_set_text (self->condition_view, NULL);
      self->loading = FALSE;
      gtk_stack_set_visible_child_name (self->stack, "connection");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "flow");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.delete-connection", connection != NULL);
  refresh (self);

  if (node_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NODE_ID]);
  if (connection_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

/* ---- public ----------------------------------------------------------------------------- */

GtkWidget *
deca_inspector_new (void)
{
  return g_object_new (DECA_TYPE_INSPECTOR, NULL);
}

DecaFlowDocument *
deca_inspector_get_document (DecaInspector *self)
{
  g_return_val_if_fail (DECA_IS_INSPECTOR (self), NULL);
  return self->document;
}

void
deca_inspector_set_document (DecaInspector    *self,
                             DecaFlowDocument *document)
{
  g_return_if_fail (DECA_IS_INSPECTOR (self));
  g_return_if_fail (document == NULL || DECA_IS_FLOW_DOCUMENT (document));

  if (self->document == document)
    return;

  show_item (self, NULL, NULL);
  if (self->document)
    {
      g_signal_handlers_disconnect_by_data (self->document, self);
      g_signal_handlers_disconnect_by_data (deca_flow_document_get_nodes (self->document), self);
      g_signal_handlers_disconnect_by_data (deca_flow_document_get_connections (self->document), self);
    }
  g_set_object (&self->document, document);
  deca_trigger_editor_set_document (self->trigger_editor, document);
  if (document)
    {
      g_signal_connect_swapped (document, "notify::problems", G_CALLBACK (document_problems_cb), self);
      g_signal_connect_swapped (document, "notify::name", G_CALLBACK (document_name_cb), self);
      g_signal_connect_swapped (document, "notify::settings", G_CALLBACK (document_name_cb), self);
      g_signal_connect_swapped (document, "notify::description", G_CALLBACK (document_name_cb), self);
      g_signal_connect_swapped (deca_flow_document_get_nodes (document), "items-changed",
                                G_CALLBACK (nodes_changed_cb), self);
      g_signal_connect_swapped (deca_flow_document_get_connections (document), "items-changed",
                                G_CALLBACK (connections_changed_cb), self);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->stack), document != NULL);
  refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

const char *
deca_inspector_get_node_id (DecaInspector *self)
{
  g_return_val_if_fail (DECA_IS_INSPECTOR (self), NULL);
  return self->node_id;
}

void
deca_inspector_set_node_id (DecaInspector *self,
                            const char    *node_id)
{
  DecaFlowNodeItem *node = NULL;

  g_return_if_fail (DECA_IS_INSPECTOR (self));

  if (node_id && self->document)
    node = deca_flow_document_lookup_node (self->document, node_id);
  if (node == self->node && self->connection == NULL)
    return;
  show_item (self, node, NULL);
}

void
deca_inspector_set_connection (DecaInspector          *self,
                               DecaFlowConnectionItem *connection)
{
  g_return_if_fail (DECA_IS_INSPECTOR (self));
  g_return_if_fail (connection == NULL || DECA_IS_FLOW_CONNECTION_ITEM (connection));

  if (connection && (self->document == NULL ||
                     position_in (deca_flow_document_get_connections (self->document), connection) < 0))
    connection = NULL;
  if (connection == self->connection && self->node == NULL)
    return;
  show_item (self, NULL, connection);
}

DecaFlowConnectionItem *
deca_inspector_get_connection (DecaInspector *self)
{
  g_return_val_if_fail (DECA_IS_INSPECTOR (self), NULL);
  return self->connection;
}

void
deca_inspector_focus_first_field (DecaInspector *self)
{
  g_return_if_fail (DECA_IS_INSPECTOR (self));

  if (self->node)
    {
      if (!deca_schema_form_focus_first_field (self->schema_form))
        gtk_widget_grab_focus (GTK_WIDGET (self->node_id_row));
    }
  else if (self->connection)
    gtk_widget_grab_focus (GTK_WIDGET (deca_expression_view_get_source_view (self->condition_view)));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->flow_name_row));
}

void
deca_inspector_flush (DecaInspector *self)
{
  g_return_if_fail (DECA_IS_INSPECTOR (self));
  flush_all (self);
}

const char *
deca_inspector_get_page (DecaInspector *self)
{
  g_return_val_if_fail (DECA_IS_INSPECTOR (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
deca_inspector_get_part (DecaInspector *self,
                         const char    *name)
{
  const struct { const char *name; gsize offset; } parts[] = {
    { "schema-form", G_STRUCT_OFFSET (DecaInspector, schema_form) },
    { "node-id", G_STRUCT_OFFSET (DecaInspector, node_id_row) },
    { "node-id-error", G_STRUCT_OFFSET (DecaInspector, node_id_error_label) },
    { "node-problems", G_STRUCT_OFFSET (DecaInspector, node_problems_label) },
    { "retry", G_STRUCT_OFFSET (DecaInspector, retry_row) },
    { "max-attempts", G_STRUCT_OFFSET (DecaInspector, max_attempts_spin) },
    { "initial-delay", G_STRUCT_OFFSET (DecaInspector, initial_delay_spin) },
    { "multiplier", G_STRUCT_OFFSET (DecaInspector, multiplier_spin) },
    { "max-delay", G_STRUCT_OFFSET (DecaInspector, max_delay_spin) },
    { "jitter", G_STRUCT_OFFSET (DecaInspector, jitter_spin) },
    { "node-timeout", G_STRUCT_OFFSET (DecaInspector, node_timeout_spin) },
    { "flow-name", G_STRUCT_OFFSET (DecaInspector, flow_name_row) },
    { "flow-description", G_STRUCT_OFFSET (DecaInspector, flow_description_row) },
    { "flow-timeout", G_STRUCT_OFFSET (DecaInspector, flow_timeout_spin) },
    { "error-strategy", G_STRUCT_OFFSET (DecaInspector, error_strategy_row) },
    { "parallelism", G_STRUCT_OFFSET (DecaInspector, parallelism_spin) },
    { "failure-threshold", G_STRUCT_OFFSET (DecaInspector, failure_threshold_spin) },
    { "cooldown", G_STRUCT_OFFSET (DecaInspector, cooldown_spin) },
    { "flow-problems", G_STRUCT_OFFSET (DecaInspector, flow_problems_label) },
    { "condition", G_STRUCT_OFFSET (DecaInspector, condition_view) },
    { "connection-problems", G_STRUCT_OFFSET (DecaInspector, connection_problems_label) },
    { "delete-connection", G_STRUCT_OFFSET (DecaInspector, delete_connection_button) },
    { "trigger-editor", G_STRUCT_OFFSET (DecaInspector, trigger_editor) },
  };

  g_return_val_if_fail (DECA_IS_INSPECTOR (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (g_str_equal (parts[i].name, name))
      return G_STRUCT_MEMBER (GtkWidget *, self, parts[i].offset);
  return NULL;
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
deca_inspector_dispose (GObject *object)
{
  DecaInspector *self = DECA_INSPECTOR (object);

  if (self->stack)
    deca_inspector_set_document (self, NULL);
  g_clear_handle_id (&self->name_source, g_source_remove);
  g_clear_handle_id (&self->description_source, g_source_remove);
  g_clear_handle_id (&self->settings_source, g_source_remove);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->timeout_source, g_source_remove);
  g_clear_handle_id (&self->condition_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_INSPECTOR);
  self->stack = NULL;
  G_OBJECT_CLASS (deca_inspector_parent_class)->dispose (object);
}

static void
deca_inspector_finalize (GObject *object)
{
  DecaInspector *self = DECA_INSPECTOR (object);

  g_free (self->node_id);
  G_OBJECT_CLASS (deca_inspector_parent_class)->finalize (object);
}

static void
deca_inspector_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DecaInspector *self = DECA_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_NODE_ID:
      g_value_set_string (value, self->node_id);
      break;
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_inspector_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DecaInspector *self = DECA_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      deca_inspector_set_document (self, g_value_get_object (value));
      break;
    case PROP_NODE_ID:
      deca_inspector_set_node_id (self, g_value_get_string (value));
      break;
    case PROP_CONNECTION:
      deca_inspector_set_connection (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_inspector_class_init (DecaInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = deca_inspector_dispose;
  object_class->finalize = deca_inspector_finalize;
  object_class->get_property = deca_inspector_get_property;
  object_class->set_property = deca_inspector_set_property;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, DECA_TYPE_FLOW_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NODE_ID] =
    g_param_spec_string ("node-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, DECA_TYPE_FLOW_CONNECTION_ITEM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (DECA_TYPE_SCHEMA_FORM);
  g_type_ensure (DECA_TYPE_TRIGGER_EDITOR);
  g_type_ensure (DECA_TYPE_EXPRESSION_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/deca/Studio/ui/deca-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, scroller);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, stack);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, flow_name_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, flow_description_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, flow_problems_label);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, flow_timeout_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, flow_timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, error_strategy_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, parallelism_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, parallelism_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, failure_threshold_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, failure_threshold_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, cooldown_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, cooldown_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, trigger_editor);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, node_icon);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, node_title_label);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, node_description_label);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, node_problems_label);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, node_id_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, node_id_error_label);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, schema_form);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, retry_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, max_attempts_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, max_attempts_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, initial_delay_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, initial_delay_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, multiplier_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, multiplier_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, max_delay_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, max_delay_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, jitter_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, jitter_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, node_timeout_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, node_timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, connection_from_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, connection_to_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, connection_fallback_row);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, connection_problems_label);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, condition_view);
  gtk_widget_class_bind_template_child (widget_class, DecaInspector, delete_connection_button);

  gtk_widget_class_install_action (widget_class, "inspector.delete-connection", NULL,
                                   delete_connection_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_SHIFT_MASK,
                                       "inspector.delete-connection", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "decainspector");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
deca_inspector_init (DecaInspector *self)
{
  GtkEventController *focus;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->flow_name_row, "changed",
                            G_CALLBACK (flow_name_changed_cb), self);
  g_signal_connect_swapped (self->flow_description_row, "changed",
                            G_CALLBACK (flow_description_changed_cb), self);
  g_signal_connect_swapped (self->error_strategy_row, "notify::selected",
                            G_CALLBACK (error_strategy_changed_cb), self);
  g_signal_connect_swapped (self->node_id_row, "apply", G_CALLBACK (node_id_apply_cb), self);
  g_signal_connect_swapped (self->node_id_row, "changed", G_CALLBACK (node_id_text_changed_cb), self);
  g_signal_connect_swapped (self->retry_row, "notify::enable-expansion",
                            G_CALLBACK (retry_enabled_cb), self);
  g_signal_connect_swapped (self->node_timeout_spin, "value-changed",
                            G_CALLBACK (node_timeout_changed_cb), self);
  g_signal_connect_swapped (self->condition_view, "changed", G_CALLBACK (condition_changed_cb), self);
  {
    GtkSpinButton *settings_spins[] = { self->flow_timeout_spin, self->parallelism_spin,
                                        self->failure_threshold_spin, self->cooldown_spin };
    GtkSpinButton *retry_spins[] = { self->max_attempts_spin, self->initial_delay_spin,
                                     self->multiplier_spin, self->max_delay_spin, self->jitter_spin };

    for (guint i = 0; i < G_N_ELEMENTS (settings_spins); i++)
      g_signal_connect_swapped (settings_spins[i], "value-changed",
                                G_CALLBACK (settings_changed_cb), self);
    for (guint i = 0; i < G_N_ELEMENTS (retry_spins); i++)
      g_signal_connect_swapped (retry_spins[i], "value-changed", G_CALLBACK (retry_changed_cb), self);
  }

  /* Spin buttons inside rows are labelled by their row. */
  {
    const struct { GtkWidget *input; AdwPreferencesRow *row; } labels[] = {
      { GTK_WIDGET (self->flow_timeout_spin), ADW_PREFERENCES_ROW (self->flow_timeout_row) },
      { GTK_WIDGET (self->parallelism_spin), ADW_PREFERENCES_ROW (self->parallelism_row) },
      { GTK_WIDGET (self->failure_threshold_spin), ADW_PREFERENCES_ROW (self->failure_threshold_row) },
      { GTK_WIDGET (self->cooldown_spin), ADW_PREFERENCES_ROW (self->cooldown_row) },
      { GTK_WIDGET (self->max_attempts_spin), ADW_PREFERENCES_ROW (self->max_attempts_row) },
      { GTK_WIDGET (self->initial_delay_spin), ADW_PREFERENCES_ROW (self->initial_delay_row) },
      { GTK_WIDGET (self->multiplier_spin), ADW_PREFERENCES_ROW (self->multiplier_row) },
      { GTK_WIDGET (self->max_delay_spin), ADW_PREFERENCES_ROW (self->max_delay_row) },
      { GTK_WIDGET (self->jitter_spin), ADW_PREFERENCES_ROW (self->jitter_row) },
      { GTK_WIDGET (self->node_timeout_spin), ADW_PREFERENCES_ROW (self->node_timeout_row) },
    };

    for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
      gtk_accessible_update_property (GTK_ACCESSIBLE (labels[i].input),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      adw_preferences_row_get_title (labels[i].row), -1);
  }

  /* Focus leaving the panel writes what is pending and ends the undo step. */
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (flush_all), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.delete-connection", FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stack), FALSE);
}
