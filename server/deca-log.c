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
  g_autofree char *valid = g_utf8_make_valid (value, -1);

  g_string_append_printf (line, ",\"%s\":", name);
  deca_json_append_string (line, valid);
}

void
deca_log_write (DecaLog             *self,
                DecaLogLevel         level,
                const DecaLogFields *fields,
                JsonObject          *extra,
                const char          *message)
{
  g_autoptr(GString) line = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *time = NULL;

  g_return_if_fail (DECA_IS_LOG (self));
  g_return_if_fail (message != NULL);

  if (level < self->min_level)
    return;

  now = g_date_time_new_now_utc ();
  time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
  line = g_string_new ("{\"time\":");
  /* Milliseconds are enough and keep lines short: cut %f's six digits to three. */
  time[23] = 'Z';
  time[24] = '\0';
  deca_json_append_string (line, time);
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
        g_string_append_printf (line, ",\"status\":%u", fields->status);
      if (fields->duration_ms >= 0)
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];

          /* Microsecond resolution is all the clock gives. */
          deca_json_format_double (floor (fields->duration_ms * 1000.0 + 0.5) / 1000.0,
                                   buffer, sizeof buffer);
          g_string_append_printf (line, ",\"duration_ms\":%s", buffer);
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
