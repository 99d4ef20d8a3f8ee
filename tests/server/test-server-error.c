/* test-server-error.c: the server's error codes map to the API's names and statuses. */

#include "deca-server-error.h"

static void
test_names_and_statuses (void)
{
  g_assert_cmpstr (deca_server_error_code_name (DECA_SERVER_ERROR_BAD_REQUEST), ==, "bad_request");
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_BAD_REQUEST), ==, 400);
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_UNAUTHENTICATED), ==, 401);
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_FORBIDDEN), ==, 403);
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_NOT_FOUND), ==, 404);
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_CONFLICT), ==, 409);
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_TOO_LARGE), ==, 413);
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_UNPROCESSABLE), ==, 422);
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_RATE_LIMITED), ==, 429);
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_METHOD_NOT_ALLOWED), ==, 405);
  g_assert_cmpstr (deca_server_error_code_name (DECA_SERVER_ERROR_METHOD_NOT_ALLOWED), ==, "method_not_allowed");
  /* A token that does not verify is, to the caller, not being signed in. */
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_TOKEN), ==, 401);
  g_assert_cmpstr (deca_server_error_code_name (DECA_SERVER_ERROR_TOKEN), ==, "unauthenticated");
  /* Internal failures do not tell the caller what failed. */
  g_assert_cmpstr (deca_server_error_code_name (DECA_SERVER_ERROR_CRYPTO), ==, "internal");
  g_assert_cmpuint (deca_server_error_http_status (DECA_SERVER_ERROR_CRYPTO), ==, 500);
  g_assert_cmpuint (deca_server_error_http_status ((DecaServerError) 999), ==, 500);
  g_assert_cmpstr (deca_server_error_code_name ((DecaServerError) 999), ==, "internal");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deca/server/error/names-and-statuses", test_names_and_statuses);
  return g_test_run ();
}
