/* test-serve-triggers.c: schedules and events in the real `deca serve` ($DECA_BIN), on
 * the system clock: an every-second schedule runs its flow until it is deactivated; an
 * event published through the API and one a flow's publish_event node publishes start the
 * subscribed flow; SIGTERM stops the server cleanly with its triggers; and started again
 * on the same data directory it has the active flows' subscriptions from the store.
 * SIGTERM with an event stream open ends it with server.stopping and a complete chunked
 * body. Authenticates with the owner key `deca serve --init` prints. */

#include "config.h"

#include <string.h>

#include "deca-server-test.h"

typedef struct {
  DecaServeProcess *serve;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->serve = deca_serve_process_new ("serve-triggers");
  g_free (deca_serve_process_init (fixture->serve, NULL));
}

/* SIGTERM, and the server must exit 0. */
static void
stop_server (Fixture *fixture)
{
  g_assert_cmpint (deca_serve_process_stop (fixture->serve), ==, 0);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_serve_process_free (fixture->serve);
}

/* Starts `deca serve` on a free loopback port. */
static void
start_server (Fixture *fixture)
{
  deca_serve_process_start (fixture->serve, "--rate-limit", "100000", NULL);
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
  return deca_serve_process_call_json (fixture->serve, method, path, body, out);
}

static void
post_ok (Fixture    *fixture,
         const char *path,
         const char *body,
         guint       status)
{
  g_autoptr(JsonNode) answer = deca_serve_process_expect (fixture->serve, "POST", path, body, status);
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
  host_port = fixture->serve->uri + strlen ("http://");
  connection = g_socket_client_connect_to_host (client, host_port, 0, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 30);
  request = g_strdup_printf ("GET /api/v1/stream HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                             "Accept: text/event-stream\r\n\r\n", host_port, fixture->serve->key);
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
