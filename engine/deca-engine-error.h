#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DECA_ENGINE_ERROR (deca_engine_error_quark ())

/**
 * DecaEngineError:
 * @DECA_ENGINE_ERROR_PARSE: a document is not valid JSON or not the expected shape
 * @DECA_ENGINE_ERROR_INVALID: a flow failed validation
 * @DECA_ENGINE_ERROR_EXPRESSION: an expression or template has a syntax error
 * @DECA_ENGINE_ERROR_EVALUATION: an expression failed while being evaluated
 * @DECA_ENGINE_ERROR_LIMIT: an evaluation limit (depth, size, time) was reached
 * @DECA_ENGINE_ERROR_NOT_FOUND: a flow, execution, node or node type does not exist
 * @DECA_ENGINE_ERROR_NODE_FAILED: a node reported a failure
 * @DECA_ENGINE_ERROR_TIMEOUT: a node or flow ran past its timeout
 * @DECA_ENGINE_ERROR_CANCELLED: the execution was cancelled
 * @DECA_ENGINE_ERROR_CIRCUIT_OPEN: the circuit breaker of a target is open
 * @DECA_ENGINE_ERROR_REJECTED: an approval was rejected
 * @DECA_ENGINE_ERROR_STORE: the durable store failed
 * @DECA_ENGINE_ERROR_CREDENTIAL: a credential could not be resolved
 * @DECA_ENGINE_ERROR_HTTP: an HTTP request failed or returned an error status
 * @DECA_ENGINE_ERROR_STATE: an operation does not apply in the current state
 *
 * The error codes of libdeca-engine. Messages are for people: they say what went wrong and
 * where (a JSON pointer, a column, a node id).
 */
typedef enum {
  DECA_ENGINE_ERROR_PARSE,
  DECA_ENGINE_ERROR_INVALID,
  DECA_ENGINE_ERROR_EXPRESSION,
  DECA_ENGINE_ERROR_EVALUATION,
  DECA_ENGINE_ERROR_LIMIT,
  DECA_ENGINE_ERROR_NOT_FOUND,
  DECA_ENGINE_ERROR_NODE_FAILED,
  DECA_ENGINE_ERROR_TIMEOUT,
  DECA_ENGINE_ERROR_CANCELLED,
  DECA_ENGINE_ERROR_CIRCUIT_OPEN,
  DECA_ENGINE_ERROR_REJECTED,
  DECA_ENGINE_ERROR_STORE,
  DECA_ENGINE_ERROR_CREDENTIAL,
  DECA_ENGINE_ERROR_HTTP,
  DECA_ENGINE_ERROR_STATE,
} DecaEngineError;

GQuark deca_engine_error_quark (void);

/* The stable machine name of @code ("timeout", "circuit_open", ...), used in events. */
const char *deca_engine_error_code_name (int code);

/* The directory the programs and the engine bind their message catalogue to:
 * $DECA_LOCALE_DIR when it is set (a build's po/ directory), else the installed one. */
const char *deca_engine_get_locale_dir (void);

G_END_DECLS
