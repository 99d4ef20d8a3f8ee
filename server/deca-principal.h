#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * DecaPrincipalKind:
 * @DECA_PRINCIPAL_TOKEN: a person or service that presented a verified bearer JWT
 * @DECA_PRINCIPAL_API_KEY: an automation client that presented an API key
 *
 * How the caller of a request proved who it is.
 */
typedef enum {
  DECA_PRINCIPAL_TOKEN,
  DECA_PRINCIPAL_API_KEY,
} DecaPrincipalKind;

/**
 * DecaPrincipal:
 * @kind: how the caller authenticated
 * @subject: who the caller is: a JWT's `sub`, or an API key's id
 * @workspace_id: (nullable): the workspace the credentials are bound to, if any
 * @roles: (array zero-terminated=1): the caller's roles by name (never %NULL; may be empty)
 * @scopes: (array zero-terminated=1) (nullable): the token's scopes, or %NULL when the
 *   credentials carry no `scope` claim, i.e. do not narrow what the roles allow
 *
 * Who is calling, as the authentication layer established it. A plain value: the RBAC
 * module (deca-rbac.h) turns it into the permissions it has.
 */
typedef struct {
  DecaPrincipalKind kind;
  char *subject;
  char *workspace_id;
  GStrv roles;
  GStrv scopes;
} DecaPrincipal;

#define DECA_TYPE_PRINCIPAL (deca_principal_get_type ())
GType          deca_principal_get_type (void) G_GNUC_CONST;

/* Returns (transfer full) a principal of @kind for @subject, with no workspace, no roles
 * and no scopes (NULL). */
DecaPrincipal *deca_principal_new      (DecaPrincipalKind    kind,
                                        const char          *subject);
DecaPrincipal *deca_principal_copy     (const DecaPrincipal *self);
void           deca_principal_free     (DecaPrincipal       *self);
/* TRUE when @role is one of the principal's roles. */
gboolean       deca_principal_has_role (const DecaPrincipal *self,
                                        const char          *role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaPrincipal, deca_principal_free)

G_END_DECLS
