/* test-resume.c: the crash-resume proof. A real `deca` process ($DECA_BIN) runs a flow
 * against an HTTP server in this test, is killed with SIGKILL in the middle, and a second
 * process resumes the execution from the store: completed nodes do not run again, the
 * interrupted one runs again with the same idempotency key, the rest runs once.
 *
 * Nothing here sleeps: the test runs its main loop (which serves HTTP) until a condition
 * holds, with a generous guard timer that fails the test instead of hanging it. */

#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

/* How long any one wait for the child may take before the test gives up. */
#define GUARD_SECONDS 60

typedef struct {
  char        *dir;
  char        *db;
  SoupServer  *server;
  char        *base_url;        /* http://127.0.0.1:PORT */
  GMainLoop   *loop;
  GHashTable  *hits;            /* path -> GPtrArray of Idempotency-Key values ("" if none) */
  const char  *quit_on_path;    /* quit the loop when this path is first requested */
  gboolean     hang_first;      /* /hang: never answer the first request */
} Fixture;

static void
record_hit (Fixture    *fixture,
            const char *path,
            const char *key)
{
  GPtrArray *keys = g_hash_table_lookup (fixture->hits, path);

  if (keys == NULL)
    {
      keys = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (fixture->hits, g_strdup (path), keys);
    }
  g_ptr_array_add (keys, g_strdup (key ? key : ""));
}

static guint
hit_count (Fixture    *fixture,
           const char *path)
{
  GPtrArray *keys = g_hash_table_lookup (fixture->hits, path);

  return keys ? keys->len : 0;
}

static const char *
hit_key (Fixture    *fixture,
         const char *path,
         guint       index)
{
  GPtrArray *keys = g_hash_table_lookup (fixture->hits, path);

  g_assert_nonnull (keys);
  g_assert_cmpuint (index, <, keys->len);
  return g_ptr_array_index (keys, index);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *fixture = user_data;
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "Idempotency-Key");
  g_autofree char *body = NULL;

  record_hit (fixture, path, key);
  if (fixture->quit_on_path != NULL && g_str_equal (path, fixture->quit_on_path) &&
      hit_count (fixture, path) == 1)
    g_main_loop_quit (fixture->loop);

  /* The first /hang never gets an answer: the child is killed while it waits for it, as a
   * process that crashed in the middle of a request would be. */
  if (g_str_equal (path, "/hang") && fixture->hang_first && hit_count (fixture, path) == 1)
    {
      soup_server_message_pause (msg);
      return;
    }

  body = g_strdup_printf ("{\"path\": \"%s\", \"n\": %u}", path, hit_count (fixture, path));
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fixture->dir = g_dir_make_tmp ("deca-test-resume-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "deca.db", NULL);
  fixture->loop = g_main_loop_new (NULL, FALSE);
  fixture->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, server_cb, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  g_assert_nonnull (uris);
  fixture->base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  dir = g_dir_open (fixture->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->dir, name, NULL);

      g_assert_cmpint (g_remove (file), ==, 0);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_hash_table_unref (fixture->hits);
  g_main_loop_unref (fixture->loop);
  g_free (fixture->base_url);
  g_free (fixture->db);
  g_free (fixture->dir);
}

static gboolean
guard_cb (gpointer user_data)
{
  g_error ("%s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop (which serves HTTP) until something quits it, failing with @what
 * after GUARD_SECONDS. */
static void
run_loop_until (Fixture    *fixture,
                const char *what)
{
  guint guard = g_timeout_add_seconds (GUARD_SECONDS, guard_cb, (gpointer) what);

  g_main_loop_run (fixture->loop);
  g_source_remove (guard);
}

static char *
write_flow (Fixture    *fixture,
            const char *name,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static GSubprocess *
spawn_deca (GError **error,
            ...) G_GNUC_NULL_TERMINATED;

/* Spawns $DECA_BIN with the NULL-terminated arguments, stdout and stderr piped. */
static GSubprocess *
spawn_deca (GError **error,
            ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *bin = g_getenv ("DECA_BIN");
  const char *arg;
  va_list args;

  g_assert_nonnull (bin);
  g_ptr_array_add (argv, (char *) bin);
  va_start (args, error);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_unsetenv (launcher, "DECA_CREDENTIALS");
  /* The flows talk to 127.0.0.1 only: no system proxy settings, and no libproxy, whose
   * C++ exceptions abort an ASan build that did not load libstdc++ at start. */
  g_subprocess_launcher_setenv (launcher, "GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

typedef struct {
  Fixture *fixture;
  char    *out;
  char    *err;
  GError  *error;
} Communication;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communication *communication = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &communication->out,
                                        &communication->err, &communication->error);
  g_main_loop_quit (communication->fixture->loop);
}

/* Waits for @process to end while the main loop keeps serving HTTP, and returns its exit
 * status; @out and @err receive what it printed. */
static int
finish_deca (Fixture     *fixture,
             GSubprocess *process,
             char       **out,
             char       **err)
{
  Communication communication = { fixture, NULL, NULL, NULL };

  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, &communication);
  run_loop_until (fixture, "deca did not finish");
  g_assert_no_error (communication.error);
  if (strstr (communication.err, "CRITICAL") != NULL || strstr (communication.err, "WARNING") != NULL ||
      strstr (communication.err, "Sanitizer") != NULL)
    g_error ("deca printed a diagnostic:\n%s", communication.err);
  g_assert_true (g_subprocess_get_if_exited (process));
  *out = communication.out;
  *err = communication.err;
  return g_subprocess_get_exit_status (process);
}

/* Kills @process the way a crash or the OOM killer would and waits for it to be gone. */
static void
kill_deca (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (process));
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  if (error != NULL)
    g_error ("not JSON (%s):\n%s", error->message, text);
  return node;
}

/* The flow of the first case: four HTTP requests in a row; the third hangs the first time. */
static char *
chain_flow (Fixture *fixture)
{
  const char *base = fixture->base_url;

  return g_strdup_printf (
    "{\"id\": \"resume-chain\", \"name\": \"Resume chain\", \"nodes\": ["
    " {\"id\": \"n1\", \"type\": \"http\", \"config\": {\"method\": \"POST\", \"url\": \"%s/a\", \"body\": {\"step\": 1}}},"
    " {\"id\": \"n2\", \"type\": \"http\", \"config\": {\"method\": \"POST\", \"url\": \"%s/b\", \"body\": \"{{n1.body}}\"}},"
    " {\"id\": \"n3\", \"type\": \"http\", \"timeout\": 90,"
    "  \"config\": {\"method\": \"POST\", \"url\": \"%s/hang\", \"body\": \"{{n2.body}}\", \"timeout\": 60}},"
    " {\"id\": \"n4\", \"type\": \"http\", \"config\": {\"method\": \"POST\", \"url\": \"%s/d\", \"body\": \"{{n3.body}}\"}}],"
    " \"connections\": [{\"from\": \"n1\", \"to\": \"n2\"}, {\"from\": \"n2\", \"to\": \"n3\"},"
    "  {\"from\": \"n3\", \"to\": \"n4\"}]}",
    base, base, base, base);
}

static void
test_resume_http_chain (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *flow_text = chain_flow (fixture);
  g_autofree char *flow = write_flow (fixture, "chain.json", flow_text);
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected_key_prefix = NULL;
  JsonArray *executions;
  JsonObject *execution;
  int status;

  fixture->hang_first = TRUE;
  fixture->quit_on_path = "/hang";
  first = spawn_deca (&error, "run", flow, "--db", fixture->db, "--quiet", NULL);
  g_assert_no_error (error);
  /* n3's request reaching the server means n1 and n2 are checkpointed: a node starts only
   * after the commit of its predecessors' results. */
  run_loop_until (fixture, "the first deca never reached /hang");
  kill_deca (first);
  g_assert_cmpuint (hit_count (fixture, "/a"), ==, 1);
  g_assert_cmpuint (hit_count (fixture, "/b"), ==, 1);
  g_assert_cmpuint (hit_count (fixture, "/hang"), ==, 1);
  g_assert_cmpuint (hit_count (fixture, "/d"), ==, 0);

  fixture->quit_on_path = NULL;
  second = spawn_deca (&error, "resume", "--db", fixture->db, "--json", NULL);
  g_assert_no_error (error);
  status = finish_deca (fixture, second, &out, &err);
  g_test_message ("resume stdout: %s\nstderr: %s", out, err);
  g_assert_cmpint (status, ==, 0);

  result = parse_json (out);
  executions = json_node_get_array (result);
  g_assert_cmpuint (json_array_get_length (executions), ==, 1);
  execution = json_array_get_object_element (executions, 0);
  g_assert_cmpstr (json_object_get_string_member (execution, "status"), ==, "succeeded");

  /* Completed nodes did not run again; the interrupted one ran again with the same key. */
  g_assert_cmpuint (hit_count (fixture, "/a"), ==, 1);
  g_assert_cmpuint (hit_count (fixture, "/b"), ==, 1);
  g_assert_cmpuint (hit_count (fixture, "/hang"), ==, 2);
  g_assert_cmpuint (hit_count (fixture, "/d"), ==, 1);
  g_assert_cmpstr (hit_key (fixture, "/hang", 0), !=, "");
  g_assert_cmpstr (hit_key (fixture, "/hang", 0), ==, hit_key (fixture, "/hang", 1));
  expected_key_prefix = g_strdup_printf ("%s/", json_object_get_string_member (execution, "execution_id"));
  g_assert_true (g_str_has_prefix (hit_key (fixture, "/hang", 0), expected_key_prefix));
  /* Different nodes, different keys. */
  g_assert_cmpstr (hit_key (fixture, "/a", 0), !=, hit_key (fixture, "/hang", 0));
}

/* The second case: killed while a wait node runs; the next `deca run` of another flow on
 * the same database resumes it before running its own. */
static void
test_resume_at_run_start (Fixture       *fixture,
                          gconstpointer  data)
{
  /* "ping" and "nap" start together once "start" is checkpointed, so the server seeing
   * /ping means the wait is under way. The nap is long next to the moment of the kill
   * (milliseconds later) and short enough for the resumed run to wait it out again. */
  g_autofree char *flow_text = g_strdup_printf (
    "{\"id\": \"resume-wait\", \"name\": \"Resume wait\", \"settings\": {\"parallelism\": 2}, \"nodes\": ["
    " {\"id\": \"start\", \"type\": \"transform\", \"config\": {\"set\": {\"begun\": true}}},"
    " {\"id\": \"nap\", \"type\": \"wait\", \"config\": {\"duration\": 3}},"
    " {\"id\": \"ping\", \"type\": \"http\", \"config\": {\"method\": \"POST\", \"url\": \"%s/ping\"}},"
    " {\"id\": \"done\", \"type\": \"transform\", \"config\": {\"set\": {\"napped\": \"{{nap.waited_ms >= 0}}\"}}}],"
    " \"connections\": [{\"from\": \"start\", \"to\": \"nap\"}, {\"from\": \"start\", \"to\": \"ping\"},"
    "  {\"from\": \"nap\", \"to\": \"done\"}, {\"from\": \"ping\", \"to\": \"done\"}]}",
    fixture->base_url);
  g_autofree char *flow = write_flow (fixture, "wait.json", flow_text);
  g_autofree char *other = write_flow (fixture, "other.json",
                                       "{\"id\": \"other\", \"name\": \"Other\", \"nodes\": [{\"id\": \"hello\","
                                       " \"type\": \"transform\", \"config\": {\"set\": {\"greeting\": \"hi\"}}}]}");
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GSubprocess) show = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *show_out = NULL;
  g_autofree char *show_err = NULL;
  g_autofree char *execution_id = NULL;
  g_autofree char *note = NULL;
  JsonArray *results;
  const char *key;
  gboolean nap_succeeded = FALSE;
  int status;

  fixture->quit_on_path = "/ping";
  first = spawn_deca (&error, "run", flow, "--db", fixture->db, "--quiet", NULL);
  g_assert_no_error (error);
  run_loop_until (fixture, "the first deca never reached /ping");
  kill_deca (first);

  /* The idempotency key is EXECUTION/NODE: it names the interrupted execution. */
  key = hit_key (fixture, "/ping", 0);
  g_assert_nonnull (strchr (key, '/'));
  execution_id = g_strndup (key, strchr (key, '/') - key);

  fixture->quit_on_path = NULL;
  second = spawn_deca (&error, "run", other, "--db", fixture->db, NULL);
  g_assert_no_error (error);
  status = finish_deca (fixture, second, &out, &err);
  g_test_message ("run stdout: %s\nstderr: %s", out, err);
  g_assert_cmpint (status, ==, 0);
  note = g_strdup_printf ("deca: resuming execution %s interrupted earlier\n", execution_id);
  g_assert_nonnull (strstr (err, note));
  output = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (output), "hello"),
                                                  "greeting"), ==, "hi");

  /* The interrupted execution finished in that run, its wait included. */
  show = spawn_deca (&error, "executions", "show", execution_id, "--db", fixture->db, "--json", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (finish_deca (fixture, show, &show_out, &show_err), ==, 0);
  shown = parse_json (show_out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (shown), "execution"),
                                                  "status"), ==, "succeeded");
  results = json_object_get_array_member (json_node_get_object (shown), "node_results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (g_str_equal (json_object_get_string_member (result, "node_key"), "nap"))
        nap_succeeded = g_str_equal (json_object_get_string_member (result, "status"), "succeeded");
    }
  g_assert_true (nap_succeeded);
  /* /ping ran once, or twice with the same key if the kill came before its checkpoint. */
  g_assert_cmpuint (hit_count (fixture, "/ping"), >=, 1);
  g_assert_cmpuint (hit_count (fixture, "/ping"), <=, 2);
  if (hit_count (fixture, "/ping") == 2)
    g_assert_cmpstr (hit_key (fixture, "/ping", 0), ==, hit_key (fixture, "/ping", 1));
}

static void
test_needs_deca_bin (void)
{
  g_test_skip ("DECA_BIN is not set: run this test with meson test");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DECA_BIN") == NULL)
    {
      /* Run by meson, DECA_BIN is always set (tests/engine/meson.build). */
      g_test_add_func ("/deca/engine/resume/needs-deca-bin", test_needs_deca_bin);
      return g_test_run ();
    }

  g_test_add ("/deca/engine/resume/http-chain-killed", Fixture, NULL,
              fixture_setup, test_resume_http_chain, fixture_teardown);
  g_test_add ("/deca/engine/resume/wait-killed-resumed-by-run", Fixture, NULL,
              fixture_setup, test_resume_at_run_start, fixture_teardown);
  return g_test_run ();
}
