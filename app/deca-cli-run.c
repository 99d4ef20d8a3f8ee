/* deca-cli-run.c: the commands that run executions: `deca run`, `deca resume`,
 * `deca approve` and `deca reject`. */

#include "config.h"

#include <stdio.h>

#include "deca-cli.h"

/* The options every running command has (RUN_OPTION_ENTRIES; the option context
 * translates their descriptions, deca_cli_parse_options()). */
typedef struct {
  char     *db;
  char     *credentials;
  gboolean  json;
  gboolean  quiet;
  gboolean  progress;
} RunOptions;

static void
run_options_clear (RunOptions *options)
{
  g_clear_pointer (&options->db, g_free);
  g_clear_pointer (&options->credentials, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunOptions, run_options_clear)

#define RUN_OPTION_ENTRIES(options)                                                          \
  { "db", 0, 0, G_OPTION_ARG_FILENAME, &(options).db,                                       \
    N_("The database (default: $XDG_DATA_HOME/deca-studio/deca.db; :memory: keeps nothing)"), \
    N_("PATH") },                                                                            \
  { "credentials", 0, 0, G_OPTION_ARG_FILENAME, &(options).credentials,                     \
    N_("A JSON file {\"name\": {\"field\": \"value\"}} (default: $DECA_CREDENTIALS)"),        \
    N_("FILE") },                                                                            \
  { "json", 0, 0, G_OPTION_ARG_NONE, &(options).json,                                       \
    N_("Print the result as one JSON object"), NULL },                                       \
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &(options).quiet,                                   \
    N_("No progress and no notes on stderr (errors still)"), NULL },                         \
  { "progress", 0, 0, G_OPTION_ARG_NONE, &(options).progress,                               \
    N_("Print progress on stderr even when it is not a terminal"), NULL }

static DecaCliRunner *
runner_new (const RunOptions *options)
{
  DecaCliRunnerOptions runner_options = {
    .db_path = options->db,
    .credentials_path = options->credentials,
    .progress = options->progress,
    .quiet = options->quiet,
  };
  g_autoptr(GError) error = NULL;
  DecaCliRunner *runner;

  deca_cli_set_quiet (options->quiet);
  runner = deca_cli_runner_new (&runner_options, &error);
  if (runner == NULL)
    deca_cli_error ("%s", error->message);
  return runner;
}

/* Checks that exactly the positional arguments @min..@max (after the command name) were
 * given; prints one line and returns FALSE otherwise. */
static gboolean
check_arguments (const char *command,
                 int         argc,
                 char      **argv,
                 int         min,
                 int         max,
                 const char *missing)
{
  if (argc - 1 < min)
    {
      /* Translators: the first and the last %s are a command such as "run", the second
       * says which argument is missing. */
      deca_cli_error (_("%s: %s; run 'deca %s --help'"), command, missing, command);
      return FALSE;
    }
  if (argc - 1 > max)
    {
      /* Translators: the first and the last %s are a command such as "run", the second
       * an argument. */
      deca_cli_error (_("%s: unexpected argument '%s'; run 'deca %s --help'"), command, argv[max + 1], command);
      return FALSE;
    }
  return TRUE;
}


/* After a run: one note per execution that deca run resumed besides the new one. */
static void
report_resumed (DecaCliRunner *runner,
                GPtrArray     *resumed)
{
  for (guint i = 0; i < resumed->len; i++)
    {
      DecaExecution *execution = g_ptr_array_index (resumed, i);

      /* Translators: the first %s is an execution id, the second its status as a word
       * that is not translated (succeeded, failed, paused, cancelled). */
      deca_cli_note (_("resumed execution %s: %s"), deca_execution_get_id (execution),
                     deca_execution_status_to_string (deca_execution_get_status (execution)));
      if (deca_execution_get_status (execution) == DECA_EXECUTION_PAUSED)
        deca_cli_runner_print_waiting (runner, execution);
    }
}

int
deca_cli_run (int    argc,
              char **argv)
{
  g_auto(RunOptions) options = { 0 };
  g_autofree char *input_text = NULL;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_STRING, &input_text,
      N_("The execution input: a JSON object, or @FILE to read it from FILE"),
      /* Translators: the placeholder of --input; keep the | and the @. */
      N_("JSON|@FILE") },
    RUN_OPTION_ENTRIES (options),
    { NULL }
  };
  g_autoptr(JsonNode) input = NULL;
  g_autoptr(DecaFlow) flow = NULL;
  g_autoptr(DecaCliRunner) runner = NULL;
  g_autoptr(GPtrArray) resumed = NULL;
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;
  int status = DECA_CLI_EXIT_OK;

  if (!deca_cli_parse_options ("run", N_("FILE"),
                               N_("Validates the flow FILE, then runs it until it finishes or waits for an\n"
                                  "approval. Executions a killed process left unfinished in the same\n"
                                  "database are resumed first and run alongside.\n"
                                  "Exit status: 0 succeeded, 1 invalid flow or failed execution, 2 bad usage,\n"
                                  "3 waiting for an approval, 130 interrupted."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (!check_arguments ("run", argc, argv, 1, 1, _("no flow FILE given")))
    return DECA_CLI_EXIT_USAGE;

  if (input_text != NULL)
    {
      input = deca_cli_parse_input (input_text, &error);
      if (input == NULL)
        {
          deca_cli_error ("%s", error->message);
          return DECA_CLI_EXIT_USAGE;
        }
    }
  flow = deca_cli_load_valid_flow (argv[1], &status);
  if (flow == NULL)
    return status;
  runner = runner_new (&options);
  if (runner == NULL)
    return DECA_CLI_EXIT_USAGE;

  resumed = deca_cli_runner_resume_interrupted (runner, &error);
  if (resumed == NULL)
    {
      /* Translators: the first %s is the database path, the second the reason. */
      deca_cli_error (_("cannot resume the executions left unfinished in %s: %s"),
                      deca_store_get_path (deca_cli_runner_get_store (runner)), error->message);
      return DECA_CLI_EXIT_FAILED;
    }

  execution = deca_executor_start (deca_cli_runner_get_executor (runner), flow, input, &error);
  if (execution == NULL)
    {
      /* Translators: the first %s is a flow file, the second the reason. */
      deca_cli_error (_("cannot start %s: %s"), argv[1], error->message);
      /* The executions resumed above still get their run. */
      if (!deca_cli_runner_run (runner))
        return DECA_CLI_EXIT_INTERRUPTED;
      report_resumed (runner, resumed);
      return DECA_CLI_EXIT_FAILED;
    }
  deca_cli_runner_watch (runner, execution);
  if (!deca_cli_runner_run (runner))
    return DECA_CLI_EXIT_INTERRUPTED;

  report_resumed (runner, resumed);
  return deca_cli_runner_report (runner, execution, options.json);
}

/* The exit status of several executions: 1 when any failed, else 3 when any waits, else 0. */
static int
combined_exit_status (GPtrArray *executions)
{
  int status = DECA_CLI_EXIT_OK;

  for (guint i = 0; i < executions->len; i++)
    {
      int one = deca_cli_execution_exit_status (g_ptr_array_index (executions, i));

      if (one == DECA_CLI_EXIT_FAILED)
        return DECA_CLI_EXIT_FAILED;
      if (one == DECA_CLI_EXIT_PAUSED)
        status = DECA_CLI_EXIT_PAUSED;
    }
  return status;
}

static void
print_summaries (DecaCliRunner *runner,
                 GPtrArray     *executions,
                 gboolean       json)
{
  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (executions->len);

      for (guint i = 0; i < executions->len; i++)
        json_array_add_element (array, deca_cli_execution_to_json (g_ptr_array_index (executions, i)));
      json_node_take_array (root, array);
      deca_cli_print_json (root, TRUE);
      return;
    }

  for (guint i = 0; i < executions->len; i++)
    {
      DecaExecution *execution = g_ptr_array_index (executions, i);
      const GError *error = deca_execution_get_error (execution);

      printf ("%s  %s  %s%s%s\n", deca_execution_get_id (execution),
              deca_flow_get_id (deca_execution_get_flow (execution)),
              deca_execution_status_to_string (deca_execution_get_status (execution)),
              error ? ": " : "", error ? error->message : "");
      if (deca_execution_get_status (execution) == DECA_EXECUTION_PAUSED)
        deca_cli_runner_print_waiting (runner, execution);
    }
  fflush (stdout);
}

int
deca_cli_resume (int    argc,
                 char **argv)
{
  g_auto(RunOptions) options = { 0 };
  const GOptionEntry entries[] = {
    RUN_OPTION_ENTRIES (options),
    { NULL }
  };
  g_autoptr(DecaCliRunner) runner = NULL;
  g_autoptr(GPtrArray) executions = NULL;
  g_autoptr(GError) error = NULL;

  if (!deca_cli_parse_options ("resume", N_("[EXECUTION]"),
                               N_("Resumes the execution EXECUTION, or every execution a killed process left\n"
                                  "unfinished, and runs them until they finish or wait for an approval.\n"
                                  "Prints one line per execution (--json: an array of result objects).\n"
                                  "Exit status: 0 all succeeded, 1 any failed, 3 any waits for an approval."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (!check_arguments ("resume", argc, argv, 0, 1, ""))
    return DECA_CLI_EXIT_USAGE;
  runner = runner_new (&options);
  if (runner == NULL)
    return DECA_CLI_EXIT_USAGE;

  if (argc == 2)
    {
      DecaExecution *execution = deca_executor_resume (deca_cli_runner_get_executor (runner), argv[1], &error);

      if (execution == NULL)
        {
          deca_cli_error ("resume: %s", error->message);
          return DECA_CLI_EXIT_FAILED;
        }
      executions = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (executions, execution);
      deca_cli_runner_watch (runner, execution);
    }
  else
    {
      executions = deca_cli_runner_resume_interrupted (runner, &error);
      if (executions == NULL)
        {
          deca_cli_error ("resume: %s", error->message);
          return DECA_CLI_EXIT_FAILED;
        }
      if (executions->len == 0)
        deca_cli_note (_("no unfinished executions in %s"), deca_store_get_path (deca_cli_runner_get_store (runner)));
    }

  if (!deca_cli_runner_run (runner))
    return DECA_CLI_EXIT_INTERRUPTED;
  print_summaries (runner, executions, options.json);
  return combined_exit_status (executions);
}

/* approve and reject: records the decision, then resumes the execution and runs it to its
 * end or its next approval. */
static int
decide (int       argc,
        char    **argv,
        gboolean  approved)
{
  const char *command = approved ? "approve" : "reject";
  g_auto(RunOptions) options = { 0 };
  g_autofree char *comment = NULL;
  g_autofree char *by = NULL;
  const GOptionEntry entries[] = {
    { "comment", 'm', 0, G_OPTION_ARG_STRING, &comment, N_("Why: kept with the decision"), N_("TEXT") },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, N_("Who decides (default: your user name)"),
      /* Translators: the placeholder of --by: who decides. */
      N_("NAME") },
    RUN_OPTION_ENTRIES (options),
    { NULL }
  };
  g_autoptr(DecaCliRunner) runner = NULL;
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;
  DecaExecutor *executor;

  /* Translators: "approved" and "rejected" are port names; keep them. */
  if (!deca_cli_parse_options (command, N_("EXECUTION NODE"),
                               approved
                               ? N_("Approves the approval node NODE of EXECUTION, then runs the execution\n"
                                    "on the \"approved\" port until it finishes or waits again.\n"
                                    "Prints the result as deca run does, with the same exit statuses.")
                               : N_("Rejects the approval node NODE of EXECUTION, then runs the execution\n"
                                    "on the \"rejected\" port until it finishes or waits again.\n"
                                    "Prints the result as deca run does, with the same exit statuses."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (!check_arguments (command, argc, argv, 2, 2,
                        argc < 2 ? _("no EXECUTION and NODE given") : _("no NODE given")))
    return DECA_CLI_EXIT_USAGE;
  runner = runner_new (&options);
  if (runner == NULL)
    return DECA_CLI_EXIT_USAGE;
  executor = deca_cli_runner_get_executor (runner);

  if (!deca_executor_decide (executor, argv[1], argv[2], approved, comment,
                             by != NULL ? by : g_get_user_name (), &error))
    {
      deca_cli_error ("%s: %s", command, error->message);
      return DECA_CLI_EXIT_FAILED;
    }
  execution = deca_executor_resume (executor, argv[1], &error);
  if (execution == NULL)
    {
      /* Translators: the first %s is approve or reject, the second an execution id, the
       * third the reason. */
      deca_cli_error (_("%s: the decision is recorded, but execution %s cannot resume: %s"),
                      command, argv[1], error->message);
      return DECA_CLI_EXIT_FAILED;
    }
  deca_cli_runner_watch (runner, execution);
  if (!deca_cli_runner_run (runner))
    return DECA_CLI_EXIT_INTERRUPTED;
  return deca_cli_runner_report (runner, execution, options.json);
}

int
deca_cli_approve (int    argc,
                  char **argv)
{
  return decide (argc, argv, TRUE);
}

int
deca_cli_reject (int    argc,
                 char **argv)
{
  return decide (argc, argv, FALSE);
}
