/* deca-window-actions.c: the window's actions: flows (new, rename, duplicate, delete and
 * its undo), import and export, examples, versions (open, restore), undo and redo, and
 * the panels. Store work runs as jobs on the DecaStoreWorker's thread. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-engine.h"
#include "deca-json.h"
#include "deca-window-private.h"

/* ---- helpers -------------------------------------------------------------------------- */

/* Parses flow text (deca_json_parse: positions in errors, NUL and UTF-8 checks) into
 * its root object; NULL with DECA_ENGINE_ERROR_PARSE. */
static JsonNode *
parse_flow_text (const char  *text,
                 GError     **error)
{
  g_autoptr(JsonNode) root = deca_json_parse (text, -1, error);

  if (root != NULL && !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   _("the flow is not a JSON object"));
      return NULL;
    }
  return g_steal_pointer (&root);
}

/* Returns (transfer full) the flow @root as indented text with its "id" set to @id. */
static char *
flow_text_with_id (JsonNode   *root,
                   const char *id)
{
  json_object_set_string_member (json_node_get_object (root), "id", id);
  return deca_json_to_string (root, TRUE);
}

/* Returns (transfer none) (nullable) the window of the application, @self included, that
 * has the latest version of @flow_id open for editing: commands on that flow go through
 * its document, or that window's next save would undo them. */
static DecaWindow *
editing_window (DecaWindow *self,
                const char *flow_id)
{
  DecaWindow *holder = _deca_window_find_flow (self, flow_id, TRUE);

  if (holder == NULL || holder->document == NULL || holder->shown_version != 0
      || g_strcmp0 (holder->flow_id, flow_id) != 0)
    return NULL;
  return holder;
}

/* ---- store jobs (run on the worker's thread) ------------------------------------------ */

typedef struct {
  char   *flow_id;
  char   *name;
  char   *text;
  gint64  version;
} FlowJob;

static void
flow_job_free (FlowJob *job)
{
  g_free (job->flow_id);
  g_free (job->name);
  g_free (job->text);
  g_free (job);
}

static FlowJob *
flow_job_new (const char *flow_id,
              const char *name,
              const char *text,
              gint64      version)
{
  FlowJob *job = g_new0 (FlowJob, 1);

  job->flow_id = g_strdup (flow_id);
  job->name = g_strdup (name);
  job->text = g_strdup (text);
  job->version = version;
  return job;
}

/* Stores an imported flow under its own id when that is free, else under a fresh one.
 * Returns (transfer full) a FlowJob with the id and version used. */
static gpointer
import_job (DecaStore     *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  FlowJob *job = data;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *existing = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) lookup_error = NULL;
  const char *id = job->flow_id;
  g_autofree char *fresh = NULL;
  gint64 version = 0;

  if (id != NULL && *id != '\0')
    existing = deca_store_load_flow (store, id, 0, NULL, &lookup_error);
  if (id == NULL || *id == '\0' || existing != NULL
      || !g_error_matches (lookup_error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
    {
      if (lookup_error && !g_error_matches (lookup_error, DECA_ENGINE_ERROR,
                                            DECA_ENGINE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&lookup_error));
          return NULL;
        }
      id = fresh = g_uuid_string_random ();
    }

  if (!(root = parse_flow_text (job->text, error)))
    return NULL;
  text = flow_text_with_id (root, id);
  if (!deca_store_save_flow (store, id, job->name, text, &version, error))
    return NULL;
  return flow_job_new (id, job->name, NULL, version);
}

/* Changes the stored flow's name: a new version whose "name" differs, read and written
 * in one transaction (deca_store_rename_flow). */
static gpointer
rename_job (DecaStore     *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  FlowJob *job = data;
  gint64 version;

  if (!deca_store_rename_flow (store, job->flow_id, job->name, &version, error))
    return NULL;
  return flow_job_new (job->flow_id, job->name, NULL, version);
}

/* Stores a duplicate that deca_flow_document_dup_as_new() made, under the fresh id its
 * text holds (read here, off the UI thread). */
static gpointer
store_copy_job (DecaStore     *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  FlowJob *job = data;
  g_autoptr(JsonNode) root = NULL;
  const char *id;
  gint64 version;

  if (!(root = parse_flow_text (job->text, error)))
    return NULL;
  id = deca_json_object_get_string (json_node_get_object (root), "id");
  g_assert (id != NULL);
  if (!deca_store_save_flow (store, id, job->name, job->text, &version, error))
    return NULL;
  return flow_job_new (id, job->name, NULL, version);
}

/* Saves an older version's document again as the newest version. */
static gpointer
restore_job (DecaStore     *store,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  FlowJob *job = data;
  g_autofree char *text = deca_store_load_flow (store, job->flow_id, job->version, NULL, error);
  g_autoptr(JsonNode) root = NULL;
  const char *name;
  gint64 version;

  if (text == NULL || !(root = parse_flow_text (text, error)))
    return NULL;
  name = deca_json_object_get_string (json_node_get_object (root), "name");
  if (!deca_store_save_flow (store, job->flow_id, name, text, &version, error))
    return NULL;
  return flow_job_new (job->flow_id, name, NULL, version);
}

/* ---- finishing jobs on the UI thread -------------------------------------------------- */

typedef enum {
  AFTER_IMPORT,
  AFTER_RENAME,
  AFTER_DUPLICATE,
  AFTER_RESTORE,
} AfterJob;

typedef struct {
  DecaWindow *self;
  AfterJob    after;
  char       *source_name;
  gint64      from_version;
} JobData;

static void
job_data_free (JobData *data)
{
  g_object_unref (data->self);
  g_free (data->source_name);
  g_free (data);
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  JobData *data = user_data;
  DecaWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  FlowJob *done = deca_store_worker_call_finish (DECA_STORE_WORKER (source), result, &error);
  g_autofree char *message = NULL;

  if (_deca_window_is_gone (self))
    {
      g_clear_pointer (&done, flow_job_free);
      job_data_free (data);
      return;
    }
  if (done == NULL)
    {
      const char *heading = NULL;
      g_autofree char *import_heading = NULL;

      switch (data->after)
        {
        case AFTER_IMPORT:
          heading = import_heading = g_strdup_printf (_("Could not import “%s”"),
                                                      data->source_name);
          break;
        case AFTER_RENAME:
          heading = _("Could not rename the flow");
          break;
        case AFTER_DUPLICATE:
          heading = _("Could not duplicate the flow");
          break;
        case AFTER_RESTORE:
          heading = _("Could not restore the version");
          break;
        }
      _deca_window_error_dialog (self, heading, error->message);
      job_data_free (data);
      return;
    }

  _deca_window_flows_changed (self);
  switch (data->after)
    {
    case AFTER_IMPORT:
      message = g_strdup_printf (_("Imported “%s”"), data->source_name);
      deca_window_open_flow (self, done->flow_id);
      break;
    case AFTER_RENAME:
      message = g_strdup_printf (_("Renamed to “%s”"), done->name);
      break;
    case AFTER_DUPLICATE:
      message = g_strdup_printf (_("Duplicated as “%s”"), done->name);
      deca_window_open_flow (self, done->flow_id);
      break;
    case AFTER_RESTORE:
      message = g_strdup_printf (_("Restored version %lld as version %lld"),
                                 (long long) data->from_version, (long long) done->version);
      deca_history_panel_reload (self->history_panel);
      _deca_window_load (self, done->flow_id, 0);
      break;
    }
  _deca_window_toast (self, message);
  flow_job_free (done);
  job_data_free (data);
}

static void
run_job (DecaWindow          *self,
         DecaStoreWorkerFunc  func,
         FlowJob             *job,
         AfterJob             after,
         const char          *source_name)
{
  JobData *data = g_new0 (JobData, 1);

  data->self = g_object_ref (self);
  data->after = after;
  data->source_name = g_strdup (source_name);
  data->from_version = job->version;
  deca_store_worker_call_async (self->worker, func, job, (GDestroyNotify) flow_job_free,
                                (GDestroyNotify) flow_job_free, NULL, job_done_cb, data);
}

/* ---- import and export -------------------------------------------------------------- */

/* TRUE when some node has no usable position: an import that needs a layout. */
static gboolean
needs_layout (DecaFlowDocument *document)
{
  GListModel *nodes = deca_flow_document_get_nodes (document);
  guint n = g_list_model_get_n_items (nodes);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (nodes, i);
      if (!deca_flow_node_item_get_has_position (item))
        return TRUE;
    }
  return FALSE;
}

gboolean
deca_window_import_data (DecaWindow  *self,
                         const char  *text,
                         gssize       length,
                         const char  *source_name,
                         GError     **error)
{
  g_autoptr(DecaFlowDocument) document = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *laid_out = NULL;
  const char *name;

  g_return_val_if_fail (DECA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The document's loader is the judge of what can be edited; nothing reaches the store
   * before it has accepted the text. */
  document = deca_flow_document_new_from_data (self->registry, text, length, &local_error);
  if (document == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE, "%s: %s",
                   source_name, local_error->message);
      return FALSE;
    }

  root = deca_flow_document_to_json (document);
  if (needs_layout (document))
    {
      DecaFlowLayoutOptions options;

      deca_flow_layout_options_init (&options);
      options.keep_existing = TRUE;
      if (!deca_flow_layout_layered (root, &options, &local_error))
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE, "%s: %s",
                       source_name, local_error->message);
          return FALSE;
        }
    }
  laid_out = deca_json_to_string (root, TRUE);
  name = deca_flow_document_get_name (document);
  run_job (self, import_job,
           flow_job_new (deca_flow_document_get_id (document), name, laid_out, 0),
           AFTER_IMPORT, source_name);
  return TRUE;
}

typedef struct {
  DecaWindow *self;
  GFile      *file;
} FileData;

static void
file_data_free (FileData *data)
{
  g_object_unref (data->self);
  g_object_unref (data->file);
  g_free (data);
}

static char *
file_display_name (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);
  return g_filename_display_name (basename ? basename : "?");
}

static void
import_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  FileData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *display = file_display_name (data->file);
  gsize length;

  gboolean loaded = g_file_load_contents_finish (G_FILE (source), result, &contents, &length,
                                                 NULL, &error);

  if (_deca_window_is_gone (data->self))
    ;
  else if (!loaded)
    {
      g_autofree char *heading = g_strdup_printf (_("Could not import “%s”"), display);
      _deca_window_error_dialog (data->self, heading, error->message);
    }
  else if (!deca_window_import_data (data->self, contents, length, display, &error))
    {
      g_autofree char *heading = g_strdup_printf (_("Could not import “%s”"), display);
      _deca_window_error_dialog (data->self, heading, error->message);
    }
  file_data_free (data);
}

void
deca_window_import_file (DecaWindow *self,
                         GFile      *file)
{
  FileData *data;

  g_return_if_fail (DECA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  data = g_new0 (FileData, 1);
  data->self = g_object_ref (self);
  data->file = g_object_ref (file);
  g_file_load_contents_async (file, NULL, import_loaded_cb, data);
}

static void
export_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  FileData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = file_display_name (data->file);

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *heading = g_strdup_printf (_("Could not export to “%s”"), display);

      if (!_deca_window_is_gone (data->self))
      _deca_window_error_dialog (data->self, heading, error->message);
    }
  else if (!_deca_window_is_gone (data->self))
    {
      g_autofree char *message = g_strdup_printf (_("Exported to “%s”"), display);
      _deca_window_toast (data->self, message);
      g_signal_emit_by_name (data->self, "exported", data->file);
    }
  file_data_free (data);
}

void
deca_window_export_file (DecaWindow *self,
                         GFile      *file)
{
  g_autoptr(GBytes) bytes = NULL;
  FileData *data;
  char *text;
  gsize length;

  g_return_if_fail (DECA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->document == NULL)
    return;
  text = deca_flow_document_to_data (self->document, &length);
  bytes = g_bytes_new_take (text, length);
  data = g_new0 (FileData, 1);
  data->self = g_object_ref (self);
  data->file = g_object_ref (file);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, export_written_cb, data);
}

static GtkFileFilter *
json_filter_new (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Flow files (JSON)"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_suffix (filter, "json");
  return filter;
}

static void
import_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    DecaWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      guint n = g_list_model_get_n_items (files);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          deca_window_import_file (self, file);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Import Flow"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = json_filter_new ();

  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (import_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    DecaWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (file)
        deca_window_export_file (self, file);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = json_filter_new ();
  g_autofree char *suggested = NULL;

  if (self->document == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Export Flow"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                         _("_Cancel"));
  suggested = g_strdup_printf ("%s.json", deca_flow_document_get_name (self->document));
  g_strdelimit (suggested, "/\\", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- examples ----------------------------------------------------------------------- */

static char *
examples_dir (void)
{
  const char *env = g_getenv ("DECA_EXAMPLES_DIR");

  if (env && *env)
    return g_strdup (env);
  if (g_file_test (DECA_EXAMPLES_DIR, G_FILE_TEST_IS_DIR))
    return g_strdup (DECA_EXAMPLES_DIR);
  return g_strdup (DECA_SOURCE_EXAMPLES_DIR);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Reads the examples folder in a worker thread (reading and parsing the files is I/O the
 * window's start must not wait on): a GPtrArray of "file\ntitle" strings, sorted. */
static void
read_examples_thread (GTask        *task,
                      gpointer      source,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  g_autofree char *dir_path = examples_dir ();
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *entries = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    if (g_str_has_suffix (name, ".json") && !g_str_has_suffix (name, ".input.json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir_path, file, NULL);
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) root = NULL;
      const char *title = NULL;

      /* The menu shows each example's own name. */
      if (g_file_get_contents (path, &text, NULL, NULL))
        root = parse_flow_text (text, NULL);
      if (root)
        title = deca_json_object_get_string (json_node_get_object (root), "name");
      g_ptr_array_add (entries, g_strdup_printf ("%s\n%s", file, title ? title : file));
    }
  g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

static void
examples_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DecaWindow *self = DECA_WINDOW (source);
  g_autoptr(GPtrArray) entries = g_task_propagate_pointer (G_TASK (result), NULL);

  if (entries == NULL || _deca_window_is_gone (self))
    return;
  for (guint i = 0; i < entries->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (entries, i), "\n", 2);
      g_autoptr(GMenuItem) item = g_menu_item_new (parts[1], NULL);

      g_menu_item_set_action_and_target (item, "win.open-example", "s", parts[0]);
      g_menu_append_item (self->examples_section, item);
    }
}

static void
fill_examples_menu (DecaWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, examples_read_cb, NULL);

  g_task_set_source_tag (task, fill_examples_menu);
  g_task_run_in_thread (task, read_examples_thread);
}

static void
open_example_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);
  const char *file = g_variant_get_string (parameter, NULL);
  g_autofree char *dir = examples_dir ();
  g_autofree char *path = NULL;
  g_autoptr(GFile) gfile = NULL;

  /* Only names from the examples folder. */
  if (strchr (file, '/') != NULL || *file == '.')
    return;
  path = g_build_filename (dir, file, NULL);
  gfile = g_file_new_for_path (path);
  deca_window_import_file (self, gfile);
}

/* ---- flows ---------------------------------------------------------------------------- */

/* The main menu's "Open Recent" items. */
static void
open_flow_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  deca_window_open_flow (DECA_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
new_flow_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  deca_window_new_flow (DECA_WINDOW (widget));
}

typedef struct {
  DecaWindow *self;
  char       *flow_id;
  GtkEntry   *entry;
} RenameData;

static void
rename_data_free (RenameData *data)
{
  g_object_unref (data->self);
  g_free (data->flow_id);
  g_free (data);
}

static void
rename_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    RenameData       *data)
{
  DecaWindow *self = data->self;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->entry))));

  if (g_str_equal (response, "rename") && *name != '\0')
    {
      DecaWindow *holder = editing_window (self, data->flow_id);

      if (holder != NULL)
        {
          /* An open flow (here or in another window): an undoable edit there, since
           * that window's next save would otherwise write the old name back. Saved at
           * once, so that the lists and menus show the new name now. */
          deca_flow_document_set_name (holder->document, name);
          deca_window_save_now (holder);
        }
      else
        run_job (self, rename_job, flow_job_new (data->flow_id, name, NULL, 0),
                 AFTER_RENAME, NULL);
    }
  rename_data_free (data);
}

static void
rename_entry_changed_cb (GtkEditable      *entry,
                         AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "rename", *name != '\0');
}

static void
rename_flow_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);
  const char *flow_id = g_variant_get_string (parameter, NULL);
  const char *name = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;
  RenameData *data;

  DecaWindow *holder = editing_window (self, flow_id);

  if (holder != NULL)
    name = deca_flow_document_get_name (holder->document);
  else
    name = deca_flow_list_get_flow_name (self->flow_list, flow_id);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Rename Flow"), NULL);
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), name ? name : "");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Flow name"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (entry, "changed", G_CALLBACK (rename_entry_changed_cb), dialog);

  data = g_new0 (RenameData, 1);
  data->self = g_object_ref (self);
  data->flow_id = g_strdup (flow_id);
  data->entry = GTK_ENTRY (entry);
  g_signal_connect (dialog, "response", G_CALLBACK (rename_response_cb), data);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* Stores a copy of @document as a new flow (a fresh id, "NAME (copy)", every other member
 * kept, triggers included) and opens it here. The one way the studio duplicates. */
static void
duplicate_document (DecaWindow       *self,
                    DecaFlowDocument *document,
                    const char       *flow_id)
{
  const char *old_name = deca_flow_document_get_name (document);
  /* Translators: the name of a duplicated flow; %s is the original's name. */
  g_autofree char *name = g_strdup_printf (_("%s (copy)"), old_name ? old_name : flow_id);
  g_autofree char *text = deca_flow_document_dup_as_new (document, name);

  run_job (self, store_copy_job, flow_job_new (NULL, name, text, 0), AFTER_DUPLICATE, NULL);
}

typedef struct {
  DecaWindow *self;
  char       *flow_id;
} DuplicateData;

static void
duplicate_data_free (DuplicateData *data)
{
  g_object_unref (data->self);
  g_free (data->flow_id);
  g_free (data);
}

static void
duplicate_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  DuplicateData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlowDocument) document = NULL;
  g_autofree char *text = deca_store_worker_load_flow_finish (DECA_STORE_WORKER (source),
                                                              result, NULL, &error);

  if (_deca_window_is_gone (data->self))
    {
      duplicate_data_free (data);
      return;
    }
  if (text != NULL)
    document = deca_flow_document_new_from_data (data->self->registry, text, -1, &error);
  if (document == NULL)
    _deca_window_error_dialog (data->self, _("Could not duplicate the flow"), error->message);
  else
    duplicate_document (data->self, document, data->flow_id);
  duplicate_data_free (data);
}

static void
duplicate_flow_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);
  const char *flow_id = g_variant_get_string (parameter, NULL);
  DecaWindow *holder = editing_window (self, flow_id);
  DuplicateData *data;

  if (holder != NULL)
    {
      /* The copy is what that window shows, the edit still waiting for its autosave
       * included; that edit goes to the original too. */
      deca_window_save_now (holder);
      duplicate_document (self, holder->document, flow_id);
      return;
    }
  data = g_new0 (DuplicateData, 1);
  data->self = g_object_ref (self);
  data->flow_id = g_strdup (flow_id);
  deca_store_worker_load_flow_async (self->worker, flow_id, 0, NULL, duplicate_loaded_cb, data);
}

typedef struct {
  DecaWindow *self;
  char       *flow_id;
  char       *name;
  gboolean    deleted;
} DeleteData;

static void
delete_data_free (DeleteData *data)
{
  g_object_unref (data->self);
  g_free (data->flow_id);
  g_free (data->name);
  g_free (data);
}

static void
set_deleted_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  DeleteData *data = user_data;
  DecaWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  gboolean done = deca_store_worker_set_flow_deleted_finish (DECA_STORE_WORKER (source), result,
                                                             &error);

  if (_deca_window_is_gone (self))
    {
      delete_data_free (data);
      return;
    }
  if (!done)
    {
      _deca_window_error_dialog (self, data->deleted ? _("Could not delete the flow")
                                                     : _("Could not bring the flow back"),
                                 error->message);
      delete_data_free (data);
      return;
    }

  _deca_window_flows_changed (self);
  if (data->deleted)
    {
      g_autofree char *title = g_strdup_printf (_("“%s” deleted"), data->name);
      AdwToast *toast = adw_toast_new (title);

      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "win.undelete-flow");
      adw_toast_set_action_target_value (toast, g_variant_new_string (data->flow_id));
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      _deca_window_flow_deleted (self, data->flow_id);
    }
  else
    deca_window_open_flow (self, data->flow_id);
  delete_data_free (data);
}

static void
set_flow_deleted (DecaWindow *self,
                  const char *flow_id,
                  gboolean    deleted)
{
  DeleteData *data = g_new0 (DeleteData, 1);
  const char *name = deca_flow_list_get_flow_name (self->flow_list, flow_id);
  DecaWindow *holder = editing_window (self, flow_id);

  if (holder != NULL)
    {
      name = deca_flow_document_get_name (holder->document);
      /* The last edits go to the store before the flow is hidden, so Undo finds them. */
      deca_window_save_now (holder);
    }
  data->self = g_object_ref (self);
  data->flow_id = g_strdup (flow_id);
  data->name = g_strdup (name ? name : flow_id);
  data->deleted = deleted;
  deca_store_worker_set_flow_deleted_async (self->worker, flow_id, deleted, NULL,
                                            set_deleted_cb, data);
}

static void
delete_flow_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  set_flow_deleted (DECA_WINDOW (widget), g_variant_get_string (parameter, NULL), TRUE);
}

static void
undelete_flow_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  set_flow_deleted (DECA_WINDOW (widget), g_variant_get_string (parameter, NULL), FALSE);
}

/* ---- versions ------------------------------------------------------------------------- */

static void
open_version_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);
  gint64 version = g_variant_get_int64 (parameter);

  if (self->flow_id == NULL)
    return;
  deca_window_save_now (self);
  if (version == self->latest_version)
    version = 0;
  _deca_window_load (self, self->flow_id, version);
}

static void
restore_version (DecaWindow *self,
                 gint64      version)
{
  if (self->flow_id == NULL || version <= 0)
    return;
  deca_window_save_now (self);
  run_job (self, restore_job, flow_job_new (self->flow_id, NULL, NULL, version),
           AFTER_RESTORE, NULL);
}

static void
restore_version_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  restore_version (DECA_WINDOW (widget), g_variant_get_int64 (parameter));
}

static void
restore_shown_version_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);

  restore_version (self, self->shown_version);
}

static void
back_to_latest_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);

  if (self->flow_id)
    _deca_window_load (self, self->flow_id, 0);
}

/* ---- editing and panels ---------------------------------------------------------------- */

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);

  /* An edit burst still open in the inspector is one step of its own: close it first. */
  deca_inspector_flush (self->inspector);
  if (self->document && self->shown_version == 0)
    deca_flow_document_undo (self->document);
}

static void
redo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);

  deca_inspector_flush (self->inspector);
  if (self->document && self->shown_version == 0)
    deca_flow_document_redo (self->document);
}

static void
toggle_flap (AdwFlap *flap)
{
  adw_flap_set_reveal_flap (flap, !adw_flap_get_reveal_flap (flap));
}

static void
toggle_sidebar_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  toggle_flap (DECA_WINDOW (widget)->sidebar_flap);
}

static void
toggle_inspector_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  toggle_flap (DECA_WINDOW (widget)->inspector_flap);
}

static void
search_flows_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);

  _deca_window_reveal_page (self->sidebar_flap, self->sidebar_stack, "flows");
  deca_flow_list_focus_search (self->flow_list);
}

static void
show_palette_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);

  _deca_window_reveal_page (self->sidebar_flap, self->sidebar_stack, "nodes");
  deca_palette_focus_search (self->palette);
}

static void
show_history_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  DecaWindow *self = DECA_WINDOW (widget);

  _deca_window_reveal_page (self->inspector_flap, self->inspector_stack, "history");
}

void
_deca_window_update_actions (DecaWindow *self)
{
  gboolean open = self->document != NULL;
  gboolean editable = open && self->shown_version == 0;
  const char *undo_label = editable ? deca_flow_document_get_undo_label (self->document) : NULL;
  const char *redo_label = editable ? deca_flow_document_get_redo_label (self->document) : NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo",
                                 editable && deca_flow_document_can_undo (self->document));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo",
                                 editable && deca_flow_document_can_redo (self->document));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-history", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.restore-shown-version",
                                 open && self->shown_version != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back-to-latest",
                                 open && self->shown_version != 0);

  if (undo_label)
    {
      /* Translators: the undo button's tooltip: "Undo Move 3 nodes". */
      g_autofree char *tip = g_strdup_printf (_("Undo %s"), undo_label);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->undo_button), tip);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->undo_button), _("Undo (Ctrl+Z)"));
  if (redo_label)
    {
      /* Translators: the redo button's tooltip: "Redo Move 3 nodes". */
      g_autofree char *tip = g_strdup_printf (_("Redo %s"), redo_label);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->redo_button), tip);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->redo_button), _("Redo (Ctrl+Shift+Z)"));
}

void
_deca_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.new-flow", NULL, new_flow_action);
  gtk_widget_class_install_action (widget_class, "win.open-flow", "s", open_flow_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.open-example", "s", open_example_action);
  gtk_widget_class_install_action (widget_class, "win.rename-flow", "s", rename_flow_action);
  gtk_widget_class_install_action (widget_class, "win.duplicate-flow", "s", duplicate_flow_action);
  gtk_widget_class_install_action (widget_class, "win.delete-flow", "s", delete_flow_action);
  gtk_widget_class_install_action (widget_class, "win.undelete-flow", "s", undelete_flow_action);
  gtk_widget_class_install_action (widget_class, "win.open-version", "x", open_version_action);
  gtk_widget_class_install_action (widget_class, "win.restore-version", "x", restore_version_action);
  gtk_widget_class_install_action (widget_class, "win.restore-shown-version", NULL,
                                   restore_shown_version_action);
  gtk_widget_class_install_action (widget_class, "win.back-to-latest", NULL, back_to_latest_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, redo_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-inspector", NULL,
                                   toggle_inspector_action);
  gtk_widget_class_install_action (widget_class, "win.search-flows", NULL, search_flows_action);
  gtk_widget_class_install_action (widget_class, "win.show-palette", NULL, show_palette_action);
  gtk_widget_class_install_action (widget_class, "win.show-history", NULL, show_history_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-flow", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-sidebar", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "win.toggle-inspector", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search-flows", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.show-palette", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_h, GDK_CONTROL_MASK,
                                       "win.show-history", NULL);
}

void
_deca_window_init_actions (DecaWindow *self)
{
  fill_examples_menu (self);
}
