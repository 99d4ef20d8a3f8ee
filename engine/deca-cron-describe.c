/* deca-cron-describe.c: cron expressions in plain language, and their next fire times,
 * for the studio's trigger editor.
 *
 * deca_cron_describe() first lets deca_cron_parse() judge the text, so it accepts exactly
 * what the scheduler accepts and fails with the same messages. It then reads the fields a
 * second time, here, keeping their structure ("*\/5", "1-5", "1,15"), which the parsed
 * bitmasks no longer have but a sentence needs.
 *
 * Every English word the sentences are made of is in phrases[] below, with numbered
 * placeholders ({1}, {2}, {3}) rather than printf formats, so that wrapping the table in
 * N_() and the lookup in _() later is all translation takes, and translators may reorder
 * the placeholders.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-cron.h"
#include "deca-cron-private.h"

#include <stdlib.h>
#include <string.h>

typedef enum {
  PHRASE_MACRO_YEARLY,
  PHRASE_MACRO_MONTHLY,
  PHRASE_MACRO_WEEKLY,
  PHRASE_MACRO_DAILY,
  PHRASE_MACRO_HOURLY,

  PHRASE_AT_TIMES,
  PHRASE_TIME_HM,
  PHRASE_TIME_HMS,

  PHRASE_EVERY_SECOND,
  PHRASE_EVERY_N_SECONDS,
  PHRASE_EVERY_N_SECONDS_RANGE,
  PHRASE_AT_SECOND,
  PHRASE_AT_SECONDS,
  PHRASE_PAST_EVERY_MINUTE,

  PHRASE_EVERY_MINUTE,
  PHRASE_EVERY_N_MINUTES,
  PHRASE_EVERY_N_MINUTES_RANGE,
  PHRASE_AT_MINUTE,
  PHRASE_AT_MINUTES,
  /* The minute after a seconds phrase: "Every 10 seconds during minute 5". */
  PHRASE_DURING,
  PHRASE_OF,
  PHRASE_MINUTE,
  PHRASE_MINUTES,
  PHRASE_EVERY_NTH_MINUTE,
  PHRASE_EVERY_NTH_MINUTE_RANGE,

  PHRASE_PAST_EVERY_HOUR,
  PHRASE_BETWEEN,
  PHRASE_HOUR_START,
  PHRASE_HOUR_END,
  PHRASE_PAST_EVERY_HOUR_RANGE,
  PHRASE_PAST_HOUR,
  PHRASE_PAST_HOURS,
  PHRASE_PAST_EVERY_NTH_HOUR,
  PHRASE_PAST_EVERY_NTH_HOUR_RANGE,
  PHRASE_DURING_HOUR,
  PHRASE_DURING_HOURS,
  PHRASE_DURING_EVERY_NTH_HOUR,
  PHRASE_DURING_EVERY_NTH_HOUR_RANGE,

  PHRASE_ON,
  PHRASE_AND_ON,
  PHRASE_IF_IT_FALLS_ON,
  PHRASE_DAY_OF_MONTH,
  PHRASE_ORDINALS_OF_MONTH,
  PHRASE_DAYS_OF_MONTH,
  PHRASE_EVERY_NTH_DAY_OF_MONTH,
  PHRASE_EVERY_NTH_DAY_OF_MONTH_RANGE,
  PHRASE_EVERY_NTH_DAY_OF_WEEK,
  PHRASE_EVERY_NTH_DAY_OF_WEEK_RANGE,

  PHRASE_IN,
  PHRASE_EVERY_NTH_MONTH,
  PHRASE_EVERY_NTH_MONTH_RANGE,

  /* A step inside a list ("0,10-30/5"), with the unit of its field. */
  PHRASE_EVERY_NTH_UNIT_RANGE,
  PHRASE_UNIT_SECOND,
  PHRASE_UNIT_MINUTE,
  PHRASE_UNIT_HOUR,
  PHRASE_UNIT_DAY,
  PHRASE_UNIT_MONTH,

  PHRASE_RANGE,
  PHRASE_LIST_SEPARATOR,
  PHRASE_LIST_LAST_AND,
  PHRASE_LIST_LAST_OR,

  PHRASE_ORDINAL_ST,
  PHRASE_ORDINAL_ND,
  PHRASE_ORDINAL_RD,
  PHRASE_ORDINAL_TH,

  PHRASE_SUNDAY_0,
  PHRASE_MONDAY,
  PHRASE_TUESDAY,
  PHRASE_WEDNESDAY,
  PHRASE_THURSDAY,
  PHRASE_FRIDAY,
  PHRASE_SATURDAY,
  PHRASE_SUNDAY,

  PHRASE_JANUARY,
  PHRASE_FEBRUARY,
  PHRASE_MARCH,
  PHRASE_APRIL,
  PHRASE_MAY,
  PHRASE_JUNE,
  PHRASE_JULY,
  PHRASE_AUGUST,
  PHRASE_SEPTEMBER,
  PHRASE_OCTOBER,
  PHRASE_NOVEMBER,
  PHRASE_DECEMBER,

  N_PHRASES
} Phrase;

/* All the English there is. A sentence is a lead phrase ("Every 5 minutes", "At 09:00"),
 * then an hour part, then " on" days, then " in" months. */
/* Translators: the pieces of the plain-language descriptions of cron schedules. {1}, {2}
 * and {3} are filled in with numbers, times, names or other pieces of this table; they
 * may be moved but must be kept. */
static const char * const phrases[N_PHRASES] = {
  [PHRASE_MACRO_YEARLY] = N_("Every year on January 1 at 00:00"),
  [PHRASE_MACRO_MONTHLY] = N_("Every month on day 1 at 00:00"),
  [PHRASE_MACRO_WEEKLY] = N_("Every Sunday at 00:00"),
  [PHRASE_MACRO_DAILY] = N_("Every day at 00:00"),
  [PHRASE_MACRO_HOURLY] = N_("Every hour"),

  [PHRASE_AT_TIMES] = N_("At {1}"),
  [PHRASE_TIME_HM] = N_("{1}:{2}"),
  [PHRASE_TIME_HMS] = N_("{1}:{2}:{3}"),

  [PHRASE_EVERY_SECOND] = N_("Every second"),
  [PHRASE_EVERY_N_SECONDS] = N_("Every {1} seconds"),
  [PHRASE_EVERY_N_SECONDS_RANGE] = N_("Every {1} seconds from second {2} through {3}"),
  [PHRASE_AT_SECOND] = N_("At second {1}"),
  [PHRASE_AT_SECONDS] = N_("At seconds {1}"),
  [PHRASE_PAST_EVERY_MINUTE] = N_("{1} past every minute"),

  [PHRASE_EVERY_MINUTE] = N_("Every minute"),
  [PHRASE_EVERY_N_MINUTES] = N_("Every {1} minutes"),
  [PHRASE_EVERY_N_MINUTES_RANGE] = N_("Every {1} minutes from minute {2} through {3}"),
  [PHRASE_AT_MINUTE] = N_("At minute {1}"),
  [PHRASE_AT_MINUTES] = N_("At minutes {1}"),
  [PHRASE_DURING] = N_("{1} during {2}"),
  [PHRASE_OF] = N_("{1} of {2}"),
  [PHRASE_MINUTE] = N_("minute {1}"),
  [PHRASE_MINUTES] = N_("minutes {1}"),
  [PHRASE_EVERY_NTH_MINUTE] = N_("every {1} minute"),
  [PHRASE_EVERY_NTH_MINUTE_RANGE] = N_("every {1} minute from {2} through {3}"),

  [PHRASE_PAST_EVERY_HOUR] = N_("{1} past every hour"),
  [PHRASE_BETWEEN] = N_("{1} between {2} and {3}"),
  [PHRASE_HOUR_START] = N_("{1}:00"),
  [PHRASE_HOUR_END] = N_("{1}:59"),
  [PHRASE_PAST_EVERY_HOUR_RANGE] = N_("{1} past every hour from {2} through {3}"),
  [PHRASE_PAST_HOUR] = N_("{1} past hour {2}"),
  [PHRASE_PAST_HOURS] = N_("{1} past hours {2}"),
  [PHRASE_PAST_EVERY_NTH_HOUR] = N_("{1} past every {2} hour"),
  [PHRASE_PAST_EVERY_NTH_HOUR_RANGE] = N_("{1} past every {2} hour from {3} through {4}"),
  [PHRASE_DURING_HOUR] = N_("{1} during hour {2}"),
  [PHRASE_DURING_HOURS] = N_("{1} during hours {2}"),
  [PHRASE_DURING_EVERY_NTH_HOUR] = N_("{1} during every {2} hour"),
  [PHRASE_DURING_EVERY_NTH_HOUR_RANGE] = N_("{1} during every {2} hour from {3} through {4}"),

  [PHRASE_ON] = N_("{1} on {2}"),
  [PHRASE_AND_ON] = N_("{1} and on {2}"),
  [PHRASE_IF_IT_FALLS_ON] = N_("{1}, if it falls on {2}"),
  [PHRASE_DAY_OF_MONTH] = N_("day {1} of the month"),
  [PHRASE_ORDINALS_OF_MONTH] = N_("the {1} of the month"),
  [PHRASE_DAYS_OF_MONTH] = N_("days {1} of the month"),
  [PHRASE_EVERY_NTH_DAY_OF_MONTH] = N_("every {1} day of the month"),
  [PHRASE_EVERY_NTH_DAY_OF_MONTH_RANGE] = N_("every {1} day of the month from day {2} through {3}"),
  [PHRASE_EVERY_NTH_DAY_OF_WEEK] = N_("every {1} day of the week"),
  [PHRASE_EVERY_NTH_DAY_OF_WEEK_RANGE] = N_("every {1} day of the week from {2} through {3}"),

  [PHRASE_IN] = N_("{1} in {2}"),
  [PHRASE_EVERY_NTH_MONTH] = N_("every {1} month"),
  [PHRASE_EVERY_NTH_MONTH_RANGE] = N_("every {1} month from {2} through {3}"),

  [PHRASE_EVERY_NTH_UNIT_RANGE] = N_("every {1} {2} from {3} through {4}"),
  [PHRASE_UNIT_SECOND] = N_("second"),
  [PHRASE_UNIT_MINUTE] = N_("minute"),
  [PHRASE_UNIT_HOUR] = N_("hour"),
  [PHRASE_UNIT_DAY] = N_("day"),
  [PHRASE_UNIT_MONTH] = N_("month"),

  [PHRASE_RANGE] = N_("{1} through {2}"),
  [PHRASE_LIST_SEPARATOR] = N_(", "),
  [PHRASE_LIST_LAST_AND] = N_(" and "),
  [PHRASE_LIST_LAST_OR] = N_(" or "),

  [PHRASE_ORDINAL_ST] = N_("{1}st"),
  [PHRASE_ORDINAL_ND] = N_("{1}nd"),
  [PHRASE_ORDINAL_RD] = N_("{1}rd"),
  [PHRASE_ORDINAL_TH] = N_("{1}th"),

  [PHRASE_SUNDAY_0] = N_("Sunday"),
  [PHRASE_MONDAY] = N_("Monday"),
  [PHRASE_TUESDAY] = N_("Tuesday"),
  [PHRASE_WEDNESDAY] = N_("Wednesday"),
  [PHRASE_THURSDAY] = N_("Thursday"),
  [PHRASE_FRIDAY] = N_("Friday"),
  [PHRASE_SATURDAY] = N_("Saturday"),
  [PHRASE_SUNDAY] = N_("Sunday"),

  [PHRASE_JANUARY] = N_("January"),
  [PHRASE_FEBRUARY] = N_("February"),
  [PHRASE_MARCH] = N_("March"),
  [PHRASE_APRIL] = N_("April"),
  [PHRASE_MAY] = N_("May"),
  [PHRASE_JUNE] = N_("June"),
  [PHRASE_JULY] = N_("July"),
  [PHRASE_AUGUST] = N_("August"),
  [PHRASE_SEPTEMBER] = N_("September"),
  [PHRASE_OCTOBER] = N_("October"),
  [PHRASE_NOVEMBER] = N_("November"),
  [PHRASE_DECEMBER] = N_("December"),
};

static const struct {
  const char *macro;
  Phrase sentence;
} macro_sentences[] = {
  { "@yearly", PHRASE_MACRO_YEARLY },
  { "@annually", PHRASE_MACRO_YEARLY },
  { "@monthly", PHRASE_MACRO_MONTHLY },
  { "@weekly", PHRASE_MACRO_WEEKLY },
  { "@daily", PHRASE_MACRO_DAILY },
  { "@midnight", PHRASE_MACRO_DAILY },
  { "@hourly", PHRASE_MACRO_HOURLY },
};

/* Returns (transfer full) @phrase with {1}..{4} replaced by the arguments, of which there
 * are as many as the phrase uses. Where translation would hook in. */
static char *
phrase_format (Phrase phrase,
               ...)
{
  const char *args[4] = { NULL };
  GString *out = g_string_new (NULL);
  const char *text = _(phrases[phrase]);
  va_list ap;

  va_start (ap, phrase);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (p[0] == '{' && p[1] >= '1' && p[1] <= '4' && p[2] == '}')
        {
          guint n = p[1] - '1';

          for (guint i = 0; i <= n; i++)
            {
              if (args[i] == NULL)
                args[i] = va_arg (ap, const char *);
            }
          g_string_append (out, args[n]);
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  va_end (ap);

  return g_string_free (out, FALSE);
}

/* The fields as this file sees them; with 5 fields, there is no second field. */
typedef enum {
  DESC_SECOND,
  DESC_MINUTE,
  DESC_HOUR,
  DESC_DAY_OF_MONTH,
  DESC_MONTH,
  DESC_DAY_OF_WEEK,
  N_DESC_FIELDS
} DescField;

static const struct {
  int min;
  int max;
  Phrase unit;
} desc_fields[N_DESC_FIELDS] = {
  [DESC_SECOND] = { 0, 59, PHRASE_UNIT_SECOND },
  [DESC_MINUTE] = { 0, 59, PHRASE_UNIT_MINUTE },
  [DESC_HOUR] = { 0, 23, PHRASE_UNIT_HOUR },
  [DESC_DAY_OF_MONTH] = { 1, 31, PHRASE_UNIT_DAY },
  [DESC_MONTH] = { 1, 12, PHRASE_UNIT_MONTH },
  [DESC_DAY_OF_WEEK] = { 0, 7, PHRASE_UNIT_DAY },
};

static const char * const month_abbrevs[] = {
  "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
};

static const char * const weekday_abbrevs[] = {
  "sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

/* One comma-separated item of a field: the values first..last in steps of step. */
typedef struct {
  int first;
  int last;
  int step;
  gboolean star;      /* written "*" or "?", with or without a step */
} DescItem;

typedef struct {
  DescField field;
  DescItem *items;
  guint n_items;
  gboolean starts_with_star;
} DescSpec;

static int
item_compare (const void *a,
              const void *b)
{
  const DescItem *x = a;
  const DescItem *y = b;

  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  if (x->last != y->last)
    return x->last < y->last ? -1 : 1;
  return x->step < y->step ? -1 : x->step > y->step;
}

/* Reads a value of @field (a number or a name); the text is known to be valid. */
static int
desc_value (DescField   field,
            const char *text)
{
  if (field == DESC_MONTH)
    {
      for (guint i = 0; i < G_N_ELEMENTS (month_abbrevs); i++)
        {
          if (g_ascii_strcasecmp (text, month_abbrevs[i]) == 0)
            return i + 1;
        }
    }
  else if (field == DESC_DAY_OF_WEEK)
    {
      for (guint i = 0; i < G_N_ELEMENTS (weekday_abbrevs); i++)
        {
          if (g_ascii_strcasecmp (text, weekday_abbrevs[i]) == 0)
            return i;
        }
    }
  return (int) g_ascii_strtoll (text, NULL, 10);
}

/* Reads @text, a field deca_cron_parse() has accepted, into @spec (whose items the caller
 * frees). Reading it the same way as the parser matters: "10/5" runs to the end of the
 * field's range, "*" in the day of week is 0-6. The items end up sorted and without
 * repeats, as a sentence lists them ("15,1" is "the 1st and 15th"). */
static void
desc_read_field (DescField   field,
                 const char *text,
                 DescSpec   *spec)
{
  g_auto(GStrv) items = g_strsplit (text, ",", -1);

  spec->field = field;
  spec->n_items = 0;
  spec->items = g_new0 (DescItem, g_strv_length (items));
  spec->starts_with_star = text[0] == '*' || text[0] == '?';

  for (guint i = 0; items[i] != NULL; i++)
    {
      DescItem *item = &spec->items[spec->n_items++];
      char *slash = strchr (items[i], '/');
      char *dash;

      item->step = 1;
      if (slash != NULL)
        {
          *slash = '\0';
          item->step = (int) MIN (g_ascii_strtoull (slash + 1, NULL, 10), 1000);
        }
      item->star = strcmp (items[i], "*") == 0 || strcmp (items[i], "?") == 0;
      dash = strchr (items[i], '-');

      if (item->star)
        {
          item->first = desc_fields[field].min;
          item->last = field == DESC_DAY_OF_WEEK ? 6 : desc_fields[field].max;
        }
      else if (dash != NULL)
        {
          *dash = '\0';
          item->first = desc_value (field, items[i]);
          item->last = desc_value (field, dash + 1);
        }
      else
        {
          item->first = desc_value (field, items[i]);
          item->last = slash != NULL ? desc_fields[field].max : item->first;
        }

      /* Sunday alone is written as 7, so it sorts after Saturday: "Saturday and Sunday". */
      if (field == DESC_DAY_OF_WEEK && item->step == 1 && item->first == 0 && item->last == 0)
        item->first = item->last = 7;
    }

  qsort (spec->items, spec->n_items, sizeof (DescItem), item_compare);
  {
    guint kept = 0;

    for (guint i = 0; i < spec->n_items; i++)
      {
        if (kept == 0 || item_compare (&spec->items[kept - 1], &spec->items[i]) != 0)
          spec->items[kept++] = spec->items[i];
      }
    spec->n_items = kept;
  }
}

/* Every value of the field: "*", "?", "*\/1", or a list that covers the whole range
 * ("0-59", "1-5,0,6"). */
static gboolean
spec_is_any (const DescSpec *spec)
{
  int min = desc_fields[spec->field].min;
  int max = spec->field == DESC_DAY_OF_WEEK ? 6 : desc_fields[spec->field].max;
  guint64 bits = 0;

  for (guint i = 0; i < spec->n_items; i++)
    {
      const DescItem *item = &spec->items[i];

      for (int v = item->first; v <= item->last; v += item->step)
        bits |= G_GUINT64_CONSTANT (1) << (spec->field == DESC_DAY_OF_WEEK && v == 7 ? 0 : v);
    }
  for (int v = min; v <= max; v++)
    {
      if ((bits & (G_GUINT64_CONSTANT (1) << v)) == 0)
        return FALSE;
    }
  return TRUE;
}

/* One item with a step: a rhythm ("*\/5", "10-40/10") rather than a set of values. */
static gboolean
spec_is_step (const DescSpec *spec)
{
  return spec->n_items == 1 && spec->items[0].step > 1;
}

/* Every item a single value ("0", "9,17"). */
static gboolean
spec_is_values (const DescSpec *spec)
{
  for (guint i = 0; i < spec->n_items; i++)
    {
      const DescItem *item = &spec->items[i];

      if (item->star || item->step != 1 || item->first != item->last)
        return FALSE;
    }
  return TRUE;
}

static int
int_compare (const void *a,
             const void *b)
{
  return *(const int *) a - *(const int *) b;
}

/* The distinct values of a spec_is_values() spec, sorted, in @values (room for n_items);
 * returns how many. */
static guint
spec_sorted_values (const DescSpec *spec,
                    int            *values)
{
  guint kept = 0;

  for (guint i = 0; i < spec->n_items; i++)
    values[i] = spec->items[i].first;
  qsort (values, spec->n_items, sizeof (int), int_compare);

  for (guint i = 0; i < spec->n_items; i++)
    {
      if (kept == 0 || values[kept - 1] != values[i])
        values[kept++] = values[i];
    }
  return kept;
}

static char *
ordinal (int n)
{
  g_autofree char *number = g_strdup_printf ("%d", n);
  Phrase suffix = PHRASE_ORDINAL_TH;

  if (n % 100 < 11 || n % 100 > 13)
    {
      if (n % 10 == 1)
        suffix = PHRASE_ORDINAL_ST;
      else if (n % 10 == 2)
        suffix = PHRASE_ORDINAL_ND;
      else if (n % 10 == 3)
        suffix = PHRASE_ORDINAL_RD;
    }
  return phrase_format (suffix, number);
}

/* A value as people read it: a number, a month or a weekday name (7 is Sunday too). */
static char *
value_name (DescField field,
            int       value)
{
  if (field == DESC_MONTH)
    return g_strdup (_(phrases[PHRASE_JANUARY + value - 1]));
  if (field == DESC_DAY_OF_WEEK)
    return g_strdup (_(phrases[PHRASE_SUNDAY_0 + value]));
  return g_strdup_printf ("%d", value);
}

static char *
item_text (DescField       field,
           const DescItem *item)
{
  g_autofree char *first = value_name (field, item->first);
  g_autofree char *last = value_name (field, item->last);

  if (item->step > 1)
    {
      g_autofree char *nth = ordinal (item->step);

      return phrase_format (PHRASE_EVERY_NTH_UNIT_RANGE, nth,
                            _(phrases[desc_fields[field].unit]), first, last);
    }
  if (item->first == item->last)
    return g_steal_pointer (&first);
  return phrase_format (PHRASE_RANGE, first, last);
}

/* Joins @parts as "a", "a and b", "a, b and c" (or "or" with @last_phrase). Takes
 * ownership of nothing. */
static char *
join_list (GPtrArray *parts,
           Phrase     last_phrase)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < parts->len; i++)
    {
      if (i > 0)
        g_string_append (out, _(phrases[i == parts->len - 1 ? last_phrase
                                                            : PHRASE_LIST_SEPARATOR]));
      g_string_append (out, parts->pdata[i]);
    }
  return g_string_free (out, FALSE);
}

/* The items of @spec as a list: "15 and 45", "Monday through Friday", "1 through 5 and 9". */
static char *
spec_items_text (const DescSpec *spec,
                 Phrase          last_phrase)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < spec->n_items; i++)
    g_ptr_array_add (parts, item_text (spec->field, &spec->items[i]));
  return join_list (parts, last_phrase);
}

static gboolean
spec_is_single_value (const DescSpec *spec)
{
  return spec_is_values (spec) && spec->n_items == 1;
}

/* The lead of a sentence for the second or minute field: "Every 5 minutes", "At minute
 * 15", "Every second". Sets *@repeating when the phrase is a rhythm rather than points. */
static char *
lead_phrase (const DescSpec *spec,
             gboolean       *repeating)
{
  gboolean seconds = spec->field == DESC_SECOND;
  const DescItem *item = &spec->items[0];

  *repeating = TRUE;
  if (spec_is_any (spec))
    return g_strdup (_(phrases[seconds ? PHRASE_EVERY_SECOND : PHRASE_EVERY_MINUTE]));
  if (spec_is_step (spec))
    {
      g_autofree char *n = g_strdup_printf ("%d", item->step);
      g_autofree char *first = NULL;
      g_autofree char *last = NULL;

      if (item->star)
        return phrase_format (seconds ? PHRASE_EVERY_N_SECONDS : PHRASE_EVERY_N_MINUTES, n);
      first = value_name (spec->field, item->first);
      last = value_name (spec->field, item->last);
      return phrase_format (seconds ? PHRASE_EVERY_N_SECONDS_RANGE : PHRASE_EVERY_N_MINUTES_RANGE,
                            n, first, last);
    }

  *repeating = FALSE;
  {
    g_autofree char *list = spec_items_text (spec, PHRASE_LIST_LAST_AND);
    Phrase phrase;

    if (seconds)
      phrase = spec_is_single_value (spec) ? PHRASE_AT_SECOND : PHRASE_AT_SECONDS;
    else
      phrase = spec_is_single_value (spec) ? PHRASE_AT_MINUTE : PHRASE_AT_MINUTES;
    return phrase_format (phrase, list);
  }
}

/* The minute field after a seconds lead, as a noun: "minute 5", "every 2nd minute". */
static char *
minute_noun (const DescSpec *spec)
{
  const DescItem *item = &spec->items[0];

  if (spec_is_step (spec))
    {
      g_autofree char *nth = ordinal (item->step);
      g_autofree char *first = NULL;
      g_autofree char *last = NULL;

      if (item->star)
        return phrase_format (PHRASE_EVERY_NTH_MINUTE, nth);
      first = value_name (DESC_MINUTE, item->first);
      last = value_name (DESC_MINUTE, item->last);
      return phrase_format (PHRASE_EVERY_NTH_MINUTE_RANGE, nth, first, last);
    }
  {
    g_autofree char *list = spec_items_text (spec, PHRASE_LIST_LAST_AND);

    return phrase_format (spec_is_single_value (spec) ? PHRASE_MINUTE : PHRASE_MINUTES, list);
  }
}

static char *
two_digits (int value)
{
  return g_strdup_printf ("%02d", value);
}

/* Appends the hour field to @sentence (consumed). After a rhythm of minutes (@repeating)
 * the hours say when it runs ("between 09:00 and 17:59", "during hours 9 and 17"); after
 * points in time they say which hours ("past every hour", "past hour 9"). */
static char *
add_hours (char           *sentence,
           const DescSpec *hours,
           gboolean        repeating)
{
  g_autofree char *lead = sentence;
  const DescItem *item = &hours->items[0];

  if (spec_is_any (hours))
    return repeating ? g_steal_pointer (&lead) : phrase_format (PHRASE_PAST_EVERY_HOUR, lead);

  if (spec_is_step (hours))
    {
      g_autofree char *nth = ordinal (item->step);
      g_autofree char *first = NULL;
      g_autofree char *last = NULL;

      if (item->star)
        return phrase_format (repeating ? PHRASE_DURING_EVERY_NTH_HOUR : PHRASE_PAST_EVERY_NTH_HOUR,
                              lead, nth);
      first = value_name (DESC_HOUR, item->first);
      last = value_name (DESC_HOUR, item->last);
      return phrase_format (repeating ? PHRASE_DURING_EVERY_NTH_HOUR_RANGE
                                      : PHRASE_PAST_EVERY_NTH_HOUR_RANGE,
                            lead, nth, first, last);
    }

  if (hours->n_items == 1)
    {
      g_autofree char *first = NULL;
      g_autofree char *last = NULL;

      if (repeating)
        {
          g_autofree char *from = two_digits (item->first);
          g_autofree char *to = two_digits (item->last);

          first = phrase_format (PHRASE_HOUR_START, from);
          last = phrase_format (PHRASE_HOUR_END, to);
          return phrase_format (PHRASE_BETWEEN, lead, first, last);
        }
      if (item->first != item->last)
        {
          first = value_name (DESC_HOUR, item->first);
          last = value_name (DESC_HOUR, item->last);
          return phrase_format (PHRASE_PAST_EVERY_HOUR_RANGE, lead, first, last);
        }
    }

  {
    g_autofree char *list = spec_items_text (hours, PHRASE_LIST_LAST_AND);
    gboolean single = spec_is_single_value (hours);
    Phrase phrase;

    if (repeating)
      phrase = single ? PHRASE_DURING_HOUR : PHRASE_DURING_HOURS;
    else
      phrase = single ? PHRASE_PAST_HOUR : PHRASE_PAST_HOURS;
    return phrase_format (phrase, lead, list);
  }
}

/* "At 09:00", "At 09:00 and 17:30", "At 12:00:30" when every time field is a short list
 * of values; NULL otherwise. */
static char *
clock_times (const DescSpec *seconds,
             const DescSpec *minutes,
             const DescSpec *hours)
{
  g_autofree int *second_values = NULL;
  g_autofree int *minute_values = NULL;
  g_autofree int *hour_values = NULL;
  guint n_minutes, n_hours;
  g_autoptr(GPtrArray) times = NULL;
  g_autofree char *list = NULL;

  if (!spec_is_values (minutes) || !spec_is_values (hours) ||
      (seconds != NULL && !spec_is_values (seconds)))
    return NULL;
  if (seconds != NULL)
    {
      second_values = g_new (int, seconds->n_items);
      if (spec_sorted_values (seconds, second_values) != 1)
        return NULL;
    }
  minute_values = g_new (int, minutes->n_items);
  hour_values = g_new (int, hours->n_items);
  n_minutes = spec_sorted_values (minutes, minute_values);
  n_hours = spec_sorted_values (hours, hour_values);
  /* Beyond a dozen, a list of times is harder to read than the fields. */
  if (n_minutes * n_hours > 12)
    return NULL;

  times = g_ptr_array_new_with_free_func (g_free);
  for (guint h = 0; h < n_hours; h++)
    {
      for (guint m = 0; m < n_minutes; m++)
        {
          g_autofree char *hh = two_digits (hour_values[h]);
          g_autofree char *mm = two_digits (minute_values[m]);

          if (seconds != NULL && second_values[0] != 0)
            {
              g_autofree char *ss = two_digits (second_values[0]);

              g_ptr_array_add (times, phrase_format (PHRASE_TIME_HMS, hh, mm, ss));
            }
          else
            g_ptr_array_add (times, phrase_format (PHRASE_TIME_HM, hh, mm));
        }
    }
  list = join_list (times, PHRASE_LIST_LAST_AND);
  return phrase_format (PHRASE_AT_TIMES, list);
}

/* The time of day: the lead of the sentence and its hours. */
static char *
describe_time (const DescSpec *seconds,
               const DescSpec *minutes,
               const DescSpec *hours)
{
  g_autofree char *lead = NULL;
  gboolean repeating;
  char *times = clock_times (seconds, minutes, hours);

  if (times != NULL)
    return times;

  /* A single second 0 is what a five-field expression means: leave it unsaid. */
  if (seconds != NULL && spec_is_single_value (seconds) && seconds->items[0].first == 0)
    seconds = NULL;

  if (seconds == NULL)
    {
      lead = lead_phrase (minutes, &repeating);
      return add_hours (g_steal_pointer (&lead), hours, repeating);
    }

  lead = lead_phrase (seconds, &repeating);
  if (spec_is_any (minutes))
    {
      /* "At second 30" alone would not say it happens every minute. */
      if (!repeating)
        {
          char *with_minute = phrase_format (PHRASE_PAST_EVERY_MINUTE, lead);

          g_free (lead);
          lead = with_minute;
        }
      return add_hours (g_steal_pointer (&lead), hours, TRUE);
    }
  else
    {
      g_autofree char *noun = minute_noun (minutes);
      gboolean minutes_repeating = spec_is_step (minutes);

      return add_hours (phrase_format (repeating ? PHRASE_DURING : PHRASE_OF, lead, noun),
                        hours, minutes_repeating);
    }
}

static char *
day_of_month_text (const DescSpec *spec)
{
  const DescItem *item = &spec->items[0];

  if (spec_is_step (spec))
    {
      g_autofree char *nth = ordinal (item->step);
      g_autofree char *first = NULL;
      g_autofree char *last = NULL;

      if (item->star)
        return phrase_format (PHRASE_EVERY_NTH_DAY_OF_MONTH, nth);
      first = value_name (DESC_DAY_OF_MONTH, item->first);
      last = value_name (DESC_DAY_OF_MONTH, item->last);
      return phrase_format (PHRASE_EVERY_NTH_DAY_OF_MONTH_RANGE, nth, first, last);
    }
  if (spec_is_single_value (spec))
    {
      g_autofree char *day = value_name (DESC_DAY_OF_MONTH, item->first);

      return phrase_format (PHRASE_DAY_OF_MONTH, day);
    }
  if (spec_is_values (spec))
    {
      g_autofree int *values = g_new (int, spec->n_items);
      guint n = spec_sorted_values (spec, values);
      g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *list = NULL;

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (parts, ordinal (values[i]));
      list = join_list (parts, PHRASE_LIST_LAST_AND);
      return phrase_format (PHRASE_ORDINALS_OF_MONTH, list);
    }
  {
    g_autofree char *list = spec_items_text (spec, PHRASE_LIST_LAST_AND);

    return phrase_format (PHRASE_DAYS_OF_MONTH, list);
  }
}

/* Weekdays or months: a list of names and ranges, or a step. @last_phrase joins the list
 * ("and" normally, "or" after "if it falls on"). */
static char *
named_text (const DescSpec *spec,
            Phrase          every_nth,
            Phrase          every_nth_range,
            Phrase          last_phrase)
{
  const DescItem *item = &spec->items[0];

  if (spec_is_step (spec))
    {
      g_autofree char *nth = ordinal (item->step);
      g_autofree char *first = NULL;
      g_autofree char *last = NULL;

      if (item->star)
        return phrase_format (every_nth, nth);
      first = value_name (spec->field, item->first);
      last = value_name (spec->field, item->last);
      return phrase_format (every_nth_range, nth, first, last);
    }
  return spec_items_text (spec, last_phrase);
}

static char *
describe_fields (char **fields,
                 guint  n_fields)
{
  DescSpec specs[N_DESC_FIELDS] = { 0 };
  DescField first = n_fields == 6 ? DESC_SECOND : DESC_MINUTE;
  const DescSpec *seconds = n_fields == 6 ? &specs[DESC_SECOND] : NULL;
  const DescSpec *dom = &specs[DESC_DAY_OF_MONTH];
  const DescSpec *dow = &specs[DESC_DAY_OF_WEEK];
  gboolean dom_any, dow_any;
  char *sentence;

  for (guint i = 0; i < n_fields; i++)
    desc_read_field (first + i, fields[i], &specs[first + i]);

  sentence = describe_time (seconds, &specs[DESC_MINUTE], &specs[DESC_HOUR]);

  dom_any = spec_is_any (dom);
  dow_any = spec_is_any (dow);
  /* As in Vixie cron, when neither day field starts with "*" or "?", a day matching either
   * fires; so one of them covering every day means every day. */
  if (!dom->starts_with_star && !dow->starts_with_star && (dom_any || dow_any))
    dom_any = dow_any = TRUE;
  if (!dom_any)
    {
      g_autofree char *lead = sentence;
      g_autofree char *days = day_of_month_text (dom);

      sentence = phrase_format (PHRASE_ON, lead, days);
    }
  if (!dow_any)
    {
      g_autofree char *lead = sentence;
      g_autofree char *weekdays = NULL;

      if (dom_any)
        {
          weekdays = named_text (dow, PHRASE_EVERY_NTH_DAY_OF_WEEK,
                                 PHRASE_EVERY_NTH_DAY_OF_WEEK_RANGE, PHRASE_LIST_LAST_AND);
          sentence = phrase_format (PHRASE_ON, lead, weekdays);
        }
      else if (dom->starts_with_star || dow->starts_with_star)
        {
          /* As in Vixie cron: with "*" at the start of either day field ("*\/2"), a day
           * must match both. */
          weekdays = named_text (dow, PHRASE_EVERY_NTH_DAY_OF_WEEK,
                                 PHRASE_EVERY_NTH_DAY_OF_WEEK_RANGE, PHRASE_LIST_LAST_OR);
          sentence = phrase_format (PHRASE_IF_IT_FALLS_ON, lead, weekdays);
        }
      else
        {
          /* Both restricted: a day matching either one fires. */
          weekdays = named_text (dow, PHRASE_EVERY_NTH_DAY_OF_WEEK,
                                 PHRASE_EVERY_NTH_DAY_OF_WEEK_RANGE, PHRASE_LIST_LAST_AND);
          sentence = phrase_format (PHRASE_AND_ON, lead, weekdays);
        }
    }

  if (!spec_is_any (&specs[DESC_MONTH]))
    {
      g_autofree char *lead = sentence;
      g_autofree char *months = named_text (&specs[DESC_MONTH], PHRASE_EVERY_NTH_MONTH,
                                            PHRASE_EVERY_NTH_MONTH_RANGE, PHRASE_LIST_LAST_AND);

      sentence = phrase_format (PHRASE_IN, lead, months);
    }

  for (guint i = 0; i < N_DESC_FIELDS; i++)
    g_free (specs[i].items);
  return sentence;
}

/*
 * deca_cron_describe:
 * Returns (transfer full) an English sentence for @expression, without a final full stop:
 * "Every 5 minutes", "At 09:00 on Monday through Friday", "At minute 15 past every hour",
 * "At 12:30 on the 1st and 15th of the month in January and July", "Every 10 seconds";
 * the macros have their own ("@daily" is "Every day at 00:00"). Fails, returning NULL,
 * exactly when deca_cron_parse() fails, with its error (DECA_ENGINE_ERROR_PARSE and a
 * message naming the field).
 */
char *
deca_cron_describe (const char  *expression,
                    GError     **error)
{
  g_autoptr(DecaCron) cron = NULL;
  g_autofree char *stripped = NULL;
  g_auto(GStrv) fields = NULL;
  guint n_fields = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cron = deca_cron_parse (expression, error);
  if (cron == NULL)
    return NULL;

  stripped = g_strstrip (g_strdup (expression));
  if (stripped[0] == '@')
    {
      for (guint i = 0; i < G_N_ELEMENTS (macro_sentences); i++)
        {
          if (g_ascii_strcasecmp (stripped, macro_sentences[i].macro) == 0)
            return g_strdup (_(phrases[macro_sentences[i].sentence]));
        }
      g_assert_not_reached ();
    }

  fields = _deca_cron_split_fields (stripped, &n_fields);
  g_assert (n_fields == 5 || n_fields == 6);

  return describe_fields (fields, n_fields);
}

/*
 * deca_cron_next_times:
 * Returns (transfer full) (element-type GDateTime) the next @count fire times of
 * @expression strictly after @after, earliest first, in @tz (NULL = UTC), as
 * deca_cron_next() computes them. Fewer, possibly none, when the schedule stops firing
 * within deca_cron_next()'s five-year horizon. Returns NULL with deca_cron_parse()'s error
 * when @expression is not valid.
 */
GPtrArray *
deca_cron_next_times (const char  *expression,
                      GTimeZone   *tz,
                      GDateTime   *after,
                      guint        count,
                      GError     **error)
{
  g_autoptr(DecaCron) cron = NULL;
  g_autoptr(GPtrArray) times = NULL;
  g_autoptr(GDateTime) previous = NULL;

  g_return_val_if_fail (after != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cron = deca_cron_parse (expression, error);
  if (cron == NULL)
    return NULL;

  times = g_ptr_array_new_full (count, (GDestroyNotify) g_date_time_unref);
  previous = g_date_time_ref (after);
  while (times->len < count)
    {
      GDateTime *next = deca_cron_next (cron, previous, tz);

      if (next == NULL)
        break;
      g_ptr_array_add (times, next);
      g_date_time_unref (previous);
      previous = g_date_time_ref (next);
    }

  return g_steal_pointer (&times);
}
