#pragma once

#include <json-glib/json-glib.h>

#include "deca-node-registry.h"
#include "deca-node-type.h"

G_BEGIN_DECLS

/*
 * The flow validator: every problem at once, each with a JSON pointer into the document
 * and a plain message (docs/flow-format.md lists them). It never stops at the first
 * problem and never crashes on any input.
 */

/* Validates the flow text @data (@length -1 when NUL-terminated). Bad JSON gives one
 * problem with pointer "" and a message starting "line L, column C:". Returns (transfer
 * full) (element-type DecaValidationProblem) the problems, empty when the flow is clean. */
GPtrArray *deca_validate_flow_data (const char       *data,
                                    gssize            length,
                                    DecaNodeRegistry *registry);

/* The same for a parsed document. */
GPtrArray *deca_validate_flow_json (JsonNode         *root,
                                    DecaNodeRegistry *registry);

/* Appends the problems of @instance against the JSON Schema subset @schema to @problems;
 * pointers are @pointer_prefix + the path inside @instance. */
void       deca_validate_against_schema (JsonNode   *schema,
                                         JsonNode   *instance,
                                         const char *pointer_prefix,
                                         GPtrArray  *problems);

/* Appends "/"-escaped @token to @pointer (RFC 6901: "~" -> "~0", "/" -> "~1"). */
void       deca_json_pointer_append (GString    *pointer,
                                     const char *token);

G_END_DECLS
