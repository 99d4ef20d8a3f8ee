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
 * pointers are @pointer_prefix + the path inside @instance. A string containing "{{" is a
 * template rendered at run time and is accepted wherever a value is expected. */
void       deca_validate_against_schema (JsonNode   *schema,
                                         JsonNode   *instance,
                                         const char *pointer_prefix,
                                         GPtrArray  *problems);

/**
 * DecaSchemaCheckFlags:
 * @DECA_SCHEMA_CHECK_DEFAULT: as deca_validate_against_schema()
 * @DECA_SCHEMA_CHECK_NO_TEMPLATES: strings containing "{{" get no special treatment; for
 *   parts of a document that are not rendered (a flow's settings, a node's retry)
 */
typedef enum {
  DECA_SCHEMA_CHECK_DEFAULT = 0,
  DECA_SCHEMA_CHECK_NO_TEMPLATES = 1 << 0,
} DecaSchemaCheckFlags;

/* deca_validate_against_schema() with @flags. */
void       deca_validate_against_schema_full (JsonNode             *schema,
                                              JsonNode             *instance,
                                              const char           *pointer_prefix,
                                              DecaSchemaCheckFlags  flags,
                                              GPtrArray            *problems);

/* Returns (transfer none) (nullable) the subschema @schema gives to member @key of an
 * object (from "properties", then the branches of "anyOf"/"oneOf", then a schema-valued
 * "additionalProperties"), or NULL when it says nothing. */
JsonNode  *deca_schema_get_property (JsonNode   *schema,
                                     const char *key);
/* Returns (transfer none) (nullable) the subschema of the elements of an array. */
JsonNode  *deca_schema_get_items    (JsonNode   *schema);

/* Appends "/"-escaped @token to @pointer (RFC 6901: "~" -> "~0", "/" -> "~1"). */
void       deca_json_pointer_append (GString    *pointer,
                                     const char *token);

G_END_DECLS
