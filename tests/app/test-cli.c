/* test-cli.c: the real `deca` binary ($DECA_BIN), spawned with its output captured, on
 * databases in a temporary directory. Checks exit statuses, output shapes and that every
 * bad argument ends in exactly one "deca: ..." line and status 2, never a crash or a GLib
 * warning. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

typedef struct {
  char *dir;        /* a fresh temporary directory, also $XDG_DATA_HOME of the child */
  char *db;         /* DIR/test.db */
} Fixture;

static const char *
deca_bin (void)
{
  const char *bin = g_getenv ("DECA_BIN");

  g_assert_nonnull (bin);
  return bin;
}

static char *
example_path (const char *name)
{
  const char *source = g_getenv ("DECA_SOURCE_DIR");

  g_assert_nonnull (source);
  return g_build_filename (source, "data", "examples", name, NULL);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("deca-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "test.db", NULL);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_assert_cmpint (g_rmdir (path), ==, 0);
    }
  else
    g_assert_cmpint (g_remove (path), ==, 0);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->dir);
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

static GSubprocessLauncher *
launcher_new (Fixture *fixture)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);

  /* The default database lands in the fixture, and no credentials leak in. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fixture->dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DECA_CREDENTIALS");
  /* The flows talk to 127.0.0.1 only: no system proxy settings, and no libproxy, whose
   * C++ exceptions abort an ASan build that did not load libstdc++ at start. */
  g_subprocess_launcher_setenv (launcher, "GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  return launcher;
}

/* Checks what every run of deca must satisfy, whatever its status. */
static void
assert_no_glib_noise (const char *err)
{
  if (strstr (err, "CRITICAL") != NULL || strstr (err, "WARNING") != NULL ||
      strstr (err, "ERROR:") != NULL || strstr (err, "Sanitizer") != NULL)
    g_error ("deca printed a GLib or sanitizer diagnostic:\n%s", err);
}

/* Runs deca with the NULL-terminated @argv (without the program), captures stdout and
 * stderr, and returns the exit status. A death by signal fails the test. */
static int
run_deca_argv (Fixture            *fixture,
               const char * const *argv,
               char              **out,
               char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (fixture);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  g_ptr_array_add (args, (char *) deca_bin ());
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process))
    g_error ("deca died of signal %d; stderr:\n%s", g_subprocess_get_term_sig (process), stderr_text);
  assert_no_glib_noise (stderr_text);

  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_exit_status (process);
}

static int
run_deca (Fixture  *fixture,
          char    **out,
          char    **err,
          ...) G_GNUC_NULL_TERMINATED;

static int
run_deca (Fixture  *fixture,
          char    **out,
          char    **err,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;
  const char *arg;

  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return run_deca_argv (fixture, (const char * const *) argv->pdata, out, err);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  if (error != NULL)
    g_error ("not JSON (%s):\n%s", error->message, text);
  g_assert_nonnull (node);
  return node;
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n')
      n++;
  return n;
}

/* The members of @object at the dotted @path ("respond.body.order_id"). */
static JsonNode *
json_at (JsonNode   *root,
         const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = root;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      node = json_object_get_member (json_node_get_object (node), parts[i]);
      if (node == NULL)
        g_error ("no member %s (at %s)", parts[i], path);
    }
  return node;
}

static const char *
json_string_at (JsonNode   *root,
                const char *path)
{
  return json_node_get_string (json_at (root, path));
}

/* --- help and version -------------------------------------------------------------------- */

static void
test_help (Fixture       *fixture,
           gconstpointer  data)
{
  static const char * const commands[] = { "validate", "run", "resume", "approve", "reject",
                                           "executions", "node-types" };
  g_autofree char *out = NULL;
  g_autofree char *version = NULL;

  g_assert_cmpint (run_deca (fixture, &out, NULL, "--help", NULL), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_nonnull (strstr (out, commands[i]));
  g_assert_cmpint (run_deca (fixture, &version, NULL, "--version", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (version, "deca "));

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *help = NULL;

      g_assert_cmpint (run_deca (fixture, &help, NULL, commands[i], "--help", NULL), ==, 0);
      g_assert_nonnull (strstr (help, "Usage:"));
    }
}

/* --- validate ---------------------------------------------------------------------------- */

static const char * const examples[] = {
  "order-webhook.json", "loop-items.json", "approval.json", "branch-dead-path.json",
};

static void
test_validate_examples (Fixture       *fixture,
                        gconstpointer  data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      g_autofree char *path = example_path (examples[i]);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *expected = g_strdup_printf ("%s: valid\n", path);

      g_assert_cmpint (run_deca (fixture, &out, &err, "validate", path, NULL), ==, 0);
      g_assert_cmpstr (out, ==, expected);
      g_assert_cmpstr (err, ==, "");
    }
}

/* Several problems at once: bad JSON types, an unknown node type, a bad config, a
 * connection to a node that does not exist. */
static const char broken_flow[] =
  "{\"id\": \"broken\", \"name\": 5, \"nodes\": ["
  " {\"id\": \"a\", \"type\": \"no-such-type\"},"
  " {\"id\": \"b\", \"type\": \"transform\", \"config\": {\"bogus\": 1}},"
  " {\"id\": \"c\", \"type\": \"condition\", \"config\": {\"expression\": \"{{a.x >\"}}],"
  " \"connections\": [{\"from\": \"a\", \"to\": \"nowhere\"}]}";

static void
test_validate_broken (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "broken.json", broken_flow, -1);
  g_autofree char *clean = example_path ("loop-items.json");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *json_out = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s: /", path);
  JsonArray *array;
  guint n_problems = 0;

  g_assert_cmpint (run_deca (fixture, &out, &err, "validate", path, clean, NULL), ==, 1);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      if (g_str_has_prefix (lines[i], clean))
        {
          g_assert_true (g_str_has_suffix (lines[i], ": valid"));
          continue;
        }
      /* FILE: POINTER: MESSAGE, the pointer starting with "/" and a message after it. */
      g_assert_true (g_str_has_prefix (lines[i], prefix));
      g_assert_nonnull (strstr (lines[i] + strlen (path) + 2, ": "));
      g_assert_cmpuint (strlen (strstr (lines[i] + strlen (path) + 2, ": ")), >, 2);
      n_problems++;
    }
  g_assert_cmpuint (n_problems, >=, 4);
  g_assert_nonnull (strstr (out, "no-such-type"));
  g_assert_nonnull (strstr (out, "nowhere"));

  g_assert_cmpint (run_deca (fixture, &json_out, NULL, "validate", "--json", path, NULL), ==, 1);
  root = parse_json (json_out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, n_problems);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *problem = json_array_get_object_element (array, i);

      g_assert_cmpstr (json_object_get_string_member (problem, "file"), ==, path);
      g_assert_nonnull (json_object_get_string_member (problem, "pointer"));
      g_assert_cmpstr (json_object_get_string_member (problem, "message"), !=, "");
    }

  /* deca run refuses it before anything runs. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_deca (fixture, &out, &err, "run", path, "--db", fixture->db, NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "no-such-type"));
  g_assert_false (g_file_test (fixture->db, G_FILE_TEST_EXISTS));
}

/* --- run --------------------------------------------------------------------------------- */

static void
test_run_examples (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *order = example_path ("order-webhook.json");
  g_autofree char *order_input = example_path ("order-webhook.input.json");
  g_autofree char *input_arg = g_strconcat ("@", order_input, NULL);
  g_autofree char *loop = example_path ("loop-items.json");
  g_autofree char *branch = example_path ("branch-dead-path.json");
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (run_deca (fixture, &out, NULL, "run", order, "--input", input_arg, "--db", fixture->db, NULL), ==, 0);
  root = parse_json (out);
  g_assert_cmpstr (json_string_at (root, "respond.body.order_id"), ==, "A-1001");
  g_assert_cmpint (json_node_get_int (json_at (root, "respond.status")), ==, 202);
  g_assert_false (json_node_get_boolean (json_at (root, "respond.body.review")));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&root, json_node_unref);
  g_assert_cmpint (run_deca (fixture, &out, NULL, "run", loop, "--db", fixture->db, NULL), ==, 0);
  root = parse_json (out);
  g_assert_cmpint (json_node_get_int (json_at (root, "summary.count")), ==, 3);
  g_assert_cmpfloat_with_epsilon (json_node_get_double (json_at (root, "summary.total")), 19.85, 1e-9);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&root, json_node_unref);
  g_assert_cmpint (run_deca (fixture, &out, NULL, "run", branch, "--db", fixture->db,
                             "--input", "{\"priority\": \"urgent\"}", NULL), ==, 0);
  root = parse_json (out);
  g_assert_cmpstr (json_string_at (root, "record.route"), ==, "urgent");
}

static void
test_run_json (Fixture       *fixture,
               gconstpointer  data)
{
  static const char * const members[] = { "execution_id", "status", "output", "response", "error" };
  g_autofree char *order = example_path ("order-webhook.json");
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  g_assert_cmpint (run_deca (fixture, &out, NULL, "run", order, "--json", "--db", ":memory:", "--input",
                             "{\"order_id\": \"J-1\", \"customer\": {\"name\": \"J\", \"email\": \"J@X\"},"
                             " \"amount\": 7}", NULL), ==, 0);
  root = parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_true (json_object_has_member (object, members[i]));
  g_assert_cmpstr (json_string_at (root, "status"), ==, "succeeded");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_at (root, "error")));
  g_assert_cmpint (json_node_get_int (json_at (root, "response.status")), ==, 202);
  g_assert_cmpstr (json_string_at (root, "response.body.order_id"), ==, "J-1");
  g_assert_cmpstr (json_string_at (root, "output.respond.body.order_id"), ==, "J-1");
}

/* A failing execution: exit 1, error member with code, message and node. */
static void
test_run_failure (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *order = example_path ("order-webhook.json");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;

  /* Port 1 on loopback refuses at once; no retry delay matters with the http node's own
   * policy because the flow allows three attempts 0.5 s apart. */
  g_assert_cmpint (run_deca (fixture, &out, &err, "run", order, "--json", "--db", fixture->db, "--input",
                             "{\"order_id\": \"F-1\", \"customer\": {\"name\": \"F\", \"email\": \"f@x\"},"
                             " \"amount\": 500, \"callback_url\": \"http://127.0.0.1:1/notify\"}", NULL), ==, 1);
  root = parse_json (out);
  g_assert_cmpstr (json_string_at (root, "status"), ==, "failed");
  g_assert_cmpstr (json_string_at (root, "error.node"), ==, "notify");
  g_assert_cmpstr (json_string_at (root, "error.code"), !=, "");
  g_assert_nonnull (strstr (json_string_at (root, "error.message"), "127.0.0.1"));
}

/* --- approvals ----------------------------------------------------------------------------- */

/* Runs the approval example to its pause and returns (transfer full) the execution id. */
static char *
run_approval_to_pause (Fixture *fixture)
{
  g_autofree char *flow = example_path ("approval.json");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  g_assert_cmpint (run_deca (fixture, &out, &err, "run", flow, "--db", fixture->db, "--json", NULL), ==, 3);
  root = parse_json (out);
  g_assert_cmpstr (json_string_at (root, "status"), ==, "paused");
  id = json_string_at (root, "execution_id");
  expected = g_strdup_printf ("deca: execution %s is waiting for approval of manager-approval; "
                              "run: deca approve %s manager-approval", id, id);
  g_assert_nonnull (strstr (err, expected));
  return g_strdup (id);
}

static void
test_approve (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *id = run_approval_to_pause (fixture);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (run_deca (fixture, &out, NULL, "approve", id, "manager-approval", "--db", fixture->db,
                             "--by", "marie", "--comment", "fine", NULL), ==, 0);
  root = parse_json (out);
  g_assert_cmpstr (json_string_at (root, "issue-refund.status"), ==, "refunded");
  g_assert_cmpstr (json_string_at (root, "issue-refund.approved_by"), ==, "marie");
  g_assert_false (json_object_has_member (json_node_get_object (root), "record-rejection"));

  /* Deciding again is an error of one line, status 1. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_deca (fixture, &out, &err, "reject", id, "manager-approval", "--db", fixture->db, NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "deca: "));
  g_assert_cmpuint (count_lines (err), ==, 1);
}

static void
test_reject (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *id = run_approval_to_pause (fixture);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (run_deca (fixture, &out, NULL, "reject", id, "manager-approval", "--db", fixture->db,
                             "--comment", "too much", "--json", NULL), ==, 0);
  root = parse_json (out);
  g_assert_cmpstr (json_string_at (root, "status"), ==, "succeeded");
  g_assert_cmpstr (json_string_at (root, "output.record-rejection.status"), ==, "rejected");
  g_assert_cmpstr (json_string_at (root, "output.record-rejection.reason"), ==, "too much");
  g_assert_false (json_object_has_member (json_node_get_object (json_at (root, "output")), "issue-refund"));

  /* Unknown execution and unknown node: one line, status 1. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_deca (fixture, &out, &err, "approve", "no-such-execution", "x", "--db", fixture->db, NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "deca: "));
  g_assert_cmpuint (count_lines (err), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_deca (fixture, NULL, &err, "approve", id, "prepare", "--db", fixture->db, NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "deca: "));
  g_assert_cmpuint (count_lines (err), ==, 1);
}

/* --- executions and node types -------------------------------------------------------------- */

static void
test_executions (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *branch = example_path ("branch-dead-path.json");
  g_autofree char *out = NULL;
  g_autofree char *list = NULL;
  g_autofree char *table = NULL;
  g_autofree char *show = NULL;
  g_autofree char *show_table = NULL;
  g_autoptr(JsonNode) run = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(JsonNode) shown = NULL;
  JsonArray *results;
  JsonArray *events;
  const char *id;
  gboolean saw_skipped = FALSE;

  g_assert_cmpint (run_deca (fixture, &out, NULL, "run", branch, "--db", fixture->db, "--json", NULL), ==, 0);
  run = parse_json (out);
  id = json_string_at (run, "execution_id");

  g_assert_cmpint (run_deca (fixture, &list, NULL, "executions", "list", "--db", fixture->db, "--json", NULL), ==, 0);
  listed = parse_json (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (listed)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (listed), 0), "id"), ==, id);

  g_assert_cmpint (run_deca (fixture, &table, NULL, "executions", "list", "--db", fixture->db, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (table, "ID"));
  g_assert_nonnull (strstr (table, id));
  g_assert_nonnull (strstr (table, "succeeded"));
  g_assert_nonnull (strstr (table, "branch-dead-path"));

  g_assert_cmpint (run_deca (fixture, &show, NULL, "executions", "show", id, "--db", fixture->db,
                             "--json", "--events", NULL), ==, 0);
  shown = parse_json (show);
  g_assert_cmpstr (json_string_at (shown, "execution.status"), ==, "succeeded");
  results = json_node_get_array (json_at (shown, "node_results"));
  g_assert_cmpuint (json_array_get_length (results), ==, 6);
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      g_assert_true (json_object_has_member (result, "node_key"));
      g_assert_true (json_object_has_member (result, "attempts"));
      g_assert_true (json_object_has_member (result, "output"));
      if (g_str_equal (json_object_get_string_member (result, "node_key"), "page-oncall"))
        {
          g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "skipped");
          saw_skipped = TRUE;
        }
    }
  g_assert_true (saw_skipped);
  events = json_node_get_array (json_at (shown, "events"));
  g_assert_cmpuint (json_array_get_length (events), >, 6);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0), "type"), ==,
                   "execution.started");

  g_assert_cmpint (run_deca (fixture, &show_table, NULL, "executions", "show", id, "--db", fixture->db,
                             "--events", NULL), ==, 0);
  g_assert_nonnull (strstr (show_table, "queue-ticket"));
  g_assert_nonnull (strstr (show_table, "node.skipped"));

  /* An unknown id is one line and status 1. */
  {
    g_autofree char *err = NULL;

    g_assert_cmpint (run_deca (fixture, NULL, &err, "executions", "show", "nope", "--db", fixture->db, NULL), ==, 1);
    g_assert_true (g_str_has_prefix (err, "deca: "));
    g_assert_cmpuint (count_lines (err), ==, 1);
  }
}

/* Without --db the database is $XDG_DATA_HOME/deca-studio/deca.db, directory created. */
static void
test_default_db (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *loop = example_path ("loop-items.json");
  g_autofree char *db = g_build_filename (fixture->dir, "deca-studio", "deca.db", NULL);
  g_autofree char *list = NULL;

  g_assert_cmpint (run_deca (fixture, NULL, NULL, "run", loop, NULL), ==, 0);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (run_deca (fixture, &list, NULL, "executions", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (list, "loop-items"));
}

/* A data directory that cannot be made: the message is the server's sentence. */
static void
test_default_db_unusable (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *blocker = write_file (fixture, "deca-studio", "not a directory", -1);
  g_autofree char *err = NULL;
  g_autofree char *expected = g_strdup_printf ("deca: Cannot create the data directory %s: %s\n", blocker,
                                               g_strerror (ENOTDIR));

  g_assert_cmpint (run_deca (fixture, NULL, &err, "executions", "list", NULL), ==, 2);
  g_assert_cmpstr (err, ==, expected);
}

static void
test_node_types (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *table = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;
  gboolean found = FALSE;

  g_assert_cmpint (run_deca (fixture, &out, NULL, "node-types", "--json", NULL), ==, 0);
  root = parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *type = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (type, "name"), "http"))
        {
          JsonNode *schema = json_object_get_member (type, "config_schema");

          g_assert_nonnull (schema);
          g_assert_true (JSON_NODE_HOLDS_OBJECT (schema));
          g_assert_true (json_object_has_member (json_node_get_object (schema), "properties"));
          found = TRUE;
        }
    }
  g_assert_true (found);

  g_assert_cmpint (run_deca (fixture, &table, NULL, "node-types", NULL), ==, 0);
  g_assert_nonnull (strstr (table, "http"));
  g_assert_nonnull (strstr (table, "integration"));
}

/* --- credentials ------------------------------------------------------------------------------ */

/* Flows saved with `deca flows save` are what subflow nodes run. */
static void
test_flows (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *child = write_file (fixture, "child.json",
    "{\"id\": \"double\", \"name\": \"Double\", \"nodes\": [{\"id\": \"d\", \"type\": \"transform\","
    " \"config\": {\"set\": {\"v\": \"{{input.x * 2}}\"}}}]}", -1);
  g_autofree char *child2 = write_file (fixture, "child2.json",
    "{\"id\": \"double\", \"name\": \"Double\", \"nodes\": [{\"id\": \"d\", \"type\": \"transform\","
    " \"config\": {\"set\": {\"v\": \"{{input.x * 2}}\", \"again\": true}}}]}", -1);
  g_autofree char *broken = write_file (fixture, "broken.json", "{\"id\": \"b\", \"nodes\": [{\"id\": \"x\"}]}", -1);
  g_autofree char *parent = write_file (fixture, "parent.json",
    "{\"id\": \"parent\", \"name\": \"Parent\", \"nodes\": ["
    " {\"id\": \"call\", \"type\": \"subflow\", \"config\": {\"flow_id\": \"double\", \"version\": 1, \"input\": {\"x\": 21}}}]}", -1);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) result = NULL;

  g_assert_cmpint (run_deca (fixture, &out, &err, "flows", "save", child, "--db", fixture->db, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "double version 1"));
  g_clear_pointer (&out, g_free);
  /* The same content keeps its version; a change makes a new one. */
  g_assert_cmpint (run_deca (fixture, &out, NULL, "flows", "save", child, "--db", fixture->db, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "double version 1"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_deca (fixture, &out, NULL, "flows", "save", child2, "--db", fixture->db, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "double version 2"));
  g_clear_pointer (&out, g_free);
  /* An invalid flow is refused and not stored. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_deca (fixture, &out, &err, "flows", "save", broken, "--db", fixture->db, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "/nodes/0/type"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_deca (fixture, &out, NULL, "flows", "list", "--json", "--db", fixture->db, NULL), ==, 0);
  list = json_from_string (out, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_node_get_array (list), 0), "version"), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_deca (fixture, &out, NULL, "flows", "show", "double", "--version", "1", "--db", fixture->db, NULL), ==, 0);
  g_assert_null (strstr (out, "again"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_deca (fixture, &out, &err, "flows", "show", "nope", "--db", fixture->db, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "nope"));
  g_clear_pointer (&out, g_free);

  /* The parent runs version 1 of the stored child. */
  g_assert_cmpint (run_deca (fixture, &out, NULL, "run", parent, "--db", fixture->db, "--json", NULL), ==, 0);
  result = json_from_string (out, NULL);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_object_get_object_member (
                     json_object_get_object_member (json_node_get_object (result), "output"), "call"), "d"), "v"), ==, 42);
}

static void
test_credentials (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *flow = write_file (fixture, "creds.json",
                                      "{\"id\": \"creds\", \"name\": \"creds\", \"nodes\": [{\"id\": \"t\","
                                      " \"type\": \"transform\", \"config\": {\"set\": {\"has_key\":"
                                      " \"{{length(credentials.demo.api_key) > 0}}\"}}}]}", -1);
  g_autofree char *creds = write_file (fixture, "creds-file.json",
                                       "{\"demo\": {\"api_key\": \"s3cret-value\"}}", -1);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (run_deca (fixture, &out, NULL, "run", flow, "--db", fixture->db, "--credentials", creds, NULL), ==, 0);
  root = parse_json (out);
  g_assert_true (json_node_get_boolean (json_at (root, "t.has_key")));
  g_assert_null (strstr (out, "s3cret-value"));

  /* Without credentials the execution cannot start: status 1, one line. */
  g_assert_cmpint (run_deca (fixture, NULL, &err, "run", flow, "--db", fixture->db, NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "deca: "));
  g_assert_nonnull (strstr (err, "demo"));
}

/* --- bad arguments ------------------------------------------------------------------------------ */

/*
 * Every case must end with status 2, nothing on stdout and exactly one "deca: " line on
 * stderr; with a message, that line is "deca: MESSAGE" (a capitalised sentence, as the
 * server's). $FLOW, $DIR, $MISSING, $GARBAGE, $DB and $INPUT are replaced by paths of the
 * fixture, in the arguments and the message.
 */
typedef struct {
  const char *name;
  const char *argv[8];
  const char *message;
} BadArguments;

static const BadArguments bad_arguments[] = {
  { "no-command", { NULL } },
  { "unknown-command", { "frobnicate", NULL } },
  { "unknown-global-option", { "--frobnicate", NULL } },
  { "version-extra", { "--version", "extra", NULL } },
  { "validate-nothing", { "validate", NULL } },
  { "validate-missing", { "validate", "$MISSING", NULL } },
  { "validate-directory", { "validate", "$DIR", NULL }, "“$DIR” is a directory, not a file" },
  { "validate-garbage", { "validate", "$GARBAGE", NULL } },
  { "validate-unknown-option", { "validate", "--frobnicate", "$FLOW", NULL } },
  { "run-nothing", { "run", NULL } },
  { "run-missing", { "run", "$MISSING", "--db", "$DB", NULL } },
  { "run-directory", { "run", "$DIR", "--db", "$DB", NULL } },
  { "run-garbage", { "run", "$GARBAGE", "--db", "$DB", NULL } },
  { "run-extra-argument", { "run", "$FLOW", "extra", "--db", "$DB", NULL } },
  { "run-unknown-option", { "run", "$FLOW", "--frobnicate", NULL } },
  { "run-input-bad-json", { "run", "$FLOW", "--db", "$DB", "--input", "{\"a\": ", NULL } },
  { "run-input-not-object", { "run", "$FLOW", "--db", "$DB", "--input", "[1, 2]", NULL },
    "The input (--input) must be a JSON object, not an array" },
  { "run-input-null", { "run", "$FLOW", "--db", "$DB", "--input", "null", NULL },
    "The input (--input) must be a JSON object, not null" },
  { "run-input-number", { "run", "$FLOW", "--db", "$DB", "--input", "7", NULL },
    "The input (--input) must be a JSON object, not a single value" },
  { "run-input-file-directory", { "run", "$FLOW", "--db", "$DB", "--input", "@$DIR", NULL },
    "Cannot read the input (--input): “$DIR” is a directory, not a file" },
  { "run-input-missing-file", { "run", "$FLOW", "--db", "$DB", "--input", "@$MISSING", NULL } },
  { "run-input-file-bad-json", { "run", "$FLOW", "--db", "$DB", "--input", "@$INPUT", NULL } },
  { "run-input-garbage-file", { "run", "$FLOW", "--db", "$DB", "--input", "@$GARBAGE", NULL },
    "Cannot read the input (--input): “$GARBAGE” is not a text file: byte 0 is not valid UTF-8" },
  { "run-input-no-value", { "run", "$FLOW", "--db", "$DB", "--input", NULL } },
  { "run-db-directory", { "run", "$FLOW", "--db", "$DIR", NULL },
    "The --db path “$DIR” is a directory, not a database file" },
  { "run-db-empty", { "run", "$FLOW", "--db", "", NULL }, "The --db path is empty" },
  { "run-credentials-directory", { "run", "$FLOW", "--db", "$DB", "--credentials", "$DIR", NULL },
    "The credentials file “$DIR” (--credentials) is a directory, not a file" },
  { "run-db-unreachable", { "run", "$FLOW", "--db", "$MISSING/sub/deca.db", NULL } },
  { "run-db-garbage", { "run", "$FLOW", "--db", "$GARBAGE", NULL } },
  { "run-credentials-missing", { "run", "$FLOW", "--db", "$DB", "--credentials", "$MISSING", NULL } },
  { "run-credentials-garbage", { "run", "$FLOW", "--db", "$DB", "--credentials", "$GARBAGE", NULL } },
  { "resume-extra", { "resume", "a", "b", "--db", "$DB", NULL } },
  { "resume-db-garbage", { "resume", "--db", "$GARBAGE", NULL } },
  { "approve-nothing", { "approve", NULL } },
  { "approve-no-node", { "approve", "some-id", "--db", "$DB", NULL } },
  { "reject-extra", { "reject", "a", "b", "c", "--db", "$DB", NULL } },
  { "approve-unknown-option", { "approve", "a", "b", "--frobnicate", NULL } },
  { "executions-nothing", { "executions", NULL } },
  { "executions-unknown", { "executions", "frobnicate", NULL } },
  { "executions-list-extra", { "executions", "list", "extra", "--db", "$DB", NULL } },
  { "executions-list-bad-limit", { "executions", "list", "--limit", "many", "--db", "$DB", NULL } },
  { "executions-list-negative-limit", { "executions", "list", "--limit", "-3", "--db", "$DB", NULL } },
  { "executions-list-bad-status", { "executions", "list", "--status", "sleepy", "--db", "$DB", NULL } },
  { "executions-list-db-directory", { "executions", "list", "--db", "$DIR", NULL } },
  { "executions-show-nothing", { "executions", "show", "--db", "$DB", NULL } },
  { "executions-show-extra", { "executions", "show", "a", "b", "--db", "$DB", NULL } },
  { "flows-nothing", { "flows", NULL } },
  { "flows-unknown", { "flows", "frobnicate", NULL } },
  { "flows-save-nothing", { "flows", "save", "--db", "$DB", NULL } },
  { "flows-save-missing", { "flows", "save", "$MISSING", "--db", "$DB", NULL } },
  { "flows-save-db-garbage", { "flows", "save", "$FLOW", "--db", "$GARBAGE", NULL } },
  { "flows-list-extra", { "flows", "list", "extra", "--db", "$DB", NULL } },
  { "flows-show-nothing", { "flows", "show", "--db", "$DB", NULL } },
  { "flows-show-bad-version", { "flows", "show", "x", "--version", "-2", "--db", "$DB", NULL } },
  { "node-types-extra", { "node-types", "extra", NULL } },
  { "node-types-unknown-option", { "node-types", "--frobnicate", NULL } },
};

static char *
expand (const char *arg,
        GHashTable *paths)
{
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  char *result = g_strdup (arg);

  g_hash_table_iter_init (&iter, paths);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      char *position = strstr (result, key);

      if (position != NULL)
        {
          g_autofree char *old = result;

          *position = '\0';
          result = g_strconcat (old, (char *) value, position + strlen (key), NULL);
        }
    }
  return result;
}

static void
test_bad_arguments (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char garbage[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe\x00\x01 not a flow";
  g_autoptr(GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (paths, "$FLOW", example_path ("loop-items.json"));
  g_hash_table_insert (paths, "$DIR", g_strdup (fixture->dir));
  g_hash_table_insert (paths, "$MISSING", g_build_filename (fixture->dir, "missing.json", NULL));
  g_hash_table_insert (paths, "$GARBAGE", write_file (fixture, "garbage.bin", garbage, sizeof garbage));
  g_hash_table_insert (paths, "$INPUT", write_file (fixture, "input.json", "{\"items\": [1, 2,]}", -1));
  g_hash_table_insert (paths, "$DB", g_strdup (fixture->db));

  for (gsize i = 0; i < G_N_ELEMENTS (bad_arguments); i++)
    {
      const BadArguments *bad = &bad_arguments[i];
      g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status;

      for (guint a = 0; bad->argv[a] != NULL; a++)
        g_ptr_array_add (argv, expand (bad->argv[a], paths));
      g_ptr_array_add (argv, NULL);

      status = run_deca_argv (fixture, (const char * const *) argv->pdata, &out, &err);
      g_test_message ("%s: status %d, stderr: %s", bad->name, status, err);
      if (status != 2 || count_lines (err) != 1 || !g_str_has_prefix (err, "deca: ") || *out != '\0')
        g_error ("case %s: expected status 2, one 'deca:' line and no output; got status %d,\n"
                 "stdout: %s\nstderr: %s", bad->name, status, out, err);
      if (bad->message != NULL)
        {
          g_autofree char *message = expand (bad->message, paths);
          g_autofree char *line = g_strconcat ("deca: ", message, "\n", NULL);

          g_assert_cmpstr (err, ==, line);
        }
    }
}

/* --- interruption ---------------------------------------------------------------------------- */

typedef struct {
  GMainLoop *loop;
  GDataInputStream *stderr_lines;
  GString *seen;
  gboolean started;
  const char *needle;
} WaitForLine;

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  WaitForLine *wait = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);

  if (line == NULL)
    {
      g_main_loop_quit (wait->loop);
      return;
    }
  g_string_append_printf (wait->seen, "%s\n", line);
  if (strstr (line, wait->needle) != NULL)
    {
      wait->started = TRUE;
      g_main_loop_quit (wait->loop);
      return;
    }
  g_data_input_stream_read_line_async (wait->stderr_lines, G_PRIORITY_DEFAULT, NULL, read_line_cb, wait);
}

/* SIGINT while a node runs: the execution is cancelled and saved as such, status 130. */
static void
test_interrupt (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *flow = write_file (fixture, "slow.json",
                                      "{\"id\": \"slow\", \"name\": \"slow\", \"nodes\": ["
                                      " {\"id\": \"first\", \"type\": \"transform\", \"config\": {\"set\": {\"a\": 1}}},"
                                      " {\"id\": \"nap\", \"type\": \"wait\", \"config\": {\"duration\": 600}}],"
                                      " \"connections\": [{\"from\": \"first\", \"to\": \"nap\"}]}", -1);
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (fixture);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *list = NULL;
  WaitForLine wait = { loop, NULL, seen, FALSE, "first" };

  process = g_subprocess_launcher_spawn (launcher, &error, deca_bin (), "run", flow, "--db", fixture->db,
                                         "--progress", NULL);
  g_assert_no_error (error);
  wait.stderr_lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  g_data_input_stream_read_line_async (wait.stderr_lines, G_PRIORITY_DEFAULT, NULL, read_line_cb, &wait);
  g_main_loop_run (loop);
  g_assert_true (wait.started);

  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  rest = g_data_input_stream_read_upto (wait.stderr_lines, "", 0, NULL, NULL, NULL);
  g_object_unref (wait.stderr_lines);
  if (rest != NULL)
    g_string_append (seen, rest);
  assert_no_glib_noise (seen->str);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);

  g_assert_cmpint (run_deca (fixture, &list, NULL, "executions", "list", "--db", fixture->db, "--json", NULL), ==, 0);
  listed = parse_json (list);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (listed), 0),
                                                  "status"), ==, "cancelled");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/app/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("help", test_help);
  ADD ("validate/examples", test_validate_examples);
  ADD ("validate/broken", test_validate_broken);
  ADD ("run/examples", test_run_examples);
  ADD ("run/json", test_run_json);
  ADD ("run/failure", test_run_failure);
  ADD ("run/credentials", test_credentials);
  ADD ("run/default-db", test_default_db);
  ADD ("run/default-db-unusable", test_default_db_unusable);
  ADD ("run/interrupt", test_interrupt);
  ADD ("approval/approve", test_approve);
  ADD ("approval/reject", test_reject);
  ADD ("executions", test_executions);
  ADD ("node-types", test_node_types);
  ADD ("flows", test_flows);
  ADD ("bad-arguments", test_bad_arguments);

#undef ADD

  return g_test_run ();
}
