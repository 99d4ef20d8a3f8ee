/* test-triggers.c: the schedules of `deca serve` (server/deca-server-triggers.c) through
 * the HTTP API, on in-process servers with a manual clock: a schedule fires at its times
 * and its executions have the documented input; deactivation stops it; a new cron takes
 * effect; Europe/Berlin across both DST changes; missed runs after downtime as each
 * trigger's policy says (a second server on the same data directory); two servers on one
 * database fire each time once; invalid triggers refused with their pointer. */

#include "config.h"

#include "triggers-fixture.h"

/* 2027-06-01T10:00:30Z and friends, in unix seconds. */
#define JUNE_1_10_00_30     G_GINT64_CONSTANT (1811844030)
#define MARCH_27_12_00      G_GINT64_CONSTANT (1806148800)
#define OCTOBER_30_23_00    G_GINT64_CONSTANT (1824937200)
#define JUNE_1_10_30        G_GINT64_CONSTANT (1811845800)

#define OWNER "ws-a:owner"

static void
setup_june (Fixture       *fixture,
            gconstpointer  data)
{
  fixture_init (fixture, JUNE_1_10_00_30 * G_USEC_PER_SEC);
}

static void
setup_march (Fixture       *fixture,
             gconstpointer  data)
{
  fixture_init (fixture, MARCH_27_12_00 * G_USEC_PER_SEC);
}

static void
setup_october (Fixture       *fixture,
               gconstpointer  data)
{
  fixture_init (fixture, OCTOBER_30_23_00 * G_USEC_PER_SEC);
}

static void
setup_june_half_past (Fixture       *fixture,
                      gconstpointer  data)
{
  fixture_init (fixture, JUNE_1_10_30 * G_USEC_PER_SEC);
}

/* A flow @id run by the schedule @trigger (a JSON object's members after "type"). */
static char *
schedule_flow (const char *id,
               const char *trigger)
{
  return g_strdup_printf ("{\"id\": \"%s\", \"name\": \"%s\","
                          " \"triggers\": [{\"type\": \"schedule\", %s}],"
                          " \"nodes\": [{\"id\": \"seen\", \"type\": \"transform\","
                          "   \"config\": {\"set\": {\"at\": \"{{input.fire_time}}\"}}}]}",
                          id, id, trigger);
}

static void
advance_cb (Fixture  *fixture,
            gpointer  data)
{
  deca_manual_clock_advance (fixture->clock, *(gint64 *) data * G_USEC_PER_SEC);
}

/* Moves the manual clock @seconds forward on the server thread (the timers fire at their
 * own times meanwhile). */
static void
advance (Fixture *fixture,
         gint64   seconds)
{
  on_server (fixture, advance_cb, &seconds);
}

static void
turn_cb (Fixture  *fixture,
         gpointer  data)
{
}

/* The "fire_time" of each execution's input, in order, joined with " ". */
static char *
fire_times (JsonArray *executions)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (executions); i++)
    {
      JsonObject *input = json_object_get_object_member (json_array_get_object_element (executions, i), "input");

      g_string_append_printf (text, "%s%s", i ? " " : "", json_object_get_string_member (input, "fire_time"));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

typedef struct {
  guint index;
  const char *flow_id;
  guint n_schedules;
  gboolean active;
  guint n_audit;
  double starts_ok;        /* deca_trigger_starts_total{trigger="schedule",result="ok"} */
  double schedules;        /* deca_schedules_active */
} Look;

static void
look_cb (Fixture  *fixture,
         gpointer  data)
{
  Look *look = data;
  Instance *instance = &fixture->instances[look->index];
  g_autoptr(GPtrArray) keys = deca_scheduler_list_keys (deca_server_triggers_get_scheduler (instance->triggers),
                                                        look->flow_id);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;

  static const char * const ok[] = { "schedule", "ok", NULL };
  DecaMetrics *metrics = deca_server_get_metrics (instance->server);

  look->starts_ok = deca_metrics_family_get (deca_metrics_lookup (metrics, "deca_trigger_starts_total"), ok);
  look->schedules = deca_metrics_family_get (deca_metrics_lookup (metrics, "deca_schedules_active"), NULL);
  look->n_schedules = keys->len;
  look->active = deca_server_triggers_is_active (instance->triggers, look->flow_id);
  lines = deca_store_list_audit (deca_server_get_store (instance->server), "ws-a", 0, 0, &error);
  g_assert_no_error (error);
  look->n_audit = 0;
  for (guint i = 0; i < lines->len; i++)
    {
      DecaAuditRecord *line = g_ptr_array_index (lines, i);

      if (g_str_equal (line->action, "schedule.execute") && g_str_equal (line->target, look->flow_id))
        {
          g_assert_cmpstr (line->actor, ==, "schedule");
          g_assert_cmpstr (line->result, ==, "ok");
          g_assert_nonnull (strstr (line->details, "\"execution_id\""));
          look->n_audit++;
        }
    }
}

/* What instance @index knows of @flow_id: its schedules, whether it is active there, and
 * the schedule.execute audit lines of it. */
static Look
look (Fixture    *fixture,
      guint       index,
      const char *flow_id)
{
  Look result = { index, flow_id, 0, FALSE, 0, 0, 0 };

  on_server (fixture, look_cb, &result);
  return result;
}

static void
test_fires_and_follows (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *flow = schedule_flow ("tick", "\"cron\": \"0 */10 * * * *\"");
  g_autofree char *updated = schedule_flow ("tick", "\"cron\": \"0 5/15 * * * *\"");
  g_autoptr(JsonArray) first = NULL;
  g_autoptr(JsonArray) second = NULL;
  g_autoptr(JsonArray) after_stop = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *times = NULL;
  JsonObject *execution;
  JsonObject *input;
  Look seen;

  create_active_flow (fixture, OWNER, flow);
  seen = look (fixture, 0, "tick");
  g_assert_cmpuint (seen.n_schedules, ==, 1);
  g_assert_true (seen.active);

  /* 10:00:30 -> 10:35:30: the fires of 10:10, 10:20 and 10:30. */
  advance (fixture, 35 * 60);
  first = wait_for_executions (fixture, OWNER, "tick", 3);
  times = fire_times (first);
  g_assert_cmpstr (times, ==, "2027-06-01T10:10:00Z 2027-06-01T10:20:00Z 2027-06-01T10:30:00Z");
  execution = json_array_get_object_element (first, 0);
  g_assert_cmpstr (json_object_get_string_member (execution, "status"), ==, "succeeded");
  input = json_object_get_object_member (execution, "input");
  g_assert_cmpuint (json_object_get_size (input), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (input, "trigger"), ==, "schedule:UTC:0 */10 * * * *");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_object_get_object_member (execution, "output"), "seen"), "at"), ==,
                   "2027-06-01T10:10:00Z");
  /* The execution records the schedule that started it. */
  input = json_object_get_object_member (execution, "trigger");
  g_assert_cmpuint (json_object_get_size (input), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (input, "type"), ==, "schedule");
  g_assert_cmpstr (json_object_get_string_member (input, "trigger"), ==, "schedule:UTC:0 */10 * * * *");
  g_assert_cmpstr (json_object_get_string_member (input, "fire_time"), ==, "2027-06-01T10:10:00Z");
  seen = look (fixture, 0, "tick");
  g_assert_cmpuint (seen.n_audit, ==, 3);
  g_assert_cmpfloat (seen.starts_ok, ==, 3);
  g_assert_cmpfloat (seen.schedules, ==, 1);

  /* A new version with another cron replaces the schedule: the old one would run 10:40
   * and 11:00; the new one runs at :05, :20, :35 and :50 from the update (10:35:30) on. */
  g_assert_cmpuint (CALL (fixture, OWNER, "PUT", "/api/v1/flows/tick", updated, &body), ==, 200);
  seen = look (fixture, 0, "tick");
  g_assert_cmpuint (seen.n_schedules, ==, 1);
  advance (fixture, 30 * 60);     /* to 11:05:30 */
  second = wait_for_executions (fixture, OWNER, "tick", 5);
  g_clear_pointer (&times, g_free);
  times = fire_times (second);
  g_assert_cmpstr (times, ==, "2027-06-01T10:10:00Z 2027-06-01T10:20:00Z 2027-06-01T10:30:00Z "
                   "2027-06-01T10:50:00Z 2027-06-01T11:05:00Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_array_get_object_element (second, 4), "input"), "trigger"), ==,
                   "schedule:UTC:0 5/15 * * * *");

  /* Deactivated, it fires no more. */
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/flows/tick/deactivate", NULL, &body), ==, 200);
  seen = look (fixture, 0, "tick");
  g_assert_cmpuint (seen.n_schedules, ==, 0);
  g_assert_false (seen.active);
  g_assert_cmpfloat (seen.schedules, ==, 0);
  advance (fixture, 2 * 3600);
  on_server (fixture, turn_cb, NULL);
  after_stop = list_executions (fixture, OWNER, "tick");
  g_assert_cmpuint (json_array_get_length (after_stop), ==, 5);
  g_assert_cmpuint (look (fixture, 0, "tick").n_audit, ==, 5);

  /* Activated again at 13:05:30, it starts afresh: the eight times it was off are not
   * missed runs (run_once would run one). The next is 13:20. */
  g_clear_pointer (&body, json_node_unref);
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/flows/tick/activate", NULL, &body), ==, 200);
  advance (fixture, 0);
  on_server (fixture, turn_cb, NULL);
  g_clear_pointer (&after_stop, json_array_unref);
  after_stop = list_executions (fixture, OWNER, "tick");
  g_assert_cmpuint (json_array_get_length (after_stop), ==, 5);
  advance (fixture, 15 * 60);
  g_clear_pointer (&after_stop, json_array_unref);
  after_stop = wait_for_executions (fixture, OWNER, "tick", 6);
  g_clear_pointer (&times, g_free);
  times = fire_times (after_stop);
  g_assert_true (g_str_has_suffix (times, " 2027-06-01T13:20:00Z"));
}

static void
test_dst_spring_forward (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *flow = schedule_flow ("nightly", "\"cron\": \"0 30 2 * * *\", \"timezone\": \"Europe/Berlin\"");
  g_autoptr(JsonArray) executions = NULL;
  g_autofree char *times = NULL;

  create_active_flow (fixture, OWNER, flow);
  /* 2027-03-27 12:00Z -> 03-29 12:00Z. On the 28th 02:30 does not exist in Berlin: the
   * fire is right after the jump, 03:00 CEST, once. */
  advance (fixture, 48 * 3600);
  executions = wait_for_executions (fixture, OWNER, "nightly", 2);
  times = fire_times (executions);
  g_assert_cmpstr (times, ==, "2027-03-28T03:00:00+02:00 2027-03-29T02:30:00+02:00");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_array_get_object_element (executions, 0), "input"), "trigger"), ==,
                   "schedule:Europe/Berlin:0 30 2 * * *");
}

static void
test_dst_fall_back (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *nightly = schedule_flow ("nightly", "\"cron\": \"0 30 2 * * *\", \"timezone\": \"Europe/Berlin\"");
  g_autofree char *half_hourly = schedule_flow ("half", "\"cron\": \"0 */30 * * * *\", \"timezone\": \"Europe/Berlin\"");
  g_autoptr(JsonArray) first = NULL;
  g_autoptr(JsonArray) half = NULL;
  g_autoptr(JsonArray) second = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *times = NULL;

  create_active_flow (fixture, OWNER, nightly);
  create_active_flow (fixture, OWNER, half_hourly);
  /* 2027-10-30 23:00Z (01:00 CEST) -> 10-31 02:10Z (03:10 CET). 02:30 comes twice that
   * night: the fixed-time schedule runs at the first, the half-hourly one by real time,
   * through both passes. */
  advance (fixture, 3 * 3600 + 600);
  first = wait_for_executions (fixture, OWNER, "nightly", 1);
  times = fire_times (first);
  g_assert_cmpstr (times, ==, "2027-10-31T02:30:00+02:00");
  half = wait_for_executions (fixture, OWNER, "half", 6);
  g_clear_pointer (&times, g_free);
  times = fire_times (half);
  g_assert_cmpstr (times, ==, "2027-10-31T01:30:00+02:00 2027-10-31T02:00:00+02:00 2027-10-31T02:30:00+02:00 "
                   "2027-10-31T02:00:00+01:00 2027-10-31T02:30:00+01:00 2027-10-31T03:00:00+01:00");
  g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/flows/half/deactivate", NULL, &body), ==, 200);

  /* To 11-01 02:10Z: the next night's 02:30 is CET. */
  advance (fixture, 24 * 3600);
  second = wait_for_executions (fixture, OWNER, "nightly", 2);
  g_clear_pointer (&times, g_free);
  times = fire_times (second);
  g_assert_cmpstr (times, ==, "2027-10-31T02:30:00+02:00 2027-11-01T02:30:00+01:00");
}

static void
test_missed_runs (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *skip = schedule_flow ("skip", "\"cron\": \"0 0 * * * *\", \"missed\": \"skip\"");
  g_autofree char *once = schedule_flow ("once", "\"cron\": \"0 0 * * * *\", \"missed\": \"run_once\"");
  g_autofree char *all = schedule_flow ("all", "\"cron\": \"0 0 * * * *\", \"missed\": \"run_all\", "
                                        "\"catch_up_limit\": 3");
  g_autoptr(JsonArray) executions = NULL;
  g_autofree char *times = NULL;

  create_active_flow (fixture, OWNER, skip);
  create_active_flow (fixture, OWNER, once);
  create_active_flow (fixture, OWNER, all);
  /* 10:30 -> 11:00:30: each runs 11:00 on time. */
  advance (fixture, 30 * 60 + 30);
  g_clear_pointer (&executions, json_array_unref);
  executions = wait_for_executions (fixture, OWNER, "skip", 1);
  g_clear_pointer (&executions, json_array_unref);
  executions = wait_for_executions (fixture, OWNER, "once", 1);
  g_clear_pointer (&executions, json_array_unref);
  executions = wait_for_executions (fixture, OWNER, "all", 1);

  /* Down from 11:00:30 to 16:30:30: 12:00 ... 16:00 are missed. */
  stop_instance (fixture, 0);
  advance (fixture, 5 * 3600 + 30 * 60);
  start_instance (fixture, 1);
  /* The catch-up is planned at once: a timer of no delay, which a manual clock runs when
   * it is next moved. */
  advance (fixture, 0);

  g_clear_pointer (&executions, json_array_unref);
  executions = wait_for_executions (fixture, OWNER, "all", 4);
  times = fire_times (executions);
  g_assert_cmpstr (times, ==, "2027-06-01T11:00:00Z 2027-06-01T14:00:00Z 2027-06-01T15:00:00Z 2027-06-01T16:00:00Z");
  g_clear_pointer (&executions, json_array_unref);
  executions = wait_for_executions (fixture, OWNER, "once", 2);
  g_clear_pointer (&times, g_free);
  times = fire_times (executions);
  g_assert_cmpstr (times, ==, "2027-06-01T11:00:00Z 2027-06-01T16:00:00Z");
  /* skip was planned in the same timer as the others: it dropped its missed times. */
  g_clear_pointer (&executions, json_array_unref);
  executions = list_executions (fixture, OWNER, "skip");
  g_assert_cmpuint (json_array_get_length (executions), ==, 1);

  /* Back on time, all three run 17:00. */
  advance (fixture, 30 * 60);
  g_clear_pointer (&executions, json_array_unref);
  executions = wait_for_executions (fixture, OWNER, "skip", 2);
  g_clear_pointer (&times, g_free);
  times = fire_times (executions);
  g_assert_cmpstr (times, ==, "2027-06-01T11:00:00Z 2027-06-01T17:00:00Z");
  g_clear_pointer (&executions, json_array_unref);
  executions = wait_for_executions (fixture, OWNER, "once", 3);
  g_clear_pointer (&executions, json_array_unref);
  executions = wait_for_executions (fixture, OWNER, "all", 5);
}

static void
test_two_servers (Fixture       *fixture,
                  gconstpointer  data)
{
  /* At 15 s past: off the comparisons with the store, which run every 30 s on :00 and :30. */
  g_autofree char *flow = schedule_flow ("both", "\"cron\": \"15 */10 * * * *\"");
  g_autoptr(JsonArray) executions = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *times = NULL;
  Look zero, one;

  start_instance (fixture, 1);
  /* Activated through the first; the second learns of it from the store. */
  create_active_flow (fixture, OWNER, flow);
  g_assert_false (look (fixture, 1, "both").active);
  advance (fixture, DECA_SERVER_TRIGGERS_RESYNC_SECONDS);
  zero = look (fixture, 0, "both");
  one = look (fixture, 1, "both");
  g_assert_true (zero.active);
  g_assert_true (one.active);
  g_assert_cmpuint (zero.n_schedules, ==, 1);
  g_assert_cmpuint (one.n_schedules, ==, 1);

  /* 10:01 -> 10:41: four fires, each run once between the two. */
  advance (fixture, 40 * 60);
  executions = wait_for_executions (fixture, OWNER, "both", 4);
  times = fire_times (executions);
  g_assert_cmpstr (times, ==, "2027-06-01T10:10:15Z 2027-06-01T10:20:15Z 2027-06-01T10:30:15Z 2027-06-01T10:40:15Z");
  zero = look (fixture, 0, "both");
  g_assert_cmpuint (zero.n_audit, ==, 4);

  /* Deactivated through the second at 10:50:05. The first still has the schedule at
   * 10:50:15 (it compares with the store at 10:50:30), but checks the store before it
   * runs a fire; and drops the schedule at the comparison. */
  advance (fixture, 9 * 60 + 5);
  g_assert_cmpuint (call_instance (fixture, 1, OWNER, "POST", "/api/v1/flows/both/deactivate", NULL, &body), ==,
                    200);
  g_assert_true (look (fixture, 0, "both").active);
  advance (fixture, 15);
  on_server (fixture, turn_cb, NULL);
  g_clear_pointer (&executions, json_array_unref);
  executions = list_executions (fixture, OWNER, "both");
  g_assert_cmpuint (json_array_get_length (executions), ==, 4);
  advance (fixture, 30 * 60);
  g_assert_false (look (fixture, 0, "both").active);
  g_clear_pointer (&executions, json_array_unref);
  executions = list_executions (fixture, OWNER, "both");
  g_assert_cmpuint (json_array_get_length (executions), ==, 4);
}

static void
test_invalid_triggers (Fixture       *fixture,
                       gconstpointer  data)
{
  static const struct {
    const char *trigger;
    const char *pointer;
  } cases[] = {
    { "\"cron\": \"0 0 25 * * *\"", "/triggers/0/cron" },
    { "\"cron\": \"0 0 * * *\", \"timezone\": \"Mars/Olympus\"", "/triggers/0/timezone" },
    { "\"cron\": \"0 0 * * *\", \"missed\": \"sometimes\"", "/triggers/0/missed" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *flow = schedule_flow ("bad", cases[i].trigger);
      g_autoptr(JsonNode) body = NULL;
      JsonObject *details;
      JsonArray *problems;

      g_assert_cmpuint (CALL (fixture, OWNER, "POST", "/api/v1/flows", flow, &body), ==, 422);
      details = assert_error (body, "unprocessable");
      g_assert_nonnull (details);
      problems = json_object_get_array_member (details, "problems");
      g_assert_cmpuint (json_array_get_length (problems), >=, 1);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (problems, 0), "pointer"), ==,
                       cases[i].pointer);
    }
  g_assert_false (look (fixture, 0, "bad").active);
}

typedef struct {
  gint64 at;
  gboolean won;
} Claim;

static void
claim_cb (Fixture  *fixture,
          gpointer  data)
{
  Claim *claim = data;
  g_autoptr(GError) error = NULL;
  guint index = fixture->instances[0].server != NULL ? 0 : 1;

  claim->won = deca_store_claim_schedule_fire (deca_server_get_store (fixture->instances[index].server), "old",
                                               "schedule:UTC:0 0 * * * *", claim->at, "test", &error);
  g_assert_no_error (error);
}

static gboolean
claim (Fixture *fixture,
       gint64   at)
{
  Claim result = { at, FALSE };

  on_server (fixture, claim_cb, &result);
  return result.won;
}

static void
test_claims_pruned (Fixture       *fixture,
                    gconstpointer  data)
{
  gint64 now = JUNE_1_10_00_30;
  gint64 old = now - (DECA_SERVER_TRIGGERS_KEEP_CLAIMS_DAYS + 1) * 86400;
  gint64 recent = now - (DECA_SERVER_TRIGGERS_KEEP_CLAIMS_DAYS - 1) * 86400;

  g_assert_true (claim (fixture, old));
  g_assert_true (claim (fixture, recent));
  g_assert_false (claim (fixture, old));
  /* A start prunes the claims older than the limit, and only those. */
  stop_instance (fixture, 0);
  start_instance (fixture, 1);
  g_assert_true (claim (fixture, old));
  g_assert_false (claim (fixture, recent));
}

static void
store_broken_flow_cb (Fixture  *fixture,
                      gpointer  data)
{
  DecaStore *store = deca_server_get_store (fixture->instances[0].server);
  g_autoptr(GError) error = NULL;

  /* Saved past the API's validation (an older server, a node type since removed). */
  g_assert_true (deca_store_save_workspace_flow (store, "ws-a", "broken", "Broken",
                                                 "{\"id\": \"broken\", \"name\": \"Broken\","
                                                 " \"nodes\": [{\"id\": \"a\", \"type\": \"no_such_type\"}]}",
                                                 NULL, &error));
  g_assert_true (deca_store_set_workspace_flow_active (store, "ws-a", "broken", TRUE, &error));
  g_assert_no_error (error);
}

/* The lines of instance 0's log that contain @text. */
static guint
count_log_lines (Fixture    *fixture,
                 const char *text)
{
  g_autofree char *path = g_strdup_printf ("%s/log-0.jsonl", fixture->dir);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    n += strstr (lines[i], text) != NULL;
  return n;
}

static void
test_unloadable_flow (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *flow = schedule_flow ("tick", "\"cron\": \"0 */10 * * * *\"");
  g_autoptr(JsonArray) executions = NULL;

  /* An active flow that cannot be loaded is reported once, and the others run. */
  create_active_flow (fixture, OWNER, flow);
  on_server (fixture, store_broken_flow_cb, NULL);
  advance (fixture, 30 * 60);
  executions = wait_for_executions (fixture, OWNER, "tick", 3);
  g_assert_false (look (fixture, 0, "broken").active);
  stop_instance (fixture, 0);
  g_assert_cmpuint (count_log_lines (fixture, "flow broken of workspace ws-a: its triggers could not be activated"),
                    ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/triggers/fires-and-follows", Fixture, NULL, setup_june, test_fires_and_follows,
              fixture_teardown);
  g_test_add ("/server/triggers/dst-spring-forward", Fixture, NULL, setup_march, test_dst_spring_forward,
              fixture_teardown);
  g_test_add ("/server/triggers/dst-fall-back", Fixture, NULL, setup_october, test_dst_fall_back,
              fixture_teardown);
  g_test_add ("/server/triggers/missed-runs", Fixture, NULL, setup_june_half_past, test_missed_runs,
              fixture_teardown);
  g_test_add ("/server/triggers/two-servers", Fixture, NULL, setup_june, test_two_servers, fixture_teardown);
  g_test_add ("/server/triggers/claims-pruned", Fixture, NULL, setup_june, test_claims_pruned, fixture_teardown);
  g_test_add ("/server/triggers/unloadable-flow", Fixture, NULL, setup_june, test_unloadable_flow,
              fixture_teardown);
  g_test_add ("/server/triggers/invalid-triggers", Fixture, NULL, setup_june, test_invalid_triggers,
              fixture_teardown);
  return g_test_run ();
}
