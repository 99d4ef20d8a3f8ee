/* test-server.c: the HTTP core of `deca serve` in-process: routing (404, 405 + Allow),
 * the error shape, JSON bodies (400 with the position), body limits (413), trace ids,
 * log lines, metrics, /health, the authentication hook, deferred answers, answers in one
 * TCP segment and the read timeout against slow clients.
 *
 * The server runs on a thread of its own with its own main context (the store is used
 * from the thread that opened it), so that the test can talk to it with blocking
 * clients: SoupSession's synchronous API and raw sockets for what a well-behaved client
 * never sends. */

#include "config.h"

#include <linux/tcp.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "deca-server.h"
#include "deca-server-test.h"
#include "deca-test-fs.h"

#define MAX_BODY 1024
#define READ_TIMEOUT 1

typedef struct {
  DecaTestServer *test;   /* once started */
  /* Set by the test before the server starts. */
  gboolean with_auth;
  gboolean with_failing_check;
} Fixture;

/* --- routes of the test ------------------------------------------------------------- */

/* Echoes the path parameter, a query parameter and the JSON body. */
static void
echo_cb (DecaRequest *request,
         gpointer     user_data)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonNode *body = deca_request_get_json (request);

  json_object_set_string_member (object, "id", deca_request_get_param (request, "id"));
  json_object_set_string_member (object, "q", deca_request_get_query (request, "q"));
  json_object_set_member (object, "body", body != NULL ? json_node_copy (body) : json_node_new (JSON_NODE_NULL));
  json_object_set_string_member (object, "route", deca_request_get_route (request));
  json_node_take_object (root, object);
  deca_request_log (request, DECA_LOG_INFO, "echoing");
  deca_request_respond_json (request, 200, root);
}

static void
rest_cb (DecaRequest *request,
         gpointer     user_data)
{
  const char *rest = deca_request_get_param (request, "path");

  deca_request_respond (request, 200, "text/plain", rest, strlen (rest));
}

static gboolean
answer_later_cb (gpointer data)
{
  DecaRequest *request = data;

  deca_request_respond (request, 202, "text/plain", "later", 5);
  return G_SOURCE_REMOVE;
}

static void
deferred_cb (DecaRequest *request,
             gpointer     user_data)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  /* Answered from a later turn of the server's main loop. */
  deca_request_defer (request);
  g_source_set_callback (source, answer_later_cb, deca_request_ref (request),
                         (GDestroyNotify) deca_request_unref);
  g_source_attach (source, g_main_context_get_thread_default ());
}

static void
engine_error_cb (DecaRequest *request,
                 gpointer     user_data)
{
  g_autoptr(GError) error = NULL;

  g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_IO, "disk /secret/place on fire");
  deca_request_respond_error (request, error, NULL);
}

/* Lets a request through with "Authorization: Bearer good"; 429 with Retry-After for
 * "Bearer slow-down"; 401 otherwise. */
static gboolean
auth_cb (DecaRequest  *request,
         gpointer      user_data,
         GError      **error)
{
  const char *authorization = deca_request_get_header (request, "Authorization");

  if (g_strcmp0 (authorization, "Bearer good") == 0)
    {
      /* This caller holds the permission 0x1 only. */
      if ((deca_request_get_required_permissions (request) & ~(guint64) 0x1) != 0)
        {
          g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_FORBIDDEN, "not allowed");
          return FALSE;
        }
      deca_request_set_principal (request, g_strdup ("alice"), g_free);
      return TRUE;
    }
  if (g_strcmp0 (authorization, "Bearer slow-down") == 0)
    {
      deca_request_set_response_header (request, "Retry-After", "7");
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_RATE_LIMITED, "too many requests");
      return FALSE;
    }
  g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNAUTHENTICATED, "a bearer token is required");
  return FALSE;
}

static void
whoami_cb (DecaRequest *request,
           gpointer     user_data)
{
  const char *who = deca_request_get_principal (request);

  deca_request_respond (request, 200, "text/plain", who, strlen (who));
}

static gboolean
failing_check_cb (gpointer   user_data,
                  GError   **error)
{
  g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_INTERNAL, "queue unreachable");
  return FALSE;
}

/* --- the server -------------------------------------------------------------------- */

/* On the server thread: the test's routes, its authenticator and failing check when the
 * test asked for them. */
static void
server_setup (DecaTestServer *test,
              DecaServer     *server,
              gpointer        user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;
  DecaRoute *route;

  g_assert_nonnull (deca_server_add_route (server, "POST", "/api/v1/test/{id}", DECA_ROUTE_NONE,
                                           echo_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_server_add_route (server, "GET", "/api/v1/test/{id}", DECA_ROUTE_NONE,
                                           echo_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_server_add_route (server, "DELETE", "/api/v1/test/{id}", DECA_ROUTE_NONE,
                                           echo_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_server_add_route (server, "POST", "/hooks/{path*}", DECA_ROUTE_RAW_BODY,
                                           rest_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_server_add_route (server, "GET", "/deferred", DECA_ROUTE_NONE,
                                           deferred_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_server_add_route (server, "GET", "/broken", DECA_ROUTE_NONE,
                                           engine_error_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_server_add_route (server, "GET", "/whoami", DECA_ROUTE_NONE,
                                           whoami_cb, NULL, NULL, &error));
  route = deca_server_add_route (server, "GET", "/admin", DECA_ROUTE_NONE, whoami_cb, NULL, NULL, &error);
  g_assert_nonnull (route);
  deca_route_set_required_permissions (route, 0x1 | 0x4);
  g_assert_no_error (error);
  if (fixture->with_auth)
    deca_server_set_authenticator (server, auth_cb, NULL, NULL);
  if (fixture->with_failing_check)
    deca_server_add_health_check (server, "queue", failing_check_cb, NULL, NULL);
}

static void
fixture_start (Fixture *fixture)
{
  DecaTestServerOptions options = {
    .max_body_size = MAX_BODY,
    .read_timeout_s = READ_TIMEOUT,
    .log_level = DECA_LOG_INFO,
    .setup = server_setup,
    .user_data = fixture,
  };

  fixture->test = deca_test_server_new ("server", &options);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  if (data == NULL)
    fixture_start (fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_server_free (fixture->test);
}

/* --- helpers ------------------------------------------------------------------------ */

/* Sends a request; returns the body and sets @status (and @message when not NULL, for the
 * response headers). Extra headers come in name, value pairs, NULL-terminated. */
static GBytes *
request_full (Fixture      *fixture,
              const char   *method,
              const char   *path,
              const char   *content_type,
              const char   *body,
              guint        *status,
              SoupMessage **out_message,
              ...)
{
  g_autofree char *uri = g_strconcat (fixture->test->uri, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, uri);
  g_autoptr(GError) error = NULL;
  GBytes *response;
  const char *name;
  va_list args;

  g_assert_nonnull (message);
  va_start (args, out_message);
  while ((name = va_arg (args, const char *)) != NULL)
    soup_message_headers_append (soup_message_get_request_headers (message), name, va_arg (args, const char *));
  va_end (args);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, content_type, bytes);
    }
  response = soup_session_send_and_read (fixture->test->session, message, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (message);
  if (out_message != NULL)
    *out_message = g_steal_pointer (&message);
  return response;
}

static JsonObject *
parse_object (GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  json_parser_load_from_data (parser, data, len, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Checks the error shape and returns (transfer full) the "error" object. */
static JsonObject *
assert_error_shape (GBytes     *bytes,
                    const char *code)
{
  g_autoptr(JsonObject) root = parse_object (bytes);
  JsonObject *error;

  g_assert_cmpuint (json_object_get_size (root), ==, 1);
  error = json_object_get_object_member (root, "error");
  g_assert_nonnull (error);
  g_assert_cmpuint (json_object_get_size (error), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  g_assert_true (json_object_has_member (error, "details"));
  return json_object_ref (error);
}

/* The log's lines, once there are at least @count (the access line is written when the
 * answer is out, so it may come just after the client has the answer). */
static GStrv
wait_for_log_lines (Fixture *fixture,
                    guint    count)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      g_file_get_contents (fixture->test->log_path, &contents, NULL, NULL);
      if (contents != NULL && g_str_has_suffix (contents, "\n"))
        {
          contents[strlen (contents) - 1] = '\0';
          lines = g_strsplit (contents, "\n", -1);
          if (g_strv_length (lines) >= count)
            return g_steal_pointer (&lines);
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2000);
    }
}

/* Writes @text on a fresh connection and returns it. */
static GSocketConnection *
raw_connect (Fixture    *fixture,
             const char *text)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (fixture->test->uri, G_URI_FLAGS_NONE, &error);
  GSocketConnection *connection;
  gsize written;

  g_assert_no_error (error);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  /* The test's own guard: a server that never answers fails the test instead of hanging. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 20);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             text, strlen (text), &written, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

/* Reads until the server closes the connection (or the test's guard times out: an
 * error). Returns everything read. */
static char *
raw_read_to_end (GSocketConnection *connection)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize n;

  while ((n = g_input_stream_read (input, buffer, sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (text, buffer, n);
  g_assert_no_error (error);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Reads one answer with a Content-Length from @connection, kept alive; returns it. */
static char *
raw_read_answer (GSocketConnection *connection)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *end = NULL;
  gsize wanted = 0;

  while (end == NULL || text->len < wanted)
    {
      char buffer[4096];
      gssize n = g_input_stream_read (input, buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (text, buffer, n);
      if (end == NULL && (end = strstr (text->str, "\r\n\r\n")) != NULL)
        {
          const char *length = strstr (text->str, "Content-Length: ");

          g_assert_nonnull (length);
          g_assert_true (length < end);
          wanted = (gsize) (end + 4 - text->str) + g_ascii_strtoull (length + 16, NULL, 10);
        }
    }
  g_assert_cmpuint (text->len, ==, wanted);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* How many segments with data @connection received so far. */
static guint
segments_received (GSocketConnection *connection)
{
  struct tcp_info info = { 0 };
  socklen_t length = sizeof info;
  int fd = g_socket_get_fd (g_socket_connection_get_socket (connection));

  g_assert_cmpint (getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &length), ==, 0);
  return info.tcpi_data_segs_in;
}

/* --- tests -------------------------------------------------------------------------- */

static void
noop_cb (DecaRequest *request,
         gpointer     user_data)
{
}

static void
test_router_match (void)
{
  g_autoptr(DecaRouter) router = deca_router_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *allow = NULL;
  const DecaRoute *route = NULL;
  const char *bad[] = {
    "flows", "/flows//x", "/flows/", "/flows/{}", "/flows/{id", "/flows/x{id}", "/flows/{1d}",
    "/a/{id}/b/{id}", "/a/{rest*}/b",
  };

  g_assert_nonnull (deca_router_add (router, "GET", "/api/v1/flows", 0, noop_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_router_add (router, "POST", "/api/v1/flows", 0, noop_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_router_add (router, "GET", "/api/v1/flows/{id}", 0, noop_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_router_add (router, "GET", "/api/v1/flows/search", 0, noop_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_router_add (router, "GET", "/api/v1/flows/{id}/versions/{version}", 0, noop_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_router_add (router, "PUT", "/api/v1/flows/{id}/versions/{version}", 0, noop_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_router_add (router, "POST", "/webhook/{workspace}/{path*}", 0, noop_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_router_add (router, "GET", "/", 0, noop_cb, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_null (deca_router_add (router, "GET", "/api/v1/flows", 0, noop_cb, NULL, NULL, &error));
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
  g_clear_error (&error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (deca_router_add (router, "GET", bad[i], 0, noop_cb, NULL, NULL, &error));
      g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
      g_clear_error (&error);
    }

  g_assert_cmpint (deca_router_match (router, "GET", "/api/v1/flows/f-1/versions/3", &route, &params, NULL),
                   ==, DECA_ROUTER_MATCH_FOUND);
  g_assert_cmpstr (deca_route_get_pattern (route), ==, "/api/v1/flows/{id}/versions/{version}");
  g_assert_cmpstr (g_hash_table_lookup (params, "id"), ==, "f-1");
  g_assert_cmpstr (g_hash_table_lookup (params, "version"), ==, "3");
  g_clear_pointer (&params, g_hash_table_unref);

  /* A literal segment beats a parameter. */
  g_assert_cmpint (deca_router_match (router, "GET", "/api/v1/flows/search", &route, &params, NULL),
                   ==, DECA_ROUTER_MATCH_FOUND);
  g_assert_cmpstr (deca_route_get_pattern (route), ==, "/api/v1/flows/search");
  g_assert_cmpuint (g_hash_table_size (params), ==, 0);
  g_clear_pointer (&params, g_hash_table_unref);

  g_assert_cmpint (deca_router_match (router, "POST", "/webhook/ws1/orders/new", &route, &params, NULL),
                   ==, DECA_ROUTER_MATCH_FOUND);
  g_assert_cmpstr (g_hash_table_lookup (params, "workspace"), ==, "ws1");
  g_assert_cmpstr (g_hash_table_lookup (params, "path"), ==, "orders/new");
  g_clear_pointer (&params, g_hash_table_unref);
  /* A rest parameter takes at least one segment. */
  g_assert_cmpint (deca_router_match (router, "POST", "/webhook/ws1", NULL, NULL, NULL), ==, DECA_ROUTER_MATCH_NO_PATH);

  /* HEAD goes to the GET route; POST has none to fall back on. */
  g_assert_cmpint (deca_router_match (router, "HEAD", "/api/v1/flows/f-2", &route, &params, NULL),
                   ==, DECA_ROUTER_MATCH_FOUND);
  g_assert_cmpstr (deca_route_get_method (route), ==, "GET");
  g_assert_cmpstr (g_hash_table_lookup (params, "id"), ==, "f-2");
  g_clear_pointer (&params, g_hash_table_unref);
  g_assert_cmpint (deca_router_match (router, "HEAD", "/webhook/ws1/x", NULL, NULL, &allow),
                   ==, DECA_ROUTER_MATCH_NO_METHOD);
  g_assert_cmpstr (allow, ==, "POST");
  g_clear_pointer (&allow, g_free);

  g_assert_cmpint (deca_router_match (router, "GET", "/", &route, NULL, NULL), ==, DECA_ROUTER_MATCH_FOUND);
  g_assert_cmpint (deca_router_match (router, "GET", "/api/v1/flows/", NULL, NULL, NULL), ==, DECA_ROUTER_MATCH_NO_PATH);
  g_assert_cmpint (deca_router_match (router, "GET", "/api/v1//flows", NULL, NULL, NULL), ==, DECA_ROUTER_MATCH_NO_PATH);
  g_assert_cmpint (deca_router_match (router, "GET", "/api/v1/flows/a/b", NULL, NULL, NULL), ==, DECA_ROUTER_MATCH_NO_PATH);
  g_assert_cmpint (deca_router_match (router, "GET", "/api", NULL, NULL, NULL), ==, DECA_ROUTER_MATCH_NO_PATH);

  g_assert_cmpint (deca_router_match (router, "DELETE", "/api/v1/flows", &route, &params, &allow),
                   ==, DECA_ROUTER_MATCH_NO_METHOD);
  g_assert_null (route);
  g_assert_null (params);
  g_assert_cmpstr (allow, ==, "GET, HEAD, POST");
  g_clear_pointer (&allow, g_free);
  g_assert_cmpint (deca_router_match (router, "DELETE", "/api/v1/flows/x/versions/1", NULL, NULL, &allow),
                   ==, DECA_ROUTER_MATCH_NO_METHOD);
  g_assert_cmpstr (allow, ==, "GET, HEAD, PUT");
  g_assert_finalize_object (g_steal_pointer (&router));
}

static void
test_json_body (Fixture       *fixture,
                gconstpointer  data)
{
  guint status;
  g_autoptr(GBytes) bytes = request_full (fixture, "POST", "/api/v1/test/f-42?q=a%20b", "application/json",
                                          "{\"name\": \"x\", \"n\": [1, 2]}", &status, NULL, NULL);
  g_autoptr(JsonObject) object = parse_object (bytes);
  JsonObject *body;

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "f-42");
  g_assert_cmpstr (json_object_get_string_member (object, "q"), ==, "a b");
  g_assert_cmpstr (json_object_get_string_member (object, "route"), ==, "/api/v1/test/{id}");
  body = json_object_get_object_member (object, "body");
  g_assert_cmpstr (json_object_get_string_member (body, "name"), ==, "x");

  /* No body: no JSON, and no error. */
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&object, json_object_unref);
  bytes = request_full (fixture, "GET", "/api/v1/test/f-43", NULL, NULL, &status, NULL, NULL);
  object = parse_object (bytes);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_object_get_null_member (object, "body"));

  /* A raw-body route is not parsed: text that is not JSON goes through. */
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = request_full (fixture, "POST", "/hooks/a/b/c", "text/plain", "not json {", &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "a/b/c", 5);
}

static void
test_malformed_json (Fixture       *fixture,
                     gconstpointer  data)
{
  guint status;
  g_autoptr(GBytes) bytes = request_full (fixture, "POST", "/api/v1/test/x", "application/json",
                                          "{\n  \"a\": 1,\n  \"b\": ]\n}", &status, NULL, NULL);
  g_autoptr(JsonObject) error = assert_error_shape (bytes, "bad_request");
  JsonObject *details = json_object_get_object_member (error, "details");

  g_assert_cmpuint (status, ==, 400);
  g_assert_nonnull (details);
  g_assert_cmpint (json_object_get_int_member (details, "line"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (details, "column"), >, 0);
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "line 3"));
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==,
                   "Malformed JSON at line 3, column 8: unexpected “]”: expected a value");

  /* A value missing where one must be: said so, not json-glib's "unexpected character
   * `}', expected character `}'"; json-glib's own reason where it is right. */
  {
    static const struct {
      const char *body;
      const char *message;
    } cases[] = {
      { "{\"id\": \"x\", \"name\": }", "Malformed JSON at line 1, column 21: unexpected “}”: expected a value" },
      { "[,]", "Malformed JSON at line 1, column 2: unexpected “,”: expected a value" },
      { "{\"a\": :}", "Malformed JSON at line 1, column 7: unexpected “:”: expected a value" },
      { "[1, ]", "Malformed JSON at line 1, column 3: unexpected “]” after a comma: expected a value "
                 "(JSON has no trailing commas)" },
      { "{\"a\": 1,\n}", "Malformed JSON at line 1, column 8: unexpected “}” after a comma: expected a value "
                       "(JSON has no trailing commas)" },
      { "{\"a\" 1}", "Malformed JSON at line 1, column 4: unexpected string constant \"a\", expected character `:'" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_clear_pointer (&bytes, g_bytes_unref);
        g_clear_pointer (&error, json_object_unref);
        bytes = request_full (fixture, "POST", "/api/v1/test/x", "application/json", cases[i].body, &status, NULL,
                              NULL);
        error = assert_error_shape (bytes, "bad_request");
        g_assert_cmpuint (status, ==, 400);
        g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, cases[i].message);
        g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "details"), "reason"), ==,
                         strstr (cases[i].message, ": ") + 2);
      }
  }

  /* Not UTF-8: the byte offset. */
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&error, json_object_unref);
  bytes = request_full (fixture, "POST", "/api/v1/test/x", "application/json", "{\"a\": \"\xff\"}",
                        &status, NULL, NULL);
  error = assert_error_shape (bytes, "bad_request");
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (error, "details"), "offset"), ==, 7);
}

static void
test_too_large (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *big = g_strnfill (MAX_BODY + 1, ' ');
  g_autofree char *fits = g_strnfill (MAX_BODY - 2, ' ');
  g_autofree char *fits_json = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *request = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) error = NULL;
  guint status;

  /* A body of exactly the limit is fine. */
  fits_json = g_strdup_printf ("{}%s", fits);
  bytes = request_full (fixture, "POST", "/api/v1/test/x", "application/json", fits_json, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = request_full (fixture, "POST", "/api/v1/test/x", "application/json", big, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 413);
  error = assert_error_shape (bytes, "payload_too_large");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (error, "details"), "max_bytes"),
                   ==, MAX_BODY);

  /* With Expect: 100-continue the answer comes before the body is sent at all: this
   * client sends only the headers and reads the answer. */
  connection = raw_connect (fixture,
                            "POST /api/v1/test/x HTTP/1.1\r\nHost: test\r\n"
                            "Content-Type: application/json\r\nContent-Length: 100000000\r\n"
                            "Expect: 100-continue\r\n\r\n");
  answer = raw_read_to_end (connection);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 413 "));
  g_assert_nonnull (strstr (answer, "\"payload_too_large\""));
  g_clear_object (&connection);
  g_clear_pointer (&answer, g_free);

  /* A chunked body has no length up front: it is counted as it comes. */
  request = g_strdup_printf ("POST /api/v1/test/x HTTP/1.1\r\nHost: test\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n"
                             "%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n",
                             (guint) strlen (fits), fits, (guint) strlen (fits), fits);
  connection = raw_connect (fixture, request);
  answer = raw_read_to_end (connection);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 413 "));
  g_assert_nonnull (strstr (answer, "\"payload_too_large\""));
}

static void
test_not_found_and_method (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) error = NULL;
  guint status;

  bytes = request_full (fixture, "GET", "/api/v1/nothing/here", NULL, NULL, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 404);
  error = assert_error_shape (bytes, "not_found");
  g_assert_true (json_object_get_null_member (error, "details"));
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&error, json_object_unref);

  bytes = request_full (fixture, "PUT", "/api/v1/test/x", "application/json", "{}", &status, &message, NULL);
  g_assert_cmpuint (status, ==, 405);
  error = assert_error_shape (bytes, "method_not_allowed");
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (message), "Allow"),
                   ==, "DELETE, GET, HEAD, POST");
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&error, json_object_unref);

  /* A failure inside is a 500 that does not say what failed. */
  bytes = request_full (fixture, "GET", "/broken", NULL, NULL, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 500);
  error = assert_error_shape (bytes, "internal");
  g_assert_null (strstr (json_object_get_string_member (error, "message"), "/secret/place"));
}

/* A path whose escapes would hide what the router splits on or what no text holds: an
 * encoded slash or NUL byte, bytes that are not UTF-8 (a "%" without hex digits libsoup
 * refuses before the server sees the request). The 400
 * says what is wrong with which segment, in details too; an escape that is text still
 * reaches the handler decoded. */
static void
test_bad_path (Fixture       *fixture,
               gconstpointer  data)
{
  static const struct {
    const char *path;
    const char *segment;
    const char *words;
  } cases[] = {
    { "/api/v1/test/a%2Fb", "a%2Fb", "encoded slash (%2F)" },
    /* (The URI parser writes escapes in capitals.) */
    { "/api/v1/test/a%2fb/more", "a%2Fb", "encoded slash (%2F)" },
    { "/api/v1/test/a%00b", "a%00b", "encoded NUL byte (%00)" },
    { "/api/v1/test/%FFx", "%FFx", "not UTF-8" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* Written as is: a client library could normalise the escapes. */
      g_autofree char *text = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                                               cases[i].path);
      g_autoptr(GSocketConnection) connection = raw_connect (fixture, text);
      g_autofree char *answer = raw_read_to_end (connection);
      const char *body = strstr (answer, "\r\n\r\n");
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(JsonObject) error = NULL;
      JsonObject *details;
      g_autofree char *segment = NULL;

      g_test_message ("%s: %s", cases[i].path, answer);
      g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 400 "));
      g_assert_nonnull (body);
      bytes = g_bytes_new (body + 4, strlen (body + 4));
      error = assert_error_shape (bytes, "bad_request");
      details = json_object_get_object_member (error, "details");
      g_assert_nonnull (details);
      g_assert_cmpstr (json_object_get_string_member (details, "parameter"), ==, "path");
      g_assert_cmpstr (json_object_get_string_member (details, "segment"), ==, cases[i].segment);
      segment = g_strdup_printf ("“%s”", cases[i].segment);
      g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), segment));
      g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), cases[i].words));
    }

  /* A URI libsoup refuses after reading it (https on a plain connection): the one shape,
   * saying it is the URI. */
  {
    g_autoptr(GSocketConnection) connection =
      raw_connect (fixture, "GET https://localhost/api/v1/test/x HTTP/1.1\r\nHost: localhost\r\n"
                            "Connection: close\r\n\r\n");
    g_autofree char *answer = raw_read_to_end (connection);
    const char *body = strstr (answer, "\r\n\r\n");
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(JsonObject) error = NULL;

    g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 400 "));
    g_assert_nonnull (body);
    bytes = g_bytes_new (body + 4, strlen (body + 4));
    error = assert_error_shape (bytes, "bad_request");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "details"), "parameter"),
                     ==, "uri");
  }

  /* Escapes of text are decoded before routing, as before. */
  {
    guint status;
    g_autoptr(GBytes) bytes = request_full (fixture, "GET", "/api/v1/test/caf%C3%A9%20au%20lait", NULL, NULL, &status,
                                            NULL, NULL);
    g_autoptr(JsonObject) object = NULL;

    g_assert_cmpuint (status, ==, 200);
    object = parse_object (bytes);
    g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "café au lait");
  }
  {
    guint status;
    g_autoptr(GBytes) bytes = request_full (fixture, "POST", "/hooks/github/push%21", "text/plain", "x", &status,
                                            NULL, NULL);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "github/push!", 12);
  }
}

static void
test_request_id (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *given[] = { "abc-123_x.y:z", "has space", "quote\"", "" };
  g_autofree char *too_long = g_strnfill (129, 'a');
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i <= G_N_ELEMENTS (given); i++)
    {
      const char *value = i < G_N_ELEMENTS (given) ? given[i] : too_long;
      g_autoptr(SoupMessage) message = NULL;
      g_autoptr(GBytes) bytes = NULL;
      const char *echoed;
      guint status;

      bytes = request_full (fixture, "GET", "/health", NULL, NULL, &status, &message, "X-Request-Id", value, NULL);
      g_assert_cmpuint (status, ==, 200);
      echoed = soup_message_headers_get_one (soup_message_get_response_headers (message), "X-Request-Id");
      g_assert_nonnull (echoed);
      if (i == 0)
        g_assert_cmpstr (echoed, ==, value);
      else
        {
          /* Not sane: a fresh one, different every time. */
          g_assert_cmpstr (echoed, !=, value);
          g_assert_true (g_uuid_string_is_valid (echoed));
          /* A random UUID (version 4, RFC 4122 variant) in lower case, as GLib makes them. */
          g_assert_cmpint (echoed[14], ==, '4');
          g_assert_nonnull (strchr ("89ab", echoed[19]));
          {
            g_autofree char *lower = g_ascii_strdown (echoed, -1);

            g_assert_cmpstr (echoed, ==, lower);
          }
          g_assert_false (g_hash_table_contains (seen, echoed));
          g_hash_table_add (seen, g_strdup (echoed));
        }
    }
}

static void
test_logs (Fixture       *fixture,
           gconstpointer  data)
{
  const char *secrets[] = { "Sekr1t-Bearer", "Sekr1t-Cookie", "Sekr1t-Key", "Sekr1t-Body", "raw-id-7781" };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean found_access = FALSE, found_handler = FALSE;
  guint status;

  bytes = request_full (fixture, "POST", "/api/v1/test/raw-id-7781", "application/json",
                        "{\"password\": \"Sekr1t-Body\"}", &status, &message,
                        "Authorization", "Bearer Sekr1t-Bearer", "Cookie", "session=Sekr1t-Cookie",
                        "X-Api-Key", "Sekr1t-Key", "X-Request-Id", "trace-logs-1", NULL);
  g_assert_cmpuint (status, ==, 200);

  /* listening, echoing, the access line. */
  lines = wait_for_log_lines (fixture, 3);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GBytes) line = g_bytes_new (lines[i], strlen (lines[i]));
      g_autoptr(JsonObject) object = parse_object (line);

      for (guint s = 0; s < G_N_ELEMENTS (secrets); s++)
        g_assert_null (strstr (lines[i], secrets[s]));
      g_assert_nonnull (json_object_get_string_member (object, "time"));
      g_assert_nonnull (json_object_get_string_member (object, "level"));
      g_assert_nonnull (json_object_get_string_member (object, "message"));
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "trace_id", NULL), "trace-logs-1") != 0)
        continue;
      g_assert_cmpstr (json_object_get_string_member (object, "method"), ==, "POST");
      g_assert_cmpstr (json_object_get_string_member (object, "route"), ==, "/api/v1/test/{id}");
      if (g_str_equal (json_object_get_string_member (object, "message"), "echoing"))
        found_handler = TRUE;
      else
        {
          g_assert_cmpint (json_object_get_int_member (object, "status"), ==, 200);
          g_assert_cmpfloat (json_object_get_double_member (object, "duration_ms"), >=, 0);
          g_assert_cmpstr (json_object_get_string_member (object, "level"), ==, "info");
          found_access = TRUE;
        }
    }
  g_assert_true (found_handler);
  g_assert_true (found_access);
}

/* Finds the value of the sample @series ("name{labels}") in exposition @text; -1 when
 * it is not there. Checks every line's shape on the way. */
static double
metrics_value (const char *text,
               const char *series)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  double value = -1;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *space;
      char *end;
      double parsed;

      if (line[0] == '\0')
        {
          g_assert_null (lines[i + 1]);
          continue;
        }
      if (line[0] == '#')
        {
          g_assert_true (g_str_has_prefix (line, "# HELP ") || g_str_has_prefix (line, "# TYPE "));
          continue;
        }
      space = strrchr (line, ' ');
      g_assert_nonnull (space);
      parsed = g_str_equal (space + 1, "+Inf") ? INFINITY : g_ascii_strtod (space + 1, &end);
      if (!g_str_equal (space + 1, "+Inf"))
        g_assert_cmpint (*end, ==, '\0');
      if (strlen (series) == (gsize) (space - line) && strncmp (line, series, space - line) == 0)
        value = parsed;
    }
  return value;
}

static void
test_metrics (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_auto(GStrv) lines = NULL;
  const char *text;
  double previous = 0;
  guint status;
  const char *bounds[] = { "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf" };

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) answer = request_full (fixture, "POST", "/api/v1/test/m", "application/json", "{}",
                                               &status, NULL, NULL);
      g_assert_cmpuint (status, ==, 200);
    }
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = request_full (fixture, "GET", "/nowhere/1", NULL, NULL, &status, NULL, NULL);
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = request_full (fixture, "GET", "/nowhere/2", NULL, NULL, &status, NULL, NULL);
  g_clear_pointer (&bytes, g_bytes_unref);
  /* A made-up method gets a series of its own only as "other". */
  {
    g_autoptr(GSocketConnection) connection = raw_connect (fixture, "BREW /nowhere/3 HTTP/1.1\r\nHost: test\r\n"
                                                                   "Connection: close\r\n\r\n");
    g_autofree char *answer = raw_read_to_end (connection);

    g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 404 "));
  }
  /* listening + 6 access lines: every request is recorded before its line is written. */
  lines = wait_for_log_lines (fixture, 7);

  bytes = request_full (fixture, "GET", "/metrics", NULL, NULL, &status, &message, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (soup_message_get_response_headers (message), NULL),
                                   "text/plain"));
  text = g_bytes_get_data (bytes, NULL);
  g_assert_nonnull (strstr (text, "# TYPE http_requests_total counter\n"));
  g_assert_nonnull (strstr (text, "# HELP http_requests_total "));
  g_assert_nonnull (strstr (text, "# TYPE http_request_duration_seconds histogram\n"));
  g_assert_cmpfloat (metrics_value (text, "http_requests_total{method=\"POST\",route=\"/api/v1/test/{id}\",status=\"200\"}"),
                     ==, 3);
  /* Unknown paths share one series: the raw paths are not labels. */
  g_assert_cmpfloat (metrics_value (text, "http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"),
                     ==, 2);
  g_assert_null (strstr (text, "/nowhere"));
  g_assert_cmpfloat (metrics_value (text, "http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"}"),
                     ==, 1);
  g_assert_null (strstr (text, "BREW"));

  for (guint i = 0; i < G_N_ELEMENTS (bounds); i++)
    {
      g_autofree char *series = g_strdup_printf ("http_request_duration_seconds_bucket{method=\"POST\","
                                                 "route=\"/api/v1/test/{id}\",le=\"%s\"}", bounds[i]);
      double value = metrics_value (text, series);

      g_assert_cmpfloat (value, >=, previous);
      previous = value;
    }
  g_assert_cmpfloat (previous, ==, 3);
  g_assert_cmpfloat (metrics_value (text, "http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/test/{id}\"}"),
                     ==, 3);
  g_assert_cmpfloat (metrics_value (text, "http_request_duration_seconds_sum{method=\"POST\",route=\"/api/v1/test/{id}\"}"),
                     >, 0);
}

static void
test_metrics_format (void)
{
  g_autoptr(DecaMetrics) metrics = deca_metrics_new ();
  const char *const labels[] = { "kind", NULL };
  const double buckets[] = { 0.1, 1, 10 };
  DecaMetricsFamily *counter, *gauge, *histogram;
  g_autofree char *text = NULL;
  const char *expected =
    "# HELP deca_things_total Things, with a \\\\ and a\\nnew line.\n"
    "# TYPE deca_things_total counter\n"
    "deca_things_total{kind=\"a\\\"b\\\\c\\nd\"} 2.5\n"
    "deca_things_total{kind=\"plain\"} 1\n"
    "# HELP deca_queue_depth Waiting jobs.\n"
    "# TYPE deca_queue_depth gauge\n"
    "deca_queue_depth 4\n"
    "# HELP deca_node_seconds Node durations.\n"
    "# TYPE deca_node_seconds histogram\n"
    "deca_node_seconds_bucket{kind=\"x\",le=\"0.1\"} 1\n"
    "deca_node_seconds_bucket{kind=\"x\",le=\"1\"} 3\n"
    "deca_node_seconds_bucket{kind=\"x\",le=\"10\"} 3\n"
    "deca_node_seconds_bucket{kind=\"x\",le=\"+Inf\"} 4\n"
    "deca_node_seconds_sum{kind=\"x\"} 51.55\n"
    "deca_node_seconds_count{kind=\"x\"} 4\n";

  counter = deca_metrics_add_counter (metrics, "deca_things_total", "Things, with a \\ and a\nnew line.", labels);
  gauge = deca_metrics_add_gauge (metrics, "deca_queue_depth", "Waiting jobs.", NULL);
  histogram = deca_metrics_add_histogram (metrics, "deca_node_seconds", "Node durations.", labels, buckets, 3);
  g_assert_nonnull (counter);
  g_assert_true (deca_metrics_lookup (metrics, "deca_queue_depth") == gauge);

  deca_metrics_family_add (counter, (const char *[]) { "plain", NULL }, 1);
  deca_metrics_family_add (counter, (const char *[]) { "a\"b\\c\nd", NULL }, 2);
  deca_metrics_family_add (counter, (const char *[]) { "a\"b\\c\nd", NULL }, 0.5);
  deca_metrics_family_set (gauge, NULL, 7);
  deca_metrics_family_add (gauge, NULL, -3);
  /* A value on a bound counts in that bucket (le: less or equal). */
  deca_metrics_family_observe (histogram, (const char *[]) { "x", NULL }, 0.05);
  deca_metrics_family_observe (histogram, (const char *[]) { "x", NULL }, 0.5);
  deca_metrics_family_observe (histogram, (const char *[]) { "x", NULL }, 1);
  deca_metrics_family_observe (histogram, (const char *[]) { "x", NULL }, 50);
  g_assert_cmpfloat (deca_metrics_family_get (histogram, (const char *[]) { "x", NULL }), ==, 4);
  g_assert_cmpfloat (deca_metrics_family_get (gauge, NULL), ==, 4);
  g_assert_cmpfloat (deca_metrics_family_get (counter, (const char *[]) { "never", NULL }), ==, 0);

  text = deca_metrics_format (metrics);
  g_assert_cmpstr (text, ==, expected);

  /* Bad names are refused (programming errors). */
  if (g_test_undefined ())
    {
      g_test_expect_message ("DecaServer", G_LOG_LEVEL_CRITICAL, "*is_valid_name*");
      g_assert_null (deca_metrics_add_counter (metrics, "0bad", "x", NULL));
      g_test_assert_expected_messages ();
      g_test_expect_message ("DecaServer", G_LOG_LEVEL_CRITICAL, "*lookup*");
      g_assert_null (deca_metrics_add_counter (metrics, "deca_queue_depth", "again", NULL));
      g_test_assert_expected_messages ();
    }
  g_assert_finalize_object (g_steal_pointer (&metrics));
}

static void
test_log_lines (void)
{
  g_autofree char *text = NULL;
  gsize size = 0;
  FILE *stream = open_memstream (&text, &size);
  g_autoptr(DecaLog) log = deca_log_new (stream, DECA_LOG_INFO);
  g_autoptr(JsonObject) extra = json_object_new ();
  DecaLogFields fields = { "t-1", "GET", "/flows/{id}", 404, 1.2345678 };
  DecaLogLevel level;
  g_auto(GStrv) lines = NULL;

  json_object_set_int_member (extra, "count", 3);
  json_object_set_string_member (extra, "authorization", "Bearer no");  /* dropped: a secret header's name */
  json_object_set_string_member (extra, "status", "twice");             /* dropped: a standard member */
  deca_log_write (log, DECA_LOG_WARNING, &fields, extra, "line \"one\"\nwith a break");
  deca_log_write (log, DECA_LOG_DEBUG, NULL, NULL, "below the level");
  deca_log_writef (log, DECA_LOG_ERROR, NULL, "bad bytes: %s", "\xff\xfe");
  fclose (stream);

  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[2], ==, "");
  g_assert_true (g_str_has_prefix (lines[0], "{\"time\":\""));
  g_assert_nonnull (strstr (lines[0], "\"level\":\"warning\",\"message\":\"line \\\"one\\\"\\nwith a break\","
                                      "\"trace_id\":\"t-1\",\"method\":\"GET\",\"route\":\"/flows/{id}\","
                                      "\"status\":404,\"duration_ms\":1.235,\"count\":3}"));
  g_assert_null (strstr (lines[0], "Bearer"));
  g_assert_null (strstr (lines[0], "twice"));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) line = g_bytes_new (lines[i], strlen (lines[i]));
      g_autoptr(JsonObject) object = parse_object (line);

      g_assert_true (g_utf8_validate (lines[i], -1, NULL));
    }

  g_assert_true (deca_log_level_from_string ("Warning", &level));
  g_assert_cmpint (level, ==, DECA_LOG_WARNING);
  g_assert_false (deca_log_level_from_string ("loud", &level));
  g_assert_true (deca_log_is_secret_header ("x-api-key"));
  g_assert_true (deca_log_is_secret_header ("COOKIE"));
  g_assert_false (deca_log_is_secret_header ("Content-Type"));
  g_assert_finalize_object (g_steal_pointer (&log));
}

static void
test_health (Fixture       *fixture,
             gconstpointer  data)
{
  guint status;
  g_autoptr(GBytes) bytes = request_full (fixture, "GET", "/health", NULL, NULL, &status, NULL, NULL);
  g_autoptr(JsonObject) object = parse_object (bytes);
  JsonObject *dependencies = json_object_get_object_member (object, "dependencies");

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (object, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpint (json_object_get_int_member (object, "uptime_seconds"), >=, 0);
  g_assert_cmpstr (json_object_get_string_member (dependencies, "store"), ==, "ok");
  g_clear_pointer (&bytes, g_bytes_unref);

  /* HEAD: the same answer without the body. */
  bytes = request_full (fixture, "HEAD", "/health", NULL, NULL, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
}

static void
test_health_failing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) object = NULL;
  JsonObject *dependencies;
  guint status;

  fixture->with_failing_check = TRUE;
  fixture_start (fixture);
  bytes = request_full (fixture, "GET", "/health", NULL, NULL, &status, NULL, NULL);
  object = parse_object (bytes);
  dependencies = json_object_get_object_member (object, "dependencies");
  g_assert_cmpuint (status, ==, 503);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "unavailable");
  g_assert_cmpstr (json_object_get_string_member (dependencies, "store"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (dependencies, "queue"), "error"),
                   ==, "queue unreachable");
}

static void
test_authenticator (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(JsonObject) error = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  guint status;

  fixture->with_auth = TRUE;
  fixture_start (fixture);

  bytes = request_full (fixture, "GET", "/whoami", NULL, NULL, &status, &message, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (message), "WWW-Authenticate"),
                   ==, "Bearer realm=\"deca\"");
  g_clear_object (&message);
  error = assert_error_shape (bytes, "unauthenticated");
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = request_full (fixture, "GET", "/whoami", NULL, NULL, &status, NULL, "Authorization", "Bearer good", NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "alice", 5);
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = request_full (fixture, "GET", "/whoami", NULL, NULL, &status, &message,
                        "Authorization", "Bearer slow-down", NULL);
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After"), ==, "7");
  g_clear_pointer (&bytes, g_bytes_unref);

  /* The route's required permissions reach the step: 403. */
  bytes = request_full (fixture, "GET", "/admin", NULL, NULL, &status, NULL, "Authorization", "Bearer good", NULL);
  g_assert_cmpuint (status, ==, 403);
  g_clear_pointer (&error, json_object_unref);
  error = assert_error_shape (bytes, "forbidden");
  g_clear_pointer (&bytes, g_bytes_unref);

  /* Public routes skip the step. */
  bytes = request_full (fixture, "GET", "/health", NULL, NULL, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);

  /* The step runs before the body is read: with Expect: 100-continue an unauthenticated
   * upload is refused before it is sent. */
  connection = raw_connect (fixture,
                            "POST /api/v1/test/x HTTP/1.1\r\nHost: test\r\n"
                            "Content-Type: application/json\r\nContent-Length: 10\r\n"
                            "Expect: 100-continue\r\n\r\n");
  answer = raw_read_to_end (connection);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 401 "));
}

static void
test_deferred (Fixture       *fixture,
               gconstpointer  data)
{
  guint status;
  g_autoptr(GBytes) bytes = request_full (fixture, "GET", "/deferred", NULL, NULL, &status, NULL, NULL);

  g_assert_cmpuint (status, ==, 202);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "later", 5);
}

static void
test_slow_client (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSocketConnection) headers_only = NULL;
  g_autoptr(GSocketConnection) half_body = NULL;
  g_autoptr(GSocketConnection) too_large = NULL;
  const char *text;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *answer = NULL;
  g_auto(GStrv) lines = NULL;
  guint status;
  gint64 start = g_get_monotonic_time ();

  /* Half the headers, then silence: the server closes the connection after its read
   * timeout, without an answer. The client's own guard is 20 s; READ_TIMEOUT is 1 s. */
  headers_only = raw_connect (fixture, "GET /health HTTP/1.1\r\nHost: te");
  answer = raw_read_to_end (headers_only);
  g_assert_cmpstr (answer, ==, "");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, READ_TIMEOUT * G_USEC_PER_SEC / 2);
  g_clear_pointer (&answer, g_free);

  /* The headers and half the body. */
  half_body = raw_connect (fixture, "POST /api/v1/test/x HTTP/1.1\r\nHost: test\r\n"
                                    "Content-Length: 20\r\n\r\n{\"a\":");
  answer = raw_read_to_end (half_body);
  g_assert_cmpstr (answer, ==, "");

  g_clear_pointer (&answer, g_free);

  /* Too large, so answered before the body (413), but the body stops half-way: the
   * answer cannot be written before the body is in, and the connection is dropped. That
   * is an incomplete request, not a failure of the server's (500). */
  too_large = raw_connect (fixture, "POST /api/v1/test/x HTTP/1.1\r\nHost: test\r\n"
                                    "Content-Length: 100000\r\n\r\n{\"a\":");
  answer = raw_read_to_end (too_large);
  g_assert_cmpstr (answer, ==, "");

  /* The server is still there for everybody else, and counted all three. */
  lines = wait_for_log_lines (fixture, 4);
  bytes = request_full (fixture, "GET", "/metrics", NULL, NULL, &status, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  text = g_bytes_get_data (bytes, NULL);
  g_assert_cmpfloat (metrics_value (text, "http_incomplete_requests_total{stage=\"headers\"}"), ==, 1);
  g_assert_cmpfloat (metrics_value (text, "http_incomplete_requests_total{stage=\"body\"}"), ==, 2);
  g_assert_null (strstr (text, "status=\"500\""));
  g_assert_null (strstr (text, "status=\"413\""));
}

/* libsoup writes the headers and the body of an answer with a send() each; the server
 * corks the socket so that a small answer leaves in one segment, not two (each through
 * the whole TCP path of both ends). An answer from a later turn of the loop (as a
 * webhook's) and one from the handler, one after the other on a kept-alive
 * connection: the cork of the first was lifted, or the second could not come. */
static void
test_one_segment (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = raw_connect (fixture, "GET /deferred HTTP/1.1\r\nHost: test\r\n\r\n");
  g_autofree char *first = raw_read_answer (connection);
  g_autofree char *second = NULL;
  g_autoptr(GError) error = NULL;
  const char *request = "GET /api/v1/test/f-44 HTTP/1.1\r\nHost: test\r\n\r\n";
  gsize written;

  g_assert_true (g_str_has_prefix (first, "HTTP/1.1 202 "));
  g_assert_true (g_str_has_suffix (first, "\r\n\r\nlater"));
  g_assert_cmpuint (segments_received (connection), ==, 1);

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), &written, NULL, &error);
  g_assert_no_error (error);
  second = raw_read_answer (connection);
  g_assert_true (g_str_has_prefix (second, "HTTP/1.1 200 "));
  g_assert_nonnull (strstr (second, "\"id\":\"f-44\""));
  g_assert_cmpuint (segments_received (connection), ==, 2);
}

static void
test_listen_addresses (void)
{
  g_autofree char *dir = g_dir_make_tmp ("deca-test-server-XXXXXX", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  DecaServerOptions options = { .data_dir = data_dir, .log_level = DECA_LOG_WARNING };
  const char *bad[] = { "127.0.0.1", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "::1:80",
                        "[127.0.0.1]:80", "example.com:80", "[::1]80", ":8080" };
  struct { const char *address; const char *prefix; } good[] = {
    { "127.0.0.1:0", "http://127.0.0.1:" },
    { "localhost:0", "http://127.0.0.1:" },
    { "0.0.0.0:0", "http://0.0.0.0:" },
    { "[::1]:0", "http://[::1]:" },
    { "[::]:0", "http://[::]:" },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(DecaServer) server = deca_server_new (&options, &error);

      g_assert_no_error (error);
      g_assert_false (deca_server_listen (server, bad[i], &error));
      g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
      g_clear_error (&error);
      g_assert_null (deca_server_get_uri (server));
      g_assert_finalize_object (g_steal_pointer (&server));
    }
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(DecaServer) server = deca_server_new (&options, &error);
      g_autofree char *uri = NULL;

      g_assert_no_error (error);
      if (!deca_server_listen (server, good[i].address, &error))
        {
          /* A machine without IPv6 cannot listen on [::1]; that is not the server's fault. */
          g_assert_true (good[i].address[0] == '[');
          g_test_message ("no IPv6 here: %s", error->message);
          g_clear_error (&error);
          g_assert_finalize_object (g_steal_pointer (&server));
          continue;
        }
      uri = deca_server_get_uri (server);
      g_assert_true (g_str_has_prefix (uri, good[i].prefix));
      g_assert_cmpuint (deca_server_get_port (server), >, 0);
      deca_server_stop (server);
      g_assert_finalize_object (g_steal_pointer (&server));
    }
  deca_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/server/router/match", test_router_match);
  g_test_add_func ("/deca/server/metrics/format", test_metrics_format);
  g_test_add_func ("/deca/server/log/lines", test_log_lines);
  g_test_add_func ("/deca/server/listen/addresses", test_listen_addresses);
#define ADD(path, func, deferred_start) \
  g_test_add ("/deca/server/http/" path, Fixture, deferred_start, fixture_setup, func, fixture_teardown)
  ADD ("json-body", test_json_body, NULL);
  ADD ("malformed-json", test_malformed_json, NULL);
  ADD ("too-large", test_too_large, NULL);
  ADD ("not-found-and-method", test_not_found_and_method, NULL);
  ADD ("bad-path", test_bad_path, NULL);
  ADD ("request-id", test_request_id, NULL);
  ADD ("logs", test_logs, NULL);
  ADD ("metrics", test_metrics, NULL);
  ADD ("health", test_health, NULL);
  ADD ("health-failing", test_health_failing, GINT_TO_POINTER (1));
  ADD ("authenticator", test_authenticator, GINT_TO_POINTER (1));
  ADD ("deferred", test_deferred, NULL);
  ADD ("one-segment", test_one_segment, NULL);
  ADD ("slow-client", test_slow_client, NULL);
#undef ADD
  return g_test_run ();
}
