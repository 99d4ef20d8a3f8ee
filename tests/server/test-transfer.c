/* test-transfer.c: export and import of a workspace. In-process servers (each on a thread
 * of its own, with the flows, credentials, library and transfer routes) for the routes:
 * a round trip into a workspace of another server gives the same objects, and a library
 * into another workspace of the same server; a bad bundle is a 422 with pointers into it
 * and changes nothing; conflicts are a 409 listing each one and change nothing; merge and
 * replace; the secret of a credential is in no export; permissions, other workspaces and
 * audit lines. Then the real `deca export` and `deca import` ($DECA_BIN) on data
 * directories.
 *
 * A small authenticator stands for the real one: "Bearer <workspace>:<role>". */

#include "config.h"

#include <string.h>
#include <sqlite3.h>

#include <deca-engine.h>
#include <deca-store-library.h>
#include <deca-store-server.h>

#include "deca-api-credentials.h"
#include "deca-api-flows.h"
#include "deca-api-library.h"
#include "deca-api-transfer.h"
#include "deca-secret-box.h"
#include "deca-server.h"
#include "deca-server-test.h"
#include "deca-test-fs.h"

#define SECRET "sk-transfer-secret-Q81zz"
#define KEY_LINE "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

/* One server on a thread of its own, with workspaces "ws-a" and "ws-b" (or @workspace). */
typedef struct {
  const char *workspace;
  DecaTestServer *server;
  DecaApiFlows *flows;    /* used on the server thread only */
  /* What DecaApiFlows told its dispatchers (atomic: counted on the server thread). */
  gint flows_saved;
  gint flows_deactivated;
  gint flows_deleted;
} TestServer;

typedef struct {
  char *dir;
  TestServer one;
  TestServer two;         /* started by the tests that need it */
} Fixture;

static const char chain_flow[] =
  "{\"id\": \"chain\", \"name\": \"Chain\", \"nodes\": ["
  " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.start}}\"}}},"
  " {\"id\": \"b\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{a.n + 1}}\"}}}],"
  " \"connections\": [{\"from\": \"a\", \"to\": \"b\"}]}";
static const char nap_flow[] =
  "{\"id\": \"nap\", \"name\": \"Nap\", \"nodes\": ["
  " {\"id\": \"sleep\", \"type\": \"wait\", \"config\": {\"duration\": 3600}}]}";
static const char agent_doc[] =
  "{\"id\": \"persona-generator\", \"name\": \"Persona Generator\","
  " \"model\": {\"provider\": \"openai\", \"name\": \"gpt-4\"}, \"prompt\": {\"id\": \"persona\"},"
  " \"credential\": \"openai\"}";
static const char prompt_doc[] =
  "{\"id\": \"persona\", \"name\": \"Persona\", \"template\": \"Persona for {{customer}}\","
  " \"variables\": {\"customer\": {\"type\": \"object\"}}}";
static const char function_doc[] =
  "{\"id\": \"data-validator\", \"name\": \"Validator\", \"language\": \"python\","
  " \"code\": \"def main(i):\\n    return {'success': True}\"}";

/* --- the servers -------------------------------------------------------------------- */

static void
flow_saved_cb (DecaApiFlows *flows,
               const char   *workspace_id,
               const char   *flow_id,
               gint64        version,
               gpointer      user_data)
{
  TestServer *ts = user_data;

  g_assert_cmpint (version, >, 0);
  g_atomic_int_inc (&ts->flows_saved);
}

static void
flow_active_changed_cb (DecaApiFlows *flows,
                        const char   *workspace_id,
                        const char   *flow_id,
                        gboolean      active,
                        gpointer      user_data)
{
  TestServer *ts = user_data;

  if (!active)
    g_atomic_int_inc (&ts->flows_deactivated);
}

static void
flow_deleted_cb (DecaApiFlows *flows,
                 const char   *workspace_id,
                 const char   *flow_id,
                 gpointer      user_data)
{
  TestServer *ts = user_data;

  g_atomic_int_inc (&ts->flows_deleted);
}

/* On the server thread: the workspaces, the credentials, library, flows and transfer
 * routes, the test authenticator. */
static void
server_setup (DecaTestServer *test_server,
              DecaServer     *server,
              gpointer        user_data)
{
  TestServer *ts = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaSecretBox) box = deca_secret_box_new ();
  DecaStore *store = deca_server_get_store (server);

  if (ts->workspace != NULL)
    g_assert_true (deca_store_create_workspace (store, ts->workspace, "New", &error));
  else
    {
      g_assert_true (deca_store_create_workspace (store, "ws-a", "A", &error));
      g_assert_true (deca_store_create_workspace (store, "ws-b", "B", &error));
    }
  g_assert_true (deca_secret_box_load_keys (box, KEY_LINE, &error));
  g_assert_true (deca_api_credentials_register (server, box, &error));
  g_assert_true (deca_api_library_register (server, &error));
  ts->flows = deca_api_flows_register (server, NULL, &error);
  g_assert_nonnull (ts->flows);
  g_signal_connect (ts->flows, "flow-saved", G_CALLBACK (flow_saved_cb), ts);
  g_signal_connect (ts->flows, "flow-active-changed", G_CALLBACK (flow_active_changed_cb), ts);
  g_signal_connect (ts->flows, "flow-deleted", G_CALLBACK (flow_deleted_cb), ts);
  g_assert_true (deca_api_transfer_register (server, ts->flows, &error));
  g_assert_no_error (error);
  deca_test_install_role_authenticator (server);
}

static void
server_teardown (DecaTestServer *test_server,
                 DecaServer     *server,
                 gpointer        user_data)
{
  TestServer *ts = user_data;

  g_clear_object (&ts->flows);
}

static void
test_server_start (TestServer *ts,
                   const char *name,
                   const char *workspace)
{
  g_autofree char *full_name = g_strconcat ("transfer-", name, NULL);
  DecaTestServerOptions options = { .setup = server_setup, .teardown = server_teardown, .user_data = ts };

  ts->workspace = workspace;
  ts->server = deca_test_server_new (full_name, &options);
}

static void
test_server_stop (TestServer *ts)
{
  g_clear_pointer (&ts->server, deca_test_server_free);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("deca-test-transfer-XXXXXX", &error);
  g_assert_no_error (error);
  if (data == NULL)
    test_server_start (&fixture->one, "one", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  test_server_stop (&fixture->one);
  test_server_stop (&fixture->two);
  deca_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* --- helpers ------------------------------------------------------------------------ */

/* Sends @method @path to @ts as @who with @body (NULL: none); returns the parsed answer
 * (NULL when it has none) and its raw text in @text (nullable). Fails the test unless the
 * status is @status. */
static JsonNode *
call (Fixture     *fixture,
      TestServer  *ts,
      const char  *who,
      const char  *method,
      const char  *path,
      const char  *body,
      guint        status,
      char       **text)
{
  g_auto(DecaTestAnswer) answer = { 0 };

  if (deca_test_server_call (ts->server, who, method, path, body, &answer) != status)
    g_error ("%s %s as %s: status %u, expected %u: %s", method, path, who, answer.status, status, answer.text);
  if (text != NULL)
    *text = g_steal_pointer (&answer.text);
  return g_steal_pointer (&answer.json);
}

#define CALL(fixture, ts, who, method, path, body, status) \
  call ((fixture), (ts), (who), (method), (path), (body), (status), NULL)

static void
drop (JsonNode *node)
{
  if (node != NULL)
    json_node_unref (node);
}

/* Fills ws-a of the first server: two flows (one active), an agent, a prompt, a function
 * with two versions, a credential with a secret. */
static void
fill_workspace_a (Fixture *fixture)
{
  TestServer *ts = &fixture->one;

  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/flows", chain_flow, 201));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/flows", nap_flow, 201));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/flows/nap/activate", NULL, 200));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/agents", agent_doc, 201));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/prompts", prompt_doc, 201));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/functions", function_doc, 201));
  drop (CALL (fixture, ts, "ws-a:owner", "PUT", "/api/v1/functions/data-validator",
              "{\"name\": \"Validator 2\", \"language\": \"python\", \"code\": \"def main(i): return {}\"}", 200));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/credentials",
              "{\"name\": \"openai\", \"type\": \"api_key\", \"secret\": {\"api_key\": \"" SECRET "\"}}", 201));
}

static gint64
db_count (const char *db_path,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Every row of the library and flow tables, as text: what "nothing changed" compares. */
static char *
db_snapshot (const char *db_path)
{
  static const char * const queries[] = {
    "SELECT workspace_id || '/' || id || '/' || latest_version || '/' || revision || '/' || deleted FROM agents",
    "SELECT workspace_id || '/' || id || '/' || latest_version || '/' || revision || '/' || deleted FROM prompts",
    "SELECT workspace_id || '/' || id || '/' || latest_version || '/' || revision || '/' || deleted FROM functions",
    "SELECT workspace_id || '/' || id || '/' || latest_version || '/' || ifnull (deleted_at, 0) || '/' || active"
    " FROM flows",
    "SELECT count(*) FROM flow_versions",
  };
  GString *snapshot = g_string_new (NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      sqlite3_stmt *stmt = NULL;
      g_autofree char *sql = g_strconcat (queries[i], " ORDER BY 1", NULL);

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_string_append_printf (snapshot, "%s\n", sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return g_string_free (snapshot, FALSE);
}

static JsonObject *
object_of (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* The sections of a bundle that must survive a round trip, without the members that say
 * where and when it was made (and flows' "active": imports leave flows inactive). */
static JsonNode *
comparable_sections (JsonNode *bundle)
{
  static const char * const sections[] = { "flows", "agents", "prompts", "functions", "credentials" };
  JsonObject *source = object_of (bundle);
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (gsize i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      JsonArray *array = json_array_new ();
      JsonArray *list = json_object_get_array_member (source, sections[i]);

      for (guint j = 0; j < json_array_get_length (list); j++)
        {
          JsonObject *entry = json_array_get_object_element (list, j);
          JsonObject *copy = json_object_new ();
          g_autoptr(GList) members = json_object_get_members (entry);

          for (GList *l = members; l != NULL; l = l->next)
            if (!g_str_equal (l->data, "active"))
              json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (entry, l->data)));
          json_array_add_object_element (array, copy);
        }
      json_object_set_array_member (object, sections[i], array);
    }
  json_node_take_object (node, object);
  return node;
}

static gint64
count_of (JsonNode   *report,
          const char *section,
          const char *what)
{
  return json_object_get_int_member (json_object_get_object_member (object_of (report), section), what);
}

/* Whether @answer (a 422 or 409) lists @pointer in details.@list. */
static gboolean
lists_pointer (JsonNode   *answer,
               const char *list,
               const char *pointer)
{
  JsonObject *error = json_object_get_object_member (object_of (answer), "error");
  JsonArray *items = json_object_get_array_member (json_object_get_object_member (error, "details"), list);

  for (guint i = 0; i < json_array_get_length (items); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (items, i), "pointer"), pointer))
      return TRUE;
  return FALSE;
}

/* --- tests -------------------------------------------------------------------------- */

/* The bundle's shape, and no secret in it. */
static void
test_export (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) bundle = NULL;
  JsonObject *object, *credential, *flow;
  JsonArray *flows, *functions;

  fill_workspace_a (fixture);
  bundle = call (fixture, &fixture->one, "ws-a:viewer", "GET", "/api/v1/workspaces/ws-a/export", NULL, 200, &text);
  object = object_of (bundle);
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "deca-workspace");
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "exported_at"), "Z"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "workspace"), "name"),
                   ==, "A");

  flows = json_object_get_array_member (object, "flows");
  g_assert_cmpuint (json_array_get_length (flows), ==, 2);
  flow = json_array_get_object_element (flows, 1);
  g_assert_cmpstr (json_object_get_string_member (flow, "id"), ==, "nap");
  g_assert_true (json_object_get_boolean_member (flow, "active"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (flow, "document"), "name"),
                   ==, "Nap");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "agents")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "prompts")), ==, 1);
  /* The latest version only. */
  functions = json_object_get_array_member (object, "functions");
  g_assert_cmpuint (json_array_get_length (functions), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (functions, 0), "name"),
                   ==, "Validator 2");

  /* Credentials: name and type, nothing more; the secret nowhere. */
  credential = json_array_get_object_element (json_object_get_array_member (object, "credentials"), 0);
  g_assert_cmpuint (json_object_get_size (credential), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (credential, "name"), ==, "openai");
  g_assert_cmpstr (json_object_get_string_member (credential, "type"), ==, "api_key");
  g_assert_null (strstr (text, SECRET));
  g_assert_null (strstr (text, "k1"));
  g_assert_cmpint (db_count (fixture->one.server->db_path, "SELECT count(*) FROM audit_log WHERE action = 'workspace.export'"
                                                   " AND workspace_id = 'ws-a'"), ==, 1);
}

/* Export from one server, import into a workspace of another: the same objects, flows
 * inactive, the missing credential named; then again, and nothing changes. */
static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) exported = NULL;
  g_autoptr(JsonNode) want = NULL;
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(JsonNode) nap = NULL;
  JsonArray *missing;

  fill_workspace_a (fixture);
  bundle = call (fixture, &fixture->one, "ws-a:owner", "GET", "/api/v1/workspaces/ws-a/export", NULL, 200, &text);
  test_server_start (&fixture->two, "two", "ws-new");

  report = call (fixture, &fixture->two, "ws-new:admin", "POST", "/api/v1/workspaces/ws-new/import", text, 200,
                 NULL);
  g_assert_cmpstr (json_object_get_string_member (object_of (report), "mode"), ==, "merge");
  g_assert_cmpint (count_of (report, "flows", "created"), ==, 2);
  g_assert_cmpint (count_of (report, "agents", "created"), ==, 1);
  g_assert_cmpint (count_of (report, "prompts", "created"), ==, 1);
  g_assert_cmpint (count_of (report, "functions", "created"), ==, 1);
  missing = json_object_get_array_member (object_of (report), "missing_credentials");
  g_assert_cmpuint (json_array_get_length (missing), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (missing, 0), ==, "openai");

  exported = CALL (fixture, &fixture->two, "ws-new:owner", "GET", "/api/v1/workspaces/ws-new/export", NULL, 200);
  want = comparable_sections (bundle);
  got = comparable_sections (exported);
  /* The credential does not travel (its secret cannot): the rest is the same. */
  json_array_remove_element (json_object_get_array_member (object_of (want), "credentials"), 0);
  g_assert_true (json_node_equal (want, got));
  nap = CALL (fixture, &fixture->two, "ws-new:owner", "GET", "/api/v1/flows/nap", NULL, 200);
  g_assert_false (json_object_get_boolean_member (object_of (nap), "active"));

  /* The same bundle again: everything unchanged, no version more. */
  again = call (fixture, &fixture->two, "ws-new:admin", "POST", "/api/v1/workspaces/ws-new/import?mode=merge", text,
                200, NULL);
  g_assert_cmpint (count_of (again, "flows", "unchanged"), ==, 2);
  g_assert_cmpint (count_of (again, "agents", "unchanged"), ==, 1);
  g_assert_cmpint (count_of (again, "functions", "created"), ==, 0);
  g_assert_cmpint (db_count (fixture->two.server->db_path, "SELECT count(*) FROM flow_versions"), ==, 2);
  g_assert_cmpint (db_count (fixture->two.server->db_path, "SELECT count(*) FROM function_versions"), ==, 1);
  g_assert_cmpint (db_count (fixture->two.server->db_path, "SELECT count(*) FROM audit_log WHERE action = 'workspace.import'"
                                                   " AND workspace_id = 'ws-new'"), ==, 2);
}

/* Into another workspace of the same server: flow ids are global, so each flow is a
 * conflict and nothing at all is written; the library alone goes in. */
static void
test_same_server (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(JsonNode) conflict = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) agent = NULL;
  g_autofree char *text = NULL;
  g_autofree char *library_only = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  fill_workspace_a (fixture);
  bundle = call (fixture, &fixture->one, "ws-a:owner", "GET", "/api/v1/workspaces/ws-a/export", NULL, 200, &text);
  before = db_snapshot (fixture->one.server->db_path);
  conflict = CALL (fixture, &fixture->one, "ws-b:owner", "POST", "/api/v1/workspaces/ws-b/import", text, 409);
  g_assert_true (lists_pointer (conflict, "conflicts", "/flows/0"));
  g_assert_true (lists_pointer (conflict, "conflicts", "/flows/1"));
  g_assert_false (lists_pointer (conflict, "conflicts", "/agents/0"));
  after = db_snapshot (fixture->one.server->db_path);
  g_assert_cmpstr (before, ==, after);

  json_object_remove_member (object_of (bundle), "flows");
  library_only = json_to_string (bundle, FALSE);
  report = CALL (fixture, &fixture->one, "ws-b:owner", "POST", "/api/v1/workspaces/ws-b/import", library_only, 200);
  g_assert_cmpint (count_of (report, "agents", "created"), ==, 1);
  /* The same id in both workspaces, each its own. */
  agent = CALL (fixture, &fixture->one, "ws-b:viewer", "GET", "/api/v1/agents/persona-generator", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (object_of (agent), "version"), ==, 1);
  g_assert_cmpint (db_count (fixture->one.server->db_path, "SELECT count(*) FROM agents"), ==, 2);
}

/* Bad bundles: 422 with a pointer into the bundle for every problem, and nothing written
 * (the good objects of the same bundle neither). */
static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  static const struct {
    const char *body;
    const char *pointers[4];
  } cases[] = {
    { "{\"format\": \"deca-workspace\", \"version\": 1,"
      " \"agents\": [{\"id\": \"good\", \"document\": {\"name\": \"G\", \"model\": {\"provider\": \"openai\", \"name\": \"m\"}}},"
      "              {\"id\": \"good\", \"document\": {\"name\": \"G\", \"model\": {\"provider\": \"openai\", \"name\": \"m\"}}}],"
      " \"prompts\": [{\"id\": \"p\", \"document\": {\"name\": \"P\", \"template\": \"{{nobody}}\"}}],"
      " \"flows\": [{\"id\": \"f\", \"document\": {\"nodes\": [{\"id\": \"x\", \"type\": \"no-such-type\"}]}}],"
      " \"functions\": [{\"id\": \"fn\", \"document\": {\"id\": \"other\", \"name\": \"F\", \"language\": \"python\", \"code\": \"x\"}}]}",
      { "/agents/1/id", "/prompts/0/document/template", "/flows/0/document/nodes/0/type", "/functions/0/document/id" } },
    { "{\"format\": \"something-else\", \"version\": 2}", { "/format", "/version" } },
    { "{\"version\": 1, \"agents\": {}}", { "/format", "/agents" } },
    { "[1, 2]", { "" } },
    { "{\"format\": \"deca-workspace\", \"version\": 1, \"secrets\": [],"
      " \"credentials\": [{\"name\": \"x\", \"type\": \"api_key\", \"secret\": {\"k\": \"v\"}}]}",
      { "/secrets", "/credentials/0/secret" } },
  };
  g_autofree char *before = NULL;

  drop (CALL (fixture, &fixture->one, "ws-a:owner", "POST", "/api/v1/agents", agent_doc, 201));
  before = db_snapshot (fixture->one.server->db_path);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) answer = NULL;
      g_autofree char *after = NULL;

      answer = CALL (fixture, &fixture->one, "ws-a:owner", "POST", "/api/v1/workspaces/ws-a/import?mode=replace",
                     cases[i].body, 422);
      for (gsize j = 0; j < G_N_ELEMENTS (cases[i].pointers) && cases[i].pointers[j] != NULL; j++)
        if (!lists_pointer (answer, "problems", cases[i].pointers[j]))
          g_error ("case %" G_GSIZE_FORMAT ": no problem at \"%s\"", i, cases[i].pointers[j]);
      after = db_snapshot (fixture->one.server->db_path);
      g_assert_cmpstr (before, ==, after);
    }
  drop (CALL (fixture, &fixture->one, "ws-a:owner", "POST", "/api/v1/workspaces/ws-a/import?mode=all",
              "{\"format\": \"deca-workspace\", \"version\": 1}", 400));
  drop (CALL (fixture, &fixture->one, "ws-a:owner", "POST", "/api/v1/workspaces/ws-a/import", NULL, 400));
  g_assert_cmpint (db_count (fixture->one.server->db_path, "SELECT count(*) FROM audit_log WHERE action = 'workspace.import'"),
                   ==, 0);
}

/* Merge keeps what the workspace has and refuses other content; replace makes the
 * workspace the bundle's. */
static void
test_merge_and_replace (Fixture       *fixture,
                        gconstpointer  data)
{
  TestServer *ts = &fixture->one;
  g_autoptr(JsonNode) conflict = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) agent = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint saved, deactivated;
  const char *bundle =
    "{\"format\": \"deca-workspace\", \"version\": 1,"
    " \"agents\": [{\"id\": \"persona-generator\", \"document\": {\"name\": \"Changed\","
    "              \"model\": {\"provider\": \"anthropic\", \"name\": \"claude\"}}},"
    "             {\"id\": \"fresh\", \"document\": {\"name\": \"Fresh\", \"model\": {\"provider\": \"openai\", \"name\": \"m\"}}}],"
    " \"prompts\": [{\"id\": \"persona\", \"document\": " "{\"id\": \"persona\", \"name\": \"Persona\","
    "               \"template\": \"Persona for {{customer}}\", \"variables\": {\"customer\": {\"type\": \"object\"}}}}],"
    " \"flows\": [{\"id\": \"chain\", \"document\": {\"name\": \"Chain 2\", \"nodes\": ["
    "             {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": 1}}}]}}]}";

  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/agents", agent_doc, 201));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/prompts", prompt_doc, 201));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/functions", function_doc, 201));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/flows", chain_flow, 201));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/flows", nap_flow, 201));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/flows/nap/activate", NULL, 200));
  saved = g_atomic_int_get (&ts->flows_saved);
  deactivated = g_atomic_int_get (&ts->flows_deactivated);

  /* Merge: the changed agent and flow conflict, so not even "fresh" goes in. */
  before = db_snapshot (ts->server->db_path);
  conflict = CALL (fixture, ts, "ws-a:admin", "POST", "/api/v1/workspaces/ws-a/import", bundle, 409);
  g_assert_true (lists_pointer (conflict, "conflicts", "/agents/0"));
  g_assert_true (lists_pointer (conflict, "conflicts", "/flows/0"));
  g_assert_false (lists_pointer (conflict, "conflicts", "/agents/1"));
  g_assert_false (lists_pointer (conflict, "conflicts", "/prompts/0"));
  after = db_snapshot (ts->server->db_path);
  g_assert_cmpstr (before, ==, after);

  /* Replace: changed objects get a version, new ones come in, the rest goes. */
  report = CALL (fixture, ts, "ws-a:admin", "POST", "/api/v1/workspaces/ws-a/import?mode=replace", bundle, 200);
  g_assert_cmpstr (json_object_get_string_member (object_of (report), "mode"), ==, "replace");
  g_assert_cmpint (count_of (report, "agents", "updated"), ==, 1);
  g_assert_cmpint (count_of (report, "agents", "created"), ==, 1);
  g_assert_cmpint (count_of (report, "prompts", "unchanged"), ==, 1);
  g_assert_cmpint (count_of (report, "functions", "deleted"), ==, 1);
  g_assert_cmpint (count_of (report, "flows", "updated"), ==, 1);
  g_assert_cmpint (count_of (report, "flows", "deleted"), ==, 1);
  /* The dispatchers are told, as by the flows routes: "chain" saved, the active "nap"
   * deactivated and deleted; the conflicting merge told nothing. */
  g_assert_cmpint (g_atomic_int_get (&ts->flows_saved), ==, saved + 1);
  g_assert_cmpint (g_atomic_int_get (&ts->flows_deactivated), ==, deactivated + 1);
  g_assert_cmpint (g_atomic_int_get (&ts->flows_deleted), ==, 1);
  agent = CALL (fixture, ts, "ws-a:viewer", "GET", "/api/v1/agents/persona-generator", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (object_of (agent), "version"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object_of (agent), "name"), ==, "Changed");
  drop (CALL (fixture, ts, "ws-a:viewer", "GET", "/api/v1/functions/data-validator", NULL, 404));
  drop (CALL (fixture, ts, "ws-a:viewer", "GET", "/api/v1/flows/nap", NULL, 404));
  drop (CALL (fixture, ts, "ws-a:viewer", "GET", "/api/v1/agents/fresh", NULL, 200));
  /* Deleted softly: the function's version is still stored. */
  g_assert_cmpint (db_count (ts->server->db_path, "SELECT count(*) FROM function_versions"), ==, 1);
}

/* Who may export and import, and never into another workspace. */
static void
test_permissions (Fixture       *fixture,
                  gconstpointer  data)
{
  TestServer *ts = &fixture->one;
  const char *empty = "{\"format\": \"deca-workspace\", \"version\": 1}";

  drop (CALL (fixture, ts, "ws-a:viewer", "GET", "/api/v1/workspaces/ws-a/export", NULL, 200));
  drop (CALL (fixture, ts, "ws-a:developer", "GET", "/api/v1/workspaces/ws-a/export", NULL, 200));
  drop (CALL (fixture, ts, "ws-a:executor", "GET", "/api/v1/workspaces/ws-a/export", NULL, 403));
  drop (CALL (fixture, ts, "ws-a:owner", "GET", "/api/v1/workspaces/ws-b/export", NULL, 404));
  drop (CALL (fixture, ts, "ws-a:owner", "GET", "/api/v1/workspaces/nowhere/export", NULL, 404));

  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/workspaces/ws-a/import", empty, 200));
  drop (CALL (fixture, ts, "ws-a:admin", "POST", "/api/v1/workspaces/ws-a/import", empty, 200));
  drop (CALL (fixture, ts, "ws-a:developer", "POST", "/api/v1/workspaces/ws-a/import", empty, 403));
  drop (CALL (fixture, ts, "ws-a:viewer", "POST", "/api/v1/workspaces/ws-a/import", empty, 403));
  drop (CALL (fixture, ts, "ws-a:executor", "POST", "/api/v1/workspaces/ws-a/import", empty, 403));
  drop (CALL (fixture, ts, "ws-a:owner", "POST", "/api/v1/workspaces/ws-b/import", empty, 404));
  g_assert_cmpint (db_count (ts->server->db_path, "SELECT count(*) FROM audit_log WHERE action = 'workspace.import'"), ==, 2);
  g_assert_cmpint (db_count (ts->server->db_path, "SELECT count(*) FROM audit_log WHERE action = 'access.denied'"), ==, 4);
}

/* --- the CLI ------------------------------------------------------------------------ */

static int
run_deca (char **out,
          char **err,
          ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list args;

  g_assert_nonnull (g_getenv ("DECA_BIN"));
  g_ptr_array_add (argv, (char *) g_getenv ("DECA_BIN"));
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_null (strstr (stdout_text, SECRET));
  g_assert_null (strstr (stderr_text, SECRET));
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_exit_status (process);
}

/* A data directory with workspace @workspace holding a flow, an agent and a credential. */
static char *
make_data_dir (Fixture    *fixture,
               const char *name,
               const char *workspace,
               gboolean    fill)
{
  g_autoptr(GError) error = NULL;
  char *data_dir = g_build_filename (fixture->dir, name, NULL);
  g_autofree char *db_path = g_build_filename (data_dir, "deca.db", NULL);
  g_autoptr(DecaStore) store = NULL;

  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);
  store = deca_store_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_true (deca_store_create_workspace (store, workspace, name, &error));
  if (fill)
    {
      g_autoptr(GBytes) ciphertext = g_bytes_new_static ("sealed", 6);
      DecaCredentialRecord credential = { .id = "c1", .workspace_id = (char *) workspace, .name = "openai",
                                          .type = "api_key", .ciphertext = ciphertext, .key_id = "k1" };

      g_assert_true (deca_store_save_workspace_flow (store, workspace, "nap", "Nap", nap_flow, NULL, &error));
      g_assert_true (deca_store_save_library_item (store, DECA_LIBRARY_AGENT, workspace, "persona-generator",
                                                   "Persona Generator", agent_doc, DECA_LIBRARY_NEW_ITEM, NULL, &error));
      g_assert_true (deca_store_insert_credential (store, &credential, &error));
    }
  g_assert_no_error (error);
  return data_dir;
}

static void
test_cli (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *source = make_data_dir (fixture, "source", "ws-src", TRUE);
  g_autofree char *target = make_data_dir (fixture, "target", "ws-dst", FALSE);
  g_autofree char *bundle_path = g_build_filename (fixture->dir, "bundle.json", NULL);
  g_autofree char *bad_path = g_build_filename (fixture->dir, "bad.json", NULL);
  g_autofree char *target_db = g_build_filename (target, "deca.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *stdout_bundle = NULL;
  g_autofree char *file_bundle = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) from_stdout = NULL;
  g_autoptr(JsonNode) from_file = NULL;
  g_autoptr(GError) error = NULL;

  /* Export to a file and to standard output: the same objects. */
  g_assert_cmpint (run_deca (NULL, NULL, "export", "--data-dir", source, "--workspace", "ws-src", "-o", bundle_path,
                             NULL), ==, 0);
  g_assert_true (g_file_get_contents (bundle_path, &file_bundle, NULL, &error));
  g_assert_cmpint (run_deca (&stdout_bundle, NULL, "export", "--data-dir", source, "--workspace", "ws-src", NULL),
                   ==, 0);
  from_file = json_from_string (file_bundle, &error);
  from_stdout = json_from_string (stdout_bundle, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonNode) a = comparable_sections (from_file);
    g_autoptr(JsonNode) b = comparable_sections (from_stdout);

    g_assert_true (json_node_equal (a, b));
  }
  g_assert_null (strstr (file_bundle, "sealed"));

  /* Import it elsewhere. */
  g_assert_cmpint (run_deca (&out, &err, "import", "--data-dir", target, "--workspace", "ws-dst", bundle_path, NULL),
                   ==, 0);
  report = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_of (report, "flows", "created"), ==, 1);
  g_assert_cmpint (count_of (report, "agents", "created"), ==, 1);
  g_assert_nonnull (strstr (err, "openai"));
  g_assert_cmpint (db_count (target_db, "SELECT count(*) FROM agents WHERE workspace_id = 'ws-dst'"), ==, 1);
  g_assert_cmpint (db_count (target_db, "SELECT count(*) FROM flows WHERE workspace_id = 'ws-dst' AND active = 0"),
                   ==, 1);

  /* A bad bundle: its problems on stdout, status 1, nothing changed. */
  g_clear_pointer (&out, g_free);
  g_assert_true (g_file_set_contents (bad_path,
                                      "{\"format\": \"deca-workspace\", \"version\": 1, \"prompts\": [{\"id\": \"p\","
                                      " \"document\": {\"name\": \"P\", \"template\": \"{{x}}\"}}]}", -1, &error));
  before = db_snapshot (target_db);
  g_assert_cmpint (run_deca (&out, NULL, "import", "--data-dir", target, "--workspace", "ws-dst", "--mode",
                             "replace", bad_path, NULL), ==, 1);
  g_assert_nonnull (strstr (out, ": /prompts/0/document/template: "));
  after = db_snapshot (target_db);
  g_assert_cmpstr (before, ==, after);

  /* Usage errors: status 2, nothing made. */
  g_assert_cmpint (run_deca (NULL, NULL, "import", "--data-dir", target, "--workspace", "ws-dst", "--mode", "all",
                             bundle_path, NULL), ==, 2);
  g_assert_cmpint (run_deca (NULL, NULL, "import", "--data-dir", target, bundle_path, NULL), ==, 2);
  g_assert_cmpint (run_deca (NULL, NULL, "import", "--data-dir", target, "--workspace", "nowhere", bundle_path, NULL),
                   ==, 2);
  g_assert_cmpint (run_deca (NULL, NULL, "export", "--data-dir", target, "--workspace", "nowhere", NULL), ==, 2);
  {
    g_autofree char *empty_dir = g_build_filename (fixture->dir, "empty", NULL);
    g_autofree char *empty_db = g_build_filename (empty_dir, "deca.db", NULL);

    g_assert_cmpint (run_deca (NULL, NULL, "export", "--data-dir", empty_dir, "--workspace", "x", NULL), ==, 2);
    g_assert_false (g_file_test (empty_db, G_FILE_TEST_EXISTS));
  }
}

/* --workspace also takes the name `deca serve --init --workspace NAME` gave: the one
 * workspace of that name; an id wins over a name; a name several have is refused. */
static void
test_cli_workspace_name (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *source = make_data_dir (fixture, "source", "ws-src", TRUE);
  g_autofree char *target = make_data_dir (fixture, "target", "ws-dst", FALSE);
  g_autofree char *bundle_path = g_build_filename (fixture->dir, "bundle.json", NULL);
  g_autofree char *source_db = g_build_filename (source, "deca.db", NULL);
  g_autofree char *target_db = g_build_filename (target, "deca.db", NULL);
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(GError) error = NULL;

  /* make_data_dir() names each workspace after its directory. */
  g_assert_cmpint (run_deca (NULL, NULL, "export", "--data-dir", source, "--workspace", "source", "-o", bundle_path,
                             NULL), ==, 0);
  g_assert_true (g_file_get_contents (bundle_path, &text, NULL, &error));
  bundle = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (bundle),
                                                                                 "workspace"), "id"), ==, "ws-src");
  g_assert_cmpint (run_deca (NULL, NULL, "import", "--data-dir", target, "--workspace", "target", bundle_path, NULL),
                   ==, 0);
  g_assert_cmpint (db_count (target_db, "SELECT count(*) FROM agents WHERE workspace_id = 'ws-dst'"), ==, 1);

  {
    g_autoptr(DecaStore) store = deca_store_open (source_db, &error);

    g_assert_no_error (error);
    /* A workspace whose name is the other's id, and two of one name. */
    g_assert_true (deca_store_create_workspace (store, "other", "ws-src", &error));
    g_assert_true (deca_store_create_workspace (store, "twin-1", "twin", &error));
    g_assert_true (deca_store_create_workspace (store, "twin-2", "twin", &error));
    g_assert_no_error (error);
  }
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (run_deca (&text, NULL, "export", "--data-dir", source, "--workspace", "ws-src", NULL), ==, 0);
  g_clear_pointer (&bundle, json_node_unref);
  bundle = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (bundle),
                                                                                 "workspace"), "id"), ==, "ws-src");
  g_assert_cmpint (run_deca (NULL, &err, "export", "--data-dir", source, "--workspace", "twin", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "2 workspaces are named 'twin'"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_deca (NULL, &err, "import", "--data-dir", source, "--workspace", "twin", bundle_path, NULL),
                   ==, 2);
  g_assert_nonnull (strstr (err, "2 workspaces are named 'twin'"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/deca/server/transfer/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("export", test_export);
  ADD ("round-trip", test_round_trip);
  ADD ("same-server", test_same_server);
  ADD ("invalid", test_invalid);
  ADD ("merge-and-replace", test_merge_and_replace);
  ADD ("permissions", test_permissions);
#undef ADD
  /* No server: the CLI works on data directories. */
  g_test_add ("/deca/server/transfer/cli", Fixture, "no server", fixture_setup, test_cli, fixture_teardown);
  g_test_add ("/deca/server/transfer/cli-workspace-name", Fixture, "no server", fixture_setup,
              test_cli_workspace_name, fixture_teardown);

  return g_test_run ();
}
