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
 */

#define DECA_TYPE_CREDENTIAL_PROVIDER (deca_credential_provider_get_type ())
G_DECLARE_INTERFACE (DecaCredentialProvider, deca_credential_provider, DECA, CREDENTIAL_PROVIDER, GObject)

struct _DecaCredentialProviderInterface
{
  GTypeInterface parent_iface;

  JsonObject *(*lookup) (DecaCredentialProvider  *self,
                         const char              *name,
                         GError                 **error);
};

/* Returns (transfer full) the fields of credential @name, or NULL with
 * DECA_ENGINE_ERROR_CREDENTIAL ("credential 'x' is not defined"). */
JsonObject *deca_credential_provider_lookup (DecaCredentialProvider  *self,
                                             const char              *name,
                                             GError                 **error);

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
