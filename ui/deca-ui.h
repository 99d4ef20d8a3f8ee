#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Registers the studio's resource bundle and the types its templates use, and
 * initialises GtkSourceView. Call once after gtk_init() (or from the application's
 * startup); later calls do nothing. */
void deca_ui_init (void);

G_END_DECLS
