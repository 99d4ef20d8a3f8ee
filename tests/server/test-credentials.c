/* test-credentials.c: the credentials routes in-process (create, list, get, update,
 * delete; permissions; 400 with the field's JSON pointer; 409 for a stale revision or a
 * taken name; isolation between workspaces), the secret never in an answer, a log line
 * or the database in clear, and DecaStoreCredentials resolving {{credentials.NAME.FIELD}}
 * in a flow run (bound to one workspace, or serving each execution from its own), key
 * rotation on the store (deca_store_credentials_rotate), and a server
 * without keys refusing to store secrets (500, the reason in the log only).
 *
 * The server runs on a thread of its own with its own main context (the store is used
 * from the thread that opened it); the test talks to it with SoupSession's synchronous
 * API. A small authenticator stands for the real one: "Bearer <workspace>:<role>" is a
 * principal of that workspace with that role. */

#include "config.h"

#include <string.h>

#include <deca-engine.h>
#include <deca-engine-error.h>
#include <deca-store-server.h>

#include "deca-api-credentials.h"
#include "deca-secret-box.h"
#include "deca-server.h"
#include "deca-server-test.h"
#include "deca-store-credentials.h"
#include "deca-test-fs.h"

#define SECRET "sk-Zq7-very-secret-value-91"
#define SECRET2 "sk-second-secret-77Hx"
#define KEY_LINE "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_LINE2 "k2:202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"

typedef struct {
  DecaTestServer *server;
  GString *bodies;        /* every answer's body, to look for the secret in */
  gboolean no_keys;       /* set by the test's data: a server without secret keys */
} Fixture;

/* --- the server ------------------------------------------------------------------- */

/* On the server thread: two workspaces, the credentials routes with the key (or none),
 * a test authenticator that checks the role's permissions. */
static void
server_setup (DecaTestServer *test,
              DecaServer     *server,
              gpointer        user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaSecretBox) box = deca_secret_box_new ();
  DecaStore *store = deca_server_get_store (server);

  g_assert_true (deca_store_create_workspace (store, "ws-a", "A", &error));
  g_assert_true (deca_store_create_workspace (store, "ws-b", "B", &error));
  if (!fixture->no_keys)
    g_assert_true (deca_secret_box_load_keys (box, KEY_LINE, &error));
  g_assert_no_error (error);
  g_assert_true (deca_api_credentials_register (server, box, &error));
  g_assert_no_error (error);
  deca_test_install_checking_role_authenticator (server);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  /* Debug lines too: the secret must not be in any of them either. */
  DecaTestServerOptions options = { .log_level = DECA_LOG_DEBUG, .setup = server_setup, .user_data = fixture };

  fixture->bodies = g_string_new (NULL);
  fixture->no_keys = data != NULL;
  fixture->server = deca_test_server_new ("credentials", &options);
}

/* Stops the server (its log is then complete). */
static void
fixture_stop (Fixture *fixture)
{
  deca_test_server_stop (fixture->server);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_server_free (fixture->server);
  g_string_free (fixture->bodies, TRUE);
}

/* --- helpers ------------------------------------------------------------------------ */

/* Sends @method @path as @who ("ws-a:owner"; NULL: no Authorization) with @body (NULL:
 * none); returns the parsed answer (NULL when it has no body) and sets @status. Every
 * body is kept for the secret scan. */
static JsonNode *
call (Fixture    *fixture,
      const char *who,
      const char *method,
      const char *path,
      const char *body,
      guint      *status)
{
  g_auto(DecaTestAnswer) answer = { 0 };

  *status = deca_test_server_call (fixture->server, who, method, path, body, &answer);
  g_string_append_len (fixture->bodies, answer.text, (gssize) answer.length);
  g_string_append_c (fixture->bodies, '\n');
  return g_steal_pointer (&answer.json);
}

/* Checks the error shape with @code and, when @pointer is not NULL, details.pointer. */
static void
assert_error (JsonNode   *node,
              const char *code,
              const char *pointer)
{
  JsonObject *error;

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  error = json_object_get_object_member (json_node_get_object (node), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  if (pointer != NULL)
    {
      JsonObject *details = json_object_get_object_member (error, "details");

      g_assert_nonnull (details);
      g_assert_cmpstr (json_object_get_string_member (details, "pointer"), ==, pointer);
    }
}

/* Checks that @node is a credential's metadata and nothing else. */
static JsonObject *
assert_metadata (JsonNode   *node,
                 const char *name,
                 const char *type,
                 gint64      revision)
{
  JsonObject *object;

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_node_get_object (node);
  g_assert_cmpuint (json_object_get_size (object), ==, 6);
  g_assert_nonnull (json_object_get_string_member (object, "id"));
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, type);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "created_at"), "Z"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "updated_at"), "Z"));
  g_assert_cmpint (json_object_get_int_member (object, "revision"), ==, revision);
  return object;
}

/* TRUE when @needle is somewhere in the file @path (binary). */
static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len;

  gsize needle_len = strlen (needle);

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (contents + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

/* Fails when a secret of the test appears in an answer, the log or the database files
 * (the database and its WAL). */
static void
assert_no_secret_anywhere (Fixture *fixture)
{
  const char *secrets[] = { SECRET, SECRET2 };
  g_autofree char *wal = g_strconcat (fixture->server->db_path, "-wal", NULL);

  fixture_stop (fixture);
  for (gsize i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      g_assert_null (strstr (fixture->bodies->str, secrets[i]));
      g_assert_false (file_contains (fixture->server->log_path, secrets[i]));
      g_assert_false (file_contains (fixture->server->db_path, secrets[i]));
      g_assert_false (file_contains (wal, secrets[i]));
    }
}

/* --- tests -------------------------------------------------------------------------- */

static void
test_crud (Fixture       *fixture,
           gconstpointer  data)
{
  guint status;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(JsonNode) renamed = NULL;
  g_autoptr(JsonNode) rekeyed = NULL;
  g_autoptr(JsonNode) deleted = NULL;
  g_autoptr(JsonNode) gone = NULL;
  g_autoptr(JsonNode) empty = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  JsonArray *items;
  const char *id;

  created = call (fixture, "ws-a:developer", "POST", "/api/v1/credentials",
                  "{\"name\": \"openai\", \"type\": \"api_key\", \"secret\": {\"api_key\": \"" SECRET "\"}}",
                  &status);
  g_assert_cmpuint (status, ==, 201);
  id = json_object_get_string_member (assert_metadata (created, "openai", "api_key", 1), "id");
  path = g_strconcat ("/api/v1/credentials/", id, NULL);

  listed = call (fixture, "ws-a:viewer", "GET", "/api/v1/credentials", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  items = json_object_get_array_member (json_node_get_object (listed), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  assert_metadata (json_array_get_element (items, 0), "openai", "api_key", 1);

  got = call (fixture, "ws-a:viewer", "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (assert_metadata (got, "openai", "api_key", 1), "id"), ==, id);

  /* A rename keeps the secret (no "secret" member). */
  renamed = call (fixture, "ws-a:developer", "PUT", path,
                  "{\"revision\": 1, \"name\": \"openai-prod\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  assert_metadata (renamed, "openai-prod", "api_key", 2);

  body = g_strdup ("{\"revision\": 2, \"type\": \"token\", \"secret\": {\"token\": \"" SECRET2 "\"}}");
  rekeyed = call (fixture, "ws-a:owner", "PUT", path, body, &status);
  g_assert_cmpuint (status, ==, 200);
  assert_metadata (rekeyed, "openai-prod", "token", 3);

  deleted = call (fixture, "ws-a:developer", "DELETE", path, NULL, &status);
  g_assert_cmpuint (status, ==, 204);
  g_assert_null (deleted);
  gone = call (fixture, "ws-a:developer", "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  assert_error (gone, "not_found", NULL);
  empty = call (fixture, "ws-a:developer", "GET", "/api/v1/credentials", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (empty),
                                                                          "items")), ==, 0);

  /* Three changes, three audit lines, with metadata only. */
  fixture_stop (fixture);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DecaStore) store = deca_store_open (fixture->server->db_path, &error);
    g_autoptr(GPtrArray) lines = NULL;
    const char *actions[] = { "credential.delete", "credential.update", "credential.update",
                              "credential.create" };

    g_assert_no_error (error);
    lines = deca_store_list_audit (store, "ws-a", 0, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (lines->len, ==, G_N_ELEMENTS (actions));
    for (guint i = 0; i < lines->len; i++)
      {
        DecaAuditRecord *line = g_ptr_array_index (lines, i);

        g_assert_cmpstr (line->action, ==, actions[i]);
        g_assert_cmpstr (line->actor, ==, "user:tester");
        g_assert_cmpstr (line->result, ==, "ok");
        g_assert_cmpstr (line->source, ==, "127.0.0.1");
        g_assert_nonnull (strstr (line->details, "openai"));
        g_assert_null (strstr (line->details, "sk-"));
      }
  }
  assert_no_secret_anywhere (fixture);
}

static void
test_stale_revision (Fixture       *fixture,
                     gconstpointer  data)
{
  guint status;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) stale = NULL;
  g_autoptr(JsonNode) other = NULL;
  g_autoptr(JsonNode) taken = NULL;
  g_autoptr(JsonNode) rename_taken = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *path = NULL;

  created = call (fixture, "ws-a:owner", "POST", "/api/v1/credentials",
                  "{\"name\": \"slack\", \"type\": \"token\", \"secret\": {\"token\": \"" SECRET "\"}}", &status);
  g_assert_cmpuint (status, ==, 201);
  path = g_strconcat ("/api/v1/credentials/",
                      json_object_get_string_member (json_node_get_object (created), "id"), NULL);

  first = call (fixture, "ws-a:owner", "PUT", path,
                "{\"revision\": 1, \"secret\": {\"token\": \"" SECRET2 "\"}}", &status);
  g_assert_cmpuint (status, ==, 200);
  /* A second writer that read revision 1 too is refused, whatever it changes. */
  stale = call (fixture, "ws-a:owner", "PUT", path,
                "{\"revision\": 1, \"secret\": {\"token\": \"" SECRET "\"}}", &status);
  g_assert_cmpuint (status, ==, 409);
  assert_error (stale, "conflict", NULL);

  /* Names are unique within a workspace: a second "slack" and a rename to it are 409. */
  other = call (fixture, "ws-a:owner", "POST", "/api/v1/credentials",
                "{\"name\": \"github\", \"type\": \"token\", \"secret\": {\"token\": \"x\"}}", &status);
  g_assert_cmpuint (status, ==, 201);
  taken = call (fixture, "ws-a:owner", "POST", "/api/v1/credentials",
                "{\"name\": \"slack\", \"type\": \"token\", \"secret\": {\"token\": \"y\"}}", &status);
  g_assert_cmpuint (status, ==, 409);
  assert_error (taken, "conflict", NULL);
  {
    g_autofree char *other_path = g_strconcat ("/api/v1/credentials/",
                                               json_object_get_string_member (json_node_get_object (other), "id"),
                                               NULL);

    rename_taken = call (fixture, "ws-a:owner", "PUT", other_path, "{\"revision\": 1, \"name\": \"slack\"}", &status);
    g_assert_cmpuint (status, ==, 409);
    assert_error (rename_taken, "conflict", NULL);
  }
  after = call (fixture, "ws-a:owner", "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  assert_metadata (after, "slack", "token", 2);
  assert_no_secret_anywhere (fixture);
}

static void
test_isolation (Fixture       *fixture,
                gconstpointer  data)
{
  guint status;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) same_name = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *path = NULL;
  const char *methods[] = { "GET", "PUT", "DELETE" };

  created = call (fixture, "ws-a:owner", "POST", "/api/v1/credentials",
                  "{\"name\": \"db\", \"type\": \"basic\", \"secret\": {\"password\": \"" SECRET "\"}}", &status);
  g_assert_cmpuint (status, ==, 201);
  path = g_strconcat ("/api/v1/credentials/",
                      json_object_get_string_member (json_node_get_object (created), "id"), NULL);

  /* Another workspace's owner sees nothing, changes nothing: 404 as for no credential. */
  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(JsonNode) answer = call (fixture, "ws-b:owner", methods[i], path,
                                         g_str_equal (methods[i], "PUT")
                                         ? "{\"revision\": 1, \"secret\": {\"password\": \"stolen\"}}" : NULL,
                                         &status);

      g_assert_cmpuint (status, ==, 404);
      assert_error (answer, "not_found", NULL);
    }
  listed = call (fixture, "ws-b:owner", "GET", "/api/v1/credentials", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (listed),
                                                                          "items")), ==, 0);
  /* Names are per workspace. */
  same_name = call (fixture, "ws-b:owner", "POST", "/api/v1/credentials",
                    "{\"name\": \"db\", \"type\": \"basic\", \"secret\": {\"password\": \"" SECRET2 "\"}}", &status);
  g_assert_cmpuint (status, ==, 201);
  {
    g_autoptr(JsonNode) mine = call (fixture, "ws-a:owner", "GET", path, NULL, &status);

    g_assert_cmpuint (status, ==, 200);
    assert_metadata (mine, "db", "basic", 1);
  }
  assert_no_secret_anywhere (fixture);
}

static void
test_permissions (Fixture       *fixture,
                  gconstpointer  data)
{
  static const struct {
    const char *who;
    const char *method;
    guint status;
  } cases[] = {
    { NULL, "GET", 401 },
    { NULL, "POST", 401 },
    { "ws-a:viewer", "POST", 403 },
    { "ws-a:executor", "GET", 403 },
    { "ws-a:executor", "POST", 403 },
    { "ws-a:viewer", "GET", 200 },
    { "ws-a:admin", "POST", 201 },
  };
  guint status;
  g_autoptr(JsonNode) created = NULL;
  g_autofree char *path = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\": \"c%zu\", \"type\": \"api_key\","
                                               " \"secret\": {\"k\": \"" SECRET "\"}}", i);
      g_autoptr(JsonNode) answer = call (fixture, cases[i].who, cases[i].method, "/api/v1/credentials",
                                         g_str_equal (cases[i].method, "POST") ? body : NULL, &status);

      g_assert_cmpuint (status, ==, cases[i].status);
      if (status == 201)
        created = json_node_ref (answer);
    }
  path = g_strconcat ("/api/v1/credentials/",
                      json_object_get_string_member (json_node_get_object (created), "id"), NULL);
  {
    g_autoptr(JsonNode) viewer_put = call (fixture, "ws-a:viewer", "PUT", path, "{\"revision\": 1}", &status);

    g_assert_cmpuint (status, ==, 403);
  }
  {
    g_autoptr(JsonNode) viewer_delete = call (fixture, "ws-a:viewer", "DELETE", path, NULL, &status);

    g_assert_cmpuint (status, ==, 403);
  }
  {
    g_autoptr(JsonNode) still = call (fixture, "ws-a:viewer", "GET", path, NULL, &status);

    g_assert_cmpuint (status, ==, 200);
  }
  assert_no_secret_anywhere (fixture);
}

static void
test_bad_input (Fixture       *fixture,
                gconstpointer  data)
{
  static const struct {
    const char *body;
    const char *pointer;
  } cases[] = {
    { "[1, 2]", "" },
    { "{\"type\": \"api_key\", \"secret\": {\"k\": \"" SECRET "\"}}", "/name" },
    { "{\"name\": \"\", \"type\": \"api_key\", \"secret\": {\"k\": \"" SECRET "\"}}", "/name" },
    { "{\"name\": \"has space\", \"type\": \"api_key\", \"secret\": {\"k\": \"" SECRET "\"}}", "/name" },
    { "{\"name\": 7, \"type\": \"api_key\", \"secret\": {\"k\": \"" SECRET "\"}}", "/name" },
    { "{\"name\": \"ok\", \"secret\": {\"k\": \"" SECRET "\"}}", "/type" },
    { "{\"name\": \"ok\", \"type\": \"a b\", \"secret\": {\"k\": \"" SECRET "\"}}", "/type" },
    { "{\"name\": \"ok\", \"type\": \"api_key\"}", "/secret" },
    { "{\"name\": \"ok\", \"type\": \"api_key\", \"secret\": \"" SECRET "\"}", "/secret" },
    { "{\"name\": \"ok\", \"type\": \"api_key\", \"secret\": {}}", "/secret" },
    { "{\"name\": \"ok\", \"type\": \"api_key\", \"secret\": {\"a/b\": 5}}", "/secret/a~1b" },
    { "{\"name\": \"ok\", \"type\": \"api_key\", \"secret\": {\"k\": \"" SECRET "\"}, \"secrets\": {}}", "/secrets" },
  };
  guint status;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) no_revision = NULL;
  g_autoptr(JsonNode) bad_revision = NULL;
  g_autoptr(JsonNode) bad_secret = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *path = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) answer = call (fixture, "ws-a:owner", "POST", "/api/v1/credentials",
                                         cases[i].body, &status);

      g_test_message ("case %zu", i);
      g_assert_cmpuint (status, ==, 400);
      assert_error (answer, "bad_request", cases[i].pointer);
    }
  /* Nothing was stored by any of them. */
  listed = call (fixture, "ws-a:owner", "GET", "/api/v1/credentials", NULL, &status);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (listed),
                                                                          "items")), ==, 0);

  created = call (fixture, "ws-a:owner", "POST", "/api/v1/credentials",
                  "{\"name\": \"ok\", \"type\": \"api_key\", \"secret\": {\"k\": \"" SECRET "\"}}", &status);
  g_assert_cmpuint (status, ==, 201);
  path = g_strconcat ("/api/v1/credentials/",
                      json_object_get_string_member (json_node_get_object (created), "id"), NULL);
  no_revision = call (fixture, "ws-a:owner", "PUT", path, "{\"name\": \"renamed\"}", &status);
  g_assert_cmpuint (status, ==, 400);
  assert_error (no_revision, "bad_request", "/revision");
  bad_revision = call (fixture, "ws-a:owner", "PUT", path, "{\"revision\": \"1\"}", &status);
  g_assert_cmpuint (status, ==, 400);
  assert_error (bad_revision, "bad_request", "/revision");
  bad_secret = call (fixture, "ws-a:owner", "PUT", path,
                     "{\"revision\": 1, \"secret\": {\"k\": [\"" SECRET "\"]}}", &status);
  g_assert_cmpuint (status, ==, 400);
  assert_error (bad_secret, "bad_request", "/secret/k");
  assert_no_secret_anywhere (fixture);
}

/* Without keys the server still lists, but refuses to store a secret it cannot
 * encrypt: a 503 "unavailable" whose message says how to give the server a key (the
 * caller cannot fix it; the operator can), not a 500 with the reason in the log only. */
static void
test_no_keys (Fixture       *fixture,
              gconstpointer  data)
{
  guint status;
  g_autoptr(JsonNode) refused = NULL;
  g_autoptr(JsonNode) listed = NULL;
  const char *message;

  refused = call (fixture, "ws-a:owner", "POST", "/api/v1/credentials",
                  "{\"name\": \"openai\", \"type\": \"api_key\", \"secret\": {\"api_key\": \"" SECRET "\"}}",
                  &status);
  g_assert_cmpuint (status, ==, 503);
  assert_error (refused, "unavailable", NULL);
  message = json_object_get_string_member (json_object_get_object_member (json_node_get_object (refused), "error"),
                                           "message");
  g_assert_nonnull (strstr (message, "no secret key"));
  g_assert_nonnull (strstr (message, "--secret-key-file"));
  g_assert_nonnull (strstr (message, "DECA_SECRET_KEY"));
  listed = call (fixture, "ws-a:owner", "GET", "/api/v1/credentials", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (listed),
                                                                          "items")), ==, 0);
  assert_no_secret_anywhere (fixture);
}

/* --- the provider and rotation, on a store of the test's own ------------------------- */

static DecaSecretBox *
box_with (const char *keys)
{
  g_autoptr(GError) error = NULL;
  DecaSecretBox *box = deca_secret_box_new ();

  g_assert_true (deca_secret_box_load_keys (box, keys, &error));
  g_assert_no_error (error);
  return box;
}

/* Stores credential @name of @workspace with @secret_json, as the POST route does. */
static void
put_credential (DecaStore     *store,
                DecaSecretBox *box,
                const char    *workspace,
                const char    *id,
                const char    *name,
                const char    *secret_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) secret = json_from_string (secret_json, &error);
  g_autoptr(GBytes) blob = NULL;
  DecaCredentialRecord record = { 0 };

  g_assert_no_error (error);
  blob = deca_store_credentials_seal (box, workspace, id, json_node_get_object (secret), &error);
  g_assert_no_error (error);
  record.id = (char *) id;
  record.workspace_id = (char *) workspace;
  record.name = (char *) name;
  record.type = (char *) "api_key";
  record.ciphertext = blob;
  record.key_id = (char *) deca_secret_box_get_current_key_id (box);
  g_assert_true (deca_store_insert_credential (store, &record, &error));
  g_assert_no_error (error);
}

static DecaExecution *
run_flow (DecaExecutor *executor,
          const char   *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlow) flow = deca_flow_new_from_data (json, -1, &error);
  DecaExecution *execution;

  g_assert_no_error (error);
  execution = deca_executor_start (executor, flow, NULL, &error);
  g_assert_no_error (error);
  while (!deca_execution_is_finished (execution))
    g_main_context_iteration (NULL, TRUE);
  return execution;
}

static void
test_provider (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = deca_store_open (":memory:", &error);
  g_autoptr(DecaSecretBox) box = box_with (KEY_LINE);
  g_autoptr(DecaStoreCredentials) provider_a = NULL;
  g_autoptr(DecaStoreCredentials) provider_b = NULL;
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(DecaExecutor) executor = deca_executor_new (registry);
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(DecaFlow) flow = NULL;
  g_autoptr(JsonObject) fields = NULL;
  g_autofree char *output = NULL;
  const char *flow_json =
    "{\"id\": \"uses\", \"name\": \"Uses a credential\", \"nodes\": ["
    " {\"id\": \"check\", \"type\": \"transform\", \"config\": {\"set\": {"
    "   \"matches\": \"{{credentials.openai.api_key === '" SECRET "'}}\","
    "   \"header\": \"Bearer {{credentials.openai.api_key}}\"}}}]}";

  g_assert_no_error (error);
  g_assert_true (deca_store_create_workspace (store, "ws-a", "A", &error));
  g_assert_true (deca_store_create_workspace (store, "ws-b", "B", &error));
  put_credential (store, box, "ws-a", "c1", "openai", "{\"api_key\": \"" SECRET "\"}");
  put_credential (store, box, "ws-b", "c2", "openai", "{\"api_key\": \"" SECRET2 "\"}");

  provider_a = deca_store_credentials_new (store, box, "ws-a");
  g_assert_cmpstr (deca_store_credentials_get_workspace_id (provider_a), ==, "ws-a");
  fields = deca_credential_provider_lookup (DECA_CREDENTIAL_PROVIDER (provider_a), "openai", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (fields, "api_key"), ==, SECRET);

  /* A flow run by the workspace's executor sees its credential, redacted in outputs. */
  deca_executor_set_credential_provider (executor, DECA_CREDENTIAL_PROVIDER (provider_a));
  execution = run_flow (executor, flow_json);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  output = json_to_string (deca_execution_get_output (execution), FALSE);
  g_assert_nonnull (strstr (output, "\"matches\":true"));
  g_assert_null (strstr (output, SECRET));
  g_clear_object (&execution);
  g_clear_pointer (&output, g_free);

  /* Workspace b's executor gets b's "openai", whose key differs. */
  provider_b = deca_store_credentials_new (store, box, "ws-b");
  g_clear_object (&executor);
  executor = deca_executor_new (registry);
  deca_executor_set_credential_provider (executor, DECA_CREDENTIAL_PROVIDER (provider_b));
  execution = run_flow (executor, flow_json);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  output = json_to_string (deca_execution_get_output (execution), FALSE);
  g_assert_nonnull (strstr (output, "\"matches\":false"));
  g_clear_object (&execution);

  /* A name no credential of the workspace has fails the start, naming it. */
  flow = deca_flow_new_from_data ("{\"id\": \"m\", \"name\": \"M\", \"nodes\": [{\"id\": \"a\", \"type\": \"transform\","
                                  " \"config\": {\"set\": {\"k\": \"{{credentials.stripe.key}}\"}}}]}", -1, &error);
  g_assert_no_error (error);
  g_assert_null (deca_executor_start (executor, flow, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);
  g_assert_nonnull (strstr (error->message, "stripe"));
  g_clear_error (&error);

  /* A ciphertext moved to another credential does not decrypt there, and the error
   * holds no secret. */
  {
    g_autoptr(DecaCredentialRecord) a = deca_store_get_credential (store, "ws-a", "c1", &error);
    g_autoptr(GBytes) moved = g_bytes_ref (a->ciphertext);

    g_assert_true (deca_store_update_credential (store, "ws-b", "c2", NULL, NULL, moved, a->key_id,
                                                 0, NULL, &error));
    g_assert_no_error (error);
    g_assert_null (deca_credential_provider_lookup (DECA_CREDENTIAL_PROVIDER (provider_b), "openai", &error));
    g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);
    g_assert_null (strstr (error->message, SECRET));
    g_clear_error (&error);
  }
}

/* The provider `deca serve` gives its executor, bound to no workspace: each lookup is of
 * the asking execution's workspace (its flow's), and never finds another workspace's
 * credential; a provider bound to one workspace finds nothing for another. */
static void
test_provider_per_workspace (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = deca_store_open (":memory:", &error);
  g_autoptr(DecaSecretBox) box = box_with (KEY_LINE);
  g_autoptr(DecaStoreCredentials) every = NULL;
  g_autoptr(DecaStoreCredentials) bound = NULL;
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(DecaExecutor) executor = deca_executor_new (registry);
  g_autoptr(JsonObject) fields = NULL;
  const char *workspaces[] = { "ws-a", "ws-b" };
  const char *secrets[] = { SECRET, SECRET2 };

  g_assert_no_error (error);
  g_assert_true (deca_store_create_workspace (store, "ws-a", "A", &error));
  g_assert_true (deca_store_create_workspace (store, "ws-b", "B", &error));
  put_credential (store, box, "ws-a", "c1", "openai", "{\"api_key\": \"" SECRET "\"}");
  put_credential (store, box, "ws-b", "c2", "openai", "{\"api_key\": \"" SECRET2 "\"}");
  put_credential (store, box, "ws-b", "c3", "stripe", "{\"key\": \"" SECRET2 "\"}");

  every = deca_store_credentials_new (store, box, NULL);
  g_assert_null (deca_store_credentials_get_workspace_id (every));
  g_assert_true (deca_credential_provider_is_per_workspace (DECA_CREDENTIAL_PROVIDER (every)));
  fields = deca_credential_provider_lookup_in_workspace (DECA_CREDENTIAL_PROVIDER (every), "ws-b", "openai", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (fields, "api_key"), ==, SECRET2);
  g_clear_pointer (&fields, json_object_unref);
  /* Only ws-b has "stripe": for ws-a it is not defined, in the words of any other
   * unknown name. */
  g_assert_null (deca_credential_provider_lookup_in_workspace (DECA_CREDENTIAL_PROVIDER (every), "ws-a", "stripe",
                                                               &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);
  g_assert_cmpstr (error->message, ==, "credential 'stripe' is not defined");
  g_clear_error (&error);
  /* Asked without a workspace, it has none to read. */
  g_assert_null (deca_credential_provider_lookup (DECA_CREDENTIAL_PROVIDER (every), "openai", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);
  g_clear_error (&error);

  bound = deca_store_credentials_new (store, box, "ws-a");
  g_assert_null (deca_credential_provider_lookup_in_workspace (DECA_CREDENTIAL_PROVIDER (bound), "ws-b", "openai",
                                                               &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);
  g_clear_error (&error);

  /* An executor with the store runs each workspace's flow with its own secret. */
  deca_executor_set_store (executor, store);
  deca_executor_set_credential_provider (executor, DECA_CREDENTIAL_PROVIDER (every));
  for (guint i = 0; i < G_N_ELEMENTS (workspaces); i++)
    {
      g_autofree char *flow_id = g_strdup_printf ("uses-%u", i);
      g_autofree char *json = g_strdup_printf (
        "{\"id\": \"%s\", \"name\": \"Uses\", \"nodes\": [{\"id\": \"check\", \"type\": \"transform\","
        " \"config\": {\"set\": {\"matches\": \"{{credentials.openai.api_key === '%s'}}\"}}}]}",
        flow_id, secrets[i]);
      g_autoptr(DecaFlow) flow = deca_flow_new_from_data (json, -1, &error);
      g_autofree char *document = deca_flow_to_data (flow, FALSE, NULL);
      g_autoptr(DecaExecution) execution = NULL;
      g_autofree char *output = NULL;

      g_assert_true (deca_store_save_workspace_flow (store, workspaces[i], flow_id, NULL, document, NULL, &error));
      g_assert_no_error (error);
      execution = run_flow (executor, json);
      g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
      output = json_to_string (deca_execution_get_output (execution), FALSE);
      g_assert_nonnull (strstr (output, "\"matches\":true"));
    }
}

/* TRUE when credential @id of @workspace decrypts with @box alone. */
static gboolean
decrypts_with (DecaStore     *store,
               DecaSecretBox *box,
               const char    *workspace,
               const char    *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaCredentialRecord) record = deca_store_get_credential (store, workspace, id, &error);
  g_autoptr(JsonObject) fields = NULL;

  g_assert_no_error (error);
  fields = deca_store_credentials_open (box, record, &error);
  if (fields == NULL)
    {
      g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO);
      g_assert_null (strstr (error->message, SECRET));
      return FALSE;
    }
  g_assert_cmpstr (json_object_get_string_member (fields, "api_key"), ==, SECRET);
  return TRUE;
}

static void
test_rotate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaStore) store = deca_store_open (":memory:", &error);
  g_autoptr(DecaSecretBox) old_only = box_with (KEY_LINE);
  g_autoptr(DecaSecretBox) new_only = box_with (KEY_LINE2);
  g_autoptr(DecaSecretBox) both = box_with (KEY_LINE "\n" KEY_LINE2);
  g_autoptr(DecaSecretBox) wrong = box_with ("k3:404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f");
  g_autoptr(DecaCredentialRecord) before = NULL;
  g_autoptr(DecaCredentialRecord) after = NULL;
  guint count = 0;

  g_assert_true (deca_store_create_workspace (store, "ws-a", "A", &error));
  g_assert_true (deca_store_create_workspace (store, "ws-b", "B", &error));
  put_credential (store, old_only, "ws-a", "c1", "one", "{\"api_key\": \"" SECRET "\"}");
  put_credential (store, old_only, "ws-b", "c2", "two", "{\"api_key\": \"" SECRET "\"}");
  g_assert_true (decrypts_with (store, old_only, "ws-a", "c1"));
  g_assert_false (decrypts_with (store, new_only, "ws-a", "c1"));
  before = deca_store_get_credential (store, "ws-a", "c1", &error);

  /* Keys that open nothing: fails, and nothing changed. */
  g_assert_false (deca_store_credentials_rotate (store, wrong, &count, &error));
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO);
  g_clear_error (&error);
  g_assert_true (decrypts_with (store, old_only, "ws-a", "c1"));
  g_assert_true (decrypts_with (store, old_only, "ws-b", "c2"));

  g_assert_true (deca_store_credentials_rotate (store, both, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  g_assert_false (decrypts_with (store, old_only, "ws-a", "c1"));
  g_assert_true (decrypts_with (store, new_only, "ws-a", "c1"));
  g_assert_true (decrypts_with (store, new_only, "ws-b", "c2"));
  after = deca_store_get_credential (store, "ws-a", "c1", &error);
  g_assert_cmpstr (after->key_id, ==, "k2");
  /* The secret did not change: the revision stays. */
  g_assert_cmpint (after->revision, ==, before->revision);
  g_assert_false (g_bytes_equal (after->ciphertext, before->ciphertext));

  /* One credential that no key opens fails the whole rotation: the other keeps its blob. */
  put_credential (store, wrong, "ws-a", "c3", "three", "{\"api_key\": \"" SECRET "\"}");
  g_clear_pointer (&before, deca_credential_record_free);
  before = deca_store_get_credential (store, "ws-b", "c2", &error);
  g_assert_false (deca_store_credentials_rotate (store, new_only, &count, &error));
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO);
  g_assert_nonnull (strstr (error->message, "c3"));
  g_clear_error (&error);
  g_clear_pointer (&after, deca_credential_record_free);
  after = deca_store_get_credential (store, "ws-b", "c2", &error);
  g_assert_true (g_bytes_equal (after->ciphertext, before->ciphertext));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/server/credentials/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("crud", test_crud);
  ADD ("stale-revision", test_stale_revision);
  ADD ("isolation", test_isolation);
  ADD ("permissions", test_permissions);
  ADD ("bad-input", test_bad_input);
#undef ADD
  g_test_add ("/deca/server/credentials/no-keys", Fixture, "no-keys", fixture_setup, test_no_keys,
              fixture_teardown);
  g_test_add_func ("/deca/server/credentials/provider", test_provider);
  g_test_add_func ("/deca/server/credentials/provider-per-workspace", test_provider_per_workspace);
  g_test_add_func ("/deca/server/credentials/rotate", test_rotate);
  return g_test_run ();
}
