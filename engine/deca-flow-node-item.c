/* deca-flow-node-item.c: one node of a DecaFlowDocument. */

#include "deca-flow-document-private.h"

struct _DecaFlowNodeItem
{
  GObject parent_instance;

  /* Borrowed: the document clears it when the item leaves the lists. */
  DecaFlowDocument *document;

  /* Owned. Never changed in place (see deca-flow-document-private.h). */
  JsonObject *object;
  GPtrArray *problems;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_NODE_TYPE,
  PROP_CONFIG,
  PROP_X,
  PROP_Y,
  PROP_HAS_POSITION,
  PROP_TIMEOUT,
  PROP_PROBLEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DecaFlowNodeItem, deca_flow_node_item, G_TYPE_OBJECT)

static gboolean
member_number (JsonObject *object,
               const char *name,
               double     *value)
{
  JsonNode *member = object != NULL ? json_object_get_member (object, name) : NULL;

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member))
    return FALSE;
  switch (json_node_get_value_type (member))
    {
    case G_TYPE_INT64:
      *value = (double) json_node_get_int (member);
      return TRUE;
    case G_TYPE_DOUBLE:
      *value = json_node_get_double (member);
      return TRUE;
    default:
      return FALSE;
    }
}

/* Reads the position; a "position" that is not an object with two numbers is none. */
static gboolean
read_position (JsonObject *object,
               double     *x,
               double     *y)
{
  JsonObject *position = deca_json_object_get_object (object, "position");

  *x = *y = 0;
  if (position == NULL)
    return FALSE;
  if (!member_number (position, "x", x) || !member_number (position, "y", y))
    {
      *x = *y = 0;
      return FALSE;
    }
  return TRUE;
}

static void
deca_flow_node_item_finalize (GObject *object)
{
  DecaFlowNodeItem *self = DECA_FLOW_NODE_ITEM (object);

  g_clear_pointer (&self->object, json_object_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

  G_OBJECT_CLASS (deca_flow_node_item_parent_class)->finalize (object);
}

static void
deca_flow_node_item_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  DecaFlowNodeItem *self = DECA_FLOW_NODE_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, deca_flow_node_item_get_id (self));
      break;
    case PROP_NODE_TYPE:
      g_value_set_string (value, deca_flow_node_item_get_node_type (self));
      break;
    case PROP_CONFIG:
      g_value_take_boxed (value, deca_flow_node_item_get_config (self));
      break;
    case PROP_X:
      g_value_set_double (value, deca_flow_node_item_get_x (self));
      break;
    case PROP_Y:
      g_value_set_double (value, deca_flow_node_item_get_y (self));
      break;
    case PROP_HAS_POSITION:
      g_value_set_boolean (value, deca_flow_node_item_get_has_position (self));
      break;
    case PROP_TIMEOUT:
      g_value_set_double (value, deca_flow_node_item_get_timeout (self));
      break;
    case PROP_PROBLEMS:
      g_value_set_boxed (value, deca_flow_node_item_get_problems (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_flow_node_item_class_init (DecaFlowNodeItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = deca_flow_node_item_finalize;
  object_class->get_property = deca_flow_node_item_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NODE_TYPE] =
    g_param_spec_string ("node-type", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CONFIG] =
    g_param_spec_boxed ("config", NULL, NULL, JSON_TYPE_OBJECT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_X] =
    g_param_spec_double ("x", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_Y] =
    g_param_spec_double ("y", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HAS_POSITION] =
    g_param_spec_boolean ("has-position", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TIMEOUT] =
    g_param_spec_double ("timeout", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROBLEMS] =
    g_param_spec_boxed ("problems", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
deca_flow_node_item_init (DecaFlowNodeItem *self)
{
  self->problems = g_ptr_array_new ();
}

DecaFlowNodeItem *
_deca_flow_node_item_new (JsonObject *object)
{
  DecaFlowNodeItem *self;

  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (DECA_TYPE_FLOW_NODE_ITEM, NULL);
  self->object = json_object_ref (object);
  return self;
}

JsonObject *
_deca_flow_node_item_peek_object (DecaFlowNodeItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), NULL);

  return self->object;
}

static gboolean
members_equal (JsonObject *a,
               JsonObject *b,
               const char *name)
{
  JsonNode *ma = json_object_get_member (a, name);
  JsonNode *mb = json_object_get_member (b, name);

  if (ma == NULL || mb == NULL)
    return ma == mb;
  return ma == mb || json_node_equal (ma, mb);
}

void
_deca_flow_node_item_set_object (DecaFlowNodeItem *self,
                                 JsonObject       *object)
{
  g_autoptr(JsonObject) old = NULL;
  double old_x, old_y, new_x, new_y;
  gboolean old_has, new_has;

  g_return_if_fail (DECA_IS_FLOW_NODE_ITEM (self));
  g_return_if_fail (object != NULL);

  if (object == self->object)
    return;

  old = g_steal_pointer (&self->object);
  self->object = json_object_ref (object);

  g_object_freeze_notify (G_OBJECT (self));
  if (!members_equal (old, object, "id"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
  if (!members_equal (old, object, "type"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NODE_TYPE]);
  if (!members_equal (old, object, "config"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
  if (!members_equal (old, object, "timeout"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
  old_has = read_position (old, &old_x, &old_y);
  new_has = read_position (object, &new_x, &new_y);
  if (old_x != new_x)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X]);
  if (old_y != new_y)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_Y]);
  if (old_has != new_has)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_POSITION]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_deca_flow_node_item_set_document (DecaFlowNodeItem *self,
                                   DecaFlowDocument *document)
{
  g_return_if_fail (DECA_IS_FLOW_NODE_ITEM (self));

  self->document = document;
  if (document == NULL)
    _deca_flow_node_item_set_problems (self, g_ptr_array_new ());
}

void
_deca_flow_node_item_set_problems (DecaFlowNodeItem *self,
                                   GPtrArray        *problems)
{
  gboolean changed;

  g_return_if_fail (DECA_IS_FLOW_NODE_ITEM (self));

  changed = !_deca_validation_problems_equal (problems, self->problems);
  g_ptr_array_unref (self->problems);
  self->problems = problems;
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEMS]);
}

const char *
deca_flow_node_item_get_id (DecaFlowNodeItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), NULL);

  return deca_json_object_get_string (self->object, "id");
}

const char *
deca_flow_node_item_get_node_type (DecaFlowNodeItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), NULL);

  return deca_json_object_get_string (self->object, "type");
}

JsonObject *
deca_flow_node_item_get_config (DecaFlowNodeItem *self)
{
  JsonObject *config;

  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), NULL);

  config = deca_json_object_get_object (self->object, "config");
  return config != NULL ? deca_json_object_deep_copy (config) : json_object_new ();
}

double
deca_flow_node_item_get_x (DecaFlowNodeItem *self)
{
  double x, y;

  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), 0);

  read_position (self->object, &x, &y);
  return x;
}

double
deca_flow_node_item_get_y (DecaFlowNodeItem *self)
{
  double x, y;

  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), 0);

  read_position (self->object, &x, &y);
  return y;
}

gboolean
deca_flow_node_item_get_has_position (DecaFlowNodeItem *self)
{
  double x, y;

  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), FALSE);

  return read_position (self->object, &x, &y);
}

JsonObject *
deca_flow_node_item_get_retry (DecaFlowNodeItem *self)
{
  JsonObject *retry;

  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), NULL);

  retry = deca_json_object_get_object (self->object, "retry");
  return retry != NULL ? deca_json_object_deep_copy (retry) : NULL;
}

double
deca_flow_node_item_get_timeout (DecaFlowNodeItem *self)
{
  double timeout = 0;

  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), 0);

  if (!member_number (self->object, "timeout", &timeout) || timeout < 0)
    return 0;
  return timeout;
}

JsonObject *
deca_flow_node_item_dup_object (DecaFlowNodeItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), NULL);

  return deca_json_object_deep_copy (self->object);
}

GPtrArray *
deca_flow_node_item_get_problems (DecaFlowNodeItem *self)
{
  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (self), NULL);

  /* Problems are computed lazily; asking for them is what brings them up to date. */
  if (self->document != NULL)
    _deca_flow_document_ensure_problems (self->document);
  return self->problems;
}
