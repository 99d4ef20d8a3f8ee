/* Studio benchmarks: the real deca-studio process, spawned on a display.
 *   studio_startup_ms               process start to the window's first frame, with the
 *                                   example flow in the store (median of 7 runs)
 *   studio_rss_mb                   resident memory with a 1,000-node, 1,500-connection
 *                                   flow open and drawn (median of the runs)
 *   studio_open_1000_nodes_ms       process start to that flow drawn (median)
 *
 * The studio prints "DECA_REPORT first-frame <µs>" and "DECA_REPORT flow-shown <µs> <id>"
 * on stdout when DECA_STUDIO_REPORT is set (app/deca-application.c); the times are
 * g_get_monotonic_time(), CLOCK_MONOTONIC, which is the same clock in every process, so
 * a sample is the studio's time less the time taken here just before the spawn.
 *
 * It needs a display and a session bus: run it under `xvfb-run -a dbus-run-session --`.
 * DECA_STUDIO_BIN and GSETTINGS_SCHEMA_DIR override the paths of this build. */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>

#include "deca-engine.h"
#include "deca-test-fs.h"

#define STARTUP_RUNS 7
#define LARGE_RUNS 5
#define LARGE_NODES 1000
#define LARGE_CONNECTIONS 1500
#define LARGE_COLUMNS 40
/* How long the studio may take to report: a safety net against a hang, not a target. */
#define REPORT_TIMEOUT_MS 120000
/* After the large flow is drawn, the time given to whatever the first frames queued
 * (problems, the minimap, the flow list) before memory is read. */
#define SETTLE_MS 500

/* ---- the flows ------------------------------------------------------------------------ */

static char *
read_example (void)
{
  g_autofree char *path = g_build_filename (DECA_SOURCE_EXAMPLES_DIR, "order-webhook.json", NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("cannot read the example: %s", error->message);
  return text;
}

/* A flow of @n_nodes nodes of the built-in types transform, log, condition and http, on
 * a grid of LARGE_COLUMNS columns, with @n_connections connections between neighbours:
 * first each node to the one on its right, then each to the one below right. Every
 * connection goes one column to the right, so the flow has no cycle. A condition's
 * connections leave from its true (right) and false (below right) ports. */
static char *
large_flow_json (guint n_nodes,
                 guint n_connections)
{
  static const char *kinds[] = { "transform", "log", "condition", "http" };
  guint rows = (n_nodes + LARGE_COLUMNS - 1) / LARGE_COLUMNS;
  GString *json = g_string_new ("{\"id\": \"bench-large\", \"name\": \"Bench large\", "
                                "\"version\": 1, \"nodes\": [");
  guint made = 0;

  for (guint i = 0; i < n_nodes; i++)
    {
      const char *kind = kinds[i % G_N_ELEMENTS (kinds)];
      guint column = i % LARGE_COLUMNS;
      guint row = i / LARGE_COLUMNS;

      g_string_append_printf (json, "%s{\"id\": \"n%u\", \"type\": \"%s\", "
                                    "\"position\": {\"x\": %u, \"y\": %u}, \"config\": ",
                              i > 0 ? ", " : "", i, kind, 80 + column * 260, 80 + row * 140);
      if (g_str_equal (kind, "transform"))
        g_string_append_printf (json, "{\"set\": {\"value\": \"{{input.start}}\", \"step\": %u}}", i);
      else if (g_str_equal (kind, "log"))
        g_string_append_printf (json, "{\"message\": \"step %u: {{input.start}}\"}", i);
      else if (g_str_equal (kind, "condition"))
        g_string_append (json, "{\"expression\": \"{{input.start}} > 1\"}");
      else
        g_string_append_printf (json, "{\"method\": \"GET\", "
                                      "\"url\": \"https://example.com/items/%u\"}", i);
      g_string_append_c (json, '}');
    }
  g_string_append (json, "], \"connections\": [");

  for (guint pass = 0; pass < 2 && made < n_connections; pass++)
    for (guint i = 0; i < n_nodes && made < n_connections; i++)
      {
        guint column = i % LARGE_COLUMNS;
        guint row = i / LARGE_COLUMNS;
        guint to = pass == 0 ? i + 1 : i + LARGE_COLUMNS + 1;
        gboolean is_condition = i % G_N_ELEMENTS (kinds) == 2;

        if (column + 1 >= LARGE_COLUMNS || to >= n_nodes || (pass == 1 && row + 1 >= rows))
          continue;
        g_string_append_printf (json, "%s{\"from\": \"n%u\", ", made > 0 ? ", " : "", i);
        if (is_condition)
          g_string_append_printf (json, "\"from_port\": \"%s\", ", pass == 0 ? "true" : "false");
        g_string_append_printf (json, "\"to\": \"n%u\"}", to);
        made++;
      }
  g_string_append (json, "]}");
  if (made != n_connections)
    g_error ("the grid holds only %u of the %u connections", made, n_connections);
  return g_string_free (json, FALSE);
}

/* The generated flow must be one the studio opens cleanly, or the figures would measure
 * error paths. */
static void
check_flow (const char *text)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(GPtrArray) problems = deca_validate_flow_data (text, -1, registry);

  if (problems->len > 0)
    {
      const DecaValidationProblem *problem = g_ptr_array_index (problems, 0);
      g_error ("the benchmark flow has %u problems, the first at %s: %s",
               problems->len, problem->pointer, problem->message);
    }
}

/* ---- a studio process ---------------------------------------------------------------- */

typedef struct {
  char             *home;      /* the temporary XDG_DATA_HOME */
  GSubprocess      *process;
  GDataInputStream *output;
  gint64            spawned;   /* monotonic µs just before the spawn */
} Studio;

/* A fresh XDG_DATA_HOME whose studio store (the default one, deca-studio/deca.db) holds
 * the flow @text, saved with the engine as the studio would have saved it. */
static char *
make_home (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *store_dir = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(DecaFlow) flow = NULL;
  char *home = g_dir_make_tmp ("deca-bench-studio-XXXXXX", &error);

  if (home == NULL)
    g_error ("cannot make a temporary directory: %s", error->message);
  store_dir = g_build_filename (home, "deca-studio", NULL);
  g_mkdir_with_parents (store_dir, 0700);
  db_path = g_build_filename (store_dir, "deca.db", NULL);

  flow = deca_flow_new_from_data (text, -1, &error);
  if (flow == NULL)
    g_error ("cannot load the benchmark flow: %s", error->message);
  store = deca_store_open (db_path, &error);
  if (store == NULL)
    g_error ("cannot open the store: %s", error->message);
  if (!deca_store_save_flow (store, deca_flow_get_id (flow), deca_flow_get_name (flow), text,
                             NULL, &error))
    g_error ("cannot save the flow: %s", error->message);
  return home;
}

static const char *
studio_binary (void)
{
  const char *bin = g_getenv ("DECA_STUDIO_BIN");

  return bin && *bin ? bin : DECA_STUDIO_BIN;
}

/* A benchmark that fails aborts; the studio it started must not stay behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Studio *
studio_spawn (const char *text)
{
  Studio *studio = g_new0 (Studio, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *schema_dir = g_getenv ("GSETTINGS_SCHEMA_DIR");
  const char *argv[] = { studio_binary (), NULL };

  studio->home = make_home (text);
  env = g_environ_setenv (env, "DECA_STUDIO_REPORT", "1", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "memory", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR",
                          schema_dir && *schema_dir ? schema_dir : DECA_SCHEMA_DIR, TRUE);
  env = g_environ_setenv (env, "XDG_DATA_HOME", studio->home, TRUE);
  env = g_environ_setenv (env, "NO_AT_BRIDGE", "1", TRUE);
  /* The test runner's malloc checks and GLib debugging cost time and memory that a
   * person's studio does not spend. */
  env = g_environ_unsetenv (env, "MALLOC_CHECK_");
  env = g_environ_unsetenv (env, "MALLOC_PERTURB_");
  env = g_environ_unsetenv (env, "G_DEBUG");

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  studio->spawned = g_get_monotonic_time ();
  studio->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (studio->process == NULL)
    g_error ("cannot start %s: %s", argv[0], error->message);
  studio->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (studio->process));
  return studio;
}

static void
studio_free (Studio *studio)
{
  g_subprocess_force_exit (studio->process);
  g_subprocess_wait (studio->process, NULL, NULL);
  g_clear_object (&studio->output);
  g_clear_object (&studio->process);
  deca_test_remove_tree (studio->home);
  g_free (studio->home);
  g_free (studio);
}

typedef struct {
  char     *line;
  gboolean  done;
  GError   *error;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Reads the studio's output until "DECA_REPORT @event <µs> ..." and returns the µs
 * since the spawn. Exits the benchmark when the studio ends or stays silent first. */
static gint64
studio_wait_for (Studio     *studio,
                 const char *event)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *prefix = g_strdup_printf ("DECA_REPORT %s ", event);
  guint timeout = g_timeout_add (REPORT_TIMEOUT_MS, cancel_cb, cancellable);

  for (;;)
    {
      LineRead read = { NULL, FALSE, NULL };
      g_autofree char *line = NULL;

      g_data_input_stream_read_line_async (studio->output, G_PRIORITY_DEFAULT, cancellable,
                                           line_read_cb, &read);
      while (!read.done)
        g_main_context_iteration (NULL, TRUE);
      line = read.line;
      if (read.error)
        g_error ("waiting for %s from deca-studio: %s", event, read.error->message);
      if (line == NULL)
        g_error ("deca-studio exited before reporting %s", event);
      if (g_str_has_prefix (line, prefix))
        {
          gint64 when = g_ascii_strtoll (line + strlen (prefix), NULL, 10);

          g_source_remove (timeout);
          return when - studio->spawned;
        }
    }
}

static gboolean
settled_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
settle (void)
{
  gboolean settled = FALSE;

  g_timeout_add (SETTLE_MS, settled_cb, &settled);
  while (!settled)
    g_main_context_iteration (NULL, TRUE);
}

/* VmRSS of the studio, in kB. */
static guint64
studio_rss_kb (Studio *studio)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                           g_subprocess_get_identifier (studio->process));
  g_autofree char *status = NULL;
  g_autoptr(GError) error = NULL;
  const char *field;

  if (!g_file_get_contents (path, &status, NULL, &error))
    g_error ("cannot read the studio's memory: %s", error->message);
  field = strstr (status, "\nVmRSS:");
  if (field == NULL)
    g_error ("%s has no VmRSS", path);
  return g_ascii_strtoull (field + strlen ("\nVmRSS:"), NULL, 10);
}

/* ---- figures --------------------------------------------------------------------------- */

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Sorts @values and returns their median; the samples go to stderr, for a reader
 * wondering how much they spread. */
static double
median (const char *name,
        double     *values,
        guint       n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  g_printerr ("bench-studio: %s samples:", name);
  for (guint i = 0; i < n; i++)
    g_printerr (" %.1f", values[i]);
  g_printerr ("\n");
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* The bus GLib would find without autolaunch: $DBUS_SESSION_BUS_ADDRESS or the user
 * bus of systemd. Autolaunching one (X11's dbus-launch) would measure something else,
 * or hang. */
static gboolean
have_session_bus (void)
{
  g_autofree char *user_bus = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);

  return g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL
         || g_file_test (user_bus, G_FILE_TEST_EXISTS);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *example = NULL;
  g_autofree char *large = NULL;
  double startup[STARTUP_RUNS], open_large[LARGE_RUNS], rss[LARGE_RUNS];

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-studio: no display; run it under xvfb-run -a dbus-run-session --\n");
      return 77;
    }
  if (!have_session_bus ())
    {
      g_printerr ("bench-studio: no session bus; run it under xvfb-run -a dbus-run-session --\n");
      return 77;
    }
  /* A studio killed while this reads its pipe must not kill the benchmark. */
  signal (SIGPIPE, SIG_IGN);

  example = read_example ();
  for (guint i = 0; i < STARTUP_RUNS; i++)
    {
      Studio *studio = studio_spawn (example);

      startup[i] = studio_wait_for (studio, "first-frame") / 1000.0;
      studio_free (studio);
    }
  g_print ("BENCH studio_startup_ms %.1f ms\n", median ("studio_startup_ms", startup, STARTUP_RUNS));

  large = large_flow_json (LARGE_NODES, LARGE_CONNECTIONS);
  check_flow (large);
  for (guint i = 0; i < LARGE_RUNS; i++)
    {
      Studio *studio = studio_spawn (large);

      open_large[i] = studio_wait_for (studio, "flow-shown") / 1000.0;
      settle ();
      rss[i] = studio_rss_kb (studio) / 1024.0;
      studio_free (studio);
    }
  g_print ("BENCH studio_rss_mb %.1f MB\n", median ("studio_rss_mb", rss, LARGE_RUNS));
  g_print ("BENCH studio_open_1000_nodes_ms %.1f ms\n", median ("studio_open_1000_nodes_ms", open_large, LARGE_RUNS));
  return 0;
}
