#pragma once

/* deca-test-fs.h: files for tests, benchmarks and the screenshot tool. */

#include <glib.h>

G_BEGIN_DECLS

/* Removes @path and everything below it, without following symbolic links. Errors are
 * ignored: what is left over is a temporary directory's. */
void deca_test_remove_tree (const char *path);

G_END_DECLS
