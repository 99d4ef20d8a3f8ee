/* Engine benchmarks:
 *   engine_node_overhead_us    in-memory 10-node transform chain, time per node
 *   engine_durable_exec_per_s  the same flow checkpointed to SQLite after every node
 * Each figure is the median of several runs. */

#define _GNU_SOURCE
#include <sched.h>

#include <glib/gstdio.h>

#include "deca-engine.h"

#define CHAIN_LENGTH 10

static char *
chain_flow_json (void)
{
  GString *json = g_string_new ("{\"id\": \"bench-chain\", \"name\": \"Bench chain\", "
                                "\"settings\": {\"parallelism\": 4}, \"nodes\": [");

  for (guint i = 0; i < CHAIN_LENGTH; i++)
    {
      if (i == 0)
        g_string_append (json, "{\"id\": \"n0\", \"type\": \"transform\", "
                               "\"config\": {\"set\": {\"value\": \"{{input.start}}\", \"tag\": \"first\"}}}");
      else
        g_string_append_printf (json, ", {\"id\": \"n%u\", \"type\": \"transform\", "
                                      "\"config\": {\"set\": {\"value\": \"{{n%u.value + 1}}\", \"tag\": \"step\"}}}",
                                i, i - 1);
    }
  g_string_append (json, "], \"connections\": [");
  for (guint i = 1; i < CHAIN_LENGTH; i++)
    g_string_append_printf (json, "%s{\"from\": \"n%u\", \"to\": \"n%u\"}", i > 1 ? ", " : "", i - 1, i);
  g_string_append (json, "]}");
  return g_string_free (json, FALSE);
}

typedef struct {
  guint finished;
  guint failed;
} Counter;

static void
on_status (DecaExecution *execution,
           GParamSpec    *pspec,
           Counter       *counter)
{
  if (deca_execution_is_finished (execution))
    {
      counter->finished++;
      if (deca_execution_get_status (execution) != DECA_EXECUTION_SUCCEEDED)
        counter->failed++;
    }
}

/* Runs @total executions of @flow, at most @in_flight at once. Returns the seconds. */
static double
run_executions (DecaExecutor *executor,
                DecaFlow     *flow,
                JsonNode     *input,
                guint         total,
                guint         in_flight)
{
  Counter counter = { 0 };
  guint started = 0;
  gint64 begin = g_get_monotonic_time ();
  g_autoptr(GPtrArray) executions = g_ptr_array_new_with_free_func (g_object_unref);

  while (counter.finished < total)
    {
      while (started < total && started - counter.finished < in_flight)
        {
          g_autoptr(GError) error = NULL;
          DecaExecution *execution = deca_executor_start (executor, flow, input, &error);

          if (execution == NULL)
            g_error ("cannot start: %s", error->message);
          g_signal_connect (execution, "notify::status", G_CALLBACK (on_status), &counter);
          g_ptr_array_add (executions, execution);
          started++;
        }
      g_main_context_iteration (NULL, TRUE);
      if (executions->len > 4 * in_flight)
        g_ptr_array_remove_range (executions, 0, executions->len - in_flight);
    }
  if (counter.failed > 0)
    g_error ("%u executions failed", counter.failed);
  return (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), (int (*)(const void *, const void *)) compare_doubles);
  return values[n / 2];
}

static void
bench_node_overhead (DecaNodeRegistry *registry,
                     DecaFlow         *flow,
                     JsonNode         *input)
{
  const guint runs = 9, executions = 3000;
  double per_node[9];
  g_autoptr(DecaExecutor) executor = deca_executor_new (registry);

  run_executions (executor, flow, input, 200, 1);   /* warm up */
  for (guint r = 0; r < runs; r++)
    {
      /* One execution at a time: the figure is the engine's cost per node, not
       * throughput from overlapping executions. */
      double seconds = run_executions (executor, flow, input, executions, 1);

      per_node[r] = seconds * G_USEC_PER_SEC / (executions * CHAIN_LENGTH);
    }
  g_print ("BENCH engine_node_overhead_us %.2f us\n", median (per_node, runs));
}

static void
bench_durable (DecaNodeRegistry *registry,
               DecaFlow         *flow,
               JsonNode         *input)
{
  const guint runs = 5, executions = 5000;
  double rates[5];
  g_autofree char *dir = g_dir_make_tmp ("deca-bench-XXXXXX", NULL);

  for (guint r = 0; r < runs; r++)
    {
      g_autofree char *path = g_strdup_printf ("%s/bench-%u.db", dir, r);
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaStore) store = deca_store_open (path, &error);
      g_autoptr(DecaExecutor) executor = deca_executor_new (registry);
      double seconds;

      if (store == NULL)
        g_error ("%s", error->message);
      deca_executor_set_store (executor, store);
      run_executions (executor, flow, input, 100, 64);   /* warm up */
      seconds = run_executions (executor, flow, input, executions, 64);
      rates[r] = executions / seconds;
      g_clear_object (&executor);
      g_clear_object (&store);
      g_remove (path);
      g_remove (wal);
      g_remove (shm);
    }
  g_rmdir (dir);
  g_print ("BENCH engine_durable_exec_per_s %.0f executions/s\n", median (rates, runs));
}

/* Keeps the process on the CPU it started on. The executor runs on one thread; moving
 * between cores costs it its caches and made figures of the same build vary by half. */
static void
pin_to_current_cpu (void)
{
  cpu_set_t set;
  int cpu = sched_getcpu ();

  if (cpu < 0)
    return;
  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  sched_setaffinity (0, sizeof set, &set);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autofree char *json = chain_flow_json ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlow) flow = deca_flow_new_from_data (json, -1, &error);
  g_autoptr(JsonNode) input = json_from_string ("{\"start\": 1}", NULL);

  if (flow == NULL)
    g_error ("%s", error->message);
  pin_to_current_cpu ();
  /* An argument picks one benchmark, for profiling. */
  if (argc < 2 || g_str_equal (argv[1], "node"))
    bench_node_overhead (registry, flow, input);
  if (argc < 2 || g_str_equal (argv[1], "durable"))
    bench_durable (registry, flow, input);
  return 0;
}
