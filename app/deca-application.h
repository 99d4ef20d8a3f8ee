#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/*
 * DecaApplication: the studio's AdwApplication (io.deca.Studio). It owns what every
 * window shares (the node registry, the store worker, the settings) and the app actions
 * (new-window, preferences, shortcuts, about, quit).
 */

#define DECA_TYPE_APPLICATION (deca_application_get_type ())
G_DECLARE_FINAL_TYPE (DecaApplication, deca_application, DECA, APPLICATION, AdwApplication)

DecaApplication *deca_application_new (void);

G_END_DECLS
