/* deca-node-view.c: one node of the canvas, drawn as a card with its ports. */

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include <adwaita.h>

#include "deca-node-view.h"
#include "deca-ui.h"
#include "deca-palette.h"

struct _DecaNodeView
{
  GtkWidget parent_instance;

  /* owned */
  DecaFlowNodeItem *item;
  DecaNodeRegistry *registry;
  GStrv ports;
  char *default_port;
  char *type_title;
  char *category_class;
  char *icon_name;
  char *problems_text;   /* the badge's tooltip; NULL without problems */
  char *connect_port;    /* the highlighted port of a keyboard connection, or NULL */
  char *connect_status;  /* what that connection connects, for screen readers */
  guint n_problems;
  gulong notify_id;

  gboolean has_input;
  gboolean unknown_type;
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

char *
deca_node_view_dup_accessible_description (DecaNodeView *self)
{
  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), NULL);

  if (self->connect_status && self->problems_text)
    return g_strconcat (self->connect_status, "\n", self->problems_text, NULL);
  return g_strdup (self->connect_status ? self->connect_status : self->problems_text);
}

static void
update_description (DecaNodeView *self)
{
  g_autofree char *text = deca_node_view_dup_accessible_description (self);

  if (text)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                    -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
update_problems (DecaNodeView *self)
{
  GPtrArray *problems = deca_flow_node_item_get_problems (self->item);

  g_clear_pointer (&self->problems_text, g_free);
  self->n_problems = problems->len;
  if (problems->len > 0)
    {
      GString *tooltip = g_string_new (NULL);

      for (guint i = 0; i < problems->len; i++)
        {
          DecaValidationProblem *problem = g_ptr_array_index (problems, i);

          if (i > 0)
            g_string_append_c (tooltip, '\n');
          g_string_append (tooltip, problem->message);
        }
      self->problems_text = g_string_free (tooltip, FALSE);
      gtk_widget_add_css_class (GTK_WIDGET (self), "problem");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "problem");
  update_description (self);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), problems->len > 0);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
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
  /* The labels sit left of the ports' circles. */
  return MIN (widest + DECA_NODE_VIEW_PORT_RADIUS + 8, DECA_NODE_VIEW_WIDTH / 2);
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
      g_free (self->icon_name);
      self->icon_name = g_strdup (deca_node_type_icon_name (type));
      category_class = g_strconcat ("category-", deca_node_type_get_category (type), NULL);
      gtk_widget_remove_css_class (GTK_WIDGET (self), "unknown-type");
      self->unknown_type = FALSE;
    }
  else
    {
      /* An unknown type still shows as a card, so the problem it causes can be fixed. */
      self->ports = g_strdupv ((char *[]) { DECA_NODE_PORT_MAIN, NULL });
      self->default_port = g_strdup (DECA_NODE_PORT_MAIN);
      self->type_title = g_strdup (type_name);
      self->has_input = TRUE;
      g_free (self->icon_name);
      self->icon_name = g_strdup ("dialog-question-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self), "unknown-type");
      self->unknown_type = TRUE;
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

  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
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
      update_accessible (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
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

/* The card's layout, in card units: a header line with the icon, the title and the
 * problem badge, the type's title below, the output ports' names on the right edge. */
#define PADDING_X 12
#define PADDING_Y 12
#define ICON_SIZE 16
#define LINE_GAP 2

static PangoLayout *
title_layout (DecaNodeView *self,
              int           width)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                        deca_flow_node_item_get_id (self->item));
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_width (layout, MAX (width, 1) * PANGO_SCALE);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  return layout;
}

static PangoLayout *
small_layout (DecaNodeView *self,
              const char   *text,
              int           width)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  if (width > 0)
    {
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_width (layout, width * PANGO_SCALE);
    }
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  return layout;
}

static int
content_height (DecaNodeView *self)
{
  g_autoptr(PangoLayout) title = title_layout (self, DECA_NODE_VIEW_WIDTH);
  g_autoptr(PangoLayout) type = small_layout (self, self->type_title, DECA_NODE_VIEW_WIDTH);
  int tw, th, yw, yh;

  pango_layout_get_pixel_size (title, &tw, &th);
  pango_layout_get_pixel_size (type, &yw, &yh);
  return 2 * PADDING_Y + MAX (th, ICON_SIZE) + LINE_GAP + yh;
}

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
    /* Every card has the same width: the layout and the grid count on it. */
    *minimum = *natural = DECA_NODE_VIEW_WIDTH;
  else
    *minimum = *natural = MAX (content_height (self), (int) card_height_for_ports (self));
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
}

static void
badge_rect (DecaNodeView    *self,
            PangoLayout     *count,
            graphene_rect_t *rect)
{
  int w, h;

  pango_layout_get_pixel_size (count, &w, &h);
  graphene_rect_init (rect, self->width - PADDING_X - port_labels_width (self) - MAX (w + 8, h),
                      PADDING_Y, MAX (w + 8, h), h);
}

static gboolean
deca_node_view_query_tooltip (GtkWidget  *widget,
                              int         x,
                              int         y,
                              gboolean    keyboard,
                              GtkTooltip *tooltip)
{
  DecaNodeView *self = DECA_NODE_VIEW (widget);
  g_autofree char *count = NULL;
  g_autoptr(PangoLayout) layout = NULL;
  graphene_rect_t rect;

  if (!self->problems_text)
    return FALSE;
  count = g_strdup_printf ("%u", self->n_problems);
  layout = small_layout (self, count, -1);
  badge_rect (self, layout, &rect);
  graphene_rect_inset (&rect, -4, -4);
  /* The badge says how many; its tooltip says what. From the keyboard, the card's. */
  if (!keyboard && !graphene_rect_contains_point (&rect, &GRAPHENE_POINT_INIT (x, y)))
    return FALSE;
  gtk_tooltip_set_text (tooltip, self->problems_text);
  return TRUE;
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

/* The icon's colour says the category, as in the palette; lighter in the dark style. */
static const char *
category_color_name (DecaNodeView *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  if (g_strcmp0 (self->category_class, "category-trigger") == 0)
    return dark ? "purple_1" : "purple_3";
  if (g_strcmp0 (self->category_class, "category-flow") == 0)
    return dark ? "orange_1" : "orange_3";
  if (g_strcmp0 (self->category_class, "category-integration") == 0)
    return dark ? "blue_1" : "blue_3";
  if (g_strcmp0 (self->category_class, "category-core") == 0)
    return dark ? "green_1" : "green_4";
  return "window_fg_color";
}

static void
snapshot_content (DecaNodeView *self,
                  GtkSnapshot  *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int right = port_labels_width (self);
  int text_x = PADDING_X + ICON_SIZE + 6;
  int text_width = self->width - text_x - PADDING_X - right;
  g_autoptr(PangoLayout) title = NULL;
  g_autoptr(PangoLayout) type = NULL;
  g_autoptr(GtkIconPaintable) icon = NULL;
  GdkRGBA color, dim, icon_color, error_bg, error_fg;
  int tw, th, yw, yh, top;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  dim = color;
  dim.alpha *= 0.55;

  if (self->n_problems > 0)
    {
      g_autofree char *count = g_strdup_printf ("%u", self->n_problems);
      g_autoptr(PangoLayout) badge = small_layout (self, count, -1);
      graphene_rect_t rect;
      GskRoundedRect pill;
      int w, h;

      deca_ui_lookup_color (widget, "error_bg_color", &error_bg, "#e01b24");
      deca_ui_lookup_color (widget, "error_fg_color", &error_fg, "#ffffff");
      badge_rect (self, badge, &rect);
      pango_layout_get_pixel_size (badge, &w, &h);
      gsk_rounded_rect_init_from_rect (&pill, &rect, rect.size.height / 2);
      gtk_snapshot_push_rounded_clip (snapshot, &pill);
      gtk_snapshot_append_color (snapshot, &error_bg, &rect);
      gtk_snapshot_pop (snapshot);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (rect.origin.x + (rect.size.width - w) / 2,
                                                    rect.origin.y));
      gtk_snapshot_append_layout (snapshot, badge, &error_fg);
      gtk_snapshot_restore (snapshot);
      text_width -= rect.size.width + 4;
    }

  title = title_layout (self, text_width);
  type = small_layout (self, self->type_title, self->width - 2 * PADDING_X - right);
  pango_layout_get_pixel_size (title, &tw, &th);
  pango_layout_get_pixel_size (type, &yw, &yh);
  top = (self->height - (MAX (th, ICON_SIZE) + LINE_GAP + yh)) / 2;

  if (self->icon_name)
    {
      GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));

      icon = gtk_icon_theme_lookup_icon (theme, self->icon_name, NULL, ICON_SIZE,
                                         gtk_widget_get_scale_factor (widget),
                                         gtk_widget_get_direction (widget), 0);
      deca_ui_lookup_color (widget, category_color_name (self), &icon_color, "#2ec27e");
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (PADDING_X,
                                                    top + (MAX (th, ICON_SIZE) - ICON_SIZE) / 2.0));
      gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (icon), snapshot,
                                                ICON_SIZE, ICON_SIZE,
                                                (GdkRGBA[]) { icon_color, color, color, color },
                                                4);
      gtk_snapshot_restore (snapshot);
    }

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (text_x, top + (MAX (th, ICON_SIZE) - th) / 2.0));
  gtk_snapshot_append_layout (snapshot, title, &color);
  gtk_snapshot_restore (snapshot);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (PADDING_X, top + MAX (th, ICON_SIZE) + LINE_GAP));
  gtk_snapshot_append_layout (snapshot, type, self->unknown_type ? &error_bg : &dim);
  gtk_snapshot_restore (snapshot);
}

/* A port's circle: the highlighted one (a keyboard connection leaves from it) filled
 * with the accent colour and a little larger, so that it shows at any zoom. */
static void
append_port (DecaNodeView  *self,
             GtkSnapshot   *snapshot,
             const char    *port,
             double         radius,
             const GdkRGBA *fill,
             const GdkRGBA *ring)
{
  double x, y, dx, dy;

  deca_node_view_get_port_point (self, port, &x, &y, &dx, &dy);
  if (port && g_strcmp0 (port, self->connect_port) == 0)
    {
      GdkRGBA accent;

      deca_ui_lookup_color (GTK_WIDGET (self), "accent_bg_color", &accent, "#3584e4");
      append_circle (snapshot, x, y, DECA_NODE_VIEW_PORT_RADIUS + 2, &accent, &accent);
      return;
    }
  append_circle (snapshot, x, y, radius, fill, ring);
}

static void
deca_node_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  DecaNodeView *self = DECA_NODE_VIEW (widget);
  GdkRGBA fg, card, error;
  double x, y, dx, dy;
  guint n = n_output_ports (self);

  deca_ui_lookup_color (widget, "window_fg_color", &fg, "#303030");
  snapshot_content (self, snapshot);
  deca_ui_lookup_color (widget, "card_bg_color", &card, "#ffffff");
  deca_ui_lookup_color (widget, "error_color", &error, "#c01c28");
  if (card.alpha < 1)
    {
      /* The card colour is translucent in libadwaita; ports must hide the curve's end. */
      GdkRGBA view;

      deca_ui_lookup_color (widget, "view_bg_color", &view, "#ffffff");
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
      append_port (self, snapshot, self->ports[i], DECA_NODE_VIEW_PORT_RADIUS, &card, &fg);
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
  error.alpha *= 0.8;
  append_port (self, snapshot, DECA_NODE_PORT_ERROR, DECA_NODE_VIEW_PORT_RADIUS - 2, &card,
               &error);
}

/* ---- GObject -------------------------------------------------------------------------- */

static void
deca_node_view_dispose (GObject *object)
{
  DecaNodeView *self = DECA_NODE_VIEW (object);

  if (self->item)
    g_clear_signal_handler (&self->notify_id, self->item);
  deca_node_view_drop_texture (self);
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
  g_free (self->icon_name);
  g_free (self->problems_text);
  g_free (self->connect_port);
  g_free (self->connect_status);

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
  widget_class->query_tooltip = deca_node_view_query_tooltip;

  /**
   * DecaNodeView::moved:
   *
   * The item's position changed; the canvas places the card again.
   */
  signals[SIGNAL_MOVED] = g_signal_new ("moved", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "decanodeview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);
}

static void
deca_node_view_init (DecaNodeView *self)
{
  /* One widget per card, drawn by hand: a flow of a thousand nodes is a thousand
   * widgets, not seven thousand. */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_VISIBLE);
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

void
deca_node_view_set_connect_port (DecaNodeView *self,
                                 const char   *port,
                                 const char   *status)
{
  g_return_if_fail (DECA_IS_NODE_VIEW (self));

  if (g_strcmp0 (port, self->connect_port) != 0)
    {
      g_free (self->connect_port);
      self->connect_port = g_strdup (port);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  if (g_strcmp0 (status, self->connect_status) != 0)
    {
      g_free (self->connect_status);
      self->connect_status = g_strdup (status);
      update_description (self);
    }
}

const char *
deca_node_view_get_connect_port (DecaNodeView *self)
{
  g_return_val_if_fail (DECA_IS_NODE_VIEW (self), NULL);

  return self->connect_port;
}
