/* deca-cli-serve.c: `deca serve`, the cloud API (docs/server.md): listens until SIGINT or
 * SIGTERM, then stops cleanly. */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <glib-unix.h>

#include <deca-server.h>
#include <deca-api-flows.h>

#include "deca-cli.h"

static gboolean
stop_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* Parses a size in bytes: digits only, at least 1. */
static gboolean
parse_size (const char *text,
            gsize      *value)
{
  guint64 parsed;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXSIZE, &parsed, NULL))
    return FALSE;
  *value = (gsize) parsed;
  return TRUE;
}

int
deca_cli_serve (int    argc,
                char **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *max_body = NULL;
  g_autofree char *log_level = NULL;
  int read_timeout = DECA_SERVER_DEFAULT_READ_TIMEOUT;
  const GOptionEntry entries[] = {
    /* Translators: ADDR:PORT is a placeholder; keep the default as it is. */
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_("Where to listen: 127.0.0.1:8080 (the default), [::1]:8080, 0.0.0.0:8080; port 0 picks a free one"),
      N_("ADDR:PORT") },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("The data directory (default: $XDG_DATA_HOME/deca-server)"), N_("DIR") },
    { "max-body", 0, 0, G_OPTION_ARG_STRING, &max_body,
      N_("The largest request body accepted, in bytes (default: 1048576)"), N_("BYTES") },
    { "read-timeout", 0, 0, G_OPTION_ARG_INT, &read_timeout,
      N_("Drop a connection that sends nothing for this long, in seconds (default: 30)"), N_("SECONDS") },
    /* Translators: keep debug, info, warning and error as they are. */
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &log_level,
      N_("The least level logged: debug, info (the default), warning or error"), N_("LEVEL") },
    { NULL }
  };
  DecaServerOptions options = { 0 };
  g_autoptr(DecaServer) server = NULL;
  g_autoptr(DecaApiFlows) api_flows = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  guint sigint_id, sigterm_id;
  int resumed;

  if (!deca_cli_parse_options ("serve", "",
                               N_("Runs the cloud API server (HTTP API, /health, /metrics) until SIGINT or\n"
                                  "SIGTERM. Logs are JSON lines on stderr; the first line on stdout says\n"
                                  "where it listens.\n"
                                  "Exit status: 0 after a clean stop, 1 when it cannot listen, 2 for bad\n"
                                  "options or an unusable data directory."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (argc > 1)
    {
      /* Translators: %s is an argument the command does not take. */
      deca_cli_error (_("serve: unexpected argument '%s'; run 'deca serve --help'"), argv[1]);
      return DECA_CLI_EXIT_USAGE;
    }

  options.max_body_size = DECA_SERVER_DEFAULT_MAX_BODY;
  if (max_body != NULL && !parse_size (max_body, &options.max_body_size))
    {
      /* Translators: %s is the value given to --max-body. */
      deca_cli_error (_("serve: --max-body wants a number of bytes of at least 1, not '%s'"), max_body);
      return DECA_CLI_EXIT_USAGE;
    }
  if (read_timeout < 1)
    {
      deca_cli_error (_("serve: --read-timeout wants a number of seconds of at least 1, not %d"), read_timeout);
      return DECA_CLI_EXIT_USAGE;
    }
  options.read_timeout_s = (guint) read_timeout;
  options.log_level = DECA_LOG_INFO;
  if (log_level != NULL && !deca_log_level_from_string (log_level, &options.log_level))
    {
      /* Translators: %s is the value given to --log-level; keep the level names. */
      deca_cli_error (_("serve: --log-level wants debug, info, warning or error, not '%s'"), log_level);
      return DECA_CLI_EXIT_USAGE;
    }
  /* Checked before the data directory is made: a typo should not leave a database. */
  if (listen != NULL && !(address = deca_server_parse_address (listen, &error)))
    {
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  if (data_dir == NULL)
    data_dir = g_build_filename (g_get_user_data_dir (), "deca-server", NULL);
  options.data_dir = data_dir;

  server = deca_server_new (&options, &error);
  if (server == NULL)
    {
      /* Translators: %s says why the server could not start. */
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  api_flows = deca_api_flows_register (server, NULL, &error);
  if (api_flows == NULL)
    {
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_FAILED;
    }
  /* The executions a previous run left running go on (docs/execution.md, "Durability");
   * they run once the main loop does. */
  resumed = deca_api_flows_resume_interrupted (api_flows, &error);
  if (resumed < 0)
    {
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_FAILED;
    }
  if (resumed > 0)
    deca_log_writef (deca_server_get_log (server), DECA_LOG_INFO, NULL, "resumed %d interrupted executions", resumed);

  if (!deca_server_listen (server, listen != NULL ? listen : "127.0.0.1:8080", &error))
    {
      deca_cli_error (_("serve: %s"), error->message);
      return g_error_matches (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG)
             ? DECA_CLI_EXIT_USAGE : DECA_CLI_EXIT_FAILED;
    }

  uri = deca_server_get_uri (server);
  /* Not translated: scripts and the tests read the port from this line. */
  printf ("Listening on %s\n", uri);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, stop_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, stop_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  deca_log_writef (deca_server_get_log (server), DECA_LOG_INFO, NULL, "stopping");
  deca_server_stop (server);
  return DECA_CLI_EXIT_OK;
}
