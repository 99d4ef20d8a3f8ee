#pragma once

/* deca-ui-test.h: what the GUI tests share. Input goes through the X server with XTEST,
 * so a test's click travels the same path as a person's: X server, GDK, the widget's
 * gestures. */

#include <adwaita.h>

#include "deca-engine.h"

G_BEGIN_DECLS

/* gtk_test_init + adw_init + deca_ui_init; also points XDG_DATA_HOME at a fresh
 * temporary directory so that no test sees another's store. */
void        deca_ui_test_init          (int    *argc,
                                        char ***argv);
/* Runs the default main context until nothing is pending. */
void        deca_ui_test_iterate       (void);
/* Runs the main context until @condition returns TRUE or @timeout_ms passes (then FALSE).
 * The timeout is a safety net against hangs, not a measurement. */
gboolean    deca_ui_test_wait_until    (gboolean (*condition) (gpointer data),
                                        gpointer data,
                                        guint    timeout_ms);
/* Waits until @widget has been drawn at least once. */
void        deca_ui_test_wait_for_draw (GtkWidget *widget);
/* Waits until @widget sits still on the screen: the same place and size, as the X server
 * has its window, over three frames in a row (a popover whose content changed moves and
 * shrinks into place, and a click computed meanwhile lands beside it). */
void        deca_ui_test_wait_still    (GtkWidget *widget);
/* Returns (transfer none) a window of @width x @height holding @child, presented and
 * drawn. */
GtkWindow  *deca_ui_test_show          (GtkWidget *child,
                                        int        width,
                                        int        height);
/* Loads data/examples/@name into a new document. */
DecaFlowDocument *deca_ui_test_load_example (DecaNodeRegistry *registry,
                                             const char       *name);

/* Real pointer and keyboard input on @widget, at widget coordinates. */
void        deca_ui_test_pointer_move   (GtkWidget *widget,
                                         double     x,
                                         double     y);
void        deca_ui_test_button         (GtkWidget *widget,
                                         guint      button,
                                         gboolean   press);
void        deca_ui_test_click          (GtkWidget *widget,
                                         double     x,
                                         double     y);
/* Press at (@x1, @y1), move in @steps steps to (@x2, @y2), release. */
void        deca_ui_test_drag           (GtkWidget *widget,
                                         double     x1,
                                         double     y1,
                                         double     x2,
                                         double     y2,
                                         guint      steps);
/* Presses and releases @keyval with @mods (GDK_CONTROL_MASK, GDK_SHIFT_MASK, GDK_ALT_MASK)
 * held, on whatever has the keyboard focus. */
void        deca_ui_test_key            (GtkWidget      *widget,
                                         guint           keyval,
                                         GdkModifierType mods);
/* Presses (@press TRUE) or releases @keyval alone, for holding a modifier during clicks. */
void        deca_ui_test_key_hold       (GtkWidget      *widget,
                                         guint           keyval,
                                         gboolean        press);
void        deca_ui_test_type_text      (GtkWidget      *widget,
                                         const char     *text);

G_END_DECLS

G_BEGIN_DECLS
/* Returns (transfer none) (nullable) the first widget under @root (depth first) that is
 * an actionable with @action_name and, when @target is not NULL, that target. */
GtkWidget  *deca_ui_test_find_actionable (GtkWidget  *root,
                                          const char *action_name,
                                          GVariant   *target);
/* Returns (transfer none) (nullable) the first widget under @root of @type. */
GtkWidget  *deca_ui_test_find_type       (GtkWidget  *root,
                                          GType       type);
/* Clicks the middle of @widget with real input. */
void        deca_ui_test_click_widget    (GtkWidget  *widget);
G_END_DECLS
