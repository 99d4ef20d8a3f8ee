#include "deca-node-type.h"

G_DEFINE_INTERFACE (DecaNodeType, deca_node_type, G_TYPE_OBJECT)

static const char *
deca_node_type_real_get_empty (DecaNodeType *self)
{
  return "";
}

static const char *
deca_node_type_real_get_category (DecaNodeType *self)
{
  return "core";
}

static DecaNodeKind
deca_node_type_real_get_kind (DecaNodeType *self)
{
  return DECA_NODE_KIND_ACTION;
}

static JsonNode *
deca_node_type_real_get_config_schema (DecaNodeType *self)
{
  static JsonNode *schema;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      schema = json_from_string ("{\"type\": \"object\", \"properties\": {}}", NULL);
      g_once_init_leave (&initialized, 1);
    }
  return schema;
}

static GStrv
deca_node_type_real_list_output_ports (DecaNodeType *self,
                                       JsonObject   *config)
{
  const char *ports[] = { DECA_NODE_PORT_MAIN, NULL };

  return g_strdupv ((char **) ports);
}

static const char *
deca_node_type_real_get_default_port (DecaNodeType *self)
{
  return DECA_NODE_PORT_MAIN;
}

static void
deca_node_type_real_check_config (DecaNodeType *self,
                                  JsonObject   *config,
                                  GPtrArray    *problems)
{
}

static char *
deca_node_type_real_get_circuit_key (DecaNodeType *self,
                                     JsonObject   *config)
{
  return NULL;
}

static gboolean
deca_node_type_real_is_replayable (DecaNodeType *self)
{
  return FALSE;
}

static void
deca_node_type_default_init (DecaNodeTypeInterface *iface)
{
  iface->get_title = deca_node_type_real_get_empty;
  iface->get_description = deca_node_type_real_get_empty;
  iface->get_category = deca_node_type_real_get_category;
  iface->get_kind = deca_node_type_real_get_kind;
  iface->get_config_schema = deca_node_type_real_get_config_schema;
  iface->list_output_ports = deca_node_type_real_list_output_ports;
  iface->get_default_port = deca_node_type_real_get_default_port;
  iface->check_config = deca_node_type_real_check_config;
  iface->get_circuit_key = deca_node_type_real_get_circuit_key;
  iface->is_replayable = deca_node_type_real_is_replayable;
}

const char *
deca_node_type_get_name (DecaNodeType *self)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), NULL);
  return DECA_NODE_TYPE_GET_IFACE (self)->get_name (self);
}

const char *
deca_node_type_get_title (DecaNodeType *self)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), NULL);
  return DECA_NODE_TYPE_GET_IFACE (self)->get_title (self);
}

const char *
deca_node_type_get_description (DecaNodeType *self)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), NULL);
  return DECA_NODE_TYPE_GET_IFACE (self)->get_description (self);
}

const char *
deca_node_type_get_category (DecaNodeType *self)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), NULL);
  return DECA_NODE_TYPE_GET_IFACE (self)->get_category (self);
}

DecaNodeKind
deca_node_type_get_kind (DecaNodeType *self)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), DECA_NODE_KIND_ACTION);
  return DECA_NODE_TYPE_GET_IFACE (self)->get_kind (self);
}

gboolean
deca_node_type_is_replayable (DecaNodeType *self)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), FALSE);
  return DECA_NODE_TYPE_GET_IFACE (self)->is_replayable (self);
}

JsonNode *
deca_node_type_get_config_schema (DecaNodeType *self)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), NULL);
  return DECA_NODE_TYPE_GET_IFACE (self)->get_config_schema (self);
}

GStrv
deca_node_type_list_output_ports (DecaNodeType *self,
                                  JsonObject   *config)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), NULL);
  return DECA_NODE_TYPE_GET_IFACE (self)->list_output_ports (self, config);
}

const char *
deca_node_type_get_default_port (DecaNodeType *self)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), NULL);
  return DECA_NODE_TYPE_GET_IFACE (self)->get_default_port (self);
}

void
deca_node_type_check_config (DecaNodeType *self,
                             JsonObject   *config,
                             GPtrArray    *problems)
{
  g_return_if_fail (DECA_IS_NODE_TYPE (self));
  g_return_if_fail (config != NULL && problems != NULL);
  DECA_NODE_TYPE_GET_IFACE (self)->check_config (self, config, problems);
}

char *
deca_node_type_get_circuit_key (DecaNodeType *self,
                                JsonObject   *config)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), NULL);
  return DECA_NODE_TYPE_GET_IFACE (self)->get_circuit_key (self, config);
}

void
deca_node_type_invoke (DecaNodeType       *self,
                       DecaNodeInvocation *invocation)
{
  g_return_if_fail (DECA_IS_NODE_TYPE (self));
  g_return_if_fail (DECA_IS_NODE_INVOCATION (invocation));
  DECA_NODE_TYPE_GET_IFACE (self)->invoke (self, invocation);
}

static const char *
kind_name (DecaNodeKind kind)
{
  switch (kind)
    {
    case DECA_NODE_KIND_TRIGGER: return "trigger";
    case DECA_NODE_KIND_LOOP: return "loop";
    case DECA_NODE_KIND_ACTION:
    default: return "action";
    }
}

JsonNode *
deca_node_type_to_json (DecaNodeType *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) empty = json_object_new ();
  g_auto(GStrv) ports = NULL;

  g_return_val_if_fail (DECA_IS_NODE_TYPE (self), NULL);

  /* Ports can depend on the config (branch cases); list those of an empty config. */
  ports = deca_node_type_list_output_ports (self, empty);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, deca_node_type_get_name (self));
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, deca_node_type_get_title (self));
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, deca_node_type_get_description (self));
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, deca_node_type_get_category (self));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_name (deca_node_type_get_kind (self)));
  json_builder_set_member_name (builder, "ports");
  json_builder_begin_array (builder);
  for (guint i = 0; ports != NULL && ports[i] != NULL; i++)
    json_builder_add_string_value (builder, ports[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "default_port");
  json_builder_add_string_value (builder, deca_node_type_get_default_port (self));
  /* Whether a run may be repeated after a crash (docs/execution.md, "Replayable nodes"). */
  json_builder_set_member_name (builder, "replayable");
  json_builder_add_boolean_value (builder, deca_node_type_is_replayable (self));
  json_builder_set_member_name (builder, "config_schema");
  json_builder_add_value (builder, json_node_copy (deca_node_type_get_config_schema (self)));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

DecaValidationProblem *
deca_validation_problem_new (const char *pointer,
                             const char *format,
                             ...)
{
  DecaValidationProblem *problem = g_new0 (DecaValidationProblem, 1);
  va_list args;

  va_start (args, format);
  problem->pointer = g_strdup (pointer ? pointer : "");
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  return problem;
}

void
deca_validation_problem_free (DecaValidationProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->pointer);
  g_free (problem->message);
  g_free (problem);
}
