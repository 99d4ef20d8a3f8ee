#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deca-executor-private.h"
#include "deca-engine-error.h"
#include "deca-json.h"
#include "deca-store-server.h"

/* How many rounds (completions -> checkpoint -> propagation -> starts) one dispatch of
 * the pump runs before letting other sources of the main context in. */
#define PUMP_ROUNDS 64

/* How many checkpoint batches may be on their way to a store worker at once. Two: while
 * one commits, the next is already with the worker's thread, which then never waits for
 * the executor's thread to hand it more, and an execution that finishes just after a
 * batch left waits for less than two commits. With the worker's results delivered ahead
 * of new requests (deca-store-worker.c, job_send_back()), make bench, alternated, had the
 * webhook p99 at 9.3 ms against 10.7 with one, and ~10% more requests per second. (With
 * glibc's malloc, before deca serve used mimalloc, one was cheaper.) */
#define MAX_IN_FLIGHT 2

/* With a store worker, how many executions one turn of the pump works on; the others
 * wait for the next turn, after the main context's other sources. Their batch then goes
 * to the worker while the next turn runs, and their callers are answered while the next
 * batch is written, where one turn over every ready execution made them all wait for one
 * batch behind the last of them: the server went in lock-step, the executor's thread
 * idle while the worker wrote and the worker idle while the executor ran. make bench,
 * 6 pairs alternated against no limit: 6,050 against 4,830 webhook requests per second,
 * p99 9.4 against 10.1 ms (medians), for 25% more CPU per request (more commits).
 * Four made more batches than the worker could write (each commit costs the same
 * pages). Twelve rather than eight once the answers went out in one segment and the
 * checkpoints gave way (docs/server.md, docs/storage.md): 12 runs each, alternated,
 * 10,230 against 9,030 requests per second, p99 6.3 against 6.9 ms, 135 against 170 us
 * of CPU per request (fewer commits); sixteen did no better. */
#define MAX_EXECUTIONS_PER_TURN 12

/* ---------------------------------------------------------------------------------------
 * The executor
 * ------------------------------------------------------------------------------------- */

typedef struct {
  DecaFrame *frame;
  guint node;
} ReadyItem;

typedef struct {
  DecaExecution *execution;       /* owned */
  DecaFrame *frame;
  guint node;
  DecaNodeInvocation *invocation; /* owned */
} Completion;

struct _DecaExecutor
{
  GObject parent_instance;

  DecaNodeRegistry *registry;
  DecaStore *store;
  DecaCredentialProvider *credentials;
  DecaEventSink *events;          /* the publish_event node's bus, or NULL */
  DecaClock *clock;
  GRand *rand;
  DecaCircuitBreaker *breaker;
  JsonNode *env;
  JsonNode *null_node;
  JsonNode *empty_object;
  GMainContext *context;
  /* Where a flow object keeps its plan for this registry, and its stored version for
   * this store: per executor, since another executor may use other ones. */
  GQuark plan_quark;
  GQuark version_quark;
  /* The time, read once per pump round: a node costs a few µs, and reading the clock for
   * each of its events, checkpoints and scopes was a tenth of that. */
  gint64 (*clock_now) (DecaClock *clock);
  gint64 round_now;
  gboolean in_round;

  GHashTable *executions;         /* id -> DecaExecution, the live ones */
  GQueue completions;             /* Completion */
  GPtrArray *touched;             /* DecaExecution with ready work or a state to settle */
  GPtrArray *finished;            /* DecaExecution finished in this round, to announce */
  GSource *pump;

  /* The checkpoint batch, written in one transaction per round. */
  GPtrArray *pending_results;     /* DecaNodeResultRecord */
  GPtrArray *pending_events;      /* DecaEventRecord */
  GPtrArray *pending_inserts;     /* DecaExecutionRecord */
  GPtrArray *pending_updates;     /* DecaExecutionRecord */
  GArray *pending_texts;          /* DeferredText of those records, for the worker to write */
  /* Batches are numbered: the records queued now go into generation open_gen, and every
   * generation up to durable_gen has been written (or failed). An execution's nodes start
   * only when its wait_gen is durable. */
  guint64 open_gen;
  guint64 durable_gen;
  /* With a store worker: the batches handed to its thread and not yet taken back, oldest
   * first (at most MAX_IN_FLIGHT; later checkpoints wait in the pending arrays and make a
   * larger batch), and the executions and announcements waiting for one of them. */
  DecaStoreWorker *worker;
  GQueue in_flight;               /* CheckpointBatch */
  GPtrArray *awaiting;            /* DecaExecution with ready nodes, not yet durable */
  GPtrArray *unannounced;         /* DecaExecution finished or paused, not yet durable */
  gboolean audit_due;             /* deca_executor_write_audit(): the next batch goes anyway */
  /* executor_trigger_text(): the last sealed trigger and its text. */
  JsonNode *last_trigger;
  char *last_trigger_text;
  gboolean disposing;
  GArray *durable_waiters;        /* DurableWaiter, in generation order */

  /* deca_executor_add_event_listener(): EventListener, in the order added. Removal while
   * an event is delivered clears the entry's func; the array is compacted outside. */
  GArray *listeners;
  guint last_listener_id;
  guint emitting;
  gboolean listeners_removed;
};

typedef struct {
  guint id;
  DecaExecutorEventFunc func;
  gpointer user_data;
} EventListener;

/* A JSON member of a record that the store worker's thread writes out: @node is sealed
 * (immutable) and held by the batch until the executor's thread takes the batch back, so
 * the worker only reads it and never touches a reference count. */
typedef struct {
  char **slot;
  JsonNode *node;
} DeferredText;

static void
deferred_text_clear (gpointer data)
{
  DeferredText *text = data;

  g_clear_pointer (&text->node, json_node_unref);
}

typedef struct {
  guint64 gen;
  DecaExecutorDurableFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} DurableWaiter;

/* One generation of checkpoints on its way to the store worker's thread. Shared by the
 * executor (in_flight) and the job; the worker thread writes error and written, which the
 * executor reads only after the job's callback or deca_store_worker_flush(), both of which
 * synchronise with the worker thread. Outcomes are taken in generation order, whatever
 * order the callbacks come in. */
typedef struct _CheckpointBatch {
  guint64 gen;
  GPtrArray *inserts;
  GPtrArray *updates;
  GPtrArray *results;
  GPtrArray *events;
  GArray *texts;                  /* DeferredText of the records above */
  GPtrArray *audit;               /* DecaAuditRecord, taken from the executor's store */
  GError *error;
  gboolean written;               /* the job ran (its outcome is in error) */
  gboolean done;                  /* main thread: the outcome is known (written or error) */
  gboolean handled;               /* main thread: the executor has taken the outcome */
} CheckpointBatch;

enum {
  SIGNAL_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DecaExecutor, deca_executor, G_TYPE_OBJECT)

static void executor_schedule_pump (DecaExecutor *self);

/* The time for events, checkpoints and scopes: the round's when inside the pump, where
 * everything happens within microseconds, else the clock's. */
static inline gint64
executor_now (DecaExecutor *self)
{
  return self->in_round ? self->round_now : self->clock_now (self->clock);
}
static void execution_fail (DecaExecution *execution, GError *error, const char *node_key);
static void frame_start_iterations (DecaFrame *frame, guint loop);
static void node_finish (DecaFrame *frame, guint node);
static void execution_complete (DecaExecution *execution);
static void execution_arm_flow_timeout (DecaExecution *execution);
static void execution_disarm_flow_timeout (DecaExecution *execution);
static void executor_fail_all (DecaExecutor *self, const GError *error);
static void executor_touch (DecaExecutor *self, DecaExecution *execution);

static DecaPlan *
execution_plan (DecaExecution *execution)
{
  return execution->plan;
}

/* --- frames ------------------------------------------------------------------------- */

/* Frames' state arrays are recycled. For a flow of ten nodes one is over 1 KiB, and glibc's
 * malloc consolidates all its small free chunks before every request of that size: that
 * cost more than everything else in starting an execution. Process-wide, since frames
 * may outlive their executor; a few arrays per size are kept. */
#define STATES_POOL_SIZES 64
#define STATES_POOL_DEPTH 16

static GMutex states_pool_lock;
static DecaNodeState *states_pool[STATES_POOL_SIZES][STATES_POOL_DEPTH];
static guint states_pool_len[STATES_POOL_SIZES];

static DecaNodeState *
states_alloc (guint n)
{
  DecaNodeState *states = NULL;

  if (n < STATES_POOL_SIZES)
    {
      g_mutex_lock (&states_pool_lock);
      if (states_pool_len[n] > 0)
        states = states_pool[n][--states_pool_len[n]];
      g_mutex_unlock (&states_pool_lock);
    }
  if (states == NULL)
    return g_new0 (DecaNodeState, MAX (n, 1));
  memset (states, 0, sizeof (DecaNodeState) * MAX (n, 1));
  return states;
}

static void
states_free (DecaNodeState *states,
             guint          n)
{
  if (n < STATES_POOL_SIZES)
    {
      g_mutex_lock (&states_pool_lock);
      if (states_pool_len[n] < STATES_POOL_DEPTH)
        {
          states_pool[n][states_pool_len[n]++] = states;
          states = NULL;
        }
      g_mutex_unlock (&states_pool_lock);
    }
  g_free (states);
}

static DecaFrame *
frame_new (DecaExecution *execution,
           DecaFrame     *parent,
           int            loop)
{
  DecaPlan *plan = execution_plan (execution);
  DecaFrame *frame = g_new0 (DecaFrame, 1);

  frame->execution = execution;
  frame->parent = parent;
  frame->loop = loop;
  frame->key_prefix = g_strdup ("");
  frame->n_states = plan->n_nodes;
  frame->states = states_alloc (plan->n_nodes);
  for (guint n = 0; n < plan->n_nodes; n++)
    if (plan->nodes[n].owner == loop)
      {
        frame->states[n].unresolved = plan->nodes[n].n_in;
        frame->pending++;
      }
  return frame;
}

static void
node_state_clear (DecaNodeState *state)
{
  g_clear_pointer (&state->output, json_node_unref);
  g_clear_pointer (&state->port, g_free);
  g_clear_error (&state->error);
  g_clear_pointer (&state->input, json_node_unref);
  g_clear_pointer (&state->circuit_key, g_free);
  if (state->invocation != NULL)
    {
      deca_node_invocation_abandon (state->invocation);
      g_clear_object (&state->invocation);
    }
  g_clear_pointer (&state->items, json_array_unref);
  g_clear_pointer (&state->results, g_ptr_array_unref);
  g_clear_pointer (&state->frames, g_ptr_array_unref);
}

void
_deca_frame_free (DecaFrame *frame)
{
  if (frame == NULL)
    return;
  for (guint n = 0; n < frame->n_states; n++)
    node_state_clear (&frame->states[n]);
  states_free (frame->states, frame->n_states);
  g_free (frame->key_prefix);
  g_clear_pointer (&frame->item, json_node_unref);
  g_clear_pointer (&frame->index, json_node_unref);
  g_clear_pointer (&frame->loop_info, json_node_unref);
  g_free (frame);
}

/* The node key of @node in @frame: its id at the top, "loop[3]/id" in a body. Only keys
 * in bodies are built (into *@owned); the common case costs no allocation. */
static const char *
frame_key (DecaFrame  *frame,
           guint       node,
           char      **owned)
{
  const char *id = execution_plan (frame->execution)->nodes[node].node->id;

  if (frame->key_prefix[0] == '\0')
    return id;
  *owned = g_strconcat (frame->key_prefix, id, NULL);
  return *owned;
}

/* The "execution" root, built on first use: few flows read it. */
static JsonNode *
execution_info (DecaExecution *execution)
{
  JsonObject *info;
  char started[40];

  if (execution->info != NULL)
    return execution->info;
  info = json_object_new ();
  json_object_set_string_member (info, "id", execution->id);
  json_object_set_string_member (info, "flow_id", deca_flow_get_id (execution->flow));
  json_object_set_int_member (info, "flow_version", execution->flow_version);
  deca_format_time_iso8601 (execution->started_at, started, sizeof started);
  json_object_set_string_member (info, "started_at", started);
  execution->info = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (execution->info, info);
  return execution->info;
}

/* The expression scope of a frame: node ids, then the reserved roots. */
static JsonNode *
frame_resolve (const char *name,
               gpointer    user_data)
{
  DecaFrame *frame = user_data;
  DecaExecution *execution = frame->execution;
  DecaPlan *plan = execution_plan (execution);
  int index = _deca_plan_index (plan, name);

  if (index >= 0)
    {
      int owner = plan->nodes[index].owner;

      for (DecaFrame *f = frame; f != NULL; f = f->parent)
        if (f->loop == owner)
          return f->states[index].output ? f->states[index].output : execution->executor->null_node;
      /* A node of a body this frame is not inside: it has no single value here. */
      return execution->executor->null_node;
    }

  switch (name[0])
    {
    case 'i':
      if (g_str_equal (name, "input"))
        return execution->input;
      if (g_str_equal (name, "item") || g_str_equal (name, "index"))
        for (DecaFrame *f = frame; f != NULL; f = f->parent)
          if (f->loop >= 0)
            return name[1] == 't' ? f->item : f->index;
      break;
    case 'l':
      if (g_str_equal (name, "loop"))
        for (DecaFrame *f = frame; f != NULL; f = f->parent)
          if (f->loop >= 0)
            return f->loop_info;
      break;
    case 'e':
      if (g_str_equal (name, "execution"))
        return execution_info (execution);
      if (g_str_equal (name, "env"))
        return execution->executor->env;
      break;
    case 'c':
      if (g_str_equal (name, "credentials"))
        return execution->credentials ? execution->credentials : execution->executor->empty_object;
      break;
    default:
      break;
    }
  return NULL;
}

static void
frame_scope (DecaFrame     *frame,
             DecaExprScope *scope)
{
  scope->resolve = frame_resolve;
  scope->user_data = frame;
  scope->now_us = executor_now (frame->execution->executor);
}

/* --- process ownership ----------------------------------------------------------------- */

/* The start time of process @pid (field 22 of /proc/PID/stat), which tells a live
 * process from a later one that reused its pid. Returns (transfer full) NULL when there is
 * no such process. */
static char *
process_start_time (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  /* The command name (field 2) may hold spaces and parentheses: skip to its last ')'. */
  after_name = strrchr (contents, ')');
  if (after_name == NULL)
    return NULL;
  fields = g_strsplit (after_name + 2, " ", 0);
  /* after_name + 2 starts at field 3, so field 22 is index 19. */
  return g_strv_length (fields) > 19 ? g_strdup (fields[19]) : NULL;
}

/* "host:pid:start" of this process: what the store records as the owner of the
 * executions it runs. */
static const char *
executor_owner_id (void)
{
  static char *owner;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      g_autofree char *start = process_start_time (getpid ());

      owner = g_strdup_printf ("%s:%d:%s", g_get_host_name (), (int) getpid (), start ? start : "0");
      g_once_init_leave (&initialized, 1);
    }
  return owner;
}

/* TRUE when the process recorded as @owner certainly no longer runs. An owner on another
 * host cannot be checked from here and counts as running. */
static gboolean
owner_is_gone (const char *owner)
{
  g_autofree char *host = NULL;
  g_autofree char *start = NULL;
  const char *last, *middle;
  int pid;

  if (owner == NULL)
    return TRUE;
  last = strrchr (owner, ':');
  if (last == NULL || last == owner)
    return TRUE;   /* not something this build wrote */
  middle = g_strrstr_len (owner, last - owner, ":");
  if (middle == NULL)
    return TRUE;
  host = g_strndup (owner, (gsize) (middle - owner));
  if (!g_str_equal (host, g_get_host_name ()))
    return FALSE;
  pid = atoi (middle + 1);
  if (pid <= 0)
    return TRUE;
  start = process_start_time (pid);
  return start == NULL || !g_str_equal (start, last + 1);
}

/* --- events and checkpoints -------------------------------------------------------- */

/* Which events the events table keeps. "queued" and "started" are live progress only, and
 * a node's outcome (succeeded, failed, skipped, paused) is stored once, as its node result,
 * which carries the event's seq: the history merges both (docs/events.md). Writing each
 * fact once is most of what makes durability cheap. */
static gboolean
event_is_stored (DecaEventType type)
{
  switch (type)
    {
    case DECA_EVENT_NODE_QUEUED:
    case DECA_EVENT_NODE_STARTED:
    case DECA_EVENT_NODE_SUCCEEDED:
    case DECA_EVENT_NODE_FAILED:
    case DECA_EVENT_NODE_SKIPPED:
    case DECA_EVENT_NODE_PAUSED:
      return FALSE;
    default:
      return TRUE;
    }
}

/* Fills the execution-wide members of @event, emits it and queues it for the store. */
static void
execution_emit (DecaExecution *execution,
                DecaEvent     *event)
{
  DecaExecutor *self = execution->executor;

  event->execution_id = execution->id;
  event->flow_id = deca_flow_get_id (execution->flow);
  event->seq = ++execution->seq;
  event->time_us = executor_now (self);

  if (self->listeners->len > 0)
    {
      guint n = self->listeners->len;

      self->emitting++;
      for (guint i = 0; i < n; i++)
        {
          EventListener *listener = &g_array_index (self->listeners, EventListener, i);

          if (listener->func != NULL)
            listener->func (self, event, listener->user_data);
        }
      if (--self->emitting == 0 && self->listeners_removed)
        {
          self->listeners_removed = FALSE;
          for (guint i = self->listeners->len; i > 0; i--)
            if (g_array_index (self->listeners, EventListener, i - 1).func == NULL)
              g_array_remove_index (self->listeners, i - 1);
        }
    }
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, event);

  if (self->store != NULL && event_is_stored (event->type))
    {
      DecaEventRecord *record = g_new0 (DecaEventRecord, 1);

      record->execution_id = g_strdup (execution->id);
      record->seq = event->seq;
      record->type = g_strdup (deca_event_type_to_string (event->type));
      record->time = event->time_us;
      /* The compact form: what the row's columns hold is left out, and outputs are in node
       * results already. The bytes written are most of the cost of durability. */
      record->payload = deca_event_to_stored_json (event);
      g_ptr_array_add (self->pending_events, record);
      execution->wait_gen = self->open_gen;
    }
}

static void
node_event_init (DecaEvent     *event,
                 DecaEventType  type,
                 DecaFrame     *frame,
                 guint          node,
                 const char    *key)
{
  PlanNode *plan_node = &execution_plan (frame->execution)->nodes[node];

  memset (event, 0, sizeof *event);
  event->type = type;
  event->node_id = plan_node->node->id;
  event->node_key = key;
  event->node_type = plan_node->node->type;
  event->attempt = frame->states[node].attempt;
}

/* Sets *@slot (a member of a record about to be queued) to @node as JSON text with the
 * execution's secrets redacted. With a store worker the text is written by the worker's
 * thread: writing JSON is a large part of a checkpoint's cost. The tree is sealed for
 * that, so that nothing changes it while the worker reads it (a node's output is never
 * changed after the node finished; sealing makes that a checked rule). */
static void
record_json (DecaExecution  *execution,
             JsonNode       *node,
             char          **slot)
{
  DecaExecutor *self = execution->executor;
  JsonNode *redacted;
  DeferredText text;

  *slot = NULL;
  if (node == NULL)
    return;
  redacted = deca_json_redact (node, execution->secrets);
  if (self->worker == NULL)
    {
      *slot = deca_json_to_string (redacted, FALSE);
      json_node_unref (redacted);
      return;
    }
  json_node_seal (redacted);
  text.slot = slot;
  text.node = redacted;
  g_array_append_val (self->pending_texts, text);
}

static char *
error_json (const GError *error,
            const char   *node_key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, error->domain == DECA_ENGINE_ERROR ? deca_engine_error_code_name (error->code) : "error");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  if (node_key != NULL)
    {
      json_builder_set_member_name (builder, "node");
      json_builder_add_string_value (builder, node_key);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return deca_json_to_string (root, FALSE);
}

/* Queues the node's result for the next checkpoint. */
static void
checkpoint_node (DecaFrame  *frame,
                 guint       node,
                 const char *key,
                 const char *status,
                 gint64      event_seq)
{
  DecaExecution *execution = frame->execution;
  DecaExecutor *self = execution->executor;
  DecaNodeState *state = &frame->states[node];
  DecaNodeResultRecord *record;

  if (self->store == NULL)
    return;

  record = g_new0 (DecaNodeResultRecord, 1);
  record->execution_id = g_strdup (execution->id);
  record->node_key = g_strdup (key);
  record->node_id = g_strdup (execution_plan (execution)->nodes[node].node->id);
  record->status = g_strdup (status);
  record->port = g_strdup (state->port);
  record_json (execution, state->input, &record->input);
  record_json (execution, state->output, &record->output);
  if (state->error != NULL)
    {
      g_autofree char *message = deca_string_redact (state->error->message, execution->secrets);
      g_autoptr(GError) redacted = g_error_new_literal (state->error->domain, state->error->code, message);

      record->error = error_json (redacted, NULL);
    }
  record->attempts = state->attempt;
  record->event_seq = event_seq;
  record->started_at = state->first_started_at;
  record->finished_at = executor_now (self);
  g_ptr_array_add (self->pending_results, record);
  execution->wait_gen = self->open_gen;
}

/* The row of @execution: the whole of it for an insert, else (@insert FALSE) what
 * deca_store_update_execution() writes, without the input, which never changes and is
 * often the largest part to write out. */
static DecaExecutionRecord *
execution_record (DecaExecution *execution,
                  gboolean       insert)
{
  DecaExecutionRecord *record = g_new0 (DecaExecutionRecord, 1);

  record->id = g_strdup (execution->id);
  record->status = g_strdup (_deca_execution_status_name (execution->status));
  if (insert)
    {
      record->flow_id = g_strdup (deca_flow_get_id (execution->flow));
      record->flow_version = execution->flow_version;
      record->parent_id = g_strdup (execution->parent_id);
      record->parent_node = g_strdup (execution->parent_node);
      record_json (execution, execution->input, &record->input);
      record->trigger = g_strdup (deca_execution_get_trigger (execution));
      record->created_at = execution->created_at;
    }
  record_json (execution, execution->output, &record->output);
  if (execution->error != NULL)
    {
      g_autofree char *message = deca_string_redact (execution->error->message, execution->secrets);
      g_autoptr(GError) redacted = g_error_new_literal (execution->error->domain, execution->error->code, message);

      record->error = error_json (redacted, execution->error_node);
    }
  /* Owned while it runs here; paused and finished executions belong to nobody, so any
   * process may take them up. */
  if (execution->status == DECA_EXECUTION_RUNNING || execution->status == DECA_EXECUTION_PENDING)
    record->owner = g_strdup (executor_owner_id ());
  record->started_at = execution->started_at;
  if (deca_execution_is_finished (execution))
    record->finished_at = executor_now (execution->executor);
  return record;
}

static void
checkpoint_execution (DecaExecution *execution)
{
  if (execution->executor->store != NULL)
    {
      g_ptr_array_add (execution->executor->pending_updates, execution_record (execution, FALSE));
      execution->wait_gen = execution->executor->open_gen;
    }
}

static gboolean
executor_has_pending (DecaExecutor *self)
{
  return self->pending_results->len > 0 || self->pending_events->len > 0 ||
         self->pending_updates->len > 0 || self->pending_inserts->len > 0;
}

/* Whether there is something to write: checkpoints, or a deca_executor_call_when_durable()
 * waiting on the open generation (which is then written, empty if need be). */
static gboolean
executor_wants_write (DecaExecutor *self)
{
  return executor_has_pending (self) || self->audit_due ||
         (self->durable_waiters->len > 0 &&
          g_array_index (self->durable_waiters, DurableWaiter, self->durable_waiters->len - 1).gen == self->open_gen);
}

/* Whether every checkpoint of @execution queued so far is durable, so that the nodes
 * ready after them may start. */
static inline gboolean
execution_is_durable (DecaExecution *execution)
{
  return execution->wait_gen <= execution->executor->durable_gen;
}

/* Whether the node @item may start now: once every checkpoint of its execution is
 * durable, or at once when it is replayable (deca_node_type_is_replayable()): running it
 * again after a crash does no harm, so it need not wait for the results before it. */
static gboolean
ready_item_may_start (DecaExecution *execution,
                      ReadyItem     *item)
{
  return execution_is_durable (execution) || execution_plan (execution)->nodes[item->node].replayable;
}

/* Whether the first of @execution's ready nodes may start now. */
static gboolean
execution_can_start (DecaExecution *execution)
{
  ReadyItem *item = g_queue_peek_head (&execution->ready);

  return item != NULL && ready_item_may_start (execution, item);
}

/* Moves @from's state (what an update writes) into @to, the insert of the same
 * execution. */
static void
execution_record_take_state (DecaExecutionRecord *to,
                             DecaExecutionRecord *from)
{
  g_free (to->status);
  to->status = g_steal_pointer (&from->status);
  g_free (to->output);
  to->output = g_steal_pointer (&from->output);
  g_free (to->error);
  to->error = g_steal_pointer (&from->error);
  g_free (to->owner);
  to->owner = g_steal_pointer (&from->owner);
  to->started_at = from->started_at;
  to->finished_at = from->finished_at;
}

/* Folds every update of @updates whose execution @inserts inserts into that insert, and
 * drops it from @updates: an execution that starts and finishes within one batch (every
 * webhook answered at once) is then one INSERT of its last state, where an INSERT and an
 * UPDATE wrote its row twice and moved it in the status index. The updates come after
 * the insert they follow, so the last one wins, as it would in the store. */
static void
fold_updates_into_inserts (GPtrArray *inserts,
                           GPtrArray *updates)
{
  g_autoptr(GHashTable) by_id = NULL;

  if (inserts->len == 0 || updates->len == 0)
    return;
  by_id = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < inserts->len; i++)
    {
      DecaExecutionRecord *insert = g_ptr_array_index (inserts, i);

      g_hash_table_insert (by_id, insert->id, insert);
    }
  for (guint i = 0; i < updates->len;)
    {
      DecaExecutionRecord *update = g_ptr_array_index (updates, i);
      DecaExecutionRecord *insert = g_hash_table_lookup (by_id, update->id);

      if (insert == NULL)
        {
          i++;
          continue;
        }
      execution_record_take_state (insert, update);
      g_ptr_array_remove_index (updates, i);
    }
}

/* Writes one generation of checkpoints into @store in one transaction. The records are
 * the caller's to drop afterwards: updates folded into inserts are gone from @updates. */
static gboolean
checkpoints_write (DecaStore  *store,
                   GPtrArray  *inserts,
                   GPtrArray  *updates,
                   GPtrArray  *results,
                   GPtrArray  *events,
                   GError    **error)
{
  fold_updates_into_inserts (inserts, updates);
  if (!deca_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < inserts->len; i++)
    if (!deca_store_insert_execution (store, g_ptr_array_index (inserts, i), error))
      goto fail;
  for (guint i = 0; i < updates->len; i++)
    if (!deca_store_update_execution (store, g_ptr_array_index (updates, i), error))
      goto fail;
  for (guint i = 0; i < results->len; i++)
    if (!deca_store_put_node_result (store, g_ptr_array_index (results, i), error))
      goto fail;
  for (guint i = 0; i < events->len; i++)
    if (!deca_store_append_event (store, g_ptr_array_index (events, i), error))
      goto fail;
  if (deca_store_commit (store, error))
    return TRUE;

fail:
  deca_store_rollback (store);
  return FALSE;
}

/* Calls the deca_executor_call_when_durable() functions whose checkpoints are now
 * written. Not while the executor goes away: it drops them. */
static void
executor_run_durable_waiters (DecaExecutor *self)
{
  while (!self->disposing && self->durable_waiters->len > 0)
    {
      DurableWaiter waiter = g_array_index (self->durable_waiters, DurableWaiter, 0);

      if (waiter.gen > self->durable_gen)
        break;
      /* Off the array before the call, which may add more. */
      g_array_remove_index (self->durable_waiters, 0);
      waiter.func (waiter.user_data);
      if (waiter.destroy != NULL)
        waiter.destroy (waiter.user_data);
    }
}

/* Writes the pending checkpoints in one transaction on this thread. On failure the error
 * is kept and every live execution fails: without its checkpoints an execution could not
 * be resumed honestly. */
static gboolean
executor_flush_batch (DecaExecutor  *self,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean written;

  if (self->store == NULL || !executor_wants_write (self))
    return TRUE;

  self->audit_due = FALSE;
  written = checkpoints_write (self->store, self->pending_inserts, self->pending_updates,
                               self->pending_results, self->pending_events, &local_error);
  g_ptr_array_set_size (self->pending_inserts, 0);
  g_ptr_array_set_size (self->pending_updates, 0);
  g_ptr_array_set_size (self->pending_results, 0);
  g_ptr_array_set_size (self->pending_events, 0);
  self->durable_gen = self->open_gen++;
  executor_run_durable_waiters (self);
  if (!written)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return written;
}

/* --- checkpoints on the store worker's thread ------------------------------------------ */

static void
checkpoint_batch_clear (CheckpointBatch *batch)
{
  g_clear_pointer (&batch->inserts, g_ptr_array_unref);
  g_clear_pointer (&batch->updates, g_ptr_array_unref);
  g_clear_pointer (&batch->results, g_ptr_array_unref);
  g_clear_pointer (&batch->events, g_ptr_array_unref);
  g_clear_pointer (&batch->texts, g_array_unref);
  g_clear_pointer (&batch->audit, g_ptr_array_unref);
  g_clear_error (&batch->error);
}

static void
checkpoint_batch_unref (gpointer batch)
{
  g_atomic_rc_box_release_full (batch, (GDestroyNotify) checkpoint_batch_clear);
}

/* Moves @array's records into a new array and leaves @array empty. */
static GPtrArray *
steal_records (GPtrArray      **array,
               GDestroyNotify   record_free)
{
  GPtrArray *taken = g_steal_pointer (array);

  *array = g_ptr_array_new_with_free_func (record_free);
  return taken;
}

/* The worker thread's job: the batch's audit lines join its transaction, as they would
 * join a commit of the executor's own store. */
static gpointer
checkpoint_batch_write_job (DecaStore     *store,
                            gpointer       data,
                            GCancellable  *cancellable,
                            GError       **error)
{
  CheckpointBatch *batch = data;

  for (guint i = 0; i < batch->texts->len; i++)
    {
      DeferredText *text = &g_array_index (batch->texts, DeferredText, i);

      *text->slot = deca_json_to_string (text->node, FALSE);
    }
  for (guint i = 0; i < batch->audit->len; i++)
    deca_store_queue_audit (store, g_ptr_array_index (batch->audit, i));
  g_ptr_array_set_free_func (batch->audit, NULL);
  g_ptr_array_set_size (batch->audit, 0);

  checkpoints_write (store, batch->inserts, batch->updates, batch->results, batch->events, &batch->error);
  /* The records are plain strings, needed by nobody once written: freeing them here takes
   * that work off the executor's thread. */
  g_ptr_array_set_size (batch->inserts, 0);
  g_ptr_array_set_size (batch->updates, 0);
  g_ptr_array_set_size (batch->results, 0);
  g_ptr_array_set_size (batch->events, 0);
  batch->written = TRUE;
  return NULL;
}

/* Moves the executions of @from that are now durable into @to. */
static void
executor_release_durable (DecaExecutor *self,
                          GPtrArray    *from,
                          gboolean      touch)
{
  for (guint i = 0; i < from->len;)
    {
      DecaExecution *execution = g_ptr_array_index (from, i);

      if (!execution_is_durable (execution))
        {
          i++;
          continue;
        }
      if (touch)
        {
          execution->in_awaiting = FALSE;
          executor_touch (self, execution);
        }
      else
        g_ptr_array_add (self->finished, g_object_ref (execution));
      g_ptr_array_remove_index_fast (from, i);
    }
}

static void executor_submit_batch (DecaExecutor *self,
                                   guint         limit);

/* Takes the outcomes known so far, oldest batch first: each generation written is
 * durable (one that failed failed every live execution), and what waited for it goes on. */
static void
executor_take_outcomes (DecaExecutor *self)
{
  CheckpointBatch *batch;
  gboolean moved = FALSE;

  while ((batch = g_queue_peek_head (&self->in_flight)) != NULL && batch->done)
    {
      g_queue_pop_head (&self->in_flight);
      batch->handled = TRUE;
      self->durable_gen = batch->gen;
      moved = TRUE;
      if (batch->error != NULL && !self->disposing)
        {
          g_warning ("cannot checkpoint executions: %s", batch->error->message);
          executor_fail_all (self, batch->error);
        }
      checkpoint_batch_unref (batch);
    }
  if (!moved || self->disposing)
    return;
  executor_release_durable (self, self->awaiting, TRUE);
  executor_release_durable (self, self->unannounced, FALSE);
  executor_run_durable_waiters (self);
  /* What gathered while the batches were on their way goes now, not at the pump's next
   * turn: it holds whole steps (the pump hands nothing over in the middle of a turn). */
  executor_submit_batch (self, MAX_IN_FLIGHT);
  executor_schedule_pump (self);
}

/* No reference on the executor: it takes every outcome before it goes away (dispose
 * waits for them), so a callback whose batch is handled leaves it alone, and one whose
 * batch is not has a live executor. */
typedef struct {
  DecaExecutor *executor;
  CheckpointBatch *batch;
} BatchCall;

static void
checkpoint_batch_written_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  BatchCall *call = user_data;
  g_autoptr(GError) error = NULL;

  /* A job that did not run (the worker could not open the store) has its reason here. */
  deca_store_worker_call_finish (DECA_STORE_WORKER (source), result, &error);
  if (!call->batch->handled)
    {
      if (!call->batch->written && call->batch->error == NULL)
        call->batch->error = g_steal_pointer (&error);
      call->batch->done = TRUE;
      executor_take_outcomes (call->executor);
    }
  checkpoint_batch_unref (call->batch);
  g_free (call);
}

/* Hands the pending checkpoints to the worker's thread as the next generation, unless
 * @limit batches are on their way already: they then wait for a later round. */
static void
executor_submit_batch (DecaExecutor *self,
                       guint         limit)
{
  CheckpointBatch *batch;
  BatchCall *call;

  if (self->in_flight.length >= limit || !executor_wants_write (self))
    return;

  batch = g_atomic_rc_box_new0 (CheckpointBatch);
  batch->gen = self->open_gen++;
  batch->inserts = steal_records (&self->pending_inserts, (GDestroyNotify) deca_execution_record_free);
  batch->updates = steal_records (&self->pending_updates, (GDestroyNotify) deca_execution_record_free);
  batch->results = steal_records (&self->pending_results, (GDestroyNotify) deca_node_result_record_free);
  batch->events = steal_records (&self->pending_events, (GDestroyNotify) deca_event_record_free);
  /* The trees are released here, on this thread, when the batch comes back: the last
   * reference to a batch is always this thread's (the job's goes first). */
  batch->texts = g_steal_pointer (&self->pending_texts);
  self->pending_texts = g_array_new (FALSE, FALSE, sizeof (DeferredText));
  g_array_set_clear_func (self->pending_texts, deferred_text_clear);
  batch->audit = deca_store_take_audit_queue (self->store);
  self->audit_due = FALSE;
  g_queue_push_tail (&self->in_flight, batch);

  call = g_new (BatchCall, 1);
  call->executor = self;
  call->batch = g_atomic_rc_box_acquire (batch);
  deca_store_worker_call_async (self->worker, checkpoint_batch_write_job, g_atomic_rc_box_acquire (batch),
                                checkpoint_batch_unref, NULL, NULL, checkpoint_batch_written_cb, call);
}

/* The round's checkpoint: written here, or handed to the worker. */
static gboolean
executor_checkpoint (DecaExecutor  *self,
                     GError       **error)
{
  if (self->worker == NULL)
    return executor_flush_batch (self, error);
  executor_submit_batch (self, MAX_IN_FLIGHT);
  return TRUE;
}

/* Hands everything pending to the worker and waits until its thread has written all
 * batches: afterwards everything queued before the call is durable. */
static gboolean
executor_sync (DecaExecutor  *self,
               GError       **error)
{
  g_autoptr(GError) failed = NULL;

  if (self->worker == NULL)
    return executor_flush_batch (self, error);

  executor_submit_batch (self, G_MAXUINT);
  if (self->in_flight.length == 0)
    return TRUE;
  deca_store_worker_flush (self->worker);
  for (GList *l = self->in_flight.head; l != NULL; l = l->next)
    {
      CheckpointBatch *batch = l->data;

      if (!batch->written && batch->error == NULL)
        batch->error = g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                                    _("the checkpoints were not written: the store “%s” could not be opened"),
                                    deca_store_worker_get_path (self->worker));
      if (batch->error != NULL && failed == NULL)
        failed = g_error_copy (batch->error);
      batch->done = TRUE;
    }
  executor_take_outcomes (self);
  if (failed != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&failed));
      return FALSE;
    }
  return TRUE;
}

static void
executor_touch (DecaExecutor  *self,
                DecaExecution *execution)
{
  if (!execution->in_touched)
    {
      execution->in_touched = TRUE;
      g_ptr_array_add (self->touched, g_object_ref (execution));
    }
  executor_schedule_pump (self);
}

/* --- the host: services the executor offers to nodes ---------------------------------- */

static void
execution_add_secrets (DecaExecution *execution,
                       JsonObject    *fields)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, fields);
  while (json_object_iter_next (&iter, &name, &value))
    if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING &&
        json_node_get_string (value)[0] != '\0')
      {
        if (execution->secrets == NULL)
          execution->secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_add (execution->secrets, g_strdup (json_node_get_string (value)));
      }
}

/* Sets *@out to the workspace of @execution: its flow's in the store, where the store
 * records the execution (read once); NULL without a store. */
static gboolean
execution_get_workspace (DecaExecution  *execution,
                         const char    **out,
                         GError        **error)
{
  DecaStore *store = execution->executor->store;

  if (execution->workspace_id == NULL && store != NULL &&
      !(execution->workspace_id = deca_store_get_flow_workspace (store, deca_flow_get_id (execution->flow), error)))
    return FALSE;
  *out = execution->workspace_id;
  return TRUE;
}

/* Looks credential @name up for @execution, and keeps its secrets for redaction. A
 * provider with per-workspace credentials answers from the execution's workspace. */
static JsonObject *
execution_lookup_credential (DecaExecution  *execution,
                             const char     *name,
                             GError        **error)
{
  DecaExecutor *self = execution->executor;
  const char *workspace_id = NULL;
  JsonObject *fields;

  if (deca_credential_provider_is_per_workspace (self->credentials) &&
      !execution_get_workspace (execution, &workspace_id, error))
    return NULL;
  fields = deca_credential_provider_lookup_in_workspace (self->credentials, workspace_id, name, error);
  if (fields != NULL)
    execution_add_secrets (execution, fields);
  return fields;
}

static JsonObject *
host_lookup_credential (gpointer     host_data,
                        const char  *name,
                        GError     **error)
{
  DecaExecution *execution = host_data;

  if (execution->executor->credentials == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                   _("credential '%s' is not available: no credential provider is configured"), name);
      return NULL;
    }
  return execution_lookup_credential (execution, name, error);
}

static gboolean
host_get_approval (gpointer    host_data,
                   const char *node_key,
                   gboolean   *approved,
                   char      **comment,
                   char      **decided_by)
{
  DecaExecution *execution = host_data;
  DecaExecutor *self = execution->executor;
  g_autoptr(GError) error = NULL;
  DecaApprovalRecord *record;
  gboolean found;

  if (self->store != NULL)
    record = deca_store_get_approval (self->store, execution->id, node_key, &error);
  else
    record = execution->decisions ? g_hash_table_lookup (execution->decisions, node_key) : NULL;
  if (error != NULL)
    g_warning ("execution %s: cannot read the approval of %s: %s", execution->id, node_key, error->message);

  found = record != NULL;
  if (found)
    {
      *approved = record->approved;
      if (comment)
        *comment = g_strdup (record->comment);
      if (decided_by)
        *decided_by = g_strdup (record->decided_by);
    }
  if (self->store != NULL)
    g_clear_pointer (&record, deca_approval_record_free);
  return found;
}

static void
host_set_response (gpointer  host_data,
                   JsonNode *response)
{
  DecaExecution *execution = host_data;
  /* The answer goes to the webhook's caller, who is not trusted with the credentials
   * the execution used: redacted as the stored outputs are. */
  g_autoptr(JsonNode) redacted = deca_json_redact (response, execution->secrets);

  g_clear_pointer (&execution->response, json_node_unref);
  execution->response = json_node_copy (redacted);
}

static void
host_log (gpointer            host_data,
          DecaNodeInvocation *invocation,
          GLogLevelFlags      level,
          const char         *message)
{
  DecaExecution *execution = host_data;
  DecaEvent event = { 0 };
  g_autofree char *redacted = deca_string_redact (message, execution->secrets);

  event.type = DECA_EVENT_NODE_LOG;
  event.node_id = deca_node_invocation_get_node_id (invocation);
  event.node_key = deca_node_invocation_get_node_key (invocation);
  event.attempt = deca_node_invocation_get_attempt (invocation);
  event.message = redacted;
  event.level = (level & G_LOG_LEVEL_ERROR) || (level & G_LOG_LEVEL_CRITICAL) ? "error"
              : (level & G_LOG_LEVEL_WARNING) ? "warning"
              : (level & G_LOG_LEVEL_DEBUG) ? "debug" : "info";
  execution_emit (execution, &event);
}

/* The data goes out with the execution's secrets redacted, as its results are stored:
 * an event is kept and becomes other executions' input. */
static JsonNode *
host_publish_event (gpointer             host_data,
                    DecaNodeInvocation  *invocation,
                    const char          *topic,
                    JsonNode            *data,
                    GError             **error)
{
  DecaExecution *execution = host_data;
  g_autoptr(JsonNode) redacted = NULL;

  if (execution->executor->events == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("node '%s': no event bus: run the flow on the server (deca serve) to publish events"),
                   deca_node_invocation_get_node_id (invocation));
      return NULL;
    }
  if (data != NULL)
    redacted = deca_json_redact (data, execution->secrets);
  return deca_event_sink_publish (execution->executor->events, deca_flow_get_id (execution->flow),
                                  execution->id, topic, redacted, error);
}

static gboolean host_run_subflow (gpointer host_data, DecaNodeInvocation *invocation,
                                  const char *flow_id, gint64 version, JsonNode *input,
                                  DecaSubflowDoneFunc done, gpointer done_data, GError **error);

static const DecaNodeHost executor_host = {
  host_lookup_credential,
  host_get_approval,
  host_set_response,
  host_run_subflow,
  host_log,
  host_publish_event,
};

/* --- node lifecycle ------------------------------------------------------------------ */

static gboolean
execution_is_active (DecaExecution *execution)
{
  return execution->status == DECA_EXECUTION_RUNNING || execution->status == DECA_EXECUTION_PAUSED;
}

static void
node_enqueue (DecaFrame *frame,
              guint      node)
{
  DecaExecution *execution = frame->execution;
  ReadyItem *item = g_new (ReadyItem, 1);
  g_autofree char *key_owned = NULL;
  const char *key = frame_key (frame, node, &key_owned);
  DecaEvent event;

  frame->states[node].status = NODE_QUEUED;
  item->frame = frame;
  item->node = node;
  g_queue_push_tail (&execution->ready, item);
  node_event_init (&event, DECA_EVENT_NODE_QUEUED, frame, node, key);
  execution_emit (execution, &event);
  executor_touch (execution->executor, execution);
}

static void
frame_node_terminal (DecaFrame *frame,
                     guint      node);

/* Resolves one incoming connection of @node; runs or skips it once all are resolved. */
static void
node_resolve_input (DecaFrame *frame,
                    guint      node,
                    gboolean   fired)
{
  DecaNodeState *state = &frame->states[node];

  g_assert (state->unresolved > 0);
  state->unresolved--;
  if (fired)
    state->fired++;
  if (state->unresolved > 0 || state->status != NODE_WAITING)
    return;

  if (state->fired > 0)
    node_enqueue (frame, node);
  else
    {
      /* Dead-path elimination: no input fired, so the node is skipped, and so are the
       * connections leaving it. */
      g_autofree char *key_owned = NULL;
      const char *key = frame_key (frame, node, &key_owned);
      DecaEvent event;

      state->status = NODE_SKIPPED;
      node_event_init (&event, DECA_EVENT_NODE_SKIPPED, frame, node, key);
      event.message = "no incoming connection fired";
      execution_emit (frame->execution, &event);
      checkpoint_node (frame, node, key, DECA_STATUS_SKIPPED, event.seq);
      node_finish (frame, node);
    }
}

/* Evaluates whether connection @e fires, given its source's final state. */
static gboolean
edge_fires (DecaFrame      *frame,
            PlanEdge       *edge,
            guint           e,
            DecaNodeState  *source)
{
  DecaExprScope scope;
  g_autoptr(GError) error = NULL;
  gboolean result;

  if (source->status == NODE_FAILED)
    return edge->on_error;
  if (source->status != NODE_SUCCEEDED || edge->on_error)
    return FALSE;
  if (g_strcmp0 (edge->from_port, source->port) != 0)
    return FALSE;
  if (edge->condition == NULL)
    return TRUE;

  frame_scope (frame, &scope);
  if (!deca_expr_evaluate_boolean (edge->condition, &scope, &result, &error))
    {
      DecaPlan *plan = execution_plan (frame->execution);
      g_autofree char *key_owned = NULL;
      const char *key = frame_key (frame, edge->to, &key_owned);

      g_prefix_error (&error, _("condition of the connection %s -> %s (/connections/%u/condition): "),
                      plan->nodes[edge->from].node->id, plan->nodes[edge->to].node->id, e);
      execution_fail (frame->execution, g_steal_pointer (&error), key);
      return FALSE;
    }
  return result;
}

/* A node reached a final state (succeeded, failed, skipped): resolve the connections
 * leaving it. */
static void
node_finish (DecaFrame *frame,
             guint      node)
{
  DecaExecution *execution = frame->execution;
  DecaPlan *plan = execution_plan (execution);
  PlanNode *plan_node = &plan->nodes[node];
  DecaNodeState *state = &frame->states[node];

  if (state->status == NODE_FAILED && !plan_node->has_on_error)
    {
      if (deca_flow_get_error_strategy (execution->flow) == DECA_ERROR_STRATEGY_STOP_ON_ERROR)
        {
          g_autofree char *key_owned = NULL;
          const char *key = frame_key (frame, node, &key_owned);

          execution_fail (execution, g_error_copy (state->error), key);
          return;
        }
      execution->unhandled_failure = TRUE;
    }

  for (guint i = 0; i < plan_node->out_edges->len && execution_is_active (execution); i++)
    {
      guint e = g_array_index (plan_node->out_edges, guint, i);
      PlanEdge *edge = &plan->edges[e];
      gboolean fired = edge_fires (frame, edge, e, state);

      if (!execution_is_active (execution))
        return;
      node_resolve_input (frame, edge->to, fired);
    }
  if (execution_is_active (execution))
    frame_node_terminal (frame, node);
}

static void
node_succeed (DecaFrame  *frame,
              guint       node,
              JsonNode   *output,
              const char *port)
{
  DecaExecution *execution = frame->execution;
  DecaNodeState *state = &frame->states[node];
  g_autofree char *key_owned = NULL;
  const char *key = frame_key (frame, node, &key_owned);
  g_autoptr(JsonNode) redacted = NULL;
  DecaEvent event;

  state->status = NODE_SUCCEEDED;
  g_clear_pointer (&state->output, json_node_unref);
  state->output = output;
  g_free (state->port);
  state->port = g_strdup (port ? port : deca_node_type_get_default_port (execution_plan (execution)->nodes[node].type));

  node_event_init (&event, DECA_EVENT_NODE_SUCCEEDED, frame, node, key);
  event.port = state->port;
  if (execution->executor->listeners->len > 0
      || g_signal_has_handler_pending (execution->executor, signals[SIGNAL_EVENT], 0, FALSE))
    event.output = redacted = deca_json_redact (output, execution->secrets);
  event.duration_us = executor_now (execution->executor) - state->started_at;
  execution_emit (execution, &event);
  checkpoint_node (frame, node, key, DECA_STATUS_SUCCEEDED, event.seq);
}

static JsonNode *
error_output (const GError *error)
{
  g_autofree char *text = error_json (error, NULL);
  g_autofree char *wrapped = g_strdup_printf ("{\"error\":%s}", text);

  return json_from_string (wrapped, NULL);
}

static void
node_fail (DecaFrame *frame,
           guint      node,
           GError    *error)
{
  DecaExecution *execution = frame->execution;
  DecaNodeState *state = &frame->states[node];
  g_autofree char *key_owned = NULL;
  const char *key = frame_key (frame, node, &key_owned);
  g_autofree char *message = deca_string_redact (error->message, execution->secrets);
  DecaEvent event;

  state->status = NODE_FAILED;
  g_clear_error (&state->error);
  state->error = error;
  /* A failed node's value is {"error": {...}}, so fallback nodes can read what happened. */
  g_clear_pointer (&state->output, json_node_unref);
  state->output = error_output (error);
  g_clear_pointer (&state->port, g_free);

  node_event_init (&event, DECA_EVENT_NODE_FAILED, frame, node, key);
  event.error_code = error->domain == DECA_ENGINE_ERROR ? deca_engine_error_code_name (error->code) : "error";
  event.error_message = message;
  event.duration_us = executor_now (execution->executor) - state->started_at;
  execution_emit (execution, &event);
  checkpoint_node (frame, node, key, DECA_STATUS_FAILED, event.seq);
}

/* --- starting nodes, attempts, retries, timeouts -------------------------------------- */

typedef struct {
  DecaExecution *execution;   /* owned */
  DecaFrame *frame;
  guint node;
} NodeRef;

static NodeRef *
node_ref_new (DecaFrame *frame,
              guint      node)
{
  NodeRef *ref = g_new (NodeRef, 1);

  ref->execution = g_object_ref (frame->execution);
  ref->frame = frame;
  ref->node = node;
  return ref;
}

static void
node_ref_free (gpointer data)
{
  NodeRef *ref = data;

  g_object_unref (ref->execution);
  g_free (ref);
}

static void
on_invocation_done (DecaNodeInvocation *invocation,
                    gpointer            user_data)
{
  DecaNodeSlot *slot = user_data;
  DecaExecution *execution = slot->frame->execution;
  DecaExecutor *self = execution->executor;
  Completion *completion = g_new (Completion, 1);

  /* Completions are handled by the pump, never inside the node's own call stack: a
   * synchronous node would otherwise recurse through the whole flow. The slot needs no
   * reference: an invocation whose frame goes away is abandoned first, and then this is
   * never called. */
  completion->execution = g_object_ref (execution);
  completion->frame = slot->frame;
  completion->node = slot->node;
  completion->invocation = g_object_ref (invocation);
  g_queue_push_tail (&self->completions, completion);
  executor_schedule_pump (self);
}

static gboolean
node_timeout_cb (gpointer user_data)
{
  NodeRef *ref = user_data;
  DecaNodeState *state = &ref->frame->states[ref->node];
  DecaExecution *execution = ref->execution;
  DecaPlan *plan = execution_plan (execution);
  g_autoptr(DecaNodeInvocation) invocation = NULL;

  state->timeout_id = 0;
  if (state->status != NODE_RUNNING || state->invocation == NULL)
    return G_SOURCE_REMOVE;

  /* Abandon the attempt and report it as failed through the normal completion path. */
  invocation = g_steal_pointer (&state->invocation);
  deca_node_invocation_abandon (invocation);
  {
    Completion *completion = g_new (Completion, 1);
    DecaNodeInvocation *failed;
    DecaExprScope scope;
    g_autoptr(JsonObject) empty = json_object_new ();

    frame_scope (ref->frame, &scope);
    failed = deca_node_invocation_new (execution->id, plan->nodes[ref->node].node->id, NULL, empty,
                                       &scope, state->attempt, execution->executor->clock,
                                       NULL, NULL, NULL, NULL, NULL);
    deca_node_invocation_return_error (failed,
                                       g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_TIMEOUT,
                                                    _("node '%s' did not finish within its timeout of %.3g s"),
                                                    plan->nodes[ref->node].node->id,
                                                    plan->nodes[ref->node].node->timeout_us / (double) G_USEC_PER_SEC));
    completion->execution = g_object_ref (execution);
    completion->frame = ref->frame;
    completion->node = ref->node;
    completion->invocation = failed;
    g_queue_push_tail (&execution->executor->completions, completion);
    executor_schedule_pump (execution->executor);
  }
  return G_SOURCE_REMOVE;
}

/* Applies a result restored from the store on resume: no invocation, no new checkpoint. */
static gboolean
node_try_restore (DecaFrame  *frame,
                  guint       node,
                  const char *key)
{
  DecaExecution *execution = frame->execution;
  DecaNodeState *state = &frame->states[node];
  DecaNodeResultRecord *record;
  g_autoptr(JsonNode) output = NULL;

  if (execution->restored == NULL ||
      (record = g_hash_table_lookup (execution->restored, key)) == NULL)
    return FALSE;

  output = record->output ? json_from_string (record->output, NULL) : NULL;
  if (g_str_equal (record->status, DECA_STATUS_SUCCEEDED) && output != NULL)
    {
      state->status = NODE_SUCCEEDED;
      state->output = g_steal_pointer (&output);
      state->port = g_strdup (record->port);
      state->attempt = record->attempts;
    }
  else if (g_str_equal (record->status, DECA_STATUS_FAILED))
    {
      g_autoptr(JsonNode) error = record->error ? json_from_string (record->error, NULL) : NULL;
      const char *message = error && JSON_NODE_HOLDS_OBJECT (error)
                          ? json_object_get_string_member_with_default (json_node_get_object (error), "message", "failed")
                          : "failed";

      state->status = NODE_FAILED;
      state->error = g_error_new_literal (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED, message);
      state->output = output ? g_steal_pointer (&output) : error_output (state->error);
      state->attempt = record->attempts;
    }
  else
    {
      /* Started before the crash (running, or a paused approval): it runs again, but
       * keeps its first start time, which a wait node counts from. */
      state->first_started_at = record->started_at;
      g_hash_table_remove (execution->restored, key);
      return FALSE;
    }

  g_hash_table_remove (execution->restored, key);
  node_finish (frame, node);
  return TRUE;
}

/* Starts one attempt of @node. */
static void
node_start (DecaFrame *frame,
            guint      node)
{
  DecaExecution *execution = frame->execution;
  DecaExecutor *self = execution->executor;
  PlanNode *plan_node = &execution_plan (execution)->nodes[node];
  DecaNodeState *state = &frame->states[node];
  g_autofree char *key_owned = NULL;
  const char *key = frame_key (frame, node, &key_owned);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) config = NULL;
  DecaExprScope scope;
  DecaEvent event;
  gint64 now = executor_now (self);

  if (state->attempt == 0 && node_try_restore (frame, node, key))
    return;

  state->attempt++;
  state->status = NODE_RUNNING;
  state->started_at = now;
  if (state->first_started_at == 0)
    state->first_started_at = now;
  execution->running++;

  node_event_init (&event, DECA_EVENT_NODE_STARTED, frame, node, key);
  execution_emit (execution, &event);

  frame_scope (frame, &scope);
  if (plan_node->config != NULL)
    config = _deca_compiled_value_render (plan_node->config, &scope, &error);
  else
    config = json_node_init_object (json_node_alloc (), plan_node->node->config);

  g_clear_pointer (&state->input, json_node_unref);
  g_clear_pointer (&state->circuit_key, g_free);
  if (config != NULL)
    {
      state->input = json_node_ref (config);
      state->circuit_key = deca_node_type_get_circuit_key (plan_node->type, json_node_get_object (config));
    }
  else
    g_prefix_error (&error, _("node '%s' config: "), plan_node->node->id);

  if (error == NULL && state->circuit_key != NULL)
    {
      gint64 retry_at = 0;

      if (!deca_circuit_breaker_allow (self->breaker, state->circuit_key, now,
                                       deca_flow_get_breaker_cooldown_us (execution->flow), &retry_at))
        g_set_error (&error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CIRCUIT_OPEN,
                     _("the circuit breaker for %s is open after repeated failures; it lets a trial "
                     "request through in %.1f s"), state->circuit_key, (retry_at - now) / (double) G_USEC_PER_SEC);
    }

  state->slot.frame = frame;
  state->slot.node = node;
  state->invocation = deca_node_invocation_new (execution->id, plan_node->node->id, key,
                                                config ? json_node_get_object (config) : plan_node->node->config,
                                                &scope, state->attempt, self->clock, NULL,
                                                &executor_host, execution,
                                                on_invocation_done, &state->slot);
  if (error != NULL)
    {
      deca_node_invocation_return_error (state->invocation, g_steal_pointer (&error));
      return;
    }

  state->invocations++;
  deca_node_invocation_set_first_started_at (state->invocation, state->first_started_at);
  if (plan_node->node->timeout_us > 0)
    state->timeout_id = deca_clock_add_timeout (self->clock, plan_node->node->timeout_us,
                                                node_timeout_cb, node_ref_new (frame, node), node_ref_free);
  deca_node_type_invoke (plan_node->type, state->invocation);

  /* A node that did not answer at once may run for long (a wait, a request): record that
   * it started, so `deca executions show` sees it and a resume keeps its start time.
   * Nodes that answered at once get only their result written. */
  if (state->invocation != NULL && deca_node_invocation_get_outcome (state->invocation) == DECA_INVOCATION_PENDING)
    checkpoint_node (frame, node, key, DECA_STATUS_RUNNING, 0);
}

static gboolean
retry_cb (gpointer user_data)
{
  NodeRef *ref = user_data;
  DecaNodeState *state = &ref->frame->states[ref->node];

  state->retry_id = 0;
  if (state->status != NODE_RETRY_WAIT || !execution_is_active (ref->execution))
    return G_SOURCE_REMOVE;
  ref->execution->retry_waiting--;
  node_enqueue (ref->frame, ref->node);
  return G_SOURCE_REMOVE;
}

static gboolean
error_is_retryable (const GError *error)
{
  return !(error->domain == DECA_ENGINE_ERROR &&
           (error->code == DECA_ENGINE_ERROR_CANCELLED ||
            error->code == DECA_ENGINE_ERROR_CIRCUIT_OPEN ||
            error->code == DECA_ENGINE_ERROR_EXPRESSION ||
            error->code == DECA_ENGINE_ERROR_CREDENTIAL ||
            error->code == DECA_ENGINE_ERROR_REJECTED));
}

/* The wait before attempt @attempt + 1: exponential, capped, then spread by ±jitter. */
static gint64
retry_delay (DecaExecutor          *self,
             const DecaRetryPolicy *retry,
             int                    attempt)
{
  double delay = (double) retry->initial_delay_us;

  for (int i = 1; i < attempt && delay < (double) retry->max_delay_us; i++)
    delay *= retry->multiplier;
  delay = MIN (delay, (double) retry->max_delay_us);
  if (retry->jitter > 0)
    delay *= 1.0 + retry->jitter * g_rand_double_range (self->rand, -1.0, 1.0);
  return (gint64) MAX (delay, 0);
}

static void
node_schedule_retry (DecaFrame    *frame,
                     guint         node,
                     const GError *error)
{
  DecaExecution *execution = frame->execution;
  DecaExecutor *self = execution->executor;
  PlanNode *plan_node = &execution_plan (execution)->nodes[node];
  DecaNodeState *state = &frame->states[node];
  g_autofree char *key_owned = NULL;
  const char *key = frame_key (frame, node, &key_owned);
  g_autofree char *message = deca_string_redact (error->message, execution->secrets);
  DecaEvent event;

  state->status = NODE_RETRY_WAIT;
  execution->retry_waiting++;
  node_event_init (&event, DECA_EVENT_NODE_RETRYING, frame, node, key);
  event.error_code = error->domain == DECA_ENGINE_ERROR ? deca_engine_error_code_name (error->code) : "error";
  event.error_message = message;
  event.delay_us = retry_delay (self, &plan_node->node->retry, state->attempt);
  execution_emit (execution, &event);
  state->retry_id = deca_clock_add_timeout (self->clock, event.delay_us, retry_cb,
                                            node_ref_new (frame, node), node_ref_free);
}

static void
node_pause (DecaFrame  *frame,
            guint       node,
            const char *reason)
{
  DecaExecution *execution = frame->execution;
  g_autofree char *key_owned = NULL;
  const char *key = frame_key (frame, node, &key_owned);
  DecaNodeState *state = &frame->states[node];
  DecaEvent event;

  state->status = NODE_PAUSED;
  {
    ReadyItem *waiting = g_new (ReadyItem, 1);

    waiting->frame = frame;
    waiting->node = node;
    /* Created on first use: most executions never wait for anybody. */
    if (execution->waiting == NULL)
      execution->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_replace (execution->waiting, g_strdup (key), waiting);
  }
  node_event_init (&event, DECA_EVENT_NODE_PAUSED, frame, node, key);
  event.message = reason;
  execution_emit (execution, &event);
  checkpoint_node (frame, node, key, DECA_STATUS_PAUSED, event.seq);
  executor_touch (execution->executor, execution);
}

static void
handle_completion (Completion *completion)
{
  DecaExecution *execution = completion->execution;
  DecaExecutor *self = execution->executor;
  DecaFrame *frame = completion->frame;
  guint node = completion->node;
  DecaNodeState *state = &frame->states[node];
  PlanNode *plan_node = &execution_plan (execution)->nodes[node];
  DecaNodeInvocation *invocation = completion->invocation;
  gint64 now = executor_now (self);

  executor_touch (self, execution);
  if (!execution_is_active (execution) || state->status != NODE_RUNNING)
    return;
  /* A late result of an attempt that timed out is not this attempt's. */
  if (state->invocation != NULL && state->invocation != invocation)
    return;

  execution->running--;
  g_clear_object (&state->invocation);
  if (state->timeout_id != 0)
    {
      deca_clock_remove_timeout (self->clock, state->timeout_id);
      state->timeout_id = 0;
    }

  switch (deca_node_invocation_get_outcome (invocation))
    {
    case DECA_INVOCATION_SUCCEEDED:
      if (state->circuit_key != NULL)
        deca_circuit_breaker_record (self->breaker, state->circuit_key, TRUE, now,
                                     deca_flow_get_breaker_threshold (execution->flow));
      if (plan_node->kind == DECA_NODE_KIND_LOOP)
        {
          JsonNode *items = deca_node_invocation_get_output (invocation);

          if (!JSON_NODE_HOLDS_ARRAY (items))
            {
              node_fail (frame, node, g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                                                   _("loop '%s': items must be an array"), plan_node->node->id));
              node_finish (frame, node);
              return;
            }
          state->status = NODE_LOOPING;
          state->items = json_array_ref (json_node_get_array (items));
          state->results = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
          for (guint i = 0; i < json_array_get_length (state->items); i++)
            g_ptr_array_add (state->results, json_node_init_null (json_node_alloc ()));
          state->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) _deca_frame_free);
          execution->loops_running++;
          frame_start_iterations (frame, node);
          return;
        }
      node_succeed (frame, node, json_node_ref (deca_node_invocation_get_output (invocation)),
                    deca_node_invocation_get_port (invocation));
      node_finish (frame, node);
      break;

    case DECA_INVOCATION_FAILED:
      {
        const GError *error = deca_node_invocation_get_error (invocation);

        if (state->circuit_key != NULL && !(error->domain == DECA_ENGINE_ERROR &&
                                            (error->code == DECA_ENGINE_ERROR_CIRCUIT_OPEN ||
                                             error->code == DECA_ENGINE_ERROR_CANCELLED)))
          deca_circuit_breaker_record (self->breaker, state->circuit_key, FALSE, now,
                                       deca_flow_get_breaker_threshold (execution->flow));
        if (state->attempt < plan_node->node->retry.max_attempts && error_is_retryable (error))
          {
            node_schedule_retry (frame, node, error);
            return;
          }
        node_fail (frame, node, g_error_copy (error));
        node_finish (frame, node);
      }
      break;

    case DECA_INVOCATION_PAUSED:
      node_pause (frame, node, deca_node_invocation_get_pause_reason (invocation));
      break;

    case DECA_INVOCATION_PENDING:
    default:
      g_assert_not_reached ();
    }
}

/* --- loops ----------------------------------------------------------------------------- */

static void
iteration_begin (DecaFrame *parent,
                 guint      loop)
{
  DecaExecution *execution = parent->execution;
  DecaPlan *plan = execution_plan (execution);
  DecaNodeState *state = &parent->states[loop];
  guint index = state->next_item++;
  DecaFrame *frame = frame_new (execution, parent, (int) loop);
  g_autofree char *loop_key_owned = NULL;
  const char *loop_key = frame_key (parent, loop, &loop_key_owned);
  guint count = json_array_get_length (state->items);
  JsonObject *info;

  g_free (frame->key_prefix);
  frame->key_prefix = g_strdup_printf ("%s[%u]/", loop_key, index);
  frame->iteration = index;
  frame->item = json_node_copy (json_array_get_element (state->items, index));
  frame->index = json_node_init_int (json_node_alloc (), index);
  info = json_object_new ();
  json_object_set_int_member (info, "index", index);
  json_object_set_int_member (info, "count", count);
  json_object_set_boolean_member (info, "first", index == 0);
  json_object_set_boolean_member (info, "last", index + 1 == count);
  json_object_set_member (info, "item", json_node_copy (frame->item));
  frame->loop_info = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (frame->loop_info, info);

  state->running_iterations++;
  g_ptr_array_add (state->frames, frame);

  /* The connections from the loop's "body" port resolve first, in the iteration's scope. */
  for (guint i = 0; i < plan->nodes[loop].entry_edges->len && execution_is_active (execution); i++)
    {
      guint e = g_array_index (plan->nodes[loop].entry_edges, guint, i);
      PlanEdge *edge = &plan->edges[e];
      gboolean fired = TRUE;

      if (edge->condition != NULL)
        {
          DecaExprScope scope;
          g_autoptr(GError) error = NULL;

          frame_scope (frame, &scope);
          if (!deca_expr_evaluate_boolean (edge->condition, &scope, &fired, &error))
            {
              g_prefix_error (&error, _("condition of the connection %s -> %s: "),
                              plan->nodes[loop].node->id, plan->nodes[edge->to].node->id);
              execution_fail (execution, g_steal_pointer (&error), loop_key);
              return;
            }
        }
      node_resolve_input (frame, edge->to, fired);
    }
  if (execution_is_active (execution) && frame->pending == 0 && !frame->done)
    {
      frame->done = TRUE;
      frame_node_terminal (frame, G_MAXUINT);
    }
}

static void
frame_start_iterations (DecaFrame *frame,
                        guint      loop)
{
  DecaExecution *execution = frame->execution;
  DecaNodeState *state = &frame->states[loop];
  JsonNode *concurrency_node = json_object_get_member (execution_plan (execution)->nodes[loop].node->config, "concurrency");
  guint concurrency = 1;
  guint count = json_array_get_length (state->items);

  if (concurrency_node != NULL && JSON_NODE_HOLDS_VALUE (concurrency_node) &&
      json_node_get_value_type (concurrency_node) == G_TYPE_INT64)
    concurrency = (guint) CLAMP (json_node_get_int (concurrency_node), 1, 1024);

  /* An iteration can end inside iteration_begin() (a body whose nodes are all skipped):
   * its iteration_done() lands here again, and the loop below goes on instead of
   * recursing once per item. */
  if (state->starting)
    return;
  state->starting = TRUE;
  while (execution_is_active (execution) && state->status == NODE_LOOPING &&
         state->next_item < count && state->running_iterations < concurrency)
    iteration_begin (frame, loop);
  state->starting = FALSE;

  if (execution_is_active (execution) && state->status == NODE_LOOPING &&
      state->done_iterations == count)
    {
      JsonArray *array = json_array_sized_new (count);
      g_autoptr(JsonNode) results = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < count; i++)
        json_array_add_element (array, json_node_ref (g_ptr_array_index (state->results, i)));
      json_node_take_array (results, array);
      execution->loops_running--;
      /* Callers up the stack may still look at the last iteration's frame: free the
       * frames between rounds, not now. */
      if (execution->spent_frames == NULL)
        execution->spent_frames = g_ptr_array_new_with_free_func ((GDestroyNotify) _deca_frame_free);
      while (state->frames->len > 0)
        g_ptr_array_add (execution->spent_frames, g_ptr_array_steal_index (state->frames, state->frames->len - 1));
      g_clear_pointer (&state->frames, g_ptr_array_unref);
      node_succeed (frame, loop, g_steal_pointer (&results), "done");
      node_finish (frame, loop);
    }
}

/* The value an iteration produced: the output of the nodes connected back to the loop,
 * or else of the body's last nodes; one value, or an object by node id when several. */
static JsonNode *
iteration_result (DecaFrame *frame)
{
  DecaPlan *plan = execution_plan (frame->execution);
  g_autoptr(JsonObject) results = json_object_new ();
  gboolean any_result_node = FALSE;
  JsonNode *single = NULL;
  guint n_results = 0;

  for (guint n = 0; n < plan->n_nodes; n++)
    if (plan->nodes[n].owner == frame->loop && plan->nodes[n].is_result)
      any_result_node = TRUE;

  for (guint n = 0; n < plan->n_nodes; n++)
    {
      PlanNode *plan_node = &plan->nodes[n];

      if (plan_node->owner != frame->loop || frame->states[n].status != NODE_SUCCEEDED)
        continue;
      if (any_result_node ? !plan_node->is_result : !plan_node->is_sink)
        continue;
      json_object_set_member (results, plan_node->node->id, json_node_ref (frame->states[n].output));
      single = frame->states[n].output;
      n_results++;
    }
  if (n_results == 0)
    return json_node_init_null (json_node_alloc ());
  if (n_results == 1)
    return json_node_ref (single);
  return json_node_init_object (json_node_alloc (), results);
}

static void
iteration_done (DecaFrame *frame)
{
  DecaFrame *parent = frame->parent;
  guint loop = (guint) frame->loop;
  DecaNodeState *state = &parent->states[loop];

  /* Results keep item order whatever order iterations finish in. */
  g_clear_pointer (&g_ptr_array_index (state->results, frame->iteration), json_node_unref);
  g_ptr_array_index (state->results, frame->iteration) = iteration_result (frame);
  state->running_iterations--;
  state->done_iterations++;
  /* The frame stays in state->frames until the loop ends: queued work may still point at
   * it this round. */
  frame_start_iterations (parent, loop);
}

static void
frame_node_terminal (DecaFrame *frame,
                     guint      node)
{
  DecaExecution *execution = frame->execution;

  if (node != G_MAXUINT)
    {
      DecaNodeState *state = &frame->states[node];

      if (state->counted_terminal)
        return;
      state->counted_terminal = TRUE;
      g_assert (frame->pending > 0);
      frame->pending--;
      if (frame->pending > 0)
        return;
    }
  frame->done = TRUE;
  if (frame->loop >= 0)
    iteration_done (frame);
  else
    execution_complete (execution);
}

/* --- finishing executions ---------------------------------------------------------------- */

typedef struct {
  DecaExecution *parent;          /* owned */
  DecaNodeInvocation *invocation; /* owned */
  DecaSubflowDoneFunc done;
  gpointer done_data;
} SubflowWait;

/* Stops everything still in flight: invocations, retry and timeout timers. */
static void
frame_stop (DecaExecutor *self,
            DecaFrame    *frame)
{
  for (guint n = 0; n < frame->n_states; n++)
    {
      DecaNodeState *state = &frame->states[n];

      if (state->invocation != NULL)
        {
          deca_node_invocation_abandon (state->invocation);
          g_clear_object (&state->invocation);
        }
      if (state->timeout_id != 0)
        deca_clock_remove_timeout (self->clock, state->timeout_id);
      if (state->retry_id != 0)
        deca_clock_remove_timeout (self->clock, state->retry_id);
      state->timeout_id = state->retry_id = 0;
      for (guint i = 0; state->frames != NULL && i < state->frames->len; i++)
        frame_stop (self, g_ptr_array_index (state->frames, i));
    }
}

/* The output of a finished execution: the nodes of the top frame that ended a path. */
static JsonNode *
execution_collect_output (DecaExecution *execution)
{
  DecaPlan *plan = execution_plan (execution);
  JsonObject *output = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, output);
  for (guint n = 0; n < plan->n_nodes; n++)
    {
      DecaNodeState *state = &execution->top->states[n];
      gboolean ended_path = TRUE;

      if (plan->nodes[n].owner != -1 || state->status != NODE_SUCCEEDED)
        continue;
      for (guint i = 0; i < plan->nodes[n].out_edges->len; i++)
        {
          PlanEdge *edge = &plan->edges[g_array_index (plan->nodes[n].out_edges, guint, i)];

          if (execution->top->states[edge->to].status != NODE_SKIPPED)
            ended_path = FALSE;
        }
      if (ended_path)
        json_object_set_member (output, plan->nodes[n].node->id, deca_json_redact (state->output, execution->secrets));
    }
  return node;
}

static void
execution_settle (DecaExecution       *execution,
                  DecaExecutionStatus  status)
{
  DecaExecutor *self = execution->executor;
  DecaEvent event = { 0 };
  g_autofree char *message = NULL;

  execution_disarm_flow_timeout (execution);
  frame_stop (self, execution->top);
  execution->running = 0;
  /* The status changes now for the engine; the notification waits for the checkpoint. */
  execution->status = status;
  checkpoint_execution (execution);

  event.type = DECA_EVENT_EXECUTION_FINISHED;
  event.status = _deca_execution_status_name (status);
  event.output = execution->output;
  if (execution->error != NULL)
    {
      message = deca_string_redact (execution->error->message, execution->secrets);
      event.error_code = execution->error->domain == DECA_ENGINE_ERROR
                       ? deca_engine_error_code_name (execution->error->code) : "error";
      event.error_message = message;
      event.node_key = execution->error_node;
    }
  event.duration_us = executor_now (self) - execution->started_at;
  execution_emit (execution, &event);
  g_ptr_array_add (self->finished, g_object_ref (execution));
  executor_schedule_pump (self);
}

static void
execution_complete (DecaExecution *execution)
{
  if (!execution_is_active (execution))
    return;
  g_clear_pointer (&execution->output, json_node_unref);
  execution->output = execution_collect_output (execution);
  execution_settle (execution, DECA_EXECUTION_SUCCEEDED);
}

static void
execution_fail (DecaExecution *execution,
                GError        *error,
                const char    *node_key)
{
  if (!execution_is_active (execution))
    {
      g_error_free (error);
      return;
    }
  g_clear_error (&execution->error);
  execution->error = error;
  g_free (execution->error_node);
  execution->error_node = g_strdup (node_key);
  execution_settle (execution,
                    error->domain == DECA_ENGINE_ERROR && error->code == DECA_ENGINE_ERROR_CANCELLED
                    ? DECA_EXECUTION_CANCELLED : DECA_EXECUTION_FAILED);
}

void
deca_execution_cancel (DecaExecution *self)
{
  g_return_if_fail (DECA_IS_EXECUTION (self));

  execution_fail (self, g_error_new_literal (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CANCELLED,
                                             _("the execution was cancelled")), NULL);
}

static gboolean
flow_timeout_cb (gpointer user_data)
{
  DecaExecution *execution = user_data;

  execution->flow_timeout_id = 0;
  execution_fail (execution,
                  g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_TIMEOUT,
                               _("the flow did not finish within its timeout of %.3g s"),
                               deca_flow_get_timeout_us (execution->flow) / (double) G_USEC_PER_SEC),
                  NULL);
  return G_SOURCE_REMOVE;
}

/* The flow timeout counts from the start or the last resume: time spent paused for an
 * approval, or while no process ran, does not count. */
static void
execution_arm_flow_timeout (DecaExecution *execution)
{
  gint64 timeout = deca_flow_get_timeout_us (execution->flow);

  if (timeout > 0 && execution->flow_timeout_id == 0)
    execution->flow_timeout_id = deca_clock_add_timeout (execution->executor->clock, timeout,
                                                         flow_timeout_cb, execution, NULL);
}

static void
execution_disarm_flow_timeout (DecaExecution *execution)
{
  if (execution->flow_timeout_id != 0)
    {
      deca_clock_remove_timeout (execution->executor->clock, execution->flow_timeout_id);
      execution->flow_timeout_id = 0;
    }
}

JsonNode *
deca_execution_get_node_output (DecaExecution *self,
                                const char    *node_key)
{
  int index;

  g_return_val_if_fail (DECA_IS_EXECUTION (self), NULL);
  g_return_val_if_fail (node_key != NULL, NULL);

  /* Loop body keys ("loop[2]/node") are looked up in the iteration's frame while the loop
   * runs; after that only the top frame is kept. */
  index = _deca_plan_index (self->plan, node_key);
  if (index < 0 || self->top == NULL || self->top->states[index].status != NODE_SUCCEEDED)
    return NULL;
  return self->top->states[index].output;
}

guint
deca_execution_get_invocation_count (DecaExecution *self,
                                     const char    *node_key)
{
  int index;

  g_return_val_if_fail (DECA_IS_EXECUTION (self), 0);
  g_return_val_if_fail (node_key != NULL, 0);

  index = _deca_plan_index (self->plan, node_key);
  return index >= 0 && self->top != NULL ? self->top->states[index].invocations : 0;
}

/* Announces finished and paused executions once their checkpoints are durable, and lets
 * the executor drop them. */
static void
executor_settle_touched (DecaExecutor *self)
{
  g_autoptr(GPtrArray) touched = self->touched;

  self->touched = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < touched->len; i++)
    {
      DecaExecution *execution = g_ptr_array_index (touched, i);

      execution->in_touched = FALSE;
      g_clear_pointer (&execution->spent_frames, g_ptr_array_unref);
      if (execution->status == DECA_EXECUTION_RUNNING && !g_queue_is_empty (&execution->ready) &&
          execution->running < deca_flow_get_parallelism (execution->flow))
        {
          /* Work left over after the last round: kept for the next dispatch, or for the
           * batch it waits for (whose outcome touches it again). */
          if (self->worker == NULL || execution_can_start (execution))
            executor_touch (self, execution);
          else if (!execution->in_awaiting)
            {
              execution->in_awaiting = TRUE;
              g_ptr_array_add (self->awaiting, g_object_ref (execution));
            }
          continue;
        }
      if (execution->status == DECA_EXECUTION_RUNNING && execution->running == 0 &&
          execution->retry_waiting == 0 && g_queue_is_empty (&execution->ready) &&
          execution->waiting != NULL && g_hash_table_size (execution->waiting) > 0 && !execution->top->done)
        {
          DecaEvent event = { 0 };

          /* Nothing can move until someone decides an approval. */
          event.type = DECA_EVENT_EXECUTION_PAUSED;
          event.message = "waiting for approval";
          execution->status = DECA_EXECUTION_PAUSED;
          execution_disarm_flow_timeout (execution);
          checkpoint_execution (execution);
          execution_emit (execution, &event);
          g_ptr_array_add (self->finished, g_object_ref (execution));
        }
    }
}

/* --- the pump ------------------------------------------------------------------------ */

static void
execution_start_ready (DecaExecution *execution)
{
  guint parallelism = deca_flow_get_parallelism (execution->flow);

  while (execution->status == DECA_EXECUTION_RUNNING && execution->running < parallelism &&
         execution_can_start (execution))
    {
      ReadyItem *item = g_queue_pop_head (&execution->ready);
      DecaFrame *frame = item->frame;
      guint node = item->node;

      g_free (item);
      if (frame->states[node].status == NODE_QUEUED)
        node_start (frame, node);
    }
}

static void
executor_fail_all (DecaExecutor *self,
                   const GError *error)
{
  g_autoptr(GList) live = g_hash_table_get_values (self->executions);

  for (GList *l = live; l != NULL; l = l->next)
    execution_fail (l->data,
                    g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE,
                                 _("the execution cannot be checkpointed: %s"), error->message),
                    NULL);
}

/* One round: start what is ready and durable, handle completions, then checkpoint their
 * results (written here, or handed to the store worker). Starting only once the results
 * before a node are committed is what guarantees that a node which ran after another
 * never runs while the other's result could still be lost. */
static gboolean
executor_round (DecaExecutor *self)
{
  gboolean worked = FALSE;
  Completion *completion;
  g_autoptr(GError) error = NULL;
  guint limit = self->worker != NULL ? MAX_EXECUTIONS_PER_TURN : G_MAXUINT;

  /* Starting nodes can touch more executions: the loop sees them too. The array only
   * grows here; executor_settle_touched() empties it. An execution whose checkpoints are
   * not yet durable waits for them (a batch a store worker still writes, or this round's
   * results). The starts come first, so that the results of nodes that answer at once
   * are handled below and go into this round's batch: with a store worker, a step of an
   * execution then costs one batch, not two. Past the turn's limit, executions wait for
   * the next turn (executor_settle_touched() keeps them, in order). */
  for (guint i = 0; i < self->touched->len && i < limit; i++)
    {
      DecaExecution *execution = g_ptr_array_index (self->touched, i);

      if (!g_queue_is_empty (&execution->ready) && execution->status == DECA_EXECUTION_RUNNING &&
          execution->running < deca_flow_get_parallelism (execution->flow) && execution_can_start (execution))
        {
          worked = TRUE;
          execution_start_ready (execution);
        }
    }

  while ((completion = g_queue_pop_head (&self->completions)) != NULL)
    {
      worked = TRUE;
      handle_completion (completion);
      g_object_unref (completion->invocation);
      g_object_unref (completion->execution);
      g_free (completion);
    }

  /* With a store worker the batch goes at the end of the pump's turn (executor_announce()),
   * so that it holds whole steps of the executions the turn ran: a node that answers at
   * once has its result in the same batch as the start before it. */
  if (self->worker == NULL && !executor_checkpoint (self, &error))
    executor_fail_all (self, error);
  return worked;
}

static void
executor_announce (DecaExecutor *self)
{
  g_autoptr(GPtrArray) finished = self->finished;
  g_autoptr(GError) error = NULL;

  self->finished = g_ptr_array_new_with_free_func (g_object_unref);
  if (!executor_checkpoint (self, &error))
    g_warning ("cannot checkpoint finished executions: %s", error->message);

  for (guint i = 0; i < finished->len; i++)
    {
      DecaExecution *execution = g_ptr_array_index (finished, i);
      SubflowWait *wait = execution->subflow_wait;

      /* Announced once what it announces is on disk, when its batch is taken back. */
      if (!execution_is_durable (execution))
        {
          g_ptr_array_add (self->unannounced, g_object_ref (execution));
          continue;
        }
      if (deca_execution_is_finished (execution))
        {
          g_hash_table_remove (self->executions, execution->id);
          if (wait != NULL)
            {
              execution->subflow_wait = NULL;
              wait->done (execution->status == DECA_EXECUTION_SUCCEEDED ? execution->output : NULL,
                          execution->error, wait->done_data);
              g_object_unref (wait->parent);
              g_object_unref (wait->invocation);
              g_free (wait);
            }
        }
      g_object_notify (G_OBJECT (execution), "status");
    }
}

static gboolean
executor_pump_cb (gpointer user_data)
{
  DecaExecutor *self = user_data;
  gboolean more = TRUE;

  self->in_round = TRUE;
  for (guint round = 0; round < PUMP_ROUNDS && more; round++)
    {
      self->round_now = self->clock_now (self->clock);
      more = executor_round (self);
    }
  executor_settle_touched (self);
  executor_announce (self);
  self->in_round = FALSE;

  if (more || !g_queue_is_empty (&self->completions) || self->touched->len > 0 || self->finished->len > 0)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->pump, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
executor_schedule_pump (DecaExecutor *self)
{
  if (self->pump != NULL)
    return;
  self->pump = g_idle_source_new ();
  g_source_set_priority (self->pump, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->pump, executor_pump_cb, self, NULL);
  g_source_set_static_name (self->pump, "[deca] executor pump");
  g_source_attach (self->pump, self->context);
}

guint
deca_executor_add_event_listener (DecaExecutor          *self,
                                  DecaExecutorEventFunc  func,
                                  gpointer               user_data)
{
  EventListener listener = { 0, func, user_data };

  g_return_val_if_fail (DECA_IS_EXECUTOR (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  listener.id = ++self->last_listener_id;
  g_array_append_val (self->listeners, listener);
  return listener.id;
}

void
deca_executor_remove_event_listener (DecaExecutor *self,
                                     guint         id)
{
  g_return_if_fail (DECA_IS_EXECUTOR (self));

  for (guint i = 0; i < self->listeners->len; i++)
    {
      EventListener *listener = &g_array_index (self->listeners, EventListener, i);

      if (listener->id != id || listener->func == NULL)
        continue;
      if (self->emitting > 0)
        {
          listener->func = NULL;
          self->listeners_removed = TRUE;
        }
      else
        g_array_remove_index (self->listeners, i);
      return;
    }
  g_critical ("%s: no event listener %u", G_STRFUNC, id);
}

gboolean
deca_executor_flush (DecaExecutor  *self,
                     GError       **error)
{
  g_return_val_if_fail (DECA_IS_EXECUTOR (self), FALSE);
  return executor_sync (self, error);
}

void
deca_executor_call_when_durable (DecaExecutor            *self,
                                 DecaExecutorDurableFunc  func,
                                 gpointer                 user_data,
                                 GDestroyNotify           destroy)
{
  DurableWaiter waiter = { 0, func, user_data, destroy };

  g_return_if_fail (DECA_IS_EXECUTOR (self));
  g_return_if_fail (func != NULL);

  /* During an event or a round, what the event reports may be queued right after it (a
   * node's result follows its "succeeded" event): the open generation holds it. */
  if (self->store != NULL && (executor_has_pending (self) || self->emitting > 0 || self->in_round))
    waiter.gen = self->open_gen;
  else if (self->in_flight.length > 0)
    waiter.gen = ((CheckpointBatch *) g_queue_peek_tail (&self->in_flight))->gen;
  else
    {
      func (user_data);
      if (destroy != NULL)
        destroy (user_data);
      return;
    }
  g_array_append_val (self->durable_waiters, waiter);
  /* Whatever queued the records, the pump writes them. */
  executor_schedule_pump (self);
}

void
deca_executor_write_audit (DecaExecutor *self)
{
  g_return_if_fail (DECA_IS_EXECUTOR (self));

  if (self->store == NULL)
    return;
  self->audit_due = TRUE;
  executor_schedule_pump (self);
}

/* --- starting and resuming ---------------------------------------------------------------- */

#define MAX_SUBFLOW_DEPTH 32

static DecaPlan *
executor_plan_for (DecaExecutor  *self,
                   DecaFlow      *flow,
                   GError       **error)
{
  DecaPlan *plan = g_object_get_qdata (G_OBJECT (flow), self->plan_quark);

  if (plan != NULL)
    return plan;
  plan = _deca_plan_new (flow, self->registry, error);
  if (plan != NULL)
    g_object_set_qdata_full (G_OBJECT (flow), self->plan_quark, plan, (GDestroyNotify) _deca_plan_free);
  return plan;
}

/* Saves the flow as a version once per flow object and store. */
static gboolean
executor_store_flow (DecaExecutor  *self,
                     DecaFlow      *flow,
                     gint64        *version,
                     GError       **error)
{
  g_autofree char *document = NULL;
  gpointer cached;

  if (self->store == NULL)
    {
      *version = deca_flow_get_version (flow);
      return TRUE;
    }
  cached = g_object_get_qdata (G_OBJECT (flow), self->version_quark);
  if (cached != NULL)
    {
      *version = GPOINTER_TO_SIZE (cached);
      return TRUE;
    }
  document = deca_flow_to_data (flow, FALSE, NULL);
  if (!deca_store_save_flow (self->store, deca_flow_get_id (flow), deca_flow_get_name (flow),
                             document, version, error))
    return FALSE;
  g_object_set_qdata (G_OBJECT (flow), self->version_quark, GSIZE_TO_POINTER ((gsize) *version));
  return TRUE;
}

static gboolean
execution_resolve_credentials (DecaExecution  *execution,
                               GError        **error)
{
  DecaExecutor *self = execution->executor;
  GPtrArray *names = execution->plan->credential_names;
  JsonObject *credentials;

  if (names->len == 0)
    return TRUE;
  credentials = json_object_new ();
  execution->credentials = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (execution->credentials, credentials);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      JsonObject *fields;

      if (self->credentials == NULL)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                       _("the flow uses credential '%s', but no credential provider is configured"), name);
          return FALSE;
        }
      fields = execution_lookup_credential (execution, name, error);
      if (fields == NULL)
        return FALSE;
      json_object_set_object_member (credentials, name, fields);
    }
  return TRUE;
}

/* A new execution id: a UUID version 7 (RFC 9562), whose first 48 bits are the time in
 * ms. Ids then sort by creation, and the store's index on them grows at its end instead
 * of being written at random places, which keeps checkpoints cheap. */
static char *
execution_id_new (DecaExecutor *self)
{
  static const char hex[] = "0123456789abcdef";
  guint64 ms = (guint64) (g_get_real_time () / 1000);
  guint8 bytes[16];
  char *id = g_malloc (37);
  char *p = id;

  for (guint i = 0; i < 6; i++)
    bytes[i] = (guint8) (ms >> (8 * (5 - i)));
  for (guint i = 6; i < 16; i += 4)
    {
      guint32 r = g_random_int ();   /* not the executor's GRand: tests seed that one */

      memcpy (bytes + i, &r, MIN (4, 16 - i));
    }
  bytes[6] = (guint8) (0x70 | (bytes[6] & 0x0f));   /* version 7 */
  bytes[8] = (guint8) (0x80 | (bytes[8] & 0x3f));   /* RFC 9562 variant */
  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        *p++ = '-';
      *p++ = hex[bytes[i] >> 4];
      *p++ = hex[bytes[i] & 0x0f];
    }
  *p = '\0';
  return id;
}

static DecaExecution *
execution_new (DecaExecutor  *self,
               DecaFlow      *flow,
               const char    *id,
               JsonNode      *input,
               GError       **error)
{
  g_autoptr(DecaExecution) execution = g_object_new (DECA_TYPE_EXECUTION, NULL);

  execution->executor = self;
  execution->flow = g_object_ref (flow);
  execution->plan = executor_plan_for (self, flow, error);
  if (execution->plan == NULL)
    return NULL;
  execution->id = id ? g_strdup (id) : execution_id_new (self);
  execution->input = input ? json_node_copy (input) : json_node_init_object (json_node_alloc (), NULL);
  if (JSON_NODE_HOLDS_OBJECT (execution->input) && json_node_get_object (execution->input) == NULL)
    json_node_take_object (execution->input, json_object_new ());
  execution->created_at = execution->started_at = executor_now (self);
  if (!executor_store_flow (self, flow, &execution->flow_version, error))
    return NULL;



  if (!execution_resolve_credentials (execution, error))
    return NULL;
  execution->top = frame_new (execution, NULL, -1);
  return g_steal_pointer (&execution);
}

/* Makes @execution live: records it, emits its first event, queues its root nodes. */
static void
execution_begin (DecaExecution *execution,
                 gboolean       resumed)
{
  DecaExecutor *self = execution->executor;
  DecaPlan *plan = execution->plan;
  DecaEvent event = { 0 };

  execution->status = DECA_EXECUTION_RUNNING;
  g_hash_table_replace (self->executions, execution->id, g_object_ref (execution));
  if (self->store != NULL)
    {
      g_ptr_array_add (resumed ? self->pending_updates : self->pending_inserts, execution_record (execution, !resumed));
      execution->wait_gen = self->open_gen;
    }
  event.type = resumed ? DECA_EVENT_EXECUTION_RESUMED : DECA_EVENT_EXECUTION_STARTED;
  if (!resumed)
    event.trigger = deca_execution_get_trigger (execution);
  execution_emit (execution, &event);

  execution_arm_flow_timeout (execution);

  for (guint n = 0; n < plan->n_nodes && execution_is_active (execution); n++)
    if (plan->nodes[n].owner == -1 && plan->nodes[n].n_in == 0)
      node_enqueue (execution->top, n);
  if (execution->top->pending == 0)
    execution_complete (execution);
  g_object_notify (G_OBJECT (execution), "status");
  executor_touch (self, execution);
}

DecaExecution *
deca_executor_start (DecaExecutor  *self,
                     DecaFlow      *flow,
                     JsonNode      *input,
                     GError       **error)
{
  return deca_executor_start_full (self, flow, input, NULL, error);
}

/* The text of @trigger for the execution's record. A host that starts many executions
 * with one sealed trigger (the server: one per webhook trigger) has it written once: the
 * last one is kept, with the node, which a sealed node's text cannot outlive. */
static char *
executor_trigger_text (DecaExecutor *self,
                       JsonNode     *trigger)
{
  if (!json_node_is_immutable (trigger))
    return deca_json_to_string (trigger, FALSE);
  if (trigger != self->last_trigger)
    {
      g_clear_pointer (&self->last_trigger, json_node_unref);
      g_free (self->last_trigger_text);
      self->last_trigger = json_node_ref (trigger);
      self->last_trigger_text = deca_json_to_string (trigger, FALSE);
    }
  return g_strdup (self->last_trigger_text);
}

DecaExecution *
deca_executor_start_full (DecaExecutor  *self,
                          DecaFlow      *flow,
                          JsonNode      *input,
                          JsonNode      *trigger,
                          GError       **error)
{
  DecaExecution *execution;

  g_return_val_if_fail (DECA_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (DECA_IS_FLOW (flow), NULL);
  /* The type is what lists filter on: a trigger without one would say nothing. */
  g_return_val_if_fail (trigger == NULL ||
                        (JSON_NODE_HOLDS_OBJECT (trigger) &&
                         json_object_get_string_member_with_default (json_node_get_object (trigger), "type", NULL) != NULL),
                        NULL);

  execution = execution_new (self, flow, NULL, input, error);
  if (execution == NULL)
    return NULL;
  if (trigger != NULL)
    execution->trigger = executor_trigger_text (self, trigger);
  execution_begin (execution, FALSE);
  return execution;
}

/* Reads the node results of @execution_id: those a resume keeps (keyed by node key), and
 * in *@max_seq the highest event seq they stand for (outcome events live in node results,
 * docs/events.md). Returns (transfer full) the table, or NULL with @error. */
static GHashTable *
load_restored_results (DecaExecutor  *self,
                       const char    *execution_id,
                       gint64        *max_seq,
                       GError       **error)
{
  g_autoptr(GPtrArray) results = deca_store_list_node_results (self->store, execution_id, error);
  GHashTable *restored;

  if (results == NULL)
    return NULL;
  restored = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) deca_node_result_record_free);
  for (guint i = 0; i < results->len; i++)
    {
      DecaNodeResultRecord *record = g_ptr_array_index (results, i);

      *max_seq = MAX (*max_seq, record->event_seq);
      if (g_str_equal (record->status, DECA_STATUS_SUCCEEDED) || g_str_equal (record->status, DECA_STATUS_FAILED) ||
          g_str_equal (record->status, DECA_STATUS_RUNNING) || g_str_equal (record->status, DECA_STATUS_PAUSED))
        {
          /* Moved into the table, not copied. */
          results->pdata[i] = NULL;
          g_hash_table_replace (restored, record->node_key, record);
        }
    }
  return restored;
}

/* Takes the execution of @record over for this process: allowed when nobody owns it or
 * its owner process is gone, refused (DECA_ENGINE_ERROR_STATE) while another process runs
 * it. The claim is one conditional update, so of two processes racing only one wins. */
static gboolean
executor_claim (DecaExecutor        *self,
                DecaExecutionRecord *record,
                GError             **error)
{
  const char *me = executor_owner_id ();

  if (g_strcmp0 (record->owner, me) == 0)
    return TRUE;
  if (!owner_is_gone (record->owner))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("execution %s is being run by another process (%s)"), record->id, record->owner);
      return FALSE;
    }
  return deca_store_claim_execution (self->store, record->id, me, record->owner, error);
}

static DecaExecution *
executor_load_execution (DecaExecutor  *self,
                         const char    *execution_id,
                         GError       **error)
{
  g_autoptr(DecaExecutionRecord) record = NULL;
  g_autoptr(DecaFlow) flow = NULL;
  g_autoptr(JsonNode) input = NULL;
  g_autofree char *document = NULL;
  g_autoptr(GPtrArray) events = NULL;
  DecaExecution *execution;

  record = deca_store_get_execution (self->store, execution_id, error);
  if (record == NULL)
    return NULL;
  if (!g_str_equal (record->status, DECA_STATUS_RUNNING) && !g_str_equal (record->status, DECA_STATUS_PENDING) &&
      !g_str_equal (record->status, DECA_STATUS_PAUSED))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                   _("execution %s has already finished (%s)"), execution_id, record->status);
      return NULL;
    }
  if (!executor_claim (self, record, error))
    return NULL;
  document = deca_store_load_flow (self->store, record->flow_id, record->flow_version, NULL, error);
  if (document == NULL)
    return NULL;
  flow = deca_flow_new_from_data (document, -1, error);
  if (flow == NULL)
    return NULL;
  input = record->input ? json_from_string (record->input, NULL) : NULL;
  execution = execution_new (self, flow, execution_id, input, error);
  if (execution == NULL)
    return NULL;
  execution->created_at = record->created_at;
  if (record->started_at > 0)
    execution->started_at = record->started_at;
  execution->flow_version = record->flow_version;
  execution->parent_id = g_strdup (record->parent_id);
  execution->parent_node = g_strdup (record->parent_node);
  execution->trigger = g_strdup (record->trigger);
  execution->restored = load_restored_results (self, execution_id, &execution->seq, error);
  events = execution->restored ? deca_store_list_events (self->store, execution_id, 0, error) : NULL;
  if (events == NULL)
    {
      g_object_unref (execution);
      return NULL;
    }
  for (guint i = 0; i < events->len; i++)
    execution->seq = MAX (execution->seq, ((DecaEventRecord *) g_ptr_array_index (events, i))->seq);
  return execution;
}

DecaExecution *
deca_executor_resume (DecaExecutor  *self,
                      const char    *execution_id,
                      GError       **error)
{
  DecaExecution *execution;

  g_return_val_if_fail (DECA_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (execution_id != NULL, NULL);

  if ((execution = g_hash_table_lookup (self->executions, execution_id)) != NULL)
    return g_object_ref (execution);
  if (self->store == NULL)
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                           _("resuming needs a store; this executor has none"));
      return NULL;
    }
  execution = executor_load_execution (self, execution_id, error);
  if (execution == NULL)
    return NULL;
  execution_begin (execution, TRUE);
  return execution;
}

/* Marks an execution that cannot be resumed as failed, with the reason. */
static void
executor_give_up (DecaExecutor        *self,
                  DecaExecutionRecord *record,
                  const GError        *reason)
{
  g_autoptr(DecaExecutionRecord) failed = deca_execution_record_copy (record);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) wrapped = g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                                           _("cannot be resumed: %s"), reason->message);

  g_free (failed->status);
  failed->status = g_strdup (DECA_STATUS_FAILED);
  g_free (failed->error);
  failed->error = error_json (wrapped, NULL);
  g_clear_pointer (&failed->owner, g_free);
  failed->finished_at = executor_now (self);
  if (!deca_store_update_execution (self->store, failed, &error))
    g_message ("execution %s cannot be resumed (%s), nor marked failed: %s",
               record->id, reason->message, error->message);
  else
    g_message ("execution %s cannot be resumed and is marked failed: %s", record->id, reason->message);
}

GPtrArray *
deca_executor_resume_all (DecaExecutor  *self,
                          GError       **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) resumed = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (DECA_IS_EXECUTOR (self), NULL);

  if (self->store == NULL)
    return g_steal_pointer (&resumed);
  records = deca_store_list_unfinished_executions (self->store, error);
  if (records == NULL)
    return NULL;
  for (guint i = 0; i < records->len; i++)
    {
      DecaExecutionRecord *record = g_ptr_array_index (records, i);
      g_autoptr(GError) local_error = NULL;
      DecaExecution *execution;

      if (record->parent_id != NULL)
        continue;   /* a subflow: its parent resumes it */
      if (g_strcmp0 (record->owner, executor_owner_id ()) != 0 && !owner_is_gone (record->owner))
        continue;   /* another process is running it right now */
      execution = deca_executor_resume (self, record->id, &local_error);
      if (execution != NULL)
        {
          g_ptr_array_add (resumed, execution);
          continue;
        }
      if (g_error_matches (local_error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE))
        continue;   /* another process claimed it first */
      if (local_error == NULL)
        local_error = g_error_new_literal (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE, _("unknown reason"));
      /* It can never resume (its flow version is gone, a node type no longer exists...):
       * record why and go on, so one broken execution does not block all the others. */
      executor_give_up (self, record, local_error);
    }
  return g_steal_pointer (&resumed);
}

static char *
subflow_execution_id (DecaExecution      *parent,
                      DecaNodeInvocation *invocation)
{
  g_autofree char *seed = g_strdup_printf ("%s/%s#%d", parent->id, deca_node_invocation_get_node_key (invocation),
                                           deca_node_invocation_get_attempt (invocation));
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

  /* A stable id, so that a resumed parent finds the child it started before the crash. */
  return g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s", hash, hash + 8, hash + 12, hash + 16, hash + 20);
}

static gboolean
host_run_subflow (gpointer             host_data,
                  DecaNodeInvocation  *invocation,
                  const char          *flow_id,
                  gint64               version,
                  JsonNode            *input,
                  DecaSubflowDoneFunc  done,
                  gpointer             done_data,
                  GError             **error)
{
  DecaExecution *parent = host_data;
  DecaExecutor *self = parent->executor;
  g_autofree char *child_id = subflow_execution_id (parent, invocation);
  g_autoptr(DecaExecutionRecord) existing = NULL;
  g_autoptr(DecaExecution) child = NULL;
  SubflowWait *wait;

  if (self->store == NULL)
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                           _("subflows are looked up in the flow store, and this executor has none"));
      return FALSE;
    }
  if (parent->depth >= MAX_SUBFLOW_DEPTH)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT,
                   _("subflows nest deeper than %d levels; does flow '%s' call itself?"), MAX_SUBFLOW_DEPTH, flow_id);
      return FALSE;
    }

  existing = deca_store_get_execution (self->store, child_id, NULL);
  if (existing != NULL && (g_str_equal (existing->status, DECA_STATUS_SUCCEEDED) ||
                           g_str_equal (existing->status, DECA_STATUS_FAILED) ||
                           g_str_equal (existing->status, DECA_STATUS_CANCELLED)))
    {
      /* Finished before a crash of the parent: hand back what it produced. */
      g_autoptr(JsonNode) output = existing->output ? json_from_string (existing->output, NULL) : NULL;
      g_autoptr(GError) child_error = NULL;

      if (!g_str_equal (existing->status, DECA_STATUS_SUCCEEDED))
        /* Translators: "subflow <execution id> failed: <its error>"; the second %s is
         * the status word "failed" or "cancelled", kept in English */
        child_error = g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                                   _("subflow %s %s: %s"), child_id, existing->status,
                                   existing->error ? existing->error : "");
      done (child_error ? NULL : output, child_error, done_data);
      return TRUE;
    }

  if (existing != NULL)
    child = executor_load_execution (self, child_id, error);
  else
    {
      g_autofree char *document = NULL;
      g_autofree char *child_workspace = NULL;
      g_autoptr(DecaFlow) flow = NULL;
      const char *workspace_id;

      /* Flow ids are global, and a subflow runs with its own workspace's credentials: a
       * flow runs the flows of its own workspace, and another's is not found. */
      if (!execution_get_workspace (parent, &workspace_id, error) ||
          !(child_workspace = deca_store_get_flow_workspace (self->store, flow_id, error)))
        return FALSE;
      if (!g_str_equal (child_workspace, workspace_id))
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                       _("There is no flow “%s”"), flow_id);
          return FALSE;
        }
      document = deca_store_load_flow (self->store, flow_id, version, NULL, error);
      if (document == NULL)
        return FALSE;
      flow = deca_flow_new_from_data (document, -1, error);
      if (flow == NULL)
        return FALSE;
      child = execution_new (self, flow, child_id, input, error);
    }
  if (child == NULL)
    return FALSE;

  g_free (child->parent_id);
  child->parent_id = g_strdup (parent->id);
  g_free (child->parent_node);
  child->parent_node = g_strdup (deca_node_invocation_get_node_key (invocation));
  if (child->trigger == NULL)
    {
      GString *trigger = g_string_new ("{\"type\":\"subflow\",\"execution_id\":");

      deca_json_append_string (trigger, parent->id);
      g_string_append (trigger, ",\"node\":");
      deca_json_append_string (trigger, child->parent_node);
      g_string_append_c (trigger, '}');
      child->trigger = g_string_free (trigger, FALSE);
    }
  child->depth = parent->depth + 1;
  wait = g_new0 (SubflowWait, 1);
  wait->parent = g_object_ref (parent);
  wait->invocation = g_object_ref (invocation);
  wait->done = done;
  wait->done_data = done_data;
  child->subflow_wait = wait;
  execution_begin (child, existing != NULL);
  return TRUE;
}

gboolean
deca_executor_decide (DecaExecutor  *self,
                      const char    *execution_id,
                      const char    *node_key,
                      gboolean       approved,
                      const char    *comment,
                      const char    *decided_by,
                      GError       **error)
{
  DecaExecution *execution;
  DecaApprovalRecord record = { 0 };
  ReadyItem *waiting = NULL;

  g_return_val_if_fail (DECA_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (execution_id != NULL && node_key != NULL, FALSE);

  execution = g_hash_table_lookup (self->executions, execution_id);
  if (execution != NULL)
    {
      waiting = execution->waiting ? g_hash_table_lookup (execution->waiting, node_key) : NULL;
      if (waiting == NULL)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                       _("node '%s' of execution %s is not waiting for approval"), node_key, execution_id);
          return FALSE;
        }
    }
  else if (self->store != NULL)
    {
      g_autoptr(DecaExecutionRecord) stored = deca_store_get_execution (self->store, execution_id, error);
      g_autoptr(GPtrArray) results = NULL;
      gboolean is_waiting = FALSE;

      if (stored == NULL)
        return FALSE;
      results = deca_store_list_node_results (self->store, execution_id, error);
      if (results == NULL)
        return FALSE;
      for (guint i = 0; i < results->len; i++)
        {
          DecaNodeResultRecord *result = g_ptr_array_index (results, i);

          if (g_str_equal (result->node_key, node_key) && g_str_equal (result->status, DECA_STATUS_PAUSED))
            is_waiting = TRUE;
        }
      if (!is_waiting || g_str_equal (stored->status, DECA_STATUS_SUCCEEDED) || g_str_equal (stored->status, DECA_STATUS_FAILED) ||
          g_str_equal (stored->status, DECA_STATUS_CANCELLED))
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE,
                       _("node '%s' of execution %s is not waiting for approval"), node_key, execution_id);
          return FALSE;
        }
    }
  else
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                   _("no execution %s"), execution_id);
      return FALSE;
    }

  record.execution_id = (char *) execution_id;
  record.node_key = (char *) node_key;
  record.approved = approved;
  record.comment = (char *) comment;
  record.decided_by = (char *) decided_by;
  record.decided_at = executor_now (self);
  if (self->store != NULL)
    {
      if (!deca_store_put_approval (self->store, &record, error))
        return FALSE;
    }
  else
    {
      DecaApprovalRecord *copy = g_new0 (DecaApprovalRecord, 1);

      copy->execution_id = g_strdup (execution_id);
      copy->node_key = g_strdup (node_key);
      copy->approved = approved;
      copy->comment = g_strdup (comment);
      copy->decided_by = g_strdup (decided_by);
      copy->decided_at = record.decided_at;
      if (execution->decisions == NULL)
        execution->decisions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                      (GDestroyNotify) deca_approval_record_free);
      g_hash_table_replace (execution->decisions, copy->node_key, copy);
    }

  if (waiting != NULL && self->store != NULL &&
      !deca_store_claim_execution (self->store, execution_id, executor_owner_id (), NULL, NULL))
    {
      /* Another process resumed the paused execution meanwhile: this copy is stale. The
       * decision is recorded, and that process reads it. */
      g_hash_table_remove (self->executions, execution_id);
      return TRUE;
    }
  if (waiting != NULL)
    {
      DecaFrame *frame = waiting->frame;
      guint node = waiting->node;

      g_hash_table_remove (execution->waiting, node_key);
      if (execution->status == DECA_EXECUTION_PAUSED)
        {
          DecaEvent event = { 0 };

          event.type = DECA_EVENT_EXECUTION_RESUMED;
          _deca_execution_set_status (execution, DECA_EXECUTION_RUNNING);
          execution_arm_flow_timeout (execution);
          checkpoint_execution (execution);
          execution_emit (execution, &event);
        }
      frame->states[node].status = NODE_WAITING;
      node_enqueue (frame, node);
    }
  return TRUE;
}

DecaExecution *
deca_executor_lookup (DecaExecutor *self,
                      const char   *execution_id)
{
  g_return_val_if_fail (DECA_IS_EXECUTOR (self), NULL);
  return execution_id ? g_hash_table_lookup (self->executions, execution_id) : NULL;
}

void
deca_executor_get_queue_depth (DecaExecutor *self,
                               guint        *n_nodes,
                               guint        *n_executions)
{
  GHashTableIter iter;
  gpointer value;
  guint nodes = 0, executions = 0;

  g_return_if_fail (DECA_IS_EXECUTOR (self));

  g_hash_table_iter_init (&iter, self->executions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DecaExecution *execution = value;

      /* The ready queue may still hold items whose node was settled otherwise (a
       * cancellation): only those still queued wait. */
      for (GList *l = execution->ready.head; l != NULL; l = l->next)
        {
          ReadyItem *item = l->data;

          nodes += item->frame->states[item->node].status == NODE_QUEUED;
        }
      executions += execution_is_active (execution) && execution->running == 0;
    }
  if (n_nodes != NULL)
    *n_nodes = nodes;
  if (n_executions != NULL)
    *n_executions = executions;
}

/* --- the executor object ------------------------------------------------------------------ */

static JsonNode *
build_env (void)
{
  g_auto(GStrv) environment = g_get_environ ();
  JsonObject *env = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  /* Only variables meant for flows: DECA_ENV_NAME becomes env.NAME. */
  for (guint i = 0; environment[i] != NULL; i++)
    if (g_str_has_prefix (environment[i], "DECA_ENV_"))
      {
        const char *name = environment[i] + strlen ("DECA_ENV_");
        const char *equals = strchr (name, '=');

        if (equals != NULL && equals > name)
          {
            g_autofree char *key = g_strndup (name, (gsize) (equals - name));

            json_object_set_string_member (env, key, equals + 1);
          }
      }
  json_node_take_object (node, env);
  return node;
}

static void
deca_executor_dispose (GObject *object)
{
  DecaExecutor *self = DECA_EXECUTOR (object);
  Completion *completion;

  self->disposing = TRUE;
  if (self->pump != NULL)
    {
      g_source_destroy (self->pump);
      g_clear_pointer (&self->pump, g_source_unref);
    }
  while ((completion = g_queue_pop_head (&self->completions)) != NULL)
    {
      g_object_unref (completion->invocation);
      g_object_unref (completion->execution);
      g_free (completion);
    }
  if (self->executions != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      /* Live executions are stopped, not finished: with a store they resume next time. */
      g_hash_table_iter_init (&iter, self->executions);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          DecaExecution *execution = value;

          if (execution->flow_timeout_id != 0)
            deca_clock_remove_timeout (self->clock, execution->flow_timeout_id);
          execution->flow_timeout_id = 0;
          frame_stop (self, execution->top);
          if (execution->subflow_wait != NULL)
            {
              SubflowWait *wait = execution->subflow_wait;

              execution->subflow_wait = NULL;
              g_object_unref (wait->parent);
              g_object_unref (wait->invocation);
              g_free (wait);
            }
        }
      g_hash_table_remove_all (self->executions);
    }
  if (self->store != NULL)
    executor_sync (self, NULL);
  /* Their callers are going away too: they are dropped, not called. */
  for (guint i = 0; self->durable_waiters != NULL && i < self->durable_waiters->len; i++)
    {
      DurableWaiter *waiter = &g_array_index (self->durable_waiters, DurableWaiter, i);

      if (waiter->destroy != NULL)
        waiter->destroy (waiter->user_data);
    }
  if (self->durable_waiters != NULL)
    g_array_set_size (self->durable_waiters, 0);
  g_clear_pointer (&self->touched, g_ptr_array_unref);
  g_clear_pointer (&self->finished, g_ptr_array_unref);
  g_clear_pointer (&self->awaiting, g_ptr_array_unref);
  g_clear_pointer (&self->unannounced, g_ptr_array_unref);
  g_clear_object (&self->store);
  /* Its work is done: its thread ends now (the job callbacks still queued in the main
   * context would otherwise keep it running until the process exits). */
  if (self->worker != NULL)
    g_object_run_dispose (G_OBJECT (self->worker));
  g_clear_object (&self->worker);
  g_clear_object (&self->credentials);
  g_clear_object (&self->events);
  g_clear_object (&self->clock);
  g_clear_object (&self->registry);
  G_OBJECT_CLASS (deca_executor_parent_class)->dispose (object);
}

static void
deca_executor_finalize (GObject *object)
{
  DecaExecutor *self = DECA_EXECUTOR (object);

  g_clear_pointer (&self->executions, g_hash_table_unref);
  g_clear_pointer (&self->last_trigger, json_node_unref);
  g_clear_pointer (&self->last_trigger_text, g_free);
  g_clear_pointer (&self->pending_inserts, g_ptr_array_unref);
  g_clear_pointer (&self->pending_updates, g_ptr_array_unref);
  g_clear_pointer (&self->pending_results, g_ptr_array_unref);
  g_clear_pointer (&self->pending_events, g_ptr_array_unref);
  g_clear_pointer (&self->pending_texts, g_array_unref);
  g_clear_pointer (&self->listeners, g_array_unref);
  g_clear_pointer (&self->durable_waiters, g_array_unref);
  g_clear_pointer (&self->breaker, deca_circuit_breaker_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->env, json_node_unref);
  g_clear_pointer (&self->null_node, json_node_unref);
  g_clear_pointer (&self->empty_object, json_node_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (deca_executor_parent_class)->finalize (object);
}

static void
deca_executor_class_init (DecaExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_executor_dispose;
  object_class->finalize = deca_executor_finalize;

  /**
   * DecaExecutor::event:
   * @event: (type gpointer): the DecaEvent, valid during the emission
   *
   * Every state change of every execution, in order (docs/events.md).
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
deca_executor_init (DecaExecutor *self)
{
  self->executions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->touched = g_ptr_array_new_with_free_func (g_object_unref);
  self->finished = g_ptr_array_new_with_free_func (g_object_unref);
  self->pending_inserts = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_execution_record_free);
  self->pending_updates = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_execution_record_free);
  self->pending_results = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_node_result_record_free);
  self->pending_events = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_event_record_free);
  self->pending_texts = g_array_new (FALSE, FALSE, sizeof (DeferredText));
  g_array_set_clear_func (self->pending_texts, deferred_text_clear);
  self->listeners = g_array_new (FALSE, FALSE, sizeof (EventListener));
  self->durable_waiters = g_array_new (FALSE, FALSE, sizeof (DurableWaiter));
  self->awaiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->unannounced = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->in_flight);
  self->open_gen = 1;
  self->breaker = deca_circuit_breaker_new ();
  self->rand = g_rand_new ();
  self->clock = deca_system_clock_get_default ();
  self->clock_now = DECA_CLOCK_GET_IFACE (self->clock)->now_us;
  self->env = build_env ();
  self->null_node = json_node_init_null (json_node_alloc ());
  self->empty_object = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (self->empty_object, json_object_new ());
  self->context = g_main_context_ref_thread_default ();
  g_queue_init (&self->completions);
}

DecaExecutor *
deca_executor_new (DecaNodeRegistry *registry)
{
  DecaExecutor *self;

  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (registry), NULL);

  g_autofree char *key = g_strdup_printf ("deca-plan-%p", (void *) registry);

  self = g_object_new (DECA_TYPE_EXECUTOR, NULL);
  self->registry = g_object_ref (registry);
  self->plan_quark = g_quark_from_string (key);
  return self;
}

void
deca_executor_set_store (DecaExecutor *self,
                         DecaStore    *store)
{
  g_autofree char *key = NULL;

  g_return_if_fail (DECA_IS_EXECUTOR (self));
  g_set_object (&self->store, store);
  key = g_strdup_printf ("deca-stored-version-%p", (void *) store);
  self->version_quark = g_quark_from_string (key);
}

void
deca_executor_set_store_worker (DecaExecutor    *self,
                                DecaStoreWorker *worker)
{
  g_return_if_fail (DECA_IS_EXECUTOR (self));
  g_return_if_fail (worker == NULL || DECA_IS_STORE_WORKER (worker));
  g_return_if_fail (worker == NULL || (self->store != NULL &&
                                       g_strcmp0 (deca_store_worker_get_path (worker), deca_store_get_path (self->store)) == 0));
  g_return_if_fail (self->in_flight.length == 0 && !executor_has_pending (self));

  g_set_object (&self->worker, worker);
}

DecaStore *
deca_executor_get_store (DecaExecutor *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTOR (self), NULL);
  return self->store;
}

void
deca_executor_set_credential_provider (DecaExecutor           *self,
                                       DecaCredentialProvider *provider)
{
  g_return_if_fail (DECA_IS_EXECUTOR (self));
  g_set_object (&self->credentials, provider);
}

void
deca_executor_set_event_sink (DecaExecutor  *self,
                              DecaEventSink *sink)
{
  g_return_if_fail (DECA_IS_EXECUTOR (self));
  g_return_if_fail (sink == NULL || DECA_IS_EVENT_SINK (sink));
  g_set_object (&self->events, sink);
}

void
deca_executor_set_clock (DecaExecutor *self,
                         DecaClock    *clock)
{
  g_return_if_fail (DECA_IS_EXECUTOR (self));
  g_return_if_fail (DECA_IS_CLOCK (clock));
  g_set_object (&self->clock, clock);
  self->clock_now = DECA_CLOCK_GET_IFACE (clock)->now_us;
}

void
deca_executor_set_random_seed (DecaExecutor *self,
                               guint32       seed)
{
  g_return_if_fail (DECA_IS_EXECUTOR (self));
  g_rand_set_seed (self->rand, seed);
}

DecaNodeRegistry *
deca_executor_get_registry (DecaExecutor *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTOR (self), NULL);
  return self->registry;
}
