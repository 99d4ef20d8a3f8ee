/* test-store-server.c: the server's tables of DecaStore (schema version 5) against real
 * SQLite files in a temporary directory. */

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "deca-engine-error.h"
#include "deca-store.h"
#include "deca-store-private.h"
#include "deca-store-server.h"
#include "deca-test-store-dir.h"

typedef DecaTestStoreDir Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  deca_test_store_dir_init (fixture, "deca-test-store-server");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_store_dir_clear (fixture);
}

/* Opens the database at @path, failing the test on error. */
static DecaStore *
open_path (const char *path)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static DecaStore *
open_store (Fixture *fixture)
{
  return open_path (fixture->path);
}

/* Runs @sql on a separate raw connection to @path and returns (transfer full) the first
 * column of the first row as text, NULL when there is no row. */
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

/* Returns the integer @sql yields on a raw connection to @path. */
static gint64
raw_int (const char *path,
         const char *sql)
{
  g_autofree char *text = raw_query (path, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* Schedules */

static gboolean
claim (DecaStore  *store,
       const char *flow_id,
       const char *trigger_key,
       gint64      fire_at,
       const char *owner)
{
  g_autoptr(GError) error = NULL;
  gboolean claimed = deca_store_claim_schedule_fire (store, flow_id, trigger_key, fire_at,
                                                     owner, &error);

  g_assert_no_error (error);
  return claimed;
}

static gint64
cursor (DecaStore  *store,
        const char *flow_id,
        const char *trigger_key)
{
  g_autoptr(GError) error = NULL;
  gint64 last = -1;

  g_assert_true (deca_store_get_schedule_cursor (store, flow_id, trigger_key, &last, &error));
  g_assert_no_error (error);
  return last;
}

/* A fire is claimed once; the claim moves the cursor forward, never back; set_cursor
 * never moves it back either; clearing forgets the cursors of one flow only. */
static void
test_schedule_claim (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = open_store (fixture);
  g_autofree char *owner = NULL;
  guint deleted = 0;

  g_assert_cmpint (cursor (store, "f", "t"), ==, 0);
  g_assert_true (claim (store, "f", "t", 1000, "a"));
  g_assert_false (claim (store, "f", "t", 1000, "a"));
  g_assert_false (claim (store, "f", "t", 1000, "b"));
  g_assert_cmpint (cursor (store, "f", "t"), ==, 1000);
  /* Other fire times, triggers and flows are other fires. */
  g_assert_true (claim (store, "f", "t", 1060, "b"));
  g_assert_true (claim (store, "f", "u", 1000, "b"));
  g_assert_true (claim (store, "g", "t", 1000, NULL));
  g_assert_cmpint (cursor (store, "f", "t"), ==, 1060);
  /* A late claim of an older fire (a backlog) does not move the cursor back. */
  g_assert_true (claim (store, "f", "t", 900, "a"));
  g_assert_cmpint (cursor (store, "f", "t"), ==, 1060);
  owner = raw_query (fixture->path, "SELECT claimed_by FROM schedule_fires WHERE fire_at = 1060");
  g_assert_cmpstr (owner, ==, "b");

  g_assert_true (deca_store_set_schedule_cursor (store, "f", "t", 2000, &error));
  g_assert_no_error (error);
  g_assert_true (deca_store_set_schedule_cursor (store, "f", "t", 1500, &error));
  g_assert_cmpint (cursor (store, "f", "t"), ==, 2000);
  g_assert_true (deca_store_set_schedule_cursor (store, "h", "t", 30, &error));
  g_assert_cmpint (cursor (store, "h", "t"), ==, 30);

  g_assert_true (deca_store_clear_schedule_cursors (store, "f", &error));
  g_assert_no_error (error);
  g_assert_cmpint (cursor (store, "f", "t"), ==, 0);
  g_assert_cmpint (cursor (store, "f", "u"), ==, 0);
  g_assert_cmpint (cursor (store, "g", "t"), ==, 1000);
  /* Claims outlive the cursor: the fire is still taken. */
  g_assert_false (claim (store, "f", "t", 1000, "c"));

  g_assert_true (deca_store_prune_schedule_fires (store, 1000, &deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deleted, ==, 1);  /* only 900 */
  g_assert_true (claim (store, "f", "t", 900, "c"));
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM schedule_fires"), ==, 5);

  /* Inside a batch the claim is part of the batch: rolled back, it never happened. */
  g_assert_true (deca_store_begin (store, &error));
  g_assert_true (claim (store, "f", "t", 5000, "a"));
  deca_store_rollback (store);
  g_assert_true (claim (store, "f", "t", 5000, "b"));

  g_assert_finalize_object (store);
}

/* Two connections on one file: every fire goes to exactly one of them. */
static void
test_schedule_claim_two_connections (Fixture       *fixture,
                                     gconstpointer  data)
{
  DecaStore *a = open_store (fixture);
  DecaStore *b = open_store (fixture);
  guint won_a = 0, won_b = 0;

  for (gint64 t = 0; t < 50; t++)
    {
      /* Alternate who asks first, so neither wins by always being first. */
      DecaStore *first = t % 2 ? a : b;
      DecaStore *second = t % 2 ? b : a;
      gboolean one = claim (first, "flow", "cron", 1700000000 + t, "1");
      gboolean two = claim (second, "flow", "cron", 1700000000 + t, "2");

      g_assert_true (one != two);
      if ((one && first == a) || (two && second == a))
        won_a++;
      else
        won_b++;
    }
  g_assert_cmpuint (won_a, ==, 25);
  g_assert_cmpuint (won_b, ==, 25);
  g_assert_cmpint (cursor (a, "flow", "cron"), ==, 1700000049);
  g_assert_cmpint (cursor (b, "flow", "cron"), ==, 1700000049);

  g_assert_finalize_object (a);
  g_assert_finalize_object (b);
}

#define RACE_FIRES 200
#define RACE_THREADS 4

typedef struct {
  const char    *path;
  int            index;
  gint          *ready;        /* threads that opened their store */
  gboolean      *won;          /* [RACE_THREADS][RACE_FIRES] */
} RaceThread;

/* Opens its own store (a DecaStore belongs to one thread), waits until every thread has
 * one, then claims every fire. */
static gpointer
race_thread_main (gpointer data)
{
  RaceThread *race = data;
  g_autoptr(DecaStore) store = NULL;
  g_autofree char *owner = g_strdup_printf ("thread-%d", race->index);
  GError *error = NULL;

  store = deca_store_open (race->path, &error);
  g_assert_no_error (error);
  g_atomic_int_inc (race->ready);
  while (g_atomic_int_get (race->ready) < RACE_THREADS)
    g_thread_yield ();

  for (int i = 0; i < RACE_FIRES; i++)
    {
      race->won[race->index * RACE_FIRES + i] =
        deca_store_claim_schedule_fire (store, "flow", "cron", 1700000000 + i, owner, &error);
      g_assert_no_error (error);
    }
  return NULL;
}

/* Threads with a connection each, racing for the same fires: each fire has exactly one
 * winner, and the store agrees with what the winners were told. */
static void
test_schedule_claim_threads (Fixture       *fixture,
                             gconstpointer  data)
{
  DecaStore *store = open_store (fixture);  /* creates the file before the race */
  RaceThread races[RACE_THREADS];
  GThread *threads[RACE_THREADS];
  gboolean won[RACE_THREADS * RACE_FIRES] = { 0 };
  gint ready = 0;

  for (int i = 0; i < RACE_THREADS; i++)
    {
      races[i] = (RaceThread) { fixture->path, i, &ready, won };
      threads[i] = g_thread_new ("race", race_thread_main, &races[i]);
    }
  for (int i = 0; i < RACE_THREADS; i++)
    g_thread_join (threads[i]);

  for (int f = 0; f < RACE_FIRES; f++)
    {
      int winners = 0;
      int winner = -1;
      g_autofree char *sql = g_strdup_printf ("SELECT claimed_by FROM schedule_fires"
                                              " WHERE fire_at = %d", 1700000000 + f);
      g_autofree char *owner = NULL;
      g_autofree char *expected = NULL;

      for (int t = 0; t < RACE_THREADS; t++)
        if (won[t * RACE_FIRES + f])
          {
            winners++;
            winner = t;
          }
      g_assert_cmpint (winners, ==, 1);
      owner = raw_query (fixture->path, sql);
      expected = g_strdup_printf ("thread-%d", winner);
      g_assert_cmpstr (owner, ==, expected);
    }
  g_assert_cmpint (cursor (store, "flow", "cron"), ==, 1700000000 + RACE_FIRES - 1);
  g_assert_finalize_object (store);
}

/* Migration */

/* A database as a schema-4 build left it (flows, versions, an execution with results and
 * events) migrates to 5: everything lands in "local", the old API works unchanged, and
 * the server tables are there and empty. */
static void
test_migrate_from_4 (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = _deca_store_open_at_version (fixture->path, 4, &error);
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(DecaExecutionRecord) execution = NULL;
  g_autoptr(DecaWorkspaceRecord) local = NULL;
  g_autofree char *document = NULL;
  g_autofree char *none = NULL;
  gint64 version = 0;
  static const char * const tables[] = {
    "workspaces", "users", "members", "api_keys", "credentials", "audit_log",
    "topic_events", "schedule_fires", "schedule_cursors",
  };

  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fixture->path, "PRAGMA user_version"), ==, 4);
  none = raw_query (fixture->path, "SELECT name FROM sqlite_master WHERE name = 'workspaces'");
  g_assert_null (none);
  /* Written through the raw connection, the way schema 4 stored them. */
  {
    sqlite3 *db = _deca_store_get_db (store);

    g_assert_cmpint (sqlite3_exec (db,
      "INSERT INTO flows (id, name, latest_version, created_at, updated_at)"
      " VALUES ('old', 'Old', 2, 1, 2);"
      "INSERT INTO flow_versions (flow_id, version, document, content_hash, created_at, name)"
      " VALUES ('old', 1, '{\"id\":\"old\",\"name\":\"one\"}', 'h1', 1, 'one'),"
      "        ('old', 2, '{\"id\":\"old\",\"name\":\"two\"}', 'h2', 2, 'two');"
      "INSERT INTO executions (id, flow_id, flow_version, status, created_at)"
      " VALUES ('e-old', 'old', 2, 'succeeded', 3);"
      "INSERT INTO node_results (execution_pk, node_key, node_id, status, attempts)"
      " VALUES ((SELECT pk FROM executions WHERE id = 'e-old'), 'a', 'a', 'succeeded', 1);"
      "INSERT INTO events (execution_pk, seq, type, time, payload)"
      " VALUES ((SELECT pk FROM executions WHERE id = 'e-old'), 1, 'execution.started', 3, '{}');",
      NULL, NULL, NULL), ==, SQLITE_OK);
  }
  g_assert_finalize_object (store);

  store = open_store (fixture);
  g_assert_cmpint (deca_store_get_schema_version (store), ==, 5);
  g_assert_cmpint (raw_int (fixture->path, "PRAGMA user_version"), ==, 5);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[i]);

      g_assert_cmpint (raw_int (fixture->path, sql), ==, g_str_equal (tables[i], "workspaces"));
    }

  local = deca_store_get_workspace (store, DECA_WORKSPACE_LOCAL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (local->name, ==, "Local");
  g_assert_cmpint (local->created_at, >, 0);

  /* The old API, unchanged. */
  ids = deca_store_list_flows (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  document = deca_store_load_flow (store, "old", 1, &version, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{\"id\":\"old\",\"name\":\"one\"}");
  g_clear_pointer (&document, g_free);
  g_assert_true (deca_store_save_flow (store, "old", NULL, "{\"id\":\"old\",\"name\":\"three\"}",
                                       &version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 3);
  summaries = deca_store_list_flow_summaries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 1);
  {
    DecaFlowSummary *summary = g_ptr_array_index (summaries, 0);

    g_assert_cmpstr (summary->id, ==, "old");
    g_assert_cmpstr (summary->document_name, ==, "three");
    g_assert_cmpstr (summary->workspace_id, ==, DECA_WORKSPACE_LOCAL);
    g_assert_false (summary->active);
  }
  g_clear_pointer (&summaries, g_ptr_array_unref);
  execution = deca_store_get_execution (store, "e-old", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (execution->workspace_id, ==, DECA_WORKSPACE_LOCAL);
  results = deca_store_list_node_results (store, "e-old", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  events = deca_store_list_events (store, "e-old", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);

  /* And the same flow through the workspace-scoped API of "local". */
  summaries = deca_store_list_workspace_flow_summaries (store, DECA_WORKSPACE_LOCAL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 1);
  document = deca_store_load_workspace_flow (store, DECA_WORKSPACE_LOCAL, "old", 0, &version,
                                             &error);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 3);

  /* Versions stay immutable after the migration. */
  g_assert_cmpint (sqlite3_exec (_deca_store_get_db (store),
                                 "UPDATE flow_versions SET document = 'x'", NULL, NULL, NULL),
                   !=, SQLITE_OK);
  g_assert_finalize_object (store);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/engine/store-server/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("migrate-from-4", test_migrate_from_4);
  ADD ("schedule/claim", test_schedule_claim);
  ADD ("schedule/claim-two-connections", test_schedule_claim_two_connections);
  ADD ("schedule/claim-threads", test_schedule_claim_threads);

#undef ADD

  return g_test_run ();
}
