/* test-jwt.c: DecaJwtVerifier against tokens made here, HS256 with a secret and RS256 with
 * RSA keys generated for the run and published in a JWKS file. */

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <glib/gstdio.h>
#include <string.h>

#include "deca-base64url.h"
#include "deca-jwt.h"
#include "deca-server-error.h"
#include "deca-test-fs.h"

/* 2026-12-01T12:00:00Z */
#define NOW 1796126400
#define ISSUER "https://tenant.auth0.com/"
#define AUDIENCE "https://api.deca-ai-studio.com"

static const char secret[] = "0123456789abcdef0123456789abcdef-hs256";

static gnutls_privkey_t key1;     /* kid "k1" */
static gnutls_privkey_t key2;     /* kid "k2" */
static gnutls_privkey_t stranger; /* in no JWKS */
static char *jwks_path;
static char *tmp_dir;

static char *
b64 (const char *text)
{
  return deca_base64url_encode ((const guint8 *) text, strlen (text));
}

/* Returns a token of @header and @claims (JSON texts) signed with the HMAC @key. */
static char *
sign_hs256_with (const char *header,
                 const char *claims,
                 const char *key,
                 gsize       key_len)
{
  g_autofree char *h = b64 (header);
  g_autofree char *c = b64 (claims);
  g_autofree char *input = g_strconcat (h, ".", c, NULL);
  g_autofree char *sig = NULL;
  guint8 mac[32];

  g_assert_cmpint (gnutls_hmac_fast (GNUTLS_MAC_SHA256, key, key_len, input, strlen (input), mac), ==, 0);
  sig = deca_base64url_encode (mac, sizeof mac);
  return g_strconcat (input, ".", sig, NULL);
}

static char *
sign_hs256 (const char *claims)
{
  return sign_hs256_with ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, secret, strlen (secret));
}

static char *
sign_rs256_with (gnutls_privkey_t  key,
                 const char       *header,
                 const char       *claims)
{
  g_autofree char *h = b64 (header);
  g_autofree char *c = b64 (claims);
  g_autofree char *input = g_strconcat (h, ".", c, NULL);
  g_autofree char *sig = NULL;
  gnutls_datum_t data = { (unsigned char *) input, (unsigned int) strlen (input) };
  gnutls_datum_t signature;

  g_assert_cmpint (gnutls_privkey_sign_data (key, GNUTLS_DIG_SHA256, 0, &data, &signature), ==, 0);
  sig = deca_base64url_encode (signature.data, signature.size);
  gnutls_free (signature.data);
  return g_strconcat (input, ".", sig, NULL);
}

static char *
sign_rs256 (const char *kid,
            const char *claims)
{
  g_autofree char *header = g_strdup_printf ("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);

  return sign_rs256_with (g_str_equal (kid, "k2") ? key2 : key1, header, claims);
}

/* The usual claims, valid at NOW, with @extra members appended. */
static char *
claims_with (const char *extra)
{
  return g_strdup_printf ("{\"sub\":\"user-1\",\"iss\":\"" ISSUER "\","
                          "\"aud\":[\"" AUDIENCE "\",\"https://tenant.auth0.com/userinfo\"],"
                          "\"iat\":%d,\"exp\":%d,\"scope\":\"read:flows write:flows\","
                          "\"https://deca-ai-studio.com/workspace_id\":\"ws-1\","
                          "\"https://deca-ai-studio.com/roles\":[\"admin\",\"developer\"]%s%s}",
                          NOW - 60, NOW + 3600, extra[0] ? "," : "", extra);
}

static char *
jwk_of (gnutls_privkey_t  key,
        const char       *kid)
{
  gnutls_datum_t m, e;
  g_autofree char *n_text = NULL;
  g_autofree char *e_text = NULL;

  g_assert_cmpint (gnutls_privkey_export_rsa_raw2 (key, &m, &e, NULL, NULL, NULL, NULL, NULL, NULL,
                                                   GNUTLS_EXPORT_FLAG_NO_LZ), ==, 0);
  n_text = deca_base64url_encode (m.data, m.size);
  e_text = deca_base64url_encode (e.data, e.size);
  gnutls_free (m.data);
  gnutls_free (e.data);
  return g_strdup_printf ("{\"kty\":\"RSA\",\"kid\":\"%s\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\"%s\",\"e\":\"%s\"}",
                          kid, n_text, e_text);
}

static DecaJwtVerifier *
new_verifier (gboolean hs256,
              gboolean rs256)
{
  DecaJwtVerifier *verifier = deca_jwt_verifier_new ();
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new ((gint64) NOW * G_USEC_PER_SEC);
  g_autoptr(GError) error = NULL;

  deca_jwt_verifier_set_clock (verifier, DECA_CLOCK (clock));
  deca_jwt_verifier_set_issuer (verifier, ISSUER);
  deca_jwt_verifier_set_audience (verifier, AUDIENCE);
  if (hs256)
    g_assert_true (deca_jwt_verifier_set_hs256_secret (verifier, (const guint8 *) secret, strlen (secret), &error));
  g_assert_no_error (error);
  if (rs256)
    g_assert_true (deca_jwt_verifier_load_jwks_file (verifier, jwks_path, &error));
  g_assert_no_error (error);
  return verifier;
}

/* Asserts that @token fails with a token error whose message contains @expected and none
 * of the token's segments. */
static void
assert_refused (DecaJwtVerifier *verifier,
                const char      *token,
                const char      *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaPrincipal) principal = deca_jwt_verifier_verify (verifier, token, &error);
  g_auto(GStrv) segments = NULL;

  g_assert_null (principal);
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN);
  if (strstr (error->message, expected) == NULL)
    g_error ("expected “%s” in “%s”", expected, error->message);
  segments = g_strsplit (token, ".", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    if (strlen (segments[i]) >= 8)
      g_assert_null (strstr (error->message, segments[i]));
}

static DecaPrincipal *
assert_accepted (DecaJwtVerifier *verifier,
                 const char      *token)
{
  g_autoptr(GError) error = NULL;
  DecaPrincipal *principal = deca_jwt_verifier_verify (verifier, token, &error);

  g_assert_no_error (error);
  g_assert_nonnull (principal);
  return principal;
}

static void
test_hs256_valid (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (TRUE, FALSE);
  g_autofree char *claims = claims_with ("");
  g_autofree char *token = sign_hs256 (claims);
  g_autoptr(DecaPrincipal) principal = assert_accepted (verifier, token);
  const char * const roles[] = { "admin", "developer", NULL };
  const char * const scopes[] = { "read:flows", "write:flows", NULL };

  g_assert_cmpint (principal->kind, ==, DECA_PRINCIPAL_TOKEN);
  g_assert_cmpstr (principal->subject, ==, "user-1");
  g_assert_cmpstr (principal->workspace_id, ==, "ws-1");
  g_assert_true (g_strv_equal ((const char * const *) principal->roles, roles));
  g_assert_true (g_strv_equal ((const char * const *) principal->scopes, scopes));
  g_assert_true (deca_principal_has_role (principal, "admin"));
  g_assert_false (deca_principal_has_role (principal, "owner"));
}

static void
test_rs256_valid (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (FALSE, TRUE);
  g_autofree char *claims = claims_with ("\"extra\":{\"nested\":[1,2,3]}");
  g_autofree char *token1 = sign_rs256 ("k1", claims);
  g_autofree char *token2 = sign_rs256 ("k2", claims);
  g_autoptr(DecaPrincipal) principal1 = assert_accepted (verifier, token1);
  g_autoptr(DecaPrincipal) principal2 = assert_accepted (verifier, token2);

  /* The JWKS file also has an EC key and an encryption key, which are skipped. */
  g_assert_cmpuint (deca_jwt_verifier_get_n_rsa_keys (verifier), ==, 2);
  g_assert_cmpstr (principal1->subject, ==, "user-1");
  g_assert_cmpstr (principal2->workspace_id, ==, "ws-1");

  /* k2's token with k1's name on it does not verify. */
  {
    g_autofree char *forged = sign_rs256_with (key2, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", claims);

    assert_refused (verifier, forged, "signature does not match");
  }
}

static void
test_both_algorithms (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (TRUE, TRUE);
  g_autofree char *claims = claims_with ("");
  g_autofree char *hs = sign_hs256 (claims);
  g_autofree char *rs = sign_rs256 ("k1", claims);
  g_autoptr(DecaPrincipal) a = assert_accepted (verifier, hs);
  g_autoptr(DecaPrincipal) b = assert_accepted (verifier, rs);
}

static void
test_expiry (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (TRUE, FALSE);
  g_autofree char *expired_claims = g_strdup_printf ("{\"sub\":\"u\",\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\",\"exp\":%d}",
                                                     NOW - 3600);
  g_autofree char *expired = sign_hs256 (expired_claims);
  g_autofree char *lenient_claims = g_strdup_printf ("{\"sub\":\"u\",\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\",\"exp\":%d}",
                                                     NOW - 10);
  g_autofree char *lenient = sign_hs256 (lenient_claims);
  g_autofree char *no_exp = sign_hs256 ("{\"sub\":\"u\",\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\"}");
  g_autofree char *bad_exp = sign_hs256 ("{\"sub\":\"u\",\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\",\"exp\":\"tomorrow\"}");
  g_autofree char *huge_exp = sign_hs256 ("{\"sub\":\"u\",\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\",\"exp\":-1e300}");

  assert_refused (verifier, expired, "expired at 2026-12-01T11:00:00Z");
  /* Ten seconds late is within the default leeway of 30 s ... */
  deca_principal_free (assert_accepted (verifier, lenient));
  /* ... and not within none. */
  deca_jwt_verifier_set_leeway (verifier, 0);
  g_assert_cmpuint (deca_jwt_verifier_get_leeway (verifier), ==, 0);
  assert_refused (verifier, lenient, "expired at 2026-12-01T11:59:50Z");
  assert_refused (verifier, no_exp, "no expiry time (exp)");
  assert_refused (verifier, bad_exp, "“exp” is not a number");
  assert_refused (verifier, huge_exp, "expired at");
}

static void
test_not_yet_valid (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (TRUE, FALSE);
  g_autofree char *extra = g_strdup_printf ("\"nbf\":%d", NOW + 600);
  g_autofree char *claims = claims_with (extra);
  g_autofree char *token = sign_hs256 (claims);
  g_autofree char *soon_extra = g_strdup_printf ("\"nbf\":%d", NOW + 20);
  g_autofree char *soon_claims = claims_with (soon_extra);
  g_autofree char *soon = sign_hs256 (soon_claims);
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new ((gint64) NOW * G_USEC_PER_SEC);

  assert_refused (verifier, token, "not valid before 2026-12-01T12:10:00Z");
  deca_principal_free (assert_accepted (verifier, soon));

  /* The clock moves on: ten minutes later the token is good. */
  deca_jwt_verifier_set_clock (verifier, DECA_CLOCK (clock));
  deca_manual_clock_advance (clock, (gint64) 600 * G_USEC_PER_SEC);
  deca_principal_free (assert_accepted (verifier, token));
  /* And two hours later it has expired. */
  deca_manual_clock_advance (clock, (gint64) 7200 * G_USEC_PER_SEC);
  assert_refused (verifier, token, "expired at 2026-12-01T13:00:00Z");
}

static void
test_issuer_and_audience (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (TRUE, FALSE);
  g_autofree char *exp = g_strdup_printf ("\"exp\":%d", NOW + 60);
  g_autofree char *wrong_iss_claims = g_strdup_printf ("{\"sub\":\"u\",\"iss\":\"https://evil.example/\",\"aud\":\"" AUDIENCE "\",%s}", exp);
  g_autofree char *no_iss_claims = g_strdup_printf ("{\"sub\":\"u\",\"aud\":\"" AUDIENCE "\",%s}", exp);
  g_autofree char *wrong_aud_claims = g_strdup_printf ("{\"sub\":\"u\",\"iss\":\"" ISSUER "\",\"aud\":\"https://other.api\",%s}", exp);
  g_autofree char *wrong_aud_list_claims = g_strdup_printf ("{\"sub\":\"u\",\"iss\":\"" ISSUER "\",\"aud\":[\"a\",7,\"b\"],%s}", exp);
  g_autofree char *no_aud_claims = g_strdup_printf ("{\"sub\":\"u\",\"iss\":\"" ISSUER "\",%s}", exp);
  g_autofree char *aud_string_claims = g_strdup_printf ("{\"sub\":\"u\",\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\",%s}", exp);
  g_autofree char *wrong_iss = sign_hs256 (wrong_iss_claims);
  g_autofree char *no_iss = sign_hs256 (no_iss_claims);
  g_autofree char *wrong_aud = sign_hs256 (wrong_aud_claims);
  g_autofree char *wrong_aud_list = sign_hs256 (wrong_aud_list_claims);
  g_autofree char *no_aud = sign_hs256 (no_aud_claims);
  g_autofree char *aud_string = sign_hs256 (aud_string_claims);
  g_autofree char *issuer = NULL;

  assert_refused (verifier, wrong_iss, "not issued by “" ISSUER "”");
  assert_refused (verifier, no_iss, "not issued by");
  assert_refused (verifier, wrong_aud, "not meant for this API");
  assert_refused (verifier, wrong_aud_list, "not meant for this API");
  assert_refused (verifier, no_aud, "no audience");
  deca_principal_free (assert_accepted (verifier, aud_string));

  /* Without an expected issuer and audience, neither is checked. */
  g_object_set (verifier, "issuer", NULL, "audience", NULL, NULL);
  g_object_get (verifier, "issuer", &issuer, NULL);
  g_assert_null (issuer);
  g_assert_null (deca_jwt_verifier_get_audience (verifier));
  deca_principal_free (assert_accepted (verifier, wrong_iss));
  deca_principal_free (assert_accepted (verifier, no_aud));
}

static void
test_forged_signature (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (TRUE, TRUE);
  g_autofree char *claims = claims_with ("");
  g_autofree char *other_secret = sign_hs256_with ("{\"alg\":\"HS256\"}", claims,
                                                   "another secret of thirty-two bytes!", 35);
  g_autofree char *stranger_token = sign_rs256_with (stranger, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", claims);
  g_autofree char *good = sign_hs256 (claims);
  g_autofree char *good_rs = sign_rs256 ("k1", claims);
  g_autofree char *raised_claims = NULL;
  g_autofree char *raised = NULL;
  g_autofree char *truncated = NULL;
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) rs_parts = NULL;

  assert_refused (verifier, other_secret, "signature does not match");
  assert_refused (verifier, stranger_token, "signature does not match");

  /* The claims of a good token replaced by others (roles raised to owner): the signature
   * no longer covers them. */
  parts = g_strsplit (good, ".", -1);
  raised_claims = b64 ("{\"sub\":\"user-1\",\"exp\":9999999999,\"https://deca-ai-studio.com/roles\":[\"owner\"]}");
  raised = g_strjoin (".", parts[0], raised_claims, parts[2], NULL);
  assert_refused (verifier, raised, "signature does not match");

  /* A signature cut short, for HMAC and for RSA. */
  truncated = g_strjoin (".", parts[0], parts[1], "AAAA", NULL);
  assert_refused (verifier, truncated, "signature does not match");
  g_free (truncated);
  rs_parts = g_strsplit (good_rs, ".", -1);
  /* Cut at a group of four characters, so that what is left is still base64url. */
  rs_parts[2][strlen (rs_parts[2]) / 4 * 4 - 4] = '\0';
  truncated = g_strjoin (".", rs_parts[0], rs_parts[1], rs_parts[2], NULL);
  assert_refused (verifier, truncated, "signature does not match");
  g_free (truncated);
  truncated = g_strjoin (".", rs_parts[0], rs_parts[1], "", NULL);
  assert_refused (verifier, truncated, "signature does not match");
}

static void
test_alg_none (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (TRUE, TRUE);
  g_autofree char *claims = claims_with ("");
  g_autofree char *h = b64 ("{\"alg\":\"none\",\"typ\":\"JWT\"}");
  g_autofree char *h_upper = b64 ("{\"alg\":\"None\"}");
  g_autofree char *c = b64 (claims);
  g_autofree char *token = g_strconcat (h, ".", c, ".", NULL);
  g_autofree char *token_upper = g_strconcat (h_upper, ".", c, ".", NULL);
  g_autofree char *no_alg = sign_hs256_with ("{\"typ\":\"JWT\"}", claims, secret, strlen (secret));
  g_autofree char *alg_number = sign_hs256_with ("{\"alg\":256}", claims, secret, strlen (secret));
  g_autofree char *hs512 = sign_hs256_with ("{\"alg\":\"HS512\"}", claims, secret, strlen (secret));
  g_autofree char *crit = sign_hs256_with ("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", claims, secret, strlen (secret));

  assert_refused (verifier, token, "alg “none”");
  assert_refused (verifier, token_upper, "alg “none”");
  assert_refused (verifier, no_alg, "names no algorithm");
  assert_refused (verifier, alg_number, "names no algorithm");
  assert_refused (verifier, hs512, "algorithm “HS512” is not supported");
  assert_refused (verifier, crit, "critical extensions");
}

static void
test_alg_confusion (void)
{
  g_autoptr(DecaJwtVerifier) rsa_only = new_verifier (FALSE, TRUE);
  g_autoptr(DecaJwtVerifier) hmac_only = new_verifier (TRUE, FALSE);
  g_autofree char *claims = claims_with ("");
  g_autofree char *jwks = NULL;
  g_autofree char *confused = NULL;
  g_autofree char *rs = sign_rs256 ("k1", claims);
  gnutls_datum_t m, e;
  gsize jwks_len;

  /* The classic attack: an HS256 token whose "secret" is the server's public key, which
   * anyone can read. Both the JWKS text and the raw modulus are tried. */
  g_assert_true (g_file_get_contents (jwks_path, &jwks, &jwks_len, NULL));
  confused = sign_hs256_with ("{\"alg\":\"HS256\",\"kid\":\"k1\"}", claims, jwks, jwks_len);
  assert_refused (rsa_only, confused, "HS256 tokens are not accepted here");
  g_free (confused);
  g_assert_cmpint (gnutls_privkey_export_rsa_raw2 (key1, &m, &e, NULL, NULL, NULL, NULL, NULL, NULL, 0), ==, 0);
  confused = sign_hs256_with ("{\"alg\":\"HS256\",\"kid\":\"k1\"}", claims, (const char *) m.data, m.size);
  gnutls_free (m.data);
  gnutls_free (e.data);
  assert_refused (rsa_only, confused, "HS256 tokens are not accepted here");

  /* And the other way round. */
  assert_refused (hmac_only, rs, "RS256 tokens are not accepted here");
}

static void
test_kid (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (FALSE, TRUE);
  g_autoptr(DecaJwtVerifier) single = deca_jwt_verifier_new ();
  g_autoptr(DecaManualClock) clock = deca_manual_clock_new ((gint64) NOW * G_USEC_PER_SEC);
  g_autoptr(GError) error = NULL;
  g_autofree char *claims = claims_with ("");
  g_autofree char *unknown = sign_rs256 ("k9", claims);
  g_autofree char *no_kid = sign_rs256_with (key1, "{\"alg\":\"RS256\"}", claims);
  g_autofree char *kid_number = sign_rs256_with (key1, "{\"alg\":\"RS256\",\"kid\":1}", claims);
  g_autofree char *long_kid_header = g_strdup_printf ("{\"alg\":\"RS256\",\"kid\":\"%0200d\"}", 7);
  g_autofree char *long_kid = sign_rs256_with (key1, long_kid_header, claims);
  g_autofree char *jwk = jwk_of (key1, "only");
  g_autofree char *jwks = g_strdup_printf ("{\"keys\":[%s]}", jwk);

  assert_refused (verifier, unknown, "no key with id “k9”");
  assert_refused (verifier, no_kid, "names no key (kid) and the JWKS has several");
  assert_refused (verifier, kid_number, "key id (kid) is not a string");
  /* A long kid is not repeated. */
  assert_refused (verifier, long_kid, "no key with the token's key id");

  /* With a single key, a token without kid is unambiguous. */
  deca_jwt_verifier_set_clock (single, DECA_CLOCK (clock));
  g_assert_true (deca_jwt_verifier_load_jwks_data (single, jwks, -1, &error));
  g_assert_no_error (error);
  deca_principal_free (assert_accepted (single, no_kid));
}

static void
test_malformed (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (TRUE, TRUE);
  g_autofree char *claims = claims_with ("");
  g_autofree char *good = sign_hs256 (claims);
  g_auto(GStrv) p = g_strsplit (good, ".", -1);
  g_autofree char *two = g_strjoin (".", p[0], p[1], NULL);
  g_autofree char *four = g_strjoin (".", p[0], p[1], p[2], p[2], NULL);
  g_autofree char *five = g_strjoin (".", p[0], p[1], p[2], p[2], p[2], NULL);
  g_autofree char *bad1 = g_strjoin (".", "eyJ!!!", p[1], p[2], NULL);
  g_autofree char *bad2 = g_strjoin (".", p[0], "eyJ+/w==", p[2], NULL);
  g_autofree char *bad3 = g_strjoin (".", p[0], p[1], "a$b", NULL);
  g_autofree char *padded = g_strconcat (p[0], "=.", p[1], ".", p[2], NULL);
  g_autofree char *not_json_header = b64 ("alg=HS256");
  g_autofree char *array_header = b64 ("[\"HS256\"]");
  g_autofree char *nul_header = deca_base64url_encode ((const guint8 *) "{\"alg\":\"HS256\"}\0x", 17);
  g_autofree char *t_not_json = g_strjoin (".", not_json_header, p[1], p[2], NULL);
  g_autofree char *t_array = g_strjoin (".", array_header, p[1], p[2], NULL);
  g_autofree char *t_nul = g_strjoin (".", nul_header, p[1], p[2], NULL);
  g_autofree char *claims_array = sign_hs256 ("[1,2]");
  g_autofree char *claims_text = sign_hs256 ("not json");
  g_autofree char *no_sub = sign_hs256 ("{\"exp\":9999999999,\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\"}");
  g_autofree char *bad_roles = sign_hs256 ("{\"sub\":\"u\",\"exp\":9999999999,\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\","
                                           "\"https://deca-ai-studio.com/roles\":{\"admin\":true}}");
  g_autofree char *bad_workspace = sign_hs256 ("{\"sub\":\"u\",\"exp\":9999999999,\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\","
                                               "\"https://deca-ai-studio.com/workspace_id\":42}");
  g_autofree char *bad_scope = sign_hs256 ("{\"sub\":\"u\",\"exp\":9999999999,\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\","
                                           "\"scope\":[\"read:flows\"]}");
  g_autoptr(GString) huge = g_string_new (p[0]);
  g_autoptr(GError) error = NULL;

  assert_refused (verifier, "", "There is no token");
  g_assert_null (deca_jwt_verifier_verify (verifier, NULL, &error));
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN);
  assert_refused (verifier, "abc", "this one has 1");
  assert_refused (verifier, two, "this one has 2");
  assert_refused (verifier, four, "this one has 4");
  assert_refused (verifier, five, "this one has 5");
  assert_refused (verifier, "..", "token's header is not a JSON object");
  assert_refused (verifier, bad1, "Segment 1 of the token is not base64url");
  assert_refused (verifier, padded, "Segment 1 of the token is not base64url");
  assert_refused (verifier, bad2, "Segment 2 of the token is not base64url");
  assert_refused (verifier, bad3, "Segment 3 of the token is not base64url");
  assert_refused (verifier, t_not_json, "header is not a JSON object");
  assert_refused (verifier, t_array, "header is not a JSON object");
  assert_refused (verifier, t_nul, "header is not a JSON object");
  assert_refused (verifier, claims_array, "claims are not a JSON object");
  assert_refused (verifier, claims_text, "claims are not a JSON object");
  assert_refused (verifier, no_sub, "no subject (sub)");
  assert_refused (verifier, bad_roles, "“https://deca-ai-studio.com/roles” is not a list of names");
  assert_refused (verifier, bad_workspace, "“https://deca-ai-studio.com/workspace_id” is not a workspace id");
  assert_refused (verifier, bad_scope, "scope is not a text");

  /* A header nested as deeply as the length allows is refused, not a stack overflow. */
  {
    g_autofree char *brackets = g_strnfill (DECA_JWT_MAX_LENGTH / 4 * 3 - 64, '[');
    g_autofree char *deep_header = b64 (brackets);
    g_autofree char *deep = g_strjoin (".", deep_header, "e30", "AAAA", NULL);

    g_assert_cmpuint (strlen (deep), <=, DECA_JWT_MAX_LENGTH);
    assert_refused (verifier, deep, "nested too deeply");
  }
  /* Signed claims too; and brackets inside strings do not count. */
  {
    g_autofree char *brackets = g_strnfill (40, '[');
    g_autofree char *deep_claims = g_strdup_printf ("{\"sub\":\"u\",\"exp\":9999999999,\"x\":%s}", brackets);
    g_autofree char *deep = sign_hs256 (deep_claims);
    g_autofree char *quoted_claims = g_strdup_printf ("{\"sub\":\"u[{\\\"\",\"exp\":9999999999,\"iss\":\"" ISSUER "\","
                                                      "\"aud\":\"" AUDIENCE "\",\"x\":\"%s\",\"y\":[[[{}]]]}", brackets);
    g_autofree char *quoted = sign_hs256 (quoted_claims);
    g_autoptr(DecaPrincipal) principal = NULL;

    assert_refused (verifier, deep, "nested too deeply");
    principal = assert_accepted (verifier, quoted);
    g_assert_cmpstr (principal->subject, ==, "u[{\"");
  }

  /* A huge token is refused before it is decoded. */
  while (huge->len <= DECA_JWT_MAX_LENGTH)
    g_string_append (huge, p[1]);
  g_string_append_printf (huge, ".%s.%s", p[1], p[2]);
  assert_refused (verifier, huge->str, "longer than 16384 bytes");
}

static void
test_claims (void)
{
  g_autoptr(DecaJwtVerifier) verifier = new_verifier (TRUE, FALSE);
  g_autofree char *custom = sign_hs256 ("{\"sub\":\"svc\",\"exp\":9999999999,\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\","
                                        "\"org\":\"ws-9\",\"groups\":\"viewer\",\"scope\":\"  read:flows   openid \"}");
  g_autofree char *no_scope = sign_hs256 ("{\"sub\":\"svc\",\"exp\":9999999999.5,\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\"}");
  g_autoptr(DecaPrincipal) a = NULL;
  g_autoptr(DecaPrincipal) b = NULL;
  g_autoptr(DecaPrincipal) c = NULL;
  const char * const viewer[] = { "viewer", NULL };
  const char * const scopes[] = { "read:flows", "openid", NULL };

  deca_jwt_verifier_set_claim_names (verifier, "org", "groups");
  a = assert_accepted (verifier, custom);
  g_assert_cmpstr (a->workspace_id, ==, "ws-9");
  g_assert_true (g_strv_equal ((const char * const *) a->roles, viewer));
  g_assert_true (g_strv_equal ((const char * const *) a->scopes, scopes));

  /* No scope claim: scopes NULL (the roles are not narrowed); no roles: an empty list. */
  b = assert_accepted (verifier, no_scope);
  g_assert_null (b->scopes);
  g_assert_nonnull (b->roles);
  g_assert_cmpuint (g_strv_length (b->roles), ==, 0);
  g_assert_null (b->workspace_id);

  /* Back to the default claim names. */
  deca_jwt_verifier_set_claim_names (verifier, NULL, NULL);
  c = assert_accepted (verifier, custom);
  g_assert_null (c->workspace_id);
  g_assert_cmpuint (g_strv_length (c->roles), ==, 0);
}

static void
test_configuration_errors (void)
{
  g_autoptr(DecaJwtVerifier) verifier = deca_jwt_verifier_new ();
  g_autofree char *jwk = jwk_of (key1, "k1");
  g_autofree char *good = g_strdup_printf ("{\"keys\":[%s]}", jwk);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.json", NULL);
  guint8 small_n[64];
  g_autofree char *small_n_text = NULL;
  g_autofree char *small = NULL;
  struct {
    const char *jwks;
    const char *message;
  } cases[] = {
    { "not json", "not JSON" },
    { "[]", "not an object with a “keys” array" },
    { "{\"keys\":{}}", "not an object with a “keys” array" },
    { "{\"keys\":[]}", "no RSA key" },
    { "{\"keys\":[1]}", "Key 0 of the JWKS is not an object" },
    { "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}]}", "no RSA key" },
    { "{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\"}]}", "Key 0 of the JWKS has no “n”" },
    { "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\"}]}", "Key 0 of the JWKS has no “e”" },
    { "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"@@\",\"e\":\"AQAB\"}]}", "“n” of key 0 of the JWKS is not base64url" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (deca_jwt_verifier_load_jwks_data (verifier, cases[i].jwks, -1, &error));
      g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: expected “%s” in “%s”", i, cases[i].message, error->message);
    }

  /* An RSA key of 512 bits is too weak to trust. */
  memset (small_n, 0xa5, sizeof small_n);
  small_n[0] = 0xc1;
  small_n_text = deca_base64url_encode (small_n, sizeof small_n);
  small = g_strdup_printf ("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"s\",\"n\":\"%s\",\"e\":\"AQAB\"}]}", small_n_text);
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (deca_jwt_verifier_load_jwks_data (verifier, small, -1, &error));
    g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
    g_assert_nonnull (strstr (error->message, "has 512 bits"));
  }

  /* Two keys under one kid. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *twice = g_strdup_printf ("{\"keys\":[%s,%s]}", jwk, jwk);

    g_assert_false (deca_jwt_verifier_load_jwks_data (verifier, twice, -1, &error));
    g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
    g_assert_nonnull (strstr (error->message, "two keys with id “k1”"));
  }

  /* A failed load keeps what was there. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (deca_jwt_verifier_is_configured (verifier));
    g_assert_true (deca_jwt_verifier_load_jwks_data (verifier, good, -1, &error));
    g_assert_no_error (error);
    g_assert_true (deca_jwt_verifier_is_configured (verifier));
    g_assert_false (deca_jwt_verifier_load_jwks_data (verifier, "{\"keys\":[]}", -1, &error));
    g_assert_cmpuint (deca_jwt_verifier_get_n_rsa_keys (verifier), ==, 1);
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (deca_jwt_verifier_load_jwks_file (verifier, missing, &error));
    g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
  }
  /* A short HMAC secret is refused, and the message does not show it. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (deca_jwt_verifier_set_hs256_secret (verifier, (const guint8 *) "hunter2", 7, &error));
    g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
    g_assert_null (strstr (error->message, "hunter2"));
  }
}

static gnutls_privkey_t
generate_key (void)
{
  gnutls_privkey_t key;

  g_assert_cmpint (gnutls_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_privkey_generate (key, GNUTLS_PK_RSA, 2048, 0), ==, 0);
  return key;
}

int
main (int argc, char *argv[])
{
  g_autofree char *jwk1 = NULL;
  g_autofree char *jwk2 = NULL;
  g_autofree char *jwks = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  key1 = generate_key ();
  key2 = generate_key ();
  stranger = generate_key ();
  tmp_dir = g_dir_make_tmp ("deca-test-jwt-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  jwks_path = g_build_filename (tmp_dir, "jwks.json", NULL);
  jwk1 = jwk_of (key1, "k1");
  jwk2 = jwk_of (key2, "k2");
  jwks = g_strdup_printf ("{\"keys\":[%s,"
                          "{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"},"
                          "{\"kty\":\"RSA\",\"kid\":\"enc\",\"use\":\"enc\",\"n\":\"AA\",\"e\":\"AQAB\"},"
                          "%s]}", jwk1, jwk2);
  g_assert_true (g_file_set_contents (jwks_path, jwks, -1, NULL));

  g_test_add_func ("/deca/server/jwt/hs256-valid", test_hs256_valid);
  g_test_add_func ("/deca/server/jwt/rs256-valid", test_rs256_valid);
  g_test_add_func ("/deca/server/jwt/both-algorithms", test_both_algorithms);
  g_test_add_func ("/deca/server/jwt/expiry", test_expiry);
  g_test_add_func ("/deca/server/jwt/not-yet-valid", test_not_yet_valid);
  g_test_add_func ("/deca/server/jwt/issuer-and-audience", test_issuer_and_audience);
  g_test_add_func ("/deca/server/jwt/forged-signature", test_forged_signature);
  g_test_add_func ("/deca/server/jwt/alg-none", test_alg_none);
  g_test_add_func ("/deca/server/jwt/alg-confusion", test_alg_confusion);
  g_test_add_func ("/deca/server/jwt/kid", test_kid);
  g_test_add_func ("/deca/server/jwt/malformed", test_malformed);
  g_test_add_func ("/deca/server/jwt/claims", test_claims);
  g_test_add_func ("/deca/server/jwt/configuration-errors", test_configuration_errors);
  ret = g_test_run ();

  gnutls_privkey_deinit (key1);
  gnutls_privkey_deinit (key2);
  gnutls_privkey_deinit (stranger);
  deca_test_remove_tree (tmp_dir);
  g_free (jwks_path);
  g_free (tmp_dir);
  return ret;
}
