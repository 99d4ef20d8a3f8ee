#pragma once

#include <deca-credential-provider.h>
#include <deca-store-server.h>
#include <json-glib/json-glib.h>

#include "deca-secret-box.h"

G_BEGIN_DECLS

/*
 * DecaStoreCredentials: the server's DecaCredentialProvider. It resolves
 * {{credentials.NAME.FIELD}} for an execution by reading credential NAME of the
 * execution's workspace from the store and decrypting its secret with a DecaSecretBox
 * (docs/security.md, "Secrets at rest"). It keeps credentials per workspace: the
 * executor asks with deca_credential_provider_lookup_in_workspace(), and a name that only
 * another workspace has is "not defined". Nothing is cached here (the executor keeps what
 * one execution resolved for that execution): a credential changed or deleted through the
 * API is seen by the next execution. Like the store, it is used from the thread that
 * opened the store.
 *
 * A secret is a JSON object of string fields ({"api_key": "..."}), stored as the
 * ciphertext of its JSON text under deca_secret_box_credential_context (workspace, id).
 * The helpers below are what the credentials routes and `deca serve --rotate-key` share.
 */

#define DECA_TYPE_STORE_CREDENTIALS (deca_store_credentials_get_type ())
G_DECLARE_FINAL_TYPE (DecaStoreCredentials, deca_store_credentials, DECA, STORE_CREDENTIALS, GObject)

/* Returns (transfer full) a provider for the credentials of @store, decrypted with @box
 * (both referenced). With @workspace_id NULL it serves every workspace (what `deca serve`
 * gives its executor): each lookup is of the execution's workspace, and one that names no
 * workspace finds nothing. With @workspace_id set it serves that workspace only: plain
 * lookups are of it, and lookups for another workspace find nothing. */
DecaStoreCredentials *deca_store_credentials_new              (DecaStore      *store,
                                                               DecaSecretBox  *box,
                                                               const char     *workspace_id);
/* Returns (nullable) the workspace it is bound to. */
const char           *deca_store_credentials_get_workspace_id (DecaStoreCredentials *self);

/* Encrypts @secret (its JSON text) under @box's current key for credential @credential_id
 * of @workspace_id. Returns (transfer full) the blob, or NULL with DECA_SERVER_ERROR_CRYPTO
 * (no key). The plaintext is overwritten before it is freed. */
GBytes     *deca_store_credentials_seal   (DecaSecretBox  *box,
                                           const char     *workspace_id,
                                           const char     *credential_id,
                                           JsonObject     *secret,
                                           GError        **error);
/* Decrypts the secret of @record. Returns (transfer full) its fields, or NULL with
 * DECA_SERVER_ERROR_CRYPTO (the message names the credential, never its content). */
JsonObject *deca_store_credentials_open   (DecaSecretBox               *box,
                                           const DecaCredentialRecord  *record,
                                           GError                     **error);

/* Key rotation: re-encrypts the secret of every credential of every workspace under
 * @box's current key, in one transaction. Each one must decrypt with a key of @box: the
 * first that does not fails the whole rotation (DECA_SERVER_ERROR_CRYPTO, naming the
 * credential's workspace and id) and nothing is changed. @out_count (nullable) receives
 * how many were re-encrypted. */
gboolean    deca_store_credentials_rotate (DecaStore      *store,
                                           DecaSecretBox  *box,
                                           guint          *out_count,
                                           GError        **error);

G_END_DECLS
