/* deca-server-error.c: the error domain of libdeca-server and its HTTP mapping. */

#include "config.h"

#include "deca-server-error.h"

G_DEFINE_QUARK (deca-server-error-quark, deca_server_error)

static const struct {
  const char *name;
  guint status;
} codes[] = {
  [DECA_SERVER_ERROR_BAD_REQUEST] = { "bad_request", 400 },
  [DECA_SERVER_ERROR_UNAUTHENTICATED] = { "unauthenticated", 401 },
  [DECA_SERVER_ERROR_FORBIDDEN] = { "forbidden", 403 },
  [DECA_SERVER_ERROR_NOT_FOUND] = { "not_found", 404 },
  [DECA_SERVER_ERROR_CONFLICT] = { "conflict", 409 },
  [DECA_SERVER_ERROR_TOO_LARGE] = { "payload_too_large", 413 },
  [DECA_SERVER_ERROR_UNPROCESSABLE] = { "unprocessable", 422 },
  [DECA_SERVER_ERROR_RATE_LIMITED] = { "rate_limited", 429 },
  /* A token that cannot be verified is an authentication failure to the caller. */
  [DECA_SERVER_ERROR_TOKEN] = { "unauthenticated", 401 },
  [DECA_SERVER_ERROR_CRYPTO] = { "internal", 500 },
  [DECA_SERVER_ERROR_CONFIG] = { "internal", 500 },
  [DECA_SERVER_ERROR_INTERNAL] = { "internal", 500 },
  [DECA_SERVER_ERROR_METHOD_NOT_ALLOWED] = { "method_not_allowed", 405 },
  [DECA_SERVER_ERROR_TIMEOUT] = { "timeout", 504 },
  [DECA_SERVER_ERROR_UNAVAILABLE] = { "unavailable", 503 },
};
/* A code added to the enum needs its row here and DECA_SERVER_N_ERRORS moved on. */
G_STATIC_ASSERT (G_N_ELEMENTS (codes) == DECA_SERVER_N_ERRORS);

const char *
deca_server_error_code_name (DecaServerError code)
{
  if ((guint) code >= G_N_ELEMENTS (codes))
    return "internal";
  return codes[code].name;
}

guint
deca_server_error_http_status (DecaServerError code)
{
  if ((guint) code >= G_N_ELEMENTS (codes))
    return 500;
  return codes[code].status;
}
