/* deca-yield-vfs.h: an SQLite VFS that lets other threads run during long copies. */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define DECA_YIELD_VFS_NAME "deca-yield"

/* Registers (once) the default VFS, changed so that a connection opened with it gives
 * the CPU away (sched_yield()) every few writes, and returns its name for
 * sqlite3_open_v2(); NULL if SQLite has no default VFS. For the store's background
 * checkpoints: see deca-yield-vfs.c. Thread-safe. */
const char *deca_yield_vfs_get_name (void);
/* How many times connections of the VFS gave the CPU away, in all: for tests. */
guint       deca_yield_vfs_get_yields (void);

G_END_DECLS
