/* test-serve.c: the real `deca serve` ($DECA_BIN) on a loopback port with a temporary
 * data directory: the "Listening on" line, GET /health and /metrics over HTTP, a slow
 * client dropped after the read timeout, JSON log lines on stderr, a clean stop on
 * SIGTERM and SIGINT (status 0), and bad arguments (one "deca: ..." line, status 2). */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "deca-openapi.h"
#include "deca-test-fs.h"

typedef struct {
  char *dir;
  GSubprocess *process;
  char *uri;
  char *stderr_path;
} Fixture;

static const char *
deca_bin (void)
{
  const char *bin = g_getenv ("DECA_BIN");

  g_assert_nonnull (bin);
  return bin;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("deca-test-serve-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->stderr_path = g_build_filename (fixture->dir, "stderr.log", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->process != NULL)
    {
      /* A test that failed half-way leaves its server running. */
      g_subprocess_force_exit (fixture->process);
      g_subprocess_wait (fixture->process, NULL, NULL);
      g_clear_object (&fixture->process);
    }
  deca_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->uri);
  g_free (fixture->stderr_path);
}

/* Starts `deca serve ARGS...` (NULL-terminated) and reads its first line. */
static void
start_server (Fixture     *fixture,
              const char  *xdg_data_home,
              ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) deca_bin ());
  g_ptr_array_add (argv, "serve");
  va_start (args, xdg_data_home);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", xdg_data_home, TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, fixture->stderr_path);
  fixture->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->process));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));
  fixture->uri = g_strdup (line + strlen ("Listening on "));
}

static GBytes *
get (Fixture    *fixture,
     const char *path,
     guint      *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (fixture->uri, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  bytes = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  deca_openapi_assert_message (message, bytes);
  *status = soup_message_get_status (message);
  return bytes;
}

/* Stops the server with @signum and checks it exits 0. */
static void
stop_server (Fixture *fixture,
             int      signum)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (fixture->process, signum);
  g_subprocess_wait (fixture->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (fixture->process));
  g_assert_cmpint (g_subprocess_get_exit_status (fixture->process), ==, 0);
  g_clear_object (&fixture->process);
}

/* Every line the server wrote on stderr is a JSON object with time, level and message. */
static guint
check_log_lines (Fixture *fixture)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  g_file_get_contents (fixture->stderr_path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      if (lines[i][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_nonnull (object);
      g_assert_true (json_object_has_member (object, "time"));
      g_assert_true (json_object_has_member (object, "level"));
      g_assert_true (json_object_has_member (object, "message"));
      count++;
    }
  return count;
}

static void
test_serve (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *data_dir = g_build_filename (fixture->dir, "data", NULL);
  g_autofree char *db = g_build_filename (data_dir, "deca.db", NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) slow = NULL;
  g_autoptr(GUri) uri = NULL;
  JsonObject *health;
  const char *text;
  char buffer[64];
  gssize n;
  guint status;

  start_server (fixture, fixture->dir, "--listen", "127.0.0.1:0", "--data-dir", data_dir,
                "--read-timeout", "1", NULL);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));

  bytes = get (fixture, "/health", &status);
  g_assert_cmpuint (status, ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  health = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (health, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (health, "dependencies"), "store"),
                   ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (health, "version"), ==, PACKAGE_VERSION);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* /health was answered, recorded, then the connection (another session) asked again. */
  bytes = get (fixture, "/metrics", &status);
  g_assert_cmpuint (status, ==, 200);
  text = g_bytes_get_data (bytes, NULL);
  g_assert_nonnull (strstr (text, "# TYPE http_requests_total counter\n"));
  g_assert_nonnull (strstr (text, "\nhttp_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 1\n"));
  g_assert_nonnull (strstr (text, "\nhttp_request_duration_seconds_count{method=\"GET\",route=\"/health\"} 1\n"));

  /* A client that sends half a request and waits is dropped after the read timeout: the
   * read below ends with EOF (the test's own guard, 20 s, would be an error). */
  uri = g_uri_parse (fixture->uri, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  slow = g_socket_client_connect_to_host (client, "127.0.0.1", g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (slow), 20);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (slow)), "GET /health HTTP/1.1\r\n", 22,
                             NULL, NULL, &error);
  g_assert_no_error (error);
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (slow)), buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);

  stop_server (fixture, SIGTERM);
  /* listening, two requests, the dropped connection, stopping. */
  g_assert_cmpuint (check_log_lines (fixture), >=, 5);
}

static void
test_default_data_dir (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *db = g_build_filename (fixture->dir, "deca-server", "deca.db", NULL);
  g_autoptr(GBytes) bytes = NULL;
  guint status;

  start_server (fixture, fixture->dir, "--listen", "127.0.0.1:0", NULL);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  bytes = get (fixture, "/health", &status);
  g_assert_cmpuint (status, ==, 200);
  stop_server (fixture, SIGINT);
}

static void
test_address_in_use (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *data_dir = g_build_filename (fixture->dir, "data2", NULL);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *err = NULL;

  start_server (fixture, fixture->dir, "--listen", "127.0.0.1:0", NULL);
  uri = g_uri_parse (fixture->uri, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  address = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uri));
  second = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             deca_bin (), "serve", "--listen", address, "--data-dir", data_dir, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (second, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (second), ==, 1);
  g_assert_true (g_str_has_prefix (err, "deca: serve: "));
  stop_server (fixture, SIGTERM);
}

static void
test_bad_arguments (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *cases[][3] = {
    { "--listen", "nonsense", NULL },
    { "--listen", "127.0.0.1:99999", NULL },
    { "--max-body", "0", NULL },
    { "--max-body", "12x", NULL },
    { "--read-timeout", "0", NULL },
    { "--log-level", "loud", NULL },
    { "--no-such-option", NULL, NULL },
    { "extra", NULL, NULL },
  };
  g_autofree char *data_dir = g_build_filename (fixture->dir, "data", NULL);
  g_autofree char *db = g_build_filename (data_dir, "deca.db", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                          G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char *argv[8] = { deca_bin (), "serve", "--data-dir", data_dir, cases[i][0], cases[i][1], NULL };

      g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
      process = g_subprocess_launcher_spawnv (launcher, argv, &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      g_test_message ("%s %s: %s", cases[i][0], cases[i][1] != NULL ? cases[i][1] : "", err);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
      g_assert_cmpstr (out, ==, "");
      /* Exactly one line, "deca: ...". */
      g_assert_true (g_str_has_prefix (err, "deca: "));
      g_assert_true (g_str_has_suffix (err, "\n"));
      g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
      /* Nothing was made for a command that did not start. */
      g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/deca/serve/health-metrics-timeout-sigterm", Fixture, NULL, fixture_setup, test_serve, fixture_teardown);
  g_test_add ("/deca/serve/default-data-dir", Fixture, NULL, fixture_setup, test_default_data_dir, fixture_teardown);
  g_test_add ("/deca/serve/address-in-use", Fixture, NULL, fixture_setup, test_address_in_use, fixture_teardown);
  g_test_add ("/deca/serve/bad-arguments", Fixture, NULL, fixture_setup, test_bad_arguments, fixture_teardown);
  return g_test_run ();
}
