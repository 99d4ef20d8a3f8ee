/* deca-schedule-plan.c: which fire times of a schedule are due, and when to wake next.
 *
 * The due times are the fire times in (cursor, now]. After a long downtime there may be
 * millions of them (a schedule every second, a month down), and the plan needs at most
 * the latest catch_up_limit of them, so they are not all walked: the walk from the cursor
 * stops after a budget of steps, and the latest ones are then found in a window that ends
 * at now, whose length is estimated from the density seen so far and adjusted until it
 * holds enough of them.
 *
 * Walking from the middle of the history must give the same fire times as walking from
 * the cursor. deca_cron_next() is a pure function of its start, and for schedules that run
 * by real time the set of fire times does not depend on where a walk starts. For
 * schedules at fixed wall-clock times it almost does: a time repeated when the clocks go
 * back fires at its first occurrence only, and a walk that starts between the two
 * occurrences would see the second one. Such a second occurrence is dropped whenever the
 * first one lies after the cursor, which is exactly when the walk from the cursor would
 * have fired the first one instead.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-schedule-plan.h"

#include <string.h>

#include "deca-cron.h"
#include "deca-cron-private.h"
#include "deca-engine-error.h"
#include "deca-json.h"

struct _DecaScheduleTrigger
{
  gatomicrefcount ref_count;
  char *key;
  char *cron_text;
  char *timezone;
  DecaCron *cron;
  GTimeZone *tz;
  DecaMissedPolicy missed;
  guint catch_up_limit;
  gboolean realtime;
};

static const char * const policy_names[] = { "skip", "run_once", "run_all" };

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

G_DEFINE_BOXED_TYPE (DecaScheduleTrigger, deca_schedule_trigger,
                     deca_schedule_trigger_ref, deca_schedule_trigger_unref)

const char *
deca_missed_policy_to_string (DecaMissedPolicy policy)
{
  g_return_val_if_fail (policy <= DECA_MISSED_POLICY_RUN_ALL, NULL);
  return policy_names[policy];
}

gboolean
deca_missed_policy_from_string (const char       *text,
                                DecaMissedPolicy *policy)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (policy_names); i++)
    {
      if (g_str_equal (text, policy_names[i]))
        {
          if (policy != NULL)
            *policy = (DecaMissedPolicy) i;
          return TRUE;
        }
    }
  return FALSE;
}

/* The cron text with runs of whitespace squeezed to one space, as the parser reads it. */
static char *
normalise_cron (const char *text)
{
  g_auto(GStrv) fields = NULL;
  guint n_fields;

  fields = _deca_cron_split_fields (text, &n_fields);
  return g_strjoinv (" ", fields);
}

/*
 * deca_schedule_trigger_new:
 * Parses @cron and looks up @timezone (NULL = UTC; "" is refused because GLib would take
 * it as the local zone, and a flow must say which zone it means). Returns (transfer full)
 * the trigger, or NULL with @error.
 */
DecaScheduleTrigger *
deca_schedule_trigger_new (const char        *cron,
                           const char        *timezone,
                           DecaMissedPolicy   missed,
                           guint              catch_up_limit,
                           GError           **error)
{
  g_autoptr(DecaCron) parsed = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *normalised = NULL;
  DecaScheduleTrigger *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_return_val_if_fail (missed <= DECA_MISSED_POLICY_RUN_ALL, NULL);

  parsed = deca_cron_parse (cron, error);
  if (parsed == NULL)
    {
      g_prefix_error (error, "cron: ");
      return NULL;
    }

  if (timezone == NULL)
    timezone = "UTC";
  tz = timezone[0] != '\0' ? g_time_zone_new_identifier (timezone) : NULL;
  if (tz == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("timezone: unknown time zone '%s' (expected an IANA name such as "
                     "Europe/Berlin or UTC)"), timezone);
      return NULL;
    }

  if (catch_up_limit == 0)
    catch_up_limit = DECA_SCHEDULE_DEFAULT_CATCH_UP_LIMIT;
  if (catch_up_limit > DECA_SCHEDULE_MAX_CATCH_UP_LIMIT)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("catch_up_limit: must be at most %d"), DECA_SCHEDULE_MAX_CATCH_UP_LIMIT);
      return NULL;
    }

  normalised = normalise_cron (cron);
  self = g_new0 (DecaScheduleTrigger, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->cron_text = g_strdup (cron);
  self->timezone = g_strdup (timezone);
  self->key = g_strdup_printf ("schedule:%s:%s", timezone, normalised);
  self->realtime = _deca_cron_is_realtime (parsed);
  self->cron = g_steal_pointer (&parsed);
  self->tz = g_steal_pointer (&tz);
  self->missed = missed;
  self->catch_up_limit = catch_up_limit;
  return self;
}

/*
 * deca_schedule_trigger_new_from_json:
 * Reads "cron" (required string), "timezone" (string), "missed" (a policy name, default
 * run_once) and "catch_up_limit" (integer 1..1000, default 10) of @trigger.
 */
DecaScheduleTrigger *
deca_schedule_trigger_new_from_json (JsonObject  *trigger,
                                     GError     **error)
{
  JsonNode *member;
  const char *cron;
  const char *timezone = NULL;
  DecaMissedPolicy missed = DECA_MISSED_POLICY_RUN_ONCE;
  guint limit = DECA_SCHEDULE_DEFAULT_CATCH_UP_LIMIT;
  double number;

  g_return_val_if_fail (trigger != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  member = json_object_get_member (trigger, "cron");
  if (member == NULL)
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                           _("cron: is required"));
      return NULL;
    }
  cron = deca_json_object_get_string (trigger, "cron");
  if (cron == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                   _("cron: must be a string, not %s"), json_type_with_article (member));
      return NULL;
    }

  member = json_object_get_member (trigger, "timezone");
  if (member != NULL)
    {
      timezone = deca_json_object_get_string (trigger, "timezone");
      if (timezone == NULL)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                       _("timezone: must be a string, not %s"), json_type_with_article (member));
          return NULL;
        }
    }

  member = json_object_get_member (trigger, "missed");
  if (member != NULL &&
      !deca_missed_policy_from_string (deca_json_object_get_string (trigger, "missed"),
                                       &missed))
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                           _("missed: must be one of skip, run_once, run_all"));
      return NULL;
    }

  member = json_object_get_member (trigger, "catch_up_limit");
  if (member != NULL)
    {
      if (!deca_json_node_get_number (member, &number) || number != (double) (gint64) number)
        {
          g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                               _("catch_up_limit: must be an integer"));
          return NULL;
        }
      if (number < 1 || number > DECA_SCHEDULE_MAX_CATCH_UP_LIMIT)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                       number < 1 ? _("catch_up_limit: must be at least %d")
                                  : _("catch_up_limit: must be at most %d"),
                       number < 1 ? 1 : DECA_SCHEDULE_MAX_CATCH_UP_LIMIT);
          return NULL;
        }
      limit = (guint) number;
    }

  return deca_schedule_trigger_new (cron, timezone, missed, limit, error);
}

GPtrArray *
deca_schedule_triggers_from_flow (DecaFlow  *flow,
                                  GError   **error)
{
  g_autoptr(GPtrArray) triggers = NULL;
  g_autoptr(GHashTable) keys = NULL;

  g_return_val_if_fail (DECA_IS_FLOW (flow), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  triggers = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_schedule_trigger_unref);
  keys = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < deca_flow_get_n_triggers (flow); i++)
    {
      const DecaFlowTrigger *trigger = deca_flow_get_trigger (flow, i);
      DecaScheduleTrigger *schedule;

      if (g_strcmp0 (trigger->type, "schedule") != 0)
        continue;
      schedule = deca_schedule_trigger_new_from_json (trigger->object, error);
      if (schedule == NULL)
        {
          g_prefix_error (error, "/triggers/%u/", trigger->index);
          return NULL;
        }
      if (!g_hash_table_add (keys, schedule->key))
        {
          deca_schedule_trigger_unref (schedule);
          continue;
        }
      g_ptr_array_add (triggers, schedule);
    }
  return g_steal_pointer (&triggers);
}

DecaScheduleTrigger *
deca_schedule_trigger_ref (DecaScheduleTrigger *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
deca_schedule_trigger_unref (DecaScheduleTrigger *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->key);
  g_free (self->cron_text);
  g_free (self->timezone);
  deca_cron_free (self->cron);
  g_time_zone_unref (self->tz);
  g_free (self);
}

const char *
deca_schedule_trigger_get_key (DecaScheduleTrigger *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->key;
}

const char *
deca_schedule_trigger_get_cron (DecaScheduleTrigger *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->cron_text;
}

const char *
deca_schedule_trigger_get_timezone (DecaScheduleTrigger *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->timezone;
}

GTimeZone *
deca_schedule_trigger_get_time_zone (DecaScheduleTrigger *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tz;
}

DecaMissedPolicy
deca_schedule_trigger_get_missed (DecaScheduleTrigger *self)
{
  g_return_val_if_fail (self != NULL, DECA_MISSED_POLICY_RUN_ONCE);
  return self->missed;
}

guint
deca_schedule_trigger_get_catch_up_limit (DecaScheduleTrigger *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->catch_up_limit;
}

gboolean
deca_schedule_trigger_equal (DecaScheduleTrigger *a,
                             DecaScheduleTrigger *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  return g_str_equal (a->key, b->key) && a->missed == b->missed &&
         a->catch_up_limit == b->catch_up_limit;
}

gint64
deca_schedule_trigger_next_after (DecaScheduleTrigger *self,
                                  gint64               after_unix)
{
  g_autoptr(GDateTime) after = NULL;
  g_autoptr(GDateTime) next = NULL;

  g_return_val_if_fail (self != NULL, DECA_SCHEDULE_NEVER);

  after = g_date_time_new_from_unix_utc (after_unix);
  if (after == NULL)
    return DECA_SCHEDULE_NEVER;
  next = deca_cron_next (self->cron, after, self->tz);
  return next != NULL ? g_date_time_to_unix (next) : DECA_SCHEDULE_NEVER;
}

/* --- the plan ------------------------------------------------------------------------- */

/* The latest @size values pushed, in a circular buffer. */
typedef struct {
  gint64 *items;
  guint size;
  guint64 pushed;
} Ring;

static void
ring_push (Ring   *ring,
           gint64  value)
{
  ring->items[ring->pushed % ring->size] = value;
  ring->pushed++;
}

static void
ring_copy_out (Ring   *ring,
               GArray *out)
{
  guint n = (guint) MIN (ring->pushed, (guint64) ring->size);

  g_array_set_size (out, 0);
  for (guint64 i = ring->pushed - n; i < ring->pushed; i++)
    g_array_append_val (out, ring->items[i % ring->size]);
}

static gint32
offset_at (GTimeZone *tz,
           gint64     instant)
{
  return g_time_zone_get_offset (tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL,
                                                                instant));
}

/* Whether the wall-clock time that @instant shows in @tz was shown before, at an instant
 * after @cursor: then @instant is the second pass of a repeated time (see the top). */
static gboolean
repeats_time_after (GTimeZone *tz,
                    gint64     instant,
                    gint64     cursor)
{
  static const GTimeType types[] = { G_TIME_TYPE_DAYLIGHT, G_TIME_TYPE_STANDARD };
  gint64 local = instant + offset_at (tz, instant);

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      int interval = g_time_zone_find_interval (tz, types[i], local);
      gint64 other;

      if (interval < 0)
        continue;
      other = local - g_time_zone_get_offset (tz, interval);
      if (other < instant && other > cursor && other + offset_at (tz, other) == local)
        return TRUE;
    }
  return FALSE;
}

/* Walks the fire times in (@start, @now] into @ring. When @cursor is not G_MININT64 the
 * walk does not start from the cursor, so second passes of repeated times are dropped
 * (fixed-time schedules only). Stops after @budget steps (0 = none) and returns FALSE
 * then. */
static gboolean
walk (DecaScheduleTrigger *trigger,
      gint64               start,
      gint64               now,
      gint64               cursor,
      guint64              budget,
      Ring                *ring)
{
  gboolean filter = cursor != G_MININT64 && !trigger->realtime;
  guint64 steps = 0;

  for (gint64 t = deca_schedule_trigger_next_after (trigger, start);
       t != DECA_SCHEDULE_NEVER && t <= now;
       t = deca_schedule_trigger_next_after (trigger, t))
    {
      if (budget != 0 && ++steps > budget)
        return FALSE;
      if (filter && repeats_time_after (trigger->tz, t, cursor))
        continue;
      ring_push (ring, t);
    }
  return TRUE;
}

/* Puts the latest @k due times (in (@cursor, @now], at least one of which exists) into
 * @tail, oldest first. Returns whether there are more than @k. */
static gboolean
collect_tail (DecaScheduleTrigger *trigger,
              gint64               cursor,
              gint64               now,
              guint                k,
              GArray              *tail)
{
  guint64 budget = MAX (1024, 4 * (guint64) k);
  g_autofree gint64 *items = g_new (gint64, k);
  Ring ring = { items, k, 0 };
  g_autoptr(GArray) chain_tail = NULL;
  gint64 chain_end = cursor, span, lo = 0, hi = G_MAXINT64;
  guint64 n_chain;

  /* From the cursor, as long as the budget lasts: the common case ends here. */
  {
    gint64 t = deca_schedule_trigger_next_after (trigger, cursor);

    for (n_chain = 0; t != DECA_SCHEDULE_NEVER && t <= now && n_chain < budget; n_chain++)
      {
        ring_push (&ring, t);
        chain_end = t;
        t = deca_schedule_trigger_next_after (trigger, t);
      }
    if (t == DECA_SCHEDULE_NEVER || t > now)
      {
        ring_copy_out (&ring, tail);
        return ring.pushed > k;
      }
  }

  /* Many more are due. Find a window (now - span, now] holding at least k of them (and
   * not too many to walk): at the density seen so far, twice what k take. The chain's
   * latest values are kept in case the window reaches back to them. */
  chain_tail = g_array_new (FALSE, FALSE, sizeof (gint64));
  ring_copy_out (&ring, chain_tail);
  span = (chain_end - cursor) / (gint64) n_chain * (gint64) k * 2 + 1;
  for (;;)
    {
      gint64 start;
      gboolean from_chain, complete;

      /* A window reaching back to where the walk from the cursor stopped continues that
       * walk, which is exact and needs no budget. */
      from_chain = span >= now - chain_end;
      start = from_chain ? chain_end : now - span;
      if (from_chain)
        {
          ring.pushed = 0;
          for (guint i = 0; i < chain_tail->len; i++)
            ring_push (&ring, g_array_index (chain_tail, gint64, i));
          walk (trigger, start, now, G_MININT64, 0, &ring);
          break;
        }

      ring.pushed = 0;
      complete = walk (trigger, start, now, cursor, hi - lo <= 1 ? 0 : budget, &ring);
      if (complete && ring.pushed >= k)
        break;
      if (complete)
        {
          /* Too few: look further back. (A window that was too long to walk can only
           * hold too few when the dropped second passes were most of it; then doubling
           * again is the way out.) */
          lo = span;
          if (span >= hi)
            hi = G_MAXINT64;
        }
      else
        hi = span;  /* too many to walk: look less far */
      span = hi == G_MAXINT64 ? span * 2 : lo + (hi - lo) / 2;
      if (span <= lo)
        span = lo + 1;
    }

  ring_copy_out (&ring, tail);
  return TRUE;
}

/*
 * deca_schedule_plan_compute:
 * See the header. @grace below 0 counts as 0.
 */
DecaSchedulePlan *
deca_schedule_plan_compute (DecaScheduleTrigger *trigger,
                            gint64               cursor_unix,
                            gint64               now_unix,
                            gint64               grace)
{
  g_autoptr(DecaSchedulePlan) plan = g_new0 (DecaSchedulePlan, 1);
  g_autoptr(GArray) tail = NULL;
  gint64 first, latest;
  guint k;
  gboolean more;

  g_return_val_if_fail (trigger != NULL, NULL);

  plan->fires = g_array_new (FALSE, FALSE, sizeof (gint64));
  plan->cursor = cursor_unix;
  grace = MAX (grace, 0);

  if (cursor_unix == DECA_SCHEDULE_NO_CURSOR || cursor_unix >= now_unix)
    {
      plan->next_wake = deca_schedule_trigger_next_after (trigger, MAX (cursor_unix, now_unix));
      return g_steal_pointer (&plan);
    }

  first = deca_schedule_trigger_next_after (trigger, cursor_unix);
  if (first == DECA_SCHEDULE_NEVER || first > now_unix)
    {
      plan->next_wake = first;
      return g_steal_pointer (&plan);
    }

  k = trigger->missed == DECA_MISSED_POLICY_RUN_ALL ? trigger->catch_up_limit : 1;
  tail = g_array_new (FALSE, FALSE, sizeof (gint64));
  more = collect_tail (trigger, cursor_unix, now_unix, k, tail);
  g_assert (tail->len > 0);
  latest = g_array_index (tail, gint64, tail->len - 1);

  switch (trigger->missed)
    {
    case DECA_MISSED_POLICY_SKIP:
      if (now_unix - latest <= grace)
        g_array_append_val (plan->fires, latest);
      plan->dropped = more || plan->fires->len == 0;
      break;
    case DECA_MISSED_POLICY_RUN_ONCE:
      g_array_append_val (plan->fires, latest);
      plan->dropped = more;
      break;
    case DECA_MISSED_POLICY_RUN_ALL:
      g_array_append_vals (plan->fires, tail->data, tail->len);
      plan->dropped = more;
      break;
    default:
      g_assert_not_reached ();
    }

  /* The latest due time is a fire time and the next one after it is past now. Starting
   * from it rather than from now matters in a repeated hour: the walk from now would see
   * the second pass of a fixed time, which does not run. */
  plan->cursor = latest;
  plan->next_wake = deca_schedule_trigger_next_after (trigger, latest);
  return g_steal_pointer (&plan);
}

void
deca_schedule_plan_free (DecaSchedulePlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_pointer (&plan->fires, g_array_unref);
  g_free (plan);
}
