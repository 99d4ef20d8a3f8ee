/* deca-cli-transfer.c: `deca export` and `deca import`, a workspace of the server's data
 * directory as one JSON bundle and back (docs/cli.md; the bundle is
 * engine/deca-workspace-bundle.c, the same the API's export and import routes use). */

#include "config.h"

#include <stdio.h>

#include <deca-server.h>
#include <deca-store-server.h>
#include <deca-workspace-bundle.h>

#include "deca-cli.h"

/* Opens the database of @data_dir (the default one when NULL) for @command; NULL after
 * printing why (a directory without a database gets none: opening would make one). */
static DecaStore *
open_data_dir (const char *command,
               const char *data_dir)
{
  g_autofree char *default_dir = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(GError) error = NULL;
  DecaStore *store;

  if (data_dir == NULL)
    data_dir = default_dir = deca_server_default_data_dir ();
  db_path = deca_server_database_path (data_dir);
  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      /* Translators: the first %s is "export" or "import", the second a directory. */
      deca_cli_error (_("%s: there is no database in '%s' (deca.db)"), command, data_dir);
      return NULL;
    }
  store = deca_store_open (db_path, &error);
  if (store == NULL)
    deca_cli_error ("%s: %s", command, error->message);
  return store;
}

/* --workspace names the workspace by its id or, since `deca serve --init --workspace NAME`
 * is where people meet it, by its name when exactly one workspace has that name (an id
 * wins over a name). Returns (transfer full) the id, or NULL after printing why with
 * *status the exit status: 2 for an unknown workspace or a name several have, 1 when the
 * store cannot be read. */
static char *
resolve_workspace (const char *command,
                   DecaStore  *store,
                   const char *workspace,
                   int        *status)
{
  g_autoptr(DecaWorkspaceRecord) record = NULL;
  g_autoptr(GPtrArray) workspaces = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) list_error = NULL;
  const char *found = NULL;
  guint n_named = 0;

  record = deca_store_get_workspace (store, workspace, &error);
  if (record != NULL)
    return g_strdup (record->id);
  *status = DECA_CLI_EXIT_FAILED;
  if (!g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
    {
      deca_cli_error ("%s: %s", command, error->message);
      return NULL;
    }
  workspaces = deca_store_list_workspaces (store, &list_error);
  if (workspaces == NULL)
    {
      deca_cli_error ("%s: %s", command, list_error->message);
      return NULL;
    }
  for (guint i = 0; i < workspaces->len; i++)
    {
      DecaWorkspaceRecord *candidate = g_ptr_array_index (workspaces, i);

      if (g_strcmp0 (candidate->name, workspace) == 0)
        {
          found = candidate->id;
          n_named++;
        }
    }
  if (n_named == 1)
    return g_strdup (found);
  *status = DECA_CLI_EXIT_USAGE;
  if (n_named > 1)
    /* Translators: the first %s is "export" or "import", %u a number (2 or more), the
     * last %s a workspace name. */
    deca_cli_error (_("%s: %u workspaces are named '%s': say which with --workspace ID"),
                    command, n_named, workspace);
  else
    deca_cli_error ("%s: %s", command, error->message);
  return NULL;
}

/* The checks both commands make of their options. */
static gboolean
check_options (const char *command,
               int         argc,
               char      **argv,
               int         n_args,
               const char *workspace)
{
  if (argc > n_args + 1)
    {
      /* Translators: the first %s is "export" or "import", the second an argument the
       * command does not take, the third the command again. */
      deca_cli_error (_("%s: unexpected argument '%s'; run 'deca %s --help'"), command, argv[n_args + 1], command);
      return FALSE;
    }
  if (workspace == NULL)
    {
      /* Translators: %s is "export" or "import". */
      deca_cli_error (_("%s: say which workspace with --workspace ID"), command);
      return FALSE;
    }
  return TRUE;
}

int
deca_cli_export (int    argc,
                 char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *workspace = NULL;
  g_autofree char *output = NULL;
  const GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("The server's data directory (default: $XDG_DATA_HOME/deca-server)"), N_("DIR") },
    { "workspace", 'w', 0, G_OPTION_ARG_STRING, &workspace,
      N_("The workspace to export, by its id or its name"), N_("ID") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The file to write the bundle to (default: standard output)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *workspace_id = NULL;
  int status;

  if (!deca_cli_parse_options ("export", "",
                               N_("Writes a workspace of the server's data directory as one JSON bundle: the\n"
                                  "latest version of each flow, agent, prompt and function, and the names and\n"
                                  "types of its credentials (never their secrets). The server may go on\n"
                                  "running meanwhile.\n"
                                  "Exit status: 0 when written, 1 when writing failed, 2 for bad options, a\n"
                                  "missing database or an unknown workspace."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (!check_options ("export", argc, argv, 0, workspace))
    return DECA_CLI_EXIT_USAGE;
  if (!(store = open_data_dir ("export", data_dir)))
    return DECA_CLI_EXIT_USAGE;
  if (!(workspace_id = resolve_workspace ("export", store, workspace, &status)))
    return status;
  bundle = deca_workspace_bundle_export (store, workspace_id, &error);
  if (bundle == NULL)
    {
      deca_cli_error (_("export: %s"), error->message);
      return g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND)
             ? DECA_CLI_EXIT_USAGE : DECA_CLI_EXIT_FAILED;
    }
  text = deca_json_to_string (bundle, TRUE);
  if (output == NULL)
    {
      puts (text);
      if (fflush (stdout) != 0)
        return DECA_CLI_EXIT_FAILED;
      return DECA_CLI_EXIT_OK;
    }
  /* Written beside the file and renamed: a failed export never leaves half a bundle. */
  if (!g_file_set_contents (output, text, -1, &error))
    {
      deca_cli_error (_("export: %s"), error->message);
      return DECA_CLI_EXIT_FAILED;
    }
  /* Translators: the first %s is a workspace id, the second a file. */
  deca_cli_note (_("exported workspace '%s' to '%s'"), workspace_id, output);
  return DECA_CLI_EXIT_OK;
}

int
deca_cli_import (int    argc,
                 char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *workspace = NULL;
  g_autofree char *mode_name = NULL;
  const GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("The server's data directory (default: $XDG_DATA_HOME/deca-server)"), N_("DIR") },
    { "workspace", 'w', 0, G_OPTION_ARG_STRING, &workspace,
      N_("The workspace to import into, by its id or its name"), N_("ID") },
    /* Translators: merge and replace are values; keep them. */
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode_name,
      N_("merge (add what the workspace lacks; the default) or replace (make it the bundle's)"), N_("MODE") },
    { NULL }
  };
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(DecaNodeRegistry) registry = NULL;
  g_autoptr(DecaBundleImportReport) report = NULL;
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autofree char *workspace_id = NULL;
  DecaBundleImportMode mode = DECA_BUNDLE_IMPORT_MERGE;
  gsize length = 0;
  int status;

  if (!deca_cli_parse_options ("import", N_("FILE"),
                               N_("Imports a workspace bundle (from 'deca export' or the API's export) into a\n"
                                  "workspace of the server's data directory. Everything is checked first and\n"
                                  "written all at once, or nothing is. Problems print as FILE: POINTER: MESSAGE\n"
                                  "lines, conflicts as FILE: POINTER: ID: MESSAGE; on success the report is\n"
                                  "printed as JSON.\n"
                                  "Exit status: 0 when imported, 1 for an invalid bundle, conflicts or a failed\n"
                                  "write, 2 for bad options, an unreadable file, a missing database or an\n"
                                  "unknown workspace."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (!check_options ("import", argc, argv, 1, workspace))
    return DECA_CLI_EXIT_USAGE;
  if (argc < 2)
    {
      deca_cli_error (_("import: say which bundle to import: deca import --workspace ID FILE"));
      return DECA_CLI_EXIT_USAGE;
    }
  if (mode_name != NULL && !deca_bundle_import_mode_from_string (mode_name, &mode))
    {
      /* Translators: %s is what was given; merge and replace are values, keep them. */
      deca_cli_error (_("import: --mode must be merge or replace, not '%s'"), mode_name);
      return DECA_CLI_EXIT_USAGE;
    }
  contents = deca_cli_read_text_file (argv[1], &length, &error);
  if (contents == NULL)
    {
      deca_cli_error (_("import: %s"), error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  bundle = deca_json_parse (contents, (gssize) length, &error);
  if (bundle == NULL)
    {
      /* Translators: the first %s is a file, the second says where its JSON is broken. */
      deca_cli_error (_("import: %s: %s"), argv[1], error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  if (!(store = open_data_dir ("import", data_dir)))
    return DECA_CLI_EXIT_USAGE;
  if (!(workspace_id = resolve_workspace ("import", store, workspace, &status)))
    return status;
  registry = deca_node_registry_new_builtin ();
  if (!deca_workspace_bundle_import (store, workspace_id, bundle, mode, registry, &report, &error))
    {
      for (guint i = 0; report != NULL && i < report->problems->len; i++)
        {
          DecaValidationProblem *problem = g_ptr_array_index (report->problems, i);

          printf ("%s: %s: %s\n", argv[1], *problem->pointer != '\0' ? problem->pointer : "/", problem->message);
        }
      for (guint i = 0; report != NULL && i < report->conflicts->len; i++)
        {
          DecaBundleConflict *conflict = g_ptr_array_index (report->conflicts, i);

          printf ("%s: %s: %s: %s\n", argv[1], conflict->pointer, conflict->id, conflict->message);
        }
      deca_cli_error (_("import: %s"), error->message);
      return g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND)
             ? DECA_CLI_EXIT_USAGE : DECA_CLI_EXIT_FAILED;
    }
  answer = deca_bundle_import_report_to_json (report, mode);
  text = deca_json_to_string (answer, TRUE);
  puts (text);
  for (guint i = 0; i < report->missing_credentials->len; i++)
    /* Translators: %s is a credential name. */
    deca_cli_note (_("the workspace has no credential '%s' yet: set it before running the flows that use it"),
                   (const char *) report->missing_credentials->pdata[i]);
  return DECA_CLI_EXIT_OK;
}
