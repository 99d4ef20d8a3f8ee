/* test-serve-webhooks.c: `deca serve --webhook-rate-limit` in the real server ($DECA_BIN),
 * on the system clock. With a limit, each webhook (workspace and path) has its own
 * bucket: past its burst a call gets 429 with Retry-After and runs nothing, while another
 * path still runs. Without the option (and with "off") webhooks are not limited at all,
 * not even by the API's per-key --rate-limit: more calls than its burst all run. A bad
 * value is refused before anything starts (exit 2). Authenticates with the owner key
 * `deca serve --init` prints. */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "deca-openapi.h"
#include "deca-test-fs.h"

typedef struct {
  char *dir;
  char *data_dir;
  char *key;
  char *workspace;
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

  fixture->dir = g_dir_make_tmp ("deca-test-serve-webhooks-XXXXXX", &error);
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

/* SIGTERM, and the server must exit 0. */
static void
stop_server (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  if (fixture->process == NULL)
    return;
  g_subprocess_send_signal (fixture->process, SIGTERM);
  g_assert_true (g_subprocess_wait (fixture->process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (fixture->process));
  g_assert_cmpint (g_subprocess_get_exit_status (fixture->process), ==, 0);
  g_clear_object (&fixture->process);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->process != NULL)
    {
      g_subprocess_force_exit (fixture->process);
      g_subprocess_wait (fixture->process, NULL, NULL);
      g_clear_object (&fixture->process);
    }
  g_clear_object (&fixture->session);
  deca_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->data_dir);
  g_free (fixture->key);
  g_free (fixture->workspace);
  g_free (fixture->uri);
}

/* Starts `deca serve` on a free loopback port with the extra arguments @extra (NULL
 * terminated) and reads its first line. */
static void
start_server (Fixture            *fixture,
              const char * const *extra)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *stderr_path = g_build_filename (fixture->dir, "stderr.log", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_ptr_array_add (argv, (gpointer) deca_bin ());
  g_ptr_array_add (argv, "serve");
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, "127.0.0.1:0");
  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, fixture->data_dir);
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  fixture->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->process));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));
  g_free (fixture->uri);
  fixture->uri = g_strdup (line + strlen ("Listening on "));
  g_clear_object (&fixture->session);
  fixture->session = soup_session_new ();
}

/* Sends @method @path with @key (nullable: none) and @body (nullable); returns the
 * message, with *@out (transfer full, nullable) the parsed answer. */
static SoupMessage *
send (Fixture     *fixture,
      const char  *key,
      const char  *method,
      const char  *path,
      const char  *body,
      JsonNode   **out)
{
  g_autofree char *uri = g_strconcat (fixture->uri, path, NULL);
  SoupMessage *message = soup_message_new (method, uri);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data;

  if (key != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", authorization);
    }
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
  return message;
}

/* An API call with the owner key; fails the test unless the answer is @status. */
static void
api_ok (Fixture    *fixture,
        const char *method,
        const char *path,
        const char *body,
        guint       status,
        JsonNode  **out)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(SoupMessage) message = send (fixture, fixture->key, method, path, body, &answer);

  if (soup_message_get_status (message) != status)
    g_error ("%s %s: %u %s", method, path, soup_message_get_status (message),
             answer != NULL ? json_to_string (answer, FALSE) : "");
  if (out != NULL)
    *out = g_steal_pointer (&answer);
}

/* Creates and activates a flow whose POST webhook at @path runs a transform, and reads
 * the owner key's workspace id once. */
static void
create_webhook_flow (Fixture    *fixture,
                     const char *flow_id,
                     const char *path)
{
  g_autofree char *flow = g_strdup_printf (
    "{\"id\": \"%s\", \"name\": \"%s\","
    " \"triggers\": [{\"type\": \"webhook\", \"method\": \"POST\", \"path\": \"%s\"}],"
    " \"nodes\": [{\"id\": \"shape\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.body.n}}\"}}}]}",
    flow_id, flow_id, path);
  g_autofree char *activate = g_strdup_printf ("/api/v1/flows/%s/activate", flow_id);

  api_ok (fixture, "POST", "/api/v1/flows", flow, 201, NULL);
  api_ok (fixture, "POST", activate, NULL, 200, NULL);
  if (fixture->workspace == NULL)
    {
      g_autoptr(JsonNode) answer = NULL;
      JsonArray *workspaces;

      api_ok (fixture, "GET", "/api/v1/workspaces", NULL, 200, &answer);
      workspaces = json_object_get_array_member (json_node_get_object (answer), "items");
      g_assert_cmpuint (json_array_get_length (workspaces), ==, 1);
      fixture->workspace = g_strdup (json_object_get_string_member (json_array_get_object_element (workspaces, 0),
                                                                    "id"));
    }
}

/* Calls webhook @path (without a key: webhooks are public); returns the message. */
static SoupMessage *
hook (Fixture    *fixture,
      const char *path)
{
  g_autofree char *full = g_strconcat ("/webhook/", fixture->workspace, path, NULL);
  g_autoptr(JsonNode) answer = NULL;

  return send (fixture, NULL, "POST", full, "{\"n\": 1}", &answer);
}

/* The number of executions of @flow_id. */
static guint
count_executions (Fixture    *fixture,
                  const char *flow_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions?flow_id=%s&limit=200", flow_id);
  g_autoptr(JsonNode) answer = NULL;

  api_ok (fixture, "GET", path, NULL, 200, &answer);
  return json_array_get_length (json_object_get_array_member (json_node_get_object (answer), "items"));
}

/* A token every 100 s, bursts of 2: the third call of a path within the test is over. */
static void
test_limited (Fixture       *fixture,
              gconstpointer  data)
{
  static const char * const extra[] = { "--webhook-rate-limit", "0.01/2", NULL };
  g_autoptr(SoupMessage) limited = NULL;
  g_autoptr(SoupMessage) other = NULL;
  g_autoptr(JsonNode) answer = NULL;
  const char *retry_after;
  guint64 seconds;

  start_server (fixture, extra);
  create_webhook_flow (fixture, "one", "/one");
  create_webhook_flow (fixture, "two", "/two");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SoupMessage) message = hook (fixture, "/one");

      g_assert_cmpuint (soup_message_get_status (message), ==, 202);
    }
  limited = hook (fixture, "/one");
  g_assert_cmpuint (soup_message_get_status (limited), ==, 429);
  retry_after = soup_message_headers_get_one (soup_message_get_response_headers (limited), "Retry-After");
  g_assert_nonnull (retry_after);
  g_assert_true (g_ascii_string_to_unsigned (retry_after, 10, 1, 100, &seconds, NULL));
  /* Refused before anything ran. */
  g_assert_cmpuint (count_executions (fixture, "one"), ==, 2);
  other = hook (fixture, "/two");
  g_assert_cmpuint (soup_message_get_status (other), ==, 202);
  /* The API is not this limit's business. */
  api_ok (fixture, "GET", "/api/v1/flows", NULL, 200, &answer);
  stop_server (fixture);
}

/* Without the option, and with "off": more calls of one path than the API's burst (3,
 * from --rate-limit 1/3, enough for the calls that set the flow up) all run. */
static void
test_off (Fixture       *fixture,
          gconstpointer  data)
{
  static const char * const defaults[] = { "--rate-limit", "1/3", NULL };
  static const char * const off[] = { "--rate-limit", "1/3", "--webhook-rate-limit", "off", NULL };
  const char * const *runs[] = { defaults, off };
  guint calls = 0;

  for (guint run = 0; run < G_N_ELEMENTS (runs); run++)
    {
      start_server (fixture, runs[run]);
      if (run == 0)
        create_webhook_flow (fixture, "one", "/one");
      for (guint i = 0; i < 25; i++, calls++)
        {
          g_autoptr(SoupMessage) message = hook (fixture, "/one");

          g_assert_cmpuint (soup_message_get_status (message), ==, 202);
        }
      stop_server (fixture);
    }
  g_assert_cmpuint (calls, ==, 50);
}

/* A value that is not RATE[/BURST] or off: exit 2 with one line naming the option. */
static void
test_bad_value (Fixture       *fixture,
                gconstpointer  data)
{
  static const char * const values[] = { "fast", "0", "-1", "5/0", "5/x", "" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *err = NULL;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                  deca_bin (), "serve", "--listen", "127.0.0.1:0", "--data-dir", fixture->data_dir,
                                  "--webhook-rate-limit", values[i], NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
      g_assert_nonnull (strstr (err, "--webhook-rate-limit wants RATE[/BURST]"));
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/serve/webhooks/rate-limited", Fixture, NULL, fixture_setup, test_limited, fixture_teardown);
  g_test_add ("/server/serve/webhooks/rate-limit-off", Fixture, NULL, fixture_setup, test_off, fixture_teardown);
  g_test_add ("/server/serve/webhooks/rate-limit-bad", Fixture, NULL, fixture_setup, test_bad_value, fixture_teardown);
  return g_test_run ();
}
