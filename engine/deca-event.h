#pragma once

#include <json-glib/json-glib.h>

#include "deca-store.h"

G_BEGIN_DECLS

/*
 * Execution events (docs/events.md). Every state change of an execution is one event; the
 * studio, the server's streams and the store all read the same events. The JSON shape is
 * stable: {"type", "execution_id", "seq", "time", ...type-specific members}.
 */

typedef enum {
  DECA_EVENT_EXECUTION_STARTED,
  DECA_EVENT_EXECUTION_RESUMED,
  DECA_EVENT_EXECUTION_PAUSED,
  DECA_EVENT_EXECUTION_FINISHED,
  DECA_EVENT_NODE_QUEUED,
  DECA_EVENT_NODE_STARTED,
  DECA_EVENT_NODE_SUCCEEDED,
  DECA_EVENT_NODE_FAILED,
  DECA_EVENT_NODE_RETRYING,
  DECA_EVENT_NODE_SKIPPED,
  DECA_EVENT_NODE_PAUSED,
  DECA_EVENT_NODE_LOG,
} DecaEventType;

/**
 * DecaEvent: an event as the executor emits it. All pointers are borrowed for the
 * duration of the emission; copy what you keep (deca_event_to_json does).
 * Members that do not apply to a type are 0 / NULL.
 */
typedef struct {
  DecaEventType  type;
  const char    *execution_id;
  const char    *flow_id;
  gint64         seq;
  gint64         time_us;
  const char    *node_id;
  const char    *node_key;
  const char    *node_type;
  int            attempt;
  const char    *status;        /* execution.finished: the final status */
  const char    *port;          /* node.succeeded: the port that fired */
  JsonNode      *output;        /* node.succeeded, execution.finished (redacted) */
  const char    *error_code;    /* node.failed, node.retrying, execution.finished */
  const char    *error_message; /* redacted */
  gint64         delay_us;      /* node.retrying: the wait before the next attempt */
  const char    *message;       /* node.log, node.paused, node.skipped: a text for people */
  const char    *level;         /* node.log */
  gint64         duration_us;   /* node.succeeded / node.failed / execution.finished */
  const char    *trigger;       /* execution.started: JSON text of what started it */
} DecaEvent;

const char *deca_event_type_to_string (DecaEventType type);
/* Returns (transfer full) the event's JSON object. @include_output FALSE leaves the
 * output out (the store keeps outputs in node results, not twice). */
JsonNode   *deca_event_to_json        (const DecaEvent *event,
                                       gboolean         include_output);
/* The same as compact JSON text, built without a JsonNode tree (fast path for the store). */
char       *deca_event_to_json_string (const DecaEvent *event,
                                       gboolean         include_output);

/* The form the store keeps (docs/events.md): the members that are not columns of the
 * events table (type, execution_id, seq, time) and not the execution's (flow_id,
 * trigger), with node_key only when it differs from node_id, and without output.
 * Returns (transfer full) compact JSON text. */
char       *deca_event_to_stored_json (const DecaEvent *event);
/* Rebuilds the whole event (the deca_event_to_json_string() shape, without output) from a
 * stored row. Returns (transfer full) JSON text; a payload that is not a JSON object is
 * kept under "payload". */
char       *deca_event_expand_stored  (const char      *execution_id,
                                       gint64           seq,
                                       const char      *type,
                                       gint64           time_us,
                                       const char      *payload);

/* The stored history of @execution_id: the rows of its events and its node results (each
 * of which stands for the node's outcome event: succeeded, failed, skipped or paused)
 * merged in seq order. Returns (transfer full) (element-type DecaEventRecord) records whose
 * payload is the stored form (deca_event_expand_stored() gives the whole event; node_type
 * is not kept for outcome events), or NULL with @error. */
GPtrArray  *deca_event_list_history   (DecaStore       *store,
                                       const char      *execution_id,
                                       GError         **error);

G_END_DECLS
