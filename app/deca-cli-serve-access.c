/* deca-cli-serve-access.c: `deca serve`'s access options and --init (deca-cli-serve-access.h). */

#include "config.h"

#include "deca-cli-serve-access.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <deca-api-key.h>
#include <deca-authenticator.h>
#include <deca-store-server.h>

#include "deca-cli.h"

#define DEFAULT_RATE 20.0
#define DEFAULT_BURST 40
#define DEFAULT_WORKSPACE "default"

void
deca_cli_access_options_clear (DecaCliAccessOptions *options)
{
  g_clear_pointer (&options->jwt_secret_file, g_free);
  g_clear_pointer (&options->jwks_file, g_free);
  g_clear_pointer (&options->issuer, g_free);
  g_clear_pointer (&options->audience, g_free);
  g_clear_pointer (&options->rate_limit, g_free);
  g_clear_pointer (&options->workspace, g_free);
}

/* "RATE[/BURST]": RATE a positive number of requests a second, BURST a whole number of at
 * least 1 (default: twice the rate, rounded up). */
gboolean
deca_cli_parse_rate_limit (const char *text,
                           gdouble    *out_rate,
                           guint      *out_burst)
{
  g_auto(GStrv) parts = g_strsplit (text, "/", 2);
  char *end = NULL;
  gdouble rate;
  guint64 burst;

  /* g_strsplit() gives no parts at all for "". */
  if (parts[0] == NULL || parts[0][0] == '\0')
    return FALSE;
  rate = g_ascii_strtod (parts[0], &end);
  if (end == NULL || *end != '\0' || !isfinite (rate) || rate <= 0 || rate > 1e6)
    return FALSE;
  if (parts[1] != NULL)
    {
      if (!g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXINT, &burst, NULL))
        return FALSE;
    }
  else
    burst = (guint64) MAX (1.0, ceil (rate * 2));
  *out_rate = rate;
  *out_burst = (guint) burst;
  return TRUE;
}

/* The secret of --jwt-secret-file: the file's bytes without one trailing newline (so
 * that `echo` and editors do not change it). */
static gboolean
load_jwt_secret (DecaJwtVerifier  *verifier,
                 const char       *path,
                 GError          **error)
{
  g_autofree char *contents = NULL;
  gsize length;
  gboolean ok;

  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  if (length > 0 && contents[length - 1] == '\n')
    length--;
  if (length > 0 && contents[length - 1] == '\r')
    length--;
  ok = deca_jwt_verifier_set_hs256_secret (verifier, (const guint8 *) contents, length, error);
  memset (contents, 0, length);
  return ok;
}

int
deca_cli_access_prepare (DecaCliAccessOptions  *options,
                         GObject              **out_authenticator)
{
  g_autoptr(DecaAuthenticator) authenticator = deca_authenticator_new ();
  g_autoptr(DecaJwtVerifier) verifier = deca_jwt_verifier_new ();
  g_autoptr(GError) error = NULL;
  gdouble rate = DEFAULT_RATE;
  guint burst = DEFAULT_BURST;

  if (options->workspace != NULL && !options->init)
    {
      deca_cli_error (_("serve: --workspace goes with --init"));
      return DECA_CLI_EXIT_USAGE;
    }
  if (options->workspace != NULL
      && (options->workspace[0] == '\0' || strlen (options->workspace) > 200
          || !g_utf8_validate (options->workspace, -1, NULL)))
    {
      deca_cli_error (_("serve: --workspace wants a name of 1 to 200 characters"));
      return DECA_CLI_EXIT_USAGE;
    }
  if (options->rate_limit != NULL && !g_str_equal (options->rate_limit, "off")
      && !deca_cli_parse_rate_limit (options->rate_limit, &rate, &burst))
    {
      /* Translators: %s is the value given to --rate-limit; keep RATE/BURST and off. */
      deca_cli_error (_("serve: --rate-limit wants RATE[/BURST] (20, 5/10, 0.5/1) or off, not '%s'"),
                      options->rate_limit);
      return DECA_CLI_EXIT_USAGE;
    }
  if (options->jwt_secret_file != NULL && !load_jwt_secret (verifier, options->jwt_secret_file, &error))
    {
      /* Translators: %s says what is wrong with the file. */
      deca_cli_error (_("serve: --jwt-secret-file: %s"), error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  if (options->jwks_file != NULL && !deca_jwt_verifier_load_jwks_file (verifier, options->jwks_file, &error))
    {
      deca_cli_error (_("serve: --jwks: %s"), error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  if ((options->issuer != NULL || options->audience != NULL) && !deca_jwt_verifier_is_configured (verifier))
    {
      deca_cli_error (_("serve: --issuer and --audience need --jwt-secret-file or --jwks"));
      return DECA_CLI_EXIT_USAGE;
    }
  deca_jwt_verifier_set_issuer (verifier, options->issuer);
  deca_jwt_verifier_set_audience (verifier, options->audience);
  if (deca_jwt_verifier_is_configured (verifier))
    deca_authenticator_set_jwt_verifier (authenticator, verifier);
  if (options->rate_limit == NULL || !g_str_equal (options->rate_limit, "off"))
    {
      g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (rate, burst, NULL);

      deca_authenticator_set_rate_limiter (authenticator, limiter);
    }
  *out_authenticator = G_OBJECT (g_steal_pointer (&authenticator));
  return DECA_CLI_EXIT_OK;
}

int
deca_cli_access_init (DecaServer           *server,
                      DecaCliAccessOptions *options)
{
  DecaStore *store = deca_server_get_store (server);
  const char *name = options->workspace != NULL ? options->workspace : DEFAULT_WORKSPACE;
  g_autoptr(GPtrArray) workspaces = NULL;
  g_autoptr(DecaApiKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *workspace_id = g_uuid_string_random ();
  g_autofree char *hash = NULL;
  g_autofree char *details = NULL;
  DecaApiKeyRecord record = { 0 };
  DecaAuditRecord audit = { 0 };

  workspaces = deca_store_list_workspaces (store, &error);
  if (workspaces == NULL)
    {
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_FAILED;
    }
  for (guint i = 0; i < workspaces->len; i++)
    {
      const DecaWorkspaceRecord *workspace = g_ptr_array_index (workspaces, i);

      /* Every store has `local` (flows made outside the server); it does not count. */
      if (g_str_equal (workspace->id, DECA_WORKSPACE_LOCAL))
        continue;
      if (options->workspace == NULL)
        {
          /* Translators: the first %s is the data directory, the second a workspace's name. */
          deca_cli_error (_("serve: the store of %s is initialised already (workspace '%s'); "
                            "--init --workspace NAME adds another workspace"),
                          deca_server_get_data_dir (server), workspace->name);
          return DECA_CLI_EXIT_USAGE;
        }
      if (g_str_equal (workspace->name, name))
        {
          /* Translators: %s is a workspace's name. */
          deca_cli_error (_("serve: a workspace named '%s' exists already; nothing was changed"), name);
          return DECA_CLI_EXIT_USAGE;
        }
    }

  key = deca_api_key_generate (&error);
  if (key == NULL)
    {
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_FAILED;
    }
  hash = deca_api_key_hash (key);
  record.id = (char *) deca_api_key_get_id (key);
  record.workspace_id = workspace_id;
  record.name = (char *) "owner key (deca serve --init)";
  record.role = (char *) "owner";
  record.secret_hash = hash;
  details = g_strdup_printf ("{\"name\":\"%s\",\"role\":\"owner\"}", record.name);
  audit.workspace_id = workspace_id;
  audit.actor = (char *) "cli";
  audit.action = (char *) "workspace.init";
  audit.target = record.id;
  audit.source = (char *) "deca serve --init";
  audit.result = (char *) "ok";
  audit.details = details;
  if (!deca_store_begin (store, &error)
      || !deca_store_create_workspace (store, workspace_id, name, &error)
      || !deca_store_insert_api_key (store, &record, &error)
      || !deca_store_append_audit (store, &audit, NULL, &error)
      || !deca_store_commit (store, &error))
    {
      deca_store_rollback (store);
      deca_cli_error (_("serve: %s"), error->message);
      return DECA_CLI_EXIT_FAILED;
    }

  /* The key alone on stdout, so that KEY=$(deca serve --init) works; it is never shown
   * again (the store has only its hash). */
  printf ("%s\n", deca_api_key_get_text (key));
  fflush (stdout);
  /* Translators: the first %s is a workspace's name, the second its id. The key went to
   * standard output, which may be a terminal (above this line) or a variable
   * (KEY=$(deca serve --init)): the note must be right for both. */
  fprintf (stderr, _("Created workspace '%s' (%s) and an owner API key, written to standard output: keep it now, it is not shown again.\n"),
           name, workspace_id);
  return DECA_CLI_EXIT_OK;
}
