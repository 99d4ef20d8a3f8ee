#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "deca-principal.h"

G_BEGIN_DECLS

/**
 * DecaRole:
 * @DECA_ROLE_OWNER: full access to the workspace, including the workspace itself
 * @DECA_ROLE_ADMIN: everything but the workspace's own settings: members, keys, audit log
 * @DECA_ROLE_DEVELOPER: creates and changes flows, agents, prompts, functions, credentials
 * @DECA_ROLE_VIEWER: reads everything but the audit log; changes nothing
 * @DECA_ROLE_EXECUTOR: runs flows and follows their executions; changes no definition
 *
 * The roles of the seed document's RBAC (a member has one or more).
 */
typedef enum {
  DECA_ROLE_OWNER,
  DECA_ROLE_ADMIN,
  DECA_ROLE_DEVELOPER,
  DECA_ROLE_VIEWER,
  DECA_ROLE_EXECUTOR,
  DECA_N_ROLES,
} DecaRole;

/**
 * DecaPermission:
 *
 * One permission, as a bit; a set of them is a #DecaPermissions mask. The names
 * (deca_permission_to_string()) are the ones tokens carry in their `scope` claim:
 * `verb:resource`.
 */
typedef enum {
  DECA_PERMISSION_READ_FLOWS          = 1u << 0,
  DECA_PERMISSION_WRITE_FLOWS         = 1u << 1,
  DECA_PERMISSION_DELETE_FLOWS        = 1u << 2,
  DECA_PERMISSION_READ_AGENTS         = 1u << 3,
  DECA_PERMISSION_WRITE_AGENTS        = 1u << 4,
  DECA_PERMISSION_DELETE_AGENTS       = 1u << 5,
  DECA_PERMISSION_READ_PROMPTS        = 1u << 6,
  DECA_PERMISSION_WRITE_PROMPTS       = 1u << 7,
  DECA_PERMISSION_DELETE_PROMPTS      = 1u << 8,
  DECA_PERMISSION_READ_FUNCTIONS      = 1u << 9,
  DECA_PERMISSION_WRITE_FUNCTIONS     = 1u << 10,
  DECA_PERMISSION_DELETE_FUNCTIONS    = 1u << 11,
  DECA_PERMISSION_READ_EXECUTIONS     = 1u << 12,
  DECA_PERMISSION_WRITE_EXECUTIONS    = 1u << 13,
  DECA_PERMISSION_READ_CREDENTIALS    = 1u << 14,
  DECA_PERMISSION_WRITE_CREDENTIALS   = 1u << 15,
  DECA_PERMISSION_DELETE_CREDENTIALS  = 1u << 16,
  DECA_PERMISSION_READ_EVENTS         = 1u << 17,
  DECA_PERMISSION_PUBLISH_EVENTS      = 1u << 18,
  DECA_PERMISSION_READ_AUDIT          = 1u << 19,
  DECA_PERMISSION_MANAGE_KEYS         = 1u << 20,
  DECA_PERMISSION_MANAGE_USERS        = 1u << 21,
  DECA_PERMISSION_MANAGE_WORKSPACE    = 1u << 22,
} DecaPermission;

#define DECA_N_PERMISSIONS 23

/* A set of DecaPermission bits. */
typedef guint32 DecaPermissions;

#define DECA_PERMISSIONS_ALL ((DecaPermissions) ((1u << DECA_N_PERMISSIONS) - 1))

/* The role's name ("owner", ...), or NULL for a value that is not a role. */
const char      *deca_role_to_string              (DecaRole             role);
/* Parses a role's name (exact, lower case). FALSE for anything else. */
gboolean         deca_role_from_string            (const char          *name,
                                                   DecaRole            *out_role);

/* The permission's name ("read:flows", ...), or NULL when @permission is not exactly one
 * permission bit. */
const char      *deca_permission_to_string        (DecaPermission       permission);
/* Parses a permission's name (exact). FALSE for anything else. */
gboolean         deca_permission_from_string      (const char          *name,
                                                   DecaPermission      *out_permission);
/* Returns (transfer full) the names of the permissions in @permissions, separated by
 * single spaces in the order of the enumeration ("" for none): the `scope` form. */
char            *deca_permissions_to_string       (DecaPermissions      permissions);
/* Parses space-separated permission names (a token's `scope`). Names that are not
 * permissions of this API (`openid`, `profile`, another API's scopes) are skipped: a
 * token may be meant for several audiences. */
DecaPermissions  deca_permissions_from_string     (const char          *text);
/* The same for a list of names. */
DecaPermissions  deca_permissions_from_strv       (const char * const  *names);

/* What @role may do: its row of the matrix. */
DecaPermissions  deca_rbac_role_permissions       (DecaRole             role);
gboolean         deca_rbac_role_has_permission    (DecaRole             role,
                                                   DecaPermission       permission);
/* What @principal may do: the union of its roles' permissions (role names that are not
 * roles grant nothing), narrowed to its scopes when it carries any (principal->scopes not
 * NULL): a token can only take away from what its roles allow, never add. */
DecaPermissions  deca_rbac_principal_permissions  (const DecaPrincipal *principal);
gboolean         deca_rbac_principal_can          (const DecaPrincipal *principal,
                                                   DecaPermission       permission);

/* Returns (transfer full) the details of a refusal for lacking @missing, the one form every
 * 403 and its audit line have: {"missing": ["write:flows", ...]} (names in the order of the
 * enumeration), with "role": @role when handing out or taking away a role is the reason
 * (NULL otherwise). */
JsonNode        *deca_rbac_missing_details        (DecaPermissions      missing,
                                                   const char          *role);

G_END_DECLS
