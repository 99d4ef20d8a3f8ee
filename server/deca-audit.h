#pragma once

#include <json-glib/json-glib.h>

#include "deca-request.h"

G_BEGIN_DECLS

/*
 * The audit log of `deca serve` (docs/security.md, "The audit log"): one line in the
 * store's audit_log per change, per execution start and per request refused for want of a
 * permission: who (the principal), what (@action on @target), when (now), from where (the
 * peer's address) and the result.
 */

/* The results routes write. */
#define DECA_AUDIT_OK      "ok"
#define DECA_AUDIT_DENIED  "denied"
#define DECA_AUDIT_FAILED  "failed"

/* Returns (transfer full) how the audit log names the caller of @request: "key:<id>" for
 * an API key, "user:<sub>" for a bearer token, "anonymous" when the request has no
 * DecaPrincipal (a public route). */
char     *deca_audit_actor_of (DecaRequest *request);

/* Appends a line for @request to the audit log of the store of its server, in the
 * workspace of the request's principal (server-wide when it has none): the actor
 * (deca_audit_actor_of()), @action ("member.set", "api_key.create", "flow.execute", ...),
 * @target (nullable: what was acted on, an id), the peer address, @result (DECA_AUDIT_OK,
 * _DENIED, _FAILED, ...) and @details (transfer none, nullable: a JSON object; never a
 * secret). Must be called on the server's thread (the store's). A line that cannot be
 * written is logged as an error with the request's trace id and FALSE is returned; the
 * caller decides whether that fails the request. */
gboolean  deca_server_audit   (DecaRequest *request,
                               const char  *action,
                               const char  *target,
                               const char  *result,
                               JsonNode    *details);

G_END_DECLS
