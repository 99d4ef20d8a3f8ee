/* deca-api-common.c: what the route files of the REST API share (deca-api-common.h). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <deca-engine-error.h>
#include <deca-json.h>
#include <deca-validator.h>

#include "deca-api-common.h"
#include "deca-audit.h"
#include "deca-rbac.h"
#include "deca-server-error.h"

/* The not-found sentence of each resource, whole, so that a translation never has an
 * English word inserted into it. */
static const struct {
  const char *what;
  const char *message;
} not_found_messages[] = {
  { "flow", N_("No such flow in this workspace") },
  { "flow version", N_("No such flow version in this workspace") },
  { "execution", N_("No such execution in this workspace") },
  { "event", N_("No such event in this workspace") },
};

const char *
_deca_api_not_found_message (const char *what)
{
  for (guint i = 0; i < G_N_ELEMENTS (not_found_messages); i++)
    if (g_str_equal (what, not_found_messages[i].what))
      return _(not_found_messages[i].message);
  /* A route passed a noun the table lacks: a warning for its tests, and still no English
   * word inside a translated sentence for the caller. */
  g_warn_if_reached ();
  return _("No such resource in this workspace");
}

void
_deca_api_respond_not_found (DecaRequest *request,
                             const char  *what)
{
  deca_request_respond_error_literal (request, DECA_SERVER_ERROR_NOT_FOUND,
                                      _deca_api_not_found_message (what), NULL);
}

/* Answers a store or engine failure: not found (another workspace's resource too) as 404
 * naming @what, the rest as deca_request_respond_error() maps it. */
void
_deca_api_respond_store_error (DecaRequest  *request,
                               const GError *error,
                               const char   *what)
{
  if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
    _deca_api_respond_not_found (request, what);
  else
    deca_request_respond_error (request, error, NULL);
}

char *
_deca_api_format_time (gint64 us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autofree char *seconds = NULL;

  if (time == NULL)
    return NULL;
  seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", seconds, (int) ((us % G_USEC_PER_SEC) / 1000));
}

void
_deca_api_set_time_member (JsonObject *object,
                           const char *name,
                           gint64      us)
{
  g_autofree char *text = us > 0 ? _deca_api_format_time (us) : NULL;

  if (text != NULL)
    json_object_set_string_member (object, name, text);
  else
    json_object_set_null_member (object, name);
}

/* Sets @name to the JSON text @text parsed, or null when NULL or unreadable (the store
 * writes only JSON there). */
void
_deca_api_set_json_member (JsonObject *object,
                           const char *name,
                           const char *text)
{
  JsonNode *node = text != NULL ? deca_json_parse (text, -1, NULL) : NULL;

  if (node != NULL)
    json_object_set_member (object, name, node);
  else
    json_object_set_null_member (object, name);
}

void
_deca_api_set_nullable_string_member (JsonObject *object,
                                      const char *name,
                                      const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

/* The caller of @request, when it may use the route: a principal bound to a workspace
 * with every permission the route requires. Otherwise answers 401 or 403 and returns
 * NULL. The authentication step checks the permissions too; checking here again keeps
 * these routes closed whatever authenticator is installed. */
const DecaPrincipal *
_deca_api_require_principal (DecaRequest *request)
{
  const DecaPrincipal *principal = deca_request_get_principal (request);
  guint64 required = deca_request_get_required_permissions (request);
  DecaPermissions missing;

  if (principal == NULL)
    {
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_UNAUTHENTICATED,
                                          _("This route needs credentials"), NULL);
      return NULL;
    }
  if (principal->workspace_id == NULL)
    {
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_FORBIDDEN,
                                          _("The credentials are not bound to a workspace"), NULL);
      return NULL;
    }
  missing = (DecaPermissions) required & ~deca_rbac_principal_permissions (principal);
  if (missing != 0)
    {
      g_autofree char *names = deca_permissions_to_string (missing);
      /* Translators: %s is one or more permission names ("manage:users"); keep them. */
      g_autofree char *message = g_strdup_printf (_("This needs the permission %s"), names);
      g_autoptr(JsonNode) details = deca_rbac_missing_details (missing, NULL);
      g_autoptr(JsonNode) audit_details = deca_rbac_missing_details (missing, NULL);
      JsonObject *audit = json_node_get_object (audit_details);

      /* The same answer and audit line as the authentication step's refusal. */
      json_object_set_string_member (audit, "method", deca_request_get_method (request));
      json_object_set_string_member (audit, "route", deca_request_get_route (request));
      deca_server_audit (request, "access.denied", deca_request_get_route (request), DECA_AUDIT_DENIED,
                         audit_details);
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_FORBIDDEN, message, details);
      return NULL;
    }
  return principal;
}

/* Writes an audit line for @request (who, what, which, from where: deca-audit.h). A
 * failure to write it is logged there; the change it records is done, so it is not
 * answered. @version (0: none) goes into the details. */
void
_deca_api_audit (DecaRequest *request,
                 const char  *action,
                 const char  *target,
                 gint64       version)
{
  g_autoptr(JsonNode) details = NULL;

  if (version > 0)
    {
      JsonObject *object = json_object_new ();

      json_object_set_int_member (object, "version", version);
      details = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (details, object);
    }
  deca_server_audit (request, action, target, DECA_AUDIT_OK, details);
}

/* Reads ?limit= (1 to MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE when absent); answers 400 and
 * returns FALSE when it is something else. */
gboolean
_deca_api_read_limit (DecaRequest *request,
                      guint       *limit)
{
  const char *text = deca_request_get_query (request, "limit");
  guint64 value;

  *limit = DEFAULT_PAGE_SIZE;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, MAX_PAGE_SIZE, &value, NULL))
    {
      deca_request_respond_bad_input (request, "parameter", "limit", _("limit must be a whole number from 1 to 200"));
      return FALSE;
    }
  *limit = (guint) value;
  return TRUE;
}

/* The body as an object, or NULL for an empty body when @optional. Answers 400 and sets
 * @ok FALSE for a body that is not an object (or missing when required). */
JsonObject *
_deca_api_read_body_object (DecaRequest *request,
                            gboolean     optional,
                            gboolean    *ok)
{
  JsonNode *json = deca_request_get_json (request);

  *ok = TRUE;
  if (json == NULL && optional)
    return NULL;
  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json))
    {
      *ok = FALSE;
      deca_request_respond_bad_field (request, "", json == NULL ? _("The body must be a JSON object, not empty")
                                                                 : _("The body must be a JSON object"));
      return NULL;
    }
  return json_node_get_object (json);
}

/* Reads an optional string member @name of @body; answers 400 with its pointer and
 * returns FALSE when it is there but not a string. */
gboolean
_deca_api_read_string_member (DecaRequest  *request,
                              JsonObject   *body,
                              const char   *name,
                              const char  **value)
{
  JsonNode *member = body != NULL ? json_object_get_member (body, name) : NULL;
  g_autofree char *pointer = NULL;
  g_autofree char *message = NULL;

  *value = NULL;
  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
    {
      *value = json_node_get_string (member);
      return TRUE;
    }
  pointer = g_strconcat ("/", name, NULL);
  message = g_strdup_printf (_("“%s” must be a string"), name);
  deca_request_respond_bad_field (request, pointer, message);
  return FALSE;
}

/* Reads If-Match: a version number, bare or as the ETag ("3", W/"3"). Sets *@expected to
 * 0 when absent. Answers 400 with @message and returns FALSE when it is something else. */
gboolean
_deca_api_read_if_match (DecaRequest *request,
                         const char  *message,
                         gint64      *expected)
{
  const char *header = deca_request_get_header (request, "If-Match");
  g_autofree char *text = NULL;
  gsize length;
  guint64 value;

  *expected = 0;
  if (header == NULL)
    return TRUE;
  text = g_strstrip (g_strdup (header));
  if (g_str_has_prefix (text, "W/"))
    memmove (text, text + 2, strlen (text + 2) + 1);
  length = strlen (text);
  if (length >= 2 && text[0] == '"' && text[length - 1] == '"')
    {
      memmove (text, text + 1, length - 2);
      text[length - 2] = '\0';
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      deca_request_respond_bad_input (request, "header", "If-Match", message);
      return FALSE;
    }
  *expected = (gint64) value;
  return TRUE;
}

/* Problems as {"problems": [{"pointer", "message"}, ...]}. */
JsonNode *
_deca_api_problems_json (GPtrArray *problems)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < problems->len; i++)
    {
      DecaValidationProblem *problem = g_ptr_array_index (problems, i);
      JsonObject *item = json_object_new ();

      json_object_set_string_member (item, "pointer", problem->pointer);
      json_object_set_string_member (item, "message", problem->message);
      json_array_add_object_element (array, item);
    }
  json_object_set_array_member (object, "problems", array);
  json_node_take_object (node, object);
  return node;
}
