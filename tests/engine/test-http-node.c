/* Tests of the http node against a real SoupServer on 127.0.0.1. */

#include <glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "deca-engine.h"

typedef struct {
  SoupServer       *server;
  SoupServer       *other;        /* a second origin, for cross-origin redirects */
  char             *base;         /* "http://127.0.0.1:PORT" */
  char             *other_base;
  int               port;

  DecaNodeRegistry *registry;
  DecaClock        *clock;
  GCancellable     *cancellable;
  DecaNodeHost      host;
  JsonObject       *credentials;
  JsonNode         *input;
  DecaExprScope     scope;

  /* The last request either server received. */
  guint             requests;
  char             *method;
  char             *path;
  char             *query;
  SoupMessageHeaders *headers;
  GBytes           *body;
  gboolean          hanging;
} Fixture;

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

static void
record_request (Fixture           *f,
                SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  GUri *uri = soup_server_message_get_uri (msg);

  f->requests++;
  g_free (f->method);
  f->method = g_strdup (soup_server_message_get_method (msg));
  g_free (f->path);
  f->path = g_strdup (g_uri_get_path (uri));
  g_free (f->query);
  f->query = g_strdup (g_uri_get_query (uri));
  g_clear_pointer (&f->headers, soup_message_headers_unref);
  f->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg), copy_header,
                                f->headers);
  g_clear_pointer (&f->body, g_bytes_unref);
  f->body = g_bytes_new (body->data, body->length);
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *content_type,
         const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

/* Every path of the test server. Responses never echo request headers, so that a
 * secret found in the node's output can only have come from the node. */
static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *f = user_data;

  record_request (f, msg);

  if (g_str_equal (path, "/echo"))
    {
      g_autofree char *json = g_strdup_printf ("{\"method\": \"%s\", \"path\": \"%s\"}",
                                               soup_server_message_get_method (msg), path);

      soup_message_headers_append (soup_server_message_get_response_headers (msg), "X-Multi", "a");
      soup_message_headers_append (soup_server_message_get_response_headers (msg), "X-Multi", "b");
      respond (msg, 200, "application/json", json);
    }
  else if (g_str_equal (path, "/text"))
    respond (msg, 200, "text/plain; charset=utf-8", "hello");
  else if (g_str_equal (path, "/badjson"))
    respond (msg, 200, "application/json", "{not json");
  else if (g_str_equal (path, "/problem"))
    respond (msg, 200, "application/problem+json", "{\"title\": \"x\"}");
  else if (g_str_equal (path, "/missing"))
    respond (msg, 404, "text/plain", "not here");
  else if (g_str_equal (path, "/empty"))
    soup_server_message_set_status (msg, 204, NULL);
  else if (g_str_has_prefix (path, "/redirect/"))
    {
      int n = atoi (path + strlen ("/redirect/"));
      g_autofree char *next = n > 0 ? g_strdup_printf ("/redirect/%d", n - 1) : g_strdup ("/echo");

      soup_server_message_set_redirect (msg, 302, next);
    }
  else if (g_str_equal (path, "/see-other"))
    soup_server_message_set_redirect (msg, 303, "/echo");
  else if (g_str_equal (path, "/temporary"))
    soup_server_message_set_redirect (msg, 307, "/echo");
  else if (g_str_equal (path, "/elsewhere"))
    {
      g_autofree char *target = g_strconcat (f->other_base, "/echo", NULL);

      soup_server_message_set_redirect (msg, 302, target);
    }
  else if (g_str_equal (path, "/ftp"))
    soup_server_message_set_redirect (msg, 302, "ftp://127.0.0.1/file");
  else if (g_str_equal (path, "/big"))
    {
      gsize size = 11 * 1024 * 1024;
      char *data = g_malloc (size);

      memset (data, 'x', size);
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_TAKE, data, size);
    }
  else if (g_str_equal (path, "/hang"))
    {
      /* Never answered: the client's timeout or cancellation has to end it. */
      f->hanging = TRUE;
      soup_server_message_pause (msg);
    }
  else
    respond (msg, 404, "text/plain", "no such path");
}

static SoupServer *
start_server (Fixture  *f,
              char    **base,
              int      *port)
{
  g_autoptr(GError) error = NULL;
  SoupServer *server = soup_server_new (NULL, NULL);
  GSList *uris;

  soup_server_add_handler (server, NULL, server_cb, f, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  *port = g_uri_get_port (uris->data);
  *base = g_strdup_printf ("http://127.0.0.1:%d", *port);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}

static JsonNode *
resolve_root (const char *name,
              gpointer    user_data)
{
  Fixture *f = user_data;

  return g_str_equal (name, "input") ? f->input : NULL;
}

static JsonObject *
host_lookup_credential (gpointer    host_data,
                        const char *name,
                        GError    **error)
{
  Fixture *f = host_data;
  JsonNode *fields = json_object_get_member (f->credentials, name);

  if (fields == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                   "credential '%s' is not defined", name);
      return NULL;
    }
  return json_object_ref (json_node_get_object (fields));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  int other_port;
  g_autoptr(JsonNode) credentials = parse_json (
    "{\"api\": {\"token\": \"s3cret-token\", \"key\": \"k3y-value\", \"api_key\": \"qu3ry-secret\"},"
    " \"login\": {\"username\": \"ada\", \"password\": \"pa55:word\"}}");

  f->server = start_server (f, &f->base, &f->port);
  f->other = start_server (f, &f->other_base, &other_port);
  f->registry = deca_node_registry_new_builtin ();
  f->clock = deca_system_clock_get_default ();
  f->cancellable = g_cancellable_new ();
  f->credentials = json_object_ref (json_node_get_object (credentials));
  f->host.lookup_credential = host_lookup_credential;
  f->input = parse_json ("{\"id\": 7}");
  f->scope.resolve = resolve_root;
  f->scope.user_data = f;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->registry);
  g_object_unref (f->clock);
  g_assert_finalize_object (f->cancellable);
  soup_server_disconnect (f->server);
  soup_server_disconnect (f->other);
  g_assert_finalize_object (f->server);
  g_assert_finalize_object (f->other);
  /* Let the closed connections' last callbacks run before the next test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (f->base);
  g_free (f->other_base);
  json_object_unref (f->credentials);
  json_node_unref (f->input);
  g_free (f->method);
  g_free (f->path);
  g_free (f->query);
  g_clear_pointer (&f->headers, soup_message_headers_unref);
  g_clear_pointer (&f->body, g_bytes_unref);
}

/* Starts the http node with @config_json, where "BASE" and "OTHER" stand for the two
 * servers. Returns without waiting. */
static DecaNodeInvocation *
start_request (Fixture    *f,
               const char *config_json)
{
  g_autoptr(GString) text = g_string_new (config_json);
  g_autoptr(JsonNode) config = NULL;
  DecaNodeInvocation *invocation;

  g_string_replace (text, "BASE", f->base, 0);
  g_string_replace (text, "OTHER", f->other_base, 0);
  config = parse_json (text->str);
  invocation = deca_node_invocation_new ("exec-1", "fetch", NULL, json_node_get_object (config),
                                         &f->scope, 1, f->clock, f->cancellable, &f->host, f,
                                         NULL, NULL);
  deca_node_type_invoke (deca_node_registry_lookup (f->registry, "http"), invocation);
  return invocation;
}

static void
wait_for (DecaNodeInvocation *invocation)
{
  while (deca_node_invocation_get_outcome (invocation) == DECA_INVOCATION_PENDING)
    g_main_context_iteration (NULL, TRUE);
}

static DecaNodeInvocation *
request (Fixture    *f,
         const char *config_json)
{
  DecaNodeInvocation *invocation = start_request (f, config_json);

  wait_for (invocation);
  return invocation;
}

static JsonObject *
assert_success (DecaNodeInvocation *invocation)
{
  const GError *error = deca_node_invocation_get_error (invocation);
  JsonNode *output;

  if (error != NULL)
    g_error ("unexpected error: %s", error->message);
  g_assert_cmpint (deca_node_invocation_get_outcome (invocation), ==, DECA_INVOCATION_SUCCEEDED);
  output = deca_node_invocation_get_output (invocation);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (output));
  return json_node_get_object (output);
}

static void
assert_failure (DecaNodeInvocation *invocation,
                int                 code,
                const char         *substring)
{
  const GError *error = deca_node_invocation_get_error (invocation);

  g_assert_cmpint (deca_node_invocation_get_outcome (invocation), ==, DECA_INVOCATION_FAILED);
  g_assert_error (error, DECA_ENGINE_ERROR, code);
  if (strstr (error->message, substring) == NULL)
    g_error ("expected an error containing \"%s\", got \"%s\"", substring, error->message);
}

static void
assert_json_equal (JsonNode   *actual,
                   const char *expected_json)
{
  g_autoptr(JsonNode) expected = parse_json (expected_json);

  if (!json_node_equal (actual, expected))
    {
      g_autofree char *text = json_to_string (actual, FALSE);

      g_error ("expected %s, got %s", expected_json, text);
    }
}

static char *
body_text (Fixture *f)
{
  return g_strndup (g_bytes_get_data (f->body, NULL), g_bytes_get_size (f->body));
}

/* Neither the output nor the error may contain @secret. */
static void
assert_no_secret (DecaNodeInvocation *invocation,
                  const char         *secret)
{
  JsonNode *output = deca_node_invocation_get_output (invocation);
  const GError *error = deca_node_invocation_get_error (invocation);

  if (output != NULL)
    {
      g_autofree char *text = json_to_string (output, FALSE);

      g_assert_null (strstr (text, secret));
    }
  if (error != NULL)
    g_assert_null (strstr (error->message, secret));
}

/* ---- requests ---------------------------------------------------------------------- */

static void
test_get_with_query (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = NULL;
  g_autofree char *url = NULL;
  JsonObject *output, *headers;

  invocation = request (f, "{\"url\": \"BASE/echo?keep=1&q=old\","
                           " \"query\": {\"q\": \"new value/&=\", \"list\": [1, \"two\"], \"skip\": null,"
                           " \"flag\": true, \"caf\\u00e9\": \"\\u00e9\"}}");
  output = assert_success (invocation);

  g_assert_cmpstr (f->method, ==, "GET");
  g_assert_cmpstr (f->path, ==, "/echo");
  g_assert_cmpstr (f->query, ==,
                   "keep=1&q=new%20value%2F%26%3D&list=1&list=two&flag=true&caf%C3%A9=%C3%A9");
  /* GET is idempotent: no key. */
  g_assert_null (soup_message_headers_get_one (f->headers, "Idempotency-Key"));
  g_assert_cmpuint (g_bytes_get_size (f->body), ==, 0);

  g_assert_cmpint (json_object_get_int_member (output, "status"), ==, 200);
  assert_json_equal (json_object_get_member (output, "body"), "{\"method\": \"GET\", \"path\": \"/echo\"}");
  url = g_strconcat (f->base, "/echo?", f->query, NULL);
  g_assert_cmpstr (json_object_get_string_member (output, "url"), ==, url);
  headers = json_object_get_object_member (output, "headers");
  g_assert_cmpstr (json_object_get_string_member (headers, "content-type"), ==, "application/json");
  g_assert_cmpstr (json_object_get_string_member (headers, "x-multi"), ==, "a, b");
}

static void
test_post_json (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = NULL;
  g_autoptr(JsonNode) received = NULL;
  g_autofree char *text = NULL;

  invocation = request (f, "{\"method\": \"POST\", \"url\": \"BASE/echo\","
                           " \"body\": {\"a\": 1, \"b\": [true, null], \"s\": \"\\u00e9\"}}");
  assert_success (invocation);

  g_assert_cmpstr (f->method, ==, "POST");
  g_assert_cmpstr (soup_message_headers_get_content_type (f->headers, NULL), ==, "application/json");
  text = body_text (f);
  received = parse_json (text);
  assert_json_equal (received, "{\"a\": 1, \"b\": [true, null], \"s\": \"\\u00e9\"}");
  g_assert_cmpstr (soup_message_headers_get_one (f->headers, "Idempotency-Key"), ==, "exec-1/fetch");
}

static void
test_post_form (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *text = NULL;

  invocation = request (f, "{\"method\": \"POST\", \"url\": \"BASE/echo\", \"body_type\": \"form\","
                           " \"body\": {\"name\": \"Ada Lovelace\", \"tags\": [\"x\", \"y\"], \"n\": 3,"
                           " \"amp\": \"a&b=c\"}}");
  assert_success (invocation);

  g_assert_cmpstr (soup_message_headers_get_content_type (f->headers, NULL), ==,
                   "application/x-www-form-urlencoded");
  text = body_text (f);
  g_assert_cmpstr (text, ==, "name=Ada%20Lovelace&tags=x&tags=y&n=3&amp=a%26b%3Dc");
  form = soup_form_decode (text);
  g_assert_cmpstr (g_hash_table_lookup (form, "name"), ==, "Ada Lovelace");
  g_assert_cmpstr (g_hash_table_lookup (form, "amp"), ==, "a&b=c");
}

static void
test_put_raw (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) csv = NULL;
  g_autoptr(DecaNodeInvocation) plain = NULL;
  g_autoptr(DecaNodeInvocation) form_string = NULL;
  g_autofree char *csv_text = NULL;
  g_autofree char *plain_text = NULL;

  csv = request (f, "{\"method\": \"PUT\", \"url\": \"BASE/echo\", \"body\": \"a,b\\n1,2\","
                    " \"content_type\": \"text/csv\", \"headers\": {\"idempotency-key\": \"mine\"}}");
  assert_success (csv);
  g_assert_cmpstr (f->method, ==, "PUT");
  csv_text = body_text (f);
  g_assert_cmpstr (csv_text, ==, "a,b\n1,2");
  g_assert_cmpstr (soup_message_headers_get_content_type (f->headers, NULL), ==, "text/csv");
  /* The config's own key wins (and is not sent twice). */
  g_assert_cmpstr (soup_message_headers_get_list (f->headers, "Idempotency-Key"), ==, "mine");

  /* A string body defaults to raw text. */
  plain = request (f, "{\"method\": \"PATCH\", \"url\": \"BASE/echo\", \"body\": \"hi\"}");
  assert_success (plain);
  plain_text = body_text (f);
  g_assert_cmpstr (plain_text, ==, "hi");
  g_assert_cmpstr (soup_message_headers_get_one (f->headers, "Content-Type"), ==, "text/plain; charset=utf-8");

  form_string = request (f, "{\"method\": \"POST\", \"url\": \"BASE/echo\", \"body_type\": \"form\", \"body\": \"x\"}");
  assert_failure (form_string, DECA_ENGINE_ERROR_NODE_FAILED, "'body' must be an object when 'body_type' is form");
}

static void
test_headers (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) ok = NULL;
  g_autoptr(DecaNodeInvocation) injected = NULL;
  g_autoptr(DecaNodeInvocation) bad_name = NULL;
  guint before;

  ok = request (f, "{\"url\": \"BASE/echo\", \"headers\": {\"X-Trace\": \"abc\", \"X-Num\": 5}}");
  assert_success (ok);
  g_assert_cmpstr (soup_message_headers_get_one (f->headers, "X-Trace"), ==, "abc");
  g_assert_cmpstr (soup_message_headers_get_one (f->headers, "X-Num"), ==, "5");

  before = f->requests;
  injected = request (f, "{\"url\": \"BASE/echo\", \"headers\": {\"X-A\": \"1\\r\\nX-Evil: 1\"}}");
  assert_failure (injected, DECA_ENGINE_ERROR_NODE_FAILED, "'headers.X-A': the value of header 'X-A' contains a line break");
  bad_name = request (f, "{\"url\": \"BASE/echo\", \"headers\": {\"Bad Name\": \"1\"}}");
  assert_failure (bad_name, DECA_ENGINE_ERROR_NODE_FAILED, "'Bad Name' is not a valid header name");
  g_assert_cmpuint (f->requests, ==, before);
}

/* ---- auth -------------------------------------------------------------------------- */

static void
test_auth_bearer_basic_header (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) bearer = NULL;
  g_autoptr(DecaNodeInvocation) basic = NULL;
  g_autoptr(DecaNodeInvocation) header = NULL;
  g_autofree char *expected_basic = NULL;
  g_autofree char *encoded = g_base64_encode ((const guchar *) "ada:pa55:word", 13);

  bearer = request (f, "{\"url\": \"BASE/echo\", \"auth\": {\"type\": \"bearer\", \"credential\": \"api\"}}");
  assert_success (bearer);
  g_assert_cmpstr (soup_message_headers_get_one (f->headers, "Authorization"), ==, "Bearer s3cret-token");
  assert_no_secret (bearer, "s3cret");

  basic = request (f, "{\"url\": \"BASE/echo\", \"auth\": {\"type\": \"basic\", \"credential\": \"login\"}}");
  assert_success (basic);
  expected_basic = g_strconcat ("Basic ", encoded, NULL);
  g_assert_cmpstr (soup_message_headers_get_one (f->headers, "Authorization"), ==, expected_basic);
  assert_no_secret (basic, "pa55");
  assert_no_secret (basic, encoded);

  header = request (f, "{\"url\": \"BASE/echo\", \"auth\": {\"type\": \"header\", \"credential\": \"api\","
                       " \"field\": \"key\", \"name\": \"X-Api-Key\"}}");
  assert_success (header);
  g_assert_cmpstr (soup_message_headers_get_one (f->headers, "X-Api-Key"), ==, "k3y-value");
  g_assert_null (soup_message_headers_get_one (f->headers, "Authorization"));
  assert_no_secret (header, "k3y-value");
}

static void
test_auth_query (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = NULL;
  g_autofree char *expected_url = NULL;
  JsonObject *output;

  invocation = request (f, "{\"url\": \"BASE/echo?a=1\", \"auth\": {\"type\": \"query\", \"credential\": \"api\","
                           " \"name\": \"token\"}}");
  output = assert_success (invocation);
  g_assert_cmpstr (f->query, ==, "a=1&token=qu3ry-secret");
  assert_no_secret (invocation, "qu3ry-secret");
  expected_url = g_strconcat (f->base, "/echo?a=1", NULL);
  g_assert_cmpstr (json_object_get_string_member (output, "url"), ==, expected_url);
}

static void
test_auth_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) unknown = NULL;
  g_autoptr(DecaNodeInvocation) no_field = NULL;
  guint before = f->requests;

  unknown = request (f, "{\"url\": \"BASE/echo\", \"auth\": {\"type\": \"bearer\", \"credential\": \"nope\"}}");
  assert_failure (unknown, DECA_ENGINE_ERROR_CREDENTIAL, "credential 'nope' is not defined");
  no_field = request (f, "{\"url\": \"BASE/echo\", \"auth\": {\"type\": \"bearer\", \"credential\": \"login\"}}");
  assert_failure (no_field, DECA_ENGINE_ERROR_CREDENTIAL, "credential 'login' has no field 'token'");
  g_assert_cmpuint (f->requests, ==, before);
}

/* ---- redirects --------------------------------------------------------------------- */

static void
test_redirects (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) followed = NULL;
  g_autoptr(DecaNodeInvocation) limited = NULL;
  g_autoptr(DecaNodeInvocation) not_followed = NULL;
  g_autoptr(DecaNodeInvocation) not_followed_ok = NULL;
  g_autoptr(DecaNodeInvocation) see_other = NULL;
  g_autoptr(DecaNodeInvocation) temporary = NULL;
  g_autoptr(DecaNodeInvocation) ftp = NULL;
  g_autofree char *final_url = g_strconcat (f->base, "/echo", NULL);
  g_autofree char *posted = NULL;
  JsonObject *output;
  guint before;

  before = f->requests;
  followed = request (f, "{\"url\": \"BASE/redirect/3\"}");
  output = assert_success (followed);
  g_assert_cmpuint (f->requests - before, ==, 5);
  g_assert_cmpstr (f->path, ==, "/echo");
  g_assert_cmpstr (json_object_get_string_member (output, "url"), ==, final_url);

  before = f->requests;
  limited = request (f, "{\"url\": \"BASE/redirect/3\", \"max_redirects\": 2}");
  assert_failure (limited, DECA_ENGINE_ERROR_HTTP, "too many redirects (more than 2)");
  g_assert_cmpuint (f->requests - before, ==, 3);

  not_followed = request (f, "{\"url\": \"BASE/redirect/0\", \"follow_redirects\": false}");
  assert_failure (not_followed, DECA_ENGINE_ERROR_HTTP, "returned 302");
  not_followed_ok = request (f, "{\"url\": \"BASE/redirect/0\", \"follow_redirects\": false, \"fail_on_status\": false}");
  output = assert_success (not_followed_ok);
  g_assert_cmpint (json_object_get_int_member (output, "status"), ==, 302);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (json_object_get_object_member (output, "headers"),
                                                                  "location"), "/echo"));

  /* 303 turns a POST into a GET without a body; 307 repeats it as it was. */
  see_other = request (f, "{\"method\": \"POST\", \"url\": \"BASE/see-other\", \"body\": {\"a\": 1}}");
  assert_success (see_other);
  g_assert_cmpstr (f->method, ==, "GET");
  g_assert_cmpuint (g_bytes_get_size (f->body), ==, 0);
  temporary = request (f, "{\"method\": \"POST\", \"url\": \"BASE/temporary\", \"body\": {\"a\": 1}}");
  assert_success (temporary);
  g_assert_cmpstr (f->method, ==, "POST");
  posted = body_text (f);
  g_assert_cmpstr (posted, ==, "{\"a\":1}");

  ftp = request (f, "{\"url\": \"BASE/ftp\"}");
  assert_failure (ftp, DECA_ENGINE_ERROR_HTTP, "is not an http or https URL");
}

/* A redirect to another origin does not take the credentials along. */
static void
test_redirect_drops_credentials (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = NULL;
  g_autofree char *final_url = g_strconcat (f->other_base, "/echo", NULL);
  JsonObject *output;

  invocation = request (f, "{\"url\": \"BASE/elsewhere\", \"auth\": {\"type\": \"bearer\", \"credential\": \"api\"},"
                           " \"headers\": {\"X-Kept\": \"yes\"}}");
  output = assert_success (invocation);
  g_assert_cmpstr (json_object_get_string_member (output, "url"), ==, final_url);
  g_assert_null (soup_message_headers_get_one (f->headers, "Authorization"));
  g_assert_cmpstr (soup_message_headers_get_one (f->headers, "X-Kept"), ==, "yes");
}

/* ---- responses --------------------------------------------------------------------- */

static void
test_status (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) failed = request (f, "{\"url\": \"BASE/missing\"}");
  g_autoptr(DecaNodeInvocation) tolerated = request (f, "{\"url\": \"BASE/missing\", \"fail_on_status\": false}");
  g_autoptr(DecaNodeInvocation) empty = request (f, "{\"method\": \"DELETE\", \"url\": \"BASE/empty\"}");
  JsonObject *output;

  assert_failure (failed, DECA_ENGINE_ERROR_HTTP, "returned 404 Not Found: not here");
  g_assert_nonnull (strstr (deca_node_invocation_get_error (failed)->message, "/missing"));

  output = assert_success (tolerated);
  g_assert_cmpint (json_object_get_int_member (output, "status"), ==, 404);
  g_assert_cmpstr (json_object_get_string_member (output, "body"), ==, "not here");

  output = assert_success (empty);
  g_assert_cmpint (json_object_get_int_member (output, "status"), ==, 204);
  g_assert_cmpstr (json_object_get_string_member (output, "body"), ==, "");
}

static void
test_response_types (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) text = request (f, "{\"url\": \"BASE/text\"}");
  g_autoptr(DecaNodeInvocation) text_as_json = request (f, "{\"url\": \"BASE/text\", \"response_type\": \"json\"}");
  g_autoptr(DecaNodeInvocation) json_as_text = request (f, "{\"url\": \"BASE/echo\", \"response_type\": \"text\"}");
  g_autoptr(DecaNodeInvocation) bad_json_auto = request (f, "{\"url\": \"BASE/badjson\"}");
  g_autoptr(DecaNodeInvocation) problem = request (f, "{\"url\": \"BASE/problem\"}");
  JsonObject *output;

  output = assert_success (text);
  g_assert_cmpstr (json_object_get_string_member (output, "body"), ==, "hello");
  assert_failure (text_as_json, DECA_ENGINE_ERROR_HTTP, "the response is not valid JSON");
  output = assert_success (json_as_text);
  g_assert_cmpstr (json_object_get_string_member (output, "body"), ==, "{\"method\": \"GET\", \"path\": \"/echo\"}");
  output = assert_success (bad_json_auto);
  g_assert_cmpstr (json_object_get_string_member (output, "body"), ==, "{not json");
  output = assert_success (problem);
  assert_json_equal (json_object_get_member (output, "body"), "{\"title\": \"x\"}");
}

static void
test_body_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = request (f, "{\"url\": \"BASE/big\"}");

  assert_failure (invocation, DECA_ENGINE_ERROR_HTTP, "the response body is larger than 10 MiB");
}

/* ---- time and cancellation --------------------------------------------------------- */

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = request (f, "{\"url\": \"BASE/hang\", \"timeout\": 0.2}");

  g_assert_true (f->hanging);
  assert_failure (invocation, DECA_ENGINE_ERROR_TIMEOUT, "timed out after 0.2 s");
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) invocation = start_request (f, "{\"url\": \"BASE/hang\", \"timeout\": 30}");

  /* Cancel once the server holds the request, so the cancellation hits a live exchange. */
  while (!f->hanging)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (deca_node_invocation_get_outcome (invocation), ==, DECA_INVOCATION_PENDING);
  g_cancellable_cancel (f->cancellable);
  wait_for (invocation);
  assert_failure (invocation, DECA_ENGINE_ERROR_CANCELLED, "was cancelled");
}

/* ---- bad configs ------------------------------------------------------------------- */

static void
test_bad_urls (Fixture       *f,
               gconstpointer  data)
{
  static const struct {
    const char *config;
    const char *error;
  } cases[] = {
    { "{\"url\": \"ftp://127.0.0.1/file\"}", "'url': 'ftp://127.0.0.1/file' is not an http or https URL" },
    { "{\"url\": \"not a url\"}", "'url': 'not a url' is not a valid URL" },
    { "{\"url\": \"http:///path\"}", "has no host" },
    { "{\"url\": 42}", "'url' must be a string, got number" },
    { "{}", "'url' is required" },
  };
  guint before = f->requests;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DecaNodeInvocation) invocation = request (f, cases[i].config);
      const GError *error = deca_node_invocation_get_error (invocation);

      g_test_message ("%s", cases[i].config);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].error) == NULL)
        g_error ("expected \"%s\", got \"%s\"", cases[i].error, error->message);
    }
  g_assert_cmpuint (f->requests, ==, before);
}

static void
test_bad_options (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DecaNodeInvocation) method = request (f, "{\"url\": \"BASE/echo\", \"method\": \"FETCH\"}");
  g_autoptr(DecaNodeInvocation) timeout = request (f, "{\"url\": \"BASE/echo\", \"timeout\": 0}");
  g_autoptr(DecaNodeInvocation) response_type = request (f, "{\"url\": \"BASE/echo\", \"response_type\": \"xml\"}");
  g_autoptr(DecaNodeInvocation) body_type = request (f, "{\"url\": \"BASE/echo\", \"body\": 1, \"body_type\": \"xml\"}");

  assert_failure (method, DECA_ENGINE_ERROR_NODE_FAILED, "'method' must be one of");
  assert_failure (timeout, DECA_ENGINE_ERROR_NODE_FAILED, "'timeout' must be more than 0");
  assert_failure (response_type, DECA_ENGINE_ERROR_NODE_FAILED, "'response_type' must be auto, json or text");
  assert_failure (body_type, DECA_ENGINE_ERROR_NODE_FAILED, "'body_type' must be json, form or raw");
}

static void
test_circuit_key_and_checks (Fixture       *f,
                             gconstpointer  data)
{
  DecaNodeType *type = deca_node_registry_lookup (f->registry, "http");
  static const struct {
    const char *config;
    const char *key;
  } cases[] = {
    { "{\"url\": \"https://API.example.com/v1\"}", "http:api.example.com:443" },
    { "{\"url\": \"http://example.com/\"}", "http:example.com:80" },
    { "{\"url\": \"http://127.0.0.1:8080/x\"}", "http:127.0.0.1:8080" },
    { "{\"url\": \"https://{{input.host}}/x\"}", NULL },
    { "{\"url\": \"nope\"}", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) config = parse_json (cases[i].config);
      g_autofree char *key = deca_node_type_get_circuit_key (type, json_node_get_object (config));

      g_assert_cmpstr (key, ==, cases[i].key);
    }

  {
    g_autoptr(JsonNode) config = parse_json ("{\"url\": \"ftp://x\", \"body_type\": \"form\", \"body\": [1]}");
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);

    deca_node_type_check_config (type, json_node_get_object (config), problems);
    g_assert_cmpuint (problems->len, ==, 2);
    g_assert_cmpstr (((DecaValidationProblem *) problems->pdata[0])->pointer, ==, "/url");
    g_assert_cmpstr (((DecaValidationProblem *) problems->pdata[1])->pointer, ==, "/body");
  }
}

int
main (int   argc,
      char *argv[])
{
  /* The machine's proxy settings must not decide where loopback requests go; the dummy
   * resolver also keeps libproxy (C++, which throws internally) out of sanitizer builds. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/engine/http-node/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("get-with-query", test_get_with_query);
  ADD ("post-json", test_post_json);
  ADD ("post-form", test_post_form);
  ADD ("put-raw", test_put_raw);
  ADD ("headers", test_headers);
  ADD ("auth/bearer-basic-header", test_auth_bearer_basic_header);
  ADD ("auth/query", test_auth_query);
  ADD ("auth/errors", test_auth_errors);
  ADD ("redirects", test_redirects);
  ADD ("redirects/cross-origin", test_redirect_drops_credentials);
  ADD ("status", test_status);
  ADD ("response-types", test_response_types);
  ADD ("body-limit", test_body_limit);
  ADD ("timeout", test_timeout);
  ADD ("cancelled", test_cancelled);
  ADD ("bad-urls", test_bad_urls);
  ADD ("bad-options", test_bad_options);
  ADD ("circuit-key", test_circuit_key_and_checks);

#undef ADD

  return g_test_run ();
}
