/* test-window.c: the studio window with a real store: a new flow is saved, edits save
 * themselves as versions, a flow reopens, an older version opens read-only and restores,
 * import (good, bad, without positions), export, rename, duplicate, delete and its undo,
 * one window per flow, and the recent flows of the main menu. */

#include <glib/gstdio.h>

#include "deca-json.h"
#include "deca-test-fs.h"
#include "deca-ui-test.h"
#include "deca-window.h"

typedef struct {
  char             *dir;
  char             *db_path;
  DecaNodeRegistry *registry;
  DecaStoreWorker  *worker;
  DecaWindow       *window;
} Fixture;

static void
fixture_open_window (Fixture *fixture)
{
  fixture->window = deca_window_new (NULL, fixture->registry, fixture->worker);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (fixture->window));
  deca_ui_test_wait_for_draw (GTK_WIDGET (fixture->window));
}

static void
fixture_close_window (Fixture *fixture)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = NULL;
  deca_store_worker_flush (fixture->worker);
  deca_ui_test_iterate ();
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = g_dir_make_tmp ("deca-test-window-XXXXXX", NULL);
  fixture->db_path = g_build_filename (fixture->dir, "deca.db", NULL);
  fixture->registry = deca_node_registry_new_builtin ();
  fixture->worker = deca_store_worker_new (fixture->db_path);
  fixture_open_window (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window)
    fixture_close_window (fixture);
  deca_store_worker_flush (fixture->worker);
  deca_ui_test_iterate ();
  g_assert_finalize_object (fixture->worker);
  fixture->worker = NULL;
  g_clear_object (&fixture->registry);
  deca_test_remove_tree (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->dir);
}

/* ---- waiting on the window ------------------------------------------------------------ */

static gboolean
has_flow_cb (gpointer data)
{
  return deca_window_get_document (data) != NULL && deca_window_get_flow_id (data) != NULL;
}

static gboolean
saved_cb (gpointer data)
{
  return !deca_window_get_saving (data) && deca_window_get_document (data) != NULL
         && !deca_flow_document_get_modified (deca_window_get_document (data));
}

typedef struct {
  DecaWindow *window;
  const char *flow_id;
  gint64      version;
} Expect;

static gboolean
shows_cb (gpointer data)
{
  Expect *expect = data;

  return g_strcmp0 (deca_window_get_flow_id (expect->window), expect->flow_id) == 0
         && deca_window_get_shown_version (expect->window) == expect->version
         && deca_window_get_document (expect->window) != NULL;
}

static void
wait_for_flow (DecaWindow *window)
{
  g_assert_true (deca_ui_test_wait_until (has_flow_cb, window, 10000));
}

static void
wait_for_saved (DecaWindow *window)
{
  g_assert_true (deca_ui_test_wait_until (saved_cb, window, 10000));
}

static void
wait_until_shows (DecaWindow *window,
                  const char *flow_id,
                  gint64      version)
{
  Expect expect = { window, flow_id, version };

  g_assert_true (deca_ui_test_wait_until (shows_cb, &expect, 10000));
}

static gboolean
flow_list_has_cb (gpointer data)
{
  Expect *expect = data;
  DecaFlowList *list = deca_window_get_flow_list (expect->window);

  return deca_flow_list_get_n_flows (list) == (guint) expect->version;
}

static void
wait_for_n_flows (DecaWindow *window,
                  guint       n)
{
  Expect expect = { window, NULL, n };

  g_assert_true (deca_ui_test_wait_until (flow_list_has_cb, &expect, 10000));
}

/* Reads the store directly (from this thread, after the worker is flushed). */
static GPtrArray *
stored_flows (Fixture *fixture)
{
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *flows;

  deca_store_worker_flush (fixture->worker);
  store = deca_store_open (fixture->db_path, &error);
  g_assert_no_error (error);
  flows = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  return flows;
}

static GPtrArray *
stored_versions (Fixture    *fixture,
                 const char *flow_id)
{
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *versions;

  deca_store_worker_flush (fixture->worker);
  store = deca_store_open (fixture->db_path, &error);
  g_assert_no_error (error);
  versions = deca_store_list_flow_versions (store, flow_id, &error);
  g_assert_no_error (error);
  return versions;
}

/* Clicks the header's New Flow button of @window and waits until the new flow is saved
 * and shown. */
static void
new_flow_in (DecaWindow *window)
{
  GtkWidget *button = deca_ui_test_find_actionable (GTK_WIDGET (window), "win.new-flow", NULL);
  g_autofree char *before = g_strdup (deca_window_get_flow_id (window));

  g_assert_nonnull (button);
  deca_ui_test_click_widget (button);
  while (g_strcmp0 (deca_window_get_flow_id (window), before) == 0)
    g_main_context_iteration (NULL, TRUE);
  wait_for_flow (window);
  wait_for_saved (window);
}

static void
new_flow_by_click (Fixture *fixture)
{
  new_flow_in (fixture->window);
}

/* Types @name into the Rename Flow dialog that is open, with real keys, and confirms
 * with Enter. */
static void
rename_in_dialog (const char *name)
{
  GtkWidget *entry = NULL;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && !entry; i++)
    {
      g_autoptr(GtkWidget) top = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (top) && gtk_widget_get_visible (top))
        {
          entry = deca_ui_test_find_type (top, GTK_TYPE_ENTRY);
          deca_ui_test_wait_for_draw (top);
        }
    }
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  deca_ui_test_click_widget (entry);
  deca_ui_test_type_text (entry, name);
  deca_ui_test_key (entry, GDK_KEY_Return, 0);
}

/* Waits until the store holds @n versions of @flow_id; returns (transfer full) them. */
static GPtrArray *
wait_for_n_versions (Fixture    *fixture,
                     const char *flow_id,
                     guint       n)
{
  while (TRUE)
    {
      g_autoptr(GPtrArray) now = stored_versions (fixture, flow_id);
      if (now->len == n)
        return g_steal_pointer (&now);
      g_assert_cmpuint (now->len, <, n);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* ---- tests ------------------------------------------------------------------------------ */

/* An empty store shows the empty page; the header's New Flow button creates a flow, stores
 * it as version 1 and lists it. */
static void
test_window_new_flow (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) flows = NULL;

  deca_window_open_initial (fixture->window);
  deca_ui_test_iterate ();
  g_assert_null (deca_window_get_document (fixture->window));

  new_flow_by_click (fixture);
  g_assert_cmpint (deca_window_get_saved_version (fixture->window), ==, 1);
  wait_for_n_flows (fixture->window, 1);

  flows = stored_flows (fixture);
  g_assert_cmpuint (flows->len, ==, 1);
  g_assert_cmpstr (((DecaFlowSummary *) flows->pdata[0])->id, ==,
                   deca_window_get_flow_id (fixture->window));
}

/* Edits save themselves as new versions; closing the window and opening another one
 * shows the same flow with the edits, and the history lists every version. */
static void
test_window_autosave_and_reopen (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autofree char *flow_id = NULL;
  DecaFlowDocument *document;

  new_flow_by_click (fixture);
  flow_id = g_strdup (deca_window_get_flow_id (fixture->window));
  document = deca_window_get_document (fixture->window);

  g_assert_nonnull (deca_flow_document_add_node (document, "transform", 100, 100, &error));
  g_assert_no_error (error);
  wait_for_saved (fixture->window);
  g_assert_cmpint (deca_window_get_saved_version (fixture->window), ==, 2);

  deca_flow_document_set_name (document, "Customer onboarding");
  wait_for_saved (fixture->window);
  g_assert_cmpint (deca_window_get_saved_version (fixture->window), ==, 3);

  versions = stored_versions (fixture, flow_id);
  g_assert_cmpuint (versions->len, ==, 3);
  g_assert_cmpstr (((DecaFlowVersionInfo *) versions->pdata[0])->name, ==, "Customer onboarding");

  fixture_close_window (fixture);
  fixture_open_window (fixture);
  deca_window_open_initial (fixture->window);
  wait_until_shows (fixture->window, flow_id, 0);
  document = deca_window_get_document (fixture->window);
  g_assert_cmpstr (deca_flow_document_get_name (document), ==, "Customer onboarding");
  g_assert_nonnull (deca_flow_document_lookup_node (document, "transform"));
  g_assert_false (deca_flow_document_get_modified (document));
}

/* An edit still waiting for the autosave delay is not lost when the window closes. */
static void
test_window_close_saves_pending_edit (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autofree char *flow_id = NULL;

  new_flow_by_click (fixture);
  flow_id = g_strdup (deca_window_get_flow_id (fixture->window));
  g_assert_nonnull (deca_flow_document_add_node (deca_window_get_document (fixture->window),
                                                 "log", 0, 0, &error));
  g_assert_true (deca_window_get_saving (fixture->window));
  fixture_close_window (fixture);

  versions = stored_versions (fixture, flow_id);
  g_assert_cmpuint (versions->len, ==, 2);
}

static gboolean
history_has_cb (gpointer data)
{
  Expect *expect = data;

  return deca_history_panel_get_n_versions (deca_window_get_history_panel (expect->window))
         == (guint) expect->version;
}

static gboolean
child_revealed_cb (gpointer data)
{
  return gtk_revealer_get_child_revealed (data);
}

/* Opening an older version shows it read-only with a banner; its Restore button makes
 * it the newest version, editable again. */
static void
test_window_open_and_restore_version (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autofree char *flow_id = NULL;
  DecaFlowDocument *document;
  GtkWidget *open_button;
  GtkWidget *restore_button;
  Expect three = { fixture->window, NULL, 3 };

  new_flow_by_click (fixture);
  flow_id = g_strdup (deca_window_get_flow_id (fixture->window));
  document = deca_window_get_document (fixture->window);
  deca_flow_document_add_node (document, "transform", 0, 0, &error);
  wait_for_saved (fixture->window);
  deca_flow_document_add_node (document, "log", 300, 0, &error);
  g_assert_no_error (error);
  wait_for_saved (fixture->window);
  g_assert_cmpint (deca_window_get_saved_version (fixture->window), ==, 3);

  /* The history panel is on the right; its rows carry the buttons. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-history", NULL);
  g_assert_true (deca_ui_test_wait_until (history_has_cb, &three, 10000));
  deca_ui_test_wait_for_draw (GTK_WIDGET (fixture->window));

  open_button = deca_ui_test_find_actionable (GTK_WIDGET (deca_window_get_history_panel (fixture->window)),
                                              "win.open-version", g_variant_new_int64 (2));
  g_assert_nonnull (open_button);
  deca_ui_test_click_widget (open_button);
  wait_until_shows (fixture->window, flow_id, 2);
  document = deca_window_get_document (fixture->window);
  g_assert_nonnull (deca_flow_document_lookup_node (document, "transform"));
  g_assert_null (deca_flow_document_lookup_node (document, "log"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (deca_window_get_canvas (fixture->window))));
  deca_ui_test_wait_for_draw (GTK_WIDGET (fixture->window));

  restore_button = deca_ui_test_find_actionable (GTK_WIDGET (fixture->window),
                                                 "win.restore-shown-version", NULL);
  g_assert_nonnull (restore_button);
  /* The banner slides in; click once it is there. */
  g_assert_true (deca_ui_test_wait_until (child_revealed_cb,
                                          gtk_widget_get_ancestor (restore_button, GTK_TYPE_REVEALER),
                                          10000));
  deca_ui_test_wait_for_draw (GTK_WIDGET (fixture->window));
  g_assert_true (gtk_widget_get_mapped (restore_button));
  deca_ui_test_click_widget (restore_button);
  wait_until_shows (fixture->window, flow_id, 0);
  g_assert_cmpint (deca_window_get_saved_version (fixture->window), ==, 4);
  document = deca_window_get_document (fixture->window);
  g_assert_null (deca_flow_document_lookup_node (document, "log"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (deca_window_get_canvas (fixture->window))));

  versions = stored_versions (fixture, flow_id);
  g_assert_cmpuint (versions->len, ==, 4);
}

/* A bad file gets an error that names the problem and changes nothing in the store; a
 * good one without positions is laid out, stored and opened. */
static void
test_window_import (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) flows = NULL;
  const char *bad = "{\"id\": \"x\", \"nodes\": [ {\"id\": \"a\", \"type\": \"log\"}, ]}";
  const char *good =
    "{\"id\": \"imported\", \"name\": \"Imported\", \"nodes\": ["
    " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"x\": 1}}},"
    " {\"id\": \"b\", \"type\": \"log\", \"config\": {\"message\": \"{{a.x}}\"}}],"
    " \"connections\": [{\"from\": \"a\", \"to\": \"b\"}]}";
  DecaFlowDocument *document;
  GListModel *nodes;

  g_assert_false (deca_window_import_data (fixture->window, bad, -1, "bad.json", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "bad.json"));
  g_assert_nonnull (strstr (error->message, "line 1"));
  g_clear_error (&error);
  flows = stored_flows (fixture);
  g_assert_cmpuint (flows->len, ==, 0);
  g_clear_pointer (&flows, g_ptr_array_unref);

  g_assert_true (deca_window_import_data (fixture->window, good, -1, "good.json", &error));
  g_assert_no_error (error);
  wait_until_shows (fixture->window, "imported", 0);
  document = deca_window_get_document (fixture->window);
  nodes = deca_flow_document_get_nodes (document);
  g_assert_cmpuint (g_list_model_get_n_items (nodes), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (nodes, i);
      g_assert_true (deca_flow_node_item_get_has_position (item));
    }
  {
    g_autoptr(DecaFlowNodeItem) a = g_list_model_get_item (nodes, 0);
    g_autoptr(DecaFlowNodeItem) b = g_list_model_get_item (nodes, 1);
    g_assert_cmpfloat (deca_flow_node_item_get_x (a), <, deca_flow_node_item_get_x (b));
  }

  /* The same file again keeps the first and stores a copy under a fresh id. */
  g_assert_true (deca_window_import_data (fixture->window, good, -1, "good.json", &error));
  wait_for_n_flows (fixture->window, 2);
  flows = stored_flows (fixture);
  g_assert_cmpuint (flows->len, ==, 2);
}

static void
set_flag (gboolean *flag)
{
  *flag = TRUE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Importing through a file, and exporting the open flow to one, round trip. */
static void
test_window_import_export_files (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *example = g_build_filename (g_getenv ("DECA_SOURCE_DIR"), "data",
                                               "examples", "order-webhook.json", NULL);
  g_autoptr(GFile) in = g_file_new_for_path (example);
  g_autofree char *out_path = g_build_filename (fixture->dir, "export.json", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autofree char *written = NULL;
  g_autofree char *expected = NULL;
  gboolean exported = FALSE;

  deca_window_import_file (fixture->window, in);
  wait_until_shows (fixture->window, "order-webhook", 0);
  g_assert_nonnull (deca_flow_document_lookup_node (deca_window_get_document (fixture->window),
                                                    "is-large"));

  g_signal_connect_swapped (fixture->window, "exported", G_CALLBACK (set_flag), &exported);
  deca_window_export_file (fixture->window, out);
  g_assert_true (deca_ui_test_wait_until (flag_is_set, &exported, 10000));
  g_assert_true (g_file_get_contents (out_path, &written, NULL, NULL));
  expected = deca_flow_document_to_data (deca_window_get_document (fixture->window), NULL);
  g_assert_cmpstr (written, ==, expected);
}

/* A file that does not exist, or is not text, gets a dialog and changes nothing. */
static void
test_window_import_bad_files (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *missing_path = g_build_filename (fixture->dir, "missing.json", NULL);
  g_autofree char *binary_path = g_build_filename (fixture->dir, "binary.json", NULL);
  g_autoptr(GFile) missing = g_file_new_for_path (missing_path);
  g_autoptr(GFile) binary = g_file_new_for_path (binary_path);
  g_autoptr(GPtrArray) flows = NULL;
  const char bytes[] = { '{', 0, (char) 0xff, '}' };
  guint before = g_list_model_get_n_items (gtk_window_get_toplevels ());

  g_assert_true (g_file_set_contents (binary_path, bytes, sizeof bytes, NULL));
  deca_window_import_file (fixture->window, missing);
  deca_window_import_file (fixture->window, binary);
  while (g_list_model_get_n_items (gtk_window_get_toplevels ()) < before + 2)
    g_main_context_iteration (NULL, TRUE);

  flows = stored_flows (fixture);
  g_assert_cmpuint (flows->len, ==, 0);
  g_assert_null (deca_window_get_document (fixture->window));
  g_unlink (binary_path);
}

/* Delete hides the flow and offers Undo in a toast; undo brings it back. */
static void
test_window_delete_and_undo (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *flow_id = NULL;
  g_autoptr(GPtrArray) flows = NULL;

  new_flow_by_click (fixture);
  flow_id = g_strdup (deca_window_get_flow_id (fixture->window));
  wait_for_n_flows (fixture->window, 1);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete-flow", "s", flow_id);
  wait_for_n_flows (fixture->window, 0);
  flows = stored_flows (fixture);
  g_assert_cmpuint (flows->len, ==, 0);
  g_clear_pointer (&flows, g_ptr_array_unref);
  while (deca_window_get_document (fixture->window) != NULL)
    g_main_context_iteration (NULL, TRUE);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.undelete-flow", "s", flow_id);
  wait_until_shows (fixture->window, flow_id, 0);
  wait_for_n_flows (fixture->window, 1);
  flows = stored_flows (fixture);
  g_assert_cmpuint (flows->len, ==, 1);
}

/* Duplicate stores a copy under a fresh id and opens it; rename of a flow that is not
 * open stores a new version with the new name. */
static void
test_window_duplicate_and_rename (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *original = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  DecaFlowDocument *copy;

  new_flow_by_click (fixture);
  original = g_strdup (deca_window_get_flow_id (fixture->window));
  deca_flow_document_add_node (deca_window_get_document (fixture->window), "log", 0, 0, &error);
  g_assert_no_error (error);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.duplicate-flow", "s", original);
  while (g_strcmp0 (deca_window_get_flow_id (fixture->window), original) == 0)
    g_main_context_iteration (NULL, TRUE);
  wait_for_flow (fixture->window);
  copy = deca_window_get_document (fixture->window);
  g_assert_cmpstr (deca_flow_document_get_name (copy), ==, "Untitled flow (copy)");
  /* The copy has the edit that was still waiting for the autosave. */
  g_assert_nonnull (deca_flow_document_lookup_node (copy, "log"));
  wait_for_n_flows (fixture->window, 2);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.rename-flow", "s", original);
  rename_in_dialog ("Renamed");
  versions = wait_for_n_versions (fixture, original, 3);
  g_assert_cmpstr (((DecaFlowVersionInfo *) versions->pdata[0])->name, ==, "Renamed");
  while (g_strcmp0 (deca_flow_list_get_flow_name (deca_window_get_flow_list (fixture->window),
                                                  original), "Renamed") != 0)
    g_main_context_iteration (NULL, TRUE);

  /* A flow that is not open is duplicated from the store, by the same engine call. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.duplicate-flow", "s", original);
  wait_for_n_flows (fixture->window, 3);
  wait_for_flow (fixture->window);
  while (g_strcmp0 (deca_flow_document_get_name (deca_window_get_document (fixture->window)),
                    "Renamed (copy)") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (deca_flow_document_lookup_node (deca_window_get_document (fixture->window),
                                                    "log"));
}

/* A duplicate keeps the triggers (the store has no activation state yet, so there is
 * nothing to switch off) and every other member, under a fresh id. */
static void
test_window_duplicate_keeps_triggers (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(JsonArray) triggers = json_array_new ();
  g_autoptr(JsonArray) copied = NULL;
  g_autofree char *original = NULL;
  JsonObject *trigger = json_object_new ();
  DecaFlowDocument *document;

  new_flow_by_click (fixture);
  original = g_strdup (deca_window_get_flow_id (fixture->window));
  document = deca_window_get_document (fixture->window);
  json_object_set_string_member (trigger, "type", "webhook");
  json_object_set_string_member (trigger, "path", "/orders");
  json_array_add_object_element (triggers, trigger);
  g_assert_true (deca_flow_document_set_triggers (document, triggers));
  deca_flow_document_set_description (document, "Takes orders");

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.duplicate-flow", "s", original);
  while (g_strcmp0 (deca_window_get_flow_id (fixture->window), original) == 0)
    g_main_context_iteration (NULL, TRUE);
  wait_for_flow (fixture->window);
  document = deca_window_get_document (fixture->window);
  g_assert_cmpstr (deca_flow_document_get_name (document), ==, "Untitled flow (copy)");
  g_assert_cmpstr (deca_flow_document_get_id (document), ==, deca_window_get_flow_id (fixture->window));
  g_assert_cmpstr (deca_flow_document_get_description (document), ==, "Takes orders");
  copied = deca_flow_document_get_triggers (document);
  g_assert_cmpuint (json_array_get_length (copied), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (copied, 0), "path"),
                   ==, "/orders");
}

static const char *
header_title (DecaWindow *window)
{
  GtkWidget *title = deca_ui_test_find_type (GTK_WIDGET (window), ADW_TYPE_WINDOW_TITLE);

  g_assert_nonnull (title);
  return adw_window_title_get_title (ADW_WINDOW_TITLE (title));
}

typedef struct {
  DecaWindow *window;
  const char *flow_id;
  const char *name;
} ExpectName;

static gboolean
listed_as_cb (gpointer data)
{
  ExpectName *expect = data;

  return g_strcmp0 (deca_flow_list_get_flow_name (deca_window_get_flow_list (expect->window),
                                                  expect->flow_id), expect->name) == 0;
}

/* Renaming the open flow from its row's menu: the header shows the new name at once, the
 * sidebar once it is saved, and the store has one new version with it. */
static void
test_window_rename_open_flow (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GPtrArray) flows = NULL;
  g_autofree char *flow_id = NULL;
  ExpectName listed = { fixture->window, NULL, "Invoices, monthly" };

  new_flow_by_click (fixture);
  flow_id = g_strdup (deca_window_get_flow_id (fixture->window));
  listed.flow_id = flow_id;
  wait_for_n_flows (fixture->window, 1);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.rename-flow", "s", flow_id);
  rename_in_dialog ("Invoices, monthly");
  g_assert_true (deca_ui_test_wait_until (listed_as_cb, &listed, 10000));
  g_assert_cmpstr (header_title (fixture->window), ==, "Invoices, monthly");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "Invoices, monthly");
  g_assert_cmpstr (deca_flow_document_get_name (deca_window_get_document (fixture->window)),
                   ==, "Invoices, monthly");
  wait_for_saved (fixture->window);

  versions = stored_versions (fixture, flow_id);
  g_assert_cmpuint (versions->len, ==, 2);
  g_assert_cmpstr (((DecaFlowVersionInfo *) versions->pdata[0])->name, ==, "Invoices, monthly");
  flows = stored_flows (fixture);
  g_assert_cmpstr (((DecaFlowSummary *) flows->pdata[0])->name, ==, "Invoices, monthly");

  /* The rename is an edit of the document: undo gives the old name back. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.undo", NULL);
  g_assert_cmpstr (header_title (fixture->window), ==, "Untitled flow");
}

static GtkWidget *find_menu_button_with_tooltip (GtkWidget  *root,
                                                 const char *tooltip);

/* An application for the tests that need several windows of one: registered (GTK takes
 * windows only then), not unique, so no bus name is asked for. Each gets an id of its own:
 * GTK keeps a reference on a registered application after its last window is gone, and
 * with it the application's object path on the bus. */
static GtkApplication *
test_application_new (void)
{
  static guint serial;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("io.deca.Studio.Test%u", ++serial);
  GtkApplication *application =
    GTK_APPLICATION (adw_application_new (id, G_APPLICATION_NON_UNIQUE));

  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  return application;
}

static DecaWindow *
app_window_new (Fixture        *fixture,
                GtkApplication *application)
{
  DecaWindow *window = deca_window_new (application, fixture->registry, fixture->worker);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  deca_ui_test_wait_for_draw (GTK_WIDGET (window));
  return window;
}

static gboolean
is_active_cb (gpointer data)
{
  return gtk_window_is_active (data);
}

static gboolean
lists_n_flows_cb (gpointer data)
{
  DecaWindow **windows = data;

  return deca_flow_list_get_n_flows (deca_window_get_flow_list (windows[0])) == 2
         && deca_flow_list_get_n_flows (deca_window_get_flow_list (windows[1])) == 2;
}

static void
count_opened_cb (DecaWindow *window,
                 const char *flow_id,
                 guint      *count)
{
  (*count)++;
}

/* A flow lives in one window: choosing it in another window's sidebar (or from Open
 * Recent) brings its window forward, and the other window keeps its own flow, so the two
 * never save over each other. Commands from the other window go through its document. */
static void
test_window_one_window_per_flow (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  DecaWindow *windows[2];
  DecaWindow *a, *b;
  DecaFlowList *list_b;
  GtkWidget *row;
  guint b_opened = 0;

  fixture_close_window (fixture);
  application = test_application_new ();
  a = windows[0] = app_window_new (fixture, application);
  new_flow_in (a);
  x = g_strdup (deca_window_get_flow_id (a));
  b = windows[1] = app_window_new (fixture, application);
  new_flow_in (b);
  y = g_strdup (deca_window_get_flow_id (b));
  g_assert_cmpstr (x, !=, y);

  /* Every window lists what the store has, and marks what the others have open. */
  g_assert_true (deca_ui_test_wait_until (lists_n_flows_cb, windows, 10000));
  list_b = deca_window_get_flow_list (b);
  g_assert_true (deca_flow_list_get_open_elsewhere (list_b, x));
  g_assert_false (deca_flow_list_get_open_elsewhere (list_b, y));
  g_assert_true (deca_flow_list_get_open_elsewhere (deca_window_get_flow_list (a), y));

  /* A person in window B clicks flow X in its sidebar. */
  gtk_window_present (GTK_WINDOW (b));
  g_assert_true (deca_ui_test_wait_until (is_active_cb, b, 10000));
  g_assert_false (gtk_window_is_active (GTK_WINDOW (a)));
  g_signal_connect (b, "flow-opened", G_CALLBACK (count_opened_cb), &b_opened);
  deca_ui_test_wait_for_draw (GTK_WIDGET (b));
  row = deca_flow_list_get_row (list_b, x);
  g_assert_nonnull (row);
  deca_ui_test_click_widget (row);
  g_assert_true (deca_ui_test_wait_until (is_active_cb, a, 10000));
  deca_store_worker_flush (fixture->worker);
  deca_ui_test_iterate ();
  g_assert_cmpstr (deca_window_get_flow_id (b), ==, y);
  g_assert_cmpstr (deca_window_get_flow_id (a), ==, x);
  g_assert_cmpuint (b_opened, ==, 0);
  /* B's sidebar still selects the flow B shows. */
  g_assert_true (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (deca_flow_list_get_row (list_b, y))));
  g_assert_false (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row)));

  /* The same through the action behind Open Recent. */
  gtk_window_present (GTK_WINDOW (b));
  g_assert_true (deca_ui_test_wait_until (is_active_cb, b, 10000));
  gtk_widget_activate_action (GTK_WIDGET (b), "win.open-flow", "s", x);
  g_assert_true (deca_ui_test_wait_until (is_active_cb, a, 10000));
  g_assert_cmpstr (deca_window_get_flow_id (b), ==, y);

  /* Window B renames X: the edit lands in A's document, one new version. */
  gtk_widget_activate_action (GTK_WIDGET (b), "win.rename-flow", "s", x);
  rename_in_dialog ("Shared");
  versions = wait_for_n_versions (fixture, x, 2);
  g_assert_cmpstr (((DecaFlowVersionInfo *) versions->pdata[0])->name, ==, "Shared");
  g_clear_pointer (&versions, g_ptr_array_unref);
  g_assert_cmpstr (deca_flow_document_get_name (deca_window_get_document (a)), ==, "Shared");
  g_assert_true (deca_flow_document_can_undo (deca_window_get_document (a)));

  /* A edits X on; closing B writes nothing to X, and B's own flow has its one version. */
  g_assert_nonnull (deca_flow_document_add_node (deca_window_get_document (a), "log", 0, 0, &error));
  g_assert_no_error (error);
  wait_for_saved (a);
  gtk_window_destroy (GTK_WINDOW (b));
  deca_store_worker_flush (fixture->worker);
  deca_ui_test_iterate ();
  versions = stored_versions (fixture, x);
  g_assert_cmpuint (versions->len, ==, 3);
  g_clear_pointer (&versions, g_ptr_array_unref);
  versions = stored_versions (fixture, y);
  g_assert_cmpuint (versions->len, ==, 1);
  g_assert_false (deca_flow_list_get_open_elsewhere (deca_window_get_flow_list (a), y));

  gtk_window_destroy (GTK_WINDOW (a));
  deca_store_worker_flush (fixture->worker);
  deca_ui_test_iterate ();
}

/* Deleting a flow that another window has open saves that window's pending edit first,
 * and that window moves on to a flow no window has, not to the deleting window's. */
static void
test_window_delete_open_elsewhere (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GPtrArray) flows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  DecaWindow *a, *b;

  fixture_close_window (fixture);
  application = test_application_new ();
  a = app_window_new (fixture, application);
  new_flow_in (a);
  x = g_strdup (deca_window_get_flow_id (a));
  b = app_window_new (fixture, application);
  new_flow_in (b);
  y = g_strdup (deca_window_get_flow_id (b));

  /* An edit in A still waits for its autosave when B deletes the flow. */
  g_assert_nonnull (deca_flow_document_add_node (deca_window_get_document (a), "log", 0, 0, &error));
  g_assert_no_error (error);
  g_assert_true (deca_window_get_saving (a));
  gtk_widget_activate_action (GTK_WIDGET (b), "win.delete-flow", "s", x);
  while (deca_window_get_document (a) != NULL)
    g_main_context_iteration (NULL, TRUE);
  deca_store_worker_flush (fixture->worker);
  deca_ui_test_iterate ();
  g_assert_null (deca_window_get_flow_id (a));
  g_assert_cmpstr (deca_window_get_flow_id (b), ==, y);
  versions = stored_versions (fixture, x);
  g_assert_cmpuint (versions->len, ==, 2);
  flows = stored_flows (fixture);
  g_assert_cmpuint (flows->len, ==, 1);
  g_assert_cmpstr (((DecaFlowSummary *) flows->pdata[0])->id, ==, y);

  /* Nothing of the windows outlives them (no list or menu keeps the other alive). */
  g_object_add_weak_pointer (G_OBJECT (a), (gpointer *) &a);
  g_object_add_weak_pointer (G_OBJECT (b), (gpointer *) &b);
  gtk_window_destroy (GTK_WINDOW (b));
  gtk_window_destroy (GTK_WINDOW (a));
  deca_store_worker_flush (fixture->worker);
  deca_ui_test_iterate ();
  g_assert_null (a);
  g_assert_null (b);
}

/* Collects the "win.open-flow" items of @model and its submenus as "target=label". */
static void
collect_open_flow_items (GMenuModel *model,
                         GPtrArray  *items)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *action = NULL;
      g_autofree char *label = NULL;
      g_autofree char *target = NULL;
      g_autoptr(GMenuLinkIter) links = g_menu_model_iterate_item_links (model, i);
      const char *link;
      GMenuModel *child;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &action)
          && g_str_equal (action, "win.open-flow")
          && g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label)
          && g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_TARGET, "s", &target))
        g_ptr_array_add (items, g_strdup_printf ("%s=%s", target, label));
      while (g_menu_link_iter_get_next (links, &link, &child))
        {
          collect_open_flow_items (child, items);
          g_object_unref (child);
        }
    }
}

typedef struct {
  GMenuModel *menu;
  const char *expected;   /* the items joined with ";" */
} ExpectMenu;

static char *
recent_items (GMenuModel *menu)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

  collect_open_flow_items (menu, items);
  g_ptr_array_add (items, NULL);
  return g_strjoinv (";", (char **) items->pdata);
}

static gboolean
menu_lists_cb (gpointer data)
{
  ExpectMenu *expect = data;
  g_autofree char *items = recent_items (expect->menu);

  return g_str_equal (items, expect->expected);
}

static void
wait_for_recent (GMenuModel *menu,
                 const char *expected)
{
  ExpectMenu expect = { menu, expected };

  if (!deca_ui_test_wait_until (menu_lists_cb, &expect, 10000))
    {
      g_autofree char *items = recent_items (menu);
      g_error ("Open Recent lists “%s”, not “%s”", items, expected);
    }
}

/* The main menu's Open Recent lists the flows opened before the open one, newest first,
 * by their names (renames follow, deleted flows go); choosing one opens it. */
static void
test_window_open_recent (Fixture       *fixture,
                         gconstpointer  data)
{
  GtkWidget *button = find_menu_button_with_tooltip (GTK_WIDGET (fixture->window), "Main Menu");
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *expected = NULL;
  GMenuModel *menu;

  g_assert_nonnull (button);
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
  new_flow_by_click (fixture);
  first = g_strdup (deca_window_get_flow_id (fixture->window));
  /* The only flow is the open one: nothing to offer (flows of earlier tests are not in
   * this store). */
  wait_for_recent (menu, "");

  deca_flow_document_set_name (deca_window_get_document (fixture->window), "Orders_v2");
  new_flow_by_click (fixture);
  second = g_strdup (deca_window_get_flow_id (fixture->window));
  new_flow_by_click (fixture);
  third = g_strdup (deca_window_get_flow_id (fixture->window));
  /* "_" would be a mnemonic in a menu label: doubled. */
  expected = g_strdup_printf ("%s=Untitled flow;%s=Orders__v2", second, first);
  wait_for_recent (menu, expected);

  /* A rename of a flow that is not open shows in the menu. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.rename-flow", "s", second);
  rename_in_dialog ("Refunds");
  g_free (expected);
  expected = g_strdup_printf ("%s=Refunds;%s=Orders__v2", second, first);
  wait_for_recent (menu, expected);

  /* A deleted flow leaves the menu. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete-flow", "s", second);
  g_free (expected);
  expected = g_strdup_printf ("%s=Orders__v2", first);
  wait_for_recent (menu, expected);

  /* Choosing an entry opens that flow; the one open before takes its place. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-flow", "s", first);
  wait_until_shows (fixture->window, first, 0);
  g_assert_cmpstr (deca_flow_document_get_name (deca_window_get_document (fixture->window)),
                   ==, "Orders_v2");
  g_free (expected);
  expected = g_strdup_printf ("%s=Untitled flow", third);
  wait_for_recent (menu, expected);
}

static gboolean
window_width_is_cb (gpointer data)
{
  Expect *expect = data;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (expect->window));

  return gdk_surface_get_width (surface) == expect->version;
}

/* At 360 px the sidebars fold over the canvas instead of squeezing it, and the header
 * fits. */
static void
test_window_narrow (Fixture       *fixture,
                    gconstpointer  data)
{
  Expect narrow = { fixture->window, NULL, 360 };
  GtkWidget *canvas = GTK_WIDGET (deca_window_get_canvas (fixture->window));

  /* GNOME's title-bar buttons (only Close), not GTK's fallback without a desktop. */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
  new_flow_by_click (fixture);
  /* Again when needed: the first size folds the sidebars, which lowers the window's
   * minimum a moment later. */
  for (int i = 0; i < 3 && !window_width_is_cb (&narrow); i++)
    {
      gtk_window_set_default_size (GTK_WINDOW (fixture->window), 0, 0);
      gtk_window_set_default_size (GTK_WINDOW (fixture->window), 360, 720);
      deca_ui_test_wait_for_draw (GTK_WIDGET (fixture->window));
      deca_ui_test_wait_for_draw (GTK_WIDGET (fixture->window));
    }
  if (!deca_ui_test_wait_until (window_width_is_cb, &narrow, 10000))
    {
      int min_width;

      gtk_widget_measure (GTK_WIDGET (fixture->window), GTK_ORIENTATION_HORIZONTAL, -1,
                          &min_width, NULL, NULL, NULL);
      g_error ("the window is %d px wide, its minimum %d px",
               gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (fixture->window))),
               min_width);
    }
  deca_ui_test_wait_for_draw (GTK_WIDGET (fixture->window));
  g_assert_cmpint (gtk_widget_get_width (canvas), >=, 300);
}

static GtkWidget *
find_menu_button_with_tooltip (GtkWidget  *root,
                               const char *tooltip)
{
  if (GTK_IS_MENU_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_menu_button_with_tooltip (child, tooltip);
      if (found)
        return found;
    }
  return NULL;
}

static gboolean
popover_lists_cb (gpointer data)
{
  GtkWidget *list = deca_ui_test_find_type (data, GTK_TYPE_LIST_BOX);
  GtkWidget *row = list ? gtk_widget_get_first_child (list) : NULL;

  return gtk_widget_get_mapped (data) && row && GTK_IS_LIST_BOX_ROW (row);
}

/* The problems button counts the flow's problems; its popover lists them, and choosing
 * one selects its node on the canvas. */
static void
test_window_problems (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) selection = NULL;
  GtkWidget *button;
  GtkPopover *popover;
  GtkWidget *row;

  new_flow_by_click (fixture);
  g_assert_nonnull (deca_flow_document_add_node (deca_window_get_document (fixture->window),
                                                 "http", 0, 0, &error));
  g_assert_no_error (error);
  deca_ui_test_wait_for_draw (GTK_WIDGET (fixture->window));

  button = find_menu_button_with_tooltip (GTK_WIDGET (fixture->window), "1 problem");
  g_assert_nonnull (button);
  deca_ui_test_click_widget (button);
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  g_assert_true (deca_ui_test_wait_until (popover_lists_cb, popover, 10000));
  deca_ui_test_wait_for_draw (GTK_WIDGET (popover));

  row = gtk_widget_get_first_child (deca_ui_test_find_type (GTK_WIDGET (popover), GTK_TYPE_LIST_BOX));
  deca_ui_test_click_widget (row);
  selection = deca_canvas_dup_selection (deca_window_get_canvas (fixture->window));
  g_assert_cmpstrv (selection, ((const char *[]) { "http", NULL }));
}

static guint
count_actions (GMenuModel *model,
               const char *action)
{
  guint n = 0;

  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuLinkIter) links = g_menu_model_iterate_item_links (model, i);
      const char *link;
      GMenuModel *child;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &name)
          && g_str_equal (name, action))
        n++;
      while (g_menu_link_iter_get_next (links, &link, &child))
        {
          n += count_actions (child, action);
          g_object_unref (child);
        }
    }
  return n;
}

/* The flows in data/examples (the window reads the source folder when the examples are
 * not installed): every .json file but the inputs. */
static guint
count_example_files (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("DECA_SOURCE_DIR"), "data", "examples", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    if (g_str_has_suffix (name, ".json") && !g_str_has_suffix (name, ".input.json"))
      n++;
  return n;
}

static gboolean
examples_listed_cb (gpointer data)
{
  static guint expected;

  if (expected == 0)
    expected = count_example_files ();
  return count_actions (data, "win.open-example") == expected;
}

/* The main menu lists the bundled examples (read off the UI thread), and opening one
 * imports it. */
static void
test_window_examples (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkWidget *button = find_menu_button_with_tooltip (GTK_WIDGET (fixture->window), "Main Menu");
  GMenuModel *menu;

  g_assert_nonnull (button);
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
  g_assert_true (deca_ui_test_wait_until (examples_listed_cb, menu, 10000));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-example", "s",
                              "loop-items.json");
  wait_for_flow (fixture->window);
  g_assert_nonnull (deca_flow_document_lookup_node (deca_window_get_document (fixture->window),
                                                    "each-item"));
}

/* Typing in a field, pausing long enough for the autosave, and typing on is still one
 * undo step: saving does not end the inspector's edit burst. */
static void
test_window_autosave_keeps_undo_step (Fixture       *fixture,
                                      gconstpointer  data)
{
  DecaInspector *inspector = deca_window_get_inspector (fixture->window);
  DecaFlowDocument *document;
  GtkWidget *focus;

  new_flow_by_click (fixture);
  document = deca_window_get_document (fixture->window);
  deca_inspector_focus_first_field (inspector);
  deca_ui_test_iterate ();
  focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (inspector)));

  deca_ui_test_key (focus, GDK_KEY_End, 0);
  deca_ui_test_type_text (focus, "ab");
  while (g_strcmp0 (deca_flow_document_get_name (document), "Untitled flowab") != 0)
    g_main_context_iteration (NULL, TRUE);
  while (deca_window_get_saved_version (fixture->window) != 2)
    g_main_context_iteration (NULL, TRUE);

  deca_ui_test_type_text (focus, "c");
  while (g_strcmp0 (deca_flow_document_get_name (document), "Untitled flowabc") != 0)
    g_main_context_iteration (NULL, TRUE);

  /* What win.undo does: close the burst, then undo one step. */
  deca_inspector_flush (inspector);
  g_assert_true (deca_flow_document_undo (document));
  g_assert_cmpstr (deca_flow_document_get_name (document), ==, "Untitled flow");
}

int
main (int argc, char *argv[])
{
  deca_ui_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/deca/ui/window/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("new-flow", test_window_new_flow);
  ADD ("autosave-and-reopen", test_window_autosave_and_reopen);
  ADD ("close-saves-pending-edit", test_window_close_saves_pending_edit);
  ADD ("open-and-restore-version", test_window_open_and_restore_version);
  ADD ("import", test_window_import);
  ADD ("import-export-files", test_window_import_export_files);
  ADD ("import-bad-files", test_window_import_bad_files);
  ADD ("delete-and-undo", test_window_delete_and_undo);
  ADD ("duplicate-and-rename", test_window_duplicate_and_rename);
  ADD ("duplicate-keeps-triggers", test_window_duplicate_keeps_triggers);
  ADD ("rename-open-flow", test_window_rename_open_flow);
  ADD ("one-window-per-flow", test_window_one_window_per_flow);
  ADD ("delete-open-elsewhere", test_window_delete_open_elsewhere);
  ADD ("open-recent", test_window_open_recent);
  ADD ("narrow", test_window_narrow);
  ADD ("problems", test_window_problems);
  ADD ("examples", test_window_examples);
  ADD ("autosave-keeps-undo-step", test_window_autosave_keeps_undo_step);
#undef ADD
  return g_test_run ();
}
