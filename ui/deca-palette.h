#pragma once

#include <gtk/gtk.h>

#include "deca-node-registry.h"

G_BEGIN_DECLS

/*
 * DecaPalette: the searchable, grouped list of node types (Triggers, Core, AI,
 * Integrations, DECA) from a DecaNodeRegistry. A row is a GtkDragSource whose content is
 * the DecaNodeType (DECA_TYPE_NODE_TYPE), which DecaCanvas accepts as a drop; activating
 * a row (Enter, double-click) emits ::type-activated with the type's name.
 */

#define DECA_TYPE_PALETTE (deca_palette_get_type ())
G_DECLARE_FINAL_TYPE (DecaPalette, deca_palette, DECA, PALETTE, GtkWidget)

GtkWidget        *deca_palette_new          (DecaNodeRegistry *registry);
DecaNodeRegistry *deca_palette_get_registry (DecaPalette      *self);
void              deca_palette_set_registry (DecaPalette      *self,
                                             DecaNodeRegistry *registry);
/* The search text; rows whose title, name, description or group match stay visible. */
void              deca_palette_set_search   (DecaPalette      *self,
                                             const char       *text);
/* Focuses the search entry. */
void              deca_palette_focus_search (DecaPalette      *self);

/* The palette group a node type belongs to ("Triggers", ...), translated. */
const char       *deca_palette_group_for_type (DecaNodeType   *type);
/* The icon name of a node type, for the palette and the canvas cards. */
const char       *deca_node_type_icon_name    (DecaNodeType   *type);

G_END_DECLS
