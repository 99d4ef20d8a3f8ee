/* test-openapi.c: the server and its OpenAPI document (data/openapi.yaml) agree.
 *
 * - the YAML reader and the schema checker of deca-openapi.c, each rule able to fail;
 * - the document is valid OpenAPI 3.0 (structure, $refs, path parameters, operationIds),
 *   and the copy compiled into libdeca-server is the file;
 * - the routes a server set up as `deca serve` sets it up registers are the document's
 *   operations, both ways;
 * - a scenario calls every operation with an owner's API key, and the error cases (400,
 *   401, 403 with a viewer's key, 404, 409, 413, 422, 429, 503), and checks every answer
 *   against the document; it fails when an operation of the document got no successful
 *   answer;
 * - GET /api/v1/openapi.yaml serves the document without credentials, in-process and from
 *   the real `deca serve` ($DECA_BIN), whose answers match the document too.
 *
 * The server runs in-process on a thread of its own with the real DecaAuthenticator and
 * real API keys in its store. */

#include "config.h"

#include <string.h>

#include <deca-api.h>
#include <deca-api-key.h>
#include <deca-api-openapi.h>
#include <deca-authenticator.h>
#include <deca-clock.h>
#include <deca-rate-limit.h>
#include <deca-secret-box.h>
#include <deca-server.h>
#include <deca-server-triggers.h>
#include <deca-store-server.h>

#include "deca-openapi.h"
#include "deca-server-test.h"
#include "deca-test-fs.h"

#define WS_A "ws-a"
#define WS_B "ws-b"
#define KEY_LINE "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/* Small, so that a 413 needs no megabyte. */
#define MAX_BODY 16384

typedef struct {
  DecaTestServer *test;
  gboolean rate_limited;    /* a limiter of one request per caller, on a manual clock */
  gboolean failing_health;  /* a health check that fails */
  char *owner_key;          /* an owner of WS_A */
  char *viewer_key;         /* a viewer of WS_A */
  char *other_key;          /* an owner of WS_B */
  /* The routes the server registered, as "METHOD PATTERN" ({rest*} as {rest}). */
  GPtrArray *routes;
  DecaOpenApi *doc;
  /* What the scenario checked: "METHOD TEMPLATE STATUS". */
  GHashTable *checked;
} Fixture;

/* --- the server thread -------------------------------------------------------------- */

static void
collect_route_cb (const DecaRoute *route,
                  gpointer         user_data)
{
  GPtrArray *routes = user_data;
  g_autoptr(GString) pattern = g_string_new (deca_route_get_pattern (route));

  /* A rest parameter is one path parameter to OpenAPI. */
  g_string_replace (pattern, "*}", "}", 0);
  g_ptr_array_add (routes, g_strdup_printf ("%s %s", deca_route_get_method (route), pattern->str));
}

static gboolean
failing_health_cb (gpointer   user_data,
                   GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the test's dependency is down");
  return FALSE;
}

/* On the server thread: what `deca serve` registers (app/deca-cli-serve.c), through the
 * same call, on a store with two workspaces and the test's keys. */
static void
server_setup (DecaTestServer *test,
              DecaServer     *server,
              gpointer        user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new ((gint64) 1796000000 * G_USEC_PER_SEC);
  g_autoptr(DecaSecretBox) box = deca_secret_box_new ();
  DecaAuthenticator *authenticator;
  DecaApiOptions api_options = { 0 };
  DecaStore *store = deca_server_get_store (server);

  g_assert_true (deca_store_create_workspace (store, WS_A, "Team A", &error));
  g_assert_true (deca_store_create_workspace (store, WS_B, "Team B", &error));
  g_assert_true (deca_store_set_member (store, WS_A, "alice", "owner", &error));
  g_assert_no_error (error);
  fixture->owner_key = deca_test_add_key (store, WS_A, "owner");
  fixture->viewer_key = deca_test_add_key (store, WS_A, "viewer");
  fixture->other_key = deca_test_add_key (store, WS_B, "owner");

  authenticator = deca_test_server_install_authenticator (test);
  if (fixture->rate_limited)
    {
      g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (1.0, 1, DECA_CLOCK (clock));

      deca_authenticator_set_rate_limiter (authenticator, limiter);
    }
  g_assert_true (deca_secret_box_load_keys (box, KEY_LINE, &error));
  api_options.secret_box = box;
  deca_test_server_register_all (test, &api_options);
  if (fixture->failing_health)
    deca_server_add_health_check (server, "test", failing_health_cb, NULL, NULL);

  deca_router_foreach_route (deca_server_get_router (server), collect_route_cb, fixture->routes);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *variant = data;
  DecaTestServerOptions options = { .max_body_size = MAX_BODY, .setup = server_setup, .user_data = fixture };

  fixture->rate_limited = g_strcmp0 (variant, "rate-limited") == 0;
  fixture->failing_health = g_strcmp0 (variant, "failing-health") == 0;
  fixture->routes = g_ptr_array_new_with_free_func (g_free);
  fixture->checked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fixture->doc = deca_openapi_new_builtin (&error);
  g_assert_no_error (error);
  fixture->test = deca_test_server_new ("openapi", &options);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_server_free (fixture->test);
  deca_openapi_free (fixture->doc);
  g_hash_table_unref (fixture->checked);
  g_ptr_array_unref (fixture->routes);
  g_free (fixture->owner_key);
  g_free (fixture->viewer_key);
  g_free (fixture->other_key);
}

/* --- HTTP --------------------------------------------------------------------------- */

/* Sends @method @path with the API key @key (NULL: none) and @body (JSON text or
 * anything, nullable), plus header name, value pairs (NULL-terminated); checks the
 * answer against the document and records it as checked. Returns the status; *@out
 * (nullable; NULL or a previous answer, which is freed) gets the parsed JSON body (NULL
 * when empty). */
static guint
call (Fixture     *fixture,
      const char  *key,
      const char  *method,
      const char  *path,
      const char  *body,
      JsonNode   **out,
      ...)
{
  g_autofree char *uri = g_strconcat (fixture->test->uri, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, uri);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *template, *name;
  gsize length;
  va_list args;
  guint status;

  g_assert_nonnull (message);
  if (key != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", authorization);
    }
  va_start (args, out);
  while ((name = va_arg (args, const char *)) != NULL)
    soup_message_headers_append (soup_message_get_request_headers (message), name, va_arg (args, const char *));
  va_end (args);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  response = soup_session_send_and_read (fixture->test->session, message, NULL, &error);
  g_assert_no_error (error);
  status = soup_message_get_status (message);
  /* Error answers only: a created API key's answer holds the key. */
  if (status >= 400)
    g_test_message ("%s %s: %u %.*s", method, path, status, (int) MIN (g_bytes_get_size (response), 400),
                    (const char *) g_bytes_get_data (response, NULL));

  if (!deca_openapi_check_message (fixture->doc, message, response, &error))
    g_error ("%s %s answered %u, not as documented: %s", method, path, status, error->message);
  /* What the server took, the document must take too (webhooks take any body). */
  if (status >= 200 && status < 300 && !g_str_has_prefix (path, "/webhook/"))
    {
      g_autoptr(JsonNode) sent = body != NULL ? json_from_string (body, NULL) : NULL;

      if (!deca_openapi_check_request (fixture->doc, method, path, sent, &error))
        g_error ("%s %s was taken (%u), but the document refuses it: %s", method, path, status, error->message);
    }
  template = deca_openapi_match_path (fixture->doc, path);
  g_assert_nonnull (template);
  g_hash_table_add (fixture->checked, g_strdup_printf ("%s %s %u", method, template, status));

  if (out != NULL)
    {
      const char *data = g_bytes_get_data (response, &length);

      /* The body of a previous call in the same variable goes. */
      g_clear_pointer (out, json_node_unref);
      if (length > 0 && g_str_has_prefix (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                                         "Content-Type"), "application/json"))
        {
          g_autoptr(JsonParser) parser = json_parser_new ();

          g_assert_true (json_parser_load_from_data (parser, data, (gssize) length, &error));
          g_assert_no_error (error);
          *out = json_node_ref (json_parser_get_root (parser));
        }
    }
  return status;
}

#define CALL(fixture, key, method, path, body) call (fixture, key, method, path, body, NULL, NULL)
#define CALL_OUT(fixture, key, method, path, body, out) call (fixture, key, method, path, body, out, NULL)

static const char *
string_of (JsonNode   *node,
           const char *member)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_string_member (json_node_get_object (node), member);
}

static const char *
error_code (JsonNode *node)
{
  g_assert_nonnull (node);
  return json_object_get_string_member (json_object_get_object_member (json_node_get_object (node), "error"), "code");
}

/* --- the YAML reader and the checker ------------------------------------------------ */

static void
assert_yaml (const char *yaml,
             const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = deca_yaml_to_json (yaml, -1, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==, json);
}

static void
test_yaml (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  assert_yaml ("a: 1\nb: -0x1f\nc: 010\nd: 1_000\n", "{\"a\":1,\"b\":-31,\"c\":8,\"d\":1000}");
  assert_yaml ("[true, False, yes, off, null, ~, '', 'true', \"1\", 1.5, .5, 3., x1]",
               "[true,false,true,false,null,null,\"\",\"true\",\"1\",1.5,0.5,3.0,\"x1\"]");
  assert_yaml ("k:\n", "{\"k\":null}");
  /* Response codes as keys stay strings, quoted or not; so do block scalars. */
  assert_yaml ("200: {a: b}\n'404': c\n", "{\"200\":{\"a\":\"b\"},\"404\":\"c\"}");
  assert_yaml ("d: |\n  line 1\n  true\n", "{\"d\":\"line 1\\ntrue\\n\"}");
  /* A tag of its own keeps the text. */
  assert_yaml ("a: !text 12\n", "{\"a\":\"12\"}");
  /* Aliases are copies of their anchor. */
  assert_yaml ("a: &x {b: 1}\nc: *x\n", "{\"a\":{\"b\":1},\"c\":{\"b\":1}}");

  node = deca_yaml_to_json ("a: 1\na: 2\n", -1, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_assert_null (node);
  g_clear_error (&error);
  node = deca_yaml_to_json ("a: [1, 2\n", -1, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (node);
}

static const char *checker_doc =
  "openapi: 3.0.3\n"
  "info: {title: t, version: '1'}\n"
  "paths: {}\n"
  "components:\n"
  "  schemas:\n"
  "    Thing:\n"
  "      type: object\n"
  "      additionalProperties: false\n"
  "      required: [id, at, kind, count]\n"
  "      properties:\n"
  "        id: {type: string, minLength: 2, maxLength: 4, pattern: '^[a-z]+$'}\n"
  "        at: {type: string, format: date-time}\n"
  "        kind: {type: string, enum: [a, b]}\n"
  "        count: {type: integer, format: int64, minimum: 1, maximum: 9}\n"
  "        note: {type: string, nullable: true}\n"
  "        tags: {type: array, maxItems: 2, items: {type: string}}\n"
  "        extra: {type: object, additionalProperties: {type: boolean}}\n"
  "        either:\n"
  "          oneOf: [{type: string}, {type: integer}]\n"
  "        both:\n"
  "          allOf: [{$ref: '#/components/schemas/Named'}, {required: [size]}]\n"
  "    Named:\n"
  "      type: object\n"
  "      required: [name]\n";

static void
assert_invalid (DecaOpenApi *doc,
                const char  *json,
                const char  *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) instance = json_from_string (json, &error);
  JsonNode *schema = json_object_get_member (json_object_get_object_member (json_object_get_object_member (
      json_node_get_object (deca_openapi_get_root (doc)), "components"), "schemas"), "Thing");

  g_assert_no_error (error);
  g_assert_false (deca_openapi_validate (doc, schema, instance, "", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  if (strstr (error->message, expected) == NULL)
    g_error ("for %s: expected “%s” in “%s”", json, expected, error->message);
}

static void
test_checker (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaOpenApi) doc = deca_openapi_new_from_data (checker_doc, -1, &error);
  g_autoptr(JsonNode) good = NULL;
  JsonNode *schema;

  g_assert_no_error (error);
  schema = json_object_get_member (json_object_get_object_member (json_object_get_object_member (
      json_node_get_object (deca_openapi_get_root (doc)), "components"), "schemas"), "Thing");
  good = json_from_string ("{\"id\": \"abc\", \"at\": \"2026-12-01T16:34:28.123Z\", \"kind\": \"a\", \"count\": 3,"
                           " \"note\": null, \"tags\": [\"x\"], \"extra\": {\"f\": true}, \"either\": 2,"
                           " \"both\": {\"name\": \"n\", \"size\": 1}}", &error);
  g_assert_no_error (error);
  g_assert_true (deca_openapi_validate (doc, schema, good, "", &error));
  g_assert_no_error (error);

  /* Each rule, failing, names the pointer and the rule. */
  assert_invalid (doc, "{\"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1}", "at \"\": required: no member \"id\"");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1, \"ID\": 1}",
                  "at \"/ID\": additionalProperties");
  assert_invalid (doc, "{\"id\": 5, \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1}", "at \"/id\": type");
  assert_invalid (doc, "{\"id\": \"a\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1}", "/id\": minLength");
  assert_invalid (doc, "{\"id\": \"abcde\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1}", "/id\": maxLength");
  assert_invalid (doc, "{\"id\": \"AB\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1}", "/id\": pattern");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"1 Dec 2026\", \"kind\": \"a\", \"count\": 1}", "/at\": format");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"c\", \"count\": 1}", "/kind\": enum");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 0}", "/count\": minimum");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 10}", "/count\": maximum");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1.5}", "/count\": type");
  assert_invalid (doc, "{\"id\": null, \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1}", "/id\": nullable");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1, \"tags\": [\"x\", 2]}",
                  "/tags/1\": type");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1, \"tags\": [\"x\", \"y\", \"z\"]}",
                  "/tags\": maxItems");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1, \"extra\": {\"a~/b\": 1}}",
                  "/extra/a~0~1b\": type");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1, \"either\": true}",
                  "/either\": oneOf");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1, \"both\": {\"size\": 1}}",
                  "/both\": required: no member \"name\"");
  assert_invalid (doc, "{\"id\": \"ab\", \"at\": \"2026-12-01T00:00:00Z\", \"kind\": \"a\", \"count\": 1, \"both\": {\"name\": \"n\"}}",
                  "/both\": required: no member \"size\"");
}

/* A document with one of each structural mistake: each must be reported. */
static const char *broken_doc =
  "openapi: 3.1.0\n"
  "info: {title: t}\n"
  "tags: [{name: known}]\n"
  "paths:\n"
  "  /things/{id}:\n"
  "    get:\n"
  "      operationId: getThing\n"
  "      tags: [unknown]\n"
  "      responses:\n"
  "        '200': {$ref: '#/components/responses/Missing'}\n"
  "    put:\n"
  "      operationId: getThing\n"
  "      parameters:\n"
  "        - {name: id, in: path, required: true, schema: {type: string}}\n"
  "        - {name: other, in: path, required: true, schema: {type: string}}\n"
  "      responses: {}\n"
  "    fetch:\n"
  "      responses: {'200': {description: x}}\n"
  "  things:\n"
  "    post:\n"
  "      operationId: postThing\n"
  "      security: [{nothing: []}]\n"
  "      responses: {'2000': {description: x}, '201': {}}\n"
  "components:\n"
  "  schemas:\n"
  "    Closed: {type: object, additionalProperties: false, required: [a], properties: {b: {type: string}}}\n";

static void
test_structure (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaOpenApi) builtin = deca_openapi_new_builtin (&error);
  g_autoptr(DecaOpenApi) broken = NULL;
  g_autoptr(GBytes) compiled = deca_api_openapi_get_document ();
  g_autofree char *source = NULL;
  gsize length;
  const char *expected[] = {
    "/openapi: not 3.0.x",
    "/info: needs a title and a version",
    "/paths/~1things~1{id}/get/responses/200: $ref #/components/responses/Missing does not resolve",
    "/paths/~1things~1{id}/get: path parameter id is not declared",
    "/paths/~1things~1{id}/get/tags/0: not a tag of /tags",
    "/paths/~1things~1{id}/put: an operation needs responses",
    "/paths/~1things~1{id}/put: operationId getThing is /paths/~1things~1{id}/get's already",
    "/paths/~1things~1{id}/put: path parameter other is not in the template",
    "/paths/~1things~1{id}/fetch: not a member of a path item",
    "/paths/things: a path template starts with /",
    "/paths/things/post/responses/2000: not a status code",
    "/paths/things/post/responses/201: a response needs a description",
    "/paths/things/post: security scheme nothing is not in components",
    "/components/schemas/Closed: requires a, which its properties do not have",
  };

  g_assert_no_error (error);
  g_assert_true (deca_openapi_check_structure (builtin, &error));
  g_assert_no_error (error);

  /* The document the server carries is the file as it is in the tree. */
  g_assert_true (g_file_get_contents (g_getenv ("DECA_OPENAPI_SOURCE"), &source, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (compiled, NULL), g_bytes_get_size (compiled), source, length);

  broken = deca_openapi_new_from_data (broken_doc, -1, &error);
  g_assert_no_error (error);
  g_assert_false (deca_openapi_check_structure (broken, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (error->message, expected[i]) == NULL)
      g_error ("“%s” is not among the problems found:\n%s", expected[i], error->message);
}

/* check_response: undocumented paths, methods, statuses and content types are errors;
 * the most specific template wins; HEAD takes GET's. */
static void
test_check_response (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaOpenApi) doc = deca_openapi_new_builtin (&error);
  g_autoptr(JsonNode) not_found = json_from_string ("{\"error\": {\"code\": \"not_found\", \"message\": \"m\", "
                                                    "\"details\": null}}", NULL);
  g_autoptr(JsonNode) misnamed = json_from_string ("{\"error\": {\"code\": \"not_found\", \"msg\": \"m\", "
                                                   "\"details\": null}}", NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (deca_openapi_match_path (doc, "/api/v1/flows/x/versions/2?x=1"), ==,
                   "/api/v1/flows/{id}/versions/{version}");
  g_assert_cmpstr (deca_openapi_match_path (doc, "/api/v1/flows/x/activate"), ==, "/api/v1/flows/{id}/activate");
  g_assert_null (deca_openapi_match_path (doc, "/api/v1/flows/x/y/z/w"));
  g_assert_null (deca_openapi_match_path (doc, "/api/v1/flows/"));
  /* A rest parameter (x-deca-rest) takes one or more whole segments. */
  g_assert_cmpstr (deca_openapi_match_path (doc, "/webhook/ws/a"), ==, "/webhook/{workspace}/{path}");
  g_assert_cmpstr (deca_openapi_match_path (doc, "/webhook/ws/a/b/c"), ==, "/webhook/{workspace}/{path}");
  g_assert_null (deca_openapi_match_path (doc, "/webhook/ws"));
  g_assert_null (deca_openapi_match_path (doc, "/webhook/ws/a//c"));
  g_assert_true (deca_openapi_check_response (doc, "POST", "/webhook/ws/a/b", 418, "text/html", NULL, &error));
  g_assert_no_error (error);

  g_assert_true (deca_openapi_check_response (doc, "GET", "/api/v1/flows/x", 404, "application/json", not_found,
                                              &error));
  g_assert_no_error (error);
  g_assert_true (deca_openapi_check_response (doc, "HEAD", "/api/v1/flows/x", 404, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (deca_openapi_check_response (doc, "GET", "/api/v1/flows/x", 404, "application/json", misnamed,
                                               &error));
  g_assert_nonnull (strstr (error->message, "at \"/error\": required: no member \"message\""));
  g_clear_error (&error);
  g_assert_false (deca_openapi_check_response (doc, "GET", "/api/v1/nothing", 200, "application/json", not_found,
                                               &error));
  g_assert_nonnull (strstr (error->message, "no such path"));
  g_clear_error (&error);
  g_assert_false (deca_openapi_check_response (doc, "PATCH", "/api/v1/flows/x", 404, "application/json", not_found,
                                               &error));
  g_assert_nonnull (strstr (error->message, "no PATCH"));
  g_clear_error (&error);
  /* The router's 404 and 405, in the error shape, are what the document promises. */
  g_assert_true (deca_openapi_check_response (doc, "GET", "/api/v1/nothing", 404, "application/json", not_found,
                                              &error));
  g_assert_true (deca_openapi_check_response (doc, "PATCH", "/api/v1/flows/x", 405, "application/json", not_found,
                                              &error));
  g_assert_no_error (error);
  g_assert_false (deca_openapi_check_response (doc, "PATCH", "/api/v1/flows/x", 405, "application/json", misnamed,
                                               &error));
  g_assert_nonnull (strstr (error->message, "the router's answer at \"/error\": required"));
  g_clear_error (&error);
  g_assert_false (deca_openapi_check_response (doc, "GET", "/api/v1/flows/x", 405, "application/json", not_found,
                                               &error));
  g_assert_nonnull (strstr (error->message, "status 405 is not documented"));
  g_clear_error (&error);
  g_assert_false (deca_openapi_check_response (doc, "GET", "/api/v1/flows/x", 418, "application/json", not_found,
                                               &error));
  g_assert_nonnull (strstr (error->message, "status 418 is not documented"));
  g_clear_error (&error);
  g_assert_false (deca_openapi_check_response (doc, "GET", "/api/v1/flows/x", 404, "text/html", NULL, &error));
  g_assert_nonnull (strstr (error->message, "text/html is not a content type"));
  g_clear_error (&error);
  g_assert_false (deca_openapi_check_response (doc, "GET", "/api/v1/flows/x", 404, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "an empty answer"));
  g_clear_error (&error);
  g_assert_false (deca_openapi_check_response (doc, "DELETE", "/api/v1/flows/x", 204, "application/json", not_found,
                                               &error));
  g_assert_nonnull (strstr (error->message, "application/json is not a content type"));
  g_clear_error (&error);

  /* Request bodies: the schema, required or not, none allowed. */
  {
    g_autoptr(JsonNode) credential = json_from_string ("{\"name\": \"a\", \"type\": \"basic\", \"secret\": {\"u\": \"v\"}}", NULL);
    g_autoptr(JsonNode) extra = json_from_string ("{\"name\": \"a\", \"type\": \"basic\", \"secret\": {\"u\": \"v\"}, \"key_id\": \"k\"}", NULL);

    g_assert_true (deca_openapi_check_request (doc, "POST", "/api/v1/credentials", credential, &error));
    g_assert_no_error (error);
    g_assert_false (deca_openapi_check_request (doc, "POST", "/api/v1/credentials", extra, &error));
    g_assert_nonnull (strstr (error->message, "at \"/key_id\": additionalProperties"));
    g_clear_error (&error);
    g_assert_false (deca_openapi_check_request (doc, "POST", "/api/v1/credentials", NULL, &error));
    g_assert_nonnull (strstr (error->message, "requires one"));
    g_clear_error (&error);
    g_assert_false (deca_openapi_check_request (doc, "DELETE", "/api/v1/credentials/x", credential, &error));
    g_assert_nonnull (strstr (error->message, "where the document has none"));
    g_clear_error (&error);
    g_assert_true (deca_openapi_check_request (doc, "POST", "/api/v1/flows/x/validate", NULL, &error));
    g_assert_no_error (error);
  }
}

/* --- routes ------------------------------------------------------------------------- */

static void
test_routes (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) operations = deca_openapi_list_operations (fixture->doc);
  g_autoptr(GHashTable) documented = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) registered = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) missing = g_string_new (NULL);

  for (guint i = 0; i < operations->len; i++)
    g_hash_table_add (documented, g_ptr_array_index (operations, i));
  for (guint i = 0; i < fixture->routes->len; i++)
    {
      g_hash_table_add (registered, g_ptr_array_index (fixture->routes, i));
      if (!g_hash_table_contains (documented, g_ptr_array_index (fixture->routes, i)))
        g_string_append_printf (missing, "  the server has %s, the document does not\n",
                                (const char *) g_ptr_array_index (fixture->routes, i));
    }
  for (guint i = 0; i < operations->len; i++)
    if (!g_hash_table_contains (registered, g_ptr_array_index (operations, i)))
      g_string_append_printf (missing, "  the document has %s, the server does not\n",
                              (const char *) g_ptr_array_index (operations, i));
  if (missing->len > 0)
    g_error ("the server's routes and the OpenAPI document differ:\n%s", missing->str);
  g_assert_cmpuint (operations->len, ==, fixture->routes->len);
}

/* --- the scenario ------------------------------------------------------------------- */

static const char *chain_flow =
  "{\"id\": \"chain\", \"name\": \"Chain\", \"nodes\": ["
  " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.start}}\"}}},"
  " {\"id\": \"b\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{a.n + 1}}\"}}}],"
  " \"connections\": [{\"from\": \"a\", \"to\": \"b\"}]}";

static const char *approval_flow =
  "{\"id\": \"appr\", \"name\": \"Approval\", \"version\": 3, \"settings\": {\"parallelism\": 2}, \"nodes\": ["
  " {\"id\": \"ask\", \"type\": \"approval\", \"config\": {\"message\": \"Refund {{input.amount}}?\"}},"
  " {\"id\": \"refund\", \"type\": \"transform\", \"config\": {\"set\": {\"done\": true}}}],"
  " \"connections\": [{\"from\": \"ask\", \"to\": \"refund\", \"from_port\": \"approved\"}]}";

static const char *failing_flow =
  "{\"id\": \"fails\", \"name\": \"Fails\", \"nodes\": ["
  " {\"id\": \"boom\", \"type\": \"http\", \"config\": {\"url\": \"http://127.0.0.1:1/\", \"method\": \"GET\"}}]}";

/* Starts @flow_id with ?wait=true (an approval flow pauses); returns (transfer full) the
 * execution's id. */
static char *
run (Fixture    *fixture,
     const char *flow_id,
     const char *body)
{
  g_autoptr(JsonNode) execution = NULL;
  g_autofree char *path = g_strdup_printf ("/api/v1/flows/%s/execute?wait=true", flow_id);

  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "POST", path, body, &execution), ==, 200);
  return g_strdup (string_of (execution, "id"));
}

static void
scenario_service (Fixture *fixture)
{
  g_autoptr(JsonNode) body = NULL;

  g_assert_cmpuint (CALL_OUT (fixture, NULL, "GET", "/health", NULL, &body), ==, 200);
  g_assert_cmpstr (string_of (body, "status"), ==, "ok");
  g_assert_cmpuint (CALL (fixture, NULL, "GET", "/metrics", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, NULL, "GET", "/api/v1/openapi.yaml", NULL), ==, 200);
}

static void
scenario_access (Fixture *fixture)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *revoke = NULL;

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_A, NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_B, NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, NULL, "GET", "/api/v1/workspaces", NULL), ==, 401);
  g_assert_cmpuint (CALL (fixture, "deca_not-a-key", "GET", "/api/v1/workspaces/" WS_A, NULL), ==, 401);

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", "/api/v1/workspaces/" WS_A "/members/carol",
                          "{\"role\": \"developer\", \"display_name\": \"Carol\"}"), ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", "/api/v1/workspaces/" WS_A "/members/carol",
                          "{\"role\": \"viewer\"}"), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", "/api/v1/workspaces/" WS_A "/members/carol",
                          "{\"role\": \"king\"}"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", "/api/v1/workspaces/" WS_A "/members/alice",
                          "{\"role\": \"viewer\"}"), ==, 409);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_A "/members", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_A "/members/carol", NULL),
                    ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_A "/members/nobody", NULL),
                    ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "GET", "/api/v1/workspaces/" WS_A "/members", NULL), ==, 403);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "DELETE", "/api/v1/workspaces/" WS_A "/members/carol", NULL),
                    ==, 204);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "DELETE", "/api/v1/workspaces/" WS_A "/members/alice", NULL),
                    ==, 409);

  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "POST", "/api/v1/workspaces/" WS_A "/api-keys",
                              "{\"name\": \"ci\", \"role\": \"executor\", \"scopes\": [\"read:flows\"]}", &body),
                    ==, 201);
  revoke = g_strdup_printf ("/api/v1/workspaces/" WS_A "/api-keys/%s", string_of (body, "id"));
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/workspaces/" WS_A "/api-keys",
                          "{\"name\": \"ci\", \"role\": \"executor\", \"scopes\": [\"fly\"]}"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_A "/api-keys", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "DELETE", revoke, NULL), ==, 204);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "DELETE", "/api/v1/workspaces/" WS_A "/api-keys/none", NULL),
                    ==, 404);

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_A "/audit?limit=2", NULL),
                    ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_A "/audit", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_A "/audit?limit=0", NULL),
                    ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "GET", "/api/v1/workspaces/" WS_A "/audit", NULL), ==, 403);
}

static void
scenario_flows (Fixture *fixture)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GString) big = g_string_new ("{\"id\": \"big\", \"name\": \"");

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows", chain_flow), ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows", approval_flow), ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows", failing_flow), ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows", chain_flow), ==, 409);
  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "POST", "/api/v1/flows",
                              "{\"id\": \"bad\", \"nodes\": [{\"id\": \"x\", \"type\": \"no-such-type\"}]}", &body),
                    ==, 422);
  g_assert_cmpstr (error_code (body), ==, "unprocessable");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows", "{\"id\": "), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows", "[1]"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "POST", "/api/v1/flows", approval_flow), ==, 403);
  /* Larger than the server's --max-body. */
  while (big->len < MAX_BODY + 1)
    g_string_append (big, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  g_string_append (big, "\"}");
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows", big->str), ==, 413);

  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "GET", "/api/v1/flows?limit=1", NULL, &body), ==, 200);
  g_assert_nonnull (string_of (body, "next_cursor"));
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows?active=false", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows?limit=many", NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "GET", "/api/v1/flows", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows/chain", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows/nothing", NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->other_key, "GET", "/api/v1/flows/chain", NULL), ==, 404);

  g_assert_cmpuint (call (fixture, fixture->owner_key, "PUT", "/api/v1/flows/chain",
                          "{\"name\": \"Chain 2\", \"nodes\": [{\"id\": \"a\", \"type\": \"transform\", "
                          "\"config\": {\"set\": {\"n\": \"{{input.start}}\"}}}]}", NULL, "If-Match", "\"1\"", NULL),
                    ==, 200);
  g_assert_cmpuint (call (fixture, fixture->owner_key, "PUT", "/api/v1/flows/chain", chain_flow, NULL,
                          "If-Match", "\"1\"", NULL), ==, 409);
  g_assert_cmpuint (call (fixture, fixture->owner_key, "PUT", "/api/v1/flows/chain", chain_flow, NULL,
                          "If-Match", "latest", NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", "/api/v1/flows/chain", chain_flow), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", "/api/v1/flows/chain",
                          "{\"nodes\": [{\"id\": \"x\", \"type\": \"no-such-type\"}]}"), ==, 422);
  /* Another id in the body: 400 for a flow that is there, 404 for one that is not. */
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", "/api/v1/flows/chain", approval_flow), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", "/api/v1/flows/nothing", chain_flow), ==, 404);

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows/chain/versions", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows/nothing/versions", NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows/chain/versions/1", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows/chain/versions/first", NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows/chain/versions/99", NULL), ==, 404);

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/chain/activate", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows?active=true", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/chain/deactivate", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "POST", "/api/v1/flows/chain/activate", NULL), ==, 403);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/nothing/deactivate", NULL), ==, 404);

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/chain/validate", NULL), ==, 200);
  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "POST", "/api/v1/flows/chain/validate",
                              "{\"id\": \"chain\", \"nodes\": [{\"id\": \"x\", \"type\": \"no-such-type\"}]}", &body),
                    ==, 200);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (body), "valid"));
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/chain/validate", "3"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/nothing/validate", NULL), ==, 404);
}

static void
scenario_executions (Fixture *fixture)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *done = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *paused = NULL;
  g_autofree char *path = NULL;

  done = run (fixture, "chain", "{\"input\": {\"start\": 1}}");
  failed = run (fixture, "fails", NULL);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/chain/execute",
                          "{\"input\": {\"start\": 2}}"), ==, 202);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/chain/execute",
                          "{\"input\": [1]}"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/chain/execute?wait=maybe", NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/nothing/execute", NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "POST", "/api/v1/flows/chain/execute", NULL), ==, 403);

  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "GET", "/api/v1/executions?limit=1", NULL, &body), ==, 200);
  g_assert_nonnull (string_of (body, "next_cursor"));
  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "GET", "/api/v1/executions?status=failed&flow_id=fails", NULL,
                              &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (body), "items")), ==, 1);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "GET", "/api/v1/executions?trigger=retry", NULL, &body), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/executions?trigger=api", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/executions?trigger=telepathy", NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/executions?status=sleeping", NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/executions?cursor=none", NULL), ==, 400);

  path = g_strdup_printf ("/api/v1/executions/%s", done);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 200);
  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s", failed);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->other_key, "GET", path, NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/executions/none", NULL), ==, 404);

  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s/cancel", done);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, NULL), ==, 409);
  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s/retry", done);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, NULL), ==, 202);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, "[]"), ==, 400);
  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s/resume", done);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, "{\"from_node\": \"b\"}"), ==, 202);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, "{\"from_node\": \"nope\"}"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, "{}"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/executions/none/resume",
                          "{\"from_node\": \"b\"}"), ==, 404);

  /* Approvals: approve one, reject one, cancel one; a decided one is a 409. */
  paused = run (fixture, "appr", "{\"input\": {\"amount\": 5}}");
  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s/retry", paused);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, NULL), ==, 409);
  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s/approve", paused);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, "{\"node\": 1}"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, "{\"comment\": \"ok\"}"), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, NULL), ==, 409);
  g_free (paused);
  paused = run (fixture, "appr", "{\"input\": {\"amount\": 6}}");
  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s/reject", paused);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, "{\"node\": \"ask\"}"), ==, 200);
  g_free (paused);
  paused = run (fixture, "appr", "{\"input\": {\"amount\": 7}}");
  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s/cancel", paused);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", path, NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "POST", path, NULL), ==, 403);

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "DELETE", "/api/v1/flows/appr", NULL), ==, 204);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "DELETE", "/api/v1/flows/appr", NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "DELETE", "/api/v1/flows/chain", NULL), ==, 403);
}

static void
scenario_credentials (Fixture *fixture)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "POST", "/api/v1/credentials",
                              "{\"name\": \"openai\", \"type\": \"api_key\", \"secret\": {\"api_key\": \"sk-1\"}}",
                              &body), ==, 201);
  path = g_strdup_printf ("/api/v1/credentials/%s", string_of (body, "id"));
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/credentials",
                          "{\"name\": \"openai\", \"type\": \"api_key\", \"secret\": {\"api_key\": \"sk-2\"}}"),
                    ==, 409);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/credentials",
                          "{\"name\": \"9lives\", \"type\": \"api_key\", \"secret\": {\"api_key\": \"sk-2\"}}"),
                    ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "POST", "/api/v1/credentials",
                          "{\"name\": \"x\", \"type\": \"api_key\", \"secret\": {\"api_key\": \"sk-2\"}}"), ==, 403);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/credentials", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->other_key, "GET", path, NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", path, "{\"revision\": 1, \"name\": \"openai2\"}"), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", path, "{\"revision\": 1, \"type\": \"basic\"}"), ==, 409);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", path, "{\"revision\": \"two\"}"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", "/api/v1/credentials/none", "{\"revision\": 1}"), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "DELETE", path, NULL), ==, 403);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "DELETE", path, NULL), ==, 204);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "DELETE", path, NULL), ==, 404);
}

/* One kind of the library: @plural ("agents"), a valid document @document of id @id,
 * and an invalid one. */
static void
scenario_library_kind (Fixture    *fixture,
                       const char *plural,
                       const char *id,
                       const char *document,
                       const char *invalid)
{
  g_autofree char *collection = g_strdup_printf ("/api/v1/%s", plural);
  g_autofree char *item = g_strdup_printf ("/api/v1/%s/%s", plural, id);
  g_autofree char *versions = g_strdup_printf ("/api/v1/%s/%s/versions", plural, id);
  g_autofree char *path = NULL;
  g_autoptr(GString) renamed = g_string_new (document);

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", collection, document), ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", collection, document), ==, 409);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", collection, invalid), ==, 422);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "POST", collection, document), ==, 403);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", collection, NULL), ==, 200);
  path = g_strdup_printf ("%s?name=e&limit=1", collection);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 200);
  g_free (path);
  path = g_strdup_printf ("%s?limit=0", collection);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", item, NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->other_key, "GET", item, NULL), ==, 404);

  /* A second version, then a stale If-Match. */
  g_string_replace (renamed, "\"name\": \"", "\"name\": \"New ", 1);
  g_assert_cmpuint (call (fixture, fixture->owner_key, "PUT", item, renamed->str, NULL, "If-Match", "\"1\"", NULL),
                    ==, 200);
  g_assert_cmpuint (call (fixture, fixture->owner_key, "PUT", item, document, NULL, "If-Match", "\"1\"", NULL),
                    ==, 409);
  g_assert_cmpuint (call (fixture, fixture->owner_key, "PUT", item, document, NULL, "If-Match", "new", NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", item, invalid), ==, 422);
  g_free (path);
  /* The document's id is another than the path's: 404 for an item that is not there. */
  path = g_strdup_printf ("/api/v1/%s/nothing", plural);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "PUT", path, document), ==, 404);
  g_free (path);
  path = g_strdup_printf ("%s?version=1", item);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 200);
  g_free (path);
  path = g_strdup_printf ("%s?version=first", item);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 400);
  g_free (path);
  path = g_strdup_printf ("%s?version=99", item);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", versions, NULL), ==, 200);
  g_free (path);
  path = g_strdup_printf ("/api/v1/%s/nothing/versions", plural);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 404);

  g_assert_cmpuint (call (fixture, fixture->owner_key, "DELETE", item, NULL, NULL, "If-Match", "\"1\"", NULL), ==, 409);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "DELETE", item, NULL), ==, 403);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "DELETE", item, NULL), ==, 204);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", item, NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "DELETE", item, NULL), ==, 404);
}

static void
scenario_library (Fixture *fixture)
{
  scenario_library_kind (fixture, "agents", "helper",
                         "{\"id\": \"helper\", \"name\": \"Helper\", \"model\": {\"provider\": \"openai\", \"name\": \"gpt-4\"}}",
                         "{\"id\": \"helper\", \"name\": \"Helper\", \"model\": {}, \"systm_prompt\": \"x\"}");
  scenario_library_kind (fixture, "prompts", "greet",
                         "{\"id\": \"greet\", \"name\": \"Greet\", \"template\": \"Hello {{name}}\","
                         " \"variables\": {\"name\": {\"type\": \"string\"}}}",
                         "{\"id\": \"greet\", \"name\": \"Greet\"}");
  scenario_library_kind (fixture, "functions", "check",
                         "{\"id\": \"check\", \"name\": \"Check\", \"language\": \"javascript\","
                         " \"code\": \"export function main(input) { return input; }\"}",
                         "{\"id\": \"check\", \"name\": \"Check\", \"language\": \"cobol\", \"code\": \"x\"}");
}

static void
scenario_webhooks (Fixture *fixture)
{
  g_autoptr(JsonNode) body = NULL;

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows",
                          "{\"id\": \"hooked\", \"name\": \"Hooked\","
                          " \"triggers\": [{\"type\": \"webhook\", \"method\": \"POST\", \"path\": \"/in\"},"
                          "  {\"type\": \"webhook\", \"method\": \"PATCH\", \"path\": \"/in\"},"
                          "  {\"type\": \"webhook\", \"method\": \"DELETE\", \"path\": \"/in\"}],"
                          " \"nodes\": [{\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"b\": \"{{input.body}}\"}}}]}"),
                    ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows",
                          "{\"id\": \"replies\", \"name\": \"Replies\","
                          " \"triggers\": [{\"type\": \"webhook\", \"method\": \"PUT\", \"path\": \"/deep/er/path\"}],"
                          " \"nodes\": [{\"id\": \"r\", \"type\": \"respond\", \"config\": {\"status\": 201,"
                          "  \"body\": {\"got\": \"{{input.body}}\"}}}]}"), ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows",
                          "{\"id\": \"texts\", \"name\": \"Texts\","
                          " \"triggers\": [{\"type\": \"webhook\", \"method\": \"GET\", \"path\": \"/text\"}],"
                          " \"nodes\": [{\"id\": \"r\", \"type\": \"respond\", \"config\": {\"body\": \"plain\"}}]}"),
                    ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/hooked/activate", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/replies/activate", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/texts/activate", NULL), ==, 200);
  /* A second active flow may not claim a webhook another one has. */
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows",
                          "{\"id\": \"texts2\", \"name\": \"Texts 2\","
                          " \"triggers\": [{\"type\": \"webhook\", \"method\": \"GET\", \"path\": \"/text\"}],"
                          " \"nodes\": [{\"id\": \"r\", \"type\": \"respond\", \"config\": {\"body\": \"other\"}}]}"),
                    ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/texts2/activate", NULL), ==, 409);

  g_assert_cmpuint (CALL_OUT (fixture, NULL, "POST", "/webhook/" WS_A "/in", "{\"x\": 1}", &body), ==, 202);
  g_assert_nonnull (string_of (body, "execution_id"));
  g_assert_cmpuint (CALL (fixture, NULL, "PATCH", "/webhook/" WS_A "/in", "\"text\""), ==, 202);
  g_assert_cmpuint (CALL (fixture, NULL, "DELETE", "/webhook/" WS_A "/in", NULL), ==, 202);
  g_assert_cmpuint (CALL (fixture, NULL, "PUT", "/webhook/" WS_A "/deep/er/path", "{\"x\": 1}"), ==, 201);
  g_assert_cmpuint (CALL (fixture, NULL, "GET", "/webhook/" WS_A "/text", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, NULL, "POST", "/webhook/" WS_A "/in", "{\"x\": "), ==, 400);
  g_assert_cmpuint (CALL (fixture, NULL, "GET", "/webhook/" WS_A "/in", NULL), ==, 405);
  g_assert_cmpuint (CALL (fixture, NULL, "PATCH", "/webhook/" WS_A "/nothing", NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, NULL, "DELETE", "/webhook/" WS_B "/in", NULL), ==, 404);
}

static void
scenario_events (Fixture *fixture)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *replay = NULL;

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows",
                          "{\"id\": \"listens\", \"name\": \"Listens\","
                          " \"triggers\": [{\"type\": \"event\", \"event\": \"crm.contact.*\"}],"
                          " \"nodes\": [{\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"b\": 1}}}]}"),
                    ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/listens/activate", NULL), ==, 200);
  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "POST", "/api/v1/events",
                              "{\"topic\": \"crm.contact.created\", \"data\": {\"name\": \"Ada\"}}", &body), ==, 202);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (body), "deliveries"), ==, 1);
  replay = g_strdup_printf ("/api/v1/events/%s/replay", string_of (body, "id"));
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/events", "{\"topic\": \"crm.other\"}"), ==, 202);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/events", "{\"topic\": \"crm.*\"}"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/events",
                          "{\"topic\": \"crm.x\", \"data\": [1]}"), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "POST", "/api/v1/events", "{\"topic\": \"crm.x\"}"), ==, 403);
  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "GET", "/api/v1/events?limit=1", NULL, &body), ==, 200);
  g_assert_nonnull (string_of (body, "next_cursor"));
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/events?topic=crm.contact.*&since=2026-01-01T00:00:00Z",
                          NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/events?since=yesterday", NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", replay, NULL), ==, 202);
  g_assert_cmpuint (CALL (fixture, fixture->other_key, "POST", replay, NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/events/nothing/replay", NULL), ==, 404);
}

static void
scenario_schedules (Fixture *fixture)
{
  g_autoptr(JsonNode) body = NULL;

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows",
                          "{\"id\": \"nightly\", \"name\": \"Nightly\","
                          " \"triggers\": [{\"type\": \"schedule\", \"cron\": \"0 30 2 * * *\","
                          " \"timezone\": \"Europe/Berlin\"}, {\"type\": \"schedule\", \"cron\": \"@hourly\"}],"
                          " \"nodes\": [{\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"b\": 1}}}]}"),
                    ==, 201);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/nightly/activate", NULL), ==, 200);
  g_assert_cmpuint (CALL_OUT (fixture, fixture->viewer_key, "GET", "/api/v1/schedules?limit=1", NULL, &body), ==, 200);
  g_assert_nonnull (string_of (body, "next_cursor"));
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows/nightly/schedules", NULL), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/schedules?cursor=%25", NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->other_key, "GET", "/api/v1/flows/nightly/schedules", NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, NULL, "GET", "/api/v1/schedules", NULL), ==, 401);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/nightly/deactivate", NULL), ==, 200);
}

/* Opens the workspace stream as @key, starts an execution of the chain flow and reads
 * until its execution.finished; checks the events against the document. */
static void
scenario_workspace_stream (Fixture    *fixture,
                           const char *key)
{
  g_autofree char *uri = g_strconcat (fixture->test->uri, "/api/v1/stream", NULL);
  g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  char buffer[4096];

  soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", authorization);
  stream = soup_session_send (fixture->test->session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  /* The stream is open once its headers are in: what happens now is on it. */
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/flows/chain/execute?wait=true",
                          "{\"input\": {\"start\": 5}}"), ==, 200);
  while (strstr (text->str, "event: execution.finished") == NULL)
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (text, buffer, n);
    }
  /* Up to the end of that event. */
  while (!g_str_has_suffix (text->str, "\n\n"))
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (text, buffer, n);
    }
  g_assert_true (g_input_stream_close (stream, NULL, &error));
  g_assert_no_error (error);
  bytes = g_bytes_new (text->str, text->len);
  if (!deca_openapi_check_message (fixture->doc, message, bytes, &error))
    g_error ("GET /api/v1/stream, not as documented: %s", error->message);
  g_hash_table_add (fixture->checked, g_strdup ("GET /api/v1/stream 200"));
}

static void
scenario_streams (Fixture *fixture)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *done = run (fixture, "chain", "{\"input\": {\"start\": 3}}");
  g_autofree char *events = g_strdup_printf ("/api/v1/executions/%s/events", done);
  g_autofree char *path = NULL;
  g_autofree char *narrow = NULL;

  /* A finished execution's stream is its history, and ends. */
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", events, NULL), ==, 200);
  path = g_strdup_printf ("%s?after=2", events);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "GET", path, NULL), ==, 200);
  g_free (path);
  path = g_strdup_printf ("%s?after=last", events);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", path, NULL), ==, 400);
  g_assert_cmpuint (call (fixture, fixture->owner_key, "GET", events, NULL, NULL, "Last-Event-ID", "x", NULL), ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->other_key, "GET", events, NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, NULL, "GET", events, NULL), ==, 401);

  scenario_workspace_stream (fixture, fixture->owner_key);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/stream?types=nothing.at_all", NULL), ==, 400);
  /* A key narrowed to executions may not ask for flow events. */
  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "POST", "/api/v1/workspaces/" WS_A "/api-keys",
                              "{\"name\": \"narrow\", \"role\": \"viewer\", \"scopes\": [\"read:executions\"]}",
                              &body), ==, 201);
  narrow = g_strdup (string_of (body, "key"));
  g_assert_cmpuint (CALL (fixture, narrow, "GET", "/api/v1/stream?types=flow.saved", NULL), ==, 403);
}

static void
scenario_transfer (Fixture *fixture)
{
  g_autoptr(JsonNode) bundle = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) changed = NULL;
  g_autofree char *changed_text = NULL;
  JsonObject *flow;

  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_A "/export", NULL, &bundle),
                    ==, 200);
  text = json_to_string (bundle, FALSE);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/workspaces/" WS_B "/export", NULL), ==, 404);
  g_assert_cmpuint (CALL (fixture, fixture->viewer_key, "POST", "/api/v1/workspaces/" WS_A "/import", text), ==, 403);
  /* The same content again: nothing changes. */
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/workspaces/" WS_A "/import", text), ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/workspaces/" WS_A "/import?mode=replace", text),
                    ==, 200);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/workspaces/" WS_A "/import?mode=all", text),
                    ==, 400);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/workspaces/" WS_A "/import",
                          "{\"format\": \"deca-workspace\", \"version\": 1, \"flows\": [{\"id\": \"x\", \"name\": \"X\","
                          " \"document\": {\"id\": \"x\", \"nodes\": [{\"id\": \"n\", \"type\": \"no-such-type\"}]}}]}"),
                    ==, 422);
  /* Another content for a flow the workspace has: a conflict when merging. */
  changed = json_node_copy (bundle);
  flow = json_array_get_object_element (json_object_get_array_member (json_node_get_object (changed), "flows"), 0);
  json_object_set_string_member (json_object_get_object_member (flow, "document"), "name", "Renamed");
  changed_text = json_to_string (changed, FALSE);
  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "POST", "/api/v1/workspaces/" WS_A "/import", changed_text),
                    ==, 409);
}

static void
test_scenario (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) operations = deca_openapi_list_operations (fixture->doc);
  g_autoptr(GString) unchecked = g_string_new (NULL);

  scenario_service (fixture);
  scenario_access (fixture);
  scenario_flows (fixture);
  scenario_executions (fixture);
  scenario_credentials (fixture);
  scenario_library (fixture);
  scenario_webhooks (fixture);
  scenario_events (fixture);
  scenario_schedules (fixture);
  scenario_streams (fixture);
  scenario_transfer (fixture);

  /* Every operation of the document got at least one successful answer, checked. */
  for (guint i = 0; i < operations->len; i++)
    {
      const char *operation = g_ptr_array_index (operations, i);
      gboolean seen = FALSE;

      for (guint status = 200; status < 300 && !seen; status++)
        {
          g_autofree char *key = g_strdup_printf ("%s %u", operation, status);

          seen = g_hash_table_contains (fixture->checked, key);
        }
      if (!seen)
        g_string_append_printf (unchecked, "  %s\n", operation);
    }
  if (unchecked->len > 0)
    g_error ("the scenario called these operations of the document without a successful answer:\n%s",
             unchecked->str);

  /* For the reader of the log (--verbose): the documented answers the scenario did not
   * get, which other tests (or none) exercise. */
  {
    JsonObject *paths = json_object_get_object_member (json_node_get_object (deca_openapi_get_root (fixture->doc)),
                                                       "paths");
    g_autoptr(GString) missed = g_string_new (NULL);
    guint n_documented = 0;

    for (guint i = 0; i < operations->len; i++)
      {
        g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (operations, i), " ", 2);
        g_autofree char *lower = g_ascii_strdown (parts[0], -1);
        JsonObject *operation = json_object_get_object_member (json_object_get_object_member (paths, parts[1]), lower);
        JsonObject *responses = json_object_get_object_member (operation, "responses");
        g_autoptr(GList) statuses = json_object_get_members (responses);

        for (GList *l = statuses; l != NULL; l = l->next)
          {
            g_autofree char *key = g_strdup_printf ("%s %s", (const char *) g_ptr_array_index (operations, i),
                                                    (const char *) l->data);

            n_documented++;
            if (!g_hash_table_contains (fixture->checked, key))
              g_string_append_printf (missed, " %s;", key);
          }
      }
    g_test_message ("%u answers checked of %u documented; not seen here:%s", g_hash_table_size (fixture->checked),
                    n_documented, missed->str);
  }
}

/* 429 with Retry-After, in the documented shape. */
static void
test_rate_limited (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;

  g_assert_cmpuint (CALL (fixture, fixture->owner_key, "GET", "/api/v1/flows", NULL), ==, 200);
  g_assert_cmpuint (CALL_OUT (fixture, fixture->owner_key, "GET", "/api/v1/flows", NULL, &body), ==, 429);
  g_assert_cmpstr (error_code (body), ==, "rate_limited");
}

/* 503 from /health when a dependency fails, in the documented shape. */
static void
test_failing_health (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;

  g_assert_cmpuint (CALL_OUT (fixture, NULL, "GET", "/health", NULL, &body), ==, 503);
  g_assert_cmpstr (string_of (body, "status"), ==, "unavailable");
}

/* The document is served, without credentials, byte for byte. */
static void
test_served (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *uri = g_strconcat (fixture->test->uri, "/api/v1/openapi.yaml", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GBytes) compiled = deca_api_openapi_get_document ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaOpenApi) served = NULL;

  response = soup_session_send_and_read (fixture->test->session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (message), NULL), ==,
                   "application/yaml");
  g_assert_true (g_bytes_equal (response, compiled));
  served = deca_openapi_new_from_data (g_bytes_get_data (response, NULL), (gssize) g_bytes_get_size (response),
                                       &error);
  g_assert_no_error (error);
  g_assert_true (deca_openapi_check_structure (served, &error));
  g_assert_no_error (error);
}

/* The real `deca serve` hands out the document it was built with, without credentials, and
 * its answers match it. */
static void
test_deca_serve (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaOpenApi) doc = deca_openapi_new_builtin (&error);
  DecaServeProcess *serve;
  g_autofree char *key = NULL;
  g_autofree char *source = NULL;
  const char *paths[] = { "/api/v1/openapi.yaml", "/health", "/api/v1/workspaces", "/api/v1/flows",
                          "/api/v1/executions", "/api/v1/credentials", "/api/v1/agents", "/api/v1/events" };
  gsize length;

  g_assert_no_error (error);
  if (g_getenv ("DECA_BIN") == NULL)
    {
      g_test_skip ("DECA_BIN is not set");
      return;
    }
  serve = deca_serve_process_new ("openapi-serve");
  key = deca_serve_process_init (serve, NULL);
  deca_serve_process_startv (serve, NULL);
  g_assert_true (g_file_get_contents (g_getenv ("DECA_OPENAPI_SOURCE"), &source, &length, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *uri = g_strconcat (serve->uri, paths[i], NULL);
      g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
      g_autoptr(GBytes) body = NULL;
      g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);

      /* The document without credentials; the rest with the owner's key. */
      if (i > 1)
        soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", authorization);
      body = soup_session_send_and_read (serve->session, message, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (message), ==, 200);
      if (!deca_openapi_check_message (doc, message, body, &error))
        g_error ("deca serve: GET %s, not as documented: %s", paths[i], error->message);
      if (i == 0)
        g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), source, length);
    }

  g_assert_cmpint (deca_serve_process_stop (serve), ==, 0);
  deca_serve_process_free (serve);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/server/openapi/yaml", test_yaml);
  g_test_add_func ("/deca/server/openapi/checker", test_checker);
  g_test_add_func ("/deca/server/openapi/structure", test_structure);
  g_test_add_func ("/deca/server/openapi/check-response", test_check_response);
  g_test_add ("/deca/server/openapi/routes", Fixture, NULL, fixture_setup, test_routes, fixture_teardown);
  g_test_add ("/deca/server/openapi/scenario", Fixture, NULL, fixture_setup, test_scenario, fixture_teardown);
  g_test_add ("/deca/server/openapi/rate-limited", Fixture, "rate-limited", fixture_setup, test_rate_limited,
              fixture_teardown);
  g_test_add ("/deca/server/openapi/failing-health", Fixture, "failing-health", fixture_setup, test_failing_health,
              fixture_teardown);
  g_test_add ("/deca/server/openapi/served", Fixture, NULL, fixture_setup, test_served, fixture_teardown);
  g_test_add_func ("/deca/server/openapi/deca-serve", test_deca_serve);
  return g_test_run ();
}
