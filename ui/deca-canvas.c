/* deca-canvas.c: minimal canvas until the real one lands. */
#include "config.h"

#include "deca-canvas.h"

struct _DecaCanvas
{
  GtkWidget parent_instance;
  DecaFlowDocument *document;
  double zoom;
  double offset_x, offset_y;
  gboolean snap_to_grid;
  gboolean show_minimap;
};

G_DEFINE_FINAL_TYPE (DecaCanvas, deca_canvas, GTK_TYPE_WIDGET)

static void
deca_canvas_dispose (GObject *object)
{
  DecaCanvas *self = DECA_CANVAS (object);
  g_clear_object (&self->document);
  G_OBJECT_CLASS (deca_canvas_parent_class)->dispose (object);
}

static void
deca_canvas_class_init (DecaCanvasClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = deca_canvas_dispose;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "decacanvas");
}

static void
deca_canvas_init (DecaCanvas *self)
{
  self->zoom = 1.0;
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *deca_canvas_new (void) { return g_object_new (DECA_TYPE_CANVAS, NULL); }
DecaFlowDocument *deca_canvas_get_document (DecaCanvas *self) { return self->document; }
void deca_canvas_set_document (DecaCanvas *self, DecaFlowDocument *document)
{ g_set_object (&self->document, document); gtk_widget_queue_draw (GTK_WIDGET (self)); }
GStrv deca_canvas_dup_selection (DecaCanvas *self) { return g_new0 (char *, 1); }
void deca_canvas_set_selection (DecaCanvas *self, const char * const *ids) {}
DecaFlowConnectionItem *deca_canvas_get_selected_connection (DecaCanvas *self) { return NULL; }
DecaFlowNodeItem *deca_canvas_add_node_at_center (DecaCanvas *self, const char *type, GError **error)
{ return deca_flow_document_add_node (self->document, type, 0, 0, error); }
double deca_canvas_get_zoom (DecaCanvas *self) { return self->zoom; }
void deca_canvas_set_zoom (DecaCanvas *self, double zoom) { self->zoom = zoom; }
void deca_canvas_get_offset (DecaCanvas *self, double *x, double *y) { *x = self->offset_x; *y = self->offset_y; }
void deca_canvas_set_view (DecaCanvas *self, double ox, double oy, double zoom) { self->offset_x = ox; self->offset_y = oy; self->zoom = zoom; }
void deca_canvas_zoom_to_fit (DecaCanvas *self) {}
void deca_canvas_zoom_to_selection (DecaCanvas *self) {}
void deca_canvas_widget_to_canvas (DecaCanvas *self, double wx, double wy, double *cx, double *cy) { *cx = wx; *cy = wy; }
void deca_canvas_canvas_to_widget (DecaCanvas *self, double cx, double cy, double *wx, double *wy) { *wx = cx; *wy = cy; }
gboolean deca_canvas_get_snap_to_grid (DecaCanvas *self) { return self->snap_to_grid; }
void deca_canvas_set_snap_to_grid (DecaCanvas *self, gboolean snap) { self->snap_to_grid = snap; }
gboolean deca_canvas_get_show_minimap (DecaCanvas *self) { return self->show_minimap; }
void deca_canvas_set_show_minimap (DecaCanvas *self, gboolean show) { self->show_minimap = show; }
