/* deca-cli-validate.c: `deca validate` and `deca node-types`, the two commands that read
 * flows and node types without running anything. */

#include "config.h"

#include <stdio.h>

#include "deca-cli.h"

/* Adds the problems of one file to @json_problems, or prints them as FILE: POINTER:
 * MESSAGE lines. Returns the exit status this file stands for. */
static int
validate_file (const char       *path,
               DecaNodeRegistry *registry,
               JsonArray        *json_problems)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  contents = deca_cli_read_text_file (path, &length, &error);
  if (contents == NULL)
    {
      deca_cli_error ("%s", error->message);
      return DECA_CLI_EXIT_USAGE;
    }

  problems = deca_validate_flow_data (contents, length, registry);
  for (guint i = 0; i < problems->len; i++)
    {
      DecaValidationProblem *problem = g_ptr_array_index (problems, i);

      if (json_problems != NULL)
        {
          JsonObject *object = json_object_new ();

          json_object_set_string_member (object, "file", path);
          json_object_set_string_member (object, "pointer", problem->pointer);
          json_object_set_string_member (object, "message", problem->message);
          json_array_add_object_element (json_problems, object);
        }
      else
        {
          /* "" (the whole document) is printed as "/" so that every line has three
           * fields a script can split on ": ". */
          printf ("%s: %s: %s\n", path, *problem->pointer != '\0' ? problem->pointer : "/",
                  problem->message);
        }
    }
  /* "valid" is not translated: scripts read it (docs/cli.md). */
  if (problems->len == 0 && json_problems == NULL)
    printf ("%s: valid\n", path);
  return problems->len > 0 ? DECA_CLI_EXIT_FAILED : DECA_CLI_EXIT_OK;
}

int
deca_cli_validate (int    argc,
                   char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      /* Translators: file, pointer and message are JSON member names; keep them. */
      N_("Print the problems as a JSON array of {file, pointer, message}"), NULL },
    { NULL }
  };
  g_autoptr(DecaNodeRegistry) registry = NULL;
  g_autoptr(JsonArray) json_problems = NULL;
  int status = DECA_CLI_EXIT_OK;

  /* Translators: FILE is a placeholder in the synopsis of deca validate. */
  if (!deca_cli_parse_options ("validate", N_("FILE..."),
                               N_("Checks flow files and prints every problem with its JSON pointer.\n"
                                  "Exit status: 0 when every file is valid, 1 when a flow has problems,\n"
                                  "2 when a file cannot be read."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (argc < 2)
    {
      deca_cli_error (_("validate: no FILE given; run 'deca validate --help'"));
      return DECA_CLI_EXIT_USAGE;
    }

  registry = deca_node_registry_new_builtin ();
  if (json)
    json_problems = json_array_new ();
  for (int i = 1; i < argc; i++)
    {
      int file_status = validate_file (argv[i], registry, json_problems);

      /* The worst wins: an unreadable file (2) over problems (1) over clean (0). */
      status = MAX (status, file_status);
    }
  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      json_node_set_array (root, json_problems);
      deca_cli_print_json (root, TRUE);
    }
  else
    fflush (stdout);
  return status;
}

int
deca_cli_node_types (int    argc,
                     char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print every type with its ports and config schema as JSON"), NULL },
    { NULL }
  };
  g_autoptr(DecaNodeRegistry) registry = NULL;
  g_autoptr(GPtrArray) types = NULL;
  g_autofree char *name_header = NULL;
  g_autofree char *category_header = NULL;

  if (!deca_cli_parse_options ("node-types", NULL,
                               N_("Lists the node types flows can use."),
                               entries, &argc, &argv))
    return DECA_CLI_EXIT_USAGE;
  if (argc > 1)
    {
      deca_cli_error (_("node-types: unexpected argument '%s'"), argv[1]);
      return DECA_CLI_EXIT_USAGE;
    }

  registry = deca_node_registry_new_builtin ();
  types = deca_node_registry_list (registry);
  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (types->len);

      for (guint i = 0; i < types->len; i++)
        json_array_add_element (array, deca_node_type_to_json (g_ptr_array_index (types, i)));
      json_node_take_array (root, array);
      deca_cli_print_json (root, TRUE);
      return DECA_CLI_EXIT_OK;
    }

  /* Translators: a column header of deca node-types, 12 characters wide. */
  name_header = deca_cli_pad_end (_("NAME"), 12);
  /* Translators: a column header of deca node-types, 12 characters wide. */
  category_header = deca_cli_pad_end (_("CATEGORY"), 12);
  /* Translators: a column header of deca node-types: the title of a node type. */
  printf ("%s %s %s\n", name_header, category_header, _("TITLE"));
  for (guint i = 0; i < types->len; i++)
    {
      DecaNodeType *type = g_ptr_array_index (types, i);

      printf ("%-12s %-12s %s\n", deca_node_type_get_name (type), deca_node_type_get_category (type),
              deca_node_type_get_title (type));
    }
  fflush (stdout);
  return DECA_CLI_EXIT_OK;
}
