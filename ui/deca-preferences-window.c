/* deca-preferences-window.c */
#include "config.h"

#include "deca-preferences-window.h"

struct _DecaPreferencesWindow
{
  AdwPreferencesWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaPreferencesWindow, deca_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void deca_preferences_window_class_init (DecaPreferencesWindowClass *klass) {}
static void deca_preferences_window_init (DecaPreferencesWindow *self) {}
