#pragma once

#include "deca-secret-box.h"
#include "deca-server.h"

G_BEGIN_DECLS

/*
 * The credentials routes of the API (docs/server.md, "Credentials"), in the caller's
 * workspace (the DecaPrincipal the authentication step set):
 *
 *   GET    /api/v1/credentials        read:credentials    metadata of every credential
 *   POST   /api/v1/credentials        write:credentials   {name, type, secret} → 201
 *   GET    /api/v1/credentials/{id}   read:credentials    metadata
 *   PUT    /api/v1/credentials/{id}   write:credentials   {revision, name?, type?, secret?}
 *   DELETE /api/v1/credentials/{id}   delete:credentials  204
 *
 * Secrets are write-only: encrypted with @box under the credential's associated data
 * (deca_secret_box_credential_context) before they reach the store, and never part of an
 * answer, a log line, an error message or an audit line. Every change is one transaction
 * with its audit line.
 */

/* Adds the routes to @server, which keeps a reference on @box. FALSE with @error when a
 * route cannot be added (its pattern is taken). */
gboolean deca_api_credentials_register (DecaServer     *server,
                                        DecaSecretBox  *box,
                                        GError        **error);

G_END_DECLS
