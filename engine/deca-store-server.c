/* deca-store-server.c: the server's tables in DecaStore (schema version 5).
 *
 * The tables are created by migration 5 in deca-store.c; their layout and the reasons
 * for it are in docs/storage.md, "Server tables". Statements go through the store's
 * cache (_deca_store_stmt()), keyed by the static SQL strings below.
 */

#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "deca-store-server.h"
#include "deca-store-private.h"

#include "deca-engine-error.h"

/* Returns @time, or the current time when it is 0. */
static gint64
time_or_now (gint64 time)
{
  return time != 0 ? time : g_get_real_time ();
}

/* Sets @error to "Could not WHAT ..." unless store_step_write() already did (it leaves
 * constraint failures to the caller). @what is marked with N_() and translated here, so
 * that the whole sentence is in the user's language. */
static void
ensure_error (DecaStore   *self,
              GError     **error,
              const char  *what)
{
  if (error != NULL && *error == NULL)
    _deca_store_set_error (self, error, "%s", _(what));
}

/* Commits the batch begun by the caller; on failure (or when @ok is FALSE) rolls it
 * back. Returns whether everything succeeded. */
static gboolean
finish_batch (DecaStore  *self,
              gboolean    ok,
              GError    **error)
{
  if (!ok)
    {
      deca_store_rollback (self);
      return FALSE;
    }
  return deca_store_commit (self, error);
}

/* Schedules */

/* INSERT OR IGNORE + changes(): the primary key (flow_id, trigger_key, fire_at) lets one
 * row in; every other insert of the same fire is ignored and changes nothing. */
static const char schedule_claim_sql[] =
  "INSERT OR IGNORE INTO schedule_fires (flow_id, trigger_key, fire_at, claimed_by,"
  " claimed_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char schedule_cursor_advance_sql[] =
  "INSERT INTO schedule_cursors (flow_id, trigger_key, last_fire_at) VALUES (?1, ?2, ?3)"
  " ON CONFLICT (flow_id, trigger_key) DO UPDATE"
  " SET last_fire_at = max (last_fire_at, excluded.last_fire_at)";
static const char schedule_cursor_get_sql[] =
  "SELECT last_fire_at FROM schedule_cursors WHERE flow_id = ?1 AND trigger_key = ?2";
static const char schedule_last_fire_sql[] =
  "SELECT max (fire_at) FROM schedule_fires WHERE flow_id = ?1 AND trigger_key = ?2";
static const char schedule_cursors_clear_sql[] =
  "DELETE FROM schedule_cursors WHERE flow_id = ?1";
static const char schedule_fires_prune_sql[] =
  "DELETE FROM schedule_fires WHERE fire_at < ?1";

/* Moves the cursor of the trigger forward to @fire_at (never back). */
static gboolean
advance_cursor (DecaStore   *self,
                const char  *flow_id,
                const char  *trigger_key,
                gint64       fire_at,
                GError     **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _deca_store_stmt (self, schedule_cursor_advance_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, flow_id);
  _deca_store_bind_text (stmt, 2, trigger_key);
  sqlite3_bind_int64 (stmt, 3, fire_at);
  return _deca_store_write (self, stmt, N_("move a schedule cursor"), error);
}

/* Claims a fire (see the header). Why a transaction around one INSERT: the claim and the
 * cursor move must land together, and BEGIN IMMEDIATE takes the write lock first, so a
 * second process waits (under the busy timeout) and then sees the first one's row
 * instead of failing with SQLITE_BUSY half-way. */
gboolean
deca_store_claim_schedule_fire (DecaStore   *self,
                                const char  *flow_id,
                                const char  *trigger_key,
                                gint64       fire_at,
                                const char  *claimed_by,
                                GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean claimed;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (trigger_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!deca_store_begin (self, error))
    return FALSE;
  if (!(stmt = _deca_store_stmt (self, schedule_claim_sql, error)))
    return finish_batch (self, FALSE, error);
  _deca_store_bind_text (stmt, 1, flow_id);
  _deca_store_bind_text (stmt, 2, trigger_key);
  sqlite3_bind_int64 (stmt, 3, fire_at);
  _deca_store_bind_text (stmt, 4, claimed_by);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  if (!_deca_store_write (self, stmt, N_("claim a schedule fire"), error))
    return finish_batch (self, FALSE, error);
  claimed = sqlite3_changes (_deca_store_get_db (self)) == 1;
  if (claimed && !advance_cursor (self, flow_id, trigger_key, fire_at, error))
    return finish_batch (self, FALSE, error);
  return finish_batch (self, TRUE, error) && claimed;
}

/* Reads the cursor of the trigger into @out_last_fire_at (0 when there is none). Fails
 * with DECA_ENGINE_ERROR_STORE. */
gboolean
deca_store_get_schedule_cursor (DecaStore   *self,
                                const char  *flow_id,
                                const char  *trigger_key,
                                gint64      *out_last_fire_at,
                                GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (trigger_key != NULL, FALSE);
  g_return_val_if_fail (out_last_fire_at != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, schedule_cursor_get_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, flow_id);
  _deca_store_bind_text (stmt, 2, trigger_key);
  rc = sqlite3_step (stmt);
  *out_last_fire_at = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _deca_store_set_error (self, error, N_("read the schedule cursor of flow “%s”"), flow_id);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* Reads the latest claimed fire of the trigger into @out_fire_at (0 when there is none):
 * a lookup in the claims' primary key. Fails with DECA_ENGINE_ERROR_STORE. */
gboolean
deca_store_get_last_schedule_fire (DecaStore   *self,
                                   const char  *flow_id,
                                   const char  *trigger_key,
                                   gint64      *out_fire_at,
                                   GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (trigger_key != NULL, FALSE);
  g_return_val_if_fail (out_fire_at != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, schedule_last_fire_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, flow_id);
  _deca_store_bind_text (stmt, 2, trigger_key);
  rc = sqlite3_step (stmt);
  /* max() of no rows is one row holding NULL, which reads as 0. */
  *out_fire_at = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _deca_store_set_error (self, error, N_("read the last fire of a schedule of flow “%s”"), flow_id);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* Moves the cursor forward to @last_fire_at; one statement, so no transaction. Fails
 * with DECA_ENGINE_ERROR_STORE. */
gboolean
deca_store_set_schedule_cursor (DecaStore   *self,
                                const char  *flow_id,
                                const char  *trigger_key,
                                gint64       last_fire_at,
                                GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (trigger_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return advance_cursor (self, flow_id, trigger_key, last_fire_at, error);
}

/* Deletes every cursor of @flow_id. Fails with DECA_ENGINE_ERROR_STORE. */
gboolean
deca_store_clear_schedule_cursors (DecaStore   *self,
                                   const char  *flow_id,
                                   GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, schedule_cursors_clear_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, flow_id);
  return _deca_store_write (self, stmt, N_("clear the schedule cursors of a flow"), error);
}

/* Runs the DELETE @sql with ?1 = @before and sets @out_deleted to the rows it removed. */
static gboolean
prune_before (DecaStore   *self,
              const char  *sql,
              gint64       before,
              guint       *out_deleted,
              const char  *what,
              GError     **error)
{
  sqlite3_stmt *stmt;

  if (out_deleted)
    *out_deleted = 0;
  if (!(stmt = _deca_store_stmt (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, before);
  if (!_deca_store_write (self, stmt, what, error))
    return FALSE;
  if (out_deleted)
    *out_deleted = (guint) sqlite3_changes (_deca_store_get_db (self));
  return TRUE;
}

/* Deletes the claims of fires before @before (UTC seconds). Fails with
 * DECA_ENGINE_ERROR_STORE. */
gboolean
deca_store_prune_schedule_fires (DecaStore   *self,
                                 gint64       before,
                                 guint       *out_deleted,
                                 GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return prune_before (self, schedule_fires_prune_sql, before, out_deleted,
                       N_("prune schedule claims"), error);
}

/* Records */

/* Frees @record and its strings; NULL is ignored. */
void
deca_workspace_record_free (DecaWorkspaceRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->name);
  g_free (record);
}

/* Frees @record and its strings; NULL is ignored. */
void
deca_user_record_free (DecaUserRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->display_name);
  g_free (record);
}

/* Frees @record and its strings; NULL is ignored. */
void
deca_member_record_free (DecaMemberRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->workspace_id);
  g_free (record->user_id);
  g_free (record->role);
  g_free (record->display_name);
  g_free (record);
}

/* Frees @record and its strings; NULL is ignored. */
void
deca_api_key_record_free (DecaApiKeyRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->workspace_id);
  g_free (record->name);
  g_free (record->role);
  g_free (record->scopes);
  g_free (record->secret_hash);
  g_free (record);
}

/* Frees @record, its strings and its reference on the ciphertext; NULL is ignored. */
void
deca_credential_record_free (DecaCredentialRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->workspace_id);
  g_free (record->name);
  g_free (record->type);
  g_clear_pointer (&record->ciphertext, g_bytes_unref);
  g_free (record->key_id);
  g_free (record);
}

/* Frees @record and its strings; NULL is ignored. */
void
deca_audit_record_free (DecaAuditRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->workspace_id);
  g_free (record->actor);
  g_free (record->action);
  g_free (record->target);
  g_free (record->source);
  g_free (record->result);
  g_free (record->details);
  g_free (record);
}

/* Frees @record and its strings; NULL is ignored. */
void
deca_topic_event_record_free (DecaTopicEventRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->workspace_id);
  g_free (record->topic);
  g_free (record->payload);
  g_free (record->source);
  g_free (record);
}

/* Rows */

/* _deca_store_collect_rows() with @what (an N_() literal) as its format: translated, and
 * only when the read fails. */
#define collect_rows(self, stmt, from_row, free_func, what, error) \
  _deca_store_collect_rows ((self), (stmt), (from_row), (free_func), (error), what)

/* Workspaces */

#define WORKSPACE_COLUMNS "id, name, created_at"

static const char workspace_insert_sql[] =
  "INSERT INTO workspaces (id, name, created_at) VALUES (?1, ?2, ?3)";
static const char workspace_get_sql[] =
  "SELECT " WORKSPACE_COLUMNS " FROM workspaces WHERE id = ?1";
static const char workspace_list_sql[] =
  "SELECT " WORKSPACE_COLUMNS " FROM workspaces ORDER BY id";
static const char workspace_rename_sql[] =
  "UPDATE workspaces SET name = ?2 WHERE id = ?1";

static gpointer
workspace_from_row (sqlite3_stmt *stmt)
{
  DecaWorkspaceRecord *record = g_new0 (DecaWorkspaceRecord, 1);

  record->id = _deca_store_column_dup (stmt, 0);
  record->name = _deca_store_column_dup (stmt, 1);
  record->created_at = sqlite3_column_int64 (stmt, 2);
  return record;
}

static void
set_workspace_not_found (DecaStore   *self,
                         const char  *id,
                         GError     **error)
{
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
               _("There is no workspace “%s”"), id);
}

/* Creates workspace @id named @name. Fails with DECA_ENGINE_ERROR_STATE when @id exists,
 * DECA_ENGINE_ERROR_STORE otherwise. */
gboolean
deca_store_create_workspace (DecaStore   *self,
                             const char  *id,
                             const char  *name,
                             GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, workspace_insert_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, name);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  rc = _deca_store_step_write (self, stmt, N_("create a workspace"), error);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                 _("Workspace “%s” already exists"), id);
  else
    ensure_error (self, error, N_("create a workspace"));
  return FALSE;
}

/* Returns (transfer full) workspace @id, or NULL with DECA_ENGINE_ERROR_NOT_FOUND or
 * _STORE. */
DecaWorkspaceRecord *
deca_store_get_workspace (DecaStore   *self,
                          const char  *id,
                          GError     **error)
{
  DecaWorkspaceRecord *record;
  sqlite3_stmt *stmt;
  gboolean none;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, workspace_get_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, id);
  record = _deca_store_get_row (self, stmt, workspace_from_row, &none, error,
                                N_("read a workspace"));
  if (none)
    set_workspace_not_found (self, id, error);
  return record;
}

/* Returns (transfer full) every workspace by id, or NULL with DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_workspaces (DecaStore  *self,
                            GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, workspace_list_sql, error)))
    return NULL;
  return collect_rows (self, stmt, workspace_from_row,
                       (GDestroyNotify) deca_workspace_record_free,
                       N_("list workspaces"), error);
}

/* Renames workspace @id. Fails with DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
gboolean
deca_store_rename_workspace (DecaStore   *self,
                             const char  *id,
                             const char  *name,
                             GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, workspace_rename_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, name);
  if (!_deca_store_write (self, stmt, N_("rename a workspace"), error))
    return FALSE;
  if (sqlite3_changes (_deca_store_get_db (self)) == 0)
    {
      set_workspace_not_found (self, id, error);
      return FALSE;
    }
  return TRUE;
}

/* The workspace of a flow, for the executor: an execution is recorded in its flow's
 * workspace (deca_store_insert_execution()), so its credentials come from there.
 * Deleted flows count: their executions can still be resumed. */
static const char flow_workspace_sql[] =
  "SELECT workspace_id FROM flows WHERE id = ?1";

static gpointer
flow_workspace_from_row (sqlite3_stmt *stmt)
{
  return _deca_store_column_dup (stmt, 0);
}

/* Returns (transfer full) the workspace id of flow @flow_id, or NULL with
 * DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
char *
deca_store_get_flow_workspace (DecaStore   *self,
                               const char  *flow_id,
                               GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean none;
  char *workspace_id;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (flow_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, flow_workspace_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, flow_id);
  workspace_id = _deca_store_get_row (self, stmt, flow_workspace_from_row, &none, error,
                                      N_("read the workspace of flow “%s”"), flow_id);
  if (none)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("There is no flow “%s”"), flow_id);
  return workspace_id;
}

/* Users and members */

static const char user_put_sql[] =
  "INSERT INTO users (id, display_name, created_at) VALUES (?1, ?2, ?3)"
  " ON CONFLICT (id) DO UPDATE SET display_name = coalesce (?2, display_name)";
static const char user_ensure_sql[] =
  "INSERT OR IGNORE INTO users (id, display_name, created_at) VALUES (?1, NULL, ?2)";
static const char user_get_sql[] =
  "SELECT id, display_name, created_at FROM users WHERE id = ?1";
#define MEMBER_COLUMNS "workspace_id, user_id, role, created_at"
static const char member_set_sql[] =
  "INSERT INTO members (" MEMBER_COLUMNS ") VALUES (?1, ?2, ?3, ?4)"
  " ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role";
/* Members come with their user's display name, joined in the same query: a list of
 * members would otherwise read each user with a query of its own. */
#define MEMBER_SELECT \
  "SELECT m.workspace_id, m.user_id, m.role, m.created_at, u.display_name" \
  " FROM members m LEFT JOIN users u ON u.id = m.user_id"
static const char member_get_sql[] =
  MEMBER_SELECT " WHERE m.workspace_id = ?1 AND m.user_id = ?2";
static const char member_list_sql[] =
  MEMBER_SELECT " WHERE m.workspace_id = ?1 ORDER BY m.user_id";
static const char member_list_user_sql[] =
  MEMBER_SELECT " WHERE m.user_id = ?1 ORDER BY m.workspace_id";
static const char member_remove_sql[] =
  "DELETE FROM members WHERE workspace_id = ?1 AND user_id = ?2";

static gpointer
user_from_row (sqlite3_stmt *stmt)
{
  DecaUserRecord *record = g_new0 (DecaUserRecord, 1);

  record->id = _deca_store_column_dup (stmt, 0);
  record->display_name = _deca_store_column_dup (stmt, 1);
  record->created_at = sqlite3_column_int64 (stmt, 2);
  return record;
}

static gpointer
member_from_row (sqlite3_stmt *stmt)
{
  DecaMemberRecord *record = g_new0 (DecaMemberRecord, 1);

  record->workspace_id = _deca_store_column_dup (stmt, 0);
  record->user_id = _deca_store_column_dup (stmt, 1);
  record->role = _deca_store_column_dup (stmt, 2);
  record->created_at = sqlite3_column_int64 (stmt, 3);
  record->display_name = _deca_store_column_dup (stmt, 4);
  return record;
}

/* Creates or updates user @id (a NULL @display_name keeps the stored one). Fails with
 * DECA_ENGINE_ERROR_STORE. */
gboolean
deca_store_put_user (DecaStore   *self,
                     const char  *id,
                     const char  *display_name,
                     GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, user_put_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, display_name);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  return _deca_store_write (self, stmt, N_("store a user"), error);
}

/* Returns (transfer full) user @id, or NULL with DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
DecaUserRecord *
deca_store_get_user (DecaStore   *self,
                     const char  *id,
                     GError     **error)
{
  DecaUserRecord *record;
  sqlite3_stmt *stmt;
  gboolean none;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, user_get_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, id);
  record = _deca_store_get_row (self, stmt, user_from_row, &none, error,
                                N_("read a user"));
  if (none)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("There is no user “%s”"), id);
  return record;
}

/* Sets the role of @user_id in @workspace_id, creating the user row and the membership
 * as needed, in one transaction. Fails with DECA_ENGINE_ERROR_NOT_FOUND when the
 * workspace does not exist, _STORE. */
gboolean
deca_store_set_member (DecaStore   *self,
                       const char  *workspace_id,
                       const char  *user_id,
                       const char  *role,
                       GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 now = g_get_real_time ();
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);
  g_return_val_if_fail (role != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!deca_store_begin (self, error))
    return FALSE;
  if (!(stmt = _deca_store_stmt (self, user_ensure_sql, error)))
    return finish_batch (self, FALSE, error);
  _deca_store_bind_text (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!_deca_store_write (self, stmt, N_("store a user"), error))
    return finish_batch (self, FALSE, error);

  if (!(stmt = _deca_store_stmt (self, member_set_sql, error)))
    return finish_batch (self, FALSE, error);
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, user_id);
  _deca_store_bind_text (stmt, 3, role);
  sqlite3_bind_int64 (stmt, 4, now);
  rc = _deca_store_step_write (self, stmt, N_("store a member"), error);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    set_workspace_not_found (self, workspace_id, error);
  else if (rc != SQLITE_DONE)
    ensure_error (self, error, N_("store a member"));
  return finish_batch (self, rc == SQLITE_DONE, error);
}

/* Returns (transfer full) the membership of @user_id in @workspace_id, or NULL with
 * DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
DecaMemberRecord *
deca_store_get_member (DecaStore   *self,
                       const char  *workspace_id,
                       const char  *user_id,
                       GError     **error)
{
  DecaMemberRecord *record;
  sqlite3_stmt *stmt;
  gboolean none;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (user_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, member_get_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, user_id);
  record = _deca_store_get_row (self, stmt, member_from_row, &none, error,
                                N_("read a member"));
  if (none)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("User “%s” is not a member of workspace “%s”"), user_id, workspace_id);
  return record;
}

/* The rows of the member query @sql bound to @key. */
static GPtrArray *
list_members (DecaStore   *self,
              const char  *sql,
              const char  *key,
              GError     **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _deca_store_stmt (self, sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, key);
  return collect_rows (self, stmt, member_from_row, (GDestroyNotify) deca_member_record_free,
                       N_("list members"), error);
}

/* Returns (transfer full) the members of @workspace_id (none for an unknown one), or
 * NULL with DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_members (DecaStore   *self,
                         const char  *workspace_id,
                         GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return list_members (self, member_list_sql, workspace_id, error);
}

/* Returns (transfer full) the memberships of @user_id, or NULL with
 * DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_user_memberships (DecaStore   *self,
                                  const char  *user_id,
                                  GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return list_members (self, member_list_user_sql, user_id, error);
}

/* Removes @user_id from @workspace_id (the user row stays). Fails with
 * DECA_ENGINE_ERROR_NOT_FOUND when it is not a member there, _STORE. */
gboolean
deca_store_remove_member (DecaStore   *self,
                          const char  *workspace_id,
                          const char  *user_id,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, member_remove_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, user_id);
  if (!_deca_store_write (self, stmt, N_("remove a member"), error))
    return FALSE;
  if (sqlite3_changes (_deca_store_get_db (self)) == 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                   _("User “%s” is not a member of workspace “%s”"), user_id, workspace_id);
      return FALSE;
    }
  return TRUE;
}

/* API keys */

#define API_KEY_COLUMNS \
  "id, workspace_id, name, role, scopes, secret_hash, created_at, last_used_at, revoked_at"

static const char api_key_insert_sql[] =
  "INSERT INTO api_keys (" API_KEY_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char api_key_get_sql[] =
  "SELECT " API_KEY_COLUMNS " FROM api_keys WHERE id = ?1 AND (?2 IS NULL OR workspace_id = ?2)";
static const char api_key_by_hash_sql[] =
  "SELECT " API_KEY_COLUMNS " FROM api_keys WHERE secret_hash = ?1";
static const char api_key_list_sql[] =
  "SELECT " API_KEY_COLUMNS " FROM api_keys WHERE workspace_id = ?1 ORDER BY created_at, id";
static const char api_key_revoke_sql[] =
  "UPDATE api_keys SET revoked_at = CASE WHEN revoked_at = 0 THEN ?3 ELSE revoked_at END"
  " WHERE id = ?1 AND workspace_id = ?2";
static const char api_key_touch_sql[] =
  "UPDATE api_keys SET last_used_at = max (last_used_at, ?2) WHERE id = ?1";

static gpointer
api_key_from_row (sqlite3_stmt *stmt)
{
  DecaApiKeyRecord *record = g_new0 (DecaApiKeyRecord, 1);

  record->id = _deca_store_column_dup (stmt, 0);
  record->workspace_id = _deca_store_column_dup (stmt, 1);
  record->name = _deca_store_column_dup (stmt, 2);
  record->role = _deca_store_column_dup (stmt, 3);
  record->scopes = _deca_store_column_dup (stmt, 4);
  record->secret_hash = _deca_store_column_dup (stmt, 5);
  record->created_at = sqlite3_column_int64 (stmt, 6);
  record->last_used_at = sqlite3_column_int64 (stmt, 7);
  record->revoked_at = sqlite3_column_int64 (stmt, 8);
  return record;
}

/* Inserts key @record (created_at 0 = now). Fails with DECA_ENGINE_ERROR_STATE when its
 * id or hash is taken, _NOT_FOUND when the workspace does not exist, _STORE. */
gboolean
deca_store_insert_api_key (DecaStore              *self,
                           const DecaApiKeyRecord *record,
                           GError                **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (record->id != NULL, FALSE);
  g_return_val_if_fail (record->workspace_id != NULL, FALSE);
  g_return_val_if_fail (record->name != NULL, FALSE);
  g_return_val_if_fail (record->role != NULL, FALSE);
  g_return_val_if_fail (record->secret_hash != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, api_key_insert_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, record->id);
  _deca_store_bind_text (stmt, 2, record->workspace_id);
  _deca_store_bind_text (stmt, 3, record->name);
  _deca_store_bind_text (stmt, 4, record->role);
  _deca_store_bind_text (stmt, 5, record->scopes);
  _deca_store_bind_text (stmt, 6, record->secret_hash);
  sqlite3_bind_int64 (stmt, 7, time_or_now (record->created_at));
  sqlite3_bind_int64 (stmt, 8, record->last_used_at);
  sqlite3_bind_int64 (stmt, 9, record->revoked_at);
  rc = _deca_store_step_write (self, stmt, N_("insert an API key"), error);
  if (rc == SQLITE_DONE)
    return TRUE;
  /* The message names the key by id only: the hash is as good as a secret. */
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                 _("API key “%s” already exists"), record->id);
  else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    set_workspace_not_found (self, record->workspace_id, error);
  else
    ensure_error (self, error, N_("insert an API key"));
  return FALSE;
}

/* Returns (transfer full) key @id (of @workspace_id unless it is NULL), or NULL with
 * DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
DecaApiKeyRecord *
deca_store_get_api_key (DecaStore   *self,
                        const char  *workspace_id,
                        const char  *id,
                        GError     **error)
{
  DecaApiKeyRecord *record;
  sqlite3_stmt *stmt;
  gboolean none;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, api_key_get_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, workspace_id);
  record = _deca_store_get_row (self, stmt, api_key_from_row, &none, error,
                                N_("read an API key"));
  if (none)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("API key “%s” does not exist"), id);
  return record;
}

/* Returns (transfer full) the key with @secret_hash, or NULL with
 * DECA_ENGINE_ERROR_NOT_FOUND (the message does not repeat the hash) or _STORE. */
DecaApiKeyRecord *
deca_store_find_api_key_by_hash (DecaStore   *self,
                                 const char  *secret_hash,
                                 GError     **error)
{
  DecaApiKeyRecord *record;
  sqlite3_stmt *stmt;
  gboolean none;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (secret_hash != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, api_key_by_hash_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, secret_hash);
  record = _deca_store_get_row (self, stmt, api_key_from_row, &none, error,
                                N_("look up an API key"));
  if (none)
    g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                         _("No API key has that secret"));
  return record;
}

/* Returns (transfer full) the keys of @workspace_id, or NULL with
 * DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_api_keys (DecaStore   *self,
                          const char  *workspace_id,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, api_key_list_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  return collect_rows (self, stmt, api_key_from_row,
                       (GDestroyNotify) deca_api_key_record_free, N_("list API keys"), error);
}

/* Revokes key @id of @workspace_id. Fails with DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
gboolean
deca_store_revoke_api_key (DecaStore   *self,
                           const char  *workspace_id,
                           const char  *id,
                           GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, api_key_revoke_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, workspace_id);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  if (!_deca_store_write (self, stmt, N_("revoke an API key"), error))
    return FALSE;
  if (sqlite3_changes (_deca_store_get_db (self)) == 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                   _("API key “%s” is not in workspace “%s”"), id, workspace_id);
      return FALSE;
    }
  return TRUE;
}

/* Sets last_used_at of key @id to @used_at (0 = now) unless it is later already. Fails
 * with DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
gboolean
deca_store_touch_api_key (DecaStore   *self,
                          const char  *id,
                          gint64       used_at,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, api_key_touch_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, time_or_now (used_at));
  if (!_deca_store_write (self, stmt, N_("record the use of an API key"), error))
    return FALSE;
  if (sqlite3_changes (_deca_store_get_db (self)) == 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                   _("API key “%s” does not exist"), id);
      return FALSE;
    }
  return TRUE;
}

/* Credentials */

#define CREDENTIAL_COLUMNS \
  "id, workspace_id, name, type, ciphertext, key_id, created_at, updated_at, revision"

static const char credential_insert_sql[] =
  "INSERT INTO credentials (" CREDENTIAL_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)";
static const char credential_get_sql[] =
  "SELECT " CREDENTIAL_COLUMNS " FROM credentials WHERE id = ?1 AND workspace_id = ?2";
static const char credential_get_by_name_sql[] =
  "SELECT " CREDENTIAL_COLUMNS " FROM credentials WHERE name = ?1 AND workspace_id = ?2";
static const char credential_list_sql[] =
  "SELECT " CREDENTIAL_COLUMNS " FROM credentials WHERE ?1 IS NULL OR workspace_id = ?1"
  " ORDER BY workspace_id, name";
static const char credential_revision_sql[] =
  "SELECT revision FROM credentials WHERE id = ?1 AND workspace_id = ?2";
static const char credential_update_sql[] =
  "UPDATE credentials SET name = coalesce (?3, name), type = coalesce (?4, type),"
  " ciphertext = ?5, key_id = ?6, updated_at = ?7, revision = revision + 1"
  " WHERE id = ?1 AND workspace_id = ?2";
static const char credential_rekey_sql[] =
  "UPDATE credentials SET ciphertext = ?3, key_id = ?4 WHERE id = ?1 AND key_id = ?2";
static const char credential_exists_sql[] =
  "SELECT 1 FROM credentials WHERE id = ?1";
static const char credential_delete_sql[] =
  "DELETE FROM credentials WHERE id = ?1 AND workspace_id = ?2";

static gpointer
credential_from_row (sqlite3_stmt *stmt)
{
  DecaCredentialRecord *record = g_new0 (DecaCredentialRecord, 1);

  record->id = _deca_store_column_dup (stmt, 0);
  record->workspace_id = _deca_store_column_dup (stmt, 1);
  record->name = _deca_store_column_dup (stmt, 2);
  record->type = _deca_store_column_dup (stmt, 3);
  /* column_blob() of an empty blob is NULL; the length says what it is. */
  record->ciphertext = g_bytes_new (sqlite3_column_blob (stmt, 4),
                                    (gsize) sqlite3_column_bytes (stmt, 4));
  record->key_id = _deca_store_column_dup (stmt, 5);
  record->created_at = sqlite3_column_int64 (stmt, 6);
  record->updated_at = sqlite3_column_int64 (stmt, 7);
  record->revision = sqlite3_column_int64 (stmt, 8);
  return record;
}

/* Binds @bytes as a blob (SQLITE_STATIC, as _deca_store_bind_text()); a zero-length
 * blob rather than NULL for empty bytes, since the column is NOT NULL. */
static void
bind_bytes (sqlite3_stmt *stmt,
            int           index,
            GBytes       *bytes)
{
  gsize size = 0;
  gconstpointer data = g_bytes_get_data (bytes, &size);

  if (size == 0)
    sqlite3_bind_zeroblob (stmt, index, 0);
  else
    sqlite3_bind_blob64 (stmt, index, data, size, SQLITE_STATIC);
}

static void
set_credential_not_found (const char  *workspace_id,
                          const char  *id,
                          GError     **error)
{
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
               _("Credential “%s” is not in workspace “%s”"), id, workspace_id);
}

/* Inserts @record at revision 1 (created_at and updated_at 0 = now). Fails with
 * DECA_ENGINE_ERROR_STATE for a taken id or name, _NOT_FOUND for a missing workspace,
 * _STORE. */
gboolean
deca_store_insert_credential (DecaStore                  *self,
                              const DecaCredentialRecord *record,
                              GError                    **error)
{
  sqlite3_stmt *stmt;
  gint64 now = g_get_real_time ();
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (record->id != NULL, FALSE);
  g_return_val_if_fail (record->workspace_id != NULL, FALSE);
  g_return_val_if_fail (record->name != NULL, FALSE);
  g_return_val_if_fail (record->type != NULL, FALSE);
  g_return_val_if_fail (record->ciphertext != NULL, FALSE);
  g_return_val_if_fail (record->key_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, credential_insert_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, record->id);
  _deca_store_bind_text (stmt, 2, record->workspace_id);
  _deca_store_bind_text (stmt, 3, record->name);
  _deca_store_bind_text (stmt, 4, record->type);
  bind_bytes (stmt, 5, record->ciphertext);
  _deca_store_bind_text (stmt, 6, record->key_id);
  sqlite3_bind_int64 (stmt, 7, record->created_at ? record->created_at : now);
  sqlite3_bind_int64 (stmt, 8, record->updated_at ? record->updated_at : now);
  rc = _deca_store_step_write (self, stmt, N_("insert a credential"), error);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                 _("Credential “%s” already exists"), record->id);
  else if (rc == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                 _("Workspace “%s” already has a credential named “%s”"),
                 record->workspace_id, record->name);
  else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    set_workspace_not_found (self, record->workspace_id, error);
  else
    ensure_error (self, error, N_("insert a credential"));
  return FALSE;
}

/* Reads one credential by the query @sql (?1 = @key, ?2 = @workspace_id). */
static DecaCredentialRecord *
get_credential (DecaStore   *self,
                const char  *sql,
                const char  *workspace_id,
                const char  *key,
                GError     **error)
{
  DecaCredentialRecord *record;
  sqlite3_stmt *stmt;
  gboolean none;

  if (!(stmt = _deca_store_stmt (self, sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, key);
  _deca_store_bind_text (stmt, 2, workspace_id);
  record = _deca_store_get_row (self, stmt, credential_from_row, &none, error,
                                N_("read a credential"));
  if (none)
    set_credential_not_found (workspace_id, key, error);
  return record;
}

/* Returns (transfer full) credential @id of @workspace_id, or NULL with
 * DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
DecaCredentialRecord *
deca_store_get_credential (DecaStore   *self,
                           const char  *workspace_id,
                           const char  *id,
                           GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return get_credential (self, credential_get_sql, workspace_id, id, error);
}

/* Returns (transfer full) the credential named @name in @workspace_id, or NULL with
 * DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
DecaCredentialRecord *
deca_store_get_credential_by_name (DecaStore   *self,
                                   const char  *workspace_id,
                                   const char  *name,
                                   GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return get_credential (self, credential_get_by_name_sql, workspace_id, name, error);
}

/* Returns (transfer full) the credentials of @workspace_id (or all), or NULL with
 * DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_credentials (DecaStore   *self,
                             const char  *workspace_id,
                             GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, credential_list_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  return collect_rows (self, stmt, credential_from_row,
                       (GDestroyNotify) deca_credential_record_free,
                       N_("list credentials"), error);
}

/* Updates credential @id of @workspace_id (see the header). The revision check and the
 * update share one IMMEDIATE transaction, so of two updates from the same base revision
 * exactly one succeeds. */
gboolean
deca_store_update_credential (DecaStore   *self,
                              const char  *workspace_id,
                              const char  *id,
                              const char  *name,
                              const char  *type,
                              GBytes      *ciphertext,
                              const char  *key_id,
                              gint64       expected_revision,
                              gint64      *out_revision,
                              GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 revision;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (ciphertext != NULL, FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!deca_store_begin (self, error))
    return FALSE;
  if (!(stmt = _deca_store_stmt (self, credential_revision_sql, error)))
    return finish_batch (self, FALSE, error);
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, workspace_id);
  rc = sqlite3_step (stmt);
  revision = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (rc == SQLITE_DONE)
    set_credential_not_found (workspace_id, id, error);
  else if (rc != SQLITE_ROW)
    _deca_store_set_error (self, error, N_("read credential “%s”"), id);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return finish_batch (self, FALSE, error);
  if (expected_revision != 0 && revision != expected_revision)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("Credential “%s” is at revision %lld, not %lld: it was changed meanwhile"),
                   id, (long long) revision, (long long) expected_revision);
      return finish_batch (self, FALSE, error);
    }

  if (!(stmt = _deca_store_stmt (self, credential_update_sql, error)))
    return finish_batch (self, FALSE, error);
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, workspace_id);
  _deca_store_bind_text (stmt, 3, name);
  _deca_store_bind_text (stmt, 4, type);
  bind_bytes (stmt, 5, ciphertext);
  _deca_store_bind_text (stmt, 6, key_id);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time ());
  rc = _deca_store_step_write (self, stmt, N_("update a credential"), error);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                 _("Workspace “%s” already has a credential named “%s”"), workspace_id, name);
  else if (rc != SQLITE_DONE)
    ensure_error (self, error, N_("update a credential"));
  if (rc != SQLITE_DONE)
    return finish_batch (self, FALSE, error);
  if (!finish_batch (self, TRUE, error))
    return FALSE;
  if (out_revision)
    *out_revision = revision + 1;
  return TRUE;
}

/* Re-encrypts credential @id (see the header): one conditional UPDATE, so a concurrent
 * update is never overwritten with the old secret. */
gboolean
deca_store_rekey_credential (DecaStore   *self,
                             const char  *id,
                             const char  *expected_key_id,
                             GBytes      *ciphertext,
                             const char  *key_id,
                             GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (expected_key_id != NULL, FALSE);
  g_return_val_if_fail (ciphertext != NULL, FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, credential_rekey_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, expected_key_id);
  bind_bytes (stmt, 3, ciphertext);
  _deca_store_bind_text (stmt, 4, key_id);
  if (!_deca_store_write (self, stmt, N_("re-encrypt a credential"), error))
    return FALSE;
  if (sqlite3_changes (_deca_store_get_db (self)) == 1)
    return TRUE;

  /* Nothing matched: gone, or under another key by now. */
  if (!(stmt = _deca_store_stmt (self, credential_exists_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                 _("Credential “%s” is no longer encrypted with key “%s”"), id,
                 expected_key_id);
  else if (rc == SQLITE_DONE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("Credential “%s” does not exist"), id);
  else
    _deca_store_set_error (self, error, N_("read credential “%s”"), id);
  sqlite3_reset (stmt);
  return FALSE;
}

/* Deletes credential @id of @workspace_id. Fails with DECA_ENGINE_ERROR_NOT_FOUND or
 * _STORE. */
gboolean
deca_store_delete_credential (DecaStore   *self,
                              const char  *workspace_id,
                              const char  *id,
                              GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, credential_delete_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, workspace_id);
  if (!_deca_store_write (self, stmt, N_("delete a credential"), error))
    return FALSE;
  if (sqlite3_changes (_deca_store_get_db (self)) == 0)
    {
      set_credential_not_found (workspace_id, id, error);
      return FALSE;
    }
  return TRUE;
}

/* The audit log */

#define AUDIT_COLUMNS "id, at, workspace_id, actor, action, target, source, result, details"

static const char audit_append_sql[] =
  "INSERT INTO audit_log (at, workspace_id, actor, action, target, source, result, details)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/* A negative LIMIT is none; the (workspace_id, id) index serves the order. "IS" so that
 * NULL selects the server-wide lines. */
static const char audit_list_sql[] =
  "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE workspace_id IS ?1 AND (?2 = 0 OR id < ?2)"
  " ORDER BY id DESC LIMIT ?3";
static const char audit_prune_sql[] =
  "DELETE FROM audit_log WHERE at < ?1";

static gpointer
audit_from_row (sqlite3_stmt *stmt)
{
  DecaAuditRecord *record = g_new0 (DecaAuditRecord, 1);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->at = sqlite3_column_int64 (stmt, 1);
  record->workspace_id = _deca_store_column_dup (stmt, 2);
  record->actor = _deca_store_column_dup (stmt, 3);
  record->action = _deca_store_column_dup (stmt, 4);
  record->target = _deca_store_column_dup (stmt, 5);
  record->source = _deca_store_column_dup (stmt, 6);
  record->result = _deca_store_column_dup (stmt, 7);
  record->details = _deca_store_column_dup (stmt, 8);
  return record;
}

/* Appends @record to the audit log. Fails with DECA_ENGINE_ERROR_STORE. */
gboolean
deca_store_append_audit (DecaStore             *self,
                         const DecaAuditRecord *record,
                         gint64                *out_id,
                         GError               **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (record->actor != NULL, FALSE);
  g_return_val_if_fail (record->action != NULL, FALSE);
  g_return_val_if_fail (record->result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, audit_append_sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, time_or_now (record->at));
  _deca_store_bind_text (stmt, 2, record->workspace_id);
  _deca_store_bind_text (stmt, 3, record->actor);
  _deca_store_bind_text (stmt, 4, record->action);
  _deca_store_bind_text (stmt, 5, record->target);
  _deca_store_bind_text (stmt, 6, record->source);
  _deca_store_bind_text (stmt, 7, record->result);
  _deca_store_bind_text (stmt, 8, record->details);
  if (!_deca_store_write (self, stmt, N_("append to the audit log"), error))
    return FALSE;
  if (out_id)
    *out_id = sqlite3_last_insert_rowid (_deca_store_get_db (self));
  return TRUE;
}

/* Returns (transfer full) a page of the audit log of @workspace_id (NULL: the lines of no
 * workspace), or NULL with DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_audit (DecaStore   *self,
                       const char  *workspace_id,
                       gint64       before_id,
                       guint        limit,
                       GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!deca_store_flush_audit (self, error))
    return NULL;
  if (!(stmt = _deca_store_stmt (self, audit_list_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int64 (stmt, 2, before_id);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64) limit : -1);
  return collect_rows (self, stmt, audit_from_row, (GDestroyNotify) deca_audit_record_free,
                       N_("list the audit log"), error);
}

/* Deletes audit lines older than @before (µs). Fails with DECA_ENGINE_ERROR_STORE. */
gboolean
deca_store_prune_audit (DecaStore   *self,
                        gint64       before,
                        guint       *out_deleted,
                        GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!deca_store_flush_audit (self, error))
    return FALSE;
  return prune_before (self, audit_prune_sql, before, out_deleted,
                       N_("prune the audit log"), error);
}

/* Published events */

#define TOPIC_EVENT_COLUMNS "id, workspace_id, topic, payload, published_at, source"

static const char topic_event_append_sql[] =
  "INSERT INTO topic_events (workspace_id, topic, payload, published_at, source)"
  " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char topic_event_list_sql[] =
  "SELECT " TOPIC_EVENT_COLUMNS " FROM topic_events WHERE workspace_id = ?1 AND id > ?2"
  " ORDER BY id LIMIT ?3";
static const char topic_event_list_before_sql[] =
  "SELECT " TOPIC_EVENT_COLUMNS " FROM topic_events WHERE workspace_id = ?1 AND id < ?2"
  " AND published_at >= ?3 ORDER BY id DESC LIMIT ?4";
static const char topic_event_find_sql[] =
  "SELECT " TOPIC_EVENT_COLUMNS " FROM topic_events WHERE workspace_id = ?1"
  " AND json_valid (payload) AND json_extract (payload, '$.id') = ?2 LIMIT 1";
static const char topic_event_prune_sql[] =
  "DELETE FROM topic_events WHERE published_at < ?1";

static gpointer
topic_event_from_row (sqlite3_stmt *stmt)
{
  DecaTopicEventRecord *record = g_new0 (DecaTopicEventRecord, 1);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->workspace_id = _deca_store_column_dup (stmt, 1);
  record->topic = _deca_store_column_dup (stmt, 2);
  record->payload = _deca_store_column_dup (stmt, 3);
  record->published_at = sqlite3_column_int64 (stmt, 4);
  record->source = _deca_store_column_dup (stmt, 5);
  return record;
}

/* Stores the published event @record. Fails with DECA_ENGINE_ERROR_NOT_FOUND when its
 * workspace does not exist, _STORE. */
gboolean
deca_store_append_topic_event (DecaStore                  *self,
                               const DecaTopicEventRecord *record,
                               gint64                     *out_id,
                               GError                    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (record->workspace_id != NULL, FALSE);
  g_return_val_if_fail (record->topic != NULL, FALSE);
  g_return_val_if_fail (record->payload != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = _deca_store_stmt (self, topic_event_append_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, record->workspace_id);
  _deca_store_bind_text (stmt, 2, record->topic);
  _deca_store_bind_text (stmt, 3, record->payload);
  sqlite3_bind_int64 (stmt, 4, time_or_now (record->published_at));
  _deca_store_bind_text (stmt, 5, record->source);
  rc = _deca_store_step_write (self, stmt, N_("store a published event"), error);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    set_workspace_not_found (self, record->workspace_id, error);
  else if (rc != SQLITE_DONE)
    ensure_error (self, error, N_("store a published event"));
  if (rc != SQLITE_DONE)
    return FALSE;
  if (out_id)
    *out_id = sqlite3_last_insert_rowid (_deca_store_get_db (self));
  return TRUE;
}

/* Returns (transfer full) the events of @workspace_id after @after_id, or NULL with
 * DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_topic_events (DecaStore   *self,
                              const char  *workspace_id,
                              gint64       after_id,
                              guint        limit,
                              GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, topic_event_list_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int64 (stmt, 2, after_id);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64) limit : -1);
  return collect_rows (self, stmt, topic_event_from_row,
                       (GDestroyNotify) deca_topic_event_record_free,
                       N_("list published events"), error);
}

/* Returns (transfer full) the events of @workspace_id before @before_id, newest first, or
 * NULL with DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_topic_events_before (DecaStore   *self,
                                     const char  *workspace_id,
                                     gint64       before_id,
                                     gint64       since,
                                     guint        limit,
                                     GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, topic_event_list_before_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int64 (stmt, 2, before_id > 0 ? before_id : G_MAXINT64);
  sqlite3_bind_int64 (stmt, 3, since);
  sqlite3_bind_int64 (stmt, 4, limit > 0 ? (gint64) limit : -1);
  return collect_rows (self, stmt, topic_event_from_row,
                       (GDestroyNotify) deca_topic_event_record_free,
                       N_("list published events"), error);
}

/* Returns (transfer full) the event of @workspace_id with the payload id @event_id, or
 * NULL with DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
DecaTopicEventRecord *
deca_store_find_topic_event (DecaStore   *self,
                             const char  *workspace_id,
                             const char  *event_id,
                             GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL && event_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, topic_event_find_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, event_id);
  rows = collect_rows (self, stmt, topic_event_from_row,
                       (GDestroyNotify) deca_topic_event_record_free,
                       N_("read a published event"), error);
  if (rows == NULL)
    return NULL;
  if (rows->len == 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                   _("no event '%s' in workspace '%s'"), event_id, workspace_id);
      return NULL;
    }
  return g_ptr_array_steal_index (rows, 0);
}

/* Deletes published events older than @before (µs). Fails with
 * DECA_ENGINE_ERROR_STORE. */
gboolean
deca_store_prune_topic_events (DecaStore   *self,
                               gint64       before,
                               guint       *out_deleted,
                               GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return prune_before (self, topic_event_prune_sql, before, out_deleted,
                       N_("prune published events"), error);
}

/* Backup */

/* How long a backup waits, in 10 ms steps, when the source is momentarily locked (a
 * WAL reader is blocked only during recovery, so this is rare and short). */
#define BACKUP_BUSY_RETRIES 500

/* Copies the database into @dest_path (see the header). The copy is one
 * sqlite3_backup_step (-1): the whole database in one read transaction on the source,
 * so it is the snapshot of one moment; in WAL mode that read transaction blocks no
 * writer. (Copying in chunks would restart whenever another connection writes, and a
 * busy server might never finish.) The file is written under a temporary name in the
 * same directory and renamed when complete, so @dest_path never holds half a copy. */
gboolean
deca_store_backup_to (DecaStore   *self,
                      const char  *dest_path,
                      GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *partial = NULL;
  sqlite3 *dest = NULL;
  sqlite3_backup *backup;
  gboolean ok = FALSE;
  int rc;
  int fd;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (dest_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (_deca_store_in_batch (self))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("Cannot back up store “%s” while a transaction is open on it"),
                   deca_store_get_path (self));
      return FALSE;
    }
  if (g_file_test (dest_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("Cannot back up store “%s” to “%s”: the file exists"),
                   deca_store_get_path (self), dest_path);
      return FALSE;
    }

  dir = g_path_get_dirname (dest_path);
  base = g_path_get_basename (dest_path);
  partial = g_strdup_printf ("%s%s.%s.partial-XXXXXX", dir, G_DIR_SEPARATOR_S, base);
  fd = g_mkstemp (partial);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                   _("Could not back up store “%s” to “%s”: %s"),
                   deca_store_get_path (self), dest_path, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  /* An empty file is an empty database to SQLite. */
  rc = sqlite3_open_v2 (partial, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (dest, 5000);
      backup = sqlite3_backup_init (dest, "main", _deca_store_get_db (self), "main");
      if (backup != NULL)
        {
          for (int tries = 0; tries < BACKUP_BUSY_RETRIES; tries++)
            {
              rc = sqlite3_backup_step (backup, -1);
              if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
                break;
              sqlite3_sleep (10);
            }
          /* finish() reports the step's error too. */
          if (sqlite3_backup_finish (backup) == SQLITE_OK && rc == SQLITE_DONE)
            ok = TRUE;
        }
    }
  if (!ok)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                 _("Could not back up store “%s” to “%s”: %s"),
                 deca_store_get_path (self), dest_path,
                 _deca_store_explain (dest, rc));
  if (dest != NULL && sqlite3_close (dest) != SQLITE_OK && ok)
    {
      ok = FALSE;
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                   _("Could not back up store “%s” to “%s”: the copy could not be closed"),
                   deca_store_get_path (self), dest_path);
    }
  if (ok && g_rename (partial, dest_path) != 0)
    {
      int saved_errno = errno;

      ok = FALSE;
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                   _("Could not back up store “%s” to “%s”: %s"),
                   deca_store_get_path (self), dest_path, g_strerror (saved_errno));
    }
  if (!ok)
    {
      g_autofree char *journal = g_strconcat (partial, "-journal", NULL);

      g_unlink (partial);
      g_unlink (journal);
    }
  return ok;
}
