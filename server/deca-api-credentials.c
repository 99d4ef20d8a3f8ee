/* deca-api-credentials.c: the credentials routes (see the header). */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <deca-engine-error.h>
#include <deca-store-server.h>

#include "deca-api-common.h"
#include "deca-api-credentials.h"
#include "deca-audit.h"
#include "deca-principal.h"
#include "deca-rbac.h"
#include "deca-store-credentials.h"

#define MAX_NAME_LENGTH 64
#define MAX_TYPE_LENGTH 64
#define MAX_SECRET_FIELDS 64
#define MAX_FIELD_NAME_LENGTH 128

/* What the five routes share; reference-counted (g_rc_box), one reference per route. */
typedef struct {
  DecaServer *server;      /* borrowed: the server owns the routes, and so this */
  DecaSecretBox *box;
} ApiCredentials;

static void
api_credentials_clear (ApiCredentials *self)
{
  g_clear_object (&self->box);
}

static void
api_credentials_release (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) api_credentials_clear);
}

/* --- answers ------------------------------------------------------------------------ */

/* The metadata of @record: what every answer says about a credential (never the secret,
 * nor the ciphertext or which key it is under). */
static JsonNode *
credential_to_json (const DecaCredentialRecord *record)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *created = _deca_api_format_time (record->created_at);
  g_autofree char *updated = _deca_api_format_time (record->updated_at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, record->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, record->name);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, record->type);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_string_value (builder, updated);
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, record->revision);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* A JSON pointer (RFC 6901) to member @name of the object at @parent ("" is the root). */
static char *
pointer_append (const char *parent,
                const char *name)
{
  GString *pointer = g_string_new (parent);

  g_string_append_c (pointer, '/');
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '~')
        g_string_append (pointer, "~0");
      else if (*p == '/')
        g_string_append (pointer, "~1");
      else
        g_string_append_c (pointer, *p);
    }
  return g_string_free (pointer, FALSE);
}

/* FALSE after answering 503 when the server has no key to encrypt a secret with: the
 * operator starts it without one (the reason was only in the log before, as a 500). */
static gboolean
require_secret_key (ApiCredentials *self,
                    DecaRequest    *request)
{
  if (deca_secret_box_get_n_keys (self->box) > 0)
    return TRUE;
  deca_request_respond_error_literal (request, DECA_SERVER_ERROR_UNAVAILABLE,
                                      _("This server has no secret key to encrypt credentials with: "
                                        "restart deca serve with --secret-key-file FILE or with "
                                        "DECA_SECRET_KEY set (a key is 64 hex digits)"), NULL);
  return FALSE;
}

static void
respond_not_found (DecaRequest *request)
{
  deca_request_respond_error_literal (request, DECA_SERVER_ERROR_NOT_FOUND,
                                      _("There is no such credential in this workspace"), NULL);
}

/* Answers a failure of the store: its NOT_FOUND is this workspace's 404, STATE a 409,
 * anything else a 500 (logged with the request's trace id). */
static void
respond_store_error (DecaRequest  *request,
                     const GError *error)
{
  if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
    respond_not_found (request);
  else
    deca_request_respond_error (request, error, NULL);
}

/* The caller's workspace, or NULL after answering 403 (a principal without one). */
static const DecaPrincipal *
request_principal (DecaRequest *request)
{
  const DecaPrincipal *principal = deca_request_get_principal (request);

  if (principal == NULL || principal->workspace_id == NULL || principal->workspace_id[0] == '\0')
    {
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_FORBIDDEN,
                                          _("The caller does not belong to a workspace"), NULL);
      return NULL;
    }
  return principal;
}

/* --- validation --------------------------------------------------------------------- */

/* A credential's name is what a flow writes in {{credentials.NAME.FIELD}}: a letter or
 * "_", then letters, digits, "_" and "-". */
static gboolean
name_is_valid (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > MAX_NAME_LENGTH)
    return FALSE;
  if (!g_ascii_isalpha (name[0]) && name[0] != '_')
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '_' && name[i] != '-')
      return FALSE;
  return TRUE;
}

/* A type names what the secret is ("api_key", "oauth2", "basic"): letters, digits and
 * "_.-". */
static gboolean
type_is_valid (const char *type)
{
  gsize len = strlen (type);

  if (len == 0 || len > MAX_TYPE_LENGTH)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (type[i]) && type[i] != '_' && type[i] != '.' && type[i] != '-')
      return FALSE;
  return TRUE;
}

/* Reads the optional string member @name of @body into @out (borrowed). FALSE after
 * answering 400 when it is there but not a valid string. */
static gboolean
read_string_member (DecaRequest  *request,
                    JsonObject   *body,
                    const char   *name,
                    gboolean      (*is_valid) (const char *),
                    const char   *message,
                    const char  **out)
{
  JsonNode *node = json_object_get_member (body, name);
  g_autofree char *pointer = pointer_append ("", name);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
      || !is_valid (json_node_get_string (node)))
    {
      deca_request_respond_bad_field (request, pointer, message);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

/* Checks the secret object: 1 to 64 fields, each a string (the executor marks string
 * values as secrets to redact from outputs and events, so every value must be one).
 * FALSE after answering 400. */
static gboolean
check_secret (DecaRequest *request,
              JsonNode    *node)
{
  g_autoptr(GList) members = NULL;
  JsonObject *secret;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      deca_request_respond_bad_field (request, "/secret", _("“secret” must be an object of string fields"));
      return FALSE;
    }
  secret = json_node_get_object (node);
  if (json_object_get_size (secret) == 0 || json_object_get_size (secret) > MAX_SECRET_FIELDS)
    {
      deca_request_respond_bad_field (request, "/secret", _("“secret” must have 1 to 64 fields"));
      return FALSE;
    }
  members = json_object_get_members (secret);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *field = l->data;
      JsonNode *value = json_object_get_member (secret, field);

      if (field[0] == '\0' || strlen (field) > MAX_FIELD_NAME_LENGTH
          || !JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          g_autofree char *pointer = pointer_append ("/secret", field);

          deca_request_respond_bad_field (request, pointer,
                                          _("Each field of “secret” must have a name of 1 to 128 characters and a string value"));
          return FALSE;
        }
    }
  return TRUE;
}

/* Refuses members of @body not in @allowed (a typo such as "secrets" would otherwise be
 * dropped without a word). FALSE after answering 400. */
static gboolean
check_members (DecaRequest        *request,
               JsonObject         *body,
               const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (body);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        g_autofree char *pointer = pointer_append ("", l->data);

        deca_request_respond_bad_field (request, pointer, _("This member is not part of a credential"));
        return FALSE;
      }
  return TRUE;
}

/* --- the audit log ------------------------------------------------------------------ */

/* Appends the audit line of a change (inside the change's transaction, so that the
 * change and its line are written together or not at all). The details hold metadata
 * only. */
static gboolean
append_audit (DecaRequest                *request,
              const char                 *action,
              const DecaCredentialRecord *record,
              GError                    **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *details = json_object_new ();

  json_object_set_string_member (details, "name", record->name);
  if (record->type != NULL)
    json_object_set_string_member (details, "type", record->type);
  if (record->revision > 0)
    json_object_set_int_member (details, "revision", record->revision);
  json_node_take_object (node, details);
  if (!deca_server_audit (request, action, record->id, DECA_AUDIT_OK, node))
    {
      /* deca_server_audit() logged why, with the request's trace id. */
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_INTERNAL,
                           "the audit line of the change could not be written");
      return FALSE;
    }
  return TRUE;
}

/* --- handlers ----------------------------------------------------------------------- */

static void
list_cb (DecaRequest *request,
         gpointer     user_data)
{
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const DecaPrincipal *principal = request_principal (request);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = NULL;

  if (principal == NULL)
    return;
  records = deca_store_list_credentials (store, principal->workspace_id, &error);
  if (records == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  items = json_array_sized_new (records->len);
  for (guint i = 0; i < records->len; i++)
    json_array_add_element (items, credential_to_json (g_ptr_array_index (records, i)));
  deca_request_respond_items (request, items, FALSE, NULL);
}

static void
create_cb (DecaRequest *request,
           gpointer     user_data)
{
  ApiCredentials *self = user_data;
  static const char * const allowed[] = { "name", "type", "secret", NULL };
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const DecaPrincipal *principal = request_principal (request);
  g_autoptr(DecaCredentialRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *id = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GBytes) ciphertext = NULL;
  DecaCredentialRecord record = { 0 };
  const char *name, *type;
  JsonObject *body;
  gboolean ok;
  JsonNode *secret;

  if (principal == NULL || (body = _deca_api_read_body_object (request, FALSE, &ok)) == NULL)
    return;
  if (!check_members (request, body, allowed)
      || !read_string_member (request, body, "name", name_is_valid,
                              _("“name” must be 1 to 64 letters, digits, “_” or “-”, starting with a letter or “_”"),
                              &name)
      || !read_string_member (request, body, "type", type_is_valid,
                              _("“type” must be 1 to 64 letters, digits, “_”, “.” or “-”"), &type))
    return;
  if (name == NULL)
    {
      deca_request_respond_bad_field (request, "/name", _("A credential needs a “name”"));
      return;
    }
  if (type == NULL)
    {
      deca_request_respond_bad_field (request, "/type", _("A credential needs a “type”"));
      return;
    }
  secret = json_object_get_member (body, "secret");
  if (secret == NULL)
    {
      deca_request_respond_bad_field (request, "/secret", _("A credential needs a “secret”"));
      return;
    }
  if (!check_secret (request, secret))
    return;

  if (!require_secret_key (self, request))
    return;
  id = g_uuid_string_random ();
  ciphertext = deca_store_credentials_seal (self->box, principal->workspace_id, id,
                                            json_node_get_object (secret), &error);
  if (ciphertext == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  record.id = id;
  record.workspace_id = principal->workspace_id;
  record.name = (char *) name;
  record.type = (char *) type;
  record.ciphertext = ciphertext;
  record.key_id = (char *) deca_secret_box_get_current_key_id (self->box);

  if (!deca_store_begin (store, &error))
    {
      respond_store_error (request, error);
      return;
    }
  if (!deca_store_insert_credential (store, &record, &error))
    {
      deca_store_rollback (store);
      if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE))
        {
          deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT,
                                              _("This workspace has a credential of that name already"), NULL);
          return;
        }
      respond_store_error (request, error);
      return;
    }
  stored = deca_store_get_credential (store, principal->workspace_id, id, &error);
  if (stored == NULL || !append_audit (request, "credential.create", stored, &error)
      || !deca_store_commit (store, &error))
    {
      deca_store_rollback (store);
      respond_store_error (request, error);
      return;
    }

  location = g_strconcat ("/api/v1/credentials/", id, NULL);
  deca_request_set_response_header (request, "Location", location);
  answer = credential_to_json (stored);
  deca_request_respond_json (request, 201, answer);
}

static void
get_cb (DecaRequest *request,
        gpointer     user_data)
{
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const DecaPrincipal *principal = request_principal (request);
  g_autoptr(DecaCredentialRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;

  if (principal == NULL)
    return;
  record = deca_store_get_credential (store, principal->workspace_id,
                                      deca_request_get_param (request, "id"), &error);
  if (record == NULL)
    {
      respond_store_error (request, error);
      return;
    }
  answer = credential_to_json (record);
  deca_request_respond_json (request, 200, answer);
}

static void
update_cb (DecaRequest *request,
           gpointer     user_data)
{
  ApiCredentials *self = user_data;
  static const char * const allowed[] = { "revision", "name", "type", "secret", NULL };
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const DecaPrincipal *principal = request_principal (request);
  const char *id = deca_request_get_param (request, "id");
  g_autoptr(DecaCredentialRecord) current = NULL;
  g_autoptr(DecaCredentialRecord) stored = NULL;
  g_autoptr(GBytes) ciphertext = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  const char *name, *type, *key_id;
  JsonNode *revision, *secret;
  JsonObject *body;
  gboolean ok;
  gint64 expected;

  if (principal == NULL || (body = _deca_api_read_body_object (request, FALSE, &ok)) == NULL)
    return;
  if (!check_members (request, body, allowed)
      || !read_string_member (request, body, "name", name_is_valid,
                              _("“name” must be 1 to 64 letters, digits, “_” or “-”, starting with a letter or “_”"),
                              &name)
      || !read_string_member (request, body, "type", type_is_valid,
                              _("“type” must be 1 to 64 letters, digits, “_”, “.” or “-”"), &type))
    return;
  revision = json_object_get_member (body, "revision");
  if (revision == NULL || !JSON_NODE_HOLDS_VALUE (revision)
      || json_node_get_value_type (revision) != G_TYPE_INT64 || json_node_get_int (revision) < 1)
    {
      deca_request_respond_bad_field (request, "/revision",
                                      _("“revision” must be the revision the change was made on (an integer of at least 1)"));
      return;
    }
  expected = json_node_get_int (revision);
  secret = json_object_get_member (body, "secret");
  if (secret != NULL && !check_secret (request, secret))
    return;

  current = deca_store_get_credential (store, principal->workspace_id, id, &error);
  if (current == NULL)
    {
      respond_store_error (request, error);
      return;
    }
  if (current->revision != expected)
    {
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT,
                                          _("The credential changed since that revision; read it again"), NULL);
      return;
    }
  if (secret != NULL)
    {
      if (!require_secret_key (self, request))
        return;
      ciphertext = deca_store_credentials_seal (self->box, principal->workspace_id, id,
                                                json_node_get_object (secret), &error);
      if (ciphertext == NULL)
        {
          deca_request_respond_error (request, error, NULL);
          return;
        }
      key_id = deca_secret_box_get_current_key_id (self->box);
    }
  else
    {
      /* The secret stays as it is, under the key it is under. */
      ciphertext = g_bytes_ref (current->ciphertext);
      key_id = current->key_id;
    }

  if (!deca_store_begin (store, &error))
    {
      respond_store_error (request, error);
      return;
    }
  if (!deca_store_update_credential (store, principal->workspace_id, id, name, type,
                                     ciphertext, key_id, expected, NULL, &error))
    {
      deca_store_rollback (store);
      if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE))
        deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT,
                                            name != NULL && g_strcmp0 (name, current->name) != 0
                                            ? _("The credential changed since that revision, or another credential has that name")
                                            : _("The credential changed since that revision; read it again"),
                                            NULL);
      else
        respond_store_error (request, error);
      return;
    }
  stored = deca_store_get_credential (store, principal->workspace_id, id, &error);
  if (stored == NULL || !append_audit (request, "credential.update", stored, &error)
      || !deca_store_commit (store, &error))
    {
      deca_store_rollback (store);
      respond_store_error (request, error);
      return;
    }
  answer = credential_to_json (stored);
  deca_request_respond_json (request, 200, answer);
}

static void
delete_cb (DecaRequest *request,
           gpointer     user_data)
{
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const DecaPrincipal *principal = request_principal (request);
  const char *id = deca_request_get_param (request, "id");
  g_autoptr(DecaCredentialRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  if (principal == NULL)
    return;
  if (!deca_store_begin (store, &error))
    {
      respond_store_error (request, error);
      return;
    }
  record = deca_store_get_credential (store, principal->workspace_id, id, &error);
  if (record == NULL
      || !deca_store_delete_credential (store, principal->workspace_id, id, &error))
    {
      deca_store_rollback (store);
      respond_store_error (request, error);
      return;
    }
  /* The line names the credential as it was; the revision of a deleted one means
   * nothing any more. */
  record->revision = 0;
  if (!append_audit (request, "credential.delete", record, &error)
      || !deca_store_commit (store, &error))
    {
      deca_store_rollback (store);
      respond_store_error (request, error);
      return;
    }
  deca_request_respond_json (request, 204, NULL);
}

/* --- registration ------------------------------------------------------------------- */

gboolean
deca_api_credentials_register (DecaServer     *server,
                               DecaSecretBox  *box,
                               GError        **error)
{
  static const struct {
    const char *method;
    const char *pattern;
    DecaRouteHandler handler;
    DecaPermission permission;
  } routes[] = {
    { "GET", "/api/v1/credentials", list_cb, DECA_PERMISSION_READ_CREDENTIALS },
    { "POST", "/api/v1/credentials", create_cb, DECA_PERMISSION_WRITE_CREDENTIALS },
    { "GET", "/api/v1/credentials/{id}", get_cb, DECA_PERMISSION_READ_CREDENTIALS },
    { "PUT", "/api/v1/credentials/{id}", update_cb, DECA_PERMISSION_WRITE_CREDENTIALS },
    { "DELETE", "/api/v1/credentials/{id}", delete_cb, DECA_PERMISSION_DELETE_CREDENTIALS },
  };
  ApiCredentials *self;

  g_return_val_if_fail (DECA_IS_SERVER (server), FALSE);
  g_return_val_if_fail (DECA_IS_SECRET_BOX (box), FALSE);

  self = g_rc_box_new0 (ApiCredentials);
  self->server = server;
  self->box = g_object_ref (box);
  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      DecaRoute *route = deca_server_add_route (server, routes[i].method, routes[i].pattern,
                                                DECA_ROUTE_NONE, routes[i].handler,
                                                g_rc_box_acquire (self), api_credentials_release,
                                                error);

      if (route == NULL)
        {
          /* The router keeps nothing of a route it refuses: drop that route's reference
           * and ours (the routes added before keep theirs). */
          api_credentials_release (self);
          api_credentials_release (self);
          return FALSE;
        }
      deca_route_set_required_permissions (route, routes[i].permission);
    }
  api_credentials_release (self);
  return TRUE;
}
