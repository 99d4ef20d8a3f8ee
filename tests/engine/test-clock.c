/* Clocks (manual and system) and circuit breakers. */

#include <string.h>

#include <glib/gstdio.h>

#include "deca-engine.h"
#include "deca-circuit-breaker.h"

typedef struct {
  guint fired;
  guint notified;
} Counts;

static gboolean
record_cb (gpointer data)
{
  ((Counts *) data)->fired++;
  return G_SOURCE_REMOVE;
}

typedef struct {
  DecaManualClock *clock;
  GArray *times;
} Chain;

static gboolean
chain_cb (gpointer data)
{
  Chain *chain = data;
  gint64 now = deca_clock_now_us (DECA_CLOCK (chain->clock));

  g_array_append_val (chain->times, now);
  if (chain->times->len < 3)
    deca_clock_add_timeout (DECA_CLOCK (chain->clock), 10, chain_cb, chain, NULL);
  return G_SOURCE_REMOVE;
}

static void
count_notify (gpointer data)
{
  ((Counts *) data)->notified++;
}

static void
test_manual_clock (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (1000);
  Counts counts = { 0 };
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  Chain chain = { clock, times };
  guint removed;

  g_assert_cmpint (deca_clock_now_us (DECA_CLOCK (clock)), ==, 1000);
  g_assert_cmpint (deca_manual_clock_next_due (clock), ==, -1);
  deca_clock_add_timeout (DECA_CLOCK (clock), 50, record_cb, &counts, count_notify);
  removed = deca_clock_add_timeout (DECA_CLOCK (clock), 20, record_cb, &counts, count_notify);
  deca_clock_add_timeout (DECA_CLOCK (clock), -5, record_cb, &counts, count_notify);
  g_assert_cmpuint (deca_manual_clock_get_pending (clock), ==, 3);
  g_assert_cmpint (deca_manual_clock_next_due (clock), ==, 1000);

  deca_clock_remove_timeout (DECA_CLOCK (clock), removed);
  g_assert_cmpuint (counts.notified, ==, 1);
  g_assert_cmpuint (deca_manual_clock_advance (clock, 49), ==, 1);
  g_assert_cmpuint (counts.fired, ==, 1);
  g_assert_cmpuint (deca_manual_clock_advance (clock, 1), ==, 1);
  g_assert_cmpuint (counts.fired, ==, 2);
  g_assert_cmpuint (counts.notified, ==, 3);
  g_assert_cmpint (deca_clock_now_us (DECA_CLOCK (clock)), ==, 1050);

  /* Timeouts added by callbacks fire within the same advance, each at its own time. */
  deca_clock_add_timeout (DECA_CLOCK (clock), 10, chain_cb, &chain, NULL);
  g_assert_cmpuint (deca_manual_clock_advance (clock, 100), ==, 3);
  g_assert_cmpint (g_array_index (times, gint64, 0), ==, 1060);
  g_assert_cmpint (g_array_index (times, gint64, 1), ==, 1070);
  g_assert_cmpint (g_array_index (times, gint64, 2), ==, 1080);
  g_assert_cmpint (deca_clock_now_us (DECA_CLOCK (clock)), ==, 1150);
}

static gboolean
quit_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_system_clock (void)
{
  g_autoptr(DecaClock) clock = deca_system_clock_get_default ();
  gboolean done = FALSE, never = FALSE;
  gint64 before = deca_clock_now_us (clock);
  guint id;

  g_assert_cmpint (before, >, 0);
  deca_clock_add_timeout (clock, 1000, quit_cb, &done, NULL);
  id = deca_clock_add_timeout (clock, 0, quit_cb, &never, NULL);
  deca_clock_remove_timeout (clock, id);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (never);
  g_assert_cmpint (deca_clock_now_us (clock), >=, before + 1000);
}

static void
test_breaker (void)
{
  g_autoptr(DecaCircuitBreaker) breaker = deca_circuit_breaker_new ();
  gint64 retry_at = 0;

  g_assert_true (deca_circuit_breaker_allow (breaker, "t", 0, 100, NULL));
  deca_circuit_breaker_record (breaker, "t", FALSE, 0, 3);
  deca_circuit_breaker_record (breaker, "t", FALSE, 1, 3);
  g_assert_cmpint (deca_circuit_breaker_get_state (breaker, "t"), ==, DECA_CIRCUIT_CLOSED);
  /* A success in between resets the count. */
  deca_circuit_breaker_record (breaker, "t", TRUE, 2, 3);
  deca_circuit_breaker_record (breaker, "t", FALSE, 3, 3);
  deca_circuit_breaker_record (breaker, "t", FALSE, 4, 3);
  g_assert_cmpint (deca_circuit_breaker_get_state (breaker, "t"), ==, DECA_CIRCUIT_CLOSED);
  deca_circuit_breaker_record (breaker, "t", FALSE, 5, 3);
  g_assert_cmpint (deca_circuit_breaker_get_state (breaker, "t"), ==, DECA_CIRCUIT_OPEN);
  g_assert_false (deca_circuit_breaker_allow (breaker, "t", 50, 100, &retry_at));
  g_assert_cmpint (retry_at, ==, 105);
  /* Other targets are unaffected. */
  g_assert_true (deca_circuit_breaker_allow (breaker, "other", 50, 100, NULL));
  /* Half-open: one trial only. */
  g_assert_true (deca_circuit_breaker_allow (breaker, "t", 105, 100, NULL));
  g_assert_cmpint (deca_circuit_breaker_get_state (breaker, "t"), ==, DECA_CIRCUIT_HALF_OPEN);
  g_assert_false (deca_circuit_breaker_allow (breaker, "t", 106, 100, NULL));
  /* The trial fails: open again, with a new cool-down. */
  deca_circuit_breaker_record (breaker, "t", FALSE, 110, 3);
  g_assert_cmpint (deca_circuit_breaker_get_state (breaker, "t"), ==, DECA_CIRCUIT_OPEN);
  g_assert_false (deca_circuit_breaker_allow (breaker, "t", 200, 100, NULL));
  g_assert_true (deca_circuit_breaker_allow (breaker, "t", 210, 100, NULL));
  deca_circuit_breaker_record (breaker, "t", TRUE, 211, 3);
  g_assert_cmpint (deca_circuit_breaker_get_state (breaker, "t"), ==, DECA_CIRCUIT_CLOSED);
}

static void
test_credentials_file (void)
{
  g_autoptr(DecaMemoryCredentialProvider) provider = deca_memory_credential_provider_new ();
  g_autofree char *dir = g_dir_make_tmp ("deca-cred-XXXXXX", NULL);
  g_autofree char *good = g_build_filename (dir, "good.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = NULL;

  g_file_set_contents (good, "{\"openai\": {\"api_key\": \"k1\"}}", -1, NULL);
  g_file_set_contents (bad, "{\"zendesk\": {\"token\": \"t\"}, \"broken\": 3}", -1, NULL);
  g_assert_true (deca_memory_credential_provider_load_file (provider, good, &error));
  g_assert_no_error (error);
  fields = deca_credential_provider_lookup (DECA_CREDENTIAL_PROVIDER (provider), "openai", &error);
  g_assert_cmpstr (json_object_get_string_member (fields, "api_key"), ==, "k1");

  /* A bad file names itself and the credential, and changes nothing. */
  g_assert_false (deca_memory_credential_provider_load_file (provider, bad, &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);
  g_assert_nonnull (strstr (error->message, "broken"));
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);
  g_assert_null (deca_credential_provider_lookup (DECA_CREDENTIAL_PROVIDER (provider), "zendesk", &error));
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL);

  g_remove (good);
  g_remove (bad);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/clock/manual", test_manual_clock);
  g_test_add_func ("/deca/engine/clock/system", test_system_clock);
  g_test_add_func ("/deca/engine/circuit-breaker/states", test_breaker);
  g_test_add_func ("/deca/engine/credentials/file", test_credentials_file);

  return g_test_run ();
}
