/* test-serve-credentials.c: the real `deca serve` ($DECA_BIN) running flows that use
 * credentials. Two workspaces (two `deca serve --init`) each have a credential "service"
 * with a secret of their own; a flow in each calls an HTTP server of the test on loopback
 * with the secret in a header, once through the http node's auth and once through a
 * {{credentials.service.token}} template. Each request carries its own workspace's
 * secret; a flow naming a credential only the other workspace has fails with "credential
 * 'NAME' is not defined" (at the start for a template, in the run for auth); and neither
 * secret appears in the API's execution detail, the database (executions, node results,
 * events) or the server's log, though the test server echoes them back. */

#include "config.h"

#include <string.h>

#include "deca-engine.h"
#include "deca-server-test.h"

#define SECRET_A "sa-Kq83-alpha-secret-token"
#define SECRET_B "sb-Zw41-bravo-secret-token"
#define SECRET_ONLY_B "sb-only-Px55-secret"
#define KEY_LINE "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

/* What the test's HTTP server saw: one line per request, "PATH AUTHORIZATION X-TOKEN". */
typedef struct {
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  char *base;             /* "http://127.0.0.1:PORT/", set when it listens */
  GPtrArray *seen;        /* under lock */
} Echo;

typedef struct {
  DecaServeProcess *serve;
  char *key_a;
  char *key_b;
  Echo echo;
} Fixture;

/* --- the HTTP server the flows call (its own thread and main context) ----------------- */

static void
echo_cb (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Echo *echo = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  const char *token = soup_message_headers_get_one (headers, "X-Token");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  g_mutex_lock (&echo->lock);
  g_ptr_array_add (echo->seen, g_strdup_printf ("%s %s %s", path, authorization ? authorization : "-",
                                                token ? token : "-"));
  g_mutex_unlock (&echo->lock);

  /* Everything it got comes back, in the body and in a header: the node's output then
   * holds the secret, and the executor must redact it. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "authorization");
  json_builder_add_string_value (builder, authorization ? authorization : "");
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token ? token : "");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  soup_message_headers_append (soup_server_message_get_response_headers (message), "X-Echo",
                               token ? token : (authorization ? authorization : ""));
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static gpointer
echo_thread (gpointer data)
{
  Echo *echo = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (echo->context);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, echo_cb, echo, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_mutex_lock (&echo->lock);
  echo->base = g_uri_to_string (uris->data);
  g_cond_signal (&echo->cond);
  g_mutex_unlock (&echo->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (echo->loop);
  soup_server_disconnect (server);
  g_clear_object (&server);
  while (g_main_context_iteration (echo->context, FALSE))
    ;
  g_main_context_pop_thread_default (echo->context);
  return NULL;
}

static void
echo_start (Echo *echo)
{
  g_mutex_init (&echo->lock);
  g_cond_init (&echo->cond);
  echo->seen = g_ptr_array_new_with_free_func (g_free);
  echo->context = g_main_context_new ();
  echo->loop = g_main_loop_new (echo->context, FALSE);
  echo->thread = g_thread_new ("echo", echo_thread, echo);
  g_mutex_lock (&echo->lock);
  while (echo->base == NULL)
    g_cond_wait (&echo->cond, &echo->lock);
  g_mutex_unlock (&echo->lock);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
echo_stop (Echo *echo)
{
  g_main_context_invoke (echo->context, quit_cb, echo->loop);
  g_thread_join (echo->thread);
  g_main_loop_unref (echo->loop);
  g_main_context_unref (echo->context);
  g_ptr_array_unref (echo->seen);
  g_free (echo->base);
  g_mutex_clear (&echo->lock);
  g_cond_clear (&echo->cond);
}

/* Takes (transfer full) the requests seen so far, and forgets them. */
static GPtrArray *
echo_take (Echo *echo)
{
  GPtrArray *seen;

  g_mutex_lock (&echo->lock);
  seen = echo->seen;
  echo->seen = g_ptr_array_new_with_free_func (g_free);
  g_mutex_unlock (&echo->lock);
  return seen;
}

/* --- the server ---------------------------------------------------------------------- */

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->serve = deca_serve_process_new ("serve-credentials");
  fixture->key_a = deca_serve_process_init (fixture->serve, NULL);
  fixture->key_b = deca_serve_process_init (fixture->serve, "Second");
  echo_start (&fixture->echo);

  deca_serve_process_setenv (fixture->serve, "DECA_SECRET_KEY", KEY_LINE);
  deca_serve_process_start (fixture->serve, "--log-level", "debug", NULL);
}

/* Stops `deca serve` cleanly (SIGTERM), so that its log and database are complete. */
static void
stop_process (Fixture *fixture)
{
  deca_serve_process_stop (fixture->serve);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_serve_process_free (fixture->serve);
  echo_stop (&fixture->echo);
  g_free (fixture->key_a);
  g_free (fixture->key_b);
}

/* Sends @method @path with API key @key and @body (nullable); returns the status, and
 * the answer's text in *@text (transfer full) and parsed in *@out (nullable). */
static guint
call (Fixture     *fixture,
      const char  *key,
      const char  *method,
      const char  *path,
      const char  *body,
      char       **text,
      JsonNode   **out)
{
  g_auto(DecaTestAnswer) answer = { 0 };

  deca_serve_process_call (fixture->serve, key, method, path, body, &answer);
  if (text != NULL)
    *text = g_steal_pointer (&answer.text);
  if (out != NULL)
    *out = g_steal_pointer (&answer.json);
  return answer.status;
}

/* Asserts that @text holds none of the secrets. */
static void
assert_no_secret (const char *text)
{
  g_assert_nonnull (text);
  g_assert_null (strstr (text, SECRET_A));
  g_assert_null (strstr (text, SECRET_B));
  g_assert_null (strstr (text, SECRET_ONLY_B));
}

static void
create_credential (Fixture    *fixture,
                   const char *key,
                   const char *name,
                   const char *secret)
{
  g_autofree char *body = g_strdup_printf ("{\"name\": \"%s\", \"type\": \"api_key\", \"secret\": {\"token\": \"%s\"}}",
                                           name, secret);
  g_autofree char *text = NULL;

  g_assert_cmpuint (call (fixture, key, "POST", "/api/v1/credentials", body, &text, NULL), ==, 201);
  assert_no_secret (text);
}

/* Saves flow @id: an http node "auth" (bearer auth with credential @credential), then an
 * http node "tmpl" with the credential's token in a header through a template. */
static void
create_flow (Fixture    *fixture,
             const char *key,
             const char *id,
             const char *credential)
{
  g_autofree char *body = g_strdup_printf (
    "{\"id\": \"%s\", \"name\": \"Calls\", \"nodes\": ["
    " {\"id\": \"auth\", \"type\": \"http\", \"config\": {\"url\": \"%sauth\","
    "   \"auth\": {\"type\": \"bearer\", \"credential\": \"%s\", \"field\": \"token\"}}},"
    " {\"id\": \"tmpl\", \"type\": \"http\", \"config\": {\"url\": \"%stmpl\","
    "   \"headers\": {\"X-Token\": \"{{credentials.%s.token}}\"}}}],"
    " \"connections\": [{\"from\": \"auth\", \"to\": \"tmpl\"}]}",
    id, fixture->echo.base, credential, fixture->echo.base, credential);

  g_assert_cmpuint (call (fixture, key, "POST", "/api/v1/flows", body, NULL, NULL), ==, 201);
}

/* Runs flow @id to its end; returns (transfer full) the execution's API detail. */
static JsonObject *
execute (Fixture    *fixture,
         const char *key,
         const char *id,
         char      **detail_text)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/flows/%s/execute?wait=true", id);
  g_autofree char *text = NULL;
  g_autofree char *detail_path = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) detail = NULL;
  const char *execution_id;

  g_assert_cmpuint (call (fixture, key, "POST", path, "{}", &text, &answer), ==, 200);
  assert_no_secret (text);
  execution_id = json_object_get_string_member (json_node_get_object (answer), "id");
  detail_path = g_strdup_printf ("/api/v1/executions/%s", execution_id);
  g_assert_cmpuint (call (fixture, key, "GET", detail_path, NULL, detail_text, &detail), ==, 200);
  assert_no_secret (*detail_text);
  return json_object_ref (json_node_get_object (detail));
}

/* Asserts that no file of the data directory holds a secret (the database, its WAL). */
static void
assert_no_secret_on_disk (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->serve->data_dir, 0, NULL);
  const char *name;
  guint files = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->serve->data_dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_assert_null (g_strstr_len (contents, length, SECRET_A));
      g_assert_null (g_strstr_len (contents, length, SECRET_B));
      g_assert_null (g_strstr_len (contents, length, SECRET_ONLY_B));
      files++;
    }
  g_assert_cmpuint (files, >, 0);
}

static void
test_per_workspace (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) run_a = NULL;
  g_autoptr(JsonObject) run_b = NULL;
  g_autoptr(JsonObject) missing = NULL;
  g_autoptr(GPtrArray) seen = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;
  g_autofree char *text = NULL;
  g_autofree char *log = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *error_object;

  create_credential (fixture, fixture->key_a, "service", SECRET_A);
  create_credential (fixture, fixture->key_b, "service", SECRET_B);
  create_credential (fixture, fixture->key_b, "only-b", SECRET_ONLY_B);
  create_flow (fixture, fixture->key_a, "calls-a", "service");
  create_flow (fixture, fixture->key_b, "calls-b", "service");

  /* Each workspace's flow sends its own workspace's secret, both ways. */
  run_a = execute (fixture, fixture->key_a, "calls-a", &text_a);
  g_assert_cmpstr (json_object_get_string_member (run_a, "status"), ==, "succeeded");
  seen = echo_take (&fixture->echo);
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "/auth Bearer " SECRET_A " -");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "/tmpl - " SECRET_A);
  g_clear_pointer (&seen, g_ptr_array_unref);

  run_b = execute (fixture, fixture->key_b, "calls-b", &text_b);
  g_assert_cmpstr (json_object_get_string_member (run_b, "status"), ==, "succeeded");
  seen = echo_take (&fixture->echo);
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "/auth Bearer " SECRET_B " -");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "/tmpl - " SECRET_B);
  g_clear_pointer (&seen, g_ptr_array_unref);

  /* The echoed secrets are in the detail redacted: the outputs are there, the secrets
   * are not (checked by execute()). */
  g_assert_nonnull (strstr (text_a, "[redacted]"));
  g_assert_nonnull (strstr (text_b, "[redacted]"));
  g_assert_nonnull (strstr (text_a, "/tmpl"));

  /* A template naming a credential only the other workspace has: the start fails. */
  create_flow (fixture, fixture->key_a, "wants-b", "only-b");
  g_assert_cmpuint (call (fixture, fixture->key_a, "POST", "/api/v1/flows/wants-b/execute?wait=true", "{}",
                          &text, &answer), ==, 422);
  assert_no_secret (text);
  error_object = json_object_get_object_member (json_node_get_object (answer), "error");
  g_assert_cmpstr (json_object_get_string_member (error_object, "message"), ==,
                   "credential 'only-b' is not defined");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&answer, json_node_unref);

  /* The http node's auth alone (no template): the execution fails at that node. */
  g_assert_cmpuint (call (fixture, fixture->key_a, "POST", "/api/v1/flows",
                          "{\"id\": \"auth-b\", \"name\": \"Auth\", \"nodes\": [{\"id\": \"auth\", \"type\": \"http\","
                          " \"config\": {\"url\": \"http://127.0.0.1:9/never\", \"auth\": {\"type\": \"bearer\","
                          " \"credential\": \"only-b\", \"field\": \"token\"}}}]}", NULL, NULL), ==, 201);
  missing = execute (fixture, fixture->key_a, "auth-b", &text);
  g_assert_cmpstr (json_object_get_string_member (missing, "status"), ==, "failed");
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (missing, "error"),
                                                           "message"),
                            "credential 'only-b' is not defined"));
  seen = echo_take (&fixture->echo);
  g_assert_cmpuint (seen->len, ==, 0);

  /* After a clean stop: no secret in the database or the log. */
  stop_process (fixture);
  assert_no_secret_on_disk (fixture);
  log = deca_serve_process_read_log (fixture->serve);
  g_assert_nonnull (strstr (log, "\"level\""));
  assert_no_secret (log);
  /* What was scanned holds the runs: their events and node results, redacted. */
  db_path = g_build_filename (fixture->serve->data_dir, "deca.db", NULL);
  store = deca_store_open (db_path, &error);
  g_assert_no_error (error);
  for (guint r = 0; r < 2; r++)
    {
      const char *id = json_object_get_string_member (r == 0 ? run_a : run_b, "id");
      g_autoptr(GPtrArray) history = deca_event_list_history (store, id, &error);
      g_autoptr(GPtrArray) results = deca_store_list_node_results (store, id, &error);
      guint redacted = 0;

      g_assert_no_error (error);
      g_assert_cmpuint (history->len, >=, 4);
      for (guint i = 0; i < history->len; i++)
        assert_no_secret (((DecaEventRecord *) g_ptr_array_index (history, i))->payload);
      g_assert_cmpuint (results->len, ==, 2);
      for (guint i = 0; i < results->len; i++)
        {
          DecaNodeResultRecord *result = g_ptr_array_index (results, i);

          assert_no_secret (result->input);
          assert_no_secret (result->output);
          redacted += strstr (result->output, "[redacted]") != NULL;
        }
      g_assert_cmpuint (redacted, ==, 2);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/deca/serve-credentials/per-workspace", Fixture, NULL, fixture_setup, test_per_workspace,
              fixture_teardown);

  return g_test_run ();
}
