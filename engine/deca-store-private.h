#pragma once

/* deca-store-private.h: what deca-store.c shares with deca-store-server.c (the server's
 * tables). Never installed; nothing outside the store includes it except tests. */

#include <sqlite3.h>

#include "deca-store.h"

G_BEGIN_DECLS

/* Binds @text, or NULL when @text is NULL. SQLITE_STATIC avoids a copy per call: every
 * caller steps and resets the statement before returning, while the caller's string is
 * alive. The stale pointer left behind after the reset is never read, because each use
 * of a statement binds all its parameters again before stepping. */
static inline void
_deca_store_bind_text (sqlite3_stmt *stmt,
                       int           index,
                       const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

/* Returns (transfer full) (nullable) column @index of the current row as a new string. */
static inline char *
_deca_store_column_dup (sqlite3_stmt *stmt,
                        int           index)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, index));
}

/* Builds (transfer full) a record from the current row of a stepped statement. */
typedef gpointer (*DecaStoreRowFunc) (sqlite3_stmt *stmt);

/* Steps the bound @stmt to its end, adding each row built by @from_row to a new array
 * that frees its elements with @free_func, and resets it. Returns (transfer full) the
 * array (empty when there are no rows), or NULL with DECA_ENGINE_ERROR_STORE: "Could not
 * WHAT ...", WHAT formatted from @what_format (marked with N_(), translated here) as in
 * _deca_store_set_error(). */
GPtrArray    *_deca_store_collect_rows  (DecaStore        *self,
                                         sqlite3_stmt     *stmt,
                                         DecaStoreRowFunc  from_row,
                                         GDestroyNotify    free_func,
                                         GError          **error,
                                         const char       *what_format,
                                         ...) G_GNUC_PRINTF (6, 7);

/* Steps the bound @stmt for one row and resets it. Returns (transfer full) the row built
 * by @from_row; or NULL with @out_none set to TRUE (and @error unset) when there is no
 * row, so the caller says what is missing; or NULL with DECA_ENGINE_ERROR_STORE
 * formatted from @what_format as in _deca_store_collect_rows(). */
gpointer      _deca_store_get_row       (DecaStore        *self,
                                         sqlite3_stmt     *stmt,
                                         DecaStoreRowFunc  from_row,
                                         gboolean         *out_none,
                                         GError          **error,
                                         const char       *what_format,
                                         ...) G_GNUC_PRINTF (6, 7);

/* Returns (transfer none) the connection. */
sqlite3      *_deca_store_get_db        (DecaStore   *self);
/* Whether a deca_store_begin() batch is open. */
gboolean      _deca_store_in_batch      (DecaStore   *self);

/* Returns (transfer none) the statement for @sql, prepared on first use and kept until
 * the store is finalized. @sql must be a string with static storage: the cache is keyed
 * by its address. NULL with DECA_ENGINE_ERROR_STORE when SQLite refuses it. */
sqlite3_stmt *_deca_store_stmt          (DecaStore   *self,
                                         const char  *sql,
                                         GError     **error);

/* Returns (transfer none) why the last call on @db failed, for a message: in the user's
 * language for the failures an administrator can act on (a locked, read-only, full,
 * damaged or unreadable database, or not a database at all), SQLite's own words for the
 * others (an SQL or constraint error names its table and column). With @db NULL, from
 * the result code @rc. */
const char   *_deca_store_explain       (sqlite3     *db,
                                         int          rc);

/* Sets DECA_ENGINE_ERROR_STORE: "Could not WHAT in store PATH: why" (_deca_store_explain()).
 * @what_format is marked with N_() by the caller and translated here. */
void          _deca_store_set_error     (DecaStore   *self,
                                         GError     **error,
                                         const char  *what_format,
                                         ...) G_GNUC_PRINTF (3, 4);

/* Steps the write statement @stmt once and resets it; returns SQLite's result code.
 * SQLITE_DONE on success; on a constraint failure @error is left for the caller to set
 * (before its next SQLite call), on any other failure it is set describing @what
 * (marked with N_()). */
int           _deca_store_step_write    (DecaStore    *self,
                                         sqlite3_stmt *stmt,
                                         const char   *what,
                                         GError      **error);

/* _deca_store_step_write() for callers with nothing to say about constraint failures:
 * TRUE on SQLITE_DONE, else FALSE with DECA_ENGINE_ERROR_STORE set describing @what
 * (marked with N_()), a constraint failure too. */
gboolean      _deca_store_write         (DecaStore    *self,
                                         sqlite3_stmt *stmt,
                                         const char   *what,
                                         GError      **error);

/* How many checkpoints the background thread of deca_store_checkpoint_in_background()
 * has completed (0 without one): for tests. */
guint         _deca_store_get_background_checkpoints (DecaStore *self);
/* How many cycles deca_store_finish_checkpoint() finished: for tests. */
guint         _deca_store_get_deferred_checkpoint_finishes (DecaStore *self);

/* Opens @path like deca_store_open() but migrates it only up to schema @version (at
 * most the current one): for tests that need a database as an older build left it. */
DecaStore    *_deca_store_open_at_version (const char  *path,
                                           int          version,
                                           GError     **error);

G_END_DECLS
