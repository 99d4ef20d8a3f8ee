/* test-cron-describe.c: cron expressions in plain language, and next fire times. */

#include <glib.h>
#include <string.h>

#include "deca-cron.h"
#include "deca-engine-error.h"

static const struct {
  const char *expression;
  const char *sentence;
} sentences[] = {
  /* The forms the trigger editor shows most. */
  { "* * * * *", "Every minute" },
  { "*/5 * * * *", "Every 5 minutes" },
  { "*/1 * * * *", "Every minute" },
  { "0 9 * * *", "At 09:00" },
  { "0 9 * * 1-5", "At 09:00 on Monday through Friday" },
  { "0 9 * * mon-FRI", "At 09:00 on Monday through Friday" },
  { "  0\t9 *  * 1-5 ", "At 09:00 on Monday through Friday" },
  { "15 * * * *", "At minute 15 past every hour" },
  { "0 * * * *", "At minute 0 past every hour" },
  { "0 0 1 * *", "At 00:00 on day 1 of the month" },
  { "30 12 1,15 1,7 *", "At 12:30 on the 1st and 15th of the month in January and July" },
  { "30 12 15,1 JAN,JUL *", "At 12:30 on the 1st and 15th of the month in January and July" },
  { "*/10 * * * * *", "Every 10 seconds" },
  { "* * * * * *", "Every second" },

  /* Macros, in any case. */
  { "@daily", "Every day at 00:00" },
  { "@midnight", "Every day at 00:00" },
  { "@DAILY", "Every day at 00:00" },
  { "@hourly", "Every hour" },
  { "@weekly", "Every Sunday at 00:00" },
  { "@monthly", "Every month on day 1 at 00:00" },
  { "@yearly", "Every year on January 1 at 00:00" },
  { " @annually ", "Every year on January 1 at 00:00" },

  /* Times of day. */
  { "0 9,17 * * *", "At 09:00 and 17:00" },
  { "30,0 9 * * *", "At 09:00 and 09:30" },
  { "0,30 9,17 * * *", "At 09:00, 09:30, 17:00 and 17:30" },
  { "5 9,9 * * *", "At 09:05" },
  { "30 0 12 * * *", "At 12:00:30" },
  { "0 0 12 * * ?", "At 12:00" },
  { "0,15,30,45 8,9,10,11 * * *", "At minutes 0, 15, 30 and 45 past hours 8, 9, 10 and 11" },

  /* Minutes and hours. */
  { "*/15 9-17 * * *", "Every 15 minutes between 09:00 and 17:59" },
  { "*/15 9 * * *", "Every 15 minutes between 09:00 and 09:59" },
  { "* 9,17 * * *", "Every minute during hours 9 and 17" },
  { "0 9-17 * * 1-5", "At minute 0 past every hour from 9 through 17 on Monday through Friday" },
  { "0 */2 * * *", "At minute 0 past every 2nd hour" },
  { "0 8-20/3 * * *", "At minute 0 past every 3rd hour from 8 through 20" },
  { "* */2 * * *", "Every minute during every 2nd hour" },
  { "0-30 9 * * *", "At minutes 0 through 30 past hour 9" },
  { "15,45 * * * *", "At minutes 15 and 45 past every hour" },
  { "10-40/10 * * * *", "Every 10 minutes from minute 10 through 40" },
  { "5/10 * * * *", "Every 10 minutes from minute 5 through 59" },
  { "0 1-3,22 * * *", "At minute 0 past hours 1 through 3 and 22" },
  { "0,10-30/10 * * * *", "At minutes 0 and every 10th minute from 10 through 30 past every hour" },

  /* Seconds. */
  { "30 * * * * *", "At second 30 past every minute" },
  { "0,30 * * * * *", "At seconds 0 and 30 past every minute" },
  { "*/10 * 9 * * *", "Every 10 seconds between 09:00 and 09:59" },
  { "*/10 5 * * * *", "Every 10 seconds during minute 5 past every hour" },
  { "15 */5 * * * *", "At second 15 of every 5th minute" },
  { "0 * * * * *", "Every minute" },

  /* Days of the week. */
  { "0 0 * * 0", "At 00:00 on Sunday" },
  { "0 0 * * 7", "At 00:00 on Sunday" },
  { "0 0 * * 1,3,5", "At 00:00 on Monday, Wednesday and Friday" },
  { "0 0 * * 5-7", "At 00:00 on Friday through Sunday" },
  { "0 0 * * sat,SUN", "At 00:00 on Saturday and Sunday" },
  { "0 0 * * */2", "At 00:00 on every 2nd day of the week" },
  { "0 0 ? * 1", "At 00:00 on Monday" },

  /* Days of the month, and both day fields (Vixie cron: either, unless one starts
   * with "*"). */
  { "0 0 1-7 * *", "At 00:00 on days 1 through 7 of the month" },
  { "0 0 */3 * *", "At 00:00 on every 3rd day of the month" },
  { "0 0 21,22,23,11,12,13,2,3 * *",
    "At 00:00 on the 2nd, 3rd, 11th, 12th, 13th, 21st, 22nd and 23rd of the month" },
  { "0 0 1,10-12 * *", "At 00:00 on days 1 and 10 through 12 of the month" },
  { "0 0 1 * MON", "At 00:00 on day 1 of the month and on Monday" },
  { "0 0 */2 * MON,FRI",
    "At 00:00 on every 2nd day of the month, if it falls on Monday or Friday" },

  /* Lists that cover a whole field are "every". */
  { "0-59 0-23 1-31 1-12 0-7", "Every minute" },
  { "0 0 * 1-12 1-7", "At 00:00" },
  { "0 0 1-31 * 1-5", "At 00:00" },
  { "0 0 */1 * 1-5", "At 00:00 on Monday through Friday" },
  { "0 0 * * 0-4,5,6", "At 00:00" },

  /* Months. */
  { "0 0 1 1 *", "At 00:00 on day 1 of the month in January" },
  { "0 0 1 1-6 *", "At 00:00 on day 1 of the month in January through June" },
  { "0 0 1 */3 *", "At 00:00 on day 1 of the month in every 3rd month" },
  { "0 0 1 3/3 *",
    "At 00:00 on day 1 of the month in every 3rd month from March through December" },
  { "0 12 * dec *", "At 12:00 in December" },
};

static void
test_describe (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (sentences); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *sentence = deca_cron_describe (sentences[i].expression, &error);

      g_test_message ("'%s'", sentences[i].expression);
      g_assert_no_error (error);
      g_assert_cmpstr (sentence, ==, sentences[i].sentence);
    }
}

static const char * const invalid_expressions[] = {
  "",
  "   ",
  "* * * *",
  "0 24 * * *",
  "x * * * *",
  "0 0 * FOO *",
  "*/0 * * * *",
  "5-1 * * * *",
  "@sometimes",
};

/* Errors are the parser's own, so the editor shows the same message as the validator. */
static void
test_describe_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_expressions); i++)
    {
      g_autoptr(GError) parse_error = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaCron) cron = deca_cron_parse (invalid_expressions[i], &parse_error);
      g_autofree char *sentence = deca_cron_describe (invalid_expressions[i], &error);

      g_test_message ("'%s'", invalid_expressions[i]);
      g_assert_null (cron);
      g_assert_null (sentence);
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, parse_error->message);
    }

  g_assert_null (deca_cron_describe (NULL, NULL));
}

/* A list far longer than it has distinct values says each value once. */
static void
test_describe_repeats (void)
{
  g_autoptr(GString) expression = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *sentence = NULL;

  for (guint i = 0; i < 500; i++)
    g_string_append (expression, i % 2 ? "45," : "15,");
  g_string_append (expression, "15 * * * *");
  sentence = deca_cron_describe (expression->str, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sentence, ==, "At minutes 15 and 45 past every hour");
}

/* Every valid expression that the parser's tests use gets some sentence. */
static void
test_describe_total (void)
{
  static const char * const expressions[] = {
    "15,45 */2 1-10/3 * *", "0 0 ? * 1", "0 0 12 * * ?", "5/10 * * * *",
    "0 0 30 2 *", "59 59 23 31 12 7", "1-2,3-4,5/5 */7 * * *",
    "1-3/2,2-3/2,1 * 1-31/10,5 */2 1-7/3,0", "0 0 * * 7,0,SUN", "* * * * * 0-7/7",
  };

  for (guint i = 0; i < G_N_ELEMENTS (expressions); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *sentence = deca_cron_describe (expressions[i], &error);

      g_assert_no_error (error);
      g_test_message ("'%s': %s", expressions[i], sentence);
      g_assert_nonnull (sentence);
      g_assert_cmpuint (strlen (sentence), >, 0);
    }
}

static GTimeZone *
berlin (void)
{
  GTimeZone *tz = g_time_zone_new_identifier ("Europe/Berlin");

  if (tz == NULL)
    g_test_skip ("the time zone Europe/Berlin is not installed (tzdata)");
  return tz;
}

static void
assert_times (GPtrArray          *times,
              const char * const *expected)
{
  for (guint i = 0; i < times->len; i++)
    {
      g_autofree char *text = g_date_time_format_iso8601 (times->pdata[i]);

      g_test_message ("%s", text);
      g_assert_nonnull (expected[i]);
      g_assert_cmpstr (text, ==, expected[i]);
    }
  g_assert_null (expected[times->len]);
}

/* Weekdays at 09:00 in Berlin keep 09:00 on the wall clock across both DST changes of
 * 2025 (30 March, 26 October); the UTC offset changes with them. */
static void
test_next_times_dst (void)
{
  static const char * const spring[] = {
    "2025-03-28T09:00:00+01", "2025-03-31T09:00:00+02", "2025-04-01T09:00:00+02",
    "2025-04-02T09:00:00+02", "2025-04-03T09:00:00+02", NULL
  };
  static const char * const autumn[] = {
    "2025-10-24T09:00:00+02", "2025-10-27T09:00:00+01", "2025-10-28T09:00:00+01",
    "2025-10-29T09:00:00+01", "2025-10-30T09:00:00+01", NULL
  };
  g_autoptr(GTimeZone) tz = berlin ();
  g_autoptr(GDateTime) march = NULL;
  g_autoptr(GDateTime) october = NULL;
  g_autoptr(GPtrArray) times = NULL;
  g_autoptr(GError) error = NULL;

  if (tz == NULL)
    return;

  /* Thursday noon, so the first time is Friday. */
  march = g_date_time_new (tz, 2025, 3, 27, 12, 0, 0);
  times = deca_cron_next_times ("0 9 * * 1-5", tz, march, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (times->len, ==, 5);
  assert_times (times, spring);
  for (guint i = 0; i < times->len; i++)
    {
      GDateTime *time = times->pdata[i];

      g_assert_cmpint (g_date_time_get_hour (time), ==, 9);
      g_assert_cmpint (g_date_time_get_minute (time), ==, 0);
      g_assert_cmpint (g_date_time_get_day_of_week (time), <=, 5);
      g_assert_cmpstr (g_date_time_get_timezone_abbreviation (time), ==,
                       i == 0 ? "CET" : "CEST");
    }
  g_clear_pointer (&times, g_ptr_array_unref);

  october = g_date_time_new (tz, 2025, 10, 23, 12, 0, 0);
  times = deca_cron_next_times ("0 9 * * 1-5", tz, october, 5, &error);
  g_assert_no_error (error);
  assert_times (times, autumn);
}

static void
test_next_times_utc (void)
{
  static const char * const hourly[] = {
    "2025-01-01T01:00:00Z", "2025-01-01T02:00:00Z", "2025-01-01T03:00:00Z", NULL
  };
  static const char * const none[] = { NULL };
  g_autoptr(GDateTime) after = g_date_time_new_utc (2025, 1, 1, 0, 30, 0);
  g_autoptr(GPtrArray) times = NULL;
  g_autoptr(GPtrArray) empty = NULL;
  g_autoptr(GPtrArray) never = NULL;
  g_autoptr(GPtrArray) invalid = NULL;
  g_autoptr(GError) error = NULL;

  /* A NULL zone is UTC. */
  times = deca_cron_next_times ("@hourly", NULL, after, 3, &error);
  g_assert_no_error (error);
  assert_times (times, hourly);

  empty = deca_cron_next_times ("* * * * *", NULL, after, 0, &error);
  g_assert_no_error (error);
  assert_times (empty, none);

  /* 30 February never comes: no times, and no error. */
  never = deca_cron_next_times ("0 0 30 2 *", NULL, after, 5, &error);
  g_assert_no_error (error);
  assert_times (never, none);

  invalid = deca_cron_next_times ("0 24 * * *", NULL, after, 5, &error);
  g_assert_null (invalid);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "field 2 (hour): 24 is out of range 0-23");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/cron-describe/sentences", test_describe);
  g_test_add_func ("/deca/engine/cron-describe/errors", test_describe_errors);
  g_test_add_func ("/deca/engine/cron-describe/repeats", test_describe_repeats);
  g_test_add_func ("/deca/engine/cron-describe/total", test_describe_total);
  g_test_add_func ("/deca/engine/cron-describe/next-times-dst", test_next_times_dst);
  g_test_add_func ("/deca/engine/cron-describe/next-times-utc", test_next_times_utc);

  return g_test_run ();
}
