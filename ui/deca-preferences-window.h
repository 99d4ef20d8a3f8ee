#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* DecaPreferencesWindow: the studio's preferences, each bound to its GSettings key
 * (io.deca.Studio): colour scheme, canvas grid and minimap, autosave delay. */

#define DECA_TYPE_PREFERENCES_WINDOW (deca_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (DecaPreferencesWindow, deca_preferences_window,
                      DECA, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* @parent (nullable): the window it is transient for. */
GtkWidget *deca_preferences_window_new (GtkWindow *parent);

G_END_DECLS
