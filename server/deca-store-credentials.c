/* deca-store-credentials.c: credentials of the store, decrypted for executions and
 * re-encrypted for key rotation (see the header). */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>

#include <deca-engine-error.h>

#include "deca-server-error.h"
#include "deca-store-credentials.h"

struct _DecaStoreCredentials
{
  GObject parent_instance;

  DecaStore *store;
  DecaSecretBox *box;
  char *workspace_id;
};

static void deca_store_credentials_provider_init (DecaCredentialProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DecaStoreCredentials, deca_store_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DECA_TYPE_CREDENTIAL_PROVIDER,
                                                      deca_store_credentials_provider_init))

/* Overwrites and frees a JSON text that held a secret. */
static void
wipe_text (char *text)
{
  if (text == NULL)
    return;
  gnutls_memset (text, 0, strlen (text));
  g_free (text);
}

GBytes *
deca_store_credentials_seal (DecaSecretBox  *box,
                             const char     *workspace_id,
                             const char     *credential_id,
                             JsonObject     *secret,
                             GError        **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *context = NULL;
  char *text;
  GBytes *blob;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (box), NULL);
  g_return_val_if_fail (workspace_id != NULL && credential_id != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, secret);
  text = json_to_string (node, FALSE);
  context = deca_secret_box_credential_context (workspace_id, credential_id);
  blob = deca_secret_box_encrypt (box, (const guint8 *) text, strlen (text), context, error);
  wipe_text (text);
  return blob;
}

JsonObject *
deca_store_credentials_open (DecaSecretBox               *box,
                             const DecaCredentialRecord  *record,
                             GError                     **error)
{
  g_autofree char *context = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize len;
  const char *data;
  JsonNode *root;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (box), NULL);
  g_return_val_if_fail (record != NULL && record->ciphertext != NULL, NULL);

  context = deca_secret_box_credential_context (record->workspace_id, record->id);
  plaintext = deca_secret_box_decrypt (box, record->ciphertext, context, &local_error);
  if (plaintext == NULL)
    {
      /* The box's message says which check failed (a key that is not in the ring, a
       * blob that does not authenticate); it never holds key material or plaintext. */
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                   _("The secret of credential “%s” of workspace “%s” does not decrypt: %s"),
                   record->id, record->workspace_id, local_error->message);
      return NULL;
    }
  data = g_bytes_get_data (plaintext, &len);
  /* json-glib copies what it parses into its nodes; those are the caller's to keep. The
   * parser's error would quote the text, so a failure is reported without it. */
  if (!json_parser_load_from_data (parser, data, (gssize) len, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                   _("The secret of credential “%s” of workspace “%s” is not a JSON object"),
                   record->id, record->workspace_id);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

gboolean
deca_store_credentials_rotate (DecaStore      *store,
                               DecaSecretBox  *box,
                               guint          *out_count,
                               GError        **error)
{
  g_autoptr(GPtrArray) records = NULL;
  const char *current;

  g_return_val_if_fail (DECA_IS_STORE (store), FALSE);
  g_return_val_if_fail (DECA_IS_SECRET_BOX (box), FALSE);

  current = deca_secret_box_get_current_key_id (box);
  if (current == NULL)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                           _("There is no secret key to re-encrypt the credentials with"));
      return FALSE;
    }
  if (!deca_store_begin (store, error))
    return FALSE;
  /* Listed inside the transaction, so that a credential created meanwhile by a running
   * server is either in the list or created after the commit (under the same keys). */
  records = deca_store_list_credentials (store, NULL, error);
  if (records == NULL)
    goto fail;
  for (guint i = 0; i < records->len; i++)
    {
      DecaCredentialRecord *record = g_ptr_array_index (records, i);
      g_autofree char *context = deca_secret_box_credential_context (record->workspace_id, record->id);
      g_autoptr(GBytes) blob = NULL;
      g_autoptr(GError) local_error = NULL;

      blob = deca_secret_box_reencrypt (box, record->ciphertext, context, &local_error);
      if (blob == NULL)
        {
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                       _("The secret of credential “%s” of workspace “%s” does not decrypt with any key: %s"),
                       record->id, record->workspace_id, local_error->message);
          goto fail;
        }
      if (!deca_store_rekey_credential (store, record->id, record->key_id, blob, current, error))
        goto fail;
    }
  if (!deca_store_commit (store, error))
    goto fail;
  if (out_count != NULL)
    *out_count = records->len;
  return TRUE;

fail:
  deca_store_rollback (store);
  return FALSE;
}

/* --- the provider ------------------------------------------------------------------- */

/* Credential @name of @workspace_id, decrypted; NULL @workspace_id has none. */
static JsonObject *
lookup_in (DecaStoreCredentials  *self,
           const char            *workspace_id,
           const char            *name,
           GError               **error)
{
  g_autoptr(DecaCredentialRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *fields;

  if (workspace_id != NULL)
    record = deca_store_get_credential_by_name (self->store, workspace_id, name, &local_error);
  if (record == NULL)
    {
      /* The same words as when the workspace has no such credential, whether another
       * workspace has one or not: nothing is said about other workspaces. */
      if (workspace_id == NULL || g_error_matches (local_error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
        g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                     _("credential '%s' is not defined"), name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  fields = deca_store_credentials_open (self->box, record, &local_error);
  if (fields == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_CREDENTIAL,
                   _("credential '%s' is not available: %s"), name, local_error->message);
      return NULL;
    }
  return fields;
}

static JsonObject *
deca_store_credentials_lookup (DecaCredentialProvider  *provider,
                               const char              *name,
                               GError                 **error)
{
  DecaStoreCredentials *self = DECA_STORE_CREDENTIALS (provider);

  return lookup_in (self, self->workspace_id, name, error);
}

static JsonObject *
deca_store_credentials_lookup_in_workspace (DecaCredentialProvider  *provider,
                                            const char              *workspace_id,
                                            const char              *name,
                                            GError                 **error)
{
  DecaStoreCredentials *self = DECA_STORE_CREDENTIALS (provider);

  /* A provider bound to one workspace has nothing for the executions of another. */
  if (self->workspace_id != NULL && !g_str_equal (workspace_id, self->workspace_id))
    return lookup_in (self, NULL, name, error);
  return lookup_in (self, workspace_id, name, error);
}

static void
deca_store_credentials_provider_init (DecaCredentialProviderInterface *iface)
{
  iface->lookup = deca_store_credentials_lookup;
  iface->lookup_in_workspace = deca_store_credentials_lookup_in_workspace;
}

static void
deca_store_credentials_dispose (GObject *object)
{
  DecaStoreCredentials *self = DECA_STORE_CREDENTIALS (object);

  g_clear_object (&self->store);
  g_clear_object (&self->box);
  G_OBJECT_CLASS (deca_store_credentials_parent_class)->dispose (object);
}

static void
deca_store_credentials_finalize (GObject *object)
{
  DecaStoreCredentials *self = DECA_STORE_CREDENTIALS (object);

  g_free (self->workspace_id);
  G_OBJECT_CLASS (deca_store_credentials_parent_class)->finalize (object);
}

static void
deca_store_credentials_class_init (DecaStoreCredentialsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_store_credentials_dispose;
  object_class->finalize = deca_store_credentials_finalize;
}

static void
deca_store_credentials_init (DecaStoreCredentials *self)
{
}

DecaStoreCredentials *
deca_store_credentials_new (DecaStore     *store,
                            DecaSecretBox *box,
                            const char    *workspace_id)
{
  DecaStoreCredentials *self;

  g_return_val_if_fail (DECA_IS_STORE (store), NULL);
  g_return_val_if_fail (DECA_IS_SECRET_BOX (box), NULL);

  self = g_object_new (DECA_TYPE_STORE_CREDENTIALS, NULL);
  self->store = g_object_ref (store);
  self->box = g_object_ref (box);
  self->workspace_id = g_strdup (workspace_id);
  return self;
}

const char *
deca_store_credentials_get_workspace_id (DecaStoreCredentials *self)
{
  g_return_val_if_fail (DECA_IS_STORE_CREDENTIALS (self), NULL);

  return self->workspace_id;
}
