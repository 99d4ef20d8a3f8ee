/* deca-log.c: one JSON object per line for the server's log (deca-log.h). */

#include "config.h"

#include <math.h>
#include <string.h>

#include "deca-json.h"
#include "deca-log.h"

struct _DecaLog
{
  GObject parent_instance;

  FILE *stream;          /* borrowed */
  DecaLogLevel min_level;
  GMutex lock;           /* one line at a time */

  /* Under lock: "YYYY-MM-DDTHH:MM:SS" of the second last logged, which most lines share;
   * formatting it through GDateTime for each line cost more than the rest of a line. */
  gint64 time_second;
  char time_text[24];
};

G_DEFINE_FINAL_TYPE (DecaLog, deca_log, G_TYPE_OBJECT)

static const char *const level_names[] = {
  [DECA_LOG_DEBUG] = "debug",
  [DECA_LOG_INFO] = "info",
  [DECA_LOG_WARNING] = "warning",
  [DECA_LOG_ERROR] = "error",
};

/* The members a line writes itself; an @extra member of the same name is dropped so
 * that a line never has a member twice. */
static const char *const standard_members[] = {
  "time", "level", "message", "trace_id", "method", "route", "status", "duration_ms",
};

static void
deca_log_finalize (GObject *object)
{
  DecaLog *self = DECA_LOG (object);

  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (deca_log_parent_class)->finalize (object);
}

static void
deca_log_class_init (DecaLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = deca_log_finalize;
}

static void
deca_log_init (DecaLog *self)
{
  g_mutex_init (&self->lock);
}

DecaLog *
deca_log_new (FILE         *stream,
              DecaLogLevel  min_level)
{
  DecaLog *self;

  g_return_val_if_fail (stream != NULL, NULL);

  self = g_object_new (DECA_TYPE_LOG, NULL);
  self->stream = stream;
  self->min_level = min_level;
  return self;
}

DecaLogLevel
deca_log_get_min_level (DecaLog *self)
{
  g_return_val_if_fail (DECA_IS_LOG (self), DECA_LOG_INFO);

  return self->min_level;
}

void
deca_log_set_min_level (DecaLog      *self,
                        DecaLogLevel  min_level)
{
  g_return_if_fail (DECA_IS_LOG (self));

  self->min_level = min_level;
}

const char *
deca_log_level_to_string (DecaLogLevel level)
{
  if ((guint) level >= G_N_ELEMENTS (level_names))
    return "info";
  return level_names[level];
}

gboolean
deca_log_level_from_string (const char   *name,
                            DecaLogLevel *level)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (level_names); i++)
    if (g_ascii_strcasecmp (name, level_names[i]) == 0)
      {
        if (level != NULL)
          *level = (DecaLogLevel) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
deca_log_is_secret_header (const char *name)
{
  static const char *const secret[] = {
    "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key",
  };

  g_return_val_if_fail (name != NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (secret); i++)
    if (g_ascii_strcasecmp (name, secret[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_standard_member (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (standard_members); i++)
    if (g_str_equal (name, standard_members[i]))
      return TRUE;
  return FALSE;
}

/* Appends ,"name":"value" with JSON escaping. Invalid UTF-8 in @value (a client's
 * garbage) is replaced, so the line stays valid JSON. */
static void
append_string_member (GString    *line,
                      const char *name,
                      const char *value)
{
  g_string_append_len (line, ",\"", 2);
  g_string_append (line, name);
  g_string_append_len (line, "\":", 2);
  if (g_utf8_validate (value, -1, NULL))
    deca_json_append_string (line, value);
  else
    {
      g_autofree char *valid = g_utf8_make_valid (value, -1);

      deca_json_append_string (line, valid);
    }
}

/* Appends the decimal digits of @value. */
static void
append_uint (GString *line,
             guint64  value)
{
  char buffer[24];
  char *p = buffer + sizeof buffer;

  do
    {
      *--p = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0);
  g_string_append_len (line, p, buffer + sizeof buffer - p);
}

/* Appends @ms at microsecond resolution in its shortest form ("12.5", "3", "0.042"),
 * the text deca_json_format_double() gives for such a value. */
static void
append_duration (GString *line,
                 double   ms)
{
  guint64 us = (guint64) floor (ms * 1000.0 + 0.5);
  guint fraction = (guint) (us % 1000);

  append_uint (line, us / 1000);
  if (fraction != 0)
    {
      char digits[4] = { (char) ('0' + fraction / 100), (char) ('0' + fraction / 10 % 10),
                         (char) ('0' + fraction % 10), '\0' };
      gsize len = 3;

      while (digits[len - 1] == '0')
        len--;
      g_string_append_c (line, '.');
      g_string_append_len (line, digits, (gssize) len);
    }
}

/* Appends "\"YYYY-MM-DDTHH:MM:SS.mmmZ\"" for now, in UTC; called under the lock. */
static void
append_time (DecaLog *self,
             GString *line)
{
  gint64 now = g_get_real_time ();
  gint64 second = now / G_USEC_PER_SEC;
  guint ms = (guint) (now % G_USEC_PER_SEC / 1000);
  char millis[6] = { '.', (char) ('0' + ms / 100), (char) ('0' + ms / 10 % 10), (char) ('0' + ms % 10), 'Z', '"' };

  if (second != self->time_second || self->time_text[0] == '\0')
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (second);
      g_autofree char *text = time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%S") : NULL;

      g_strlcpy (self->time_text, text != NULL ? text : "1970-01-01T00:00:00", sizeof self->time_text);
      self->time_second = second;
    }
  g_string_append_c (line, '"');
  g_string_append (line, self->time_text);
  g_string_append_len (line, millis, sizeof millis);
}

void
deca_log_write (DecaLog             *self,
                DecaLogLevel         level,
                const DecaLogFields *fields,
                JsonObject          *extra,
                const char          *message)
{
  g_autoptr(GString) line = NULL;

  g_return_if_fail (DECA_IS_LOG (self));
  g_return_if_fail (message != NULL);

  if (level < self->min_level)
    return;

  line = g_string_sized_new (256);
  g_string_append (line, "{\"time\":");
  /* Milliseconds are enough and keep lines short. */
  g_mutex_lock (&self->lock);
  append_time (self, line);
  g_mutex_unlock (&self->lock);
  append_string_member (line, "level", deca_log_level_to_string (level));
  append_string_member (line, "message", message);
  if (fields != NULL)
    {
      if (fields->trace_id != NULL)
        append_string_member (line, "trace_id", fields->trace_id);
      if (fields->method != NULL)
        append_string_member (line, "method", fields->method);
      if (fields->route != NULL)
        append_string_member (line, "route", fields->route);
      if (fields->status != 0)
        {
          g_string_append (line, ",\"status\":");
          append_uint (line, fields->status);
        }
      if (fields->duration_ms >= 0)
        {
          /* Microsecond resolution is all the clock gives. */
          g_string_append (line, ",\"duration_ms\":");
          append_duration (line, fields->duration_ms);
        }
    }
  if (extra != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, extra);
      while (json_object_iter_next (&iter, &name, &value))
        {
          g_autofree char *text = NULL;

          if (is_standard_member (name) || deca_log_is_secret_header (name))
            continue;
          text = deca_json_to_string (value, FALSE);
          g_string_append_c (line, ',');
          deca_json_append_string (line, name);
          g_string_append_c (line, ':');
          g_string_append (line, text);
        }
    }
  g_string_append (line, "}\n");

  g_mutex_lock (&self->lock);
  fwrite (line->str, 1, line->len, self->stream);
  fflush (self->stream);
  g_mutex_unlock (&self->lock);
}

void
deca_log_writef (DecaLog             *self,
                 DecaLogLevel         level,
                 const DecaLogFields *fields,
                 const char          *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  g_return_if_fail (DECA_IS_LOG (self));

  if (level < self->min_level)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  deca_log_write (self, level, fields, NULL, message);
}
