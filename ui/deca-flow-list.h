#pragma once

#include <adwaita.h>

#include "deca-store-worker.h"

G_BEGIN_DECLS

/*
 * DecaFlowList: the sidebar's list of the flows in the local store, newest first, with a
 * search entry. Activating a row emits ::flow-activated with the flow id. Rows of flows
 * open in another window show an icon saying so. Each row has a
 * menu whose items activate the window's actions with the flow id as target:
 * win.rename-flow, win.duplicate-flow and win.delete-flow.
 *
 * The list reads the store through a DecaStoreWorker, so the UI thread never waits on
 * SQLite; reload() replaces the rows when the store answers.
 */

#define DECA_TYPE_FLOW_LIST (deca_flow_list_get_type ())
G_DECLARE_FINAL_TYPE (DecaFlowList, deca_flow_list, DECA, FLOW_LIST, GtkWidget)

GtkWidget       *deca_flow_list_new            (void);
DecaStoreWorker *deca_flow_list_get_worker     (DecaFlowList    *self);
void             deca_flow_list_set_worker     (DecaFlowList    *self,
                                                DecaStoreWorker *worker);
/* Reads the flows again; ::loaded fires when the rows are in place. */
void             deca_flow_list_reload         (DecaFlowList    *self);
/* The number of flows listed (before the search filter). */
guint            deca_flow_list_get_n_flows    (DecaFlowList    *self);
/* Returns (nullable) the name shown for @flow_id, NULL when it is not listed. */
const char      *deca_flow_list_get_flow_name  (DecaFlowList    *self,
                                                const char      *flow_id);
/* The flow open in the window: its row is selected. */
void             deca_flow_list_set_active_flow (DecaFlowList   *self,
                                                 const char     *flow_id);
/* The flows other windows have open (NULL-terminated; NULL for none): their rows say
 * so, and activating one brings that window forward (the window decides). */
void             deca_flow_list_set_open_elsewhere (DecaFlowList       *self,
                                                    const char * const *flow_ids);
gboolean         deca_flow_list_get_open_elsewhere (DecaFlowList       *self,
                                                    const char         *flow_id);
void             deca_flow_list_set_search     (DecaFlowList    *self,
                                                const char      *text);
void             deca_flow_list_focus_search   (DecaFlowList    *self);
/* Returns (transfer none) (nullable) the row of @flow_id, for tests and focus. */
GtkWidget       *deca_flow_list_get_row        (DecaFlowList    *self,
                                                const char      *flow_id);

G_END_DECLS
