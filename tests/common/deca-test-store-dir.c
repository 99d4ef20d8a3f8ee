/* deca-test-store-dir.c: the fixture of the store tests. */

#include "deca-test-store-dir.h"

#include <glib/gstdio.h>

void
deca_test_store_dir_init (DecaTestStoreDir *store_dir,
                          const char       *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strconcat (prefix, "-XXXXXX", NULL);

  store_dir->dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  store_dir->path = g_build_filename (store_dir->dir, "deca.db", NULL);
}

void
deca_test_store_dir_clear (DecaTestStoreDir *store_dir)
{
  g_autoptr(GDir) dir = g_dir_open (store_dir->dir, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (store_dir->dir, name, NULL);

      g_assert_cmpint (g_remove (file), ==, 0);
    }
  g_assert_cmpint (g_rmdir (store_dir->dir), ==, 0);
  g_clear_pointer (&store_dir->path, g_free);
  g_clear_pointer (&store_dir->dir, g_free);
}
