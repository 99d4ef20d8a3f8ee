/* test-workspace-bundle.c: deca_workspace_bundle_export() and _import() on a real store:
 * what the report says (counts, the flows changed for the dispatchers, missing
 * credentials), deleted objects coming back, the state of flows, a failed import leaving
 * the caller's batch and the store as they were, and no secret material in an export. */

#include <string.h>
#include <glib.h>
#include <sqlite3.h>

#include "deca-engine-error.h"
#include "deca-json.h"
#include "deca-node-type.h"
#include "deca-store.h"
#include "deca-store-library.h"
#include "deca-store-server.h"
#include "deca-test-store-dir.h"
#include "deca-workspace-bundle.h"

typedef struct {
  DecaTestStoreDir dir;
  DecaStore *store;
  DecaNodeRegistry *registry;
} Fixture;

static const char nap_flow[] =
  "{\"id\": \"nap\", \"name\": \"Nap\", \"nodes\": [{\"id\": \"s\", \"type\": \"wait\", \"config\": {\"duration\": 5}}]}";
static const char log_flow[] =
  "{\"id\": \"note\", \"name\": \"Note\", \"nodes\": [{\"id\": \"t\", \"type\": \"transform\","
  " \"config\": {\"set\": {\"x\": 1}}}]}";
static const char agent_doc[] =
  "{\"id\": \"a1\", \"name\": \"Agent\", \"model\": {\"provider\": \"openai\", \"name\": \"gpt-4\"}}";

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  deca_test_store_dir_init (&fixture->dir, "deca-test-workspace-bundle");
  fixture->store = deca_store_open (fixture->dir.path, &error);
  g_assert_no_error (error);
  g_assert_true (deca_store_create_workspace (fixture->store, "src", "Source", &error));
  g_assert_true (deca_store_create_workspace (fixture->store, "dst", "Target", &error));
  fixture->registry = deca_node_registry_new_builtin ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->store);
  g_object_unref (fixture->registry);
  deca_test_store_dir_clear (&fixture->dir);
}

static gint64
raw_int (Fixture    *fixture,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (fixture->dir.path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = deca_json_parse (text, -1, &error);

  g_assert_no_error (error);
  return node;
}

static DecaBundleImportReport *
import_ok (Fixture              *fixture,
           const char           *workspace,
           JsonNode             *bundle,
           DecaBundleImportMode  mode)
{
  g_autoptr(GError) error = NULL;
  DecaBundleImportReport *report = NULL;

  g_assert_true (deca_workspace_bundle_import (fixture->store, workspace, bundle, mode, fixture->registry, &report,
                                               &error));
  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

/* Flows: the report lists what changed with versions and former states, for the
 * dispatchers; a flow deleted in the target comes back; states are kept. */
static void
test_flow_changes (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(DecaBundleImportReport) first = NULL;
  g_autoptr(DecaBundleImportReport) second = NULL;
  g_autoptr(DecaFlowSummary) note = NULL;
  g_autofree char *changed = NULL;
  DecaBundleFlowChange *change;

  /* The target has "nap" active, with other content, and "note" deleted. */
  g_assert_true (deca_store_save_workspace_flow (fixture->store, "dst", "nap", "Nap",
                                                 "{\"id\": \"nap\", \"nodes\": []}", NULL, &error));
  g_assert_true (deca_store_set_workspace_flow_active (fixture->store, "dst", "nap", TRUE, &error));
  g_assert_true (deca_store_save_workspace_flow (fixture->store, "dst", "note", "Note", log_flow, NULL, &error));
  g_assert_true (deca_store_set_workspace_flow_deleted (fixture->store, "dst", "note", TRUE, &error));
  g_assert_true (deca_store_save_workspace_flow (fixture->store, "dst", "old", "Old",
                                                 "{\"id\": \"old\", \"nodes\": []}", NULL, &error));
  g_assert_true (deca_store_set_workspace_flow_active (fixture->store, "dst", "old", TRUE, &error));
  g_assert_no_error (error);

  changed = g_strdup_printf ("{\"format\": \"deca-workspace\", \"version\": 1, \"flows\": ["
                             "{\"id\": \"nap\", \"active\": false, \"document\": %s},"
                             "{\"id\": \"note\", \"active\": true, \"document\": %s}]}", nap_flow, log_flow);
  bundle = parse (changed);
  first = import_ok (fixture, "dst", bundle, DECA_BUNDLE_IMPORT_REPLACE);
  g_assert_cmpuint (first->updated[DECA_BUNDLE_FLOWS], ==, 1);
  g_assert_cmpuint (first->created[DECA_BUNDLE_FLOWS], ==, 1);   /* "note" came back */
  g_assert_cmpuint (first->deleted[DECA_BUNDLE_FLOWS], ==, 1);   /* "old" */
  g_assert_cmpuint (first->flow_changes->len, ==, 3);
  /* The deletions come first, then the bundle's order. */
  change = g_ptr_array_index (first->flow_changes, 0);
  g_assert_cmpstr (change->id, ==, "old");
  g_assert_cmpint (change->version, ==, 0);
  g_assert_true (change->was_active);
  change = g_ptr_array_index (first->flow_changes, 1);
  g_assert_cmpstr (change->id, ==, "nap");
  g_assert_cmpint (change->version, ==, 2);
  g_assert_true (change->was_active);
  change = g_ptr_array_index (first->flow_changes, 2);
  g_assert_cmpstr (change->id, ==, "note");
  g_assert_false (change->was_active);

  /* "nap" stays active (the bundle's "active" is not applied); "note" is back, inactive;
   * "old" is deleted and so inactive. */
  g_assert_cmpint (raw_int (fixture, "SELECT active FROM flows WHERE id = 'nap'"), ==, 1);
  note = deca_store_get_workspace_flow (fixture->store, "dst", "note", &error);
  g_assert_no_error (error);
  g_assert_false (note->active);
  g_assert_cmpint (raw_int (fixture, "SELECT active FROM flows WHERE id = 'old'"), ==, 0);
  g_assert_cmpint (raw_int (fixture, "SELECT deleted_at IS NOT NULL FROM flows WHERE id = 'old'"), ==, 1);

  /* Again: nothing to do, nothing to tell. */
  second = import_ok (fixture, "dst", bundle, DECA_BUNDLE_IMPORT_REPLACE);
  g_assert_cmpuint (second->unchanged[DECA_BUNDLE_FLOWS], ==, 2);
  g_assert_cmpuint (second->flow_changes->len, ==, 0);
}

/* A failed import inside the caller's batch abandons it (all or nothing), and its report
 * counts nothing. */
static void
test_failure_in_batch (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(DecaBundleImportReport) report = NULL;
  g_autofree char *text = NULL;

  /* "nap" belongs to src: importing it into dst is a conflict, found after "a1" is
   * planned. */
  g_assert_true (deca_store_save_workspace_flow (fixture->store, "src", "nap", "Nap", nap_flow, NULL, &error));
  text = g_strdup_printf ("{\"format\": \"deca-workspace\", \"version\": 1,"
                          " \"agents\": [{\"id\": \"a1\", \"document\": %s}],"
                          " \"flows\": [{\"id\": \"nap\", \"document\": %s}],"
                          " \"credentials\": [{\"name\": \"openai\", \"type\": \"api_key\"}]}", agent_doc, nap_flow);
  bundle = parse (text);

  g_assert_true (deca_store_begin (fixture->store, &error));
  g_assert_true (deca_store_save_library_item (fixture->store, DECA_LIBRARY_PROMPT, "dst", "p", "P", "{}",
                                               DECA_LIBRARY_NEW_ITEM, NULL, &error));
  g_assert_false (deca_workspace_bundle_import (fixture->store, "dst", bundle, DECA_BUNDLE_IMPORT_MERGE,
                                                fixture->registry, &report, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpuint (report->conflicts->len, ==, 1);
  g_assert_cmpstr (((DecaBundleConflict *) report->conflicts->pdata[0])->pointer, ==, "/flows/0");
  g_assert_cmpint (((DecaBundleConflict *) report->conflicts->pdata[0])->section, ==, DECA_BUNDLE_FLOWS);
  g_assert_cmpuint (report->created[DECA_BUNDLE_AGENTS], ==, 0);
  g_assert_cmpuint (report->missing_credentials->len, ==, 0);
  /* The caller's batch is gone with it. */
  g_assert_false (deca_store_commit (fixture->store, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM prompts"), ==, 0);
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM agents"), ==, 0);

  /* Without the flow it goes in, and names the credential dst lacks. */
  g_clear_pointer (&report, deca_bundle_import_report_free);
  json_object_remove_member (json_node_get_object (bundle), "flows");
  report = import_ok (fixture, "dst", bundle, DECA_BUNDLE_IMPORT_MERGE);
  g_assert_cmpuint (report->created[DECA_BUNDLE_AGENTS], ==, 1);
  g_assert_cmpuint (report->missing_credentials->len, ==, 1);
  g_assert_cmpstr (report->missing_credentials->pdata[0], ==, "openai");
}

/* The export: sections by id, deleted objects left out, credentials as name and type; a
 * missing workspace is NOT_FOUND; the library round trip within one store. */
static void
test_export (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(DecaBundleImportReport) report = NULL;
  g_autoptr(GBytes) ciphertext = g_bytes_new_static ("CIPHERTEXT-BYTES", 16);
  g_autofree char *text = NULL;
  DecaCredentialRecord credential = { .id = "c1", .workspace_id = "src", .name = "openai", .type = "api_key",
                                      .ciphertext = ciphertext, .key_id = "KEY-ID-1" };
  JsonObject *object;
  JsonArray *agents;

  g_assert_true (deca_store_save_library_item (fixture->store, DECA_LIBRARY_AGENT, "src", "b", "B", agent_doc,
                                               DECA_LIBRARY_NEW_ITEM, NULL, &error));
  g_assert_true (deca_store_save_library_item (fixture->store, DECA_LIBRARY_AGENT, "src", "a", "A", agent_doc,
                                               DECA_LIBRARY_NEW_ITEM, NULL, &error));
  g_assert_true (deca_store_save_library_item (fixture->store, DECA_LIBRARY_AGENT, "src", "gone", "G", agent_doc,
                                               DECA_LIBRARY_NEW_ITEM, NULL, &error));
  g_assert_true (deca_store_delete_library_item (fixture->store, DECA_LIBRARY_AGENT, "src", "gone", 0, &error));
  g_assert_true (deca_store_insert_credential (fixture->store, &credential, &error));
  g_assert_no_error (error);

  bundle = deca_workspace_bundle_export (fixture->store, "src", &error);
  g_assert_no_error (error);
  object = json_node_get_object (bundle);
  agents = json_object_get_array_member (object, "agents");
  g_assert_cmpuint (json_array_get_length (agents), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (agents, 0), "id"), ==, "a");
  text = deca_json_to_string (bundle, FALSE);
  g_assert_null (strstr (text, "CIPHERTEXT"));
  g_assert_null (strstr (text, "KEY-ID-1"));
  g_assert_nonnull (strstr (text, "\"credentials\":[{\"name\":\"openai\",\"type\":\"api_key\"}]"));

  g_assert_null (deca_workspace_bundle_export (fixture->store, "nowhere", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Library ids are per workspace: the same items go into dst. */
  report = import_ok (fixture, "dst", bundle, DECA_BUNDLE_IMPORT_MERGE);
  g_assert_cmpuint (report->created[DECA_BUNDLE_AGENTS], ==, 2);
  g_assert_cmpint (raw_int (fixture, "SELECT count(*) FROM agents WHERE workspace_id = 'dst'"), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/deca/engine/workspace-bundle/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("flow-changes", test_flow_changes);
  ADD ("failure-in-batch", test_failure_in_batch);
  ADD ("export", test_export);
#undef ADD

  return g_test_run ();
}
