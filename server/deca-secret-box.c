/* deca-secret-box.c: AES-256-GCM for credential secrets, with a keyring for rotation. */

#include "config.h"

#include "deca-secret-box.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "deca-base64url.h"
#include "deca-server-error.h"

#define VERSION_TAG "v1"
#define VERSION_TAG_SIZE 2

typedef struct {
  char *id;
  guint8 material[DECA_SECRET_BOX_KEY_SIZE];
} Key;

struct _DecaSecretBox
{
  GObject parent_instance;

  GPtrArray *keys;      /* of Key */
  Key *current;         /* borrowed from keys; NULL when empty */
};

G_DEFINE_FINAL_TYPE (DecaSecretBox, deca_secret_box, G_TYPE_OBJECT)

static void
key_free (gpointer data)
{
  Key *key = data;

  gnutls_memset (key->material, 0, sizeof key->material);
  g_free (key->id);
  g_free (key);
}

static void
deca_secret_box_finalize (GObject *object)
{
  DecaSecretBox *self = DECA_SECRET_BOX (object);

  g_ptr_array_unref (self->keys);

  G_OBJECT_CLASS (deca_secret_box_parent_class)->finalize (object);
}

static void
deca_secret_box_class_init (DecaSecretBoxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = deca_secret_box_finalize;
}

static void
deca_secret_box_init (DecaSecretBox *self)
{
  self->keys = g_ptr_array_new_with_free_func (key_free);
}

DecaSecretBox *
deca_secret_box_new (void)
{
  return g_object_new (DECA_TYPE_SECRET_BOX, NULL);
}

static gboolean
is_valid_key_id (const char *id)
{
  gsize i;

  if (id == NULL || id[0] == '\0')
    return FALSE;
  for (i = 0; id[i] != '\0'; i++)
    if (i >= DECA_SECRET_BOX_MAX_KEY_ID ||
        !(g_ascii_isalnum (id[i]) || id[i] == '.' || id[i] == '_' || id[i] == '-'))
      return FALSE;
  return TRUE;
}

static Key *
find_key (DecaSecretBox *self,
          const char    *id,
          gsize          id_len)
{
  for (guint i = 0; i < self->keys->len; i++)
    {
      Key *key = g_ptr_array_index (self->keys, i);

      if (strlen (key->id) == id_len && memcmp (key->id, id, id_len) == 0)
        return key;
    }
  return NULL;
}

/* The key ids of a ring are few and short: a bad one is reported by its number only when
 * it cannot be repeated safely. */
static gboolean
check_new_key_id (DecaSecretBox  *self,
                  const char     *id,
                  GError        **error)
{
  if (!is_valid_key_id (id))
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("A key id is 1 to %d letters, digits, “.”, “_” or “-”"), DECA_SECRET_BOX_MAX_KEY_ID);
      return FALSE;
    }
  if (find_key (self, id, strlen (id)) != NULL)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("The key id “%s” is in the keyring twice"), id);
      return FALSE;
    }
  return TRUE;
}

gboolean
deca_secret_box_add_key (DecaSecretBox  *self,
                         const char     *id,
                         const guint8   *key,
                         gsize           len,
                         GError        **error)
{
  Key *entry;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), FALSE);
  g_return_val_if_fail (key != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_new_key_id (self, id, error))
    return FALSE;
  if (len != DECA_SECRET_BOX_KEY_SIZE)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("The key “%s” is %u bytes long; AES-256 keys are %d"),
                   id, (guint) MIN (len, G_MAXUINT), DECA_SECRET_BOX_KEY_SIZE);
      return FALSE;
    }
  entry = g_new0 (Key, 1);
  entry->id = g_strdup (id);
  memcpy (entry->material, key, DECA_SECRET_BOX_KEY_SIZE);
  g_ptr_array_add (self->keys, entry);
  self->current = entry;
  return TRUE;
}

/* Decodes @text (64 hex digits, or base64 in either alphabet, padded or not) into the 32
 * bytes at @out. */
static gboolean
decode_key_text (const char *text,
                 guint8      out[DECA_SECRET_BOX_KEY_SIZE])
{
  gsize len = strlen (text);
  g_autofree char *url = NULL;
  g_autofree guint8 *bytes = NULL;
  gsize bytes_len = 0;
  gboolean ok;

  if (len == 2 * DECA_SECRET_BOX_KEY_SIZE)
    {
      gboolean hex = TRUE;

      for (gsize i = 0; i < len && hex; i++)
        hex = g_ascii_isxdigit (text[i]);
      if (hex)
        {
          for (gsize i = 0; i < DECA_SECRET_BOX_KEY_SIZE; i++)
            out[i] = (guint8) (g_ascii_xdigit_value (text[2 * i]) << 4 | g_ascii_xdigit_value (text[2 * i + 1]));
          return TRUE;
        }
    }

  /* Standard base64 is base64url with two other characters, and padding. */
  url = g_strdup (text);
  for (gsize i = 0; i < len; i++)
    if (url[i] == '+')
      url[i] = '-';
    else if (url[i] == '/')
      url[i] = '_';
  while (len > 0 && url[len - 1] == '=')
    url[--len] = '\0';
  bytes = deca_base64url_decode (url, (gssize) len, &bytes_len);
  gnutls_memset (url, 0, len);
  ok = bytes != NULL && bytes_len == DECA_SECRET_BOX_KEY_SIZE;
  if (ok)
    memcpy (out, bytes, DECA_SECRET_BOX_KEY_SIZE);
  if (bytes != NULL)
    gnutls_memset (bytes, 0, bytes_len);
  return ok;
}

gboolean
deca_secret_box_load_keys (DecaSecretBox  *self,
                           const char     *text,
                           GError        **error)
{
  g_auto(GStrv) entries = NULL;
  g_autoptr(DecaSecretBox) staged = NULL;
  guint n_entries = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  entries = g_strsplit_set (text, "\n,", -1);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_strstrip (entries[i]);
      if (entries[i][0] != '\0' && entries[i][0] != '#')
        n_entries++;
    }
  if (n_entries == 0)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                           _("There is no key: a key is 64 hexadecimal digits or 32 bytes in base64, alone or as “id:key” lines"));
      return FALSE;
    }

  /* Keys go into a ring of their own first, so that a bad entry adds none of them; ids
   * already in this ring count as taken. */
  staged = deca_secret_box_new ();
  for (guint i = 0, number = 0; ok && entries[i] != NULL; i++)
    {
      char *entry = entries[i];
      char *colon = strchr (entry, ':');
      const char *id = DECA_SECRET_BOX_DEFAULT_KEY_ID;
      const char *material = entry;
      guint8 key[DECA_SECRET_BOX_KEY_SIZE];
      g_autoptr(GError) local_error = NULL;

      if (entry[0] == '\0' || entry[0] == '#')
        continue;
      number++;
      if (colon != NULL)
        {
          *colon = '\0';
          id = g_strstrip (entry);
          material = g_strstrip (colon + 1);
        }
      else if (n_entries > 1)
        {
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                       _("Key %u has no id: with several keys, each is written “id:key”"), number);
          ok = FALSE;
          break;
        }
      if (!decode_key_text (material, key))
        {
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                       _("Key %u is not 64 hexadecimal digits or 32 bytes in base64"), number);
          ok = FALSE;
        }
      else if (is_valid_key_id (id) && find_key (self, id, strlen (id)) != NULL)
        {
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                       _("The key id “%s” is in the keyring twice"), id);
          ok = FALSE;
        }
      else if (!deca_secret_box_add_key (staged, id, key, sizeof key, &local_error))
        {
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                       /* Translators: %u is the number of a key in a key file, %s what is wrong with it */
                       _("Key %u: %s"), number, local_error->message);
          ok = FALSE;
        }
      gnutls_memset (key, 0, sizeof key);
    }
  /* The entries hold key text: overwrite it before it is freed. */
  for (guint i = 0; entries[i] != NULL; i++)
    gnutls_memset (entries[i], 0, strlen (entries[i]));
  if (!ok)
    return FALSE;

  for (guint i = 0; i < staged->keys->len; i++)
    {
      Key *key = g_ptr_array_index (staged->keys, i);

      if (!deca_secret_box_add_key (self, key->id, key->material, sizeof key->material, error))
        g_assert_not_reached ();
    }
  return TRUE;
}

gboolean
deca_secret_box_load_key_file (DecaSecretBox  *self,
                               const char     *path,
                               GError        **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  gboolean ok;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("Could not read the key file: %s"), local_error->message);
      return FALSE;
    }
  ok = deca_secret_box_load_keys (self, contents, &local_error);
  gnutls_memset (contents, 0, len);
  if (!ok)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   /* Translators: the first %s says what is wrong, the second is a file name */
                   _("%s (in the key file %s)"), local_error->message, path);
      return FALSE;
    }
  return TRUE;
}

gboolean
deca_secret_box_load_environment (DecaSecretBox  *self,
                                  GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *value;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  value = g_getenv (DECA_SECRET_BOX_ENVIRONMENT);
  if (value == NULL)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                           _("DECA_SECRET_KEY is not set"));
      return FALSE;
    }
  if (!deca_secret_box_load_keys (self, value, &local_error))
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("%s (in DECA_SECRET_KEY)"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

guint
deca_secret_box_get_n_keys (DecaSecretBox *self)
{
  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), 0);

  return self->keys->len;
}

gboolean
deca_secret_box_has_key (DecaSecretBox *self,
                         const char    *id)
{
  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return find_key (self, id, strlen (id)) != NULL;
}

const char *
deca_secret_box_get_current_key_id (DecaSecretBox *self)
{
  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), NULL);

  return self->current != NULL ? self->current->id : NULL;
}

gboolean
deca_secret_box_set_current_key (DecaSecretBox  *self,
                                 const char     *id,
                                 GError        **error)
{
  Key *key;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key = find_key (self, id, strlen (id));
  if (key == NULL)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("The keyring has no key “%s”"), is_valid_key_id (id) ? id : "?");
      return FALSE;
    }
  self->current = key;
  return TRUE;
}

/* Plaintext buffers: a length before the bytes, so that the GBytes free function can
 * overwrite them. */
typedef struct {
  gsize len;
  guint8 data[];
} Plain;

static void
plain_free (gpointer data)
{
  Plain *plain = data;

  gnutls_memset (plain->data, 0, plain->len);
  g_free (plain);
}

/* Returns (transfer full) @header followed by @associated_data: what GCM authenticates. */
static guint8 *
build_auth (const guint8 *header,
            gsize         header_len,
            const char   *associated_data,
            gsize        *out_len)
{
  gsize ad_len = associated_data != NULL ? strlen (associated_data) : 0;
  guint8 *auth = g_malloc (header_len + ad_len + 1);

  memcpy (auth, header, header_len);
  if (ad_len > 0)
    memcpy (auth + header_len, associated_data, ad_len);
  *out_len = header_len + ad_len;
  return auth;
}

static GBytes *
encrypt_with (Key          *key,
              const guint8 *plaintext,
              gsize         len,
              const char   *associated_data,
              GError      **error)
{
  gsize id_len = strlen (key->id);
  gsize header_len = VERSION_TAG_SIZE + 1 + id_len;
  gsize total = header_len + DECA_SECRET_BOX_NONCE_SIZE + len + DECA_SECRET_BOX_TAG_SIZE;
  g_autofree guint8 *blob = NULL;
  g_autofree guint8 *auth = NULL;
  gnutls_aead_cipher_hd_t handle = NULL;
  gnutls_datum_t key_datum = { key->material, DECA_SECRET_BOX_KEY_SIZE };
  guint8 *nonce;
  size_t ciphertext_len = len + DECA_SECRET_BOX_TAG_SIZE;
  gsize auth_len;
  int ret;

  blob = g_malloc (total);
  memcpy (blob, VERSION_TAG, VERSION_TAG_SIZE);
  blob[VERSION_TAG_SIZE] = (guint8) id_len;
  memcpy (blob + VERSION_TAG_SIZE + 1, key->id, id_len);
  nonce = blob + header_len;
  /* Random 96-bit nonces: unique with overwhelming probability for far more secrets than
   * a workspace has (NIST SP 800-38D puts the bound at 2^32 messages per key). */
  if (gnutls_rnd (GNUTLS_RND_NONCE, nonce, DECA_SECRET_BOX_NONCE_SIZE) < 0)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                           _("The random number generator failed"));
      return NULL;
    }
  auth = build_auth (blob, header_len, associated_data, &auth_len);

  if ((ret = gnutls_aead_cipher_init (&handle, GNUTLS_CIPHER_AES_256_GCM, &key_datum)) < 0 ||
      (ret = gnutls_aead_cipher_encrypt (handle, nonce, DECA_SECRET_BOX_NONCE_SIZE, auth, auth_len,
                                         DECA_SECRET_BOX_TAG_SIZE, plaintext, len,
                                         nonce + DECA_SECRET_BOX_NONCE_SIZE, &ciphertext_len)) < 0)
    {
      if (handle != NULL)
        gnutls_aead_cipher_deinit (handle);
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                   _("Could not encrypt the secret: %s"), gnutls_strerror (ret));
      return NULL;
    }
  gnutls_aead_cipher_deinit (handle);
  g_assert (ciphertext_len == len + DECA_SECRET_BOX_TAG_SIZE);
  return g_bytes_new_take (g_steal_pointer (&blob), total);
}

GBytes *
deca_secret_box_encrypt (DecaSecretBox  *self,
                         const guint8   *plaintext,
                         gsize           len,
                         const char     *associated_data,
                         GError        **error)
{
  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), NULL);
  g_return_val_if_fail (plaintext != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->current == NULL)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                           _("There is no key to encrypt secrets with"));
      return NULL;
    }
  return encrypt_with (self->current, plaintext ? plaintext : (const guint8 *) "", len, associated_data, error);
}

/* Reads the header of @data: the key id's position and length. FALSE with @error when
 * @data is too short or not of version 1. */
static gboolean
parse_header (const guint8  *data,
              gsize          len,
              gsize         *out_id_len,
              GError       **error)
{
  gsize id_len;

  if (len < VERSION_TAG_SIZE + 1 || memcmp (data, VERSION_TAG, VERSION_TAG_SIZE) != 0)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                           len < VERSION_TAG_SIZE + 1 ? _("The encrypted secret is truncated")
                                                      : _("The encrypted secret is not of a known format (v1)"));
      return FALSE;
    }
  id_len = data[VERSION_TAG_SIZE];
  if (id_len == 0 || id_len > DECA_SECRET_BOX_MAX_KEY_ID)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                           _("The encrypted secret's key id is damaged"));
      return FALSE;
    }
  if (len < VERSION_TAG_SIZE + 1 + id_len + DECA_SECRET_BOX_NONCE_SIZE + DECA_SECRET_BOX_TAG_SIZE)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                           _("The encrypted secret is truncated"));
      return FALSE;
    }
  *out_id_len = id_len;
  return TRUE;
}

char *
deca_secret_box_get_blob_key_id (GBytes *blob)
{
  const guint8 *data;
  gsize len, id_len;
  char *id;

  g_return_val_if_fail (blob != NULL, NULL);

  data = g_bytes_get_data (blob, &len);
  if (!parse_header (data, len, &id_len, NULL))
    return NULL;
  id = g_strndup ((const char *) data + VERSION_TAG_SIZE + 1, id_len);
  if (strlen (id) != id_len || !is_valid_key_id (id))
    g_clear_pointer (&id, g_free);
  return id;
}

GBytes *
deca_secret_box_decrypt (DecaSecretBox  *self,
                         GBytes         *blob,
                         const char     *associated_data,
                         GError        **error)
{
  const guint8 *data;
  const char *id;
  gsize len, id_len, header_len, ciphertext_len, auth_len;
  g_autofree guint8 *auth = NULL;
  gnutls_aead_cipher_hd_t handle = NULL;
  gnutls_datum_t key_datum;
  const guint8 *nonce;
  Plain *plain;
  size_t plain_len;
  Key *key;
  int ret;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), NULL);
  g_return_val_if_fail (blob != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (blob, &len);
  if (!parse_header (data, len, &id_len, error))
    return NULL;
  id = (const char *) data + VERSION_TAG_SIZE + 1;
  key = find_key (self, id, id_len);
  if (key == NULL)
    {
      g_autofree char *quoted = g_strndup (id, id_len);

      if (strlen (quoted) == id_len && is_valid_key_id (quoted))
        g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                     _("The secret was encrypted with the key “%s”, which is not in the keyring"), quoted);
      else
        g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                             _("The encrypted secret's key id is damaged"));
      return NULL;
    }

  header_len = VERSION_TAG_SIZE + 1 + id_len;
  nonce = data + header_len;
  ciphertext_len = len - header_len - DECA_SECRET_BOX_NONCE_SIZE;    /* with the tag */
  auth = build_auth (data, header_len, associated_data, &auth_len);

  /* GnuTLS wants room for the whole ciphertext, tag included. */
  plain = g_malloc0 (sizeof (Plain) + ciphertext_len + 1);
  plain_len = ciphertext_len;
  key_datum.data = key->material;
  key_datum.size = DECA_SECRET_BOX_KEY_SIZE;
  if ((ret = gnutls_aead_cipher_init (&handle, GNUTLS_CIPHER_AES_256_GCM, &key_datum)) < 0 ||
      (ret = gnutls_aead_cipher_decrypt (handle, nonce, DECA_SECRET_BOX_NONCE_SIZE, auth, auth_len,
                                         DECA_SECRET_BOX_TAG_SIZE, nonce + DECA_SECRET_BOX_NONCE_SIZE,
                                         ciphertext_len, plain->data, &plain_len)) < 0)
    {
      if (handle != NULL)
        gnutls_aead_cipher_deinit (handle);
      plain->len = ciphertext_len;
      plain_free (plain);
      if (ret == GNUTLS_E_DECRYPTION_FAILED)
        g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                     _("The encrypted secret does not authenticate with the key “%s”: it was changed, "
                       "belongs to another record, or the key is not the one it was encrypted with"),
                     key->id);
      else
        g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                     _("Could not decrypt the secret: %s"), gnutls_strerror (ret));
      return NULL;
    }
  gnutls_aead_cipher_deinit (handle);
  g_assert (plain_len == ciphertext_len - DECA_SECRET_BOX_TAG_SIZE);
  plain->len = ciphertext_len;
  return g_bytes_new_with_free_func (plain->data, plain_len, plain_free, plain);
}

GBytes *
deca_secret_box_reencrypt (DecaSecretBox  *self,
                           GBytes         *blob,
                           const char     *associated_data,
                           GError        **error)
{
  g_autoptr(GBytes) plain = NULL;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), NULL);
  g_return_val_if_fail (blob != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  plain = deca_secret_box_decrypt (self, blob, associated_data, error);
  if (plain == NULL)
    return NULL;
  data = g_bytes_get_data (plain, &len);
  return deca_secret_box_encrypt (self, data, len, associated_data, error);
}

char *
deca_secret_box_encrypt_text (DecaSecretBox  *self,
                              const char     *plaintext,
                              const char     *associated_data,
                              GError        **error)
{
  g_autoptr(GBytes) blob = NULL;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);

  blob = deca_secret_box_encrypt (self, (const guint8 *) plaintext, strlen (plaintext), associated_data, error);
  if (blob == NULL)
    return NULL;
  data = g_bytes_get_data (blob, &len);
  return g_base64_encode (data, len);
}

/* Returns (transfer full) the blob of the text form @text, or NULL with @error. GLib's
 * base64 decoder skips characters outside the alphabet, so the text is checked first. */
static GBytes *
blob_from_text (const char  *text,
                GError     **error)
{
  gsize len = strlen (text);
  guchar *data;
  gsize data_len;

  for (gsize i = 0; i < len; i++)
    if (!(g_ascii_isalnum (text[i]) || text[i] == '+' || text[i] == '/' || text[i] == '='))
      {
        g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                             _("The encrypted secret is not base64"));
        return NULL;
      }
  if (len % 4 != 0)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                           _("The encrypted secret is truncated"));
      return NULL;
    }
  data = g_base64_decode (text, &data_len);
  return g_bytes_new_take (data, data_len);
}

char *
deca_secret_box_decrypt_text (DecaSecretBox  *self,
                              const char     *text,
                              const char     *associated_data,
                              GError        **error)
{
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) plain = NULL;
  const char *data;
  gsize len;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  blob = blob_from_text (text, error);
  if (blob == NULL)
    return NULL;
  plain = deca_secret_box_decrypt (self, blob, associated_data, error);
  if (plain == NULL)
    return NULL;
  data = g_bytes_get_data (plain, &len);
  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                           _("The decrypted secret is not text"));
      return NULL;
    }
  return g_strndup (data, len);
}

char *
deca_secret_box_reencrypt_text (DecaSecretBox  *self,
                                const char     *text,
                                const char     *associated_data,
                                GError        **error)
{
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) again = NULL;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (DECA_IS_SECRET_BOX (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  blob = blob_from_text (text, error);
  if (blob == NULL)
    return NULL;
  again = deca_secret_box_reencrypt (self, blob, associated_data, error);
  if (again == NULL)
    return NULL;
  data = g_bytes_get_data (again, &len);
  return g_base64_encode (data, len);
}

void
deca_secret_box_free_text (char *text)
{
  if (text == NULL)
    return;
  gnutls_memset (text, 0, strlen (text));
  g_free (text);
}

char *
deca_secret_box_credential_context (const char *workspace_id,
                                    const char *credential_id)
{
  g_return_val_if_fail (workspace_id != NULL, NULL);
  g_return_val_if_fail (credential_id != NULL, NULL);

  return g_strdup_printf ("credential:%" G_GSIZE_FORMAT ":%s:%s",
                          strlen (workspace_id), workspace_id, credential_id);
}

char *
deca_secret_box_generate_key_line (const char  *id,
                                   GError     **error)
{
  guint8 key[DECA_SECRET_BOX_KEY_SIZE];
  g_autofree char *encoded = NULL;
  char *line;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!is_valid_key_id (id))
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("A key id is 1 to %d letters, digits, “.”, “_” or “-”"), DECA_SECRET_BOX_MAX_KEY_ID);
      return NULL;
    }
  if (gnutls_rnd (GNUTLS_RND_KEY, key, sizeof key) < 0)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO,
                           _("The random number generator failed"));
      return NULL;
    }
  encoded = g_base64_encode (key, sizeof key);
  gnutls_memset (key, 0, sizeof key);
  line = g_strconcat (id, ":", encoded, NULL);
  gnutls_memset (encoded, 0, strlen (encoded));
  return line;
}
