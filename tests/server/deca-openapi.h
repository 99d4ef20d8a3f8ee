#pragma once

/* deca-openapi.h: the server's OpenAPI document (data/openapi.yaml) in the tests: loaded
 * from YAML, checked for structure, and answers of the server checked against it.
 *
 * Other server tests check each answer they get with one call after sending it:
 *
 *   response = soup_session_send_and_read (session, message, NULL, &error);
 *   deca_openapi_assert_message (message, response);
 *
 * which fails the test (naming the operation, the JSON pointer and the rule) when the
 * method, path or status is not in the document or the body does not match its schema.
 * It uses the document compiled into libdeca-server (what GET /api/v1/openapi.yaml
 * serves). Link with deca_openapi_dep (tests/server/meson.build gives it to every server
 * test). */

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _DecaOpenApi DecaOpenApi;

/* YAML text (one document) as JSON: mappings are objects (keys as strings; a key twice
 * is an error), sequences arrays, aliases copies of their anchor's node. Plain scalars
 * without a tag of their own (libyaml's documents do not tell "!!str" from none: quote
 * instead) follow YAML 1.1: null (~, null, empty), booleans (true/false, yes/no,
 * on/off in any of their cases), integers (decimal, 0x hex, 0 octal, _ separators) and
 * floats (with a dot; .inf, .nan) become JSON values of their type; quoted and block
 * scalars, and everything else, strings. Returns (transfer full) the root, or NULL with
 * @error (G_IO_ERROR_INVALID_DATA, naming the line). */
JsonNode    *deca_yaml_to_json            (const char   *data,
                                           gssize        length,
                                           GError      **error);

/* Loads a document from YAML text, a file, or the one compiled into libdeca-server.
 * NULL with @error when it is not YAML or its root is not an object. */
DecaOpenApi *deca_openapi_new_from_data   (const char   *data,
                                           gssize        length,
                                           GError      **error);
DecaOpenApi *deca_openapi_new_from_file   (const char   *path,
                                           GError      **error);
DecaOpenApi *deca_openapi_new_builtin     (GError      **error);
void         deca_openapi_free            (DecaOpenApi  *doc);
/* (transfer none) the document as JSON. */
JsonNode    *deca_openapi_get_root        (DecaOpenApi  *doc);

/* Checks the document's structure as OpenAPI 3.0: "openapi" 3.0.x, info with title and
 * version, paths that start with "/", path items with known members only, every
 * operation with a non-empty responses object of status codes or "default", every $ref
 * resolving inside the document, every {parameter} of a path template declared as a
 * required path parameter (of the path or the operation) and every declared path
 * parameter in the template, unique operationIds, known security schemes and tags.
 * Returns FALSE with @error (G_IO_ERROR_INVALID_DATA) listing every problem found, one a
 * line. */
gboolean     deca_openapi_check_structure (DecaOpenApi  *doc,
                                           GError      **error);

/* (transfer full) "METHOD TEMPLATE" for every operation of the document, sorted ("GET
 * /api/v1/flows/{id}"); HEAD is not listed for a GET (the server answers it). */
GPtrArray   *deca_openapi_list_operations (DecaOpenApi  *doc);

/* (transfer none) the path template of the document that the concrete @path (a query
 * is ignored) matches, the most specific one as DecaRouter picks it, or NULL. A last
 * path parameter declared with "x-deca-rest": true takes one or more whole segments, as
 * DecaRouter's "{name*}" does (OpenAPI has no way to say it). */
const char  *deca_openapi_match_path      (DecaOpenApi  *doc,
                                           const char   *path);

/* Checks one answer of the server: @method and the concrete @path (a query is ignored)
 * are matched against the document's path templates the way DecaRouter matches them (a
 * literal segment before a parameter, from the left); the response by @status, else
 * "default" (a 404 for a path the document does not have, and a 405 for a method a path
 * does not have, are the router's answers its description promises: they need the
 * Error shape only); then @content_type (parameters ignored; NULL for an empty body) must be one
 * the response declares (media ranges count: "image/" followed by a star, and the star
 * for everything, which takes an empty body too), and a JSON @body must match its schema. A path, method or status
 * the document does not have is an error otherwise. Returns FALSE with @error
 * (G_IO_ERROR_INVALID_DATA) that names the operation, the JSON pointer in the body and
 * the rule that failed. */
gboolean     deca_openapi_check_response  (DecaOpenApi  *doc,
                                           const char   *method,
                                           const char   *path,
                                           guint         status,
                                           const char   *content_type,
                                           JsonNode     *body,
                                           GError      **error);

/* Checks a request body (@body, NULL for none) of @method on the concrete @path against
 * the operation's requestBody: its JSON schema, and whether one is required or allowed.
 * For a request the server accepted, this says the document does not refuse what the
 * server takes. FALSE with @error naming the pointer and the rule. */
gboolean     deca_openapi_check_request   (DecaOpenApi  *doc,
                                           const char   *method,
                                           const char   *path,
                                           JsonNode     *body,
                                           GError      **error);

/* Validates @instance against @schema (a schema object of the document, $refs resolved
 * in it): type, nullable, properties, required, additionalProperties, items, enum,
 * oneOf, anyOf, allOf, not, format (date-time, date, int32, int64), minimum, maximum,
 * exclusiveMinimum/-Maximum, minLength, maxLength, pattern, minItems, maxItems,
 * minProperties, maxProperties. @pointer is where @instance is ("" for the root). */
gboolean     deca_openapi_validate        (DecaOpenApi  *doc,
                                           JsonNode     *schema,
                                           JsonNode     *instance,
                                           const char   *pointer,
                                           GError      **error);

/* For any server test: checks the answer @message got (its method, URI path, status and
 * Content-Type) with @body (the bytes read, nullable) against the built-in document, and
 * fails the test with the reason when it does not match. Thread-safe; the document is
 * loaded once. */
void         deca_openapi_assert_message  (SoupMessage  *message,
                                           GBytes       *body);
/* The same as a check: FALSE with @error instead of failing the test. A text/event-stream
 * answer whose media type in the document has "x-deca-event-data" (a schema) has the JSON
 * of each event's data lines checked against it. */
gboolean     deca_openapi_check_message   (DecaOpenApi  *doc,
                                           SoupMessage  *message,
                                           GBytes       *body,
                                           GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DecaOpenApi, deca_openapi_free)

G_END_DECLS
