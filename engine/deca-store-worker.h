#pragma once

#include <gio/gio.h>

#include "deca-store.h"

G_BEGIN_DECLS

/*
 * DecaStoreWorker: a DecaStore on a thread of its own, for callers whose thread must not
 * block on SQLite (the studio's UI thread, STYLE 9). The worker opens the store in its
 * thread and runs jobs there one at a time, in the order they were queued, so a save
 * queued before a list is seen by the list. Every call is _async/_finish on a GTask
 * whose callback runs in the thread-default main context of the caller.
 *
 * A job cancelled before it starts does not run and finishes with G_IO_ERROR_CANCELLED;
 * one already running completes and reports its own outcome (a half-done SQLite write is
 * never abandoned, and a save that reached the disk never looks failed).
 * Disposing the worker waits for queued jobs, so nothing queued is lost. Each queued
 * job's GTask holds a reference on the worker until its callback has run, so the worker
 * lives that long; a process leaving its main loop with work queued (the studio on quit)
 * calls deca_store_worker_flush() first. Jobs queued after g_object_run_dispose() fail
 * with G_IO_ERROR_CLOSED. See docs/storage.md, "DecaStoreWorker".
 */

#define DECA_TYPE_STORE_WORKER (deca_store_worker_get_type ())
G_DECLARE_FINAL_TYPE (DecaStoreWorker, deca_store_worker, DECA, STORE_WORKER, GObject)

/* A job: runs in the worker's thread with the worker's store. Returns (transfer full) a
 * result for _finish, or NULL with @error set (NULL without error is allowed and means
 * "no result"). */
typedef gpointer (*DecaStoreWorkerFunc) (DecaStore     *store,
                                         gpointer       data,
                                         GCancellable  *cancellable,
                                         GError       **error);

/* Starts the thread, which opens (creating) the store at @path. An open failure is the
 * error of every job. */
DecaStoreWorker *deca_store_worker_new          (const char *path);
const char      *deca_store_worker_get_path     (DecaStoreWorker *self);

/* Queues @func (@data, freed with @data_free after the job) for the worker's thread.
 * _finish returns (transfer full) its result, freed with @result_free when unclaimed. */
void      deca_store_worker_call_async  (DecaStoreWorker     *self,
                                         DecaStoreWorkerFunc  func,
                                         gpointer             data,
                                         GDestroyNotify       data_free,
                                         GDestroyNotify       result_free,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gpointer  deca_store_worker_call_finish (DecaStoreWorker  *self,
                                         GAsyncResult     *result,
                                         GError          **error);
/* Blocks until every job queued so far has run (shutdown, tests); their callbacks are
 * then waiting in their main contexts. Never call it from inside a job. */
void      deca_store_worker_flush       (DecaStoreWorker *self);

/* Saves @document (flow JSON text) as the newest version of @flow_id (see
 * deca_store_save_flow()); _finish gives the version that now holds it. */
void      deca_store_worker_save_flow_async  (DecaStoreWorker     *self,
                                              const char          *flow_id,
                                              const char          *name,
                                              const char          *document,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  deca_store_worker_save_flow_finish (DecaStoreWorker  *self,
                                              GAsyncResult     *result,
                                              gint64           *out_version,
                                              GError          **error);
/* Loads @flow_id at @version (0 = latest); _finish returns (transfer full) the text. */
void      deca_store_worker_load_flow_async  (DecaStoreWorker     *self,
                                              const char          *flow_id,
                                              gint64               version,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
char     *deca_store_worker_load_flow_finish (DecaStoreWorker  *self,
                                              GAsyncResult     *result,
                                              gint64           *out_version,
                                              GError          **error);
/* _finish returns (transfer full) (element-type DecaFlowSummary) the flows that are not
 * deleted, most recently updated first. */
void       deca_store_worker_list_flows_async  (DecaStoreWorker     *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray *deca_store_worker_list_flows_finish (DecaStoreWorker  *self,
                                                GAsyncResult     *result,
                                                GError          **error);
/* _finish returns (transfer full) (element-type DecaFlowVersionInfo), newest first. */
void       deca_store_worker_list_versions_async  (DecaStoreWorker     *self,
                                                   const char          *flow_id,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GPtrArray *deca_store_worker_list_versions_finish (DecaStoreWorker  *self,
                                                   GAsyncResult     *result,
                                                   GError          **error);
/* Marks @flow_id deleted (@deleted TRUE) or brings it back (FALSE); see
 * deca_store_set_flow_deleted(). */
void       deca_store_worker_set_flow_deleted_async  (DecaStoreWorker     *self,
                                                      const char          *flow_id,
                                                      gboolean             deleted,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean   deca_store_worker_set_flow_deleted_finish (DecaStoreWorker  *self,
                                                      GAsyncResult     *result,
                                                      GError          **error);

G_END_DECLS
