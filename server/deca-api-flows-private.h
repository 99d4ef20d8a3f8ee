#pragma once

/* deca-api-flows-private.h: what the flows and executions routes share
 * (deca-api-flows.c, deca-api-executions.c). Never installed. */

#include <deca-executor.h>
#include <deca-store.h>

#include "deca-api-flows.h"
#include "deca-principal.h"
#include "deca-rbac.h"

G_BEGIN_DECLS

#define DEFAULT_PAGE_SIZE 50
#define MAX_PAGE_SIZE     200

struct _DecaApiFlows
{
  GObject parent_instance;

  /* Borrowed: the server owns the routes, which own this object. */
  DecaServer *server;
  DecaStore *store;

  /* Owned. */
  DecaExecutor *executor;
  DecaNodeRegistry *registry;
  GMainContext *context;
  /* Requests of ?wait=true still waiting for their execution (Waiter). */
  GPtrArray *waiters;

  /* Metrics of the executions (families owned by the server's registry). */
  gulong event_id;
  GHashTable *active;                 /* ids of the executions running now */
  DecaMetricsFamily *executions_total;
  DecaMetricsFamily *execution_seconds;
  DecaMetricsFamily *node_seconds;
  DecaMetricsFamily *executions_active;
};

/* A route of the flows or executions API: what _deca_api_add_routes() adds. */
typedef struct {
  const char *method;
  const char *pattern;
  DecaRouteHandler handler;
  DecaPermissions permissions;
} DecaApiRouteSpec;

/* Adds @specs to @server, each route holding a reference to @self; FALSE with @error
 * when one is refused. */
gboolean  _deca_api_add_routes          (DecaApiFlows           *self,
                                         DecaServer             *server,
                                         const DecaApiRouteSpec *specs,
                                         gsize                   n_specs,
                                         GError                **error);
/* Adds the /api/v1/executions routes (deca-api-executions.c). */
gboolean  _deca_api_executions_add_routes (DecaApiFlows *self,
                                           DecaServer   *server,
                                           GError      **error);

/* Answers. */
/* A 404 "no such @what in this workspace". */
void      _deca_api_respond_not_found   (DecaRequest  *request,
                                         const char   *what);
/* A store or engine failure: not found (another workspace's resource too) as 404 naming
 * @what, the rest as deca_request_respond_error() maps it. */
void      _deca_api_respond_store_error (DecaRequest  *request,
                                         const GError *error,
                                         const char   *what);
/* Answers @status with execution @id of @workspace_id as the store has it, with its node
 * results, after writing the executor's pending checkpoints. */
void      _deca_api_respond_execution   (DecaApiFlows *self,
                                         DecaRequest  *request,
                                         const char   *workspace_id,
                                         const char   *id,
                                         guint         status);
/* Answers the start of @execution: 202 with it and a Location, or with @wait 200 once it
 * finished or paused for an approval; emits "execution-started". */
void      _deca_api_respond_started     (DecaApiFlows        *self,
                                         DecaRequest         *request,
                                         const DecaPrincipal *principal,
                                         DecaExecution       *execution,
                                         gboolean             wait);

/* JSON members: a time (µs) in ISO 8601 UTC or null; JSON text parsed, or null; a string
 * or null. */
void      _deca_api_set_time_member     (JsonObject   *object,
                                         const char   *name,
                                         gint64        us);
void      _deca_api_set_json_member     (JsonObject   *object,
                                         const char   *name,
                                         const char   *text);
void      _deca_api_set_nullable_string_member (JsonObject *object,
                                                const char *name,
                                                const char *value);

/* Access: the caller when it may use the route (a principal with a workspace and the
 * route's permissions); otherwise answers 401 or 403 and returns NULL. */
const DecaPrincipal *_deca_api_require_principal (DecaRequest *request);
/* An audit line for @request: @action on @target, ok; @version (0: none) in the details. */
void      _deca_api_audit               (DecaRequest  *request,
                                         const char   *action,
                                         const char   *target,
                                         gint64        version);

/* Input. Each answers 400 and returns FALSE (NULL with *@ok FALSE) for bad input. */
gboolean  _deca_api_read_limit          (DecaRequest  *request,
                                         guint        *limit);
JsonObject *_deca_api_read_body_object  (DecaRequest  *request,
                                         gboolean      optional,
                                         gboolean     *ok);
gboolean  _deca_api_read_string_member  (DecaRequest  *request,
                                         JsonObject   *body,
                                         const char   *name,
                                         const char  **value);

G_END_DECLS
