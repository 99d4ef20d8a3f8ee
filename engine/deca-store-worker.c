/* deca-store-worker.c: a DecaStore on a thread of its own.
 *
 * One thread per worker. It opens the store, then pops jobs from an async queue and runs
 * them one at a time, in queue order, until it pops the stop job that dispose pushes
 * behind everything else. A job's outcome travels back to the caller's main context in
 * an idle source, and only there is it handed to the job's GTask: a GTask is created,
 * returned and dropped in the caller's thread, so its last reference, and the reference
 * it holds on the worker, never go away in the worker thread (which would have the
 * thread dispose, and join, itself).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-store-worker.h"

#include "deca-engine-error.h"
#include "deca-engine-private.h"

typedef enum {
  JOB_CALL,    /* run func and deliver its outcome to task */
  JOB_BARRIER, /* wake the deca_store_worker_flush() waiting on it */
  JOB_STOP,    /* close the store and end the thread */
} JobKind;

typedef struct {
  JobKind              kind;

  /* JOB_CALL. Created in the caller's thread and only touched there, except for
   * reading its cancellable (thread-safe). */
  GTask               *task;
  DecaStoreWorkerFunc  func;
  gpointer             data;
  GDestroyNotify       data_free;
  GDestroyNotify       result_free;
  /* The outcome, set by the worker thread before the job goes back. */
  gpointer             result;
  GError              *error;

  /* JOB_BARRIER: the flushing thread waits on cond until done. */
  GMutex               mutex;
  GCond                cond;
  gboolean             done;
} Job;

struct _DecaStoreWorker
{
  GObject parent_instance;

  char        *path;

  /* NULL once dispose has stopped the thread; set only in the caller's thread. */
  GThread     *thread;
  GAsyncQueue *queue;   /* (element-type Job) */

  /* Only touched by the worker thread: the store, or why it could not be opened. */
  DecaStore   *store;
  GError      *open_error;
};

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DecaStoreWorker, deca_store_worker, G_TYPE_OBJECT)

/* Jobs */

/* Frees a JOB_CALL whose outcome has been delivered (or a barrier/stop job). The data
 * was freed by the worker thread; an undelivered result is freed with result_free. */
static void
job_free (Job *job)
{
  if (job->result != NULL && job->result_free != NULL)
    job->result_free (job->result);
  g_clear_error (&job->error);
  g_clear_object (&job->task);
  if (job->kind == JOB_BARRIER)
    {
      g_mutex_clear (&job->mutex);
      g_cond_clear (&job->cond);
    }
  g_free (job);
}

/* Frees the job's input once it has run or been skipped, in the thread that did so. */
static void
job_drop_data (Job *job)
{
  if (job->data_free != NULL && job->data != NULL)
    job->data_free (job->data);
  job->data = NULL;
}

/* Runs in the caller's main context: hands the job's outcome to its GTask. */
static gboolean
job_deliver_cb (gpointer user_data)
{
  Job *job = user_data;

  if (job->error != NULL)
    g_task_return_error (job->task, g_steal_pointer (&job->error));
  else
    g_task_return_pointer (job->task, g_steal_pointer (&job->result), job->result_free);
  job_free (job);
  return G_SOURCE_REMOVE;
}

/* Sends @job back to the main context its task was created in. An idle source rather
 * than g_main_context_invoke(), which may run the function right here in the worker
 * thread when nobody is iterating that context. At high priority: whoever waits for a
 * job (a checkpoint that answers a webhook's caller, a save a request waits for) has
 * work under way, which goes before taking on new work (new requests) from the sockets. */
static void
job_send_back (Job *job)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, job_deliver_cb, job, NULL);
  g_source_set_static_name (source, "[deca] store worker result");
  g_source_attach (source, g_task_get_context (job->task));
}

/* Worker thread: runs one JOB_CALL and sends its outcome back. */
static void
worker_run_call (DecaStoreWorker *self,
                 Job             *job)
{
  GCancellable *cancellable = g_task_get_cancellable (job->task);

  if (self->open_error != NULL)
    job->error = g_error_copy (self->open_error);
  else if (g_cancellable_set_error_if_cancelled (cancellable, &job->error))
    ;
  else
    {
      job->result = job->func (self->store, job->data, cancellable, &job->error);
      /* A job that fails and still returns something would leak it. */
      if (job->error != NULL && job->result != NULL)
        {
          if (job->result_free != NULL)
            job->result_free (job->result);
          job->result = NULL;
        }
    }

  job_drop_data (job);
  job_send_back (job);
}

/* The worker thread. Owns the store from open to close, so the store is only ever used
 * by the thread that opened it (deca-store.h). */
static gpointer
worker_thread_func (gpointer user_data)
{
  DecaStoreWorker *self = user_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  gboolean running = TRUE;

  /* Nothing here iterates a main context, but anything a job does that attaches a
   * source must not end up in the caller's global default context. */
  g_main_context_push_thread_default (context);

  self->store = deca_store_open (self->path, &self->open_error);
  if (self->store != NULL)
    deca_store_defer_checkpoint_finish (self->store);

  while (running)
    {
      Job *job = g_async_queue_pop (self->queue);

      switch (job->kind)
        {
        case JOB_CALL:
          worker_run_call (self, job);
          /* With the job's answer on its way: a checkpoint's last step delays at most the
           * next job, no longer the one whose commit made it due. */
          if (self->store != NULL)
            deca_store_finish_checkpoint (self->store);
          break;
        case JOB_BARRIER:
          /* The flushing thread owns the job and frees it after waking. */
          g_mutex_lock (&job->mutex);
          job->done = TRUE;
          g_cond_signal (&job->cond);
          g_mutex_unlock (&job->mutex);
          break;
        case JOB_STOP:
          job_free (job);
          running = FALSE;
          break;
        default:
          g_assert_not_reached ();
        }
    }

  /* Closing here: the last reference to the store is this thread's. */
  g_clear_object (&self->store);
  g_main_context_pop_thread_default (context);
  return NULL;
}

/* DecaStoreWorker */

static void
deca_store_worker_constructed (GObject *object)
{
  DecaStoreWorker *self = DECA_STORE_WORKER (object);

  G_OBJECT_CLASS (deca_store_worker_parent_class)->constructed (object);

  g_assert (self->path != NULL);
  self->thread = g_thread_new ("deca-store", worker_thread_func, self);
}

/* Stops the thread once every job queued before has run: the stop job goes to the back
 * of the queue, and joining waits for it. In practice every queued job's GTask holds a
 * reference on the worker until its callback has run, so by the time the last reference
 * goes the queue is empty; this matters for g_object_run_dispose(). */
static void
deca_store_worker_dispose (GObject *object)
{
  DecaStoreWorker *self = DECA_STORE_WORKER (object);

  if (self->thread != NULL)
    {
      Job *stop = g_new0 (Job, 1);

      g_assert (g_thread_self () != self->thread);
      stop->kind = JOB_STOP;
      g_async_queue_push (self->queue, stop);
      g_thread_join (g_steal_pointer (&self->thread));
    }

  G_OBJECT_CLASS (deca_store_worker_parent_class)->dispose (object);
}

static void
deca_store_worker_finalize (GObject *object)
{
  DecaStoreWorker *self = DECA_STORE_WORKER (object);

  g_clear_error (&self->open_error);
  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (deca_store_worker_parent_class)->finalize (object);
}

static void
deca_store_worker_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  DecaStoreWorker *self = DECA_STORE_WORKER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_store_worker_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  DecaStoreWorker *self = DECA_STORE_WORKER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_assert (self->path == NULL);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_store_worker_class_init (DecaStoreWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = deca_store_worker_constructed;
  object_class->dispose = deca_store_worker_dispose;
  object_class->finalize = deca_store_worker_finalize;
  object_class->get_property = deca_store_worker_get_property;
  object_class->set_property = deca_store_worker_set_property;

  /* The database file the worker's thread opens (":memory:" for a private one). */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The worker's own message (a closed worker) and the store's are the engine's. */
  _deca_engine_init_i18n ();
}

static void
deca_store_worker_init (DecaStoreWorker *self)
{
  self->queue = g_async_queue_new ();
}

/* Returns (transfer full) a worker whose thread opens, creating and migrating, the
 * store at @path. The open happens in the thread, so this never blocks; if it fails,
 * every job finishes with that error (DECA_ENGINE_ERROR_STORE, see deca_store_open()). */
DecaStoreWorker *
deca_store_worker_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (DECA_TYPE_STORE_WORKER, "path", path, NULL);
}

/* Returns (transfer none) the path given to deca_store_worker_new(). */
const char *
deca_store_worker_get_path (DecaStoreWorker *self)
{
  g_return_val_if_fail (DECA_IS_STORE_WORKER (self), NULL);

  return self->path;
}

/* Queues a job whose task carries @source_tag, which its _finish checks. After dispose
 * (g_object_run_dispose()) there is no thread: the job fails with G_IO_ERROR_CLOSED
 * without running. */
static void
worker_queue (DecaStoreWorker     *self,
              DecaStoreWorkerFunc  func,
              gpointer             data,
              GDestroyNotify       data_free,
              GDestroyNotify       result_free,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  Job *job;

  job = g_new0 (Job, 1);
  job->kind = JOB_CALL;
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);
  g_task_set_name (job->task, "[deca] store worker job");
  /* A job that has started runs to the end (its write is committed), so its outcome is
   * reported as it is, even if @cancellable was cancelled meanwhile: a save must not
   * look failed when it is on disk. A job cancelled before it started fails with
   * G_IO_ERROR_CANCELLED in worker_run_call(). */
  g_task_set_check_cancellable (job->task, FALSE);
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;

  if (self->thread == NULL)
    {
      job_drop_data (job);
      job->error = g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                _("The store “%s” has been closed"), self->path);
      job_send_back (job);
      return;
    }

  g_async_queue_push (self->queue, job);
}

/* The guards every _finish shares, then the job's result: (transfer full) (nullable),
 * or NULL with the job's error (or without one when a guard failed). */
static gpointer
worker_propagate (DecaStoreWorker  *self,
                  GAsyncResult     *result,
                  gpointer          source_tag,
                  GError          **error)
{
  g_return_val_if_fail (DECA_IS_STORE_WORKER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Queues @func to run in the worker's thread with the worker's store, after every job
 * queued before it. @data is passed to it and freed with @data_free (in the worker
 * thread) once it has run, or been skipped. @callback runs in the thread-default main
 * context of the calling thread; deca_store_worker_call_finish() then returns the
 * job's result, which is freed with @result_free if nobody claims it. The job fails
 * without running with G_IO_ERROR_CANCELLED when @cancellable is cancelled before it
 * starts, and with the store's open error when the store could not be opened. */
void
deca_store_worker_call_async (DecaStoreWorker     *self,
                              DecaStoreWorkerFunc  func,
                              gpointer             data,
                              GDestroyNotify       data_free,
                              GDestroyNotify       result_free,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (DECA_IS_STORE_WORKER (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  worker_queue (self, func, data, data_free, result_free,
                deca_store_worker_call_async, cancellable, callback, user_data);
}

/* Returns (transfer full) (nullable) the result of a job queued with
 * deca_store_worker_call_async(), or NULL with the job's error. A job may also succeed
 * with NULL, so tell the two apart by @error. */
gpointer
deca_store_worker_call_finish (DecaStoreWorker  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  return worker_propagate (self, result, deca_store_worker_call_async, error);
}

/* Blocks the calling thread until every job queued so far has run in the worker's
 * thread. Their callbacks have not run yet then: they are waiting in the callers' main
 * contexts. Never call it from a job (it would wait for itself). */
void
deca_store_worker_flush (DecaStoreWorker *self)
{
  Job *barrier;

  g_return_if_fail (DECA_IS_STORE_WORKER (self));

  if (self->thread == NULL)
    return;
  g_return_if_fail (g_thread_self () != self->thread);

  barrier = g_new0 (Job, 1);
  barrier->kind = JOB_BARRIER;
  g_mutex_init (&barrier->mutex);
  g_cond_init (&barrier->cond);

  g_mutex_lock (&barrier->mutex);
  g_async_queue_push (self->queue, barrier);
  while (!barrier->done)
    g_cond_wait (&barrier->cond, &barrier->mutex);
  g_mutex_unlock (&barrier->mutex);

  job_free (barrier);
}

/* Typed jobs */

typedef struct {
  char   *flow_id;
  char   *name;
  char   *document;
  gint64  version;
  gboolean deleted;
} FlowJobData;

static void
flow_job_data_free (FlowJobData *data)
{
  g_free (data->flow_id);
  g_free (data->name);
  g_free (data->document);
  g_free (data);
}

static FlowJobData *
flow_job_data_new (const char *flow_id)
{
  FlowJobData *data = g_new0 (FlowJobData, 1);

  data->flow_id = g_strdup (flow_id);
  return data;
}

/* The outcome of a load: the text and the version it is. */
typedef struct {
  char   *document;
  gint64  version;
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  g_free (result->document);
  g_free (result);
}

/* Marks success for jobs whose result is a boolean (nothing to free). */
#define JOB_OK GINT_TO_POINTER (1)

static gpointer
save_flow_job (DecaStore     *store,
               gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  FlowJobData *data = user_data;
  gint64 *version = g_new0 (gint64, 1);

  if (!deca_store_save_flow (store, data->flow_id, data->name, data->document,
                             version, error))
    {
      g_free (version);
      return NULL;
    }
  return version;
}

/* Queues deca_store_save_flow() (@name may be NULL: see there). The strings are copied. */
void
deca_store_worker_save_flow_async (DecaStoreWorker     *self,
                                   const char          *flow_id,
                                   const char          *name,
                                   const char          *document,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  FlowJobData *data;

  g_return_if_fail (DECA_IS_STORE_WORKER (self));
  g_return_if_fail (flow_id != NULL);
  g_return_if_fail (document != NULL);

  data = flow_job_data_new (flow_id);
  data->name = g_strdup (name);
  data->document = g_strdup (document);
  worker_queue (self, save_flow_job, data, (GDestroyNotify) flow_job_data_free, g_free,
                deca_store_worker_save_flow_async, cancellable, callback, user_data);
}

/* Returns TRUE with @out_version (nullable) set to the version now holding the
 * document, or FALSE with the save's error. */
gboolean
deca_store_worker_save_flow_finish (DecaStoreWorker  *self,
                                    GAsyncResult     *result,
                                    gint64           *out_version,
                                    GError          **error)
{
  g_autofree gint64 *version = NULL;

  version = worker_propagate (self, result, deca_store_worker_save_flow_async, error);
  if (version == NULL)
    return FALSE;
  if (out_version)
    *out_version = *version;
  return TRUE;
}

static gpointer
load_flow_job (DecaStore     *store,
               gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  FlowJobData *data = user_data;
  LoadResult *result = g_new0 (LoadResult, 1);

  result->document = deca_store_load_flow (store, data->flow_id, data->version,
                                           &result->version, error);
  if (result->document == NULL)
    {
      load_result_free (result);
      return NULL;
    }
  return result;
}

/* Queues deca_store_load_flow() of @flow_id at @version (0 = latest). */
void
deca_store_worker_load_flow_async (DecaStoreWorker     *self,
                                   const char          *flow_id,
                                   gint64               version,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  FlowJobData *data;

  g_return_if_fail (DECA_IS_STORE_WORKER (self));
  g_return_if_fail (flow_id != NULL);
  g_return_if_fail (version >= 0);

  data = flow_job_data_new (flow_id);
  data->version = version;
  worker_queue (self, load_flow_job, data, (GDestroyNotify) flow_job_data_free,
                (GDestroyNotify) load_result_free,
                deca_store_worker_load_flow_async, cancellable, callback, user_data);
}

/* Returns (transfer full) the flow text, setting @out_version (nullable) to its
 * version, or NULL with DECA_ENGINE_ERROR_NOT_FOUND / _STORE (see
 * deca_store_load_flow()). */
char *
deca_store_worker_load_flow_finish (DecaStoreWorker  *self,
                                    GAsyncResult     *result,
                                    gint64           *out_version,
                                    GError          **error)
{
  LoadResult *loaded;
  char *document;

  loaded = worker_propagate (self, result, deca_store_worker_load_flow_async, error);
  if (loaded == NULL)
    return NULL;
  if (out_version)
    *out_version = loaded->version;
  document = g_steal_pointer (&loaded->document);
  load_result_free (loaded);
  return document;
}

static gpointer
list_flows_job (DecaStore     *store,
                gpointer       user_data,
                GCancellable  *cancellable,
                GError       **error)
{
  return deca_store_list_flow_summaries (store, error);
}

/* Queues deca_store_list_flow_summaries(). */
void
deca_store_worker_list_flows_async (DecaStoreWorker     *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (DECA_IS_STORE_WORKER (self));

  worker_queue (self, list_flows_job, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                deca_store_worker_list_flows_async, cancellable, callback, user_data);
}

/* Returns (transfer full) (element-type DecaFlowSummary) the flows that are not
 * deleted, most recently updated first, or NULL with the error. */
GPtrArray *
deca_store_worker_list_flows_finish (DecaStoreWorker  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  return worker_propagate (self, result, deca_store_worker_list_flows_async, error);
}

static gpointer
list_versions_job (DecaStore     *store,
                   gpointer       user_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  FlowJobData *data = user_data;

  return deca_store_list_flow_versions (store, data->flow_id, error);
}

/* Queues deca_store_list_flow_versions() of @flow_id. */
void
deca_store_worker_list_versions_async (DecaStoreWorker     *self,
                                       const char          *flow_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (DECA_IS_STORE_WORKER (self));
  g_return_if_fail (flow_id != NULL);

  worker_queue (self, list_versions_job, flow_job_data_new (flow_id),
                (GDestroyNotify) flow_job_data_free, (GDestroyNotify) g_ptr_array_unref,
                deca_store_worker_list_versions_async, cancellable, callback, user_data);
}

/* Returns (transfer full) (element-type DecaFlowVersionInfo) the versions, newest
 * first, or NULL with DECA_ENGINE_ERROR_NOT_FOUND / _STORE. */
GPtrArray *
deca_store_worker_list_versions_finish (DecaStoreWorker  *self,
                                        GAsyncResult     *result,
                                        GError          **error)
{
  return worker_propagate (self, result, deca_store_worker_list_versions_async, error);
}

static gpointer
set_flow_deleted_job (DecaStore     *store,
                      gpointer       user_data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  FlowJobData *data = user_data;

  if (!deca_store_set_flow_deleted (store, data->flow_id, data->deleted, error))
    return NULL;
  return JOB_OK;
}

/* Queues deca_store_set_flow_deleted(). */
void
deca_store_worker_set_flow_deleted_async (DecaStoreWorker     *self,
                                          const char          *flow_id,
                                          gboolean             deleted,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  FlowJobData *data;

  g_return_if_fail (DECA_IS_STORE_WORKER (self));
  g_return_if_fail (flow_id != NULL);

  data = flow_job_data_new (flow_id);
  data->deleted = !!deleted;
  worker_queue (self, set_flow_deleted_job, data, (GDestroyNotify) flow_job_data_free, NULL,
                deca_store_worker_set_flow_deleted_async, cancellable, callback, user_data);
}

/* Returns TRUE when the flag was set, FALSE with DECA_ENGINE_ERROR_NOT_FOUND / _STORE. */
gboolean
deca_store_worker_set_flow_deleted_finish (DecaStoreWorker  *self,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  return worker_propagate (self, result, deca_store_worker_set_flow_deleted_async,
                           error) != NULL;
}
