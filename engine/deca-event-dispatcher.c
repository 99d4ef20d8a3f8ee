/* deca-event-dispatcher.c: published events and their delivery to subscribed flows.
 *
 * The subscriptions live in a DecaTopicIndex with the flow ids as subscribers, so a flow
 * whose patterns overlap ("crm.>" and "crm.contact.*") still gets an event once.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-event-dispatcher.h"

#include <string.h>

#include "deca-engine-error.h"
#include "deca-json.h"
#include "deca-store-server.h"
#include "deca-topic.h"

#define MAX_SOURCE_LENGTH 256

/* "an object", "a string", ... for "must be X, not Y" (the same words as the schema
 * checker's, so they share its translations). */
static const char *
json_type_with_article (JsonNode *node)
{
  const char *type = deca_json_type_name (node);

  if (g_str_equal (type, "object"))
    return _("an object");
  if (g_str_equal (type, "array"))
    return _("an array");
  if (g_str_equal (type, "string"))
    return _("a string");
  if (g_str_equal (type, "number"))
    return _("a number");
  if (g_str_equal (type, "boolean"))
    return _("a boolean");
  return type;
}

struct _DecaTopicEvent
{
  gatomicrefcount ref_count;
  char *id;
  char *topic;
  char *source;
  gint64 time_us;
  JsonNode *data;
};

G_DEFINE_BOXED_TYPE (DecaTopicEvent, deca_topic_event, deca_topic_event_ref,
                     deca_topic_event_unref)

/* Takes @data (an object node). */
static DecaTopicEvent *
topic_event_new (const char *id,
                 const char *topic,
                 const char *source,
                 gint64      time_us,
                 JsonNode   *data)
{
  DecaTopicEvent *self = g_new0 (DecaTopicEvent, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->id = g_strdup (id);
  self->topic = g_strdup (topic);
  self->source = g_strdup (source);
  self->time_us = time_us;
  self->data = data;
  return self;
}

DecaTopicEvent *
deca_topic_event_ref (DecaTopicEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
deca_topic_event_unref (DecaTopicEvent *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->id);
  g_free (self->topic);
  g_free (self->source);
  json_node_unref (self->data);
  g_free (self);
}

const char *
deca_topic_event_get_id (DecaTopicEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->id;
}

const char *
deca_topic_event_get_topic (DecaTopicEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->topic;
}

const char *
deca_topic_event_get_source (DecaTopicEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->source;
}

gint64
deca_topic_event_get_time_us (DecaTopicEvent *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->time_us;
}

JsonNode *
deca_topic_event_get_data (DecaTopicEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->data;
}

JsonNode *
deca_topic_event_to_json (DecaTopicEvent *self)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;
  char time[64];

  g_return_val_if_fail (self != NULL, NULL);

  deca_format_time_iso8601 (self->time_us, time, sizeof time);
  json_object_set_string_member (object, "id", self->id);
  json_object_set_string_member (object, "topic", self->topic);
  if (self->source != NULL)
    json_object_set_string_member (object, "source", self->source);
  json_object_set_string_member (object, "time", time);
  json_object_set_member (object, "data", deca_json_deep_copy (self->data));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

char *
deca_topic_event_to_string (DecaTopicEvent *self)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  node = deca_topic_event_to_json (self);
  return deca_json_to_string (node, FALSE);
}

static gboolean
require_string (JsonObject  *object,
                const char  *name,
                gboolean     optional,
                const char **value,
                GError     **error)
{
  JsonNode *member = json_object_get_member (object, name);

  *value = NULL;
  if (member == NULL && optional)
    return TRUE;
  if (member == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("%s: is required"), name);
      return FALSE;
    }
  *value = deca_json_object_get_string (object, name);
  if (*value == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("%s: must be a string, not %s"), name, json_type_with_article (member));
      return FALSE;
    }
  return TRUE;
}

DecaTopicEvent *
deca_topic_event_new_from_json (JsonNode  *node,
                                GError   **error)
{
  g_autoptr(GDateTime) when = NULL;
  JsonObject *object;
  JsonNode *data;
  const char *id, *topic, *source, *time;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   _("an event must be a JSON object, not %s"), json_type_with_article (node));
      return NULL;
    }
  object = json_node_get_object (node);
  if (!require_string (object, "id", FALSE, &id, error) ||
      !require_string (object, "topic", FALSE, &topic, error) ||
      !require_string (object, "source", TRUE, &source, error) ||
      !require_string (object, "time", FALSE, &time, error))
    return NULL;
  if (!deca_topic_validate (topic, error))
    {
      g_prefix_error (error, "topic: ");
      return NULL;
    }
  when = g_date_time_new_from_iso8601 (time, NULL);
  if (when == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("time: '%s' is not an ISO 8601 time with a zone"), time);
      return NULL;
    }
  data = json_object_get_member (object, "data");
  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   data == NULL ? _("data: is required")
                                : _("data: must be a JSON object, not %s"),
                   json_type_with_article (data));
      return NULL;
    }
  return topic_event_new (id, topic, source, g_date_time_to_unix (when) * G_USEC_PER_SEC + g_date_time_get_microsecond (when),
                          deca_json_deep_copy (data));
}

/* --- the dispatcher ------------------------------------------------------------------- */

struct _DecaEventDispatcher
{
  GObject parent_instance;

  DecaClock *clock;
  DecaTopicIndex *index;
  gsize max_data_size;

  DecaEventStoreFunc store_func;
  gpointer store_data;
  GDestroyNotify store_notify;
};

enum {
  PROP_0,
  PROP_CLOCK,
  PROP_MAX_DATA_SIZE,
  N_PROPS
};

enum {
  SIGNAL_DELIVER,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DecaEventDispatcher, deca_event_dispatcher, G_TYPE_OBJECT)

static void
deca_event_dispatcher_dispose (GObject *object)
{
  DecaEventDispatcher *self = DECA_EVENT_DISPATCHER (object);

  deca_event_dispatcher_set_store_func (self, NULL, NULL, NULL);
  g_clear_object (&self->clock);
  G_OBJECT_CLASS (deca_event_dispatcher_parent_class)->dispose (object);
}

static void
deca_event_dispatcher_finalize (GObject *object)
{
  DecaEventDispatcher *self = DECA_EVENT_DISPATCHER (object);

  deca_topic_index_free (self->index);
  G_OBJECT_CLASS (deca_event_dispatcher_parent_class)->finalize (object);
}

static void
deca_event_dispatcher_constructed (GObject *object)
{
  DecaEventDispatcher *self = DECA_EVENT_DISPATCHER (object);

  G_OBJECT_CLASS (deca_event_dispatcher_parent_class)->constructed (object);
  if (self->clock == NULL)
    self->clock = deca_system_clock_get_default ();
}

static void
deca_event_dispatcher_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  DecaEventDispatcher *self = DECA_EVENT_DISPATCHER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;
    case PROP_MAX_DATA_SIZE:
      g_value_set_uint64 (value, self->max_data_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_event_dispatcher_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  DecaEventDispatcher *self = DECA_EVENT_DISPATCHER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      break;
    case PROP_MAX_DATA_SIZE:
      deca_event_dispatcher_set_max_data_size (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_event_dispatcher_class_init (DecaEventDispatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_event_dispatcher_dispose;
  object_class->finalize = deca_event_dispatcher_finalize;
  object_class->constructed = deca_event_dispatcher_constructed;
  object_class->get_property = deca_event_dispatcher_get_property;
  object_class->set_property = deca_event_dispatcher_set_property;

  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL, DECA_TYPE_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_DATA_SIZE] =
    g_param_spec_uint64 ("max-data-size", NULL, NULL, 2, G_MAXSIZE,
                         DECA_EVENT_DEFAULT_MAX_DATA_SIZE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_DELIVER] =
    g_signal_new ("deliver", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, DECA_TYPE_TOPIC_EVENT);
}

static void
deca_event_dispatcher_init (DecaEventDispatcher *self)
{
  self->index = deca_topic_index_new ();
  self->max_data_size = DECA_EVENT_DEFAULT_MAX_DATA_SIZE;
}

DecaEventDispatcher *
deca_event_dispatcher_new (DecaClock *clock)
{
  g_return_val_if_fail (clock == NULL || DECA_IS_CLOCK (clock), NULL);
  return g_object_new (DECA_TYPE_EVENT_DISPATCHER, "clock", clock, NULL);
}

gsize
deca_event_dispatcher_get_max_data_size (DecaEventDispatcher *self)
{
  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), 0);
  return self->max_data_size;
}

/* @size counts bytes of compact JSON; "{}" (2) is the least that makes sense. */
void
deca_event_dispatcher_set_max_data_size (DecaEventDispatcher *self,
                                         gsize                size)
{
  g_return_if_fail (DECA_IS_EVENT_DISPATCHER (self));
  g_return_if_fail (size >= 2);

  if (self->max_data_size == size)
    return;
  self->max_data_size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_DATA_SIZE]);
}

void
deca_event_dispatcher_set_store_func (DecaEventDispatcher *self,
                                      DecaEventStoreFunc   func,
                                      gpointer             user_data,
                                      GDestroyNotify       notify)
{
  GDestroyNotify old_notify;
  gpointer old_data;

  g_return_if_fail (DECA_IS_EVENT_DISPATCHER (self));

  old_notify = self->store_notify;
  old_data = self->store_data;
  self->store_func = func;
  self->store_data = user_data;
  self->store_notify = notify;
  if (old_notify != NULL)
    old_notify (old_data);
}

static guint dispatcher_deliver_to (DecaEventDispatcher *self,
                                    DecaTopicEvent      *event,
                                    GPtrArray           *flows);

typedef struct {
  DecaStore *store;
  char *workspace_id;
} StoreTarget;

static void
store_target_free (gpointer data)
{
  StoreTarget *target = data;

  g_object_unref (target->store);
  g_free (target->workspace_id);
  g_free (target);
}

static gboolean
store_event_cb (DecaTopicEvent  *event,
                GPtrArray       *flow_ids,
                gpointer         user_data,
                GError         **error)
{
  StoreTarget *target = user_data;
  g_autofree char *payload = deca_topic_event_to_string (event);
  DecaTopicEventRecord record = {
    .workspace_id = target->workspace_id,
    .topic = event->topic,
    .payload = payload,
    .published_at = event->time_us,
    .source = event->source,
  };

  return deca_store_append_topic_event (target->store, &record, NULL, error);
}

void
deca_event_dispatcher_set_store (DecaEventDispatcher *self,
                                 DecaStore           *store,
                                 const char          *workspace_id)
{
  StoreTarget *target;

  g_return_if_fail (DECA_IS_EVENT_DISPATCHER (self));
  g_return_if_fail (DECA_IS_STORE (store));
  g_return_if_fail (workspace_id != NULL);

  target = g_new0 (StoreTarget, 1);
  target->store = g_object_ref (store);
  target->workspace_id = g_strdup (workspace_id);
  deca_event_dispatcher_set_store_func (self, store_event_cb, target, store_target_free);
}

gint64
deca_event_dispatcher_replay (DecaEventDispatcher  *self,
                              DecaStore            *store,
                              const char           *workspace_id,
                              const char           *flow_id,
                              gint64                after_id,
                              guint                 limit,
                              gint64               *last_id,
                              GError              **error)
{
  g_autoptr(GPtrArray) records = NULL;
  gint64 delivered = 0;

  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), -1);
  g_return_val_if_fail (DECA_IS_STORE (store), -1);
  g_return_val_if_fail (workspace_id != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (last_id != NULL)
    *last_id = after_id;
  records = deca_store_list_topic_events (store, workspace_id, after_id, limit, error);
  if (records == NULL)
    return -1;

  for (guint i = 0; i < records->len; i++)
    {
      DecaTopicEventRecord *record = records->pdata[i];
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(DecaTopicEvent) event = NULL;
      g_autoptr(GPtrArray) flows = NULL;
      g_autoptr(GError) local_error = NULL;

      node = deca_json_parse (record->payload, -1, &local_error);
      if (node != NULL)
        event = deca_topic_event_new_from_json (node, &local_error);
      if (event == NULL)
        {
          g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, record->id);

          /* Translators: the first %s is the event's number in the store */
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                       _("stored event %s is not an event: %s"), id, local_error->message);
          return -1;
        }

      flows = deca_topic_index_match (self->index, event->topic);
      if (flow_id != NULL)
        {
          gboolean subscribed = FALSE;

          for (guint f = 0; f < flows->len && !subscribed; f++)
            subscribed = g_str_equal (flows->pdata[f], flow_id);
          g_ptr_array_set_size (flows, 0);
          if (subscribed)
            g_ptr_array_add (flows, g_strdup (flow_id));
        }
      delivered += dispatcher_deliver_to (self, event, flows);
      if (last_id != NULL)
        *last_id = record->id;
    }
  return delivered;
}

gboolean
deca_event_dispatcher_subscribe (DecaEventDispatcher  *self,
                                 const char           *flow_id,
                                 const char           *pattern,
                                 GError              **error)
{
  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return deca_topic_index_add (self->index, pattern, flow_id, error);
}

gboolean
deca_event_dispatcher_unsubscribe (DecaEventDispatcher *self,
                                   const char          *flow_id,
                                   const char          *pattern)
{
  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), FALSE);
  g_return_val_if_fail (flow_id != NULL && pattern != NULL, FALSE);

  return deca_topic_index_remove (self->index, pattern, flow_id);
}

guint
deca_event_dispatcher_remove_flow (DecaEventDispatcher *self,
                                   const char          *flow_id)
{
  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), 0);
  g_return_val_if_fail (flow_id != NULL, 0);

  return deca_topic_index_remove_subscriber (self->index, flow_id);
}

gboolean
deca_event_dispatcher_set_flow (DecaEventDispatcher  *self,
                                DecaFlow             *flow,
                                GError              **error)
{
  g_autoptr(GPtrArray) patterns = NULL;
  const char *flow_id;

  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), FALSE);
  g_return_val_if_fail (DECA_IS_FLOW (flow), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Check every pattern before touching the subscriptions. */
  patterns = g_ptr_array_new ();
  for (guint i = 0; i < deca_flow_get_n_triggers (flow); i++)
    {
      const DecaFlowTrigger *trigger = deca_flow_get_trigger (flow, i);
      const char *pattern;

      if (g_strcmp0 (trigger->type, "event") != 0)
        continue;
      pattern = deca_json_object_get_string (trigger->object, "event");
      if (pattern == NULL)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                       _("/triggers/%u/event: is required and must be a string"),
                       trigger->index);
          return FALSE;
        }
      if (!deca_topic_pattern_validate (pattern, error))
        {
          g_prefix_error (error, "/triggers/%u/event: ", trigger->index);
          return FALSE;
        }
      g_ptr_array_add (patterns, (gpointer) pattern);
    }

  flow_id = deca_flow_get_id (flow);
  deca_topic_index_remove_subscriber (self->index, flow_id);
  for (guint i = 0; i < patterns->len; i++)
    {
      gboolean added = deca_topic_index_add (self->index, patterns->pdata[i], flow_id, NULL);

      g_assert (added);
    }
  return TRUE;
}

GPtrArray *
deca_event_dispatcher_match (DecaEventDispatcher *self,
                             const char          *topic)
{
  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), NULL);
  g_return_val_if_fail (topic != NULL, NULL);

  return deca_topic_index_match (self->index, topic);
}

GStrv
deca_event_dispatcher_dup_patterns (DecaEventDispatcher *self,
                                    const char          *flow_id)
{
  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), NULL);
  g_return_val_if_fail (flow_id != NULL, NULL);

  return deca_topic_index_dup_patterns (self->index, flow_id);
}

static gboolean
check_topic_and_source (const char  *topic,
                        const char  *source,
                        GError     **error)
{
  if (!deca_topic_validate (topic, error))
    {
      g_prefix_error (error, "topic: ");
      return FALSE;
    }
  if (source != NULL)
    {
      gsize length = strlen (source);

      if (length == 0 || length > MAX_SOURCE_LENGTH || !g_utf8_validate (source, length, NULL))
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                       _("source: must be 1 to %d bytes of UTF-8 text"), MAX_SOURCE_LENGTH);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_data_size (DecaEventDispatcher  *self,
                 gsize                 size,
                 GError              **error)
{
  if (size <= self->max_data_size)
    return TRUE;
  {
    g_autofree char *bytes = g_strdup_printf ("%" G_GSIZE_FORMAT, size);
    g_autofree char *limit = g_strdup_printf ("%" G_GSIZE_FORMAT, self->max_data_size);

    /* Translators: both %s are numbers of bytes */
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT,
                 _("data: is %s bytes; at most %s are allowed"), bytes, limit);
  }
  return FALSE;
}

static DecaTopicEvent *
dispatcher_stamp (DecaEventDispatcher *self,
                  const char          *topic,
                  const char          *source,
                  JsonNode            *data)
{
  g_autofree char *id = g_uuid_string_random ();

  return topic_event_new (id, topic, source, deca_clock_now_us (self->clock), data);
}

/*
 * deca_event_dispatcher_prepare:
 * See the header. @data is copied.
 */
DecaTopicEvent *
deca_event_dispatcher_prepare (DecaEventDispatcher  *self,
                               const char           *topic,
                               JsonNode             *data,
                               const char           *source,
                               GError              **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_topic_and_source (topic, source, error))
    return NULL;
  if (data == NULL)
    {
      g_autoptr(JsonObject) empty = json_object_new ();

      /* json_node_init_object() takes its own reference to the object. */
      return dispatcher_stamp (self, topic, source,
                               json_node_init_object (json_node_alloc (), empty));
    }
  if (!JSON_NODE_HOLDS_OBJECT (data))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("data: must be a JSON object, not %s"), json_type_with_article (data));
      return NULL;
    }
  text = deca_json_to_string (data, FALSE);
  if (!check_data_size (self, strlen (text), error))
    return NULL;
  return dispatcher_stamp (self, topic, source, deca_json_deep_copy (data));
}

DecaTopicEvent *
deca_event_dispatcher_prepare_from_text (DecaEventDispatcher  *self,
                                         const char           *topic,
                                         const char           *data,
                                         gssize                length,
                                         const char           *source,
                                         GError              **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if (!check_topic_and_source (topic, source, error))
    return NULL;
  /* The text may carry whitespace the compact form has not, so the limit applies to the
   * parsed data; but a text far over it is not even parsed. */
  if ((gsize) length / 4 > self->max_data_size + 1024)
    {
      check_data_size (self, length, error);
      return NULL;
    }
  if (deca_json_text_too_deep (data, length, DECA_EVENT_MAX_DATA_DEPTH, NULL))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT,
                   _("data: is nested deeper than %d levels"), DECA_EVENT_MAX_DATA_DEPTH);
      return NULL;
    }
  node = deca_json_parse (data, length, error);
  if (node == NULL)
    {
      g_prefix_error (error, "data: ");
      return NULL;
    }
  return deca_event_dispatcher_prepare (self, topic, node, source, error);
}

/* A handler may change the subscriptions or drop the last reference; @flows is taken
 * before the first emission, so every flow subscribed at publication gets the event. */
static guint
dispatcher_deliver_to (DecaEventDispatcher *self,
                       DecaTopicEvent      *event,
                       GPtrArray           *flows)
{
  g_autoptr(DecaEventDispatcher) hold = g_object_ref (self);

  for (guint i = 0; i < flows->len; i++)
    g_signal_emit (self, signals[SIGNAL_DELIVER], 0, flows->pdata[i], event);
  return flows->len;
}

guint
deca_event_dispatcher_deliver (DecaEventDispatcher *self,
                               DecaTopicEvent      *event)
{
  g_autoptr(GPtrArray) flows = NULL;

  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), 0);
  g_return_val_if_fail (event != NULL, 0);

  flows = deca_topic_index_match (self->index, event->topic);
  return dispatcher_deliver_to (self, event, flows);
}

DecaTopicEvent *
deca_event_dispatcher_publish (DecaEventDispatcher  *self,
                               const char           *topic,
                               JsonNode             *data,
                               const char           *source,
                               guint                *n_delivered,
                               GError              **error)
{
  g_autoptr(DecaTopicEvent) event = NULL;
  g_autoptr(GPtrArray) flows = NULL;
  guint n;

  g_return_val_if_fail (DECA_IS_EVENT_DISPATCHER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_delivered != NULL)
    *n_delivered = 0;
  event = deca_event_dispatcher_prepare (self, topic, data, source, error);
  if (event == NULL)
    return NULL;

  flows = deca_topic_index_match (self->index, topic);
  if (self->store_func != NULL && !self->store_func (event, flows, self->store_data, error))
    return NULL;

  n = dispatcher_deliver_to (self, event, flows);
  if (n_delivered != NULL)
    *n_delivered = n;
  return g_steal_pointer (&event);
}
