/* test-queue-metrics.c: deca_queue_depth{queue="nodes"|"executions"} on GET /metrics
 * (server/deca-api-flows.c, deca_executor_get_queue_depth()), read at each scrape through
 * a collect function of DecaMetrics: node runs queued behind a flow's parallelism while a
 * wait node holds the only slot, an execution paused at an approval, and 0 for both once
 * they finished. Also the collect functions of DecaMetrics themselves. In-process servers
 * with a manual clock (triggers-fixture.h), whose executor waits on that clock. */

#include "config.h"

#include "triggers-fixture.h"

#include "deca-metrics.h"

#define OWNER "ws-a:owner"

/* Three wait nodes of a minute each, all ready at the start, one at a time. */
static const char *queued_flow =
  "{\"id\": \"queued\", \"name\": \"Queued\", \"settings\": {\"parallelism\": 1}, \"nodes\": ["
  " {\"id\": \"a\", \"type\": \"wait\", \"config\": {\"duration\": 60}},"
  " {\"id\": \"b\", \"type\": \"wait\", \"config\": {\"duration\": 60}},"
  " {\"id\": \"c\", \"type\": \"wait\", \"config\": {\"duration\": 60}}]}";

static const char *approval_flow =
  "{\"id\": \"ask\", \"name\": \"Ask\", \"nodes\": ["
  " {\"id\": \"ask\", \"type\": \"approval\", \"config\": {\"message\": \"Go?\"}},"
  " {\"id\": \"done\", \"type\": \"transform\", \"config\": {\"set\": {\"ok\": true}}}],"
  " \"connections\": [{\"from\": \"ask\", \"to\": \"done\", \"from_port\": \"approved\"}]}";

static void
use_manual_clock_cb (Fixture  *fixture,
                     gpointer  data)
{
  deca_executor_set_clock (deca_api_flows_get_executor (fixture->instances[0].flows), DECA_CLOCK (fixture->clock));
}

static void
setup (Fixture       *fixture,
       gconstpointer  data)
{
  fixture_init (fixture, G_GINT64_CONSTANT (1811844030) * G_USEC_PER_SEC);
  on_server (fixture, use_manual_clock_cb, NULL);
}

static void
advance_cb (Fixture  *fixture,
            gpointer  data)
{
  deca_manual_clock_advance (fixture->clock, *(gint64 *) data * G_USEC_PER_SEC);
}

static void
advance (Fixture *fixture,
         gint64   seconds)
{
  on_server (fixture, advance_cb, &seconds);
}

/* Returns (transfer full) the text of GET /metrics (public, no key). */
static char *
scrape (Fixture *fixture)
{
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&fixture->lock);
  uri = g_strconcat (fixture->instances[0].uri, "/metrics", NULL);
  g_mutex_unlock (&fixture->lock);
  message = soup_message_new ("GET", uri);
  bytes = soup_session_send_and_read (fixture->session, message, NULL, &error);
  g_assert_no_error (error);
  deca_openapi_assert_message (message, bytes);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* The value of the series @series ("deca_queue_depth{queue=\"nodes\"}") in @text; fails
 * the test when it is not there. */
static double
series_value (const char *text,
              const char *series)
{
  g_autofree char *prefix = g_strconcat (series, " ", NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_ascii_strtod (lines[i] + strlen (prefix), NULL);
  g_error ("no series %s in /metrics", series);
}

typedef struct {
  double nodes;
  double executions;
} Depth;

static Depth
depth (Fixture *fixture)
{
  g_autofree char *text = scrape (fixture);
  Depth result;

  g_assert_nonnull (strstr (text, "# TYPE deca_queue_depth gauge\n"));
  result.nodes = series_value (text, "deca_queue_depth{queue=\"nodes\"}");
  result.executions = series_value (text, "deca_queue_depth{queue=\"executions\"}");
  return result;
}

/* Waits (each poll a round trip through the server's loop) until the depths are these. */
static void
wait_for_depth (Fixture *fixture,
                double   nodes,
                double   executions)
{
  for (guint attempt = 0; attempt < 4000; attempt++)
    {
      Depth seen = depth (fixture);

      if (seen.nodes == nodes && seen.executions == executions)
        return;
      if (attempt == 3999)
        g_error ("deca_queue_depth is nodes %g, executions %g; not %g, %g", seen.nodes, seen.executions, nodes,
                 executions);
      /* Only keeps the poll from spinning: the condition decides. */
      g_usleep (2000);
    }
}

/* Starts @flow_id as @who; returns (transfer full) the execution's id. */
static char *
execute (Fixture    *fixture,
         const char *flow_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/flows/%s/execute", flow_id);
  g_autoptr(JsonNode) body = NULL;
  guint status = CALL (fixture, OWNER, "POST", path, "{\"input\": {}}", &body);

  g_assert_true (status == 200 || status == 202);
  return g_strdup (json_object_get_string_member (object_of (body), "id"));
}

/* Waits until execution @id has @status. */
static void
wait_for_status (Fixture    *fixture,
                 const char *id,
                 const char *status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions/%s", id);

  for (guint attempt = 0; attempt < 4000; attempt++)
    {
      g_autoptr(JsonNode) body = NULL;

      g_assert_cmpuint (CALL (fixture, OWNER, "GET", path, NULL, &body), ==, 200);
      if (g_str_equal (json_object_get_string_member (object_of (body), "status"), status))
        return;
      g_usleep (2000);
    }
  g_error ("execution %s never became %s", id, status);
}

static void
test_nodes_queued (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *id = NULL;
  Depth idle = depth (fixture);

  /* Nothing waits before anything runs. */
  g_assert_cmpfloat (idle.nodes, ==, 0);
  g_assert_cmpfloat (idle.executions, ==, 0);

  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/flows", queued_flow, &body), ==, 201);
  id = execute (fixture, "queued");
  /* One wait holds the only slot; the other two are queued behind it, and the execution
   * has a node in flight, so it is not waiting itself. */
  wait_for_depth (fixture, 2, 0);
  advance (fixture, 60);
  wait_for_depth (fixture, 1, 0);
  advance (fixture, 60);
  wait_for_depth (fixture, 0, 0);
  advance (fixture, 60);
  wait_for_status (fixture, id, "succeeded");
  idle = depth (fixture);
  g_assert_cmpfloat (idle.nodes, ==, 0);
  g_assert_cmpfloat (idle.executions, ==, 0);
}

static void
test_execution_paused (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  Depth seen;

  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/flows", approval_flow, &body), ==, 201);
  id = execute (fixture, "ask");
  wait_for_status (fixture, id, "paused");
  /* Paused at its approval: live, nothing in flight. */
  seen = depth (fixture);
  g_assert_cmpfloat (seen.executions, ==, 1);
  g_assert_cmpfloat (seen.nodes, ==, 0);

  g_clear_pointer (&body, json_node_unref);
  path = g_strdup_printf ("/api/v1/executions/%s/approve", id);
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", path, "{}", &body), ==, 200);
  wait_for_status (fixture, id, "succeeded");
  seen = depth (fixture);
  g_assert_cmpfloat (seen.executions, ==, 0);
  g_assert_cmpfloat (seen.nodes, ==, 0);
}

/* --- DecaMetrics' collect functions ------------------------------------------------------- */

typedef struct {
  DecaMetricsFamily *gauge;
  guint calls;
  gboolean freed;
} Collect;

static void
collect_cb (DecaMetrics *metrics,
            gpointer     user_data)
{
  Collect *collect = user_data;

  collect->calls++;
  deca_metrics_family_set (collect->gauge, NULL, collect->calls * 10);
}

static void
collect_free (gpointer user_data)
{
  ((Collect *) user_data)->freed = TRUE;
}

static void
test_collect_funcs (void)
{
  g_autoptr(DecaMetrics) metrics = deca_metrics_new ();
  Collect first = { 0 }, second = { 0 };
  g_autofree char *text = NULL;
  guint id;

  first.gauge = deca_metrics_add_gauge (metrics, "first", "First.", NULL);
  second.gauge = deca_metrics_add_gauge (metrics, "second", "Second.", NULL);
  id = deca_metrics_add_collect_func (metrics, collect_cb, &first, collect_free);
  g_assert_cmpuint (id, >, 0);
  g_assert_cmpuint (deca_metrics_add_collect_func (metrics, collect_cb, &second, collect_free), !=, id);
  /* Nothing runs until the registry is written. */
  g_assert_cmpuint (first.calls, ==, 0);

  /* Each format runs them before it writes, so the text has what they set. */
  text = deca_metrics_format (metrics);
  g_assert_cmpuint (first.calls, ==, 1);
  g_assert_nonnull (strstr (text, "\nfirst 10\n"));
  g_assert_nonnull (strstr (text, "\nsecond 10\n"));
  g_clear_pointer (&text, g_free);
  text = deca_metrics_format (metrics);
  g_assert_nonnull (strstr (text, "\nfirst 20\n"));

  /* Removed, it runs no more and its data is freed; the other's goes with the registry. */
  deca_metrics_remove_collect_func (metrics, id);
  g_assert_true (first.freed);
  g_clear_pointer (&text, g_free);
  text = deca_metrics_format (metrics);
  g_assert_cmpuint (first.calls, ==, 2);
  g_assert_cmpuint (second.calls, ==, 3);
  g_assert_nonnull (strstr (text, "\nfirst 20\n"));
  g_assert_false (second.freed);
  g_clear_object (&metrics);
  g_assert_true (second.freed);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/queue-metrics/collect-funcs", test_collect_funcs);
  g_test_add ("/server/queue-metrics/nodes-queued", Fixture, NULL, setup, test_nodes_queued, fixture_teardown);
  g_test_add ("/server/queue-metrics/execution-paused", Fixture, NULL, setup, test_execution_paused,
              fixture_teardown);
  return g_test_run ();
}
