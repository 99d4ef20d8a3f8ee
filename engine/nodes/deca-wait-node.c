/* The "wait" node: delays the flow for a duration or until a point in time. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-wait-node.h"

#include <string.h>

struct _DecaWaitNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaWaitNode, deca_wait_node, DECA_TYPE_NODE_BASE)

static const DecaNodeInfo wait_info = {
  .name = "wait",
  .title = N_("Wait"),
  .description = N_("Pauses this branch of the flow for a number of seconds or until a given "
                    "time, then continues."),
  .category = "flow",
  .kind = DECA_NODE_KIND_ACTION,
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"Wait\","
    "  \"description\": \"Give exactly one of 'duration' and 'until'.\","
    "  \"properties\": {"
    "    \"duration\": {"
    "      \"type\": \"number\","
    "      \"minimum\": 0,"
    "      \"title\": \"Duration\","
    "      \"description\": \"How long to wait, in seconds (fractions allowed).\""
    "    },"
    "    \"until\": {"
    "      \"type\": \"string\","
    "      \"title\": \"Until\","
    "      \"description\": \"When to continue: an ISO 8601 date-time such as "
    "2030-01-31T09:00:00Z (UTC when it names no zone), or a template such as "
    "{{input.remind_at}}. A time in the past continues at once.\""
    "    }"
    "  },"
    "  \"additionalProperties\": false"
    "}",
};

/*
 * A pending wait. Two parties hold a reference: the clock timeout and the cancellable
 * source; whichever fires first finishes the wait and removes the other, whose notify
 * then drops its reference.
 */
typedef struct {
  DecaNodeInvocation *invocation;
  DecaClock          *clock;
  GSource            *cancel_source;
  guint               timeout_id;
  gint64              started_us;
  gboolean            finished;
} WaitState;

static void
wait_state_clear (WaitState *state)
{
  g_clear_object (&state->invocation);
  g_clear_object (&state->clock);
  if (state->cancel_source != NULL)
    {
      g_source_destroy (state->cancel_source);
      g_clear_pointer (&state->cancel_source, g_source_unref);
    }
}

static void
wait_state_unref (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) wait_state_clear);
}

static char *
format_time (gint64 us)
{
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) exact = g_date_time_add (seconds, us % G_USEC_PER_SEC);

  return g_date_time_format_iso8601 (exact);
}

/* Returns {"waited_ms": n, "resumed_at": iso} measured on the invocation's clock. */
static void
return_waited (DecaNodeInvocation *invocation,
               gint64              started_us)
{
  DecaClock *clock = deca_node_invocation_get_clock (invocation);
  g_autoptr(JsonObject) output = json_object_new ();
  g_autofree char *resumed_at = NULL;
  gint64 now = deca_clock_now_us (clock);

  resumed_at = format_time (now);
  json_object_set_int_member (output, "waited_ms", MAX (now - started_us, 0) / 1000);
  json_object_set_string_member (output, "resumed_at", resumed_at);
  _deca_node_return_object (invocation, output, NULL);
}

static gboolean
wait_elapsed_cb (gpointer data)
{
  WaitState *state = data;

  if (state->finished)
    return G_SOURCE_REMOVE;
  state->finished = TRUE;
  state->timeout_id = 0;
  /* Destroying the source runs its notify, which drops its reference; ours (the
   * timeout's) keeps @state alive until this callback returns. */
  if (state->cancel_source != NULL)
    g_source_destroy (state->cancel_source);
  return_waited (state->invocation, state->started_us);
  return G_SOURCE_REMOVE;
}

/* Runs on the invocation's main context (not in the thread that cancelled). */
static gboolean
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      data)
{
  WaitState *state = data;
  g_autoptr(DecaNodeInvocation) invocation = NULL;

  if (state->finished)
    return G_SOURCE_REMOVE;
  state->finished = TRUE;
  invocation = g_object_ref (state->invocation);
  if (state->timeout_id != 0)
    {
      guint id = state->timeout_id;

      state->timeout_id = 0;
      deca_clock_remove_timeout (state->clock, id);
    }
  _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_CANCELLED,
                               _("the wait was cancelled"));
  return G_SOURCE_REMOVE;
}

/* Works out the delay from "duration" or "until". Returns FALSE with an error naming the
 * field when the config is wrong. */
static gboolean
get_delay (JsonObject  *config,
           gint64       now_us,
           gint64       started_us,
           gint64      *delay_us,
           GError     **error)
{
  gboolean has_duration = _deca_node_config_has (config, "duration");
  gboolean has_until = _deca_node_config_has (config, "until");

  if (has_duration == has_until)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   has_duration ? _("give either 'duration' or 'until', not both")
                                : _("give one of 'duration' (seconds) or 'until' (a date-time)"));
      return FALSE;
    }

  if (has_duration)
    {
      double seconds;

      if (!_deca_node_config_get_number (config, "duration", 0, &seconds, error))
        return FALSE;
      /* A year is far beyond any sane wait and keeps the µs arithmetic from overflowing. */
      if (!(seconds >= 0) || seconds > 366.0 * 24 * 3600)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                       _("'duration' must be between 0 and 31622400 seconds, got %g"), seconds);
          return FALSE;
        }
      /* Counted from the first start, so a wait resumed after a crash does not begin
       * again from zero. */
      *delay_us = (gint64) (seconds * G_USEC_PER_SEC) - (now_us - started_us);
    }
  else
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) until = NULL;
      const char *text;

      if (!_deca_node_config_get_string (config, "until", NULL, &text, error))
        return FALSE;
      until = g_date_time_new_from_iso8601 (text, utc);
      if (until == NULL)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                       _("'until' is not an ISO 8601 date-time: '%s'"), text);
          return FALSE;
        }
      *delay_us = g_date_time_to_unix (until) * G_USEC_PER_SEC
                  + g_date_time_get_microsecond (until) - now_us;
    }
  *delay_us = MAX (*delay_us, 0);
  return TRUE;
}

/* Schedules the end of the wait on the invocation's clock, so tests move time by hand and
 * the executor can checkpoint around it; cancelling the invocation ends the wait at once
 * with DECA_ENGINE_ERROR_CANCELLED. A wait of zero (or a time in the past) returns now. */
static void
deca_wait_node_invoke (DecaNodeBase       *base,
                       DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  DecaClock *clock = deca_node_invocation_get_clock (invocation);
  GCancellable *cancellable = deca_node_invocation_get_cancellable (invocation);
  g_autoptr(GError) error = NULL;
  gint64 now = deca_clock_now_us (clock);
  gint64 started = deca_node_invocation_get_first_started_at (invocation);
  gint64 delay_us = 0;
  WaitState *state;

  if (started <= 0 || started > now)
    started = now;
  if (!get_delay (config, now, started, &delay_us, &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_CANCELLED,
                                   _("the wait was cancelled"));
      return;
    }
  if (delay_us == 0)
    {
      return_waited (invocation, started);
      return;
    }

  state = g_rc_box_new0 (WaitState);
  state->invocation = g_object_ref (invocation);
  state->clock = g_object_ref (clock);
  state->started_us = started;

  state->cancel_source = g_cancellable_source_new (cancellable);
  g_source_set_callback (state->cancel_source, G_SOURCE_FUNC (wait_cancelled_cb),
                         g_rc_box_acquire (state), wait_state_unref);
  g_source_attach (state->cancel_source, g_main_context_get_thread_default ());

  state->timeout_id = deca_clock_add_timeout (clock, delay_us, wait_elapsed_cb,
                                              g_rc_box_acquire (state), wait_state_unref);
  wait_state_unref (state);
}

/* Reports a config with both or neither of "duration" and "until", and a constant
 * "until" that is not a date-time. */
static void
deca_wait_node_check_config (DecaNodeBase *base,
                             JsonObject   *config,
                             GPtrArray    *problems)
{
  gboolean has_duration = _deca_node_config_has (config, "duration");
  gboolean has_until = _deca_node_config_has (config, "until");
  JsonNode *until = json_object_get_member (config, "until");

  if (has_duration && has_until)
    _deca_node_add_problem (problems, "/until", _("give either 'duration' or 'until', not both"));
  else if (!has_duration && !has_until)
    _deca_node_add_problem (problems, "",
                            _("give one of 'duration' (seconds) or 'until' (a date-time)"));

  if (until != NULL && JSON_NODE_HOLDS_VALUE (until)
      && json_node_get_value_type (until) == G_TYPE_STRING
      && strstr (json_node_get_string (until), "{{") == NULL)
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (json_node_get_string (until), utc);

      if (time == NULL)
        _deca_node_add_problem (problems, "/until", _("'%s' is not an ISO 8601 date-time"),
                                json_node_get_string (until));
    }
}

static void
deca_wait_node_class_init (DecaWaitNodeClass *klass)
{
  DecaNodeBaseClass *base_class = DECA_NODE_BASE_CLASS (klass);

  base_class->invoke = deca_wait_node_invoke;
  base_class->check_config = deca_wait_node_check_config;
}

static void
deca_wait_node_init (DecaWaitNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &wait_info);
}

DecaNodeType *
deca_wait_node_new (void)
{
  return g_object_new (DECA_TYPE_WAIT_NODE, NULL);
}
