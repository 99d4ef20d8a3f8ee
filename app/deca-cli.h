/* deca-cli.h: what the files of the `deca` command-line tool share.
 *
 * The tool is split by subcommand (deca-cli-validate.c, deca-cli-run.c,
 * deca-cli-executions.c) over common helpers (deca-cli-common.c) and the runner that
 * drives executions to an end (deca-cli-runner.c). docs/cli.md describes the behaviour,
 * the output formats and the exit statuses; keep it in step.
 */

#pragma once

#include <glib/gi18n.h>
#include <deca-engine.h>
#include <deca-json.h>

G_BEGIN_DECLS

/* Exit statuses, the same for every subcommand (docs/cli.md). */
typedef enum {
  DECA_CLI_EXIT_OK = 0,
  DECA_CLI_EXIT_FAILED = 1,       /* a flow failed validation or an execution failed */
  DECA_CLI_EXIT_USAGE = 2,        /* bad arguments or an unusable file */
  DECA_CLI_EXIT_PAUSED = 3,       /* an execution waits for an approval */
  DECA_CLI_EXIT_INTERRUPTED = 130 /* SIGINT or SIGTERM cancelled the run */
} DecaCliExit;

/* A subcommand: @argv[0] is its name ("run"), the rest its arguments. Returns the exit
 * status. */
typedef int (*DecaCliCommandFunc) (int argc, char **argv);

/* The subcommands. */
int deca_cli_validate   (int argc, char **argv);
int deca_cli_node_types (int argc, char **argv);
int deca_cli_run        (int argc, char **argv);
int deca_cli_resume     (int argc, char **argv);
int deca_cli_approve    (int argc, char **argv);
int deca_cli_reject     (int argc, char **argv);
int deca_cli_executions (int argc, char **argv);
int deca_cli_flows      (int argc, char **argv);
int deca_cli_serve      (int argc, char **argv);
int deca_cli_backup     (int argc, char **argv);
int deca_cli_export     (int argc, char **argv);
int deca_cli_import     (int argc, char **argv);

/* --- deca-cli-common.c ---------------------------------------------------------------- */

/* Prints "deca: MESSAGE" as one line on stderr (newlines in the message are folded into
 * spaces so that a message is always exactly one line). */
void        deca_cli_error          (const char *format,
                                     ...) G_GNUC_PRINTF (1, 2);
/* Prints "deca: MESSAGE" unless --quiet was given (deca_cli_set_quiet). */
void        deca_cli_note           (const char *format,
                                     ...) G_GNUC_PRINTF (1, 2);
void        deca_cli_set_quiet      (gboolean quiet);

/* Builds the option context of subcommand @name, with @parameter_string ("FILE...") and
 * @summary for --help, and parses @argc/@argv with it. On a bad option prints one line and
 * returns FALSE (the caller exits with DECA_CLI_EXIT_USAGE). --help prints the help and
 * exits 0. */
gboolean    deca_cli_parse_options  (const char    *name,
                                     const char    *parameter_string,
                                     const char    *summary,
                                     const GOptionEntry *entries,
                                     int           *argc,
                                     char        ***argv);

/* Reads the text file @path for a command: fails with a message naming the file when it is
 * missing, a directory, unreadable, or not UTF-8 text (binary files). Returns (transfer
 * full) the contents, NUL-terminated, or NULL with @error. */
char       *deca_cli_read_text_file (const char  *path,
                                     gsize       *length,
                                     GError     **error);

/* Parses the value of --input: JSON text, or @PATH to read it from a file. The result must
 * be a JSON object. Returns (transfer full) the object node, or NULL with @error saying
 * where the problem is (line and column of the text). */
JsonNode   *deca_cli_parse_input    (const char  *value,
                                     GError     **error);

/* Reads, validates and loads the flow @path. Problems are printed as `deca validate`
 * prints them, on stderr; @status receives the exit status when it returns NULL. */
DecaFlow   *deca_cli_load_valid_flow (const char *path,
                                      int        *status);

/* Opens the store at @path, or at the default $XDG_DATA_HOME/deca-studio/deca.db (the
 * directory created) when @path is NULL. Returns (transfer full) or NULL with @error. */
DecaStore  *deca_cli_open_store     (const char  *path,
                                     GError     **error);

/* Loads the credentials file @path, or the file named by $DECA_CREDENTIALS when @path is
 * NULL. Returns (transfer full) (nullable) the provider: NULL without error when neither
 * is given. */
DecaCredentialProvider *deca_cli_load_credentials (const char  *path,
                                                   GError     **error);

/* Prints @node (may be NULL: "null") as JSON on stdout followed by a newline. */
void        deca_cli_print_json     (JsonNode    *node,
                                     gboolean     pretty);
/* Parses the stored JSON text @text (may be NULL). Returns (transfer full) the node, a JSON
 * null for NULL text, or the text as a JSON string when it is not JSON. */
JsonNode   *deca_cli_json_from_text (const char  *text);

/* Formats a duration in µs for people: "12 ms", "1.5 s", "2 min 3 s". */
char       *deca_cli_format_duration (gint64      duration_us);
/* Formats a time in µs since the epoch as local "YYYY-MM-DD HH:MM:SS", "-" for 0. */
char       *deca_cli_format_time     (gint64      time_us);
/* Returns (transfer full) @text cut to @max characters (with "…") on a single line. */
char       *deca_cli_truncate        (const char *text,
                                      guint       max);
/* Returns (transfer full) @text followed by spaces up to @width terminal columns, or
 * preceded by them with deca_cli_pad_start(): what printf's "%-*s" and "%*s" do for ASCII,
 * for translated table headers in any script. Text at least @width wide is copied as is. */
char       *deca_cli_pad_end         (const char *text,
                                      guint       width);
char       *deca_cli_pad_start       (const char *text,
                                      guint       width);
/* The number of terminal columns @text takes (wide characters count two). */
guint       deca_cli_text_width      (const char *text);

/* --- deca-cli-runner.c ----------------------------------------------------------------- */

/*
 * DecaCliRunner: an executor with its store and credentials that runs executions until
 * each is finished or paused, printing live progress on stderr, and cancels them cleanly
 * on SIGINT/SIGTERM.
 */
typedef struct _DecaCliRunner DecaCliRunner;

typedef struct {
  const char *db_path;          /* NULL: the default database */
  const char *credentials_path; /* NULL: $DECA_CREDENTIALS or none */
  gboolean    progress;         /* --progress: progress lines even when stderr is no tty */
  gboolean    quiet;            /* --quiet: no progress, no notes */
} DecaCliRunnerOptions;

/* Returns (transfer full) a runner, or NULL with @error when the store or the credentials
 * cannot be opened (a usage error: the caller exits with DECA_CLI_EXIT_USAGE). */
DecaCliRunner *deca_cli_runner_new     (const DecaCliRunnerOptions *options,
                                        GError                    **error);
void           deca_cli_runner_free    (DecaCliRunner *self);
DecaExecutor  *deca_cli_runner_get_executor (DecaCliRunner *self);
DecaStore     *deca_cli_runner_get_store    (DecaCliRunner *self);
/* Adds @execution to those run() waits for. */
void           deca_cli_runner_watch   (DecaCliRunner *self,
                                        DecaExecution *execution);
/* Resumes the executions a killed process left unfinished in the store, telling stderr
 * about each, and watches them. Returns (transfer full) (element-type DecaExecution) them,
 * or NULL with @error. */
GPtrArray     *deca_cli_runner_resume_interrupted (DecaCliRunner  *self,
                                                   GError        **error);
/* Runs the main loop until every watched execution is finished or paused (or cancelled by
 * a signal), then makes the store durable. Returns FALSE when a signal interrupted. */
gboolean       deca_cli_runner_run     (DecaCliRunner  *self);

/* Returns (transfer full) the result object of @execution as `--json` prints it:
 * {"execution_id", "status", "output", "response", "error": {code, message, node} | null,
 * "waiting": [node keys]}. */
JsonNode      *deca_cli_execution_to_json (DecaExecution *execution);
/* The exit status of @execution: 0 succeeded, 1 failed or cancelled, 3 paused. */
int            deca_cli_execution_exit_status (DecaExecution *execution);
/* Prints the result of @execution: with @json the object above on stdout, otherwise the
 * output (pretty JSON) on stdout when it succeeded, and on stderr why it failed or which
 * approvals it waits for. Returns its exit status. */
int            deca_cli_runner_report     (DecaCliRunner *self,
                                           DecaExecution *execution,
                                           gboolean       json);
/* Prints on stderr, for each approval @execution waits for, the command that approves it. */
void           deca_cli_runner_print_waiting (DecaCliRunner *self,
                                              DecaExecution *execution);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaCliRunner, deca_cli_runner_free)

G_END_DECLS
