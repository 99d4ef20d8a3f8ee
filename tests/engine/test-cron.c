/* test-cron.c: parsing and next-fire computation of cron expressions. */

#include <glib.h>
#include <string.h>

#include "deca-cron.h"
#include "deca-engine-error.h"

/* Texts that must parse. */
static const char * const valid_specs[] = {
  "* * * * *",
  "*/5 * * * *",
  "0 9-17 * * MON-FRI",
  "0 0 1,15 * *",
  "30 4 1 jan,jul *",
  "0 0 * * 7",
  "0 0 ? * 1",
  "15,45 */2 1-10/3 * *",
  "0 0 12 * * ?",
  "0  0\t1 1 *",
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@HOURLY",
  "5/10 * * * *",
};

static void
test_parse_valid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_specs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaCron) cron = deca_cron_parse (valid_specs[i], &error);

      g_test_message ("%s", valid_specs[i]);
      g_assert_no_error (error);
      g_assert_nonnull (cron);
    }
}

/* Texts that must fail, with a substring of the message. */
static const struct {
  const char *text;
  const char *message;
} invalid_specs[] = {
  { "", "empty" },
  { "   ", "empty" },
  { "* * * *", "found 4" },
  { "* * * * * * *", "found 7" },
  { "60 * * * *", "field 1 (minute): 60 is out of range 0-59" },
  { "0 24 * * *", "field 2 (hour): 24 is out of range 0-23" },
  { "0 0 0 * *", "field 3 (day of month): 0 is out of range 1-31" },
  { "0 0 32 * *", "field 3 (day of month): 32 is out of range 1-31" },
  { "0 0 * 13 *", "field 4 (month): 13 is out of range 1-12" },
  { "0 0 * * 8", "field 5 (day of week): 8 is out of range 0-7" },
  { "60 0 0 * * *", "field 1 (second): 60 is out of range 0-59" },
  { "0 60 0 * * *", "field 2 (minute)" },
  { "x * * * *", "field 1 (minute): 'x' is not a number" },
  { "0 0 * FOO *", "field 4 (month): 'FOO' is not a number or a name" },
  { "0 0 * * MONDAY", "field 5 (day of week): 'MONDAY'" },
  { "*/0 * * * *", "the step must be at least 1" },
  { "*/x * * * *", "invalid step" },
  { "*/ * * * *", "invalid step" },
  { "5-1 * * * *", "the range 5-1 ends before it starts" },
  { "1,,2 * * * *", "empty list item" },
  { "? * * * *", "'?' is only allowed" },
  { "@sometimes", "unknown macro '@sometimes'" },
  { "-1 * * * *", "field 1 (minute)" },
  { "1-2-3 * * * *", "field 1 (minute)" },
  { "99999999999999999999 * * * *", "field 1 (minute)" },
};

static void
test_parse_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_specs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaCron) cron = deca_cron_parse (invalid_specs[i].text, &error);

      g_test_message ("'%s' -> %s", invalid_specs[i].text, error ? error->message : "(none)");
      g_assert_null (cron);
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, invalid_specs[i].message));
    }
}

/* Next-fire cases: spec, zone (NULL = UTC), "after" and the expected result as ISO 8601
 * (NULL = none within five years). */
static const struct {
  const char *spec;
  const char *zone;
  const char *after;
  const char *expected;
} next_cases[] = {
  /* Strictly after: a time that matches exactly moves on. */
  { "* * * * *", NULL, "2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z" },
  { "* * * * *", NULL, "2024-01-01T00:00:30.5Z", "2024-01-01T00:01:00Z" },
  { "*/15 * * * *", NULL, "2024-01-01T00:14:59Z", "2024-01-01T00:15:00Z" },
  { "0 9-17 * * MON-FRI", NULL, "2024-01-05T17:00:00Z", "2024-01-08T09:00:00Z" },
  /* Seconds field. */
  { "*/10 * * * * *", NULL, "2024-01-01T00:00:05Z", "2024-01-01T00:00:10Z" },
  { "30 0 0 * * *", NULL, "2024-01-01T00:00:30Z", "2024-01-02T00:00:30Z" },
  /* Month ends and year ends. */
  { "0 0 31 * *", NULL, "2024-04-01T00:00:00Z", "2024-05-31T00:00:00Z" },
  { "0 0 1 * *", NULL, "2024-12-15T10:00:00Z", "2025-01-01T00:00:00Z" },
  { "59 23 31 12 *", NULL, "2024-12-31T23:59:00Z", "2025-12-31T23:59:00Z" },
  /* Leap years: 29 February. */
  { "0 0 29 2 *", NULL, "2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z" },
  { "0 0 29 2 *", NULL, "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z" },
  /* 2100 is not a leap year, so the next 29 February is more than five years away. */
  { "0 0 29 2 *", NULL, "2097-01-01T00:00:00Z", NULL },
  /* Impossible dates. */
  { "0 0 30 2 *", NULL, "2024-01-01T00:00:00Z", NULL },
  { "0 0 31 4,6,9,11 *", NULL, "2024-01-01T00:00:00Z", NULL },
  /* Vixie: both day fields restricted -> either matches. 2024-01-13 is a Saturday;
   * the next Monday is the 15th, the next 20th is later. */
  { "0 0 20 * MON", NULL, "2024-01-13T00:00:00Z", "2024-01-15T00:00:00Z" },
  { "0 0 14 * MON", NULL, "2024-01-13T00:00:00Z", "2024-01-14T00:00:00Z" },
  /* One unrestricted ("*"): only the restricted one decides. */
  { "0 0 1 * MON", NULL, "2024-06-02T00:00:00Z", "2024-06-03T00:00:00Z" },
  /* As in Vixie cron, a field starting with "*" counts as unrestricted even with a step,
   * so here both must match: the next 1st that is a Sunday. */
  { "0 0 1 * */7", NULL, "2024-06-02T00:00:00Z", "2024-09-01T00:00:00Z" },
  { "0 0 1 * *", NULL, "2024-06-02T00:00:00Z", "2024-07-01T00:00:00Z" },
  { "0 0 * * 1", NULL, "2024-06-02T00:00:00Z", "2024-06-03T00:00:00Z" },
  { "0 0 ? * 7", NULL, "2024-06-03T00:00:00Z", "2024-06-09T00:00:00Z" },
  /* Names and macros. */
  { "0 12 * feb sun", NULL, "2024-01-01T00:00:00Z", "2024-02-04T12:00:00Z" },
  { "@weekly", NULL, "2024-01-01T00:00:00Z", "2024-01-07T00:00:00Z" },
  { "@hourly", NULL, "2024-01-01T10:30:00Z", "2024-01-01T11:00:00Z" },
  { "@yearly", NULL, "2024-06-01T00:00:00Z", "2025-01-01T00:00:00Z" },
  /* A zone: 09:00 in Berlin is 08:00 UTC in winter, 07:00 UTC in summer. */
  { "0 9 * * *", "Europe/Berlin", "2024-01-10T12:00:00Z", "2024-01-11T09:00:00+01:00" },
  { "0 9 * * *", "Europe/Berlin", "2024-07-10T12:00:00Z", "2024-07-11T09:00:00+02:00" },
  /* Spring forward (2024-03-31, 02:00 CET -> 03:00 CEST): 02:30 does not exist and fires
   * when the clocks have jumped; the next day it is back to normal. */
  { "30 2 * * *", "Europe/Berlin", "2024-03-29T12:00:00Z", "2024-03-30T02:30:00+01:00" },
  { "30 2 * * *", "Europe/Berlin", "2024-03-30T02:30:00+01:00", "2024-03-31T03:00:00+02:00" },
  { "30 2 * * *", "Europe/Berlin", "2024-03-31T03:00:00+02:00", "2024-04-01T02:30:00+02:00" },
  /* A wildcard job runs by real time: hourly across the jump is 01:00 CET, then 03:00
   * CEST, one hour later; 02:30 does not exist, so "30 * * * *" goes 01:30 -> 03:30. */
  { "0 * * * *", "Europe/Berlin", "2024-03-31T01:00:00+01:00", "2024-03-31T03:00:00+02:00" },
  { "30 * * * *", "Europe/Berlin", "2024-03-31T01:30:00+01:00", "2024-03-31T03:30:00+02:00" },
  /* ... and through both passes of the repeated hour in autumn. */
  { "0 * * * *", "Europe/Berlin", "2024-10-27T01:00:00+02:00", "2024-10-27T02:00:00+02:00" },
  { "0 * * * *", "Europe/Berlin", "2024-10-27T02:00:00+02:00", "2024-10-27T02:00:00+01:00" },
  { "0 * * * *", "Europe/Berlin", "2024-10-27T02:00:00+01:00", "2024-10-27T03:00:00+01:00" },
  /* Fall back (2024-10-27, 03:00 CEST -> 02:00 CET): 02:30 exists twice and fires once,
   * at its first occurrence. */
  { "30 2 * * *", "Europe/Berlin", "2024-10-26T12:00:00Z", "2024-10-27T02:30:00+02:00" },
  { "30 2 * * *", "Europe/Berlin", "2024-10-27T02:30:00+02:00", "2024-10-28T02:30:00+01:00" },
  /* Asked from inside the second pass, the second occurrence is the next one. */
  { "45 2 * * *", "Europe/Berlin", "2024-10-27T02:10:00+01:00", "2024-10-27T02:45:00+01:00" },
  /* "after" in another zone than the schedule. */
  { "0 0 * * *", "Europe/Berlin", "2024-01-01T22:59:59Z", "2024-01-02T00:00:00+01:00" },
};

static void
test_next (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (next_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaCron) cron = deca_cron_parse (next_cases[i].spec, &error);
      g_autoptr(GTimeZone) tz = NULL;
      g_autoptr(GDateTime) after = NULL;
      g_autoptr(GDateTime) next = NULL;

      g_test_message ("case %u: '%s' after %s", i, next_cases[i].spec, next_cases[i].after);
      g_assert_no_error (error);
      if (next_cases[i].zone != NULL)
        {
          tz = g_time_zone_new_identifier (next_cases[i].zone);
          g_assert_nonnull (tz);
        }
      after = g_date_time_new_from_iso8601 (next_cases[i].after, NULL);
      g_assert_nonnull (after);

      next = deca_cron_next (cron, after, tz);
      if (next_cases[i].expected == NULL)
        {
          g_assert_null (next);
        }
      else
        {
          g_autoptr(GDateTime) expected = g_date_time_new_from_iso8601 (next_cases[i].expected,
                                                                        NULL);
          g_autofree char *got = NULL;

          g_assert_nonnull (expected);
          g_assert_nonnull (next);
          got = g_date_time_format_iso8601 (next);
          g_test_message ("  got %s", got);
          g_assert_cmpint (g_date_time_to_unix (next), ==, g_date_time_to_unix (expected));
          g_assert_cmpint (g_date_time_get_utc_offset (next), ==,
                           g_date_time_get_utc_offset (expected));
        }
    }
}

/* Walking a schedule across a whole year must never repeat or go backwards, and must give
 * the expected number of firings (twice a day, 366 days in 2024, one skipped per DST
 * change does not apply to 01:00/13:00). */
static void
test_walk_year (void)
{
  g_autoptr(DecaCron) cron = deca_cron_parse ("0 1,13 * * *", NULL);
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GDateTime) end = g_date_time_new (tz, 2025, 1, 1, 0, 0, 0);
  GDateTime *t = g_date_time_new (tz, 2024, 1, 1, 0, 0, 0);
  guint count = 0;

  for (;;)
    {
      GDateTime *next = deca_cron_next (cron, t, tz);

      g_assert_nonnull (next);
      g_assert_cmpint (g_date_time_compare (next, t), >, 0);
      g_date_time_unref (t);
      t = next;
      if (g_date_time_compare (t, end) >= 0)
        break;
      g_assert_cmpint (g_date_time_get_minute (t), ==, 0);
      count++;
    }
  g_date_time_unref (t);
  g_assert_cmpuint (count, ==, 2 * 366);
}

/* Every minute through both DST changes of 2024 in Berlin: a wildcard job runs by real
 * time, so every step is exactly 60 s, through the spring jump and the autumn repeat. */
static void
test_walk_dst (void)
{
  g_autoptr(DecaCron) cron = deca_cron_parse ("* * * * *", NULL);
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
  const char *starts[] = { "2024-03-31T00:00:00+01:00", "2024-10-27T00:00:00+02:00" };

  for (guint s = 0; s < G_N_ELEMENTS (starts); s++)
    {
      GDateTime *t = g_date_time_new_from_iso8601 (starts[s], NULL);

      for (guint i = 0; i < 6 * 60; i++)
        {
          GDateTime *next = deca_cron_next (cron, t, tz);
          GTimeSpan delta;

          g_assert_nonnull (next);
          delta = g_date_time_difference (next, t);
          g_assert_cmpint (delta, ==, 60 * G_TIME_SPAN_SECOND);
          g_date_time_unref (t);
          t = next;
        }
      g_date_time_unref (t);
    }
}

/* Impossible specs must be answered quickly (field skipping, not second scanning). */
static void
test_impossible_is_fast (void)
{
  g_autoptr(DecaCron) cron = deca_cron_parse ("* * 30 2 *", NULL);
  g_autoptr(DecaCron) cron6 = deca_cron_parse ("* * * 31 11 *", NULL);
  g_autoptr(GDateTime) after = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < 100; i++)
    {
      g_assert_null (deca_cron_next (cron, after, NULL));
      g_assert_null (deca_cron_next (cron6, after, NULL));
    }
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/cron/parse-valid", test_parse_valid);
  g_test_add_func ("/deca/engine/cron/parse-invalid", test_parse_invalid);
  g_test_add_func ("/deca/engine/cron/next", test_next);
  g_test_add_func ("/deca/engine/cron/walk-year", test_walk_year);
  g_test_add_func ("/deca/engine/cron/walk-dst", test_walk_dst);
  g_test_add_func ("/deca/engine/cron/impossible-is-fast", test_impossible_is_fast);

  return g_test_run ();
}
