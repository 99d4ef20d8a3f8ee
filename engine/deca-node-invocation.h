#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "deca-clock.h"
#include "deca-expr.h"

G_BEGIN_DECLS

/*
 * DecaNodeInvocation: one attempt of one node. The executor creates it with the node's
 * rendered config and a scope for evaluating expressions, hands it to the node type's
 * invoke(), and learns the result from exactly one of the return functions. A node may
 * return at once (synchronous work) or later from a callback on the same main context.
 *
 * The executor also offers the services nodes need (credentials, approvals, subflows,
 * webhook responses) through the DecaNodeHost vtable, so node types know nothing of the
 * executor or the store.
 */

#define DECA_TYPE_NODE_INVOCATION (deca_node_invocation_get_type ())
G_DECLARE_FINAL_TYPE (DecaNodeInvocation, deca_node_invocation, DECA, NODE_INVOCATION, GObject)

typedef enum {
  DECA_INVOCATION_PENDING,
  DECA_INVOCATION_SUCCEEDED,
  DECA_INVOCATION_FAILED,
  DECA_INVOCATION_PAUSED,
} DecaInvocationOutcome;

/* Called once, when the node returns (and not at all after deca_node_invocation_abandon()). */
typedef void (*DecaInvocationDoneFunc) (DecaNodeInvocation *invocation,
                                        gpointer            user_data);

typedef void (*DecaSubflowDoneFunc) (JsonNode     *output,
                                     const GError *error,
                                     gpointer      user_data);

/**
 * DecaNodeHost:
 * Services of the executor for nodes. Every member may be NULL; the matching invocation
 * function then fails with a clear error ("subflows are not available here").
 */
typedef struct {
  JsonObject *(*lookup_credential) (gpointer host_data, const char *name, GError **error);
  /* Returns TRUE when a decision exists; fills @approved and @comment. */
  gboolean    (*get_approval)      (gpointer host_data, const char *node_key,
                                    gboolean *approved, char **comment, char **decided_by);
  void        (*set_response)      (gpointer host_data, JsonNode *response);
  /* Starts flow @flow_id (@version 0 = latest) with @input as a child execution; calls
   * @done on completion. Returns FALSE with @error if it could not start. */
  gboolean    (*run_subflow)       (gpointer host_data, DecaNodeInvocation *invocation,
                                    const char *flow_id, gint64 version, JsonNode *input,
                                    DecaSubflowDoneFunc done, gpointer done_data,
                                    GError **error);
  void        (*log)               (gpointer host_data, DecaNodeInvocation *invocation,
                                    GLogLevelFlags level, const char *message);
  /* Publishes an event to @topic with @data on the event bus of the execution (the
   * executor's DecaEventSink). Returns (transfer full) the published event's description,
   * or NULL with @error. */
  JsonNode   *(*publish_event)     (gpointer host_data, DecaNodeInvocation *invocation,
                                    const char *topic, JsonNode *data, GError **error);
} DecaNodeHost;

/* Creates an invocation. @config is the rendered config (transfer none, it is copied by
 * reference), @scope is copied by value and must stay valid until the invocation returns.
 * @host (nullable) must outlive the invocation. */
DecaNodeInvocation *deca_node_invocation_new (const char          *execution_id,
                                              const char          *node_id,
                                              const char          *node_key,
                                              JsonObject          *config,
                                              const DecaExprScope *scope,
                                              int                  attempt,
                                              DecaClock           *clock,
                                              GCancellable        *cancellable,
                                              const DecaNodeHost  *host,
                                              gpointer             host_data,
                                              DecaInvocationDoneFunc done,
                                              gpointer             done_data);

const char   *deca_node_invocation_get_execution_id    (DecaNodeInvocation *self);
const char   *deca_node_invocation_get_node_id         (DecaNodeInvocation *self);
/* The node id, or "loop[2]/node" inside a loop body. */
const char   *deca_node_invocation_get_node_key        (DecaNodeInvocation *self);
/* "EXECUTION/NODE_KEY": the same for every attempt and after a resume, so a node that
 * talks to the outside world can make its effect idempotent (the http node sends it as
 * the Idempotency-Key header). */
const char   *deca_node_invocation_get_idempotency_key (DecaNodeInvocation *self);
int           deca_node_invocation_get_attempt         (DecaNodeInvocation *self);
/* When the first attempt of this node started, in µs since the epoch, even when that was
 * in a process that crashed and this is the resumed execution (the executor restores it
 * from the store); 0 when unknown. A wait node counts its duration from here. */
gint64        deca_node_invocation_get_first_started_at (DecaNodeInvocation *self);
void          deca_node_invocation_set_first_started_at (DecaNodeInvocation *self,
                                                         gint64              started_at);
/* Returns (transfer none) the rendered config. */
JsonObject   *deca_node_invocation_get_config          (DecaNodeInvocation *self);
const DecaExprScope *deca_node_invocation_get_scope    (DecaNodeInvocation *self);
DecaClock    *deca_node_invocation_get_clock           (DecaNodeInvocation *self);
GCancellable *deca_node_invocation_get_cancellable     (DecaNodeInvocation *self);

/* Evaluates the expression @text (a config value of format "expression") in the node's
 * scope. Returns (transfer full) or NULL with @error naming the node and the column. */
JsonNode     *deca_node_invocation_evaluate            (DecaNodeInvocation *self,
                                                        const char         *text,
                                                        GError            **error);
/* Renders the template @text in the node's scope. */
JsonNode     *deca_node_invocation_render              (DecaNodeInvocation *self,
                                                        const char         *text,
                                                        GError            **error);
/* Evaluates @text with extra root names (@names[i] -> @values[i]) visible on top of the
 * node's scope; used for per-item expressions such as the transform node's map. */
JsonNode     *deca_node_invocation_evaluate_with       (DecaNodeInvocation *self,
                                                        const char         *text,
                                                        const char * const *names,
                                                        JsonNode          **values,
                                                        GError            **error);

/* Returns (transfer full) the fields of credential @name and marks their values as secrets
 * of the execution, so they are redacted from results, events and logs. */
JsonObject   *deca_node_invocation_lookup_credential   (DecaNodeInvocation *self,
                                                        const char         *name,
                                                        GError            **error);
gboolean      deca_node_invocation_get_approval        (DecaNodeInvocation *self,
                                                        gboolean           *approved,
                                                        char              **comment,
                                                        char              **decided_by);
gboolean      deca_node_invocation_set_response        (DecaNodeInvocation *self,
                                                        JsonNode           *response,
                                                        GError            **error);
/* Publishes an event (the publish_event node). Returns (transfer full) what the event bus
 * says of it ({"id", "topic", "time", "deliveries"}), or NULL with @error:
 * DECA_ENGINE_ERROR_STATE "no event bus" when the execution runs without one (the studio,
 * `deca run`). */
JsonNode     *deca_node_invocation_publish_event       (DecaNodeInvocation *self,
                                                        const char         *topic,
                                                        JsonNode           *data,
                                                        GError            **error);
gboolean      deca_node_invocation_run_subflow         (DecaNodeInvocation *self,
                                                        const char         *flow_id,
                                                        gint64              version,
                                                        JsonNode           *input,
                                                        DecaSubflowDoneFunc done,
                                                        gpointer            done_data,
                                                        GError            **error);
void          deca_node_invocation_log                 (DecaNodeInvocation *self,
                                                        GLogLevelFlags      level,
                                                        const char         *message);

/* Results. Exactly one per invocation. @port NULL means the type's default port. */
void          deca_node_invocation_return_output       (DecaNodeInvocation *self,
                                                        JsonNode           *output,
                                                        const char         *port);
void          deca_node_invocation_return_error        (DecaNodeInvocation *self,
                                                        GError             *error);
/* Pauses the execution at this node (approval); @reason is shown to people. */
void          deca_node_invocation_return_paused       (DecaNodeInvocation *self,
                                                        const char         *reason);

DecaInvocationOutcome deca_node_invocation_get_outcome (DecaNodeInvocation *self);
/* Returns (transfer none) the output, the port, the error, after the return. */
JsonNode     *deca_node_invocation_get_output          (DecaNodeInvocation *self);
const char   *deca_node_invocation_get_port            (DecaNodeInvocation *self);
const GError *deca_node_invocation_get_error           (DecaNodeInvocation *self);
const char   *deca_node_invocation_get_pause_reason    (DecaNodeInvocation *self);
/* Detaches the executor: the done callback will not be called and a later return is
 * ignored. Used on timeout and cancellation (which also cancels the cancellable). */
void          deca_node_invocation_abandon             (DecaNodeInvocation *self);

G_END_DECLS
