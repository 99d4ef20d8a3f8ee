/* test-translations.c: every catalogue named in po/LINGUAS is complete and really
 * translates.
 *
 * Complete means three things, checked with the gettext tools whose paths meson passes
 * in (MSGFMT, XGETTEXT, MSGCMP): `msgfmt --check --statistics` accepts the .po (formats,
 * plural forms, header) and counts no fuzzy and no untranslated message; the .po holds no
 * obsolete "#~" entries; and compared with a template extracted afresh from the sources
 * listed in po/POTFILES.in, it translates every message and keeps none the sources no
 * longer have. So a string added anywhere without its translations fails here, as it
 * should: translate it (or msgmerge and translate) in the same change.
 *
 * Really translates means that the catalogue meson compiled into the build directory
 * (DECA_LOCALE_DIR/LANG/LC_MESSAGES/deca-studio.mo) is found and used by gettext. No
 * German locale need be installed: glibc honours LANGUAGE with C.UTF-8 (not with C or
 * POSIX, where it ignores LANGUAGE), so the test selects C.UTF-8 and sets LANGUAGE. For
 * German it checks known messages of the CLI, the studio (with a context and a plural)
 * and the engine, the last ones produced by the engine's own code (the cron describer
 * and parser), which proves the composed phrases come out in German too. */

#include "config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "deca-cron.h"
#include "deca-engine-private.h"

/* The arguments of meson's i18n "glib" preset (the ones `ninja deca-studio-pot` passes
 * to xgettext), so that the template made here has the same messages and flags. */
static const char * const xgettext_args[] = {
  "--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
  "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dcgettext:2",
  "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
  "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
  "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
  "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
  "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
  "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
  "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
  "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format",
  "--flag=g_snprintf:3:c-format",
};

typedef struct
{
  guint translated;
  guint fuzzy;
  guint untranslated;
} Statistics;

static const char *
tool (const char *variable)
{
  const char *path = g_getenv (variable);

  if (path == NULL || *path == '\0')
    g_error ("%s is not set; run this test with meson test", variable);
  return path;
}

/* Runs @argv (NULL-terminated) and returns whether it exited with status 0; its output
 * and errors go to @out and @err, in English whatever the caller's locale, so that they
 * can be read. */
static gboolean
run (const char * const *argv,
     char              **out,
     char              **err)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "LC_ALL", "C", TRUE);
  int status = 0;

  env = g_environ_unsetenv (env, "LANGUAGE");
  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                     &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  return g_spawn_check_wait_status (status, NULL);
}

/* The languages in po/LINGUAS: one or more per line, '#' starts a comment. */
static GStrv
read_linguas (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("DECA_SOURCE_DIR"), "po", "LINGUAS", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) languages = g_strv_builder_new ();

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) words = NULL;
      char *comment = strchr (lines[i], '#');

      if (comment)
        *comment = '\0';
      words = g_strsplit_set (lines[i], " \t", -1);
      for (guint j = 0; words[j]; j++)
        if (*g_strstrip (words[j]) != '\0')
          g_strv_builder_add (languages, words[j]);
    }
  return g_strv_builder_end (languages);
}

static char *
po_path (const char *language)
{
  g_autofree char *name = g_strconcat (language, ".po", NULL);

  return g_build_filename (g_getenv ("DECA_SOURCE_DIR"), "po", name, NULL);
}

/* Reads msgfmt's "N translated messages, N fuzzy translations, N untranslated messages."
 * (each part only when it is not zero). */
static Statistics
parse_statistics (const char *text)
{
  Statistics statistics = { 0, 0, 0 };
  g_auto(GStrv) parts = g_strsplit_set (text, ",.", -1);

  for (guint i = 0; parts[i]; i++)
    {
      const char *part = g_strstrip (parts[i]);
      guint64 n = g_ascii_strtoull (part, NULL, 10);

      if (strstr (part, "untranslated"))
        statistics.untranslated = n;
      else if (strstr (part, "fuzzy"))
        statistics.fuzzy = n;
      else if (strstr (part, "translated"))
        statistics.translated = n;
    }
  return statistics;
}

/* msgfmt --statistics on @path, with --check when @check (a template's header is not
 * filled in, so it cannot pass the check): asserts that it passes and returns the counts. */
static Statistics
msgfmt_statistics (const char *path,
                   gboolean    check)
{
  const char *argv[] = { tool ("MSGFMT"), "--statistics", "-o", "/dev/null", path,
                         check ? "--check" : NULL, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!run (argv, &out, &err))
    g_error ("msgfmt --check %s failed:\n%s", path, err);
  return parse_statistics (err);
}

/* Extracts a template from the sources in po/POTFILES.in into @directory. */
static char *
extract_template (const char *directory)
{
  const char *root = g_getenv ("DECA_SOURCE_DIR");
  g_autofree char *potfiles = g_build_filename (root, "po", "POTFILES.in", NULL);
  g_autofree char *pot = g_build_filename (directory, "deca-studio.pot", NULL);
  g_autofree char *files_from = g_strconcat ("--files-from=", potfiles, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) tool ("XGETTEXT"));
  g_ptr_array_add (argv, (char *) "--package-name=deca-studio");
  g_ptr_array_add (argv, (char *) "-D");
  g_ptr_array_add (argv, (char *) root);
  g_ptr_array_add (argv, files_from);
  g_ptr_array_add (argv, (char *) "-o");
  g_ptr_array_add (argv, pot);
  for (gsize i = 0; i < G_N_ELEMENTS (xgettext_args); i++)
    g_ptr_array_add (argv, (char *) xgettext_args[i]);
  g_ptr_array_add (argv, NULL);

  if (!run ((const char * const *) argv->pdata, &out, &err))
    g_error ("xgettext failed:\n%s", err);
  g_assert_true (g_file_test (pot, G_FILE_TEST_IS_REGULAR));
  return g_steal_pointer (&pot);
}

static void
test_catalogues_complete (void)
{
  g_auto(GStrv) languages = read_linguas ();
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *pot = NULL;
  Statistics template;

  if (languages[0] == NULL)
    {
      g_test_skip ("po/LINGUAS names no language");
      return;
    }

  directory = g_dir_make_tmp ("deca-po-XXXXXX", &error);
  g_assert_no_error (error);
  pot = extract_template (directory);
  template = msgfmt_statistics (pot, FALSE);
  g_assert_cmpuint (template.translated, ==, 0);
  /* The template has every message of the studio, the CLI and the engine: hundreds. */
  g_assert_cmpuint (template.untranslated, >, 500);

  for (guint i = 0; languages[i]; i++)
    {
      g_autofree char *path = po_path (languages[i]);
      g_autofree char *text = NULL;
      const char *argv[] = { tool ("MSGCMP"), path, pot, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      Statistics statistics;

      g_test_message ("%s: %s", languages[i], path);
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));

      /* Header: msgfmt --check already insists on a charset and Plural-Forms; the
       * language must be the file's own. */
      {
        g_autofree char *language_line = g_strdup_printf ("\"Language: %s\\n\"", languages[i]);

        g_assert_nonnull (strstr (text, language_line));
        g_assert_nonnull (strstr (text, "charset=UTF-8"));
      }

      statistics = msgfmt_statistics (path, TRUE);
      g_assert_cmpuint (statistics.fuzzy, ==, 0);
      g_assert_cmpuint (statistics.untranslated, ==, 0);

      /* Obsolete entries are left over from earlier templates: msgmerge keeps them as
       * "#~" comments, and they only mislead the next translator. */
      g_assert_true (!g_str_has_prefix (text, "#~") && strstr (text, "\n#~") == NULL);

      /* msgcmp fails for a message of the template that the .po lacks or leaves fuzzy or
       * untranslated, and warns about one of the .po that the template no longer has. */
      if (!run (argv, &out, &err) || strstr (err, "is not used") != NULL)
        {
          g_test_message ("%s", err);
          g_test_fail_printf ("%s does not match the messages of the sources; run msgmerge "
                              "and translate", path);
          continue;
        }
      /* The same messages, none twice. */
      g_assert_cmpuint (statistics.translated, ==, template.untranslated);
    }

  g_unlink (pot);
  g_rmdir (directory);
}

/* Points gettext at the catalogues of the build directory and selects @language. */
static void
use_build_catalogue (const char *language)
{
  const char *locale_dir = g_getenv ("DECA_LOCALE_DIR");
  g_autofree char *mo = g_build_filename (locale_dir, language, "LC_MESSAGES",
                                          GETTEXT_PACKAGE ".mo", NULL);

  g_assert_true (g_file_test (mo, G_FILE_TEST_IS_REGULAR));
  /* The engine binds the domain to the installed LOCALEDIR once, the first time it needs
   * a message; have it do so now so that the binding below is the one that stays. */
  _deca_engine_init_i18n ();
  g_assert_cmpstr (bindtextdomain (GETTEXT_PACKAGE, locale_dir), ==, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_setenv ("LANGUAGE", language, TRUE);
  /* gettext caches lookups; a change of LANGUAGE takes effect after a change of the
   * message locale, so set it again. */
  g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
}

static void
test_catalogues_load (void)
{
  g_auto(GStrv) languages = read_linguas ();

  if (languages[0] == NULL)
    {
      g_test_skip ("po/LINGUAS names no language");
      return;
    }
  /* Every complete catalogue translates the about dialog's credits line, which is never
   * the msgid itself: that proves meson compiled it and gettext finds it. */
  for (guint i = 0; languages[i]; i++)
    {
      use_build_catalogue (languages[i]);
      g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "translator-credits"), !=,
                       "translator-credits");
    }
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "C.UTF-8");
}

static void
test_german (void)
{
  g_auto(GStrv) languages = read_linguas ();
  g_autoptr(GError) error = NULL;
  g_autofree char *sentence = NULL;
  DecaCron *cron;

  if (!g_strv_contains ((const char * const *) languages, "de"))
    {
      g_test_skip ("po/LINGUAS has no German");
      return;
    }
  use_build_catalogue ("de");

  /* The CLI: deca --help and an error. */
  g_assert_cmpstr (_("Commands:"), ==, "Befehle:");
  g_assert_cmpstr (_("Usage:"), ==, "Aufruf:");
  g_assert_cmpstr (_("Check flow files and print every problem"), ==,
                   "Ablaufdateien prüfen und jedes Problem ausgeben");
  /* The studio: a menu item, a context, a plural. */
  g_assert_cmpstr (_("_Preferences"), ==, "_Einstellungen");
  g_assert_cmpstr (C_("shortcut window", "Quit"), ==, "Beenden");
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "Move node", "Move %u nodes", 1), ==,
                   "Knoten verschieben");
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "Move node", "Move %u nodes", 3), ==,
                   "%u Knoten verschieben");
  /* The desktop file and the schema share the catalogue. */
  g_assert_cmpstr (_("Workflow Designer"), ==, "Workflow-Designer");
  g_assert_cmpstr (_("Snap to grid"), ==, "Am Raster ausrichten");

  /* The engine's own code, translated phrase by phrase. */
  sentence = deca_cron_describe ("*/5 * * * *", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sentence, ==, "Alle 5 Minuten");
  g_clear_pointer (&sentence, g_free);
  sentence = deca_cron_describe ("0 9 * * 1-5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sentence, ==, "Um 09:00, Montag bis Freitag");
  g_clear_pointer (&sentence, g_free);
  sentence = deca_cron_describe ("0 */2 * * *", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sentence, ==, "In Minute 0 jeder 2. Stunde");
  g_clear_pointer (&sentence, g_free);

  cron = deca_cron_parse ("", &error);
  g_assert_null (cron);
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==, "der Cron-Ausdruck ist leer");

  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "C.UTF-8");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/po/translations/complete", test_catalogues_complete);
  g_test_add_func ("/deca/po/translations/load", test_catalogues_load);
  g_test_add_func ("/deca/po/translations/german", test_german);

  return g_test_run ();
}
