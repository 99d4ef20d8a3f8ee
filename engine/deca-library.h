#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * The library of a workspace: agents, prompts and functions (docs/library.md). Each is a
 * JSON document with a kind of its own, stored with immutable versions like a flow
 * (deca-store-library.h) and validated against the JSON Schema subset of the flow
 * validator (deca-validator.h), kept here and nowhere else, plus the checks a schema cannot
 * express (a prompt's {{variables}} declared, a default of the declared type, ...).
 */

/**
 * DecaLibraryKind:
 * @DECA_LIBRARY_AGENT: an AI agent: a model, its instructions, the tools it may call
 * @DECA_LIBRARY_PROMPT: a prompt template with typed {{variables}}
 * @DECA_LIBRARY_FUNCTION: custom code run in a sandbox, with input and output schemas
 */
typedef enum {
  DECA_LIBRARY_AGENT,
  DECA_LIBRARY_PROMPT,
  DECA_LIBRARY_FUNCTION,
  DECA_LIBRARY_N_KINDS,
} DecaLibraryKind;

/* The longest id a library item may have; ids are 1 to this many letters, digits, "_",
 * "-" and ".", starting with a letter or a digit (a flow node's "agent_id" names one). */
#define DECA_LIBRARY_MAX_ID_LENGTH 128

/* The kind's name in the singular ("agent", "prompt", "function"), or NULL for a value
 * that is not a kind. */
const char *deca_library_kind_to_string   (DecaLibraryKind  kind);
/* The kind's name in the plural ("agents", ...): its API path and its member of a
 * workspace bundle. NULL for a value that is not a kind. */
const char *deca_library_kind_plural      (DecaLibraryKind  kind);
/* Parses a kind's singular or plural name. FALSE for anything else. */
gboolean    deca_library_kind_from_string (const char      *name,
                                           DecaLibraryKind *out_kind);

/* Whether @id is a valid library item id (see DECA_LIBRARY_MAX_ID_LENGTH). */
gboolean    deca_library_id_is_valid      (const char      *id);

/* Returns (transfer none) the JSON Schema of a document of @kind (parsed once, kept for
 * the life of the process; thread-safe). */
JsonNode   *deca_library_get_schema       (DecaLibraryKind  kind);

/* Validates @document as a document of @kind: the schema, then the checks it cannot
 * express. Appends (transfer full) DecaValidationProblem structs to @problems, each with
 * @pointer_prefix + the JSON pointer inside @document and a plain message. Never stops at
 * the first problem and never fails on any input. */
void        deca_library_validate         (DecaLibraryKind  kind,
                                           JsonNode        *document,
                                           const char      *pointer_prefix,
                                           GPtrArray       *problems);

G_END_DECLS
