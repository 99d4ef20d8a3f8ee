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

/* A list row for the side panels: @title with @caption (dim, smaller) below it, both
 * ellipsized, and the row's accessible name and description set from them. Widgets
 * appended to @suffixes (out, borrowed) sit at the row's end. Returns (transfer
 * floating) the GtkListBoxRow. */
GtkWidget *deca_ui_list_row_new (const char  *title,
                                 const char  *caption,
                                 GtkBox     **suffixes);

/* Sets @color to the named colour of @widget's theme (@accent_color, @card_bg_color...),
 * or to @fallback when the theme has no such colour: for widgets that draw themselves. */
void       deca_ui_lookup_color (GtkWidget  *widget,
                                 const char *name,
                                 GdkRGBA    *color,
                                 const char *fallback);

/* Picks the renderer before GTK starts: on an X server without direct rendering (Xvfb,
 * VNC, forwarded X) GL would be Mesa's software llvmpipe, slower and 60 MB heavier than
 * cairo, so there GL is turned off and cairo draws, unless GSK_RENDERER is set. Call
 * before gtk_init(); the studio, its benchmarks and its screenshots all do. */
void  deca_ui_choose_renderer      (void);
/* With cairo on X11, keeps the memory cairo draws frames in from being given back and
 * faulted in again at every frame (deca-ui.c). For widgets that redraw frame after frame
 * (a canvas that pans); the first call does the work, later ones nothing. */
void  deca_ui_keep_frame_memory    (void);

G_END_DECLS
