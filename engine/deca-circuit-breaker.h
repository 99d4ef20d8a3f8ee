#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Circuit breakers, one per external target ("http:api.example.com:443"), shared by every
 * execution of an executor. A circuit opens after N consecutive failures; while open,
 * calls fail at once without reaching the target; after the cool-down it half-opens and
 * lets one trial call through, whose result closes or reopens it.
 */

typedef enum {
  DECA_CIRCUIT_CLOSED,
  DECA_CIRCUIT_OPEN,
  DECA_CIRCUIT_HALF_OPEN,
} DecaCircuitState;

typedef struct _DecaCircuitBreaker DecaCircuitBreaker;

DecaCircuitBreaker *deca_circuit_breaker_new   (void);
void                deca_circuit_breaker_free  (DecaCircuitBreaker *self);

/* Returns TRUE when a call to @key may go ahead at @now_us. An open circuit whose
 * @cooldown_us has passed becomes half-open and admits exactly one trial; other calls are
 * refused until that trial is recorded. When refusing, *@retry_at_us (if not NULL) gets the
 * time the circuit half-opens. */
gboolean deca_circuit_breaker_allow  (DecaCircuitBreaker *self,
                                      const char         *key,
                                      gint64              now_us,
                                      gint64              cooldown_us,
                                      gint64             *retry_at_us);
/* Records the result of an admitted call. A failure opens the circuit when it is the
 * @threshold-th in a row, or when it was the half-open trial. */
void     deca_circuit_breaker_record (DecaCircuitBreaker *self,
                                      const char         *key,
                                      gboolean            success,
                                      gint64              now_us,
                                      guint               threshold);
DecaCircuitState deca_circuit_breaker_get_state (DecaCircuitBreaker *self,
                                                 const char         *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaCircuitBreaker, deca_circuit_breaker_free)

G_END_DECLS
