#pragma once

#include <gtk/gtk.h>

#include "deca-flow-node-item.h"
#include "deca-node-registry.h"

G_BEGIN_DECLS

/*
 * DecaNodeView: one node of the canvas, as a card: the type's icon, the node id as its
 * title, the type's title, a badge counting the node's validation problems (its tooltip
 * lists them), and the ports: the input on the left edge, the output ports on the right
 * edge (named when there is more than one), the "error" port of fallback connections on
 * the bottom edge.
 *
 * It is a child widget of DecaCanvas so that it is focusable and accessible (role button,
 * label "<id>, <type title>" followed by ", N problems" when it has any). It draws the
 * item it is given and follows the item's notifications; it edits nothing. Positions
 * are the canvas's business: the view only says where its ports are, in its own
 * coordinates (the card's top-left corner is 0, 0).
 */

#define DECA_TYPE_NODE_VIEW (deca_node_view_get_type ())
G_DECLARE_FINAL_TYPE (DecaNodeView, deca_node_view, DECA, NODE_VIEW, GtkWidget)

/* The width of every card, in canvas units; the height depends on the ports. */
#define DECA_NODE_VIEW_WIDTH 200
#define DECA_NODE_VIEW_MIN_HEIGHT 80
/* The radius of a port's circle; a press within twice that picks the port. */
#define DECA_NODE_VIEW_PORT_RADIUS 6

GtkWidget        *deca_node_view_new            (DecaFlowNodeItem *item,
                                                 DecaNodeRegistry *registry);
DecaFlowNodeItem *deca_node_view_get_item       (DecaNodeView     *self);

gboolean          deca_node_view_get_selected   (DecaNodeView     *self);
void              deca_node_view_set_selected   (DecaNodeView     *self,
                                                 gboolean          selected);
/* The candidate target of a keyboard connection (highlighted). */
void              deca_node_view_set_connect_target (DecaNodeView *self,
                                                     gboolean      target);

/* The card's size in canvas units (its preferred size). */
void              deca_node_view_get_size       (DecaNodeView     *self,
                                                 double           *width,
                                                 double           *height);
/* TRUE when the node has an input port (triggers have none). */
gboolean          deca_node_view_has_input      (DecaNodeView     *self);
/* Returns (transfer none) the output ports, NULL-terminated ("error" not included). */
const char * const *deca_node_view_get_output_ports (DecaNodeView *self);
/* The port a connection without "from_port" leaves from. */
const char       *deca_node_view_get_default_port (DecaNodeView   *self);
/* Where @port is on the card and which way a curve leaves it (a unit vector). @port NULL
 * is the input; "error" is the fallback port; an unknown port is placed like the default
 * one. */
void              deca_node_view_get_port_point (DecaNodeView     *self,
                                                 const char       *port,
                                                 double           *x,
                                                 double           *y,
                                                 double           *dir_x,
                                                 double           *dir_y);
/* The port within @tolerance of (@x, @y), card coordinates: TRUE with *@port set to its
 * name (transfer none) or to NULL for the input. */
gboolean          deca_node_view_pick_port      (DecaNodeView     *self,
                                                 double            x,
                                                 double            y,
                                                 double            tolerance,
                                                 const char      **port);
/* The accessible name: "<id>, <type title>[, N problems]" (transfer full). */
char             *deca_node_view_dup_accessible_name (DecaNodeView *self);

G_END_DECLS
