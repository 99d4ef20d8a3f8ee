/* deca.c: the entry point of the `deca` command-line tool: global options and the
 * dispatch to subcommands. Each subcommand parses its own options (docs/cli.md). */

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
  { "validate", deca_cli_validate, "Check flow files and print every problem" },
  { "run", deca_cli_run, "Run a flow to its end or its next approval" },
  { "resume", deca_cli_resume, "Resume executions a killed process left unfinished" },
  { "approve", deca_cli_approve, "Approve a waiting approval node and go on" },
  { "reject", deca_cli_reject, "Reject a waiting approval node and go on" },
  { "executions", deca_cli_executions, "List executions or show one (list, show)" },
  { "node-types", deca_cli_node_types, "List the node types and their config schemas" },
};

static void
print_usage (FILE *stream)
{
  fputs ("Usage:\n"
         "  deca [--version] [--help] COMMAND [ARGS...]\n"
         "\n"
         "Commands:\n", stream);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-12s %s\n", commands[i].name, commands[i].summary);
  fputs ("\n"
         "Run 'deca COMMAND --help' for the options of a command.\n"
         "Exit status: 0 success, 1 failure (invalid flow, failed execution), 2 bad usage,\n"
         "3 waiting for an approval, 130 interrupted.\n", stream);
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

  setlocale (LC_ALL, "");
  g_set_prgname ("deca");

  if (argc < 2)
    {
      deca_cli_error ("no command given; run 'deca --help' for the list of commands");
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
          deca_cli_error ("unexpected argument '%s' after %s", argv[2], name);
          return DECA_CLI_EXIT_USAGE;
        }
      print_usage (stdout);
      return DECA_CLI_EXIT_OK;
    }
  if (g_str_equal (name, "--version") || g_str_equal (name, "-V"))
    {
      if (argc > 2)
        {
          deca_cli_error ("unexpected argument '%s' after --version", argv[2]);
          return DECA_CLI_EXIT_USAGE;
        }
      printf ("deca %s\n", PACKAGE_VERSION);
      return DECA_CLI_EXIT_OK;
    }
  if (name[0] == '-')
    {
      deca_cli_error ("unknown option '%s' before the command; run 'deca --help'", name);
      return DECA_CLI_EXIT_USAGE;
    }

  command = lookup_command (name);
  if (command == NULL)
    {
      deca_cli_error ("unknown command '%s'; run 'deca --help' for the list of commands", name);
      return DECA_CLI_EXIT_USAGE;
    }
  return command->func (argc - 1, argv + 1);
}
