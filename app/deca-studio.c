/* deca-studio.c: the entry point of the studio. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "deca-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(DecaApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = deca_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
