#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-node-base.h"

typedef struct
{
  const DecaNodeInfo *info;    /* borrowed, static */
  JsonNode           *schema;  /* owned, parsed from info->schema */
} DecaNodeBasePrivate;

static void deca_node_base_iface_init (DecaNodeTypeInterface *iface);

G_DEFINE_ABSTRACT_TYPE_WITH_CODE (DecaNodeBase, deca_node_base, G_TYPE_OBJECT,
                                  G_ADD_PRIVATE (DecaNodeBase)
                                  G_IMPLEMENT_INTERFACE (DECA_TYPE_NODE_TYPE,
                                                         deca_node_base_iface_init))

static const char * const default_ports[] = { DECA_NODE_PORT_MAIN, NULL };

static const DecaNodeInfo *
get_info (DecaNodeType *type)
{
  DecaNodeBasePrivate *priv = deca_node_base_get_instance_private (DECA_NODE_BASE (type));

  /* Every subclass sets its info in instance init; a missing one is a programming error. */
  g_assert (priv->info != NULL);
  return priv->info;
}

static const char *
deca_node_base_get_name (DecaNodeType *type)
{
  return get_info (type)->name;
}

static const char *
deca_node_base_get_title (DecaNodeType *type)
{
  return _(get_info (type)->title);
}

static const char *
deca_node_base_get_description (DecaNodeType *type)
{
  return _(get_info (type)->description);
}

static const char *
deca_node_base_get_category (DecaNodeType *type)
{
  return get_info (type)->category;
}

static DecaNodeKind
deca_node_base_get_kind (DecaNodeType *type)
{
  return get_info (type)->kind;
}

static gboolean
deca_node_base_is_replayable (DecaNodeType *type)
{
  return get_info (type)->replayable;
}

static JsonNode *
deca_node_base_get_config_schema (DecaNodeType *type)
{
  DecaNodeBasePrivate *priv = deca_node_base_get_instance_private (DECA_NODE_BASE (type));

  return priv->schema;
}

static const char *
deca_node_base_get_default_port (DecaNodeType *type)
{
  const DecaNodeInfo *info = get_info (type);

  if (info->default_port != NULL)
    return info->default_port;
  return info->ports != NULL ? info->ports[0] : DECA_NODE_PORT_MAIN;
}

static GStrv
deca_node_base_list_output_ports (DecaNodeType *type,
                                  JsonObject   *config)
{
  return DECA_NODE_BASE_GET_CLASS (type)->list_output_ports (DECA_NODE_BASE (type), config);
}

static void
deca_node_base_check_config (DecaNodeType *type,
                             JsonObject   *config,
                             GPtrArray    *problems)
{
  DECA_NODE_BASE_GET_CLASS (type)->check_config (DECA_NODE_BASE (type), config, problems);
}

static char *
deca_node_base_get_circuit_key (DecaNodeType *type,
                                JsonObject   *config)
{
  return DECA_NODE_BASE_GET_CLASS (type)->get_circuit_key (DECA_NODE_BASE (type), config);
}

static void
deca_node_base_invoke (DecaNodeType       *type,
                       DecaNodeInvocation *invocation)
{
  DecaNodeBaseClass *klass = DECA_NODE_BASE_GET_CLASS (type);

  g_assert (klass->invoke != NULL);
  klass->invoke (DECA_NODE_BASE (type), invocation);
}

static void
deca_node_base_iface_init (DecaNodeTypeInterface *iface)
{
  iface->get_name = deca_node_base_get_name;
  iface->get_title = deca_node_base_get_title;
  iface->get_description = deca_node_base_get_description;
  iface->get_category = deca_node_base_get_category;
  iface->get_kind = deca_node_base_get_kind;
  iface->get_config_schema = deca_node_base_get_config_schema;
  iface->list_output_ports = deca_node_base_list_output_ports;
  iface->get_default_port = deca_node_base_get_default_port;
  iface->check_config = deca_node_base_check_config;
  iface->get_circuit_key = deca_node_base_get_circuit_key;
  iface->invoke = deca_node_base_invoke;
  iface->is_replayable = deca_node_base_is_replayable;
}

static void
deca_node_base_real_check_config (DecaNodeBase *self,
                                  JsonObject   *config,
                                  GPtrArray    *problems)
{
}

static GStrv
deca_node_base_real_list_output_ports (DecaNodeBase *self,
                                       JsonObject   *config)
{
  const DecaNodeInfo *info = get_info (DECA_NODE_TYPE (self));

  return g_strdupv ((char **) (info->ports != NULL ? info->ports : default_ports));
}

static char *
deca_node_base_real_get_circuit_key (DecaNodeBase *self,
                                     JsonObject   *config)
{
  return NULL;
}

static void
deca_node_base_finalize (GObject *object)
{
  DecaNodeBasePrivate *priv = deca_node_base_get_instance_private (DECA_NODE_BASE (object));

  g_clear_pointer (&priv->schema, json_node_unref);
  G_OBJECT_CLASS (deca_node_base_parent_class)->finalize (object);
}

static void
deca_node_base_class_init (DecaNodeBaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = deca_node_base_finalize;
  klass->check_config = deca_node_base_real_check_config;
  klass->list_output_ports = deca_node_base_real_list_output_ports;
  klass->get_circuit_key = deca_node_base_real_get_circuit_key;
}

static void
deca_node_base_init (DecaNodeBase *self)
{
}

void
_deca_node_base_set_info (DecaNodeBase       *self,
                          const DecaNodeInfo *info)
{
  DecaNodeBasePrivate *priv = deca_node_base_get_instance_private (self);
  g_autoptr(GError) error = NULL;

  g_return_if_fail (DECA_IS_NODE_BASE (self));
  g_return_if_fail (info != NULL && info->name != NULL && info->schema != NULL);

  priv->info = info;
  g_clear_pointer (&priv->schema, json_node_unref);
  /* The schema is a literal in the node's source: failing to parse it is a bug to catch in
   * the first test run, not a condition to handle. */
  priv->schema = json_from_string (info->schema, &error);
  if (priv->schema == NULL || !JSON_NODE_HOLDS_OBJECT (priv->schema))
    g_error ("node type '%s': config schema is not a JSON object: %s", info->name,
             error ? error->message : "wrong type");
}

const DecaNodeInfo *
_deca_node_base_get_info (DecaNodeBase *self)
{
  g_return_val_if_fail (DECA_IS_NODE_BASE (self), NULL);
  return get_info (DECA_NODE_TYPE (self));
}

void
_deca_node_return_output (DecaNodeInvocation *invocation,
                          JsonNode           *output,
                          const char         *port)
{
  deca_node_invocation_return_output (invocation, output, port);
}

void
_deca_node_return_object (DecaNodeInvocation *invocation,
                          JsonObject         *output,
                          const char         *port)
{
  deca_node_invocation_return_output (invocation, _deca_json_object_node (output), port);
}

void
_deca_node_return_new_error (DecaNodeInvocation *invocation,
                             DecaEngineError     code,
                             const char         *format,
                             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  deca_node_invocation_return_error (invocation,
                                     g_error_new_literal (DECA_ENGINE_ERROR, code, message));
}

void
_deca_node_add_problem (GPtrArray  *problems,
                        const char *pointer,
                        const char *format,
                        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (problems, deca_validation_problem_new (pointer, "%s", message));
}

/* Looks up @member, treating JSON null like absence. */
static JsonNode *
get_member (JsonObject *config,
            const char *member)
{
  JsonNode *node = config ? json_object_get_member (config, member) : NULL;

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

static gboolean
wrong_type (const char  *member,
            const char  *expected,
            JsonNode    *node,
            GError     **error)
{
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
               _("'%s' must be %s, got %s"), member, expected, deca_json_type_name (node));
  return FALSE;
}

static gboolean
is_number (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node)
         && (json_node_get_value_type (node) == G_TYPE_INT64
             || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

gboolean
_deca_node_config_has (JsonObject *config,
                       const char *member)
{
  return get_member (config, member) != NULL;
}

gboolean
_deca_node_config_get_string (JsonObject  *config,
                              const char  *member,
                              const char  *default_value,
                              const char **value,
                              GError     **error)
{
  JsonNode *node = get_member (config, member);

  if (node == NULL)
    {
      *value = default_value;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return wrong_type (member, "a string", node, error);
  *value = json_node_get_string (node);
  return TRUE;
}

gboolean
_deca_node_config_get_number (JsonObject  *config,
                              const char  *member,
                              double       default_value,
                              double      *value,
                              GError     **error)
{
  JsonNode *node = get_member (config, member);

  if (node == NULL)
    {
      *value = default_value;
      return TRUE;
    }
  if (!is_number (node))
    return wrong_type (member, "a number", node, error);
  *value = json_node_get_double (node);
  return TRUE;
}

gboolean
_deca_node_config_get_int (JsonObject  *config,
                           const char  *member,
                           gint64       default_value,
                           gint64      *value,
                           GError     **error)
{
  JsonNode *node = get_member (config, member);
  double d;

  if (node == NULL)
    {
      *value = default_value;
      return TRUE;
    }
  if (!is_number (node))
    return wrong_type (member, "an integer", node, error);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *value = json_node_get_int (node);
      return TRUE;
    }
  /* Templates render numbers as doubles when they went through arithmetic; 3.0 is fine. */
  d = json_node_get_double (node);
  if (d != (double) (gint64) d)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'%s' must be an integer, got %g"), member, d);
      return FALSE;
    }
  *value = (gint64) d;
  return TRUE;
}

gboolean
_deca_node_config_get_bool (JsonObject  *config,
                            const char  *member,
                            gboolean     default_value,
                            gboolean    *value,
                            GError     **error)
{
  JsonNode *node = get_member (config, member);

  if (node == NULL)
    {
      *value = default_value;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return wrong_type (member, "true or false", node, error);
  *value = json_node_get_boolean (node);
  return TRUE;
}

gboolean
_deca_node_config_get_object (JsonObject  *config,
                              const char  *member,
                              JsonObject **value,
                              GError     **error)
{
  JsonNode *node = get_member (config, member);

  *value = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (member, "an object", node, error);
  *value = json_node_get_object (node);
  return TRUE;
}

gboolean
_deca_node_config_get_array (JsonObject  *config,
                             const char  *member,
                             JsonArray  **value,
                             GError     **error)
{
  JsonNode *node = get_member (config, member);

  *value = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (member, "an array", node, error);
  *value = json_node_get_array (node);
  return TRUE;
}

JsonNode *
_deca_json_string_node (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

JsonNode *
_deca_json_object_node (JsonObject *object)
{
  return json_node_init_object (json_node_alloc (), object);
}

void
_deca_json_iter_init (DecaJsonIter *iter,
                      JsonObject   *object)
{
  _deca_json_iter_clear (iter);
  iter->object = json_object_ref (object);
  /* The ordered iterator walks the names in insertion (document) order. The object must
   * not change while it is walked (json-glib checks that); no caller changes it. */
  json_object_iter_init_ordered (&iter->iter, object);
}

gboolean
_deca_json_iter_next (DecaJsonIter  *iter,
                      const char   **name,
                      JsonNode     **node)
{
  const char *member_name;
  JsonNode *member;

  if (iter->object == NULL)
    return FALSE;
  /* json-glib 1.6 starts over when asked again after the end: the end is remembered by
   * dropping the object. */
  if (!json_object_iter_next_ordered (&iter->iter, &member_name, &member))
    {
      g_clear_pointer (&iter->object, json_object_unref);
      return FALSE;
    }
  *name = member_name;
  if (node != NULL)
    *node = member;
  return TRUE;
}

void
_deca_json_iter_clear (DecaJsonIter *iter)
{
  g_clear_pointer (&iter->object, json_object_unref);
}
