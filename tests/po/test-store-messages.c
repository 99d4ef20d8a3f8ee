/* test-store-messages.c: the store's error messages come out wholly in the user's
 * language. They are sentences ("Could not %s in store “%s”: %s") with the failed action
 * inserted ("read a workspace", marked with N_()); each part is translated where the
 * message is made, through every path that makes one: a read of one row, a read of a
 * list, a write whose constraint failure the caller does not describe, and one it
 * describes for other constraints. Failures are made real: a cached statement whose table
 * went away, and triggers that refuse a write. SQLite's explanation of a failure that an
 * administrator can act on (a read-only or full disk, a locked or damaged database) is
 * translated too, as is the message for a file that is not a database. The German catalogue of the build directory is used as in
 * test-translations.c (C.UTF-8 and LANGUAGE). */

#include "config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "deca-engine-error.h"
#include "deca-engine-private.h"
#include "tests/po/deca-po-test.h"
#include "deca-store-private.h"
#include "deca-store-server.h"

static DecaStore *
store_with_workspace (void)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_store_open (":memory:", &error);

  g_assert_no_error (error);
  g_assert_true (deca_store_create_workspace (store, "a", "A", &error));
  g_assert_no_error (error);
  return store;
}

static void
exec_sql (DecaStore  *store,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (_deca_store_get_db (store), sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* Asserts that @error is a store error whose message is @expected. */
static void
assert_message (GError     *error,
                const char *expected)
{
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_assert_cmpstr (error->message, ==, expected);
}

/* A read of one row and of a list, when their table is gone (the statements were cached
 * before, so the failure comes at the step and names the action). */
static void
check_reads (const char *workspace_message,
             const char *list_message,
             const char *member_message)
{
  g_autoptr(DecaStore) store = store_with_workspace ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaWorkspaceRecord) workspace = NULL;
  g_autoptr(GPtrArray) workspaces = NULL;
  g_autoptr(GPtrArray) members = NULL;

  workspace = deca_store_get_workspace (store, "a", &error);
  g_assert_no_error (error);
  workspaces = deca_store_list_workspaces (store, &error);
  g_assert_no_error (error);
  g_clear_pointer (&workspaces, g_ptr_array_unref);
  g_assert_true (deca_store_set_member (store, "a", "ann", "owner", &error));
  members = deca_store_list_members (store, "a", &error);
  g_assert_no_error (error);
  g_clear_pointer (&members, g_ptr_array_unref);

  exec_sql (store, "ALTER TABLE workspaces RENAME TO workspaces_gone;"
                   "ALTER TABLE users RENAME TO users_gone;");
  g_assert_null (deca_store_get_workspace (store, "a", &error));
  assert_message (error, workspace_message);
  g_clear_error (&error);
  g_assert_null (deca_store_list_workspaces (store, &error));
  assert_message (error, list_message);
  g_clear_error (&error);
  g_assert_null (deca_store_list_members (store, "a", &error));
  assert_message (error, member_message);
}

/* Writes that a trigger refuses: a constraint failure (SQLITE_CONSTRAINT_TRIGGER), which
 * the callers leave to the generic message. The trigger's text stands for SQLite's
 * explanation. */
static void
check_refused_writes (const char *refusal,
                      const char *create_message,
                      const char *rename_message)
{
  g_autoptr(DecaStore) store = store_with_workspace ();
  g_autoptr(GError) error = NULL;
  g_autofree char *triggers = g_strdup_printf (
    "CREATE TRIGGER no_insert BEFORE INSERT ON workspaces BEGIN SELECT RAISE (ABORT, '%s'); END;"
    "CREATE TRIGGER no_update BEFORE UPDATE ON workspaces BEGIN SELECT RAISE (ABORT, '%s'); END;",
    refusal, refusal);

  exec_sql (store, triggers);
  /* Not the primary key: the caller's own message ("already exists") does not apply. */
  g_assert_false (deca_store_create_workspace (store, "b", "B", &error));
  assert_message (error, create_message);
  g_clear_error (&error);
  g_assert_false (deca_store_rename_workspace (store, "a", "A2", &error));
  assert_message (error, rename_message);
}

/* A database that has become read-only: SQLite's explanation is one an administrator
 * acts on, and is translated. */
static void
check_read_only (const char *message)
{
  g_autoptr(DecaStore) store = store_with_workspace ();
  g_autoptr(GError) error = NULL;

  exec_sql (store, "PRAGMA query_only = ON;");
  g_assert_false (deca_store_rename_workspace (store, "a", "A2", &error));
  assert_message (error, message);
}

/* A file that is not a database, opened as the store: the message is @before, the
 * file's path, @after. */
static void
check_not_a_database (const char *before,
                      const char *after)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("deca-store-messages-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  g_assert_no_error (error);
  path = g_build_filename (dir, "flow.json", NULL);
  /* More than a page, so that SQLite reads a header that is not its own. */
  for (guint i = 0; i < 200; i++)
    g_string_append (text, "{\"this\": \"is a flow document, not a database\"}\n");
  g_assert_true (g_file_set_contents (path, text->str, -1, &error));
  g_assert_null (deca_store_open (path, &error));
  expected = g_strconcat (before, path, after, NULL);
  assert_message (error, expected);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_english (void)
{
  use_language (NULL);
  check_reads ("Could not read a workspace in store “:memory:”: no such table: workspaces",
               "Could not list workspaces in store “:memory:”: no such table: workspaces",
               "Could not list members in store “:memory:”: no such table: users");
  check_refused_writes ("refused by the test",
                        "Could not create a workspace in store “:memory:”: refused by the test",
                        "Could not rename a workspace in store “:memory:”: refused by the test");
  check_read_only ("Could not rename a workspace in store “:memory:”: the database is read-only");
  check_not_a_database ("Could not open store “", "”: the file is not a database");
}

static void
test_german (void)
{
  g_autofree char *linguas = NULL;

  use_language ("de");
  if (g_strcmp0 (g_dgettext (GETTEXT_PACKAGE, "translator-credits"), "translator-credits") == 0)
    {
      g_test_skip ("no German catalogue in the build directory");
      return;
    }
  /* The SQL error of a missing table stays SQLite's (it means a broken build or
   * database, for its developers); everything around it is German. */
  check_reads ("Es gelang nicht, einen Arbeitsbereich zu lesen (Datenbank „:memory:“): no such table: workspaces",
               "Es gelang nicht, die Arbeitsbereiche aufzulisten (Datenbank „:memory:“): no such table: workspaces",
               "Es gelang nicht, die Mitglieder aufzulisten (Datenbank „:memory:“): no such table: users");
  check_refused_writes ("vom Test abgelehnt",
                        "Es gelang nicht, einen Arbeitsbereich anzulegen (Datenbank „:memory:“): vom Test abgelehnt",
                        "Es gelang nicht, einen Arbeitsbereich umzubenennen (Datenbank „:memory:“): vom Test abgelehnt");
  check_read_only ("Es gelang nicht, einen Arbeitsbereich umzubenennen (Datenbank „:memory:“): "
                   "die Datenbank ist schreibgeschützt");
  check_not_a_database ("Die Datenbank „", "“ konnte nicht geöffnet werden: die Datei ist keine Datenbank");
  use_language (NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/po/store-messages/english", test_english);
  g_test_add_func ("/deca/po/store-messages/german", test_german);

  return g_test_run ();
}
