#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * DecaFlow: a flow document (docs/flow-format.md) and the typed view of it the executor
 * needs. The JSON document is kept whole, so fields this build does not know survive a
 * load/save round trip; the typed view is read from it at load.
 *
 * Loading checks the document's shape only (enough to build the view) and stops at the
 * first problem; deca_flow_validate() (deca-validator.h) reports every problem with its
 * JSON pointer and is what `deca validate` and `deca run` use first.
 */

typedef enum {
  DECA_ERROR_STRATEGY_STOP_ON_ERROR,
  DECA_ERROR_STRATEGY_CONTINUE_ON_ERROR,
} DecaErrorStrategy;

/**
 * DecaRetryPolicy: times in µs. max_attempts counts the first attempt (1 = no retry).
 * The delay before attempt n+1 is min(initial * multiplier^(n-1), max) and then spread by
 * ±jitter (a fraction, 0..1).
 */
typedef struct {
  int     max_attempts;
  gint64  initial_delay_us;
  double  multiplier;
  gint64  max_delay_us;
  double  jitter;
} DecaRetryPolicy;

typedef struct {
  char            *id;
  char            *type;
  JsonObject      *object;      /* the node's JSON object, borrowed from the document */
  JsonObject      *config;      /* its "config", borrowed; an empty object when absent */
  DecaRetryPolicy  retry;
  gint64           timeout_us;  /* 0 = none */
  guint            index;       /* position in nodes[] */
} DecaFlowNode;

typedef struct {
  char       *from;
  char       *to;
  char       *from_port;    /* NULL = the source type's default port */
  char       *to_port;      /* NULL = "main" */
  char       *condition;    /* NULL = always */
  gboolean    on_error;     /* "on_error": true, or from_port "error" */
  guint       index;        /* position in connections[] */
} DecaFlowConnection;

typedef struct {
  char       *type;         /* webhook, schedule, event, manual */
  JsonObject *object;       /* borrowed */
  guint       index;
} DecaFlowTrigger;

#define DECA_TYPE_FLOW (deca_flow_get_type ())
G_DECLARE_FINAL_TYPE (DecaFlow, deca_flow, DECA, FLOW, GObject)

/* Parses @data (@length -1 for NUL-terminated). A JSON syntax error is reported as
 * "line L, column C: ..."; a shape error with its JSON pointer. */
DecaFlow   *deca_flow_new_from_data   (const char  *data,
                                       gssize       length,
                                       GError     **error);
DecaFlow   *deca_flow_new_from_file   (const char  *path,
                                       GError     **error);
/* Takes a reference on @root (an object node). */
DecaFlow   *deca_flow_new_from_json   (JsonNode    *root,
                                       GError     **error);

/* Returns (transfer none) the whole document. Treat it as read-only. */
JsonNode   *deca_flow_get_document    (DecaFlow    *self);
/* Returns (transfer full) the document as JSON text; @pretty indents it. */
char       *deca_flow_to_data         (DecaFlow    *self,
                                       gboolean     pretty,
                                       gsize       *length);
gboolean    deca_flow_save_to_file    (DecaFlow    *self,
                                       const char  *path,
                                       GError     **error);

const char *deca_flow_get_id          (DecaFlow    *self);
const char *deca_flow_get_name        (DecaFlow    *self);
gint64      deca_flow_get_version     (DecaFlow    *self);
gint64      deca_flow_get_timeout_us  (DecaFlow    *self);
DecaErrorStrategy deca_flow_get_error_strategy (DecaFlow *self);
guint       deca_flow_get_parallelism (DecaFlow    *self);
/* settings.circuit_breaker: failures before opening (default 5), cool-down (default 30 s). */
guint       deca_flow_get_breaker_threshold   (DecaFlow *self);
gint64      deca_flow_get_breaker_cooldown_us (DecaFlow *self);

guint                     deca_flow_get_n_nodes       (DecaFlow *self);
const DecaFlowNode       *deca_flow_get_node          (DecaFlow *self, guint index);
/* Returns (nullable) the node with @id. */
const DecaFlowNode       *deca_flow_lookup_node       (DecaFlow *self, const char *id);
guint                     deca_flow_get_n_connections (DecaFlow *self);
const DecaFlowConnection *deca_flow_get_connection    (DecaFlow *self, guint index);
guint                     deca_flow_get_n_triggers    (DecaFlow *self);
const DecaFlowTrigger    *deca_flow_get_trigger       (DecaFlow *self, guint index);

/* Reads a duration in seconds (a JSON number, fractional allowed) into µs; NULL or
 * a non-number gives @fallback. */
gint64      deca_json_seconds_to_us   (JsonNode    *node,
                                       gint64       fallback);

G_END_DECLS
