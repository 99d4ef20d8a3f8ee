#pragma once

#include <glib.h>

#include "deca-server.h"

G_BEGIN_DECLS

/*
 * The library routes of the REST API (docs/server.md, "Agents, prompts and functions"):
 * /api/v1/agents, /api/v1/prompts and /api/v1/functions, one implementation over a table
 * of the three kinds. Each lists (paged by id, filtered by name), creates (201 with a
 * Location), reads the latest version or one by ?version=, saves a new immutable version
 * (If-Match with the version the change was made on: 409 when it is not the latest),
 * lists the versions and deletes. Documents are validated by deca_library_validate()
 * (422 with the pointer of every problem); every change writes an audit line in the same
 * transaction; an item of another workspace is 404.
 */

/* Adds the routes of the three kinds to @server, with the permissions read:, write: and
 * delete: of each kind. FALSE with @error when the router refuses one (a route that
 * exists already). */
gboolean deca_api_library_register (DecaServer  *server,
                                    GError     **error);

G_END_DECLS
