#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-node-invocation.h"
#include "deca-engine-error.h"

struct _DecaNodeInvocation
{
  GObject parent_instance;

  char *execution_id;
  char *node_id;
  char *node_key;
  char *idempotency_key;
  JsonObject *config;
  DecaExprScope scope;
  int attempt;
  gint64 first_started_at;
  DecaClock *clock;
  GCancellable *cancellable;

  /* Borrowed: the executor outlives the invocation or abandons it first. */
  const DecaNodeHost *host;
  gpointer host_data;
  DecaInvocationDoneFunc done;
  gpointer done_data;

  DecaInvocationOutcome outcome;
  JsonNode *output;
  char *port;
  GError *error;
  char *pause_reason;
  gboolean abandoned;
};

G_DEFINE_FINAL_TYPE (DecaNodeInvocation, deca_node_invocation, G_TYPE_OBJECT)

static void
deca_node_invocation_dispose (GObject *object)
{
  DecaNodeInvocation *self = DECA_NODE_INVOCATION (object);

  g_clear_object (&self->clock);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (deca_node_invocation_parent_class)->dispose (object);
}

static void
deca_node_invocation_finalize (GObject *object)
{
  DecaNodeInvocation *self = DECA_NODE_INVOCATION (object);

  g_free (self->execution_id);
  g_free (self->node_id);
  g_free (self->node_key);
  g_free (self->idempotency_key);
  g_clear_pointer (&self->config, json_object_unref);
  g_clear_pointer (&self->output, json_node_unref);
  g_free (self->port);
  g_clear_error (&self->error);
  g_free (self->pause_reason);
  G_OBJECT_CLASS (deca_node_invocation_parent_class)->finalize (object);
}

static void
deca_node_invocation_class_init (DecaNodeInvocationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_node_invocation_dispose;
  object_class->finalize = deca_node_invocation_finalize;
}

static void
deca_node_invocation_init (DecaNodeInvocation *self)
{
}

DecaNodeInvocation *
deca_node_invocation_new (const char             *execution_id,
                          const char             *node_id,
                          const char             *node_key,
                          JsonObject             *config,
                          const DecaExprScope    *scope,
                          int                     attempt,
                          DecaClock              *clock,
                          GCancellable           *cancellable,
                          const DecaNodeHost     *host,
                          gpointer                host_data,
                          DecaInvocationDoneFunc  done,
                          gpointer                done_data)
{
  DecaNodeInvocation *self;

  g_return_val_if_fail (execution_id != NULL, NULL);
  g_return_val_if_fail (node_id != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (scope != NULL, NULL);
  g_return_val_if_fail (DECA_IS_CLOCK (clock), NULL);

  self = g_object_new (DECA_TYPE_NODE_INVOCATION, NULL);
  self->execution_id = g_strdup (execution_id);
  self->node_id = g_strdup (node_id);
  self->node_key = g_strdup (node_key ? node_key : node_id);
  self->config = json_object_ref (config);
  self->scope = *scope;
  self->attempt = attempt;
  self->clock = g_object_ref (clock);
  /* Created on first use: most nodes finish at once and never look at it. */
  self->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  self->host = host;
  self->host_data = host_data;
  self->done = done;
  self->done_data = done_data;
  return self;
}

const char *
deca_node_invocation_get_execution_id (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  return self->execution_id;
}

const char *
deca_node_invocation_get_node_id (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  return self->node_id;
}

const char *
deca_node_invocation_get_node_key (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  return self->node_key;
}

const char *
deca_node_invocation_get_idempotency_key (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  /* Built on first use: most nodes never ask. */
  if (self->idempotency_key == NULL)
    self->idempotency_key = g_strconcat (self->execution_id, "/", self->node_key, NULL);
  return self->idempotency_key;
}

int
deca_node_invocation_get_attempt (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), 0);
  return self->attempt;
}

gint64
deca_node_invocation_get_first_started_at (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), 0);
  return self->first_started_at;
}

void
deca_node_invocation_set_first_started_at (DecaNodeInvocation *self,
                                           gint64              started_at)
{
  g_return_if_fail (DECA_IS_NODE_INVOCATION (self));
  self->first_started_at = started_at;
}

JsonObject *
deca_node_invocation_get_config (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  return self->config;
}

const DecaExprScope *
deca_node_invocation_get_scope (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  return &self->scope;
}

DecaClock *
deca_node_invocation_get_clock (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  return self->clock;
}

GCancellable *
deca_node_invocation_get_cancellable (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  if (self->cancellable == NULL)
    {
      self->cancellable = g_cancellable_new ();
      if (self->abandoned)
        g_cancellable_cancel (self->cancellable);
    }
  return self->cancellable;
}

/* Prefixes @error's message with the node id, so that a failure deep inside an expression
 * still says which node it came from. */
static void
prefix_error (DecaNodeInvocation  *self,
              GError             **error,
              gboolean             is_template)
{
  if (error == NULL || *error == NULL)
    return;
  if (is_template)
    /* Translators: the start of an error message; %s is a node id */
    g_prefix_error (error, _("template in node '%s': "), self->node_id);
  else
    /* Translators: the start of an error message; %s is a node id */
    g_prefix_error (error, _("expression in node '%s': "), self->node_id);
}

/* Parsed expressions by their text, shared by every invocation on any thread: a node
 * such as a condition evaluates the same text in every execution, and parsing it each
 * time cost more than evaluating it. Expressions are immutable once parsed and counted
 * atomically. The cache forgets everything when it is full (flows with many distinct
 * expressions parse them again, no more). */
#define EXPR_CACHE_MAX 512

static GMutex expr_cache_lock;
static GHashTable *expr_cache;  /* text -> DecaExpr */

/* Returns (transfer full) @text parsed, or NULL with @error: what deca_expr_parse()
 * returns, from the cache when it has it. */
static DecaExpr *
parse_expression (const char  *text,
                  GError     **error)
{
  DecaExpr *expr = NULL;

  g_mutex_lock (&expr_cache_lock);
  if (expr_cache != NULL && (expr = g_hash_table_lookup (expr_cache, text)) != NULL)
    deca_expr_ref (expr);
  g_mutex_unlock (&expr_cache_lock);
  if (expr != NULL)
    return expr;

  /* Errors are not kept: a text that does not parse says why each time. */
  if (!(expr = deca_expr_parse (text, NULL, error)))
    return NULL;
  g_mutex_lock (&expr_cache_lock);
  if (expr_cache == NULL)
    expr_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) deca_expr_unref);
  if (g_hash_table_size (expr_cache) >= EXPR_CACHE_MAX)
    g_hash_table_remove_all (expr_cache);
  g_hash_table_replace (expr_cache, g_strdup (text), deca_expr_ref (expr));
  g_mutex_unlock (&expr_cache_lock);
  return expr;
}

JsonNode *
deca_node_invocation_evaluate (DecaNodeInvocation  *self,
                               const char          *text,
                               GError             **error)
{
  g_autoptr(DecaExpr) expr = NULL;
  JsonNode *result;

  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  expr = parse_expression (text, error);
  if (expr == NULL)
    {
      prefix_error (self, error, FALSE);
      return NULL;
    }
  result = deca_expr_evaluate (expr, &self->scope, error);
  if (result == NULL)
    prefix_error (self, error, FALSE);
  return result;
}

JsonNode *
deca_node_invocation_render (DecaNodeInvocation  *self,
                             const char          *text,
                             GError             **error)
{
  g_autoptr(DecaTemplate) tmpl = NULL;
  JsonNode *result;

  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  tmpl = deca_template_parse (text, NULL, error);
  if (tmpl == NULL)
    {
      prefix_error (self, error, TRUE);
      return NULL;
    }
  result = deca_template_render (tmpl, &self->scope, error);
  if (result == NULL)
    prefix_error (self, error, TRUE);
  return result;
}

typedef struct {
  const DecaExprScope *base;
  const char * const *names;
  JsonNode **values;
} OverlayScope;

static JsonNode *
overlay_resolve (const char *name,
                 gpointer    user_data)
{
  OverlayScope *overlay = user_data;

  for (guint i = 0; overlay->names[i] != NULL; i++)
    if (g_str_equal (overlay->names[i], name))
      return overlay->values[i];
  return overlay->base->resolve ? overlay->base->resolve (name, overlay->base->user_data) : NULL;
}

JsonNode *
deca_node_invocation_evaluate_with (DecaNodeInvocation  *self,
                                    const char          *text,
                                    const char * const  *names,
                                    JsonNode           **values,
                                    GError             **error)
{
  g_autoptr(DecaExpr) expr = NULL;
  OverlayScope overlay = { &self->scope, names, values };
  DecaExprScope scope = { overlay_resolve, &overlay, self->scope.now_us };
  JsonNode *result;

  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  g_return_val_if_fail (text != NULL && names != NULL && values != NULL, NULL);

  expr = parse_expression (text, error);
  if (expr == NULL)
    {
      prefix_error (self, error, FALSE);
      return NULL;
    }
  result = deca_expr_evaluate (expr, &scope, error);
  if (result == NULL)
    prefix_error (self, error, FALSE);
  return result;
}

JsonObject *
deca_node_invocation_lookup_credential (DecaNodeInvocation  *self,
                                        const char          *name,
                                        GError             **error)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (self->host == NULL || self->host->lookup_credential == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                   _("node '%s': no credential provider is configured, so credential '%s' cannot be resolved"),
                   self->node_id, name);
      return NULL;
    }
  return self->host->lookup_credential (self->host_data, name, error);
}

gboolean
deca_node_invocation_get_approval (DecaNodeInvocation  *self,
                                   gboolean            *approved,
                                   char               **comment,
                                   char               **decided_by)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), FALSE);
  g_return_val_if_fail (approved != NULL, FALSE);

  if (comment)
    *comment = NULL;
  if (decided_by)
    *decided_by = NULL;
  if (self->host == NULL || self->host->get_approval == NULL)
    return FALSE;
  return self->host->get_approval (self->host_data, self->node_key, approved, comment, decided_by);
}

gboolean
deca_node_invocation_set_response (DecaNodeInvocation  *self,
                                   JsonNode            *response,
                                   GError             **error)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  if (self->host == NULL || self->host->set_response == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("node '%s': this execution has no caller to respond to"), self->node_id);
      return FALSE;
    }
  self->host->set_response (self->host_data, response);
  return TRUE;
}

gboolean
deca_node_invocation_run_subflow (DecaNodeInvocation   *self,
                                  const char           *flow_id,
                                  gint64                version,
                                  JsonNode             *input,
                                  DecaSubflowDoneFunc   done,
                                  gpointer              done_data,
                                  GError              **error)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), FALSE);
  g_return_val_if_fail (flow_id != NULL && done != NULL, FALSE);

  if (self->host == NULL || self->host->run_subflow == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("node '%s': subflows need a flow store, and this execution has none"),
                   self->node_id);
      return FALSE;
    }
  return self->host->run_subflow (self->host_data, self, flow_id, version, input, done, done_data, error);
}

JsonNode *
deca_node_invocation_publish_event (DecaNodeInvocation  *self,
                                    const char          *topic,
                                    JsonNode            *data,
                                    GError             **error)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  g_return_val_if_fail (data == NULL || JSON_NODE_HOLDS_OBJECT (data), NULL);

  if (self->host == NULL || self->host->publish_event == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("node '%s': no event bus: run the flow on the server (deca serve) to publish events"),
                   self->node_id);
      return NULL;
    }
  return self->host->publish_event (self->host_data, self, topic, data, error);
}

void
deca_node_invocation_log (DecaNodeInvocation *self,
                          GLogLevelFlags      level,
                          const char         *message)
{
  g_return_if_fail (DECA_IS_NODE_INVOCATION (self));

  if (self->host != NULL && self->host->log != NULL)
    self->host->log (self->host_data, self, level, message);
  else
    g_log (G_LOG_DOMAIN, level, "%s: %s", self->node_id, message);
}

/* Records the outcome and tells the executor. Keeps @self alive across the callback, which
 * may drop the executor's reference. */
static void
finish (DecaNodeInvocation   *self,
        DecaInvocationOutcome outcome)
{
  G_GNUC_UNUSED g_autoptr(DecaNodeInvocation) hold = g_object_ref (self);

  self->outcome = outcome;
  if (!self->abandoned && self->done != NULL)
    self->done (self, self->done_data);
}

void
deca_node_invocation_return_output (DecaNodeInvocation *self,
                                    JsonNode           *output,
                                    const char         *port)
{
  g_return_if_fail (DECA_IS_NODE_INVOCATION (self));
  g_return_if_fail (output != NULL);

  if (self->outcome != DECA_INVOCATION_PENDING)
    {
      g_critical ("node '%s' returned twice; the second result is ignored", self->node_id);
      json_node_unref (output);
      return;
    }
  self->output = output;
  self->port = g_strdup (port);
  finish (self, DECA_INVOCATION_SUCCEEDED);
}

void
deca_node_invocation_return_error (DecaNodeInvocation *self,
                                   GError             *error)
{
  g_return_if_fail (DECA_IS_NODE_INVOCATION (self));
  g_return_if_fail (error != NULL);

  if (self->outcome != DECA_INVOCATION_PENDING)
    {
      g_critical ("node '%s' returned twice; the second result is ignored", self->node_id);
      g_error_free (error);
      return;
    }
  self->error = error;
  finish (self, DECA_INVOCATION_FAILED);
}

void
deca_node_invocation_return_paused (DecaNodeInvocation *self,
                                    const char         *reason)
{
  g_return_if_fail (DECA_IS_NODE_INVOCATION (self));

  if (self->outcome != DECA_INVOCATION_PENDING)
    {
      g_critical ("node '%s' returned twice; the second result is ignored", self->node_id);
      return;
    }
  self->pause_reason = g_strdup (reason ? reason : "");
  finish (self, DECA_INVOCATION_PAUSED);
}

DecaInvocationOutcome
deca_node_invocation_get_outcome (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), DECA_INVOCATION_PENDING);
  return self->outcome;
}

JsonNode *
deca_node_invocation_get_output (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  return self->output;
}

const char *
deca_node_invocation_get_port (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  return self->port;
}

const GError *
deca_node_invocation_get_error (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  return self->error;
}

const char *
deca_node_invocation_get_pause_reason (DecaNodeInvocation *self)
{
  g_return_val_if_fail (DECA_IS_NODE_INVOCATION (self), NULL);
  return self->pause_reason;
}

void
deca_node_invocation_abandon (DecaNodeInvocation *self)
{
  g_return_if_fail (DECA_IS_NODE_INVOCATION (self));

  self->abandoned = TRUE;
  self->host = NULL;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}
