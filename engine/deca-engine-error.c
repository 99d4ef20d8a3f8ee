#include "deca-engine-error.h"

G_DEFINE_QUARK (deca-engine-error-quark, deca_engine_error)

static const char * const code_names[] = {
  [DECA_ENGINE_ERROR_PARSE] = "parse",
  [DECA_ENGINE_ERROR_INVALID] = "invalid",
  [DECA_ENGINE_ERROR_EXPRESSION] = "expression",
  [DECA_ENGINE_ERROR_EVALUATION] = "evaluation",
  [DECA_ENGINE_ERROR_LIMIT] = "limit",
  [DECA_ENGINE_ERROR_NOT_FOUND] = "not_found",
  [DECA_ENGINE_ERROR_NODE_FAILED] = "node_failed",
  [DECA_ENGINE_ERROR_TIMEOUT] = "timeout",
  [DECA_ENGINE_ERROR_CANCELLED] = "cancelled",
  [DECA_ENGINE_ERROR_CIRCUIT_OPEN] = "circuit_open",
  [DECA_ENGINE_ERROR_REJECTED] = "rejected",
  [DECA_ENGINE_ERROR_STORE] = "store",
  [DECA_ENGINE_ERROR_CREDENTIAL] = "credential",
  [DECA_ENGINE_ERROR_HTTP] = "http",
  [DECA_ENGINE_ERROR_STATE] = "state",
};

const char *
deca_engine_error_code_name (int code)
{
  if (code < 0 || code >= (int) G_N_ELEMENTS (code_names) || code_names[code] == NULL)
    return "error";
  return code_names[code];
}
