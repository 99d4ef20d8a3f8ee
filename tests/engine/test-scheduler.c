/* DecaScheduler on a manual clock: fires at the right times (also around DST), missed
 * runs at activation, deactivation, claims shared by two schedulers, failed claims, and
 * flows as the source of schedules. */

#include <string.h>

#include "deca-engine.h"
#include "deca-scheduler.h"
#include "deca-store-server.h"
#include "deca-test-store-dir.h"

static gint64
at (const char *iso)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

typedef struct {
  DecaManualClock *clock;
  GPtrArray *fires;   /* "NAME flow key local-time" */
  gboolean remove_flow_on_fire;
} Recorder;

static void
on_fire (DecaScheduler *scheduler,
         const char    *flow_id,
         const char    *key,
         GDateTime     *fire_time,
         gpointer       user_data)
{
  Recorder *recorder = user_data;
  g_autofree char *local = g_date_time_format (fire_time, "%FT%T%:z");
  const char *name = g_object_get_data (G_OBJECT (scheduler), "name");

  /* A fire is emitted exactly at its time: the manual clock fires timeouts at their due
   * time, and the scheduler's timer is due at the fire time. */
  g_assert_cmpint (deca_clock_now_us (DECA_CLOCK (recorder->clock)), ==,
                   g_date_time_to_unix (fire_time) * G_USEC_PER_SEC);
  g_ptr_array_add (recorder->fires, g_strdup_printf ("%s %s %s %s", name ? name : "-", flow_id,
                                                     key, local));
  if (recorder->remove_flow_on_fire)
    g_assert_cmpuint (deca_scheduler_remove_flow (scheduler, flow_id), ==, 1);
}

static DecaScheduler *
make_scheduler (Recorder   *recorder,
                const char *name)
{
  DecaScheduler *scheduler = deca_scheduler_new (DECA_CLOCK (recorder->clock), name);

  g_object_set_data_full (G_OBJECT (scheduler), "name", g_strdup (name), g_free);
  g_signal_connect (scheduler, "fire", G_CALLBACK (on_fire), recorder);
  return scheduler;
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

static void
recorder_init (Recorder   *recorder,
               const char *start)
{
  recorder->clock = deca_manual_clock_new (at (start) * G_USEC_PER_SEC);
  recorder->fires = g_ptr_array_new_with_free_func (g_free);
  recorder->remove_flow_on_fire = FALSE;
}

static void
recorder_clear (Recorder *recorder)
{
  g_assert_finalize_object (recorder->clock);
  g_ptr_array_unref (recorder->fires);
}

static void
advance_to (Recorder   *recorder,
            const char *iso)
{
  gint64 target = at (iso) * G_USEC_PER_SEC;
  gint64 now = deca_clock_now_us (DECA_CLOCK (recorder->clock));

  g_assert_cmpint (target, >=, now);
  deca_manual_clock_advance (recorder->clock, target - now);
}

static char *
joined_fires (Recorder *recorder)
{
  g_autofree char **copy = g_new0 (char *, recorder->fires->len + 1);

  if (recorder->fires->len > 0)
    memcpy (copy, recorder->fires->pdata, recorder->fires->len * sizeof (char *));
  return g_strjoinv ("\n", copy);
}

static void
assert_fires (Recorder   *recorder,
              const char *expected)
{
  g_autofree char *got = joined_fires (recorder);

  g_assert_cmpstr (got, ==, expected);
  g_ptr_array_set_size (recorder->fires, 0);
}

static void
test_fires_on_time (void)
{
  Recorder recorder;
  g_autoptr(DecaScheduler) scheduler = NULL;
  g_autoptr(DecaScheduleTrigger) hourly = make_trigger ("0 * * * *", NULL, DECA_MISSED_POLICY_RUN_ONCE, 0);
  g_autoptr(DecaScheduleTrigger) seconds = make_trigger ("*/20 * * * * *", NULL, DECA_MISSED_POLICY_SKIP, 0);
  g_autoptr(GError) error = NULL;
  gint64 next;

  recorder_init (&recorder, "2026-06-01T09:59:30Z");
  scheduler = make_scheduler (&recorder, "a");

  g_assert_true (deca_scheduler_add (scheduler, "flow-1", hourly, DECA_SCHEDULE_NO_CURSOR, &error));
  g_assert_no_error (error);
  g_assert_true (deca_scheduler_add (scheduler, "flow-2", seconds, DECA_SCHEDULE_NO_CURSOR, &error));
  g_assert_cmpuint (deca_scheduler_get_n_schedules (scheduler), ==, 2);

  /* Nothing runs inside add(), and nothing is due at activation. */
  g_assert_cmpuint (recorder.fires->len, ==, 0);
  deca_manual_clock_advance (recorder.clock, 0);
  g_assert_cmpuint (recorder.fires->len, ==, 0);
  g_assert_true (deca_scheduler_get_next_fire (scheduler, "flow-1", "schedule:UTC:0 * * * *", &next));
  g_assert_cmpint (next, ==, at ("2026-06-01T10:00:00Z"));

  advance_to (&recorder, "2026-06-01T10:00:40Z");
  assert_fires (&recorder,
                "a flow-2 schedule:UTC:*/20 * * * * * 2026-06-01T09:59:40+00:00\n"
                "a flow-1 schedule:UTC:0 * * * * 2026-06-01T10:00:00+00:00\n"
                "a flow-2 schedule:UTC:*/20 * * * * * 2026-06-01T10:00:00+00:00\n"
                "a flow-2 schedule:UTC:*/20 * * * * * 2026-06-01T10:00:20+00:00\n"
                "a flow-2 schedule:UTC:*/20 * * * * * 2026-06-01T10:00:40+00:00");

  /* Deactivating one stops it; the other goes on. */
  g_assert_true (deca_scheduler_remove (scheduler, "flow-2", "schedule:UTC:*/20 * * * * *"));
  g_assert_false (deca_scheduler_remove (scheduler, "flow-2", "schedule:UTC:*/20 * * * * *"));
  advance_to (&recorder, "2026-06-01T12:30:00Z");
  assert_fires (&recorder,
                "a flow-1 schedule:UTC:0 * * * * 2026-06-01T11:00:00+00:00\n"
                "a flow-1 schedule:UTC:0 * * * * 2026-06-01T12:00:00+00:00");

  g_assert_cmpuint (deca_scheduler_remove_flow (scheduler, "flow-1"), ==, 1);
  g_assert_cmpuint (deca_scheduler_get_n_schedules (scheduler), ==, 0);
  /* No schedule, no timer left behind. */
  g_assert_cmpuint (deca_manual_clock_get_pending (recorder.clock), ==, 0);
  advance_to (&recorder, "2026-06-02T00:00:00Z");
  g_assert_cmpuint (recorder.fires->len, ==, 0);

  g_assert_finalize_object (g_steal_pointer (&scheduler));
  recorder_clear (&recorder);
}

/* A daily 02:30 in Berlin across both changes, and 01:30 in New York in the fall. */
static void
test_dst (void)
{
  Recorder recorder;
  g_autoptr(DecaScheduler) scheduler = NULL;
  g_autoptr(DecaScheduleTrigger) berlin = make_trigger ("30 2 * * *", "Europe/Berlin",
                                                        DECA_MISSED_POLICY_RUN_ONCE, 0);
  g_autoptr(DecaScheduleTrigger) new_york = make_trigger ("30 1 * * *", "America/New_York",
                                                          DECA_MISSED_POLICY_RUN_ONCE, 0);

  recorder_init (&recorder, "2026-03-27T12:00:00Z");
  scheduler = make_scheduler (&recorder, "a");
  g_assert_true (deca_scheduler_add (scheduler, "b", berlin, DECA_SCHEDULE_NO_CURSOR, NULL));

  advance_to (&recorder, "2026-03-31T12:00:00Z");
  assert_fires (&recorder,
                "a b schedule:Europe/Berlin:30 2 * * * 2026-03-28T02:30:00+01:00\n"
                "a b schedule:Europe/Berlin:30 2 * * * 2026-03-29T03:00:00+02:00\n"
                "a b schedule:Europe/Berlin:30 2 * * * 2026-03-30T02:30:00+02:00\n"
                "a b schedule:Europe/Berlin:30 2 * * * 2026-03-31T02:30:00+02:00");

  advance_to (&recorder, "2026-10-24T12:00:00Z");
  g_ptr_array_set_size (recorder.fires, 0);
  g_assert_true (deca_scheduler_add (scheduler, "ny", new_york, DECA_SCHEDULE_NO_CURSOR, NULL));
  advance_to (&recorder, "2026-11-02T12:00:00Z");
  {
    g_autofree char *got = joined_fires (&recorder);

    /* Once on each fall-back night, at the first pass. */
    g_assert_nonnull (strstr (got, "a b schedule:Europe/Berlin:30 2 * * * 2026-10-25T02:30:00+02:00\n"));
    g_assert_nonnull (strstr (got, "a b schedule:Europe/Berlin:30 2 * * * 2026-10-26T02:30:00+01:00\n"));
    g_assert_null (strstr (got, "2026-10-25T02:30:00+01:00"));
    g_assert_nonnull (strstr (got, "a ny schedule:America/New_York:30 1 * * * 2026-11-01T01:30:00-04:00\n"));
    g_assert_null (strstr (got, "2026-11-01T01:30:00-05:00"));
    /* 9 days of Berlin (10-25 .. 11-02), 9 of New York (10-25 .. 11-02). */
    g_assert_cmpuint (recorder.fires->len, ==, 18);
  }

  g_assert_finalize_object (g_steal_pointer (&scheduler));
  recorder_clear (&recorder);
}

/* Records fires without on_fire()'s check of the emission time, for fires that are
 * emitted late on purpose (missed runs) or by several schedulers. */
static void
on_fire_any_time (DecaScheduler *scheduler,
                  const char    *flow_id,
                  const char    *key,
                  GDateTime     *fire_time,
                  gpointer       user_data)
{
  GPtrArray *fires = user_data;
  g_autofree char *local = g_date_time_format (fire_time, "%FT%T%:z");

  g_ptr_array_add (fires, g_strdup_printf ("%s %s %s %s",
                                           (const char *) g_object_get_data (G_OBJECT (scheduler), "name"),
                                           flow_id, key, local));
}

typedef struct {
  gint64 cursor;
  guint lookups;
} CursorSource;

static gboolean
cursor_cb (const char  *flow_id,
           const char  *trigger_key,
           gint64      *cursor,
           gpointer     user_data,
           GError     **error)
{
  CursorSource *source = user_data;

  source->lookups++;
  if (g_str_equal (flow_id, "broken"))
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE, "disk on fire");
      return FALSE;
    }
  *cursor = source->cursor;
  return TRUE;
}

/* Back after downtime: the cursor from the store says the last run was at midnight. */
static void
test_missed_at_activation (void)
{
  static const struct {
    DecaMissedPolicy missed;
    guint limit;
    const char *fires;
  } cases[] = {
    { DECA_MISSED_POLICY_SKIP, 0, "" },
    { DECA_MISSED_POLICY_RUN_ONCE, 0, "a f schedule:UTC:0 * * * * 2026-06-01T05:00:00+00:00" },
    { DECA_MISSED_POLICY_RUN_ALL, 3,
      "a f schedule:UTC:0 * * * * 2026-06-01T03:00:00+00:00\n"
      "a f schedule:UTC:0 * * * * 2026-06-01T04:00:00+00:00\n"
      "a f schedule:UTC:0 * * * * 2026-06-01T05:00:00+00:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DecaManualClock) clock = deca_manual_clock_new (at ("2026-06-01T05:10:00Z") * G_USEC_PER_SEC);
      g_autoptr(DecaScheduler) scheduler = deca_scheduler_new (DECA_CLOCK (clock), NULL);
      g_autoptr(GPtrArray) fires = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(DecaScheduleTrigger) trigger = make_trigger ("0 * * * *", "UTC",
                                                             cases[i].missed, cases[i].limit);
      CursorSource source = { at ("2026-06-01T00:00:00Z"), 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char **copy = NULL;
      g_autofree char *got = NULL;
      gint64 cursor, next;

      g_object_set_data (G_OBJECT (scheduler), "name", "a");
      g_signal_connect (scheduler, "fire", G_CALLBACK (on_fire_any_time), fires);
      deca_scheduler_set_cursor_func (scheduler, cursor_cb, &source, NULL);
      g_assert_true (deca_scheduler_add (scheduler, "f", trigger, DECA_SCHEDULE_NO_CURSOR, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (source.lookups, ==, 1);
      g_assert_cmpuint (fires->len, ==, 0);

      /* The missed runs are handled on the next turn, at activation (05:10). */
      deca_manual_clock_advance (clock, 0);
      copy = g_new0 (char *, fires->len + 1);
      /* An empty GPtrArray has no pdata at all, which memcpy may not be given. */
      if (fires->len > 0)
        memcpy (copy, fires->pdata, fires->len * sizeof (char *));
      got = g_strjoinv ("\n", copy);
      g_assert_cmpstr (got, ==, cases[i].fires);

      g_assert_true (deca_scheduler_get_cursor (scheduler, "f", "schedule:UTC:0 * * * *", &cursor));
      g_assert_cmpint (cursor, ==, at ("2026-06-01T05:00:00Z"));
      g_assert_true (deca_scheduler_get_next_fire (scheduler, "f", "schedule:UTC:0 * * * *", &next));
      g_assert_cmpint (next, ==, at ("2026-06-01T06:00:00Z"));
      g_assert_false (deca_scheduler_get_cursor (scheduler, "f", "schedule:UTC:1 * * * *", NULL));

      g_assert_finalize_object (g_steal_pointer (&scheduler));
    }
}

/* A claim table shared by several schedulers, as the store's is by several processes. */
typedef struct {
  GHashTable *claims;   /* "flow key time" -> claimed_by */
  guint attempts;
  guint fail_next;      /* fail this many claims with an error */
} ClaimTable;

static gboolean
claim_cb (const char  *flow_id,
          const char  *trigger_key,
          gint64       fire_at_unix,
          const char  *claimed_by,
          gpointer     user_data,
          GError     **error)
{
  ClaimTable *table = user_data;
  g_autofree char *id = g_strdup_printf ("%s %s %" G_GINT64_FORMAT, flow_id, trigger_key, fire_at_unix);

  table->attempts++;
  if (table->fail_next > 0)
    {
      table->fail_next--;
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE, "database is locked");
      return FALSE;
    }
  if (g_hash_table_contains (table->claims, id))
    return FALSE;
  g_hash_table_insert (table->claims, g_steal_pointer (&id), g_strdup (claimed_by));
  return TRUE;
}

static void
test_two_schedulers (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (at ("2026-06-01T09:00:30Z") * G_USEC_PER_SEC);
  g_autoptr(GPtrArray) fires = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DecaScheduleTrigger) trigger = make_trigger ("*/10 * * * *", NULL,
                                                         DECA_MISSED_POLICY_RUN_ALL, 100);
  ClaimTable table = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free), 0, 0 };
  DecaScheduler *schedulers[2];
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint per_scheduler[2] = { 0, 0 };

  for (guint i = 0; i < 2; i++)
    {
      schedulers[i] = deca_scheduler_new (DECA_CLOCK (clock), i == 0 ? "host-a:1" : "host-b:2");
      g_object_set_data (G_OBJECT (schedulers[i]), "name", i == 0 ? "a" : "b");
      g_signal_connect (schedulers[i], "fire", G_CALLBACK (on_fire_any_time), fires);
      deca_scheduler_set_claim_func (schedulers[i], claim_cb, &table, NULL);
      g_assert_true (deca_scheduler_add (schedulers[i], "flow", trigger,
                                         at ("2026-06-01T09:00:00Z"), NULL));
    }

  /* Ten hours: 60 fire times, each claimed by both, emitted by one. */
  deca_manual_clock_advance (clock, G_GINT64_CONSTANT (10) * 3600 * G_USEC_PER_SEC);
  g_assert_cmpuint (fires->len, ==, 60);
  g_assert_cmpuint (table.attempts, ==, 120);
  g_assert_cmpuint (g_hash_table_size (table.claims), ==, 60);

  /* Process a goes away; b alone goes on with the times after a's last. */
  g_assert_finalize_object (schedulers[0]);
  deca_manual_clock_advance (clock, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_assert_cmpuint (fires->len, ==, 66);

  /* b was down for an hour and comes back as a new process: its cursor (from the store)
   * is a's last, so with run_all it catches up on what nobody ran, once. */
  g_assert_finalize_object (schedulers[1]);
  deca_manual_clock_advance (clock, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  schedulers[1] = deca_scheduler_new (DECA_CLOCK (clock), "host-b:3");
  g_object_set_data (G_OBJECT (schedulers[1]), "name", "b");
  g_signal_connect (schedulers[1], "fire", G_CALLBACK (on_fire_any_time), fires);
  deca_scheduler_set_claim_func (schedulers[1], claim_cb, &table, NULL);
  g_assert_true (deca_scheduler_add (schedulers[1], "flow", trigger,
                                     at ("2026-06-01T20:00:00Z"), NULL));
  deca_manual_clock_advance (clock, 0);
  g_assert_cmpuint (fires->len, ==, 72);

  /* Every fire time from 09:10 to 21:00 exactly once. */
  for (guint i = 0; i < fires->len; i++)
    {
      const char *fire = fires->pdata[i];

      g_assert_true (g_hash_table_add (seen, (gpointer) (fire + 2)));
      per_scheduler[fire[0] == 'b']++;
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 72);
  g_assert_true (g_hash_table_contains (seen, "flow schedule:UTC:*/10 * * * * 2026-06-01T09:10:00+00:00"));
  g_assert_true (g_hash_table_contains (seen, "flow schedule:UTC:*/10 * * * * 2026-06-01T21:00:00+00:00"));
  g_assert_cmpuint (per_scheduler[0], ==, 60);
  g_assert_cmpuint (per_scheduler[1], ==, 12);

  g_assert_finalize_object (schedulers[1]);
  g_hash_table_unref (table.claims);
}

static void
on_claim_failed (DecaScheduler *scheduler,
                 const char    *flow_id,
                 const char    *key,
                 GDateTime     *fire_time,
                 GError        *error,
                 gpointer       user_data)
{
  guint *failures = user_data;

  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_assert_cmpstr (flow_id, ==, "f");
  (*failures)++;
}

/* A claim that fails is tried again a few seconds later, and the fire is not lost. */
static void
test_claim_failure (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (at ("2026-06-01T09:59:00Z") * G_USEC_PER_SEC);
  g_autoptr(GPtrArray) fires = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DecaScheduleTrigger) trigger = make_trigger ("0 * * * *", NULL, DECA_MISSED_POLICY_SKIP, 0);
  ClaimTable table = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free), 0, 2 };
  g_autoptr(DecaScheduler) scheduler = deca_scheduler_new (DECA_CLOCK (clock), "x");
  guint failures = 0;

  g_object_set_data (G_OBJECT (scheduler), "name", "a");
  g_signal_connect (scheduler, "fire", G_CALLBACK (on_fire_any_time), fires);
  g_signal_connect (scheduler, "claim-failed", G_CALLBACK (on_claim_failed), &failures);
  deca_scheduler_set_claim_func (scheduler, claim_cb, &table, NULL);
  g_assert_true (deca_scheduler_add (scheduler, "f", trigger, DECA_SCHEDULE_NO_CURSOR, NULL));

  deca_manual_clock_advance (clock, 60 * G_USEC_PER_SEC);
  g_assert_cmpuint (failures, ==, 1);
  g_assert_cmpuint (fires->len, ==, 0);
  deca_manual_clock_advance (clock, 30 * G_USEC_PER_SEC);
  /* Two failures, then the third try (10 s late, within the grace) wins. */
  g_assert_cmpuint (failures, ==, 2);
  g_assert_cmpuint (fires->len, ==, 1);
  g_assert_cmpstr (fires->pdata[0], ==, "a f schedule:UTC:0 * * * * 2026-06-01T10:00:00+00:00");

  g_assert_finalize_object (g_steal_pointer (&scheduler));
  g_hash_table_unref (table.claims);
}

static DecaFlow *
flow_from_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  DecaFlow *flow = deca_flow_new_from_data (text, -1, &error);

  g_assert_no_error (error);
  return flow;
}

static void
test_set_flow (void)
{
  Recorder recorder;
  g_autoptr(DecaScheduler) scheduler = NULL;
  g_autoptr(DecaFlow) two = NULL;
  g_autoptr(DecaFlow) one = NULL;
  g_autoptr(DecaFlow) bad = NULL;
  g_autoptr(DecaFlow) broken = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  CursorSource source = { DECA_SCHEDULE_NO_CURSOR, 0 };

  recorder_init (&recorder, "2026-06-01T09:59:00Z");
  scheduler = make_scheduler (&recorder, "a");
  deca_scheduler_set_cursor_func (scheduler, cursor_cb, &source, NULL);

  two = flow_from_text ("{\"id\": \"f\", \"name\": \"F\", \"nodes\": [], \"triggers\": ["
                        " {\"type\": \"schedule\", \"cron\": \"0 10 * * *\"},"
                        " {\"type\": \"manual\"},"
                        " {\"type\": \"schedule\", \"cron\": \"30 10 * * *\", \"missed\": \"skip\"}]}");
  one = flow_from_text ("{\"id\": \"f\", \"name\": \"F\", \"nodes\": [], \"triggers\": ["
                        " {\"type\": \"schedule\", \"cron\": \"30 10 * * *\", \"missed\": \"run_all\"}]}");
  bad = flow_from_text ("{\"id\": \"f\", \"name\": \"F\", \"nodes\": [], \"triggers\": ["
                        " {\"type\": \"schedule\", \"cron\": \"0 25 * * *\"}]}");
  broken = flow_from_text ("{\"id\": \"broken\", \"name\": \"F\", \"nodes\": [], \"triggers\": ["
                           " {\"type\": \"schedule\", \"cron\": \"@daily\"}]}");

  g_assert_true (deca_scheduler_set_flow (scheduler, two, &error));
  g_assert_no_error (error);
  keys = deca_scheduler_list_keys (scheduler, "f");
  g_assert_cmpuint (keys->len, ==, 2);
  g_assert_cmpstr (keys->pdata[0], ==, "schedule:UTC:0 10 * * *");
  g_assert_cmpstr (keys->pdata[1], ==, "schedule:UTC:30 10 * * *");
  g_clear_pointer (&keys, g_ptr_array_unref);
  g_assert_cmpuint (source.lookups, ==, 2);

  advance_to (&recorder, "2026-06-01T10:00:00Z");
  assert_fires (&recorder, "a f schedule:UTC:0 10 * * * 2026-06-01T10:00:00+00:00");

  /* An invalid version changes nothing. */
  g_assert_false (deca_scheduler_set_flow (scheduler, bad, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "/triggers/0/cron: field 2 (hour): 25 is out of range 0-23");
  g_clear_error (&error);
  g_assert_cmpuint (deca_scheduler_get_n_schedules (scheduler), ==, 2);

  /* Neither does a cursor lookup that fails. */
  g_assert_false (deca_scheduler_set_flow (scheduler, broken, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STORE);
  g_clear_error (&error);
  g_assert_cmpuint (deca_scheduler_get_n_schedules (scheduler), ==, 2);

  /* The update keeps the 10:30 schedule (no new lookup) and drops the 10:00 one. */
  g_assert_true (deca_scheduler_set_flow (scheduler, one, &error));
  g_assert_cmpuint (source.lookups, ==, 3);  /* only the broken flow's */
  keys = deca_scheduler_list_keys (scheduler, "f");
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpstr (keys->pdata[0], ==, "schedule:UTC:30 10 * * *");

  advance_to (&recorder, "2026-06-02T10:00:00Z");
  assert_fires (&recorder, "a f schedule:UTC:30 10 * * * 2026-06-01T10:30:00+00:00");

  /* A handler may deactivate the flow that is firing. */
  recorder.remove_flow_on_fire = TRUE;
  advance_to (&recorder, "2026-06-03T12:00:00Z");
  assert_fires (&recorder, "a f schedule:UTC:30 10 * * * 2026-06-02T10:30:00+00:00");
  g_assert_cmpuint (deca_scheduler_get_n_schedules (scheduler), ==, 0);
  g_assert_cmpuint (deca_manual_clock_get_pending (recorder.clock), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&scheduler));
  recorder_clear (&recorder);
}

static DecaStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  DecaStore *store = deca_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static DecaScheduler *
store_scheduler (DecaManualClock *clock,
                 DecaStore       *store,
                 const char      *name,
                 GPtrArray       *fires,
                 DecaFlow        *flow)
{
  g_autoptr(GError) error = NULL;
  DecaScheduler *scheduler = deca_scheduler_new_for_store (DECA_CLOCK (clock), store, name);

  g_object_set_data (G_OBJECT (scheduler), "name", (gpointer) name);
  g_signal_connect (scheduler, "fire", G_CALLBACK (on_fire_any_time), fires);
  g_assert_true (deca_scheduler_set_flow (scheduler, flow, &error));
  g_assert_no_error (error);
  return scheduler;
}

/* Two processes (two connections to one database) schedule the same flow: each fire
 * once. A third started after downtime catches up from the stored cursor. */
static void
test_store (void)
{
  DecaTestStoreDir dir;
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (at ("2026-06-01T09:00:30Z") * G_USEC_PER_SEC);
  g_autoptr(GPtrArray) fires = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(DecaFlow) flow = flow_from_text (
    "{\"id\": \"report\", \"name\": \"R\", \"nodes\": [], \"triggers\": ["
    " {\"type\": \"schedule\", \"cron\": \"*/10 * * * *\", \"missed\": \"run_all\","
    "  \"catch_up_limit\": 50}]}");
  const char *key = "schedule:UTC:*/10 * * * *";
  DecaStore *stores[3];
  DecaScheduler *schedulers[3];
  g_autoptr(GError) error = NULL;
  gint64 cursor = -1;

  deca_test_store_dir_init (&dir, "deca-test-scheduler");
  for (guint i = 0; i < 3; i++)
    stores[i] = open_store (dir.path);

  schedulers[0] = store_scheduler (clock, stores[0], "a", fires, flow);
  /* Activation is saved: the second process counts from the same start. */
  g_assert_true (deca_store_get_schedule_cursor (stores[1], "report", key, &cursor, &error));
  g_assert_cmpint (cursor, ==, at ("2026-06-01T09:00:30Z"));
  schedulers[1] = store_scheduler (clock, stores[1], "b", fires, flow);

  deca_manual_clock_advance (clock, G_GINT64_CONSTANT (2) * 3600 * G_USEC_PER_SEC);
  g_assert_cmpuint (fires->len, ==, 12);
  g_assert_true (deca_store_get_schedule_cursor (stores[1], "report", key, &cursor, &error));
  g_assert_cmpint (cursor, ==, at ("2026-06-01T11:00:00Z"));

  /* Both go down for an hour; a third process comes up and runs what was missed, once. */
  g_assert_finalize_object (schedulers[0]);
  g_assert_finalize_object (schedulers[1]);
  deca_manual_clock_advance (clock, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  schedulers[2] = store_scheduler (clock, stores[2], "c", fires, flow);
  deca_manual_clock_advance (clock, 0);
  g_assert_cmpuint (fires->len, ==, 18);

  for (guint i = 0; i < fires->len; i++)
    g_assert_true (g_hash_table_add (seen, (char *) fires->pdata[i] + 2));
  g_assert_true (g_hash_table_contains (seen, "report schedule:UTC:*/10 * * * * 2026-06-01T09:10:00+00:00"));
  g_assert_true (g_hash_table_contains (seen, "report schedule:UTC:*/10 * * * * 2026-06-01T12:00:00+00:00"));
  g_assert_cmpstr (fires->pdata[17], ==, "c report schedule:UTC:*/10 * * * * 2026-06-01T12:00:00+00:00");

  g_assert_finalize_object (schedulers[2]);
  for (guint i = 0; i < 3; i++)
    g_assert_finalize_object (stores[i]);
  deca_test_store_dir_clear (&dir);
}

/* Under "skip", times dropped after downtime move the stored cursor, so the next process
 * does not weigh them again. */
static void
test_store_skip (void)
{
  DecaTestStoreDir dir;
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (at ("2026-06-01T09:30:00Z") * G_USEC_PER_SEC);
  g_autoptr(GPtrArray) fires = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DecaFlow) flow = flow_from_text (
    "{\"id\": \"hourly\", \"name\": \"H\", \"nodes\": [], \"triggers\": ["
    " {\"type\": \"schedule\", \"cron\": \"0 * * * *\", \"missed\": \"skip\"}]}");
  g_autoptr(GError) error = NULL;
  DecaStore *store;
  DecaScheduler *scheduler;
  gint64 cursor = 0;

  deca_test_store_dir_init (&dir, "deca-test-scheduler");
  store = open_store (dir.path);
  scheduler = store_scheduler (clock, store, "a", fires, flow);
  deca_manual_clock_advance (clock, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_assert_cmpuint (fires->len, ==, 1);
  g_assert_finalize_object (scheduler);

  /* Down from 10:30 to 15:10: 11:00 to 15:00 are missed and skipped. */
  deca_manual_clock_advance (clock, (G_GINT64_CONSTANT (4) * 3600 + 40 * 60) * G_USEC_PER_SEC);
  scheduler = store_scheduler (clock, store, "a", fires, flow);
  deca_manual_clock_advance (clock, 0);
  g_assert_cmpuint (fires->len, ==, 1);
  g_assert_true (deca_store_get_schedule_cursor (store, "hourly", "schedule:UTC:0 * * * *", &cursor, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cursor, ==, at ("2026-06-01T15:00:00Z"));

  /* And the schedule goes on at 16:00. */
  deca_manual_clock_advance (clock, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_assert_cmpuint (fires->len, ==, 2);
  g_assert_cmpstr (fires->pdata[1], ==, "a hourly schedule:UTC:0 * * * * 2026-06-01T16:00:00+00:00");

  g_assert_finalize_object (scheduler);
  g_assert_finalize_object (store);
  deca_test_store_dir_clear (&dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/scheduler/fires-on-time", test_fires_on_time);
  g_test_add_func ("/deca/engine/scheduler/dst", test_dst);
  g_test_add_func ("/deca/engine/scheduler/missed-at-activation", test_missed_at_activation);
  g_test_add_func ("/deca/engine/scheduler/two-schedulers", test_two_schedulers);
  g_test_add_func ("/deca/engine/scheduler/claim-failure", test_claim_failure);
  g_test_add_func ("/deca/engine/scheduler/set-flow", test_set_flow);
  g_test_add_func ("/deca/engine/scheduler/store", test_store);
  g_test_add_func ("/deca/engine/scheduler/store-skip", test_store_skip);

  return g_test_run ();
}
