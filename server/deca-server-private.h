#pragma once

/* What deca-server.c and deca-request.c share; never installed. */

#include "deca-server.h"

G_BEGIN_DECLS

typedef struct _DecaRequestStream DecaRequestStream;

struct _DecaRequest
{
  grefcount ref_count;

  DecaServer *server;          /* borrowed: a request never outlives its server */
  DecaLog *log;                /* owned */
  DecaMetrics *metrics;        /* owned: keeps incomplete_total alive */
  DecaMetricsFamily *incomplete_total;
  SoupServerMessage *msg;      /* borrowed; NULL once finished */
  GHashTable *live;            /* owned reference: the server's set of the requests whose
                                * message has its handlers (deca-server.c) */
  char *method;                /* NULL until the headers were read */
  char *path;
  char *trace_id;
  const DecaRoute *route;      /* borrowed from the router; NULL without a route */
  GHashTable *params;          /* (nullable) name -> value */
  GHashTable *query;           /* (nullable) name -> value */
  GBytes *body;                /* (nullable) until the body was read */
  JsonNode *json;              /* (nullable) */
  char *remote_host;

  gpointer principal;
  GDestroyNotify principal_destroy;

  DecaRequestStream *stream;   /* (nullable) an event stream's state (deca-request.c) */

  gint64 start_us;             /* monotonic */
  guint64 body_received;
  guint status;                /* the status answered, 0 before */
  guint answered : 1;          /* a status and response are set */
  guint deferred : 1;          /* the message is paused for a later answer */
  guint was_deferred : 1;
  guint finished : 1;
  guint corked : 1;            /* TCP_CORK is set on the socket until the answer is out */
};

DecaRequest *_deca_request_new          (DecaServer        *server,
                                         SoupServerMessage *msg);
/* Sends what is written of the answer: undoes respond_with()'s cork (deca-request.c),
 * once libsoup wrote the whole answer. */
void         _deca_request_uncork       (DecaRequest       *self,
                                         SoupServerMessage *msg);
/* Takes the trace id from X-Request-Id or makes one, and echoes it. */
void         _deca_request_set_trace_id (DecaRequest       *self);
/* Answers 400 when the body is not JSON (details: line and column, or byte offset);
 * returns FALSE then. Empty bodies are fine (no JSON). */
gboolean     _deca_request_parse_body   (DecaRequest       *self);
/* deca_request_respond() with @data (transfer full, freed with g_free()) taken by
 * libsoup instead of copied. */
void         _deca_request_respond_take (DecaRequest       *self,
                                         guint              status,
                                         const char        *content_type,
                                         char              *data,
                                         gsize              length);
/* Whether @value may be used as a trace id. */
gboolean     _deca_request_is_sane_trace_id (const char    *value);
/* The exchange of an event stream is over (answer written, or the connection gone):
 * stops watching the client, and calls the stream's closed func unless the handler
 * ended the stream. Returns (transfer full) the members the access line gets for it
 * (events, bytes, how it ended), or NULL for a request that is not a stream. */
JsonObject  *_deca_request_finish_stream (DecaRequest      *self);
/* An event stream started on @self: deca_server_shutdown() waits until its exchange is
 * over (request_finished() counts it down). */
void         _deca_server_stream_opened (DecaServer        *self);


G_END_DECLS
