/* test-credential-scope.c: credentials looked up for an execution's workspace. A provider
 * with per-workspace credentials is asked for the workspace of the flow being run (the
 * store's, where the execution is recorded), for templates resolved when the execution
 * starts, for nodes that ask while they run (the http node's auth) and for a resumed
 * execution; a flow runs subflows of its own workspace only. A provider without it (the
 * CLI's memory provider, the desktop's keyring) is asked as before, and so is any
 * provider when the executor has no store. */

#include <string.h>
#include <libsoup/soup.h>

#include "deca-engine.h"
#include "deca-engine-error.h"
#include "deca-store-server.h"

/* --- a provider with per-workspace credentials -------------------------------------- */

#define TEST_TYPE_SCOPED_PROVIDER (test_scoped_provider_get_type ())
G_DECLARE_FINAL_TYPE (TestScopedProvider, test_scoped_provider, TEST, SCOPED_PROVIDER, GObject)

struct _TestScopedProvider
{
  GObject parent_instance;
  GPtrArray *asked;     /* "WORKSPACE/NAME" per scoped lookup, "-/NAME" per plain one */
};

static void test_scoped_provider_iface_init (DecaCredentialProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestScopedProvider, test_scoped_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DECA_TYPE_CREDENTIAL_PROVIDER,
                                                      test_scoped_provider_iface_init))

/* Workspaces "ws-a" and "ws-b" each have credential "api" with a token of their own;
 * only "ws-b" has "extra". */
static JsonObject *
scoped_lookup_in_workspace (DecaCredentialProvider  *provider,
                            const char              *workspace_id,
                            const char              *name,
                            GError                 **error)
{
  TestScopedProvider *self = TEST_SCOPED_PROVIDER (provider);
  JsonObject *fields;

  g_assert_nonnull (workspace_id);
  g_ptr_array_add (self->asked, g_strdup_printf ("%s/%s", workspace_id, name));
  if (!(g_str_equal (name, "api") && (g_str_equal (workspace_id, "ws-a") || g_str_equal (workspace_id, "ws-b"))) &&
      !(g_str_equal (name, "extra") && g_str_equal (workspace_id, "ws-b")))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL, "credential '%s' is not defined", name);
      return NULL;
    }
  fields = json_object_new ();
  json_object_set_string_member (fields, "token", g_str_equal (workspace_id, "ws-a") ? "tok-A-1f9" : "tok-B-7c2");
  return fields;
}

static JsonObject *
scoped_lookup (DecaCredentialProvider  *provider,
               const char              *name,
               GError                 **error)
{
  TestScopedProvider *self = TEST_SCOPED_PROVIDER (provider);
  JsonObject *fields = json_object_new ();

  g_ptr_array_add (self->asked, g_strdup_printf ("-/%s", name));
  json_object_set_string_member (fields, "token", "tok-unscoped");
  return fields;
}

static void
test_scoped_provider_iface_init (DecaCredentialProviderInterface *iface)
{
  iface->lookup = scoped_lookup;
  iface->lookup_in_workspace = scoped_lookup_in_workspace;
}

static void
test_scoped_provider_finalize (GObject *object)
{
  g_ptr_array_unref (TEST_SCOPED_PROVIDER (object)->asked);
  G_OBJECT_CLASS (test_scoped_provider_parent_class)->finalize (object);
}

static void
test_scoped_provider_class_init (TestScopedProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_scoped_provider_finalize;
}

static void
test_scoped_provider_init (TestScopedProvider *self)
{
  self->asked = g_ptr_array_new_with_free_func (g_free);
}

/* Whether @provider was asked "WORKSPACE/NAME" (or "-/NAME" for a plain lookup). */
static gboolean
was_asked (TestScopedProvider *provider,
           const char         *what)
{
  for (guint i = 0; i < provider->asked->len; i++)
    if (g_str_equal (g_ptr_array_index (provider->asked, i), what))
      return TRUE;
  return FALSE;
}

/* --- helpers ------------------------------------------------------------------------ */

/* A flow @id whose node says which workspace's token "api" had. */
static char *
template_flow (const char *id)
{
  return g_strdup_printf (
    "{\"id\": \"%s\", \"name\": \"Uses api\", \"nodes\": ["
    " {\"id\": \"use\", \"type\": \"transform\", \"config\": {\"set\": {"
    "   \"is_a\": \"{{credentials.api.token === 'tok-A-1f9'}}\","
    "   \"is_b\": \"{{credentials.api.token === 'tok-B-7c2'}}\","
    "   \"plain\": \"{{credentials.api.token === 'tok-unscoped'}}\"}}}]}", id);
}

static void
save_in (DecaStore  *store,
         const char *workspace_id,
         const char *flow_id,
         const char *document)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlow) flow = deca_flow_new_from_data (document, -1, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  /* In the form the executor saves it, so that running it finds this very version. */
  text = deca_flow_to_data (flow, FALSE, NULL);
  g_assert_true (deca_store_save_workspace_flow (store, workspace_id, flow_id, NULL, text, NULL, &error));
  g_assert_no_error (error);
}

static DecaExecution *
start (DecaExecutor  *executor,
       const char    *document,
       GError       **error)
{
  g_autoptr(DecaFlow) flow = deca_flow_new_from_data (document, -1, NULL);

  g_assert_nonnull (flow);
  return deca_executor_start (executor, flow, NULL, error);
}

static void
run_until_finished (DecaExecution *execution)
{
  while (!deca_execution_is_finished (execution) &&
         deca_execution_get_status (execution) != DECA_EXECUTION_PAUSED)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
output_flag (DecaExecution *execution,
             const char    *node,
             const char    *member)
{
  JsonObject *output = json_node_get_object (deca_execution_get_node_output (execution, node));

  return json_object_get_boolean_member (output, member);
}

static DecaStore *
store_with_workspaces (void)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_store_open (":memory:", &error);

  g_assert_no_error (error);
  g_assert_true (deca_store_create_workspace (store, "ws-a", "A", &error));
  g_assert_true (deca_store_create_workspace (store, "ws-b", "B", &error));
  g_assert_no_error (error);
  return store;
}

/* --- tests -------------------------------------------------------------------------- */

static void
test_dispatch (void)
{
  g_autoptr(TestScopedProvider) scoped = g_object_new (TEST_TYPE_SCOPED_PROVIDER, NULL);
  g_autoptr(DecaMemoryCredentialProvider) memory = deca_memory_credential_provider_new ();
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) found = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_credential_provider_is_per_workspace (DECA_CREDENTIAL_PROVIDER (scoped)));
  g_assert_false (deca_credential_provider_is_per_workspace (DECA_CREDENTIAL_PROVIDER (memory)));

  found = deca_credential_provider_lookup_in_workspace (DECA_CREDENTIAL_PROVIDER (scoped), "ws-b", "api", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (found, "token"), ==, "tok-B-7c2");
  g_clear_pointer (&found, json_object_unref);
  /* No workspace: the plain lookup. */
  found = deca_credential_provider_lookup_in_workspace (DECA_CREDENTIAL_PROVIDER (scoped), NULL, "api", &error);
  g_assert_cmpstr (json_object_get_string_member (found, "token"), ==, "tok-unscoped");
  g_clear_pointer (&found, json_object_unref);
  g_assert_null (deca_credential_provider_lookup_in_workspace (DECA_CREDENTIAL_PROVIDER (scoped), "ws-a", "extra",
                                                               &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);
  g_clear_error (&error);

  /* A provider of one person's credentials answers whatever the workspace. */
  json_object_set_string_member (fields, "token", "mine");
  deca_memory_credential_provider_set (memory, "api", fields);
  found = deca_credential_provider_lookup_in_workspace (DECA_CREDENTIAL_PROVIDER (memory), "ws-a", "api", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (found, "token"), ==, "mine");
}

static void
test_templates_per_workspace (void)
{
  g_autoptr(DecaStore) store = store_with_workspaces ();
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(DecaExecutor) executor = deca_executor_new (registry);
  g_autoptr(TestScopedProvider) provider = g_object_new (TEST_TYPE_SCOPED_PROVIDER, NULL);
  g_autofree char *flow_a = template_flow ("fa");
  g_autofree char *flow_b = template_flow ("fb");
  g_autofree char *flow_local = template_flow ("fl");
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;

  deca_executor_set_store (executor, store);
  deca_executor_set_credential_provider (executor, DECA_CREDENTIAL_PROVIDER (provider));
  save_in (store, "ws-a", "fa", flow_a);
  save_in (store, "ws-b", "fb", flow_b);

  execution = start (executor, flow_a, &error);
  g_assert_no_error (error);
  run_until_finished (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_true (output_flag (execution, "use", "is_a"));
  g_assert_false (output_flag (execution, "use", "is_b"));
  g_clear_object (&execution);

  execution = start (executor, flow_b, &error);
  g_assert_no_error (error);
  run_until_finished (execution);
  g_assert_true (output_flag (execution, "use", "is_b"));
  g_assert_false (output_flag (execution, "use", "is_a"));
  g_clear_object (&execution);
  g_assert_true (was_asked (provider, "ws-a/api"));
  g_assert_true (was_asked (provider, "ws-b/api"));
  g_assert_false (was_asked (provider, "-/api"));

  /* A flow the store did not have goes to the studio's workspace, and is asked for
   * there: this provider has nothing for it. */
  g_assert_null (start (executor, flow_local, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);
  g_assert_true (was_asked (provider, DECA_WORKSPACE_LOCAL "/api"));
  g_clear_error (&error);

  /* A name only another workspace has is not defined here. */
  g_assert_null (start (executor,
                        "{\"id\": \"fa\", \"name\": \"Uses api\", \"nodes\": [{\"id\": \"use\", \"type\": \"transform\","
                        " \"config\": {\"set\": {\"x\": \"{{credentials.extra.token}}\"}}}]}", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);
  g_assert_nonnull (strstr (error->message, "credential 'extra' is not defined"));
  g_assert_true (was_asked (provider, "ws-a/extra"));
  g_assert_false (was_asked (provider, "ws-b/extra"));
}

static void
test_without_store (void)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(DecaExecutor) executor = deca_executor_new (registry);
  g_autoptr(TestScopedProvider) provider = g_object_new (TEST_TYPE_SCOPED_PROVIDER, NULL);
  g_autofree char *document = template_flow ("fa");
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;

  /* No store, no workspace: the plain lookup, as before workspaces. */
  deca_executor_set_credential_provider (executor, DECA_CREDENTIAL_PROVIDER (provider));
  execution = start (executor, document, &error);
  g_assert_no_error (error);
  run_until_finished (execution);
  g_assert_true (output_flag (execution, "use", "plain"));
  g_assert_cmpuint (provider->asked->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (provider->asked, 0), ==, "-/api");
}

static void
test_memory_provider_with_store (void)
{
  g_autoptr(DecaStore) store = store_with_workspaces ();
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(DecaExecutor) executor = deca_executor_new (registry);
  g_autoptr(DecaMemoryCredentialProvider) provider = deca_memory_credential_provider_new ();
  g_autoptr(JsonNode) fields = json_from_string ("{\"token\": \"tok-unscoped\"}", NULL);
  g_autofree char *document = template_flow ("fb");
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;

  /* The CLI's provider answers for a flow of any workspace, as it always did. */
  deca_memory_credential_provider_set (provider, "api", json_node_get_object (fields));
  deca_executor_set_store (executor, store);
  deca_executor_set_credential_provider (executor, DECA_CREDENTIAL_PROVIDER (provider));
  save_in (store, "ws-b", "fb", document);
  execution = start (executor, document, &error);
  g_assert_no_error (error);
  run_until_finished (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_true (output_flag (execution, "use", "plain"));
}

static void
test_resume_keeps_workspace (void)
{
  g_autoptr(DecaStore) store = store_with_workspaces ();
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(DecaExecutor) first = deca_executor_new (registry);
  g_autoptr(DecaExecutor) second = deca_executor_new (registry);
  g_autoptr(TestScopedProvider) provider = g_object_new (TEST_TYPE_SCOPED_PROVIDER, NULL);
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(DecaExecution) resumed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *document =
    "{\"id\": \"paused\", \"name\": \"Paused\", \"nodes\": ["
    " {\"id\": \"ask\", \"type\": \"approval\", \"config\": {\"message\": \"go?\"}},"
    " {\"id\": \"use\", \"type\": \"transform\", \"config\": {\"set\": {"
    "   \"is_b\": \"{{credentials.api.token === 'tok-B-7c2'}}\"}}}],"
    " \"connections\": [{\"from\": \"ask\", \"to\": \"use\", \"from_port\": \"approved\"}]}";

  save_in (store, "ws-b", "paused", document);
  deca_executor_set_store (first, store);
  deca_executor_set_credential_provider (first, DECA_CREDENTIAL_PROVIDER (provider));
  execution = start (first, document, &error);
  g_assert_no_error (error);
  run_until_finished (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_PAUSED);
  g_assert_true (deca_executor_flush (first, &error));
  id = g_strdup (deca_execution_get_id (execution));

  /* Another executor (a restarted server) resumes it: the execution is still ws-b's. */
  g_ptr_array_set_size (provider->asked, 0);
  deca_executor_set_store (second, store);
  deca_executor_set_credential_provider (second, DECA_CREDENTIAL_PROVIDER (provider));
  g_assert_true (deca_executor_decide (second, id, "ask", TRUE, NULL, "ann", &error));
  resumed = deca_executor_resume (second, id, &error);
  g_assert_no_error (error);
  run_until_finished (resumed);
  g_assert_cmpint (deca_execution_get_status (resumed), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_true (output_flag (resumed, "use", "is_b"));
  g_assert_true (was_asked (provider, "ws-b/api"));
  g_assert_false (was_asked (provider, "ws-a/api"));
}

/* The http node asks while it runs (auth.credential): for its execution's workspace. */
static void
server_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  GPtrArray *seen = user_data;
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (message), "X-Api-Key");

  g_ptr_array_add (seen, g_strdup (key ? key : ""));
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, "{}", 2);
}

static void
test_http_auth_per_workspace (void)
{
  g_autoptr(DecaStore) store = store_with_workspaces ();
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(DecaExecutor) executor = deca_executor_new (registry);
  g_autoptr(TestScopedProvider) provider = g_object_new (TEST_TYPE_SCOPED_PROVIDER, NULL);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) base = NULL;
  g_autofree char *uri = NULL;
  GSList *uris;
  const char *workspaces[] = { "ws-a", "ws-b" };

  soup_server_add_handler (server, NULL, server_cb, seen, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_ref (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  uri = g_uri_to_string (base);

  deca_executor_set_store (executor, store);
  deca_executor_set_credential_provider (executor, DECA_CREDENTIAL_PROVIDER (provider));
  for (guint i = 0; i < G_N_ELEMENTS (workspaces); i++)
    {
      g_autofree char *flow_id = g_strdup_printf ("call-%u", i);
      g_autofree char *document = g_strdup_printf (
        "{\"id\": \"%s\", \"name\": \"Call\", \"nodes\": [{\"id\": \"call\", \"type\": \"http\", \"config\": {"
        " \"url\": \"%sping\", \"auth\": {\"type\": \"header\", \"credential\": \"api\", \"field\": \"token\","
        " \"name\": \"X-Api-Key\"}}}]}", flow_id, uri);
      g_autoptr(DecaExecution) execution = NULL;

      save_in (store, workspaces[i], flow_id, document);
      execution = start (executor, document, &error);
      g_assert_no_error (error);
      run_until_finished (execution);
      g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
    }
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "tok-A-1f9");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "tok-B-7c2");
}

/* A subflow runs in its workspace with that workspace's credentials, so a flow runs the
 * flows of its own workspace only: another workspace's is not found, and its
 * credentials are never asked for. */
static void
test_subflow_stays_in_workspace (void)
{
  g_autoptr(DecaStore) store = store_with_workspaces ();
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(DecaExecutor) executor = deca_executor_new (registry);
  g_autoptr(TestScopedProvider) provider = g_object_new (TEST_TYPE_SCOPED_PROVIDER, NULL);
  g_autofree char *child_a = template_flow ("child-a");
  g_autofree char *child_b = template_flow ("child-b");
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  const char *parent_same =
    "{\"id\": \"parent-a\", \"name\": \"Parent\", \"nodes\": ["
    " {\"id\": \"sub\", \"type\": \"subflow\", \"config\": {\"flow_id\": \"child-a\"}}]}";
  const char *parent_other =
    "{\"id\": \"parent-x\", \"name\": \"Parent\", \"nodes\": ["
    " {\"id\": \"sub\", \"type\": \"subflow\", \"config\": {\"flow_id\": \"child-b\"}}]}";

  deca_executor_set_store (executor, store);
  deca_executor_set_credential_provider (executor, DECA_CREDENTIAL_PROVIDER (provider));
  save_in (store, "ws-a", "child-a", child_a);
  save_in (store, "ws-b", "child-b", child_b);
  save_in (store, "ws-a", "parent-a", parent_same);
  save_in (store, "ws-a", "parent-x", parent_other);

  execution = start (executor, parent_same, &error);
  g_assert_no_error (error);
  run_until_finished (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  output = json_to_string (deca_execution_get_output (execution), FALSE);
  g_assert_nonnull (strstr (output, "\"is_a\":true"));
  g_clear_object (&execution);

  g_ptr_array_set_size (provider->asked, 0);
  execution = start (executor, parent_other, &error);
  g_assert_no_error (error);
  run_until_finished (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
  g_assert_cmpstr (deca_execution_get_error_node (execution), ==, "sub");
  g_assert_nonnull (strstr (deca_execution_get_error (execution)->message, "child-b"));
  g_assert_cmpuint (provider->asked->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/credential-scope/dispatch", test_dispatch);
  g_test_add_func ("/deca/engine/credential-scope/templates", test_templates_per_workspace);
  g_test_add_func ("/deca/engine/credential-scope/without-store", test_without_store);
  g_test_add_func ("/deca/engine/credential-scope/memory-provider", test_memory_provider_with_store);
  g_test_add_func ("/deca/engine/credential-scope/resume", test_resume_keeps_workspace);
  g_test_add_func ("/deca/engine/credential-scope/http-auth", test_http_auth_per_workspace);
  g_test_add_func ("/deca/engine/credential-scope/subflow", test_subflow_stays_in_workspace);

  return g_test_run ();
}
