/* deca-api-library.c: the agents, prompts and functions routes (see the header). One set
 * of handlers serves the three kinds; each route's user data is the descriptor of its
 * kind (kinds[] below), which says the paths, the permissions and the words of the
 * messages. */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <deca-engine-error.h>
#include <deca-json.h>
#include <deca-library.h>
#include <deca-node-type.h>
#include <deca-store-library.h>

#include "deca-api-common.h"
#include "deca-api-library.h"
#include "deca-audit.h"
#include "deca-rbac.h"

/* What the routes of one kind need to know about it. The messages are whole sentences
 * (marked with N_(), translated when answered), so that no translation has an English
 * word put into it. */
typedef struct {
  DecaLibraryKind kind;
  const char *collection;      /* "/api/v1/agents" */
  const char *item;            /* "/api/v1/agents/{id}" */
  const char *versions;        /* "/api/v1/agents/{id}/versions" */
  DecaPermission read;
  DecaPermission write;
  DecaPermission remove;
  const char *not_found;
  const char *no_version;
  const char *invalid;
  const char *exists;
  const char *stale;
} KindDescriptor;

static const KindDescriptor kinds[] = {
  { DECA_LIBRARY_AGENT, "/api/v1/agents", "/api/v1/agents/{id}", "/api/v1/agents/{id}/versions",
    DECA_PERMISSION_READ_AGENTS, DECA_PERMISSION_WRITE_AGENTS, DECA_PERMISSION_DELETE_AGENTS,
    N_("No such agent in this workspace"),
    N_("The agent has no such version"),
    N_("The agent is not valid; details.problems says where"),
    N_("This workspace has an agent with this id; PUT changes it"),
    N_("The agent has a newer version than If-Match names; read it again") },
  { DECA_LIBRARY_PROMPT, "/api/v1/prompts", "/api/v1/prompts/{id}", "/api/v1/prompts/{id}/versions",
    DECA_PERMISSION_READ_PROMPTS, DECA_PERMISSION_WRITE_PROMPTS, DECA_PERMISSION_DELETE_PROMPTS,
    N_("No such prompt in this workspace"),
    N_("The prompt has no such version"),
    N_("The prompt is not valid; details.problems says where"),
    N_("This workspace has a prompt with this id; PUT changes it"),
    N_("The prompt has a newer version than If-Match names; read it again") },
  { DECA_LIBRARY_FUNCTION, "/api/v1/functions", "/api/v1/functions/{id}", "/api/v1/functions/{id}/versions",
    DECA_PERMISSION_READ_FUNCTIONS, DECA_PERMISSION_WRITE_FUNCTIONS, DECA_PERMISSION_DELETE_FUNCTIONS,
    N_("No such function in this workspace"),
    N_("The function has no such version"),
    N_("The function is not valid; details.problems says where"),
    N_("This workspace has a function with this id; PUT changes it"),
    N_("The function has a newer version than If-Match names; read it again") },
};

G_STATIC_ASSERT (G_N_ELEMENTS (kinds) == DECA_LIBRARY_N_KINDS);

static const char *
kind_name (const KindDescriptor *kind)
{
  return deca_library_kind_to_string (kind->kind);
}

/* --- answers ------------------------------------------------------------------------ */

/* Answers a failure of the store: not found (another workspace's item too, or a deleted
 * one) as this kind's 404 (@message, or the kind's own sentence when NULL), the rest as
 * deca_request_respond_error() maps it. */
static void
respond_store_error (const KindDescriptor *kind,
                     DecaRequest          *request,
                     const GError         *error,
                     const char           *message)
{
  if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
    deca_request_respond_error_literal (request, DECA_SERVER_ERROR_NOT_FOUND,
                                        _(message != NULL ? message : kind->not_found), NULL);
  else
    deca_request_respond_error (request, error, NULL);
}

/* An item as the API shows it: @version is the version whose @document (transfer none,
 * nullable) is shown, which is the latest one unless ?version= asked for another. */
static JsonNode *
item_json (const DecaLibraryItem *item,
           gint64                 version,
           JsonNode              *document)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", item->id);
  json_object_set_string_member (object, "name", item->name);
  json_object_set_int_member (object, "version", version);
  json_object_set_int_member (object, "latest_version", item->latest_version);
  json_object_set_int_member (object, "revision", item->revision);
  _deca_api_set_time_member (object, "created_at", item->created_at);
  _deca_api_set_time_member (object, "updated_at", item->updated_at);
  if (document != NULL)
    json_object_set_member (object, "document", json_node_copy (document));
  json_node_take_object (node, object);
  return node;
}

static void
set_etag (DecaRequest *request,
          gint64       version)
{
  g_autofree char *etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", version);

  deca_request_set_response_header (request, "ETag", etag);
}

/* Answers @status with item @id of the caller's workspace and the document of @version
 * (0: the latest); the ETag is the latest version (what If-Match compares with). */
static void
respond_item (const KindDescriptor *kind,
              DecaRequest          *request,
              const DecaPrincipal  *principal,
              const char           *id,
              gint64                version,
              guint                 status)
{
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  g_autoptr(DecaLibraryItem) item = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 loaded = 0;

  item = deca_store_get_library_item (store, kind->kind, principal->workspace_id, id, &error);
  if (item != NULL)
    text = deca_store_load_library_document (store, kind->kind, principal->workspace_id, id, version,
                                             &loaded, &error);
  if (text != NULL)
    document = deca_json_parse (text, -1, &error);
  if (document == NULL)
    {
      respond_store_error (kind, request, error, version != 0 && item != NULL ? kind->no_version : NULL);
      return;
    }
  body = item_json (item, loaded, document);
  set_etag (request, item->latest_version);
  deca_request_respond_json (request, status, body);
}

/* 422 with every problem of the document: {"problems": [{"pointer", "message"}]}. */
static void
respond_problems (const KindDescriptor *kind,
                  DecaRequest          *request,
                  GPtrArray            *problems)
{
  g_autoptr(JsonNode) details = _deca_api_problems_json (problems);

  deca_request_respond_error_literal (request, DECA_SERVER_ERROR_UNPROCESSABLE, _(kind->invalid), details);
}

/* 409 for a change made on a version that is not the latest: details.version is the
 * latest, to read again. */
static void
respond_stale (const KindDescriptor *kind,
               DecaRequest          *request,
               const DecaPrincipal  *principal,
               const char           *id)
{
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  g_autoptr(DecaLibraryItem) item = deca_store_get_library_item (store, kind->kind, principal->workspace_id,
                                                                  id, NULL);
  g_autoptr(JsonNode) details = NULL;

  if (item != NULL)
    {
      JsonObject *object = json_object_new ();

      json_object_set_int_member (object, "version", item->latest_version);
      details = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (details, object);
    }
  deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT, _(kind->stale), details);
}

/* --- input -------------------------------------------------------------------------- */

/* Reads If-Match (deca-api-common.h); *@expected is DECA_LIBRARY_ANY_VERSION when absent. */
static gboolean
read_if_match (DecaRequest *request,
               gint64      *expected)
{
  if (!_deca_api_read_if_match (request, _("If-Match must be a version number"), expected))
    return FALSE;
  if (*expected == 0)
    *expected = DECA_LIBRARY_ANY_VERSION;
  return TRUE;
}

/* Reads ?version= (a whole number of at least 1; 0 when absent). */
static gboolean
read_version_parameter (DecaRequest *request,
                        gint64      *version)
{
  const char *text = deca_request_get_query (request, "version");
  guint64 value;

  *version = 0;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      deca_request_respond_bad_input (request, "parameter", "version", _("version must be a whole number of at least 1"));
      return FALSE;
    }
  *version = (gint64) value;
  return TRUE;
}

/* Validates the body as a document of @kind, with "id" set to @id. Returns (transfer
 * full) the document to store, or NULL after answering 400 (not an object) or 422. */
static JsonNode *
read_document (const KindDescriptor *kind,
               DecaRequest          *request,
               const char           *id)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
  g_autoptr(JsonNode) document = NULL;
  JsonObject *body;
  gboolean ok;

  body = _deca_api_read_body_object (request, FALSE, &ok);
  if (!ok)
    return NULL;
  document = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (document, deca_json_object_deep_copy (body));
  deca_library_validate (kind->kind, document, "", problems);
  if (problems->len > 0)
    {
      respond_problems (kind, request, problems);
      return NULL;
    }
  /* The stored document says which item it is, so that an exported one stands alone. */
  json_object_set_string_member (json_node_get_object (document), "id", id);
  return g_steal_pointer (&document);
}

/* --- changes ------------------------------------------------------------------------ */

/* Saves @document as the next version of @id and writes the audit line @action (for a
 * new version only) in the same transaction. Sets *@out_version; FALSE with @error. */
static gboolean
save_document (const KindDescriptor *kind,
               DecaRequest          *request,
               const DecaPrincipal  *principal,
               const char           *id,
               JsonNode             *document,
               gint64                expected,
               const char           *action,
               gint64               *out_version,
               GError              **error)
{
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  g_autoptr(DecaLibraryItem) before = NULL;
  g_autoptr(JsonNode) details = NULL;
  g_autofree char *text = deca_json_to_string (document, FALSE);
  const char *name = json_object_get_string_member (json_node_get_object (document), "name");
  JsonObject *object;

  if (!deca_store_begin (store, error))
    return FALSE;
  before = deca_store_get_library_item (store, kind->kind, principal->workspace_id, id, NULL);
  if (!deca_store_save_library_item (store, kind->kind, principal->workspace_id, id, name, text, expected,
                                     out_version, error))
    return FALSE;   /* the store rolled the batch back */
  if (before != NULL && before->latest_version == *out_version)
    return deca_store_commit (store, error);   /* the same content: nothing changed */

  object = json_object_new ();
  json_object_set_string_member (object, "name", name);
  json_object_set_int_member (object, "version", *out_version);
  details = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (details, object);
  if (!deca_server_audit (request, action, id, DECA_AUDIT_OK, details))
    {
      /* deca_server_audit() logged why, with the request's trace id. */
      deca_store_rollback (store);
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_INTERNAL,
                           "the audit line of the change could not be written");
      return FALSE;
    }
  return deca_store_commit (store, error);
}

/* --- handlers ----------------------------------------------------------------------- */

static void
list_cb (DecaRequest *request,
         gpointer     user_data)
{
  const KindDescriptor *kind = user_data;
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const char *cursor = deca_request_get_query (request, "cursor");
  const char *name = deca_request_get_query (request, "name");
  const DecaPrincipal *principal;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) answer = json_array_new ();
  gboolean more;
  guint limit;

  if (!(principal = _deca_api_require_principal (request)) || !_deca_api_read_limit (request, &limit))
    return;
  if (name != NULL && name[0] == '\0')
    name = NULL;
  /* One more than a page: whether there is a next one. */
  items = deca_store_list_library_items (store, kind->kind, principal->workspace_id, name, cursor, limit + 1,
                                         FALSE, &error);
  if (items == NULL)
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  more = items->len > limit;
  for (guint i = 0; i < items->len && i < limit; i++)
    {
      DecaLibraryItem *item = g_ptr_array_index (items, i);

      json_array_add_element (answer, item_json (item, item->latest_version, NULL));
    }
  deca_request_respond_items (request, answer, TRUE,
                              more ? ((DecaLibraryItem *) g_ptr_array_index (items, limit - 1))->id : NULL);
}

static void
create_cb (DecaRequest *request,
           gpointer     user_data)
{
  const KindDescriptor *kind = user_data;
  const DecaPrincipal *principal;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *generated = NULL;
  g_autofree char *action = NULL;
  g_autofree char *location = NULL;
  JsonNode *json;
  const char *id = NULL;
  gint64 version = 0;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  /* The id is the document's when it has one (the schema checks it), else a new UUID. */
  json = deca_request_get_json (request);
  if (json != NULL && JSON_NODE_HOLDS_OBJECT (json))
    {
      JsonNode *member = json_object_get_member (json_node_get_object (json), "id");

      if (member != NULL && JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
        id = json_node_get_string (member);
    }
  if (id == NULL)
    id = generated = g_uuid_string_random ();
  if (!(document = read_document (kind, request, id)))
    return;

  action = g_strconcat (kind_name (kind), ".create", NULL);
  if (!save_document (kind, request, principal, id, document, DECA_LIBRARY_NEW_ITEM, action, &version, &error))
    {
      if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE))
        deca_request_respond_error_literal (request, DECA_SERVER_ERROR_CONFLICT, _(kind->exists), NULL);
      else
        deca_request_respond_error (request, error, NULL);
      return;
    }
  location = g_strconcat (kind->collection, "/", id, NULL);
  deca_request_set_response_header (request, "Location", location);
  respond_item (kind, request, principal, id, 0, 201);
}

static void
get_cb (DecaRequest *request,
        gpointer     user_data)
{
  const KindDescriptor *kind = user_data;
  const DecaPrincipal *principal;
  gint64 version;

  if (!(principal = _deca_api_require_principal (request)) || !read_version_parameter (request, &version))
    return;
  respond_item (kind, request, principal, deca_request_get_param (request, "id"), version, 200);
}

static void
update_cb (DecaRequest *request,
           gpointer     user_data)
{
  const KindDescriptor *kind = user_data;
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const char *id = deca_request_get_param (request, "id");
  const DecaPrincipal *principal;
  g_autoptr(DecaLibraryItem) item = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *action = NULL;
  JsonNode *json, *member;
  gint64 expected, version = 0;

  if (!(principal = _deca_api_require_principal (request)))
    return;
  /* 404 before 400 and 422: what the body says does not matter for an item that is not
   * there. */
  if (!(item = deca_store_get_library_item (store, kind->kind, principal->workspace_id, id, &error)))
    {
      respond_store_error (kind, request, error, NULL);
      return;
    }
  if (!read_if_match (request, &expected))
    return;
  json = deca_request_get_json (request);
  member = json != NULL && JSON_NODE_HOLDS_OBJECT (json) ? json_object_get_member (json_node_get_object (json), "id")
                                                          : NULL;
  if (member != NULL && (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING ||
                         !g_str_equal (json_node_get_string (member), id)))
    {
      deca_request_respond_bad_field (request, "/id", _("id must be the id in the path (ids do not change)"));
      return;
    }
  if (!(document = read_document (kind, request, id)))
    return;
  action = g_strconcat (kind_name (kind), ".update", NULL);
  if (!save_document (kind, request, principal, id, document, expected, action, &version, &error))
    {
      if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE))
        respond_stale (kind, request, principal, id);
      else
        respond_store_error (kind, request, error, NULL);
      return;
    }
  respond_item (kind, request, principal, id, 0, 200);
}

static void
delete_cb (DecaRequest *request,
           gpointer     user_data)
{
  const KindDescriptor *kind = user_data;
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const char *id = deca_request_get_param (request, "id");
  const DecaPrincipal *principal;
  g_autoptr(DecaLibraryItem) item = NULL;
  g_autoptr(JsonNode) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *action = NULL;
  JsonObject *object;
  gint64 expected;

  if (!(principal = _deca_api_require_principal (request)) || !read_if_match (request, &expected))
    return;
  if (!deca_store_begin (store, &error))
    {
      deca_request_respond_error (request, error, NULL);
      return;
    }
  item = deca_store_get_library_item (store, kind->kind, principal->workspace_id, id, &error);
  if (item == NULL || !deca_store_delete_library_item (store, kind->kind, principal->workspace_id, id, expected,
                                                       &error))
    {
      deca_store_rollback (store);
      if (g_error_matches (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_STATE))
        respond_stale (kind, request, principal, id);
      else
        respond_store_error (kind, request, error, NULL);
      return;
    }
  object = json_object_new ();
  json_object_set_string_member (object, "name", item->name);
  json_object_set_int_member (object, "version", item->latest_version);
  details = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (details, object);
  action = g_strconcat (kind_name (kind), ".delete", NULL);
  if (!deca_server_audit (request, action, id, DECA_AUDIT_OK, details))
    g_set_error_literal (&error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_INTERNAL,
                         "the audit line of the change could not be written");
  if (error != NULL || !deca_store_commit (store, &error))
    {
      /* A 500: what failed is logged with the request's trace id, not answered. */
      deca_store_rollback (store);
      deca_request_respond_error (request, error, NULL);
      return;
    }
  deca_request_respond_json (request, 204, NULL);
}

static void
list_versions_cb (DecaRequest *request,
                  gpointer     user_data)
{
  const KindDescriptor *kind = user_data;
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  const DecaPrincipal *principal;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = json_array_new ();

  if (!(principal = _deca_api_require_principal (request)))
    return;
  versions = deca_store_list_library_versions (store, kind->kind, principal->workspace_id,
                                               deca_request_get_param (request, "id"), &error);
  if (versions == NULL)
    {
      respond_store_error (kind, request, error, NULL);
      return;
    }
  for (guint i = 0; i < versions->len; i++)
    {
      DecaLibraryVersionInfo *info = g_ptr_array_index (versions, i);
      JsonObject *object = json_object_new ();

      json_object_set_int_member (object, "version", info->version);
      json_object_set_string_member (object, "name", info->name);
      _deca_api_set_time_member (object, "created_at", info->created_at);
      json_array_add_object_element (items, object);
    }
  deca_request_respond_items (request, items, FALSE, NULL);
}

/* --- registration ------------------------------------------------------------------- */

gboolean
deca_api_library_register (DecaServer  *server,
                           GError     **error)
{
  g_return_val_if_fail (DECA_IS_SERVER (server), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const KindDescriptor *kind = &kinds[i];
      const struct {
        const char *method;
        const char *pattern;
        DecaRouteHandler handler;
        DecaPermission permission;
      } routes[] = {
        { "GET", kind->collection, list_cb, kind->read },
        { "POST", kind->collection, create_cb, kind->write },
        { "GET", kind->item, get_cb, kind->read },
        { "PUT", kind->item, update_cb, kind->write },
        { "DELETE", kind->item, delete_cb, kind->remove },
        { "GET", kind->versions, list_versions_cb, kind->read },
      };

      for (gsize j = 0; j < G_N_ELEMENTS (routes); j++)
        {
          /* The descriptors are static: the routes need no reference to them. */
          DecaRoute *route = deca_server_add_route (server, routes[j].method, routes[j].pattern, DECA_ROUTE_NONE,
                                                    routes[j].handler, (gpointer) kind, NULL, error);

          if (route == NULL)
            return FALSE;
          deca_route_set_required_permissions (route, routes[j].permission);
        }
    }
  return TRUE;
}
