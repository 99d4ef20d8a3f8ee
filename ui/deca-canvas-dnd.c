/* deca-canvas-dnd.c: node types dropped from the palette become nodes. */

#include "config.h"

#include "deca-canvas-private.h"

static gboolean
drop_cb (DecaCanvas    *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  g_autoptr(GError) error = NULL;
  DecaNodeType *type;
  double cx, cy;

  if (!G_VALUE_HOLDS (value, DECA_TYPE_NODE_TYPE) || !self->document)
    return FALSE;
  type = g_value_get_object (value);
  if (!type)
    return FALSE;

  /* The card's top-left corner goes where the pointer would hold it: its middle. */
  deca_canvas_widget_to_canvas (self, x, y, &cx, &cy);
  if (!deca_canvas_add_node_at (self, deca_node_type_get_name (type),
                                cx - DECA_NODE_VIEW_WIDTH / 2.0,
                                cy - DECA_NODE_VIEW_MIN_HEIGHT / 2.0, &error))
    {
      _deca_canvas_show_refusal (self, error->message, x, y);
      return FALSE;
    }
  gtk_widget_grab_focus (GTK_WIDGET (self));
  return TRUE;
}

void
_deca_canvas_init_dnd (DecaCanvas *self)
{
  GtkDropTarget *target = gtk_drop_target_new (DECA_TYPE_NODE_TYPE, GDK_ACTION_COPY);

  g_signal_connect_swapped (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}
