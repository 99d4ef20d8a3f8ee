/* deca.c: the entry point of the `deca` command-line tool: global options and the
 * dispatch to subcommands. Each subcommand parses its own options (docs/cli.md). */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "deca-cli.h"

typedef struct {
  const char         *name;
  DecaCliCommandFunc  func;
  const char         *summary;
} Command;

static const Command commands[] = {
  { "validate", deca_cli_validate, N_("Check flow files and print every problem") },
  { "run", deca_cli_run, N_("Run a flow to its end or its next approval") },
  { "resume", deca_cli_resume, N_("Resume executions a killed process left unfinished") },
  { "approve", deca_cli_approve, N_("Approve a waiting approval node and go on") },
  { "reject", deca_cli_reject, N_("Reject a waiting approval node and go on") },
  /* Translators: "list" and "show" are subcommands; keep them as they are. */
  { "executions", deca_cli_executions, N_("List executions or show one (list, show)") },
  /* Translators: "list", "save" and "show" are subcommands; keep them. */
  { "flows", deca_cli_flows, N_("Store flows for subflow nodes, list or show them (list, save, show)") },
  { "node-types", deca_cli_node_types, N_("List the node types and their config schemas") },
  { "serve", deca_cli_serve, N_("Run the cloud API server (HTTP API, /health, /metrics)") },
  { "backup", deca_cli_backup, N_("Copy the server's database consistently while it runs") },
  { "export", deca_cli_export, N_("Write a workspace of the server as one JSON bundle") },
  { "import", deca_cli_import, N_("Import a workspace bundle into a workspace of the server") },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n  %s\n\n%s\n",
           _("Usage:"),
           /* Translators: the synopsis of deca; translate only the placeholders COMMAND
            * and ARGS. */
           _("deca [--version] [--help] COMMAND [ARGS...]"),
           /* Translators: the heading of the list of commands in deca --help. */
           _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fputc ('\n', stream);
  /* Translators: keep 'deca COMMAND --help' a command (COMMAND may be translated) and the
   * exit statuses as numbers; lines of at most 80 characters. */
  fputs (_("Run 'deca COMMAND --help' for the options of a command.\n"
           "Exit status: 0 success, 1 failure (invalid flow, failed execution), 2 bad usage,\n"
           "3 waiting for an approval, 130 interrupted.\n"), stream);
}

static const Command *
lookup_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  const Command *command;
  const char *name;

  /* Messages follow the locale; machine-readable output does not: the JSON writer and
   * the engine format numbers with the g_ascii_* functions, whatever LC_NUMERIC says. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, deca_engine_get_locale_dir ());
  /* Messages go to stderr as UTF-8 whatever the locale's charset (deca_cli_error()). */
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("deca");

  if (argc < 2)
    {
      deca_cli_error (_("no command given; run 'deca --help' for the list of commands"));
      return DECA_CLI_EXIT_USAGE;
    }

  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      /* "deca help COMMAND" is the same as "deca COMMAND --help". */
      if (g_str_equal (name, "help") && argc == 3 && lookup_command (argv[2]) != NULL)
        {
          char *help_argv[] = { argv[2], (char *) "--help", NULL };

          return lookup_command (argv[2])->func (2, help_argv);
        }
      if (argc > 2 && !g_str_equal (name, "help"))
        {
          /* Translators: the first %s is an argument, the second an option such as --help. */
          deca_cli_error (_("unexpected argument '%s' after %s"), argv[2], name);
          return DECA_CLI_EXIT_USAGE;
        }
      print_usage (stdout);
      return DECA_CLI_EXIT_OK;
    }
  if (g_str_equal (name, "--version") || g_str_equal (name, "-V"))
    {
      if (argc > 2)
        {
          deca_cli_error (_("unexpected argument '%s' after --version"), argv[2]);
          return DECA_CLI_EXIT_USAGE;
        }
      printf ("deca %s\n", PACKAGE_VERSION);
      return DECA_CLI_EXIT_OK;
    }
  if (name[0] == '-')
    {
      deca_cli_error (_("unknown option '%s' before the command; run 'deca --help'"), name);
      return DECA_CLI_EXIT_USAGE;
    }

  command = lookup_command (name);
  if (command == NULL)
    {
      deca_cli_error (_("unknown command '%s'; run 'deca --help' for the list of commands"), name);
      return DECA_CLI_EXIT_USAGE;
    }
  return command->func (argc - 1, argv + 1);
}
