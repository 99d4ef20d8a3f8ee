#pragma once

/* deca-api-flows-private.h: what the flows and executions routes share
 * (deca-api-flows.c, deca-api-executions.c). Never installed. */

#include <deca-executor.h>
#include <deca-store.h>

#include "deca-api-common.h"
#include "deca-api-flows.h"
#include "deca-principal.h"
#include "deca-rbac.h"

G_BEGIN_DECLS

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
  /* "WS\nFLOW" -> CachedFlow: the latest version of a flow as the routes last made it
   * (parsed, validated, planned), for starts of that version (load_latest_flow()). */
  GHashTable *flow_cache;
  /* The activation checks (ActivationCheck), in the order added. */
  GArray *activation_checks;

  /* Metrics of the executions (families owned by the server's registry). */
  guint event_id;    /* deca_executor_add_event_listener() */
  GHashTable *active;                 /* ids of the executions running now */
  DecaMetricsFamily *executions_total;
  DecaMetricsFamily *execution_seconds;
  DecaMetricsFamily *node_seconds;
  DecaMetricsFamily *executions_active;
  /* deca_queue_depth{queue}: read from the executor when /metrics is scraped, through a
   * collect function of @metrics (referenced, so it outlives the function). */
  DecaMetrics *metrics;
  guint queue_collect_id;
  DecaMetricsFamily *queue_depth;
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

G_END_DECLS
