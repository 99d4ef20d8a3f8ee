/* deca-palette.c: minimal palette until the real one lands. */
#include "config.h"

#include "deca-palette.h"

struct _DecaPalette
{
  GtkWidget parent_instance;
  DecaNodeRegistry *registry;
};

G_DEFINE_FINAL_TYPE (DecaPalette, deca_palette, GTK_TYPE_WIDGET)

static void
deca_palette_dispose (GObject *object)
{
  DecaPalette *self = DECA_PALETTE (object);
  g_clear_object (&self->registry);
  G_OBJECT_CLASS (deca_palette_parent_class)->dispose (object);
}

static void
deca_palette_class_init (DecaPaletteClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = deca_palette_dispose;
  g_signal_new ("type-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void deca_palette_init (DecaPalette *self) {}

GtkWidget *deca_palette_new (DecaNodeRegistry *registry)
{ DecaPalette *self = g_object_new (DECA_TYPE_PALETTE, NULL); deca_palette_set_registry (self, registry); return GTK_WIDGET (self); }
DecaNodeRegistry *deca_palette_get_registry (DecaPalette *self) { return self->registry; }
void deca_palette_set_registry (DecaPalette *self, DecaNodeRegistry *registry) { g_set_object (&self->registry, registry); }
void deca_palette_set_search (DecaPalette *self, const char *text) {}
void deca_palette_focus_search (DecaPalette *self) {}
const char *deca_palette_group_for_type (DecaNodeType *type) { return "Core"; }
const char *deca_node_type_icon_name (DecaNodeType *type) { return "application-x-executable-symbolic"; }
