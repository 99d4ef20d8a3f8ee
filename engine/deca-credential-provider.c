#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-credential-provider.h"
#include "deca-engine-error.h"

G_DEFINE_INTERFACE (DecaCredentialProvider, deca_credential_provider, G_TYPE_OBJECT)

static void
deca_credential_provider_default_init (DecaCredentialProviderInterface *iface)
{
}

JsonObject *
deca_credential_provider_lookup (DecaCredentialProvider  *self,
                                 const char              *name,
                                 GError                 **error)
{
  g_return_val_if_fail (DECA_IS_CREDENTIAL_PROVIDER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return DECA_CREDENTIAL_PROVIDER_GET_IFACE (self)->lookup (self, name, error);
}

JsonObject *
deca_credential_provider_lookup_in_workspace (DecaCredentialProvider  *self,
                                              const char              *workspace_id,
                                              const char              *name,
                                              GError                 **error)
{
  DecaCredentialProviderInterface *iface;

  g_return_val_if_fail (DECA_IS_CREDENTIAL_PROVIDER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  iface = DECA_CREDENTIAL_PROVIDER_GET_IFACE (self);
  if (workspace_id == NULL || iface->lookup_in_workspace == NULL)
    return iface->lookup (self, name, error);
  return iface->lookup_in_workspace (self, workspace_id, name, error);
}

gboolean
deca_credential_provider_is_per_workspace (DecaCredentialProvider *self)
{
  g_return_val_if_fail (DECA_IS_CREDENTIAL_PROVIDER (self), FALSE);

  return DECA_CREDENTIAL_PROVIDER_GET_IFACE (self)->lookup_in_workspace != NULL;
}

/* --- in-memory provider --------------------------------------------------------------- */

struct _DecaMemoryCredentialProvider
{
  GObject parent_instance;
  GHashTable *credentials;   /* name -> JsonObject */
};

static void deca_memory_credential_provider_iface_init (DecaCredentialProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DecaMemoryCredentialProvider, deca_memory_credential_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DECA_TYPE_CREDENTIAL_PROVIDER,
                                                      deca_memory_credential_provider_iface_init))

static JsonObject *
deca_memory_credential_provider_lookup (DecaCredentialProvider  *provider,
                                        const char              *name,
                                        GError                 **error)
{
  DecaMemoryCredentialProvider *self = DECA_MEMORY_CREDENTIAL_PROVIDER (provider);
  JsonObject *fields = g_hash_table_lookup (self->credentials, name);

  if (fields == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                   _("credential '%s' is not defined"), name);
      return NULL;
    }
  return json_object_ref (fields);
}

static void
deca_memory_credential_provider_finalize (GObject *object)
{
  DecaMemoryCredentialProvider *self = DECA_MEMORY_CREDENTIAL_PROVIDER (object);

  g_hash_table_unref (self->credentials);
  G_OBJECT_CLASS (deca_memory_credential_provider_parent_class)->finalize (object);
}

static void
deca_memory_credential_provider_iface_init (DecaCredentialProviderInterface *iface)
{
  iface->lookup = deca_memory_credential_provider_lookup;
}

static void
deca_memory_credential_provider_class_init (DecaMemoryCredentialProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = deca_memory_credential_provider_finalize;
}

static void
deca_memory_credential_provider_init (DecaMemoryCredentialProvider *self)
{
  self->credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) json_object_unref);
}

DecaMemoryCredentialProvider *
deca_memory_credential_provider_new (void)
{
  return g_object_new (DECA_TYPE_MEMORY_CREDENTIAL_PROVIDER, NULL);
}

void
deca_memory_credential_provider_set (DecaMemoryCredentialProvider *self,
                                     const char                   *name,
                                     JsonObject                   *fields)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) copy = NULL;

  g_return_if_fail (DECA_IS_MEMORY_CREDENTIAL_PROVIDER (self));
  g_return_if_fail (name != NULL && fields != NULL);

  /* A deep copy, so later changes by the caller do not leak into running executions. */
  node = json_node_init_object (json_node_alloc (), fields);
  copy = json_node_copy (node);
  g_hash_table_replace (self->credentials, g_strdup (name), json_object_ref (json_node_get_object (copy)));
}

gboolean
deca_memory_credential_provider_load_file (DecaMemoryCredentialProvider *self,
                                           const char                   *path,
                                           GError                      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  g_return_val_if_fail (DECA_IS_MEMORY_CREDENTIAL_PROVIDER (self), FALSE);

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                   "%s: %s", path, local_error->message);
      return FALSE;
    }
  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                   _("%s: expected an object of credentials, {\"name\": {\"field\": \"value\"}}"), path);
      return FALSE;
    }

  root = json_node_get_object (json_parser_get_root (parser));
  /* Check everything first, so a bad file changes nothing. */
  json_object_iter_init (&iter, root);
  while (json_object_iter_next (&iter, &name, &value))
    if (!JSON_NODE_HOLDS_OBJECT (value))
      {
        g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                     _("%s: credential '%s' must be an object of fields"), path, name);
        return FALSE;
      }
  json_object_iter_init (&iter, root);
  while (json_object_iter_next (&iter, &name, &value))
    deca_memory_credential_provider_set (self, name, json_node_get_object (value));
  return TRUE;
}
