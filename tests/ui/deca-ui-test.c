/* deca-ui-test.c: shared set-up and real input for the GUI tests. */

#include "deca-ui-test.h"

#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>
#include <glib/gstdio.h>

#include "deca-ui.h"
#include "deca-test-fs.h"

static char *test_data_home;

static void
remove_test_data_home (void)
{
  if (test_data_home)
    deca_test_remove_tree (test_data_home);
  g_clear_pointer (&test_data_home, g_free);
}

void
deca_ui_test_init (int    *argc,
                   char ***argv)
{
  test_data_home = g_dir_make_tmp ("deca-ui-test-XXXXXX", NULL);
  g_assert_nonnull (test_data_home);
  g_setenv ("XDG_DATA_HOME", test_data_home, TRUE);
  atexit (remove_test_data_home);

  gtk_test_init (argc, argv, NULL);
  adw_init ();
  deca_ui_init ();
}

void
deca_ui_test_iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
deca_ui_test_wait_until (gboolean (*condition) (gpointer data),
                         gpointer data,
                         guint    timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return !timed_out || condition (data);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

void
deca_ui_test_wait_for_draw (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gulong id;

  gtk_widget_queue_draw (widget);
  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  g_assert_true (deca_ui_test_wait_until (flag_set, &painted, 10000));
  g_signal_handler_disconnect (clock, id);
  deca_ui_test_iterate ();
}

GtkWindow *
deca_ui_test_show (GtkWidget *child,
                   int        width,
                   int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  deca_ui_test_wait_for_draw (GTK_WIDGET (window));
  return window;
}

DecaFlowDocument *
deca_ui_test_load_example (DecaNodeRegistry *registry,
                           const char       *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("DECA_SOURCE_DIR"), "data",
                                            "examples", name, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  DecaFlowDocument *document;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  document = deca_flow_document_new_from_data (registry, text, -1, &error);
  g_assert_no_error (error);
  return document;
}

/* ---- real input through XTEST ------------------------------------------------------- */

static Display *
widget_xdisplay (GtkWidget *widget)
{
  GdkDisplay *display = gtk_widget_get_display (widget);

  g_assert_true (GDK_IS_X11_DISPLAY (display));
  return gdk_x11_display_get_xdisplay (display);
}

/* Where (@x, @y) of @widget is on the X screen. */
static void
widget_to_root (GtkWidget *widget,
                double     x,
                double     y,
                int       *root_x,
                int       *root_y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = gtk_native_get_surface (native);
  Display *xdisplay = widget_xdisplay (widget);
  graphene_point_t in = GRAPHENE_POINT_INIT (x, y), out;
  double sx, sy;
  int scale = gdk_surface_get_scale_factor (surface);
  Window child;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &in, &out));
  gtk_native_get_surface_transform (native, &sx, &sy);
  XTranslateCoordinates (xdisplay, gdk_x11_surface_get_xid (surface),
                         DefaultRootWindow (xdisplay),
                         (int) ((out.x + sx) * scale), (int) ((out.y + sy) * scale),
                         root_x, root_y, &child);
}

void
deca_ui_test_wait_still (GtkWidget *widget)
{
  int last_x = G_MININT, last_y = G_MININT, last_w = -1, last_h = -1;
  guint still = 0;

  for (guint frame = 0; frame < 300 && still < 3; frame++)
    {
      int x, y, w, h;

      deca_ui_test_wait_for_draw (widget);
      XSync (widget_xdisplay (widget), False);
      widget_to_root (widget, 0, 0, &x, &y);
      w = gtk_widget_get_width (widget);
      h = gtk_widget_get_height (widget);
      still = x == last_x && y == last_y && w == last_w && h == last_h ? still + 1 : 0;
      last_x = x;
      last_y = y;
      last_w = w;
      last_h = h;
    }
  g_assert_cmpuint (still, >=, 3);
}

/* Waits until the X server has handled what was sent and GDK has dispatched it. */
static void
input_sync (GtkWidget *widget)
{
  XSync (widget_xdisplay (widget), False);
  for (int i = 0; i < 3; i++)
    {
      g_usleep (2000);
      deca_ui_test_iterate ();
    }
}

void
deca_ui_test_pointer_move (GtkWidget *widget,
                           double     x,
                           double     y)
{
  int rx, ry;

  widget_to_root (widget, x, y, &rx, &ry);
  XTestFakeMotionEvent (widget_xdisplay (widget), -1, rx, ry, CurrentTime);
  input_sync (widget);
}

void
deca_ui_test_button (GtkWidget *widget,
                     guint      button,
                     gboolean   press)
{
  XTestFakeButtonEvent (widget_xdisplay (widget), button, press, CurrentTime);
  input_sync (widget);
}

void
deca_ui_test_click (GtkWidget *widget,
                    double     x,
                    double     y)
{
  deca_ui_test_pointer_move (widget, x, y);
  deca_ui_test_button (widget, 1, TRUE);
  deca_ui_test_button (widget, 1, FALSE);
}

void
deca_ui_test_drag (GtkWidget *widget,
                   double     x1,
                   double     y1,
                   double     x2,
                   double     y2,
                   guint      steps)
{
  deca_ui_test_pointer_move (widget, x1, y1);
  deca_ui_test_button (widget, 1, TRUE);
  for (guint i = 1; i <= steps; i++)
    deca_ui_test_pointer_move (widget, x1 + (x2 - x1) * i / steps,
                               y1 + (y2 - y1) * i / steps);
  deca_ui_test_button (widget, 1, FALSE);
}

static void
fake_keysym (Display *xdisplay,
             KeySym   keysym,
             gboolean press)
{
  KeyCode code = XKeysymToKeycode (xdisplay, keysym);

  g_assert_cmpuint (code, !=, 0);
  XTestFakeKeyEvent (xdisplay, code, press, CurrentTime);
}

void
deca_ui_test_key (GtkWidget      *widget,
                  guint           keyval,
                  GdkModifierType mods)
{
  Display *xdisplay = widget_xdisplay (widget);

  if (mods & GDK_CONTROL_MASK)
    fake_keysym (xdisplay, XK_Control_L, TRUE);
  if (mods & GDK_SHIFT_MASK)
    fake_keysym (xdisplay, XK_Shift_L, TRUE);
  if (mods & GDK_ALT_MASK)
    fake_keysym (xdisplay, XK_Alt_L, TRUE);
  /* GDK keyvals are X keysyms. */
  fake_keysym (xdisplay, keyval, TRUE);
  fake_keysym (xdisplay, keyval, FALSE);
  if (mods & GDK_ALT_MASK)
    fake_keysym (xdisplay, XK_Alt_L, FALSE);
  if (mods & GDK_SHIFT_MASK)
    fake_keysym (xdisplay, XK_Shift_L, FALSE);
  if (mods & GDK_CONTROL_MASK)
    fake_keysym (xdisplay, XK_Control_L, FALSE);
  input_sync (widget);
}

void
deca_ui_test_key_hold (GtkWidget *widget,
                       guint      keyval,
                       gboolean   press)
{
  fake_keysym (widget_xdisplay (widget), keyval, press);
  input_sync (widget);
}

void
deca_ui_test_type_text (GtkWidget  *widget,
                        const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint keyval = gdk_unicode_to_keyval (c);
      GdkModifierType mods = 0;

      if (g_unichar_isupper (c) || strchr ("{}_:\"<>?!@#$%^&*()+|~", (int) c))
        mods = GDK_SHIFT_MASK;
      deca_ui_test_key (widget, keyval, mods);
    }
}

GtkWidget *
deca_ui_test_find_actionable (GtkWidget  *root,
                              const char *action_name,
                              GVariant   *target)
{
  g_autoptr(GVariant) sunk = target ? g_variant_ref_sink (target) : NULL;

  if (GTK_IS_ACTIONABLE (root)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action_name) == 0)
    {
      GVariant *value = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (root));
      if (sunk == NULL || (value && g_variant_equal (value, sunk)))
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = deca_ui_test_find_actionable (child, action_name, sunk);
      if (found)
        return found;
    }
  return NULL;
}

GtkWidget *
deca_ui_test_find_type (GtkWidget *root,
                        GType      type)
{
  if (g_type_is_a (G_OBJECT_TYPE (root), type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = deca_ui_test_find_type (child, type);
      if (found)
        return found;
    }
  return NULL;
}

void
deca_ui_test_click_widget (GtkWidget *widget)
{
  g_assert_true (gtk_widget_get_mapped (widget));
  deca_ui_test_click (widget, gtk_widget_get_width (widget) / 2.0,
                      gtk_widget_get_height (widget) / 2.0);
}
