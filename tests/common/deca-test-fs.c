/* deca-test-fs.c: files for tests, benchmarks and the screenshot tool. */

#include "deca-test-fs.h"

#include <glib/gstdio.h>

void
deca_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        deca_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}
