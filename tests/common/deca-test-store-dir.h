#pragma once

/* deca-test-store-dir.h: a temporary directory with a database path in it, the fixture
 * of the store tests. */

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *dir;    /* a fresh temporary directory */
  char *path;   /* DIR/deca.db, not created */
} DecaTestStoreDir;

/* Makes the directory; @prefix names it ("deca-test-store"). Fails the test on error. */
void deca_test_store_dir_init  (DecaTestStoreDir *store_dir,
                                const char       *prefix);
/* Removes every file in the directory (the database with its -wal and -shm), then the
 * directory, failing the test when one cannot be removed: a file left open or a
 * subdirectory shows up. */
void deca_test_store_dir_clear (DecaTestStoreDir *store_dir);

G_END_DECLS
