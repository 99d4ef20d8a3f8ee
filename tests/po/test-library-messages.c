/* test-library-messages.c: the messages of the library store (agents, prompts, functions)
 * and the API's not-found answers are whole sentences in the user's language, one per
 * kind of thing, never a translated sentence with an English "agent" or "event" inserted.
 * Each message of deca-store-library.c is made to happen for each kind (reads and lists
 * fail through a cached statement whose table went away, as in test-store-messages.c),
 * in English and with the German catalogue of the build directory (C.UTF-8 and
 * LANGUAGE, as test-translations.c). */

#include "config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "deca-engine-error.h"
#include "deca-engine-private.h"
#include "tests/po/deca-po-test.h"
#include "deca-store-library.h"
#include "deca-store-private.h"
#include "deca-store-server.h"
#include "server/deca-api-common.h"

static void
exec_sql (DecaStore  *store,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (_deca_store_get_db (store), sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* The messages of one kind, in one language. */
typedef struct {
  const char *not_found;      /* get of a missing item */
  const char *exists;         /* a new item whose id is taken */
  const char *changed;        /* a save expecting another version */
  const char *no_version;     /* a version that does not exist */
  const char *list_failed;    /* the list read failing */
  const char *versions_failed;
  const char *read_failed;
} KindMessages;

/* The item and version tables of each kind (migration 6). */
static const char * const item_tables[] = { "agents", "prompts", "functions" };
static const char * const version_tables[] = { "agent_versions", "prompt_versions", "function_versions" };

static void
check_kind (DecaLibraryKind     kind,
            const KindMessages *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = deca_store_open (":memory:", &error);
  g_autoptr(DecaLibraryItem) item = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autofree char *drop_versions = NULL;
  g_autofree char *drop_items = NULL;

  g_assert_no_error (error);
  g_assert_true (deca_store_create_workspace (store, "a", "A", &error));
  g_assert_no_error (error);

  g_assert_null (deca_store_get_library_item (store, kind, "a", "ghost", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, expected->not_found);
  g_clear_error (&error);

  g_assert_true (deca_store_save_library_item (store, kind, "a", "x", "X", "{}",
                                               DECA_LIBRARY_NEW_ITEM, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (deca_store_save_library_item (store, kind, "a", "x", "X", "{\"b\": 1}",
                                                DECA_LIBRARY_NEW_ITEM, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_assert_cmpstr (error->message, ==, expected->exists);
  g_clear_error (&error);
  g_assert_false (deca_store_save_library_item (store, kind, "a", "x", "X", "{\"b\": 1}", 5, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_assert_cmpstr (error->message, ==, expected->changed);
  g_clear_error (&error);
  g_assert_null (deca_store_load_library_document (store, kind, "a", "x", 9, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, expected->no_version);
  g_clear_error (&error);

  /* Every statement prepared (and cached) once, then their tables go: the failures come
   * at the step and name what was being done. */
  items = deca_store_list_library_items (store, kind, "a", NULL, NULL, 0, FALSE, &error);
  g_assert_no_error (error);
  versions = deca_store_list_library_versions (store, kind, "a", "x", &error);
  g_assert_no_error (error);
  item = deca_store_get_library_item (store, kind, "a", "x", &error);
  g_assert_no_error (error);

  drop_versions = g_strdup_printf ("ALTER TABLE %s RENAME TO gone_versions;", version_tables[kind]);
  exec_sql (store, drop_versions);
  g_clear_pointer (&versions, g_ptr_array_unref);
  g_assert_null (deca_store_list_library_versions (store, kind, "a", "x", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_assert_cmpstr (error->message, ==, expected->versions_failed);
  g_clear_error (&error);

  drop_items = g_strdup_printf ("ALTER TABLE %s RENAME TO gone_items;", item_tables[kind]);
  exec_sql (store, drop_items);
  g_clear_pointer (&items, g_ptr_array_unref);
  g_assert_null (deca_store_list_library_items (store, kind, "a", NULL, NULL, 0, FALSE, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_assert_cmpstr (error->message, ==, expected->list_failed);
  g_clear_error (&error);
  g_clear_pointer (&item, deca_library_item_free);
  g_assert_null (deca_store_get_library_item (store, kind, "a", "x", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_assert_cmpstr (error->message, ==, expected->read_failed);
}

static const KindMessages english[DECA_LIBRARY_N_KINDS] = {
  [DECA_LIBRARY_AGENT] = {
    "There is no agent “ghost” in workspace “a”",
    "Workspace “a” has an agent “x” already",
    "The agent “x” is at version 1, not 5: it was changed meanwhile",
    "There is no version 9 of agent “x”",
    "Could not list agents in store “:memory:”: no such table: agents",
    "Could not list the versions of agent “x” in store “:memory:”: no such table: agent_versions",
    "Could not read agent “x” in store “:memory:”: no such table: agents",
  },
  [DECA_LIBRARY_PROMPT] = {
    "There is no prompt “ghost” in workspace “a”",
    "Workspace “a” has a prompt “x” already",
    "The prompt “x” is at version 1, not 5: it was changed meanwhile",
    "There is no version 9 of prompt “x”",
    "Could not list prompts in store “:memory:”: no such table: prompts",
    "Could not list the versions of prompt “x” in store “:memory:”: no such table: prompt_versions",
    "Could not read prompt “x” in store “:memory:”: no such table: prompts",
  },
  [DECA_LIBRARY_FUNCTION] = {
    "There is no function “ghost” in workspace “a”",
    "Workspace “a” has a function “x” already",
    "The function “x” is at version 1, not 5: it was changed meanwhile",
    "There is no version 9 of function “x”",
    "Could not list functions in store “:memory:”: no such table: functions",
    "Could not list the versions of function “x” in store “:memory:”: no such table: function_versions",
    "Could not read function “x” in store “:memory:”: no such table: functions",
  },
};

/* SQLite's "no such table" stays its own (it means a broken build or database, for its
 * developers); every word around it is German. */
static const KindMessages german[DECA_LIBRARY_N_KINDS] = {
  [DECA_LIBRARY_AGENT] = {
    "Im Arbeitsbereich „a“ gibt es keinen Agenten „ghost“",
    "Der Arbeitsbereich „a“ hat bereits einen Agenten „x“",
    "Der Agent „x“ ist bei Version 1, nicht 5: Er wurde inzwischen geändert",
    "Es gibt keine Version 9 des Agenten „x“",
    "Es gelang nicht, die Agenten aufzulisten (Datenbank „:memory:“): no such table: agents",
    "Es gelang nicht, die Versionen des Agenten „x“ aufzulisten (Datenbank „:memory:“): "
      "no such table: agent_versions",
    "Es gelang nicht, den Agenten „x“ zu lesen (Datenbank „:memory:“): no such table: agents",
  },
  [DECA_LIBRARY_PROMPT] = {
    "Im Arbeitsbereich „a“ gibt es keinen Prompt „ghost“",
    "Der Arbeitsbereich „a“ hat bereits einen Prompt „x“",
    "Der Prompt „x“ ist bei Version 1, nicht 5: Er wurde inzwischen geändert",
    "Es gibt keine Version 9 des Prompts „x“",
    "Es gelang nicht, die Prompts aufzulisten (Datenbank „:memory:“): no such table: prompts",
    "Es gelang nicht, die Versionen des Prompts „x“ aufzulisten (Datenbank „:memory:“): "
      "no such table: prompt_versions",
    "Es gelang nicht, den Prompt „x“ zu lesen (Datenbank „:memory:“): no such table: prompts",
  },
  [DECA_LIBRARY_FUNCTION] = {
    "Im Arbeitsbereich „a“ gibt es keine Funktion „ghost“",
    "Der Arbeitsbereich „a“ hat bereits eine Funktion „x“",
    "Die Funktion „x“ ist bei Version 1, nicht 5: Sie wurde inzwischen geändert",
    "Es gibt keine Version 9 der Funktion „x“",
    "Es gelang nicht, die Funktionen aufzulisten (Datenbank „:memory:“): no such table: functions",
    "Es gelang nicht, die Versionen der Funktion „x“ aufzulisten (Datenbank „:memory:“): "
      "no such table: function_versions",
    "Es gelang nicht, die Funktion „x“ zu lesen (Datenbank „:memory:“): no such table: functions",
  },
};

static void
test_library_english (void)
{
  use_language (NULL);
  for (guint kind = 0; kind < DECA_LIBRARY_N_KINDS; kind++)
    check_kind (kind, &english[kind]);
}

static void
test_library_german (void)
{
  if (!have_german ())
    {
      g_test_skip ("no German catalogue in the build directory");
      return;
    }
  for (guint kind = 0; kind < DECA_LIBRARY_N_KINDS; kind++)
    check_kind (kind, &german[kind]);
}

/* Every noun the route files pass to _deca_api_respond_not_found() (or through
 * _deca_api_respond_store_error()) has its own German sentence. */
static void
test_not_found_german (void)
{
  static const char * const rows[][2] = {
    { "flow", "In diesem Arbeitsbereich gibt es keinen solchen Ablauf" },
    { "flow version", "In diesem Arbeitsbereich gibt es keine solche Ablaufversion" },
    { "execution", "In diesem Arbeitsbereich gibt es keine solche Ausführung" },
    { "event", "In diesem Arbeitsbereich gibt es kein solches Ereignis" },
  };

  if (!have_german ())
    {
      g_test_skip ("no German catalogue in the build directory");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpstr (_deca_api_not_found_message (rows[i][0]), ==, rows[i][1]);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/po/library-messages/english", test_library_english);
  g_test_add_func ("/deca/po/library-messages/german", test_library_german);
  g_test_add_func ("/deca/po/library-messages/not-found-german", test_not_found_german);

  return g_test_run ();
}
