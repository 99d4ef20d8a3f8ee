/* deca-api-openapi.c: the API's OpenAPI document, served (deca-api-openapi.h). */

#include "config.h"

#include <gio/gio.h>

#include "deca-api-openapi.h"
#include "deca-server-resources.h"

GBytes *
deca_api_openapi_get_document (void)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  /* From the resource itself, not the global table: the reference to it is what makes a
   * static link keep the generated object (and the lookup cannot miss unless the build
   * is broken). */
  bytes = g_resource_lookup_data (deca_server_get_resource (), DECA_OPENAPI_RESOURCE_PATH,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    g_error ("the OpenAPI document is not in libdeca-server: %s", error->message);
  return bytes;
}

static void
openapi_cb (DecaRequest *request,
            gpointer     user_data)
{
  g_autoptr(GBytes) document = deca_api_openapi_get_document ();
  gsize length;
  const char *data = g_bytes_get_data (document, &length);

  /* It changes only with the binary; a day's caching is harmless. */
  deca_request_set_response_header (request, "Cache-Control", "public, max-age=86400");
  deca_request_respond (request, SOUP_STATUS_OK, DECA_OPENAPI_CONTENT_TYPE, data, length);
}

gboolean
deca_api_openapi_register (DecaServer  *server,
                           GError     **error)
{
  g_return_val_if_fail (DECA_IS_SERVER (server), FALSE);

  return deca_server_add_route (server, "GET", "/api/v1/openapi.yaml", DECA_ROUTE_PUBLIC,
                                openapi_cb, NULL, NULL, error) != NULL;
}
