/* deca-canvas-actions.c: the canvas's actions ("canvas.*") and their keys: zoom,
 * selection, clipboard, history, layout, the keyboard connection. */

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "deca-canvas-private.h"
#include "deca-json.h"

/* Where a paste lands, relative to the copied nodes, when they are in view. */
#define PASTE_OFFSET (2 * DECA_CANVAS_GRID_STEP)

static void
show_refusal_at_pointer (DecaCanvas *self,
                         const char *message)
{
  double x = self->pointer_inside ? self->pointer_x : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double y = self->pointer_inside ? self->pointer_y : gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

  _deca_canvas_show_refusal (self, message, x, y);
}

void
_deca_canvas_update_actions (DecaCanvas *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_document = self->document != NULL;
  gboolean has_nodes = self->n_selected > 0;

  gtk_widget_action_set_enabled (widget, "canvas.undo",
                                 has_document && deca_flow_document_can_undo (self->document));
  gtk_widget_action_set_enabled (widget, "canvas.redo",
                                 has_document && deca_flow_document_can_redo (self->document));
  gtk_widget_action_set_enabled (widget, "canvas.delete",
                                 has_nodes || self->selected_connection != NULL);
  gtk_widget_action_set_enabled (widget, "canvas.copy", has_nodes);
  gtk_widget_action_set_enabled (widget, "canvas.cut", has_nodes);
  gtk_widget_action_set_enabled (widget, "canvas.duplicate", has_nodes);
  gtk_widget_action_set_enabled (widget, "canvas.zoom-selection", has_nodes);
  gtk_widget_action_set_enabled (widget, "canvas.paste", has_document);
  gtk_widget_action_set_enabled (widget, "canvas.select-all", has_document);
  gtk_widget_action_set_enabled (widget, "canvas.layout", has_document);
  gtk_widget_action_set_enabled (widget, "canvas.zoom-fit", has_document);
  gtk_widget_action_set_enabled (widget, "canvas.connect-start", has_document);
  gtk_widget_action_set_enabled (widget, "canvas.activate",
                                 has_nodes || self->selected_connection != NULL);
}

/* ---- zoom ---------------------------------------------------------------------------------- */

static void
zoom_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);

  deca_canvas_set_zoom (self, self->zoom * DECA_CANVAS_ZOOM_STEP);
}

static void
zoom_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);

  deca_canvas_set_zoom (self, self->zoom / DECA_CANVAS_ZOOM_STEP);
}

static void
zoom_reset_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  deca_canvas_set_zoom (DECA_CANVAS (widget), 1.0);
}

static void
zoom_fit_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  deca_canvas_zoom_to_fit (DECA_CANVAS (widget));
}

static void
zoom_selection_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  deca_canvas_zoom_to_selection (DECA_CANVAS (widget));
}

/* ---- selection --------------------------------------------------------------------------- */

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  guint before = self->n_selected;

  for (guint i = 0; i < self->node_views->len; i++)
    _deca_canvas_set_node_selected (self, g_ptr_array_index (self->node_views, i), TRUE);
  if (before != self->n_selected)
    _deca_canvas_selection_changed (self);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  g_auto(GStrv) ids = NULL;

  if (!self->document)
    return;
  if (self->selected_connection)
    {
      deca_flow_document_disconnect (self->document,
                                     deca_connection_view_get_item (self->selected_connection));
      return;
    }
  ids = deca_canvas_dup_selection (self);
  if (ids[0])
    deca_flow_document_remove_nodes (self->document, (const char * const *) ids);
}

static void
activate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  GtkWidget *child = gtk_widget_get_focus_child (widget);
  g_auto(GStrv) ids = NULL;

  if (DECA_IS_NODE_VIEW (child))
    {
      _deca_canvas_emit_node_activated (self,
                                        deca_flow_node_item_get_id (deca_node_view_get_item (DECA_NODE_VIEW (child))));
      return;
    }
  if (self->selected_connection)
    {
      _deca_canvas_edit_condition (self, self->selected_connection);
      return;
    }
  ids = deca_canvas_dup_selection (self);
  if (ids[0] && !ids[1])
    _deca_canvas_emit_node_activated (self, ids[0]);
}

static void
move_selection (DecaCanvas *self,
                double      dx,
                double      dy)
{
  g_auto(GStrv) ids = deca_canvas_dup_selection (self);
  GtkWidget *child;

  if (!self->document || !ids[0])
    return;
  deca_flow_document_move_nodes (self->document, (const char * const *) ids, dx, dy);
  child = gtk_widget_get_focus_child (GTK_WIDGET (self));
  if (DECA_IS_NODE_VIEW (child))
    {
      graphene_rect_t rect;

      _deca_canvas_node_rect (self, DECA_NODE_VIEW (child), &rect);
      _deca_canvas_ensure_visible (self, &rect);
    }
}

/* ---- clipboard ------------------------------------------------------------------------------ */

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  g_auto(GStrv) ids = deca_canvas_dup_selection (self);
  g_autofree char *text = NULL;

  if (!self->document || !ids[0])
    return;
  /* Flow-format text: it pastes into another window, or into a text editor. */
  text = deca_flow_document_copy_nodes (self->document, (const char * const *) ids);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  g_clear_pointer (&self->last_paste_text, g_free);
  self->paste_count = 0;
}

static void
cut_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  g_auto(GStrv) ids = deca_canvas_dup_selection (self);

  if (!self->document || !ids[0])
    return;
  copy_action (widget, action_name, parameter);
  deca_flow_document_remove_nodes (self->document, (const char * const *) ids);
}

/* The top-left corner of a fragment's nodes; FALSE when it has no positions (or is not a
 * fragment, which paste() then explains). */
static gboolean
fragment_origin (const char *text,
                 double     *x,
                 double     *y)
{
  g_autoptr(JsonNode) root = deca_json_parse (text, -1, NULL);
  JsonNode *nodes;
  gboolean any = FALSE;

  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  nodes = json_object_get_member (json_node_get_object (root), "nodes");
  if (!nodes || !JSON_NODE_HOLDS_ARRAY (nodes))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (nodes)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (nodes), i);
      JsonObject *position;
      JsonNode *px, *py;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      position = deca_json_object_get_object (json_node_get_object (element), "position");
      px = position ? json_object_get_member (position, "x") : NULL;
      py = position ? json_object_get_member (position, "y") : NULL;
      if (!px || !py || json_node_get_value_type (px) == G_TYPE_STRING
          || !JSON_NODE_HOLDS_VALUE (px) || !JSON_NODE_HOLDS_VALUE (py)
          || json_node_get_value_type (py) == G_TYPE_STRING)
        continue;
      if (!any || json_node_get_double (px) < *x)
        *x = json_node_get_double (px);
      if (!any || json_node_get_double (py) < *y)
        *y = json_node_get_double (py);
      any = TRUE;
    }
  return any;
}

/* Pastes @text: beside the copied nodes when they are in view (each paste of the same
 * text one step further), else in the middle of the view; selects what was pasted. */
static void
paste_text (DecaCanvas *self,
            const char *text,
            gboolean    beside)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  graphene_rect_t visible;
  double x = 0, y = 0, dx = 0, dy = 0;

  if (g_strcmp0 (text, self->last_paste_text) == 0)
    self->paste_count++;
  else
    {
      g_free (self->last_paste_text);
      self->last_paste_text = g_strdup (text);
      self->paste_count = 1;
    }

  _deca_canvas_visible_rect (self, &visible);
  if (fragment_origin (text, &x, &y))
    {
      if (beside || graphene_rect_contains_point (&visible, &GRAPHENE_POINT_INIT (x, y)))
        dx = dy = PASTE_OFFSET * self->paste_count;
      else
        {
          dx = visible.origin.x + visible.size.width / 3 - x;
          dy = visible.origin.y + visible.size.height / 3 - y;
          if (self->snap_to_grid)
            {
              dx = round (dx / DECA_CANVAS_GRID_STEP) * DECA_CANVAS_GRID_STEP;
              dy = round (dy / DECA_CANVAS_GRID_STEP) * DECA_CANVAS_GRID_STEP;
            }
        }
    }

  ids = deca_flow_document_paste (self->document, text, dx, dy, &error);
  if (!ids)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot paste: %s"), error->message);

      show_refusal_at_pointer (self, message);
      return;
    }
  _deca_canvas_select_ids (self, (const char * const *) ids);
  _deca_canvas_selection_changed (self);
}

static void
paste_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(DecaCanvas) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);

  if (!self->document)
    return;
  if (!text)
    {
      show_refusal_at_pointer (self, _("The clipboard holds no nodes to paste"));
      return;
    }
  paste_text (self, text, FALSE);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);

  if (!self->document)
    return;
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, paste_ready_cb,
                                 g_object_ref (self));
}

static void
duplicate_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  g_auto(GStrv) ids = deca_canvas_dup_selection (self);
  g_autofree char *text = NULL;

  if (!self->document || !ids[0])
    return;
  text = deca_flow_document_copy_nodes (self->document, (const char * const *) ids);
  paste_text (self, text, TRUE);
}

/* ---- history and layout ----------------------------------------------------------------------- */

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);

  if (self->document)
    deca_flow_document_undo (self->document);
}

static void
redo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);

  if (self->document)
    deca_flow_document_redo (self->document);
}

static void
layout_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  g_autoptr(GError) error = NULL;

  if (!deca_canvas_arrange (self, &error))
    show_refusal_at_pointer (self, error->message);
}

static void
connect_start_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  _deca_canvas_keyboard_connect_start (DECA_CANVAS (widget));
}

/* ---- keys ----------------------------------------------------------------------------------- */

/* Keys belong to the condition editor while it is open. */
static gboolean
keys_are_ours (DecaCanvas *self)
{
  return !gtk_widget_get_visible (self->condition_popover);
}

static gboolean
action_key_cb (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  const char *action = g_variant_get_string (args, NULL);

  if (!keys_are_ours (DECA_CANVAS (widget)))
    return FALSE;
  return gtk_widget_activate_action (widget, action, NULL);
}

static gboolean
move_key_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  DecaCanvas *self = DECA_CANVAS (widget);
  int dx, dy, steps;

  if (!keys_are_ours (self) || self->n_selected == 0)
    return FALSE;
  g_variant_get (args, "(iii)", &dx, &dy, &steps);
  move_selection (self, dx * steps * DECA_CANVAS_GRID_STEP,
                  dy * steps * DECA_CANVAS_GRID_STEP);
  return TRUE;
}

static gboolean
escape_key_cb (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  DecaCanvas *self = DECA_CANVAS (widget);

  if (!keys_are_ours (self))
    return FALSE;
  if (self->drag_mode != DECA_CANVAS_DRAG_NONE)
    {
      _deca_canvas_cancel_interaction (self);
      return TRUE;
    }
  if (self->n_selected == 0 && !self->selected_connection)
    return FALSE;
  _deca_canvas_select_connection (self, NULL);
  _deca_canvas_clear_selection (self);
  _deca_canvas_selection_changed (self);
  return TRUE;
}

static void
bind_action (GtkWidgetClass  *widget_class,
             guint            keyval,
             GdkModifierType  mods,
             const char      *action)
{
  gtk_widget_class_add_binding (widget_class, keyval, mods, action_key_cb, "s", action);
}

static void
bind_move (GtkWidgetClass *widget_class,
           guint           keyval,
           int             dx,
           int             dy)
{
  gtk_widget_class_add_binding (widget_class, keyval, 0, move_key_cb, "(iii)", dx, dy, 1);
  gtk_widget_class_add_binding (widget_class, keyval, GDK_SHIFT_MASK, move_key_cb, "(iii)",
                                dx, dy, DECA_CANVAS_BIG_STEPS);
}

void
_deca_canvas_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "canvas.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-reset", NULL, zoom_reset_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-fit", NULL, zoom_fit_action);
  gtk_widget_class_install_action (widget_class, "canvas.zoom-selection", NULL,
                                   zoom_selection_action);
  gtk_widget_class_install_action (widget_class, "canvas.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "canvas.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "canvas.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "canvas.cut", NULL, cut_action);
  gtk_widget_class_install_action (widget_class, "canvas.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "canvas.duplicate", NULL, duplicate_action);
  gtk_widget_class_install_action (widget_class, "canvas.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "canvas.redo", NULL, redo_action);
  gtk_widget_class_install_action (widget_class, "canvas.layout", NULL, layout_action);
  gtk_widget_class_install_action (widget_class, "canvas.connect-start", NULL,
                                   connect_start_action);
  gtk_widget_class_install_action (widget_class, "canvas.activate", NULL, activate_action);

  bind_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "canvas.zoom-in");
  bind_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "canvas.zoom-in");
  bind_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "canvas.zoom-in");
  bind_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "canvas.zoom-in");
  bind_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "canvas.zoom-out");
  bind_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "canvas.zoom-out");
  bind_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "canvas.zoom-reset");
  bind_action (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, "canvas.zoom-reset");
  bind_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "canvas.zoom-fit");
  bind_action (widget_class, GDK_KEY_f, 0, "canvas.zoom-fit");
  bind_action (widget_class, GDK_KEY_2, GDK_CONTROL_MASK, "canvas.zoom-selection");
  bind_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK, "canvas.select-all");
  bind_action (widget_class, GDK_KEY_Delete, 0, "canvas.delete");
  bind_action (widget_class, GDK_KEY_KP_Delete, 0, "canvas.delete");
  bind_action (widget_class, GDK_KEY_BackSpace, 0, "canvas.delete");
  bind_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "canvas.copy");
  bind_action (widget_class, GDK_KEY_x, GDK_CONTROL_MASK, "canvas.cut");
  bind_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "canvas.paste");
  bind_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "canvas.duplicate");
  bind_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "canvas.undo");
  bind_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "canvas.redo");
  bind_action (widget_class, GDK_KEY_Z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "canvas.redo");
  bind_action (widget_class, GDK_KEY_y, GDK_CONTROL_MASK, "canvas.redo");
  bind_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "canvas.layout");
  bind_action (widget_class, GDK_KEY_L, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "canvas.layout");
  bind_action (widget_class, GDK_KEY_c, 0, "canvas.connect-start");
  bind_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "canvas.connect-start");
  bind_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "canvas.connect-start");
  bind_action (widget_class, GDK_KEY_Return, 0, "canvas.activate");
  bind_action (widget_class, GDK_KEY_KP_Enter, 0, "canvas.activate");

  bind_move (widget_class, GDK_KEY_Left, -1, 0);
  bind_move (widget_class, GDK_KEY_Right, 1, 0);
  bind_move (widget_class, GDK_KEY_Up, 0, -1);
  bind_move (widget_class, GDK_KEY_Down, 0, 1);
  bind_move (widget_class, GDK_KEY_KP_Left, -1, 0);
  bind_move (widget_class, GDK_KEY_KP_Right, 1, 0);
  bind_move (widget_class, GDK_KEY_KP_Up, 0, -1);
  bind_move (widget_class, GDK_KEY_KP_Down, 0, 1);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, escape_key_cb, NULL);
}
