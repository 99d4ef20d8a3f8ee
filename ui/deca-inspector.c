/* deca-inspector.c: minimal inspector until the real one lands. */
#include "config.h"

#include "deca-inspector.h"

struct _DecaInspector
{
  GtkWidget parent_instance;
  DecaFlowDocument *document;
  char *node_id;
};

G_DEFINE_FINAL_TYPE (DecaInspector, deca_inspector, GTK_TYPE_WIDGET)

static void
deca_inspector_dispose (GObject *object)
{
  DecaInspector *self = DECA_INSPECTOR (object);
  g_clear_object (&self->document);
  g_clear_pointer (&self->node_id, g_free);
  G_OBJECT_CLASS (deca_inspector_parent_class)->dispose (object);
}

static void deca_inspector_class_init (DecaInspectorClass *klass) { G_OBJECT_CLASS (klass)->dispose = deca_inspector_dispose; }
static void deca_inspector_init (DecaInspector *self) {}
GtkWidget *deca_inspector_new (void) { return g_object_new (DECA_TYPE_INSPECTOR, NULL); }
DecaFlowDocument *deca_inspector_get_document (DecaInspector *self) { return self->document; }
void deca_inspector_set_document (DecaInspector *self, DecaFlowDocument *document) { g_set_object (&self->document, document); }
const char *deca_inspector_get_node_id (DecaInspector *self) { return self->node_id; }
void deca_inspector_set_node_id (DecaInspector *self, const char *node_id) { g_free (self->node_id); self->node_id = g_strdup (node_id); }
void deca_inspector_set_connection (DecaInspector *self, DecaFlowConnectionItem *connection) {}
