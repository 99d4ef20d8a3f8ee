#pragma once

#include "deca-server.h"
#include "deca-server-triggers.h"

G_BEGIN_DECLS

/*
 * The events routes of `deca serve` (docs/server.md, "Schedules and events"):
 *
 * - POST /api/v1/events (publish:events): publishes {"topic", "data"} in the caller's
 *   workspace: 202 with the stored event and "deliveries", the number of executions it
 *   started; a topic with wildcards or bad tokens is 400 at /topic, data that is not an
 *   object (or too large) 400 at /data.
 * - GET /api/v1/events (read:events): the workspace's stored events, newest first;
 *   ?topic= a pattern (crm.contact.*), ?since= an ISO 8601 time, ?limit= and ?cursor=
 *   paging with the shared list answer.
 * - POST /api/v1/events/{id}/replay (publish:events): delivers a stored event again, with
 *   its id and time, to the flows subscribed now: 202 with it and "deliveries"; an event
 *   of another workspace is 404.
 *
 * An event is {"id", "topic", "source", "published_at", "data"}: the same id, topic,
 * source and data as the execution input the dispatcher gives the flows ("published_at"
 * is that input's "time"). Publishing and replaying write audit lines ("event.publish",
 * "event.replay"), and each execution started one of its own ("event.execute").
 */

/* Adds the routes to @server; publishing and replay go through @triggers (referenced).
 * FALSE with @error when a route cannot be added. */
gboolean deca_api_events_register (DecaServer          *server,
                                   DecaServerTriggers  *triggers,
                                   GError             **error);

G_END_DECLS
