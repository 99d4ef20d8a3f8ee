/* The "http" node: one HTTP request with libsoup 3, redirects, auth and timeouts. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-http-node.h"
#include "deca-json.h"

#include <libsoup/soup.h>
#include <string.h>

/* Responses larger than this fail the node instead of filling the memory of the process
 * that runs the flow (and the store that would keep the output). */
#define MAX_BODY_BYTES (10 * 1024 * 1024)
#define READ_CHUNK_BYTES (64 * 1024)
/* How much of an error response's body goes into the error message. */
#define ERROR_BODY_PREVIEW 200

struct _DecaHttpNode
{
  DecaNodeBase parent_instance;

  /* One SoupSession per main context: a session belongs to the context it was created on,
   * and keeping it (instead of one per request) lets requests reuse connections. The keys
   * hold a reference on their context, so a pointer is never reused for another one. */
  GMutex      lock;
  GHashTable *sessions;   /* GMainContext -> SoupSession */
};

G_DEFINE_FINAL_TYPE (DecaHttpNode, deca_http_node, DECA_TYPE_NODE_BASE)

static const DecaNodeInfo http_info = {
  .name = "http",
  .title = N_("HTTP request"),
  .description = N_("Sends an HTTP request and outputs the response's status, headers and body "
                    "(parsed when it is JSON)."),
  .category = "integration",
  .kind = DECA_NODE_KIND_ACTION,
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"HTTP request\","
    "  \"properties\": {"
    "    \"method\": {"
    "      \"type\": \"string\","
    "      \"enum\": [\"GET\", \"HEAD\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\", \"OPTIONS\"],"
    "      \"default\": \"GET\","
    "      \"title\": \"Method\","
    "      \"description\": \"The HTTP method.\""
    "    },"
    "    \"url\": {"
    "      \"type\": \"string\","
    "      \"minLength\": 1,"
    "      \"title\": \"URL\","
    "      \"description\": \"An http:// or https:// URL; a template such as "
    "https://api.example.com/orders/{{input.id}}.\""
    "    },"
    "    \"headers\": {"
    "      \"type\": \"object\","
    "      \"additionalProperties\": { \"type\": \"string\" },"
    "      \"default\": {},"
    "      \"title\": \"Headers\","
    "      \"description\": \"Request headers, name to value (templates).\""
    "    },"
    "    \"query\": {"
    "      \"type\": \"object\","
    "      \"default\": {},"
    "      \"title\": \"Query parameters\","
    "      \"description\": \"Added to the URL's query, escaped; a parameter already in the "
    "URL is replaced. An array value repeats the parameter; null leaves it out.\""
    "    },"
    "    \"body\": {"
    "      \"title\": \"Body\","
    "      \"description\": \"The request body: any JSON value or a template such as "
    "{{transform}}. Nothing is sent when it is absent or null.\""
    "    },"
    "    \"body_type\": {"
    "      \"type\": \"string\","
    "      \"enum\": [\"json\", \"form\", \"raw\"],"
    "      \"title\": \"Body encoding\","
    "      \"description\": \"json sends the body as JSON; form sends an object as "
    "application/x-www-form-urlencoded; raw sends a string as it is. Default: raw for a "
    "string body, json otherwise.\""
    "    },"
    "    \"content_type\": {"
    "      \"type\": \"string\","
    "      \"minLength\": 1,"
    "      \"title\": \"Content type\","
    "      \"description\": \"The Content-Type of the body; defaults to application/json, "
    "application/x-www-form-urlencoded or text/plain; charset=utf-8 by body_type.\""
    "    },"
    "    \"auth\": {"
    "      \"type\": \"object\","
    "      \"title\": \"Authentication\","
    "      \"description\": \"Credentials from the credential store, added to the request "
    "at run time and never written to the output.\","
    "      \"properties\": {"
    "        \"type\": {"
    "          \"type\": \"string\","
    "          \"enum\": [\"bearer\", \"basic\", \"header\", \"query\"],"
    "          \"title\": \"Type\","
    "          \"description\": \"bearer: Authorization: Bearer <field>; basic: "
    "Authorization: Basic with username_field and password_field; header: the header "
    "'name' set to <field>; query: the query parameter 'name' set to <field>.\""
    "        },"
    "        \"credential\": {"
    "          \"type\": \"string\","
    "          \"minLength\": 1,"
    "          \"title\": \"Credential\","
    "          \"description\": \"The name of the credential to use.\""
    "        },"
    "        \"field\": {"
    "          \"type\": \"string\","
    "          \"minLength\": 1,"
    "          \"title\": \"Field\","
    "          \"description\": \"The credential field holding the secret (bearer, header, "
    "query). Default: token for bearer, api_key otherwise.\""
    "        },"
    "        \"username_field\": {"
    "          \"type\": \"string\","
    "          \"minLength\": 1,"
    "          \"default\": \"username\","
    "          \"title\": \"Username field\","
    "          \"description\": \"The credential field holding the user name (basic).\""
    "        },"
    "        \"password_field\": {"
    "          \"type\": \"string\","
    "          \"minLength\": 1,"
    "          \"default\": \"password\","
    "          \"title\": \"Password field\","
    "          \"description\": \"The credential field holding the password (basic).\""
    "        },"
    "        \"name\": {"
    "          \"type\": \"string\","
    "          \"minLength\": 1,"
    "          \"title\": \"Header or parameter name\","
    "          \"description\": \"The header (header) or query parameter (query) that carries "
    "the secret. Default: X-API-Key for header, api_key for query.\""
    "        }"
    "      },"
    "      \"required\": [\"type\", \"credential\"],"
    "      \"additionalProperties\": false"
    "    },"
    "    \"timeout\": {"
    "      \"type\": \"number\","
    "      \"minimum\": 0,"
    "      \"default\": 30,"
    "      \"title\": \"Timeout\","
    "      \"description\": \"Seconds the whole request (redirects and body included) may "
    "take; must be more than 0.\""
    "    },"
    "    \"follow_redirects\": {"
    "      \"type\": \"boolean\","
    "      \"default\": true,"
    "      \"title\": \"Follow redirects\","
    "      \"description\": \"Follow 301, 302, 303, 307 and 308 responses. When false a "
    "redirect is the response (and fails the node unless fail_on_status is false).\""
    "    },"
    "    \"max_redirects\": {"
    "      \"type\": \"integer\","
    "      \"minimum\": 0,"
    "      \"default\": 10,"
    "      \"title\": \"Maximum redirects\","
    "      \"description\": \"How many redirects to follow before failing.\""
    "    },"
    "    \"response_type\": {"
    "      \"type\": \"string\","
    "      \"enum\": [\"auto\", \"json\", \"text\"],"
    "      \"default\": \"auto\","
    "      \"title\": \"Response type\","
    "      \"description\": \"auto parses the body as JSON when the Content-Type says JSON "
    "and keeps it as text otherwise; json always parses (and fails on invalid JSON); text "
    "never parses.\""
    "    },"
    "    \"fail_on_status\": {"
    "      \"type\": \"boolean\","
    "      \"default\": true,"
    "      \"title\": \"Fail on error status\","
    "      \"description\": \"Fail the node when the final status is not 2xx. When false "
    "any status is a normal output.\""
    "    }"
    "  },"
    "  \"required\": [\"url\"],"
    "  \"additionalProperties\": false"
    "}",
};

typedef enum {
  RESPONSE_AUTO,
  RESPONSE_JSON,
  RESPONSE_TEXT,
} ResponseType;

/*
 * One request in flight, across its redirects. Exactly one asynchronous operation (send
 * or read) is pending at a time, and only its callback finishes the request, so @self
 * is freed in exactly one place: the timeout and the invocation's cancellation only
 * cancel @cancellable and let that operation end.
 */
typedef struct {
  DecaNodeInvocation *invocation;
  SoupSession        *session;
  DecaClock          *clock;
  GCancellable       *cancellable;      /* ours: timeout and cancellation both end here */
  GSource            *cancel_source;    /* watches the invocation's cancellable */
  guint               timeout_id;
  gboolean            timed_out;
  double              timeout_seconds;

  char               *method;
  GUri               *uri;
  SoupMessageHeaders *headers;          /* the request headers of every attempt */
  GBytes             *request_body;     /* nullable */
  char               *content_type;
  char               *auth_header;      /* nullable: the header auth added */
  char               *auth_param;       /* nullable: the query parameter auth added */

  gboolean            follow_redirects;
  gint64              max_redirects;
  gint64              redirects;
  gboolean            fail_on_status;
  ResponseType        response_type;

  SoupMessage        *message;
  GInputStream       *stream;
  GByteArray         *body;
} HttpRequest;

static void
http_request_free (HttpRequest *self)
{
  if (self->timeout_id != 0)
    deca_clock_remove_timeout (self->clock, self->timeout_id);
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_source_unref (self->cancel_source);
    }
  g_clear_object (&self->invocation);
  g_clear_object (&self->session);
  g_clear_object (&self->clock);
  g_clear_object (&self->cancellable);
  g_free (self->method);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_pointer (&self->headers, soup_message_headers_unref);
  g_clear_pointer (&self->request_body, g_bytes_unref);
  g_free (self->content_type);
  g_free (self->auth_header);
  g_free (self->auth_param);
  g_clear_object (&self->message);
  g_clear_object (&self->stream);
  g_clear_pointer (&self->body, g_byte_array_unref);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HttpRequest, http_request_free)

/* ---- URLs and encoding ------------------------------------------------------------- */

/* application/x-www-form-urlencoded and query strings: everything but the unreserved
 * characters is percent-encoded, so the result means the same to every server. */
static void
append_pair (GString    *out,
             const char *name,
             const char *value)
{
  g_autofree char *n = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *v = g_uri_escape_string (value, NULL, FALSE);

  if (out->len > 0)
    g_string_append_c (out, '&');
  g_string_append_printf (out, "%s=%s", n, v);
}

/* Appends @name=@value, where @value is a JSON value: arrays repeat the parameter, null
 * is left out, objects are sent as compact JSON. */
static void
append_json_pair (GString    *out,
                  const char *name,
                  JsonNode   *value)
{
  if (JSON_NODE_HOLDS_NULL (value))
    return;
  if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);

      for (guint i = 0; i < json_array_get_length (array); i++)
        append_json_pair (out, name, json_array_get_element (array, i));
      return;
    }
  {
    g_autofree char *text = deca_json_to_display_string (value);

    append_pair (out, name, text);
  }
}

static char *
query_param_name (const char *pair)
{
  const char *eq = strchr (pair, '=');
  g_autofree char *raw = eq ? g_strndup (pair, eq - pair) : g_strdup (pair);
  char *name = g_uri_unescape_string (raw, NULL);

  return name != NULL ? name : g_steal_pointer (&raw);
}

/* Returns (transfer full) the encoded query of @uri without the parameters for which
 * @drop returns TRUE. */
static GString *
filter_query (GUri       *uri,
              gboolean  (*drop) (const char *name, gpointer data),
              gpointer    data)
{
  const char *query = g_uri_get_query (uri);
  GString *out = g_string_new (NULL);
  g_auto(GStrv) pairs = NULL;

  if (query == NULL || *query == '\0')
    return out;
  pairs = g_strsplit (query, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      g_autofree char *name = query_param_name (pairs[i]);

      if (*pairs[i] == '\0' || (drop != NULL && drop (name, data)))
        continue;
      if (out->len > 0)
        g_string_append_c (out, '&');
      g_string_append (out, pairs[i]);
    }
  return out;
}

static GUri *
uri_with_query (GUri       *uri,
                const char *query)
{
  return g_uri_build (g_uri_get_flags (uri), g_uri_get_scheme (uri), g_uri_get_userinfo (uri),
                      g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                      query != NULL && *query != '\0' ? query : NULL, g_uri_get_fragment (uri));
}

static gboolean
drop_if_equal (const char *name,
               gpointer    data)
{
  return g_strcmp0 (name, data) == 0;
}

static gboolean
drop_if_in_object (const char *name,
                   gpointer    data)
{
  return json_object_has_member (data, name);
}

/* The URL as it may appear in outputs and error messages: without the password of the
 * userinfo and without the query parameter that carries an auth secret. */
static char *
display_url (HttpRequest *self,
             GUri        *uri)
{
  g_autoptr(GString) query = NULL;
  g_autoptr(GUri) shown = NULL;

  if (self->auth_param == NULL)
    return g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);
  query = filter_query (uri, drop_if_equal, self->auth_param);
  shown = uri_with_query (uri, query->str);
  return g_uri_to_string_partial (shown, G_URI_HIDE_PASSWORD);
}

/* Parses @text as an absolute http or https URL with a host. */
static GUri *
parse_http_url (const char  *text,
                GUri        *base,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  uri = base != NULL ? g_uri_parse_relative (base, text, SOUP_HTTP_URI_FLAGS, &local_error)
                     : g_uri_parse (text, SOUP_HTTP_URI_FLAGS, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_HTTP,
                   _("'%s' is not a valid URL: %s"), text, local_error->message);
      return NULL;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_HTTP,
                   _("'%s' is not an http or https URL"), text);
      return NULL;
    }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_HTTP,
                   _("'%s' has no host"), text);
      return NULL;
    }
  return g_steal_pointer (&uri);
}

static int
uri_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0
         && g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0
         && uri_port (a) == uri_port (b);
}

/* ---- Building the request ---------------------------------------------------------- */

/* RFC 9110 token characters: what a header name may consist of. */
static gboolean
is_header_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* Line breaks in a value would let a template inject headers of its own. */
static gboolean
is_header_value (const char *value)
{
  return strpbrk (value, "\r\n") == NULL;
}

static gboolean
add_header (HttpRequest  *self,
            const char   *name,
            const char   *value,
            const char   *where,
            GError      **error)
{
  if (!is_header_name (name))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'%s': '%s' is not a valid header name"), where, name);
      return FALSE;
    }
  if (!is_header_value (value))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'%s': the value of header '%s' contains a line break"), where, name);
      return FALSE;
    }
  soup_message_headers_replace (self->headers, name, value);
  return TRUE;
}

static gboolean
set_headers (HttpRequest  *self,
             JsonObject   *headers,
             GError      **error)
{
  g_auto(DecaJsonIter) iter = { 0 };
  const char *name;
  JsonNode *value;

  if (headers == NULL)
    return TRUE;
  _deca_json_iter_init (&iter, headers);
  while (_deca_json_iter_next (&iter, &name, &value))
    {
      g_autofree char *where = g_strdup_printf ("headers.%s", name);
      g_autofree char *text = NULL;

      if (JSON_NODE_HOLDS_NULL (value))
        continue;
      if (!JSON_NODE_HOLDS_VALUE (value))
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                       _("'%s' must be a string, got %s"), where, deca_json_type_name (value));
          return FALSE;
        }
      text = deca_json_to_display_string (value);
      if (!add_header (self, name, text, where, error))
        return FALSE;
    }
  return TRUE;
}

/* Encodes "body" by "body_type" into self->request_body and self->content_type. */
static gboolean
set_body (HttpRequest  *self,
          JsonObject   *config,
          GError      **error)
{
  JsonNode *body = json_object_get_member (config, "body");
  const char *body_type;
  const char *content_type;
  const char *default_type;

  if (!_deca_node_config_get_string (config, "body_type", NULL, &body_type, error)
      || !_deca_node_config_get_string (config, "content_type", NULL, &content_type, error))
    return FALSE;
  if (body == NULL || JSON_NODE_HOLDS_NULL (body))
    return TRUE;

  if (body_type == NULL)
    body_type = JSON_NODE_HOLDS_VALUE (body) && json_node_get_value_type (body) == G_TYPE_STRING
                ? "raw" : "json";

  if (g_str_equal (body_type, "json"))
    {
      g_autofree char *text = deca_json_to_string (body, FALSE);
      gsize length = strlen (text);

      self->request_body = g_bytes_new_take (g_steal_pointer (&text), length);
      default_type = "application/json";
    }
  else if (g_str_equal (body_type, "form"))
    {
      g_autoptr(GString) form = g_string_new (NULL);
      g_auto(DecaJsonIter) iter = { 0 };
      const char *name;
      JsonNode *value;

      if (!JSON_NODE_HOLDS_OBJECT (body))
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                       _("'body' must be an object when 'body_type' is form, got %s"),
                       deca_json_type_name (body));
          return FALSE;
        }
      _deca_json_iter_init (&iter, json_node_get_object (body));
      while (_deca_json_iter_next (&iter, &name, &value))
        append_json_pair (form, name, value);
      self->request_body = g_string_free_to_bytes (g_steal_pointer (&form));
      default_type = "application/x-www-form-urlencoded";
    }
  else if (g_str_equal (body_type, "raw"))
    {
      g_autofree char *text = deca_json_to_display_string (body);
      gsize length = strlen (text);

      self->request_body = g_bytes_new_take (g_steal_pointer (&text), length);
      default_type = "text/plain; charset=utf-8";
    }
  else
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'body_type' must be json, form or raw, not '%s'"), body_type);
      return FALSE;
    }

  /* An explicit content_type wins over a Content-Type header, which wins over the
   * default of the encoding. */
  if (content_type == NULL)
    content_type = soup_message_headers_get_one (self->headers, "Content-Type");
  if (content_type != NULL && !is_header_value (content_type))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'content_type' contains a line break"));
      return FALSE;
    }
  self->content_type = g_strdup (content_type != NULL ? content_type : default_type);
  return TRUE;
}

/* Reads a credential field as text. Fails naming the credential and the field (never the
 * value). */
static char *
credential_field (JsonObject  *fields,
                  const char  *credential,
                  const char  *field,
                  GError     **error)
{
  JsonNode *node = json_object_get_member (fields, field);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                   _("credential '%s' has no field '%s'"), credential, field);
      return NULL;
    }
  return deca_json_to_display_string (node);
}

/* Resolves "auth" through the invocation's credentials and adds the header or query
 * parameter to the request. */
static gboolean
set_auth (HttpRequest  *self,
          JsonObject   *config,
          GError      **error)
{
  g_autoptr(JsonObject) fields = NULL;
  g_autofree char *secret = NULL;
  JsonObject *auth;
  const char *type, *credential, *field, *name, *default_field;

  if (!_deca_node_config_get_object (config, "auth", &auth, error))
    return FALSE;
  if (auth == NULL)
    return TRUE;
  if (!_deca_node_config_get_string (auth, "type", NULL, &type, error)
      || !_deca_node_config_get_string (auth, "credential", NULL, &credential, error))
    {
      g_prefix_error (error, "auth: ");
      return FALSE;
    }
  if (type == NULL || credential == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'auth' needs 'type' and 'credential'"));
      return FALSE;
    }

  fields = deca_node_invocation_lookup_credential (self->invocation, credential, error);
  if (fields == NULL)
    return FALSE;

  if (g_str_equal (type, "basic"))
    {
      g_autofree char *user = NULL;
      g_autofree char *password = NULL;
      g_autofree char *pair = NULL;
      g_autofree char *encoded = NULL;
      g_autofree char *value = NULL;
      const char *user_field, *password_field;

      if (!_deca_node_config_get_string (auth, "username_field", "username", &user_field, error)
          || !_deca_node_config_get_string (auth, "password_field", "password", &password_field,
                                            error))
        {
          g_prefix_error (error, "auth: ");
          return FALSE;
        }
      user = credential_field (fields, credential, user_field, error);
      if (user == NULL)
        return FALSE;
      password = credential_field (fields, credential, password_field, error);
      if (password == NULL)
        return FALSE;
      pair = g_strconcat (user, ":", password, NULL);
      encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      value = g_strconcat ("Basic ", encoded, NULL);
      self->auth_header = g_strdup ("Authorization");
      return add_header (self, "Authorization", value, "auth", error);
    }

  default_field = g_str_equal (type, "bearer") ? "token" : "api_key";
  if (!_deca_node_config_get_string (auth, "field", default_field, &field, error))
    {
      g_prefix_error (error, "auth: ");
      return FALSE;
    }
  secret = credential_field (fields, credential, field, error);
  if (secret == NULL)
    return FALSE;

  if (g_str_equal (type, "bearer"))
    {
      g_autofree char *value = g_strconcat ("Bearer ", secret, NULL);

      self->auth_header = g_strdup ("Authorization");
      return add_header (self, "Authorization", value, "auth", error);
    }
  if (g_str_equal (type, "header"))
    {
      if (!_deca_node_config_get_string (auth, "name", "X-API-Key", &name, error))
        return FALSE;
      self->auth_header = g_strdup (name);
      return add_header (self, name, secret, "auth", error);
    }
  if (g_str_equal (type, "query"))
    {
      g_autoptr(GString) query = NULL;
      g_autoptr(GUri) uri = NULL;

      if (!_deca_node_config_get_string (auth, "name", "api_key", &name, error))
        return FALSE;
      query = filter_query (self->uri, drop_if_equal, (gpointer) name);
      append_pair (query, name, secret);
      uri = uri_with_query (self->uri, query->str);
      g_uri_unref (self->uri);
      self->uri = g_steal_pointer (&uri);
      self->auth_param = g_strdup (name);
      return TRUE;
    }

  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
               _("'auth.type' must be bearer, basic, header or query, not '%s'"), type);
  return FALSE;
}

/* Merges "query" into the URL: parameters of the same name are replaced. */
static gboolean
set_query (HttpRequest  *self,
           JsonObject   *config,
           GError      **error)
{
  g_autoptr(GString) query = NULL;
  g_autoptr(GUri) uri = NULL;
  JsonObject *params;
  g_auto(DecaJsonIter) iter = { 0 };
  const char *name;
  JsonNode *value;

  if (!_deca_node_config_get_object (config, "query", &params, error))
    return FALSE;
  if (params == NULL || json_object_get_size (params) == 0)
    return TRUE;

  query = filter_query (self->uri, drop_if_in_object, params);
  _deca_json_iter_init (&iter, params);
  while (_deca_json_iter_next (&iter, &name, &value))
    append_json_pair (query, name, value);
  uri = uri_with_query (self->uri, query->str);
  g_uri_unref (self->uri);
  self->uri = g_steal_pointer (&uri);
  return TRUE;
}

/* ---- Running it -------------------------------------------------------------------- */

static void send_attempt (HttpRequest *self);

/* Ends the request with @error (transfer full) and frees it. */
static void
finish_error (HttpRequest *self,
              GError      *error)
{
  g_autoptr(DecaNodeInvocation) invocation = g_object_ref (self->invocation);

  /* Freed first: the timeout and the cancellation watch go before anyone hears back. */
  http_request_free (self);
  deca_node_invocation_return_error (invocation, error);
}

/* Maps a failure of libsoup or GIO to the engine's codes. */
static void
finish_io_error (HttpRequest  *self,
                 const GError *error)
{
  g_autofree char *url = display_url (self, self->uri);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (self->timed_out)
        finish_error (self, g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_TIMEOUT,
                                         _("%s %s timed out after %g s"), self->method, url,
                                         self->timeout_seconds));
      else
        finish_error (self, g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CANCELLED,
                                         _("%s %s was cancelled"), self->method, url));
      return;
    }
  finish_error (self, g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_HTTP,
                                   _("%s %s failed: %s"), self->method, url, error->message));
}

static void
add_response_header (const char *name,
                     const char *value,
                     gpointer    user_data)
{
  JsonObject *headers = user_data;
  g_autofree char *key = g_ascii_strdown (name, -1);
  const char *previous = json_object_get_string_member_with_default (headers, key, NULL);

  /* Repeated headers combine as RFC 9110 allows: "a, b". */
  if (previous != NULL)
    {
      g_autofree char *joined = g_strconcat (previous, ", ", value, NULL);

      json_object_set_string_member (headers, key, joined);
    }
  else
    json_object_set_string_member (headers, key, value);
}

/* The first @length bytes of the body as valid UTF-8 (never NULL, even when empty). */
static char *
body_text (HttpRequest *self,
           gsize        length)
{
  if (length == 0)
    return g_strdup ("");
  return g_utf8_make_valid ((const char *) self->body->data, length);
}

static gboolean
is_json_content_type (const char *content_type)
{
  if (content_type == NULL)
    return FALSE;
  return g_ascii_strcasecmp (content_type, "application/json") == 0
         || g_str_has_suffix (content_type, "+json");
}

/* Turns the body into a JsonNode by self->response_type. */
static JsonNode *
parse_body (HttpRequest  *self,
            GError      **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (self->message);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  gboolean want_json = self->response_type == RESPONSE_JSON
                       || (self->response_type == RESPONSE_AUTO
                           && is_json_content_type (content_type));
  g_autofree char *text = NULL;

  if (want_json)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autoptr(GError) local_error = NULL;

      if (self->body->len == 0)
        return json_node_new (JSON_NODE_NULL);
      if (json_parser_load_from_data (parser, (const char *) self->body->data, self->body->len,
                                      &local_error))
        return json_node_ref (json_parser_get_root (parser));
      /* "auto" guessed from a header the server may get wrong; "json" was a promise. */
      if (self->response_type == RESPONSE_JSON)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_HTTP,
                       _("the response is not valid JSON: %s"), local_error->message);
          return NULL;
        }
    }

  text = body_text (self, self->body->len);
  return _deca_json_string_node (text);
}

static void
finish_response (HttpRequest *self)
{
  g_autoptr(JsonObject) output = json_object_new ();
  g_autoptr(JsonObject) headers = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = display_url (self, self->uri);
  guint status = soup_message_get_status (self->message);
  JsonNode *body;

  if (self->fail_on_status && (status < 200 || status > 299))
    {
      gsize preview = MIN (self->body->len, ERROR_BODY_PREVIEW);
      g_autofree char *excerpt = body_text (self, preview);
      const char *reason = soup_message_get_reason_phrase (self->message);

      g_autofree char *status_text = g_strdup_printf ("%u%s%s", status,
                                                      reason && *reason ? " " : "",
                                                      reason ? reason : "");

      if (preview > 0)
        /* Translators: "GET https://example.com/ returned 404 Not Found: <start of the
         * response body>"; the last %s is "…" when the body was cut */
        error = g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_HTTP,
                             _("%s %s returned %s: %s%s"), self->method, url, status_text,
                             excerpt, self->body->len > preview ? "…" : "");
      else
        /* Translators: "GET https://example.com/ returned 404 Not Found" */
        error = g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_HTTP,
                             _("%s %s returned %s"), self->method, url, status_text);
      finish_error (self, g_steal_pointer (&error));
      return;
    }

  body = parse_body (self, &error);
  if (body == NULL)
    {
      finish_error (self, g_steal_pointer (&error));
      return;
    }

  soup_message_headers_foreach (soup_message_get_response_headers (self->message),
                                add_response_header, headers);
  json_object_set_int_member (output, "status", status);
  json_object_set_object_member (output, "headers", json_object_ref (headers));
  json_object_set_member (output, "body", body);
  json_object_set_string_member (output, "url", url);

  {
    g_autoptr(DecaNodeInvocation) invocation = g_object_ref (self->invocation);

    http_request_free (self);
    _deca_node_return_object (invocation, output, NULL);
  }
}

static gboolean
is_redirect (guint status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Follows a redirect response: counts it, resolves Location against the current URL and
 * sends again. Returns FALSE when the response is not a redirect to follow. */
static gboolean
follow_redirect (HttpRequest *self)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (self->message);
  guint status = soup_message_get_status (self->message);
  const char *location = soup_message_headers_get_one (headers, "Location");
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) target = NULL;

  if (!self->follow_redirects || !is_redirect (status) || location == NULL)
    return FALSE;

  if (++self->redirects > self->max_redirects)
    {
      g_autofree char *url = display_url (self, self->uri);

      finish_error (self, g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_HTTP,
                                       _("%s %s: too many redirects (more than %lld)"),
                                       self->method, url, (long long) self->max_redirects));
      return TRUE;
    }

  target = parse_http_url (location, self->uri, &error);
  if (target == NULL)
    {
      g_prefix_error (&error, _("redirect from %s: "), g_uri_get_host (self->uri));
      finish_error (self, g_steal_pointer (&error));
      return TRUE;
    }

  /* What browsers and libsoup do: 303 turns into GET, and so does a POST answered with
   * 301 or 302; 307 and 308 repeat the request as it was. */
  if ((status == 303 && !g_str_equal (self->method, "HEAD"))
      || ((status == 301 || status == 302) && g_str_equal (self->method, "POST")))
    {
      g_free (self->method);
      self->method = g_strdup ("GET");
      g_clear_pointer (&self->request_body, g_bytes_unref);
    }

  /* Credentials are for the origin they were configured for, never for wherever a
   * server sends us. */
  if (!same_origin (self->uri, target))
    {
      soup_message_headers_remove (self->headers, "Authorization");
      if (self->auth_header != NULL)
        soup_message_headers_remove (self->headers, self->auth_header);
    }

  g_uri_unref (self->uri);
  self->uri = g_steal_pointer (&target);
  send_attempt (self);
  return TRUE;
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  HttpRequest *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      finish_io_error (self, error);
      return;
    }

  if (g_bytes_get_size (chunk) > 0)
    {
      if (self->body->len + g_bytes_get_size (chunk) > MAX_BODY_BYTES)
        {
          g_autofree char *url = display_url (self, self->uri);

          finish_error (self, g_error_new (DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_HTTP,
                                           _("%s %s: the response body is larger than %d MiB"),
                                           self->method, url, MAX_BODY_BYTES / (1024 * 1024)));
          return;
        }
      g_byte_array_append (self->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
      g_input_stream_read_bytes_async (self->stream, READ_CHUNK_BYTES, G_PRIORITY_DEFAULT,
                                       self->cancellable, read_cb, self);
      return;
    }

  /* End of the body. */
  g_clear_object (&self->stream);
  if (!follow_redirect (self))
    finish_response (self);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  HttpRequest *self = user_data;
  g_autoptr(GError) error = NULL;

  self->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (self->stream == NULL)
    {
      finish_io_error (self, error);
      return;
    }
  /* Reading ourselves (rather than soup_session_send_and_read_async()) is what lets a
   * huge body fail at the limit instead of after it was all in memory. */
  g_input_stream_read_bytes_async (self->stream, READ_CHUNK_BYTES, G_PRIORITY_DEFAULT,
                                   self->cancellable, read_cb, self);
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

/* Sends self->method to self->uri with the stored headers and body. */
static void
send_attempt (HttpRequest *self)
{
  g_clear_object (&self->message);
  g_byte_array_set_size (self->body, 0);

  self->message = soup_message_new_from_uri (self->method, self->uri);
  /* Redirects are followed by follow_redirect(), which counts them, keeps credentials
   * on their origin and reports the final URL. */
  soup_message_add_flags (self->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_foreach (self->headers, copy_header,
                                soup_message_get_request_headers (self->message));
  if (self->request_body != NULL)
    soup_message_set_request_body_from_bytes (self->message, self->content_type,
                                              self->request_body);
  soup_session_send_async (self->session, self->message, G_PRIORITY_DEFAULT, self->cancellable,
                           send_cb, self);
}

static gboolean
timeout_cb (gpointer data)
{
  HttpRequest *self = data;

  self->timeout_id = 0;
  self->timed_out = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

/* The invocation was cancelled: stop the pending operation, whose callback reports it. */
static gboolean
invocation_cancelled_cb (GCancellable *cancellable,
                         gpointer      data)
{
  HttpRequest *self = data;

  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

static SoupSession *
get_session (DecaHttpNode *self)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  SoupSession *session;

  g_mutex_lock (&self->lock);
  session = g_hash_table_lookup (self->sessions, context);
  if (session == NULL)
    {
      session = soup_session_new_with_options ("user-agent", "DecaStudio",
                                               NULL);
      g_hash_table_insert (self->sessions, g_main_context_ref (context), session);
    }
  g_object_ref (session);
  g_mutex_unlock (&self->lock);
  return session;
}

static const char * const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                        "OPTIONS", NULL };

/* Reads the config into a new HttpRequest. Returns NULL with an error naming the field. */
static HttpRequest *
prepare (DecaHttpNode        *node,
         DecaNodeInvocation  *invocation,
         GError             **error)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  g_autoptr(HttpRequest) self = g_new0 (HttpRequest, 1);
  JsonObject *headers;
  const char *method, *url, *response_type;

  self->invocation = g_object_ref (invocation);
  self->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  self->body = g_byte_array_new ();

  if (!_deca_node_config_get_string (config, "method", "GET", &method, error)
      || !_deca_node_config_get_string (config, "url", NULL, &url, error)
      || !_deca_node_config_get_object (config, "headers", &headers, error)
      || !_deca_node_config_get_number (config, "timeout", 30, &self->timeout_seconds, error)
      || !_deca_node_config_get_bool (config, "follow_redirects", TRUE, &self->follow_redirects,
                                      error)
      || !_deca_node_config_get_int (config, "max_redirects", 10, &self->max_redirects, error)
      || !_deca_node_config_get_string (config, "response_type", "auto", &response_type, error)
      || !_deca_node_config_get_bool (config, "fail_on_status", TRUE, &self->fail_on_status,
                                      error))
    return NULL;

  if (!g_strv_contains (methods, method))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'method' must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, not '%s'"),
                   method);
      return NULL;
    }
  self->method = g_strdup (method);

  if (url == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED, _("'url' is required"));
      return NULL;
    }
  self->uri = parse_http_url (url, NULL, error);
  if (self->uri == NULL)
    {
      g_prefix_error (error, "'url': ");
      return NULL;
    }

  /* The upper bound keeps the µs arithmetic far from overflowing. */
  if (!(self->timeout_seconds > 0) || self->timeout_seconds > 24 * 3600)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'timeout' must be more than 0 and at most 86400 seconds, got %g"),
                   self->timeout_seconds);
      return NULL;
    }
  if (self->max_redirects < 0)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'max_redirects' must be 0 or more"));
      return NULL;
    }

  if (g_str_equal (response_type, "auto"))
    self->response_type = RESPONSE_AUTO;
  else if (g_str_equal (response_type, "json"))
    self->response_type = RESPONSE_JSON;
  else if (g_str_equal (response_type, "text"))
    self->response_type = RESPONSE_TEXT;
  else
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'response_type' must be auto, json or text, not '%s'"), response_type);
      return NULL;
    }

  if (!set_headers (self, headers, error)
      || !set_query (self, config, error)
      || !set_body (self, config, error)
      || !set_auth (self, config, error))
    return NULL;

  /* The same key on every attempt and after a resume lets the server drop duplicates of
   * a request whose response we lost. GET and HEAD are idempotent already. */
  if (!g_str_equal (self->method, "GET") && !g_str_equal (self->method, "HEAD")
      && soup_message_headers_get_one (self->headers, "Idempotency-Key") == NULL)
    soup_message_headers_replace (self->headers, "Idempotency-Key",
                                  deca_node_invocation_get_idempotency_key (invocation));

  self->session = get_session (node);
  self->clock = g_object_ref (deca_node_invocation_get_clock (invocation));
  self->cancellable = g_cancellable_new ();
  return g_steal_pointer (&self);
}

/* Prepares the request and sends it; the node returns from the last callback. Config
 * problems fail at once with an error naming the field. */
static void
deca_http_node_invoke (DecaNodeBase       *base,
                       DecaNodeInvocation *invocation)
{
  GCancellable *outer = deca_node_invocation_get_cancellable (invocation);
  g_autoptr(GError) error = NULL;
  HttpRequest *self;

  self = prepare (DECA_HTTP_NODE (base), invocation, &error);
  if (self == NULL)
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }

  /* Both only cancel self->cancellable; the pending operation then ends and reports. A
   * cancellable source (not g_cancellable_connect()) runs on this main context even when
   * another thread cancels. */
  self->timeout_id = deca_clock_add_timeout (self->clock,
                                             (gint64) (self->timeout_seconds * G_USEC_PER_SEC),
                                             timeout_cb, self, NULL);
  self->cancel_source = g_cancellable_source_new (outer);
  g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (invocation_cancelled_cb), self,
                         NULL);
  g_source_attach (self->cancel_source, g_main_context_get_thread_default ());

  send_attempt (self);
}

static char *
deca_http_node_get_circuit_key (DecaNodeBase *base,
                                JsonObject   *config)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;
  const char *url = json_object_get_string_member_with_default (config, "url", NULL);

  /* An unrendered template has no target yet. */
  if (url == NULL || strstr (url, "{{") != NULL)
    return NULL;
  uri = parse_http_url (url, NULL, NULL);
  if (uri == NULL)
    return NULL;
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  return g_strdup_printf ("http:%s:%d", host, uri_port (uri));
}

/* Reports a constant URL that is not http(s) and a form body that is not an object. */
static void
deca_http_node_check_config (DecaNodeBase *base,
                             JsonObject   *config,
                             GPtrArray    *problems)
{
  JsonNode *url = json_object_get_member (config, "url");
  JsonNode *body = json_object_get_member (config, "body");
  const char *body_type = json_object_get_string_member_with_default (config, "body_type", NULL);

  if (url != NULL && JSON_NODE_HOLDS_VALUE (url) && json_node_get_value_type (url) == G_TYPE_STRING
      && strstr (json_node_get_string (url), "{{") == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GUri) uri = parse_http_url (json_node_get_string (url), NULL, &error);

      if (uri == NULL)
        _deca_node_add_problem (problems, "/url", "%s", error->message);
    }

  if (g_strcmp0 (body_type, "form") == 0 && body != NULL && !JSON_NODE_HOLDS_OBJECT (body)
      && !(JSON_NODE_HOLDS_VALUE (body) && json_node_get_value_type (body) == G_TYPE_STRING
           && strstr (json_node_get_string (body), "{{") != NULL))
    _deca_node_add_problem (problems, "/body", _("a form body must be an object, not %s"),
                            deca_json_type_name (body));
}

static void
deca_http_node_finalize (GObject *object)
{
  DecaHttpNode *self = DECA_HTTP_NODE (object);

  g_hash_table_unref (self->sessions);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (deca_http_node_parent_class)->finalize (object);
}

static void
deca_http_node_class_init (DecaHttpNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DecaNodeBaseClass *base_class = DECA_NODE_BASE_CLASS (klass);

  object_class->finalize = deca_http_node_finalize;
  base_class->invoke = deca_http_node_invoke;
  base_class->check_config = deca_http_node_check_config;
  base_class->get_circuit_key = deca_http_node_get_circuit_key;
}

static void
deca_http_node_init (DecaHttpNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &http_info);
  g_mutex_init (&self->lock);
  self->sessions = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) g_main_context_unref,
                                          g_object_unref);
}

DecaNodeType *
deca_http_node_new (void)
{
  return g_object_new (DECA_TYPE_HTTP_NODE, NULL);
}
