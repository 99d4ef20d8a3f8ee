/* deca-ui.c: one-time set-up of libdeca-ui. */

#include "config.h"

#include <gtksourceview/gtksource.h>

#include "deca-canvas.h"
#include "deca-flow-list.h"
#include "deca-history-panel.h"
#include "deca-inspector.h"
#include "deca-palette.h"
#include "deca-ui.h"
#include "deca-studio-resources.h"

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
