#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-engine-error.h"
#include "deca-engine-private.h"

G_DEFINE_QUARK (deca-engine-error-quark, deca_engine_error)

static const char * const code_names[] = {
  [DECA_ENGINE_ERROR_PARSE] = "parse",
  [DECA_ENGINE_ERROR_INVALID] = "invalid",
  [DECA_ENGINE_ERROR_EXPRESSION] = "expression",
  [DECA_ENGINE_ERROR_EVALUATION] = "evaluation",
  [DECA_ENGINE_ERROR_LIMIT] = "limit",
  [DECA_ENGINE_ERROR_NOT_FOUND] = "not_found",
  [DECA_ENGINE_ERROR_NODE_FAILED] = "node_failed",
  [DECA_ENGINE_ERROR_TIMEOUT] = "timeout",
  [DECA_ENGINE_ERROR_CANCELLED] = "cancelled",
  [DECA_ENGINE_ERROR_CIRCUIT_OPEN] = "circuit_open",
  [DECA_ENGINE_ERROR_REJECTED] = "rejected",
  [DECA_ENGINE_ERROR_STORE] = "store",
  [DECA_ENGINE_ERROR_CREDENTIAL] = "credential",
  [DECA_ENGINE_ERROR_HTTP] = "http",
  [DECA_ENGINE_ERROR_STATE] = "state",
};

const char *
deca_engine_error_code_name (int code)
{
  if (code < 0 || code >= (int) G_N_ELEMENTS (code_names) || code_names[code] == NULL)
    return "error";
  return code_names[code];
}

/* Where the catalogues are: $DECA_LOCALE_DIR when set (a build's po/ directory, to run
 * translated before installing: DECA_LOCALE_DIR=_build/po LANGUAGE=de), else LOCALEDIR. */
const char *
deca_engine_get_locale_dir (void)
{
  const char *dir = g_getenv ("DECA_LOCALE_DIR");

  return dir && *dir ? dir : LOCALEDIR;
}

/* Binds the engine's message catalogue (GETTEXT_PACKAGE under the locale dir, as UTF-8) once
 * per process, so that its messages are translated whatever domain the program itself
 * uses. It neither calls setlocale() nor textdomain(): that is the program's business.
 * Safe to call from any thread, any number of times. */
void
_deca_engine_init_i18n (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      bindtextdomain (GETTEXT_PACKAGE, deca_engine_get_locale_dir ());
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}
