/* fuzz-jwt.c: libFuzzer target for bearer tokens, API keys and encrypted secrets.
 *
 * Every input is what a client may put after "Authorization: Bearer ": the JWT verifier
 * (with an HS256 secret and a JWKS of one RSA key made at start, so that both signature
 * paths and the claim checks after them are reached), the API key parser, and the
 * base64url decoder they share. The same bytes also go to the secret box, as a stored
 * blob to decrypt (which must fail cleanly: the fuzzer cannot forge a GCM tag) and as a
 * key file. The verifier must refuse with a DECA_SERVER_ERROR_TOKEN error whose message
 * does not contain the input; crashes, leaks and sanitizer reports are the findings.
 *
 * Inputs that start with "HS256:" are signed with the secret before they are verified
 * (the rest split at the first newline into header and claims JSON), so that the fuzzer
 * also explores the claims that only a valid signature lets through.
 */

#include <stdint.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include "deca-api-key.h"
#include "deca-base64url.h"
#include "deca-jwt.h"
#include "deca-secret-box.h"
#include "deca-server-error.h"

static const char secret[] = "fuzz-secret-fuzz-secret-fuzz-secret!";

static DecaJwtVerifier *verifier;
static DecaSecretBox *box;

/* Returns a JWKS with one fresh 2048-bit RSA key, "k1". The key is irrelevant (nothing
 * valid is signed with it), but the RS256 path needs a real one to get as far as the
 * signature check. */
static char *
make_jwks (void)
{
  gnutls_privkey_t key;
  gnutls_datum_t m, e;
  g_autofree char *n_text = NULL;
  g_autofree char *e_text = NULL;

  if (gnutls_privkey_init (&key) < 0 ||
      gnutls_privkey_generate (key, GNUTLS_PK_RSA, 2048, 0) < 0 ||
      gnutls_privkey_export_rsa_raw2 (key, &m, &e, NULL, NULL, NULL, NULL, NULL, NULL,
                                      GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
    abort ();
  n_text = deca_base64url_encode (m.data, m.size);
  e_text = deca_base64url_encode (e.data, e.size);
  gnutls_free (m.data);
  gnutls_free (e.data);
  gnutls_privkey_deinit (key);
  return g_strdup_printf ("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":\"%s\",\"e\":\"%s\"}]}",
                          n_text, e_text);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_refusal (const char *token,
               GError     *error)
{
  if (error->domain != DECA_SERVER_ERROR || error->code != DECA_SERVER_ERROR_TOKEN)
    abort ();
  if (error->message == NULL || error->message[0] == '\0')
    abort ();
  /* The message never repeats the token (inputs too short to tell are not checked). */
  if (strlen (token) >= 16 && strstr (error->message, token) != NULL)
    abort ();
}

static void
verify (const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaPrincipal) principal = deca_jwt_verifier_verify (verifier, token, &error);

  if ((principal == NULL) == (error == NULL))
    abort ();
  if (principal != NULL)
    {
      if (principal->subject == NULL || principal->subject[0] == '\0' || principal->roles == NULL)
        abort ();
    }
  else
    check_refusal (token, error);
}

/* Signs "header\nclaims" as an HS256 token. */
static char *
sign (const char *text)
{
  const char *newline = strchr (text, '\n');
  g_autofree char *header = NULL;
  g_autofree char *claims = NULL;
  g_autofree char *input = NULL;
  g_autofree char *signature = NULL;
  guint8 mac[32];

  if (newline == NULL)
    return NULL;
  header = deca_base64url_encode ((const guint8 *) text, (gsize) (newline - text));
  claims = deca_base64url_encode ((const guint8 *) newline + 1, strlen (newline + 1));
  input = g_strconcat (header, ".", claims, NULL);
  if (gnutls_hmac_fast (GNUTLS_MAC_SHA256, secret, strlen (secret), input, strlen (input), mac) < 0)
    abort ();
  signature = deca_base64url_encode (mac, sizeof mac);
  return g_strconcat (input, ".", signature, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);   /* up to a NUL, as a header would be */
  g_autofree guint8 *decoded = NULL;
  gsize decoded_len;

  if (verifier == NULL)
    {
      g_autoptr(DecaClock) clock = DECA_CLOCK (deca_manual_clock_new ((gint64) 1796126400 * G_USEC_PER_SEC));
      g_autofree char *jwks = make_jwks ();

      verifier = deca_jwt_verifier_new ();
      deca_jwt_verifier_set_clock (verifier, clock);
      if (!deca_jwt_verifier_set_hs256_secret (verifier, (const guint8 *) secret, strlen (secret), NULL) ||
          !deca_jwt_verifier_load_jwks_data (verifier, jwks, -1, NULL))
        abort ();
    }

  if (box == NULL)
    {
      box = deca_secret_box_new ();
      if (!deca_secret_box_load_keys (box, "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", NULL))
        abort ();
    }

  if (g_str_has_prefix (text, "HS256:"))
    {
      g_autofree char *token = sign (text + 6);

      if (token != NULL)
        verify (token);
    }
  else
    verify (text);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DecaApiKey) key = deca_api_key_parse (text, &error);

    if ((key == NULL) == (error == NULL))
      abort ();
    if (key != NULL)
      {
        g_autofree char *hash = deca_api_key_hash (key);

        /* What parses prints back the same, and verifies against its own hash. */
        if (strcmp (deca_api_key_get_text (key), text) != 0 || !deca_api_key_verify (key, hash))
          abort ();
      }
  }

  /* What decodes encodes back to the same text: the decoder accepts one spelling only. */
  decoded = deca_base64url_decode (text, -1, &decoded_len);
  if (decoded != NULL)
    {
      g_autofree char *again = deca_base64url_encode (decoded, decoded_len);

      if (strcmp (again, text) != 0)
        abort ();
    }
  {
    g_autoptr(GBytes) blob = g_bytes_new_static (data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) plain = deca_secret_box_decrypt (box, blob, "fuzz", &error);
    g_autoptr(DecaSecretBox) keys = deca_secret_box_new ();
    g_autoptr(GError) keys_error = NULL;
    g_autofree char *key_id = deca_secret_box_get_blob_key_id (blob);

    if (plain != NULL || error == NULL || error->code != DECA_SERVER_ERROR_CRYPTO)
      abort ();
    /* A key id read from a blob is a printable, non-empty name. */
    if (key_id != NULL && (key_id[0] == '\0' || !g_str_is_ascii (key_id)))
      abort ();
    if (deca_secret_box_load_keys (keys, text, &keys_error) == (keys_error != NULL))
      abort ();
    if (keys_error == NULL && deca_secret_box_get_current_key_id (keys) == NULL)
      abort ();
  }
  return 0;
}
