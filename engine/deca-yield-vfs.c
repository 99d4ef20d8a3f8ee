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
 * files, wrapped, so its locks (POSIX locks and the WAL index) are shared with the
 * other connections to the same file as they would be without it.
 */

#include "config.h"

#include "deca-yield-vfs.h"

#include <sched.h>

#define YIELD_EVERY 32

typedef struct {
  sqlite3_file  base;
  sqlite3_file *real;   /* the default VFS's file, right behind this struct */
  guint         writes;
} YieldFile;

static sqlite3_vfs yield_vfs;
static guint yields;   /* atomic */

static inline sqlite3_file *
real_file (sqlite3_file *file)
{
  return ((YieldFile *) file)->real;
}

static int
yield_close (sqlite3_file *file)
{
  sqlite3_file *real = real_file (file);
  int rc = real->pMethods != NULL ? real->pMethods->xClose (real) : SQLITE_OK;

  file->pMethods = NULL;
  return rc;
}

static int
yield_read (sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset)
{
  return real_file (file)->pMethods->xRead (real_file (file), buffer, amount, offset);
}

static int
yield_write (sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset)
{
  YieldFile *self = (YieldFile *) file;

  if (++self->writes % YIELD_EVERY == 0)
    {
      g_atomic_int_inc (&yields);
      sched_yield ();
    }
  return self->real->pMethods->xWrite (self->real, buffer, amount, offset);
}

static int
yield_truncate (sqlite3_file *file, sqlite3_int64 size)
{
  return real_file (file)->pMethods->xTruncate (real_file (file), size);
}

static int
yield_sync (sqlite3_file *file, int flags)
{
  return real_file (file)->pMethods->xSync (real_file (file), flags);
}

static int
yield_file_size (sqlite3_file *file, sqlite3_int64 *size)
{
  return real_file (file)->pMethods->xFileSize (real_file (file), size);
}

static int
yield_lock (sqlite3_file *file, int lock)
{
  return real_file (file)->pMethods->xLock (real_file (file), lock);
}

static int
yield_unlock (sqlite3_file *file, int lock)
{
  return real_file (file)->pMethods->xUnlock (real_file (file), lock);
}

static int
yield_check_reserved_lock (sqlite3_file *file, int *reserved)
{
  return real_file (file)->pMethods->xCheckReservedLock (real_file (file), reserved);
}

static int
yield_file_control (sqlite3_file *file, int op, void *arg)
{
  return real_file (file)->pMethods->xFileControl (real_file (file), op, arg);
}

static int
yield_sector_size (sqlite3_file *file)
{
  return real_file (file)->pMethods->xSectorSize (real_file (file));
}

static int
yield_device_characteristics (sqlite3_file *file)
{
  return real_file (file)->pMethods->xDeviceCharacteristics (real_file (file));
}

static int
yield_shm_map (sqlite3_file *file, int region, int size, int extend, void volatile **map)
{
  return real_file (file)->pMethods->xShmMap (real_file (file), region, size, extend, map);
}

static int
yield_shm_lock (sqlite3_file *file, int offset, int n, int flags)
{
  return real_file (file)->pMethods->xShmLock (real_file (file), offset, n, flags);
}

static void
yield_shm_barrier (sqlite3_file *file)
{
  real_file (file)->pMethods->xShmBarrier (real_file (file));
}

static int
yield_shm_unmap (sqlite3_file *file, int delete_flag)
{
  return real_file (file)->pMethods->xShmUnmap (real_file (file), delete_flag);
}

static int
yield_fetch (sqlite3_file *file, sqlite3_int64 offset, int amount, void **pointer)
{
  return real_file (file)->pMethods->xFetch (real_file (file), offset, amount, pointer);
}

static int
yield_unfetch (sqlite3_file *file, sqlite3_int64 offset, void *pointer)
{
  return real_file (file)->pMethods->xUnfetch (real_file (file), offset, pointer);
}

/* Version 3 of the methods, as the unix VFS's; a real file with fewer (another default
 * VFS) gets a copy without the ones it lacks. */
static const sqlite3_io_methods yield_methods = {
  .iVersion = 3,
  .xClose = yield_close,
  .xRead = yield_read,
  .xWrite = yield_write,
  .xTruncate = yield_truncate,
  .xSync = yield_sync,
  .xFileSize = yield_file_size,
  .xLock = yield_lock,
  .xUnlock = yield_unlock,
  .xCheckReservedLock = yield_check_reserved_lock,
  .xFileControl = yield_file_control,
  .xSectorSize = yield_sector_size,
  .xDeviceCharacteristics = yield_device_characteristics,
  .xShmMap = yield_shm_map,
  .xShmLock = yield_shm_lock,
  .xShmBarrier = yield_shm_barrier,
  .xShmUnmap = yield_shm_unmap,
  .xFetch = yield_fetch,
  .xUnfetch = yield_unfetch,
};

static int
yield_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  sqlite3_vfs *real_vfs = vfs->pAppData;
  YieldFile *self = (YieldFile *) file;
  int rc;

  self->real = (sqlite3_file *) (self + 1);
  self->writes = 0;
  rc = real_vfs->xOpen (real_vfs, name, self->real, flags, out_flags);
  /* SQLite calls xClose only on a file whose pMethods is set, even after a failure. */
  if (self->real->pMethods == NULL)
    file->pMethods = NULL;
  else if (self->real->pMethods->iVersion >= 3)
    file->pMethods = &yield_methods;
  else
    {
      /* Not the unix VFS's kind of file: yield_methods would call methods it lacks. */
      file->pMethods = NULL;
      if (rc == SQLITE_OK)
        self->real->pMethods->xClose (self->real);
      return rc == SQLITE_OK ? SQLITE_CANTOPEN : rc;
    }
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
  yield_vfs.szOsFile = (int) sizeof (YieldFile) + real_vfs->szOsFile;
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
