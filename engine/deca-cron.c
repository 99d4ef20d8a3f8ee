/* deca-cron.c: cron expressions for schedule triggers.
 *
 * A parsed expression is a set of bitmasks, one per field. deca_cron_next() searches
 * wall-clock time in the schedule's zone field by field (month, then day, hour, minute,
 * second), so even a spec that never fires costs a few hundred steps, not a scan of every
 * second of five years. The wall-clock time found is then mapped to an instant; see
 * cron_local_to_instant() for what happens around DST changes.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-cron.h"
#include "deca-cron-private.h"

#include <string.h>

#include "deca-engine-error.h"

/* How far deca_cron_next() looks ahead before declaring a spec impossible. */
#define CRON_HORIZON_YEARS 5

typedef enum {
  FIELD_SECOND,
  FIELD_MINUTE,
  FIELD_HOUR,
  FIELD_DAY_OF_MONTH,
  FIELD_MONTH,
  FIELD_DAY_OF_WEEK,
  N_FIELDS
} CronField;

typedef struct {
  const char *name;
  int min;
  int max;    /* day of week accepts 7 as another Sunday; it is folded to 0 */
  const char * const *names;  /* indexed from @min, NULL when the field has none */
} CronFieldInfo;

static const char * const month_names[] = {
  "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL
};

static const char * const weekday_names[] = {
  "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};

static const CronFieldInfo field_info[N_FIELDS] = {
  [FIELD_SECOND] = { N_("second"), 0, 59, NULL },
  [FIELD_MINUTE] = { N_("minute"), 0, 59, NULL },
  [FIELD_HOUR] = { N_("hour"), 0, 23, NULL },
  [FIELD_DAY_OF_MONTH] = { N_("day of month"), 1, 31, NULL },
  [FIELD_MONTH] = { N_("month"), 1, 12, month_names },
  [FIELD_DAY_OF_WEEK] = { N_("day of week"), 0, 7, weekday_names },
};

struct _DecaCron
{
  /* Bit n set = value n allowed. */
  guint64 bits[N_FIELDS];
  /* Vixie cron: when either day field is unrestricted ("*" or "?") a day must match both;
   * when both are restricted, a day matching either one fires. */
  gboolean dom_star;
  gboolean dow_star;
  /* A time field (second, minute, hour) starts with "*": see deca_cron_next(). */
  gboolean time_wildcard;
};

static const struct {
  const char *macro;
  const char *expansion;
} macros[] = {
  { "@yearly", "0 0 1 1 *" },
  { "@annually", "0 0 1 1 *" },
  { "@monthly", "0 0 1 * *" },
  { "@weekly", "0 0 * * 0" },
  { "@daily", "0 0 * * *" },
  { "@midnight", "0 0 * * *" },
  { "@hourly", "0 * * * *" },
};

/* Parses one value of @field: a number or, for month and day of week, a three-letter
 * name. Returns FALSE with @error naming the field (numbered @position in the text). */
static gboolean
cron_parse_value (CronField    field,
                  guint        position,
                  const char  *text,
                  int         *value,
                  GError     **error)
{
  const CronFieldInfo *info = &field_info[field];
  guint64 number;
  const char *end = NULL;

  if (info->names != NULL)
    {
      for (int i = 0; info->names[i] != NULL; i++)
        {
          if (g_ascii_strcasecmp (text, info->names[i]) == 0)
            {
              *value = info->min + i;
              return TRUE;
            }
        }
    }

  if (*text == '\0' || !g_ascii_isdigit (*text))
    goto invalid;
  number = g_ascii_strtoull (text, (char **) &end, 10);
  if (end == NULL || *end != '\0')
    goto invalid;
  if (number < (guint64) info->min || number > (guint64) info->max)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   _("field %u (%s): %s is out of range %d-%d"),
                   position, _(info->name), text, info->min, info->max);
      return FALSE;
    }
  *value = (int) number;
  return TRUE;

invalid:
  if (info->names != NULL)
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                 /* Translators: the first %s is a cron field such as "month" */
                 _("field %u (%s): '%s' is not a number or a name"),
                 position, _(info->name), text);
  else
    g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                 /* Translators: the first %s is a cron field such as "minute" */
                 _("field %u (%s): '%s' is not a number"),
                 position, _(info->name), text);
  return FALSE;
}

/* Parses one comma-separated item ("*", "5", "1-5", "*\/15", "MON-FRI/2", "10/5") of
 * @field into @bits. */
static gboolean
cron_parse_item (CronField    field,
                 guint        position,
                 const char  *item,
                 guint64     *bits,
                 GError     **error)
{
  const CronFieldInfo *info = &field_info[field];
  g_autofree char *range = NULL;
  const char *slash;
  int first, last;
  guint64 step = 1;

  if (*item == '\0')
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   _("field %u (%s): empty list item"), position, _(info->name));
      return FALSE;
    }

  slash = strchr (item, '/');
  range = slash ? g_strndup (item, slash - item) : g_strdup (item);

  if (slash != NULL)
    {
      const char *end = NULL;

      if (!g_ascii_isdigit (slash[1]))
        goto bad_step;
      step = g_ascii_strtoull (slash + 1, (char **) &end, 10);
      if (end == NULL || *end != '\0')
        goto bad_step;
      if (step == 0)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                       _("field %u (%s): the step must be at least 1"), position, _(info->name));
          return FALSE;
        }
    }

  if (strcmp (range, "*") == 0 || strcmp (range, "?") == 0)
    {
      if (range[0] == '?' && field != FIELD_DAY_OF_MONTH && field != FIELD_DAY_OF_WEEK)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                       _("field %u (%s): '?' is only allowed in day of month and day of week"),
                       position, _(info->name));
          return FALSE;
        }
      first = info->min;
      /* "*" in day of week means 0-6; 7 is only an alias. */
      last = field == FIELD_DAY_OF_WEEK ? 6 : info->max;
    }
  else
    {
      char *dash = strchr (range, '-');

      if (dash != NULL)
        {
          *dash = '\0';
          if (!cron_parse_value (field, position, range, &first, error) ||
              !cron_parse_value (field, position, dash + 1, &last, error))
            return FALSE;
          if (first > last)
            {
              g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                           _("field %u (%s): the range %s-%s ends before it starts"),
                           position, _(info->name), range, dash + 1);
              return FALSE;
            }
        }
      else
        {
          if (!cron_parse_value (field, position, range, &first, error))
            return FALSE;
          /* "10/5" means every 5th value starting at 10, as in most crons. */
          last = slash != NULL ? info->max : first;
        }
    }

  for (guint64 v = first; v <= (guint64) last; v += step)
    *bits |= G_GUINT64_CONSTANT (1) << v;

  if (field == FIELD_DAY_OF_WEEK && (*bits & (1 << 7)) != 0)
    *bits = (*bits & ~(G_GUINT64_CONSTANT (1) << 7)) | 1;

  return TRUE;

bad_step:
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
               _("field %u (%s): '%s' has an invalid step (expected a number after '/')"),
               position, _(info->name), item);
  return FALSE;
}

static gboolean
cron_parse_field (DecaCron    *cron,
                  CronField    field,
                  guint        position,
                  const char  *text,
                  GError     **error)
{
  g_auto(GStrv) items = g_strsplit (text, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      if (!cron_parse_item (field, position, items[i], &cron->bits[field], error))
        return FALSE;
    }

  if (field == FIELD_DAY_OF_MONTH)
    cron->dom_star = text[0] == '*' || text[0] == '?';
  else if (field == FIELD_DAY_OF_WEEK)
    cron->dow_star = text[0] == '*' || text[0] == '?';
  else if (field <= FIELD_HOUR && text[0] == '*')
    cron->time_wildcard = TRUE;

  return TRUE;
}

GStrv
_deca_cron_split_fields (const char *spec,
                         guint      *n_fields)
{
  GStrv fields = g_strsplit_set (spec, " \t\n\r", -1);
  guint n = 0;

  /* g_strsplit_set keeps empty strings between adjacent separators; squeeze them out. */
  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (fields[i][0] == '\0')
        {
          g_free (fields[i]);
          continue;
        }
      fields[n++] = fields[i];
    }
  fields[n] = NULL;
  *n_fields = n;
  return fields;
}

/*
 * deca_cron_parse:
 * Parses @text: five fields (minute hour day-of-month month day-of-week), six with a
 * leading second field, or one of the @ macros. Fields are separated by any amount of
 * whitespace. Returns (transfer full) the schedule, or NULL with DECA_ENGINE_ERROR_PARSE
 * and a message naming the field ("field 2 (hour): 24 is out of range 0-23").
 */
DecaCron *
deca_cron_parse (const char  *text,
                 GError     **error)
{
  g_autoptr(DecaCron) cron = NULL;
  g_autofree char *stripped = NULL;
  g_auto(GStrv) fields = NULL;
  const char *spec;
  guint n_fields;
  CronField first;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (text == NULL)
    text = "";

  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   _("the cron expression is empty"));
      return NULL;
    }

  spec = stripped;
  if (*spec == '@')
    {
      const char *expansion = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (macros); i++)
        {
          if (g_ascii_strcasecmp (spec, macros[i].macro) == 0)
            expansion = macros[i].expansion;
        }
      if (expansion == NULL)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                       _("unknown macro '%s' (expected @yearly, @annually, @monthly, @weekly, "
                       "@daily, @midnight or @hourly)"), spec);
          return NULL;
        }
      spec = expansion;
    }

  fields = _deca_cron_split_fields (spec, &n_fields);

  if (n_fields != 5 && n_fields != 6)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   _("expected 5 fields (minute hour day-of-month month day-of-week) or 6 "
                   "(with leading seconds), found %u"), n_fields);
      return NULL;
    }

  cron = g_new0 (DecaCron, 1);
  first = n_fields == 6 ? FIELD_SECOND : FIELD_MINUTE;
  if (n_fields == 5)
    cron->bits[FIELD_SECOND] = 1;

  for (guint i = 0; i < n_fields; i++)
    {
      if (!cron_parse_field (cron, first + i, i + 1, fields[i], error))
        return NULL;
    }

  return g_steal_pointer (&cron);
}

void
deca_cron_free (DecaCron *cron)
{
  g_free (cron);
}

gboolean
_deca_cron_is_realtime (DecaCron *cron)
{
  g_return_val_if_fail (cron != NULL, FALSE);
  return cron->time_wildcard;
}

static gboolean
is_leap_year (int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month (int year,
               int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month == 2 && is_leap_year (year))
    return 29;
  return days[month - 1];
}

/* 0 = Sunday, as in cron (Sakamoto's method). */
static int
day_of_week (int year,
             int month,
             int day)
{
  static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };

  if (month < 3)
    year -= 1;
  return (year + year / 4 - year / 100 + year / 400 + t[month - 1] + day) % 7;
}

/* The smallest value ≥ @from whose bit is set in @bits, or -1 when there is none up to
 * @max. */
static int
next_set_bit (guint64 bits,
              int     from,
              int     max)
{
  for (int v = from; v <= max; v++)
    {
      if (bits & (G_GUINT64_CONSTANT (1) << v))
        return v;
    }
  return -1;
}

static gboolean
cron_day_matches (DecaCron *cron,
                  int       year,
                  int       month,
                  int       day)
{
  gboolean dom = (cron->bits[FIELD_DAY_OF_MONTH] >> day) & 1;
  gboolean dow = (cron->bits[FIELD_DAY_OF_WEEK] >> day_of_week (year, month, day)) & 1;

  if (cron->dom_star || cron->dow_star)
    return dom && dow;
  return dom || dow;
}

typedef struct {
  int year, month, day, hour, minute, second;
} CivilTime;

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 y = month <= 2 ? year - 1 : year;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

/* A wall-clock time as seconds since 1970-01-01 00:00 of the same (unnamed) zone. */
static gint64
civil_to_seconds (const CivilTime *c)
{
  return days_from_civil (c->year, c->month, c->day) * 86400
         + c->hour * 3600 + c->minute * 60 + c->second;
}

static void
civil_from_seconds (gint64     seconds,
                    CivilTime *c)
{
  gint64 days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  gint64 rest = seconds - days * 86400;
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;

  c->day = (int) (doy - (153 * mp + 2) / 5 + 1);
  c->month = (int) (mp < 10 ? mp + 3 : mp - 9);
  c->year = (int) (yoe + era * 400 + (c->month <= 2 ? 1 : 0));
  c->hour = (int) (rest / 3600);
  c->minute = (int) (rest / 60 % 60);
  c->second = (int) (rest % 60);
}

/* Moves @c forward to the first wall-clock time ≥ @c that @cron matches. Each step either
 * finds the next allowed value of one field or carries into the next larger field and
 * resets the smaller ones, so the loop runs a few times per month searched, never once per
 * second. Returns FALSE when nothing matches before the end of @end_year. */
static gboolean
cron_find_civil (DecaCron  *cron,
                 CivilTime *c,
                 int        end_year)
{
  while (c->year <= end_year)
    {
      int v;

      if (c->second > 59)
        {
          c->second = 0;
          c->minute++;
        }
      if (c->minute > 59)
        {
          c->minute = 0;
          c->hour++;
        }
      if (c->hour > 23)
        {
          c->hour = 0;
          c->day++;
        }
      if (c->day > days_in_month (c->year, c->month))
        {
          c->day = 1;
          c->month++;
        }
      if (c->month > 12)
        {
          c->month = 1;
          c->year++;
          continue;
        }

      v = next_set_bit (cron->bits[FIELD_MONTH], c->month, 12);
      if (v != c->month)
        {
          if (v < 0)
            {
              c->year++;
              c->month = 1;
            }
          else
            c->month = v;
          c->day = 1;
          c->hour = c->minute = c->second = 0;
          continue;
        }

      if (!cron_day_matches (cron, c->year, c->month, c->day))
        {
          c->day++;
          c->hour = c->minute = c->second = 0;
          continue;
        }

      v = next_set_bit (cron->bits[FIELD_HOUR], c->hour, 23);
      if (v != c->hour)
        {
          if (v < 0)
            {
              c->day++;
              c->hour = 0;
            }
          else
            c->hour = v;
          c->minute = c->second = 0;
          continue;
        }

      v = next_set_bit (cron->bits[FIELD_MINUTE], c->minute, 59);
      if (v != c->minute)
        {
          if (v < 0)
            {
              c->hour++;
              c->minute = 0;
            }
          else
            c->minute = v;
          c->second = 0;
          continue;
        }

      v = next_set_bit (cron->bits[FIELD_SECOND], c->second, 59);
      if (v != c->second)
        {
          if (v < 0)
            {
              c->minute++;
              c->second = 0;
            }
          else
            c->second = v;
          continue;
        }

      return TRUE;
    }

  return FALSE;
}

static gint32
zone_offset_at (GTimeZone *tz,
                gint64     instant)
{
  return g_time_zone_get_offset (tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL,
                                                                instant));
}

/* Maps the wall-clock time @local (see civil_to_seconds()) in @tz to the earliest instant
 * after @after_unix that shows it. A time repeated when clocks go back therefore fires
 * once, at its first occurrence after @after_unix; a time skipped when clocks go forward
 * fires when the clocks have jumped (02:30 on a spring-forward night becomes 03:00), so a
 * daily job is not lost. Returns G_MININT64 when no such instant is after @after_unix. */
static gint64
cron_local_to_instant (GTimeZone *tz,
                       gint64     local,
                       gint64     after_unix)
{
  static const GTimeType types[] = { G_TIME_TYPE_DAYLIGHT, G_TIME_TYPE_STANDARD };
  gint64 best = G_MININT64;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      int interval = g_time_zone_find_interval (tz, types[i], local);
      gint64 instant;

      if (interval < 0)
        continue;
      instant = local - g_time_zone_get_offset (tz, interval);
      /* Check the instant really shows @local, i.e. the interval is in force then. */
      if (instant + zone_offset_at (tz, instant) != local)
        continue;
      if (instant > after_unix && (best == G_MININT64 || instant < best))
        best = instant;
    }

  if (best == G_MININT64)
    {
      gint64 adjusted = local;
      int interval = g_time_zone_adjust_time (tz, G_TIME_TYPE_STANDARD, &adjusted);
      gint64 instant = adjusted - g_time_zone_get_offset (tz, interval);

      /* Only a time in a gap gets here with a usable answer: the adjusted time. */
      if (adjusted != local && instant > after_unix)
        best = instant;
    }

  return best;
}

/* Wall-clock semantics, for jobs at fixed times ("30 2 * * *"): every matching wall-clock
 * time fires once, see cron_local_to_instant(). */
static gint64
cron_next_fixed (DecaCron  *cron,
                 GTimeZone *tz,
                 gint64     after_unix,
                 int        end_year)
{
  CivilTime c;

  civil_from_seconds (after_unix + zone_offset_at (tz, after_unix) + 1, &c);
  while (cron_find_civil (cron, &c, end_year))
    {
      gint64 instant = cron_local_to_instant (tz, civil_to_seconds (&c), after_unix);

      if (instant != G_MININT64)
        return instant;
      /* Only the earlier pass of a repeated hour was left, and it is past. */
      c.second++;
    }
  return G_MININT64;
}

/* Real-time semantics, for jobs with a wildcard in the second, minute or hour field
 * ("*\/15 * * * *"): every instant whose wall clock matches fires, so such a job keeps its
 * rhythm through both passes of a repeated hour and skips wall-clock times that do not
 * exist. The search runs in one offset at a time: a candidate that falls past the end of
 * the current offset's interval restarts the search at the transition. */
static gint64
cron_next_realtime (DecaCron  *cron,
                    GTimeZone *tz,
                    gint64     after_unix,
                    int        end_year)
{
  gint64 start = after_unix + 1;

  for (;;)
    {
      int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, start);
      gint32 offset = g_time_zone_get_offset (tz, interval);
      gint64 instant, lo, hi;
      CivilTime c;

      civil_from_seconds (start + offset, &c);
      if (!cron_find_civil (cron, &c, end_year))
        return G_MININT64;
      instant = civil_to_seconds (&c) - offset;
      if (g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, instant) == interval)
        return instant;

      /* The interval ends in (start, instant]: find its end by bisection (intervals are
       * ordered in time) and go on from there in the next offset. */
      lo = start;
      hi = instant;
      while (hi - lo > 1)
        {
          gint64 mid = lo + (hi - lo) / 2;

          if (g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, mid) == interval)
            lo = mid;
          else
            hi = mid;
        }
      start = hi;
    }
}

/*
 * deca_cron_next:
 * Returns (transfer full) the first instant strictly after @after at which @cron fires,
 * reckoned in wall-clock time of @tz (NULL = UTC) and returned in @tz, or NULL when there
 * is none within the next five years (30 February, or 31 April).
 *
 * Around DST changes this follows Vixie cron: a job with a wildcard in its time fields runs
 * by real time (through both passes of a repeated hour, not in a skipped one); a job at a
 * fixed time runs once per day, at the first occurrence of a repeated time and right after
 * the jump for a skipped one.
 */
GDateTime *
deca_cron_next (DecaCron  *cron,
                GDateTime *after,
                GTimeZone *tz)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) found = NULL;
  g_autoptr(GDateTime) limit = NULL;
  gint64 after_unix, instant;
  int end_year;

  g_return_val_if_fail (cron != NULL, NULL);
  g_return_val_if_fail (after != NULL, NULL);

  if (tz == NULL)
    tz = utc = g_time_zone_new_utc ();

  after_unix = g_date_time_to_unix (after);
  limit = g_date_time_add_years (after, CRON_HORIZON_YEARS);
  if (limit == NULL)
    return NULL;
  end_year = g_date_time_get_year (limit) + 1;

  if (cron->time_wildcard)
    instant = cron_next_realtime (cron, tz, after_unix, end_year);
  else
    instant = cron_next_fixed (cron, tz, after_unix, end_year);
  if (instant == G_MININT64 || instant > g_date_time_to_unix (limit))
    return NULL;

  found = g_date_time_new_from_unix_utc (instant);
  if (found == NULL)
    return NULL;
  return g_date_time_to_timezone (found, tz);
}
