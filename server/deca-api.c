/* deca-api.c: every route group of `deca serve` registered by one call (deca-api.h). */

#include "config.h"

#include "deca-api.h"
#include "deca-api-access.h"
#include "deca-api-credentials.h"
#include "deca-api-events.h"
#include "deca-api-library.h"
#include "deca-api-schedules.h"
#include "deca-api-transfer.h"
#include "deca-store-credentials.h"

struct _DecaApi
{
  GObject parent_instance;

  DecaSecretBox *box;
  DecaCredentialProvider *credential_provider;
  DecaApiFlows *flows;
  DecaApiStreams *streams;
  DecaApiWebhooks *webhooks;
  DecaServerTriggers *triggers;
};

G_DEFINE_FINAL_TYPE (DecaApi, deca_api, G_TYPE_OBJECT)

static void
deca_api_dispose (GObject *object)
{
  DecaApi *self = DECA_API (object);

  if (self->triggers != NULL)
    deca_server_triggers_stop (self->triggers);
  g_clear_object (&self->triggers);
  g_clear_object (&self->webhooks);
  g_clear_object (&self->streams);
  g_clear_object (&self->flows);
  g_clear_object (&self->credential_provider);
  g_clear_object (&self->box);
  G_OBJECT_CLASS (deca_api_parent_class)->dispose (object);
}

static void
deca_api_class_init (DecaApiClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = deca_api_dispose;
}

static void
deca_api_init (DecaApi *self)
{
}

DecaApi *
deca_api_register_all (DecaServer            *server,
                       const DecaApiOptions  *options,
                       GError               **error)
{
  static const DecaApiOptions defaults = { 0 };
  g_autoptr(DecaApi) self = NULL;

  g_return_val_if_fail (DECA_IS_SERVER (server), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL)
    options = &defaults;
  self = g_object_new (DECA_TYPE_API, NULL);
  self->box = options->secret_box != NULL ? g_object_ref (options->secret_box) : deca_secret_box_new ();

  if (!deca_api_access_register (server, error)
      || !deca_api_credentials_register (server, self->box, error)
      || !deca_api_library_register (server, error))
    return NULL;
  self->flows = deca_api_flows_register (server, options->executor, error);
  if (self->flows == NULL || !deca_api_transfer_register (server, self->flows, error))
    return NULL;

  /* Each execution resolves its credentials from its own workspace's (docs/security.md). */
  if (options->credential_provider != NULL)
    self->credential_provider = g_object_ref (options->credential_provider);
  else
    self->credential_provider = DECA_CREDENTIAL_PROVIDER (deca_store_credentials_new (deca_server_get_store (server),
                                                                                      self->box, NULL));
  deca_executor_set_credential_provider (deca_api_flows_get_executor (self->flows), self->credential_provider);

  /* Live streams of an execution and of a workspace (docs/server.md, "Live streams"). */
  self->streams = deca_api_streams_register (server, self->flows, error);
  if (self->streams == NULL)
    return NULL;
  if (options->clock != NULL)
    deca_api_streams_set_clock (self->streams, options->clock);

  /* Webhooks check their signatures with the workspaces' credentials (docs/server.md,
   * "Webhooks"). */
  self->webhooks = deca_api_webhooks_register (server, self->flows, error);
  if (self->webhooks == NULL)
    return NULL;
  deca_api_webhooks_set_secret_box (self->webhooks, self->box);
  if (options->webhook_rate_limiter != NULL)
    deca_api_webhooks_set_rate_limiter (self->webhooks, options->webhook_rate_limiter);
  if (options->clock != NULL)
    deca_api_webhooks_set_clock (self->webhooks, options->clock);

  /* Schedules and events of the active flows (docs/server.md, "Schedules and events");
   * missed fire times are caught up once the main loop runs. */
  self->triggers = deca_server_triggers_new (server, self->flows, options->clock, options->claimed_by);
  if (!deca_api_events_register (server, self->triggers, error)
      || !deca_api_schedules_register (server, self->triggers, error)
      || !deca_server_triggers_start (self->triggers, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
deca_api_stop (DecaApi *self)
{
  g_return_if_fail (DECA_IS_API (self));

  deca_server_triggers_stop (self->triggers);
}

DecaApiFlows *
deca_api_get_flows (DecaApi *self)
{
  g_return_val_if_fail (DECA_IS_API (self), NULL);
  return self->flows;
}

DecaExecutor *
deca_api_get_executor (DecaApi *self)
{
  g_return_val_if_fail (DECA_IS_API (self), NULL);
  return deca_api_flows_get_executor (self->flows);
}

DecaApiStreams *
deca_api_get_streams (DecaApi *self)
{
  g_return_val_if_fail (DECA_IS_API (self), NULL);
  return self->streams;
}

DecaApiWebhooks *
deca_api_get_webhooks (DecaApi *self)
{
  g_return_val_if_fail (DECA_IS_API (self), NULL);
  return self->webhooks;
}

DecaServerTriggers *
deca_api_get_triggers (DecaApi *self)
{
  g_return_val_if_fail (DECA_IS_API (self), NULL);
  return self->triggers;
}

DecaSecretBox *
deca_api_get_secret_box (DecaApi *self)
{
  g_return_val_if_fail (DECA_IS_API (self), NULL);
  return self->box;
}

DecaCredentialProvider *
deca_api_get_credential_provider (DecaApi *self)
{
  g_return_val_if_fail (DECA_IS_API (self), NULL);
  return self->credential_provider;
}
