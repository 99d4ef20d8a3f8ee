/* deca-flow-list.c: the sidebar's list of stored flows. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-flow-list.h"
#include "deca-ui.h"

struct _DecaFlowList
{
  GtkWidget parent_instance;

  /* template widgets */
  GtkSearchEntry *search_entry;
  GtkListBox     *list_box;
  GtkLabel       *placeholder;

  /* owned */
  DecaStoreWorker *worker;
  GCancellable    *reload_cancellable;
  GHashTable      *rows;            /* flow id -> GtkListBoxRow (borrowed, owned by the box) */
  GHashTable      *elsewhere;       /* ids of the flows open in other windows (a set) */
  char            *active_flow_id;
  char            *search_folded;
};

G_DEFINE_FINAL_TYPE (DecaFlowList, deca_flow_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WORKER,
  N_PROPS
};

enum {
  SIGNAL_FLOW_ACTIVATED,
  SIGNAL_LOADED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
row_flow_id (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), "deca-flow-id");
}

static const char *
row_flow_name (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), "deca-flow-name");
}

static GMenuModel *
flow_menu_new (const char *flow_id)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenuItem) rename = g_menu_item_new (_("_Rename…"), NULL);
  g_autoptr(GMenuItem) duplicate = g_menu_item_new (_("_Duplicate"), NULL);
  g_autoptr(GMenuItem) delete = g_menu_item_new (_("_Delete"), NULL);

  g_menu_item_set_action_and_target (rename, "win.rename-flow", "s", flow_id);
  g_menu_item_set_action_and_target (duplicate, "win.duplicate-flow", "s", flow_id);
  g_menu_item_set_action_and_target (delete, "win.delete-flow", "s", flow_id);
  g_menu_append_item (menu, rename);
  g_menu_append_item (menu, duplicate);
  g_menu_append_item (menu, delete);
  return G_MENU_MODEL (menu);
}

/* Shows or hides the row's "open in another window" icon; a screen reader hears it
 * after the version line. */
static void
row_set_open_elsewhere (GtkListBoxRow *row,
                        gboolean       open_elsewhere)
{
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), "deca-elsewhere-icon");
  const char *detail = g_object_get_data (G_OBJECT (row), "deca-flow-detail");
  g_autofree char *description = NULL;

  if (gtk_widget_get_visible (icon) == open_elsewhere)
    return;
  gtk_widget_set_visible (icon, open_elsewhere);
  /* Translators: a flow list row's description for a screen reader: its version line,
   * then that the flow is open in another window. */
  description = open_elsewhere ? g_strdup_printf (_("%s, open in another window"), detail)
                               : g_strdup (detail);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
}

/* One row: the name, "Version N · when" below it, an icon while the flow is open in
 * another window, and the flow's menu. */
static GtkWidget *
flow_row_new (DecaFlowList          *self,
              const DecaFlowSummary *summary)
{
  g_autofree char *when = deca_format_time_for_people (summary->updated_at);
  /* Translators: the line under a flow's name in the flow list: its latest version
   * number and when it was saved ("Today at 14:02"). */
  g_autofree char *detail = g_strdup_printf (_("Version %lld · %s"),
                                             (long long) summary->latest_version, when);
  GtkBox *suffixes;
  GtkWidget *row = deca_ui_list_row_new (summary->name, detail, &suffixes);
  GtkWidget *menu_button = gtk_menu_button_new ();
  g_autoptr(GMenuModel) menu = flow_menu_new (summary->id);
  g_autofree char *menu_label = g_strdup_printf (_("Actions for “%s”"), summary->name);
  GtkWidget *elsewhere = gtk_image_new_from_icon_name ("focus-windows-symbolic");

  gtk_widget_set_tooltip_text (elsewhere, _("Already open in another window"));
  gtk_widget_add_css_class (elsewhere, "dim-label");
  gtk_widget_set_valign (elsewhere, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (elsewhere, FALSE);
  /* Named like its tooltip; the row's description says it as well. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (elsewhere),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Already open in another window"), -1);
  gtk_box_append (suffixes, elsewhere);

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), menu);
  gtk_widget_add_css_class (menu_button, "flat");
  gtk_widget_set_valign (menu_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (menu_button, _("Rename, duplicate or delete"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, menu_label, -1);
  gtk_box_append (suffixes, menu_button);

  g_object_set_data_full (G_OBJECT (row), "deca-flow-id", g_strdup (summary->id), g_free);
  g_object_set_data_full (G_OBJECT (row), "deca-flow-name", g_strdup (summary->name), g_free);
  g_object_set_data_full (G_OBJECT (row), "deca-flow-name-folded",
                          g_utf8_casefold (summary->name, -1), g_free);
  g_object_set_data_full (G_OBJECT (row), "deca-flow-detail", g_strdup (detail), g_free);
  g_object_set_data (G_OBJECT (row), "deca-elsewhere-icon", elsewhere);
  row_set_open_elsewhere (GTK_LIST_BOX_ROW (row),
                          g_hash_table_contains (self->elsewhere, summary->id));
  return row;
}

static gboolean
filter_row_cb (GtkListBoxRow *row,
               gpointer       user_data)
{
  DecaFlowList *self = user_data;
  const char *folded;

  if (self->search_folded == NULL || *self->search_folded == '\0')
    return TRUE;
  folded = g_object_get_data (G_OBJECT (row), "deca-flow-name-folded");
  return folded != NULL && strstr (folded, self->search_folded) != NULL;
}

static void
select_active_row (DecaFlowList *self)
{
  GtkListBoxRow *row = NULL;

  if (self->active_flow_id)
    row = g_hash_table_lookup (self->rows, self->active_flow_id);
  if (row)
    gtk_list_box_select_row (self->list_box, row);
  else
    gtk_list_box_unselect_all (self->list_box);
}

static void
remove_all_rows (DecaFlowList *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    {
      if (!GTK_IS_LIST_BOX_ROW (child))
        break;
      gtk_list_box_remove (self->list_box, child);
    }
  g_hash_table_remove_all (self->rows);
}

static void
list_flows_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(DecaFlowList) self = user_data;
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GError) error = NULL;

  summaries = deca_store_worker_list_flows_finish (DECA_STORE_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  remove_all_rows (self);
  if (summaries == NULL)
    {
      /* The list shows why it is empty rather than pretending there are no flows. */
      g_autofree char *text = g_strdup_printf (_("Could not read the flows: %s"),
                                               error->message);
      gtk_label_set_text (self->placeholder, text);
      g_signal_emit (self, signals[SIGNAL_LOADED], 0);
      return;
    }

  gtk_label_set_text (self->placeholder, _("No flows yet"));
  for (guint i = 0; i < summaries->len; i++)
    {
      const DecaFlowSummary *summary = g_ptr_array_index (summaries, i);
      GtkWidget *row = flow_row_new (self, summary);

      gtk_list_box_append (self->list_box, row);
      g_hash_table_insert (self->rows, g_strdup (summary->id), row);
    }
  select_active_row (self);
  g_signal_emit (self, signals[SIGNAL_LOADED], 0);
}

void
deca_flow_list_reload (DecaFlowList *self)
{
  g_return_if_fail (DECA_IS_FLOW_LIST (self));

  if (self->worker == NULL)
    return;
  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  self->reload_cancellable = g_cancellable_new ();
  deca_store_worker_list_flows_async (self->worker, self->reload_cancellable,
                                      list_flows_cb, g_object_ref (self));
}

static void
row_activated_cb (DecaFlowList  *self,
                  GtkListBoxRow *row)
{
  g_signal_emit (self, signals[SIGNAL_FLOW_ACTIVATED], 0, row_flow_id (row));
}

static void
search_changed_cb (DecaFlowList *self)
{
  deca_flow_list_set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

/* Enter in the search opens the first flow that matches. */
static void
search_activate_cb (DecaFlowList *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child) && gtk_widget_get_child_visible (child)
          && filter_row_cb (GTK_LIST_BOX_ROW (child), self))
        {
          row_activated_cb (self, GTK_LIST_BOX_ROW (child));
          return;
        }
    }
}

static void
deca_flow_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DecaFlowList *self = DECA_FLOW_LIST (object);

  switch (prop_id)
    {
    case PROP_WORKER:
      g_value_set_object (value, self->worker);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_flow_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DecaFlowList *self = DECA_FLOW_LIST (object);

  switch (prop_id)
    {
    case PROP_WORKER:
      deca_flow_list_set_worker (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_flow_list_dispose (GObject *object)
{
  GtkWidget *child;
  DecaFlowList *self = DECA_FLOW_LIST (object);

  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  g_clear_object (&self->worker);
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_FLOW_LIST);
  /* dispose_template() drops the bound children; the template's other direct children
   * are unparented here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (deca_flow_list_parent_class)->dispose (object);
}

static void
deca_flow_list_finalize (GObject *object)
{
  DecaFlowList *self = DECA_FLOW_LIST (object);

  g_hash_table_unref (self->rows);
  g_hash_table_unref (self->elsewhere);
  g_free (self->active_flow_id);
  g_free (self->search_folded);
  G_OBJECT_CLASS (deca_flow_list_parent_class)->finalize (object);
}

static void
deca_flow_list_class_init (DecaFlowListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = deca_flow_list_get_property;
  object_class->set_property = deca_flow_list_set_property;
  object_class->dispose = deca_flow_list_dispose;
  object_class->finalize = deca_flow_list_finalize;

  properties[PROP_WORKER] =
    g_param_spec_object ("worker", NULL, NULL, DECA_TYPE_STORE_WORKER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * DecaFlowList::flow-activated:
   * @flow_id: the id of the flow to open
   */
  signals[SIGNAL_FLOW_ACTIVATED] =
    g_signal_new ("flow-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* DecaFlowList::loaded: a reload() has put its rows in place. */
  signals[SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-flow-list.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaFlowList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, DecaFlowList, list_box);
  gtk_widget_class_bind_template_child (widget_class, DecaFlowList, placeholder);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_set_css_name (widget_class, "decaflowlist");
}

static void
deca_flow_list_init (DecaFlowList *self)
{
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->elsewhere = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_set_filter_func (self->list_box, filter_row_cb, self, NULL);
}

GtkWidget *
deca_flow_list_new (void)
{
  return g_object_new (DECA_TYPE_FLOW_LIST, NULL);
}

DecaStoreWorker *
deca_flow_list_get_worker (DecaFlowList *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_LIST (self), NULL);
  return self->worker;
}

void
deca_flow_list_set_worker (DecaFlowList    *self,
                           DecaStoreWorker *worker)
{
  g_return_if_fail (DECA_IS_FLOW_LIST (self));
  g_return_if_fail (worker == NULL || DECA_IS_STORE_WORKER (worker));

  if (!g_set_object (&self->worker, worker))
    return;
  remove_all_rows (self);
  deca_flow_list_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKER]);
}

guint
deca_flow_list_get_n_flows (DecaFlowList *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_LIST (self), 0);
  return g_hash_table_size (self->rows);
}

const char *
deca_flow_list_get_flow_name (DecaFlowList *self,
                              const char   *flow_id)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (DECA_IS_FLOW_LIST (self), NULL);
  row = g_hash_table_lookup (self->rows, flow_id);
  return row ? row_flow_name (row) : NULL;
}

void
deca_flow_list_set_active_flow (DecaFlowList *self,
                                const char   *flow_id)
{
  g_return_if_fail (DECA_IS_FLOW_LIST (self));

  g_free (self->active_flow_id);
  self->active_flow_id = g_strdup (flow_id);
  select_active_row (self);
}

void
deca_flow_list_set_open_elsewhere (DecaFlowList       *self,
                                   const char * const *flow_ids)
{
  GHashTableIter iter;
  gpointer id, row;

  g_return_if_fail (DECA_IS_FLOW_LIST (self));

  g_hash_table_remove_all (self->elsewhere);
  for (guint i = 0; flow_ids != NULL && flow_ids[i] != NULL; i++)
    g_hash_table_add (self->elsewhere, g_strdup (flow_ids[i]));
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &id, &row))
    row_set_open_elsewhere (row, g_hash_table_contains (self->elsewhere, id));
}

gboolean
deca_flow_list_get_open_elsewhere (DecaFlowList *self,
                                   const char   *flow_id)
{
  g_return_val_if_fail (DECA_IS_FLOW_LIST (self), FALSE);
  return flow_id != NULL && g_hash_table_contains (self->elsewhere, flow_id);
}

void
deca_flow_list_set_search (DecaFlowList *self,
                           const char   *text)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (DECA_IS_FLOW_LIST (self));

  folded = text ? g_utf8_casefold (text, -1) : NULL;
  if (g_strcmp0 (folded, self->search_folded) == 0)
    return;
  g_free (self->search_folded);
  self->search_folded = g_steal_pointer (&folded);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  gtk_list_box_invalidate_filter (self->list_box);
}

void
deca_flow_list_focus_search (DecaFlowList *self)
{
  g_return_if_fail (DECA_IS_FLOW_LIST (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

GtkWidget *
deca_flow_list_get_row (DecaFlowList *self,
                        const char   *flow_id)
{
  g_return_val_if_fail (DECA_IS_FLOW_LIST (self), NULL);
  return g_hash_table_lookup (self->rows, flow_id);
}
