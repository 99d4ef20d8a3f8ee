#pragma once

#include <gtk/gtk.h>

#include "deca-flow-connection-item.h"
#include "deca-node-view.h"

G_BEGIN_DECLS

/*
 * DecaConnectionView: the part of a connection that is a widget: a small label at the
 * middle of its curve showing the condition (or the port, for a branch port or a
 * fallback), or a dot when there is nothing to say, with a badge counting the
 * connection's validation problems. The curve itself is drawn by the canvas.
 *
 * It exists so that connections can be focused and read by a screen reader: role button,
 * label "Connection from <from>[, port <port>], to <to>[, when <condition>]", and the
 * problems as its description.
 */

#define DECA_TYPE_CONNECTION_VIEW (deca_connection_view_get_type ())
G_DECLARE_FINAL_TYPE (DecaConnectionView, deca_connection_view, DECA, CONNECTION_VIEW, GtkWidget)

/**
 * DecaConnectionGeometry:
 * @from_view: (nullable): the source's card, resolved by the canvas
 * @to_view: (nullable): the target's card
 * @x0..@y3: the cubic Bézier, in canvas units: start, two control points, end
 * @bounds: what the curve (and its arrow) covers, in canvas units
 * @node: (nullable): the curve drawn in canvas units; NULL when it must be drawn again
 *
 * The canvas's bookkeeping for the curve, kept beside the widget so that both live and
 * die together.
 */
typedef struct {
  DecaNodeView *from_view;
  DecaNodeView *to_view;
  double x0, y0, x1, y1, x2, y2, x3, y3;
  graphene_rect_t bounds;
  GskRenderNode *node;
} DecaConnectionGeometry;

GtkWidget              *deca_connection_view_new          (DecaFlowConnectionItem *item);
DecaFlowConnectionItem *deca_connection_view_get_item     (DecaConnectionView     *self);
DecaConnectionGeometry *deca_connection_view_get_geometry (DecaConnectionView     *self);

gboolean                deca_connection_view_get_selected (DecaConnectionView     *self);
void                    deca_connection_view_set_selected (DecaConnectionView     *self,
                                                           gboolean                selected);
/* The port shown on the label, or NULL: a fallback's "error", a branch's named port. */
const char             *deca_connection_view_get_port_label (DecaConnectionView   *self);
/* Returns (transfer full) the accessible name. */
char                   *deca_connection_view_dup_accessible_name (DecaConnectionView *self);

G_END_DECLS
