/* test-api-flows.c: the flows and executions resources of the REST API
 * (server/deca-api-flows.c), on an in-process DecaServer: every route's answer and its
 * errors (400 with the pointer, 401, 403, 404, 409, 422), workspace isolation, paging,
 * executions started and polled, ?wait=true, cancel, approve and reject, retry, resume
 * from a node, and executions that survive a restart of the server.
 *
 * The server runs on a thread of its own with its own main context (the store and the
 * executor are used from that thread); the test talks to it with SoupSession's blocking
 * API. A test authenticator stands in for the real one: the X-Test-Principal header
 * ("WORKSPACE ROLE") becomes the principal, X-Test-Scope narrows it. It does not check
 * the route's permissions itself, so the 403s below come from the routes. */

#include "config.h"

#include <string.h>

#include "deca-api-flows.h"
#include "deca-openapi.h"
#include "deca-principal.h"
#include "deca-server-test.h"
#include "deca-store-server.h"
#include "deca-test-fs.h"

typedef struct {
  DecaTestServer *test;
  DecaApiFlows *flows;    /* used on the server thread only */
  GMutex lock;            /* for signals */
  int resumed;            /* what deca_api_flows_resume_interrupted() gave at start */
  /* Signals seen on the server thread, as "name:workspace:flow[:value]" lines. */
  GPtrArray *signals;
} Fixture;

/* --- the server thread -------------------------------------------------------------- */

static gboolean
auth_cb (DecaRequest  *request,
         gpointer      user_data,
         GError      **error)
{
  const char *header = deca_request_get_header (request, "X-Test-Principal");
  const char *scope = deca_request_get_header (request, "X-Test-Scope");
  g_auto(GStrv) parts = NULL;
  DecaPrincipal *principal;

  if (header == NULL)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNAUTHENTICATED, "no credentials");
      return FALSE;
    }
  parts = g_strsplit (header, " ", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  principal = deca_principal_new (DECA_PRINCIPAL_TOKEN, "tester@example.com");
  if (!g_str_equal (parts[0], "-"))
    principal->workspace_id = g_strdup (parts[0]);
  g_strfreev (principal->roles);
  principal->roles = g_strsplit (parts[1], ",", -1);
  if (scope != NULL)
    principal->scopes = g_strsplit (scope, " ", -1);
  deca_request_set_principal (request, principal, (GDestroyNotify) deca_principal_free);
  return TRUE;
}

static void
record_signal (Fixture    *fixture,
               const char *line)
{
  g_mutex_lock (&fixture->lock);
  g_ptr_array_add (fixture->signals, g_strdup (line));
  g_mutex_unlock (&fixture->lock);
}

static void
flow_saved_cb (DecaApiFlows *api,
               const char   *workspace_id,
               const char   *flow_id,
               gint64        version,
               Fixture      *fixture)
{
  g_autofree char *line = g_strdup_printf ("saved:%s:%s:%" G_GINT64_FORMAT, workspace_id, flow_id, version);

  record_signal (fixture, line);
}

static void
flow_active_changed_cb (DecaApiFlows *api,
                        const char   *workspace_id,
                        const char   *flow_id,
                        gboolean      active,
                        Fixture      *fixture)
{
  g_autofree char *line = g_strdup_printf ("active:%s:%s:%s", workspace_id, flow_id, active ? "true" : "false");

  record_signal (fixture, line);
}

static void
flow_deleted_cb (DecaApiFlows *api,
                 const char   *workspace_id,
                 const char   *flow_id,
                 Fixture      *fixture)
{
  g_autofree char *line = g_strdup_printf ("deleted:%s:%s", workspace_id, flow_id);

  record_signal (fixture, line);
}

/* On the server thread: the workspaces (not again after a restart), the flows routes
 * with the signals recorded, interrupted executions resumed, the test authenticator. */
static void
server_setup (DecaTestServer *test,
              DecaServer     *server,
              gpointer        user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaWorkspaceRecord) existing = NULL;

  /* Workspaces are made by the workspaces resource; here directly (again after a
   * restart, where they exist). */
  existing = deca_store_get_workspace (deca_server_get_store (server), "ws-a", NULL);
  if (existing == NULL)
    {
      g_assert_true (deca_store_create_workspace (deca_server_get_store (server), "ws-a", "A", &error));
      g_assert_true (deca_store_create_workspace (deca_server_get_store (server), "ws-b", "B", &error));
    }
  fixture->flows = deca_api_flows_register (server, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->flows, "flow-saved", G_CALLBACK (flow_saved_cb), fixture);
  g_signal_connect (fixture->flows, "flow-active-changed", G_CALLBACK (flow_active_changed_cb), fixture);
  g_signal_connect (fixture->flows, "flow-deleted", G_CALLBACK (flow_deleted_cb), fixture);
  fixture->resumed = deca_api_flows_resume_interrupted (fixture->flows, &error);
  g_assert_no_error (error);
  deca_server_set_authenticator (server, auth_cb, NULL, NULL);
}

/* The routes hold the resource; the server goes first, then nothing holds either. */
static void
server_teardown (DecaTestServer *test,
                 DecaServer     *server,
                 gpointer        user_data)
{
  Fixture *fixture = user_data;

  g_clear_object (&fixture->flows);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  DecaTestServerOptions options = { .setup = server_setup, .teardown = server_teardown, .user_data = fixture };

  g_mutex_init (&fixture->lock);
  fixture->signals = g_ptr_array_new_with_free_func (g_free);
  fixture->test = deca_test_server_new ("api-flows", &options);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_server_free (fixture->test);
  g_mutex_clear (&fixture->lock);
  g_ptr_array_unref (fixture->signals);
}

/* --- helpers ------------------------------------------------------------------------ */

/* Sends @method @path as @who ("WORKSPACE ROLE", NULL: no credentials) with @body (JSON
 * text, nullable) and extra headers in name, value pairs (NULL-terminated). Returns the
 * status; *@out (nullable) receives the parsed body (NULL when empty), *@out_message the
 * message (for headers). */
static guint
call (Fixture      *fixture,
      const char   *who,
      const char   *method,
      const char   *path,
      const char   *body,
      JsonNode    **out,
      SoupMessage **out_message,
      ...)
{
  g_autoptr(GPtrArray) headers = g_ptr_array_new ();
  g_auto(DecaTestAnswer) answer = { 0 };
  DecaTestRequest request = {
    .method = method, .path = path, .body = body, .body_length = -1,
    /* Only an answer the caller reads must be JSON. */
    .flags = out != NULL ? DECA_TEST_CALL_NONE : DECA_TEST_CALL_RAW,
  };
  const char *name;
  va_list args;

  if (who != NULL)
    {
      g_ptr_array_add (headers, "X-Test-Principal");
      g_ptr_array_add (headers, (gpointer) who);
    }
  va_start (args, out_message);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      g_ptr_array_add (headers, (gpointer) name);
      g_ptr_array_add (headers, va_arg (args, char *));
    }
  va_end (args);
  g_ptr_array_add (headers, NULL);
  request.headers = (const char * const *) headers->pdata;
  deca_test_send (fixture->test->session, fixture->test->uri, &request, &answer);
  if (out != NULL)
    *out = g_steal_pointer (&answer.json);
  if (out_message != NULL)
    *out_message = g_object_ref (answer.message);
  return answer.status;
}

#define CALL(fixture, who, method, path, body, out) call (fixture, who, method, path, body, out, NULL, NULL)

static JsonObject *
object_of (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* Checks the error shape of @node with @code; returns (transfer none) its details. */
static JsonNode *
assert_error (JsonNode   *node,
              const char *code)
{
  JsonObject *error = json_object_get_object_member (object_of (node), "error");

  g_assert_nonnull (error);
  g_assert_cmpuint (json_object_get_size (object_of (node)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  g_assert_true (json_object_has_member (error, "details"));
  return json_object_get_member (error, "details");
}

/* The message of the error answer @node. */
static const char *
error_message (JsonNode *node)
{
  return json_object_get_string_member (json_object_get_object_member (object_of (node), "error"), "message");
}

/* Checks a 400 whose details name @member (pointer, parameter, header) as @value. */
static void
assert_bad_request (guint       status,
                    JsonNode  **node,
                    const char *member,
                    const char *value)
{
  JsonNode *details;

  /* @node by reference: it is set by the call that gives @status, and arguments have no
   * order of evaluation. */
  g_assert_cmpuint (status, ==, 400);
  details = assert_error (*node, "bad_request");
  g_assert_cmpstr (json_object_get_string_member (object_of (details), member), ==, value);
}

static const char *chain_flow =
  "{\"id\": \"chain\", \"name\": \"Chain\", \"nodes\": ["
  " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.start}}\"}}},"
  " {\"id\": \"b\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{a.n + 1}}\"}}},"
  " {\"id\": \"c\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{b.n * 10}}\"}}}],"
  " \"connections\": [{\"from\": \"a\", \"to\": \"b\"}, {\"from\": \"b\", \"to\": \"c\"}]}";

static const char *approval_flow =
  "{\"id\": \"appr\", \"name\": \"Approval\", \"nodes\": ["
  " {\"id\": \"ask\", \"type\": \"approval\", \"config\": {\"message\": \"Refund {{input.amount}}?\"}},"
  " {\"id\": \"refund\", \"type\": \"transform\", \"config\": {\"set\": {\"done\": true, \"note\": \"{{ask.comment}}\"}}},"
  " {\"id\": \"deny\", \"type\": \"transform\", \"config\": {\"set\": {\"done\": false}}}],"
  " \"connections\": [{\"from\": \"ask\", \"to\": \"refund\", \"from_port\": \"approved\"},"
  "  {\"from\": \"ask\", \"to\": \"deny\", \"from_port\": \"rejected\"}]}";

static const char *nap_flow =
  "{\"id\": \"nap\", \"name\": \"Nap\", \"nodes\": ["
  " {\"id\": \"sleep\", \"type\": \"wait\", \"config\": {\"duration\": 3600}}]}";

static void
create_flow (Fixture    *fixture,
             const char *who,
             const char *document)
{
  g_autoptr(JsonNode) body = NULL;

  g_assert_cmpuint (CALL (fixture, who, "POST", "/api/v1/flows", document, &body), ==, 201);
}

static const char *
node_result_member (JsonObject *execution,
                    const char *node_key,
                    const char *member)
{
  JsonArray *results = json_object_get_array_member (execution, "node_results");

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (g_str_equal (json_object_get_string_member (result, "node_key"), node_key))
        return json_object_get_string_member (result, member);
    }
  return NULL;
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

/* Polls GET /executions/@id until its status is one of @statuses (|-separated);
 * returns (transfer full) the execution. Fails after 2000 polls. */
static JsonNode *
poll_execution (Fixture    *fixture,
                const char *who,
                const char *id,
                const char *statuses)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions/%s", id);
  g_auto(GStrv) wanted = g_strsplit (statuses, "|", -1);

  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(JsonNode) body = NULL;

      g_assert_cmpuint (CALL (fixture, who, "GET", path, NULL, &body), ==, 200);
      if (g_strv_contains ((const char * const *) wanted,
                           json_object_get_string_member (object_of (body), "status")))
        return g_steal_pointer (&body);
      /* Each poll is a round trip through the server's loop, which runs the execution
       * meanwhile; the pause only keeps the poll from spinning. */
      g_usleep (5000);
    }
  g_assert_not_reached ();
}

/* POST /flows/@flow_id/execute; returns (transfer full) the execution id. */
static char *
execute (Fixture    *fixture,
         const char *who,
         const char *flow_id,
         const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/flows/%s/execute", flow_id);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *location = NULL;
  const char *id;

  g_assert_cmpuint (call (fixture, who, "POST", path, body, &answer, &message, NULL), ==, 202);
  id = json_object_get_string_member (object_of (answer), "id");
  g_assert_nonnull (id);
  location = g_strdup_printf ("/api/v1/executions/%s", id);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (message), "Location"), ==,
                   location);
  return g_strdup (id);
}

static gboolean
saw_signal (Fixture    *fixture,
            const char *line)
{
  gboolean seen = FALSE;

  g_mutex_lock (&fixture->lock);
  for (guint i = 0; i < fixture->signals->len; i++)
    seen = seen || g_str_equal (g_ptr_array_index (fixture->signals, i), line);
  g_mutex_unlock (&fixture->lock);
  return seen;
}

#define OWNER_A "ws-a owner"
#define OWNER_B "ws-b owner"

/* --- flows -------------------------------------------------------------------------- */

static void
test_flow_crud (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *changed = NULL;
  JsonObject *object;

  g_assert_cmpuint (call (fixture, OWNER_A, "POST", "/api/v1/flows", chain_flow, &body, &message, NULL), ==, 201);
  object = object_of (body);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "chain");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Chain");
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
  g_assert_false (json_object_get_boolean_member (object, "active"));
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$",
                                       json_object_get_string_member (object, "created_at"), 0, 0));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (object, "document"), "nodes")), ==, 3);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (message), "Location"), ==,
                   "/api/v1/flows/chain");
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (message), "ETag"), ==, "\"1\"");
  g_assert_true (saw_signal (fixture, "saved:ws-a:chain:1"));
  g_clear_pointer (&body, json_node_unref);
  g_clear_object (&message);

  /* The same id again. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows", chain_flow, &body), ==, 409);
  assert_error (body, "conflict");
  g_clear_pointer (&body, json_node_unref);

  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows/chain", NULL, &body), ==, 200);
  g_assert_cmpint (json_object_get_int_member (object_of (body), "version"), ==, 1);
  g_clear_pointer (&body, json_node_unref);

  /* PUT: a new version; the id may be left out. */
  changed = g_strdup ("{\"name\": \"Chain 2\", \"nodes\": ["
                      " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": 1}}}]}");
  g_assert_cmpuint (call (fixture, OWNER_A, "PUT", "/api/v1/flows/chain", changed, &body, NULL,
                          "If-Match", "\"1\"", NULL), ==, 200);
  g_assert_cmpint (json_object_get_int_member (object_of (body), "version"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object_of (body), "name"), ==, "Chain 2");
  g_assert_true (saw_signal (fixture, "saved:ws-a:chain:2"));
  g_clear_pointer (&body, json_node_unref);

  /* The same content again is the same version. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "PUT", "/api/v1/flows/chain", changed, &body), ==, 200);
  g_assert_cmpint (json_object_get_int_member (object_of (body), "version"), ==, 2);
  g_clear_pointer (&body, json_node_unref);

  /* A stale If-Match. */
  g_assert_cmpuint (call (fixture, OWNER_A, "PUT", "/api/v1/flows/chain", chain_flow, &body, NULL,
                          "If-Match", "1", NULL), ==, 409);
  g_assert_cmpint (json_object_get_int_member (object_of (assert_error (body, "conflict")), "version"), ==, 2);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (call (fixture, OWNER_A, "PUT", "/api/v1/flows/chain", chain_flow, &body, NULL,
                          "If-Match", "soon", NULL), ==, 400);
  assert_bad_request (400, &body, "header", "If-Match");
  g_clear_pointer (&body, json_node_unref);

  /* Versions: newest first, each one readable. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows/chain/versions", NULL, &body), ==, 200);
  {
    JsonArray *items = json_object_get_array_member (object_of (body), "items");

    g_assert_cmpuint (json_array_get_length (items), ==, 2);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0), "version"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "name"), ==, "Chain");
  }
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows/chain/versions/1", NULL, &body), ==, 200);
  g_assert_cmpint (json_object_get_int_member (object_of (body), "version"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (object_of (body), "document"), "nodes")), ==, 3);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows/chain/versions/9", NULL, &body), ==, 404);
  assert_error (body, "not_found");
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "GET", "/api/v1/flows/chain/versions/first", NULL, &body), &body,
                      "parameter", "version");
  g_clear_pointer (&body, json_node_unref);

  /* Activate, deactivate. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/activate", NULL, &body), ==, 200);
  g_assert_true (json_object_get_boolean_member (object_of (body), "active"));
  g_assert_true (saw_signal (fixture, "active:ws-a:chain:true"));
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows?active=true", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==, 1);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/deactivate", NULL, &body), ==, 200);
  g_assert_false (json_object_get_boolean_member (object_of (body), "active"));
  g_assert_true (saw_signal (fixture, "active:ws-a:chain:false"));
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows?active=true", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==, 0);
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "GET", "/api/v1/flows?active=maybe", NULL, &body), &body,
                      "parameter", "active");
  g_clear_pointer (&body, json_node_unref);

  /* Delete: gone from the list and the routes; an active flow is deactivated. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/activate", NULL, NULL), ==, 200);
  g_mutex_lock (&fixture->lock);
  g_ptr_array_set_size (fixture->signals, 0);
  g_mutex_unlock (&fixture->lock);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "DELETE", "/api/v1/flows/chain", NULL, &body), ==, 204);
  g_assert_null (body);
  g_assert_true (saw_signal (fixture, "active:ws-a:chain:false"));
  g_assert_true (saw_signal (fixture, "deleted:ws-a:chain"));
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows/chain", NULL, &body), ==, 404);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "DELETE", "/api/v1/flows/chain", NULL, &body), ==, 404);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==, 0);
  g_clear_pointer (&body, json_node_unref);

  /* Created again under the same id: back, with the document as a new version. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows", chain_flow, &body), ==, 201);
  g_assert_cmpint (json_object_get_int_member (object_of (body), "version"), ==, 3);
  g_assert_false (json_object_get_boolean_member (object_of (body), "active"));
}

static gboolean
has_problem_at (JsonArray  *problems,
                const char *pointer)
{
  for (guint i = 0; i < json_array_get_length (problems); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (problems, i), "pointer"),
                     pointer))
      return TRUE;
  return FALSE;
}

static void
test_flow_bad_input (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  JsonArray *problems;
  gboolean unknown_type = FALSE, missing_target = FALSE;

  assert_bad_request (CALL (fixture, OWNER_A, "POST", "/api/v1/flows", "[1, 2]", &body), &body, "pointer", "");
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "POST", "/api/v1/flows", NULL, &body), &body, "pointer", "");
  g_clear_pointer (&body, json_node_unref);
  /* Malformed JSON is the server core's 400, with its position. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows", "{\"id\": ", &body), ==, 400);
  assert_error (body, "bad_request");
  g_clear_pointer (&body, json_node_unref);

  /* Every problem, each with its pointer; nothing saved. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows",
                          "{\"id\": \"broken\", \"nodes\": [{\"id\": \"x\", \"type\": \"no-such-type\"},"
                          " {\"id\": \"y\", \"type\": \"transform\", \"config\": {\"set\": {}}}],"
                          " \"connections\": [{\"from\": \"y\", \"to\": \"nowhere\"}]}", &body), ==, 422);
  problems = json_object_get_array_member (object_of (assert_error (body, "unprocessable")), "problems");
  g_assert_cmpuint (json_array_get_length (problems), >=, 2);
  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonObject *problem = json_array_get_object_element (problems, i);
      const char *pointer = json_object_get_string_member (problem, "pointer");

      g_assert_nonnull (json_object_get_string_member (problem, "message"));
      unknown_type = unknown_type || g_str_equal (pointer, "/nodes/0/type");
      missing_target = missing_target || g_str_has_prefix (pointer, "/connections/0");
    }
  g_assert_true (unknown_type);
  g_assert_true (missing_target);
  /* The count in a sentence with its real plural (ngettext), not an English "s" glued on. */
  {
    g_autofree char *expected = g_strdup_printf ("The flow is not valid: %u problems",
                                                 json_array_get_length (problems));

    g_assert_cmpstr (error_message (body), ==, expected);
  }
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows/broken", NULL, &body), ==, 404);
  g_clear_pointer (&body, json_node_unref);

  /* PUT: the id in the body must be the path's; a bad document is 422 and saves
   * nothing. */
  create_flow (fixture, OWNER_A, chain_flow);
  assert_bad_request (CALL (fixture, OWNER_A, "PUT", "/api/v1/flows/chain", approval_flow, &body), &body,
                      "pointer", "/id");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "PUT", "/api/v1/flows/chain",
                          "{\"nodes\": [{\"id\": \"x\", \"type\": \"no-such-type\"}]}", &body), ==, 422);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "PUT", "/api/v1/flows/chain",
                          "{\"name\": \"C\", \"nodes\": [{\"id\": \"x\", \"type\": \"no-such-type\"}]}", &body),
                    ==, 422);
  g_assert_cmpstr (error_message (body), ==, "The flow is not valid: 1 problem");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows/chain", NULL, &body), ==, 200);
  g_assert_cmpint (json_object_get_int_member (object_of (body), "version"), ==, 1);
  g_clear_pointer (&body, json_node_unref);
  /* A flow that is not there is 404 whatever the body says: another id, not an object. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "PUT", "/api/v1/flows/nothing", chain_flow, &body), ==, 404);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object_of (body), "error"),
                                                  "code"), ==, "not_found");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "PUT", "/api/v1/flows/nothing", "[1, 2]", &body), ==, 404);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "PUT", "/api/v1/flows/nothing",
                          "{\"name\": \"N\", \"nodes\": []}", &body), ==, 404);
  g_clear_pointer (&body, json_node_unref);

  /* Validate: problems without saving, of a proposed document or of the stored one. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/validate", NULL, &body), ==, 200);
  g_assert_true (json_object_get_boolean_member (object_of (body), "valid"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "problems")), ==, 0);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/validate",
                          "{\"id\": \"chain\", \"nodes\": [{\"id\": \"x\", \"type\": \"no-such-type\"}]}", &body),
                    ==, 200);
  g_assert_false (json_object_get_boolean_member (object_of (body), "valid"));
  problems = json_object_get_array_member (object_of (body), "problems");
  g_assert_true (has_problem_at (problems, "/nodes/0/type"));
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows/chain", NULL, &body), ==, 200);
  g_assert_cmpint (json_object_get_int_member (object_of (body), "version"), ==, 1);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/nothing/validate", NULL, &body), ==, 404);
  g_clear_pointer (&body, json_node_unref);

  /* Paging parameters. */
  assert_bad_request (CALL (fixture, OWNER_A, "GET", "/api/v1/flows?limit=0", NULL, &body), &body,
                      "parameter", "limit");
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "GET", "/api/v1/flows?limit=1000", NULL, &body), &body,
                      "parameter", "limit");
}

static void
test_flow_paging (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cursor = NULL;
  guint pages = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *document = g_strdup_printf ("{\"id\": \"flow-%u\", \"name\": \"F\", \"nodes\": []}", i);

      create_flow (fixture, OWNER_A, document);
    }
  create_flow (fixture, OWNER_B, "{\"id\": \"other\", \"name\": \"O\", \"nodes\": []}");
  do
    {
      g_autoptr(JsonNode) body = NULL;
      g_autofree char *path = cursor ? g_strdup_printf ("/api/v1/flows?limit=2&cursor=%s", cursor)
                                     : g_strdup ("/api/v1/flows?limit=2");
      JsonArray *items;
      JsonNode *next;

      g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", path, NULL, &body), ==, 200);
      items = json_object_get_array_member (object_of (body), "items");
      g_assert_cmpuint (json_array_get_length (items), <=, 2);
      for (guint i = 0; i < json_array_get_length (items); i++)
        g_ptr_array_add (seen, g_strdup (json_object_get_string_member (json_array_get_object_element (items, i),
                                                                        "id")));
      next = json_object_get_member (object_of (body), "next_cursor");
      g_clear_pointer (&cursor, g_free);
      if (!JSON_NODE_HOLDS_NULL (next))
        cursor = g_strdup (json_node_get_string (next));
      pages++;
    }
  while (cursor != NULL);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (seen->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("flow-%u", i);

      g_assert_cmpstr (g_ptr_array_index (seen, i), ==, id);
    }
}

/* --- who may -------------------------------------------------------------------------- */

static void
test_permissions (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;

  create_flow (fixture, OWNER_A, chain_flow);

  /* No credentials, no workspace. */
  g_assert_cmpuint (CALL (fixture, NULL, "GET", "/api/v1/flows", NULL, &body), ==, 401);
  assert_error (body, "unauthenticated");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, "- owner", "GET", "/api/v1/flows", NULL, &body), ==, 403);
  assert_error (body, "forbidden");
  g_clear_pointer (&body, json_node_unref);

  /* A viewer reads, changes nothing, runs nothing. */
  g_assert_cmpuint (CALL (fixture, "ws-a viewer", "GET", "/api/v1/flows/chain", NULL, &body), ==, 200);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, "ws-a viewer", "POST", "/api/v1/flows", approval_flow, &body), ==, 403);
  assert_error (body, "forbidden");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, "ws-a viewer", "PUT", "/api/v1/flows/chain", chain_flow, &body), ==, 403);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, "ws-a viewer", "DELETE", "/api/v1/flows/chain", NULL, &body), ==, 403);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, "ws-a viewer", "POST", "/api/v1/flows/chain/activate", NULL, &body), ==, 403);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, "ws-a viewer", "POST", "/api/v1/flows/chain/execute", NULL, &body), ==, 403);
  g_clear_pointer (&body, json_node_unref);

  /* An executor runs flows and follows executions, but changes no flow. */
  g_assert_cmpuint (CALL (fixture, "ws-a executor", "PUT", "/api/v1/flows/chain", chain_flow, &body), ==, 403);
  g_clear_pointer (&body, json_node_unref);
  id = execute (fixture, "ws-a executor", "chain", "{\"input\": {\"start\": 1}}");
  path = g_strdup_printf ("/api/v1/executions/%s", id);
  g_assert_cmpuint (CALL (fixture, "ws-a executor", "GET", path, NULL, &body), ==, 200);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, "ws-a viewer", "GET", path, NULL, &body), ==, 200);
  g_clear_pointer (&body, json_node_unref);
  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s/cancel", id);
  g_assert_cmpuint (CALL (fixture, "ws-a viewer", "POST", path, NULL, &body), ==, 403);
  g_clear_pointer (&body, json_node_unref);

  /* Scopes narrow the roles: an owner token with read:flows only. */
  g_assert_cmpuint (call (fixture, OWNER_A, "GET", "/api/v1/flows", NULL, &body, NULL,
                          "X-Test-Scope", "read:flows", NULL), ==, 200);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (call (fixture, OWNER_A, "DELETE", "/api/v1/flows/chain", NULL, &body, NULL,
                          "X-Test-Scope", "read:flows", NULL), ==, 403);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (call (fixture, OWNER_A, "GET", "/api/v1/executions", NULL, &body, NULL,
                          "X-Test-Scope", "read:flows", NULL), ==, 403);
  g_clear_pointer (&body, json_node_unref);

  /* A developer deletes. */
  g_assert_cmpuint (CALL (fixture, "ws-a developer", "DELETE", "/api/v1/flows/chain", NULL, &body), ==, 204);

  /* The audit log has the changes, the start and the refusals (read through a second
   * connection to the database). */
  {
    g_autofree char *db_path = g_strdup (fixture->test->db_path);
    g_autoptr(DecaStore) store = NULL;
    g_autoptr(GPtrArray) lines = NULL;
    g_autoptr(GError) error = NULL;
    guint denied = 0, created = 0, executed = 0, deleted = 0;

    store = deca_store_open (db_path, &error);
    g_assert_no_error (error);
    lines = deca_store_list_audit (store, "ws-a", 0, 0, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < lines->len; i++)
      {
        DecaAuditRecord *line = g_ptr_array_index (lines, i);

        g_assert_cmpstr (line->workspace_id, ==, "ws-a");
        if (g_str_equal (line->action, "access.denied"))
          {
            g_assert_cmpstr (line->result, ==, "denied");
            denied++;
          }
        created += g_str_equal (line->action, "flow.create") && g_str_equal (line->target, "chain");
        executed += g_str_equal (line->action, "flow.execute") && g_str_equal (line->target, id);
        deleted += g_str_equal (line->action, "flow.delete") && g_str_equal (line->result, "ok");
      }
    g_assert_cmpuint (denied, ==, 9);
    g_assert_cmpuint (created, ==, 1);
    g_assert_cmpuint (executed, ==, 1);
    g_assert_cmpuint (deleted, ==, 1);
  }
}

static void
test_isolation (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *id = NULL;
  const char *routes[][2] = {
    { "GET", "/api/v1/flows/chain" },
    { "PUT", "/api/v1/flows/chain" },
    { "DELETE", "/api/v1/flows/chain" },
    { "GET", "/api/v1/flows/chain/versions" },
    { "GET", "/api/v1/flows/chain/versions/1" },
    { "POST", "/api/v1/flows/chain/activate" },
    { "POST", "/api/v1/flows/chain/deactivate" },
    { "POST", "/api/v1/flows/chain/validate" },
    { "POST", "/api/v1/flows/chain/execute" },
  };
  const char *execution_routes[][2] = {
    { "GET", "" },
    { "POST", "/cancel" },
    { "POST", "/retry" },
    { "POST", "/resume" },
    { "POST", "/approve" },
    { "POST", "/reject" },
  };

  create_flow (fixture, OWNER_A, chain_flow);
  id = execute (fixture, OWNER_A, "chain", "{\"input\": {\"start\": 2}}");
  g_clear_pointer (&body, json_node_unref);
  body = poll_execution (fixture, OWNER_A, id, "succeeded");
  g_clear_pointer (&body, json_node_unref);

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      const char *document = g_str_equal (routes[i][0], "PUT") ? chain_flow : NULL;

      g_assert_cmpuint (CALL (fixture, OWNER_B, routes[i][0], routes[i][1], document, &body), ==, 404);
      assert_error (body, "not_found");
      g_clear_pointer (&body, json_node_unref);
    }
  for (guint i = 0; i < G_N_ELEMENTS (execution_routes); i++)
    {
      g_autofree char *path = g_strconcat ("/api/v1/executions/", id, execution_routes[i][1], NULL);
      const char *document = strstr (path, "resume") ? "{\"from_node\": \"b\"}" : NULL;

      g_assert_cmpuint (CALL (fixture, OWNER_B, execution_routes[i][0], path, document, &body), ==, 404);
      assert_error (body, "not_found");
      g_clear_pointer (&body, json_node_unref);
    }
  g_assert_cmpuint (CALL (fixture, OWNER_B, "GET", "/api/v1/flows", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==, 0);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_B, "GET", "/api/v1/executions", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==, 0);
  g_clear_pointer (&body, json_node_unref);
  /* Another workspace's execution id is no cursor here either. */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/executions?cursor=%s", id);

    assert_bad_request (CALL (fixture, OWNER_B, "GET", path, NULL, &body), &body, "parameter", "cursor");
    g_clear_pointer (&body, json_node_unref);
  }
  /* Still all there for its own workspace. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/flows/chain", NULL, &body), ==, 200);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/executions", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==, 1);
}

/* --- executions ----------------------------------------------------------------------- */

static void
test_execute_and_poll (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *id = NULL;
  JsonObject *execution;
  JsonObject *output;

  create_flow (fixture, OWNER_A, chain_flow);
  id = execute (fixture, OWNER_A, "chain", "{\"input\": {\"start\": 4}}");
  body = poll_execution (fixture, OWNER_A, id, "succeeded|failed|cancelled");
  execution = object_of (body);
  g_assert_cmpstr (json_object_get_string_member (execution, "status"), ==, "succeeded");
  g_assert_cmpstr (json_object_get_string_member (execution, "flow_id"), ==, "chain");
  g_assert_cmpint (json_object_get_int_member (execution, "flow_version"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (execution, "input"), "start"), ==, 4);
  output = json_object_get_object_member (json_object_get_object_member (execution, "output"), "c");
  g_assert_cmpint (json_object_get_int_member (output, "n"), ==, 50);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (execution, "node_results")), ==, 3);
  g_assert_cmpstr (node_result_member (execution, "b", "status"), ==, "succeeded");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (node_result (execution, "b"), "output"),
                                               "n"), ==, 5);
  g_assert_nonnull (json_object_get_string_member (execution, "finished_at"));
  g_clear_pointer (&body, json_node_unref);

  /* Bad input, missing flow. */
  assert_bad_request (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/execute", "{\"input\": 3}", &body), &body,
                      "pointer", "/input");
  g_clear_pointer (&body, json_node_unref);
  /* The input's members without the "input" wrapper are refused, not run with no input;
   * the message shows the wrapper. */
  assert_bad_request (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/execute", "{\"start\": 4}", &body), &body,
                      "pointer", "/start");
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (object_of (body), "error"),
                                                           "message"), "{\"input\": {"));
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/execute",
                            "{\"input\": {\"start\": 4}, \"a/b~\": 1}", &body), &body, "pointer", "/a~1b~0");
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/execute", "[]", &body), &body,
                      "pointer", "");
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/execute?wait=later", NULL, &body), &body,
                      "parameter", "wait");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/nothing/execute", NULL, &body), ==, 404);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/executions/no-such-id", NULL, &body), ==, 404);
  assert_error (body, "not_found");
  g_clear_pointer (&body, json_node_unref);

  /* A finished execution cannot be cancelled. */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/executions/%s/cancel", id);

    g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, NULL, &body), ==, 409);
    assert_error (body, "conflict");
    g_clear_pointer (&body, json_node_unref);
  }

  /* The metrics count the execution and its three node runs. */
  {
    g_autofree char *uri = g_strconcat (fixture->test->uri, "/metrics", NULL);
    g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    bytes = soup_session_send_and_read (fixture->test->session, message, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (message), ==, 200);
    text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    g_assert_nonnull (strstr (text, "\ndeca_executions_total{status=\"succeeded\"} 1\n"));
    g_assert_nonnull (strstr (text, "\ndeca_execution_duration_seconds_count{status=\"succeeded\"} 1\n"));
    g_assert_nonnull (strstr (text, "\ndeca_node_duration_seconds_count{type=\"transform\",status=\"succeeded\"} 3\n"));
    g_assert_nonnull (strstr (text, "\ndeca_executions_active 0\n"));
  }
}

static void
test_execute_wait (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  JsonObject *execution;

  create_flow (fixture, OWNER_A, chain_flow);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/execute?wait=true",
                          "{\"input\": {\"start\": 1}}", &body), ==, 200);
  execution = object_of (body);
  g_assert_cmpstr (json_object_get_string_member (execution, "status"), ==, "succeeded");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (execution, "output"), "c"), "n"), ==, 20);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (execution, "node_results")), ==, 3);
  g_clear_pointer (&body, json_node_unref);

  /* A flow that pauses for an approval answers once it pauses. */
  create_flow (fixture, OWNER_A, approval_flow);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/appr/execute?wait=true",
                          "{\"input\": {\"amount\": 7}}", &body), ==, 200);
  execution = object_of (body);
  g_assert_cmpstr (json_object_get_string_member (execution, "status"), ==, "paused");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (execution, "waiting_approvals")), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (execution, "waiting_approvals"), 0),
                   ==, "ask");
}

/* Each start runs the latest version: the routes keep the flow they made from a version
 * (it never changes), and make a new one when a newer version is saved; a deleted flow
 * is not found. */
static void
test_execute_latest_version (Fixture       *fixture,
                             gconstpointer  data)
{
  const char *changed = "{\"name\": \"Chain 2\", \"nodes\": ["
                        " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.start * 100}}\"}}}]}";
  g_autoptr(JsonNode) body = NULL;

  create_flow (fixture, OWNER_A, chain_flow);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/execute?wait=true",
                              "{\"input\": {\"start\": 1}}", &body), ==, 200);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                         json_object_get_object_member (object_of (body), "output"), "c"), "n"), ==, 20);
      g_clear_pointer (&body, json_node_unref);
    }

  g_assert_cmpuint (CALL (fixture, OWNER_A, "PUT", "/api/v1/flows/chain", changed, &body), ==, 200);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/execute?wait=true",
                          "{\"input\": {\"start\": 3}}", &body), ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (object_of (body), "output"), "a"), "n"), ==, 300);
  g_clear_pointer (&body, json_node_unref);

  g_assert_cmpuint (CALL (fixture, OWNER_A, "DELETE", "/api/v1/flows/chain", NULL, &body), ==, 204);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", "/api/v1/flows/chain/execute", NULL, &body), ==, 404);
}

/* Starts the approval flow and waits until it pauses; returns (transfer full) its id. */
static char *
start_paused (Fixture *fixture)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *id = execute (fixture, OWNER_A, "appr", "{\"input\": {\"amount\": 30}}");

  body = poll_execution (fixture, OWNER_A, id, "paused");
  g_assert_cmpstr (node_result_member (object_of (body), "ask", "status"), ==, "paused");
  return g_steal_pointer (&id);
}

/* The answer to approve or reject: the execution as it is once the decision is applied,
 * going on (or already further), its approval no longer waiting. */
static void
assert_decided (JsonObject *execution)
{
  const char *status = json_object_get_string_member (execution, "status");

  g_assert_true (g_str_equal (status, "running") || g_str_equal (status, "succeeded"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (execution, "waiting_approvals")), ==, 0);
  g_assert_cmpstr (node_result_member (execution, "ask", "status"), !=, "paused");
}

static void
test_approvals (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *approved = NULL;
  g_autofree char *rejected = NULL;
  g_autofree char *cancelled = NULL;
  g_autofree char *path = NULL;
  JsonObject *execution;

  create_flow (fixture, OWNER_A, approval_flow);

  /* Approve, with a comment the flow reads. */
  approved = start_paused (fixture);
  path = g_strdup_printf ("/api/v1/executions/%s/approve", approved);
  assert_bad_request (CALL (fixture, OWNER_A, "POST", path, "{\"comment\": 5}", &body), &body, "pointer", "/comment");
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "POST", path, "\"yes\"", &body), &body, "pointer", "");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, "{\"node\": \"refund\"}", &body), ==, 409);
  assert_error (body, "conflict");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, "{\"comment\": \"fine by me\"}", &body), ==, 200);
  assert_decided (object_of (body));
  g_clear_pointer (&body, json_node_unref);
  body = poll_execution (fixture, OWNER_A, approved, "succeeded|failed|cancelled");
  execution = object_of (body);
  g_assert_cmpstr (json_object_get_string_member (execution, "status"), ==, "succeeded");
  /* Decided by the caller as the audit log names it. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (node_result (execution, "ask"),
                                                                                 "output"), "decided_by"), ==,
                   "user:tester@example.com");
  g_assert_cmpstr (node_result_member (execution, "refund", "status"), ==, "succeeded");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (node_result (execution, "refund"),
                                                                                 "output"), "note"), ==,
                   "fine by me");
  g_assert_true (node_result (execution, "deny") == NULL ||
                 g_str_equal (node_result_member (execution, "deny", "status"), "skipped"));
  g_clear_pointer (&body, json_node_unref);
  /* Decided once only. */
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, NULL, &body), ==, 409);
  g_clear_pointer (&body, json_node_unref);
  g_free (path);

  /* Reject, naming the node. */
  rejected = start_paused (fixture);
  path = g_strdup_printf ("/api/v1/executions/%s/reject", rejected);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, "{\"node\": \"ask\", \"comment\": \"too much\"}", &body),
                    ==, 200);
  assert_decided (object_of (body));
  g_clear_pointer (&body, json_node_unref);
  body = poll_execution (fixture, OWNER_A, rejected, "succeeded|failed|cancelled");
  execution = object_of (body);
  g_assert_cmpstr (node_result_member (execution, "deny", "status"), ==, "succeeded");
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (node_result (execution, "deny"),
                                                                                 "output"), "done"));
  g_clear_pointer (&body, json_node_unref);
  g_free (path);

  /* Cancel one that waits. */
  cancelled = start_paused (fixture);
  path = g_strdup_printf ("/api/v1/executions/%s/cancel", cancelled);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, NULL, &body), ==, 200);
  g_clear_pointer (&body, json_node_unref);
  body = poll_execution (fixture, OWNER_A, cancelled, "succeeded|failed|cancelled");
  g_assert_cmpstr (json_object_get_string_member (object_of (body), "status"), ==, "cancelled");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, NULL, &body), ==, 409);
  g_clear_pointer (&body, json_node_unref);
  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s/approve", cancelled);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, NULL, &body), ==, 409);
}

static void
test_retry_and_resume (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) original = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) retried = NULL;
  g_autoptr(JsonNode) resumed = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *paused = NULL;
  const char *new_id;
  JsonObject *trigger;

  create_flow (fixture, OWNER_A, chain_flow);
  id = execute (fixture, OWNER_A, "chain", "{\"input\": {\"start\": 4}}");
  original = poll_execution (fixture, OWNER_A, id, "succeeded");

  /* Retry: a new execution of the same version and input, from scratch. */
  path = g_strdup_printf ("/api/v1/executions/%s/retry", id);
  g_assert_cmpuint (call (fixture, OWNER_A, "POST", path, NULL, &body, &message, NULL), ==, 202);
  new_id = json_object_get_string_member (object_of (body), "id");
  g_assert_cmpstr (new_id, !=, id);
  g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (message), "Location"));
  retried = poll_execution (fixture, OWNER_A, new_id, "succeeded|failed|cancelled");
  g_assert_cmpstr (json_object_get_string_member (object_of (retried), "status"), ==, "succeeded");
  trigger = json_object_get_object_member (object_of (retried), "trigger");
  g_assert_cmpstr (json_object_get_string_member (trigger, "type"), ==, "retry");
  g_assert_cmpstr (json_object_get_string_member (trigger, "execution_id"), ==, id);
  /* The retry keeps what started the original. */
  trigger = json_object_get_object_member (trigger, "original");
  g_assert_cmpstr (json_object_get_string_member (trigger, "type"), ==, "api");
  g_assert_cmpstr (json_object_get_string_member (trigger, "actor"), ==, "user:tester@example.com");
  trigger = json_object_get_object_member (object_of (original), "trigger");
  g_assert_cmpstr (json_object_get_string_member (trigger, "type"), ==, "api");
  g_assert_cmpstr (json_object_get_string_member (trigger, "actor"), ==, "user:tester@example.com");
  g_assert_cmpstr (node_result_member (object_of (retried), "a", "started_at"), !=,
                   node_result_member (object_of (original), "a", "started_at"));
  g_clear_pointer (&body, json_node_unref);
  g_clear_object (&message);
  g_free (path);

  /* Resume from b: a's result is kept (the very same run), b and c run again. */
  path = g_strdup_printf ("/api/v1/executions/%s/resume", id);
  assert_bad_request (CALL (fixture, OWNER_A, "POST", path, "{}", &body), &body, "pointer", "/from_node");
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "POST", path, NULL, &body), &body, "pointer", "");
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "POST", path, "{\"from_node\": 1}", &body), &body,
                      "pointer", "/from_node");
  /* A whole sentence naming the member, as every other message of the API. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object_of (body), "error"),
                                                  "message"), ==, "“from_node” must be a string");
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "POST", path, "{\"from_node\": \"zz\"}", &body), &body,
                      "pointer", "/from_node");
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, "{\"from_node\": \"b\"}", &body), ==, 202);
  resumed = poll_execution (fixture, OWNER_A, json_object_get_string_member (object_of (body), "id"),
                            "succeeded|failed|cancelled");
  g_assert_cmpstr (json_object_get_string_member (object_of (resumed), "status"), ==, "succeeded");
  g_assert_cmpstr (node_result_member (object_of (resumed), "a", "started_at"), ==,
                   node_result_member (object_of (original), "a", "started_at"));
  g_assert_cmpstr (node_result_member (object_of (resumed), "b", "started_at"), !=,
                   node_result_member (object_of (original), "b", "started_at"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (object_of (resumed), "output"), "c"), "n"), ==, 50);
  trigger = json_object_get_object_member (object_of (resumed), "trigger");
  g_assert_cmpstr (json_object_get_string_member (trigger, "from_node"), ==, "b");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (trigger, "original"), "type"),
                   ==, "api");
  g_clear_pointer (&body, json_node_unref);
  g_free (path);

  /* A retry of the retry still names the first start, not the retry. */
  path = g_strdup_printf ("/api/v1/executions/%s/retry", json_object_get_string_member (object_of (retried), "id"));
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, NULL, &body), ==, 202);
  g_clear_pointer (&retried, json_node_unref);
  retried = poll_execution (fixture, OWNER_A, json_object_get_string_member (object_of (body), "id"),
                            "succeeded|failed|cancelled");
  trigger = json_object_get_object_member (json_object_get_object_member (object_of (retried), "trigger"),
                                           "original");
  g_assert_cmpstr (json_object_get_string_member (trigger, "type"), ==, "api");
  g_assert_false (json_object_has_member (trigger, "original"));
  g_clear_pointer (&body, json_node_unref);
  g_free (path);

  /* Neither while the execution has not finished. */
  create_flow (fixture, OWNER_A, approval_flow);
  paused = start_paused (fixture);
  path = g_strdup_printf ("/api/v1/executions/%s/retry", paused);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, NULL, &body), ==, 409);
  g_clear_pointer (&body, json_node_unref);
  g_free (path);
  path = g_strdup_printf ("/api/v1/executions/%s/resume", paused);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, "{\"from_node\": \"ask\"}", &body), ==, 409);
}

static void
test_execution_list (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *cursor = NULL;
  g_autofree char *paused = NULL;
  g_autoptr(JsonNode) body = NULL;
  guint pages = 0;

  create_flow (fixture, OWNER_A, chain_flow);
  create_flow (fixture, OWNER_A, approval_flow);
  for (guint i = 0; i < 3; i++)
    {
      char *id = execute (fixture, OWNER_A, "chain", "{\"input\": {\"start\": 1}}");

      g_ptr_array_add (ids, id);
      g_clear_pointer (&body, json_node_unref);
      body = poll_execution (fixture, OWNER_A, id, "succeeded");
    }
  paused = start_paused (fixture);
  g_clear_pointer (&body, json_node_unref);

  do
    {
      g_autofree char *path = cursor ? g_strdup_printf ("/api/v1/executions?limit=3&cursor=%s", cursor)
                                     : g_strdup ("/api/v1/executions?limit=3");
      JsonArray *items;
      JsonNode *next;

      g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", path, NULL, &body), ==, 200);
      items = json_object_get_array_member (object_of (body), "items");
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = json_array_get_object_element (items, i);

          g_assert_false (json_object_has_member (item, "node_results"));
          g_assert_true (g_hash_table_add (seen, g_strdup (json_object_get_string_member (item, "id"))));
        }
      next = json_object_get_member (object_of (body), "next_cursor");
      g_clear_pointer (&cursor, g_free);
      if (!JSON_NODE_HOLDS_NULL (next))
        cursor = g_strdup (json_node_get_string (next));
      g_clear_pointer (&body, json_node_unref);
      pages++;
    }
  while (cursor != NULL);
  g_assert_cmpuint (pages, ==, 2);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 4);

  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/executions?status=paused", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (object_of (body), "items"), 0), "id"), ==, paused);
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/executions?flow_id=chain&status=succeeded", NULL, &body),
                    ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==, 3);
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "GET", "/api/v1/executions?status=done", NULL, &body), &body,
                      "parameter", "status");
  g_clear_pointer (&body, json_node_unref);
  assert_bad_request (CALL (fixture, OWNER_A, "GET", "/api/v1/executions?limit=x", NULL, &body), &body,
                      "parameter", "limit");
  g_clear_pointer (&body, json_node_unref);

  /* By what started them: the four through the API, and a retry. */
  {
    g_autofree char *retry = g_strdup_printf ("/api/v1/executions/%s/retry", (char *) g_ptr_array_index (ids, 0));
    JsonArray *items;

    g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", retry, NULL, &body), ==, 202);
    g_clear_pointer (&body, json_node_unref);
    g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/executions?trigger=api", NULL, &body), ==, 200);
    items = json_object_get_array_member (object_of (body), "items");
    g_assert_cmpuint (json_array_get_length (items), ==, 4);
    for (guint i = 0; i < json_array_get_length (items); i++)
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                         json_array_get_object_element (items, i), "trigger"), "type"), ==, "api");
    g_clear_pointer (&body, json_node_unref);
    g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/executions?trigger=retry&flow_id=chain", NULL, &body),
                      ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==, 1);
    g_clear_pointer (&body, json_node_unref);
    g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", "/api/v1/executions?trigger=schedule", NULL, &body), ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (body), "items")), ==, 0);
    g_clear_pointer (&body, json_node_unref);
    assert_bad_request (CALL (fixture, OWNER_A, "GET", "/api/v1/executions?trigger=cron", NULL, &body), &body,
                        "parameter", "trigger");
  }
}

/* TRUE when GET /metrics has @line. */
static gboolean
metrics_have (Fixture    *fixture,
              const char *line)
{
  g_autofree char *uri = g_strconcat (fixture->test->uri, "/metrics", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  bytes = soup_session_send_and_read (fixture->test->session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return strstr (text, line) != NULL;
}

/* An execution left running when the server stops resumes when it starts again. */
static void
test_survives_restart (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;

  g_assert_cmpint (fixture->resumed, ==, 0);
  create_flow (fixture, OWNER_A, nap_flow);
  id = execute (fixture, OWNER_A, "nap", NULL);
  body = poll_execution (fixture, OWNER_A, id, "running");
  g_clear_pointer (&body, json_node_unref);
  g_assert_true (metrics_have (fixture, "\ndeca_executions_active 1\n"));

  deca_test_server_restart (fixture->test);
  g_assert_cmpint (fixture->resumed, ==, 1);
  g_assert_true (metrics_have (fixture, "\ndeca_executions_active 1\n"));

  path = g_strdup_printf ("/api/v1/executions/%s", id);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "GET", path, NULL, &body), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object_of (body), "status"), ==, "running");
  g_clear_pointer (&body, json_node_unref);
  g_free (path);

  /* Live again in this server: cancelling it reaches the running wait. */
  path = g_strdup_printf ("/api/v1/executions/%s/cancel", id);
  g_assert_cmpuint (CALL (fixture, OWNER_A, "POST", path, NULL, &body), ==, 200);
  g_clear_pointer (&body, json_node_unref);
  body = poll_execution (fixture, OWNER_A, id, "cancelled");
  g_assert_true (metrics_have (fixture, "\ndeca_executions_total{status=\"cancelled\"} 1\n"));
  g_assert_true (metrics_have (fixture, "\ndeca_executions_active 0\n"));
}

/* Registering twice on one server fails on the first route already taken, and leaves
 * no reference behind: the server and the first registration still go away whole. */
static void
test_register_twice (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("deca-test-api-flows-XXXXXX", &error);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  DecaServerOptions options = { 0 };
  DecaServer *server;
  DecaApiFlows *first;

  g_assert_no_error (error);
  options.data_dir = data_dir;
  server = deca_server_new (&options, &error);
  g_assert_no_error (error);
  first = deca_api_flows_register (server, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (deca_api_flows_get_executor (first));
  g_assert_null (deca_api_flows_register (server, deca_api_flows_get_executor (first), &error));
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
  g_object_add_weak_pointer (G_OBJECT (first), (gpointer *) &first);
  g_object_unref (first);
  g_assert_nonnull (first);     /* the routes keep it */
  g_assert_finalize_object (server);
  g_assert_null (first);
  deca_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/deca/server/api-flows/crud", test_flow_crud);
  ADD ("/deca/server/api-flows/bad-input", test_flow_bad_input);
  ADD ("/deca/server/api-flows/paging", test_flow_paging);
  ADD ("/deca/server/api-flows/permissions", test_permissions);
  ADD ("/deca/server/api-flows/isolation", test_isolation);
  ADD ("/deca/server/api-flows/execute-and-poll", test_execute_and_poll);
  ADD ("/deca/server/api-flows/execute-wait", test_execute_wait);
  ADD ("/deca/server/api-flows/execute-latest-version", test_execute_latest_version);
  ADD ("/deca/server/api-flows/approvals", test_approvals);
  ADD ("/deca/server/api-flows/retry-and-resume", test_retry_and_resume);
  ADD ("/deca/server/api-flows/execution-list", test_execution_list);
  ADD ("/deca/server/api-flows/survives-restart", test_survives_restart);
#undef ADD
  g_test_add_func ("/deca/server/api-flows/register-twice", test_register_twice);

  return g_test_run ();
}
