/* deca-event-sink.c: the interface the publish_event node publishes through. */

#include "config.h"

#include "deca-event-sink.h"

G_DEFINE_INTERFACE (DecaEventSink, deca_event_sink, G_TYPE_OBJECT)

static void
deca_event_sink_default_init (DecaEventSinkInterface *iface)
{
}

JsonNode *
deca_event_sink_publish (DecaEventSink  *self,
                         const char     *flow_id,
                         const char     *execution_id,
                         const char     *topic,
                         JsonNode       *data,
                         GError        **error)
{
  g_return_val_if_fail (DECA_IS_EVENT_SINK (self), NULL);
  g_return_val_if_fail (flow_id != NULL && execution_id != NULL, NULL);
  g_return_val_if_fail (data == NULL || JSON_NODE_HOLDS_OBJECT (data), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return DECA_EVENT_SINK_GET_IFACE (self)->publish (self, flow_id, execution_id, topic, data, error);
}
