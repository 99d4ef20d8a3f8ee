/* deca-api-flows.c: the flows resource of the REST API (docs/server.md, "Flows and
 * executions"), the DecaApiFlows object both resources share, and the helpers of their
 * routes (deca-api-flows-private.h). The executions routes are in deca-api-executions.c. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <deca-engine-error.h>
#include <deca-json.h>
#include <deca-store-server.h>
#include <deca-validator.h>

#include "deca-api-flows-private.h"
#include "deca-audit.h"
#include "deca-principal.h"
#include "deca-rbac.h"

enum {
  SIGNAL_FLOW_SAVED,
  SIGNAL_FLOW_ACTIVE_CHANGED,
  SIGNAL_FLOW_DELETED,
  SIGNAL_EXECUTION_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DecaApiFlows, deca_api_flows, G_TYPE_OBJECT)

/* A POST .../execute?wait=true waiting for its execution to finish or pause. */
typedef struct {
  DecaApiFlows *self;          /* borrowed: self->waiters owns the waiter */
  DecaRequest *request;
  DecaExecution *execution;
  gulong notify_id;
  GSource *idle;
} Waiter;

static void
waiter_free (Waiter *waiter)
{
  if (waiter->notify_id != 0)
    g_signal_handler_disconnect (waiter->execution, waiter->notify_id);
  if (waiter->idle != NULL)
    {
      g_source_destroy (waiter->idle);
      g_source_unref (waiter->idle);
    }
  g_clear_object (&waiter->execution);
  g_clear_pointer (&waiter->request, deca_request_unref);
  g_free (waiter);
}

/* --- answers ------------------------------------------------------------------------ */

static void
respond_problems (DecaRequest *request,
                  GPtrArray   *problems)
{
  g_autoptr(JsonNode) details = _deca_api_problems_json (problems);
  g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The flow is not valid: %u problem",
                                                           "The flow is not valid: %u problems", problems->len),
                                              problems->len);

  deca_request_respond_error_literal (request, DECA_SERVER_ERROR_UNPROCESSABLE, message, details);
}

/* --- JSON of records ---------------------------------------------------------------- */

/* A flow as the API shows it; with @document (transfer none, nullable) its document. */
static JsonNode *
flow_json (const DecaFlowSummary *summary,
           JsonNode              *document)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", summary->id);
  json_object_set_string_member (object, "name", summary->name);
  json_object_set_int_member (object, "version", summary->latest_version);
  json_object_set_boolean_member (object, "active", summary->active);
  _deca_api_set_time_member (object, "created_at", summary->created_at);
  _deca_api_set_time_member (object, "updated_at", summary->updated_at);
  if (document != NULL)
    json_object_set_member (object, "document", json_node_copy (document));
  json_node_take_object (node, object);
  return node;
}

static JsonObject *
version_object (const DecaFlowVersionInfo *info)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "version", info->version);
  _deca_api_set_nullable_string_member (object, "name", info->name);
  _deca_api_set_time_member (object, "created_at", info->created_at);
  return object;
}

/* --- query parameters --------------------------------------------------------------- */

/* Reads an optional boolean query parameter: *@set is FALSE when absent. */
static gboolean
read_boolean (DecaRequest *request,
              const char  *name,
              gboolean    *set,
              gboolean    *value)
{
  const char *text = deca_request_get_query (request, name);

  *set = text != NULL;
  *value = FALSE;
  if (text == NULL)
    return TRUE;
  if (g_str_equal (text, "true") || g_str_equal (text, "1"))
    *value = TRUE;
  else if (!g_str_equal (text, "false") && !g_str_equal (text, "0"))
    {
      /* Translators: %s is a query parameter's name ("active"); keep it. */
      g_autofree char *message = g_strdup_printf (_("%s must be true or false"), name);

      deca_request_respond_bad_input (request, "parameter", name, message);
      return FALSE;
    }
  return TRUE;
}

/* --- flows -------------------------------------------------------------------------- */

/* Validates @document and makes it a flow. Answers 422 with every problem (or 400 when
 * it cannot be read as a flow at all) and returns NULL when it is not valid. */
static DecaFlow *
read_valid_flow (DecaApiFlows *self,
                 DecaRequest  *request,
                 JsonNode     *document)
{
  g_autoptr(GPtrArray) problems = deca_validate_flow_json (document, self->registry);
  g_autoptr(GError) error = NULL;
  DecaFlow *flow;

  if (problems->len > 0)
    {
      respond_problems (request, problems);
      return NULL;
    }
  flow = deca_flow_new_from_json (document, &error);
  if (flow == NULL)
    deca_request_respond_bad_field (request, "", error->message);
  return flow;
}

/* Saves @flow as the newest version of its id in the caller's workspace, the document in
 * the form the executor saves it (so that running it finds the same version). */
static gboolean
save_flow (DecaApiFlows        *self,
           const DecaPrincipal *principal,
           DecaFlow            *flow,
           gint64              *version,
           GError             **error)
{
  g_autofree char *document = deca_flow_to_data (flow, FALSE, NULL);
  const char *name = deca_flow_get_name (flow);

  return deca_store_save_workspace_flow (self->store, principal->workspace_id, deca_flow_get_id (flow),
                                         name != NULL ? name : deca_flow_get_id (flow), document, version,
                                         error);
}

/* The flow @flow_id of the caller's workspace; answers 404 (or the store's error) and
 * returns NULL when there is none. */
static DecaFlowSummary *
lookup_flow (DecaApiFlows        *self,
             DecaRequest         *request,
             const DecaPrincipal *principal,
             const char          *flow_id)
{
  g_autoptr(GError) error = NULL;
  DecaFlowSummary *summary;

  summary = deca_store_get_workspace_flow (self->store, principal->workspace_id, flow_id, &error);
  if (summary == NULL)
    _deca_api_respond_store_error (request, error, "flow");
  return summary;
}

/* Answers @status with the flow @flow_id of the workspace and its latest document. */
static void
respond_flow (DecaApiFlows        *self,
              DecaRequest         *request,
              const DecaPrincipal *principal,
              const char          *flow_id,
              guint                status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlowSummary) summary = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *text = NULL;
  g_autofree char *etag = NULL;

  summary = deca_store_get_workspace_flow (self->store, principal->workspace_id, flow_id, &error);
  if (summary != NULL)
    text = deca_store_load_workspace_flow (self->store, principal->workspace_id, flow_id, 0, NULL, &error);
  if (text != NULL)
    document = deca_json_parse (text, -1, &error);
  if (document == NULL)
    {
      _deca_api_respond_store_error (request, error, "flow");
      return;
    }
  body = flow_json (summary, document);
  etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", summary->latest_version);
  deca_request_set_response_header (request, "ETag", etag);
  deca_request_respond_json (request, status, body);
}

static int
compare_summaries_by_id (gconstpointer a,
                         gconstpointer b)
{
  const DecaFlowSummary *summary_a = *(DecaFlowSummary * const *) a;
  const DecaFlowSummary *summary_b = *(DecaFlowSummary * const *) b;

  return strcmp (summary_a->id, summary_b->id);
}

static void
list_flows_cb (DecaRequest *request,
               gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = json_array_new ();
  const char *cursor = deca_request_get_query (request, "cursor");
  const char *last = NULL;
  gboolean filter_active, active;
  gboolean more = FALSE;
  guint limit;

  if (!(principal = _deca_api_require_principal (request)) || !_deca_api_read_limit (request, &limit) ||
      !read_boolean (request, "active", &filter_active, &active))
    return;
  summaries = deca_store_list_workspace_flow_summaries (self->store, principal->workspace_id, &error);
  if (summaries == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  /* Pages go by id, so that a flow saved while a client pages does not move between
   * pages; the cursor is the last id of the previous page. */
  g_ptr_array_sort (summaries, compare_summaries_by_id);
  for (guint i = 0; i < summaries->len; i++)
    {
      DecaFlowSummary *summary = g_ptr_array_index (summaries, i);

      if (cursor != NULL && strcmp (summary->id, cursor) <= 0)
        continue;
      if (filter_active && summary->active != active)
        continue;
      if (json_array_get_length (items) == limit)
        {
          more = TRUE;
          break;
        }
      json_array_add_element (items, flow_json (summary, NULL));
      last = summary->id;
    }
  deca_request_respond_items (request, items, TRUE, more ? last : NULL);
}

static void
create_flow_cb (DecaRequest *request,
                gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;
  g_autoptr(DecaFlow) flow = NULL;
  g_autoptr(DecaFlowSummary) existing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  gint64 version = 0;
  gboolean ok;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  _deca_api_read_body_object (request, FALSE, &ok);
  if (!ok || !(flow = read_valid_flow (self, request, deca_request_get_json (request))))
    return;
  existing = deca_store_get_workspace_flow (self->store, principal->workspace_id, deca_flow_get_id (flow), NULL);
  if (existing != NULL)
    {
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT,
                                          _("This workspace has a flow with this id; PUT changes it"), NULL);
      return;
    }
  /* A flow deleted earlier under this id comes back with the new document as its newest
   * version. Ids are global: one another workspace holds is a conflict too. */
  if (!deca_store_begin (self->store, &error) ||
      !save_flow (self, principal, flow, &version, &error) ||
      !deca_store_set_workspace_flow_deleted (self->store, principal->workspace_id, deca_flow_get_id (flow),
                                              FALSE, &error) ||
      !deca_store_commit (self->store, &error))
    {
      deca_store_rollback (self->store);
      if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE))
        deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT, _("A flow with this id exists"), NULL);
      else
        deca_request_respond_error (request, error, NULL);
      return;
    }
  _deca_api_audit (request, "flow.create", deca_flow_get_id (flow), 0);
  g_signal_emit (self, signals[SIGNAL_FLOW_SAVED], 0, principal->workspace_id, deca_flow_get_id (flow), version);
  location = g_strdup_printf ("/api/v1/flows/%s", deca_flow_get_id (flow));
  deca_request_set_response_header (request, "Location", location);
  respond_flow (self, request, principal, deca_flow_get_id (flow), 201);
}

static void
get_flow_cb (DecaRequest *request,
             gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  respond_flow (self, request, principal, deca_request_get_param (request, "id"), 200);
}


static void
put_flow_cb (DecaRequest *request,
             gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;
  const char *flow_id = deca_request_get_param (request, "id");
  g_autoptr(DecaFlowSummary) summary = NULL;
  g_autoptr(DecaFlow) flow = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *body;
  JsonNode *id_member;
  gint64 expected, version = 0;
  gboolean ok;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  /* 404 before 400: what the body says does not matter for a flow that is not there. */
  if (!(summary = lookup_flow (self, request, principal, flow_id)))
    return;
  body = _deca_api_read_body_object (request, FALSE, &ok);
  if (!ok || !_deca_api_read_if_match (request, _("If-Match must be the version number of the flow"), &expected))
    return;
  id_member = json_object_get_member (body, "id");
  if (id_member != NULL && JSON_NODE_HOLDS_VALUE (id_member) &&
      json_node_get_value_type (id_member) == G_TYPE_STRING &&
      !g_str_equal (json_node_get_string (id_member), flow_id))
    {
      deca_request_respond_bad_field (request, "/id", _("id must be the flow's id in the path (ids do not change)"));
      return;
    }
  if (expected != 0 && expected != summary->latest_version)
    {
      g_autoptr(JsonNode) details = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();

      json_object_set_int_member (object, "version", summary->latest_version);
      json_node_take_object (details, object);
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT,
                                          _("The flow has a newer version than If-Match names"), details);
      return;
    }
  /* A document without an id takes the path's. */
  document = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (document, deca_json_object_deep_copy (body));
  if (id_member == NULL)
    json_object_set_string_member (json_node_get_object (document), "id", flow_id);
  if (!(flow = read_valid_flow (self, request, document)))
    return;
  if (summary->active && !deca_api_flows_check_activation (self, principal->workspace_id, flow_id, flow, &error))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  if (!save_flow (self, principal, flow, &version, &error))
    {
      _deca_api_respond_store_error (request, error, "flow");
      return;
    }
  if (version != summary->latest_version)
    {
      _deca_api_audit (request, "flow.update", flow_id, version);
      g_signal_emit (self, signals[SIGNAL_FLOW_SAVED], 0, principal->workspace_id, flow_id, version);
    }
  respond_flow (self, request, principal, flow_id, 200);
}

static void
delete_flow_cb (DecaRequest *request,
                gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;
  const char *flow_id = deca_request_get_param (request, "id");
  g_autoptr(DecaFlowSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  summary = deca_store_get_workspace_flow (self->store, principal->workspace_id, flow_id, &error);
  if (summary == NULL ||
      !deca_store_set_workspace_flow_deleted (self->store, principal->workspace_id, flow_id, TRUE, &error))
    {
      _deca_api_respond_store_error (request, error, "flow");
      return;
    }
  _deca_api_audit (request, "flow.delete", flow_id, 0);
  if (summary->active)
    g_signal_emit (self, signals[SIGNAL_FLOW_ACTIVE_CHANGED], 0, principal->workspace_id, flow_id, FALSE);
  g_signal_emit (self, signals[SIGNAL_FLOW_DELETED], 0, principal->workspace_id, flow_id);
  deca_request_respond_json (request, 204, NULL);
}

static void
list_versions_cb (DecaRequest *request,
                  gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = json_array_new ();

  if (!(principal = _deca_api_require_principal (request)))
    return;
  versions = deca_store_list_workspace_flow_versions (self->store, principal->workspace_id,
                                                      deca_request_get_param (request, "id"), &error);
  if (versions == NULL)
    {
      _deca_api_respond_store_error (request, error, "flow");
      return;
    }
  for (guint i = 0; i < versions->len; i++)
    json_array_add_object_element (items, version_object (g_ptr_array_index (versions, i)));
  deca_request_respond_items (request, items, FALSE, NULL);
}

static void
get_version_cb (DecaRequest *request,
                gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;
  const char *flow_id = deca_request_get_param (request, "id");
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *text = NULL;
  JsonNode *document;
  guint64 version;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  if (!g_ascii_string_to_unsigned (deca_request_get_param (request, "version"), 10, 1, G_MAXINT64, &version, NULL))
    {
      deca_request_respond_bad_input (request, "parameter", "version",
                                      _("The version must be a whole number of at least 1"));
      return;
    }
  versions = deca_store_list_workspace_flow_versions (self->store, principal->workspace_id, flow_id, &error);
  if (versions == NULL)
    {
      _deca_api_respond_store_error (request, error, "flow");
      return;
    }
  for (guint i = 0; i < versions->len && body == NULL; i++)
    {
      DecaFlowVersionInfo *info = g_ptr_array_index (versions, i);

      if (info->version != (gint64) version)
        continue;
      text = deca_store_load_workspace_flow (self->store, principal->workspace_id, flow_id, info->version,
                                             NULL, &error);
      document = text != NULL ? deca_json_parse (text, -1, &error) : NULL;
      if (document == NULL)
        {
          deca_request_respond_error (request, error, NULL);
          return;
        }
      body = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (body, version_object (info));
      json_object_set_string_member (json_node_get_object (body), "flow_id", flow_id);
      json_object_set_member (json_node_get_object (body), "document", document);
    }
  if (body == NULL)
    {
      _deca_api_respond_not_found (request, "flow version");
      return;
    }
  deca_request_respond_json (request, 200, body);
}

static void
set_active (DecaApiFlows *self,
            DecaRequest  *request,
            gboolean      active)
{
  const DecaPrincipal *principal;
  const char *flow_id = deca_request_get_param (request, "id");
  g_autoptr(DecaFlowSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  if (!(summary = lookup_flow (self, request, principal, flow_id)))
    return;
  if (summary->active != active)
    {
      if (active)
        {
          g_autoptr(GError) load_error = NULL;
          g_autoptr(DecaFlow) flow = deca_api_flows_load_flow (self, principal->workspace_id, flow_id, &load_error);

          /* A version stored before the validator knew what is wrong with it (a typo in a
           * webhook's auth) would be active with triggers nothing serves: 422 at its pointer. */
          if (flow == NULL && g_error_matches (load_error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID))
            {
              deca_request_respond_error (request, load_error, NULL);
              return;
            }
          if (flow != NULL && !deca_api_flows_check_activation (self, principal->workspace_id, flow_id, flow, &error))
            {
              deca_request_respond_error (request, error, NULL);
              return;
            }
        }
      if (!deca_store_set_workspace_flow_active (self->store, principal->workspace_id, flow_id, active, &error))
        {
          _deca_api_respond_store_error (request, error, "flow");
          return;
        }
      _deca_api_audit (request, active ? "flow.activate" : "flow.deactivate", flow_id, 0);
      g_signal_emit (self, signals[SIGNAL_FLOW_ACTIVE_CHANGED], 0, principal->workspace_id, flow_id, active);
    }
  respond_flow (self, request, principal, flow_id, 200);
}

static void
activate_cb (DecaRequest *request,
             gpointer     user_data)
{
  set_active (user_data, request, TRUE);
}

static void
deactivate_cb (DecaRequest *request,
               gpointer     user_data)
{
  set_active (user_data, request, FALSE);
}

/* Loads the latest document of @flow_id of the caller's workspace; answers 404 (or the
 * store's error) and returns NULL when there is none. */
static JsonNode *
load_latest_document (DecaApiFlows        *self,
                      DecaRequest         *request,
                      const DecaPrincipal *principal,
                      const char          *flow_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonNode *document = NULL;

  text = deca_store_load_workspace_flow (self->store, principal->workspace_id, flow_id, 0, NULL, &error);
  if (text != NULL)
    document = deca_json_parse (text, -1, &error);
  if (document == NULL)
    _deca_api_respond_store_error (request, error, "flow");
  return document;
}

typedef struct {
  gint64 version;
  DecaFlow *flow;
} CachedFlow;

static void
cached_flow_free (CachedFlow *cached)
{
  g_object_unref (cached->flow);
  g_free (cached);
}

/* The latest version of @flow_id in @workspace_id, as a flow to run. A version never
 * changes once saved, so the flow made from it serves every later start until a newer
 * version is saved (here or by another process on the same store): the store is asked
 * for the latest version each time, but it is parsed, validated and planned once. Fails
 * with the store's error, or DECA_ENGINE_ERROR_INVALID naming the first problem, whose
 * whole list goes to @out_problems (nullable). */
static DecaFlow *
load_latest_flow (DecaApiFlows  *self,
                  const char    *workspace_id,
                  const char    *flow_id,
                  GPtrArray    **out_problems,
                  GError       **error)
{
  g_autofree char *key = g_strconcat (workspace_id, "\n", flow_id, NULL);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  CachedFlow *cached;
  DecaFlow *flow;
  gint64 version = 0;

  text = deca_store_load_workspace_flow (self->store, workspace_id, flow_id, 0, &version, error);
  if (text == NULL)
    {
      g_hash_table_remove (self->flow_cache, key);
      return NULL;
    }
  cached = g_hash_table_lookup (self->flow_cache, key);
  if (cached != NULL && cached->version == version)
    return g_object_ref (cached->flow);
  if (!(document = deca_json_parse (text, -1, error)))
    return NULL;
  problems = deca_validate_flow_json (document, self->registry);
  if (problems->len > 0)
    {
      DecaValidationProblem *problem = g_ptr_array_index (problems, 0);

      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID, "%s: %s", problem->pointer,
                   problem->message);
      if (out_problems != NULL)
        *out_problems = g_steal_pointer (&problems);
      return NULL;
    }
  if (!(flow = deca_flow_new_from_json (document, error)))
    return NULL;
  cached = g_new (CachedFlow, 1);
  cached->version = version;
  cached->flow = g_object_ref (flow);
  g_hash_table_replace (self->flow_cache, g_steal_pointer (&key), cached);
  return flow;
}

/* POST /flows/{id}/validate: the problems of the document in the body (a proposed next
 * version), or of the latest version when the body is empty. Nothing is saved. */
static void
validate_cb (DecaRequest *request,
             gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;
  const char *flow_id = deca_request_get_param (request, "id");
  g_autoptr(DecaFlowSummary) summary = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *proposed;
  gboolean ok;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  proposed = _deca_api_read_body_object (request, TRUE, &ok);
  if (!ok)
    return;
  if (!(summary = lookup_flow (self, request, principal, flow_id)))
    return;
  if (proposed != NULL)
    document = json_node_ref (deca_request_get_json (request));
  else if (!(document = load_latest_document (self, request, principal, flow_id)))
    return;
  problems = deca_validate_flow_json (document, self->registry);
  body = _deca_api_problems_json (problems);
  json_object_set_boolean_member (json_node_get_object (body), "valid", problems->len == 0);
  deca_request_respond_json (request, 200, body);
}

/* --- executions: waiting for one ---------------------------------------------------- */

static gboolean
execution_settled (DecaExecution *execution)
{
  return deca_execution_is_finished (execution) ||
         deca_execution_get_status (execution) == DECA_EXECUTION_PAUSED;
}

/* Answers a waiting request from an idle callback: the status notification comes from
 * inside the executor's round, before that round's checkpoints are written. */
static gboolean
waiter_answer_cb (gpointer data)
{
  Waiter *waiter = data;
  DecaApiFlows *self = waiter->self;
  const DecaPrincipal *principal = deca_request_get_principal (waiter->request);

  g_clear_pointer (&waiter->idle, g_source_unref);
  if (!deca_request_is_finished (waiter->request))
    _deca_api_respond_execution (self, waiter->request, principal->workspace_id, deca_execution_get_id (waiter->execution),
                                 200);
  g_ptr_array_remove (self->waiters, waiter);
  return G_SOURCE_REMOVE;
}

static void
waiter_schedule (Waiter *waiter)
{
  if (waiter->idle != NULL)
    return;
  waiter->idle = g_idle_source_new ();
  g_source_set_callback (waiter->idle, waiter_answer_cb, waiter, NULL);
  g_source_attach (waiter->idle, waiter->self->context);
}

static void
waiter_status_cb (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    data)
{
  Waiter *waiter = data;

  if (execution_settled (waiter->execution))
    waiter_schedule (waiter);
}

/* Answers the start of @execution: 202 with its id and a Location, or, with ?wait=true,
 * 200 with the execution once it finished or paused for an approval. */
void
_deca_api_respond_started (DecaApiFlows        *self,
                           DecaRequest         *request,
                           const DecaPrincipal *principal,
                           DecaExecution       *execution,
                           gboolean             wait)
{
  g_autofree char *location = g_strdup_printf ("/api/v1/executions/%s", deca_execution_get_id (execution));

  g_signal_emit (self, signals[SIGNAL_EXECUTION_STARTED], 0, execution);
  deca_request_set_response_header (request, "Location", location);
  if (wait)
    {
      Waiter *waiter = g_new0 (Waiter, 1);

      waiter->self = self;
      waiter->request = deca_request_ref (request);
      waiter->execution = g_object_ref (execution);
      waiter->notify_id = g_signal_connect (execution, "notify::status", G_CALLBACK (waiter_status_cb), waiter);
      g_ptr_array_add (self->waiters, waiter);
      deca_request_defer (request);
      if (execution_settled (execution))
        waiter_schedule (waiter);
      return;
    }
  _deca_api_respond_execution (self, request, principal->workspace_id, deca_execution_get_id (execution), 202);
}

static void
execute_cb (DecaRequest *request,
            gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;
  const char *flow_id = deca_request_get_param (request, "id");
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(DecaFlow) flow = NULL;
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *body;
  JsonNode *input = NULL;
  g_autoptr(JsonObject) trigger = NULL;
  g_autoptr(JsonNode) trigger_node = NULL;
  g_autofree char *actor = NULL;
  gboolean wait, wait_set, ok;

  if (!(principal = _deca_api_require_principal (request)) || !read_boolean (request, "wait", &wait_set, &wait))
    return;
  body = _deca_api_read_body_object (request, TRUE, &ok);
  if (!ok)
    return;
  /* {"name": "Ada"} without the "input" wrapper would otherwise run with no input at all. */
  if (body != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (body);

      for (GList *l = members; l != NULL; l = l->next)
        if (!g_str_equal (l->data, "input"))
          {
            g_autoptr(GString) pointer = g_string_new (NULL);

            deca_json_pointer_append (pointer, l->data);
            deca_request_respond_bad_field (request, pointer->str,
                                            _("This member is not part of an execute request: the flow's "
                                              "input goes inside \"input\", as in {\"input\": {…}}"));
            return;
          }
    }
  if (body != NULL && (input = json_object_get_member (body, "input")) != NULL && !JSON_NODE_HOLDS_OBJECT (input) &&
      !JSON_NODE_HOLDS_NULL (input))
    {
      deca_request_respond_bad_field (request, "/input", _("input must be an object"));
      return;
    }
  if (input != NULL && JSON_NODE_HOLDS_NULL (input))
    input = NULL;
  if (!(flow = load_latest_flow (self, principal->workspace_id, flow_id, &problems, &error)))
    {
      if (problems != NULL)
        respond_problems (request, problems);
      else
        _deca_api_respond_store_error (request, error, "flow");
      return;
    }
  actor = deca_audit_actor_of (request);
  trigger = json_object_new ();
  json_object_set_string_member (trigger, "type", "api");
  json_object_set_string_member (trigger, "actor", actor);
  trigger_node = json_node_init_object (json_node_alloc (), trigger);
  execution = deca_executor_start_full (self->executor, flow, input, trigger_node, &error);
  if (execution == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  _deca_api_audit (request, "flow.execute", deca_execution_get_id (execution), 0);
  _deca_api_respond_started (self, request, principal, execution, wait);
}

/* --- starts for the triggers --------------------------------------------------------- */

DecaFlow *
deca_api_flows_load_flow (DecaApiFlows  *self,
                          const char    *workspace_id,
                          const char    *flow_id,
                          GError       **error)
{
  g_return_val_if_fail (DECA_IS_API_FLOWS (self), NULL);
  g_return_val_if_fail (workspace_id != NULL && flow_id != NULL, NULL);

  return load_latest_flow (self, workspace_id, flow_id, NULL, error);
}

DecaExecution *
deca_api_flows_start_execution (DecaApiFlows  *self,
                                DecaFlow      *flow,
                                JsonNode      *input,
                                JsonNode      *trigger,
                                GError       **error)
{
  DecaExecution *execution;

  g_return_val_if_fail (DECA_IS_API_FLOWS (self), NULL);
  g_return_val_if_fail (DECA_IS_FLOW (flow), NULL);
  g_return_val_if_fail (input == NULL || JSON_NODE_HOLDS_OBJECT (input), NULL);
  g_return_val_if_fail (trigger != NULL && JSON_NODE_HOLDS_OBJECT (trigger), NULL);

  execution = deca_executor_start_full (self->executor, flow, input, trigger, error);
  if (execution != NULL)
    g_signal_emit (self, signals[SIGNAL_EXECUTION_STARTED], 0, execution);
  return execution;
}

/* --- activation checks --------------------------------------------------------------- */

typedef struct {
  DecaApiFlowsActivationCheck check;
  gpointer user_data;
  GDestroyNotify destroy;
} ActivationCheck;

static void
activation_check_clear (gpointer data)
{
  ActivationCheck *entry = data;

  if (entry->destroy != NULL)
    entry->destroy (entry->user_data);
}

void
deca_api_flows_add_activation_check (DecaApiFlows                *self,
                                     DecaApiFlowsActivationCheck  check,
                                     gpointer                     user_data,
                                     GDestroyNotify               destroy)
{
  ActivationCheck entry = { check, user_data, destroy };

  g_return_if_fail (DECA_IS_API_FLOWS (self));
  g_return_if_fail (check != NULL);

  g_array_append_val (self->activation_checks, entry);
}

gboolean
deca_api_flows_check_activation (DecaApiFlows  *self,
                                 const char    *workspace_id,
                                 const char    *flow_id,
                                 DecaFlow      *flow,
                                 GError       **error)
{
  g_return_val_if_fail (DECA_IS_API_FLOWS (self), FALSE);
  g_return_val_if_fail (workspace_id != NULL && flow_id != NULL, FALSE);
  g_return_val_if_fail (DECA_IS_FLOW (flow), FALSE);

  for (guint i = 0; i < self->activation_checks->len; i++)
    {
      ActivationCheck *entry = &g_array_index (self->activation_checks, ActivationCheck, i);

      if (!entry->check (self, workspace_id, flow_id, flow, entry->user_data, error))
        return FALSE;
    }
  return TRUE;
}

/* --- the object --------------------------------------------------------------------- */

static void
deca_api_flows_dispose (GObject *object)
{
  DecaApiFlows *self = DECA_API_FLOWS (object);

  if (self->waiters != NULL)
    g_ptr_array_set_size (self->waiters, 0);
  /* The checks' data may hold references to objects that hold this one. */
  if (self->activation_checks != NULL)
    g_array_set_size (self->activation_checks, 0);
  if (self->executor != NULL && self->event_id != 0)
    {
      deca_executor_remove_event_listener (self->executor, self->event_id);
      self->event_id = 0;
    }
  if (self->queue_collect_id != 0)
    deca_metrics_remove_collect_func (self->metrics, self->queue_collect_id);
  self->queue_collect_id = 0;
  g_clear_object (&self->metrics);
  g_clear_object (&self->executor);
  g_clear_object (&self->registry);
  G_OBJECT_CLASS (deca_api_flows_parent_class)->dispose (object);
}

static void
deca_api_flows_finalize (GObject *object)
{
  DecaApiFlows *self = DECA_API_FLOWS (object);

  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_pointer (&self->flow_cache, g_hash_table_unref);
  g_clear_pointer (&self->activation_checks, g_array_unref);
  g_clear_pointer (&self->active, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (deca_api_flows_parent_class)->finalize (object);
}

static void
deca_api_flows_class_init (DecaApiFlowsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_api_flows_dispose;
  object_class->finalize = deca_api_flows_finalize;

  signals[SIGNAL_FLOW_SAVED] =
    g_signal_new ("flow-saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64);
  signals[SIGNAL_FLOW_ACTIVE_CHANGED] =
    g_signal_new ("flow-active-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[SIGNAL_FLOW_DELETED] =
    g_signal_new ("flow-deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_EXECUTION_STARTED] =
    g_signal_new ("execution-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, DECA_TYPE_EXECUTION);
}

static void
deca_api_flows_init (DecaApiFlows *self)
{
  self->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
  self->flow_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cached_flow_free);
  self->activation_checks = g_array_new (FALSE, FALSE, sizeof (ActivationCheck));
  g_array_set_clear_func (self->activation_checks, activation_check_clear);
  self->active = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->context = g_main_context_ref_thread_default ();
}

static const DecaApiRouteSpec route_specs[] = {
  { "GET", "/api/v1/flows", list_flows_cb, DECA_PERMISSION_READ_FLOWS },
  { "POST", "/api/v1/flows", create_flow_cb, DECA_PERMISSION_WRITE_FLOWS },
  { "GET", "/api/v1/flows/{id}", get_flow_cb, DECA_PERMISSION_READ_FLOWS },
  { "PUT", "/api/v1/flows/{id}", put_flow_cb, DECA_PERMISSION_WRITE_FLOWS },
  { "DELETE", "/api/v1/flows/{id}", delete_flow_cb, DECA_PERMISSION_DELETE_FLOWS },
  { "GET", "/api/v1/flows/{id}/versions", list_versions_cb, DECA_PERMISSION_READ_FLOWS },
  { "GET", "/api/v1/flows/{id}/versions/{version}", get_version_cb, DECA_PERMISSION_READ_FLOWS },
  { "POST", "/api/v1/flows/{id}/activate", activate_cb, DECA_PERMISSION_WRITE_FLOWS },
  { "POST", "/api/v1/flows/{id}/deactivate", deactivate_cb, DECA_PERMISSION_WRITE_FLOWS },
  { "POST", "/api/v1/flows/{id}/validate", validate_cb, DECA_PERMISSION_READ_FLOWS },
  { "POST", "/api/v1/flows/{id}/execute", execute_cb, DECA_PERMISSION_READ_FLOWS | DECA_PERMISSION_WRITE_EXECUTIONS },
};

/* --- routes ------------------------------------------------------------------------ */

/* Adds the @n_specs routes of @specs to @server, each with a reference to @self and its
 * required permissions. FALSE with @error when one is refused (the routes added before
 * stay, with their references). */
gboolean
_deca_api_add_routes (DecaApiFlows           *self,
                      DecaServer             *server,
                      const DecaApiRouteSpec *specs,
                      gsize                   n_specs,
                      GError                **error)
{
  for (gsize i = 0; i < n_specs; i++)
    {
      DecaRoute *route = deca_server_add_route (server, specs[i].method, specs[i].pattern,
                                                DECA_ROUTE_NONE, specs[i].handler, g_object_ref (self),
                                                g_object_unref, error);

      if (route == NULL)
        {
          /* The router takes the reference only with the route. */
          g_object_unref (self);
          return FALSE;
        }
      deca_route_set_required_permissions (route, specs[i].permissions);
    }
  return TRUE;
}

/* Counts what the executor does, for GET /metrics. */
static void
executor_event_cb (DecaExecutor    *executor,
                   const DecaEvent *event,
                   gpointer         user_data)
{
  DecaApiFlows *self = user_data;

  switch (event->type)
    {
    case DECA_EVENT_EXECUTION_STARTED:
    case DECA_EVENT_EXECUTION_RESUMED:
      g_hash_table_add (self->active, g_strdup (event->execution_id));
      break;
    case DECA_EVENT_EXECUTION_PAUSED:
      g_hash_table_remove (self->active, event->execution_id);
      break;
    case DECA_EVENT_EXECUTION_FINISHED:
      {
        const char *labels[] = { event->status != NULL ? event->status : "unknown", NULL };

        g_hash_table_remove (self->active, event->execution_id);
        deca_metrics_family_add (self->executions_total, labels, 1);
        deca_metrics_family_observe (self->execution_seconds, labels, event->duration_us / (double) G_USEC_PER_SEC);
      }
      break;
    case DECA_EVENT_NODE_SUCCEEDED:
    case DECA_EVENT_NODE_FAILED:
      {
        const char *labels[] = { event->node_type != NULL ? event->node_type : "unknown",
                                 event->type == DECA_EVENT_NODE_SUCCEEDED ? DECA_STATUS_SUCCEEDED : DECA_STATUS_FAILED,
                                 NULL };

        deca_metrics_family_observe (self->node_seconds, labels, event->duration_us / (double) G_USEC_PER_SEC);
      }
      return;
    default:
      return;
    }
  deca_metrics_family_set (self->executions_active, NULL, g_hash_table_size (self->active));
}

/* Returns (transfer none) the family @name of @metrics, registered (a counter, a gauge
 * or a histogram of durations) when no one did yet: other parts that run executions may
 * count into the same families. */
static DecaMetricsFamily *
family (DecaMetrics *metrics,
        const char  *name,
        const char  *help,
        const char  *const *labels,
        gboolean     histogram,
        gboolean     gauge)
{
  DecaMetricsFamily *existing = deca_metrics_lookup (metrics, name);
  const double *buckets;
  gsize n_buckets;

  if (existing != NULL)
    return existing;
  if (gauge)
    return deca_metrics_add_gauge (metrics, name, help, labels);
  if (!histogram)
    return deca_metrics_add_counter (metrics, name, help, labels);
  buckets = deca_metrics_default_duration_buckets (&n_buckets);
  return deca_metrics_add_histogram (metrics, name, help, labels, buckets, n_buckets);
}

/* Sets deca_queue_depth from the executor when the metrics are written: walking the
 * queues at a scrape costs nothing per node or execution, where counting at each event
 * would be on the executor's hot path. */
static void
collect_queue_depth_cb (DecaMetrics *metrics,
                        gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  static const char * const nodes[] = { "nodes", NULL };
  static const char * const executions[] = { "executions", NULL };
  guint n_nodes, n_executions;

  deca_executor_get_queue_depth (self->executor, &n_nodes, &n_executions);
  deca_metrics_family_set (self->queue_depth, nodes, n_nodes);
  deca_metrics_family_set (self->queue_depth, executions, n_executions);
}

static void
add_metrics (DecaApiFlows *self,
             DecaMetrics  *metrics)
{
  const char *status[] = { "status", NULL };
  const char *type_status[] = { "type", "status", NULL };

  self->executions_total = family (metrics, "deca_executions_total", "Executions finished, by status.",
                                   status, FALSE, FALSE);
  self->execution_seconds = family (metrics, "deca_execution_duration_seconds",
                                    "How long finished executions took, by status.",
                                    status, TRUE, FALSE);
  self->node_seconds = family (metrics, "deca_node_duration_seconds",
                               "How long node runs took, by node type and outcome.", type_status, TRUE, FALSE);
  self->executions_active = family (metrics, "deca_executions_active",
                                    "Executions running now (started or resumed, not paused or finished).",
                                    NULL, FALSE, TRUE);
  deca_metrics_family_set (self->executions_active, NULL, 0);
  self->event_id = deca_executor_add_event_listener (self->executor, executor_event_cb, self);
  self->queue_depth = family (metrics, "deca_queue_depth",
                              "Work waiting in the executor: queue=\"nodes\", node runs queued but not started; "
                              "queue=\"executions\", executions with no node running (paused at an approval, "
                              "in a retry's back-off, or all of their ready nodes queued).",
                              (const char *[]) { "queue", NULL }, FALSE, TRUE);
  /* /metrics runs on the server's thread, the executor's. */
  self->metrics = g_object_ref (metrics);
  self->queue_collect_id = deca_metrics_add_collect_func (metrics, collect_queue_depth_cb, self, NULL);
}

typedef struct {
  gboolean ran;
  GError *error;
} WriterSetup;

/* The writer's connection checkpoints as the server's does (docs/storage.md,
 * "Checkpoints"): on a thread of its own, not inside the commits every execution waits
 * for. @data is a WriterSetup for the outcome; the caller waits for the job. */
static gpointer
writer_setup_job (DecaStore     *store,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  WriterSetup *setup = data;

  setup->ran = TRUE;
  deca_store_checkpoint_in_background (store, &setup->error);
  return NULL;
}

/* A new executor on the server's store, whose checkpoints a store worker writes on its
 * own thread (deca_executor_set_store_worker()): the server's thread then answers
 * requests and runs nodes while a batch commits. A store in memory has no file for a
 * second connection, so there the executor writes itself. */
static DecaExecutor *
executor_new (DecaNodeRegistry  *registry,
              DecaStore         *store,
              GError           **error)
{
  g_autoptr(DecaExecutor) executor = deca_executor_new (registry);
  const char *path = deca_store_get_path (store);

  deca_executor_set_store (executor, store);
  if (g_strcmp0 (path, ":memory:") != 0)
    {
      g_autoptr(DecaStoreWorker) worker = deca_store_worker_new (path);
      WriterSetup setup = { FALSE, NULL };

      deca_store_worker_call_async (worker, writer_setup_job, &setup, NULL, NULL, NULL, NULL, NULL);
      deca_store_worker_flush (worker);
      if (!setup.ran)
        {
          /* The worker could not open the file the server's store has open. */
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                       _("The executor cannot open a second connection to the store"));
          return NULL;
        }
      if (setup.error != NULL)
        {
          g_propagate_error (error, setup.error);
          return NULL;
        }
      deca_executor_set_store_worker (executor, worker);
    }
  return g_steal_pointer (&executor);
}

DecaApiFlows *
deca_api_flows_register (DecaServer    *server,
                         DecaExecutor  *executor,
                         GError       **error)
{
  g_autoptr(DecaApiFlows) self = NULL;

  g_return_val_if_fail (DECA_IS_SERVER (server), NULL);
  g_return_val_if_fail (executor == NULL || DECA_IS_EXECUTOR (executor), NULL);
  g_return_val_if_fail (executor == NULL || deca_executor_get_store (executor) == deca_server_get_store (server), NULL);

  self = g_object_new (DECA_TYPE_API_FLOWS, NULL);
  self->server = server;
  self->store = deca_server_get_store (server);
  if (executor != NULL)
    {
      self->executor = g_object_ref (executor);
      self->registry = g_object_ref (deca_executor_get_registry (executor));
    }
  else
    {
      self->registry = deca_node_registry_new_builtin ();
      if (!(self->executor = executor_new (self->registry, self->store, error)))
        return NULL;
    }

  if (!_deca_api_add_routes (self, server, route_specs, G_N_ELEMENTS (route_specs), error)
      || !_deca_api_executions_add_routes (self, server, error))
    return NULL;
  add_metrics (self, deca_server_get_metrics (server));
  return g_steal_pointer (&self);
}

DecaExecutor *
deca_api_flows_get_executor (DecaApiFlows *self)
{
  g_return_val_if_fail (DECA_IS_API_FLOWS (self), NULL);

  return self->executor;
}

int
deca_api_flows_resume_interrupted (DecaApiFlows  *self,
                                   GError       **error)
{
  g_autoptr(GPtrArray) resumed = NULL;

  g_return_val_if_fail (DECA_IS_API_FLOWS (self), -1);

  resumed = deca_executor_resume_all (self->executor, error);
  if (resumed == NULL)
    return -1;
  for (guint i = 0; i < resumed->len; i++)
    g_signal_emit (self, signals[SIGNAL_EXECUTION_STARTED], 0, g_ptr_array_index (resumed, i));
  return (int) resumed->len;
}
