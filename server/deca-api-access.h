#pragma once

#include "deca-server.h"

G_BEGIN_DECLS

/*
 * The access routes of `deca serve` (docs/server.md, "Workspaces, members, API keys,
 * audit"): the caller's workspace, its members and their roles (manage:users), its API
 * keys (manage:keys; a new key's text is answered once), and its audit log (read:audit,
 * paged). A {ws} other than the caller's workspace is 404, and nobody can grant a role
 * (to a member or a key) with permissions they do not hold themselves. Every change and
 * every refusal writes an audit line (deca_server_audit()).
 *
 * The routes expect the authentication step of DecaAuthenticator (a DecaPrincipal with
 * a workspace on every request).
 */

/* Adds the routes to @server. FALSE with DECA_SERVER_ERROR_CONFIG when one is taken. */
gboolean deca_api_access_register (DecaServer  *server,
                                   GError     **error);

G_END_DECLS
