#pragma once

#include "deca-executor.h"
#include "deca-circuit-breaker.h"
#include "deca-expr.h"
#include "deca-node-invocation.h"

G_BEGIN_DECLS

/*
 * Shared between deca-executor.c (scheduling) and deca-execution.c (the execution
 * object). Nothing here is installed.
 */

typedef struct _DecaPlan DecaPlan;
typedef struct _DecaFrame DecaFrame;

typedef enum {
  NODE_WAITING,      /* inputs not all resolved */
  NODE_QUEUED,       /* ready, waiting for a parallelism slot */
  NODE_RUNNING,      /* an invocation is in flight */
  NODE_RETRY_WAIT,   /* failed, next attempt scheduled */
  NODE_LOOPING,      /* a loop node running its iterations */
  NODE_PAUSED,       /* an approval waiting for a person */
  NODE_SUCCEEDED,
  NODE_FAILED,
  NODE_SKIPPED,
} DecaNodeStatus;

typedef struct {
  DecaFrame *frame;
  guint node;
} DecaNodeSlot;

typedef struct {
  DecaNodeSlot slot;         /* where this state lives; handed to invocations as done data */
  DecaNodeStatus status;
  guint unresolved;          /* incoming connections not yet resolved */
  guint fired;               /* incoming connections that fired */
  int attempt;
  guint invocations;         /* attempts this process invoked (not restored ones) */
  gboolean counted_terminal; /* already subtracted from the frame's pending count */
  JsonNode *output;
  char *port;
  GError *error;
  JsonNode *input;           /* rendered config, kept for the checkpoint */
  char *circuit_key;
  gint64 started_at;
  gint64 first_started_at;
  DecaNodeInvocation *invocation;
  guint timeout_id;
  guint retry_id;
  /* Loop nodes. */
  JsonArray *items;
  GPtrArray *results;        /* JsonNode per item, in item order */
  guint next_item;
  guint running_iterations;
  guint done_iterations;
  gboolean starting;         /* inside frame_start_iterations: no re-entry */
  GPtrArray *frames;         /* DecaFrame, running iterations */
} DecaNodeState;

struct _DecaFrame {
  DecaExecution *execution;  /* borrowed */
  DecaFrame *parent;         /* borrowed */
  int loop;                  /* loop node index, -1 for the top frame */
  guint iteration;
  JsonNode *item;
  JsonNode *index;
  JsonNode *loop_info;
  char *key_prefix;          /* "" or "loop-id[3]/" */
  DecaNodeState *states;     /* one per flow node; only the frame's own are used */
  guint n_states;
  guint pending;             /* own nodes not yet terminal */
  gboolean done;
};

struct _DecaExecution
{
  GObject parent_instance;

  DecaExecutor *executor;    /* borrowed: the executor outlives its live executions */
  char *id;
  DecaFlow *flow;
  DecaPlan *plan;
  gint64 flow_version;
  DecaExecutionStatus status;
  JsonNode *input;
  JsonNode *output;
  JsonNode *response;
  GError *error;
  char *error_node;
  JsonNode *info;            /* the "execution" root */
  JsonNode *credentials;     /* the "credentials" root */
  GHashTable *secrets;       /* set of secret strings to redact */
  char *workspace_id;        /* its flow's, read at its first credential lookup */
  DecaFrame *top;
  GQueue ready;              /* ReadyItem */
  guint running;             /* invocations in flight */
  guint retry_waiting;
  guint loops_running;
  gint64 seq;
  gint64 created_at;
  gint64 started_at;
  guint flow_timeout_id;
  gboolean unhandled_failure;
  GHashTable *restored;      /* node_key -> DecaNodeResultRecord, from a resume */
  GHashTable *decisions;     /* node_key -> DecaApprovalRecord, without a store */
  GHashTable *waiting;       /* node_key -> NodeRef of paused approval nodes */
  guint depth;               /* subflow nesting */
  char *parent_id;
  char *parent_node;
  char *trigger;             /* JSON text of what started it; NULL: manual (subflow for a child) */
  gpointer subflow_wait;     /* the parent's wait record, while running as a subflow */
  gboolean in_touched;
  gboolean in_awaiting;      /* in the executor's awaiting array */
  /* The checkpoint generation its latest record went into; its nodes start only once
   * that generation is durable (executor's durable_gen). */
  guint64 wait_gen;
  GPtrArray *spent_frames;   /* iteration frames of finished loops, freed between rounds */
};

/* --- the plan (deca-plan.c) --------------------------------------------------------- */

typedef enum {
  VALUE_CONSTANT,   /* copied as is */
  VALUE_TEMPLATE,   /* a string with {{ }} parts, rendered */
  VALUE_OBJECT,     /* an object with at least one template inside */
  VALUE_ARRAY,      /* an array with at least one template inside */
} CompiledKind;

typedef struct _CompiledValue CompiledValue;
struct _CompiledValue {
  CompiledKind kind;
  JsonNode *constant;
  DecaTemplate *tmpl;
  guint n_children;
  char **names;              /* object member names */
  CompiledValue **children;
};

typedef struct {
  guint from;
  guint to;
  char *from_port;           /* resolved: the source type's default when absent */
  DecaExpr *condition;
  gboolean on_error;
  gboolean back_edge;        /* body node -> its loop node */
  gboolean body_entry;       /* loop node's "body" port -> first body nodes */
} PlanEdge;

typedef struct {
  const DecaFlowNode *node;
  DecaNodeType *type;
  DecaNodeKind kind;
  CompiledValue *config;     /* NULL when the config has no template at all */
  int owner;                 /* index of the innermost loop whose body holds it, or -1 */
  GArray *out_edges;         /* guint edge indices, back edges excluded */
  GArray *entry_edges;       /* loop nodes: guint indices of their body_entry edges */
  guint n_in;                /* incoming edges that must resolve before it runs */
  gboolean is_result;        /* has a back edge: its output is an iteration's result */
  gboolean has_on_error;
  gboolean is_sink;          /* no outgoing edge except back edges */
  gboolean replayable;       /* deca_node_type_is_replayable() */
} PlanNode;

struct _DecaPlan {
  DecaNodeRegistry *registry;
  guint n_nodes;
  PlanNode *nodes;
  guint n_edges;
  PlanEdge *edges;
  GHashTable *index_by_id;   /* id -> index + 1 */
  GPtrArray *credential_names;
};

/* Compiles @flow against @registry: node types, templates, conditions, edges, loop
 * bodies. Fails with DECA_ENGINE_ERROR_NOT_FOUND (unknown type), _EXPRESSION (a template
 * that does not parse) or _INVALID (a cycle, a body left other than through "done"). */
DecaPlan   *_deca_plan_new              (DecaFlow            *flow,
                                         DecaNodeRegistry    *registry,
                                         GError             **error);
/* The index of node @id, or -1. */
int         _deca_plan_index            (DecaPlan            *plan,
                                         const char          *id);
/* Renders a compiled config value in @scope. Returns (transfer full) or NULL. */
JsonNode   *_deca_compiled_value_render (CompiledValue       *compiled,
                                         const DecaExprScope *scope,
                                         GError             **error);

const char *_deca_execution_status_name (DecaExecutionStatus status);
void        _deca_execution_set_status  (DecaExecution *self,
                                         DecaExecutionStatus status);
void        _deca_frame_free            (DecaFrame     *frame);
void        _deca_plan_free             (DecaPlan      *plan);

G_END_DECLS
