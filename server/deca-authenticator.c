/* deca-authenticator.c: who is calling, what they may do, how often (deca-authenticator.h). */

#include "config.h"

#include "deca-authenticator.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <deca-engine-error.h>
#include <deca-store-server.h>

#include "deca-api-key.h"
#include "deca-audit.h"

struct _DecaAuthenticator
{
  GObject parent_instance;

  DecaJwtVerifier *verifier;   /* (nullable) */
  DecaRateLimiter *limiter;    /* (nullable) */
  DecaRateLimiter *failures;   /* (nullable) failed authentications per address */
};

G_DEFINE_FINAL_TYPE (DecaAuthenticator, deca_authenticator, G_TYPE_OBJECT)

static void
deca_authenticator_dispose (GObject *object)
{
  DecaAuthenticator *self = DECA_AUTHENTICATOR (object);

  g_clear_object (&self->verifier);
  g_clear_object (&self->limiter);
  g_clear_object (&self->failures);
  G_OBJECT_CLASS (deca_authenticator_parent_class)->dispose (object);
}

static void
deca_authenticator_class_init (DecaAuthenticatorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = deca_authenticator_dispose;
}

static void
deca_authenticator_init (DecaAuthenticator *self)
{
  self->failures = deca_rate_limiter_new (DECA_AUTHENTICATOR_FAILURE_RATE,
                                          DECA_AUTHENTICATOR_FAILURE_BURST, NULL);
}

DecaAuthenticator *
deca_authenticator_new (void)
{
  return g_object_new (DECA_TYPE_AUTHENTICATOR, NULL);
}

void
deca_authenticator_set_jwt_verifier (DecaAuthenticator *self,
                                     DecaJwtVerifier   *verifier)
{
  g_return_if_fail (DECA_IS_AUTHENTICATOR (self));
  g_return_if_fail (verifier == NULL || DECA_IS_JWT_VERIFIER (verifier));

  g_set_object (&self->verifier, verifier);
}

DecaJwtVerifier *
deca_authenticator_get_jwt_verifier (DecaAuthenticator *self)
{
  g_return_val_if_fail (DECA_IS_AUTHENTICATOR (self), NULL);

  return self->verifier;
}

void
deca_authenticator_set_rate_limiter (DecaAuthenticator *self,
                                     DecaRateLimiter   *limiter)
{
  g_return_if_fail (DECA_IS_AUTHENTICATOR (self));
  g_return_if_fail (limiter == NULL || DECA_IS_RATE_LIMITER (limiter));

  g_set_object (&self->limiter, limiter);
}

DecaRateLimiter *
deca_authenticator_get_rate_limiter (DecaAuthenticator *self)
{
  g_return_val_if_fail (DECA_IS_AUTHENTICATOR (self), NULL);

  return self->limiter;
}

void
deca_authenticator_set_failure_limiter (DecaAuthenticator *self,
                                        DecaRateLimiter   *limiter)
{
  g_return_if_fail (DECA_IS_AUTHENTICATOR (self));
  g_return_if_fail (limiter == NULL || DECA_IS_RATE_LIMITER (limiter));

  g_set_object (&self->failures, limiter);
}

DecaRateLimiter *
deca_authenticator_get_failure_limiter (DecaAuthenticator *self)
{
  g_return_val_if_fail (DECA_IS_AUTHENTICATOR (self), NULL);

  return self->failures;
}

static gboolean
authenticate_cb (DecaRequest  *request,
                 gpointer      user_data,
                 GError      **error)
{
  return deca_authenticator_authenticate (DECA_AUTHENTICATOR (user_data), request, error);
}

void
deca_authenticator_install (DecaAuthenticator *self,
                            DecaServer        *server)
{
  g_return_if_fail (DECA_IS_AUTHENTICATOR (self));
  g_return_if_fail (DECA_IS_SERVER (server));

  deca_server_set_authenticator (server, authenticate_cb, g_object_ref (self), g_object_unref);
}

/* Every way an API key can be wrong (malformed, unknown, another secret, revoked) gets
 * this one message, so that a caller learns nothing about which part was wrong. */
static gboolean
refuse_api_key (GError **error)
{
  g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNAUTHENTICATED,
                       _("The API key is not valid"));
  return FALSE;
}

/* A store failure is the server's, not the caller's: a 500 whose real message is logged
 * (deca_request_respond_error() keeps it out of the answer). */
static void
store_failed (DecaRequest  *request,
              GError       *store_error,
              GError      **error)
{
  deca_request_log (request, DECA_LOG_ERROR, "authentication: %s", store_error->message);
  g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_INTERNAL, "internal server error");
}

static GStrv
strv_of_one (const char *value)
{
  GStrv strv = g_new0 (char *, 2);

  strv[0] = g_strdup (value);
  return strv;
}

/* Splits stored scopes (space-separated) into a list, NULL when there are none. */
static GStrv
scopes_of_text (const char *text)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  parts = g_strsplit (text, " ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

static DecaPrincipal *
principal_of_api_key (DecaRequest  *request,
                      const char   *text,
                      GError      **error)
{
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  g_autoptr(DecaApiKey) key = NULL;
  g_autoptr(DecaApiKeyRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *hash = NULL;
  DecaPrincipal *principal;

  key = deca_api_key_parse (text, NULL);
  if (key == NULL)
    return refuse_api_key (error), NULL;
  hash = deca_api_key_hash (key);
  record = deca_store_find_api_key_by_hash (store, hash, &local_error);
  if (record == NULL)
    {
      if (g_error_matches (local_error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
        return refuse_api_key (error), NULL;
      store_failed (request, local_error, error);
      return NULL;
    }
  /* The lookup found the hash; the id must be the key's too (a secret pasted behind
   * another id is not that key), and the comparison is the constant-time one. */
  if (!g_str_equal (record->id, deca_api_key_get_id (key))
      || !deca_api_key_verify (key, record->secret_hash)
      || record->revoked_at != 0)
    return refuse_api_key (error), NULL;
  if (!deca_store_touch_api_key (store, record->id, 0, &local_error))
    {
      store_failed (request, local_error, error);
      return NULL;
    }

  principal = deca_principal_new (DECA_PRINCIPAL_API_KEY, record->id);
  principal->workspace_id = g_strdup (record->workspace_id);
  g_strfreev (principal->roles);
  principal->roles = strv_of_one (record->role);
  principal->scopes = scopes_of_text (record->scopes);
  return principal;
}

/* A verified token speaks for its `sub` in the workspace its workspace claim names, and
 * only when that user is a member of it in the store: the role is the membership's. The
 * token's roles claim is not trusted (an identity provider's token for one deployment
 * would otherwise grant roles in another, and removing a member would not take effect
 * until the token expires); its `scope` still narrows. */
static DecaPrincipal *
principal_of_token (DecaAuthenticator  *self,
                    DecaRequest        *request,
                    const char         *token,
                    GError            **error)
{
  DecaStore *store = deca_server_get_store (deca_request_get_server (request));
  g_autoptr(DecaPrincipal) principal = NULL;
  g_autoptr(DecaMemberRecord) member = NULL;
  g_autoptr(GError) local_error = NULL;

  if (self->verifier == NULL || !deca_jwt_verifier_is_configured (self->verifier))
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNAUTHENTICATED,
                           _("This server accepts API keys only, not bearer tokens"));
      return NULL;
    }
  principal = deca_jwt_verifier_verify (self->verifier, token, error);
  if (principal == NULL)
    return NULL;
  if (principal->workspace_id == NULL || principal->workspace_id[0] == '\0')
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNAUTHENTICATED,
                           _("The token names no workspace"));
      return NULL;
    }

  member = deca_store_get_member (store, principal->workspace_id, principal->subject, &local_error);
  if (member == NULL)
    {
      g_autofree char *claimed = NULL;

      if (!g_error_matches (local_error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND))
        {
          store_failed (request, local_error, error);
          return NULL;
        }
      /* Audited server-wide: the workspace is only what the token claims, and its log
       * is not for lines of people who are not in it. */
      claimed = g_steal_pointer (&principal->workspace_id);
      g_strfreev (principal->roles);
      principal->roles = g_new0 (char *, 1);
      deca_request_set_principal (request, g_steal_pointer (&principal), (GDestroyNotify) deca_principal_free);
      deca_server_audit (request, "auth.member_check", claimed, DECA_AUDIT_DENIED, NULL);
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_FORBIDDEN,
                           _("You are not a member of the workspace the token names"));
      return NULL;
    }

  g_strfreev (principal->roles);
  principal->roles = strv_of_one (member->role);
  return g_steal_pointer (&principal);
}

/* Splits "Bearer <credentials>" (the scheme's case does not matter, RFC 9110 11.1).
 * Returns (transfer none) the credentials within @header, or NULL. */
static const char *
bearer_credentials (const char *header)
{
  const char *rest;

  if (g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;
  rest = header + 7;
  while (*rest == ' ')
    rest++;
  return *rest != '\0' ? rest : NULL;
}

gboolean
deca_authenticator_authenticate (DecaAuthenticator  *self,
                                 DecaRequest        *request,
                                 GError            **error)
{
  const char *authorization = deca_request_get_header (request, "Authorization");
  const char *api_key_header = deca_request_get_header (request, "X-Api-Key");
  const char *credentials = NULL;
  DecaPrincipal *principal = NULL;
  DecaPermissions required, missing;
  g_autofree char *bucket = NULL;
  g_autofree char *failure_bucket = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *address;
  guint retry_after = 0;

  g_return_val_if_fail (DECA_IS_AUTHENTICATOR (self), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);

  if (authorization != NULL && api_key_header != NULL)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNAUTHENTICATED,
                           _("Send credentials in one header, Authorization or X-Api-Key, not both"));
      return FALSE;
    }
  /* An address whose recent credentials were wrong too often waits before any more are
   * hashed and looked up: guessing keys costs the guesser, not the server. */
  if ((api_key_header != NULL || authorization != NULL) && self->failures != NULL
      && (address = deca_request_get_remote_host (request)) != NULL)
    {
      failure_bucket = g_strconcat ("addr:", address, NULL);
      if (!deca_rate_limiter_peek (self->failures, failure_bucket, &retry_after))
        {
          g_autofree char *value = g_strdup_printf ("%u", retry_after);

          deca_request_set_response_header (request, "Retry-After", value);
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_RATE_LIMITED,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Too many failed authentications from this address; retry in %u second",
                                    "Too many failed authentications from this address; retry in %u seconds",
                                    retry_after),
                       retry_after);
          return FALSE;
        }
    }
  if (api_key_header != NULL)
    {
      principal = principal_of_api_key (request, api_key_header, &local_error);
    }
  else if (authorization != NULL)
    {
      credentials = bearer_credentials (authorization);
      if (credentials == NULL)
        {
          g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNAUTHENTICATED,
                               _("The Authorization header wants the Bearer scheme: “Bearer <token or API key>”"));
          return FALSE;
        }
      if (deca_api_key_looks_like (credentials))
        principal = principal_of_api_key (request, credentials, &local_error);
      else
        principal = principal_of_token (self, request, credentials, &local_error);
    }
  else
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNAUTHENTICATED,
                           _("This needs credentials: a bearer token or an API key"));
      return FALSE;
    }
  if (principal == NULL)
    {
      /* A store failure is the server's, not a wrong credential. */
      if (failure_bucket != NULL && !g_error_matches (local_error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_INTERNAL))
        deca_rate_limiter_take (self->failures, failure_bucket, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  deca_request_set_principal (request, principal, (GDestroyNotify) deca_principal_free);

  required = (DecaPermissions) deca_request_get_required_permissions (request);
  missing = required & ~deca_rbac_principal_permissions (principal);
  if (missing != 0)
    {
      g_autoptr(JsonNode) details = deca_rbac_missing_details (missing, NULL);
      g_autofree char *names = deca_permissions_to_string (missing);
      g_autoptr(JsonNode) audit_details = deca_rbac_missing_details (missing, NULL);
      JsonObject *audit = json_node_get_object (audit_details);

      /* The line names the route's pattern, as every other audit line does, not the
       * path with its ids. */
      json_object_set_string_member (audit, "method", deca_request_get_method (request));
      json_object_set_string_member (audit, "route", deca_request_get_route (request));
      deca_server_audit (request, "access.denied", deca_request_get_route (request), DECA_AUDIT_DENIED,
                         audit_details);

      g_autoptr(GError) refusal = NULL;

      refusal = g_error_new (DECA_SERVER_ERROR, DECA_SERVER_ERROR_FORBIDDEN,
                             /* Translators: %s is one or more permission names ("manage:users"); keep them. */
                             _("This needs the permission %s"), names);
      /* Answered here for the details; the server's own answer of @error is then a no-op. */
      deca_request_respond_error (request, refusal, details);
      g_propagate_error (error, g_steal_pointer (&refusal));
      return FALSE;
    }

  if (self->limiter != NULL)
    {
      bucket = g_strconcat (principal->kind == DECA_PRINCIPAL_API_KEY ? "key:" : "user:",
                            principal->subject, NULL);
      if (!deca_rate_limiter_take (self->limiter, bucket, &retry_after))
        {
          g_autofree char *value = g_strdup_printf ("%u", retry_after);

          deca_request_set_response_header (request, "Retry-After", value);
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_RATE_LIMITED,
                       g_dngettext (GETTEXT_PACKAGE, "Too many requests; retry in %u second",
                                    "Too many requests; retry in %u seconds", retry_after),
                       retry_after);
          return FALSE;
        }
    }
  return TRUE;
}
