#include "deca-clock.h"

G_DEFINE_INTERFACE (DecaClock, deca_clock, G_TYPE_OBJECT)

static void
deca_clock_default_init (DecaClockInterface *iface)
{
}

gint64
deca_clock_now_us (DecaClock *self)
{
  g_return_val_if_fail (DECA_IS_CLOCK (self), 0);
  return DECA_CLOCK_GET_IFACE (self)->now_us (self);
}

guint
deca_clock_add_timeout (DecaClock      *self,
                        gint64          delay_us,
                        GSourceFunc     func,
                        gpointer        data,
                        GDestroyNotify  notify)
{
  g_return_val_if_fail (DECA_IS_CLOCK (self), 0);
  g_return_val_if_fail (func != NULL, 0);
  return DECA_CLOCK_GET_IFACE (self)->add_timeout (self, MAX (delay_us, 0), func, data, notify);
}

void
deca_clock_remove_timeout (DecaClock *self,
                           guint      id)
{
  g_return_if_fail (DECA_IS_CLOCK (self));
  if (id != 0)
    DECA_CLOCK_GET_IFACE (self)->remove_timeout (self, id);
}

/* --- system clock --------------------------------------------------------------------- */

struct _DecaSystemClock
{
  GObject parent_instance;
  /* id -> GSource, so that removal works from any thread-default context. */
  GHashTable *sources;
  guint next_id;
  GMutex lock;
};

static void deca_system_clock_iface_init (DecaClockInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DecaSystemClock, deca_system_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DECA_TYPE_CLOCK, deca_system_clock_iface_init))

typedef struct {
  DecaSystemClock *clock;
  guint id;
  GSourceFunc func;
  gpointer data;
  GDestroyNotify notify;
} SystemTimeout;

static gint64
deca_system_clock_now_us (DecaClock *clock)
{
  return g_get_real_time ();
}

static gboolean
system_timeout_dispatch_cb (gpointer user_data)
{
  SystemTimeout *timeout = user_data;

  g_mutex_lock (&timeout->clock->lock);
  g_hash_table_remove (timeout->clock->sources, GUINT_TO_POINTER (timeout->id));
  g_mutex_unlock (&timeout->clock->lock);
  timeout->func (timeout->data);
  return G_SOURCE_REMOVE;
}

static void
system_timeout_free (gpointer user_data)
{
  SystemTimeout *timeout = user_data;

  if (timeout->notify)
    timeout->notify (timeout->data);
  g_free (timeout);
}

static guint
deca_system_clock_add_timeout (DecaClock      *clock,
                               gint64          delay_us,
                               GSourceFunc     func,
                               gpointer        data,
                               GDestroyNotify  notify)
{
  DecaSystemClock *self = DECA_SYSTEM_CLOCK (clock);
  SystemTimeout *timeout = g_new0 (SystemTimeout, 1);
  GSource *source;

  /* Round up so a delay never fires early; timeouts below 1 ms become idles. */
  source = delay_us <= 0 ? g_idle_source_new () : g_timeout_source_new ((guint) MIN ((delay_us + 999) / 1000, G_MAXUINT));
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  timeout->clock = self;
  timeout->func = func;
  timeout->data = data;
  timeout->notify = notify;
  g_source_set_callback (source, system_timeout_dispatch_cb, timeout, system_timeout_free);

  g_mutex_lock (&self->lock);
  timeout->id = ++self->next_id;
  if (timeout->id == 0)
    timeout->id = ++self->next_id;
  g_hash_table_insert (self->sources, GUINT_TO_POINTER (timeout->id), g_source_ref (source));
  g_mutex_unlock (&self->lock);

  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
  return timeout->id;
}

static void
deca_system_clock_remove_timeout (DecaClock *clock,
                                  guint      id)
{
  DecaSystemClock *self = DECA_SYSTEM_CLOCK (clock);
  GSource *source = NULL;

  g_mutex_lock (&self->lock);
  g_hash_table_steal_extended (self->sources, GUINT_TO_POINTER (id), NULL, (gpointer *) &source);
  g_mutex_unlock (&self->lock);
  if (source != NULL)
    {
      g_source_destroy (source);
      g_source_unref (source);
    }
}

static void
deca_system_clock_finalize (GObject *object)
{
  DecaSystemClock *self = DECA_SYSTEM_CLOCK (object);

  g_hash_table_unref (self->sources);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (deca_system_clock_parent_class)->finalize (object);
}

static void
deca_system_clock_iface_init (DecaClockInterface *iface)
{
  iface->now_us = deca_system_clock_now_us;
  iface->add_timeout = deca_system_clock_add_timeout;
  iface->remove_timeout = deca_system_clock_remove_timeout;
}

static void
deca_system_clock_class_init (DecaSystemClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = deca_system_clock_finalize;
}

static void
deca_system_clock_init (DecaSystemClock *self)
{
  g_mutex_init (&self->lock);
  self->sources = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_source_unref);
}

DecaClock *
deca_system_clock_get_default (void)
{
  static DecaClock *clock;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      clock = g_object_new (DECA_TYPE_SYSTEM_CLOCK, NULL);
      g_once_init_leave (&initialized, 1);
    }
  return g_object_ref (clock);
}

/* --- manual clock --------------------------------------------------------------------- */

struct _DecaManualClock
{
  GObject parent_instance;
  gint64 now;
  guint next_id;
  GList *pending;    /* ManualTimeout, sorted by due time then id */
};

typedef struct {
  guint id;
  gint64 due;
  GSourceFunc func;
  gpointer data;
  GDestroyNotify notify;
} ManualTimeout;

static void deca_manual_clock_iface_init (DecaClockInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DecaManualClock, deca_manual_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DECA_TYPE_CLOCK, deca_manual_clock_iface_init))

static void
manual_timeout_free (ManualTimeout *timeout)
{
  if (timeout->notify)
    timeout->notify (timeout->data);
  g_free (timeout);
}

static int
manual_timeout_compare (gconstpointer a,
                        gconstpointer b)
{
  const ManualTimeout *ta = a, *tb = b;

  if (ta->due != tb->due)
    return ta->due < tb->due ? -1 : 1;
  return ta->id < tb->id ? -1 : (ta->id > tb->id);
}

static gint64
deca_manual_clock_now_us (DecaClock *clock)
{
  return DECA_MANUAL_CLOCK (clock)->now;
}

static guint
deca_manual_clock_add_timeout (DecaClock      *clock,
                               gint64          delay_us,
                               GSourceFunc     func,
                               gpointer        data,
                               GDestroyNotify  notify)
{
  DecaManualClock *self = DECA_MANUAL_CLOCK (clock);
  ManualTimeout *timeout = g_new0 (ManualTimeout, 1);

  timeout->id = ++self->next_id;
  timeout->due = self->now + delay_us;
  timeout->func = func;
  timeout->data = data;
  timeout->notify = notify;
  self->pending = g_list_insert_sorted (self->pending, timeout, manual_timeout_compare);
  return timeout->id;
}

static void
deca_manual_clock_remove_timeout (DecaClock *clock,
                                  guint      id)
{
  DecaManualClock *self = DECA_MANUAL_CLOCK (clock);

  for (GList *l = self->pending; l != NULL; l = l->next)
    {
      ManualTimeout *timeout = l->data;

      if (timeout->id == id)
        {
          self->pending = g_list_delete_link (self->pending, l);
          manual_timeout_free (timeout);
          return;
        }
    }
}

static void
deca_manual_clock_finalize (GObject *object)
{
  DecaManualClock *self = DECA_MANUAL_CLOCK (object);

  g_list_free_full (self->pending, (GDestroyNotify) manual_timeout_free);
  G_OBJECT_CLASS (deca_manual_clock_parent_class)->finalize (object);
}

static void
deca_manual_clock_iface_init (DecaClockInterface *iface)
{
  iface->now_us = deca_manual_clock_now_us;
  iface->add_timeout = deca_manual_clock_add_timeout;
  iface->remove_timeout = deca_manual_clock_remove_timeout;
}

static void
deca_manual_clock_class_init (DecaManualClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = deca_manual_clock_finalize;
}

static void
deca_manual_clock_init (DecaManualClock *self)
{
}

DecaManualClock *
deca_manual_clock_new (gint64 start_us)
{
  DecaManualClock *self = g_object_new (DECA_TYPE_MANUAL_CLOCK, NULL);

  self->now = start_us;
  return self;
}

guint
deca_manual_clock_advance (DecaManualClock *self,
                           gint64           delta_us)
{
  gint64 target;
  guint fired = 0;

  g_return_val_if_fail (DECA_IS_MANUAL_CLOCK (self), 0);
  g_return_val_if_fail (delta_us >= 0, 0);

  target = self->now + delta_us;
  /* A callback may add timeouts that fall due before @target; they fire in this call too. */
  while (self->pending != NULL && ((ManualTimeout *) self->pending->data)->due <= target)
    {
      ManualTimeout *timeout = self->pending->data;

      self->pending = g_list_delete_link (self->pending, self->pending);
      self->now = MAX (self->now, timeout->due);
      timeout->func (timeout->data);
      manual_timeout_free (timeout);
      fired++;
    }
  self->now = target;
  return fired;
}

gint64
deca_manual_clock_next_due (DecaManualClock *self)
{
  g_return_val_if_fail (DECA_IS_MANUAL_CLOCK (self), -1);
  return self->pending ? ((ManualTimeout *) self->pending->data)->due : -1;
}

guint
deca_manual_clock_get_pending (DecaManualClock *self)
{
  g_return_val_if_fail (DECA_IS_MANUAL_CLOCK (self), 0);
  return g_list_length (self->pending);
}
