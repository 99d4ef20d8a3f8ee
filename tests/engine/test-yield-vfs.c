/* test-yield-vfs.c: the VFS of the store's background checkpoints (deca-yield-vfs.c),
 * beside the default VFS, on real SQLite files in a temporary directory. */

#include <glib.h>
#include <sqlite3.h>

#include "deca-test-store-dir.h"
#include "deca-yield-vfs.h"

typedef DecaTestStoreDir Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  deca_test_store_dir_init (fixture, "deca-test-yield-vfs");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_store_dir_clear (fixture);
}

static sqlite3 *
open_db (const char *path,
         const char *vfs)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), ==,
                   SQLITE_OK);
  sqlite3_busy_timeout (db, 0);
  return db;
}

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
count_rows (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*), sum(length(data)) FROM t", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, n * 3000);
  sqlite3_finalize (stmt);
  return n;
}

/* The VFS has a name, registered once, and is not the default. */
static void
test_registered (void)
{
  const char *name = deca_yield_vfs_get_name ();

  g_assert_cmpstr (name, ==, DECA_YIELD_VFS_NAME);
  g_assert_true (deca_yield_vfs_get_name () == name);
  g_assert_nonnull (sqlite3_vfs_find (name));
  g_assert_true (sqlite3_vfs_find (NULL) != sqlite3_vfs_find (name));
}

/* A connection through the VFS works as one through the default VFS, beside one: the
 * locks of the two are the same locks (one's write transaction keeps the other from
 * writing, in WAL mode too), the one checkpoints what the other committed, and it gives
 * the CPU away once every 32 writes while it copies the pages back. */
static void
test_beside_default (Fixture       *fixture,
                     gconstpointer  data)
{
  sqlite3 *plain = open_db (fixture->path, NULL);
  sqlite3 *yielding;
  int log_frames = -1, copied = -1;
  guint yields;

  exec_ok (plain, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;"
                  "CREATE TABLE t (id INTEGER PRIMARY KEY, data TEXT)");
  yielding = open_db (fixture->path, deca_yield_vfs_get_name ());
  g_assert_cmpint (count_rows (yielding), ==, 0);

  /* One writer at a time, whichever VFS. */
  exec_ok (plain, "BEGIN IMMEDIATE");
  g_assert_cmpint (sqlite3_exec (yielding, "INSERT INTO t (data) VALUES ('x')", NULL, NULL, NULL), ==,
                   SQLITE_BUSY);
  exec_ok (plain, "COMMIT");
  exec_ok (yielding, "BEGIN IMMEDIATE");
  g_assert_cmpint (sqlite3_exec (plain, "INSERT INTO t (data) VALUES ('x')", NULL, NULL, NULL), ==,
                   SQLITE_BUSY);
  exec_ok (yielding, "ROLLBACK");

  /* 1000 rows of 3000 bytes: about 1000 pages in the WAL, for the other to copy. */
  exec_ok (plain, "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)"
                  " INSERT INTO t (data) SELECT printf ('%.3000c', 'a') FROM n");
  yields = deca_yield_vfs_get_yields ();
  g_assert_cmpint (sqlite3_wal_checkpoint_v2 (yielding, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied),
                   ==, SQLITE_OK);
  g_assert_cmpint (copied, ==, log_frames);
  g_assert_cmpint (copied, >=, 1000);
  g_assert_cmpuint (deca_yield_vfs_get_yields () - yields, >=, 1000 / 32);
  g_assert_cmpint (count_rows (yielding), ==, 1000);
  g_assert_cmpint (sqlite3_close (yielding), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (plain), ==, SQLITE_OK);

  /* What was copied is in the database file itself. */
  plain = open_db (fixture->path, NULL);
  exec_ok (plain, "PRAGMA journal_mode = DELETE");
  g_assert_cmpint (count_rows (plain), ==, 1000);
  g_assert_cmpint (sqlite3_close (plain), ==, SQLITE_OK);
}

/* A file that cannot be opened fails through the VFS as without it. */
static void
test_open_fails (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "no", "such.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (missing, &db, SQLITE_OPEN_READWRITE, deca_yield_vfs_get_name ()), ==,
                   SQLITE_CANTOPEN);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/yield-vfs/registered", test_registered);
  g_test_add ("/deca/engine/yield-vfs/beside-default", Fixture, NULL,
              fixture_setup, test_beside_default, fixture_teardown);
  g_test_add ("/deca/engine/yield-vfs/open-fails", Fixture, NULL,
              fixture_setup, test_open_fails, fixture_teardown);
  return g_test_run ();
}
