/* deca-scheduler.c: the schedule dispatcher.
 *
 * All schedules share one timer. They wait in a queue ordered by the time they want to
 * be planned again (their next fire time, or now for a schedule just added); the timer
 * is set for the head of the queue. When it fires, every schedule whose time has come is
 * planned (deca_schedule_plan_compute()), its fires are claimed oldest first and emitted,
 * and it goes back into the queue at its next fire time.
 *
 * The timer never sleeps longer than MAX_SLEEP_US: the system clock's timeouts run on
 * monotonic time, which stands still while the machine is suspended and does not follow
 * changes of the wall clock, and a schedule is about wall-clock time. Waking once a minute
 * to look costs nothing and bounds how late a fire can be after such a change.
 */

#include "config.h"


#include "deca-scheduler.h"

#include <string.h>
#include <unistd.h>

#include "deca-engine-error.h"
#include "deca-store-server.h"

#define MAX_SLEEP_US (60 * G_USEC_PER_SEC)
/* After a failed claim, the next try. */
#define RETRY_US (5 * G_USEC_PER_SEC)
#define WAKE_NEVER G_MAXINT64

typedef struct {
  gatomicrefcount ref_count;
  char *flow_id;
  char *key;
  DecaScheduleTrigger *trigger;
  gint64 cursor;          /* unix seconds, or DECA_SCHEDULE_NO_CURSOR */
  gint64 next_fire;       /* unix seconds, or DECA_SCHEDULE_NEVER */
  gint64 wake_us;         /* when to plan it next, WAKE_NEVER when never */
  guint64 order;          /* ties in the queue go by insertion */
  GSequenceIter *iter;    /* in the queue; NULL while taken out */
  gboolean removed;
} Schedule;

struct _DecaScheduler
{
  GObject parent_instance;

  DecaClock *clock;
  char *claimed_by;
  gint64 grace;

  DecaScheduleClaimFunc claim_func;
  gpointer claim_data;
  GDestroyNotify claim_notify;
  DecaScheduleCursorFunc cursor_func;
  gpointer cursor_data;
  GDestroyNotify cursor_notify;
  DecaScheduleSaveCursorFunc save_func;
  gpointer save_data;
  GDestroyNotify save_notify;

  GHashTable *schedules;  /* "flow_id\037key" -> Schedule (a reference) */
  GSequence *queue;       /* Schedule, by wake_us then order; holds no reference */
  guint64 next_order;

  guint timer_id;
  gint64 timer_due_us;
  gboolean processing;
};

enum {
  PROP_0,
  PROP_CLOCK,
  PROP_CLAIMED_BY,
  PROP_GRACE,
  N_PROPS
};

enum {
  SIGNAL_FIRE,
  SIGNAL_CLAIM_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DecaScheduler, deca_scheduler, G_TYPE_OBJECT)

static Schedule *
schedule_ref (Schedule *schedule)
{
  g_atomic_ref_count_inc (&schedule->ref_count);
  return schedule;
}

static void
schedule_unref (Schedule *schedule)
{
  if (!g_atomic_ref_count_dec (&schedule->ref_count))
    return;
  g_free (schedule->flow_id);
  g_free (schedule->key);
  deca_schedule_trigger_unref (schedule->trigger);
  g_free (schedule);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Schedule, schedule_unref)

static char *
schedule_id (const char *flow_id,
             const char *key)
{
  return g_strdup_printf ("%s\037%s", flow_id, key);
}

static int
schedule_compare (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const Schedule *sa = a, *sb = b;

  if (sa->wake_us != sb->wake_us)
    return sa->wake_us < sb->wake_us ? -1 : 1;
  return sa->order < sb->order ? -1 : (sa->order > sb->order);
}

static gint64
scheduler_now_us (DecaScheduler *self)
{
  return deca_clock_now_us (self->clock);
}

static gint64
us_to_unix (gint64 us)
{
  /* Floor, also for times before 1970. */
  return us >= 0 ? us / G_USEC_PER_SEC : -((-us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

static void
scheduler_enqueue (DecaScheduler *self,
                   Schedule      *schedule)
{
  g_assert (schedule->iter == NULL);
  schedule->order = self->next_order++;
  schedule->iter = g_sequence_insert_sorted (self->queue, schedule, schedule_compare, NULL);
}

static void
scheduler_dequeue (DecaScheduler *self,
                   Schedule      *schedule)
{
  if (schedule->iter != NULL)
    {
      g_sequence_remove (schedule->iter);
      schedule->iter = NULL;
    }
}

static void
scheduler_disarm (DecaScheduler *self)
{
  if (self->timer_id != 0)
    {
      deca_clock_remove_timeout (self->clock, self->timer_id);
      self->timer_id = 0;
    }
}

static gboolean scheduler_wake_cb (gpointer user_data);

/* Sets the timer for the head of the queue (at most MAX_SLEEP_US ahead). */
static void
scheduler_arm (DecaScheduler *self)
{
  GSequenceIter *head;
  Schedule *first;
  gint64 now, due;

  if (self->processing)
    return;  /* scheduler_wake_cb() arms when it is done */

  head = g_sequence_get_begin_iter (self->queue);
  if (g_sequence_iter_is_end (head) ||
      (first = g_sequence_get (head))->wake_us == WAKE_NEVER)
    {
      scheduler_disarm (self);
      return;
    }

  now = scheduler_now_us (self);
  due = MIN (first->wake_us, now + MAX_SLEEP_US);
  if (self->timer_id != 0 && self->timer_due_us == due)
    return;
  scheduler_disarm (self);
  self->timer_due_us = due;
  self->timer_id = deca_clock_add_timeout (self->clock, due - now, scheduler_wake_cb, self, NULL);
}

static GDateTime *
fire_time_new (Schedule *schedule,
               gint64    fire_at)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (fire_at);

  return g_date_time_to_timezone (utc, deca_schedule_trigger_get_time_zone (schedule->trigger));
}

/* Plans @schedule (taken out of the queue) at @now_us, claims and emits its fires, and
 * puts it back unless it was removed meanwhile (a ::fire handler may remove or replace
 * it). */
static void
scheduler_run_schedule (DecaScheduler *self,
                        Schedule      *schedule,
                        gint64         now_us)
{
  g_autoptr(DecaSchedulePlan) plan = NULL;

  plan = deca_schedule_plan_compute (schedule->trigger, schedule->cursor, us_to_unix (now_us),
                                     self->grace);

  for (guint i = 0; i < plan->fires->len; i++)
    {
      gint64 fire_at = g_array_index (plan->fires, gint64, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GDateTime) fire_time = NULL;
      gboolean claimed = TRUE;

      if (self->claim_func != NULL)
        claimed = self->claim_func (schedule->flow_id, schedule->key, fire_at,
                                    self->claimed_by, self->claim_data, &error);
      fire_time = fire_time_new (schedule, fire_at);

      if (error != NULL)
        {
          if (g_signal_has_handler_pending (self, signals[SIGNAL_CLAIM_FAILED], 0, FALSE))
            g_signal_emit (self, signals[SIGNAL_CLAIM_FAILED], 0, schedule->flow_id,
                           schedule->key, fire_time, error);
          else
            g_warning ("Could not claim the schedule %s of flow %s: %s",
                       schedule->key, schedule->flow_id, error->message);
          if (schedule->removed)
            return;
          /* The cursor stays before this fire, so the next plan sees it again (as a
           * missed time, if the retry comes late, which its policy then decides on). */
          schedule->wake_us = now_us + RETRY_US;
          scheduler_enqueue (self, schedule);
          return;
        }

      /* Won or lost, this time has been handled: by us or by another process. */
      schedule->cursor = fire_at;
      if (claimed)
        g_signal_emit (self, signals[SIGNAL_FIRE], 0, schedule->flow_id, schedule->key,
                       fire_time);
      if (schedule->removed)
        return;
    }

  if (schedule->cursor == DECA_SCHEDULE_NO_CURSOR || plan->cursor > schedule->cursor)
    {
      g_autoptr(GError) error = NULL;

      /* Due times were dropped after the last fire: tell the store, so that the next
       * process does not look at them again. Failing costs nothing but that. */
      schedule->cursor = plan->cursor;
      if (self->save_func != NULL &&
          !self->save_func (schedule->flow_id, schedule->key, schedule->cursor, self->save_data,
                            &error))
        g_message ("Could not save the cursor of schedule %s of flow %s: %s",
                   schedule->key, schedule->flow_id, error->message);
    }
  schedule->next_fire = plan->next_wake;
  schedule->wake_us = plan->next_wake == DECA_SCHEDULE_NEVER ||
                      plan->next_wake > G_MAXINT64 / G_USEC_PER_SEC - 1
                      ? WAKE_NEVER : plan->next_wake * G_USEC_PER_SEC;
  scheduler_enqueue (self, schedule);
}

static gboolean
scheduler_wake_cb (gpointer user_data)
{
  g_autoptr(DecaScheduler) self = g_object_ref (user_data);
  gint64 now_us;

  self->timer_id = 0;
  self->processing = TRUE;
  now_us = scheduler_now_us (self);

  for (;;)
    {
      GSequenceIter *head = g_sequence_get_begin_iter (self->queue);
      g_autoptr(Schedule) schedule = NULL;

      if (g_sequence_iter_is_end (head))
        break;
      schedule = g_sequence_get (head);
      if (schedule->wake_us > now_us)
        {
          schedule = NULL;
          break;
        }
      schedule_ref (schedule);
      scheduler_dequeue (self, schedule);
      scheduler_run_schedule (self, schedule, now_us);
    }

  self->processing = FALSE;
  scheduler_arm (self);
  return G_SOURCE_REMOVE;
}

static void
scheduler_remove_schedule (DecaScheduler *self,
                           Schedule      *schedule)
{
  g_autofree char *id = schedule_id (schedule->flow_id, schedule->key);

  schedule->removed = TRUE;
  scheduler_dequeue (self, schedule);
  g_hash_table_remove (self->schedules, id);  /* drops the table's reference */
}

static void
deca_scheduler_dispose (GObject *object)
{
  DecaScheduler *self = DECA_SCHEDULER (object);

  scheduler_disarm (self);
  if (self->schedules != NULL)
    {
      GHashTableIter iter;
      Schedule *schedule;

      g_hash_table_iter_init (&iter, self->schedules);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &schedule))
        {
          schedule->removed = TRUE;
          scheduler_dequeue (self, schedule);
        }
      g_hash_table_remove_all (self->schedules);
    }
  deca_scheduler_set_claim_func (self, NULL, NULL, NULL);
  deca_scheduler_set_cursor_func (self, NULL, NULL, NULL);
  deca_scheduler_set_save_cursor_func (self, NULL, NULL, NULL);
  g_clear_object (&self->clock);
  G_OBJECT_CLASS (deca_scheduler_parent_class)->dispose (object);
}

static void
deca_scheduler_finalize (GObject *object)
{
  DecaScheduler *self = DECA_SCHEDULER (object);

  g_hash_table_unref (self->schedules);
  g_sequence_free (self->queue);
  g_free (self->claimed_by);
  G_OBJECT_CLASS (deca_scheduler_parent_class)->finalize (object);
}

static void
deca_scheduler_constructed (GObject *object)
{
  DecaScheduler *self = DECA_SCHEDULER (object);

  G_OBJECT_CLASS (deca_scheduler_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = deca_system_clock_get_default ();
  if (self->claimed_by == NULL)
    self->claimed_by = g_strdup_printf ("%s:%d", g_get_host_name (), (int) getpid ());
}

static void
deca_scheduler_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DecaScheduler *self = DECA_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;
    case PROP_CLAIMED_BY:
      g_value_set_string (value, self->claimed_by);
      break;
    case PROP_GRACE:
      g_value_set_int64 (value, self->grace);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_scheduler_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DecaScheduler *self = DECA_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      break;
    case PROP_CLAIMED_BY:
      self->claimed_by = g_value_dup_string (value);
      break;
    case PROP_GRACE:
      deca_scheduler_set_grace (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_scheduler_class_init (DecaSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_scheduler_dispose;
  object_class->finalize = deca_scheduler_finalize;
  object_class->constructed = deca_scheduler_constructed;
  object_class->get_property = deca_scheduler_get_property;
  object_class->set_property = deca_scheduler_set_property;

  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL, DECA_TYPE_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLAIMED_BY] =
    g_param_spec_string ("claimed-by", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GRACE] =
    g_param_spec_int64 ("grace", NULL, NULL, 0, G_MAXINT32, DECA_SCHEDULE_DEFAULT_GRACE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_FIRE] =
    g_signal_new ("fire", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_DATE_TIME);
  signals[SIGNAL_CLAIM_FAILED] =
    g_signal_new ("claim-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_DATE_TIME,
                  G_TYPE_ERROR);
}

static void
deca_scheduler_init (DecaScheduler *self)
{
  self->grace = DECA_SCHEDULE_DEFAULT_GRACE;
  self->schedules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) schedule_unref);
  self->queue = g_sequence_new (NULL);
}

/*
 * deca_scheduler_new:
 * Returns (transfer full) a scheduler without schedules. @clock (nullable) is referenced.
 */
DecaScheduler *
deca_scheduler_new (DecaClock  *clock,
                    const char *claimed_by)
{
  g_return_val_if_fail (clock == NULL || DECA_IS_CLOCK (clock), NULL);
  return g_object_new (DECA_TYPE_SCHEDULER, "clock", clock, "claimed-by", claimed_by, NULL);
}

/* Replaces the claim function; the old one's @notify runs. */
void
deca_scheduler_set_claim_func (DecaScheduler         *self,
                               DecaScheduleClaimFunc  func,
                               gpointer               user_data,
                               GDestroyNotify         notify)
{
  GDestroyNotify old_notify;
  gpointer old_data;

  g_return_if_fail (DECA_IS_SCHEDULER (self));

  old_notify = self->claim_notify;
  old_data = self->claim_data;
  self->claim_func = func;
  self->claim_data = user_data;
  self->claim_notify = notify;
  if (old_notify != NULL)
    old_notify (old_data);
}

void
deca_scheduler_set_cursor_func (DecaScheduler          *self,
                                DecaScheduleCursorFunc  func,
                                gpointer                user_data,
                                GDestroyNotify          notify)
{
  GDestroyNotify old_notify;
  gpointer old_data;

  g_return_if_fail (DECA_IS_SCHEDULER (self));

  old_notify = self->cursor_notify;
  old_data = self->cursor_data;
  self->cursor_func = func;
  self->cursor_data = user_data;
  self->cursor_notify = notify;
  if (old_notify != NULL)
    old_notify (old_data);
}

void
deca_scheduler_set_save_cursor_func (DecaScheduler              *self,
                                     DecaScheduleSaveCursorFunc  func,
                                     gpointer                    user_data,
                                     GDestroyNotify              notify)
{
  GDestroyNotify old_notify;
  gpointer old_data;

  g_return_if_fail (DECA_IS_SCHEDULER (self));

  old_notify = self->save_notify;
  old_data = self->save_data;
  self->save_func = func;
  self->save_data = user_data;
  self->save_notify = notify;
  if (old_notify != NULL)
    old_notify (old_data);
}

static gboolean
store_claim_cb (const char  *flow_id,
                const char  *trigger_key,
                gint64       fire_at_unix,
                const char  *claimed_by,
                gpointer     user_data,
                GError     **error)
{
  return deca_store_claim_schedule_fire (user_data, flow_id, trigger_key, fire_at_unix,
                                         claimed_by, error);
}

static gboolean
store_cursor_cb (const char  *flow_id,
                 const char  *trigger_key,
                 gint64      *cursor_unix,
                 gpointer     user_data,
                 GError     **error)
{
  gint64 last = 0;

  if (!deca_store_get_schedule_cursor (user_data, flow_id, trigger_key, &last, error))
    return FALSE;
  /* The store says 0 for "never fired". */
  *cursor_unix = last != 0 ? last : DECA_SCHEDULE_NO_CURSOR;
  return TRUE;
}

static gboolean
store_save_cursor_cb (const char  *flow_id,
                      const char  *trigger_key,
                      gint64       cursor_unix,
                      gpointer     user_data,
                      GError     **error)
{
  return deca_store_set_schedule_cursor (user_data, flow_id, trigger_key, cursor_unix, error);
}

/*
 * deca_scheduler_new_for_store:
 * See the header. Returns (transfer full).
 */
DecaScheduler *
deca_scheduler_new_for_store (DecaClock  *clock,
                              DecaStore  *store,
                              const char *claimed_by)
{
  DecaScheduler *self;

  g_return_val_if_fail (DECA_IS_STORE (store), NULL);

  self = deca_scheduler_new (clock, claimed_by);
  deca_scheduler_set_claim_func (self, store_claim_cb, g_object_ref (store), g_object_unref);
  deca_scheduler_set_cursor_func (self, store_cursor_cb, g_object_ref (store), g_object_unref);
  deca_scheduler_set_save_cursor_func (self, store_save_cursor_cb, g_object_ref (store),
                                       g_object_unref);
  return self;
}

const char *
deca_scheduler_get_claimed_by (DecaScheduler *self)
{
  g_return_val_if_fail (DECA_IS_SCHEDULER (self), NULL);
  return self->claimed_by;
}

gint64
deca_scheduler_get_grace (DecaScheduler *self)
{
  g_return_val_if_fail (DECA_IS_SCHEDULER (self), 0);
  return self->grace;
}

void
deca_scheduler_set_grace (DecaScheduler *self,
                          gint64         grace)
{
  g_return_if_fail (DECA_IS_SCHEDULER (self));
  g_return_if_fail (grace >= 0);

  if (self->grace == grace)
    return;
  self->grace = grace;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRACE]);
}

/* The cursor a new schedule starts from: the stored one, or now, which is then saved so
 * that a process started later also counts from this activation. */
static gboolean
scheduler_lookup_cursor (DecaScheduler  *self,
                         const char     *flow_id,
                         const char     *key,
                         gint64         *cursor,
                         GError        **error)
{
  *cursor = DECA_SCHEDULE_NO_CURSOR;
  if (self->cursor_func != NULL &&
      !self->cursor_func (flow_id, key, cursor, self->cursor_data, error))
    return FALSE;
  if (*cursor != DECA_SCHEDULE_NO_CURSOR)
    return TRUE;
  *cursor = us_to_unix (scheduler_now_us (self));
  return self->save_func == NULL ||
         self->save_func (flow_id, key, *cursor, self->save_data, error);
}

/* Adds or updates with a cursor already looked up. */
static void
scheduler_put (DecaScheduler       *self,
               const char          *flow_id,
               DecaScheduleTrigger *trigger,
               gint64               cursor)
{
  const char *key = deca_schedule_trigger_get_key (trigger);
  g_autofree char *id = schedule_id (flow_id, key);
  Schedule *schedule = g_hash_table_lookup (self->schedules, id);

  if (schedule != NULL)
    {
      DecaScheduleTrigger *old = schedule->trigger;

      schedule->trigger = deca_schedule_trigger_ref (trigger);
      deca_schedule_trigger_unref (old);
      if (cursor == DECA_SCHEDULE_NO_CURSOR || cursor == schedule->cursor)
        return;
      schedule->cursor = cursor;
    }
  else
    {
      schedule = g_new0 (Schedule, 1);
      g_atomic_ref_count_init (&schedule->ref_count);
      schedule->flow_id = g_strdup (flow_id);
      schedule->key = g_strdup (key);
      schedule->trigger = deca_schedule_trigger_ref (trigger);
      schedule->cursor = cursor != DECA_SCHEDULE_NO_CURSOR
                         ? cursor : us_to_unix (scheduler_now_us (self));
      g_hash_table_insert (self->schedules, g_steal_pointer (&id), schedule);
    }

  /* Plan it on the next turn: missed times of a restored cursor are due now. */
  scheduler_dequeue (self, schedule);
  schedule->next_fire = deca_schedule_trigger_next_after (trigger, schedule->cursor);
  schedule->wake_us = scheduler_now_us (self);
  scheduler_enqueue (self, schedule);
  scheduler_arm (self);
}

/*
 * deca_scheduler_add:
 * See the header. @trigger is referenced.
 */
gboolean
deca_scheduler_add (DecaScheduler        *self,
                    const char           *flow_id,
                    DecaScheduleTrigger  *trigger,
                    gint64                cursor_unix,
                    GError              **error)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (DECA_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (trigger != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  id = schedule_id (flow_id, deca_schedule_trigger_get_key (trigger));
  if (cursor_unix == DECA_SCHEDULE_NO_CURSOR && !g_hash_table_contains (self->schedules, id) &&
      !scheduler_lookup_cursor (self, flow_id, deca_schedule_trigger_get_key (trigger),
                                &cursor_unix, error))
    return FALSE;

  scheduler_put (self, flow_id, trigger, cursor_unix);
  return TRUE;
}

gboolean
deca_scheduler_remove (DecaScheduler *self,
                       const char    *flow_id,
                       const char    *trigger_key)
{
  g_autofree char *id = NULL;
  Schedule *schedule;

  g_return_val_if_fail (DECA_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (flow_id != NULL, FALSE);
  g_return_val_if_fail (trigger_key != NULL, FALSE);

  id = schedule_id (flow_id, trigger_key);
  schedule = g_hash_table_lookup (self->schedules, id);
  if (schedule == NULL)
    return FALSE;
  scheduler_remove_schedule (self, schedule);
  scheduler_arm (self);
  return TRUE;
}

/* Returns (transfer full) (element-type Schedule) the schedules of @flow_id. */
static GPtrArray *
scheduler_find_flow (DecaScheduler *self,
                     const char    *flow_id)
{
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) schedule_unref);
  GHashTableIter iter;
  Schedule *schedule;

  g_hash_table_iter_init (&iter, self->schedules);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &schedule))
    {
      if (g_str_equal (schedule->flow_id, flow_id))
        g_ptr_array_add (found, schedule_ref (schedule));
    }
  return found;
}

guint
deca_scheduler_remove_flow (DecaScheduler *self,
                            const char    *flow_id)
{
  g_autoptr(GPtrArray) found = NULL;

  g_return_val_if_fail (DECA_IS_SCHEDULER (self), 0);
  g_return_val_if_fail (flow_id != NULL, 0);

  found = scheduler_find_flow (self, flow_id);
  for (guint i = 0; i < found->len; i++)
    scheduler_remove_schedule (self, found->pdata[i]);
  scheduler_arm (self);
  return found->len;
}

gboolean
deca_scheduler_set_flow (DecaScheduler  *self,
                         DecaFlow       *flow,
                         GError        **error)
{
  g_autoptr(GPtrArray) triggers = NULL;
  g_autoptr(GPtrArray) existing = NULL;
  g_autoptr(GHashTable) wanted = NULL;
  g_autoptr(GArray) cursors = NULL;
  const char *flow_id;

  g_return_val_if_fail (DECA_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (DECA_IS_FLOW (flow), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  flow_id = deca_flow_get_id (flow);
  triggers = deca_schedule_triggers_from_flow (flow, error);
  if (triggers == NULL)
    return FALSE;

  /* Look every new cursor up before changing anything. */
  wanted = g_hash_table_new (g_str_hash, g_str_equal);
  cursors = g_array_sized_new (FALSE, FALSE, sizeof (gint64), triggers->len);
  for (guint i = 0; i < triggers->len; i++)
    {
      const char *key = deca_schedule_trigger_get_key (triggers->pdata[i]);
      g_autofree char *id = schedule_id (flow_id, key);
      gint64 cursor = DECA_SCHEDULE_NO_CURSOR;

      g_hash_table_add (wanted, (gpointer) key);
      if (!g_hash_table_contains (self->schedules, id) &&
          !scheduler_lookup_cursor (self, flow_id, key, &cursor, error))
        return FALSE;
      g_array_append_val (cursors, cursor);
    }

  existing = scheduler_find_flow (self, flow_id);
  for (guint i = 0; i < existing->len; i++)
    {
      Schedule *schedule = existing->pdata[i];

      if (!g_hash_table_contains (wanted, schedule->key))
        scheduler_remove_schedule (self, schedule);
    }
  for (guint i = 0; i < triggers->len; i++)
    scheduler_put (self, flow_id, triggers->pdata[i], g_array_index (cursors, gint64, i));
  scheduler_arm (self);
  return TRUE;
}

guint
deca_scheduler_get_n_schedules (DecaScheduler *self)
{
  g_return_val_if_fail (DECA_IS_SCHEDULER (self), 0);
  return g_hash_table_size (self->schedules);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
deca_scheduler_list_keys (DecaScheduler *self,
                          const char    *flow_id)
{
  g_autoptr(GPtrArray) found = NULL;
  GPtrArray *keys;

  g_return_val_if_fail (DECA_IS_SCHEDULER (self), NULL);
  g_return_val_if_fail (flow_id != NULL, NULL);

  found = scheduler_find_flow (self, flow_id);
  keys = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add (keys, g_strdup (((Schedule *) found->pdata[i])->key));
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}

static Schedule *
scheduler_lookup (DecaScheduler *self,
                  const char    *flow_id,
                  const char    *trigger_key)
{
  g_autofree char *id = schedule_id (flow_id, trigger_key);

  return g_hash_table_lookup (self->schedules, id);
}

gboolean
deca_scheduler_get_next_fire (DecaScheduler *self,
                              const char    *flow_id,
                              const char    *trigger_key,
                              gint64        *next_fire_unix)
{
  Schedule *schedule;

  g_return_val_if_fail (DECA_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (flow_id != NULL && trigger_key != NULL, FALSE);

  schedule = scheduler_lookup (self, flow_id, trigger_key);
  if (schedule == NULL)
    return FALSE;
  if (next_fire_unix != NULL)
    *next_fire_unix = schedule->next_fire;
  return TRUE;
}

gboolean
deca_scheduler_get_cursor (DecaScheduler *self,
                           const char    *flow_id,
                           const char    *trigger_key,
                           gint64        *cursor_unix)
{
  Schedule *schedule;

  g_return_val_if_fail (DECA_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (flow_id != NULL && trigger_key != NULL, FALSE);

  schedule = scheduler_lookup (self, flow_id, trigger_key);
  if (schedule == NULL)
    return FALSE;
  if (cursor_unix != NULL)
    *cursor_unix = schedule->cursor;
  return TRUE;
}
