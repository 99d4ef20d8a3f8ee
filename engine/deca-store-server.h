#pragma once

/* deca-store-server.h: the tables `deca serve` needs in DecaStore (schema version 5,
 * docs/storage.md "Server tables"): workspaces, users and members, API keys,
 * credentials, the audit log, published events, schedule claims and cursors, executions
 * by workspace, retention and the online backup.
 *
 * Same rules as deca-store.h: a DecaStore is used from the thread that opened it;
 * failures are DECA_ENGINE_ERROR_STORE (SQLite failed; the message names the operation
 * and the file), _NOT_FOUND (the row, or its workspace, does not exist, including a row
 * of another workspace) and _STATE (a duplicate, a stale revision). Every change of
 * several statements is one transaction, nested in the caller's batch when one is open.
 * Times are µs since the epoch (0 on insert = now) unless a field says otherwise. No
 * secret ever passes through the store: API keys are stored as their hash, credentials
 * as ciphertext. */

#include "deca-store.h"

G_BEGIN_DECLS

typedef struct {
  char   *id;
  char   *name;
  gint64  created_at;
} DecaWorkspaceRecord;

/* @id: the token's `sub`, or the owner an API key was made for. */
typedef struct {
  char   *id;
  char   *display_name;    /* nullable */
  gint64  created_at;
} DecaUserRecord;

typedef struct {
  char   *workspace_id;
  char   *user_id;
  char   *role;            /* "owner", "admin", "developer", "viewer", "executor" */
  gint64  created_at;
  char   *display_name;    /* nullable: its user's, read in the same query */
} DecaMemberRecord;

/* @scopes: nullable text as the server gives it (a JSON array, space-separated, ...).
 * @secret_hash: the hash of the secret, never the secret; unique over all keys.
 * @last_used_at, @revoked_at: 0 = never. */
typedef struct {
  char   *id;
  char   *workspace_id;
  char   *name;
  char   *role;
  char   *scopes;
  char   *secret_hash;
  gint64  created_at;
  gint64  last_used_at;
  gint64  revoked_at;
} DecaApiKeyRecord;

/* @ciphertext: the encrypted secret (the store never sees it in clear).
 * @key_id: which key encrypted it (rotation). @revision: 1 on insert, +1 per update. */
typedef struct {
  char   *id;
  char   *workspace_id;
  char   *name;
  char   *type;
  GBytes *ciphertext;
  char   *key_id;
  gint64  created_at;
  gint64  updated_at;
  gint64  revision;
} DecaCredentialRecord;

/* One line of the audit log. @id is given by the store (ascending, never reused).
 * @workspace_id: nullable for server-wide actions. @source: where from (address).
 * @result: "ok", "denied", "failed", ... @details: JSON or NULL. */
typedef struct {
  gint64  id;
  gint64  at;
  char   *workspace_id;
  char   *actor;
  char   *action;
  char   *target;
  char   *source;
  char   *result;
  char   *details;
} DecaAuditRecord;

/* A published event (the event dispatcher's), kept for replay. @id is given by the store
 * (ascending, never reused). @payload: JSON. @source: who published it (nullable). */
typedef struct {
  gint64  id;
  char   *workspace_id;
  char   *topic;
  char   *payload;
  gint64  published_at;
  char   *source;
} DecaTopicEventRecord;

void deca_workspace_record_free   (DecaWorkspaceRecord  *record);
void deca_user_record_free        (DecaUserRecord       *record);
void deca_member_record_free      (DecaMemberRecord     *record);
void deca_api_key_record_free     (DecaApiKeyRecord     *record);
void deca_credential_record_free  (DecaCredentialRecord *record);
void deca_audit_record_free       (DecaAuditRecord      *record);
void deca_topic_event_record_free (DecaTopicEventRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaWorkspaceRecord, deca_workspace_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaUserRecord, deca_user_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaMemberRecord, deca_member_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaApiKeyRecord, deca_api_key_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaCredentialRecord, deca_credential_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaAuditRecord, deca_audit_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaTopicEventRecord, deca_topic_event_record_free)

/* Workspaces. Creating an id that exists is DECA_ENGINE_ERROR_STATE. */
gboolean    deca_store_create_workspace    (DecaStore   *self,
                                            const char  *id,
                                            const char  *name,
                                            GError     **error);
/* Returns (transfer full) the workspace, or NULL with DECA_ENGINE_ERROR_NOT_FOUND. */
DecaWorkspaceRecord *deca_store_get_workspace (DecaStore   *self,
                                               const char  *id,
                                               GError     **error);
/* Returns (transfer full) (element-type DecaWorkspaceRecord) every workspace, by id. */
GPtrArray  *deca_store_list_workspaces     (DecaStore   *self,
                                            GError     **error);
gboolean    deca_store_rename_workspace    (DecaStore   *self,
                                            const char  *id,
                                            const char  *name,
                                            GError     **error);

/* Users and members. */
/* Creates user @id or, when it exists, sets its display name (NULL keeps the stored
 * one). */
gboolean    deca_store_put_user            (DecaStore   *self,
                                            const char  *id,
                                            const char  *display_name,
                                            GError     **error);
DecaUserRecord *deca_store_get_user        (DecaStore   *self,
                                            const char  *id,
                                            GError     **error);
/* Makes @user_id a member of @workspace_id with @role, or changes the role of a member.
 * A user not stored yet is created (without a display name) in the same transaction.
 * DECA_ENGINE_ERROR_NOT_FOUND when the workspace does not exist. */
gboolean    deca_store_set_member          (DecaStore   *self,
                                            const char  *workspace_id,
                                            const char  *user_id,
                                            const char  *role,
                                            GError     **error);
/* Returns (transfer full) the membership, or NULL with DECA_ENGINE_ERROR_NOT_FOUND when
 * @user_id is not a member of @workspace_id. */
DecaMemberRecord *deca_store_get_member    (DecaStore   *self,
                                            const char  *workspace_id,
                                            const char  *user_id,
                                            GError     **error);
/* Returns (transfer full) (element-type DecaMemberRecord) the members of @workspace_id
 * by user id. */
GPtrArray  *deca_store_list_members        (DecaStore   *self,
                                            const char  *workspace_id,
                                            GError     **error);
/* Returns (transfer full) (element-type DecaMemberRecord) the memberships of @user_id
 * in every workspace, by workspace id. */
GPtrArray  *deca_store_list_user_memberships (DecaStore   *self,
                                              const char  *user_id,
                                              GError     **error);
gboolean    deca_store_remove_member       (DecaStore   *self,
                                            const char  *workspace_id,
                                            const char  *user_id,
                                            GError     **error);

/* API keys. Inserting a key whose id or hash exists is DECA_ENGINE_ERROR_STATE, into a
 * missing workspace _NOT_FOUND. */
gboolean    deca_store_insert_api_key      (DecaStore              *self,
                                            const DecaApiKeyRecord *record,
                                            GError                **error);
/* Returns (transfer full) key @id of @workspace_id, or of any workspace when it is NULL
 * (authentication, before the workspace is known); NULL with
 * DECA_ENGINE_ERROR_NOT_FOUND. Revoked keys are returned too (revoked_at != 0). */
DecaApiKeyRecord *deca_store_get_api_key   (DecaStore   *self,
                                            const char  *workspace_id,
                                            const char  *id,
                                            GError     **error);
/* Returns (transfer full) the key whose secret hashes to @secret_hash (any workspace),
 * or NULL with DECA_ENGINE_ERROR_NOT_FOUND. */
DecaApiKeyRecord *deca_store_find_api_key_by_hash (DecaStore   *self,
                                                   const char  *secret_hash,
                                                   GError     **error);
/* Returns (transfer full) (element-type DecaApiKeyRecord) the keys of @workspace_id,
 * revoked ones included, oldest first. */
GPtrArray  *deca_store_list_api_keys       (DecaStore   *self,
                                            const char  *workspace_id,
                                            GError     **error);
/* Revokes key @id of @workspace_id now (a key revoked already keeps its first time).
 * DECA_ENGINE_ERROR_NOT_FOUND for a key of another workspace. */
gboolean    deca_store_revoke_api_key      (DecaStore   *self,
                                            const char  *workspace_id,
                                            const char  *id,
                                            GError     **error);
/* Records that key @id was used at @used_at (0 = now); never moves last_used_at back. */
gboolean    deca_store_touch_api_key       (DecaStore   *self,
                                            const char  *id,
                                            gint64       used_at,
                                            GError     **error);

/* Credentials: metadata and ciphertext, never the secret. Names are unique within a
 * workspace. */
/* Inserts @record with revision 1 (its revision is ignored). DECA_ENGINE_ERROR_STATE
 * when the id exists or the workspace has a credential of that name, _NOT_FOUND when the
 * workspace does not exist. */
gboolean    deca_store_insert_credential   (DecaStore                  *self,
                                            const DecaCredentialRecord *record,
                                            GError                    **error);
DecaCredentialRecord *deca_store_get_credential (DecaStore   *self,
                                                 const char  *workspace_id,
                                                 const char  *id,
                                                 GError     **error);
DecaCredentialRecord *deca_store_get_credential_by_name (DecaStore   *self,
                                                         const char  *workspace_id,
                                                         const char  *name,
                                                         GError     **error);
/* Returns (transfer full) (element-type DecaCredentialRecord) the credentials of
 * @workspace_id by name, or of every workspace (key rotation) when it is NULL, by
 * workspace then name. */
GPtrArray  *deca_store_list_credentials    (DecaStore   *self,
                                            const char  *workspace_id,
                                            GError     **error);
/* Replaces name (NULL keeps it), type (NULL keeps it), ciphertext and key id of
 * credential @id of @workspace_id and adds 1 to its revision, if its revision is
 * @expected_revision (0: whatever it is). @out_revision (nullable) receives the new
 * revision. DECA_ENGINE_ERROR_NOT_FOUND for a credential of another workspace, _STATE
 * for a stale @expected_revision or a name another credential has. */
gboolean    deca_store_update_credential   (DecaStore   *self,
                                            const char  *workspace_id,
                                            const char  *id,
                                            const char  *name,
                                            const char  *type,
                                            GBytes      *ciphertext,
                                            const char  *key_id,
                                            gint64       expected_revision,
                                            gint64      *out_revision,
                                            GError     **error);
/* Key rotation: replaces the ciphertext of credential @id, encrypted under
 * @expected_key_id, with @ciphertext under @key_id. The secret is the same, so the
 * revision and updated_at stay. DECA_ENGINE_ERROR_STATE when the credential is no longer
 * under @expected_key_id (it was updated meanwhile: read it again), _NOT_FOUND. */
gboolean    deca_store_rekey_credential    (DecaStore   *self,
                                            const char  *id,
                                            const char  *expected_key_id,
                                            GBytes      *ciphertext,
                                            const char  *key_id,
                                            GError     **error);
gboolean    deca_store_delete_credential   (DecaStore   *self,
                                            const char  *workspace_id,
                                            const char  *id,
                                            GError     **error);

/* The audit log: append-only. There is no update or delete of a line; only
 * deca_store_prune_audit() removes old ones. @record->id is ignored; @out_id (nullable)
 * receives the new line's id. An @at of 0 is stored as now. */
gboolean    deca_store_append_audit        (DecaStore             *self,
                                            const DecaAuditRecord *record,
                                            gint64                *out_id,
                                            GError               **error);
/* Queues @record (transfer full; @at 0 is now) for the store's next outermost commit, so
 * that it shares a batch's transaction (the executor's checkpoints of the execution it
 * records); deca_store_flush_audit() writes what no batch took, and listing or pruning the
 * audit log flushes first. Returns how many lines are queued. */
guint       deca_store_queue_audit         (DecaStore             *self,
                                            DecaAuditRecord       *record);
gboolean    deca_store_flush_audit         (DecaStore             *self,
                                            GError               **error);
/* Returns (transfer full) (element-type DecaAuditRecord) the queued lines, leaving the
 * queue empty: for an executor whose batches another connection writes
 * (deca_executor_set_store_worker()), which queues them there. */
GPtrArray  *deca_store_take_audit_queue    (DecaStore             *self);
/* Returns (transfer full) (element-type DecaAuditRecord) up to @limit (0 = no limit)
 * lines of @workspace_id (NULL: the server-wide lines, which have none) with id <
 * @before_id (0 = from the newest), newest first: pass the last id of a page to get the
 * next one. */
GPtrArray  *deca_store_list_audit          (DecaStore   *self,
                                            const char  *workspace_id,
                                            gint64       before_id,
                                            guint        limit,
                                            GError     **error);
/* Deletes the lines older than @before (µs); @out_deleted (nullable) gets how many. */
gboolean    deca_store_prune_audit         (DecaStore   *self,
                                            gint64       before,
                                            guint       *out_deleted,
                                            GError     **error);

/* Published events. @record->id is ignored; @out_id (nullable) receives the new id.
 * A @published_at of 0 is stored as now. _NOT_FOUND when the workspace does not exist. */
gboolean    deca_store_append_topic_event  (DecaStore                  *self,
                                            const DecaTopicEventRecord *record,
                                            gint64                     *out_id,
                                            GError                    **error);
/* Returns (transfer full) (element-type DecaTopicEventRecord) up to @limit (0 = no
 * limit) events of @workspace_id with id > @after_id, oldest first (matching topics to
 * patterns is the caller's). */
GPtrArray  *deca_store_list_topic_events   (DecaStore   *self,
                                            const char  *workspace_id,
                                            gint64       after_id,
                                            guint        limit,
                                            GError     **error);
/* Returns (transfer full) (element-type DecaTopicEventRecord) up to @limit (0 = no
 * limit) events of @workspace_id with id < @before_id (0 = from the newest) published at
 * or after @since (µs; 0 = any time), newest first: pass the last id of a page for the
 * next one (the events API). */
GPtrArray  *deca_store_list_topic_events_before (DecaStore   *self,
                                                 const char  *workspace_id,
                                                 gint64       before_id,
                                                 gint64       since,
                                                 guint        limit,
                                                 GError     **error);
/* Returns (transfer full) the stored event of @workspace_id whose payload has the id
 * @event_id (the dispatcher's UUID), or NULL with DECA_ENGINE_ERROR_NOT_FOUND (another
 * workspace's event too) or _STORE. Replay looks events up this way; it reads the
 * workspace's events, which an index cannot narrow, and is meant for single lookups. */
DecaTopicEventRecord *deca_store_find_topic_event (DecaStore   *self,
                                                   const char  *workspace_id,
                                                   const char  *event_id,
                                                   GError     **error);
gboolean    deca_store_prune_topic_events  (DecaStore   *self,
                                            gint64       before,
                                            guint       *out_deleted,
                                            GError     **error);

/* Executions within a workspace. */
/* Returns (transfer full) the workspace of flow @flow_id (deleted or not), where its
 * executions are recorded; NULL with DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
char       *deca_store_get_flow_workspace  (DecaStore   *self,
                                            const char  *flow_id,
                                            GError     **error);
/* deca_store_get_execution() of an execution of @workspace_id; one of another
 * workspace is DECA_ENGINE_ERROR_NOT_FOUND. */
DecaExecutionRecord *deca_store_get_workspace_execution (DecaStore   *self,
                                                         const char  *workspace_id,
                                                         const char  *id,
                                                         GError     **error);
/* Returns (transfer full) (element-type DecaExecutionRecord) up to @limit (0 = no
 * limit) executions of @workspace_id, newest first (created_at, then insertion), only
 * those with @status, of @flow_id and whose trigger has the type @trigger_type ("webhook",
 * "schedule", "event", "api", "manual", ...) when they are not NULL, and only those after
 * execution @after_id in that order when it is not NULL (the last id of the previous
 * page; an id that is not an execution of the workspace is DECA_ENGINE_ERROR_NOT_FOUND). */
GPtrArray  *deca_store_list_workspace_executions (DecaStore   *self,
                                                  const char  *workspace_id,
                                                  const char  *status,
                                                  const char  *flow_id,
                                                  const char  *trigger_type,
                                                  const char  *after_id,
                                                  guint        limit,
                                                  GError     **error);

/* Retention. Deletes finished executions (succeeded, failed, cancelled; never running,
 * pending or paused ones) of @workspace_id, or of each workspace when it is NULL, that
 * finished before @finished_before (µs; 0: no age limit), and those beyond the newest
 * @keep (by created_at; 0: no count limit) finished executions of each workspace, with
 * their node results, events and approvals, in one transaction. @out_deleted (nullable)
 * receives the number of executions deleted. */
gboolean    deca_store_prune_executions    (DecaStore   *self,
                                            const char  *workspace_id,
                                            gint64       finished_before,
                                            guint        keep,
                                            guint       *out_deleted,
                                            GError     **error);

/* Backup. Writes a consistent copy of the whole database, as of one moment, to the new
 * file @dest_path (SQLite's online backup: other connections may go on writing), which
 * appears only when complete (it is written beside it and renamed). Fails with
 * DECA_ENGINE_ERROR_STATE when @dest_path exists or a batch is open on this store (the
 * copy would hold its uncommitted writes), _STORE when writing fails. */
gboolean    deca_store_backup_to           (DecaStore   *self,
                                            const char  *dest_path,
                                            GError     **error);

/* Schedules. @fire_at is a fire time in UTC seconds; @trigger_key names the trigger
 * within the flow: deca_schedule_trigger_get_key() ("schedule:ZONE:CRON"), so that
 * reordering triggers keeps their cursors and changing the time starts a new schedule.
 *
 * Claims fire @fire_at of the trigger for @claimed_by (the process, nullable). Returns
 * TRUE for exactly one caller however many connections and processes ask for the same
 * fire, and then moves the trigger's cursor forward to @fire_at (never back); FALSE with
 * @error unset when another caller had it; FALSE with @error set when SQLite failed
 * (so pass an error to tell the two apart). */
gboolean    deca_store_claim_schedule_fire (DecaStore   *self,
                                            const char  *flow_id,
                                            const char  *trigger_key,
                                            gint64       fire_at,
                                            const char  *claimed_by,
                                            GError     **error);
/* Sets @out_last_fire_at to the trigger's cursor (the latest fire time handled, UTC
 * seconds), 0 when it has none. */
gboolean    deca_store_get_schedule_cursor (DecaStore   *self,
                                            const char  *flow_id,
                                            const char  *trigger_key,
                                            gint64      *out_last_fire_at,
                                            GError     **error);
/* Sets @out_fire_at to the latest fire of the trigger claimed in the store (by any
 * process on the database; UTC seconds), 0 when none is kept (claims are pruned, and a
 * cursor moved past dropped times has no claim). */
gboolean    deca_store_get_last_schedule_fire (DecaStore   *self,
                                               const char  *flow_id,
                                               const char  *trigger_key,
                                               gint64      *out_fire_at,
                                               GError     **error);
/* Moves the cursor forward to @last_fire_at (a skipped backlog); a cursor already at or
 * past it stays, so a slow process cannot move it back. */
gboolean    deca_store_set_schedule_cursor (DecaStore   *self,
                                            const char  *flow_id,
                                            const char  *trigger_key,
                                            gint64       last_fire_at,
                                            GError     **error);
/* Forgets the cursors of every trigger of @flow_id (a flow deactivated, or its triggers
 * replaced), so that it starts afresh. Claims are kept. */
gboolean    deca_store_clear_schedule_cursors (DecaStore   *self,
                                               const char  *flow_id,
                                               GError     **error);
/* Deletes the claims with fire_at before @before (UTC seconds); @out_deleted (nullable)
 * receives how many. Keep claims at least as long as a fire can still be claimed. */
gboolean    deca_store_prune_schedule_fires (DecaStore   *self,
                                             gint64       before,
                                             guint       *out_deleted,
                                             GError     **error);

G_END_DECLS
