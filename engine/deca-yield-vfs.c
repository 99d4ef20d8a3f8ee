/* deca-yield-vfs.c: an SQLite VFS that lets other threads run during long copies.
 *
 * The store's background checkpoint thread (deca-store.c) copies a WAL's pages back
 * into the database in one sqlite3_wal_checkpoint_v2() call: a thousand and more
 * pages, for three to four milliseconds, without ever sleeping. The scheduler lets it
 * run its slice to the end while the threads that matter, woken on the same CPU (the
 * server's main thread, the executor's writer thread), wait for it; measured under the
 * webhook benchmark, every cycle of the WAL made all answers wait that long, often
 * while the other CPU was idle. Through this VFS the thread gives way every
 * YIELD_EVERY writes: sched_yield() hands the CPU to whoever waits for it, and returns
 * at once when nobody does.
 *
 * A lower priority was measured too: SCHED_IDLE answers best while the machine has
 * time to spare, but on one busy with other processes such a thread gets next to no
 * time, and its checkpoints fall back on the committing thread.
 *
 * Everything else is the default VFS's: the files it opens are the default VFS's
 * files, with the same methods but xWrite, so its locks (POSIX locks and the WAL
 * index) are shared with the other connections to the same file as they would be
 * without it.
 */

#include "config.h"

#include "deca-yield-vfs.h"

#include <sched.h>

#define YIELD_EVERY 32

static sqlite3_vfs yield_vfs;
/* A file opened through the VFS is the default VFS's file itself; only its methods are
 * swapped for a copy of them (yield_methods) whose xWrite gives way first. These are
 * the default VFS's methods, as its first file opened here had them: a file with other
 * ones (another locking style) keeps them, and does not give way. */
static const sqlite3_io_methods *real_methods;
static sqlite3_io_methods yield_methods;
static guint writes;   /* atomic: through the VFS, all connections together */
static guint yields;   /* atomic */

static int
yield_write (sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset)
{
  if ((guint) g_atomic_int_add (&writes, 1) % YIELD_EVERY == YIELD_EVERY - 1)
    {
      g_atomic_int_inc (&yields);
      sched_yield ();
    }
  return real_methods->xWrite (file, buffer, amount, offset);
}

static int
yield_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  sqlite3_vfs *real_vfs = vfs->pAppData;
  int rc = real_vfs->xOpen (real_vfs, name, file, flags, out_flags);

  /* SQLite calls xClose on a file whose pMethods is set, even after a failure: the
   * copy's xClose is the real one. */
  if (file->pMethods == NULL)
    return rc;
  if (g_once_init_enter (&real_methods))
    {
      yield_methods = *file->pMethods;
      yield_methods.xWrite = yield_write;
      g_once_init_leave (&real_methods, file->pMethods);
    }
  if (file->pMethods == real_methods)
    file->pMethods = &yield_methods;
  return rc;
}

static gpointer
yield_vfs_register_once (gpointer data)
{
  sqlite3_vfs *real_vfs = sqlite3_vfs_find (NULL);

  if (real_vfs == NULL)
    return NULL;
  /* Everything but xOpen is the default VFS's own, called with this VFS: the unix
   * VFS's do not look at their VFS beyond what is copied here. */
  yield_vfs = *real_vfs;
  yield_vfs.iVersion = MIN (real_vfs->iVersion, 3);
  yield_vfs.zName = DECA_YIELD_VFS_NAME;
  yield_vfs.pAppData = real_vfs;
  yield_vfs.pNext = NULL;
  yield_vfs.xOpen = yield_open;
  if (sqlite3_vfs_register (&yield_vfs, 0) != SQLITE_OK)
    return NULL;
  return (gpointer) DECA_YIELD_VFS_NAME;
}

const char *
deca_yield_vfs_get_name (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, yield_vfs_register_once, NULL);
}

guint
deca_yield_vfs_get_yields (void)
{
  return (guint) g_atomic_int_get (&yields);
}
