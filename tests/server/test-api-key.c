/* test-api-key.c: API keys are generated, parsed, hashed and verified. */

#include <string.h>

#include "deca-api-key.h"
#include "deca-base64url.h"
#include "deca-server-error.h"

static void
test_generate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaApiKey) key = deca_api_key_generate (&error);
  g_autoptr(DecaApiKey) other = deca_api_key_generate (&error);
  g_autofree guint8 *secret = NULL;
  const char *text;
  const char *id;
  gsize secret_len;

  g_assert_no_error (error);
  g_assert_nonnull (key);
  text = deca_api_key_get_text (key);
  id = deca_api_key_get_id (key);

  /* deca_ + 16 hex digits + _ + 43 base64url characters (32 bytes). */
  g_assert_true (g_str_has_prefix (text, "deca_"));
  g_assert_cmpuint (strlen (id), ==, 16);
  for (guint i = 0; i < 16; i++)
    g_assert_true (g_ascii_isxdigit (id[i]) && !g_ascii_isupper (id[i]));
  g_assert_true (strncmp (text + 5, id, 16) == 0);
  g_assert_cmpint (text[21], ==, '_');
  secret = deca_base64url_decode (text + 22, -1, &secret_len);
  g_assert_nonnull (secret);
  g_assert_cmpuint (secret_len, ==, DECA_API_KEY_SECRET_BYTES);
  g_assert_true (deca_api_key_looks_like (text));

  /* Two keys differ in id and secret. */
  g_assert_cmpstr (deca_api_key_get_id (key), !=, deca_api_key_get_id (other));
  g_assert_cmpstr (text + 22, !=, deca_api_key_get_text (other) + 22);
}

static void
test_parse_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaApiKey) key = deca_api_key_generate (&error);
  g_autoptr(DecaApiKey) parsed = deca_api_key_parse (deca_api_key_get_text (key), &error);
  g_autoptr(DecaApiKey) copy = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *parsed_hash = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (deca_api_key_get_id (parsed), ==, deca_api_key_get_id (key));
  g_assert_cmpstr (deca_api_key_get_text (parsed), ==, deca_api_key_get_text (key));
  hash = deca_api_key_hash (key);
  parsed_hash = deca_api_key_hash (parsed);
  g_assert_cmpstr (hash, ==, parsed_hash);
  copy = deca_api_key_copy (parsed);
  g_assert_cmpstr (deca_api_key_get_text (copy), ==, deca_api_key_get_text (key));
}

static void
test_hash_and_verify (void)
{
  const char *text = "deca_0123456789abcdef_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaApiKey) key = deca_api_key_parse (text, &error);
  g_autoptr(DecaApiKey) other = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *other_hash = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (deca_api_key_get_id (key), ==, "0123456789abcdef");

  /* The hash is the SHA-256 of the secret part, in hex. */
  hash = deca_api_key_hash (key);
  expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", -1);
  g_assert_cmpstr (hash, ==, expected);
  g_assert_cmpuint (strlen (hash), ==, 64);
  g_assert_null (strstr (hash, "AAEC"));

  g_assert_true (deca_api_key_verify (key, hash));
  upper = g_ascii_strup (hash, -1);
  g_assert_true (deca_api_key_verify (key, upper));

  /* Another secret under the same id does not verify; nor does a damaged hash. */
  other = deca_api_key_parse ("deca_0123456789abcdef_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh4", &error);
  g_assert_no_error (error);
  g_assert_false (deca_api_key_verify (other, hash));
  other_hash = deca_api_key_hash (other);
  g_assert_true (deca_api_key_verify (other, other_hash));
  hash[63] = hash[63] == '0' ? '1' : '0';
  g_assert_false (deca_api_key_verify (key, hash));
  hash[63] = '\0';
  g_assert_false (deca_api_key_verify (key, hash));
  g_assert_false (deca_api_key_verify (key, ""));
  g_assert_false (deca_api_key_verify (key, NULL));
}

static void
test_parse_errors (void)
{
  const char *secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
  g_autofree char *too_long = NULL;
  g_autofree char *short_secret = NULL;
  g_autofree char *upper_id = NULL;
  g_autofree char *short_id = NULL;
  g_autofree char *no_sep = NULL;
  g_autofree char *bad_secret = NULL;
  g_autoptr(GString) long_text = g_string_new ("deca_0123456789abcdef_");

  while (long_text->len <= DECA_API_KEY_MAX_LENGTH)
    g_string_append (long_text, secret);
  too_long = g_strdup (long_text->str);
  short_secret = g_strdup ("deca_0123456789abcdef_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg");  /* 31 bytes */
  upper_id = g_strconcat ("deca_0123456789ABCDEF_", secret, NULL);
  short_id = g_strconcat ("deca_0123456789abcde_", secret, NULL);
  no_sep = g_strconcat ("deca_0123456789abcdef-", secret, NULL);
  bad_secret = g_strdup ("deca_0123456789abcdef_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8+");

  struct {
    const char *text;
    const char *message;
  } table[] = {
    { NULL, "starts with “deca_”" },
    { "", "starts with “deca_”" },
    { "eyJhbGciOiJIUzI1NiJ9.e30.sig", "starts with “deca_”" },
    { "deca_", "id is not 16 hexadecimal digits" },
    { upper_id, "id is not 16 hexadecimal digits" },
    { short_id, "id is not 16 hexadecimal digits" },
    { no_sep, "id is not 16 hexadecimal digits" },
    { short_secret, "secret is not 32 or more bytes" },
    { bad_secret, "secret is not 32 or more bytes" },
    { "deca_0123456789abcdef_", "secret is not 32 or more bytes" },
    { too_long, "longer than 256 characters" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaApiKey) key = deca_api_key_parse (table[i].text, &error);

      g_assert_null (key);
      g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN);
      if (strstr (error->message, table[i].message) == NULL)
        g_error ("case %u: expected “%s” in “%s”", i, table[i].message, error->message);
      /* The message never repeats what was presented. */
      g_assert_null (strstr (error->message, "AAECAwQF"));
      g_assert_null (strstr (error->message, "0123456789"));
    }
  g_assert_false (deca_api_key_looks_like (NULL));
  g_assert_false (deca_api_key_looks_like ("Deca_x"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deca/server/api-key/generate", test_generate);
  g_test_add_func ("/deca/server/api-key/parse-round-trip", test_parse_round_trip);
  g_test_add_func ("/deca/server/api-key/hash-and-verify", test_hash_and_verify);
  g_test_add_func ("/deca/server/api-key/parse-errors", test_parse_errors);
  return g_test_run ();
}
