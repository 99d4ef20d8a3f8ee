#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * DecaApiKey: the keys automation clients send as "Authorization: Bearer deca_<id>_<secret>".
 *
 * The id (16 lower-case hex digits) names the key in the store, the audit log and the
 * API; it is not secret. The secret is DECA_API_KEY_SECRET_BYTES random bytes from
 * GnuTLS's key-grade generator, in base64url. The server keeps only the id and
 * deca_api_key_hash() of the secret; the whole key is shown once, when it is made.
 */

#define DECA_API_KEY_PREFIX "deca_"
#define DECA_API_KEY_ID_LENGTH 16
#define DECA_API_KEY_SECRET_BYTES 32
/* Longer texts are refused before they are looked at. */
#define DECA_API_KEY_MAX_LENGTH 256

typedef struct _DecaApiKey DecaApiKey;

#define DECA_TYPE_API_KEY (deca_api_key_get_type ())
GType       deca_api_key_get_type    (void) G_GNUC_CONST;

/* Returns (transfer full) a new random key, or NULL with DECA_SERVER_ERROR_CRYPTO when the
 * random generator fails. */
DecaApiKey *deca_api_key_generate    (GError          **error);
/* Splits the text a client presented into id and secret. A text that is not an API key
 * of this shape fails with DECA_SERVER_ERROR_TOKEN (an authentication failure); the
 * message never repeats the text. */
DecaApiKey *deca_api_key_parse       (const char       *text,
                                      GError          **error);
/* TRUE when @text starts like an API key (so that the caller can tell it from a JWT). */
gboolean    deca_api_key_looks_like  (const char       *text);

DecaApiKey *deca_api_key_copy        (const DecaApiKey *self);
/* Frees the key, overwriting the secret first. */
void        deca_api_key_free        (DecaApiKey       *self);

const char *deca_api_key_get_id      (const DecaApiKey *self);
/* Returns (transfer none) the whole key, "deca_<id>_<secret>": for showing once. */
const char *deca_api_key_get_text    (const DecaApiKey *self);
/* Returns (transfer full) what the store keeps: the SHA-256 of the secret, in lower-case
 * hex (64 digits). A plain hash and no slow KDF (PBKDF2, Argon2), because the secret is
 * 256 random bits and not a password: there is nothing to guess by trying candidates, and
 * a fast hash keeps checking a key cheap on every request. */
char       *deca_api_key_hash        (const DecaApiKey *self);
/* TRUE when @stored_hash (from deca_api_key_hash()) is the hash of this key's secret. The
 * comparison takes the same time wherever the hashes differ. */
gboolean    deca_api_key_verify      (const DecaApiKey *self,
                                      const char       *stored_hash);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaApiKey, deca_api_key_free)

G_END_DECLS
