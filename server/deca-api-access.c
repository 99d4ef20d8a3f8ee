/* deca-api-access.c: workspaces, members, API keys and the audit log (deca-api-access.h). */

#include "config.h"

#include "deca-api-access.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <deca-engine-error.h>
#include <deca-store-server.h>

#include "deca-api-common.h"
#include "deca-api-key.h"
#include "deca-audit.h"
#include "deca-principal.h"
#include "deca-rbac.h"

#define MAX_NAME_LENGTH 200

/* --- helpers ----------------------------------------------------------------------- */

static void
respond_object (DecaRequest *request,
                guint        status,
                JsonObject  *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  deca_request_respond_json (request, status, node);
}

/* The caller's principal when {ws} is its workspace; otherwise answers 404 (another
 * workspace is never told apart from none) and returns NULL. */
static const DecaPrincipal *
caller_in_workspace (DecaRequest *request)
{
  const DecaPrincipal *principal = deca_request_get_principal (request);
  const char *ws = deca_request_get_param (request, "ws");

  if (principal == NULL || principal->workspace_id == NULL || ws == NULL
      || !g_str_equal (ws, principal->workspace_id))
    {
      deca_request_respond_error_literal (request, DECA_SERVER_ERROR_NOT_FOUND,
                                          _("No such workspace"), NULL);
      return NULL;
    }
  return principal;
}

/* Whether the caller may hand out (or take away) @role: only with every permission the
 * role has, so that nobody grants more than they hold (an admin cannot make an owner).
 * Otherwise answers 403 naming what is missing, writes a "denied" audit line for
 * @action on @target, and returns FALSE. */
static gboolean
check_may_grant (DecaRequest         *request,
                 const DecaPrincipal *principal,
                 const char          *role_name,
                 const char          *action,
                 const char          *target)
{
  DecaRole role;
  DecaPermissions missing;
  g_autofree char *names = NULL;
  g_autofree char *message = NULL;
  g_autoptr(JsonNode) details = NULL;

  if (!deca_role_from_string (role_name, &role))
    return TRUE;   /* a stored role this build does not know grants nothing */
  missing = deca_rbac_role_permissions (role) & ~deca_rbac_principal_permissions (principal);
  if (missing == 0)
    return TRUE;

  details = deca_rbac_missing_details (missing, role_name);
  deca_server_audit (request, action, target, DECA_AUDIT_DENIED, details);

  names = deca_permissions_to_string (missing);
  /* Translators: the first %s is a role ("owner"), the second permission names. */
  message = g_strdup_printf (_("Managing the role %s needs the permission %s"), role_name, names);
  deca_request_respond_error_literal (request, DECA_SERVER_ERROR_FORBIDDEN, message, details);
  return FALSE;
}

/* A user id or display name: 1 to MAX_NAME_LENGTH characters of valid UTF-8 without
 * control characters. */
static gboolean
is_sane_text (const char *text)
{
  glong length;

  if (text == NULL || text[0] == '\0' || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  length = g_utf8_strlen (text, -1);
  if (length > MAX_NAME_LENGTH)
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* The {user} of @request's path when it is one (is_sane_text()); otherwise answers 400
 * naming the parameter and returns NULL. Every method checks it, so that a user id that
 * cannot be one is a bad request everywhere, not a member that happens to be missing. */
static const char *
user_param (DecaRequest *request)
{
  const char *user_id = deca_request_get_param (request, "user");

  if (!is_sane_text (user_id))
    {
      deca_request_respond_bad_input (request, "parameter", "user",
                                      _("A user id is 1 to 200 characters without control characters"));
      return NULL;
    }
  return user_id;
}

/* Reads the member @name of @object as a role; answers 400 with its pointer and returns
 * NULL when it is missing or not a role. */
static const char *
role_member (DecaRequest *request,
             JsonObject  *object,
             const char  *name)
{
  g_autofree char *pointer = g_strconcat ("/", name, NULL);
  JsonNode *node = json_object_get_member (object, name);
  const char *value;
  DecaRole role;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
      || !deca_role_from_string ((value = json_node_get_string (node)), &role))
    {
      deca_request_respond_bad_field (request, pointer,
                                      _("“role” must be one of owner, admin, developer, viewer, executor"));
      return NULL;
    }
  return value;
}

static JsonObject *
workspace_json (const DecaWorkspaceRecord *workspace,
                const DecaPrincipal       *principal)
{
  JsonObject *object = json_object_new ();
  DecaPermissions permissions = deca_rbac_principal_permissions (principal);
  g_autofree char *names = deca_permissions_to_string (permissions);
  g_auto(GStrv) split = g_strsplit (names, " ", -1);
  JsonArray *array = json_array_new ();

  json_object_set_string_member (object, "id", workspace->id);
  json_object_set_string_member (object, "name", workspace->name);
  _deca_api_set_time_member (object, "created_at", workspace->created_at);
  json_object_set_string_member (object, "role", principal->roles[0] != NULL ? principal->roles[0] : NULL);
  for (guint i = 0; split[i] != NULL; i++)
    if (split[i][0] != '\0')
      json_array_add_string_element (array, split[i]);
  json_object_set_array_member (object, "permissions", array);
  return object;
}

static JsonObject *
member_json (const DecaMemberRecord *member)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "user_id", member->user_id);
  json_object_set_string_member (object, "role", member->role);
  if (member->display_name != NULL)
    json_object_set_string_member (object, "display_name", member->display_name);
  else
    json_object_set_null_member (object, "display_name");
  _deca_api_set_time_member (object, "created_at", member->created_at);
  return object;
}

/* A key's metadata: never its hash, never its secret. */
static JsonObject *
api_key_json (const DecaApiKeyRecord *key)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", key->id);
  json_object_set_string_member (object, "name", key->name);
  json_object_set_string_member (object, "role", key->role);
  if (key->scopes != NULL)
    {
      g_auto(GStrv) split = g_strsplit (key->scopes, " ", -1);
      JsonArray *array = json_array_new ();

      for (guint i = 0; split[i] != NULL; i++)
        if (split[i][0] != '\0')
          json_array_add_string_element (array, split[i]);
      json_object_set_array_member (object, "scopes", array);
    }
  else
    json_object_set_null_member (object, "scopes");
  _deca_api_set_time_member (object, "created_at", key->created_at);
  _deca_api_set_time_member (object, "last_used_at", key->last_used_at);
  _deca_api_set_time_member (object, "revoked_at", key->revoked_at);
  return object;
}

static DecaStore *
store_of (DecaRequest *request)
{
  return deca_server_get_store (deca_request_get_server (request));
}

/* --- workspaces -------------------------------------------------------------------- */

static void
list_workspaces_cb (DecaRequest *request,
                    gpointer     user_data)
{
  const DecaPrincipal *principal = deca_request_get_principal (request);
  g_autoptr(DecaWorkspaceRecord) workspace = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = json_array_new ();

  /* The caller's workspace is the only one it can see: a list of one, never paged. */
  if (principal != NULL && principal->workspace_id != NULL)
    {
      workspace = deca_store_get_workspace (store_of (request), principal->workspace_id, &error);
      if (workspace != NULL)
        json_array_add_object_element (items, workspace_json (workspace, principal));
      else if (!g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
        {
          deca_request_respond_error (request, error, NULL);
          return;
        }
    }
  deca_request_respond_items (request, items, FALSE, NULL);
}

static void
get_workspace_cb (DecaRequest *request,
                  gpointer     user_data)
{
  const DecaPrincipal *principal = caller_in_workspace (request);
  g_autoptr(DecaWorkspaceRecord) workspace = NULL;
  g_autoptr(GError) error = NULL;

  if (principal == NULL)
    return;
  workspace = deca_store_get_workspace (store_of (request), principal->workspace_id, &error);
  if (workspace == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  respond_object (request, SOUP_STATUS_OK, workspace_json (workspace, principal));
}

/* --- pages ------------------------------------------------------------------------- */

typedef JsonObject *(*RecordJsonFunc) (gconstpointer record);
typedef const char *(*RecordIdFunc)   (gconstpointer record);

/* Answers the shared list of @records from @start: at most @limit items, with the id of
 * the page's last record as next_cursor when more follow. */
static void
respond_page (DecaRequest    *request,
              GPtrArray      *records,
              guint           start,
              guint           limit,
              RecordJsonFunc  to_json,
              RecordIdFunc    id_of)
{
  g_autoptr(JsonArray) items = json_array_new ();
  guint end = start + MIN (limit, records->len - start);

  for (guint i = start; i < end; i++)
    json_array_add_object_element (items, to_json (g_ptr_array_index (records, i)));
  deca_request_respond_items (request, items, TRUE,
                              end < records->len ? id_of (g_ptr_array_index (records, end - 1)) : NULL);
}

/* The display names come with the members, from one query. */
static JsonObject *
member_page_json (gconstpointer record)
{
  return member_json (record);
}

static const char *
member_page_id (gconstpointer record)
{
  return ((const DecaMemberRecord *) record)->user_id;
}

static JsonObject *
api_key_page_json (gconstpointer record)
{
  return api_key_json (record);
}

static const char *
api_key_page_id (gconstpointer record)
{
  return ((const DecaApiKeyRecord *) record)->id;
}

/* --- members ----------------------------------------------------------------------- */

static void
list_members_cb (DecaRequest *request,
                 gpointer     user_data)
{
  const DecaPrincipal *principal = caller_in_workspace (request);
  const char *cursor = deca_request_get_query (request, "cursor");
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) error = NULL;
  guint limit, start = 0;

  if (principal == NULL || !_deca_api_read_limit (request, &limit))
    return;
  members = deca_store_list_members (store_of (request), principal->workspace_id, &error);
  if (members == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  /* By user id (the store's order); the cursor is the last user id of the previous page,
   * so a member removed in between moves nobody to another page. */
  while (cursor != NULL && start < members->len &&
         strcmp (((DecaMemberRecord *) g_ptr_array_index (members, start))->user_id, cursor) <= 0)
    start++;
  respond_page (request, members, start, limit, member_page_json, member_page_id);
}

static void
get_member_cb (DecaRequest *request,
               gpointer     user_data)
{
  const DecaPrincipal *principal = caller_in_workspace (request);
  g_autoptr(DecaMemberRecord) member = NULL;
  g_autoptr(GError) error = NULL;
  const char *user_id;

  if (principal == NULL || (user_id = user_param (request)) == NULL)
    return;
  member = deca_store_get_member (store_of (request), principal->workspace_id, user_id, &error);
  if (member == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  respond_object (request, SOUP_STATUS_OK, member_json (member));
}

/* The number of owners of @workspace_id, or -1 with @error. */
static int
count_owners (DecaStore   *store,
              const char  *workspace_id,
              GError     **error)
{
  g_autoptr(GPtrArray) members = deca_store_list_members (store, workspace_id, error);
  int owners = 0;

  if (members == NULL)
    return -1;
  for (guint i = 0; i < members->len; i++)
    if (g_str_equal (((DecaMemberRecord *) g_ptr_array_index (members, i))->role, "owner"))
      owners++;
  return owners;
}

/* Answers 409 and audits a failed @action when @member is the workspace's only owner and
 * would stop being one; returns FALSE then (or after answering a store failure). */
static gboolean
check_keeps_an_owner (DecaRequest            *request,
                      const DecaMemberRecord *member,
                      const char             *new_role,
                      const char             *action)
{
  g_autoptr(GError) error = NULL;
  int owners;

  if (member == NULL || !g_str_equal (member->role, "owner")
      || (new_role != NULL && g_str_equal (new_role, "owner")))
    return TRUE;
  owners = count_owners (store_of (request), member->workspace_id, &error);
  if (owners < 0)
    {
      deca_request_respond_error (request, error, NULL);
      return FALSE;
    }
  if (owners > 1)
    return TRUE;
  deca_server_audit (request, action, member->user_id, DECA_AUDIT_FAILED, NULL);
  deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT,
                                      _("A workspace keeps at least one owner"), NULL);
  return FALSE;
}

static void
put_member_cb (DecaRequest *request,
               gpointer     user_data)
{
  const DecaPrincipal *principal = caller_in_workspace (request);
  const char *user_id;
  DecaStore *store = store_of (request);
  g_autoptr(DecaMemberRecord) previous = NULL;
  g_autoptr(DecaMemberRecord) member = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) details = NULL;
  JsonObject *body, *object;
  gboolean ok;
  JsonNode *name_node;
  const char *role;
  const char *new_display_name = NULL;

  if (principal == NULL || (user_id = user_param (request)) == NULL)
    return;
  if ((body = _deca_api_read_body_object (request, FALSE, &ok)) == NULL || (role = role_member (request, body, "role")) == NULL)
    return;
  name_node = json_object_get_member (body, "display_name");
  if (name_node != NULL && !JSON_NODE_HOLDS_NULL (name_node))
    {
      if (!JSON_NODE_HOLDS_VALUE (name_node) || json_node_get_value_type (name_node) != G_TYPE_STRING
          || !is_sane_text (json_node_get_string (name_node)))
        {
          deca_request_respond_bad_field (request, "/display_name",
                                          _("“display_name” is 1 to 200 characters without control characters"));
          return;
        }
      new_display_name = json_node_get_string (name_node);
    }

  previous = deca_store_get_member (store, principal->workspace_id, user_id, &error);
  if (previous == NULL && !g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  g_clear_error (&error);
  if (!check_may_grant (request, principal, role, "member.set", user_id)
      || (previous != NULL && !check_may_grant (request, principal, previous->role, "member.set", user_id))
      || !check_keeps_an_owner (request, previous, role, "member.set"))
    return;

  if (!deca_store_begin (store, &error)
      || (new_display_name != NULL && !deca_store_put_user (store, user_id, new_display_name, &error))
      || !deca_store_set_member (store, principal->workspace_id, user_id, role, &error)
      || !deca_store_commit (store, &error))
    {
      deca_store_rollback (store);
      deca_request_respond_error (request, error, NULL);
      return;
    }

  details = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();
  json_object_set_string_member (object, "role", role);
  if (previous != NULL)
    json_object_set_string_member (object, "previous_role", previous->role);
  else
    json_object_set_null_member (object, "previous_role");
  json_node_take_object (details, object);
  deca_server_audit (request, "member.set", user_id, DECA_AUDIT_OK, details);

  member = deca_store_get_member (store, principal->workspace_id, user_id, &error);
  if (member == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  respond_object (request, previous == NULL ? SOUP_STATUS_CREATED : SOUP_STATUS_OK,
                  member_json (member));
}

static void
delete_member_cb (DecaRequest *request,
                  gpointer     user_data)
{
  const DecaPrincipal *principal = caller_in_workspace (request);
  const char *user_id;
  DecaStore *store = store_of (request);
  g_autoptr(DecaMemberRecord) member = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) details = NULL;
  JsonObject *object;

  if (principal == NULL || (user_id = user_param (request)) == NULL)
    return;
  member = deca_store_get_member (store, principal->workspace_id, user_id, &error);
  if (member == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  if (!check_may_grant (request, principal, member->role, "member.remove", user_id)
      || !check_keeps_an_owner (request, member, NULL, "member.remove"))
    return;
  if (!deca_store_remove_member (store, principal->workspace_id, user_id, &error))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  details = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();
  json_object_set_string_member (object, "role", member->role);
  json_node_take_object (details, object);
  deca_server_audit (request, "member.remove", user_id, DECA_AUDIT_OK, details);
  deca_request_respond (request, SOUP_STATUS_NO_CONTENT, NULL, NULL, 0);
}

/* --- API keys ---------------------------------------------------------------------- */

static void
create_api_key_cb (DecaRequest *request,
                   gpointer     user_data)
{
  const DecaPrincipal *principal = caller_in_workspace (request);
  DecaStore *store = store_of (request);
  g_autoptr(DecaApiKey) key = NULL;
  g_autoptr(DecaApiKeyRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) details = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *scopes_text = NULL;
  DecaApiKeyRecord record = { 0 };
  JsonObject *body, *object;
  gboolean ok;
  JsonNode *name_node, *scopes_node;
  const char *role;

  if (principal == NULL)
    return;
  if ((body = _deca_api_read_body_object (request, FALSE, &ok)) == NULL)
    return;
  name_node = json_object_get_member (body, "name");
  if (name_node == NULL || !JSON_NODE_HOLDS_VALUE (name_node)
      || json_node_get_value_type (name_node) != G_TYPE_STRING
      || !is_sane_text (json_node_get_string (name_node)))
    {
      deca_request_respond_bad_field (request, "/name", _("“name” is 1 to 200 characters without control characters"));
      return;
    }
  if ((role = role_member (request, body, "role")) == NULL)
    return;
  scopes_node = json_object_get_member (body, "scopes");
  if (scopes_node != NULL && !JSON_NODE_HOLDS_NULL (scopes_node))
    {
      g_autoptr(GString) text = g_string_new (NULL);
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (scopes_node))
        {
          deca_request_respond_bad_field (request, "/scopes", _("“scopes” must be an array of permission names"));
          return;
        }
      array = json_node_get_array (scopes_node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          DecaPermission permission;

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING
              || !deca_permission_from_string (json_node_get_string (element), &permission))
            {
              g_autofree char *pointer = g_strdup_printf ("/scopes/%u", i);

              deca_request_respond_bad_field (request, pointer, _("Not a permission of this API (read:flows, manage:keys, ...)"));
              return;
            }
          if (text->len > 0)
            g_string_append_c (text, ' ');
          g_string_append (text, json_node_get_string (element));
        }
      scopes_text = g_string_free (g_steal_pointer (&text), FALSE);
    }
  if (!check_may_grant (request, principal, role, "api_key.create", NULL))
    return;

  key = deca_api_key_generate (&error);
  if (key == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  hash = deca_api_key_hash (key);
  record.id = (char *) deca_api_key_get_id (key);
  record.workspace_id = principal->workspace_id;
  record.name = (char *) json_node_get_string (name_node);
  record.role = (char *) role;
  record.scopes = scopes_text;
  record.secret_hash = hash;
  if (!deca_store_insert_api_key (store, &record, &error))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  details = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();
  json_object_set_string_member (object, "name", record.name);
  json_object_set_string_member (object, "role", role);
  json_node_take_object (details, object);
  deca_server_audit (request, "api_key.create", record.id, DECA_AUDIT_OK, details);

  stored = deca_store_get_api_key (store, principal->workspace_id, record.id, &error);
  if (stored == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  object = api_key_json (stored);
  /* The only time the key's text leaves the server. */
  json_object_set_string_member (object, "key", deca_api_key_get_text (key));
  deca_request_set_response_header (request, "Cache-Control", "no-store");
  /* Where the key is revoked, as every create names what it made. */
  {
    g_autofree char *ws = g_uri_escape_string (principal->workspace_id, NULL, FALSE);
    g_autofree char *id = g_uri_escape_string (record.id, NULL, FALSE);
    g_autofree char *location = g_strconcat ("/api/v1/workspaces/", ws, "/api-keys/", id, NULL);

    deca_request_set_response_header (request, "Location", location);
  }
  respond_object (request, SOUP_STATUS_CREATED, object);
}

static void
list_api_keys_cb (DecaRequest *request,
                  gpointer     user_data)
{
  const DecaPrincipal *principal = caller_in_workspace (request);
  const char *cursor = deca_request_get_query (request, "cursor");
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  guint limit, start = 0;

  if (principal == NULL || !_deca_api_read_limit (request, &limit))
    return;
  keys = deca_store_list_api_keys (store_of (request), principal->workspace_id, &error);
  if (keys == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  /* Oldest first; the cursor is the id of the previous page's last key. Keys are revoked,
   * never deleted, so it is always still in the list. */
  if (cursor != NULL)
    {
      while (start < keys->len && !g_str_equal (((DecaApiKeyRecord *) g_ptr_array_index (keys, start))->id, cursor))
        start++;
      if (start == keys->len)
        {
          deca_request_respond_bad_input (request, "parameter", "cursor",
                                          _("cursor must be the next_cursor of a previous page"));
          return;
        }
      start++;
    }
  respond_page (request, keys, start, limit, api_key_page_json, api_key_page_id);
}

static void
revoke_api_key_cb (DecaRequest *request,
                   gpointer     user_data)
{
  const DecaPrincipal *principal = caller_in_workspace (request);
  const char *id = deca_request_get_param (request, "id");
  DecaStore *store = store_of (request);
  g_autoptr(DecaApiKeyRecord) key = NULL;
  g_autoptr(GError) error = NULL;

  if (principal == NULL)
    return;
  key = deca_store_get_api_key (store, principal->workspace_id, id, &error);
  if (key == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  if (!check_may_grant (request, principal, key->role, "api_key.revoke", id))
    return;
  if (!deca_store_revoke_api_key (store, principal->workspace_id, id, &error))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  deca_server_audit (request, "api_key.revoke", id, DECA_AUDIT_OK, NULL);
  deca_request_respond (request, SOUP_STATUS_NO_CONTENT, NULL, NULL, 0);
}

/* --- audit ------------------------------------------------------------------------- */

static void
list_audit_cb (DecaRequest *request,
               gpointer     user_data)
{
  const DecaPrincipal *principal = caller_in_workspace (request);
  const char *cursor = deca_request_get_query (request, "cursor");
  guint64 before = 0;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = json_array_new ();
  g_autofree char *next_cursor = NULL;
  guint limit;

  if (principal == NULL || !_deca_api_read_limit (request, &limit))
    return;
  /* The cursor is the id of the previous page's last (oldest) line: the next page has the
   * lines before it. */
  if (cursor != NULL && !g_ascii_string_to_unsigned (cursor, 10, 1, G_MAXINT64, &before, NULL))
    {
      deca_request_respond_bad_input (request, "parameter", "cursor",
                                      _("cursor must be the next_cursor of a previous page"));
      return;
    }
  /* One more than a page: whether there is a next one. */
  lines = deca_store_list_audit (store_of (request), principal->workspace_id, (gint64) before, limit + 1, &error);
  if (lines == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }

  for (guint i = 0; i < lines->len && i < limit; i++)
    {
      const DecaAuditRecord *line = g_ptr_array_index (lines, i);
      JsonObject *object = json_object_new ();
      g_autoptr(JsonNode) details = NULL;

      json_object_set_int_member (object, "id", line->id);
      _deca_api_set_time_member (object, "at", line->at);
      json_object_set_string_member (object, "actor", line->actor);
      json_object_set_string_member (object, "action", line->action);
      json_object_set_string_member (object, "target", line->target);
      json_object_set_string_member (object, "source", line->source);
      json_object_set_string_member (object, "result", line->result);
      if (line->details != NULL)
        details = json_from_string (line->details, NULL);
      json_object_set_member (object, "details",
                              details != NULL ? g_steal_pointer (&details) : json_node_new (JSON_NODE_NULL));
      json_array_add_object_element (items, object);
    }
  if (lines->len > limit)
    next_cursor = g_strdup_printf ("%" G_GINT64_FORMAT,
                                   ((DecaAuditRecord *) g_ptr_array_index (lines, limit - 1))->id);
  deca_request_respond_items (request, items, TRUE, next_cursor);
}

/* --- registration ------------------------------------------------------------------ */

gboolean
deca_api_access_register (DecaServer  *server,
                          GError     **error)
{
  static const struct {
    const char *method;
    const char *pattern;
    DecaRouteHandler handler;
    DecaPermissions permissions;
  } routes[] = {
    /* Any member may see its own workspace and role. */
    { "GET", "/api/v1/workspaces", list_workspaces_cb, 0 },
    { "GET", "/api/v1/workspaces/{ws}", get_workspace_cb, 0 },
    { "GET", "/api/v1/workspaces/{ws}/members", list_members_cb, DECA_PERMISSION_MANAGE_USERS },
    { "GET", "/api/v1/workspaces/{ws}/members/{user}", get_member_cb, DECA_PERMISSION_MANAGE_USERS },
    { "PUT", "/api/v1/workspaces/{ws}/members/{user}", put_member_cb, DECA_PERMISSION_MANAGE_USERS },
    { "DELETE", "/api/v1/workspaces/{ws}/members/{user}", delete_member_cb, DECA_PERMISSION_MANAGE_USERS },
    { "POST", "/api/v1/workspaces/{ws}/api-keys", create_api_key_cb, DECA_PERMISSION_MANAGE_KEYS },
    { "GET", "/api/v1/workspaces/{ws}/api-keys", list_api_keys_cb, DECA_PERMISSION_MANAGE_KEYS },
    { "DELETE", "/api/v1/workspaces/{ws}/api-keys/{id}", revoke_api_key_cb, DECA_PERMISSION_MANAGE_KEYS },
    { "GET", "/api/v1/workspaces/{ws}/audit", list_audit_cb, DECA_PERMISSION_READ_AUDIT },
  };

  g_return_val_if_fail (DECA_IS_SERVER (server), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      DecaRoute *route = deca_server_add_route (server, routes[i].method, routes[i].pattern, DECA_ROUTE_NONE,
                                                routes[i].handler, NULL, NULL, error);

      if (route == NULL)
        return FALSE;
      deca_route_set_required_permissions (route, routes[i].permissions);
    }
  return TRUE;
}
