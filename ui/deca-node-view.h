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
/* The port a keyboard connection leaves from: drawn highlighted, and @status (what is
 * being connected, for screen readers) joins the card's accessible description, so that
 * a screen reader on the focused card hears each change. @port is an output port or
 * "error"; NULL, NULL when the connection ends. */
void              deca_node_view_set_connect_port (DecaNodeView *self,
                                                   const char   *port,
                                                   const char   *status);
/* Returns (transfer none) (nullable) the port set with deca_node_view_set_connect_port(). */
const char       *deca_node_view_get_connect_port (DecaNodeView *self);

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
/* Where the card is, in canvas units (the item's position, kept to spare JSON reads). */
void              deca_node_view_get_position   (DecaNodeView     *self,
                                                 double           *x,
                                                 double           *y);

/* How far the card's drawing reaches beyond its size: ports, focus ring, shadows. */
#define DECA_NODE_VIEW_OVERFLOW 10

/* The canvas keeps a card's last drawing: an image of @source (the card's render node)
 * at @scale (device pixels per canvas unit), covering the card grown by
 * DECA_NODE_VIEW_OVERFLOW on every side. get returns (transfer none) the kept image when
 * it was made from that very node at that scale, else NULL; a card that draws
 * differently (a new title, a hover, the focus) has a new node. */
cairo_surface_t  *deca_node_view_get_image      (DecaNodeView     *self,
                                                 GskRenderNode    *source,
                                                 double            scale);
void              deca_node_view_set_image      (DecaNodeView     *self,
                                                 GskRenderNode    *source,
                                                 double            scale,
                                                 cairo_surface_t  *image);
/* Returns (transfer none) the kept image as a texture, for renderers that keep textures
 * (GL); made once per image. NULL without an image. */
GdkTexture       *deca_node_view_get_texture    (DecaNodeView     *self);
/* Frees the image and the texture (a card out of view). */
void              deca_node_view_drop_texture   (DecaNodeView     *self);

/* The accessible name: "<id>, <type title>[, N problems]" (transfer full). */
char             *deca_node_view_dup_accessible_name (DecaNodeView *self);
/* The accessible description (transfer full) (nullable): a keyboard connection's status
 * (deca_node_view_set_connect_port()), then the problems' messages, one a line. */
char             *deca_node_view_dup_accessible_description (DecaNodeView *self);

G_END_DECLS
