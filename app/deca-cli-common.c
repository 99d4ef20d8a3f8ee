/* deca-cli-common.c: helpers every subcommand of `deca` uses: one-line errors, option
 * parsing, reading files and --input, opening the store and the credentials, formatting. */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "deca-cli.h"

static gboolean quiet;

/* Folds every line break of @message into a space, in place, so that one message is one
 * line: scripts and the tests read stderr line by line. */
static void
fold_lines (char *message)
{
  for (char *p = message; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
}

static void G_GNUC_PRINTF (1, 0)
print_line (const char *format,
            va_list     args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  fold_lines (message);
  /* Straight to stderr as UTF-8: g_printerr() would re-encode for the locale and turn
   * file names and quotes into escapes under LANG=C. */
  fprintf (stderr, "deca: %s\n", message);
  fflush (stderr);
}

void
deca_cli_error (const char *format,
                ...)
{
  va_list args;

  va_start (args, format);
  print_line (format, args);
  va_end (args);
}

void
deca_cli_note (const char *format,
               ...)
{
  va_list args;

  if (quiet)
    return;
  va_start (args, format);
  print_line (format, args);
  va_end (args);
}

void
deca_cli_set_quiet (gboolean value)
{
  quiet = value;
}

gboolean
deca_cli_parse_options (const char          *name,
                        const char          *parameter_string,
                        const char          *summary,
                        const GOptionEntry  *entries,
                        int                 *argc,
                        char              ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter_string);
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("deca %s", name);

  /* The help text starts "Usage: PRGNAME [OPTION…] ...". The parameter string, the summary
   * and the entries come marked with N_(); the context translates them for --help. */
  g_set_prgname (prgname);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      /* Translators: the first and the last %s are a command such as "run", the second
       * says what is wrong with the options. */
      deca_cli_error (_("%s: %s; run 'deca %s --help'"), name, error->message, name);
      return FALSE;
    }
  return TRUE;
}

char *
deca_cli_read_text_file (const char  *path,
                         gsize       *length,
                         GError     **error)
{
  g_autofree char *contents = NULL;
  gsize size = 0;
  const char *end = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      /* Translators: %s is a path. */
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, _("“%s” is a directory, not a file"), path);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &size, error))
    return NULL;
  /* The engine reads JSON text; a binary file (an image, a database) gets a clear message
   * here instead of a parse error about some byte. */
  if (!g_utf8_validate (contents, size, &end))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   /* Translators: %s is a file name, %lu a byte offset in it. */
                   _("“%s” is not a text file: byte %lu is not valid UTF-8"),
                   path, (unsigned long) (end - contents));
      return NULL;
    }
  if (length != NULL)
    *length = size;
  return g_steal_pointer (&contents);
}

JsonNode *
deca_cli_parse_input (const char  *value,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *text = value;
  const char *where = "--input";
  g_autofree char *where_file = NULL;

  if (value[0] == '@')
    {
      contents = deca_cli_read_text_file (value + 1, NULL, &local_error);
      if (contents == NULL)
        {
          /* Translators: %s is why the file of --input @FILE cannot be read. */
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("Cannot read the input (--input): %s"),
                       local_error->message);
          return NULL;
        }
      text = contents;
      where = where_file = g_strdup_printf ("--input %s", value + 1);
    }

  node = deca_json_parse (text, -1, &local_error);
  if (node == NULL)
    {
      /* Translators: the first %s is "--input" or "--input FILE", the second says where
       * the JSON goes wrong. */
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE, _("The input (%s) is not valid JSON: %s"), where,
                   local_error->message);
      return NULL;
    }
  /* Templates read the input as {{input.member}}, and a webhook's input is an object. */
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   /* Translators: %s is "--input" or "--input FILE". */
                   _("The input (%s) must be a JSON object, not an array"), where);
      return NULL;
    }
  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   /* Translators: %s is "--input" or "--input FILE"; null is the JSON value. */
                   _("The input (%s) must be a JSON object, not null"), where);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   /* Translators: %s is "--input" or "--input FILE". */
                   _("The input (%s) must be a JSON object, not a single value"), where);
      return NULL;
    }
  return g_steal_pointer (&node);
}

DecaStore *
deca_cli_open_store (const char  *path,
                     GError     **error)
{
  g_autofree char *default_path = NULL;

  if (path == NULL)
    {
      g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "deca-studio", NULL);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Cannot create the data directory %s: %s"), dir, g_strerror (saved_errno));
          return NULL;
        }
      path = default_path = g_build_filename (dir, "deca.db", NULL);
    }
  else if (*path == '\0')
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("The --db path is empty"));
      return NULL;
    }
  else if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                   /* Translators: %s is a path. */
                   _("The --db path “%s” is a directory, not a database file"), path);
      return NULL;
    }
  return deca_store_open (path, error);
}

DecaCredentialProvider *
deca_cli_load_credentials (const char  *path,
                           GError     **error)
{
  g_autoptr(DecaMemoryCredentialProvider) provider = NULL;
  const char *from = "--credentials";

  if (path == NULL)
    {
      path = g_getenv ("DECA_CREDENTIALS");
      from = "DECA_CREDENTIALS";
      if (path == NULL || *path == '\0')
        return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                   /* Translators: the first %s is a path, the second --credentials or
                    * DECA_CREDENTIALS. */
                   _("The credentials file “%s” (%s) is a directory, not a file"), path, from);
      return NULL;
    }
  provider = deca_memory_credential_provider_new ();
  if (!deca_memory_credential_provider_load_file (provider, path, error))
    {
      g_prefix_error (error, "%s: ", from);
      return NULL;
    }
  return DECA_CREDENTIAL_PROVIDER (g_steal_pointer (&provider));
}

void
deca_cli_print_json (JsonNode *node,
                     gboolean  pretty)
{
  g_autofree char *text = deca_json_to_string (node, pretty);

  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

JsonNode *
deca_cli_json_from_text (const char *text)
{
  JsonNode *node;

  if (text == NULL)
    return json_node_init_null (json_node_alloc ());
  node = deca_json_parse (text, -1, NULL);
  if (node == NULL)
    node = json_node_init_string (json_node_alloc (), text);
  return node;
}

char *
deca_cli_format_duration (gint64 duration_us)
{
  if (duration_us < 0)
    return g_strdup ("-");
  /* A duration is for people: "1,5 s" where the locale writes decimals so. */
  if (duration_us < G_USEC_PER_SEC)
    /* Translators: a duration in milliseconds. */
    return g_strdup_printf (_("%d ms"), (int) ((duration_us + 500) / 1000));
  if (duration_us < 60 * G_USEC_PER_SEC)
    /* Translators: a duration in seconds, with one decimal. */
    return g_strdup_printf (_("%.1f s"), duration_us / (double) G_USEC_PER_SEC);
  /* Translators: a duration in minutes and seconds. */
  return g_strdup_printf (_("%lld min %d s"),
                          (long long) (duration_us / (60 * G_USEC_PER_SEC)),
                          (int) ((duration_us / G_USEC_PER_SEC) % 60));
}

char *
deca_cli_format_time (gint64 time_us)
{
  g_autoptr(GDateTime) time = NULL;

  if (time_us <= 0)
    return g_strdup ("-");
  time = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  if (time == NULL)
    return g_strdup ("-");
  return g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
}

char *
deca_cli_truncate (const char *text,
                   guint       max)
{
  g_autofree char *line = NULL;

  if (text == NULL)
    return g_strdup ("");
  line = g_strdup (text);
  for (char *p = line; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';
  if (g_utf8_strlen (line, -1) <= max)
    return g_steal_pointer (&line);
  *g_utf8_offset_to_pointer (line, max - 1) = '\0';
  return g_strconcat (line, "…", NULL);
}

guint
deca_cli_text_width (const char *text)
{
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static char *
pad (const char *text,
     guint       width,
     gboolean    at_end)
{
  guint text_width = deca_cli_text_width (text);
  g_autofree char *spaces = NULL;

  if (text_width >= width)
    return g_strdup (text);
  spaces = g_strnfill (width - text_width, ' ');
  return at_end ? g_strconcat (text, spaces, NULL) : g_strconcat (spaces, text, NULL);
}

char *
deca_cli_pad_end (const char *text,
                  guint       width)
{
  return pad (text, width, TRUE);
}

char *
deca_cli_pad_start (const char *text,
                    guint       width)
{
  return pad (text, width, FALSE);
}

/* Reads, validates and loads the flow @path. Problems are printed as `deca validate`
 * prints them, on stderr; @status receives the exit status when it returns NULL. */
DecaFlow *
deca_cli_load_valid_flow (const char *path,
                          int        *status)
{
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  DecaFlow *flow;
  gsize length = 0;

  contents = deca_cli_read_text_file (path, &length, &error);
  if (contents == NULL)
    {
      deca_cli_error ("%s", error->message);
      *status = DECA_CLI_EXIT_USAGE;
      return NULL;
    }
  problems = deca_validate_flow_data (contents, length, registry);
  if (problems->len > 0)
    {
      for (guint i = 0; i < problems->len; i++)
        {
          DecaValidationProblem *problem = g_ptr_array_index (problems, i);

          fprintf (stderr, "%s: %s: %s\n", path, *problem->pointer != '\0' ? problem->pointer : "/",
                   problem->message);
        }
      *status = DECA_CLI_EXIT_FAILED;
      return NULL;
    }
  flow = deca_flow_new_from_data (contents, length, &error);
  if (flow == NULL)
    {
      deca_cli_error ("%s: %s", path, error->message);
      *status = DECA_CLI_EXIT_FAILED;
    }
  return flow;
}
