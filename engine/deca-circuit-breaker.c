#include "deca-circuit-breaker.h"

typedef struct {
  DecaCircuitState state;
  guint consecutive_failures;
  gint64 opened_at;
  gboolean trial_in_flight;
} Circuit;

struct _DecaCircuitBreaker
{
  GHashTable *circuits;   /* key -> Circuit */
};

DecaCircuitBreaker *
deca_circuit_breaker_new (void)
{
  DecaCircuitBreaker *self = g_new0 (DecaCircuitBreaker, 1);

  self->circuits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
deca_circuit_breaker_free (DecaCircuitBreaker *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->circuits);
  g_free (self);
}

static Circuit *
lookup_circuit (DecaCircuitBreaker *self,
                const char         *key,
                gboolean            create)
{
  Circuit *circuit = g_hash_table_lookup (self->circuits, key);

  if (circuit == NULL && create)
    {
      circuit = g_new0 (Circuit, 1);
      g_hash_table_insert (self->circuits, g_strdup (key), circuit);
    }
  return circuit;
}

gboolean
deca_circuit_breaker_allow (DecaCircuitBreaker *self,
                            const char         *key,
                            gint64              now_us,
                            gint64              cooldown_us,
                            gint64             *retry_at_us)
{
  Circuit *circuit;

  g_return_val_if_fail (self != NULL && key != NULL, TRUE);

  circuit = lookup_circuit (self, key, FALSE);
  if (circuit == NULL || circuit->state == DECA_CIRCUIT_CLOSED)
    return TRUE;

  if (circuit->state == DECA_CIRCUIT_OPEN && now_us >= circuit->opened_at + cooldown_us)
    {
      circuit->state = DECA_CIRCUIT_HALF_OPEN;
      circuit->trial_in_flight = FALSE;
    }
  if (circuit->state == DECA_CIRCUIT_HALF_OPEN && !circuit->trial_in_flight)
    {
      circuit->trial_in_flight = TRUE;
      return TRUE;
    }
  if (retry_at_us != NULL)
    *retry_at_us = circuit->opened_at + cooldown_us;
  return FALSE;
}

void
deca_circuit_breaker_record (DecaCircuitBreaker *self,
                             const char         *key,
                             gboolean            success,
                             gint64              now_us,
                             guint               threshold)
{
  Circuit *circuit;

  g_return_if_fail (self != NULL && key != NULL);

  if (success)
    {
      /* Forget closed circuits entirely, so the table only holds troubled targets. */
      g_hash_table_remove (self->circuits, key);
      return;
    }

  circuit = lookup_circuit (self, key, TRUE);
  circuit->consecutive_failures++;
  if (circuit->state == DECA_CIRCUIT_HALF_OPEN || circuit->consecutive_failures >= MAX (threshold, 1))
    {
      circuit->state = DECA_CIRCUIT_OPEN;
      circuit->opened_at = now_us;
      circuit->trial_in_flight = FALSE;
    }
}

DecaCircuitState
deca_circuit_breaker_get_state (DecaCircuitBreaker *self,
                                const char         *key)
{
  Circuit *circuit;

  g_return_val_if_fail (self != NULL && key != NULL, DECA_CIRCUIT_CLOSED);

  circuit = lookup_circuit (self, key, FALSE);
  return circuit ? circuit->state : DECA_CIRCUIT_CLOSED;
}
