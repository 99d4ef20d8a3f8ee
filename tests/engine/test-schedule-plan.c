/* Schedule planning: due fire times, DST, missed-run policies, catch-up limits, next
 * wake-up, and reading schedule triggers from flow documents. */

#include <string.h>

#include "deca-engine.h"
#include "deca-schedule-plan.h"

/* Unix seconds of an ISO 8601 time with its offset. */
static gint64
at (const char *iso)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

static char *
format_time (DecaScheduleTrigger *trigger,
             gint64               unix_time)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_time == DECA_SCHEDULE_NEVER)
    return g_strdup ("never");
  utc = g_date_time_new_from_unix_utc (unix_time);
  local = g_date_time_to_timezone (utc, deca_schedule_trigger_get_time_zone (trigger));
  return g_date_time_format (local, "%FT%T%:z");
}

/* The fires of @plan as local times joined by spaces. */
static char *
format_fires (DecaScheduleTrigger *trigger,
              DecaSchedulePlan    *plan)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < plan->fires->len; i++)
    {
      g_autofree char *text = format_time (trigger, g_array_index (plan->fires, gint64, i));

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, text);
    }
  return g_string_free (out, FALSE);
}

static DecaScheduleTrigger *
make_trigger (const char       *cron,
              const char       *zone,
              DecaMissedPolicy  missed,
              guint             limit)
{
  g_autoptr(GError) error = NULL;
  DecaScheduleTrigger *trigger = deca_schedule_trigger_new (cron, zone, missed, limit, &error);

  g_assert_no_error (error);
  return trigger;
}

typedef struct {
  const char *name;
  const char *cron;
  const char *zone;
  DecaMissedPolicy missed;
  guint limit;
  const char *cursor;   /* NULL = no cursor */
  const char *now;
  const char *fires;    /* local times, space-separated */
  const char *next_wake;
  gboolean dropped;
} PlanCase;

#define RUN_ALL DECA_MISSED_POLICY_RUN_ALL
#define RUN_ONCE DECA_MISSED_POLICY_RUN_ONCE
#define SKIP DECA_MISSED_POLICY_SKIP

static const PlanCase plan_cases[] = {
  /* Spring forward in Berlin (2026-03-29, 02:00 CET -> 03:00 CEST): 02:30 does not exist
   * that day and runs once, at 03:00, as deca_cron_next() has it. */
  { "berlin-spring-daily", "30 2 * * *", "Europe/Berlin", RUN_ALL, 10,
    "2026-03-27T12:00:00+01:00", "2026-03-31T12:00:00+02:00",
    "2026-03-28T02:30:00+01:00 2026-03-29T03:00:00+02:00 2026-03-30T02:30:00+02:00 "
    "2026-03-31T02:30:00+02:00", "2026-04-01T02:30:00+02:00", FALSE },
  /* Fall back in Berlin (2026-10-25, 03:00 CEST -> 02:00 CET): 02:30 happens twice and
   * runs once, at its first occurrence. */
  { "berlin-fall-daily", "30 2 * * *", "Europe/Berlin", RUN_ALL, 10,
    "2026-10-24T12:00:00+02:00", "2026-10-26T12:00:00+01:00",
    "2026-10-25T02:30:00+02:00 2026-10-26T02:30:00+01:00", "2026-10-27T02:30:00+01:00", FALSE },
  /* After the first 02:30 ran, the second one is not due. */
  { "berlin-fall-second-pass", "30 2 * * *", "Europe/Berlin", RUN_ALL, 10,
    "2026-10-25T02:30:00+02:00", "2026-10-25T02:45:00+01:00",
    "", "2026-10-26T02:30:00+01:00", FALSE },
  /* A schedule with a wildcard runs by real time: every half hour stays every half hour
   * through both passes of the repeated hour. */
  { "berlin-fall-realtime", "*/30 * * * *", "Europe/Berlin", RUN_ALL, 20,
    "2026-10-25T01:00:00+02:00", "2026-10-25T04:00:00+01:00",
    "2026-10-25T01:30:00+02:00 2026-10-25T02:00:00+02:00 2026-10-25T02:30:00+02:00 "
    "2026-10-25T02:00:00+01:00 2026-10-25T02:30:00+01:00 2026-10-25T03:00:00+01:00 "
    "2026-10-25T03:30:00+01:00 2026-10-25T04:00:00+01:00", "2026-10-25T04:30:00+01:00", FALSE },
  /* ... and skips the hour that does not exist. */
  { "berlin-spring-realtime", "0 * * * *", "Europe/Berlin", RUN_ALL, 20,
    "2026-03-29T00:30:00+01:00", "2026-03-29T04:00:00+02:00",
    "2026-03-29T01:00:00+01:00 2026-03-29T03:00:00+02:00 2026-03-29T04:00:00+02:00",
    "2026-03-29T05:00:00+02:00", FALSE },
  /* New York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST. */
  { "new-york-spring-daily", "30 2 * * *", "America/New_York", RUN_ALL, 10,
    "2026-03-07T12:00:00-05:00", "2026-03-09T12:00:00-04:00",
    "2026-03-08T03:00:00-04:00 2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00", FALSE },
  { "new-york-fall-daily", "30 1 * * *", "America/New_York", RUN_ALL, 10,
    "2026-10-31T12:00:00-04:00", "2026-11-02T12:00:00-05:00",
    "2026-11-01T01:30:00-04:00 2026-11-02T01:30:00-05:00", "2026-11-03T01:30:00-05:00", FALSE },
  { "new-york-fall-second-pass", "30 1 * * *", "America/New_York", RUN_ALL, 10,
    "2026-11-01T01:30:00-04:00", "2026-11-01T01:40:00-05:00",
    "", "2026-11-02T01:30:00-05:00", FALSE },
  /* The seconds field. */
  { "seconds-every-20", "*/20 * * * * *", "UTC", RUN_ALL, 10,
    "2026-06-01T10:00:00Z", "2026-06-01T10:01:00Z",
    "2026-06-01T10:00:20+00:00 2026-06-01T10:00:40+00:00 2026-06-01T10:01:00+00:00",
    "2026-06-01T10:01:20+00:00", FALSE },
  { "seconds-weekdays", "15 0 9 * * MON-FRI", "Europe/Berlin", RUN_ALL, 10,
    "2026-06-05T09:00:15+02:00", "2026-06-08T09:00:14+02:00",
    "", "2026-06-08T09:00:15+02:00", FALSE },
  { "seconds-weekdays-due", "15 0 9 * * MON-FRI", "Europe/Berlin", RUN_ALL, 10,
    "2026-06-05T09:00:15+02:00", "2026-06-08T09:00:15+02:00",
    "2026-06-08T09:00:15+02:00", "2026-06-09T09:00:15+02:00", FALSE },
  /* Missed runs: hourly, the last run at midnight, back at 05:10 (01:00 to 05:00 missed;
   * 05:00 is ten minutes late, more than the grace of a minute). */
  { "skip-late", "0 * * * *", "UTC", SKIP, 10,
    "2026-06-01T00:00:00Z", "2026-06-01T05:10:00Z", "", "2026-06-01T06:00:00+00:00", TRUE },
  { "skip-on-time", "0 * * * *", "UTC", SKIP, 10,
    "2026-06-01T00:00:00Z", "2026-06-01T05:00:30Z",
    "2026-06-01T05:00:00+00:00", "2026-06-01T06:00:00+00:00", TRUE },
  { "skip-nothing-missed", "0 * * * *", "UTC", SKIP, 10,
    "2026-06-01T04:00:00Z", "2026-06-01T05:00:59Z",
    "2026-06-01T05:00:00+00:00", "2026-06-01T06:00:00+00:00", FALSE },
  { "run-once", "0 * * * *", "UTC", RUN_ONCE, 10,
    "2026-06-01T00:00:00Z", "2026-06-01T05:10:00Z",
    "2026-06-01T05:00:00+00:00", "2026-06-01T06:00:00+00:00", TRUE },
  { "run-all", "0 * * * *", "UTC", RUN_ALL, 10,
    "2026-06-01T00:00:00Z", "2026-06-01T05:10:00Z",
    "2026-06-01T01:00:00+00:00 2026-06-01T02:00:00+00:00 2026-06-01T03:00:00+00:00 "
    "2026-06-01T04:00:00+00:00 2026-06-01T05:00:00+00:00", "2026-06-01T06:00:00+00:00", FALSE },
  /* The cap keeps the latest. */
  { "run-all-capped", "0 * * * *", "UTC", RUN_ALL, 3,
    "2026-06-01T00:00:00Z", "2026-06-01T05:10:00Z",
    "2026-06-01T03:00:00+00:00 2026-06-01T04:00:00+00:00 2026-06-01T05:00:00+00:00",
    "2026-06-01T06:00:00+00:00", TRUE },
  { "run-all-cap-exact", "0 * * * *", "UTC", RUN_ALL, 5,
    "2026-06-01T00:00:00Z", "2026-06-01T05:10:00Z",
    "2026-06-01T01:00:00+00:00 2026-06-01T02:00:00+00:00 2026-06-01T03:00:00+00:00 "
    "2026-06-01T04:00:00+00:00 2026-06-01T05:00:00+00:00", "2026-06-01T06:00:00+00:00", FALSE },
  /* Nothing due yet. */
  { "not-due", "0 * * * *", "UTC", RUN_ALL, 10,
    "2026-06-01T05:00:00Z", "2026-06-01T05:59:59Z", "", "2026-06-01T06:00:00+00:00", FALSE },
  /* No cursor: a new schedule does not catch up on its past. */
  { "no-cursor", "0 * * * *", "UTC", RUN_ALL, 10,
    NULL, "2026-06-01T05:10:00Z", "", "2026-06-01T06:00:00+00:00", FALSE },
  /* The clock went back behind the cursor: nothing runs twice. */
  { "clock-back", "0 * * * *", "UTC", RUN_ALL, 10,
    "2026-06-01T07:00:00Z", "2026-06-01T05:10:00Z", "", "2026-06-01T08:00:00+00:00", FALSE },
  /* A schedule that never fires. */
  { "never", "0 0 30 2 *", "UTC", RUN_ALL, 10,
    "2026-06-01T07:00:00Z", "2026-06-01T08:00:00Z", "", "never", FALSE },
  /* A month of an every-second schedule missed: planned from the latest end. */
  { "dense-run-all", "* * * * * *", "UTC", RUN_ALL, 4,
    "2026-05-01T00:00:00Z", "2026-06-01T12:00:00Z",
    "2026-06-01T11:59:57+00:00 2026-06-01T11:59:58+00:00 2026-06-01T11:59:59+00:00 "
    "2026-06-01T12:00:00+00:00", "2026-06-01T12:00:01+00:00", TRUE },
  { "dense-run-once", "* * * * * *", "UTC", RUN_ONCE, 4,
    "2026-05-01T00:00:00Z", "2026-06-01T12:00:00Z",
    "2026-06-01T12:00:00+00:00", "2026-06-01T12:00:01+00:00", TRUE },
  { "dense-skip", "*/10 * * * * *", "UTC", SKIP, 4,
    "2026-05-01T00:00:00Z", "2026-06-01T12:00:05Z",
    "2026-06-01T12:00:00+00:00", "2026-06-01T12:00:10+00:00", TRUE },
  /* Every second at fixed times (no wildcard: fixed-time rules), far from the cursor,
   * now in the second pass of the repeated hour: that pass does not run, so the latest
   * fires are the end of the first pass. */
  { "dense-fixed-fall", "0-59 0-59 0-23 * * *", "Europe/Berlin", RUN_ALL, 3,
    "2026-10-20T00:00:00+02:00", "2026-10-25T02:30:00+01:00",
    "2026-10-25T02:59:57+02:00 2026-10-25T02:59:58+02:00 2026-10-25T02:59:59+02:00",
    "2026-10-25T03:00:00+01:00", TRUE },
  /* The same from a cursor close by, walked in full, agrees. */
  { "near-fixed-fall", "0-59 0-59 0-23 * * *", "Europe/Berlin", RUN_ALL, 3,
    "2026-10-25T02:59:00+02:00", "2026-10-25T02:30:00+01:00",
    "2026-10-25T02:59:57+02:00 2026-10-25T02:59:58+02:00 2026-10-25T02:59:59+02:00",
    "2026-10-25T03:00:00+01:00", TRUE },
};

static void
test_plan_case (gconstpointer data)
{
  const PlanCase *c = data;
  g_autoptr(DecaScheduleTrigger) trigger = make_trigger (c->cron, c->zone, c->missed, c->limit);
  gint64 cursor = c->cursor ? at (c->cursor) : DECA_SCHEDULE_NO_CURSOR;
  gint64 now = at (c->now);
  g_autoptr(DecaSchedulePlan) plan = deca_schedule_plan_compute (trigger, cursor, now,
                                                                 DECA_SCHEDULE_DEFAULT_GRACE);
  g_autofree char *fires = format_fires (trigger, plan);
  g_autofree char *next = format_time (trigger, plan->next_wake);

  g_assert_cmpstr (fires, ==, c->fires);
  g_assert_cmpstr (next, ==, c->next_wake);
  g_assert_cmpint (plan->dropped, ==, c->dropped);

  /* The cursor moves to the latest due time, fired or dropped. */
  if (plan->fires->len > 0)
    g_assert_cmpint (plan->cursor, >=, g_array_index (plan->fires, gint64, plan->fires->len - 1));
  if (plan->fires->len == 0 && !plan->dropped)
    g_assert_cmpint (plan->cursor, ==, cursor);
  g_assert_cmpint (plan->cursor, <=, MAX (now, cursor));

  /* Planning again from the new cursor at the same time gives nothing more. */
  if (cursor != DECA_SCHEDULE_NO_CURSOR)
    {
      g_autoptr(DecaSchedulePlan) again = deca_schedule_plan_compute (trigger, plan->cursor, now,
                                                                      DECA_SCHEDULE_DEFAULT_GRACE);

      g_assert_cmpuint (again->fires->len, ==, 0);
      g_assert_cmpint (again->next_wake, ==, plan->next_wake);
    }
}

/* A daily 02:30 schedule woken at every fire time through a whole year of Berlin: one run
 * a day, 365 of them, in the spring-forward night at 03:00 and in the fall-back night at
 * the first 02:30. */
static void
test_plan_year (void)
{
  g_autoptr(DecaScheduleTrigger) trigger = make_trigger ("30 2 * * *", "Europe/Berlin",
                                                         RUN_ALL, 10);
  gint64 cursor = at ("2026-01-01T00:00:00+01:00");
  gint64 end = at ("2027-01-01T00:00:00+01:00");
  guint runs = 0;
  gboolean saw_spring = FALSE, saw_fall = FALSE;

  for (;;)
    {
      g_autoptr(DecaSchedulePlan) idle = deca_schedule_plan_compute (trigger, cursor, cursor, 60);
      g_autoptr(DecaSchedulePlan) plan = NULL;
      g_autofree char *text = NULL;

      g_assert_cmpuint (idle->fires->len, ==, 0);
      if (idle->next_wake >= end)
        break;
      plan = deca_schedule_plan_compute (trigger, cursor, idle->next_wake, 60);
      g_assert_cmpuint (plan->fires->len, ==, 1);
      text = format_fires (trigger, plan);
      saw_spring |= g_str_equal (text, "2026-03-29T03:00:00+02:00");
      saw_fall |= g_str_equal (text, "2026-10-25T02:30:00+02:00");
      g_assert_false (g_str_equal (text, "2026-10-25T02:30:00+01:00"));
      cursor = plan->cursor;
      runs++;
    }
  g_assert_cmpuint (runs, ==, 365);
  g_assert_true (saw_spring);
  g_assert_true (saw_fall);
}

/* Planning after a long downtime walks only the end of the history; it must give what
 * walking all of it from the cursor gives, also around DST changes, for schedules by real
 * time and at fixed times. */
static void
test_plan_matches_full_walk (void)
{
  static const char * const crons[] = {
    "*/7 * * * * *", "0-59 0-59 0-23 * * *", "0-59/3 0-59 2 * * *", "*/1 30-59 2,3 * * *",
    "15,45 * * * * *", "0 */5 * * * *",
  };
  static const char * const zones[] = { "Europe/Berlin", "America/New_York" };
  static const char * const days[] = {
    "2026-10-25T00:00:00Z", "2026-03-29T00:00:00Z", "2026-11-01T04:00:00Z", "2026-03-08T05:00:00Z",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint c = 0; c < G_N_ELEMENTS (crons); c++)
    for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
      for (guint d = 0; d < G_N_ELEMENTS (days); d++)
        {
          g_autoptr(DecaScheduleTrigger) trigger = make_trigger (crons[c], zones[z], RUN_ALL, 7);
          gint64 base = at (days[d]);
          gint64 cursor = base - g_rand_int_range (rand, 0, 4 * 3600);
          gint64 now = base + g_rand_int_range (rand, 0, 3 * 3600);
          g_autoptr(DecaSchedulePlan) plan = deca_schedule_plan_compute (trigger, cursor, now, 60);
          g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
          guint first;

          for (gint64 t = deca_schedule_trigger_next_after (trigger, cursor);
               t != DECA_SCHEDULE_NEVER && t <= now;
               t = deca_schedule_trigger_next_after (trigger, t))
            g_array_append_val (all, t);

          first = all->len > 7 ? all->len - 7 : 0;
          if (plan->fires->len != all->len - first)
            g_error ("%s in %s, (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]: %u fires, "
                     "expected %u", crons[c], zones[z], cursor, now, plan->fires->len,
                     all->len - first);
          for (guint i = first; i < all->len; i++)
            g_assert_cmpint (g_array_index (plan->fires, gint64, i - first), ==,
                             g_array_index (all, gint64, i));
          g_assert_cmpint (plan->dropped, ==, all->len > 7);
          if (all->len > 0)
            g_assert_cmpint (plan->next_wake, ==,
                             deca_schedule_trigger_next_after (trigger,
                                                               g_array_index (all, gint64,
                                                                              all->len - 1)));
        }
}

/* A zero grace: a fire time a second late is missed under "skip". */
static void
test_plan_grace (void)
{
  g_autoptr(DecaScheduleTrigger) trigger = make_trigger ("0 * * * *", "UTC", SKIP, 0);
  gint64 cursor = at ("2026-06-01T04:00:00Z");
  g_autoptr(DecaSchedulePlan) on_time = NULL;
  g_autoptr(DecaSchedulePlan) late = NULL;

  on_time = deca_schedule_plan_compute (trigger, cursor, at ("2026-06-01T05:00:00Z"), 0);
  late = deca_schedule_plan_compute (trigger, cursor, at ("2026-06-01T05:00:01Z"), 0);
  g_assert_cmpuint (on_time->fires->len, ==, 1);
  g_assert_cmpuint (late->fires->len, ==, 0);
  g_assert_true (late->dropped);
  g_assert_cmpint (late->cursor, ==, at ("2026-06-01T05:00:00Z"));
  g_assert_cmpuint (deca_schedule_trigger_get_catch_up_limit (trigger), ==,
                    DECA_SCHEDULE_DEFAULT_CATCH_UP_LIMIT);
}

static DecaScheduleTrigger *
trigger_from_json (const char  *json,
                   GError     **error)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return deca_schedule_trigger_new_from_json (json_node_get_object (node), error);
}

static void
test_trigger_json (void)
{
  static const struct {
    const char *json;
    const char *message;
  } bad[] = {
    { "{\"type\": \"schedule\"}", "cron: is required" },
    { "{\"cron\": 5}", "cron: must be a string, not a number" },
    { "{\"cron\": \"0 24 * * *\"}", "cron: field 2 (hour): 24 is out of range 0-23" },
    { "{\"cron\": \"@daily\", \"timezone\": \"Mars/Olympus\"}",
      "timezone: unknown time zone 'Mars/Olympus'" },
    { "{\"cron\": \"@daily\", \"timezone\": \"\"}", "timezone: unknown time zone ''" },
    { "{\"cron\": \"@daily\", \"timezone\": 1}", "timezone: must be a string" },
    { "{\"cron\": \"@daily\", \"missed\": \"sometimes\"}",
      "missed: must be one of skip, run_once, run_all" },
    { "{\"cron\": \"@daily\", \"missed\": true}", "missed: must be one of" },
    { "{\"cron\": \"@daily\", \"catch_up_limit\": 0}", "catch_up_limit: must be at least 1" },
    { "{\"cron\": \"@daily\", \"catch_up_limit\": 1001}", "catch_up_limit: must be at most 1000" },
    { "{\"cron\": \"@daily\", \"catch_up_limit\": 2.5}", "catch_up_limit: must be an integer" },
    { "{\"cron\": \"@daily\", \"catch_up_limit\": \"3\"}", "catch_up_limit: must be an integer" },
  };
  g_autoptr(DecaScheduleTrigger) trigger = NULL;
  g_autoptr(DecaScheduleTrigger) same = NULL;
  g_autoptr(DecaScheduleTrigger) other = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) case_error = NULL;
      g_autoptr(DecaScheduleTrigger) refused = trigger_from_json (bad[i].json, &case_error);

      g_assert_null (refused);
      g_assert_nonnull (case_error);
      if (strstr (case_error->message, bad[i].message) == NULL)
        g_error ("%s: expected '%s', got '%s'", bad[i].json, bad[i].message, case_error->message);
    }

  /* Defaults, and a key that does not depend on spacing or on other members. */
  trigger = trigger_from_json ("{\"type\": \"schedule\", \"cron\": \" 30  2 * * * \", \"x\": 1}",
                               &error);
  g_assert_no_error (error);
  g_assert_cmpstr (deca_schedule_trigger_get_key (trigger), ==, "schedule:UTC:30 2 * * *");
  g_assert_cmpstr (deca_schedule_trigger_get_timezone (trigger), ==, "UTC");
  g_assert_cmpint (deca_schedule_trigger_get_missed (trigger), ==, DECA_MISSED_POLICY_RUN_ONCE);
  g_assert_cmpuint (deca_schedule_trigger_get_catch_up_limit (trigger), ==, 10);

  same = trigger_from_json ("{\"cron\": \"30 2 * * *\", \"timezone\": \"UTC\", "
                            "\"missed\": \"run_all\", \"catch_up_limit\": 3.0}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (deca_schedule_trigger_get_key (same), ==, deca_schedule_trigger_get_key (trigger));
  g_assert_cmpint (deca_schedule_trigger_get_missed (same), ==, DECA_MISSED_POLICY_RUN_ALL);
  g_assert_cmpuint (deca_schedule_trigger_get_catch_up_limit (same), ==, 3);
  g_assert_false (deca_schedule_trigger_equal (trigger, same));

  other = trigger_from_json ("{\"cron\": \"30 2 * * *\", \"timezone\": \"Europe/Berlin\", "
                             "\"missed\": \"skip\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (deca_schedule_trigger_get_key (other), ==, "schedule:Europe/Berlin:30 2 * * *");
  g_assert_cmpint (deca_schedule_trigger_get_missed (other), ==, DECA_MISSED_POLICY_SKIP);

  for (int p = SKIP; p <= RUN_ALL; p++)
    {
      DecaMissedPolicy back;

      g_assert_true (deca_missed_policy_from_string (deca_missed_policy_to_string (p), &back));
      g_assert_cmpint (back, ==, p);
    }
  g_assert_false (deca_missed_policy_from_string ("RUN_ALL", NULL));
}

static void
test_triggers_from_flow (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaFlow) flow = NULL;
  g_autoptr(DecaFlow) bad = NULL;
  g_autoptr(GPtrArray) triggers = NULL;
  g_autofree char *saved = NULL;

  flow = deca_flow_new_from_data (
    "{\"id\": \"f\", \"name\": \"F\", \"nodes\": [], \"triggers\": ["
    " {\"type\": \"webhook\", \"path\": \"/x\"},"
    " {\"type\": \"schedule\", \"cron\": \"0 9 * * *\", \"timezone\": \"Europe/Berlin\","
    "  \"missed\": \"run_all\", \"catch_up_limit\": 5, \"x-note\": \"kept\"},"
    " {\"type\": \"schedule\", \"cron\": \"0  9 * * *\", \"timezone\": \"Europe/Berlin\"},"
    " {\"type\": \"schedule\", \"cron\": \"*/5 * * * * *\"}]}", -1, &error);
  g_assert_no_error (error);

  triggers = deca_schedule_triggers_from_flow (flow, &error);
  g_assert_no_error (error);
  /* The third is the second again (same key): one schedule. */
  g_assert_cmpuint (triggers->len, ==, 2);
  g_assert_cmpstr (deca_schedule_trigger_get_key (triggers->pdata[0]), ==,
                   "schedule:Europe/Berlin:0 9 * * *");
  g_assert_cmpuint (deca_schedule_trigger_get_catch_up_limit (triggers->pdata[0]), ==, 5);
  g_assert_cmpstr (deca_schedule_trigger_get_key (triggers->pdata[1]), ==,
                   "schedule:UTC:*/5 * * * * *");

  /* The new members and unknown ones survive a load/save round trip. */
  saved = deca_flow_to_data (flow, FALSE, NULL);
  g_assert_nonnull (strstr (saved, "\"missed\":\"run_all\""));
  g_assert_nonnull (strstr (saved, "\"catch_up_limit\":5"));
  g_assert_nonnull (strstr (saved, "\"x-note\":\"kept\""));

  bad = deca_flow_new_from_data (
    "{\"id\": \"f\", \"name\": \"F\", \"nodes\": [], \"triggers\": ["
    " {\"type\": \"schedule\", \"cron\": \"@daily\"},"
    " {\"type\": \"schedule\", \"cron\": \"@daily\", \"missed\": \"later\"}]}", -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&triggers, g_ptr_array_unref);
  triggers = deca_schedule_triggers_from_flow (bad, &error);
  g_assert_null (triggers);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "/triggers/1/missed: must be one of skip, run_once, run_all");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (plan_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/deca/engine/schedule-plan/%s", plan_cases[i].name);

      g_test_add_data_func (path, &plan_cases[i], test_plan_case);
    }
  g_test_add_func ("/deca/engine/schedule-plan/year", test_plan_year);
  g_test_add_func ("/deca/engine/schedule-plan/matches-full-walk", test_plan_matches_full_walk);
  g_test_add_func ("/deca/engine/schedule-plan/grace", test_plan_grace);
  g_test_add_func ("/deca/engine/schedule-plan/trigger-json", test_trigger_json);
  g_test_add_func ("/deca/engine/schedule-plan/triggers-from-flow", test_triggers_from_flow);

  return g_test_run ();
}
