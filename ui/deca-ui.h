#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Registers the studio's resource bundle and the types its templates use, and
 * initialises GtkSourceView. Call once after gtk_init() (or from the application's
 * startup); later calls do nothing. */
void  deca_ui_init                 (void);

/* "Today at 14:02", "Yesterday at 09:15", "3 March 2026 at 10:00" for @time_us (µs since
 * the epoch), in local time, for lists that show when something happened. Returns
 * (transfer full). */
char *deca_format_time_for_people (gint64 time_us);

G_END_DECLS
