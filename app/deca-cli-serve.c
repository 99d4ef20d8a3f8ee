/* deca-cli-serve.c: `deca serve`, the cloud API (docs/server.md): listens until SIGINT or
 * SIGTERM, then stops cleanly. */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <glib-unix.h>

#include <deca-server.h>
#include <deca-api.h>
#include <deca-authenticator.h>
#include <deca-retention.h>
#include <deca-secret-box.h>
#include <deca-store-credentials.h>

#include "deca-cli.h"
#include "deca-cli-serve-access.h"

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

/* Loads the secret keys from @key_file, else from $DECA_SECRET_KEY, else none (the
 * credentials routes then refuse to store secrets). Returns (transfer full) the box, or
 * NULL with @error (DECA_SERVER_ERROR_CONFIG) for a file or variable that is not usable. */
static DecaSecretBox *
load_secret_box (const char  *key_file,
                 GError     **error)
{
  g_autoptr(DecaSecretBox) box = deca_secret_box_new ();

  if (key_file != NULL)
    {
      if (!deca_secret_box_load_key_file (box, key_file, error))
        return NULL;
    }
  else if (g_getenv (DECA_SECRET_BOX_ENVIRONMENT) != NULL)
    {
      if (!deca_secret_box_load_environment (box, error))
        return NULL;
    }
  return g_steal_pointer (&box);
}

/* `deca serve --rotate-key`: re-encrypts every credential of the data directory's
 * database under the current (last) key of @box, prints how many, and returns the exit
 * status. A credential that no key decrypts fails it, and nothing is changed. */
static int
rotate_key (const char    *data_dir,
            DecaSecretBox *box)
{
  g_autofree char *db_path = deca_server_database_path (data_dir);
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  if (deca_secret_box_get_n_keys (box) == 0)
    {
      deca_cli_error (_("serve: --rotate-key needs the keys: --secret-key-file FILE or $DECA_SECRET_KEY"));
      return DECA_CLI_EXIT_USAGE;
    }
  /* Rotation changes an existing database; it never makes one. */
  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      /* Translators: %s is a directory. */
      deca_cli_error (_("serve: there is no database in '%s' (deca.db) to rotate the key of"), data_dir);
      return DECA_CLI_EXIT_USAGE;
    }
  store = deca_store_open (db_path, &error);
  if (store == NULL)
    {
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  if (!deca_store_credentials_rotate (store, box, &count, &error))
    {
      /* Translators: %s says which credential did not decrypt, or what failed. */
      deca_cli_error (_("serve: key rotation failed, nothing was changed: %s"), error->message);
      return DECA_CLI_EXIT_FAILED;
    }
  /* Translators: %u is a number of credentials, %s the id of a key. */
  printf (ngettext ("Re-encrypted %u credential under key '%s'\n",
                    "Re-encrypted %u credentials under key '%s'\n", count),
          count, deca_secret_box_get_current_key_id (box));
  fflush (stdout);
  return DECA_CLI_EXIT_OK;
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
  g_auto(DecaCliAccessOptions) access = { 0 };
  g_autofree char *secret_key_file = NULL;
  gboolean rotate = FALSE;
  int keep_executions_days = 0;
  int keep_executions = 0;
  int keep_audit_days = 0;
  int keep_events_days = DECA_RETENTION_DEFAULT_KEEP_EVENTS_DAYS;
  g_autofree char *webhook_rate_limit = NULL;
  g_autoptr(DecaRateLimiter) webhook_limiter = NULL;
  const GOptionEntry entries[] = {
    /* Translators: ADDR:PORT is a placeholder; keep the default as it is. */
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_("Where to listen: 127.0.0.1:8080 (the default), [::1]:8080, 0.0.0.0:8080; port 0 picks a free one"),
      N_("ADDR:PORT") },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("The data directory (default: $XDG_DATA_HOME/deca-server)"), N_("DIR") },
    DECA_CLI_ACCESS_OPTION_ENTRIES (access),
    { "max-body", 0, 0, G_OPTION_ARG_STRING, &max_body,
      N_("The largest request body accepted, in bytes (default: 1048576)"), N_("BYTES") },
    { "read-timeout", 0, 0, G_OPTION_ARG_INT, &read_timeout,
      N_("Drop a connection that sends nothing for this long, in seconds (default: 30)"), N_("SECONDS") },
    /* Translators: keep debug, info, warning and error as they are. */
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &log_level,
      N_("The least level logged: debug, info (the default), warning or error"), N_("LEVEL") },
    { "secret-key-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_key_file,
      N_("The keys that encrypt credential secrets (default: $DECA_SECRET_KEY); the last one is current"), N_("FILE") },
    { "rotate-key", 0, 0, G_OPTION_ARG_NONE, &rotate,
      N_("Re-encrypt every credential under the current key, print how many, and exit"), NULL },
    { "keep-executions-days", 0, 0, G_OPTION_ARG_INT, &keep_executions_days,
      N_("Delete finished executions older than this many days (default: 0, kept)"), N_("DAYS") },
    { "keep-executions", 0, 0, G_OPTION_ARG_INT, &keep_executions,
      N_("Keep only this many finished executions per workspace, the newest (default: 0, all)"), N_("N") },
    { "keep-audit-days", 0, 0, G_OPTION_ARG_INT, &keep_audit_days,
      N_("Delete audit log lines older than this many days (default: 0, kept)"), N_("DAYS") },
    { "keep-events-days", 0, 0, G_OPTION_ARG_INT, &keep_events_days,
      N_("Delete published events (kept for replay) older than this many days (default: 30; 0 keeps them)"),
      N_("DAYS") },
    { "webhook-rate-limit", 0, 0, G_OPTION_ARG_STRING, &webhook_rate_limit,
      N_("Calls per second per webhook (workspace and path), with bursts up to BURST (default: off)"), N_("RATE[/BURST]") },
    { NULL }
  };
  DecaServerOptions options = { 0 };
  g_autoptr(DecaServer) server = NULL;
  DecaApiOptions api_options = { 0 };
  g_autoptr(DecaApi) api = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GObject) authenticator = NULL;
  int status;
  g_autoptr(DecaSecretBox) box = NULL;
  g_autoptr(DecaRetention) retention = NULL;
  DecaRetentionPolicy retention_policy = { 0 };
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

  /* Token keys and the rate limit are checked before anything is made on disk. */
  status = deca_cli_access_prepare (&access, &authenticator);
  if (status != DECA_CLI_EXIT_OK)
    return status;

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
  if (keep_executions_days < 0 || keep_executions < 0 || keep_audit_days < 0 || keep_events_days < 0)
    {
      deca_cli_error (_("serve: --keep-executions-days, --keep-executions, --keep-audit-days and --keep-events-days want a number of at least 0"));
      return DECA_CLI_EXIT_USAGE;
    }
  /* Off by default: a webhook is called by other services at their own pace (a payment
   * provider's burst of events after an outage), and --rate-limit, which is per API key,
   * does not apply to it. */
  if (webhook_rate_limit != NULL && !g_str_equal (webhook_rate_limit, "off"))
    {
      gdouble rate;
      guint burst;

      if (!deca_cli_parse_rate_limit (webhook_rate_limit, &rate, &burst))
        {
          /* Translators: %s is the value given to --webhook-rate-limit; keep RATE/BURST and off. */
          deca_cli_error (_("serve: --webhook-rate-limit wants RATE[/BURST] (20, 5/10, 0.5/1) or off, not '%s'"),
                          webhook_rate_limit);
          return DECA_CLI_EXIT_USAGE;
        }
      webhook_limiter = deca_rate_limiter_new (rate, burst, NULL);
    }
  retention_policy.keep_executions_days = (guint) keep_executions_days;
  retention_policy.keep_executions = (guint) keep_executions;
  retention_policy.keep_audit_days = (guint) keep_audit_days;
  retention_policy.keep_events_days = (guint) keep_events_days;
  box = load_secret_box (secret_key_file, &error);
  if (box == NULL)
    {
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  if (data_dir == NULL)
    data_dir = deca_server_default_data_dir ();
  if (rotate)
    return rotate_key (data_dir, box);
  /* Checked before the data directory is made: a typo should not leave a database. */
  if (listen != NULL && !(address = deca_server_parse_address (listen, &error)))
    {
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  options.data_dir = data_dir;

  server = deca_server_new (&options, &error);
  if (server == NULL)
    {
      /* Translators: %s says why the server could not start. */
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  if (access.init)
    return deca_cli_access_init (server, &access);
  deca_authenticator_install (DECA_AUTHENTICATOR (authenticator), server);
  api_options.secret_box = box;
  api_options.webhook_rate_limiter = webhook_limiter;
  api = deca_api_register_all (server, &api_options, &error);
  if (api == NULL)
    {
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_FAILED;
    }
  /* The executions a previous run left running go on (docs/execution.md, "Durability");
   * they run once the main loop does. */
  resumed = deca_api_flows_resume_interrupted (deca_api_get_flows (api), &error);
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

  if (deca_secret_box_get_n_keys (box) == 0)
    deca_log_writef (deca_server_get_log (server), DECA_LOG_WARNING, NULL,
                     "no secret key (--secret-key-file or $DECA_SECRET_KEY): credentials cannot be stored");
  /* Applied once before the server says it is ready, then every hour on this main loop. */
  retention = deca_retention_new (deca_server_get_store (server), &retention_policy, NULL,
                                  deca_server_get_log (server));
  deca_retention_start (retention);

  /* The handlers are in place before the line that says the server is ready: a script
   * that stops it as soon as it reads the line must get a clean stop. */
  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, stop_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, stop_cb, loop);

  uri = deca_server_get_uri (server);
  /* Not translated: scripts and the tests read the port from this line. */
  printf ("Listening on %s\n", uri);
  fflush (stdout);

  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  deca_log_writef (deca_server_get_log (server), DECA_LOG_INFO, NULL, "stopping");
  deca_retention_stop (retention);
  deca_api_stop (api);
  /* Open event streams end with server.stopping and a complete answer before the
   * connections close, so their clients reconnect rather than see a cut. */
  deca_server_shutdown (server, DECA_SERVER_DEFAULT_SHUTDOWN_TIMEOUT_US);
  return DECA_CLI_EXIT_OK;
}
