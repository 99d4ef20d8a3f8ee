#pragma once

#include "deca-server.h"

G_BEGIN_DECLS

/*
 * GET /api/v1/openapi.yaml (public): the OpenAPI 3.0 document of the API,
 * data/openapi.yaml, compiled into libdeca-server as a GResource, so the document a
 * server hands out is always the one it was built with. tests/server/test-openapi.c holds
 * the server to it.
 */

#define DECA_OPENAPI_RESOURCE_PATH "/io/deca/Server/openapi.yaml"
#define DECA_OPENAPI_CONTENT_TYPE  "application/yaml"

/* The document's text (transfer full). Never fails: the resource is linked in. */
GBytes   *deca_api_openapi_get_document (void);

/* Adds the route to @server; FALSE with @error when its pattern is taken. DecaServer
 * calls it itself, next to /health and /metrics. */
gboolean  deca_api_openapi_register     (DecaServer  *server,
                                         GError     **error);

G_END_DECLS
