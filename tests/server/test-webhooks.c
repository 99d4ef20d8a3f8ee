/* test-webhooks.c: the webhook triggers of `deca serve` (server/deca-api-webhooks.c) on
 * an in-process DecaServer with the real authenticator: flows are created and activated
 * through the API with owner keys, then called at /webhook/{workspace}/{path} without
 * one. Covered: a respond node's answer (status, headers, body; JSON, text, a content
 * type of its own), 202 with the execution for a flow without one (found through the
 * API, succeeded), 504 after response_timeout while the execution goes on (a
 * DecaManualClock moves time), 405 with Allow, 404 for unknown paths and workspaces and
 * another workspace's path, deactivated and deleted flows, a new version of an active
 * flow, header-token and HMAC-SHA256 signatures right and wrong (401, nothing runs) and a
 * missing credential (500, the reason in the log), 409 for a path another active flow
 * has, 422 for an "auth" with a typo, bad JSON (400 at line and column), form and text
 * bodies, the audit lines, the index rebuilt from the store after a restart, and the
 * rate limit per path.
 *
 * The server runs on a thread of its own with its own main context (the store, the
 * executor and the clock are used from that thread only); the test talks to it with
 * SoupSession's blocking API, and a call that must stay open while time moves runs on a
 * thread of its own. */

#include "config.h"

#include <string.h>

#include <deca-engine.h>
#include <deca-store-server.h>

#include "deca-api-credentials.h"
#include "deca-api-flows.h"
#include "deca-api-key.h"
#include "deca-api-webhooks.h"
#include "deca-authenticator.h"
#include "deca-openapi.h"
#include "deca-secret-box.h"
#include "deca-server.h"
#include "deca-server-test.h"
#include "deca-store-credentials.h"
#include "deca-test-fs.h"

#define KEY_LINE "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HOOK_SECRET "whsec-Zq7-shared-91"
#define START_US (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC)

typedef struct {
  DecaTestServer *test;
  char *key_a;            /* owner keys of ws-a and ws-b */
  char *key_b;
  gboolean rate_limit;    /* the test's data: a limiter of 1 call a second, bursts of 2 */
  /* Used on the server thread only. */
  DecaManualClock *clock;
  DecaApiWebhooks *webhooks;
  DecaApiFlows *flows;
} Fixture;

/* --- the server thread -------------------------------------------------------------- */

/* Makes workspace @id with an owner API key, once per data directory; returns the key. */
static char *
make_workspace (DecaStore  *store,
                const char *id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_store_create_workspace (store, id, id, &error));
  g_assert_no_error (error);
  return deca_test_add_key (store, id, "owner");
}

/* On the server thread: the workspaces (once), the real authenticator, the credentials,
 * the flows on an executor of the manual clock with each workspace's credentials, and
 * the webhooks on that clock (with the test's limiter). */
static void
server_setup (DecaTestServer *test,
              DecaServer     *server,
              gpointer        user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaSecretBox) box = deca_secret_box_new ();
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(DecaExecutor) executor = NULL;
  g_autoptr(DecaStoreCredentials) provider = NULL;
  DecaStore *store = deca_server_get_store (server);

  if (fixture->key_a == NULL)
    {
      fixture->key_a = make_workspace (store, "ws-a");
      fixture->key_b = make_workspace (store, "ws-b");
    }
  deca_test_server_install_authenticator (test);
  g_assert_true (deca_secret_box_load_keys (box, KEY_LINE, &error));
  g_assert_true (deca_api_credentials_register (server, box, &error));
  g_assert_no_error (error);

  fixture->clock = deca_manual_clock_new (START_US);
  executor = deca_executor_new (registry);
  deca_executor_set_store (executor, store);
  deca_executor_set_clock (executor, DECA_CLOCK (fixture->clock));
  /* Each execution's credentials from its workspace, as deca serve has them. */
  provider = deca_store_credentials_new (store, box, NULL);
  deca_executor_set_credential_provider (executor, DECA_CREDENTIAL_PROVIDER (provider));
  fixture->flows = deca_api_flows_register (server, executor, &error);
  g_assert_no_error (error);
  fixture->webhooks = deca_api_webhooks_register (server, fixture->flows, &error);
  g_assert_no_error (error);
  deca_api_webhooks_set_secret_box (fixture->webhooks, box);
  deca_api_webhooks_set_clock (fixture->webhooks, DECA_CLOCK (fixture->clock));
  if (fixture->rate_limit)
    {
      g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (1, 2, DECA_CLOCK (fixture->clock));

      deca_api_webhooks_set_rate_limiter (fixture->webhooks, limiter);
    }
}

static void
server_teardown (DecaTestServer *test,
                 DecaServer     *server,
                 gpointer        user_data)
{
  Fixture *fixture = user_data;

  g_clear_object (&fixture->webhooks);
  g_clear_object (&fixture->flows);
  g_clear_object (&fixture->clock);
}

/* Starts the server again on the same data directory. */
static void
fixture_start (Fixture *fixture)
{
  deca_test_server_restart (fixture->test);
}

/* Stops the server (its log is then complete). */
static void
fixture_stop (Fixture *fixture)
{
  deca_test_server_stop (fixture->test);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  DecaTestServerOptions options = {
    .log_level = DECA_LOG_DEBUG, .setup = server_setup, .teardown = server_teardown, .user_data = fixture,
  };

  fixture->rate_limit = data != NULL;
  fixture->test = deca_test_server_new ("webhooks", &options);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_server_free (fixture->test);
  g_free (fixture->key_a);
  g_free (fixture->key_b);
}

/* --- running on the server thread ---------------------------------------------------- */

typedef struct {
  Fixture *fixture;
  void (*func) (Fixture *fixture, gpointer data);
  gpointer data;
} Invocation;

static gboolean
invoke_cb (gpointer data)
{
  Invocation *invocation = data;

  invocation->func (invocation->fixture, invocation->data);
  return G_SOURCE_REMOVE;
}

/* Runs @func on the server thread and waits for it. */
static void
on_server (Fixture  *fixture,
           void    (*func) (Fixture *fixture, gpointer data),
           gpointer  data)
{
  Invocation invocation = { fixture, func, data };

  deca_test_server_invoke (fixture->test, invoke_cb, &invocation);
}

static void
advance_func (Fixture  *fixture,
              gpointer  data)
{
  deca_manual_clock_advance (fixture->clock, *(gint64 *) data);
}

static void
advance (Fixture *fixture,
         gint64   delta_us)
{
  on_server (fixture, advance_func, &delta_us);
}

static void
pending_func (Fixture  *fixture,
              gpointer  data)
{
  *(guint *) data = deca_manual_clock_get_pending (fixture->clock);
}

/* Waits until the clock has @n timeouts pending (the server's work has got that far). */
static void
wait_for_pending_timeouts (Fixture *fixture,
                           guint    n)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint pending = 0;

  for (;;)
    {
      on_server (fixture, pending_func, &pending);
      if (pending >= n)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

static void
n_triggers_func (Fixture  *fixture,
                 gpointer  data)
{
  *(guint *) data = deca_api_webhooks_get_n_triggers (fixture->webhooks);
}

static guint
n_triggers (Fixture *fixture)
{
  guint n = 0;

  on_server (fixture, n_triggers_func, &n);
  return n;
}

typedef struct {
  const char *workspace;
  GPtrArray *lines;
} AuditQuery;

static void
audit_func (Fixture  *fixture,
            gpointer  data)
{
  AuditQuery *query = data;
  g_autoptr(GError) error = NULL;

  query->lines = deca_store_list_audit (deca_server_get_store (fixture->test->server), query->workspace, 0, 0, &error);
  g_assert_no_error (error);
}

/* The audit lines "webhook.execute" of @workspace with @result, newest first. */
static GPtrArray *
webhook_audit (Fixture    *fixture,
               const char *workspace,
               const char *result)
{
  AuditQuery query = { workspace, NULL };
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_audit_record_free);

  on_server (fixture, audit_func, &query);
  for (guint i = 0; i < query.lines->len; i++)
    {
      DecaAuditRecord *record = g_ptr_array_index (query.lines, i);

      if (g_str_equal (record->action, "webhook.execute") && g_str_equal (record->result, result))
        g_ptr_array_add (found, g_ptr_array_steal_index (query.lines, i--));
    }
  g_ptr_array_unref (query.lines);
  return found;
}

/* --- HTTP --------------------------------------------------------------------------- */

typedef struct {
  guint status;
  char *body;
  JsonNode *json;             /* the body parsed, when it is JSON */
  SoupMessageHeaders *headers;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->body, g_free);
  g_clear_pointer (&answer->json, json_node_unref);
  g_clear_pointer (&answer->headers, soup_message_headers_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

/* Sends @method @path with @body as @content_type (NULL: none) and @headers (NULL or
 * name, value, ..., NULL pairs) to @uri. */
static void
send_to (SoupSession  *session,
         const char   *base,
         const char   *method,
         const char   *path,
         const char   *content_type,
         const char   *body,
         const char  **headers,
         Answer       *answer)
{
  g_auto(DecaTestAnswer) sent = { 0 };
  DecaTestRequest request = {
    .method = method, .path = path, .body = body, .body_length = -1, .content_type = content_type,
    .headers = (const char * const *) headers, .flags = DECA_TEST_CALL_RAW,
  };
  g_autoptr(GError) error = NULL;
  const char *content;

  deca_test_send (session, base, &request, &sent);
  answer->status = sent.status;
  answer->body = g_steal_pointer (&sent.text);
  answer->headers = soup_message_headers_ref (soup_message_get_response_headers (sent.message));
  content = soup_message_headers_get_content_type (answer->headers, NULL);
  if (content != NULL && g_str_equal (content, "application/json") && answer->body[0] != '\0')
    {
      answer->json = json_from_string (answer->body, &error);
      g_assert_no_error (error);
    }
}

/* Calls the API as the owner of @key. */
static void
api (Fixture    *fixture,
     const char *key,
     const char *method,
     const char *path,
     const char *body,
     Answer     *answer)
{
  g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);
  const char *headers[] = { "Authorization", authorization, NULL };

  send_to (fixture->test->session, fixture->test->uri, method, path, body != NULL ? "application/json" : NULL, body, headers,
           answer);
}

/* Calls a webhook, without an API key. */
static void
hook (Fixture     *fixture,
      const char  *method,
      const char  *path,
      const char  *content_type,
      const char  *body,
      const char **headers,
      Answer      *answer)
{
  send_to (fixture->test->session, fixture->test->uri, method, path, content_type, body, headers, answer);
}

static JsonObject *
object_of (Answer *answer)
{
  g_assert_nonnull (answer->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer->json));
  return json_node_get_object (answer->json);
}

static void
assert_error (Answer     *answer,
              guint       status,
              const char *code)
{
  JsonObject *error;

  g_assert_cmpuint (answer->status, ==, status);
  error = json_object_get_object_member (object_of (answer), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
}

/* Creates flow @document in @key's workspace and activates it (both must work). */
static void
create_active (Fixture    *fixture,
               const char *key,
               const char *flow_id,
               const char *document)
{
  g_auto(Answer) created = { 0 };
  g_auto(Answer) activated = { 0 };
  g_autofree char *path = g_strdup_printf ("/api/v1/flows/%s/activate", flow_id);

  api (fixture, key, "POST", "/api/v1/flows", document, &created);
  if (created.status != 201)
    g_error ("creating %s: %u %s", flow_id, created.status, created.body);
  api (fixture, key, "POST", path, NULL, &activated);
  if (activated.status != 200)
    g_error ("activating %s: %u %s", flow_id, activated.status, activated.body);
}

/* A flow whose webhook @method @path (with @trigger_extra members) leads to a respond
 * node answering 201 with @respond_body (a JSON value) and X-Flow: @flow_id. */
static char *
respond_flow (const char *flow_id,
              const char *method,
              const char *path,
              const char *trigger_extra,
              const char *respond_body)
{
  return g_strdup_printf (
    "{\"id\": \"%s\", \"name\": \"%s\","
    " \"triggers\": [{\"type\": \"webhook\", \"method\": \"%s\", \"path\": \"%s\"%s}],"
    " \"nodes\": ["
    "  {\"id\": \"shape\", \"type\": \"transform\", \"config\": {\"set\": {\"greeting\": \"Hello {{input.method}}\"}}},"
    "  {\"id\": \"check\", \"type\": \"condition\", \"config\": {\"expression\": \"{{input.method}} != null\"}},"
    "  {\"id\": \"reply\", \"type\": \"respond\", \"config\": {\"status\": 201,"
    "     \"headers\": {\"X-Flow\": \"%s\"}, \"body\": %s}}"
    " ],"
    " \"connections\": [{\"from\": \"shape\", \"to\": \"check\"}, {\"from\": \"check\", \"to\": \"reply\"}]}",
    flow_id, flow_id, method, path, trigger_extra != NULL ? trigger_extra : "", flow_id, respond_body);
}

/* A flow without a respond node, at POST @path. */
static char *
plain_flow (const char *flow_id,
            const char *path,
            const char *trigger_extra)
{
  return g_strdup_printf (
    "{\"id\": \"%s\", \"name\": \"%s\","
    " \"triggers\": [{\"type\": \"webhook\", \"method\": \"POST\", \"path\": \"%s\"%s}],"
    " \"nodes\": [{\"id\": \"shape\", \"type\": \"transform\", \"config\": {\"source\": \"{{input.body}}\"}}],"
    " \"connections\": []}",
    flow_id, flow_id, path, trigger_extra != NULL ? trigger_extra : "");
}

/* Polls execution @id through the API until it has @status. */
static JsonObject *
wait_for_execution (Fixture    *fixture,
                    const char *key,
                    const char *id,
                    const char *status,
                    Answer     *answer)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions/%s", id);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      answer_clear (answer);
      api (fixture, key, "GET", path, NULL, answer);
      g_assert_cmpuint (answer->status, ==, 200);
      if (g_str_equal (json_object_get_string_member (object_of (answer), "status"), status))
        return object_of (answer);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

/* The number of executions of @flow_id in @key's workspace. */
static guint
count_executions (Fixture    *fixture,
                  const char *key,
                  const char *flow_id)
{
  g_auto(Answer) answer = { 0 };
  g_autofree char *path = g_strdup_printf ("/api/v1/executions?flow_id=%s&limit=200", flow_id);

  api (fixture, key, "GET", path, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  return json_array_get_length (json_object_get_array_member (object_of (&answer), "items"));
}

static char *
read_log (Fixture *fixture)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (fixture->test->log_path, &text, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&text);
}

/* --- tests -------------------------------------------------------------------------- */

/* A respond node's answer: its status, headers and JSON body, rendered from the input
 * (method, path, headers without the credentials, query, body). */
static void
test_respond (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *flow = respond_flow ("greet", "POST", "/customer-signup", NULL,
                                        "{\"greeting\": \"{{shape.greeting}} {{input.body.name}}\", \"input\": \"{{input}}\"}");
  const char *headers[] = { "X-Custom", "yes", "Authorization", "Bearer not-for-the-flow",
                            "Cookie", "session=not-for-the-flow", NULL };
  g_auto(Answer) answer = { 0 };
  g_autoptr(GPtrArray) audit = NULL;
  JsonObject *body, *input, *in_headers;
  DecaAuditRecord *line;

  create_active (fixture, fixture->key_a, "greet", flow);
  g_assert_cmpuint (n_triggers (fixture), ==, 1);
  hook (fixture, "POST", "/webhook/ws-a/customer-signup?ref=abc&n=2", "application/json",
        "{\"name\": \"Ada\"}", headers, &answer);
  g_assert_cmpuint (answer.status, ==, 201);
  g_assert_cmpstr (soup_message_headers_get_one (answer.headers, "X-Flow"), ==, "greet");
  g_assert_cmpstr (soup_message_headers_get_content_type (answer.headers, NULL), ==, "application/json");
  body = object_of (&answer);
  g_assert_cmpstr (json_object_get_string_member (body, "greeting"), ==, "Hello POST Ada");
  input = json_object_get_object_member (body, "input");
  g_assert_nonnull (input);
  g_assert_cmpstr (json_object_get_string_member (input, "method"), ==, "POST");
  g_assert_cmpstr (json_object_get_string_member (input, "path"), ==, "/customer-signup");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (input, "query"), "ref"), ==, "abc");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (input, "query"), "n"), ==, "2");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (input, "body"), "name"), ==, "Ada");
  in_headers = json_object_get_object_member (input, "headers");
  g_assert_cmpstr (json_object_get_string_member (in_headers, "x-custom"), ==, "yes");
  g_assert_true (json_object_has_member (in_headers, "content-type"));
  g_assert_false (json_object_has_member (in_headers, "authorization"));
  g_assert_false (json_object_has_member (in_headers, "cookie"));
  g_assert_null (strstr (answer.body, "not-for-the-flow"));

  /* The start is audited in the URL's workspace, by "webhook", on the execution. */
  audit = webhook_audit (fixture, "ws-a", "ok");
  g_assert_cmpuint (audit->len, ==, 1);
  line = g_ptr_array_index (audit, 0);
  g_assert_cmpstr (line->actor, ==, "webhook");
  g_assert_cmpstr (line->source, ==, "127.0.0.1");
  g_assert_nonnull (strstr (line->details, "\"flow_id\":\"greet\""));
  {
    g_auto(Answer) execution = { 0 };

    wait_for_execution (fixture, fixture->key_a, line->target, "succeeded", &execution);
    g_assert_cmpstr (json_object_get_string_member (object_of (&execution), "flow_id"), ==, "greet");
  }

  /* HEAD is GET without a body; this path has POST only. */
  {
    g_auto(Answer) head = { 0 };

    hook (fixture, "HEAD", "/webhook/ws-a/customer-signup", NULL, NULL, NULL, &head);
    g_assert_cmpuint (head.status, ==, 405);
    g_assert_cmpstr (soup_message_headers_get_one (head.headers, "Allow"), ==, "POST");
  }
}

/* Text, form and JSON bodies, a string answer as text/plain, and a content type the
 * respond node sets itself. */
static void
test_bodies (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *echo = respond_flow ("echo", "PUT", "/echo", NULL, "\"{{input.body}}\"");
  g_autofree char *csv = g_strdup_printf (
    "{\"id\": \"csv\", \"name\": \"csv\", \"triggers\": [{\"type\": \"webhook\", \"method\": \"GET\", \"path\": \"/report.csv\"}],"
    " \"nodes\": [{\"id\": \"reply\", \"type\": \"respond\", \"config\": {"
    "   \"headers\": {\"Content-Type\": \"text/csv\", \"Content-Length\": \"1\", \"X-Split\": \"a\\r\\nSet-Cookie: x=1\", \"X-Ok\": \"fine\"}, \"body\": \"a,b\\n{{input.query.x}},2\\n\"}}],"
    " \"connections\": []}");
  g_auto(Answer) text = { 0 };
  g_auto(Answer) form = { 0 };
  g_auto(Answer) json = { 0 };
  g_auto(Answer) report = { 0 };
  g_auto(Answer) head = { 0 };
  JsonObject *object;

  create_active (fixture, fixture->key_a, "echo", echo);
  create_active (fixture, fixture->key_a, "csv", csv);

  hook (fixture, "PUT", "/webhook/ws-a/echo", "text/plain", "hello, world", NULL, &text);
  g_assert_cmpuint (text.status, ==, 201);
  g_assert_cmpstr (soup_message_headers_get_content_type (text.headers, NULL), ==, "text/plain");
  g_assert_cmpstr (text.body, ==, "hello, world");

  hook (fixture, "PUT", "/webhook/ws-a/echo", "application/x-www-form-urlencoded", "a=1&b=two+words&c=%C3%A9", NULL,
        &form);
  g_assert_cmpuint (form.status, ==, 201);
  object = object_of (&form);
  g_assert_cmpstr (json_object_get_string_member (object, "a"), ==, "1");
  g_assert_cmpstr (json_object_get_string_member (object, "b"), ==, "two words");
  g_assert_cmpstr (json_object_get_string_member (object, "c"), ==, "é");

  hook (fixture, "PUT", "/webhook/ws-a/echo", "application/json; charset=utf-8", "[1, {\"x\": true}]", NULL, &json);
  g_assert_cmpuint (json.status, ==, 201);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json.json));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json.json)), ==, 2);

  hook (fixture, "GET", "/webhook/ws-a/report.csv?x=7", NULL, NULL, NULL, &report);
  g_assert_cmpuint (report.status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (report.headers, NULL), ==, "text/csv");
  /* The flow's Content-Length is not the server's to take, nor a header that would
   * split the answer. */
  g_assert_cmpstr (report.body, ==, "a,b\n7,2\n");
  g_assert_cmpstr (soup_message_headers_get_one (report.headers, "X-Ok"), ==, "fine");
  g_assert_null (soup_message_headers_get_one (report.headers, "X-Split"));
  g_assert_null (soup_message_headers_get_one (report.headers, "Set-Cookie"));

  hook (fixture, "HEAD", "/webhook/ws-a/report.csv?x=7", NULL, NULL, NULL, &head);
  g_assert_cmpuint (head.status, ==, 200);
  g_assert_cmpstr (head.body, ==, "");
}

/* Malformed JSON is a 400 at its line and column, and nothing runs; text that is not
 * UTF-8 is a 400 too. */
static void
test_bad_json (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *flow = plain_flow ("intake", "/intake", NULL);
  g_auto(Answer) answer = { 0 };
  g_auto(Answer) binary = { 0 };
  g_auto(Answer) cut = { 0 };
  JsonObject *details;

  create_active (fixture, fixture->key_a, "intake", flow);
  hook (fixture, "POST", "/webhook/ws-a/intake", "application/json", "{\"a\": 1,\n \"b\": }", NULL, &answer);
  assert_error (&answer, 400, "bad_request");
  details = json_object_get_object_member (json_object_get_object_member (object_of (&answer), "error"), "details");
  g_assert_cmpint (json_object_get_int_member (details, "line"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (details, "column"), >, 0);

  hook (fixture, "POST", "/webhook/ws-a/intake", "application/octet-stream", "ab\xff", NULL, &binary);
  assert_error (&binary, 400, "bad_request");
  /* As everywhere else, "offset" is the index of the first byte that is not text. */
  details = json_object_get_object_member (json_object_get_object_member (object_of (&binary), "error"), "details");
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (details, "offset")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (details, "offset"), ==, 2);

  hook (fixture, "POST", "/webhook/ws-a/intake", "text/plain", "h\xc3\xa9llo \xc3(", NULL, &cut);
  assert_error (&cut, 400, "bad_request");
  details = json_object_get_object_member (json_object_get_object_member (object_of (&cut), "error"), "details");
  g_assert_cmpint (json_object_get_int_member (details, "offset"), ==, 7);

  {
    g_autofree char *uri = g_strconcat (fixture->test->uri, "/webhook/ws-a/intake", NULL);
    g_autoptr(SoupMessage) message = soup_message_new ("POST", uri);
    g_autoptr(GBytes) body = g_bytes_new_static ("abc\0def", 7);
    g_autoptr(GBytes) response = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    soup_message_set_request_body_from_bytes (message, "text/plain", body);
    response = soup_session_send_and_read (fixture->test->session, message, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (message), ==, 400);
    text = g_strndup (g_bytes_get_data (response, NULL), g_bytes_get_size (response));
    node = json_from_string (text, &error);
    g_assert_no_error (error);
    details = json_object_get_object_member (json_object_get_object_member (json_node_get_object (node), "error"),
                                             "details");
    g_assert_cmpint (json_object_get_int_member (details, "offset"), ==, 3);
  }
  g_assert_cmpuint (count_executions (fixture, fixture->key_a, "intake"), ==, 0);
}

/* A flow without a respond node answers 202 with the execution, which the API finds and
 * which succeeds with the request as its input. */
static void
test_accepted (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *flow = plain_flow ("orders", "/orders", NULL);
  g_auto(Answer) answer = { 0 };
  g_auto(Answer) execution = { 0 };
  g_autofree char *location = NULL;
  const char *id;
  JsonObject *found;
  JsonObject *trigger;

  create_active (fixture, fixture->key_a, "orders", flow);
  hook (fixture, "POST", "/webhook/ws-a/orders", "application/json", "{\"order\": 42}", NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 202);
  id = json_object_get_string_member (object_of (&answer), "execution_id");
  g_assert_nonnull (id);
  g_assert_true (json_object_has_member (object_of (&answer), "status"));
  location = g_strdup_printf ("/api/v1/executions/%s", id);
  g_assert_cmpstr (soup_message_headers_get_one (answer.headers, "Location"), ==, location);

  found = wait_for_execution (fixture, fixture->key_a, id, "succeeded", &execution);
  g_assert_cmpstr (json_object_get_string_member (found, "flow_id"), ==, "orders");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (found, "input"), "body"), "order"), ==, 42);
  /* It records the webhook that started it, and the list filters by that. */
  trigger = json_object_get_object_member (found, "trigger");
  g_assert_cmpstr (json_object_get_string_member (trigger, "type"), ==, "webhook");
  g_assert_cmpstr (json_object_get_string_member (trigger, "method"), ==, "POST");
  g_assert_cmpstr (json_object_get_string_member (trigger, "path"), ==, "/orders");
  {
    g_auto(Answer) webhooks = { 0 };
    g_auto(Answer) manual = { 0 };
    JsonArray *items;

    api (fixture, fixture->key_a, "GET", "/api/v1/executions?trigger=webhook", NULL, &webhooks);
    g_assert_cmpuint (webhooks.status, ==, 200);
    items = json_object_get_array_member (object_of (&webhooks), "items");
    g_assert_cmpuint (json_array_get_length (items), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "id"), ==, id);
    api (fixture, fixture->key_a, "GET", "/api/v1/executions?trigger=manual", NULL, &manual);
    g_assert_cmpuint (manual.status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object_of (&manual), "items")), ==, 0);
  }
  /* Another workspace's key does not see it. */
  {
    g_auto(Answer) other = { 0 };

    api (fixture, fixture->key_b, "GET", location, NULL, &other);
    g_assert_cmpuint (other.status, ==, 404);
  }
}

typedef struct {
  Fixture *fixture;
  Answer answer;
  SoupSession *session;
  const char *path;  /* (nullable) "/webhook/ws-a/slow" */
} Caller;

static gpointer
caller_thread (gpointer data)
{
  Caller *caller = data;

  send_to (caller->session, caller->fixture->test->uri, "POST", caller->path ? caller->path : "/webhook/ws-a/slow",
           "application/json", "{}", NULL, &caller->answer);
  return NULL;
}

/* A respond node not reached within response_timeout: 504 with the execution's id; the
 * execution goes on and succeeds later. Time moves on the manual clock. */
static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  const char *flow =
    "{\"id\": \"slow\", \"name\": \"slow\", \"triggers\": [{\"type\": \"webhook\", \"path\": \"/slow\", \"response_timeout\": 2}],"
    " \"nodes\": [{\"id\": \"pause\", \"type\": \"wait\", \"config\": {\"duration\": 60}},"
    "             {\"id\": \"reply\", \"type\": \"respond\", \"config\": {\"body\": \"late\"}}],"
    " \"connections\": [{\"from\": \"pause\", \"to\": \"reply\"}]}";
  Caller caller = { fixture, { 0 }, soup_session_new () };
  g_auto(Answer) execution = { 0 };
  GThread *thread;
  JsonObject *details;
  const char *id;

  create_active (fixture, fixture->key_a, "slow", flow);
  thread = g_thread_new ("caller", caller_thread, &caller);
  /* The wait node's timeout and the webhook's. */
  wait_for_pending_timeouts (fixture, 2);
  /* Not yet: one second short of the response timeout. */
  advance (fixture, 1 * G_USEC_PER_SEC);
  wait_for_pending_timeouts (fixture, 2);
  advance (fixture, 1 * G_USEC_PER_SEC);
  g_thread_join (thread);

  assert_error (&caller.answer, 504, "timeout");
  details = json_object_get_object_member (json_object_get_object_member (object_of (&caller.answer), "error"),
                                           "details");
  id = json_object_get_string_member (details, "execution_id");
  g_assert_nonnull (id);
  wait_for_execution (fixture, fixture->key_a, id, "running", &execution);
  advance (fixture, 60 * G_USEC_PER_SEC);
  wait_for_execution (fixture, fixture->key_a, id, "succeeded", &execution);

  answer_clear (&caller.answer);
  g_assert_finalize_object (caller.session);
}

/* Calls of triggers with different response timeouts share one timer: a call with a
 * sooner deadline than those waiting goes first, one answered in time no longer counts,
 * and each of the others times out at its own deadline. On the manual clock the server's
 * timers are one per wait node plus one for all the waiting calls. */
static void
test_timeouts_in_order (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *slower =
    "{\"id\": \"slower\", \"name\": \"slower\", \"triggers\": [{\"type\": \"webhook\", \"path\": \"/slower\", \"response_timeout\": 5}],"
    " \"nodes\": [{\"id\": \"pause\", \"type\": \"wait\", \"config\": {\"duration\": 60}},"
    "             {\"id\": \"reply\", \"type\": \"respond\", \"config\": {\"body\": \"late\"}}],"
    " \"connections\": [{\"from\": \"pause\", \"to\": \"reply\"}]}";
  const char *quick =
    "{\"id\": \"quick\", \"name\": \"quick\", \"triggers\": [{\"type\": \"webhook\", \"path\": \"/quick\", \"response_timeout\": 2}],"
    " \"nodes\": [{\"id\": \"reply\", \"type\": \"respond\", \"config\": {\"body\": \"now\"}}]}";
  Caller first = { fixture, { 0 }, soup_session_new (), "/webhook/ws-a/slower" };
  g_auto(Answer) answered = { 0 };
  guint pending = 0;
  GThread *thread;

  create_active (fixture, fixture->key_a, "slower", slower);
  create_active (fixture, fixture->key_a, "quick", quick);
  thread = g_thread_new ("caller", caller_thread, &first);
  /* Its wait node's timeout and the calls' timer, for second 5. */
  wait_for_pending_timeouts (fixture, 2);
  /* Due at second 2, before the first: the timer is set for it, and it is answered. */
  hook (fixture, "POST", "/webhook/ws-a/quick", "application/json", "{}", NULL, &answered);
  g_assert_cmpuint (answered.status, ==, 200);
  on_server (fixture, pending_func, &pending);
  g_assert_cmpuint (pending, ==, 2);
  /* At second 2 nothing is due: the timer waits for the first call again. */
  advance (fixture, 2 * G_USEC_PER_SEC);
  on_server (fixture, pending_func, &pending);
  g_assert_cmpuint (pending, ==, 2);
  advance (fixture, 2 * G_USEC_PER_SEC);
  on_server (fixture, pending_func, &pending);
  g_assert_cmpuint (pending, ==, 2);
  /* Second 5: its own deadline. */
  advance (fixture, 1 * G_USEC_PER_SEC);
  g_thread_join (thread);
  assert_error (&first.answer, 504, "timeout");
  on_server (fixture, pending_func, &pending);
  g_assert_cmpuint (pending, ==, 1);

  answer_clear (&first.answer);
  g_assert_finalize_object (first.session);
}

/* An execution that ends without reaching its respond node: 200 with the execution when
 * it succeeded (the condition chose the other way), 500 with its id when it failed. */
static void
test_not_reached (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *flow =
    "{\"id\": \"maybe\", \"name\": \"maybe\", \"triggers\": [{\"type\": \"webhook\", \"path\": \"/maybe\"}],"
    " \"nodes\": [{\"id\": \"check\", \"type\": \"condition\", \"config\": {\"expression\": \"{{input.body.go}} == true\"}},"
    "             {\"id\": \"boom\", \"type\": \"transform\", \"config\": {\"source\": \"{{input.body.text}}\", \"set\": {\"x\": 1}}},"
    "             {\"id\": \"reply\", \"type\": \"respond\", \"config\": {\"body\": \"yes\"}}],"
    " \"connections\": [{\"from\": \"check\", \"to\": \"boom\"}, {\"from\": \"boom\", \"to\": \"reply\"}]}";
  g_auto(Answer) skipped = { 0 };
  g_auto(Answer) failed = { 0 };
  JsonObject *error;

  create_active (fixture, fixture->key_a, "maybe", flow);
  hook (fixture, "POST", "/webhook/ws-a/maybe", "application/json", "{\"go\": false}", NULL, &skipped);
  g_assert_cmpuint (skipped.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object_of (&skipped), "status"), ==, "succeeded");
  g_assert_nonnull (json_object_get_string_member (object_of (&skipped), "execution_id"));

  /* set on a string source fails the transform. */
  hook (fixture, "POST", "/webhook/ws-a/maybe", "application/json", "{\"go\": true, \"text\": \"str\"}", NULL, &failed);
  assert_error (&failed, 500, "internal");
  error = json_object_get_object_member (object_of (&failed), "error");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "details"), "status"), ==,
                   "failed");
  g_assert_nonnull (json_object_get_string_member (json_object_get_object_member (error, "details"), "execution_id"));
}

/* 404 for unknown paths and workspaces and another workspace's path, 405 with Allow for
 * another method; the same path in two workspaces runs each one's flow. */
static void
test_routing (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *flow_a = respond_flow ("a-signup", "POST", "/signup", NULL, "\"from a\"");
  g_autofree char *flow_b = respond_flow ("b-signup", "POST", "/signup", NULL, "\"from b\"");
  g_autofree char *flow_b_only = respond_flow ("b-only", "GET", "/b-only", NULL, "\"b only\"");
  g_autofree char *flow_delete = respond_flow ("a-delete", "DELETE", "/signup", NULL, "\"deleted\"");
  g_auto(Answer) a = { 0 };
  g_auto(Answer) b = { 0 };
  g_auto(Answer) wrong_method = { 0 };
  g_auto(Answer) unknown = { 0 };
  g_auto(Answer) no_workspace = { 0 };
  g_auto(Answer) other = { 0 };
  g_auto(Answer) options = { 0 };
  g_auto(Answer) deleted = { 0 };

  create_active (fixture, fixture->key_a, "a-signup", flow_a);
  create_active (fixture, fixture->key_a, "a-delete", flow_delete);
  create_active (fixture, fixture->key_b, "b-signup", flow_b);
  create_active (fixture, fixture->key_b, "b-only", flow_b_only);

  hook (fixture, "POST", "/webhook/ws-a/signup", "text/plain", "x", NULL, &a);
  g_assert_cmpuint (a.status, ==, 201);
  g_assert_cmpstr (a.body, ==, "from a");
  hook (fixture, "POST", "/webhook/ws-b/signup", "text/plain", "x", NULL, &b);
  g_assert_cmpuint (b.status, ==, 201);
  g_assert_cmpstr (b.body, ==, "from b");
  hook (fixture, "DELETE", "/webhook/ws-a/signup", NULL, NULL, NULL, &deleted);
  g_assert_cmpstr (deleted.body, ==, "deleted");

  hook (fixture, "GET", "/webhook/ws-a/signup", NULL, NULL, NULL, &wrong_method);
  assert_error (&wrong_method, 405, "method_not_allowed");
  g_assert_cmpstr (soup_message_headers_get_one (wrong_method.headers, "Allow"), ==, "DELETE, POST");

  hook (fixture, "POST", "/webhook/ws-a/nothing/here", "text/plain", "x", NULL, &unknown);
  assert_error (&unknown, 404, "not_found");
  hook (fixture, "POST", "/webhook/no-such-workspace/signup", "text/plain", "x", NULL, &no_workspace);
  assert_error (&no_workspace, 404, "not_found");
  /* ws-b's path is not reachable through ws-a, with any method. */
  hook (fixture, "GET", "/webhook/ws-a/b-only", NULL, NULL, NULL, &other);
  assert_error (&other, 404, "not_found");
  /* A method no webhook can have: the router's own 405. */
  hook (fixture, "OPTIONS", "/webhook/ws-a/signup", NULL, NULL, NULL, &options);
  g_assert_cmpuint (options.status, ==, 405);
}

/* A deactivated or deleted flow's webhook is 404; activated again, it runs again. A new
 * version of an active flow is what the next call runs, at its new path. An older
 * flow's "/webhook/..." path is read without that prefix. */
static void
test_lifecycle (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *v1 = respond_flow ("life", "POST", "/webhook/life", NULL, "\"v1\"");
  g_autofree char *v2 = respond_flow ("life", "POST", "/life-2", NULL, "\"v2\"");
  g_auto(Answer) first = { 0 };
  g_auto(Answer) off = { 0 };
  g_auto(Answer) on = { 0 };
  g_auto(Answer) put = { 0 };
  g_auto(Answer) old_path = { 0 };
  g_auto(Answer) new_path = { 0 };
  g_auto(Answer) removed = { 0 };
  g_auto(Answer) gone = { 0 };
  g_auto(Answer) ignored = { 0 };

  create_active (fixture, fixture->key_a, "life", v1);
  hook (fixture, "POST", "/webhook/ws-a/life", "text/plain", "x", NULL, &first);
  g_assert_cmpstr (first.body, ==, "v1");

  api (fixture, fixture->key_a, "POST", "/api/v1/flows/life/deactivate", NULL, &ignored);
  g_assert_cmpuint (ignored.status, ==, 200);
  g_assert_cmpuint (n_triggers (fixture), ==, 0);
  hook (fixture, "POST", "/webhook/ws-a/life", "text/plain", "x", NULL, &off);
  assert_error (&off, 404, "not_found");
  answer_clear (&ignored);
  api (fixture, fixture->key_a, "POST", "/api/v1/flows/life/activate", NULL, &ignored);
  hook (fixture, "POST", "/webhook/ws-a/life", "text/plain", "x", NULL, &on);
  g_assert_cmpstr (on.body, ==, "v1");

  api (fixture, fixture->key_a, "PUT", "/api/v1/flows/life", v2, &put);
  g_assert_cmpuint (put.status, ==, 200);
  hook (fixture, "POST", "/webhook/ws-a/life", "text/plain", "x", NULL, &old_path);
  assert_error (&old_path, 404, "not_found");
  hook (fixture, "POST", "/webhook/ws-a/life-2", "text/plain", "x", NULL, &new_path);
  g_assert_cmpstr (new_path.body, ==, "v2");

  api (fixture, fixture->key_a, "DELETE", "/api/v1/flows/life", NULL, &removed);
  g_assert_cmpuint (removed.status, ==, 204);
  hook (fixture, "POST", "/webhook/ws-a/life-2", "text/plain", "x", NULL, &gone);
  assert_error (&gone, 404, "not_found");
  g_assert_cmpuint (n_triggers (fixture), ==, 0);
}

/* Saves @data, a flow document, in ws-a's store without the API's validation. */
static void
store_typo_func (Fixture  *fixture,
                 gpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_store_save_workspace_flow (deca_server_get_store (fixture->test->server), "ws-a",
                                                 "typo", "typo", data, NULL, &error));
  g_assert_no_error (error);
}

/* Two active flows of a workspace cannot share a method and path (409 naming the other,
 * on activation and on a new version); another method, or another workspace, can. An
 * "auth" with a typo cannot be saved (422 at its pointer), nor activated when it was stored
 * anyway (422). */
static void
test_conflict (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *first = respond_flow ("first", "POST", "/dup", NULL, "\"first\"");
  g_autofree char *second = respond_flow ("second", "POST", "/dup", NULL, "\"second\"");
  g_autofree char *second_get = respond_flow ("second", "GET", "/dup", NULL, "\"second\"");
  g_autofree char *other_ws = respond_flow ("other-ws", "POST", "/dup", NULL, "\"b\"");
  g_autofree char *typo = respond_flow ("typo", "POST", "/typo", ", \"auth\": {\"type\": \"hmac\", \"credential\": \"hook\"}",
                                        "\"x\"");
  g_auto(Answer) created = { 0 };
  g_auto(Answer) refused = { 0 };
  g_auto(Answer) put = { 0 };
  g_auto(Answer) put_back = { 0 };
  g_auto(Answer) still = { 0 };
  g_auto(Answer) typo_created = { 0 };
  g_auto(Answer) typo_refused = { 0 };
  g_auto(Answer) ignored = { 0 };
  JsonObject *error;
  JsonArray *problems;

  create_active (fixture, fixture->key_a, "first", first);
  create_active (fixture, fixture->key_b, "other-ws", other_ws);
  api (fixture, fixture->key_a, "POST", "/api/v1/flows", second, &created);
  g_assert_cmpuint (created.status, ==, 201);
  api (fixture, fixture->key_a, "POST", "/api/v1/flows/second/activate", NULL, &refused);
  assert_error (&refused, 409, "conflict");
  error = json_object_get_object_member (object_of (&refused), "error");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "“first”"));
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "POST /dup"));
  hook (fixture, "POST", "/webhook/ws-a/dup", "text/plain", "x", NULL, &still);
  g_assert_cmpstr (still.body, ==, "first");

  /* With GET it can be active; a new version claiming POST again is refused and the
   * active version stays. */
  api (fixture, fixture->key_a, "PUT", "/api/v1/flows/second", second_get, &ignored);
  g_assert_cmpuint (ignored.status, ==, 200);
  answer_clear (&ignored);
  api (fixture, fixture->key_a, "POST", "/api/v1/flows/second/activate", NULL, &ignored);
  g_assert_cmpuint (ignored.status, ==, 200);
  api (fixture, fixture->key_a, "PUT", "/api/v1/flows/second", second, &put);
  assert_error (&put, 409, "conflict");
  g_assert_cmpuint (n_triggers (fixture), ==, 3);
  answer_clear (&still);
  hook (fixture, "GET", "/webhook/ws-a/dup", NULL, NULL, NULL, &still);
  g_assert_cmpstr (still.body, ==, "second");
  /* Once the first is off, the second may take POST. */
  answer_clear (&ignored);
  api (fixture, fixture->key_a, "POST", "/api/v1/flows/first/deactivate", NULL, &ignored);
  api (fixture, fixture->key_a, "PUT", "/api/v1/flows/second", second, &put_back);
  g_assert_cmpuint (put_back.status, ==, 200);
  answer_clear (&still);
  hook (fixture, "POST", "/webhook/ws-a/dup", "text/plain", "x", NULL, &still);
  g_assert_cmpstr (still.body, ==, "second");

  /* The validator reads the trigger's schema, so saving the typo is refused... */
  api (fixture, fixture->key_a, "POST", "/api/v1/flows", typo, &typo_created);
  assert_error (&typo_created, 422, "unprocessable");
  problems = json_object_get_array_member (json_object_get_object_member (
    json_object_get_object_member (object_of (&typo_created), "error"), "details"), "problems");
  g_assert_cmpuint (json_array_get_length (problems), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (problems, 0),
                                                  "pointer"), ==, "/triggers/0/auth/type");
  /* ... and one stored before that (by an older server) still cannot be activated. */
  on_server (fixture, store_typo_func, typo);
  api (fixture, fixture->key_a, "POST", "/api/v1/flows/typo/activate", NULL, &typo_refused);
  assert_error (&typo_refused, 422, "unprocessable");
  error = json_object_get_object_member (object_of (&typo_refused), "error");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "/triggers/0/auth/type"));
}

static void
create_hook_credential (Fixture *fixture)
{
  g_auto(Answer) answer = { 0 };

  api (fixture, fixture->key_a, "POST", "/api/v1/credentials",
       "{\"name\": \"hook\", \"type\": \"webhook\", \"secret\": {\"secret\": \"" HOOK_SECRET "\"}}", &answer);
  g_assert_cmpuint (answer.status, ==, 201);
}

/* A shared token in a header: the right one runs the flow (and is not in its input),
 * a wrong or missing one is 401, audited as denied, and runs nothing. */
static void
test_header_token (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *flow = respond_flow ("tokened", "POST", "/tokened",
                                        ", \"auth\": {\"type\": \"header\", \"header\": \"X-Webhook-Token\", \"credential\": \"hook\"}",
                                        "{\"headers\": \"{{input.headers}}\"}");
  const char *right[] = { "X-Webhook-Token", HOOK_SECRET, NULL };
  const char *wrong[] = { "X-Webhook-Token", HOOK_SECRET "x", NULL };
  const char *prefix[] = { "X-Webhook-Token", "whsec", NULL };
  g_auto(Answer) ok = { 0 };
  g_auto(Answer) bad = { 0 };
  g_auto(Answer) short_one = { 0 };
  g_auto(Answer) missing = { 0 };
  g_autoptr(GPtrArray) denied = NULL;
  g_autofree char *log = NULL;

  create_hook_credential (fixture);
  create_active (fixture, fixture->key_a, "tokened", flow);
  hook (fixture, "POST", "/webhook/ws-a/tokened", "text/plain", "x", right, &ok);
  g_assert_cmpuint (ok.status, ==, 201);
  g_assert_false (json_object_has_member (json_object_get_object_member (object_of (&ok), "headers"),
                                          "x-webhook-token"));
  g_assert_null (strstr (ok.body, HOOK_SECRET));
  g_assert_cmpuint (count_executions (fixture, fixture->key_a, "tokened"), ==, 1);

  hook (fixture, "POST", "/webhook/ws-a/tokened", "text/plain", "x", wrong, &bad);
  assert_error (&bad, 401, "unauthenticated");
  hook (fixture, "POST", "/webhook/ws-a/tokened", "text/plain", "x", prefix, &short_one);
  assert_error (&short_one, 401, "unauthenticated");
  hook (fixture, "POST", "/webhook/ws-a/tokened", "text/plain", "x", NULL, &missing);
  assert_error (&missing, 401, "unauthenticated");
  g_assert_nonnull (strstr (soup_message_headers_get_one (missing.headers, "WWW-Authenticate"), "X-Webhook-Token"));
  g_assert_cmpuint (count_executions (fixture, fixture->key_a, "tokened"), ==, 1);
  denied = webhook_audit (fixture, "ws-a", "denied");
  g_assert_cmpuint (denied->len, ==, 3);
  g_assert_cmpstr (((DecaAuditRecord *) g_ptr_array_index (denied, 0))->target, ==, "tokened");

  fixture_stop (fixture);
  log = read_log (fixture);
  g_assert_null (strstr (log, HOOK_SECRET));
}

static char *
hmac_hex (const char *key,
          const char *body)
{
  return g_compute_hmac_for_data (G_CHECKSUM_SHA256, (const guchar *) key, strlen (key), (const guchar *) body,
                                  strlen (body));
}

/* GitHub's signature: X-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>. The
 * right one (in upper-case hex too) runs the flow; another body, another key, no prefix
 * or no header is 401 and runs nothing. */
static void
test_hmac (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *flow = plain_flow ("signed", "/signed", ", \"auth\": {\"type\": \"hmac-sha256\", \"credential\": \"hook\"}");
  const char *body = "{\"action\": \"opened\", \"number\": 7}";
  g_autofree char *hex = hmac_hex (HOOK_SECRET, body);
  g_autofree char *upper = g_ascii_strup (hex, -1);
  g_autofree char *right = g_strconcat ("sha256=", hex, NULL);
  g_autofree char *right_upper = g_strconcat ("sha256=", upper, NULL);
  g_autofree char *other_key_hex = hmac_hex ("another-secret", body);
  g_autofree char *other_key = g_strconcat ("sha256=", other_key_hex, NULL);
  const char *good[] = { "X-Signature-256", right, NULL };
  const char *good_upper[] = { "X-Signature-256", right_upper, NULL };
  const char *wrong_key[] = { "X-Signature-256", other_key, NULL };
  const char *no_prefix[] = { "X-Signature-256", hex, NULL };
  g_auto(Answer) ok = { 0 };
  g_auto(Answer) ok_upper = { 0 };
  g_auto(Answer) tampered = { 0 };
  g_auto(Answer) bad_key = { 0 };
  g_auto(Answer) bare = { 0 };
  g_auto(Answer) missing = { 0 };
  g_auto(Answer) execution = { 0 };
  JsonObject *headers;

  create_hook_credential (fixture);
  create_active (fixture, fixture->key_a, "signed", flow);
  hook (fixture, "POST", "/webhook/ws-a/signed", "application/json", body, good, &ok);
  g_assert_cmpuint (ok.status, ==, 202);
  hook (fixture, "POST", "/webhook/ws-a/signed", "application/json", body, good_upper, &ok_upper);
  g_assert_cmpuint (ok_upper.status, ==, 202);
  headers = json_object_get_object_member (
    json_object_get_object_member (wait_for_execution (fixture, fixture->key_a,
                                                       json_object_get_string_member (object_of (&ok), "execution_id"),
                                                       "succeeded", &execution),
                                   "input"),
    "headers");
  g_assert_false (json_object_has_member (headers, "x-signature-256"));

  hook (fixture, "POST", "/webhook/ws-a/signed", "application/json", "{\"action\": \"closed\", \"number\": 7}", good,
        &tampered);
  assert_error (&tampered, 401, "unauthenticated");
  hook (fixture, "POST", "/webhook/ws-a/signed", "application/json", body, wrong_key, &bad_key);
  assert_error (&bad_key, 401, "unauthenticated");
  hook (fixture, "POST", "/webhook/ws-a/signed", "application/json", body, no_prefix, &bare);
  assert_error (&bare, 401, "unauthenticated");
  hook (fixture, "POST", "/webhook/ws-a/signed", "application/json", body, NULL, &missing);
  assert_error (&missing, 401, "unauthenticated");
  g_assert_cmpuint (count_executions (fixture, fixture->key_a, "signed"), ==, 2);
  {
    g_autoptr(GPtrArray) denied = webhook_audit (fixture, "ws-a", "denied");

    g_assert_cmpuint (denied->len, ==, 4);
  }
}

/* A trigger whose credential does not exist: 500, the reason in the log, nothing runs;
 * once the credential is made, the same call works. */
static void
test_missing_credential (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *flow = plain_flow ("lonely", "/lonely", ", \"auth\": {\"type\": \"header\", \"credential\": \"hook\"}");
  const char *token[] = { "X-Webhook-Token", HOOK_SECRET, NULL };
  g_auto(Answer) refused = { 0 };
  g_auto(Answer) works = { 0 };
  g_autofree char *log = NULL;
  JsonObject *error;

  create_active (fixture, fixture->key_a, "lonely", flow);
  hook (fixture, "POST", "/webhook/ws-a/lonely", "text/plain", "x", token, &refused);
  assert_error (&refused, 500, "internal");
  error = json_object_get_object_member (object_of (&refused), "error");
  g_assert_null (strstr (json_object_get_string_member (error, "message"), "hook"));
  g_assert_cmpuint (count_executions (fixture, fixture->key_a, "lonely"), ==, 0);

  create_hook_credential (fixture);
  hook (fixture, "POST", "/webhook/ws-a/lonely", "text/plain", "x", token, &works);
  g_assert_cmpuint (works.status, ==, 202);

  fixture_stop (fixture);
  log = read_log (fixture);
  g_assert_nonnull (strstr (log, "credential 'hook' cannot be used"));
  g_assert_null (strstr (log, HOOK_SECRET));
}

/* The index is built from the store at start: an active flow's webhook works after a
 * restart without being activated again, and the conflict check knows it. */
static void
test_restart (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *flow = respond_flow ("kept", "POST", "/kept", NULL, "\"kept\"");
  g_autofree char *rival = respond_flow ("rival", "POST", "/kept", NULL, "\"rival\"");
  g_auto(Answer) after = { 0 };
  g_auto(Answer) created = { 0 };
  g_auto(Answer) refused = { 0 };

  create_active (fixture, fixture->key_a, "kept", flow);
  fixture_stop (fixture);
  fixture_start (fixture);
  g_assert_cmpuint (n_triggers (fixture), ==, 1);
  hook (fixture, "POST", "/webhook/ws-a/kept", "text/plain", "x", NULL, &after);
  g_assert_cmpuint (after.status, ==, 201);
  g_assert_cmpstr (after.body, ==, "kept");
  api (fixture, fixture->key_a, "POST", "/api/v1/flows", rival, &created);
  api (fixture, fixture->key_a, "POST", "/api/v1/flows/rival/activate", NULL, &refused);
  assert_error (&refused, 409, "conflict");
}

/* With a limiter, calls of one path share a bucket (429 with Retry-After once it is
 * empty, nothing runs); another path has its own; time refills it. */
static void
test_rate_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *one = plain_flow ("one", "/one", NULL);
  g_autofree char *two = plain_flow ("two", "/two", NULL);
  g_auto(Answer) limited = { 0 };
  g_auto(Answer) other = { 0 };
  g_auto(Answer) later = { 0 };

  create_active (fixture, fixture->key_a, "one", one);
  create_active (fixture, fixture->key_a, "two", two);
  for (guint i = 0; i < 2; i++)
    {
      g_auto(Answer) answer = { 0 };

      hook (fixture, "POST", "/webhook/ws-a/one", "text/plain", "x", NULL, &answer);
      g_assert_cmpuint (answer.status, ==, 202);
    }
  hook (fixture, "POST", "/webhook/ws-a/one", "text/plain", "x", NULL, &limited);
  assert_error (&limited, 429, "rate_limited");
  g_assert_cmpstr (soup_message_headers_get_one (limited.headers, "Retry-After"), ==, "1");
  g_assert_cmpuint (count_executions (fixture, fixture->key_a, "one"), ==, 2);
  hook (fixture, "POST", "/webhook/ws-a/two", "text/plain", "x", NULL, &other);
  g_assert_cmpuint (other.status, ==, 202);
  advance (fixture, 1 * G_USEC_PER_SEC);
  hook (fixture, "POST", "/webhook/ws-a/one", "text/plain", "x", NULL, &later);
  g_assert_cmpuint (later.status, ==, 202);
}

#define ACME_ID "8ee36a1e-77b6-46c8-88d4-ff6ed4cf66f5"

static void
create_acme_func (Fixture  *fixture,
                  gpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_store_create_workspace (deca_server_get_store (fixture->test->server), ACME_ID, "acme", &error));
  g_assert_no_error (error);
}

static const char *
error_message (Answer *answer)
{
  return json_object_get_string_member (json_object_get_object_member (object_of (answer), "error"), "message");
}

/* A webhook URL with the workspace's name where its id goes: the 404 says that URLs take
 * the id. The hint follows from the segment's form only (not a UUID), so a name that
 * exists and one that does not get the same answer; a UUID gets the plain one. */
static void
test_workspace_name (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(Answer) by_name = { 0 };
  g_auto(Answer) no_name = { 0 };
  g_auto(Answer) by_id = { 0 };
  g_auto(Answer) no_id = { 0 };
  g_autofree char *expected = NULL;

  on_server (fixture, create_acme_func, NULL);
  hook (fixture, "POST", "/webhook/acme/signup", "text/plain", "x", NULL, &by_name);
  assert_error (&by_name, 404, "not_found");
  g_assert_cmpstr (error_message (&by_name), ==,
                   "No such webhook: /webhook/acme/signup. A webhook's URL names the workspace by its id, a UUID "
                   "(deca serve --init and GET /api/v1/workspaces show it), not by its name");
  hook (fixture, "POST", "/webhook/acne/signup", "text/plain", "x", NULL, &no_name);
  assert_error (&no_name, 404, "not_found");
  expected = g_strdup (error_message (&by_name));
  memcpy (strstr (expected, "/acme/") + 1, "acne", 4);
  g_assert_cmpstr (error_message (&no_name), ==, expected);
  g_assert_true (json_node_equal (json_object_get_member (json_object_get_object_member (object_of (&by_name), "error"),
                                                          "details"),
                                  json_object_get_member (json_object_get_object_member (object_of (&no_name), "error"),
                                                          "details")));

  hook (fixture, "POST", "/webhook/" ACME_ID "/signup", "text/plain", "x", NULL, &by_id);
  assert_error (&by_id, 404, "not_found");
  g_assert_cmpstr (error_message (&by_id), ==, "No such webhook: /webhook/" ACME_ID "/signup");
  hook (fixture, "POST", "/webhook/0b6f6f8e-1f2a-4c3d-9e4f-5a6b7c8d9e0f/signup", "text/plain", "x", NULL, &no_id);
  assert_error (&no_id, 404, "not_found");
  g_assert_cmpstr (error_message (&no_id), ==, "No such webhook: /webhook/0b6f6f8e-1f2a-4c3d-9e4f-5a6b7c8d9e0f/signup");
}

/* A stand-in for a service that echoes what it was sent, on a thread of its own. */
typedef struct {
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  char *uri;
} Echo;

static void
echo_cb (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                                            "Authorization");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "authorization");
  json_builder_add_string_value (builder, authorization != NULL ? authorization : "");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static gpointer
echo_thread (gpointer data)
{
  Echo *echo = data;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  g_main_context_push_thread_default (echo->context);
  soup_server_add_handler (server, NULL, echo_cb, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_mutex_lock (&echo->lock);
  echo->uri = g_uri_to_string (uris->data);
  g_cond_signal (&echo->cond);
  g_mutex_unlock (&echo->lock);
  g_main_loop_run (echo->loop);
  soup_server_disconnect (server);
  g_main_context_pop_thread_default (echo->context);
  return NULL;
}

static void
echo_start (Echo *echo)
{
  g_mutex_init (&echo->lock);
  g_cond_init (&echo->cond);
  echo->context = g_main_context_new ();
  echo->loop = g_main_loop_new (echo->context, FALSE);
  echo->thread = g_thread_new ("echo", echo_thread, echo);
  g_mutex_lock (&echo->lock);
  while (echo->uri == NULL)
    g_cond_wait (&echo->cond, &echo->lock);
  g_mutex_unlock (&echo->lock);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
echo_stop (Echo *echo)
{
  g_main_context_invoke (echo->context, quit_cb, echo->loop);
  g_thread_join (echo->thread);
  g_main_loop_unref (echo->loop);
  g_main_context_unref (echo->context);
  g_mutex_clear (&echo->lock);
  g_cond_clear (&echo->cond);
  g_free (echo->uri);
}

/* An http node sends the workspace's credential to a service that echoes it, and a
 * respond node answers with what came back: the webhook's caller (who holds no key) gets
 * it redacted, in the body and in a header, as the stored outputs have it. */
static void
test_respond_redacted (Fixture       *fixture,
                       gconstpointer  data)
{
  Echo echo = { 0 };
  g_autofree char *flow = NULL;
  g_auto(Answer) credential = { 0 };
  g_auto(Answer) answer = { 0 };
  g_auto(Answer) execution = { 0 };
  g_autoptr(GPtrArray) audit = NULL;

  echo_start (&echo);
  flow = g_strdup_printf (
    "{\"id\": \"echoed\", \"name\": \"Echoed\","
    " \"triggers\": [{\"type\": \"webhook\", \"method\": \"POST\", \"path\": \"/echoed\"}],"
    " \"nodes\": ["
    "  {\"id\": \"fetch\", \"type\": \"http\", \"config\": {\"url\": \"%secho\","
    "     \"auth\": {\"type\": \"bearer\", \"credential\": \"crm\"}, \"timeout\": 10}},"
    "  {\"id\": \"answer\", \"type\": \"respond\", \"config\": {"
    "     \"headers\": {\"X-Seen\": \"{{fetch.body.authorization}}\"}, \"body\": \"{{fetch.body}}\"}}"
    " ],"
    " \"connections\": [{\"from\": \"fetch\", \"to\": \"answer\"}]}", echo.uri);
  api (fixture, fixture->key_a, "POST", "/api/v1/credentials",
       "{\"name\": \"crm\", \"type\": \"api_key\", \"secret\": {\"token\": \"crm-Tq4-never-out\"}}", &credential);
  g_assert_cmpuint (credential.status, ==, 201);
  create_active (fixture, fixture->key_a, "echoed", flow);

  hook (fixture, "POST", "/webhook/ws-a/echoed", "application/json", "{}", NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_null (strstr (answer.body, "crm-Tq4-never-out"));
  g_assert_cmpstr (json_object_get_string_member (object_of (&answer), "authorization"), ==, "Bearer [redacted]");
  g_assert_cmpstr (soup_message_headers_get_one (answer.headers, "X-Seen"), ==, "Bearer [redacted]");

  /* The recorded execution has it redacted too. */
  audit = webhook_audit (fixture, "ws-a", "ok");
  g_assert_cmpuint (audit->len, ==, 1);
  wait_for_execution (fixture, fixture->key_a, ((DecaAuditRecord *) g_ptr_array_index (audit, 0))->target,
                      "succeeded", &execution);
  g_assert_null (strstr (execution.body, "crm-Tq4-never-out"));
  g_assert_nonnull (strstr (execution.body, "Bearer [redacted]"));
  echo_stop (&echo);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/server/webhooks/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("respond", test_respond);
  ADD ("bodies", test_bodies);
  ADD ("bad-json", test_bad_json);
  ADD ("accepted", test_accepted);
  ADD ("timeout", test_timeout);
  ADD ("timeouts-in-order", test_timeouts_in_order);
  ADD ("not-reached", test_not_reached);
  ADD ("routing", test_routing);
  ADD ("lifecycle", test_lifecycle);
  ADD ("conflict", test_conflict);
  ADD ("header-token", test_header_token);
  ADD ("hmac", test_hmac);
  ADD ("missing-credential", test_missing_credential);
  ADD ("restart", test_restart);
  ADD ("respond-redacted", test_respond_redacted);
  ADD ("workspace-name", test_workspace_name);
#undef ADD
  g_test_add ("/deca/server/webhooks/rate-limit", Fixture, "limit", fixture_setup, test_rate_limit, fixture_teardown);
  return g_test_run ();
}
