/* deca-api-executions.c: the executions resource of the REST API (docs/server.md, "Flows
 * and executions"): list with filters and paging, detail with node results, cancel,
 * retry, resume from a node, approve and reject. Registered by deca_api_flows_register();
 * the executions run on its executor. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <deca-engine-error.h>
#include <deca-json.h>
#include <deca-store-server.h>

#include "deca-api-flows-private.h"
#include "deca-audit.h"
#include "deca-rbac.h"

/* --- JSON of records ---------------------------------------------------------------- */

static JsonObject *
node_result_object (const DecaNodeResultRecord *record)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "node_key", record->node_key);
  json_object_set_string_member (object, "node_id", record->node_id);
  json_object_set_string_member (object, "status", record->status);
  _deca_api_set_nullable_string_member (object, "port", record->port);
  _deca_api_set_json_member (object, "input", record->input);
  _deca_api_set_json_member (object, "output", record->output);
  _deca_api_set_json_member (object, "error", record->error);
  json_object_set_int_member (object, "attempts", record->attempts);
  _deca_api_set_time_member (object, "started_at", record->started_at);
  _deca_api_set_time_member (object, "finished_at", record->finished_at);
  return object;
}

/* An execution as the API shows it; with @node_results (element-type
 * DecaNodeResultRecord, nullable) its node results and the approvals it waits for. */
static JsonNode *
execution_json (const DecaExecutionRecord *record,
                GPtrArray                 *node_results)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", record->id);
  json_object_set_string_member (object, "flow_id", record->flow_id);
  json_object_set_int_member (object, "flow_version", record->flow_version);
  json_object_set_string_member (object, "status", record->status);
  _deca_api_set_nullable_string_member (object, "parent_id", record->parent_id);
  _deca_api_set_json_member (object, "trigger", record->trigger);
  _deca_api_set_json_member (object, "input", record->input);
  _deca_api_set_json_member (object, "output", record->output);
  _deca_api_set_json_member (object, "error", record->error);
  _deca_api_set_time_member (object, "created_at", record->created_at);
  _deca_api_set_time_member (object, "started_at", record->started_at);
  _deca_api_set_time_member (object, "finished_at", record->finished_at);
  if (node_results != NULL)
    {
      JsonArray *results = json_array_new ();
      JsonArray *waiting = json_array_new ();

      for (guint i = 0; i < node_results->len; i++)
        {
          DecaNodeResultRecord *result = g_ptr_array_index (node_results, i);

          json_array_add_object_element (results, node_result_object (result));
          if (g_str_equal (result->status, DECA_STATUS_PAUSED))
            json_array_add_string_element (waiting, result->node_key);
        }
      json_object_set_array_member (object, "node_results", results);
      json_object_set_array_member (object, "waiting_approvals", waiting);
    }
  json_node_take_object (node, object);
  return node;
}

/* Reads execution @id of @workspace_id from @store: returns (transfer full) its node
 * results and sets *@out_record, or answers the error and returns NULL. */
static GPtrArray *
read_execution (DecaStore            *store,
                DecaRequest          *request,
                const char           *workspace_id,
                const char           *id,
                DecaExecutionRecord **out_record)
{
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *results = NULL;

  record = deca_store_get_workspace_execution (store, workspace_id, id, &error);
  if (record != NULL)
    results = deca_store_list_node_results (store, id, &error);
  if (results == NULL)
    {
      _deca_api_respond_store_error (request, error, "execution");
      return NULL;
    }
  *out_record = g_steal_pointer (&record);
  return results;
}

/* read_execution(), the executor's pending checkpoints written first so that it is
 * current. */
static GPtrArray *
read_current_execution (DecaApiFlows         *self,
                        DecaRequest          *request,
                        const char           *workspace_id,
                        const char           *id,
                        DecaExecutionRecord **out_record)
{
  g_autoptr(GError) error = NULL;

  if (!deca_executor_flush (self->executor, &error))
    {
      deca_request_respond_error (request, error, NULL);
      return NULL;
    }
  return read_execution (self->store, request, workspace_id, id, out_record);
}

/* An answer read from the store once the checkpoints queued before it are durable. It
 * holds the store, not the routes' object: the executor may outlive that. */
typedef struct _StoreAnswer StoreAnswer;
struct _StoreAnswer {
  DecaStore *store;
  DecaRequest *request;
  char *workspace_id;
  char *id;       /* (nullable) the execution */
  guint number;   /* the status to answer with, or the page's size */
  void (*answer) (StoreAnswer *answer);
};

static void
store_answer_free (StoreAnswer *answer)
{
  g_object_unref (answer->store);
  deca_request_unref (answer->request);
  g_free (answer->workspace_id);
  g_free (answer->id);
  g_free (answer);
}

static void
store_answer_cb (gpointer data)
{
  StoreAnswer *answer = data;

  if (!deca_request_is_finished (answer->request))
    answer->answer (answer);
}

/* Answers @request with @func once everything the executor queued so far is durable:
 * read then, the store is current for it. Unlike a flush (read_current_execution()) this
 * does not hold up the server's thread while the store worker commits; the request
 * waits instead. */
static void
answer_when_durable (DecaApiFlows  *self,
                     DecaRequest   *request,
                     const char    *workspace_id,
                     const char    *id,
                     guint          number,
                     void         (*func) (StoreAnswer *answer))
{
  StoreAnswer *answer = g_new0 (StoreAnswer, 1);

  answer->store = g_object_ref (self->store);
  answer->request = deca_request_ref (request);
  answer->workspace_id = g_strdup (workspace_id);
  answer->id = g_strdup (id);
  answer->number = number;
  answer->answer = func;
  deca_request_defer (request);
  deca_executor_call_when_durable (self->executor, store_answer_cb, answer, (GDestroyNotify) store_answer_free);
}

static void
answer_execution (StoreAnswer *answer)
{
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(GPtrArray) results = read_execution (answer->store, answer->request, answer->workspace_id, answer->id,
                                                 &record);
  g_autoptr(JsonNode) body = NULL;

  if (results == NULL)
    return;
  body = execution_json (record, results);
  deca_request_respond_json (answer->request, answer->number, body);
}

/* Answers @status with execution @id as the store has it, with its node results, once
 * what the executor queued before is durable. */
void
_deca_api_respond_execution (DecaApiFlows        *self,
                             DecaRequest         *request,
                             const char          *workspace_id,
                             const char          *id,
                             guint                status)
{
  answer_when_durable (self, request, workspace_id, id, status, answer_execution);
}

/* --- executions --------------------------------------------------------------------- */

static gboolean
is_status_name (const char *status)
{
  const char *names[] = { DECA_STATUS_PENDING, DECA_STATUS_RUNNING, DECA_STATUS_PAUSED, DECA_STATUS_SUCCEEDED,
                          DECA_STATUS_FAILED, DECA_STATUS_CANCELLED, NULL };

  return g_strv_contains (names, status);
}

/* The types of trigger an execution records (docs/execution.md, "Triggers"). */
static gboolean
is_trigger_type (const char *type)
{
  const char *names[] = { "webhook", "schedule", "event", "api", "manual", "retry", "resume", "subflow", NULL };

  return g_strv_contains (names, type);
}

static gboolean
record_is_finished (const DecaExecutionRecord *record)
{
  return g_str_equal (record->status, DECA_STATUS_SUCCEEDED) || g_str_equal (record->status, DECA_STATUS_FAILED) ||
         g_str_equal (record->status, DECA_STATUS_CANCELLED);
}

/* A page of the executions GET /executions asks for (its parameters checked already). */
static void
answer_execution_list (StoreAnswer *answer)
{
  DecaRequest *request = answer->request;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = json_array_new ();
  guint limit = answer->number;

  /* One more than the page, to know whether there is a next one. */
  records = deca_store_list_workspace_executions (answer->store, answer->workspace_id,
                                                  deca_request_get_query (request, "status"),
                                                  deca_request_get_query (request, "flow_id"),
                                                  deca_request_get_query (request, "trigger"),
                                                  deca_request_get_query (request, "cursor"), limit + 1, &error);
  if (records == NULL)
    {
      if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
        deca_request_respond_bad_input (request, "parameter", "cursor",
                                        _("cursor must be the next_cursor of a previous page"));
      else
        deca_request_respond_error (request, error, NULL);
      return;
    }
  for (guint i = 0; i < records->len && i < limit; i++)
    json_array_add_element (items, execution_json (g_ptr_array_index (records, i), NULL));
  deca_request_respond_items (request, items, TRUE,
                              records->len > limit
                              ? ((DecaExecutionRecord *) g_ptr_array_index (records, limit - 1))->id : NULL);
}

static void
list_executions_cb (DecaRequest *request,
                    gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;
  const char *status = deca_request_get_query (request, "status");
  const char *trigger = deca_request_get_query (request, "trigger");
  guint limit;

  if (!(principal = _deca_api_require_principal (request)) || !_deca_api_read_limit (request, &limit))
    return;
  if (status != NULL && !is_status_name (status))
    {
      deca_request_respond_bad_input (request, "parameter", "status",
                                       _("status must be pending, running, paused, succeeded, failed or cancelled"));
      return;
    }
  if (trigger != NULL && !is_trigger_type (trigger))
    {
      deca_request_respond_bad_input (request, "parameter", "trigger",
                                       _("trigger must be webhook, schedule, event, api, manual, retry, resume or "
                                         "subflow"));
      return;
    }
  answer_when_durable (self, request, principal->workspace_id, NULL, limit, answer_execution_list);
}

static void
get_execution_cb (DecaRequest *request,
                  gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  _deca_api_respond_execution (self, request, principal->workspace_id, deca_request_get_param (request, "id"), 200);
}

/* The execution {id} of the caller's workspace, checkpoints written first; answers 404
 * and returns NULL when there is none. */
static DecaExecutionRecord *
lookup_execution (DecaApiFlows        *self,
                  DecaRequest         *request,
                  const DecaPrincipal *principal)
{
  g_autoptr(GError) error = NULL;
  DecaExecutionRecord *record = NULL;

  if (deca_executor_flush (self->executor, &error))
    record = deca_store_get_workspace_execution (self->store, principal->workspace_id,
                                                 deca_request_get_param (request, "id"), &error);
  if (record == NULL)
    _deca_api_respond_store_error (request, error, "execution");
  return record;
}

/* The live execution @id: the executor's, or resumed from the store (a paused one, or
 * one a previous process left). Answers 409 (another process runs it) or the error and
 * returns NULL when it cannot be had. */
static DecaExecution *
live_execution (DecaApiFlows *self,
                DecaRequest  *request,
                const char   *id)
{
  g_autoptr(GError) error = NULL;
  DecaExecution *execution = deca_executor_lookup (self->executor, id);

  if (execution != NULL)
    return g_object_ref (execution);
  execution = deca_executor_resume (self->executor, id, &error);
  if (execution == NULL)
    deca_request_respond_error (request, error, NULL);
  return execution;
}

static void
cancel_cb (DecaRequest *request,
           gpointer     user_data)
{
  DecaApiFlows *self = user_data;
  const DecaPrincipal *principal;
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(DecaExecution) execution = NULL;

  if (!(principal = _deca_api_require_principal (request)) || !(record = lookup_execution (self, request, principal)))
    return;
  if (record_is_finished (record))
    {
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT, _("The execution has finished"), NULL);
      return;
    }
  if (!(execution = live_execution (self, request, record->id)))
    return;
  deca_execution_cancel (execution);
  _deca_api_audit (request, "execution.cancel", record->id, 0);
  _deca_api_respond_execution (self, request, principal->workspace_id, record->id, 200);
}

/* Adds to @set the top-level nodes @node_id leads to, itself included. */
static void
collect_downstream (DecaFlow   *flow,
                    const char *node_id,
                    GHashTable *set)
{
  if (!g_hash_table_add (set, (gpointer) node_id))
    return;
  for (guint i = 0; i < deca_flow_get_n_connections (flow); i++)
    {
      const DecaFlowConnection *connection = deca_flow_get_connection (flow, i);

      if (g_str_equal (connection->from, node_id))
        collect_downstream (flow, connection->to, set);
    }
}

/* The top-level node a node key belongs to: "each[2]/double" -> "each". */
static char *
node_key_top (const char *node_key)
{
  return g_strndup (node_key, strcspn (node_key, "[/"));
}

/* Starts a new execution of @original's flow version with its input: from scratch
 * (@from_node NULL: retry), or keeping the results of the nodes that do not come after
 * @from_node (resume from a node). The new execution is written to the store as pending
 * and then resumed by the executor, which runs only what has no result. */
static DecaExecution *
rerun_execution (DecaApiFlows              *self,
                 const DecaExecutionRecord *original,
                 DecaFlow                  *flow,
                 const char                *from_node,
                 GError                   **error)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GHashTable) downstream = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) trigger_node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *trigger = json_object_new ();
  g_autofree char *trigger_text = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autofree char *id = g_uuid_string_random ();
  DecaExecutionRecord record = { 0 };

  json_object_set_string_member (trigger, "type", from_node != NULL ? "resume" : "retry");
  json_object_set_string_member (trigger, "execution_id", original->id);
  if (from_node != NULL)
    json_object_set_string_member (trigger, "from_node", from_node);
  if (original->trigger != NULL && (first = json_from_string (original->trigger, NULL)) != NULL &&
      JSON_NODE_HOLDS_OBJECT (first))
    {
      JsonObject *object = json_node_get_object (first);
      const char *type = json_object_get_string_member_with_default (object, "type", "");
      JsonNode *further;

      /* What started the first of a chain of retries, whichever one is retried. */
      if ((g_str_equal (type, "retry") || g_str_equal (type, "resume")) &&
          (further = json_object_get_member (object, "original")) != NULL)
        json_object_set_member (trigger, "original", json_node_copy (further));
      else
        json_object_set_member (trigger, "original", g_steal_pointer (&first));
    }
  json_node_take_object (trigger_node, trigger);
  trigger_text = deca_json_to_string (trigger_node, FALSE);

  record.id = id;
  record.flow_id = original->flow_id;
  record.flow_version = original->flow_version;
  record.status = (char *) DECA_STATUS_PENDING;
  record.input = original->input;
  record.trigger = trigger_text;
  record.workspace_id = original->workspace_id;

  if (!deca_store_begin (self->store, error))
    return NULL;
  if (!deca_store_insert_execution (self->store, &record, error))
    goto fail;
  if (from_node != NULL)
    {
      collect_downstream (flow, deca_flow_lookup_node (flow, from_node)->id, downstream);
      if (!(results = deca_store_list_node_results (self->store, original->id, error)))
        goto fail;
      for (guint i = 0; i < results->len; i++)
        {
          g_autoptr(DecaNodeResultRecord) copy = NULL;
          DecaNodeResultRecord *result = g_ptr_array_index (results, i);
          g_autofree char *top = node_key_top (result->node_key);

          if (!g_str_equal (result->status, DECA_STATUS_SUCCEEDED) || g_hash_table_contains (downstream, top))
            continue;
          copy = deca_node_result_record_copy (result);
          g_free (copy->execution_id);
          copy->execution_id = g_strdup (id);
          copy->event_seq = 0;
          if (!deca_store_put_node_result (self->store, copy, error))
            goto fail;
        }
    }
  if (!deca_store_commit (self->store, error))
    goto fail;
  return deca_executor_resume (self->executor, id, error);

fail:
  deca_store_rollback (self->store);
  return NULL;
}

static void
rerun (DecaApiFlows *self,
       DecaRequest  *request,
       gboolean      from_node_wanted)
{
  const DecaPrincipal *principal;
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(DecaFlow) flow = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *document = NULL;
  const char *from_node = NULL;
  JsonObject *body = NULL;
  gboolean ok;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  body = _deca_api_read_body_object (request, !from_node_wanted, &ok);
  if (!ok || (from_node_wanted && !_deca_api_read_string_member (request, body, "from_node", &from_node)))
    return;
  if (from_node_wanted && from_node == NULL)
    {
      deca_request_respond_bad_field (request, "/from_node",
                                      _("from_node is required: the id of the node to run again from"));
      return;
    }
  if (!(record = lookup_execution (self, request, principal)))
    return;
  if (!record_is_finished (record))
    {
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT,
                                          _("The execution has not finished; cancel it first"), NULL);
      return;
    }
  document = deca_store_load_flow (self->store, record->flow_id, record->flow_version, NULL, &error);
  if (document != NULL)
    flow = deca_flow_new_from_data (document, -1, &error);
  if (flow == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  if (from_node != NULL && deca_flow_lookup_node (flow, from_node) == NULL)
    {
      deca_request_respond_bad_field (request, "/from_node",
                                      _("from_node is not a node of the execution's flow version"));
      return;
    }
  execution = rerun_execution (self, record, flow, from_node, &error);
  if (execution == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  _deca_api_audit (request, from_node != NULL ? "execution.resume" : "execution.retry",
                   deca_execution_get_id (execution), 0);
  _deca_api_respond_started (self, request, principal, execution, FALSE);
}

static void
retry_cb (DecaRequest *request,
          gpointer     user_data)
{
  rerun (user_data, request, FALSE);
}

static void
resume_cb (DecaRequest *request,
           gpointer     user_data)
{
  rerun (user_data, request, TRUE);
}

/* Answers 200 with execution @id after @node_key was decided. The executor has queued
 * the node to run again with the decision but not run it yet, so the store still has it
 * paused: the answer shows it pending and no longer among the approvals it waits for. */
static void
respond_decided (DecaApiFlows *self,
                 DecaRequest  *request,
                 const char   *workspace_id,
                 const char   *id,
                 const char   *node_key)
{
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(GPtrArray) results = read_current_execution (self, request, workspace_id, id, &record);
  g_autoptr(JsonNode) body = NULL;

  if (results == NULL)
    return;
  for (guint i = 0; i < results->len; i++)
    {
      DecaNodeResultRecord *result = g_ptr_array_index (results, i);

      if (g_str_equal (result->node_key, node_key) && g_str_equal (result->status, DECA_STATUS_PAUSED))
        {
          g_free (result->status);
          result->status = g_strdup (DECA_STATUS_PENDING);
        }
    }
  body = execution_json (record, results);
  deca_request_respond_json (request, 200, body);
}

static void
decide (DecaApiFlows *self,
        DecaRequest  *request,
        gboolean      approved)
{
  const DecaPrincipal *principal;
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  const char *node = NULL;
  const char *comment = NULL;
  g_autofree char *actor = NULL;
  JsonObject *body;
  gboolean ok;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  body = _deca_api_read_body_object (request, TRUE, &ok);
  if (!ok || !_deca_api_read_string_member (request, body, "node", &node) ||
      !_deca_api_read_string_member (request, body, "comment", &comment))
    return;
  if (!(record = lookup_execution (self, request, principal)))
    return;
  if (!(results = deca_store_list_node_results (self->store, record->id, &error)))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  if (node == NULL)
    {
      /* Without a node: the one approval the execution waits for. */
      for (guint i = 0; i < results->len; i++)
        {
          DecaNodeResultRecord *result = g_ptr_array_index (results, i);

          if (!g_str_equal (result->status, DECA_STATUS_PAUSED))
            continue;
          if (node != NULL)
            {
              deca_request_respond_bad_field (request, "/node", _("Several approvals wait: name the node to decide"));
              return;
            }
          node = result->node_key;
        }
      if (node == NULL)
        {
          deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT,
                                              _("The execution is not waiting for an approval"), NULL);
          return;
        }
    }
  /* Recorded as the audit log names the caller ("key:ID", "user:SUB"), not a bare id
   * that could be either. */
  actor = deca_audit_actor_of (request);
  if (!deca_executor_decide (self->executor, record->id, node, approved, comment, actor, &error))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  _deca_api_audit (request, approved ? "execution.approve" : "execution.reject", record->id, 0);
  /* A paused execution is not live: it goes on once resumed, with the decision. */
  if (!(execution = live_execution (self, request, record->id)))
    return;
  respond_decided (self, request, principal->workspace_id, record->id, node);
}

static void
approve_cb (DecaRequest *request,
            gpointer     user_data)
{
  decide (user_data, request, TRUE);
}

static void
reject_cb (DecaRequest *request,
           gpointer     user_data)
{
  decide (user_data, request, FALSE);
}

static const DecaApiRouteSpec route_specs[] = {
  { "GET", "/api/v1/executions", list_executions_cb, DECA_PERMISSION_READ_EXECUTIONS },
  { "GET", "/api/v1/executions/{id}", get_execution_cb, DECA_PERMISSION_READ_EXECUTIONS },
  { "POST", "/api/v1/executions/{id}/cancel", cancel_cb, DECA_PERMISSION_WRITE_EXECUTIONS },
  { "POST", "/api/v1/executions/{id}/retry", retry_cb, DECA_PERMISSION_WRITE_EXECUTIONS },
  { "POST", "/api/v1/executions/{id}/resume", resume_cb, DECA_PERMISSION_WRITE_EXECUTIONS },
  { "POST", "/api/v1/executions/{id}/approve", approve_cb, DECA_PERMISSION_WRITE_EXECUTIONS },
  { "POST", "/api/v1/executions/{id}/reject", reject_cb, DECA_PERMISSION_WRITE_EXECUTIONS },
};

gboolean
_deca_api_executions_add_routes (DecaApiFlows  *self,
                                 DecaServer    *server,
                                 GError       **error)
{
  return _deca_api_add_routes (self, server, route_specs, G_N_ELEMENTS (route_specs), error);
}
