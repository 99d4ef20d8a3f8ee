#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DECA_TYPE_WINDOW (deca_window_get_type ())
G_DECLARE_FINAL_TYPE (DecaWindow, deca_window, DECA, WINDOW, AdwApplicationWindow)

G_END_DECLS
