#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * DecaClock: where the engine reads the time and schedules delays (retry backoff, node and
 * flow timeouts, wait nodes, circuit-breaker cool-downs). The system clock uses the
 * thread-default GMainContext; the manual clock lets tests move time forward by hand, so no
 * test sleeps.
 */

#define DECA_TYPE_CLOCK (deca_clock_get_type ())
G_DECLARE_INTERFACE (DecaClock, deca_clock, DECA, CLOCK, GObject)

struct _DecaClockInterface
{
  GTypeInterface parent_iface;

  gint64 (*now_us)         (DecaClock      *self);
  guint  (*add_timeout)    (DecaClock      *self,
                            gint64          delay_us,
                            GSourceFunc     func,
                            gpointer        data,
                            GDestroyNotify  notify);
  void   (*remove_timeout) (DecaClock      *self,
                            guint           id);
};

/* Wall-clock time in µs since the epoch. */
gint64 deca_clock_now_us         (DecaClock      *self);
/* Calls @func once after @delay_us (clamped at 0); @func's return value is ignored.
 * Returns an id > 0 for deca_clock_remove_timeout(). @notify runs when the timeout fired
 * or was removed. */
guint  deca_clock_add_timeout    (DecaClock      *self,
                                  gint64          delay_us,
                                  GSourceFunc     func,
                                  gpointer        data,
                                  GDestroyNotify  notify);
/* Cancels a pending timeout; ids that already fired are ignored. */
void   deca_clock_remove_timeout (DecaClock      *self,
                                  guint           id);

/* The real clock, scheduling on the thread-default main context of the caller of
 * deca_clock_add_timeout(). */
#define DECA_TYPE_SYSTEM_CLOCK (deca_system_clock_get_type ())
G_DECLARE_FINAL_TYPE (DecaSystemClock, deca_system_clock, DECA, SYSTEM_CLOCK, GObject)
/* Returns (transfer full) the process-wide system clock. */
DecaClock *deca_system_clock_get_default (void);

/* A clock that only moves when told to. */
#define DECA_TYPE_MANUAL_CLOCK (deca_manual_clock_get_type ())
G_DECLARE_FINAL_TYPE (DecaManualClock, deca_manual_clock, DECA, MANUAL_CLOCK, GObject)
DecaManualClock *deca_manual_clock_new       (gint64           start_us);
/* Moves time forward by @delta_us, firing due timeouts in time order (each at its own
 * due time). Returns the number of timeouts fired. */
guint            deca_manual_clock_advance   (DecaManualClock *self,
                                              gint64           delta_us);
/* The due time of the earliest pending timeout, or -1 when none is pending. */
gint64           deca_manual_clock_next_due  (DecaManualClock *self);
guint            deca_manual_clock_get_pending (DecaManualClock *self);

G_END_DECLS
