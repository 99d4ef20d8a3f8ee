/* deca-server.c: the HTTP core of `deca serve` (deca-server.h, docs/server.md). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <glib/gstdio.h>

#include "deca-server-private.h"
#include "deca-api-openapi.h"

/* The route label of requests no route matched: one series for every unknown path,
 * so that scanners cannot grow the metrics without bound. */
#define UNMATCHED_ROUTE "unmatched"

typedef struct {
  char *name;
  DecaServerHealthFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} HealthCheck;

struct _DecaServer
{
  GObject parent_instance;

  char *data_dir;
  gsize max_body_size;
  guint read_timeout_s;
  gint64 started_us;           /* monotonic */

  SoupServer *soup;
  GSocketAddress *address;     /* (nullable) the effective listening address */
  DecaStore *store;
  DecaRouter *router;
  DecaLog *log;
  DecaMetrics *metrics;
  DecaMetricsFamily *requests_total;
  DecaMetricsFamily *request_duration;
  DecaMetricsFamily *incomplete_total;

  DecaServerAuthFunc auth_func;
  gpointer auth_data;
  GDestroyNotify auth_destroy;
  GPtrArray *health_checks;    /* HealthCheck */
  /* DecaRequest set: the requests whose message has our handlers, which hold this object
   * unreferenced. A message lives until its connection goes, which is normally before the
   * server does; dispose disconnects the handlers of any left. (Three
   * g_signal_connect_object() per request cost more than the plain connects and this.) */
  GHashTable *live;
  guint open_streams;          /* event streams whose exchange has not finished */
};

G_DEFINE_FINAL_TYPE (DecaServer, deca_server, G_TYPE_OBJECT)

enum {
  SIGNAL_STOPPING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
health_check_free (gpointer data)
{
  HealthCheck *check = data;

  if (check->destroy != NULL)
    check->destroy (check->user_data);
  g_free (check->name);
  g_free (check);
}

static void
deca_server_dispose (GObject *object)
{
  DecaServer *self = DECA_SERVER (object);

  deca_server_stop (self);
  if (self->live != NULL)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->live);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          DecaRequest *request = key;

          /* A finished message emits nothing more. */
          if (request->msg != NULL)
            g_signal_handlers_disconnect_by_data (request->msg, self);
        }
      /* The requests keep the (now empty) set until their messages go. */
      g_hash_table_remove_all (self->live);
      g_clear_pointer (&self->live, g_hash_table_unref);
    }
  deca_server_set_authenticator (self, NULL, NULL, NULL);
  g_clear_pointer (&self->health_checks, g_ptr_array_unref);
  g_clear_object (&self->soup);
  g_clear_object (&self->router);
  g_clear_object (&self->store);
  g_clear_object (&self->metrics);
  g_clear_object (&self->log);
  G_OBJECT_CLASS (deca_server_parent_class)->dispose (object);
}

static void
deca_server_finalize (GObject *object)
{
  DecaServer *self = DECA_SERVER (object);

  g_free (self->data_dir);
  G_OBJECT_CLASS (deca_server_parent_class)->finalize (object);
}

static void
deca_server_class_init (DecaServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_server_dispose;
  object_class->finalize = deca_server_finalize;

  /**
   * DecaServer::stopping:
   *
   * Emitted by deca_server_shutdown() before the connections close: what holds answers
   * open (event streams) ends them now, so that their clients get a complete answer.
   */
  signals[SIGNAL_STOPPING] =
    g_signal_new ("stopping", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
deca_server_init (DecaServer *self)
{
  self->health_checks = g_ptr_array_new_with_free_func (health_check_free);
  self->live = g_hash_table_new (NULL, NULL);
}

/* --- per request -------------------------------------------------------------------- */

static DecaRequest *
request_of (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), "deca-request");
}

/* The request's body will not be used (it was answered before it was read): keep none
 * of it in memory, and close the connection after the answer rather than wait for the
 * rest of a body the client may still be sending. */
static void
discard_body (DecaRequest *request)
{
  SoupMessageBody *body = soup_server_message_get_request_body (request->msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (request->msg);

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED
      || (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
          && soup_message_headers_get_content_length (headers) > 0))
    soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                  "Connection", "close");
}

static void
answer_too_large (DecaServer  *self,
                  DecaRequest *request)
{
  g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The request body is larger than %lu byte",
                                                           "The request body is larger than %lu bytes",
                                                           (unsigned long) self->max_body_size),
                                              (unsigned long) self->max_body_size);
  g_autoptr(JsonNode) details = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "max_bytes", (gint64) self->max_body_size);
  json_node_take_object (details, object);
  deca_request_respond_error_literal (request, DECA_SERVER_ERROR_TOO_LARGE, message, details);
  discard_body (request);
}

typedef enum {
  PATH_OK,
  PATH_SLASH,
  PATH_NUL,
  PATH_NOT_UTF8,
} PathProblem;

/* Decodes the request's path, which libsoup leaves percent-encoded (SoupServer:raw-paths),
 * one segment at a time, so that an escape cannot make what the router splits on or what
 * no text holds: an encoded slash (decoded, it would move a segment's text into the next
 * one), an encoded NUL byte, bytes that are not UTF-8. (The URI parser has already
 * refused a "%" without two hex digits and resolved dot segments, escaped ones too.)
 * Returns the decoded path, or NULL with the 400 answered, naming the segment. */
static char *
decode_path (DecaRequest *request,
             const char  *raw)
{
  /* Decoding only shortens: one buffer of the raw length, no split into segments. */
  g_autofree char *path = g_malloc (strlen (raw) + 1);
  gsize length = 0;
  gsize segment_start = 0;     /* where the current segment begins in @path */
  PathProblem problem = PATH_OK;
  const char *segment = raw;   /* ... and in @raw */

  for (const char *p = raw; problem == PATH_OK; p++)
    {
      int high, low;

      if (*p == '/' || *p == '\0')
        {
          /* A slash is never part of a UTF-8 sequence: the path is text when each of
           * its segments is. */
          if (!g_utf8_validate (path + segment_start, length - segment_start, NULL))
            problem = PATH_NOT_UTF8;
          else if (*p == '/')
            {
              path[length++] = '/';
              segment = p + 1;
              segment_start = length;
              continue;
            }
          break;
        }
      if (*p != '%')
        {
          path[length++] = *p;
          continue;
        }
      /* A "/" or the end after the "%" is no hex digit. */
      high = g_ascii_xdigit_value (p[1]);
      low = high < 0 ? -1 : g_ascii_xdigit_value (p[2]);
      if (low < 0)
        path[length++] = '%';
      else if (high * 16 + low == '/')
        problem = PATH_SLASH;
      else if (high * 16 + low == 0)
        problem = PATH_NUL;
      else
        {
          path[length++] = (char) (high * 16 + low);
          p += 2;
        }
    }
  if (problem != PATH_OK)
    {
      g_autofree char *shown = g_utf8_make_valid (segment, strcspn (segment, "/"));
      g_autofree char *message = NULL;
      g_autoptr(JsonNode) details = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();

      switch (problem)
        {
        case PATH_SLASH:
          /* Translators: %s is a segment of the request's path as sent, with its escapes
           * ("a%2Fb"). */
          message = g_strdup_printf (_("The path segment “%s” holds an encoded slash (%%2F): a slash separates "
                                       "segments and cannot be part of one"), shown);
          break;
        case PATH_NUL:
          /* Translators: %s is a segment of the request's path as sent ("a%00b"). */
          message = g_strdup_printf (_("The path segment “%s” holds an encoded NUL byte (%%00)"), shown);
          break;
        case PATH_NOT_UTF8:
        case PATH_OK:
        default:
          /* Translators: %s is a segment of the request's path as sent ("%FF"). */
          message = g_strdup_printf (_("The path segment “%s” is not UTF-8 text once decoded"), shown);
          break;
        }
      json_object_set_string_member (object, "parameter", "path");
      json_object_set_string_member (object, "segment", shown);
      json_node_take_object (details, object);
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_BAD_REQUEST, message, details);
      return NULL;
    }
  path[length] = '\0';
  return g_steal_pointer (&path);
}

/* Bodies without a length (chunked) are counted as they come: past the limit the
 * request is answered 413 and the rest is thrown away. */
static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              DecaServer        *self)
{
  DecaRequest *request = request_of (msg);

  request->body_received += g_bytes_get_size (chunk);
  if (!request->answered && request->body_received > self->max_body_size)
    answer_too_large (self, request);
}

/* Runs once the headers are in, before the body is read: routing, the size limit and
 * the authentication step answer here, so that nothing is waited for that will not be
 * used. With "Expect: 100-continue" libsoup then sends this answer instead of 100 and
 * the body never comes; without it the body is read and thrown away as it arrives. */
static void
got_headers_cb (SoupServerMessage *msg,
                DecaServer        *self)
{
  DecaRequest *request = request_of (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *allow = NULL;
  g_autoptr(GError) error = NULL;
  DecaRouterMatch match;

  /* Only a body without a length is counted as it comes (got_chunk_cb()): one with a
   * Content-Length is checked against the limit below, and libsoup reads no more. */
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self);
  request->method = g_strdup (soup_server_message_get_method (msg));
  request->remote_host = g_strdup (soup_server_message_get_remote_host (msg));
  /* Durations count from here: the first request of a connection starts when the
   * connection is accepted, and the client's think time before it sends is not ours. */
  request->start_us = g_get_monotonic_time ();
  _deca_request_set_trace_id (request);
  /* The query is there for the authentication step too, not only for the handler. */
  if (g_uri_get_query (soup_server_message_get_uri (msg)) != NULL)
    request->query = soup_form_decode (g_uri_get_query (soup_server_message_get_uri (msg)));

  /* libsoup refused the request itself (a URI whose scheme is not the connection's): our
   * answer, in the one shape, replaces its bare status. */
  if (soup_server_message_get_status (msg) != 0)
    {
      g_autoptr(JsonNode) details = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "parameter", "uri");
      json_node_take_object (details, object);
      request->path = g_strdup (g_uri_get_path (soup_server_message_get_uri (msg)));
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_BAD_REQUEST,
                                          _("The request's URI is malformed or not one this server answers"),
                                          details);
      discard_body (request);
      return;
    }
  request->path = decode_path (request, g_uri_get_path (soup_server_message_get_uri (msg)));
  if (request->path == NULL)
    {
      /* Logged as sent. */
      request->path = g_strdup (g_uri_get_path (soup_server_message_get_uri (msg)));
      discard_body (request);
      return;
    }

  match = deca_router_match (self->router, request->method, request->path,
                             &request->route, &request->params, &allow);
  if (match == DECA_ROUTER_MATCH_NO_PATH)
    {
      /* Translators: %s is the request's path ("/api/v1/nothing"). */
      g_autofree char *message = g_strdup_printf (_("No such resource: %s"), request->path);

      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_NOT_FOUND, message, NULL);
      discard_body (request);
      return;
    }
  if (match == DECA_ROUTER_MATCH_NO_METHOD)
    {
      /* Translators: the first %s is an HTTP method ("DELETE"), the second a list of them. */
      g_autofree char *message = g_strdup_printf (_("The method %s is not allowed here; allowed: %s"),
                                                  request->method, allow);

      deca_request_set_response_header (request, "Allow", allow);
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_METHOD_NOT_ALLOWED, message, NULL);
      discard_body (request);
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && (guint64) soup_message_headers_get_content_length (headers) > self->max_body_size)
    {
      answer_too_large (self, request);
      return;
    }

  if (self->auth_func != NULL && !(deca_route_get_flags (request->route) & DECA_ROUTE_PUBLIC)
      && !self->auth_func (request, self->auth_data, &error))
    {
      if (error == NULL)
        g_set_error_literal (&error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNAUTHENTICATED,
                             _("This route needs credentials"));
      deca_request_respond_error (request, error, NULL);
      discard_body (request);
    }
}

/* The handler of every path (the router decides): the body is complete. */
static void
soup_handler_cb (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  DecaRequest *request = request_of (msg);

  g_assert (request != NULL && request->route != NULL);
  if (request->answered)
    return;

  request->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (!(deca_route_get_flags (request->route) & DECA_ROUTE_RAW_BODY)
      && !_deca_request_parse_body (request))
    return;

  deca_route_invoke (request->route, request);
  if (!request->answered && !request->deferred)
    {
      deca_request_log (request, DECA_LOG_ERROR, "the handler returned without an answer");
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_INTERNAL,
                                          _("Internal server error"), NULL);
    }
}

/* The method label: the methods of HTTP, and "other" for whatever else a client sends
 * (every made-up method would be a series of its own). */
static const char *
metrics_method (const char *method)
{
  static const char *const known[] = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_strcmp0 (method, known[i]) == 0)
      return known[i];
  return "other";
}

/* Writes the decimal digits of @value at the end of @buffer (@size bytes, at least 11)
 * and returns where they begin: the status label of every request, without printf. */
static const char *
uint_text (char  *buffer,
           gsize  size,
           guint  value)
{
  char *p = buffer + size;

  *--p = '\0';
  do
    {
      *--p = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0);
  return p;
}

/* The exchange is over: the answer was written, or the client went away. One access log
 * line and the request metrics. @msg is NULL for an event stream whose message goes
 * away without a "finished" (request_destroy_cb()). */
static void
request_finished (DecaServer        *self,
                  DecaRequest       *request,
                  SoupServerMessage *msg)
{
  double seconds = (g_get_monotonic_time () - request->start_us) / (double) G_USEC_PER_SEC;
  const char *route = request->route != NULL ? deca_route_get_pattern (request->route) : NULL;
  /* An event stream answered 200 and ends however it ends (libsoup makes a connection
   * that failed under it a 500): it is one request, logged and counted once, now. */
  guint status = request->stream != NULL ? request->status : soup_server_message_get_status (msg);
  DecaLogFields fields = { request->trace_id, request->method, route, status, seconds * 1000.0 };
  char status_buffer[12];
  const char *status_text = uint_text (status_buffer, sizeof status_buffer, status);
  g_autoptr(JsonObject) stream_extra = NULL;

  _deca_request_uncork (request, msg);
  request->finished = TRUE;
  request->msg = NULL;
  if (request->stream != NULL)
    {
      g_assert (self->open_streams > 0);
      self->open_streams--;
    }
  stream_extra = _deca_request_finish_stream (request);

  /* libsoup answered a request it could not parse (a bad request line, an unknown
   * Transfer-Encoding) before our got-headers ran. */
  if (request->method == NULL && status != 0 && msg != NULL)
    {
      request->method = g_strdup (soup_server_message_get_method (msg) != NULL
                                  ? soup_server_message_get_method (msg) : "-");
      request->answered = TRUE;
      request->status = status;
      fields.method = request->method;
    }

  /* A client that sent part of a request and then went quiet (the read timeout dropped
   * it) or away, or left while its answer was being prepared: no answer was written.
   * (When the connection fails libsoup replaces the status we answered with 500.) */
  if (!request->answered || request->status != status)
    {
      const char *stage = request->was_deferred ? "answer" : "body";
      const char *labels[] = { stage, NULL };

      fields.status = 0;
      deca_log_write (self->log, DECA_LOG_INFO, &fields, NULL,
                      g_str_equal (stage, "body") ? "connection dropped before the request body was complete"
                      : "the client went away before its answer was ready");
      deca_metrics_family_add (self->incomplete_total, labels, 1);
      return;
    }

  {
    const char *method = metrics_method (request->method);
    const char *labels[] = { method, route != NULL ? route : UNMATCHED_ROUTE, status_text, NULL };
    const char *duration_labels[] = { method, route != NULL ? route : UNMATCHED_ROUTE, NULL };

    deca_metrics_family_add (self->requests_total, labels, 1);
    deca_metrics_family_observe (self->request_duration, duration_labels, seconds);
  }
  deca_log_write (self->log, status >= 500 ? DECA_LOG_ERROR : DECA_LOG_INFO, &fields, stream_extra, "request");
}

/* SoupServer::request-finished and ::request-aborted, which libsoup emits right after
 * the message's "finished", for every message that has one: connected once, rather than
 * a "finished" handler connected on every message. */
static void
finished_cb (SoupServer        *soup,
             SoupServerMessage *msg,
             DecaServer        *self)
{
  DecaRequest *request = request_of (msg);

  if (request != NULL)
    request_finished (self, request, msg);
}

/* The request's data goes with its message. A message that never got its headers gets
 * no "finished" from libsoup: the client connected and went quiet (the read timeout
 * dropped it) or away. */
static void
request_destroy_cb (gpointer data)
{
  DecaRequest *request = data;

  /* The server stopping closes every connection and drops their messages without a
   * "finished": an open event stream is over all the same, logged and counted once. */
  if (!request->finished && request->stream != NULL)
    request_finished (request->server, request, NULL);
  else if (!request->finished)
    {
      const char *labels[] = { "headers", NULL };
      DecaLogFields fields = { request->trace_id, NULL, NULL, 0, -1 };

      deca_log_write (request->log, DECA_LOG_INFO, &fields, NULL,
                      "connection dropped before the request headers were complete");
      deca_metrics_family_add (request->incomplete_total, labels, 1);
    }
  g_hash_table_remove (request->live, request);
  g_clear_pointer (&request->live, g_hash_table_unref);
  deca_request_unref (request);
}

/* A new request on a connection: for the first one of a connection this runs as soon as
 * it is accepted, before a byte is read. */
static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    DecaServer        *self)
{
  DecaRequest *request = _deca_request_new (self, msg);
  GSocket *socket = soup_server_message_get_socket (msg);

  /* The read timeout: a client that sends nothing, half a request, or a body at a
   * trickle is dropped when one read waits longer than this (it applies to each wait
   * for data or for room to write, not to the whole exchange), and so is a kept-alive
   * connection that stays idle that long. */
  if (socket != NULL)
    g_socket_set_timeout (socket, self->read_timeout_s);
  request->incomplete_total = self->incomplete_total;
  request->live = g_hash_table_ref (self->live);
  g_hash_table_add (self->live, request);
  g_object_set_data_full (G_OBJECT (msg), "deca-request", request, request_destroy_cb);
  /* After SoupServer's own got-headers handler (connected before this signal). The end
   * of the exchange comes through the server's signals (finished_cb()), and "got-chunk"
   * is connected by got_headers_cb() for the bodies that need it. */
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), self);
}

/* --- built-in routes ---------------------------------------------------------------- */

static gboolean
store_health_cb (gpointer   user_data,
                 GError   **error)
{
  DecaServer *self = user_data;
  g_autoptr(GPtrArray) rows = NULL;

  /* A real read through SQLite: a database gone bad or locked up shows here. */
  rows = deca_store_list_executions (self->store, NULL, 1, error);
  return rows != NULL;
}

static void
health_cb (DecaRequest *request,
           gpointer     user_data)
{
  DecaServer *self = user_data;
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonObject *dependencies = json_object_new ();
  gboolean healthy = TRUE;

  for (guint i = 0; i < self->health_checks->len; i++)
    {
      HealthCheck *check = g_ptr_array_index (self->health_checks, i);
      g_autoptr(GError) error = NULL;

      if (check->func (check->user_data, &error))
        json_object_set_string_member (dependencies, check->name, "ok");
      else
        {
          JsonObject *problem = json_object_new ();
          const char *message = error != NULL ? error->message : "unavailable";

          healthy = FALSE;
          deca_request_log (request, DECA_LOG_ERROR, "health check %s failed: %s", check->name, message);
          json_object_set_string_member (problem, "error", message);
          json_object_set_object_member (dependencies, check->name, problem);
        }
    }
  json_object_set_string_member (object, "status", healthy ? "ok" : "unavailable");
  json_object_set_string_member (object, "version", PACKAGE_VERSION);
  json_object_set_int_member (object, "uptime_seconds",
                              (g_get_monotonic_time () - self->started_us) / G_USEC_PER_SEC);
  json_object_set_object_member (object, "dependencies", dependencies);
  json_node_take_object (root, object);
  deca_request_set_response_header (request, "Cache-Control", "no-store");
  deca_request_respond_json (request, healthy ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE, root);
}

static void
metrics_cb (DecaRequest *request,
            gpointer     user_data)
{
  DecaServer *self = user_data;
  g_autofree char *text = deca_metrics_format (self->metrics);

  deca_request_respond (request, SOUP_STATUS_OK, DECA_METRICS_CONTENT_TYPE, text, strlen (text));
}

/* --- public API --------------------------------------------------------------------- */

char *
deca_server_default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "deca-server", NULL);
}

char *
deca_server_database_path (const char *data_dir)
{
  g_return_val_if_fail (data_dir != NULL, NULL);

  return g_build_filename (data_dir, "deca.db", NULL);
}

DecaServer *
deca_server_new (const DecaServerOptions  *options,
                 GError                  **error)
{
  g_autoptr(DecaServer) self = NULL;
  g_autofree char *db_path = NULL;
  static const char *const request_labels[] = { "method", "route", "status", NULL };
  static const char *const duration_labels[] = { "method", "route", NULL };
  static const char *const incomplete_labels[] = { "stage", NULL };
  const double *buckets;
  gsize n_buckets;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (DECA_TYPE_SERVER, NULL);
  self->data_dir = g_strdup (options->data_dir);
  self->max_body_size = options->max_body_size > 0 ? options->max_body_size : DECA_SERVER_DEFAULT_MAX_BODY;
  self->read_timeout_s = options->read_timeout_s > 0 ? options->read_timeout_s : DECA_SERVER_DEFAULT_READ_TIMEOUT;
  self->started_us = g_get_monotonic_time ();
  self->log = deca_log_new (options->log_stream != NULL ? options->log_stream : stderr, options->log_level);
  self->metrics = deca_metrics_new ();
  self->router = deca_router_new ();

  buckets = deca_metrics_default_duration_buckets (&n_buckets);
  self->requests_total = deca_metrics_add_counter (self->metrics, "http_requests_total",
                                                   "HTTP requests answered, by method, route and status.",
                                                   request_labels);
  self->request_duration = deca_metrics_add_histogram (self->metrics, "http_request_duration_seconds",
                                                       "Time from the first byte of a request to the end of its answer.",
                                                       duration_labels, buckets, n_buckets);
  self->incomplete_total = deca_metrics_add_counter (self->metrics, "http_incomplete_requests_total",
                                                     "Connections dropped before their request was complete (timeouts, clients gone).",
                                                     incomplete_labels);

  if (g_mkdir_with_parents (self->data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("Cannot create the data directory %s: %s"), self->data_dir, g_strerror (saved_errno));
      return NULL;
    }
  db_path = deca_server_database_path (self->data_dir);
  /* Checkpoints on a thread of the store's: on the main loop each one held every request
   * up for tens of milliseconds (docs/storage.md, "Checkpoints"). */
  if (!(self->store = deca_store_open (db_path, error)) || !deca_store_checkpoint_in_background (self->store, error))
    return NULL;
  deca_server_add_health_check (self, "store", store_health_cb, self, NULL);

  /* The path is decoded here (decode_path()), where an escape that hides a slash or a
   * NUL byte is refused with a 400 that says so. */
  self->soup = soup_server_new ("server-header", "deca/" PACKAGE_VERSION " ", "raw-paths", TRUE, NULL);
  soup_server_add_handler (self->soup, NULL, soup_handler_cb, self, NULL);
  g_signal_connect_object (self->soup, "request-started", G_CALLBACK (request_started_cb), self, 0);
  g_signal_connect_object (self->soup, "request-finished", G_CALLBACK (finished_cb), self, 0);
  g_signal_connect_object (self->soup, "request-aborted", G_CALLBACK (finished_cb), self, 0);

  if (!deca_server_add_route (self, "GET", "/health", DECA_ROUTE_PUBLIC, health_cb, self, NULL, error)
      || !deca_server_add_route (self, "GET", "/metrics", DECA_ROUTE_PUBLIC, metrics_cb, self, NULL, error)
      || !deca_api_openapi_register (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

GSocketAddress *
deca_server_parse_address (const char  *address,
                           GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  const char *port_text;
  guint64 port;
  char *end;

  if (address[0] == '[')
    {
      const char *close = strchr (address, ']');

      if (close == NULL || close[1] != ':')
        goto malformed;
      host = g_strndup (address + 1, close - address - 1);
      port_text = close + 2;
    }
  else
    {
      const char *colon = strrchr (address, ':');

      if (colon == NULL || strchr (address, ':') != colon)
        goto malformed;
      host = g_strndup (address, colon - address);
      port_text = colon + 1;
    }
  if (port_text[0] == '\0' || !g_ascii_isdigit (port_text[0]))
    goto malformed;
  port = g_ascii_strtoull (port_text, &end, 10);
  if (*end != '\0' || port > 65535)
    goto malformed;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    inet = g_inet_address_new_from_string (host);
  if (inet == NULL || (address[0] == '[') != (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6))
    goto malformed;
  return g_inet_socket_address_new (inet, (guint16) port);

malformed:
  g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
               _("“%s” is not a listening address (HOST:PORT with an IP address, [IPv6]:PORT or localhost:PORT)"),
               address);
  return NULL;
}

/* The socket soup_server_listen() would make, with the kernel's largest accept queue
 * instead of GSocket's 10: the server accepts at most one connection per turn of its
 * main loop, so a burst of clients connecting while it is busy filled the queue, and the
 * kernel dropped the handshakes beyond it, which those clients repeated only after a
 * second (the bench's 32 connections took two such seconds to come up). */
static GSocket *
listening_socket (GSocketAddress  *address,
                  GError         **error)
{
  GSocketFamily family = g_socket_address_get_family (address);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return NULL;
  /* As libsoup does: an IPv6 address means IPv6 only. */
  if (family == G_SOCKET_FAMILY_IPV6 && !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, SOMAXCONN);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

gboolean
deca_server_listen (DecaServer  *self,
                    const char  *address,
                    GError     **error)
{
  g_autoptr(GSocketAddress) wanted = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *uri = NULL;
  GSList *listeners;

  g_return_val_if_fail (DECA_IS_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (self->address == NULL, FALSE);

  if (!(wanted = deca_server_parse_address (address, error)))
    return FALSE;
  if (!(socket = listening_socket (wanted, error)) || !soup_server_listen_socket (self->soup, socket, 0, error))
    return FALSE;
  listeners = soup_server_get_listeners (self->soup);
  g_assert (listeners != NULL);
  /* Port 0 became a real port: ask the socket. */
  self->address = g_socket_get_local_address (listeners->data, error);
  g_slist_free (listeners);
  if (self->address == NULL)
    {
      soup_server_disconnect (self->soup);
      return FALSE;
    }

  uri = deca_server_get_uri (self);
  {
    g_autoptr(JsonObject) extra = json_object_new ();
    g_autofree char *message = g_strdup_printf ("listening on %s", uri);

    /* What the operator chose, in one place. */
    json_object_set_string_member (extra, "data_dir", self->data_dir);
    json_object_set_int_member (extra, "max_body_bytes", (gint64) self->max_body_size);
    json_object_set_int_member (extra, "read_timeout_s", self->read_timeout_s);
    deca_log_write (self->log, DECA_LOG_INFO, NULL, extra, message);
  }
  return TRUE;
}

void
deca_server_stop (DecaServer *self)
{
  g_return_if_fail (DECA_IS_SERVER (self));

  g_clear_object (&self->address);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
}

void
_deca_server_stream_opened (DecaServer *self)
{
  self->open_streams++;
}

static gboolean
drain_timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
deca_server_shutdown (DecaServer *self,
                      gint64      timeout_us)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GSource) timeout = NULL;
  gboolean timed_out = FALSE;

  g_return_if_fail (DECA_IS_SERVER (self));
  g_return_if_fail (timeout_us >= 0);

  g_signal_emit (self, signals[SIGNAL_STOPPING], 0);
  /* The ended streams still have their last bytes (the terminating chunk) to write: the
   * main loop writes them while this waits, and each exchange that finishes counts
   * down. A client that does not read is cut at the timeout, as before. */
  context = g_main_context_ref_thread_default ();
  timeout = g_timeout_source_new ((guint) MIN (timeout_us / 1000, G_MAXUINT));
  g_source_set_callback (timeout, drain_timeout_cb, &timed_out, NULL);
  g_source_set_static_name (timeout, "deca-server-drain");
  g_source_attach (timeout, context);
  while (self->open_streams > 0 && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  if (self->open_streams > 0)
    deca_log_writef (self->log, DECA_LOG_WARNING, NULL,
                     "%u event streams did not finish within the shutdown timeout; their connections are closed",
                     self->open_streams);
  deca_server_stop (self);
}

char *
deca_server_get_uri (DecaServer *self)
{
  GInetAddress *inet;
  g_autofree char *host = NULL;

  g_return_val_if_fail (DECA_IS_SERVER (self), NULL);

  if (self->address == NULL)
    return NULL;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (self->address));
  host = g_inet_address_to_string (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("http://[%s]:%u", host, deca_server_get_port (self));
  return g_strdup_printf ("http://%s:%u", host, deca_server_get_port (self));
}

guint16
deca_server_get_port (DecaServer *self)
{
  g_return_val_if_fail (DECA_IS_SERVER (self), 0);

  if (self->address == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (self->address));
}

DecaRoute *
deca_server_add_route (DecaServer       *self,
                       const char       *method,
                       const char       *pattern,
                       DecaRouteFlags    flags,
                       DecaRouteHandler  handler,
                       gpointer          user_data,
                       GDestroyNotify    destroy,
                       GError          **error)
{
  g_return_val_if_fail (DECA_IS_SERVER (self), NULL);

  return deca_router_add (self->router, method, pattern, flags, handler, user_data, destroy, error);
}

void
deca_server_set_authenticator (DecaServer         *self,
                               DecaServerAuthFunc  func,
                               gpointer            user_data,
                               GDestroyNotify      destroy)
{
  g_return_if_fail (DECA_IS_SERVER (self));

  if (self->auth_destroy != NULL)
    self->auth_destroy (self->auth_data);
  self->auth_func = func;
  self->auth_data = user_data;
  self->auth_destroy = destroy;
}

void
deca_server_add_health_check (DecaServer           *self,
                              const char           *name,
                              DecaServerHealthFunc  func,
                              gpointer              user_data,
                              GDestroyNotify        destroy)
{
  HealthCheck *check;

  g_return_if_fail (DECA_IS_SERVER (self));
  g_return_if_fail (name != NULL && func != NULL);

  check = g_new0 (HealthCheck, 1);
  check->name = g_strdup (name);
  check->func = func;
  check->user_data = user_data;
  check->destroy = destroy;
  g_ptr_array_add (self->health_checks, check);
}

DecaStore *
deca_server_get_store (DecaServer *self)
{
  g_return_val_if_fail (DECA_IS_SERVER (self), NULL);
  return self->store;
}

DecaRouter *
deca_server_get_router (DecaServer *self)
{
  g_return_val_if_fail (DECA_IS_SERVER (self), NULL);
  return self->router;
}

DecaLog *
deca_server_get_log (DecaServer *self)
{
  g_return_val_if_fail (DECA_IS_SERVER (self), NULL);
  return self->log;
}

DecaMetrics *
deca_server_get_metrics (DecaServer *self)
{
  g_return_val_if_fail (DECA_IS_SERVER (self), NULL);
  return self->metrics;
}

gsize
deca_server_get_max_body_size (DecaServer *self)
{
  g_return_val_if_fail (DECA_IS_SERVER (self), 0);
  return self->max_body_size;
}

const char *
deca_server_get_data_dir (DecaServer *self)
{
  g_return_val_if_fail (DECA_IS_SERVER (self), NULL);
  return self->data_dir;
}
