#pragma once

#include <deca-clock.h>
#include <deca-credential-provider.h>
#include <deca-executor.h>

#include "deca-api-flows.h"
#include "deca-api-streams.h"
#include "deca-api-webhooks.h"
#include "deca-rate-limit.h"
#include "deca-secret-box.h"
#include "deca-server.h"
#include "deca-server-triggers.h"

G_BEGIN_DECLS

/*
 * DecaApi: everything `deca serve` serves, registered by one call, so that the command
 * and the tests that stand for it (test-openapi, test-matrix) cannot drift apart. The
 * server itself brings /health, /metrics and /api/v1/openapi.yaml; the caller installs
 * its DecaAuthenticator first (deca_authenticator_install()). deca_api_register_all()
 * then adds, in this order:
 *
 *   - the access routes (workspaces, members, keys, audit; deca-api-access.h),
 *   - credentials (with the options' secret box), the library (agents, prompts,
 *     functions),
 *   - flows and executions (DecaApiFlows, on the options' executor), export and import,
 *   - the executor's credentials: each execution resolves them from its own workspace's,
 *     decrypted with the secret box (docs/security.md),
 *   - the live streams (DecaApiStreams),
 *   - the webhooks (DecaApiWebhooks: secret box, rate limiter, clock),
 *   - schedules and events with the triggers (DecaServerTriggers), the events and
 *     schedules routes; the triggers are started (every active flow activated).
 *
 * The object holds the resource objects; the routes hold them too, as long as the
 * server lives. It borrows the server: stop it (deca_api_stop()) and drop it before
 * the server is finalized.
 */

typedef struct
{
  /* nullable: the executor to run flows on (it must use the server's store); NULL makes
   * one with the built-in nodes. */
  DecaExecutor           *executor;
  /* nullable (referenced): the keys of the workspaces' credentials; NULL: an empty box,
   * so credentials cannot be stored and webhooks with "auth" answer 500. */
  DecaSecretBox          *secret_box;
  /* nullable (referenced): the clock of the schedules, the events' stamps, the webhooks'
   * response timeouts and the streams' keep-alives; NULL: the system clock. */
  DecaClock              *clock;
  /* nullable (referenced): the limiter every webhook call counts against, a bucket per
   * workspace and path; NULL: no limit. */
  DecaRateLimiter        *webhook_rate_limiter;
  /* nullable (referenced): where the executor takes the executions' credentials from;
   * NULL: the server's store through the secret box (DecaStoreCredentials). */
  DecaCredentialProvider *credential_provider;
  /* nullable: how this process names itself in the schedule claims ("HOST:PID"). */
  const char             *claimed_by;
} DecaApiOptions;

#define DECA_TYPE_API (deca_api_get_type ())
G_DECLARE_FINAL_TYPE (DecaApi, deca_api, DECA, API, GObject)

/* Registers every route group of `deca serve` on @server with @options (nullable: all
 * defaults) and starts the triggers. Returns (transfer full) the object, or NULL with
 * @error when a route cannot be added or the store cannot be read. Call it on the
 * server's thread, before deca_server_listen(). */
DecaApi                *deca_api_register_all       (DecaServer            *server,
                                                     const DecaApiOptions  *options,
                                                     GError               **error);
/* Stops the triggers (no schedule fires, no event is delivered). Safe to call twice. */
void                    deca_api_stop               (DecaApi               *self);

/* (transfer none) getters of the resource objects. */
DecaApiFlows           *deca_api_get_flows          (DecaApi               *self);
DecaExecutor           *deca_api_get_executor       (DecaApi               *self);
DecaApiStreams         *deca_api_get_streams        (DecaApi               *self);
DecaApiWebhooks        *deca_api_get_webhooks       (DecaApi               *self);
DecaServerTriggers     *deca_api_get_triggers       (DecaApi               *self);
DecaSecretBox          *deca_api_get_secret_box     (DecaApi               *self);
DecaCredentialProvider *deca_api_get_credential_provider (DecaApi          *self);

G_END_DECLS
