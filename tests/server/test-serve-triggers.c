/* test-serve-triggers.c: schedules and events in the real `deca serve` ($DECA_BIN), on
 * the system clock: an every-second schedule runs its flow until it is deactivated; an
 * event published through the API and one a flow's publish_event node publishes start the
 * subscribed flow; SIGTERM stops the server cleanly with its triggers; and started again
 * on the same data directory it has the active flows' subscriptions from the store.
 * SIGTERM with an event stream open ends it with server.stopping and a complete chunked
 * body. Authenticates with the owner key `deca serve --init` prints. */

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

  fixture->dir = g_dir_make_tmp ("deca-test-serve-triggers-XXXXXX", &error);
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

static void
post_ok (Fixture    *fixture,
         const char *path,
         const char *body,
         guint       status)
{
  g_autoptr(JsonNode) answer = NULL;
  guint got = call (fixture, "POST", path, body, &answer);

  if (got != status)
    g_error ("POST %s: %u %s", path, got, answer != NULL ? json_to_string (answer, FALSE) : "");
}

/* The executions of @flow_id (newest first). */
static JsonArray *
executions_of (Fixture    *fixture,
               const char *flow_id,
               JsonNode  **body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions?flow_id=%s&limit=200", flow_id);

  g_clear_pointer (body, json_node_unref);
  g_assert_cmpuint (call (fixture, "GET", path, NULL, body), ==, 200);
  return json_object_get_array_member (json_node_get_object (*body), "items");
}

/* Waits until @flow_id has at least @n executions (the server runs on the real clock: each
 * poll is a round trip; the pause only keeps it from spinning). */
static void
wait_for_executions (Fixture    *fixture,
                     const char *flow_id,
                     guint       n)
{
  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(JsonNode) body = NULL;

      if (json_array_get_length (executions_of (fixture, flow_id, &body)) >= n)
        return;
      g_usleep (10000);
    }
  g_error ("flow %s did not get %u executions", flow_id, n);
}

static void
test_serve_triggers (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) published = NULL;
  JsonArray *items;
  guint before;

  start_server (fixture);
  post_ok (fixture, "/api/v1/flows",
           "{\"id\": \"tick\", \"name\": \"Tick\", \"triggers\": [{\"type\": \"schedule\", \"cron\": \"* * * * * *\"}],"
           " \"nodes\": [{\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"t\": \"{{input.fire_time}}\"}}}]}",
           201);
  post_ok (fixture, "/api/v1/flows",
           "{\"id\": \"listener\", \"name\": \"Listener\", \"triggers\": [{\"type\": \"event\", \"event\": \"crm.contact.*\"}],"
           " \"nodes\": [{\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"t\": \"{{input.topic}}\"}}}]}",
           201);
  post_ok (fixture, "/api/v1/flows",
           "{\"id\": \"announcer\", \"name\": \"Announcer\", \"nodes\": [{\"id\": \"tell\", \"type\": \"publish_event\","
           " \"config\": {\"topic\": \"crm.contact.merged\"}}]}",
           201);
  post_ok (fixture, "/api/v1/flows/tick/activate", NULL, 200);
  post_ok (fixture, "/api/v1/flows/listener/activate", NULL, 200);

  /* The every-second schedule runs; deactivated, it stops. */
  wait_for_executions (fixture, "tick", 2);
  items = executions_of (fixture, "tick", &body);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (json_object_get_object_member (
                   json_array_get_object_element (items, 0), "input"), "fire_time"), "Z"));
  post_ok (fixture, "/api/v1/flows/tick/deactivate", NULL, 200);
  before = json_array_get_length (executions_of (fixture, "tick", &body));

  /* An event from the API, one from a flow. */
  g_assert_cmpuint (call (fixture, "POST", "/api/v1/events", "{\"topic\": \"crm.contact.created\"}", &published), ==,
                    202);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (published), "deliveries"), ==, 1);
  post_ok (fixture, "/api/v1/flows/announcer/execute", NULL, 202);
  wait_for_executions (fixture, "listener", 2);
  stop_server (fixture);

  /* Started again: the active listener is subscribed from the store, the inactive
   * schedule stays off. */
  start_server (fixture);
  g_clear_pointer (&published, json_node_unref);
  g_assert_cmpuint (call (fixture, "POST", "/api/v1/events", "{\"topic\": \"crm.contact.deleted\"}", &published), ==,
                    202);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (published), "deliveries"), ==, 1);
  wait_for_executions (fixture, "listener", 3);
  items = executions_of (fixture, "tick", &body);
  g_assert_cmpuint (json_array_get_length (items), ==, before);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (call (fixture, "GET", "/api/v1/events", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (body), "items")), ==,
                    3);
  stop_server (fixture);
}

/* Decodes the chunked body @body; TRUE when it is complete (ends with the empty chunk
 * and its CRLF), with the data in @out. */
static gboolean
dechunk (const char *body,
         gsize       length,
         GString    *out)
{
  const char *p = body, *end = body + length;

  while (p < end)
    {
      const char *line_end = g_strstr_len (p, end - p, "\r\n");
      guint64 size;
      char *rest;

      if (line_end == NULL)
        return FALSE;
      size = g_ascii_strtoull (p, &rest, 16);
      if (rest == p)
        return FALSE;
      p = line_end + 2;
      if (size == 0)
        return end - p == 2 && p[0] == '\r' && p[1] == '\n';
      if ((guint64) (end - p) < size + 2 || p[size] != '\r' || p[size + 1] != '\n')
        return FALSE;
      g_string_append_len (out, p, size);
      p += size + 2;
    }
  return FALSE;
}

/* SIGTERM with an event stream open: the client reads server.stopping and a complete
 * chunked body (the terminating chunk) before the connection closes, and the server
 * exits 0. Read off a raw socket, so a cut shows. */
static void
test_serve_stream_shutdown (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GString) events = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  g_autofree char *status_line = NULL;
  gboolean chunked = FALSE;
  const char *host_port;
  char buffer[4096];
  gssize got;

  start_server (fixture);
  host_port = fixture->uri + strlen ("http://");
  connection = g_socket_client_connect_to_host (client, host_port, 0, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 30);
  request = g_strdup_printf ("GET /api/v1/stream HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                             "Accept: text/event-stream\r\n\r\n", host_port, fixture->key);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                            strlen (request), NULL, NULL, &error));
  g_assert_no_error (error);

  /* The headers: by the time they are written, the stream is subscribed. */
  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (input), FALSE);
  g_data_input_stream_set_newline_type (input, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  status_line = g_data_input_stream_read_line (input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (status_line, "HTTP/1.1 200"));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (input, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (*line == '\0')
        break;
      if (g_ascii_strcasecmp (line, "Transfer-Encoding: chunked") == 0)
        chunked = TRUE;
    }
  g_assert_true (chunked);

  /* The whole rest, up to the close. */
  stop_server (fixture);
  while ((got = g_input_stream_read (G_INPUT_STREAM (input), buffer, sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (body, buffer, got);
  g_assert_no_error (error);
  g_assert_true (dechunk (body->str, body->len, events));
  g_assert_nonnull (strstr (events->str, "event: server.stopping\ndata: {\"type\":\"server.stopping\""));
  g_assert_true (g_str_has_suffix (events->str, "\n\n"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/serve/triggers", Fixture, NULL, fixture_setup, test_serve_triggers, fixture_teardown);
  g_test_add ("/server/serve/stream-shutdown", Fixture, NULL, fixture_setup, test_serve_stream_shutdown,
              fixture_teardown);
  return g_test_run ();
}
