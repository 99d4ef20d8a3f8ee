/* deca-node-view.c: one node of the canvas, drawn as a card with its ports. */

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "deca-node-view.h"
#include "deca-palette.h"

struct _DecaNodeView
{
  GtkWidget parent_instance;

  /* template widgets */
  GtkWidget *box;
  GtkImage *icon;
  GtkLabel *title_label;
  GtkLabel *type_label;
  GtkLabel *badge;

  /* owned */
  DecaFlowNodeItem *item;
  DecaNodeRegistry *registry;
  GStrv ports;
  char *default_port;
  char *type_title;
  char *category_class;
  gulong notify_id;

  gboolean has_input;
  gboolean selected;
  gboolean connect_target;
  /* The size measured at the last allocation, for the canvas's geometry. */
  double width;
  double height;
  double x;
  double y;

  /* the drawn card, for the canvas */
  GskRenderNode *image_source;
  cairo_surface_t *image;
  double image_scale;
  GdkTexture *texture;
};

G_DEFINE_FINAL_TYPE (DecaNodeView, deca_node_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_MOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The output ports' vertical spacing when a card has several. */
#define PORT_SPACING 24

static guint
n_output_ports (DecaNodeView *self)
{
  return self->ports ? g_strv_length (self->ports) : 0;
}

static double
card_height_for_ports (DecaNodeView *self)
{
  guint n = n_output_ports (self);

  return MAX (DECA_NODE_VIEW_MIN_HEIGHT, PORT_SPACING * (n + 1));
}

char *
deca_node_view_dup_accessible_name (DecaNodeView *self)
{
  GPtrArray *problems;

  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), NULL);

  problems = deca_flow_node_item_get_problems (self->item);
  if (problems->len == 0)
    /* Translators: a node on the canvas, for screen readers: "<node id>, <type title>". */
    return g_strdup_printf (_("%s, %s"), deca_flow_node_item_get_id (self->item),
                            self->type_title);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %s, %u problem",
                                       "%s, %s, %u problems", problems->len),
                          deca_flow_node_item_get_id (self->item), self->type_title,
                          problems->len);
}

static void
update_accessible (DecaNodeView *self)
{
  g_autofree char *name = deca_node_view_dup_accessible_name (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
}

static void
update_problems (DecaNodeView *self)
{
  GPtrArray *problems = deca_flow_node_item_get_problems (self->item);

  if (problems->len > 0)
    {
      g_autoptr(GString) tooltip = g_string_new (NULL);
      g_autofree char *count = g_strdup_printf ("%u", problems->len);

      for (guint i = 0; i < problems->len; i++)
        {
          DecaValidationProblem *problem = g_ptr_array_index (problems, i);

          if (i > 0)
            g_string_append_c (tooltip, '\n');
          g_string_append (tooltip, problem->message);
        }
      gtk_label_set_text (self->badge, count);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->badge), tooltip->str);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip->str,
                                      -1);
      gtk_widget_add_css_class (GTK_WIDGET (self), "problem");
    }
  else
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->badge), NULL);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_widget_remove_css_class (GTK_WIDGET (self), "problem");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->badge), problems->len > 0);
  update_accessible (self);
}

/* The widest port label, so that the title leaves room for it. */
static int
port_labels_width (DecaNodeView *self)
{
  int widest = 0;

  if (n_output_ports (self) <= 1)
    return 0;
  for (guint i = 0; self->ports[i]; i++)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                                      self->ports[i]);
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      widest = MAX (widest, w);
    }
  return MIN (widest, DECA_NODE_VIEW_WIDTH / 2);
}

/* The type gives the icon, the type's title, the ports and the category's colour; the
 * config can change the ports (a branch's cases), so this runs on both. */
static void
update_type (DecaNodeView *self)
{
  const char *type_name = deca_flow_node_item_get_node_type (self->item);
  DecaNodeType *type = deca_node_registry_lookup (self->registry, type_name);
  g_autofree char *category_class = NULL;

  g_clear_pointer (&self->ports, g_strfreev);
  g_clear_pointer (&self->default_port, g_free);
  g_clear_pointer (&self->type_title, g_free);

  if (type)
    {
      g_autoptr(JsonObject) config = deca_flow_node_item_get_config (self->item);

      self->ports = deca_node_type_list_output_ports (type, config);
      self->default_port = g_strdup (deca_node_type_get_default_port (type));
      self->type_title = g_strdup (deca_node_type_get_title (type));
      self->has_input = deca_node_type_get_kind (type) != DECA_NODE_KIND_TRIGGER;
      gtk_image_set_from_icon_name (self->icon, deca_node_type_icon_name (type));
      category_class = g_strconcat ("category-", deca_node_type_get_category (type), NULL);
      gtk_widget_remove_css_class (GTK_WIDGET (self), "unknown-type");
    }
  else
    {
      /* An unknown type still shows as a card, so the problem it causes can be fixed. */
      self->ports = g_strdupv ((char *[]) { DECA_NODE_PORT_MAIN, NULL });
      self->default_port = g_strdup (DECA_NODE_PORT_MAIN);
      self->type_title = g_strdup (type_name);
      self->has_input = TRUE;
      gtk_image_set_from_icon_name (self->icon, "dialog-question-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self), "unknown-type");
    }
  if (g_strcmp0 (category_class, self->category_class) != 0)
    {
      if (self->category_class)
        gtk_widget_remove_css_class (GTK_WIDGET (self), self->category_class);
      if (category_class)
        gtk_widget_add_css_class (GTK_WIDGET (self), category_class);
      g_free (self->category_class);
      self->category_class = g_steal_pointer (&category_class);
    }

  gtk_label_set_text (self->type_label, self->type_title);
  gtk_widget_set_margin_end (self->box, port_labels_width (self));
  gtk_widget_queue_resize (GTK_WIDGET (self));
  update_accessible (self);
}

static void
item_notify_cb (DecaNodeView *self,
                GParamSpec   *pspec,
                GObject      *item)
{
  const char *name = pspec->name;

  if (g_str_equal (name, "x") || g_str_equal (name, "y"))
    {
      self->x = deca_flow_node_item_get_x (self->item);
      self->y = deca_flow_node_item_get_y (self->item);
      g_signal_emit (self, signals[SIGNAL_MOVED], 0);
    }
  else if (g_str_equal (name, "id"))
    {
      gtk_label_set_text (self->title_label, deca_flow_node_item_get_id (self->item));
      update_accessible (self);
    }
  else if (g_str_equal (name, "node-type") || g_str_equal (name, "config"))
    update_type (self);
  else if (g_str_equal (name, "problems"))
    update_problems (self);
}

/* ---- geometry ------------------------------------------------------------------------- */

void
deca_node_view_get_size (DecaNodeView *self,
                         double       *width,
                         double       *height)
{
  g_return_if_fail (DECA_IS_NODE_VIEW (self));

  if (self->width <= 0)
    {
      /* Not allocated yet: what the canvas will give it. */
      int min_height, nat_height;

      gtk_widget_measure (GTK_WIDGET (self), GTK_ORIENTATION_VERTICAL, DECA_NODE_VIEW_WIDTH,
                          &min_height, &nat_height, NULL, NULL);
      self->width = DECA_NODE_VIEW_WIDTH;
      self->height = nat_height;
    }
  *width = self->width;
  *height = self->height;
}

void
deca_node_view_get_position (DecaNodeView *self,
                             double       *x,
                             double       *y)
{
  g_return_if_fail (DECA_IS_NODE_VIEW (self));

  *x = self->x;
  *y = self->y;
}

cairo_surface_t *
deca_node_view_get_image (DecaNodeView  *self,
                          GskRenderNode *source,
                          double         scale)
{
  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), NULL);

  if (self->image && self->image_source == source && self->image_scale == scale)
    return self->image;
  return NULL;
}

void
deca_node_view_set_image (DecaNodeView    *self,
                          GskRenderNode   *source,
                          double           scale,
                          cairo_surface_t *image)
{
  g_return_if_fail (DECA_IS_NODE_VIEW (self));

  deca_node_view_drop_texture (self);
  self->image = image ? cairo_surface_reference (image) : NULL;
  self->image_source = source ? gsk_render_node_ref (source) : NULL;
  self->image_scale = scale;
}

GdkTexture *
deca_node_view_get_texture (DecaNodeView *self)
{
  g_autoptr(GBytes) bytes = NULL;
  int height, stride;

  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), NULL);

  if (self->texture || !self->image)
    return self->texture;
  /* Cairo's ARGB32 is GDK's default memory format. */
  cairo_surface_flush (self->image);
  height = cairo_image_surface_get_height (self->image);
  stride = cairo_image_surface_get_stride (self->image);
  bytes = g_bytes_new (cairo_image_surface_get_data (self->image), (gsize) height * stride);
  self->texture = gdk_memory_texture_new (cairo_image_surface_get_width (self->image), height,
                                          GDK_MEMORY_DEFAULT, bytes, stride);
  return self->texture;
}

void
deca_node_view_drop_texture (DecaNodeView *self)
{
  g_return_if_fail (DECA_IS_NODE_VIEW (self));

  g_clear_object (&self->texture);
  g_clear_pointer (&self->image, cairo_surface_destroy);
  g_clear_pointer (&self->image_source, gsk_render_node_unref);
}

gboolean
deca_node_view_has_input (DecaNodeView *self)
{
  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), FALSE);

  return self->has_input;
}

const char * const *
deca_node_view_get_output_ports (DecaNodeView *self)
{
  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), NULL);

  return (const char * const *) self->ports;
}

const char *
deca_node_view_get_default_port (DecaNodeView *self)
{
  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), NULL);

  return self->default_port;
}

void
deca_node_view_get_port_point (DecaNodeView *self,
                               const char   *port,
                               double       *x,
                               double       *y,
                               double       *dir_x,
                               double       *dir_y)
{
  double width, height;
  guint n, index = 0;

  g_return_if_fail (DECA_IS_NODE_VIEW (self));

  deca_node_view_get_size (self, &width, &height);
  if (port == NULL)
    {
      *x = 0;
      *y = height / 2;
      *dir_x = -1;
      *dir_y = 0;
      return;
    }
  if (g_str_equal (port, DECA_NODE_PORT_ERROR))
    {
      *x = width / 2;
      *y = height;
      *dir_x = 0;
      *dir_y = 1;
      return;
    }

  n = n_output_ports (self);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (self->ports[i], port))
      {
        index = i;
        goto found;
      }
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (self->ports[i], self->default_port) == 0)
      index = i;

found:
  *x = width;
  *y = n <= 1 ? height / 2 : height * (index + 1) / (n + 1);
  *dir_x = 1;
  *dir_y = 0;
}

gboolean
deca_node_view_pick_port (DecaNodeView *self,
                          double        x,
                          double        y,
                          double        tolerance,
                          const char  **port)
{
  double px, py, dx, dy;
  double best = tolerance * tolerance;
  gboolean found = FALSE;

  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), FALSE);

  for (guint i = 0; self->ports && self->ports[i]; i++)
    {
      deca_node_view_get_port_point (self, self->ports[i], &px, &py, &dx, &dy);
      if ((px - x) * (px - x) + (py - y) * (py - y) <= best)
        {
          best = (px - x) * (px - x) + (py - y) * (py - y);
          *port = self->ports[i];
          found = TRUE;
        }
    }
  deca_node_view_get_port_point (self, DECA_NODE_PORT_ERROR, &px, &py, &dx, &dy);
  if ((px - x) * (px - x) + (py - y) * (py - y) <= best)
    {
      best = (px - x) * (px - x) + (py - y) * (py - y);
      *port = DECA_NODE_PORT_ERROR;
      found = TRUE;
    }
  if (self->has_input)
    {
      deca_node_view_get_port_point (self, NULL, &px, &py, &dx, &dy);
      if ((px - x) * (px - x) + (py - y) * (py - y) <= best)
        {
          *port = NULL;
          found = TRUE;
        }
    }
  return found;
}

/* ---- GtkWidget ------------------------------------------------------------------------ */

static void
deca_node_view_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  DecaNodeView *self = DECA_NODE_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Every card has the same width: the layout and the grid count on it. */
      *minimum = *natural = DECA_NODE_VIEW_WIDTH;
    }
  else
    {
      int box_min, box_nat;

      gtk_widget_measure (self->box, GTK_ORIENTATION_VERTICAL, DECA_NODE_VIEW_WIDTH,
                          &box_min, &box_nat, NULL, NULL);
      *minimum = *natural = MAX (box_nat, (int) card_height_for_ports (self));
    }
}

static void
deca_node_view_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  DecaNodeView *self = DECA_NODE_VIEW (widget);

  self->width = width;
  self->height = height;
  gtk_widget_allocate (self->box, width, height, -1, NULL);
}

static void
append_circle (GtkSnapshot   *snapshot,
               double         x,
               double         y,
               double         radius,
               const GdkRGBA *fill,
               const GdkRGBA *ring)
{
  GskRoundedRect circle;
  float widths[4] = { 2, 2, 2, 2 };
  GdkRGBA rings[4] = { *ring, *ring, *ring, *ring };

  gsk_rounded_rect_init_from_rect (&circle,
                                   &GRAPHENE_RECT_INIT (x - radius, y - radius,
                                                        2 * radius, 2 * radius),
                                   radius);
  gtk_snapshot_push_rounded_clip (snapshot, &circle);
  gtk_snapshot_append_color (snapshot, fill, &circle.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_append_border (snapshot, &circle, widths, rings);
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *color,
              const char *fallback)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color))
    gdk_rgba_parse (color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
deca_node_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  DecaNodeView *self = DECA_NODE_VIEW (widget);
  GdkRGBA fg, card, error;
  double x, y, dx, dy;
  guint n = n_output_ports (self);

  gtk_widget_snapshot_child (widget, self->box, snapshot);

  lookup_color (widget, "window_fg_color", &fg, "#303030");
  lookup_color (widget, "card_bg_color", &card, "#ffffff");
  lookup_color (widget, "error_color", &error, "#c01c28");
  if (card.alpha < 1)
    {
      /* The card colour is translucent in libadwaita; ports must hide the curve's end. */
      GdkRGBA view;

      lookup_color (widget, "view_bg_color", &view, "#ffffff");
      card.red = card.red * card.alpha + view.red * (1 - card.alpha);
      card.green = card.green * card.alpha + view.green * (1 - card.alpha);
      card.blue = card.blue * card.alpha + view.blue * (1 - card.alpha);
      card.alpha = 1;
    }
  fg.alpha *= 0.6;

  if (self->has_input)
    {
      deca_node_view_get_port_point (self, NULL, &x, &y, &dx, &dy);
      append_circle (snapshot, x, y, DECA_NODE_VIEW_PORT_RADIUS, &card, &fg);
    }
  for (guint i = 0; i < n; i++)
    {
      deca_node_view_get_port_point (self, self->ports[i], &x, &y, &dx, &dy);
      append_circle (snapshot, x, y, DECA_NODE_VIEW_PORT_RADIUS, &card, &fg);
      if (n > 1)
        {
          g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget,
                                                                          self->ports[i]);
          int w, h;
          GdkRGBA text = fg;

          pango_layout_get_pixel_size (layout, &w, &h);
          text.alpha = 0.8;
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot,
                                  &GRAPHENE_POINT_INIT (x - DECA_NODE_VIEW_PORT_RADIUS - 4 - w,
                                                        y - h / 2.0));
          gtk_snapshot_append_layout (snapshot, layout, &text);
          gtk_snapshot_restore (snapshot);
        }
    }
  deca_node_view_get_port_point (self, DECA_NODE_PORT_ERROR, &x, &y, &dx, &dy);
  error.alpha *= 0.8;
  append_circle (snapshot, x, y, DECA_NODE_VIEW_PORT_RADIUS - 2, &card, &error);
}

/* ---- GObject -------------------------------------------------------------------------- */

static void
deca_node_view_dispose (GObject *object)
{
  DecaNodeView *self = DECA_NODE_VIEW (object);

  if (self->item)
    g_clear_signal_handler (&self->notify_id, self->item);
  deca_node_view_drop_texture (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_NODE_VIEW);
  g_clear_object (&self->item);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (deca_node_view_parent_class)->dispose (object);
}

static void
deca_node_view_finalize (GObject *object)
{
  DecaNodeView *self = DECA_NODE_VIEW (object);

  g_strfreev (self->ports);
  g_free (self->default_port);
  g_free (self->type_title);
  g_free (self->category_class);

  G_OBJECT_CLASS (deca_node_view_parent_class)->finalize (object);
}

static void
deca_node_view_class_init (DecaNodeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = deca_node_view_dispose;
  object_class->finalize = deca_node_view_finalize;

  widget_class->measure = deca_node_view_measure;
  widget_class->size_allocate = deca_node_view_size_allocate;
  widget_class->snapshot = deca_node_view_snapshot;

  /**
   * DecaNodeView::moved:
   *
   * The item's position changed; the canvas places the card again.
   */
  signals[SIGNAL_MOVED] = g_signal_new ("moved", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-node-view.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaNodeView, box);
  gtk_widget_class_bind_template_child (widget_class, DecaNodeView, icon);
  gtk_widget_class_bind_template_child (widget_class, DecaNodeView, title_label);
  gtk_widget_class_bind_template_child (widget_class, DecaNodeView, type_label);
  gtk_widget_class_bind_template_child (widget_class, DecaNodeView, badge);

  gtk_widget_class_set_css_name (widget_class, "decanodeview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);
}

static void
deca_node_view_init (DecaNodeView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
deca_node_view_new (DecaFlowNodeItem *item,
                    DecaNodeRegistry *registry)
{
  DecaNodeView *self;

  g_return_val_if_fail (DECA_IS_FLOW_NODE_ITEM (item), NULL);
  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (registry), NULL);

  self = g_object_new (DECA_TYPE_NODE_VIEW, NULL);
  self->item = g_object_ref (item);
  self->registry = g_object_ref (registry);
  self->notify_id = g_signal_connect_object (item, "notify", G_CALLBACK (item_notify_cb),
                                             self, G_CONNECT_SWAPPED);
  self->x = deca_flow_node_item_get_x (item);
  self->y = deca_flow_node_item_get_y (item);
  gtk_label_set_text (self->title_label, deca_flow_node_item_get_id (item));
  update_type (self);
  update_problems (self);
  return GTK_WIDGET (self);
}

DecaFlowNodeItem *
deca_node_view_get_item (DecaNodeView *self)
{
  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), NULL);

  return self->item;
}

gboolean
deca_node_view_get_selected (DecaNodeView *self)
{
  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), FALSE);

  return self->selected;
}

void
deca_node_view_set_selected (DecaNodeView *self,
                             gboolean      selected)
{
  g_return_if_fail (DECA_IS_NODE_VIEW (self));

  selected = !!selected;
  if (self->selected == selected)
    return;
  self->selected = selected;
  if (selected)
    gtk_widget_add_css_class (GTK_WIDGET (self), "selected");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "selected");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_SELECTED,
                               selected, -1);
}

void
deca_node_view_set_connect_target (DecaNodeView *self,
                                   gboolean      target)
{
  g_return_if_fail (DECA_IS_NODE_VIEW (self));

  target = !!target;
  if (self->connect_target == target)
    return;
  self->connect_target = target;
  if (target)
    gtk_widget_add_css_class (GTK_WIDGET (self), "connect-target");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "connect-target");
}
