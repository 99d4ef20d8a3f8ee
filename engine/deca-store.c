/* deca-store.c: the durable store, SQLite in WAL mode.
 *
 * The layout of the tables, the migrations and the durability choices are described in
 * docs/storage.md; keep the two in step.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-store.h"
#include "deca-store-private.h"
#include "deca-store-server.h"

#include <sqlite3.h>

#include "deca-engine-error.h"
#include "deca-json.h"
#include "deca-yield-vfs.h"

/*
 * Migrations.
 *
 * Entry N - 1 moves a database from schema version N - 1 to N; PRAGMA user_version records
 * the last one applied. Never edit a migration that has shipped: add the next one. Each
 * migration runs inside the single transaction that deca_store_open() wraps around all
 * pending migrations, so a crash half-way leaves the database at its old version.
 */
/* SQL for the "name" member of the flow document @doc when it is a string, else NULL.
 * json_valid() first: the store takes any text as a document, and json_type() raises an
 * error on text that is not JSON. */
#define FLOW_DOCUMENT_NAME_SQL(doc) \
  "CASE WHEN json_valid (" doc ") AND json_type (" doc ", '$.name') = 'text'" \
  " THEN json_extract (" doc ", '$.name') END"

/* The tables of one kind of library item (migration 6): the items, keyed by workspace and
 * id (ids are per workspace, unlike flow ids), and their immutable versions, whose name is
 * the document's at the time so that a history is listed without reading documents. */
#define LIBRARY_TABLES_SQL(items, versions) \
  "CREATE TABLE " items " (" \
  "  workspace_id   TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE," \
  "  id             TEXT    NOT NULL," \
  "  name           TEXT    NOT NULL," \
  "  latest_version INTEGER NOT NULL CHECK (latest_version >= 1)," \
  "  revision       INTEGER NOT NULL CHECK (revision >= 1)," \
  "  deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))," \
  "  created_at     INTEGER NOT NULL," \
  "  updated_at     INTEGER NOT NULL," \
  "  PRIMARY KEY (workspace_id, id)" \
  ") WITHOUT ROWID;" \
  "CREATE TABLE " versions " (" \
  "  workspace_id TEXT    NOT NULL," \
  "  id           TEXT    NOT NULL," \
  "  version      INTEGER NOT NULL CHECK (version >= 1)," \
  "  name         TEXT    NOT NULL," \
  "  document     TEXT    NOT NULL," \
  "  content_hash TEXT    NOT NULL," \
  "  created_at   INTEGER NOT NULL," \
  "  PRIMARY KEY (workspace_id, id, version)," \
  "  FOREIGN KEY (workspace_id, id) REFERENCES " items " (workspace_id, id) ON DELETE CASCADE" \
  ") WITHOUT ROWID;" \
  "CREATE TRIGGER " versions "_immutable BEFORE UPDATE ON " versions \
  " BEGIN SELECT RAISE (ABORT, 'library versions are immutable'); END;"

static const char * const migrations[] = {
  /* 1: flows, their immutable versions, executions and what they leave behind. */
  "CREATE TABLE flows ("
  "  id             TEXT    NOT NULL PRIMARY KEY,"
  "  name           TEXT    NOT NULL,"
  "  latest_version INTEGER NOT NULL,"
  "  created_at     INTEGER NOT NULL,"
  "  updated_at     INTEGER NOT NULL"
  ");"
  "CREATE TABLE flow_versions ("
  "  flow_id      TEXT    NOT NULL REFERENCES flows (id) ON DELETE CASCADE,"
  "  version      INTEGER NOT NULL CHECK (version >= 1),"
  "  document     TEXT    NOT NULL,"
  "  content_hash TEXT    NOT NULL,"
  "  created_at   INTEGER NOT NULL,"
  "  PRIMARY KEY (flow_id, version)"
  ");"
  "CREATE TRIGGER flow_versions_immutable BEFORE UPDATE ON flow_versions"
  " BEGIN SELECT RAISE (ABORT, 'flow versions are immutable'); END;"
  /* pk is an internal integer key (the rowid) that node_results and events refer to
   * instead of the text id. Execution ids are random UUIDs, so keying the two busiest
   * tables by them scatters every batch over random index pages; keyed by pk, which only
   * grows, a batch appends to the last pages. That cut the commit cost of the
   * checkpoint benchmark by three quarters (docs/storage.md). */
  "CREATE TABLE executions ("
  "  pk           INTEGER PRIMARY KEY,"
  "  id           TEXT    NOT NULL UNIQUE,"
  "  flow_id      TEXT    NOT NULL,"
  "  flow_version INTEGER NOT NULL,"
  "  parent_id    TEXT,"
  "  parent_node  TEXT,"
  "  status       TEXT    NOT NULL,"
  "  input        TEXT,"
  "  output       TEXT,"
  "  error        TEXT,"
  "  \"trigger\"  TEXT,"
  "  created_at   INTEGER NOT NULL,"
  "  started_at   INTEGER NOT NULL DEFAULT 0,"
  "  finished_at  INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX executions_status_created ON executions (status, created_at);"
  "CREATE INDEX executions_created ON executions (created_at);"
  "CREATE INDEX executions_parent ON executions (parent_id) WHERE parent_id IS NOT NULL;"
  /* (execution_pk, node_key) is the key; seq, the rowid, is the write order, which an
   * upsert keeps when a node's result is written again. */
  "CREATE TABLE node_results ("
  "  seq          INTEGER PRIMARY KEY,"
  "  execution_pk INTEGER NOT NULL REFERENCES executions (pk) ON DELETE CASCADE,"
  "  node_key     TEXT    NOT NULL,"
  "  node_id      TEXT    NOT NULL,"
  "  status       TEXT    NOT NULL,"
  "  port         TEXT,"
  "  input        TEXT,"
  "  output       TEXT,"
  "  error        TEXT,"
  "  attempts     INTEGER NOT NULL DEFAULT 0,"
  "  started_at   INTEGER NOT NULL DEFAULT 0,"
  "  finished_at  INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (execution_pk, node_key)"
  ");"
  /* WITHOUT ROWID: the primary key is the only way events are read, so one b-tree. */
  "CREATE TABLE events ("
  "  execution_pk INTEGER NOT NULL REFERENCES executions (pk) ON DELETE CASCADE,"
  "  seq          INTEGER NOT NULL CHECK (seq >= 1),"
  "  type         TEXT    NOT NULL,"
  "  time         INTEGER NOT NULL,"
  "  payload      TEXT    NOT NULL,"
  "  PRIMARY KEY (execution_pk, seq)"
  ") WITHOUT ROWID;"
  /* Rare, and written by `deca approve` by public id, so keyed by the text id. */
  "CREATE TABLE approvals ("
  "  execution_id TEXT    NOT NULL REFERENCES executions (id) ON DELETE CASCADE,"
  "  node_key     TEXT    NOT NULL,"
  "  approved     INTEGER NOT NULL CHECK (approved IN (0, 1)),"
  "  comment      TEXT,"
  "  decided_by   TEXT,"
  "  decided_at   INTEGER NOT NULL,"
  "  PRIMARY KEY (execution_id, node_key)"
  ");",

  /* 2: the process that runs an execution ("host:pid:start"), so that a second process
   * on the same file resumes only executions whose process is gone. */
  "ALTER TABLE executions ADD COLUMN owner TEXT;",

  /* 3: the seq of the event a node result stands for. Node outcome events (succeeded,
   * failed, skipped, paused) are stored as their node result, not a second time in
   * events; the history merges both by seq (docs/events.md). */
  "ALTER TABLE node_results ADD COLUMN event_seq INTEGER NOT NULL DEFAULT 0;",

  /* 4: the flow catalogue of the studio. deleted_at (µs, NULL = not deleted) hides a
   * flow from the lists while keeping it for an undo. Each version keeps the "name" of
   * its document, copied out at save time, so that the history of a flow with hundreds
   * of versions is listed without reading and parsing hundreds of documents. The
   * versions already stored get theirs here: the one update flow versions ever see,
   * with their immutability trigger lifted for it. */
  "ALTER TABLE flows ADD COLUMN deleted_at INTEGER;"
  "ALTER TABLE flow_versions ADD COLUMN name TEXT;"
  "DROP TRIGGER flow_versions_immutable;"
  "UPDATE flow_versions SET name = " FLOW_DOCUMENT_NAME_SQL ("document") ";"
  "CREATE TRIGGER flow_versions_immutable BEFORE UPDATE ON flow_versions"
  " BEGIN SELECT RAISE (ABORT, 'flow versions are immutable'); END;",

  /* 5: what `deca serve` needs (docs/storage.md, "Server tables"): workspaces and who
   * belongs to them, API keys (hash only), credentials (ciphertext only), the audit log,
   * published events for replay, schedule claims and cursors, and the workspace of every
   * flow and execution. Rows that exist already belong to the workspace "local", which
   * is the studio's. flows.workspace_id cannot be a foreign key: SQLite refuses to add
   * a REFERENCES column with a non-NULL default while foreign keys are on; the scoped
   * saves check the workspace instead. */
  "CREATE TABLE workspaces ("
  "  id         TEXT    NOT NULL PRIMARY KEY,"
  "  name       TEXT    NOT NULL,"
  "  created_at INTEGER NOT NULL"
  ");"
  "INSERT INTO workspaces (id, name, created_at)"
  " VALUES ('" DECA_WORKSPACE_LOCAL "', 'Local', CAST (strftime ('%s', 'now') AS INTEGER) * 1000000);"
  "CREATE TABLE users ("
  "  id           TEXT    NOT NULL PRIMARY KEY,"
  "  display_name TEXT,"
  "  created_at   INTEGER NOT NULL"
  ");"
  "CREATE TABLE members ("
  "  workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  role         TEXT    NOT NULL,"
  "  created_at   INTEGER NOT NULL,"
  "  PRIMARY KEY (workspace_id, user_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX members_user ON members (user_id);"
  /* The hash is unique so that a presented key is found by its hash alone. */
  "CREATE TABLE api_keys ("
  "  id           TEXT    NOT NULL PRIMARY KEY,"
  "  workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  name         TEXT    NOT NULL,"
  "  role         TEXT    NOT NULL,"
  "  scopes       TEXT,"
  "  secret_hash  TEXT    NOT NULL UNIQUE,"
  "  created_at   INTEGER NOT NULL,"
  "  last_used_at INTEGER NOT NULL DEFAULT 0,"
  "  revoked_at   INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX api_keys_workspace ON api_keys (workspace_id);"
  "CREATE TABLE credentials ("
  "  id           TEXT    NOT NULL PRIMARY KEY,"
  "  workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  name         TEXT    NOT NULL,"
  "  type         TEXT    NOT NULL,"
  "  ciphertext   BLOB    NOT NULL,"
  "  key_id       TEXT    NOT NULL,"
  "  created_at   INTEGER NOT NULL,"
  "  updated_at   INTEGER NOT NULL,"
  "  revision     INTEGER NOT NULL CHECK (revision >= 1),"
  "  UNIQUE (workspace_id, name)"
  ");"
  /* AUTOINCREMENT: an id is never handed out twice, even after the newest rows were
   * pruned, so a reader's "after id" cursor stays meaningful. workspace_id is not a
   * foreign key: the log outlives what it talks about (and server-wide actions have
   * none). */
  "CREATE TABLE audit_log ("
  "  id           INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  at           INTEGER NOT NULL,"
  "  workspace_id TEXT,"
  "  actor        TEXT    NOT NULL,"
  "  action       TEXT    NOT NULL,"
  "  target       TEXT,"
  "  source       TEXT,"
  "  result       TEXT    NOT NULL,"
  "  details      TEXT"
  ");"
  "CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);"
  "CREATE INDEX audit_log_at ON audit_log (at);"
  "CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log"
  " BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
  /* Published events (the event dispatcher's), not the execution events of migration 1. */
  "CREATE TABLE topic_events ("
  "  id           INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  topic        TEXT    NOT NULL,"
  "  payload      TEXT    NOT NULL,"
  "  published_at INTEGER NOT NULL,"
  "  source       TEXT"
  ");"
  "CREATE INDEX topic_events_workspace ON topic_events (workspace_id, id);"
  "CREATE INDEX topic_events_published ON topic_events (published_at);"
  "ALTER TABLE flows ADD COLUMN workspace_id TEXT NOT NULL DEFAULT '" DECA_WORKSPACE_LOCAL "';"
  "ALTER TABLE flows ADD COLUMN active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1));"
  "CREATE INDEX flows_workspace ON flows (workspace_id, updated_at);"
  "CREATE INDEX flows_active ON flows (workspace_id) WHERE active = 1;"
  "ALTER TABLE executions ADD COLUMN workspace_id TEXT NOT NULL DEFAULT '" DECA_WORKSPACE_LOCAL "';"
  "CREATE INDEX executions_workspace_created ON executions (workspace_id, created_at);"
  /* No foreign key to flows: the dispatcher claims by the ids its triggers carry, and a
   * claim must not fail because a flow went away a moment ago. */
  "CREATE TABLE schedule_fires ("
  "  flow_id      TEXT    NOT NULL,"
  "  trigger_key  TEXT    NOT NULL,"
  "  fire_at      INTEGER NOT NULL,"
  "  claimed_by   TEXT,"
  "  claimed_at   INTEGER NOT NULL,"
  "  PRIMARY KEY (flow_id, trigger_key, fire_at)"
  ") WITHOUT ROWID;"
  "CREATE INDEX schedule_fires_claimed ON schedule_fires (claimed_at);"
  "CREATE TABLE schedule_cursors ("
  "  flow_id      TEXT    NOT NULL,"
  "  trigger_key  TEXT    NOT NULL,"
  "  last_fire_at INTEGER NOT NULL,"
  "  PRIMARY KEY (flow_id, trigger_key)"
  ") WITHOUT ROWID;",

  /* 6: the library of each workspace (docs/storage.md, "Library tables"): agents, prompts
   * and functions, each with immutable versions and a sync revision
   * (engine/deca-store-library.c). */
  LIBRARY_TABLES_SQL ("agents", "agent_versions")
  LIBRARY_TABLES_SQL ("prompts", "prompt_versions")
  LIBRARY_TABLES_SQL ("functions", "function_versions"),
};

#define SCHEMA_VERSION ((int) G_N_ELEMENTS (migrations))

/* How long a write waits for another process (`deca approve`, a second studio window)
 * holding the write lock before giving up with SQLITE_BUSY. */
#define BUSY_TIMEOUT_MS 5000

/*
 * Cached statements. Each is prepared on first use with SQLITE_PREPARE_PERSISTENT and
 * kept until the store is finalized; callers bind every parameter, step, and reset.
 */
typedef enum {
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_FLOW_LATEST,
  STMT_FLOW_UPSERT,
  STMT_FLOW_VERSION_INSERT,
  STMT_FLOW_LOAD_LATEST,
  STMT_FLOW_LOAD_VERSION,
  STMT_FLOW_LIST,
  STMT_FLOW_SUMMARIES,
  STMT_FLOW_VERSIONS,
  STMT_FLOW_SET_DELETED,
  STMT_EXECUTION_INSERT,
  STMT_EXECUTION_UPDATE,
  STMT_EXECUTION_GET,
  STMT_EXECUTION_LIST,
  STMT_EXECUTION_LIST_STATUS,
  STMT_EXECUTION_LIST_UNFINISHED,
  STMT_EXECUTION_CLAIM,
  STMT_EXECUTION_PK,
  STMT_NODE_RESULT_PUT,
  STMT_NODE_RESULT_LIST,
  STMT_EVENT_APPEND,
  STMT_EVENT_LIST,
  STMT_APPROVAL_PUT,
  STMT_APPROVAL_GET,
  N_STMTS
} StoreStmt;

#define EXECUTION_COLUMNS \
  "id, flow_id, flow_version, parent_id, parent_node, status, input, output, error," \
  " \"trigger\", created_at, started_at, finished_at, owner, workspace_id"

/* A DecaFlowSummary row (flow_summary_from_row()); the latest version's name comes by
 * its primary key, one lookup per flow. */
#define FLOW_SUMMARY_COLUMNS \
  "f.id, f.name, f.latest_version, f.created_at, f.updated_at, v.name, f.workspace_id," \
  " f.active"
#define FLOW_SUMMARY_FROM \
  "flows f LEFT JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.latest_version"

static const char * const stmt_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_FLOW_LATEST] =
    "SELECT f.latest_version, v.content_hash FROM flows f"
    " JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.latest_version"
    " WHERE f.id = ?1",
  [STMT_FLOW_UPSERT] =
    "INSERT INTO flows (id, name, latest_version, created_at, updated_at, workspace_id)"
    " VALUES (?1, coalesce (?2, ?1), ?3, ?4, ?4, coalesce (?5, '" DECA_WORKSPACE_LOCAL "'))"
    " ON CONFLICT (id) DO UPDATE SET name = coalesce (?2, name),"
    " latest_version = excluded.latest_version, updated_at = excluded.updated_at",
  [STMT_FLOW_VERSION_INSERT] =
    "INSERT INTO flow_versions (flow_id, version, document, content_hash, created_at, name)"
    " VALUES (?1, ?2, ?3, ?4, ?5, " FLOW_DOCUMENT_NAME_SQL ("?3") ")",
  [STMT_FLOW_LOAD_LATEST] =
    "SELECT version, document FROM flow_versions WHERE flow_id = ?1"
    " ORDER BY version DESC LIMIT 1",
  [STMT_FLOW_LOAD_VERSION] =
    "SELECT version, document FROM flow_versions WHERE flow_id = ?1 AND version = ?2",
  [STMT_FLOW_LIST] = "SELECT id FROM flows WHERE deleted_at IS NULL ORDER BY id",
  /* The latest version's name comes by its primary key, one lookup per flow. */
  [STMT_FLOW_SUMMARIES] =
    "SELECT " FLOW_SUMMARY_COLUMNS " FROM " FLOW_SUMMARY_FROM
    " WHERE f.deleted_at IS NULL ORDER BY f.updated_at DESC, f.id",
  /* The primary key (flow_id, version) serves this in reverse: no sort. */
  [STMT_FLOW_VERSIONS] =
    "SELECT flow_id, version, name, created_at FROM flow_versions WHERE flow_id = ?1"
    " ORDER BY version DESC",
  /* Deleting an already deleted flow keeps its first deletion time. */
  [STMT_FLOW_SET_DELETED] =
    "UPDATE flows SET deleted_at = CASE WHEN ?2 THEN coalesce (deleted_at, ?3) END"
    " WHERE id = ?1",
  [STMT_EXECUTION_INSERT] =
    "INSERT INTO executions (" EXECUTION_COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
    /* An execution of a stored flow is in that flow's workspace unless told otherwise,
     * so the executor needs to know nothing about workspaces. */
    " coalesce (?15, (SELECT workspace_id FROM flows WHERE id = ?2),"
    " '" DECA_WORKSPACE_LOCAL "'))",
  [STMT_EXECUTION_UPDATE] =
    "UPDATE executions SET status = ?2, output = ?3, error = ?4, started_at = ?5,"
    " finished_at = ?6, owner = ?7 WHERE id = ?1",
  [STMT_EXECUTION_GET] = "SELECT " EXECUTION_COLUMNS " FROM executions WHERE id = ?1",
  /* pk (the rowid) breaks ties between executions created in the same microsecond, so
   * the order is the insertion order; both indexes end in the rowid, so no sort. */
  [STMT_EXECUTION_LIST] =
    "SELECT " EXECUTION_COLUMNS " FROM executions"
    " ORDER BY created_at DESC, pk DESC LIMIT ?1",
  [STMT_EXECUTION_LIST_STATUS] =
    "SELECT " EXECUTION_COLUMNS " FROM executions WHERE status = ?2"
    " ORDER BY created_at DESC, pk DESC LIMIT ?1",
  [STMT_EXECUTION_LIST_UNFINISHED] =
    "SELECT " EXECUTION_COLUMNS " FROM executions"
    " WHERE status IN ('" DECA_STATUS_RUNNING "', '" DECA_STATUS_PENDING "')"
    " ORDER BY created_at, pk",
  /* "IS" compares NULLs too: claiming an unowned execution expects NULL. */
  [STMT_EXECUTION_CLAIM] =
    "UPDATE executions SET owner = ?2 WHERE id = ?1 AND owner IS ?3",
  [STMT_EXECUTION_PK] = "SELECT pk FROM executions WHERE id = ?1",
  /* An upsert rather than INSERT OR REPLACE: REPLACE deletes and reinserts, which would
   * give the row a new seq and move it to the end of the write order. */
  [STMT_NODE_RESULT_PUT] =
    "INSERT INTO node_results (execution_pk, node_key, node_id, status, port, input,"
    " output, error, attempts, started_at, finished_at, event_seq)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT (execution_pk, node_key) DO UPDATE SET node_id = excluded.node_id,"
    " status = excluded.status, port = excluded.port, input = excluded.input,"
    " output = excluded.output, error = excluded.error, attempts = excluded.attempts,"
    " started_at = excluded.started_at, finished_at = excluded.finished_at,"
    " event_seq = excluded.event_seq",
  [STMT_NODE_RESULT_LIST] =
    "SELECT ?1, node_key, node_id, status, port, input, output, error,"
    " attempts, started_at, finished_at, event_seq FROM node_results"
    " WHERE execution_pk = (SELECT pk FROM executions WHERE id = ?1)"
    " ORDER BY seq",
  [STMT_EVENT_APPEND] =
    "INSERT INTO events (execution_pk, seq, type, time, payload)"
    " VALUES (?1, ?2, ?3, ?4, ?5)",
  [STMT_EVENT_LIST] =
    "SELECT ?1, seq, type, time, payload FROM events"
    " WHERE execution_pk = (SELECT pk FROM executions WHERE id = ?1) AND seq > ?2"
    " ORDER BY seq",
  [STMT_APPROVAL_PUT] =
    "INSERT INTO approvals (execution_id, node_key, approved, comment, decided_by,"
    " decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [STMT_APPROVAL_GET] =
    "SELECT execution_id, node_key, approved, comment, decided_by, decided_at"
    " FROM approvals WHERE execution_id = ?1 AND node_key = ?2",
};

struct _DecaStore
{
  GObject parent_instance;

  /* Owned. */
  char         *path;
  sqlite3      *db;
  sqlite3_stmt *stmts[N_STMTS];

  /* How many deca_store_begin() calls are waiting for their commit. */
  guint         depth;

  /* The version migrated to (SCHEMA_VERSION except through
   * _deca_store_open_at_version()). */
  int           schema_version;

  /* Execution id -> pk of recently written executions: node results and events are
   * keyed by pk, and this saves an index lookup per row on the hot path. Cleared on
   * rollback, since a rolled-back insert leaves a pk that means nothing. */
  GHashTable   *pk_cache;

  /* SQL text (static, by address) -> sqlite3_stmt, for _deca_store_stmt(). */
  GHashTable   *sql_stmts;

  /* (nullable) The thread of deca_store_checkpoint_in_background(). */
  struct _DecaCheckpointer *checkpointer;
  gboolean      checkpoint_finish_deferred;

  /* DecaAuditRecord lines of deca_store_queue_audit(), written by the next outermost
   * commit. */
  GPtrArray    *audit_queue;
};

#define PK_CACHE_MAX 4096

G_DEFINE_FINAL_TYPE (DecaStore, deca_store, G_TYPE_OBJECT)

/* Records */

/* Frees @record and every string it holds; NULL is ignored. */
void
deca_execution_record_free (DecaExecutionRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->flow_id);
  g_free (record->parent_id);
  g_free (record->parent_node);
  g_free (record->status);
  g_free (record->input);
  g_free (record->output);
  g_free (record->error);
  g_free (record->trigger);
  g_free (record->owner);
  g_free (record->workspace_id);
  g_free (record);
}

/* Frees @record and every string it holds; NULL is ignored. */
void
deca_node_result_record_free (DecaNodeResultRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->execution_id);
  g_free (record->node_key);
  g_free (record->node_id);
  g_free (record->status);
  g_free (record->port);
  g_free (record->input);
  g_free (record->output);
  g_free (record->error);
  g_free (record);
}

/* Frees @record and every string it holds; NULL is ignored. */
void
deca_event_record_free (DecaEventRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->execution_id);
  g_free (record->type);
  g_free (record->payload);
  g_free (record);
}

/* Frees @record and every string it holds; NULL is ignored. */
void
deca_approval_record_free (DecaApprovalRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->execution_id);
  g_free (record->node_key);
  g_free (record->comment);
  g_free (record->decided_by);
  g_free (record);
}

/* Frees @summary and its strings; NULL is ignored. */
void
deca_flow_summary_free (DecaFlowSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->id);
  g_free (summary->name);
  g_free (summary->document_name);
  g_free (summary->workspace_id);
  g_free (summary);
}

/* Frees @info and its strings; NULL is ignored. */
void
deca_flow_version_info_free (DecaFlowVersionInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->flow_id);
  g_free (info->name);
  g_free (info);
}

/* Returns (transfer full) a deep copy of @record, or NULL for NULL. */
DecaExecutionRecord *
deca_execution_record_copy (const DecaExecutionRecord *record)
{
  DecaExecutionRecord *copy;

  if (record == NULL)
    return NULL;
  copy = g_new0 (DecaExecutionRecord, 1);
  copy->id = g_strdup (record->id);
  copy->flow_id = g_strdup (record->flow_id);
  copy->flow_version = record->flow_version;
  copy->parent_id = g_strdup (record->parent_id);
  copy->parent_node = g_strdup (record->parent_node);
  copy->status = g_strdup (record->status);
  copy->input = g_strdup (record->input);
  copy->output = g_strdup (record->output);
  copy->error = g_strdup (record->error);
  copy->trigger = g_strdup (record->trigger);
  copy->owner = g_strdup (record->owner);
  copy->created_at = record->created_at;
  copy->started_at = record->started_at;
  copy->finished_at = record->finished_at;
  copy->workspace_id = g_strdup (record->workspace_id);
  return copy;
}

/* Returns (transfer full) a deep copy of @record, or NULL for NULL. */
DecaNodeResultRecord *
deca_node_result_record_copy (const DecaNodeResultRecord *record)
{
  DecaNodeResultRecord *copy;

  if (record == NULL)
    return NULL;
  copy = g_new0 (DecaNodeResultRecord, 1);
  copy->execution_id = g_strdup (record->execution_id);
  copy->node_key = g_strdup (record->node_key);
  copy->node_id = g_strdup (record->node_id);
  copy->status = g_strdup (record->status);
  copy->port = g_strdup (record->port);
  copy->input = g_strdup (record->input);
  copy->output = g_strdup (record->output);
  copy->error = g_strdup (record->error);
  copy->attempts = record->attempts;
  copy->started_at = record->started_at;
  copy->finished_at = record->finished_at;
  copy->event_seq = record->event_seq;
  return copy;
}

/* Helpers */

/* See deca-store-private.h. */
const char *
_deca_store_explain (sqlite3 *db,
                     int      rc)
{
  switch ((db != NULL ? sqlite3_extended_errcode (db) : rc) & 0xff)
    {
    case SQLITE_BUSY:
      return _("the database is locked by another connection");
    case SQLITE_LOCKED:
      return _("a table of the database is locked");
    case SQLITE_READONLY:
      return _("the database is read-only");
    case SQLITE_FULL:
      return _("the disk or the database is full");
    case SQLITE_IOERR:
      return _("reading or writing the database file failed");
    case SQLITE_CORRUPT:
      return _("the database file is damaged");
    case SQLITE_NOTADB:
      return _("the file is not a database");
    case SQLITE_CANTOPEN:
      return _("the database file cannot be opened");
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return _("access to the database is denied");
    case SQLITE_NOMEM:
      return _("there is not enough memory");
    default:
      /* A broken statement or schema, a constraint: SQLite's words name the table and
       * column, which is what its developers need. */
      return db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
    }
}

/* Sets @error to DECA_ENGINE_ERROR_STORE, saying which @what failed in which file and
 * why (_deca_store_explain()). @what_format is marked with N_() by callers and translated
 * here, so that the success paths never look up a translation. Call it before resetting
 * the failed statement: the message belongs to the connection and the next call may
 * replace it. */
G_GNUC_PRINTF (3, 0)
static void
store_set_error_valist (DecaStore   *self,
                        GError     **error,
                        const char  *what_format,
                        va_list      args)
{
  g_autofree char *what = g_strdup_vprintf (_(what_format), args);

  /* Translators: the first %s is an action such as "insert an execution" or "load flow
   * “hello”", the last the reason, such as "the database is read-only" */
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
               _("Could not %s in store “%s”: %s"),
               what, self->path, _deca_store_explain (self->db, SQLITE_ERROR));
}

G_GNUC_PRINTF (3, 4)
static void
store_set_error (DecaStore   *self,
                 GError     **error,
                 const char  *what_format,
                 ...)
{
  va_list args;

  va_start (args, what_format);
  store_set_error_valist (self, error, what_format, args);
  va_end (args);
}

/* See deca-store-private.h. */
void
_deca_store_set_error (DecaStore   *self,
                       GError     **error,
                       const char  *what_format,
                       ...)
{
  va_list args;

  va_start (args, what_format);
  store_set_error_valist (self, error, what_format, args);
  va_end (args);
}

/* Returns (transfer none) the cached statement @id, preparing it on first use, or NULL
 * with @error set when SQLite refuses it (which means the schema and the SQL above
 * disagree, or memory ran out). */
static sqlite3_stmt *
store_stmt (DecaStore  *self,
            StoreStmt   id,
            GError    **error)
{
  int rc;

  g_assert (id < N_STMTS);

  if G_LIKELY (self->stmts[id] != NULL)
    return self->stmts[id];

  rc = sqlite3_prepare_v3 (self->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                           &self->stmts[id], NULL);
  if (rc != SQLITE_OK)
    {
      store_set_error (self, error, N_("prepare statement %d"), (int) id);
      sqlite3_finalize (self->stmts[id]);
      self->stmts[id] = NULL;
      return NULL;
    }
  return self->stmts[id];
}

/* See deca-store-private.h. The server's statements are many and rarely hot, so they
 * live in a table keyed by their SQL text's address rather than in the enum above. */
sqlite3_stmt *
_deca_store_stmt (DecaStore   *self,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->sql_stmts, sql);

  if G_LIKELY (stmt != NULL)
    return stmt;
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL)
      != SQLITE_OK)
    {
      store_set_error (self, error, N_("prepare a statement"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  g_hash_table_insert (self->sql_stmts, (gpointer) sql, stmt);
  return stmt;
}

/* Runs @sql (no result rows expected) outside the statement cache; for the few
 * statements that run once per open. */
static gboolean
store_exec (DecaStore   *self,
            const char  *sql,
            const char  *what,
            GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      store_set_error (self, error, "%s", _(what));
      return FALSE;
    }
  return TRUE;
}

/* Steps a cached write statement once and resets it. Returns the SQLite result code
 * (SQLITE_DONE on success) so callers can map constraint failures to their own errors;
 * on any other failure @error is set with @what. On a constraint failure @error is left
 * alone and the caller must set it (using sqlite3_errmsg before its next SQLite call). */
static int
store_step_write (DecaStore    *self,
                  sqlite3_stmt *stmt,
                  const char   *what,
                  GError      **error)
{
  int rc = sqlite3_step (stmt);

  if G_LIKELY (rc == SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return rc;
    }
  if (rc == SQLITE_ROW)
    {
      /* Write statements return no rows; finish it so it does not hold a read lock. */
      sqlite3_reset (stmt);
      return SQLITE_DONE;
    }
  if ((rc & 0xff) != SQLITE_CONSTRAINT)
    store_set_error (self, error, "%s", _(what));
  /* Keep the message: sqlite3_reset() returns the same error and leaves it in place. */
  sqlite3_reset (stmt);
  return rc;
}

/* See deca-store-private.h. */
int
_deca_store_step_write (DecaStore    *self,
                        sqlite3_stmt *stmt,
                        const char   *what,
                        GError      **error)
{
  return store_step_write (self, stmt, what, error);
}

/* See deca-store-private.h. */
gboolean
_deca_store_write (DecaStore    *self,
                   sqlite3_stmt *stmt,
                   const char   *what,
                   GError      **error)
{
  if (store_step_write (self, stmt, what, error) == SQLITE_DONE)
    return TRUE;
  /* A constraint failure leaves @error unset in store_step_write(). */
  if (error != NULL && *error == NULL)
    store_set_error (self, error, "%s", _(what));
  return FALSE;
}

/* See deca-store-private.h. The message is formatted only on failure, so the success
 * path looks up no translation. */
GPtrArray *
_deca_store_collect_rows (DecaStore        *self,
                          sqlite3_stmt     *stmt,
                          DecaStoreRowFunc  from_row,
                          GDestroyNotify    free_func,
                          GError          **error,
                          const char       *what_format,
                          ...)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      va_list args;

      va_start (args, what_format);
      store_set_error_valist (self, error, what_format, args);
      va_end (args);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&rows);
}

/* See deca-store-private.h. */
gpointer
_deca_store_get_row (DecaStore        *self,
                     sqlite3_stmt     *stmt,
                     DecaStoreRowFunc  from_row,
                     gboolean         *out_none,
                     GError          **error,
                     const char       *what_format,
                     ...)
{
  gpointer row = NULL;
  int rc = sqlite3_step (stmt);

  *out_none = rc == SQLITE_DONE;
  if (rc == SQLITE_ROW)
    row = from_row (stmt);
  else if (rc != SQLITE_DONE)
    {
      va_list args;

      va_start (args, what_format);
      store_set_error_valist (self, error, what_format, args);
      va_end (args);
    }
  sqlite3_reset (stmt);
  return row;
}

/* Reads PRAGMA user_version into @out_version. */
static gboolean
store_read_user_version (DecaStore  *self,
                         int        *out_version,
                         GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      store_set_error (self, error, N_("read the schema version"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *out_version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

/* Brings the schema up to SCHEMA_VERSION. All pending migrations run in one IMMEDIATE
 * transaction, and the version is read again once the write lock is held: two processes
 * opening a fresh file together then migrate it exactly once. Fails when the file is
 * newer than this build. */
static gboolean
store_migrate (DecaStore  *self,
               int         target,
               GError    **error)
{
  g_autofree char *set_version = NULL;
  int version;

  if (!store_read_user_version (self, &version, error))
    return FALSE;
  if (version == target)
    return TRUE;

  if (!store_exec (self, "BEGIN IMMEDIATE", N_("start the schema migration"), error))
    return FALSE;
  if (!store_read_user_version (self, &version, error))
    goto fail;

  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                   _("Store “%s” has schema version %d, newer than the %d this build of "
                   "Deca Studio knows; use a newer version"),
                   self->path, version, SCHEMA_VERSION);
      goto fail;
    }
  if (version >= target)
    {
      /* Another process migrated it meanwhile (or, for a test's older target, it is
       * already past it): nothing to do, and never a step back. */
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return TRUE;
    }

  for (int i = version; i < target; i++)
    {
      g_autofree char *what = g_strdup_printf (_("apply schema migration %d"), i + 1);

      if (!store_exec (self, migrations[i], what, error))
        goto fail;
    }

  /* PRAGMA takes no parameters; the value is our own integer. */
  set_version = g_strdup_printf ("PRAGMA user_version = %d", target);
  if (!store_exec (self, set_version, N_("record the schema version"), error))
    goto fail;
  if (!store_exec (self, "COMMIT", N_("commit the schema migration"), error))
    goto fail;
  return TRUE;

fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* Sets the connection's pragmas. WAL lets readers (the studio, `deca logs`) run beside
 * the one writer; see docs/storage.md for why synchronous=NORMAL is enough. */
static gboolean
store_configure (DecaStore  *self,
                 GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  const char *mode;
  gboolean in_memory;
  int rc;

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* The first statement that reads the file is where SQLite notices it is not a
   * database, so this is the error a person sees for a wrong path. */
  rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                   _("Could not open store “%s”: %s"), self->path, _deca_store_explain (self->db, rc));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  mode = (const char *) sqlite3_column_text (stmt, 0);
  in_memory = g_strcmp0 (mode, "memory") == 0;
  if (g_strcmp0 (mode, "wal") != 0 && !in_memory)
    {
      /* Without WAL a reader blocks the executor's commits and the durability argument
       * of docs/storage.md does not hold; refuse rather than run slower and less safe. */
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                   _("Could not open store “%s”: it cannot use write-ahead logging "
                   "(journal mode stays “%s”)"), self->path, mode ? mode : "unknown");
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);

  /* foreign_keys must be set outside a transaction, so before the migrations. */
  return store_exec (self,
                     "PRAGMA synchronous = NORMAL;"
                     "PRAGMA foreign_keys = ON;"
                     /* Checkpoint every 16 MiB of WAL rather than 4: the executor rewrites
                      * the same few pages in every commit, and a checkpoint copies each page
                      * once however often it changed. */
                     "PRAGMA wal_autocheckpoint = 4096;",
                     "configure the connection", error);
}

/* Checkpoints in the background (deca_store_checkpoint_in_background()).
 *
 * In WAL mode a commit appends pages to the -wal file; a checkpoint copies them back into
 * the database and syncs it. SQLite's automatic checkpoint runs inside the commit that
 * passes the threshold, on the committing thread: for the server that was a stall of
 * 10 to 30 ms every few hundred requests, the whole of its 99th-percentile latency.
 * Here the connection's WAL hook notes how large the WAL has grown and wakes a thread
 * that checkpoints on a connection of its own.
 *
 * Copying is not enough to keep the WAL small: SQLite starts the WAL over from its
 * beginning only when a writer begins a transaction while every frame in it has been
 * copied (and the database synced). A PASSIVE checkpoint copies the frames that were
 * there when it started; under sustained commits more have arrived by the time it
 * ends, so a thread that only ever runs PASSIVE checkpoints lags behind for good and
 * the WAL grows to CHECKPOINT_PAGES_MAX (measured: 128 MiB, and a commit of 130 ms at
 * the fallback). So a WAL cycle ends in three steps:
 *
 * 1. The thread runs two PASSIVE checkpoints, beside the writer: the first copies the
 *    bulk, the second what was committed meanwhile (mostly while the first waited for
 *    the WAL's sync), which is far less.
 * 2. The thread syncs the database file (the pages it copied) and the WAL (the frames
 *    committed meanwhile), so that what the last step has to sync is next to nothing.
 * 3. The committing thread's next commit finishes the cycle from its hook: a RESTART
 *    checkpoint, which holds the write lock while it copies the last few frames and
 *    syncs, and waits (briefly, see checkpointer_finish()) for readers to leave the
 *    WAL; its next transaction then starts the WAL over. Holding the write lock is what
 *    makes this converge when another connection (the executor's writer thread, another
 *    process) commits too. This is the one wait left on the committing thread: a few
 *    frames copied and two syncs of almost nothing, once per 16 MiB of WAL. A store
 *    worker has it later still, after the job whose commit made it due has answered
 *    (deca_store_finish_checkpoint()).
 *
 * SQLite's own protocol does every sync (the WAL before its frames are copied, the
 * database before the WAL may be overwritten); the thread's extra syncs only make them
 * cheaper, so durability is exactly that of the automatic checkpoint. After a WAL has
 * grown large anyway (a reader holding an old snapshot keeps every checkpoint short of
 * the end), journal_size_limit truncates it once it starts over. Should the thread fall
 * far behind (CHECKPOINT_PAGES_MAX), the committing thread waits for it and checkpoints
 * itself, so the WAL stays bounded. */

/* The WAL size, in pages, that wakes the thread: as wal_autocheckpoint was (16 MiB). */
#define CHECKPOINT_PAGES 4096
/* The size past which the committing thread waits for the thread and checkpoints itself
 * (64 MiB): only when the disk syncs far slower than the connection commits. */
#define CHECKPOINT_PAGES_MAX (4 * CHECKPOINT_PAGES)
/* The size, in bytes, a WAL is cut back to when it starts over (journal_size_limit):
 * twice the threshold, so a WAL of normal size is reused as it is, and one that grew
 * (see above) gives its space back. The store keeps SQLite's default 4096-byte pages. */
#define WAL_SIZE_LIMIT (2 * CHECKPOINT_PAGES * 4096)
/* How long the committing thread's RESTART checkpoint waits for another connection's
 * write transaction or for readers to leave the WAL before it gives up. */
#define FINISH_WAIT_US 2000

/* DecaCheckpointer.ready: no cycle waiting to be finished. */
#define READY_NONE (-1)
/* DecaCheckpointer.ready: the committing thread is finishing one. */
#define READY_FINISHING (-2)

typedef struct _DecaCheckpointer {
  char    *path;
  sqlite3 *db;          /* the thread's connection */
  GThread *thread;
  GMutex   lock;
  GCond    cond;        /* wanted or stop was set */
  GCond    idle;        /* running was cleared */
  gboolean wanted;      /* under lock: the WAL passed CHECKPOINT_PAGES since the last run */
  gboolean stop;        /* under lock */
  gboolean running;     /* under lock: in checkpointer_run() */
  guint    done;        /* atomic: runs of the thread that checkpointed */
  /* atomic: how many times the WAL started over, as the hook saw it (it shrank), modulo
   * G_MAXINT. Written by the hook only. */
  gint     generation;
  /* atomic: the generation in which the thread completed steps 1 and 2, for the hook to
   * finish; or READY_NONE, READY_FINISHING. */
  gint     ready;
  /* The committing thread's (the hook's) own: the WAL size at the last commit, and the
   * size below which no new cycle starts after one that could not be finished. */
  int      last_pages;
  int      retry_pages;
  /* Also the committing thread's: deca_store_defer_checkpoint_finish(), and a
   * cycle waiting for deca_store_finish_checkpoint(). */
  gboolean finish_deferred;
  gboolean finish_due;
  guint    deferred_finishes;   /* cycles deca_store_finish_checkpoint() finished */
} DecaCheckpointer;

/* Syncs the file that file control @op (SQLITE_FCNTL_FILE_POINTER or _JOURNAL_POINTER)
 * gives for the thread's connection. Through SQLite's own file handle: closing a
 * descriptor of our own on the database would drop this process's POSIX locks on it. */
static void
checkpointer_sync (DecaCheckpointer *checkpointer,
                   int               op)
{
  sqlite3_file *file = NULL;

  if (sqlite3_file_control (checkpointer->db, "main", op, &file) == SQLITE_OK
      && file != NULL && file->pMethods != NULL)
    file->pMethods->xSync (file, SQLITE_SYNC_NORMAL);
}

/* Steps 1 and 2 of a cycle, on the thread. */
static void
checkpointer_run (DecaCheckpointer *checkpointer)
{
  gint generation = g_atomic_int_get (&checkpointer->generation);

  for (guint pass = 0; pass < 2; pass++)
    {
      /* SQLITE_BUSY (another checkpoint is running: another connection's thread, the
       * studio's, deca backup's) only means this one is left to the next commit. */
      int rc = sqlite3_wal_checkpoint_v2 (checkpointer->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                          NULL, NULL);

      if (rc != SQLITE_OK)
        {
          if (rc != SQLITE_BUSY)
            g_debug ("background checkpoint of %s: %s", checkpointer->path, sqlite3_errstr (rc));
          return;
        }
    }
  g_atomic_int_inc (&checkpointer->done);
  checkpointer_sync (checkpointer, SQLITE_FCNTL_FILE_POINTER);
  checkpointer_sync (checkpointer, SQLITE_FCNTL_JOURNAL_POINTER);
  /* Unless the committing thread, past CHECKPOINT_PAGES_MAX, is already waiting to
   * finish (READY_FINISHING). */
  g_atomic_int_compare_and_exchange (&checkpointer->ready, READY_NONE, generation);
}

static gpointer
checkpointer_thread (gpointer data)
{
  DecaCheckpointer *checkpointer = data;

  g_mutex_lock (&checkpointer->lock);
  for (;;)
    {
      while (!checkpointer->wanted && !checkpointer->stop)
        g_cond_wait (&checkpointer->cond, &checkpointer->lock);
      if (checkpointer->stop)
        break;
      checkpointer->wanted = FALSE;
      /* While a cycle waits for the committing thread to finish it (or is being
       * finished), a checkpoint here would only take the checkpoint lock from it. */
      if (g_atomic_int_get (&checkpointer->ready) != READY_NONE)
        continue;
      checkpointer->running = TRUE;
      g_mutex_unlock (&checkpointer->lock);

      checkpointer_run (checkpointer);

      g_mutex_lock (&checkpointer->lock);
      checkpointer->running = FALSE;
      g_cond_broadcast (&checkpointer->idle);
    }
  g_mutex_unlock (&checkpointer->lock);
  return NULL;
}

/* sqlite3_busy_handler() of checkpointer_finish(): a short wait in small steps, where
 * SQLite's busy timeout would sleep 1, 2, 5, 10 ms. */
static int
checkpointer_finish_busy_cb (void *data,
                             int   count)
{
  const gint64 *deadline = data;

  if (g_get_monotonic_time () >= *deadline)
    return 0;
  g_usleep (50);
  return 1;
}

/* Step 3 of a cycle, on the committing thread, from its WAL hook: copies the frames
 * committed since the thread's second pass and syncs, holding the write lock, so that
 * every frame is in the database and the next transaction starts the WAL over.
 * RESTART also waits for readers still reading older frames, without which the WAL
 * could not start over. Both waits are cut short (FINISH_WAIT_US): SQLite then copies
 * what it can without waiting, and returns SQLITE_BUSY. */
static void
checkpointer_finish (DecaCheckpointer *checkpointer,
                     sqlite3          *db,
                     const char       *schema,
                     int               n_pages)
{
  gint64 deadline = g_get_monotonic_time () + FINISH_WAIT_US;
  int rc;

  sqlite3_busy_handler (db, checkpointer_finish_busy_cb, &deadline);
  rc = sqlite3_wal_checkpoint_v2 (db, schema, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  /* Not finished (a reader holds an old snapshot, or a long write transaction of
   * another connection): trying again at every commit would stall each of them for
   * nothing; the next cycle starts when the WAL has grown by another threshold. */
  if (rc != SQLITE_OK)
    {
      g_debug ("finishing the checkpoint of %s: %s", checkpointer->path, sqlite3_errstr (rc));
      checkpointer->retry_pages = n_pages + CHECKPOINT_PAGES;
    }
}

/* sqlite3_wal_hook(): runs on the committing thread after every commit of the store's
 * connection, with the number of frames in the WAL. */
static int
checkpointer_wal_hook_cb (void       *data,
                          sqlite3    *db,
                          const char *schema,
                          int         n_pages)
{
  DecaCheckpointer *checkpointer = data;
  gint generation = g_atomic_int_get (&checkpointer->generation);
  gint ready;

  /* The WAL shrank: a writer (this one or another) started it over. */
  if (n_pages < checkpointer->last_pages)
    {
      generation = (generation + 1) & G_MAXINT;
      g_atomic_int_set (&checkpointer->generation, generation);
      checkpointer->retry_pages = 0;
    }
  checkpointer->last_pages = n_pages;
  if (n_pages < CHECKPOINT_PAGES)
    return SQLITE_OK;

  ready = g_atomic_int_get (&checkpointer->ready);
  if (ready == generation && checkpointer->finish_deferred && n_pages < CHECKPOINT_PAGES_MAX)
    {
      checkpointer->finish_due = TRUE;
      return SQLITE_OK;
    }
  if (ready == generation
      && g_atomic_int_compare_and_exchange (&checkpointer->ready, generation, READY_FINISHING))
    {
      checkpointer_finish (checkpointer, db, schema, n_pages);
      g_atomic_int_set (&checkpointer->ready, READY_NONE);
      return SQLITE_OK;
    }
  /* A cycle of a WAL since started over: its frames are not this WAL's. */
  if (ready >= 0)
    g_atomic_int_compare_and_exchange (&checkpointer->ready, ready, READY_NONE);
  if (n_pages < checkpointer->retry_pages)
    return SQLITE_OK;

  g_mutex_lock (&checkpointer->lock);
  if (n_pages >= CHECKPOINT_PAGES_MAX)
    {
      /* The thread fell far behind: the disk syncs slower than this connection
       * commits. Checkpoint here, as SQLite's automatic checkpoint would, once the
       * thread's run (which holds the checkpoint lock) is over; READY_FINISHING keeps
       * it from starting another. */
      g_atomic_int_set (&checkpointer->ready, READY_FINISHING);
      while (checkpointer->running)
        g_cond_wait (&checkpointer->idle, &checkpointer->lock);
      g_mutex_unlock (&checkpointer->lock);
      checkpointer_finish (checkpointer, db, schema, n_pages);
      g_atomic_int_set (&checkpointer->ready, READY_NONE);
      return SQLITE_OK;
    }
  if (!checkpointer->wanted)
    {
      checkpointer->wanted = TRUE;
      g_cond_signal (&checkpointer->cond);
    }
  g_mutex_unlock (&checkpointer->lock);
  return SQLITE_OK;
}

/* Stops and joins the thread and closes its connection. */
static void
checkpointer_free (DecaCheckpointer *checkpointer)
{
  g_mutex_lock (&checkpointer->lock);
  checkpointer->stop = TRUE;
  g_cond_signal (&checkpointer->cond);
  g_mutex_unlock (&checkpointer->lock);
  g_thread_join (checkpointer->thread);
  sqlite3_close_v2 (checkpointer->db);
  g_mutex_clear (&checkpointer->lock);
  g_cond_clear (&checkpointer->cond);
  g_cond_clear (&checkpointer->idle);
  g_free (checkpointer->path);
  g_free (checkpointer);
}

gboolean
deca_store_checkpoint_in_background (DecaStore  *self,
                                     GError    **error)
{
  DecaCheckpointer *checkpointer;
  const char *file;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  file = sqlite3_db_filename (self->db, "main");
  if (self->checkpointer != NULL || file == NULL || file[0] == '\0')
    return TRUE;

  /* 2 × 4096 pages of 4096 bytes: WAL_SIZE_LIMIT, spelled out for the pragma. */
  G_STATIC_ASSERT (WAL_SIZE_LIMIT == 33554432);
  if (!store_exec (self, "PRAGMA journal_size_limit = 33554432",
                   "configure the connection", error))
    return FALSE;

  checkpointer = g_new0 (DecaCheckpointer, 1);
  checkpointer->path = g_strdup (file);
  checkpointer->ready = READY_NONE;
  /* Its copies give way to the other threads (deca-yield-vfs.c). */
  rc = sqlite3_open_v2 (file, &checkpointer->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        deca_yield_vfs_get_name ());
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (checkpointer->db, BUSY_TIMEOUT_MS);
      /* A connection opens the WAL at its first read, and until then a checkpoint on
       * it does nothing and reports success (pnLog -1): without this read the thread's
       * checkpoints copied nothing, and every one was left to the committing thread at
       * CHECKPOINT_PAGES_MAX. */
      rc = sqlite3_exec (checkpointer->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    }
  if (rc != SQLITE_OK)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                   _("Could not open store “%s”: %s"), self->path, _deca_store_explain (checkpointer->db, rc));
      sqlite3_close_v2 (checkpointer->db);
      g_free (checkpointer->path);
      g_free (checkpointer);
      return FALSE;
    }
  g_mutex_init (&checkpointer->lock);
  g_cond_init (&checkpointer->cond);
  g_cond_init (&checkpointer->idle);
  checkpointer->finish_deferred = self->checkpoint_finish_deferred;
  checkpointer->thread = g_thread_new ("deca-checkpoint", checkpointer_thread, checkpointer);
  self->checkpointer = checkpointer;
  /* Replaces the automatic checkpoint (wal_autocheckpoint is a WAL hook too). */
  sqlite3_wal_hook (self->db, checkpointer_wal_hook_cb, checkpointer);
  return TRUE;
}

void
deca_store_defer_checkpoint_finish (DecaStore *self)
{
  g_return_if_fail (DECA_IS_STORE (self));

  self->checkpoint_finish_deferred = TRUE;
  if (self->checkpointer != NULL)
    self->checkpointer->finish_deferred = TRUE;
}

/* Step 3 of a cycle the hook left for later: unless the WAL started over meanwhile (the
 * cycle is then no longer this WAL's) or a transaction is open (the next call does it). */
void
deca_store_finish_checkpoint (DecaStore *self)
{
  DecaCheckpointer *checkpointer;
  gint generation;

  g_return_if_fail (DECA_IS_STORE (self));

  checkpointer = self->checkpointer;
  if (checkpointer == NULL || !checkpointer->finish_due || !sqlite3_get_autocommit (self->db))
    return;
  checkpointer->finish_due = FALSE;
  generation = g_atomic_int_get (&checkpointer->generation);
  if (g_atomic_int_compare_and_exchange (&checkpointer->ready, generation, READY_FINISHING))
    {
      checkpointer_finish (checkpointer, self->db, "main", checkpointer->last_pages);
      g_atomic_int_set (&checkpointer->ready, READY_NONE);
      checkpointer->deferred_finishes++;
    }
}

/* See deca-store-private.h. */
guint
_deca_store_get_deferred_checkpoint_finishes (DecaStore *self)
{
  return self->checkpointer != NULL ? self->checkpointer->deferred_finishes : 0;
}

/* See deca-store-private.h. */
guint
_deca_store_get_background_checkpoints (DecaStore *self)
{
  return self->checkpointer != NULL ? (guint) g_atomic_int_get (&self->checkpointer->done) : 0;
}

/* DecaStore */

/* GDestroyNotify for sql_stmts (sqlite3_finalize() returns int). */
static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
deca_store_finalize (GObject *object)
{
  DecaStore *self = DECA_STORE (object);

  /* The thread's connection goes first: closing the last connection is what checkpoints
   * the WAL into the database and removes it. */
  if (self->checkpointer != NULL)
    {
      sqlite3_wal_hook (self->db, NULL, NULL);
      g_clear_pointer (&self->checkpointer, checkpointer_free);
    }
  /* Queued audit lines are written while the connection is still there. */
  if (self->db != NULL && self->depth == 0)
    deca_store_flush_audit (self, NULL);
  g_clear_pointer (&self->audit_queue, g_ptr_array_unref);
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  /* Statements go before the connection they belong to. */
  g_clear_pointer (&self->sql_stmts, g_hash_table_unref);
  /* An open batch is rolled back by closing: what was not committed never happened. */
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->pk_cache, g_hash_table_unref);

  G_OBJECT_CLASS (deca_store_parent_class)->finalize (object);
}

static void
deca_store_class_init (DecaStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = deca_store_finalize;
}

static void
deca_store_init (DecaStore *self)
{
  self->pk_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->sql_stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                           finalize_stmt);
  self->audit_queue = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_audit_record_free);
}

/* Opens (creating when missing) the database at @path (":memory:" for a private one),
 * configures WAL, and migrates it to this build's schema. Returns (transfer full) the
 * store, or NULL with DECA_ENGINE_ERROR_STORE when the file is not a SQLite database,
 * was written by a newer build, or cannot be opened for writing. */
DecaStore *
deca_store_open (const char  *path,
                 GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _deca_store_open_at_version (path, SCHEMA_VERSION, error);
}

/* See deca-store-private.h. */
DecaStore *
_deca_store_open_at_version (const char  *path,
                             int          version,
                             GError     **error)
{
  g_autoptr(DecaStore) self = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (version >= 0 && version <= SCHEMA_VERSION, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (DECA_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  /* NOMUTEX: a store is used from one thread, so SQLite's per-call locking is waste. */
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                   _("Could not open store “%s”: %s"), path, _deca_store_explain (self->db, rc));
      return NULL;
    }

  if (!store_configure (self, error) || !store_migrate (self, version, error))
    return NULL;
  self->schema_version = version;

  return g_steal_pointer (&self);
}

/* Returns (transfer none) the path given to deca_store_open(). */
const char *
deca_store_get_path (DecaStore *self)
{
  g_return_val_if_fail (DECA_IS_STORE (self), NULL);

  return self->path;
}

/* Returns the schema version of the open database, which after a successful
 * deca_store_open() is always the number of the last migration this build knows. */
int
deca_store_get_schema_version (DecaStore *self)
{
  g_return_val_if_fail (DECA_IS_STORE (self), 0);

  return self->schema_version;
}

/* See deca-store-private.h. */
sqlite3 *
_deca_store_get_db (DecaStore *self)
{
  return self->db;
}

/* See deca-store-private.h. */
gboolean
_deca_store_in_batch (DecaStore *self)
{
  return self->depth > 0;
}

/* Transactions */

/* Opens a batch. Only the outermost call starts a transaction, and it takes the write
 * lock at once (IMMEDIATE) so a busy database is met here, under the busy timeout,
 * rather than half-way through the batch. Fails with DECA_ENGINE_ERROR_STORE when the
 * lock is not granted in time; the depth is then unchanged. */
gboolean
deca_store_begin (DecaStore  *self,
                  GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);

  if (self->depth > 0)
    {
      self->depth++;
      return TRUE;
    }

  if (!(stmt = store_stmt (self, STMT_BEGIN, error)))
    return FALSE;
  if (store_step_write (self, stmt, N_("begin a transaction"), error) != SQLITE_DONE)
    return FALSE;
  self->depth = 1;
  return TRUE;
}

/* Closes a batch; the outermost call commits. Fails with DECA_ENGINE_ERROR_STATE when
 * no batch is open (for instance because an inner caller rolled it back), and with
 * DECA_ENGINE_ERROR_STORE when the commit fails or SQLite already rolled the
 * transaction back on its own (disk full, I/O error): the batch is lost either way, and
 * the store is left outside any transaction. */
gboolean
deca_store_commit (DecaStore  *self,
                   GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);

  if (self->depth == 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("Cannot commit in store “%s”: no transaction is open "
                   "(it was rolled back or never begun)"), self->path);
      return FALSE;
    }
  if (self->depth > 1)
    {
      self->depth--;
      return TRUE;
    }

  if (sqlite3_get_autocommit (self->db))
    {
      self->depth = 0;
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                   _("Could not commit in store “%s”: SQLite rolled the transaction back "
                   "after an earlier error"), self->path);
      return FALSE;
    }

  /* The queued audit lines join this transaction (still at depth 1, inside the batch).
   * They are taken off the queue whatever happens: a line that cannot be written fails
   * the batch, as any of its rows would, and is not tried again with every later one. */
  if (self->audit_queue->len > 0)
    {
      g_autoptr(GPtrArray) lines = g_steal_pointer (&self->audit_queue);

      self->audit_queue = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_audit_record_free);
      for (guint i = 0; i < lines->len; i++)
        if (!deca_store_append_audit (self, g_ptr_array_index (lines, i), NULL, error))
          {
            deca_store_rollback (self);
            return FALSE;
          }
    }
  self->depth = 0;

  if (!(stmt = store_stmt (self, STMT_COMMIT, error))
      || store_step_write (self, stmt, N_("commit a transaction"), error) != SQLITE_DONE)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

/* Queues @record (transfer full) for the audit log. The line is written by the store's
 * next outermost deca_store_commit(): in a server that is the executor's next checkpoint
 * batch, so the line of an execution's start costs no transaction of its own and is
 * durable together with the execution it records. deca_store_flush_audit() writes the
 * lines no batch took (the caller flushes at idle), and reading or pruning the audit log
 * flushes first. Returns how many lines are queued, for callers that bound the queue. */
guint
deca_store_queue_audit (DecaStore       *self,
                        DecaAuditRecord *record)
{
  g_return_val_if_fail (DECA_IS_STORE (self), 0);
  g_return_val_if_fail (record != NULL && record->actor != NULL && record->action != NULL
                        && record->result != NULL, 0);

  if (record->at == 0)
    record->at = g_get_real_time ();
  g_ptr_array_add (self->audit_queue, record);
  return self->audit_queue->len;
}

GPtrArray *
deca_store_take_audit_queue (DecaStore *self)
{
  GPtrArray *lines;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);

  lines = g_steal_pointer (&self->audit_queue);
  self->audit_queue = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_audit_record_free);
  return lines;
}

/* Writes the queued audit lines now, in a transaction of their own (or the open batch's,
 * at its commit). TRUE when none are queued. Fails with DECA_ENGINE_ERROR_STORE; the
 * lines are then lost. */
gboolean
deca_store_flush_audit (DecaStore  *self,
                        GError    **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);

  if (self->audit_queue->len == 0 || self->depth > 0)
    return TRUE;
  if (!deca_store_begin (self, error))
    {
      g_ptr_array_set_size (self->audit_queue, 0);
      return FALSE;
    }
  return deca_store_commit (self, error);
}

/* Abandons the whole batch, however deeply nested the caller is; a later commit of an
 * outer level then fails with DECA_ENGINE_ERROR_STATE. Does nothing outside a batch. */
void
deca_store_rollback (DecaStore *self)
{
  g_return_if_fail (DECA_IS_STORE (self));

  if (self->depth == 0)
    return;
  self->depth = 0;
  g_hash_table_remove_all (self->pk_cache);
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Flows */

static const char flow_workspace_sql[] =
  "SELECT workspace_id FROM flows WHERE id = ?1";
static const char workspace_exists_sql[] =
  "SELECT 1 FROM workspaces WHERE id = ?1";

/* Inside the caller's transaction: checks that @flow_id may be saved in @workspace_id,
 * i.e. it is a flow of that workspace or no flow yet, and then that the workspace
 * exists. Fails with DECA_ENGINE_ERROR_STATE when another workspace has that flow id
 * (ids are global; the message does not say which workspace),
 * DECA_ENGINE_ERROR_NOT_FOUND for an unknown workspace, DECA_ENGINE_ERROR_STORE. */
static gboolean
store_check_flow_workspace (DecaStore   *self,
                            const char  *workspace_id,
                            const char  *flow_id,
                            GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean other = FALSE;
  int rc;

  if (!(stmt = _deca_store_stmt (self, flow_workspace_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, flow_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      other = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), workspace_id) != 0;
      sqlite3_reset (stmt);
      if (!other)
        return TRUE;
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("Cannot save flow “%s” in workspace “%s”: the flow id is already in use"),
                   flow_id, workspace_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, N_("look up flow “%s”"), flow_id);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);

  if (!(stmt = _deca_store_stmt (self, workspace_exists_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, workspace_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("Workspace “%s” is not in store “%s”"), workspace_id, self->path);
  else if (rc != SQLITE_ROW)
    store_set_error (self, error, N_("look up workspace “%s”"), workspace_id);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

/* deca_store_save_flow() and deca_store_save_workspace_flow(): @workspace_id NULL keeps
 * an existing flow's workspace and puts a new one in DECA_WORKSPACE_LOCAL. */
static gboolean
store_save_flow (DecaStore   *self,
                 const char  *workspace_id,
                 const char  *flow_id,
                 const char  *name,
                 const char  *document,
                 gint64      *out_version,
                 GError     **error)
{
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;
  gint64 latest = 0;
  gint64 now;
  int rc;

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, document, -1);

  if (!deca_store_begin (self, error))
    return FALSE;
  if (workspace_id != NULL && !store_check_flow_workspace (self, workspace_id, flow_id, error))
    goto fail;

  if (!(stmt = store_stmt (self, STMT_FLOW_LATEST, error)))
    goto fail;
  _deca_store_bind_text (stmt, 1, flow_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      latest = sqlite3_column_int64 (stmt, 0);
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), hash) == 0)
        {
          sqlite3_reset (stmt);
          if (out_version)
            *out_version = latest;
          return deca_store_commit (self, error);
        }
    }
  else if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, N_("read the latest version of flow “%s”"), flow_id);
      sqlite3_reset (stmt);
      goto fail;
    }
  sqlite3_reset (stmt);

  now = g_get_real_time ();

  /* The flows row goes first: flow_versions refers to it. */
  if (!(stmt = store_stmt (self, STMT_FLOW_UPSERT, error)))
    goto fail;
  _deca_store_bind_text (stmt, 1, flow_id);
  _deca_store_bind_text (stmt, 2, name);
  sqlite3_bind_int64 (stmt, 3, latest + 1);
  sqlite3_bind_int64 (stmt, 4, now);
  _deca_store_bind_text (stmt, 5, workspace_id);
  if (store_step_write (self, stmt, N_("save flow"), error) != SQLITE_DONE)
    goto fail_constraint;

  if (!(stmt = store_stmt (self, STMT_FLOW_VERSION_INSERT, error)))
    goto fail;
  _deca_store_bind_text (stmt, 1, flow_id);
  sqlite3_bind_int64 (stmt, 2, latest + 1);
  _deca_store_bind_text (stmt, 3, document);
  _deca_store_bind_text (stmt, 4, hash);
  sqlite3_bind_int64 (stmt, 5, now);
  if (store_step_write (self, stmt, N_("save flow version"), error) != SQLITE_DONE)
    goto fail_constraint;

  if (out_version)
    *out_version = latest + 1;
  return deca_store_commit (self, error);

fail_constraint:
  /* Constraint failures leave @error unset in store_step_write(). */
  if (error != NULL && *error == NULL)
    store_set_error (self, error, N_("save version %lld of flow “%s”"),
                     (long long) (latest + 1), flow_id);
fail:
  deca_store_rollback (self);
  return FALSE;
}

/* Stores @document as the newest version of @flow_id unless it equals the latest one
 * (by SHA-256 of the text). @name may be NULL to keep the stored name (or use the id for
 * a new flow). A new flow is in DECA_WORKSPACE_LOCAL, an existing one keeps its
 * workspace. Sets @out_version to the version now holding @document. Fails with
 * DECA_ENGINE_ERROR_STORE. Runs in its own (possibly nested) transaction, so two
 * processes saving the same flow get distinct version numbers. */
gboolean
deca_store_save_flow (DecaStore   *self,
                      const char  *flow_id,
                      const char  *name,
                      const char  *document,
                      gint64      *out_version,
                      GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (document != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return store_save_flow (self, NULL, flow_id, name, document, out_version, error);
}

/* Returns (transfer full) the document of @flow_id at @version, or at its latest version
 * when @version is 0, setting @out_version to the version found. Fails with
 * DECA_ENGINE_ERROR_NOT_FOUND when the flow or the version does not exist, with
 * DECA_ENGINE_ERROR_STORE when SQLite fails. */
char *
deca_store_load_flow (DecaStore   *self,
                      const char  *flow_id,
                      gint64       version,
                      gint64      *out_version,
                      GError     **error)
{
  sqlite3_stmt *stmt;
  char *document = NULL;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (flow_id != NULL, NULL);
  g_return_val_if_fail (version >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = store_stmt (self, version == 0 ? STMT_FLOW_LOAD_LATEST : STMT_FLOW_LOAD_VERSION,
                     error);
  if (stmt == NULL)
    return NULL;
  _deca_store_bind_text (stmt, 1, flow_id);
  if (version != 0)
    sqlite3_bind_int64 (stmt, 2, version);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_version)
        *out_version = sqlite3_column_int64 (stmt, 0);
      document = _deca_store_column_dup (stmt, 1);
    }
  else if (rc == SQLITE_DONE && version == 0)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("Flow “%s” is not in store “%s”"), flow_id, self->path);
  else if (rc == SQLITE_DONE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("There is no version %lld of flow “%s”"), (long long) version, flow_id);
  else
    store_set_error (self, error, N_("load flow “%s”"), flow_id);
  sqlite3_reset (stmt);
  return document;
}

/* Renames @flow_id by saving its latest document, with "name" set to @name, as a new
 * version. Why one transaction around the read and the save: without it a version that
 * another process (a second studio, `deca flows save`) stores between the two would be
 * replaced by a copy of the older one, its edits gone without a trace. Inside it the
 * write lock is held from the read on (BEGIN IMMEDIATE), and any failure rolls back.
 * Sets @out_version to the version holding @name (the latest one when it already had
 * it). Fails with DECA_ENGINE_ERROR_NOT_FOUND, _PARSE (the document is not a JSON
 * object) or _STORE. */
gboolean
deca_store_rename_flow (DecaStore   *self,
                        const char  *flow_id,
                        const char  *name,
                        gint64      *out_version,
                        GError     **error)
{
  g_autofree char *document = NULL;
  g_autofree char *renamed = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) parse_error = NULL;
  JsonObject *object;
  gint64 latest = 0;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!deca_store_begin (self, error))
    return FALSE;
  if (!(document = deca_store_load_flow (self, flow_id, 0, &latest, error)))
    goto fail;
  root = deca_json_parse (document, -1, &parse_error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   _("Cannot rename flow “%s”: its latest version is not a JSON object (%s)"),
                   flow_id, parse_error ? parse_error->message : deca_json_type_name (root));
      goto fail;
    }
  object = json_node_get_object (root);
  if (g_strcmp0 (deca_json_object_get_string (object, "name"), name) == 0)
    {
      /* Written again, the same text indented anew would make a version for nothing. */
      if (out_version)
        *out_version = latest;
      return deca_store_commit (self, error);
    }
  /* Setting an existing member keeps its place in the document. */
  json_object_set_string_member (object, "name", name);
  renamed = deca_json_to_string (root, TRUE);
  if (!deca_store_save_flow (self, flow_id, name, renamed, out_version, error))
    return FALSE;  /* save_flow rolled the whole batch back */
  return deca_store_commit (self, error);

fail:
  deca_store_rollback (self);
  return FALSE;
}

/* Returns (transfer full) the id in column 0 of the current row. */
static gpointer
flow_id_from_row (sqlite3_stmt *stmt)
{
  return _deca_store_column_dup (stmt, 0);
}

/* Returns (transfer full) (element-type utf8) the ids of the stored flows that are not
 * marked deleted, sorted, or NULL with DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_flows (DecaStore  *self,
                       GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = store_stmt (self, STMT_FLOW_LIST, error)))
    return NULL;
  return _deca_store_collect_rows (self, stmt, flow_id_from_row, g_free, error,
                                   N_("list flows"));
}

/* Returns (transfer full) a summary built from the current row of a
 * FLOW_SUMMARY_COLUMNS query. */
static gpointer
flow_summary_from_row (sqlite3_stmt *stmt)
{
  DecaFlowSummary *summary = g_new0 (DecaFlowSummary, 1);

  summary->id = _deca_store_column_dup (stmt, 0);
  summary->name = _deca_store_column_dup (stmt, 1);
  summary->latest_version = sqlite3_column_int64 (stmt, 2);
  summary->created_at = sqlite3_column_int64 (stmt, 3);
  summary->updated_at = sqlite3_column_int64 (stmt, 4);
  summary->document_name = _deca_store_column_dup (stmt, 5);
  summary->workspace_id = _deca_store_column_dup (stmt, 6);
  summary->active = sqlite3_column_int (stmt, 7) != 0;
  return summary;
}

/* Collects every row of the bound @stmt with flow_summary_from_row() and resets it.
 * Returns (transfer full) the summaries, or NULL with DECA_ENGINE_ERROR_STORE. */
static GPtrArray *
collect_flow_summaries (DecaStore    *self,
                        sqlite3_stmt *stmt,
                        GError      **error)
{
  return _deca_store_collect_rows (self, stmt, flow_summary_from_row,
                                   (GDestroyNotify) deca_flow_summary_free, error,
                                   N_("list flows"));
}

/* Returns (transfer full) (element-type DecaFlowSummary) the flows not marked deleted,
 * most recently updated (saved as a new version) first, ties by id; an empty array when
 * there are none, NULL with DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_flow_summaries (DecaStore  *self,
                                GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = store_stmt (self, STMT_FLOW_SUMMARIES, error)))
    return NULL;
  return collect_flow_summaries (self, stmt, error);
}

/* Returns (transfer full) a version built from the current row of STMT_FLOW_VERSIONS. */
static gpointer
flow_version_from_row (sqlite3_stmt *stmt)
{
  DecaFlowVersionInfo *info = g_new0 (DecaFlowVersionInfo, 1);

  info->flow_id = _deca_store_column_dup (stmt, 0);
  info->version = sqlite3_column_int64 (stmt, 1);
  info->name = _deca_store_column_dup (stmt, 2);
  info->created_at = sqlite3_column_int64 (stmt, 3);
  return info;
}

/* Returns (transfer full) (element-type DecaFlowVersionInfo) every version of @flow_id,
 * deleted or not, newest first, with the name its document had (recorded at save
 * time, so no document is read). Fails with DECA_ENGINE_ERROR_NOT_FOUND when the flow
 * does not exist (a stored flow always has a version), DECA_ENGINE_ERROR_STORE when
 * SQLite fails. */
GPtrArray *
deca_store_list_flow_versions (DecaStore   *self,
                               const char  *flow_id,
                               GError     **error)
{
  g_autoptr(GPtrArray) versions = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (flow_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = store_stmt (self, STMT_FLOW_VERSIONS, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, flow_id);
  versions = _deca_store_collect_rows (self, stmt, flow_version_from_row,
                                       (GDestroyNotify) deca_flow_version_info_free, error,
                                       N_("list the versions of flow “%s”"), flow_id);
  if (versions == NULL)
    return NULL;
  if (versions->len == 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                   _("Flow “%s” is not in store “%s”"), flow_id, self->path);
      return NULL;
    }
  return g_steal_pointer (&versions);
}

/* Marks @flow_id deleted (@deleted TRUE: hidden from deca_store_list_flows() and
 * _list_flow_summaries(), its versions kept and still loadable) or not deleted. Marking
 * a deleted flow deleted again keeps the first deletion time. Fails with
 * DECA_ENGINE_ERROR_NOT_FOUND when there is no such flow, DECA_ENGINE_ERROR_STORE when
 * SQLite fails. */
gboolean
deca_store_set_flow_deleted (DecaStore   *self,
                             const char  *flow_id,
                             gboolean     deleted,
                             GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = store_stmt (self, STMT_FLOW_SET_DELETED, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, flow_id);
  sqlite3_bind_int (stmt, 2, deleted ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  if (store_step_write (self, stmt, N_("mark a flow deleted or not"), error) != SQLITE_DONE)
    {
      /* Nothing constrains deleted_at, but a constraint failure leaves @error unset. */
      if (error != NULL && *error == NULL)
        store_set_error (self, error, N_("mark flow “%s” deleted or not"), flow_id);
      return FALSE;
    }
  /* changes() counts the rows the WHERE matched, changed in value or not. */
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                   _("Flow “%s” is not in store “%s”"), flow_id, self->path);
      return FALSE;
    }
  return TRUE;
}

/* Flows within a workspace (the server). Flow ids are global, so these check the
 * workspace of the flow and treat a flow of another workspace as missing. */

static const char workspace_flow_visible_sql[] =
  "SELECT 1 FROM flows WHERE id = ?1 AND workspace_id = ?2 AND deleted_at IS NULL";
static const char workspace_flow_get_sql[] =
  "SELECT " FLOW_SUMMARY_COLUMNS " FROM " FLOW_SUMMARY_FROM
  " WHERE f.id = ?1 AND f.workspace_id = ?2 AND f.deleted_at IS NULL";
static const char workspace_flow_summaries_sql[] =
  "SELECT " FLOW_SUMMARY_COLUMNS " FROM " FLOW_SUMMARY_FROM
  " WHERE f.workspace_id = ?1 AND f.deleted_at IS NULL ORDER BY f.updated_at DESC, f.id";
static const char active_flows_sql[] =
  "SELECT " FLOW_SUMMARY_COLUMNS " FROM " FLOW_SUMMARY_FROM
  " WHERE f.active = 1 AND f.deleted_at IS NULL AND (?1 IS NULL OR f.workspace_id = ?1)"
  " ORDER BY f.workspace_id, f.id";
/* Deleting deactivates too: a deleted flow must stop answering its triggers. */
static const char workspace_flow_set_deleted_sql[] =
  "UPDATE flows SET deleted_at = CASE WHEN ?3 THEN coalesce (deleted_at, ?4) END,"
  " active = CASE WHEN ?3 THEN 0 ELSE active END"
  " WHERE id = ?1 AND workspace_id = ?2";
static const char workspace_flow_set_active_sql[] =
  "UPDATE flows SET active = ?3 WHERE id = ?1 AND workspace_id = ?2 AND deleted_at IS NULL";

static void
set_flow_not_found (DecaStore   *self,
                    const char  *workspace_id,
                    const char  *flow_id,
                    GError     **error)
{
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
               _("Flow “%s” is not in workspace “%s”"), flow_id, workspace_id);
}

/* Checks that @flow_id is a flow of @workspace_id that is not deleted. Fails with
 * DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
static gboolean
store_check_flow_visible (DecaStore   *self,
                          const char  *workspace_id,
                          const char  *flow_id,
                          GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _deca_store_stmt (self, workspace_flow_visible_sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, flow_id);
  _deca_store_bind_text (stmt, 2, workspace_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    set_flow_not_found (self, workspace_id, flow_id, error);
  else if (rc != SQLITE_ROW)
    store_set_error (self, error, N_("look up flow “%s”"), flow_id);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

/* deca_store_save_flow() within @workspace_id: a new flow is created there. Fails with
 * DECA_ENGINE_ERROR_NOT_FOUND when the workspace does not exist, _STATE when the flow id
 * belongs to another workspace (nothing of that flow is read or changed), _STORE. Saving
 * a deleted flow of the workspace stores the version and leaves it deleted, as
 * deca_store_save_flow() does. */
gboolean
deca_store_save_workspace_flow (DecaStore   *self,
                                const char  *workspace_id,
                                const char  *flow_id,
                                const char  *name,
                                const char  *document,
                                gint64      *out_version,
                                GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (document != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return store_save_flow (self, workspace_id, flow_id, name, document, out_version, error);
}

/* deca_store_load_flow() of a flow of @workspace_id that is not deleted; a flow of
 * another workspace, or a deleted one, is DECA_ENGINE_ERROR_NOT_FOUND. The check and
 * the read need no common transaction (and so take no write lock): a flow never changes
 * workspace, and one deleted between them is returned as it was a moment before. */
char *
deca_store_load_workspace_flow (DecaStore   *self,
                                const char  *workspace_id,
                                const char  *flow_id,
                                gint64       version,
                                gint64      *out_version,
                                GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (flow_id != NULL, NULL);
  g_return_val_if_fail (version >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!store_check_flow_visible (self, workspace_id, flow_id, error))
    return NULL;
  return deca_store_load_flow (self, flow_id, version, out_version, error);
}

/* Returns (transfer full) the summary of flow @flow_id of @workspace_id (not deleted),
 * or NULL with DECA_ENGINE_ERROR_NOT_FOUND or _STORE. */
DecaFlowSummary *
deca_store_get_workspace_flow (DecaStore   *self,
                               const char  *workspace_id,
                               const char  *flow_id,
                               GError     **error)
{
  DecaFlowSummary *summary;
  sqlite3_stmt *stmt;
  gboolean none;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (flow_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, workspace_flow_get_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, flow_id);
  _deca_store_bind_text (stmt, 2, workspace_id);
  summary = _deca_store_get_row (self, stmt, flow_summary_from_row, &none, error,
                                 N_("read flow “%s”"), flow_id);
  if (none)
    set_flow_not_found (self, workspace_id, flow_id, error);
  return summary;
}

/* deca_store_list_flow_summaries() of @workspace_id only (an unknown workspace has no
 * flows: an empty array). */
GPtrArray *
deca_store_list_workspace_flow_summaries (DecaStore   *self,
                                          const char  *workspace_id,
                                          GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, workspace_flow_summaries_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  return collect_flow_summaries (self, stmt, error);
}

/* deca_store_list_flow_versions() of a flow of @workspace_id that is not deleted;
 * DECA_ENGINE_ERROR_NOT_FOUND otherwise (checked first, as in
 * deca_store_load_workspace_flow()). */
GPtrArray *
deca_store_list_workspace_flow_versions (DecaStore   *self,
                                         const char  *workspace_id,
                                         const char  *flow_id,
                                         GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (flow_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!store_check_flow_visible (self, workspace_id, flow_id, error))
    return NULL;
  return deca_store_list_flow_versions (self, flow_id, error);
}

/* Runs the UPDATE @sql on flow @flow_id of @workspace_id with ?3 = @flag and ?4 = now;
 * no matching row is DECA_ENGINE_ERROR_NOT_FOUND. */
static gboolean
store_update_workspace_flow (DecaStore   *self,
                             const char  *sql,
                             const char  *workspace_id,
                             const char  *flow_id,
                             gboolean     flag,
                             const char  *what,
                             GError     **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _deca_store_stmt (self, sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, flow_id);
  _deca_store_bind_text (stmt, 2, workspace_id);
  sqlite3_bind_int (stmt, 3, flag ? 1 : 0);
  if (sqlite3_bind_parameter_count (stmt) >= 4)
    sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  if (!_deca_store_write (self, stmt, what, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      set_flow_not_found (self, workspace_id, flow_id, error);
      return FALSE;
    }
  return TRUE;
}

/* deca_store_set_flow_deleted() of a flow of @workspace_id (deleted or not); deleting
 * also deactivates it. DECA_ENGINE_ERROR_NOT_FOUND for a flow of another workspace. */
gboolean
deca_store_set_workspace_flow_deleted (DecaStore   *self,
                                       const char  *workspace_id,
                                       const char  *flow_id,
                                       gboolean     deleted,
                                       GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return store_update_workspace_flow (self, workspace_flow_set_deleted_sql, workspace_id,
                                      flow_id, deleted, N_("mark a flow deleted or not"),
                                      error);
}

/* Activates (@active TRUE: its triggers fire) or deactivates flow @flow_id of
 * @workspace_id. DECA_ENGINE_ERROR_NOT_FOUND for a deleted flow or one of another
 * workspace, _STORE when SQLite fails. */
gboolean
deca_store_set_workspace_flow_active (DecaStore   *self,
                                      const char  *workspace_id,
                                      const char  *flow_id,
                                      gboolean     active,
                                      GError     **error)
{
  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return store_update_workspace_flow (self, workspace_flow_set_active_sql, workspace_id,
                                      flow_id, active, N_("activate or deactivate a flow"),
                                      error);
}

/* Returns (transfer full) (element-type DecaFlowSummary) the active flows that are not
 * deleted, of @workspace_id or, when it is NULL, of every workspace (what the
 * dispatchers load at start), by workspace then id; NULL with DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_active_flows (DecaStore   *self,
                              const char  *workspace_id,
                              GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, active_flows_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  return collect_flow_summaries (self, stmt, error);
}

/* Executions */

static void
store_cache_pk (DecaStore  *self,
                const char *id,
                gint64      pk)
{
  if (g_hash_table_size (self->pk_cache) >= PK_CACHE_MAX)
    g_hash_table_remove_all (self->pk_cache);
  g_hash_table_replace (self->pk_cache, g_strdup (id), GSIZE_TO_POINTER ((gsize) pk));
}

/* Finds the pk of execution @id, from the cache or the table. Fails with
 * DECA_ENGINE_ERROR_NOT_FOUND ("Could not WHAT: execution ... is not in store ...") or
 * DECA_ENGINE_ERROR_STORE. */
static gboolean
store_execution_pk (DecaStore   *self,
                    const char  *id,
                    gint64      *pk,
                    const char  *what,
                    GError     **error)
{
  gpointer cached;
  sqlite3_stmt *stmt;
  int rc;

  if G_LIKELY (g_hash_table_lookup_extended (self->pk_cache, id, NULL, &cached))
    {
      *pk = (gint64) GPOINTER_TO_SIZE (cached);
      return TRUE;
    }
  if (!(stmt = store_stmt (self, STMT_EXECUTION_PK, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *pk = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      store_cache_pk (self, id, *pk);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 /* Translators: %s is an action such as "write a node result" */
                 _("Could not %s: execution “%s” is not in store “%s”"), _(what), id, self->path);
  else
    store_set_error (self, error, N_("look up execution “%s”"), id);
  sqlite3_reset (stmt);
  return FALSE;
}

/* Sets the owner of execution @id to @owner if its owner is @expected (NULL: unowned).
 * Fails with DECA_ENGINE_ERROR_STATE when the owner is something else (another process
 * claimed it first), DECA_ENGINE_ERROR_STORE otherwise. */
gboolean
deca_store_claim_execution (DecaStore   *self,
                            const char  *id,
                            const char  *owner,
                            const char  *expected,
                            GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!(stmt = store_stmt (self, STMT_EXECUTION_CLAIM, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, owner);
  _deca_store_bind_text (stmt, 3, expected);
  rc = store_step_write (self, stmt, N_("claim an execution"), error);
  if (rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        store_set_error (self, error, N_("claim execution “%s”"), id);
      return FALSE;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("Execution “%s” is run by another process"), id);
      return FALSE;
    }
  return TRUE;
}

/* Inserts @record. A created_at of 0 is stored as the current time, since the listing
 * order depends on it. Fails with DECA_ENGINE_ERROR_STATE when an execution with that id
 * exists, DECA_ENGINE_ERROR_STORE otherwise. */
gboolean
deca_store_insert_execution (DecaStore                 *self,
                             const DecaExecutionRecord *record,
                             GError                   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (record->id != NULL, FALSE);
  g_return_val_if_fail (record->flow_id != NULL, FALSE);
  g_return_val_if_fail (record->status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = store_stmt (self, STMT_EXECUTION_INSERT, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, record->id);
  _deca_store_bind_text (stmt, 2, record->flow_id);
  sqlite3_bind_int64 (stmt, 3, record->flow_version);
  _deca_store_bind_text (stmt, 4, record->parent_id);
  _deca_store_bind_text (stmt, 5, record->parent_node);
  _deca_store_bind_text (stmt, 6, record->status);
  _deca_store_bind_text (stmt, 7, record->input);
  _deca_store_bind_text (stmt, 8, record->output);
  _deca_store_bind_text (stmt, 9, record->error);
  _deca_store_bind_text (stmt, 10, record->trigger);
  sqlite3_bind_int64 (stmt, 11, record->created_at ? record->created_at : g_get_real_time ());
  sqlite3_bind_int64 (stmt, 12, record->started_at);
  sqlite3_bind_int64 (stmt, 13, record->finished_at);
  _deca_store_bind_text (stmt, 14, record->owner);
  _deca_store_bind_text (stmt, 15, record->workspace_id);

  rc = store_step_write (self, stmt, N_("insert an execution"), error);
  if G_LIKELY (rc == SQLITE_DONE)
    {
      store_cache_pk (self, record->id, sqlite3_last_insert_rowid (self->db));
      return TRUE;
    }
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                 _("Execution “%s” already exists in store “%s”"), record->id, self->path);
  else if ((rc & 0xff) == SQLITE_CONSTRAINT)
    store_set_error (self, error, N_("insert execution “%s”"), record->id);
  return FALSE;
}

/* Writes status, output, error, started_at and finished_at of execution @record->id;
 * the other fields of @record are ignored. Fails with DECA_ENGINE_ERROR_NOT_FOUND when
 * there is no such execution, DECA_ENGINE_ERROR_STORE otherwise. */
gboolean
deca_store_update_execution (DecaStore                 *self,
                             const DecaExecutionRecord *record,
                             GError                   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (record->id != NULL, FALSE);
  g_return_val_if_fail (record->status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = store_stmt (self, STMT_EXECUTION_UPDATE, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, record->id);
  _deca_store_bind_text (stmt, 2, record->status);
  _deca_store_bind_text (stmt, 3, record->output);
  _deca_store_bind_text (stmt, 4, record->error);
  sqlite3_bind_int64 (stmt, 5, record->started_at);
  sqlite3_bind_int64 (stmt, 6, record->finished_at);
  _deca_store_bind_text (stmt, 7, record->owner);

  rc = store_step_write (self, stmt, N_("update an execution"), error);
  if (rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        store_set_error (self, error, N_("update execution “%s”"), record->id);
      return FALSE;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                   _("Execution “%s” is not in store “%s”"), record->id, self->path);
      return FALSE;
    }
  return TRUE;
}

/* Returns (transfer full) a record built from the current row of an EXECUTION_COLUMNS
 * query. */
static gpointer
execution_from_row (sqlite3_stmt *stmt)
{
  DecaExecutionRecord *record = g_new0 (DecaExecutionRecord, 1);

  record->id = _deca_store_column_dup (stmt, 0);
  record->flow_id = _deca_store_column_dup (stmt, 1);
  record->flow_version = sqlite3_column_int64 (stmt, 2);
  record->parent_id = _deca_store_column_dup (stmt, 3);
  record->parent_node = _deca_store_column_dup (stmt, 4);
  record->status = _deca_store_column_dup (stmt, 5);
  record->input = _deca_store_column_dup (stmt, 6);
  record->output = _deca_store_column_dup (stmt, 7);
  record->error = _deca_store_column_dup (stmt, 8);
  record->trigger = _deca_store_column_dup (stmt, 9);
  record->created_at = sqlite3_column_int64 (stmt, 10);
  record->started_at = sqlite3_column_int64 (stmt, 11);
  record->finished_at = sqlite3_column_int64 (stmt, 12);
  record->owner = _deca_store_column_dup (stmt, 13);
  record->workspace_id = _deca_store_column_dup (stmt, 14);
  return record;
}

/* Collects every row of the bound @stmt with execution_from_row() and resets it.
 * Returns (transfer full) the records, or NULL with DECA_ENGINE_ERROR_STORE. */
static GPtrArray *
collect_executions (DecaStore    *self,
                    sqlite3_stmt *stmt,
                    GError      **error)
{
  return _deca_store_collect_rows (self, stmt, execution_from_row,
                                   (GDestroyNotify) deca_execution_record_free, error,
                                   N_("list executions"));
}

/* Returns (transfer full) execution @id, or NULL with DECA_ENGINE_ERROR_NOT_FOUND when
 * it does not exist, DECA_ENGINE_ERROR_STORE when SQLite fails. */
DecaExecutionRecord *
deca_store_get_execution (DecaStore   *self,
                          const char  *id,
                          GError     **error)
{
  DecaExecutionRecord *record;
  sqlite3_stmt *stmt;
  gboolean none;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = store_stmt (self, STMT_EXECUTION_GET, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, id);
  record = _deca_store_get_row (self, stmt, execution_from_row, &none, error,
                                N_("read execution “%s”"), id);
  if (none)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("Execution “%s” is not in store “%s”"), id, self->path);
  return record;
}

/* Returns (transfer full) up to @limit executions (0 = no limit), newest first by
 * created_at then by insertion, only those with @status when it is not NULL. Fails with
 * DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_executions (DecaStore   *self,
                            const char  *status,
                            guint        limit,
                            GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Two statements rather than "status = ?2 OR ?2 IS NULL", which would keep SQLite from
   * using the (status, created_at) index. */
  stmt = store_stmt (self, status ? STMT_EXECUTION_LIST_STATUS : STMT_EXECUTION_LIST, error);
  if (stmt == NULL)
    return NULL;
  /* A negative LIMIT means none in SQLite. */
  sqlite3_bind_int64 (stmt, 1, limit > 0 ? (gint64) limit : -1);
  if (status)
    _deca_store_bind_text (stmt, 2, status);
  return collect_executions (self, stmt, error);
}

/* Returns (transfer full) the executions with status running or pending, oldest first:
 * the work a crashed process left behind. Fails with DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_unfinished_executions (DecaStore  *self,
                                       GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = store_stmt (self, STMT_EXECUTION_LIST_UNFINISHED, error)))
    return NULL;
  return collect_executions (self, stmt, error);
}

/* Executions within a workspace (the server) */

static const char workspace_execution_get_sql[] =
  "SELECT " EXECUTION_COLUMNS " FROM executions WHERE id = ?1 AND workspace_id = ?2";
/* The (workspace_id, created_at) index, which ends in the rowid, serves the order; the
 * page starts after the row (created_at, pk) of @after_id, compared as a pair. */
static const char workspace_executions_sql[] =
  "SELECT " EXECUTION_COLUMNS " FROM executions WHERE workspace_id = ?1"
  " AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR flow_id = ?3)"
  " AND (?6 IS NULL OR json_extract (\"trigger\", '$.type') = ?6)"
  " AND (?4 IS NULL OR (created_at, pk) <"
  "      (SELECT created_at, pk FROM executions WHERE id = ?4 AND workspace_id = ?1))"
  " ORDER BY created_at DESC, pk DESC LIMIT ?5";

/* Returns (transfer full) execution @id if it is one of @workspace_id, else NULL with
 * DECA_ENGINE_ERROR_NOT_FOUND (also for an execution of another workspace), _STORE. */
DecaExecutionRecord *
deca_store_get_workspace_execution (DecaStore   *self,
                                    const char  *workspace_id,
                                    const char  *id,
                                    GError     **error)
{
  DecaExecutionRecord *record;
  sqlite3_stmt *stmt;
  gboolean none;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, workspace_execution_get_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, id);
  _deca_store_bind_text (stmt, 2, workspace_id);
  record = _deca_store_get_row (self, stmt, execution_from_row, &none, error,
                                N_("read execution “%s”"), id);
  if (none)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 _("Execution “%s” is not in workspace “%s”"), id, workspace_id);
  return record;
}

/* Returns (transfer full) a page of the executions of @workspace_id (see the header),
 * or NULL with DECA_ENGINE_ERROR_NOT_FOUND (an @after_id that is not an execution of
 * the workspace) or _STORE. */
GPtrArray *
deca_store_list_workspace_executions (DecaStore   *self,
                                      const char  *workspace_id,
                                      const char  *status,
                                      const char  *flow_id,
                                      const char  *trigger_type,
                                      const char  *after_id,
                                      guint        limit,
                                      GError     **error)
{
  g_autoptr(GPtrArray) page = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _deca_store_stmt (self, workspace_executions_sql, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, workspace_id);
  _deca_store_bind_text (stmt, 2, status);
  _deca_store_bind_text (stmt, 3, flow_id);
  _deca_store_bind_text (stmt, 4, after_id);
  sqlite3_bind_int64 (stmt, 5, limit > 0 ? (gint64) limit : -1);
  _deca_store_bind_text (stmt, 6, trigger_type);
  if (!(page = collect_executions (self, stmt, error)))
    return NULL;

  /* An unknown cursor compares with NULL and gives an empty page; only then is it worth
   * reading the cursor, to tell that apart from the end of the list. */
  if (page->len == 0 && after_id != NULL)
    {
      g_autoptr(DecaExecutionRecord) after =
        deca_store_get_workspace_execution (self, workspace_id, after_id, error);

      if (after == NULL)
        return NULL;
    }
  return g_steal_pointer (&page);
}

/* Retention */

#define FINISHED_STATUSES \
  "('" DECA_STATUS_SUCCEEDED "', '" DECA_STATUS_FAILED "', '" DECA_STATUS_CANCELLED "')"

/* Deleting an execution deletes its node results, events and approvals with it: their
 * foreign keys cascade (foreign_keys is on for every store connection). An execution
 * without a finish time counts by its creation time. */
static const char prune_executions_age_sql[] =
  "DELETE FROM executions WHERE status IN " FINISHED_STATUSES
  " AND (?1 IS NULL OR workspace_id = ?1)"
  " AND CASE WHEN finished_at > 0 THEN finished_at ELSE created_at END < ?2";
static const char prune_executions_count_sql[] =
  "DELETE FROM executions WHERE pk IN (SELECT pk FROM"
  " (SELECT pk, row_number () OVER"
  "   (PARTITION BY workspace_id ORDER BY created_at DESC, pk DESC) AS n"
  "  FROM executions WHERE status IN " FINISHED_STATUSES
  "  AND (?1 IS NULL OR workspace_id = ?1))"
  " WHERE n > ?2)";

/* Runs one of the prune statements; adds the executions it deleted to @deleted. */
static gboolean
store_prune_step (DecaStore   *self,
                  const char  *sql,
                  const char  *workspace_id,
                  gint64       value,
                  guint       *deleted,
                  GError     **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _deca_store_stmt (self, sql, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int64 (stmt, 2, value);
  if (store_step_write (self, stmt, N_("prune executions"), error) != SQLITE_DONE)
    {
      if (error != NULL && *error == NULL)
        store_set_error (self, error, N_("prune executions"));
      return FALSE;
    }
  /* changes() counts the rows of the statement itself, not the cascaded ones. */
  *deleted += (guint) sqlite3_changes (self->db);
  return TRUE;
}

/* Prunes finished executions by age and by count (see deca-store-server.h), both in one
 * (possibly nested) transaction: other connections see all of it or none, and an
 * execution never loses its results without going itself. Fails with
 * DECA_ENGINE_ERROR_STORE; then nothing is deleted. */
gboolean
deca_store_prune_executions (DecaStore   *self,
                             const char  *workspace_id,
                             gint64       finished_before,
                             guint        keep,
                             guint       *out_deleted,
                             GError     **error)
{
  guint deleted = 0;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_deleted)
    *out_deleted = 0;
  if (!deca_store_begin (self, error))
    return FALSE;
  if ((finished_before > 0
       && !store_prune_step (self, prune_executions_age_sql, workspace_id, finished_before,
                             &deleted, error))
      || (keep > 0
          && !store_prune_step (self, prune_executions_count_sql, workspace_id, keep,
                                &deleted, error)))
    {
      deca_store_rollback (self);
      return FALSE;
    }
  /* A deleted execution's pk may be handed out again (pk is a plain rowid). */
  g_hash_table_remove_all (self->pk_cache);
  if (!deca_store_commit (self, error))
    return FALSE;
  if (out_deleted)
    *out_deleted = deleted;
  return TRUE;
}

/* Node results */

/* Sets @error for a constraint failure @rc of a write about @execution_id: a missing
 * execution is DECA_ENGINE_ERROR_NOT_FOUND, anything else DECA_ENGINE_ERROR_STORE
 * describing @what. A missing execution shows up as a foreign-key failure, or, where the
 * statement looks up executions.pk by id, as a NULL execution_pk (NOT NULL failure): the
 * callers guard every other NOT NULL column with g_return_val_if_fail(). */
static void
set_child_constraint_error (DecaStore   *self,
                            int          rc,
                            const char  *execution_id,
                            const char  *what,
                            GError     **error)
{
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY || rc == SQLITE_CONSTRAINT_NOTNULL)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                 /* Translators: %s is an action such as "write a node result" */
                 _("Could not %s: execution “%s” is not in store “%s”"),
                 what, execution_id, self->path);
  else
    store_set_error (self, error, "%s", what);
}

/* Writes the result of node @record->node_key in execution @record->execution_id,
 * replacing an earlier result of the same key while keeping its place in the write
 * order. This is the executor's hot path: no allocation on success. Fails with
 * DECA_ENGINE_ERROR_NOT_FOUND when the execution does not exist,
 * DECA_ENGINE_ERROR_STORE otherwise. */
gboolean
deca_store_put_node_result (DecaStore                  *self,
                            const DecaNodeResultRecord *record,
                            GError                    **error)
{
  sqlite3_stmt *stmt;
  gint64 pk;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (record->execution_id != NULL, FALSE);
  g_return_val_if_fail (record->node_key != NULL, FALSE);
  g_return_val_if_fail (record->node_id != NULL, FALSE);
  g_return_val_if_fail (record->status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if G_UNLIKELY (!store_execution_pk (self, record->execution_id, &pk, N_("write a node result"), error))
    return FALSE;
  if G_UNLIKELY (!(stmt = store_stmt (self, STMT_NODE_RESULT_PUT, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, pk);
  _deca_store_bind_text (stmt, 2, record->node_key);
  _deca_store_bind_text (stmt, 3, record->node_id);
  _deca_store_bind_text (stmt, 4, record->status);
  _deca_store_bind_text (stmt, 5, record->port);
  _deca_store_bind_text (stmt, 6, record->input);
  _deca_store_bind_text (stmt, 7, record->output);
  _deca_store_bind_text (stmt, 8, record->error);
  sqlite3_bind_int (stmt, 9, record->attempts);
  sqlite3_bind_int64 (stmt, 10, record->started_at);
  sqlite3_bind_int64 (stmt, 11, record->finished_at);
  sqlite3_bind_int64 (stmt, 12, record->event_seq);

  rc = store_step_write (self, stmt, N_("write a node result"), error);
  if G_LIKELY (rc == SQLITE_DONE)
    return TRUE;
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_autofree char *what = g_strdup_printf (_("write the result of node “%s”"),
                                               record->node_key);
      set_child_constraint_error (self, rc, record->execution_id, what, error);
    }
  return FALSE;
}

/* Returns (transfer full) the node results of @execution_id in the order they were
 * first written (an empty array when there are none), or NULL with
 * DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_node_results (DecaStore   *self,
                              const char  *execution_id,
                              GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (execution_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = store_stmt (self, STMT_NODE_RESULT_LIST, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, execution_id);
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_node_result_record_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      DecaNodeResultRecord *record = g_new0 (DecaNodeResultRecord, 1);

      record->execution_id = _deca_store_column_dup (stmt, 0);
      record->node_key = _deca_store_column_dup (stmt, 1);
      record->node_id = _deca_store_column_dup (stmt, 2);
      record->status = _deca_store_column_dup (stmt, 3);
      record->port = _deca_store_column_dup (stmt, 4);
      record->input = _deca_store_column_dup (stmt, 5);
      record->output = _deca_store_column_dup (stmt, 6);
      record->error = _deca_store_column_dup (stmt, 7);
      record->attempts = sqlite3_column_int (stmt, 8);
      record->started_at = sqlite3_column_int64 (stmt, 9);
      record->finished_at = sqlite3_column_int64 (stmt, 10);
      record->event_seq = sqlite3_column_int64 (stmt, 11);
      g_ptr_array_add (records, record);
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, N_("list the node results of execution “%s”"),
                       execution_id);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&records);
}

/* Events */

/* Appends event @record->seq of @record->execution_id. Events are never replaced: a seq
 * that is already stored fails with DECA_ENGINE_ERROR_STATE (the caller's numbering went
 * wrong, for instance after a resume that did not read the last seq), a missing
 * execution with DECA_ENGINE_ERROR_NOT_FOUND, anything else with
 * DECA_ENGINE_ERROR_STORE. Hot path: no allocation on success. */
gboolean
deca_store_append_event (DecaStore             *self,
                         const DecaEventRecord *record,
                         GError               **error)
{
  sqlite3_stmt *stmt;
  gint64 pk;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (record->execution_id != NULL, FALSE);
  g_return_val_if_fail (record->type != NULL, FALSE);
  g_return_val_if_fail (record->payload != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if G_UNLIKELY (!store_execution_pk (self, record->execution_id, &pk, N_("append an event"), error))
    return FALSE;
  if G_UNLIKELY (!(stmt = store_stmt (self, STMT_EVENT_APPEND, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, pk);
  sqlite3_bind_int64 (stmt, 2, record->seq);
  _deca_store_bind_text (stmt, 3, record->type);
  sqlite3_bind_int64 (stmt, 4, record->time);
  _deca_store_bind_text (stmt, 5, record->payload);

  rc = store_step_write (self, stmt, N_("append an event"), error);
  if G_LIKELY (rc == SQLITE_DONE)
    return TRUE;
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                 _("Event %lld of execution “%s” is already in store “%s”"),
                 (long long) record->seq, record->execution_id, self->path);
  else if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_autofree char *what = g_strdup_printf (_("append event %lld"),
                                               (long long) record->seq);
      set_child_constraint_error (self, rc, record->execution_id, what, error);
    }
  return FALSE;
}

/* Returns (transfer full) the events of @execution_id with seq > @after_seq in seq
 * order (an empty array when there are none), or NULL with DECA_ENGINE_ERROR_STORE. */
GPtrArray *
deca_store_list_events (DecaStore   *self,
                        const char  *execution_id,
                        gint64       after_seq,
                        GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (execution_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = store_stmt (self, STMT_EVENT_LIST, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, execution_id);
  sqlite3_bind_int64 (stmt, 2, after_seq);
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_event_record_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      DecaEventRecord *record = g_new0 (DecaEventRecord, 1);

      record->execution_id = _deca_store_column_dup (stmt, 0);
      record->seq = sqlite3_column_int64 (stmt, 1);
      record->type = _deca_store_column_dup (stmt, 2);
      record->time = sqlite3_column_int64 (stmt, 3);
      record->payload = _deca_store_column_dup (stmt, 4);
      g_ptr_array_add (records, record);
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (self, error, N_("list the events of execution “%s”"), execution_id);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&records);
}

/* Approvals */

/* Records the decision @record on approval node @record->node_key. The first decision
 * wins: when one is already stored (perhaps written a moment ago by another process)
 * this fails with DECA_ENGINE_ERROR_STATE; the check and the write are one INSERT, so
 * two deciders cannot both succeed. A missing execution fails with
 * DECA_ENGINE_ERROR_NOT_FOUND, anything else with DECA_ENGINE_ERROR_STORE. A
 * decided_at of 0 is stored as the current time. */
gboolean
deca_store_put_approval (DecaStore                *self,
                         const DecaApprovalRecord *record,
                         GError                  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (record->execution_id != NULL, FALSE);
  g_return_val_if_fail (record->node_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(stmt = store_stmt (self, STMT_APPROVAL_PUT, error)))
    return FALSE;
  _deca_store_bind_text (stmt, 1, record->execution_id);
  _deca_store_bind_text (stmt, 2, record->node_key);
  sqlite3_bind_int (stmt, 3, record->approved ? 1 : 0);
  _deca_store_bind_text (stmt, 4, record->comment);
  _deca_store_bind_text (stmt, 5, record->decided_by);
  sqlite3_bind_int64 (stmt, 6, record->decided_at ? record->decided_at : g_get_real_time ());

  rc = store_step_write (self, stmt, N_("record an approval"), error);
  if G_LIKELY (rc == SQLITE_DONE)
    return TRUE;
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                 _("Approval “%s” of execution “%s” has already been decided"),
                 record->node_key, record->execution_id);
  else if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_autofree char *what = g_strdup_printf (_("record the decision on approval “%s”"),
                                               record->node_key);
      set_child_constraint_error (self, rc, record->execution_id, what, error);
    }
  return FALSE;
}

/* Returns (transfer full) (nullable) the decision on approval @node_key of
 * @execution_id; NULL without @error set when nobody has decided yet, NULL with
 * DECA_ENGINE_ERROR_STORE when SQLite fails. */
DecaApprovalRecord *
deca_store_get_approval (DecaStore   *self,
                         const char  *execution_id,
                         const char  *node_key,
                         GError     **error)
{
  DecaApprovalRecord *record = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (DECA_IS_STORE (self), NULL);
  g_return_val_if_fail (execution_id != NULL, NULL);
  g_return_val_if_fail (node_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = store_stmt (self, STMT_APPROVAL_GET, error)))
    return NULL;
  _deca_store_bind_text (stmt, 1, execution_id);
  _deca_store_bind_text (stmt, 2, node_key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      record = g_new0 (DecaApprovalRecord, 1);
      record->execution_id = _deca_store_column_dup (stmt, 0);
      record->node_key = _deca_store_column_dup (stmt, 1);
      record->approved = sqlite3_column_int (stmt, 2) != 0;
      record->comment = _deca_store_column_dup (stmt, 3);
      record->decided_by = _deca_store_column_dup (stmt, 4);
      record->decided_at = sqlite3_column_int64 (stmt, 5);
    }
  else if (rc != SQLITE_DONE)
    store_set_error (self, error, N_("read approval “%s” of execution “%s”"),
                     node_key, execution_id);
  sqlite3_reset (stmt);
  return record;
}
