#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DECA_TYPE_PREFERENCES_WINDOW (deca_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (DecaPreferencesWindow, deca_preferences_window, DECA, PREFERENCES_WINDOW, AdwPreferencesWindow)

G_END_DECLS
