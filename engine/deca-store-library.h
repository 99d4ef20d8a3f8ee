#pragma once

/* deca-store-library.h: the agents, prompts and functions of a workspace in DecaStore
 * (schema version 6, docs/storage.md "Library tables"; what the documents hold is
 * docs/library.md). One set of functions serves the three kinds (DecaLibraryKind), each
 * in tables of its own.
 *
 * Each item has immutable versions, like a flow: saving stores a new version unless the
 * content is that of the latest one. Items belong to one workspace and ids are unique
 * within it (two workspaces may both have an agent "persona-generator"); an item of
 * another workspace is DECA_ENGINE_ERROR_NOT_FOUND, exactly as one that does not exist.
 * Deleting is soft: the item is hidden (NOT_FOUND for every function but a list that asks
 * for deleted items), its versions are kept, and saving under its id again brings it back.
 *
 * Every item carries a revision for sync (DESIGN.md, "Sync"): 1 when created, one more
 * with every change the item sees (a new version, a delete, a restore), never moving on
 * a save that changes nothing.
 *
 * Same rules as deca-store.h: used from the thread that opened the store; failures are
 * DECA_ENGINE_ERROR_STORE (SQLite failed), _NOT_FOUND, _STATE (an expected version that is
 * not the latest one, an id that exists); each change is one transaction, nested in the
 * caller's batch when one is open. Times are µs since the epoch. */

#include "deca-library.h"
#include "deca-store.h"

G_BEGIN_DECLS

/* @expected_version of deca_store_save_library_item(): whatever the latest is (0), or
 * that the item must not exist yet (a deleted one may be brought back). */
#define DECA_LIBRARY_ANY_VERSION  ((gint64) 0)
#define DECA_LIBRARY_NEW_ITEM     ((gint64) -1)

/**
 * DecaLibraryItem: one agent, prompt or function, without its document.
 * @name: the latest version's name
 * @latest_version: the number of its latest version (1, 2, ...)
 * @revision: the sync revision (see above)
 * @deleted: whether it is deleted (only lists that ask for them return deleted items)
 * @updated_at: when the last change (a version, a delete, a restore) was made
 */
typedef struct {
  DecaLibraryKind kind;
  char     *workspace_id;
  char     *id;
  char     *name;
  gint64    latest_version;
  gint64    revision;
  gboolean  deleted;
  gint64    created_at;
  gint64    updated_at;
} DecaLibraryItem;

/* One immutable version of an item: its number, its name then, when it was saved. */
typedef struct {
  gint64  version;
  char   *name;
  gint64  created_at;
} DecaLibraryVersionInfo;

void deca_library_item_free         (DecaLibraryItem        *item);
void deca_library_version_info_free (DecaLibraryVersionInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaLibraryItem, deca_library_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaLibraryVersionInfo, deca_library_version_info_free)

/* Saves @document (JSON text, stored as given; the caller validates it) as the newest
 * version of item @id of @kind in @workspace_id, named @name. Content equal to the latest
 * version's (by SHA-256) writes nothing and gives that version; otherwise version latest
 * + 1 (1 for a new item) is stored. @expected_version: DECA_LIBRARY_ANY_VERSION,
 * DECA_LIBRARY_NEW_ITEM (DECA_ENGINE_ERROR_STATE when the item exists and is not
 * deleted), or a version number that must be the latest (_STATE when it is not,
 * _NOT_FOUND when there is no such item or it is deleted). Saving a deleted item (with
 * ANY or NEW) brings it back. _NOT_FOUND for a workspace that does not exist.
 * @out_version (nullable) receives the version the document is now. */
gboolean    deca_store_save_library_item     (DecaStore        *self,
                                              DecaLibraryKind   kind,
                                              const char       *workspace_id,
                                              const char       *id,
                                              const char       *name,
                                              const char       *document,
                                              gint64            expected_version,
                                              gint64           *out_version,
                                              GError          **error);
/* Returns (transfer full) item @id of @workspace_id, or NULL with _NOT_FOUND (deleted,
 * or not in that workspace). */
DecaLibraryItem *deca_store_get_library_item (DecaStore        *self,
                                              DecaLibraryKind   kind,
                                              const char       *workspace_id,
                                              const char       *id,
                                              GError          **error);
/* Returns (transfer full) the document of version @version (0: the latest) of item @id,
 * or NULL with _NOT_FOUND (no such item, deleted, or no such version). @out_version
 * (nullable) receives the version loaded. */
char       *deca_store_load_library_document (DecaStore        *self,
                                              DecaLibraryKind   kind,
                                              const char       *workspace_id,
                                              const char       *id,
                                              gint64            version,
                                              gint64           *out_version,
                                              GError          **error);
/* Returns (transfer full) (element-type DecaLibraryItem) up to @limit (0: no limit) items
 * of @kind in @workspace_id by id, only those with an id after @after_id when it is not
 * NULL (the last id of the previous page), only those whose name contains @name_filter
 * (ASCII case-insensitive) when it is not NULL, and deleted ones only with
 * @include_deleted (sync needs to see them go). */
GPtrArray  *deca_store_list_library_items    (DecaStore        *self,
                                              DecaLibraryKind   kind,
                                              const char       *workspace_id,
                                              const char       *name_filter,
                                              const char       *after_id,
                                              guint             limit,
                                              gboolean          include_deleted,
                                              GError          **error);
/* Returns (transfer full) (element-type DecaLibraryVersionInfo) every version of item @id,
 * newest first; NULL with _NOT_FOUND for an item that does not exist or is deleted. */
GPtrArray  *deca_store_list_library_versions (DecaStore        *self,
                                              DecaLibraryKind   kind,
                                              const char       *workspace_id,
                                              const char       *id,
                                              GError          **error);
/* Deletes item @id (softly: see above), if its latest version is @expected_version
 * (DECA_LIBRARY_ANY_VERSION: whatever it is; _STATE otherwise). _NOT_FOUND when there is
 * no such item or it is deleted already. */
gboolean    deca_store_delete_library_item   (DecaStore        *self,
                                              DecaLibraryKind   kind,
                                              const char       *workspace_id,
                                              const char       *id,
                                              gint64            expected_version,
                                              GError          **error);

/* For imports, which must report every conflict before writing anything: whether flow
 * @flow_id is stored at all and, when it is, its workspace (transfer full, into
 * @out_workspace_id, nullable) and whether it is deleted. Flow ids are global, so a flow
 * of another workspace blocks the id. FALSE only with DECA_ENGINE_ERROR_STORE. */
gboolean    deca_store_find_flow_owner       (DecaStore        *self,
                                              const char       *flow_id,
                                              gboolean         *out_exists,
                                              char            **out_workspace_id,
                                              gboolean         *out_deleted,
                                              GError          **error);

G_END_DECLS
