/* deca-cli-backup.c: `deca backup`, a consistent online copy of the server's database
 * (docs/server.md, "Backups"), taken while `deca serve` may go on writing. */

#include "config.h"

#include <stdio.h>

#include <deca-server.h>
#include <deca-store-server.h>

#include "deca-cli.h"

int
deca_cli_backup (int    argc,
                 char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *to = NULL;
  const GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("The server's data directory (default: $XDG_DATA_HOME/deca-server)"), N_("DIR") },
    { "to", 't', 0, G_OPTION_ARG_FILENAME, &to,
      N_("The backup file to write; it must not exist"), N_("FILE") },
    { NULL }
  };
  g_autofree char *db_path = NULL;
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!deca_cli_parse_options ("backup", "",
                               N_("Writes a consistent copy of the server's database, as of one moment, to a\n"
                                  "new file, while the server goes on running. Restore it by stopping the\n"
                                  "server and putting the file in place of DIR/deca.db.\n"
                                  "Exit status: 0 when the copy is complete, 1 when writing it failed, 2 for\n"
                                  "bad options, a missing database or an existing file."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (argc > 1)
    {
      /* Translators: %s is an argument the command does not take. */
      deca_cli_error (_("backup: unexpected argument '%s'; run 'deca backup --help'"), argv[1]);
      return DECA_CLI_EXIT_USAGE;
    }
  if (to == NULL)
    {
      deca_cli_error (_("backup: say where to write the copy with --to FILE"));
      return DECA_CLI_EXIT_USAGE;
    }
  /* Checked before anything is opened; the store checks it again when it renames the
   * finished copy into place, for a file that appears meanwhile. */
  if (g_file_test (to, G_FILE_TEST_EXISTS))
    {
      /* Translators: %s is a file name. */
      deca_cli_error (_("backup: '%s' exists; a backup never overwrites a file"), to);
      return DECA_CLI_EXIT_USAGE;
    }
  if (data_dir == NULL)
    data_dir = deca_server_default_data_dir ();
  db_path = deca_server_database_path (data_dir);
  /* Opening would make an empty database: a wrong directory must not get one. */
  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      /* Translators: %s is a directory. */
      deca_cli_error (_("backup: there is no database in '%s' (deca.db)"), data_dir);
      return DECA_CLI_EXIT_USAGE;
    }
  store = deca_store_open (db_path, &error);
  if (store == NULL)
    {
      deca_cli_error (_("backup: %s"), error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  if (!deca_store_backup_to (store, to, &error))
    {
      deca_cli_error (_("backup: %s"), error->message);
      return g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE)
             ? DECA_CLI_EXIT_USAGE : DECA_CLI_EXIT_FAILED;
    }
  /* Translators: the first %s is a directory, the second a file. */
  deca_cli_note (_("backed up the database of '%s' to '%s'"), data_dir, to);
  return DECA_CLI_EXIT_OK;
}
