/* Helpers of the catalogue tests in tests/po: choosing the language gettext answers in. */
#pragma once

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <locale.h>

#include "deca-engine-private.h"

/* Points gettext at the catalogues of the build directory and selects @language (NULL:
 * none, the English of the sources). */
static inline void
use_language (const char *language)
{
  const char *locale_dir = g_getenv ("DECA_LOCALE_DIR");

  g_assert_nonnull (locale_dir);
  _deca_engine_init_i18n ();
  g_assert_cmpstr (bindtextdomain (GETTEXT_PACKAGE, locale_dir), ==, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  if (language != NULL)
    g_setenv ("LANGUAGE", language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  /* gettext caches lookups; a change of the message locale makes it read LANGUAGE
   * again. */
  g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
}

/* Whether the built German catalogue is there (and selects it). */
static inline gboolean
have_german (void)
{
  use_language ("de");
  return g_strcmp0 (g_dgettext (GETTEXT_PACKAGE, "translator-credits"), "translator-credits") != 0;
}
