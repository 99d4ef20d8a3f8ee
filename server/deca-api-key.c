/* deca-api-key.c: API keys for automation clients. */

#include "config.h"

#include "deca-api-key.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "deca-base64url.h"
#include "deca-server-error.h"

#define PREFIX_LENGTH (sizeof DECA_API_KEY_PREFIX - 1)
#define HASH_HEX_LENGTH 64

struct _DecaApiKey
{
  char id[DECA_API_KEY_ID_LENGTH + 1];
  char *secret;       /* base64url; wiped on free */
  char *text;         /* prefix, id, '_', secret; wiped on free */
};

G_DEFINE_BOXED_TYPE (DecaApiKey, deca_api_key, deca_api_key_copy, deca_api_key_free)

static DecaApiKey *
api_key_new (const char *id,
             const char *secret)
{
  DecaApiKey *self = g_new0 (DecaApiKey, 1);

  g_assert (strlen (id) == DECA_API_KEY_ID_LENGTH);
  memcpy (self->id, id, DECA_API_KEY_ID_LENGTH + 1);
  self->secret = g_strdup (secret);
  self->text = g_strconcat (DECA_API_KEY_PREFIX, id, "_", secret, NULL);
  return self;
}

DecaApiKey *
deca_api_key_generate (GError **error)
{
  guint8 id_bytes[DECA_API_KEY_ID_LENGTH / 2];
  guint8 secret_bytes[DECA_API_KEY_SECRET_BYTES];
  char id[DECA_API_KEY_ID_LENGTH + 1];
  g_autofree char *secret = NULL;
  DecaApiKey *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The id only has to be unique, the secret unguessable: nonce-grade randomness for the
   * one, key-grade for the other. */
  if (gnutls_rnd (GNUTLS_RND_NONCE, id_bytes, sizeof id_bytes) < 0 ||
      gnutls_rnd (GNUTLS_RND_KEY, secret_bytes, sizeof secret_bytes) < 0)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                           _("The random number generator failed"));
      return NULL;
    }
  for (gsize i = 0; i < sizeof id_bytes; i++)
    g_snprintf (id + 2 * i, 3, "%02x", id_bytes[i]);
  secret = deca_base64url_encode (secret_bytes, sizeof secret_bytes);
  gnutls_memset (secret_bytes, 0, sizeof secret_bytes);

  self = api_key_new (id, secret);
  gnutls_memset (secret, 0, strlen (secret));
  return self;
}

gboolean
deca_api_key_looks_like (const char *text)
{
  return text != NULL && strncmp (text, DECA_API_KEY_PREFIX, PREFIX_LENGTH) == 0;
}

DecaApiKey *
deca_api_key_parse (const char  *text,
                    GError     **error)
{
  g_autofree guint8 *secret_bytes = NULL;
  char id[DECA_API_KEY_ID_LENGTH + 1];
  const char *secret;
  gsize len, secret_len;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!deca_api_key_looks_like (text))
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("An API key starts with “deca_”"));
      return NULL;
    }
  len = strnlen (text, DECA_API_KEY_MAX_LENGTH + 1);
  if (len > DECA_API_KEY_MAX_LENGTH)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                   _("The API key is longer than %d characters"), DECA_API_KEY_MAX_LENGTH);
      return NULL;
    }
  for (gsize i = 0; i < DECA_API_KEY_ID_LENGTH; i++)
    {
      char c = text[PREFIX_LENGTH + i];

      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
        {
          g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                               _("The API key's id is not 16 hexadecimal digits"));
          return NULL;
        }
      id[i] = c;
    }
  id[DECA_API_KEY_ID_LENGTH] = '\0';
  if (text[PREFIX_LENGTH + DECA_API_KEY_ID_LENGTH] != '_')
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("The API key's id is not 16 hexadecimal digits"));
      return NULL;
    }
  secret = text + PREFIX_LENGTH + DECA_API_KEY_ID_LENGTH + 1;
  secret_bytes = deca_base64url_decode (secret, -1, &secret_len);
  if (secret_bytes == NULL || secret_len < DECA_API_KEY_SECRET_BYTES)
    {
      if (secret_bytes != NULL)
        gnutls_memset (secret_bytes, 0, secret_len);
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                   _("The API key's secret is not %d or more bytes in base64url"),
                   DECA_API_KEY_SECRET_BYTES);
      return NULL;
    }
  gnutls_memset (secret_bytes, 0, secret_len);
  return api_key_new (id, secret);
}

DecaApiKey *
deca_api_key_copy (const DecaApiKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return api_key_new (self->id, self->secret);
}

static void
wipe_string (char *text)
{
  if (text != NULL)
    gnutls_memset (text, 0, strlen (text));
  g_free (text);
}

void
deca_api_key_free (DecaApiKey *self)
{
  if (self == NULL)
    return;
  wipe_string (self->secret);
  wipe_string (self->text);
  g_free (self);
}

const char *
deca_api_key_get_id (const DecaApiKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->id;
}

const char *
deca_api_key_get_text (const DecaApiKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

char *
deca_api_key_hash (const DecaApiKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, self->secret, -1);
}

gboolean
deca_api_key_verify (const DecaApiKey *self,
                     const char       *stored_hash)
{
  g_autofree char *hash = NULL;
  char stored[HASH_HEX_LENGTH];

  g_return_val_if_fail (self != NULL, FALSE);

  if (stored_hash == NULL || strnlen (stored_hash, HASH_HEX_LENGTH + 1) != HASH_HEX_LENGTH)
    return FALSE;
  /* Hex digits in either case are the same hash. */
  for (gsize i = 0; i < HASH_HEX_LENGTH; i++)
    stored[i] = g_ascii_tolower (stored_hash[i]);
  hash = deca_api_key_hash (self);
  return gnutls_memcmp (hash, stored, HASH_HEX_LENGTH) == 0;
}
