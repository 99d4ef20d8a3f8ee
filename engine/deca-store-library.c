/* deca-store-library.c: the library tables in DecaStore (schema version 6).
 *
 * Migration 6 in deca-store.c creates, for each kind, a table of items ("agents") and one
 * of their immutable versions ("agent_versions"); docs/storage.md, "Library tables", has
 * their layout. The three kinds share every line of code here: only the table names
 * differ, so each statement exists once per kind as a static string (the statement cache,
 * _deca_store_stmt(), is keyed by the string's address).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-store-library.h"
#include "deca-store-private.h"

#include "deca-engine-error.h"

#define ITEM_COLUMNS \
  "workspace_id, id, name, latest_version, revision, deleted, created_at, updated_at"

/* The statements of one kind, for tables @items and @versions. */
typedef struct {
  const char *get;
  const char *latest_hash;
  const char *insert;
  const char *set_version;
  const char *set_deleted;
  const char *version_insert;
  const char *version_load;
  const char *versions_list;
  const char *list;
} KindSql;

#define KIND_SQL(items, versions) { \
    .get = "SELECT " ITEM_COLUMNS " FROM " items " WHERE workspace_id = ?1 AND id = ?2", \
    .latest_hash = "SELECT content_hash FROM " versions \
                   " WHERE workspace_id = ?1 AND id = ?2 AND version = ?3", \
    .insert = "INSERT INTO " items " (" ITEM_COLUMNS ") VALUES (?1, ?2, ?3, 1, 1, 0, ?4, ?4)", \
    .set_version = "UPDATE " items " SET name = ?3, latest_version = ?4, deleted = 0," \
                   " revision = revision + 1, updated_at = ?5 WHERE workspace_id = ?1 AND id = ?2", \
    .set_deleted = "UPDATE " items " SET deleted = ?3, revision = revision + 1, updated_at = ?4" \
                   " WHERE workspace_id = ?1 AND id = ?2", \
    .version_insert = "INSERT INTO " versions " (workspace_id, id, version, name, document," \
                      " content_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", \
    .version_load = "SELECT document FROM " versions \
                    " WHERE workspace_id = ?1 AND id = ?2 AND version = ?3", \
    .versions_list = "SELECT version, name, created_at FROM " versions \
                     " WHERE workspace_id = ?1 AND id = ?2 ORDER BY version DESC", \
    .list = "SELECT " ITEM_COLUMNS " FROM " items " WHERE workspace_id = ?1" \
            " AND (?2 IS NULL OR id > ?2) AND (?3 OR deleted = 0)" \
            " AND (?4 IS NULL OR instr (lower (name), lower (?4)) > 0)" \
            " ORDER BY id LIMIT ?5", \
  }

static const KindSql kind_sql[DECA_LIBRARY_N_KINDS] = {
  [DECA_LIBRARY_AGENT] = KIND_SQL ("agents", "agent_versions"),
  [DECA_LIBRARY_PROMPT] = KIND_SQL ("prompts", "prompt_versions"),
  [DECA_LIBRARY_FUNCTION] = KIND_SQL ("functions", "function_versions"),
};

static const char workspace_exists_sql[] = "SELECT 1 FROM workspaces WHERE id = ?1";
static const char flow_owner_sql[] = "SELECT workspace_id, deleted_at IS NOT NULL FROM flows WHERE id = ?1";

void
deca_library_item_free (DecaLibraryItem *item)
{
  if (item == NULL)
    return;
  g_free (item->workspace_id);
  g_free (item->id);
  g_free (item->name);
  g_free (item);
}

void
deca_library_version_info_free (DecaLibraryVersionInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info);
}

/* The row builders cannot be told the kind; the callers set it afterwards. */
static gpointer
item_from_row (sqlite3_stmt *stmt)
{
  DecaLibraryItem *item = g_new0 (DecaLibraryItem, 1);

  item->workspace_id = _deca_store_column_dup (stmt, 0);
  item->id = _deca_store_column_dup (stmt, 1);
  item->name = _deca_store_column_dup (stmt, 2);
  item->latest_version = sqlite3_column_int64 (stmt, 3);
  item->revision = sqlite3_column_int64 (stmt, 4);
  item->deleted = sqlite3_column_int (stmt, 5) != 0;
  item->created_at = sqlite3_column_int64 (stmt, 6);
  item->updated_at = sqlite3_column_int64 (stmt, 7);
  return item;
}

static gpointer
version_from_row (sqlite3_stmt *stmt)
{
  DecaLibraryVersionInfo *info = g_new0 (DecaLibraryVersionInfo, 1);

  info->version = sqlite3_column_int64 (stmt, 0);
  info->name = _deca_store_column_dup (stmt, 1);
  info->created_at = sqlite3_column_int64 (stmt, 2);
  return info;
}

/* One literal of three by @kind: each message is a whole sentence per kind, so that a
 * translation never has an English "agent" inserted into it, and the compiler still checks
 * each format against its arguments. */
#define BY_KIND(kind, agent, prompt, function) \
  ((kind) == DECA_LIBRARY_AGENT ? (agent) : (kind) == DECA_LIBRARY_PROMPT ? (prompt) : (function))

/* What a failed read of item “%s” was doing, for _deca_store_set_error() and the like
 * (which translate it). */
#define READ_WHAT(kind) \
  BY_KIND (kind, N_("read agent “%s”"), N_("read prompt “%s”"), N_("read function “%s”"))

static void
set_not_found (DecaLibraryKind   kind,
               const char       *workspace_id,
               const char       *id,
               GError          **error)
{
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
               _(BY_KIND (kind, N_("There is no agent “%s” in workspace “%s”"),
                          N_("There is no prompt “%s” in workspace “%s”"),
                          N_("There is no function “%s” in workspace “%s”"))),
               id, workspace_id);
}

/* Sets DECA_ENGINE_ERROR_STATE: item @id is at @latest, not the @expected the caller
 * read. */
static void
set_changed (DecaLibraryKind   kind,
             const char       *id,
             gint64            latest,
             gint64            expected,
             GError          **error)
{
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
               _(BY_KIND (kind,
                          N_("The agent “%s” is at version %lld, not %lld: it was changed meanwhile"),
                          N_("The prompt “%s” is at version %lld, not %lld: it was changed meanwhile"),
                          N_("The function “%s” is at version %lld, not %lld: it was changed meanwhile"))),
               id, (long long) latest, (long long) expected);
}

/* Reads item @id, deleted or not. Returns it, or NULL with @error unset when there is
 * none, or NULL with @error set when SQLite failed. */
static DecaLibraryItem *
read_item (DecaStore        *self,
           DecaLibraryKind   kind,
           const char       *workspace_id,
           const char       *id,
           GError          **error)
{
  DecaLibraryItem *item;
  sqlite3_stmt *stmt;
  gboolean none;

  if (!(stmt = _deca_store_stmt (self, kind_sql[kind].get, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, id);
  item = _deca_store_get_row (self, stmt, item_from_row, &none, error,
                              READ_WHAT (kind), id);
  if (item != NULL)
    item->kind = kind;
  return item;
}

/* Reads item @id when it exists and is not deleted; NULL with _NOT_FOUND otherwise. */
static DecaLibraryItem *
read_live_item (DecaStore        *self,
                DecaLibraryKind   kind,
                const char       *workspace_id,
                const char       *id,
                GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  DecaLibraryItem *item = read_item (self, kind, workspace_id, id, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (item == NULL || item->deleted)
    {
      deca_library_item_free (item);
      set_not_found (kind, workspace_id, id, error);
      return NULL;
    }
  return item;
}

/* Sets @out_same to whether @hash is the content hash of @version of item @id. */
static gboolean
latest_has_hash (DecaStore        *self,
                 DecaLibraryKind   kind,
                 const char       *workspace_id,
                 const char       *id,
                 gint64            version,
                 const char       *hash,
                 gboolean         *out_same,
                 GError          **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _deca_store_stmt (self, kind_sql[kind].latest_hash, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, id);
  sqlite3_bind_int64 (stmt, 3, version);
  rc = sqlite3_step (stmt);
  *out_same = rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), hash) == 0;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _deca_store_set_error (self, error, READ_WHAT (kind), id);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* Whether @workspace_id exists; FALSE with _NOT_FOUND when it does not, _STORE. */
static gboolean
check_workspace (DecaStore   *self,
                 const char  *workspace_id,
                 GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _deca_store_stmt (self, workspace_exists_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, workspace_id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("Workspace “%s” does not exist"), workspace_id);
  else
    _deca_store_set_error (self, error, N_("read workspace “%s”"), workspace_id);
  return FALSE;
}

static gboolean
insert_version (DecaStore        *self,
                DecaLibraryKind   kind,
                const char       *workspace_id,
                const char       *id,
                gint64            version,
                const char       *name,
                const char       *document,
                const char       *hash,
                gint64            now,
                GError          **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _deca_store_stmt (self, kind_sql[kind].version_insert, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, id);
  sqlite3_bind_int64 (stmt, 3, version);
  _deca_store_bind_text (stmt, 4, name);
  _deca_store_bind_text (stmt, 5, document);
  _deca_store_bind_text (stmt, 6, hash);
  sqlite3_bind_int64 (stmt, 7, now);
  return _deca_store_write (self, stmt, N_("store a library version"), error);
}

/* The body of deca_store_save_library_item(), inside its transaction. */
static gboolean
save_item (DecaStore        *self,
           DecaLibraryKind   kind,
           const char       *workspace_id,
           const char       *id,
           const char       *name,
           const char       *document,
           gint64            expected_version,
           gint64           *out_version,
           GError          **error)
{
  g_autoptr(DecaLibraryItem) item = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, document, -1);
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;
  gboolean same;

  item = read_item (self, kind, workspace_id, id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (item == NULL)
    {
      if (expected_version > 0)
        {
          set_not_found (kind, workspace_id, id, error);
          return FALSE;
        }
      if (!check_workspace (self, workspace_id, error))
        return FALSE;
      if (!(stmt = _deca_store_stmt (self, kind_sql[kind].insert, error)))
        return FALSE;
      _deca_store_bind_text (stmt, 1, workspace_id);
      _deca_store_bind_text (stmt, 2, id);
      _deca_store_bind_text (stmt, 3, name);
      sqlite3_bind_int64 (stmt, 4, now);
      if (!_deca_store_write (self, stmt, N_("store a library item"), error)
          || !insert_version (self, kind, workspace_id, id, 1, name, document, hash, now, error))
        return FALSE;
      if (out_version != NULL)
        *out_version = 1;
      return TRUE;
    }

  if (item->deleted && expected_version > 0)
    {
      set_not_found (kind, workspace_id, id, error);
      return FALSE;
    }
  if (!item->deleted && expected_version == DECA_LIBRARY_NEW_ITEM)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _(BY_KIND (kind, N_("Workspace “%s” has an agent “%s” already"),
                              N_("Workspace “%s” has a prompt “%s” already"),
                              N_("Workspace “%s” has a function “%s” already"))),
                   workspace_id, id);
      return FALSE;
    }
  if (expected_version > 0 && expected_version != item->latest_version)
    {
      set_changed (kind, id, item->latest_version, expected_version, error);
      return FALSE;
    }

  if (!latest_has_hash (self, kind, workspace_id, id, item->latest_version, hash, &same, error))
    return FALSE;
  if (same)
    {
      /* The same content: no version. A deleted item saved again comes back as it was. */
      if (item->deleted)
        {
          if (!(stmt = _deca_store_stmt (self, kind_sql[kind].set_deleted, error)))
            return FALSE;
          _deca_store_bind_text (stmt, 1, workspace_id);
          _deca_store_bind_text (stmt, 2, id);
          sqlite3_bind_int (stmt, 3, 0);
          sqlite3_bind_int64 (stmt, 4, now);
          if (!_deca_store_write (self, stmt, N_("restore a library item"), error))
            return FALSE;
        }
      if (out_version != NULL)
        *out_version = item->latest_version;
      return TRUE;
    }

  if (!insert_version (self, kind, workspace_id, id, item->latest_version + 1, name, document, hash, now,
                       error))
    return FALSE;
  if (!(stmt = _deca_store_stmt (self, kind_sql[kind].set_version, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, id);
  _deca_store_bind_text (stmt, 3, name);
  sqlite3_bind_int64 (stmt, 4, item->latest_version + 1);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!_deca_store_write (self, stmt, N_("store a library item"), error))
    return FALSE;
  if (out_version != NULL)
    *out_version = item->latest_version + 1;
  return TRUE;
}

/* Saves a version (see the header). The read of the latest version and the insert share
 * one IMMEDIATE transaction, so of two saves from the same expected version exactly one
 * succeeds, and two saves never get the same number. */
gboolean
deca_store_save_library_item (DecaStore        *self,
                              DecaLibraryKind   kind,
                              const char       *workspace_id,
                              const char       *id,
                              const char       *name,
                              const char       *document,
                              gint64            expected_version,
                              gint64           *out_version,
                              GError          **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail ((guint) kind < DECA_LIBRARY_N_KINDS, FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (document != NULL, FALSE);
  g_return_val_if_fail (expected_version >= DECA_LIBRARY_NEW_ITEM, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!deca_store_begin (self, error))
    return FALSE;
  if (!save_item (self, kind, workspace_id, id, name, document, expected_version, out_version, error))
    {
      deca_store_rollback (self);
      return FALSE;
    }
  return deca_store_commit (self, error);
}

DecaLibraryItem *
deca_store_get_library_item (DecaStore        *self,
                             DecaLibraryKind   kind,
                             const char       *workspace_id,
                             const char       *id,
                             GError          **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) kind < DECA_LIBRARY_N_KINDS, NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_live_item (self, kind, workspace_id, id, error);
}

char *
deca_store_load_library_document (DecaStore        *self,
                                  DecaLibraryKind   kind,
                                  const char       *workspace_id,
                                  const char       *id,
                                  gint64            version,
                                  gint64           *out_version,
                                  GError          **error)
{
  g_autoptr(DecaLibraryItem) item = NULL;
  sqlite3_stmt *stmt;
  char *document = NULL;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) kind < DECA_LIBRARY_N_KINDS, NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (version >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(item = read_live_item (self, kind, workspace_id, id, error)))
    return NULL;
  if (version == 0)
    version = item->latest_version;
  if (!(stmt = _deca_store_stmt (self, kind_sql[kind].version_load, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, id);
  sqlite3_bind_int64 (stmt, 3, version);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    document = _deca_store_column_dup (stmt, 0);
  else if (rc == SQLITE_DONE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _(BY_KIND (kind, N_("There is no version %lld of agent “%s”"),
                            N_("There is no version %lld of prompt “%s”"),
                            N_("There is no version %lld of function “%s”"))),
                 (long long) version, id);
  else
    _deca_store_set_error (self, error, READ_WHAT (kind), id);
  sqlite3_reset (stmt);
  if (document != NULL && out_version != NULL)
    *out_version = version;
  return document;
}

GPtrArray *
deca_store_list_library_items (DecaStore        *self,
                               DecaLibraryKind   kind,
                               const char       *workspace_id,
                               const char       *name_filter,
                               const char       *after_id,
                               guint             limit,
                               gboolean          include_deleted,
                               GError          **error)
{
  GPtrArray *items;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) kind < DECA_LIBRARY_N_KINDS, NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, kind_sql[kind].list, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, after_id);
  sqlite3_bind_int (stmt, 3, include_deleted ? 1 : 0);
  _deca_store_bind_text (stmt, 4, name_filter);
  /* A negative LIMIT is none in SQLite. */
  sqlite3_bind_int64 (stmt, 5, limit == 0 ? -1 : (gint64) limit);
  items = _deca_store_collect_rows (self, stmt, item_from_row, (GDestroyNotify) deca_library_item_free,
                                    error, BY_KIND (kind, N_("list agents"), N_("list prompts"),
                                                    N_("list functions")));
  for (guint i = 0; items != NULL && i < items->len; i++)
    ((DecaLibraryItem *) g_ptr_array_index (items, i))->kind = kind;
  return items;
}

GPtrArray *
deca_store_list_library_versions (DecaStore        *self,
                                  DecaLibraryKind   kind,
                                  const char       *workspace_id,
                                  const char       *id,
                                  GError          **error)
{
  g_autoptr(DecaLibraryItem) item = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) kind < DECA_LIBRARY_N_KINDS, NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(item = read_live_item (self, kind, workspace_id, id, error)))
    return NULL;
  if (!(stmt = _deca_store_stmt (self, kind_sql[kind].versions_list, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, id);
  return _deca_store_collect_rows (self, stmt, version_from_row,
                                   (GDestroyNotify) deca_library_version_info_free, error,
                                   BY_KIND (kind, N_("list the versions of agent “%s”"),
                                            N_("list the versions of prompt “%s”"),
                                            N_("list the versions of function “%s”")), id);
}

/* Deletes an item (see the header); the check of its version and the change share one
 * transaction. */
gboolean
deca_store_delete_library_item (DecaStore        *self,
                                DecaLibraryKind   kind,
                                const char       *workspace_id,
                                const char       *id,
                                gint64            expected_version,
                                GError          **error)
{
  g_autoptr(DecaLibraryItem) item = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail ((guint) kind < DECA_LIBRARY_N_KINDS, FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (expected_version >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!deca_store_begin (self, error))
    return FALSE;
  if (!(item = read_live_item (self, kind, workspace_id, id, error)))
    goto fail;
  if (expected_version != DECA_LIBRARY_ANY_VERSION && expected_version != item->latest_version)
    {
      set_changed (kind, id, item->latest_version, expected_version, error);
      goto fail;
    }
  if (!(stmt = _deca_store_stmt (self, kind_sql[kind].set_deleted, error)))
    goto fail;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, id);
  sqlite3_bind_int (stmt, 3, 1);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  if (!_deca_store_write (self, stmt, N_("delete a library item"), error))
    goto fail;
  return deca_store_commit (self, error);

fail:
  deca_store_rollback (self);
  return FALSE;
}

/* Looks flow @flow_id up whatever its workspace (see the header). */
gboolean
deca_store_find_flow_owner (DecaStore   *self,
                            const char  *flow_id,
                            gboolean    *out_exists,
                            char       **out_workspace_id,
                            gboolean    *out_deleted,
                            GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (out_exists != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, flow_owner_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, flow_id);
  rc = sqlite3_step (stmt);
  *out_exists = rc == SQLITE_ROW;
  if (out_workspace_id != NULL)
    *out_workspace_id = rc == SQLITE_ROW ? _deca_store_column_dup (stmt, 0) : NULL;
  if (out_deleted != NULL)
    *out_deleted = rc == SQLITE_ROW && sqlite3_column_int (stmt, 1) != 0;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _deca_store_set_error (self, error, N_("read flow “%s”"), flow_id);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}
