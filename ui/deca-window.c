/* deca-window.c: the studio window: which flow is open, autosave, the title, the
 * problems, the wiring between canvas, inspector, palette and side panels. The actions
 * are in deca-window-actions.c. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-engine.h"
#include "deca-window-private.h"

G_DEFINE_FINAL_TYPE (DecaWindow, deca_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_REGISTRY,
  PROP_WORKER,
  PROP_SAVING,
  N_PROPS
};

enum {
  SIGNAL_FLOW_OPENED,
  SIGNAL_SAVED,
  SIGNAL_EXPORTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- messages ---------------------------------------------------------------------- */

gboolean
_deca_window_is_gone (DecaWindow *self)
{
  return self->main_stack == NULL;
}

void
_deca_window_toast (DecaWindow *self,
                    const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_deca_window_reveal_page (AdwFlap    *flap,
                          GtkStack   *stack,
                          const char *page)
{
  adw_flap_set_reveal_flap (flap, TRUE);
  gtk_stack_set_visible_child_name (stack, page);
}

void
_deca_window_error_dialog (DecaWindow *self,
                           const char *heading,
                           const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- title and problems ------------------------------------------------------------ */

void
_deca_window_update_title (DecaWindow *self)
{
  g_autofree char *subtitle = NULL;
  const char *name;

  if (self->document == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Deca Studio"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_window_set_title (GTK_WINDOW (self), _("Deca Studio"));
      return;
    }

  name = deca_flow_document_get_name (self->document);
  adw_window_title_set_title (self->window_title, name);
  gtk_window_set_title (GTK_WINDOW (self), name);

  if (self->shown_version != 0)
    subtitle = g_strdup_printf (_("Viewing version %lld of %lld"),
                                (long long) self->shown_version,
                                (long long) self->latest_version);
  else if (self->save_error)
    subtitle = g_strdup_printf (_("Not saved: %s"), self->save_error);
  else if (self->saves_in_flight > 0 || self->autosave_id != 0)
    subtitle = g_strdup (_("Saving…"));
  else if (self->saved_version > 0)
    subtitle = g_strdup_printf (_("Saved · Version %lld"), (long long) self->saved_version);
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

/* Finds the node a problem's pointer points into ("/nodes/3/config/url" → the 4th). */
static DecaFlowNodeItem *
problem_node (DecaWindow                  *self,
              const DecaValidationProblem *problem)
{
  GListModel *nodes = deca_flow_document_get_nodes (self->document);
  const char *pointer = problem->pointer;
  g_autoptr(DecaFlowNodeItem) item = NULL;
  char *end = NULL;
  guint64 index;

  if (!g_str_has_prefix (pointer, "/nodes/"))
    return NULL;
  index = g_ascii_strtoull (pointer + strlen ("/nodes/"), &end, 10);
  if (end == pointer + strlen ("/nodes/") || (*end != '\0' && *end != '/'))
    return NULL;
  if (index >= g_list_model_get_n_items (nodes))
    return NULL;
  item = g_list_model_get_item (nodes, (guint) index);
  return item;  /* borrowed: the list keeps it */
}

/* Fills the popover's list. Only while it is shown: a flow with many problems would
 * otherwise rebuild the rows at every keystroke. */
static void
fill_problem_rows (DecaWindow *self)
{
  GPtrArray *problems = self->document ? deca_flow_document_get_problems (self->document) : NULL;
  guint n = problems ? problems->len : 0;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_list))) != NULL
         && GTK_IS_LIST_BOX_ROW (child))
    gtk_list_box_remove (self->problems_list, child);

  for (guint i = 0; i < n; i++)
    {
      const DecaValidationProblem *problem = g_ptr_array_index (problems, i);
      DecaFlowNodeItem *node = problem_node (self, problem);
      g_autofree char *where = node
        /* Translators: where a problem is: a node id. */
        ? g_strdup_printf (_("Node %s"), deca_flow_node_item_get_id (node))
        : g_strdup (*problem->pointer ? problem->pointer : _("Flow"));
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *where_label = gtk_label_new (where);
      GtkWidget *message = gtk_label_new (problem->message);
      g_autofree char *accessible = g_strdup_printf ("%s: %s", where, problem->message);

      gtk_label_set_xalign (GTK_LABEL (where_label), 0);
      gtk_widget_add_css_class (where_label, "caption-heading");
      gtk_label_set_xalign (GTK_LABEL (message), 0);
      gtk_label_set_wrap (GTK_LABEL (message), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (message), 40);
      gtk_box_append (GTK_BOX (box), where_label);
      gtk_box_append (GTK_BOX (box), message);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), node != NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      accessible, -1);
      if (node)
        g_object_set_data_full (G_OBJECT (row), "deca-node-id",
                                g_strdup (deca_flow_node_item_get_id (node)), g_free);
      gtk_list_box_append (self->problems_list, row);
    }
}

static void
problems_popover_show_cb (DecaWindow *self)
{
  fill_problem_rows (self);
}

/* The problems button says how many there are; its popover lists them when open. */
static void
update_problems (DecaWindow *self)
{
  GPtrArray *problems = self->document ? deca_flow_document_get_problems (self->document) : NULL;
  guint n = problems ? problems->len : 0;

  if (gtk_widget_get_visible (GTK_WIDGET (self->problems_popover)))
    fill_problem_rows (self);

  if (n == 0)
    {
      gtk_menu_button_set_icon_name (self->problems_button, "emblem-ok-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->problems_button), _("No problems"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->problems_button), "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->problems_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("No problems"), -1);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u problem",
                                                            "%u problems", n), n);
      gtk_menu_button_set_icon_name (self->problems_button, "dialog-warning-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->problems_button), text);
      gtk_widget_add_css_class (GTK_WIDGET (self->problems_button), "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->problems_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
    }
}

static void
problem_activated_cb (DecaWindow    *self,
                      GtkListBoxRow *row)
{
  const char *node_id = g_object_get_data (G_OBJECT (row), "deca-node-id");
  const char *ids[] = { node_id, NULL };

  if (node_id == NULL)
    return;
  gtk_popover_popdown (self->problems_popover);
  deca_canvas_set_selection (self->canvas, ids);
  deca_canvas_zoom_to_selection (self->canvas);
  _deca_window_reveal_page (self->inspector_flap, self->inspector_stack, "inspector");
}

/* ---- saving ------------------------------------------------------------------------ */

typedef struct {
  DecaWindow       *self;
  DecaFlowDocument *document;
  guint             serial;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_object_unref (data->self);
  g_object_unref (data->document);
  g_free (data);
}

static void
save_flow_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SaveData *data = user_data;
  DecaWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  gint64 version = 0;

  self->saves_in_flight--;
  if (_deca_window_is_gone (self))
    {
      save_data_free (data);
      return;
    }
  if (!deca_store_worker_save_flow_finish (DECA_STORE_WORKER (source), result, &version, &error))
    {
      g_free (self->save_error);
      self->save_error = g_strdup (error->message);
      if (data->document == self->document)
        _deca_window_toast (self, error->message);
    }
  else if (data->document == self->document)
    {
      g_clear_pointer (&self->save_error, g_free);
      self->saved_version = version;
      /* Edits made while the save ran are in the next one. */
      if (data->serial == self->edit_serial)
        deca_flow_document_mark_saved (self->document);
      deca_history_panel_reload (self->history_panel);
      _deca_window_flows_changed (self);
      g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->flow_id, version);
    }
  _deca_window_update_title (self);
  if (self->saves_in_flight == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
  save_data_free (data);
}

static void
save_document (DecaWindow *self)
{
  g_autofree char *text = NULL;
  SaveData *data;

  g_clear_handle_id (&self->autosave_id, g_source_remove);
  if (self->document == NULL || self->shown_version != 0)
    return;

  text = deca_flow_document_to_data (self->document, NULL);
  data = g_new0 (SaveData, 1);
  data->self = g_object_ref (self);
  data->document = g_object_ref (self->document);
  data->serial = self->edit_serial;
  self->saves_in_flight++;
  if (self->saves_in_flight == 1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
  deca_store_worker_save_flow_async (self->worker, self->flow_id,
                                     deca_flow_document_get_name (self->document),
                                     text, NULL, save_flow_cb, data);
  _deca_window_update_title (self);
}

static gboolean
autosave_cb (gpointer user_data)
{
  DecaWindow *self = user_data;

  self->autosave_id = 0;
  save_document (self);
  return G_SOURCE_REMOVE;
}

void
deca_window_save_now (DecaWindow *self)
{
  g_return_if_fail (DECA_IS_WINDOW (self));

  /* A field's text still waiting to be applied belongs in this save. The autosave timer
   * does not do this: the inspector's edits are in the document as they are typed, and
   * ending the edit burst there would cut an undo step at every pause. */
  if (self->inspector)
    deca_inspector_flush (self->inspector);
  if (self->autosave_id != 0)
    save_document (self);
}

/* Every edit, undo and redo notifies "problems": that is the document's "changed". */
static void
document_changed_cb (DecaWindow       *self,
                     GParamSpec       *pspec,
                     DecaFlowDocument *document)
{
  self->edit_serial++;
  update_problems (self);
  if (self->shown_version != 0 || !deca_flow_document_get_modified (document))
    {
      _deca_window_update_title (self);
      return;
    }
  g_clear_handle_id (&self->autosave_id, g_source_remove);
  self->autosave_id = g_timeout_add (g_settings_get_uint (self->settings, "autosave-delay"),
                                     autosave_cb, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
  _deca_window_update_title (self);
}

static void
document_history_cb (DecaWindow *self)
{
  _deca_window_update_actions (self);
}

static void
document_name_cb (DecaWindow *self)
{
  _deca_window_update_title (self);
}

/* ---- the application's windows --------------------------------------------------- */

/* Returns (transfer container) the DecaWindows of @self's application that are not
 * disposed, in the application's order (most recently focused first), or @self alone
 * when it has no application (tests). */
static GList *
app_windows (DecaWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  GList *windows = NULL;

  if (application == NULL)
    return _deca_window_is_gone (self) ? NULL : g_list_prepend (NULL, self);
  for (GList *l = gtk_application_get_windows (application); l != NULL; l = l->next)
    if (DECA_IS_WINDOW (l->data) && !_deca_window_is_gone (l->data))
      windows = g_list_prepend (windows, l->data);
  return g_list_reverse (windows);
}

static DecaWindow *
find_flow_window (DecaWindow *self,
                  const char *flow_id,
                  gboolean    include_self,
                  gboolean    include_loading)
{
  g_autoptr(GList) windows = app_windows (self);

  for (GList *l = windows; l != NULL; l = l->next)
    {
      DecaWindow *window = l->data;

      if (window == self && !include_self)
        continue;
      if (g_strcmp0 (window->flow_id, flow_id) == 0
          || (include_loading && g_strcmp0 (window->loading_flow_id, flow_id) == 0))
        return window;
    }
  return NULL;
}

DecaWindow *
_deca_window_find_flow (DecaWindow *self,
                        const char *flow_id,
                        gboolean    include_self)
{
  if (flow_id == NULL)
    return NULL;
  return find_flow_window (self, flow_id, include_self, TRUE);
}

/* @self's flow list marks the flows the other windows show: opening one of those brings
 * its window forward instead. */
static void
update_open_elsewhere (DecaWindow *self)
{
  g_autoptr(GList) windows = app_windows (self);
  g_autoptr(GPtrArray) elsewhere = g_ptr_array_new ();

  if (_deca_window_is_gone (self))
    return;
  for (GList *l = windows; l != NULL; l = l->next)
    if (l->data != self && DECA_WINDOW (l->data)->flow_id != NULL)
      g_ptr_array_add (elsewhere, DECA_WINDOW (l->data)->flow_id);
  g_ptr_array_add (elsewhere, NULL);
  deca_flow_list_set_open_elsewhere (self->flow_list, (const char * const *) elsewhere->pdata);
}

/* @self shows another flow (or none): every window's list follows. */
static void
sync_open_elsewhere (DecaWindow *self)
{
  g_autoptr(GList) windows = app_windows (self);

  for (GList *l = windows; l != NULL; l = l->next)
    update_open_elsewhere (l->data);
}

/* gtk_window_destroy() takes a window out of its application before disposing it, so the
 * windows that stay learn of it here. */
static void
window_removed_cb (DecaWindow *self,
                   GtkWindow  *removed)
{
  if (DECA_IS_WINDOW (removed))
    update_open_elsewhere (self);
}

/* "application" is set after construction (it is not a construct property). A window
 * joins one application for its life. */
static void
application_set_cb (DecaWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (application != NULL)
    g_signal_connect_object (application, "window-removed",
                             G_CALLBACK (window_removed_cb), self, G_CONNECT_SWAPPED);
}

void
_deca_window_flow_deleted (DecaWindow *self,
                           const char *flow_id)
{
  g_autoptr(GList) windows = app_windows (self);

  for (GList *l = windows; l != NULL; l = l->next)
    {
      DecaWindow *window = l->data;

      if (g_strcmp0 (window->flow_id, flow_id) == 0)
        {
          _deca_window_show_empty (window);
          deca_window_open_initial (window);
        }
    }
}

/* ---- recent flows -------------------------------------------------------------------- */

/* How many flows "Open Recent" lists: the settings keep the open one and nine more. */
#define MAX_RECENT 9

/* Menu labels take "_" for a mnemonic: a flow's name shows as it is. */
static char *
escape_mnemonic (const char *name)
{
  g_autoptr(GString) label = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '_')
        g_string_append_c (label, '_');
      g_string_append_c (label, *p);
    }
  return g_string_free (g_steal_pointer (&label), FALSE);
}

/* Lists the flows of "recent-flows" that the store still has (the flow list's rows, so
 * deleted flows are left out and renames show), but not the one open here. Runs when the
 * list has reloaded, the setting changed or another flow opened; the menu is rebuilt only
 * when what it shows changes. */
static void
update_recent_menu (DecaWindow *self)
{
  g_auto(GStrv) recent = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) entries = NULL;
  guint n = 0;
  guint position;

  if (_deca_window_is_gone (self) || self->settings == NULL)
    return;

  recent = g_settings_get_strv (self->settings, "recent-flows");
  builder = g_strv_builder_new ();
  for (guint i = 0; recent[i] != NULL && n < MAX_RECENT; i++)
    {
      const char *name = deca_flow_list_get_flow_name (self->flow_list, recent[i]);

      if (name != NULL && g_strcmp0 (recent[i], self->flow_id) != 0)
        {
          g_autofree char *entry = g_strconcat (recent[i], "\n", name, NULL);

          g_strv_builder_add (builder, entry);
          n++;
        }
    }
  entries = g_strv_builder_end (builder);
  if (self->recent_shown != NULL
      && g_strv_equal ((const char * const *) entries, (const char * const *) self->recent_shown))
    return;

  g_menu_remove_all (self->recent_menu);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (entries[i], "\n", 2);
      g_autofree char *label = escape_mnemonic (parts[1]);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target (item, "win.open-flow", "s", parts[0]);
      g_menu_append_item (self->recent_menu, item);
    }

  /* The submenu sits before "Open Example", the section's last item, and only while it
   * has something to offer. */
  position = g_menu_model_get_n_items (G_MENU_MODEL (self->flows_section)) - 1;
  if (n > 0 && (self->recent_shown == NULL || self->recent_shown[0] == NULL))
    g_menu_insert_submenu (self->flows_section, position, _("Open _Recent"),
                           G_MENU_MODEL (self->recent_menu));
  else if (n == 0 && self->recent_shown != NULL && self->recent_shown[0] != NULL)
    g_menu_remove (self->flows_section, position - 1);
  g_strfreev (self->recent_shown);
  self->recent_shown = g_steal_pointer (&entries);
}

static void
recent_changed_cb (DecaWindow *self)
{
  update_recent_menu (self);
}

/* ---- the document shown ------------------------------------------------------------ */

static void
disconnect_document (DecaWindow *self)
{
  if (self->document == NULL)
    return;
  g_clear_signal_handler (&self->problems_handler, self->document);
  g_clear_signal_handler (&self->undo_handler, self->document);
  g_clear_signal_handler (&self->redo_handler, self->document);
  g_clear_signal_handler (&self->name_handler, self->document);
  /* A pending autosave belongs to the document that is going away. */
  if (self->autosave_id != 0)
    save_document (self);
  g_clear_object (&self->document);
}

void
_deca_window_show_document (DecaWindow       *self,
                            DecaFlowDocument *document,
                            const char       *flow_id,
                            gint64            version,
                            gint64            shown_version)
{
  gboolean editable = shown_version == 0;

  disconnect_document (self);
  self->document = g_object_ref (document);
  g_free (self->flow_id);
  self->flow_id = g_strdup (flow_id);
  self->saved_version = editable ? version : self->saved_version;
  self->shown_version = shown_version;
  self->latest_version = editable ? version : self->latest_version;
  g_clear_pointer (&self->save_error, g_free);

  if (g_settings_get_boolean (self->settings, "snap-to-grid"))
    deca_flow_document_set_grid_size (document, g_settings_get_double (self->settings, "grid-size"));

  self->problems_handler = g_signal_connect_object (document, "notify::problems",
                                                    G_CALLBACK (document_changed_cb), self,
                                                    G_CONNECT_SWAPPED);
  self->undo_handler = g_signal_connect_swapped (document, "notify::can-undo",
                                                 G_CALLBACK (document_history_cb), self);
  self->redo_handler = g_signal_connect_swapped (document, "notify::can-redo",
                                                 G_CALLBACK (document_history_cb), self);
  self->name_handler = g_signal_connect_swapped (document, "notify::name",
                                                 G_CALLBACK (document_name_cb), self);

  deca_canvas_set_document (self->canvas, document);
  deca_inspector_set_document (self->inspector, document);
  deca_inspector_set_node_id (self->inspector, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->canvas), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->inspector), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->palette), editable);
  deca_history_panel_set_flow_id (self->history_panel, flow_id);
  deca_history_panel_set_shown_version (self->history_panel, shown_version);
  deca_flow_list_set_active_flow (self->flow_list, flow_id);
  gtk_stack_set_visible_child_name (self->main_stack, "canvas");

  if (editable)
    gtk_revealer_set_reveal_child (self->version_banner, FALSE);
  else
    {
      g_autofree char *text =
        g_strdup_printf (_("This is version %lld of “%s”, saved before the latest. "
                           "Restore it to go on editing from here."),
                         (long long) shown_version, deca_flow_document_get_name (document));
      gtk_label_set_text (self->version_banner_label, text);
      gtk_revealer_set_reveal_child (self->version_banner, TRUE);
    }

  if (editable && flow_id)
    {
      g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-flows");
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) updated = NULL;
      guint kept = 0;

      g_strv_builder_add (builder, flow_id);
      for (guint i = 0; recent[i] && kept < 9; i++)
        if (!g_str_equal (recent[i], flow_id))
          {
            g_strv_builder_add (builder, recent[i]);
            kept++;
          }
      updated = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, "recent-flows", (const char * const *) updated);
      g_settings_set_string (self->settings, "last-flow", flow_id);
    }

  update_problems (self);
  _deca_window_update_title (self);
  _deca_window_update_actions (self);
  sync_open_elsewhere (self);
  update_recent_menu (self);
  g_signal_emit (self, signals[SIGNAL_FLOW_OPENED], 0, flow_id);
}

void
_deca_window_show_empty (DecaWindow *self)
{
  disconnect_document (self);
  g_clear_pointer (&self->flow_id, g_free);
  self->saved_version = self->shown_version = self->latest_version = 0;
  deca_canvas_set_document (self->canvas, NULL);
  deca_inspector_set_document (self->inspector, NULL);
  deca_history_panel_set_flow_id (self->history_panel, NULL);
  deca_flow_list_set_active_flow (self->flow_list, NULL);
  gtk_revealer_set_reveal_child (self->version_banner, FALSE);
  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  update_problems (self);
  _deca_window_update_title (self);
  _deca_window_update_actions (self);
  sync_open_elsewhere (self);
  update_recent_menu (self);
}

void
_deca_window_flows_changed (DecaWindow *self)
{
  g_autoptr(GList) windows = app_windows (self);

  /* They all show the same store. */
  for (GList *l = windows; l != NULL; l = l->next)
    deca_flow_list_reload (DECA_WINDOW (l->data)->flow_list);
}

/* ---- opening ----------------------------------------------------------------------- */

typedef struct {
  DecaWindow   *self;
  char         *flow_id;
  gint64        version;     /* asked for; 0 = latest */
  GCancellable *cancellable;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_object_unref (data->self);
  g_free (data->flow_id);
  g_object_unref (data->cancellable);
  g_free (data);
}

static void
load_flow_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpenData *data = user_data;
  DecaWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlowDocument) document = NULL;
  g_autofree char *text = NULL;
  gint64 version = 0;

  text = deca_store_worker_load_flow_finish (DECA_STORE_WORKER (source), result, &version,
                                             &error);
  /* A load that was already running when a newer one replaced it still answers. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || _deca_window_is_gone (self)
      || data->cancellable != self->open_cancellable)
    goto out;
  g_clear_pointer (&self->loading_flow_id, g_free);
  if (data->version == 0)
    {
      DecaWindow *other = find_flow_window (self, data->flow_id, FALSE, FALSE);

      /* Opened elsewhere meanwhile: two windows saving one flow would undo each other's
       * edits. */
      if (other != NULL)
        {
          gtk_window_present (GTK_WINDOW (other));
          if (self->document == NULL)
            _deca_window_show_empty (self);
          goto out;
        }
    }
  if (text != NULL)
    document = deca_flow_document_new_from_data (self->registry, text, -1, &error);
  if (document == NULL)
    {
      g_autofree char *heading = g_strdup_printf (_("Could not open “%s”"), data->flow_id);
      _deca_window_error_dialog (self, heading, error->message);
      if (self->document == NULL)
        _deca_window_show_empty (self);
      goto out;
    }

  if (data->version == 0 || data->version == self->latest_version)
    _deca_window_show_document (self, document, data->flow_id, version, 0);
  else
    _deca_window_show_document (self, document, data->flow_id, self->latest_version, version);

out:
  open_data_free (data);
}

/* Loads @flow_id at @version (0: the latest, for editing). */
void
_deca_window_load (DecaWindow *self,
                   const char *flow_id,
                   gint64      version)
{
  OpenData *data = g_new0 (OpenData, 1);

  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  self->open_cancellable = g_cancellable_new ();
  data->self = g_object_ref (self);
  data->flow_id = g_strdup (flow_id);
  data->version = version;
  data->cancellable = g_object_ref (self->open_cancellable);
  g_free (self->loading_flow_id);
  self->loading_flow_id = version == 0 ? g_strdup (flow_id) : NULL;
  deca_store_worker_load_flow_async (self->worker, flow_id, version, self->open_cancellable,
                                     load_flow_cb, data);
}

void
deca_window_open_flow (DecaWindow *self,
                       const char *flow_id)
{
  DecaWindow *other;

  g_return_if_fail (DECA_IS_WINDOW (self));
  g_return_if_fail (flow_id != NULL);

  /* One window per flow, as GNOME Text Editor does with files: two windows editing one
   * flow would each save over the other's edits. */
  if ((other = _deca_window_find_flow (self, flow_id, FALSE)) != NULL)
    {
      gtk_window_present (GTK_WINDOW (other));
      /* A click on its row selected it here; this window still shows its own flow. */
      deca_flow_list_set_active_flow (self->flow_list, self->flow_id);
      return;
    }
  if (self->shown_version == 0 && g_strcmp0 (flow_id, self->flow_id) == 0)
    return;
  _deca_window_load (self, flow_id, 0);
}

static void
initial_list_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(DecaWindow) self = user_data;
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;
  const char *open = NULL;
  const char *first = NULL;

  summaries = deca_store_worker_list_flows_finish (DECA_STORE_WORKER (source), result, &error);
  if (_deca_window_is_gone (self))
    return;
  if (summaries == NULL)
    {
      _deca_window_error_dialog (self, _("Could not read the flows"), error->message);
      _deca_window_show_empty (self);
      return;
    }
  if (self->document != NULL)
    return;  /* something was opened meanwhile (a file given on the command line) */

  /* The last flow, else the newest; never one that another window has open (a second
   * window, or the one a deletion left empty, gets a flow of its own). */
  last = g_settings_get_string (self->settings, "last-flow");
  for (guint i = 0; i < summaries->len; i++)
    {
      const DecaFlowSummary *summary = g_ptr_array_index (summaries, i);

      if (_deca_window_find_flow (self, summary->id, FALSE) != NULL)
        continue;
      if (g_str_equal (summary->id, last))
        open = summary->id;
      else if (first == NULL)
        first = summary->id;
    }
  if (open == NULL)
    open = first;

  if (open)
    _deca_window_load (self, open, 0);
  else
    _deca_window_show_empty (self);
}

void
deca_window_open_initial (DecaWindow *self)
{
  g_return_if_fail (DECA_IS_WINDOW (self));

  deca_store_worker_list_flows_async (self->worker, NULL, initial_list_cb, g_object_ref (self));
}

/* ---- storing new flows --------------------------------------------------------------- */

typedef struct {
  DecaWindow *self;
  char       *flow_id;
  gboolean    open;
} StoreData;

static void
store_data_free (StoreData *data)
{
  g_object_unref (data->self);
  g_free (data->flow_id);
  g_free (data);
}

static void
store_new_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  StoreData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!deca_store_worker_save_flow_finish (DECA_STORE_WORKER (source), result, NULL, &error)
      && !_deca_window_is_gone (data->self))
    _deca_window_error_dialog (data->self, _("Could not save the flow"), error->message);
  else if (!_deca_window_is_gone (data->self))
    {
      _deca_window_flows_changed (data->self);
      if (data->open)
        _deca_window_load (data->self, data->flow_id, 0);
    }
  store_data_free (data);
}

void
_deca_window_store_and_open (DecaWindow *self,
                             const char *flow_id,
                             const char *name,
                             const char *text,
                             gboolean    open)
{
  StoreData *data = g_new0 (StoreData, 1);

  data->self = g_object_ref (self);
  data->flow_id = g_strdup (flow_id);
  data->open = open;
  deca_store_worker_save_flow_async (self->worker, flow_id, name, text, NULL,
                                     store_new_cb, data);
}

void
deca_window_new_flow (DecaWindow *self)
{
  g_autoptr(DecaFlowDocument) document = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (DECA_IS_WINDOW (self));

  document = deca_flow_document_new (self->registry);
  text = deca_flow_document_to_data (document, NULL);
  _deca_window_store_and_open (self, deca_flow_document_get_id (document),
                               deca_flow_document_get_name (document), text, TRUE);
}

/* ---- wiring ------------------------------------------------------------------------ */

static void
flow_activated_cb (DecaWindow   *self,
                   const char   *flow_id,
                   DecaFlowList *list)
{
  deca_window_open_flow (self, flow_id);
  /* On a narrow window the sidebar covers the canvas; get it out of the way. */
  if (adw_flap_get_folded (self->sidebar_flap))
    adw_flap_set_reveal_flap (self->sidebar_flap, FALSE);
}

static void
type_activated_cb (DecaWindow  *self,
                   const char  *type,
                   DecaPalette *palette)
{
  g_autoptr(GError) error = NULL;

  if (self->document == NULL || self->shown_version != 0)
    return;
  if (deca_canvas_add_node_at_center (self->canvas, type, &error) == NULL)
    _deca_window_toast (self, error->message);
  else
    {
      if (adw_flap_get_folded (self->sidebar_flap))
        adw_flap_set_reveal_flap (self->sidebar_flap, FALSE);
      gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
    }
}

static void
canvas_selection_cb (DecaWindow *self)
{
  g_auto(GStrv) selection = deca_canvas_dup_selection (self->canvas);
  DecaFlowConnectionItem *connection = deca_canvas_get_selected_connection (self->canvas);

  if (connection)
    deca_inspector_set_connection (self->inspector, connection);
  else if (selection[0] && !selection[1])
    deca_inspector_set_node_id (self->inspector, selection[0]);
  else
    deca_inspector_set_node_id (self->inspector, NULL);
}

static void
node_activated_cb (DecaWindow *self,
                   const char *node_id)
{
  deca_inspector_set_node_id (self->inspector, node_id);
  _deca_window_reveal_page (self->inspector_flap, self->inspector_stack, "inspector");
  deca_inspector_focus_first_field (self->inspector);
}

/* A .json file dropped anywhere on the window is imported. */
static gboolean
drop_files_cb (GtkDropTarget *target,
               const GValue  *value,
               double         x,
               double         y,
               DecaWindow    *self)
{
  GSList *files = g_value_get_boxed (value);

  for (GSList *l = files; l != NULL; l = l->next)
    deca_window_import_file (self, l->data);
  return files != NULL;
}

static gboolean
update_header_buttons_cb (gpointer user_data)
{
  DecaWindow *self = user_data;
  gboolean folded = adw_flap_get_folded (self->sidebar_flap);

  self->header_idle_id = 0;
  gtk_widget_set_visible (self->new_flow_button, !folded);
  gtk_widget_set_visible (self->redo_button, !folded);
  return G_SOURCE_REMOVE;
}

/* The flap folds while the window is being allocated; changing what the header bar shows
 * right then would leave it unallocated for that frame, so it waits for an idle. */
static void
sidebar_folded_cb (DecaWindow *self)
{
  if (self->header_idle_id == 0)
    self->header_idle_id = g_idle_add (update_header_buttons_cb, self);
}

static gboolean
close_request_cb (DecaWindow *self)
{
  /* Queue what is not saved yet; the application's worker finishes it before exit. */
  deca_window_save_now (self);
  return FALSE;
}

/* ---- GObject --------------------------------------------------------------------------- */

static void
deca_window_constructed (GObject *object)
{
  DecaWindow *self = DECA_WINDOW (object);

  G_OBJECT_CLASS (deca_window_parent_class)->constructed (object);

  g_assert (self->registry != NULL && self->worker != NULL);
  deca_palette_set_registry (self->palette, self->registry);
  deca_flow_list_set_worker (self->flow_list, self->worker);
  deca_history_panel_set_worker (self->history_panel, self->worker);
}

static void
deca_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  DecaWindow *self = DECA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;
    case PROP_WORKER:
      g_value_set_object (value, self->worker);
      break;
    case PROP_SAVING:
      g_value_set_boolean (value, deca_window_get_saving (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  DecaWindow *self = DECA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      self->registry = g_value_dup_object (value);
      break;
    case PROP_WORKER:
      self->worker = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_window_dispose (GObject *object)
{
  DecaWindow *self = DECA_WINDOW (object);

  deca_window_save_now (self);
  g_clear_handle_id (&self->header_idle_id, g_source_remove);
  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  disconnect_document (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_WINDOW);
  /* Gone now: the other windows' lists stop marking this one's flow (when it is
   * disposed while still in its application; otherwise window_removed_cb did it). */
  sync_open_elsewhere (self);
  g_clear_object (&self->recent_menu);
  g_clear_object (&self->registry);
  g_clear_object (&self->worker);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (deca_window_parent_class)->dispose (object);
}

static void
deca_window_finalize (GObject *object)
{
  DecaWindow *self = DECA_WINDOW (object);

  g_free (self->flow_id);
  g_free (self->loading_flow_id);
  g_strfreev (self->recent_shown);
  g_free (self->save_error);
  G_OBJECT_CLASS (deca_window_parent_class)->finalize (object);
}

static void
deca_window_class_init (DecaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = deca_window_constructed;
  object_class->get_property = deca_window_get_property;
  object_class->set_property = deca_window_set_property;
  object_class->dispose = deca_window_dispose;
  object_class->finalize = deca_window_finalize;

  properties[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL, DECA_TYPE_NODE_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WORKER] =
    g_param_spec_object ("worker", NULL, NULL, DECA_TYPE_STORE_WORKER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SAVING] =
    g_param_spec_boolean ("saving", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* DecaWindow::flow-opened: @flow_id is shown (the latest version or an older one). */
  signals[SIGNAL_FLOW_OPENED] =
    g_signal_new ("flow-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* DecaWindow::saved: the open flow was saved as @version. */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);
  /* DecaWindow::exported: the open flow was written to @file. */
  signals[SIGNAL_EXPORTED] =
    g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_FILE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, new_flow_button);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, undo_button);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, redo_button);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, problems_button);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, problems_popover);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, problems_list);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, version_banner);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, version_banner_label);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, sidebar_flap);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, inspector_flap);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, inspector_stack);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, flow_list);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, palette);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, history_panel);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, examples_section);
  gtk_widget_class_bind_template_child (widget_class, DecaWindow, flows_section);
  gtk_widget_class_bind_template_callback (widget_class, problem_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, problems_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, flow_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, type_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, canvas_selection_cb);
  gtk_widget_class_bind_template_callback (widget_class, node_activated_cb);

  _deca_window_class_init_actions (widget_class);
}

static void
deca_window_init (DecaWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new ("io.deca.Studio");
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sidebar-visible", self->sidebar_flap, "reveal-flap",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "inspector-visible", self->inspector_flap, "reveal-flap",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-minimap", self->canvas, "show-minimap",
                   G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "snap-to-grid", self->canvas, "snap-to-grid",
                   G_SETTINGS_BIND_GET);

  /* A narrow window (down to 360 px) has no room for every header button: New Flow is
   * also in the main menu and on the empty page, and Redo keeps Ctrl+Shift+Z. */
  g_signal_connect_object (self->sidebar_flap, "notify::folded",
                           G_CALLBACK (sidebar_folded_cb), self, G_CONNECT_SWAPPED);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_files_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);

  g_signal_connect (self, "notify::application", G_CALLBACK (application_set_cb), NULL);
  self->recent_menu = g_menu_new ();
  g_signal_connect_object (self->settings, "changed::recent-flows",
                           G_CALLBACK (recent_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow_list, "loaded",
                           G_CALLBACK (recent_changed_cb), self, G_CONNECT_SWAPPED);

  _deca_window_init_actions (self);
  _deca_window_show_empty (self);
  gtk_stack_set_visible_child_name (self->main_stack, "loading");
}

DecaWindow *
deca_window_new (GtkApplication   *application,
                 DecaNodeRegistry *registry,
                 DecaStoreWorker  *worker)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (registry), NULL);
  g_return_val_if_fail (DECA_IS_STORE_WORKER (worker), NULL);

  return g_object_new (DECA_TYPE_WINDOW,
                       "application", application,
                       "registry", registry,
                       "worker", worker,
                       NULL);
}

DecaFlowDocument *
deca_window_get_document (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), NULL);
  return self->document;
}

const char *
deca_window_get_flow_id (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), NULL);
  return self->flow_id;
}

gint64
deca_window_get_saved_version (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), 0);
  return self->saved_version;
}

gint64
deca_window_get_shown_version (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), 0);
  return self->shown_version;
}

gboolean
deca_window_get_saving (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), FALSE);
  return self->saves_in_flight > 0 || self->autosave_id != 0;
}

DecaCanvas *
deca_window_get_canvas (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), NULL);
  return self->canvas;
}

DecaInspector *
deca_window_get_inspector (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), NULL);
  return self->inspector;
}

DecaPalette *
deca_window_get_palette (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), NULL);
  return self->palette;
}

DecaFlowList *
deca_window_get_flow_list (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), NULL);
  return self->flow_list;
}

DecaHistoryPanel *
deca_window_get_history_panel (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), NULL);
  return self->history_panel;
}

AdwToastOverlay *
deca_window_get_toast_overlay (DecaWindow *self)
{
  g_return_val_if_fail (DECA_IS_WINDOW (self), NULL);
  return self->toast_overlay;
}
