/* take-screenshots.c: renders the studio window in process and writes the PNGs of
 * data/screenshots/ (`make screenshots`):
 *
 *   main.png       1280x800, the example flow open, nothing selected, the Flows page
 *   dark.png       the same in the dark style
 *   inspector.png  the node "notify" selected, the inspector showing its form
 *   palette.png    the sidebar on the Nodes page
 *   narrow.png     360x720, the flaps folded
 *
 * Usage: take-screenshots OUTPUT-DIR [FLOW-FILE]. It needs a display (xvfb-run). The
 * window is drawn by its own renderer into a texture, so the pictures do not depend on
 * a window manager or a compositor. Animations are off, so that every picture shows a
 * settled state rather than a moment of a transition. */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "deca-engine.h"
#include "deca-ui.h"
#include "deca-window.h"
#include "deca-test-fs.h"

/* A safety net against a window that never gets there; not a measurement. */
#define WAIT_TIMEOUT_MS 20000

typedef gboolean (*Condition) (gpointer data);

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @condition holds; exits the program when @what never
 * happens. */
static void
wait_until (Condition   condition,
            gpointer    data,
            const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_TIMEOUT_MS, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    {
      g_printerr ("take-screenshots: timed out waiting for %s\n", what);
      exit (1);
    }
  g_source_remove (id);
}

/* The same without exiting: returns FALSE when @condition never held. */
static gboolean
wait_until_quietly (Condition condition,
                    gpointer  data)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_TIMEOUT_MS, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return !timed_out;
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  guint *left = data;

  if (*left > 0)
    (*left)--;
  return *left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
no_frames_left_cb (gpointer data)
{
  return *(guint *) data == 0;
}

/* Lets @widget go through @n frames (layout and paint) so that whatever a change queued
 * (a resize, a restyle, a list filling in) has been laid out and drawn. */
static void
wait_frames (GtkWidget *widget,
             guint      n)
{
  guint left = n;

  gtk_widget_add_tick_callback (widget, count_frame_cb, &left, NULL);
  gtk_widget_queue_draw (widget);
  wait_until (no_frames_left_cb, &left, "frames to be drawn");
}

/* ---- what to wait for ---------------------------------------------------------------- */

typedef struct {
  DecaWindow *window;
  int         width;
  int         height;
} Size;

/* The size is the surface's: what a person sees of the window, its frame included. */
static gboolean
has_size_cb (gpointer data)
{
  Size *size = data;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (size->window));

  return gtk_widget_get_mapped (GTK_WIDGET (size->window))
         && gdk_surface_get_width (surface) == size->width
         && gdk_surface_get_height (surface) == size->height;
}

/* The imported flow is open, its nodes are children of the canvas, and the flow list
 * has loaded it. */
static gboolean
flow_shown_cb (gpointer data)
{
  DecaWindow *window = data;
  DecaFlowDocument *document = deca_window_get_document (window);
  GtkWidget *canvas = GTK_WIDGET (deca_window_get_canvas (window));

  return document != NULL
         && deca_window_get_flow_id (window) != NULL
         && g_list_model_get_n_items (deca_flow_document_get_nodes (document)) > 0
         && gtk_widget_get_first_child (canvas) != NULL
         && deca_flow_list_get_n_flows (deca_window_get_flow_list (window)) > 0
         && !deca_window_get_saving (window);
}

/* AdwToastWidget is private; it is recognised by its type name. */
static gboolean
has_toast (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    if (g_str_equal (G_OBJECT_TYPE_NAME (child), "AdwToastWidget"))
      return TRUE;
  return FALSE;
}

/* The "Imported …" toast has gone: the pictures show the window at rest. */
static gboolean
no_toast_cb (gpointer data)
{
  return !has_toast (GTK_WIDGET (deca_window_get_toast_overlay (data)));
}

typedef struct {
  DecaWindow *window;
  const char *page;
} InspectorPage;

static gboolean
inspector_page_cb (gpointer data)
{
  InspectorPage *expect = data;

  return g_strcmp0 (deca_inspector_get_page (deca_window_get_inspector (expect->window)),
                    expect->page) == 0;
}

static gboolean
dark_is_cb (gpointer data)
{
  gboolean want = GPOINTER_TO_INT (data);

  return adw_style_manager_get_dark (adw_style_manager_get_default ()) == want;
}

/* ---- the studio's stylesheets ---------------------------------------------------------- */

/* AdwApplication loads style.css and style-dark.css from its resource base path; the
 * window here has no application, so this does the same by hand, or the pictures would
 * lack the studio's own styles. */
static GtkCssProvider *dark_provider;

static void
dark_changed_cb (AdwStyleManager *manager)
{
  GdkDisplay *display = gdk_display_get_default ();

  if (adw_style_manager_get_dark (manager))
    gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (dark_provider),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  else
    gtk_style_context_remove_provider_for_display (display, GTK_STYLE_PROVIDER (dark_provider));
}

static void
load_styles (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/io/deca/Studio/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  dark_provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (dark_provider, "/io/deca/Studio/style-dark.css");
  g_signal_connect (manager, "notify::dark", G_CALLBACK (dark_changed_cb), NULL);
  dark_changed_cb (manager);
}

/* ---- taking a picture ---------------------------------------------------------------- */

/* Renders @window with its own renderer and writes it to @dir/@name. */
static void
save_shot (DecaWindow *window,
           const char *dir,
           const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  /* The paintable's size is the window's with its frame (the solid-csd border when no
   * compositor draws shadows), which is the size of the surface. */
  int width = gdk_paintable_get_intrinsic_width (paintable);
  int height = gdk_paintable_get_intrinsic_height (paintable);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_printerr ("take-screenshots: the window drew nothing for %s\n", name);
      exit (1);
    }
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_printerr ("take-screenshots: cannot write %s\n", path);
      exit (1);
    }
  g_print ("%s (%dx%d)\n", path, width, height);
}

/* Sizes the window to @width x @height and waits until it is laid out and drawn so.
 * A window whose content cannot be that narrow (or short) stays at its minimum size:
 * then the picture is taken at that size and the difference is said on stderr, as it is
 * a finding about the window, not a failure of this program. */
static void
resize_and_settle (DecaWindow *window,
                   const char *name,
                   int         width,
                   int         height)
{
  GtkWidget *widget = GTK_WIDGET (window);
  Size size = { window, width, height };
  int min_width, min_height;

  /* Twice: the first size can fold the sidebars, which lowers the window's minimum
   * width, and only a second request then reaches the size asked for. */
  for (int i = 0; i < 2; i++)
    {
      gtk_window_set_default_size (GTK_WINDOW (window), 0, 0);
      gtk_window_set_default_size (GTK_WINDOW (window), width, height);
      wait_frames (widget, 3);
    }
  /* The window's measure includes its CSS frame (the solid-csd border), as the
   * surface's size does. */
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, MAX (width, min_width),
                      &min_height, NULL, NULL, NULL);
  size.width = MAX (width, min_width);
  size.height = MAX (height, min_height);
  if (size.width != width || size.height != height)
    g_printerr ("take-screenshots: %s: the window cannot be %dx%d; its minimum is %dx%d\n",
                name, width, height, size.width, size.height);
  if (!wait_until_quietly (has_size_cb, &size))
    {
      GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
      g_printerr ("take-screenshots: %s: wanted %dx%d, the window is %dx%d\n", name,
                  size.width, size.height, gdk_surface_get_width (surface),
                  gdk_surface_get_height (surface));
      exit (1);
    }
  wait_frames (widget, 4);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *example = NULL;
  g_autofree char *store_dir = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaNodeRegistry) registry = NULL;
  g_autoptr(DecaStoreWorker) worker = NULL;
  g_autoptr(GFile) file = NULL;
  const char *out_dir;
  const char *none[] = { NULL };
  const char *notify[] = { "notify", NULL };
  InspectorPage node_page, flow_page;
  DecaWindow *window;

  if (argc < 2 || argc > 3)
    {
      g_printerr ("Usage: %s OUTPUT-DIR [FLOW-FILE]\n", argv[0]);
      return 2;
    }
  out_dir = argv[1];
  example = argc == 3 ? g_strdup (argv[2])
                      : g_build_filename (DECA_SOURCE_EXAMPLES_DIR, "order-webhook.json", NULL);
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      g_printerr ("take-screenshots: cannot create %s: %s\n", out_dir, g_strerror (errno));
      return 1;
    }

  /* The person's language, as the studio has it; DECA_LOCALE_DIR points at a build's
   * catalogues (LANGUAGE=de DECA_LOCALE_DIR=_build/po) before they are installed. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, deca_engine_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Default settings, kept in memory: the pictures show what a new user sees, and the
   * user's own settings and store are not touched. */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", DECA_SCHEMA_DIR, FALSE);
  /* Pictures need no screen reader; without this GTK would look for (and might
   * autolaunch) a session bus to find the accessibility bus on. */
  g_setenv ("GTK_A11Y", "none", FALSE);
  store_dir = g_dir_make_tmp ("deca-screenshots-XXXXXX", &error);
  if (store_dir == NULL)
    {
      g_printerr ("take-screenshots: %s\n", error->message);
      return 1;
    }
  g_setenv ("XDG_DATA_HOME", store_dir, TRUE);
  db_path = g_build_filename (store_dir, "deca.db", NULL);

  deca_ui_choose_renderer ();
  gtk_init ();
  adw_init ();
  deca_ui_init ();
  /* GNOME's title-bar buttons (only Close), not GTK's fallback without a desktop. */
  g_object_set (gtk_settings_get_default (),
                "gtk-enable-animations", FALSE,
                "gtk-decoration-layout", "appmenu:close",
                NULL);
  load_styles ();

  registry = deca_node_registry_new_builtin ();
  worker = deca_store_worker_new (db_path);
  window = deca_window_new (NULL, registry, worker);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));

  file = g_file_new_for_path (example);
  deca_window_import_file (window, file);
  wait_until (flow_shown_cb, window, "the imported flow to be shown");
  wait_until (no_toast_cb, window, "the import toast to go");
  resize_and_settle (window, "main.png", 1280, 800);

  /* main: nothing selected, the Flows page, the inspector on the flow. */
  flow_page = (InspectorPage) { window, "flow" };
  deca_canvas_set_selection (deca_window_get_canvas (window), none);
  wait_until (inspector_page_cb, &flow_page, "the inspector to show the flow");
  wait_frames (GTK_WIDGET (window), 4);
  save_shot (window, out_dir, "main.png");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  wait_until (dark_is_cb, GINT_TO_POINTER (TRUE), "the dark style");
  wait_frames (GTK_WIDGET (window), 4);
  save_shot (window, out_dir, "dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  wait_until (dark_is_cb, GINT_TO_POINTER (FALSE), "the light style");

  node_page = (InspectorPage) { window, "node" };
  deca_canvas_set_selection (deca_window_get_canvas (window), notify);
  wait_until (inspector_page_cb, &node_page, "the inspector to show the node");
  wait_frames (GTK_WIDGET (window), 4);
  save_shot (window, out_dir, "inspector.png");

  deca_canvas_set_selection (deca_window_get_canvas (window), none);
  wait_until (inspector_page_cb, &flow_page, "the inspector to show the flow");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-palette", NULL);
  wait_frames (GTK_WIDGET (window), 4);
  save_shot (window, out_dir, "palette.png");

  resize_and_settle (window, "narrow.png", 360, 720);
  save_shot (window, out_dir, "narrow.png");

  gtk_window_destroy (GTK_WINDOW (window));
  deca_store_worker_flush (worker);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&worker);
  deca_test_remove_tree (store_dir);
  g_clear_object (&dark_provider);
  return 0;
}
