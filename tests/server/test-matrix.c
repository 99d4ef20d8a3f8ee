/* test-matrix.c: every route of the server against every role, another workspace, and
 * the error shape.
 *
 * One DecaServer, set up as `deca serve` sets it up (app/deca-cli-serve.c; its per-caller
 * rate limit with room for the matrix's hundreds of requests), serves the whole run. Two workspaces, A and B, are each seeded through the API with one of
 * everything. The routes come from the router (deca_router_foreach_route()), with their
 * flags and required permissions, so a route added tomorrow is covered without editing
 * this file: its path is built from its pattern (each parameter name has a seeded value:
 * the `{id}` after `flows` is the seeded flow, ...), and the table below only says what a
 * route needs beyond that (a body, a fresh object for a route that uses one up), the
 * permissions docs/server.md gives it and the audit line it writes. A route the table
 * lacks fails the test, so that its body, permissions and effects are thought about; a
 * route of the OpenAPI document this server lacks fails it too (test-openapi holds the
 * document to deca serve's routes), so a register call deca serve gains is not missed.
 *
 * - routes: the public ones are exactly /health, /metrics, /api/v1/openapi.yaml and the
 *   webhooks, and answer without credentials; every other one is 401 with
 *   WWW-Authenticate without them;
 * - role x route: for each role an API key of A (in either header), a member of A with
 *   an HS256 token, and both narrowed to read:flows: a route is 403 naming the missing
 *   permissions, with one access.denied audit line, exactly when the caller lacks one of
 *   the route's permissions; otherwise neither 401 nor 403, and every route gives some
 *   caller a 2xx; every change is audited once in the caller's name;
 * - cross-workspace: A's owner on every route that names a resource, pointed at B's
 *   seeded objects (or at B's member or key under A's workspace), gets 404 without B's
 *   data; A's lists and filters hold nothing of B; what B's key reads on every GET route
 *   is the same at the end as right after the seeding;
 * - error shapes: every answer that is not 2xx, in the whole run, is
 *   {"error": {"code", "message", "details"}} with the code of its status
 *   (deca-server-error.c's table), a 400 says where, nothing is a 5xx; on every route that
 *   takes a body: 413 over the limit, 400 with line and column for malformed JSON, with
 *   the offset for bytes that are not text, at "" for a body that is not an object;
 *   HEAD as GET; 404 for unknown paths; 405 with the path's methods in Allow on every
 *   pattern;
 * - the document: every answer of the run, 2xx or not, is one data/openapi.yaml
 *   promises (its status for the operation, its Content-Type, its body's schema).
 *
 * About a second: the server and the client are in-process, on two threads. */

#include "config.h"

#include <string.h>

#include <gnutls/crypto.h>

#include <deca-api.h>
#include <deca-api-access.h>
#include <deca-api-credentials.h>
#include <deca-api-events.h>
#include <deca-api-flows.h>
#include <deca-api-key.h>
#include <deca-api-library.h>
#include <deca-api-schedules.h>
#include <deca-api-streams.h>
#include <deca-api-transfer.h>
#include <deca-api-webhooks.h>
#include <deca-authenticator.h>
#include <deca-base64url.h>
#include <deca-jwt.h>
#include <deca-rate-limit.h>
#include <deca-rbac.h>
#include <deca-secret-box.h>
#include <deca-server.h>
#include <deca-server-error.h>
#include <deca-server-triggers.h>
#include <deca-store-credentials.h>
#include <deca-store-server.h>

#include "deca-openapi.h"
#include "deca-server-test.h"
#include "deca-test-fs.h"

#define WS_A "ws-a"
#define WS_B "ws-b"
#define KEY_LINE "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/* The HS256 secret of the members' tokens (deca serve --jwt-secret-file). */
#define JWT_SECRET "0123456789abcdef0123456789abcdef-matrix"
/* Large enough for a bundle of workspace A as the matrix leaves it; small enough that a
 * 413 per route costs little. */
#define MAX_BODY (256 * 1024)
/* In every name and text of workspace B's objects: an answer to A that holds it leaks B. */
#define MARKER "zebramarker"

/* --- the seeded objects -------------------------------------------------------------- */

typedef enum {
  OBJ_NONE,
  OBJ_FLOW,
  OBJ_EXECUTION,
  OBJ_PAUSED,      /* an execution waiting at its approval */
  OBJ_CREDENTIAL,
  OBJ_AGENT,
  OBJ_PROMPT,
  OBJ_FUNCTION,
  OBJ_EVENT,
  OBJ_API_KEY,
  OBJ_MEMBER,
  OBJ_ACTIVE_FLOW, /* a flow, active (the seeded one is) */
  N_OBJS,
} Obj;

typedef struct {
  const char *ws;
  const char *suffix;       /* "a", "b": in every id */
  const char *name;         /* in names and texts: "Team A", or MARKER for B */
  char *owner_key;          /* made in the store: the seeding's and the reads' */
  char *ids[N_OBJS];
  char *approval_flow;      /* the flow OBJ_PAUSED executions run */
} Seed;

/* A route as the router has it. */
typedef struct {
  char *method;
  char *pattern;
  DecaRouteFlags flags;
  DecaPermissions required;
} RouteInfo;

static struct {
  DecaTestServer *test;
  GPtrArray *routes;        /* RouteInfo */
  Seed a, b;
  GPtrArray *b_at_start;    /* what B's owner read right after the seeding */
  guint counter;            /* for the names of fresh objects */
  guint answers_checked;    /* non-2xx answers whose shape was checked */
  DecaOpenApi *openapi;     /* data/openapi.yaml, as libdeca-server has it */
} fx;

/* --- the server thread --------------------------------------------------------------- */

static void
route_info_free (gpointer data)
{
  RouteInfo *info = data;

  g_free (info->method);
  g_free (info->pattern);
  g_free (info);
}

static void
collect_route_cb (const DecaRoute *route,
                  gpointer         user_data)
{
  RouteInfo *info = g_new0 (RouteInfo, 1);

  info->method = g_strdup (deca_route_get_method (route));
  info->pattern = g_strdup (deca_route_get_pattern (route));
  info->flags = deca_route_get_flags (route);
  info->required = (DecaPermissions) deca_route_get_required_permissions (route);
  g_ptr_array_add (fx.routes, info);
}

static void
server_setup (DecaTestServer *test,
              DecaServer     *server,
              gpointer        user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaJwtVerifier) verifier = deca_jwt_verifier_new ();
  g_autoptr(DecaSecretBox) box = deca_secret_box_new ();
  DecaAuthenticator *authenticator;
  DecaApiOptions api_options = { 0 };
  DecaStore *store = deca_server_get_store (server);

  g_assert_true (deca_store_create_workspace (store, WS_A, "Team A", &error));
  g_assert_true (deca_store_create_workspace (store, WS_B, MARKER, &error));
  g_assert_no_error (error);
  fx.a.owner_key = deca_test_add_key_full (store, WS_A, "seed", "owner", NULL);
  fx.b.owner_key = deca_test_add_key_full (store, WS_B, "seed", "owner", NULL);

  /* What `deca serve` registers (app/deca-cli-serve.c), through the same call
   * (deca_api_register_all(): access, credentials, library, flows and executions, export
   * and import, the executor's credentials, streams, webhooks, events and schedules with
   * the triggers) after the authenticator. /health, /metrics and /api/v1/openapi.yaml come
   * with the server. test_routes() checks that this makes the routes of the OpenAPI document,
   * which test-openapi holds to deca serve's. */
  g_assert_true (deca_jwt_verifier_set_hs256_secret (verifier, (const guint8 *) JWT_SECRET, strlen (JWT_SECRET),
                                                     &error));
  authenticator = deca_test_server_install_authenticator (test);
  deca_authenticator_set_jwt_verifier (authenticator, verifier);
  /* deca serve limits each caller (--rate-limit, 20/40 by default); the matrix's callers
   * go through the same limiter, with room for the whole run. */
  {
    g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (100000.0, 100000, NULL);

    deca_authenticator_set_rate_limiter (authenticator, limiter);
  }
  g_assert_true (deca_secret_box_load_keys (box, KEY_LINE, &error));
  api_options.secret_box = box;
  deca_test_server_register_all (test, &api_options);

  deca_router_foreach_route (deca_server_get_router (server), collect_route_cb, NULL);
}

/* --- HTTP and the error shape -------------------------------------------------------- */

typedef struct {
  guint status;
  SoupMessage *message;
  GBytes *body;       /* empty for an event stream, which is not read */
  JsonNode *json;     /* (nullable) */
} Answer;

static void
answer_free (Answer *answer)
{
  g_clear_object (&answer->message);
  g_clear_pointer (&answer->body, g_bytes_unref);
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static const char *
answer_header (Answer     *answer,
               const char *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (answer->message), name);
}

static JsonObject *
answer_object (Answer *answer)
{
  g_assert_nonnull (answer->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer->json));
  return json_node_get_object (answer->json);
}

static const char *
answer_string (Answer     *answer,
               const char *member)
{
  const char *value = json_object_get_string_member_with_default (answer_object (answer), member, NULL);

  g_assert_nonnull (value);
  return value;
}

static JsonObject *
answer_error (Answer *answer)
{
  return json_object_get_object_member (answer_object (answer), "error");
}

static gboolean
answer_contains (Answer     *answer,
                 const char *text)
{
  gsize length;
  const char *data = g_bytes_get_data (answer->body, &length);

  return length > 0 && g_strstr_len (data, (gssize) length, text) != NULL;
}

/* Whether @code is the code name of a DecaServerError whose status is @status: the
 * table is deca-server-error.c's, read through its API. */
static gboolean
code_matches_status (const char *code,
                     guint       status)
{
  for (int i = DECA_SERVER_ERROR_BAD_REQUEST; i < DECA_SERVER_N_ERRORS; i++)
    if (g_str_equal (deca_server_error_code_name (i), code) && deca_server_error_http_status (i) == status)
      return TRUE;
  return FALSE;
}

static void
assert_error_shape (Answer     *answer,
                    const char *method,
                    const char *path)
{
  JsonObject *root, *error;
  const char *code, *message;
  JsonNode *details;
  const char *type = answer_header (answer, "Content-Type");

  if (type == NULL || !g_str_has_prefix (type, "application/json") || answer->json == NULL
      || !JSON_NODE_HOLDS_OBJECT (answer->json))
    g_error ("%s %s: %u without a JSON object body", method, path, answer->status);
  root = json_node_get_object (answer->json);
  if (json_object_get_size (root) != 1 || !json_object_has_member (root, "error")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "error")))
    g_error ("%s %s: %u whose body is not {\"error\": {...}}", method, path, answer->status);
  error = json_object_get_object_member (root, "error");
  code = json_object_get_string_member_with_default (error, "code", NULL);
  message = json_object_get_string_member_with_default (error, "message", NULL);
  details = json_object_get_member (error, "details");
  if (code == NULL || message == NULL || *message == '\0')
    g_error ("%s %s: %u without a code and a message", method, path, answer->status);
  if (!code_matches_status (code, answer->status))
    g_error ("%s %s: %u with the code %s, another status's", method, path, answer->status, code);
  if (details != NULL && !JSON_NODE_HOLDS_NULL (details) && !JSON_NODE_HOLDS_OBJECT (details))
    g_error ("%s %s: %u whose details are neither null nor an object", method, path, answer->status);
  {
    g_autoptr(GList) names = json_object_get_members (error);

    for (GList *l = names; l != NULL; l = l->next)
      if (!g_str_equal (l->data, "code") && !g_str_equal (l->data, "message") && !g_str_equal (l->data, "details"))
        g_error ("%s %s: %u with a member '%s' beside code, message, details", method, path, answer->status,
                 (const char *) l->data);
  }
  /* A 400 says where: the field's pointer, the parameter, the header, the position in
   * malformed JSON, the offset of a byte that is not text. */
  if (answer->status == 400
      && (details == NULL || !JSON_NODE_HOLDS_OBJECT (details)
          || !(json_object_has_member (json_node_get_object (details), "pointer")
               || json_object_has_member (json_node_get_object (details), "parameter")
               || json_object_has_member (json_node_get_object (details), "header")
               || json_object_has_member (json_node_get_object (details), "line")
               || json_object_has_member (json_node_get_object (details), "offset"))))
    g_error ("%s %s: 400 whose details do not say where", method, path);
  /* A pointer is a JSON pointer: "" or from "/". */
  if (details != NULL && JSON_NODE_HOLDS_OBJECT (details))
    {
      const char *pointer = json_object_get_string_member_with_default (json_node_get_object (details),
                                                                         "pointer", NULL);

      if (pointer != NULL && *pointer != '\0' && *pointer != '/')
        g_error ("%s %s: details.pointer '%s' is not a JSON pointer", method, path, pointer);
    }
  /* What the status promises in its headers. */
  if (answer->status == 401 && answer_header (answer, "WWW-Authenticate") == NULL)
    g_error ("%s %s: 401 without WWW-Authenticate", method, path);
  if (answer->status == 405 && answer_header (answer, "Allow") == NULL)
    g_error ("%s %s: 405 without Allow", method, path);
  if (answer->status == 429 && answer_header (answer, "Retry-After") == NULL)
    g_error ("%s %s: 429 without Retry-After", method, path);
  fx.answers_checked++;
}

/* Sends @method @path with the API key or token @key (NULL: none; in X-Api-Key with
 * @x_api_key, else as Authorization: Bearer) and @body (nullable; @length -1 for a
 * string); every answer that is not 2xx is checked for the error shape. */
static Answer *
call_full (const char *key,
           gboolean    x_api_key,
           const char *method,
           const char *path,
           const char *body,
           gssize      length)
{
  g_autofree char *uri = g_strconcat (fx.test->uri, path, NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Answer *answer = g_new0 (Answer, 1);
  const char *type;

  answer->message = soup_message_new (method, uri);
  g_assert_nonnull (answer->message);
  if (key != NULL && x_api_key)
    soup_message_headers_append (soup_message_get_request_headers (answer->message), "X-Api-Key", key);
  else if (key != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_append (soup_message_get_request_headers (answer->message), "Authorization",
                                   authorization);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length < 0 ? strlen (body) : (gsize) length);

      soup_message_set_request_body_from_bytes (answer->message, "application/json", bytes);
    }
  stream = soup_session_send (fx.test->session, answer->message, NULL, &error);
  g_assert_no_error (error);
  answer->status = soup_message_get_status (answer->message);
  type = answer_header (answer, "Content-Type");
  /* A workspace's stream never ends: its status and headers are the answer. */
  if (type != NULL && g_str_has_prefix (type, "text/event-stream"))
    {
      g_input_stream_close (stream, NULL, NULL);
      answer->body = g_bytes_new (NULL, 0);
      /* Its status and type are the document's (the events, unread, are not checked). */
      if (!deca_openapi_check_response (fx.openapi, method, path, answer->status, type, NULL, &error))
        g_error ("the answer does not match the OpenAPI document: %s", error->message);
      return answer;
    }
  {
    g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();

    g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                            NULL, &error);
    g_assert_no_error (error);
    answer->body = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  }
  /* Every answer is one data/openapi.yaml promises: its status for the operation, its
   * type and its body's schema. */
  deca_openapi_assert_message (answer->message, answer->body);
  if (g_bytes_get_size (answer->body) > 0 && type != NULL && g_str_has_prefix (type, "application/json"))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize size;
      const char *data = g_bytes_get_data (answer->body, &size);

      if (!json_parser_load_from_data (parser, data, (gssize) size, &error))
        g_error ("%s %s: %u with a JSON body that does not parse: %s", method, path, answer->status, error->message);
      answer->json = json_node_ref (json_parser_get_root (parser));
    }
  /* Where the server keeps its data is nobody's business but its own: no answer names
   * the data directory (a store's message that quotes its path). */
  if (g_bytes_get_size (answer->body) > 0
      && g_strstr_len (g_bytes_get_data (answer->body, NULL), (gssize) g_bytes_get_size (answer->body), fx.test->dir) != NULL)
    g_error ("%s %s: %u, an answer that names the server's data directory", method, path, answer->status);
  /* What every answer has: its trace id; a 204 nothing else, a 2xx with a body its type. */
  if (answer_header (answer, "X-Request-Id") == NULL)
    g_error ("%s %s: %u without X-Request-Id", method, path, answer->status);
  if (answer->status == 204 && g_bytes_get_size (answer->body) != 0)
    g_error ("%s %s: 204 with a body", method, path);
  if (g_bytes_get_size (answer->body) > 0 && answer_header (answer, "Content-Type") == NULL)
    g_error ("%s %s: %u with a body and no Content-Type", method, path, answer->status);
  /* Nothing in this run is the server's fault. */
  if (answer->status >= 500)
    g_error ("%s %s: %u %.*s", method, path, answer->status, (int) MIN (g_bytes_get_size (answer->body), 300),
             (const char *) g_bytes_get_data (answer->body, NULL));
  /* Error answers only in the log: a created API key's answer holds the key. */
  if ((answer->status < 200 || answer->status >= 300) && !g_str_equal (method, "HEAD"))
    {
      g_test_message ("%s %s: %u %.*s", method, path, answer->status,
                      (int) MIN (g_bytes_get_size (answer->body), 300),
                      (const char *) g_bytes_get_data (answer->body, NULL));
      assert_error_shape (answer, method, path);
    }
  return answer;
}

static Answer *
call (const char *key,
      const char *method,
      const char *path,
      const char *body)
{
  return call_full (key, FALSE, method, path, body, -1);
}

/* Sends, asserts the status, returns the answer's string member @member (transfer full;
 * NULL for none). */
static char *
call_expect (const char *key,
             const char *method,
             const char *path,
             const char *body,
             guint       status,
             const char *member)
{
  g_autoptr(Answer) answer = call (key, method, path, body);

  if (answer->status != status)
    g_error ("%s %s: %u, expected %u", method, path, answer->status, status);
  return member != NULL ? g_strdup (answer_string (answer, member)) : NULL;
}

/* --- seeding ------------------------------------------------------------------------- */

static char *
flow_document (Seed       *seed,
               const char *id,
               const char *name)
{
  GString *doc = g_string_new ("{");

  if (id != NULL)
    g_string_append_printf (doc, "\"id\": \"%s\", ", id);
  g_string_append_printf (doc,
                          "\"name\": \"%s\", \"triggers\": ["
                          "{\"type\": \"webhook\", \"method\": \"GET\", \"path\": \"/in\"},"
                          "{\"type\": \"webhook\", \"method\": \"POST\", \"path\": \"/in\"},"
                          "{\"type\": \"webhook\", \"method\": \"PUT\", \"path\": \"/in\"},"
                          "{\"type\": \"webhook\", \"method\": \"PATCH\", \"path\": \"/in\"},"
                          "{\"type\": \"webhook\", \"method\": \"DELETE\", \"path\": \"/in\"},"
                          "{\"type\": \"event\", \"event\": \"orders.*\"},"
                          "{\"type\": \"schedule\", \"cron\": \"0 3 1 1 *\", \"timezone\": \"UTC\"}],"
                          " \"nodes\": ["
                          "{\"id\": \"a\", \"type\": \"transform\","
                          " \"config\": {\"set\": {\"n\": \"{{input.start}}\"}}},"
                          "{\"id\": \"b\", \"type\": \"transform\", \"config\": {\"set\": {\"who\": \"%s\"}}}],"
                          " \"connections\": [{\"from\": \"a\", \"to\": \"b\"}]}",
                          name, seed->name);
  return g_string_free (doc, FALSE);
}

static char *
plain_flow (const char *id)
{
  return g_strdup_printf ("{\"id\": \"%s\", \"name\": \"Plain\", \"nodes\": ["
                          "{\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": 1}}}]}", id);
}

/* A library document of @kind (OBJ_AGENT, ...), with @id when not NULL. */
static char *
library_document (Obj         kind,
                  const char *id,
                  const char *name)
{
  g_autofree char *id_member = id != NULL ? g_strdup_printf ("\"id\": \"%s\", ", id) : g_strdup ("");

  switch (kind)
    {
    case OBJ_AGENT:
      return g_strdup_printf ("{%s\"name\": \"%s\", \"model\": {\"provider\": \"openai\", \"name\": \"gpt-4\"}}",
                              id_member, name);
    case OBJ_PROMPT:
      return g_strdup_printf ("{%s\"name\": \"%s\", \"template\": \"%s {{name}}\","
                              " \"variables\": {\"name\": {\"type\": \"string\"}}}", id_member, name, name);
    case OBJ_FUNCTION:
      return g_strdup_printf ("{%s\"name\": \"%s\", \"language\": \"javascript\","
                              " \"code\": \"export function main(input) { return input; }\"}", id_member, name);
    default:
      g_assert_not_reached ();
    }
}

static const char *
library_collection (Obj kind)
{
  return kind == OBJ_AGENT ? "agents" : kind == OBJ_PROMPT ? "prompts" : "functions";
}

static char *
start_paused (Seed *seed)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/flows/%s/execute?wait=true", seed->approval_flow);
  g_autoptr(Answer) answer = call (seed->owner_key, "POST", path, "{\"input\": {\"amount\": 5}}");

  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpstr (answer_string (answer, "status"), ==, "paused");
  return g_strdup (answer_string (answer, "id"));
}

/* Makes a new object of @kind in @seed's workspace with its owner's key; returns its id
 * (transfer full). */
static char *
make_object (Seed *seed,
             Obj   kind)
{
  g_autofree char *id = g_strdup_printf ("fresh-%s-%u", seed->suffix, ++fx.counter);
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;

  switch (kind)
    {
    case OBJ_FLOW:
      body = plain_flow (id);
      g_free (call_expect (seed->owner_key, "POST", "/api/v1/flows", body, 201, NULL));
      return g_steal_pointer (&id);
    case OBJ_ACTIVE_FLOW:
      body = plain_flow (id);
      g_free (call_expect (seed->owner_key, "POST", "/api/v1/flows", body, 201, NULL));
      path = g_strdup_printf ("/api/v1/flows/%s/activate", id);
      g_free (call_expect (seed->owner_key, "POST", path, NULL, 200, NULL));
      return g_steal_pointer (&id);
    case OBJ_PAUSED:
      return start_paused (seed);
    case OBJ_CREDENTIAL:
      body = g_strdup_printf ("{\"name\": \"fresh_%u\", \"type\": \"api_key\", \"secret\": {\"api_key\": \"sk-%u\"}}",
                              fx.counter, fx.counter);
      return call_expect (seed->owner_key, "POST", "/api/v1/credentials", body, 201, "id");
    case OBJ_AGENT:
    case OBJ_PROMPT:
    case OBJ_FUNCTION:
      body = library_document (kind, id, "Fresh");
      path = g_strdup_printf ("/api/v1/%s", library_collection (kind));
      g_free (call_expect (seed->owner_key, "POST", path, body, 201, NULL));
      return g_steal_pointer (&id);
    case OBJ_API_KEY:
      path = g_strdup_printf ("/api/v1/workspaces/%s/api-keys", seed->ws);
      return call_expect (seed->owner_key, "POST", path, "{\"name\": \"fresh\", \"role\": \"viewer\"}", 201, "id");
    case OBJ_MEMBER:
      path = g_strdup_printf ("/api/v1/workspaces/%s/members/%s", seed->ws, id);
      g_free (call_expect (seed->owner_key, "PUT", path, "{\"role\": \"viewer\"}", 201, NULL));
      return g_steal_pointer (&id);
    case OBJ_EXECUTION:
    case OBJ_EVENT:
    case OBJ_NONE:
    case N_OBJS:
    default:
      g_assert_not_reached ();
    }
}

static void
seed_workspace (Seed *seed)
{
  g_autofree char *flow = g_strdup_printf ("flow-%s", seed->suffix);
  g_autofree char *flow_name = g_strdup_printf ("%s flow", seed->name);
  g_autofree char *renamed = g_strdup_printf ("%s flow, version 2", seed->name);
  g_autofree char *doc = flow_document (seed, flow, flow_name);
  g_autofree char *doc2 = flow_document (seed, NULL, renamed);
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;

  /* A flow with two versions, webhooks and an event trigger, active. */
  g_free (call_expect (seed->owner_key, "POST", "/api/v1/flows", doc, 201, NULL));
  path = g_strdup_printf ("/api/v1/flows/%s", flow);
  g_free (call_expect (seed->owner_key, "PUT", path, doc2, 200, NULL));
  g_free (path);
  path = g_strdup_printf ("/api/v1/flows/%s/activate", flow);
  g_free (call_expect (seed->owner_key, "POST", path, NULL, 200, NULL));
  seed->ids[OBJ_FLOW] = g_strdup (flow);
  seed->ids[OBJ_ACTIVE_FLOW] = g_strdup (flow);

  /* An execution, finished. */
  g_free (path);
  path = g_strdup_printf ("/api/v1/flows/%s/execute?wait=true", flow);
  seed->ids[OBJ_EXECUTION] = call_expect (seed->owner_key, "POST", path, "{\"input\": {\"start\": 1}}", 200, "id");

  /* One paused at its approval. */
  seed->approval_flow = g_strdup_printf ("approval-%s", seed->suffix);
  g_free (body);
  body = g_strdup_printf ("{\"id\": \"%s\", \"name\": \"%s approval\", \"nodes\": ["
                          " {\"id\": \"ask\", \"type\": \"approval\","
                          "  \"config\": {\"message\": \"Refund {{input.amount}}?\"}},"
                          " {\"id\": \"refund\", \"type\": \"transform\", \"config\": {\"set\": {\"done\": true}}}],"
                          " \"connections\": [{\"from\": \"ask\", \"to\": \"refund\", \"from_port\": \"approved\"}]}",
                          seed->approval_flow, seed->name);
  g_free (call_expect (seed->owner_key, "POST", "/api/v1/flows", body, 201, NULL));
  seed->ids[OBJ_PAUSED] = start_paused (seed);

  /* A credential (names are identifiers: the marker is one). */
  g_free (body);
  body = g_strdup_printf ("{\"name\": \"%s_cred\", \"type\": \"api_key\", \"secret\": {\"api_key\": \"sk-seed\"}}",
                          g_str_equal (seed->suffix, "b") ? MARKER : "team_a");
  seed->ids[OBJ_CREDENTIAL] = call_expect (seed->owner_key, "POST", "/api/v1/credentials", body, 201, "id");

  /* An agent, a prompt, a function. */
  for (Obj kind = OBJ_AGENT; kind <= OBJ_FUNCTION; kind++)
    {
      g_autofree char *id = g_strdup_printf ("%s-%s", library_collection (kind), seed->suffix);
      g_autofree char *document = library_document (kind, id, seed->name);
      g_autofree char *collection = g_strdup_printf ("/api/v1/%s", library_collection (kind));

      g_free (call_expect (seed->owner_key, "POST", collection, document, 201, NULL));
      seed->ids[kind] = g_steal_pointer (&id);
    }

  /* An API key, a stored event (it starts the flow), a member. */
  g_free (path);
  path = g_strdup_printf ("/api/v1/workspaces/%s/api-keys", seed->ws);
  seed->ids[OBJ_API_KEY] = call_expect (seed->owner_key, "POST", path, "{\"name\": \"spare\", \"role\": \"viewer\"}",
                                        201, "id");
  g_free (body);
  body = g_strdup_printf ("{\"topic\": \"orders.created\", \"data\": {\"who\": \"%s\"}}", seed->name);
  seed->ids[OBJ_EVENT] = call_expect (seed->owner_key, "POST", "/api/v1/events", body, 202, "id");
  seed->ids[OBJ_MEMBER] = g_strdup_printf ("member-%s", seed->suffix);
  g_free (path);
  path = g_strdup_printf ("/api/v1/workspaces/%s/members/%s", seed->ws, seed->ids[OBJ_MEMBER]);
  g_free (body);
  body = g_strdup_printf ("{\"role\": \"viewer\", \"display_name\": \"%s\"}", seed->name);
  g_free (call_expect (seed->owner_key, "PUT", path, body, 201, NULL));
}

/* Waits until no execution of @seed's workspace is pending or running (the seeding's
 * event starts one that the API does not wait for), polling the list. */
static void
wait_settled (Seed *seed)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(Answer) answer = call (seed->owner_key, "GET", "/api/v1/executions?limit=200", NULL);
      JsonArray *items;
      gboolean busy = FALSE;

      g_assert_cmpuint (answer->status, ==, 200);
      items = json_object_get_array_member (answer_object (answer), "items");
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          const char *status = json_object_get_string_member (json_array_get_object_element (items, i), "status");

          busy |= g_str_equal (status, "pending") || g_str_equal (status, "running");
        }
      g_assert_null (json_object_get_member (answer_object (answer), "next_cursor") != NULL
                     && !JSON_NODE_HOLDS_NULL (json_object_get_member (answer_object (answer), "next_cursor"))
                     ? "more than one page" : NULL);
      if (!busy)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("executions of %s still running after 10 s", seed->ws);
      g_usleep (2000);
    }
}

/* --- what each route needs ----------------------------------------------------------- */

typedef char *(*BodyFunc) (Seed *seed);

typedef struct {
  const char *method;
  const char *pattern;
  /* The body (a JSON text), or a function that makes one; both NULL: none. */
  const char *body;
  BodyFunc body_func;
  /* The route uses its object up or changes its state (deletes, decides, activates): in
   * the role matrix each request gets a fresh one, made by A's owner. */
  gboolean fresh;
  /* The kind of the {id} when the segment before it does not say (OBJ_NONE: it does). */
  Obj id_kind;
  /* The permissions the route must require, as docs/server.md's tables say them:
   * written here apart from the route files, so that a route that loses one fails. */
  const char *permissions;
  /* The audit action a 2xx of the route writes in the caller's name: NULL for a GET, ""
   * for a route of another method that changes nothing. Public routes have none: a
   * webhook's line is the webhook's, not its caller's. */
  const char *action;
} RouteSpec;

static char *
new_flow_body (Seed *seed)
{
  g_autofree char *id = g_strdup_printf ("new-%s-%u", seed->suffix, ++fx.counter);

  return plain_flow (id);
}

static char *
renamed_flow_body (Seed *seed)
{
  g_autofree char *name = g_strdup_printf ("%s flow, renamed %u", seed->name, ++fx.counter);

  return flow_document (seed, NULL, name);
}

static char *
new_credential_body (Seed *seed)
{
  return g_strdup_printf ("{\"name\": \"new_%u\", \"type\": \"api_key\", \"secret\": {\"api_key\": \"sk-new\"}}",
                          ++fx.counter);
}

#define LIBRARY_BODIES(kind, what) \
  static char * \
  new_##what##_body (Seed *seed) \
  { \
    g_autofree char *id = g_strdup_printf ("new-%u", ++fx.counter); \
    return library_document (kind, id, "New"); \
  } \
  static char * \
  renamed_##what##_body (Seed *seed) \
  { \
    g_autofree char *title = g_strdup_printf ("%s renamed %u", seed->name, ++fx.counter); \
    return library_document (kind, NULL, title); \
  }

LIBRARY_BODIES (OBJ_AGENT, agent)
LIBRARY_BODIES (OBJ_PROMPT, prompt)
LIBRARY_BODIES (OBJ_FUNCTION, function)

/* The bundle of A as it is now (merging it back changes nothing: 200). */
static char *
bundle_body (Seed *seed)
{
  g_autoptr(Answer) answer = call (fx.a.owner_key, "GET", "/api/v1/workspaces/" WS_A "/export", NULL);

  g_assert_cmpuint (answer->status, ==, 200);
  return g_strndup (g_bytes_get_data (answer->body, NULL), g_bytes_get_size (answer->body));
}

#define LIBRARY_SPECS(plural, singular, name) \
  { "GET", "/api/v1/" plural, NULL, NULL, FALSE, OBJ_NONE, "read:" plural, NULL }, \
  { "POST", "/api/v1/" plural, NULL, new_##name##_body, FALSE, OBJ_NONE, "write:" plural, singular ".create" }, \
  { "GET", "/api/v1/" plural "/{id}", NULL, NULL, FALSE, OBJ_NONE, "read:" plural, NULL }, \
  { "PUT", "/api/v1/" plural "/{id}", NULL, renamed_##name##_body, FALSE, OBJ_NONE, "write:" plural, \
    singular ".update" }, \
  { "DELETE", "/api/v1/" plural "/{id}", NULL, NULL, TRUE, OBJ_NONE, "delete:" plural, singular ".delete" }, \
  { "GET", "/api/v1/" plural "/{id}/versions", NULL, NULL, FALSE, OBJ_NONE, "read:" plural, NULL }

static const RouteSpec route_specs[] = {
  { "GET", "/health", NULL, NULL, FALSE, OBJ_NONE, "", NULL },
  { "GET", "/metrics", NULL, NULL, FALSE, OBJ_NONE, "", NULL },
  { "GET", "/api/v1/openapi.yaml", NULL, NULL, FALSE, OBJ_NONE, "", NULL },

  { "GET", "/api/v1/workspaces", NULL, NULL, FALSE, OBJ_NONE, "", NULL },
  { "GET", "/api/v1/workspaces/{ws}", NULL, NULL, FALSE, OBJ_NONE, "", NULL },
  { "GET", "/api/v1/workspaces/{ws}/members", NULL, NULL, FALSE, OBJ_NONE, "manage:users", NULL },
  { "GET", "/api/v1/workspaces/{ws}/members/{user}", NULL, NULL, FALSE, OBJ_NONE, "manage:users", NULL },
  /* The seeded member is a viewer: made a developer, a change that shows. */
  { "PUT", "/api/v1/workspaces/{ws}/members/{user}", "{\"role\": \"developer\"}", NULL, FALSE, OBJ_NONE,
    "manage:users", "member.set" },
  { "DELETE", "/api/v1/workspaces/{ws}/members/{user}", NULL, NULL, TRUE, OBJ_NONE, "manage:users", "member.remove" },
  { "POST", "/api/v1/workspaces/{ws}/api-keys", "{\"name\": \"more\", \"role\": \"viewer\"}", NULL, FALSE, OBJ_NONE,
    "manage:keys", "api_key.create" },
  { "GET", "/api/v1/workspaces/{ws}/api-keys", NULL, NULL, FALSE, OBJ_NONE, "manage:keys", NULL },
  { "DELETE", "/api/v1/workspaces/{ws}/api-keys/{id}", NULL, NULL, TRUE, OBJ_NONE, "manage:keys", "api_key.revoke" },
  { "GET", "/api/v1/workspaces/{ws}/audit", NULL, NULL, FALSE, OBJ_NONE, "read:audit", NULL },

  { "GET", "/api/v1/credentials", NULL, NULL, FALSE, OBJ_NONE, "read:credentials", NULL },
  { "POST", "/api/v1/credentials", NULL, new_credential_body, FALSE, OBJ_NONE, "write:credentials",
    "credential.create" },
  { "GET", "/api/v1/credentials/{id}", NULL, NULL, FALSE, OBJ_NONE, "read:credentials", NULL },
  /* Revision 1: a fresh credential's, and B's seeded one's. */
  { "PUT", "/api/v1/credentials/{id}", "{\"revision\": 1, \"type\": \"basic\"}", NULL, TRUE, OBJ_NONE,
    "write:credentials", "credential.update" },
  { "DELETE", "/api/v1/credentials/{id}", NULL, NULL, TRUE, OBJ_NONE, "delete:credentials", "credential.delete" },

  LIBRARY_SPECS ("agents", "agent", agent),
  LIBRARY_SPECS ("prompts", "prompt", prompt),
  LIBRARY_SPECS ("functions", "function", function),

  { "GET", "/api/v1/flows", NULL, NULL, FALSE, OBJ_NONE, "read:flows", NULL },
  { "POST", "/api/v1/flows", NULL, new_flow_body, FALSE, OBJ_NONE, "write:flows", "flow.create" },
  { "GET", "/api/v1/flows/{id}", NULL, NULL, FALSE, OBJ_NONE, "read:flows", NULL },
  { "PUT", "/api/v1/flows/{id}", NULL, renamed_flow_body, FALSE, OBJ_NONE, "write:flows", "flow.update" },
  { "DELETE", "/api/v1/flows/{id}", NULL, NULL, TRUE, OBJ_NONE, "delete:flows", "flow.delete" },
  { "GET", "/api/v1/flows/{id}/versions", NULL, NULL, FALSE, OBJ_NONE, "read:flows", NULL },
  { "GET", "/api/v1/flows/{id}/versions/{version}", NULL, NULL, FALSE, OBJ_NONE, "read:flows", NULL },
  /* Fresh flows: the seeded one stays active for the webhooks and events. */
  { "POST", "/api/v1/flows/{id}/activate", NULL, NULL, TRUE, OBJ_NONE, "write:flows", "flow.activate" },
  /* An active one: deactivating an inactive flow changes nothing, and writes no line. */
  { "POST", "/api/v1/flows/{id}/deactivate", NULL, NULL, TRUE, OBJ_ACTIVE_FLOW, "write:flows", "flow.deactivate" },
  /* Saves nothing, so writes no audit line. */
  { "POST", "/api/v1/flows/{id}/validate", NULL, NULL, FALSE, OBJ_NONE, "read:flows", "" },
  { "POST", "/api/v1/flows/{id}/execute", "{\"input\": {\"start\": 2}}", NULL, FALSE, OBJ_NONE,
    "read:flows write:executions", "flow.execute" },

  { "GET", "/api/v1/executions", NULL, NULL, FALSE, OBJ_NONE, "read:executions", NULL },
  { "GET", "/api/v1/executions/{id}", NULL, NULL, FALSE, OBJ_NONE, "read:executions", NULL },
  { "POST", "/api/v1/executions/{id}/cancel", NULL, NULL, TRUE, OBJ_PAUSED, "write:executions", "execution.cancel" },
  { "POST", "/api/v1/executions/{id}/retry", NULL, NULL, FALSE, OBJ_NONE, "write:executions", "execution.retry" },
  { "POST", "/api/v1/executions/{id}/resume", "{\"from_node\": \"b\"}", NULL, FALSE, OBJ_NONE,
    "write:executions", "execution.resume" },
  { "POST", "/api/v1/executions/{id}/approve", "{\"node\": \"ask\", \"comment\": \"ok\"}", NULL, TRUE, OBJ_PAUSED,
    "write:executions", "execution.approve" },
  { "POST", "/api/v1/executions/{id}/reject", "{\"node\": \"ask\"}", NULL, TRUE, OBJ_PAUSED, "write:executions",
    "execution.reject" },

  { "GET", "/api/v1/workspaces/{ws}/export", NULL, NULL, FALSE, OBJ_NONE,
    "read:flows read:agents read:prompts read:functions read:credentials", "workspace.export" },
  { "POST", "/api/v1/workspaces/{ws}/import", NULL, bundle_body, FALSE, OBJ_NONE,
    "write:flows delete:flows write:agents delete:agents write:prompts delete:prompts write:functions"
    " delete:functions read:credentials manage:users", "workspace.import" },

  { "GET", "/api/v1/executions/{id}/events", NULL, NULL, FALSE, OBJ_NONE, "read:executions", NULL },
  { "GET", "/api/v1/stream", NULL, NULL, FALSE, OBJ_NONE, "read:executions", NULL },

  { "DELETE", "/webhook/{workspace}/{path*}", NULL, NULL, FALSE, OBJ_NONE, "", NULL },
  { "GET", "/webhook/{workspace}/{path*}", NULL, NULL, FALSE, OBJ_NONE, "", NULL },
  { "PATCH", "/webhook/{workspace}/{path*}", "{\"x\": 1}", NULL, FALSE, OBJ_NONE, "", NULL },
  { "POST", "/webhook/{workspace}/{path*}", "{\"x\": 1}", NULL, FALSE, OBJ_NONE, "", NULL },
  { "PUT", "/webhook/{workspace}/{path*}", "{\"x\": 1}", NULL, FALSE, OBJ_NONE, "", NULL },

  { "POST", "/api/v1/events", "{\"topic\": \"orders.created\", \"data\": {\"n\": 1}}", NULL, FALSE, OBJ_NONE,
    "publish:events", "event.publish" },
  { "GET", "/api/v1/events", NULL, NULL, FALSE, OBJ_NONE, "read:events", NULL },
  { "POST", "/api/v1/events/{id}/replay", NULL, NULL, FALSE, OBJ_NONE, "publish:events", "event.replay" },

  { "GET", "/api/v1/schedules", NULL, NULL, FALSE, OBJ_NONE, "read:flows", NULL },
  { "GET", "/api/v1/flows/{id}/schedules", NULL, NULL, FALSE, OBJ_NONE, "read:flows", NULL },
};

/* The routes that need no credentials: what the server must have public, no more. */
static const char * const public_routes[] = {
  "GET /health",
  "GET /metrics",
  "GET /api/v1/openapi.yaml",
  "DELETE /webhook/{workspace}/{path*}",
  "GET /webhook/{workspace}/{path*}",
  "PATCH /webhook/{workspace}/{path*}",
  "POST /webhook/{workspace}/{path*}",
  "PUT /webhook/{workspace}/{path*}",
};

static const RouteSpec *
find_spec (const RouteInfo *route)
{
  for (gsize i = 0; i < G_N_ELEMENTS (route_specs); i++)
    if (g_str_equal (route_specs[i].method, route->method) && g_str_equal (route_specs[i].pattern, route->pattern))
      return &route_specs[i];
  g_error ("the server has the route %s %s, which test-matrix.c's table lacks: add what it needs there",
           route->method, route->pattern);
}

/* The kind of object the {id} of @pattern names: the segment before it says. */
static Obj
id_kind_of (const char *pattern)
{
  static const struct {
    const char *prefix;
    Obj kind;
  } kinds[] = {
    { "/flows/{id}", OBJ_FLOW },
    { "/executions/{id}", OBJ_EXECUTION },
    { "/credentials/{id}", OBJ_CREDENTIAL },
    { "/agents/{id}", OBJ_AGENT },
    { "/prompts/{id}", OBJ_PROMPT },
    { "/functions/{id}", OBJ_FUNCTION },
    { "/events/{id}", OBJ_EVENT },
    { "/api-keys/{id}", OBJ_API_KEY },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strstr (pattern, kinds[i].prefix) != NULL)
      return kinds[i].kind;
  g_error ("test-matrix.c does not know what the {id} of %s is", pattern);
}

typedef struct {
  char *path;
  char *body;
} Request;

static void
request_clear (Request *request)
{
  g_clear_pointer (&request->path, g_free);
  g_clear_pointer (&request->body, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Request, request_clear)

/* Builds @route's request for @ws_seed's workspace ({ws}, {workspace}) and @seed's
 * objects; with @fresh, the object a route that uses it up names is a new one. */
static void
build_request_full (const RouteInfo *route,
                    Seed            *ws_seed,
                    Seed            *seed,
                    gboolean         fresh,
                    Request         *out)
{
  const RouteSpec *spec = find_spec (route);
  g_auto(GStrv) segments = g_strsplit (route->pattern, "/", -1);
  g_autoptr(GString) path = g_string_new (NULL);
  Obj id_kind = spec->id_kind != OBJ_NONE ? spec->id_kind : OBJ_NONE;

  for (guint i = 1; segments[i] != NULL; i++)
    {
      const char *segment = segments[i];
      g_autofree char *made = NULL;
      const char *value;

      g_string_append_c (path, '/');
      if (segment[0] != '{')
        {
          g_string_append (path, segment);
          continue;
        }
      if (g_str_equal (segment, "{ws}") || g_str_equal (segment, "{workspace}"))
        value = ws_seed->ws;
      else if (g_str_equal (segment, "{user}"))
        value = fresh && spec->fresh ? (made = make_object (seed, OBJ_MEMBER)) : seed->ids[OBJ_MEMBER];
      else if (g_str_equal (segment, "{version}"))
        value = "1";
      else if (g_str_equal (segment, "{path*}"))
        value = "in";
      else if (g_str_equal (segment, "{id}"))
        {
          if (id_kind == OBJ_NONE)
            id_kind = id_kind_of (route->pattern);
          value = fresh && spec->fresh ? (made = make_object (seed, id_kind)) : seed->ids[id_kind];
        }
      else
        g_error ("test-matrix.c has no value for the parameter %s of %s", segment, route->pattern);
      g_string_append (path, value);
    }
  out->path = g_string_free (g_steal_pointer (&path), FALSE);
  out->body = spec->body_func != NULL ? spec->body_func (ws_seed) : g_strdup (spec->body);
}

static void
build_request (const RouteInfo *route,
               Seed            *seed,
               gboolean         fresh,
               Request         *out)
{
  build_request_full (route, seed, seed, fresh, out);
}

static gboolean
route_is_public (const RouteInfo *route)
{
  return (route->flags & DECA_ROUTE_PUBLIC) != 0;
}

static gboolean
route_names_resource (const RouteInfo *route)
{
  return strchr (route->pattern, '{') != NULL;
}

/* Whether @route takes a body (webhooks too: they parse a JSON body themselves). */
static gboolean
route_takes_body (const RouteInfo *route)
{
  return g_str_equal (route->method, "POST") || g_str_equal (route->method, "PUT")
         || g_str_equal (route->method, "PATCH");
}

/* --- the tests ----------------------------------------------------------------------- */

static void
test_routes (void)
{
  g_autoptr(GHashTable) expected = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (public_routes); i++)
    g_hash_table_add (expected, (gpointer) public_routes[i]);
  for (guint i = 0; i < fx.routes->len; i++)
    {
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);
      g_autofree char *name = g_strdup_printf ("%s %s", route->method, route->pattern);
      g_auto(Request) request = { 0 };
      g_autoptr(Answer) answer = NULL;
      const RouteSpec *spec;

      /* Every route is in the table, with the permissions the documentation gives it. */
      spec = find_spec (route);
      /* Every change is audited: a route that is not a public GET says what it writes. */
      if (!route_is_public (route) && !g_str_equal (route->method, "GET") && spec->action == NULL)
        g_error ("%s: the table says nothing of its audit line", name);
      if (route->required != deca_permissions_from_string (spec->permissions))
        {
          g_autofree char *required = deca_permissions_to_string (route->required);

          g_error ("%s requires \"%s\", and should require \"%s\"", name, required, spec->permissions);
        }
      if (!route_is_public (route))
        continue;
      if (!g_hash_table_contains (expected, name))
        g_error ("%s is public, and not one of the routes that may be", name);
      g_hash_table_add (seen, g_steal_pointer (&name));
      /* Public: it answers without credentials. */
      build_request (route, &fx.a, FALSE, &request);
      answer = call (NULL, route->method, request.path, request.body);
      g_assert_cmpuint (answer->status, >=, 200);
      g_assert_cmpuint (answer->status, <, 300);
      g_assert_cmpuint (route->required, ==, 0);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (public_routes); i++)
    if (!g_hash_table_contains (seen, public_routes[i]))
      g_error ("%s should be public, and is not (or is not a route)", public_routes[i]);

  /* This server has the routes of the OpenAPI document, which test-openapi holds to the
   * routes of a server set up as deca serve is: a register call deca serve gains and
   * this file lacks fails here. */
  {
    g_autoptr(GError) error = NULL;
    DecaOpenApi *doc = deca_openapi_new_builtin (&error);
    g_autoptr(GPtrArray) operations = NULL;
    g_autoptr(GHashTable) registered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    g_assert_no_error (error);
    operations = deca_openapi_list_operations (doc);
    for (guint i = 0; i < fx.routes->len; i++)
      {
        const RouteInfo *route = g_ptr_array_index (fx.routes, i);
        g_autoptr(GString) name = g_string_new (NULL);

        g_string_printf (name, "%s %s", route->method, route->pattern);
        /* A rest parameter is one path parameter to OpenAPI. */
        g_string_replace (name, "*}", "}", 0);
        g_hash_table_add (registered, g_string_free (g_steal_pointer (&name), FALSE));
      }
    for (guint i = 0; i < operations->len; i++)
      if (!g_hash_table_contains (registered, g_ptr_array_index (operations, i)))
        g_error ("the OpenAPI document has %s, which this server (set up as deca serve is) lacks: "
                 "register it in server_setup() and add it to the table",
                 (const char *) g_ptr_array_index (operations, i));
    g_assert_cmpuint (operations->len, ==, g_hash_table_size (registered));
    deca_openapi_free (doc);
  }
}

static void
test_unauthenticated (void)
{
  guint checked = 0;

  for (guint i = 0; i < fx.routes->len; i++)
    {
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);
      g_auto(Request) request = { 0 };
      g_autoptr(Answer) answer = NULL;

      if (route_is_public (route))
        continue;
      build_request (route, &fx.a, FALSE, &request);
      answer = call (NULL, route->method, request.path, request.body);
      if (answer->status != 401)
        g_error ("%s %s without credentials: %u, not 401", route->method, route->pattern, answer->status);
      g_assert_cmpstr (json_object_get_string_member (answer_error (answer), "code"), ==, "unauthenticated");
      g_assert_true (g_str_has_prefix (answer_header (answer, "WWW-Authenticate"), "Bearer"));
      checked++;
    }
  g_assert_cmpuint (checked, >, 40);
}

typedef struct {
  const char *name;
  DecaRole role;
  gboolean member;          /* a member of A with a token, rather than an API key */
  gboolean x_api_key;       /* the key in X-Api-Key rather than Authorization */
  const char *scopes;       /* a key's scopes (a JSON array), a token's scope claim; or NULL */
  char *credentials;        /* the key or the token */
  char *actor;              /* as the audit log says it */
  DecaPermissions permissions;
} Caller;

/* An HS256 token of @sub, a member of A, with the scope claim @scope (nullable). */
static char *
member_token (const char *sub,
              const char *scope)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *scope_claim = scope != NULL ? g_strdup_printf (",\"scope\":\"%s\"", scope) : g_strdup ("");
  g_autofree char *claims = g_strdup_printf ("{\"sub\":\"%s\",\"iat\":%" G_GINT64_FORMAT ",\"exp\":%" G_GINT64_FORMAT
                                             ",\"" DECA_JWT_DEFAULT_WORKSPACE_CLAIM "\":\"" WS_A "\"%s}",
                                             sub, now - 60, now + 3600, scope_claim);
  const char *header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  g_autofree char *h = deca_base64url_encode ((const guint8 *) header, strlen (header));
  g_autofree char *c = deca_base64url_encode ((const guint8 *) claims, strlen (claims));
  g_autofree char *input = g_strconcat (h, ".", c, NULL);
  g_autofree char *signature = NULL;
  guint8 mac[32];

  g_assert_cmpint (gnutls_hmac_fast (GNUTLS_MAC_SHA256, JWT_SECRET, strlen (JWT_SECRET), input, strlen (input), mac),
                   ==, 0);
  signature = deca_base64url_encode (mac, sizeof mac);
  return g_strconcat (input, ".", signature, NULL);
}

static void
add_denial (GHashTable      *denials,
            const char      *actor,
            const char      *method,
            const char      *route,
            const char      *missing)
{
  g_autofree char *entry = g_strdup_printf ("%s %s %s [%s]", actor, method, route, missing);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (denials, entry));

  g_hash_table_insert (denials, g_steal_pointer (&entry), GUINT_TO_POINTER (count + 1));
}

static void
add_count (GHashTable *counts,
           const char *entry)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, entry));

  g_hash_table_insert (counts, g_strdup (entry), GUINT_TO_POINTER (count + 1));
}

/* Reads A's audit log: its access.denied lines into @denials, as add_denial() counts
 * them, and the other lines with result ok into @actions ("ACTOR ACTION"). */
static void
read_audit (GHashTable *denials,
            GHashTable *actions)
{
  g_autofree char *cursor = NULL;

  /* The shared paged list: {"items", "next_cursor"}, ?cursor= for the next page. */
  do
    {
      g_autofree char *path = cursor == NULL
                              ? g_strdup ("/api/v1/workspaces/" WS_A "/audit?limit=200")
                              : g_strdup_printf ("/api/v1/workspaces/" WS_A "/audit?limit=200&cursor=%s", cursor);
      g_autoptr(Answer) answer = call (fx.a.owner_key, "GET", path, NULL);
      JsonArray *entries;

      g_assert_cmpuint (answer->status, ==, 200);
      entries = json_object_get_array_member (answer_object (answer), "items");
      for (guint i = 0; i < json_array_get_length (entries); i++)
        {
          JsonObject *entry = json_array_get_object_element (entries, i);
          JsonObject *details;
          JsonArray *missing;
          g_autoptr(GString) names = g_string_new (NULL);

          if (!g_str_equal (json_object_get_string_member (entry, "action"), "access.denied"))
            {
              g_autofree char *key = NULL;

              if (g_str_equal (json_object_get_string_member (entry, "result"), "ok"))
                {
                  key = g_strdup_printf ("%s %s", json_object_get_string_member (entry, "actor"),
                                         json_object_get_string_member (entry, "action"));
                  add_count (actions, key);
                }
              continue;
            }
          g_assert_cmpstr (json_object_get_string_member (entry, "result"), ==, "denied");
          details = json_object_get_object_member (entry, "details");
          /* The target is the route's pattern: ids stay out of the audit log's targets of
           * refusals (docs/server.md). */
          g_assert_cmpstr (json_object_get_string_member (entry, "target"), ==,
                           json_object_get_string_member (details, "route"));
          missing = json_object_get_array_member (details, "missing");
          for (guint j = 0; j < json_array_get_length (missing); j++)
            g_string_append_printf (names, "%s%s", j > 0 ? " " : "", json_array_get_string_element (missing, j));
          add_denial (denials, json_object_get_string_member (entry, "actor"),
                      json_object_get_string_member (details, "method"),
                      json_object_get_string_member (details, "route"), names->str);
        }
      g_free (cursor);
      cursor = g_strdup (json_object_get_string_member_with_default (answer_object (answer), "next_cursor", NULL));
    }
  while (cursor != NULL);
}

static void
test_roles (void)
{
  Caller callers[] = {
    { "owner", DECA_ROLE_OWNER, FALSE, FALSE, NULL },
    /* Keys are taken in either header. */
    { "admin", DECA_ROLE_ADMIN, FALSE, TRUE, NULL },
    { "developer", DECA_ROLE_DEVELOPER, FALSE, FALSE, NULL },
    { "viewer", DECA_ROLE_VIEWER, FALSE, TRUE, NULL },
    { "executor", DECA_ROLE_EXECUTOR, FALSE, FALSE, NULL },
    /* A developer's key narrowed to reading flows: writes are refused. */
    { "developer", DECA_ROLE_DEVELOPER, FALSE, TRUE, "[\"read:flows\"]" },
    /* Members signing in with a token: their role is the membership's. */
    { "owner", DECA_ROLE_OWNER, TRUE, FALSE, NULL },
    { "admin", DECA_ROLE_ADMIN, TRUE, FALSE, NULL },
    { "developer", DECA_ROLE_DEVELOPER, TRUE, FALSE, NULL },
    { "viewer", DECA_ROLE_VIEWER, TRUE, FALSE, NULL },
    { "executor", DECA_ROLE_EXECUTOR, TRUE, FALSE, NULL },
    { "developer", DECA_ROLE_DEVELOPER, TRUE, FALSE, "read:flows" },
  };
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) denials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) expected_actions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) actions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer entry, count;
  guint refused = 0, allowed = 0, narrowed_refused_writes = 0;

  for (gsize c = 0; c < G_N_ELEMENTS (callers); c++)
    {
      if (callers[c].member)
        {
          g_autofree char *user = g_strdup_printf ("jwt-%s-%" G_GSIZE_FORMAT, callers[c].name, c);
          g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/" WS_A "/members/%s", user);
          g_autofree char *body = g_strdup_printf ("{\"role\": \"%s\"}", callers[c].name);

          g_free (call_expect (fx.a.owner_key, "PUT", path, body, 201, NULL));
          callers[c].credentials = member_token (user, callers[c].scopes);
          callers[c].actor = g_strconcat ("user:", user, NULL);
        }
      else
        {
          g_autofree char *body = g_strdup_printf ("{\"name\": \"%s\", \"role\": \"%s\"%s%s}", callers[c].name,
                                                   callers[c].name, callers[c].scopes != NULL ? ", \"scopes\": " : "",
                                                   callers[c].scopes != NULL ? callers[c].scopes : "");
          g_autoptr(Answer) answer = call (fx.a.owner_key, "POST", "/api/v1/workspaces/" WS_A "/api-keys", body);

          g_assert_cmpuint (answer->status, ==, 201);
          callers[c].credentials = g_strdup (answer_string (answer, "key"));
          callers[c].actor = g_strconcat ("key:", answer_string (answer, "id"), NULL);
        }
      callers[c].permissions = deca_rbac_role_permissions (callers[c].role);
      if (callers[c].scopes != NULL)
        callers[c].permissions &= DECA_PERMISSION_READ_FLOWS;
    }

  /* Each caller's workspace says its role and what it may do, narrowed by its scopes. */
  for (gsize c = 0; c < G_N_ELEMENTS (callers); c++)
    {
      g_autoptr(Answer) answer = call_full (callers[c].credentials, callers[c].x_api_key, "GET",
                                            "/api/v1/workspaces/" WS_A, NULL, -1);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *expected_names = deca_permissions_to_string (callers[c].permissions);
      g_autofree char *listed = NULL;
      JsonArray *permissions;

      g_assert_cmpuint (answer->status, ==, 200);
      g_assert_cmpstr (answer_string (answer, "role"), ==, callers[c].name);
      permissions = json_object_get_array_member (answer_object (answer), "permissions");
      for (guint j = 0; j < json_array_get_length (permissions); j++)
        g_ptr_array_add (names, g_strdup (json_array_get_string_element (permissions, j)));
      g_ptr_array_add (names, NULL);
      listed = deca_permissions_to_string (deca_permissions_from_strv ((const char * const *) names->pdata));
      g_assert_cmpstr (listed, ==, expected_names);
      g_assert_cmpuint (json_array_get_length (permissions), ==, (guint) __builtin_popcount (callers[c].permissions));
    }

  for (guint i = 0; i < fx.routes->len; i++)
    {
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);
      gboolean succeeded = FALSE;

      for (gsize c = 0; c < G_N_ELEMENTS (callers); c++)
        {
          DecaPermissions missing = route->required & ~callers[c].permissions;
          g_auto(Request) request = { 0 };
          g_autoptr(Answer) answer = NULL;

          build_request (route, &fx.a, TRUE, &request);
          answer = call_full (callers[c].credentials, callers[c].x_api_key, route->method, request.path,
                              request.body, -1);
          if (missing != 0)
            {
              g_autofree char *names = deca_permissions_to_string (missing);
              JsonObject *error;
              JsonArray *listed;
              g_autoptr(GString) listed_names = g_string_new (NULL);

              if (answer->status != 403)
                g_error ("%s %s by %s%s%s (missing %s): %u, not 403", route->method, route->pattern,
                         callers[c].name, callers[c].member ? " (member)" : "",
                         callers[c].scopes != NULL ? " (narrowed)" : "", names, answer->status);
              error = answer_error (answer);
              g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "forbidden");
              listed = json_object_get_array_member (json_object_get_object_member (error, "details"), "missing");
              for (guint j = 0; j < json_array_get_length (listed); j++)
                g_string_append_printf (listed_names, "%s%s", j > 0 ? " " : "",
                                        json_array_get_string_element (listed, j));
              g_assert_cmpstr (listed_names->str, ==, names);
              /* The message names them too: a person reads that. */
              g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), names));
              add_denial (expected, callers[c].actor, route->method, route->pattern, names);
              refused++;
              if (callers[c].scopes != NULL && !g_str_equal (route->method, "GET"))
                narrowed_refused_writes++;
            }
          else
            {
              if (answer->status == 401 || answer->status == 403)
                g_error ("%s %s by %s%s%s, who may: %u", route->method, route->pattern, callers[c].name,
                         callers[c].member ? " (member)" : "",
                         callers[c].scopes != NULL ? " (narrowed)" : "", answer->status);
              if (answer->status >= 200 && answer->status < 300)
                {
                  const RouteSpec *spec = find_spec (route);

                  succeeded = TRUE;
                  if (spec->action != NULL && *spec->action != '\0' && !route_is_public (route))
                    {
                      g_autofree char *key = g_strdup_printf ("%s %s", callers[c].actor, spec->action);

                      add_count (expected_actions, key);
                    }
                }
              allowed++;
            }
        }
      if (!succeeded)
        g_error ("%s %s: no role got a 2xx from it: its table entry needs a body that works",
                 route->method, route->pattern);
    }
  g_test_message ("%u routes: %u refusals, %u allowed calls", fx.routes->len, refused, allowed);
  g_assert_cmpuint (refused, >, 0);
  g_assert_cmpuint (narrowed_refused_writes, >, 0);

  /* One access.denied line for each refusal, with the route's pattern and what was
   * missing: no more, no fewer. */
  read_audit (denials, actions);
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &entry, &count))
    if (GPOINTER_TO_UINT (g_hash_table_lookup (denials, entry)) != GPOINTER_TO_UINT (count))
      g_error ("%u access.denied lines of '%s', expected %u", GPOINTER_TO_UINT (g_hash_table_lookup (denials, entry)),
               (const char *) entry, GPOINTER_TO_UINT (count));
  g_assert_cmpuint (g_hash_table_size (denials), ==, g_hash_table_size (expected));

  /* Every change a caller made is in the audit log in its name, once; and nothing else
   * is written in the callers' names. */
  g_hash_table_iter_init (&iter, expected_actions);
  while (g_hash_table_iter_next (&iter, &entry, &count))
    if (GPOINTER_TO_UINT (g_hash_table_lookup (actions, entry)) != GPOINTER_TO_UINT (count))
      g_error ("%u audit lines '%s', expected %u", GPOINTER_TO_UINT (g_hash_table_lookup (actions, entry)),
               (const char *) entry, GPOINTER_TO_UINT (count));
  g_hash_table_iter_init (&iter, actions);
  while (g_hash_table_iter_next (&iter, &entry, &count))
    for (gsize c = 0; c < G_N_ELEMENTS (callers); c++)
      if (g_str_has_prefix (entry, callers[c].actor) && ((const char *) entry)[strlen (callers[c].actor)] == ' '
          && !g_hash_table_contains (expected_actions, entry))
        g_error ("%u audit lines '%s' that no change of the matrix explains", GPOINTER_TO_UINT (count),
                 (const char *) entry);

  for (gsize c = 0; c < G_N_ELEMENTS (callers); c++)
    {
      g_free (callers[c].credentials);
      g_free (callers[c].actor);
    }
}

/* Removes the members that change without a change of the object. */
static void
normalize (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) names = NULL;

      /* Before the names are taken: they are the object's own strings. */
      json_object_remove_member (object, "last_used_at");
      json_object_remove_member (object, "exported_at");
      names = json_object_get_members (object);
      for (GList *l = names; l != NULL; l = l->next)
        normalize (json_object_get_member (object, l->data));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = json_array_get_length (array); i > 0; i--)
        {
          JsonNode *element = json_array_get_element (array, i - 1);

          /* An export is audited: the snapshot's own reads add those lines. */
          if (JSON_NODE_HOLDS_OBJECT (element)
              && g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (element), "action", NULL),
                            "workspace.export") == 0)
            json_array_remove_element (array, i - 1);
          else
            normalize (element);
        }
    }
}

/* What B's owner reads on every GET route, route by route. */
static GPtrArray *
snapshot_b (void)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < fx.routes->len; i++)
    {
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);
      g_auto(Request) request = { 0 };
      g_autoptr(Answer) answer = NULL;

      if (route_is_public (route) || !g_str_equal (route->method, "GET"))
        continue;
      build_request (route, &fx.b, FALSE, &request);
      answer = call (fx.b.owner_key, "GET", request.path, NULL);
      g_assert_cmpuint (answer->status, ==, 200);
      if (answer->json != NULL)
        {
          g_autofree char *text = NULL;

          normalize (answer->json);
          text = json_to_string (answer->json, FALSE);
          g_ptr_array_add (texts, g_strdup_printf ("%s: %s", request.path, text));
        }
      else
        g_ptr_array_add (texts, g_strdup_printf ("%s: %.*s", request.path, (int) g_bytes_get_size (answer->body),
                                                 (const char *) g_bytes_get_data (answer->body, NULL)));
    }
  return texts;
}

static void
test_cross_workspace (void)
{
  g_autoptr(GPtrArray) after = NULL;
  guint tried = 0;

  for (guint i = 0; i < fx.routes->len; i++)
    {
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);
      g_auto(Request) request = { 0 };
      g_autoptr(Answer) answer = NULL;

      /* Public routes take their workspace from the URL, without a caller to compare
       * it with (a webhook of B runs B's flow, whoever calls). */
      if (route_is_public (route) || !route_names_resource (route))
        continue;
      build_request (route, &fx.b, FALSE, &request);
      answer = call (fx.a.owner_key, route->method, request.path, request.body);
      if (answer->status != 404)
        g_error ("%s %s by A's owner: %u, not 404", route->method, request.path, answer->status);
      g_assert_cmpstr (json_object_get_string_member (answer_error (answer), "code"), ==, "not_found");
      if (answer_contains (answer, MARKER))
        g_error ("%s %s by A's owner: B's data in the answer", route->method, request.path);
      tried++;
    }
  g_assert_cmpuint (tried, >, 30);

  /* A's own workspace in the path, B's object after it: B's member is no member of A,
   * B's key no key of A. Putting B's user in A makes a member of A (users are not a
   * workspace's), which the snapshot shows did nothing to B. */
  tried = 0;
  for (guint i = 0; i < fx.routes->len; i++)
    {
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);
      g_auto(Request) request = { 0 };
      g_autoptr(Answer) answer = NULL;

      if (route_is_public (route) || strstr (route->pattern, "{ws}/") == NULL
          || !strchr (strstr (route->pattern, "{ws}/") + 5, '{')
          || (g_str_equal (route->method, "PUT") && strstr (route->pattern, "{user}") != NULL))
        continue;
      build_request_full (route, &fx.a, &fx.b, FALSE, &request);
      answer = call (fx.a.owner_key, route->method, request.path, request.body);
      if (answer->status != 404)
        g_error ("%s %s by A's owner: %u, not 404", route->method, request.path, answer->status);
      g_assert_false (answer_contains (answer, MARKER));
      tried++;
    }
  g_assert_cmpuint (tried, >=, 3);

  /* What A lists holds nothing of B, also when A asks for B's objects by a filter. */
  for (guint i = 0; i < fx.routes->len; i++)
    {
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);
      g_auto(Request) request = { 0 };
      g_autoptr(Answer) answer = NULL;

      if (route_is_public (route) || !g_str_equal (route->method, "GET"))
        continue;
      build_request (route, &fx.a, FALSE, &request);
      answer = call (fx.a.owner_key, "GET", request.path, NULL);
      g_assert_cmpuint (answer->status, ==, 200);
      if (answer_contains (answer, MARKER))
        g_error ("GET %s by A's owner holds B's data", request.path);
    }
  {
    static const char * const filters[] = {
      "/api/v1/executions?flow_id=flow-b",
      "/api/v1/executions?flow_id=approval-b&status=paused",
      "/api/v1/agents?name=" MARKER,
      "/api/v1/prompts?name=" MARKER,
      "/api/v1/functions?name=" MARKER,
    };

    for (gsize i = 0; i < G_N_ELEMENTS (filters); i++)
      {
        g_autoptr(Answer) answer = call (fx.a.owner_key, "GET", filters[i], NULL);

        g_assert_cmpuint (answer->status, ==, 200);
        if (json_array_get_length (json_object_get_array_member (answer_object (answer), "items")) != 0)
          g_error ("GET %s by A's owner lists B's objects", filters[i]);
      }
  }
  /* Flow ids are global (docs/server.md): taking B's is a 409, which says nothing of B,
   * through the flows routes and through an import. */
  {
    g_autofree char *doc = plain_flow (fx.b.ids[OBJ_FLOW]);
    g_autoptr(Answer) answer = call (fx.a.owner_key, "POST", "/api/v1/flows", doc);
    g_autofree char *bundle = g_strdup_printf ("{\"format\": \"deca-workspace\", \"version\": 1,"
                                               " \"flows\": [{\"id\": \"%s\", \"name\": \"Mine\", \"document\": %s}]}",
                                               fx.b.ids[OBJ_FLOW], doc);
    g_autoptr(Answer) imported = NULL;

    g_assert_cmpuint (answer->status, ==, 409);
    g_assert_false (answer_contains (answer, MARKER));
    for (guint mode = 0; mode < 2; mode++)
      {
        g_clear_pointer (&imported, answer_free);
        imported = call (fx.a.owner_key, "POST",
                         mode == 0 ? "/api/v1/workspaces/" WS_A "/import?mode=merge"
                                   : "/api/v1/workspaces/" WS_A "/import?mode=replace", bundle);
        g_assert_cmpuint (imported->status, ==, 409);
        g_assert_false (answer_contains (imported, MARKER));
      }
  }

  /* Ids and users that B has, used by A for its own: library ids are per workspace, and
   * users are not a workspace's; A's objects of the same name are A's, and going through
   * their whole life leaves B's alone. */
  for (Obj kind = OBJ_AGENT; kind <= OBJ_FUNCTION; kind++)
    {
      const char *id = fx.b.ids[kind];
      g_autofree char *collection = g_strdup_printf ("/api/v1/%s", library_collection (kind));
      g_autofree char *item = g_strdup_printf ("%s/%s", collection, id);
      g_autofree char *versions = g_strdup_printf ("%s/versions", item);
      g_autofree char *document = library_document (kind, id, "A's own");
      g_autofree char *renamed = library_document (kind, NULL, "A's own, renamed");
      g_autofree char *name = NULL;

      g_free (call_expect (fx.a.owner_key, "POST", collection, document, 201, NULL));
      name = call_expect (fx.a.owner_key, "GET", item, NULL, 200, "name");
      g_assert_cmpstr (name, ==, "A's own");
      g_free (call_expect (fx.a.owner_key, "PUT", item, renamed, 200, NULL));
      g_free (call_expect (fx.a.owner_key, "GET", versions, NULL, 200, NULL));
      g_free (call_expect (fx.a.owner_key, "DELETE", item, NULL, 204, NULL));
      g_free (call_expect (fx.a.owner_key, "GET", item, NULL, 404, NULL));
    }
  {
    g_autofree char *member = g_strdup_printf ("/api/v1/workspaces/" WS_A "/members/%s", fx.b.ids[OBJ_MEMBER]);
    g_autofree char *role = NULL;

    g_free (call_expect (fx.a.owner_key, "PUT", member, "{\"role\": \"executor\"}", 201, NULL));
    role = call_expect (fx.a.owner_key, "GET", member, NULL, 200, "role");
    g_assert_cmpstr (role, ==, "executor");
    g_free (call_expect (fx.a.owner_key, "DELETE", member, NULL, 204, NULL));
  }

  /* A subflow node of A naming B's flow, a flow nobody has, or a version A's flow lacks:
   * the execution fails, and its error says which flow is missing, without the store's
   * path (call_full() refuses any answer naming the data directory) or B's data. */
  {
    g_autofree char *missing_version = g_strdup_printf ("\"flow_id\": \"%s\", \"version\": 99",
                                                        fx.a.ids[OBJ_FLOW]);
    g_autofree char *of_b = g_strdup_printf ("\"flow_id\": \"%s\"", fx.b.ids[OBJ_FLOW]);
    const char *configs[] = { of_b, "\"flow_id\": \"no-such-flow\"", missing_version };
    const char *named[] = { fx.b.ids[OBJ_FLOW], "no-such-flow", fx.a.ids[OBJ_FLOW] };

    for (gsize i = 0; i < G_N_ELEMENTS (configs); i++)
      {
        g_autofree char *id = g_strdup_printf ("calls-%" G_GSIZE_FORMAT "-a", i);
        g_autofree char *doc = g_strdup_printf ("{\"id\": \"%s\", \"name\": \"Calls\", \"nodes\": ["
                                                "{\"id\": \"call\", \"type\": \"subflow\", \"config\": {%s}}]}",
                                                id, configs[i]);
        g_autofree char *path = g_strdup_printf ("/api/v1/flows/%s/execute?wait=true", id);
        g_autoptr(Answer) answer = NULL;
        const char *message;

        g_free (call_expect (fx.a.owner_key, "POST", "/api/v1/flows", doc, 201, NULL));
        answer = call (fx.a.owner_key, "POST", path, "{\"input\": {}}");
        g_assert_cmpuint (answer->status, ==, 200);
        g_assert_cmpstr (answer_string (answer, "status"), ==, "failed");
        message = json_object_get_string_member (json_object_get_object_member (answer_object (answer), "error"),
                                                 "message");
        g_test_message ("%s: %s", id, message);
        g_assert_nonnull (strstr (message, named[i]));
        g_assert_null (strstr (message, fx.test->dir));
        g_assert_null (strstr (message, "deca.db"));
        g_assert_false (answer_contains (answer, MARKER));
      }
  }

  /* Nothing A did, in this test or before it (publishing events B's flow also
   * subscribes to, calling A's webhooks, importing into A), changed B. */
  after = snapshot_b ();
  g_assert_cmpuint (after->len, ==, fx.b_at_start->len);
  for (guint i = 0; i < after->len; i++)
    g_assert_cmpstr (g_ptr_array_index (after, i), ==, g_ptr_array_index (fx.b_at_start, i));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The Allow header @pattern's methods make ("GET, HEAD, POST"). */
static char *
allow_of (const char *pattern,
          char      **unused_method)
{
  g_autoptr(GPtrArray) methods = g_ptr_array_new ();
  static const char * const candidates[] = { "PATCH", "OPTIONS", "TRACE" };
  g_autoptr(GString) allow = g_string_new (NULL);

  for (guint i = 0; i < fx.routes->len; i++)
    {
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);

      if (g_str_equal (route->pattern, pattern))
        {
          g_ptr_array_add (methods, route->method);
          if (g_str_equal (route->method, "GET"))
            g_ptr_array_add (methods, (gpointer) "HEAD");
        }
    }
  g_ptr_array_sort (methods, compare_strings);
  for (guint i = 0; i < methods->len; i++)
    g_string_append_printf (allow, "%s%s", i > 0 ? ", " : "", (const char *) g_ptr_array_index (methods, i));
  *unused_method = NULL;
  for (gsize c = 0; c < G_N_ELEMENTS (candidates) && *unused_method == NULL; c++)
    if (!g_ptr_array_find_with_equal_func (methods, candidates[c], g_str_equal, NULL))
      *unused_method = g_strdup (candidates[c]);
  g_assert_nonnull (*unused_method);
  return g_string_free (g_steal_pointer (&allow), FALSE);
}

static void
test_errors (void)
{
  g_autoptr(GHashTable) patterns = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *big = g_malloc (MAX_BODY + 2);
  guint bodies = 0;
  static const char * const unknown[] = {
    "/nothing", "/api/v1/nothing", "/api/v1/flows/x/nothing", "/api/v2/flows",
    /* Empty segments match nothing (docs/server.md, "Routes and handlers"). */
    "/api/v1/flows/", "/api/v1//flows", "/api/v1/workspaces/" WS_A "/members/",
  };

  memset (big, ' ', MAX_BODY + 1);
  big[0] = '{';
  big[MAX_BODY] = '}';
  big[MAX_BODY + 1] = '\0';

  for (guint i = 0; i < fx.routes->len; i++)
    {
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);
      g_auto(Request) request = { 0 };

      build_request (route, &fx.a, FALSE, &request);

      /* A wrong method, once per path pattern: 405 with the path's methods. */
      if (!g_hash_table_contains (patterns, route->pattern))
        {
          g_autofree char *method = NULL;
          g_autofree char *allow = allow_of (route->pattern, &method);
          g_autoptr(Answer) answer = call (fx.a.owner_key, method, request.path, NULL);

          g_hash_table_add (patterns, route->pattern);
          if (answer->status != 405)
            g_error ("%s %s: %u, not 405", method, request.path, answer->status);
          g_assert_cmpstr (answer_header (answer, "Allow"), ==, allow);
        }

      if (!route_takes_body (route))
        continue;

      /* Over the limit: 413 with the limit. */
      {
        g_autoptr(Answer) answer = call_full (route_is_public (route) ? NULL : fx.a.owner_key, FALSE, route->method,
                                              request.path, big, MAX_BODY + 1);
        JsonObject *details;

        if (answer->status != 413)
          g_error ("%s %s with %d bytes: %u, not 413", route->method, route->pattern, MAX_BODY + 1, answer->status);
        details = json_object_get_object_member (answer_error (answer), "details");
        g_assert_cmpint (json_object_get_int_member (details, "max_bytes"), ==, MAX_BODY);
      }
      /* Malformed: 400 with where. */
      {
        g_autoptr(Answer) answer = call (route_is_public (route) ? NULL : fx.a.owner_key, route->method,
                                         request.path, "{\"a\":\n  tru}");
        JsonObject *details;

        if (answer->status != 400)
          g_error ("%s %s with malformed JSON: %u, not 400", route->method, route->pattern, answer->status);
        details = json_object_get_object_member (answer_error (answer), "details");
        g_assert_cmpint (json_object_get_int_member (details, "line"), ==, 2);
        g_assert_cmpint (json_object_get_int_member (details, "column"), >, 0);
      }
      /* Not text: 400 at the byte's offset (webhooks take any bytes as their input's
       * body unless they are sent as JSON, which these are). */
      for (guint k = 0; k < 2; k++)
        {
          static const char * const bad[] = { "{\"a\": \"\xff\"}", "{\"a\": \"x\0\"}" };
          g_autoptr(Answer) answer = call_full (route_is_public (route) ? NULL : fx.a.owner_key, FALSE, route->method,
                                                request.path, bad[k], 10);
          JsonObject *details;

          if (answer->status != 400)
            g_error ("%s %s with a body that is not text: %u, not 400", route->method, route->pattern,
                     answer->status);
          details = json_object_get_object_member (answer_error (answer), "details");
          if (!json_object_has_member (details, "offset") && !json_object_has_member (details, "line"))
            g_error ("%s %s with a body that is not text: no offset", route->method, route->pattern);
        }
      /* No body at all: whatever the route makes of it, not the server's fault (call()
       * refuses 5xx) and in the error shape. */
      {
        g_auto(Request) fresh = { 0 };
        g_autoptr(Answer) answer = NULL;

        /* It may act (deactivate, cancel): on a fresh object where the route uses one up. */
        build_request (route, &fx.a, TRUE, &fresh);
        answer = call (route_is_public (route) ? NULL : fx.a.owner_key, route->method, fresh.path, NULL);
        g_assert_cmpuint (answer->status, <, 500);
      }
      /* A body that is not an object where an object belongs: 400 at "". */
      if (!route_is_public (route) && request.body != NULL && request.body[0] == '{')
        {
          g_autoptr(Answer) answer = call (fx.a.owner_key, route->method, request.path, "[1]");
          JsonObject *details;

          details = answer->status >= 400 ? json_object_get_object_member (answer_error (answer), "details") : NULL;
          /* The import answers every problem of a bundle at once, its shape's too: a 422
           * with the problem at "" (docs/server.md, "Export and import"). */
          if (answer->status == 422 && details != NULL && json_object_has_member (details, "problems"))
            {
              JsonArray *problems = json_object_get_array_member (details, "problems");

              g_assert_cmpuint (json_array_get_length (problems), ==, 1);
              g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (problems, 0), "pointer"),
                               ==, "");
            }
          else if (answer->status == 400 && details != NULL)
            g_assert_cmpstr (json_object_get_string_member_with_default (details, "pointer", NULL), ==, "");
          else
            g_error ("%s %s with [1]: %u, not 400 at \"\"", route->method, route->pattern, answer->status);
          bodies++;
        }
    }
  g_assert_cmpuint (bodies, >, 15);

  /* HEAD is GET without the body, with and without credentials. */
  for (guint i = 0; i < fx.routes->len; i++)
    {
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);
      g_auto(Request) request = { 0 };

      if (!g_str_equal (route->method, "GET"))
        continue;
      build_request (route, &fx.a, FALSE, &request);
      for (guint k = 0; k < 2; k++)
        {
          const char *key = k == 0 ? fx.a.owner_key : NULL;
          g_autoptr(Answer) get = call (key, "GET", request.path, NULL);
          g_autoptr(Answer) head = call (key, "HEAD", request.path, NULL);

          if (head->status != get->status)
            g_error ("HEAD %s%s: %u, GET %u", request.path, key == NULL ? " without credentials" : "",
                     head->status, get->status);
          g_assert_cmpuint (g_bytes_get_size (head->body), ==, 0);
        }
    }

  /* A path parameter with a form of its own, given something else: 400 naming it, on
   * every route that has it, whatever the method. */
  for (guint i = 0; i < fx.routes->len; i++)
    {
      static const struct {
        const char *segment;
        const char *bad;
        const char *parameter;
      } forms[] = {
        { "{user}", "%01", "user" },  /* 1 to 200 characters without control characters */
        { "{version}", "first", "version" },
      };
      const RouteInfo *route = g_ptr_array_index (fx.routes, i);

      for (gsize f = 0; f < G_N_ELEMENTS (forms); f++)
        {
          g_auto(Request) request = { 0 };
          g_autoptr(Answer) answer = NULL;
          g_autoptr(GString) path = NULL;
          JsonObject *details;

          if (strstr (route->pattern, forms[f].segment) == NULL)
            continue;
          build_request (route, &fx.a, FALSE, &request);
          path = g_string_new (route->pattern);
          g_string_replace (path, forms[f].segment, forms[f].bad, 1);
          g_string_replace (path, "{ws}", fx.a.ws, 1);
          g_string_replace (path, "{id}", fx.a.ids[OBJ_FLOW], 1);
          g_assert_null (strchr (path->str, '{'));
          answer = call (fx.a.owner_key, route->method, path->str, request.body);
          if (answer->status != 400)
            g_error ("%s %s: %u, not 400", route->method, path->str, answer->status);
          details = json_object_get_object_member (answer_error (answer), "details");
          g_assert_cmpstr (json_object_get_string_member_with_default (details, "parameter", NULL), ==,
                           forms[f].parameter);
        }
    }

  /* A bad field: its pointer. */
  {
    g_autoptr(Answer) answer = call (fx.a.owner_key, "PUT", "/api/v1/workspaces/" WS_A "/members/carol",
                                     "{\"role\": \"king\"}");

    g_assert_cmpuint (answer->status, ==, 400);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer_error (answer), "details"),
                                                    "pointer"), ==, "/role");
  }
  {
    g_autoptr(Answer) answer = call (fx.a.owner_key, "POST", "/api/v1/credentials",
                                     "{\"name\": \"9lives\", \"type\": \"api_key\", \"secret\": {\"k\": \"v\"}}");

    g_assert_cmpuint (answer->status, ==, 400);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer_error (answer), "details"),
                                                    "pointer"), ==, "/name");
  }

  /* Unknown paths: 404, with and without credentials. */
  for (gsize i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_autoptr(Answer) with_key = call (fx.a.owner_key, "GET", unknown[i], NULL);
      g_autoptr(Answer) without = call (NULL, "GET", unknown[i], NULL);

      g_assert_cmpuint (with_key->status, ==, 404);
      g_assert_cmpuint (without->status, ==, 404);
      g_assert_cmpstr (json_object_get_string_member (answer_error (with_key), "code"), ==, "not_found");
    }

  g_test_message ("%u error answers checked for their shape", fx.answers_checked);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  fx.routes = g_ptr_array_new_with_free_func (route_info_free);
  fx.openapi = deca_openapi_new_builtin (&error);
  g_assert_no_error (error);
  fx.test = deca_test_server_new ("matrix", &(DecaTestServerOptions) { .max_body_size = MAX_BODY,
                                                                        .setup = server_setup });

  fx.a = (Seed) { .ws = WS_A, .suffix = "a", .name = "Team A", .owner_key = fx.a.owner_key };
  fx.b = (Seed) { .ws = WS_B, .suffix = "b", .name = MARKER, .owner_key = fx.b.owner_key };
  seed_workspace (&fx.a);
  seed_workspace (&fx.b);
  wait_settled (&fx.b);
  fx.b_at_start = snapshot_b ();

  /* In this order: the role matrix reads the audit lines only it wrote. */
  g_test_add_func ("/matrix/routes", test_routes);
  g_test_add_func ("/matrix/unauthenticated", test_unauthenticated);
  g_test_add_func ("/matrix/roles", test_roles);
  g_test_add_func ("/matrix/cross-workspace", test_cross_workspace);
  g_test_add_func ("/matrix/errors", test_errors);
  status = g_test_run ();

  deca_test_server_free (fx.test);
  g_ptr_array_unref (fx.routes);
  g_ptr_array_unref (fx.b_at_start);
  deca_openapi_free (fx.openapi);
  for (guint s = 0; s < 2; s++)
    {
      Seed *seed = s == 0 ? &fx.a : &fx.b;

      g_free (seed->owner_key);
      g_free (seed->approval_flow);
      for (int i = 0; i < N_OBJS; i++)
        g_free (seed->ids[i]);
    }
  return status;
}
