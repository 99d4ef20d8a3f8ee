#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * DecaEventSink: where the publish_event node sends the events a flow publishes
 * (docs/dispatch.md, "Events published by flows"). The executor holds one
 * (deca_executor_set_event_sink()) and hands it the flow and execution a node runs in;
 * `deca serve` implements it with its event dispatchers, so that an event a flow
 * publishes reaches the flows of the same workspace subscribed to it. Without a sink
 * (the studio, `deca run`) the node fails with "no event bus".
 */

#define DECA_TYPE_EVENT_SINK (deca_event_sink_get_type ())
G_DECLARE_INTERFACE (DecaEventSink, deca_event_sink, DECA, EVENT_SINK, GObject)

struct _DecaEventSinkInterface
{
  GTypeInterface parent_iface;

  JsonNode *(*publish) (DecaEventSink  *self,
                        const char     *flow_id,
                        const char     *execution_id,
                        const char     *topic,
                        JsonNode       *data,
                        GError        **error);
};

/* Publishes an event to @topic with @data (a JSON object; NULL = {}) on behalf of
 * execution @execution_id of flow @flow_id. Returns (transfer full) a JSON object
 * describing the published event ({"id", "topic", "time", "deliveries", ...}), or NULL
 * with @error: DECA_ENGINE_ERROR_INVALID for a bad topic or data ("topic: token 2 is
 * empty ..."), or the sink's own failure. */
JsonNode *deca_event_sink_publish (DecaEventSink  *self,
                                   const char     *flow_id,
                                   const char     *execution_id,
                                   const char     *topic,
                                   JsonNode       *data,
                                   GError        **error);

G_END_DECLS
