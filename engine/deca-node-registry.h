#pragma once

#include <glib-object.h>

#include "deca-node-type.h"

G_BEGIN_DECLS

#define DECA_TYPE_NODE_REGISTRY (deca_node_registry_get_type ())
G_DECLARE_FINAL_TYPE (DecaNodeRegistry, deca_node_registry, DECA, NODE_REGISTRY, GObject)

/* An empty registry. */
DecaNodeRegistry *deca_node_registry_new          (void);
/* Returns (transfer full) a registry holding every built-in node type. */
DecaNodeRegistry *deca_node_registry_new_builtin  (void);
/* Adds @type; a type of the same name is replaced. */
void              deca_node_registry_add          (DecaNodeRegistry *self,
                                                   DecaNodeType     *type);
/* Returns (transfer none) (nullable) the type called @name. */
DecaNodeType     *deca_node_registry_lookup       (DecaNodeRegistry *self,
                                                   const char       *name);
/* Returns (transfer container) (element-type DecaNodeType) the types, sorted by name. */
GPtrArray        *deca_node_registry_list         (DecaNodeRegistry *self);

/* Registers the built-in types (engine/nodes/) into @registry. */
void              _deca_nodes_register_builtin    (DecaNodeRegistry *registry);

G_END_DECLS
