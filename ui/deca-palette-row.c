/* deca-palette-row.c: one node type of the palette, and the drag source of that type. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-palette.h"
#include "deca-palette-row.h"

struct _DecaPaletteRow
{
  GtkListBoxRow parent_instance;

  /* Template widgets. */
  GtkImage *icon;
  GtkLabel *title_label;
  GtkLabel *description_label;

  /* Owned. */
  DecaNodeType  *type;
  GtkDragSource *drag_source;
  double drag_x;
  double drag_y;
};

G_DEFINE_FINAL_TYPE (DecaPaletteRow, deca_palette_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_NODE_TYPE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Remembers where the press was, so that the drag icon hangs from the pointer at the
 * point of the row the person grabbed. The content is fixed: the row's type. */
static GdkContentProvider *
drag_prepare_cb (GtkDragSource  *source,
                 double          x,
                 double          y,
                 DecaPaletteRow *self)
{
  GdkContentProvider *content = gtk_drag_source_get_content (source);

  self->drag_x = x;
  self->drag_y = y;
  return content != NULL ? g_object_ref (content) : NULL;
}

/* The drag icon is the row as it is drawn (icon, title, description). */
static void
drag_begin_cb (GtkDragSource  *source,
               GdkDrag        *drag,
               DecaPaletteRow *self)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (self));

  gtk_drag_source_set_icon (source, paintable, (int) self->drag_x, (int) self->drag_y);
}

static void
deca_palette_row_constructed (GObject *object)
{
  DecaPaletteRow *self = DECA_PALETTE_ROW (object);
  g_autoptr(GdkContentProvider) content = NULL;
  g_autofree char *accessible_name = NULL;
  const char *title, *description;

  G_OBJECT_CLASS (deca_palette_row_parent_class)->constructed (object);

  g_assert (DECA_IS_NODE_TYPE (self->type));

  title = deca_node_type_get_title (self->type);
  description = deca_node_type_get_description (self->type);
  if (title == NULL || *title == '\0')
    title = deca_node_type_get_name (self->type);
  if (description == NULL)
    description = "";

  gtk_image_set_from_icon_name (self->icon, deca_node_type_icon_name (self->type));
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->description_label, description);
  if (*description != '\0')
    gtk_widget_set_tooltip_text (GTK_WIDGET (self), description);

  /* TRANSLATORS: the accessible name of a row of the node palette: the node type's
   * title, then its palette group ("HTTP request, Integrations"). */
  accessible_name = g_strdup_printf (C_("palette row", "%s, %s"), title,
                                     deca_palette_group_for_type (self->type));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);

  content = gdk_content_provider_new_typed (DECA_TYPE_NODE_TYPE, self->type);
  gtk_drag_source_set_content (self->drag_source, content);
}

static void
deca_palette_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  DecaPaletteRow *self = DECA_PALETTE_ROW (object);

  switch (prop_id)
    {
    case PROP_NODE_TYPE:
      g_value_set_object (value, self->type);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_palette_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  DecaPaletteRow *self = DECA_PALETTE_ROW (object);

  switch (prop_id)
    {
    case PROP_NODE_TYPE:
      g_set_object (&self->type, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_palette_row_dispose (GObject *object)
{
  DecaPaletteRow *self = DECA_PALETTE_ROW (object);

  /* The content provider holds the type too; drop it with the row. */
  if (self->drag_source != NULL)
    gtk_drag_source_set_content (self->drag_source, NULL);
  self->drag_source = NULL;
  g_clear_object (&self->type);

  G_OBJECT_CLASS (deca_palette_row_parent_class)->dispose (object);
}

static void
deca_palette_row_class_init (DecaPaletteRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = deca_palette_row_constructed;
  object_class->get_property = deca_palette_row_get_property;
  object_class->set_property = deca_palette_row_set_property;
  object_class->dispose = deca_palette_row_dispose;

  properties[PROP_NODE_TYPE] =
    g_param_spec_object ("node-type", NULL, NULL,
                         DECA_TYPE_NODE_TYPE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-palette-row.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaPaletteRow, icon);
  gtk_widget_class_bind_template_child (widget_class, DecaPaletteRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, DecaPaletteRow, description_label);
}

static void
deca_palette_row_init (DecaPaletteRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "deca-palette-row");

  /* The widget owns its controllers; the pointer is borrowed. */
  self->drag_source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (self->drag_source, GDK_ACTION_COPY);
  g_signal_connect (self->drag_source, "prepare", G_CALLBACK (drag_prepare_cb), self);
  g_signal_connect (self->drag_source, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drag_source));
}

GtkWidget *
deca_palette_row_new (DecaNodeType *type)
{
  g_return_val_if_fail (DECA_IS_NODE_TYPE (type), NULL);

  return g_object_new (DECA_TYPE_PALETTE_ROW, "node-type", type, NULL);
}

DecaNodeType *
deca_palette_row_get_node_type (DecaPaletteRow *self)
{
  g_return_val_if_fail (DECA_IS_PALETTE_ROW (self), NULL);

  return self->type;
}

GtkDragSource *
deca_palette_row_get_drag_source (DecaPaletteRow *self)
{
  g_return_val_if_fail (DECA_IS_PALETTE_ROW (self), NULL);

  return self->drag_source;
}
