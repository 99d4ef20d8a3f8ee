#pragma once

#include <deca-executor.h>

#include "deca-server.h"

G_BEGIN_DECLS

/*
 * DecaApiFlows: the flows and executions resources of the REST API (docs/server.md,
 * "Flows and executions"): /api/v1/flows (CRUD, immutable versions, activate and
 * deactivate, validate, execute) and /api/v1/executions (list with filters and paging,
 * detail with node results, cancel, retry, resume from a node, approve and reject).
 *
 * Every route reads the caller's workspace and permissions from the DecaPrincipal the
 * authentication step stored on the request (deca_request_get_principal()): no principal
 * is 401, a principal without a workspace or without the route's permission 403, and a
 * flow or execution of another workspace 404.
 *
 * Executions run on the executor given at registration (or one made for the server's
 * store), on the main context that was thread-default when it was made: they outlive the
 * request that started them, and with the store they are durable, so
 * deca_api_flows_resume_interrupted() at start picks up those a previous process left
 * running.
 *
 * Signals, for the dispatchers (schedules, events, webhooks) to follow the flows:
 * - "flow-saved" (workspace_id, flow_id, version): a flow was created or got a new version
 * - "flow-active-changed" (workspace_id, flow_id, active): a flow was activated or
 *   deactivated (deleting an active flow deactivates it)
 * - "flow-deleted" (workspace_id, flow_id)
 * - "execution-started" (DecaExecution): an execution was started, retried or resumed
 *   through the API
 */

#define DECA_TYPE_API_FLOWS (deca_api_flows_get_type ())
G_DECLARE_FINAL_TYPE (DecaApiFlows, deca_api_flows, DECA, API_FLOWS, GObject)

/* Registers the flows and executions routes on @server. @executor (nullable): the
 * executor to run flows on; it must use the server's store. NULL makes one with the
 * built-in nodes on deca_server_get_store(). Returns (transfer full) the resource object
 * (the routes keep it alive as long as the server lives), or NULL with @error when a
 * route cannot be added. The server is not referenced. */
DecaApiFlows *deca_api_flows_register           (DecaServer    *server,
                                                 DecaExecutor  *executor,
                                                 GError       **error);
/* Returns (transfer none) the executor the routes start executions on. */
DecaExecutor *deca_api_flows_get_executor       (DecaApiFlows  *self);
/* Resumes the executions the store has as running or pending that no live process owns
 * (a previous `deca serve` stopped or killed mid-run): call it once at start. Returns the
 * number resumed, or -1 with @error when the store cannot be read. */
int           deca_api_flows_resume_interrupted (DecaApiFlows  *self,
                                                 GError       **error);

/* For the triggers (webhooks, schedules, events), which start flows without an API
 * request of their own. */

/* Returns (transfer full) the latest version of flow @flow_id of @workspace_id, parsed and
 * checked against the node registry of the executor, or NULL with @error: the store's
 * DECA_ENGINE_ERROR_NOT_FOUND when the workspace has no such flow, or
 * DECA_ENGINE_ERROR_INVALID naming the first problem. */
DecaFlow     *deca_api_flows_load_flow          (DecaApiFlows  *self,
                                                 const char    *workspace_id,
                                                 const char    *flow_id,
                                                 GError       **error);
/* Starts @flow (a flow of its workspace, as deca_api_flows_load_flow() gives it) with
 * @input (nullable; an object: the trigger's data) on the routes' executor and emits
 * "execution-started", as the execute route does. @trigger (an object with a "type":
 * {"type":"webhook","method","path"}, {"type":"schedule","trigger","fire_time"},
 * {"type":"event","event_id","topic"}; docs/execution.md) is what the execution records
 * as having started it. Auditing is the caller's: it knows who started it and from
 * where. Returns (transfer full) the execution, or NULL with @error. */
DecaExecution *deca_api_flows_start_execution   (DecaApiFlows  *self,
                                                 DecaFlow      *flow,
                                                 JsonNode      *input,
                                                 JsonNode      *trigger,
                                                 GError       **error);

/* Activation checks: what may refuse to make a flow active, for the triggers that claim
 * something a workspace has only one of (a webhook's method and path). A check returns
 * TRUE to allow, or FALSE with @error (DECA_SERVER_ERROR_CONFLICT: answered 409 with its
 * message). @flow is the version that would be active: the latest one on activation, the
 * new one when an active flow gets a new version (PUT). */
typedef gboolean (*DecaApiFlowsActivationCheck) (DecaApiFlows  *self,
                                                 const char    *workspace_id,
                                                 const char    *flow_id,
                                                 DecaFlow      *flow,
                                                 gpointer       user_data,
                                                 GError       **error);

/* Adds @check, consulted in the order added before a flow is activated and before an
 * active flow is saved as a new version. @destroy frees @user_data with @self. */
void          deca_api_flows_add_activation_check (DecaApiFlows                *self,
                                                   DecaApiFlowsActivationCheck  check,
                                                   gpointer                     user_data,
                                                   GDestroyNotify               destroy);
/* Runs the checks for @flow (a version of @flow_id of @workspace_id): TRUE when every
 * one allows it, else FALSE with the first refusal. */
gboolean      deca_api_flows_check_activation   (DecaApiFlows  *self,
                                                 const char    *workspace_id,
                                                 const char    *flow_id,
                                                 DecaFlow      *flow,
                                                 GError       **error);

G_END_DECLS
