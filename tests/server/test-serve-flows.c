/* test-serve-flows.c: the real `deca serve` ($DECA_BIN) running flows through the API,
 * killed with SIGKILL while 100 executions run and started again on the same data
 * directory: every execution finishes, and no node that had completed before the kill
 * runs again (its stored result, with its start time and attempts, is the one from
 * before). Authenticates with the owner key `deca serve --init` prints. */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "deca-openapi.h"
#include "deca-test-fs.h"

#define N_EXECUTIONS 100

typedef struct {
  char *dir;
  char *data_dir;
  char *key;
  GSubprocess *process;
  char *uri;
  SoupSession *session;
} Fixture;

static const char *
deca_bin (void)
{
  const char *bin = g_getenv ("DECA_BIN");

  g_assert_nonnull (bin);
  return bin;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) init = NULL;
  g_autofree char *out = NULL;

  fixture->dir = g_dir_make_tmp ("deca-test-serve-flows-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (fixture->dir, "data", NULL);
  init = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           deca_bin (), "serve", "--init", "--data-dir", fixture->data_dir, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (init, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (init), ==, 0);
  fixture->key = g_strstrip (g_steal_pointer (&out));
  g_assert_true (g_str_has_prefix (fixture->key, "deca_"));
}

static void
stop_process (Fixture *fixture)
{
  if (fixture->process == NULL)
    return;
  g_subprocess_force_exit (fixture->process);
  g_subprocess_wait (fixture->process, NULL, NULL);
  g_clear_object (&fixture->process);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  stop_process (fixture);
  g_clear_object (&fixture->session);
  deca_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->data_dir);
  g_free (fixture->key);
  g_free (fixture->uri);
}

/* Starts `deca serve` on a free loopback port and reads its first line. */
static void
start_server (Fixture *fixture)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *stderr_path = g_build_filename (fixture->dir, "stderr.log", NULL);
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  /* No rate limit worth the name: the test sends a few hundred requests at once. */
  fixture->process = g_subprocess_launcher_spawn (launcher, &error, deca_bin (), "serve",
                                                  "--listen", "127.0.0.1:0", "--data-dir", fixture->data_dir,
                                                  "--rate-limit", "100000", NULL);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->process));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));
  g_free (fixture->uri);
  fixture->uri = g_strdup (line + strlen ("Listening on "));
  /* A fresh session: the old one's connections went with the killed process. */
  g_clear_object (&fixture->session);
  fixture->session = soup_session_new ();
}

/* Sends @method @path with the owner key and @body (nullable); returns the status and
 * *@out (transfer full, nullable) the parsed answer. */
static guint
call (Fixture     *fixture,
      const char  *method,
      const char  *path,
      const char  *body,
      JsonNode   **out)
{
  g_autofree char *uri = g_strconcat (fixture->uri, path, NULL);
  g_autofree char *authorization = g_strconcat ("Bearer ", fixture->key, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, uri);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data;

  soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", authorization);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  response = soup_session_send_and_read (fixture->session, message, NULL, &error);
  g_assert_no_error (error);
  deca_openapi_assert_message (message, response);
  data = g_bytes_get_data (response, &length);
  *out = NULL;
  if (length > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      json_parser_load_from_data (parser, data, length, &error);
      g_assert_no_error (error);
      *out = json_node_ref (json_parser_get_root (parser));
    }
  return soup_message_get_status (message);
}

static JsonObject *
get_execution (Fixture    *fixture,
               const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions/%s", id);
  g_autoptr(JsonNode) body = NULL;

  g_assert_cmpuint (call (fixture, "GET", path, NULL, &body), ==, 200);
  return json_object_ref (json_node_get_object (body));
}

static JsonObject *
node_result (JsonObject *execution,
             const char *node_key)
{
  JsonArray *results = json_object_get_array_member (execution, "node_results");

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (g_str_equal (json_object_get_string_member (result, "node_key"), node_key))
        return result;
    }
  return NULL;
}

/* The first node has a result when its succeeded row is stored; the wait after it is then
 * running (the flow's wait is long enough that the kill comes while it runs). */
static gboolean
first_node_done (JsonObject *execution)
{
  JsonObject *first = node_result (execution, "first");

  return first != NULL && g_str_equal (json_object_get_string_member (first, "status"), "succeeded");
}

static void
test_sigkill_resume (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  guint unfinished_at_kill = 0;

  start_server (fixture);
  g_assert_cmpuint (call (fixture, "POST", "/api/v1/flows",
                          "{\"id\": \"slow\", \"name\": \"Slow\", \"nodes\": ["
                          " {\"id\": \"first\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.n}}\"}}},"
                          " {\"id\": \"nap\", \"type\": \"wait\", \"config\": {\"duration\": 4}},"
                          " {\"id\": \"last\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{first.n * 2}}\"}}}],"
                          " \"connections\": [{\"from\": \"first\", \"to\": \"nap\"}, {\"from\": \"nap\", \"to\": \"last\"}]}",
                          &body), ==, 201);
  g_clear_pointer (&body, json_node_unref);

  for (guint i = 0; i < N_EXECUTIONS; i++)
    {
      g_autofree char *input = g_strdup_printf ("{\"input\": {\"n\": %u}}", i);

      g_assert_cmpuint (call (fixture, "POST", "/api/v1/flows/slow/execute", input, &body), ==, 202);
      g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_node_get_object (body), "id")));
      g_clear_pointer (&body, json_node_unref);
    }
  /* Each execution's first node is done (and stored) before the kill. */
  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *execution = get_execution (fixture, g_ptr_array_index (ids, i));

      for (guint polls = 0; !first_node_done (execution); polls++)
        {
          g_assert_cmpuint (polls, <, 3000);
          json_object_unref (execution);
          g_usleep (10000);
          execution = get_execution (fixture, g_ptr_array_index (ids, i));
        }
      g_ptr_array_add (before, execution);
    }

  g_subprocess_send_signal (fixture->process, SIGKILL);
  g_subprocess_wait (fixture->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (fixture->process));
  g_assert_cmpint (g_subprocess_get_term_sig (fixture->process), ==, SIGKILL);
  g_clear_object (&fixture->process);

  start_server (fixture);
  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *old = g_ptr_array_index (before, i);
      g_autoptr(JsonObject) execution = get_execution (fixture, g_ptr_array_index (ids, i));
      JsonObject *first_before = node_result (old, "first");
      JsonObject *first_after;

      if (!g_str_equal (json_object_get_string_member (old, "status"), "succeeded"))
        unfinished_at_kill++;
      for (guint polls = 0; g_str_equal (json_object_get_string_member (execution, "status"), "running") ||
                            g_str_equal (json_object_get_string_member (execution, "status"), "pending"); polls++)
        {
          /* Resumed executions finish within their wait; one that is never resumed
           * stays running. */
          g_assert_cmpuint (polls, <, 3000);
          g_clear_pointer (&execution, json_object_unref);
          g_usleep (20000);
          execution = get_execution (fixture, g_ptr_array_index (ids, i));
        }
      g_assert_cmpstr (json_object_get_string_member (execution, "status"), ==, "succeeded");
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                         json_object_get_object_member (execution, "output"), "last"), "n"), ==, 2 * i);
      /* The node completed before the kill was not run again: the same stored run. */
      first_after = node_result (execution, "first");
      g_assert_nonnull (first_after);
      g_assert_cmpstr (json_object_get_string_member (first_after, "started_at"), ==,
                       json_object_get_string_member (first_before, "started_at"));
      g_assert_cmpstr (json_object_get_string_member (first_after, "finished_at"), ==,
                       json_object_get_string_member (first_before, "finished_at"));
      g_assert_cmpint (json_object_get_int_member (first_after, "attempts"), ==, 1);
    }
  /* The kill came while the executions ran (the wait lasts seconds): otherwise this
   * would test nothing. */
  g_assert_cmpuint (unfinished_at_kill, >, 0);

  /* None is left running. */
  g_assert_cmpuint (call (fixture, "GET", "/api/v1/executions?status=running", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (body), "items")), ==,
                    0);
  g_clear_pointer (&body, json_node_unref);
  stop_process (fixture);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/deca/serve-flows/sigkill-resume", Fixture, NULL, fixture_setup, test_sigkill_resume,
              fixture_teardown);

  return g_test_run ();
}
