#pragma once

#include <adwaita.h>

#include "deca-canvas.h"
#include "deca-flow-list.h"
#include "deca-history-panel.h"
#include "deca-inspector.h"
#include "deca-palette.h"
#include "deca-store-worker.h"

G_BEGIN_DECLS

/*
 * DecaWindow: one studio window. It holds one flow at a time: the flow list and the
 * palette on the left, the canvas in the middle, the inspector and the history on the
 * right. Every edit saves itself (after the autosave delay) as a new immutable version
 * in the store, through the application's DecaStoreWorker; the window never waits on
 * SQLite. Import and export go through GtkFileChooserNative; a .json file dropped on the
 * window is imported.
 */

#define DECA_TYPE_WINDOW (deca_window_get_type ())
G_DECLARE_FINAL_TYPE (DecaWindow, deca_window, DECA, WINDOW, AdwApplicationWindow)

/* @application may be NULL (tests). @registry and @worker are referenced. */
DecaWindow       *deca_window_new              (GtkApplication   *application,
                                                DecaNodeRegistry *registry,
                                                DecaStoreWorker  *worker);

/* Opens the stored flow @flow_id at its latest version (::flow-opened when it is shown).
 * A flow lives in one window at a time: when another window of the application shows it
 * (or is loading it), that window is presented instead and this one keeps its flow. */
void              deca_window_open_flow        (DecaWindow   *self,
                                                const char   *flow_id);
/* Opens the last flow open (settings), else the most recent one, else the empty page;
 * flows open in other windows of the application are passed over. */
void              deca_window_open_initial     (DecaWindow   *self);
/* Creates an empty flow, saves it and opens it. */
void              deca_window_new_flow         (DecaWindow   *self);
/* Imports flow text (@length -1 when NUL-terminated; a NUL byte or bad UTF-8 inside
 * is a parse error): on success the flow is stored (with a fresh id when its id is
 * taken, laid out when it has no positions) and opened, and TRUE is returned; on failure
 * FALSE with the error (DECA_ENGINE_ERROR_PARSE, "line L, column C: ..."), and nothing in
 * the store changes. @source_name names the file in messages. */
gboolean          deca_window_import_data      (DecaWindow   *self,
                                                const char   *text,
                                                gssize        length,
                                                const char   *source_name,
                                                GError      **error);
/* Reads @file and imports it; a failure is shown in a dialog. */
void              deca_window_import_file      (DecaWindow   *self,
                                                GFile        *file);
/* Writes the open flow to @file; ::exported or a dialog tell how it went. */
void              deca_window_export_file      (DecaWindow   *self,
                                                GFile        *file);
/* Saves now instead of after the autosave delay (does nothing when nothing changed). */
void              deca_window_save_now         (DecaWindow   *self);

DecaFlowDocument *deca_window_get_document     (DecaWindow   *self);
const char       *deca_window_get_flow_id      (DecaWindow   *self);
/* The version the open flow was last saved as (0 before the first save). */
gint64            deca_window_get_saved_version (DecaWindow  *self);
/* The version shown when viewing an older one, 0 when the latest is open for editing. */
gint64            deca_window_get_shown_version (DecaWindow  *self);
/* TRUE while a save is queued or running. */
gboolean          deca_window_get_saving       (DecaWindow   *self);

DecaCanvas       *deca_window_get_canvas       (DecaWindow   *self);
DecaInspector    *deca_window_get_inspector    (DecaWindow   *self);
DecaPalette      *deca_window_get_palette      (DecaWindow   *self);
DecaFlowList     *deca_window_get_flow_list    (DecaWindow   *self);
DecaHistoryPanel *deca_window_get_history_panel (DecaWindow  *self);
AdwToastOverlay  *deca_window_get_toast_overlay (DecaWindow  *self);

G_END_DECLS
