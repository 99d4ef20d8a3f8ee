#pragma once

#include "deca-server.h"
#include "deca-server-triggers.h"

G_BEGIN_DECLS

/*
 * The schedules routes of `deca serve` (docs/server.md, "Schedules"): the active
 * schedules of the caller's workspace as the server's DecaServerTriggers has them.
 *
 *   GET /api/v1/schedules              read:flows   every active schedule of the workspace
 *   GET /api/v1/flows/{id}/schedules   read:flows   those of one flow (404 for a flow of
 *                                                   another workspace, an empty list for
 *                                                   an inactive one)
 *
 * Both answer the shared list {"items": [schedule], "next_cursor"}, sorted by flow id and
 * trigger key, with ?limit= (1 to 200, default 50) and ?cursor= (the next_cursor of the
 * previous page). A schedule is
 *
 *   {"flow_id", "flow_name", "trigger": "schedule:Europe/Berlin:0 30 2 * * *",
 *    "cron", "timezone", "description": "At 02:30", "missed": "run_once",
 *    "catch_up_limit": 10, "next_fire_at": "2027-03-28T01:00:00.000Z",
 *    "next_fire_local": "2027-03-28T03:00:00.000+02:00", "last_fire_at": null}
 *
 * "description" is deca_cron_describe() in the server's message language (gettext's, from
 * the process's LANGUAGE / LC_MESSAGES): gettext picks one language per process, and the
 * executions running on other threads translate their messages at the same time, so a
 * request's Accept-Language cannot switch it. "next_fire_at" and "last_fire_at" have the
 * API's time form (UTC, milliseconds; null when the schedule will not fire again or has
 * no fire kept), "next_fire_local" is the same instant in the trigger's zone with its
 * offset ("Z" in UTC).
 */

/* Adds the routes to @server; the schedules come from @triggers (referenced). FALSE with
 * @error when a route cannot be added. */
gboolean deca_api_schedules_register (DecaServer          *server,
                                      DecaServerTriggers  *triggers,
                                      GError             **error);

G_END_DECLS
