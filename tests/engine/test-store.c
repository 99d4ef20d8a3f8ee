/* test-store.c: DecaStore against real SQLite files in a temporary directory. */

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "deca-engine-error.h"
#include "deca-store.h"
#include "deca-store-private.h"
#include "deca-test-store-dir.h"
#include "deca-yield-vfs.h"

typedef DecaTestStoreDir Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  deca_test_store_dir_init (fixture, "deca-test-store");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_store_dir_clear (fixture);
}

/* Opens the fixture's database, failing the test on error. */
static DecaStore *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_store_open (fixture->path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* Runs @sql on a separate raw SQLite connection to @path and returns (transfer full) the
 * first column of the first row as text, or NULL when there is no row. Looking at the
 * file without DecaStore checks what actually reached it. */
static char *
raw_query (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else
    g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

/* Runs @sql on a raw connection and returns the SQLite result code. */
static int
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                    NULL), ==, SQLITE_OK);
  rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  sqlite3_close (db);
  return rc;
}

/* Inserts a minimal execution @id with @status created at @created_at. */
static void
insert_execution (DecaStore  *store,
                  const char *id,
                  const char *status,
                  gint64      created_at)
{
  g_autoptr(GError) error = NULL;
  DecaExecutionRecord record = {
    .id = (char *) id,
    .flow_id = (char *) "flow",
    .flow_version = 1,
    .status = (char *) status,
    .input = (char *) "{}",
    .created_at = created_at,
  };

  g_assert_true (deca_store_insert_execution (store, &record, &error));
  g_assert_no_error (error);
}

/* Returns whether execution @id can be read from @store. */
static gboolean
has_execution (DecaStore  *store,
               const char *id)
{
  g_autoptr(GError) error = NULL;
  DecaExecutionRecord *record = deca_store_get_execution (store, id, &error);

  if (record == NULL)
    {
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
      return FALSE;
    }
  g_assert_no_error (error);
  deca_execution_record_free (record);
  return TRUE;
}

/* Writes node result @node_key of @execution_id with output @output. */
static void
put_result (DecaStore  *store,
            const char *execution_id,
            const char *node_key,
            const char *output)
{
  g_autoptr(GError) error = NULL;
  DecaNodeResultRecord record = {
    .execution_id = (char *) execution_id,
    .node_key = (char *) node_key,
    .node_id = (char *) node_key,
    .status = (char *) DECA_STATUS_SUCCEEDED,
    .port = (char *) "out",
    .input = (char *) "{\"a\":1}",
    .output = (char *) output,
    .attempts = 1,
    .started_at = 10,
    .finished_at = 20,
  };

  g_assert_true (deca_store_put_node_result (store, &record, &error));
  g_assert_no_error (error);
}

/* Appends event @seq of @execution_id, returning whether it was stored. */
static gboolean
append_event (DecaStore   *store,
              const char  *execution_id,
              gint64       seq,
              GError     **error)
{
  g_autofree char *payload = g_strdup_printf ("{\"seq\":%" G_GINT64_FORMAT "}", seq);
  DecaEventRecord record = {
    .execution_id = (char *) execution_id,
    .seq = seq,
    .type = (char *) "node.succeeded",
    .time = 1000 + seq,
    .payload = payload,
  };

  return deca_store_append_event (store, &record, error);
}

/* Open */

static void
test_open_creates_schema (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char * const tables[] = {
    "flows", "flow_versions", "executions", "node_results", "events", "approvals",
  };
  DecaStore *store = open_store (fixture);
  g_autofree char *mode = NULL;
  g_autofree char *version = NULL;

  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (deca_store_get_path (store), ==, fixture->path);
  g_assert_cmpint (deca_store_get_schema_version (store), ==, 6);

  /* WAL is a property of the file, so a fresh connection must report it. */
  mode = raw_query (fixture->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  version = raw_query (fixture->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "6");

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT name FROM sqlite_schema"
                                              " WHERE type = 'table' AND name = '%s'",
                                              tables[i]);
      g_autofree char *name = raw_query (fixture->path, sql);

      g_assert_cmpstr (name, ==, tables[i]);
    }

  g_assert_finalize_object (store);
}

static void
test_open_memory (void)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_store_open (":memory:", &error);
  char *document;
  gint64 version = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (deca_store_get_path (store), ==, ":memory:");
  g_assert_true (deca_store_save_flow (store, "f", "F", "{}", &version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 1);
  document = deca_store_load_flow (store, "f", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{}");
  g_free (document);
  g_assert_finalize_object (store);
}

static void
test_open_reopen_keeps_data (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  DecaExecutionRecord *record;

  g_assert_true (deca_store_save_flow (store, "f", "F", "{\"v\":1}", NULL, &error));
  g_assert_no_error (error);
  insert_execution (store, "e1", DECA_STATUS_RUNNING, 5);
  put_result (store, "e1", "a", "1");
  g_assert_finalize_object (store);

  store = open_store (fixture);
  record = deca_store_get_execution (store, "e1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->status, ==, DECA_STATUS_RUNNING);
  deca_execution_record_free (record);
  {
    g_autoptr(GPtrArray) results = deca_store_list_node_results (store, "e1", &error);
    g_autofree char *document = deca_store_load_flow (store, "f", 0, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 1);
    g_assert_cmpstr (document, ==, "{\"v\":1}");
  }
  g_assert_finalize_object (store);
}

static void
test_open_migrations_idempotent (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *objects_before = NULL;
  g_autofree char *objects_after = NULL;
  g_autofree char *version = NULL;
  DecaStore *store;

  store = open_store (fixture);
  g_assert_finalize_object (store);
  objects_before = raw_query (fixture->path, "SELECT count(*) FROM sqlite_schema");

  /* A second and third open must find the schema current and change nothing. */
  store = open_store (fixture);
  g_assert_finalize_object (store);
  store = open_store (fixture);
  g_assert_cmpint (deca_store_get_schema_version (store), ==, 6);
  g_assert_finalize_object (store);

  objects_after = raw_query (fixture->path, "SELECT count(*) FROM sqlite_schema");
  g_assert_cmpstr (objects_before, ==, objects_after);
  version = raw_query (fixture->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "6");
}

static void
test_open_newer_refused (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store;

  g_assert_cmpint (raw_exec (fixture->path, "PRAGMA user_version = 99"), ==, SQLITE_OK);

  store = deca_store_open (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "99"));
  g_assert_nonnull (strstr (error->message, fixture->path));

  /* Refusing must not have touched the newer file. */
  {
    g_autofree char *version = raw_query (fixture->path, "PRAGMA user_version");
    g_autofree char *tables = raw_query (fixture->path, "SELECT count(*) FROM sqlite_schema");

    g_assert_cmpstr (version, ==, "99");
    g_assert_cmpstr (tables, ==, "0");
  }
}

static void
test_open_not_sqlite_refused (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  DecaStore *store;

  for (int i = 0; i < 200; i++)
    g_string_append (text, "{\"this\": \"is a flow document, not a database\"}\n");
  g_assert_true (g_file_set_contents (fixture->path, text->str, text->len, NULL));

  store = deca_store_open (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_assert_nonnull (strstr (error->message, "not a database"));
}

/* Flows */

static void
test_flow_versions (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  DecaStore *store = open_store (fixture);
  gint64 version = -1;
  char *document;

  g_assert_true (deca_store_save_flow (store, "orders", "Orders", "{\"a\":1}", &version,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 1);

  /* Same content: same version, no new row. */
  g_assert_true (deca_store_save_flow (store, "orders", "Orders", "{\"a\":1}", &version,
                                       &error));
  g_assert_cmpint (version, ==, 1);

  g_assert_true (deca_store_save_flow (store, "orders", "Orders", "{\"a\":2}", &version,
                                       &error));
  g_assert_cmpint (version, ==, 2);
  g_assert_true (deca_store_save_flow (store, "orders", "Orders", "{\"a\":2}", &version,
                                       &error));
  g_assert_cmpint (version, ==, 2);

  /* Going back to earlier content is a change too, compared with the latest only. */
  g_assert_true (deca_store_save_flow (store, "orders", "Orders", "{\"a\":1}", &version,
                                       &error));
  g_assert_cmpint (version, ==, 3);
  g_assert_no_error (error);

  {
    g_autofree char *rows = raw_query (fixture->path,
                                       "SELECT count(*) FROM flow_versions");
    g_autofree char *latest = raw_query (fixture->path,
                                         "SELECT latest_version FROM flows");

    g_assert_cmpstr (rows, ==, "3");
    g_assert_cmpstr (latest, ==, "3");
  }

  document = deca_store_load_flow (store, "orders", 0, &version, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{\"a\":1}");
  g_assert_cmpint (version, ==, 3);
  g_free (document);

  document = deca_store_load_flow (store, "orders", 2, &version, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{\"a\":2}");
  g_assert_cmpint (version, ==, 2);
  g_free (document);

  document = deca_store_load_flow (store, "orders", 4, &version, &error);
  g_assert_null (document);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  document = deca_store_load_flow (store, "missing", 0, &version, &error);
  g_assert_null (document);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (deca_store_save_flow (store, "alpha", NULL, "{}", &version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 1);
  ids = deca_store_list_flows (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "alpha");
  g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, "orders");

  g_assert_finalize_object (store);

  /* Versions are immutable, even to someone going around the store. */
  g_assert_cmpint (raw_exec (fixture->path, "UPDATE flow_versions SET document = 'x'"),
                   !=, SQLITE_OK);
}

/* Executions */

static void
test_execution_insert_update_get (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  DecaExecutionRecord record = {
    .id = (char *) "e1",
    .flow_id = (char *) "orders",
    .flow_version = 3,
    .parent_id = (char *) "p1",
    .parent_node = (char *) "sub",
    .status = (char *) DECA_STATUS_PENDING,
    .input = (char *) "{\"order\":7}",
    .trigger = (char *) "{\"type\":\"manual\"}",
    .created_at = 100,
  };
  DecaExecutionRecord *got;
  DecaExecutionRecord *copy;

  g_assert_true (deca_store_insert_execution (store, &record, &error));
  g_assert_no_error (error);

  got = deca_store_get_execution (store, "e1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->id, ==, "e1");
  g_assert_cmpstr (got->flow_id, ==, "orders");
  g_assert_cmpint (got->flow_version, ==, 3);
  g_assert_cmpstr (got->parent_id, ==, "p1");
  g_assert_cmpstr (got->parent_node, ==, "sub");
  g_assert_cmpstr (got->status, ==, DECA_STATUS_PENDING);
  g_assert_cmpstr (got->input, ==, "{\"order\":7}");
  g_assert_null (got->output);
  g_assert_null (got->error);
  g_assert_cmpstr (got->trigger, ==, "{\"type\":\"manual\"}");
  g_assert_cmpint (got->created_at, ==, 100);
  g_assert_cmpint (got->started_at, ==, 0);
  g_assert_cmpint (got->finished_at, ==, 0);

  copy = deca_execution_record_copy (got);
  g_assert_true (copy != got);
  g_assert_true (copy->input != got->input);
  g_assert_cmpstr (copy->input, ==, got->input);
  g_assert_cmpstr (copy->trigger, ==, got->trigger);
  g_assert_cmpint (copy->flow_version, ==, got->flow_version);
  deca_execution_record_free (copy);
  deca_execution_record_free (got);

  /* Update writes only the mutable fields. */
  record.status = (char *) DECA_STATUS_FAILED;
  record.output = (char *) "{\"x\":1}";
  record.error = (char *) "{\"code\":\"timeout\"}";
  record.started_at = 110;
  record.finished_at = 120;
  record.input = (char *) "ignored";
  record.flow_version = 99;
  g_assert_true (deca_store_update_execution (store, &record, &error));
  g_assert_no_error (error);

  got = deca_store_get_execution (store, "e1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->status, ==, DECA_STATUS_FAILED);
  g_assert_cmpstr (got->output, ==, "{\"x\":1}");
  g_assert_cmpstr (got->error, ==, "{\"code\":\"timeout\"}");
  g_assert_cmpint (got->started_at, ==, 110);
  g_assert_cmpint (got->finished_at, ==, 120);
  g_assert_cmpstr (got->input, ==, "{\"order\":7}");
  g_assert_cmpint (got->flow_version, ==, 3);
  deca_execution_record_free (got);

  /* Inserting the same id again is a state error, not a silent overwrite. */
  g_assert_false (deca_store_insert_execution (store, &record, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);

  record.id = (char *) "nobody";
  g_assert_false (deca_store_update_execution (store, &record, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  got = deca_store_get_execution (store, "nobody", &error);
  g_assert_null (got);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);

  g_assert_finalize_object (store);
}

/* Asserts that @records holds executions with exactly the ids in @ids, in order. */
static void
assert_execution_ids (GPtrArray          *records,
                      const char * const *ids)
{
  guint n = g_strv_length ((char **) ids);

  g_assert_nonnull (records);
  g_assert_cmpuint (records->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      DecaExecutionRecord *record = g_ptr_array_index (records, i);

      g_assert_cmpstr (record->id, ==, ids[i]);
    }
}

static void
test_execution_list (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);

  /* Inserted out of time order, and two with the same created_at (insertion order
   * breaks the tie). */
  insert_execution (store, "e3", DECA_STATUS_SUCCEEDED, 300);
  insert_execution (store, "e1", DECA_STATUS_SUCCEEDED, 100);
  insert_execution (store, "e2", DECA_STATUS_FAILED, 200);
  insert_execution (store, "e4", DECA_STATUS_RUNNING, 400);
  insert_execution (store, "e5", DECA_STATUS_SUCCEEDED, 400);

  {
    g_autoptr(GPtrArray) all = deca_store_list_executions (store, NULL, 0, &error);
    const char * const expected[] = { "e5", "e4", "e3", "e2", "e1", NULL };

    g_assert_no_error (error);
    assert_execution_ids (all, expected);
  }
  {
    g_autoptr(GPtrArray) newest = deca_store_list_executions (store, NULL, 2, &error);
    const char * const expected[] = { "e5", "e4", NULL };

    g_assert_no_error (error);
    assert_execution_ids (newest, expected);
  }
  {
    g_autoptr(GPtrArray) succeeded =
      deca_store_list_executions (store, DECA_STATUS_SUCCEEDED, 0, &error);
    const char * const expected[] = { "e5", "e3", "e1", NULL };

    g_assert_no_error (error);
    assert_execution_ids (succeeded, expected);
  }
  {
    g_autoptr(GPtrArray) succeeded =
      deca_store_list_executions (store, DECA_STATUS_SUCCEEDED, 2, &error);
    const char * const expected[] = { "e5", "e3", NULL };

    g_assert_no_error (error);
    assert_execution_ids (succeeded, expected);
  }
  {
    g_autoptr(GPtrArray) none =
      deca_store_list_executions (store, DECA_STATUS_CANCELLED, 10, &error);
    const char * const expected[] = { NULL };

    g_assert_no_error (error);
    assert_execution_ids (none, expected);
  }

  g_assert_finalize_object (store);
}

static void
test_execution_unfinished (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unfinished = NULL;
  DecaStore *store = open_store (fixture);
  const char * const expected[] = { "old-pending", "mid-running", "new-running", NULL };

  insert_execution (store, "new-running", DECA_STATUS_RUNNING, 500);
  insert_execution (store, "done", DECA_STATUS_SUCCEEDED, 50);
  insert_execution (store, "old-pending", DECA_STATUS_PENDING, 100);
  insert_execution (store, "waiting", DECA_STATUS_PAUSED, 150);
  insert_execution (store, "mid-running", DECA_STATUS_RUNNING, 200);
  insert_execution (store, "broken", DECA_STATUS_FAILED, 250);

  unfinished = deca_store_list_unfinished_executions (store, &error);
  g_assert_no_error (error);
  assert_execution_ids (unfinished, expected);

  g_assert_finalize_object (store);
}

/* Node results */

static void
test_node_results (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) other = NULL;
  DecaStore *store = open_store (fixture);
  static const char * const keys[] = { "trigger", "loop[0]/fetch", "loop[1]/fetch", "end" };
  DecaNodeResultRecord *result;
  DecaNodeResultRecord *copy;

  insert_execution (store, "e1", DECA_STATUS_RUNNING, 1);
  insert_execution (store, "e2", DECA_STATUS_RUNNING, 2);

  put_result (store, "e1", "trigger", "\"t\"");
  put_result (store, "e2", "trigger", "\"other\"");
  put_result (store, "e1", "loop[0]/fetch", "1");
  put_result (store, "e1", "loop[1]/fetch", "2");
  put_result (store, "e1", "end", "3");
  /* A retry writes the first node again: new content, same place in the order. */
  put_result (store, "e1", "loop[0]/fetch", "\"retried\"");

  results = deca_store_list_node_results (store, "e1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, G_N_ELEMENTS (keys));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      result = g_ptr_array_index (results, i);
      g_assert_cmpstr (result->execution_id, ==, "e1");
      g_assert_cmpstr (result->node_key, ==, keys[i]);
    }

  result = g_ptr_array_index (results, 1);
  g_assert_cmpstr (result->output, ==, "\"retried\"");
  g_assert_cmpstr (result->node_id, ==, "loop[0]/fetch");
  g_assert_cmpstr (result->status, ==, DECA_STATUS_SUCCEEDED);
  g_assert_cmpstr (result->port, ==, "out");
  g_assert_cmpstr (result->input, ==, "{\"a\":1}");
  g_assert_null (result->error);
  g_assert_cmpint (result->attempts, ==, 1);
  g_assert_cmpint (result->started_at, ==, 10);
  g_assert_cmpint (result->finished_at, ==, 20);

  copy = deca_node_result_record_copy (result);
  g_assert_true (copy->output != result->output);
  g_assert_cmpstr (copy->output, ==, result->output);
  g_assert_cmpstr (copy->node_key, ==, result->node_key);
  g_assert_cmpint (copy->attempts, ==, result->attempts);
  deca_node_result_record_free (copy);

  other = deca_store_list_node_results (store, "e2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other->len, ==, 1);
  result = g_ptr_array_index (other, 0);
  g_assert_cmpstr (result->output, ==, "\"other\"");

  /* A result for an execution that does not exist is refused. */
  {
    DecaNodeResultRecord orphan = {
      .execution_id = (char *) "ghost",
      .node_key = (char *) "a",
      .node_id = (char *) "a",
      .status = (char *) DECA_STATUS_SUCCEEDED,
    };

    g_assert_false (deca_store_put_node_result (store, &orphan, &error));
    g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "ghost"));
  }

  g_assert_finalize_object (store);
}

/* Events */

static void
test_events (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) tail = NULL;
  g_autoptr(GPtrArray) none = NULL;
  DecaStore *store = open_store (fixture);
  DecaEventRecord *event;

  insert_execution (store, "e1", DECA_STATUS_RUNNING, 1);
  insert_execution (store, "e2", DECA_STATUS_RUNNING, 1);
  for (gint64 seq = 1; seq <= 5; seq++)
    {
      g_assert_true (append_event (store, "e1", seq, &error));
      g_assert_no_error (error);
    }
  g_assert_true (append_event (store, "e2", 1, &error));

  all = deca_store_list_events (store, "e1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 5);
  for (guint i = 0; i < all->len; i++)
    {
      event = g_ptr_array_index (all, i);
      g_assert_cmpstr (event->execution_id, ==, "e1");
      g_assert_cmpint (event->seq, ==, i + 1);
      g_assert_cmpint (event->time, ==, 1000 + i + 1);
      g_assert_cmpstr (event->type, ==, "node.succeeded");
    }
  event = g_ptr_array_index (all, 2);
  g_assert_cmpstr (event->payload, ==, "{\"seq\":3}");

  tail = deca_store_list_events (store, "e1", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tail->len, ==, 2);
  g_assert_cmpint (((DecaEventRecord *) g_ptr_array_index (tail, 0))->seq, ==, 4);
  g_assert_cmpint (((DecaEventRecord *) g_ptr_array_index (tail, 1))->seq, ==, 5);

  none = deca_store_list_events (store, "e1", 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  /* Append-only: the same seq again is refused and the first event stays. */
  g_assert_false (append_event (store, "e1", 3, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  {
    g_autofree char *count = raw_query (fixture->path,
                                        "SELECT count(*) FROM events"
                                        " JOIN executions ON pk = execution_pk"
                                        " WHERE id = 'e1'");

    g_assert_cmpstr (count, ==, "5");
  }

  g_assert_false (append_event (store, "ghost", 1, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);

  g_assert_finalize_object (store);
}

/* Approvals */

static void
test_approvals (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  DecaApprovalRecord decision = {
    .execution_id = (char *) "e1",
    .node_key = (char *) "review",
    .approved = TRUE,
    .comment = (char *) "looks right",
    .decided_by = (char *) "ana",
    .decided_at = 777,
  };
  DecaApprovalRecord *got;

  insert_execution (store, "e1", DECA_STATUS_PAUSED, 1);

  got = deca_store_get_approval (store, "e1", "review", &error);
  g_assert_no_error (error);
  g_assert_null (got);

  g_assert_true (deca_store_put_approval (store, &decision, &error));
  g_assert_no_error (error);

  got = deca_store_get_approval (store, "e1", "review", &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpstr (got->execution_id, ==, "e1");
  g_assert_cmpstr (got->node_key, ==, "review");
  g_assert_true (got->approved);
  g_assert_cmpstr (got->comment, ==, "looks right");
  g_assert_cmpstr (got->decided_by, ==, "ana");
  g_assert_cmpint (got->decided_at, ==, 777);
  deca_approval_record_free (got);

  /* The first decision wins; a second one (even the opposite) is a state error. */
  decision.approved = FALSE;
  decision.decided_by = (char *) "bob";
  g_assert_false (deca_store_put_approval (store, &decision, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);

  got = deca_store_get_approval (store, "e1", "review", &error);
  g_assert_no_error (error);
  g_assert_true (got->approved);
  g_assert_cmpstr (got->decided_by, ==, "ana");
  deca_approval_record_free (got);

  /* A rejection on another node is its own decision. */
  decision.node_key = (char *) "loop[2]/review";
  decision.comment = NULL;
  g_assert_true (deca_store_put_approval (store, &decision, &error));
  g_assert_no_error (error);
  got = deca_store_get_approval (store, "e1", "loop[2]/review", &error);
  g_assert_no_error (error);
  g_assert_false (got->approved);
  g_assert_null (got->comment);
  deca_approval_record_free (got);

  decision.execution_id = (char *) "ghost";
  g_assert_false (deca_store_put_approval (store, &decision, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);

  g_assert_finalize_object (store);
}

/* Transactions */

static void
test_transaction_rollback (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  DecaStore *store = open_store (fixture);

  insert_execution (store, "kept", DECA_STATUS_RUNNING, 1);

  g_assert_true (deca_store_begin (store, &error));
  g_assert_no_error (error);
  insert_execution (store, "gone", DECA_STATUS_RUNNING, 2);
  put_result (store, "kept", "a", "1");
  g_assert_true (append_event (store, "kept", 1, &error));
  g_assert_true (has_execution (store, "gone"));
  deca_store_rollback (store);

  g_assert_false (has_execution (store, "gone"));
  g_assert_true (has_execution (store, "kept"));
  results = deca_store_list_node_results (store, "kept", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);

  /* Outside a batch the store is back to autocommit: this write survives a reopen. */
  put_result (store, "kept", "b", "2");
  g_assert_finalize_object (store);
  store = open_store (fixture);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = deca_store_list_node_results (store, "kept", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_finalize_object (store);
}

static void
test_transaction_commit (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  DecaStore *store = open_store (fixture);

  g_assert_true (deca_store_begin (store, &error));
  insert_execution (store, "e1", DECA_STATUS_RUNNING, 1);
  for (gint64 seq = 1; seq <= 100; seq++)
    g_assert_true (append_event (store, "e1", seq, &error));
  g_assert_true (deca_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  store = open_store (fixture);
  events = deca_store_list_events (store, "e1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 100);
  g_assert_finalize_object (store);
}

static void
test_transaction_nested (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  DecaStore *reader = open_store (fixture);

  /* Only the outermost commit publishes. */
  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (deca_store_begin (store, &error));
  insert_execution (store, "e1", DECA_STATUS_RUNNING, 1);
  g_assert_true (deca_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_false (has_execution (reader, "e1"));
  g_assert_true (deca_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_true (has_execution (reader, "e1"));

  /* A commit with no batch open is a state error. */
  g_assert_false (deca_store_commit (store, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);

  /* An inner rollback abandons the whole batch, and the outer commit says so. */
  g_assert_true (deca_store_begin (store, &error));
  insert_execution (store, "e2", DECA_STATUS_RUNNING, 2);
  g_assert_true (deca_store_begin (store, &error));
  insert_execution (store, "e3", DECA_STATUS_RUNNING, 3);
  deca_store_rollback (store);
  g_assert_false (deca_store_commit (store, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (has_execution (store, "e2"));
  g_assert_false (has_execution (store, "e3"));

  /* save_flow nests inside a caller's batch instead of committing it early. */
  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (deca_store_save_flow (store, "f", "F", "{}", NULL, &error));
  g_assert_no_error (error);
  deca_store_rollback (store);
  {
    g_autoptr(GPtrArray) flows = deca_store_list_flows (store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (flows->len, ==, 0);
  }

  g_assert_finalize_object (reader);
  g_assert_finalize_object (store);
}

/* Two connections */

static void
test_second_connection_sees_committed (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *engine = open_store (fixture);
  DecaStore *cli = open_store (fixture);
  DecaApprovalRecord decision = {
    .execution_id = (char *) "e1",
    .node_key = (char *) "review",
    .approved = TRUE,
    .decided_by = (char *) "cli",
  };
  DecaApprovalRecord *got;
  g_autofree char *document = NULL;

  /* The engine writes; `deca approve` in another process reads and decides... */
  g_assert_true (deca_store_save_flow (engine, "f", "F", "{\"n\":1}", NULL, &error));
  insert_execution (engine, "e1", DECA_STATUS_PAUSED, 1);
  g_assert_true (has_execution (cli, "e1"));
  document = deca_store_load_flow (cli, "f", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{\"n\":1}");
  g_assert_true (deca_store_put_approval (cli, &decision, &error));
  g_assert_no_error (error);

  /* ...and the engine sees the decision with no reopen. */
  got = deca_store_get_approval (engine, "e1", "review", &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpstr (got->decided_by, ==, "cli");
  g_assert_cmpint (got->decided_at, >, 0);
  deca_approval_record_free (got);

  g_assert_finalize_object (cli);
  g_assert_finalize_object (engine);
}

static void
test_second_connection_misses_uncommitted (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *engine = open_store (fixture);
  DecaStore *reader = open_store (fixture);

  insert_execution (engine, "e1", DECA_STATUS_RUNNING, 1);

  g_assert_true (deca_store_begin (engine, &error));
  insert_execution (engine, "e2", DECA_STATUS_RUNNING, 2);
  put_result (engine, "e1", "a", "1");
  g_assert_true (append_event (engine, "e1", 1, &error));

  /* WAL lets the reader run while the batch holds the write lock, on the last commit. */
  {
    g_autoptr(GPtrArray) results = deca_store_list_node_results (reader, "e1", &error);
    g_autoptr(GPtrArray) events = deca_store_list_events (reader, "e1", 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 0);
    g_assert_cmpuint (events->len, ==, 0);
    g_assert_true (has_execution (reader, "e1"));
    g_assert_false (has_execution (reader, "e2"));
  }

  g_assert_true (deca_store_commit (engine, &error));
  g_assert_no_error (error);

  {
    g_autoptr(GPtrArray) results = deca_store_list_node_results (reader, "e1", &error);
    g_autoptr(GPtrArray) events = deca_store_list_events (reader, "e1", 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 1);
    g_assert_cmpuint (events->len, ==, 1);
    g_assert_true (has_execution (reader, "e2"));
  }

  g_assert_finalize_object (reader);
  g_assert_finalize_object (engine);
}

/* A file written by an older build (schema 1) is migrated at open, keeping its data. */
static void
test_open_upgrades_old_schema (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  /* Schema 4 is where the statements below start from. */
  DecaStore *store = _deca_store_open_at_version (fixture->path, 4, &error);
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *version = NULL;

  g_assert_finalize_object (store);
  /* Turn the file back into what schema 1 was, with one execution and one node result. */
  g_assert_cmpint (raw_exec (fixture->path,
                             "ALTER TABLE executions DROP COLUMN owner;"
                             "ALTER TABLE node_results DROP COLUMN event_seq;"
                             "ALTER TABLE flows DROP COLUMN deleted_at;"
                             "ALTER TABLE flow_versions DROP COLUMN name;"
                             "INSERT INTO executions (id, flow_id, flow_version, status, created_at)"
                             " VALUES ('old', 'f', 1, 'running', 5);"
                             "INSERT INTO node_results (execution_pk, node_key, node_id, status, attempts)"
                             " VALUES ((SELECT pk FROM executions WHERE id = 'old'), 'a', 'a', 'succeeded', 1);"
                             "PRAGMA user_version = 1;"), ==, SQLITE_OK);

  store = open_store (fixture);
  g_assert_cmpint (deca_store_get_schema_version (store), ==, 6);
  record = deca_store_get_execution (store, "old", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->status, ==, "running");
  g_assert_null (record->owner);
  results = deca_store_list_node_results (store, "old", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (((DecaNodeResultRecord *) g_ptr_array_index (results, 0))->event_seq, ==, 0);
  g_assert_finalize_object (store);
  version = raw_query (fixture->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "6");
}

/* Ownership: a claim succeeds only against the expected owner, atomically. */
static void
test_execution_claim (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(DecaStore) other = open_store (fixture);
  g_autoptr(DecaExecutionRecord) got = NULL;
  DecaExecutionRecord record = {
    .id = (char *) "e1", .flow_id = (char *) "f", .status = (char *) DECA_STATUS_RUNNING,
    .owner = (char *) "host:1:1",
  };

  g_assert_true (deca_store_insert_execution (store, &record, &error));
  got = deca_store_get_execution (other, "e1", &error);
  g_assert_cmpstr (got->owner, ==, "host:1:1");

  /* Wrong expectation: refused, nothing changes. */
  g_assert_false (deca_store_claim_execution (other, "e1", "host:2:2", NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  /* The right one wins once; the loser of a race sees the new owner. */
  g_assert_true (deca_store_claim_execution (other, "e1", "host:2:2", "host:1:1", &error));
  g_assert_no_error (error);
  g_assert_false (deca_store_claim_execution (store, "e1", "host:3:3", "host:1:1", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  /* Releasing (owner NULL) and claiming an unowned one. */
  g_assert_true (deca_store_claim_execution (store, "e1", NULL, "host:2:2", &error));
  g_assert_true (deca_store_claim_execution (store, "e1", "host:3:3", NULL, &error));
  g_clear_pointer (&got, deca_execution_record_free);
  got = deca_store_get_execution (store, "e1", &error);
  g_assert_cmpstr (got->owner, ==, "host:3:3");
}

/* A rolled-back insert must not leave a cached key behind: a later write for that id
 * is refused as "not found" instead of landing on a stale key. */
static void
test_rollback_forgets_pk (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = open_store (fixture);
  DecaExecutionRecord record = { .id = (char *) "gone", .flow_id = (char *) "f", .status = (char *) DECA_STATUS_RUNNING };
  DecaEventRecord event = { .execution_id = (char *) "gone", .seq = 1, .type = (char *) "x", .payload = (char *) "{}" };

  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (deca_store_insert_execution (store, &record, &error));
  g_assert_true (deca_store_append_event (store, &event, &error));
  deca_store_rollback (store);
  g_assert_false (deca_store_append_event (store, &event, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
}

/* Flow catalogue (migration 4) */

/* Saves @document as the next version of @flow_id, failing the test on error. */
static gint64
save (DecaStore  *store,
      const char *flow_id,
      const char *name,
      const char *document)
{
  g_autoptr(GError) error = NULL;
  gint64 version = 0;

  g_assert_true (deca_store_save_flow (store, flow_id, name, document, &version, &error));
  g_assert_no_error (error);
  return version;
}

/* Summaries: every flow not deleted, most recently saved first, ties by id, with the
 * columns of its flows row. */
static void
test_flow_summaries (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GPtrArray) summaries = NULL;
  DecaFlowSummary *summary;

  summaries = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 0);
  g_clear_pointer (&summaries, g_ptr_array_unref);

  save (store, "b", "Bee", "{\"id\":\"b\"}");
  save (store, "a", "Ay", "{\"id\":\"a\"}");
  save (store, "c", "Sea", "{\"id\":\"c\"}");
  save (store, "c", NULL, "{\"id\":\"c\",\"nodes\":[]}");
  /* Times from the clock can coincide; set them so the order is known: b newest, then
   * a and c at the same time (so by id). */
  g_assert_cmpint (raw_exec (fixture->path,
                             "UPDATE flows SET created_at = 10, updated_at = 300 WHERE id = 'b';"
                             "UPDATE flows SET created_at = 20, updated_at = 200 WHERE id = 'c';"
                             "UPDATE flows SET created_at = 30, updated_at = 200 WHERE id = 'a';"),
                   ==, SQLITE_OK);

  summaries = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 3);
  summary = g_ptr_array_index (summaries, 0);
  g_assert_cmpstr (summary->id, ==, "b");
  g_assert_cmpstr (summary->name, ==, "Bee");
  g_assert_cmpint (summary->latest_version, ==, 1);
  g_assert_cmpint (summary->created_at, ==, 10);
  g_assert_cmpint (summary->updated_at, ==, 300);
  summary = g_ptr_array_index (summaries, 1);
  g_assert_cmpstr (summary->id, ==, "a");
  g_assert_cmpint (summary->updated_at, ==, 200);
  summary = g_ptr_array_index (summaries, 2);
  g_assert_cmpstr (summary->id, ==, "c");
  g_assert_cmpstr (summary->name, ==, "Sea");
  g_assert_cmpint (summary->latest_version, ==, 2);
  g_assert_cmpint (summary->created_at, ==, 20);
  /* None of these documents has a "name": the display name is the saver's. */
  g_assert_null (summary->document_name);
  g_clear_pointer (&summaries, g_ptr_array_unref);

  /* A new version moves a flow to the top; saving unchanged content does not. */
  save (store, "a", NULL, "{\"id\":\"a\"}");
  summaries = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((DecaFlowSummary *) g_ptr_array_index (summaries, 0))->id, ==, "b");
  g_clear_pointer (&summaries, g_ptr_array_unref);
  save (store, "a", NULL, "{\"id\":\"a\",\"name\":\"changed\"}");
  summaries = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  summary = g_ptr_array_index (summaries, 0);
  g_assert_cmpstr (summary->id, ==, "a");
  g_assert_cmpint (summary->latest_version, ==, 2);
  g_assert_cmpint (summary->created_at, ==, 30);
  g_assert_cmpint (summary->updated_at, >, 300);
  /* The latest version's document name, not the first one's nor the display name. */
  g_assert_cmpstr (summary->name, ==, "Ay");
  g_assert_cmpstr (summary->document_name, ==, "changed");
}

/* Rename: one new version whose document has the new name (its other members kept), the
 * flows row too; the same name again writes nothing; an unknown flow or a document that
 * is not an object is refused and changes nothing. */
static void
test_flow_rename (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *document = NULL;
  DecaFlowSummary *summary;
  JsonObject *object;
  gint64 version = 0;

  save (store, "f", "Old", "{\"id\":\"f\",\"name\":\"Old\",\"nodes\":[],\"x-extra\":[1]}");
  g_assert_true (deca_store_rename_flow (store, "f", "New name", &version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 2);

  document = deca_store_load_flow (store, "f", 0, NULL, &error);
  g_assert_no_error (error);
  root = json_from_string (document, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "New name");
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "f");
  g_assert_true (json_object_has_member (object, "x-extra"));
  summaries = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  summary = g_ptr_array_index (summaries, 0);
  g_assert_cmpstr (summary->name, ==, "New name");
  g_assert_cmpstr (summary->document_name, ==, "New name");
  g_assert_cmpint (summary->latest_version, ==, 2);

  /* The same name: nothing new. */
  g_assert_true (deca_store_rename_flow (store, "f", "New name", &version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 2);

  g_assert_false (deca_store_rename_flow (store, "missing", "X", &version, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  save (store, "raw", "Raw", "[1, 2]");
  g_assert_false (deca_store_rename_flow (store, "raw", "X", &version, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
  g_clear_error (&error);
  save (store, "bad", "Bad", "{not json");
  g_assert_false (deca_store_rename_flow (store, "bad", "X", &version, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
  g_clear_error (&error);

  /* The failures left no transaction open and nothing written. */
  versions = deca_store_list_flow_versions (store, "raw", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 1);
  g_clear_pointer (&versions, g_ptr_array_unref);
  versions = deca_store_list_flow_versions (store, "f", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 2);
  g_assert_cmpstr (((DecaFlowVersionInfo *) g_ptr_array_index (versions, 0))->name, ==, "New name");
  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (deca_store_commit (store, &error));
  g_assert_no_error (error);
}

/* A rename inside the caller's batch is part of it: rolling the batch back undoes it. */
static void
test_flow_rename_in_batch (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GPtrArray) versions = NULL;

  save (store, "f", "Old", "{\"id\":\"f\",\"name\":\"Old\"}");
  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (deca_store_rename_flow (store, "f", "New", NULL, &error));
  g_assert_no_error (error);
  deca_store_rollback (store);

  versions = deca_store_list_flow_versions (store, "f", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 1);
  g_assert_cmpstr (((DecaFlowVersionInfo *) g_ptr_array_index (versions, 0))->name, ==, "Old");
}

/* Versions: newest first, each with its document's name (NULL when the document has no
 * string name or is not JSON); an unknown flow is NOT_FOUND. */
static void
test_flow_version_list (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GPtrArray) versions = NULL;
  static const char * const names[] = { "Über “quoted”\n", NULL, NULL, NULL, "Last" };
  DecaFlowVersionInfo *info;

  save (store, "f", "F", "{\"id\":\"f\",\"name\":\"\\u00dcber \\u201cquoted\\u201d\\n\"}");
  save (store, "f", NULL, "{\"id\":\"f\"}");
  save (store, "f", NULL, "{\"id\":\"f\",\"name\":42}");
  save (store, "f", NULL, "not JSON at all {");
  save (store, "f", NULL, "{\"id\":\"f\",\"nested\":{\"name\":\"no\"},\"name\":\"Last\"}");
  save (store, "other", NULL, "{\"id\":\"other\",\"name\":\"Other\"}");

  versions = deca_store_list_flow_versions (store, "f", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 5);
  for (guint i = 0; i < versions->len; i++)
    {
      info = g_ptr_array_index (versions, i);
      g_assert_cmpstr (info->flow_id, ==, "f");
      g_assert_cmpint (info->version, ==, 5 - i);
      g_assert_cmpstr (info->name, ==, names[4 - i]);
      g_assert_cmpint (info->created_at, >, 0);
    }
  g_clear_pointer (&versions, g_ptr_array_unref);

  g_assert_null (deca_store_list_flow_versions (store, "missing", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing"));
  g_clear_error (&error);

  /* The name is stored with the version, not read from the document when listing. */
  {
    g_autofree char *stored = raw_query (fixture->path,
                                         "SELECT name FROM flow_versions"
                                         " WHERE flow_id = 'f' AND version = 5");

    g_assert_cmpstr (stored, ==, "Last");
  }
}

/* A flow with hundreds of versions lists them all, in order. */
static void
test_flow_version_list_many (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GPtrArray) versions = NULL;

  g_assert_true (deca_store_begin (store, &error));
  for (int i = 1; i <= 500; i++)
    {
      g_autofree char *document = g_strdup_printf ("{\"id\":\"big\",\"name\":\"Edit %d\"}", i);

      g_assert_cmpint (save (store, "big", NULL, document), ==, i);
    }
  g_assert_true (deca_store_commit (store, &error));

  versions = deca_store_list_flow_versions (store, "big", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 500);
  for (guint i = 0; i < versions->len; i++)
    {
      DecaFlowVersionInfo *info = g_ptr_array_index (versions, i);
      g_autofree char *name = g_strdup_printf ("Edit %u", 500 - i);

      g_assert_cmpint (info->version, ==, 500 - i);
      g_assert_cmpstr (info->name, ==, name);
    }
}

/* Deleting hides a flow from both lists and keeps everything else; undeleting brings it
 * back; saving leaves the flag alone; an unknown flow is NOT_FOUND. */
static void
test_flow_deleted (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autofree char *document = NULL;
  g_autofree char *first_deleted = NULL;
  g_autofree char *again_deleted = NULL;
  g_autofree char *undeleted = NULL;
  gint64 version = 0;

  save (store, "keep", NULL, "{\"id\":\"keep\"}");
  save (store, "gone", NULL, "{\"id\":\"gone\",\"name\":\"Gone\"}");

  g_assert_true (deca_store_set_flow_deleted (store, "gone", TRUE, &error));
  g_assert_no_error (error);

  ids = deca_store_list_flows (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "keep");
  g_clear_pointer (&ids, g_ptr_array_unref);
  summaries = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 1);
  g_assert_cmpstr (((DecaFlowSummary *) g_ptr_array_index (summaries, 0))->id, ==, "keep");
  g_clear_pointer (&summaries, g_ptr_array_unref);

  /* Still there for an undo, for executions and for subflows. */
  document = deca_store_load_flow (store, "gone", 0, &version, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{\"id\":\"gone\",\"name\":\"Gone\"}");
  versions = deca_store_list_flow_versions (store, "gone", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 1);

  /* Deleting again keeps the first time. */
  g_assert_cmpint (raw_exec (fixture->path, "UPDATE flows SET deleted_at = 1234 WHERE id = 'gone'"),
                   ==, SQLITE_OK);
  g_assert_true (deca_store_set_flow_deleted (store, "gone", TRUE, &error));
  g_assert_no_error (error);
  again_deleted = raw_query (fixture->path, "SELECT deleted_at FROM flows WHERE id = 'gone'");
  g_assert_cmpstr (again_deleted, ==, "1234");

  /* A save of a deleted flow stores the version and leaves it deleted. */
  g_assert_cmpint (save (store, "gone", NULL, "{\"id\":\"gone\",\"name\":\"Gone 2\"}"), ==, 2);
  ids = deca_store_list_flows (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_clear_pointer (&ids, g_ptr_array_unref);

  g_assert_true (deca_store_set_flow_deleted (store, "gone", FALSE, &error));
  g_assert_no_error (error);
  undeleted = raw_query (fixture->path, "SELECT deleted_at IS NULL FROM flows WHERE id = 'gone'");
  g_assert_cmpstr (undeleted, ==, "1");
  /* Undeleting a flow that is not deleted is fine too. */
  g_assert_true (deca_store_set_flow_deleted (store, "gone", FALSE, &error));
  g_assert_no_error (error);
  summaries = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 2);
  g_assert_cmpstr (((DecaFlowSummary *) g_ptr_array_index (summaries, 0))->id, ==, "gone");
  g_assert_cmpint (((DecaFlowSummary *) g_ptr_array_index (summaries, 0))->latest_version, ==, 2);
  ids = deca_store_list_flows (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);

  /* A fresh deletion records a real time. */
  g_assert_true (deca_store_set_flow_deleted (store, "keep", TRUE, &error));
  g_assert_no_error (error);
  first_deleted = raw_query (fixture->path, "SELECT deleted_at FROM flows WHERE id = 'keep'");
  g_assert_nonnull (first_deleted);
  g_assert_cmpint (g_ascii_strtoll (first_deleted, NULL, 10), >, 0);

  g_assert_false (deca_store_set_flow_deleted (store, "missing", TRUE, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing"));
  g_clear_error (&error);
  g_assert_false (deca_store_set_flow_deleted (store, "missing", FALSE, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
}

/* A file at schema 3 (before the catalogue) migrates to 4 keeping its flows: none is
 * deleted, each stored version gets its document's name, and versions stay immutable. */
static void
test_open_upgrades_schema_3 (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  /* Schema 4 is where the statements below start from. */
  DecaStore *store = _deca_store_open_at_version (fixture->path, 4, &error);
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autofree char *document = NULL;
  g_autofree char *version = NULL;
  g_autofree char *trigger = NULL;

  g_assert_finalize_object (store);
  /* Turn the file back into schema 3, holding two flows written the way a schema-3 build
   * wrote them. */
  g_assert_cmpint (raw_exec (fixture->path,
                             "ALTER TABLE flows DROP COLUMN deleted_at;"
                             "ALTER TABLE flow_versions DROP COLUMN name;"
                             "INSERT INTO flows (id, name, latest_version, created_at, updated_at)"
                             " VALUES ('old', 'Old', 2, 1, 2), ('raw', 'raw', 1, 3, 3);"
                             "INSERT INTO flow_versions (flow_id, version, document, content_hash, created_at)"
                             " VALUES ('old', 1, '{\"id\":\"old\",\"name\":\"Old one\"}', 'h1', 1),"
                             "        ('old', 2, '{\"id\":\"old\",\"name\":\"Old two\"}', 'h2', 2),"
                             "        ('raw', 1, 'not json', 'h3', 3);"
                             "PRAGMA user_version = 3;"), ==, SQLITE_OK);

  store = open_store (fixture);
  g_assert_cmpint (deca_store_get_schema_version (store), ==, 6);

  summaries = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 2);
  g_assert_cmpstr (((DecaFlowSummary *) g_ptr_array_index (summaries, 0))->id, ==, "raw");
  g_assert_cmpstr (((DecaFlowSummary *) g_ptr_array_index (summaries, 1))->id, ==, "old");
  g_assert_cmpstr (((DecaFlowSummary *) g_ptr_array_index (summaries, 1))->name, ==, "Old");

  versions = deca_store_list_flow_versions (store, "old", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 2);
  g_assert_cmpstr (((DecaFlowVersionInfo *) g_ptr_array_index (versions, 0))->name, ==, "Old two");
  g_assert_cmpstr (((DecaFlowVersionInfo *) g_ptr_array_index (versions, 1))->name, ==, "Old one");
  g_clear_pointer (&versions, g_ptr_array_unref);
  versions = deca_store_list_flow_versions (store, "raw", &error);
  g_assert_no_error (error);
  g_assert_null (((DecaFlowVersionInfo *) g_ptr_array_index (versions, 0))->name);

  document = deca_store_load_flow (store, "old", 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{\"id\":\"old\",\"name\":\"Old one\"}");

  /* New versions continue the numbering. */
  g_assert_cmpint (save (store, "old", NULL, "{\"id\":\"old\",\"name\":\"Old three\"}"), ==, 3);
  g_assert_finalize_object (store);

  version = raw_query (fixture->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "6");
  trigger = raw_query (fixture->path, "SELECT name FROM sqlite_schema WHERE type = 'trigger'");
  g_assert_cmpstr (trigger, ==, "flow_versions_immutable");
  g_assert_cmpint (raw_exec (fixture->path, "UPDATE flow_versions SET name = 'x'"), ==,
                   SQLITE_CONSTRAINT);
}

/* With checkpoints in the background, a store that commits far more than the threshold
 * (4096 pages) gets its WAL copied back by the thread, not by its commits: the thread
 * reports checkpoints, copied through the VFS that gives the CPU away now and then
 * (deca-yield-vfs.c), the WAL file stays bounded, and everything committed is there
 * after a reopen. */
static void
test_checkpoint_in_background (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *padding = g_strnfill (32 * 1024, 'x');
  g_autofree char *last = NULL;
  g_autofree char *loaded = NULL;
  DecaStore *store = open_store (fixture);
  const guint saves = 600;   /* about 11 pages each: well past two thresholds */
  guint yields = deca_yield_vfs_get_yields ();
  gint64 deadline;
  gint64 version = 0;
  GStatBuf st;

  g_assert_true (deca_store_checkpoint_in_background (store, &error));
  g_assert_no_error (error);
  /* Twice is once. */
  g_assert_true (deca_store_checkpoint_in_background (store, &error));
  for (guint i = 0; i < saves; i++)
    {
      g_free (last);
      last = g_strdup_printf ("{\"id\":\"big\",\"n\":%u,\"padding\":\"%s\"}", i, padding);
      g_assert_true (deca_store_save_flow (store, "big", "Big", last, &version, &error));
      g_assert_no_error (error);
    }
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (_deca_store_get_background_checkpoints (store) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_assert_cmpuint (deca_yield_vfs_get_yields (), >, yields);
  /* Without a checkpoint the WAL would hold every page written (about 26 MB); the
   * committing thread's fallback starts at 4 thresholds (64 MiB). */
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, <, (goffset) 5 * 4096 * 4096);
  g_assert_finalize_object (store);

  store = open_store (fixture);
  loaded = deca_store_load_flow (store, "big", 0, &version, &error);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, saves);
  g_assert_cmpstr (loaded, ==, last);
  g_assert_finalize_object (store);
}

/* One commit as the executor's checkpoints make them: execution @n of a three-node flow,
 * its results and events, and its end, in one small batch. */
static void
commit_small_execution (DecaStore *store,
                        guint      n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("exec-%06u", n);
  DecaExecutionRecord execution = {
    .id = id,
    .flow_id = (char *) "flow",
    .flow_version = 1,
    .status = (char *) DECA_STATUS_RUNNING,
    .input = (char *) "{\"body\":{\"order\":42,\"note\":\"a webhook's small body\"}}",
    .created_at = n + 1,   /* 0 would mean now */
    .started_at = n + 1,
  };

  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (deca_store_insert_execution (store, &execution, &error));
  g_assert_no_error (error);
  for (guint k = 1; k <= 3; k++)
    {
      g_autofree char *key = g_strdup_printf ("node-%u", k);

      put_result (store, id, key, "{\"result\":\"a node's small output\"}");
      g_assert_true (append_event (store, id, k, &error));
      g_assert_no_error (error);
    }
  execution.status = (char *) DECA_STATUS_SUCCEEDED;
  execution.output = (char *) "{\"ok\":true}";
  execution.finished_at = n + 1;
  g_assert_true (deca_store_update_execution (store, &execution, &error));
  g_assert_true (deca_store_commit (store, &error));
  g_assert_no_error (error);
}

/* Asserts that executions 0 to @count - 1 of commit_small_execution() are in the file at
 * @path, with all their results and events, read on a connection of its own. */
static void
assert_small_executions (const char *path,
                         guint       count)
{
  g_autofree char *where = g_strdup_printf ("WHERE created_at <= %u AND status = 'succeeded'", count);
  g_autofree char *executions_sql = g_strdup_printf ("SELECT count(*) FROM executions %s", where);
  g_autofree char *results_sql = g_strdup_printf ("SELECT count(*) FROM node_results WHERE execution_pk IN"
                                                  " (SELECT pk FROM executions %s)", where);
  g_autofree char *events_sql = g_strdup_printf ("SELECT count(*) FROM events WHERE execution_pk IN"
                                                 " (SELECT pk FROM executions %s)", where);
  g_autofree char *expected = g_strdup_printf ("%u", count);
  g_autofree char *expected_rows = g_strdup_printf ("%u", 3 * count);
  g_autofree char *executions = raw_query (path, executions_sql);
  g_autofree char *results = raw_query (path, results_sql);
  g_autofree char *events = raw_query (path, events_sql);

  g_assert_cmpstr (executions, ==, expected);
  g_assert_cmpstr (results, ==, expected_rows);
  g_assert_cmpstr (events, ==, expected_rows);
}

/* Commits executions @first to @first + @count - 1 (commit_small_execution()), with
 * deca_store_finish_checkpoint() after each when @finish; returns the largest size the
 * WAL file @wal had after a commit. */
static goffset
commit_small_executions (DecaStore  *store,
                         const char *wal,
                         guint       first,
                         guint       count,
                         gboolean    finish)
{
  goffset wal_max = 0;

  for (guint i = first; i < first + count; i++)
    {
      GStatBuf st;

      commit_small_execution (store, i);
      if (finish)
        deca_store_finish_checkpoint (store);
      g_assert_cmpint (g_stat (wal, &st), ==, 0);
      wal_max = MAX (wal_max, st.st_size);
    }
  return wal_max;
}

/* Under sustained small commits (the webhook benchmark's thousands a second) a PASSIVE
 * checkpoint never catches up with the writer, and SQLite starts a WAL over only once
 * every frame in it has been copied; the store finishes each background checkpoint from
 * the committing thread so that the WAL does start over (docs/storage.md,
 * "Checkpoints"). Without that the WAL grew to the committing thread's fallback (then
 * at 8 thresholds, 128 MiB) whatever the thread did. With it, it stays at the threshold
 * (16 MiB) plus what this loop commits during one cycle of the thread: here some 16 to
 * 30 MiB more, since nothing but commits runs in the loop, and on a disk busy with other
 * syncs up to the fallback at 4 thresholds, where this thread waits. Then everything
 * committed is there after a reopen. */
static void
test_checkpoint_in_background_sustained (Fixture       *fixture,
                                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  DecaStore *store = open_store (fixture);
  const guint commits = 12000;   /* about 80,000 frames: 20 thresholds */
  goffset wal_max;

  g_assert_true (deca_store_checkpoint_in_background (store, &error));
  g_assert_no_error (error);
  wal_max = commit_small_executions (store, wal, 0, commits, FALSE);
  g_test_message ("largest WAL: %.1f MiB", wal_max / (1024.0 * 1024.0));
  g_assert_cmpuint (_deca_store_get_background_checkpoints (store), >, 0);
  g_assert_cmpint (wal_max, <, (goffset) 5 * 4096 * 4096);
  g_assert_finalize_object (store);

  store = open_store (fixture);
  g_assert_finalize_object (store);
  assert_small_executions (fixture->path, commits);
}

/* With the last step of a cycle deferred (deca_store_defer_checkpoint_finish(),
 * as a store worker has it), commits leave it to deca_store_finish_checkpoint(): without
 * a call the WAL grows to the fallback at four thresholds, where the commit finishes it
 * after all; with a call after each commit it starts over as before, and everything
 * committed is there after a reopen. */
static void
test_checkpoint_in_background_deferred (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  DecaStore *store = open_store (fixture);
  const guint commits = 12000;   /* about 80,000 frames: 20 thresholds */
  goffset wal_max;

  g_assert_true (deca_store_checkpoint_in_background (store, &error));
  g_assert_no_error (error);
  deca_store_defer_checkpoint_finish (store);
  wal_max = commit_small_executions (store, wal, 0, commits, FALSE);
  g_test_message ("largest WAL, nothing finished: %.1f MiB", wal_max / (1024.0 * 1024.0));
  g_assert_cmpuint (_deca_store_get_deferred_checkpoint_finishes (store), ==, 0);
  g_assert_cmpint (wal_max, >=, (goffset) 4 * 4096 * 4096);

  wal_max = commit_small_executions (store, wal, commits, commits, TRUE);
  g_test_message ("largest WAL, finished after each commit: %.1f MiB", wal_max / (1024.0 * 1024.0));
  g_assert_cmpuint (_deca_store_get_deferred_checkpoint_finishes (store), >, 0);
  g_assert_cmpint (wal_max, <, (goffset) 5 * 4096 * 4096);
  g_assert_finalize_object (store);

  store = open_store (fixture);
  g_assert_finalize_object (store);
  assert_small_executions (fixture->path, 2 * commits);
}

typedef struct {
  const char *path;
  guint       first;
  guint       count;
} Committer;

/* GThreadFunc: commits executions @first to @first + @count - 1 on a store of its own. */
static gpointer
commit_on_own_store (gpointer data)
{
  Committer *committer = data;
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_store_open (committer->path, &error);

  g_assert_no_error (error);
  g_assert_true (deca_store_checkpoint_in_background (store, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < committer->count; i++)
    commit_small_execution (store, committer->first + i);
  g_assert_finalize_object (store);
  return NULL;
}

/* As deca serve has them: two connections to one file in one process (the server's
 * and its executor's writer thread), each checkpointing in the background, both
 * committing all the time. A cycle is finished holding the write lock, so the other
 * connection's commits cannot keep the WAL from starting over. The bound has one more
 * threshold than with one writer: one connection may commit on while the other waits at
 * the fallback. */
static void
test_checkpoint_in_background_two_writers (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  const guint commits = 6000;   /* each */
  Committer other = { fixture->path, commits, commits };
  DecaStore *store = open_store (fixture);
  goffset wal_max = 0;
  GThread *thread;

  g_assert_true (deca_store_checkpoint_in_background (store, &error));
  g_assert_no_error (error);
  thread = g_thread_new ("committer", commit_on_own_store, &other);
  for (guint i = 0; i < commits; i++)
    {
      GStatBuf st;

      commit_small_execution (store, i);
      g_assert_cmpint (g_stat (wal, &st), ==, 0);
      wal_max = MAX (wal_max, st.st_size);
    }
  g_thread_join (thread);
  g_test_message ("largest WAL: %.1f MiB", wal_max / (1024.0 * 1024.0));
  g_assert_cmpint (wal_max, <, (goffset) 6 * 4096 * 4096);
  g_assert_finalize_object (store);

  assert_small_executions (fixture->path, 2 * commits);
}

/* A process killed at any point, in a commit, in the thread's checkpoint or in the
 * committing thread's end of one, loses nothing it committed: a child commits as above
 * and reports each commit on a pipe; it is killed (SIGKILL) once it reported enough to
 * have started its WAL over several times, and every reported execution must be in the
 * file. */
static void
test_checkpoint_in_background_killed (Fixture       *fixture,
                                      gconstpointer  data)
{
  const guint kill_after = 6000;
  int fds[2];
  guint32 reported = 0;
  int status;
  pid_t pid;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      DecaStore *store;

      close (fds[0]);
      store = deca_store_open (fixture->path, &error);
      if (store == NULL || !deca_store_checkpoint_in_background (store, &error))
        _exit (1);
      /* Bounded in case the parent is gone; killed long before the end. */
      for (guint32 i = 0; i < 4 * kill_after; i++)
        {
          commit_small_execution (store, i);
          if (write (fds[1], &i, sizeof i) != sizeof i)
            _exit (1);
        }
      _exit (0);
    }

  close (fds[1]);
  for (;;)
    {
      guint32 n;

      g_assert_cmpint (read (fds[0], &n, sizeof n), ==, sizeof n);
      reported = n + 1;
      if (reported >= kill_after)
        break;
    }
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  close (fds[0]);

  /* Opening recovers what the WAL holds. */
  g_assert_finalize_object (open_store (fixture));
  assert_small_executions (fixture->path, reported);
}

static void
test_checkpoint_in_background_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = deca_store_open (":memory:", &error);

  g_assert_no_error (error);
  g_assert_true (deca_store_checkpoint_in_background (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (_deca_store_get_background_checkpoints (store), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/engine/store/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("open/creates-schema", test_open_creates_schema);
  g_test_add_func ("/deca/engine/store/open/memory", test_open_memory);
  ADD ("open/reopen-keeps-data", test_open_reopen_keeps_data);
  ADD ("open/migrations-idempotent", test_open_migrations_idempotent);
  ADD ("open/newer-refused", test_open_newer_refused);
  ADD ("open/upgrades-old-schema", test_open_upgrades_old_schema);
  ADD ("open/not-sqlite-refused", test_open_not_sqlite_refused);
  ADD ("flows/versions", test_flow_versions);
  ADD ("flows/summaries", test_flow_summaries);
  ADD ("flows/rename", test_flow_rename);
  ADD ("flows/rename-in-batch", test_flow_rename_in_batch);
  ADD ("flows/version-list", test_flow_version_list);
  ADD ("flows/version-list-many", test_flow_version_list_many);
  ADD ("flows/deleted", test_flow_deleted);
  ADD ("open/upgrades-schema-3", test_open_upgrades_schema_3);
  ADD ("executions/insert-update-get", test_execution_insert_update_get);
  ADD ("executions/list", test_execution_list);
  ADD ("executions/unfinished", test_execution_unfinished);
  ADD ("executions/claim", test_execution_claim);
  ADD ("executions/rollback-forgets-pk", test_rollback_forgets_pk);
  ADD ("node-results/put-replace-order", test_node_results);
  ADD ("events/append-list", test_events);
  ADD ("approvals/decide-once", test_approvals);
  ADD ("transactions/rollback", test_transaction_rollback);
  ADD ("transactions/commit", test_transaction_commit);
  ADD ("transactions/nested", test_transaction_nested);
  ADD ("connections/sees-committed", test_second_connection_sees_committed);
  ADD ("connections/misses-uncommitted", test_second_connection_misses_uncommitted);
  ADD ("checkpoints/background", test_checkpoint_in_background);
  ADD ("checkpoints/background-sustained", test_checkpoint_in_background_sustained);
  ADD ("checkpoints/background-two-writers", test_checkpoint_in_background_two_writers);
  ADD ("checkpoints/background-deferred", test_checkpoint_in_background_deferred);
  ADD ("checkpoints/background-killed", test_checkpoint_in_background_killed);
  g_test_add_func ("/deca/engine/store/checkpoints/background-memory", test_checkpoint_in_background_memory);

#undef ADD

  return g_test_run ();
}
