#pragma once

#include <glib-object.h>

#include "deca-clock.h"
#include "deca-principal.h"

G_BEGIN_DECLS

/*
 * DecaJwtVerifier: checks the bearer JWTs (RFC 7519) of API requests and turns a valid
 * one into a DecaPrincipal. Two algorithms, each only when configured:
 *
 * - HS256 (HMAC-SHA-256) with a shared secret (deca_jwt_verifier_set_hs256_secret());
 * - RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with the public keys of a JWKS document
 *   (RFC 7517; deca_jwt_verifier_load_jwks_file()), chosen by the token's `kid`.
 *
 * A token's `alg` must be one the verifier has keys for: `none`, any other algorithm, an
 * HS256 token when only RSA keys are configured and an RS256 token when only a secret is
 * are all refused (no algorithm confusion: an RSA public key is never used as an HMAC
 * secret). Then `exp` (required) and `nbf` are checked against the clock with the leeway,
 * and `iss` and `aud` when they are configured.
 *
 * Every failure is a DECA_SERVER_ERROR_TOKEN error whose message says what is wrong for a
 * person reading the 401 answer; it never contains the token, a secret or the token's
 * signature. A verifier is configured once and may then verify from several threads.
 */

#define DECA_TYPE_JWT_VERIFIER (deca_jwt_verifier_get_type ())
G_DECLARE_FINAL_TYPE (DecaJwtVerifier, deca_jwt_verifier, DECA, JWT_VERIFIER, GObject)

/* Longer tokens are refused before anything in them is decoded. */
#define DECA_JWT_MAX_LENGTH 16384
/* The leeway for `exp` and `nbf` unless one is set: clocks of two machines differ a little. */
#define DECA_JWT_DEFAULT_LEEWAY_SECONDS 30
#define DECA_JWT_DEFAULT_WORKSPACE_CLAIM "https://deca-ai-studio.com/workspace_id"
#define DECA_JWT_DEFAULT_ROLES_CLAIM "https://deca-ai-studio.com/roles"

DecaJwtVerifier *deca_jwt_verifier_new               (void);

/* Accepts HS256 tokens signed with @secret. RFC 7518 (3.2) asks for a key at least as long
 * as the hash: shorter secrets are refused with DECA_SERVER_ERROR_CONFIG. */
gboolean         deca_jwt_verifier_set_hs256_secret  (DecaJwtVerifier  *self,
                                                      const guint8     *secret,
                                                      gsize             len,
                                                      GError          **error);
/* Accepts RS256 tokens signed with the RSA keys of the JWKS document @data (replacing
 * keys loaded before). Keys of other types (EC, oct) and keys marked for another use or
 * algorithm are skipped; an RSA key with a bad modulus or exponent, a modulus below 2048
 * bits, two keys with the same kid, a document that is not a JWKS or that has no usable
 * RSA key fails with DECA_SERVER_ERROR_CONFIG and keeps the keys loaded before. */
gboolean         deca_jwt_verifier_load_jwks_data    (DecaJwtVerifier  *self,
                                                      const char       *data,
                                                      gssize            len,
                                                      GError          **error);
gboolean         deca_jwt_verifier_load_jwks_file    (DecaJwtVerifier  *self,
                                                      const char       *path,
                                                      GError          **error);
/* TRUE when the verifier accepts some token: a secret is set or RSA keys are loaded. */
gboolean         deca_jwt_verifier_is_configured     (DecaJwtVerifier  *self);
/* The number of RSA keys loaded. */
guint            deca_jwt_verifier_get_n_rsa_keys    (DecaJwtVerifier  *self);

/* The expected `iss`, or NULL (the default) to accept any issuer. */
void             deca_jwt_verifier_set_issuer        (DecaJwtVerifier  *self,
                                                      const char       *issuer);
const char      *deca_jwt_verifier_get_issuer        (DecaJwtVerifier  *self);
/* The audience that `aud` (a string or an array of them) must contain, or NULL (the
 * default) not to check `aud`. */
void             deca_jwt_verifier_set_audience      (DecaJwtVerifier  *self,
                                                      const char       *audience);
const char      *deca_jwt_verifier_get_audience      (DecaJwtVerifier  *self);
void             deca_jwt_verifier_set_leeway        (DecaJwtVerifier  *self,
                                                      guint             seconds);
guint            deca_jwt_verifier_get_leeway        (DecaJwtVerifier  *self);
/* The claims that carry the workspace id (a string) and the roles (an array of strings,
 * or one string); NULL restores the default. */
void             deca_jwt_verifier_set_claim_names   (DecaJwtVerifier  *self,
                                                      const char       *workspace_claim,
                                                      const char       *roles_claim);
/* Where the time comes from (the system clock unless set). */
void             deca_jwt_verifier_set_clock         (DecaJwtVerifier  *self,
                                                      DecaClock        *clock);

/* Verifies @token (the text after "Bearer "). Returns (transfer full) the principal (kind
 * DECA_PRINCIPAL_TOKEN): `sub`, the workspace and roles claims, and `scope` split at
 * spaces (scopes NULL when the token has no `scope`), or NULL with a DECA_SERVER_ERROR_TOKEN
 * error. */
DecaPrincipal   *deca_jwt_verifier_verify            (DecaJwtVerifier  *self,
                                                      const char       *token,
                                                      GError          **error);

G_END_DECLS
