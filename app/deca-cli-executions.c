/* deca-cli-executions.c: `deca executions list` and `deca executions show`, read-only views
 * of the executions in the store. */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "deca-cli.h"

/* How many characters of an output or error the table view of `show` keeps. */
#define CELL_MAX 60

static const char * const statuses[] = {
  DECA_STATUS_PENDING, DECA_STATUS_RUNNING, DECA_STATUS_PAUSED,
  DECA_STATUS_SUCCEEDED, DECA_STATUS_FAILED, DECA_STATUS_CANCELLED,
};

static DecaStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_cli_open_store (path, &error);

  if (store == NULL)
    deca_cli_error ("%s", error->message);
  return store;
}

static void
set_time_member (JsonObject *object,
                 const char *name,
                 gint64      time_us)
{
  char buffer[40];

  if (time_us <= 0)
    {
      json_object_set_null_member (object, name);
      return;
    }
  deca_format_time_iso8601 (time_us, buffer, sizeof buffer);
  json_object_set_string_member (object, name, buffer);
}

static void
set_nullable_string (JsonObject *object,
                     const char *name,
                     const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

static gint64
duration_of (gint64 started_at,
             gint64 finished_at)
{
  return started_at > 0 && finished_at >= started_at ? finished_at - started_at : -1;
}

static JsonNode *
execution_record_to_json (const DecaExecutionRecord *record)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  gint64 duration = duration_of (record->started_at, record->finished_at);

  json_object_set_string_member (object, "id", record->id);
  json_object_set_string_member (object, "flow_id", record->flow_id);
  json_object_set_int_member (object, "flow_version", record->flow_version);
  set_nullable_string (object, "parent_id", record->parent_id);
  set_nullable_string (object, "parent_node", record->parent_node);
  json_object_set_string_member (object, "status", record->status);
  json_object_set_member (object, "input", deca_cli_json_from_text (record->input));
  json_object_set_member (object, "output", deca_cli_json_from_text (record->output));
  json_object_set_member (object, "error", deca_cli_json_from_text (record->error));
  json_object_set_member (object, "trigger", deca_cli_json_from_text (record->trigger));
  set_time_member (object, "created_at", record->created_at);
  set_time_member (object, "started_at", record->started_at);
  set_time_member (object, "finished_at", record->finished_at);
  if (duration >= 0)
    json_object_set_int_member (object, "duration_ms", duration / 1000);
  else
    json_object_set_null_member (object, "duration_ms");
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
node_result_to_json (const DecaNodeResultRecord *record)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  gint64 duration = duration_of (record->started_at, record->finished_at);

  json_object_set_string_member (object, "node_key", record->node_key);
  json_object_set_string_member (object, "node_id", record->node_id);
  json_object_set_string_member (object, "status", record->status);
  set_nullable_string (object, "port", record->port);
  json_object_set_int_member (object, "attempts", record->attempts);
  json_object_set_member (object, "input", deca_cli_json_from_text (record->input));
  json_object_set_member (object, "output", deca_cli_json_from_text (record->output));
  json_object_set_member (object, "error", deca_cli_json_from_text (record->error));
  set_time_member (object, "started_at", record->started_at);
  set_time_member (object, "finished_at", record->finished_at);
  if (duration >= 0)
    json_object_set_int_member (object, "duration_ms", duration / 1000);
  else
    json_object_set_null_member (object, "duration_ms");
  json_node_take_object (node, object);
  return node;
}

/* The header of the table of `executions list`; the columns are as wide as in the rows. */
static void
print_list_header (void)
{
  /* Translators: the column headers of deca executions list; the columns are 36, 24, 9
   * and 19 characters wide. STATUS heads status words that are not translated. */
  g_autofree char *id = deca_cli_pad_end (_("ID"), 36);
  g_autofree char *flow = deca_cli_pad_end (_("FLOW"), 24);
  g_autofree char *status = deca_cli_pad_end (_("STATUS"), 9);
  g_autofree char *started = deca_cli_pad_end (_("STARTED"), 19);

  printf ("%s  %s  %s  %s  %s\n", id, flow, status, started, _("DURATION"));
}

static int
executions_list (int    argc,
                 char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *status = NULL;
  int limit = 20;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_("The database (default: $XDG_DATA_HOME/deca-studio/deca.db)"),
      N_("PATH") },
    { "status", 's', 0, G_OPTION_ARG_STRING, &status,
      /* Translators: the statuses in parentheses are values of --status; keep them. */
      N_("Only executions with this status (pending, running, paused, succeeded, failed, cancelled)"),
      N_("STATUS") },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("At most N executions, newest first (default 20, 0 for all)"),
      /* Translators: the placeholder of --limit, a number. */
      N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the execution records as a JSON array"), NULL },
    { NULL }
  };
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  gboolean known = FALSE;

  if (!deca_cli_parse_options ("executions list", NULL, N_("Lists executions, newest first."), entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (argc > 1)
    {
      deca_cli_error (_("executions list: unexpected argument '%s'"), argv[1]);
      return DECA_CLI_EXIT_USAGE;
    }
  if (limit < 0)
    {
      deca_cli_error (_("executions list: --limit must be 0 or more, got %d"), limit);
      return DECA_CLI_EXIT_USAGE;
    }
  for (gsize i = 0; status != NULL && i < G_N_ELEMENTS (statuses); i++)
    known |= g_str_equal (status, statuses[i]);
  if (status != NULL && !known)
    {
      /* Translators: the statuses are values of --status; keep them. */
      deca_cli_error (_("executions list: unknown --status '%s'; use pending, running, paused, succeeded, "
                        "failed or cancelled"), status);
      return DECA_CLI_EXIT_USAGE;
    }

  store = open_store (db);
  if (store == NULL)
    return DECA_CLI_EXIT_USAGE;
  records = deca_store_list_executions (store, status, (guint) limit, &error);
  if (records == NULL)
    {
      /* Translators: the first %s is the database path, the second the reason. */
      deca_cli_error (_("cannot list the executions in %s: %s"), deca_store_get_path (store), error->message);
      return DECA_CLI_EXIT_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (records->len);

      for (guint i = 0; i < records->len; i++)
        json_array_add_element (array, execution_record_to_json (g_ptr_array_index (records, i)));
      json_node_take_array (root, array);
      deca_cli_print_json (root, TRUE);
      return DECA_CLI_EXIT_OK;
    }

  print_list_header ();
  for (guint i = 0; i < records->len; i++)
    {
      DecaExecutionRecord *record = g_ptr_array_index (records, i);
      g_autofree char *started = deca_cli_format_time (record->started_at);
      g_autofree char *duration = deca_cli_format_duration (duration_of (record->started_at, record->finished_at));
      g_autofree char *flow = g_strdup_printf ("%s v%" G_GINT64_FORMAT, record->flow_id, record->flow_version);

      printf ("%-36s  %-24s  %-9s  %-19s  %s\n", record->id, flow, record->status, started, duration);
    }
  fflush (stdout);
  return DECA_CLI_EXIT_OK;
}

/* One line of the event list of `show --events`: seq, time, type, node and the detail
 * that matters for the type. */
static void
print_event (const DecaEventRecord *record)
{
  g_autofree char *full = deca_event_expand_stored (record->execution_id, record->seq, record->type,
                                                    record->time, record->payload);
  g_autoptr(JsonNode) payload = deca_cli_json_from_text (full);
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (payload) ? json_node_get_object (payload) : NULL;
  const char *node = object ? json_object_get_string_member_with_default (object, "node_key", "") : "";
  const char *detail = NULL;
  g_autofree char *time = deca_cli_format_time (record->time);
  g_autofree char *cell = NULL;

  if (object != NULL)
    {
      JsonObject *failure = json_object_has_member (object, "error") &&
                            JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "error"))
                            ? json_object_get_object_member (object, "error") : NULL;

      detail = failure ? json_object_get_string_member_with_default (failure, "message", NULL) : NULL;
      if (detail == NULL)
        detail = json_object_get_string_member_with_default (object, "message", NULL);
      if (detail == NULL)
        detail = json_object_get_string_member_with_default (object, "status", NULL);
      if (detail == NULL)
        detail = json_object_get_string_member_with_default (object, "port", NULL);
    }
  cell = deca_cli_truncate (detail, CELL_MAX);
  printf ("%5" G_GINT64_FORMAT "  %s  %-18s  %-20s  %s\n", record->seq, time, record->type, node, cell);
}

/* The labels of the fields `executions show` prints, all padded to the widest. */
static const char * const field_labels[] = {
  /* Translators: the labels of the fields of deca executions show. */
  N_("Execution"), N_("Flow"), N_("Parent"), N_("Status"), N_("Started"), N_("Finished"),
  N_("Duration"), N_("Error"),
};

/* Prints "LABEL  VALUE" with @label (one of field_labels, untranslated: the array marks
 * them for xgettext) translated, and the values of all fields in one column. */
static void
print_field (const char *label,
             const char *value)
{
  g_autofree char *padded = NULL;
  guint width = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (field_labels); i++)
    width = MAX (width, deca_cli_text_width (_(field_labels[i])));
  padded = deca_cli_pad_end (_(label), width);
  printf ("%s  %s\n", padded, value);
}

/* The header of the node results of `executions show`, @node_header in a column of
 * @key_width. */
static void
print_results_header (const char *node_header,
                      int         key_width)
{
  g_autofree char *node = deca_cli_pad_end (node_header, (guint) key_width);
  /* Translators: the column headers of the node results of deca executions show; the
   * columns are 9, 10, 8 and 9 characters wide. */
  g_autofree char *status = deca_cli_pad_end (_("STATUS"), 9);
  g_autofree char *port = deca_cli_pad_end (_("PORT"), 10);
  g_autofree char *attempts = deca_cli_pad_end (_("ATTEMPTS"), 8);
  g_autofree char *duration = deca_cli_pad_end (_("DURATION"), 9);

  printf ("\n%s  %s  %s  %s  %s  %s\n", node, status, port, attempts, duration, _("OUTPUT / ERROR"));
}

/* The header of the event list of `executions show --events`. */
static void
print_events_header (void)
{
  /* Translators: the column headers of the events of deca executions show; the columns
   * are 5 (right-aligned), 19, 18 and 20 characters wide. */
  g_autofree char *seq = deca_cli_pad_start (_("SEQ"), 5);
  g_autofree char *time = deca_cli_pad_end (_("TIME"), 19);
  g_autofree char *type = deca_cli_pad_end (_("TYPE"), 18);
  g_autofree char *node = deca_cli_pad_end (_("NODE"), 20);

  printf ("\n%s  %s  %s  %s  %s\n", seq, time, type, node, _("DETAIL"));
}

static void
print_execution (const DecaExecutionRecord *record,
                 GPtrArray                 *results,
                 GPtrArray                 *events)
{
  g_autofree char *started = deca_cli_format_time (record->started_at);
  g_autofree char *finished = deca_cli_format_time (record->finished_at);
  g_autofree char *duration = deca_cli_format_duration (duration_of (record->started_at, record->finished_at));
  g_autofree char *flow = NULL;
  g_autofree char *parent = NULL;
  /* Translators: a column header of deca executions show: a node of the flow. */
  const char *node_header = _("NODE");
  int key_width = MAX (4, (int) deca_cli_text_width (node_header));

  /* Translators: the value of the Flow field of deca executions show: %s is the flow id,
   * %lld its version. */
  flow = g_strdup_printf (_("%s (version %lld)"), record->flow_id, (long long) record->flow_version);
  if (record->parent_id != NULL)
    /* Translators: the value of the Parent field of deca executions show: the first %s is
     * the parent execution, the second the node of it that runs this one. */
    parent = g_strdup_printf (_("%s (node %s)"), record->parent_id,
                              record->parent_node ? record->parent_node : "?");

  print_field ("Execution", record->id);
  print_field ("Flow", flow);
  if (parent != NULL)
    print_field ("Parent", parent);
  /* The value is the status word scripts and the docs use: not translated. */
  print_field ("Status", record->status);
  print_field ("Started", started);
  print_field ("Finished", finished);
  print_field ("Duration", duration);
  if (record->error != NULL)
    print_field ("Error", record->error);

  for (guint i = 0; i < results->len; i++)
    key_width = MAX (key_width, (int) g_utf8_strlen (((DecaNodeResultRecord *) g_ptr_array_index (results, i))->node_key, -1));
  print_results_header (node_header, key_width);
  for (guint i = 0; i < results->len; i++)
    {
      DecaNodeResultRecord *result = g_ptr_array_index (results, i);
      g_autofree char *node_duration = deca_cli_format_duration (duration_of (result->started_at, result->finished_at));
      g_autofree char *cell = deca_cli_truncate (result->error ? result->error : result->output, CELL_MAX);

      printf ("%-*s  %-9s  %-10s  %-8d  %-9s  %s\n", key_width, result->node_key, result->status,
              result->port ? result->port : "-", result->attempts, node_duration, cell);
    }

  if (events != NULL)
    {
      print_events_header ();
      for (guint i = 0; i < events->len; i++)
        print_event (g_ptr_array_index (events, i));
    }
  fflush (stdout);
}

static int
executions_show (int    argc,
                 char **argv)
{
  g_autofree char *db = NULL;
  gboolean json = FALSE;
  gboolean with_events = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_("The database (default: $XDG_DATA_HOME/deca-studio/deca.db)"),
      N_("PATH") },
    { "events", 'e', 0, G_OPTION_ARG_NONE, &with_events, N_("Also list the execution's events"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print everything, untruncated, as one JSON object"), NULL },
    { NULL }
  };
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;

  /* Translators: the placeholder of deca executions show: an execution id. */
  if (!deca_cli_parse_options ("executions show", N_("EXECUTION"),
                               N_("Shows an execution and the result of each of its nodes."), entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      if (argc < 2)
        deca_cli_error (_("executions show: no EXECUTION given; run 'deca executions list' for the ids"));
      else
        deca_cli_error (_("executions show: unexpected argument '%s'"), argv[2]);
      return DECA_CLI_EXIT_USAGE;
    }

  store = open_store (db);
  if (store == NULL)
    return DECA_CLI_EXIT_USAGE;
  record = deca_store_get_execution (store, argv[1], &error);
  if (record != NULL)
    results = deca_store_list_node_results (store, argv[1], &error);
  if (results != NULL && with_events)
    events = deca_event_list_history (store, argv[1], &error);
  if (error != NULL)
    {
      deca_cli_error ("executions show: %s", error->message);
      return DECA_CLI_EXIT_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      JsonArray *array = json_array_sized_new (results->len);

      json_object_set_member (object, "execution", execution_record_to_json (record));
      for (guint i = 0; i < results->len; i++)
        json_array_add_element (array, node_result_to_json (g_ptr_array_index (results, i)));
      json_object_set_array_member (object, "node_results", array);
      if (events != NULL)
        {
          array = json_array_sized_new (events->len);
          for (guint i = 0; i < events->len; i++)
            {
              DecaEventRecord *event = g_ptr_array_index (events, i);
              g_autofree char *full = deca_event_expand_stored (event->execution_id, event->seq, event->type,
                                                                event->time, event->payload);

              json_array_add_element (array, deca_cli_json_from_text (full));
            }
          json_object_set_array_member (object, "events", array);
        }
      json_node_set_object (root, object);
      deca_cli_print_json (root, TRUE);
      return DECA_CLI_EXIT_OK;
    }
  print_execution (record, results, events);
  return DECA_CLI_EXIT_OK;
}

int
deca_cli_executions (int    argc,
                     char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      if (argc >= 2)
        {
          /* Translators: translate only the placeholders in capitals (PATH, STATUS, N,
           * EXECUTION) of the two synopses, and the last line. */
          fputs (_("Usage:\n"
                   "  deca executions list [--db PATH] [--status STATUS] [--limit N] [--json]\n"
                   "  deca executions show EXECUTION [--db PATH] [--events] [--json]\n"
                   "\n"
                   "Run 'deca executions list --help' or 'deca executions show --help' for details.\n"),
                 stdout);
          return DECA_CLI_EXIT_OK;
        }
      deca_cli_error (_("executions: no subcommand given; use 'deca executions list' or 'deca executions show ID'"));
      return DECA_CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "list"))
    return executions_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "show"))
    return executions_show (argc - 1, argv + 1);
  /* Translators: list and show are subcommands; keep them. */
  deca_cli_error (_("executions: unknown subcommand '%s'; use list or show"), argv[1]);
  return DECA_CLI_EXIT_USAGE;
}
