#pragma once

/* deca-workspace-bundle.h: a workspace as one JSON document, for export and import
 * (docs/server.md, "Export and import"): the latest version of each flow, agent, prompt
 * and function, and the credentials' names and types (never a secret). The server's
 * routes (server/deca-api-transfer.c) and the CLI (`deca export`, `deca import`) both use
 * it, so it lives in the engine: it needs only the store and the validators. */

#include "deca-library.h"
#include "deca-node-registry.h"
#include "deca-store.h"

G_BEGIN_DECLS

/* The "format" and "version" members of a bundle this build writes and reads. */
#define DECA_WORKSPACE_BUNDLE_FORMAT  "deca-workspace"
#define DECA_WORKSPACE_BUNDLE_VERSION 1

/**
 * DecaBundleImportMode:
 * @DECA_BUNDLE_IMPORT_MERGE: add what the workspace does not have; an object it has with
 *   the same content is left as it is, one with other content is a conflict
 * @DECA_BUNDLE_IMPORT_REPLACE: the workspace's flows and library become the bundle's:
 *   objects it has get the bundle's content (a new version when it differs), objects the
 *   bundle does not have are deleted (softly: their versions stay)
 */
typedef enum {
  DECA_BUNDLE_IMPORT_MERGE,
  DECA_BUNDLE_IMPORT_REPLACE,
} DecaBundleImportMode;

/* The sections of a bundle that hold objects, in the order they are written. */
typedef enum {
  DECA_BUNDLE_FLOWS,
  DECA_BUNDLE_AGENTS,
  DECA_BUNDLE_PROMPTS,
  DECA_BUNDLE_FUNCTIONS,
  DECA_BUNDLE_N_SECTIONS,
} DecaBundleSection;

/* One object the import cannot write without losing something: @pointer is the entry in
 * the bundle ("/flows/0"), @section and @id say which object, @message why. */
typedef struct {
  char *pointer;
  DecaBundleSection section;
  char *id;
  char *message;
} DecaBundleConflict;

/* A flow the import changed, for whoever follows flows (the server's dispatchers):
 * @version is the version it is at now, 0 for a flow the import deleted; @was_active
 * whether it was active before. */
typedef struct {
  char *id;
  gint64 version;
  gboolean was_active;
} DecaBundleFlowChange;

/**
 * DecaBundleImportReport: what an import did, or why it did nothing.
 * @created, @updated, @unchanged, @deleted: counts per section
 * @missing_credentials: (element-type utf8) names of the bundle's credentials the
 *   workspace does not have (their secrets never travel: set them before running)
 * @problems: (element-type DecaValidationProblem) why the bundle is not valid, each with
 *   its pointer into the bundle; empty unless the import failed with _INVALID
 * @conflicts: (element-type DecaBundleConflict) empty unless it failed with _STATE
 * @flow_changes: (element-type DecaBundleFlowChange) flows saved or deleted
 */
typedef struct {
  guint created[DECA_BUNDLE_N_SECTIONS];
  guint updated[DECA_BUNDLE_N_SECTIONS];
  guint unchanged[DECA_BUNDLE_N_SECTIONS];
  guint deleted[DECA_BUNDLE_N_SECTIONS];
  GPtrArray *missing_credentials;
  GPtrArray *problems;
  GPtrArray *conflicts;
  GPtrArray *flow_changes;
} DecaBundleImportReport;

DecaBundleImportReport *deca_bundle_import_report_new  (void);
void                    deca_bundle_import_report_free (DecaBundleImportReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaBundleImportReport, deca_bundle_import_report_free)

/* The section's member name in a bundle ("flows", "agents", ...). */
const char *deca_bundle_section_name      (DecaBundleSection  section);
/* Parses "merge" or "replace". FALSE for anything else. */
gboolean    deca_bundle_import_mode_from_string (const char           *name,
                                                 DecaBundleImportMode *out_mode);

/* Returns (transfer full) the bundle of @workspace_id: {"format", "version",
 * "exported_at", "workspace": {"id", "name"}, "flows": [{"id", "name", "active",
 * "document"}], "agents", "prompts", "functions": [{"id", "name", "document"}],
 * "credentials": [{"name", "type"}]}, each list by id (credentials by name), deleted
 * objects left out. The reads share one transaction, so the bundle is the workspace of
 * one moment. NULL with DECA_ENGINE_ERROR_NOT_FOUND for a workspace that does not
 * exist, _STORE. */
JsonNode   *deca_workspace_bundle_export  (DecaStore           *store,
                                           const char          *workspace_id,
                                           GError             **error);

/* Imports @bundle into @workspace_id (which may be another workspace than the one it
 * came from) by @mode. Everything is checked first: the bundle's shape, every flow
 * (against @registry's node types) and every library document, ids given twice; then,
 * inside one transaction, every conflict (in both modes, a flow id another workspace
 * holds, since flow ids are global; in merge mode an object the workspace has with other
 * content). Only when nothing is wrong is anything written, all in that transaction.
 * Flows come in inactive (activating is a decision of its own); flows the workspace has
 * keep their state. The workspace's name is not changed.
 *
 * Returns TRUE with @report filled. FALSE with DECA_ENGINE_ERROR_INVALID (report->problems
 * says why), _STATE (report->conflicts), _NOT_FOUND (no such workspace) or _STORE; then
 * nothing was written. @report (out, transfer full, nullable) is set in every case but
 * bad arguments. */
gboolean    deca_workspace_bundle_import  (DecaStore               *store,
                                           const char              *workspace_id,
                                           JsonNode                *bundle,
                                           DecaBundleImportMode     mode,
                                           DecaNodeRegistry        *registry,
                                           DecaBundleImportReport **report,
                                           GError                 **error);

/* Returns (transfer full) @report as the JSON the API answers: {"mode", "flows":
 * {"created", "updated", "unchanged", "deleted"}, "agents", ..., "missing_credentials"}. */
JsonNode   *deca_bundle_import_report_to_json (const DecaBundleImportReport *report,
                                               DecaBundleImportMode          mode);

G_END_DECLS
