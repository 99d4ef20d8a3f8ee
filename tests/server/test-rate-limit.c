/* test-rate-limit.c: token buckets against a manual clock. */

#include "deca-rate-limit.h"

#define SECOND ((gint64) G_USEC_PER_SEC)

static void
test_burst_then_rate (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (1000 * SECOND);
  g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (2.0, 5, DECA_CLOCK (clock));
  guint retry_after = 0;

  g_assert_cmpfloat (deca_rate_limiter_get_rate (limiter), ==, 2.0);
  g_assert_cmpuint (deca_rate_limiter_get_burst (limiter), ==, 5);

  /* A burst of five goes through, the sixth waits. */
  for (guint i = 0; i < 5; i++)
    g_assert_true (deca_rate_limiter_take (limiter, "key-a", &retry_after));
  g_assert_false (deca_rate_limiter_take (limiter, "key-a", &retry_after));
  /* At two a second the next token is half a second away: Retry-After rounds up to 1. */
  g_assert_cmpuint (retry_after, ==, 1);

  /* Other keys have buckets of their own. */
  g_assert_true (deca_rate_limiter_take (limiter, "key-b", NULL));

  /* Half a second later, one token. */
  deca_manual_clock_advance (clock, SECOND / 2);
  g_assert_true (deca_rate_limiter_take (limiter, "key-a", &retry_after));
  g_assert_false (deca_rate_limiter_take (limiter, "key-a", &retry_after));

  /* Ten seconds refill the bucket to its burst, not beyond. */
  deca_manual_clock_advance (clock, 10 * SECOND);
  for (guint i = 0; i < 5; i++)
    g_assert_true (deca_rate_limiter_take (limiter, "key-a", NULL));
  g_assert_false (deca_rate_limiter_take (limiter, "key-a", NULL));
}

static void
test_retry_after (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (0);
  /* One request a minute. */
  g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (1.0 / 60, 1, DECA_CLOCK (clock));
  guint retry_after = 0;

  g_assert_true (deca_rate_limiter_take (limiter, "k", &retry_after));
  g_assert_false (deca_rate_limiter_take (limiter, "k", &retry_after));
  g_assert_cmpuint (retry_after, ==, 60);

  deca_manual_clock_advance (clock, 20 * SECOND + 1);
  g_assert_false (deca_rate_limiter_take (limiter, "k", &retry_after));
  /* 39.999999 s to go: 40. */
  g_assert_cmpuint (retry_after, ==, 40);

  deca_manual_clock_advance (clock, 39 * SECOND);
  g_assert_false (deca_rate_limiter_take (limiter, "k", &retry_after));
  g_assert_cmpuint (retry_after, ==, 1);

  /* Waiting as long as it said is enough. */
  deca_manual_clock_advance (clock, 1 * SECOND);
  g_assert_true (deca_rate_limiter_take (limiter, "k", &retry_after));

  /* A refused request costs nothing: refusing again does not push the time further. */
  g_assert_false (deca_rate_limiter_take (limiter, "k", &retry_after));
  g_assert_cmpuint (retry_after, ==, 60);
  g_assert_false (deca_rate_limiter_take (limiter, "k", &retry_after));
  g_assert_cmpuint (retry_after, ==, 60);
}

static void
test_sustained_rate (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (0);
  g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (10.0, 10, DECA_CLOCK (clock));
  guint allowed = 0;

  /* A client calling every millisecond for 10 s gets the burst plus 10 a second. */
  for (guint ms = 0; ms < 10000; ms++)
    {
      if (deca_rate_limiter_take (limiter, "busy", NULL))
        allowed++;
      deca_manual_clock_advance (clock, 1000);
    }
  g_assert_cmpuint (allowed, >=, 10 + 99);
  g_assert_cmpuint (allowed, <=, 10 + 100);
}

static void
test_idle_buckets_forgotten (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (0);
  g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (1.0, 3, DECA_CLOCK (clock));

  /* A hundred clients empty their buckets. */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("client-%u", i);

      for (guint j = 0; j < 3; j++)
        g_assert_true (deca_rate_limiter_take (limiter, key, NULL));
    }
  g_assert_cmpuint (deca_rate_limiter_get_n_buckets (limiter), ==, 100);

  /* After a second each bucket has one of three tokens: all are kept. */
  deca_manual_clock_advance (clock, SECOND);
  g_assert_true (deca_rate_limiter_take (limiter, "client-0", NULL));
  g_assert_cmpuint (deca_rate_limiter_get_n_buckets (limiter), ==, 100);

  /* After three seconds the idle ones are full, the same as new, and dropped; client-0
   * (emptied again a second later) has two. */
  deca_manual_clock_advance (clock, 2 * SECOND);
  g_assert_true (deca_rate_limiter_take (limiter, "client-new", NULL));
  g_assert_cmpuint (deca_rate_limiter_get_n_buckets (limiter), ==, 2);

  /* A forgotten key starts with a full burst. */
  for (guint i = 0; i < 3; i++)
    g_assert_true (deca_rate_limiter_take (limiter, "client-50", NULL));
  g_assert_false (deca_rate_limiter_take (limiter, "client-50", NULL));
}

static void
test_max_buckets (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (0);
  /* Slow refill: nothing becomes idle during the test. */
  g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (0.001, 2, DECA_CLOCK (clock));

  deca_rate_limiter_set_max_buckets (limiter, 10);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *key = g_strdup_printf ("flood-%u", i);

      deca_rate_limiter_take (limiter, key, NULL);
      g_assert_cmpuint (deca_rate_limiter_get_n_buckets (limiter), <=, 10);
    }
  g_assert_cmpuint (deca_rate_limiter_get_n_buckets (limiter), ==, 10);

  /* The most recent keys are the ones kept: flood-999 has one token left, then none. */
  g_assert_true (deca_rate_limiter_take (limiter, "flood-999", NULL));
  g_assert_false (deca_rate_limiter_take (limiter, "flood-999", NULL));
  /* A key in active use survives a flood of new ones. */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("other-%u", i);

      deca_rate_limiter_take (limiter, key, NULL);
      if (i % 5 == 0)
        g_assert_false (deca_rate_limiter_take (limiter, "flood-999", NULL));
    }

  deca_rate_limiter_set_max_buckets (limiter, 3);
  g_assert_cmpuint (deca_rate_limiter_get_n_buckets (limiter), ==, 3);
}

static void
test_clocks (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (100 * SECOND);
  g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (1.0, 1, DECA_CLOCK (clock));
  g_autoptr(DecaRateLimiter) system = deca_rate_limiter_new (1.0, 1, NULL);

  g_assert_true (deca_rate_limiter_take (limiter, "k", NULL));
  g_assert_false (deca_rate_limiter_take (limiter, "k", NULL));
  deca_manual_clock_advance (clock, SECOND);
  g_assert_true (deca_rate_limiter_take (limiter, "k", NULL));
  /* The limiter with the system clock works too (its first take always succeeds). */
  g_assert_true (deca_rate_limiter_take (system, "k", NULL));
}

typedef struct {
  DecaRateLimiter *limiter;
  guint allowed;
} Taker;

static gpointer
take_many_cb (gpointer data)
{
  Taker *taker = data;

  for (guint i = 0; i < 2000; i++)
    {
      if (deca_rate_limiter_take (taker->limiter, "shared", NULL))
        taker->allowed++;
      /* New keys too, so that buckets are added and evicted while others take. */
      {
        g_autofree char *key = g_strdup_printf ("t%p-%u", (void *) taker, i);

        deca_rate_limiter_take (taker->limiter, key, NULL);
      }
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (0);
  g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (1.0, 1000, DECA_CLOCK (clock));
  Taker takers[4] = { 0 };
  GThread *threads[4];
  guint total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      takers[i].limiter = limiter;
      threads[i] = g_thread_new ("taker", take_many_cb, &takers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      total += takers[i].allowed;
    }
  /* The clock stood still and nothing was evicted: exactly the burst got through,
   * whoever took it, and every key has its bucket. */
  g_assert_cmpuint (total, ==, 1000);
  g_assert_cmpuint (deca_rate_limiter_get_n_buckets (limiter), ==, 1 + 4 * 2000);
}

/* A peek says what a take would, and changes nothing: no bucket made, no token taken. */
static void
test_peek (void)
{
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new (0);
  g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (0.5, 2, DECA_CLOCK (clock));
  guint retry_after = 0;

  for (guint i = 0; i < 10; i++)
    g_assert_true (deca_rate_limiter_peek (limiter, "key-a", &retry_after));
  g_assert_cmpuint (deca_rate_limiter_get_n_buckets (limiter), ==, 0);
  g_assert_true (deca_rate_limiter_take (limiter, "key-a", NULL));
  g_assert_true (deca_rate_limiter_peek (limiter, "key-a", NULL));
  g_assert_true (deca_rate_limiter_take (limiter, "key-a", NULL));
  /* Empty: a token every two seconds. */
  g_assert_false (deca_rate_limiter_peek (limiter, "key-a", &retry_after));
  g_assert_cmpuint (retry_after, ==, 2);
  deca_manual_clock_advance (clock, SECOND);
  g_assert_false (deca_rate_limiter_peek (limiter, "key-a", &retry_after));
  g_assert_cmpuint (retry_after, ==, 1);
  deca_manual_clock_advance (clock, SECOND);
  g_assert_true (deca_rate_limiter_peek (limiter, "key-a", NULL));
  g_assert_true (deca_rate_limiter_peek (limiter, "key-a", NULL));
  g_assert_true (deca_rate_limiter_take (limiter, "key-a", NULL));
  g_assert_false (deca_rate_limiter_take (limiter, "key-a", NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deca/server/rate-limit/burst-then-rate", test_burst_then_rate);
  g_test_add_func ("/deca/server/rate-limit/retry-after", test_retry_after);
  g_test_add_func ("/deca/server/rate-limit/sustained-rate", test_sustained_rate);
  g_test_add_func ("/deca/server/rate-limit/idle-buckets-forgotten", test_idle_buckets_forgotten);
  g_test_add_func ("/deca/server/rate-limit/max-buckets", test_max_buckets);
  g_test_add_func ("/deca/server/rate-limit/clocks", test_clocks);
  g_test_add_func ("/deca/server/rate-limit/threads", test_threads);
  g_test_add_func ("/deca/server/rate-limit/peek", test_peek);
  return g_test_run ();
}
