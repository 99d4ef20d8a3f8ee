#pragma once

#include <gtk/gtk.h>

#include "deca-flow-document.h"

G_BEGIN_DECLS

/*
 * DecaCanvas: the flow canvas. It draws a DecaFlowDocument (nodes as cards, connections
 * as curves) and turns pointer and keyboard input into the document's edits; it owns no
 * flow logic itself (STYLE 10). Canvas coordinates are the document's; the view maps
 * them to widget pixels with an offset and a zoom factor: widget = (canvas - offset) * zoom.
 *
 * Each node is a child DecaNodeView and each connection a child DecaConnectionView (its
 * label at the curve's middle), so that both are focusable and accessible; the canvas
 * itself is a group labelled "Flow canvas".
 *
 * Actions (installed on the class, prefix "canvas."): zoom-in, zoom-out, zoom-reset,
 * zoom-fit, zoom-selection, select-all, delete, copy, cut, paste, duplicate, undo, redo,
 * layout, connect-start, activate. Their keys: Ctrl+plus / Ctrl+minus / Ctrl+0, Ctrl+1
 * or F, Ctrl+2, Ctrl+A, Delete, Ctrl+C / Ctrl+X / Ctrl+V / Ctrl+D, Ctrl+Z / Ctrl+Shift+Z
 * (and Ctrl+Y), Ctrl+Shift+L, C or Ctrl+Enter, Enter. Arrows move the selected nodes by
 * a grid step (with Shift: five); Tab and Shift+Tab go through the nodes and then the
 * connections in document order.
 *
 * Connecting from the keyboard: connect-start (C or Ctrl+Enter) starts from the focused
 * (or the only selected) node and proposes a target, highlighted; the arrows pick the
 * nearest node in their direction, Tab and Shift+Tab the next or previous one in document
 * order; Enter connects, Escape cancels.
 *
 * Refused edits (a cycle, a self-loop, a duplicate) emit ::edit-refused with the engine's
 * message for a person, and the canvas shows it beside the pointer for a few seconds.
 * Enter or a double-click on a node emits ::node-activated with its id; Enter or a
 * double-click on a connection's label opens the editor of its condition.
 *
 * Escape cancels a drag, else clears the selection.
 *
 * The pointer: a press on a card selects it (Shift or Ctrl: adds or removes it) and a
 * drag moves the selection (one undo step); a drag from an output port (right edge) or
 * the error port (bottom edge) to another card connects them, with a rubber curve; a
 * drag on empty space selects the cards it touches; a click on a curve or its label
 * selects the connection. Scrolling pans (Shift: sideways), Ctrl+scroll and a pinch zoom
 * around the pointer, the middle button or Space+drag pan, and a press on the minimap
 * moves the view there. Node types dropped from the palette (DECA_TYPE_NODE_TYPE) become
 * nodes where they land.
 *
 * Properties: document, zoom, snap-to-grid (sets the document's grid-size), show-minimap,
 * selection (the selected ids, a GStrv; notify::selection also fires when the selected
 * connection changes) and selected-connection.
 */

#define DECA_TYPE_CANVAS (deca_canvas_get_type ())
G_DECLARE_FINAL_TYPE (DecaCanvas, deca_canvas, DECA, CANVAS, GtkWidget)

GtkWidget        *deca_canvas_new               (void);

/* The document drawn (nullable: an empty canvas). */
DecaFlowDocument *deca_canvas_get_document      (DecaCanvas       *self);
void              deca_canvas_set_document      (DecaCanvas       *self,
                                                 DecaFlowDocument *document);

/* Returns (transfer full) the ids of the selected nodes, in document order; never NULL. */
GStrv             deca_canvas_dup_selection     (DecaCanvas         *self);
/* Replaces the selection with @ids (NULL-terminated; NULL clears). Unknown ids are
 * ignored. notify::selection fires when it changes. */
void              deca_canvas_set_selection     (DecaCanvas         *self,
                                                 const char * const *ids);
/* The selected connection, or NULL. Selecting a connection clears the node selection
 * and the other way round. */
DecaFlowConnectionItem *deca_canvas_get_selected_connection (DecaCanvas *self);
/* Selects @connection (an item of the document's connections; NULL clears). */
void              deca_canvas_set_selected_connection (DecaCanvas             *self,
                                                       DecaFlowConnectionItem *connection);

/* Adds a node of @type at the centre of the visible area, selects it, and returns
 * (transfer none) its item; NULL with the document's error. */
DecaFlowNodeItem *deca_canvas_add_node_at_center (DecaCanvas  *self,
                                                  const char  *type,
                                                  GError     **error);

/* Adds a node of @type with its top-left corner at canvas point (@x, @y) (snapped when
 * snap-to-grid is on), selects it, and returns (transfer none) its item; NULL with the
 * document's error. A drop from the palette lands here. */
DecaFlowNodeItem *deca_canvas_add_node_at       (DecaCanvas  *self,
                                                 const char  *type,
                                                 double       x,
                                                 double       y,
                                                 GError     **error);

/* Lays the flow out left to right (deca_flow_layout_layered) as one undo step
 * ("Arrange"); the canvas.layout action. FALSE with the layout's error. */
gboolean          deca_canvas_arrange           (DecaCanvas  *self,
                                                 GError     **error);

/* The view: zoom (1.0 = 100 %, clamped to 0.1 .. 4.0) and the canvas point shown at the
 * widget's top-left corner. */
double            deca_canvas_get_zoom          (DecaCanvas *self);
void              deca_canvas_set_zoom          (DecaCanvas *self,
                                                 double      zoom);
void              deca_canvas_get_offset        (DecaCanvas *self,
                                                 double     *x,
                                                 double     *y);
void              deca_canvas_set_view          (DecaCanvas *self,
                                                 double      offset_x,
                                                 double      offset_y,
                                                 double      zoom);
/* Zooms and pans so that every node (or the selection) is visible. */
void              deca_canvas_zoom_to_fit       (DecaCanvas *self);
void              deca_canvas_zoom_to_selection (DecaCanvas *self);

/* Converts between widget pixels and canvas coordinates. */
void              deca_canvas_widget_to_canvas  (DecaCanvas *self,
                                                 double      wx,
                                                 double      wy,
                                                 double     *cx,
                                                 double     *cy);
void              deca_canvas_canvas_to_widget  (DecaCanvas *self,
                                                 double      cx,
                                                 double      cy,
                                                 double     *wx,
                                                 double     *wy);

gboolean          deca_canvas_get_snap_to_grid  (DecaCanvas *self);
void              deca_canvas_set_snap_to_grid  (DecaCanvas *self,
                                                 gboolean    snap);
gboolean          deca_canvas_get_show_minimap  (DecaCanvas *self);
void              deca_canvas_set_show_minimap  (DecaCanvas *self,
                                                 gboolean    show);

G_END_DECLS
