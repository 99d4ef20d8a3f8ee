/* test-icons.c: the application icons are well-formed SVG of the sizes the icon theme
 * directories promise, render with the SVG loader GTK uses, and the symbolic one uses
 * nothing but the one colour GTK recolours. */

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

typedef struct {
  const char *path;       /* below data/icons/hicolor/ */
  int         size;
  gboolean    symbolic;
} IconCase;

static const IconCase icons[] = {
  { "scalable/apps/io.deca.Studio.svg", 128, FALSE },
  { "symbolic/apps/io.deca.Studio-symbolic.svg", 16, TRUE },
};

typedef struct {
  char    *width;
  char    *height;
  char    *view_box;
  guint    elements;
  gboolean has_raster_or_text;
} SvgScan;

static void
svg_start (GMarkupParseContext *context,
           const char          *element,
           const char         **names,
           const char         **values,
           gpointer             data,
           GError             **error)
{
  SvgScan *scan = data;

  scan->elements++;
  if (scan->elements == 1)
    {
      if (!g_str_equal (element, "svg"))
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       "the root element is <%s>, not <svg>", element);
          return;
        }
      for (guint i = 0; names[i] != NULL; i++)
        {
          if (g_str_equal (names[i], "width"))
            scan->width = g_strdup (values[i]);
          else if (g_str_equal (names[i], "height"))
            scan->height = g_strdup (values[i]);
          else if (g_str_equal (names[i], "viewBox"))
            scan->view_box = g_strdup (values[i]);
        }
    }
  /* Text depends on the fonts installed, images on files beside the icon. */
  if (g_str_equal (element, "text") || g_str_equal (element, "image"))
    scan->has_raster_or_text = TRUE;
}

static void
test_icon (gconstpointer data)
{
  const IconCase *icon = data;
  static const GMarkupParser parser = { svg_start, NULL, NULL, NULL, NULL };
  g_autofree char *path = g_build_filename (g_getenv ("DECA_SOURCE_DIR"), "data", "icons",
                                            "hicolor", icon->path, NULL);
  g_autofree char *text = NULL;
  g_autofree char *size = g_strdup_printf ("%d", icon->size);
  g_autofree char *view_box = g_strdup_printf ("0 0 %d %d", icon->size, icon->size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GMarkupParseContext *context;
  SvgScan scan = { NULL, NULL, NULL, 0, FALSE };
  gsize length;
  gboolean painted = FALSE;

  g_assert_true (g_file_get_contents (path, &text, &length, &error));
  g_assert_no_error (error);

  /* Well-formed XML with an <svg> root of the right size. */
  context = g_markup_parse_context_new (&parser, G_MARKUP_IGNORE_QUALIFIED, &scan, NULL);
  if (!g_markup_parse_context_parse (context, text, length, &error)
      || !g_markup_parse_context_end_parse (context, &error))
    g_error ("%s: %s", path, error->message);
  g_markup_parse_context_free (context);
  g_assert_cmpstr (scan.width, ==, size);
  g_assert_cmpstr (scan.height, ==, size);
  g_assert_cmpstr (scan.view_box, ==, view_box);
  g_assert_false (scan.has_raster_or_text);

  /* The symbolic icon: every colour is #2e3436, which GTK replaces with the theme's. */
  if (icon->symbolic)
    {
      g_autoptr(GRegex) colour = g_regex_new ("#[0-9a-fA-F]{3,8}\\b", 0, 0, NULL);
      g_autoptr(GMatchInfo) match = NULL;
      guint colours = 0;

      for (g_regex_match (colour, text, 0, &match); g_match_info_matches (match);
           g_match_info_next (match, NULL))
        {
          g_autofree char *found = g_match_info_fetch (match, 0);

          g_assert_cmpstr (found, ==, "#2e3436");
          colours++;
        }
      g_assert_cmpuint (colours, >, 0);
      g_assert_null (strstr (text, "rgb("));
      g_assert_null (strstr (text, "stroke="));
    }

  /* It renders, at its size, and draws something. */
  pixbuf = gdk_pixbuf_new_from_file_at_size (path, icon->size, icon->size, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, icon->size);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, icon->size);
  g_assert_true (gdk_pixbuf_get_has_alpha (pixbuf));
  for (int y = 0; y < icon->size && !painted; y++)
    {
      const guchar *row = gdk_pixbuf_read_pixels (pixbuf)
                          + y * gdk_pixbuf_get_rowstride (pixbuf);

      for (int x = 0; x < icon->size; x++)
        if (row[x * 4 + 3] != 0)
          painted = TRUE;
    }
  g_assert_true (painted);

  g_free (scan.width);
  g_free (scan.height);
  g_free (scan.view_box);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (icons); i++)
    {
      g_autofree char *name = g_strdup_printf ("/deca/data/icons/%s", icons[i].path);

      g_test_add_data_func (name, &icons[i], test_icon);
    }
  return g_test_run ();
}
