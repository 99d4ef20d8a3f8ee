#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * DecaStore: the durable store, SQLite in WAL mode (docs/storage.md).
 *
 * Numbered migrations run at open. Writes made between deca_store_begin() and
 * deca_store_commit() share one transaction: the executor groups every checkpoint of one
 * main-loop turn into one commit, so durability does not cost a transaction per node.
 * Outside begin/commit every write commits on its own.
 *
 * A DecaStore is used from one thread (the thread that opened it).
 */

#define DECA_TYPE_STORE (deca_store_get_type ())
G_DECLARE_FINAL_TYPE (DecaStore, deca_store, DECA, STORE, GObject)

/* Execution status strings, as stored and as shown in events. */
#define DECA_STATUS_PENDING   "pending"
#define DECA_STATUS_RUNNING   "running"
#define DECA_STATUS_PAUSED    "paused"
#define DECA_STATUS_SUCCEEDED "succeeded"
#define DECA_STATUS_FAILED    "failed"
#define DECA_STATUS_CANCELLED "cancelled"
#define DECA_STATUS_SKIPPED   "skipped"

/* The workspace of the studio, and of every flow and execution written without one
 * (schema version 5 moved the rows that existed before into it). */
#define DECA_WORKSPACE_LOCAL "local"

/**
 * DecaExecutionRecord:
 * All JSON members are compact JSON text or NULL. Times are µs since the epoch, 0 = unset.
 */
typedef struct {
  char   *id;
  char   *flow_id;
  gint64  flow_version;
  char   *parent_id;       /* execution that started this one as a subflow, or NULL */
  char   *parent_node;     /* node key in the parent, or NULL */
  char   *status;          /* DECA_STATUS_* */
  char   *input;           /* JSON */
  char   *output;          /* JSON */
  char   *error;           /* JSON {"code","message","node"} */
  char   *trigger;         /* JSON: how it was started ({"type":"manual"}, ...) */
  char   *owner;           /* the process running it ("host:pid:start"), NULL when none */
  gint64  created_at;
  gint64  started_at;
  gint64  finished_at;
  /* The workspace; NULL on insert means the saved flow's workspace, or
   * DECA_WORKSPACE_LOCAL when the flow is not stored. Always set when read. */
  char   *workspace_id;
} DecaExecutionRecord;

/**
 * DecaNodeResultRecord:
 * @node_key: the node id, or for loop bodies "loop-id[INDEX]/node-id" (nested as needed)
 * @status: DECA_STATUS_SUCCEEDED, _FAILED, _SKIPPED, _PAUSED (an approval waiting)
 * @port: the output port that fired, or NULL
 * @input: the node's resolved config, credentials redacted (JSON)
 */
typedef struct {
  char   *execution_id;
  char   *node_key;
  char   *node_id;
  char   *status;
  char   *port;
  char   *input;
  char   *output;
  char   *error;
  int     attempts;
  gint64  started_at;
  gint64  finished_at;
  gint64  event_seq;       /* the seq of the event this result stands for, 0 when none */
} DecaNodeResultRecord;

/**
 * DecaEventRecord:
 * @seq: 1-based sequence number of the event within its execution
 * @type: "node.succeeded", ...
 * @payload: the whole event as JSON (docs/events.md)
 */
typedef struct {
  char   *execution_id;
  gint64  seq;
  char   *type;
  gint64  time;
  char   *payload;
} DecaEventRecord;

/**
 * DecaApprovalRecord: a decision on an approval node, written by `deca approve|reject`
 * (possibly from another process) and consumed by the execution when it resumes.
 */
typedef struct {
  char    *execution_id;
  char    *node_key;
  gboolean approved;
  char    *comment;
  char    *decided_by;
  gint64   decided_at;
} DecaApprovalRecord;

/**
 * DecaFlowSummary: one stored flow as the studio's flow list shows it.
 * @name: the display name the last save gave (flows.name; the id when none was given)
 * @document_name: the "name" of the latest version's document when it is a string, else
 *   NULL (what `deca flows list` prints; read from flow_versions, no document is parsed)
 * Times are µs since the epoch.
 */
typedef struct {
  char   *id;
  char   *name;
  gint64  latest_version;
  gint64  created_at;
  gint64  updated_at;
  char   *document_name;
  char   *workspace_id;
  gboolean active;         /* activated for its triggers (server) */
} DecaFlowSummary;

/**
 * DecaFlowVersionInfo: one immutable version of a flow, for the history panel.
 * @name: the flow's "name" in that version's document (NULL when it has none)
 */
typedef struct {
  char   *flow_id;
  gint64  version;
  char   *name;
  gint64  created_at;
} DecaFlowVersionInfo;

void deca_flow_summary_free       (DecaFlowSummary      *summary);
void deca_flow_version_info_free  (DecaFlowVersionInfo  *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaFlowSummary, deca_flow_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaFlowVersionInfo, deca_flow_version_info_free)

void deca_execution_record_free   (DecaExecutionRecord  *record);
void deca_node_result_record_free (DecaNodeResultRecord *record);
void deca_event_record_free       (DecaEventRecord      *record);
void deca_approval_record_free    (DecaApprovalRecord   *record);
DecaExecutionRecord  *deca_execution_record_copy   (const DecaExecutionRecord  *record);
DecaNodeResultRecord *deca_node_result_record_copy (const DecaNodeResultRecord *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaExecutionRecord, deca_execution_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaNodeResultRecord, deca_node_result_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaEventRecord, deca_event_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaApprovalRecord, deca_approval_record_free)

/* Opens (creating if needed) the database at @path, ":memory:" for a private in-memory
 * one, and migrates it. Fails with DECA_ENGINE_ERROR_STORE when the file is not a SQLite
 * database, is newer than this build knows, or cannot be written. */
DecaStore  *deca_store_open            (const char  *path,
                                        GError     **error);
const char *deca_store_get_path        (DecaStore   *self);
/* The schema version after migration (the number of the last migration applied). */
int         deca_store_get_schema_version (DecaStore *self);
/* Moves the WAL checkpoints of this connection to a thread of the store's own, with a
 * connection of its own, so that a commit never waits while some thousand pages are
 * copied into the database and synced (docs/storage.md, "Checkpoints"); the server does
 * this. Idempotent; nothing to do for ":memory:". Fails with DECA_ENGINE_ERROR_STORE when
 * the second connection cannot be opened, and the store then checkpoints as before. */
gboolean    deca_store_checkpoint_in_background (DecaStore  *self,
                                                 GError    **error);
/* From now on the last step of a background checkpoint cycle (a RESTART that copies the
 * last frames and syncs, a millisecond or more) no longer runs inside the commit that
 * made it due: the committing thread runs it when it calls
 * deca_store_finish_checkpoint(), between its transactions, once whoever waited for the
 * commit has its answer. A WAL past four times the threshold is still finished inside
 * the commit. For a store worker, which calls it after each job. */
void        deca_store_defer_checkpoint_finish (DecaStore *self);
void        deca_store_finish_checkpoint (DecaStore *self);

/* Transactions: nestable by count; only the outermost commit writes. */
gboolean    deca_store_begin           (DecaStore   *self,
                                        GError     **error);
gboolean    deca_store_commit          (DecaStore   *self,
                                        GError     **error);
void        deca_store_rollback        (DecaStore   *self);

/* Flows. Saving a document whose content differs from the latest version creates a new
 * immutable version (1, 2, ...); saving the same content again returns the existing
 * version. @document is the flow JSON text; the flow id and name are read from it. */
gboolean    deca_store_save_flow       (DecaStore   *self,
                                        const char  *flow_id,
                                        const char  *name,
                                        const char  *document,
                                        gint64      *out_version,
                                        GError     **error);
/* Returns (transfer full) the document of @flow_id at @version (0 = latest), or NULL with
 * DECA_ENGINE_ERROR_NOT_FOUND. @out_version receives the version returned. */
char       *deca_store_load_flow       (DecaStore   *self,
                                        const char  *flow_id,
                                        gint64       version,
                                        gint64      *out_version,
                                        GError     **error);
/* Renames @flow_id: its latest document with "name" set to @name (indented JSON, every
 * other member kept) is saved as a new version, and the flows row takes @name. The read
 * and the write share one transaction, so a version another process saves meanwhile is
 * never lost under the rename, and a failure changes nothing. When the latest document
 * already has that name nothing is written. @out_version receives the version holding
 * @name. DECA_ENGINE_ERROR_NOT_FOUND for an unknown flow, _PARSE when the latest document
 * is not a JSON object, _STORE when SQLite fails. */
gboolean    deca_store_rename_flow     (DecaStore   *self,
                                        const char  *flow_id,
                                        const char  *name,
                                        gint64      *out_version,
                                        GError     **error);
/* Returns (transfer full) (element-type utf8) the ids of the stored flows that are not
 * deleted, sorted. */
GPtrArray  *deca_store_list_flows      (DecaStore   *self,
                                        GError     **error);

/* Returns (transfer full) (element-type DecaFlowSummary) the flows that are not deleted,
 * most recently updated first, or NULL with DECA_ENGINE_ERROR_STORE. */
GPtrArray  *deca_store_list_flow_summaries (DecaStore  *self,
                                            GError    **error);
/* Returns (transfer full) (element-type DecaFlowVersionInfo) every version of @flow_id,
 * newest first; DECA_ENGINE_ERROR_NOT_FOUND when there is no such flow. */
GPtrArray  *deca_store_list_flow_versions  (DecaStore   *self,
                                            const char  *flow_id,
                                            GError     **error);
/* Deleting keeps the flow and its versions but hides it from deca_store_list_flows()
 * and _list_flow_summaries() (so that an undo can bring it back); @deleted FALSE brings
 * it back. Saving a new version does not change it. DECA_ENGINE_ERROR_NOT_FOUND when
 * there is no such flow. */
gboolean    deca_store_set_flow_deleted    (DecaStore   *self,
                                            const char  *flow_id,
                                            gboolean     deleted,
                                            GError     **error);
/* Flows within a workspace (the server). The functions above work on every flow by its
 * id (ids are global) and create new flows in DECA_WORKSPACE_LOCAL: they are the
 * studio's and the executor's. These see only the flows of @workspace_id; a flow of
 * another workspace is DECA_ENGINE_ERROR_NOT_FOUND (saving under an id another
 * workspace holds is DECA_ENGINE_ERROR_STATE and touches nothing), and deleted flows are
 * not found either, except by _set_workspace_flow_deleted(). */
gboolean    deca_store_save_workspace_flow (DecaStore   *self,
                                            const char  *workspace_id,
                                            const char  *flow_id,
                                            const char  *name,
                                            const char  *document,
                                            gint64      *out_version,
                                            GError     **error);
char       *deca_store_load_workspace_flow (DecaStore   *self,
                                            const char  *workspace_id,
                                            const char  *flow_id,
                                            gint64       version,
                                            gint64      *out_version,
                                            GError     **error);
DecaFlowSummary *deca_store_get_workspace_flow (DecaStore   *self,
                                                const char  *workspace_id,
                                                const char  *flow_id,
                                                GError     **error);
GPtrArray  *deca_store_list_workspace_flow_summaries (DecaStore   *self,
                                                      const char  *workspace_id,
                                                      GError     **error);
GPtrArray  *deca_store_list_workspace_flow_versions  (DecaStore   *self,
                                                      const char  *workspace_id,
                                                      const char  *flow_id,
                                                      GError     **error);
/* Deleting also deactivates. */
gboolean    deca_store_set_workspace_flow_deleted    (DecaStore   *self,
                                                      const char  *workspace_id,
                                                      const char  *flow_id,
                                                      gboolean     deleted,
                                                      GError     **error);
gboolean    deca_store_set_workspace_flow_active     (DecaStore   *self,
                                                      const char  *workspace_id,
                                                      const char  *flow_id,
                                                      gboolean     active,
                                                      GError     **error);
/* Returns (transfer full) (element-type DecaFlowSummary) the active, not deleted flows
 * of @workspace_id, or of every workspace when it is NULL, by workspace then id. */
GPtrArray  *deca_store_list_active_flows             (DecaStore   *self,
                                                      const char  *workspace_id,
                                                      GError     **error);

/* Executions. */
gboolean    deca_store_insert_execution (DecaStore                 *self,
                                         const DecaExecutionRecord *record,
                                         GError                   **error);
/* Updates status, output, error, started_at, finished_at and owner of @record->id. */
gboolean    deca_store_update_execution (DecaStore                 *self,
                                         const DecaExecutionRecord *record,
                                         GError                   **error);
/* Sets the owner of @id to @owner if it is currently @expected (NULL = unowned), in one
 * statement, so two processes cannot both take an execution over. Fails with
 * DECA_ENGINE_ERROR_STATE when another owner got there first. */
gboolean    deca_store_claim_execution  (DecaStore                 *self,
                                         const char                *id,
                                         const char                *owner,
                                         const char                *expected,
                                         GError                   **error);
/* Returns (transfer full) the execution @id, or NULL with DECA_ENGINE_ERROR_NOT_FOUND. */
DecaExecutionRecord *deca_store_get_execution (DecaStore   *self,
                                               const char  *id,
                                               GError     **error);
/* Returns (transfer full) (element-type DecaExecutionRecord) up to @limit executions,
 * newest first; @status filters when not NULL. */
GPtrArray  *deca_store_list_executions (DecaStore   *self,
                                        const char  *status,
                                        guint        limit,
                                        GError     **error);
/* Executions a crashed process left behind: status running or pending, oldest first. */
GPtrArray  *deca_store_list_unfinished_executions (DecaStore  *self,
                                                   GError    **error);

/* Node results: one row per (execution, node_key); writing again replaces the row. */
gboolean    deca_store_put_node_result (DecaStore                  *self,
                                        const DecaNodeResultRecord *record,
                                        GError                    **error);
/* Returns (transfer full) (element-type DecaNodeResultRecord), in the order written. */
GPtrArray  *deca_store_list_node_results (DecaStore   *self,
                                          const char  *execution_id,
                                          GError     **error);

/* Events, append-only. */
gboolean    deca_store_append_event    (DecaStore             *self,
                                        const DecaEventRecord *record,
                                        GError               **error);
/* Returns (transfer full) (element-type DecaEventRecord) the events of @execution_id
 * with seq > @after_seq, in order. */
GPtrArray  *deca_store_list_events     (DecaStore   *self,
                                        const char  *execution_id,
                                        gint64       after_seq,
                                        GError     **error);

/* Approvals. Recording a decision for an approval that already has one fails with
 * DECA_ENGINE_ERROR_STATE. */
gboolean    deca_store_put_approval    (DecaStore                *self,
                                        const DecaApprovalRecord *record,
                                        GError                  **error);
/* Returns (transfer full) (nullable) the decision, or NULL without error when none yet. */
DecaApprovalRecord *deca_store_get_approval (DecaStore   *self,
                                             const char  *execution_id,
                                             const char  *node_key,
                                             GError     **error);

G_END_DECLS
