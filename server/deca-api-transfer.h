#pragma once

#include <glib.h>

#include "deca-api-flows.h"
#include "deca-server.h"

G_BEGIN_DECLS

/*
 * Export and import of a workspace (docs/server.md, "Export and import"):
 * GET /api/v1/workspaces/{ws}/export answers the workspace as one bundle
 * (engine/deca-workspace-bundle.h); POST /api/v1/workspaces/{ws}/import?mode=merge|replace
 * checks a bundle whole and writes it all or nothing (422 with pointers into the bundle,
 * 409 with every conflict). Both are audited.
 */

/* Adds the two routes to @server. @flows (nullable) is told of the flows an import saves
 * or deletes, through its "flow-saved", "flow-active-changed" and "flow-deleted"
 * signals, so that the dispatchers follow; the routes keep a reference to it. FALSE with
 * @error when the router refuses a route. */
gboolean deca_api_transfer_register (DecaServer    *server,
                                     DecaApiFlows  *flows,
                                     GError       **error);

G_END_DECLS
