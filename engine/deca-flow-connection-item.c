/* deca-flow-connection-item.c: one connection of a DecaFlowDocument. */

#include "deca-flow-document-private.h"
#include "deca-node-type.h"

struct _DecaFlowConnectionItem
{
  GObject parent_instance;

  /* Borrowed: the document clears it when the item leaves the lists. */
  DecaFlowDocument *document;

  /* Owned. The object is never changed in place. */
  JsonObject *object;
  char *default_port;
  GPtrArray *problems;
};

enum {
  PROP_0,
  PROP_FROM,
  PROP_FROM_PORT,
  PROP_TO,
  PROP_TO_PORT,
  PROP_CONDITION,
  PROP_ON_ERROR,
  PROP_PROBLEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DecaFlowConnectionItem, deca_flow_connection_item, G_TYPE_OBJECT)

static gboolean
object_on_error (JsonObject *object)
{
  JsonNode *member = json_object_get_member (object, "on_error");

  if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
      json_node_get_value_type (member) == G_TYPE_BOOLEAN && json_node_get_boolean (member))
    return TRUE;
  return g_strcmp0 (deca_json_object_get_string (object, "from_port"), DECA_NODE_PORT_ERROR) == 0;
}

static const char *
object_from_port (JsonObject *object,
                  const char *default_port)
{
  const char *port;

  if (object_on_error (object))
    return DECA_NODE_PORT_ERROR;
  port = deca_json_object_get_string (object, "from_port");
  if (port != NULL)
    return port;
  return default_port != NULL ? default_port : DECA_NODE_PORT_MAIN;
}

static void
deca_flow_connection_item_finalize (GObject *object)
{
  DecaFlowConnectionItem *self = DECA_FLOW_CONNECTION_ITEM (object);

  g_clear_pointer (&self->object, json_object_unref);
  g_clear_pointer (&self->default_port, g_free);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

  G_OBJECT_CLASS (deca_flow_connection_item_parent_class)->finalize (object);
}

static void
deca_flow_connection_item_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  DecaFlowConnectionItem *self = DECA_FLOW_CONNECTION_ITEM (object);

  switch (prop_id)
    {
    case PROP_FROM:
      g_value_set_string (value, deca_flow_connection_item_get_from (self));
      break;
    case PROP_FROM_PORT:
      g_value_set_string (value, deca_flow_connection_item_get_from_port (self));
      break;
    case PROP_TO:
      g_value_set_string (value, deca_flow_connection_item_get_to (self));
      break;
    case PROP_TO_PORT:
      g_value_set_string (value, deca_flow_connection_item_get_to_port (self));
      break;
    case PROP_CONDITION:
      g_value_set_string (value, deca_flow_connection_item_get_condition (self));
      break;
    case PROP_ON_ERROR:
      g_value_set_boolean (value, deca_flow_connection_item_get_on_error (self));
      break;
    case PROP_PROBLEMS:
      g_value_set_boxed (value, deca_flow_connection_item_get_problems (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_flow_connection_item_class_init (DecaFlowConnectionItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = deca_flow_connection_item_finalize;
  object_class->get_property = deca_flow_connection_item_get_property;

  properties[PROP_FROM] =
    g_param_spec_string ("from", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FROM_PORT] =
    g_param_spec_string ("from-port", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TO] =
    g_param_spec_string ("to", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TO_PORT] =
    g_param_spec_string ("to-port", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CONDITION] =
    g_param_spec_string ("condition", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ON_ERROR] =
    g_param_spec_boolean ("on-error", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROBLEMS] =
    g_param_spec_boxed ("problems", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
deca_flow_connection_item_init (DecaFlowConnectionItem *self)
{
  self->problems = g_ptr_array_new ();
}

DecaFlowConnectionItem *
_deca_flow_connection_item_new (JsonObject *object,
                                const char *default_port)
{
  DecaFlowConnectionItem *self;

  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (DECA_TYPE_FLOW_CONNECTION_ITEM, NULL);
  self->object = json_object_ref (object);
  self->default_port = g_strdup (default_port);
  return self;
}

JsonObject *
_deca_flow_connection_item_peek_object (DecaFlowConnectionItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self), NULL);

  return self->object;
}

void
_deca_flow_connection_item_set_object (DecaFlowConnectionItem *self,
                                       JsonObject             *object,
                                       const char             *default_port)
{
  g_autoptr(JsonObject) old = NULL;
  g_autofree char *old_default = NULL;

  g_return_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self));
  g_return_if_fail (object != NULL);

  old = g_steal_pointer (&self->object);
  old_default = g_steal_pointer (&self->default_port);
  self->object = json_object_ref (object);
  self->default_port = g_strdup (default_port);

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (deca_json_object_get_string (old, "from"),
                 deca_json_object_get_string (object, "from")) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FROM]);
  if (g_strcmp0 (object_from_port (old, old_default), object_from_port (object, default_port)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FROM_PORT]);
  if (g_strcmp0 (deca_json_object_get_string (old, "to"),
                 deca_json_object_get_string (object, "to")) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TO]);
  if (g_strcmp0 (deca_json_object_get_string (old, "to_port"),
                 deca_json_object_get_string (object, "to_port")) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TO_PORT]);
  if (g_strcmp0 (deca_json_object_get_string (old, "condition"),
                 deca_json_object_get_string (object, "condition")) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONDITION]);
  if (object_on_error (old) != object_on_error (object))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ON_ERROR]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_deca_flow_connection_item_set_document (DecaFlowConnectionItem *self,
                                         DecaFlowDocument       *document)
{
  g_return_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self));

  self->document = document;
  if (document == NULL)
    _deca_flow_connection_item_set_problems (self, g_ptr_array_new ());
}

void
_deca_flow_connection_item_set_problems (DecaFlowConnectionItem *self,
                                         GPtrArray              *problems)
{
  gboolean changed;

  g_return_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self));

  changed = !_deca_validation_problems_equal (problems, self->problems);
  g_ptr_array_unref (self->problems);
  self->problems = problems;
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEMS]);
}

const char *
deca_flow_connection_item_get_from (DecaFlowConnectionItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self), NULL);

  return deca_json_object_get_string (self->object, "from");
}

const char *
deca_flow_connection_item_get_from_port (DecaFlowConnectionItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self), NULL);

  return object_from_port (self->object, self->default_port);
}

gboolean
deca_flow_connection_item_get_has_from_port (DecaFlowConnectionItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self), FALSE);

  return deca_json_object_get_string (self->object, "from_port") != NULL;
}

const char *
deca_flow_connection_item_get_to (DecaFlowConnectionItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self), NULL);

  return deca_json_object_get_string (self->object, "to");
}

const char *
deca_flow_connection_item_get_to_port (DecaFlowConnectionItem *self)
{
  const char *port;

  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self), NULL);

  port = deca_json_object_get_string (self->object, "to_port");
  return port != NULL ? port : DECA_NODE_PORT_MAIN;
}

const char *
deca_flow_connection_item_get_condition (DecaFlowConnectionItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self), NULL);

  return deca_json_object_get_string (self->object, "condition");
}

gboolean
deca_flow_connection_item_get_on_error (DecaFlowConnectionItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self), FALSE);

  return object_on_error (self->object);
}

JsonObject *
deca_flow_connection_item_dup_object (DecaFlowConnectionItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self), NULL);

  return deca_json_object_deep_copy (self->object);
}

GPtrArray *
deca_flow_connection_item_get_problems (DecaFlowConnectionItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (self), NULL);

  if (self->document != NULL)
    _deca_flow_document_ensure_problems (self->document);
  return self->problems;
}
