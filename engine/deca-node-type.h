#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "deca-node-invocation.h"

G_BEGIN_DECLS

/*
 * DecaNodeType: what a node of a given "type" does. One object per type lives in the
 * DecaNodeRegistry; nodes of a flow refer to it by name.
 *
 * Every type declares its config as a JSON Schema subset (docs/flow-format.md): the
 * validator checks configs against it, `deca node-types --json` prints it and the studio's
 * inspector renders forms from it. String values in a config are templates and are
 * rendered before invoke() runs, except properties whose schema says
 * "format": "expression" (or "format": "template-raw"): those reach the node as written,
 * for the node to evaluate itself with deca_node_invocation_evaluate().
 */

typedef enum {
  DECA_NODE_KIND_ACTION,   /* runs when its inputs resolve */
  DECA_NODE_KIND_TRIGGER,  /* an entry point: outputs the trigger data */
  DECA_NODE_KIND_LOOP,     /* runs its "body" port once per item (executor-driven) */
} DecaNodeKind;

#define DECA_NODE_PORT_MAIN "main"
#define DECA_NODE_PORT_ERROR "error"

#define DECA_TYPE_NODE_TYPE (deca_node_type_get_type ())
G_DECLARE_INTERFACE (DecaNodeType, deca_node_type, DECA, NODE_TYPE, GObject)

struct _DecaNodeTypeInterface
{
  GTypeInterface parent_iface;

  const char  *(*get_name)          (DecaNodeType *self);
  const char  *(*get_title)         (DecaNodeType *self);
  const char  *(*get_description)   (DecaNodeType *self);
  const char  *(*get_category)      (DecaNodeType *self);
  DecaNodeKind (*get_kind)          (DecaNodeType *self);
  JsonNode    *(*get_config_schema) (DecaNodeType *self);
  GStrv        (*list_output_ports) (DecaNodeType *self,
                                     JsonObject   *config);
  const char  *(*get_default_port)  (DecaNodeType *self);
  void         (*check_config)      (DecaNodeType *self,
                                     JsonObject   *config,
                                     GPtrArray    *problems);
  char        *(*get_circuit_key)   (DecaNodeType *self,
                                     JsonObject   *config);
  void         (*invoke)            (DecaNodeType       *self,
                                     DecaNodeInvocation *invocation);
  gboolean     (*is_replayable)     (DecaNodeType *self);
};

/* The type name used in flows ("http"). Never NULL. */
const char  *deca_node_type_get_name          (DecaNodeType *self);
const char  *deca_node_type_get_title         (DecaNodeType *self);
const char  *deca_node_type_get_description   (DecaNodeType *self);
/* "core", "flow", "integration", "trigger". */
const char  *deca_node_type_get_category      (DecaNodeType *self);
DecaNodeKind deca_node_type_get_kind          (DecaNodeType *self);
/* Returns (transfer none) the config schema, an object node. */
JsonNode    *deca_node_type_get_config_schema (DecaNodeType *self);
/* Returns (transfer full) the output ports a node with @config has. The default
 * implementation returns { "main" }. The "error" port (on_error) exists on every node and
 * is not listed. */
GStrv        deca_node_type_list_output_ports (DecaNodeType *self,
                                               JsonObject   *config);
/* The port a connection without "from_port" leaves from ("main", "true", ...). */
const char  *deca_node_type_get_default_port  (DecaNodeType *self);
/* Adds (transfer full) DecaValidationProblem pointers to @problems for semantic problems
 * the schema cannot express. Pointers are relative to the config ("/cases/1/when"). */
void         deca_node_type_check_config      (DecaNodeType *self,
                                               JsonObject   *config,
                                               GPtrArray    *problems);
/* Returns (transfer full) (nullable) the external target @config talks to, for the circuit
 * breaker ("http:api.example.com:443"), or NULL when the node has none. */
char        *deca_node_type_get_circuit_key   (DecaNodeType *self,
                                               JsonObject   *config);
/* Whether running a node of this type again after a crash does no harm: it acts on
 * nothing outside its execution, and its output follows from its input (transform,
 * condition, branch; respond, whose answer the server sends only once it is durable).
 * The executor starts the successors of such a node without waiting for its result to
 * be durable (docs/execution.md, "Durability"). The default is FALSE. */
gboolean     deca_node_type_is_replayable     (DecaNodeType *self);
/* Runs one attempt. Must end, now or later, in exactly one deca_node_invocation_return_*()
 * call; once the invocation is cancelled the return is ignored. */
void         deca_node_type_invoke            (DecaNodeType       *self,
                                               DecaNodeInvocation *invocation);

/* Serialises the type for `deca node-types --json` and the studio: name, title,
 * description, category, kind, ports, default_port, config_schema. */
JsonNode    *deca_node_type_to_json           (DecaNodeType *self);

/**
 * DecaValidationProblem:
 * @pointer: a JSON pointer (RFC 6901) into the flow document, "" for the whole document
 * @message: a plain sentence for a person
 */
typedef struct {
  char *pointer;
  char *message;
} DecaValidationProblem;

DecaValidationProblem *deca_validation_problem_new  (const char *pointer,
                                                     const char *format,
                                                     ...) G_GNUC_PRINTF (2, 3);
void                   deca_validation_problem_free (DecaValidationProblem *problem);

G_END_DECLS
