/* deca-request.c: the request context of route handlers and the answers (deca-request.h). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <glib-unix.h>

#include "deca-engine-error.h"
#include "deca-json.h"
#include "deca-server-private.h"

static void stream_free (DecaRequestStream *stream);

DecaRequest *
_deca_request_new (DecaServer        *server,
                   SoupServerMessage *msg)
{
  DecaRequest *self = g_new0 (DecaRequest, 1);

  g_ref_count_init (&self->ref_count);
  self->server = server;
  self->log = g_object_ref (deca_server_get_log (server));
  self->metrics = g_object_ref (deca_server_get_metrics (server));
  self->msg = msg;
  self->start_us = g_get_monotonic_time ();
  return self;
}

DecaRequest *
deca_request_ref (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref_count);
  return self;
}

void
deca_request_unref (DecaRequest *self)
{
  g_return_if_fail (self != NULL);

  if (!g_ref_count_dec (&self->ref_count))
    return;
  if (self->principal_destroy != NULL)
    self->principal_destroy (self->principal);
  g_clear_pointer (&self->stream, stream_free);
  g_clear_pointer (&self->params, g_hash_table_unref);
  g_clear_pointer (&self->query, g_hash_table_unref);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_pointer (&self->json, json_node_unref);
  g_free (self->method);
  g_free (self->path);
  g_free (self->trace_id);
  g_free (self->remote_host);
  g_object_unref (self->log);
  g_object_unref (self->metrics);
  g_free (self);
}

gboolean
_deca_request_is_sane_trace_id (const char *value)
{
  gsize len;

  if (value == NULL)
    return FALSE;
  len = strlen (value);
  if (len == 0 || len > 128)
    return FALSE;
  /* Nothing that could break a log line or a header, nor spaces: a trace id is a token. */
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (value[i]) && strchr ("-_.:", value[i]) == NULL)
      return FALSE;
  return TRUE;
}

/* What g_uuid_string_random() returns (a version 4 UUID from four g_random_int(), in
 * lower-case hex), written out by hand: its sixteen "%02x" through printf were most of
 * the cost of a request's trace id. */
static char *
random_uuid (void)
{
  static const char hex[] = "0123456789abcdef";
  guint8 bytes[16];
  char *text = g_malloc (37);
  char *p = text;

  for (guint i = 0; i < 4; i++)
    {
      guint32 value = g_random_int ();

      memcpy (bytes + 4 * i, &value, sizeof value);
    }
  /* The version (4) and the variant (RFC 4122), as uuid_set_version() sets them. */
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        *p++ = '-';
      *p++ = hex[bytes[i] >> 4];
      *p++ = hex[bytes[i] & 0x0f];
    }
  *p = '\0';
  return text;
}

void
_deca_request_set_trace_id (DecaRequest *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (self->msg);
  const char *given = soup_message_headers_get_one (headers, "X-Request-Id");

  g_free (self->trace_id);
  self->trace_id = _deca_request_is_sane_trace_id (given) ? g_strdup (given) : random_uuid ();
  soup_message_headers_replace (soup_server_message_get_response_headers (self->msg),
                                "X-Request-Id", self->trace_id);
}

DecaServer *
deca_request_get_server (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->server;
}

SoupServerMessage *
deca_request_get_message (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->msg;
}

const char *
deca_request_get_method (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->method;
}

const char *
deca_request_get_path (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

const char *
deca_request_get_route (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->route != NULL ? deca_route_get_pattern (self->route) : NULL;
}

guint64
deca_request_get_required_permissions (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->route != NULL ? deca_route_get_required_permissions (self->route) : 0;
}

const char *
deca_request_get_trace_id (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->trace_id;
}

const char *
deca_request_get_param (DecaRequest *self,
                        const char  *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return self->params != NULL ? g_hash_table_lookup (self->params, name) : NULL;
}

const char *
deca_request_get_query (DecaRequest *self,
                        const char  *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return self->query != NULL ? g_hash_table_lookup (self->query, name) : NULL;
}

const char *
deca_request_get_header (DecaRequest *self,
                         const char  *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (self->msg == NULL)
    return NULL;
  return soup_message_headers_get_one (soup_server_message_get_request_headers (self->msg), name);
}

GBytes *
deca_request_get_body (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->body == NULL)
    self->body = g_bytes_new (NULL, 0);
  return self->body;
}

JsonNode *
deca_request_get_json (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->json;
}

const char *
deca_request_get_remote_host (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->remote_host;
}

void
deca_request_set_principal (DecaRequest    *self,
                            gpointer        principal,
                            GDestroyNotify  destroy)
{
  g_return_if_fail (self != NULL);

  if (self->principal_destroy != NULL)
    self->principal_destroy (self->principal);
  self->principal = principal;
  self->principal_destroy = destroy;
}

gpointer
deca_request_get_principal (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->principal;
}

void
deca_request_set_response_header (DecaRequest *self,
                                  const char  *name,
                                  const char  *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL && value != NULL);

  if (self->msg == NULL)
    return;
  soup_message_headers_replace (soup_server_message_get_response_headers (self->msg), name, value);
}

/* libsoup writes an answer's headers and its body with a send() each, and its sockets
 * have TCP_NODELAY: two segments, each through the whole TCP path of both ends, where
 * a small answer fits in one. Corked, the socket holds both until
 * _deca_request_uncork(), when the request is finished. (The kernel still sends each
 * full segment at once, and holds nothing longer than 200 ms.) Measured on the webhook
 * benchmark: see docs/server.md, "Answers". */
static void
request_cork (DecaRequest *self)
{
  GSocket *socket = soup_server_message_get_socket (self->msg);

  /* (Accepted sockets report no protocol: GLib asks only for family and type.) */
  if (socket != NULL && g_socket_get_socket_type (socket) == G_SOCKET_TYPE_STREAM &&
      g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    self->corked = g_socket_set_option (socket, IPPROTO_TCP, TCP_CORK, TRUE, NULL);
}

void
_deca_request_uncork (DecaRequest       *self,
                      SoupServerMessage *msg)
{
  GSocket *socket;

  if (!self->corked)
    return;
  self->corked = FALSE;
  socket = msg != NULL ? soup_server_message_get_socket (msg) : NULL;
  if (socket != NULL)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_CORK, FALSE, NULL);
}

/* Answers with @data, which libsoup copies (SOUP_MEMORY_COPY) or takes, to free it with
 * g_free() (SOUP_MEMORY_TAKE); @data is freed here when there is no answer to give. */
static void
respond_with (DecaRequest    *self,
              guint           status,
              const char     *content_type,
              SoupMemoryUse   use,
              const char     *data,
              gsize           length)
{
  /* A second answer, or one after the client left, has nowhere to go. */
  if (self->msg == NULL || self->finished || self->answered)
    {
      if (use == SOUP_MEMORY_TAKE)
        g_free ((char *) data);
      return;
    }
  self->answered = TRUE;
  self->status = status;
  request_cork (self);
  soup_server_message_set_status (self->msg, status, NULL);
  if (data != NULL)
    soup_server_message_set_response (self->msg, content_type, use, data, length);
  if (self->deferred)
    {
      self->deferred = FALSE;
      soup_server_message_unpause (self->msg);
    }
}

void
deca_request_respond (DecaRequest *self,
                      guint        status,
                      const char  *content_type,
                      const char  *data,
                      gsize        length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (status >= 100 && status < 600);

  respond_with (self, status, content_type, SOUP_MEMORY_COPY, data, length);
}

void
_deca_request_respond_take (DecaRequest *self,
                            guint        status,
                            const char  *content_type,
                            char        *data,
                            gsize        length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (status >= 100 && status < 600);

  respond_with (self, status, content_type, SOUP_MEMORY_TAKE, data, length);
}

void
deca_request_respond_json (DecaRequest *self,
                           guint        status,
                           JsonNode    *body)
{
  char *text;

  g_return_if_fail (self != NULL);
  g_return_if_fail (status >= 100 && status < 600);

  if (body == NULL)
    {
      deca_request_respond (self, status, NULL, NULL, 0);
      return;
    }
  /* libsoup takes the text rather than copying it. */
  text = deca_json_to_string (body, FALSE);
  _deca_request_respond_take (self, status, "application/json", text, strlen (text));
}

void
deca_request_respond_error_literal (DecaRequest     *self,
                                    DecaServerError  code,
                                    const char      *message,
                                    JsonNode        *details)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (message != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, deca_server_error_code_name (code));
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "details");
  if (details != NULL)
    json_builder_add_value (builder, json_node_copy (details));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  /* A 401 says how to authenticate (RFC 9110); an authentication step that wants
   * another challenge sets its own first. */
  if (deca_server_error_http_status (code) == 401 && self->msg != NULL
      && soup_message_headers_get_one (soup_server_message_get_response_headers (self->msg),
                                       "WWW-Authenticate") == NULL)
    deca_request_set_response_header (self, "WWW-Authenticate", "Bearer realm=\"deca\"");
  deca_request_respond_json (self, deca_server_error_http_status (code), root);
}

/* Answers 400 bad_request with @message and the details {@kind: @name}: the JSON
 * pointer of a bad body member ("pointer"), a bad query parameter ("parameter") or
 * header ("header"). */
void
deca_request_respond_bad_input (DecaRequest *self,
                                const char  *kind,
                                const char  *name,
                                const char  *message)
{
  g_autoptr(JsonNode) details = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  g_return_if_fail (self != NULL);
  g_return_if_fail (kind != NULL && name != NULL);

  json_object_set_string_member (object, kind, name);
  json_node_take_object (details, object);
  deca_request_respond_error_literal (self, DECA_SERVER_ERROR_BAD_REQUEST, message, details);
}

/* Answers 200 with the list {"items": @items}; a page of a longer list (@paged) also
 * has "next_cursor": @next_cursor, null on the last page. */
void
deca_request_respond_items (DecaRequest *self,
                            JsonArray   *items,
                            gboolean     paged,
                            const char  *next_cursor)
{
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  g_return_if_fail (self != NULL);
  g_return_if_fail (items != NULL);

  json_object_set_array_member (object, "items", json_array_ref (items));
  if (paged && next_cursor != NULL)
    json_object_set_string_member (object, "next_cursor", next_cursor);
  else if (paged)
    json_object_set_null_member (object, "next_cursor");
  json_node_take_object (body, object);
  deca_request_respond_json (self, SOUP_STATUS_OK, body);
}

/* A 400 whose details name the bad member of the body by its JSON @pointer. */
void
deca_request_respond_bad_field (DecaRequest *self,
                                const char  *pointer,
                                const char  *message)
{
  deca_request_respond_bad_input (self, "pointer", pointer, message);
}

/* The server error code an engine error is answered with. */
static gboolean
engine_code (int              engine_error,
             DecaServerError *code)
{
  switch (engine_error)
    {
    case DECA_ENGINE_ERROR_NOT_FOUND:
      *code = DECA_SERVER_ERROR_NOT_FOUND;
      return TRUE;
    case DECA_ENGINE_ERROR_PARSE:
    case DECA_ENGINE_ERROR_EXPRESSION:
      *code = DECA_SERVER_ERROR_BAD_REQUEST;
      return TRUE;
    case DECA_ENGINE_ERROR_INVALID:
    case DECA_ENGINE_ERROR_CREDENTIAL:   /* a flow naming a credential its workspace lacks */
      *code = DECA_SERVER_ERROR_UNPROCESSABLE;
      return TRUE;
    case DECA_ENGINE_ERROR_STATE:
      *code = DECA_SERVER_ERROR_CONFLICT;
      return TRUE;
    default:
      return FALSE;
    }
}

void
deca_request_respond_error (DecaRequest  *self,
                            const GError *error,
                            JsonNode     *details)
{
  DecaServerError code = DECA_SERVER_ERROR_INTERNAL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (error != NULL);

  if (error->domain == DECA_SERVER_ERROR)
    code = (DecaServerError) error->code;
  else if (error->domain == DECA_ENGINE_ERROR && engine_code (error->code, &code))
    ;
  else
    code = DECA_SERVER_ERROR_INTERNAL;

  if (deca_server_error_http_status (code) >= 500)
    {
      /* What failed inside is for the log (the operator), not for the caller. */
      deca_request_log (self, DECA_LOG_ERROR, "%s", error->message);
      deca_request_respond_error_literal (self, DECA_SERVER_ERROR_INTERNAL,
                                          _("Internal server error"), NULL);
      return;
    }
  deca_request_respond_error_literal (self, code, error->message, details);
}

void
deca_request_defer (DecaRequest *self)
{
  g_return_if_fail (self != NULL);

  if (self->msg == NULL || self->answered || self->deferred)
    return;
  self->deferred = TRUE;
  self->was_deferred = TRUE;
  soup_server_message_pause (self->msg);
}

gboolean
deca_request_is_finished (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->finished;
}

void
deca_request_log (DecaRequest  *self,
                  DecaLogLevel  level,
                  const char   *format,
                  ...)
{
  g_autofree char *message = NULL;
  DecaLogFields fields = { 0 };
  va_list args;

  g_return_if_fail (self != NULL);

  fields.trace_id = self->trace_id;
  fields.method = self->method;
  fields.route = deca_request_get_route (self);
  fields.duration_ms = -1;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  deca_log_write (self->log, level, &fields, NULL, message);
}

/* Reads "<data>:LINE:COLUMN: ..." of a json-glib parse error. */
static gboolean
parse_error_position (const char *message,
                      guint64    *line,
                      guint64    *column,
                      const char **reason)
{
  const char *p = message;
  char *end;

  if (g_str_has_prefix (p, "<data>:"))
    p += strlen ("<data>:");
  *line = g_ascii_strtoull (p, &end, 10);
  if (end == p || *end != ':')
    return FALSE;
  p = end + 1;
  *column = g_ascii_strtoull (p, &end, 10);
  if (end == p || *end != ':')
    return FALSE;
  p = end + 1;
  while (*p == ' ')
    p++;
  if (g_str_has_prefix (p, "Parse error: "))
    p += strlen ("Parse error: ");
  *reason = p;
  return TRUE;
}

/* Returns (transfer full) a clearer reason than json-glib's for a value missing where one
 * must be, as in {"name": }, [1, ] or [,], for which json-glib says "unexpected character
 * `}', expected character `}'"; NULL to keep json-glib's. The error points at the
 * offending character at @line, @column (counted in bytes from 1). */
static char *
missing_value_reason (const GError *error,
                      const char   *data,
                      gsize         len,
                      guint64       line,
                      guint64       column)
{
  gsize offset = 0;
  gsize before;
  char c;

  if (!g_error_matches (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE) &&
      !g_error_matches (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_TRAILING_COMMA))
    return NULL;
  for (guint64 l = 1; l < line; l++)
    {
      const char *newline = memchr (data + offset, '\n', len - offset);

      if (newline == NULL)
        return NULL;
      offset = newline - data + 1;
    }
  if (column == 0 || column - 1 >= len - offset)
    return NULL;
  offset += column - 1;
  c = data[offset];
  /* For a trailing comma json-glib points at the comma: look at what follows it. */
  if (g_error_matches (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_TRAILING_COMMA) && c == ',')
    {
      gsize after = offset + 1;

      while (after < len && strchr (" \t\r\n", data[after]) != NULL)
        after++;
      if (after == len || (data[after] != '}' && data[after] != ']'))
        return NULL;
      offset = after;
      c = data[offset];
    }
  if (c != '}' && c != ']' && c != ',' && c != ':')
    return NULL;
  /* What came before it, past white space: a value had to follow that. */
  before = offset;
  while (before > 0 && strchr (" \t\r\n", data[before - 1]) != NULL)
    before--;
  if (before == 0 || strchr (":[,", data[before - 1]) == NULL)
    return NULL;
  if (data[before - 1] == ',' && (c == '}' || c == ']'))
    /* Translators: %c is "}" or "]". */
    return g_strdup_printf (_("unexpected “%c” after a comma: expected a value (JSON has no trailing commas)"), c);
  /* Translators: %c is the character found ("}", "]", ",", ":"). */
  return g_strdup_printf (_("unexpected “%c”: expected a value"), c);
}

static JsonNode *
offset_details (gsize offset)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (object, "offset", (gint64) offset);
  json_node_take_object (node, object);
  return node;
}

gboolean
_deca_request_parse_body (DecaRequest *self)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) details = NULL;
  g_autofree char *message = NULL;
  const char *data;
  const char *bad;
  gsize len;

  data = g_bytes_get_data (deca_request_get_body (self), &len);
  if (len == 0)
    return TRUE;

  /* json-glib stops at a NUL and would take a truncated body for the whole one. */
  if ((bad = memchr (data, '\0', len)) != NULL || !g_utf8_validate (data, len, &bad))
    {
      details = offset_details (bad - data);
      /* Two whole sentences, not a phrase inserted into one. */
      message = g_strdup_printf (*bad == '\0' ? _("The body is not JSON text: byte %lu is a NUL byte")
                                              : _("The body is not JSON text: byte %lu is not valid UTF-8"),
                                 (unsigned long) (bad - data));
      deca_request_respond_error_literal (self, DECA_SERVER_ERROR_BAD_REQUEST, message, details);
      return FALSE;
    }

  /* The quick parser takes the plain JSON of nearly every body; json-glib the rest, and
   * says where a malformed one goes wrong. Sealed either way, as the immutable parser
   * makes it. */
  if ((self->json = deca_json_try_parse (data, len)) != NULL)
    {
      json_node_seal (self->json);
      return TRUE;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, len, &error) || json_parser_get_root (parser) == NULL)
    {
      guint64 line = 0, column = 0;
      const char *reason = NULL;

      if (error != NULL && parse_error_position (error->message, &line, &column, &reason))
        {
          JsonObject *object = json_object_new ();
          g_autofree char *clearer = missing_value_reason (error, data, len, line, column);

          if (clearer != NULL)
            reason = clearer;

          json_object_set_int_member (object, "line", (gint64) line);
          json_object_set_int_member (object, "column", (gint64) column);
          json_object_set_string_member (object, "reason", reason);
          details = json_node_new (JSON_NODE_OBJECT);
          json_node_take_object (details, object);
          /* Translators: the last %s is json-glib's reason ("unexpected end of data"). */
          message = g_strdup_printf (_("Malformed JSON at line %lu, column %lu: %s"), (unsigned long) line,
                                     (unsigned long) column, reason);
        }
      else
        message = error != NULL ? g_strdup_printf (_("Malformed JSON: %s"), error->message)
                                : g_strdup (_("The body holds no JSON value"));
      deca_request_respond_error_literal (self, DECA_SERVER_ERROR_BAD_REQUEST, message, details);
      return FALSE;
    }
  self->json = json_parser_steal_root (parser);
  return TRUE;
}

/* --- event streams ------------------------------------------------------------------- */

struct _DecaRequestStream
{
  SoupServerMessage *msg;      /* borrowed; NULL once the exchange is over */
  GSource *watch;              /* (nullable) the client-gone watch on the socket */
  gulong wrote_id;
  guint64 appended;
  guint64 written;
  guint64 events;
  const char *end_reason;      /* static text; NULL while the stream is open */

  DecaRequestStreamClosedFunc closed_func;
  gpointer closed_data;
  GDestroyNotify closed_destroy;
};

static void
stream_clear_closed_func (DecaRequestStream *stream)
{
  GDestroyNotify destroy = stream->closed_destroy;
  gpointer data = stream->closed_data;

  stream->closed_func = NULL;
  stream->closed_data = NULL;
  stream->closed_destroy = NULL;
  if (destroy != NULL)
    destroy (data);
}

static void
stream_stop_watching (DecaRequestStream *stream)
{
  if (stream->watch != NULL)
    {
      g_source_destroy (stream->watch);
      g_clear_pointer (&stream->watch, g_source_unref);
    }
  /* The message may be going away (its handlers are gone already then). */
  if (stream->msg != NULL && stream->wrote_id != 0 && g_signal_handler_is_connected (stream->msg, stream->wrote_id))
    g_signal_handler_disconnect (stream->msg, stream->wrote_id);
  stream->wrote_id = 0;
}

static void
stream_free (DecaRequestStream *stream)
{
  stream_stop_watching (stream);
  stream_clear_closed_func (stream);
  g_free (stream);
}

/* The stream is over without the handler ending it: tells the handler, once. */
static void
stream_closed (DecaRequest *self,
               const char  *reason)
{
  DecaRequestStream *stream = self->stream;
  DecaRequestStreamClosedFunc func = stream->closed_func;
  gpointer data = stream->closed_data;
  GDestroyNotify destroy = stream->closed_destroy;

  if (stream->end_reason == NULL)
    stream->end_reason = reason;
  stream->closed_func = NULL;
  stream->closed_data = NULL;
  stream->closed_destroy = NULL;
  if (func != NULL)
    func (self, data);
  if (destroy != NULL)
    destroy (data);
}

static void
wrote_body_data_cb (SoupServerMessage *msg,
                    guint              size,
                    DecaRequest       *self)
{
  self->stream->written += size;
}

/* The last bytes go out and the answer ends (the empty chunk of chunked encoding, or the
 * close of a close-delimited one). */
static void
stream_complete (DecaRequest *self)
{
  SoupMessageBody *body = soup_server_message_get_response_body (self->stream->msg);

  soup_message_body_complete (body);
  soup_server_message_unpause (self->stream->msg);
}

/* Readable on the socket of an idle stream: a client that closed its side shows as the
 * end of input (or an error). A client has nothing to send while it reads an event
 * stream, so data there (a pipelined request) only ends the watch: a write failing will
 * tell then. */
static gboolean
client_watch_cb (int           fd,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  DecaRequest *self = user_data;
  DecaRequestStream *stream = self->stream;
  char byte;
  gssize got;

  got = recv (fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&stream->watch, g_source_unref);
  if (got > 0)
    return G_SOURCE_REMOVE;

  /* Gone: end the answer, so that libsoup closes the connection and the exchange
   * finishes (the access line is written then), and drop what waits for it now. */
  if (stream->end_reason == NULL && stream->msg != NULL)
    {
      stream->end_reason = "client";
      stream_complete (self);
    }
  deca_request_ref (self);
  stream_closed (self, "client");
  deca_request_unref (self);
  return G_SOURCE_REMOVE;
}

gboolean
deca_request_start_event_stream (DecaRequest *self)
{
  SoupMessageHeaders *headers;
  DecaRequestStream *stream;
  GSocket *socket;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->msg == NULL || self->finished || self->answered)
    return FALSE;
  headers = soup_server_message_get_response_headers (self->msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  /* Proxies that buffer answers (nginx) pass this one through as it comes. */
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  if (g_strcmp0 (self->method, "HEAD") == 0)
    {
      deca_request_respond (self, SOUP_STATUS_OK, NULL, NULL, 0);
      return FALSE;
    }

  /* HTTP/1.0 has no chunked encoding: the end of the stream is the end of the
   * connection there. */
  soup_message_headers_set_encoding (headers,
                                     soup_server_message_get_http_version (self->msg) == SOUP_HTTP_1_0
                                     ? SOUP_ENCODING_EOF : SOUP_ENCODING_CHUNKED);
  /* Written chunks are dropped at once: a stream that runs for hours keeps nothing. */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (self->msg), FALSE);

  stream = g_new0 (DecaRequestStream, 1);
  stream->msg = self->msg;
  stream->wrote_id = g_signal_connect (self->msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), self);
  self->stream = stream;
  _deca_server_stream_opened (self->server);

  socket = soup_server_message_get_socket (self->msg);
  if (socket != NULL)
    {
      /* A raw watch on the descriptor, not g_socket_create_source(): the socket's
       * timeout (the read timeout) would fire on it, and an idle stream is no wait of
       * ours on the client. */
      stream->watch = g_unix_fd_source_new (g_socket_get_fd (socket), G_IO_IN | G_IO_HUP | G_IO_ERR);
      g_source_set_callback (stream->watch, (GSourceFunc) (GCallback) client_watch_cb, self, NULL);
      g_source_set_static_name (stream->watch, "deca-request-client-watch");
      g_source_attach (stream->watch, g_main_context_get_thread_default ());
    }

  self->answered = TRUE;
  self->status = SOUP_STATUS_OK;
  soup_server_message_set_status (self->msg, SOUP_STATUS_OK, NULL);
  if (self->deferred)
    {
      self->deferred = FALSE;
      soup_server_message_unpause (self->msg);
    }
  return TRUE;
}

gboolean
deca_request_is_streaming (DecaRequest *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->stream != NULL && self->stream->end_reason == NULL && self->stream->msg != NULL;
}

/* Appends @text to the stream and has libsoup write it (it pauses itself when it has
 * written everything there was). */
static void
stream_append (DecaRequest *self,
               GString     *text)
{
  DecaRequestStream *stream = self->stream;
  gsize length = text->len;
  g_autoptr(GBytes) bytes = g_bytes_new_take (g_string_free (text, FALSE), length);

  /* The body takes its own reference to the bytes. */
  soup_message_body_append_bytes (soup_server_message_get_response_body (stream->msg), bytes);
  stream->appended += length;
  soup_server_message_unpause (stream->msg);
}

/* Appends "NAME: " and @value up to its end or its first line break. */
static void
append_field (GString    *text,
              const char *name,
              const char *value,
              gsize       length)
{
  g_string_append (text, name);
  g_string_append (text, ": ");
  g_string_append_len (text, value, length);
  g_string_append_c (text, '\n');
}

gboolean
deca_request_write_event (DecaRequest *self,
                          const char  *id,
                          const char  *type,
                          const char  *data)
{
  GString *text;
  const char *line;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (id == NULL || strpbrk (id, "\r\n") == NULL, FALSE);
  g_return_val_if_fail (type == NULL || strpbrk (type, "\r\n") == NULL, FALSE);

  if (!deca_request_is_streaming (self))
    return FALSE;
  text = g_string_sized_new (strlen (data) + 64);
  if (id != NULL)
    append_field (text, "id", id, strlen (id));
  if (type != NULL)
    append_field (text, "event", type, strlen (type));
  /* A line break inside the data would end the field: each line is a data line of its
   * own, which the client joins back with "\n". */
  line = data;
  for (;;)
    {
      gsize length = strcspn (line, "\r\n");

      append_field (text, "data", line, length);
      line += length;
      if (*line == '\0')
        break;
      line += (line[0] == '\r' && line[1] == '\n') ? 2 : 1;
    }
  g_string_append_c (text, '\n');
  self->stream->events++;
  stream_append (self, text);
  return TRUE;
}

gboolean
deca_request_write_comment (DecaRequest *self,
                            const char  *text)
{
  GString *line;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (text != NULL && strpbrk (text, "\r\n") == NULL, FALSE);

  if (!deca_request_is_streaming (self))
    return FALSE;
  line = g_string_new (": ");
  g_string_append (line, text);
  g_string_append (line, "\n\n");
  stream_append (self, line);
  return TRUE;
}

void
deca_request_get_stream_bytes (DecaRequest *self,
                               guint64     *appended,
                               guint64     *written)
{
  g_return_if_fail (self != NULL);

  if (appended != NULL)
    *appended = self->stream != NULL ? self->stream->appended : 0;
  if (written != NULL)
    *written = self->stream != NULL ? self->stream->written : 0;
}

void
deca_request_end_stream (DecaRequest *self,
                         const char  *reason)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (reason != NULL);

  if (!deca_request_is_streaming (self))
    return;
  /* The reason is kept for the access line, written when the exchange is over. */
  self->stream->end_reason = g_intern_string (reason);
  stream_clear_closed_func (self->stream);
  stream_complete (self);
}

void
deca_request_set_stream_closed_func (DecaRequest                 *self,
                                     DecaRequestStreamClosedFunc  func,
                                     gpointer                     user_data,
                                     GDestroyNotify               destroy)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->stream != NULL);

  stream_clear_closed_func (self->stream);
  self->stream->closed_func = func;
  self->stream->closed_data = user_data;
  self->stream->closed_destroy = destroy;
}

JsonObject *
_deca_request_finish_stream (DecaRequest *self)
{
  DecaRequestStream *stream = self->stream;
  JsonObject *extra;

  if (stream == NULL)
    return NULL;
  if (stream->msg != NULL)
    {
      stream_stop_watching (stream);
      stream->msg = NULL;
      /* Over before the handler ended it: the connection went (the client, or the
       * server stopping). */
      deca_request_ref (self);
      stream_closed (self, "closed");
      deca_request_unref (self);
    }
  extra = json_object_new ();
  json_object_set_int_member (extra, "stream_events", (gint64) stream->events);
  json_object_set_int_member (extra, "stream_bytes", (gint64) stream->written);
  json_object_set_string_member (extra, "stream_end", stream->end_reason != NULL ? stream->end_reason : "closed");
  return extra;
}
