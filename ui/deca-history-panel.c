/* deca-history-panel.c: the versions of the open flow. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-history-panel.h"
#include "deca-ui.h"

struct _DecaHistoryPanel
{
  GtkWidget parent_instance;

  /* template widgets */
  GtkListBox *list_box;
  GtkLabel   *placeholder;

  /* owned */
  DecaStoreWorker *worker;
  GCancellable    *reload_cancellable;
  char            *flow_id;
  gint64           shown_version;
  gint64           latest_version;
  GHashTable      *rows;    /* gint64* version -> GtkListBoxRow (borrowed) */
};

G_DEFINE_FINAL_TYPE (DecaHistoryPanel, deca_history_panel, GTK_TYPE_WIDGET)

enum {
  SIGNAL_LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
version_button_new (const char *icon_name,
                    const char *tooltip,
                    const char *action,
                    gint64      version)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                          g_variant_new_int64 (version));
  return button;
}

static GtkWidget *
version_row_new (const DecaFlowVersionInfo *info,
                 gboolean                   latest)
{
  g_autofree char *title = latest
    ? g_strdup_printf (_("Version %lld (latest)"), (long long) info->version)
    : g_strdup_printf (_("Version %lld"), (long long) info->version);
  g_autofree char *when = deca_format_time_for_people (info->created_at);
  g_autofree char *detail = info->name
    /* Translators: under a version in the history: when it was saved, and the flow's
     * name in that version. */
    ? g_strdup_printf (_("%s · %s"), when, info->name)
    : g_strdup (when);
  g_autofree char *open_label = g_strdup_printf (_("Open version %lld"),
                                                 (long long) info->version);
  g_autofree char *restore_label = g_strdup_printf (_("Restore version %lld"),
                                                    (long long) info->version);
  GtkBox *suffixes;
  GtkWidget *row = deca_ui_list_row_new (title, detail, &suffixes);

  gtk_box_append (suffixes, version_button_new ("document-open-symbolic", open_label,
                                                "win.open-version", info->version));
  if (!latest)
    gtk_box_append (suffixes, version_button_new ("edit-undo-symbolic", restore_label,
                                                  "win.restore-version", info->version));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

static void
mark_shown_row (DecaHistoryPanel *self)
{
  GHashTableIter iter;
  gpointer key, value;
  gint64 shown = self->shown_version ? self->shown_version : self->latest_version;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (*(gint64 *) key == shown)
        gtk_widget_add_css_class (value, "deca-shown-version");
      else
        gtk_widget_remove_css_class (value, "deca-shown-version");
    }
}

static void
remove_all_rows (DecaHistoryPanel *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL
         && GTK_IS_LIST_BOX_ROW (child))
    gtk_list_box_remove (self->list_box, child);
  g_hash_table_remove_all (self->rows);
  self->latest_version = 0;
}

static void
list_versions_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(DecaHistoryPanel) self = user_data;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GError) error = NULL;

  versions = deca_store_worker_list_versions_finish (DECA_STORE_WORKER (source), result,
                                                     &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  remove_all_rows (self);
  if (versions == NULL && !g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the versions: %s"),
                                               error->message);
      gtk_label_set_text (self->placeholder, text);
    }
  else
    gtk_label_set_text (self->placeholder, _("This flow has not been saved yet"));

  for (guint i = 0; versions != NULL && i < versions->len; i++)
    {
      const DecaFlowVersionInfo *info = g_ptr_array_index (versions, i);
      GtkWidget *row = version_row_new (info, i == 0);

      if (i == 0)
        self->latest_version = info->version;
      gtk_list_box_append (self->list_box, row);
      g_hash_table_insert (self->rows, g_memdup2 (&info->version, sizeof info->version), row);
    }
  mark_shown_row (self);
  g_signal_emit (self, signals[SIGNAL_LOADED], 0);
}

void
deca_history_panel_reload (DecaHistoryPanel *self)
{
  g_return_if_fail (DECA_IS_HISTORY_PANEL (self));

  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  if (self->worker == NULL || self->flow_id == NULL)
    {
      remove_all_rows (self);
      return;
    }
  self->reload_cancellable = g_cancellable_new ();
  deca_store_worker_list_versions_async (self->worker, self->flow_id,
                                         self->reload_cancellable,
                                         list_versions_cb, g_object_ref (self));
}

static void
deca_history_panel_dispose (GObject *object)
{
  GtkWidget *child;
  DecaHistoryPanel *self = DECA_HISTORY_PANEL (object);

  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  g_clear_object (&self->worker);
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_HISTORY_PANEL);
  /* dispose_template() drops the bound children; the template's other direct children
   * are unparented here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (deca_history_panel_parent_class)->dispose (object);
}

static void
deca_history_panel_finalize (GObject *object)
{
  DecaHistoryPanel *self = DECA_HISTORY_PANEL (object);

  g_hash_table_unref (self->rows);
  g_free (self->flow_id);
  G_OBJECT_CLASS (deca_history_panel_parent_class)->finalize (object);
}

static void
deca_history_panel_class_init (DecaHistoryPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = deca_history_panel_dispose;
  object_class->finalize = deca_history_panel_finalize;

  /* DecaHistoryPanel::loaded: a reload() has put its rows in place. */
  signals[SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-history-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaHistoryPanel, list_box);
  gtk_widget_class_bind_template_child (widget_class, DecaHistoryPanel, placeholder);
  gtk_widget_class_set_css_name (widget_class, "decahistorypanel");
}

static void
deca_history_panel_init (DecaHistoryPanel *self)
{
  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
deca_history_panel_new (void)
{
  return g_object_new (DECA_TYPE_HISTORY_PANEL, NULL);
}

void
deca_history_panel_set_worker (DecaHistoryPanel *self,
                               DecaStoreWorker  *worker)
{
  g_return_if_fail (DECA_IS_HISTORY_PANEL (self));

  if (g_set_object (&self->worker, worker))
    deca_history_panel_reload (self);
}

void
deca_history_panel_set_flow_id (DecaHistoryPanel *self,
                                const char       *flow_id)
{
  g_return_if_fail (DECA_IS_HISTORY_PANEL (self));

  if (g_strcmp0 (self->flow_id, flow_id) == 0)
    return;
  g_free (self->flow_id);
  self->flow_id = g_strdup (flow_id);
  self->shown_version = 0;
  remove_all_rows (self);
  deca_history_panel_reload (self);
}

const char *
deca_history_panel_get_flow_id (DecaHistoryPanel *self)
{
  g_return_val_if_fail (DECA_IS_HISTORY_PANEL (self), NULL);
  return self->flow_id;
}

void
deca_history_panel_set_shown_version (DecaHistoryPanel *self,
                                      gint64            version)
{
  g_return_if_fail (DECA_IS_HISTORY_PANEL (self));

  self->shown_version = version;
  mark_shown_row (self);
}

guint
deca_history_panel_get_n_versions (DecaHistoryPanel *self)
{
  g_return_val_if_fail (DECA_IS_HISTORY_PANEL (self), 0);
  return g_hash_table_size (self->rows);
}

GtkWidget *
deca_history_panel_get_row (DecaHistoryPanel *self,
                            gint64            version)
{
  g_return_val_if_fail (DECA_IS_HISTORY_PANEL (self), NULL);
  return g_hash_table_lookup (self->rows, &version);
}
