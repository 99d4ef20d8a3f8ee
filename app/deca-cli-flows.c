/* deca-cli-flows.c: `deca flows list|save|show`, the flows kept in the store. Subflow nodes
 * run flows from there, so this is how a flow gets in without running it. */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "deca-cli.h"

static int
flows_save (int    argc,
            char **argv)
{
  g_autofree char *db = NULL;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_("The database (default: $XDG_DATA_HOME/deca-studio/deca.db)"),
      /* Translators: a placeholder in --help. */
      N_("PATH") },
    { NULL }
  };
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status = DECA_CLI_EXIT_OK;

  /* Translators: FILE is a placeholder in the synopsis of deca flows save. */
  if (!deca_cli_parse_options ("flows save", N_("FILE..."),
                               N_("Validates flow files and stores each as a new version of its flow\n"
                                  "(unchanged content keeps its version). Subflow nodes run stored flows."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (argc < 2)
    {
      deca_cli_error (_("flows save: no FILE given; run 'deca flows save --help'"));
      return DECA_CLI_EXIT_USAGE;
    }
  store = deca_cli_open_store (db, &error);
  if (store == NULL)
    {
      deca_cli_error ("%s", error->message);
      return DECA_CLI_EXIT_USAGE;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(DecaFlow) flow = NULL;
      g_autofree char *document = NULL;
      int file_status = DECA_CLI_EXIT_OK;
      gint64 version = 0;

      /* An invalid flow is never stored: a subflow would only fail later. */
      flow = deca_cli_load_valid_flow (argv[i], &file_status);
      if (flow == NULL)
        {
          status = MAX (status, file_status);
          continue;
        }
      document = deca_flow_to_data (flow, FALSE, NULL);
      if (!deca_store_save_flow (store, deca_flow_get_id (flow), deca_flow_get_name (flow),
                                 document, &version, &error))
        {
          deca_cli_error ("%s: %s", argv[i], error->message);
          g_clear_error (&error);
          status = DECA_CLI_EXIT_FAILED;
          continue;
        }
      /* Machine-readable: FILE: ID version N. */
      printf ("%s: %s version %lld\n", argv[i], deca_flow_get_id (flow), (long long) version);
    }
  return status;
}

/* Orders DecaFlowSummary pointers by id, bytewise as SQLite's ORDER BY id did. */
static int
compare_summary_ids (gconstpointer a,
                     gconstpointer b)
{
  const DecaFlowSummary *x = *(const DecaFlowSummary * const *) a;
  const DecaFlowSummary *y = *(const DecaFlowSummary * const *) b;

  return strcmp (x->id, y->id);
}

static int
flows_list (int    argc,
            char **argv)
{
  g_autofree char *db = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_("The database (default: $XDG_DATA_HOME/deca-studio/deca.db)"),
      N_("PATH") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      /* Translators: id, version and name are JSON member names; keep them. */
      N_("Print a JSON array of {id, version, name}"), NULL },
    { NULL }
  };
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GPtrArray) flows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) array = NULL;

  if (!deca_cli_parse_options ("flows list", NULL, N_("Lists the stored flows with their latest version."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (argc > 1)
    {
      deca_cli_error (_("flows list: unexpected argument '%s'"), argv[1]);
      return DECA_CLI_EXIT_USAGE;
    }
  /* The summaries carry each latest version's name (kept at save time), so listing
   * reads no document. */
  store = deca_cli_open_store (db, &error);
  if (store == NULL || (flows = deca_store_list_flow_summaries (store, &error)) == NULL)
    {
      deca_cli_error ("%s", error->message);
      return store == NULL ? DECA_CLI_EXIT_USAGE : DECA_CLI_EXIT_FAILED;
    }
  /* By id, as this command has always listed them (the summaries are newest first). */
  g_ptr_array_sort (flows, compare_summary_ids);

  if (json)
    array = json_array_new ();
  else if (flows->len > 0)
    {
      /* Translators: the column headers of deca flows list; 32 and 7 characters wide. */
      g_autofree char *id = deca_cli_pad_end (_("ID"), 32);
      g_autofree char *version = deca_cli_pad_end (_("VERSION"), 7);

      printf ("%s  %s  %s\n", id, version, _("NAME"));
    }
  for (guint i = 0; i < flows->len; i++)
    {
      const DecaFlowSummary *flow = g_ptr_array_index (flows, i);
      /* The document's own name: a flow saved without one prints none. */
      const char *name = flow->document_name ? flow->document_name : "";

      if (json)
        {
          JsonObject *object = json_object_new ();

          json_object_set_string_member (object, "id", flow->id);
          json_object_set_int_member (object, "version", flow->latest_version);
          json_object_set_string_member (object, "name", name);
          json_array_add_object_element (array, object);
        }
      else
        {
          g_autofree char *id_cell = deca_cli_pad_end (flow->id, 32);

          printf ("%s  %-7lld  %s\n", id_cell, (long long) flow->latest_version, name);
        }
    }
  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      json_node_set_array (root, array);
      deca_cli_print_json (root, TRUE);
    }
  return DECA_CLI_EXIT_OK;
}

static int
flows_show (int    argc,
            char **argv)
{
  g_autofree char *db = NULL;
  int version = 0;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_("The database (default: $XDG_DATA_HOME/deca-studio/deca.db)"),
      N_("PATH") },
    { "version", 0, 0, G_OPTION_ARG_INT, &version, N_("The version to show (default: the latest)"),
      /* Translators: a placeholder in --help. */
      N_("N") },
    { NULL }
  };
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *document = NULL;
  g_autoptr(JsonNode) root = NULL;

  /* Translators: ID is a placeholder in the synopsis of deca flows show. */
  if (!deca_cli_parse_options ("flows show", N_("ID"), N_("Prints a stored flow document."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      if (argc < 2)
        deca_cli_error (_("flows show: no flow ID given; run 'deca flows show --help'"));
      else
        deca_cli_error (_("flows show: unexpected argument '%s'"), argv[2]);
      return DECA_CLI_EXIT_USAGE;
    }
  if (version < 0)
    {
      deca_cli_error (_("flows show: --version must be 1 or more"));
      return DECA_CLI_EXIT_USAGE;
    }
  store = deca_cli_open_store (db, &error);
  if (store == NULL)
    {
      deca_cli_error ("%s", error->message);
      return DECA_CLI_EXIT_USAGE;
    }
  document = deca_store_load_flow (store, argv[1], version, NULL, &error);
  if (document == NULL)
    {
      deca_cli_error ("%s", error->message);
      return DECA_CLI_EXIT_FAILED;
    }
  root = json_from_string (document, NULL);
  if (root == NULL)
    {
      fputs (document, stdout);
      fputc ('\n', stdout);
      return DECA_CLI_EXIT_OK;
    }
  deca_cli_print_json (root, TRUE);
  return DECA_CLI_EXIT_OK;
}

int
deca_cli_flows (int    argc,
                char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      if (argc >= 2)
        {
          /* Translators: translate only the placeholders in capitals (PATH, FILE, ID, N) of
           * the synopses, and the last line. */
          fputs (_("Usage:\n"
                   "  deca flows list [--db PATH] [--json]\n"
                   "  deca flows save FILE... [--db PATH]\n"
                   "  deca flows show ID [--version N] [--db PATH]\n"
                   "\n"
                   "Run 'deca flows SUBCOMMAND --help' for details.\n"),
                 stdout);
          return DECA_CLI_EXIT_OK;
        }
      deca_cli_error (_("flows: no subcommand given; use 'deca flows list', 'save FILE' or 'show ID'"));
      return DECA_CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "list"))
    return flows_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "save"))
    return flows_save (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "show"))
    return flows_show (argc - 1, argv + 1);
  /* Translators: list, save and show are subcommands; keep them. */
  deca_cli_error (_("flows: unknown subcommand '%s'; use list, save or show"), argv[1]);
  return DECA_CLI_EXIT_USAGE;
}
