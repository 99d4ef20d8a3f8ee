/* deca-api-transfer.c: the export and import routes (see the header). The bundle itself is
 * engine code (deca-workspace-bundle.c), shared with `deca export` and `deca import`. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <deca-engine-error.h>
#include <deca-node-registry.h>
#include <deca-node-type.h>
#include <deca-workspace-bundle.h>

#include "deca-api-common.h"
#include "deca-api-transfer.h"
#include "deca-audit.h"
#include "deca-rbac.h"

/* What the two routes share; reference-counted (g_rc_box), one reference per route. */
typedef struct {
  DecaApiFlows *flows;            /* owned, nullable */
  DecaNodeRegistry *registry;     /* owned: what imported flows are checked against */
} ApiTransfer;

static void
api_transfer_clear (ApiTransfer *self)
{
  g_clear_object (&self->flows);
  g_clear_object (&self->registry);
}

static void
api_transfer_release (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) api_transfer_clear);
}

/* The caller when it may use the route and {ws} is its workspace; otherwise answers 401,
 * 403 or 404 (another workspace is never told apart from none) and returns NULL. */
static const DecaPrincipal *
caller_in_workspace (DecaRequest *request)
{
  const DecaPrincipal *principal = _deca_api_require_principal (request);

  if (principal == NULL)
    return NULL;
  if (!g_str_equal (deca_request_get_param (request, "ws"), principal->workspace_id))
    {
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_NOT_FOUND, _("No such workspace"), NULL);
      return NULL;
    }
  return principal;
}

static void
export_cb (DecaRequest *request,
           gpointer     user_data)
{
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const DecaPrincipal *principal;
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *disposition = NULL;

  if (!(principal = caller_in_workspace (request)))
    return;
  bundle = deca_workspace_bundle_export (store, principal->workspace_id, &error);
  if (bundle == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  /* Not a change, but a copy of the whole workspace leaving the server is worth a line. */
  deca_server_audit (request, "workspace.export", principal->workspace_id, DECA_AUDIT_OK, NULL);
  disposition = g_strdup_printf ("attachment; filename=\"deca-workspace-%s.json\"", principal->workspace_id);
  deca_request_set_response_header (request, "Content-Disposition", disposition);
  deca_request_set_response_header (request, "Cache-Control", "no-store");
  deca_request_respond_json (request, 200, bundle);
}

/* details of a 409: {"conflicts": [{"pointer", "section", "id", "message"}]}. */
static JsonNode *
conflicts_json (GPtrArray *conflicts)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < conflicts->len; i++)
    {
      DecaBundleConflict *conflict = g_ptr_array_index (conflicts, i);
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "pointer", conflict->pointer);
      json_object_set_string_member (entry, "section", deca_bundle_section_name (conflict->section));
      json_object_set_string_member (entry, "id", conflict->id);
      json_object_set_string_member (entry, "message", conflict->message);
      json_array_add_object_element (array, entry);
    }
  json_object_set_array_member (object, "conflicts", array);
  json_node_take_object (node, object);
  return node;
}

/* Tells the flows object of what the import did to flows, as its own routes would. */
static void
emit_flow_changes (ApiTransfer                  *self,
                   const char                   *workspace_id,
                   const DecaBundleImportReport *report)
{
  if (self->flows == NULL)
    return;
  for (guint i = 0; i < report->flow_changes->len; i++)
    {
      DecaBundleFlowChange *change = g_ptr_array_index (report->flow_changes, i);

      if (change->version > 0)
        {
          g_signal_emit_by_name (self->flows, "flow-saved", workspace_id, change->id, change->version);
          continue;
        }
      if (change->was_active)
        g_signal_emit_by_name (self->flows, "flow-active-changed", workspace_id, change->id, FALSE);
      g_signal_emit_by_name (self->flows, "flow-deleted", workspace_id, change->id);
    }
}

static void
import_cb (DecaRequest *request,
           gpointer     user_data)
{
  ApiTransfer *self = user_data;
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const char *mode_name = deca_request_get_query (request, "mode");
  const DecaPrincipal *principal;
  g_autoptr(DecaBundleImportReport) report = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  DecaBundleImportMode mode = DECA_BUNDLE_IMPORT_MERGE;
  JsonNode *bundle;
  gboolean ok;

  if (!(principal = caller_in_workspace (request)))
    return;
  if (mode_name != NULL && !deca_bundle_import_mode_from_string (mode_name, &mode))
    {
      deca_request_respond_bad_input (request, "parameter", "mode", _("mode must be merge or replace"));
      return;
    }
  bundle = deca_request_get_json (request);
  if (bundle == NULL)
    {
      deca_request_respond_bad_field (request, "", _("The body must be a workspace bundle, not empty"));
      return;
    }

  /* The import and its audit line in one transaction: both or neither. */
  if (!deca_store_begin (store, &error))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  ok = deca_workspace_bundle_import (store, principal->workspace_id, bundle, mode, self->registry, &report, &error);
  answer = report != NULL ? deca_bundle_import_report_to_json (report, mode) : NULL;
  if (ok && !deca_server_audit (request, "workspace.import", principal->workspace_id, DECA_AUDIT_OK, answer))
    {
      ok = FALSE;
      g_set_error_literal (&error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_INTERNAL,
                           "the audit line of the import could not be written");
    }
  if (ok)
    ok = deca_store_commit (store, &error);
  if (!ok)
    {
      deca_store_rollback (store);
      if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID))
        {
          g_autoptr(JsonNode) details = _deca_api_problems_json (report->problems);

          deca_request_respond_error_literal (request, DECA_SERVER_ERROR_UNPROCESSABLE, error->message, details);
        }
      else if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE) && report->conflicts->len > 0)
        {
          g_autoptr(JsonNode) details = conflicts_json (report->conflicts);

          deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT, error->message, details);
        }
      else
        deca_request_respond_error (request, error, NULL);
      return;
    }
  emit_flow_changes (self, principal->workspace_id, report);
  deca_request_respond_json (request, 200, answer);
}

gboolean
deca_api_transfer_register (DecaServer    *server,
                            DecaApiFlows  *flows,
                            GError       **error)
{
  /* Export reads what the caller could read route by route; import writes and deletes
   * the workspace's flows and library wholesale, which is an administrator's act: of the
   * existing permissions, manage:users is the one owners and admins hold and developers
   * do not. */
  static const DecaPermissions export_permissions =
    DECA_PERMISSION_READ_FLOWS | DECA_PERMISSION_READ_AGENTS | DECA_PERMISSION_READ_PROMPTS |
    DECA_PERMISSION_READ_FUNCTIONS | DECA_PERMISSION_READ_CREDENTIALS;
  static const DecaPermissions import_permissions =
    DECA_PERMISSION_WRITE_FLOWS | DECA_PERMISSION_DELETE_FLOWS | DECA_PERMISSION_WRITE_AGENTS |
    DECA_PERMISSION_DELETE_AGENTS | DECA_PERMISSION_WRITE_PROMPTS | DECA_PERMISSION_DELETE_PROMPTS |
    DECA_PERMISSION_WRITE_FUNCTIONS | DECA_PERMISSION_DELETE_FUNCTIONS | DECA_PERMISSION_READ_CREDENTIALS |
    DECA_PERMISSION_MANAGE_USERS;
  const struct {
    const char *method;
    const char *pattern;
    DecaRouteHandler handler;
    DecaPermissions permissions;
  } routes[] = {
    { "GET", "/api/v1/workspaces/{ws}/export", export_cb, export_permissions },
    { "POST", "/api/v1/workspaces/{ws}/import", import_cb, import_permissions },
  };
  ApiTransfer *self;

  g_return_val_if_fail (DECA_IS_SERVER (server), FALSE);
  g_return_val_if_fail (flows == NULL || DECA_IS_API_FLOWS (flows), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self = g_rc_box_new0 (ApiTransfer);
  self->flows = flows != NULL ? g_object_ref (flows) : NULL;
  self->registry = deca_node_registry_new_builtin ();
  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      DecaRoute *route = deca_server_add_route (server, routes[i].method, routes[i].pattern, DECA_ROUTE_NONE,
                                                routes[i].handler, g_rc_box_acquire (self), api_transfer_release,
                                                error);

      if (route == NULL)
        {
          /* The router keeps nothing of a route it refuses: drop that route's reference
           * and ours (the routes added before keep theirs). */
          api_transfer_release (self);
          api_transfer_release (self);
          return FALSE;
        }
      deca_route_set_required_permissions (route, routes[i].permissions);
    }
  api_transfer_release (self);
  return TRUE;
}
