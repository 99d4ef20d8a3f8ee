/* deca-studio.c: the entry point of the studio. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <X11/Xlib.h>

#include "deca-application.h"

/* An X server without direct rendering (Xvfb, VNC, X forwarded over ssh) can only give
 * GTK a software OpenGL (Mesa's llvmpipe). That costs more than it gives: loading it
 * takes about 60 MB and much of the start-up, and cairo draws the studio's cards and
 * curves faster on the CPU than llvmpipe does. So there, unless the person chose a
 * renderer, the studio keeps GL off and draws with cairo. Wayland and X servers with DRI
 * keep GTK's default. */
static void
prefer_cairo_without_direct_rendering (void)
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
  with_gl_off = debug && *debug ? g_strconcat (debug, ",gl-disable", NULL) : g_strdup ("gl-disable");
  g_setenv ("GDK_DEBUG", with_gl_off, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(DecaApplication) app = NULL;

  /* The first of the start-up marks of deca-application.c. */
  if (g_getenv ("DECA_STUDIO_REPORT"))
    g_print ("DECA_REPORT main %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  prefer_cairo_without_direct_rendering ();
  app = deca_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
