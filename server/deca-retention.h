#pragma once

#include <deca-clock.h>
#include <deca-store-server.h>

#include "deca-log.h"

G_BEGIN_DECLS

/*
 * DecaRetention: the server's background task that keeps execution data, the audit log
 * and the published events from growing without bound (`deca serve
 * --keep-executions-days`, `--keep-executions`, `--keep-audit-days`, `--keep-events-days`;
 * docs/server.md, "Retention"). Each run prunes, in every workspace, the finished
 * executions older than the age limit and those beyond the newest N
 * (deca_store_prune_executions), then the audit lines older than their age limit
 * (deca_store_prune_audit), then the published events older than theirs
 * (deca_store_prune_topic_events: they are kept for replay only). deca_retention_start()
 * runs it at once and then every interval (an hour) on the clock, on the thread-default
 * main context of the caller, which must be the store's thread.
 */

#define DECA_RETENTION_DEFAULT_INTERVAL_S 3600
/* `deca serve`'s default for keep_events_days: a month of events to replay after an
 * outage or a bug fix, without the table growing with every event ever published. */
#define DECA_RETENTION_DEFAULT_KEEP_EVENTS_DAYS 30

typedef struct {
  guint keep_executions_days;  /* 0: no age limit */
  guint keep_executions;       /* per workspace; 0: no count limit */
  guint keep_audit_days;       /* 0: audit lines are kept */
  guint keep_events_days;      /* 0: published events are kept */
} DecaRetentionPolicy;

#define DECA_TYPE_RETENTION (deca_retention_get_type ())
G_DECLARE_FINAL_TYPE (DecaRetention, deca_retention, DECA, RETENTION, GObject)

/* Returns (transfer full) the task for @store (referenced) with @policy; @clock (nullable:
 * the system clock) gives the time and the timer; each run started by
 * deca_retention_start() writes a line to @log (nullable, referenced): what it deleted,
 * or why it failed. */
DecaRetention *deca_retention_new          (DecaStore                 *store,
                                            const DecaRetentionPolicy *policy,
                                            DecaClock                 *clock,
                                            DecaLog                   *log);
/* TRUE when @policy limits anything at all. */
gboolean       deca_retention_policy_is_set (const DecaRetentionPolicy *policy);
/* Sets the time between runs (seconds, at least 1; DECA_RETENTION_DEFAULT_INTERVAL_S). */
void           deca_retention_set_interval (DecaRetention  *self,
                                            guint           seconds);
/* Prunes once. @out_executions, @out_audit and @out_events (nullable) get how many were
 * deleted. FALSE with @error (DECA_ENGINE_ERROR_STORE) when the store failed; each prune
 * is one transaction, so a failure leaves the data as it was before that prune. */
gboolean       deca_retention_run          (DecaRetention  *self,
                                            guint          *out_executions,
                                            guint          *out_audit,
                                            guint          *out_events,
                                            GError        **error);
/* Runs now and then every interval until deca_retention_stop() or the last unref. A run
 * that fails is logged and tried again at the next interval. Does nothing when the
 * policy limits nothing. */
void           deca_retention_start        (DecaRetention  *self);
void           deca_retention_stop         (DecaRetention  *self);

G_END_DECLS
