#include "deca-node-registry.h"
#include "deca-engine-private.h"

struct _DecaNodeRegistry
{
  GObject parent_instance;
  GHashTable *types;   /* name -> DecaNodeType */
};

G_DEFINE_FINAL_TYPE (DecaNodeRegistry, deca_node_registry, G_TYPE_OBJECT)

static void
deca_node_registry_finalize (GObject *object)
{
  DecaNodeRegistry *self = DECA_NODE_REGISTRY (object);

  g_hash_table_unref (self->types);
  G_OBJECT_CLASS (deca_node_registry_parent_class)->finalize (object);
}

static void
deca_node_registry_class_init (DecaNodeRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = deca_node_registry_finalize;
}

static void
deca_node_registry_init (DecaNodeRegistry *self)
{
  self->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

DecaNodeRegistry *
deca_node_registry_new (void)
{
  return g_object_new (DECA_TYPE_NODE_REGISTRY, NULL);
}

DecaNodeRegistry *
deca_node_registry_new_builtin (void)
{
  DecaNodeRegistry *self = deca_node_registry_new ();

  /* Every program that runs or checks flows comes through here: a good place to make
   * the engine's messages translatable in the program's locale. */
  _deca_engine_init_i18n ();
  _deca_nodes_register_builtin (self);
  return self;
}

void
deca_node_registry_add (DecaNodeRegistry *self,
                        DecaNodeType     *type)
{
  g_return_if_fail (DECA_IS_NODE_REGISTRY (self));
  g_return_if_fail (DECA_IS_NODE_TYPE (type));

  g_hash_table_replace (self->types, g_strdup (deca_node_type_get_name (type)), g_object_ref (type));
}

DecaNodeType *
deca_node_registry_lookup (DecaNodeRegistry *self,
                           const char       *name)
{
  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (self), NULL);

  if (name == NULL)
    return NULL;
  return g_hash_table_lookup (self->types, name);
}

static int
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  DecaNodeType *ta = *(DecaNodeType **) a;
  DecaNodeType *tb = *(DecaNodeType **) b;

  return g_strcmp0 (deca_node_type_get_name (ta), deca_node_type_get_name (tb));
}

GPtrArray *
deca_node_registry_list (DecaNodeRegistry *self)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (self), NULL);

  list = g_ptr_array_new_full (g_hash_table_size (self->types), NULL);
  g_hash_table_iter_init (&iter, self->types);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_by_name);
  return list;
}
