/* deca-ui.c: one-time set-up of libdeca-ui. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gtksourceview/gtksource.h>
#include <gdk/x11/gdkx.h>
#include <cairo-xlib.h>
#include <X11/Xlib.h>
#include <malloc.h>

#include "deca-canvas.h"
#include "deca-flow-list.h"
#include "deca-history-panel.h"
#include "deca-inspector.h"
#include "deca-palette.h"
#include "deca-ui.h"
#include "deca-studio-resources.h"

/* Cairo's X11 backend draws each frame in shared memory taken from a pool, and destroys
 * a pool as soon as nothing in it is in use: after every frame. So each frame mapped a
 * fresh segment and faulted in zeroed pages, about 1,000 faults for a 1280 x 800 frame
 * (a few milliseconds on Xvfb). One image as big as the largest monitor, held for as
 * long as the process runs, keeps a pool alive (cairo sizes a pool at eight times the
 * image that opens it) whose pages later frames reuse. The image is never drawn on, so
 * its own pages never become resident. Making it costs 6 to 10 ms (a round trip to the
 * X server), so it is made when drawing starts to repeat, not at start-up. */
void
deca_ui_keep_frame_memory (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  static cairo_surface_t *kept;
  cairo_surface_t *root;
  GListModel *monitors;
  Display *xdisplay;
  int width = 1, height = 1;

  if (kept != NULL || !GDK_IS_X11_DISPLAY (display)
      || g_strcmp0 (g_getenv ("GSK_RENDERER"), "cairo") != 0)
    return;
  monitors = gdk_display_get_monitors (display);
  for (guint i = 0; i < g_list_model_get_n_items (monitors); i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
      GdkRectangle geometry;
      int scale = gdk_monitor_get_scale_factor (monitor);

      gdk_monitor_get_geometry (monitor, &geometry);
      if (geometry.width * geometry.height * scale * scale > width * height)
        {
          width = geometry.width * scale;
          height = geometry.height * scale;
        }
    }
  xdisplay = gdk_x11_display_get_xdisplay (display);
  root = cairo_xlib_surface_create (xdisplay, DefaultRootWindow (xdisplay),
                                    DefaultVisual (xdisplay, DefaultScreen (xdisplay)), 1, 1);
  kept = cairo_surface_create_similar_image (root, CAIRO_FORMAT_ARGB32, width, height);
  cairo_surface_destroy (root);
}

void
deca_ui_init (void)
{
  static gsize initialised = 0;

  if (!g_once_init_enter (&initialised))
    return;

  /* The bundle is registered by hand: in a static library the generated constructor's
   * object file would be dropped by the linker, as nothing refers to it. */
  deca_studio_register_resource ();
  gtk_source_init ();

  /* Templates name these types; ensure them before any template is parsed. */
  g_type_ensure (DECA_TYPE_CANVAS);
  g_type_ensure (DECA_TYPE_PALETTE);
  g_type_ensure (DECA_TYPE_INSPECTOR);
  g_type_ensure (DECA_TYPE_FLOW_LIST);
  g_type_ensure (DECA_TYPE_HISTORY_PANEL);

  g_once_init_leave (&initialised, 1);
}

void
deca_ui_lookup_color (GtkWidget  *widget,
                      const char *name,
                      GdkRGBA    *color,
                      const char *fallback)
{
  /* GTK 4.8 has no other way to read a named colour; it is deprecated from 4.10 on. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color))
    gdk_rgba_parse (color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

GtkWidget *
deca_ui_list_row_new (const char  *title,
                      const char  *caption,
                      GtkBox     **suffixes)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title_label = gtk_label_new (title);
  GtkWidget *caption_label = gtk_label_new (caption);

  gtk_label_set_xalign (GTK_LABEL (title_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title_label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (caption_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (caption_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (caption_label, "caption");
  gtk_widget_add_css_class (caption_label, "dim-label");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), title_label);
  gtk_box_append (GTK_BOX (labels), caption_label);

  gtk_box_append (GTK_BOX (box), labels);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, caption, -1);
  *suffixes = GTK_BOX (box);
  return row;
}

char *
deca_format_time_for_people (gint64 time_us)
{
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) when = seconds ? g_date_time_add (seconds, time_us % G_USEC_PER_SEC) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) yesterday = NULL;

  if (when == NULL)
    return g_strdup ("");

  today = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                 g_date_time_get_day_of_month (now), 0, 0, 0);
  yesterday = g_date_time_add_days (today, -1);

  if (g_date_time_compare (when, today) >= 0)
    /* Translators: a time today, in g_date_time_format() syntax; %R is 14:02. */
    return g_date_time_format (when, _("Today at %R"));
  if (g_date_time_compare (when, yesterday) >= 0)
    /* Translators: a time yesterday, in g_date_time_format() syntax. */
    return g_date_time_format (when, _("Yesterday at %R"));
  if (g_date_time_get_year (when) == g_date_time_get_year (now))
    /* Translators: a day this year with its time, in g_date_time_format() syntax:
     * "3 March at 10:00". */
    return g_date_time_format (when, _("%e %B at %R"));
  /* Translators: a day with its year and time, in g_date_time_format() syntax. */
  return g_date_time_format (when, _("%e %B %Y at %R"));
}

/* An X server without direct rendering (Xvfb, VNC, X forwarded over ssh) can only give
 * GTK a software OpenGL (Mesa's llvmpipe). That costs more than it gives: loading it
 * takes about 60 MB and much of the start-up, and cairo draws the studio's cards and
 * curves faster on the CPU than llvmpipe does. So there, unless the person chose a
 * renderer, the studio keeps GL off and draws with cairo. Wayland and X servers with DRI
 * keep GTK's default. */
void
deca_ui_choose_renderer (void)
{
  const char *backend = g_getenv ("GDK_BACKEND");
  const char *debug = g_getenv ("GDK_DEBUG");
  g_autofree char *with_gl_off = NULL;
  Display *display;
  int opcode, event, error;
  gboolean direct;

  if (g_getenv ("GSK_RENDERER") != NULL || g_getenv ("DISPLAY") == NULL)
    return;
  if (backend ? !g_str_has_prefix (backend, "x11") : g_getenv ("WAYLAND_DISPLAY") != NULL)
    return;
  if ((display = XOpenDisplay (NULL)) == NULL)
    return;
  direct = XQueryExtension (display, "DRI3", &opcode, &event, &error)
           || XQueryExtension (display, "DRI2", &opcode, &event, &error);
  XCloseDisplay (display);
  if (direct)
    return;

  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  /* Cairo draws each frame into an image as big as what changed (4 MB for a 1280 x 800
   * canvas). glibc serves blocks that big with mmap and gives them back at free, so every
   * frame faulted in fresh zeroed pages: about 3 ms of an 11 ms frame on Xvfb. Keeping
   * such blocks in the heap costs a few megabytes of resident memory. */
  if (g_getenv ("MALLOC_MMAP_THRESHOLD_") == NULL && g_getenv ("MALLOC_TRIM_THRESHOLD_") == NULL)
    {
      mallopt (M_MMAP_THRESHOLD, 32 * 1024 * 1024);
      mallopt (M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    }
  with_gl_off = debug && *debug ? g_strconcat (debug, ",gl-disable", NULL) : g_strdup ("gl-disable");
  g_setenv ("GDK_DEBUG", with_gl_off, TRUE);
}
