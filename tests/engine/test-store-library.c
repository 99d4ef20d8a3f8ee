/* test-store-library.c: the library tables of DecaStore (schema version 6: agents, prompts,
 * functions with immutable versions) against real SQLite files, and the validation of
 * library documents (deca-library.h). */

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "deca-engine-error.h"
#include "deca-json.h"
#include "deca-library.h"
#include "deca-node-type.h"
#include "deca-store.h"
#include "deca-store-library.h"
#include "deca-store-private.h"
#include "deca-store-server.h"
#include "deca-test-store-dir.h"

typedef DecaTestStoreDir Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  deca_test_store_dir_init (fixture, "deca-test-store-library");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_store_dir_clear (fixture);
}

/* Opens the fixture's store with workspaces "ws-a" and "ws-b". */
static DecaStore *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_store_open (fixture->path, &error);

  g_assert_no_error (error);
  if (deca_store_get_workspace (store, "ws-a", NULL) == NULL)
    {
      g_assert_true (deca_store_create_workspace (store, "ws-a", "A", &error));
      g_assert_true (deca_store_create_workspace (store, "ws-b", "B", &error));
    }
  return store;
}

static gint64
raw_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static int
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  sqlite3_close (db);
  return rc;
}

static gint64
save (DecaStore       *store,
      DecaLibraryKind  kind,
      const char      *workspace,
      const char      *id,
      const char      *document,
      gint64           expected)
{
  g_autoptr(GError) error = NULL;
  gint64 version = 0;

  g_assert_true (deca_store_save_library_item (store, kind, workspace, id, "name", document, expected,
                                               &version, &error));
  g_assert_no_error (error);
  return version;
}

/* Versions: new content makes a new version, the same content none; every kind has
 * tables of its own. */
static void
test_versions (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaLibraryItem) item = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autofree char *first = NULL;
  g_autofree char *latest = NULL;
  gint64 loaded = 0;

  for (guint kind = 0; kind < DECA_LIBRARY_N_KINDS; kind++)
    {
      g_autoptr(DecaLibraryItem) kind_item = NULL;

      g_assert_cmpint (save (store, kind, "ws-a", "x", "{\"v\":1}", DECA_LIBRARY_NEW_ITEM), ==, 1);
      g_assert_cmpint (save (store, kind, "ws-a", "x", "{\"v\":1}", DECA_LIBRARY_ANY_VERSION), ==, 1);
      g_assert_cmpint (save (store, kind, "ws-a", "x", "{\"v\":2}", 1), ==, 2);
      kind_item = deca_store_get_library_item (store, kind, "ws-a", "x", &error);
      g_assert_no_error (error);
      g_assert_cmpint (kind_item->kind, ==, kind);
      g_assert_cmpint (kind_item->latest_version, ==, 2);
      /* Created, then one new version; the save that changed nothing is not counted. */
      g_assert_cmpint (kind_item->revision, ==, 2);
      g_assert_false (kind_item->deleted);
    }
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM agent_versions"), ==, 2);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM prompt_versions"), ==, 2);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM function_versions"), ==, 2);

  g_assert_cmpint (save (store, DECA_LIBRARY_AGENT, "ws-a", "x", "{\"v\":3}", 0), ==, 3);
  first = deca_store_load_library_document (store, DECA_LIBRARY_AGENT, "ws-a", "x", 1, &loaded, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "{\"v\":1}");
  g_assert_cmpint (loaded, ==, 1);
  latest = deca_store_load_library_document (store, DECA_LIBRARY_AGENT, "ws-a", "x", 0, &loaded, &error);
  g_assert_cmpstr (latest, ==, "{\"v\":3}");
  g_assert_cmpint (loaded, ==, 3);
  g_assert_null (deca_store_load_library_document (store, DECA_LIBRARY_AGENT, "ws-a", "x", 4, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  versions = deca_store_list_library_versions (store, DECA_LIBRARY_AGENT, "ws-a", "x", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 3);
  g_assert_cmpint (((DecaLibraryVersionInfo *) versions->pdata[0])->version, ==, 3);
  g_assert_cmpint (((DecaLibraryVersionInfo *) versions->pdata[2])->version, ==, 1);
  g_assert_cmpstr (((DecaLibraryVersionInfo *) versions->pdata[0])->name, ==, "name");

  /* Versions are immutable, in the database itself. */
  g_assert_cmpint (raw_exec (fixture->path, "UPDATE agent_versions SET document = '{}'"), ==, SQLITE_CONSTRAINT);
  item = deca_store_get_library_item (store, DECA_LIBRARY_AGENT, "ws-a", "x", &error);
  g_assert_cmpint (item->revision, ==, 3);
}

/* The expected version: NEW refuses an existing item, a number must be the latest. */
static void
test_expected_version (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaLibraryItem) item = NULL;

  g_assert_false (deca_store_save_library_item (store, DECA_LIBRARY_PROMPT, "ws-a", "p", "n", "{}", 1, NULL,
                                                &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  save (store, DECA_LIBRARY_PROMPT, "ws-a", "p", "{\"a\":1}", DECA_LIBRARY_NEW_ITEM);
  g_assert_false (deca_store_save_library_item (store, DECA_LIBRARY_PROMPT, "ws-a", "p", "n", "{\"a\":2}",
                                                DECA_LIBRARY_NEW_ITEM, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  save (store, DECA_LIBRARY_PROMPT, "ws-a", "p", "{\"a\":2}", 1);
  /* Two writers from version 1: the second is refused and changes nothing. */
  g_assert_false (deca_store_save_library_item (store, DECA_LIBRARY_PROMPT, "ws-a", "p", "n", "{\"a\":3}", 1,
                                                NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  item = deca_store_get_library_item (store, DECA_LIBRARY_PROMPT, "ws-a", "p", &error);
  g_assert_cmpint (item->latest_version, ==, 2);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM prompt_versions"), ==, 2);

  g_assert_false (deca_store_delete_library_item (store, DECA_LIBRARY_PROMPT, "ws-a", "p", 1, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_true (deca_store_delete_library_item (store, DECA_LIBRARY_PROMPT, "ws-a", "p", 2, &error));
  g_assert_no_error (error);

  /* A save into a workspace that does not exist. */
  g_assert_false (deca_store_save_library_item (store, DECA_LIBRARY_PROMPT, "nowhere", "p", "n", "{}",
                                                DECA_LIBRARY_NEW_ITEM, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
}

/* Workspaces: the same id in two workspaces is two items; neither sees the other's. */
static void
test_workspaces (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list_b = NULL;
  g_autofree char *document_b = NULL;

  save (store, DECA_LIBRARY_FUNCTION, "ws-a", "f", "{\"in\":\"a\"}", DECA_LIBRARY_NEW_ITEM);
  g_assert_null (deca_store_get_library_item (store, DECA_LIBRARY_FUNCTION, "ws-b", "f", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (deca_store_load_library_document (store, DECA_LIBRARY_FUNCTION, "ws-b", "f", 0, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (deca_store_list_library_versions (store, DECA_LIBRARY_FUNCTION, "ws-b", "f", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (deca_store_delete_library_item (store, DECA_LIBRARY_FUNCTION, "ws-b", "f", 0, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (deca_store_save_library_item (store, DECA_LIBRARY_FUNCTION, "ws-b", "f", "n", "{}", 1, NULL,
                                                &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* B's own "f" is a separate item and leaves A's alone. */
  g_assert_cmpint (save (store, DECA_LIBRARY_FUNCTION, "ws-b", "f", "{\"in\":\"b\"}", DECA_LIBRARY_NEW_ITEM),
                   ==, 1);
  document_b = deca_store_load_library_document (store, DECA_LIBRARY_FUNCTION, "ws-b", "f", 0, NULL, &error);
  g_assert_cmpstr (document_b, ==, "{\"in\":\"b\"}");
  list_b = deca_store_list_library_items (store, DECA_LIBRARY_FUNCTION, "ws-b", NULL, NULL, 0, FALSE, &error);
  g_assert_cmpuint (list_b->len, ==, 1);
  g_assert_cmpstr (((DecaLibraryItem *) list_b->pdata[0])->workspace_id, ==, "ws-b");
  g_assert_cmpint (raw_int (fixture->path, "SELECT latest_version FROM functions WHERE workspace_id = 'ws-a'"),
                   ==, 1);
}

/* Lists page by id, filter by name, and leave deleted items out unless asked. */
static void
test_list (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page1 = NULL;
  g_autoptr(GPtrArray) page2 = NULL;
  g_autoptr(GPtrArray) named = NULL;
  g_autoptr(GPtrArray) live = NULL;
  g_autoptr(GPtrArray) all = NULL;
  static const char * const names[] = { "Campaign Analyzer", "Persona Generator", "Content Creator",
                                        "Data Analyst", "Code Reviewer" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *id = g_strdup_printf ("agent-%u", 4 - i);

      g_assert_true (deca_store_save_library_item (store, DECA_LIBRARY_AGENT, "ws-a", id, names[i], "{}",
                                                   DECA_LIBRARY_NEW_ITEM, NULL, &error));
    }
  page1 = deca_store_list_library_items (store, DECA_LIBRARY_AGENT, "ws-a", NULL, NULL, 2, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page1->len, ==, 2);
  g_assert_cmpstr (((DecaLibraryItem *) page1->pdata[0])->id, ==, "agent-0");
  g_assert_cmpstr (((DecaLibraryItem *) page1->pdata[1])->id, ==, "agent-1");
  g_assert_cmpstr (((DecaLibraryItem *) page1->pdata[0])->name, ==, "Code Reviewer");
  page2 = deca_store_list_library_items (store, DECA_LIBRARY_AGENT, "ws-a", NULL, "agent-1", 2, FALSE, &error);
  g_assert_cmpuint (page2->len, ==, 2);
  g_assert_cmpstr (((DecaLibraryItem *) page2->pdata[0])->id, ==, "agent-2");

  named = deca_store_list_library_items (store, DECA_LIBRARY_AGENT, "ws-a", "ANALY", NULL, 0, FALSE, &error);
  g_assert_cmpuint (named->len, ==, 2);
  g_assert_cmpstr (((DecaLibraryItem *) named->pdata[0])->name, ==, "Data Analyst");
  g_assert_cmpstr (((DecaLibraryItem *) named->pdata[1])->name, ==, "Campaign Analyzer");

  g_assert_true (deca_store_delete_library_item (store, DECA_LIBRARY_AGENT, "ws-a", "agent-0", 0, &error));
  live = deca_store_list_library_items (store, DECA_LIBRARY_AGENT, "ws-a", NULL, NULL, 0, FALSE, &error);
  g_assert_cmpuint (live->len, ==, 4);
  all = deca_store_list_library_items (store, DECA_LIBRARY_AGENT, "ws-a", NULL, NULL, 0, TRUE, &error);
  g_assert_cmpuint (all->len, ==, 5);
  g_assert_true (((DecaLibraryItem *) all->pdata[0])->deleted);
}

/* Deleting hides an item and counts as a change; saving it again brings it back with its
 * history. */
static void
test_delete (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaLibraryItem) back = NULL;
  g_autoptr(DecaLibraryItem) again = NULL;
  g_autoptr(GPtrArray) versions = NULL;

  save (store, DECA_LIBRARY_AGENT, "ws-a", "a", "{\"v\":1}", DECA_LIBRARY_NEW_ITEM);
  g_assert_true (deca_store_delete_library_item (store, DECA_LIBRARY_AGENT, "ws-a", "a", 0, &error));
  g_assert_null (deca_store_get_library_item (store, DECA_LIBRARY_AGENT, "ws-a", "a", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (deca_store_delete_library_item (store, DECA_LIBRARY_AGENT, "ws-a", "a", 0, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* An update of a deleted item is not found; a create brings it back. */
  g_assert_false (deca_store_save_library_item (store, DECA_LIBRARY_AGENT, "ws-a", "a", "n", "{\"v\":2}", 1,
                                                NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (fixture->path, "SELECT revision FROM agents WHERE id = 'a'"), ==, 2);

  g_assert_cmpint (save (store, DECA_LIBRARY_AGENT, "ws-a", "a", "{\"v\":1}", DECA_LIBRARY_NEW_ITEM), ==, 1);
  back = deca_store_get_library_item (store, DECA_LIBRARY_AGENT, "ws-a", "a", &error);
  g_assert_no_error (error);
  g_assert_false (back->deleted);
  g_assert_cmpint (back->revision, ==, 3);

  g_assert_true (deca_store_delete_library_item (store, DECA_LIBRARY_AGENT, "ws-a", "a", 1, &error));
  g_assert_cmpint (save (store, DECA_LIBRARY_AGENT, "ws-a", "a", "{\"v\":2}", DECA_LIBRARY_NEW_ITEM), ==, 2);
  again = deca_store_get_library_item (store, DECA_LIBRARY_AGENT, "ws-a", "a", &error);
  g_assert_cmpint (again->revision, ==, 5);
  versions = deca_store_list_library_versions (store, DECA_LIBRARY_AGENT, "ws-a", "a", &error);
  g_assert_cmpuint (versions->len, ==, 2);
}

/* A save that fails half-way inside the caller's batch leaves nothing of itself. */
static void
test_batch (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(DecaStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_store_begin (store, &error));
  save (store, DECA_LIBRARY_AGENT, "ws-a", "one", "{}", DECA_LIBRARY_NEW_ITEM);
  save (store, DECA_LIBRARY_PROMPT, "ws-a", "two", "{}", DECA_LIBRARY_NEW_ITEM);
  g_assert_false (deca_store_save_library_item (store, DECA_LIBRARY_AGENT, "ws-a", "one", "n", "{\"x\":1}",
                                                DECA_LIBRARY_NEW_ITEM, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_false (deca_store_commit (store, &error));
  g_clear_error (&error);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM agents"), ==, 0);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM prompts"), ==, 0);
}

/* A store at schema 5 with data is migrated to 6: its rows stay, the tables are new. */
static void
test_migrate_from_5 (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(DecaWorkspaceRecord) workspace = NULL;
  DecaStore *old = _deca_store_open_at_version (fixture->path, 5, &error);

  g_assert_no_error (error);
  g_assert_cmpint (deca_store_get_schema_version (old), ==, 5);
  g_assert_true (deca_store_create_workspace (old, "ws-a", "A", &error));
  g_assert_true (deca_store_save_workspace_flow (old, "ws-a", "f", "F", "{\"id\":\"f\"}", NULL, &error));
  g_assert_finalize_object (old);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM sqlite_master WHERE name = 'agents'"), ==, 0);

  store = deca_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (deca_store_get_schema_version (store), ==, 6);
  g_assert_cmpint (raw_int (fixture->path, "PRAGMA user_version"), ==, 6);
  workspace = deca_store_get_workspace (store, "ws-a", NULL);
  g_assert_nonnull (workspace);
  g_assert_cmpint (raw_int (fixture->path, "SELECT count(*) FROM flows WHERE workspace_id = 'ws-a'"), ==, 1);
  g_assert_cmpint (save (store, DECA_LIBRARY_FUNCTION, "ws-a", "f", "{}", DECA_LIBRARY_NEW_ITEM), ==, 1);
}

/* --- validation ------------------------------------------------------------------- */

/* The pointers of the problems of @text as @kind, joined by " " ("" when clean). */
static char *
problem_pointers (DecaLibraryKind  kind,
                  const char      *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) document = deca_json_parse (text, -1, &error);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
  g_autoptr(GString) pointers = g_string_new (NULL);

  g_assert_no_error (error);
  deca_library_validate (kind, document, "/x", problems);
  for (guint i = 0; i < problems->len; i++)
    {
      DecaValidationProblem *problem = g_ptr_array_index (problems, i);

      g_assert_true (g_str_has_prefix (problem->pointer, "/x"));
      g_assert_cmpstr (problem->message, !=, "");
      if (pointers->len > 0)
        g_string_append_c (pointers, ' ');
      /* "#" stands for the root, whose pointer is empty. */
      g_string_append (pointers, problem->pointer[2] != '\0' ? problem->pointer + 2 : "#");
    }
  return g_string_free (g_steal_pointer (&pointers), FALSE);
}

typedef struct {
  DecaLibraryKind kind;
  const char *document;
  const char *pointers;
} ValidationCase;

static const ValidationCase validation_cases[] = {
  /* Agents. */
  { DECA_LIBRARY_AGENT,
    "{\"name\": \"Persona Generator\", \"description\": \"Creates personas\", \"type\": \"persona-generator\","
    " \"status\": \"active\", \"model\": {\"provider\": \"openai\", \"name\": \"gpt-4\", \"temperature\": 0.7,"
    " \"max_tokens\": 2000}, \"system_prompt\": \"You write personas.\","
    " \"tools\": [{\"type\": \"function\", \"id\": \"data-validator\", \"version\": 2},"
    "            {\"type\": \"flow\", \"id\": \"enrich\"},"
    "            {\"type\": \"mcp\", \"id\": \"crm\", \"tools\": [\"lookup\"]}],"
    " \"credential\": \"openai\", \"memory\": {\"strategy\": \"window\", \"max_messages\": 20},"
    " \"metadata\": {\"team\": \"growth\"}}", "" },
  { DECA_LIBRARY_AGENT, "{\"name\": \"A\", \"model\": {\"provider\": \"anthropic\", \"name\": \"claude\"},"
    " \"prompt\": {\"id\": \"persona\", \"version\": 3}}", "" },
  { DECA_LIBRARY_AGENT, "{}", "/name /model" },
  { DECA_LIBRARY_AGENT, "[]", "#" },
  { DECA_LIBRARY_AGENT, "{\"name\": \"\", \"model\": {\"provider\": \"Open AI\", \"temperature\": 3},"
    " \"systm_prompt\": \"typo\"}", "/name /model/name /model/provider /model/temperature /systm_prompt" },
  { DECA_LIBRARY_AGENT, "{\"name\": \"A\", \"model\": {\"provider\": \"openai\", \"name\": \"m\"},"
    " \"system_prompt\": \"s\", \"prompt\": {\"id\": \"p\"}}", "/prompt" },
  { DECA_LIBRARY_AGENT, "{\"name\": \"A\", \"model\": {\"provider\": \"openai\", \"name\": \"m\"},"
    " \"tools\": [{\"type\": \"flow\", \"id\": \"a b\"}, {\"type\": \"function\", \"id\": \"f\", \"tools\": [\"x\"]},"
    "            {\"type\": \"mcp\", \"id\": \"s\", \"version\": 1}, {\"type\": \"flow\", \"id\": \"x\"},"
    "            {\"type\": \"flow\", \"id\": \"x\"}, {\"type\": \"agent\", \"id\": \"y\"}]}",
    "/tools/5/type /tools/0/id /tools/1/tools /tools/2/version /tools/4" },
  { DECA_LIBRARY_AGENT, "{\"name\": \"A\", \"model\": {\"provider\": \"openai\", \"name\": \"m\"},"
    " \"memory\": {\"strategy\": \"none\", \"max_messages\": 3}, \"credential\": \"9lives\"}",
    "/credential /memory/max_messages" },
  /* Prompts. */
  { DECA_LIBRARY_PROMPT,
    "{\"name\": \"Persona\", \"template\": \"Create a persona for {{customer_data}} in {{ upper(language) }}\","
    " \"variables\": {\"customer_data\": {\"type\": \"object\", \"required\": true},"
    "                 \"language\": {\"type\": \"string\", \"default\": \"en\", \"description\": \"ISO code\"}},"
    " \"model\": {\"temperature\": 0.2}, \"tags\": [\"marketing\"]}", "" },
  { DECA_LIBRARY_PROMPT, "{\"name\": \"P\", \"template\": \"Hi {{name}}, {{name}} and {{other.field}}\"}",
    "/template /template" },
  { DECA_LIBRARY_PROMPT, "{\"name\": \"P\", \"template\": \"Hi {{name\"}", "/template" },
  { DECA_LIBRARY_PROMPT, "{\"name\": \"P\", \"template\": \"x\", \"variables\": {\"n\": {\"type\": \"integer\","
    " \"default\": \"five\"}, \"1bad\": {\"type\": \"string\"}, \"t\": {\"type\": \"date\"}, \"u\": {}}}",
    "/variables/n/default /variables/1bad /variables/t/type /variables/u/type" },
  { DECA_LIBRARY_PROMPT, "{\"template\": \"\"}", "/name /template" },
  /* Functions. */
  { DECA_LIBRARY_FUNCTION,
    "{\"name\": \"Data validator\", \"language\": \"javascript\", \"code\": \"export function main(input) {}\","
    " \"entry_point\": \"main\", \"input_schema\": {\"type\": \"object\", \"required\": [\"email\"],"
    " \"properties\": {\"email\": {\"type\": \"string\"}}}, \"output_schema\": {\"type\": [\"object\", \"null\"]},"
    " \"timeout_ms\": 5000, \"memory_mb\": 128, \"dependencies\": [\"validator@13\"]}", "" },
  { DECA_LIBRARY_FUNCTION, "{\"name\": \"F\", \"language\": \"cobol\", \"code\": \"\", \"timeout_ms\": 0,"
    " \"entry_point\": \"2main\"}", "/language /code /timeout_ms /entry_point" },
  { DECA_LIBRARY_FUNCTION, "{\"name\": \"F\", \"language\": \"python\", \"code\": \"def main(x): pass\","
    " \"input_schema\": {\"type\": \"text\", \"required\": \"email\", \"properties\": {\"a\": 1}},"
    " \"output_schema\": []}", "/output_schema /input_schema/type /input_schema/required /input_schema/properties/a" },
};

static void
test_validation (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (validation_cases); i++)
    {
      const ValidationCase *c = &validation_cases[i];
      g_autofree char *pointers = problem_pointers (c->kind, c->document);
      g_auto(GStrv) got = g_strsplit (pointers, " ", -1);
      g_auto(GStrv) want = g_strsplit (c->pointers, " ", -1);

      /* The same pointers, in any order. */
      if (g_strv_length (got) != g_strv_length (want))
        g_error ("case %" G_GSIZE_FORMAT ": got \"%s\", want \"%s\"", i, pointers, c->pointers);
      for (guint j = 0; want[j] != NULL; j++)
        if (!g_strv_contains ((const char * const *) got, want[j]))
          g_error ("case %" G_GSIZE_FORMAT ": got \"%s\", want \"%s\"", i, pointers, c->pointers);
    }
}

static void
test_kinds (void)
{
  DecaLibraryKind kind;

  g_assert_true (deca_library_kind_from_string ("agents", &kind));
  g_assert_cmpint (kind, ==, DECA_LIBRARY_AGENT);
  g_assert_true (deca_library_kind_from_string ("function", &kind));
  g_assert_cmpint (kind, ==, DECA_LIBRARY_FUNCTION);
  g_assert_false (deca_library_kind_from_string ("flows", &kind));
  g_assert_cmpstr (deca_library_kind_plural (DECA_LIBRARY_PROMPT), ==, "prompts");
  g_assert_null (deca_library_kind_to_string (DECA_LIBRARY_N_KINDS));
  g_assert_true (deca_library_id_is_valid ("persona-generator"));
  g_assert_true (deca_library_id_is_valid ("v1.2_x"));
  g_assert_false (deca_library_id_is_valid (""));
  g_assert_false (deca_library_id_is_valid ("-x"));
  g_assert_false (deca_library_id_is_valid ("a/b"));
  g_assert_false (deca_library_id_is_valid ("a b"));
  for (guint i = 0; i < DECA_LIBRARY_N_KINDS; i++)
    g_assert_true (JSON_NODE_HOLDS_OBJECT (deca_library_get_schema (i)));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/deca/engine/store-library/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("versions", test_versions);
  ADD ("expected-version", test_expected_version);
  ADD ("workspaces", test_workspaces);
  ADD ("list", test_list);
  ADD ("delete", test_delete);
  ADD ("batch", test_batch);
  ADD ("migrate-from-5", test_migrate_from_5);
#undef ADD
  g_test_add_func ("/deca/engine/library/kinds", test_kinds);
  g_test_add_func ("/deca/engine/library/validation", test_validation);

  return g_test_run ();
}
