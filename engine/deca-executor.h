#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "deca-clock.h"
#include "deca-credential-provider.h"
#include "deca-event.h"
#include "deca-event-sink.h"
#include "deca-flow.h"
#include "deca-node-registry.h"
#include "deca-store.h"
#include "deca-store-worker.h"

G_BEGIN_DECLS

/*
 * DecaExecutor runs flows (docs/execution.md). It is asynchronous on the GMainContext that
 * is thread-default where it was created: nodes start as their inputs resolve, at most
 * settings.parallelism at once per execution, and every state change is an event.
 *
 * With a store, every node result is checkpointed before the nodes after it start, in one
 * transaction per main-loop turn for all executions, so a process killed at any point can
 * resume its executions (deca_executor_resume) without running completed nodes again.
 */

typedef enum {
  DECA_EXECUTION_PENDING,
  DECA_EXECUTION_RUNNING,
  DECA_EXECUTION_PAUSED,
  DECA_EXECUTION_SUCCEEDED,
  DECA_EXECUTION_FAILED,
  DECA_EXECUTION_CANCELLED,
} DecaExecutionStatus;

#define DECA_TYPE_EXECUTION (deca_execution_get_type ())
G_DECLARE_FINAL_TYPE (DecaExecution, deca_execution, DECA, EXECUTION, GObject)

#define DECA_TYPE_EXECUTOR (deca_executor_get_type ())
G_DECLARE_FINAL_TYPE (DecaExecutor, deca_executor, DECA, EXECUTOR, GObject)

/* Returns the stable status name ("running", ...), as in the store and in events. */
const char *deca_execution_status_to_string (DecaExecutionStatus status);

DecaExecutor *deca_executor_new                  (DecaNodeRegistry       *registry);
/* Optional services; set them before the first start. */
void          deca_executor_set_store            (DecaExecutor           *self,
                                                  DecaStore              *store);
DecaStore    *deca_executor_get_store            (DecaExecutor           *self);
void          deca_executor_set_credential_provider (DecaExecutor        *self,
                                                  DecaCredentialProvider *provider);
/* The event bus of the publish_event node (nullable: the node then fails with "no event
 * bus"); the executor keeps a reference. */
void          deca_executor_set_event_sink       (DecaExecutor           *self,
                                                  DecaEventSink          *sink);
void          deca_executor_set_clock            (DecaExecutor           *self,
                                                  DecaClock              *clock);
/* Makes retry jitter repeatable (tests). */
void          deca_executor_set_random_seed      (DecaExecutor           *self,
                                                  guint32                 seed);
DecaNodeRegistry *deca_executor_get_registry     (DecaExecutor           *self);

/* Starts @flow with @input (nullable: {}). With a store, the flow is saved as a version
 * and the execution recorded before anything runs. Returns (transfer full) the running
 * execution, or NULL with @error (store failure, or a node type that does not exist). */
DecaExecution *deca_executor_start               (DecaExecutor           *self,
                                                  DecaFlow               *flow,
                                                  JsonNode               *input,
                                                  GError                **error);
/* The same, recording in the execution what started it: @trigger (nullable: manual) is an
 * object with a "type" member, {"type":"webhook","method":"POST","path":"/orders"},
 * {"type":"schedule",...}, {"type":"event",...}, {"type":"api","actor":"key:..."}
 * (docs/execution.md, "Triggers"); the executor keeps a copy. */
DecaExecution *deca_executor_start_full          (DecaExecutor           *self,
                                                  DecaFlow               *flow,
                                                  JsonNode               *input,
                                                  JsonNode               *trigger,
                                                  GError                **error);
/* Resumes execution @execution_id from the store: results already checkpointed are kept,
 * the rest runs. Works for executions left running by a crashed process and for paused
 * ones (approvals). Returns (transfer full) the execution, or NULL with @error (unknown
 * id, already finished, no store). */
DecaExecution *deca_executor_resume              (DecaExecutor           *self,
                                                  const char             *execution_id,
                                                  GError                **error);
/* Resumes every execution the store has as running or pending (not subflow children,
 * which their parents resume). Returns (transfer full) (element-type DecaExecution). */
GPtrArray     *deca_executor_resume_all          (DecaExecutor           *self,
                                                  GError                **error);
/* Records a decision on the approval node @node_key of @execution_id (in the store when
 * there is one). If the execution is live in this executor and waiting on that node, it
 * goes on at once; otherwise deca_executor_resume() picks the decision up. Fails with
 * DECA_ENGINE_ERROR_STATE when that node is not waiting for approval or was decided. */
gboolean       deca_executor_decide              (DecaExecutor           *self,
                                                  const char             *execution_id,
                                                  const char             *node_key,
                                                  gboolean                approved,
                                                  const char             *comment,
                                                  const char             *decided_by,
                                                  GError                **error);
/* Returns (transfer none) (nullable) a live execution of this executor. */
DecaExecution *deca_executor_lookup              (DecaExecutor           *self,
                                                  const char             *execution_id);
/* How much work waits here (the server's deca_queue_depth): *@n_nodes (nullable) the node
 * invocations queued but not started, waiting for a slot of their execution's
 * parallelism or for the executor's next round; *@n_executions (nullable) the live
 * executions with no invocation in flight: paused at an approval, waiting out a retry's
 * back-off, or with all their ready nodes queued. Walks the live executions and their
 * queues: for a scrape, not for every event. */
void           deca_executor_get_queue_depth    (DecaExecutor           *self,
                                                  guint                  *n_nodes,
                                                  guint                  *n_executions);
/* A listener of every event, as the "event" signal's handlers get them, called before
 * them in the order added, without the signal's cost: a signal with several handlers
 * collects the argument into GValues and marshals it for each handler at each emission,
 * nine a simple execution. For hosts listening on the hot path (the server's routes).
 * @event is valid during the call. */
typedef void (*DecaExecutorEventFunc) (DecaExecutor    *executor,
                                       const DecaEvent *event,
                                       gpointer         user_data);
/* Returns the listener's id (never 0), for deca_executor_remove_event_listener(). A
 * listener may remove itself or another one during an event; one added during an event
 * gets the next one. */
guint          deca_executor_add_event_listener  (DecaExecutor           *self,
                                                  DecaExecutorEventFunc   func,
                                                  gpointer                user_data);
void           deca_executor_remove_event_listener (DecaExecutor         *self,
                                                  guint                   id);
/* Makes the pending checkpoint batch durable now (the executor also does it on its own at
 * the end of each main-loop turn). With a store worker it waits for the batch being
 * written, then writes the pending one, blocking the calling thread. Fails with the
 * error of the last batch when that could not be written. */
gboolean       deca_executor_flush               (DecaExecutor           *self,
                                                  GError                **error);
/* Has the checkpoint batches written in @worker's thread, on the worker's own connection
 * to the store's file (its path must be that of deca_executor_set_store()'s store), so
 * that the executor's thread goes on (answering requests, running nodes, building the next
 * batch) while one commits. A node still starts only once the results before it are
 * durable (docs/execution.md, "Durability"). The store stays the executor's for reads and
 * flow saves; its queued audit lines (deca_store_queue_audit()) go into the worker's
 * batches. Set it before the first execution starts; NULL writes on the executor's thread.
 * The worker is the executor's alone: disposing the executor writes what is pending and
 * then closes the worker (its thread ends). */
void           deca_executor_set_store_worker    (DecaExecutor           *self,
                                                  DecaStoreWorker        *worker);
/* Has the audit lines queued in the executor's store (deca_store_queue_audit()) written
 * with its next checkpoint batch, which the pump's next turn makes even when no
 * checkpoint is pending (a refused webhook call): the lines of one main-loop turn share a
 * transaction, and with a store worker they are written on its connection, so that this
 * thread never waits for the worker's write lock. A failed batch fails as any other. */
void           deca_executor_write_audit         (DecaExecutor           *self);
/* Calls @func (@user_data) once every checkpoint queued so far is durable (committed, or
 * failed and its executions failed with it): at once when nothing is waiting to be
 * written, else from the executor's main context after the batch that holds them. For
 * answers that must not leave before what they report is on disk (a webhook's response).
 * @destroy (nullable) frees @user_data afterwards, or when the executor goes away first
 * without calling @func. */
typedef void (*DecaExecutorDurableFunc) (gpointer user_data);
void           deca_executor_call_when_durable   (DecaExecutor           *self,
                                                  DecaExecutorDurableFunc func,
                                                  gpointer                user_data,
                                                  GDestroyNotify          destroy);

const char          *deca_execution_get_id       (DecaExecution *self);
DecaFlow            *deca_execution_get_flow     (DecaExecution *self);
DecaExecutionStatus  deca_execution_get_status   (DecaExecution *self);
/* TRUE once succeeded, failed or cancelled. */
gboolean             deca_execution_is_finished  (DecaExecution *self);
/* Returns (transfer none) (nullable) the output: an object holding the output of each
 * node that ended a path ({"node-id": output}), set when the execution succeeded. */
JsonNode            *deca_execution_get_output   (DecaExecution *self);
/* Returns (transfer none) (nullable) what a respond node set. */
JsonNode            *deca_execution_get_response (DecaExecution *self);
/* Returns (nullable) why the execution failed. */
const GError        *deca_execution_get_error    (DecaExecution *self);
/* Returns (nullable) the node the execution failed at. */
const char          *deca_execution_get_error_node (DecaExecution *self);
/* Returns the JSON text of what started the execution ({"type":"manual"} when nothing
 * said; {"type":"subflow",...} for a subflow's), as the store records it; a resumed
 * execution keeps the one it was started with. */
const char          *deca_execution_get_trigger  (DecaExecution *self);
/* Returns (transfer container) (element-type utf8) the node keys waiting for approval. */
GPtrArray           *deca_execution_list_waiting_approvals (DecaExecution *self);
/* Returns (transfer none) (nullable) the output of node @node_key, if it succeeded. */
JsonNode            *deca_execution_get_node_output (DecaExecution *self,
                                                     const char    *node_key);
/* How many times the top-level node @node_key was invoked by this process (attempts
 * included; loop-body keys give 0): lets tests
 * prove what ran and what was restored. */
guint                deca_execution_get_invocation_count (DecaExecution *self,
                                                          const char    *node_key);
/* Stops the execution: running nodes are cancelled, nothing new starts, the status
 * becomes cancelled. Does nothing once finished. */
void                 deca_execution_cancel       (DecaExecution *self);

G_END_DECLS
