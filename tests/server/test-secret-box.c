/* test-secret-box.c: AES-256-GCM secrets at rest: round trips, tampering, keys, rotation. */

#include <glib/gstdio.h>
#include <string.h>

#include "deca-secret-box.h"
#include "deca-server-error.h"
#include "deca-test-fs.h"

#define KEY_A_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_B_B64 "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
#define AD "ws-1/cred-1"

static DecaSecretBox *
box_with (const char *keys)
{
  g_autoptr(GError) error = NULL;
  DecaSecretBox *box = deca_secret_box_new ();

  g_assert_true (deca_secret_box_load_keys (box, keys, &error));
  g_assert_no_error (error);
  return box;
}

/* Asserts that @result is NULL with a crypto error containing @expected in *@error, and
 * clears it. (A pointer to the error, since the order in which a call's arguments are
 * evaluated is unspecified.) */
static void
assert_crypto_error (GBytes      *result,
                     GError     **error,
                     const char  *expected)
{
  g_assert_null (result);
  g_assert_error (*error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO);
  if (strstr ((*error)->message, expected) == NULL)
    g_error ("expected “%s” in “%s”", expected, (*error)->message);
  g_clear_error (error);
}

static void
test_round_trip (void)
{
  g_autoptr(DecaSecretBox) box = box_with (KEY_A_HEX);
  g_autoptr(GError) error = NULL;
  const char *secret = "sk-live-very-secret";
  g_autoptr(GBytes) blob = deca_secret_box_encrypt (box, (const guint8 *) secret, strlen (secret), AD, &error);
  g_autoptr(GBytes) again = deca_secret_box_encrypt (box, (const guint8 *) secret, strlen (secret), AD, &error);
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) empty_blob = NULL;
  g_autoptr(GBytes) empty_plain = NULL;
  g_autofree char *blob_key = NULL;
  const guint8 *data;
  gsize len;

  g_assert_no_error (error);
  g_assert_cmpstr (deca_secret_box_get_current_key_id (box), ==, "default");
  data = g_bytes_get_data (blob, &len);
  /* "v1" | 7 | "default" | nonce | ciphertext | tag */
  g_assert_cmpuint (len, ==, 2 + 1 + 7 + 12 + strlen (secret) + 16);
  g_assert_true (memcmp (data, "v1\7default", 10) == 0);
  g_assert_null (g_strstr_len ((const char *) data, (gssize) len, "secret"));
  /* A fresh nonce every time: the same secret never encrypts to the same bytes. */
  g_assert_false (g_bytes_equal (blob, again));
  blob_key = deca_secret_box_get_blob_key_id (blob);
  g_assert_cmpstr (blob_key, ==, "default");

  plain = deca_secret_box_decrypt (box, blob, AD, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (plain, &len);
  g_assert_cmpmem (data, len, secret, strlen (secret));

  /* Nothing is also a secret, and no associated data is also associated data. */
  empty_blob = deca_secret_box_encrypt (box, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  empty_plain = deca_secret_box_decrypt (box, empty_blob, "", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (empty_plain), ==, 0);
}

static void
test_text_form (void)
{
  g_autoptr(DecaSecretBox) box = box_with (KEY_A_HEX);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = deca_secret_box_encrypt_text (box, "p4ssw0rd", AD, &error);
  char *plain;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (text, "djE"));    /* base64 of "v1" */
  plain = deca_secret_box_decrypt_text (box, text, AD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain, ==, "p4ssw0rd");
  deca_secret_box_free_text (plain);

  plain = deca_secret_box_decrypt_text (box, "not base64!", AD, &error);
  g_assert_null (plain);
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO);
  g_clear_error (&error);
  text[strlen (text) - 4] = '\0';
  plain = deca_secret_box_decrypt_text (box, text, AD, &error);
  g_assert_null (plain);
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO);
}

/* Every byte of the blob, changed by one bit, makes it fail: the header (version, id
 * length, id), the nonce, the ciphertext and the tag. */
static void
test_tamper_every_byte (void)
{
  g_autoptr(DecaSecretBox) box = box_with ("k1:" KEY_A_HEX);
  g_autoptr(GError) error = NULL;
  const char *secret = "tamper with me";
  g_autoptr(GBytes) blob = deca_secret_box_encrypt (box, (const guint8 *) secret, strlen (secret), AD, &error);
  gsize len;
  const guint8 *data = g_bytes_get_data (blob, &len);

  g_assert_no_error (error);
  for (gsize i = 0; i < len; i++)
    for (guint bit = 0; bit < 8; bit += 7)
      {
        g_autofree guint8 *copy = g_memdup2 (data, len);
        g_autoptr(GBytes) changed = NULL;
        g_autoptr(GBytes) plain = NULL;
        g_autoptr(GError) local_error = NULL;

        copy[i] ^= (guint8) (1u << bit);
        changed = g_bytes_new (copy, len);
        plain = deca_secret_box_decrypt (box, changed, AD, &local_error);
        g_assert_null (plain);
        g_assert_error (local_error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO);
        g_assert_null (strstr (local_error->message, secret));
      }

  /* Which message for which region. */
  {
    g_autofree guint8 *copy = g_memdup2 (data, len);
    g_autoptr(GBytes) changed = NULL;
    g_autoptr(GError) local_error = NULL;

    copy[1] = '2';
    changed = g_bytes_new (copy, len);
    assert_crypto_error (deca_secret_box_decrypt (box, changed, AD, &local_error), &local_error,
                         "not of a known format");
  }
  {
    g_autofree guint8 *copy = g_memdup2 (data, len);
    g_autoptr(GBytes) changed = NULL;
    g_autoptr(GError) local_error = NULL;

    copy[4] = '2';    /* "k1" → "k2" */
    changed = g_bytes_new (copy, len);
    assert_crypto_error (deca_secret_box_decrypt (box, changed, AD, &local_error), &local_error,
                         "with the key “k2”, which is not in the keyring");
  }
  {
    g_autofree guint8 *copy = g_memdup2 (data, len);
    g_autoptr(GBytes) changed = NULL;
    g_autoptr(GError) local_error = NULL;

    copy[2] = 0;
    changed = g_bytes_new (copy, len);
    assert_crypto_error (deca_secret_box_decrypt (box, changed, AD, &local_error), &local_error,
                         "key id is damaged");
  }
  {
    g_autofree guint8 *copy = g_memdup2 (data, len);
    g_autoptr(GBytes) changed = NULL;
    g_autoptr(GError) local_error = NULL;

    copy[len - 1] ^= 0x80;    /* the tag */
    changed = g_bytes_new (copy, len);
    assert_crypto_error (deca_secret_box_decrypt (box, changed, AD, &local_error), &local_error,
                         "does not authenticate with the key “k1”");
  }
}

static void
test_truncated (void)
{
  g_autoptr(DecaSecretBox) box = box_with (KEY_A_HEX);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) blob = deca_secret_box_encrypt (box, (const guint8 *) "abc", 3, AD, &error);
  gsize len;
  const guint8 *data = g_bytes_get_data (blob, &len);

  g_assert_no_error (error);
  /* Every prefix fails, none crashes. */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) prefix = g_bytes_new (data, cut);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) plain = deca_secret_box_decrypt (box, prefix, AD, &local_error);

      g_assert_null (plain);
      g_assert_error (local_error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CRYPTO);
      /* Shorter than header, nonce and tag: truncated; longer, a ciphertext cut short
       * does not authenticate. */
      g_assert_nonnull (strstr (local_error->message,
                                cut < 2 + 1 + 7 + 12 + 16 ? "truncated" : "does not authenticate"));
    }
  {
    g_autoptr(GBytes) extended = NULL;
    g_autoptr(GError) local_error = NULL;
    g_autofree guint8 *longer = g_malloc0 (len + 1);

    memcpy (longer, data, len);
    extended = g_bytes_new (longer, len + 1);
    assert_crypto_error (deca_secret_box_decrypt (box, extended, AD, &local_error), &local_error,
                         "does not authenticate");
  }
  {
    g_autoptr(GBytes) header_only = g_bytes_new_static ("v1", 2);

    g_assert_null (deca_secret_box_get_blob_key_id (header_only));
  }
}

static void
test_wrong_key_and_ad (void)
{
  g_autoptr(DecaSecretBox) box = box_with (KEY_A_HEX);
  /* Same id, another key. */
  g_autoptr(DecaSecretBox) impostor = box_with (KEY_B_B64);
  g_autoptr(DecaSecretBox) empty = deca_secret_box_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) blob = deca_secret_box_encrypt (box, (const guint8 *) "xyz", 3, AD, &error);

  g_assert_no_error (error);
  assert_crypto_error (deca_secret_box_decrypt (impostor, blob, AD, &error), &error, "does not authenticate");
  /* Moved to another credential, or another workspace. */
  assert_crypto_error (deca_secret_box_decrypt (box, blob, "ws-1/cred-2", &error), &error, "does not authenticate");
  assert_crypto_error (deca_secret_box_decrypt (box, blob, "ws-2/cred-1", &error), &error, "does not authenticate");
  assert_crypto_error (deca_secret_box_decrypt (box, blob, NULL, &error), &error, "does not authenticate");
  assert_crypto_error (deca_secret_box_decrypt (empty, blob, AD, &error), &error, "not in the keyring");
  assert_crypto_error (deca_secret_box_encrypt (empty, (const guint8 *) "x", 1, AD, &error), &error, "no key");
}

static void
test_rotation (void)
{
  g_autoptr(DecaSecretBox) old_box = box_with ("2026-01:" KEY_A_HEX);
  g_autoptr(DecaSecretBox) box = box_with ("# rotated in December\n"
                                           "2026-01:" KEY_A_HEX "\n"
                                           "\n"
                                           "2026-12 : " KEY_B_B64 "\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) old_blob = deca_secret_box_encrypt (old_box, (const guint8 *) "rotate me", 9, AD, &error);
  g_autoptr(GBytes) new_blob = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) fresh = NULL;
  g_autofree char *old_id = deca_secret_box_get_blob_key_id (old_blob);
  g_autofree char *new_id = NULL;
  g_autofree char *old_text = NULL;
  g_autofree char *new_text = NULL;
  char *plain_text;

  g_assert_no_error (error);
  g_assert_cmpuint (deca_secret_box_get_n_keys (box), ==, 2);
  /* The last key is the current one; the older one still decrypts. */
  g_assert_cmpstr (deca_secret_box_get_current_key_id (box), ==, "2026-12");
  g_assert_true (deca_secret_box_has_key (box, "2026-01"));
  g_assert_cmpstr (old_id, ==, "2026-01");
  plain = deca_secret_box_decrypt (box, old_blob, AD, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), "rotate me", 9);

  new_blob = deca_secret_box_reencrypt (box, old_blob, AD, &error);
  g_assert_no_error (error);
  new_id = deca_secret_box_get_blob_key_id (new_blob);
  g_assert_cmpstr (new_id, ==, "2026-12");
  g_clear_pointer (&plain, g_bytes_unref);
  plain = deca_secret_box_decrypt (box, new_blob, AD, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), "rotate me", 9);
  /* The old ring cannot read what the new key wrote. */
  assert_crypto_error (deca_secret_box_decrypt (old_box, new_blob, AD, &error), &error, "“2026-12”, which is not in the keyring");
  /* Re-encrypting keeps the binding to the record. */
  assert_crypto_error (deca_secret_box_reencrypt (box, old_blob, "ws-9/cred-9", &error), &error, "does not authenticate");

  /* The text form rotates too. */
  old_text = deca_secret_box_encrypt_text (old_box, "text secret", AD, &error);
  g_assert_no_error (error);
  new_text = deca_secret_box_reencrypt_text (box, old_text, AD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (new_text, !=, old_text);
  plain_text = deca_secret_box_decrypt_text (box, new_text, AD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain_text, ==, "text secret");
  deca_secret_box_free_text (plain_text);

  /* Choosing the current key by hand. */
  g_assert_true (deca_secret_box_set_current_key (box, "2026-01", &error));
  g_assert_no_error (error);
  fresh = deca_secret_box_encrypt (box, (const guint8 *) "a", 1, AD, &error);
  g_assert_no_error (error);
  g_clear_pointer (&new_id, g_free);
  new_id = deca_secret_box_get_blob_key_id (fresh);
  g_assert_cmpstr (new_id, ==, "2026-01");
  g_assert_false (deca_secret_box_set_current_key (box, "nope", &error));
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
}

static void
test_key_sources (void)
{
  g_autofree char *dir = g_dir_make_tmp ("deca-test-secret-box-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "keys", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaSecretBox) from_file = deca_secret_box_new ();
  g_autoptr(DecaSecretBox) from_env = deca_secret_box_new ();
  g_autoptr(DecaSecretBox) unset = deca_secret_box_new ();
  g_autoptr(DecaSecretBox) generated = deca_secret_box_new ();
  g_autoptr(DecaSecretBox) hex = box_with (KEY_A_HEX);
  g_autoptr(DecaSecretBox) url = box_with ("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8");
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) plain = NULL;

  g_assert_true (g_file_set_contents (path, "a:" KEY_A_HEX "\nb:" KEY_B_B64 "\n", -1, NULL));
  g_assert_true (deca_secret_box_load_key_file (from_file, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (deca_secret_box_get_current_key_id (from_file), ==, "b");

  g_setenv ("DECA_SECRET_KEY", "a:" KEY_A_HEX ",b:" KEY_B_B64, TRUE);
  g_assert_true (deca_secret_box_load_environment (from_env, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (deca_secret_box_get_n_keys (from_env), ==, 2);
  blob = deca_secret_box_encrypt (from_file, (const guint8 *) "s", 1, AD, &error);
  plain = deca_secret_box_decrypt (from_env, blob, AD, &error);
  g_assert_no_error (error);

  g_unsetenv ("DECA_SECRET_KEY");
  g_assert_false (deca_secret_box_load_environment (unset, &error));
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_false (deca_secret_box_load_key_file (unset, missing, &error));
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
  g_clear_error (&error);

  /* The same key in base64url without padding is the same key as in base64. */
  g_clear_pointer (&plain, g_bytes_unref);
  g_clear_pointer (&blob, g_bytes_unref);
  {
    g_autoptr(DecaSecretBox) b64 = box_with (KEY_B_B64);

    blob = deca_secret_box_encrypt (b64, (const guint8 *) "s", 1, AD, &error);
    plain = deca_secret_box_decrypt (url, blob, AD, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (deca_secret_box_get_n_keys (hex), ==, 1);

  /* A generated key line loads. */
  line = deca_secret_box_generate_key_line ("gen-1", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "gen-1:"));
  g_assert_true (deca_secret_box_load_keys (generated, line, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (deca_secret_box_get_current_key_id (generated), ==, "gen-1");
  g_assert_null (deca_secret_box_generate_key_line ("bad id", &error));
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);

  deca_test_remove_tree (dir);
}

static void
test_bad_keys (void)
{
  struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "", "There is no key" },
    { "# only a comment\n\n", "There is no key" },
    { "0011", "Key 1 is not 64 hexadecimal digits or 32 bytes in base64" },
    { KEY_A_HEX "00", "Key 1 is not 64" },
    { "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "Key 1 is not 64" },
    { "a:" KEY_A_HEX "\n" KEY_B_B64, "Key 2 has no id" },
    { "a:" KEY_A_HEX "\na:" KEY_B_B64, "“a” is in the keyring twice" },
    { "bad id:" KEY_A_HEX, "Key 1: A key id is 1 to 64" },
    { ":" KEY_A_HEX, "Key 1: A key id is 1 to 64" },
    { "a:" KEY_A_HEX "\nb:", "Key 2 is not 64" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DecaSecretBox) box = deca_secret_box_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (deca_secret_box_load_keys (box, cases[i].text, &error));
      g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: expected “%s” in “%s”", i, cases[i].message, error->message);
      /* Nothing of a key reaches the message, and a bad entry adds no key. */
      g_assert_null (strstr (error->message, "0102030405"));
      g_assert_null (strstr (error->message, "ICEiIyQl"));
      g_assert_cmpuint (deca_secret_box_get_n_keys (box), ==, 0);
    }

  /* An id taken already in the ring. */
  {
    g_autoptr(DecaSecretBox) box = box_with ("a:" KEY_A_HEX);
    g_autoptr(GError) error = NULL;
    guint8 short_key[16] = { 0 };

    g_assert_false (deca_secret_box_load_keys (box, "a:" KEY_B_B64, &error));
    g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
    g_clear_error (&error);
    g_assert_false (deca_secret_box_add_key (box, "short", short_key, sizeof short_key, &error));
    g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
    g_assert_cmpuint (deca_secret_box_get_n_keys (box), ==, 1);
  }
}

static void
test_credential_context (void)
{
  g_autoptr(DecaSecretBox) box = box_with (KEY_A_HEX);
  g_autoptr(GError) error = NULL;
  g_autofree char *ad = deca_secret_box_credential_context ("ws-1", "cred-1");
  g_autofree char *a = deca_secret_box_credential_context ("a/b", "c");
  g_autofree char *b = deca_secret_box_credential_context ("a", "b/c");
  g_autofree char *c = deca_secret_box_credential_context ("a:1:b", "c");
  g_autofree char *d = deca_secret_box_credential_context ("a", "1:b:c");
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) plain = NULL;

  g_assert_cmpstr (ad, ==, "credential:4:ws-1:cred-1");
  /* Ids with separators in them never run together. */
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpstr (c, !=, d);

  blob = deca_secret_box_encrypt (box, (const guint8 *) "s", 1, a, &error);
  g_assert_no_error (error);
  assert_crypto_error (deca_secret_box_decrypt (box, blob, b, &error), &error, "does not authenticate");
  plain = deca_secret_box_decrypt (box, blob, a, &error);
  g_assert_no_error (error);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deca/server/secret-box/round-trip", test_round_trip);
  g_test_add_func ("/deca/server/secret-box/text-form", test_text_form);
  g_test_add_func ("/deca/server/secret-box/tamper-every-byte", test_tamper_every_byte);
  g_test_add_func ("/deca/server/secret-box/truncated", test_truncated);
  g_test_add_func ("/deca/server/secret-box/wrong-key-and-ad", test_wrong_key_and_ad);
  g_test_add_func ("/deca/server/secret-box/rotation", test_rotation);
  g_test_add_func ("/deca/server/secret-box/key-sources", test_key_sources);
  g_test_add_func ("/deca/server/secret-box/bad-keys", test_bad_keys);
  g_test_add_func ("/deca/server/secret-box/credential-context", test_credential_context);
  return g_test_run ();
}
