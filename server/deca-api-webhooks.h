#pragma once

#include <deca-clock.h>

#include "deca-api-flows.h"
#include "deca-rate-limit.h"
#include "deca-secret-box.h"
#include "deca-server.h"

G_BEGIN_DECLS

/*
 * DecaApiWebhooks: the webhook triggers of `deca serve` (docs/server.md, "Webhooks").
 * GET, POST, PUT, PATCH and DELETE /webhook/{workspace}/{path*} run the active flow of
 * that workspace whose webhook trigger has that method and path: a flow with a respond
 * node answers the caller with what the node set (or 504 after the trigger's
 * response_timeout), any other flow answers 202 with the execution's id.
 *
 * The routes are public (no API key: the caller is another service); a trigger with an
 * "auth" option checks a shared token or an HMAC-SHA256 signature of the body against a
 * credential of the workspace, decrypted with the secret box.
 *
 * The active webhook triggers are held in memory, parsed: built from the store at
 * registration and kept current from DecaApiFlows's signals, so a request reads nothing
 * from the store to find its flow. Two active flows of one workspace cannot claim the same
 * method and path: the second activation (or a new version of an active flow that would)
 * is refused with 409 through deca_api_flows_add_activation_check().
 */

#define DECA_TYPE_API_WEBHOOKS (deca_api_webhooks_get_type ())
G_DECLARE_FINAL_TYPE (DecaApiWebhooks, deca_api_webhooks, DECA, API_WEBHOOKS, GObject)

/* The response_timeout of a trigger that does not set one, and the largest allowed, in
 * seconds. */
#define DECA_WEBHOOK_DEFAULT_RESPONSE_TIMEOUT 30
#define DECA_WEBHOOK_MAX_RESPONSE_TIMEOUT     300

/* Adds the webhook routes to @server and indexes the active flows of every workspace,
 * starting them on @flows's executor (deca_api_flows_start_execution()). Returns
 * (transfer full) the object (the routes keep it alive as long as the server lives), or
 * NULL with @error when a route cannot be added or the store cannot be read. A stored
 * active flow that no longer loads is logged and left out. */
DecaApiWebhooks *deca_api_webhooks_register        (DecaServer       *server,
                                                    DecaApiFlows     *flows,
                                                    GError          **error);
/* The keys that decrypt the workspaces' credentials, for the triggers' "auth" (taken with
 * a reference). Without keys, a trigger with "auth" answers 500 and runs nothing. */
void             deca_api_webhooks_set_secret_box  (DecaApiWebhooks  *self,
                                                    DecaSecretBox    *box);
/* The clock of the response timeouts (taken with a reference; default: the system
 * clock). Tests give the executor's DecaManualClock. */
void             deca_api_webhooks_set_clock       (DecaApiWebhooks  *self,
                                                    DecaClock        *clock);
/* A limiter the calls count against, one bucket per workspace and path (taken with a
 * reference; NULL, the default: no limit). An empty bucket is answered 429 with
 * Retry-After, before anything runs. */
void             deca_api_webhooks_set_rate_limiter (DecaApiWebhooks *self,
                                                     DecaRateLimiter *limiter);
/* The number of (workspace, method, path) triggers indexed now. */
guint            deca_api_webhooks_get_n_triggers  (DecaApiWebhooks  *self);

G_END_DECLS
