/* deca-audit.c: audit lines for requests (deca-audit.h). */

#include "config.h"

#include "deca-audit.h"

#include <deca-store-server.h>

#include "deca-principal.h"
#include "deca-server.h"

char *
deca_audit_actor_of (DecaRequest *request)
{
  const DecaPrincipal *principal;

  g_return_val_if_fail (request != NULL, NULL);

  principal = deca_request_get_principal (request);
  if (principal == NULL)
    return g_strdup ("anonymous");
  if (principal->kind == DECA_PRINCIPAL_API_KEY)
    return g_strconcat ("key:", principal->subject, NULL);
  return g_strconcat ("user:", principal->subject, NULL);
}

gboolean
deca_server_audit (DecaRequest *request,
                   const char  *action,
                   const char  *target,
                   const char  *result,
                   JsonNode    *details)
{
  const DecaPrincipal *principal;
  DecaStore *store;
  DecaAuditRecord record = { 0 };
  g_autofree char *actor = NULL;
  g_autofree char *details_text = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (action != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  principal = deca_request_get_principal (request);
  store = deca_server_get_store (deca_request_get_server (request));
  actor = deca_audit_actor_of (request);
  if (details != NULL && !JSON_NODE_HOLDS_NULL (details))
    details_text = json_to_string (details, FALSE);

  record.workspace_id = principal != NULL ? principal->workspace_id : NULL;
  record.actor = actor;
  record.action = (char *) action;
  record.target = (char *) target;
  record.source = (char *) deca_request_get_remote_host (request);
  record.result = (char *) result;
  record.details = details_text;
  if (!deca_store_append_audit (store, &record, NULL, &error))
    {
      deca_request_log (request, DECA_LOG_ERROR, "could not write the audit line of %s: %s",
                        action, error->message);
      return FALSE;
    }
  return TRUE;
}
