/* deca-rbac.c: roles, permissions and the matrix between them.
 *
 * The matrix (x: the role has the permission). docs/security.md shows the same table;
 * tests/server/test-rbac.c asserts every cell.
 *
 *   permission           owner admin developer viewer executor
 *   read:flows             x     x      x        x       x
 *   write:flows            x     x      x
 *   delete:flows           x     x      x
 *   read:agents            x     x      x        x
 *   write:agents           x     x      x
 *   delete:agents          x     x      x
 *   read:prompts           x     x      x        x
 *   write:prompts          x     x      x
 *   delete:prompts         x     x      x
 *   read:functions         x     x      x        x
 *   write:functions        x     x      x
 *   delete:functions       x     x      x
 *   read:executions        x     x      x        x       x
 *   write:executions       x     x      x                x
 *   read:credentials       x     x      x        x
 *   write:credentials      x     x      x
 *   delete:credentials     x     x      x
 *   read:events            x     x      x        x
 *   publish:events         x     x      x                x
 *   read:audit             x     x
 *   manage:keys            x     x
 *   manage:users           x     x
 *   manage:workspace       x
 *
 * Why these lines: the owner has everything (the seed's "full access"); the admin manages
 * people and keys ("can add/remove users") and reads the audit log, but the workspace's
 * own settings (renaming, retention, deleting it) stay with its owners. The developer
 * "creates and modifies flows and agents", and so also what flows are made of (prompts,
 * functions, credentials) and runs them. The viewer reads; read:credentials is the
 * credentials' metadata only, since secrets are write-only for everyone. The executor
 * "can execute flows but not modify": it reads flows (to know what it starts), starts,
 * cancels, retries, resumes and approves executions (write:executions) and publishes
 * events, which start the flows that subscribe to them.
 */

#include "config.h"

#include "deca-rbac.h"

#include <string.h>

static const char * const role_names[DECA_N_ROLES] = {
  [DECA_ROLE_OWNER] = "owner",
  [DECA_ROLE_ADMIN] = "admin",
  [DECA_ROLE_DEVELOPER] = "developer",
  [DECA_ROLE_VIEWER] = "viewer",
  [DECA_ROLE_EXECUTOR] = "executor",
};

/* In bit order: permission_names[i] is the name of bit i. */
static const char * const permission_names[DECA_N_PERMISSIONS] = {
  "read:flows",
  "write:flows",
  "delete:flows",
  "read:agents",
  "write:agents",
  "delete:agents",
  "read:prompts",
  "write:prompts",
  "delete:prompts",
  "read:functions",
  "write:functions",
  "delete:functions",
  "read:executions",
  "write:executions",
  "read:credentials",
  "write:credentials",
  "delete:credentials",
  "read:events",
  "publish:events",
  "read:audit",
  "manage:keys",
  "manage:users",
  "manage:workspace",
};

#define READ_ALL (DECA_PERMISSION_READ_FLOWS | DECA_PERMISSION_READ_AGENTS | \
                  DECA_PERMISSION_READ_PROMPTS | DECA_PERMISSION_READ_FUNCTIONS | \
                  DECA_PERMISSION_READ_EXECUTIONS | DECA_PERMISSION_READ_CREDENTIALS | \
                  DECA_PERMISSION_READ_EVENTS)
#define BUILD_ALL (DECA_PERMISSION_WRITE_FLOWS | DECA_PERMISSION_DELETE_FLOWS | \
                   DECA_PERMISSION_WRITE_AGENTS | DECA_PERMISSION_DELETE_AGENTS | \
                   DECA_PERMISSION_WRITE_PROMPTS | DECA_PERMISSION_DELETE_PROMPTS | \
                   DECA_PERMISSION_WRITE_FUNCTIONS | DECA_PERMISSION_DELETE_FUNCTIONS | \
                   DECA_PERMISSION_WRITE_CREDENTIALS | DECA_PERMISSION_DELETE_CREDENTIALS)
#define RUN (DECA_PERMISSION_WRITE_EXECUTIONS | DECA_PERMISSION_PUBLISH_EVENTS)

/* The matrix: one row per role. */
static const DecaPermissions role_permissions[DECA_N_ROLES] = {
  [DECA_ROLE_OWNER] = DECA_PERMISSIONS_ALL,
  [DECA_ROLE_ADMIN] = DECA_PERMISSIONS_ALL & ~DECA_PERMISSION_MANAGE_WORKSPACE,
  [DECA_ROLE_DEVELOPER] = READ_ALL | BUILD_ALL | RUN,
  [DECA_ROLE_VIEWER] = READ_ALL,
  [DECA_ROLE_EXECUTOR] = DECA_PERMISSION_READ_FLOWS | DECA_PERMISSION_READ_EXECUTIONS | RUN,
};

G_STATIC_ASSERT (DECA_PERMISSION_MANAGE_WORKSPACE == 1u << (DECA_N_PERMISSIONS - 1));

const char *
deca_role_to_string (DecaRole role)
{
  if ((guint) role >= DECA_N_ROLES)
    return NULL;
  return role_names[role];
}

gboolean
deca_role_from_string (const char *name,
                       DecaRole   *out_role)
{
  g_return_val_if_fail (out_role != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < DECA_N_ROLES; i++)
    if (strcmp (name, role_names[i]) == 0)
      {
        *out_role = (DecaRole) i;
        return TRUE;
      }
  return FALSE;
}

const char *
deca_permission_to_string (DecaPermission permission)
{
  guint32 bit = (guint32) permission;

  /* Exactly one bit, within range. */
  if (bit == 0 || (bit & (bit - 1)) != 0 || (bit & ~DECA_PERMISSIONS_ALL) != 0)
    return NULL;
  return permission_names[g_bit_nth_lsf (bit, -1)];
}

gboolean
deca_permission_from_string (const char     *name,
                             DecaPermission *out_permission)
{
  g_return_val_if_fail (out_permission != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < DECA_N_PERMISSIONS; i++)
    if (strcmp (name, permission_names[i]) == 0)
      {
        *out_permission = (DecaPermission) (1u << i);
        return TRUE;
      }
  return FALSE;
}

char *
deca_permissions_to_string (DecaPermissions permissions)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < DECA_N_PERMISSIONS; i++)
    if (permissions & (1u << i))
      {
        if (out->len > 0)
          g_string_append_c (out, ' ');
        g_string_append (out, permission_names[i]);
      }
  return g_string_free (out, FALSE);
}

DecaPermissions
deca_permissions_from_string (const char *text)
{
  g_auto(GStrv) names = NULL;

  if (text == NULL)
    return 0;
  /* RFC 6749 separates scopes with spaces; tabs and doubled spaces are tolerated. */
  names = g_strsplit_set (text, " \t", -1);
  return deca_permissions_from_strv ((const char * const *) names);
}

DecaPermissions
deca_permissions_from_strv (const char * const *names)
{
  DecaPermissions permissions = 0;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      DecaPermission permission;

      if (deca_permission_from_string (names[i], &permission))
        permissions |= permission;
    }
  return permissions;
}

DecaPermissions
deca_rbac_role_permissions (DecaRole role)
{
  if ((guint) role >= DECA_N_ROLES)
    return 0;
  return role_permissions[role];
}

gboolean
deca_rbac_role_has_permission (DecaRole       role,
                               DecaPermission permission)
{
  /* A mask of several bits or none is not a permission: it is never granted. */
  if (deca_permission_to_string (permission) == NULL)
    return FALSE;
  return (deca_rbac_role_permissions (role) & permission) != 0;
}

DecaPermissions
deca_rbac_principal_permissions (const DecaPrincipal *principal)
{
  DecaPermissions permissions = 0;

  g_return_val_if_fail (principal != NULL, 0);

  for (guint i = 0; principal->roles != NULL && principal->roles[i] != NULL; i++)
    {
      DecaRole role;

      if (deca_role_from_string (principal->roles[i], &role))
        permissions |= deca_rbac_role_permissions (role);
    }
  if (principal->scopes != NULL)
    permissions &= deca_permissions_from_strv ((const char * const *) principal->scopes);
  return permissions;
}

gboolean
deca_rbac_principal_can (const DecaPrincipal *principal,
                         DecaPermission       permission)
{
  g_return_val_if_fail (principal != NULL, FALSE);

  if (deca_permission_to_string (permission) == NULL)
    return FALSE;
  return (deca_rbac_principal_permissions (principal) & permission) != 0;
}

JsonNode *
deca_rbac_missing_details (DecaPermissions  missing,
                           const char      *role)
{
  JsonNode *details = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *names = json_array_new ();

  for (guint i = 0; i < DECA_N_PERMISSIONS; i++)
    if (missing & (1u << i))
      json_array_add_string_element (names, permission_names[i]);
  json_object_set_array_member (object, "missing", names);
  if (role != NULL)
    json_object_set_string_member (object, "role", role);
  json_node_take_object (details, object);
  return details;
}
