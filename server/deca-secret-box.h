#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * DecaSecretBox: encryption of credential secrets at rest, AES-256-GCM.
 *
 * A keyring of 32-byte keys, each with an id. The current key (the last one loaded, or the
 * one chosen with deca_secret_box_set_current_key()) encrypts; every key decrypts what it
 * encrypted, so that after a rotation old records stay readable until
 * deca_secret_box_reencrypt() has moved them to the new key.
 *
 * An encrypted secret, as bytes (docs/security.md):
 *
 *   "v1" | id length (1 byte) | key id | nonce (12 random bytes) | ciphertext | tag (16)
 *
 * The header (version and key id) and the caller's associated data are authenticated
 * with the ciphertext: pass what identifies the record
 * (deca_secret_box_credential_context()) and a ciphertext copied into another record no longer decrypts. The text form is
 * the same bytes in standard base64, for JSON and SQL text columns.
 *
 * Keys come from text: one key alone (64 hex digits, or base64 of 32 bytes), or one
 * `id:key` per line (or separated by commas, for an environment variable); empty lines and
 * lines starting with '#' are skipped. Key material is overwritten when the box is freed.
 * Load keys before sharing the box between threads; encrypting and decrypting are then
 * safe from any thread.
 */

#define DECA_TYPE_SECRET_BOX (deca_secret_box_get_type ())
G_DECLARE_FINAL_TYPE (DecaSecretBox, deca_secret_box, DECA, SECRET_BOX, GObject)

#define DECA_SECRET_BOX_KEY_SIZE 32
#define DECA_SECRET_BOX_NONCE_SIZE 12
#define DECA_SECRET_BOX_TAG_SIZE 16
#define DECA_SECRET_BOX_MAX_KEY_ID 64
/* The environment variable deca_secret_box_load_environment() reads. */
#define DECA_SECRET_BOX_ENVIRONMENT "DECA_SECRET_KEY"
/* The id of a key given alone, without "id:". */
#define DECA_SECRET_BOX_DEFAULT_KEY_ID "default"

DecaSecretBox *deca_secret_box_new                (void);

/* Adds the key @id (1 to 64 of A-Z a-z 0-9 . _ -) of @len bytes (32) and makes it the
 * current one. A bad id or length, or an id already in the ring: DECA_SERVER_ERROR_CONFIG. */
gboolean       deca_secret_box_add_key            (DecaSecretBox  *self,
                                                   const char     *id,
                                                   const guint8   *key,
                                                   gsize           len,
                                                   GError        **error);
/* Adds the keys of @text (the syntax above); the last becomes current. Nothing is added
 * when any entry is bad (DECA_SERVER_ERROR_CONFIG, naming the entry, never its key). */
gboolean       deca_secret_box_load_keys          (DecaSecretBox  *self,
                                                   const char     *text,
                                                   GError        **error);
gboolean       deca_secret_box_load_key_file      (DecaSecretBox  *self,
                                                   const char     *path,
                                                   GError        **error);
/* Loads the keys of $DECA_SECRET_KEY; DECA_SERVER_ERROR_CONFIG when it is unset or bad. */
gboolean       deca_secret_box_load_environment   (DecaSecretBox  *self,
                                                   GError        **error);

guint          deca_secret_box_get_n_keys         (DecaSecretBox  *self);
gboolean       deca_secret_box_has_key            (DecaSecretBox  *self,
                                                   const char     *id);
/* The id of the key that encrypts, or NULL when the ring is empty. */
const char    *deca_secret_box_get_current_key_id (DecaSecretBox  *self);
gboolean       deca_secret_box_set_current_key    (DecaSecretBox  *self,
                                                   const char     *id,
                                                   GError        **error);

/* Encrypts @len bytes at @plaintext under the current key, bound to @associated_data
 * (nullable: none). Returns (transfer full) the encrypted secret, or NULL with
 * DECA_SERVER_ERROR_CRYPTO (no key, a failing random generator). */
GBytes        *deca_secret_box_encrypt            (DecaSecretBox  *self,
                                                   const guint8   *plaintext,
                                                   gsize           len,
                                                   const char     *associated_data,
                                                   GError        **error);
/* Decrypts @blob with the key it names. Returns (transfer full) the plaintext, whose
 * memory is overwritten when the last reference goes, or NULL with
 * DECA_SERVER_ERROR_CRYPTO when the blob is truncated or of an unknown format, its key is
 * not in the ring, or it does not authenticate (changed, another record's, a wrong key). */
GBytes        *deca_secret_box_decrypt            (DecaSecretBox  *self,
                                                   GBytes         *blob,
                                                   const char     *associated_data,
                                                   GError        **error);
/* Decrypts @blob and encrypts it again under the current key (with a fresh nonce), for
 * rotation. Returns (transfer full) the new blob, or NULL with the errors of decrypt. */
GBytes        *deca_secret_box_reencrypt          (DecaSecretBox  *self,
                                                   GBytes         *blob,
                                                   const char     *associated_data,
                                                   GError        **error);
/* Returns (transfer full) the id of the key @blob was encrypted with, or NULL when @blob
 * is not an encrypted secret: what a rotation uses to find the records still to move. */
char          *deca_secret_box_get_blob_key_id    (GBytes         *blob);

/* The text form: the same, with the blob in standard base64. The plaintext is a string;
 * free what decrypt_text returns with deca_secret_box_free_text(). */
char          *deca_secret_box_encrypt_text       (DecaSecretBox  *self,
                                                   const char     *plaintext,
                                                   const char     *associated_data,
                                                   GError        **error);
char          *deca_secret_box_decrypt_text       (DecaSecretBox  *self,
                                                   const char     *text,
                                                   const char     *associated_data,
                                                   GError        **error);
char          *deca_secret_box_reencrypt_text     (DecaSecretBox  *self,
                                                   const char     *text,
                                                   const char     *associated_data,
                                                   GError        **error);
/* Overwrites and frees a decrypted string (NULL is ignored). */
void           deca_secret_box_free_text          (char           *text);

/* Returns (transfer full) the associated data that binds a credential's secret to its
 * record: "credential:<length of @workspace_id>:<workspace_id>:<credential_id>". The
 * length keeps the pair unambiguous whatever characters the ids contain. */
char          *deca_secret_box_credential_context (const char     *workspace_id,
                                                   const char     *credential_id);

/* Returns (transfer full) a new random key as a key file line "@id:<base64>" (for `deca
 * serve --init` and `--rotate-key`), or NULL with DECA_SERVER_ERROR_CONFIG for a bad id
 * or DECA_SERVER_ERROR_CRYPTO when the random generator fails. */
char          *deca_secret_box_generate_key_line  (const char     *id,
                                                   GError        **error);

G_END_DECLS
