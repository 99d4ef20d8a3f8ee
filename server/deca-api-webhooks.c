/* deca-api-webhooks.c: the webhook triggers of `deca serve` (deca-api-webhooks.h,
 * docs/server.md, "Webhooks"): the index of the active webhook triggers, the public
 * routes /webhook/{workspace}/{path*}, signature checks, and the answers (a respond
 * node's response, 202, 504). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <deca-engine-error.h>
#include <deca-json.h>
#include <deca-store-server.h>
#include <deca-validator.h>

#include "deca-api-webhooks.h"
#include "deca-audit.h"
#include "deca-server-private.h"
#include "deca-store-credentials.h"

/* The methods a webhook trigger may have (its schema's enum), as the routes are added. */
static const char * const webhook_methods[] = { "DELETE", "GET", "PATCH", "POST", "PUT" };

/* The prefix older flows wrote before their path (the seed document's example,
 * "/webhook/customer-signup"): the routes add it themselves, so it is dropped. */
#define LEGACY_PREFIX "/webhook/"

typedef enum {
  AUTH_NONE,
  AUTH_HEADER,          /* the header's value equals the credential's secret */
  AUTH_HMAC_SHA256,     /* the header holds prefix + hex HMAC-SHA256 of the body */
  AUTH_INVALID,         /* an "auth" this server cannot read: every call is refused */
} AuthKind;

/* An active flow with webhook triggers, as the index keeps it: parsed once, when it is
 * activated or saved, and shared by its triggers and the requests running it. */
typedef struct {
  grefcount ref_count;
  char *workspace_id;
  char *flow_id;
  DecaFlow *flow;
  gboolean has_respond;   /* a respond node: the caller waits for its response */
  GPtrArray *keys;        /* the keys of its triggers in self->triggers */
} IndexedFlow;

/* One webhook trigger of an indexed flow. */
typedef struct {
  IndexedFlow *owner;     /* borrowed: the flow outlives its triggers in the index */
  char *method;
  char *path;             /* "/customer-signup" */
  char *bucket;           /* the rate limiter's key */
  gint64 timeout_us;
  AuthKind auth;
  char *auth_header;
  char *auth_credential;
  char *auth_prefix;
  /* {"type": "webhook", "method", "path"}, what every execution the trigger starts is
   * given as its trigger: made once, sealed, shared by them all. */
  JsonNode *record;
} Trigger;

/* A request waiting for its execution's respond node. */
typedef struct {
  DecaApiWebhooks *self;  /* borrowed: self->pending owns the waiter */
  DecaRequest *request;
  DecaExecution *execution;
  gint64 timeout_us;
  gint64 deadline_us;     /* on self->clock */
  GList link;             /* in self->deadlines while the response timeout applies */
  gboolean watched;
} Pending;

struct _DecaApiWebhooks
{
  GObject parent_instance;

  /* Borrowed: the server owns the routes, which own this object. @flows is a weak
   * pointer: its activation check holds this object, so this one must not hold it. */
  DecaServer *server;
  DecaApiFlows *flows;

  /* Owned. The store is held so that the audit lines queued at a stop can be written,
   * whatever the server frees first. */
  DecaStore *store;
  DecaExecutor *executor;
  DecaSecretBox *box;
  DecaClock *clock;
  DecaRateLimiter *limiter;
  GHashTable *triggers;   /* "WS\nMETHOD\nPATH" -> Trigger */
  GHashTable *indexed;    /* "WS\nFLOW" -> IndexedFlow */
  GHashTable *pending;    /* execution id -> Pending */
  /* The Pendings whose response timeout applies, soonest deadline first, and the one
   * clock timeout armed for the first of them: a timeout source per call would cost
   * every call an attach and a destroy. */
  GQueue deadlines;
  guint deadline_timer;
  guint event_id;
  gulong saved_id;
  gulong active_id;
  gulong deleted_id;
};

G_DEFINE_FINAL_TYPE (DecaApiWebhooks, deca_api_webhooks, G_TYPE_OBJECT)

/* --- the index ---------------------------------------------------------------------- */

static IndexedFlow *
indexed_flow_ref (IndexedFlow *flow)
{
  g_ref_count_inc (&flow->ref_count);
  return flow;
}

static void
indexed_flow_unref (IndexedFlow *flow)
{
  if (!g_ref_count_dec (&flow->ref_count))
    return;
  g_free (flow->workspace_id);
  g_free (flow->flow_id);
  g_clear_object (&flow->flow);
  g_ptr_array_unref (flow->keys);
  g_free (flow);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IndexedFlow, indexed_flow_unref)

static void
trigger_free (Trigger *trigger)
{
  g_free (trigger->method);
  g_free (trigger->path);
  g_free (trigger->bucket);
  g_free (trigger->auth_header);
  g_free (trigger->auth_credential);
  g_free (trigger->auth_prefix);
  g_clear_pointer (&trigger->record, json_node_unref);
  g_free (trigger);
}

static char *
trigger_key (const char *workspace_id,
             const char *method,
             const char *path)
{
  return g_strconcat (workspace_id, "\n", method, "\n", path, NULL);
}

static char *
flow_key (const char *workspace_id,
          const char *flow_id)
{
  return g_strconcat (workspace_id, "\n", flow_id, NULL);
}

/* A string member of @object, or @fallback when absent or not a string. */
static const char *
string_member (JsonObject *object,
               const char *name,
               const char *fallback)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

/* The path a trigger listens on, as the routes see it: its "path", without the
 * "/webhook/" older flows wrote before it ("/webhook/customer-signup" is
 * "/customer-signup"). Returns (transfer full) the path, or NULL for one that is not a
 * path ("/" alone, no leading slash). */
static char *
trigger_path (const char *path)
{
  if (path == NULL || path[0] != '/')
    return NULL;
  if (g_str_has_prefix (path, LEGACY_PREFIX) && path[strlen (LEGACY_PREFIX)] != '\0')
    path += strlen (LEGACY_PREFIX) - 1;
  if (path[1] == '\0')
    return NULL;
  return g_strdup (path);
}

/* Reads the webhook trigger @object (validated with the flow: the schema of
 * engine/nodes/deca-trigger-nodes.c) into a Trigger of @owner, or NULL when it has no
 * usable path. */
static Trigger *
trigger_new (IndexedFlow *owner,
             JsonObject  *object)
{
  g_autofree char *path = trigger_path (string_member (object, "path", NULL));
  Trigger *trigger;
  JsonObject *auth = NULL;
  JsonNode *node;
  gint64 timeout_s = DECA_WEBHOOK_DEFAULT_RESPONSE_TIMEOUT;
  const char *type;

  if (path == NULL)
    return NULL;
  trigger = g_new0 (Trigger, 1);
  trigger->owner = owner;
  trigger->method = g_ascii_strup (string_member (object, "method", "POST"), -1);
  trigger->path = g_steal_pointer (&path);
  trigger->bucket = g_strconcat ("webhook:", owner->workspace_id, ":", trigger->path, NULL);
  {
    JsonObject *record = json_object_new ();

    json_object_set_string_member (record, "type", "webhook");
    json_object_set_string_member (record, "method", trigger->method);
    json_object_set_string_member (record, "path", trigger->path);
    trigger->record = json_node_init_object (json_node_alloc (), record);
    json_object_unref (record);
    json_node_seal (trigger->record);
  }

  node = json_object_get_member (object, "response_timeout");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    timeout_s = CLAMP (json_node_get_int (node), 1, DECA_WEBHOOK_MAX_RESPONSE_TIMEOUT);
  trigger->timeout_us = timeout_s * G_USEC_PER_SEC;

  node = json_object_get_member (object, "auth");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return trigger;
  /* Activation checks "auth" against the schema; one that got past (a store written
   * before) closes the webhook rather than leave it open. */
  if (JSON_NODE_HOLDS_OBJECT (node))
    auth = json_node_get_object (node);
  type = string_member (auth, "type", NULL);
  trigger->auth = AUTH_INVALID;
  if (string_member (auth, "credential", NULL) == NULL)
    ;
  else if (g_strcmp0 (type, "header") == 0)
    {
      trigger->auth = AUTH_HEADER;
      trigger->auth_header = g_strdup (string_member (auth, "header", "X-Webhook-Token"));
    }
  else if (g_strcmp0 (type, "hmac-sha256") == 0)
    {
      trigger->auth = AUTH_HMAC_SHA256;
      trigger->auth_header = g_strdup (string_member (auth, "header", "X-Signature-256"));
      trigger->auth_prefix = g_strdup (string_member (auth, "prefix", "sha256="));
    }
  trigger->auth_credential = g_strdup (string_member (auth, "credential", ""));
  return trigger;
}

/* Whether @flow has a respond node: then a caller waits for the response it sets. */
static gboolean
flow_has_respond (DecaFlow *flow)
{
  for (guint i = 0; i < deca_flow_get_n_nodes (flow); i++)
    if (g_str_equal (deca_flow_get_node (flow, i)->type, "respond"))
      return TRUE;
  return FALSE;
}

/* Calls @func for each webhook trigger of @flow with the (method, path) it claims. */
typedef gboolean (*TriggerFunc) (JsonObject *object,
                                 const char *method,
                                 const char *path,
                                 gpointer    data);

static gboolean
foreach_webhook_trigger (DecaFlow    *flow,
                         TriggerFunc  func,
                         gpointer     data)
{
  for (guint i = 0; i < deca_flow_get_n_triggers (flow); i++)
    {
      const DecaFlowTrigger *trigger = deca_flow_get_trigger (flow, i);
      g_autofree char *path = NULL;
      g_autofree char *method = NULL;

      if (g_strcmp0 (trigger->type, "webhook") != 0)
        continue;
      if (!(path = trigger_path (string_member (trigger->object, "path", NULL))))
        continue;
      method = g_ascii_strup (string_member (trigger->object, "method", "POST"), -1);
      if (!func (trigger->object, method, path, data))
        return FALSE;
    }
  return TRUE;
}

/* Drops flow @flow_id of @workspace_id and its triggers from the index. */
static void
unindex_flow (DecaApiWebhooks *self,
              const char      *workspace_id,
              const char      *flow_id)
{
  g_autofree char *key = flow_key (workspace_id, flow_id);
  IndexedFlow *indexed = g_hash_table_lookup (self->indexed, key);

  if (indexed == NULL)
    return;
  for (guint i = 0; i < indexed->keys->len; i++)
    {
      const char *trigger_key = g_ptr_array_index (indexed->keys, i);
      Trigger *trigger = g_hash_table_lookup (self->triggers, trigger_key);

      if (trigger != NULL && trigger->owner == indexed)
        g_hash_table_remove (self->triggers, trigger_key);
    }
  g_hash_table_remove (self->indexed, key);
}

typedef struct {
  DecaApiWebhooks *self;
  IndexedFlow *indexed;
} IndexData;

static gboolean
index_trigger_cb (JsonObject *object,
                  const char *method,
                  const char *path,
                  gpointer    data)
{
  IndexData *index = data;
  DecaApiWebhooks *self = index->self;
  g_autofree char *key = trigger_key (index->indexed->workspace_id, method, path);
  Trigger *existing = g_hash_table_lookup (self->triggers, key);
  Trigger *trigger;

  /* A conflict the activation check did not see (two active flows in a store written
   * before it existed): the flow indexed first keeps the path. */
  if (existing != NULL && existing->owner != index->indexed)
    {
      deca_log_writef (deca_server_get_log (self->server), DECA_LOG_WARNING, NULL,
                       "webhook %s %s of workspace %s: flow %s has it already; flow %s is not run by it",
                       method, path, index->indexed->workspace_id, existing->owner->flow_id,
                       index->indexed->flow_id);
      return TRUE;
    }
  if (existing != NULL)
    return TRUE;
  if (!(trigger = trigger_new (index->indexed, object)))
    return TRUE;
  g_ptr_array_add (index->indexed->keys, g_strdup (key));
  g_hash_table_insert (self->triggers, g_steal_pointer (&key), trigger);
  return TRUE;
}

/* Puts @flow (the version now active of @flow_id of @workspace_id) in the index in
 * place of what it had for that flow. */
static void
index_flow (DecaApiWebhooks *self,
            const char      *workspace_id,
            const char      *flow_id,
            DecaFlow        *flow)
{
  g_autoptr(IndexedFlow) indexed = g_new0 (IndexedFlow, 1);
  IndexData data = { self, NULL };

  unindex_flow (self, workspace_id, flow_id);
  g_ref_count_init (&indexed->ref_count);
  indexed->workspace_id = g_strdup (workspace_id);
  indexed->flow_id = g_strdup (flow_id);
  indexed->flow = g_object_ref (flow);
  indexed->has_respond = flow_has_respond (flow);
  indexed->keys = g_ptr_array_new_with_free_func (g_free);
  data.indexed = indexed;
  foreach_webhook_trigger (flow, index_trigger_cb, &data);
  if (indexed->keys->len > 0)
    g_hash_table_insert (self->indexed, flow_key (workspace_id, flow_id), g_steal_pointer (&indexed));
}

/* Loads the latest version of @flow_id and indexes it; a flow that does not load is
 * logged and left out (its webhooks answer 404 until a valid version is saved). */
static void
reindex_flow (DecaApiWebhooks *self,
              const char      *workspace_id,
              const char      *flow_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlow) flow = deca_api_flows_load_flow (self->flows, workspace_id, flow_id, &error);

  if (flow == NULL)
    {
      unindex_flow (self, workspace_id, flow_id);
      deca_log_writef (deca_server_get_log (self->server), DECA_LOG_WARNING, NULL,
                       "active flow %s of workspace %s does not load, its webhooks are off: %s",
                       flow_id, workspace_id, error->message);
      return;
    }
  index_flow (self, workspace_id, flow_id, flow);
}

/* --- following the flows -------------------------------------------------------------- */

static void
flow_saved_cb (DecaApiFlows *flows,
               const char   *workspace_id,
               const char   *flow_id,
               gint64        version,
               gpointer      user_data)
{
  DecaApiWebhooks *self = user_data;
  g_autoptr(DecaFlowSummary) summary = NULL;

  /* Only active flows are indexed; a new version of one replaces the old at once. */
  summary = deca_store_get_workspace_flow (self->store, workspace_id, flow_id, NULL);
  if (summary != NULL && summary->active)
    reindex_flow (self, workspace_id, flow_id);
  else
    unindex_flow (self, workspace_id, flow_id);
}

static void
flow_active_changed_cb (DecaApiFlows *flows,
                        const char   *workspace_id,
                        const char   *flow_id,
                        gboolean      active,
                        gpointer      user_data)
{
  DecaApiWebhooks *self = user_data;

  if (active)
    reindex_flow (self, workspace_id, flow_id);
  else
    unindex_flow (self, workspace_id, flow_id);
}

static void
flow_deleted_cb (DecaApiFlows *flows,
                 const char   *workspace_id,
                 const char   *flow_id,
                 gpointer      user_data)
{
  unindex_flow (user_data, workspace_id, flow_id);
}

typedef struct {
  DecaApiWebhooks *self;
  const char *workspace_id;
  const char *flow_id;
  GError **error;
} CheckData;

static gboolean
check_trigger_cb (JsonObject *object,
                  const char *method,
                  const char *path,
                  gpointer    data)
{
  CheckData *check = data;
  g_autofree char *key = trigger_key (check->workspace_id, method, path);
  Trigger *existing = g_hash_table_lookup (check->self->triggers, key);

  if (existing == NULL || g_str_equal (existing->owner->flow_id, check->flow_id))
    return TRUE;
  g_set_error (check->error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFLICT,
               /* Translators: a method ("POST"), a webhook path and a flow id. */
               _("The webhook %s %s is taken by the active flow “%s” of this workspace"), method, path,
               existing->owner->flow_id);
  return FALSE;
}

/* Checks the webhook triggers of @flow against the webhook node type's schema (the
 * flow validator checks only their path and method): an "auth" with a typo must not
 * leave a webhook open. FALSE with DECA_SERVER_ERROR_UNPROCESSABLE naming the first
 * problem. */
static gboolean
check_trigger_options (DecaApiWebhooks  *self,
                       DecaFlow         *flow,
                       GError          **error)
{
  DecaNodeType *type = deca_node_registry_lookup (deca_executor_get_registry (self->executor), "webhook");
  JsonNode *schema = type != NULL ? deca_node_type_get_config_schema (type) : NULL;

  if (schema == NULL)
    return TRUE;
  for (guint i = 0; i < deca_flow_get_n_triggers (flow); i++)
    {
      const DecaFlowTrigger *trigger = deca_flow_get_trigger (flow, i);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *prefix = NULL;

      if (g_strcmp0 (trigger->type, "webhook") != 0)
        continue;
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (node, trigger->object);
      prefix = g_strdup_printf ("/triggers/%u", trigger->index);
      deca_validate_against_schema_full (schema, node, prefix, DECA_SCHEMA_CHECK_NO_TEMPLATES, problems);
      if (problems->len > 0)
        {
          DecaValidationProblem *problem = g_ptr_array_index (problems, 0);

          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNPROCESSABLE,
                       /* Translators: a JSON pointer ("/triggers/0/auth") and what is wrong there. */
                       _("The flow cannot be active: %s: %s"), problem->pointer, problem->message);
          return FALSE;
        }
    }
  return TRUE;
}

/* The activation check: refuses a flow whose webhook trigger has options this server
 * cannot use, or claims a method and path another active flow of the workspace has. */
static gboolean
activation_check_cb (DecaApiFlows  *flows,
                     const char    *workspace_id,
                     const char    *flow_id,
                     DecaFlow      *flow,
                     gpointer       user_data,
                     GError       **error)
{
  CheckData data = { user_data, workspace_id, flow_id, error };

  return check_trigger_options (user_data, flow, error)
         && foreach_webhook_trigger (flow, check_trigger_cb, &data);
}

/* --- answers ------------------------------------------------------------------------ */

/* Queues the audit line of a call in the store: in the workspace of the URL, by
 * "webhook". The executor's next checkpoint batch writes it (deca_executor_write_audit()),
 * which for a call that started an execution is that execution's first, before the call
 * is answered: no transaction of its own, and durable with the execution. */
static void
audit (DecaApiWebhooks *self,
       DecaRequest     *request,
       const char      *workspace_id,
       const char      *target,
       const char      *result,
       const Trigger   *trigger)
{
  DecaAuditRecord *record = g_new0 (DecaAuditRecord, 1);
  GString *details = g_string_sized_new (64 + strlen (trigger->owner->flow_id) + strlen (trigger->path));

  /* The same object json_to_string() made of {flow_id, method, path}, without a tree. */
  g_string_append (details, "{\"flow_id\":");
  deca_json_append_string (details, trigger->owner->flow_id);
  g_string_append (details, ",\"method\":");
  deca_json_append_string (details, deca_request_get_method (request));
  g_string_append (details, ",\"path\":");
  deca_json_append_string (details, trigger->path);
  g_string_append_c (details, '}');

  record->at = g_get_real_time ();
  record->workspace_id = g_strdup (workspace_id);
  record->actor = g_strdup ("webhook");
  record->action = g_strdup ("webhook.execute");
  record->target = g_strdup (target);
  record->source = g_strdup (deca_request_get_remote_host (request));
  record->result = g_strdup (result);
  record->details = g_string_free (details, FALSE);
  deca_store_queue_audit (self->store, record);
  deca_executor_write_audit (self->executor);
}

static JsonNode *
execution_details (DecaExecution *execution)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "execution_id", deca_execution_get_id (execution));
  json_object_set_string_member (object, "status",
                                 deca_execution_status_to_string (deca_execution_get_status (execution)));
  json_node_take_object (node, object);
  return node;
}

/* Headers a flow may not set: they frame the message, which is the server's to do. */
static gboolean
is_framing_header (const char *name)
{
  static const char * const names[] = { "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
                                        "Upgrade", "Trailer", "TE" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Whether @name is an HTTP field name (a token, RFC 9110 5.1) and @value has no line
 * break or NUL: what a flow renders is not trusted to be either. */
static gboolean
is_valid_header (const char *name,
                 const char *value)
{
  if (name[0] == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
      return FALSE;
  return strpbrk (value, "\r\n") == NULL;
}

/* Answers with @response, what a respond node set ({"status", "headers", "body"}): a
 * string body as text/plain, anything else but null as JSON, unless the headers name a
 * Content-Type. */
static void
respond_with_response (DecaRequest *request,
                       JsonNode    *response)
{
  JsonObject *object = json_node_get_object (response);
  gint64 status = json_object_get_int_member_with_default (object, "status", 200);
  JsonObject *headers = NULL;
  JsonNode *body = json_object_get_member (object, "body");
  const char *content_type = NULL;
  g_autofree char *text = NULL;
  gsize length;

  if (json_object_has_member (object, "headers") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "headers")))
    headers = json_object_get_object_member (object, "headers");
  if (headers != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      /* In the order the flow wrote them. */
      json_object_iter_init_ordered (&iter, headers);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          const char *value = JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING
                              ? json_node_get_string (member) : NULL;

          if (value == NULL || is_framing_header (name))
            continue;
          if (!is_valid_header (name, value))
            {
              deca_request_log (request, DECA_LOG_WARNING, "the respond node's header '%s' is not a valid "
                                "header; it is left out", name);
              continue;
            }
          if (g_ascii_strcasecmp (name, "Content-Type") == 0)
            content_type = value;
          else
            deca_request_set_response_header (request, name, value);
        }
    }
  /* A 1xx is not a final answer: HTTP cannot end an exchange with one. */
  if (status < 200 || status > 599)
    {
      deca_request_log (request, DECA_LOG_WARNING, "the respond node's status %" G_GINT64_FORMAT
                        " is not a final status; answering 200", status);
      status = 200;
    }
  /* These answers have no body (RFC 9110, 15.3.5 and 15.4.5). */
  if (body == NULL || JSON_NODE_HOLDS_NULL (body) || status == 204 || status == 304)
    {
      if (status == 204 || status == 304 || content_type == NULL)
        deca_request_respond (request, (guint) status, NULL, NULL, 0);
      else
        deca_request_respond (request, (guint) status, content_type, "", 0);
      return;
    }
  if (JSON_NODE_HOLDS_VALUE (body) && json_node_get_value_type (body) == G_TYPE_STRING)
    {
      const char *string = json_node_get_string (body);

      deca_request_respond (request, (guint) status, content_type != NULL ? content_type : "text/plain; charset=utf-8",
                            string, strlen (string));
      return;
    }
  text = deca_json_to_string (body, FALSE);
  length = strlen (text);
  _deca_request_respond_take (request, (guint) status, content_type != NULL ? content_type : "application/json",
                              g_steal_pointer (&text), length);
}

/* 202 with the execution's id, for a flow without a respond node. */
static void
respond_accepted (DecaRequest   *request,
                  DecaExecution *execution)
{
  g_autoptr(JsonNode) body = execution_details (execution);
  g_autofree char *location = g_strdup_printf ("/api/v1/executions/%s", deca_execution_get_id (execution));

  deca_request_set_response_header (request, "Location", location);
  deca_request_respond_json (request, 202, body);
}

static void
pending_unwatch (Pending *pending)
{
  if (!pending->watched)
    return;
  g_queue_unlink (&pending->self->deadlines, &pending->link);
  pending->watched = FALSE;
}

static void
pending_free (Pending *pending)
{
  pending_unwatch (pending);
  g_clear_object (&pending->execution);
  g_clear_pointer (&pending->request, deca_request_unref);
  g_free (pending);
}

/* The execution ended without a respond node answering (it was not reached): as n8n
 * does, a flow that succeeded answers 200 with a standard body, one that failed or was
 * cancelled 500 with the execution's id in the details. */
static void
respond_finished (DecaRequest   *request,
                  DecaExecution *execution,
                  const char    *status)
{
  g_autoptr(JsonNode) body = execution_details (execution);

  json_object_set_string_member (json_node_get_object (body), "status", status);
  if (g_str_equal (status, "succeeded"))
    {
      deca_request_respond_json (request, 200, body);
      return;
    }
  deca_request_log (request, DECA_LOG_WARNING, "execution %s %s before a respond node answered",
                    deca_execution_get_id (execution), status);
  deca_request_respond_error_literal (request, DECA_SERVER_ERROR_INTERNAL,
                                      g_str_equal (status, "cancelled")
                                      ? _("The flow was cancelled before it responded")
                                      : _("The flow failed before it responded"),
                                      body);
}

/* Answers 504 to a caller whose flow did not respond in time; the execution goes on. */
static void
pending_expire (Pending *pending)
{
  g_autoptr(JsonNode) details = execution_details (pending->execution);
  g_autofree char *message = NULL;
  unsigned long seconds;

  pending_unwatch (pending);
  seconds = (unsigned long) (pending->timeout_us / G_USEC_PER_SEC);
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "The flow did not respond within %lu second; the execution goes on",
                                          "The flow did not respond within %lu seconds; the execution goes on",
                                          seconds),
                             seconds);
  deca_request_respond_error_literal (pending->request, DECA_SERVER_ERROR_TIMEOUT, message, details);
  g_hash_table_remove (pending->self->pending, deca_execution_get_id (pending->execution));
}

static gboolean deadline_timer_cb (gpointer data);

static void
deadline_timer_stop (DecaApiWebhooks *self)
{
  if (self->deadline_timer == 0)
    return;
  deca_clock_remove_timeout (self->clock, self->deadline_timer);
  self->deadline_timer = 0;
}

static void
deadline_timer_arm (DecaApiWebhooks *self)
{
  Pending *first = g_queue_peek_head (&self->deadlines);

  if (first == NULL || self->deadline_timer != 0)
    return;
  self->deadline_timer = deca_clock_add_timeout (self->clock, MAX (first->deadline_us - deca_clock_now_us (self->clock), 0),
                                                 deadline_timer_cb, self, NULL);
}

/* Expires the calls whose deadline passed, then waits for the next one. The first call
 * may have been answered meanwhile: the timer then finds nothing due and waits again. */
static gboolean
deadline_timer_cb (gpointer data)
{
  DecaApiWebhooks *self = data;
  gint64 now = deca_clock_now_us (self->clock);
  Pending *first;

  /* The clock forgets the timeout itself once this returns. */
  self->deadline_timer = 0;
  while ((first = g_queue_peek_head (&self->deadlines)) != NULL && first->deadline_us <= now)
    pending_expire (first);
  deadline_timer_arm (self);
  return G_SOURCE_REMOVE;
}

/* Starts @pending's response timeout. Calls of one trigger share a timeout, so a new
 * deadline is nearly always the latest: the search from the end stops at once. */
static void
pending_watch (Pending *pending)
{
  DecaApiWebhooks *self = pending->self;
  GList *before = self->deadlines.tail;

  pending->deadline_us = deca_clock_now_us (self->clock) + pending->timeout_us;
  pending->link.data = pending;
  while (before != NULL && ((Pending *) before->data)->deadline_us > pending->deadline_us)
    before = before->prev;
  if (before == NULL)
    {
      g_queue_push_head_link (&self->deadlines, &pending->link);
      /* A new first deadline, sooner than the one the timer waits for. */
      deadline_timer_stop (self);
    }
  else
    g_queue_insert_after_link (&self->deadlines, before, &pending->link);
  pending->watched = TRUE;
  deadline_timer_arm (self);
}

/* Answers a waiting caller once what the answer reports is durable: the respond node's
 * result (or the execution's end) is in the store, so a caller that got an answer finds
 * the execution there, even after a crash. Uses only the request and the execution:
 * the waiter may outlive this object. */
static void
pending_answer_cb (gpointer data)
{
  Pending *pending = data;
  JsonNode *response = deca_execution_get_response (pending->execution);

  if (deca_request_is_finished (pending->request))
    return;
  if (response != NULL && JSON_NODE_HOLDS_OBJECT (response))
    respond_with_response (pending->request, response);
  else
    switch (deca_execution_get_status (pending->execution))
      {
      case DECA_EXECUTION_SUCCEEDED:
        respond_finished (pending->request, pending->execution, "succeeded");
        break;
      case DECA_EXECUTION_CANCELLED:
        respond_finished (pending->request, pending->execution, "cancelled");
        break;
      default:
        respond_finished (pending->request, pending->execution, "failed");
        break;
      }
}

/* The executor's events: a respond node's success (the response is set by then) or the
 * end of an execution answers its waiting caller, as soon as the checkpoints behind the
 * answer are written. Everything else is one comparison. */
static void
executor_event_cb (DecaExecutor    *executor,
                   const DecaEvent *event,
                   gpointer         user_data)
{
  DecaApiWebhooks *self = user_data;
  Pending *pending;
  JsonNode *response;
  gpointer key = NULL;

  if (event->type != DECA_EVENT_NODE_SUCCEEDED && event->type != DECA_EVENT_EXECUTION_FINISHED)
    return;
  if (g_hash_table_size (self->pending) == 0
      || !(pending = g_hash_table_lookup (self->pending, event->execution_id)))
    return;
  response = deca_execution_get_response (pending->execution);
  if (event->type != DECA_EVENT_EXECUTION_FINISHED && (response == NULL || !JSON_NODE_HOLDS_OBJECT (response)))
    return;

  /* The answer is decided: the response timeout no longer applies. */
  g_hash_table_steal_extended (self->pending, event->execution_id, &key, NULL);
  g_free (key);
  pending_unwatch (pending);
  deca_executor_call_when_durable (executor, pending_answer_cb, pending, (GDestroyNotify) pending_free);
}

/* --- the request -------------------------------------------------------------------- */

/* Compares two strings in a time that does not depend on where they differ: their
 * SHA-256 digests, so the lengths do not show either. */
static gboolean
secret_equal (const char *given,
              gsize       given_len,
              const char *expected,
              gsize       expected_len)
{
  guint8 a[32], b[32];

  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, given, given_len, a) < 0
      || gnutls_hash_fast (GNUTLS_DIG_SHA256, expected, expected_len, b) < 0)
    return FALSE;
  return gnutls_memcmp (a, b, sizeof a) == 0;
}

/* Reads the "secret" of the trigger's credential into @secret. FALSE (and a log line
 * saying what is missing, never a secret) when there is no usable one. */
static gboolean
read_secret (DecaApiWebhooks *self,
             DecaRequest     *request,
             const char      *workspace_id,
             const Trigger   *trigger,
             char           **secret)
{
  g_autoptr(DecaStoreCredentials) provider = NULL;
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(GError) error = NULL;
  const char *value;

  if (self->box == NULL || deca_secret_box_get_n_keys (self->box) == 0)
    {
      deca_request_log (request, DECA_LOG_ERROR,
                        "webhook %s of flow %s checks credential '%s', but the server has no secret key",
                        trigger->path, trigger->owner->flow_id, trigger->auth_credential);
      return FALSE;
    }
  provider = deca_store_credentials_new (self->store, self->box, workspace_id);
  fields = deca_credential_provider_lookup (DECA_CREDENTIAL_PROVIDER (provider), trigger->auth_credential, &error);
  if (fields == NULL)
    {
      deca_request_log (request, DECA_LOG_ERROR, "webhook %s of flow %s: credential '%s' cannot be used: %s",
                        trigger->path, trigger->owner->flow_id, trigger->auth_credential, error->message);
      return FALSE;
    }
  value = string_member (fields, "secret", NULL);
  if (value == NULL || value[0] == '\0')
    {
      deca_request_log (request, DECA_LOG_ERROR,
                        "webhook %s of flow %s: credential '%s' has no \"secret\" field",
                        trigger->path, trigger->owner->flow_id, trigger->auth_credential);
      return FALSE;
    }
  *secret = g_strdup (value);
  return TRUE;
}

typedef enum {
  SIGNATURE_OK,
  SIGNATURE_WRONG,      /* 401 */
  SIGNATURE_UNUSABLE,   /* 500: the credential is missing */
} SignatureResult;

/* Checks the trigger's "auth" against the request. */
static SignatureResult
check_signature (DecaApiWebhooks *self,
                 DecaRequest     *request,
                 const char      *workspace_id,
                 const Trigger   *trigger)
{
  g_autofree char *secret = NULL;
  const char *given = deca_request_get_header (request, trigger->auth_header);
  gboolean ok;

  if (!read_secret (self, request, workspace_id, trigger, &secret))
    return SIGNATURE_UNUSABLE;
  if (given == NULL)
    ok = FALSE;
  else if (trigger->auth == AUTH_HEADER)
    ok = secret_equal (given, strlen (given), secret, strlen (secret));
  else
    {
      GBytes *body = deca_request_get_body (request);
      guint8 digest[32];
      char hex[65];
      gsize prefix_len = strlen (trigger->auth_prefix);
      g_autofree char *lower = NULL;

      if (gnutls_hmac_fast (GNUTLS_MAC_SHA256, secret, strlen (secret), g_bytes_get_data (body, NULL),
                            g_bytes_get_size (body), digest) < 0)
        {
          deca_request_log (request, DECA_LOG_ERROR, "webhook %s: HMAC-SHA256 failed", trigger->path);
          ok = FALSE;
        }
      else
        {
          for (guint i = 0; i < sizeof digest; i++)
            g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
          ok = g_str_has_prefix (given, trigger->auth_prefix);
          lower = g_ascii_strdown (given + (ok ? prefix_len : 0), -1);
          ok = secret_equal (lower, strlen (lower), hex, 64) && ok;
        }
    }
  memset (secret, 0, strlen (secret));
  return ok ? SIGNATURE_OK : SIGNATURE_WRONG;
}

/* The request's headers as an object with lower-case names, without those that carry
 * credentials (Authorization, Cookie, and the trigger's signature header); repeated
 * headers are joined with ", " (RFC 9110, 5.3). */
static JsonObject *
headers_object (DecaRequest   *request,
                const Trigger *trigger)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (deca_request_get_message (request));
  JsonObject *object = json_object_new ();
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      /* Most names fit on the stack (json-glib copies the name it keeps). */
      char buffer[64];
      g_autofree char *allocated = NULL;
      gsize length = strlen (name);
      char *lower = length < sizeof buffer ? buffer : (allocated = g_malloc (length + 1));
      const char *previous;

      for (gsize i = 0; i < length; i++)
        lower[i] = g_ascii_tolower (name[i]);
      lower[length] = '\0';

      if (g_str_equal (lower, "authorization") || g_str_equal (lower, "cookie")
          || (trigger->auth_header != NULL && g_ascii_strcasecmp (name, trigger->auth_header) == 0))
        continue;
      previous = string_member (object, lower, NULL);
      if (previous != NULL)
        {
          g_autofree char *joined = g_strconcat (previous, ", ", value, NULL);

          json_object_set_string_member (object, lower, joined);
        }
      else
        json_object_set_string_member (object, lower, value);
    }
  return object;
}

static JsonObject *
strings_object (GHashTable *table)
{
  JsonObject *object = json_object_new ();
  GHashTableIter iter;
  gpointer key, value;

  if (table == NULL)
    return object;
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    json_object_set_string_member (object, key, value);
  return object;
}

/* The body as the flow sees it: JSON when the Content-Type says so, an object for a
 * form, else the text; null when empty. Answers 400 and returns NULL for JSON that does
 * not parse or text that is not UTF-8. */
static JsonNode *
read_body (DecaRequest *request,
           gboolean    *ok)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (deca_request_get_message (request));
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  GBytes *bytes = deca_request_get_body (request);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  const char *bad = NULL;
  JsonNode *node;

  *ok = TRUE;
  if (length == 0)
    return json_node_new (JSON_NODE_NULL);
  if (type != NULL && (g_ascii_strcasecmp (type, "application/json") == 0
                       || g_str_has_suffix (type, "+json")))
    {
      /* The server's own parser: the same 400, with line and column, as every route. */
      if (!_deca_request_parse_body (request))
        {
          *ok = FALSE;
          return NULL;
        }
      return json_node_ref (deca_request_get_json (request));
    }
  /* With a length, g_utf8_validate() also stops at a NUL byte, so @bad is the first byte
   * that is not text either way. */
  if (!g_utf8_validate (data, length, &bad))
    {
      g_autofree char *message = NULL;
      g_autoptr(JsonNode) details = json_node_new (JSON_NODE_OBJECT);
      gsize offset = (gsize) (bad - data);

      /* As every route says it (deca-request.c): "offset" is the byte's index. */
      json_node_take_object (details, json_object_new ());
      json_object_set_int_member (json_node_get_object (details), "offset", (gint64) offset);
      /* Two whole sentences, not a phrase inserted into one. */
      message = g_strdup_printf (*bad == '\0' ? _("The body is not text: byte %lu is a NUL byte")
                                              : _("The body is not text: byte %lu is not valid UTF-8"),
                                 (unsigned long) offset);
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_BAD_REQUEST, message, details);
      *ok = FALSE;
      return NULL;
    }
  if (type != NULL && g_ascii_strcasecmp (type, "application/x-www-form-urlencoded") == 0)
    {
      g_autofree char *text = g_strndup (data, length);
      g_autoptr(GHashTable) form = soup_form_decode (text);

      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, strings_object (form));
      return node;
    }
  node = json_node_new (JSON_NODE_VALUE);
  {
    g_autofree char *text = g_strndup (data, length);

    json_node_set_string (node, text);
  }
  return node;
}

/* The Allow header of @path in @workspace_id: the methods its triggers have, sorted,
 * HEAD wherever GET is; NULL when none has the path. */
static char *
allowed_methods (DecaApiWebhooks *self,
                 const char      *workspace_id,
                 const char      *path)
{
  g_autoptr(GString) allow = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (webhook_methods); i++)
    {
      g_autofree char *key = trigger_key (workspace_id, webhook_methods[i], path);

      if (!g_hash_table_contains (self->triggers, key))
        continue;
      if (g_str_equal (webhook_methods[i], "GET"))
        g_string_append (allow, allow->len > 0 ? ", GET, HEAD" : "GET, HEAD");
      else
        g_string_append_printf (allow, "%s%s", allow->len > 0 ? ", " : "", webhook_methods[i]);
    }
  return allow->len > 0 ? g_string_free (g_steal_pointer (&allow), FALSE) : NULL;
}

static JsonNode *
webhook_input (DecaRequest   *request,
               const Trigger *trigger,
               JsonNode      *body)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "method", deca_request_get_method (request));
  json_object_set_string_member (object, "path", trigger->path);
  json_object_set_object_member (object, "headers", headers_object (request, trigger));
  /* The server decoded the query already (the private struct holds it). */
  json_object_set_object_member (object, "query", strings_object (request->query));
  json_object_set_member (object, "body", json_node_ref (body));
  json_node_take_object (node, object);
  return node;
}

static void
webhook_cb (DecaRequest *request,
            gpointer     user_data)
{
  DecaApiWebhooks *self = user_data;
  const char *workspace_id = deca_request_get_param (request, "workspace");
  const char *rest = deca_request_get_param (request, "path");
  const char *method = deca_request_get_method (request);
  /* The key of trigger_key(), "WS\nMETHOD\n/REST", on the stack when it fits. */
  char buffer[256];
  g_autofree char *allocated = NULL;
  char *key = buffer;
  gsize workspace_len = strlen (workspace_id), method_len, rest_len = strlen (rest);
  const char *lookup_method;
  g_autoptr(IndexedFlow) indexed = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) input = NULL;
  g_autoptr(JsonNode) trigger_node = NULL;
  g_autoptr(DecaExecution) execution = NULL;
  g_autoptr(GError) error = NULL;
  Trigger *trigger;
  guint retry_after = 0;
  gboolean ok;

  /* HEAD is GET without the body, as for every route. */
  lookup_method = g_str_equal (method, "HEAD") ? "GET" : method;
  method_len = strlen (lookup_method);
  if (workspace_len + method_len + rest_len + 4 > sizeof buffer)
    key = allocated = g_malloc (workspace_len + method_len + rest_len + 4);
  memcpy (key, workspace_id, workspace_len);
  key[workspace_len] = '\n';
  memcpy (key + workspace_len + 1, lookup_method, method_len);
  key[workspace_len + 1 + method_len] = '\n';
  key[workspace_len + 2 + method_len] = '/';
  memcpy (key + workspace_len + 3 + method_len, rest, rest_len + 1);
  trigger = g_hash_table_lookup (self->triggers, key);
  if (trigger == NULL)
    {
      g_autofree char *path = g_strconcat ("/", rest, NULL);
      g_autofree char *allow = allowed_methods (self, workspace_id, path);
      g_autofree char *message = NULL;

      if (allow == NULL)
        {
          /* The same answer for a workspace that does not exist: nothing tells them apart.
           * A segment that is no id at all is most likely the workspace's name; the hint
           * depends on its form only, so it says nothing of which names exist. */
          if (!g_uuid_string_is_valid (workspace_id))
            /* Translators: %s is the request's path. */
            message = g_strdup_printf (_("No such webhook: %s. A webhook's URL names the workspace by its id, "
                                         "a UUID (deca serve --init and GET /api/v1/workspaces show it), "
                                         "not by its name"),
                                       deca_request_get_path (request));
          else
            /* Translators: %s is the request's path. */
            message = g_strdup_printf (_("No such webhook: %s"), deca_request_get_path (request));
          deca_request_respond_error_literal (request, DECA_SERVER_ERROR_NOT_FOUND, message, NULL);
          return;
        }
      message = g_strdup_printf (_("The method %s is not allowed here; allowed: %s"), method, allow);
      deca_request_set_response_header (request, "Allow", allow);
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_METHOD_NOT_ALLOWED, message, NULL);
      return;
    }

  if (self->limiter != NULL && !deca_rate_limiter_take (self->limiter, trigger->bucket, &retry_after))
    {
      g_autofree char *seconds = g_strdup_printf ("%u", retry_after);

      deca_request_set_response_header (request, "Retry-After", seconds);
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_RATE_LIMITED,
                                          _("Too many calls of this webhook; try again later"), NULL);
      return;
    }

  if (trigger->auth != AUTH_NONE)
    {
      switch (check_signature (self, request, workspace_id, trigger))
        {
        case SIGNATURE_OK:
          break;
        case SIGNATURE_WRONG:
          {
            g_autofree char *challenge = g_strdup_printf ("%s header=\"%s\"",
                                                          trigger->auth == AUTH_HEADER ? "Token" : "HMAC-SHA256",
                                                          trigger->auth_header);

            audit (self, request, workspace_id, trigger->owner->flow_id, DECA_AUDIT_DENIED, trigger);
            deca_request_set_response_header (request, "WWW-Authenticate", challenge);
            deca_request_respond_error_literal (request, DECA_SERVER_ERROR_UNAUTHENTICATED,
                                                _("The webhook's signature is missing or wrong"), NULL);
            return;
          }
        case SIGNATURE_UNUSABLE:
        default:
          audit (self, request, workspace_id, trigger->owner->flow_id, DECA_AUDIT_FAILED, trigger);
          deca_request_respond_error_literal (request, DECA_SERVER_ERROR_INTERNAL, _("Internal server error"), NULL);
          return;
        }
    }

  body = read_body (request, &ok);
  if (!ok)
    return;
  input = webhook_input (request, trigger, body);
  /* The request holds the flow it runs: an update meanwhile replaces the index's. */
  indexed = indexed_flow_ref (trigger->owner);
  /* The same record for every call of the trigger (trigger_new()). */
  trigger_node = json_node_ref (trigger->record);
  execution = deca_api_flows_start_execution (self->flows, indexed->flow, input, trigger_node, &error);
  if (execution == NULL)
    {
      audit (self, request, workspace_id, indexed->flow_id, DECA_AUDIT_FAILED, trigger);
      deca_request_respond_error (request, error, NULL);
      return;
    }
  audit (self, request, workspace_id, deca_execution_get_id (execution), DECA_AUDIT_OK, trigger);

  if (!indexed->has_respond)
    {
      respond_accepted (request, execution);
      return;
    }
  if (deca_execution_get_response (execution) != NULL)
    {
      respond_with_response (request, deca_execution_get_response (execution));
      return;
    }
  if (deca_execution_is_finished (execution))
    {
      respond_finished (request, execution, deca_execution_status_to_string (deca_execution_get_status (execution)));
      return;
    }
  {
    Pending *pending = g_new0 (Pending, 1);

    pending->self = self;
    pending->request = deca_request_ref (request);
    pending->execution = g_object_ref (execution);
    pending->timeout_us = trigger->timeout_us;
    pending_watch (pending);
    deca_request_defer (request);
    g_hash_table_insert (self->pending, g_strdup (deca_execution_get_id (execution)), pending);
  }
}

/* --- the object --------------------------------------------------------------------- */

static void
deca_api_webhooks_dispose (GObject *object)
{
  DecaApiWebhooks *self = DECA_API_WEBHOOKS (object);

  if (self->pending != NULL)
    g_hash_table_remove_all (self->pending);
  deadline_timer_stop (self);
  if (self->executor != NULL && self->event_id != 0)
    {
      deca_executor_remove_event_listener (self->executor, self->event_id);
      self->event_id = 0;
    }
  if (self->flows != NULL)
    {
      g_clear_signal_handler (&self->saved_id, self->flows);
      g_clear_signal_handler (&self->active_id, self->flows);
      g_clear_signal_handler (&self->deleted_id, self->flows);
      g_object_remove_weak_pointer (G_OBJECT (self->flows), (gpointer *) &self->flows);
      self->flows = NULL;
    }
  g_clear_object (&self->executor);
  g_clear_object (&self->store);
  g_clear_object (&self->box);
  g_clear_object (&self->clock);
  g_clear_object (&self->limiter);
  G_OBJECT_CLASS (deca_api_webhooks_parent_class)->dispose (object);
}

static void
deca_api_webhooks_finalize (GObject *object)
{
  DecaApiWebhooks *self = DECA_API_WEBHOOKS (object);

  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->triggers, g_hash_table_unref);
  g_clear_pointer (&self->indexed, g_hash_table_unref);
  G_OBJECT_CLASS (deca_api_webhooks_parent_class)->finalize (object);
}

static void
deca_api_webhooks_class_init (DecaApiWebhooksClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_api_webhooks_dispose;
  object_class->finalize = deca_api_webhooks_finalize;
}

static void
deca_api_webhooks_init (DecaApiWebhooks *self)
{
  self->triggers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) trigger_free);
  self->indexed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) indexed_flow_unref);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) pending_free);
  self->clock = deca_system_clock_get_default ();
}

/* Indexes the active flows the store has, of every workspace. */
static gboolean
index_active_flows (DecaApiWebhooks  *self,
                    GError          **error)
{
  g_autoptr(GPtrArray) active = deca_store_list_active_flows (self->store, NULL, error);

  if (active == NULL)
    return FALSE;
  for (guint i = 0; i < active->len; i++)
    {
      DecaFlowSummary *summary = g_ptr_array_index (active, i);

      reindex_flow (self, summary->workspace_id, summary->id);
    }
  return TRUE;
}

DecaApiWebhooks *
deca_api_webhooks_register (DecaServer    *server,
                            DecaApiFlows  *flows,
                            GError       **error)
{
  g_autoptr(DecaApiWebhooks) self = NULL;

  g_return_val_if_fail (DECA_IS_SERVER (server), NULL);
  g_return_val_if_fail (DECA_IS_API_FLOWS (flows), NULL);

  self = g_object_new (DECA_TYPE_API_WEBHOOKS, NULL);
  self->server = server;
  self->store = g_object_ref (deca_server_get_store (server));
  self->flows = flows;
  g_object_add_weak_pointer (G_OBJECT (flows), (gpointer *) &self->flows);
  self->executor = g_object_ref (deca_api_flows_get_executor (flows));

  if (!index_active_flows (self, error))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (webhook_methods); i++)
    {
      /* Public: the caller is another service, with no API key; a trigger's "auth"
       * checks its signature instead, which needs the raw body. */
      DecaRoute *route = deca_server_add_route (server, webhook_methods[i], "/webhook/{workspace}/{path*}",
                                                DECA_ROUTE_PUBLIC | DECA_ROUTE_RAW_BODY, webhook_cb,
                                                g_object_ref (self), g_object_unref, error);

      if (route == NULL)
        {
          g_object_unref (self);
          return NULL;
        }
    }

  self->event_id = deca_executor_add_event_listener (self->executor, executor_event_cb, self);
  self->saved_id = g_signal_connect (flows, "flow-saved", G_CALLBACK (flow_saved_cb), self);
  self->active_id = g_signal_connect (flows, "flow-active-changed", G_CALLBACK (flow_active_changed_cb), self);
  self->deleted_id = g_signal_connect (flows, "flow-deleted", G_CALLBACK (flow_deleted_cb), self);
  /* Dropped when @flows is disposed (with the server's routes). */
  deca_api_flows_add_activation_check (flows, activation_check_cb, g_object_ref (self), g_object_unref);
  return g_steal_pointer (&self);
}

void
deca_api_webhooks_set_secret_box (DecaApiWebhooks *self,
                                  DecaSecretBox   *box)
{
  g_return_if_fail (DECA_IS_API_WEBHOOKS (self));

  g_set_object (&self->box, box);
}

void
deca_api_webhooks_set_clock (DecaApiWebhooks *self,
                             DecaClock       *clock)
{
  g_return_if_fail (DECA_IS_API_WEBHOOKS (self));
  g_return_if_fail (clock == NULL || DECA_IS_CLOCK (clock));

  /* The timer of the calls waiting now moves to the new clock. */
  deadline_timer_stop (self);
  if (clock == NULL)
    {
      g_clear_object (&self->clock);
      self->clock = deca_system_clock_get_default ();
    }
  else
    g_set_object (&self->clock, clock);
  deadline_timer_arm (self);
}

void
deca_api_webhooks_set_rate_limiter (DecaApiWebhooks *self,
                                    DecaRateLimiter *limiter)
{
  g_return_if_fail (DECA_IS_API_WEBHOOKS (self));

  g_set_object (&self->limiter, limiter);
}

guint
deca_api_webhooks_get_n_triggers (DecaApiWebhooks *self)
{
  g_return_val_if_fail (DECA_IS_API_WEBHOOKS (self), 0);

  return g_hash_table_size (self->triggers);
}
