#include "deca-executor-private.h"
#include "deca-engine-error.h"

enum {
  PROP_0,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DecaExecution, deca_execution, G_TYPE_OBJECT)

static const char * const status_names[] = {
  [DECA_EXECUTION_PENDING] = "pending",
  [DECA_EXECUTION_RUNNING] = "running",
  [DECA_EXECUTION_PAUSED] = "paused",
  [DECA_EXECUTION_SUCCEEDED] = "succeeded",
  [DECA_EXECUTION_FAILED] = "failed",
  [DECA_EXECUTION_CANCELLED] = "cancelled",
};

const char *
deca_execution_status_to_string (DecaExecutionStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (status_names), "unknown");
  return status_names[status];
}

const char *
_deca_execution_status_name (DecaExecutionStatus status)
{
  return deca_execution_status_to_string (status);
}

void
_deca_execution_set_status (DecaExecution       *self,
                            DecaExecutionStatus  status)
{
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
deca_execution_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DecaExecution *self = DECA_EXECUTION (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_execution_finalize (GObject *object)
{
  DecaExecution *self = DECA_EXECUTION (object);
  gpointer item;

  while ((item = g_queue_pop_head (&self->ready)) != NULL)
    g_free (item);
  g_clear_pointer (&self->spent_frames, g_ptr_array_unref);
  g_clear_pointer (&self->top, _deca_frame_free);
  g_free (self->id);
  g_clear_object (&self->flow);
  g_clear_pointer (&self->input, json_node_unref);
  g_clear_pointer (&self->output, json_node_unref);
  g_clear_pointer (&self->response, json_node_unref);
  g_clear_error (&self->error);
  g_free (self->error_node);
  g_clear_pointer (&self->info, json_node_unref);
  g_clear_pointer (&self->credentials, json_node_unref);
  g_clear_pointer (&self->secrets, g_hash_table_unref);
  g_free (self->workspace_id);
  g_clear_pointer (&self->restored, g_hash_table_unref);
  g_clear_pointer (&self->decisions, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_hash_table_unref);
  g_free (self->parent_id);
  g_free (self->parent_node);
  g_free (self->trigger);
  G_OBJECT_CLASS (deca_execution_parent_class)->finalize (object);
}

static void
deca_execution_class_init (DecaExecutionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = deca_execution_get_property;
  object_class->finalize = deca_execution_finalize;

  /**
   * DecaExecution:status: the DecaExecutionStatus, as an int. Notified on every change;
   * a notification to a finished status comes after the final checkpoint is durable.
   */
  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL, DECA_EXECUTION_PENDING, DECA_EXECUTION_CANCELLED,
                      DECA_EXECUTION_PENDING,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
deca_execution_init (DecaExecution *self)
{
  g_queue_init (&self->ready);
}

const char *
deca_execution_get_id (DecaExecution *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTION (self), NULL);
  return self->id;
}

DecaFlow *
deca_execution_get_flow (DecaExecution *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTION (self), NULL);
  return self->flow;
}

DecaExecutionStatus
deca_execution_get_status (DecaExecution *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTION (self), DECA_EXECUTION_PENDING);
  return self->status;
}

gboolean
deca_execution_is_finished (DecaExecution *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTION (self), FALSE);
  return self->status == DECA_EXECUTION_SUCCEEDED ||
         self->status == DECA_EXECUTION_FAILED ||
         self->status == DECA_EXECUTION_CANCELLED;
}

JsonNode *
deca_execution_get_output (DecaExecution *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTION (self), NULL);
  return self->output;
}

JsonNode *
deca_execution_get_response (DecaExecution *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTION (self), NULL);
  return self->response;
}

const GError *
deca_execution_get_error (DecaExecution *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTION (self), NULL);
  return self->error;
}

const char *
deca_execution_get_error_node (DecaExecution *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTION (self), NULL);
  return self->error_node;
}

const char *
deca_execution_get_trigger (DecaExecution *self)
{
  g_return_val_if_fail (DECA_IS_EXECUTION (self), NULL);
  return self->trigger != NULL ? self->trigger : "{\"type\":\"manual\"}";
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

GPtrArray *
deca_execution_list_waiting_approvals (DecaExecution *self)
{
  GPtrArray *keys;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (DECA_IS_EXECUTION (self), NULL);

  keys = g_ptr_array_new ();
  if (self->waiting == NULL)
    return keys;
  g_hash_table_iter_init (&iter, self->waiting);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}

