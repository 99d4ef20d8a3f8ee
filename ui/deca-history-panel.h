#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DECA_TYPE_HISTORY_PANEL (deca_history_panel_get_type ())
G_DECLARE_FINAL_TYPE (DecaHistoryPanel, deca_history_panel, DECA, HISTORY_PANEL, GtkWidget)

G_END_DECLS
