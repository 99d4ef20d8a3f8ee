/* The executor: scheduling, dead paths, loops, error strategies, retries, timeouts,
 * circuit breakers, cancellation, approvals, redaction, durability and resume. */

#include <string.h>

#include <glib/gstdio.h>
#include <unistd.h>

#include "deca-engine.h"
#include "deca-json.h"
#include "deca-store-server.h"

/* --- a controllable test node type ----------------------------------------------------- */

/* "probe": config {"mode": "ok" | "fail" | "hang", "fail_times": n, "circuit": key,
 * "value": any}. Counts invocations and concurrency per test. */
typedef struct {
  GHashTable *calls;            /* node id -> count */
  GHashTable *keys;             /* node id -> last idempotency key */
  guint running;
  guint max_running;
  GPtrArray *hanging;           /* DecaNodeInvocation */
} ProbeStats;

static ProbeStats probe;

#define TEST_TYPE_PROBE_NODE (test_probe_node_get_type ())
G_DECLARE_FINAL_TYPE (TestProbeNode, test_probe_node, TEST, PROBE_NODE, GObject)

struct _TestProbeNode
{
  GObject parent_instance;
  JsonNode *schema;
};

static void test_probe_node_iface_init (DecaNodeTypeInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestProbeNode, test_probe_node, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DECA_TYPE_NODE_TYPE, test_probe_node_iface_init))

static const char *
probe_get_name (DecaNodeType *type)
{
  return "probe";
}

static JsonNode *
probe_get_schema (DecaNodeType *type)
{
  return TEST_PROBE_NODE (type)->schema;
}

static char *
probe_get_circuit_key (DecaNodeType *type,
                       JsonObject   *config)
{
  const char *key = json_object_get_string_member_with_default (config, "circuit", NULL);

  return g_strdup (key);
}

static void
probe_invoke (DecaNodeType       *type,
              DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  const char *id = deca_node_invocation_get_node_key (invocation);
  const char *mode = json_object_get_string_member_with_default (config, "mode", "ok");
  guint calls = GPOINTER_TO_UINT (g_hash_table_lookup (probe.calls, id)) + 1;
  gint64 fail_times = json_object_get_int_member_with_default (config, "fail_times", 0);

  g_hash_table_replace (probe.calls, g_strdup (id), GUINT_TO_POINTER (calls));
  g_hash_table_replace (probe.keys, g_strdup (id), g_strdup (deca_node_invocation_get_idempotency_key (invocation)));

  if (g_str_equal (mode, "hang"))
    {
      probe.running++;
      probe.max_running = MAX (probe.max_running, probe.running);
      g_ptr_array_add (probe.hanging, g_object_ref (invocation));
      return;
    }
  if (g_str_equal (mode, "fail") || (gint64) calls <= fail_times)
    {
      deca_node_invocation_return_error (invocation,
                                         g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                                                      "probe %s failed (call %u)", id, calls));
      return;
    }
  if (json_object_has_member (config, "value"))
    deca_node_invocation_return_output (invocation, json_node_copy (json_object_get_member (config, "value")), NULL);
  else
    deca_node_invocation_return_output (invocation, json_from_string ("{\"ok\": true}", NULL), NULL);
}

static void
test_probe_node_finalize (GObject *object)
{
  json_node_unref (TEST_PROBE_NODE (object)->schema);
  G_OBJECT_CLASS (test_probe_node_parent_class)->finalize (object);
}

static void
test_probe_node_iface_init (DecaNodeTypeInterface *iface)
{
  iface->get_name = probe_get_name;
  iface->get_config_schema = probe_get_schema;
  iface->get_circuit_key = probe_get_circuit_key;
  iface->invoke = probe_invoke;
}

static void
test_probe_node_class_init (TestProbeNodeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_probe_node_finalize;
}

static void
test_probe_node_init (TestProbeNode *self)
{
  self->schema = json_from_string ("{\"type\": \"object\", \"properties\": {"
                                   "\"mode\": {\"type\": \"string\"}, \"value\": {}}}", NULL);
}

/* Completes the oldest hanging probe invocation with @output. */
static void
probe_release (const char *output_json)
{
  DecaNodeInvocation *invocation;

  g_assert_cmpuint (probe.hanging->len, >, 0);
  invocation = g_ptr_array_steal_index (probe.hanging, 0);
  probe.running--;
  deca_node_invocation_return_output (invocation, json_from_string (output_json, NULL), NULL);
  g_object_unref (invocation);
}

static guint
probe_calls (const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (probe.calls, key));
}

/* --- fixture -------------------------------------------------------------------------- */

typedef struct {
  DecaNodeRegistry *registry;
  DecaExecutor *executor;
  DecaManualClock *clock;
  GPtrArray *events;            /* JSON text of every event */
  char *dir;
  /* The "/worker/" variants: every executor given a store writes its checkpoints through
   * a store worker of its own (deca_executor_set_store_worker()), as the server's does. */
  gboolean with_worker;
  GPtrArray *workers;           /* DecaStoreWorker */
} Fixture;

/* The workers of the running test, which run_until_settled() waits for. */
static GPtrArray *settle_workers;

/* Gives @executor @store, and in the worker variants a store worker on the same file. */
static void
executor_use_store (Fixture      *fixture,
                    DecaExecutor *executor,
                    DecaStore    *store)
{
  deca_executor_set_store (executor, store);
  if (fixture->with_worker)
    {
      DecaStoreWorker *worker = deca_store_worker_new (deca_store_get_path (store));

      deca_executor_set_store_worker (executor, worker);
      g_ptr_array_add (fixture->workers, worker);
    }
}

static void
on_event (DecaExecutor    *executor,
          const DecaEvent *event,
          Fixture         *fixture)
{
  g_ptr_array_add (fixture->events, deca_event_to_json_string (event, TRUE));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TestProbeNode) probe_type = g_object_new (TEST_TYPE_PROBE_NODE, NULL);

  probe.calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  probe.keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  probe.hanging = g_ptr_array_new_with_free_func (g_object_unref);
  probe.running = probe.max_running = 0;

  fixture->registry = deca_node_registry_new_builtin ();
  deca_node_registry_add (fixture->registry, DECA_NODE_TYPE (probe_type));
  fixture->executor = deca_executor_new (fixture->registry);
  fixture->clock = deca_manual_clock_new (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
  deca_executor_set_clock (fixture->executor, DECA_CLOCK (fixture->clock));
  deca_executor_set_random_seed (fixture->executor, 42);
  fixture->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->executor, "event", G_CALLBACK (on_event), fixture);
  fixture->dir = g_dir_make_tmp ("deca-executor-XXXXXX", NULL);
  fixture->with_worker = data != NULL;
  fixture->workers = g_ptr_array_new_with_free_func (g_object_unref);
  settle_workers = fixture->workers;
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_remove (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&probe.hanging, g_ptr_array_unref);
  if (fixture->executor != NULL)
    g_assert_finalize_object (fixture->executor);
  /* The workers' last results wait in the main context, each holding its worker. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint i = fixture->workers->len; i > 0; i--)
    g_assert_finalize_object (g_ptr_array_steal_index (fixture->workers, i - 1));
  g_ptr_array_unref (fixture->workers);
  settle_workers = NULL;
  g_clear_object (&fixture->registry);
  g_clear_object (&fixture->clock);
  g_clear_pointer (&probe.calls, g_hash_table_unref);
  g_clear_pointer (&probe.keys, g_hash_table_unref);
  g_ptr_array_unref (fixture->events);
  remove_dir (fixture->dir);
  g_free (fixture->dir);
}

static DecaFlow *
flow_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  DecaFlow *flow = deca_flow_new_from_data (json, -1, &error);

  g_assert_no_error (error);
  return flow;
}

/* Waits until the store workers have written every batch handed to them; TRUE when their
 * results now wait in the main context. */
static gboolean
workers_delivered (void)
{
  for (guint i = 0; settle_workers != NULL && i < settle_workers->len; i++)
    deca_store_worker_flush (g_ptr_array_index (settle_workers, i));
  return g_main_context_pending (NULL);
}

/* Runs the main context until @execution is finished or paused and its checkpoints are
 * written, or nothing is left to do; manual-clock timeouts are not fired here. */
static void
run_until_settled (DecaExecution *execution)
{
  for (guint i = 0; i < 100000; i++)
    {
      DecaExecutionStatus status = deca_execution_get_status (execution);
      gboolean settled = deca_execution_is_finished (execution) || status == DECA_EXECUTION_PAUSED;

      if (settled && !g_main_context_pending (NULL) && !workers_delivered ())
        return;
      if (!g_main_context_iteration (NULL, FALSE) && !settled && !workers_delivered ())
        return;   /* blocked on something outside the main loop (a hanging probe, a clock) */
    }
  g_assert_not_reached ();
}

static DecaExecution *
run_flow (Fixture    *fixture,
          const char *flow_json,
          const char *input_json)
{
  g_autoptr(DecaFlow) flow = flow_from (flow_json);
  g_autoptr(JsonNode) input = input_json ? json_from_string (input_json, NULL) : NULL;
  g_autoptr(GError) error = NULL;
  DecaExecution *execution = deca_executor_start (fixture->executor, flow, input, &error);

  g_assert_no_error (error);
  g_assert_nonnull (execution);
  run_until_settled (execution);
  return execution;
}

/* Simulates a crash: @execution (dropped here) and the fixture's executor go away with
 * their work in flight and nothing finished, as when the process is killed, and a new
 * executor on @store (the same file) takes over, on the same manual clock. */
static void
crash_and_restart (Fixture        *fixture,
                   DecaExecution **execution,
                   DecaStore      *store)
{
  g_clear_object (execution);
  g_assert_finalize_object (fixture->executor);
  fixture->executor = deca_executor_new (fixture->registry);
  executor_use_store (fixture, fixture->executor, store);
  deca_executor_set_clock (fixture->executor, DECA_CLOCK (fixture->clock));
}

static void
assert_json_equal (JsonNode   *node,
                   const char *expected)
{
  g_autoptr(JsonNode) want = json_from_string (expected, NULL);
  g_autofree char *got_text = json_to_string (node, FALSE);

  g_assert_nonnull (want);
  if (!json_node_equal (node, want))
    g_error ("expected %s, got %s", expected, got_text);
}

static guint
count_events (Fixture    *fixture,
              const char *needle)
{
  guint count = 0;

  for (guint i = 0; i < fixture->events->len; i++)
    if (strstr (g_ptr_array_index (fixture->events, i), needle) != NULL)
      count++;
  return count;
}

/* --- tests ------------------------------------------------------------------------------ */

static void
test_chain (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(DecaExecution) execution = run_flow (fixture,
    "{\"id\": \"chain\", \"name\": \"Chain\", \"nodes\": ["
    " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.start}}\"}}},"
    " {\"id\": \"b\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{a.n + 1}}\"}}},"
    " {\"id\": \"step-3\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{b.n * 10}}\", \"s\": \"n={{b.n}}\"}}}],"
    " \"connections\": [{\"from\": \"a\", \"to\": \"b\"}, {\"from\": \"b\", \"to\": \"step-3\"}]}",
    "{\"start\": 4}");

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution), "{\"step-3\": {\"n\": 50, \"s\": \"n=5\"}}");
  /* Each node: queued, started, succeeded; plus started and finished. */
  g_assert_cmpuint (count_events (fixture, "\"type\":\"node.succeeded\""), ==, 3);
  g_assert_cmpuint (count_events (fixture, "\"type\":\"execution.started\""), ==, 1);
  g_assert_cmpuint (count_events (fixture, "\"type\":\"execution.finished\""), ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->events, fixture->events->len - 1), "\"status\":\"succeeded\""));
}

/* Each execution keeps the trigger it was started with, as text: the executor writes a
 * sealed trigger's text once and reuses it while the same trigger comes again, and
 * writes any other trigger (another sealed one, one that is not sealed) anew. */
static void
test_trigger_text (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"t\", \"name\": \"T\", \"nodes\": ["
    " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": 1}}}]}");
  const char *texts[] = {
    "{\"type\":\"webhook\",\"path\":\"/a\"}",
    "{\"type\":\"webhook\",\"path\":\"/a\"}",
    "{\"type\":\"webhook\",\"path\":\"/b\"}",
    "{\"type\":\"webhook\",\"path\":\"/a\"}",
    "{\"type\":\"event\",\"name\":\"c\"}",
  };
  g_autoptr(JsonNode) a = json_from_string (texts[0], NULL);
  g_autoptr(JsonNode) b = json_from_string (texts[2], NULL);
  g_autoptr(JsonNode) c = json_from_string (texts[4], NULL);
  JsonNode *triggers[] = { a, a, b, a, c };

  json_node_seal (a);
  json_node_seal (b);
  for (guint i = 0; i < G_N_ELEMENTS (triggers); i++)
    {
      g_autoptr(DecaExecution) execution = deca_executor_start_full (fixture->executor, flow, NULL, triggers[i], NULL);

      g_assert_nonnull (execution);
      g_assert_cmpstr (deca_execution_get_trigger (execution), ==, texts[i]);
      run_until_settled (execution);
    }
  /* The one not sealed may change: the next start writes what it is then. */
  json_object_set_string_member (json_node_get_object (c), "name", "d");
  {
    g_autoptr(DecaExecution) execution = deca_executor_start_full (fixture->executor, flow, NULL, c, NULL);

    g_assert_cmpstr (deca_execution_get_trigger (execution), ==, "{\"type\":\"event\",\"name\":\"d\"}");
    run_until_settled (execution);
  }
}

typedef struct {
  Fixture *fixture;
  GPtrArray *texts;             /* what this listener got */
  guint remove_id;              /* a listener to remove at the first event, or 0 */
  guint *own_id;
} Listener;

static void
listener_cb (DecaExecutor    *executor,
             const DecaEvent *event,
             gpointer         user_data)
{
  Listener *listener = user_data;

  /* Before the signal's handlers. */
  g_assert_cmpuint (listener->fixture->events->len, ==, listener->texts->len);
  g_ptr_array_add (listener->texts, deca_event_to_json_string (event, TRUE));
  if (listener->remove_id != 0)
    {
      deca_executor_remove_event_listener (executor, listener->remove_id);
      listener->remove_id = 0;
    }
}

/* The event listeners get what the signal's handlers get, in order and before them; one
 * may remove another (or itself) while an event is delivered. */
static void
test_event_listeners (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) second = g_ptr_array_new_with_free_func (g_free);
  Listener a = { fixture, first, 0 };
  Listener b = { fixture, second, 0 };
  g_autoptr(DecaExecution) execution = NULL;
  guint a_id, b_id;

  a_id = deca_executor_add_event_listener (fixture->executor, listener_cb, &a);
  b_id = deca_executor_add_event_listener (fixture->executor, listener_cb, &b);
  g_assert_cmpuint (a_id, !=, 0);
  g_assert_cmpuint (b_id, !=, a_id);
  execution = run_flow (fixture,
    "{\"id\": \"listen\", \"name\": \"Listen\", \"nodes\": ["
    " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.start}}\"}}}]}",
    "{\"start\": 4}");
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_cmpuint (first->len, >, 3);
  g_assert_cmpuint (first->len, ==, fixture->events->len);
  g_assert_cmpuint (second->len, ==, fixture->events->len);
  for (guint i = 0; i < first->len; i++)
    {
      g_assert_cmpstr (first->pdata[i], ==, fixture->events->pdata[i]);
      g_assert_cmpstr (second->pdata[i], ==, fixture->events->pdata[i]);
    }
  /* The node's output reaches the listeners (the signal's handlers were not needed). */
  g_assert_nonnull (strstr (first->pdata[first->len - 2], "\"output\":{\"n\":4}"));

  /* a removes b at the next event: b gets nothing more, a everything. */
  a.remove_id = b_id;
  g_ptr_array_set_size (first, 0);
  g_ptr_array_set_size (second, 0);
  g_ptr_array_set_size (fixture->events, 0);
  g_clear_object (&execution);
  execution = run_flow (fixture,
    "{\"id\": \"listen-2\", \"name\": \"Listen\", \"nodes\": ["
    " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": 1}}}]}",
    "{}");
  g_assert_cmpuint (first->len, ==, fixture->events->len);
  /* b was removed while a got the first event: b, after a, did not get even that one. */
  g_assert_cmpuint (second->len, ==, 0);
  deca_executor_remove_event_listener (fixture->executor, a_id);
  g_ptr_array_set_size (first, 0);
  g_clear_object (&execution);
  execution = run_flow (fixture,
    "{\"id\": \"listen-3\", \"name\": \"Listen\", \"nodes\": ["
    " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": 1}}}]}",
    "{}");
  g_assert_cmpuint (first->len, ==, 0);
  g_assert_cmpuint (fixture->events->len, >, 0);
}

static void
test_parallelism (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"par\", \"name\": \"Par\", \"settings\": {\"parallelism\": 2}, \"nodes\": ["
    " {\"id\": \"p1\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}},"
    " {\"id\": \"p2\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}},"
    " {\"id\": \"p3\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}},"
    " {\"id\": \"p4\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}},"
    " {\"id\": \"p5\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}}]}");
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, NULL, NULL);

  run_until_settled (execution);
  g_assert_cmpuint (probe.running, ==, 2);
  for (guint released = 0; released < 5; released++)
    {
      probe_release ("{}");
      run_until_settled (execution);
      g_assert_cmpuint (probe.max_running, ==, 2);
    }
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_cmpuint (probe.max_running, ==, 2);
}

static void
test_dead_path (Fixture       *fixture,
                gconstpointer  data)
{
  const char *flow =
    "{\"id\": \"dp\", \"name\": \"Dead path\", \"nodes\": ["
    " {\"id\": \"check\", \"type\": \"condition\", \"config\": {\"expression\": \"input.amount > 100\"}},"
    " {\"id\": \"big\", \"type\": \"transform\", \"config\": {\"set\": {\"kind\": \"big\"}}},"
    " {\"id\": \"after-big\", \"type\": \"transform\", \"config\": {\"set\": {\"x\": 1}}},"
    " {\"id\": \"small\", \"type\": \"transform\", \"config\": {\"set\": {\"kind\": \"small\"}}},"
    " {\"id\": \"join\", \"type\": \"transform\", \"config\": {\"set\": {\"big\": \"{{big.kind}}\", \"small\": \"{{small.kind}}\"}}}],"
    " \"connections\": ["
    "  {\"from\": \"check\", \"to\": \"big\", \"from_port\": \"true\"},"
    "  {\"from\": \"big\", \"to\": \"after-big\"},"
    "  {\"from\": \"check\", \"to\": \"small\", \"from_port\": \"false\"},"
    "  {\"from\": \"after-big\", \"to\": \"join\"},"
    "  {\"from\": \"small\", \"to\": \"join\"}]}";
  g_autoptr(DecaExecution) small = run_flow (fixture, flow, "{\"amount\": 5}");
  g_autoptr(DecaExecution) big = NULL;

  g_assert_cmpint (deca_execution_get_status (small), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (small), "{\"join\": {\"big\": null, \"small\": \"small\"}}");
  g_assert_cmpuint (count_events (fixture, "\"type\":\"node.skipped\""), ==, 2);

  big = run_flow (fixture, flow, "{\"amount\": 500}");
  assert_json_equal (deca_execution_get_output (big), "{\"join\": {\"big\": \"big\", \"small\": null}}");
}

static void
test_connection_condition (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(DecaExecution) execution = run_flow (fixture,
    "{\"id\": \"cc\", \"name\": \"Conditions\", \"nodes\": ["
    " {\"id\": \"validate-input\", \"type\": \"transform\", \"config\": {\"set\": {\"success\": \"{{input.ok}}\"}}},"
    " {\"id\": \"yes\", \"type\": \"transform\", \"config\": {\"set\": {\"r\": \"yes\"}}},"
    " {\"id\": \"no\", \"type\": \"transform\", \"config\": {\"set\": {\"r\": \"no\"}}}],"
    " \"connections\": ["
    "  {\"from\": \"validate-input\", \"to\": \"yes\", \"condition\": \"{{validate-input.success}} === true\"},"
    "  {\"from\": \"validate-input\", \"to\": \"no\", \"condition\": \"{{validate-input.success}} !== true\"}]}",
    "{\"ok\": true}");

  assert_json_equal (deca_execution_get_output (execution), "{\"yes\": {\"r\": \"yes\"}}");
}

static void
test_branch (Fixture       *fixture,
             gconstpointer  data)
{
  const char *flow =
    "{\"id\": \"br\", \"name\": \"Branch\", \"nodes\": ["
    " {\"id\": \"route\", \"type\": \"branch\", \"config\": {\"value\": \"input.tier\", \"cases\": ["
    "   {\"port\": \"gold\", \"equals\": \"gold\"}, {\"port\": \"silver\", \"equals\": \"silver\"}]}},"
    " {\"id\": \"g\", \"type\": \"transform\", \"config\": {\"set\": {\"t\": \"g\"}}},"
    " {\"id\": \"s\", \"type\": \"transform\", \"config\": {\"set\": {\"t\": \"s\"}}},"
    " {\"id\": \"d\", \"type\": \"transform\", \"config\": {\"set\": {\"t\": \"d\"}}}],"
    " \"connections\": ["
    "  {\"from\": \"route\", \"to\": \"g\", \"from_port\": \"gold\"},"
    "  {\"from\": \"route\", \"to\": \"s\", \"from_port\": \"silver\"},"
    "  {\"from\": \"route\", \"to\": \"d\", \"from_port\": \"default\"}]}";
  g_autoptr(DecaExecution) silver = run_flow (fixture, flow, "{\"tier\": \"silver\"}");
  g_autoptr(DecaExecution) other = run_flow (fixture, flow, "{\"tier\": \"bronze\"}");

  assert_json_equal (deca_execution_get_output (silver), "{\"s\": {\"t\": \"s\"}}");
  assert_json_equal (deca_execution_get_output (other), "{\"d\": {\"t\": \"d\"}}");
}

static void
test_loop (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(DecaExecution) execution = run_flow (fixture,
    "{\"id\": \"loop\", \"name\": \"Loop\", \"nodes\": ["
    " {\"id\": \"each\", \"type\": \"loop\", \"config\": {\"items\": \"input.items\", \"concurrency\": 2}},"
    " {\"id\": \"double\", \"type\": \"transform\", \"config\": {\"set\": {\"v\": \"{{item * 2}}\", \"i\": \"{{index}}\"}}},"
    " {\"id\": \"label\", \"type\": \"transform\", \"config\": {\"set\": {\"label\": \"#{{loop.index}}: {{double.v}}\"}}},"
    " {\"id\": \"sum\", \"type\": \"transform\", \"config\": {\"set\": {\"all\": \"{{each}}\", \"n\": \"{{length(each)}}\"}}}],"
    " \"connections\": ["
    "  {\"from\": \"each\", \"to\": \"double\", \"from_port\": \"body\"},"
    "  {\"from\": \"double\", \"to\": \"label\"},"
    "  {\"from\": \"label\", \"to\": \"each\"},"
    "  {\"from\": \"each\", \"to\": \"sum\"}]}",
    "{\"items\": [1, 2, 3]}");

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution),
                     "{\"sum\": {\"all\": [{\"label\": \"#0: 2\"}, {\"label\": \"#1: 4\"}, {\"label\": \"#2: 6\"}], \"n\": 3}}");
  /* Node keys of body nodes carry the iteration. */
  g_assert_cmpuint (count_events (fixture, "\"node_key\":\"each[2]/label\""), >, 0);
}

static void
test_loop_concurrency (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"lc\", \"name\": \"Loop concurrency\", \"settings\": {\"parallelism\": 10}, \"nodes\": ["
    " {\"id\": \"each\", \"type\": \"loop\", \"config\": {\"items\": \"input.items\", \"concurrency\": 2}},"
    " {\"id\": \"work\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}}],"
    " \"connections\": [{\"from\": \"each\", \"to\": \"work\", \"from_port\": \"body\"}]}");
  g_autoptr(JsonNode) input = json_from_string ("{\"items\": [1, 2, 3, 4, 5]}", NULL);
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, input, NULL);

  run_until_settled (execution);
  g_assert_cmpuint (probe.running, ==, 2);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *output = g_strdup_printf ("{\"n\": %u}", i);

      probe_release (output);
      run_until_settled (execution);
    }
  g_assert_cmpuint (probe.max_running, ==, 2);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution),
                     "{\"each\": [{\"n\": 0}, {\"n\": 1}, {\"n\": 2}, {\"n\": 3}, {\"n\": 4}]}");
}

static void
test_loop_nested (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(DecaExecution) execution = run_flow (fixture,
    "{\"id\": \"nest\", \"name\": \"Nested\", \"nodes\": ["
    " {\"id\": \"rows\", \"type\": \"loop\", \"config\": {\"items\": \"input.rows\", \"concurrency\": 2}},"
    " {\"id\": \"cells\", \"type\": \"loop\", \"config\": {\"items\": \"item\", \"concurrency\": 3}},"
    " {\"id\": \"square\", \"type\": \"transform\", \"config\": {\"set\": {\"v\": \"{{item * item}}\"}}},"
    " {\"id\": \"row-sum\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{length(cells)}}\", \"first\": \"{{cells[0].v}}\"}}}],"
    " \"connections\": ["
    "  {\"from\": \"rows\", \"to\": \"cells\", \"from_port\": \"body\"},"
    "  {\"from\": \"cells\", \"to\": \"square\", \"from_port\": \"body\"},"
    "  {\"from\": \"cells\", \"to\": \"row-sum\"},"
    "  {\"from\": \"row-sum\", \"to\": \"rows\"}]}",
    "{\"rows\": [[1, 2], [3], [], [4, 5, 6]]}");

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution),
                     "{\"rows\": [{\"n\": 2, \"first\": 1}, {\"n\": 1, \"first\": 9},"
                     " {\"n\": 0, \"first\": null}, {\"n\": 3, \"first\": 16}]}");
  g_assert_cmpuint (count_events (fixture, "\"node_key\":\"rows[3]/cells[2]/square\""), >, 0);
}

/* A body whose nodes are all skipped ends its iteration at once: many of them must not
 * recurse once per item. */
static void
test_loop_skipped_bodies (Fixture       *fixture,
                          gconstpointer  data)
{
  GString *items = g_string_new ("{\"items\": [");
  g_autofree char *input = NULL;
  g_autoptr(DecaExecution) execution = NULL;
  JsonArray *results;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (items, "%s%u", i ? "," : "", i);
  g_string_append (items, "]}");
  input = g_string_free (items, FALSE);
  execution = run_flow (fixture,
    "{\"id\": \"skip\", \"name\": \"Skip\", \"nodes\": ["
    " {\"id\": \"each\", \"type\": \"loop\", \"config\": {\"items\": \"input.items\", \"concurrency\": 4}},"
    " {\"id\": \"never\", \"type\": \"transform\", \"config\": {\"set\": {\"x\": 1}}},"
    " {\"id\": \"after\", \"type\": \"transform\", \"config\": {\"set\": {\"x\": 2}}}],"
    " \"connections\": ["
    "  {\"from\": \"each\", \"to\": \"never\", \"from_port\": \"body\", \"condition\": \"item < 0\"},"
    "  {\"from\": \"never\", \"to\": \"after\"}]}", input);

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  results = json_object_get_array_member (json_node_get_object (deca_execution_get_output (execution)), "each");
  g_assert_cmpuint (json_array_get_length (results), ==, 20000);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_array_get_element (results, 19999)));
}

static void
test_loop_body_failure (Fixture       *fixture,
                        gconstpointer  data)
{
#define LOOP_FAIL_FLOW \
  "{\"id\": \"lf\", \"name\": \"Loop failure\", \"settings\": {\"error_strategy\": \"%s\"}, \"nodes\": [" \
  " {\"id\": \"each\", \"type\": \"loop\", \"config\": {\"items\": \"input.items\"}}," \
  " {\"id\": \"check\", \"type\": \"transform\", \"config\": {\"set\": {\"inverse\": \"{{1 / item}}\"}}}," \
  " {\"id\": \"done\", \"type\": \"transform\", \"config\": {\"set\": {\"all\": \"{{each}}\"}}}]," \
  " \"connections\": [{\"from\": \"each\", \"to\": \"check\", \"from_port\": \"body\"}," \
  "  {\"from\": \"each\", \"to\": \"done\"}]}"
  g_autofree char *stop = g_strdup_printf (LOOP_FAIL_FLOW, "stop_on_error");
  g_autofree char *go_on = g_strdup_printf (LOOP_FAIL_FLOW, "continue_on_error");
  g_autoptr(DecaExecution) stopped = run_flow (fixture, stop, "{\"items\": [1, 0, 4]}");
  g_autoptr(DecaExecution) continued = run_flow (fixture, go_on, "{\"items\": [1, 0, 4]}");

  g_assert_cmpint (deca_execution_get_status (stopped), ==, DECA_EXECUTION_FAILED);
  g_assert_cmpstr (deca_execution_get_error_node (stopped), ==, "each[1]/check");
  g_assert_nonnull (strstr (deca_execution_get_error (stopped)->message, "division by zero"));

  g_assert_cmpint (deca_execution_get_status (continued), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (continued),
                     "{\"done\": {\"all\": [{\"inverse\": 1}, null, {\"inverse\": 0.25}]}}");
#undef LOOP_FAIL_FLOW
}

static void
test_loop_approval (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(DecaExecution) execution = run_flow (fixture,
    "{\"id\": \"la\", \"name\": \"Loop approval\", \"nodes\": ["
    " {\"id\": \"each\", \"type\": \"loop\", \"config\": {\"items\": \"input.items\", \"concurrency\": 2}},"
    " {\"id\": \"ask\", \"type\": \"approval\", \"config\": {\"message\": \"ok {{item}}?\"}},"
    " {\"id\": \"yes\", \"type\": \"transform\", \"config\": {\"set\": {\"ok\": \"{{item}}\"}}},"
    " {\"id\": \"no\", \"type\": \"transform\", \"config\": {\"set\": {\"no\": \"{{item}}\"}}}],"
    " \"connections\": [{\"from\": \"each\", \"to\": \"ask\", \"from_port\": \"body\"},"
    "  {\"from\": \"ask\", \"to\": \"yes\", \"from_port\": \"approved\"},"
    "  {\"from\": \"ask\", \"to\": \"no\", \"from_port\": \"rejected\"}]}",
    "{\"items\": [\"a\", \"b\"]}");
  g_autoptr(GPtrArray) waiting = NULL;
  const char *id = deca_execution_get_id (execution);

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_PAUSED);
  waiting = deca_execution_list_waiting_approvals (execution);
  g_assert_cmpuint (waiting->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (waiting, 0), ==, "each[0]/ask");
  g_assert_true (deca_executor_decide (fixture->executor, id, "each[1]/ask", FALSE, NULL, "x", NULL));
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_PAUSED);
  g_assert_true (deca_executor_decide (fixture->executor, id, "each[0]/ask", TRUE, NULL, "x", NULL));
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution),
                     "{\"each\": [{\"ok\": \"a\"}, {\"no\": \"b\"}]}");
}

/* A crash in the middle of a loop: finished iterations are restored, the rest run. */
static void
test_loop_resume (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "loop.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"lr\", \"name\": \"Loop resume\", \"nodes\": ["
    " {\"id\": \"each\", \"type\": \"loop\", \"config\": {\"items\": \"input.items\"}},"
    " {\"id\": \"work\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}}],"
    " \"connections\": [{\"from\": \"each\", \"to\": \"work\", \"from_port\": \"body\"}]}");
  g_autoptr(JsonNode) input = json_from_string ("{\"items\": [10, 20, 30]}", NULL);
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(DecaExecution) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  executor_use_store (fixture, fixture->executor, store);
  execution = deca_executor_start (fixture->executor, flow, input, NULL);
  run_until_settled (execution);
  probe_release ("{\"n\": 0}");
  run_until_settled (execution);
  probe_release ("{\"n\": 1}");
  run_until_settled (execution);
  g_assert_cmpuint (probe_calls ("each[2]/work"), ==, 1);
  id = g_strdup (deca_execution_get_id (execution));
  crash_and_restart (fixture, &execution, store);
  again = deca_executor_resume (fixture->executor, id, &error);
  g_assert_no_error (error);
  run_until_settled (again);
  g_assert_cmpuint (probe_calls ("each[0]/work"), ==, 1);
  g_assert_cmpuint (probe_calls ("each[1]/work"), ==, 1);
  g_assert_cmpuint (probe_calls ("each[2]/work"), ==, 2);
  probe_release ("{}");   /* the dead executor's invocation: ignored */
  probe_release ("{\"n\": 2}");
  run_until_settled (again);
  g_assert_cmpint (deca_execution_get_status (again), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (again), "{\"each\": [{\"n\": 0}, {\"n\": 1}, {\"n\": 2}]}");
}

static void
test_retry_backoff (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"retry\", \"name\": \"Retry\", \"nodes\": ["
    " {\"id\": \"flaky\", \"type\": \"probe\", \"config\": {\"fail_times\": 3},"
    "  \"retry\": {\"max_attempts\": 4, \"initial_delay\": 1, \"multiplier\": 2, \"max_delay\": 3, \"jitter\": 0}}]}");
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, NULL, NULL);

  run_until_settled (execution);
  g_assert_cmpuint (probe_calls ("flaky"), ==, 1);
  g_assert_cmpint (deca_manual_clock_next_due (fixture->clock) - deca_clock_now_us (DECA_CLOCK (fixture->clock)), ==, 1 * G_USEC_PER_SEC);
  /* Just before the delay nothing happens; at the delay the next attempt runs. */
  deca_manual_clock_advance (fixture->clock, G_USEC_PER_SEC - 1);
  run_until_settled (execution);
  g_assert_cmpuint (probe_calls ("flaky"), ==, 1);
  deca_manual_clock_advance (fixture->clock, 1);
  run_until_settled (execution);
  g_assert_cmpuint (probe_calls ("flaky"), ==, 2);
  /* 2 s, then capped at 3 s. */
  g_assert_cmpint (deca_manual_clock_next_due (fixture->clock) - deca_clock_now_us (DECA_CLOCK (fixture->clock)), ==, 2 * G_USEC_PER_SEC);
  deca_manual_clock_advance (fixture->clock, 2 * G_USEC_PER_SEC);
  run_until_settled (execution);
  g_assert_cmpint (deca_manual_clock_next_due (fixture->clock) - deca_clock_now_us (DECA_CLOCK (fixture->clock)), ==, 3 * G_USEC_PER_SEC);
  deca_manual_clock_advance (fixture->clock, 3 * G_USEC_PER_SEC);
  run_until_settled (execution);
  g_assert_cmpuint (probe_calls ("flaky"), ==, 4);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_cmpuint (count_events (fixture, "\"type\":\"node.retrying\""), ==, 3);
  g_assert_cmpuint (count_events (fixture, "\"delay_ms\":2000"), ==, 1);
  g_assert_cmpuint (count_events (fixture, "\"delay_ms\":3000"), ==, 1);
}

static void
test_retry_jitter (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"jitter\", \"name\": \"Jitter\", \"nodes\": ["
    " {\"id\": \"flaky\", \"type\": \"probe\", \"config\": {\"mode\": \"fail\"},"
    "  \"retry\": {\"max_attempts\": 2, \"initial_delay\": 10, \"jitter\": 0.5}}]}");
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, NULL, NULL);
  gint64 delay;

  run_until_settled (execution);
  delay = deca_manual_clock_next_due (fixture->clock) - deca_clock_now_us (DECA_CLOCK (fixture->clock));
  g_assert_cmpint (delay, >=, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (delay, <=, 15 * G_USEC_PER_SEC);
  deca_manual_clock_advance (fixture->clock, delay);
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
  g_assert_cmpstr (deca_execution_get_error_node (execution), ==, "flaky");
}

static void
test_node_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"nt\", \"name\": \"Timeout\", \"nodes\": ["
    " {\"id\": \"slow\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}, \"timeout\": 5}]}");
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, NULL, NULL);

  run_until_settled (execution);
  g_assert_false (deca_execution_is_finished (execution));
  deca_manual_clock_advance (fixture->clock, 5 * G_USEC_PER_SEC);
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
  g_assert_error ((GError *) deca_execution_get_error (execution), DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_TIMEOUT);
  /* The abandoned invocation was cancelled, and a late answer is ignored. */
  g_assert_true (g_cancellable_is_cancelled (deca_node_invocation_get_cancellable (g_ptr_array_index (probe.hanging, 0))));
  probe_release ("{}");
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
}

static void
test_flow_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"ft\", \"name\": \"Flow timeout\", \"settings\": {\"timeout\": 60}, \"nodes\": ["
    " {\"id\": \"slow\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}}]}");
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, NULL, NULL);

  run_until_settled (execution);
  deca_manual_clock_advance (fixture->clock, 59 * G_USEC_PER_SEC);
  run_until_settled (execution);
  g_assert_false (deca_execution_is_finished (execution));
  deca_manual_clock_advance (fixture->clock, G_USEC_PER_SEC);
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
  g_assert_error ((GError *) deca_execution_get_error (execution), DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_TIMEOUT);
}

#define STRATEGY_FLOW \
  "{\"id\": \"es\", \"name\": \"Strategies\", \"settings\": {\"error_strategy\": \"%s\"}, \"nodes\": [" \
  " {\"id\": \"bad\", \"type\": \"probe\", \"config\": {\"mode\": \"fail\"}}," \
  " {\"id\": \"after-bad\", \"type\": \"transform\", \"config\": {\"set\": {\"x\": 1}}}," \
  " {\"id\": \"good\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}}," \
  " {\"id\": \"after-good\", \"type\": \"transform\", \"config\": {\"set\": {\"y\": 2}}}]," \
  " \"connections\": [{\"from\": \"bad\", \"to\": \"after-bad\"}, {\"from\": \"good\", \"to\": \"after-good\"}]}"

/* Time paused for an approval does not count against the flow timeout. */
static void
test_flow_timeout_paused (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(DecaExecution) execution = run_flow (fixture,
    "{\"id\": \"tp\", \"name\": \"Timeout paused\", \"settings\": {\"timeout\": 10}, \"nodes\": ["
    " {\"id\": \"ask\", \"type\": \"approval\", \"config\": {\"message\": \"?\"}},"
    " {\"id\": \"slow\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}}],"
    " \"connections\": [{\"from\": \"ask\", \"to\": \"slow\"}]}", NULL);

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_PAUSED);
  deca_manual_clock_advance (fixture->clock, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_PAUSED);
  g_assert_true (deca_executor_decide (fixture->executor, deca_execution_get_id (execution), "ask", TRUE, NULL, "x", NULL));
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_RUNNING);
  /* From the resume on, the timeout counts again. */
  deca_manual_clock_advance (fixture->clock, 10 * G_USEC_PER_SEC);
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
  g_assert_error ((GError *) deca_execution_get_error (execution), DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_TIMEOUT);
}

/* A connection condition that cannot be evaluated fails the execution, saying where. */
static void
test_condition_error (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(DecaExecution) execution = run_flow (fixture,
    "{\"id\": \"ce\", \"name\": \"Condition error\", \"nodes\": ["
    " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"text\"}}},"
    " {\"id\": \"b\", \"type\": \"transform\"}],"
    " \"connections\": [{\"from\": \"a\", \"to\": \"b\", \"condition\": \"a.n > 3\"}]}", NULL);

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
  g_assert_nonnull (strstr (deca_execution_get_error (execution)->message, "/connections/0/condition"));
  g_assert_cmpuint (count_events (fixture, "\"node_id\":\"b\""), ==, 0);
}

/* A node that times out is retried like any failure, and a later attempt may succeed. */
static void
test_timeout_then_retry (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"tr\", \"name\": \"Timeout retry\", \"nodes\": ["
    " {\"id\": \"slow\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}, \"timeout\": 2,"
    "  \"retry\": {\"max_attempts\": 2, \"initial_delay\": 1, \"jitter\": 0}}]}");
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, NULL, NULL);

  run_until_settled (execution);
  deca_manual_clock_advance (fixture->clock, 2 * G_USEC_PER_SEC);   /* attempt 1 times out */
  run_until_settled (execution);
  g_assert_cmpuint (count_events (fixture, "\"type\":\"node.retrying\""), ==, 1);
  g_assert_cmpuint (count_events (fixture, "\"code\":\"timeout\""), ==, 1);
  deca_manual_clock_advance (fixture->clock, 1 * G_USEC_PER_SEC);   /* attempt 2 starts */
  run_until_settled (execution);
  g_assert_cmpuint (probe_calls ("slow"), ==, 2);
  /* Answer the second attempt; the first one's late answer must be ignored. */
  {
    DecaNodeInvocation *second = g_ptr_array_index (probe.hanging, 1);

    deca_node_invocation_return_output (second, json_from_string ("{\"n\": 2}", NULL), NULL);
  }
  probe_release ("{\"n\": 1}");
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution), "{\"slow\": {\"n\": 2}}");
}

/* Cancelling while a retry is scheduled: the retry never runs. */
static void
test_cancel_during_retry (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"cr\", \"name\": \"Cancel retry\", \"nodes\": ["
    " {\"id\": \"flaky\", \"type\": \"probe\", \"config\": {\"mode\": \"fail\"},"
    "  \"retry\": {\"max_attempts\": 5, \"initial_delay\": 1, \"jitter\": 0}}]}");
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, NULL, NULL);

  run_until_settled (execution);
  g_assert_cmpint (deca_manual_clock_get_pending (fixture->clock), ==, 1);
  deca_execution_cancel (execution);
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_CANCELLED);
  g_assert_cmpint (deca_manual_clock_get_pending (fixture->clock), ==, 0);
  deca_manual_clock_advance (fixture->clock, 60 * G_USEC_PER_SEC);
  run_until_settled (execution);
  g_assert_cmpuint (probe_calls ("flaky"), ==, 1);
}

static void
test_stop_on_error (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *json = g_strdup_printf (STRATEGY_FLOW, "stop_on_error");
  g_autoptr(DecaExecution) execution = run_flow (fixture, json, NULL);

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_FAILED);
  g_assert_cmpstr (deca_execution_get_error_node (execution), ==, "bad");
  /* The other branch was stopped: its node was cancelled and nothing after it ran. */
  g_assert_true (g_cancellable_is_cancelled (deca_node_invocation_get_cancellable (g_ptr_array_index (probe.hanging, 0))));
  g_assert_cmpuint (count_events (fixture, "\"node_id\":\"after-good\""), ==, 0);
}

static void
test_continue_on_error (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *json = g_strdup_printf (STRATEGY_FLOW, "continue_on_error");
  g_autoptr(DecaExecution) execution = run_flow (fixture, json, NULL);

  g_assert_false (deca_execution_is_finished (execution));
  probe_release ("{}");
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution), "{\"after-good\": {\"y\": 2}}");
  g_assert_cmpuint (count_events (fixture, "\"type\":\"node.skipped\",\"execution_id\""), ==, 1);
}

static void
test_on_error_fallback (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(DecaExecution) execution = run_flow (fixture,
    "{\"id\": \"oe\", \"name\": \"Fallback\", \"nodes\": ["
    " {\"id\": \"primary\", \"type\": \"probe\", \"config\": {\"mode\": \"fail\"}},"
    " {\"id\": \"use\", \"type\": \"transform\", \"config\": {\"set\": {\"from\": \"primary\"}}},"
    " {\"id\": \"fallback\", \"type\": \"transform\", \"config\": {\"set\": {\"why\": \"{{primary.error.code}}\"}}}],"
    " \"connections\": [{\"from\": \"primary\", \"to\": \"use\"},"
    "  {\"from\": \"primary\", \"to\": \"fallback\", \"on_error\": true}]}", NULL);

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution), "{\"fallback\": {\"why\": \"node_failed\"}}");
}

static void
test_circuit_breaker (Fixture       *fixture,
                      gconstpointer  data)
{
#define BREAKER_FLOW \
    "{\"id\": \"cb\", \"name\": \"Breaker\", \"settings\": {\"circuit_breaker\": {\"failure_threshold\": 2, \"cooldown\": 30}}," \
    " \"nodes\": [{\"id\": \"call\", \"type\": \"probe\", \"config\": {\"mode\": \"%s\", \"circuit\": \"probe:api\"}}]}"
  g_autofree char *failing = g_strdup_printf (BREAKER_FLOW, "fail");
  g_autofree char *working = g_strdup_printf (BREAKER_FLOW, "ok");
  g_autoptr(DecaExecution) first = run_flow (fixture, failing, NULL);
  g_autoptr(DecaExecution) second = run_flow (fixture, failing, NULL);
  g_autoptr(DecaExecution) refused = NULL;
  g_autoptr(DecaExecution) trial = NULL;
  g_autoptr(DecaExecution) closed = NULL;

  g_assert_cmpint (deca_execution_get_status (first), ==, DECA_EXECUTION_FAILED);
  g_assert_error ((GError *) deca_execution_get_error (second), DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED);
  g_assert_cmpuint (probe_calls ("call"), ==, 2);
  /* Open: the target is not called at all. */
  refused = run_flow (fixture, working, NULL);
  g_assert_cmpint (deca_execution_get_status (refused), ==, DECA_EXECUTION_FAILED);
  g_assert_error ((GError *) deca_execution_get_error (refused), DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CIRCUIT_OPEN);
  g_assert_cmpuint (probe_calls ("call"), ==, 2);
  /* After the cool-down one trial goes through and closes it. */
  deca_manual_clock_advance (fixture->clock, 30 * G_USEC_PER_SEC);
  trial = run_flow (fixture, working, NULL);
  g_assert_cmpint (deca_execution_get_status (trial), ==, DECA_EXECUTION_SUCCEEDED);
  closed = run_flow (fixture, working, NULL);
  g_assert_cmpint (deca_execution_get_status (closed), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_cmpuint (probe_calls ("call"), ==, 4);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"cancel\", \"name\": \"Cancel\", \"nodes\": ["
    " {\"id\": \"slow\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}},"
    " {\"id\": \"next\", \"type\": \"transform\"}],"
    " \"connections\": [{\"from\": \"slow\", \"to\": \"next\"}]}");
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, NULL, NULL);

  run_until_settled (execution);
  deca_execution_cancel (execution);
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (deca_node_invocation_get_cancellable (g_ptr_array_index (probe.hanging, 0))));
  probe_release ("{}");
  run_until_settled (execution);
  g_assert_cmpuint (count_events (fixture, "\"node_id\":\"next\""), ==, 0);
  g_assert_cmpuint (count_events (fixture, "\"status\":\"cancelled\""), ==, 1);
}

static const char *approval_flow =
  "{\"id\": \"appr\", \"name\": \"Approval\", \"nodes\": ["
  " {\"id\": \"ask\", \"type\": \"approval\", \"config\": {\"message\": \"Refund {{input.amount}}?\"}},"
  " {\"id\": \"refund\", \"type\": \"transform\", \"config\": {\"set\": {\"done\": true, \"note\": \"{{ask.comment}}\"}}},"
  " {\"id\": \"deny\", \"type\": \"transform\", \"config\": {\"set\": {\"done\": false}}}],"
  " \"connections\": [{\"from\": \"ask\", \"to\": \"refund\", \"from_port\": \"approved\"},"
  "  {\"from\": \"ask\", \"to\": \"deny\", \"from_port\": \"rejected\"}]}";

static void
test_approval_in_memory (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(DecaExecution) execution = run_flow (fixture, approval_flow, "{\"amount\": 30}");
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_PAUSED);
  waiting = deca_execution_list_waiting_approvals (execution);
  g_assert_cmpuint (waiting->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (waiting, 0), ==, "ask");
  g_assert_cmpuint (count_events (fixture, "\"message\":\"Refund 30?\""), ==, 1);

  g_assert_false (deca_executor_decide (fixture->executor, deca_execution_get_id (execution), "refund",
                                        TRUE, NULL, "ann", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);

  g_assert_true (deca_executor_decide (fixture->executor, deca_execution_get_id (execution), "ask",
                                       TRUE, "fine", "ann", &error));
  g_assert_no_error (error);
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution), "{\"refund\": {\"done\": true, \"note\": \"fine\"}}");
}

static void
test_approval_durable_reject (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "approval.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(DecaExecution) resumed = NULL;
  g_autoptr(DecaExecutor) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  gint64 started_at;

  executor_use_store (fixture, fixture->executor, store);
  execution = run_flow (fixture, approval_flow, "{\"amount\": 30}");
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_PAUSED);
  id = g_strdup (deca_execution_get_id (execution));
  {
    g_autoptr(DecaExecutionRecord) record = deca_store_get_execution (store, id, NULL);

    started_at = record->started_at;
  }
  deca_manual_clock_advance (fixture->clock, 5 * G_USEC_PER_SEC);

  /* Another process decides: here, a second executor on the same store. */
  second = deca_executor_new (fixture->registry);
  executor_use_store (fixture, second, store);
  deca_executor_set_clock (second, DECA_CLOCK (fixture->clock));
  g_assert_true (deca_executor_decide (second, id, "ask", FALSE, "too much", "bob", &error));
  g_assert_no_error (error);
  g_assert_false (deca_executor_decide (second, id, "ask", TRUE, NULL, "bob", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  resumed = deca_executor_resume (second, id, &error);
  g_assert_no_error (error);
  run_until_settled (resumed);
  g_assert_cmpint (deca_execution_get_status (resumed), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (resumed), "{\"deny\": {\"done\": false}}");
  /* The execution keeps its start time across the pause and the resume, and its history
   * numbers events on from where it stopped. */
  {
    g_autoptr(DecaExecutionRecord) record = deca_store_get_execution (store, id, NULL);
    g_autoptr(GPtrArray) history = deca_event_list_history (store, id, NULL);

    g_assert_cmpint (record->started_at, ==, started_at);
    g_assert_cmpuint (history->len, >=, 6);
    for (guint i = 1; i < history->len; i++)
      g_assert_cmpint (((DecaEventRecord *) g_ptr_array_index (history, i))->seq, >,
                       ((DecaEventRecord *) g_ptr_array_index (history, i - 1))->seq);
  }
}

static void
test_redaction (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "redact.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaMemoryCredentialProvider) provider = deca_memory_credential_provider_new ();
  g_autoptr(JsonNode) fields = json_from_string ("{\"api_key\": \"sk-very-secret-123\"}", NULL);
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *output = NULL;

  deca_memory_credential_provider_set (provider, "openai", json_node_get_object (fields));
  deca_executor_set_credential_provider (fixture->executor, DECA_CREDENTIAL_PROVIDER (provider));
  executor_use_store (fixture, fixture->executor, store);
  execution = run_flow (fixture,
    "{\"id\": \"red\", \"name\": \"Redaction\", \"nodes\": ["
    " {\"id\": \"auth\", \"type\": \"transform\", \"config\": {\"set\": {\"header\": \"Bearer {{credentials.openai.api_key}}\"}}},"
    " {\"id\": \"log\", \"type\": \"log\", \"config\": {\"message\": \"using {{auth.header}}\"}}],"
    " \"connections\": [{\"from\": \"auth\", \"to\": \"log\"}]}", NULL);

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  output = json_to_string (deca_execution_get_output (execution), FALSE);
  g_assert_null (strstr (output, "sk-very-secret"));
  g_assert_nonnull (strstr (output, "[redacted]"));
  for (guint i = 0; i < fixture->events->len; i++)
    g_assert_null (strstr (g_ptr_array_index (fixture->events, i), "sk-very-secret"));

  results = deca_store_list_node_results (store, deca_execution_get_id (execution), NULL);
  g_assert_cmpuint (results->len, ==, 2);
  for (guint i = 0; i < results->len; i++)
    {
      DecaNodeResultRecord *record = g_ptr_array_index (results, i);

      g_assert_null (strstr (record->input, "sk-very-secret"));
      g_assert_null (strstr (record->output, "sk-very-secret"));
    }
  events = deca_store_list_events (store, deca_execution_get_id (execution), 0, NULL);
  for (guint i = 0; i < events->len; i++)
    g_assert_null (strstr (((DecaEventRecord *) g_ptr_array_index (events, i))->payload, "sk-very-secret"));
}

/* A respond node's answer goes to the webhook's caller, who may know no secret: the host
 * receives it redacted, as the respond node's stored output is. */
static void
test_redaction_response (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(DecaMemoryCredentialProvider) provider = deca_memory_credential_provider_new ();
  g_autoptr(JsonNode) fields = json_from_string ("{\"token\": \"crm-very-secret-456\"}", NULL);
  g_autoptr(DecaExecution) execution = NULL;
  g_autofree char *response = NULL;
  g_autofree char *output = NULL;

  deca_memory_credential_provider_set (provider, "crm", json_node_get_object (fields));
  deca_executor_set_credential_provider (fixture->executor, DECA_CREDENTIAL_PROVIDER (provider));
  execution = run_flow (fixture,
    "{\"id\": \"redresp\", \"name\": \"Redacted response\", \"nodes\": ["
    " {\"id\": \"auth\", \"type\": \"transform\", \"config\": {\"set\": {\"header\": \"Bearer {{credentials.crm.token}}\"}}},"
    " {\"id\": \"answer\", \"type\": \"respond\", \"config\": {\"status\": 200,"
    "   \"headers\": {\"X-Echo\": \"{{auth.header}}\"},"
    "   \"body\": {\"echoed\": \"{{auth.header}}\", \"list\": [\"{{credentials.crm.token}}\"]}}}],"
    " \"connections\": [{\"from\": \"auth\", \"to\": \"answer\"}]}", NULL);

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_nonnull (deca_execution_get_response (execution));
  response = json_to_string (deca_execution_get_response (execution), FALSE);
  g_assert_null (strstr (response, "crm-very-secret"));
  g_assert_nonnull (strstr (response, "\"X-Echo\":\"Bearer [redacted]\""));
  g_assert_nonnull (strstr (response, "\"echoed\":\"Bearer [redacted]\""));
  g_assert_nonnull (strstr (response, "\"list\":[\"[redacted]\"]"));
  g_assert_nonnull (strstr (response, "\"status\":200"));
  output = json_to_string (deca_execution_get_output (execution), FALSE);
  g_assert_null (strstr (output, "crm-very-secret"));
}

static void
test_missing_credential (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"mc\", \"name\": \"Missing\", \"nodes\": ["
    " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"k\": \"{{credentials.nope.key}}\"}}}]}");
  g_autoptr(DecaMemoryCredentialProvider) provider = deca_memory_credential_provider_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaExecution) execution = NULL;

  deca_executor_set_credential_provider (fixture->executor, DECA_CREDENTIAL_PROVIDER (provider));
  execution = deca_executor_start (fixture->executor, flow, NULL, &error);
  g_assert_null (execution);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);
  g_assert_nonnull (strstr (error->message, "nope"));
}

static void
test_durable_checkpoints (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "durable.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) events = NULL;

  executor_use_store (fixture, fixture->executor, store);
  execution = run_flow (fixture,
    "{\"id\": \"dur\", \"name\": \"Durable\", \"nodes\": ["
    " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"v\": \"{{input.v}}\"}}},"
    " {\"id\": \"b\", \"type\": \"transform\", \"config\": {\"set\": {\"w\": \"{{a.v + 1}}\"}}}],"
    " \"connections\": [{\"from\": \"a\", \"to\": \"b\"}]}", "{\"v\": 1}");

  record = deca_store_get_execution (store, deca_execution_get_id (execution), NULL);
  g_assert_nonnull (record);
  g_assert_cmpstr (record->status, ==, "succeeded");
  g_assert_cmpstr (record->flow_id, ==, "dur");
  g_assert_cmpint (record->flow_version, ==, 1);
  /* Started and finished within one batch: the row is the insert with the last state
   * folded in (with a worker, fold_updates_into_inserts()), every column as if updated. */
  g_assert_cmpstr (record->input, ==, "{\"v\":1}");
  g_assert_cmpstr (record->output, ==, "{\"b\":{\"w\":2}}");
  g_assert_null (record->error);
  g_assert_null (record->owner);
  g_assert_cmpint (record->created_at, >, 0);
  g_assert_cmpint (record->started_at, >=, record->created_at);
  g_assert_cmpint (record->finished_at, >=, record->started_at);
  results = deca_store_list_node_results (store, record->id, NULL);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpstr (((DecaNodeResultRecord *) g_ptr_array_index (results, 1))->output, ==, "{\"w\":2}");
  /* The events table keeps the execution's own events; node outcomes are in node results.
   * The history merges both: every event but the live-only "queued" and "started", with
   * the same seq numbers as live, in order. */
  events = deca_store_list_events (store, record->id, 0, NULL);
  g_assert_cmpuint (events->len, ==, 2);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = deca_event_list_history (store, record->id, NULL);
  g_assert_cmpuint (events->len, ==, fixture->events->len - count_events (fixture, "\"type\":\"node.queued\"")
                                     - count_events (fixture, "\"type\":\"node.started\""));
  for (guint i = 0; i < fixture->events->len; i++)
    {
      g_autoptr(JsonNode) live = json_from_string (g_ptr_array_index (fixture->events, i), NULL);
      JsonObject *object = json_node_get_object (live);
      const char *type = json_object_get_string_member (object, "type");
      gint64 seq = json_object_get_int_member (object, "seq");
      gboolean found = FALSE;

      if (g_str_equal (type, "node.queued") || g_str_equal (type, "node.started"))
        continue;
      for (guint j = 0; j < events->len; j++)
        {
          DecaEventRecord *stored = g_ptr_array_index (events, j);

          if (stored->seq == seq)
            {
              g_autofree char *full = deca_event_expand_stored (stored->execution_id, stored->seq, stored->type,
                                                                stored->time, stored->payload);
              g_autoptr(JsonNode) expanded = json_from_string (full, NULL);

              g_assert_cmpstr (stored->type, ==, type);
              g_assert_cmpstr (json_object_get_string_member_with_default (json_node_get_object (expanded), "node_key", ""), ==,
                               json_object_get_string_member_with_default (object, "node_key", ""));
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
  g_assert_cmpstr (((DecaEventRecord *) g_ptr_array_index (events, 0))->type, ==, "execution.started");
  g_assert_cmpstr (((DecaEventRecord *) g_ptr_array_index (events, events->len - 1))->type, ==, "execution.finished");
  for (guint i = 1; i < events->len; i++)
    g_assert_cmpint (((DecaEventRecord *) g_ptr_array_index (events, i))->seq, >,
                     ((DecaEventRecord *) g_ptr_array_index (events, i - 1))->seq);
}

static void
test_resume_after_crash (Fixture       *fixture,
                         gconstpointer  data)
{
#define CRASH_FLOW \
    "{\"id\": \"crash\", \"name\": \"Crash\", \"nodes\": [" \
    " {\"id\": \"one\", \"type\": \"probe\", \"config\": {\"value\": {\"n\": 1}}}," \
    " {\"id\": \"two\", \"type\": \"probe\", \"config\": {\"value\": {\"n\": 2}}}," \
    " {\"id\": \"three\", \"type\": \"probe\", \"config\": {\"mode\": \"%s\", \"value\": {\"n\": 3}}}," \
    " {\"id\": \"four\", \"type\": \"transform\", \"config\": {\"set\": {\"sum\": \"{{one.n + two.n + three.n}}\"}}}]," \
    " \"connections\": [{\"from\": \"one\", \"to\": \"two\"}, {\"from\": \"two\", \"to\": \"three\"}," \
    "  {\"from\": \"three\", \"to\": \"four\"}]}"
  g_autofree char *path = g_build_filename (fixture->dir, "crash.db", NULL);
  g_autofree char *hanging = g_strdup_printf (CRASH_FLOW, "hang");
  g_autoptr(DecaFlow) flow = flow_from (hanging);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(DecaStore) reopened = NULL;
  g_autoptr(GPtrArray) resumed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *first_key = NULL;
  DecaExecution *again;

  executor_use_store (fixture, fixture->executor, store);
  execution = deca_executor_start (fixture->executor, flow, NULL, NULL);
  run_until_settled (execution);
  g_assert_cmpuint (probe_calls ("three"), ==, 1);
  id = g_strdup (deca_execution_get_id (execution));
  first_key = g_strdup (g_hash_table_lookup (probe.keys, "three"));

  /* "Crash": the executor goes away with its work in flight and without finishing
   * anything; a new executor on a new connection to the same file takes over. */
  reopened = deca_store_open (path, &error);
  g_assert_no_error (error);
  crash_and_restart (fixture, &execution, reopened);
  resumed = deca_executor_resume_all (fixture->executor, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (resumed->len, ==, 1);
  again = g_ptr_array_index (resumed, 0);
  g_assert_cmpstr (deca_execution_get_id (again), ==, id);
  run_until_settled (again);
  /* "one" and "two" were restored, not run; "three" ran again with the same key. */
  g_assert_cmpuint (probe_calls ("one"), ==, 1);
  g_assert_cmpuint (probe_calls ("two"), ==, 1);
  g_assert_cmpuint (probe_calls ("three"), ==, 2);
  g_assert_cmpuint (deca_execution_get_invocation_count (again, "one"), ==, 0);
  g_assert_cmpstr (g_hash_table_lookup (probe.keys, "three"), ==, first_key);
  probe_release ("{\"n\": 3}");   /* the dead executor's invocation: ignored */
  probe_release ("{\"n\": 3}");
  run_until_settled (again);
  g_assert_cmpint (deca_execution_get_status (again), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (again), "{\"four\": {\"sum\": 6}}");
}

/* A wait that was running when its process died counts from its first start. */
static void
test_resume_wait_keeps_start (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "wait.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"w\", \"name\": \"Wait\", \"nodes\": [{\"id\": \"pause\", \"type\": \"wait\", \"config\": {\"duration\": 100}}]}");
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(DecaExecution) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  executor_use_store (fixture, fixture->executor, store);
  execution = deca_executor_start (fixture->executor, flow, NULL, NULL);
  run_until_settled (execution);
  id = g_strdup (deca_execution_get_id (execution));
  deca_manual_clock_advance (fixture->clock, 60 * G_USEC_PER_SEC);
  crash_and_restart (fixture, &execution, store);
  again = deca_executor_resume (fixture->executor, id, &error);
  g_assert_no_error (error);
  run_until_settled (again);
  g_assert_cmpint (deca_manual_clock_next_due (fixture->clock) - deca_clock_now_us (DECA_CLOCK (fixture->clock)), ==, 40 * G_USEC_PER_SEC);
  deca_manual_clock_advance (fixture->clock, 40 * G_USEC_PER_SEC);
  run_until_settled (again);
  g_assert_cmpint (deca_execution_get_status (again), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (deca_execution_get_output (again)), "pause"), "waited_ms"), ==, 100000);
}

/* Inserts an unfinished execution of a stored one-node flow, owned by @owner. */
static void
insert_unfinished (DecaStore  *store,
                   const char *id,
                   const char *flow_id,
                   gint64      version,
                   const char *owner)
{
  g_autoptr(GError) error = NULL;
  DecaExecutionRecord record = {
    .id = (char *) id, .flow_id = (char *) flow_id, .flow_version = version,
    .status = (char *) DECA_STATUS_RUNNING, .input = (char *) "{}", .owner = (char *) owner,
  };

  g_assert_true (deca_store_insert_execution (store, &record, &error));
  g_assert_no_error (error);
}

static void
test_resume_ownership (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "owners.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autofree char *dead = g_strdup_printf ("%s:%d:1", g_get_host_name (), G_MAXINT - 7);
  g_autofree char *reused = NULL;
  g_autoptr(GPtrArray) resumed = NULL;
  g_autoptr(DecaExecution) refused = NULL;
  g_autoptr(DecaExecutionRecord) broken = NULL;
  g_autoptr(GError) error = NULL;
  gint64 version = 0;

  g_assert_true (deca_store_save_flow (store, "one", "One",
                                       "{\"id\": \"one\", \"name\": \"One\", \"nodes\": [{\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"x\": 1}}}]}",
                                       &version, NULL));
  /* This process's pid with another start time: the pid was reused, the owner is gone. */
  reused = g_strdup_printf ("%s:%d:%s", g_get_host_name (), (int) getpid (), "not-my-start");
  insert_unfinished (store, "foreign-host", "one", version, "elsewhere.example:42:7");
  insert_unfinished (store, "dead-owner", "one", version, dead);
  insert_unfinished (store, "reused-pid", "one", version, reused);
  insert_unfinished (store, "no-owner", "one", version, NULL);
  insert_unfinished (store, "broken", "one", 99, NULL);

  executor_use_store (fixture, fixture->executor, store);
  resumed = deca_executor_resume_all (fixture->executor, &error);
  g_assert_no_error (error);
  /* The one on another host may be running there and is left alone; the broken one is
   * marked failed instead of blocking the others. */
  g_assert_cmpuint (resumed->len, ==, 3);
  for (guint i = 0; i < resumed->len; i++)
    {
      DecaExecution *execution = g_ptr_array_index (resumed, i);

      g_assert_cmpstr (deca_execution_get_id (execution), !=, "foreign-host");
      run_until_settled (execution);
      g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
    }
  broken = deca_store_get_execution (store, "broken", NULL);
  g_assert_cmpstr (broken->status, ==, DECA_STATUS_FAILED);
  g_assert_nonnull (strstr (broken->error, "cannot be resumed"));

  refused = deca_executor_resume (fixture->executor, "foreign-host", &error);
  g_assert_null (refused);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "another process"));
}

static void
test_subflow (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "subflow.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_store_save_flow (store, "child", "Child",
                                       "{\"id\": \"child\", \"name\": \"Child\", \"nodes\": ["
                                       " {\"id\": \"twice\", \"type\": \"transform\", \"config\": {\"set\": {\"v\": \"{{input.x * 2}}\"}}}]}",
                                       NULL, &error));
  g_assert_no_error (error);
  executor_use_store (fixture, fixture->executor, store);
  execution = run_flow (fixture,
    "{\"id\": \"parent\", \"name\": \"Parent\", \"nodes\": ["
    " {\"id\": \"call\", \"type\": \"subflow\", \"config\": {\"flow_id\": \"child\", \"input\": {\"x\": \"{{input.x}}\"}}},"
    " {\"id\": \"use\", \"type\": \"transform\", \"config\": {\"set\": {\"got\": \"{{call.twice.v}}\"}}}],"
    " \"connections\": [{\"from\": \"call\", \"to\": \"use\"}]}", "{\"x\": 21}");

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution), "{\"use\": {\"got\": 42}}");
}

/* A parent killed while its subflow runs: the resumed parent resumes that same child,
 * which keeps its finished nodes. */
static void
test_subflow_resume (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "subresume.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaFlow) parent = flow_from (
    "{\"id\": \"parent\", \"name\": \"Parent\", \"nodes\": ["
    " {\"id\": \"call\", \"type\": \"subflow\", \"config\": {\"flow_id\": \"child\", \"input\": {\"x\": 2}}},"
    " {\"id\": \"use\", \"type\": \"transform\", \"config\": {\"set\": {\"got\": \"{{call.slow.n + 1}}\"}}}],"
    " \"connections\": [{\"from\": \"call\", \"to\": \"use\"}]}");
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GPtrArray) resumed = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) trigger = json_from_string ("{\"type\": \"webhook\", \"method\": \"POST\", \"path\": \"/go\"}",
                                                  NULL);
  g_autofree char *parent_id = NULL;
  DecaExecution *again;
  guint children = 0;

  g_assert_true (deca_store_save_flow (store, "child", "Child",
                                       "{\"id\": \"child\", \"name\": \"Child\", \"nodes\": ["
                                       " {\"id\": \"first\", \"type\": \"probe\", \"config\": {\"value\": {\"n\": 1}}},"
                                       " {\"id\": \"slow\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}}],"
                                       " \"connections\": [{\"from\": \"first\", \"to\": \"slow\"}]}",
                                       NULL, &error));
  executor_use_store (fixture, fixture->executor, store);
  execution = deca_executor_start_full (fixture->executor, parent, NULL, trigger, NULL);
  run_until_settled (execution);
  g_assert_cmpuint (probe_calls ("slow"), ==, 1);
  parent_id = g_strdup (deca_execution_get_id (execution));
  g_assert_cmpstr (deca_execution_get_trigger (execution), ==,
                   "{\"type\":\"webhook\",\"method\":\"POST\",\"path\":\"/go\"}");
  crash_and_restart (fixture, &execution, store);
  resumed = deca_executor_resume_all (fixture->executor, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (resumed->len, ==, 1);   /* the parent; it resumes its child itself */
  again = g_ptr_array_index (resumed, 0);
  run_until_settled (again);
  g_assert_cmpuint (probe_calls ("first"), ==, 1);
  g_assert_cmpuint (probe_calls ("slow"), ==, 2);
  probe_release ("{}");   /* the dead executor's invocation: ignored */
  probe_release ("{\"n\": 40}");
  run_until_settled (again);
  if (deca_execution_get_error (again))
    g_test_message ("error: %s", deca_execution_get_error (again)->message);
  g_assert_cmpint (deca_execution_get_status (again), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (again), "{\"use\": {\"got\": 41}}");

  /* The resumed parent keeps what started it; the child says it is the parent's. */
  g_assert_cmpstr (deca_execution_get_trigger (again), ==,
                   "{\"type\":\"webhook\",\"method\":\"POST\",\"path\":\"/go\"}");
  all = deca_store_list_executions (store, NULL, 0, &error);
  for (guint i = 0; i < all->len; i++)
    {
      DecaExecutionRecord *record = g_ptr_array_index (all, i);
      g_autoptr(JsonNode) got = json_from_string (record->trigger, NULL);
      g_autofree char *expected = NULL;

      if (record->parent_id == NULL)
        {
          assert_json_equal (got,
                             "{\"type\": \"webhook\", \"method\": \"POST\", \"path\": \"/go\"}");
          continue;
        }
      children++;
      expected = g_strdup_printf ("{\"type\": \"subflow\", \"execution_id\": \"%s\", \"node\": \"call\"}", parent_id);
      assert_json_equal (got, expected);
    }
  g_assert_cmpuint (children, ==, 1);
}

/* With a store worker the executor's thread does not wait for commits, yet a node with
 * effects (the probe) starts only once the results before it are durable: seen from
 * another connection at b's start, the results of a and t are there (t, a transform, is
 * replayable and may start before a's result is written). A deca_executor_call_when_durable() made when a succeeded runs
 * after that result is written, not before; one made with nothing waiting runs at once.
 * The audit lines queued in the executor's store go into the worker's batch. */
typedef struct {
  DecaExecutor *executor;
  DecaStore *other;             /* a second connection, as another process reads */
  char *execution_id;
  gboolean b_started;
  gboolean a_visible_at_b_start;
  gboolean a_visible_when_asked;
  gboolean durable_called;
  gboolean a_visible_when_durable;
} DurableProbe;

static gboolean
result_visible (DurableProbe *probe_data,
                const char   *node_key)
{
  g_autoptr(GPtrArray) results = deca_store_list_node_results (probe_data->other, probe_data->execution_id, NULL);

  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      DecaNodeResultRecord *result = g_ptr_array_index (results, i);

      if (g_str_equal (result->node_key, node_key) && g_str_equal (result->status, "succeeded"))
        return TRUE;
    }
  return FALSE;
}

static void
durable_cb (gpointer user_data)
{
  DurableProbe *probe_data = user_data;

  probe_data->durable_called = TRUE;
  probe_data->a_visible_when_durable = result_visible (probe_data, "a");
}

static void
durable_probe_event_cb (DecaExecutor    *executor,
                        const DecaEvent *event,
                        gpointer         user_data)
{
  DurableProbe *probe_data = user_data;

  if (probe_data->execution_id == NULL)
    probe_data->execution_id = g_strdup (event->execution_id);
  if (event->type == DECA_EVENT_NODE_SUCCEEDED && g_strcmp0 (event->node_key, "a") == 0)
    {
      probe_data->a_visible_when_asked = result_visible (probe_data, "a");
      deca_executor_call_when_durable (executor, durable_cb, probe_data, NULL);
    }
  if (event->type == DECA_EVENT_NODE_STARTED && g_strcmp0 (event->node_key, "b") == 0)
    {
      probe_data->b_started = TRUE;
      probe_data->a_visible_at_b_start = result_visible (probe_data, "a") && result_visible (probe_data, "t");
    }
}

static void
immediate_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Queues an audit line of the local workspace in @store for its next batch. */
static void
queue_audit_line (DecaStore  *store,
                  const char *actor,
                  const char *action,
                  const char *result)
{
  DecaAuditRecord *line = g_new0 (DecaAuditRecord, 1);

  line->workspace_id = g_strdup (DECA_WORKSPACE_LOCAL);
  line->actor = g_strdup (actor);
  line->action = g_strdup (action);
  line->result = g_strdup (result);
  deca_store_queue_audit (store, line);
}

static void
test_worker_durable_before_start (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "worker.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaStore) other = deca_store_open (path, NULL);
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  DurableProbe probe_data = { fixture->executor, other, NULL, FALSE, FALSE, FALSE, FALSE, FALSE };
  gboolean immediate = FALSE;
  guint listener;

  g_assert_true (fixture->with_worker);
  executor_use_store (fixture, fixture->executor, store);
  queue_audit_line (store, "tester", "flow.execute", "ok");

  listener = deca_executor_add_event_listener (fixture->executor, durable_probe_event_cb, &probe_data);
  execution = run_flow (fixture,
    "{\"id\": \"worker\", \"name\": \"Worker\", \"nodes\": ["
    " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"v\": 1}}},"
    " {\"id\": \"t\", \"type\": \"transform\", \"config\": {\"set\": {\"w\": \"{{a.v + 1}}\"}}},"
    " {\"id\": \"b\", \"type\": \"probe\", \"config\": {\"mode\": \"ok\"}}],"
    " \"connections\": [{\"from\": \"a\", \"to\": \"t\"}, {\"from\": \"t\", \"to\": \"b\"}]}", NULL);
  deca_executor_remove_event_listener (fixture->executor, listener);

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  g_assert_true (probe_data.b_started);
  g_assert_true (probe_data.a_visible_at_b_start);
  g_assert_false (probe_data.a_visible_when_asked);
  g_assert_true (probe_data.durable_called);
  g_assert_true (probe_data.a_visible_when_durable);
  {
    g_autoptr(DecaExecutionRecord) record = deca_store_get_execution (other, probe_data.execution_id, NULL);

    g_assert_nonnull (record);
    g_assert_cmpstr (record->status, ==, "succeeded");
  }

  /* Nothing waits to be written now: the call is answered at once. */
  deca_executor_call_when_durable (fixture->executor, immediate_cb, &immediate, NULL);
  g_assert_true (immediate);

  /* The audit line went with the execution's first batch, on the worker's connection: the
   * executor's own store has nothing left queued. */
  g_assert_cmpuint (deca_store_take_audit_queue (store)->len, ==, 0);
  audit = deca_store_list_audit (other, DECA_WORKSPACE_LOCAL, 0, 0, NULL);
  g_assert_nonnull (audit);
  g_assert_cmpuint (audit->len, ==, 1);
  g_assert_cmpstr (((DecaAuditRecord *) g_ptr_array_index (audit, 0))->actor, ==, "tester");
  g_free (probe_data.execution_id);
}

/* deca_executor_flush() with a worker blocks until the pending batch is written: a running
 * execution's row is then there for another connection. */
static void
test_worker_flush (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "flush.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaStore) other = deca_store_open (path, NULL);
  g_autoptr(DecaFlow) flow = flow_from ("{\"id\": \"hang\", \"nodes\": ["
                                        " {\"id\": \"h\", \"type\": \"probe\", \"config\": {\"mode\": \"hang\"}}]}");
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  executor_use_store (fixture, fixture->executor, store);
  execution = deca_executor_start (fixture->executor, flow, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (deca_store_get_execution (other, deca_execution_get_id (execution), NULL));
  g_assert_true (deca_executor_flush (fixture->executor, &error));
  g_assert_no_error (error);
  record = deca_store_get_execution (other, deca_execution_get_id (execution), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->status, ==, "running");
  run_until_settled (execution);
  probe_release ("{}");
  run_until_settled (execution);
  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
}

/* With a store worker, one turn of the pump works on at most twelve executions:
 * eighteen ready at once run as twelve, whose batch goes to the worker, then six at the
 * next turn, instead of all eighteen waiting for one batch behind the last of them. */
static void
count_succeeded_cb (DecaExecutor    *executor,
                    const DecaEvent *event,
                    gpointer         user_data)
{
  if (event->type == DECA_EVENT_NODE_SUCCEEDED)
    (*(guint *) user_data)++;
}

static void
test_worker_turn_limit (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "turns.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaFlow) flow = flow_from ("{\"id\": \"turns\", \"nodes\": ["
                                        " {\"id\": \"a\", \"type\": \"transform\", \"config\": {\"set\": {\"v\": 1}}}]}");
  g_autoptr(GPtrArray) executions = g_ptr_array_new_with_free_func (g_object_unref);
  guint succeeded = 0;
  guint listener;

  g_assert_true (fixture->with_worker);
  executor_use_store (fixture, fixture->executor, store);
  listener = deca_executor_add_event_listener (fixture->executor, count_succeeded_cb, &succeeded);
  for (guint i = 0; i < 18; i++)
    {
      g_autoptr(GError) error = NULL;
      DecaExecution *execution = deca_executor_start (fixture->executor, flow, NULL, &error);

      g_assert_no_error (error);
      g_ptr_array_add (executions, execution);
    }
  g_assert_cmpuint (succeeded, ==, 0);

  /* The pump's first turn: the first twelve, in the order they were started. */
  g_assert_true (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (succeeded, ==, 12);
  for (guint i = 0; i < executions->len; i++)
    g_assert_cmpint (deca_execution_get_status (g_ptr_array_index (executions, i)), ==,
                     i < 12 ? DECA_EXECUTION_SUCCEEDED : DECA_EXECUTION_RUNNING);

  for (guint i = 0; i < executions->len; i++)
    {
      run_until_settled (g_ptr_array_index (executions, i));
      g_assert_cmpint (deca_execution_get_status (g_ptr_array_index (executions, i)), ==, DECA_EXECUTION_SUCCEEDED);
    }
  g_assert_cmpuint (succeeded, ==, 18);
  deca_executor_remove_event_listener (fixture->executor, listener);
}

/* deca_executor_write_audit() with no checkpoint to take the lines: the pump's next turn
 * writes them in a batch of their own (with a worker, on the worker's connection), not
 * the call itself. */
static void
test_write_audit (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "audit.db", NULL);
  g_autoptr(DecaStore) store = deca_store_open (path, NULL);
  g_autoptr(DecaStore) other = deca_store_open (path, NULL);
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GPtrArray) left = NULL;

  executor_use_store (fixture, fixture->executor, store);
  queue_audit_line (store, "webhook", "webhook.execute", "denied");

  deca_executor_write_audit (fixture->executor);
  audit = deca_store_list_audit (other, DECA_WORKSPACE_LOCAL, 0, 0, NULL);
  g_assert_nonnull (audit);
  g_assert_cmpuint (audit->len, ==, 0);
  g_clear_pointer (&audit, g_ptr_array_unref);

  for (guint i = 0; i < 1000; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      workers_delivered ();
      audit = deca_store_list_audit (other, DECA_WORKSPACE_LOCAL, 0, 0, NULL);
      if (audit == NULL || audit->len > 0)
        break;
      g_clear_pointer (&audit, g_ptr_array_unref);
    }
  g_assert_nonnull (audit);
  g_assert_cmpuint (audit->len, ==, 1);
  g_assert_cmpstr (((DecaAuditRecord *) g_ptr_array_index (audit, 0))->result, ==, "denied");
  /* A batch took the line: the executor's store keeps none. */
  left = deca_store_take_audit_queue (store);
  g_assert_cmpuint (left->len, ==, 0);
}

static void
test_empty_flow (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(DecaExecution) execution = run_flow (fixture, "{\"id\": \"e\", \"name\": \"E\", \"nodes\": []}", NULL);

  g_assert_cmpint (deca_execution_get_status (execution), ==, DECA_EXECUTION_SUCCEEDED);
  assert_json_equal (deca_execution_get_output (execution), "{}");
}

static void
test_unknown_type_refused (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from ("{\"id\": \"u\", \"name\": \"U\", \"nodes\": [{\"id\": \"a\", \"type\": \"agent\"}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, NULL, &error);

  g_assert_null (execution);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "agent"));
}

static void
test_cycle_refused (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(DecaFlow) flow = flow_from (
    "{\"id\": \"c\", \"name\": \"C\", \"nodes\": [{\"id\": \"a\", \"type\": \"transform\"}, {\"id\": \"b\", \"type\": \"transform\"}],"
    " \"connections\": [{\"from\": \"a\", \"to\": \"b\"}, {\"from\": \"b\", \"to\": \"a\"}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaExecution) execution = deca_executor_start (fixture->executor, flow, NULL, &error);

  g_assert_null (execution);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/deca/engine/executor/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("chain", test_chain);
  ADD ("trigger-text", test_trigger_text);
  ADD ("event-listeners", test_event_listeners);
  ADD ("parallelism", test_parallelism);
  ADD ("dead-path", test_dead_path);
  ADD ("connection-condition", test_connection_condition);
  ADD ("branch", test_branch);
  ADD ("loop", test_loop);
  ADD ("loop-concurrency", test_loop_concurrency);
  ADD ("loop-nested", test_loop_nested);
  ADD ("loop-skipped-bodies", test_loop_skipped_bodies);
  ADD ("loop-body-failure", test_loop_body_failure);
  ADD ("loop-approval", test_loop_approval);
  ADD ("loop-resume", test_loop_resume);
  ADD ("retry-backoff", test_retry_backoff);
  ADD ("retry-jitter", test_retry_jitter);
  ADD ("node-timeout", test_node_timeout);
  ADD ("flow-timeout", test_flow_timeout);
  ADD ("flow-timeout-paused", test_flow_timeout_paused);
  ADD ("condition-error", test_condition_error);
  ADD ("timeout-then-retry", test_timeout_then_retry);
  ADD ("cancel-during-retry", test_cancel_during_retry);
  ADD ("stop-on-error", test_stop_on_error);
  ADD ("continue-on-error", test_continue_on_error);
  ADD ("on-error-fallback", test_on_error_fallback);
  ADD ("circuit-breaker", test_circuit_breaker);
  ADD ("cancel", test_cancel);
  ADD ("approval-in-memory", test_approval_in_memory);
  ADD ("approval-durable-reject", test_approval_durable_reject);
  ADD ("redaction", test_redaction);
  ADD ("redaction-response", test_redaction_response);
  ADD ("missing-credential", test_missing_credential);
  ADD ("durable-checkpoints", test_durable_checkpoints);
  ADD ("write-audit", test_write_audit);
  ADD ("resume-after-crash", test_resume_after_crash);
  ADD ("resume-wait-keeps-start", test_resume_wait_keeps_start);
  ADD ("resume-ownership", test_resume_ownership);
  ADD ("subflow", test_subflow);
  ADD ("subflow-resume", test_subflow_resume);
  ADD ("empty-flow", test_empty_flow);
  ADD ("unknown-type-refused", test_unknown_type_refused);
  ADD ("cycle-refused", test_cycle_refused);
#define ADD_WORKER(path, func) g_test_add ("/deca/engine/executor/worker/" path, Fixture, "worker", fixture_set_up, func, fixture_tear_down)
  ADD_WORKER ("loop-resume", test_loop_resume);
  ADD_WORKER ("approval-durable-reject", test_approval_durable_reject);
  ADD_WORKER ("redaction", test_redaction);
  ADD_WORKER ("durable-checkpoints", test_durable_checkpoints);
  ADD_WORKER ("resume-after-crash", test_resume_after_crash);
  ADD_WORKER ("resume-wait-keeps-start", test_resume_wait_keeps_start);
  ADD_WORKER ("resume-ownership", test_resume_ownership);
  ADD_WORKER ("subflow", test_subflow);
  ADD_WORKER ("subflow-resume", test_subflow_resume);
  ADD_WORKER ("durable-before-start", test_worker_durable_before_start);
  ADD_WORKER ("flush", test_worker_flush);
  ADD_WORKER ("turn-limit", test_worker_turn_limit);
  ADD_WORKER ("write-audit", test_write_audit);
#undef ADD_WORKER
#undef ADD

  return g_test_run ();
}
