/* deca-cli-runner.c: runs executions from the command line until each is finished or
 * waits for a person, with live progress on stderr and a clean cancel on SIGINT/SIGTERM. */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

#include "deca-cli.h"

struct _DecaCliRunner
{
  /* Owned. */
  DecaStore        *store;
  DecaNodeRegistry *registry;
  DecaExecutor     *executor;
  GPtrArray        *watched;        /* DecaExecution */
  GMainLoop        *loop;
  char             *db_path;        /* as given on the command line, NULL for the default */

  gulong            event_handler;
  gboolean          progress;
  gboolean          interrupted;
};

/* Width of the node column of progress lines; longer keys push the rest right. */
#define PROGRESS_KEY_WIDTH 18

/* An execution counts as settled for the command line when nothing more happens without
 * a person: finished, or paused on an approval. */
static gboolean
execution_is_settled (DecaExecution *execution)
{
  return deca_execution_is_finished (execution) ||
         deca_execution_get_status (execution) == DECA_EXECUTION_PAUSED;
}

static gboolean
runner_all_settled (DecaCliRunner *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    if (!execution_is_settled (g_ptr_array_index (self->watched, i)))
      return FALSE;
  return TRUE;
}

static void
runner_check_settled (DecaCliRunner *self)
{
  if (runner_all_settled (self) && g_main_loop_is_running (self->loop))
    g_main_loop_quit (self->loop);
}

static void
execution_status_cb (DecaExecution *execution,
                     GParamSpec    *pspec,
                     DecaCliRunner *self)
{
  runner_check_settled (self);
}

/* Formats the text after the node key of a progress line, or NULL for events that have
 * none (execution-level and bookkeeping events). */
static char *
progress_text (const DecaEvent *event)
{
  const char *mark;
  g_autofree char *detail = NULL;

  switch (event->type)
    {
    case DECA_EVENT_NODE_SUCCEEDED:
      mark = "✓";
      detail = deca_cli_format_duration (event->duration_us);
      break;
    case DECA_EVENT_NODE_FAILED:
      mark = "✗";
      /* Translators: progress of a node that failed; %s is the error message. */
      detail = g_strdup_printf (_("failed: %s"),
                                event->error_message ? event->error_message : _("unknown error"));
      break;
    case DECA_EVENT_NODE_RETRYING:
      /* The event carries the attempt that failed; people count the one to come. */
      mark = "↻";
      /* Translators: progress of a node that failed and runs again: %d is the attempt to
       * come, %.1f the delay in seconds, %s the error message. */
      detail = g_strdup_printf (_("retry %d in %.1f s: %s"), event->attempt + 1,
                                event->delay_us / (double) G_USEC_PER_SEC,
                                event->error_message ? event->error_message : _("failed"));
      break;
    case DECA_EVENT_NODE_PAUSED:
      mark = "⏸";
      /* Translators: progress of an approval node; %s is its message to the approver. */
      detail = g_strdup_printf (_("waiting for approval: %s"), event->message ? event->message : "");
      break;
    case DECA_EVENT_NODE_SKIPPED:
      mark = "–";
      /* Translators: progress of a node on a branch that was not taken. */
      detail = g_strdup (_("skipped"));
      break;
    case DECA_EVENT_NODE_LOG:
      /* The level (info, warning, error) is the flow's own word and stays as it is. */
      mark = "·";
      detail = g_strdup_printf ("%s: %s", event->level ? event->level : "info",
                                event->message ? event->message : "");
      break;
    case DECA_EVENT_EXECUTION_STARTED:
    case DECA_EVENT_EXECUTION_RESUMED:
    case DECA_EVENT_EXECUTION_PAUSED:
    case DECA_EVENT_EXECUTION_FINISHED:
    case DECA_EVENT_NODE_QUEUED:
    case DECA_EVENT_NODE_STARTED:
    default:
      return NULL;
    }
  return g_strdup_printf ("%s %-*s  %s", mark, PROGRESS_KEY_WIDTH, event->node_key, detail);
}

static void
executor_event_cb (DecaExecutor  *executor,
                   gpointer       data,
                   DecaCliRunner *self)
{
  const DecaEvent *event = data;
  g_autofree char *text = NULL;

  if (!self->progress || event->node_key == NULL)
    return;
  text = progress_text (event);
  if (text == NULL)
    return;
  /* With several executions at once (deca run resuming others), the first block of the
   * id tells whose node it is. */
  if (self->watched->len > 1)
    fprintf (stderr, "  [%.8s] %s\n", event->execution_id, text);
  else
    fprintf (stderr, "  %s\n", text);
  fflush (stderr);
}

static gboolean
signal_cb (gpointer user_data)
{
  DecaCliRunner *self = user_data;

  if (!self->interrupted)
    deca_cli_error (_("interrupted; cancelling the running executions"));
  self->interrupted = TRUE;
  for (guint i = 0; i < self->watched->len; i++)
    {
      DecaExecution *execution = g_ptr_array_index (self->watched, i);

      /* A paused execution waits for a person, not for this process: leave it paused. */
      if (!execution_is_settled (execution))
        deca_execution_cancel (execution);
    }
  runner_check_settled (self);
  return G_SOURCE_CONTINUE;
}

DecaCliRunner *
deca_cli_runner_new (const DecaCliRunnerOptions  *options,
                     GError                     **error)
{
  g_autoptr(DecaCliRunner) self = g_new0 (DecaCliRunner, 1);
  g_autoptr(DecaCredentialProvider) credentials = NULL;
  g_autoptr(GError) local_error = NULL;

  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->loop = g_main_loop_new (NULL, FALSE);
  self->db_path = g_strdup (options->db_path);
  self->progress = !options->quiet && (options->progress || isatty (STDERR_FILENO));

  credentials = deca_cli_load_credentials (options->credentials_path, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  self->store = deca_cli_open_store (options->db_path, error);
  if (self->store == NULL)
    return NULL;

  self->registry = deca_node_registry_new_builtin ();
  self->executor = deca_executor_new (self->registry);
  deca_executor_set_store (self->executor, self->store);
  if (credentials != NULL)
    deca_executor_set_credential_provider (self->executor, credentials);
  self->event_handler = g_signal_connect (self->executor, "event", G_CALLBACK (executor_event_cb), self);
  return g_steal_pointer (&self);
}

void
deca_cli_runner_free (DecaCliRunner *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; self->watched != NULL && i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i), execution_status_cb, self);
  g_clear_pointer (&self->watched, g_ptr_array_unref);
  g_clear_signal_handler (&self->event_handler, self->executor);
  g_clear_object (&self->executor);
  g_clear_object (&self->registry);
  g_clear_object (&self->store);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_free (self->db_path);
  g_free (self);
}

DecaExecutor *
deca_cli_runner_get_executor (DecaCliRunner *self)
{
  return self->executor;
}

DecaStore *
deca_cli_runner_get_store (DecaCliRunner *self)
{
  return self->store;
}

void
deca_cli_runner_watch (DecaCliRunner *self,
                       DecaExecution *execution)
{
  if (g_ptr_array_find (self->watched, execution, NULL))
    return;
  g_ptr_array_add (self->watched, g_object_ref (execution));
  g_signal_connect (execution, "notify::status", G_CALLBACK (execution_status_cb), self);
}

GPtrArray *
deca_cli_runner_resume_interrupted (DecaCliRunner  *self,
                                    GError        **error)
{
  /* The executor takes over only executions whose process is gone, and marks the ones
   * that can never resume as failed instead of stopping at them. */
  g_autoptr(GPtrArray) resumed = deca_executor_resume_all (self->executor, error);

  if (resumed == NULL)
    return NULL;
  for (guint i = 0; i < resumed->len; i++)
    {
      DecaExecution *execution = g_ptr_array_index (resumed, i);

      deca_cli_note (_("resuming execution %s interrupted earlier"), deca_execution_get_id (execution));
      deca_cli_runner_watch (self, execution);
    }
  return g_steal_pointer (&resumed);
}

gboolean
deca_cli_runner_run (DecaCliRunner *self)
{
  g_autoptr(GError) error = NULL;
  guint sigint_id;
  guint sigterm_id;

  sigint_id = g_unix_signal_add (SIGINT, signal_cb, self);
  sigterm_id = g_unix_signal_add (SIGTERM, signal_cb, self);
  if (!runner_all_settled (self))
    g_main_loop_run (self->loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  /* The executor commits at the end of each main-loop turn; the loop stopped right after
   * the last change, so commit what is pending before the process ends. */
  if (!deca_executor_flush (self->executor, &error))
    /* Translators: the first %s is the database path, the second the reason. */
    deca_cli_error (_("cannot save the last state of the executions to %s: %s"),
                    deca_store_get_path (self->store), error->message);
  return !self->interrupted;
}

int
deca_cli_execution_exit_status (DecaExecution *execution)
{
  switch (deca_execution_get_status (execution))
    {
    case DECA_EXECUTION_SUCCEEDED:
      return DECA_CLI_EXIT_OK;
    case DECA_EXECUTION_PAUSED:
      return DECA_CLI_EXIT_PAUSED;
    case DECA_EXECUTION_PENDING:
    case DECA_EXECUTION_RUNNING:
    case DECA_EXECUTION_FAILED:
    case DECA_EXECUTION_CANCELLED:
    default:
      return DECA_CLI_EXIT_FAILED;
    }
}

static JsonNode *
error_to_json (DecaExecution *execution)
{
  const GError *error = deca_execution_get_error (execution);
  const char *node = deca_execution_get_error_node (execution);
  g_autoptr(JsonBuilder) builder = NULL;

  if (error == NULL)
    return json_node_init_null (json_node_alloc ());
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, error->domain == DECA_ENGINE_ERROR
                                          ? deca_engine_error_code_name (error->code) : "error");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  json_builder_set_member_name (builder, "node");
  if (node != NULL)
    json_builder_add_string_value (builder, node);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
copy_or_null (JsonNode *node)
{
  return node != NULL ? json_node_copy (node) : json_node_init_null (json_node_alloc ());
}

JsonNode *
deca_cli_execution_to_json (DecaExecution *execution)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GPtrArray) waiting = deca_execution_list_waiting_approvals (execution);
  JsonArray *waiting_array = json_array_sized_new (waiting->len);
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "execution_id", deca_execution_get_id (execution));
  json_object_set_string_member (object, "flow_id", deca_flow_get_id (deca_execution_get_flow (execution)));
  json_object_set_string_member (object, "status",
                                 deca_execution_status_to_string (deca_execution_get_status (execution)));
  json_object_set_member (object, "output", copy_or_null (deca_execution_get_output (execution)));
  json_object_set_member (object, "response", copy_or_null (deca_execution_get_response (execution)));
  json_object_set_member (object, "error", error_to_json (execution));
  for (guint i = 0; i < waiting->len; i++)
    json_array_add_string_element (waiting_array, g_ptr_array_index (waiting, i));
  json_object_set_array_member (object, "waiting", waiting_array);
  json_node_set_object (node, object);
  return node;
}

/* Quotes @word for a shell only when it needs it, so that the common case stays readable. */
static char *
shell_word (const char *word)
{
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_./:=@%+,", *p) == NULL)
      return g_shell_quote (word);
  return *word != '\0' ? g_strdup (word) : g_shell_quote (word);
}

void
deca_cli_runner_print_waiting (DecaCliRunner *self,
                               DecaExecution *execution)
{
  g_autoptr(GPtrArray) waiting = deca_execution_list_waiting_approvals (execution);
  const char *id = deca_execution_get_id (execution);
  /* The command must reach the same database to find the execution; an in-memory one is
   * gone with this process, and saying so beats printing a command that cannot work. */
  gboolean in_memory = g_strcmp0 (self->db_path, ":memory:") == 0;
  g_autofree char *db = NULL;

  if (self->db_path != NULL && !in_memory)
    {
      g_autofree char *quoted = shell_word (self->db_path);

      db = g_strconcat (" --db ", quoted, NULL);
    }
  for (guint i = 0; i < waiting->len; i++)
    {
      const char *node = g_ptr_array_index (waiting, i);
      g_autofree char *quoted = shell_word (node);
      g_autofree char *command = g_strdup_printf ("deca approve %s %s%s", id, quoted, db ? db : "");

      if (in_memory)
        /* Translators: the first %s is an execution id, the second a node, the third the
         * command that approves it. Keep "--db :memory:". */
        deca_cli_error (_("execution %s is waiting for approval of %s; run: %s "
                          "(not with --db :memory:, which keeps nothing once deca exits)"),
                        id, node, command);
      else
        /* Translators: the first %s is an execution id, the second a node, the third the
         * command that approves it. */
        deca_cli_error (_("execution %s is waiting for approval of %s; run: %s"), id, node, command);
    }
}

int
deca_cli_runner_report (DecaCliRunner *self,
                        DecaExecution *execution,
                        gboolean       json)
{
  int status = deca_cli_execution_exit_status (execution);
  const GError *error = deca_execution_get_error (execution);
  const char *node = deca_execution_get_error_node (execution);
  const char *id = deca_execution_get_id (execution);

  if (json)
    {
      g_autoptr(JsonNode) result = deca_cli_execution_to_json (execution);

      deca_cli_print_json (result, TRUE);
      /* stdout is for programs; the way on is for the person at the terminal. */
      if (status == DECA_CLI_EXIT_PAUSED)
        deca_cli_runner_print_waiting (self, execution);
      return status;
    }

  switch (deca_execution_get_status (execution))
    {
    case DECA_EXECUTION_SUCCEEDED:
      deca_cli_print_json (deca_execution_get_output (execution), TRUE);
      break;
    case DECA_EXECUTION_PAUSED:
      deca_cli_runner_print_waiting (self, execution);
      break;
    case DECA_EXECUTION_CANCELLED:
      deca_cli_error (_("execution %s was cancelled"), id);
      break;
    case DECA_EXECUTION_PENDING:
    case DECA_EXECUTION_RUNNING:
    case DECA_EXECUTION_FAILED:
    default:
      if (node != NULL)
        /* Translators: the first %s is an execution id, the second a node, the third the
         * error message. */
        deca_cli_error (_("execution %s failed at node %s: %s"), id, node,
                        error ? error->message : _("unknown error"));
      else
        /* Translators: the first %s is an execution id, the second the error message. */
        deca_cli_error (_("execution %s failed: %s"), id, error ? error->message : _("unknown error"));
      break;
    }
  return status;
}
