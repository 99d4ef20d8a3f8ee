#pragma once

#include <adwaita.h>

#include "deca-engine-error.h"
#include "deca-store-worker.h"

G_BEGIN_DECLS

/*
 * DecaHistoryPanel: the versions of one flow, newest first, each with when it was saved.
 * Every row has two buttons that activate the window's actions with the version as an
 * int64 target: win.open-version (view that version) and win.restore-version (make it
 * the newest version again). Reads the store through a DecaStoreWorker.
 */

#define DECA_TYPE_HISTORY_PANEL (deca_history_panel_get_type ())
G_DECLARE_FINAL_TYPE (DecaHistoryPanel, deca_history_panel, DECA, HISTORY_PANEL, GtkWidget)

GtkWidget  *deca_history_panel_new              (void);
void        deca_history_panel_set_worker       (DecaHistoryPanel *self,
                                                 DecaStoreWorker  *worker);
/* The flow whose versions are listed (nullable); setting it reloads. */
void        deca_history_panel_set_flow_id      (DecaHistoryPanel *self,
                                                 const char       *flow_id);
const char *deca_history_panel_get_flow_id      (DecaHistoryPanel *self);
/* Reads the versions again; ::loaded fires when the rows are in place. */
void        deca_history_panel_reload           (DecaHistoryPanel *self);
/* The version shown on the canvas (0: the latest): its row is marked. */
void        deca_history_panel_set_shown_version (DecaHistoryPanel *self,
                                                  gint64            version);
guint       deca_history_panel_get_n_versions   (DecaHistoryPanel *self);
/* Returns (transfer none) (nullable) the row of @version, for tests and focus. */
GtkWidget  *deca_history_panel_get_row          (DecaHistoryPanel *self,
                                                 gint64            version);

G_END_DECLS
