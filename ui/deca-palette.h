#pragma once

#include <gtk/gtk.h>

#include "deca-node-registry.h"

G_BEGIN_DECLS

/*
 * DecaPalette: the searchable, grouped list of node types (Triggers, Core, AI,
 * Integrations, DECA) from a DecaNodeRegistry. A row is a GtkDragSource whose content is
 * the DecaNodeType (DECA_TYPE_NODE_TYPE), which DecaCanvas accepts as a drop; activating
 * a row (Enter, double-click) emits ::type-activated with the type's name.
 *
 * The search entry at the top filters by title, name, description and group, without
 * regard to case; every word typed must match one of them. Down in the entry moves into
 * the list, Up on the first row moves back, Enter in the entry activates the first
 * match, and typing while the list has the focus goes to the entry. Groups without a
 * visible row have no header; when nothing matches, a status message says so.
 *
 * Properties: "registry" (DecaNodeRegistry, nullable), "search" (the search text).
 * Signals: ::type-activated (const char *name).
 */

#define DECA_TYPE_PALETTE (deca_palette_get_type ())
G_DECLARE_FINAL_TYPE (DecaPalette, deca_palette, DECA, PALETTE, GtkWidget)

/* @registry is nullable: an empty palette. */
GtkWidget        *deca_palette_new          (DecaNodeRegistry *registry);
/* Returns (transfer none) (nullable) the registry listed. */
DecaNodeRegistry *deca_palette_get_registry (DecaPalette      *self);
/* Lists the types of @registry (nullable). The registry has no change signal: call this
 * again after adding types to it. */
void              deca_palette_set_registry (DecaPalette      *self,
                                             DecaNodeRegistry *registry);
/* The search text; rows whose title, name, description or group match stay visible.
 * Setting it filters at once (typing in the entry filters after the entry's short
 * search delay). NULL is the empty search. */
const char       *deca_palette_get_search   (DecaPalette      *self);
void              deca_palette_set_search   (DecaPalette      *self,
                                             const char       *text);
/* Focuses the search entry. */
void              deca_palette_focus_search (DecaPalette      *self);
/* The number of node types that match the search (the rows shown). */
guint             deca_palette_get_n_matches (DecaPalette     *self);

/* The palette group a node type belongs to ("Triggers", ...), translated. The engine
 * category "trigger" is Triggers, "core" and "flow" are Core, "ai" is AI,
 * "integration" is Integrations, "deca" is DECA; any other category is Core. */
const char       *deca_palette_group_for_type (DecaNodeType   *type);
/* The icon name of a node type, for the palette and the canvas cards: a symbolic icon of
 * adwaita-icon-theme 43 per built-in type, a generic one per category for the others.
 * Never NULL. */
const char       *deca_node_type_icon_name    (DecaNodeType   *type);

G_END_DECLS
