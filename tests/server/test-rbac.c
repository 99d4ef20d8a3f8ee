/* test-rbac.c: the role x permission matrix, cell by cell, and principals' permissions. */

#include <string.h>

#include "deca-rbac.h"

/* The expected matrix, written out again independently of server/deca-rbac.c: a change
 * there must be a deliberate change here (and in docs/security.md). Columns: owner, admin,
 * developer, viewer, executor. */
static const struct {
  const char *permission;
  const char *grants;    /* 'x' granted, '.' not, per role */
} matrix[] = {
  { "read:flows",         "xxxxx" },
  { "write:flows",        "xxx.." },
  { "delete:flows",       "xxx.." },
  { "read:agents",        "xxxx." },
  { "write:agents",       "xxx.." },
  { "delete:agents",      "xxx.." },
  { "read:prompts",       "xxxx." },
  { "write:prompts",      "xxx.." },
  { "delete:prompts",     "xxx.." },
  { "read:functions",     "xxxx." },
  { "write:functions",    "xxx.." },
  { "delete:functions",   "xxx.." },
  { "read:executions",    "xxxxx" },
  { "write:executions",   "xxx.x" },
  { "read:credentials",   "xxxx." },
  { "write:credentials",  "xxx.." },
  { "delete:credentials", "xxx.." },
  { "read:events",        "xxxx." },
  { "publish:events",     "xxx.x" },
  { "read:audit",         "xx..." },
  { "manage:keys",        "xx..." },
  { "manage:users",       "xx..." },
  { "manage:workspace",   "x...." },
};

static const char * const roles[] = { "owner", "admin", "developer", "viewer", "executor" };

static void
test_matrix (void)
{
  G_STATIC_ASSERT (G_N_ELEMENTS (matrix) == DECA_N_PERMISSIONS);
  G_STATIC_ASSERT (G_N_ELEMENTS (roles) == DECA_N_ROLES);

  for (guint p = 0; p < G_N_ELEMENTS (matrix); p++)
    {
      DecaPermission permission;

      g_assert_true (deca_permission_from_string (matrix[p].permission, &permission));
      g_assert_cmpstr (deca_permission_to_string (permission), ==, matrix[p].permission);
      for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
        {
          DecaRole role;
          gboolean expected = matrix[p].grants[r] == 'x';

          g_assert_true (deca_role_from_string (roles[r], &role));
          if (deca_rbac_role_has_permission (role, permission) != expected)
            g_error ("%s: %s should %s", roles[r], matrix[p].permission, expected ? "be granted" : "be refused");
          g_assert_cmpint ((deca_rbac_role_permissions (role) & permission) != 0, ==, expected);
        }
    }
}

static void
test_names (void)
{
  DecaRole role;
  DecaPermission permission;
  g_autofree char *all = deca_permissions_to_string (DECA_PERMISSIONS_ALL);
  g_autofree char *none = deca_permissions_to_string (0);
  g_autofree char *viewer = deca_permissions_to_string (deca_rbac_role_permissions (DECA_ROLE_VIEWER));
  g_autofree char *executor = deca_permissions_to_string (deca_rbac_role_permissions (DECA_ROLE_EXECUTOR));

  for (guint r = 0; r < DECA_N_ROLES; r++)
    {
      g_assert_true (deca_role_from_string (deca_role_to_string ((DecaRole) r), &role));
      g_assert_cmpint (role, ==, r);
    }
  g_assert_null (deca_role_to_string (DECA_N_ROLES));
  g_assert_false (deca_role_from_string ("Owner", &role));
  g_assert_false (deca_role_from_string ("root", &role));
  g_assert_false (deca_role_from_string (NULL, &role));

  g_assert_false (deca_permission_from_string ("read:flow", &permission));
  g_assert_false (deca_permission_from_string ("READ:FLOWS", &permission));
  g_assert_false (deca_permission_from_string ("", &permission));
  g_assert_null (deca_permission_to_string (0));
  g_assert_null (deca_permission_to_string (DECA_PERMISSION_READ_FLOWS | DECA_PERMISSION_WRITE_FLOWS));
  g_assert_null (deca_permission_to_string ((DecaPermission) (1u << DECA_N_PERMISSIONS)));
  g_assert_false (deca_rbac_role_has_permission (DECA_ROLE_OWNER, DECA_PERMISSION_READ_FLOWS | DECA_PERMISSION_WRITE_FLOWS));
  g_assert_false (deca_rbac_role_has_permission (DECA_N_ROLES, DECA_PERMISSION_READ_FLOWS));
  g_assert_cmpuint (deca_rbac_role_permissions (DECA_N_ROLES), ==, 0);

  g_assert_cmpstr (none, ==, "");
  g_assert_cmpstr (viewer, ==, "read:flows read:agents read:prompts read:functions read:executions "
                               "read:credentials read:events");
  g_assert_cmpstr (executor, ==, "read:flows read:executions write:executions publish:events");
  /* Printing and parsing are inverse. */
  g_assert_cmpuint (deca_permissions_from_string (all), ==, DECA_PERMISSIONS_ALL);
  g_assert_cmpuint (deca_permissions_from_string (viewer), ==, deca_rbac_role_permissions (DECA_ROLE_VIEWER));
  /* Scopes of other APIs and stray spaces are skipped. */
  g_assert_cmpuint (deca_permissions_from_string ("openid  read:flows\tprofile write:agents "), ==,
                    DECA_PERMISSION_READ_FLOWS | DECA_PERMISSION_WRITE_AGENTS);
  g_assert_cmpuint (deca_permissions_from_string (NULL), ==, 0);
  g_assert_cmpuint (deca_permissions_from_string (""), ==, 0);
}

static DecaPrincipal *
principal (const char *roles_text,
           const char *scopes_text)
{
  DecaPrincipal *self = deca_principal_new (DECA_PRINCIPAL_TOKEN, "user-1");

  g_strfreev (self->roles);
  self->roles = g_strsplit (roles_text, " ", -1);
  if (roles_text[0] == '\0')
    {
      g_strfreev (self->roles);
      self->roles = g_new0 (char *, 1);
    }
  if (scopes_text != NULL)
    self->scopes = g_strsplit (scopes_text, " ", -1);
  return self;
}

static void
test_principal (void)
{
  g_autoptr(DecaPrincipal) developer = principal ("developer", NULL);
  g_autoptr(DecaPrincipal) two = principal ("viewer executor", NULL);
  g_autoptr(DecaPrincipal) narrowed = principal ("admin developer", "read:flows write:flows openid");
  g_autoptr(DecaPrincipal) widened = principal ("viewer", "read:flows write:flows manage:workspace");
  g_autoptr(DecaPrincipal) empty_scope = principal ("owner", "");
  g_autoptr(DecaPrincipal) unknown = principal ("root superuser", NULL);
  g_autoptr(DecaPrincipal) nobody = principal ("", NULL);
  g_autoptr(DecaPrincipal) copy = NULL;

  /* Without scopes, the roles decide. */
  g_assert_cmpuint (deca_rbac_principal_permissions (developer), ==, deca_rbac_role_permissions (DECA_ROLE_DEVELOPER));
  /* Several roles: the union. */
  g_assert_cmpuint (deca_rbac_principal_permissions (two), ==,
                    deca_rbac_role_permissions (DECA_ROLE_VIEWER) | deca_rbac_role_permissions (DECA_ROLE_EXECUTOR));
  g_assert_true (deca_rbac_principal_can (two, DECA_PERMISSION_WRITE_EXECUTIONS));
  g_assert_false (deca_rbac_principal_can (two, DECA_PERMISSION_WRITE_FLOWS));
  /* Scopes narrow ... */
  g_assert_cmpuint (deca_rbac_principal_permissions (narrowed), ==,
                    DECA_PERMISSION_READ_FLOWS | DECA_PERMISSION_WRITE_FLOWS);
  g_assert_false (deca_rbac_principal_can (narrowed, DECA_PERMISSION_MANAGE_USERS));
  /* ... and never widen. */
  g_assert_cmpuint (deca_rbac_principal_permissions (widened), ==, DECA_PERMISSION_READ_FLOWS);
  g_assert_false (deca_rbac_principal_can (widened, DECA_PERMISSION_MANAGE_WORKSPACE));
  /* A token with an empty scope may do nothing. */
  g_assert_cmpuint (deca_rbac_principal_permissions (empty_scope), ==, 0);
  /* Names that are not roles grant nothing. */
  g_assert_cmpuint (deca_rbac_principal_permissions (unknown), ==, 0);
  g_assert_cmpuint (deca_rbac_principal_permissions (nobody), ==, 0);
  g_assert_false (deca_rbac_principal_can (developer, 0));

  copy = deca_principal_copy (narrowed);
  g_assert_cmpuint (deca_rbac_principal_permissions (copy), ==, deca_rbac_principal_permissions (narrowed));
  g_assert_true (deca_principal_has_role (copy, "admin"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deca/server/rbac/matrix", test_matrix);
  g_test_add_func ("/deca/server/rbac/names", test_names);
  g_test_add_func ("/deca/server/rbac/principal", test_principal);
  return g_test_run ();
}
