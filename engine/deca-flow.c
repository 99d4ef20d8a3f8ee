#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "deca-flow.h"
#include "deca-engine-error.h"
#include "deca-json.h"

/* Defaults of docs/flow-format.md. */
#define DEFAULT_PARALLELISM 4
#define DEFAULT_BREAKER_THRESHOLD 5
#define DEFAULT_BREAKER_COOLDOWN_US (30 * G_USEC_PER_SEC)
#define DEFAULT_RETRY_INITIAL_US (1 * G_USEC_PER_SEC)
#define DEFAULT_RETRY_MAX_US (60 * G_USEC_PER_SEC)

struct _DecaFlow
{
  GObject parent_instance;

  JsonNode *document;
  char *id;
  char *name;
  gint64 version;
  gint64 timeout_us;
  DecaErrorStrategy error_strategy;
  guint parallelism;
  guint breaker_threshold;
  gint64 breaker_cooldown_us;

  GArray *nodes;         /* DecaFlowNode */
  GArray *connections;   /* DecaFlowConnection */
  GArray *triggers;      /* DecaFlowTrigger */
  GHashTable *node_by_id;  /* id -> index + 1 */
  JsonObject *empty_config;
};

G_DEFINE_FINAL_TYPE (DecaFlow, deca_flow, G_TYPE_OBJECT)

static void
clear_node (gpointer data)
{
  DecaFlowNode *node = data;

  g_free (node->id);
  g_free (node->type);
}

static void
clear_connection (gpointer data)
{
  DecaFlowConnection *connection = data;

  g_free (connection->from);
  g_free (connection->to);
  g_free (connection->from_port);
  g_free (connection->to_port);
  g_free (connection->condition);
}

static void
clear_trigger (gpointer data)
{
  DecaFlowTrigger *trigger = data;

  g_free (trigger->type);
}

static void
deca_flow_finalize (GObject *object)
{
  DecaFlow *self = DECA_FLOW (object);

  g_clear_pointer (&self->nodes, g_array_unref);
  g_clear_pointer (&self->connections, g_array_unref);
  g_clear_pointer (&self->triggers, g_array_unref);
  g_clear_pointer (&self->node_by_id, g_hash_table_unref);
  g_clear_pointer (&self->document, json_node_unref);
  g_clear_pointer (&self->empty_config, json_object_unref);
  g_free (self->id);
  g_free (self->name);
  G_OBJECT_CLASS (deca_flow_parent_class)->finalize (object);
}

static void
deca_flow_class_init (DecaFlowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = deca_flow_finalize;
}

static void
deca_flow_init (DecaFlow *self)
{
  self->nodes = g_array_new (FALSE, TRUE, sizeof (DecaFlowNode));
  g_array_set_clear_func (self->nodes, clear_node);
  self->connections = g_array_new (FALSE, TRUE, sizeof (DecaFlowConnection));
  g_array_set_clear_func (self->connections, clear_connection);
  self->triggers = g_array_new (FALSE, TRUE, sizeof (DecaFlowTrigger));
  g_array_set_clear_func (self->triggers, clear_trigger);
  self->node_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->empty_config = json_object_new ();
  self->parallelism = DEFAULT_PARALLELISM;
  self->breaker_threshold = DEFAULT_BREAKER_THRESHOLD;
  self->breaker_cooldown_us = DEFAULT_BREAKER_COOLDOWN_US;
}

gint64
deca_json_seconds_to_us (JsonNode *node,
                         gint64    fallback)
{
  double seconds;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  switch (json_node_get_value_type (node) == G_TYPE_INT64 ? 0 : json_node_get_value_type (node) == G_TYPE_DOUBLE ? 1 : 2)
    {
    case 0: seconds = (double) json_node_get_int (node); break;
    case 1: seconds = json_node_get_double (node); break;
    default: return fallback;
    }
  if (!isfinite (seconds) || seconds < 0)
    return fallback;
  /* Clamp at a century, so that multiplying never overflows. */
  return (gint64) (MIN (seconds, 3.2e9) * G_USEC_PER_SEC);
}

static gboolean
shape_error (GError     **error,
             const char  *pointer,
             const char  *message)
{
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE, "%s: %s", pointer, message);
  return FALSE;
}

static gboolean
node_is_number (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

static double
node_number (JsonNode *node,
             double    fallback)
{
  if (!node_is_number (node))
    return fallback;
  return json_node_get_value_type (node) == G_TYPE_INT64 ? (double) json_node_get_int (node) : json_node_get_double (node);
}

static void
read_retry (JsonObject      *object,
            DecaRetryPolicy *retry)
{
  JsonNode *member = json_object_get_member (object, "retry");
  JsonObject *policy;

  retry->max_attempts = 1;
  retry->initial_delay_us = DEFAULT_RETRY_INITIAL_US;
  retry->multiplier = 2.0;
  retry->max_delay_us = DEFAULT_RETRY_MAX_US;
  retry->jitter = 0.1;
  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return;

  policy = json_node_get_object (member);
  retry->max_attempts = (int) CLAMP (node_number (json_object_get_member (policy, "max_attempts"), 1), 1, 100);
  retry->initial_delay_us = deca_json_seconds_to_us (json_object_get_member (policy, "initial_delay"), DEFAULT_RETRY_INITIAL_US);
  retry->multiplier = MAX (node_number (json_object_get_member (policy, "multiplier"), 2.0), 1.0);
  retry->max_delay_us = deca_json_seconds_to_us (json_object_get_member (policy, "max_delay"), DEFAULT_RETRY_MAX_US);
  retry->jitter = CLAMP (node_number (json_object_get_member (policy, "jitter"), 0.1), 0.0, 1.0);
}

static gboolean
read_nodes (DecaFlow    *self,
            JsonObject  *root,
            GError     **error)
{
  JsonNode *member = json_object_get_member (root, "nodes");
  JsonArray *array;

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return shape_error (error, "/nodes", _("a flow needs a \"nodes\" array"));

  array = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *pointer = g_strdup_printf ("/nodes/%u", i);
      DecaFlowNode node = { 0 };
      JsonObject *object;
      JsonNode *config;
      const char *id, *type;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return shape_error (error, pointer, _("a node must be an object"));
      object = json_node_get_object (element);
      id = deca_json_object_get_string (object, "id");
      type = deca_json_object_get_string (object, "type");
      if (id == NULL || *id == '\0')
        return shape_error (error, pointer, _("a node needs a string \"id\""));
      if (type == NULL || *type == '\0')
        return shape_error (error, pointer, _("a node needs a string \"type\""));
      if (g_hash_table_contains (self->node_by_id, id))
        return shape_error (error, pointer, _("two nodes have the same id"));

      config = json_object_get_member (object, "config");
      if (config != NULL && !JSON_NODE_HOLDS_OBJECT (config) && !JSON_NODE_HOLDS_NULL (config))
        return shape_error (error, pointer, _("\"config\" must be an object"));

      node.id = g_strdup (id);
      node.type = g_strdup (type);
      node.object = object;
      /* Nodes without a config share an empty one, so that nothing downstream checks for
       * NULL, and the document is left exactly as it was written. */
      node.config = config != NULL && JSON_NODE_HOLDS_OBJECT (config) ? json_node_get_object (config) : self->empty_config;
      node.timeout_us = deca_json_seconds_to_us (json_object_get_member (object, "timeout"), 0);
      node.index = i;
      read_retry (object, &node.retry);
      g_array_append_val (self->nodes, node);
      g_hash_table_insert (self->node_by_id, g_array_index (self->nodes, DecaFlowNode, i).id, GUINT_TO_POINTER (i + 1));
    }
  return TRUE;
}

static gboolean
read_connections (DecaFlow    *self,
                  JsonObject  *root,
                  GError     **error)
{
  JsonNode *member = json_object_get_member (root, "connections");
  JsonArray *array;

  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (member))
    return shape_error (error, "/connections", _("\"connections\" must be an array"));

  array = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *pointer = g_strdup_printf ("/connections/%u", i);
      DecaFlowConnection connection = { 0 };
      JsonObject *object;
      JsonNode *on_error;
      const char *from, *to;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return shape_error (error, pointer, _("a connection must be an object"));
      object = json_node_get_object (element);
      from = deca_json_object_get_string (object, "from");
      to = deca_json_object_get_string (object, "to");
      if (from == NULL || !g_hash_table_contains (self->node_by_id, from))
        return shape_error (error, pointer, _("\"from\" must name a node of the flow"));
      if (to == NULL || !g_hash_table_contains (self->node_by_id, to))
        return shape_error (error, pointer, _("\"to\" must name a node of the flow"));

      connection.from = g_strdup (from);
      connection.to = g_strdup (to);
      connection.from_port = g_strdup (deca_json_object_get_string (object, "from_port"));
      connection.to_port = g_strdup (deca_json_object_get_string (object, "to_port"));
      connection.condition = g_strdup (deca_json_object_get_string (object, "condition"));
      on_error = json_object_get_member (object, "on_error");
      connection.on_error = (on_error != NULL && JSON_NODE_HOLDS_VALUE (on_error) &&
                             json_node_get_value_type (on_error) == G_TYPE_BOOLEAN &&
                             json_node_get_boolean (on_error)) ||
                            g_strcmp0 (connection.from_port, "error") == 0;
      if (connection.on_error)
        {
          g_free (connection.from_port);
          connection.from_port = g_strdup ("error");
        }
      connection.index = i;
      g_array_append_val (self->connections, connection);
    }
  return TRUE;
}

static gboolean
read_triggers (DecaFlow    *self,
               JsonObject  *root,
               GError     **error)
{
  JsonNode *member = json_object_get_member (root, "triggers");
  JsonArray *array;

  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (member))
    return shape_error (error, "/triggers", _("\"triggers\" must be an array"));

  array = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *pointer = g_strdup_printf ("/triggers/%u", i);
      DecaFlowTrigger trigger = { 0 };
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return shape_error (error, pointer, _("a trigger must be an object"));
      type = deca_json_object_get_string (json_node_get_object (element), "type");
      if (type == NULL)
        return shape_error (error, pointer, _("a trigger needs a string \"type\""));
      trigger.type = g_strdup (type);
      trigger.object = json_node_get_object (element);
      trigger.index = i;
      g_array_append_val (self->triggers, trigger);
    }
  return TRUE;
}

static gboolean
read_settings (DecaFlow    *self,
               JsonObject  *root,
               GError     **error)
{
  JsonNode *member = json_object_get_member (root, "settings");
  JsonObject *settings;
  JsonNode *breaker;
  const char *strategy;

  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (member))
    return shape_error (error, "/settings", _("\"settings\" must be an object"));

  settings = json_node_get_object (member);
  self->timeout_us = deca_json_seconds_to_us (json_object_get_member (settings, "timeout"), 0);
  strategy = deca_json_object_get_string (settings, "error_strategy");
  if (strategy == NULL || g_str_equal (strategy, "stop_on_error"))
    self->error_strategy = DECA_ERROR_STRATEGY_STOP_ON_ERROR;
  else if (g_str_equal (strategy, "continue_on_error"))
    self->error_strategy = DECA_ERROR_STRATEGY_CONTINUE_ON_ERROR;
  else
    return shape_error (error, "/settings/error_strategy",
                        _("must be \"stop_on_error\" or \"continue_on_error\""));
  self->parallelism = (guint) CLAMP (node_number (json_object_get_member (settings, "parallelism"), DEFAULT_PARALLELISM), 1, 1024);

  breaker = json_object_get_member (settings, "circuit_breaker");
  if (breaker != NULL && JSON_NODE_HOLDS_OBJECT (breaker))
    {
      JsonObject *object = json_node_get_object (breaker);

      self->breaker_threshold = (guint) CLAMP (node_number (json_object_get_member (object, "failure_threshold"), DEFAULT_BREAKER_THRESHOLD), 1, 1000000);
      self->breaker_cooldown_us = deca_json_seconds_to_us (json_object_get_member (object, "cooldown"), DEFAULT_BREAKER_COOLDOWN_US);
    }
  return TRUE;
}

DecaFlow *
deca_flow_new_from_json (JsonNode  *root,
                         GError   **error)
{
  g_autoptr(DecaFlow) self = NULL;
  JsonObject *object;
  JsonNode *version;
  const char *id, *name;

  g_return_val_if_fail (root != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                           _("a flow must be a JSON object"));
      return NULL;
    }

  self = g_object_new (DECA_TYPE_FLOW, NULL);
  self->document = json_node_ref (root);
  object = json_node_get_object (root);
  id = deca_json_object_get_string (object, "id");
  name = deca_json_object_get_string (object, "name");
  if (id == NULL || *id == '\0')
    {
      shape_error (error, "/id", _("a flow needs a non-empty string \"id\""));
      return NULL;
    }
  self->id = g_strdup (id);
  self->name = g_strdup (name ? name : id);
  version = json_object_get_member (object, "version");
  self->version = node_is_number (version) ? (gint64) node_number (version, 1) : 1;

  if (!read_nodes (self, object, error) ||
      !read_connections (self, object, error) ||
      !read_triggers (self, object, error) ||
      !read_settings (self, object, error))
    return NULL;
  return g_steal_pointer (&self);
}

DecaFlow *
deca_flow_new_from_data (const char  *data,
                         gssize       length,
                         GError     **error)
{
  g_autoptr(JsonNode) root = deca_json_parse (data, length, error);

  if (root == NULL)
    return NULL;
  return deca_flow_new_from_json (root, error);
}

DecaFlow *
deca_flow_new_from_file (const char  *path,
                         GError     **error)
{
  g_autofree char *data = NULL;
  gsize length;
  GError *local_error = NULL;
  DecaFlow *flow;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND, "%s", local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  flow = deca_flow_new_from_data (data, (gssize) length, error);
  if (flow == NULL && error != NULL && *error != NULL)
    g_prefix_error (error, "%s: ", path);
  return flow;
}

JsonNode *
deca_flow_get_document (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), NULL);
  return self->document;
}

char *
deca_flow_to_data (DecaFlow *self,
                   gboolean  pretty,
                   gsize    *length)
{
  char *data;

  g_return_val_if_fail (DECA_IS_FLOW (self), NULL);

  data = deca_json_to_string (self->document, pretty);
  if (length)
    *length = strlen (data);
  return data;
}

gboolean
deca_flow_save_to_file (DecaFlow    *self,
                        const char  *path,
                        GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *with_newline = NULL;
  gsize length;

  g_return_val_if_fail (DECA_IS_FLOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = deca_flow_to_data (self, TRUE, &length);
  with_newline = g_strconcat (data, "\n", NULL);
  /* g_file_set_contents writes a temporary file and renames it: never a half-written flow. */
  return g_file_set_contents (path, with_newline, -1, error);
}

const char *
deca_flow_get_id (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), NULL);
  return self->id;
}

const char *
deca_flow_get_name (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), NULL);
  return self->name;
}

gint64
deca_flow_get_version (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), 0);
  return self->version;
}

gint64
deca_flow_get_timeout_us (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), 0);
  return self->timeout_us;
}

DecaErrorStrategy
deca_flow_get_error_strategy (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), DECA_ERROR_STRATEGY_STOP_ON_ERROR);
  return self->error_strategy;
}

guint
deca_flow_get_parallelism (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), 1);
  return self->parallelism;
}

guint
deca_flow_get_breaker_threshold (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), DEFAULT_BREAKER_THRESHOLD);
  return self->breaker_threshold;
}

gint64
deca_flow_get_breaker_cooldown_us (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), DEFAULT_BREAKER_COOLDOWN_US);
  return self->breaker_cooldown_us;
}

guint
deca_flow_get_n_nodes (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), 0);
  return self->nodes->len;
}

const DecaFlowNode *
deca_flow_get_node (DecaFlow *self,
                    guint     index)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);
  return &g_array_index (self->nodes, DecaFlowNode, index);
}

const DecaFlowNode *
deca_flow_lookup_node (DecaFlow   *self,
                       const char *id)
{
  guint index;

  g_return_val_if_fail (DECA_IS_FLOW (self), NULL);

  index = GPOINTER_TO_UINT (g_hash_table_lookup (self->node_by_id, id ? id : ""));
  return index ? &g_array_index (self->nodes, DecaFlowNode, index - 1) : NULL;
}

guint
deca_flow_get_n_connections (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), 0);
  return self->connections->len;
}

const DecaFlowConnection *
deca_flow_get_connection (DecaFlow *self,
                          guint     index)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), NULL);
  g_return_val_if_fail (index < self->connections->len, NULL);
  return &g_array_index (self->connections, DecaFlowConnection, index);
}

guint
deca_flow_get_n_triggers (DecaFlow *self)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), 0);
  return self->triggers->len;
}

const DecaFlowTrigger *
deca_flow_get_trigger (DecaFlow *self,
                       guint     index)
{
  g_return_val_if_fail (DECA_IS_FLOW (self), NULL);
  g_return_val_if_fail (index < self->triggers->len, NULL);
  return &g_array_index (self->triggers, DecaFlowTrigger, index);
}
