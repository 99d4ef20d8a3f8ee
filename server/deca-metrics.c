/* deca-metrics.c: a Prometheus registry and its text exposition format (deca-metrics.h). */

#include "config.h"

#include <math.h>
#include <string.h>

#include "deca-json.h"
#include "deca-metrics.h"

typedef enum {
  KIND_COUNTER,
  KIND_GAUGE,
  KIND_HISTOGRAM,
} Kind;

/* How many of the series found last a family remembers (lookup_series()). */
#define RECENT_SERIES 4

/* One label combination of a family. */
typedef struct {
  char  **label_values;
  double  value;         /* counters and gauges */
  guint64 *bucket_counts; /* histograms: per bucket (not cumulative), the last one +Inf */
  double  sum;
  guint64 count;
} Series;

struct _DecaMetricsFamily
{
  DecaMetrics *registry;  /* borrowed: the registry owns the family */
  Kind kind;
  char *name;
  char *help;
  char **label_names;
  guint n_labels;
  double *buckets;       /* histograms: finite upper bounds */
  gsize n_buckets;
  GHashTable *series;    /* key (label values joined by \x1f, owned) -> Series */
  /* The series found last (borrowed; series live as long as their family): requests
   * observe the same few label combinations over and over, which are then found by
   * comparing their values, without a key built and hashed. */
  Series *recent[RECENT_SERIES];
  guint next_recent;
};

struct _DecaMetrics
{
  GObject parent_instance;

  GMutex lock;
  GPtrArray *families;   /* DecaMetricsFamily, in registration order */

  /* Collect functions (Collector), run by deca_metrics_format() before it writes. Their
   * own lock, held while they run, so that one removed meanwhile waits for the run to
   * end; they take @lock themselves when they set values. */
  GMutex collect_lock;
  GArray *collectors;
  guint last_collector_id;
};

typedef struct {
  guint id;
  DecaMetricsCollectFunc func;
  gpointer user_data;
  GDestroyNotify notify;
} Collector;

G_DEFINE_FINAL_TYPE (DecaMetrics, deca_metrics, G_TYPE_OBJECT)

static const double default_duration_buckets[] = {
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

static void
series_free (gpointer data)
{
  Series *series = data;

  g_strfreev (series->label_values);
  g_free (series->bucket_counts);
  g_free (series);
}

static void
family_free (gpointer data)
{
  DecaMetricsFamily *family = data;

  g_free (family->name);
  g_free (family->help);
  g_strfreev (family->label_names);
  g_free (family->buckets);
  g_hash_table_unref (family->series);
  g_free (family);
}

static void
deca_metrics_finalize (GObject *object)
{
  DecaMetrics *self = DECA_METRICS (object);

  for (guint i = 0; i < self->collectors->len; i++)
    {
      Collector *collector = &g_array_index (self->collectors, Collector, i);

      if (collector->notify != NULL)
        collector->notify (collector->user_data);
    }
  g_array_unref (self->collectors);
  g_mutex_clear (&self->collect_lock);
  g_ptr_array_unref (self->families);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (deca_metrics_parent_class)->finalize (object);
}

static void
deca_metrics_class_init (DecaMetricsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = deca_metrics_finalize;
}

static void
deca_metrics_init (DecaMetrics *self)
{
  g_mutex_init (&self->lock);
  self->families = g_ptr_array_new_with_free_func (family_free);
  g_mutex_init (&self->collect_lock);
  self->collectors = g_array_new (FALSE, FALSE, sizeof (Collector));
}

DecaMetrics *
deca_metrics_new (void)
{
  return g_object_new (DECA_TYPE_METRICS, NULL);
}

const double *
deca_metrics_default_duration_buckets (gsize *n_buckets)
{
  if (n_buckets != NULL)
    *n_buckets = G_N_ELEMENTS (default_duration_buckets);
  return default_duration_buckets;
}

static gboolean
is_valid_name (const char *name,
               gboolean    allow_colon)
{
  if (name == NULL || name[0] == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    {
      gboolean ok = g_ascii_isalpha (*p) || *p == '_' || (allow_colon && *p == ':')
                    || (p != name && g_ascii_isdigit (*p));
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

DecaMetricsFamily *
deca_metrics_lookup (DecaMetrics *self,
                     const char  *name)
{
  DecaMetricsFamily *found = NULL;

  g_return_val_if_fail (DECA_IS_METRICS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->families->len; i++)
    {
      DecaMetricsFamily *family = g_ptr_array_index (self->families, i);

      if (g_str_equal (family->name, name))
        {
          found = family;
          break;
        }
    }
  g_mutex_unlock (&self->lock);
  return found;
}

static DecaMetricsFamily *
add_family (DecaMetrics        *self,
            Kind                kind,
            const char         *name,
            const char         *help,
            const char *const  *label_names,
            const double       *buckets,
            gsize               n_buckets)
{
  DecaMetricsFamily *family;

  g_return_val_if_fail (DECA_IS_METRICS (self), NULL);
  g_return_val_if_fail (is_valid_name (name, TRUE), NULL);
  g_return_val_if_fail (help != NULL, NULL);
  g_return_val_if_fail (deca_metrics_lookup (self, name) == NULL, NULL);
  for (guint i = 0; label_names != NULL && label_names[i] != NULL; i++)
    {
      g_return_val_if_fail (is_valid_name (label_names[i], FALSE), NULL);
      g_return_val_if_fail (!g_str_has_prefix (label_names[i], "__"), NULL);
      g_return_val_if_fail (kind != KIND_HISTOGRAM || !g_str_equal (label_names[i], "le"), NULL);
    }
  for (gsize i = 0; i < n_buckets; i++)
    {
      g_return_val_if_fail (isfinite (buckets[i]), NULL);
      g_return_val_if_fail (i == 0 || buckets[i] > buckets[i - 1], NULL);
    }

  family = g_new0 (DecaMetricsFamily, 1);
  family->registry = self;
  family->kind = kind;
  family->name = g_strdup (name);
  family->help = g_strdup (help);
  family->label_names = label_names != NULL ? g_strdupv ((char **) label_names) : g_new0 (char *, 1);
  family->n_labels = g_strv_length (family->label_names);
  if (kind == KIND_HISTOGRAM)
    {
      family->buckets = g_memdup2 (buckets, n_buckets * sizeof (double));
      family->n_buckets = n_buckets;
    }
  family->series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, series_free);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->families, family);
  g_mutex_unlock (&self->lock);
  return family;
}

DecaMetricsFamily *
deca_metrics_add_counter (DecaMetrics        *self,
                          const char         *name,
                          const char         *help,
                          const char *const  *label_names)
{
  return add_family (self, KIND_COUNTER, name, help, label_names, NULL, 0);
}

DecaMetricsFamily *
deca_metrics_add_gauge (DecaMetrics        *self,
                        const char         *name,
                        const char         *help,
                        const char *const  *label_names)
{
  return add_family (self, KIND_GAUGE, name, help, label_names, NULL, 0);
}

DecaMetricsFamily *
deca_metrics_add_histogram (DecaMetrics        *self,
                            const char         *name,
                            const char         *help,
                            const char *const  *label_names,
                            const double       *buckets,
                            gsize               n_buckets)
{
  g_return_val_if_fail (buckets != NULL || n_buckets == 0, NULL);

  return add_family (self, KIND_HISTOGRAM, name, help, label_names, buckets, n_buckets);
}

/* Whether @series has exactly @label_values (@n_values of them). */
static gboolean
series_has_values (const Series      *series,
                   const char *const *label_values,
                   guint              n_values)
{
  for (guint i = 0; i < n_values; i++)
    if (strcmp (series->label_values[i], label_values[i]) != 0)
      return FALSE;
  return TRUE;
}

/* The keys of most label combinations fit here, without a GString for each lookup. */
#define KEY_BUFFER_SIZE 256

/* Returns (transfer none) the series of @label_values, created when @create; called with
 * the lock held. NULL when the number of values is wrong (a critical) or, without
 * @create, when there is no such series. */
static Series *
lookup_series (DecaMetricsFamily  *family,
               const char *const  *label_values,
               gboolean            create)
{
  char buffer[KEY_BUFFER_SIZE];
  g_autoptr(GString) long_key = NULL;
  const char *key = buffer;
  guint n_values = label_values != NULL ? g_strv_length ((char **) label_values) : 0;
  gsize length = 0;
  Series *series;

  g_return_val_if_fail (n_values == family->n_labels, NULL);

  for (guint i = 0; i < RECENT_SERIES; i++)
    if (family->recent[i] != NULL && series_has_values (family->recent[i], label_values, n_values))
      return family->recent[i];

  for (guint i = 0; i < n_values; i++)
    length += strlen (label_values[i]) + 1;
  if (length > sizeof buffer)
    {
      long_key = g_string_sized_new (length);
      for (guint i = 0; i < n_values; i++)
        {
          if (i > 0)
            g_string_append_c (long_key, '\x1f');
          g_string_append (long_key, label_values[i]);
        }
      key = long_key->str;
    }
  else
    {
      gsize at = 0;

      for (guint i = 0; i < n_values; i++)
        {
          gsize value_length = strlen (label_values[i]);

          if (i > 0)
            buffer[at++] = '\x1f';
          memcpy (buffer + at, label_values[i], value_length);
          at += value_length;
        }
      buffer[at] = '\0';
    }

  series = g_hash_table_lookup (family->series, key);
  if (series == NULL && create)
    {
      series = g_new0 (Series, 1);
      series->label_values = label_values != NULL ? g_strdupv ((char **) label_values) : g_new0 (char *, 1);
      if (family->kind == KIND_HISTOGRAM)
        series->bucket_counts = g_new0 (guint64, family->n_buckets + 1);
      g_hash_table_insert (family->series, g_strdup (key), series);
    }
  if (series != NULL)
    {
      family->recent[family->next_recent] = series;
      family->next_recent = (family->next_recent + 1) % RECENT_SERIES;
    }
  return series;
}

void
deca_metrics_family_add (DecaMetricsFamily  *family,
                         const char *const  *label_values,
                         double              amount)
{
  Series *series;

  g_return_if_fail (family != NULL);
  g_return_if_fail (family->kind != KIND_HISTOGRAM);
  /* A counter only goes up (Prometheus' rate() reads a decrease as a restart). */
  g_return_if_fail (family->kind != KIND_COUNTER || amount >= 0);

  g_mutex_lock (&family->registry->lock);
  if ((series = lookup_series (family, label_values, TRUE)) != NULL)
    series->value += amount;
  g_mutex_unlock (&family->registry->lock);
}

void
deca_metrics_family_set (DecaMetricsFamily  *family,
                         const char *const  *label_values,
                         double              value)
{
  Series *series;

  g_return_if_fail (family != NULL);
  g_return_if_fail (family->kind == KIND_GAUGE);

  g_mutex_lock (&family->registry->lock);
  if ((series = lookup_series (family, label_values, TRUE)) != NULL)
    series->value = value;
  g_mutex_unlock (&family->registry->lock);
}

void
deca_metrics_family_observe (DecaMetricsFamily  *family,
                             const char *const  *label_values,
                             double              value)
{
  Series *series;

  g_return_if_fail (family != NULL);
  g_return_if_fail (family->kind == KIND_HISTOGRAM);
  g_return_if_fail (!isnan (value));

  g_mutex_lock (&family->registry->lock);
  if ((series = lookup_series (family, label_values, TRUE)) != NULL)
    {
      gsize i = 0;

      /* The first bucket whose bound is >= value; le means "less or equal". */
      while (i < family->n_buckets && value > family->buckets[i])
        i++;
      series->bucket_counts[i]++;
      series->sum += value;
      series->count++;
    }
  g_mutex_unlock (&family->registry->lock);
}

double
deca_metrics_family_get (DecaMetricsFamily  *family,
                         const char *const  *label_values)
{
  Series *series;
  double value = 0;

  g_return_val_if_fail (family != NULL, 0);

  g_mutex_lock (&family->registry->lock);
  if ((series = lookup_series (family, label_values, FALSE)) != NULL)
    value = family->kind == KIND_HISTOGRAM ? (double) series->count : series->value;
  g_mutex_unlock (&family->registry->lock);
  return value;
}

/* Prometheus' float text: Go's strconv forms ("+Inf", "-Inf", "NaN") and the shortest
 * decimal that reads back exactly. */
static void
append_value (GString *out,
              double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    g_string_append (out, "NaN");
  else if (isinf (value))
    g_string_append (out, value > 0 ? "+Inf" : "-Inf");
  else
    {
      deca_json_format_double (value, buffer, sizeof buffer);
      g_string_append (out, buffer);
    }
}

/* HELP text escapes backslash and line feed; label values also the double quote. */
static void
append_escaped (GString    *out,
                const char *text,
                gboolean    quote)
{
  for (const char *p = text; *p; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (quote && *p == '"')
        g_string_append (out, "\\\"");
      else
        g_string_append_c (out, *p);
    }
}

/* Appends {a="x",b="y"[,le="..."]} (nothing when there are no labels at all). */
static void
append_labels (GString                 *out,
               const DecaMetricsFamily *family,
               const Series            *series,
               const char              *le)
{
  gboolean any = FALSE;

  for (guint i = 0; i < family->n_labels; i++)
    {
      g_string_append (out, any ? "," : "{");
      g_string_append_printf (out, "%s=\"", family->label_names[i]);
      append_escaped (out, series->label_values[i], TRUE);
      g_string_append_c (out, '"');
      any = TRUE;
    }
  if (le != NULL)
    {
      g_string_append_printf (out, "%sle=\"%s\"", any ? "," : "{", le);
      any = TRUE;
    }
  if (any)
    g_string_append_c (out, '}');
}

static int
compare_series (gconstpointer a,
                gconstpointer b)
{
  const Series *sa = *(const Series **) a;
  const Series *sb = *(const Series **) b;

  for (guint i = 0; sa->label_values[i] != NULL; i++)
    {
      int cmp = strcmp (sa->label_values[i], sb->label_values[i]);

      if (cmp != 0)
        return cmp;
    }
  return 0;
}

static void
format_family (GString                 *out,
               const DecaMetricsFamily *family)
{
  static const char *const type_names[] = { "counter", "gauge", "histogram" };
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_string_append_printf (out, "# HELP %s ", family->name);
  append_escaped (out, family->help, FALSE);
  g_string_append_printf (out, "\n# TYPE %s %s\n", family->name, type_names[family->kind]);

  g_hash_table_iter_init (&iter, family->series);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sorted, value);
  g_ptr_array_sort (sorted, compare_series);
  for (guint i = 0; i < sorted->len; i++)
    {
      const Series *series = g_ptr_array_index (sorted, i);

      if (family->kind != KIND_HISTOGRAM)
        {
          g_string_append (out, family->name);
          append_labels (out, family, series, NULL);
          g_string_append_c (out, ' ');
          append_value (out, series->value);
          g_string_append_c (out, '\n');
          continue;
        }

      /* Buckets are cumulative in the exposition: each counts every observation at or
       * below its bound. */
      {
        guint64 cumulative = 0;

        for (gsize b = 0; b <= family->n_buckets; b++)
          {
            g_autoptr(GString) le = g_string_new (NULL);

            cumulative += series->bucket_counts[b];
            if (b < family->n_buckets)
              append_value (le, family->buckets[b]);
            else
              g_string_append (le, "+Inf");
            g_string_append_printf (out, "%s_bucket", family->name);
            append_labels (out, family, series, le->str);
            g_string_append_printf (out, " %" G_GUINT64_FORMAT "\n", cumulative);
          }
        g_string_append_printf (out, "%s_sum", family->name);
        append_labels (out, family, series, NULL);
        g_string_append_c (out, ' ');
        append_value (out, series->sum);
        g_string_append_printf (out, "\n%s_count", family->name);
        append_labels (out, family, series, NULL);
        g_string_append_printf (out, " %" G_GUINT64_FORMAT "\n", series->count);
      }
    }
}

guint
deca_metrics_add_collect_func (DecaMetrics            *self,
                               DecaMetricsCollectFunc  func,
                               gpointer                user_data,
                               GDestroyNotify          notify)
{
  Collector collector = { 0, func, user_data, notify };

  g_return_val_if_fail (DECA_IS_METRICS (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  g_mutex_lock (&self->collect_lock);
  collector.id = ++self->last_collector_id;
  g_array_append_val (self->collectors, collector);
  g_mutex_unlock (&self->collect_lock);
  return collector.id;
}

void
deca_metrics_remove_collect_func (DecaMetrics *self,
                                  guint        id)
{
  Collector removed = { 0 };

  g_return_if_fail (DECA_IS_METRICS (self));

  g_mutex_lock (&self->collect_lock);
  for (guint i = 0; i < self->collectors->len; i++)
    if (g_array_index (self->collectors, Collector, i).id == id)
      {
        removed = g_array_index (self->collectors, Collector, i);
        g_array_remove_index (self->collectors, i);
        break;
      }
  g_mutex_unlock (&self->collect_lock);
  if (removed.id == 0)
    g_critical ("%s: no collect function %u", G_STRFUNC, id);
  else if (removed.notify != NULL)
    removed.notify (removed.user_data);
}

char *
deca_metrics_format (DecaMetrics *self)
{
  GString *out;

  g_return_val_if_fail (DECA_IS_METRICS (self), NULL);

  g_mutex_lock (&self->collect_lock);
  for (guint i = 0; i < self->collectors->len; i++)
    {
      Collector *collector = &g_array_index (self->collectors, Collector, i);

      collector->func (self, collector->user_data);
    }
  g_mutex_unlock (&self->collect_lock);

  out = g_string_new (NULL);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->families->len; i++)
    format_family (out, g_ptr_array_index (self->families, i));
  g_mutex_unlock (&self->lock);
  return g_string_free (out, FALSE);
}
