#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * DecaCredentialProvider: resolves a credential name ("openai") to its fields
 * ({"api_key": "..."}) at run time. Flows reference credentials, never contain them:
 * {{credentials.openai.api_key}} in a template, or a node option such as the http node's
 * auth.credential. The desktop backs this with libsecret, the server with its encrypted
 * store; the engine ships an in-memory provider used by the CLI and the tests.
 *
 * The executor asks for a credential on behalf of an execution, and says which workspace
 * that execution belongs to (its flow's, in the store: engine/deca-store.h). A provider
 * that keeps credentials per workspace (the server's) implements lookup_in_workspace and
 * answers from that workspace alone. The others (the desktop's keyring, the CLI's file:
 * one person's credentials) leave it NULL and are asked with lookup, whatever the
 * workspace.
 */

#define DECA_TYPE_CREDENTIAL_PROVIDER (deca_credential_provider_get_type ())
G_DECLARE_INTERFACE (DecaCredentialProvider, deca_credential_provider, DECA, CREDENTIAL_PROVIDER, GObject)

struct _DecaCredentialProviderInterface
{
  GTypeInterface parent_iface;

  JsonObject *(*lookup) (DecaCredentialProvider  *self,
                         const char              *name,
                         GError                 **error);
  /* Optional. @workspace_id is never NULL here. */
  JsonObject *(*lookup_in_workspace) (DecaCredentialProvider  *self,
                                      const char              *workspace_id,
                                      const char              *name,
                                      GError                 **error);
};

/* Returns (transfer full) the fields of credential @name, or NULL with
 * DECA_ENGINE_ERROR_CREDENTIAL ("credential 'x' is not defined"). */
JsonObject *deca_credential_provider_lookup (DecaCredentialProvider  *self,
                                             const char              *name,
                                             GError                 **error);
/* Returns (transfer full) the fields of credential @name for an execution of
 * @workspace_id, or NULL with DECA_ENGINE_ERROR_CREDENTIAL. A provider with per-workspace
 * credentials answers from @workspace_id's only: a name that only another workspace has
 * is not defined. With @workspace_id NULL (the workspace is not known: an executor
 * without a store), or for a provider without lookup_in_workspace, this is
 * deca_credential_provider_lookup(). */
JsonObject *deca_credential_provider_lookup_in_workspace (DecaCredentialProvider  *self,
                                                          const char              *workspace_id,
                                                          const char              *name,
                                                          GError                 **error);
/* Whether @self keeps credentials per workspace (implements lookup_in_workspace). */
gboolean    deca_credential_provider_is_per_workspace    (DecaCredentialProvider  *self);

#define DECA_TYPE_MEMORY_CREDENTIAL_PROVIDER (deca_memory_credential_provider_get_type ())
G_DECLARE_FINAL_TYPE (DecaMemoryCredentialProvider, deca_memory_credential_provider, DECA, MEMORY_CREDENTIAL_PROVIDER, GObject)

DecaMemoryCredentialProvider *deca_memory_credential_provider_new (void);
/* Sets credential @name to a copy of @fields. */
void deca_memory_credential_provider_set (DecaMemoryCredentialProvider *self,
                                          const char                   *name,
                                          JsonObject                   *fields);
/* Loads a JSON file of the form {"name": {"field": "value", ...}, ...}. Fails with a
 * message naming the file and the problem. */
gboolean deca_memory_credential_provider_load_file (DecaMemoryCredentialProvider *self,
                                                    const char                   *path,
                                                    GError                      **error);

G_END_DECLS
