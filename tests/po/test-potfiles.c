/* test-potfiles.c: po/POTFILES.in lists exactly the source files that hold strings for
 * people, so that no translatable string is left out of the template. A file counts when
 * it marks a string: _(" N_(" C_(" g_dngettext in C, translatable="yes" in .ui and .xml,
 * and the .desktop.in / .metainfo.xml.in that msgfmt merges. */

#include <glib.h>
#include <string.h>

static const char * const source_dirs[] = { "app", "engine", "engine/nodes", "ui", "sync",
                                            "server", "data" };

static gboolean
marks_strings (const char *path)
{
  g_autofree char *text = NULL;

  if (g_str_has_suffix (path, ".desktop.in") || g_str_has_suffix (path, ".metainfo.xml.in"))
    return TRUE;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  if (g_str_has_suffix (path, ".c"))
    return strstr (text, "_(\"") != NULL || strstr (text, "g_dngettext") != NULL
           || strstr (text, "C_(\"") != NULL;
  if (g_str_has_suffix (path, ".ui") || g_str_has_suffix (path, ".gschema.xml"))
    return strstr (text, "translatable=\"yes\"") != NULL || strstr (text, "<summary>") != NULL;
  return FALSE;
}

static GPtrArray *
read_potfiles (const char *root)
{
  g_autofree char *path = g_build_filename (root, "po", "POTFILES.in", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *line = g_strstrip (lines[i]);
      if (*line != '\0' && *line != '#')
        g_ptr_array_add (files, g_strdup (line));
    }
  return files;
}

static gboolean
listed (GPtrArray  *files,
        const char *name)
{
  for (guint i = 0; i < files->len; i++)
    if (g_str_equal (g_ptr_array_index (files, i), name))
      return TRUE;
  return FALSE;
}

static void
test_potfiles_complete (void)
{
  const char *root = g_getenv ("DECA_SOURCE_DIR");
  g_autoptr(GPtrArray) files = read_potfiles (root);
  g_autoptr(GString) missing = g_string_new (NULL);

  for (gsize d = 0; d < G_N_ELEMENTS (source_dirs); d++)
    {
      g_autofree char *dir_path = g_build_filename (root, source_dirs[d], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *relative = g_build_filename (source_dirs[d], name, NULL);
          g_autofree char *path = g_build_filename (root, relative, NULL);

          if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && marks_strings (path)
              && !listed (files, relative))
            g_string_append_printf (missing, " %s", relative);
        }
    }
  if (missing->len > 0)
    g_error ("po/POTFILES.in misses files with translatable strings:%s", missing->str);
}

static void
test_potfiles_exist_and_sorted (void)
{
  const char *root = g_getenv ("DECA_SOURCE_DIR");
  g_autoptr(GPtrArray) files = read_potfiles (root);

  for (guint i = 0; i < files->len; i++)
    {
      const char *name = g_ptr_array_index (files, i);
      g_autofree char *path = g_build_filename (root, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_error ("po/POTFILES.in lists %s, which does not exist", name);
      if (i > 0 && strcmp (g_ptr_array_index (files, i - 1), name) >= 0)
        g_error ("po/POTFILES.in is not sorted at %s", name);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deca/po/potfiles/complete", test_potfiles_complete);
  g_test_add_func ("/deca/po/potfiles/exist-and-sorted", test_potfiles_exist_and_sorted);
  return g_test_run ();
}
