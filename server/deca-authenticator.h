#pragma once

#include <glib-object.h>

#include "deca-jwt.h"
#include "deca-principal.h"
#include "deca-rate-limit.h"
#include "deca-rbac.h"
#include "deca-server.h"

G_BEGIN_DECLS

/*
 * DecaAuthenticator: the authentication step of `deca serve` (docs/security.md, "Who may
 * do what"), plugged in with deca_authenticator_install(). For every route that is not
 * public it
 *
 * 1. finds the caller: `Authorization: Bearer <jwt>` verified by the DecaJwtVerifier (the
 *    user must be a member of the workspace the token names, and the role comes from
 *    that membership in the store), or an API key (`Authorization: Bearer deca_...` or
 *    `X-Api-Key: deca_...`) looked up by the hash of its secret (revoked keys are
 *    refused; last_used_at is moved on). Missing or invalid credentials: 401, with one
 *    message for every way an API key can be wrong;
 * 2. checks the route's required permissions (deca_request_get_required_permissions())
 *    against what the caller may do (DecaRbac): 403 naming the missing permissions in
 *    its message and in details.missing, and an audit line with result "denied";
 * 3. takes a token from the caller's bucket of the DecaRateLimiter, when one is set: 429
 *    with Retry-After.
 *
 * Before step 1, a request with credentials from an address whose failed authentications
 * (a wrong, revoked or malformed key, a token that does not verify, a non-member's token)
 * have used up that address's bucket of the failure limiter is answered 429 with
 * Retry-After, without hashing or looking anything up, until the bucket refills. Only
 * failures take from it: requests that authenticate cost nothing there.
 *
 * The request's principal (deca_request_get_principal()) is then a DecaPrincipal:
 * kind, subject (the token's `sub`, or the key's id), workspace_id (never NULL), roles
 * (one: the member's or the key's role) and scopes (the token's `scope` or the key's
 * scopes; NULL when none narrow the role).
 */

#define DECA_TYPE_AUTHENTICATOR (deca_authenticator_get_type ())
G_DECLARE_FINAL_TYPE (DecaAuthenticator, deca_authenticator, DECA, AUTHENTICATOR, GObject)

DecaAuthenticator *deca_authenticator_new              (void);

/* The verifier of bearer JWTs (taken with a reference), or NULL: then only API keys are
 * accepted. */
void               deca_authenticator_set_jwt_verifier (DecaAuthenticator *self,
                                                        DecaJwtVerifier   *verifier);
DecaJwtVerifier   *deca_authenticator_get_jwt_verifier (DecaAuthenticator *self);
/* The limiter of requests per caller (taken with a reference), or NULL for no limit.
 * Buckets are keyed "key:<id>" for API keys and "user:<sub>" for tokens. */
void               deca_authenticator_set_rate_limiter (DecaAuthenticator *self,
                                                        DecaRateLimiter   *limiter);
DecaRateLimiter   *deca_authenticator_get_rate_limiter (DecaAuthenticator *self);

/* The failed authentications an address may have: DECA_AUTHENTICATOR_FAILURE_RATE a
 * second, in bursts of DECA_AUTHENTICATOR_FAILURE_BURST. */
#define DECA_AUTHENTICATOR_FAILURE_RATE  10.0
#define DECA_AUTHENTICATOR_FAILURE_BURST 20

/* The limiter of failed authentications per peer address (taken with a reference; buckets
 * "addr:<address>"), or NULL for none. A new authenticator has one of
 * DECA_AUTHENTICATOR_FAILURE_RATE / _BURST on the system clock. */
void               deca_authenticator_set_failure_limiter (DecaAuthenticator *self,
                                                           DecaRateLimiter   *limiter);
DecaRateLimiter   *deca_authenticator_get_failure_limiter (DecaAuthenticator *self);

/* Makes @self the authentication step of @server (deca_server_set_authenticator(); the
 * server keeps a reference). */
void               deca_authenticator_install          (DecaAuthenticator *self,
                                                        DecaServer        *server);

/* The step itself, as deca_server_set_authenticator() calls it: TRUE with the request's
 * principal set, or FALSE with a DECA_SERVER_ERROR (UNAUTHENTICATED, TOKEN, FORBIDDEN,
 * RATE_LIMITED, INTERNAL when the store failed). */
gboolean           deca_authenticator_authenticate     (DecaAuthenticator  *self,
                                                        DecaRequest        *request,
                                                        GError            **error);

G_END_DECLS
