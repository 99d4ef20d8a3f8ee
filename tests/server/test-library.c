/* test-library.c: the agents, prompts and functions routes in-process: create, read (the
 * latest and ?version=), update as new versions, If-Match conflicts, versions, delete, lists
 * with paging and a name filter, 422 with the pointers of every problem, isolation between
 * workspaces, the permissions of each role, and the audit lines of every change.
 *
 * The server runs on a thread of its own (the store is used from the thread that opened
 * it); the test talks to it with SoupSession's synchronous API. A small authenticator
 * stands for the real one: "Bearer <workspace>:<role>" is a principal of that workspace
 * with that role. It checks no permission itself, so what is refused is refused by the
 * routes. */

#include "config.h"

#include <string.h>
#include <sqlite3.h>

#include <deca-engine.h>
#include <deca-store-server.h>

#include "deca-api-library.h"
#include "deca-server.h"
#include "deca-server-test.h"

typedef struct {
  DecaTestServer *server;
} Fixture;

/* A valid document of each kind, and a changed one. */
typedef struct {
  const char *plural;
  const char *document;
  const char *changed;
} KindCase;

static const KindCase kind_cases[] = {
  { "agents",
    "{\"id\": \"persona-generator\", \"name\": \"Persona Generator\","
    " \"model\": {\"provider\": \"openai\", \"name\": \"gpt-4\", \"temperature\": 0.7},"
    " \"system_prompt\": \"You write personas.\", \"tools\": [{\"type\": \"function\", \"id\": \"data-validator\"}]}",
    "{\"name\": \"Persona Generator 2\", \"model\": {\"provider\": \"anthropic\", \"name\": \"claude\"},"
    " \"prompt\": {\"id\": \"persona\"}}" },
  { "prompts",
    "{\"id\": \"persona\", \"name\": \"Persona\", \"template\": \"Persona for {{customer_data}}\","
    " \"variables\": {\"customer_data\": {\"type\": \"object\", \"required\": true}}}",
    "{\"name\": \"Persona v2\", \"template\": \"Persona for {{customer}} in {{language}}\","
    " \"variables\": {\"customer\": {\"type\": \"object\"}, \"language\": {\"type\": \"string\", \"default\": \"en\"}}}" },
  { "functions",
    "{\"id\": \"data-validator\", \"name\": \"Data validator\", \"language\": \"javascript\","
    " \"code\": \"export function main(i) { return {success: true}; }\","
    " \"input_schema\": {\"type\": \"object\"}, \"output_schema\": {\"type\": \"object\"}}",
    "{\"name\": \"Data validator\", \"language\": \"python\", \"code\": \"def main(i):\\n    return {'success': True}\"}" },
};

/* --- the server ------------------------------------------------------------------- */

/* On the server thread: two workspaces, the library routes, the test authenticator. */
static void
server_setup (DecaTestServer *test_server,
              DecaServer     *server,
              gpointer        user_data)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_server_get_store (server);

  g_assert_true (deca_store_create_workspace (store, "ws-a", "A", &error));
  g_assert_true (deca_store_create_workspace (store, "ws-b", "B", &error));
  g_assert_true (deca_api_library_register (server, &error));
  g_assert_no_error (error);
  deca_test_install_role_authenticator (server);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  DecaTestServerOptions options = { .setup = server_setup };

  fixture->server = deca_test_server_new ("library", &options);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_server_free (fixture->server);
}

/* --- helpers ------------------------------------------------------------------------ */

/* Sends @method @path as @who ("ws-a:owner") with @body (NULL: none) and If-Match
 * @if_match (NULL: none) into @answer. */
static void
call_full (Fixture        *fixture,
           const char     *who,
           const char     *method,
           const char     *path,
           const char     *body,
           const char     *if_match,
           DecaTestAnswer *answer)
{
  const char *headers[] = { "If-Match", if_match, NULL };
  DecaTestRequest request = {
    .method = method, .path = path, .key = who, .body = body, .body_length = -1,
    .headers = if_match != NULL ? headers : NULL,
  };

  deca_test_send (fixture->server->session, fixture->server->uri, &request, answer);
}

/* call_full() that checks the status and returns the body's object (owned by @answer). */
static JsonObject *
call (Fixture        *fixture,
      const char     *who,
      const char     *method,
      const char     *path,
      const char     *body,
      guint           status,
      DecaTestAnswer *answer)
{
  call_full (fixture, who, method, path, body, NULL, answer);
  if (answer->status != status)
    g_error ("%s %s as %s: status %u, expected %u", method, path, who, answer->status, status);
  return answer->json != NULL && JSON_NODE_HOLDS_OBJECT (answer->json) ? json_node_get_object (answer->json) : NULL;
}

/* The error object of @answer, checked to have @code (and the error shape). */
static JsonObject *
assert_error (DecaTestAnswer *answer,
              const char     *code)
{
  return deca_test_assert_error (answer->json, code);
}

/* Whether the 422 @answer has a problem at @pointer. */
static gboolean
has_problem (DecaTestAnswer *answer,
             const char     *pointer)
{
  JsonObject *details = json_object_get_object_member (assert_error (answer, "unprocessable"), "details");
  JsonArray *problems = json_object_get_array_member (details, "problems");

  for (guint i = 0; i < json_array_get_length (problems); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (problems, i), "pointer"),
                     pointer))
      return TRUE;
  return FALSE;
}

/* The number of rows of @sql (a count) on a connection of the test's own. */
static gint64
db_count (Fixture    *fixture,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (fixture->server->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static gint64
audit_count (Fixture    *fixture,
             const char *action,
             const char *target)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = '%s' AND target = '%s'"
                                          " AND workspace_id = 'ws-a' AND actor = 'user:tester' AND result = 'ok'",
                                          action, target);

  return db_count (fixture, sql);
}

static char *
item_path (const char *plural,
           const char *id,
           const char *rest)
{
  return g_strconcat ("/api/v1/", plural, "/", id, rest, NULL);
}

/* --- tests -------------------------------------------------------------------------- */

/* Every kind through its whole life: create, read, a new version, the same content again,
 * an older version, the versions, the list, delete; with an audit line for each change. */
static void
test_crud (Fixture       *fixture,
           gconstpointer  data)
{
  for (gsize k = 0; k < G_N_ELEMENTS (kind_cases); k++)
    {
      const KindCase *c = &kind_cases[k];
      g_autofree char *collection = g_strconcat ("/api/v1/", c->plural, NULL);
      g_autofree char *singular = g_strndup (c->plural, strlen (c->plural) - 1);
      g_autofree char *create_action = g_strconcat (singular, ".create", NULL);
      g_autofree char *update_action = g_strconcat (singular, ".update", NULL);
      g_autofree char *delete_action = g_strconcat (singular, ".delete", NULL);
      g_autoptr(JsonNode) original = json_from_string (c->document, NULL);
      const char *id = json_object_get_string_member (json_node_get_object (original), "id");
      g_autofree char *path = item_path (c->plural, id, "");
      g_autofree char *versions_path = item_path (c->plural, id, "/versions");
      g_autofree char *v1_path = item_path (c->plural, id, "?version=1");
      g_auto(DecaTestAnswer) created = { 0 }, got = { 0 }, updated = { 0 }, same = { 0 }, old = { 0 };
      g_auto(DecaTestAnswer) versions = { 0 }, list = { 0 }, deleted = { 0 }, gone = { 0 }, after = { 0 };
      JsonObject *object, *document;
      JsonArray *items;

      object = call (fixture, "ws-a:developer", "POST", collection, c->document, 201, &created);
      g_assert_cmpstr (deca_test_answer_header (&created, "Location"), ==, path);
      g_assert_cmpstr (deca_test_answer_header (&created, "ETag"), ==, "\"1\"");
      g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, id);
      g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
      g_assert_cmpint (json_object_get_int_member (object, "latest_version"), ==, 1);
      g_assert_cmpint (json_object_get_int_member (object, "revision"), ==, 1);
      g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "created_at"), "Z"));
      document = json_object_get_object_member (object, "document");
      g_assert_true (json_node_equal (json_object_get_member (object, "document"), original));
      g_assert_cmpint (audit_count (fixture, create_action, id), ==, 1);

      object = call (fixture, "ws-a:viewer", "GET", path, NULL, 200, &got);
      g_assert_cmpstr (deca_test_answer_header (&got, "ETag"), ==, "\"1\"");
      g_assert_cmpstr (json_object_get_string_member (object, "name"),
                       ==, json_object_get_string_member (json_node_get_object (original), "name"));

      /* A new version; the body without an id takes the path's. */
      object = call (fixture, "ws-a:developer", "PUT", path, c->changed, 200, &updated);
      g_assert_cmpstr (deca_test_answer_header (&updated, "ETag"), ==, "\"2\"");
      g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 2);
      g_assert_cmpint (json_object_get_int_member (object, "revision"), ==, 2);
      document = json_object_get_object_member (object, "document");
      g_assert_cmpstr (json_object_get_string_member (document, "id"), ==, id);
      g_assert_cmpint (audit_count (fixture, update_action, id), ==, 1);

      /* The same content again: no version, no audit line. */
      object = call (fixture, "ws-a:developer", "PUT", path, c->changed, 200, &same);
      g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 2);
      g_assert_cmpint (json_object_get_int_member (object, "revision"), ==, 2);
      g_assert_cmpint (audit_count (fixture, update_action, id), ==, 1);

      object = call (fixture, "ws-a:viewer", "GET", v1_path, NULL, 200, &old);
      g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
      g_assert_cmpint (json_object_get_int_member (object, "latest_version"), ==, 2);
      g_assert_true (json_node_equal (json_object_get_member (object, "document"), original));

      object = call (fixture, "ws-a:viewer", "GET", versions_path, NULL, 200, &versions);
      items = json_object_get_array_member (object, "items");
      g_assert_cmpuint (json_array_get_length (items), ==, 2);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0), "version"), ==, 2);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 1), "version"), ==, 1);

      object = call (fixture, "ws-a:viewer", "GET", collection, NULL, 200, &list);
      items = json_object_get_array_member (object, "items");
      g_assert_cmpuint (json_array_get_length (items), ==, 1);
      g_assert_false (json_object_has_member (json_array_get_object_element (items, 0), "document"));
      g_assert_true (json_object_get_null_member (object, "next_cursor"));

      call (fixture, "ws-a:developer", "DELETE", path, NULL, 204, &deleted);
      g_assert_cmpint (audit_count (fixture, delete_action, id), ==, 1);
      assert_error ((call (fixture, "ws-a:viewer", "GET", path, NULL, 404, &gone), &gone), "not_found");
      object = call (fixture, "ws-a:viewer", "GET", collection, NULL, 200, &after);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "items")), ==, 0);
    }
}

/* Without an id the server makes one; with a taken one the create is refused. */
static void
test_ids (Fixture       *fixture,
          gconstpointer  data)
{
  g_auto(DecaTestAnswer) created = { 0 }, taken = { 0 }, again = { 0 }, bad = { 0 }, deleted = { 0 }, back = { 0 };
  g_autofree char *expected_location = NULL;
  const char *body = "{\"name\": \"P\", \"template\": \"Hello\"}";
  JsonObject *object;
  const char *id;

  object = call (fixture, "ws-a:developer", "POST", "/api/v1/prompts", body, 201, &created);
  id = json_object_get_string_member (object, "id");
  g_assert_true (g_uuid_string_is_valid (id));
  expected_location = g_strconcat ("/api/v1/prompts/", id, NULL);
  g_assert_cmpstr (deca_test_answer_header (&created, "Location"), ==, expected_location);

  call (fixture, "ws-a:developer", "POST", "/api/v1/prompts",
        "{\"id\": \"hello\", \"name\": \"P\", \"template\": \"Hello\"}", 201, &taken);
  call (fixture, "ws-a:developer", "POST", "/api/v1/prompts",
        "{\"id\": \"hello\", \"name\": \"Q\", \"template\": \"Hi\"}", 409, &again);
  assert_error (&again, "conflict");
  call (fixture, "ws-a:developer", "POST", "/api/v1/prompts",
        "{\"id\": \"no/slash\", \"name\": \"Q\", \"template\": \"Hi\"}", 422, &bad);
  g_assert_true (has_problem (&bad, "/id"));

  /* A deleted id can be created again: its history goes on. */
  call (fixture, "ws-a:developer", "DELETE", "/api/v1/prompts/hello", NULL, 204, &deleted);
  object = call (fixture, "ws-a:developer", "POST", "/api/v1/prompts",
                 "{\"id\": \"hello\", \"name\": \"Q\", \"template\": \"Hi\"}", 201, &back);
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 2);
}

/* If-Match: the version a change was made on; a stale one is a 409 with the latest. */
static void
test_if_match (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(DecaTestAnswer) created = { 0 }, first = { 0 }, stale = { 0 }, bad = { 0 }, weak = { 0 };
  g_auto(DecaTestAnswer) stale_delete = { 0 }, deleted = { 0 }, missing = { 0 };
  const char *path = "/api/v1/functions/data-validator";
  JsonObject *error;

  call (fixture, "ws-a:developer", "POST", "/api/v1/functions", kind_cases[2].document, 201, &created);
  call_full (fixture, "ws-a:developer", "PUT", path, kind_cases[2].changed, "\"1\"", &first);
  g_assert_cmpuint (first.status, ==, 200);
  g_assert_cmpstr (deca_test_answer_header (&first, "ETag"), ==, "\"2\"");

  /* A second writer that also read version 1. */
  call_full (fixture, "ws-a:developer", "PUT", path, kind_cases[2].document, "\"1\"", &stale);
  g_assert_cmpuint (stale.status, ==, 409);
  error = assert_error (&stale, "conflict");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (error, "details"), "version"), ==, 2);
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM function_versions"), ==, 2);

  call_full (fixture, "ws-a:developer", "PUT", path, kind_cases[2].document, "latest", &bad);
  g_assert_cmpuint (bad.status, ==, 400);
  error = assert_error (&bad, "bad_request");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "details"), "header"),
                   ==, "If-Match");

  call_full (fixture, "ws-a:developer", "PUT", path, kind_cases[2].document, "W/\"2\"", &weak);
  g_assert_cmpuint (weak.status, ==, 200);
  g_assert_cmpstr (deca_test_answer_header (&weak, "ETag"), ==, "\"3\"");

  call_full (fixture, "ws-a:developer", "DELETE", path, NULL, "2", &stale_delete);
  g_assert_cmpuint (stale_delete.status, ==, 409);
  call_full (fixture, "ws-a:developer", "DELETE", path, NULL, "3", &deleted);
  g_assert_cmpuint (deleted.status, ==, 204);
  call_full (fixture, "ws-a:developer", "PUT", path, kind_cases[2].document, "3", &missing);
  g_assert_cmpuint (missing.status, ==, 404);
}

/* Bad documents: 422 with the pointer of every problem, and nothing stored; bad input 400. */
static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  g_auto(DecaTestAnswer) agent = { 0 }, prompt = { 0 }, function = { 0 }, created = { 0 }, update = { 0 };
  g_auto(DecaTestAnswer) not_object = { 0 }, other_id = { 0 }, bad_version = { 0 }, bad_limit = { 0 };
  g_auto(DecaTestAnswer) no_version = { 0 };
  g_auto(DecaTestAnswer) missing_other_id = { 0 }, missing_not_object = { 0 }, missing_bad_if_match = { 0 };
  JsonObject *error;

  call (fixture, "ws-a:developer", "POST", "/api/v1/agents",
        "{\"name\": \"A\", \"model\": {\"provider\": \"openai\", \"name\": \"gpt-4\", \"temperature\": 5},"
        " \"systm_prompt\": \"typo\"}", 422, &agent);
  g_assert_true (has_problem (&agent, "/model/temperature"));
  g_assert_true (has_problem (&agent, "/systm_prompt"));
  error = assert_error (&agent, "unprocessable");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "agent"));

  call (fixture, "ws-a:developer", "POST", "/api/v1/prompts",
        "{\"name\": \"P\", \"template\": \"Hi {{nobody}}\"}", 422, &prompt);
  g_assert_true (has_problem (&prompt, "/template"));
  call (fixture, "ws-a:developer", "POST", "/api/v1/functions",
        "{\"name\": \"F\", \"language\": \"cobol\"}", 422, &function);
  g_assert_true (has_problem (&function, "/language"));
  g_assert_true (has_problem (&function, "/code"));
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM agents"), ==, 0);
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM prompts"), ==, 0);
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM functions"), ==, 0);

  call (fixture, "ws-a:developer", "POST", "/api/v1/agents", kind_cases[0].document, 201, &created);
  call (fixture, "ws-a:developer", "PUT", "/api/v1/agents/persona-generator",
        "{\"name\": \"A\", \"model\": {\"provider\": \"openai\"}}", 422, &update);
  g_assert_true (has_problem (&update, "/model/name"));
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM agent_versions"), ==, 1);

  call (fixture, "ws-a:developer", "POST", "/api/v1/agents", "[1, 2]", 400, &not_object);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (assert_error (&not_object,
                                                                                               "bad_request"),
                                                                                 "details"), "pointer"), ==, "");
  call (fixture, "ws-a:developer", "PUT", "/api/v1/agents/persona-generator",
        "{\"id\": \"another\", \"name\": \"A\", \"model\": {\"provider\": \"openai\", \"name\": \"m\"}}", 400,
        &other_id);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (assert_error (&other_id,
                                                                                               "bad_request"),
                                                                                 "details"), "pointer"), ==, "/id");
  /* An item that is not there is 404 whatever the body says: another id, not an object,
   * a bad If-Match. */
  call (fixture, "ws-a:developer", "PUT", "/api/v1/agents/nobody", "{\"id\": \"another\", \"name\": \"A\"}", 404,
        &missing_other_id);
  assert_error (&missing_other_id, "not_found");
  call (fixture, "ws-a:developer", "PUT", "/api/v1/prompts/nobody", "[1, 2]", 404, &missing_not_object);
  assert_error (&missing_not_object, "not_found");
  call_full (fixture, "ws-a:developer", "PUT", "/api/v1/functions/nobody", "{\"id\": \"another\"}", "latest",
             &missing_bad_if_match);
  g_assert_cmpuint (missing_bad_if_match.status, ==, 404);
  assert_error (&missing_bad_if_match, "not_found");
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM agents"), ==, 1);
  call (fixture, "ws-a:viewer", "GET", "/api/v1/agents/persona-generator?version=zero", NULL, 400, &bad_version);
  call (fixture, "ws-a:viewer", "GET", "/api/v1/agents?limit=0", NULL, 400, &bad_limit);
  call (fixture, "ws-a:viewer", "GET", "/api/v1/agents/persona-generator?version=9", NULL, 404, &no_version);
}

/* Another workspace's item is 404 for every route and stays as it is; the same id in the
 * other workspace is an item of its own. */
static void
test_isolation (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(DecaTestAnswer) created = { 0 }, get = { 0 }, put = { 0 }, del = { 0 }, versions = { 0 }, list = { 0 };
  g_auto(DecaTestAnswer) own = { 0 }, still = { 0 };
  const char *path = "/api/v1/agents/persona-generator";
  JsonObject *object;

  call (fixture, "ws-a:owner", "POST", "/api/v1/agents", kind_cases[0].document, 201, &created);
  assert_error ((call (fixture, "ws-b:owner", "GET", path, NULL, 404, &get), &get), "not_found");
  assert_error ((call (fixture, "ws-b:owner", "PUT", path, kind_cases[0].changed, 404, &put), &put), "not_found");
  assert_error ((call (fixture, "ws-b:owner", "DELETE", path, NULL, 404, &del), &del), "not_found");
  call (fixture, "ws-b:owner", "GET", "/api/v1/agents/persona-generator/versions", NULL, 404, &versions);
  object = call (fixture, "ws-b:owner", "GET", "/api/v1/agents", NULL, 200, &list);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "items")), ==, 0);

  /* B's own agent of the same id. */
  object = call (fixture, "ws-b:owner", "POST", "/api/v1/agents", kind_cases[0].document, 201, &own);
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
  object = call (fixture, "ws-a:owner", "GET", path, NULL, 200, &still);
  g_assert_cmpint (json_object_get_int_member (object, "latest_version"), ==, 1);
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM agent_versions WHERE workspace_id = 'ws-a'"), ==, 1);
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM audit_log WHERE workspace_id = 'ws-b'"
                                      " AND action LIKE 'agent.%' AND target = 'persona-generator'"), ==, 1);
}

/* The role x route matrix: viewers read, developers and admins also write and delete,
 * executors see no library at all; refusals are 403 and audited. */
static void
test_permissions (Fixture       *fixture,
                  gconstpointer  data)
{
  static const struct {
    const char *role;
    gboolean read;
    gboolean write;
  } roles[] = {
    { "owner", TRUE, TRUE },
    { "admin", TRUE, TRUE },
    { "developer", TRUE, TRUE },
    { "viewer", TRUE, FALSE },
    { "executor", FALSE, FALSE },
  };

  for (gsize k = 0; k < G_N_ELEMENTS (kind_cases); k++)
    {
      const KindCase *c = &kind_cases[k];
      g_autoptr(JsonNode) original = json_from_string (c->document, NULL);
      const char *id = json_object_get_string_member (json_node_get_object (original), "id");
      g_autofree char *collection = g_strconcat ("/api/v1/", c->plural, NULL);
      g_autofree char *path = item_path (c->plural, id, "");
      g_autofree char *versions_path = item_path (c->plural, id, "/versions");
      g_auto(DecaTestAnswer) seed = { 0 };

      call (fixture, "ws-a:owner", "POST", collection, c->document, 201, &seed);
      for (gsize r = 0; r < G_N_ELEMENTS (roles); r++)
        {
          g_autofree char *who = g_strconcat ("ws-a:", roles[r].role, NULL);
          g_autofree char *new_id = g_strdup_printf ("new-%s", roles[r].role);
          g_autoptr(JsonNode) fresh = json_from_string (c->document, NULL);
          g_autofree char *fresh_text = NULL;
          g_autofree char *new_path = item_path (c->plural, new_id, "");
          guint read_status = roles[r].read ? 200 : 403;
          g_auto(DecaTestAnswer) a = { 0 }, b = { 0 }, d = { 0 }, e = { 0 }, f = { 0 }, g = { 0 };

          json_object_set_string_member (json_node_get_object (fresh), "id", new_id);
          fresh_text = json_to_string (fresh, FALSE);
          call (fixture, who, "GET", collection, NULL, read_status, &a);
          call (fixture, who, "GET", path, NULL, read_status, &b);
          call (fixture, who, "GET", versions_path, NULL, read_status, &d);
          call (fixture, who, "POST", collection, fresh_text, roles[r].write ? 201 : 403, &e);
          call (fixture, who, "PUT", new_path, c->changed, roles[r].write ? 200 : 403, &f);
          if (!roles[r].write)
            {
              g_auto(DecaTestAnswer) put = { 0 }, del = { 0 };

              g_autofree char *write_name = g_strconcat ("write:", c->plural, NULL);
              JsonObject *error;
              JsonArray *missing;

              /* Refused before the item is looked up: 403 listing what is missing, and the
               * item stays. */
              error = assert_error ((call (fixture, who, "PUT", path, c->changed, 403, &put), &put), "forbidden");
              missing = json_object_get_array_member (json_object_get_object_member (error, "details"), "missing");
              g_assert_cmpuint (json_array_get_length (missing), ==, 1);
              g_assert_cmpstr (json_array_get_string_element (missing, 0), ==, write_name);
              call (fixture, who, "DELETE", path, NULL, 403, &del);
            }
          call (fixture, who, "DELETE", new_path, NULL, roles[r].write ? 204 : 403, &g);
        }
    }
  /* Every refusal was audited as denied: per kind, the viewer's 5 and the executor's 8. */
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM audit_log WHERE action = 'access.denied'"
                                      " AND result = 'denied'"), ==, 3 * (5 + 8));
  /* Each names the route's pattern and has what was missing as a list, as the answer
   * has it. */
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM audit_log WHERE action = 'access.denied'"
                                      " AND target = json_extract (details, '$.route') AND target LIKE '/api/v1/%'"
                                      " AND json_extract (details, '$.method') IS NOT NULL"
                                      " AND json_type (details, '$.missing') = 'array'"
                                      " AND json_array_length (details, '$.missing') = 1"), ==, 3 * (5 + 8));
  g_assert_cmpint (db_count (fixture, "SELECT count(*) FROM audit_log WHERE target LIKE '%{id}%'"
                                      " AND action = 'access.denied'"), ==, 3 * (4 + 6));
}

/* Lists page by id with next_cursor and filter by name. */
static void
test_list (Fixture       *fixture,
           gconstpointer  data)
{
  static const char * const names[] = { "Campaign Analyzer", "Persona Generator", "Content Creator",
                                        "Data Analyst", "Code Reviewer" };
  g_auto(DecaTestAnswer) page1 = { 0 }, page2 = { 0 }, page3 = { 0 }, named = { 0 };
  g_autofree char *next = NULL;
  g_autofree char *next2 = NULL;
  JsonObject *object;
  JsonArray *items;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"id\": \"agent-%u\", \"name\": \"%s\","
                                               " \"model\": {\"provider\": \"openai\", \"name\": \"m\"}}",
                                               i, names[i]);
      g_auto(DecaTestAnswer) created = { 0 };

      call (fixture, "ws-a:developer", "POST", "/api/v1/agents", body, 201, &created);
    }
  object = call (fixture, "ws-a:viewer", "GET", "/api/v1/agents?limit=2", NULL, 200, &page1);
  items = json_object_get_array_member (object, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "id"), ==, "agent-0");
  next = g_strdup (json_object_get_string_member (object, "next_cursor"));
  g_assert_cmpstr (next, ==, "agent-1");
  {
    g_autofree char *path = g_strconcat ("/api/v1/agents?limit=2&cursor=", next, NULL);

    object = call (fixture, "ws-a:viewer", "GET", path, NULL, 200, &page2);
  }
  items = json_object_get_array_member (object, "items");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "id"), ==, "agent-2");
  next2 = g_strdup (json_object_get_string_member (object, "next_cursor"));
  g_assert_cmpstr (next2, ==, "agent-3");
  {
    g_autofree char *path = g_strconcat ("/api/v1/agents?limit=2&cursor=", next2, NULL);

    object = call (fixture, "ws-a:viewer", "GET", path, NULL, 200, &page3);
  }
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "items")), ==, 1);
  g_assert_true (json_object_get_null_member (object, "next_cursor"));

  object = call (fixture, "ws-a:viewer", "GET", "/api/v1/agents?name=analy", NULL, 200, &named);
  items = json_object_get_array_member (object, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "name"),
                   ==, "Campaign Analyzer");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "name"),
                   ==, "Data Analyst");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/deca/server/library/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("crud", test_crud);
  ADD ("ids", test_ids);
  ADD ("if-match", test_if_match);
  ADD ("invalid", test_invalid);
  ADD ("isolation", test_isolation);
  ADD ("permissions", test_permissions);
  ADD ("list", test_list);
#undef ADD

  return g_test_run ();
}
