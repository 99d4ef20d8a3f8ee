#pragma once

#include <deca-clock.h>

#include "deca-api-flows.h"
#include "deca-server.h"

G_BEGIN_DECLS

/*
 * DecaApiStreams: the live streams of the REST API, as server-sent events (docs/server.md,
 * "Live streams (SSE)"):
 *
 * - GET /api/v1/executions/{id}/events: the events of one execution of the caller's
 *   workspace, first those so far (from the store), then the live ones as the executor
 *   emits them; the stream ends after execution.finished. Each event's SSE id is its seq,
 *   so Last-Event-ID (or ?after=SEQ) resumes without repeats.
 * - GET /api/v1/stream: every execution event of the caller's workspace and its flow
 *   changes (flow.saved, flow.activated, flow.deactivated, flow.deleted), live only;
 *   ?types= filters.
 *
 * Streams are found by execution and by workspace in hash tables, so an event costs the
 * streams that want it, not a scan of all of them. A stream whose client does not read
 * fast enough is closed with a final stream.overflow event once more than
 * deca_api_streams_set_max_queued_bytes() wait for it. Every stream gets a keep-alive
 * comment every deca_api_streams_set_keepalive_interval() (15 s), on the clock of
 * deca_api_streams_set_clock().
 */

#define DECA_TYPE_API_STREAMS (deca_api_streams_get_type ())
G_DECLARE_FINAL_TYPE (DecaApiStreams, deca_api_streams, DECA, API_STREAMS, GObject)

#define DECA_API_STREAMS_DEFAULT_KEEPALIVE_US   (15 * G_USEC_PER_SEC)
#define DECA_API_STREAMS_DEFAULT_MAX_QUEUED     (1024 * 1024)

/* Registers the stream routes on @server, for the executions that @flows runs and the
 * flows it changes. Returns (transfer full) the streams object (the routes keep it alive
 * as long as the server lives), or NULL with @error when a route cannot be added. Call it
 * on the server's thread; the streams live on its thread-default main context. */
DecaApiStreams *deca_api_streams_register   (DecaServer      *server,
                                             DecaApiFlows    *flows,
                                             GError         **error);

/* The clock of the keep-alive comments (taken with a reference; the system clock by
 * default): a test moves a DecaManualClock instead of waiting. */
void            deca_api_streams_set_clock  (DecaApiStreams  *self,
                                             DecaClock       *clock);
/* How often every open stream gets a keep-alive comment; > 0 µs. */
void            deca_api_streams_set_keepalive_interval (DecaApiStreams *self,
                                                         gint64          interval_us);
/* How many bytes may wait in memory for one stream's client before the stream is closed
 * with a stream.overflow event (the history a stream starts with does not count); > 0. */
void            deca_api_streams_set_max_queued_bytes   (DecaApiStreams *self,
                                                         gsize           max_bytes);
/* The streams open now (execution streams and workspace streams); any thread may ask.
 * The same number is the deca_streams_open gauge of /metrics. */
guint           deca_api_streams_get_open_count         (DecaApiStreams *self);

G_END_DECLS
