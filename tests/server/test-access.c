/* test-access.c: who may do what, end to end: DecaAuthenticator (bearer JWTs, HS256 and
 * RS256, API keys, revoked keys, 401 shapes), the role x permission matrix against the
 * access routes (deca-api-access.c), cross-workspace attempts (404, nothing changes),
 * escalation (nobody grants more than they hold), rate limits (429 + Retry-After on a
 * manual clock), the audit lines of changes and refusals, and `deca serve --init` through
 * the real binary.
 *
 * The server runs on a thread of its own (the store is used from the thread that opened
 * it); the test looks at the database through a second connection of its own. */

#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <signal.h>
#include <string.h>

#include <deca-store-server.h>

#include "deca-api-access.h"
#include "deca-api-key.h"
#include "deca-audit.h"
#include "deca-authenticator.h"
#include "deca-base64url.h"
#include "deca-openapi.h"
#include "deca-server.h"
#include "deca-server-test.h"
#include "deca-test-fs.h"

/* 2026-12-01T12:00:00Z */
#define NOW 1796126400
#define ISSUER "https://tenant.auth0.com/"
#define AUDIENCE "https://api.deca-ai-studio.com"
#define WS_A "ws-a"
#define WS_B "ws-b"

static const char secret[] = "0123456789abcdef0123456789abcdef-hs256";
static gnutls_privkey_t rsa_key;     /* kid "k1", in the JWKS */
static gnutls_privkey_t stranger;    /* in no JWKS */
static char *jwks_path;
static char *tmp_dir;

static const char *const roles[] = { "owner", "admin", "developer", "viewer", "executor" };

typedef struct {
  DecaTestServer *test;
  DecaManualClock *clock; /* the rate limiter's */
  DecaStore *store;       /* the test's own connection */
  char *key_a;            /* an owner key of ws-a: its text */
  char *key_a_id;
  char *key_b_id;         /* a viewer key of ws-b */
  char *key_b;
  gboolean with_rate_limit;
  gboolean with_failure_limit; /* 1 failure a second, bursts of 3, on @clock */
} Fixture;

/* --- tokens ------------------------------------------------------------------------ */

static char *
b64 (const char *text)
{
  return deca_base64url_encode ((const guint8 *) text, strlen (text));
}

static char *
sign_hs256_with (const char *claims,
                 const char *key)
{
  g_autofree char *h = b64 ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
  g_autofree char *c = b64 (claims);
  g_autofree char *input = g_strconcat (h, ".", c, NULL);
  g_autofree char *sig = NULL;
  guint8 mac[32];

  g_assert_cmpint (gnutls_hmac_fast (GNUTLS_MAC_SHA256, key, strlen (key), input, strlen (input), mac), ==, 0);
  sig = deca_base64url_encode (mac, sizeof mac);
  return g_strconcat (input, ".", sig, NULL);
}

static char *
sign_rs256_with (gnutls_privkey_t  key,
                 const char       *claims)
{
  g_autofree char *h = b64 ("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}");
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

/* Claims of @sub in @workspace (NULL: no workspace claim) with @roles_json, expiring at
 * @exp. */
static char *
claims_of (const char *sub,
           const char *workspace,
           const char *roles_json,
           gint64      exp)
{
  g_autofree char *ws = workspace != NULL
                        ? g_strdup_printf (",\"https://deca-ai-studio.com/workspace_id\":\"%s\"", workspace)
                        : g_strdup ("");

  return g_strdup_printf ("{\"sub\":\"%s\",\"iss\":\"" ISSUER "\",\"aud\":\"" AUDIENCE "\","
                          "\"iat\":%d,\"exp\":%" G_GINT64_FORMAT "%s,"
                          "\"https://deca-ai-studio.com/roles\":%s}",
                          sub, NOW - 60, exp, ws, roles_json);
}

/* A valid HS256 token of member @sub of @workspace. */
static char *
token_of (const char *sub,
          const char *workspace)
{
  g_autofree char *claims = claims_of (sub, workspace, "[\"owner\"]", NOW + 3600);

  return sign_hs256_with (claims, secret);
}

static char *
bearer (const char *token)
{
  return g_strconcat ("Bearer ", token, NULL);
}

/* --- the server -------------------------------------------------------------------- */

static void
protected_cb (DecaRequest *request,
              gpointer     user_data)
{
  const DecaPrincipal *principal = deca_request_get_principal (request);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, principal->subject);
  json_builder_set_member_name (builder, "workspace");
  json_builder_add_string_value (builder, principal->workspace_id);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, principal->roles[0]);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  deca_request_respond_json (request, 200, root);
}

/* On the server thread: the real authenticator (JWTs of the test's keys on a clock of
 * their own, the variant's limiters), the access routes and the test's own route. */
static void
server_setup (DecaTestServer *test,
              DecaServer     *server,
              gpointer        user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaJwtVerifier) verifier = deca_jwt_verifier_new ();
  g_autoptr(DecaManualClock) token_clock = deca_manual_clock_new ((gint64) NOW * G_USEC_PER_SEC);
  DecaAuthenticator *authenticator;
  DecaRoute *route;

  deca_jwt_verifier_set_clock (verifier, DECA_CLOCK (token_clock));
  deca_jwt_verifier_set_issuer (verifier, ISSUER);
  deca_jwt_verifier_set_audience (verifier, AUDIENCE);
  g_assert_true (deca_jwt_verifier_set_hs256_secret (verifier, (const guint8 *) secret, strlen (secret), &error));
  g_assert_true (deca_jwt_verifier_load_jwks_file (verifier, jwks_path, &error));
  g_assert_no_error (error);
  authenticator = deca_test_server_install_authenticator (test);
  deca_authenticator_set_jwt_verifier (authenticator, verifier);
  if (fixture->with_rate_limit)
    {
      g_autoptr(DecaRateLimiter) limiter = deca_rate_limiter_new (1.0, 2, DECA_CLOCK (fixture->clock));

      deca_authenticator_set_rate_limiter (authenticator, limiter);
    }
  g_assert_nonnull (deca_authenticator_get_failure_limiter (authenticator));
  if (fixture->with_failure_limit)
    {
      g_autoptr(DecaRateLimiter) failures = deca_rate_limiter_new (1.0, 3, DECA_CLOCK (fixture->clock));

      deca_authenticator_set_failure_limiter (authenticator, failures);
    }
  g_assert_true (deca_api_access_register (server, &error));
  g_assert_no_error (error);
  route = deca_server_add_route (server, "GET", "/api/v1/protected", DECA_ROUTE_NONE,
                                 protected_cb, NULL, NULL, &error);
  g_assert_nonnull (route);
  deca_route_set_required_permissions (route, DECA_PERMISSION_READ_FLOWS);
}

/* Seeds the database before the server opens it: workspaces A and B, a member of A per
 * role ("<role>-a"), an owner of B, an owner key of A and a viewer key of B. */
static void
seed (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaApiKey) key_a = deca_api_key_generate (&error);
  g_autoptr(DecaApiKey) key_b = deca_api_key_generate (&error);
  g_autofree char *hash_a = deca_api_key_hash (key_a);
  g_autofree char *hash_b = deca_api_key_hash (key_b);
  DecaApiKeyRecord record = { 0 };

  g_assert_true (deca_store_create_workspace (fixture->store, WS_A, "Team A", &error));
  g_assert_true (deca_store_create_workspace (fixture->store, WS_B, "Team B", &error));
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_autofree char *user = g_strdup_printf ("%s-a", roles[i]);

      g_assert_true (deca_store_set_member (fixture->store, WS_A, user, roles[i], &error));
    }
  g_assert_true (deca_store_set_member (fixture->store, WS_B, "owner-b", "owner", &error));
  record.id = (char *) deca_api_key_get_id (key_a);
  record.workspace_id = (char *) WS_A;
  record.name = (char *) "ci";
  record.role = (char *) "owner";
  record.secret_hash = hash_a;
  g_assert_true (deca_store_insert_api_key (fixture->store, &record, &error));
  record.id = (char *) deca_api_key_get_id (key_b);
  record.workspace_id = (char *) WS_B;
  record.role = (char *) "viewer";
  record.secret_hash = hash_b;
  g_assert_true (deca_store_insert_api_key (fixture->store, &record, &error));
  g_assert_no_error (error);
  fixture->key_a = g_strdup (deca_api_key_get_text (key_a));
  fixture->key_a_id = g_strdup (deca_api_key_get_id (key_a));
  fixture->key_b = g_strdup (deca_api_key_get_text (key_b));
  fixture->key_b_id = g_strdup (deca_api_key_get_id (key_b));
}

/* Before the server opens the database: the test's own connection, seeded. */
static void
server_prepare (DecaTestServer *test,
                gpointer        user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;

  fixture->store = deca_store_open (test->db_path, &error);
  g_assert_no_error (error);
  seed (fixture);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  DecaTestServerOptions options = { .prepare = server_prepare, .setup = server_setup, .user_data = fixture };

  fixture->with_rate_limit = GPOINTER_TO_INT (data) == 1;
  fixture->with_failure_limit = GPOINTER_TO_INT (data) == 2;
  fixture->clock = deca_manual_clock_new ((gint64) NOW * G_USEC_PER_SEC);
  fixture->test = deca_test_server_new ("access", &options);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_test_server_free (fixture->test);
  g_assert_finalize_object (fixture->store);
  g_assert_finalize_object (fixture->clock);
  g_free (fixture->key_a);
  g_free (fixture->key_a_id);
  g_free (fixture->key_b);
  g_free (fixture->key_b_id);
}

/* --- HTTP helpers ------------------------------------------------------------------ */

typedef struct {
  guint status;
  JsonNode *json;         /* (nullable) */
  char *text;
  char *retry_after;
  char *www_authenticate;
  char *location;
} Answer;

static void
answer_free (Answer *answer)
{
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer->text);
  g_free (answer->retry_after);
  g_free (answer->www_authenticate);
  g_free (answer->location);
  g_free (answer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

/* Sends @method @path with @body (NULL: none) and the header pairs after it
 * (NULL-terminated). */
static Answer *
call (Fixture    *fixture,
      const char *method,
      const char *path,
      const char *body,
      ...)
{
  g_autoptr(GPtrArray) headers = g_ptr_array_new ();
  g_auto(DecaTestAnswer) sent = { 0 };
  DecaTestRequest request = { .method = method, .path = path, .body = body, .body_length = -1 };
  Answer *answer = g_new0 (Answer, 1);
  const char *name;
  va_list args;

  va_start (args, body);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      g_ptr_array_add (headers, (gpointer) name);
      g_ptr_array_add (headers, va_arg (args, char *));
    }
  va_end (args);
  g_ptr_array_add (headers, NULL);
  request.headers = (const char * const *) headers->pdata;
  /* Every answer as the OpenAPI document has it, but the test's own route's. */
  if (g_str_equal (path, "/api/v1/protected"))
    request.flags = DECA_TEST_CALL_UNDOCUMENTED;
  deca_test_send (fixture->test->session, fixture->test->uri, &request, &sent);
  answer->status = sent.status;
  answer->text = g_steal_pointer (&sent.text);
  answer->json = g_steal_pointer (&sent.json);
  answer->retry_after = g_strdup (deca_test_answer_header (&sent, "Retry-After"));
  answer->www_authenticate = g_strdup (deca_test_answer_header (&sent, "WWW-Authenticate"));
  answer->location = g_strdup (deca_test_answer_header (&sent, "Location"));
  return answer;
}

/* Calls with "Authorization: Bearer @credentials". */
static Answer *
call_as (Fixture    *fixture,
         const char *credentials,
         const char *method,
         const char *path,
         const char *body)
{
  g_autofree char *authorization = bearer (credentials);

  return call (fixture, method, path, body, "Authorization", authorization, NULL);
}

/* Calls with a fresh token of member @user of workspace A. */
static Answer *
call_member (Fixture    *fixture,
             const char *user,
             const char *method,
             const char *path,
             const char *body)
{
  g_autofree char *token = token_of (user, WS_A);

  return call_as (fixture, token, method, path, body);
}

/* Asserts the error shape with @code and returns (transfer none) its "error" object. */
static JsonObject *
assert_error (Answer     *answer,
              guint       status,
              const char *code)
{
  g_assert_cmpuint (answer->status, ==, status);
  return deca_test_assert_error (answer->json, code);
}

static void
assert_unauthenticated (Answer *answer)
{
  assert_error (answer, 401, "unauthenticated");
  g_assert_cmpstr (answer->www_authenticate, ==, "Bearer realm=\"deca\"");
}

static guint
count_audit (Fixture    *fixture,
             const char *workspace,
             const char *action,
             const char *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = deca_store_list_audit (fixture->store, workspace, 0, 0, &error);
  guint count = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < lines->len; i++)
    {
      DecaAuditRecord *line = g_ptr_array_index (lines, i);

      if (g_str_equal (line->action, action) && g_str_equal (line->result, result))
        count++;
    }
  return count;
}

/* --- tests ------------------------------------------------------------------------- */

static void
test_tokens (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *valid_claims = claims_of ("viewer-a", WS_A, "[\"owner\"]", NOW + 3600);
  g_autofree char *expired_claims = claims_of ("viewer-a", WS_A, "[\"viewer\"]", NOW - 3600);
  g_autofree char *hs256 = sign_hs256_with (valid_claims, secret);
  g_autofree char *expired = sign_hs256_with (expired_claims, secret);
  g_autofree char *forged = sign_hs256_with (valid_claims, "another secret of thirty-two bytes at least");
  g_autofree char *rs256 = sign_rs256_with (rsa_key, valid_claims);
  g_autofree char *rs256_forged = sign_rs256_with (stranger, valid_claims);
  g_autofree char *rs256_expired = sign_rs256_with (rsa_key, expired_claims);
  g_autofree char *no_ws_claims = claims_of ("viewer-a", NULL, "[\"viewer\"]", NOW + 3600);
  g_autofree char *no_ws = sign_hs256_with (no_ws_claims, secret);
  g_autofree char *tampered = NULL;
  const char *valid[] = { hs256, rs256 };
  const char *refused[] = { expired, forged, rs256_forged, rs256_expired, no_ws };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(Answer) answer = call_as (fixture, valid[i], "GET", "/api/v1/protected", NULL);
      JsonObject *object;

      g_assert_cmpuint (answer->status, ==, 200);
      object = json_node_get_object (answer->json);
      g_assert_cmpstr (json_object_get_string_member (object, "subject"), ==, "viewer-a");
      g_assert_cmpstr (json_object_get_string_member (object, "workspace"), ==, WS_A);
      /* The token says owner; the store says viewer, and the store decides. */
      g_assert_cmpstr (json_object_get_string_member (object, "role"), ==, "viewer");
    }
  {
    g_autoptr(Answer) answer = call_as (fixture, hs256, "GET", "/api/v1/workspaces/" WS_A "/members", NULL);
    assert_error (answer, 403, "forbidden");
  }

  /* A changed claims segment under the old signature. */
  tampered = g_strdup (hs256);
  tampered[strchr (tampered, '.') - tampered + 3] ^= 1;
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(Answer) answer = call_as (fixture, refused[i], "GET", "/api/v1/protected", NULL);

      assert_unauthenticated (answer);
      g_assert_null (strstr (answer->text, refused[i]));
    }
  {
    g_autoptr(Answer) answer = call_as (fixture, tampered, "GET", "/api/v1/protected", NULL);
    assert_unauthenticated (answer);
  }
  {
    g_autoptr(Answer) answer = call (fixture, "GET", "/api/v1/protected", NULL, NULL);
    assert_unauthenticated (answer);
  }
  {
    g_autoptr(Answer) answer = call (fixture, "GET", "/api/v1/protected", NULL,
                                     "Authorization", "Basic dXNlcjpwYXNz", NULL);
    assert_unauthenticated (answer);
  }
  {
    /* The scheme's case does not matter. */
    g_autofree char *authorization = g_strconcat ("bearer ", hs256, NULL);
    g_autoptr(Answer) answer = call (fixture, "GET", "/api/v1/protected", NULL,
                                     "Authorization", authorization, NULL);
    g_assert_cmpuint (answer->status, ==, 200);
  }

  /* A valid token of someone who is not a member: 403, audited server-wide. */
  {
    g_autofree char *stranger_token = token_of ("nobody", WS_A);
    g_autofree char *other_ws = token_of ("viewer-a", WS_B);
    g_autoptr(Answer) first = call_as (fixture, stranger_token, "GET", "/api/v1/protected", NULL);
    g_autoptr(Answer) second = call_as (fixture, other_ws, "GET", "/api/v1/protected", NULL);

    assert_error (first, 403, "forbidden");
    assert_error (second, 403, "forbidden");
    g_assert_cmpuint (count_audit (fixture, NULL, "auth.member_check", "denied"), ==, 2);
    g_assert_cmpuint (count_audit (fixture, WS_A, "auth.member_check", "denied"), ==, 0);
  }

  /* Removing a member takes effect at once, whatever the token says. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(Answer) answer = NULL;

    g_assert_true (deca_store_remove_member (fixture->store, WS_A, "viewer-a", &error));
    g_assert_no_error (error);
    answer = call_as (fixture, hs256, "GET", "/api/v1/protected", NULL);
    assert_error (answer, 403, "forbidden");
  }
}

static void
test_api_keys (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaApiKeyRecord) before = NULL;
  g_autoptr(DecaApiKeyRecord) after = NULL;
  g_autoptr(DecaApiKey) unknown = deca_api_key_generate (&error);
  g_autofree char *wrong_secret = NULL;
  g_autofree char *revoke_path = NULL;
  const char *message = NULL;

  before = deca_store_get_api_key (fixture->store, WS_A, fixture->key_a_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (before->last_used_at, ==, 0);
  {
    g_autoptr(Answer) answer = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);
    JsonObject *object;

    g_assert_cmpuint (answer->status, ==, 200);
    object = json_node_get_object (answer->json);
    g_assert_cmpstr (json_object_get_string_member (object, "subject"), ==, fixture->key_a_id);
    g_assert_cmpstr (json_object_get_string_member (object, "workspace"), ==, WS_A);
    g_assert_cmpstr (json_object_get_string_member (object, "role"), ==, "owner");
  }
  {
    g_autoptr(Answer) answer = call (fixture, "GET", "/api/v1/protected", NULL, "X-Api-Key", fixture->key_b, NULL);

    g_assert_cmpuint (answer->status, ==, 200);
  }
  after = deca_store_get_api_key (fixture->store, WS_A, fixture->key_a_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->last_used_at, >, 0);

  /* Every way a key can be wrong answers the same. */
  wrong_secret = g_strdup (fixture->key_a);
  wrong_secret[strlen (wrong_secret) - 2] = wrong_secret[strlen (wrong_secret) - 2] == 'A' ? 'B' : 'A';
  revoke_path = g_strdup_printf ("/api/v1/workspaces/" WS_B "/api-keys/%s", fixture->key_b_id);
  {
    g_autoptr(GError) revoke_error = NULL;

    g_assert_true (deca_store_revoke_api_key (fixture->store, WS_B, fixture->key_b_id, &revoke_error));
    g_assert_no_error (revoke_error);
  }
  {
    const char *wrong[] = { wrong_secret, deca_api_key_get_text (unknown), "deca_123_abc", fixture->key_b };

    for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
      {
        g_autoptr(Answer) answer = call_as (fixture, wrong[i], "GET", "/api/v1/protected", NULL);
        g_autoptr(Answer) header = call (fixture, "GET", "/api/v1/protected", NULL, "X-Api-Key", wrong[i], NULL);
        JsonObject *object;

        assert_unauthenticated (answer);
        assert_unauthenticated (header);
        object = assert_error (answer, 401, "unauthenticated");
        if (message == NULL)
          message = g_intern_string (json_object_get_string_member (object, "message"));
        g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, message);
        object = assert_error (header, 401, "unauthenticated");
        g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, message);
        g_assert_null (strstr (answer->text, wrong[i] + 5));
      }
  }
  /* Both headers at once are refused, even when both are good. */
  {
    g_autofree char *authorization = bearer (fixture->key_a);
    g_autoptr(Answer) answer = call (fixture, "GET", "/api/v1/protected", NULL, "Authorization", authorization,
                                     "X-Api-Key", fixture->key_a, NULL);
    assert_unauthenticated (answer);
  }
}

/* Each role against each access route: allowed where its permissions say, 403 naming the
 * permission elsewhere, with a "denied" audit line per refusal. */
static void
test_matrix (Fixture       *fixture,
             gconstpointer  data)
{
  for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
    {
      DecaRole role;
      DecaPermissions granted;
      g_autofree char *user = g_strdup_printf ("%s-a", roles[r]);
      g_autofree char *target = g_strdup_printf ("/api/v1/workspaces/" WS_A "/members/new-%s", roles[r]);
      g_autofree char *key_id = NULL;
      g_autofree char *key_path = NULL;
      guint denied_before = count_audit (fixture, WS_A, "access.denied", "denied");
      guint denied_expected = 0;
      struct {
        const char *method;
        const char *path;
        const char *body;
        DecaPermission needs;   /* 0: any member */
        guint ok_status;
      } routes[] = {
        { "GET", "/api/v1/workspaces", NULL, 0, 200 },
        { "GET", "/api/v1/workspaces/" WS_A, NULL, 0, 200 },
        { "GET", "/api/v1/workspaces/" WS_A "/members", NULL, DECA_PERMISSION_MANAGE_USERS, 200 },
        { "GET", "/api/v1/workspaces/" WS_A "/members/owner-a", NULL, DECA_PERMISSION_MANAGE_USERS, 200 },
        { "PUT", target, "{\"role\":\"viewer\"}", DECA_PERMISSION_MANAGE_USERS, 201 },
        { "PUT", target, "{\"role\":\"executor\",\"display_name\":\"New\"}", DECA_PERMISSION_MANAGE_USERS, 200 },
        { "DELETE", target, NULL, DECA_PERMISSION_MANAGE_USERS, 204 },
        { "POST", "/api/v1/workspaces/" WS_A "/api-keys", "{\"name\":\"bot\",\"role\":\"viewer\"}",
          DECA_PERMISSION_MANAGE_KEYS, 201 },
        { "GET", "/api/v1/workspaces/" WS_A "/api-keys", NULL, DECA_PERMISSION_MANAGE_KEYS, 200 },
        { "DELETE", NULL, NULL, DECA_PERMISSION_MANAGE_KEYS, 204 },
        { "GET", "/api/v1/workspaces/" WS_A "/audit", NULL, DECA_PERMISSION_READ_AUDIT, 200 },
      };

      g_assert_true (deca_role_from_string (roles[r], &role));
      granted = deca_rbac_role_permissions (role);
      for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
        {
          g_autoptr(Answer) answer = NULL;
          const char *path = routes[i].path;

          if (path == NULL)
            {
              /* Revoke the key this role made, or the seeded one when it could not. */
              g_free (key_path);
              key_path = g_strdup_printf ("/api/v1/workspaces/" WS_A "/api-keys/%s",
                                          key_id != NULL ? key_id : fixture->key_a_id);
              path = key_path;
            }
          answer = call_member (fixture, user, routes[i].method, path, routes[i].body);
          if (routes[i].needs == 0 || (granted & routes[i].needs))
            {
              g_test_message ("%s %s %s", roles[r], routes[i].method, path);
              g_assert_cmpuint (answer->status, ==, routes[i].ok_status);
              if (routes[i].ok_status == 201 && g_str_equal (routes[i].method, "POST"))
                key_id = g_strdup (json_object_get_string_member (json_node_get_object (answer->json), "id"));
            }
          else
            {
              JsonObject *error = assert_error (answer, 403, "forbidden");
              JsonArray *missing = json_object_get_array_member (json_object_get_object_member (error, "details"),
                                                                 "missing");
              const char *name = deca_permission_to_string (routes[i].needs);

              g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), name));
              g_assert_cmpuint (json_array_get_length (missing), ==, 1);
              g_assert_cmpstr (json_array_get_string_element (missing, 0), ==, name);
              denied_expected++;
            }
        }
      g_assert_cmpuint (count_audit (fixture, WS_A, "access.denied", "denied") - denied_before, ==, denied_expected);
    }
  /* The seeded owner key is still good: only the keys the roles made were revoked. */
  {
    g_autoptr(Answer) answer = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);
    g_assert_cmpuint (answer->status, ==, 200);
  }
}

/* A workspace other than the caller's is not found, for every route, and nothing of it
 * changes. */
static void
test_cross_workspace (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_path = g_strdup_printf ("/api/v1/workspaces/" WS_B "/api-keys/%s", fixture->key_b_id);
  g_autofree char *key_in_a = g_strdup_printf ("/api/v1/workspaces/" WS_A "/api-keys/%s", fixture->key_b_id);
  struct { const char *method; const char *path; const char *body; } routes[] = {
    { "GET", "/api/v1/workspaces/" WS_B, NULL },
    { "GET", "/api/v1/workspaces/" WS_B "/members", NULL },
    { "GET", "/api/v1/workspaces/" WS_B "/members/owner-b", NULL },
    { "PUT", "/api/v1/workspaces/" WS_B "/members/owner-b", "{\"role\":\"viewer\"}" },
    { "PUT", "/api/v1/workspaces/" WS_B "/members/intruder", "{\"role\":\"owner\"}" },
    { "DELETE", "/api/v1/workspaces/" WS_B "/members/owner-b", NULL },
    { "POST", "/api/v1/workspaces/" WS_B "/api-keys", "{\"name\":\"x\",\"role\":\"owner\"}" },
    { "GET", "/api/v1/workspaces/" WS_B "/api-keys", NULL },
    { "DELETE", key_path, NULL },
    { "DELETE", key_in_a, NULL },       /* B's key through A's path */
    { "GET", "/api/v1/workspaces/" WS_A "/members/owner-b", NULL },
    { "GET", "/api/v1/workspaces/" WS_B "/audit", NULL },
    { "GET", "/api/v1/workspaces/nonexistent", NULL },
  };
  g_autoptr(GPtrArray) members_before = deca_store_list_members (fixture->store, WS_B, &error);
  g_autoptr(GPtrArray) keys_before = deca_store_list_api_keys (fixture->store, WS_B, &error);
  g_autoptr(GPtrArray) audit_before = deca_store_list_audit (fixture->store, WS_B, 0, 0, &error);
  g_autoptr(GPtrArray) members_after = NULL;
  g_autoptr(GPtrArray) keys_after = NULL;
  g_autoptr(GPtrArray) audit_after = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      g_autoptr(Answer) as_owner = call_member (fixture, "owner-a", routes[i].method, routes[i].path, routes[i].body);
      g_autoptr(Answer) as_key = call_as (fixture, fixture->key_a, routes[i].method, routes[i].path, routes[i].body);

      g_test_message ("%s %s", routes[i].method, routes[i].path);
      assert_error (as_owner, 404, "not_found");
      assert_error (as_key, 404, "not_found");
    }
  {
    g_autoptr(Answer) answer = call_member (fixture, "owner-a", "GET", "/api/v1/workspaces", NULL);
    JsonArray *workspaces = json_object_get_array_member (json_node_get_object (answer->json), "items");

    g_assert_cmpuint (answer->status, ==, 200);
    /* The shared list answer; a list of one is never paged. */
    g_assert_false (json_object_has_member (json_node_get_object (answer->json), "next_cursor"));
    g_assert_cmpuint (json_array_get_length (workspaces), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (workspaces, 0), "id"), ==, WS_A);
  }

  members_after = deca_store_list_members (fixture->store, WS_B, &error);
  keys_after = deca_store_list_api_keys (fixture->store, WS_B, &error);
  audit_after = deca_store_list_audit (fixture->store, WS_B, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members_after->len, ==, members_before->len);
  g_assert_cmpuint (members_after->len, ==, 1);
  g_assert_cmpstr (((DecaMemberRecord *) members_after->pdata[0])->role, ==, "owner");
  g_assert_cmpuint (keys_after->len, ==, keys_before->len);
  g_assert_cmpint (((DecaApiKeyRecord *) keys_after->pdata[0])->revoked_at, ==, 0);
  g_assert_cmpuint (audit_after->len, ==, audit_before->len);
  {
    g_autoptr(DecaMemberRecord) intruder = deca_store_get_member (fixture->store, WS_B, "intruder", NULL);
    g_assert_null (intruder);
  }
}

/* Nobody grants more than they hold; a workspace keeps an owner. */
static void
test_escalation (Fixture       *fixture,
                 gconstpointer  data)
{
  struct { const char *method; const char *path; const char *body; } refused[] = {
    { "PUT", "/api/v1/workspaces/" WS_A "/members/developer-a", "{\"role\":\"owner\"}" },
    { "PUT", "/api/v1/workspaces/" WS_A "/members/owner-a", "{\"role\":\"viewer\"}" },
    { "DELETE", "/api/v1/workspaces/" WS_A "/members/owner-a", NULL },
    { "POST", "/api/v1/workspaces/" WS_A "/api-keys", "{\"name\":\"root\",\"role\":\"owner\"}" },
  };
  g_autofree char *owner_key_path = g_strdup_printf ("/api/v1/workspaces/" WS_A "/api-keys/%s", fixture->key_a_id);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(Answer) answer = call_member (fixture, "admin-a", refused[i].method, refused[i].path, refused[i].body);
      JsonObject *details = json_object_get_object_member (assert_error (answer, 403, "forbidden"), "details");

      g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (details, "missing"), 0),
                       ==, "manage:workspace");
      /* A role is the reason: the details name it beside what is missing. */
      g_assert_cmpstr (json_object_get_string_member (details, "role"), ==, "owner");
    }
  {
    g_autoptr(Answer) answer = call_member (fixture, "admin-a", "DELETE", owner_key_path, NULL);
    assert_error (answer, 403, "forbidden");
  }
  {
    g_autoptr(DecaMemberRecord) owner = deca_store_get_member (fixture->store, WS_A, "owner-a", &error);
    g_autoptr(DecaMemberRecord) developer = deca_store_get_member (fixture->store, WS_A, "developer-a", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (owner->role, ==, "owner");
    g_assert_cmpstr (developer->role, ==, "developer");
  }
  g_assert_cmpuint (count_audit (fixture, WS_A, "member.set", "denied"), ==, 2);
  g_assert_cmpuint (count_audit (fixture, WS_A, "member.remove", "denied"), ==, 1);
  g_assert_cmpuint (count_audit (fixture, WS_A, "api_key.create", "denied"), ==, 1);
  g_assert_cmpuint (count_audit (fixture, WS_A, "api_key.revoke", "denied"), ==, 1);

  /* An admin may make a developer an admin: it holds every permission of that role. */
  {
    g_autoptr(Answer) answer = call_member (fixture, "admin-a", "PUT", "/api/v1/workspaces/" WS_A "/members/developer-a",
                                            "{\"role\":\"admin\"}");
    g_assert_cmpuint (answer->status, ==, 200);
  }
  /* The last owner can neither leave nor step down; with a second one it can. */
  {
    g_autoptr(Answer) leave = call_member (fixture, "owner-a", "DELETE", "/api/v1/workspaces/" WS_A "/members/owner-a", NULL);
    g_autoptr(Answer) demote = call_member (fixture, "owner-a", "PUT", "/api/v1/workspaces/" WS_A "/members/owner-a",
                                            "{\"role\":\"admin\"}");
    g_autoptr(Answer) promote = NULL;
    g_autoptr(Answer) demote_again = NULL;

    assert_error (leave, 409, "conflict");
    assert_error (demote, 409, "conflict");
    g_assert_cmpuint (count_audit (fixture, WS_A, "member.remove", "failed"), ==, 1);
    promote = call_member (fixture, "owner-a", "PUT", "/api/v1/workspaces/" WS_A "/members/second-owner",
                           "{\"role\":\"owner\"}");
    g_assert_cmpuint (promote->status, ==, 201);
    demote_again = call_member (fixture, "owner-a", "PUT", "/api/v1/workspaces/" WS_A "/members/owner-a",
                                "{\"role\":\"admin\"}");
    g_assert_cmpuint (demote_again->status, ==, 200);
  }
}

/* Bad input: 400 with the JSON pointer of the field (or the parameter). */
static void
test_bad_input (Fixture       *fixture,
                gconstpointer  data)
{
  struct { const char *method; const char *path; const char *body; const char *member; const char *value; } cases[] = {
    { "PUT", "/api/v1/workspaces/" WS_A "/members/x", "{\"role\":\"boss\"}", "pointer", "/role" },
    { "PUT", "/api/v1/workspaces/" WS_A "/members/x", "{}", "pointer", "/role" },
    { "PUT", "/api/v1/workspaces/" WS_A "/members/x", "[1]", "pointer", "" },
    { "PUT", "/api/v1/workspaces/" WS_A "/members/x", NULL, "pointer", "" },
    { "PUT", "/api/v1/workspaces/" WS_A "/members/x", "{\"role\":\"viewer\",\"display_name\":3}", "pointer", "/display_name" },
    { "PUT", NULL, "{\"role\":\"viewer\"}", "parameter", "user" },
    { "POST", "/api/v1/workspaces/" WS_A "/api-keys", "{\"role\":\"viewer\"}", "pointer", "/name" },
    { "POST", "/api/v1/workspaces/" WS_A "/api-keys", "{\"name\":\"a\",\"role\":7}", "pointer", "/role" },
    { "POST", "/api/v1/workspaces/" WS_A "/api-keys", "{\"name\":\"a\",\"role\":\"viewer\",\"scopes\":\"read:flows\"}",
      "pointer", "/scopes" },
    { "POST", "/api/v1/workspaces/" WS_A "/api-keys",
      "{\"name\":\"a\",\"role\":\"viewer\",\"scopes\":[\"read:flows\",\"fly:away\"]}", "pointer", "/scopes/1" },
    { "GET", "/api/v1/workspaces/" WS_A "/audit?limit=0", NULL, "parameter", "limit" },
    { "GET", "/api/v1/workspaces/" WS_A "/audit?limit=abc", NULL, "parameter", "limit" },
    { "GET", "/api/v1/workspaces/" WS_A "/audit?limit=201", NULL, "parameter", "limit" },
    { "GET", "/api/v1/workspaces/" WS_A "/audit?cursor=-1", NULL, "parameter", "cursor" },
    { "GET", "/api/v1/workspaces/" WS_A "/audit?cursor=x", NULL, "parameter", "cursor" },
    { "GET", "/api/v1/workspaces/" WS_A "/members?limit=0", NULL, "parameter", "limit" },
    { "GET", "/api/v1/workspaces/" WS_A "/api-keys?limit=x", NULL, "parameter", "limit" },
    { "GET", "/api/v1/workspaces/" WS_A "/api-keys?cursor=no-such-key", NULL, "parameter", "cursor" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autofree char *long_user = g_strnfill (201, 'u');
  g_autofree char *long_path = g_strconcat ("/api/v1/workspaces/" WS_A "/members/", long_user, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *path = cases[i].path != NULL ? cases[i].path : long_path;
      g_autoptr(Answer) answer = call_as (fixture, fixture->key_a, cases[i].method, path, cases[i].body);
      JsonObject *details;

      g_test_message ("%s %s %s", cases[i].method, path, cases[i].body);
      details = json_object_get_object_member (assert_error (answer, 400, "bad_request"), "details");
      g_assert_cmpstr (json_object_get_string_member (details, cases[i].member), ==, cases[i].value);
    }
  members = deca_store_list_members (fixture->store, WS_A, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, G_N_ELEMENTS (roles));
}

/* Keys made through the API: the text once, then never again; the key works, its scopes
 * narrow it, and revoking it stops it. */
static void
test_key_lifecycle (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(Answer) created = call_as (fixture, fixture->key_a, "POST", "/api/v1/workspaces/" WS_A "/api-keys",
                                       "{\"name\":\"deploy\",\"role\":\"developer\",\"scopes\":[\"read:audit\"]}");
  g_autoptr(Answer) plain = call_as (fixture, fixture->key_a, "POST", "/api/v1/workspaces/" WS_A "/api-keys",
                                     "{\"name\":\"ci\",\"role\":\"admin\"}");
  g_autoptr(Answer) listed = NULL;
  g_autofree char *path = NULL;
  JsonObject *object = json_node_get_object (created->json);
  const char *text, *id;
  JsonArray *keys;

  g_assert_cmpuint (created->status, ==, 201);
  g_assert_cmpuint (plain->status, ==, 201);
  text = json_object_get_string_member (object, "key");
  id = json_object_get_string_member (object, "id");
  g_assert_true (g_str_has_prefix (text, "deca_"));
  g_assert_nonnull (strstr (text, id));
  g_assert_cmpstr (json_object_get_string_member (object, "role"), ==, "developer");
  g_assert_false (json_object_has_member (object, "secret_hash"));
  /* Every time of the API in one form: UTC with milliseconds. */
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$",
                                       json_object_get_string_member (object, "created_at"), 0, 0));
  g_assert_true (json_object_get_null_member (object, "last_used_at"));
  /* Like every create, the answer names the key's URL (where it is revoked, below). */
  path = g_strdup_printf ("/api/v1/workspaces/" WS_A "/api-keys/%s", id);
  g_assert_cmpstr (created->location, ==, path);

  listed = call_as (fixture, fixture->key_a, "GET", "/api/v1/workspaces/" WS_A "/api-keys", NULL);
  g_assert_cmpuint (listed->status, ==, 200);
  g_assert_null (strstr (listed->text, text + strlen ("deca_") + DECA_API_KEY_ID_LENGTH + 1));
  g_assert_null (strstr (listed->text, "\"key\""));
  g_assert_null (strstr (listed->text, "hash"));
  keys = json_object_get_array_member (json_node_get_object (listed->json), "items");
  g_assert_cmpuint (json_array_get_length (keys), ==, 3);
  g_assert_true (json_object_get_null_member (json_node_get_object (listed->json), "next_cursor"));

  /* Pages of two, oldest first: the cursor goes on after the previous page's last key. */
  {
    g_autoptr(Answer) first = call_as (fixture, fixture->key_a, "GET", "/api/v1/workspaces/" WS_A "/api-keys?limit=2",
                                       NULL);
    g_autoptr(Answer) second = NULL;
    g_autofree char *next = NULL;
    JsonObject *root;
    JsonArray *page;

    g_assert_cmpuint (first->status, ==, 200);
    root = json_node_get_object (first->json);
    page = json_object_get_array_member (root, "items");
    g_assert_cmpuint (json_array_get_length (page), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (page, 0), "id"), ==,
                     json_object_get_string_member (json_array_get_object_element (keys, 0), "id"));
    g_assert_cmpstr (json_object_get_string_member (root, "next_cursor"), ==,
                     json_object_get_string_member (json_array_get_object_element (keys, 1), "id"));
    next = g_strdup_printf ("/api/v1/workspaces/" WS_A "/api-keys?limit=2&cursor=%s",
                            json_object_get_string_member (root, "next_cursor"));
    second = call_as (fixture, fixture->key_a, "GET", next, NULL);
    g_assert_cmpuint (second->status, ==, 200);
    root = json_node_get_object (second->json);
    page = json_object_get_array_member (root, "items");
    g_assert_cmpuint (json_array_get_length (page), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (page, 0), "id"), ==,
                     json_object_get_string_member (json_array_get_object_element (keys, 2), "id"));
    g_assert_true (json_object_get_null_member (root, "next_cursor"));
  }

  /* A developer key scoped to read:audit can do nothing: developers cannot read it. */
  {
    g_autoptr(Answer) audit = call_as (fixture, text, "GET", "/api/v1/workspaces/" WS_A "/audit", NULL);
    g_autoptr(Answer) flows = call_as (fixture, text, "GET", "/api/v1/protected", NULL);

    assert_error (audit, 403, "forbidden");
    assert_error (flows, 403, "forbidden");
  }
  {
    const char *admin_key = json_object_get_string_member (json_node_get_object (plain->json), "key");
    g_autoptr(Answer) audit = call_as (fixture, admin_key, "GET", "/api/v1/workspaces/" WS_A "/audit", NULL);

    g_assert_cmpuint (audit->status, ==, 200);
  }

  {
    g_autoptr(Answer) revoked = call_as (fixture, fixture->key_a, "DELETE", created->location, NULL);
    g_autoptr(Answer) again = call_as (fixture, fixture->key_a, "DELETE", path, NULL);
    g_autoptr(Answer) refused = call_as (fixture, text, "GET", "/api/v1/workspaces", NULL);
    g_autoptr(Answer) missing = call_as (fixture, fixture->key_a, "DELETE",
                                         "/api/v1/workspaces/" WS_A "/api-keys/0000000000000000", NULL);

    g_assert_cmpuint (revoked->status, ==, 204);
    g_assert_cmpuint (again->status, ==, 204);
    assert_unauthenticated (refused);
    assert_error (missing, 404, "not_found");
  }
}

static void
test_rate_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *token = token_of ("viewer-a", WS_A);

  /* A burst of 2, then one a second. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(Answer) answer = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);
      g_assert_cmpuint (answer->status, ==, 200);
    }
  {
    g_autoptr(Answer) answer = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);

    assert_error (answer, 429, "rate_limited");
    g_assert_cmpstr (answer->retry_after, ==, "1");
  }
  /* Another caller has a bucket of its own. */
  {
    g_autoptr(Answer) answer = call_as (fixture, token, "GET", "/api/v1/protected", NULL);
    g_assert_cmpuint (answer->status, ==, 200);
  }
  deca_manual_clock_advance (fixture->clock, G_USEC_PER_SEC);
  {
    g_autoptr(Answer) answer = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);
    g_autoptr(Answer) again = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);

    g_assert_cmpuint (answer->status, ==, 200);
    assert_error (again, 429, "rate_limited");
  }
}

/* Failed authentications per address: wrong keys and tokens that do not verify take from
 * the address's bucket (3, then one a second); once it is empty every request with
 * credentials from there, a right key's too, is 429 with Retry-After before anything is
 * looked up, until it refills; requests that authenticate take nothing from it. */
static void
test_failure_limit (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaApiKey) unknown = deca_api_key_generate (&error);
  /* Well formed, so hashed and looked up, but in no store. */
  const char *wrong_key = deca_api_key_get_text (unknown);
  g_autofree char *forged = NULL;

  {
    g_autofree char *claims = claims_of ("viewer-a", WS_A, "[\"owner\"]", NOW + 3600);

    forged = sign_hs256_with (claims, "0123456789abcdef0123456789abcdef-other");
  }

  /* Successes cost nothing here: more of them than the burst, and the bucket is full. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(Answer) answer = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);
      g_assert_cmpuint (answer->status, ==, 200);
    }
  /* Three failures, of both kinds, are answered as such. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(Answer) answer = call_as (fixture, i == 1 ? forged : wrong_key, "GET", "/api/v1/protected", NULL);

      g_assert_cmpuint (answer->status, ==, 401);
    }
  /* The fourth, and a right key after it, wait: nothing is looked up. */
  {
    g_autoptr(Answer) wrong = call_as (fixture, wrong_key, "GET", "/api/v1/protected", NULL);
    g_autoptr(Answer) right = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);
    g_autoptr(Answer) header = call (fixture, "GET", "/api/v1/protected", NULL, "X-Api-Key", fixture->key_a, NULL);
    g_autoptr(Answer) none = call (fixture, "GET", "/api/v1/protected", NULL, NULL);
    JsonObject *refusal = assert_error (wrong, 429, "rate_limited");

    g_assert_cmpstr (wrong->retry_after, ==, "1");
    g_assert_nonnull (strstr (json_object_get_string_member (refusal, "message"), "failed authentications"));
    assert_error (right, 429, "rate_limited");
    g_assert_cmpstr (right->retry_after, ==, "1");
    assert_error (header, 429, "rate_limited");
    /* Without credentials there is nothing to look up: the usual 401. */
    assert_unauthenticated (none);
  }
  /* A second later one token is back: the right key gets through without taking it, a
   * wrong one takes it, and the next waits again. */
  deca_manual_clock_advance (fixture->clock, G_USEC_PER_SEC);
  {
    g_autoptr(Answer) right = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);
    g_autoptr(Answer) right_again = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);
    g_autoptr(Answer) wrong = call_as (fixture, wrong_key, "GET", "/api/v1/protected", NULL);
    g_autoptr(Answer) refused = call_as (fixture, fixture->key_a, "GET", "/api/v1/protected", NULL);

    g_assert_cmpuint (right->status, ==, 200);
    g_assert_cmpuint (right_again->status, ==, 200);
    assert_unauthenticated (wrong);
    assert_error (refused, 429, "rate_limited");
  }
}

/* The members routes show each member's display name: the list reads them with the
 * members, in one query; a member without one has null. */
static void
test_member_names (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(Answer) carol = call_member (fixture, "owner-a", "PUT", "/api/v1/workspaces/" WS_A "/members/carol",
                                         "{\"role\":\"developer\",\"display_name\":\"Carol C.\"}");
  g_autoptr(Answer) dave = call_member (fixture, "owner-a", "PUT", "/api/v1/workspaces/" WS_A "/members/dave",
                                        "{\"role\":\"viewer\"}");
  g_autoptr(Answer) list = call_member (fixture, "owner-a", "GET", "/api/v1/workspaces/" WS_A "/members", NULL);
  g_autoptr(Answer) one = call_member (fixture, "owner-a", "GET", "/api/v1/workspaces/" WS_A "/members/carol", NULL);
  JsonArray *members;
  guint found = 0;

  g_assert_cmpuint (carol->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (carol->json), "display_name"), ==,
                   "Carol C.");
  g_assert_cmpuint (dave->status, ==, 201);
  g_assert_true (json_object_get_null_member (json_node_get_object (dave->json), "display_name"));
  g_assert_cmpuint (one->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (one->json), "display_name"), ==,
                   "Carol C.");

  g_assert_cmpuint (list->status, ==, 200);
  members = json_object_get_array_member (json_node_get_object (list->json), "items");
  g_assert_true (json_object_get_null_member (json_node_get_object (list->json), "next_cursor"));
  for (guint i = 0; i < json_array_get_length (members); i++)
    {
      JsonObject *member = json_array_get_object_element (members, i);
      const char *user = json_object_get_string_member (member, "user_id");

      if (g_str_equal (user, "carol"))
        {
          g_assert_cmpstr (json_object_get_string_member (member, "display_name"), ==, "Carol C.");
          found++;
        }
      else if (g_str_equal (user, "dave"))
        {
          g_assert_true (json_object_get_null_member (member, "display_name"));
          found++;
        }
      else
        g_assert_true (json_object_has_member (member, "display_name"));
    }
  g_assert_cmpuint (found, ==, 2);

  /* Paged by user id: pages of two hold every member once, in the list's order, and the
   * last page says there is none after it. */
  {
    g_autofree char *cursor = NULL;
    guint seen = 0, pages = 0;

    do
      {
        g_autofree char *path = cursor == NULL
                                ? g_strdup ("/api/v1/workspaces/" WS_A "/members?limit=2")
                                : g_strdup_printf ("/api/v1/workspaces/" WS_A "/members?limit=2&cursor=%s", cursor);
        g_autoptr(Answer) page = call_member (fixture, "owner-a", "GET", path, NULL);
        JsonObject *root;
        JsonArray *items;
        JsonNode *next;

        g_assert_cmpuint (page->status, ==, 200);
        root = json_node_get_object (page->json);
        items = json_object_get_array_member (root, "items");
        g_assert_cmpuint (json_array_get_length (items), >=, 1);
        g_assert_cmpuint (json_array_get_length (items), <=, 2);
        for (guint i = 0; i < json_array_get_length (items); i++, seen++)
          g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, i), "user_id"), ==,
                           json_object_get_string_member (json_array_get_object_element (members, seen), "user_id"));
        next = json_object_get_member (root, "next_cursor");
        g_assert_nonnull (next);
        g_clear_pointer (&cursor, g_free);
        if (!JSON_NODE_HOLDS_NULL (next))
          {
            cursor = g_strdup (json_node_get_string (next));
            g_assert_cmpstr (cursor, ==, json_object_get_string_member (json_array_get_object_element (items, 1),
                                                                         "user_id"));
          }
        pages++;
      }
    while (cursor != NULL);
    g_assert_cmpuint (seen, ==, json_array_get_length (members));
    g_assert_cmpuint (pages, ==, (json_array_get_length (members) + 1) / 2);
    g_assert_cmpuint (pages, >=, 2);
  }
}

/* Changes and refusals leave audit lines: who, what, when, from where, result; the
 * route pages them. */
static void
test_audit (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(Answer) put = call_member (fixture, "owner-a", "PUT", "/api/v1/workspaces/" WS_A "/members/carol",
                                       "{\"role\":\"developer\",\"display_name\":\"Carol\"}");
  g_autoptr(Answer) denied = call_member (fixture, "viewer-a", "GET", "/api/v1/workspaces/" WS_A "/members", NULL);
  g_autoptr(Answer) removed = call_member (fixture, "owner-a", "DELETE", "/api/v1/workspaces/" WS_A "/members/carol", NULL);
  g_autoptr(Answer) key = call_member (fixture, "admin-a", "POST", "/api/v1/workspaces/" WS_A "/api-keys",
                                       "{\"name\":\"n8n\",\"role\":\"executor\"}");
  g_autoptr(Answer) page1 = NULL;
  g_autoptr(Answer) page2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *next = NULL;
  const char *key_id, *secret_text;
  struct { const char *actor; const char *action; const char *target; const char *result; } expected[] = {
    /* newest first */
    { NULL, "api_key.create", NULL, "ok" },
    { "user:owner-a", "member.remove", "carol", "ok" },
    /* the route's pattern, not the path with its ids */
    { "user:viewer-a", "access.denied", "/api/v1/workspaces/{ws}/members", "denied" },
    { "user:owner-a", "member.set", "carol", "ok" },
  };

  g_assert_cmpuint (put->status, ==, 201);
  assert_error (denied, 403, "forbidden");
  g_assert_cmpuint (removed->status, ==, 204);
  g_assert_cmpuint (key->status, ==, 201);
  key_id = json_object_get_string_member (json_node_get_object (key->json), "id");
  secret_text = json_object_get_string_member (json_node_get_object (key->json), "key");

  lines = deca_store_list_audit (fixture->store, WS_A, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lines->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < lines->len; i++)
    {
      DecaAuditRecord *line = g_ptr_array_index (lines, i);

      g_assert_cmpstr (line->actor, ==, expected[i].actor != NULL ? expected[i].actor : "user:admin-a");
      g_assert_cmpstr (line->action, ==, expected[i].action);
      g_assert_cmpstr (line->target, ==, expected[i].target != NULL ? expected[i].target : key_id);
      g_assert_cmpstr (line->result, ==, expected[i].result);
      g_assert_cmpstr (line->source, ==, "127.0.0.1");
      g_assert_cmpint (line->at, >, 0);
      g_assert_cmpstr (line->workspace_id, ==, WS_A);
      g_assert_true (line->details == NULL || strstr (line->details, secret_text + 22) == NULL);
    }
  g_assert_nonnull (strstr (((DecaAuditRecord *) lines->pdata[3])->details, "\"previous_role\":null"));
  g_assert_nonnull (strstr (((DecaAuditRecord *) lines->pdata[2])->details, "\"missing\":[\"manage:users\"]"));
  g_assert_nonnull (strstr (((DecaAuditRecord *) lines->pdata[2])->details,
                            "\"route\":\"/api/v1/workspaces/{ws}/members\""));

  /* The route, two lines a page. */
  page1 = call_as (fixture, fixture->key_a, "GET", "/api/v1/workspaces/" WS_A "/audit?limit=3", NULL);
  g_assert_cmpuint (page1->status, ==, 200);
  {
    JsonObject *root = json_node_get_object (page1->json);
    JsonArray *entries = json_object_get_array_member (root, "items");
    JsonObject *first = json_array_get_object_element (entries, 0);

    g_assert_cmpuint (json_array_get_length (entries), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (first, "action"), ==, "api_key.create");
    g_assert_cmpstr (json_object_get_string_member (first, "source"), ==, "127.0.0.1");
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (first, "details")));
    /* The cursor is a string, as every list's: here the id of the page's oldest line. */
    g_autofree char *oldest = g_strdup_printf ("%" G_GINT64_FORMAT,
                                               json_object_get_int_member (json_array_get_object_element (entries, 2),
                                                                           "id"));

    g_assert_cmpstr (json_object_get_string_member (root, "next_cursor"), ==, oldest);
    next = g_strdup_printf ("/api/v1/workspaces/" WS_A "/audit?limit=3&cursor=%s",
                            json_object_get_string_member (root, "next_cursor"));
  }
  page2 = call_as (fixture, fixture->key_a, "GET", next, NULL);
  g_assert_cmpuint (page2->status, ==, 200);
  {
    JsonObject *root = json_node_get_object (page2->json);
    JsonArray *entries = json_object_get_array_member (root, "items");

    g_assert_cmpuint (json_array_get_length (entries), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "action"),
                     ==, "member.set");
    g_assert_true (json_object_get_null_member (root, "next_cursor"));
  }
}

/* --- deca serve --init, the real binary --------------------------------------------- */

static char *
run_deca (const char  *const *args,
          char              **out_stderr,
          int                *out_status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("DECA_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, out_stderr, &error));
  g_assert_no_error (error);
  *out_status = g_subprocess_get_exit_status (process);
  return out;
}

/* Starts `deca serve --listen 127.0.0.1:0 --data-dir @data_dir` with the extra arguments
 * (NULL-terminated) and returns its base URI. */
static char *
start_deca_serve (GSubprocess **out_process,
                  const char   *data_dir,
                  ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *arg;
  char *uri;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("DECA_BIN"));
  g_ptr_array_add (argv, "serve");
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, "127.0.0.1:0");
  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, (char *) data_dir);
  va_start (args, data_dir);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  *out_process = g_subprocess_newv ((const char *const *) argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (*out_process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));
  uri = g_strdup (line + strlen ("Listening on "));
  if (strchr (uri, ' ') != NULL)
    *strchr (uri, ' ') = '\0';
  return uri;
}

/* One request to the real server with "Authorization: Bearer @credentials". */
static guint
serve_call (const char  *uri,
            const char  *credentials,
            const char  *method,
            const char  *path,
            const char  *body,
            char       **out_retry_after)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *full = g_strconcat (uri, path, NULL);
  g_autofree char *authorization = bearer (credentials);
  g_autoptr(SoupMessage) message = soup_message_new (method, full);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", authorization);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  response = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  /* Every answer as the OpenAPI document has it, but the test's own route's. */
  if (!g_str_equal (g_uri_get_path (soup_message_get_uri (message)), "/api/v1/protected"))
    deca_openapi_assert_message (message, response);
  if (out_retry_after != NULL)
    *out_retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                               "Retry-After"));
  return soup_message_get_status (message);
}

static void
test_init (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("deca-test-init-XXXXXX", &error);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL, *out3 = NULL, *err3 = NULL;
  g_autofree char *out4 = NULL, *err4 = NULL;
  g_autofree char *key = NULL;
  g_autofree char *db_path = g_build_filename (data_dir, "deca.db", NULL);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *authorization = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *workspace;
  int status;

  g_assert_no_error (error);
  out = run_deca ((const char *[]) { "serve", "--init", "--data-dir", data_dir, NULL }, &err, &status);
  g_assert_cmpint (status, ==, 0);
  /* The key alone on one line, once. */
  g_assert_true (g_str_has_prefix (out, "deca_"));
  g_assert_true (g_str_has_suffix (out, "\n"));
  g_assert_true (strchr (out, '\n') == out + strlen (out) - 1);
  key = g_strndup (out, strlen (out) - 1);
  g_assert_null (strstr (err, key + strlen ("deca_") + DECA_API_KEY_ID_LENGTH + 1));
  /* The note on stderr is right whether stdout is a terminal or captured: it says where
   * the key went, not that it is "above". */
  g_assert_nonnull (strstr (err, "written to standard output"));
  g_assert_null (strstr (err, "above"));

  /* A second run is refused and changes nothing. */
  out2 = run_deca ((const char *[]) { "serve", "--init", "--data-dir", data_dir, NULL }, &err2, &status);
  g_assert_cmpint (status, ==, 2);
  g_assert_cmpstr (out2, ==, "");
  g_assert_nonnull (strstr (err2, "initialised already"));
  out3 = run_deca ((const char *[]) { "serve", "--init", "--workspace", "default", "--data-dir", data_dir, NULL },
                   &err3, &status);
  g_assert_cmpint (status, ==, 2);
  g_assert_cmpstr (out3, ==, "");
  /* A new name adds a workspace with a key of its own. */
  out4 = run_deca ((const char *[]) { "serve", "--init", "--workspace", "Second team", "--data-dir", data_dir, NULL },
                   &err4, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out4, "deca_"));
  g_assert_cmpstr (out4, !=, out);
  {
    g_autoptr(DecaStore) store = deca_store_open (db_path, &error);
    g_autoptr(GPtrArray) workspaces = deca_store_list_workspaces (store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (workspaces->len, ==, 3);   /* local, default, Second team */
  }

  /* The key works against the real server. */
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             g_getenv ("DECA_BIN"), "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));
  uri = g_strdup (line + strlen ("Listening on "));
  if (strchr (uri, ' ') != NULL)
    *strchr (uri, ' ') = '\0';
  {
    g_autofree char *full = g_strconcat (uri, "/api/v1/workspaces", NULL);

    message = soup_message_new ("GET", full);
  }
  authorization = bearer (key);
  soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", authorization);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  json = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  workspace = json_array_get_object_element (json_object_get_array_member (json_node_get_object (json), "items"), 0);
  g_assert_cmpstr (json_object_get_string_member (workspace, "name"), ==, "default");
  g_assert_cmpstr (json_object_get_string_member (workspace, "role"), ==, "owner");
  g_clear_object (&message);
  {
    g_autofree char *full = g_strconcat (uri, "/api/v1/workspaces", NULL);

    message = soup_message_new ("GET", full);
    g_clear_pointer (&body, g_bytes_unref);
    body = soup_session_send_and_read (session, message, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (message), ==, 401);
  }

  g_subprocess_send_signal (server, SIGTERM);
  g_assert_true (g_subprocess_wait (server, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);

  /* The token options and a tiny rate limit, through the real binary: the owner key makes
   * alice a developer, her HS256 token then works, and each caller's second request in
   * a thousand seconds is 429. */
  {
    g_autofree char *secret_path = g_build_filename (dir, "jwt-secret", NULL);
    g_autofree char *ws_id = g_strdup (json_object_get_string_member (workspace, "id"));
    g_autofree char *member_path = g_strdup_printf ("/api/v1/workspaces/%s/members/alice", ws_id);
    g_autofree char *ws_path = g_strdup_printf ("/api/v1/workspaces/%s", ws_id);
    g_autofree char *secret_line = g_strconcat (secret, "\n", NULL);
    g_autoptr(GSubprocess) limited = NULL;
    g_autofree char *limited_uri = NULL;
    g_autofree char *claims = claims_of ("alice", ws_id, "[\"owner\"]", g_get_real_time () / G_USEC_PER_SEC + 3600);
    g_autofree char *token = sign_hs256_with (claims, secret);
    g_autofree char *forged = sign_hs256_with (claims, "not the secret of the server, but long enough");
    g_autofree char *retry_after = NULL;
    g_autofree char *key_retry_after = NULL;

    g_assert_true (g_file_set_contents (secret_path, secret_line, -1, &error));
    g_assert_no_error (error);
    limited_uri = start_deca_serve (&limited, data_dir, "--jwt-secret-file", secret_path, "--issuer", ISSUER,
                                    "--audience", AUDIENCE, "--rate-limit", "0.001/1", NULL);
    g_assert_cmpuint (serve_call (limited_uri, key, "PUT", member_path, "{\"role\":\"developer\"}", NULL), ==, 201);
    g_assert_cmpuint (serve_call (limited_uri, forged, "GET", ws_path, NULL, NULL), ==, 401);
    g_assert_cmpuint (serve_call (limited_uri, token, "GET", ws_path, NULL, NULL), ==, 200);
    g_assert_cmpuint (serve_call (limited_uri, token, "GET", ws_path, NULL, &retry_after), ==, 429);
    g_assert_cmpuint (serve_call (limited_uri, key, "GET", ws_path, NULL, &key_retry_after), ==, 429);
    g_assert_nonnull (retry_after);
    g_assert_cmpuint (g_ascii_strtoull (retry_after, NULL, 10), >=, 1);
    g_assert_cmpuint (g_ascii_strtoull (retry_after, NULL, 10), <=, 1000);
    g_assert_nonnull (key_retry_after);
    g_subprocess_send_signal (limited, SIGTERM);
    g_assert_true (g_subprocess_wait (limited, NULL, &error));
    g_assert_cmpint (g_subprocess_get_exit_status (limited), ==, 0);
  }

  /* Bad access options are usage errors. */
  {
    const char *bad[][4] = {
      { "serve", "--workspace", "x", NULL },
      { "serve", "--rate-limit", "0", NULL },
      { "serve", "--rate-limit", "5/0", NULL },
      { "serve", "--issuer", "https://x/", NULL },
      { "serve", "--jwks", "/nonexistent/jwks.json", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *bad_out = NULL, *bad_err = NULL;

        bad_out = run_deca (bad[i], &bad_err, &status);
        g_assert_cmpint (status, ==, 2);
        g_assert_true (g_str_has_prefix (bad_err, "deca: serve: "));
      }
  }
  deca_test_remove_tree (dir);
}

/* --- main -------------------------------------------------------------------------- */

static char *
jwk_of (gnutls_privkey_t key)
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
  return g_strdup_printf ("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"use\":\"sig\",\"alg\":\"RS256\","
                          "\"n\":\"%s\",\"e\":\"%s\"}]}", n_text, e_text);
}

static gnutls_privkey_t
generate_key (void)
{
  gnutls_privkey_t key;

  g_assert_cmpint (gnutls_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_privkey_generate (key, GNUTLS_PK_RSA, 2048, 0), ==, 0);
  return key;
}

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *jwks = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  rsa_key = generate_key ();
  stranger = generate_key ();
  tmp_dir = g_dir_make_tmp ("deca-test-access-keys-XXXXXX", &error);
  g_assert_no_error (error);
  jwks_path = g_build_filename (tmp_dir, "jwks.json", NULL);
  jwks = jwk_of (rsa_key);
  g_assert_true (g_file_set_contents (jwks_path, jwks, -1, &error));

  ADD ("/deca/server/access/tokens", test_tokens, NULL);
  ADD ("/deca/server/access/api-keys", test_api_keys, NULL);
  ADD ("/deca/server/access/matrix", test_matrix, NULL);
  ADD ("/deca/server/access/cross-workspace", test_cross_workspace, NULL);
  ADD ("/deca/server/access/escalation", test_escalation, NULL);
  ADD ("/deca/server/access/bad-input", test_bad_input, NULL);
  ADD ("/deca/server/access/key-lifecycle", test_key_lifecycle, NULL);
  ADD ("/deca/server/access/rate-limit", test_rate_limit, GINT_TO_POINTER (1));
  ADD ("/deca/server/access/failure-limit", test_failure_limit, GINT_TO_POINTER (2));
  ADD ("/deca/server/access/audit", test_audit, NULL);
  ADD ("/deca/server/access/member-names", test_member_names, NULL);
  g_test_add_func ("/deca/server/access/init", test_init);

  status = g_test_run ();
  gnutls_privkey_deinit (rsa_key);
  gnutls_privkey_deinit (stranger);
  deca_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (jwks_path);
  return status;
}
