#pragma once

#include <gtk/gtk.h>

#include "deca-node-type.h"

G_BEGIN_DECLS

/*
 * DecaPaletteRow: one node type in the DecaPalette: its icon, title and a one-line
 * description (the whole description in the tooltip). The row is the drag source of its
 * type: the drag carries the DecaNodeType object itself (DECA_TYPE_NODE_TYPE), and the
 * drag icon is the row as drawn. Its accessible name is "Title, Group".
 */

#define DECA_TYPE_PALETTE_ROW (deca_palette_row_get_type ())
G_DECLARE_FINAL_TYPE (DecaPaletteRow, deca_palette_row, DECA, PALETTE_ROW, GtkListBoxRow)

GtkWidget    *deca_palette_row_new           (DecaNodeType   *type);
/* Returns (transfer none) the node type shown. */
DecaNodeType *deca_palette_row_get_node_type (DecaPaletteRow *self);
/* Returns (transfer none) the row's drag source. */
GtkDragSource *deca_palette_row_get_drag_source (DecaPaletteRow *self);

G_END_DECLS
