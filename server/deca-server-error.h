#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DECA_SERVER_ERROR (deca_server_error_quark ())

/**
 * DecaServerError:
 * @DECA_SERVER_ERROR_BAD_REQUEST: a request is malformed (bad JSON, a bad field): 400
 * @DECA_SERVER_ERROR_UNAUTHENTICATED: no credentials, or they are not valid: 401
 * @DECA_SERVER_ERROR_FORBIDDEN: the caller may not do this: 403
 * @DECA_SERVER_ERROR_NOT_FOUND: no such route or resource (in the caller's workspace): 404
 * @DECA_SERVER_ERROR_CONFLICT: the resource changed or exists already: 409
 * @DECA_SERVER_ERROR_TOO_LARGE: the request body is larger than allowed: 413
 * @DECA_SERVER_ERROR_UNPROCESSABLE: well-formed but not valid (a flow that fails validation): 422
 * @DECA_SERVER_ERROR_RATE_LIMITED: too many requests for this key: 429
 * @DECA_SERVER_ERROR_TOKEN: a token could not be read or verified (malformed, bad signature, expired)
 * @DECA_SERVER_ERROR_CRYPTO: encryption or decryption failed, or a key is unusable
 * @DECA_SERVER_ERROR_CONFIG: the server's configuration is not usable (a key file, an address)
 * @DECA_SERVER_ERROR_INTERNAL: something failed on the server's side: 500
 * @DECA_SERVER_ERROR_METHOD_NOT_ALLOWED: the path exists, but not for this method: 405
 *   (the answer says which methods in its Allow header)
 * @DECA_SERVER_ERROR_TIMEOUT: the server's own work did not finish in time (a webhook
 *   whose flow did not respond): 504
 * @DECA_SERVER_ERROR_UNAVAILABLE: the server is not set up for this (no secret key to
 *   encrypt credentials with); the operator, not the caller, can change that: 503
 *
 * The error codes of libdeca-server. Messages are for people and never contain a secret.
 */
typedef enum {
  DECA_SERVER_ERROR_BAD_REQUEST,
  DECA_SERVER_ERROR_UNAUTHENTICATED,
  DECA_SERVER_ERROR_FORBIDDEN,
  DECA_SERVER_ERROR_NOT_FOUND,
  DECA_SERVER_ERROR_CONFLICT,
  DECA_SERVER_ERROR_TOO_LARGE,
  DECA_SERVER_ERROR_UNPROCESSABLE,
  DECA_SERVER_ERROR_RATE_LIMITED,
  DECA_SERVER_ERROR_TOKEN,
  DECA_SERVER_ERROR_CRYPTO,
  DECA_SERVER_ERROR_CONFIG,
  DECA_SERVER_ERROR_INTERNAL,
  DECA_SERVER_ERROR_METHOD_NOT_ALLOWED,
  DECA_SERVER_ERROR_TIMEOUT,
  DECA_SERVER_ERROR_UNAVAILABLE,
} DecaServerError;

/* How many codes there are (the last one plus one), for tables and tests that go through
 * every code. */
#define DECA_SERVER_N_ERRORS (DECA_SERVER_ERROR_UNAVAILABLE + 1)

GQuark      deca_server_error_quark       (void);
/* The code's name in the API's error shape ({"error": {"code": "not_found", ...}}). */
const char *deca_server_error_code_name   (DecaServerError code);
/* The HTTP status for @code (500 for codes that are not an HTTP answer of their own). */
guint       deca_server_error_http_status (DecaServerError code);

G_END_DECLS
