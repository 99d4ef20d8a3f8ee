#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "deca-log.h"
#include "deca-router.h"
#include "deca-server-error.h"

G_BEGIN_DECLS

/*
 * DecaRequest: what a route handler gets: the request (method, path, the route's pattern
 * and parameters, query, headers, body and its JSON), its trace id, and the ways to
 * answer. Reference counted: a handler that answers later (deca_request_defer()) keeps a
 * reference; once the exchange is over (answered and written, or the client gone)
 * deca_request_is_finished() says so and answers are ignored.
 */

typedef struct _DecaServer DecaServer;

DecaRequest       *deca_request_ref            (DecaRequest  *self);
void               deca_request_unref          (DecaRequest  *self);

DecaServer        *deca_request_get_server     (DecaRequest  *self);
/* (transfer none) (nullable): NULL once the exchange is finished. */
SoupServerMessage *deca_request_get_message    (DecaRequest  *self);
const char        *deca_request_get_method     (DecaRequest  *self);
const char        *deca_request_get_path       (DecaRequest  *self);
/* The matched route's pattern ("/api/v1/flows/{id}"); NULL before routing or without a
 * route (404). */
const char        *deca_request_get_route      (DecaRequest  *self);
/* The matched route's deca_route_get_required_permissions() (0 without a route): what
 * the authentication step checks the caller's permissions against. */
guint64            deca_request_get_required_permissions (DecaRequest *self);
/* The trace id: the caller's X-Request-Id when it is sane (1 to 128 characters of
 * letters, digits and "-_.:"), else a fresh one. Answers carry it as X-Request-Id. */
const char        *deca_request_get_trace_id   (DecaRequest  *self);
/* A path parameter of the route ("id" of "/flows/{id}"); NULL when there is none. */
const char        *deca_request_get_param      (DecaRequest  *self,
                                                const char   *name);
/* A query parameter ("?limit=10"), decoded; NULL when absent. */
const char        *deca_request_get_query      (DecaRequest  *self,
                                                const char   *name);
/* A request header; NULL when absent. */
const char        *deca_request_get_header     (DecaRequest  *self,
                                                const char   *name);
/* The body's bytes (empty when there is none). (transfer none) */
GBytes            *deca_request_get_body       (DecaRequest  *self);
/* The body parsed as JSON; NULL when it is empty or the route reads raw bodies.
 * (transfer none) */
JsonNode          *deca_request_get_json       (DecaRequest  *self);
/* The caller's address ("127.0.0.1"); NULL when unknown. */
const char        *deca_request_get_remote_host (DecaRequest *self);

/* Whatever the authentication step found out about the caller (a principal: user,
 * workspace, roles), for the handler to read. Replaces (and frees) a previous one. */
void               deca_request_set_principal  (DecaRequest    *self,
                                                gpointer        principal,
                                                GDestroyNotify  destroy);
gpointer           deca_request_get_principal  (DecaRequest    *self);

/* Adds a response header (Retry-After, Location, ...). */
void               deca_request_set_response_header (DecaRequest *self,
                                                     const char  *name,
                                                     const char  *value);

/* Answers @status with @body (transfer none; NULL: no body) as application/json. */
void               deca_request_respond_json   (DecaRequest  *self,
                                                guint         status,
                                                JsonNode     *body);
/* Answers @status with @length bytes of @data as @content_type. */
void               deca_request_respond        (DecaRequest  *self,
                                                guint         status,
                                                const char   *content_type,
                                                const char   *data,
                                                gsize         length);
/* Answers the error shape {"error": {"code", "message", "details"}} for @error: the
 * DECA_SERVER_ERROR codes with their statuses; DECA_ENGINE_ERROR not found as 404,
 * parse errors as 400, validation errors as 422, state errors as 409; anything else as
 * 500 "internal" with a generic message (the real one is logged, never sent).
 * @details (transfer none, nullable) goes into "details" (null otherwise). */
void               deca_request_respond_error  (DecaRequest  *self,
                                                const GError *error,
                                                JsonNode     *details);
/* The same with a code and a message of its own. */
void               deca_request_respond_error_literal (DecaRequest     *self,
                                                       DecaServerError  code,
                                                       const char      *message,
                                                       JsonNode        *details);
/* Answers 400 bad_request with @message and the details {@kind: @name} (@kind:
 * "pointer" for a member of the body, "parameter" for a query parameter, "header"). */
void               deca_request_respond_bad_input (DecaRequest *self,
                                                   const char  *kind,
                                                   const char  *name,
                                                   const char  *message);
/* The same for the member of the body at JSON @pointer ({"pointer": @pointer}). */
void               deca_request_respond_bad_field (DecaRequest *self,
                                                   const char  *pointer,
                                                   const char  *message);

/* Answers 200 with the list {"items": @items} (transfer none); a page of a longer list
 * (@paged) also has "next_cursor": @next_cursor, null on the last page. */
void               deca_request_respond_items  (DecaRequest  *self,
                                                JsonArray    *items,
                                                gboolean      paged,
                                                const char   *next_cursor);

/* Called by a handler that answers after it returns: the exchange waits (no response
 * is written) until one of the respond functions is called. Keep a reference. */
void               deca_request_defer          (DecaRequest  *self);
/* TRUE once the answer was written or the client went away. */
gboolean           deca_request_is_finished    (DecaRequest  *self);

/* Streaming answers: server-sent events (docs/server.md, "Live streams (SSE)").
 *
 * deca_request_start_event_stream() answers 200 text/event-stream with Cache-Control:
 * no-store, chunked (close-delimited for an HTTP/1.0 client), and leaves the exchange
 * open: what is appended afterwards is written to the client as it comes, and nothing is
 * kept once written. While nothing is waiting to be written the connection is idle on
 * our side, so the read timeout does not apply to it (a client that stops reading is
 * still dropped when one write waits longer than the read timeout). A client that closes
 * its connection is noticed at once, even while the stream is idle. The access log line
 * and the request metrics are written once, when the stream is over, with its duration,
 * the number of events and bytes written, and how it ended. */

/* Called once when the stream is over without the handler ending it: the client went
 * away, or the connection was closed (the server stopping). Not called after
 * deca_request_end_stream(). */
typedef void (*DecaRequestStreamClosedFunc) (DecaRequest *request,
                                             gpointer     user_data);

/* Starts the stream. Returns TRUE when events may be written now; FALSE when the request
 * was answered already or is finished, and for a HEAD request (answered with the
 * stream's headers and no body). */
gboolean           deca_request_start_event_stream (DecaRequest *self);
/* TRUE from deca_request_start_event_stream() until the stream ended. */
gboolean           deca_request_is_streaming   (DecaRequest  *self);
/* Appends one event: "id: @id" (nullable), "event: @type" (nullable), and @data
 * (JSON text, normally one line; each line of it becomes a "data:" line), then the blank
 * line that ends an event. @id and @type must be one line each. Returns FALSE (and
 * writes nothing) once the stream ended. */
gboolean           deca_request_write_event    (DecaRequest  *self,
                                                const char   *id,
                                                const char   *type,
                                                const char   *data);
/* Appends a comment line (": @text"), which clients ignore: a keep-alive that also
 * shows whether the client is still there. FALSE once the stream ended. */
gboolean           deca_request_write_comment  (DecaRequest  *self,
                                                const char   *text);
/* Bytes appended to the stream so far, and bytes of them written to the socket. Their
 * difference is what waits in memory for a slow client. */
void               deca_request_get_stream_bytes (DecaRequest *self,
                                                  guint64     *appended,
                                                  guint64     *written);
/* Ends the stream: what was appended is still written, then the answer ends. @reason
 * ("complete", "overflow", "shutdown", ...) goes into the access log line. Does nothing
 * when the stream ended already. */
void               deca_request_end_stream     (DecaRequest  *self,
                                                const char   *reason);
/* Sets (or with NULL clears) what is called when the stream is over without the
 * handler ending it; @destroy frees @user_data when it is replaced, cleared or the
 * request goes. */
void               deca_request_set_stream_closed_func (DecaRequest                 *self,
                                                        DecaRequestStreamClosedFunc  func,
                                                        gpointer                     user_data,
                                                        GDestroyNotify               destroy);

/* Writes a log line with this request's trace id, method and route. */
void               deca_request_log            (DecaRequest  *self,
                                                DecaLogLevel  level,
                                                const char   *format,
                                                ...) G_GNUC_PRINTF (3, 4);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaRequest, deca_request_unref)

G_END_DECLS
