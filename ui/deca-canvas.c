/* deca-canvas.c: the flow canvas: the document's views, the geometry, drawing, selection
 * and the view. Input is in deca-canvas-input.c, drops in deca-canvas-dnd.c, actions
 * and keys in deca-canvas-actions.c. */

#include "config.h"

#include <malloc.h>
#include <math.h>
#include <glib/gi18n-lib.h>

#include "deca-canvas-private.h"
#include "deca-ui.h"
#include "deca-engine-error.h"
#include "deca-flow-layout.h"

G_DEFINE_FINAL_TYPE (DecaCanvas, deca_canvas, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_DOCUMENT,
  PROP_ZOOM,
  PROP_SNAP_TO_GRID,
  PROP_SHOW_MINIMAP,
  PROP_SELECTION,
  PROP_SELECTED_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EDIT_REFUSED,
  SIGNAL_NODE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* DECA_CANVAS_DEBUG turns the drawing shortcuts off, to measure what they buy
 * (tests/bench/bench-canvas.c): "no-cull" allocates and draws everything, "no-cache"
 * places and draws every curve again each frame, "no-lod" draws full cards at any zoom,
 * "no-texture" draws the cards' widgets (and the minimap) instead of images of them,
 * "no-tiles" draws the moving view like the resting one instead of from kept tiles. */
enum {
  DEBUG_NO_CULL = 1 << 0,
  DEBUG_NO_CACHE = 1 << 1,
  DEBUG_NO_LOD = 1 << 2,
  DEBUG_NO_TEXTURE = 1 << 3,
  DEBUG_NO_TILES = 1 << 4,
};

static guint debug_flags;

/* ---- geometry --------------------------------------------------------------------------- */

static DecaNodeView *
lookup_view (DecaCanvas *self,
             const char *id)
{
  DecaFlowNodeItem *item;

  if (!self->document || !id)
    return NULL;
  item = deca_flow_document_lookup_node (self->document, id);
  return item ? g_hash_table_lookup (self->view_by_item, item) : NULL;
}

void
_deca_canvas_node_rect (DecaCanvas      *self,
                        DecaNodeView    *view,
                        graphene_rect_t *rect)
{
  double x, y, width, height;

  deca_node_view_get_position (view, &x, &y);
  deca_node_view_get_size (view, &width, &height);
  graphene_rect_init (rect, x, y, width, height);
}

void
_deca_canvas_visible_rect (DecaCanvas      *self,
                           graphene_rect_t *rect)
{
  graphene_rect_init (rect, self->offset_x, self->offset_y,
                      gtk_widget_get_width (GTK_WIDGET (self)) / self->zoom,
                      gtk_widget_get_height (GTK_WIDGET (self)) / self->zoom);
}

static void
resolve_connection (DecaCanvas         *self,
                    DecaConnectionView *view)
{
  DecaConnectionGeometry *geometry = deca_connection_view_get_geometry (view);
  DecaFlowConnectionItem *item = deca_connection_view_get_item (view);

  geometry->from_view = lookup_view (self, deca_flow_connection_item_get_from (item));
  geometry->to_view = lookup_view (self, deca_flow_connection_item_get_to (item));
  g_clear_pointer (&geometry->node, gsk_render_node_unref);
}

/* The port a connection's curve leaves from on its source's card. */
static const char *
connection_port (DecaConnectionView *view)
{
  DecaFlowConnectionItem *item = deca_connection_view_get_item (view);

  if (deca_flow_connection_item_get_on_error (item))
    return DECA_NODE_PORT_ERROR;
  return deca_flow_connection_item_get_from_port (item);
}

/* The control points of a curve from (x0, y0) leaving in direction (dx0, dy0) to (x3, y3)
 * entering against (dx3, dy3). The handles grow with the distance, and more when the
 * curve has to turn back, so that a backward connection loops around instead of
 * crossing the cards. */
static void
curve_handles (double  x0,
               double  y0,
               double  dx0,
               double  dy0,
               double  x3,
               double  y3,
               double  dx3,
               double  dy3,
               double *x1,
               double *y1,
               double *x2,
               double *y2)
{
  double distance = hypot (x3 - x0, y3 - y0);
  double handle = CLAMP (distance / 2, 40, 200);

  if ((x3 - x0) * dx0 + (y3 - y0) * dy0 < 0)
    handle = MAX (handle, 120);
  *x1 = x0 + dx0 * handle;
  *y1 = y0 + dy0 * handle;
  *x2 = x3 + dx3 * handle;
  *y2 = y3 + dy3 * handle;
}

static void
bezier_bounds (const double     p[8],
               double           margin,
               graphene_rect_t *bounds)
{
  /* The curve lies inside the hull of its control points. */
  double min_x = MIN (MIN (p[0], p[2]), MIN (p[4], p[6]));
  double max_x = MAX (MAX (p[0], p[2]), MAX (p[4], p[6]));
  double min_y = MIN (MIN (p[1], p[3]), MIN (p[5], p[7]));
  double max_y = MAX (MAX (p[1], p[3]), MAX (p[5], p[7]));

  graphene_rect_init (bounds, min_x - margin, min_y - margin,
                      max_x - min_x + 2 * margin, max_y - min_y + 2 * margin);
}

/* Recomputes a connection's curve from where its cards are; drops the drawn curve only
 * when the curve changed, so that panning and unrelated edits reuse it. */
static void
update_connection_geometry (DecaCanvas         *self,
                            DecaConnectionView *view)
{
  DecaConnectionGeometry *g = deca_connection_view_get_geometry (view);
  graphene_rect_t from, to;
  double p[8], dx0, dy0, dx3, dy3;

  if (!g->from_view || !g->to_view)
    {
      graphene_rect_init (&g->bounds, 0, 0, 0, 0);
      return;
    }
  _deca_canvas_node_rect (self, g->from_view, &from);
  _deca_canvas_node_rect (self, g->to_view, &to);
  deca_node_view_get_port_point (g->from_view, connection_port (view), &p[0], &p[1],
                                 &dx0, &dy0);
  deca_node_view_get_port_point (g->to_view, NULL, &p[6], &p[7], &dx3, &dy3);
  p[0] += from.origin.x;
  p[1] += from.origin.y;
  p[6] += to.origin.x;
  p[7] += to.origin.y;
  curve_handles (p[0], p[1], dx0, dy0, p[6], p[7], dx3, dy3, &p[2], &p[3], &p[4], &p[5]);

  if (g->x0 == p[0] && g->y0 == p[1] && g->x1 == p[2] && g->y1 == p[3]
      && g->x2 == p[4] && g->y2 == p[5] && g->x3 == p[6] && g->y3 == p[7]
      && g->bounds.size.width > 0)
    return;
  g->x0 = p[0]; g->y0 = p[1];
  g->x1 = p[2]; g->y1 = p[3];
  g->x2 = p[4]; g->y2 = p[5];
  g->x3 = p[6]; g->y3 = p[7];
  bezier_bounds (p, 10, &g->bounds);
  g_clear_pointer (&g->node, gsk_render_node_unref);
}

static void
bezier_point (const DecaConnectionGeometry *g,
              double                        t,
              double                       *x,
              double                       *y)
{
  double u = 1 - t;

  *x = u * u * u * g->x0 + 3 * u * u * t * g->x1 + 3 * u * t * t * g->x2 + t * t * t * g->x3;
  *y = u * u * u * g->y0 + 3 * u * u * t * g->y1 + 3 * u * t * t * g->y2 + t * t * t * g->y3;
}

static double
segment_distance (double px,
                  double py,
                  double ax,
                  double ay,
                  double bx,
                  double by)
{
  double vx = bx - ax, vy = by - ay;
  double len = vx * vx + vy * vy;
  double t = len > 0 ? ((px - ax) * vx + (py - ay) * vy) / len : 0;

  t = CLAMP (t, 0, 1);
  return hypot (px - (ax + t * vx), py - (ay + t * vy));
}

static double
curve_distance (const DecaConnectionGeometry *g,
                double                        x,
                double                        y)
{
  double best = G_MAXDOUBLE, ax = g->x0, ay = g->y0;

  for (int i = 1; i <= 32; i++)
    {
      double bx, by;

      bezier_point (g, i / 32.0, &bx, &by);
      best = MIN (best, segment_distance (x, y, ax, ay, bx, by));
      ax = bx;
      ay = by;
    }
  return best;
}

DecaNodeView *
_deca_canvas_node_at (DecaCanvas *self,
                      double      cx,
                      double      cy)
{
  /* The last card is drawn on top, so it is the one hit. */
  for (guint i = self->node_views->len; i > 0; i--)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i - 1);
      graphene_rect_t rect;

      _deca_canvas_node_rect (self, view, &rect);
      if (graphene_rect_contains_point (&rect, &GRAPHENE_POINT_INIT (cx, cy)))
        return view;
    }
  return NULL;
}

DecaNodeView *
_deca_canvas_port_at (DecaCanvas  *self,
                      double       cx,
                      double       cy,
                      const char **port)
{
  /* A port is small: a press a few pixels off it still counts, whatever the zoom. */
  double tolerance = MAX (2 * DECA_NODE_VIEW_PORT_RADIUS, 8 / self->zoom);

  for (guint i = self->node_views->len; i > 0; i--)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i - 1);
      graphene_rect_t rect;

      _deca_canvas_node_rect (self, view, &rect);
      graphene_rect_inset (&rect, -tolerance, -tolerance);
      if (graphene_rect_contains_point (&rect, &GRAPHENE_POINT_INIT (cx, cy))
          && deca_node_view_pick_port (view, cx - rect.origin.x - tolerance,
                                       cy - rect.origin.y - tolerance, tolerance, port))
        return view;
    }
  return NULL;
}

DecaConnectionView *
_deca_canvas_connection_at (DecaCanvas *self,
                            double      cx,
                            double      cy)
{
  double tolerance = DECA_CANVAS_CURVE_TOLERANCE / self->zoom;
  DecaConnectionView *best = NULL;
  double best_distance = tolerance;
  double wx, wy;

  deca_canvas_canvas_to_widget (self, cx, cy, &wx, &wy);

  /* Labels first: they sit on top of the curves. */
  if (self->zoom >= DECA_CANVAS_DETAIL_ZOOM)
    for (guint i = 0; i < self->connection_views->len; i++)
      {
        DecaConnectionView *view = g_ptr_array_index (self->connection_views, i);
        DecaConnectionGeometry *g = deca_connection_view_get_geometry (view);
        graphene_rect_t bounds;

        if (!graphene_rect_contains_point (&g->bounds, &GRAPHENE_POINT_INIT (cx, cy)))
          continue;
        if (gtk_widget_compute_bounds (GTK_WIDGET (view), GTK_WIDGET (self), &bounds)
            && graphene_rect_contains_point (&bounds, &GRAPHENE_POINT_INIT (wx, wy)))
          return view;
      }

  for (guint i = 0; i < self->connection_views->len; i++)
    {
      DecaConnectionView *view = g_ptr_array_index (self->connection_views, i);
      DecaConnectionGeometry *g = deca_connection_view_get_geometry (view);
      double distance;

      if (!graphene_rect_contains_point (&g->bounds, &GRAPHENE_POINT_INIT (cx, cy)))
        continue;
      distance = curve_distance (g, cx, cy);
      if (distance <= best_distance)
        {
          best = view;
          best_distance = distance;
        }
    }
  return best;
}

static void
minimap_rect (DecaCanvas      *self,
              graphene_rect_t *rect)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  graphene_rect_init (rect,
                      width - DECA_CANVAS_MINIMAP_WIDTH - DECA_CANVAS_MINIMAP_MARGIN,
                      height - DECA_CANVAS_MINIMAP_HEIGHT - DECA_CANVAS_MINIMAP_MARGIN,
                      DECA_CANVAS_MINIMAP_WIDTH, DECA_CANVAS_MINIMAP_HEIGHT);
}

static gboolean nodes_bounds (DecaCanvas      *self,
                              gboolean         selected_only,
                              graphene_rect_t *bounds);

static gboolean
minimap_visible (DecaCanvas *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  graphene_rect_t view, nodes;

  /* A small canvas has no room for it. */
  if (!self->show_minimap || self->node_views->len == 0
      || width < 2 * DECA_CANVAS_MINIMAP_WIDTH || height < 2 * DECA_CANVAS_MINIMAP_HEIGHT)
    return FALSE;
  /* When every card is in view there is nothing for it to show that the canvas does not. */
  _deca_canvas_visible_rect (self, &view);
  nodes_bounds (self, FALSE, &nodes);
  return !graphene_rect_contains_rect (&view, &nodes);
}

gboolean
_deca_canvas_in_minimap (DecaCanvas *self,
                         double      wx,
                         double      wy)
{
  graphene_rect_t rect;

  if (!minimap_visible (self))
    return FALSE;
  minimap_rect (self, &rect);
  return graphene_rect_contains_point (&rect, &GRAPHENE_POINT_INIT (wx, wy));
}

/* The scale from canvas units to minimap pixels, and the minimap pixel of the world's
 * top-left corner, centring the world in the minimap. */
static double
minimap_scale (DecaCanvas *self,
               double     *origin_x,
               double     *origin_y)
{
  const graphene_rect_t *world = &self->minimap_world;
  double scale = MIN ((DECA_CANVAS_MINIMAP_WIDTH - 8) / MAX (world->size.width, 1),
                      (DECA_CANVAS_MINIMAP_HEIGHT - 8) / MAX (world->size.height, 1));

  *origin_x = (DECA_CANVAS_MINIMAP_WIDTH - world->size.width * scale) / 2;
  *origin_y = (DECA_CANVAS_MINIMAP_HEIGHT - world->size.height * scale) / 2;
  return scale;
}

void
_deca_canvas_minimap_to_canvas (DecaCanvas *self,
                                double      wx,
                                double      wy,
                                double     *cx,
                                double     *cy)
{
  graphene_rect_t rect;
  double ox, oy, scale = minimap_scale (self, &ox, &oy);

  minimap_rect (self, &rect);
  *cx = self->minimap_world.origin.x + (wx - rect.origin.x - ox) / scale;
  *cy = self->minimap_world.origin.y + (wy - rect.origin.y - oy) / scale;
}

/* The moving view's tiles show what the minimap shows, and more; the cards' own changes
 * are found at each frame (check_tile_sources). */
static void
drop_tiles (DecaCanvas *self)
{
  deca_canvas_tiles_clear (self->tiles);
  g_hash_table_remove_all (self->tile_sources);
}

static gint64
current_frame (DecaCanvas *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  return clock ? gdk_frame_clock_get_frame_counter (clock) : -1;
}

static gboolean
tiles_in_use (DecaCanvas *self)
{
  /* While cards move too (dragged with the view scrolling along), the tiles would be
   * dropped and drawn again at every frame: the flow is drawn as when it rests. */
  return self->view_moving && !(debug_flags & DEBUG_NO_TILES)
         && current_frame (self) != self->geometry_frame;
}

/* The part of the canvas (canvas units) that the tiles for @visible cover, with the
 * cards' overflow; empty while the view rests. */
static void
tile_region (DecaCanvas            *self,
             const graphene_rect_t *visible,
             graphene_rect_t       *region)
{
  double scale;

  if (!tiles_in_use (self))
    {
      graphene_rect_init (region, 0, 0, 0, 0);
      return;
    }
  scale = deca_canvas_tiles_level_scale (self->zoom,
                                         gtk_widget_get_scale_factor (GTK_WIDGET (self)));
  deca_canvas_tiles_region (scale, visible, region);
  graphene_rect_inset (region, -DECA_NODE_VIEW_OVERFLOW, -DECA_NODE_VIEW_OVERFLOW);
}

/* The drawings kept of the whole flow, the minimap's and the moving view's tiles, show
 * the cards' places and the selection: made again at the next frame that shows them. */
static void
invalidate_overviews (DecaCanvas *self)
{
  g_clear_pointer (&self->minimap_node, gsk_render_node_unref);
  g_clear_object (&self->minimap_texture);
  drop_tiles (self);
}

/* ---- selection -------------------------------------------------------------------------- */

void
_deca_canvas_selection_changed (DecaCanvas *self)
{
  /* The minimap shows the selection. */
  invalidate_overviews (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION]);
  _deca_canvas_update_actions (self);
}

void
_deca_canvas_set_node_selected (DecaCanvas   *self,
                                DecaNodeView *view,
                                gboolean      selected)
{
  if (deca_node_view_get_selected (view) == !!selected)
    return;
  if (selected && self->selected_connection)
    _deca_canvas_select_connection (self, NULL);
  deca_node_view_set_selected (view, selected);
  if (selected)
    self->n_selected++;
  else
    self->n_selected--;
}

void
_deca_canvas_clear_selection (DecaCanvas *self)
{
  if (self->n_selected == 0)
    return;
  for (guint i = 0; i < self->node_views->len; i++)
    _deca_canvas_set_node_selected (self, g_ptr_array_index (self->node_views, i), FALSE);
}

void
_deca_canvas_select_only (DecaCanvas   *self,
                          DecaNodeView *view)
{
  _deca_canvas_clear_selection (self);
  if (view)
    _deca_canvas_set_node_selected (self, view, TRUE);
}

void
_deca_canvas_select_connection (DecaCanvas         *self,
                                DecaConnectionView *view)
{
  if (self->selected_connection == view)
    return;
  if (view && self->n_selected > 0)
    {
      _deca_canvas_clear_selection (self);
      _deca_canvas_selection_changed (self);
    }
  if (self->selected_connection)
    deca_connection_view_set_selected (self->selected_connection, FALSE);
  self->selected_connection = view;
  if (view)
    deca_connection_view_set_selected (view, TRUE);
  /* The curves look selected in the tiles too, also those out of view now. */
  drop_tiles (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_CONNECTION]);
  /* One signal for whoever shows what is selected (the inspector), node or connection. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION]);
  _deca_canvas_update_actions (self);
}

void
_deca_canvas_select_ids (DecaCanvas         *self,
                         const char * const *ids)
{
  _deca_canvas_clear_selection (self);
  for (guint i = 0; ids && ids[i]; i++)
    {
      DecaNodeView *view = lookup_view (self, ids[i]);

      if (view)
        _deca_canvas_set_node_selected (self, view, TRUE);
    }
}

/* ---- the document's views ------------------------------------------------------------- */

static void
node_moved_cb (DecaCanvas   *self,
               DecaNodeView *view)
{
  invalidate_overviews (self);
  self->geometry_dirty = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
connection_changed_cb (DecaCanvas         *self,
                       DecaConnectionView *view)
{
  resolve_connection (self, view);
  self->geometry_dirty = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
add_node_view (DecaCanvas       *self,
               DecaFlowNodeItem *item,
               guint             position)
{
  GtkWidget *view = deca_node_view_new (item,
                                        deca_flow_document_get_registry (self->document));

  g_signal_connect_object (view, "moved", G_CALLBACK (node_moved_cb), self,
                           G_CONNECT_SWAPPED);
  /* Before the overlays (the refusal label, the popover), which stay on top. */
  gtk_widget_insert_before (view, GTK_WIDGET (self), self->refusal_label);
  gtk_widget_set_can_target (view, FALSE);
  g_ptr_array_insert (self->node_views, position, view);
  g_hash_table_insert (self->view_by_item, item, view);
}

static void
remove_node_view (DecaCanvas *self,
                  guint       position)
{
  DecaNodeView *view = g_ptr_array_index (self->node_views, position);

  if (deca_node_view_get_selected (view))
    {
      deca_node_view_set_selected (view, FALSE);
      self->n_selected--;
    }
  if (self->press_node == view)
    self->press_node = NULL;
  g_hash_table_remove (self->tile_sources, view);
  if (self->connect_from == view)
    _deca_canvas_cancel_interaction (self);
  if (self->kb_source == view || self->kb_target == view)
    _deca_canvas_keyboard_connect_stop (self);
  if (self->rubber_base)
    g_hash_table_remove (self->rubber_base, view);
  for (guint i = 0; i < self->connection_views->len; i++)
    {
      DecaConnectionGeometry *g =
        deca_connection_view_get_geometry (g_ptr_array_index (self->connection_views, i));

      if (g->from_view == view)
        g->from_view = NULL;
      if (g->to_view == view)
        g->to_view = NULL;
    }
  if (gtk_widget_has_focus (GTK_WIDGET (view)))
    gtk_widget_grab_focus (GTK_WIDGET (self));
  g_hash_table_remove (self->view_by_item, deca_node_view_get_item (view));
  g_signal_handlers_disconnect_by_data (view, self);
  g_ptr_array_remove_index (self->node_views, position);
  gtk_widget_unparent (GTK_WIDGET (view));
}

static void
add_connection_view (DecaCanvas             *self,
                     DecaFlowConnectionItem *item,
                     guint                   position)
{
  GtkWidget *view = deca_connection_view_new (item);

  g_signal_connect_object (view, "changed", G_CALLBACK (connection_changed_cb), self,
                           G_CONNECT_SWAPPED);
  /* Below the cards. */
  gtk_widget_insert_after (view, GTK_WIDGET (self), NULL);
  gtk_widget_set_can_target (view, FALSE);
  g_ptr_array_insert (self->connection_views, position, view);
  resolve_connection (self, DECA_CONNECTION_VIEW (view));
}

static void
remove_connection_view (DecaCanvas *self,
                        guint       position)
{
  DecaConnectionView *view = g_ptr_array_index (self->connection_views, position);

  if (self->selected_connection == view)
    _deca_canvas_select_connection (self, NULL);
  if (self->editing_connection == view)
    _deca_canvas_close_condition (self);
  if (gtk_widget_has_focus (GTK_WIDGET (view)))
    gtk_widget_grab_focus (GTK_WIDGET (self));
  g_signal_handlers_disconnect_by_data (view, self);
  g_ptr_array_remove_index (self->connection_views, position);
  gtk_widget_unparent (GTK_WIDGET (view));
}

static void
nodes_changed_cb (DecaCanvas *self,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GListModel *model)
{
  guint n_selected = self->n_selected;

  for (guint i = 0; i < removed; i++)
    remove_node_view (self, position);
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(DecaFlowNodeItem) item = g_list_model_get_item (model, position + i);

      add_node_view (self, item, position + i);
    }
  /* A node put back (an undo) gets back the connections that name it. */
  if (added > 0)
    for (guint i = 0; i < self->connection_views->len; i++)
      {
        DecaConnectionView *view = g_ptr_array_index (self->connection_views, i);
        DecaConnectionGeometry *g = deca_connection_view_get_geometry (view);

        if (!g->from_view || !g->to_view)
          resolve_connection (self, view);
      }
  invalidate_overviews (self);
  self->geometry_dirty = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  if (n_selected != self->n_selected)
    _deca_canvas_selection_changed (self);
}

static void
connections_changed_cb (DecaCanvas *self,
                        guint       position,
                        guint       removed,
                        guint       added,
                        GListModel *model)
{
  for (guint i = 0; i < removed; i++)
    remove_connection_view (self, position);
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(DecaFlowConnectionItem) item = g_list_model_get_item (model, position + i);

      add_connection_view (self, item, position + i);
    }
  self->geometry_dirty = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
history_changed_cb (DecaCanvas *self)
{
  _deca_canvas_update_actions (self);
}

/* Problems are computed when read; reading them a moment after the last edit lets the
 * items notify the cards, once per burst of edits (a drag is many). */
static gboolean
read_problems_cb (gpointer data)
{
  DecaCanvas *self = data;

  self->problems_timeout_id = 0;
  /* Zoomed out, a card's box shows whether it has problems. */
  drop_tiles (self);
  if (self->document)
    deca_flow_document_get_problems (self->document);
  return G_SOURCE_REMOVE;
}

static void
problems_changed_cb (DecaCanvas *self)
{
  if (self->problems_timeout_id == 0)
    self->problems_timeout_id = g_timeout_add (150, read_problems_cb, self);
}

static void
clear_views (DecaCanvas *self)
{
  while (self->connection_views->len > 0)
    remove_connection_view (self, self->connection_views->len - 1);
  while (self->node_views->len > 0)
    remove_node_view (self, self->node_views->len - 1);
  invalidate_overviews (self);
}

void
deca_canvas_set_document (DecaCanvas       *self,
                          DecaFlowDocument *document)
{
  gboolean had_selection;

  g_return_if_fail (DECA_IS_CANVAS (self));
  g_return_if_fail (document == NULL || DECA_IS_FLOW_DOCUMENT (document));

  if (self->document == document)
    return;

  _deca_canvas_cancel_interaction (self);
  _deca_canvas_keyboard_connect_stop (self);
  _deca_canvas_close_condition (self);
  had_selection = self->n_selected > 0 || self->selected_connection != NULL;
  _deca_canvas_select_connection (self, NULL);

  if (self->document)
    {
      g_clear_signal_handler (&self->nodes_changed_id,
                              deca_flow_document_get_nodes (self->document));
      g_clear_signal_handler (&self->connections_changed_id,
                              deca_flow_document_get_connections (self->document));
      g_signal_handlers_disconnect_by_data (self->document, self);
      g_clear_handle_id (&self->problems_timeout_id, g_source_remove);
      clear_views (self);
      g_clear_object (&self->document);
    }

  if (document)
    {
      GListModel *nodes = deca_flow_document_get_nodes (document);
      GListModel *connections = deca_flow_document_get_connections (document);

      self->document = g_object_ref (document);
      nodes_changed_cb (self, 0, 0, g_list_model_get_n_items (nodes), nodes);
      connections_changed_cb (self, 0, 0, g_list_model_get_n_items (connections), connections);
      self->nodes_changed_id = g_signal_connect_object (nodes, "items-changed",
                                                        G_CALLBACK (nodes_changed_cb), self,
                                                        G_CONNECT_SWAPPED);
      self->connections_changed_id =
        g_signal_connect_object (connections, "items-changed",
                                 G_CALLBACK (connections_changed_cb), self,
                                 G_CONNECT_SWAPPED);
      g_signal_connect_object (document, "notify::can-undo", G_CALLBACK (history_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (document, "notify::can-redo", G_CALLBACK (history_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (document, "notify::problems", G_CALLBACK (problems_changed_cb),
                               self, G_CONNECT_SWAPPED);
      if (self->snap_to_grid)
        deca_flow_document_set_grid_size (document, DECA_CANVAS_GRID_STEP);
      self->fit_pending = TRUE;
      self->place_all_pending = TRUE;
      self->geometry_dirty = TRUE;
    }

  self->n_selected = 0;
  g_clear_pointer (&self->last_paste_text, g_free);
  self->paste_count = 0;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (had_selection)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION]);
  _deca_canvas_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

DecaFlowDocument *
deca_canvas_get_document (DecaCanvas *self)
{
  g_return_val_if_fail (DECA_IS_CANVAS (self), NULL);

  return self->document;
}

/* ---- layout ----------------------------------------------------------------------------- */

static void
fit_rect (DecaCanvas            *self,
          const graphene_rect_t *rect,
          int                    width,
          int                    height,
          double                 max_zoom)
{
  double margin = 40;
  double zoom = MIN ((width - 2 * margin) / MAX (rect->size.width, 1),
                     (height - 2 * margin) / MAX (rect->size.height, 1));

  zoom = CLAMP (zoom, DECA_CANVAS_MIN_ZOOM, max_zoom);
  self->zoom = zoom;
  self->offset_x = rect->origin.x + rect->size.width / 2 - width / (2 * zoom);
  self->offset_y = rect->origin.y + rect->size.height / 2 - height / (2 * zoom);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

static gboolean
nodes_bounds (DecaCanvas      *self,
              gboolean         selected_only,
              graphene_rect_t *bounds)
{
  gboolean any = FALSE;

  for (guint i = 0; i < self->node_views->len; i++)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i);
      graphene_rect_t rect;

      if (selected_only && !deca_node_view_get_selected (view))
        continue;
      _deca_canvas_node_rect (self, view, &rect);
      if (any)
        graphene_rect_union (bounds, &rect, bounds);
      else
        *bounds = rect;
      any = TRUE;
    }
  return any;
}

/* Places a child at canvas point (@x, @y), scaled with the view: moving the view changes
 * only the transform, so GTK keeps the child's layout. */
static void
allocate_child (DecaCanvas *self,
                GtkWidget  *child,
                double      x,
                double      y,
                int         width,
                int         height)
{
  GskTransform *transform;

  transform = gsk_transform_translate (NULL,
                                       &GRAPHENE_POINT_INIT ((x - self->offset_x) * self->zoom,
                                                             (y - self->offset_y) * self->zoom));
  transform = gsk_transform_scale (transform, self->zoom, self->zoom);
  gtk_widget_allocate (child, width, height, -1, transform);
}

static void
deca_canvas_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  int label_min, label_nat;

  /* The canvas scrolls itself; it only asks room for its overlays. */
  gtk_widget_measure (self->refusal_label, orientation, -1, &label_min, &label_nat, NULL, NULL);
  *minimum = label_min;
  *natural = MAX (label_nat, 400);
}

static void
deca_canvas_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  graphene_rect_t visible;
  gboolean detail = self->zoom >= DECA_CANVAS_DETAIL_ZOOM || (debug_flags & DEBUG_NO_LOD);
  gboolean cull = !(debug_flags & DEBUG_NO_CULL);
  /* Once the view rests, the cards and connections out of view are placed too, once:
   * screen readers (and magnifiers) ask where they are. While it moves only what is in
   * view is: placing a thousand children at every frame would make a pan slow. */
  gboolean place_all = self->place_all_pending && !self->view_moving;
  graphene_rect_t tiled;

  self->place_all_pending = self->place_all_pending && !place_all;
  if (self->fit_pending && width > 0 && height > 0)
    {
      graphene_rect_t bounds;

      self->fit_pending = FALSE;
      if (nodes_bounds (self, FALSE, &bounds))
        fit_rect (self, &bounds, width, height, 1.0);
    }

  graphene_rect_init (&visible, self->offset_x, self->offset_y, width / self->zoom,
                      height / self->zoom);
  tile_region (self, &visible, &tiled);
  /* A margin, so that a card half in view is allocated. */
  graphene_rect_inset (&visible, -40, -40);

  for (guint i = 0; i < self->node_views->len; i++)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i);
      graphene_rect_t rect;
      gboolean shown, in_tiles;

      _deca_canvas_node_rect (self, view, &rect);
      /* Cards out of view cannot be picked; while the view moves they keep their last
       * allocation (place_all). */
      shown = detail && (!cull || graphene_rect_intersection (&rect, &visible, NULL));
      /* A tile that shows part of a card needs the card's drawing, so the card must have
       * been laid out once; where it is since does not matter (card_image). */
      in_tiles = detail && tiled.size.width > 0
                 && graphene_rect_intersection (&rect, &tiled, NULL);
      if (shown || place_all || gtk_widget_has_focus (GTK_WIDGET (view))
          || (in_tiles && gtk_widget_get_width (GTK_WIDGET (view)) == 0))
        {
          int h;

          gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_VERTICAL,
                              DECA_NODE_VIEW_WIDTH, NULL, &h, NULL, NULL);
          if (h != rect.size.height)
            self->geometry_dirty = TRUE;
          allocate_child (self, GTK_WIDGET (view), rect.origin.x, rect.origin.y,
                          DECA_NODE_VIEW_WIDTH, h);
        }
      if (!shown && !in_tiles)
        deca_node_view_drop_texture (view);
      if (gtk_widget_get_can_target (GTK_WIDGET (view)) != shown)
        gtk_widget_set_can_target (GTK_WIDGET (view), shown);
    }

  for (guint i = 0; i < self->connection_views->len; i++)
    {
      DecaConnectionView *view = g_ptr_array_index (self->connection_views, i);
      DecaConnectionGeometry *g = deca_connection_view_get_geometry (view);
      gboolean shown;

      if (self->geometry_dirty || (debug_flags & DEBUG_NO_CACHE))
        update_connection_geometry (self, view);
      shown = detail && g->bounds.size.width > 0
              && (!cull || graphene_rect_intersection (&g->bounds, &visible, NULL));
      if (shown || (place_all && g->bounds.size.width > 0)
          || gtk_widget_has_focus (GTK_WIDGET (view)))
        {
          double mx, my;
          int w, h;

          bezier_point (g, 0.5, &mx, &my);
          gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_HORIZONTAL, -1,
                              NULL, &w, NULL, NULL);
          gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_VERTICAL, w,
                              NULL, &h, NULL, NULL);
          allocate_child (self, GTK_WIDGET (view), mx - w / 2.0, my - h / 2.0, w, h);
        }
      if (gtk_widget_get_can_target (GTK_WIDGET (view)) != shown)
        gtk_widget_set_can_target (GTK_WIDGET (view), shown);
    }
  /* Cards and curves may have moved: the tiles show them where they were. */
  if (self->geometry_dirty)
    drop_tiles (self);
  if (self->geometry_dirty)
    self->geometry_frame = current_frame (self);
  self->geometry_dirty = FALSE;

  if (gtk_widget_get_visible (self->refusal_label))
    {
      int w, h, max_width = MAX (width - 16, 1);
      double x, y;

      gtk_widget_measure (self->refusal_label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &w,
                          NULL, NULL);
      w = MIN (w, max_width);
      gtk_widget_measure (self->refusal_label, GTK_ORIENTATION_VERTICAL, w, NULL, &h,
                          NULL, NULL);
      x = CLAMP (self->refusal_x + 16, 8, MAX (width - w - 8, 8));
      y = CLAMP (self->refusal_y + 16, 8, MAX (height - h - 8, 8));
      gtk_widget_size_allocate (self->refusal_label,
                                &(GtkAllocation) { (int) x, (int) y, w, h }, -1);
    }

  if (gtk_widget_get_visible (self->condition_popover))
    gtk_popover_present (GTK_POPOVER (self->condition_popover));
}

/* Drops the cached drawings of the curves and the minimap. */
static void
invalidate_curves (DecaCanvas *self)
{
  for (guint i = 0; i < self->connection_views->len; i++)
    {
      DecaConnectionGeometry *g =
        deca_connection_view_get_geometry (g_ptr_array_index (self->connection_views, i));

      g_clear_pointer (&g->node, gsk_render_node_unref);
    }
  invalidate_overviews (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Reads the theme's colours; a change (dark mode) makes every curve be drawn again. */
static void
update_colors (DecaCanvas *self)
{
  GdkRGBA fg, accent, error, card, view;

  deca_ui_lookup_color (GTK_WIDGET (self), "window_fg_color", &fg, "rgba(0,0,0,0.8)");
  deca_ui_lookup_color (GTK_WIDGET (self), "accent_color", &accent, "#1c71d8");
  deca_ui_lookup_color (GTK_WIDGET (self), "error_color", &error, "#c01c28");
  deca_ui_lookup_color (GTK_WIDGET (self), "card_bg_color", &card, "#ffffff");
  deca_ui_lookup_color (GTK_WIDGET (self), "view_bg_color", &view, "#ffffff");
  if (gdk_rgba_equal (&fg, &self->fg_color) && gdk_rgba_equal (&accent, &self->accent_color)
      && gdk_rgba_equal (&error, &self->error_color) && gdk_rgba_equal (&card, &self->card_color)
      && gdk_rgba_equal (&view, &self->view_color))
    return;
  self->fg_color = fg;
  self->accent_color = accent;
  self->error_color = error;
  self->card_color = card;
  self->view_color = view;
  invalidate_curves (self);
}

/* Whether a connection's widget draws itself: with a label or a badge, or selected. The
 * focus ring is drawn by the widget too. */
static gboolean
connection_view_drawn (DecaConnectionView *view)
{
  return gtk_widget_has_css_class (GTK_WIDGET (view), "labelled")
         || deca_connection_view_get_selected (view)
         || gtk_widget_has_focus (GTK_WIDGET (view));
}

static void
draw_arrow (cairo_t *cr,
            double   x2,
            double   y2,
            double   x3,
            double   y3)
{
  double angle = atan2 (y3 - y2, x3 - x2);
  double tip_x = x3 - cos (angle) * DECA_NODE_VIEW_PORT_RADIUS;
  double tip_y = y3 - sin (angle) * DECA_NODE_VIEW_PORT_RADIUS;

  cairo_move_to (cr, tip_x, tip_y);
  cairo_line_to (cr, tip_x - 9 * cos (angle - 0.45), tip_y - 9 * sin (angle - 0.45));
  cairo_line_to (cr, tip_x - 9 * cos (angle + 0.45), tip_y - 9 * sin (angle + 0.45));
  cairo_close_path (cr);
  cairo_fill (cr);
}

/* Draws one connection's curve in canvas units: the colour says what it is (fallback or
 * with problems: the error colour; selected: the accent), a dash says it has a
 * condition. */
static void
draw_curve (DecaCanvas         *self,
            DecaConnectionView *view,
            cairo_t            *cr)
{
  DecaConnectionGeometry *g = deca_connection_view_get_geometry (view);
  DecaFlowConnectionItem *item = deca_connection_view_get_item (view);
  gboolean selected = deca_connection_view_get_selected (view);
  GdkRGBA color = self->fg_color;

  if (selected)
    color = self->accent_color;
  else if (deca_flow_connection_item_get_on_error (item)
           || deca_flow_connection_item_get_problems (item)->len > 0)
    color = self->error_color;
  else
    color.alpha *= 0.55;

  gdk_cairo_set_source_rgba (cr, &color);
  cairo_set_line_width (cr, selected ? 3 : 2);
  if (deca_flow_connection_item_get_condition (item))
    cairo_set_dash (cr, (double[]) { 7, 4 }, 2, 0);
  cairo_move_to (cr, g->x0, g->y0);
  cairo_curve_to (cr, g->x1, g->y1, g->x2, g->y2, g->x3, g->y3);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  draw_arrow (cr, g->x2, g->y2, g->x3, g->y3);

  /* A connection without a label is a dot at its middle; drawn here with the curve
   * rather than as its widget, which is only drawn when it has something to show. */
  if (!connection_view_drawn (view))
    {
      double mx, my;
      GdkRGBA ring = self->fg_color;

      bezier_point (g, 0.5, &mx, &my);
      ring.alpha *= 0.35;
      cairo_new_path (cr);
      cairo_arc (cr, mx, my, 3.5, 0, 2 * G_PI);
      gdk_cairo_set_source_rgba (cr, &self->view_color);
      cairo_fill_preserve (cr);
      gdk_cairo_set_source_rgba (cr, &ring);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
    }
}

static GskRenderNode *
ensure_curve_node (DecaCanvas         *self,
                   DecaConnectionView *view)
{
  DecaConnectionGeometry *g = deca_connection_view_get_geometry (view);

  if (!g->node)
    {
      cairo_t *cr;

      g->node = gsk_cairo_node_new (&g->bounds);
      cr = gsk_cairo_node_get_draw_context (g->node);
      draw_curve (self, view, cr);
      cairo_destroy (cr);
    }
  return g->node;
}

/* The rubber curve of a connection being made, by pointer or by keyboard. */
static void
snapshot_rubber_curve (DecaCanvas  *self,
                       GtkSnapshot *snapshot)
{
  double x0, y0, x3, y3, dx0, dy0, dx3, dy3, x1, y1, x2, y2;
  graphene_rect_t bounds;
  cairo_t *cr;

  /* Which ends, by pointer from either port or by keyboard: deca-canvas-input.c. */
  if (!_deca_canvas_get_rubber_curve (self, &x0, &y0, &dx0, &dy0, &x3, &y3, &dx3, &dy3))
    return;
  curve_handles (x0, y0, dx0, dy0, x3, y3, dx3, dy3, &x1, &y1, &x2, &y2);
  bezier_bounds ((double[]) { x0, y0, x1, y1, x2, y2, x3, y3 }, 10, &bounds);

  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  gdk_cairo_set_source_rgba (cr, &self->accent_color);
  cairo_set_line_width (cr, 2.5);
  cairo_set_dash (cr, (double[]) { 4, 3 }, 2, 0);
  cairo_move_to (cr, x0, y0);
  cairo_curve_to (cr, x1, y1, x2, y2, x3, y3);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  draw_arrow (cr, x2, y2, x3, y3);
  cairo_destroy (cr);
}

/* The background and its dotted grid: one tile repeated, so its cost does not grow with
 * the canvas. Dots closer than 10 pixels are thinned to every fifth. */
static void
snapshot_grid (DecaCanvas  *self,
               GtkSnapshot *snapshot,
               int          width,
               int          height)
{
  double step = DECA_CANVAS_GRID_STEP * self->zoom;
  double phase_x, phase_y, dot;
  GdkRGBA color = self->fg_color;

  while (step < 10)
    step *= 5;
  phase_x = fmod (-self->offset_x * self->zoom, step);
  phase_y = fmod (-self->offset_y * self->zoom, step);
  if (phase_x > 0)
    phase_x -= step;
  if (phase_y > 0)
    phase_y -= step;
  dot = self->zoom >= 1 ? 2 : 1.5;
  color.alpha *= 0.18;

  /* The tile is opaque, background and dot: one pass over the view paints both. The dot
   * is in the tile's middle: at a corner, the tile would cut three quarters of it off. */
  gtk_snapshot_push_repeat (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height),
                            &GRAPHENE_RECT_INIT (phase_x - step / 2, phase_y - step / 2,
                                                 step, step));
  gtk_snapshot_append_color (snapshot, &self->view_color,
                             &GRAPHENE_RECT_INIT (phase_x - step / 2, phase_y - step / 2,
                                                  step, step));
  gtk_snapshot_append_color (snapshot, &color,
                             &GRAPHENE_RECT_INIT (phase_x - dot / 2, phase_y - dot / 2,
                                                  dot, dot));
  gtk_snapshot_pop (snapshot);
}

/* Zoomed far out, a card is a box in its state's colour. */
static void
snapshot_card_box (DecaCanvas   *self,
                   GtkSnapshot  *snapshot,
                   DecaNodeView *view,
                   const graphene_rect_t *rect)
{
  GdkRGBA border = self->fg_color;
  float widths[4] = { 1 / self->zoom, 1 / self->zoom, 1 / self->zoom, 1 / self->zoom };
  GskRoundedRect outline;

  if (deca_node_view_get_selected (view) || gtk_widget_has_focus (GTK_WIDGET (view)))
    {
      /* Selected or focused: too small for the card's own focus ring. */
      border = self->accent_color;
      widths[0] = widths[1] = widths[2] = widths[3] = 3 / self->zoom;
    }
  else if (deca_flow_node_item_get_problems (deca_node_view_get_item (view))->len > 0)
    border = self->error_color;
  else
    border.alpha *= 0.35;
  gsk_rounded_rect_init_from_rect (&outline, rect, 0);
  gtk_snapshot_append_color (snapshot, &self->card_color, rect);
  gtk_snapshot_append_border (snapshot, &outline, widths,
                              (GdkRGBA[]) { border, border, border, border });
}

static void
ensure_minimap_node (DecaCanvas *self)
{
  GtkSnapshot *snapshot;
  GdkRGBA background = self->view_color, card = self->fg_color, selected = self->accent_color;
  double ox, oy, scale;

  if (self->minimap_node)
    return;

  nodes_bounds (self, FALSE, &self->minimap_world);
  graphene_rect_inset (&self->minimap_world, -40, -40);
  scale = minimap_scale (self, &ox, &oy);

  snapshot = gtk_snapshot_new ();
  background.alpha = 0.92;
  card.alpha *= 0.45;
  gtk_snapshot_append_color (snapshot, &background,
                             &GRAPHENE_RECT_INIT (0, 0, DECA_CANVAS_MINIMAP_WIDTH,
                                                  DECA_CANVAS_MINIMAP_HEIGHT));
  for (guint i = 0; i < self->node_views->len; i++)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i);
      graphene_rect_t rect;

      _deca_canvas_node_rect (self, view, &rect);
      gtk_snapshot_append_color (snapshot, deca_node_view_get_selected (view) ? &selected : &card,
                                 &GRAPHENE_RECT_INIT (ox + (rect.origin.x - self->minimap_world.origin.x) * scale,
                                                      oy + (rect.origin.y - self->minimap_world.origin.y) * scale,
                                                      MAX (rect.size.width * scale, 1),
                                                      MAX (rect.size.height * scale, 1)));
    }
  self->minimap_node = gtk_snapshot_free_to_node (snapshot);
}

/* The minimap: the whole flow (a cached node, drawn again only when a card moves) and
 * the visible rectangle over it. */
static void
snapshot_minimap (DecaCanvas  *self,
                  GtkSnapshot *snapshot)
{
  graphene_rect_t rect, view;
  GskRoundedRect frame;
  double ox, oy, scale;
  GdkRGBA border = self->fg_color, accent = self->accent_color;
  float one[4] = { 1, 1, 1, 1 }, two[4] = { 2, 2, 2, 2 };

  ensure_minimap_node (self);
  minimap_rect (self, &rect);
  scale = minimap_scale (self, &ox, &oy);
  border.alpha *= 0.3;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &rect.origin);
  gsk_rounded_rect_init_from_rect (&frame, &GRAPHENE_RECT_INIT (0, 0, rect.size.width,
                                                                rect.size.height), 6);
  gtk_snapshot_push_rounded_clip (snapshot, &frame);
  if (self->minimap_node && (debug_flags & DEBUG_NO_TEXTURE))
    gtk_snapshot_append_node (snapshot, self->minimap_node);
  else if (self->minimap_node)
    {
      /* A thousand little boxes are one texture, drawn again only when a card moves. */
      GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
      int device_scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

      if (!self->minimap_texture && native)
        {
          GtkSnapshot *scaling = gtk_snapshot_new ();
          g_autoptr(GskRenderNode) scaled = NULL;

          gtk_snapshot_scale (scaling, device_scale, device_scale);
          gtk_snapshot_append_node (scaling, self->minimap_node);
          scaled = gtk_snapshot_free_to_node (scaling);

          self->minimap_texture =
            gsk_renderer_render_texture (gtk_native_get_renderer (native), scaled,
                                         &GRAPHENE_RECT_INIT (0, 0,
                                                              DECA_CANVAS_MINIMAP_WIDTH * device_scale,
                                                              DECA_CANVAS_MINIMAP_HEIGHT * device_scale));
        }
      if (self->minimap_texture)
        gtk_snapshot_append_texture (snapshot, self->minimap_texture,
                                     &GRAPHENE_RECT_INIT (0, 0, DECA_CANVAS_MINIMAP_WIDTH,
                                                          DECA_CANVAS_MINIMAP_HEIGHT));
    }

  _deca_canvas_visible_rect (self, &view);
  graphene_rect_init (&view, ox + (view.origin.x - self->minimap_world.origin.x) * scale,
                      oy + (view.origin.y - self->minimap_world.origin.y) * scale,
                      view.size.width * scale, view.size.height * scale);
  {
    GskRoundedRect viewport;

    gsk_rounded_rect_init_from_rect (&viewport, &view, 2);
    accent.alpha = 0.12;
    gtk_snapshot_append_color (snapshot, &accent, &view);
    accent.alpha = 0.9;
    gtk_snapshot_append_border (snapshot, &viewport, two,
                                (GdkRGBA[]) { accent, accent, accent, accent });
  }
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_append_border (snapshot, &frame, one,
                              (GdkRGBA[]) { border, border, border, border });
  gtk_snapshot_restore (snapshot);
}

/* The image of a card's drawing at @scale, kept by the card until it draws differently.
 * NULL when the card has not been allocated yet. */
static cairo_surface_t *
card_image (DecaCanvas     *self,
            DecaNodeView   *view,
            double          scale,
            GskRenderNode **out_source)
{
  g_autoptr(GskRenderNode) drawing = NULL;
  GskRenderNode *source;
  GtkSnapshot *card;
  graphene_matrix_t transform;
  graphene_rect_t rect;
  cairo_surface_t *image;
  cairo_t *cr;
  double sx, sy, margin = DECA_NODE_VIEW_OVERFLOW;

  if (!gtk_widget_compute_transform (GTK_WIDGET (view), GTK_WIDGET (self), &transform))
    return NULL;
  sx = graphene_matrix_get_value (&transform, 0, 0);
  sy = graphene_matrix_get_value (&transform, 1, 1);
  if (sx <= 0 || sy <= 0)
    return NULL;

  /* GTK's own drawing of the card, which GTK keeps until the card changes, with the
   * view's translation and scale undone (as 2D steps, which every renderer can draw):
   * at @scale, in card units. */
  card = gtk_snapshot_new ();
  gtk_snapshot_scale (card, scale / sx, scale / sy);
  gtk_snapshot_translate (card, &GRAPHENE_POINT_INIT (-graphene_matrix_get_value (&transform, 3, 0),
                                                      -graphene_matrix_get_value (&transform, 3, 1)));
  gtk_widget_snapshot_child (GTK_WIDGET (self), GTK_WIDGET (view), card);
  drawing = gtk_snapshot_free_to_node (card);
  if (!drawing)
    return NULL;
  for (source = drawing; gsk_render_node_get_node_type (source) == GSK_TRANSFORM_NODE;)
    source = gsk_transform_node_get_child (source);
  if (out_source)
    *out_source = gsk_render_node_ref (source);

  image = deca_node_view_get_image (view, source, scale);
  if (image)
    return image;

  _deca_canvas_node_rect (self, view, &rect);
  image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                      ceil ((rect.size.width + 2 * margin) * scale),
                                      ceil ((rect.size.height + 2 * margin) * scale));
  cr = cairo_create (image);
  cairo_translate (cr, margin * scale, margin * scale);
  gsk_render_node_draw (drawing, cr);
  cairo_destroy (cr);
  deca_node_view_set_image (view, source, scale, image);
  cairo_surface_destroy (image);
  return deca_node_view_get_image (view, source, scale);
}

/* Whether images are painted in cairo drawings (the cairo renderer) rather than handed
 * over as textures, which other renderers keep on the GPU. */
static gboolean
renderer_paints (DecaCanvas *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GskRenderer *renderer = native ? gtk_native_get_renderer (native) : NULL;

  return renderer == NULL || GSK_IS_CAIRO_RENDERER (renderer);
}

static void
card_overflow_rect (DecaCanvas      *self,
                    DecaNodeView    *view,
                    graphene_rect_t *rect)
{
  _deca_canvas_node_rect (self, view, rect);
  graphene_rect_inset (rect, -DECA_NODE_VIEW_OVERFLOW, -DECA_NODE_VIEW_OVERFLOW);
}

/* A colour as a pixel of a CAIRO_FORMAT_ARGB32 image (premultiplied, native order). */
static guint32
argb32_pixel (const GdkRGBA *color)
{
  double a = CLAMP (color->alpha, 0, 1);

  return ((guint32) lround (a * 255) << 24)
         | ((guint32) lround (CLAMP (color->red, 0, 1) * a * 255) << 16)
         | ((guint32) lround (CLAMP (color->green, 0, 1) * a * 255) << 8)
         | (guint32) lround (CLAMP (color->blue, 0, 1) * a * 255);
}

/* The background and the grid's dots, written straight into @image's pixels (all of
 * them: the view is opaque), whose top left corner shows canvas point (@origin_x,
 * @origin_y) at @scale device pixels per canvas unit. A few thousand tiny squares are
 * too many for cairo's generic path to be quick; as pixels they cost next to nothing. */
static void
paint_grid (DecaCanvas      *self,
            cairo_surface_t *image,
            double           origin_x,
            double           origin_y,
            double           scale,
            int              device_scale)
{
  int width = cairo_image_surface_get_width (image);
  int height = cairo_image_surface_get_height (image);
  int stride = cairo_image_surface_get_stride (image) / 4;
  guint32 *pixels = (guint32 *) cairo_image_surface_get_data (image);
  double step = DECA_CANVAS_GRID_STEP * scale;
  double phase_x, phase_y;
  GdkRGBA dot_color = self->fg_color, view = self->view_color;
  guint32 background, dot;
  int size;

  /* As snapshot_grid spaces and sizes the dots. */
  while (step < 10 * device_scale)
    step *= 5;
  phase_x = fmod (-origin_x * scale, step);
  phase_y = fmod (-origin_y * scale, step);
  if (phase_x > 0)
    phase_x -= step;
  if (phase_y > 0)
    phase_y -= step;
  size = MAX ((int) lround ((scale >= device_scale ? 2 : 1.5) * device_scale), 1);

  /* The dot's colour over the view's, as the resting view's drawing blends them. */
  view.alpha = 1;
  dot_color.alpha *= 0.18;
  background = argb32_pixel (&view);
  dot = argb32_pixel (&(GdkRGBA) {
    dot_color.red * dot_color.alpha + view.red * (1 - dot_color.alpha),
    dot_color.green * dot_color.alpha + view.green * (1 - dot_color.alpha),
    dot_color.blue * dot_color.alpha + view.blue * (1 - dot_color.alpha), 1 });

  cairo_surface_flush (image);
  for (int x = 0; x < width; x++)
    pixels[x] = background;
  for (int y = 1; y < height; y++)
    memcpy (pixels + y * stride, pixels, width * sizeof (guint32));
  for (double gy = phase_y; gy < height + step; gy += step)
    for (double gx = phase_x; gx < width + step; gx += step)
      {
        int x0 = (int) lround (gx - size / 2.0), y0 = (int) lround (gy - size / 2.0);

        for (int y = MAX (y0, 0); y < MIN (y0 + size, height); y++)
          for (int x = MAX (x0, 0); x < MIN (x0 + size, width); x++)
            pixels[y * stride + x] = dot;
      }
  cairo_surface_mark_dirty (image);
}

/* What a tile shows: the curves, and the cards as their images (or, zoomed out, as
 * boxes), as the resting view draws them. */
static gboolean
draw_tile_cb (cairo_t               *cr,
              const graphene_rect_t *area,
              double                 scale,
              gpointer               data)
{
  DecaCanvas *self = data;
  gboolean detail = self->zoom >= DECA_CANVAS_DETAIL_ZOOM || (debug_flags & DEBUG_NO_LOD);
  gboolean complete = TRUE;

  /* Tiles are opaque, the grid is part of them: a frame then copies each pixel once. */
  paint_grid (self, cairo_get_target (cr), area->origin.x, area->origin.y, scale,
              gtk_widget_get_scale_factor (GTK_WIDGET (self)));
  for (guint i = 0; i < self->connection_views->len; i++)
    {
      DecaConnectionView *view = g_ptr_array_index (self->connection_views, i);
      DecaConnectionGeometry *g = deca_connection_view_get_geometry (view);

      if (g->bounds.size.width > 0 && graphene_rect_intersection (&g->bounds, area, NULL))
        gsk_render_node_draw (ensure_curve_node (self, view), cr);
    }

  if (!detail)
    {
      g_autoptr(GskRenderNode) boxes = NULL;
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      for (guint i = 0; i < self->node_views->len; i++)
        {
          DecaNodeView *view = g_ptr_array_index (self->node_views, i);
          graphene_rect_t rect;

          _deca_canvas_node_rect (self, view, &rect);
          if (graphene_rect_intersection (&rect, area, NULL))
            snapshot_card_box (self, snapshot, view, &rect);
        }
      boxes = gtk_snapshot_free_to_node (snapshot);
      if (boxes)
        gsk_render_node_draw (boxes, cr);
      return TRUE;
    }

  for (guint i = 0; i < self->node_views->len; i++)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i);
      GskRenderNode *source = NULL;
      cairo_surface_t *image;
      graphene_rect_t rect;

      card_overflow_rect (self, view, &rect);
      if (!graphene_rect_intersection (&rect, area, NULL))
        continue;
      image = gtk_widget_get_width (GTK_WIDGET (view)) > 0
              ? card_image (self, view, scale, &source) : NULL;
      if (image == NULL)
        {
          complete = FALSE;
          continue;
        }
      g_hash_table_replace (self->tile_sources, view, source);
      cairo_save (cr);
      cairo_translate (cr, rect.origin.x, rect.origin.y);
      cairo_scale (cr, 1 / scale, 1 / scale);
      cairo_set_source_surface (cr, image, 0, 0);
      cairo_paint (cr);
      cairo_restore (cr);
    }
  return complete;
}

/* Forgets the tiles that show something that changed since they were drawn: a curve
 * drawn anew (its drawing was dropped: selected, labelled), or a card that draws
 * differently (its state, a badge, the pointer over it). Moves and new or removed
 * items drop every tile (drop_tiles). */
static void
check_tile_sources (DecaCanvas            *self,
                    const graphene_rect_t *region,
                    gboolean               detail)
{
  for (guint i = 0; i < self->connection_views->len; i++)
    {
      DecaConnectionView *view = g_ptr_array_index (self->connection_views, i);
      DecaConnectionGeometry *g = deca_connection_view_get_geometry (view);

      if (g->node == NULL && g->bounds.size.width > 0
          && graphene_rect_intersection (&g->bounds, region, NULL))
        {
          deca_canvas_tiles_invalidate (self->tiles, &g->bounds);
          ensure_curve_node (self, view);
        }
    }
  if (!detail)
    return;
  for (guint i = 0; i < self->node_views->len; i++)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i);
      GskRenderNode *shown = g_hash_table_lookup (self->tile_sources, view);
      g_autoptr(GskRenderNode) drawing = NULL;
      GskRenderNode *source;
      GtkSnapshot *snapshot;
      graphene_rect_t rect;

      card_overflow_rect (self, view, &rect);
      if (shown == NULL || !graphene_rect_intersection (&rect, region, NULL))
        continue;
      snapshot = gtk_snapshot_new ();
      gtk_widget_snapshot_child (GTK_WIDGET (self), GTK_WIDGET (view), snapshot);
      drawing = gtk_snapshot_free_to_node (snapshot);
      for (source = drawing; source && gsk_render_node_get_node_type (source) == GSK_TRANSFORM_NODE;)
        source = gsk_transform_node_get_child (source);
      if (source != shown)
        {
          deca_canvas_tiles_invalidate (self->tiles, &rect);
          g_hash_table_remove (self->tile_sources, view);
        }
    }
}

/* The cards in view, each as the image of its last drawing: panning moves images
 * instead of drawing every card's shadow, text and icon again. While the view moves,
 * the scale is rounded to eighths of an octave, so that a zoom draws the cards again
 * only every few steps; once it rests they are drawn at the exact scale. With the cairo
 * renderer the images are painted directly (on whole pixels: a copy, not a filter);
 * other renderers get textures, which they keep on the GPU. */
static void
snapshot_card_images (DecaCanvas  *self,
                      GtkSnapshot *snapshot)
{
  gboolean paint = renderer_paints (self);
  int device_scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double exact = self->zoom * device_scale;
  double scale = self->view_moving ? exp2 (round (log2 (self->zoom) * 8) / 8) * device_scale
                                   : exact;
  double margin = DECA_NODE_VIEW_OVERFLOW;

  for (guint i = 0; i < self->node_views->len; i++)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i);
      cairo_surface_t *image;
      graphene_rect_t rect, bounds;
      double wx, wy;

      if (!gtk_widget_get_can_target (GTK_WIDGET (view)))
        continue;
      image = card_image (self, view, scale, NULL);
      if (!image)
        continue;
      _deca_canvas_node_rect (self, view, &rect);
      deca_canvas_canvas_to_widget (self, rect.origin.x - margin, rect.origin.y - margin,
                                    &wx, &wy);
      wx = round (wx * device_scale) / device_scale;
      wy = round (wy * device_scale) / device_scale;
      graphene_rect_init (&bounds, wx, wy,
                          cairo_image_surface_get_width (image) * self->zoom / scale,
                          cairo_image_surface_get_height (image) * self->zoom / scale);
      if (paint)
        {
          cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);

          cairo_translate (cr, wx, wy);
          cairo_scale (cr, self->zoom / scale, self->zoom / scale);
          cairo_set_source_surface (cr, image, 0, 0);
          cairo_paint (cr);
          cairo_destroy (cr);
        }
      else
        gtk_snapshot_append_texture (snapshot, deca_node_view_get_texture (view), &bounds);
    }
}

/* The resting view's curves and, zoomed out, cards, drawn in canvas units under the
 * view's transform. */
static void
snapshot_scene (DecaCanvas            *self,
                GtkSnapshot           *snapshot,
                const graphene_rect_t *visible_rect,
                gboolean               detail)
{
  gboolean cull = !(debug_flags & DEBUG_NO_CULL);
  graphene_rect_t visible = *visible_rect;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_scale (snapshot, self->zoom, self->zoom);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-self->offset_x, -self->offset_y));
  if (debug_flags & DEBUG_NO_CACHE)
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &visible);

      for (guint i = 0; i < self->connection_views->len; i++)
        {
          DecaConnectionView *view = g_ptr_array_index (self->connection_views, i);

          if (deca_connection_view_get_geometry (view)->bounds.size.width > 0)
            draw_curve (self, view, cr);
        }
      cairo_destroy (cr);
    }
  else
    for (guint i = 0; i < self->connection_views->len; i++)
      {
        DecaConnectionView *view = g_ptr_array_index (self->connection_views, i);
        DecaConnectionGeometry *g = deca_connection_view_get_geometry (view);

        if (g->bounds.size.width > 0
            && (!cull || graphene_rect_intersection (&g->bounds, &visible, NULL)))
          gtk_snapshot_append_node (snapshot, ensure_curve_node (self, view));
      }
  if (!detail)
    for (guint i = 0; i < self->node_views->len; i++)
      {
        DecaNodeView *view = g_ptr_array_index (self->node_views, i);
        graphene_rect_t rect;

        _deca_canvas_node_rect (self, view, &rect);
        if (graphene_rect_intersection (&rect, &visible, NULL))
          snapshot_card_box (self, snapshot, view, &rect);
      }
  gtk_snapshot_restore (snapshot);
}

/* The moving view for the cairo renderer: one drawing that paints the tiles in view. */
static void
snapshot_frame (DecaCanvas            *self,
                GtkSnapshot           *snapshot,
                const graphene_rect_t *visible,
                gboolean               detail)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  cairo_t *cr;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  deca_canvas_tiles_paint (self->tiles, cr, visible, self->zoom,
                           gtk_widget_get_scale_factor (GTK_WIDGET (self)), detail,
                           draw_tile_cb, self);
  cairo_destroy (cr);
}

static void
deca_canvas_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean detail = self->zoom >= DECA_CANVAS_DETAIL_ZOOM || (debug_flags & DEBUG_NO_LOD);
  graphene_rect_t visible;

  update_colors (self);
  _deca_canvas_visible_rect (self, &visible);

  if (tiles_in_use (self))
    {
      graphene_rect_t region;

      tile_region (self, &visible, &region);
      check_tile_sources (self, &region, detail);
      if (renderer_paints (self))
        snapshot_frame (self, snapshot, &visible, detail);
      else
        {
          deca_canvas_tiles_snapshot (self->tiles, snapshot, &visible, self->zoom,
                                      gtk_widget_get_scale_factor (widget), detail,
                                      draw_tile_cb, self);
        }
    }
  else
    {
      snapshot_grid (self, snapshot, width, height);
      snapshot_scene (self, snapshot, &visible, detail);
    }

  if (detail)
    {
      for (guint i = 0; i < self->connection_views->len; i++)
        {
          GtkWidget *view = g_ptr_array_index (self->connection_views, i);

          if (gtk_widget_get_can_target (view)
              && connection_view_drawn (DECA_CONNECTION_VIEW (view)))
            gtk_widget_snapshot_child (widget, view, snapshot);
        }
      if (tiles_in_use (self))
        {
          /* The tiles hold the cards. */
        }
      else if (debug_flags & DEBUG_NO_TEXTURE)
        for (guint i = 0; i < self->node_views->len; i++)
          {
            GtkWidget *view = g_ptr_array_index (self->node_views, i);

            if (gtk_widget_get_can_target (view))
              gtk_widget_snapshot_child (widget, view, snapshot);
          }
      else
        snapshot_card_images (self, snapshot);
    }

  gtk_snapshot_save (snapshot);
  gtk_snapshot_scale (snapshot, self->zoom, self->zoom);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-self->offset_x, -self->offset_y));
  snapshot_rubber_curve (self, snapshot);
  gtk_snapshot_restore (snapshot);

  if (self->drag_mode == DECA_CANVAS_DRAG_RUBBER_BAND)
    {
      graphene_rect_t band;
      GskRoundedRect outline;
      GdkRGBA fill = self->accent_color, line = self->accent_color;
      float one[4] = { 1, 1, 1, 1 };

      graphene_rect_init (&band, MIN (self->drag_start_x, self->drag_x),
                          MIN (self->drag_start_y, self->drag_y),
                          fabs (self->drag_x - self->drag_start_x),
                          fabs (self->drag_y - self->drag_start_y));
      fill.alpha = 0.15;
      gtk_snapshot_append_color (snapshot, &fill, &band);
      gsk_rounded_rect_init_from_rect (&outline, &band, 0);
      gtk_snapshot_append_border (snapshot, &outline, one,
                                  (GdkRGBA[]) { line, line, line, line });
    }

  if (minimap_visible (self))
    snapshot_minimap (self, snapshot);

  if (gtk_widget_get_visible (self->refusal_label))
    gtk_widget_snapshot_child (widget, self->refusal_label, snapshot);
}

/* ---- the view ---------------------------------------------------------------------------- */

/* The view rests: the cards are drawn again at the exact scale. */
static gboolean
view_settled_cb (gpointer data)
{
  DecaCanvas *self = data;

  self->settle_id = 0;
  self->view_moving = FALSE;
  self->place_all_pending = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  drop_tiles (self);
  /* Up to 48 MB of tiles were in the heap, where deca_ui_choose_renderer() asks glibc to
   * keep freed memory: give it back now that the view rests. */
  malloc_trim (0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

double
deca_canvas_get_zoom (DecaCanvas *self)
{
  g_return_val_if_fail (DECA_IS_CANVAS (self), 1.0);

  return self->zoom;
}

void
deca_canvas_set_view (DecaCanvas *self,
                      double      offset_x,
                      double      offset_y,
                      double      zoom)
{
  gboolean zoom_changed;

  g_return_if_fail (DECA_IS_CANVAS (self));

  if (!isfinite (offset_x) || !isfinite (offset_y) || !isfinite (zoom))
    return;
  zoom = CLAMP (zoom, DECA_CANVAS_MIN_ZOOM, DECA_CANVAS_MAX_ZOOM);
  if (self->offset_x == offset_x && self->offset_y == offset_y && self->zoom == zoom)
    return;
  zoom_changed = self->zoom != zoom;
  self->offset_x = offset_x;
  self->offset_y = offset_y;
  self->zoom = zoom;
  /* A view set by hand wins over the pending fit of a new document. */
  self->fit_pending = FALSE;
  if (!self->view_moving)
    deca_ui_keep_frame_memory ();
  self->view_moving = TRUE;
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (DECA_CANVAS_SETTLE_MS, view_settled_cb, self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (zoom_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

void
_deca_canvas_zoom_around (DecaCanvas *self,
                          double      zoom,
                          double      wx,
                          double      wy)
{
  double cx, cy;

  zoom = CLAMP (zoom, DECA_CANVAS_MIN_ZOOM, DECA_CANVAS_MAX_ZOOM);
  deca_canvas_widget_to_canvas (self, wx, wy, &cx, &cy);
  deca_canvas_set_view (self, cx - wx / zoom, cy - wy / zoom, zoom);
}

void
deca_canvas_set_zoom (DecaCanvas *self,
                      double      zoom)
{
  g_return_if_fail (DECA_IS_CANVAS (self));

  /* Around the middle of the view, as the zoom buttons do. */
  _deca_canvas_zoom_around (self, zoom, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                            gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
deca_canvas_get_offset (DecaCanvas *self,
                        double     *x,
                        double     *y)
{
  g_return_if_fail (DECA_IS_CANVAS (self));

  if (x)
    *x = self->offset_x;
  if (y)
    *y = self->offset_y;
}

void
deca_canvas_widget_to_canvas (DecaCanvas *self,
                              double      wx,
                              double      wy,
                              double     *cx,
                              double     *cy)
{
  g_return_if_fail (DECA_IS_CANVAS (self));

  *cx = wx / self->zoom + self->offset_x;
  *cy = wy / self->zoom + self->offset_y;
}

void
deca_canvas_canvas_to_widget (DecaCanvas *self,
                              double      cx,
                              double      cy,
                              double     *wx,
                              double     *wy)
{
  g_return_if_fail (DECA_IS_CANVAS (self));

  *wx = (cx - self->offset_x) * self->zoom;
  *wy = (cy - self->offset_y) * self->zoom;
}

static void
fit (DecaCanvas *self,
     gboolean    selected_only,
     double      max_zoom)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  graphene_rect_t bounds;
  double old_x = self->offset_x, old_y = self->offset_y, old_zoom = self->zoom;

  if (!nodes_bounds (self, selected_only, &bounds))
    return;
  if (width <= 0 || height <= 0)
    {
      self->fit_pending = !selected_only;
      return;
    }
  fit_rect (self, &bounds, width, height, max_zoom);
  if (old_x != self->offset_x || old_y != self->offset_y || old_zoom != self->zoom)
    {
      gtk_widget_queue_allocate (GTK_WIDGET (self));
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

void
deca_canvas_zoom_to_fit (DecaCanvas *self)
{
  g_return_if_fail (DECA_IS_CANVAS (self));

  fit (self, FALSE, 1.0);
}

void
deca_canvas_zoom_to_selection (DecaCanvas *self)
{
  g_return_if_fail (DECA_IS_CANVAS (self));

  if (self->n_selected == 0)
    deca_canvas_zoom_to_fit (self);
  else
    fit (self, TRUE, 2.0);
}

void
_deca_canvas_ensure_visible (DecaCanvas            *self,
                             const graphene_rect_t *rect)
{
  graphene_rect_t visible;
  double margin = 24 / self->zoom;
  double ox = self->offset_x, oy = self->offset_y;

  if (gtk_widget_get_width (GTK_WIDGET (self)) <= 0)
    return;
  _deca_canvas_visible_rect (self, &visible);
  if (rect->origin.x - margin < visible.origin.x)
    ox = rect->origin.x - margin;
  else if (rect->origin.x + rect->size.width + margin > visible.origin.x + visible.size.width)
    ox = MIN (rect->origin.x - margin,
              rect->origin.x + rect->size.width + margin - visible.size.width);
  if (rect->origin.y - margin < visible.origin.y)
    oy = rect->origin.y - margin;
  else if (rect->origin.y + rect->size.height + margin > visible.origin.y + visible.size.height)
    oy = MIN (rect->origin.y - margin,
              rect->origin.y + rect->size.height + margin - visible.size.height);
  deca_canvas_set_view (self, ox, oy, self->zoom);
}

/* ---- refusals ---------------------------------------------------------------------------- */

static gboolean
hide_refusal_cb (gpointer data)
{
  DecaCanvas *self = data;

  self->refusal_timeout_id = 0;
  gtk_widget_set_visible (self->refusal_label, FALSE);
  return G_SOURCE_REMOVE;
}

void
_deca_canvas_show_refusal (DecaCanvas *self,
                           const char *message,
                           double      wx,
                           double      wy)
{
  gtk_label_set_text (GTK_LABEL (self->refusal_label), message);
  self->refusal_x = wx;
  self->refusal_y = wy;
  gtk_widget_set_visible (self->refusal_label, TRUE);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  g_clear_handle_id (&self->refusal_timeout_id, g_source_remove);
  self->refusal_timeout_id = g_timeout_add (DECA_CANVAS_REFUSAL_MS, hide_refusal_cb, self);
  g_signal_emit (self, signals[SIGNAL_EDIT_REFUSED], 0, message);
}

/* ---- public API ---------------------------------------------------------------------------- */

GStrv
deca_canvas_dup_selection (DecaCanvas *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (DECA_IS_CANVAS (self), NULL);

  for (guint i = 0; i < self->node_views->len && self->n_selected > 0; i++)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i);

      if (deca_node_view_get_selected (view))
        g_strv_builder_add (builder, deca_flow_node_item_get_id (deca_node_view_get_item (view)));
    }
  return g_strv_builder_end (builder);
}

void
deca_canvas_set_selection (DecaCanvas         *self,
                           const char * const *ids)
{
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;

  g_return_if_fail (DECA_IS_CANVAS (self));

  before = deca_canvas_dup_selection (self);
  _deca_canvas_select_ids (self, ids);
  if (self->n_selected > 0)
    _deca_canvas_select_connection (self, NULL);
  after = deca_canvas_dup_selection (self);
  if (!g_strv_equal ((const char * const *) before, (const char * const *) after))
    _deca_canvas_selection_changed (self);
}

DecaFlowConnectionItem *
deca_canvas_get_selected_connection (DecaCanvas *self)
{
  g_return_val_if_fail (DECA_IS_CANVAS (self), NULL);

  return self->selected_connection
         ? deca_connection_view_get_item (self->selected_connection) : NULL;
}

void
deca_canvas_set_selected_connection (DecaCanvas             *self,
                                     DecaFlowConnectionItem *connection)
{
  g_return_if_fail (DECA_IS_CANVAS (self));
  g_return_if_fail (connection == NULL || DECA_IS_FLOW_CONNECTION_ITEM (connection));

  for (guint i = 0; connection && i < self->connection_views->len; i++)
    {
      DecaConnectionView *view = g_ptr_array_index (self->connection_views, i);

      if (deca_connection_view_get_item (view) == connection)
        {
          _deca_canvas_select_connection (self, view);
          return;
        }
    }
  _deca_canvas_select_connection (self, NULL);
}

DecaFlowNodeItem *
deca_canvas_add_node_at (DecaCanvas  *self,
                         const char  *type,
                         double       x,
                         double       y,
                         GError     **error)
{
  DecaFlowNodeItem *item;
  DecaNodeView *view;

  g_return_val_if_fail (DECA_IS_CANVAS (self), NULL);
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!self->document)
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                           _("There is no flow to add the node to"));
      return NULL;
    }
  if (self->snap_to_grid)
    {
      x = round (x / DECA_CANVAS_GRID_STEP) * DECA_CANVAS_GRID_STEP;
      y = round (y / DECA_CANVAS_GRID_STEP) * DECA_CANVAS_GRID_STEP;
    }
  item = deca_flow_document_add_node (self->document, type, x, y, error);
  if (!item)
    return NULL;
  view = g_hash_table_lookup (self->view_by_item, item);
  if (view)
    {
      _deca_canvas_select_only (self, view);
      _deca_canvas_selection_changed (self);
    }
  return item;
}

DecaFlowNodeItem *
deca_canvas_add_node_at_center (DecaCanvas  *self,
                                const char  *type,
                                GError     **error)
{
  graphene_rect_t visible;

  g_return_val_if_fail (DECA_IS_CANVAS (self), NULL);

  _deca_canvas_visible_rect (self, &visible);
  return deca_canvas_add_node_at (self, type,
                                  visible.origin.x + visible.size.width / 2 - DECA_NODE_VIEW_WIDTH / 2.0,
                                  visible.origin.y + visible.size.height / 2 - DECA_NODE_VIEW_MIN_HEIGHT / 2.0,
                                  error);
}

gboolean
deca_canvas_arrange (DecaCanvas  *self,
                     GError     **error)
{
  g_autoptr(JsonNode) json = NULL;
  DecaFlowLayoutOptions options;
  JsonArray *nodes;
  double tallest = DECA_NODE_VIEW_MIN_HEIGHT;

  g_return_val_if_fail (DECA_IS_CANVAS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!self->document)
    return TRUE;

  for (guint i = 0; i < self->node_views->len; i++)
    {
      double w, h;

      deca_node_view_get_size (g_ptr_array_index (self->node_views, i), &w, &h);
      tallest = MAX (tallest, h);
    }
  json = deca_flow_document_to_json (self->document);
  deca_flow_layout_options_init (&options);
  options.node_width = DECA_NODE_VIEW_WIDTH;
  /* Layers of cards of different heights must not overlap, and land on the grid. */
  options.node_height = ceil (tallest / DECA_CANVAS_GRID_STEP) * DECA_CANVAS_GRID_STEP;
  if (!deca_flow_layout_layered (json, &options, error))
    return FALSE;

  nodes = json_object_get_array_member (json_node_get_object (json), "nodes");
  deca_flow_document_begin_group (self->document, _("Arrange"));
  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonObject *node = json_array_get_object_element (nodes, i);
      JsonObject *position;

      if (!node || !json_object_has_member (node, "position"))
        continue;
      position = json_object_get_object_member (node, "position");
      deca_flow_document_set_node_position (self->document,
                                            json_object_get_string_member (node, "id"),
                                            json_object_get_double_member (position, "x"),
                                            json_object_get_double_member (position, "y"));
    }
  deca_flow_document_end_group (self->document);
  deca_canvas_zoom_to_fit (self);
  return TRUE;
}

gboolean
deca_canvas_get_snap_to_grid (DecaCanvas *self)
{
  g_return_val_if_fail (DECA_IS_CANVAS (self), FALSE);

  return self->snap_to_grid;
}

void
deca_canvas_set_snap_to_grid (DecaCanvas *self,
                              gboolean    snap)
{
  g_return_if_fail (DECA_IS_CANVAS (self));

  snap = !!snap;
  if (self->snap_to_grid == snap)
    return;
  self->snap_to_grid = snap;
  if (self->document)
    deca_flow_document_set_grid_size (self->document, snap ? DECA_CANVAS_GRID_STEP : 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAP_TO_GRID]);
}

gboolean
deca_canvas_get_show_minimap (DecaCanvas *self)
{
  g_return_val_if_fail (DECA_IS_CANVAS (self), FALSE);

  return self->show_minimap;
}

void
deca_canvas_set_show_minimap (DecaCanvas *self,
                              gboolean    show)
{
  g_return_if_fail (DECA_IS_CANVAS (self));

  show = !!show;
  if (self->show_minimap == show)
    return;
  self->show_minimap = show;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_MINIMAP]);
}

/* ---- GObject ------------------------------------------------------------------------------ */

/* Textures belong to the renderer of the window they were drawn for. */
static void
deca_canvas_unrealize (GtkWidget *widget)
{
  DecaCanvas *self = DECA_CANVAS (widget);

  for (guint i = 0; i < self->node_views->len; i++)
    deca_node_view_drop_texture (g_ptr_array_index (self->node_views, i));
  g_clear_object (&self->minimap_texture);
  drop_tiles (self);
  GTK_WIDGET_CLASS (deca_canvas_parent_class)->unrealize (widget);
}

static void
deca_canvas_set_focus_child (GtkWidget *widget,
                             GtkWidget *child)
{
  GTK_WIDGET_CLASS (deca_canvas_parent_class)->set_focus_child (widget, child);
  _deca_canvas_focus_child_changed (DECA_CANVAS (widget), child);
}

static void
deca_canvas_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  DecaCanvas *self = DECA_CANVAS (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_SNAP_TO_GRID:
      g_value_set_boolean (value, self->snap_to_grid);
      break;
    case PROP_SHOW_MINIMAP:
      g_value_set_boolean (value, self->show_minimap);
      break;
    case PROP_SELECTION:
      g_value_take_boxed (value, deca_canvas_dup_selection (self));
      break;
    case PROP_SELECTED_CONNECTION:
      g_value_set_object (value, deca_canvas_get_selected_connection (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_canvas_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  DecaCanvas *self = DECA_CANVAS (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      deca_canvas_set_document (self, g_value_get_object (value));
      break;
    case PROP_ZOOM:
      deca_canvas_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_SNAP_TO_GRID:
      deca_canvas_set_snap_to_grid (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_MINIMAP:
      deca_canvas_set_show_minimap (self, g_value_get_boolean (value));
      break;
    case PROP_SELECTION:
      deca_canvas_set_selection (self, g_value_get_boxed (value));
      break;
    case PROP_SELECTED_CONNECTION:
      deca_canvas_set_selected_connection (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_canvas_dispose (GObject *object)
{
  DecaCanvas *self = DECA_CANVAS (object);

  deca_canvas_set_document (self, NULL);
  g_clear_handle_id (&self->refusal_timeout_id, g_source_remove);
  g_clear_handle_id (&self->problems_timeout_id, g_source_remove);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_CANVAS);

  G_OBJECT_CLASS (deca_canvas_parent_class)->dispose (object);
}

static void
deca_canvas_finalize (GObject *object)
{
  DecaCanvas *self = DECA_CANVAS (object);

  g_ptr_array_unref (self->node_views);
  g_ptr_array_unref (self->connection_views);
  g_hash_table_unref (self->view_by_item);
  g_clear_pointer (&self->rubber_base, g_hash_table_unref);
  g_clear_pointer (&self->minimap_node, gsk_render_node_unref);
  g_clear_object (&self->minimap_texture);
  g_clear_pointer (&self->tiles, deca_canvas_tiles_free);
  g_clear_pointer (&self->tile_sources, g_hash_table_unref);
  g_strfreev (self->drag_ids);
  g_free (self->last_paste_text);

  G_OBJECT_CLASS (deca_canvas_parent_class)->finalize (object);
}

static void
deca_canvas_class_init (DecaCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const GDebugKey debug_keys[] = {
    { "no-cull", DEBUG_NO_CULL },
    { "no-cache", DEBUG_NO_CACHE },
    { "no-lod", DEBUG_NO_LOD },
    { "no-texture", DEBUG_NO_TEXTURE },
    { "no-tiles", DEBUG_NO_TILES },
  };

  debug_flags = g_parse_debug_string (g_getenv ("DECA_CANVAS_DEBUG"), debug_keys,
                                      G_N_ELEMENTS (debug_keys));

  object_class->get_property = deca_canvas_get_property;
  object_class->set_property = deca_canvas_set_property;
  object_class->dispose = deca_canvas_dispose;
  object_class->finalize = deca_canvas_finalize;

  widget_class->measure = deca_canvas_measure;
  widget_class->size_allocate = deca_canvas_size_allocate;
  widget_class->snapshot = deca_canvas_snapshot;
  widget_class->focus = _deca_canvas_focus;
  widget_class->unrealize = deca_canvas_unrealize;
  widget_class->set_focus_child = deca_canvas_set_focus_child;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, DECA_TYPE_FLOW_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, DECA_CANVAS_MIN_ZOOM, DECA_CANVAS_MAX_ZOOM, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SNAP_TO_GRID] =
    g_param_spec_boolean ("snap-to-grid", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_MINIMAP] =
    g_param_spec_boolean ("show-minimap", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTION] =
    g_param_spec_boxed ("selection", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTED_CONNECTION] =
    g_param_spec_object ("selected-connection", NULL, NULL, DECA_TYPE_FLOW_CONNECTION_ITEM,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * DecaCanvas::edit-refused:
   * @message: the document's reason, for a person
   *
   * An edit made on the canvas was refused (a cycle, a self-loop, a duplicate).
   */
  signals[SIGNAL_EDIT_REFUSED] = g_signal_new ("edit-refused", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * DecaCanvas::node-activated:
   * @id: the node's id
   *
   * Enter or a double-click on a node: the window shows it in the inspector.
   */
  signals[SIGNAL_NODE_ACTIVATED] = g_signal_new ("node-activated", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-canvas.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaCanvas, refusal_label);
  gtk_widget_class_bind_template_child (widget_class, DecaCanvas, condition_popover);
  gtk_widget_class_bind_template_child (widget_class, DecaCanvas, condition_entry);
  gtk_widget_class_bind_template_child (widget_class, DecaCanvas, condition_error);
  gtk_widget_class_bind_template_callback_full (widget_class, "condition_entry_activate_cb",
                                                G_CALLBACK (_deca_canvas_condition_entry_activate_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "condition_popover_closed_cb",
                                                G_CALLBACK (_deca_canvas_condition_popover_closed_cb));

  _deca_canvas_class_init_actions (widget_class);

  gtk_widget_class_set_css_name (widget_class, "decacanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_type_ensure (DECA_TYPE_NODE_VIEW);
  g_type_ensure (DECA_TYPE_CONNECTION_VIEW);
}

static void
deca_canvas_init (DecaCanvas *self)
{
  self->zoom = 1.0;
  self->geometry_frame = G_MININT64;
  self->node_views = g_ptr_array_new ();
  self->connection_views = g_ptr_array_new ();
  self->view_by_item = g_hash_table_new (NULL, NULL);
  /* Eight levels' worth of tiles for a 1280 x 800 view: a zoom back and forth over them
   * draws few again. */
  self->tiles = deca_canvas_tiles_new (48 * 1024 * 1024);
  self->tile_sources = g_hash_table_new_full (NULL, NULL, NULL,
                                              (GDestroyNotify) gsk_render_node_unref);

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Flow canvas"),
                                  -1);
  _deca_canvas_init_input (self);
  _deca_canvas_init_dnd (self);
  _deca_canvas_update_actions (self);
}

GtkWidget *
deca_canvas_new (void)
{
  return g_object_new (DECA_TYPE_CANVAS, NULL);
}

/* For the other files of the canvas. */
void
_deca_canvas_emit_node_activated (DecaCanvas *self,
                                  const char *id)
{
  g_signal_emit (self, signals[SIGNAL_NODE_ACTIVATED], 0, id);
}
