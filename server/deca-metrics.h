#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * DecaMetrics: a small Prometheus registry. Families (counters, gauges, histograms) are
 * registered once with their help text and label names; a series is a family with one
 * value per label. deca_metrics_format() writes the text exposition format 0.0.4 (what
 * `GET /metrics` answers). Recording is thread-safe (one lock per registry).
 *
 * Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* without a
 * leading "__"; histograms may not use the label "le". Registering a bad or taken name is
 * a programming error (a critical, NULL returned).
 */

#define DECA_TYPE_METRICS (deca_metrics_get_type ())
G_DECLARE_FINAL_TYPE (DecaMetrics, deca_metrics, DECA, METRICS, GObject)

/* A family; owned by its registry, valid while the registry lives. */
typedef struct _DecaMetricsFamily DecaMetricsFamily;

/* The content type of deca_metrics_format()'s text. */
#define DECA_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

DecaMetrics       *deca_metrics_new               (void);

/* Registers a counter / gauge / histogram. @label_names is NULL-terminated (NULL: no
 * labels). A histogram's @buckets are its upper bounds, strictly increasing and finite;
 * +Inf is added. Returns (transfer none) the family. */
DecaMetricsFamily *deca_metrics_add_counter       (DecaMetrics        *self,
                                                   const char         *name,
                                                   const char         *help,
                                                   const char *const  *label_names);
DecaMetricsFamily *deca_metrics_add_gauge         (DecaMetrics        *self,
                                                   const char         *name,
                                                   const char         *help,
                                                   const char *const  *label_names);
DecaMetricsFamily *deca_metrics_add_histogram     (DecaMetrics        *self,
                                                   const char         *name,
                                                   const char         *help,
                                                   const char *const  *label_names,
                                                   const double       *buckets,
                                                   gsize               n_buckets);
/* Returns (transfer none) (nullable) the family registered under @name. */
DecaMetricsFamily *deca_metrics_lookup            (DecaMetrics        *self,
                                                   const char         *name);

/* @label_values: one per label name, in order (NULL when the family has none). */
/* Adds @amount (>= 0) to a counter, or any amount to a gauge. */
void               deca_metrics_family_add        (DecaMetricsFamily  *family,
                                                   const char *const  *label_values,
                                                   double              amount);
/* Sets a gauge. */
void               deca_metrics_family_set        (DecaMetricsFamily  *family,
                                                   const char *const  *label_values,
                                                   double              value);
/* Records one observation in a histogram. */
void               deca_metrics_family_observe    (DecaMetricsFamily  *family,
                                                   const char *const  *label_values,
                                                   double              value);
/* The current value of a counter or gauge series, the count of a histogram's (0 for a
 * series never recorded). */
double             deca_metrics_family_get        (DecaMetricsFamily  *family,
                                                   const char *const  *label_values);

/* Sets the values that are cheaper to read when asked than to keep up to date (a queue's
 * depth): called by deca_metrics_format() on its caller's thread (the server's, for
 * GET /metrics), before it writes. It must not add or remove collect functions. */
typedef void (*DecaMetricsCollectFunc) (DecaMetrics *metrics,
                                        gpointer     user_data);

/* Adds @func, run at each deca_metrics_format() in the order added. Returns its id (> 0)
 * for deca_metrics_remove_collect_func(); @notify frees @user_data when it is removed or
 * the registry goes. */
guint              deca_metrics_add_collect_func    (DecaMetrics            *self,
                                                     DecaMetricsCollectFunc  func,
                                                     gpointer                user_data,
                                                     GDestroyNotify          notify);
/* Removes a collect function; a format running it on another thread ends first. */
void               deca_metrics_remove_collect_func (DecaMetrics            *self,
                                                     guint                   id);

/* Returns (transfer full) the whole registry in the text exposition format 0.0.4:
 * families in registration order, series sorted by label values, after the collect
 * functions ran. */
char              *deca_metrics_format            (DecaMetrics        *self);

/* The default buckets of durations in seconds (5 ms to 10 s, as Prometheus' clients). */
const double      *deca_metrics_default_duration_buckets (gsize *n_buckets);

G_END_DECLS
