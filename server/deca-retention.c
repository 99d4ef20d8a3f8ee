/* deca-retention.c: pruning of execution data, audit lines and published events (see the
 * header). */

#include "config.h"

#include "deca-retention.h"

#define USEC_PER_DAY ((gint64) 24 * 60 * 60 * G_USEC_PER_SEC)

struct _DecaRetention
{
  GObject parent_instance;

  DecaStore *store;
  DecaClock *clock;
  DecaLog *log;
  DecaRetentionPolicy policy;
  guint interval_s;
  guint timeout_id;
};

G_DEFINE_FINAL_TYPE (DecaRetention, deca_retention, G_TYPE_OBJECT)

gboolean
deca_retention_policy_is_set (const DecaRetentionPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, FALSE);

  return policy->keep_executions_days > 0 || policy->keep_executions > 0
         || policy->keep_audit_days > 0 || policy->keep_events_days > 0;
}

gboolean
deca_retention_run (DecaRetention  *self,
                    guint          *out_executions,
                    guint          *out_audit,
                    guint          *out_events,
                    GError        **error)
{
  gint64 now;
  guint executions = 0, audit = 0, events = 0;

  g_return_val_if_fail (DECA_IS_RETENTION (self), FALSE);

  now = deca_clock_now_us (self->clock);
  if (self->policy.keep_executions_days > 0 || self->policy.keep_executions > 0)
    {
      gint64 before = 0;

      if (self->policy.keep_executions_days > 0)
        before = now - (gint64) self->policy.keep_executions_days * USEC_PER_DAY;
      if (!deca_store_prune_executions (self->store, NULL, before, self->policy.keep_executions,
                                        &executions, error))
        return FALSE;
    }
  if (self->policy.keep_audit_days > 0
      && !deca_store_prune_audit (self->store, now - (gint64) self->policy.keep_audit_days * USEC_PER_DAY,
                                  &audit, error))
    return FALSE;
  if (self->policy.keep_events_days > 0
      && !deca_store_prune_topic_events (self->store,
                                         now - (gint64) self->policy.keep_events_days * USEC_PER_DAY,
                                         &events, error))
    return FALSE;
  if (out_executions != NULL)
    *out_executions = executions;
  if (out_audit != NULL)
    *out_audit = audit;
  if (out_events != NULL)
    *out_events = events;
  return TRUE;
}

/* One run of the timer, logged. */
static void
run_and_log (DecaRetention *self)
{
  g_autoptr(GError) error = NULL;
  guint executions = 0, audit = 0, events = 0;

  if (!deca_retention_run (self, &executions, &audit, &events, &error))
    {
      if (self->log != NULL)
        deca_log_writef (self->log, DECA_LOG_ERROR, NULL, "retention failed: %s", error->message);
      return;
    }
  if (self->log != NULL)
    {
      g_autoptr(JsonObject) extra = json_object_new ();

      json_object_set_int_member (extra, "executions_deleted", executions);
      json_object_set_int_member (extra, "audit_deleted", audit);
      json_object_set_int_member (extra, "events_deleted", events);
      deca_log_write (self->log, DECA_LOG_INFO, NULL, extra, "retention");
    }
}

static void schedule (DecaRetention *self);

static gboolean
timeout_cb (gpointer data)
{
  DecaRetention *self = data;

  self->timeout_id = 0;
  run_and_log (self);
  schedule (self);
  return G_SOURCE_REMOVE;
}

/* The timer holds no reference: dispose removes it. */
static void
schedule (DecaRetention *self)
{
  g_assert (self->timeout_id == 0);
  self->timeout_id = deca_clock_add_timeout (self->clock, (gint64) self->interval_s * G_USEC_PER_SEC,
                                             timeout_cb, self, NULL);
}

void
deca_retention_start (DecaRetention *self)
{
  g_return_if_fail (DECA_IS_RETENTION (self));

  if (self->timeout_id != 0 || !deca_retention_policy_is_set (&self->policy))
    return;
  run_and_log (self);
  schedule (self);
}

void
deca_retention_stop (DecaRetention *self)
{
  g_return_if_fail (DECA_IS_RETENTION (self));

  if (self->timeout_id != 0)
    {
      deca_clock_remove_timeout (self->clock, self->timeout_id);
      self->timeout_id = 0;
    }
}

void
deca_retention_set_interval (DecaRetention *self,
                             guint          seconds)
{
  g_return_if_fail (DECA_IS_RETENTION (self));
  g_return_if_fail (seconds >= 1);

  self->interval_s = seconds;
}

static void
deca_retention_dispose (GObject *object)
{
  DecaRetention *self = DECA_RETENTION (object);

  if (self->clock != NULL)
    deca_retention_stop (self);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);
  g_clear_object (&self->log);
  G_OBJECT_CLASS (deca_retention_parent_class)->dispose (object);
}

static void
deca_retention_class_init (DecaRetentionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = deca_retention_dispose;
}

static void
deca_retention_init (DecaRetention *self)
{
  self->interval_s = DECA_RETENTION_DEFAULT_INTERVAL_S;
}

DecaRetention *
deca_retention_new (DecaStore                 *store,
                    const DecaRetentionPolicy *policy,
                    DecaClock                 *clock,
                    DecaLog                   *log)
{
  DecaRetention *self;

  g_return_val_if_fail (DECA_IS_STORE (store), NULL);
  g_return_val_if_fail (policy != NULL, NULL);
  g_return_val_if_fail (clock == NULL || DECA_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (log == NULL || DECA_IS_LOG (log), NULL);

  self = g_object_new (DECA_TYPE_RETENTION, NULL);
  self->store = g_object_ref (store);
  self->policy = *policy;
  self->clock = clock != NULL ? g_object_ref (clock) : deca_system_clock_get_default ();
  self->log = log != NULL ? g_object_ref (log) : NULL;
  return self;
}
