/* deca-studio.c: the entry point of the studio. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "deca-application.h"
#include "deca-engine-error.h"
#include "deca-ui.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(DecaApplication) app = NULL;

  /* The first of the start-up marks of deca-application.c. */
  if (g_getenv ("DECA_STUDIO_REPORT"))
    g_print ("DECA_REPORT main %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, deca_engine_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  deca_ui_choose_renderer ();
  app = deca_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
