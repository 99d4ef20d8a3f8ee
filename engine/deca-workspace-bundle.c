/* deca-workspace-bundle.c: a workspace as one JSON document (see the header; the format is
 * described in docs/server.md, "Export and import"). */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "deca-workspace-bundle.h"
#include "deca-engine-error.h"
#include "deca-flow.h"
#include "deca-json.h"
#include "deca-node-type.h"
#include "deca-store-library.h"
#include "deca-store-server.h"
#include "deca-validator.h"

/* The shape of a bundle; what is inside each document is checked by the flow validator
 * and deca_library_validate(). */
#define LIBRARY_ENTRIES_SCHEMA \
  "{\"type\": \"array\", \"items\": {\"type\": \"object\", \"required\": [\"id\", \"document\"]," \
  " \"additionalProperties\": false, \"properties\": {" \
  "  \"id\": {\"type\": \"string\", \"pattern\": \"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$\"}," \
  "  \"name\": {\"type\": \"string\"}," \
  "  \"document\": {\"type\": \"object\"}}}}"

static const char bundle_schema[] =
  "{\"type\": \"object\", \"required\": [\"format\", \"version\"], \"additionalProperties\": false,"
  " \"properties\": {"
  "  \"format\": {\"const\": \"" DECA_WORKSPACE_BUNDLE_FORMAT "\"},"
  "  \"version\": {\"const\": 1},"
  "  \"exported_at\": {\"type\": \"string\"},"
  "  \"workspace\": {\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"string\"},"
  "                                                      \"name\": {\"type\": \"string\"}}},"
  "  \"flows\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"required\": [\"id\", \"document\"],"
  "    \"additionalProperties\": false, \"properties\": {"
  "      \"id\": {\"type\": \"string\", \"minLength\": 1},"
  "      \"name\": {\"type\": \"string\"},"
  "      \"active\": {\"type\": \"boolean\"},"
  "      \"document\": {\"type\": \"object\"}}}},"
  "  \"agents\": " LIBRARY_ENTRIES_SCHEMA ","
  "  \"prompts\": " LIBRARY_ENTRIES_SCHEMA ","
  "  \"functions\": " LIBRARY_ENTRIES_SCHEMA ","
  "  \"credentials\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"required\": [\"name\", \"type\"],"
  "    \"additionalProperties\": false, \"properties\": {"
  "      \"name\": {\"type\": \"string\", \"minLength\": 1}, \"type\": {\"type\": \"string\"}}}}"
  " }}";

G_STATIC_ASSERT (DECA_WORKSPACE_BUNDLE_VERSION == 1);

static const char * const section_names[DECA_BUNDLE_N_SECTIONS] = {
  [DECA_BUNDLE_FLOWS] = "flows",
  [DECA_BUNDLE_AGENTS] = "agents",
  [DECA_BUNDLE_PROMPTS] = "prompts",
  [DECA_BUNDLE_FUNCTIONS] = "functions",
};

/* The library kind of a section that is not flows. */
static DecaLibraryKind
section_kind (DecaBundleSection section)
{
  g_assert (section > DECA_BUNDLE_FLOWS && section < DECA_BUNDLE_N_SECTIONS);
  return (DecaLibraryKind) (section - DECA_BUNDLE_AGENTS);
}

const char *
deca_bundle_section_name (DecaBundleSection section)
{
  if ((guint) section >= DECA_BUNDLE_N_SECTIONS)
    return NULL;
  return section_names[section];
}

gboolean
deca_bundle_import_mode_from_string (const char           *name,
                                     DecaBundleImportMode *out_mode)
{
  g_return_val_if_fail (out_mode != NULL, FALSE);

  if (g_strcmp0 (name, "merge") == 0)
    *out_mode = DECA_BUNDLE_IMPORT_MERGE;
  else if (g_strcmp0 (name, "replace") == 0)
    *out_mode = DECA_BUNDLE_IMPORT_REPLACE;
  else
    return FALSE;
  return TRUE;
}

static void
conflict_free (DecaBundleConflict *conflict)
{
  g_free (conflict->pointer);
  g_free (conflict->id);
  g_free (conflict->message);
  g_free (conflict);
}

static void
flow_change_free (DecaBundleFlowChange *change)
{
  g_free (change->id);
  g_free (change);
}

DecaBundleImportReport *
deca_bundle_import_report_new (void)
{
  DecaBundleImportReport *report = g_new0 (DecaBundleImportReport, 1);

  report->missing_credentials = g_ptr_array_new_with_free_func (g_free);
  report->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
  report->conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) conflict_free);
  report->flow_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) flow_change_free);
  return report;
}

void
deca_bundle_import_report_free (DecaBundleImportReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->missing_credentials);
  g_ptr_array_unref (report->problems);
  g_ptr_array_unref (report->conflicts);
  g_ptr_array_unref (report->flow_changes);
  g_free (report);
}

static JsonNode *
get_bundle_schema (void)
{
  static JsonNode *schema;

  if (g_once_init_enter (&schema))
    {
      g_autoptr(GError) error = NULL;
      JsonNode *node = deca_json_parse (bundle_schema, -1, &error);

      if (node == NULL)
        g_error ("bundle schema does not parse: %s", error->message);
      json_node_seal (node);
      g_once_init_leave (&schema, node);
    }
  return schema;
}

/* --- export ------------------------------------------------------------------------- */

/* "2026-12-01T17:00:00.123Z" for now (the form the API answers times in). */
static char *
format_now (void)
{
  gint64 us = g_get_real_time ();
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autofree char *seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", seconds, (int) ((us % G_USEC_PER_SEC) / 1000));
}

static int
compare_summaries_by_id (gconstpointer a,
                         gconstpointer b)
{
  return strcmp ((*(DecaFlowSummary * const *) a)->id, (*(DecaFlowSummary * const *) b)->id);
}

/* The store's id of an object is what it is; a document saved with another "id" inside
 * (or none: the store takes any text) is exported with the store's, so that the bundle
 * imports. A document that is not an object is left for the import to refuse. */
static void
set_document_id (JsonNode   *document,
                 const char *id)
{
  if (JSON_NODE_HOLDS_OBJECT (document))
    json_object_set_string_member (json_node_get_object (document), "id", id);
}

/* Adds the flows of @workspace_id to @array. */
static gboolean
export_flows (DecaStore   *store,
              const char  *workspace_id,
              JsonArray   *array,
              GError     **error)
{
  g_autoptr(GPtrArray) summaries = deca_store_list_workspace_flow_summaries (store, workspace_id, error);

  if (summaries == NULL)
    return FALSE;
  g_ptr_array_sort (summaries, compare_summaries_by_id);
  for (guint i = 0; i < summaries->len; i++)
    {
      DecaFlowSummary *summary = g_ptr_array_index (summaries, i);
      g_autofree char *text = deca_store_load_workspace_flow (store, workspace_id, summary->id, 0, NULL, error);
      JsonNode *document = text != NULL ? deca_json_parse (text, -1, error) : NULL;
      JsonObject *entry;

      if (document == NULL)
        return FALSE;
      set_document_id (document, summary->id);
      entry = json_object_new ();
      json_object_set_string_member (entry, "id", summary->id);
      json_object_set_string_member (entry, "name", summary->name);
      json_object_set_boolean_member (entry, "active", summary->active);
      json_object_set_member (entry, "document", document);
      json_array_add_object_element (array, entry);
    }
  return TRUE;
}

/* Adds the items of @kind in @workspace_id to @array. */
static gboolean
export_library (DecaStore        *store,
                DecaLibraryKind   kind,
                const char       *workspace_id,
                JsonArray        *array,
                GError          **error)
{
  g_autoptr(GPtrArray) items = deca_store_list_library_items (store, kind, workspace_id, NULL, NULL, 0, FALSE,
                                                              error);

  if (items == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      DecaLibraryItem *item = g_ptr_array_index (items, i);
      g_autofree char *text = deca_store_load_library_document (store, kind, workspace_id, item->id, 0, NULL,
                                                                error);
      JsonNode *document = text != NULL ? deca_json_parse (text, -1, error) : NULL;
      JsonObject *entry;

      if (document == NULL)
        return FALSE;
      set_document_id (document, item->id);
      entry = json_object_new ();
      json_object_set_string_member (entry, "id", item->id);
      json_object_set_string_member (entry, "name", item->name);
      json_object_set_member (entry, "document", document);
      json_array_add_object_element (array, entry);
    }
  return TRUE;
}

/* Adds the credentials of @workspace_id to @array: name and type, nothing else (the
 * record's ciphertext and key id never leave the store this way). */
static gboolean
export_credentials (DecaStore   *store,
                    const char  *workspace_id,
                    JsonArray   *array,
                    GError     **error)
{
  g_autoptr(GPtrArray) records = deca_store_list_credentials (store, workspace_id, error);

  if (records == NULL)
    return FALSE;
  for (guint i = 0; i < records->len; i++)
    {
      DecaCredentialRecord *record = g_ptr_array_index (records, i);
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "name", record->name);
      json_object_set_string_member (entry, "type", record->type);
      json_array_add_object_element (array, entry);
    }
  return TRUE;
}

static gboolean
export_sections (DecaStore   *store,
                 const char  *workspace_id,
                 JsonObject  *bundle,
                 GError     **error)
{
  JsonArray *flows = json_array_new ();
  JsonArray *credentials = json_array_new ();

  json_object_set_array_member (bundle, "flows", flows);
  if (!export_flows (store, workspace_id, flows, error))
    return FALSE;
  for (guint section = DECA_BUNDLE_AGENTS; section < DECA_BUNDLE_N_SECTIONS; section++)
    {
      JsonArray *items = json_array_new ();

      json_object_set_array_member (bundle, section_names[section], items);
      if (!export_library (store, section_kind (section), workspace_id, items, error))
        return FALSE;
    }
  json_object_set_array_member (bundle, "credentials", credentials);
  return export_credentials (store, workspace_id, credentials, error);
}

JsonNode *
deca_workspace_bundle_export (DecaStore   *store,
                              const char  *workspace_id,
                              GError     **error)
{
  g_autoptr(DecaWorkspaceRecord) workspace = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *now = format_now ();
  JsonObject *bundle, *about;
  gboolean ok;

  g_return_val_if_fail (DECA_IS_STORE (store), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(workspace = deca_store_get_workspace (store, workspace_id, error)))
    return NULL;
  bundle = json_object_new ();
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, bundle);
  json_object_set_string_member (bundle, "format", DECA_WORKSPACE_BUNDLE_FORMAT);
  json_object_set_int_member (bundle, "version", DECA_WORKSPACE_BUNDLE_VERSION);
  json_object_set_string_member (bundle, "exported_at", now);
  about = json_object_new ();
  json_object_set_string_member (about, "id", workspace->id);
  json_object_set_string_member (about, "name", workspace->name);
  json_object_set_object_member (bundle, "workspace", about);

  /* One transaction, so that the bundle is the workspace of one moment. It writes
   * nothing: closing it with a commit (rather than a rollback) leaves a batch the caller
   * has open alone. */
  if (!deca_store_begin (store, error))
    return NULL;
  ok = export_sections (store, workspace_id, bundle, error);
  if (!deca_store_commit (store, ok ? error : NULL))
    ok = FALSE;
  return ok ? g_steal_pointer (&node) : NULL;
}

/* --- import: checking --------------------------------------------------------------- */

/* One object of the bundle, ready to write. */
typedef struct {
  DecaBundleSection section;
  guint index;
  char *id;
  char *name;
  char *text;            /* the document as it is stored */
  JsonNode *document;    /* the same, parsed, to compare with what is stored */
} Entry;

static void
entry_free (Entry *entry)
{
  g_free (entry->id);
  g_free (entry->name);
  g_free (entry->text);
  g_clear_pointer (&entry->document, json_node_unref);
  g_free (entry);
}

static char *
entry_pointer (DecaBundleSection  section,
               guint              index,
               const char        *member)
{
  GString *pointer = g_string_new ("/");

  g_string_append_printf (pointer, "%s/%u", section_names[section], index);
  if (member != NULL)
    g_string_append (pointer, member);
  return g_string_free (pointer, FALSE);
}

static void
add_problem (GPtrArray  *problems,
             const char *pointer,
             const char *message)
{
  g_ptr_array_add (problems, deca_validation_problem_new (pointer, "%s", message));
}

/* Moves the problems of a document, whose pointers are relative to it, into @problems
 * below @prefix. */
static void
take_problems (GPtrArray  *problems,
               GPtrArray  *inner,
               const char *prefix)
{
  for (guint i = 0; i < inner->len; i++)
    {
      DecaValidationProblem *problem = g_ptr_array_index (inner, i);
      g_autofree char *pointer = g_strconcat (prefix, problem->pointer, NULL);

      add_problem (problems, pointer, problem->message);
    }
}

/* Checks entry @index of @section and, when it is good, adds what to write to @entries.
 * The bundle's shape has been checked: the entry is an object with a string id and an
 * object document. */
static void
check_entry (DecaBundleSection  section,
             guint              index,
             JsonObject        *object,
             DecaNodeRegistry  *registry,
             GHashTable        *seen,
             GPtrArray         *problems,
             GPtrArray         *entries)
{
  const char *id = json_object_get_string_member (object, "id");
  JsonObject *source = json_object_get_object_member (object, "document");
  g_autofree char *prefix = entry_pointer (section, index, "/document");
  g_autoptr(GPtrArray) inner = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
  g_autoptr(JsonNode) document = json_node_new (JSON_NODE_OBJECT);
  JsonNode *own_id = json_object_get_member (source, "id");
  Entry *entry;

  if (!g_hash_table_add (seen, g_strdup (id)))
    {
      g_autofree char *pointer = entry_pointer (section, index, "/id");

      add_problem (problems, pointer, _("this id is in the list already"));
      return;
    }
  if (own_id != NULL && (!JSON_NODE_HOLDS_VALUE (own_id) || json_node_get_value_type (own_id) != G_TYPE_STRING
                         || !g_str_equal (json_node_get_string (own_id), id)))
    {
      g_autofree char *pointer = entry_pointer (section, index, "/document/id");

      add_problem (problems, pointer, _("must be the entry’s id"));
      return;
    }

  /* The document says which object it is, as stored documents do. */
  json_node_take_object (document, deca_json_object_deep_copy (source));
  json_object_set_string_member (json_node_get_object (document), "id", id);

  entry = g_new0 (Entry, 1);
  entry->section = section;
  entry->index = index;
  entry->id = g_strdup (id);
  if (section == DECA_BUNDLE_FLOWS)
    {
      g_autoptr(GPtrArray) flow_problems = deca_validate_flow_json (document, registry);
      g_autoptr(DecaFlow) flow = NULL;
      g_autoptr(GError) error = NULL;

      take_problems (problems, flow_problems, prefix);
      if (flow_problems->len == 0 && !(flow = deca_flow_new_from_json (document, &error)))
        add_problem (problems, prefix, error->message);
      if (flow == NULL)
        {
          entry_free (entry);
          return;
        }
      /* The form the server saves flows in (deca-api-flows.c), so that the text is the
       * one an execution finds. */
      entry->text = deca_flow_to_data (flow, FALSE, NULL);
      entry->name = g_strdup (deca_flow_get_name (flow) != NULL ? deca_flow_get_name (flow) : id);
    }
  else
    {
      deca_library_validate (section_kind (section), document, "", inner);
      if (inner->len > 0)
        {
          take_problems (problems, inner, prefix);
          entry_free (entry);
          return;
        }
      entry->text = deca_json_to_string (document, FALSE);
      entry->name = g_strdup (json_object_get_string_member (json_node_get_object (document), "name"));
    }
  entry->document = deca_json_parse (entry->text, -1, NULL);
  g_assert (entry->document != NULL);
  g_ptr_array_add (entries, entry);
}

/* Checks @bundle; adds what to write to @entries and the names of its credentials to
 * @credentials. Problems go to @problems. */
static void
check_bundle (JsonNode         *bundle,
              DecaNodeRegistry *registry,
              GPtrArray        *problems,
              GPtrArray        *entries,
              GPtrArray        *credentials)
{
  JsonObject *object;
  JsonArray *list;

  deca_validate_against_schema_full (get_bundle_schema (), bundle, "", DECA_SCHEMA_CHECK_NO_TEMPLATES, problems);
  if (problems->len > 0)
    return;   /* the entries below are read as the schema describes them */
  object = json_node_get_object (bundle);
  for (guint section = 0; section < DECA_BUNDLE_N_SECTIONS; section++)
    {
      g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      if (!json_object_has_member (object, section_names[section]))
        continue;
      list = json_object_get_array_member (object, section_names[section]);
      for (guint i = 0; i < json_array_get_length (list); i++)
        check_entry (section, i, json_array_get_object_element (list, i), registry, seen, problems, entries);
    }
  if (json_object_has_member (object, "credentials"))
    {
      list = json_object_get_array_member (object, "credentials");
      for (guint i = 0; i < json_array_get_length (list); i++)
        g_ptr_array_add (credentials,
                         g_strdup (json_object_get_string_member (json_array_get_object_element (list, i), "name")));
    }
}

/* --- import: planning and writing --------------------------------------------------- */

typedef enum {
  ACTION_CREATE,      /* not in the workspace (or deleted there) */
  ACTION_UPDATE,      /* in the workspace with other content (replace mode) */
  ACTION_KEEP,        /* in the workspace with the same content */
} Action;

static void
add_conflict (DecaBundleImportReport *report,
              const Entry            *entry,
              const char             *message)
{
  DecaBundleConflict *conflict = g_new0 (DecaBundleConflict, 1);

  conflict->pointer = entry_pointer (entry->section, entry->index, NULL);
  conflict->section = entry->section;
  conflict->id = g_strdup (entry->id);
  conflict->message = g_strdup (message);
  g_ptr_array_add (report->conflicts, conflict);
}

/* Loads the latest stored document of @entry's object in @workspace_id, parsed; NULL with
 * @error unset when the workspace has no such live object. */
static JsonNode *
load_stored (DecaStore    *store,
             const char   *workspace_id,
             const Entry  *entry,
             GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;

  if (entry->section == DECA_BUNDLE_FLOWS)
    text = deca_store_load_workspace_flow (store, workspace_id, entry->id, 0, NULL, &local_error);
  else
    text = deca_store_load_library_document (store, section_kind (entry->section), workspace_id, entry->id, 0,
                                             NULL, &local_error);
  if (text == NULL)
    {
      if (!g_error_matches (local_error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return deca_json_parse (text, -1, error);
}

/* Decides what to do with @entry; adds a conflict to @report when it cannot be written.
 * FALSE only when the store failed. */
static gboolean
plan_entry (DecaStore              *store,
            const char             *workspace_id,
            DecaBundleImportMode    mode,
            const Entry            *entry,
            Action                 *action,
            DecaBundleImportReport *report,
            GError                **error)
{
  g_autoptr(JsonNode) stored = NULL;
  g_autoptr(GError) local_error = NULL;

  if (entry->section == DECA_BUNDLE_FLOWS)
    {
      g_autofree char *owner = NULL;
      gboolean exists, deleted;

      if (!deca_store_find_flow_owner (store, entry->id, &exists, &owner, &deleted, error))
        return FALSE;
      if (exists && !g_str_equal (owner, workspace_id))
        {
          /* Flow ids are global in the store; the message does not say whose it is. */
          add_conflict (report, entry, _("another workspace has a flow with this id"));
          return TRUE;
        }
    }
  stored = load_stored (store, workspace_id, entry, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (stored == NULL)
    *action = ACTION_CREATE;
  else if (json_node_equal (stored, entry->document))
    *action = ACTION_KEEP;
  else if (mode == DECA_BUNDLE_IMPORT_REPLACE)
    *action = ACTION_UPDATE;
  else
    add_conflict (report, entry, _("the workspace has this object with other content; import with mode replace to overwrite it"));
  return TRUE;
}

/* Writes @entry by @action. */
static gboolean
write_entry (DecaStore              *store,
             const char             *workspace_id,
             const Entry            *entry,
             Action                  action,
             DecaBundleImportReport *report,
             GError                **error)
{
  gint64 version = 0;

  if (action == ACTION_KEEP)
    {
      report->unchanged[entry->section]++;
      return TRUE;
    }
  if (entry->section == DECA_BUNDLE_FLOWS)
    {
      g_autoptr(DecaFlowSummary) before = deca_store_get_workspace_flow (store, workspace_id, entry->id, NULL);
      DecaBundleFlowChange *change;

      if (!deca_store_save_workspace_flow (store, workspace_id, entry->id, entry->name, entry->text, &version,
                                           error))
        return FALSE;
      /* A flow deleted in this workspace comes back. */
      if (action == ACTION_CREATE
          && !deca_store_set_workspace_flow_deleted (store, workspace_id, entry->id, FALSE, error))
        return FALSE;
      change = g_new0 (DecaBundleFlowChange, 1);
      change->id = g_strdup (entry->id);
      change->version = version;
      change->was_active = before != NULL && before->active;
      g_ptr_array_add (report->flow_changes, change);
    }
  else if (!deca_store_save_library_item (store, section_kind (entry->section), workspace_id, entry->id,
                                          entry->name, entry->text, DECA_LIBRARY_ANY_VERSION, &version, error))
    return FALSE;
  if (action == ACTION_CREATE)
    report->created[entry->section]++;
  else
    report->updated[entry->section]++;
  return TRUE;
}

/* Replace mode: deletes the objects of @workspace_id that the bundle does not have. */
static gboolean
delete_missing (DecaStore              *store,
                const char             *workspace_id,
                GPtrArray              *entries,
                DecaBundleImportReport *report,
                GError                **error)
{
  g_autoptr(GHashTable) kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) flows = NULL;

  /* "SECTION/ID" of every object the bundle has. */
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);

      g_hash_table_add (kept, g_strconcat (section_names[entry->section], "/", entry->id, NULL));
    }

  if (!(flows = deca_store_list_workspace_flow_summaries (store, workspace_id, error)))
    return FALSE;
  for (guint i = 0; i < flows->len; i++)
    {
      DecaFlowSummary *summary = g_ptr_array_index (flows, i);
      g_autofree char *key = g_strconcat ("flows/", summary->id, NULL);
      DecaBundleFlowChange *change;

      if (g_hash_table_contains (kept, key))
        continue;
      if (!deca_store_set_workspace_flow_deleted (store, workspace_id, summary->id, TRUE, error))
        return FALSE;
      report->deleted[DECA_BUNDLE_FLOWS]++;
      change = g_new0 (DecaBundleFlowChange, 1);
      change->id = g_strdup (summary->id);
      change->was_active = summary->active;
      g_ptr_array_add (report->flow_changes, change);
    }

  for (guint section = DECA_BUNDLE_AGENTS; section < DECA_BUNDLE_N_SECTIONS; section++)
    {
      DecaLibraryKind kind = section_kind (section);
      g_autoptr(GPtrArray) items = deca_store_list_library_items (store, kind, workspace_id, NULL, NULL, 0, FALSE,
                                                                  error);

      if (items == NULL)
        return FALSE;
      for (guint i = 0; i < items->len; i++)
        {
          DecaLibraryItem *item = g_ptr_array_index (items, i);
          g_autofree char *key = g_strconcat (section_names[section], "/", item->id, NULL);

          if (g_hash_table_contains (kept, key))
            continue;
          if (!deca_store_delete_library_item (store, kind, workspace_id, item->id, DECA_LIBRARY_ANY_VERSION, error))
            return FALSE;
          report->deleted[section]++;
        }
    }
  return TRUE;
}

/* Fills report->missing_credentials: the bundle's credential names the workspace lacks. */
static gboolean
find_missing_credentials (DecaStore              *store,
                          const char             *workspace_id,
                          GPtrArray              *names,
                          DecaBundleImportReport *report,
                          GError                **error)
{
  g_autoptr(GPtrArray) records = deca_store_list_credentials (store, workspace_id, error);
  g_autoptr(GHashTable) have = g_hash_table_new (g_str_hash, g_str_equal);

  if (records == NULL)
    return FALSE;
  for (guint i = 0; i < records->len; i++)
    g_hash_table_add (have, ((DecaCredentialRecord *) g_ptr_array_index (records, i))->name);
  for (guint i = 0; i < names->len; i++)
    if (!g_hash_table_contains (have, names->pdata[i]))
      g_ptr_array_add (report->missing_credentials, g_strdup (names->pdata[i]));
  return TRUE;
}

/* Plans and, when nothing conflicts, writes; inside the caller's transaction. */
static gboolean
import_entries (DecaStore              *store,
                const char             *workspace_id,
                DecaBundleImportMode    mode,
                GPtrArray              *entries,
                GPtrArray              *credentials,
                DecaBundleImportReport *report,
                GError                **error)
{
  g_autofree Action *actions = g_new0 (Action, MAX (entries->len, 1));

  for (guint i = 0; i < entries->len; i++)
    if (!plan_entry (store, workspace_id, mode, g_ptr_array_index (entries, i), &actions[i], report, error))
      return FALSE;
  if (report->conflicts->len > 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   g_dngettext (GETTEXT_PACKAGE, "The bundle has %u object that conflicts with the workspace",
                                "The bundle has %u objects that conflict with the workspace",
                                report->conflicts->len),
                   report->conflicts->len);
      return FALSE;
    }
  if (mode == DECA_BUNDLE_IMPORT_REPLACE && !delete_missing (store, workspace_id, entries, report, error))
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    if (!write_entry (store, workspace_id, g_ptr_array_index (entries, i), actions[i], report, error))
      return FALSE;
  return find_missing_credentials (store, workspace_id, credentials, report, error);
}

gboolean
deca_workspace_bundle_import (DecaStore               *store,
                              const char              *workspace_id,
                              JsonNode                *bundle,
                              DecaBundleImportMode     mode,
                              DecaNodeRegistry        *registry,
                              DecaBundleImportReport **out_report,
                              GError                 **error)
{
  g_autoptr(DecaBundleImportReport) report = deca_bundle_import_report_new ();
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  g_autoptr(GPtrArray) credentials = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DecaWorkspaceRecord) workspace = NULL;
  gboolean ok;

  g_return_val_if_fail (DECA_IS_STORE (store), FALSE);
  g_return_val_if_fail (workspace_id != NULL, FALSE);
  g_return_val_if_fail (bundle != NULL, FALSE);
  g_return_val_if_fail (mode == DECA_BUNDLE_IMPORT_MERGE || mode == DECA_BUNDLE_IMPORT_REPLACE, FALSE);
  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (registry), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(workspace = deca_store_get_workspace (store, workspace_id, error)))
    goto out;
  check_bundle (bundle, registry, report->problems, entries, credentials);
  if (report->problems->len > 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE, "The bundle is not valid: %u problem",
                                "The bundle is not valid: %u problems", report->problems->len),
                   report->problems->len);
      goto out;
    }

  if (!deca_store_begin (store, error))
    goto out;
  ok = import_entries (store, workspace_id, mode, entries, credentials, report, error);
  if (ok)
    ok = deca_store_commit (store, error);
  else
    deca_store_rollback (store);
  if (ok)
    {
      if (out_report != NULL)
        *out_report = g_steal_pointer (&report);
      return TRUE;
    }
  /* Nothing was written: what the report counted did not happen. */
  memset (report->created, 0, sizeof report->created);
  memset (report->updated, 0, sizeof report->updated);
  memset (report->unchanged, 0, sizeof report->unchanged);
  memset (report->deleted, 0, sizeof report->deleted);
  g_ptr_array_set_size (report->flow_changes, 0);
  g_ptr_array_set_size (report->missing_credentials, 0);

out:
  if (out_report != NULL)
    *out_report = g_steal_pointer (&report);
  return FALSE;
}

JsonNode *
deca_bundle_import_report_to_json (const DecaBundleImportReport *report,
                                   DecaBundleImportMode          mode)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *missing = json_array_new ();

  g_return_val_if_fail (report != NULL, NULL);

  json_object_set_string_member (object, "mode", mode == DECA_BUNDLE_IMPORT_REPLACE ? "replace" : "merge");
  for (guint section = 0; section < DECA_BUNDLE_N_SECTIONS; section++)
    {
      JsonObject *counts = json_object_new ();

      json_object_set_int_member (counts, "created", report->created[section]);
      json_object_set_int_member (counts, "updated", report->updated[section]);
      json_object_set_int_member (counts, "unchanged", report->unchanged[section]);
      json_object_set_int_member (counts, "deleted", report->deleted[section]);
      json_object_set_object_member (object, section_names[section], counts);
    }
  for (guint i = 0; i < report->missing_credentials->len; i++)
    json_array_add_string_element (missing, report->missing_credentials->pdata[i]);
  json_object_set_array_member (object, "missing_credentials", missing);
  json_node_take_object (node, object);
  return node;
}
