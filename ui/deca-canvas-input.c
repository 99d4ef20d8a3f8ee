/* deca-canvas-input.c: pointer, touch and keyboard input of the canvas: selecting,
 * moving, connecting, panning and zooming, focus, the keyboard connection, the condition
 * editor. Every change to the flow goes through the document. */

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "deca-canvas-private.h"

/* A press that moves less than this (widget pixels) is a click, not a drag. */
#define DRAG_THRESHOLD 3.0

static void
report_error (DecaCanvas *self,
              GError     *error,
              double      wx,
              double      wy)
{
  _deca_canvas_show_refusal (self, error->message, wx, wy);
}

/* ---- the pointer ------------------------------------------------------------------------ */

static void
end_move_group (DecaCanvas *self)
{
  if (self->drag_group_open)
    {
      self->drag_group_open = FALSE;
      if (self->document)
        deca_flow_document_end_group (self->document);
    }
  g_clear_pointer (&self->drag_ids, g_strfreev);
}

void
_deca_canvas_cancel_interaction (DecaCanvas *self)
{
  DecaCanvasDragMode mode = self->drag_mode;

  if (mode == DECA_CANVAS_DRAG_NONE)
    return;
  self->drag_mode = DECA_CANVAS_DRAG_NONE;
  end_move_group (self);
  self->connect_from = NULL;
  self->connect_reverse = FALSE;
  self->press_node = NULL;
  g_clear_pointer (&self->rubber_base, g_hash_table_unref);
  if (self->drag_gesture)
    gtk_event_controller_reset (GTK_EVENT_CONTROLLER (self->drag_gesture));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
center_on_minimap_point (DecaCanvas *self,
                         double      wx,
                         double      wy)
{
  graphene_rect_t visible;
  double cx, cy;

  _deca_canvas_minimap_to_canvas (self, wx, wy, &cx, &cy);
  _deca_canvas_visible_rect (self, &visible);
  deca_canvas_set_view (self, cx - visible.size.width / 2, cy - visible.size.height / 2,
                        self->zoom);
}

static void
drag_begin_cb (DecaCanvas     *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType state =
    gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  gboolean extend = (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) != 0;
  DecaNodeView *view;
  DecaConnectionView *connection;
  const char *port = NULL;
  double cx, cy;

  self->drag_start_x = self->drag_x = x;
  self->drag_start_y = self->drag_y = y;
  self->drag_applied_dx = self->drag_applied_dy = 0;
  self->press_node = NULL;
  _deca_canvas_keyboard_connect_stop (self);

  if (button == GDK_BUTTON_MIDDLE || (button == GDK_BUTTON_PRIMARY && self->space_held))
    {
      self->drag_mode = DECA_CANVAS_DRAG_PAN;
      self->pan_start_x = self->offset_x;
      self->pan_start_y = self->offset_y;
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      return;
    }
  if (button != GDK_BUTTON_PRIMARY || !self->document)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  if (_deca_canvas_in_minimap (self, x, y))
    {
      self->drag_mode = DECA_CANVAS_DRAG_MINIMAP;
      center_on_minimap_point (self, x, y);
      return;
    }

  deca_canvas_widget_to_canvas (self, x, y, &cx, &cy);
  self->pointer_pressing = TRUE;

  view = _deca_canvas_port_at (self, cx, cy, &port);
  if (view)
    {
      /* From an output port to a card, or from an input to an output port. An input that
       * has connections keeps them: a drag from a port always makes a new one. */
      self->drag_mode = DECA_CANVAS_DRAG_CONNECT;
      self->connect_from = view;
      self->connect_port = port ? g_intern_string (port) : NULL;
      self->connect_reverse = port == NULL;
      gtk_widget_grab_focus (GTK_WIDGET (view));
      self->pointer_pressing = FALSE;
      return;
    }

  view = _deca_canvas_node_at (self, cx, cy);
  if (view)
    {
      gtk_widget_grab_focus (GTK_WIDGET (view));
      if (extend)
        _deca_canvas_set_node_selected (self, view, !deca_node_view_get_selected (view));
      else if (!deca_node_view_get_selected (view))
        _deca_canvas_select_only (self, view);
      else
        self->press_node = view;
      _deca_canvas_selection_changed (self);
      self->pointer_pressing = FALSE;
      if (deca_node_view_get_selected (view))
        {
          self->drag_mode = DECA_CANVAS_DRAG_MOVE;
          self->drag_ids = deca_canvas_dup_selection (self);
        }
      return;
    }

  connection = _deca_canvas_connection_at (self, cx, cy);
  if (connection)
    {
      gtk_widget_grab_focus (GTK_WIDGET (connection));
      _deca_canvas_select_connection (self, connection);
      self->pointer_pressing = FALSE;
      return;
    }

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->pointer_pressing = FALSE;
  self->drag_mode = DECA_CANVAS_DRAG_RUBBER_BAND;
  g_clear_pointer (&self->rubber_base, g_hash_table_unref);
  self->rubber_base = g_hash_table_new (NULL, NULL);
  if (extend)
    {
      for (guint i = 0; i < self->node_views->len; i++)
        if (deca_node_view_get_selected (g_ptr_array_index (self->node_views, i)))
          g_hash_table_add (self->rubber_base, g_ptr_array_index (self->node_views, i));
    }
  else
    {
      gboolean had = self->n_selected > 0;

      _deca_canvas_select_connection (self, NULL);
      _deca_canvas_clear_selection (self);
      if (had)
        _deca_canvas_selection_changed (self);
    }
}

static void
update_rubber_band (DecaCanvas *self)
{
  graphene_rect_t band;
  double x1, y1, x2, y2;
  gboolean changed = FALSE;

  deca_canvas_widget_to_canvas (self, self->drag_start_x, self->drag_start_y, &x1, &y1);
  deca_canvas_widget_to_canvas (self, self->drag_x, self->drag_y, &x2, &y2);
  graphene_rect_init (&band, MIN (x1, x2), MIN (y1, y2), fabs (x2 - x1), fabs (y2 - y1));
  for (guint i = 0; i < self->node_views->len; i++)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i);
      graphene_rect_t rect;
      gboolean selected;

      _deca_canvas_node_rect (self, view, &rect);
      selected = graphene_rect_intersection (&rect, &band, NULL)
                 || g_hash_table_contains (self->rubber_base, view);
      if (selected != deca_node_view_get_selected (view))
        {
          _deca_canvas_set_node_selected (self, view, selected);
          changed = TRUE;
        }
    }
  if (changed)
    _deca_canvas_selection_changed (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_update_cb (DecaCanvas     *self,
                double          offset_x,
                double          offset_y,
                GtkGestureDrag *gesture)
{
  double total_dx, total_dy;

  self->drag_x = self->drag_start_x + offset_x;
  self->drag_y = self->drag_start_y + offset_y;

  switch (self->drag_mode)
    {
    case DECA_CANVAS_DRAG_MOVE:
      if (!self->drag_group_open && hypot (offset_x, offset_y) < DRAG_THRESHOLD)
        return;
      if (!self->drag_group_open)
        {
          /* One undo step for the whole drag; the document merges the moves and snaps
           * their total to the grid. */
          deca_flow_document_begin_group (self->document, NULL);
          self->drag_group_open = TRUE;
          self->press_node = NULL;
        }
      total_dx = offset_x / self->zoom;
      total_dy = offset_y / self->zoom;
      deca_flow_document_move_nodes (self->document, (const char * const *) self->drag_ids,
                                     total_dx - self->drag_applied_dx,
                                     total_dy - self->drag_applied_dy);
      self->drag_applied_dx = total_dx;
      self->drag_applied_dy = total_dy;
      break;
    case DECA_CANVAS_DRAG_CONNECT:
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;
    case DECA_CANVAS_DRAG_RUBBER_BAND:
      update_rubber_band (self);
      break;
    case DECA_CANVAS_DRAG_PAN:
      deca_canvas_set_view (self, self->pan_start_x - offset_x / self->zoom,
                            self->pan_start_y - offset_y / self->zoom, self->zoom);
      break;
    case DECA_CANVAS_DRAG_MINIMAP:
      center_on_minimap_point (self, self->drag_x, self->drag_y);
      break;
    case DECA_CANVAS_DRAG_NONE:
    default:
      break;
    }
}

/* Connects @from's @port (NULL: the default one; "error": a fallback connection) to
 * @to's input, or shows why not at (@wx, @wy), widget pixels. The checks the document
 * makes (self-loop, cycle, duplicate, unknown port) are the document's; the one it
 * cannot see, a trigger has no input, is the canvas's. */
static void
connect_views (DecaCanvas   *self,
               DecaNodeView *from,
               const char   *port,
               DecaNodeView *to,
               double        wx,
               double        wy)
{
  g_autoptr(GError) error = NULL;
  gboolean on_error = FALSE;

  if (from != to && !deca_node_view_has_input (to))
    {
      g_autofree char *message =
        g_strdup_printf (_("“%s” is a trigger: it has no input to connect to"),
                         deca_flow_node_item_get_id (deca_node_view_get_item (to)));

      _deca_canvas_show_refusal (self, message, wx, wy);
      return;
    }
  if (g_strcmp0 (port, DECA_NODE_PORT_ERROR) == 0)
    {
      on_error = TRUE;
      port = NULL;
    }
  else if (g_strcmp0 (port, deca_node_view_get_default_port (from)) == 0)
    port = NULL;

  if (!deca_flow_document_connect (self->document,
                                   deca_flow_node_item_get_id (deca_node_view_get_item (from)),
                                   port,
                                   deca_flow_node_item_get_id (deca_node_view_get_item (to)),
                                   NULL, NULL, on_error, &error))
    report_error (self, error, wx, wy);
}

/* Where a drag from an input was dropped, (@cx, @cy) canvas units: on an output or error
 * port within reach, or anywhere on a card that has a single output port (the other way
 * round, anywhere on a card is its input, and with one port there is no choice to make).
 * Returns the card with *@port (transfer none) the port it leaves from, or NULL: dropped
 * on empty canvas with *@refusal NULL, else with *@refusal (transfer full) saying why. */
static DecaNodeView *
reverse_drop_source (DecaCanvas  *self,
                     double       cx,
                     double       cy,
                     const char **port,
                     char       **refusal)
{
  DecaNodeView *view;
  const char * const *ports;
  const char *id;

  *refusal = NULL;
  *port = NULL;
  view = _deca_canvas_port_at (self, cx, cy, port);
  /* Back on its own card, it is a self-loop, which the document explains. */
  if (view && (*port != NULL || view == self->connect_from))
    return view;
  if (view)
    {
      *refusal = g_strdup (_("An input connects to an output port, not to another input"));
      return NULL;
    }
  view = _deca_canvas_node_at (self, cx, cy);
  if (!view || view == self->connect_from)
    return view;
  ports = deca_node_view_get_output_ports (view);
  id = deca_flow_node_item_get_id (deca_node_view_get_item (view));
  if (!ports || !ports[0])
    *refusal = g_strdup_printf (_("“%s” has no output port to connect from"), id);
  else if (ports[1])
    *refusal = g_strdup_printf (_("Drop on one of the output ports of “%s”"), id);
  else
    {
      *port = ports[0];
      return view;
    }
  return NULL;
}

/* Ends a drag from a port. From an output: connects it to the card under the pointer
 * (anywhere on it: the input is a small target and every card has one). From an input:
 * connects the output port under the pointer to it. */
static void
finish_connect (DecaCanvas *self)
{
  DecaNodeView *from = self->connect_from, *to;
  const char *port = self->connect_port;
  double cx, cy;

  if (!from || !self->document
      || hypot (self->drag_x - self->drag_start_x, self->drag_y - self->drag_start_y) < DRAG_THRESHOLD)
    return;
  deca_canvas_widget_to_canvas (self, self->drag_x, self->drag_y, &cx, &cy);
  if (self->connect_reverse)
    {
      g_autofree char *refusal = NULL;

      to = from;
      from = reverse_drop_source (self, cx, cy, &port, &refusal);
      if (refusal)
        _deca_canvas_show_refusal (self, refusal, self->drag_x, self->drag_y);
    }
  else
    to = _deca_canvas_node_at (self, cx, cy);
  if (from && to)
    connect_views (self, from, port, to, self->drag_x, self->drag_y);
}

static void
drag_end_cb (DecaCanvas     *self,
             double          offset_x,
             double          offset_y,
             GtkGestureDrag *gesture)
{
  DecaCanvasDragMode mode = self->drag_mode;

  self->drag_x = self->drag_start_x + offset_x;
  self->drag_y = self->drag_start_y + offset_y;
  self->drag_mode = DECA_CANVAS_DRAG_NONE;

  switch (mode)
    {
    case DECA_CANVAS_DRAG_MOVE:
      if (self->drag_group_open)
        end_move_group (self);
      else if (self->press_node)
        {
          /* A click on a card of a multiple selection selects only that card. */
          _deca_canvas_select_only (self, self->press_node);
          _deca_canvas_selection_changed (self);
        }
      g_clear_pointer (&self->drag_ids, g_strfreev);
      break;
    case DECA_CANVAS_DRAG_CONNECT:
      finish_connect (self);
      self->connect_from = NULL;
      self->connect_reverse = FALSE;
      break;
    case DECA_CANVAS_DRAG_RUBBER_BAND:
      g_clear_pointer (&self->rubber_base, g_hash_table_unref);
      break;
    case DECA_CANVAS_DRAG_PAN:
      gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
      if (self->space_held)
        gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
      break;
    case DECA_CANVAS_DRAG_MINIMAP:
    case DECA_CANVAS_DRAG_NONE:
    default:
      break;
    }
  self->press_node = NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_cancel_cb (DecaCanvas       *self,
                GdkEventSequence *sequence,
                GtkGesture       *gesture)
{
  if (self->drag_mode == DECA_CANVAS_DRAG_NONE)
    return;
  self->drag_mode = DECA_CANVAS_DRAG_NONE;
  end_move_group (self);
  self->connect_from = NULL;
  self->connect_reverse = FALSE;
  self->press_node = NULL;
  g_clear_pointer (&self->rubber_base, g_hash_table_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
click_pressed_cb (DecaCanvas      *self,
                  int              n_press,
                  double           x,
                  double           y,
                  GtkGestureClick *gesture)
{
  DecaNodeView *view;
  double cx, cy;

  if (n_press != 2 || !self->document || _deca_canvas_in_minimap (self, x, y))
    return;
  deca_canvas_widget_to_canvas (self, x, y, &cx, &cy);
  view = _deca_canvas_node_at (self, cx, cy);
  if (view)
    {
      _deca_canvas_emit_node_activated (self,
                                        deca_flow_node_item_get_id (deca_node_view_get_item (view)));
      return;
    }
}

/* The editor of a double-clicked connection opens on the release: the second press
 * still goes through the drag gesture, which would take the focus from the editor. */
static void
click_released_cb (DecaCanvas      *self,
                   int              n_press,
                   double           x,
                   double           y,
                   GtkGestureClick *gesture)
{
  DecaConnectionView *connection;
  double cx, cy;

  if (n_press != 2 || !self->document || _deca_canvas_in_minimap (self, x, y))
    return;
  deca_canvas_widget_to_canvas (self, x, y, &cx, &cy);
  if (_deca_canvas_node_at (self, cx, cy))
    return;
  connection = _deca_canvas_connection_at (self, cx, cy);
  if (connection)
    {
      _deca_canvas_select_connection (self, connection);
      _deca_canvas_edit_condition (self, connection);
    }
}

static gboolean
scroll_cb (DecaCanvas               *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  GdkModifierType state =
    gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  double unit = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL
                ? 40 : 1;

  if (state & GDK_CONTROL_MASK)
    {
      double x = self->pointer_inside ? self->pointer_x : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      double y = self->pointer_inside ? self->pointer_y : gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

      _deca_canvas_zoom_around (self, self->zoom * pow (1.1, -dy), x, y);
      return TRUE;
    }
  if ((state & GDK_SHIFT_MASK) && dx == 0)
    {
      dx = dy;
      dy = 0;
    }
  deca_canvas_set_view (self, self->offset_x + dx * unit / self->zoom,
                        self->offset_y + dy * unit / self->zoom, self->zoom);
  return TRUE;
}

static void
zoom_begin_cb (DecaCanvas       *self,
               GdkEventSequence *sequence,
               GtkGesture       *gesture)
{
  self->zoom_gesture_start = self->zoom;
  gtk_gesture_get_bounding_box_center (gesture, &self->zoom_gesture_cx, &self->zoom_gesture_cy);
  /* A pinch is not a drag: stop the drag that its first finger started. */
  _deca_canvas_cancel_interaction (self);
}

static void
zoom_scale_changed_cb (DecaCanvas     *self,
                       double          scale,
                       GtkGestureZoom *gesture)
{
  _deca_canvas_zoom_around (self, self->zoom_gesture_start * scale,
                            self->zoom_gesture_cx, self->zoom_gesture_cy);
}

static void
motion_cb (DecaCanvas               *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *controller)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
}

static void
leave_cb (DecaCanvas               *self,
          GtkEventControllerMotion *controller)
{
  self->pointer_inside = FALSE;
}

/* ---- the rubber curve ------------------------------------------------------------------- */

/* Where @port of @view is in canvas units, and which way a curve leaves it. */
static void
port_end (DecaCanvas   *self,
          DecaNodeView *view,
          const char   *port,
          double       *x,
          double       *y,
          double       *dx,
          double       *dy)
{
  graphene_rect_t rect;

  _deca_canvas_node_rect (self, view, &rect);
  deca_node_view_get_port_point (view, port, x, y, dx, dy);
  *x += rect.origin.x;
  *y += rect.origin.y;
}

/* The curve of a connection being made, in canvas units: from (@x0, @y0) on the output
 * side, leaving in direction (@dx0, @dy0), to (@x3, @y3) on the input side, entered
 * against (@dx3, @dy3); the canvas draws it with an arrow at the input end. FALSE when
 * no connection is being made.
 *
 * Dragged from an output port it ends at the pointer; dragged from an input it starts at
 * the pointer, or at the output port under it (the one the connection would leave from),
 * so it runs the way the connection will; made from the keyboard it runs from the chosen
 * port of the source to the target's input. */
gboolean
_deca_canvas_get_rubber_curve (DecaCanvas *self,
                               double     *x0,
                               double     *y0,
                               double     *dx0,
                               double     *dy0,
                               double     *x3,
                               double     *y3,
                               double     *dx3,
                               double     *dy3)
{
  DecaNodeView *from = self->connect_from, *view;
  const char *port = NULL;
  double px, py;

  if (self->drag_mode == DECA_CANVAS_DRAG_CONNECT && from)
    {
      deca_canvas_widget_to_canvas (self, self->drag_x, self->drag_y, &px, &py);
      if (!self->connect_reverse)
        {
          port_end (self, from,
                    self->connect_port ? self->connect_port : deca_node_view_get_default_port (from),
                    x0, y0, dx0, dy0);
          *x3 = px;
          *y3 = py;
          *dx3 = -1;
          *dy3 = 0;
          return TRUE;
        }
      port_end (self, from, NULL, x3, y3, dx3, dy3);
      view = _deca_canvas_port_at (self, px, py, &port);
      if (view && port && view != from)
        port_end (self, view, port, x0, y0, dx0, dy0);
      else
        {
          *x0 = px;
          *y0 = py;
          *dx0 = 1;
          *dy0 = 0;
        }
      return TRUE;
    }
  if (self->kb_source && self->kb_target)
    {
      port_end (self, self->kb_source,
                self->kb_port ? self->kb_port : deca_node_view_get_default_port (self->kb_source),
                x0, y0, dx0, dy0);
      port_end (self, self->kb_target, NULL, x3, y3, dx3, dy3);
      return TRUE;
    }
  return FALSE;
}

/* ---- connecting from the keyboard ------------------------------------------------------ */

static void
node_center (DecaCanvas   *self,
             DecaNodeView *view,
             double       *x,
             double       *y)
{
  graphene_rect_t rect;

  _deca_canvas_node_rect (self, view, &rect);
  *x = rect.origin.x + rect.size.width / 2;
  *y = rect.origin.y + rect.size.height / 2;
}

/* The nearest card from @from in direction (@dx, @dy), preferring cards straight ahead. */
static DecaNodeView *
pick_in_direction (DecaCanvas   *self,
                   DecaNodeView *from,
                   double        dx,
                   double        dy)
{
  DecaNodeView *best = NULL;
  double best_score = G_MAXDOUBLE, fx, fy;

  node_center (self, from, &fx, &fy);
  for (guint i = 0; i < self->node_views->len; i++)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views, i);
      double x, y, along, across, score;

      if (view == from || view == self->kb_source)
        continue;
      node_center (self, view, &x, &y);
      along = (x - fx) * dx + (y - fy) * dy;
      across = fabs ((x - fx) * dy - (y - fy) * dx);
      if (along <= 0)
        continue;
      score = along + 2 * across;
      if (score < best_score)
        {
          best = view;
          best_score = score;
        }
    }
  return best;
}

static DecaNodeView *
pick_in_order (DecaCanvas   *self,
               DecaNodeView *from,
               int           step)
{
  guint n = self->node_views->len, index = 0;

  if (n < 2)
    return NULL;
  g_ptr_array_find (self->node_views, from, &index);
  for (guint i = 1; i < n; i++)
    {
      DecaNodeView *view = g_ptr_array_index (self->node_views,
                                              (index + n + step * (int) i) % n);

      if (view != self->kb_source)
        return view;
    }
  return NULL;
}

/* Shows the port a keyboard connection leaves from on its source card, and says there
 * what would be connected: the card has the focus, so a screen reader hears it. */
static void
update_kb_source (DecaCanvas *self)
{
  g_autofree char *status = NULL;
  const char *from, *to;

  if (!self->kb_source || !self->kb_target)
    return;
  from = deca_flow_node_item_get_id (deca_node_view_get_item (self->kb_source));
  to = deca_flow_node_item_get_id (deca_node_view_get_item (self->kb_target));
  if (g_strcmp0 (self->kb_port, DECA_NODE_PORT_ERROR) == 0)
    /* Translators: for screen readers, while a fallback connection is made from the
     * keyboard: "Connecting the fallback of <node id> to <node id>". */
    status = g_strdup_printf (_("Connecting the fallback of %s to %s"), from, to);
  else
    /* Translators: for screen readers, while a connection is made from the keyboard:
     * "Connecting from <node id>, port <port name>, to <node id>". */
    status = g_strdup_printf (_("Connecting from %s, port %s, to %s"), from, self->kb_port, to);
  deca_node_view_set_connect_port (self->kb_source, self->kb_port, status);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* C and Shift+C: the source's next or previous port, in the card's order (its output
 * ports from top to bottom, then the error port of fallback connections), round. */
static void
cycle_kb_port (DecaCanvas *self,
               int         step)
{
  const char * const *ports = deca_node_view_get_output_ports (self->kb_source);
  guint n = ports ? g_strv_length ((char **) ports) : 0;
  guint index = n;  /* n stands for the error port */

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (ports[i], self->kb_port) == 0)
      index = i;
  index = (index + (n + 1) + step) % (n + 1);
  self->kb_port = g_intern_string (index < n ? ports[index] : DECA_NODE_PORT_ERROR);
  update_kb_source (self);
}

static void
set_kb_target (DecaCanvas   *self,
               DecaNodeView *target)
{
  graphene_rect_t rect;

  if (!target)
    return;
  if (self->kb_target)
    deca_node_view_set_connect_target (self->kb_target, FALSE);
  self->kb_target = target;
  deca_node_view_set_connect_target (target, TRUE);
  _deca_canvas_node_rect (self, target, &rect);
  _deca_canvas_ensure_visible (self, &rect);
  update_kb_source (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static DecaNodeView *
focused_node (DecaCanvas *self)
{
  GtkWidget *child = gtk_widget_get_focus_child (GTK_WIDGET (self));

  if (DECA_IS_NODE_VIEW (child))
    return DECA_NODE_VIEW (child);
  if (self->n_selected == 1)
    for (guint i = 0; i < self->node_views->len; i++)
      if (deca_node_view_get_selected (g_ptr_array_index (self->node_views, i)))
        return g_ptr_array_index (self->node_views, i);
  return NULL;
}

gboolean
_deca_canvas_keyboard_connect_start (DecaCanvas *self)
{
  DecaNodeView *source = focused_node (self);
  DecaNodeView *target;
  graphene_rect_t rect;
  double wx, wy;

  if (!source)
    {
      _deca_canvas_show_refusal (self, _("Select the node to connect from first"),
                                 gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                                 gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
      return FALSE;
    }
  target = pick_in_direction (self, source, 1, 0);
  if (!target)
    target = pick_in_order (self, source, 1);
  if (!target)
    {
      _deca_canvas_node_rect (self, source, &rect);
      deca_canvas_canvas_to_widget (self, rect.origin.x, rect.origin.y + rect.size.height,
                                    &wx, &wy);
      _deca_canvas_show_refusal (self, _("There is no other node to connect to"), wx, wy);
      return FALSE;
    }
  _deca_canvas_cancel_interaction (self);
  /* The keys that follow are the canvas's only while the focus is inside it, and the
   * source card is where a screen reader hears what they pick. */
  if (!gtk_widget_has_focus (GTK_WIDGET (source)))
    gtk_widget_grab_focus (GTK_WIDGET (source));
  self->kb_source = source;
  self->kb_port = g_intern_string (deca_node_view_get_default_port (source));
  if (!deca_node_view_get_selected (source))
    {
      _deca_canvas_select_only (self, source);
      _deca_canvas_selection_changed (self);
    }
  set_kb_target (self, target);
  return TRUE;
}

void
_deca_canvas_keyboard_connect_stop (DecaCanvas *self)
{
  if (self->kb_target)
    deca_node_view_set_connect_target (self->kb_target, FALSE);
  if (self->kb_source)
    deca_node_view_set_connect_port (self->kb_source, NULL, NULL);
  if (self->kb_source || self->kb_target)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  self->kb_source = NULL;
  self->kb_target = NULL;
  self->kb_port = NULL;
}

static void
keyboard_connect_finish (DecaCanvas *self)
{
  DecaNodeView *source = self->kb_source, *target = self->kb_target;
  const char *port = self->kb_port;
  graphene_rect_t rect;
  double wx, wy;

  _deca_canvas_keyboard_connect_stop (self);
  if (!source || !target || !self->document)
    return;
  /* A refusal shows below the target, where the eyes are. */
  _deca_canvas_node_rect (self, target, &rect);
  deca_canvas_canvas_to_widget (self, rect.origin.x, rect.origin.y + rect.size.height,
                                &wx, &wy);
  connect_views (self, source, port, target, wx, wy);
}

static gboolean
keyboard_connect_key (DecaCanvas *self,
                      guint       keyval,
                      GdkModifierType state)
{
  DecaNodeView *from = self->kb_target ? self->kb_target : self->kb_source;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      set_kb_target (self, pick_in_direction (self, from, -1, 0));
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      set_kb_target (self, pick_in_direction (self, from, 1, 0));
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      set_kb_target (self, pick_in_direction (self, from, 0, -1));
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      set_kb_target (self, pick_in_direction (self, from, 0, 1));
      return TRUE;
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
    case GDK_KEY_ISO_Left_Tab:
      set_kb_target (self, pick_in_order (self, from,
                                          (keyval == GDK_KEY_ISO_Left_Tab
                                           || (state & GDK_SHIFT_MASK)) ? -1 : 1));
      return TRUE;
    case GDK_KEY_c:
    case GDK_KEY_C:
      if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
        return FALSE;
      cycle_kb_port (self, (state & GDK_SHIFT_MASK) ? -1 : 1);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      keyboard_connect_finish (self);
      return TRUE;
    case GDK_KEY_Escape:
      _deca_canvas_keyboard_connect_stop (self);
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
key_pressed_cb (DecaCanvas            *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  /* Keys typed into the condition editor are the editor's. */
  if (gtk_widget_get_visible (self->condition_popover))
    return FALSE;
  if (self->kb_source)
    return keyboard_connect_key (self, keyval, state);
  if (keyval == GDK_KEY_space && !(state & (GDK_CONTROL_MASK | GDK_ALT_MASK)))
    {
      if (!self->space_held)
        {
          self->space_held = TRUE;
          if (self->drag_mode == DECA_CANVAS_DRAG_NONE)
            gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
        }
      return TRUE;
    }
  return FALSE;
}

static void
key_released_cb (DecaCanvas            *self,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 GtkEventControllerKey *controller)
{
  if (keyval == GDK_KEY_space && self->space_held)
    {
      self->space_held = FALSE;
      if (self->drag_mode != DECA_CANVAS_DRAG_PAN)
        gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
    }
}

static void
focus_leave_cb (DecaCanvas         *self,
                GtkEventController *controller)
{
  /* A released Space we never saw must not leave the canvas panning. */
  self->space_held = FALSE;
}

/* ---- focus --------------------------------------------------------------------------------- */

/* Tab goes through the cards, then the connections, in document order. */
static GtkWidget *
focus_item (DecaCanvas *self,
            int         index)
{
  guint n_nodes = self->node_views->len;

  if (index < 0 || (guint) index >= n_nodes + self->connection_views->len)
    return NULL;
  if ((guint) index < n_nodes)
    return g_ptr_array_index (self->node_views, index);
  return g_ptr_array_index (self->connection_views, index - n_nodes);
}

static int
focus_index (DecaCanvas *self,
             GtkWidget  *child)
{
  guint index;

  if (DECA_IS_NODE_VIEW (child) && g_ptr_array_find (self->node_views, child, &index))
    return index;
  if (DECA_IS_CONNECTION_VIEW (child) && g_ptr_array_find (self->connection_views, child, &index))
    return self->node_views->len + index;
  return -1;
}

static void
focus_child_item (DecaCanvas *self,
                  GtkWidget  *child)
{
  self->keyboard_focus = TRUE;
  gtk_widget_grab_focus (child);
  self->keyboard_focus = FALSE;
}

gboolean
_deca_canvas_focus (GtkWidget        *widget,
                    GtkDirectionType  direction)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  GtkWidget *child = gtk_widget_get_focus_child (widget);
  gboolean inside = child != NULL || gtk_widget_is_focus (widget);
  int total = self->node_views->len + self->connection_views->len;
  int index;
  GtkWidget *next;

  if (child && !DECA_IS_NODE_VIEW (child) && !DECA_IS_CONNECTION_VIEW (child))
    return gtk_widget_child_focus (child, direction);

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    {
      /* Arrow keys move cards; they never move the focus out of the canvas. */
      if (!inside)
        gtk_widget_grab_focus (widget);
      return TRUE;
    }

  if (!inside)
    {
      /* Entering: forward lands on the canvas itself, backward on the last item. */
      if (direction == GTK_DIR_TAB_FORWARD || total == 0)
        gtk_widget_grab_focus (widget);
      else
        focus_child_item (self, focus_item (self, total - 1));
      return TRUE;
    }

  index = child ? focus_index (self, child) : -1;
  if (direction == GTK_DIR_TAB_FORWARD)
    {
      next = focus_item (self, index + 1);
      if (!next)
        return FALSE;
    }
  else
    {
      if (index < 0)
        return FALSE;
      next = index == 0 ? widget : focus_item (self, index - 1);
    }
  if (next == widget)
    gtk_widget_grab_focus (widget);
  else
    focus_child_item (self, next);
  return TRUE;
}

void
_deca_canvas_focus_child_changed (DecaCanvas *self,
                                  GtkWidget  *child)
{
  if (self->pointer_pressing || !child)
    return;
  if (DECA_IS_NODE_VIEW (child))
    {
      DecaNodeView *view = DECA_NODE_VIEW (child);

      if (!deca_node_view_get_selected (view) || self->n_selected > 1)
        {
          if (self->keyboard_focus || !deca_node_view_get_selected (view))
            {
              _deca_canvas_select_only (self, view);
              _deca_canvas_selection_changed (self);
            }
        }
      if (self->keyboard_focus)
        {
          graphene_rect_t rect;

          _deca_canvas_node_rect (self, view, &rect);
          _deca_canvas_ensure_visible (self, &rect);
        }
    }
  else if (DECA_IS_CONNECTION_VIEW (child))
    {
      DecaConnectionView *view = DECA_CONNECTION_VIEW (child);

      _deca_canvas_select_connection (self, view);
      if (self->keyboard_focus)
        _deca_canvas_ensure_visible (self, &deca_connection_view_get_geometry (view)->bounds);
    }
}

/* ---- the condition editor ------------------------------------------------------------------- */

void
_deca_canvas_edit_condition (DecaCanvas         *self,
                             DecaConnectionView *view)
{
  const char *condition = deca_flow_connection_item_get_condition (deca_connection_view_get_item (view));
  graphene_rect_t bounds;

  self->editing_connection = view;
  gtk_editable_set_text (GTK_EDITABLE (self->condition_entry), condition ? condition : "");
  gtk_widget_set_visible (self->condition_error, FALSE);
  if (!gtk_widget_compute_bounds (GTK_WIDGET (view), GTK_WIDGET (self), &bounds))
    graphene_rect_init (&bounds, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                        gtk_widget_get_height (GTK_WIDGET (self)) / 2.0, 1, 1);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->condition_popover),
                               &(GdkRectangle) { (int) bounds.origin.x, (int) bounds.origin.y,
                                                 MAX ((int) bounds.size.width, 1),
                                                 MAX ((int) bounds.size.height, 1) });
  gtk_popover_popup (GTK_POPOVER (self->condition_popover));
  gtk_widget_grab_focus (self->condition_entry);
}

void
_deca_canvas_close_condition (DecaCanvas *self)
{
  self->editing_connection = NULL;
  if (self->condition_popover && gtk_widget_get_visible (self->condition_popover))
    gtk_popover_popdown (GTK_POPOVER (self->condition_popover));
}

void
_deca_canvas_condition_entry_activate_cb (DecaCanvas *self,
                                          GtkEntry   *entry)
{
  DecaFlowConnectionItem *item;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GString) messages = g_string_new (NULL);
  GPtrArray *problems;

  if (!self->editing_connection || !self->document)
    return;
  item = deca_connection_view_get_item (self->editing_connection);
  deca_flow_document_set_connection_condition (self->document, item, text);

  /* A condition that does not parse is kept (it can be fixed later) and shown with what
   * is wrong with it; the editor stays open to fix it now. */
  deca_flow_document_get_problems (self->document);
  problems = deca_flow_connection_item_get_problems (item);
  for (guint i = 0; i < problems->len; i++)
    {
      DecaValidationProblem *problem = g_ptr_array_index (problems, i);

      if (messages->len > 0)
        g_string_append_c (messages, '\n');
      g_string_append (messages, problem->message);
    }
  if (messages->len > 0)
    {
      gtk_label_set_text (GTK_LABEL (self->condition_error), messages->str);
      gtk_widget_set_visible (self->condition_error, TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->condition_entry),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, messages->str,
                                      -1);
      return;
    }
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->condition_entry),
                                 GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  gtk_popover_popdown (GTK_POPOVER (self->condition_popover));
}

void
_deca_canvas_condition_popover_closed_cb (DecaCanvas *self,
                                          GtkPopover *popover)
{
  DecaConnectionView *view = self->editing_connection;

  self->editing_connection = NULL;
  if (view)
    gtk_widget_grab_focus (GTK_WIDGET (view));
}

/* ---- set-up ------------------------------------------------------------------------------- */

void
_deca_canvas_init_input (DecaCanvas *self)
{
  GtkGesture *gesture;
  GtkEventController *controller;

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), 0);
  g_signal_connect_swapped (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect_swapped (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect_swapped (gesture, "drag-end", G_CALLBACK (drag_end_cb), self);
  g_signal_connect_swapped (gesture, "cancel", G_CALLBACK (drag_cancel_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
  self->drag_gesture = gesture;

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect_swapped (gesture, "pressed", G_CALLBACK (click_pressed_cb), self);
  g_signal_connect_swapped (gesture, "released", G_CALLBACK (click_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect_swapped (gesture, "begin", G_CALLBACK (zoom_begin_cb), self);
  g_signal_connect_swapped (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_swapped (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* Capture: the keyboard connection and Space+drag come before the cards' own keys. */
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  g_signal_connect_swapped (controller, "key-released", G_CALLBACK (key_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (focus_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
