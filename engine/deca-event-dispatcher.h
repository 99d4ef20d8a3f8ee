#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "deca-clock.h"
#include "deca-flow.h"
#include "deca-store.h"

G_BEGIN_DECLS

/*
 * The event dispatcher (docs/dispatch.md): events are published to a topic
 * ("crm.contact.created") with a JSON object as data; flows subscribe with topic patterns
 * (deca-topic.h) through their event triggers; every flow with a matching pattern gets the
 * event once. These are user events, not the execution events of deca-event.h.
 */

/* The default limit of an event's data, as compact JSON. */
#define DECA_EVENT_DEFAULT_MAX_DATA_SIZE (256 * 1024)
/* Data nested deeper than this is refused before parsing. */
#define DECA_EVENT_MAX_DATA_DEPTH 64

/*
 * DecaTopicEvent: one published event, immutable and reference counted. Its JSON form,
 * which is also the input of the executions it starts and what the store keeps:
 *   {"id": "…uuid…", "topic": "crm.contact.created", "source": "api",
 *    "time": "2026-12-01T16:00:00.000Z", "data": {…}}
 * ("source" only when there is one).
 */
typedef struct _DecaTopicEvent DecaTopicEvent;

#define DECA_TYPE_TOPIC_EVENT (deca_topic_event_get_type ())
GType           deca_topic_event_get_type     (void) G_GNUC_CONST;

DecaTopicEvent *deca_topic_event_ref          (DecaTopicEvent *self);
void            deca_topic_event_unref        (DecaTopicEvent *self);
const char     *deca_topic_event_get_id       (DecaTopicEvent *self);
const char     *deca_topic_event_get_topic    (DecaTopicEvent *self);
/* Returns (nullable) who published it ("api", "flow:ID", ...). */
const char     *deca_topic_event_get_source   (DecaTopicEvent *self);
/* µs since the epoch. */
gint64          deca_topic_event_get_time_us  (DecaTopicEvent *self);
/* Returns (transfer none) the data, a JSON object. Do not change it. */
JsonNode       *deca_topic_event_get_data     (DecaTopicEvent *self);
/* Returns (transfer full) the JSON form (a deep copy). */
JsonNode       *deca_topic_event_to_json      (DecaTopicEvent *self);
char           *deca_topic_event_to_string    (DecaTopicEvent *self);
/* Rebuilds a stored event from its JSON form (replay). Returns NULL with
 * DECA_ENGINE_ERROR_PARSE or _INVALID and the member at fault when it is not one. */
DecaTopicEvent *deca_topic_event_new_from_json (JsonNode      *node,
                                                GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaTopicEvent, deca_topic_event_unref)

/* Called by deca_event_dispatcher_publish() after the event is checked and before it is
 * delivered, with the ids of the flows it will go to: store the event here. Returning
 * FALSE with @error refuses the event: publish fails with that error and nothing is
 * delivered. */
typedef gboolean (*DecaEventStoreFunc) (DecaTopicEvent  *event,
                                        GPtrArray       *flow_ids,
                                        gpointer         user_data,
                                        GError         **error);

/*
 * DecaEventDispatcher: subscriptions of flows to topic patterns, and delivery.
 *
 * Signal ::deliver (flow_id, DecaTopicEvent *event): start @flow_id with the event;
 * emitted once per subscribed flow, in order of flow id.
 *
 * Isolation between workspaces is the caller's: one dispatcher per workspace.
 */
#define DECA_TYPE_EVENT_DISPATCHER (deca_event_dispatcher_get_type ())
G_DECLARE_FINAL_TYPE (DecaEventDispatcher, deca_event_dispatcher, DECA, EVENT_DISPATCHER, GObject)

/* @clock NULL = the system clock (it stamps the events' time). */
DecaEventDispatcher *deca_event_dispatcher_new            (DecaClock           *clock);
gsize           deca_event_dispatcher_get_max_data_size   (DecaEventDispatcher *self);
void            deca_event_dispatcher_set_max_data_size   (DecaEventDispatcher *self,
                                                           gsize                size);
void            deca_event_dispatcher_set_store_func      (DecaEventDispatcher *self,
                                                           DecaEventStoreFunc   func,
                                                           gpointer             user_data,
                                                           GDestroyNotify       notify);

/* Stores every published event in @store (deca_store_append_topic_event(),
 * engine/deca-store-server.h) under @workspace_id before delivering it: the topic, the
 * source and the time in their columns, the whole JSON form as the payload. Replaces the
 * store function; the store is referenced and used from the caller's thread. */
void            deca_event_dispatcher_set_store           (DecaEventDispatcher *self,
                                                           DecaStore           *store,
                                                           const char          *workspace_id);
/* Replays the events @store keeps for @workspace_id with a store id above @after_id (up
 * to @limit, 0 = all), oldest first: each goes to the flows subscribed to it now, or only
 * to @flow_id (nullable) when it is subscribed. *@last_id (nullable) gets the id of the
 * last event read (@after_id when none). Returns the number of deliveries, or -1 with
 * the store's error or DECA_ENGINE_ERROR_PARSE for a stored event that is not one. */
gint64          deca_event_dispatcher_replay              (DecaEventDispatcher *self,
                                                           DecaStore           *store,
                                                           const char          *workspace_id,
                                                           const char          *flow_id,
                                                           gint64               after_id,
                                                           guint                limit,
                                                           gint64              *last_id,
                                                           GError             **error);

/* Subscribes @flow_id to @pattern. FALSE with the pattern's problem when it is invalid. */
gboolean        deca_event_dispatcher_subscribe           (DecaEventDispatcher *self,
                                                           const char          *flow_id,
                                                           const char          *pattern,
                                                           GError             **error);
gboolean        deca_event_dispatcher_unsubscribe         (DecaEventDispatcher *self,
                                                           const char          *flow_id,
                                                           const char          *pattern);
/* Deactivation: drops every subscription of @flow_id. Returns how many there were. */
guint           deca_event_dispatcher_remove_flow         (DecaEventDispatcher *self,
                                                           const char          *flow_id);
/* Activation and update: the subscriptions of @flow's id become exactly the patterns of
 * its event triggers ("event" members). FALSE with "/triggers/N/event: ..." when one is
 * not a valid pattern, changing nothing. */
gboolean        deca_event_dispatcher_set_flow            (DecaEventDispatcher *self,
                                                           DecaFlow            *flow,
                                                           GError             **error);
/* Returns (transfer full) (element-type utf8) the flows subscribed to @topic, sorted. */
GPtrArray      *deca_event_dispatcher_match               (DecaEventDispatcher *self,
                                                           const char          *topic);
/* Returns (transfer full) the patterns of @flow_id, sorted. */
GStrv           deca_event_dispatcher_dup_patterns        (DecaEventDispatcher *self,
                                                           const char          *flow_id);

/* Checks and stamps an event (id, time) without delivering it. @topic must be a valid
 * topic (no wildcards); @data a JSON object (NULL = {}) of at most the size limit;
 * @source (nullable) at most 256 bytes of UTF-8. Returns NULL with
 * DECA_ENGINE_ERROR_INVALID ("topic: token 2 is empty ...", "data: must be a JSON object,
 * not an array", "source: ...") or DECA_ENGINE_ERROR_LIMIT ("data: is 300000 bytes; at
 * most 262144 are allowed"). */
DecaTopicEvent *deca_event_dispatcher_prepare             (DecaEventDispatcher *self,
                                                           const char          *topic,
                                                           JsonNode            *data,
                                                           const char          *source,
                                                           GError             **error);
/* The same with the data as JSON text (@length -1: NUL-terminated), checked for size and
 * depth before it is parsed; a syntax error is DECA_ENGINE_ERROR_PARSE "data: line 1,
 * column 5: ...". */
DecaTopicEvent *deca_event_dispatcher_prepare_from_text   (DecaEventDispatcher *self,
                                                           const char          *topic,
                                                           const char          *data,
                                                           gssize               length,
                                                           const char          *source,
                                                           GError             **error);
/* Emits ::deliver for every flow subscribed to @event's topic (now; a stored event being
 * replayed too). Returns how many flows got it. */
guint           deca_event_dispatcher_deliver             (DecaEventDispatcher *self,
                                                           DecaTopicEvent      *event);
/* prepare, then the store function (when set), then deliver. Returns (transfer full) the
 * event, or NULL with the error of prepare or of the store function. @n_delivered
 * (nullable) gets the number of flows. */
DecaTopicEvent *deca_event_dispatcher_publish             (DecaEventDispatcher *self,
                                                           const char          *topic,
                                                           JsonNode            *data,
                                                           const char          *source,
                                                           guint               *n_delivered,
                                                           GError             **error);

G_END_DECLS
