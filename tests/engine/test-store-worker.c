/* test-store-worker.c: DecaStoreWorker against real SQLite files in a temporary
 * directory, with the callbacks delivered in main contexts the tests iterate. */

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "deca-engine-error.h"
#include "deca-store.h"
#include "deca-test-store-dir.h"
#include "deca-store-worker.h"

typedef DecaTestStoreDir Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  deca_test_store_dir_init (fixture, "deca-test-store-worker");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_store_dir_clear (fixture);
}

/* Stores the GAsyncResult a callback got and the thread and context it ran in. */
typedef struct {
  GAsyncResult *result;
  GThread      *thread;
  GMainContext *context;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_object (&outcome->result);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcome, outcome_clear)

static void
outcome_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *outcome = user_data;

  g_assert_null (outcome->result);
  outcome->result = g_object_ref (result);
  outcome->thread = g_thread_self ();
  outcome->context = g_main_context_get_thread_default ();
}

/* Iterates the thread-default context until @outcome has its result. */
static void
wait_for (Outcome *outcome)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (outcome->result == NULL)
    g_main_context_iteration (context, TRUE);
}

/* Blocks the test until @worker has finalized, iterating the thread-default context so
 * that the callbacks (whose tasks hold the worker) run. */
static void
wait_for_finalize (DecaStoreWorker *worker)
{
  GMainContext *context = g_main_context_get_thread_default ();

  g_object_add_weak_pointer (G_OBJECT (worker), (gpointer *) &worker);
  g_object_unref (worker);
  while (worker != NULL)
    g_main_context_iteration (context, TRUE);
}

/* Saves @document under @flow_id through @worker and returns the version. */
static gint64
save_sync (DecaStoreWorker *worker,
           const char      *flow_id,
           const char      *document)
{
  g_auto(Outcome) outcome = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 version = 0;

  deca_store_worker_save_flow_async (worker, flow_id, NULL, document, NULL,
                                     outcome_cb, &outcome);
  wait_for (&outcome);
  g_assert_true (deca_store_worker_save_flow_finish (worker, outcome.result, &version, &error));
  g_assert_no_error (error);
  return version;
}

/* Jobs */

/* A job that appends its number to the log shared by the test (only the worker thread
 * writes to it while jobs run) and records the thread it ran in. */
typedef struct {
  GPtrArray *log;    /* (element-type gint) as pointers */
  int        number;
  GThread  **thread; /* nullable */
} LogJob;

static gpointer
log_job (DecaStore     *store,
         gpointer       user_data,
         GCancellable  *cancellable,
         GError       **error)
{
  LogJob *job = user_data;

  g_assert_true (DECA_IS_STORE (store));
  g_ptr_array_add (job->log, GINT_TO_POINTER (job->number));
  if (job->thread)
    *job->thread = g_thread_self ();
  return g_strdup_printf ("result %d", job->number);
}

/* A job that fails with an error of its own. */
static gpointer
failing_job (DecaStore     *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE, "job %d failed",
               GPOINTER_TO_INT (user_data));
  return NULL;
}

/* A job that blocks the worker thread until the test opens its gate. */
typedef struct {
  GMutex   mutex;
  GCond    cond;
  gboolean started;
  gboolean open;
} Gate;

static gpointer
gate_job (DecaStore     *store,
          gpointer       user_data,
          GCancellable  *cancellable,
          GError       **error)
{
  Gate *gate = user_data;

  g_mutex_lock (&gate->mutex);
  gate->started = TRUE;
  g_cond_broadcast (&gate->cond);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);
  return NULL;
}

static void
gate_wait_started (Gate *gate)
{
  g_mutex_lock (&gate->mutex);
  while (!gate->started)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);
}

static void
gate_open (Gate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->mutex);
}

/* Counts data_free calls. */
static int data_freed;

static void
count_free (gpointer data)
{
  g_atomic_int_inc (&data_freed);
  g_free (data);
}

/* Tests */

/* Jobs run in the order they were queued, each result goes to its own callback, and a
 * save queued before a load is seen by it. */
static void
test_order (Fixture       *fixture,
            gconstpointer  data)
{
  DecaStoreWorker *worker = deca_store_worker_new (fixture->path);
  g_autoptr(GPtrArray) log = g_ptr_array_new ();
  Outcome outcomes[20] = { { 0 } };
  LogJob jobs[20];
  g_auto(Outcome) saved = { 0 };
  g_auto(Outcome) loaded = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *document = NULL;
  gint64 version = 0;

  g_assert_cmpstr (deca_store_worker_get_path (worker), ==, fixture->path);

  for (int i = 0; i < 20; i++)
    {
      jobs[i] = (LogJob) { log, i, NULL };
      deca_store_worker_call_async (worker, log_job, &jobs[i], NULL, g_free, NULL,
                                    outcome_cb, &outcomes[i]);
    }
  deca_store_worker_save_flow_async (worker, "f", "F", "{\"id\":\"f\",\"name\":\"F\"}", NULL,
                                     outcome_cb, &saved);
  deca_store_worker_load_flow_async (worker, "f", 0, NULL, outcome_cb, &loaded);

  wait_for (&loaded);
  for (int i = 0; i < 20; i++)
    {
      g_autofree char *result = NULL;
      g_autofree char *expected = g_strdup_printf ("result %d", i);

      wait_for (&outcomes[i]);
      result = deca_store_worker_call_finish (worker, outcomes[i].result, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (result, ==, expected);
      outcome_clear (&outcomes[i]);
    }
  g_assert_cmpuint (log->len, ==, 20);
  for (int i = 0; i < 20; i++)
    g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (log, i)), ==, i);

  wait_for (&saved);
  g_assert_true (deca_store_worker_save_flow_finish (worker, saved.result, &version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 1);

  version = 0;
  document = deca_store_worker_load_flow_finish (worker, loaded.result, &version, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document, ==, "{\"id\":\"f\",\"name\":\"F\"}");
  g_assert_cmpint (version, ==, 1);

  outcome_clear (&saved);
  outcome_clear (&loaded);
  wait_for_finalize (worker);
}

/* Callbacks run in the thread-default context of the thread that queued the job, not
 * in the global default context; a job's error reaches its callback as it was set, and
 * the typed wrappers report the store's errors. */
static void
test_results_on_caller_context (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  DecaStoreWorker *worker;
  g_auto(Outcome) ok = { 0 };
  g_auto(Outcome) failed = { 0 };
  g_auto(Outcome) missing = { 0 };
  g_autoptr(GPtrArray) log = g_ptr_array_new ();
  LogJob job = { log, 7, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  g_autofree char *document = NULL;

  g_main_context_push_thread_default (context);
  worker = deca_store_worker_new (fixture->path);

  deca_store_worker_call_async (worker, log_job, &job, NULL, g_free, NULL, outcome_cb, &ok);
  deca_store_worker_call_async (worker, failing_job, GINT_TO_POINTER (3), NULL, NULL, NULL,
                                outcome_cb, &failed);
  deca_store_worker_load_flow_async (worker, "nope", 0, NULL, outcome_cb, &missing);
  deca_store_worker_flush (worker);

  /* Every job has run, but no callback can have: they wait in @context, which nobody
   * iterated, and the global default context holds none of them. */
  g_assert_cmpuint (log->len, ==, 1);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (ok.result);
  g_assert_null (failed.result);
  g_assert_null (missing.result);

  wait_for (&ok);
  wait_for (&failed);
  wait_for (&missing);
  g_assert_true (ok.thread == g_thread_self ());
  g_assert_true (ok.context == context);
  g_assert_true (failed.context == context);
  g_assert_true (missing.context == context);

  result = deca_store_worker_call_finish (worker, ok.result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "result 7");

  g_assert_null (deca_store_worker_call_finish (worker, failed.result, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE);
  g_assert_cmpstr (error->message, ==, "job 3 failed");
  g_clear_error (&error);

  document = deca_store_worker_load_flow_finish (worker, missing.result, NULL, &error);
  g_assert_null (document);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  outcome_clear (&ok);
  outcome_clear (&failed);
  outcome_clear (&missing);
  wait_for_finalize (worker);
  g_main_context_pop_thread_default (context);
}

/* Jobs run in the worker's thread: neither the test's thread nor another each time. */
static void
test_runs_off_caller_thread (Fixture       *fixture,
                             gconstpointer  data)
{
  DecaStoreWorker *worker = deca_store_worker_new (fixture->path);
  g_autoptr(GPtrArray) log = g_ptr_array_new ();
  GThread *first = NULL;
  GThread *second = NULL;
  LogJob job1 = { log, 1, &first };
  LogJob job2 = { log, 2, &second };
  g_auto(Outcome) outcome1 = { 0 };
  g_auto(Outcome) outcome2 = { 0 };

  deca_store_worker_call_async (worker, log_job, &job1, NULL, g_free, NULL,
                                outcome_cb, &outcome1);
  deca_store_worker_call_async (worker, log_job, &job2, NULL, g_free, NULL,
                                outcome_cb, &outcome2);
  wait_for (&outcome1);
  wait_for (&outcome2);

  g_assert_nonnull (first);
  g_assert_true (first != g_thread_self ());
  g_assert_true (first == second);

  outcome_clear (&outcome1);
  outcome_clear (&outcome2);
  wait_for_finalize (worker);
}

/* A store that cannot be opened fails every job with the open error, the typed ones
 * too, and the data of each is still freed. */
static void
check_open_failure (const char *path)
{
  DecaStoreWorker *worker = deca_store_worker_new (path);
  g_auto(Outcome) call = { 0 };
  g_auto(Outcome) save = { 0 };
  g_auto(Outcome) load = { 0 };
  g_auto(Outcome) flows = { 0 };
  g_auto(Outcome) versions = { 0 };
  g_auto(Outcome) deleted = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = g_ptr_array_new ();

  data_freed = 0;
  deca_store_worker_call_async (worker, log_job, g_memdup2 (&(LogJob) { log, 1, NULL },
                                                            sizeof (LogJob)),
                                count_free, g_free, NULL, outcome_cb, &call);
  deca_store_worker_save_flow_async (worker, "f", NULL, "{}", NULL, outcome_cb, &save);
  deca_store_worker_load_flow_async (worker, "f", 0, NULL, outcome_cb, &load);
  deca_store_worker_list_flows_async (worker, NULL, outcome_cb, &flows);
  deca_store_worker_list_versions_async (worker, "f", NULL, outcome_cb, &versions);
  deca_store_worker_set_flow_deleted_async (worker, "f", TRUE, NULL, outcome_cb, &deleted);
  wait_for (&deleted);
  wait_for (&call);
  wait_for (&save);
  wait_for (&load);
  wait_for (&flows);
  wait_for (&versions);

  g_assert_null (deca_store_worker_call_finish (worker, call.result, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_cmpuint (log->len, ==, 0);
  g_assert_cmpint (data_freed, ==, 1);

  g_assert_false (deca_store_worker_save_flow_finish (worker, save.result, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_clear_error (&error);
  g_assert_null (deca_store_worker_load_flow_finish (worker, load.result, NULL, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_clear_error (&error);
  g_assert_null (deca_store_worker_list_flows_finish (worker, flows.result, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_clear_error (&error);
  g_assert_null (deca_store_worker_list_versions_finish (worker, versions.result, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_clear_error (&error);
  g_assert_false (deca_store_worker_set_flow_deleted_finish (worker, deleted.result, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_clear_error (&error);

  outcome_clear (&call);
  outcome_clear (&save);
  outcome_clear (&load);
  outcome_clear (&flows);
  outcome_clear (&versions);
  outcome_clear (&deleted);
  wait_for_finalize (worker);
}

static void
test_open_failure_missing_directory (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "no-such-dir", "deca.db", NULL);

  check_open_failure (path);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_open_failure_not_sqlite (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *after = NULL;

  for (int i = 0; i < 200; i++)
    g_string_append (text, "{\"this\": \"is a flow document, not a database\"}\n");
  g_assert_true (g_file_set_contents (fixture->path, text->str, text->len, NULL));

  check_open_failure (fixture->path);

  /* The file is left as it was. */
  g_assert_true (g_file_get_contents (fixture->path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, text->str);
}

/* A job whose cancellable is cancelled before it starts does not run, finishes with
 * G_IO_ERROR_CANCELLED and has its data freed; one cancelled while it runs completes
 * and reports its own outcome; the jobs around them are not affected. */
static void
test_cancel_before_start (Fixture       *fixture,
                          gconstpointer  data)
{
  DecaStoreWorker *worker = deca_store_worker_new (fixture->path);
  g_autoptr(GCancellable) running_cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) log = g_ptr_array_new ();
  Gate gate = { 0 };
  g_auto(Outcome) gated = { 0 };
  g_auto(Outcome) cancelled = { 0 };
  g_auto(Outcome) cancelled_save = { 0 };
  g_auto(Outcome) after = { 0 };
  LogJob after_job = { log, 2, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  g_autoptr(GPtrArray) flows = NULL;

  g_mutex_init (&gate.mutex);
  g_cond_init (&gate.cond);

  /* Hold the thread in the first job so that the next ones are still queued. */
  deca_store_worker_call_async (worker, gate_job, &gate, NULL, NULL, running_cancellable,
                                outcome_cb, &gated);
  gate_wait_started (&gate);

  data_freed = 0;
  deca_store_worker_call_async (worker, log_job, g_memdup2 (&(LogJob) { log, 1, NULL },
                                                            sizeof (LogJob)),
                                count_free, g_free, cancellable, outcome_cb, &cancelled);
  deca_store_worker_save_flow_async (worker, "f", NULL, "{}", cancellable,
                                     outcome_cb, &cancelled_save);
  deca_store_worker_call_async (worker, log_job, &after_job, NULL, g_free, NULL,
                                outcome_cb, &after);
  g_cancellable_cancel (cancellable);
  g_cancellable_cancel (running_cancellable);
  gate_open (&gate);

  wait_for (&gated);
  wait_for (&cancelled);
  wait_for (&cancelled_save);
  wait_for (&after);

  /* The running job was cancelled too late: it completed, and says so. */
  g_assert_null (deca_store_worker_call_finish (worker, gated.result, &error));
  g_assert_no_error (error);

  g_assert_null (deca_store_worker_call_finish (worker, cancelled.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (data_freed, ==, 1);

  g_assert_false (deca_store_worker_save_flow_finish (worker, cancelled_save.result, NULL,
                                                      &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  result = deca_store_worker_call_finish (worker, after.result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "result 2");

  /* Only the job after the cancelled ones ran, and the cancelled save saved nothing. */
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (log, 0)), ==, 2);
  outcome_clear (&after);
  deca_store_worker_list_flows_async (worker, NULL, outcome_cb, &after);
  wait_for (&after);
  flows = deca_store_worker_list_flows_finish (worker, after.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flows->len, ==, 0);

  outcome_clear (&gated);
  outcome_clear (&cancelled);
  outcome_clear (&cancelled_save);
  outcome_clear (&after);
  wait_for_finalize (worker);
  g_mutex_clear (&gate.mutex);
  g_cond_clear (&gate.cond);
}

/* Results nobody claims (no callback, or a callback that does not call _finish) are
 * freed with the job's result_free. */
static int results_freed;

static void
count_result_free (gpointer result)
{
  g_atomic_int_inc (&results_freed);
  g_free (result);
}

static void
ignore_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *called = user_data;

  *called = TRUE;
}

static void
test_unclaimed_results_freed (Fixture       *fixture,
                              gconstpointer  data)
{
  DecaStoreWorker *worker = deca_store_worker_new (fixture->path);
  g_autoptr(GPtrArray) log = g_ptr_array_new ();
  LogJob job1 = { log, 1, NULL };
  LogJob job2 = { log, 2, NULL };
  gboolean called = FALSE;

  results_freed = 0;
  deca_store_worker_call_async (worker, log_job, &job1, NULL, count_result_free, NULL,
                                NULL, NULL);
  deca_store_worker_call_async (worker, log_job, &job2, NULL, count_result_free, NULL,
                                ignore_cb, &called);
  /* Each GTask holds the worker until its callback has been delivered, so the worker
   * finalizing means both were. */
  wait_for_finalize (worker);
  g_assert_true (called);
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_cmpint (results_freed, ==, 2);
}

/* Dropping the worker with saves still queued loses none of them: they run, the store
 * is closed in the worker's thread, and a store opened afterwards finds them. */
static void
test_dispose_flushes (Fixture       *fixture,
                      gconstpointer  data)
{
  DecaStoreWorker *worker = deca_store_worker_new (fixture->path);
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 50; i++)
    {
      g_autofree char *id = g_strdup_printf ("flow-%02d", i);
      g_autofree char *document = g_strdup_printf ("{\"id\":\"%s\",\"name\":\"Flow %d\"}", id, i);

      deca_store_worker_save_flow_async (worker, id, NULL, document, NULL, NULL, NULL);
    }
  wait_for_finalize (worker);

  /* The worker's connection is closed: the WAL was checkpointed into the file and
   * removed (SQLite does that when the last connection closes). */
  {
    g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);

    g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  }

  store = deca_store_open (fixture->path, &error);
  g_assert_no_error (error);
  ids = deca_store_list_flows (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 50);
  for (int i = 0; i < 50; i++)
    {
      g_autofree char *id = g_strdup_printf ("flow-%02d", i);

      g_assert_cmpstr (g_ptr_array_index (ids, i), ==, id);
    }
}

/* g_object_run_dispose() (what a language binding or a shutdown path may do while
 * callbacks are pending) also runs every queued job first; a job queued after it fails
 * with G_IO_ERROR_CLOSED instead of running. */
static void
test_run_dispose_flushes (Fixture       *fixture,
                          gconstpointer  data)
{
  DecaStoreWorker *worker = deca_store_worker_new (fixture->path);
  g_autoptr(DecaStore) store = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Outcome) saved = { 0 };
  g_auto(Outcome) late = { 0 };
  gint64 version = 0;

  deca_store_worker_save_flow_async (worker, "a", NULL, "{\"id\":\"a\"}", NULL, NULL, NULL);
  deca_store_worker_save_flow_async (worker, "b", NULL, "{\"id\":\"b\"}", NULL,
                                     outcome_cb, &saved);
  g_object_run_dispose (G_OBJECT (worker));

  store = deca_store_open (fixture->path, &error);
  g_assert_no_error (error);
  ids = deca_store_list_flows (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);

  deca_store_worker_save_flow_async (worker, "c", NULL, "{\"id\":\"c\"}", NULL,
                                     outcome_cb, &late);
  wait_for (&saved);
  wait_for (&late);
  g_assert_true (deca_store_worker_save_flow_finish (worker, saved.result, &version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 1);
  g_assert_false (deca_store_worker_save_flow_finish (worker, late.result, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);

  outcome_clear (&saved);
  outcome_clear (&late);
  wait_for_finalize (worker);
}

/* flush() returns only once everything queued before it has run. */
static void
test_flush (Fixture       *fixture,
            gconstpointer  data)
{
  DecaStoreWorker *worker = deca_store_worker_new (fixture->path);
  g_autoptr(GPtrArray) log = g_ptr_array_new ();
  LogJob jobs[10];

  for (int i = 0; i < 10; i++)
    {
      jobs[i] = (LogJob) { log, i, NULL };
      deca_store_worker_call_async (worker, log_job, &jobs[i], NULL, g_free, NULL,
                                    NULL, NULL);
    }
  deca_store_worker_flush (worker);
  g_assert_cmpuint (log->len, ==, 10);
  /* A second flush with nothing queued returns too. */
  deca_store_worker_flush (worker);
  wait_for_finalize (worker);
}

/* The typed catalogue wrappers: list, versions and delete through the worker. */
static void
test_catalogue (Fixture       *fixture,
                gconstpointer  data)
{
  DecaStoreWorker *worker = deca_store_worker_new (fixture->path);
  g_auto(Outcome) outcome = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) flows = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  DecaFlowVersionInfo *info;

  g_assert_cmpint (save_sync (worker, "a", "{\"id\":\"a\",\"name\":\"A one\"}"), ==, 1);
  g_assert_cmpint (save_sync (worker, "a", "{\"id\":\"a\",\"name\":\"A two\"}"), ==, 2);
  g_assert_cmpint (save_sync (worker, "b", "{\"id\":\"b\",\"name\":\"B\"}"), ==, 1);

  deca_store_worker_list_versions_async (worker, "a", NULL, outcome_cb, &outcome);
  wait_for (&outcome);
  versions = deca_store_worker_list_versions_finish (worker, outcome.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 2);
  info = g_ptr_array_index (versions, 0);
  g_assert_cmpint (info->version, ==, 2);
  g_assert_cmpstr (info->name, ==, "A two");
  outcome_clear (&outcome);

  deca_store_worker_set_flow_deleted_async (worker, "b", TRUE, NULL, outcome_cb, &outcome);
  wait_for (&outcome);
  g_assert_true (deca_store_worker_set_flow_deleted_finish (worker, outcome.result, &error));
  g_assert_no_error (error);
  outcome_clear (&outcome);

  deca_store_worker_list_flows_async (worker, NULL, outcome_cb, &outcome);
  wait_for (&outcome);
  flows = deca_store_worker_list_flows_finish (worker, outcome.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flows->len, ==, 1);
  g_assert_cmpstr (((DecaFlowSummary *) g_ptr_array_index (flows, 0))->id, ==, "a");
  g_assert_cmpint (((DecaFlowSummary *) g_ptr_array_index (flows, 0))->latest_version, ==, 2);
  outcome_clear (&outcome);

  deca_store_worker_set_flow_deleted_async (worker, "nope", TRUE, NULL, outcome_cb, &outcome);
  wait_for (&outcome);
  g_assert_false (deca_store_worker_set_flow_deleted_finish (worker, outcome.result, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND);
  outcome_clear (&outcome);

  wait_for_finalize (worker);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/deca/engine/store-worker/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("order", test_order);
  ADD ("results-on-caller-context", test_results_on_caller_context);
  ADD ("runs-off-caller-thread", test_runs_off_caller_thread);
  ADD ("open-failure/missing-directory", test_open_failure_missing_directory);
  ADD ("open-failure/not-sqlite", test_open_failure_not_sqlite);
  ADD ("cancel-before-start", test_cancel_before_start);
  ADD ("unclaimed-results-freed", test_unclaimed_results_freed);
  ADD ("dispose-flushes", test_dispose_flushes);
  ADD ("run-dispose-flushes", test_run_dispose_flushes);
  ADD ("flush", test_flush);
  ADD ("catalogue", test_catalogue);

#undef ADD

  return g_test_run ();
}
