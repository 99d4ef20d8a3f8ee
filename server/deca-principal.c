/* deca-principal.c: who is calling. */

#include "config.h"

#include "deca-principal.h"

G_DEFINE_BOXED_TYPE (DecaPrincipal, deca_principal, deca_principal_copy, deca_principal_free)

DecaPrincipal *
deca_principal_new (DecaPrincipalKind  kind,
                    const char        *subject)
{
  DecaPrincipal *self;

  g_return_val_if_fail (subject != NULL, NULL);

  self = g_new0 (DecaPrincipal, 1);
  self->kind = kind;
  self->subject = g_strdup (subject);
  self->roles = g_new0 (char *, 1);
  return self;
}

DecaPrincipal *
deca_principal_copy (const DecaPrincipal *self)
{
  DecaPrincipal *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (DecaPrincipal, 1);
  copy->kind = self->kind;
  copy->subject = g_strdup (self->subject);
  copy->workspace_id = g_strdup (self->workspace_id);
  copy->roles = g_strdupv (self->roles);
  copy->scopes = g_strdupv (self->scopes);
  return copy;
}

void
deca_principal_free (DecaPrincipal *self)
{
  if (self == NULL)
    return;
  g_free (self->subject);
  g_free (self->workspace_id);
  g_strfreev (self->roles);
  g_strfreev (self->scopes);
  g_free (self);
}

gboolean
deca_principal_has_role (const DecaPrincipal *self,
                         const char          *role)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (role != NULL, FALSE);

  return self->roles != NULL && g_strv_contains ((const char * const *) self->roles, role);
}
